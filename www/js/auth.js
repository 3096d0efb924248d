// Microsoft Graph tokens through MSAL.js. Tokens stay in MSAL's session cache and in
// memory; nothing here writes them anywhere else or logs them.

import { createStandardPublicClientApplication, InteractionRequiredAuthError } from "@azure/msal-browser";
import { config } from "./config.js";

let msal = null;
let msalKey = "";

/** MSAL for the configured app; rebuilt when Setup changes the client ID or authority. */
async function client(settings) {
  const key = `${settings.clientId}|${settings.authority}`;
  if (msal && key === msalKey) return msal;
  const host = new URL(settings.authority).host;
  // A sign-in host an administrator allowed besides Microsoft's is plain OpenID Connect.
  const oidc = config.extraClouds.some((c) => c.authorityHost === host);
  msal = await createStandardPublicClientApplication({
    auth: {
      clientId: settings.clientId,
      authority: settings.authority,
      redirectUri: new URL("auth-redirect.html", window.location.href).href,
      ...(oidc ? { knownAuthorities: [host] } : {}),
    },
    cache: { cacheLocation: "sessionStorage" },
    ...(oidc ? { system: { protocolMode: "OIDC" } } : {}),
  });
  msalKey = key;
  return msal;
}

/**
 * The token function the Rust core calls: `(scopes, forceRefresh) => Promise<token>`.
 * Silent first (cache, then refresh token); a popup when the user must sign in.
 */
export function graphTokenSource(currentSettings) {
  return async (scopes, forceRefresh) => {
    const settings = currentSettings();
    const app = await client(settings);
    const account = app.getActiveAccount() ?? app.getAllAccounts()[0];
    if (account) {
      try {
        const result = await app.acquireTokenSilent({ scopes, account, forceRefresh });
        return result.accessToken;
      } catch (e) {
        if (!(e instanceof InteractionRequiredAuthError)) throw e;
      }
    }
    const loginHint = Office.context?.mailbox?.userProfile?.emailAddress;
    const result = await app.acquireTokenPopup({ scopes, loginHint });
    app.setActiveAccount(result.account);
    return result.accessToken;
  };
}
