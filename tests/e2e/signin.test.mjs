// Sign-in paths with the real MSAL.js against the local identity provider: nested app
// authentication brokered by the simulated Outlook, the popup, the Office dialog when
// the popup is blocked, and signing out.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { control, fillSetup, mailbox, msUser, openPane, saveAndWait, signInImis, startHarness } from "./harness.mjs";

let h;
before(async () => {
  h = await startHarness();
});
after(async () => h?.close());
beforeEach(async () => h.reset());

const setup = {
  clientId: "4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43",
  authority: `https://127.0.0.1:3200/${mailbox.tenantId}/`,
};
const files = (state) => state.documents.filter((d) => d.DocumentTypeId !== "FOL");
const tokenGrants = async () => (await control(h.urls.idp, "/log")).entries.filter((e) => e.grantType);

async function ready(pane) {
  await fillSetup(pane, { ...setup, authority: `${h.urls.idp}/${mailbox.tenantId}/`, imisUrl: "", emailFile: false });
  await signInImis(pane);
}

test("nested app authentication: Outlook brokers the token, no window opens", { timeout: 120_000 }, async () => {
  const message = (await h.graphMailbox()).messages[0];
  const { context, pane } = await openPane(h, { requirements: "NestedAppAuth:1.1" });
  await ready(pane);
  const pages = context.pages().length;
  await saveAndWait(context, pane, { expectPopup: false });
  assert.equal(context.pages().length, pages, "no popup, no dialog");
  assert.deepEqual(files(await h.imisState()).map((d) => d.sha256).sort(), message.attachments.map((a) => a.sha256).sort());
  const grants = await tokenGrants();
  assert.ok(grants.some((g) => g.grantType === "broker" && g.redirectUri === "brk-multihub://127.0.0.1:3000"), JSON.stringify(grants));
  assert.ok(!grants.some((g) => g.grantType === "authorization_code"), "no interactive sign-in");
  await context.close();
});

test("a blocked popup falls back to the Office dialog, which returns the token", { timeout: 150_000 }, async () => {
  const message = (await h.graphMailbox()).messages[0];
  const context = await h.browser.newContext({ ignoreHTTPSErrors: true });
  // A popup blocker in the pane only: window.open there gives null, as a blocker does.
  await context.addInitScript((paneOrigin) => {
    if (window.location.origin === paneOrigin && window.location.pathname.endsWith("/taskpane.html")) window.open = () => null;
  }, h.urls.pane);
  const page = await context.newPage();
  await page.goto(`${h.urls.outlook}/`);
  await page.click("#save-to-imis-button");
  const pane = page.frameLocator("#taskpane");
  await pane.locator("#email, #imis-sign-in").locator("visible=true").first().waitFor();
  await ready(pane);
  const dialogOpened = context.waitForEvent("page", { timeout: 30_000 });
  await pane.locator("#save").click();
  const dialog = await dialogOpened;
  const visited = [dialog.url()];
  dialog.on("framenavigated", (f) => f === dialog.mainFrame() && visited.push(f.url()));
  await dialog.waitForSelector("#username");
  assert.match(dialog.url(), /oauth2\/v2\.0\/authorize/);
  await dialog.fill("#username", msUser.mail);
  await dialog.fill("#password", msUser.password);
  await dialog.click("#signin");
  await pane.locator("#summary[data-state=done]").waitFor({ timeout: 60_000 });
  assert.deepEqual(files(await h.imisState()).map((d) => d.sha256).sort(), message.attachments.map((a) => a.sha256).sort());
  assert.ok(visited.some((u) => u.startsWith(`${h.urls.pane}/auth-dialog.html`)), visited.join("\n"));
  assert.equal((await tokenGrants()).filter((g) => g.grantType === "authorization_code").length, 1);
  await context.close();
});

test("signing out of Microsoft forgets the tokens: the next save signs in again", { timeout: 150_000 }, async () => {
  const { context, pane } = await openPane(h);
  await ready(pane);
  await saveAndWait(context, pane);
  await pane.locator("#menu-button").click();
  await pane.locator("#menu-microsoft-sign-out").click();
  assert.match(await pane.locator("#status").textContent(), /Signed out of Microsoft/);
  const storage = await pane.locator("body").evaluate(() => Object.keys(sessionStorage).filter((k) => k.includes("accesstoken")).length);
  assert.equal(storage, 0, "no access token left in MSAL's session cache");
  await pane.locator("#summary").evaluate((el) => el.removeAttribute("data-state"));
  // The sign-in window opens again (Microsoft's own session may sign in without the form).
  const popup = context.waitForEvent("page");
  await pane.locator("#save").click();
  const p = await popup;
  if (await p.waitForSelector("#username", { timeout: 5_000 }).catch(() => null)) {
    await p.fill("#username", msUser.mail);
    await p.fill("#password", msUser.password);
    await p.click("#signin");
  }
  await pane.locator("#summary[data-state=done]").waitFor({ timeout: 60_000 });
  assert.equal((await tokenGrants()).filter((g) => g.grantType === "authorization_code").length, 2, "signed in twice");
  await context.close();
});

test("MSAL loads only when a save first needs a token, pinned by its hash: a changed copy is refused and said in words", { timeout: 120_000 }, async () => {
  const context = await h.browser.newContext({ ignoreHTTPSErrors: true });
  const loads = [];
  await context.route(/\/msal\.[0-9a-f]+\.js$/, async (route) => {
    loads.push(route.request().url());
    const answer = await route.fetch();
    const body = Buffer.from(await answer.body());
    body[body.length - 1] ^= 1; // one bit, as a compromised server or proxy might change
    await route.fulfill({ response: answer, body });
  });
  const page = await context.newPage();
  const messages = [];
  page.on("console", (m) => messages.push(m.text()));
  await page.goto(`${h.urls.outlook}/`);
  await page.click("#save-to-imis-button");
  const pane = page.frameLocator("#taskpane");
  await pane.locator("#email, #imis-sign-in").locator("visible=true").first().waitFor();
  await ready(pane);
  assert.deepEqual(loads, [], "nothing of MSAL is loaded before Save");
  await pane.locator("#save").click();
  const choice = pane.locator("#graph-choice");
  await choice.waitFor({ state: "visible", timeout: 30_000 });
  assert.match(await choice.textContent(), /Nothing was saved yet\. .*Microsoft sign-in could not be loaded/);
  assert.equal(loads.length, 1, "MSAL's chunk was requested once, at Save");
  assert.ok(messages.some((m) => /integrity/i.test(m)), `the browser reports the integrity failure:\n${messages.join("\n")}`);
  assert.equal(files(await h.imisState()).length, 0, "nothing was stored");
  assert.equal((await tokenGrants()).length, 0, "no token was asked for");
  await context.close();
});
