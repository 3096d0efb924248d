// Hostile input by the hundred (tests/fixtures/hostile.mjs): every value as an
// attachment name, and as subjects, bodies, sender names and addresses. Each is shown as
// text (no element, no dialog, no script ran), stored under a safe name iMIS accepts,
// and every JSON body iMIS got was valid (the iMIS stand-in refuses any other).
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { clickAndSignIn, control, fillSetup, imisFixture, mailbox, messageFixture, startHarness, submitImisSignIn } from "./harness.mjs";
import { hostilePeople, hostileValues } from "../fixtures/hostile.mjs";

let h;
before(async () => {
  h = await startHarness();
});
after(async () => h?.close());
beforeEach(async () => h.reset());

const PER_EMAIL = 24;
const RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\.|$)/i;
// What iMIS may not get in a stored name (names.rs): separators, controls, bidi and
// invisible characters.
const UNSAFE = /[\/\\:*?"<>|\u0000-\u001f\u007f\u0080-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

test("hundreds of hostile names, subjects, bodies and senders: shown as text, stored safely, valid JSON", { timeout: 600_000 }, async () => {
  const values = hostileValues().map((v) => v.value);
  assert.ok(values.length >= 200, `${values.length} hostile values`);
  const people = hostilePeople();
  const context = await h.browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const dialogs = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });
  let signedInToMicrosoft = false;
  const emails = Math.ceil(values.length / PER_EMAIL);
  for (let k = 0; k < emails; k += 1) {
    const names = values.slice(k * PER_EMAIL, (k + 1) * PER_EMAIL);
    const who = people[k % people.length];
    const fixture = messageFixture(`AAMkHostile+${k}/msg=`, values[(k * 7 + 3) % values.length],
      names.map((name, i) => ({ name, contentType: "application/octet-stream", base64: Buffer.from(`content ${k}.${i}`).toString("base64") })));
    fixture.from = { name: who.name, address: "alex.member@example.com" };
    fixture.cc = people.filter((p) => p !== who).map((p) => ({ name: p.name, address: p.address }));
    fixture.bodyText = values.slice((k * 5) % values.length, (k * 5) % values.length + 12).join("\n");
    await control(h.urls.graph, "/messages", fixture);
    const message = (await h.graphMailbox()).messages.find((m) => m.ewsId === fixture.ewsId);

    await page.goto(`${h.urls.outlook}/?${new URLSearchParams({ message: fixture.ewsId })}`);
    await page.click("#save-to-imis-button");
    const pane = page.frameLocator("#taskpane");
    await pane.locator("#email, #imis-sign-in").locator("visible=true").first().waitFor({ timeout: 30_000 });
    const frame = () => page.frames().find((f) => f.url().includes("/taskpane.html"));
    const baseline = await frame().evaluate(() => document.scripts.length);
    if (k === 0) {
      await fillSetup(pane, { clientId: "4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43", authority: `${h.urls.idp}/${mailbox.tenantId}/`, imisUrl: "", emailFile: true });
    }
    // The iMIS session is kept for the Outlook session (this tab): only the first asks.
    if (k === 0) await submitImisSignIn(pane);
    await pane.locator("#contacts input[type=checkbox]:checked").waitFor();
    assert.equal(await pane.locator("#imis-sign-in").isVisible(), false, `email ${k}: no password asked again`);

    // Shown as text, exactly as the email has it.
    assert.equal(await pane.locator("#email-subject").textContent(), fixture.subject || "(no subject)", `email ${k}: subject`);
    assert.equal(await pane.locator("#email-from").textContent(), `${who.name} <alex.member@example.com>`);
    const shown = await pane.locator("#attachments li:not([data-id=email-file]) .name").allTextContents();
    assert.deepEqual(shown, names, `email ${k}: every name as text`);

    if (signedInToMicrosoft) await pane.locator("#save").click();
    else await clickAndSignIn(context, pane, "#save");
    signedInToMicrosoft = true;
    await pane.locator("#summary[data-state=done]").waitFor({ timeout: 120_000 });

    // No element, no dialog, no script from the email.
    const injected = await frame().evaluate((n) => ({
      pwned: window.__pwned ?? null,
      elements: document.body.querySelectorAll("img, svg, iframe, object, embed, math, video, audio, style, a[href^='javascript']").length,
      scripts: document.scripts.length - n,
    }), baseline);
    assert.deepEqual(injected, { pwned: null, elements: 0, scripts: 0 }, `email ${k}`);
    assert.equal(await page.evaluate(() => window.__pwned ?? null), null);
    assert.deepEqual(dialogs, []);

    // Stored, each once, byte for byte, under a safe name iMIS took (so its JSON was valid).
    const failed = await pane.locator("#summary-list li[data-status=failed]").allTextContents();
    const notice = await pane.locator("#summary-notice").textContent();
    assert.deepEqual(failed, [], `email ${k}: nothing failed (${notice})`);
    assert.equal(notice, "", `email ${k}: no notice`);
    const state = await h.imisState();
    const folder = state.documents.find((d) => d.DocumentTypeId === "FOL" && d.createdBy !== "system" && state.documents.some((x) => x.FolderPath === d.Path && x.sha256 === message.attachments[0].sha256));
    assert.ok(folder, `email ${k}: its folder`);
    assert.ok(!UNSAFE.test(folder.Name) && folder.Name.length <= 100, `folder name ${JSON.stringify(folder.Name)}`);
    const stored = state.documents.filter((d) => d.FolderPath === folder.Path);
    assert.equal(stored.length, names.length + 1, "every attachment and the email itself");
    for (const a of message.attachments) assert.equal(stored.filter((d) => d.sha256 === a.sha256).length, 1, `${JSON.stringify(a.name)} once`);
    for (const d of stored) {
      assert.ok(!UNSAFE.test(d.Name), `unsafe stored name ${JSON.stringify(d.Name)}`);
      assert.ok([...d.Name].length <= 100 && d.Name.length > 0, `length of ${JSON.stringify(d.Name)}`);
      assert.ok(!RESERVED.test(d.Name), `reserved ${JSON.stringify(d.Name)}`);
      assert.ok(!/^[. ]|[. ]$/.test(d.Name), `dots or spaces at an end: ${JSON.stringify(d.Name)}`);
      assert.ok(!d.Name.includes("\ufffd\ufffd\ufffd"), `mangled: ${JSON.stringify(d.Name)}`);
    }
    assert.equal(new Set(stored.map((d) => d.Name.toLowerCase())).size, stored.length, "distinct names");
    assert.equal(state.activities.length, k + 1, "one activity per email");
  }
  const requests = (await h.imisState()).requests;
  assert.ok(!requests.some((r) => r.status === 400), `iMIS refused nothing: ${JSON.stringify(requests.filter((r) => r.status === 400).slice(0, 3))}`);
  assert.ok(imisFixture.users.length > 0);
  await context.close();
});
