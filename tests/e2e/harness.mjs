// What every end-to-end test needs: the stand-ins, a headless Chromium driven by
// playwright-core, the simulated Outlook with the pane open, and the stand-ins'
// control endpoints to seed, inject faults and read back what iMIS received.
import { chromium } from "playwright-core";
import { request } from "node:https";
import { readFileSync } from "node:fs";
import { startAll } from "../standins/start.mjs";

const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  "--ignore-certificate-errors",
];

export const mailbox = JSON.parse(readFileSync(new URL("../fixtures/mailbox.json", import.meta.url), "utf8"));
export const imisFixture = JSON.parse(readFileSync(new URL("../fixtures/imis.json", import.meta.url), "utf8"));
export const msUser = mailbox.users[0];
export const imisUser = imisFixture.users[0];

// The stand-ins' certificate is throwaway; the control calls trust it explicitly.
const cert = readFileSync(new URL("../../.local/certs/cert.pem", import.meta.url));

export function control(base, path, body) {
  return send(`${base}/_control${path}`, body === undefined ? "GET" : "POST", "application/json",
    body === undefined ? undefined : JSON.stringify(body));
}

/** An iMIS token for the fixture's staff user, straight from the stand-in's `/token`. */
export async function imisToken(base) {
  const form = new URLSearchParams({ grant_type: "password", username: imisUser.username, password: imisUser.password });
  return (await send(`${base}/token`, "POST", "application/x-www-form-urlencoded", form.toString())).access_token;
}

function send(url, method, contentType, body) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { "Content-Type": contentType }, ca: cert }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode >= 300) reject(new Error(`${method} ${url}: HTTP ${res.statusCode} ${text}`));
        else resolve(res.headers["content-type"]?.includes("json") ? JSON.parse(text) : text);
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

export async function startHarness() {
  const standins = await startAll();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
  const { urls } = standins;
  return {
    urls,
    browser,
    async reset() {
      await Promise.all([urls.idp, urls.graph, urls.imis, urls.outlook].map((u) => control(u, "/reset", {})));
    },
    imisState: () => control(urls.imis, "/state"),
    graphMailbox: () => control(urls.graph, "/mailbox"),
    graphRequests: () => control(urls.graph, "/requests"),
    async close() {
      await browser.close();
      await standins.close();
    },
  };
}

/**
 * Opens the simulated Outlook on a message, clicks the ribbon's Save to iMIS and
 * returns the page, its context and the pane's frame locator.
 */
export async function openPane(h, { message, requirements, mode, syncDelay, query: extra = {}, waitFor = "#email, #imis-sign-in" } = {}) {
  const context = await h.browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const dialogs = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });
  const query = new URLSearchParams({
    ...(message && { message }),
    ...(requirements && { requirements }),
    ...(mode && { mode }),
    ...(syncDelay && { syncDelay: String(syncDelay) }),
    ...extra,
  });
  await page.goto(`${h.urls.outlook}/?${query}`);
  await page.click("#save-to-imis-button");
  const pane = page.frameLocator("#taskpane");
  // One view at a time: the email, or the iMIS sign-in that comes before it.
  await pane.locator(waitFor).locator("visible=true").first().waitFor({ state: "visible", timeout: 30_000 });
  return { context, page, pane, dialogs };
}

/** Menu > Setup, fills the given fields, Save. */
export async function fillSetup(pane, values) {
  await pane.locator("#menu-button").click();
  await pane.locator("#menu-setup").click();
  for (const [name, value] of Object.entries(values)) {
    const input = pane.locator(`#setup [name=${name}]`);
    // Advanced fields sit in a folded section: unfold it as a user would.
    await input.evaluate((e) => { const d = e.closest("details"); if (d) d.open = true; });
    if (typeof value === "boolean") await input.setChecked(value);
    else if ((await input.evaluate((e) => e.tagName)) === "SELECT") await input.selectOption(value);
    else await input.fill(value);
  }
  await pane.locator("#setup-save").click();
}

/** Fills the pane's iMIS sign-in form and submits it. */
export async function submitImisSignIn(pane, password = imisUser.password, username = imisUser.username) {
  await pane.locator("#imis-sign-in").waitFor({ state: "visible" });
  await pane.locator("#imis-sign-in [name=username]").fill(username);
  await pane.locator("#imis-sign-in [name=password]").fill(password);
  await pane.locator("#imis-sign-in-submit").click();
}

/** Signs in to iMIS and waits for the contacts, ticking the first when none is. */
export async function signInImis(pane) {
  await submitImisSignIn(pane);
  await pane.locator("#contacts input[type=checkbox]").first().waitFor();
  // Preselected when unambiguous; otherwise the test picks the first.
  if (!(await pane.locator("#contacts input[type=checkbox]:checked").count())) await pane.locator("#contacts input[type=checkbox]").first().check();
}

/** A message for the user's mailbox, in the Graph stand-in's fixture form. */
export function messageFixture(ewsId, subject, attachments) {
  return {
    mailbox: msUser.mail,
    ewsId,
    subject,
    from: { name: "Alex Member", address: "alex.member@example.com" },
    to: [{ name: "Dana Staff", address: msUser.mail }],
    cc: [],
    sentDateTime: "2026-11-23T11:00:00Z",
    internetMessageId: `<${ewsId.replace(/[^a-z0-9]/gi, "")}@mail.example.com>`,
    bodyText: "See attached.",
    attachments: attachments.map((a, i) => ({ ewsId: `${ewsId}att${i}+/=`, kind: "file", ...a })),
  };
}

/** Clicks `button` in the pane and signs in to Microsoft in the popup that opens. */
export async function clickAndSignIn(context, pane, button) {
  const popup = context.waitForEvent("page", { timeout: 30_000 });
  await pane.locator(button).click();
  const p = await popup;
  await p.waitForSelector("#username");
  await p.fill("#username", msUser.mail);
  await p.fill("#password", msUser.password);
  await p.click("#signin");
}

/** Clicks Save to iMIS (signing in to Microsoft in the popup when one opens) and waits
 * for the summary; resolves to the milliseconds that took. */
export async function saveAndWait(context, pane, { expectPopup = true, timeout = 120_000 } = {}) {
  const started = performance.now();
  if (expectPopup) await clickAndSignIn(context, pane, "#save");
  else await pane.locator("#save").click();
  await pane.locator("#summary[data-state=done]").waitFor({ timeout });
  return performance.now() - started;
}

export const field = (entity, name) => {
  const p = entity.Properties.$values.find((x) => x.Name === name);
  const v = p?.Value;
  return v && typeof v === "object" && "$value" in v ? v.$value : v;
};
