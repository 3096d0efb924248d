// Office dialog probe: the add-in's third way to a Graph token. The pane opens
// dialog.html?office=..&authority=..&clientId=..&scope=..&loginHint=.. with displayDialogAsync; this page keeps
// those settings in the dialog window's sessionStorage, runs real MSAL's redirect flow (redirectUri: this page
// without its query; MSAL then navigates back to the start URL and finishes there), and hands
// {accessToken, username, loads} (or {error}) to the pane with Office.context.ui.messageParent. `loads` counts
// this page's loads in the window, i.e. how many times office.js started here.
import { createStandardPublicClientApplication } from '@azure/msal-browser';

const KEY = 'msal-probe-dialog';
const q = new URLSearchParams(location.search);
if (q.has('clientId')) sessionStorage.setItem(KEY, JSON.stringify(Object.fromEntries(q)));
const cfg = JSON.parse(sessionStorage.getItem(KEY) ?? '{}');
const loads = Number(sessionStorage.getItem(`${KEY}:loads`) ?? 0) + 1;
sessionStorage.setItem(`${KEY}:loads`, String(loads));

const loadOffice = () => new Promise((resolve, reject) => {
  document.head.append(Object.assign(document.createElement('script'), { src: `${cfg.office}/office.js`, onload: resolve, onerror: reject }));
});
const send = (o) => {
  document.getElementById('out').textContent = o.error ? `Sign-in failed: ${o.error.message}` : 'Signed in.';
  Office.context.ui.messageParent(JSON.stringify(o));
};

(async () => {
  await loadOffice();
  await Office.onReady();
  try {
    const pca = await createStandardPublicClientApplication({
      auth: { clientId: cfg.clientId, authority: cfg.authority, knownAuthorities: [new URL(cfg.authority).host],
        redirectUri: new URL('dialog.html', location.href).href },
      cache: { cacheLocation: 'sessionStorage' },
      system: { protocolMode: 'OIDC' },
    });
    const r = await pca.handleRedirectPromise();
    if (r) return send({ accessToken: r.accessToken, username: r.account?.username, loads });
    await pca.acquireTokenRedirect({ scopes: [cfg.scope], ...(cfg.loginHint && { loginHint: cfg.loginHint }) });
  } catch (e) {
    send({ error: { errorCode: e.errorCode, message: e.message }, loads });
  }
})();
