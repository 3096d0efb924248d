// The task pane as people meet it: set up by the deployment's config.json, one view at a
// time, the iMIS session kept for the Outlook session, the Office theme, a real menu,
// accessibility (axe-core in every view, a keyboard-only save) and a narrow pane.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { clickAndSignIn, control, fillSetup, imisFixture, imisUser, mailbox, messageFixture, msUser, openPane, saveAndWait, signInImis, startHarness, submitImisSignIn } from "./harness.mjs";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let h;
before(async () => {
  h = await startHarness();
});
after(async () => h?.close());
beforeEach(async () => h.reset());

const paneFrame = (page) => page.frames().find((f) => f.url().includes("/taskpane.html"));
const files = (state) => state.documents.filter((d) => d.DocumentTypeId !== "FOL");

/** axe-core's findings in the pane as it is now: "rule: target" lines. */
async function axe(page, what) {
  const frame = paneFrame(page);
  if (!(await frame.evaluate(() => typeof globalThis.axe === "object"))) await frame.evaluate(axeSource);
  const result = await frame.evaluate(async () => {
    const r = await globalThis.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")} (${n.failureSummary?.split("\n")[1]?.trim() ?? ""})`));
  });
  assert.deepEqual(result, [], `axe-core in the ${what} view`);
}

/** Serves `body` as the deployment's config.json beside the pane. */
async function deploymentConfig(context, body) {
  await context.route("**/config.json", (route) => route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(body) }));
}

test("a deployment's config.json fills the pane for a user with empty roaming settings; its fixed fields are read-only", { timeout: 180_000 }, async () => {
  assert.deepEqual(await control(h.urls.outlook, "/roaming"), {}, "no roaming settings to start with");
  const { context, page, pane } = await openPane(h, { waitFor: "#imis-sign-in" });
  // The simulated Outlook opened the pane already: route, then open it again as a user would.
  await deploymentConfig(context, {
    fixed: {
      clientId: "4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43",
      authority: `${h.urls.idp}/${mailbox.tenantId}/`,
      documentRoot: "$/Common",
    },
    defaults: { emailFile: false },
  });
  await page.locator("#taskpane-close").click();
  await page.click("#save-to-imis-button");
  await signInImis(pane);
  await saveAndWait(context, pane);
  const state = await h.imisState();
  const stored = files(state);
  assert.ok(stored.length > 0, "attachments stored: the client ID came from config.json");
  assert.ok(stored.every((d) => d.Path.startsWith("$/Common/") && !d.Path.startsWith("$/Common/Email/")), stored.map((d) => d.Path).join(", "));
  assert.ok(!stored.some((d) => d.Name.endsWith(".eml")), "defaults.emailFile false applies");

  await pane.locator("#menu-button").click();
  await pane.locator("#menu-setup").click();
  assert.equal(await pane.locator("#setup [name=clientId]").getAttribute("readonly"), "", "fixed: read-only");
  assert.equal(await pane.locator("#setup [name=documentRoot]").inputValue(), "$/Common");
  assert.match(await pane.locator("#setup-source").textContent(), /config\.json/);
  assert.equal(await pane.locator("#setup [name=emailFile]").isChecked(), false, "a default is shown as the value");
  assert.equal(await pane.locator("#setup [name=activityType]").inputValue(), "EMAIL", "built-in defaults are values, not placeholders");
  assert.equal(await pane.locator("#setup [name=emailFile]").isDisabled(), false, "a default stays the user's to change");
  await pane.locator("#setup-save").click();
  assert.deepEqual(Object.values((await control(h.urls.outlook, "/roaming")).setup ?? {}).filter(Boolean), [], "nothing inherited is copied into the user's settings");
  await context.close();
});

test("a broken config.json is said in words, with the detail folded, and the pane still works", { timeout: 120_000 }, async () => {
  const { context, page, pane } = await openPane(h, { waitFor: "#imis-sign-in" });
  await context.route("**/config.json", (route) => route.fulfill({ status: 200, contentType: "application/json", body: "{ not json" }));
  await page.locator("#taskpane-close").click();
  await page.click("#save-to-imis-button");
  await pane.locator("#error-box").waitFor({ state: "visible" });
  assert.match(await pane.locator("#error").textContent(), /config\.json could not be read/);
  assert.match(await pane.locator("#error-details").textContent(), /config\.json/);
  assert.equal(await pane.locator("#error-more").getAttribute("open"), null, "the detail is folded");
  await pane.locator("#imis-sign-in").waitFor({ state: "visible" });
  await context.close();
});

test("the iMIS session is kept for the Outlook session: the pane reopened needs no password, and says who is signed in", { timeout: 120_000 }, async () => {
  const { context, page, pane } = await openPane(h);
  assert.equal(await pane.locator("#email").isVisible(), false, "one view at a time: sign-in first");
  assert.equal(await pane.locator("#username").getAttribute("autocomplete"), "username");
  assert.equal(await pane.locator("#password").getAttribute("autocomplete"), "current-password");
  await signInImis(pane);
  assert.equal(await pane.locator("#imis-user").textContent(), `Signed in to iMIS as ${imisUser.username}`);
  const issued = async () => (await h.imisState()).tokens;
  const before = await issued();

  await page.locator("#taskpane-close").click();
  await page.click("#save-to-imis-button");
  await pane.locator("#contacts input[type=checkbox]").first().waitFor({ timeout: 30_000 });
  assert.equal(await pane.locator("#imis-sign-in").isVisible(), false, "no password asked");
  assert.equal(await pane.locator("#imis-user").textContent(), `Signed in to iMIS as ${imisUser.username}`);
  assert.equal(await issued(), before, "no new iMIS token");
  const frame = paneFrame(page);
  const stores = await frame.evaluate(() => ({ local: JSON.stringify({ ...localStorage }), session: Object.keys(sessionStorage) }));
  assert.ok(stores.session.includes("saveToImis.imisSession"), "kept in session storage");
  assert.doesNotMatch(stores.local, /imisSession|access_token/i, "never in localStorage");
  assert.doesNotMatch(JSON.stringify(await control(h.urls.outlook, "/roaming")), /token/i, "never in roaming settings");

  // Signing out forgets it; the user name stays for the form.
  await pane.locator("#menu-button").click();
  await pane.locator("#menu-imis-sign-out").click();
  await pane.locator("#imis-sign-in").waitFor({ state: "visible" });
  assert.equal(await pane.locator("#username").inputValue(), imisUser.username, "the user name is remembered");
  assert.equal(await frame.evaluate(() => sessionStorage.getItem("saveToImis.imisSession")), null);
  await context.close();
});

test("the menu is a real menu: arrows move, Escape and an outside click close it", { timeout: 60_000 }, async () => {
  const { context, pane } = await openPane(h);
  const button = pane.locator("#menu-button");
  await button.focus();
  await button.press("ArrowDown");
  assert.equal(await button.getAttribute("aria-expanded"), "true");
  assert.equal(await pane.locator("#menu-setup").evaluate((e) => e === document.activeElement), true, "focus on the first item");
  await pane.locator("#menu-setup").press("ArrowDown");
  assert.equal(await pane.locator("#menu-imis-sign-out").evaluate((e) => e === document.activeElement), true);
  await pane.locator("#menu-imis-sign-out").press("Escape");
  assert.equal(await pane.locator("#menu-list").isVisible(), false);
  assert.equal(await button.evaluate((e) => e === document.activeElement), true, "focus back on the button");
  await button.click();
  assert.equal(await pane.locator("#menu-list").isVisible(), true);
  await pane.locator("h1").click();
  assert.equal(await pane.locator("#menu-list").isVisible(), false, "an outside click closes it");
  await context.close();
});

test("the Office theme: dark from Office.context.officeTheme, and OfficeThemeChanged switches it", { timeout: 60_000 }, async () => {
  const { context, page, pane } = await openPane(h, { requirements: "Mailbox:1.15", query: { theme: "dark" } });
  const theme = () => pane.locator("html").getAttribute("data-theme");
  assert.equal(await theme(), "dark");
  const background = () => pane.locator("body").evaluate((b) => getComputedStyle(b).backgroundColor);
  assert.equal(await background(), "rgb(41, 41, 41)", "Office's body colour");
  await page.evaluate(() => window.outlookSim.setTheme("light"));
  await pane.locator("html[data-theme=light]").waitFor({ state: "attached" });
  assert.equal(await background(), "rgb(255, 255, 255)");
  await context.close();
});

test("axe-core finds nothing in any view: sign-in, choose, saving, done, Setup with errors, several emails, none selected, dark", { timeout: 240_000 }, async () => {
  const message = (await h.graphMailbox()).messages[0];
  const { context, page, pane } = await openPane(h, { message: message.ewsId });
  await axe(page, "iMIS sign-in");
  await submitImisSignIn(pane, "wrong password");
  await pane.locator("#error-box").waitFor({ state: "visible" });
  await axe(page, "iMIS sign-in with an error");
  await signInImis(pane);
  await axe(page, "choose");
  // Slow iMIS down so the saving view can be looked at.
  await control(h.urls.imis, "/faults", [{ match: "POST /api/Document", delayMs: 1500, times: 20 }]);
  await clickAndSignIn(context, pane, "#save");
  await pane.locator("body[data-view=saving]").waitFor({ state: "attached" });
  await axe(page, "saving");
  await pane.locator("#summary[data-state=done]").waitFor({ timeout: 90_000 });
  await axe(page, "done");
  await pane.locator("#summary-details summary").click();
  await axe(page, "done, details unfolded");
  await pane.locator("#menu-button").click();
  await axe(page, "menu open");
  await pane.locator("#menu-setup").click();
  await pane.locator("#setup [name=clientId]").fill("not-a-guid");
  await pane.locator("#setup-save").click();
  await pane.locator("#setup [name=clientId][aria-invalid=true]").waitFor({ state: "attached" });
  assert.equal(await pane.locator("#setup [name=clientId]").evaluate((e) => e === document.activeElement), true, "focus on the first wrong field");
  assert.match(await pane.locator("#setup [name=clientId]").getAttribute("aria-describedby"), /e-clientId/);
  await axe(page, "Setup with a wrong field");
  await context.close();

  const dark = await openPane(h, { requirements: "Mailbox:1.15", query: { theme: "dark" } });
  await signInImis(dark.pane);
  await axe(dark.page, "choose, dark theme");
  await dark.context.close();

  const ids = (await h.graphMailbox()).messages.filter((m) => m.mailbox === msUser.mail).slice(0, 2).map((m) => m.ewsId);
  const several = await openPane(h, { requirements: "Mailbox:1.15", query: { select: ids.join(","), permission: "ReadWriteMailbox" }, waitFor: "#imis-sign-in" });
  await submitImisSignIn(several.pane);
  await several.pane.locator("#emails").waitFor({ state: "visible" });
  await axe(several.page, "several emails");
  await several.context.close();

  const none = await openPane(h);
  await none.page.evaluate(() => window.outlookSim.select(null));
  await none.pane.locator("#status", { hasText: "Select an email" }).waitFor();
  await axe(none.page, "no email selected");
  await none.context.close();
});

test("keyboard only: Setup, iMIS sign-in and Save, with focus moving into each new view", { timeout: 180_000 }, async () => {
  const message = (await h.graphMailbox()).messages[0];
  const { context, page, pane } = await openPane(h, { message: message.ewsId });
  const frame = paneFrame(page);
  const focused = () => frame.evaluate(() => document.activeElement?.id || document.activeElement?.name || document.activeElement?.tagName);
  const key = (k) => page.keyboard.press(k);
  /** Tabs until the element with `id` has focus (or fails after `max` presses). */
  async function tabTo(id, max = 60) {
    for (let i = 0; i < max; i++) {
      if ((await focused()) === id) return;
      await key("Tab");
    }
    assert.fail(`Tab never reached #${id} (at ${await focused()})`);
  }
  assert.equal(await focused(), "username", "focus starts in the sign-in view");

  // Setup from the menu: Shift+Tab back to the menu button, Enter, Enter on Setup.
  await tabTo("menu-button");
  await key("Enter");
  assert.equal(await focused(), "menu-setup");
  await key("Enter");
  assert.equal(await focused(), "setup-title", "focus moves into Setup");
  await tabTo("f-documentRoot");
  await page.keyboard.press("Control+A");
  await page.keyboard.type("$/Common");
  await tabTo("setup-save");
  await key("Enter");

  // Back in the sign-in view: type, Enter.
  await pane.locator("#imis-sign-in").waitFor({ state: "visible" });
  await tabTo("username");
  await page.keyboard.type(imisUser.username);
  await key("Tab");
  await page.keyboard.type(imisUser.password);
  await key("Enter");
  await pane.locator("#contacts input[type=checkbox]:checked").first().waitFor();
  assert.equal(await focused(), "email-subject", "focus moves into the email view");

  // Save: Tab to the button, Enter; the Microsoft sign-in window by keyboard too.
  await tabTo("save");
  const popup = context.waitForEvent("page");
  await key("Enter");
  const p = await popup;
  await p.waitForSelector("#username");
  // The identity provider's own page: Tab from the top of the window to its first field.
  while (!(await p.evaluate(() => document.activeElement?.id === "username"))) await p.keyboard.press("Tab");
  await p.keyboard.type(msUser.mail);
  await p.keyboard.press("Tab");
  await p.keyboard.type(msUser.password);
  await p.keyboard.press("Enter");
  await pane.locator("#summary[data-state=done], #error-box:not([hidden])").first().waitFor({ timeout: 90_000 });
  assert.equal(await pane.locator("#error-box").isVisible(), false, await pane.locator("#error-box").textContent());
  assert.equal(await focused(), "summary", "focus on the result");
  const stored = files(await h.imisState());
  assert.ok(stored.length >= message.attachments.length, `${stored.length} files stored`);
  assert.ok(stored.every((d) => d.Path.startsWith("$/Common/") && !d.Path.startsWith("$/Common/Email/")), "the Setup typed by keyboard applied");
  await context.close();
});

test("a 320 px pane and 200 % zoom scroll only vertically, in every view", { timeout: 120_000 }, async () => {
  for (const [width, zoom] of [[320, 1], [640, 2]]) {
    const { context, page, pane } = await openPane(h);
    await page.evaluate((w) => { document.querySelector("#taskpane-container").style.width = `${w}px`; }, width);
    const frame = paneFrame(page);
    // 200 % zoom of a 640 px pane lays out as 320 CSS px, as the browser's zoom does.
    if (zoom !== 1) await frame.evaluate((z) => { document.documentElement.style.zoom = String(z); }, zoom);
    const overflow = () => frame.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(await overflow(), 0, `sign-in at ${width} px × ${zoom}`);
    await signInImis(pane);
    assert.equal(await overflow(), 0, `choose at ${width} px × ${zoom}`);
    await pane.locator("#menu-button").click();
    await pane.locator("#menu-setup").click();
    await pane.locator("#setup-advanced summary").click();
    assert.equal(await overflow(), 0, `Setup at ${width} px × ${zoom}`);
    await context.close();
  }
});

test("Setup applies at once to the email already open: ticking inline images ticks the open email's", { timeout: 120_000 }, async () => {
  const fixture = messageFixture("AAMkPaneInline+1/msg=", "Inline logo", [
    { name: "logo.png", contentType: "image/png", file: "files/meeting-photo.png", isInline: true, contentId: "logo@01" },
  ]);
  await control(h.urls.graph, "/messages", fixture);
  const { context, pane } = await openPane(h, { message: fixture.ewsId });
  await signInImis(pane);
  assert.equal(await pane.locator("#inline-attachments input").first().isChecked(), false);
  await fillSetup(pane, { includeInline: true });
  await pane.locator("#email").waitFor({ state: "visible" });
  assert.equal(await pane.locator("#inline-attachments input").first().isChecked(), true, "no reopening needed");
  await context.close();
});

test("an administrator's change for everyone, made in one user's pane, is in effect in a second user's pane; staff cannot make it", { timeout: 240_000 }, async () => {
  // An iMIS administrator made the settings folder in the Document System with
  // "Administrators Full Control" (README: Organisation-wide settings).
  await control(h.urls.imis, "/folder", { path: "$/Common/SaveToImis" });
  const admin = imisFixture.users.find((u) => u.username === "admin");
  const a = await openPane(h);
  await submitImisSignIn(a.pane, admin.password, admin.username);
  await a.pane.locator("#contacts input[type=checkbox]").first().waitFor();
  await a.pane.locator("#menu-button").click();
  await a.pane.locator("#menu-setup").click();
  assert.match(await a.pane.locator("#org-status").textContent(), /No settings for everyone yet/);
  await a.pane.locator("#setup-org-edit").click();
  await a.pane.locator("#setup [name=documentRoot]").fill("$/Common");
  await a.pane.locator("#setup [name=emailFile]").setChecked(false);
  await a.pane.locator("#setup-save").click();
  await a.pane.locator("#email").waitFor({ state: "visible" });
  assert.equal(await a.pane.locator("#error-box").isVisible(), false, await a.pane.locator("#error").textContent());
  await a.context.close();

  // A second user, another Outlook: the change is in effect, read-only in Setup.
  const b = await openPane(h);
  await signInImis(b.pane);
  assert.equal(await b.pane.locator("#attachments li[data-id=email-file]").count(), 0, "no .eml row: the organisation turned it off");
  await saveAndWait(b.context, b.pane);
  const all = files(await h.imisState());
  assert.equal(all.filter((d) => d.Path === "$/Common/SaveToImis/save-to-imis-settings.txt").length, 1, "one settings document");
  const stored = all.filter((d) => !d.Path.startsWith("$/Common/SaveToImis/"));
  assert.ok(stored.length > 0 && stored.every((d) => d.Path.startsWith("$/Common/") && !d.Path.startsWith("$/Common/Email/")), stored.map((d) => d.Path).join(", "));
  assert.ok(!stored.some((d) => d.Name.endsWith(".eml")));
  await b.pane.locator("#menu-button").click();
  await b.pane.locator("#menu-setup").click();
  assert.equal(await b.pane.locator("#setup [name=documentRoot]").getAttribute("readonly"), "", "set for everyone: read-only");
  assert.match(await b.pane.locator("#setup [name=documentRoot]").getAttribute("title"), /iMIS administrator/);
  assert.match(await b.pane.locator("#org-status").textContent(), /apply to everyone/);
  assert.equal(await b.pane.locator("#setup [name=graphConcurrency]").getAttribute("readonly"), null, "the user's own fields stay theirs");

  // Staff trying to change it for everyone: iMIS refuses, the pane says who can.
  await b.pane.locator("#setup-org-edit").click();
  await b.pane.locator("#setup [name=activityType]").fill("MEETING");
  await b.pane.locator("#setup-save").click();
  await b.pane.locator("#error-box").waitFor({ state: "visible" });
  assert.match(await b.pane.locator("#error").textContent(), /Only an iMIS administrator can change the settings for everyone/);
  await b.context.close();
});

test("Cancel mid-save: nothing new starts, nothing is half-written, the card lists what was stored, and saving again adds only the rest", { timeout: 240_000 }, async () => {
  const message = (await h.graphMailbox()).messages[0];
  const { context, pane } = await openPane(h, { message: message.ewsId });
  await fillSetup(pane, { emailFile: false, graphConcurrency: "1" });
  await signInImis(pane);
  // Every document upload takes 2 s: time to press Cancel after the first.
  await control(h.urls.imis, "/faults", [{ match: "POST /api/Document", exact: true, delayMs: 2000, times: 50 }]);
  await clickAndSignIn(context, pane, "#save");
  await pane.locator("#attachments li[data-state=saved]").first().waitFor({ timeout: 60_000 });
  assert.equal(await pane.locator("#contacts input").first().isDisabled(), true, "choices are locked while saving");
  assert.match(await pane.locator("#progress-line").textContent(), /^\d+ of 3 files · /);
  await pane.locator("#cancel").click();
  await pane.locator("#summary[data-state=done]").waitFor({ timeout: 60_000 });
  const state = await h.imisState();
  const stored = files(state);
  const statuses = await pane.locator("#summary-list li").evaluateAll((lis) => lis.map((li) => li.dataset.status));
  const saved = statuses.filter((s) => s === "saved").length;
  assert.ok(saved >= 1 && saved < 3 && statuses.includes("cancelled"), statuses.join());
  assert.equal(stored.length, saved, "iMIS holds exactly the files the card lists as stored");
  for (const d of stored) assert.ok(message.attachments.some((a) => a.sha256 === d.sha256), `${d.Name} stored whole`);
  assert.match(await pane.locator("#summary-line").textContent(), new RegExp(`: ${saved} of 3 files`));
  assert.match(await pane.locator("#status").textContent(), /Cancelled/);

  await control(h.urls.imis, "/faults", []);
  await pane.locator("#save").click();
  await pane.locator("#summary-list li[data-status=cancelled]").waitFor({ state: "detached", timeout: 60_000 });
  await pane.locator("#summary[data-state=done]").waitFor({ timeout: 60_000 });
  const after = await h.imisState();
  assert.equal(after.activities.length, 1, "one record");
  assert.deepEqual(files(after).map((d) => d.sha256).sort(), message.attachments.map((a) => a.sha256).sort(), "each file once");
  await context.close();
});

test("an email already saved: every file says whether it is in iMIS, and the button adds the missing ones", { timeout: 180_000 }, async () => {
  const message = (await h.graphMailbox()).messages[0];
  const first = await openPane(h, { message: message.ewsId });
  await fillSetup(first.pane, { emailFile: false });
  await signInImis(first.pane);
  const left = message.attachments.at(-1);
  await first.pane.locator(`#attachments li[data-id="${left.restId}"] input`).uncheck();
  await saveAndWait(first.context, first.pane);
  await first.context.close();

  const again = await openPane(h, { message: message.ewsId });
  await fillSetup(again.pane, { emailFile: false });
  await signInImis(again.pane);
  await again.pane.locator("#already-saved").waitFor({ state: "visible" });
  await again.pane.locator(`#attachments li[data-id="${left.restId}"] .state[data-phase=missing]`).waitFor();
  for (const a of message.attachments.slice(0, -1)) {
    assert.equal(await again.pane.locator(`#attachments li[data-id="${a.restId}"] .state`).textContent(), "Already in iMIS", a.name);
  }
  assert.equal(await again.pane.locator("#save").textContent(), "Add the missing files");
  await saveAndWait(again.context, again.pane);
  assert.deepEqual(files(await h.imisState()).map((d) => d.sha256).sort(), message.attachments.map((a) => a.sha256).sort(), "each file once");
  await again.context.close();
});
