// The Office dialog's sign-in page, used when the browser blocks MSAL's popup: MSAL's
// redirect flow runs in this window (Outlook opened it, so no popup blocker applies),
// and the token goes back to the task pane with messageParent. The request survives the
// round trip to Microsoft in this window's sessionStorage (no token is stored there by us).
import { createStandardPublicClientApplication } from "@azure/msal-browser";
import { msalConfig } from "./msal.js";

const KEY = "save-to-imis.dialog-request";

function reply(answer) {
  Office.context.ui.messageParent(JSON.stringify(answer));
}

async function run() {
  await Office.onReady();
  const query = new URLSearchParams(window.location.search);
  if (query.has("clientId")) {
    sessionStorage.setItem(KEY, JSON.stringify({
      clientId: query.get("clientId"),
      authority: query.get("authority"),
      scopes: query.get("scopes").split(" "),
    }));
  }
  const request = JSON.parse(sessionStorage.getItem(KEY) ?? "null");
  if (!request) throw new Error("the sign-in window was opened without a request");
  const app = await createStandardPublicClientApplication(msalConfig(request, "auth-dialog.html"));
  const result = await app.handleRedirectPromise();
  if (result) {
    sessionStorage.removeItem(KEY);
    reply({ accessToken: result.accessToken, expiresOn: result.expiresOn?.getTime() ?? Date.now() + 300_000 });
    return;
  }
  const hint = Office.context?.mailbox?.userProfile?.emailAddress;
  await app.acquireTokenRedirect({ scopes: request.scopes, loginHint: hint });
}

run().catch((e) => reply({ error: `Sign-in failed: ${e.message ?? e}` }));
