// Microsoft Graph tokens through MSAL.js, in the order Microsoft recommends for Outlook
// add-ins: nested app authentication (Outlook brokers the sign-in), then MSAL's own
// popup, then, when the popup is blocked, an Office dialog running MSAL's redirect flow.
// Tokens stay in MSAL's session cache or in memory here; nothing writes them elsewhere
// or logs them.

import {
  createNestablePublicClientApplication,
  createStandardPublicClientApplication,
  InteractionRequiredAuthError,
} from "@azure/msal-browser";
import { config } from "./config.js";

const POPUP_BLOCKED = new Set(["popup_window_error", "empty_window_error", "block_nested_popups"]);

let clients = {};
let clientsKey = "";
/** Tokens the dialog returned, by scope list: in memory only. */
let dialogTokens = new Map();

/** MSAL's configuration for the app in Setup; `redirectPage` is where sign-in returns. */
export function msalConfig(settings, redirectPage = "auth-redirect.html") {
  const host = new URL(settings.authority).host;
  // A sign-in host an administrator allowed besides Microsoft's is plain OpenID Connect.
  const oidc = config.extraClouds.some((c) => c.authorityHost === host);
  return {
    auth: {
      clientId: settings.clientId,
      authority: settings.authority,
      redirectUri: new URL(redirectPage, window.location.href).href,
      ...(oidc ? { knownAuthorities: [host] } : {}),
    },
    cache: { cacheLocation: "sessionStorage" },
    ...(oidc ? { system: { protocolMode: "OIDC" } } : {}),
  };
}

/** MSAL clients for the configured app; rebuilt when Setup changes the client ID or authority. */
async function client(kind, settings) {
  const key = `${settings.clientId}|${settings.authority}`;
  if (key !== clientsKey) {
    clients = {};
    dialogTokens = new Map();
    clientsKey = key;
  }
  clients[kind] ??= kind === "nested"
    ? createNestablePublicClientApplication(msalConfig(settings))
    : createStandardPublicClientApplication(msalConfig(settings));
  return clients[kind];
}

function nestedAppAuthAvailable() {
  return Boolean(globalThis.Office?.context?.requirements?.isSetSupported("NestedAppAuth", "1.1"));
}

async function loginHint() {
  try {
    const context = await globalThis.Office?.auth?.getAuthContext?.();
    if (context?.userPrincipalName) return context.userPrincipalName;
  } catch {
    // No identity API on this host: the mailbox owner's address will do.
  }
  return globalThis.Office?.context?.mailbox?.userProfile?.emailAddress;
}

/** Silent first (cache, then refresh token); interactive when the user must act. */
async function msalToken(app, scopes, forceRefresh) {
  const account = app.getActiveAccount() ?? app.getAllAccounts()[0];
  if (account) {
    try {
      return (await app.acquireTokenSilent({ scopes, account, forceRefresh })).accessToken;
    } catch (e) {
      if (!(e instanceof InteractionRequiredAuthError)) throw e;
    }
  }
  const result = await app.acquireTokenPopup({ scopes, loginHint: await loginHint() });
  app.setActiveAccount(result.account);
  return result.accessToken;
}

/** Sign-in in an Office dialog (a window Outlook opens, so no popup blocker applies). */
function dialogToken(settings, scopes) {
  const key = scopes.join(" ");
  const cached = dialogTokens.get(key);
  if (cached && cached.expiresOn > Date.now() + 60_000) return Promise.resolve(cached.accessToken);
  const url = new URL("auth-dialog.html", window.location.href);
  url.search = new URLSearchParams({ clientId: settings.clientId, authority: settings.authority, scopes: key }).toString();
  return new Promise((resolve, reject) => {
    Office.context.ui.displayDialogAsync(url.href, { height: 60, width: 30 }, (opened) => {
      if (opened.status !== Office.AsyncResultStatus.Succeeded) {
        reject(new Error(`Outlook could not open the sign-in window (${opened.error.code}): ${opened.error.message}`));
        return;
      }
      const dialog = opened.value;
      dialog.addEventHandler(Office.EventType.DialogMessageReceived, (arg) => {
        dialog.close();
        let answer;
        try {
          answer = JSON.parse(arg.message);
        } catch {
          reject(new Error("The sign-in window sent an answer that is not JSON."));
          return;
        }
        if (answer.error) {
          reject(new Error(answer.error));
          return;
        }
        dialogTokens.set(key, { accessToken: answer.accessToken, expiresOn: answer.expiresOn });
        resolve(answer.accessToken);
      });
      dialog.addEventHandler(Office.EventType.DialogEventReceived, (arg) => {
        reject(new Error(arg.error === 12006 ? "The sign-in window was closed before signing in." : `Sign-in window error ${arg.error}.`));
      });
    });
  });
}

/**
 * The token function the Rust core calls: `(scopes, forceRefresh) => Promise<token>`.
 */
export function graphTokenSource(currentSettings) {
  return async (scopes, forceRefresh) => {
    const settings = currentSettings();
    if (nestedAppAuthAvailable()) {
      return msalToken(await client("nested", settings), scopes, forceRefresh);
    }
    if (forceRefresh) dialogTokens.delete(scopes.join(" "));
    if (dialogTokens.has(scopes.join(" "))) return dialogToken(settings, scopes);
    try {
      return await msalToken(await client("standard", settings), scopes, forceRefresh);
    } catch (e) {
      if (!POPUP_BLOCKED.has(e.errorCode) || !globalThis.Office?.context?.ui?.displayDialogAsync) throw e;
      return dialogToken(settings, scopes);
    }
  };
}

/** Forgets every Microsoft token this pane holds (MSAL's cache and the dialog's). */
export async function signOut() {
  dialogTokens = new Map();
  for (const app of Object.values(clients)) {
    await (await app).clearCache();
  }
  clients = {};
}
