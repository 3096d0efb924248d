// Round trips to iMIS: on iMIS Cloud each one crosses the internet, so a save makes only
// those it needs (issue 10: at most 7 for a first save of an email with 3 attachments).
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { control, fillSetup, mailbox, messageFixture, openPane, saveAndWait, signInImis, startHarness } from "./harness.mjs";

let h;
before(async () => {
  h = await startHarness();
});
after(async () => h?.close());
beforeEach(async () => h.reset());

const setup = (h) => ({
  clientId: "4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43",
  authority: `${h.urls.idp}/${mailbox.tenantId}/`,
  imisUrl: "",
});
const apiRequests = async () => (await h.imisState()).requests.filter((r) => !r.path.startsWith("/_control"));

test("a first save of an email with 3 attachments makes at most 7 iMIS requests", { timeout: 120_000 }, async () => {
  const seeded = await control(h.urls.graph, "/messages", messageFixture("AAMkRequests+three/3=", "Three files", [1, 2, 3].map((i) => ({
    name: `file-${i}.pdf`, contentType: "application/pdf", generate: { size: 20_000 * i, seed: i },
  }))));
  const { context, pane } = await openPane(h, { message: seeded.ewsId });
  await fillSetup(pane, { ...setup(h), emailFile: false });
  await signInImis(pane);
  const before = (await apiRequests()).length;
  await saveAndWait(context, pane);
  const during = (await apiRequests()).slice(before);
  const list = during.map((r) => `${r.method} ${r.path} ${r.status}`).join("\n");
  console.log(`# iMIS requests during the save: ${during.length}\n${list.replace(/^/gm, "#   ")}`);
  const stored = (await h.imisState()).documents.filter((d) => d.DocumentTypeId !== "FOL");
  assert.equal(stored.length, 3, "the three files are stored");
  assert.ok(during.length <= 7, `${during.length} iMIS requests:\n${list}`);
  await context.close();
});
