// Checks the iMIS stand-in against the documented shapes with plain fetch.
// Run from the repository root: node --test tests/standins/imis/selftest.mjs
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { start } from './server.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const CERTS = resolve(ROOT, '.local/certs');
const GE = 'Asi.Soa.Core.DataContracts.GenericEntityData, Asi.Contracts';
const GP = 'Asi.Soa.Core.DataContracts.GenericPropertyData, Asi.Contracts';
const DD = 'Asi.Soa.Core.DataContracts.DocumentData, Asi.Contracts';
const OBJECTS = 'System.Collections.ObjectModel.Collection`1[[System.Object, mscorlib]], mscorlib';
const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let srv;
before(async () => {
  if (!existsSync(resolve(CERTS, 'cert.pem'))) execFileSync('bash', ['scripts/certs.sh'], { cwd: ROOT });
  srv = await start({ port: 0, tls: { key: readFileSync(resolve(CERTS, 'key.pem')), cert: readFileSync(resolve(CERTS, 'cert.pem')) } });
});
after(() => srv.close());
beforeEach(() => ctl('POST', 'reset'));

async function call(method, path, { token, body, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined && typeof body !== 'string') { h['Content-Type'] = 'application/json'; body = JSON.stringify(body); }
  const res = await fetch(srv.url + path, { method, headers: h, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}
const ctl = (method, name, body) => call(method, `/_control/${name}`, { body });
const form = (fields) => ({ body: new URLSearchParams(fields).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
async function login() {
  const r = await call('POST', '/token', form({ grant_type: 'password', username: 'staff', password: 'imis-demo-pass' }));
  assert.equal(r.status, 200);
  return r.body.access_token;
}
const activity = (props) => ({
  $type: GE, EntityTypeName: 'Activity',
  Properties: { $type: 'Asi.Soa.Core.DataContracts.GenericPropertyDataCollection, Asi.Contracts', $values: Object.entries(props).map(([Name, Value]) => ({ $type: GP, Name, Value })) },
});
const valueOf = (entity, name) => entity.Properties.$values.find((p) => p.Name === name)?.Value;
const docBody = (Name, Path, bytes, DocumentTypeId = 'TXT') => ({
  $type: DD, Name, AlternateName: Name, DocumentTypeId, Path,
  ...(bytes ? { Data: { $type: 'System.Byte[], mscorlib', $value: bytes.toString('base64') } } : {}),
});
const execute = (token, OperationName, ...values) => call('POST', '/api/Document/_execute', {
  token, body: { $type: 'Asi.Soa.Core.DataContracts.GenericExecuteRequest, Asi.Contracts', EntityTypeName: 'DocumentSummary', OperationName, Parameters: { $type: OBJECTS, $values: values } },
});
const findByPath = (token, path) => execute(token, 'FindByPath', { $type: 'System.String', $value: path });

test('POST /token: good and bad credentials', async () => {
  const ok = await call('POST', '/token', form({ grant_type: 'password', username: 'staff', password: 'imis-demo-pass' }));
  assert.equal(ok.status, 200);
  assert.match(ok.body.access_token, /^\S{20,}$/);
  assert.equal(ok.body.token_type, 'bearer');
  assert.equal(ok.body.expires_in, 1199);
  assert.equal(ok.body.userName, 'staff');
  assert.ok(Date.parse(ok.body['.expires']) - Date.parse(ok.body['.issued']) >= 1198_000);
  const bad = await call('POST', '/token', form({ grant_type: 'password', username: 'staff', password: 'wrong' }));
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body, { error: 'invalid_grant', error_description: 'The user name or password is incorrect.' });
  const json = await call('POST', '/token', { body: { grant_type: 'password', username: 'staff', password: 'imis-demo-pass' } });
  assert.equal(json.status, 400, 'the token endpoint takes a form, not JSON');
});

test('/api needs a valid bearer token', async () => {
  for (const token of [undefined, 'not-a-token']) {
    const r = await call('GET', '/api/Party?limit=1', { token });
    assert.equal(r.status, 401);
    assert.equal(typeof r.body.Message, 'string');
  }
  assert.equal((await call('GET', '/api/Party?limit=1', { token: await login() })).status, 200);
});

test('Party email filter: one match, shared address, case-insensitive, none', async () => {
  const token = await login();
  const one = await call('GET', '/api/Party?Email=eq:alex.member@example.com', { token });
  assert.equal(one.status, 200);
  assert.equal(one.body.$type, 'Asi.Soa.Core.DataContracts.PagedResult`1[[Asi.Soa.Membership.DataContracts.PartyData, Asi.Contracts]], Asi.Contracts');
  assert.match(one.body.Items.$type, /^System\.Collections\.Generic\.List`1\[\[Asi\.Soa\.Membership\.DataContracts\.PartyData/);
  assert.deepEqual([one.body.Count, one.body.TotalCount, one.body.Offset, one.body.Limit, one.body.HasNext, one.body.NextOffset, one.body.NextPageLink], [1, 1, 0, 100, false, 0, null]);
  const alex = one.body.Items.$values[0];
  assert.equal(alex.$type, 'Asi.Soa.Membership.DataContracts.PersonData, Asi.Contracts');
  assert.deepEqual([alex.PartyId, alex.Id, alex.Name, alex.PersonName.FirstName, alex.PersonName.LastName], ['23001', '23001', 'Alex Member', 'Alex', 'Member']);
  assert.equal(alex.Emails.$type, 'Asi.Soa.Membership.DataContracts.EmailDataCollection, Asi.Contracts');
  assert.deepEqual(alex.Emails.$values[0], { $type: 'Asi.Soa.Membership.DataContracts.EmailData, Asi.Contracts', Address: 'alex.member@example.com', EmailType: '_Primary', IsPrimary: true });

  const upper = await call('GET', `/api/Party?Email=eq:${encodeURIComponent('ALEX.Member@Example.COM')}`, { token });
  assert.deepEqual(upper.body.Items.$values.map((p) => p.PartyId), ['23001']);
  const plain = await call('GET', '/api/Party?email=sam.board@example.net', { token });
  assert.deepEqual(plain.body.Items.$values.map((p) => p.Name), ['Sam Board']);
  const shared = await call('GET', '/api/Party?Email=eq:shared@example.com&limit=2', { token });
  assert.equal(shared.body.Count, 2);
  assert.deepEqual(shared.body.Items.$values.map((p) => p.PartyId).sort(), ['23002', '23003']);
  const none = await call('GET', '/api/Party?Email=eq:nobody@example.com', { token });
  assert.deepEqual([none.status, none.body.Count, none.body.TotalCount, none.body.Items.$values], [200, 0, 0, []]);
  const unknown = await call('GET', '/api/Party?Colour=eq:red', { token });
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.Message, /Colour is not a known property/);
});

test('Party by id, name filter, organization', async () => {
  const token = await login();
  const sam = await call('GET', '/api/Party/22708', { token });
  assert.deepEqual([sam.status, sam.body.PersonName.FullName], [200, 'Sam Board']);
  assert.equal((await call('GET', '/api/Party/99999', { token })).status, 404);
  assert.deepEqual((await call('GET', '/api/Party?PartyId=eq:23001', { token })).body.Items.$values.map((p) => p.Name), ['Alex Member']);
  const byName = await call('GET', '/api/Party?FullName=contains:shared', { token });
  assert.deepEqual(byName.body.Items.$values.map((p) => p.Name).sort(), ['Casey Shared', 'Jordan Shared']);
  const org = (await call('GET', '/api/Party?Email=eq:info@example-association.org', { token })).body.Items.$values[0];
  assert.deepEqual([org.$type, org.OrganizationName], ['Asi.Soa.Membership.DataContracts.OrganizationData, Asi.Contracts', 'Example Association']);
});

test('Party paging walks every page once; limit is capped at 500', async () => {
  const token = await login();
  const seen = [];
  let offset = 0, pages = 0, total;
  for (;;) {
    const r = await call('GET', `/api/Party?limit=100&offset=${offset}`, { token });
    assert.equal(r.status, 200);
    total ??= r.body.TotalCount;
    assert.equal(r.body.Offset, offset);
    assert.equal(r.body.Count, r.body.Items.$values.length);
    seen.push(...r.body.Items.$values.map((p) => p.PartyId));
    pages++;
    if (!r.body.HasNext) { assert.equal(r.body.NextOffset, 0); break; }
    assert.equal(r.body.NextOffset, offset + 100);
    offset = r.body.NextOffset;
  }
  assert.ok(total >= 250, `TotalCount ${total}`);
  assert.equal(pages, Math.ceil(total / 100));
  assert.equal(new Set(seen).size, total);
  const big = await call('GET', '/api/Party?limit=1000', { token });
  assert.deepEqual([big.body.Limit, big.body.Count], [500, total]);
});

test('GET /api/metadata/Activity lists columns and types', async () => {
  const token = await login();
  const r = await call('GET', '/api/metadata/Activity', { token });
  assert.equal(r.status, 200);
  assert.equal(r.body.$type, 'Asi.Soa.Core.DataContracts.BOEntityDefinitionData, Asi.Contracts');
  const props = Object.fromEntries(r.body.Properties.$values.map((p) => [p.Name, p]));
  for (const name of ['SEQN', 'PartyId', 'ACTIVITY_TYPE', 'TRANSACTION_DATE', 'DESCRIPTION', 'NOTE', 'OTHER_ID', 'SOURCE_CODE']) assert.ok(props[name], name);
  assert.deepEqual([props.DESCRIPTION.PropertyTypeName, props.DESCRIPTION.MaxLength], ['String', 255]);
  assert.equal(props.TRANSACTION_DATE.$type, 'Asi.Soa.Core.DataContracts.PropertyTypeDateTimeData, Asi.Contracts');
  assert.equal(props.SEQN.PropertyTypeName, 'Integer');
});

test('Activity: create with plain and typed values, read back typed, list, delete', async () => {
  const token = await login();
  const sent = activity({ PartyId: '23001', ACTIVITY_TYPE: 'EMAIL', TRANSACTION_DATE: '2024-05-06T07:08:09', DESCRIPTION: 'Re: dues', NOTE: 'Body text' });
  const a = await call('POST', '/api/Activity', { token, body: sent });
  assert.equal(a.status, 201);
  const seqn = valueOf(a.body, 'SEQN');
  assert.equal(seqn.$type, 'System.Int32');
  assert.ok(Number.isInteger(seqn.$value));
  assert.deepEqual(a.body.Identity.IdentityElements.$values, [String(seqn.$value)]);
  assert.deepEqual(a.body.PrimaryParentIdentity.IdentityElements.$values, ['23001']);

  const typed = activity({ PartyId: { $type: 'System.String', $value: '23001' }, ACTIVITY_TYPE: 'MEETING', TRANSACTION_DATE: { $type: 'System.DateTime', $value: '2024-05-07T10:00:00' }, DESCRIPTION: 'Typed' });
  const b = await call('POST', '/api/Activity', { token, body: typed });
  assert.equal(b.status, 201);
  assert.equal(valueOf(b.body, 'SEQN').$value, seqn.$value + 1);

  const back = await call('GET', `/api/Activity/${seqn.$value}`, { token });
  assert.equal(back.status, 200);
  assert.equal(back.body.$type, GE);
  assert.deepEqual(valueOf(back.body, 'TRANSACTION_DATE'), { $type: 'System.DateTime', $value: '2024-05-06T07:08:09' });
  assert.deepEqual(valueOf(back.body, 'SEQN'), seqn);
  assert.deepEqual([valueOf(back.body, 'DESCRIPTION'), valueOf(back.body, 'NOTE'), valueOf(back.body, 'PartyId')], ['Re: dues', 'Body text', '23001']);

  const list = await call('GET', '/api/Activity?PartyId=eq:23001', { token });
  assert.equal(list.body.$type, 'Asi.Soa.Core.DataContracts.PagedResult`1[[Asi.Soa.Core.DataContracts.GenericEntityData, Asi.Contracts]], Asi.Contracts');
  assert.deepEqual(list.body.Items.$values.map((e) => valueOf(e, 'DESCRIPTION')), ['Re: dues', 'Typed']);
  assert.equal((await call('GET', '/api/Activity?PartyId=eq:22708', { token })).body.TotalCount, 0);

  const state = (await ctl('GET', 'state')).body;
  assert.deepEqual(state.activities.map((x) => x.entity), [sent, typed], 'stored exactly as sent');

  assert.equal((await call('DELETE', `/api/Activity/${seqn.$value}`, { token })).status, 200);
  assert.equal((await call('GET', `/api/Activity/${seqn.$value}`, { token })).status, 404);
});

test('Activity validation errors name what is wrong', async () => {
  const token = await login();
  const good = { PartyId: '23001', ACTIVITY_TYPE: 'EMAIL', TRANSACTION_DATE: '2024-05-06T07:08:09', DESCRIPTION: 'ok' };
  const cases = [
    [{ PartyId: '99999' }, 'PartyId', /99999 does not exist/],
    [{ ACTIVITY_TYPE: 'LETTER' }, 'ACTIVITY_TYPE', /LETTER is not an activity type/],
    [{ DESCRIPTION: 'x'.repeat(256) }, 'DESCRIPTION', /longer than 255/],
    [{ TRANSACTION_DATE: 'yesterday' }, 'TRANSACTION_DATE', /not a valid date/],
    [{ TRANSACTION_DATE: { $type: 'System.DateTime', $value: '2024-13-45T00:00:00' } }, 'TRANSACTION_DATE', /not a valid date/],
    [{ SUBJECT: 'x' }, 'SUBJECT', /not a property of Activity/],
  ];
  for (const [change, property, message] of cases) {
    const r = await call('POST', '/api/Activity', { token, body: activity({ ...good, ...change }) });
    assert.equal(r.status, 400, property);
    assert.match(r.body.Message, message);
    assert.deepEqual(r.body.ValidationResults.Errors.$values.map((e) => e.PropertyName), [property]);
  }
  const { PartyId, ...noParty } = good;
  assert.match((await call('POST', '/api/Activity', { token, body: activity(noParty) })).body.Message, /PartyId is required/);
  assert.equal((await call('POST', '/api/Activity', { token, body: '{not json' , headers: { 'Content-Type': 'application/json' } })).status, 400);
  assert.equal((await call('POST', '/api/Activity', { token, body: activity({ ...good, DESCRIPTION: 'x'.repeat(255) }) })).status, 201);
  assert.equal((await ctl('GET', 'state')).body.activities.length, 1);
});

test('Documents: folder, file, parent must exist, duplicates, bad base64, download, find, delete', async () => {
  const token = await login();
  const folder = await call('POST', '/api/Document', { token, body: docBody('msg-1', '$/Common/Email', null, 'FOL') });
  assert.equal(folder.status, 201);
  assert.match(folder.body.DocumentId, GUID_RE);
  assert.deepEqual([folder.body.$type, folder.body.Path, folder.body.FolderPath, folder.body.Data], [DD, '$/Common/Email/msg-1', '$/Common/Email', undefined]);

  const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 255, 10, 13, 0]);
  const missing = await call('POST', '/api/Document', { token, body: docBody('a.bin', '$/Common/Email/nope', bytes) });
  assert.equal(missing.status, 400);
  assert.match(missing.body.Message, /\$\/Common\/Email\/nope does not exist/);

  const file = await call('POST', '/api/Document', { token, body: docBody('a.bin', '$/Common/Email/msg-1', bytes, 'BIN') });
  assert.equal(file.status, 201);
  assert.match(file.body.DocumentId, GUID_RE);
  assert.match(file.body.DocumentVersionId, GUID_RE);
  assert.deepEqual([file.body.Path, file.body.Status, file.body.Data], ['$/Common/Email/msg-1/a.bin', 'Published', undefined]);

  const dup = await call('POST', '/api/Document', { token, body: docBody('A.BIN', '$/Common/Email/msg-1', bytes) });
  assert.equal(dup.status, 400);
  assert.match(dup.body.Message, /already exists/);
  const badB64 = { ...docBody('b.bin', '$/Common/Email/msg-1', bytes), Data: { $type: 'System.Byte[], mscorlib', $value: 'abc$' } };
  assert.match((await call('POST', '/api/Document', { token, body: badB64 })).body.Message, /not valid base64/);
  const noData = await call('POST', '/api/Document', { token, body: docBody('c.bin', '$/Common/Email/msg-1', null) });
  assert.equal(noData.status, 400);

  const got = await call('GET', `/api/Document/${file.body.DocumentId}`, { token });
  assert.equal(got.status, 200);
  assert.equal(got.body.Data.$type, 'System.Byte[], mscorlib');
  assert.deepEqual(Buffer.from(got.body.Data.$value, 'base64'), bytes);
  assert.equal((await call('GET', `/api/Document/${file.body.DocumentVersionId}`, { token })).status, 404, 'by DocumentId, not version id');

  const found = await findByPath(token, '$/Common/Email/msg-1/a.bin');
  assert.equal(found.status, 200);
  assert.deepEqual([found.body.Result.$type, found.body.Result.DocumentId, found.body.Message], ['Asi.Soa.Core.DataContracts.DocumentSummaryData, Asi.Contracts', file.body.DocumentId, null]);
  const notFound = await findByPath(token, '$/Common/Email/msg-1/zzz.bin');
  assert.deepEqual([notFound.status, notFound.body.Result, notFound.body.Message], [200, null, 'NotFound']);
  const listing = await execute(token, 'FindDocumentsInFolder', { $type: 'System.String', $value: folder.body.DocumentId }, { $type: 'System.String[], mscorlib', $values: ['BIN'] }, { $type: 'System.Boolean', $value: true });
  assert.deepEqual(listing.body.Result.$values.map((d) => d.Name), ['a.bin']);

  const state = (await ctl('GET', 'state')).body.documents.find((d) => d.DocumentId === file.body.DocumentId);
  assert.deepEqual([state.size, state.sha256, state.Path], [bytes.length, createHash('sha256').update(bytes).digest('hex'), '$/Common/Email/msg-1/a.bin']);

  assert.equal((await call('DELETE', `/api/Document/${folder.body.DocumentId}`, { token })).status, 400, 'folder not empty');
  assert.equal((await call('DELETE', `/api/Document/${file.body.DocumentId}`, { token })).status, 200);
  assert.equal((await findByPath(token, '$/Common/Email/msg-1/a.bin')).body.Message, 'NotFound');
});

test('faults: 500 although stored, plain failure, delay', async () => {
  const token = await login();
  await ctl('POST', 'faults', [{ match: 'POST /api/Document', status: 500, times: 1, store: true }]);
  const r = await call('POST', '/api/Document', { token, body: docBody('quirk.txt', '$/Common/Email', Buffer.from('hello')) });
  assert.equal(r.status, 500);
  assert.equal(typeof r.body.Message, 'string');
  const after = await findByPath(token, '$/Common/Email/quirk.txt');
  assert.equal(after.body.Result.Name, 'quirk.txt', 'saved anyway');
  assert.equal((await call('POST', '/api/Document', { token, body: docBody('next.txt', '$/Common/Email', Buffer.from('x')) })).status, 201, 'fault used up');

  await ctl('POST', 'faults', [{ match: 'POST /api/Document', status: 503 }]);
  assert.equal((await call('POST', '/api/Document', { token, body: docBody('lost.txt', '$/Common/Email', Buffer.from('x')) })).status, 503);
  assert.equal((await findByPath(token, '$/Common/Email/lost.txt')).body.Message, 'NotFound', 'not stored');

  await ctl('POST', 'faults', { match: 'GET /api/Party', delayMs: 300 });
  const t0 = Date.now();
  assert.equal((await call('GET', '/api/Party?limit=1', { token })).status, 200);
  assert.ok(Date.now() - t0 >= 290);
});

test('a token expires after the configured lifetime', async () => {
  await ctl('POST', 'settings', { tokenLifetimeSeconds: 1 });
  const r = await call('POST', '/token', form({ grant_type: 'password', username: 'staff', password: 'imis-demo-pass' }));
  assert.equal(r.body.expires_in, 1);
  assert.equal((await call('GET', '/api/Party?limit=1', { token: r.body.access_token })).status, 200);
  await new Promise((ok) => setTimeout(ok, 1100));
  const expired = await call('GET', '/api/Party?limit=1', { token: r.body.access_token });
  assert.equal(expired.status, 401);
  assert.equal(typeof expired.body.Message, 'string');
  assert.equal((await ctl('POST', 'settings', { cors: 'no' })).status, 400);
});

test('CORS: preflight and headers, then a site that refuses other origins', async () => {
  const origin = 'https://addin.example:3000';
  const pre = await call('OPTIONS', '/api/Party', { headers: { Origin: origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), origin);
  assert.match(pre.headers.get('access-control-allow-methods'), /GET.*POST.*PUT.*DELETE/);
  assert.match(pre.headers.get('access-control-allow-headers'), /Authorization.*Content-Type.*RequestVerificationToken/);
  assert.ok(Number(pre.headers.get('access-control-max-age')) > 0);
  const token = await login();
  assert.equal((await call('GET', '/api/Party?limit=1', { token, headers: { Origin: origin } })).headers.get('access-control-allow-origin'), origin);
  assert.equal((await call('GET', '/api/Party?limit=1', { headers: { Origin: origin } })).headers.get('access-control-allow-origin'), origin, 'on a 401 too');

  await ctl('POST', 'settings', { cors: false });
  const refused = await call('OPTIONS', '/api/Party', { headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' } });
  assert.equal(refused.status, 404);
  assert.equal(refused.headers.get('access-control-allow-origin'), null);
  const get = await call('GET', '/api/Party?limit=1', { token, headers: { Origin: origin } });
  assert.deepEqual([get.status, get.headers.get('access-control-allow-origin')], [200, null]);
  assert.equal((await call('POST', '/token', { ...form({ grant_type: 'password', username: 'staff', password: 'imis-demo-pass' }), headers: { Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' } })).headers.get('access-control-allow-origin'), null);
  assert.equal((await call('GET', '/_control/state', { headers: { Origin: origin } })).headers.get('access-control-allow-origin'), origin, 'control stays open');
});

test('a body over maxBodyBytes gets 413 and is not stored', async () => {
  const token = await login();
  await ctl('POST', 'settings', { maxBodyBytes: 1000 });
  const r = await call('POST', '/api/Document', { token, body: docBody('big.txt', '$/Common/Email', Buffer.alloc(2000, 65)) });
  assert.equal(r.status, 413);
  assert.equal((await ctl('GET', 'state')).body.documents.some((d) => d.Name === 'big.txt'), false);
});

test('state: token count and request log, never a password or token', async () => {
  const token = await login();
  await login();
  await call('GET', '/api/Party?Email=eq:alex.member@example.com', { token });
  await call('GET', '/api/Party/99999', { token });
  const { body: state, status } = await ctl('GET', 'state');
  assert.equal(status, 200);
  assert.equal(state.tokens, 2);
  assert.deepEqual(state.requests.map(({ method, path, status: s }) => [method, path, s]), [
    ['POST', '/token', 200], ['POST', '/token', 200], ['GET', '/api/Party?Email=eq:alex.member@example.com', 200], ['GET', '/api/Party/99999', 404],
  ]);
  assert.ok(state.requests.every((r) => !Number.isNaN(Date.parse(r.t))));
  const text = JSON.stringify(state);
  assert.ok(!text.includes(token) && !text.includes('imis-demo-pass'));
  await ctl('POST', 'reset');
  assert.equal((await call('GET', '/api/Party?limit=1', { token })).status, 401, 'reset forgets tokens');
});

test('a 210 MiB upload, streamed, is stored byte for byte', { timeout: 180_000 }, async () => {
  const token = await login();
  const block = randomBytes(3 * 1024 * 1024), blocks = 70, hash = createHash('sha256');
  for (let i = 0; i < blocks; i++) hash.update(block);
  const head = JSON.stringify(docBody('big.bin', '$/Common/Email', null, 'BIN')).slice(0, -1) + ',"Data":{"$type":"System.Byte[], mscorlib","$value":"';
  const parts = [head, ...Array(blocks).fill(block.toString('base64')), '"}}'];
  let next = 0;
  const body = new ReadableStream({ pull(c) { if (next < parts.length) c.enqueue(Buffer.from(parts[next++])); else c.close(); } });
  const res = await fetch(`${srv.url}/api/Document`, { method: 'POST', body, duplex: 'half', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } });
  assert.equal(res.status, 201, await res.text());
  const doc = (await ctl('GET', 'state')).body.documents.find((d) => d.Name === 'big.bin');
  assert.deepEqual([doc.size, doc.sha256], [block.length * blocks, hash.digest('hex')]);
});
