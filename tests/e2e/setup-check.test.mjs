// Setup's Test configuration: each check an administrator does by hand, each failure
// the stand-ins can produce, and the advice the pane gives for it.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { control, fillSetup, imisUser, mailbox, msUser, openPane, saveAndWait, signInImis, startHarness } from "./harness.mjs";

let h;
before(async () => {
  h = await startHarness();
});
after(async () => h?.close());
beforeEach(async () => h.reset());

const CLIENT_ID = "4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43";
const setup = (overrides = {}) => ({
  clientId: CLIENT_ID,
  authority: `${h.urls.idp}/${mailbox.tenantId}/`,
  imisUrl: "",
  emailFile: false, // the email's own .eml: tests/e2e/save.test.mjs
  ...overrides,
});

/** Opens the pane, sets it up, signs in to iMIS and to Microsoft (one save). */
async function signedIn() {
  const opened = await openPane(h);
  await fillSetup(opened.pane, setup());
  await signInImis(opened.pane);
  await saveAndWait(opened.context, opened.pane);
  return opened;
}

/** Menu > Setup > Test configuration; signs in to Microsoft if a popup asks. Returns the checks. */
async function testConfiguration({ context, pane }) {
  const onPopup = async (p) => {
    const form = await p.waitForSelector("#username", { timeout: 10_000 }).catch(() => null);
    if (!form) return;
    await p.fill("#username", msUser.mail);
    await p.fill("#password", msUser.password);
    await p.click("#signin");
  };
  context.on("page", onPopup);
  if (!(await pane.locator("#setup").isVisible())) {
    await pane.locator("#menu-button").click();
    await pane.locator("#menu-setup").click();
  }
  await pane.locator("#checks").evaluate((el) => delete el.dataset.done);
  await pane.locator("#setup-test").click();
  const checks = pane.locator("#checks li");
  await pane.locator("#checks[data-done=true]").waitFor({ timeout: 90_000 });
  context.off("page", onPopup);
  const out = {};
  for (const li of await checks.all()) {
    out[await li.getAttribute("data-name")] = { passed: (await li.getAttribute("data-passed")) === "true", text: await li.textContent() };
  }
  return out;
}

test("a good configuration passes every check", { timeout: 120_000 }, async () => {
  const opened = await signedIn();
  const checks = await testConfiguration(opened);
  assert.deepEqual(Object.keys(checks), [
    "Microsoft sign-in", "Read this email's attachments", "Reach iMIS",
    "Activity type", "Saved-email key column", "Document folder", "Document types",
  ]);
  for (const [name, check] of Object.entries(checks)) assert.ok(check.passed, `${name}: ${check.text}`);
  assert.match(checks["Read this email's attachments"].text, /lists 3 attachment/);
  assert.match(checks["Document types"].text, /DOC, EML/);
  // The probes leave nothing behind.
  const state = await h.imisState();
  assert.equal(state.documents.filter((d) => /type-check/.test(d.Name)).length, 0);
  await opened.context.close();
});

test("the site's activity type, key column and document types are checked against iMIS", { timeout: 180_000 }, async () => {
  const opened = await signedIn();
  await fillSetup(opened.pane, setup({ activityType: "MISSING", keyColumn: "UF_9", siteProfile: '{"documentTypes": {"docx": "DOCX"}}' }));
  const checks = await testConfiguration(opened);
  assert.equal(checks["Activity type"].passed, false);
  assert.match(checks["Activity type"].text, /no activity type MISSING/);
  assert.equal(checks["Saved-email key column"].passed, false);
  assert.match(checks["Saved-email key column"].text, /no column UF_9/);
  assert.equal(checks["Document types"].passed, false);
  assert.match(checks["Document types"].text, /refused these document types: DOCX \(for \.docx/);
  assert.match(checks["Document types"].text, /map those extensions onto types the site has/);
  assert.equal((await h.imisState()).documents.filter((d) => /type-check/.test(d.Name)).length, 0);
  await opened.context.close();
});

test("each sign-in error is explained", { timeout: 240_000 }, async () => {
  const opened = await signedIn();
  for (const [code, words] of [
    ["AADSTS700016", /not known in this tenant/],
    ["AADSTS50011", /redirect URI is not registered/],
    ["AADSTS90002", /tenant in the Authority URL does not exist/],
    ["AADSTS65001", /Grant admin consent/],
  ]) {
    await control(h.urls.idp, "/faults", [{ aadsts: code, where: "token", times: 10 }]);
    const checks = await testConfiguration(opened);
    const check = checks["Microsoft sign-in"];
    assert.equal(check.passed, false, code);
    assert.match(check.text, words, `${code}: ${check.text}`);
    assert.match(check.text, new RegExp(code), "the code itself is shown");
    await control(h.urls.idp, "/faults", []);
  }
  await opened.context.close();
});

test("Graph refusing the attachment list is explained", { timeout: 120_000 }, async () => {
  const opened = await signedIn();
  await control(h.urls.graph, "/faults", [{ match: "/attachments?", status: 403, times: 5 }]);
  const checks = await testConfiguration(opened);
  assert.equal(checks["Microsoft sign-in"].passed, true);
  assert.equal(checks["Read this email's attachments"].passed, false);
  assert.match(checks["Read this email's attachments"].text, /grant Mail\.Read/);
  await opened.context.close();
});

test("iMIS: refused origin, unreachable and wrong password are told apart", { timeout: 180_000 }, async () => {
  const opened = await openPane(h);
  // Cross-origin to a stock site (no CORS): refused, and the fix named.
  await fillSetup(opened.pane, setup({ clientId: "", imisUrl: h.urls.imis }));
  let checks = await testConfiguration(opened);
  assert.match(checks["Reach iMIS"].text, /refused requests from this add-in's origin \(CORS\).*behind one reverse proxy/);
  await opened.pane.locator("#setup [name=imisUrl]").fill("");

  await opened.pane.locator("#test-username").fill(imisUser.username);
  await opened.pane.locator("#test-password").fill("not-the-password");
  checks = await testConfiguration(opened);
  assert.match(checks["Reach iMIS"].text, /refused the user name and password/);
  assert.equal(checks["Reach iMIS"].passed, false);

  await opened.pane.locator("#test-password").fill(imisUser.password);
  checks = await testConfiguration(opened);
  assert.equal(checks["Reach iMIS"].passed, true, checks["Reach iMIS"].text);

  await opened.pane.locator("#setup [name=imisUrl]").fill("https://127.0.0.1:9");
  checks = await testConfiguration(opened);
  assert.match(checks["Reach iMIS"].text, /could not be reached/);
  assert.match(checks["Microsoft sign-in"].text, /No Application \(client\) ID is set/);
  await opened.context.close();
});
