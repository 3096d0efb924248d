// iMIS as it really is (a stock site, tests/standins/imis in its default mode): one
// origin with the pane, the site's own document types, its 10 MiB request limit,
// documents in Working status and 500 on every create, interactions in iMIS's typed
// contract, a path-prefixed site, and a new contact added from the sender.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { control, field, fillSetup, imisFixture, mailbox, messageFixture, openPane, saveAndWait, signInImis, startHarness, submitImisSignIn } from "./harness.mjs";

let h;
before(async () => {
  h = await startHarness();
});
after(async () => h?.close());
beforeEach(async () => h.reset());

const MB = 1_000_000;
const setup = (overrides = {}) => ({
  clientId: "4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43",
  authority: `${h.urls.idp}/${mailbox.tenantId}/`,
  imisUrl: "", // the default: the pane's own origin, where iMIS is passed on
  emailFile: false, // the email's own .eml: tests/e2e/save.test.mjs
  ...overrides,
});
const files = (state) => state.documents.filter((d) => d.DocumentTypeId !== "FOL");
const small = (name, contentType) => ({ name, contentType, base64: Buffer.from(`${name} content`).toString("base64") });

let seq = 0;
async function seed(subject, attachments, from) {
  seq += 1;
  const fixture = messageFixture(`AAMkStockTest+${seq}/msg=`, subject, attachments);
  if (from) fixture.from = from;
  await control(h.urls.graph, "/messages", fixture);
  return (await h.graphMailbox()).messages.find((m) => m.ewsId === fixture.ewsId);
}

async function openReady(message, overrides) {
  const opened = await openPane(h, { message: message.ewsId });
  await fillSetup(opened.pane, setup(overrides));
  await signInImis(opened.pane);
  return opened;
}

test("a stock site gets .docx, .xlsx, .csv, .msg and .pdf under its own document types, on one origin", { timeout: 150_000 }, async () => {
  const message = await seed("Papers of every type", [
    small("minutes.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    small("budget.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    small("members.csv", "text/csv"),
    small("forwarded.msg", "application/vnd.ms-outlook"),
    { name: "agenda.pdf", contentType: "application/pdf", file: "files/agenda.pdf" },
  ]);
  const { context, pane } = await openReady(message);
  await saveAndWait(context, pane);

  const state = await h.imisState();
  assert.equal(state.settings.cors, false, "a stock site: no CORS");
  const types = Object.fromEntries(files(state).map((d) => [d.Name, d.DocumentTypeId]));
  assert.deepEqual(types, { "minutes.docx": "DOC", "budget.xlsx": "XLS", "members.csv": "TXT", "forwarded.msg": "EML", "agenda.pdf": "PDF" });
  for (const a of message.attachments) assert.equal(files(state).filter((d) => d.sha256 === a.sha256).length, 1, a.name);
  assert.equal(await pane.locator("#summary-list li[data-status=failed]").count(), 0);
  const activity = state.activities[0].entity;
  assert.match(field(activity, "UF_1"), /^email:[0-9a-f]{16}$/, "the key in UF_1");
  assert.equal(field(activity, "SOURCE_CODE"), undefined, "the campaign source code is left alone");
  assert.equal(activity.Properties.$values.find((p) => p.Name === "TRANSACTION_DATE").Value.$type, "System.DateTime");
  // Same origin: the browser never needed a preflight, every call went through the pane's host.
  assert.ok(!state.requests.some((r) => r.method === "OPTIONS"), "no preflight");
  await context.close();
});

test("an 8 MB attachment on a 10 MiB site is not downloaded, the pane says why, the rest is saved", { timeout: 150_000 }, async () => {
  const message = await seed("Too large for iMIS", [
    { name: "scan.pdf", contentType: "application/pdf", generate: { size: 8 * MB, seed: 3 } },
    { name: "agenda.pdf", contentType: "application/pdf", file: "files/agenda.pdf" },
  ]);
  const { context, pane } = await openReady(message);
  await saveAndWait(context, pane);
  const state = await h.imisState();
  assert.equal(state.activities.length, 1, "the email is saved");
  assert.deepEqual(files(state).map((d) => d.Name), ["agenda.pdf"]);
  const big = message.attachments.find((a) => a.name === "scan.pdf");
  const asked = (await h.graphRequests()).map((r) => r.path);
  assert.ok(!asked.some((p) => p.includes(encodeURIComponent(big.restId)) && p.endsWith("$value")), "never downloaded");
  const text = await pane.locator("#summary-list").textContent();
  assert.match(text, /scan\.pdf: not saved \(too large for this iMIS site: 7\.6 MB is a 10\.2 MB request once encoded for iMIS, over the site's 10\.0 MB limit/);
  assert.match(text, /maxRequestLength and maxAllowedContentLength/);
  assert.match(field(state.activities[0].entity, "NOTE"), /scan\.pdf: not saved \(too large for this iMIS site/, "the note lists it");
  await context.close();
});

test("a site whose limit is lower than Setup says answers 404.13: explained the same way, nothing else lost", { timeout: 150_000 }, async () => {
  const message = await seed("Limit lower than Setup", [
    { name: "scan.pdf", contentType: "application/pdf", generate: { size: 8 * MB, seed: 4 } },
    { name: "agenda.pdf", contentType: "application/pdf", file: "files/agenda.pdf" },
  ]);
  const { context, pane } = await openReady(message, { maxRequestMb: "20" });
  await saveAndWait(context, pane);
  const state = await h.imisState();
  assert.equal(state.activities.length, 1);
  assert.deepEqual(files(state).map((d) => d.Name), ["agenda.pdf"]);
  const failed = pane.locator("#summary-list li[data-status=failed]");
  assert.equal(await failed.count(), 1);
  assert.match(await failed.textContent(), /scan\.pdf was not stored: iMIS refused a request of 10\.2 MB as too large\. An administrator can raise maxRequestLength and maxAllowedContentLength/);
  assert.match(field(state.activities[0].entity, "NOTE"), /scan\.pdf \(7\.6 MB\): not saved \(scan\.pdf was not stored: iMIS refused/);
  await context.close();
});

test("Working documents and 500 on every create: the first save and a second one store nothing twice", { timeout: 180_000 }, async () => {
  const { settings } = await control(h.urls.imis, "/settings", { documentPost500: true });
  assert.equal(settings.documentPost500, true);
  const message = (await h.graphMailbox()).messages[0];
  const first = await openPane(h);
  await fillSetup(first.pane, setup());
  await signInImis(first.pane);
  await saveAndWait(first.context, first.pane);
  assert.equal(await first.pane.locator("#summary-list li[data-status=failed]").count(), 0, await first.pane.locator("#summary-list").textContent());
  await first.context.close();
  let state = await h.imisState();
  assert.ok(state.documents.filter((d) => d.DocumentTypeId === "FOL").some((d) => d.Status === "Working"), "the new folder is Working");
  assert.ok(files(state).every((d) => d.Status === "Working"));

  const again = await openPane(h);
  await signInImis(again.pane);
  await again.pane.locator("#already-saved").waitFor({ state: "visible" });
  await saveAndWait(again.context, again.pane);
  state = await h.imisState();
  assert.equal(state.activities.length, 1);
  assert.equal(state.documents.filter((d) => d.DocumentTypeId === "FOL").length, imisFixture.folders.length + 1, "one folder for the email");
  for (const a of message.attachments) assert.equal(files(state).filter((d) => d.sha256 === a.sha256).length, 1, `${a.name} once`);
  await again.context.close();
});

test("a path-prefixed site (/Asi.Scheduler_IMIS): sign-in, lookups and the save go under the prefix", { timeout: 150_000 }, async () => {
  await control(h.urls.imis, "/settings", { prefix: "/Asi.Scheduler_IMIS" });
  const message = (await h.graphMailbox()).messages[0];
  const { context, pane } = await openPane(h);
  await fillSetup(pane, setup({ imisUrl: `${h.urls.pane}/imis/Asi.Scheduler_IMIS` }));
  await signInImis(pane);
  await saveAndWait(context, pane);
  const state = await h.imisState();
  assert.equal(state.activities.length, 1);
  assert.equal(files(state).length, message.attachments.length);
  const paths = state.requests.map((r) => r.path);
  assert.ok(paths.some((p) => /Asi\.Scheduler_IMIS\/token/.test(p)), paths.join(" "));
  assert.ok(paths.every((p) => p.includes("/Asi.Scheduler_IMIS/")), "nothing outside the prefix");
  await context.close();
});

test("nobody matched: the sender is added as a new iMIS contact, as the user confirmed it", { timeout: 150_000 }, async () => {
  const message = await seed("From someone new", [small("intro.pdf", "application/pdf")], { name: "Morgan Newcomer", address: "morgan@newcomer-society.org" });
  const { context, pane } = await openPane(h, { message: message.ewsId });
  await fillSetup(pane, setup());
  await submitImisSignIn(pane);
  const form = pane.locator("#new-contact");
  await form.waitFor({ state: "visible" });
  assert.equal(await form.locator("[name=firstName]").inputValue(), "Morgan");
  assert.equal(await form.locator("[name=lastName]").inputValue(), "Newcomer");
  assert.equal(await form.locator("[name=email]").inputValue(), "morgan@newcomer-society.org");
  assert.equal(await form.locator("[name=organization]").inputValue(), "Newcomer Society", "guessed from the domain");
  await form.locator("[name=firstName]").fill("");
  await pane.locator("#new-contact-submit").click();
  await form.locator('.field-error[data-for="firstName"]').filter({ hasText: /first name/ }).waitFor();
  assert.equal((await h.imisState()).parties?.length ?? 0, 0, "nothing added before it is right");
  await form.locator("[name=firstName]").fill("Morgan");
  await pane.locator("#new-contact-submit").click();
  await pane.locator("#contacts input:checked").waitFor();
  await saveAndWait(context, pane);
  const state = await h.imisState();
  assert.equal(state.parties.length, 1);
  const added = state.parties[0];
  assert.equal(state.activities.length, 1);
  assert.equal(field(state.activities[0].entity, "PartyId"), String(added.PartyId));
  assert.match(JSON.stringify(added), /morgan@newcomer-society\.org/);
  assert.match(JSON.stringify(added), /Newcomer Society/);
  await context.close();

  // Opened again, the new contact is found by the sender's address.
  const again = await openPane(h, { message: message.ewsId });
  await submitImisSignIn(again.pane);
  await again.pane.locator("#contacts input:checked").waitFor();
  assert.match(await again.pane.locator("#contacts").textContent(), /Morgan Newcomer/);
  assert.equal(await again.pane.locator("#new-contact").isVisible(), false);
  await again.context.close();
});

test("a site that refuses the interaction gets an activity instead, and the pane says so", { timeout: 150_000 }, async () => {
  await control(h.urls.imis, "/faults", [{ match: "POST /api/CommunicationLogRecipient", exact: true, status: 400, times: 5 }]);
  const message = (await h.graphMailbox()).messages[0];
  const { context, pane } = await openPane(h);
  await fillSetup(pane, setup({ recordKind: "interaction" }));
  await signInImis(pane);
  await saveAndWait(context, pane);
  const state = await h.imisState();
  assert.equal(state.interactions.length, 0);
  assert.equal(state.activities.length, 1, "saved as an activity, nothing lost");
  assert.match(field(state.activities[0].entity, "NOTE"), /Please find the agenda/);
  assert.equal(files(state).length, message.attachments.length);
  const notice = await pane.locator("#summary-notice").textContent();
  assert.match(notice, /iMIS did not accept the interaction \(iMIS answered HTTP 400/);
  assert.match(notice, /saved as activity \d+ instead/);
  // Saved again: the activity is found; nothing twice.
  await pane.locator("#summary").evaluate((el) => el.removeAttribute("data-state"));
  await saveAndWait(context, pane, { expectPopup: false });
  assert.equal((await h.imisState()).activities.length, 1);
  await context.close();
});

test("an iMIS account without the right to add contacts is told so in plain words", { timeout: 120_000 }, async () => {
  const message = await seed("From someone new", [], { name: "Pat Unknown", address: "pat@unknown.example.org" });
  const { pane, context } = await openPane(h, { message: message.ewsId });
  await fillSetup(pane, setup());
  const reader = imisFixture.users.find((u) => u.username === "reader");
  await pane.locator("#imis-sign-in [name=username]").fill(reader.username);
  await pane.locator("#imis-sign-in [name=password]").fill(reader.password);
  await pane.locator("#imis-sign-in-submit").click();
  await pane.locator("#new-contact").waitFor({ state: "visible" });
  await pane.locator("#new-contact-submit").click();
  await pane.locator("#error").waitFor({ state: "visible" });
  assert.match(await pane.locator("#error").textContent(), /Your iMIS account may not add contacts/);
  assert.equal((await h.imisState()).parties.length, 0);
  await context.close();
});
