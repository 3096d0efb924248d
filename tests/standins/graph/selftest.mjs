// Self-test of the Graph stand-in against ../shared/reference/graph-and-office.md, with plain
// fetch. Run from the repository root: `node --test tests/standins/graph/selftest.mjs`.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // the stand-ins' throwaway certificate

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { start, toRestId } from './server.mjs';
import { generateBytes, generatedSha256 } from './generate.mjs';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURE = JSON.parse(readFileSync(`${REPO}tests/fixtures/mailbox.json`, 'utf8'));
const DANA = FIXTURE.users[0];
const BOARD = FIXTURE.messages[0];
const sha = (bytes) => createHash('sha256').update(bytes).digest('hex');
const enc = encodeURIComponent;
const same = (a, b) => String(a).toLowerCase() === String(b).toLowerCase();
// Graph's Access-Control-Expose-Headers ("Get photo" docs example): no Retry-After (microsoft-graph-docs-contrib#2011).
const GRAPH_EXPOSED = 'ETag, Location, Preference-Applied, Content-Range, request-id, client-request-id';
// What a browser lets script read of a CORS answer: the CORS-safelisted response headers (Fetch standard) and the exposed ones.
const SAFELISTED = ['cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma'];
const browserReadable = (res) => new Set([...SAFELISTED,
  ...String(res.headers.get('access-control-expose-headers') ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean)]);
const FORWARDED = FIXTURE.messages.find((m) => m.attachments.some((a) => a.kind === 'item'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fileBytesOf = (a) => (a.file ? readFileSync(`${REPO}tests/fixtures/${a.file}`) : Buffer.from(a.base64, 'base64'));

execFileSync('bash', ['scripts/certs.sh', '.local/certs'], { cwd: REPO }); // idempotent
const tls = { key: readFileSync(`${REPO}.local/certs/key.pem`), cert: readFileSync(`${REPO}.local/certs/cert.pem`) };
const keys = await generateKeyPair('RS256');
const otherKeys = await generateKeyPair('RS256');
const jwks = { keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
let server, base;
const APP = '3f0b6c2e-8d1a-4e5f-9a7b-selftest0001'; // the token's azp: the app Graph counts requests for

const token = (claims = {}, { key = keys.privateKey, exp = '10m', aud = base } = {}) =>
  new SignJWT({ scp: 'Mail.Read User.Read', azp: APP, oid: DANA.id, preferred_username: DANA.mail, name: DANA.displayName, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuedAt().setAudience(aud).setExpirationTime(exp).sign(key);
const get = async (path, { auth = true, headers = {}, ...rest } = {}) =>
  fetch(base + path, { headers: { ...(auth && { Authorization: `Bearer ${auth === true ? await token() : auth}` }), ...headers }, ...rest });
const control = async (path, body) => {
  const res = await fetch(`${base}/_control${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return res.json();
};
const attachments = (msgEwsId, rest = '', user = 'me') => `/v1.0/${user}/messages/${enc(toRestId(msgEwsId))}/attachments${rest}`;
const fileBytes = (name) => readFileSync(`${REPO}tests/fixtures/${name}`);
async function graphError(res, status, code) {
  assert.equal(res.status, status);
  const { error } = await res.json();
  assert.equal(error.code, code);
  assert.ok(error.message && error.innerError.date && error.innerError['request-id'] && error.innerError['client-request-id']);
  assert.equal(error.innerError['request-id'], res.headers.get('request-id'));
  return error;
}

// A second message in Dana's mailbox with every attachment kind, and one in a shared mailbox.
const EXTRA = {
  mailbox: DANA.mail, ewsId: 'AAMkADselftest/extra+0001=', subject: 'Every kind', sentDateTime: '2026-11-21T10:00:00Z',
  from: { name: 'Alex Member', address: 'alex.member@example.com' }, to: [{ name: 'Dana Staff', address: DANA.mail }],
  attachments: [
    { ewsId: 'AAMkADselftest/big+01=', kind: 'file', name: 'big.bin', contentType: 'application/octet-stream', generate: { size: 5_000_003, seed: 42 } },
    { ewsId: 'AAMkADselftest/b64+02=', name: 'logo.txt', contentType: 'text/plain', base64: Buffer.from('inline note').toString('base64'), isInline: true, contentId: 'note@example' },
    { ewsId: 'AAMkADselftest/msg+03=', kind: 'item', itemType: 'message', subject: 'Fwd: minutes', bodyText: 'The minutes, as agreed.' },
    { ewsId: 'AAMkADselftest/evt+04=', kind: 'item', itemType: 'event', subject: 'Board meeting', start: '2026-12-03T18:00:00Z', end: '2026-12-03T20:30:00Z', location: 'Room 2' },
    { ewsId: 'AAMkADselftest/vcf+05=', kind: 'item', itemType: 'contact', subject: 'Alex Member', email: 'alex.member@example.com' },
    { ewsId: 'AAMkADselftest/ref+06=', kind: 'reference', name: 'Budget.xlsx', contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', sourceUrl: 'https://example.sharepoint.com/budget.xlsx' },
  ],
};
const SHARED = {
  mailbox: 'board@example.org', ewsId: 'AAMkADselftest/shared+0001=', subject: 'Shared', sentDateTime: '2026-11-22T08:00:00Z',
  attachments: [{ ewsId: 'AAMkADselftest/shared+att=', name: 'shared.txt', contentType: 'text/plain', base64: Buffer.from('shared').toString('base64') }],
};

before(async () => {
  server = await start({ port: 0, tls, publicKeys: jwks });
  base = server.url;
});
after(() => server.close());

test('list without $select: every field, contentBytes equal to the files', async () => {
  await control('/reset', {});
  const res = await get(attachments(BOARD.ewsId));
  assert.equal(res.status, 200);
  assert.ok(res.headers.get('request-id') && res.headers.get('client-request-id'));
  const body = await res.json();
  assert.match(body['@odata.context'], /\$metadata#users\('.+'\)\/messages\('.+'\)\/attachments$/);
  assert.equal(body.value.length, 3);
  assert.equal(body['@odata.nextLink'], undefined);
  for (const [i, a] of body.value.entries()) {
    const f = BOARD.attachments[i], bytes = fileBytes(f.file);
    assert.equal(a['@odata.type'], '#microsoft.graph.fileAttachment');
    assert.equal(a['@odata.mediaContentType'], f.contentType);
    assert.equal(a.id, toRestId(f.ewsId));
    assert.doesNotMatch(a.id, /[/+]/);
    assert.equal(a.name, f.name);
    assert.equal(a.contentType, f.contentType);
    assert.equal(a.size, bytes.length);
    assert.equal(a.isInline, false);
    assert.equal(a.contentId, null);
    assert.equal(a.lastModifiedDateTime, BOARD.sentDateTime);
    assert.deepEqual(Buffer.from(a.contentBytes, 'base64'), bytes);
  }
});

test('list with $select: only the selected fields, no contentBytes; unknown property is 400', async () => {
  const res = await get(attachments(BOARD.ewsId, '?$select=id,name,contentType,size,isInline,lastModifiedDateTime'));
  const { value, ['@odata.context']: context } = await res.json();
  assert.match(context, /attachments\(id,name,contentType,size,isInline,lastModifiedDateTime\)$/);
  assert.deepEqual(Object.keys(value[0]).sort(),
    ['@odata.mediaContentType', '@odata.type', 'contentType', 'id', 'isInline', 'lastModifiedDateTime', 'name', 'size']);
  const withBytes = await (await get(attachments(BOARD.ewsId, '?$select=name,contentBytes'))).json();
  assert.deepEqual(Buffer.from(withBytes.value[1].contentBytes, 'base64'), fileBytes('files/budget-2027.csv'));
  await graphError(await get(attachments(BOARD.ewsId, '?$select=name,bogus')), 400, 'RequestBroker--ParseUri');
});

test('paging: @odata.nextLink with $skip at the page size, and $top honoured', async () => {
  await control('/settings', { pageSize: 2 });
  const first = await (await get(attachments(BOARD.ewsId, '?$select=name'))).json();
  assert.deepEqual(first.value.map((a) => a.name), ['agenda.pdf', 'budget 2027.csv']);
  const next = new URL(first['@odata.nextLink']);
  assert.equal(next.origin, base);
  assert.equal(next.searchParams.get('$skip'), '2');
  assert.equal(next.searchParams.get('$select'), 'name');
  const second = await (await get(next.pathname + next.search)).json();
  assert.deepEqual(second.value.map((a) => a.name), ['meeting-photo.png']);
  assert.equal(second['@odata.nextLink'], undefined);
  await control('/reset', {});
  const top = await (await get(attachments(BOARD.ewsId, '?$top=1'))).json();
  assert.equal(top.value.length, 1);
  const nextTop = new URL(top['@odata.nextLink']);
  assert.deepEqual([nextTop.searchParams.get('$top'), nextTop.searchParams.get('$skip')], ['1', '1']);
  await graphError(await get(attachments(BOARD.ewsId, '?$top=0')), 400, 'BadRequest');
});

test('one attachment, and $value: the file bytes with its content type and length', async () => {
  const mailbox = await control('/mailbox');
  assert.equal(mailbox.tenantId, FIXTURE.tenantId);
  for (const f of mailbox.messages[0].attachments) {
    const bytes = fileBytes(f.file);
    const one = await (await get(attachments(BOARD.ewsId, `/${f.restId}`))).json();
    assert.match(one['@odata.context'], /\/attachments\/\$entity$/);
    assert.equal(one.name, f.name);
    assert.deepEqual(Buffer.from(one.contentBytes, 'base64'), bytes);
    const res = await get(attachments(BOARD.ewsId, `/${enc(f.restId)}/$value`));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), f.contentType);
    assert.equal(res.headers.get('content-length'), String(bytes.length));
    const got = Buffer.from(await res.arrayBuffer());
    assert.equal(sha(got), sha(bytes));
    assert.equal(f.sha256, sha(bytes));
    assert.equal(f.size, bytes.length);
  }
  const pdf = fileBytes('files/agenda.pdf').toString('latin1');
  assert.ok(pdf.startsWith('%PDF-1.4') && pdf.trimEnd().endsWith('%%EOF'));
  const png = fileBytes('files/meeting-photo.png');
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
});

test('control messages: generated, base64, item and reference attachments', async () => {
  const added = await control('/messages', EXTRA);
  assert.equal(added.restId, toRestId(EXTRA.ewsId));
  assert.deepEqual(added.attachments.map((a) => a.restId), EXTRA.attachments.map((a) => toRestId(a.ewsId)));
  const [big, b64, msg, evt, vcf, ref] = added.attachments.map((a) => a.restId);
  const list = (await (await get(attachments(EXTRA.ewsId, '?$select=id,name,contentType,size,isInline,contentId'))).json()).value;
  assert.deepEqual(list.map((a) => a['@odata.type'].split('.').at(-1)),
    ['fileAttachment', 'fileAttachment', 'itemAttachment', 'itemAttachment', 'itemAttachment', 'referenceAttachment']);
  assert.equal(list[0].size, 5_000_003);
  assert.deepEqual([list[1].isInline, list[1].contentId], [true, 'note@example']);
  assert.equal(list[2].contentType, null);
  assert.equal(list[2]['@odata.mediaContentType'], undefined);

  const bigRes = await get(attachments(EXTRA.ewsId, `/${big}/$value`));
  assert.equal(bigRes.headers.get('content-length'), '5000003');
  assert.equal(sha(Buffer.from(await bigRes.arrayBuffer())), generatedSha256(42, 5_000_003));
  assert.deepEqual(generateBytes(1, 6), Buffer.from([0x21, 0x20, 0x04, 0x00, 0x01, 0x06])); // xorshift32, seed 1, LE words
  assert.equal((await control(`/messages/${enc(EXTRA.ewsId)}`)).attachments[0].sha256, generatedSha256(42, 5_000_003));
  assert.equal(await (await get(attachments(EXTRA.ewsId, `/${b64}/$value`))).text(), 'inline note');

  // $value of item attachments: application/octet-stream whatever the kind (strict: no documented type)
  for (const id of [msg, evt, vcf]) {
    const res = await get(attachments(EXTRA.ewsId, `/${id}/$value`));
    assert.equal(res.headers.get('content-type'), 'application/octet-stream', id);
    await res.arrayBuffer();
  }
  await control('/settings', { typedItemValues: true });
  const eml = await get(attachments(EXTRA.ewsId, `/${msg}/$value`));
  assert.equal(eml.headers.get('content-type'), 'message/rfc822');
  const emlText = await eml.text();
  assert.match(emlText, /^From: "Alex Member" <alex\.member@example\.com>\r\n/);
  assert.match(emlText, /\r\nSubject: Fwd: minutes\r\n.*\r\nMIME-Version: 1\.0\r\n/s);
  assert.match(emlText, /\r\n\r\nThe minutes, as agreed\.\r\n$/);
  const ics = await get(attachments(EXTRA.ewsId, `/${evt}/$value`));
  assert.equal(ics.headers.get('content-type'), 'text/calendar');
  assert.match(await ics.text(), /^BEGIN:VCALENDAR\r\n.*BEGIN:VEVENT\r\n.*DTSTART:20261203T180000Z\r\nDTEND:20261203T203000Z\r\nSUMMARY:Board meeting\r\nLOCATION:Room 2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n$/s);
  const vcard = await get(attachments(EXTRA.ewsId, `/${vcf}/$value`));
  assert.equal(vcard.headers.get('content-type'), 'text/vcard');
  assert.match(await vcard.text(), /^BEGIN:VCARD\r\nVERSION:3\.0\r\nN:Member;Alex;;;\r\nFN:Alex Member\r\nEMAIL;TYPE=INTERNET:alex\.member@example\.com\r\nEND:VCARD\r\n$/);

  await control('/settings', { typedItemValues: false });
  for (const [id, type] of [[msg, 'message/rfc822'], [evt, 'text/calendar'], [vcf, 'text/vcard']]) // the simulated Outlook's source
    assert.equal((await fetch(`${base}/_control/attachments/${id}/content`)).headers.get('content-type'), type);
  await graphError(await get(attachments(EXTRA.ewsId, `/${ref}/$value`)), 405, 'ErrorInvalidRequest');
  const content = await fetch(`${base}/_control/attachments/${big}/content`);
  assert.equal(sha(Buffer.from(await content.arrayBuffer())), generatedSha256(42, 5_000_003));
  assert.equal(await (await fetch(`${base}/_control/attachments/${ref}/content`)).text(), 'https://example.sharepoint.com/budget.xlsx\r\n');
  assert.equal((await fetch(`${base}/_control/messages/nope`)).status, 404);
  assert.equal((await fetch(`${base}/_control/messages`, { method: 'POST', body: '{"ewsId": 1}' })).status, 400);

  await control('/reset', {});
  await graphError(await get(attachments(EXTRA.ewsId)), 404, 'ErrorItemNotFound');
});

test('/users/{mailbox}: own mailbox with Mail.Read, another only with Mail.Read.Shared, never through /me', async () => {
  await control('/messages', SHARED);
  for (const user of [`users/${enc(DANA.mail)}`, `users/${DANA.id}`, `users/${DANA.mail.toUpperCase()}`])
    assert.equal((await get(attachments(BOARD.ewsId, '', user))).status, 200, user);
  await graphError(await get(attachments(SHARED.ewsId, '', 'users/board@example.org')), 403, 'ErrorAccessDenied');
  const shared = await token({ scp: 'Mail.Read Mail.Read.Shared' });
  const res = await get(attachments(SHARED.ewsId, '', 'users/board@example.org'), { auth: shared });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).value[0].name, 'shared.txt');
  await graphError(await get(attachments(SHARED.ewsId), { auth: shared }), 404, 'ErrorItemNotFound');
  await graphError(await get(attachments(BOARD.ewsId, '', 'users/board@example.org'), { auth: shared }), 404, 'ErrorItemNotFound');
  await graphError(await get(attachments(SHARED.ewsId, '', `users/${toRestId('00000000-0000-0000-0000-000000000000')}`)), 404, 'ErrorInvalidUser');
});

test('the shared-mailbox fixture message: through /users/{mailbox} with Mail.Read.Shared only', async () => {
  await control('/reset', {});
  const team = FIXTURE.messages.find((m) => m.mailbox === 'team@example.org');
  assert.ok(team, 'tests/fixtures/mailbox.json has a message in team@example.org');
  assert.ok(!FIXTURE.users.some((u) => same(u.mail, team.mailbox)), 'an unknown address resolves without a users entry');
  assert.ok([team.ewsId, ...team.attachments.map((a) => a.ewsId)].every((id) => /[/+]/.test(id)), 'ids need converting');
  const shared = await token({ scp: 'Mail.Read Mail.Read.Shared' });
  const list = (await (await get(attachments(team.ewsId, '', `users/${enc(team.mailbox)}`), { auth: shared })).json()).value;
  assert.deepEqual(list.map((a) => [a.id, a.name, a.size]), team.attachments.map((a) => [toRestId(a.ewsId), a.name, fileBytes(a.file).length]));
  for (const a of team.attachments) {
    const res = await get(attachments(team.ewsId, `/${enc(toRestId(a.ewsId))}/$value`, `users/${enc(team.mailbox)}`), { auth: shared });
    assert.equal(sha(Buffer.from(await res.arrayBuffer())), sha(fileBytes(a.file)));
  }
  await graphError(await get(attachments(team.ewsId), { auth: shared }), 404, 'ErrorItemNotFound');
  await graphError(await get(attachments(team.ewsId, '', `users/${enc(team.mailbox)}`)), 403, 'ErrorAccessDenied');
});

test('hide: a message answers 404 on every /v1.0 path for the window, then as before', async () => {
  await control('/reset', {});
  const restId = toRestId(BOARD.ewsId), att = toRestId(BOARD.attachments[0].ewsId);
  const paths = [attachments(BOARD.ewsId), attachments(BOARD.ewsId, `/${att}`), attachments(BOARD.ewsId, `/${att}/$value`),
    attachments(BOARD.ewsId, '?$select=name', `users/${enc(DANA.mail)}`)];
  const t0 = Date.now();
  const hid = await control(`/messages/${enc(BOARD.ewsId)}/hide`, { ms: 500 });
  assert.deepEqual([hid.ewsId, hid.restId], [BOARD.ewsId, restId]);
  assert.ok(Math.abs(Date.parse(hid.hiddenUntil) - (t0 + 500)) < 200);
  for (const path of paths) await graphError(await get(path), 404, 'ErrorItemNotFound');
  assert.equal((await get('/v1.0/me')).status, 200, 'other requests are not affected');
  assert.equal((await fetch(`${base}/_control/messages/${enc(BOARD.ewsId)}`)).status, 200, 'the control API still sees it');
  assert.equal((await fetch(`${base}/_control/attachments/${att}/content`)).status, 200);
  await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(hid.hiddenUntil) - Date.now() + 20)));
  for (const path of paths) assert.equal((await get(path)).status, 200, path);

  await control(`/messages/${restId}/hide`, { ms: 60_000 }); // by REST id too
  await graphError(await get(paths[0]), 404, 'ErrorItemNotFound');
  assert.equal((await control(`/messages/${restId}/hide`, { ms: 0 })).hiddenUntil, null);
  assert.equal((await get(paths[0])).status, 200, 'ms 0 ends the window');
  await control(`/messages/${restId}/hide`, { ms: 60_000 });
  await control('/reset', {});
  assert.equal((await get(paths[0])).status, 200, 'reset ends it');

  const post = (path, body) => fetch(`${base}/_control${path}`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal((await post(`/messages/${restId}/hide`, {})).status, 400);
  assert.equal((await post(`/messages/${restId}/hide`, { ms: -1 })).status, 400);
  assert.equal((await post('/messages/AAMkADnope=/hide', { ms: 10 })).status, 404);
  await control('/reset', {});
});

test('GET /v1.0/me: the token user', async () => {
  const me = await (await get('/v1.0/me')).json();
  assert.deepEqual([me.id, me.displayName, me.mail, me.userPrincipalName], [DANA.id, DANA.displayName, DANA.mail, DANA.mail]);
  await graphError(await get('/v1.0/me', { auth: await token({ scp: 'Mail.Read' }) }), 403, 'ErrorAccessDenied');
});

test('401 with WWW-Authenticate: missing, expired, bad signature, wrong audience; 403 on missing scope', async () => {
  const path = attachments(BOARD.ewsId);
  const missing = await get(path, { auth: false });
  assert.match(missing.headers.get('www-authenticate'), /^Bearer realm="", client_id="00000003-0000-0000-c000-000000000000"$/);
  await graphError(missing, 401, 'InvalidAuthenticationToken');
  const cases = {
    expired: await token({}, { exp: Math.floor(Date.now() / 1000) - 60 }),
    'bad signature': await token({}, { key: otherKeys.privateKey }),
    'wrong audience': await token({}, { aud: 'https://graph.microsoft.com' }),
    'not a JWT': 'abc.def.ghi',
  };
  for (const [name, bad] of Object.entries(cases)) {
    const res = await get(path, { auth: bad });
    assert.match(res.headers.get('www-authenticate'), /^Bearer .*error="invalid_token"/, name);
    const error = await graphError(res, 401, 'InvalidAuthenticationToken');
    if (name === 'expired') assert.match(error.message, /expired/);
  }
  await graphError(await get(path, { auth: await token({ scp: 'User.Read Mail.Send' }) }), 403, 'ErrorAccessDenied');
});

test('404 for an unknown message or attachment; 400 for an EWS id not converted to a REST id', async () => {
  await graphError(await get(attachments('AAMkADnope=')), 404, 'ErrorItemNotFound');
  await graphError(await get(attachments(BOARD.ewsId, '/AAMkADnope=/$value')), 404, 'ErrorItemNotFound');
  await graphError(await get(`/v1.0/me/messages/${enc(BOARD.ewsId)}/attachments`), 400, 'ErrorInvalidIdMalformed');
});

test('CORS: preflight, and Allow-Origin and Expose-Headers on every response, errors too', async () => {
  const origin = 'https://127.0.0.1:3000';
  const pre = await fetch(base + attachments(BOARD.ewsId), { method: 'OPTIONS', headers: {
    Origin: origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization,client-request-id' } });
  assert.equal(pre.status, 200);
  assert.equal(pre.headers.get('access-control-allow-origin'), origin);
  assert.equal(pre.headers.get('access-control-allow-methods'), 'GET');
  assert.equal(pre.headers.get('access-control-allow-headers'), 'Authorization, Content-Type, client-request-id, prefer');
  assert.ok(Number(pre.headers.get('access-control-max-age')) > 0);
  for (const res of [await get(attachments(BOARD.ewsId), { headers: { Origin: origin, 'client-request-id': 'abc-123' } }),
    await get(attachments(BOARD.ewsId), { auth: false, headers: { Origin: origin, 'client-request-id': 'abc-123' } })]) {
    assert.equal(res.headers.get('access-control-allow-origin'), origin);
    assert.equal(res.headers.get('access-control-expose-headers'), GRAPH_EXPOSED);
    assert.equal(res.headers.get('client-request-id'), 'abc-123');
    await res.arrayBuffer();
  }
  const ctlPre = await fetch(`${base}/_control/mailbox`, { method: 'OPTIONS', headers: { Origin: origin } });
  assert.equal(ctlPre.headers.get('access-control-allow-methods'), 'GET, POST');
  assert.equal((await fetch(`${base}/_control/mailbox`, { headers: { Origin: origin } })).headers.get('access-control-allow-origin'), origin);
});

test('faults: 429 with Retry-After, 503 twice, 401, then the real answer', async () => {
  await control('/reset', {});
  const path = attachments(BOARD.ewsId, '?$select=name');
  await control('/faults', [{ match: '/attachments', status: 429, retryAfter: 2 }]);
  const throttled = await get(path);
  assert.equal(throttled.headers.get('retry-after'), '2');
  await graphError(throttled, 429, 'ApplicationThrottled');
  assert.equal((await get(path)).status, 200);
  await control('/faults', { match: '$select=name', status: 503, retryAfter: 1, times: 2 });
  await graphError(await get(path), 503, 'ServiceUnavailable');
  await graphError(await get(path), 503, 'ServiceUnavailable');
  assert.equal((await get(path)).status, 200);
  await control('/faults', { match: 'attachments', status: 401 });
  const expired = await get(path);
  assert.ok(expired.headers.get('www-authenticate'));
  await graphError(expired, 401, 'InvalidAuthenticationToken');
  assert.deepEqual(await control('/faults'), []);
  assert.equal((await fetch(`${base}/_control/faults`, { method: 'POST', body: '[{"match": "x"}]' })).status, 400);
});

test('faults: cutAfterBytes sends the headers and part of the body, then the body read fails', async () => {
  const restId = toRestId(BOARD.attachments[0].ewsId), path = attachments(BOARD.ewsId, `/${restId}/$value`);
  await control('/faults', [{ match: '$value', cutAfterBytes: 100 }]);
  const res = await get(path);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-length'), String(fileBytes('files/agenda.pdf').length));
  await assert.rejects(res.arrayBuffer());
  assert.equal((await (await get(path)).arrayBuffer()).byteLength, fileBytes('files/agenda.pdf').length);
});

test('concurrency limit: a request past the limit in flight gets 429', async () => {
  const huge = { mailbox: DANA.mail, ewsId: 'AAMkADselftest/huge+msg=', attachments: [{ ewsId: 'AAMkADselftest/huge=', name: 'huge.bin', generate: { size: 150e6, seed: 7 } }] };
  await control('/messages', huge);
  await control('/settings', { concurrencyLimit: 1 });
  const slow = await get(attachments(huge.ewsId, `/${toRestId(huge.attachments[0].ewsId)}/$value`)); // body left unread
  assert.equal(slow.headers.get('content-length'), '150000000');
  const second = await get(attachments(BOARD.ewsId));
  assert.ok(second.headers.get('retry-after'));
  await graphError(second, 429, 'ApplicationThrottled');
  await slow.body.cancel();
  let status; // the server sees the cancelled download close a moment later
  for (let i = 0; i < 50 && (status = (await get('/v1.0/me')).status) === 429; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(status, 200);
  await control('/reset', {});
});

test('request log: time, method, path with query, status, auth state; reset clears it', async () => {
  await control('/reset', {});
  const t0 = Date.now();
  await get(attachments(BOARD.ewsId, '?$top=1'));
  await get(attachments(BOARD.ewsId), { auth: false });
  await get(attachments(BOARD.ewsId), { auth: 'not-a-token' });
  await fetch(base + '/v1.0/me', { method: 'OPTIONS', headers: { Origin: 'https://x.example' } });
  const log = await control('/requests');
  assert.deepEqual(log.map((e) => [e.method, e.status, e.auth]), [['GET', 200, 'ok'], ['GET', 401, 'none'], ['GET', 401, 'bad'], ['OPTIONS', 200, 'none']]);
  assert.equal(log[0].path, `${attachments(BOARD.ewsId)}?$top=1`);
  assert.ok(log.every((e) => e.t >= t0 - 5 && e.t <= Date.now()));
  assert.ok(log.every((e) => e.end >= e.t && e.end <= Date.now()), 'each answered request has its end time');
  assert.deepEqual([log[0].app, log[0].mailbox, log[0].inFlight, log[0].rejected], [APP, DANA.mail, 1, null]);
  assert.deepEqual([log[1].app, log[1].mailbox], [null, null], 'unauthenticated: neither is known');
  assert.doesNotMatch(JSON.stringify(log), /eyJ/); // no token anywhere
  await control('/reset', {});
  assert.deepEqual(await control('/requests'), []);
});

test('keys from a remote JWKS URL (jwksUrl), trusted through the stand-ins certificate', async () => {
  const idp = https.createServer(tls, (req, res) => res.end(JSON.stringify(jwks)));
  await new Promise((ok) => idp.listen(0, '127.0.0.1', ok));
  const remote = await start({ port: 0, tls, jwksUrl: `https://127.0.0.1:${idp.address().port}/jwks`, audience: 'api://graph-standin' });
  try {
    const call = async (aud) => fetch(remote.url + attachments(BOARD.ewsId), { headers: { Authorization: `Bearer ${await token({}, { aud })}` } });
    assert.equal((await call('api://graph-standin')).status, 200);
    assert.equal((await call(remote.url)).status, 401);
  } finally {
    await remote.close();
    idp.close();
  }
});

// ---- Graph's CORS, throttling, item attachments, MIME, /me -----------------------------------

// A small MIME reader (independent of the server's writer): top headers, and the parts of a multipart body.
function parseMime(buf) {
  const text = buf.toString('latin1');
  const split = (t) => { const i = t.indexOf('\r\n\r\n'); return [t.slice(0, i), t.slice(i + 4)]; };
  const headers = (h) => Object.fromEntries(h.replace(/\r\n[\t ]+/g, ' ').split('\r\n')
    .map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  const [head, body] = split(text), top = headers(head);
  const boundary = /boundary="([^"]+)"/.exec(top['content-type'] ?? '')?.[1];
  if (!boundary) return { text, headers: top, body: Buffer.from(body, 'latin1'), parts: [] };
  const chunks = body.split(`--${boundary}`);
  const parts = chunks.slice(1, -1).map((c) => {
    const [h, b] = split(c.replace(/^\r\n/, '')), hh = headers(h), raw = b.replace(/\r\n$/, ''); // that CRLF is the delimiter's
    return { headers: hh, raw, bytes: hh['content-transfer-encoding'] === 'base64' ? Buffer.from(raw.replace(/\r\n/g, ''), 'base64') : Buffer.from(raw, 'latin1') };
  });
  return { text, headers: top, parts, preamble: chunks[0], epilogue: chunks.at(-1) };
}
const messageValue = (ewsId, user = 'me') => `/v1.0/${user}/messages/${enc(toRestId(ewsId))}/$value`;

test('CORS as Graph: Retry-After sent on 429 and 503 but not in Expose-Headers, so browser code cannot read it', async () => {
  await control('/reset', {});
  const origin = 'https://127.0.0.1:3000';
  await control('/faults', [{ match: '/attachments', status: 429, retryAfter: 7 }, { match: '/attachments', status: 503, retryAfter: 3 }]);
  for (const [status, wait] of [[429, '7'], [503, '3']]) {
    const res = await get(attachments(BOARD.ewsId), { headers: { Origin: origin } });
    assert.equal(res.status, status);
    assert.equal(res.headers.get('retry-after'), wait, 'sent: a non-browser client sees the wait');
    assert.equal(res.headers.get('access-control-allow-origin'), origin);
    assert.equal(res.headers.get('access-control-expose-headers'), GRAPH_EXPOSED);
    assert.ok(!browserReadable(res).has('retry-after'), 'not exposed: browser code cannot read it');
    assert.ok(browserReadable(res).has('request-id') && browserReadable(res).has('client-request-id'));
    await res.arrayBuffer();
  }
  const ok = await get(attachments(BOARD.ewsId));
  assert.equal(ok.headers.get('access-control-allow-origin'), '*', 'no Origin: *');
  assert.equal(ok.headers.get('access-control-expose-headers'), GRAPH_EXPOSED);
  await ok.arrayBuffer();
  const pre = await fetch(base + messageValue(BOARD.ewsId), { method: 'OPTIONS', headers: {
    Origin: origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization,content-type' } });
  assert.equal(pre.status, 200);
  assert.equal(pre.headers.get('access-control-allow-origin'), origin);
  const allowed = pre.headers.get('access-control-allow-headers').split(',').map((h) => h.trim().toLowerCase());
  assert.ok(['authorization', 'content-type'].every((h) => allowed.includes(h)));
  assert.equal(pre.headers.get('access-control-max-age'), '3600');
  assert.equal((await pre.arrayBuffer()).byteLength, 0);
});

test('throttling window: every matching request answers 429 for forMs, with Retry-After and the error body, then normal', async () => {
  await control('/reset', {});
  await control('/messages', SHARED);
  const shared = await token({ scp: 'Mail.Read Mail.Read.Shared' });
  const att = enc(toRestId(BOARD.attachments[0].ewsId));
  const added = await control('/faults', { mailbox: DANA.mail.toUpperCase(), status: 429, forMs: 60_000 });
  assert.equal(added.length, 1);
  assert.ok(Math.abs(Date.parse(added[0].until) - (Date.now() + 60_000)) < 1000);
  for (const path of [attachments(BOARD.ewsId), attachments(BOARD.ewsId, `/${att}/$value`), messageValue(BOARD.ewsId), '/v1.0/me',
    attachments(BOARD.ewsId, '', `users/${enc(DANA.mail)}`)]) {
    const res = await get(path);
    assert.equal(res.headers.get('retry-after'), '60', path);
    const error = await graphError(res, 429, 'TooManyRequests');
    assert.ok(error.message);
  }
  const other = await get(attachments(SHARED.ewsId, '', 'users/board@example.org'), { auth: shared });
  assert.equal(other.status, 200, 'another mailbox is not throttled');
  await other.arrayBuffer();
  assert.equal((await control('/faults')).length, 1, 'a window is not used up by requests');
  await control('/reset', {});
  assert.equal((await get(attachments(BOARD.ewsId))).status, 200, 'reset ends it');

  // by path, with its own code; `times` does not end a window, time does
  await control('/faults', { match: '/attachments', status: 429, forMs: 400, code: 'ApplicationThrottled', times: 1 });
  const t0 = Date.now();
  for (let i = 0; i < 3; i++) {
    const res = await get(attachments(BOARD.ewsId, '?$select=name'));
    assert.equal(res.headers.get('retry-after'), '1', 'the seconds left, rounded up');
    await graphError(res, 429, 'ApplicationThrottled');
  }
  assert.equal((await get('/v1.0/me')).status, 200, 'paths that do not match are answered');
  await sleep(Math.max(0, t0 + 450 - Date.now()));
  assert.equal((await get(attachments(BOARD.ewsId, '?$select=name'))).status, 200, 'after the window: normal');
  assert.deepEqual(await control('/faults'), []);

  await control('/faults', { match: '$value', status: 503, forMs: 90_000, retryAfter: 5 });
  const unavailable = await get(messageValue(BOARD.ewsId));
  assert.equal(unavailable.headers.get('retry-after'), '5');
  await graphError(unavailable, 503, 'ServiceUnavailable');
  await control('/reset', {});
  const post = (body) => fetch(`${base}/_control/faults`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal((await post({ match: 'x', status: 429, forMs: 0 })).status, 400);
  assert.equal((await post({ status: 429, forMs: 1000 })).status, 400, 'match or mailbox is needed');
});

test('concurrency: at most 4 requests per app and mailbox in flight by default; the 5th gets 429; stats and log show it', async () => {
  await control('/reset', {});
  assert.equal((await control('/settings')).concurrencyLimit, 4);
  const huge = { mailbox: DANA.mail, ewsId: 'AAMkADselftest/huge+4=', attachments: [{ ewsId: 'AAMkADselftest/huge4=', name: 'huge.bin', generate: { size: 150e6, seed: 8 } }] };
  await control('/messages', huge);
  await control('/messages', SHARED);
  const path = attachments(huge.ewsId, `/${toRestId(huge.attachments[0].ewsId)}/$value`);
  const held = [];
  for (let i = 0; i < 4; i++) held.push(await get(path)); // bodies left unread: the answers stay in flight
  assert.deepEqual(held.map((r) => r.status), [200, 200, 200, 200]);
  const fifth = await get(attachments(BOARD.ewsId));
  assert.equal(fifth.headers.get('retry-after'), '1');
  assert.match((await graphError(fifth, 429, 'ApplicationThrottled')).message, /MailboxConcurrency/);
  const stats = await control('/stats');
  assert.deepEqual(stats.byMailbox[DANA.mail], { requests: 5, inFlight: 4, maxInFlight: 5, throttled: 1, concurrencyRejected: 1,
    maxPerSecond: stats.byMailbox[DANA.mail].maxPerSecond });

  const shared = await get(attachments(SHARED.ewsId, '', 'users/board@example.org'), { auth: await token({ scp: 'Mail.Read Mail.Read.Shared' }) });
  assert.equal(shared.status, 200, 'another mailbox has its own 4');
  await shared.arrayBuffer();
  const otherApp = await get(attachments(BOARD.ewsId), { auth: await token({ azp: 'another-app' }) });
  assert.equal(otherApp.status, 200, 'another app has its own 4');
  await otherApp.arrayBuffer();
  await control('/settings', { concurrencyLimit: null });
  const unlimited = await get(attachments(BOARD.ewsId));
  assert.equal(unlimited.status, 200, 'concurrencyLimit null: no limit');
  await unlimited.arrayBuffer();

  const log = (await control('/requests')).filter((e) => e.mailbox != null);
  const rejected = log.find((e) => e.rejected === 'concurrency');
  assert.deepEqual([rejected.status, rejected.inFlight, rejected.app, rejected.mailbox], [429, 5, APP, DANA.mail]);
  assert.ok(rejected.end >= rejected.t);
  assert.ok(log.filter((e) => e.path === path).every((e) => e.end === null), 'the held downloads have not ended');
  assert.equal(log.find((e) => e.app === 'another-app').inFlight, 1);
  for (const r of held) await r.body.cancel();
  let now;
  for (let i = 0; i < 100 && (now = await control('/stats')).inFlight > 0; i++) await sleep(20);
  assert.equal(now.inFlight, 0);
  const ended = (await control('/requests')).filter((e) => e.mailbox === DANA.mail);
  assert.ok(ended.every((e) => e.end >= e.t));
  // the most in flight at once, recomputed from the log's start and end times (an end before a start at the same ms)
  const events = ended.flatMap((e) => [[e.t, 1], [e.end, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0, most = 0;
  for (const [, d] of events) most = Math.max(most, (open += d));
  const box = now.byMailbox[DANA.mail];
  assert.equal(box.maxInFlight, 5);
  assert.equal(most, box.maxInFlight);
  assert.equal(box.requests, 7);
  const ts = ended.map((e) => e.t);
  assert.equal(box.maxPerSecond, Math.max(...ts.map((t) => ts.filter((u) => u >= t && u < t + 1000).length)));
  assert.deepEqual([now.requests, now.maxInFlight, now.throttled, now.concurrencyRejected], [8, 5, 1, 1]);
  assert.equal(now.byMailbox['board@example.org'].requests, 1);
  await control('/reset', {});
  assert.deepEqual((await control('/stats')).byMailbox, {});
});

test('item attachments: $expand=microsoft.graph.itemattachment/item gives the item and its kind, also with $select', async () => {
  await control('/reset', {});
  const [m, e, c, ref] = FORWARDED.attachments;
  assert.deepEqual(FORWARDED.attachments.map((a) => a.itemType ?? a.kind), ['message', 'event', 'contact', 'reference']);
  const one = (a, q = '') => get(attachments(FORWARDED.ewsId, `/${enc(toRestId(a.ewsId))}${q}`));
  const plain = await (await one(m)).json();
  assert.deepEqual([plain['@odata.type'], plain.contentType, plain.item], ['#microsoft.graph.itemAttachment', null, undefined]);

  const msg = await (await one(m, '?$expand=microsoft.graph.itemattachment/item')).json();
  assert.equal(msg.name, 'Re: AGM venue');
  assert.match(msg['item@odata.context'], /\/messages\('.+'\)\/attachments\('.+'\)\/microsoft\.graph\.itemAttachment\/item\/\$entity$/);
  assert.equal(msg.item['@odata.type'], '#microsoft.graph.message');
  assert.equal(msg.item.id, '');
  assert.equal(msg.item.subject, 'Re: AGM venue');
  assert.deepEqual(msg.item.from, { emailAddress: { name: 'Alex Member', address: 'alex.member@example.com' } });
  assert.deepEqual(msg.item.body, { contentType: 'text', content: m.bodyText });
  assert.equal(msg.item.sentDateTime, m.sentDateTime);

  const evt = await (await one(e, '?$expand=Microsoft.Graph.ItemAttachment/Item')).json(); // case-insensitive
  assert.equal(evt.item['@odata.type'], '#microsoft.graph.event');
  assert.equal(evt.item.subject, 'Annual general meeting');
  assert.deepEqual(evt.item.start, { dateTime: '2027-01-15T14:00:00.0000000', timeZone: 'UTC' });
  assert.deepEqual(evt.item.end, { dateTime: '2027-01-15T17:00:00.0000000', timeZone: 'UTC' });
  assert.equal(evt.item.location.displayName, 'Main hall');
  const con = await (await one(c, '?$expand=microsoft.graph.itemattachment/item')).json();
  assert.equal(con.item['@odata.type'], '#microsoft.graph.contact');
  assert.deepEqual([con.item.displayName, con.item.givenName, con.item.surname, con.item.companyName], ['Sam Board', 'Sam', 'Board', 'Example Society']);
  assert.deepEqual(con.item.emailAddresses, [{ name: 'Sam Board', address: 'sam.board@example.net' }]);

  const sel = await (await one(e, '?$select=id,name&$expand=microsoft.graph.itemattachment/item($select=subject)')).json();
  assert.deepEqual(Object.keys(sel).sort(), ['@odata.context', '@odata.type', 'id', 'item', 'item@odata.context', 'name']);
  assert.deepEqual(sel.item, { '@odata.type': '#microsoft.graph.event', id: '', subject: 'Annual general meeting' });
  const list = (await (await get(attachments(FORWARDED.ewsId, '?$select=id,name&$expand=microsoft.graph.itemattachment/item'))).json()).value;
  assert.deepEqual(list.map((a) => a.item?.['@odata.type'] ?? null), ['#microsoft.graph.message', '#microsoft.graph.event', '#microsoft.graph.contact', null]);
  assert.ok(list.every((a) => a.contentBytes === undefined));
  const file = await (await get(attachments(BOARD.ewsId, `/${enc(toRestId(BOARD.attachments[0].ewsId))}?$expand=microsoft.graph.itemattachment/item`))).json();
  assert.deepEqual([file.item, typeof file.contentBytes], [undefined, 'string'], 'a file attachment: nothing to expand');
  await graphError(await one(m, '?$expand=item'), 400, 'BadRequest');
  await graphError(await one(m, '?$expand=attachments'), 400, 'BadRequest');

  for (const [a, start] of [[m, /^From: "Alex Member" /], [e, /^BEGIN:VCALENDAR\r\n/], [c, /^BEGIN:VCARD\r\n/]]) {
    const res = await one(a, '/$value');
    assert.equal(res.headers.get('content-type'), 'application/octet-stream', 'the kind cannot be told from $value');
    assert.match(await res.text(), start);
  }
  await graphError(await one(ref, '/$value'), 405, 'ErrorInvalidRequest');
});

test('whole message as MIME: /messages/{id}/$value is text/plain, chunked, byte for byte /_control/mime', async () => {
  await control('/reset', {});
  const res = await get(messageValue(BOARD.ewsId));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/plain');
  assert.equal(res.headers.get('content-length'), null, 'no Content-Length: streamed');
  const bytes = Buffer.from(await res.arrayBuffer());
  const ctl = await control(`/mime?message=${enc(BOARD.ewsId)}`);
  assert.deepEqual(Object.keys(ctl).sort(), ['base64', 'sha256', 'size']);
  assert.deepEqual([ctl.size, ctl.sha256], [bytes.length, sha(bytes)]);
  assert.ok(Buffer.from(ctl.base64, 'base64').equals(bytes));
  assert.equal((await control(`/mime?message=${toRestId(BOARD.ewsId)}`)).sha256, ctl.sha256, 'by REST id too');
  const raw = await fetch(`${base}/_control/messages/${enc(BOARD.ewsId)}/mime`);
  assert.equal(raw.headers.get('content-type'), 'message/rfc822');
  assert.ok(Buffer.from(await raw.arrayBuffer()).equals(bytes), 'raw, for the simulated Outlook');
  assert.ok(Buffer.from(await (await get(messageValue(BOARD.ewsId, `users/${enc(DANA.mail)}`))).arrayBuffer()).equals(bytes),
    'the same bytes again, and through /users/{mailbox}');

  const mime = parseMime(bytes);
  assert.deepEqual([mime.headers['mime-version'], mime.headers.subject, mime.headers['message-id']], ['1.0', BOARD.subject, BOARD.internetMessageId]);
  assert.equal(mime.headers.from, '"Alex Member" <alex.member@example.com>');
  assert.equal(mime.headers.cc, '"Sam Board" <sam.board@example.net>');
  assert.equal(mime.headers.date, 'Fri, 20 Nov 2026 09:30:00 +0000');
  assert.match(mime.headers['content-type'], /^multipart\/mixed; boundary="[^"]+"$/);
  assert.equal(mime.parts.length, 1 + BOARD.attachments.length);
  assert.equal(mime.parts[0].bytes.toString(), `${BOARD.bodyText.replace(/\n/g, '\r\n')}\r\n`);
  for (const [i, a] of BOARD.attachments.entries()) {
    const part = mime.parts[i + 1], file = fileBytes(a.file);
    assert.equal(part.headers['content-type'], `${a.contentType}; name="${a.name}"`);
    assert.ok(part.headers['content-disposition'].startsWith(`attachment; filename="${a.name}"; size=${file.length};`));
    assert.equal(part.headers['content-transfer-encoding'], 'base64');
    assert.ok(part.raw.split('\r\n').every((l) => l.length <= 76), 'base64 lines of at most 76 characters');
    assert.equal(sha(part.bytes), sha(file));
  }
  assert.equal(mime.epilogue, '--\r\n');

  const fwd = parseMime(Buffer.from(await (await get(messageValue(FORWARDED.ewsId))).arrayBuffer()));
  assert.equal(fwd.parts.length, 4, 'the text and the three items; the reference attachment is not in the MIME');
  assert.ok(!fwd.text.includes('AGM minutes template') && !fwd.text.includes('sharepoint'));
  const value = async (a) => Buffer.from(await (await get(attachments(FORWARDED.ewsId, `/${enc(toRestId(a.ewsId))}/$value`))).arrayBuffer());
  assert.equal(fwd.parts[1].headers['content-type'], 'message/rfc822');
  assert.ok(fwd.parts[1].bytes.equals(await value(FORWARDED.attachments[0])));
  assert.match(fwd.parts[2].headers['content-type'], /^text\/calendar; /);
  assert.ok(fwd.parts[2].bytes.equals(await value(FORWARDED.attachments[1])));
  assert.match(fwd.parts[3].headers['content-type'], /^text\/vcard; /);
  assert.ok(fwd.parts[3].bytes.equals(await value(FORWARDED.attachments[2])));

  await control('/messages', { mailbox: DANA.mail, ewsId: 'AAMkADselftest/plain+1=', subject: 'Plain', bodyText: 'Just text.' });
  const plain = parseMime(Buffer.from(await (await get(messageValue('AAMkADselftest/plain+1='))).arrayBuffer()));
  assert.equal(plain.headers['content-type'], 'text/plain; charset="utf-8"');
  assert.equal(plain.body.toString(), 'Just text.\r\n');

  await control('/messages', EXTRA); // a 5 MB generated file streams through
  const big = await get(messageValue(EXTRA.ewsId));
  const extra = parseMime(Buffer.from(await big.arrayBuffer()));
  assert.equal(sha(extra.parts[1].bytes), generatedSha256(42, 5_000_003));
  assert.ok(extra.parts[2].bytes.equals(fileBytesOf(EXTRA.attachments[1])));
  assert.match(extra.parts[2].headers['content-disposition'], /^inline; /);
  assert.equal(extra.parts[2].headers['content-id'], '<note@example>');
  assert.equal(extra.parts.length, 6, 'two files, three items; not the reference');
  assert.equal((await control(`/mime?message=${enc(EXTRA.ewsId)}`)).sha256, sha(Buffer.from(extra.text, 'latin1')));
  assert.equal((await fetch(`${base}/_control/mime`)).status, 400);
  assert.equal((await fetch(`${base}/_control/mime?message=AAMkADnope=`)).status, 404);
  await control('/reset', {});
});

test("/me is only the signed-in user's mailbox: another mailbox's message answers 404 on every path", async () => {
  await control('/reset', {});
  await control('/messages', SHARED);
  const shared = await token({ scp: 'Mail.Read Mail.Read.Shared' });
  const id = enc(toRestId(SHARED.ewsId)), att = enc(toRestId(SHARED.attachments[0].ewsId));
  const paths = ['/attachments', `/attachments/${att}`, `/attachments/${att}/$value`, '/$value'];
  for (const p of paths) {
    await graphError(await get(`/v1.0/me/messages/${id}${p}`, { auth: shared }), 404, 'ErrorItemNotFound');
    const res = await get(`/v1.0/users/board%40example.org/messages/${id}${p}`, { auth: shared });
    assert.equal(res.status, 200, p);
    await res.arrayBuffer();
    await graphError(await get(`/v1.0/users/board%40example.org/messages/${id}${p}`), 403, 'ErrorAccessDenied');
  }
  await control('/settings', { foreignItemError: 'ErrorInvalidMailboxItemId' });
  for (const p of paths) await graphError(await get(`/v1.0/me/messages/${id}${p}`, { auth: shared }), 404, 'ErrorInvalidMailboxItemId');
  await graphError(await get(attachments(BOARD.ewsId, '', 'users/board%40example.org'), { auth: shared }), 404, 'ErrorItemNotFound');
  assert.equal((await fetch(`${base}/_control/settings`, { method: 'POST', body: '{"foreignItemError": "Nope"}' })).status, 400);
  await control('/reset', {});
});

test('faults: 404 ErrorItemNotFound for a message that is in the mailbox (not synced yet), then the real answer', async () => {
  await control('/reset', {});
  const id = enc(toRestId(BOARD.ewsId)), att = enc(toRestId(BOARD.attachments[0].ewsId));
  await control('/faults', [{ match: `/messages/${id}/attachments`, status: 404, code: 'ErrorItemNotFound', times: 3 },
    { match: `/messages/${id}/$value`, status: 404 }]);
  for (const p of [attachments(BOARD.ewsId), attachments(BOARD.ewsId, `/${att}`), attachments(BOARD.ewsId, `/${att}/$value`), messageValue(BOARD.ewsId)])
    await graphError(await get(p), 404, 'ErrorItemNotFound');
  assert.equal((await get(attachments(BOARD.ewsId))).status, 200);
  assert.equal((await get(messageValue(BOARD.ewsId))).status, 200);
  await control('/faults', { mailbox: DANA.mail, match: '/attachments', status: 404, forMs: 60_000 });
  await graphError(await get(attachments(BOARD.ewsId)), 404, 'ErrorItemNotFound');
  await graphError(await get(attachments(BOARD.ewsId)), 404, 'ErrorItemNotFound');
  assert.equal((await get(messageValue(BOARD.ewsId))).status, 200, 'match and mailbox must both hold');
  await control('/reset', {});
});
