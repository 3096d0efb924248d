// The IIS deployment files (deploy/iis/) and the README links the pane's messages use.
// IIS cannot run here: each .config is checked with xmllint (well-formed) and its
// settings are read back from the XML with XPath, then judged here: MIME types, the
// Content-Security-Policy, nosniff, caching of every unhashed file, the reverse proxy's
// rewrite rule (simulated on sample URLs) and the cross-origin rules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { policies, sourcesFromEnv } from "../scripts/csp.mjs";
import { render } from "../deploy/nginx/render.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const iisDir = path.join(root, "deploy", "iis");
const rel = (file) => path.relative(root, file).split(path.sep).join("/");

/** Every file under `dir`, recursively (none when `dir` does not exist). */
function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? walk(file) : [file];
  });
}

// ---- xmllint ---------------------------------------------------------------------------

function xmllint(args) {
  const r = spawnSync("xmllint", args, { encoding: "utf8" });
  if (r.error) throw new Error(`xmllint is not installed (Debian: libxml2-utils): ${r.error.message}`);
  return r;
}

/** The result of an XPath expression that yields a string or a number. */
function xp(file, expr) {
  const r = xmllint(["--xpath", expr, file]);
  assert.equal(r.status, 0, `xmllint --xpath ${expr} ${rel(file)}: ${r.stderr}`);
  return r.stdout.trim();
}
const str = (file, expr) => xp(file, `string(${expr})`);
const count = (file, expr) => Number(xp(file, `count(${expr})`));
/** The values of one attribute over a node set, in document order. */
function attrs(file, expr, attr) {
  const n = count(file, expr);
  return Array.from({ length: n }, (_, i) => str(file, `(${expr})[${i + 1}]/@${attr}`));
}

// ---- the files -------------------------------------------------------------------------

const configs = walk(iisDir).filter((f) => f.endsWith(".config"));
const paneConfigs = configs.filter((f) => path.basename(f) === "web.config");
const corsConfigs = configs.filter((f) => rel(f).startsWith("deploy/iis/cross-origin/"));
const underImis = path.join(iisDir, "under-imis", "web.config");
const reverseProxy = path.join(iisDir, "reverse-proxy", "web.config");

test("deploy/iis has the three deployments, and nothing unclassified", () => {
  assert.ok(existsSync(underImis), "deploy/iis/under-imis/web.config");
  assert.ok(existsSync(reverseProxy), "deploy/iis/reverse-proxy/web.config");
  assert.ok(corsConfigs.length > 0, "a .config under deploy/iis/cross-origin/");
  for (const f of configs) {
    assert.ok(paneConfigs.includes(f) || corsConfigs.includes(f), `${rel(f)}: which checks apply?`);
  }
});

for (const file of configs) {
  test(`${rel(file)} is well-formed XML`, () => {
    const r = xmllint(["--noout", file]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(count(file, "/configuration"), 1, "root element <configuration>");
  });
}

// ---- the pane's files: MIME types, headers, caching ------------------------------------

/** Content-Security-Policy as a map: directive -> its source list. */
function parseCsp(value) {
  const map = new Map();
  for (const part of value.split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) map.set(name.toLowerCase(), sources);
  }
  return map;
}

/** IIS time span "d.hh:mm:ss" (or "hh:mm:ss") in days. */
function timespanDays(text) {
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$/.exec(text);
  assert.ok(m, `time span ${JSON.stringify(text)}`);
  return Number(m[1] ?? 0) + Number(m[2]) / 24 + Number(m[3]) / 1440 + Number(m[4]) / 86400;
}

/** A file name with a content hash in it (taskpane.1a2b3c4d.js, 0123abcd....module.wasm). */
const hashed = (name) => /(^|[._-])[0-9a-f]{8,}([._-]|$)/.test(path.basename(name));

/** Files dist/ gets without a hash: the pages and CSS of www/ (copied or rendered under
 * their own names), the manifest, the icons folder and the deployment's config.json. */
function unhashedDistNames() {
  const www = readdirSync(path.join(root, "www"));
  return [
    ...www.filter((n) => n.endsWith(".html") || n.endsWith(".css")),
    "manifest.xml",
    "manifest.json",
    "assets",
    "config.json",
    "csp.txt",
  ];
}

const webServer = "/configuration/system.webServer";

for (const file of paneConfigs) {
  const name = rel(file);

  test(`${name}: .wasm is application/wasm, .json application/json, each after a remove`, () => {
    for (const [ext, type] of [
      [".wasm", "application/wasm"],
      [".json", "application/json"],
    ]) {
      const map = `${webServer}/staticContent/mimeMap[@fileExtension='${ext}']`;
      assert.equal(count(file, map), 1, `one mimeMap for ${ext}`);
      assert.equal(str(file, `${map}/@mimeType`), type);
      assert.equal(
        count(file, `${map}/preceding-sibling::remove[@fileExtension='${ext}']`),
        1,
        `<remove fileExtension="${ext}"/> before its mimeMap (no clash with a server-level one)`,
      );
    }
  });

  test(`${name}: Content-Security-Policy for the pane, nosniff, no X-Frame-Options`, () => {
    const headers = `${webServer}/httpProtocol/customHeaders`;
    const csp = `${headers}/add[@name='Content-Security-Policy']`;
    assert.equal(count(file, csp), 1, "one Content-Security-Policy header for the whole folder");
    assert.equal(count(file, `${csp}/preceding-sibling::remove[@name='Content-Security-Policy']`), 1);
    const policy = parseCsp(str(file, `${csp}/@value`));

    assert.deepEqual(policy.get("default-src"), ["'self'"]);
    const script = policy.get("script-src") ?? [];
    for (const s of ["'self'", "https://appsforoffice.microsoft.com", "'wasm-unsafe-eval'"]) {
      assert.ok(script.includes(s), `script-src has ${s}`);
    }
    assert.ok(!script.includes("'unsafe-inline'") && !script.includes("'unsafe-eval'"), "no unsafe script sources");

    const connect = policy.get("connect-src") ?? [];
    assert.ok(connect.includes("'self'"), "connect-src 'self': iMIS is on the pane's origin");
    for (const s of connect) {
      assert.ok(s === "'self'" || /^https:\/\/[a-z0-9.-]+$/i.test(s), `connect-src ${s}: a named https host, no wildcard or bare scheme`);
    }
    assert.ok(connect.includes("https://login.microsoftonline.com") && connect.includes("https://graph.microsoft.com"));

    const ancestors = policy.get("frame-ancestors") ?? [];
    assert.ok(ancestors.includes("https://outlook.office.com"), "frame-ancestors names Outlook");
    assert.ok(!ancestors.includes("*") && !ancestors.includes("https:"), "frame-ancestors is no wildcard");
    assert.ok((policy.get("frame-src") ?? []).includes("https://login.microsoftonline.com"));
    assert.deepEqual(policy.get("object-src"), ["'none'"]);
    assert.deepEqual(policy.get("base-uri"), ["'none'"]);

    assert.equal(str(file, `${headers}/add[@name='X-Content-Type-Options']/@value`), "nosniff");
    assert.equal(count(file, `//customHeaders/add[@name='X-Frame-Options']`), 0, "no X-Frame-Options: Outlook frames the pane");
    assert.equal(count(file, `${headers}/remove[@name='X-Frame-Options']`), 1, "an inherited X-Frame-Options is removed");
  });

  test(`${name}: its Content-Security-Policy is a default build's dist/csp.txt`, () => {
    const value = str(file, `${webServer}/httpProtocol/customHeaders/add[@name='Content-Security-Policy']/@value`);
    assert.equal(value, policies(sourcesFromEnv({})).header, "scripts/csp.mjs for AUTHORITY_HOST, GRAPH_URL and the rest unset");
    const dist = path.join(root, "dist", "csp.txt");
    if (existsSync(dist) && !readFileSync(path.join(root, "dist", "taskpane.html"), "utf8").includes("127.0.0.1")) {
      assert.equal(readFileSync(dist, "utf8").trim(), value, "the built dist/csp.txt (a default build)");
    }
  });

  test(`${name}: hashed assets cached a year; HTML, taskpane.css and other unhashed files not`, () => {
    const cache = `${webServer}/staticContent/clientCache`;
    assert.equal(str(file, `${cache}/@cacheControlMode`), "UseMaxAge", "the folder's default: max-age");
    assert.ok(timespanDays(str(file, `${cache}/@cacheControlMaxAge`)) >= 365, "a year");

    // Each location that overrides the default, and how.
    const paths = attrs(file, "/configuration/location", "path");
    const mode = (p) =>
      str(file, `/configuration/location[@path='${p}']/system.webServer/staticContent/clientCache/@cacheControlMode`);
    const noCache = paths.filter((p) => mode(p) === "DisableCache");
    const covered = (distPath) => noCache.some((p) => distPath === p || distPath.startsWith(`${p}/`));

    const unhashed = unhashedDistNames();
    assert.ok(unhashed.includes("taskpane.html") && unhashed.includes("taskpane.css"));
    for (const n of unhashed) assert.ok(covered(n), `${n} has no hash in its name: Cache-Control no-cache`);
    for (const p of paths) assert.ok(!hashed(p), `location ${p}: a hashed name changes with every build`);
    // The folder URL itself would be served with the folder's year-long cache.
    assert.equal(str(file, `${webServer}/defaultDocument/@enabled`), "false", "no default document");

    // A built dist/, when there is one: every file either hashed or revalidated.
    const dist = path.join(root, "dist");
    for (const f of walk(dist)) {
      const p = path.relative(dist, f).split(path.sep).join("/");
      // web.config is copied in after the build; SHA256SUMS has no extension, so IIS
      // does not serve it (it is for the administrator's sha256sum -c).
      if (p === "web.config" || p === "SHA256SUMS") continue;
      assert.ok(hashed(p) || covered(p), `dist/${p}: no hash in its name, yet cached a year`);
      if (/\.(js|wasm)$/.test(p)) assert.ok(hashed(p), `dist/${p}: bundles are expected to carry a content hash`);
    }
  });
}

test("the bundles' names carry a content hash (webpack.config.js), so a year of caching is safe", () => {
  const src = readFileSync(path.join(root, "webpack.config.js"), "utf8");
  assert.match(src, /filename:\s*"\[name\]\.\[contenthash(:\d+)?\]\.js"/);
  assert.match(src, /assetModuleFilename:\s*"[^"]*\[contenthash/);
  // The wasm: webpack's default webassemblyModuleFilename "[hash].module.wasm" (module hash).
  assert.doesNotMatch(src, /webassemblyModuleFilename/);
});

test("under-imis/web.config: valid in a plain folder, static files only", () => {
  const f = underImis;
  // URL Rewrite and <modules> are not needed (and modules is invalid below an application).
  assert.equal(count(f, "//rewrite"), 0, "no URL Rewrite dependency");
  assert.equal(count(f, `${webServer}/modules`), 0, "no modules section in a folder web.config");
  assert.equal(count(f, "//cors") + count(f, "//customHeaders/add[starts-with(@name, 'Access-Control-')]"), 0, "no CORS");
  const handlers = `${webServer}/handlers`;
  assert.equal(count(f, `${handlers}/*[1][self::clear]`), 1, "inherited handlers cleared first");
  const mods = attrs(f, `${handlers}/add`, "modules");
  assert.ok(mods.length > 0, "a static file handler");
  for (const m of mods) assert.equal(m, "StaticFileModule", "only the static file handler");
  assert.equal(str(f, `/configuration/system.web/authorization/allow/@users`), "*", "readable without an iMIS login");
});

// ---- nginx: the build's policy as a header ---------------------------------------------

test("deploy/nginx: the Content-Security-Policy header is the build's dist/csp.txt", () => {
  const template = readFileSync(path.join(root, "deploy", "nginx", "save-to-imis.conf.template"), "utf8");
  assert.match(template, /^\s*add_header Content-Security-Policy "__CSP__" always;$/m, "sent from the server block, always");
  assert.doesNotMatch(template, /^\s*add_header X-Frame-Options/m, "no X-Frame-Options: Outlook frames the pane");
  const dir = mkdtempSync(path.join(tmpdir(), "save-to-imis-dist-"));
  try {
    const args = { imisHost: "imis.example.org", serverName: "addin.example.org", dist: dir, cert: "/etc/ssl/a.pem", key: "/etc/ssl/a.key" };
    assert.throws(() => render(args), /csp\.txt is missing/, "no policy, no configuration");
    const policy = policies(sourcesFromEnv({})).header;
    writeFileSync(path.join(dir, "csp.txt"), `${policy}\n`);
    const conf = render(args);
    const sent = conf.match(/^\s*add_header Content-Security-Policy "([^"]*)" always;$/m)?.[1];
    assert.equal(sent, policy, "read from dist/csp.txt");
    assert.match(sent, /frame-ancestors 'self' https:\/\/outlook\.office\.com /);
    assert.equal(render({ ...args, csp: "default-src 'self'; connect-src 'self'; frame-ancestors 'self'" }).includes("connect-src 'self'; frame-ancestors 'self'\" always;"), true, "or given");
    assert.throws(() => render({ ...args, csp: 'default-src "self"; connect-src x; frame-ancestors y' }), /without quotes/);
    assert.throws(() => render({ ...args, csp: "script-src 'self'" }), /no default-src/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- the reverse proxy: a small simulation of URL Rewrite ------------------------------

/** The inbound rules of a web.config, as plain objects. */
function rules(file) {
  const base = `${webServer}/rewrite/rules/rule`;
  return Array.from({ length: count(file, base) }, (_, i) => {
    const r = `(${base})[${i + 1}]`;
    const conds = Array.from({ length: count(file, `${r}/conditions/add`) }, (_, j) => {
      const c = `(${r}/conditions/add)[${j + 1}]`;
      return { input: str(file, `${c}/@input`), pattern: str(file, `${c}/@pattern`), negate: str(file, `${c}/@negate`) === "true" };
    });
    return {
      name: str(file, `${r}/@name`),
      match: str(file, `${r}/match/@url`),
      grouping: str(file, `${r}/conditions/@logicalGrouping`) || "MatchAll",
      conds,
      type: str(file, `${r}/action/@type`),
      url: str(file, `${r}/action/@url`),
      status: str(file, `${r}/action/@statusCode`),
      appendQueryString: str(file, `${r}/action/@appendQueryString`) !== "false",
    };
  });
}

/** The first rule that applies to a request (path without the leading slash, as URL
 * Rewrite matches it; `vars` the server variables), with its action's URL filled in. */
function route(ruleList, urlPath, vars = {}) {
  for (const rule of ruleList) {
    const m = new RegExp(rule.match, "i").exec(urlPath);
    if (!m) continue;
    let lastCond = [];
    const results = rule.conds.map((c) => {
      const input = c.input.replace(/\{([A-Z_]+)\}/g, (_, v) => vars[v] ?? "");
      const cm = new RegExp(c.pattern, "i").exec(input);
      if (cm && !c.negate) lastCond = cm;
      return c.negate ? !cm : Boolean(cm);
    });
    const ok = rule.grouping === "MatchAny" ? results.length === 0 || results.some(Boolean) : results.every(Boolean);
    if (!ok) continue;
    const url = rule.url.replace(/\{R:(\d+)\}/g, (_, n) => m[n] ?? "").replace(/\{C:(\d+)\}/g, (_, n) => lastCond[n] ?? "");
    return { ...rule, target: url };
  }
  return null;
}

test("reverse-proxy/web.config: /imis/api/... and /imis/token go to https://__IMIS_HOST__, nothing else", () => {
  const f = reverseProxy;
  const list = rules(f);
  const send = (p, query = "") => route(list, p, { UNENCODED_URL: `/${p}${query}`, REQUEST_METHOD: "GET" });

  const api = send("imis/api/Party", "?Email=eq:a%40example.org");
  assert.equal(api?.type, "Rewrite");
  assert.equal(api.target, "https://__IMIS_HOST__/api/Party");
  assert.ok(api.appendQueryString, "the query string goes along");
  assert.equal(send("imis/api/Activity/_execute")?.target, "https://__IMIS_HOST__/api/Activity/_execute");
  // Percent-encoding reaches iMIS as the browser sent it.
  const encoded = route(list, "imis/api/Party/a b", { UNENCODED_URL: "/imis/api/Party/a%20b" });
  assert.equal(encoded?.target, "https://__IMIS_HOST__/api/Party/a%20b");
  assert.equal(send("imis/token")?.target, "https://__IMIS_HOST__/token");

  for (const p of ["imis/", "imis/Default.aspx", "imis/tokens", "imis/apix/Party"]) {
    const r = send(p);
    assert.ok(r && r.type !== "Rewrite", `${p}: not passed on to iMIS`);
    assert.equal(r.status, "404");
  }
  assert.equal(send("taskpane.html"), null, "the pane's own files are not rewritten");

  for (const r of list.filter((x) => x.type === "Rewrite")) assert.match(r.url, /^https:\/\//, `${r.name}: https`);
  assert.equal(count(f, "//@*[contains(., '__IMIS_HOST__')]"), 1, "the iMIS host in exactly one place");
  // No CORS: the browser only talks to this origin.
  assert.equal(count(f, "//cors"), 0);
  assert.equal(count(f, "//customHeaders/add[starts-with(@name, 'Access-Control-')]"), 0);
  // At least the iMIS site's limit (README: 200 MiB in the largest example).
  const limit = Number(str(f, `${webServer}/security/requestFiltering/requestLimits/@maxAllowedContentLength`));
  assert.ok(limit >= 200 * 1024 * 1024, `maxAllowedContentLength ${limit}`);
});

// ---- cross-origin ----------------------------------------------------------------------

const REQUIRED_METHODS = ["GET", "POST", "PUT", "DELETE"];
const REQUIRED_HEADERS = ["authorization", "content-type"];
const explicitOrigin = (o) => /^https:\/\/[a-z0-9.-]+(:\d+)?$/i.test(o);

for (const file of corsConfigs) {
  const name = rel(file);
  test(`${name}: the preflight is answered, for explicit origins only`, () => {
    const scopes = attrs(file, "/configuration/location", "path");
    if (count(file, "//cors") > 0) {
      // The IIS CORS Module.
      const corsEls = count(file, "//cors");
      for (let i = 1; i <= corsEls; i++) {
        const c = `(//cors)[${i}]`;
        assert.equal(str(file, `${c}/@enabled`), "true");
        const origins = attrs(file, `${c}/add`, "origin");
        assert.ok(origins.length > 0);
        for (const o of origins) assert.ok(explicitOrigin(o), `origin ${o}: explicit, never *`);
        assert.ok(str(file, `${c}/@failUnlistedOrigins`) === "true" || origins.every(explicitOrigin));
        const withRules = `${c}/add[allowMethods]`;
        assert.ok(count(file, withRules) >= 1, "an origin with methods and headers");
        const methods = attrs(file, `${withRules}/allowMethods/add`, "method").map((m) => m.toUpperCase());
        for (const m of REQUIRED_METHODS) assert.ok(methods.includes(m), `method ${m}`);
        const headers = attrs(file, `${withRules}/allowHeaders/add`, "header").map((h) => h.toLowerCase());
        for (const h of REQUIRED_HEADERS) assert.ok(headers.includes(h), `header ${h}`);
        assert.notEqual(str(file, `${withRules}/@allowCredentials`), "true", "no credentials: the pane sends a bearer token");
      }
      for (const p of ["api", "token"]) {
        assert.equal(count(file, `/configuration/location[@path='${p}']/system.webServer/cors[@enabled='true']`), 1, `CORS for ${p}`);
      }
    } else {
      // Without the module: a rule answers OPTIONS, customHeaders add the headers.
      const list = rules(file);
      const preflight = {
        REQUEST_METHOD: "OPTIONS",
        HTTP_ORIGIN: "https://addin.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD: "POST",
      };
      for (const p of ["api/Party", "api/Activity", "token"]) {
        const r = route(list, p, preflight);
        assert.equal(r?.type, "CustomResponse", `OPTIONS ${p} answered before ASP.NET`);
        assert.ok(["200", "204"].includes(r.status), `status ${r.status}`);
        assert.equal(route(list, p, { ...preflight, REQUEST_METHOD: "POST" }), null, `POST ${p} reaches iMIS`);
      }
      assert.equal(route(list, "api/Party", { ...preflight, HTTP_ORIGIN: "https://evil.example" }), null, "other origins: no preflight answer");
      for (const p of ["api", "token"]) {
        assert.ok(scopes.includes(p), `headers for ${p}`);
        const h = (n) => str(file, `/configuration/location[@path='${p}']/system.webServer/httpProtocol/customHeaders/add[@name='${n}']/@value`);
        assert.ok(explicitOrigin(h("Access-Control-Allow-Origin")), `Access-Control-Allow-Origin ${h("Access-Control-Allow-Origin")}: explicit, never *`);
        const methods = h("Access-Control-Allow-Methods").split(/\s*,\s*/).map((m) => m.toUpperCase());
        for (const m of REQUIRED_METHODS) assert.ok(methods.includes(m), `${p}: method ${m}`);
        const headers = h("Access-Control-Allow-Headers").split(/\s*,\s*/).map((x) => x.toLowerCase());
        for (const x of REQUIRED_HEADERS) assert.ok(headers.includes(x), `${p}: header ${x}`);
        assert.notEqual(h("Access-Control-Allow-Credentials"), "true");
      }
    }
    // Never a wildcard origin anywhere in the file.
    assert.equal(count(file, "//@origin[. = '*'] | //customHeaders/add[@name='Access-Control-Allow-Origin'][@value='*']"), 0);
  });
}

// ---- README anchors --------------------------------------------------------------------

/** GitHub's heading anchors: lower case, spaces to '-', punctuation but '-' and '_' dropped;
 * a repeated heading gets -1, -2, ... */
function anchors(markdown) {
  const seen = new Map();
  const out = new Set();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const text = m[1].replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/<[^>]+>/g, "");
    const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

const readme = readFileSync(path.join(root, "README.md"), "utf8");
const readmeAnchors = anchors(readme);

const DEPLOYMENT_ANCHORS = [
  "deployment-one-origin-with-imis",
  "under-the-imis-site-self-hosted-imis-on-iis",
  "behind-one-reverse-proxy-imis-cloud-or-a-site-you-cannot-change",
  "cross-origin-only-if-your-imis-administrators-add-cors",
  "raising-the-size-limit",
];

test("README.md has the deployment section and its four subsections", () => {
  for (const a of DEPLOYMENT_ANCHORS) assert.ok(readmeAnchors.has(a), `README.md#${a}`);
  const section = readme.slice(readme.indexOf("## Deployment: one origin with iMIS"));
  assert.ok(section.indexOf("## Attachments") > 0, "the deployment section comes right before ## Attachments");
});

/** Sources whose text the pane shows (www/**, src/**). */
const sources = [
  ...walk(path.join(root, "www")).filter((f) => /\.(js|html)$/.test(f)),
  ...walk(path.join(root, "src")).filter((f) => f.endsWith(".rs")),
];
/** Element ids of the pane's pages: "#id" there is an in-page reference, not the README. */
const ids = new Set(
  sources.filter((f) => f.endsWith(".html")).flatMap((f) => [...readFileSync(f, "utf8").matchAll(/\bid="([^"]+)"/g)].map((m) => m[1])),
);

test("every README.md#anchor and #anchor link in www/ and src/ names a README heading", () => {
  const broken = [];
  let links = 0;
  for (const f of sources) {
    const text = readFileSync(f, "utf8");
    for (const m of text.matchAll(/README\.md#([\p{L}\p{N}_-]+)/gu)) {
      links++;
      if (!readmeAnchors.has(m[1])) broken.push(`${rel(f)}: README.md#${m[1]}`);
    }
    // A bare "#anchor" in a string or href, shaped like a heading's anchor (lower case,
    // words joined by '-'), that is no element id of the pane.
    for (const m of text.matchAll(/(?:["'`(]|href=")#([a-z0-9]+(?:-[a-z0-9_]+)+)(?=["'`)\s])/g)) {
      if (ids.has(m[1])) continue;
      if (/(querySelector(All)?|closest|matches|getElementById)\(\s*$/.test(text.slice(Math.max(0, m.index - 40), m.index))) continue;
      links++;
      if (!readmeAnchors.has(m[1])) broken.push(`${rel(f)}: #${m[1]}`);
    }
  }
  assert.deepEqual(broken, [], "links to README headings that do not exist");
  // With no links yet, the anchors the pane's messages are to use must still exist.
  if (links === 0) for (const a of DEPLOYMENT_ANCHORS) assert.ok(readmeAnchors.has(a), a);
});

test("the pane's '(README: Heading)' references name README headings", (t) => {
  const missing = [];
  for (const f of sources) {
    for (const m of readFileSync(f, "utf8").matchAll(/README: ([^)"\n]+)\)/g)) {
      const heading = m[1].trim();
      const [anchor] = anchors(`# ${heading}`);
      if (!readmeAnchors.has(anchor)) missing.push(`${rel(f)}: README: ${heading}`);
    }
  }
  assert.deepEqual(missing, [], "every README section a message names exists");
});

test("relative links in README.md and deploy/iis/README.md point at files and headings that exist", () => {
  const broken = [];
  for (const doc of [path.join(root, "README.md"), path.join(iisDir, "README.md")]) {
    const text = readFileSync(doc, "utf8");
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z]+:/i.test(target)) continue;
      const [file, anchor] = target.split("#");
      const resolved = file ? path.resolve(path.dirname(doc), file) : doc;
      if (!existsSync(resolved)) {
        broken.push(`${rel(doc)}: ${target} (no such file)`);
        continue;
      }
      if (anchor !== undefined && resolved.endsWith(".md") && !anchors(readFileSync(resolved, "utf8")).has(anchor)) {
        broken.push(`${rel(doc)}: ${target} (no such heading)`);
      }
    }
  }
  assert.deepEqual(broken, []);
});
