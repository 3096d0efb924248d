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

test("saves the sample email and every attachment byte for byte", { timeout: 180_000 }, async () => {
  const message = await sample();
  const { context, pane } = await openPane(h);
  assert.equal(await pane.locator("#email-subject").textContent(), message.subject);
  await fillSetup(pane, {
    clientId: "4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43",
    authority: `${h.urls.idp}/${(await h.graphMailbox()).tenantId}/`,
    imisUrl: h.urls.imis,
  });
  await signInImis(pane);
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
  assert.equal(field(activity, "NOTE"), message.bodyText);
  assert.equal(field(activity, "TRANSACTION_DATE"), message.sentDateTime.slice(0, 19));

  const files = state.documents.filter((d) => d.DocumentTypeId !== "FOL");
  assert.equal(files.length, message.attachments.length);
  for (const att of message.attachments) {
    const stored = files.find((d) => d.Name === att.name);
    assert.ok(stored, `${att.name} is in iMIS`);
    assert.equal(stored.sha256, att.sha256, `${att.name} bytes`);
    assert.equal(stored.size, att.size);
  }
  const rows = await pane.locator("#summary-list li[data-status=saved]").count();
  assert.equal(rows, message.attachments.length);
  await context.close();
});
