// Self-test of the identity provider stand-in (node --test tests/standins/idp/selftest.mjs):
// the protocol with plain HTTP requests (including the broker grant that stands in for Outlook's nested app
// authentication), then real MSAL.js 5.30 in Chromium (popup, silent, refresh). MSAL's nested client against
// the broker grant, through the simulated Outlook's bridge, is tested in ../outlook/selftest.mjs.
// Reference: ../shared/reference/graph-and-office.md ("Getting a Graph token in the task pane",
// sign-in error codes) and toolchain.md ("Sign-in against a local authority", Playwright notes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import crypto from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';
import { chromium } from 'playwright-core';
import { start, DEMO_CLIENT_ID, BROKER_CLIENT_ID, BROKER_GRANT } from './server.mjs';
import * as probeServer from './msal-probe/serve.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const mailbox = JSON.parse(readFileSync(`${root}tests/fixtures/mailbox.json`, 'utf8'));
const TID = mailbox.tenantId;
const USER = mailbox.users[0];
const GRAPH = 'https://127.0.0.1:3300';
const SCOPE = `${GRAPH}/Mail.Read`;

let tls, idp, probe, jwks, redirectUri;

// fetch() with the local certificate as the only trusted CA (Node 20's fetch cannot take one).
function request(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, ca: tls.cert }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) [].concat(v).forEach((x) => h.append(k, x));
        resolve(new Response(res.statusCode === 204 || res.statusCode === 302 ? null : Buffer.concat(chunks), { status: res.statusCode, headers: h }));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
const control = (path, data) => request(`${idp.url}/_control/${path}`, data === undefined ? {} :
  { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(data) }).then((r) => r.json());
const pkce = () => {
  const verifier = crypto.randomBytes(32).toString('base64url');
  return { verifier, challenge: crypto.createHash('sha256').update(verifier).digest('base64url') };
};
const authorizeUrl = (p, tenant = TID) => `${idp.url}/${tenant}/oauth2/v2.0/authorize?${new URLSearchParams({
  client_id: DEMO_CLIENT_ID, redirect_uri: redirectUri, response_type: 'code', scope: `${SCOPE} openid profile offline_access`,
  state: 'st-1', nonce: 'n-1', code_challenge_method: 'S256', client_info: '1', ...p })}`;
const tokenCall = (params, { origin = 'https://127.0.0.1:3000', tenant = TID } = {}) => request(`${idp.url}/${tenant}/oauth2/v2.0/token`, {
  method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(origin && { origin }) },
  body: new URLSearchParams({ client_id: DEMO_CLIENT_ID, ...params }).toString(),
});
const responseParams = (location) => {
  const u = new URL(location);
  return Object.fromEntries(new URLSearchParams(u.hash ? u.hash.slice(1) : u.search));
};

// Sign in through the HTML form: GET authorize -> form -> POST credentials -> 302 with the code.
async function signIn(p = {}, password = USER.password) {
  const form = await request(authorizeUrl(p));
  assert.equal(form.status, 200);
  const html = await form.text();
  const txn = /name="txn" value="([^"]+)"/.exec(html)[1];
  const action = /<form method="post" action="([^"]+)"/.exec(html)[1];
  const res = await request(new URL(action, idp.url).href, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ txn, username: USER.mail, password }).toString() });
  return { res, cookie: (res.headers.get('set-cookie') || '').split(';')[0], html };
}
async function getTokens() {
  const { verifier, challenge } = pkce();
  const { res, cookie } = await signIn({ code_challenge: challenge });
  const { code } = responseParams(res.headers.get('location'));
  const body = await (await tokenCall({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: redirectUri, scope: SCOPE })).json();
  return { ...body, cookie };
}
const verify = (token, audience) => jose.jwtVerify(token, jwks, { issuer: `${idp.url}/${TID}/v2.0`, audience, algorithms: ['RS256'] });

before(async () => {
  if (!existsSync(`${root}.local/certs/cert.pem`)) execFileSync('bash', ['scripts/certs.sh'], { cwd: root });
  tls = { key: readFileSync(`${root}.local/certs/key.pem`), cert: readFileSync(`${root}.local/certs/cert.pem`) };
  await probeServer.build();
  probe = await probeServer.start({ tls });
  redirectUri = `${probe.url}/auth-redirect.html`;
  idp = await start({ port: 0, tls, clients: [{ clientId: DEMO_CLIENT_ID, name: 'Save to iMIS', redirectUris: [redirectUri, 'https://127.0.0.1:3000/taskpane.html'], permissions: ['Mail.Read', 'Mail.Read.Shared'] }] });
  jwks = jose.createLocalJWKSet(await (await request(idp.jwksUrl)).json());
});
after(async () => { await idp?.close(); await probe?.close(); });

test('discovery and JWKS', async () => {
  for (const tenant of [TID, 'common', 'organizations', 'example.org']) {
    for (const path of ['.well-known/openid-configuration', 'v2.0/.well-known/openid-configuration']) {
      const res = await request(`${idp.url}/${tenant}/${path}`, { headers: { origin: probe.url } });
      assert.equal(res.status, 200, `${tenant}/${path}`);
      assert.equal(res.headers.get('access-control-allow-origin'), probe.url);
      const d = await res.json();
      assert.equal(d.authorization_endpoint, `${idp.url}/${tenant}/oauth2/v2.0/authorize`);
      assert.equal(d.token_endpoint, `${idp.url}/${tenant}/oauth2/v2.0/token`);
      assert.equal(d.jwks_uri, `${idp.url}/${tenant}/discovery/v2.0/keys`);
      assert.equal(d.issuer, tenant === 'common' || tenant === 'organizations' ? `${idp.url}/{tenantid}/v2.0` : `${idp.url}/${TID}/v2.0`);
      assert.equal(new URL(d.issuer).host, new URL(idp.url).host); // what MSAL validates
    }
  }
  const bad = await request(`${idp.url}/contoso.example/v2.0/.well-known/openid-configuration`);
  assert.equal(bad.status, 400);
  const err = await bad.json();
  assert.equal(err.error, 'invalid_tenant');
  assert.match(err.error_description, /^AADSTS90002: Tenant 'contoso.example' not found/);
  assert.deepEqual(err.error_codes, [90002]);
  const keys = await (await request(idp.jwksUrl)).json();
  assert.equal(keys.keys.length, 1);
  assert.equal(keys.keys[0].kty, 'RSA');
  assert.equal(keys.keys[0].alg, 'RS256');
  assert.ok(keys.keys[0].kid && !keys.keys[0].d, 'public key with a kid');
});

test('authorize: errors shown on the IdP page or redirected as Entra does', async () => {
  const unknownClient = await request(authorizeUrl({ client_id: '00000000-0000-0000-0000-000000000001', code_challenge: 'x' }));
  assert.equal(unknownClient.status, 400);
  assert.match(await unknownClient.text(), /AADSTS700016: Application with identifier &#39;00000000-0000-0000-0000-000000000001&#39; was not found/);
  const badRedirect = await request(authorizeUrl({ redirect_uri: 'https://127.0.0.1:3000/evil.html', code_challenge: 'x' }));
  assert.equal(badRedirect.status, 400);
  assert.equal(badRedirect.headers.get('location'), null);
  assert.match(await badRedirect.text(), /AADSTS50011: The redirect URI &#39;https:\/\/127.0.0.1:3000\/evil.html&#39; specified in the request does not match/);
  const badTenant = await request(authorizeUrl({ code_challenge: 'x' }, 'nowhere.example'));
  assert.match(await badTenant.text(), /AADSTS90002/);

  const silent = await request(authorizeUrl({ code_challenge: 'x', prompt: 'none', response_mode: 'fragment' }));
  assert.equal(silent.status, 302);
  const loc = silent.headers.get('location');
  assert.ok(loc.startsWith(`${redirectUri}#`), 'fragment response');
  const p = responseParams(loc);
  assert.equal(p.error, 'login_required');
  assert.match(p.error_description, /^AADSTS50058: /);
  assert.equal(p.state, 'st-1');

  const noPkce = responseParams((await request(authorizeUrl({}))).headers.get('location'));
  assert.equal(noPkce.error, 'invalid_request');
});

test('sign-in form: escaped, login_hint prefilled, bad password refused, consent enforced', async () => {
  const hint = '"><script>alert(1)</script>@example.org';
  const form = await request(authorizeUrl({ code_challenge: 'x', login_hint: hint }));
  const html = await form.text();
  assert.ok(!html.includes('<script>alert(1)'), 'login_hint is escaped');
  // the Cancel button's script is the page's only one, allowed by its hash and nothing else
  const scripts = [...html.matchAll(/<script>([^<]*)<\/script>/g)].map((m) => m[1]);
  assert.equal(scripts.length, 1);
  assert.match(scripts[0], /getElementById\('cancel'\).*window\.close\(\)/);
  assert.match(html, /<button id="cancel" type="button"[^>]*>Cancel<\/button>/);
  const csp = form.headers.get('content-security-policy');
  assert.match(csp, /^default-src 'none'; /);
  assert.ok(csp.includes(`script-src 'sha256-${crypto.createHash('sha256').update(scripts[0]).digest('base64')}'`), csp);
  assert.ok(html.includes('value="&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;@example.org"'));
  const wrong = await signIn({ code_challenge: 'x' }, 'not-the-password');
  assert.equal(wrong.res.status, 400);
  assert.match(await wrong.res.text(), /Your account or password is incorrect/);
  assert.equal(wrong.cookie, '');

  const { res } = await signIn({ code_challenge: 'x', scope: `${GRAPH}/User.Read openid`, response_mode: 'query' });
  const p = responseParams(res.headers.get('location'));
  assert.equal(p.error, 'consent_required');
  assert.match(p.error_description, /^AADSTS65001: The user or administrator has not consented/);
  assert.equal(p.state, 'st-1');
});

test('token: PKCE, single-use codes, exact redirect URI, refresh, CORS', async () => {
  const { verifier, challenge } = pkce();
  const { res, cookie } = await signIn({ code_challenge: challenge });
  assert.equal(res.status, 302);
  assert.match(cookie, /^ESTSAUTH=/);
  const p = responseParams(res.headers.get('location'));
  assert.equal(p.state, 'st-1');
  assert.ok(p.code && p.client_info);

  const wrongVerifier = await tokenCall({ grant_type: 'authorization_code', code: p.code, code_verifier: pkce().verifier, redirect_uri: redirectUri });
  assert.equal(wrongVerifier.status, 400);
  const e1 = await wrongVerifier.json();
  assert.equal(e1.error, 'invalid_grant');
  assert.match(e1.error_description, /^AADSTS501481: /);
  const again = await (await tokenCall({ grant_type: 'authorization_code', code: p.code, code_verifier: verifier, redirect_uri: redirectUri })).json();
  assert.match(again.error_description, /^AADSTS54005: /, 'a code is burnt by its first redemption attempt');

  // a fresh code through SSO (session cookie, prompt=none), redeemed with the wrong redirect URI
  const pk2 = pkce();
  const sso = await request(authorizeUrl({ code_challenge: pk2.challenge, prompt: 'none' }), { headers: { cookie } });
  const code2 = responseParams(sso.headers.get('location')).code;
  assert.ok(code2, 'prompt=none with a session answers a code');
  const wrongRedirect = await (await tokenCall({ grant_type: 'authorization_code', code: code2, code_verifier: pk2.verifier, redirect_uri: 'https://127.0.0.1:3000/taskpane.html' })).json();
  assert.equal(wrongRedirect.error, 'invalid_grant');
  assert.match(wrongRedirect.error_description, /^AADSTS500112: /);

  const pk3 = pkce();
  const code3 = responseParams((await request(authorizeUrl({ code_challenge: pk3.challenge, prompt: 'none' }), { headers: { cookie } })).headers.get('location')).code;
  const noOrigin = await (await tokenCall({ grant_type: 'authorization_code', code: code3, code_verifier: pk3.verifier, redirect_uri: redirectUri }, { origin: null })).json();
  assert.match(noOrigin.error_description, /^AADSTS9002327: /);

  const pk4 = pkce();
  const code4 = responseParams((await request(authorizeUrl({ code_challenge: pk4.challenge, prompt: 'none' }), { headers: { cookie } })).headers.get('location')).code;
  const ok = await tokenCall({ grant_type: 'authorization_code', code: code4, code_verifier: pk4.verifier, redirect_uri: redirectUri, scope: SCOPE, client_info: '1' }, { origin: probe.url });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('access-control-allow-origin'), probe.url);
  const t = await ok.json();
  assert.equal(t.token_type, 'Bearer');
  assert.equal(t.expires_in, 3600);
  assert.equal(t.scope, `${SCOPE} openid profile offline_access`);
  assert.ok(t.refresh_token && t.id_token && t.client_info);
  const { payload: at, protectedHeader } = await verify(t.access_token, GRAPH);
  assert.equal(protectedHeader.alg, 'RS256');
  assert.ok(protectedHeader.kid);
  assert.equal(at.scp, 'Mail.Read');
  assert.equal(at.oid, USER.id);
  assert.equal(at.tid, TID);
  assert.equal(at.preferred_username, USER.mail);
  assert.equal(at.name, USER.displayName);
  assert.equal(at.azp, DEMO_CLIENT_ID);
  assert.equal(at.exp - at.iat, 3600);
  const { payload: id } = await verify(t.id_token, DEMO_CLIENT_ID);
  assert.equal(id.nonce, 'n-1');
  assert.equal(id.oid, USER.id);
  assert.deepEqual(JSON.parse(Buffer.from(t.client_info, 'base64url')), { uid: USER.id, utid: TID });

  const pre = await request(`${idp.url}/${TID}/oauth2/v2.0/token`, { method: 'OPTIONS', headers: { origin: probe.url,
    'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-client-sku' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), probe.url);
  assert.match(pre.headers.get('access-control-allow-headers'), /x-client-sku/);

  const refreshed = await (await tokenCall({ grant_type: 'refresh_token', refresh_token: t.refresh_token, scope: `${GRAPH}/Mail.Read.Shared openid offline_access` })).json();
  assert.ok(refreshed.access_token && refreshed.refresh_token && refreshed.refresh_token !== t.refresh_token);
  assert.equal((await verify(refreshed.access_token, GRAPH)).payload.scp, 'Mail.Read.Shared');
  assert.equal((await verify(refreshed.id_token, DEMO_CLIENT_ID)).payload.nonce, undefined);
  const notGranted = await (await tokenCall({ grant_type: 'refresh_token', refresh_token: refreshed.refresh_token, scope: `${GRAPH}/Mail.ReadWrite` })).json();
  assert.equal(notGranted.error, 'invalid_grant');
  assert.equal(notGranted.suberror, 'consent_required');
  assert.match(notGranted.error_description, /^AADSTS65001: /);
  const garbage = await (await tokenCall({ grant_type: 'refresh_token', refresh_token: 'nonsense' })).json();
  assert.equal(garbage.error, 'invalid_grant');
});

test('control: settings, faults, log without secrets, revoke, reset', async () => {
  await control('reset', {});
  assert.deepEqual(await control('settings', { accessTokenLifetimeSeconds: 5 }), { accessTokenLifetimeSeconds: 5, refreshTokenLifetimeSeconds: 86400 });
  const t = await getTokens();
  const { payload } = await verify(t.access_token, GRAPH);
  assert.equal(payload.exp - payload.iat, 5);
  assert.equal(t.expires_in, 5);

  await control('faults', [{ aadsts: 'AADSTS65001', times: 1 }]);
  const f = await (await tokenCall({ grant_type: 'refresh_token', refresh_token: t.refresh_token, scope: SCOPE })).json();
  assert.equal(f.error, 'invalid_grant');
  assert.match(f.error_description, /^AADSTS65001: /);
  assert.ok((await (await tokenCall({ grant_type: 'refresh_token', refresh_token: t.refresh_token, scope: SCOPE })).json()).access_token, 'fault used up');
  await control('faults', [{ aadsts: 'AADSTS50076', where: 'authorize' }]);
  const mfa = responseParams((await request(authorizeUrl({ code_challenge: 'x', prompt: 'none' }), { headers: { cookie: t.cookie } })).headers.get('location'));
  assert.equal(mfa.error, 'interaction_required');
  assert.match(mfa.error_description, /^AADSTS50076: /);
  await control('faults', [{ aadsts: 'AADSTS700016', where: 'authorize' }]);
  assert.match(await (await request(authorizeUrl({ code_challenge: 'x' }))).text(), /id="error-code"[^>]*>AADSTS700016/);

  const { entries } = await control('log');
  const text = JSON.stringify(entries);
  assert.ok(entries.some((e) => e.kind === 'token' && e.grantType === 'refresh_token' && e.outcome === 'tokens'));
  assert.ok(entries.some((e) => e.kind === 'login' && e.outcome === 'signed in'));
  for (const secret of [USER.password, t.refresh_token, t.access_token, t.id_token, t.cookie.split('=')[1]]) assert.ok(!text.includes(secret), 'no secret in the log');

  await control('revoke', {});
  const revoked = await (await tokenCall({ grant_type: 'refresh_token', refresh_token: t.refresh_token, scope: SCOPE })).json();
  assert.match(revoked.error_description, /^AADSTS50173: /);
  const noSession = responseParams((await request(authorizeUrl({ code_challenge: 'x', prompt: 'none' }), { headers: { cookie: t.cookie } })).headers.get('location'));
  assert.equal(noSession.error, 'login_required');
  await control('reset', {});
  assert.deepEqual((await control('log')).entries, []);
});

test('broker grant (the NAA stand-in): nested-app tokens for the host, with the brk-multihub, client, broker, origin and consent checks', async () => {
  const OUTLOOK = 'https://127.0.0.1:3100';
  const BRK = 'brk-multihub://127.0.0.1:3000';
  const idp2 = await start({ port: 0, tls }); // the defaults: the demo client with brk-multihub://127.0.0.1:3000, Outlook on 3100 as broker
  try {
    const keys = jose.createLocalJWKSet(await (await request(idp2.jwksUrl)).json());
    const ctl = (path, data) => request(`${idp2.url}/_control/${path}`, data === undefined ? {} :
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(data) }).then((r) => r.json());
    const broker = (params = {}, { origin = OUTLOOK, tenant = TID } = {}) => request(`${idp2.url}/${tenant}/oauth2/v2.0/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(origin && { origin }) },
      body: new URLSearchParams(Object.entries({ grant_type: BROKER_GRANT, client_id: DEMO_CLIENT_ID, redirect_uri: BRK,
        brk_client_id: BROKER_CLIENT_ID, brk_redirect_uri: `${OUTLOOK}/`, login_hint: USER.mail, scope: `${SCOPE} openid profile`,
        client_info: '1', ...params }).filter(([, v]) => v !== null)).toString() });
    const aadsts = async (res) => {
      assert.equal(res.status, 400);
      const e = await res.json();
      return `${e.error} ${e.error_description.split(' Trace ID:')[0]}`;
    };

    const ok = await broker();
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), OUTLOOK);
    const t = await ok.json();
    assert.equal(t.token_type, 'Bearer');
    assert.equal(t.scope, `${SCOPE} openid profile`);
    assert.equal(t.refresh_token, undefined, 'the broker keeps the session: no refresh token');
    const verify2 = (token, audience) => jose.jwtVerify(token, keys, { issuer: `${idp2.url}/${TID}/v2.0`, audience });
    const at = (await verify2(t.access_token, GRAPH)).payload;
    assert.deepEqual([at.scp, at.azp, at.appid, at.oid, at.tid, at.preferred_username], ['Mail.Read', DEMO_CLIENT_ID, DEMO_CLIENT_ID, USER.id, TID, USER.mail]);
    assert.equal((await verify2(t.id_token, DEMO_CLIENT_ID)).payload.oid, USER.id);
    assert.deepEqual(JSON.parse(Buffer.from(t.client_info, 'base64url')), { uid: USER.id, utid: TID });

    assert.equal(await aadsts(await broker({ redirect_uri: 'brk-multihub://127.0.0.1:3999' })),
      `invalid_request AADSTS50011: The redirect URI 'brk-multihub://127.0.0.1:3999' specified in the request does not match the redirect URIs ${
      ''}configured for the application '${DEMO_CLIENT_ID}'. Make sure the redirect URI sent in the request matches one added to your application ${
      ''}in the Azure portal.`);
    assert.match(await aadsts(await broker({ redirect_uri: 'https://127.0.0.1:3000/auth-redirect.html' })), /AADSTS50011/, 'the broker grant takes brk-multihub URIs only');
    assert.match(await aadsts(await broker({ client_id: '00000000-0000-0000-0000-000000000001' })),
      /^unauthorized_client AADSTS700016: Application with identifier '00000000-0000-0000-0000-000000000001' was not found/);
    assert.match(await aadsts(await broker({ brk_client_id: DEMO_CLIENT_ID })), new RegExp(`AADSTS700016: Application with identifier '${DEMO_CLIENT_ID}'`), 'not a broker');
    assert.match(await aadsts(await broker({ brk_redirect_uri: 'https://127.0.0.1:3101/' })), /AADSTS50011: The redirect URI 'https:\/\/127.0.0.1:3101\/'/);
    assert.match(await aadsts(await broker({}, { origin: 'https://127.0.0.1:3000' })),
      /^invalid_request AADSTS9002326: .* Request origin: 'https:\/\/127.0.0.1:3000'/, 'the add-in cannot use the grant itself');
    assert.match(await aadsts(await broker({}, { origin: null })), /AADSTS9002327/);
    assert.match(await aadsts(await broker({ login_hint: null })), /AADSTS900144: .*'login_hint'/);
    assert.match(await aadsts(await broker({ brk_client_id: null })), /AADSTS900144: .*'brk_client_id'/);
    assert.match(await aadsts(await broker({ login_hint: 'nobody@example.org' })), /^invalid_grant AADSTS50034: /);
    const consent = await broker({ scope: `${GRAPH}/Mail.ReadWrite` });
    assert.equal(consent.status, 400);
    const c = await consent.json();
    assert.deepEqual([c.error, c.suberror, c.error_codes], ['invalid_grant', 'consent_required', [65001]]);
    assert.match(await aadsts(await broker({}, { tenant: 'nowhere.example' })), /AADSTS90002/);

    await ctl('faults', [{ aadsts: 'AADSTS65001', where: 'broker' }, { aadsts: 'AADSTS50076', where: 'token' }]);
    assert.match(await aadsts(await broker()), /^invalid_grant AADSTS65001/, 'where "broker"');
    assert.match(await aadsts(await broker()), /^interaction_required AADSTS50076/, 'where "token" applies to the broker grant too');
    assert.equal((await broker()).status, 200);

    const log = (await ctl('log')).entries.filter((e) => e.grantType === 'broker');
    assert.deepEqual(log[0], { at: log[0].at, kind: 'token', tenant: TID, clientId: DEMO_CLIENT_ID, grantType: 'broker', scope: `${SCOPE} openid profile`,
      redirectUri: BRK, brokerClientId: BROKER_CLIENT_ID, outcome: 'tokens', user: USER.mail });
    assert.deepEqual(log.map((e) => e.outcome), ['tokens', 'AADSTS50011', 'AADSTS50011', 'AADSTS700016', 'AADSTS700016', 'AADSTS50011', 'AADSTS9002326',
      'AADSTS9002327', 'AADSTS900144', 'AADSTS900144', 'AADSTS50034', 'AADSTS65001', 'AADSTS90002', 'AADSTS65001', 'AADSTS50076', 'tokens']);
    assert.ok(!JSON.stringify(log).includes(t.access_token));

    const page = await request(`${idp2.url}/${TID}/oauth2/v2.0/authorize?${new URLSearchParams({ client_id: DEMO_CLIENT_ID, redirect_uri: BRK,
      response_type: 'code', scope: SCOPE, code_challenge: 'x', code_challenge_method: 'S256' })}`);
    assert.equal(page.status, 400, 'no browser can be sent to brk-multihub://');
    assert.match(await page.text(), /AADSTS900144: .*brk_client_id/);
    const d = await (await request(`${idp2.url}/${TID}/v2.0/.well-known/openid-configuration`)).json();
    assert.ok(d.grant_types_supported.includes(BROKER_GRANT));
  } finally {
    await idp2.close();
  }
  for (const bad of ['brk-multihub://127.0.0.1:3000/taskpane', 'brk-multihub://', 'http://127.0.0.1:3000/x']) {
    await assert.rejects(start({ port: 0, tls, clients: [{ clientId: 'x', redirectUris: [bad] }] }), /must be https:\/\/\.\.\. or brk-multihub:\/\/host\[:port\]/, bad);
  }
  await assert.rejects(start({ port: 0, tls, brokers: [{ clientId: 'b', redirectUris: ['brk-multihub://127.0.0.1:3100'] }] }), /must be https:\/\/\.\.\.$/);
});

test('real MSAL.js 5.30 in Chromium: a cancelled popup, popup sign-in, silent from cache, silent refresh', { timeout: 240_000 }, async () => {
  await control('reset', {});
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu',
    '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--ignore-certificate-errors'] });
  try {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    let opened = 0;
    context.on('page', () => { opened += 1; });
    const authority = `${idp.url}/${TID}/`;
    await page.goto(`${probe.url}/index.html?${new URLSearchParams({ authority, clientId: DEMO_CLIENT_ID, scope: SCOPE })}`);
    assert.equal(await page.evaluate(() => window.probe.ready), true);
    const call = (fn, ...args) => page.evaluate(([f, a]) => window.probe[f](...a), [fn, args]);
    const log = async () => (await control('log')).entries;

    // 1. silent with no account fails
    const none = await call('silent', [SCOPE]);
    assert.equal(none.error?.errorCode, 'no_account_error');

    // 2a. the user cancels the sign-in popup: the IdP page's Cancel closes the window. MSAL 5.30's default popup flow
    // waits on its BroadcastChannel bridge and does not watch the window (src/interaction_client/PopupClient.ts
    // waitForPopupResponse -> BrowserUtils.waitForBridgeResponse): it fails timed_out after popupBridgeTimeout (60 s),
    // not user_cancelled. An add-in that wants to react at once must watch the window itself.
    const cancelEvent = context.waitForEvent('page');
    const cancelResult = call('popup', [SCOPE]);
    const cancelled = await cancelEvent;
    await cancelled.waitForSelector('#cancel', { timeout: 15_000 });
    const closed = cancelled.waitForEvent('close');
    await cancelled.click('#cancel');
    await closed;
    const cancelledAt = Date.now();
    assert.equal((await cancelResult).error?.errorCode, 'timed_out');
    assert.ok(Date.now() - cancelledAt > 30_000, 'MSAL only gives up after its bridge timeout');
    assert.deepEqual(pageErrors, []);

    // 2. popup: fill the IdP's form in the popup window
    const popupEvent = context.waitForEvent('page');
    const popupResult = call('popup', [SCOPE]);
    const popup = await popupEvent;
    await popup.waitForSelector('#username', { timeout: 15_000 });
    assert.ok(popup.url().startsWith(`${idp.url}/${TID}/oauth2/v2.0/authorize?`));
    await popup.fill('#username', USER.mail);
    await popup.fill('#password', USER.password);
    await popup.click('#signin');
    const first = await popupResult;
    assert.equal(first.error, undefined, JSON.stringify(first.error));
    assert.equal(first.account.username, USER.mail);
    assert.equal(first.account.tenantId, TID);
    assert.deepEqual(first.scopes.map((s) => s.toLowerCase()).sort(), [SCOPE.toLowerCase(), 'offline_access', 'openid', 'profile'].sort());
    const { payload, protectedHeader } = await verify(first.accessToken, GRAPH);
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.scp, 'Mail.Read');
    assert.equal(payload.oid, USER.id);
    const afterPopup = await log();
    const authorizeReq = afterPopup.find((e) => e.kind === 'authorize');
    assert.equal(authorizeReq.responseMode, 'fragment', 'MSAL 5 asks for response_mode=fragment');
    assert.ok(afterPopup.some((e) => e.kind === 'discovery' && e.path === `/${TID}/.well-known/openid-configuration`), 'MSAL OIDC mode discovery path');

    // 3. silent: from the cache, no popup, no request
    const pagesBefore = opened;
    const cached = await call('silent', [SCOPE]);
    assert.equal(cached.accessToken, first.accessToken);
    assert.equal(cached.fromCache, true);
    assert.equal((await log()).length, afterPopup.length, 'nothing asked of the IdP');

    // 4. 2-second tokens: silent with forceRefresh, then after expiry silent again -> refresh_token grant
    await control('settings', { accessTokenLifetimeSeconds: 2 });
    const short = await call('silent', [SCOPE], { forceRefresh: true });
    assert.equal(short.error, undefined, JSON.stringify(short.error));
    assert.notEqual(short.accessToken, first.accessToken);
    const s = (await verify(short.accessToken, GRAPH)).payload;
    assert.equal(s.exp - s.iat, 2);
    await new Promise((r) => setTimeout(r, 2500));
    const renewed = await call('silent', [SCOPE]);
    assert.equal(renewed.error, undefined, JSON.stringify(renewed.error));
    assert.equal(renewed.fromCache, false);
    assert.notEqual(renewed.accessToken, short.accessToken);
    assert.equal((await verify(renewed.accessToken, GRAPH)).payload.scp, 'Mail.Read');
    const later = (await log()).slice(afterPopup.length);
    assert.deepEqual(later.map((e) => `${e.kind}:${e.grantType}:${e.outcome}`), ['token:refresh_token:tokens', 'token:refresh_token:tokens']);
    assert.equal(opened, pagesBefore, 'no popup for silent calls');

    // 5. ssoSilent: hidden iframe with prompt=none, answered from the IdP session cookie
    const sso = await call('ssoSilent', [SCOPE], { loginHint: USER.mail });
    assert.equal(sso.error, undefined, JSON.stringify(sso.error));
    assert.equal((await verify(sso.accessToken, GRAPH)).payload.oid, USER.id);
    // after revocation: refresh refused and no session -> MSAL reports interaction required
    await control('revoke', {});
    const gone = await call('ssoSilent', [SCOPE], { loginHint: USER.mail });
    assert.equal(gone.error?.errorCode, 'login_required');
    assert.deepEqual(pageErrors, []);
  } finally {
    await browser.close();
  }
});
