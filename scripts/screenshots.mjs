// `npm run screenshots`: the README's pictures of the real pane, made from the demo
// (local build, the stand-ins, headless Chromium), so they stay current. Writes
// docs/screenshots/*.png: light, dark, narrow (320 px), Setup, the result.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { clickAndSignIn, openPane, signInImis, startHarness } from "../tests/e2e/harness.mjs";

const out = fileURLToPath(new URL("../docs/screenshots/", import.meta.url));
mkdirSync(out, { recursive: true });
const h = await startHarness();

async function shoot(name, { width = 360, theme = "light", state }) {
  // Mailbox 1.14 is where Outlook gives the pane its theme (Office.context.officeTheme).
  const { context, page, pane } = await openPane(h, { requirements: "Mailbox:1.15", query: { theme }, waitFor: "#imis-sign-in" });
  await page.setViewportSize({ width: width + 700, height: 900 });
  await page.evaluate((w) => { document.querySelector("#taskpane-container").style.width = `${w}px`; }, width);
  await state(pane, context);
  await page.waitForTimeout(300);
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
} finally {
  await h.close();
}
