// `npm run screenshots`: the README's pictures of the real pane, made from the demo
// (local build, the stand-ins, headless Chromium), so they stay current. Writes
// docs/screenshots/*.png: light, dark, narrow (320 px), Setup, saving, the result, an
// email already saved, an error with its details, Setup changing settings for everyone.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { clickAndSignIn, control, imisFixture, openPane, signInImis, startHarness, submitImisSignIn } from "../tests/e2e/harness.mjs";

const out = fileURLToPath(new URL("../docs/screenshots/", import.meta.url));
mkdirSync(out, { recursive: true });
const h = await startHarness();

async function shoot(name, { width = 360, theme = "light", state, full = false }) {
  // Mailbox 1.14 is where Outlook gives the pane its theme (Office.context.officeTheme).
  const { context, page, pane } = await openPane(h, { requirements: "Mailbox:1.15", query: { theme }, waitFor: "#imis-sign-in" });
  await page.setViewportSize({ width: width + 700, height: 900 });
  await page.evaluate((w) => { document.querySelector("#taskpane-container").style.width = `${w}px`; }, width);
  await state(pane, context);
  await page.waitForTimeout(300);
  // The pane's whole height, so the sticky footer and what is below the fold show too.
  const height = await pane.locator("body").evaluate((b) => b.scrollHeight);
  if (full) await page.evaluate((hgt) => { document.querySelector("#taskpane-container").style.height = `${hgt + 60}px`; }, height);
  await page.locator("#taskpane-container").screenshot({ path: `${out}${name}.png` });
  console.log(`docs/screenshots/${name}.png`);
  await context.close();
}

try {
  await h.reset();
  await shoot("sign-in", { state: async () => {} });
  await shoot("choose-light", { state: (pane) => signInImis(pane) });
  await shoot("choose-dark", { theme: "dark", state: (pane) => signInImis(pane) });
  await shoot("narrow-320", { width: 320, state: (pane) => signInImis(pane) });
  await shoot("setup", {
    state: async (pane) => {
      await pane.locator("#menu-button").click();
      await pane.locator("#menu-setup").click();
    },
  });
  await shoot("saved", {
    state: async (pane, context) => {
      await signInImis(pane);
      await clickAndSignIn(context, pane, "#save");
      await pane.locator("#summary[data-state=done]").waitFor({ timeout: 60_000 });
    },
  });
  await h.reset();
  await shoot("saving", {
    state: async (pane, context) => {
      await signInImis(pane);
      // iMIS slowed down so the progress can be seen: one line overall, a bar per file.
      await control(h.urls.imis, "/faults", [{ match: "POST /api/Document", exact: true, delayMs: 4000, times: 20 }]);
      await clickAndSignIn(context, pane, "#save");
      await pane.locator("#attachments li[data-state=saved]").first().waitFor({ timeout: 60_000 });
    },
  });
  await control(h.urls.imis, "/faults", []);
  await shoot("already-saved", {
    state: async (pane) => {
      await signInImis(pane);
      await pane.locator("#already-saved").waitFor({ state: "visible" });
      await pane.locator("#attachments .state[data-phase=existing]").first().waitFor();
    },
  });
  await h.reset();
  await shoot("error", {
    state: async (pane) => {
      await submitImisSignIn(pane, "not the password");
      await pane.locator("#error-box").waitFor({ state: "visible" });
      await pane.locator("#error-more").evaluate((d) => { if (!d.hidden) d.open = true; });
    },
  });
  await control(h.urls.imis, "/folder", { path: "$/Common/SaveToImis" });
  const admin = imisFixture.users.find((u) => u.username === "admin");
  await shoot("setup-for-everyone", {
    full: true,
    state: async (pane) => {
      await submitImisSignIn(pane, admin.password, admin.username);
      await pane.locator("#contacts input[type=checkbox]").first().waitFor();
      await pane.locator("#menu-button").click();
      await pane.locator("#menu-setup").click();
      await pane.locator("#setup-org-edit").click();
    },
  });
} finally {
  await h.close();
}
