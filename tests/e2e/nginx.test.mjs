// deploy/nginx end to end: an iMIS that refuses CORS, reached through Debian's nginx
// with the configuration rendered from deploy/nginx/save-to-imis.conf.template.
//
// The stand-ins run on their usual ports (startAll(), scripts/local.mjs); the iMIS
// stand-in has CORS turned off. nginx runs as a child process of this test, as the
// current user, on a free loopback port, with its prefix, pid, logs and temp files in a
// temp dir; it serves dist/ and proxies /imis/ to the iMIS stand-in.
//
// 1. Through nginx: the simulated Outlook opens the pane from nginx's origin
//    (?pane=<nginx>/taskpane.html), Setup's iMIS site URL is <nginx>/imis, and an email
//    is saved; the iMIS stand-in's state holds it, every attachment byte for byte.
//    Saved WITHOUT a client ID (attachments read through Outlook itself): the identity
//    stand-in accepts only the redirect URIs start.mjs registers (the pane on its own
//    port), and nginx's origin is not one of them.
// 2. Cross-origin: the pane at its own origin, Setup naming the iMIS stand-in's origin,
//    CORS off as on a stock site: signing in to iMIS fails with the pane's message, which
//    names the deployments that fix it.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, accessSync, constants } from "node:fs";
import { request } from "node:https";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { render } from "../../deploy/nginx/render.mjs";
import { control, field, fillSetup, imisUser, mailbox, saveAndWait, signInImis, startHarness } from "./harness.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DIST = join(ROOT, "dist");
const CERT = join(ROOT, ".local/certs/cert.pem");
const KEY = join(ROOT, ".local/certs/key.pem");
const DEMO_CLIENT = "4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43";

let h; // the harness: stand-ins + Chromium
let nginx; // { origin, dir, child, log() }

function findNginx() {
  const candidates = [process.env.NGINX, ...(process.env.PATH ?? "").split(delimiter).map((d) => d && join(d, "nginx")), "/usr/sbin/nginx"];
  for (const c of candidates.filter(Boolean)) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch { /* next */ }
  }
  throw new Error("nginx is not installed (Debian: apt-get install nginx-light), or set NGINX to its path");
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const cert = () => readFileSync(CERT);
function get(url) {
  return new Promise((resolve, reject) => {
    request(url, { ca: cert() }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    }).on("error", reject).end();
  });
}

/** Renders the deployment config for the iMIS stand-in and runs nginx with it. */
async function startNginx(imisUrl) {
  const bin = findNginx();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "save-to-imis-nginx-"));
  const server = render({
    imisHost: new URL(imisUrl).host, serverName: "127.0.0.1 localhost", dist: DIST, cert: CERT, key: KEY,
    listen: `127.0.0.1:${port}`,
    // Test only: the stand-in's certificate is throwaway (and an IP address).
    extra: "proxy_ssl_verify off;",
  });
  writeFileSync(join(dir, "save-to-imis.conf"), server);
  // The http context Debian's /etc/nginx/nginx.conf would give; every path in `dir`.
  // One process (master_process off), so that killing it leaves nothing behind.
  writeFileSync(join(dir, "nginx.conf"), `${process.getuid?.() === 0 ? `user ${userInfo().username};\n` : ""}master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log ${dir}/access.log;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    include ${dir}/save-to-imis.conf;
}
`);
  const child = spawn(bin, ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", join(dir, "error.log"), "-g", "daemon off;"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (c) => (output += c));
  child.stderr.on("data", (c) => (output += c));
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const log = (name) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), "utf8") : "");
  const origin = `https://127.0.0.1:${port}`;
  const started = { origin, dir, child, exited, log };
  const deadline = Date.now() + 15_000;
  for (;;) {
    const early = await Promise.race([exited, new Promise((r) => setTimeout(r, 100, null))]);
    if (early) throw new Error(`nginx exited (${early.code ?? early.signal}) at start:\n${output}\n${log("error.log")}`);
    const ok = await get(`${origin}/taskpane.html`).then((r) => r.status === 200, () => false);
    if (ok) return started;
    if (Date.now() > deadline) {
      await stopNginx(started);
      throw new Error(`nginx did not answer on ${origin} within 15 s:\n${output}\n${log("error.log")}`);
    }
  }
}

async function stopNginx(n) {
  if (!n) return;
  if (n.child.exitCode === null && n.child.signalCode === null) {
    n.child.kill("SIGTERM");
    const done = await Promise.race([n.exited, new Promise((r) => setTimeout(r, 5000, null))]);
    if (!done) {
      n.child.kill("SIGKILL");
      await n.exited;
    }
  }
  rmSync(n.dir, { recursive: true, force: true });
}

before(async () => {
  if (!existsSync(join(DIST, "taskpane.html"))) {
    throw new Error(`${join(DIST, "taskpane.html")} is missing: build the add-in first (node scripts/build.mjs --local)`);
  }
  findNginx();
  h = await startHarness();
  if (!readFileSync(join(DIST, "taskpane.html"), "utf8").includes(`${h.urls.outlook}/office.js`)) {
    throw new Error(`dist/ is not the local build (its taskpane.html does not load ${h.urls.outlook}/office.js): run node scripts/build.mjs --local`);
  }
  nginx = await startNginx(h.urls.imis);
});
// Safety net: a test run that dies still takes nginx with it.
process.on("exit", () => nginx?.child.exitCode === null && nginx.child.kill("SIGKILL"));
after(async () => {
  await stopNginx(nginx);
  nginx = null;
  await h?.close();
});
beforeEach(async () => {
  await h.reset();
  const { settings } = await control(h.urls.imis, "/settings", { cors: false });
  assert.equal(settings.cors, false);
});

/** The simulated Outlook with the pane from `paneUrl` (the Outlook stand-in's ?pane=). */
async function openPaneAt(paneUrl, { config } = {}) {
  const context = await h.browser.newContext({ ignoreHTTPSErrors: true });
  // The deployment's config.json as this host serves it (README: Deployment settings).
  if (config) await context.route("**/config.json", (route) => route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(config) }));
  const page = await context.newPage();
  page.on("dialog", (d) => d.dismiss());
  await page.goto(`${h.urls.outlook}/?${new URLSearchParams(paneUrl ? { pane: paneUrl } : {})}`);
  await page.click("#save-to-imis-button");
  const pane = page.frameLocator("#taskpane");
  await pane.locator("#email, #imis-sign-in").locator("visible=true").first().waitFor({ timeout: 30_000 });
  return { context, page, pane };
}

test("through nginx, an iMIS without CORS gets the email and every attachment byte for byte", { timeout: 180_000 }, async () => {
  const message = (await h.graphMailbox()).messages[0];
  // No Entra app for this deployment (see the header: nginx's origin is not a registered
  // redirect URI), so its config.json names none.
  const { context, page, pane } = await openPaneAt(`${nginx.origin}/taskpane.html`, { config: { defaults: { authority: `${h.urls.idp}/${mailbox.tenantId}/` } } });
  assert.ok(page.frames().some((f) => f.url().startsWith(`${nginx.origin}/taskpane.html`)), "the pane comes from nginx");

  await fillSetup(pane, {
    imisUrl: `${nginx.origin}/imis`,
  });
  await signInImis(pane);
  await saveAndWait(context, pane, { expectPopup: false });

  const state = await h.imisState();
  assert.equal(state.settings.cors, false, "iMIS still refuses CORS");
  assert.equal(state.activities.length, 1);
  const activity = state.activities[0].entity;
  assert.equal(field(activity, "DESCRIPTION"), message.subject);
  const files = state.documents.filter((d) => d.DocumentTypeId !== "FOL");
  assert.equal(files.length, message.attachments.length);
  assert.deepEqual(files.map((d) => d.sha256).sort(), message.attachments.map((a) => a.sha256).sort());
  assert.equal(await pane.locator("#summary-list li[data-status=saved]").count(), message.attachments.length);

  // Every iMIS call went through nginx's /imis/ (the stand-in saw them; nginx logged them).
  const access = nginx.log("access.log");
  assert.match(access, /"GET \/taskpane\.html /);
  assert.match(access, /"POST \/imis\/token HTTP\/[\d.]+" 200 /);
  assert.match(access, /"GET \/imis\/api\/Party\?[^"]*" 200 /);
  assert.match(access, /"POST \/imis\/api\/Activity HTTP\/[\d.]+" 201 /);
  assert.equal((access.match(/"POST \/imis\/api\/Document HTTP\/[\d.]+" 201 /g) ?? []).length, message.attachments.length + 1, "the email's folder and each attachment");
  assert.ok(state.requests.some((r) => r.method === "POST" && r.path === "/token" && r.status === 200));
  await context.close();
});

test("cross-origin, a stock iMIS site refuses the pane, which says so and names the fix", { timeout: 120_000 }, async () => {
  const { context, pane } = await openPaneAt(null); // the pane at its own origin
  // Setup names the iMIS stand-in's own origin: another origin than the pane's.
  await fillSetup(pane, { clientId: DEMO_CLIENT, authority: `${h.urls.idp}/${mailbox.tenantId}/`, imisUrl: h.urls.imis });
  await pane.locator("#imis-sign-in").waitFor({ state: "visible" });
  await pane.locator("#imis-sign-in [name=username]").fill(imisUser.username);
  await pane.locator("#imis-sign-in [name=password]").fill(imisUser.password);
  await pane.locator("#imis-sign-in-submit").click();
  const error = pane.locator("#error");
  await error.waitFor({ state: "visible", timeout: 30_000 });
  const text = (await error.textContent()).trim();
  console.log(`# the pane cross-origin: ${text}`);
  assert.match(text, /refused requests from this add-in's origin/);
  assert.match(text, /under the iMIS site, or both behind one reverse proxy/);
  assert.match(text, /README: Deployment: one origin with iMIS/);
  assert.ok(text.includes(h.urls.imis), "names the iMIS site");
  assert.doesNotMatch(text, new RegExp(imisUser.password), "no password in the message");
  assert.equal(await pane.locator("#contacts input[type=checkbox]").count(), 0, "not signed in");
  await context.close();
});
