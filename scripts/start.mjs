// `npm start`: the `yo office` convention. Sideloads manifest.xml into desktop Outlook with
// Microsoft's office-addin-debugging, where a desktop Outlook can exist (Windows, macOS):
//   1. builds dist/ for https://localhost:3000 (the URLs manifest.xml names),
//   2. installs a localhost certificate Outlook trusts (office-addin-dev-certs),
//   3. serves dist/ at https://localhost:3000 with it,
//   4. `office-addin-debugging start manifest.xml desktop --app outlook --no-debug`,
//   and on Ctrl+C `office-addin-debugging stop manifest.xml` (unregisters the add-in).
// On macOS, Microsoft's tool does not sideload into Outlook itself: the pane is served and
// the steps to add manifest.xml by hand are printed.
//
// Anywhere else (Linux, this project's machines, CI) there is no desktop Outlook: it says so,
// prints how to sideload into Outlook on the web, and exits 1, because nothing was started or
// sideloaded and a script or CI step must not take that for success. It is not the demo
// (`npm run demo` is).
//
// Both office-addin tools run through npx at a pinned version, not as devDependencies:
// office-addin-debugging 7.0.0 brings about 590 packages, among them (through
// office-addin-dev-settings and @microsoft/m365agentstoolkit-cli) the native module keytar,
// whose build needs libsecret and fails on the Linux machines where `npm ci` runs; and they
// are only ever used here, on Windows or macOS.
//
//   node scripts/start.mjs [--no-build] [--dry-run] [--platform win32|darwin|linux]
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const platformArg = args.indexOf("--platform");
const platform = platformArg >= 0 ? args[platformArg + 1] : process.platform;
const dryRun = flag("--dry-run");

export const DEBUGGING = "office-addin-debugging@7.0.0";
export const DEV_CERTS = "office-addin-dev-certs@3.0.0";
const ORIGIN = "https://localhost:3000";
const MANIFEST = "manifest.xml";

const webSteps = `To try the add-in in Outlook on the web (or new Outlook on Windows) instead:
  1. Build it for the address it will be served from:
       ADDIN_URL=https://<host>/<path> npm run build
     (the default, https://localhost:3000, is what manifest.xml names).
  2. Serve dist/ over https at that address with a certificate your browser trusts
     (README, "Deployment": best on the iMIS site's own origin).
  3. In Outlook on the web open an email, then Apps (or "Get Add-ins") > My add-ins >
     Custom Add-ins > Add a custom add-in > Add from file..., and choose dist/manifest.xml.
     (Direct link: https://aka.ms/olksideload.)
  The unified manifest, dist/manifest.json, is deployed through the Microsoft 365 admin
  center (Integrated apps) or the Teams Developer Portal as an app package, not from a file.
  To see the whole add-in work here, against local stand-ins, run: npm run demo`;

if (platform !== "win32" && platform !== "darwin") {
  console.log(`npm start sideloads the add-in into desktop Outlook, which exists only on Windows and
macOS. This machine is ${platform}: there is no desktop Outlook here, so nothing was started
or sideloaded.

${webSteps}`);
  process.exit(1);
}

const npx = platform === "win32" ? "npx.cmd" : "npx";
const plan = [
  ...(flag("--no-build") ? [] : [["node", ["scripts/build.mjs"], { ADDIN_URL: ORIGIN }]]),
  [npx, ["--yes", DEV_CERTS, "install"]],
  ["serve", ["dist/", ORIGIN]],
  [npx, ["--yes", DEBUGGING, "start", MANIFEST, "desktop", "--app", "outlook", "--no-debug"]],
];
if (dryRun) {
  for (const [cmd, a, env] of plan) {
    console.log(`${env ? Object.entries(env).map(([k, v]) => `${k}=${v} `).join("") : ""}${cmd} ${a.join(" ")}`);
  }
  process.exit(0);
}

const run = (cmd, a, env = {}) => {
  console.log(`\n> ${cmd} ${a.join(" ")}`);
  const r = spawnSync(cmd, a, { cwd: root, stdio: "inherit", env: { ...process.env, ...env }, shell: platform === "win32" });
  if (r.status !== 0) {
    console.error(`\n${cmd} ${a[0] ?? ""} failed (${r.error?.message ?? `exit ${r.status}`}).`);
    process.exit(r.status || 1);
  }
};

for (const [cmd, a, env] of plan.slice(0, plan.length - 2)) run(cmd, a, env);

// office-addin-dev-certs keeps its certificate here (its documented default folder).
const certDir = path.join(homedir(), ".office-addin-dev-certs");
const tls = { cert: readFileSync(path.join(certDir, "localhost.crt")), key: readFileSync(path.join(certDir, "localhost.key")) };
if (!existsSync(path.join(root, "dist/taskpane.html"))) {
  console.error("dist/ has no taskpane.html: run without --no-build.");
  process.exit(1);
}
const { serveStatic } = await import("./serve-static.mjs");
const server = await serveStatic({ host: "localhost", port: 3000, tls, root: path.join(root, "dist") });
console.log(`\nServing dist/ at ${server.url} (Ctrl+C stops it and unregisters the add-in).`);

const [cmd, a] = plan.at(-1);
console.log(`\n> ${cmd} ${a.join(" ")}`);
const debug = spawn(cmd, a, { cwd: root, stdio: "inherit", shell: platform === "win32" });
debug.on("exit", (code) => {
  if (code !== 0) console.error(`\n${DEBUGGING} start failed (exit ${code}); the pane is still served at ${server.url}.`);
  if (platform === "darwin") {
    console.log(`\nOutlook on Mac: Microsoft's tool does not sideload into it. In Outlook choose
Get Add-ins (or Apps) > My add-ins > Custom Add-ins > Add a custom add-in > Add from file...,
and pick ${path.join(root, MANIFEST)}.`);
  }
});

let stopping = false;
process.on("SIGINT", async () => {
  if (stopping) return;
  stopping = true;
  spawnSync(npx, ["--yes", DEBUGGING, "stop", MANIFEST], { cwd: root, stdio: "inherit", shell: platform === "win32" });
  await server.close();
  process.exit(0);
});
