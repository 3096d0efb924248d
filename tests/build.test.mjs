// What scripts/build.mjs adds after webpack, checked on the built dist/ (build first:
// node scripts/build.mjs --local, or a real build): Subresource Integrity on every script
// and stylesheet tag (and on the wasm the pane's bundle fetches), dist/SHA256SUMS that
// `sha256sum -c` accepts, and the Content-Security-Policy in dist/csp.txt and in each
// page's <meta>. Also the policy's computation (scripts/csp.mjs) for real builds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { localSources, OUTLOOK_FRAME_ANCESTORS, parseCsp, policies, sourcesFromEnv } from "../scripts/csp.mjs";
import { addIntegrity, writeSums } from "../scripts/integrity.mjs";
import { urls } from "../scripts/local.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");

function built() {
  assert.ok(existsSync(path.join(dist, "taskpane.html")), "dist/ is missing: build first (node scripts/build.mjs --local)");
}

function walk(dir, base = dir) {
  return readdirSync(dir).flatMap((n) => {
    const f = path.join(dir, n);
    return statSync(f).isDirectory() ? walk(f, base) : [path.relative(base, f).split(path.sep).join("/")];
  });
}

const sha384 = (bytes) => `sha384-${createHash("sha384").update(bytes).digest("base64")}`;
const pages = () => readdirSync(dist).filter((n) => n.endsWith(".html"));

/** The <script> and <link> tags of a page, each as {tag, attrs: Map}. Written apart from
 * scripts/integrity.mjs, so that the test does not take the build's word for it. */
function tags(html) {
  return [...html.matchAll(/<(script|link)\s([^>]*)>/gi)].map((m) => {
    const attrs = new Map();
    for (const a of m[2].matchAll(/([\w-]+)(?:=(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
      attrs.set(a[1].toLowerCase(), a[2] ?? a[3] ?? a[4] ?? "");
    }
    return { tag: m[1].toLowerCase(), attrs };
  });
}

const OFFICE_JS = [`${urls.outlook}/office.js`, "https://appsforoffice.microsoft.com/lib/1/hosted/office.js"];

test("every script and stylesheet tag of the built pages carries integrity matching the file's bytes", () => {
  built();
  const referenced = new Set();
  for (const page of pages()) {
    const html = readFileSync(path.join(dist, page), "utf8");
    let pinned = 0;
    for (const { tag, attrs } of tags(html)) {
      if (tag === "link" && !/\b(stylesheet|modulepreload|preload)\b/i.test(attrs.get("rel") ?? "")) continue;
      const url = tag === "script" ? attrs.get("src") : attrs.get("href");
      assert.ok(url, `${page}: a <${tag}> without a source (inline script or style is not allowed)`);
      if (/^https?:|^\/\//.test(url)) {
        // Office.js must come from Microsoft's CDN as it is now: no fixed hash exists.
        assert.ok(OFFICE_JS.includes(url), `${page}: ${url} from another origin, and it is not Office.js`);
        assert.equal(attrs.get("integrity"), undefined, `${page}: Office.js changes under its URL: no integrity`);
        continue;
      }
      const bytes = readFileSync(path.join(dist, url));
      assert.equal(attrs.get("integrity"), sha384(bytes), `${page}: ${url} integrity`);
      assert.equal(attrs.get("crossorigin"), "anonymous", `${page}: ${url} crossorigin`);
      referenced.add(url);
      pinned++;
    }
    assert.ok(pinned >= 1, `${page}: its bundle is pinned`);
  }
  assert.ok(referenced.has("taskpane.css"), "the stylesheet is pinned");
  // Every other script is a chunk webpack's runtime loads later: the bundle that loads it
  // must hold its sha384 and set it as the script's integrity, or it would run unchecked.
  const bundles = [...referenced].filter((n) => n.endsWith(".js")).map((n) => readFileSync(path.join(dist, n), "utf8"));
  for (const js of readdirSync(dist).filter((n) => n.endsWith(".js") && !referenced.has(n))) {
    const hash = sha384(readFileSync(path.join(dist, js)));
    const loader = bundles.find((code) => code.includes(`"${hash}"`));
    assert.ok(loader, `${js} is neither pinned by a tag nor by its sha384 in a bundle that loads it`);
    assert.match(loader, /\.integrity=\w+\.sriHashes\[/, `${js}: the loading bundle sets the script's integrity`);
  }
});

test("the pane preloads its script and the wasm core ahead of Office.js, pinned like the loads that use them", () => {
  built();
  const [wasm] = readdirSync(dist).filter((n) => n.endsWith(".wasm"));
  const html = readFileSync(path.join(dist, "taskpane.html"), "utf8");
  const all = tags(html);
  const preload = all.findIndex(({ tag, attrs }) => tag === "link" && attrs.get("rel") === "preload" && attrs.get("href") === wasm);
  assert.ok(preload >= 0, `taskpane.html preloads ${wasm}`);
  const { attrs } = all[preload];
  assert.equal(attrs.get("as"), "fetch");
  assert.equal(attrs.get("crossorigin"), "anonymous", "CORS mode, as webpack's fetch");
  assert.equal(attrs.get("integrity"), sha384(readFileSync(path.join(dist, wasm))), "the same integrity as webpack's fetch");
  const office = all.findIndex(({ tag, attrs: a }) => tag === "script" && OFFICE_JS.includes(a.get("src")));
  assert.ok(office > preload, "before Office.js, which blocks the parser");
  // The pane's own script too, pinned as its tag is.
  const script = all.find(({ tag, attrs: a }) => tag === "script" && /^taskpane\.[0-9a-f]+\.js$/.test(a.get("src") ?? ""));
  const early = all.findIndex(({ tag, attrs: a }) => tag === "link" && a.get("rel") === "preload" && a.get("href") === script.attrs.get("src"));
  assert.ok(early >= 0 && early < office, "the pane's script is preloaded before Office.js");
  assert.equal(all[early].attrs.get("as"), "script");
  assert.equal(all[early].attrs.get("integrity"), script.attrs.get("integrity"), "with the script tag's integrity");
});

test("the pane's bundle fetches the wasm core with its sha384 as integrity", () => {
  built();
  const wasm = readdirSync(dist).filter((n) => n.endsWith(".wasm"));
  assert.equal(wasm.length, 1, "one wasm module");
  const bundle = readdirSync(dist).find((n) => /^taskpane\..*\.js$/.test(n));
  const code = readFileSync(path.join(dist, bundle), "utf8");
  const hash = sha384(readFileSync(path.join(dist, wasm[0])));
  assert.ok(code.includes(`"${hash}"`), `${bundle} holds ${hash}`);
  assert.match(code, /fetch\([^()]*\.module\.wasm"\s*,\s*\{\s*integrity:/, "passed to fetch as integrity");
});

// What the pane loads before Save is clicked is a budget: its own script (the shell and
// the core's glue), without MSAL, which www/js/auth.js loads when a token is needed.
const FIRST_SCRIPT_GZIP_BUDGET = 25 * 1024;
const MSAL_MARK = "msal.js.browser";

test("the pane's script at first load stays within 25 KB gzip, without MSAL", () => {
  built();
  const html = readFileSync(path.join(dist, "taskpane.html"), "utf8");
  const local = tags(html).filter(({ tag, attrs }) => tag === "script" && !/^https?:|^\/\//.test(attrs.get("src")));
  assert.ok(local.length >= 1, "taskpane.html loads a script of its own");
  let gzip = 0;
  for (const { attrs } of local) {
    const bytes = readFileSync(path.join(dist, attrs.get("src")));
    gzip += gzipSync(bytes, { level: 9 }).length;
    // MSAL's own name for itself (its telemetry SKU): present only where MSAL is bundled in.
    assert.ok(!bytes.includes(MSAL_MARK), `${attrs.get("src")} holds MSAL`);
  }
  assert.ok(gzip <= FIRST_SCRIPT_GZIP_BUDGET,
    `the pane's first script is ${gzip} bytes gzip, over its budget of ${FIRST_SCRIPT_GZIP_BUDGET} (25 KB)`);
  // MSAL is still there, in the chunk loaded on demand (not a page's own bundle: the
  // sign-in dialog's holds MSAL too).
  const pageScripts = new Set(pages().flatMap((p) => tags(readFileSync(path.join(dist, p), "utf8")).map(({ attrs }) => attrs.get("src"))));
  assert.ok(readdirSync(dist).some((n) => n.endsWith(".js") && !pageScripts.has(n) && readFileSync(path.join(dist, n)).includes(MSAL_MARK)),
    "MSAL is in a chunk of its own");
});

// The pane downloads the core before it can show anything: its size is a budget. gzip as
// a host serves it (level 9); raw, as the browser compiles it. Issue 10's target is 150 KB
// gzip and 420 KB raw; this ceiling holds what was won (from 382 KB gzip to 200 KB, then
// to 182 KB: JSON read through one reader, then to 168 KB gzip / 440 KB raw: JSON written
// by hand, no float formatter, then to 150 KB / 388 KB: the crate's own JSON value and
// reader instead of serde_json, sorted Vecs instead of B-trees and hash maps) so no change
// makes it grow again unseen.
const WASM_GZIP_BUDGET = 150 * 1024;
const WASM_RAW_BUDGET = 388 * 1024;

test("the wasm core stays within its ceiling: 150 KB gzip, 388 KB raw (issue 10's target: 150 and 420)", () => {
  built();
  const [wasm] = readdirSync(dist).filter((n) => n.endsWith(".wasm"));
  assert.ok(wasm, "dist/ has no wasm module");
  const bytes = readFileSync(path.join(dist, wasm));
  const gzip = gzipSync(bytes, { level: 9 }).length;
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  const figures = `${wasm}: ${kb(gzip)} gzip (budget ${kb(WASM_GZIP_BUDGET)}), ${kb(bytes.length)} raw (budget ${kb(WASM_RAW_BUDGET)})`;
  assert.ok(gzip <= WASM_GZIP_BUDGET, `over the gzip budget: ${figures}`);
  assert.ok(bytes.length <= WASM_RAW_BUDGET, `over the raw budget: ${figures}`);
});

test("dist/SHA256SUMS lists every other file of dist/ but the deployment's config.json, sorted, and sha256sum -c accepts it", () => {
  built();
  const text = readFileSync(path.join(dist, "SHA256SUMS"), "utf8");
  assert.ok(text.endsWith("\n"));
  const lines = text.trimEnd().split("\n").map((l) => /^([0-9a-f]{64}) {2}(.+)$/.exec(l));
  assert.ok(lines.every(Boolean), "sha256sum format: <hex>, two spaces, the path");
  const listed = lines.map((m) => m[2]);
  // config.json is the administrator's to edit after the build (README: Deployment
  // settings (config.json)): a checksum of it would fail the first edit.
  const files = walk(dist).filter((p) => p !== "SHA256SUMS" && p !== "config.json");
  assert.deepEqual([...listed].sort(), [...files].sort(), "every file but SHA256SUMS itself and config.json");
  assert.deepEqual(listed, [...listed].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))), "sorted");
  for (const m of lines) assert.equal(createHash("sha256").update(readFileSync(path.join(dist, m[2]))).digest("hex"), m[1], m[2]);
  const r = spawnSync("sha256sum", ["-c", "--strict", "SHA256SUMS"], { cwd: dist, encoding: "utf8" });
  if (r.error) return; // no coreutils here: the Node check above stands
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.stdout.trim().split("\n").filter((l) => l.endsWith(": OK")).length, files.length);
});

test("dist/csp.txt is the header policy, and each page's <meta> carries its own, without frame-ancestors", () => {
  built();
  const header = readFileSync(path.join(dist, "csp.txt"), "utf8").trim();
  const policy = parseCsp(header);
  assert.ok((policy.get("frame-ancestors") ?? []).length > 0, "frame-ancestors in the header");
  for (const [name, sources] of policy) {
    for (const s of sources) {
      assert.ok(!["*", "https:", "http:", "wss:"].includes(s), `${name} ${s}: no wildcard or whole scheme`);
      if (name === "connect-src" || name === "frame-src") assert.ok(/^'(self|none)'$|^https:\/\/[a-z0-9.-]+(:\d+)?$/.test(s), `${name} ${s}: a named https host`);
    }
  }
  const metas = Object.fromEntries(pages().map((p) => {
    const m = /<meta http-equiv="?Content-Security-Policy"? content="([^"]*)"/.exec(readFileSync(path.join(dist, p), "utf8"));
    assert.ok(m, `${p}: a <meta> policy`);
    assert.doesNotMatch(m[1], /frame-ancestors/, `${p}: frame-ancestors is ignored in <meta>`);
    return [p.replace(/\.html$/, ""), m[1]];
  }));
  assert.equal(`${metas.taskpane}; frame-ancestors ${policy.get("frame-ancestors").join(" ")}`, header, "the header is the pane's policy plus frame-ancestors");
  assert.deepEqual(parseCsp(metas["auth-redirect"]).get("connect-src"), ["'none'"]);
  // The local build: exactly the stand-ins (when this test runs with the build's ports).
  if (readFileSync(path.join(dist, "taskpane.html"), "utf8").includes(`${urls.outlook}/office.js`)) {
    const expected = policies(localSources(urls));
    assert.equal(header, expected.header);
    assert.deepEqual(metas, expected.meta);
  }
});

test("a real build's policy: Microsoft's hosts by default, the build's variables otherwise", () => {
  const p = (env) => parseCsp(policies(sourcesFromEnv(env)).header);
  const def = p({});
  assert.deepEqual(def.get("connect-src"), ["'self'", "https://login.microsoftonline.com", "https://graph.microsoft.com"]);
  assert.deepEqual(def.get("frame-src"), ["'self'", "https://login.microsoftonline.com"]);
  assert.deepEqual(def.get("script-src"), ["'self'", "https://appsforoffice.microsoft.com", "'wasm-unsafe-eval'"]);
  assert.deepEqual(def.get("frame-ancestors"), ["'self'", ...OUTLOOK_FRAME_ANCESTORS]);
  assert.deepEqual(OUTLOOK_FRAME_ANCESTORS, ["https://outlook.office.com", "https://outlook.office365.com", "https://outlook.cloud.microsoft", "https://outlook.live.com", "https://*.officeapps.live.com"]);

  assert.deepEqual(p({ AUTHORITY_HOST: "login.microsoftonline.us" }).get("connect-src"), ["'self'", "https://login.microsoftonline.us", "https://graph.microsoft.us"]);
  assert.deepEqual(p({ AUTHORITY_HOST: "login.microsoftonline.us", GRAPH_URL: "https://dod-graph.microsoft.us/" }).get("connect-src"), ["'self'", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us"]);
  const extra = p({ ALLOWED_AUTHORITIES: JSON.stringify([{ authorityHost: "login.example.org:8443", graphUrl: "https://graph.example.org" }]) });
  assert.deepEqual(extra.get("connect-src"), ["'self'", "https://login.microsoftonline.com", "https://login.example.org:8443", "https://graph.microsoft.com", "https://graph.example.org"]);
  assert.deepEqual(extra.get("frame-src"), ["'self'", "https://login.microsoftonline.com", "https://login.example.org:8443"]);
  assert.ok(p({ IMIS_ORIGIN: "https://imis.example.org" }).get("connect-src").includes("https://imis.example.org"), "the cross-origin recipe");
  assert.deepEqual(p({ FRAME_ANCESTORS: "https://outlook.office365.us" }).get("frame-ancestors"), ["'self'", "https://outlook.office365.us"]);

  for (const [env, why] of [
    [{ AUTHORITY_HOST: "http://login.example.org" }, /not https/],
    [{ GRAPH_URL: "https://graph.microsoft.com/v1.0" }, /scheme, host and port only/],
    [{ IMIS_ORIGIN: "https://*.example.org" }, /wildcard/],
    [{ GRAPH_URL: "https:" }, /./],
  ]) assert.throws(() => sourcesFromEnv(env), why, JSON.stringify(env));
});

test("addIntegrity pins local scripts and stylesheets, quoted or not, and leaves other origins alone; writeSums", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "save-to-imis-sri-"));
  try {
    writeFileSync(path.join(dir, "a.1234abcd.js"), "console.log(1)");
    writeFileSync(path.join(dir, "s.css"), "p{}");
    writeFileSync(path.join(dir, "p.html"),
      `<!doctype html><link rel=stylesheet href=s.css><link rel="icon" href="i.png"><script src=https://cdn.example/office.js></script><script defer src="a.1234abcd.js" integrity="sha384-old"></script>`);
    const { pinned, skipped } = addIntegrity(dir);
    assert.deepEqual(pinned, ["p.html: s.css", "p.html: a.1234abcd.js"]);
    assert.deepEqual(skipped, ["p.html: https://cdn.example/office.js"]);
    const html = readFileSync(path.join(dir, "p.html"), "utf8");
    assert.ok(html.includes(`<link rel="stylesheet" href="s.css" integrity="${sha384("p{}")}" crossorigin="anonymous">`), html);
    assert.ok(html.includes(`<script defer src="a.1234abcd.js" integrity="${sha384("console.log(1)")}" crossorigin="anonymous">`), html);
    assert.ok(html.includes(`<link rel="icon" href="i.png"><script src=https://cdn.example/office.js>`), "untouched");
    assert.equal(writeSums(dir), 3);
    const r = spawnSync("sha256sum", ["-c", "--strict", "SHA256SUMS"], { cwd: dir, encoding: "utf8" });
    if (!r.error) assert.equal(r.status, 0, r.stdout + r.stderr);
    writeFileSync(path.join(dir, "s.css"), "p{color:red}");
    const changed = spawnSync("sha256sum", ["-c", "--quiet", "SHA256SUMS"], { cwd: dir, encoding: "utf8" });
    if (!changed.error) assert.match(changed.stdout, /s\.css: FAILED/, "a changed file is reported");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
