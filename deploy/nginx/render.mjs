// Fills deploy/nginx/save-to-imis.conf.template.
//
//   node deploy/nginx/render.mjs --imis-host imis.example.org --server-name addin.example.org \
//     --dist /var/www/save-to-imis --cert /etc/ssl/addin/fullchain.pem --key /etc/ssl/addin/key.pem \
//     [--listen 443] [--csp-file dist/csp.txt] [--out /etc/nginx/sites-available/save-to-imis]
//
//   import { render } from "./deploy/nginx/render.mjs";
//   render({ imisHost, serverName, dist, cert, key, listen, csp, extra }) -> the config text
//
// csp is the build's Content-Security-Policy (the line scripts/build.mjs writes to
// dist/csp.txt); by default it is read from csp.txt in `dist`.
//
// imisHost is a host name (or IP) with an optional port: never a URL, never a path; the
// proxy always speaks https to it. extra adds directives: a string goes into the /imis/
// location, or { server, imis } for each block. A directive in extra replaces the
// template's directive of the same name in that block (e.g. "proxy_ssl_verify off;" for
// a test against a throwaway certificate), so nginx never sees it twice.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

export const TEMPLATE = fileURLToPath(new URL("./save-to-imis.conf.template", import.meta.url));

const MARK = { server: "# render.mjs: extra server directives", imis: "# render.mjs: extra /imis/ directives" };
const LABEL = "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)";
const HOST_RE = new RegExp(`^(\\[[0-9A-Fa-f:.]+\\]|${LABEL}(?:\\.${LABEL})*)(?::(\\d{1,5}))?$`);

/** Throws unless `value` is a host[:port] for https://value/ ; returns it trimmed. */
export function checkImisHost(value) {
  const v = String(value ?? "").trim();
  const bad = (why) => {
    throw new Error(`imisHost ${JSON.stringify(value)} ${why}: give only the iMIS host name, with a port only if not 443 (imis.example.org, imis.example.org:8443)`);
  };
  if (!v) bad("is empty");
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(v) || /^[A-Za-z][A-Za-z0-9+.-]*:(?!\d+$)/.test(v)) bad("has a scheme (the proxy always uses https)");
  if (/[/?#\\]/.test(v)) bad("has a path (the API paths are added by the proxy)");
  if (v.includes("@")) bad("has user information");
  const m = HOST_RE.exec(v);
  if (!m) bad("is not a host name");
  if (m[2] !== undefined && !(Number(m[2]) >= 1 && Number(m[2]) <= 65535)) bad("has a port out of range");
  return v;
}

function checkPath(name, value) {
  const v = String(value ?? "");
  if (!v || !isAbsolute(v)) throw new Error(`${name} must be an absolute path, got ${JSON.stringify(value)}`);
  // Quoted in the config; nginx would read "$" as a variable in certificate paths.
  if (/["\\$\u0000-\u001f]/.test(v)) throw new Error(`${name} may not contain quotes, backslashes, "$" or control characters: ${JSON.stringify(value)}`);
  return resolve(v);
}

function checkServerName(value) {
  const v = String(value ?? "").trim();
  if (!/^[A-Za-z0-9*._~-]+(?: [A-Za-z0-9*._~-]+)*$/.test(v)) throw new Error(`serverName must be one or more host names separated by spaces, got ${JSON.stringify(value)}`);
  return v;
}

function checkListen(value) {
  const v = String(value ?? "").trim();
  const m = /^(?:(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(v);
  if (!m || !(Number(m[1]) >= 1 && Number(m[1]) <= 65535)) throw new Error(`listen must be a port or address:port (443, 127.0.0.1:8443, [::]:443), got ${JSON.stringify(value)}`);
  return v;
}

/** The policy line: one line of printable ASCII that nginx's double quotes can hold,
 * with the directives the pane relies on. */
export function checkCsp(value, where = "csp") {
  const v = String(value ?? "").trim();
  if (!v) throw new Error(`${where} is empty: build the add-in (node scripts/build.mjs writes dist/csp.txt)`);
  if (!/^[\x20-\x7e]+$/.test(v) || /["\\$]/.test(v)) {
    throw new Error(`${where}: one line of printable ASCII without quotes, backslashes or "$" expected`);
  }
  for (const d of ["default-src", "connect-src", "frame-ancestors"]) {
    if (!new RegExp(`(^|;)\\s*${d}\\s`).test(v)) throw new Error(`${where} has no ${d}: is it the build's dist/csp.txt?`);
  }
  return v;
}

function readCsp(dist) {
  const file = join(dist, "csp.txt");
  if (!existsSync(file)) throw new Error(`${file} is missing: copy the whole dist/ of a build there, or give the policy (--csp-file)`);
  return checkCsp(readFileSync(file, "utf8"), file);
}

/** Directive statements of an extra snippet, and the names they set. */
function statements(text) {
  const body = String(text ?? "").trim();
  if (!body) return { lines: [], names: new Set() };
  if (/[{}]/.test(body)) throw new Error("extra: plain directives only (no blocks)");
  const parts = body.split(";").map((s) => s.trim()).filter(Boolean);
  return { lines: parts.map((s) => `${s};`), names: new Set(parts.map((s) => s.split(/\s+/)[0])) };
}

export function render({ imisHost, serverName, dist, cert, key, listen = "443", csp, extra, template = TEMPLATE } = {}) {
  const values = {
    __IMIS_HOST__: checkImisHost(imisHost),
    __SERVER_NAME__: checkServerName(serverName),
    __LISTEN__: checkListen(listen),
    __DIST__: checkPath("dist", dist),
    __CERT__: checkPath("cert", cert),
    __KEY__: checkPath("key", key),
  };
  values.__CSP__ = csp === undefined ? readCsp(values.__DIST__) : checkCsp(csp);
  const more = typeof extra === "string" || extra === undefined ? { imis: extra } : extra;
  const add = { server: statements(more.server), imis: statements(more.imis) };

  // Walk the template's lines, knowing which block each directive is in: the server
  // block (depth 1) or the /imis/ location (depth 2). Drop directives that extra sets.
  const out = [];
  let depth = 0;
  let where = null; // "server" | "imis" | null, for the current block
  const stack = [];
  let marks = 0;
  for (const line of readFileSync(template, "utf8").split("\n")) {
    const t = line.trim();
    if (t === MARK.server || t === MARK.imis) {
      const which = t === MARK.server ? "server" : "imis";
      const indent = line.slice(0, line.indexOf("#"));
      for (const s of add[which].lines) out.push(indent + s);
      marks++;
      continue;
    }
    if (!t.startsWith("#") && where && depth === (where === "server" ? 1 : 2)) {
      const name = t.split(/\s+/)[0];
      if (add[where].names.has(name)) continue;
    }
    out.push(line);
    if (t.startsWith("#")) continue;
    // One block per line in the template: a line ending in "{" opens one, "}" closes it
    // ("types { }" and regexes such as {8,} inside a line do neither).
    if (t.endsWith("{")) {
      stack.push(where);
      depth++;
      if (depth === 1 && /^server\b/.test(t)) where = "server";
      else if (depth === 2 && where === "server" && /^location\s+(\^~\s+)?\/imis\/\s*\{$/.test(t)) where = "imis";
      else where = null;
    } else if (t === "}") {
      depth--;
      where = stack.pop() ?? null;
    }
  }
  if (marks !== 2) throw new Error(`${template}: the "render.mjs: extra" marker comments are missing`);

  let text = out.join("\n");
  for (const [placeholder, value] of Object.entries(values)) text = text.split(placeholder).join(value);
  const left = text.match(/__[A-Z_]+__/g);
  if (left) throw new Error(`placeholders left unfilled: ${[...new Set(left)].join(", ")}`);
  return text;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const usage = `usage: node deploy/nginx/render.mjs --imis-host HOST[:PORT] --server-name NAME --dist DIR
         --cert FILE --key FILE [--listen 443] [--csp-file FILE] [--out FILE]
  --imis-host    the iMIS site's host (no https://, no path), e.g. imis.example.org
  --server-name  this host's name, e.g. addin.example.org
  --dist         absolute path of the built add-in (dist/)
  --cert --key   absolute paths of this host's TLS certificate (full chain) and key
  --listen       port or address:port (default 443)
  --csp-file     the build's Content-Security-Policy (default: csp.txt in --dist)
  --out          write here instead of standard output`;
  let args;
  try {
    ({ values: args } = parseArgs({
      options: Object.fromEntries(["imis-host", "server-name", "dist", "cert", "key", "listen", "csp-file", "out"].map((o) => [o, { type: "string" }])
        .concat([["help", { type: "boolean", short: "h" }]])),
    }));
  } catch (e) {
    console.error(`${e.message}\n${usage}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(usage);
    process.exit(0);
  }
  const missing = ["imis-host", "server-name", "dist", "cert", "key"].filter((o) => !args[o]);
  if (missing.length) {
    console.error(`missing: ${missing.map((o) => `--${o}`).join(", ")}\n${usage}`);
    process.exit(2);
  }
  try {
    const text = render({
      imisHost: args["imis-host"], serverName: args["server-name"], dist: args.dist,
      cert: args.cert, key: args.key, listen: args.listen ?? "443",
      csp: args["csp-file"] ? checkCsp(readFileSync(args["csp-file"], "utf8"), args["csp-file"]) : undefined,
    });
    if (args.out) writeFileSync(args.out, text);
    else process.stdout.write(text);
  } catch (e) {
    console.error(`render.mjs: ${e.message}`);
    process.exit(1);
  }
}
