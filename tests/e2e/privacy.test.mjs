// Privacy the browser enforces: the pane's Content-Security-Policy (scripts/csp.mjs,
// written by scripts/build.mjs, sent by scripts/serve-static.mjs) keeps every request
// to the pane's own origin (iMIS behind it), the sign-in host and the Graph host; only
// Outlook may frame it; and no Microsoft or iMIS token is left where it could leak.
//
// "Another host" is an https server this test starts on a free port (so no policy can
// name it in advance), answering anything with CORS open: without the policy the
// pane's requests to it would succeed. It counts what reaches it: nothing may.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, request } from "node:https";
import { readFileSync } from "node:fs";
import { control, fillSetup, imisUser, mailbox, msUser, saveAndWait, signInImis, startHarness } from "./harness.mjs";
import { parseCsp } from "../../scripts/csp.mjs";

const cert = readFileSync(new URL("../../.local/certs/cert.pem", import.meta.url));
const key = readFileSync(new URL("../../.local/certs/key.pem", import.meta.url));
const DEMO_CLIENT = "4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43";

let h;
let outsider; // { origin, hits: [], close() }

/** An https server on a free port that answers everything, CORS open. */
async function startOutsider(paneUrl) {
  const hits = [];
  const server = createServer({ key, cert }, (req, res) => {
    hits.push(`${req.method} ${req.url}`);
    if (req.url === "/frame") {
      // A page of another origin that tries to show the pane in a frame.
      res.writeHead(200, { "Content-Type": "text/html" }).end(`<!doctype html><title>not Outlook</title><iframe id="pane" src="${paneUrl}"></iframe>`);
      return;
    }
    res.writeHead(200, { "Access-Control-Allow-Origin": "*", "Content-Type": "text/plain" }).end("x");
  });
  server.on("upgrade", (req, socket) => {
    hits.push(`UPGRADE ${req.url}`);
    socket.destroy();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `https://127.0.0.1:${server.address().port}`;
  return { origin, hits, close: () => new Promise((r) => { server.close(r); server.closeAllConnections(); }) };
}

function head(url) {
  return new Promise((resolve, reject) => {
    request(url, { ca: cert }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers }));
    }).on("error", reject).end();
  });
}

before(async () => {
  h = await startHarness();
  outsider = await startOutsider(`${h.urls.pane}/taskpane.html`);
});
after(async () => {
  await outsider?.close();
  await h?.close();
});
beforeEach(async () => {
  await h.reset();
  outsider.hits.length = 0;
});

/**
 * The simulated Outlook with the pane open, watched from the start: every page's
 * console and errors, every request's Authorization header, and the tokens the sign-in
 * and iMIS token endpoints hand out (`secrets()`, after the answers are read).
 */
async function open({ requirements } = {}) {
  const context = await h.browser.newContext({ ignoreHTTPSErrors: true });
  const seen = { console: [], errors: [], documents: new Map() };
  const found = []; // { kind, value }
  const reading = [];
  const watch = (page) => {
    page.on("console", (m) => seen.console.push(m.text()));
    page.on("pageerror", (e) => seen.errors.push(`${e.name}: ${e.message}\n${e.stack ?? ""}`));
    page.on("dialog", (d) => {
      seen.console.push(`dialog: ${d.message()}`);
      d.dismiss();
    });
  };
  context.on("page", watch);
  context.on("request", (r) => {
    const auth = r.headers().authorization;
    if (!auth) return;
    const url = new URL(r.url());
    const kind = url.origin === h.urls.graph ? "Graph access token" : url.pathname.startsWith("/imis/") ? "iMIS access token" : `token for ${url.origin}`;
    found.push({ kind, value: auth.replace(/^Bearer\s+/i, "") });
  });
  context.on("response", (r) => {
    const url = new URL(r.url());
    if (r.request().resourceType() === "document") seen.documents.set(url.pathname, r);
    const microsoft = url.origin === h.urls.idp && url.pathname.endsWith("/oauth2/v2.0/token");
    const imis = url.origin === h.urls.pane && url.pathname === "/imis/token";
    if (r.request().method() !== "POST" || !(microsoft || imis)) return;
    reading.push(r.json().then((body) => {
      for (const field of ["access_token", "refresh_token", "id_token"]) {
        if (body?.[field]) found.push({ kind: `${microsoft ? "Microsoft" : "iMIS"} ${field}`, value: body[field] });
      }
    }, () => {}));
  });
  const page = await context.newPage();
  const query = new URLSearchParams(requirements ? { requirements } : {});
  await page.goto(`${h.urls.outlook}/?${query}`);
  await page.click("#save-to-imis-button");
  const pane = page.frameLocator("#taskpane");
  await pane.locator("#email, #imis-sign-in").locator("visible=true").first().waitFor({ timeout: 30_000 });
  const frame = () => page.frames().find((f) => f.url().startsWith(`${h.urls.pane}/taskpane.html`));
  const secrets = async () => {
    await Promise.all(reading);
    return found;
  };
  return { context, page, pane, frame, seen, secrets };
}

async function ready(pane) {
  await fillSetup(pane, { clientId: DEMO_CLIENT, authority: `${h.urls.idp}/${mailbox.tenantId}/`, imisUrl: "", emailFile: false });
  await signInImis(pane);
}

test("the pane is sent with the build's policy as a header: own origin, sign-in and Graph only; framed by Outlook only", { timeout: 60_000 }, async () => {
  const { context, frame, seen } = await open();
  const response = seen.documents.get("/taskpane.html");
  assert.ok(response, "the pane's page was loaded");
  const header = (await response.allHeaders())["content-security-policy"];
  assert.ok(header, "Content-Security-Policy header on taskpane.html");
  assert.equal(header, readFileSync(new URL("../../dist/csp.txt", import.meta.url), "utf8").trim(), "dist/csp.txt, as built");
  const policy = parseCsp(header);
  assert.deepEqual(policy.get("frame-ancestors"), ["'self'", h.urls.outlook], "framed by the simulated Outlook (and the pane itself, for MSAL's frame) only");
  assert.deepEqual(new Set(policy.get("connect-src")), new Set(["'self'", h.urls.idp, h.urls.graph, h.urls.imis]));
  assert.deepEqual(policy.get("frame-src"), ["'self'", h.urls.idp]);
  assert.deepEqual(policy.get("script-src"), ["'self'", h.urls.outlook, "'wasm-unsafe-eval'"]);
  for (const [name, sources] of policy) {
    for (const s of sources) assert.ok(!["https:", "http:", "*", "data:"].includes(s) || (name === "img-src" && s === "data:"), `${name} ${s}: no whole scheme or wildcard`);
  }
  // The page's own <meta> policy: the same, without frame-ancestors (ignored in <meta>).
  const meta = await frame().evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]').content);
  assert.equal(meta, header.replace(/; frame-ancestors [^;]*$/, ""));
  // The sign-in pages and every other file get the header too.
  for (const path of ["/auth-redirect.html", "/auth-dialog.html", "/taskpane.css", "/manifest.xml"]) {
    assert.equal((await head(`${h.urls.pane}${path}`)).headers["content-security-policy"], header, path);
  }
  await context.close();
});

test("a request from the pane to any other host is blocked by the browser; its own origin answers", { timeout: 60_000 }, async () => {
  const { context, frame, seen } = await open();
  const others = [`${outsider.origin}/x`, `${h.urls.outlook}/x`];
  const result = await frame().evaluate(async ({ others, own }) => {
    const violations = [];
    document.addEventListener("securitypolicyviolation", (e) => violations.push({ blocked: e.blockedURI, directive: e.effectiveDirective }), true);
    const outcome = {};
    const attempt = async (label, run) => {
      try {
        outcome[label] = await run();
      } catch (e) {
        outcome[label] = `rejected: ${e.name}`;
      }
    };
    for (const url of others) {
      await attempt(`fetch ${url}`, async () => `answered ${(await fetch(url)).status}`);
      await attempt(`beacon ${url}`, async () => `queued ${navigator.sendBeacon(url, "x")}`);
      await attempt(`image ${url}`, () => new Promise((resolve) => {
        const img = new Image();
        img.onload = () => resolve("loaded");
        img.onerror = () => resolve("failed");
        img.src = `${url}.png`;
      }));
      await attempt(`websocket ${url}`, () => new Promise((resolve) => {
        const ws = new WebSocket(url.replace(/^https:/, "wss:"));
        ws.onopen = () => resolve("open");
        ws.onerror = () => resolve("failed");
      }));
    }
    for (const path of own) await attempt(`fetch ${path}`, async () => `answered ${(await fetch(path)).status}`);
    await new Promise((r) => setTimeout(r, 500));
    return { outcome, violations };
  }, { others, own: ["taskpane.css", "manifest.xml", "imis/api/Party"] });

  for (const url of others) {
    assert.equal(result.outcome[`fetch ${url}`], "rejected: TypeError", `fetch ${url}`);
    assert.equal(result.outcome[`image ${url}`], "failed", `image ${url}`);
    assert.equal(result.outcome[`websocket ${url}`], "failed", `websocket ${url}`);
    const origin = new URL(url).origin;
    const directives = result.violations.filter((v) => v.blocked.startsWith(origin)).map((v) => v.directive);
    assert.ok(directives.filter((d) => d === "connect-src").length >= 3, `fetch, beacon and websocket to ${origin} reported as connect-src violations: ${JSON.stringify(result.violations)}`);
    assert.ok(directives.includes("img-src"), `the image from ${origin} reported`);
    assert.ok(seen.console.some((m) => m.includes(url) && m.includes("connect-src")), `the console says so for ${url}:\n${seen.console.join("\n")}`);
  }
  assert.deepEqual(outsider.hits, [], "nothing reached the other host");
  assert.equal(result.outcome["fetch taskpane.css"], "answered 200");
  assert.equal(result.outcome["fetch manifest.xml"], "answered 200");
  assert.equal(result.outcome["fetch imis/api/Party"], "answered 401", "iMIS on the pane's own origin answers (no token: 401)");
  assert.ok(!result.violations.some((v) => v.blocked.startsWith(h.urls.pane)), "no violation for the pane's own origin");
  await context.close();
});

test("a page that is not Outlook cannot show the pane in a frame (frame-ancestors)", { timeout: 60_000 }, async () => {
  const context = await h.browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const messages = [];
  page.on("console", (m) => messages.push(m.text()));
  await page.goto(`${outsider.origin}/frame`);
  await page.waitForTimeout(1500);
  assert.ok(messages.some((m) => m.includes(h.urls.pane) && m.includes("frame-ancestors") && /blocked|Refused/.test(m)), messages.join("\n"));
  const framed = page.frames().find((f) => f !== page.mainFrame());
  const status = await framed?.evaluate(() => document.getElementById("status")?.textContent ?? null).catch(() => null);
  assert.equal(status ?? null, null, "the pane did not run in that frame");
  await context.close();
});

test("a bundle or the wasm core changed on its way is refused by the browser (Subresource Integrity)", { timeout: 60_000 }, async () => {
  for (const [pattern, what] of [[/\/taskpane\.[0-9a-f]+\.js$/, "the pane's bundle"], [/\.module\.wasm$/, "the wasm core"], [/\/taskpane\.css$/, "the stylesheet"]]) {
    const context = await h.browser.newContext({ ignoreHTTPSErrors: true });
    const messages = [];
    let changed = 0;
    await context.route(pattern, async (route) => {
      const answer = await route.fetch();
      const body = Buffer.from(await answer.body());
      body[body.length - 1] ^= 1; // one bit, as a compromised server or proxy might change
      changed++;
      await route.fulfill({ response: answer, body });
    });
    const page = await context.newPage();
    page.on("console", (m) => messages.push(m.text()));
    await page.goto(`${h.urls.outlook}/`);
    await page.click("#save-to-imis-button");
    const pane = page.frameLocator("#taskpane");
    if (what === "the stylesheet") {
      // The pane still works, unstyled.
      await pane.locator("#email, #imis-sign-in").locator("visible=true").first().waitFor({ timeout: 30_000 });
    } else {
      await page.waitForTimeout(3000);
      assert.equal(await pane.locator("#email, #imis-sign-in").locator("visible=true").count(), 0, `${what} changed: the pane does not run`);
    }
    assert.equal(changed, 1, `${what} was served changed`);
    assert.ok(messages.some((m) => /integrity/i.test(m)), `${what}: the browser reports the integrity failure:\n${messages.join("\n")}`);
    await context.close();
  }
});

/** Where a token must never be: findings as "<kind> in <place>". */
function leaks(places, secrets) {
  const needles = secrets.flatMap(({ kind, value }) => {
    const parts = value.split(".");
    // A JWT's header is the same for every token: look for the payload and signature.
    const pieces = parts.length === 3 ? parts.slice(1) : [value];
    return [value, ...pieces, ...pieces.map((p) => p.slice(0, 20)), ...pieces.map((p) => p.slice(-20))]
      .filter((n) => n.length >= 16)
      .map((n) => ({ kind, n }));
  });
  const out = new Set();
  for (const [place, text] of Object.entries(places)) {
    for (const { kind, n } of needles) if (text.includes(n)) out.add(`${kind} in ${place}`);
    if (/eyJ[\w-]{10,}\.eyJ[\w-]{10,}/.test(text)) out.add(`a JWT in ${place}`);
    for (const pw of [msUser.password, imisUser.password]) if (text.includes(pw)) out.add(`a password in ${place}`);
  }
  return [...out];
}

/** Everything a token could leak into, read from the pane and Outlook's side. */
async function places(opened) {
  const read = await opened.frame().evaluate(() => ({
    localStorage: JSON.stringify({ ...localStorage }),
    dom: document.documentElement.outerHTML,
    errors: [...document.querySelectorAll("#error, #error-details, .field-error, .message, #status, #summary, #checks")].map((e) => e.textContent).join("\n"),
  }));
  return {
    ...read,
    "the Outlook page's localStorage": await opened.page.evaluate(() => JSON.stringify({ ...localStorage })),
    "roaming settings": JSON.stringify(await control(h.urls.outlook, "/roaming")),
    console: opened.seen.console.join("\n"),
    "page errors": opened.seen.errors.join("\n"),
  };
}

const session = (opened) => opened.frame().evaluate(() => ({ ...sessionStorage }));
const tokenKeys = (storage) => Object.keys(storage).filter((k) => /accesstoken|refreshtoken|idtoken/i.test(k));

test("token hygiene, Microsoft sign-in in a popup: no token outside MSAL's session cache, and sign-out clears it", { timeout: 180_000 }, async () => {
  const opened = await open();
  const { context, pane } = opened;
  await ready(pane);
  await saveAndWait(context, pane);
  const secrets = await opened.secrets();
  const kinds = new Set(secrets.map((s) => s.kind));
  for (const k of ["Graph access token", "iMIS access token", "Microsoft access_token", "Microsoft refresh_token", "Microsoft id_token", "iMIS access_token"]) {
    assert.ok(kinds.has(k), `captured a ${k} (${[...kinds].join(", ")})`);
  }

  // A failing save after sign-in: its error text must not carry a token either.
  await control(h.urls.imis, "/faults", [{ match: "POST /api/Activity", exact: true, status: 500, times: 20 }]);
  await pane.locator("#summary").evaluate((el) => el.removeAttribute("data-state"));
  await fillSetup(pane, { allowDuplicateEmails: true });
  await pane.locator("#save-again").waitFor({ state: "visible" });
  await pane.locator("#save-again").click();
  await pane.locator("#error:not([hidden]), #summary-notice:not([hidden]), #summary-list li[data-status=failed]").first().waitFor({ timeout: 60_000 });

  assert.deepEqual(leaks(await places(opened), await opened.secrets()), [], "no token in localStorage, roaming settings, the DOM, the console or error text");

  // MSAL's session cache holds the Microsoft tokens (the search finds them there) ...
  const before = await session(opened);
  assert.ok(tokenKeys(before).length > 0, "MSAL keeps its tokens in session storage");
  assert.ok(leaks({ sessionStorage: JSON.stringify(before) }, secrets).length > 0, "the search finds tokens where they are");
  // ... until Menu > Sign out of Microsoft.
  await pane.locator("#menu-button").click();
  await pane.locator("#menu-microsoft-sign-out").click();
  await pane.locator("#status", { hasText: "Signed out of Microsoft" }).waitFor();
  let after = await session(opened);
  assert.deepEqual(tokenKeys(after), [], "no MSAL token key left");
  const microsoft = secrets.filter((s) => !s.kind.startsWith("iMIS"));
  assert.deepEqual(leaks({ sessionStorage: JSON.stringify(after) }, microsoft), [], "no Microsoft token left in session storage");
  // The iMIS session is kept there too, for a pane reopened in this Outlook session.
  assert.ok(leaks({ sessionStorage: JSON.stringify(after) }, secrets.filter((s) => s.kind.startsWith("iMIS"))).length > 0, "the iMIS token is in session storage until iMIS sign-out");

  // Menu > Sign out of iMIS: the pane asks for the iMIS password again; nothing kept.
  await pane.locator("#menu-button").click();
  await pane.locator("#menu-imis-sign-out").click();
  await pane.locator("#imis-sign-in").waitFor({ state: "visible" });
  after = await session(opened);
  assert.deepEqual(leaks({ sessionStorage: JSON.stringify(after), ...(await places(opened)) }, secrets), []);
  await context.close();
});

test("token hygiene, nested app authentication: no token outside the pane's memory and MSAL's cache, and sign-out clears it", { timeout: 180_000 }, async () => {
  const opened = await open({ requirements: "NestedAppAuth:1.1" });
  const { context, pane } = opened;
  await ready(pane);
  const pages = context.pages().length;
  await saveAndWait(context, pane, { expectPopup: false });
  assert.equal(context.pages().length, pages, "no window opened: Outlook brokered the token");
  const secrets = await opened.secrets();
  const kinds = new Set(secrets.map((s) => s.kind));
  for (const k of ["Graph access token", "iMIS access token", "Microsoft access_token", "Microsoft id_token"]) {
    assert.ok(kinds.has(k), `captured a ${k} (${[...kinds].join(", ")})`);
  }
  const grants = (await control(h.urls.idp, "/log")).entries.filter((e) => e.grantType);
  assert.ok(grants.length > 0 && grants.every((g) => g.grantType === "broker"), JSON.stringify(grants));

  // Graph refusing every token (401): the pane retries with a fresh one, then says so.
  await control(h.urls.graph, "/faults", [{ match: "/attachments", status: 401, times: 50 }]);
  await pane.locator("#summary").evaluate((el) => el.removeAttribute("data-state"));
  await fillSetup(pane, { allowDuplicateEmails: true });
  await pane.locator("#save-again").waitFor({ state: "visible" });
  await pane.locator("#save-again").click();
  await pane.locator("#graph-choice:not([hidden]), #error:not([hidden]), #summary-notice:not([hidden])").first().waitFor({ timeout: 60_000 });

  const all = await opened.secrets();
  assert.deepEqual(leaks(await places(opened), all), [], "no token in localStorage, roaming settings, the DOM, the console or error text");
  const before = await session(opened);
  assert.ok(tokenKeys(before).length > 0 && leaks({ sessionStorage: JSON.stringify(before) }, all).length > 0, "the nested client caches in session storage too");

  await pane.locator("#menu-button").click();
  await pane.locator("#menu-microsoft-sign-out").click();
  await pane.locator("#status", { hasText: "Signed out of Microsoft" }).waitFor();
  await pane.locator("#menu-button").click();
  await pane.locator("#menu-imis-sign-out").click();
  await pane.locator("#imis-sign-in").waitFor({ state: "visible" });
  const after = await session(opened);
  assert.deepEqual(tokenKeys(after), [], "no MSAL token key left");
  assert.deepEqual(leaks({ sessionStorage: JSON.stringify(after), ...(await places(opened)) }, all), []);
  await context.close();
});
