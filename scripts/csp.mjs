// The pane's Content-Security-Policy, computed from the deployment's configuration, so
// that the browser itself keeps the pane to the hosts it needs: its own origin (its
// files, and iMIS's /token and /api behind it), the Microsoft sign-in host and the Graph
// host. scripts/build.mjs puts each page's policy in its <meta> tag and writes the
// header policy (with frame-ancestors, which a <meta> policy cannot carry) to
// dist/csp.txt for the web server: scripts/serve-static.mjs, deploy/nginx/render.mjs
// and the IIS web.config files send it.

/** Outlook's hosts that show the pane in a frame (Outlook on the web, new Outlook,
 * Outlook.com). Classic Outlook on Windows and Mac shows it without a frame. */
export const OUTLOOK_FRAME_ANCESTORS = [
  "https://outlook.office.com",
  "https://outlook.office365.com",
  "https://outlook.cloud.microsoft",
  "https://outlook.live.com",
  "https://*.officeapps.live.com",
];

export const DEFAULT_AUTHORITY_HOST = "login.microsoftonline.com";
export const OFFICE_JS_URL = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js";

/** Each Microsoft sign-in host's default Graph (as src/settings.rs, microsoft_clouds). */
const MICROSOFT_GRAPH = {
  "login.microsoftonline.com": "https://graph.microsoft.com",
  "login.microsoftonline.us": "https://graph.microsoft.us",
  "login.chinacloudapi.cn": "https://microsoftgraph.chinacloudapi.cn",
  "login.partner.microsoftonline.cn": "https://microsoftgraph.chinacloudapi.cn",
};

const HOST_RE = /^(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$/i;

/** `https://host[:port]` from a host, host:port or https URL; throws on anything else
 * (no http:, no path beyond "/", no wildcard but a leading "*." when `wildcard`). */
export function httpsOrigin(value, what, { wildcard = false } = {}) {
  const v = String(value ?? "").trim();
  const fail = (why) => {
    throw new Error(`${what} ${JSON.stringify(value)} ${why}`);
  };
  if (!v) fail("is empty");
  const hostPart = /^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? v.replace(/^https:\/\//i, "") : v;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(hostPart)) fail("is not https");
  const host = hostPart.replace(/\/$/, "");
  if (!HOST_RE.test(host)) fail("is not an https origin (scheme, host and port only)");
  if (host.startsWith("*.") && !wildcard) fail("may not be a wildcard");
  return `https://${host.toLowerCase()}`;
}

const list = (text) => String(text ?? "").split(/[\s,]+/).filter(Boolean);
const unique = (xs) => [...new Set(xs)];

/**
 * The hosts of a real build, from the environment:
 * - AUTHORITY_HOST: the Microsoft sign-in host(s) (default login.microsoftonline.com);
 * - GRAPH_URL: the Graph host(s) (default: each sign-in host's own cloud, as in Setup;
 *   for US Government DoD set https://dod-graph.microsoft.us);
 * - ALLOWED_AUTHORITIES: JSON [{authorityHost, graphUrl}], sign-in hosts allowed
 *   besides Microsoft's (scripts/build.mjs);
 * - IMIS_ORIGIN: only for the cross-origin recipe (iMIS on another origin that answers
 *   CORS): that origin; empty in the one-origin deployments;
 * - FRAME_ANCESTORS: the Outlook hosts that frame the pane (default Outlook's own).
 */
export function sourcesFromEnv(env = process.env, allowed = JSON.parse(env.ALLOWED_AUTHORITIES ?? "[]")) {
  const authorityHosts = list(env.AUTHORITY_HOST ?? DEFAULT_AUTHORITY_HOST);
  const graphs = env.GRAPH_URL
    ? list(env.GRAPH_URL)
    : authorityHosts.map((a) => MICROSOFT_GRAPH[a.toLowerCase()] ?? MICROSOFT_GRAPH[DEFAULT_AUTHORITY_HOST]);
  return {
    signIn: unique([
      ...authorityHosts.map((a) => httpsOrigin(a, "AUTHORITY_HOST")),
      ...allowed.map((c) => httpsOrigin(c.authorityHost, "ALLOWED_AUTHORITIES authorityHost")),
    ]),
    graph: unique([
      ...graphs.map((g) => httpsOrigin(g, "GRAPH_URL")),
      ...allowed.map((c) => httpsOrigin(c.graphUrl, "ALLOWED_AUTHORITIES graphUrl")),
    ]),
    imis: list(env.IMIS_ORIGIN).map((o) => httpsOrigin(o, "IMIS_ORIGIN")),
    officeJs: new URL(OFFICE_JS_URL).origin,
    frameAncestors: env.FRAME_ANCESTORS
      ? list(env.FRAME_ANCESTORS).map((o) => httpsOrigin(o, "FRAME_ANCESTORS", { wildcard: true }))
      : OUTLOOK_FRAME_ANCESTORS,
  };
}

/**
 * The hosts of the local build (`--local`), from scripts/local.mjs's `urls`: the
 * stand-ins' sign-in and Graph; the iMIS stand-in's own origin too, as a cross-origin
 * deployment (IMIS_ORIGIN) has it, so that the tests of that recipe still meet iMIS's
 * CORS answer rather than the policy; Office.js from the simulated Outlook, which alone
 * frames the pane.
 */
export function localSources(urls) {
  return { signIn: [urls.idp], graph: [urls.graph], imis: [urls.imis], officeJs: urls.outlook, frameAncestors: [urls.outlook] };
}

const join = (directives) => directives.map(([name, ...sources]) => [name, ...sources].join(" ")).join("; ");

/**
 * Every page's policy from the sources: `header` (dist/csp.txt, sent by the web server
 * for every file, the only one with frame-ancestors) and one <meta> policy per page.
 * A browser enforces the header and the page's <meta> policy both.
 */
export function policies({ signIn, graph, imis = [], officeJs, frameAncestors }) {
  const common = [["object-src", "'none'"], ["base-uri", "'none'"], ["form-action", "'none'"]];
  // The task pane: its bundle and the wasm core ('wasm-unsafe-eval' compiles it),
  // Office.js; connections to its own origin (iMIS behind it), sign-in (MSAL's token
  // endpoint and metadata) and Graph; frames for MSAL's hidden sign-in frame, which
  // returns to auth-redirect.html on this origin.
  const taskpane = [
    ["default-src", "'self'"],
    ["script-src", "'self'", officeJs, "'wasm-unsafe-eval'"],
    ["connect-src", "'self'", ...imis, ...signIn, ...graph],
    ["img-src", "'self'", "data:"],
    ["style-src", "'self'"],
    ["frame-src", "'self'", ...signIn],
    ...common,
  ];
  // The Office dialog's sign-in page: MSAL's redirect flow, then the token endpoint.
  const authDialog = [
    ["default-src", "'self'"],
    ["script-src", "'self'", officeJs],
    ["connect-src", "'self'", ...signIn],
    ["frame-src", "'none'"],
    ...common,
  ];
  // Where sign-in lands: passes MSAL's answer on to the pane, no connections at all.
  const authRedirect = [
    ["default-src", "'self'"],
    ["script-src", "'self'"],
    ["connect-src", "'none'"],
    ["frame-src", "'none'"],
    ...common,
  ];
  // The header covers every page: the union of the pages' needs (the task pane's), and
  // who may frame them: Outlook, and this origin (the pane holds MSAL's hidden frame).
  const header = [...taskpane, ["frame-ancestors", "'self'", ...frameAncestors]];
  return {
    header: join(header),
    meta: { taskpane: join(taskpane), "auth-dialog": join(authDialog), "auth-redirect": join(authRedirect) },
  };
}

/** A policy as a map: directive -> its source list. */
export function parseCsp(value) {
  const map = new Map();
  for (const part of value.split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) map.set(name.toLowerCase(), sources);
  }
  return map;
}
