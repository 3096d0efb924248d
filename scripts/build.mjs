// Builds the add-in into dist/: the Rust core to wasm (cargo + wasm-bindgen), then the
// task pane with webpack. `node scripts/build.mjs` builds for a real deployment
// (ADDIN_URL: where dist/ will be served); `--local` builds the demo/test variant,
// which loads the simulated Outlook's office.js and embeds the stand-ins as defaults.
import { execFileSync } from "node:child_process";
import webpack from "webpack";
import makeConfig from "../webpack.config.js";
import { localAddinConfig, urls } from "./local.mjs";

const local = process.argv.includes("--local");
const run = (cmd, args) => execFileSync(cmd, args, { stdio: "inherit" });

run("cargo", ["build", "--release", "--target", "wasm32-unknown-unknown"]);
run("wasm-bindgen", [
  "--target", "bundler", "--out-dir", "pkg",
  "target/wasm32-unknown-unknown/release/save_to_imis.wasm",
]);

// ALLOWED_AUTHORITIES: sign-in hosts an administrator allows besides Microsoft's, as JSON
// [{"authorityHost": "login.example.org", "graphUrl": "https://graph.microsoft.com"}].
const allowed = JSON.parse(process.env.ALLOWED_AUTHORITIES ?? "[]");
const options = local
  ? { addinUrl: urls.pane, officeJsUrl: `${urls.outlook}/office.js`, addinConfig: localAddinConfig() }
  : {
      addinUrl: process.env.ADDIN_URL ?? "https://localhost:3000",
      officeJsUrl: "https://appsforoffice.microsoft.com/lib/1/hosted/office.js",
      // IMIS_PATH: where iMIS answers on the pane's own origin ("" under the iMIS site,
      // "/Asi.Scheduler_IMIS" under its virtual directory, "/imis" behind deploy/nginx).
      addinConfig: { extraClouds: allowed, imisPath: process.env.IMIS_PATH ?? "" },
    };

const stats = await new Promise((resolve, reject) =>
  webpack(makeConfig(options), (err, s) => (err ? reject(err) : resolve(s))),
);
console.log(stats.toString({ colors: false, modules: false, children: false, assets: true }));
if (stats.hasErrors()) process.exit(1);
