// Task pane probe: what the add-in's pane does to get a Graph token inside the simulated Outlook, with real
// @azure/msal-browser 5.30. Query: office (the simulated Outlook's origin, office.js is loaded from there),
// authority, clientId, scope, known=0 (leave knownAuthorities out), wait=onReady (create MSAL only after
// Office.onReady; by default it is created as soon as office.js has loaded, so MSAL's
// window.__initializeNestedAppAuth hook must hold it until the host has answered).
// auto=popup-then-dialog: once MSAL is ready and ?autoDelay ms have passed (a user activation lasts about 5 s in
// Chromium, and a click in the host page counts for the pane's frame too), with no user gesture, what the add-in
// does when NAA is not there: acquireTokenPopup, and when the browser blocks that window (BrowserAuthError
// popup_window_error), an Office dialog at ?dialog=<start address>; the steps go to probe.auto (dialog events to
// probe.events).
// createNestablePublicClientApplication gives the nested (NAA) client when office.js has defined
// window.nestedAppAuthBridge (host claims NestedAppAuth 1.1), else the standard one (popup + redirect bridge).
// The Outlook self-test drives window.probe inside the host page's task pane iframe.
import { createNestablePublicClientApplication } from '@azure/msal-browser';

const q = new URLSearchParams(location.search);
const authority = q.get('authority') || 'https://127.0.0.1:3200/7d3f5c1a-2b4e-4f6a-9c8d-1e2f3a4b5c6d/';
const defaultScopes = [q.get('scope') || 'https://127.0.0.1:3300/Mail.Read'];
const config = {
  auth: {
    clientId: q.get('clientId') || '4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43',
    authority,
    ...(q.get('known') !== '0' && { knownAuthorities: [new URL(authority).host] }),
    redirectUri: new URL('auth-redirect.html', location.href).href,
  },
  cache: { cacheLocation: 'sessionStorage' },
  system: { protocolMode: 'OIDC' },
};

const loadOffice = () => new Promise((resolve, reject) => {
  const script = Object.assign(document.createElement('script'), { src: `${q.get('office')}/office.js`, onload: resolve, onerror: reject });
  document.head.append(script);
});

let pca;
const events = []; // dialog events, in order: {eventType, args}
let dialog = null;
const account = () => pca.getActiveAccount() || pca.getAllAccounts()[0];
const result = (r) => {
  if (r.account) pca.setActiveAccount(r.account);
  return { accessToken: r.accessToken, idToken: r.idToken, scopes: r.scopes, fromCache: r.fromCache, authority: r.authority,
    expiresOn: r.expiresOn && r.expiresOn.toISOString(),
    account: r.account && { username: r.account.username, homeAccountId: r.account.homeAccountId, environment: r.account.environment,
      tenantId: r.account.tenantId, localAccountId: r.account.localAccountId, name: r.account.name } };
};
const errorOf = (e) => ({ error: { name: e.name, errorCode: e.errorCode, subError: e.subError, code: e.code, message: e.message } });
const guard = (fn) => async (...args) => {
  try { return show(result(await fn(...args))); } catch (e) { return show(errorOf(e)); }
};
function show(o) {
  const shown = { ...o, accessToken: o.accessToken && `${o.accessToken.slice(0, 24)}…`, idToken: undefined };
  document.getElementById('out').textContent = JSON.stringify(shown, null, 2);
  return o;
}

window.probe = {
  config,
  events,
  ready: loadOffice()
    .then(() => (q.get('wait') === 'onReady' ? Office.onReady() : null))
    .then(() => createNestablePublicClientApplication(config))
    .then((app) => {
      pca = app;
      return { controller: pca.controller?.constructor?.name, bridge: typeof window.nestedAppAuthBridge };
    }),
  silent: guard((scopes = defaultScopes, extra = {}) => pca.acquireTokenSilent({ scopes, account: account(), ...extra })),
  popup: guard((scopes = defaultScopes, extra = {}) => pca.acquireTokenPopup({ scopes, ...extra })),
  accounts: () => pca.getAllAccounts().map((a) => ({ username: a.username, homeAccountId: a.homeAccountId, environment: a.environment })),
  authContext: () => Office.auth.getAuthContext().then((c) => c, (e) => ({ error: { name: e.name, code: e.code, message: e.message } })),
  // Office.context.ui.displayDialogAsync; resolves with the AsyncResult (the Dialog as "opened": true).
  openDialog: (url, options = {}) => new Promise((resolve) => {
    Office.context.ui.displayDialogAsync(url, options, (r) => {
      if (r.status === 'succeeded') {
        dialog = r.value;
        for (const eventType of [Office.EventType.DialogMessageReceived, Office.EventType.DialogEventReceived]) {
          dialog.addEventHandler(eventType, (args) => events.push({ eventType, args }));
        }
      }
      resolve({ status: r.status, error: r.error, opened: r.status === 'succeeded' });
    });
  }),
  closeDialog: () => { dialog.close(); dialog = null; },
};

async function auto() {
  const steps = window.probe.auto;
  await window.probe.ready;
  await new Promise((resolve) => setTimeout(resolve, Number(q.get('autoDelay') ?? 0)));
  try {
    await pca.acquireTokenPopup({ scopes: defaultScopes });
    return steps.push({ popup: 'token' });
  } catch (e) {
    steps.push({ popup: e.errorCode, name: e.name });
    if (e.errorCode !== 'popup_window_error') return;
  }
  console.info('probe: the popup was blocked; opening an Office dialog'); // a test can wait for this without touching the page
  const r = await window.probe.openDialog(q.get('dialog'), { height: 60, width: 40 });
  steps.push({ dialog: r.opened ? 'opened' : r.error.code });
}
if (q.get('auto') === 'popup-then-dialog') {
  window.probe.auto = [];
  auto().catch((e) => window.probe.auto.push({ failed: String(e) }));
}
