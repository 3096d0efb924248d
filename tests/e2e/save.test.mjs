// Save to iMIS end to end: the simulated Outlook, the real pane (wasm + MSAL), the
// stand-ins; every check reads back what the iMIS stand-in stored.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { control, field, fillSetup, openPane, saveAndWait, signInImis, startHarness } from "./harness.mjs";

let h;
before(async () => {
  h = await startHarness();
});
after(async () => h?.close());
beforeEach(async () => h.reset());

const sample = () => h.graphMailbox().then((m) => m.messages[0]);
const DEMO_CLIENT = "4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43";

/** Setup pointing at the stand-ins (with `overrides`), then iMIS sign-in. */
async function ready(pane, overrides = {}) {
  await fillSetup(pane, {
    clientId: DEMO_CLIENT,
    authority: `${h.urls.idp}/${(await h.graphMailbox()).tenantId}/`,
    imisUrl: "",
    emailFile: false, // on by default; the first test keeps it
    ...overrides,
  });
  await signInImis(pane);
}

test("saves the sample email, the email itself as .eml and every attachment byte for byte", { timeout: 180_000 }, async () => {
  const message = await sample();
  const { context, pane } = await openPane(h);
  assert.equal(await pane.locator("#email-subject").textContent(), message.subject);
  await ready(pane, { emailFile: true });
  assert.match(await pane.locator("#contacts").textContent(), /Alex Member \(23001\)/);
  const started = Date.now();
  await saveAndWait(context, pane);
  console.log(`# saved the sample email in ${Date.now() - started} ms (including the sign-in popup)`);

  const state = await h.imisState();
  assert.equal(state.activities.length, 1);
  const activity = state.activities[0].entity;
  assert.equal(field(activity, "PartyId"), "23001");
  assert.equal(field(activity, "ACTIVITY_TYPE"), "EMAIL");
  assert.equal(field(activity, "DESCRIPTION"), message.subject);
  const note = field(activity, "NOTE");
  assert.ok(note.startsWith("From: Alex Member <alex.member@example.com>\nTo: Dana Staff <dana.staff@example.org>\nCc: Sam Board <sam.board@example.net>\n\n"), note);
  assert.ok(note.includes(message.bodyText), "the body");
  assert.equal(field(activity, "TRANSACTION_DATE"), message.sentDateTime.slice(0, 19));

  const files = state.documents.filter((d) => d.DocumentTypeId !== "FOL");
  assert.equal(files.length, message.attachments.length + 1, "the attachments and the email itself");
  // The email itself: Graph's MIME of the message, byte for byte, headers included.
  const mime = await control(h.urls.graph, `/mime?message=${encodeURIComponent(message.ewsId)}`);
  const eml = files.find((d) => d.Name === `${message.subject}.eml`);
  assert.ok(eml, `${message.subject}.eml is in iMIS: ${files.map((d) => d.Name).join(", ")}`);
  assert.equal(eml.sha256, mime.sha256);
  assert.equal(eml.DocumentTypeId, "EML");
  assert.ok((await h.graphRequests()).some((r) => r.path.endsWith(`/messages/${encodeURIComponent(message.restId)}/$value`)), "read from Graph's $value");
  for (const att of message.attachments) {
    const stored = files.find((d) => d.Name === att.name);
    assert.ok(stored, `${att.name} is in iMIS`);
    assert.equal(stored.sha256, att.sha256, `${att.name} bytes`);
    assert.equal(stored.size, att.size);
    assert.ok(note.includes(`- ${att.name} (`) && note.includes(`document ${stored.DocumentId}, ${stored.Path}`), `the note lists ${att.name}`);
  }
  const rows = await pane.locator("#summary-list li[data-status=saved]").count();
  assert.equal(rows, message.attachments.length + 1);
  assert.equal(await pane.locator("#summary-title").textContent(), `Saved “${message.subject}”`, "the report names the email");
  await context.close();
});

test("without a client ID the attachments come through Outlook itself", { timeout: 120_000 }, async () => {
  const message = await sample();
  const { context, pane } = await openPane(h);
  await ready(pane, { clientId: "" });
  const pages = context.pages().length;
  await saveAndWait(context, pane, { expectPopup: false });
  assert.equal(context.pages().length, pages, "no sign-in popup");
  const files = (await h.imisState()).documents.filter((d) => d.DocumentTypeId !== "FOL");
  assert.deepEqual(files.map((d) => d.sha256).sort(), message.attachments.map((a) => a.sha256).sort());
  assert.equal((await h.graphRequests()).length, 0, "Graph was never called");
  await context.close();
});

test("without a client ID on an Outlook that cannot hand over attachments, the email is saved without them", { timeout: 120_000 }, async () => {
  const message = await sample();
  const { context, pane } = await openPane(h, { requirements: "Mailbox:1.7" });
  await ready(pane, { clientId: "" });
  await saveAndWait(context, pane, { expectPopup: false });
  assert.match(await pane.locator("#summary-notice").textContent(), /Attachments were not included.*Application \(client\) ID/);
  const state = await h.imisState();
  assert.equal(state.activities.length, 1);
  assert.equal(field(state.activities[0].entity, "DESCRIPTION"), message.subject);
  assert.equal(state.documents.filter((d) => d.DocumentTypeId !== "FOL").length, 0);
  assert.equal(await pane.locator("#summary-list li[data-status=failed]").count(), message.attachments.length);
  assert.equal((await h.graphRequests()).length, 0, "Graph was never called");
  await context.close();
});

test("Graph refusing the token once gets a fresh token and every attachment still saves", { timeout: 120_000 }, async () => {
  const message = await sample();
  await control(h.urls.graph, "/faults", [{ match: "$value", status: 401, times: 1 }]);
  const { context, pane } = await openPane(h);
  await ready(pane);
  await saveAndWait(context, pane);
  const state = await h.imisState();
  const files = state.documents.filter((d) => d.DocumentTypeId !== "FOL");
  assert.deepEqual(files.map((d) => d.sha256).sort(), message.attachments.map((a) => a.sha256).sort());
  const statuses = (await h.graphRequests()).filter((r) => r.path.endsWith("$value")).map((r) => r.status);
  assert.deepEqual(statuses.filter((s) => s === 401), [401]);
  assert.equal(await pane.locator("#summary-list li[data-status=failed]").count(), 0);
  await context.close();
});

test("Graph set up but not finding the email once: the .eml's reason does not say Graph is not set up, and a second save stores it", { timeout: 120_000 }, async () => {
  // Found by the soak (npm run soak -- --cases 1 --seed 7): the reason said "Microsoft
  // Graph is not set up (an Entra app in Setup)", sending the user to a Setup that was right.
  const message = await sample();
  await control(h.urls.graph, "/faults", [{ match: "/attachments?", status: 404, code: "ErrorItemNotFound", times: 1 }]);
  const { context, pane } = await openPane(h);
  await ready(pane, { emailFile: true });
  await saveAndWait(context, pane);
  const failed = pane.locator("#summary-list li[data-status=failed]");
  assert.equal(await failed.count(), 1, "only the .eml: Outlook (Mailbox 1.13) cannot hand the email over");
  const reason = await failed.textContent();
  assert.match(reason, /\.eml: not saved\..*cannot hand the email over as a file, and Microsoft Graph could not be used for this email this time.*save again/);
  assert.doesNotMatch(reason, /not set up/);
  await pane.locator("#summary").evaluate((el) => el.removeAttribute("data-state"));
  await saveAndWait(context, pane, { expectPopup: false });
  const files = (await h.imisState()).documents.filter((d) => d.DocumentTypeId !== "FOL");
  assert.equal(files.length, message.attachments.length + 1, "the attachments and the .eml, each once");
  await context.close();
});

test("a hostile attachment name shows as text and saves under a safe name", { timeout: 120_000 }, async () => {
  const hostile = "<img src=x onerror=alert(1)>.pdf";
  const seeded = await control(h.urls.graph, "/messages", {
    mailbox: "dana.staff@example.org",
    ewsId: "AAMkADhostile+message/0002==",
    subject: "<script>alert('subject')</script> Invoice",
    from: { name: "<b>Mallory</b>", address: "alex.member@example.com" },
    to: [{ name: "Dana Staff", address: "dana.staff@example.org" }],
    cc: [],
    sentDateTime: "2026-11-21T10:00:00Z",
    internetMessageId: "<hostile.0002@mail.example.com>",
    bodyText: "<img src=x onerror=alert(2)>",
    attachments: [{ ewsId: "AAMkADhostile+att/0001==", kind: "file", name: hostile, contentType: "application/pdf", file: "files/agenda.pdf" }],
  });
  const { context, pane, dialogs } = await openPane(h, { message: seeded.ewsId });
  assert.equal(await pane.locator("#email-subject").textContent(), "<script>alert('subject')</script> Invoice");
  assert.equal(await pane.locator("#attachments li:not([data-id=email-file]) .name").first().textContent(), hostile);
  assert.equal(await pane.locator("img").count(), 0, "no element injected");
  await ready(pane);
  await saveAndWait(context, pane);
  assert.equal(await pane.locator("img").count(), 0);
  assert.deepEqual(dialogs, [], "no script ran");
  const files = (await h.imisState()).documents.filter((d) => d.DocumentTypeId !== "FOL");
  assert.equal(files.length, 1);
  assert.equal(files[0].Name, "_img src=x onerror=alert(1)_.pdf");
  assert.match(await pane.locator("#summary-list").textContent(), /<img src=x onerror=alert\(1\)>\.pdf: stored as/);
  await context.close();
});

test("saving twice makes no duplicates", { timeout: 120_000 }, async () => {
  const message = await sample();
  const { context, pane } = await openPane(h);
  await ready(pane);
  await saveAndWait(context, pane);
  await pane.locator("#summary").evaluate((el) => el.removeAttribute("data-state"));
  await saveAndWait(context, pane, { expectPopup: false });
  assert.match(await pane.locator("#summary-records").textContent(), /Already saved as record/);
  assert.equal(await pane.locator("#summary-list li[data-status=alreadySaved]").count(), message.attachments.length);
  const state = await h.imisState();
  assert.equal(state.activities.length, 1);
  assert.equal(state.documents.filter((d) => d.DocumentTypeId !== "FOL").length, message.attachments.length);
  assert.equal(state.documents.filter((d) => d.DocumentTypeId === "FOL").length, 4, "three fixture folders and one for the email");
  await context.close();
});

test("Setup refuses a client ID that is not a GUID and a URL that is not https, and keeps no secret", { timeout: 120_000 }, async () => {
  const { context, pane } = await openPane(h);
  await fillSetup(pane, { clientId: "my-app", imisUrl: "http://imis.example.org" });
  assert.match(await pane.locator('.field-error[data-for="clientId"]').textContent(), /not an Application \(client\) ID/);
  assert.match(await pane.locator('.field-error[data-for="imisUrl"]').textContent(), /must start with https:\/\//);
  assert.equal(await pane.locator("#setup").isVisible(), true);
  assert.deepEqual(await control(h.urls.outlook, "/roaming"), {}, "nothing saved while invalid");

  await ready(pane);
  await saveAndWait(context, pane);
  const roaming = JSON.stringify(await control(h.urls.outlook, "/roaming"));
  // What the user changed is kept (here: no .eml); what they left at its default is not.
  assert.match(roaming, /"emailFile":"false"/);
  const storage = await pane.locator("body").evaluate(() => JSON.stringify({ ...localStorage }));
  for (const where of [roaming, storage]) {
    assert.doesNotMatch(where, /eyJ[\w-]+\.eyJ/, "no JWT");
    assert.doesNotMatch(where, /imis-demo-pass|dana-demo-pass/, "no password");
  }
  await context.close();
});
