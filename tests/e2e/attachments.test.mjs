// Attachments end to end: every kind, and every fault the Graph stand-in can inject.
// In each case: what could be saved is in iMIS with identical bytes, what could not
// is reported with its reason, nothing is stored twice, and the email is saved.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { control, field, fillSetup, mailbox, messageFixture, openPane, saveAndWait, signInImis, startHarness } from "./harness.mjs";

let h;
before(async () => {
  h = await startHarness();
});
after(async () => h?.close());
beforeEach(async () => h.reset());

const MiB = 1024 * 1024;

async function ready(pane, overrides = {}) {
  await fillSetup(pane, {
    clientId: "4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43",
    authority: `${h.urls.idp}/${mailbox.tenantId}/`,
    imisUrl: "",
    emailFile: false, // the email's own .eml: tests/e2e/save.test.mjs
    ...overrides,
  });
  await signInImis(pane);
}

let seq = 0;
/** Seeds a message in the user's mailbox; returns it as the Graph stand-in describes it. */
async function seed(subject, attachments) {
  seq += 1;
  const fixture = messageFixture(`AAMkAttTest+${seq}/msg=`, subject, attachments);
  await control(h.urls.graph, "/messages", fixture);
  return (await h.graphMailbox()).messages.find((m) => m.ewsId === fixture.ewsId);
}

const files = (state) => state.documents.filter((d) => d.DocumentTypeId !== "FOL");
const valueRequests = async () => (await h.graphRequests()).filter((r) => r.method === "GET" && r.path.endsWith("$value"));

/** Every attachment in `names` is stored exactly once with the bytes Graph serves. */
function assertStoredOnce(state, message, names) {
  for (const name of names) {
    const a = message.attachments.find((x) => x.name === name);
    const copies = files(state).filter((d) => d.sha256 === a.sha256);
    assert.equal(copies.length, 1, `${name} stored once with identical bytes`);
  }
}

test("every kind: file, attached email, meeting and contact, cloud link, inline image, empty file", { timeout: 180_000 }, async () => {
  const message = await seed("Every kind of attachment", [
    { name: "report.pdf", contentType: "application/pdf", file: "files/agenda.pdf" },
    { kind: "item", itemType: "message", name: "Re: budget questions", subject: "Re: budget questions", bodyText: "Numbers inside." },
    { kind: "item", itemType: "event", name: "Board meeting", subject: "Board meeting", start: "2026-12-03T17:00:00Z" },
    { kind: "item", itemType: "contact", name: "Sam Board", subject: "Sam Board", email: "sam.board@example.net" },
    { kind: "reference", name: "plan.docx", contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", sourceUrl: "https://contoso.sharepoint.com/sites/board/plan.docx" },
    { name: "logo.png", contentType: "image/png", file: "files/meeting-photo.png", isInline: true, contentId: "logo@01" },
    { name: "empty.txt", contentType: "text/plain", base64: "" },
    { name: "big.bin", contentType: "application/octet-stream", generate: { size: 12 * MiB, seed: 5 } },
  ]);
  // big.bin is over a stock site's 10 MiB request: this site's administrator raised
  // IIS's limit to 32 MiB, and Setup says so.
  await control(h.urls.imis, "/settings", { maxRequestBytes: 32 * MiB });
  const { context, pane } = await openPane(h, { message: message.ewsId });
  assert.equal(await pane.locator("#inline-attachments li").count(), 1, "inline images listed apart");
  assert.equal(await pane.locator("#inline-attachments input").isChecked(), false);
  await ready(pane, { maxRequestMb: "32" });
  await saveAndWait(context, pane);

  const state = await h.imisState();
  assert.equal(state.activities.length, 1);
  const stored = Object.fromEntries(files(state).map((d) => [d.Name, d]));
  assert.deepEqual(Object.keys(stored).sort(), ["Board meeting.ics", "Re_ budget questions.eml", "Sam Board.vcf", "big.bin", "empty.txt", "report.pdf"]);
  assertStoredOnce(state, message, ["report.pdf", "Re: budget questions", "Board meeting", "Sam Board", "empty.txt", "big.bin"]);
  assert.equal(stored["empty.txt"].size, 0);

  const note = field(state.activities[0].entity, "NOTE");
  assert.match(note, /plan\.docx: https:\/\/contoso\.sharepoint\.com\/sites\/board\/plan\.docx/);
  const requested = (await valueRequests()).map((r) => r.path);
  const cloud = message.attachments.find((a) => a.name === "plan.docx");
  const inline = message.attachments.find((a) => a.name === "logo.png");
  assert.ok(!requested.some((p) => p.includes(encodeURIComponent(cloud.restId))), "never $value on a cloud attachment");
  assert.ok(!requested.some((p) => p.includes(encodeURIComponent(inline.restId))), "inline image not downloaded");

  assert.match(await pane.locator("#summary-list").textContent(), /plan\.docx: cloud file, its link is saved/);
  const bigRow = pane.locator("#attachments li", { hasText: "big.bin" });
  assert.ok(Number(await bigRow.getAttribute("data-steps")) > 4, "the bar moved in steps");
  assert.equal(await bigRow.locator("progress").evaluate((b) => [b.max, b.value].join()), "1,1", "one bar for download and upload, full");
  await context.close();
});

test("inline images are saved when Setup includes them", { timeout: 120_000 }, async () => {
  const message = await seed("Inline included", [
    { name: "logo.png", contentType: "image/png", file: "files/meeting-photo.png", isInline: true, contentId: "logo@01" },
  ]);
  const { context, pane } = await openPane(h, { message: message.ewsId });
  await ready(pane, { includeInline: true });
  await pane.locator("#inline-attachments input").check();
  await saveAndWait(context, pane);
  assertStoredOnce(await h.imisState(), message, ["logo.png"]);
  await context.close();
});

test("an attachment whose request is over the limit in Setup is not attempted and says why", { timeout: 120_000 }, async () => {
  const message = await seed("Too large", [
    { name: "huge.bin", contentType: "application/octet-stream", generate: { size: 3 * MiB, seed: 9 } },
    { name: "small.pdf", contentType: "application/pdf", file: "files/agenda.pdf" },
  ]);
  const { context, pane } = await openPane(h, { message: message.ewsId });
  await ready(pane, { maxRequestMb: "2" });
  await saveAndWait(context, pane);
  const state = await h.imisState();
  assert.deepEqual(files(state).map((d) => d.Name), ["small.pdf"]);
  const huge = message.attachments.find((a) => a.name === "huge.bin");
  assert.ok(!(await valueRequests()).some((r) => r.path.includes(encodeURIComponent(huge.restId))));
  assert.match(await pane.locator("#summary-list").textContent(), /huge\.bin: not saved \(too large for this iMIS site: 3\.0 MB is a 4\.0 MB request once encoded for iMIS, over the site's 2\.0 MB limit/);
  await context.close();
});

test("Graph faults: 429 backs off (its Retry-After unreadable), 503 and a cut connection retry, 401 mid-batch refreshes", { timeout: 180_000 }, async () => {
  const message = await seed("Faults", [
    { name: "a.bin", generate: { size: 3 * MiB, seed: 21 } },
    { name: "b.bin", generate: { size: 3 * MiB, seed: 22 } },
    { name: "c.bin", generate: { size: 3 * MiB, seed: 23 } },
    { name: "d.bin", generate: { size: 3 * MiB, seed: 24 } },
  ]);
  const id = (name) => encodeURIComponent(message.attachments.find((a) => a.name === name).restId);
  await control(h.urls.graph, "/faults", [
    { match: `${id("a.bin")}/$value`, status: 429, retryAfter: 2, times: 1 },
    { match: `${id("b.bin")}/$value`, status: 503, times: 2 },
    { match: `${id("c.bin")}/$value`, cutAfterBytes: 1000000, times: 1 },
    { match: `${id("d.bin")}/$value`, status: 401, times: 1 },
  ]);
  await control(h.urls.graph, "/settings", { concurrencyLimit: 3 });
  const { context, pane } = await openPane(h, { message: message.ewsId });
  await ready(pane);
  await saveAndWait(context, pane);

  const state = await h.imisState();
  assert.equal(state.activities.length, 1);
  assertStoredOnce(state, message, ["a.bin", "b.bin", "c.bin", "d.bin"]);
  assert.equal(files(state).length, 4);

  const log = await valueRequests();
  const times = (name) => log.filter((r) => r.path.includes(id(name))).map((r) => r.t);
  // Graph sends Retry-After but does not expose it to browsers: the pane backs off by
  // itself, a second at least.
  const [first, second] = times("a.bin");
  assert.ok(second - first >= 1000, `429 retried after ${second - first} ms`);
  assert.match(await pane.locator("#attachments li", { hasText: "a.bin" }).getAttribute("data-last-retry") ?? "", /^Waiting for Microsoft Graph, which is busy \(429\)/);
  assert.equal(times("b.bin").length, 3);
  assert.equal(times("c.bin").length, 2);
  assert.equal(times("d.bin").length, 2);
  assert.ok(!(await h.graphRequests()).some((r) => r.status === 429 && !r.path.includes(id("a.bin"))), "never more than 3 in flight");
  for (const [name, retries] of [["a.bin", 1], ["b.bin", 2], ["c.bin", 1], ["d.bin", 1]]) {
    const row = pane.locator("#attachments li", { hasText: name });
    assert.equal(await row.getAttribute("data-retries"), String(retries), `${name}: each retry shown in its row`);
  }
  await context.close();
});

test("after the retry cap an attachment fails with its reason and the rest go on", { timeout: 180_000 }, async () => {
  const message = await seed("Cap", [
    { name: "stuck.bin", generate: { size: 1 * MiB, seed: 31 } },
    { name: "fine.bin", generate: { size: 1 * MiB, seed: 32 } },
  ]);
  const stuck = encodeURIComponent(message.attachments[0].restId);
  // Five attempts in all (the retry cap for errors other than throttling), so the fault
  // is used up by the first save.
  await control(h.urls.graph, "/faults", [{ match: `${stuck}/$value`, status: 502, times: 5 }]);
  const { context, pane } = await openPane(h, { message: message.ewsId });
  await ready(pane);
  await saveAndWait(context, pane);
  const state = await h.imisState();
  assert.equal(state.activities.length, 1);
  assertStoredOnce(state, message, ["fine.bin"]);
  assert.equal(files(state).length, 1);
  assert.match(await pane.locator("#summary-list").textContent(), /stuck\.bin: not saved\. Microsoft Graph answered HTTP 502/);

  // Saving again once Graph recovers stores only what is missing.
  await pane.locator("#summary").evaluate((el) => el.removeAttribute("data-state"));
  await saveAndWait(context, pane, { expectPopup: false });
  const again = await h.imisState();
  assert.equal(again.activities.length, 1);
  assertStoredOnce(again, message, ["stuck.bin", "fine.bin"]);
  assert.equal(files(again).length, 2);
  await context.close();
});

test("when Graph cannot be used the attachments are read through Outlook, and the pane says why", { timeout: 180_000 }, async () => {
  const message = await seed("Graph down", [
    { name: "one.pdf", contentType: "application/pdf", file: "files/agenda.pdf" },
    { name: "two.csv", contentType: "text/csv", file: "files/budget-2027.csv" },
  ]);
  await control(h.urls.graph, "/faults", [{ match: "/attachments?", status: 500, times: 5 }]);
  const { context, pane } = await openPane(h, { message: message.ewsId });
  await ready(pane);
  await saveAndWait(context, pane);
  assert.match(await pane.locator("#summary-notice").textContent(), /Microsoft Graph answered HTTP 500.*read through Outlook instead/);
  const state = await h.imisState();
  assertStoredOnce(state, message, ["one.pdf", "two.csv"]);
  assert.equal(files(state).length, 2);
  assert.equal((await valueRequests()).length, 0, "no Graph download");
  await context.close();
});
