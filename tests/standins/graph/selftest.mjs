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

execFileSync('bash', ['scripts/certs.sh', '.local/certs'], { cwd: REPO }); // idempotent
const tls = { key: readFileSync(`${REPO}.local/certs/key.pem`), cert: readFileSync(`${REPO}.local/certs/cert.pem`) };
const keys = await generateKeyPair('RS256');
const otherKeys = await generateKeyPair('RS256');
const jwks = { keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
let server, base;

const token = (claims = {}, { key = keys.privateKey, exp = '10m', aud = base } = {}) =>
  new SignJWT({ scp: 'Mail.Read User.Read', oid: DANA.id, preferred_username: DANA.mail, name: DANA.displayName, ...claims })
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
    assert.equal(res.headers.get('access-control-expose-headers'), 'Retry-After, request-id, client-request-id, Content-Length, Content-Type');
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
