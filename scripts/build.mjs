// Builds the add-in into dist/: the Rust core to wasm (cargo + wasm-bindgen), then the
// task pane with webpack. `node scripts/build.mjs` builds for a real deployment
// (ADDIN_URL: where dist/ will be served); `--local` builds the demo/test variant,
// which loads the simulated Outlook's office.js and ships a config.json naming the stand-ins.
//
// After webpack: the Content-Security-Policy header for the web server (dist/csp.txt,
// the pages carry the same policy in <meta> minus frame-ancestors), Subresource
// Integrity on the pages' script and stylesheet tags, and dist/SHA256SUMS.
// The policy's hosts (scripts/csp.mjs): the stand-ins for --local; for a real build
// AUTHORITY_HOST (default login.microsoftonline.com), GRAPH_URL (default that cloud's
// Graph, https://graph.microsoft.com), ALLOWED_AUTHORITIES' hosts, IMIS_ORIGIN (only for
// the cross-origin recipe) and FRAME_ANCESTORS (default Outlook's hosts).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import webpack from "webpack";
import makeConfig from "../webpack.config.js";
import { localSources, OFFICE_JS_URL, policies, sourcesFromEnv } from "./csp.mjs";
import { addIntegrity, writeSums } from "./integrity.mjs";
import { localAddinConfig, localDeployment, urls } from "./local.mjs";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));

const local = process.argv.includes("--local");
const run = (cmd, args) => execFileSync(cmd, args, { stdio: "inherit" });

// ALLOWED_AUTHORITIES: sign-in hosts an administrator allows besides Microsoft's, as JSON
// [{"authorityHost": "login.example.org", "graphUrl": "https://graph.microsoft.com"}].
const allowed = JSON.parse(process.env.ALLOWED_AUTHORITIES ?? "[]");
const csp = policies(local ? localSources(urls) : sourcesFromEnv(process.env, allowed));
const options = local
  ? { addinUrl: urls.pane, officeJsUrl: `${urls.outlook}/office.js`, addinConfig: localAddinConfig(), csp: csp.meta }
  : {
      addinUrl: process.env.ADDIN_URL ?? "https://localhost:3000",
      officeJsUrl: OFFICE_JS_URL,
      csp: csp.meta,
      // IMIS_PATH: where iMIS answers on the pane's own origin ("" under the iMIS site,
      // "/Asi.Scheduler_IMIS" under its virtual directory, "/imis" behind deploy/nginx).
      addinConfig: { extraClouds: allowed, imisPath: process.env.IMIS_PATH ?? "" },
    };

run("cargo", ["build", "--release", "--target", "wasm32-unknown-unknown"]);
// --remove-name-section: the function names are only for debugging, and were a fifth of
// the module (the profile's `strip` instead hides the wasm's features from wasm-bindgen).
run("wasm-bindgen", [
  "--target", "bundler", "--out-dir", "pkg", "--remove-name-section",
  "target/wasm32-unknown-unknown/release/save_to_imis.wasm",
]);

const stats = await new Promise((resolve, reject) =>
  webpack(makeConfig(options), (err, s) => (err ? reject(err) : resolve(s))),
);
console.log(stats.toString({ colors: false, modules: false, children: false, assets: true }));
if (stats.hasErrors()) process.exit(1);

writeFileSync(path.join(dist, "csp.txt"), `${csp.header}\n`);
// Preloads ahead of Office.js, which blocks the parser: the pane's own script (measured:
// otherwise fetched only once Office.js had run) and the wasm core, its largest
// download, which would otherwise wait for that script. The real loads (the deferred
// script tag; webpack's fetch: same URL, CORS mode, integrity) take the preloaded answers.
const [wasm] = readdirSync(dist).filter((n) => n.endsWith(".wasm"));
const pane = path.join(dist, "taskpane.html");
const paneHtml = readFileSync(pane, "utf8");
const [, paneScript] = /<script[^>]*\ssrc="?(taskpane\.[0-9a-f]+\.js)/.exec(paneHtml) ?? [];
if (!paneScript) throw new Error("taskpane.html: no taskpane.*.js script tag");
writeFileSync(pane, paneHtml.replace(/<(link|script)\b/i, (first) =>
  `<link rel="preload" href="${paneScript}" as="script" crossorigin="anonymous">`
  + `<link rel="preload" href="${wasm}" as="fetch" type="application/wasm" crossorigin="anonymous">${first}`));
const { pinned, skipped } = addIntegrity(dist);
const files = writeSums(dist);
console.log(`Content-Security-Policy (dist/csp.txt, for the web server):\n  ${csp.header}`);
console.log(`Subresource Integrity: ${pinned.length} tags pinned; not pinnable (another origin): ${skipped.join(", ") || "none"}`);
console.log(`dist/SHA256SUMS: ${files} files (check a server's copy with: sha256sum -c SHA256SUMS)`);
// config.json is the deployment's to edit (README: Deployment settings (config.json)), so
// it is written after the checksums: a real build ships none, the local one the demo's.
if (local) writeFileSync(path.join(dist, "config.json"), `${JSON.stringify(localDeployment(), null, 2)}\n`);
