// The CORS check in a real browser: Node's fetch does not enforce CORS, Chromium does.
//
//   const seen = await browserCors({ base, executablePath, ignoreCertificateErrors, tls, origin, timeoutMs });
//   // -> { ran: true, allowed: "none" | "token" | "all", detail } or { ran: false, detail }
//
// A page on another https origin calls the site the way the pane would:
//   1. POST {base}/token, a form POST (a "simple" request: no preflight; readable only with
//      Access-Control-Allow-Origin). It sends grant_type=contract_cors_check: no user name, no
//      password, so the browser never holds a secret and no failed sign-in is counted against
//      an account; any readable answer (iMIS's 400 unsupported_grant_type) proves the site
//      lets that origin read /token answers.
//   2. GET {base}/api/Party?limit=1 with an Authorization header (a dummy bearer): that needs a
//      preflight, as every /api call of the pane does; any readable answer (401) proves the
//      preflight passed.
// The page: by default a tiny node:https server on a free loopback port with the local test
// certificate (tls = { key, cert }, .local/certs), opened as https://localhost:<port>/; Chromium
// trusts that one key only (--ignore-certificate-errors-spki-list), so the site's certificate is
// still checked unless ignoreCertificateErrors (the site uses the local test certificate too).
// With origin (e.g. the add-in's own https://addin.example.org), the page is served at that
// origin by Playwright itself (page.route), nothing listens there.
import https from "node:https";
import { X509Certificate, createHash } from "node:crypto";

const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const PAGE = "<!doctype html><meta charset=utf-8><title>Save to iMIS contract test: CORS</title><p>CORS check page.";

// What Chromium says on its console about a blocked request, without the advice at the end.
const reason = (text) => text.replace(/^.*?blocked by CORS policy:\s*/s, "").replace(/\s*If an opaque response.*$/s, "").trim();

export async function browserCors({ base, executablePath = process.env.CHROMIUM || "/usr/bin/chromium", ignoreCertificateErrors = false, tls, origin, timeoutMs = 30_000 } = {}) {
  let chromium;
  try {
    ({ chromium } = await import("playwright-core"));
  } catch (e) {
    return { ran: false, detail: `playwright-core is not installed here (${e.code ?? e.message}): run npm ci` };
  }
  let server = null, browser = null;
  try {
    const args = [...ARGS];
    let pageUrl;
    if (origin) {
      pageUrl = `${String(origin).replace(/\/+$/, "")}/`;
    } else {
      if (!tls?.key || !tls?.cert) return { ran: false, detail: "no certificate for the test page (.local/certs): run bash scripts/certs.sh" };
      server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
        res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
        res.end(PAGE);
      });
      await new Promise((ok, bad) => { server.once("error", bad); server.listen(0, "127.0.0.1", ok); });
      pageUrl = `https://localhost:${server.address().port}/`;
      const spki = createHash("sha256").update(new X509Certificate(tls.cert).publicKey.export({ type: "spki", format: "der" })).digest("base64");
      args.push(`--ignore-certificate-errors-spki-list=${spki}`);
    }
    if (ignoreCertificateErrors) args.push("--ignore-certificate-errors");
    try {
      browser = await chromium.launch({ executablePath, args, headless: true, timeout: timeoutMs });
    } catch (e) {
      return { ran: false, detail: `Chromium did not start (${executablePath}): ${String(e.message).split("\n")[0]}` };
    }
    const page = await (await browser.newContext()).newPage();
    const pageOrigin = new URL(pageUrl).origin;
    if (origin) await page.route(`${pageOrigin}/**`, (r) => r.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: PAGE }));
    const consoleLines = [];
    page.on("console", (m) => consoleLines.push(m.text()));
    const allowOrigin = {};
    page.on("response", (r) => {
      const value = r.headers()["access-control-allow-origin"];
      if (r.url().startsWith(base) && value) allowOrigin[new URL(r.url()).pathname] = value;
    });
    await page.goto(pageUrl, { timeout: timeoutMs });
    const seen = await page.evaluate(async ({ base, timeoutMs }) => {
      const attempt = async (url, init) => {
        try {
          const r = await fetch(url, { ...init, mode: "cors", credentials: "omit", cache: "no-store", signal: AbortSignal.timeout(timeoutMs) });
          return { status: r.status, text: (await r.text()).slice(0, 200) };
        } catch (e) {
          return { error: `${e.name}: ${e.message}` };
        }
      };
      return {
        token: await attempt(`${base}/token`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" }, body: "grant_type=contract_cors_check" }),
        api: await attempt(`${base}/api/Party?limit=1`, { headers: { Authorization: "Bearer contract-cors-check", Accept: "application/json" } }),
      };
    }, { base, timeoutMs });
    const version = browser.version();
    const why = (path) => {
      const line = consoleLines.find((l) => l.includes("CORS policy") && l.includes(path));
      return line ? reason(line) : null;
    };
    const describe = (what, path, r) => r.error
      ? `${what} -> blocked (${why(path) ?? r.error})`
      : `${what} -> readable, HTTP ${r.status}${allowOrigin[path] ? `, Access-Control-Allow-Origin ${allowOrigin[path]}` : ""}`;
    const parts = `${describe("POST /token", "/token", seen.token)}; ${describe("GET /api/Party with Authorization (preflighted)", "/api/Party", seen.api)}`;
    // Chromium's Local Network Access rule (a public page calling a private or loopback address) blocks
    // before CORS is looked at: then the page's origin, not the site, decided.
    if ([why("/token"), why("/api/Party"), ...consoleLines].some((l) => l && /address space/i.test(l) && (seen.token.error || seen.api.error))) {
      return { ran: true, allowed: "unknown", pageOrigin, detail: `inconclusive: Chromium's Local Network Access rule blocked a page on ${pageOrigin} from calling the site's private address, before CORS was looked at (${parts}); run it without IMIS_CONTRACT_ORIGIN` };
    }
    const allowed = !seen.token.error && !seen.api.error ? "all" : !seen.token.error ? "token" : !seen.api.error ? "api" : "none";
    const allowedAs = allowOrigin["/api/Party"] ?? allowOrigin["/token"] ?? pageOrigin;
    const verdict = {
      none: "the site refuses browser calls from other origins: deploy the pane on one origin with iMIS",
      all: `the site allows origin ${allowedAs === "*" ? `${pageOrigin} (Access-Control-Allow-Origin *)` : allowedAs}`,
      token: `the site lets origin ${pageOrigin} read /token but refuses /api calls with Authorization (the preflight): deploy the pane on one origin with iMIS`,
      api: `the site refuses /token to origin ${pageOrigin} but passes /api preflights: deploy the pane on one origin with iMIS`,
    }[allowed];
    return { ran: true, allowed, pageOrigin, detail: `${verdict} (a page on ${pageOrigin} in Chromium ${version}: ${parts})` };
  } catch (e) {
    return { ran: false, detail: `the browser check stopped: ${String(e.message).split("\n")[0]}` };
  } finally {
    await browser?.close().catch(() => {});
    if (server) await new Promise((ok) => { server.close(() => ok()); server.closeAllConnections(); });
  }
}
