// Every mailbox and mode: a shared mailbox (read through /users/{mailbox} with
// Mail.Read.Shared only), an Outlook that cannot tell (never /me), and compose mode
// (a draft saved, then read from Graph once it syncs; or through Outlook if it never does).
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { fillSetup, mailbox, openPane, saveAndWait, signInImis, startHarness } from "./harness.mjs";

let h;
before(async () => {
  h = await startHarness();
});
after(async () => h?.close());
beforeEach(async () => h.reset());

async function ready(pane) {
  await fillSetup(pane, {
    clientId: "4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43",
    authority: `${h.urls.idp}/${mailbox.tenantId}/`,
    imisUrl: "",
    emailFile: false, // the email's own .eml: tests/e2e/save.test.mjs
  });
  await signInImis(pane);
}

const files = (state) => state.documents.filter((d) => d.DocumentTypeId !== "FOL");
const shared = () => mailbox.messages.find((m) => m.mailbox !== mailbox.users[0].mail);
const sampleOf = async (ewsId) => (await h.graphMailbox()).messages.find((m) => m.ewsId === ewsId);

test("a shared mailbox's email is read from /users/{mailbox} with Mail.Read.Shared", { timeout: 120_000 }, async () => {
  const message = await sampleOf(shared().ewsId);
  const { context, pane } = await openPane(h, { message: message.ewsId });
  await ready(pane);
  await saveAndWait(context, pane);
  const state = await h.imisState();
  assert.equal(state.activities.length, 1);
  assert.deepEqual(files(state).map((d) => d.sha256).sort(), message.attachments.map((a) => a.sha256).sort());
  const paths = (await h.graphRequests()).filter((r) => r.method === "GET").map((r) => r.path);
  assert.ok(paths.length > 0 && paths.every((p) => p.startsWith(`/v1.0/users/${encodeURIComponent(message.mailbox)}/`)), paths.join("\n"));
  assert.ok(paths.every((p) => !p.startsWith("/v1.0/me/")), "never /me for a shared item");
  await context.close();
});

test("an Outlook older than Mailbox 1.8 on a shared email: /me does not know it, Outlook cannot hand attachments over; the email is saved and the pane says why", { timeout: 120_000 }, async () => {
  const message = await sampleOf(shared().ewsId);
  const { context, pane } = await openPane(h, { message: message.ewsId, requirements: "Mailbox:1.7" });
  await ready(pane);
  await saveAndWait(context, pane);
  assert.match(await pane.locator("#summary-notice").textContent(), /Microsoft Graph does not find this email in your mailbox.*shared mailbox this version of Outlook does not name/);
  const state = await h.imisState();
  assert.equal(state.activities.length, 1, "the email is saved");
  assert.equal(files(state).length, 0);
  const paths = (await h.graphRequests()).filter((r) => r.method === "GET").map((r) => r.path);
  assert.ok(paths.every((p) => p.startsWith("/v1.0/me/")), "its own mailbox is all Outlook named");
  await context.close();
});

test("compose: the draft is saved, Graph's 404s are waited out, then every attachment is stored", { timeout: 150_000 }, async () => {
  const message = (await h.graphMailbox()).messages[0];
  const { context, pane } = await openPane(h, { message: message.ewsId, mode: "compose", syncDelay: 8000 });
  await ready(pane);
  // The draft's recipients are who it is about: the sender is the user.
  assert.match(await pane.locator("#contacts").textContent(), /Sam Board \(22708\) copied, sam\.board@example\.net/);
  await saveAndWait(context, pane);
  const state = await h.imisState();
  assert.equal(state.activities.length, 1);
  assert.deepEqual(files(state).map((d) => d.sha256).sort(), message.attachments.map((a) => a.sha256).sort());
  const statuses = (await h.graphRequests()).filter((r) => r.path.includes("/attachments?")).map((r) => r.status);
  assert.ok(statuses.includes(404) && statuses.at(-1) === 200, `list answers: ${statuses}`);
  await context.close();
});

test("compose: a draft that never syncs is read through Outlook, and the pane says why", { timeout: 150_000 }, async () => {
  const message = (await h.graphMailbox()).messages[0];
  const { context, pane } = await openPane(h, { message: message.ewsId, mode: "compose", syncDelay: 600000 });
  await ready(pane);
  await saveAndWait(context, pane);
  assert.match(await pane.locator("#summary-notice").textContent(), /has not reached the mail server yet.*read through Outlook instead/);
  const state = await h.imisState();
  assert.deepEqual(files(state).map((d) => d.sha256).sort(), message.attachments.map((a) => a.sha256).sort());
  await context.close();
});
