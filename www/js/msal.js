// Microsoft Graph tokens through MSAL.js, in the order Microsoft recommends for Outlook
// add-ins: nested app authentication (Outlook brokers the sign-in), then MSAL's own
// popup, then, when the popup is blocked, an Office dialog running MSAL's redirect flow.
// Tokens stay in MSAL's session cache or in memory here; nothing writes them elsewhere
// or logs them. The pane loads this module (and MSAL) only when it first needs a token:
// www/js/auth.js.

import {
  createNestablePublicClientApplication,
  createStandardPublicClientApplication,
  InteractionRequiredAuthError,
} from "@azure/msal-browser";
import { forgetMsalSession } from "./auth.js";
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

/** MSAL's errors when the user closed the sign-in window, in words (the code kept). */
const CANCELLED = {
  user_cancelled: "You closed the Microsoft sign-in window before signing in.",
  timed_out: "The Microsoft sign-in window did not finish signing in.",
};

/** Set when the user closed a sign-in window MSAL still waits for: the next popup may
 * override that interaction (PopupRequest.overrideInteractionInProgress). */
let abandoned = false;

/** MSAL's popup, watched: MSAL 5 waits for its answer up to a minute (timed_out) when
 * the user closes the window, so the pane notices a closed window itself. The window is
 * the one MSAL opens through `window.open`, caught as it opens. */
async function watchedPopup(app, request) {
  const open = window.open;
  let popup = null;
  window.open = function (...args) {
    popup = open.apply(this, args);
    return popup;
  };
  let pending;
  try {
    pending = app.acquireTokenPopup({ ...request, ...(abandoned ? { overrideInteractionInProgress: true } : {}) });
  } finally {
    window.open = open;
  }
  abandoned = false;
  let timer;
  let settled = false;
  const closed = new Promise((_, reject) => {
    timer = setInterval(() => {
      if (!popup?.closed) return;
      clearInterval(timer);
      // A moment's grace: an answer already on its way wins.
      setTimeout(() => {
        if (settled) return;
        abandoned = true;
        reject(Object.assign(new Error("closed"), { errorCode: "user_cancelled" }));
      }, 1000);
    }, 250);
  });
  try {
    return await Promise.race([pending, closed]);
  } finally {
    settled = true;
    clearInterval(timer);
    pending.catch(() => {}); // MSAL may still end its abandoned wait later
  }
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
  try {
    const result = await watchedPopup(app, { scopes, loginHint: await loginHint() });
    app.setActiveAccount(result.account);
    return result.accessToken;
  } catch (e) {
    if (!CANCELLED[e.errorCode]) throw e;
    const said = new Error(`${CANCELLED[e.errorCode]} (${e.errorCode})`);
    said.errorCode = e.errorCode;
    throw said;
  }
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
      // Office's dialog events (DialogEventReceived): 12002 page not found, 12003 an
      // http: page, 12006 closed by the user.
      const said = {
        12002: "The sign-in window's page could not be found (12002): the add-in's files may be incomplete on its web server.",
        12003: "The sign-in window went to a page that is not https (12003), which Outlook refuses.",
        12006: "You closed the Microsoft sign-in window before signing in (12006).",
      };
      dialog.addEventHandler(Office.EventType.DialogEventReceived, (arg) => {
        dialog.close();
        reject(new Error(said[arg.error] ?? `The sign-in window reported error ${arg.error}.`));
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

/** Forgets every Microsoft token and account this pane holds: MSAL's cache, the
 * dialog's tokens. MSAL's nested (NAA) client has no clearCache or logout (they throw
 * unsupported_method), so under NAA the pane drops the client and MSAL's entries for
 * this app from session storage; Outlook's own sign-in stays as it is. */
export async function signOut(settings) {
  dialogTokens = new Map();
  for (const [kind, pending] of Object.entries(clients)) {
    const app = await pending;
    if (kind === "standard") await app.clearCache();
  }
  clients = {};
  clientsKey = "";
  forgetMsalSession(settings);
}
