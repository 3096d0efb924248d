// MSAL probe page: real @azure/msal-browser (5.30) against the local identity provider stand-in,
// configured exactly as a non-Microsoft OpenID Connect authority needs (see ../server.mjs header).
// The self-test drives window.probe with Playwright; the buttons are for trying it by hand.
// MSAL 5 has no static PublicClientApplication.createPublicClientApplication: use
// createStandardPublicClientApplication (or new PublicClientApplication(c) + await initialize()).
import { createStandardPublicClientApplication } from '@azure/msal-browser';

const q = new URLSearchParams(location.search);
const authority = q.get('authority') || 'https://127.0.0.1:3200/7d3f5c1a-2b4e-4f6a-9c8d-1e2f3a4b5c6d/';
const defaultScopes = [q.get('scope') || 'https://127.0.0.1:3300/Mail.Read'];

export const msalConfig = {
  auth: {
    clientId: q.get('clientId') || '4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43',
    authority,
    knownAuthorities: [new URL(authority).host], // "127.0.0.1:3200"
    redirectUri: new URL('auth-redirect.html', location.href).href,
  },
  cache: { cacheLocation: 'sessionStorage' },
  system: { protocolMode: 'OIDC' }, // MSAL 5: protocolMode belongs to `system`, not `auth`
};

let pca;
const account = () => pca.getActiveAccount() || pca.getAllAccounts()[0];
const result = (r) => {
  if (r.account) pca.setActiveAccount(r.account);
  return { accessToken: r.accessToken, idToken: r.idToken, scopes: r.scopes, fromCache: r.fromCache,
    expiresOn: r.expiresOn && r.expiresOn.toISOString(), tokenType: r.tokenType,
    account: r.account && { username: r.account.username, homeAccountId: r.account.homeAccountId,
      tenantId: r.account.tenantId, localAccountId: r.account.localAccountId, name: r.account.name } };
};
const guard = (fn) => async (...args) => {
  try { return show(result(await fn(...args))); } catch (e) {
    return show({ error: { name: e.name, errorCode: e.errorCode, subError: e.subError, message: e.message } });
  }
};
function show(o) {
  const shown = { ...o, accessToken: o.accessToken && `${o.accessToken.slice(0, 24)}…`, idToken: undefined };
  document.getElementById('out').textContent = JSON.stringify(shown, null, 2);
  return o;
}

window.probe = {
  config: msalConfig,
  ready: createStandardPublicClientApplication(msalConfig).then((app) => { pca = app; return true; }),
  silent: guard((scopes = defaultScopes, extra = {}) => pca.acquireTokenSilent({ scopes, account: account(), ...extra })),
  popup: guard((scopes = defaultScopes, extra = {}) => pca.acquireTokenPopup({ scopes, ...extra })),
  ssoSilent: guard((scopes = defaultScopes, extra = {}) => pca.ssoSilent({ scopes, ...extra })),
  accounts: () => pca.getAllAccounts().map((a) => ({ username: a.username, homeAccountId: a.homeAccountId })),
};
document.getElementById('popup').onclick = () => window.probe.popup();
document.getElementById('silent').onclick = () => window.probe.silent();
