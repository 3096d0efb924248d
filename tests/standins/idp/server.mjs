// Identity provider stand-in: a small OpenID Connect authority shaped like Microsoft Entra ID
// (v2.0 endpoints), for the demo and the tests. Real MSAL.js signs in against it.
//
// Reference: ../shared/reference/graph-and-office.md, "Getting a Graph token in the task pane"
// (MSAL, authority, knownAuthorities + protocolMode "OIDC") and its sign-in error codes
// (AADSTS65001, 700016, 50011, 90002, 50020); ../shared/reference/toolchain.md, "Sign-in
// against a local authority" (https only); tests/standins/README.md (common contract).
//
// Tenants: `common`, `organizations`, the fixture's tenantId, or a user's mail domain. Any other
// path segment answers AADSTS90002. Per tenant T (all of them answer the same directory):
//   GET  /T/v2.0/.well-known/openid-configuration  (and /T/.well-known/openid-configuration, the
//        path MSAL 5.30 fetches for a non-Microsoft host with system.protocolMode "OIDC"; the v2.0
//        path is what it fetches in the default AAD mode, e.g. when protocolMode is wrongly put
//        under `auth`, where 5.30 ignores it). issuer is
//        https://HOST:PORT/{tid}/v2.0 (literally "{tenantid}" for common/organizations, as Entra).
//        MSAL only checks that the issuer's scheme+host+port equal the authority's.
//   GET  /T/discovery/v2.0/keys                    JWKS (RS256 key generated at start, kid = thumbprint)
//   GET|POST /T/oauth2/v2.0/authorize              code flow + PKCE; HTML sign-in form for the fixture
//        users (its "Cancel" button closes the window, as a user closing the sign-in popup does); login_hint prefills; prompt=none|login|select_account; SSO via the ESTSAUTH cookie;
//        response_mode query (default) | fragment | form_post. Client, redirect-URI and tenant
//        errors are shown on an IdP page (status 400), later errors are redirected back with
//        error/error_description ("AADSTSnnnnn: ...")/state. Cookies ignore ports: every server
//        on 127.0.0.1 receives ESTSAUTH (HttpOnly, Secure, SameSite=None).
//   POST /T/oauth2/v2.0/token                      grant_type authorization_code (code_verifier,
//        S256 or plain; single-use codes, 10 min; exact redirect_uri) and refresh_token (SPA refresh
//        tokens: fixed 24 h lifetime, rotated). Needs an Origin header (SPA tokens are redeemed
//        cross-origin only, AADSTS9002327); CORS echoes the Origin. Errors are Entra's JSON:
//        { error, error_description, error_codes, timestamp, trace_id, correlation_id, suberror? }.
//   POST /T/oauth2/v2.0/token  grant_type=urn:standin:grant-type:nested-app-broker   THE BROKER GRANT, a
//        stand-in for the token request Outlook's own MSAL makes for a nested add-in (NAA). In Entra that is
//        grant_type=refresh_token with the HOST's refresh token, client_id = the nested app,
//        redirect_uri = brk-multihub://{add-in host:port}, brk_client_id / brk_redirect_uri = the host app
//        (MSAL's embeddedClientId docs; learn.microsoft.com "Enable SSO in an Office Add-in with nested app
//        authentication": the app must register the SPA redirect URI brk-multihub://{domain}, origin only).
//        The simulated Outlook has no sign-in of its own, so here the IdP trusts a REGISTERED BROKER by
//        configuration instead of by a refresh token: start({ brokers: [{ clientId, name, redirectUris }] })
//        (default: the simulated Outlook, BROKER_CLIENT_ID with https://127.0.0.1:3100/). Parameters:
//          client_id          the nested app (AADSTS700016 if unknown)
//          redirect_uri       brk-multihub://host[:port], registered for that app (else AADSTS50011)
//          brk_client_id      a registered broker (else AADSTS700016 naming it)
//          brk_redirect_uri   one of the broker's redirect URIs (else AADSTS50011), and the request's
//                             Origin header (set by the browser, not by page script) must be its origin
//                             (else AADSTS9002326): only the host page itself can use the grant
//          login_hint         the host's signed-in user, a directory user (else AADSTS50034)
//          scope              as below; consent as for every flow (AADSTS65001); client_info=1 optional
//        -> access_token + id_token (+ client_info) for the NESTED app (aud resource, azp = nested client id),
//        no refresh token (the broker keeps the session). Faults with where "token" or "broker" apply;
//        logged as kind "token", grantType "broker", with redirectUri and brokerClientId.
//        A brk-multihub redirect_uri on /authorize (no browser can be sent there) answers AADSTS900144
//        (brk_client_id missing) on the IdP page.
//   GET  /T/oauth2/v2.0/logout                     ends the session; redirects to
//        post_logout_redirect_uri when its origin is that of a registered (https) redirect URI.
//
// Scopes: "<resource>/<Permission>" (e.g. https://127.0.0.1:3300/Mail.Read), "<resource>/.default"
// (all the client's permissions), or a bare permission (resource = options.defaultResource), plus
// openid profile email offline_access. One resource per request (else AADSTS28000). A permission
// the client does not hold answers AADSTS65001 (authorize: error=consent_required; token:
// invalid_grant, suberror consent_required).
// Access token (RS256, kid): iss https://HOST:PORT/{tid}/v2.0, aud = the resource (e.g.
// https://127.0.0.1:3300), scp = "Mail.Read ...", sub (per app), oid, tid, preferred_username, name,
// azp/appid = client id, iat, nbf, exp, uti, ver "2.0". id_token: aud = client id, nonce, sid and the
// same identity claims. client_info (base64url {"uid":oid,"utid":tid}) as Entra, when asked.
//
// Control endpoints (tests only, CORS on):
//   POST /_control/reset                  sessions, codes, tokens, faults, log and settings back to start
//   GET|POST /_control/settings           { accessTokenLifetimeSeconds, refreshTokenLifetimeSeconds }
//   GET|POST /_control/faults             POST replaces the list: [{ "aadsts": "AADSTS65001", "times": 1,
//                                         "where": "authorize"|"token"|"broker"|"any" (default any) }]; the
//                                         next matching request answers that error (see AADSTS below); "token"
//                                         matches every token grant, "broker" only the broker grant
//   GET  /_control/log                    { entries: [{ at, method, path, kind, tenant, clientId, ... }] }
//                                         (no codes, tokens, verifiers, passwords or cookies)
//   POST /_control/mint                   { scope, user?, clientId? } -> { access_token }: for the browser-adapter
//                                         tests, which have no sign-in page to drive
//   POST /_control/revoke                 ends all sessions, revokes every refresh token (AADSTS50173)
//
// start({ host, port, tls: { key, cert }, mailboxFile, clients, brokers, defaultResource,
//         accessTokenLifetimeSeconds }) -> { url, jwksUrl, authority, issuer, tenantId, close() }
// clients: [{ clientId, name, redirectUris: [...], permissions: ["Mail.Read", ...] }]; a redirect URI is an
//   https URL or brk-multihub://host[:port] (nothing after the authority, as Entra requires); start() throws
//   on anything else. Default: the demo client (DEMO_CLIENT_ID) with https://127.0.0.1:3000/auth-redirect.html,
//   .../taskpane.html and brk-multihub://127.0.0.1:3000.
// brokers: [{ clientId, name, redirectUris: [https URLs] }] hosts allowed the broker grant (see above).
// Standalone: node tests/standins/idp/server.mjs  (IDP_PORT, STANDIN_HOST, IDP_REDIRECT_URIS
// comma-separated, GRAPH_URL for bare scopes; the broker is the simulated Outlook on OUTLOOK_PORT).
import https from 'node:https';
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';

const HERE = fileURLToPath(new URL('.', import.meta.url));
export const DEMO_CLIENT_ID = '4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43';
// The simulated Outlook's own app id as a broker (outlook/server.mjs has the same default).
export const BROKER_CLIENT_ID = 'a0c3f1d2-5b6e-4f7a-8c9d-0e1f2a3b4c5d';
export const BROKER_GRANT = 'urn:standin:grant-type:nested-app-broker';
const BRK_SCHEME = 'brk-multihub:';
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);
const DEFAULT_SETTINGS = { accessTokenLifetimeSeconds: 3600, refreshTokenLifetimeSeconds: 86400 };
const CODE_LIFETIME_S = 600;
const COOKIE = 'ESTSAUTH';

// Entra's error codes: OAuth error (authorize / token), optional suberror, message template.
const AADSTS = {
  16000: ['interaction_required', null, 'Either multiple user identities are available for the current request or selected account is not supported for the scenario.'],
  28000: ['invalid_scope', null, 'Provided value for the input parameter scope is not valid because it contains more than one resource. Scope {scope} is not valid.'],
  50011: ['invalid_request', null, "The redirect URI '{redirectUri}' specified in the request does not match the redirect URIs configured for the application '{clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.", 'page'],
  50020: ['invalid_request', null, "User account '{user}' from identity provider 'live.com' does not exist in tenant '{tenant}' and cannot access the application '{clientId}' in that tenant.", 'page'],
  50034: ['invalid_grant', null, 'The user account {user} does not exist in the {tenant} directory. To sign into this application, the account must be added to the directory.'],
  50058: ['login_required', null, 'A silent sign-in request was sent but no user is signed in.'],
  50076: ['interaction_required', 'basic_action', 'Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.'],
  50126: ['invalid_grant', null, 'Error validating credentials due to invalid username or password.'],
  50173: ['invalid_grant', 'bad_token', 'The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.'],
  54005: ['invalid_grant', null, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.'],
  65001: ['consent_required', 'consent_required', "The user or administrator has not consented to use the application with ID '{clientId}' named '{clientName}'. Send an interactive authorization request for this user and resource.", null, 'invalid_grant'],
  70000: ['invalid_grant', null, 'The provided value for the code or refresh token is not valid: it was issued to a different client.'],
  70003: ['unsupported_grant_type', null, "The app requested an unsupported grant type '{grantType}'."],
  70008: ['invalid_grant', 'bad_token', 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.'],
  90002: ['invalid_tenant', null, "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", 'page'],
  500112: ['invalid_grant', null, "The reply address '{redirectUri}' does not match the reply address '{expected}' provided when requesting Authorization code."],
  501481: ['invalid_grant', null, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.'],
  700016: ['unauthorized_client', null, "Application with identifier '{clientId}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", 'page'],
  700025: ['invalid_client', null, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented."],
  700051: ['unsupported_response_type', null, "response_type '{responseType}' is not enabled for the application."],
  700084: ['invalid_grant', 'bad_token', "The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which can't be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page."],
  900144: ['invalid_request', null, "The request body must contain the following parameter: '{param}'."],
  9002313: ['invalid_grant', null, 'Invalid request. Request is malformed or invalid.'],
  9002325: ['invalid_request', null, 'Proof Key for Code Exchange is required for cross-origin authorization code redemption.'],
  9002326: ['invalid_request', null, "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '{origin}'."],
  9002327: ['invalid_request', null, "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests."],
};

class AadError extends Error {
  constructor(code, vars = {}, over = {}) {
    const [error, suberror, template, display, tokenError] = AADSTS[code] || ['invalid_request', null, 'Injected fault.'];
    const text = template.replace(/\{(\w+)\}/g, (_, k) => vars[k] ?? '');
    super(`AADSTS${code}: ${text}`);
    Object.assign(this, { code, error, suberror, display, tokenError: tokenError || error }, over);
  }
}

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const rand = (n = 32) => crypto.randomBytes(n).toString('base64url');
const sha256 = (s) => crypto.createHash('sha256').update(s).digest();
// The sign-in page's one script: "Cancel" closes the window, as a user closing the sign-in popup (or dialog) does;
// window.close() works for a window a script opened. Allowed by its hash in the page's CSP.
const CANCEL_SCRIPT = "document.getElementById('cancel').addEventListener('click', () => window.close());";
const CANCEL_CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${sha256(CANCEL_SCRIPT).toString('base64')}'`;
const b64url = (s) => Buffer.from(s).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

export async function start({
  host = '127.0.0.1', port = 3200, tls, mailboxFile = `${HERE}../../fixtures/mailbox.json`,
  clients, brokers, defaultResource = 'https://127.0.0.1:3300', accessTokenLifetimeSeconds,
} = {}) {
  const mailbox = JSON.parse(readFileSync(mailboxFile, 'utf8'));
  const tid = mailbox.tenantId;
  const users = mailbox.users.map((u) => ({ ...u, upn: u.mail.toLowerCase() }));
  const domains = new Set(users.map((u) => u.upn.split('@')[1]));
  const clientList = clients || [{
    clientId: DEMO_CLIENT_ID, name: 'Save to iMIS',
    redirectUris: ['https://127.0.0.1:3000/auth-redirect.html', 'https://127.0.0.1:3000/taskpane.html', 'brk-multihub://127.0.0.1:3000'],
    permissions: ['Mail.Read', 'Mail.Read.Shared'],
  }];
  const brokerList = brokers || [{ clientId: BROKER_CLIENT_ID, name: 'Outlook (simulated)', redirectUris: ['https://127.0.0.1:3100/'] }];
  const checkRedirect = (u, brokered) => { // https URL, or brk-multihub://host[:port] with nothing after it
    const url = URL.canParse(u) ? new URL(u) : null;
    const ok = url && (url.protocol === 'https:' || (brokered && url.protocol === BRK_SCHEME && url.host
      && u === `${BRK_SCHEME}//${url.host}` && !url.username && !url.password));
    if (!ok) throw new Error(`idp stand-in: redirect URI ${JSON.stringify(u)} must be https://...${brokered ? ' or brk-multihub://host[:port]' : ''}`);
  };
  clientList.forEach((c) => c.redirectUris.forEach((u) => checkRedirect(u, true)));
  brokerList.forEach((b) => b.redirectUris.forEach((u) => checkRedirect(u, false)));
  const clientById = new Map(clientList.map((c) => [c.clientId.toLowerCase(), { name: c.clientId, permissions: [], ...c }]));
  const brokerById = new Map(brokerList.map((b) => [b.clientId.toLowerCase(), { name: b.clientId, ...b }]));

  const { publicKey, privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk = await jose.exportJWK(publicKey);
  const kid = await jose.calculateJwkThumbprint(jwk);
  const jwks = { keys: [{ ...jwk, kid, use: 'sig', alg: 'RS256' }] };

  const defaults = { ...DEFAULT_SETTINGS, ...(accessTokenLifetimeSeconds ? { accessTokenLifetimeSeconds } : {}) };
  let st;
  const reset = () => {
    st = { settings: { ...defaults }, sessions: new Map(), codes: new Map(), refresh: new Map(), txns: new Map(), faults: [], log: [] };
  };
  reset();

  let base = ''; // https://host:port, known after listen
  const issuer = (t = tid) => `${base}/${t}/v2.0`;
  const tenantOf = (seg) => {
    const s = String(seg || '').toLowerCase();
    return s === 'common' || s === 'organizations' || s === tid.toLowerCase() || domains.has(s) ? s : null;
  };
  const log = (entry) => { st.log.push({ at: new Date().toISOString(), ...entry }); if (st.log.length > 1000) st.log.shift(); };

  function takeFault(...where) {
    const i = st.faults.findIndex((f) => !f.where || f.where === 'any' || where.includes(f.where));
    if (i < 0) return null;
    const f = st.faults[i];
    if (--f.times <= 0) st.faults.splice(i, 1);
    return f;
  }
  const faultError = (f, vars) => {
    const code = Number(String(f.aadsts).replace(/\D/g, ''));
    return new AadError(code, vars, { ...(f.error && { error: f.error, tokenError: f.error }),
      ...(f.description && { message: `AADSTS${code}: ${f.description}` }) });
  };

  // "a/b/Mail.Read c openid" -> { resource, perms, oidc, asked }
  function parseScopes(scope, client, vars) {
    const words = String(scope || '').split(/\s+/).filter(Boolean);
    const oidc = words.filter((w) => OIDC_SCOPES.has(w.toLowerCase())).map((w) => w.toLowerCase());
    const resources = new Set(); const perms = [];
    for (const w of words.filter((w) => !OIDC_SCOPES.has(w.toLowerCase()))) {
      const cut = w.lastIndexOf('/');
      const resource = cut > 0 ? w.slice(0, cut) : defaultResource;
      resources.add(resource.replace(/\/+$/, ''));
      perms.push(cut > 0 ? w.slice(cut + 1) : w);
    }
    if (!words.length) throw new AadError(900144, { param: 'scope' });
    if (resources.size > 1) throw new AadError(28000, { ...vars, scope: words.join(' ') });
    const resource = [...resources][0] || null;
    const granted = perms.includes('.default') ? client.permissions : perms;
    return { resource, perms: [...new Set(granted)], oidc };
  }
  function checkConsent(scopes, client, vars) {
    const lower = client.permissions.map((p) => p.toLowerCase());
    const missing = scopes.perms.filter((p) => !lower.includes(p.toLowerCase()));
    if (missing.length) throw new AadError(65001, vars);
  }

  async function issueTokens({ user, client, scopes, sid, nonce, clientInfo }) {
    const t = now();
    const oid = user.id;
    const sub = sha256(`${oid}|${client.clientId}`).toString('base64url').slice(0, 43);
    const who = { name: user.displayName, oid, preferred_username: user.mail, sub, tid, ver: '2.0' };
    const sign = (claims, exp) => new jose.SignJWT({ ...claims, uti: rand(16) })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
      .setIssuer(issuer()).setIssuedAt(t).setNotBefore(t).setExpirationTime(t + exp).sign(privateKey);
    const life = st.settings.accessTokenLifetimeSeconds;
    const aud = scopes.resource || client.clientId;
    const scp = (scopes.resource ? scopes.perms : scopes.oidc).join(' ');
    const access_token = await sign({ aud, azp: client.clientId, appid: client.clientId, azpacr: '0', scp, ...who }, life);
    const id_token = await sign({ aud: client.clientId, ...(nonce && { nonce }), sid, ...who,
      ...(scopes.oidc.includes('email') && { email: user.mail }) }, 3600);
    const scope = [...(scopes.resource ? scopes.perms.map((p) => `${scopes.resource}/${p}`) : []), ...scopes.oidc].join(' ');
    const out = { token_type: 'Bearer', scope, expires_in: life, ext_expires_in: life, access_token, id_token };
    if (clientInfo) out.client_info = b64url(JSON.stringify({ uid: oid, utid: tid }));
    return out;
  }
  function newRefreshToken(rec) {
    const token = `1.${rand(48)}`;
    st.refresh.set(sha256(token).toString('hex'), rec);
    return { refresh_token: token, refresh_token_expires_in: Math.max(0, rec.exp - now()) };
  }

  // ---- pages ----
  const page = (res, status, title, body, headers = {}) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store',
      'x-frame-options': 'DENY', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'", ...headers });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>body{font-family:system-ui,sans-serif;background:#f2f2f2;margin:0}
main{max-width:440px;margin:40px auto;background:#fff;padding:32px 40px;box-shadow:0 2px 6px rgba(0,0,0,.2)}label{display:block;margin-top:12px}
input{width:100%;box-sizing:border-box;padding:6px;margin-top:4px}button{margin-top:20px;padding:8px 24px;background:#0067b8;color:#fff;border:0}
button.secondary{background:#e6e6e6;color:#000}
.err{color:#e81123}small{color:#666;word-break:break-all}</style></head><body><main>${body}</main></body></html>`);
  };
  const errorPage = (res, err, correlationId) => page(res, 400, 'Sign in to your account',
    `<h1>Sign in</h1><p>Sorry, but we’re having trouble signing you in.</p><p class="err" id="error-code" role="alert">${esc(err.message)}</p>
<small>Request Id: ${esc(rand(12))}<br>Correlation Id: ${esc(correlationId || '')}<br>Timestamp: ${esc(new Date().toISOString())}</small>`);
  const loginPage = (res, action, txn, { hint, message, client }) => page(res, message ? 400 : 200, 'Sign in to your account',
    `<h1>Sign in</h1><p>to continue to ${esc(client.name)}</p>${message ? `<p class="err" id="error" role="alert">${esc(message)}</p>` : ''}
<form method="post" action="${esc(action)}"><input type="hidden" name="txn" value="${esc(txn)}">
<label for="username">Email</label><input id="username" name="username" type="email" autocomplete="username" required value="${esc(hint)}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button id="signin" type="submit">Sign in</button> <button id="cancel" type="button" class="secondary">Cancel</button></form>
<script>${CANCEL_SCRIPT}</script>`, { 'content-security-policy': CANCEL_CSP });

  function respond(res, req, params) { // back to the client's redirect URI
    const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v != null));
    const mode = req.responseMode;
    if (mode === 'form_post') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      return res.end(`<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="${esc(req.redirectUri)}">${
        [...q].map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('')}<noscript><button>Continue</button></noscript></form></body></html>`);
    }
    const sep = mode === 'fragment' ? '#' : req.redirectUri.includes('?') ? '&' : '?';
    res.writeHead(302, { location: `${req.redirectUri}${sep}${q}`, 'cache-control': 'no-store' });
    res.end();
  }
  const redirectError = (res, req, err) => respond(res, req, {
    error: err.error, error_description: err.message, error_uri: `${base}/error?code=${err.code}`,
    ...(err.suberror && { suberror: err.suberror }), correlation_id: req.correlationId, state: req.state });

  function issueCode(res, req, session) {
    const user = users.find((u) => u.id === session.userId);
    const vars = { clientId: req.client.clientId, clientName: req.client.name };
    checkConsent(req.scopes, req.client, vars);
    const code = rand(48);
    st.codes.set(code, { clientId: req.client.clientId, redirectUri: req.redirectUri, challenge: req.challenge, method: req.method,
      nonce: req.nonce, scopes: req.scopes, userId: user.id, sid: session.sid, exp: now() + CODE_LIFETIME_S, used: false });
    log({ kind: 'authorize', tenant: req.tenant, clientId: req.client.clientId, outcome: 'code', user: user.mail });
    respond(res, req, { code, client_info: req.clientInfo ? b64url(JSON.stringify({ uid: user.id, utid: tid })) : null,
      state: req.state, session_state: session.sid });
  }

  const sessionOf = (httpReq) => {
    const m = /(?:^|;\s*)ESTSAUTH=([^;]+)/.exec(httpReq.headers.cookie || '');
    return m ? st.sessions.get(m[1]) || null : null;
  };

  function authorize(httpReq, res, tenantSeg, p) {
    const tenant = tenantOf(tenantSeg);
    const correlationId = p['client-request-id'] || crypto.randomUUID();
    const entry = { kind: 'authorize', method: httpReq.method, tenant: tenantSeg, clientId: p.client_id, prompt: p.prompt, scope: p.scope, responseMode: p.response_mode };
    const fail = (err) => { log({ ...entry, outcome: `AADSTS${err.code}` }); return err; };
    if (!tenant) return errorPage(res, fail(new AadError(90002, { tenant: tenantSeg })), correlationId);
    if (!p.client_id) return errorPage(res, fail(new AadError(900144, { param: 'client_id' })), correlationId);
    const client = clientById.get(String(p.client_id).toLowerCase());
    if (!client) return errorPage(res, fail(new AadError(700016, { clientId: p.client_id, tenant: tenantSeg })), correlationId);
    if (!p.redirect_uri || !client.redirectUris.includes(p.redirect_uri)) {
      return errorPage(res, fail(new AadError(50011, { redirectUri: p.redirect_uri, clientId: client.clientId })), correlationId);
    }
    if (p.redirect_uri.startsWith(BRK_SCHEME)) return errorPage(res, fail(new AadError(900144, { param: 'brk_client_id' })), correlationId);
    const req = { tenant: tenantSeg, client, redirectUri: p.redirect_uri, state: p.state, nonce: p.nonce, correlationId,
      responseMode: ['query', 'fragment', 'form_post'].includes(p.response_mode) ? p.response_mode : 'query',
      challenge: p.code_challenge, method: p.code_challenge_method || 'plain', clientInfo: p.client_info === '1',
      hint: p.login_hint || '', prompt: p.prompt, sid: p.sid };
    const vars = { clientId: client.clientId, clientName: client.name, tenant: tenantSeg, redirectUri: p.redirect_uri };
    try {
      const f = takeFault('authorize');
      if (f) throw faultError(f, vars);
      if (p.response_type !== 'code') throw new AadError(p.response_type ? 700051 : 900144, { responseType: p.response_type, param: 'response_type' });
      if (!req.challenge) throw new AadError(9002325);
      if (!['S256', 'plain'].includes(req.method)) throw new AadError(9002313, {}, { error: 'invalid_request' });
      req.scopes = parseScopes(p.scope, client, vars);
    } catch (err) {
      fail(err);
      return err.display === 'page' ? errorPage(res, err, correlationId) : redirectError(res, req, err);
    }
    const session = sessionOf(httpReq);
    const hintMismatch = session && req.hint && users.find((u) => u.id === session.userId)?.upn !== req.hint.toLowerCase();
    const sidMismatch = session && req.sid && req.sid !== session.sid;
    try {
      if (req.prompt === 'none') {
        if (!session) throw new AadError(50058);
        if (hintMismatch || sidMismatch) throw new AadError(16000);
        return issueCode(res, req, session);
      }
      if (session && !hintMismatch && req.prompt !== 'login' && req.prompt !== 'select_account') return issueCode(res, req, session);
    } catch (err) { fail(err); return redirectError(res, req, err); }
    const txn = rand(24);
    st.txns.set(txn, { req, exp: now() + 1800 });
    log({ ...entry, outcome: 'sign-in form' });
    return loginPage(res, `/${tenantSeg}/oauth2/v2.0/authorize`, txn, { hint: req.hint, client });
  }

  function login(httpReq, res, tenantSeg, p) {
    const t = st.txns.get(p.txn);
    if (!t || t.exp < now()) {
      log({ kind: 'login', tenant: tenantSeg, outcome: 'expired' });
      return errorPage(res, { message: 'Your sign-in session has expired. Go back to the application and sign in again.' });
    }
    const { req } = t;
    const user = users.find((u) => u.upn === String(p.username || '').trim().toLowerCase());
    const bad = !user ? new AadError(50034, { user: p.username, tenant: req.tenant })
      : !crypto.timingSafeEqual(sha256(String(p.password ?? '')), sha256(user.password)) ? new AadError(50126) : null;
    if (bad) {
      log({ kind: 'login', tenant: tenantSeg, clientId: req.client.clientId, user: p.username, outcome: `AADSTS${bad.code}` });
      return loginPage(res, `/${tenantSeg}/oauth2/v2.0/authorize`, p.txn, { hint: p.username, client: req.client,
        message: user ? 'Your account or password is incorrect.' : "We couldn't find an account with that username." });
    }
    st.txns.delete(p.txn);
    const session = { sid: crypto.randomUUID(), cookie: rand(32), userId: user.id };
    st.sessions.set(session.cookie, session);
    res.setHeader('set-cookie', `${COOKIE}=${session.cookie}; Path=/; Secure; HttpOnly; SameSite=None`);
    log({ kind: 'login', tenant: tenantSeg, clientId: req.client.clientId, user: user.mail, outcome: 'signed in' });
    try { return issueCode(res, req, session); } catch (err) {
      log({ kind: 'authorize', tenant: tenantSeg, clientId: req.client.clientId, outcome: `AADSTS${err.code}` });
      return redirectError(res, req, err);
    }
  }

  const tokenLogEntry = (tenantSeg, p) => ({ kind: 'token', tenant: tenantSeg, clientId: p.client_id,
    grantType: p.grant_type === BROKER_GRANT ? 'broker' : p.grant_type, scope: p.scope,
    ...(p.grant_type === BROKER_GRANT && { redirectUri: p.redirect_uri, brokerClientId: p.brk_client_id }) });

  async function token(httpReq, tenantSeg, p) {
    const entry = tokenLogEntry(tenantSeg, p);
    const client = clientById.get(String(p.client_id || '').toLowerCase());
    const vars = { clientId: p.client_id, clientName: client?.name, tenant: tenantSeg, grantType: p.grant_type, redirectUri: p.redirect_uri };
    const f = takeFault('token', ...(p.grant_type === BROKER_GRANT ? ['broker'] : []));
    if (f) throw faultError(f, vars);
    if (!tenantOf(tenantSeg)) throw new AadError(90002, vars, { tokenError: 'invalid_request' });
    if (p.client_secret || p.client_assertion) throw new AadError(700025);
    if (!p.grant_type) throw new AadError(900144, { param: 'grant_type' });
    if (!p.client_id) throw new AadError(900144, { param: 'client_id' });
    if (!client) throw new AadError(700016, vars);
    if (!httpReq.headers.origin) throw new AadError(9002327);
    let rec; let nonce; let refreshExp;
    if (p.grant_type === 'authorization_code') {
      if (!p.code) throw new AadError(900144, { param: 'code' });
      const code = st.codes.get(p.code);
      if (!code) throw new AadError(9002313);
      if (code.used) throw new AadError(54005);
      code.used = true;
      if (code.exp < now()) throw new AadError(70008);
      if (code.clientId !== client.clientId) throw new AadError(70000);
      if (p.redirect_uri !== code.redirectUri) throw new AadError(500112, { redirectUri: p.redirect_uri ?? '', expected: code.redirectUri });
      if (!p.code_verifier) throw new AadError(900144, { param: 'code_verifier' });
      const computed = code.method === 'S256' ? sha256(p.code_verifier).toString('base64url') : p.code_verifier;
      if (computed.length !== code.challenge.length || !crypto.timingSafeEqual(Buffer.from(computed), Buffer.from(code.challenge))) throw new AadError(501481);
      rec = { userId: code.userId, sid: code.sid, scopes: code.scopes };
      nonce = code.nonce;
      refreshExp = now() + st.settings.refreshTokenLifetimeSeconds;
    } else if (p.grant_type === 'refresh_token') {
      if (!p.refresh_token) throw new AadError(900144, { param: 'refresh_token' });
      const old = st.refresh.get(sha256(p.refresh_token).toString('hex'));
      if (!old) throw new AadError(9002313);
      if (old.revoked) throw new AadError(50173);
      if (old.exp < now()) throw new AadError(700084);
      if (old.clientId !== client.clientId) throw new AadError(70000);
      const scopes = p.scope ? parseScopes(p.scope, client, vars) : old.scopes;
      checkConsent(scopes, client, vars);
      rec = { userId: old.userId, sid: old.sid, scopes };
      refreshExp = old.exp; // SPA refresh tokens: fixed lifetime, not extended by use
    } else if (p.grant_type === BROKER_GRANT) { // see the header: a registered broker stands in for its refresh token
      for (const param of ['redirect_uri', 'brk_client_id', 'brk_redirect_uri', 'login_hint']) if (!p[param]) throw new AadError(900144, { param });
      if (!p.redirect_uri.startsWith(BRK_SCHEME) || !client.redirectUris.includes(p.redirect_uri)) throw new AadError(50011, vars);
      const broker = brokerById.get(String(p.brk_client_id).toLowerCase());
      if (!broker) throw new AadError(700016, { ...vars, clientId: p.brk_client_id });
      if (!broker.redirectUris.includes(p.brk_redirect_uri)) throw new AadError(50011, { redirectUri: p.brk_redirect_uri, clientId: broker.clientId });
      if (httpReq.headers.origin !== new URL(p.brk_redirect_uri).origin) throw new AadError(9002326, { origin: httpReq.headers.origin });
      const user = users.find((u) => u.upn === String(p.login_hint).trim().toLowerCase());
      if (!user) throw new AadError(50034, { user: p.login_hint, tenant: tenantSeg });
      const scopes = parseScopes(p.scope, client, vars);
      checkConsent(scopes, client, vars);
      const out = await issueTokens({ user, client, scopes, sid: crypto.randomUUID(), clientInfo: p.client_info === '1' });
      log({ ...entry, outcome: 'tokens', user: user.mail });
      return out;
    } else throw new AadError(70003, vars);
    const user = users.find((u) => u.id === rec.userId);
    if (!user) throw new AadError(50034, { user: rec.userId, tenant: tenantSeg });
    const out = await issueTokens({ user, client, scopes: rec.scopes, sid: rec.sid, nonce, clientInfo: p.client_info === '1' });
    if (rec.scopes.oidc.includes('offline_access')) {
      Object.assign(out, newRefreshToken({ ...rec, clientId: client.clientId, exp: refreshExp }));
    }
    log({ ...entry, outcome: 'tokens', user: user.mail });
    return out;
  }

  function discovery(t) {
    const iss = t === 'common' || t === 'organizations' ? `${base}/{tenantid}/v2.0` : issuer();
    const e = `${base}/${t}`;
    return {
      issuer: iss, authorization_endpoint: `${e}/oauth2/v2.0/authorize`, token_endpoint: `${e}/oauth2/v2.0/token`,
      end_session_endpoint: `${e}/oauth2/v2.0/logout`, jwks_uri: `${e}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'], response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token', BROKER_GRANT], code_challenge_methods_supported: ['S256', 'plain'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'], subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'], token_endpoint_auth_methods_supported: ['none'],
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'name', 'nonce', 'oid', 'preferred_username', 'sid', 'tid', 'ver', 'email'],
      request_uri_parameter_supported: false, http_logout_supported: true, frontchannel_logout_supported: true,
      tenant_region_scope: null, cloud_instance_name: 'local', msgraph_host: new URL(defaultResource).host,
    };
  }

  // ---- HTTP ----
  const readBody = (req) => new Promise((resolve, reject) => {
    const chunks = []; let size = 0;
    req.on('data', (c) => { size += c.length; if (size > 1e6) { reject(new Error('body too large')); req.destroy(); } else chunks.push(c); });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
  const cors = (req, res) => {
    res.setHeader('access-control-allow-origin', req.headers.origin || '*');
    res.setHeader('vary', 'Origin');
  };
  const json = (res, status, body, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
    res.end(JSON.stringify(body));
  };
  const entraJson = (res, err, correlationId) => {
    const traceId = crypto.randomUUID(); const timestamp = `${new Date().toISOString().replace('T', ' ').slice(0, 19)}Z`;
    return json(res, err.tokenError === 'invalid_client' ? 401 : 400, {
      error: err.tokenError, error_description: `${err.message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [err.code], timestamp, trace_id: traceId, correlation_id: correlationId,
      error_uri: `${base}/error?code=${err.code}`, ...(err.suberror && { suberror: err.suberror }),
    });
  };

  async function handle(req, res) {
    const url = new URL(req.url, base);
    const parts = url.pathname.split('/').filter(Boolean);
    const [seg, ...rest] = parts;
    const sub = rest.join('/');
    if (req.method === 'OPTIONS') {
      cors(req, res);
      res.writeHead(204, { 'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': req.headers['access-control-request-headers'] || 'content-type', 'access-control-max-age': '600' });
      return res.end();
    }
    const body = req.method === 'POST' ? await readBody(req) : '';
    const form = () => Object.fromEntries(new URLSearchParams(body));

    if (seg === '_control') {
      cors(req, res);
      const data = body ? JSON.parse(body) : undefined;
      if (sub === 'reset' && req.method === 'POST') { reset(); return json(res, 200, { ok: true }); }
      if (sub === 'settings') {
        if (req.method === 'POST') for (const k of Object.keys(DEFAULT_SETTINGS)) if (Number.isFinite(data?.[k])) st.settings[k] = data[k];
        return json(res, 200, st.settings);
      }
      if (sub === 'faults') {
        if (req.method === 'POST') st.faults = [].concat(data || []).map((f) => ({ ...f, times: f.times ?? 1 }));
        return json(res, 200, st.faults);
      }
      if (sub === 'log') return json(res, 200, { entries: st.log });
      if (sub === 'mint' && req.method === 'POST') { // tests of the browser adapters: a token without a sign-in page
        const client = clientById.get(String(data?.clientId ?? DEMO_CLIENT_ID).toLowerCase()) ?? [...clientById.values()][0];
        const user = users.find((u) => u.upn === String(data?.user ?? users[0].upn).toLowerCase());
        const scopes = parseScopes(data?.scope, client, {});
        const { access_token, expires_in } = await issueTokens({ user, client, scopes, sid: rand(8) });
        return json(res, 200, { access_token, expires_in });
      }
      if (sub === 'revoke' && req.method === 'POST') {
        st.sessions.clear(); st.codes.clear(); st.txns.clear();
        for (const r of st.refresh.values()) r.revoked = true;
        return json(res, 200, { ok: true });
      }
      return json(res, 404, { error: 'not_found' });
    }

    const t = tenantOf(seg);
    if (sub === '.well-known/openid-configuration' || sub === 'v2.0/.well-known/openid-configuration') {
      cors(req, res);
      log({ kind: 'discovery', method: req.method, path: url.pathname, tenant: seg, outcome: t ? 'ok' : 'AADSTS90002' });
      if (!t) return entraJson(res, new AadError(90002, { tenant: seg }), crypto.randomUUID());
      return json(res, 200, discovery(seg), { 'cache-control': 'max-age=86400, private' });
    }
    if (sub === 'discovery/v2.0/keys' || sub === 'discovery/keys') {
      cors(req, res);
      if (!t) return entraJson(res, new AadError(90002, { tenant: seg }), crypto.randomUUID());
      return json(res, 200, jwks, { 'cache-control': 'max-age=86400, private' });
    }
    if (sub === 'oauth2/v2.0/authorize' && (req.method === 'GET' || req.method === 'POST')) {
      const p = req.method === 'GET' ? Object.fromEntries(url.searchParams) : { ...Object.fromEntries(url.searchParams), ...form() };
      return p.txn ? login(req, res, seg, p) : authorize(req, res, seg, p);
    }
    if (sub === 'oauth2/v2.0/token' && req.method === 'POST') {
      cors(req, res);
      const p = form();
      const correlationId = url.searchParams.get('client-request-id') || req.headers['client-request-id'] || crypto.randomUUID();
      try { return json(res, 200, await token(req, seg, p)); } catch (err) {
        if (!(err instanceof AadError)) throw err;
        log({ ...tokenLogEntry(seg, p), outcome: `AADSTS${err.code}` });
        return entraJson(res, err, correlationId);
      }
    }
    if (sub === 'oauth2/v2.0/logout') {
      const s = sessionOf(req);
      if (s) st.sessions.delete(s.cookie);
      log({ kind: 'logout', tenant: seg, outcome: s ? 'signed out' : 'no session' });
      res.setHeader('set-cookie', `${COOKIE}=; Path=/; Secure; HttpOnly; SameSite=None; Max-Age=0`);
      const to = url.searchParams.get('post_logout_redirect_uri');
      const origins = new Set([...clientById.values()].flatMap((c) => c.redirectUris.filter((u) => u.startsWith('https:')).map((u) => new URL(u).origin)));
      if (to && URL.canParse(to) && origins.has(new URL(to).origin)) {
        res.writeHead(302, { location: to });
        return res.end();
      }
      return page(res, 200, 'Signed out', '<h1>You signed out of your account</h1><p>It’s a good idea to close all browser windows.</p>');
    }
    return json(res, 404, { error: 'not_found', error_description: `No route for ${req.method} ${url.pathname}` });
  }

  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) json(res, 500, { error: 'server_error', error_description: err.message });
      else res.end();
    });
  });
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(port, host, resolve); });
  base = `https://${host.includes(':') ? `[${host}]` : host}:${server.address().port}`;
  return {
    url: base, jwksUrl: `${base}/common/discovery/v2.0/keys`, authority: `${base}/${tid}/`, issuer: issuer(), tenantId: tid,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const certs = `${HERE}../../../.local/certs/`;
  const redirectUris = process.env.IDP_REDIRECT_URIS?.split(',').map((s) => s.trim()).filter(Boolean);
  const s = await start({
    host: process.env.STANDIN_HOST || '127.0.0.1', port: Number(process.env.IDP_PORT || 3200),
    tls: { key: readFileSync(`${certs}key.pem`), cert: readFileSync(`${certs}cert.pem`) },
    ...(process.env.GRAPH_URL && { defaultResource: process.env.GRAPH_URL }),
    ...(redirectUris && { clients: [{ clientId: DEMO_CLIENT_ID, name: 'Save to iMIS', redirectUris, permissions: ['Mail.Read', 'Mail.Read.Shared'] }] }),
    brokers: [{ clientId: BROKER_CLIENT_ID, name: 'Outlook (simulated)',
      redirectUris: [`https://${process.env.STANDIN_HOST || '127.0.0.1'}:${process.env.OUTLOOK_PORT || 3100}/`] }],
  });
  console.log(`identity provider stand-in on ${s.url} (authority ${s.authority})`);
}
