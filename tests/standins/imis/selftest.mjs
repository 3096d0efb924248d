// Checks the iMIS stand-in against the documented shapes with plain fetch.
// Run from the repository root: node --test tests/standins/imis/selftest.mjs
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { request } from 'node:https';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, resolve, join } from 'node:path';
import { start } from './server.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const CERTS = resolve(ROOT, '.local/certs');
const FIXTURE = resolve(ROOT, 'tests/fixtures/imis.json');
const GE = 'Asi.Soa.Core.DataContracts.GenericEntityData, Asi.Contracts';
const GP = 'Asi.Soa.Core.DataContracts.GenericPropertyData, Asi.Contracts';
const GPC = 'Asi.Soa.Core.DataContracts.GenericPropertyDataCollection, Asi.Contracts';
const DD = 'Asi.Soa.Core.DataContracts.DocumentData, Asi.Contracts';
const DSD = 'Asi.Soa.Core.DataContracts.DocumentSummaryData, Asi.Contracts';
const CLR = 'Asi.Soa.Communications.DataContracts.CommunicationLogRecipientData, Asi.Contracts';
const CL = 'Asi.Soa.Communications.DataContracts.CommunicationLogData, Asi.Contracts';
const M = (n) => `Asi.Soa.Membership.DataContracts.${n}, Asi.Contracts`;
const OBJECTS = 'System.Collections.ObjectModel.Collection`1[[System.Object, mscorlib]], mscorlib';
const VR = 'Asi.Soa.Core.DataContracts.ValidationResultData, Asi.Contracts';
const IDENTITY = (EntityTypeName, key) => ({ $type: 'Asi.Soa.Core.DataContracts.IdentityData, Asi.Contracts', EntityTypeName, IdentityElements: { $type: 'System.Collections.ObjectModel.Collection`1[[System.String, mscorlib]], mscorlib', $values: [key] } });
const BY_EMAIL = '$/ContactManagement/DefaultSystem/Queries/Outlook/Contacts by email';
const BY_NAME = '$/ContactManagement/DefaultSystem/Queries/Outlook/Contacts by name';
const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ORIGIN = 'https://addin.example:3000';
const MiB = 1024 * 1024;
const date = (v) => ({ $type: 'System.DateTime', $value: v });

let srv, tls;
before(async () => {
  if (!existsSync(resolve(CERTS, 'cert.pem'))) execFileSync('bash', ['scripts/certs.sh'], { cwd: ROOT });
  tls = { key: readFileSync(resolve(CERTS, 'key.pem')), cert: readFileSync(resolve(CERTS, 'cert.pem')) };
  srv = await start({ port: 0, tls });
});
after(() => srv.close());
beforeEach(() => ctl('POST', 'reset'));

async function call(method, path, { token, body, headers = {}, base = srv.url } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined && typeof body !== 'string') { h['Content-Type'] ??= 'application/json'; body = JSON.stringify(body); }
  const res = await fetch(base + path, { method, headers: h, body });
  const text = await res.text();
  const json = /json/.test(res.headers.get('content-type') ?? '');
  return { status: res.status, headers: res.headers, body: json && text ? JSON.parse(text) : text || undefined };
}
const ctl = (method, name, body) => call(method, `/_control/${name}`, { body });
const settings = async (s) => { const r = await ctl('POST', 'settings', s); assert.equal(r.status, 200, JSON.stringify(r.body)); };
const form = (fields) => ({ body: new URLSearchParams(fields).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
async function login(username = 'staff', password = 'imis-demo-pass', prefix = '') {
  const r = await call('POST', `${prefix}/token`, form({ grant_type: 'password', username, password }));
  assert.equal(r.status, 200);
  return r.body.access_token;
}
const entity = (EntityTypeName, props) => ({
  $type: GE, EntityTypeName,
  Properties: { $type: GPC, $values: Object.entries(props).map(([Name, Value]) => ({ $type: GP, Name, Value })) },
});
const activity = (props) => entity('Activity', props);
const valueOf = (e, name) => e.Properties.$values.find((p) => p.Name === name)?.Value;
const columnsOf = (row) => Object.fromEntries(row.Properties.$values.map((p) => [p.Name, p.Value]));
const fieldsOf = (r) => r.body.Errors.$values.map((e) => e.FieldName);
const docBody = (Name, Path, bytes, DocumentTypeId = 'TXT') => ({
  $type: DD, Name, AlternateName: Name, DocumentTypeId, Path,
  ...(bytes ? { Data: { $type: 'System.Byte[], mscorlib', $value: bytes.toString('base64') } } : {}),
});
const folderBody = (Name, Path) => docBody(Name, Path, null, 'FOL');
const execute = (token, OperationName, ...values) => call('POST', '/api/Document/_execute', {
  token, body: { $type: 'Asi.Soa.Core.DataContracts.GenericExecuteRequest, Asi.Contracts', EntityTypeName: 'DocumentSummary', OperationName, Parameters: { $type: OBJECTS, $values: values } },
});
const findByPath = (token, path) => execute(token, 'FindByPath', { $type: 'System.String', $value: path });
const iqa = (token, query, ...rest) => call('GET', `/api/iqa?QueryName=${encodeURIComponent(query)}${rest.map((r) => `&${r}`).join('')}`, { token });
const interaction = (over = {}, logOver = {}) => ({
  $type: CLR,
  CommunicationLog: { $type: CL, Subject: 'Re: dues', Text: 'Hello Alex,\n\nThanks.', Html: '<p>Hello Alex,</p>', SourceProcess: 'Save to iMIS', CommunicationType: 'Email', SourceCode: 'email:0123456789abcdef', ...logOver },
  Party: { $type: M('PartySummaryData'), PartyId: '23001' },
  MessageType: 1, Address: 'alex.member@example.com', MessageId: 'm-0001',
  ...over,
});
const person = (over = {}) => ({
  $type: M('PersonData'),
  PersonName: { $type: M('PersonNameData'), FirstName: 'Nia', LastName: 'Newcontact' },
  Emails: { $type: M('EmailDataCollection'), $values: [{ $type: M('EmailData'), Address: 'nia.new@example.com', EmailType: '_Primary', IsPrimary: true }] },
  ...over,
});

// Every validation answer has the one envelope: a bare ValidationResultsData.
function assertValidation(r, fields, message) {
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.equal(r.body.$type, 'Asi.Soa.Core.DataContracts.ValidationResultsData, Asi.Contracts');
  assert.equal(r.body.Errors.$type, 'Asi.Soa.Core.DataContracts.ValidationResultDataCollection, Asi.Contracts');
  assert.deepEqual([r.body.HasErrors, r.body.IsValid, r.body.Warnings.$values], [true, false, []]);
  for (const e of r.body.Errors.$values) {
    assert.deepEqual(Object.keys(e), ['$type', 'FieldName', 'FieldValue', 'Message', 'FormattedMessage', 'Location']);
    assert.equal(e.$type, VR);
    assert.equal(e.Location, null);
  }
  assert.deepEqual(fieldsOf(r), fields);
  if (message) assert.match(r.body.Errors.$values.map((e) => e.Message).join(' '), message);
  assert.equal(typeof r.body.Summary, 'string');
}

// ---------------------------------------------------------------- token and auth
test('POST /token: good and bad credentials, key case, form only', async () => {
  const ok = await call('POST', '/token', form({ grant_type: 'password', username: 'staff', password: 'imis-demo-pass' }));
  assert.equal(ok.status, 200);
  assert.match(ok.body.access_token, /^\S{20,}$/);
  assert.deepEqual([ok.body.token_type, ok.body.expires_in, ok.body.userName], ['bearer', 1199, 'staff']);
  assert.ok(Date.parse(ok.body['.expires']) - Date.parse(ok.body['.issued']) >= 1198_000);
  const bad = await call('POST', '/token', form({ grant_type: 'password', username: 'staff', password: 'wrong' }));
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body, { error: 'invalid_grant', error_description: 'The user name or password is incorrect.' });
  const json = await call('POST', '/token', { body: { grant_type: 'password', username: 'staff', password: 'imis-demo-pass' } });
  assert.equal(json.status, 400, 'the token endpoint takes a form, not JSON');
  const older = await call('POST', '/token', form({ Grant_type: 'password', Username: 'staff', Password: 'imis-demo-pass' }));
  assert.equal(older.status, 200, 'form key case does not matter');
  assert.equal((await call('POST', '/token', form({ grant_type: 'password', username: 'reader', password: 'imis-reader-pass' }))).status, 200);
});

test('/api needs a valid bearer token', async () => {
  for (const token of [undefined, 'not-a-token']) {
    const r = await call('GET', '/api/Party?limit=1', { token });
    assert.equal(r.status, 401);
    assert.equal(r.headers.get('www-authenticate'), 'Bearer');
    assert.equal(typeof r.body.Message, 'string');
  }
  assert.equal((await call('GET', '/api/Party?limit=1', { token: await login() })).status, 200);
});

test('a token expires after the configured lifetime; settings are type-checked', async () => {
  await settings({ tokenLifetimeSeconds: 1 });
  const r = await call('POST', '/token', form({ grant_type: 'password', username: 'staff', password: 'imis-demo-pass' }));
  assert.equal(r.body.expires_in, 1);
  assert.equal((await call('GET', '/api/Party?limit=1', { token: r.body.access_token })).status, 200);
  await new Promise((ok) => setTimeout(ok, 1100));
  assert.equal((await call('GET', '/api/Party?limit=1', { token: r.body.access_token })).status, 401);
  for (const bad of [{ cors: 'no' }, { prefix: 'Asi' }, { prefix: '/Asi/' }, { maxRequestBytes: 1.5 }, { largeBody: '413' }, { documentPost500: 1 }, { newDocumentStatus: 'published' }, { maxBodyBytes: 10 }, { tokenLifetimeSeconds: 0 }]) {
    assert.equal((await ctl('POST', 'settings', bad)).status, 400, JSON.stringify(bad));
  }
  assert.equal((await ctl('POST', 'settings', { cors: true, prefix: 'x' })).status, 400);
  const { body } = await ctl('GET', 'settings');
  assert.deepEqual(body.settings, { tokenLifetimeSeconds: 1, cors: false, prefix: '', maxRequestBytes: 10485760, largeBody: '404.13', documentPost500: false, newDocumentStatus: 'Working' }, 'a refused change changes nothing');
  await ctl('POST', 'reset');
  assert.equal((await ctl('GET', 'settings')).body.settings.tokenLifetimeSeconds, 1199);
});

// ---------------------------------------------------------------- 1. CORS
test('CORS is off by default: preflight 405 without CORS headers, no ACAO anywhere but /_control', async () => {
  const pre = await call('OPTIONS', '/api/Party', { headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' } });
  assert.equal(pre.status, 405);
  assert.equal(pre.body.Message, "The requested resource does not support http method 'OPTIONS'.");
  for (const h of ['access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers']) assert.equal(pre.headers.get(h), null, h);
  assert.equal((await call('OPTIONS', '/token', { headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST' } })).status, 405);
  const tok = await call('POST', '/token', { ...form({ grant_type: 'password', username: 'staff', password: 'imis-demo-pass' }), headers: { Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.deepEqual([tok.status, tok.headers.get('access-control-allow-origin')], [200, null]);
  const token = tok.body.access_token;
  const get = await call('GET', '/api/Party?limit=1', { token, headers: { Origin: ORIGIN } });
  assert.deepEqual([get.status, get.headers.get('access-control-allow-origin')], [200, null]);
  assert.equal((await call('GET', '/api/Party?limit=1', { headers: { Origin: ORIGIN } })).headers.get('access-control-allow-origin'), null, 'nor on a 401');
  assert.equal((await call('GET', '/_control/state', { headers: { Origin: ORIGIN } })).headers.get('access-control-allow-origin'), ORIGIN, 'control stays open');
  assert.equal((await call('OPTIONS', '/_control/state', { headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST' } })).status, 204);
});

test('CORS on (cors: true): preflight 204 with headers, answers echo Origin', async () => {
  await settings({ cors: true });
  const pre = await call('OPTIONS', '/api/Party', { headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), ORIGIN);
  assert.match(pre.headers.get('access-control-allow-methods'), /GET.*POST.*PUT.*DELETE/);
  assert.match(pre.headers.get('access-control-allow-headers'), /Authorization.*Content-Type.*RequestVerificationToken/);
  assert.ok(Number(pre.headers.get('access-control-max-age')) > 0);
  const token = await login();
  assert.equal((await call('GET', '/api/Party?limit=1', { token, headers: { Origin: ORIGIN } })).headers.get('access-control-allow-origin'), ORIGIN);
  assert.equal((await call('GET', '/api/Party?limit=1', { headers: { Origin: ORIGIN } })).headers.get('access-control-allow-origin'), ORIGIN, 'on a 401 too');
  const tok = await call('POST', '/token', { ...form({ grant_type: 'password', username: 'staff', password: 'imis-demo-pass' }), headers: { Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(tok.headers.get('access-control-allow-origin'), ORIGIN);
});

// ---------------------------------------------------------------- 2. prefix
test('prefix: /token and /api only under it; /_control stays at the root; faults match without it', async () => {
  const P = '/Asi.Scheduler_IMIS';
  await settings({ prefix: P });
  const bare = await call('POST', '/token', form({ grant_type: 'password', username: 'staff', password: 'imis-demo-pass' }));
  assert.equal(bare.status, 404);
  assert.match(bare.headers.get('content-type'), /^text\/html/);
  assert.match(bare.body, /404 - File or directory not found\./);
  const token = await login('staff', 'imis-demo-pass', P);
  assert.equal((await call('GET', '/api/Party/23001', { token })).status, 404);
  const ok = await call('GET', `${P}/api/Party/23001`, { token });
  assert.deepEqual([ok.status, ok.body.PartyId], [200, '23001']);
  assert.equal((await call('GET', `${P.toLowerCase()}/API/party/23001`, { token })).status, 200, 'IIS paths are case-insensitive');
  assert.equal((await call('GET', '/Asi.Scheduler/api/Party/23001', { token })).status, 404);
  assert.equal((await call('OPTIONS', `${P}/api/Party`, { headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'GET' } })).status, 405);
  assert.equal((await call('GET', '/_control/state')).status, 200);
  assert.equal((await call('GET', `${P}/_control/state`)).status, 404);
  await ctl('POST', 'faults', [{ match: 'GET /api/Party/23001', exact: true, status: 503 }]);
  assert.equal((await call('GET', `${P}/api/Party/23001`, { token })).status, 503);
  const log = (await ctl('GET', 'state')).body.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
  assert.ok(log.includes(`GET ${P}/api/Party/23001 503`), log.join('\n'));
});

// ---------------------------------------------------------------- 3 and 4. $type first; the validation envelope
test('$type must be the first key of every object that has one, at any depth', async () => {
  const token = await login();
  const good = activity({ PartyId: '23001', ACTIVITY_TYPE: 'EMAIL', TRANSACTION_DATE: date('2024-05-06T07:08:09') });
  assert.equal((await call('POST', '/api/Activity', { token, body: good })).status, 201);
  const { $type, ...rest } = good;
  assertValidation(await call('POST', '/api/Activity', { token, body: { ...rest, $type } }), ['$type'], /first property/);
  const nested = structuredClone(good);
  nested.Properties.$values[2] = { Name: 'TRANSACTION_DATE', $type: GP, Value: { $value: '2024-05-06T07:08:09', $type: 'System.DateTime' } };
  assertValidation(await call('POST', '/api/Activity', { token, body: nested }), ['Properties.$values[2].$type', 'Properties.$values[2].Value.$type']);
  const { $type: t2, ...log } = interaction().CommunicationLog;
  assertValidation(await call('POST', '/api/CommunicationLogRecipient', { token, body: interaction({ CommunicationLog: { ...log, $type: t2 } }) }), ['CommunicationLog.$type']);
  const folder = docBody('x', '$/Common/Email', null, 'FOL');
  const text = JSON.stringify(folder).replace(`"$type":"${DD}",`, '') .replace(/}$/, `,"$type":"${DD}"}`);
  assertValidation(await call('POST', '/api/Document', { token, body: text, headers: { 'Content-Type': 'application/json' } }), ['$type']);
  assert.equal((await ctl('GET', 'state')).body.activities.length, 1);
});

test('bodies: JSON needs application/json; bad JSON is 400; unknown routes 404; wrong methods 405', async () => {
  const token = await login();
  const body = JSON.stringify(activity({ PartyId: '23001', ACTIVITY_TYPE: 'EMAIL' }));
  const plain = await call('POST', '/api/Activity', { token, body, headers: { 'Content-Type': 'text/plain' } });
  assert.equal(plain.status, 415);
  assert.match(plain.body.Message, /media type 'text\/plain' is not supported/);
  assert.equal((await call('POST', '/api/Activity', { token, body, headers: { 'Content-Type': 'application/json; charset=utf-8' } })).status, 201);
  assert.equal((await call('POST', '/api/Activity', { token, body: '{nope', headers: { 'Content-Type': 'application/json' } })).status, 400);
  const nf = await call('GET', '/api/Nothing', { token });
  assert.deepEqual([nf.status, nf.body.Message], [404, "No HTTP resource was found that matches the request URI '/api/Nothing'."]);
  assert.equal((await call('PATCH', '/api/Party/23001', { token, body: {} })).status, 405);
  assert.equal((await call('GET', '/nowhere')).status, 404);
});

// ---------------------------------------------------------------- contacts
test('Party email filter: any address, case-insensitive, shared, none', async () => {
  const token = await login();
  const one = await call('GET', '/api/Party?Email=eq:alex.member@example.com', { token });
  assert.equal(one.status, 200);
  assert.equal(one.body.$type, 'Asi.Soa.Core.DataContracts.PagedResult`1[[Asi.Soa.Membership.DataContracts.PartyData, Asi.Contracts]], Asi.Contracts');
  assert.match(one.body.Items.$type, /^System\.Collections\.Generic\.List`1\[\[Asi\.Soa\.Membership\.DataContracts\.PartyData/);
  assert.deepEqual([one.body.Count, one.body.TotalCount, one.body.Offset, one.body.Limit, one.body.HasNext, one.body.NextOffset, one.body.NextPageLink], [1, 1, 0, 100, false, 0, null]);
  const alex = one.body.Items.$values[0];
  assert.equal(alex.$type, M('PersonData'));
  assert.deepEqual([alex.PartyId, alex.Id, alex.Name, alex.Email, alex.PersonName.FirstName, alex.PersonName.LastName], ['23001', '23001', 'Alex Member', 'alex.member@example.com', 'Alex', 'Member']);
  assert.equal(alex.Emails.$type, M('EmailDataCollection'));
  assert.deepEqual(alex.Emails.$values[0], { $type: M('EmailData'), Address: 'alex.member@example.com', EmailType: '_Primary', IsPrimary: true });

  const alt = await call('GET', `/api/Party?Email=eq:${encodeURIComponent('ALEX@Home.Example.ORG')}`, { token });
  assert.deepEqual(alt.body.Items.$values.map((p) => p.PartyId), ['23001'], 'an alternate address matches, any case');
  const plain = await call('GET', '/api/Party?email=sam.board@example.net', { token });
  assert.deepEqual(plain.body.Items.$values.map((p) => p.Name), ['Sam Board']);
  const shared = await call('GET', '/api/Party?Email=eq:shared@example.com&limit=2', { token });
  assert.deepEqual(shared.body.Items.$values.map((p) => p.PartyId).sort(), ['23002', '23003']);
  const none = await call('GET', '/api/Party?Email=eq:nobody@example.com', { token });
  assert.deepEqual([none.status, none.body.Count, none.body.TotalCount, none.body.Items.$values], [200, 0, 0, []]);
  const unknown = await call('GET', '/api/Party?Colour=eq:red', { token });
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.Message, /Colour is not a known property/);
});

test('Party by id, name filter, organization, part of an address', async () => {
  const token = await login();
  const sam = await call('GET', '/api/Party/22708', { token });
  assert.deepEqual([sam.status, sam.body.PersonName.FullName], [200, 'Sam Board']);
  assert.equal((await call('GET', '/api/Party/99999', { token })).status, 404);
  assert.deepEqual((await call('GET', '/api/Party?PartyId=eq:23001', { token })).body.Items.$values.map((p) => p.Name), ['Alex Member']);
  const ids = async (q) => (await call('GET', `/api/Party?${q}`, { token })).body.Items.$values.map((p) => p.PartyId);
  assert.deepEqual((await ids('FullName=contains:shared')).sort(), ['23002', '23003']);
  assert.deepEqual(await ids('Email=contains:taylor'), ['23005', '23006']);
  assert.deepEqual(await ids(`Email=contains:${encodeURIComponent('@EXAMPLE.NET')}`), ['22708', '23006']);
  assert.deepEqual(await ids('Email=contains:home.example.org'), ['23001'], 'alternates are searched');
  assert.deepEqual(await ids('FullName=contains:taylor&Email=endsWith:.com'), ['23005']);
  assert.ok((await ids('Email=isEmpty:&limit=500')).includes('23004'));
  const org = (await call('GET', '/api/Party?Email=eq:info@example-association.org', { token })).body.Items.$values[0];
  assert.deepEqual([org.$type, org.OrganizationName], [M('OrganizationData'), 'Example Association']);
  const robin = (await call('GET', '/api/Party/23004', { token })).body;
  assert.deepEqual([robin.Name, robin.Emails.$values], ['Robin Noemail', []]);
});

test('Party paging walks every page once; limit is capped at 500', async () => {
  const token = await login();
  const seen = [];
  let offset = 0, pages = 0, total;
  for (;;) {
    const r = await call('GET', `/api/Party?limit=100&offset=${offset}`, { token });
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

test('CsContactBasic: one row, ambiguous address, primary only, by id, read-only', async () => {
  const token = await login();
  const one = await call('GET', '/api/CsContactBasic?email=eq:alex.member@example.com&limit=2', { token });
  assert.equal(one.body.$type, 'Asi.Soa.Core.DataContracts.PagedResult`1[[Asi.Soa.Core.DataContracts.GenericEntityData, Asi.Contracts]], Asi.Contracts');
  assert.deepEqual([one.body.Count, one.body.TotalCount, one.body.Limit], [1, 1, 2]);
  assert.deepEqual(one.body.Items.$values[0], {
    $type: GE, EntityTypeName: 'CsContactBasic', PrimaryParentEntityTypeName: 'Party',
    Identity: IDENTITY('CsContactBasic', '23001'), PrimaryParentIdentity: IDENTITY('Party', '23001'),
    Properties: { $type: GPC, $values: [
      ['ID', '23001'], ['MajorKey', ''], ['FullName', 'Alex Member'], ['FirstName', 'Alex'], ['LastName', 'Member'],
      ['Email', 'alex.member@example.com'], ['Company', ''], ['IsCompany', { $type: 'System.Boolean', $value: false }],
    ].map(([Name, Value]) => ({ $type: GP, Name, Value })) },
  });
  const shared = await call('GET', '/api/CsContactBasic?email=eq:shared@example.com&limit=2', { token });
  assert.deepEqual(shared.body.Items.$values.map((r) => valueOf(r, 'ID')), ['23002', '23003']);
  assert.equal((await call('GET', '/api/CsContactBasic?email=eq:alex@home.example.org', { token })).body.Count, 0, 'primary only');
  const org = (await call('GET', '/api/CsContactBasic/23010', { token })).body;
  assert.deepEqual([valueOf(org, 'FullName'), valueOf(org, 'Company'), valueOf(org, 'IsCompany').$value], ['Example Association', 'Example Association', true]);
  assert.equal(valueOf((await call('GET', '/api/CsContactBasic/23004', { token })).body, 'Email'), '');
  assert.equal((await call('GET', '/api/CsContactBasic/99999', { token })).status, 404);
  assert.equal((await call('GET', '/api/CsContactBasic?Colour=eq:red', { token })).status, 400);
  assert.equal((await call('POST', '/api/CsContactBasic', { token, body: entity('CsContactBasic', { FullName: 'x' }) })).status, 405);
});

test('IQA rows as a real site sends them: Full_Name, Party parent, numeric EntityTypeName, plain ResultRow', async () => {
  const token = await login();
  const r = await iqa(token, BY_EMAIL, 'parameter=eq:alex.member@example.com');
  assert.equal(r.status, 200);
  assert.equal(r.body.$type, 'Asi.Soa.Core.DataContracts.PagedResult, Asi.Contracts');
  assert.deepEqual([r.body.Count, r.body.TotalCount, r.body.Offset, r.body.Limit, r.body.HasNext, r.body.NextOffset, r.body.NextPageLink], [1, 1, 0, 100, false, 0, null]);
  assert.deepEqual(r.body.Items.$values[0], {
    $type: GE, EntityTypeName: '61', PrimaryParentEntityTypeName: 'Party', PrimaryParentIdentity: IDENTITY('Party', '23001'),
    Properties: { $type: GPC, $values: [['ResultRow', '1'], ['ID', '23001'], ['Full_Name', 'Alex Member'], ['Email', 'alex.member@example.com']].map(([Name, Value]) => ({ $type: GP, Name, Value })) },
  });
  const alt = await iqa(token, BY_EMAIL, `Parameter=${encodeURIComponent('ALEX@Home.Example.org')}`);
  assert.deepEqual(alt.body.Items.$values.map(columnsOf).map((c) => [c.ID, c.Email]), [['23001', 'alex@home.example.org']], 'alternate, plain value, any case');
  const shared = await iqa(token, BY_EMAIL, 'parameter=eq:SHARED@example.com');
  assert.deepEqual(shared.body.Items.$values.map(columnsOf).map((c) => [c.ID, c.Full_Name, c.Email]), [['23002', 'Jordan Shared', 'shared@example.com'], ['23003', 'Casey Shared', 'Shared@Example.com']]);
  assert.deepEqual(shared.body.Items.$values.map((row) => row.PrimaryParentIdentity.IdentityElements.$values[0]), ['23002', '23003']);
  assert.deepEqual((await iqa(token, BY_EMAIL, 'parameter=eq:info@example-association.org')).body.Items.$values.map((row) => columnsOf(row).ID), ['23010']);
  assert.equal((await iqa(token, BY_EMAIL, 'parameter=eq:nobody@example.com')).body.TotalCount, 0);
  assert.equal((await iqa(token, BY_EMAIL, 'parameter=eq:')).body.TotalCount, 0, 'no address is empty');
  assert.equal((await iqa(token, BY_EMAIL.toUpperCase(), 'parameter=eq:sam.board@example.net')).body.Count, 1, 'path in any case');

  const unknown = await iqa(token, '$/ContactManagement/DefaultSystem/Queries/Outlook/Nope', 'parameter=eq:x@example.com');
  assert.deepEqual([unknown.status, /Nope was not found/.test(unknown.body.Message)], [404, true]);
  assert.deepEqual(await call('GET', '/api/iqa?parameter=eq:x@example.com', { token }).then((x) => [x.status, x.body.Message]), [400, 'QueryName is required.']);
  const op = await iqa(token, BY_EMAIL, 'parameter=contains:alex');
  assert.deepEqual([op.status, op.body.Message], [400, 'In IQA query, parameters must be Parameter Equal']);
  assert.match((await iqa(token, BY_EMAIL)).body.Message, /takes 1 parameter; 0 given/);
  assert.match((await iqa(token, BY_EMAIL, 'parameter=a', 'parameter=b')).body.Message, /takes 1 parameter; 2 given/);
  assert.equal((await iqa(token, BY_EMAIL, 'parameter=eq:a@example.com', 'OrderBy=ID')).status, 400);
  assert.equal((await call('POST', `/api/iqa?QueryName=${encodeURIComponent(BY_EMAIL)}`, { token, body: {} })).status, 405);
});

test('IQA: contacts by name, paging with limit and offset', async () => {
  const token = await login();
  const taylors = await iqa(token, BY_NAME, 'parameter=eq:taylor');
  assert.deepEqual(taylors.body.Items.$values.map((row) => [row.EntityTypeName, ...Object.values(columnsOf(row))]),
    [['62', '1', '23005', 'Taylor Reed', 'taylor.reed@example.com'], ['62', '2', '23006', 'Casey Taylor', 'casey.taylor@example.net']]);
  const first = await iqa(token, BY_NAME, 'parameter=eq:taylor', 'limit=1');
  assert.deepEqual([first.body.Count, first.body.TotalCount, first.body.Limit, first.body.HasNext, first.body.NextOffset], [1, 2, 1, true, 1]);
  const second = await iqa(token, BY_NAME, 'parameter=eq:taylor', 'limit=1', `offset=${first.body.NextOffset}`);
  assert.deepEqual([second.body.Offset, second.body.Count, second.body.HasNext, columnsOf(second.body.Items.$values[0]).ResultRow], [1, 1, false, '2'], 'numbered over the whole result');
  assert.equal(columnsOf((await iqa(token, BY_NAME, 'parameter=eq:noemail')).body.Items.$values[0]).Email, '', 'no address: empty Email');
  const seen = new Set();
  let offset = 0, total;
  for (;;) {
    const page = await iqa(token, BY_NAME, 'parameter=eq:', 'limit=100', `offset=${offset}`);
    total ??= page.body.TotalCount;
    page.body.Items.$values.forEach((row) => seen.add(columnsOf(row).ID));
    if (!page.body.HasNext) break;
    offset = page.body.NextOffset;
  }
  assert.ok(total >= 250);
  assert.equal(seen.size, total, 'every contact once');
});

// ---------------------------------------------------------------- 12. creating a contact
test('creating a contact: allowed for staff, found by every lookup; 403 for reader', async () => {
  const token = await login();
  const made = await call('POST', '/api/Party', { token, body: person({ PrimaryOrganization: { $type: M('PrimaryOrganizationInformationData'), Name: 'Newco' } }) });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const id = made.body.PartyId;
  assert.match(id, /^\d+$/);
  assert.ok(Number(id) > 30250, 'a new number');
  assert.equal(made.body.$type, M('PersonData'));
  assert.deepEqual([made.body.Id, made.body.Name, made.body.PersonName.FirstName, made.body.PersonName.LastName, made.body.PersonName.FullName], [id, 'Nia Newcontact', 'Nia', 'Newcontact', 'Nia Newcontact']);
  assert.deepEqual(made.body.Emails.$values, [{ $type: M('EmailData'), Address: 'nia.new@example.com', EmailType: '_Primary', IsPrimary: true }]);
  assert.deepEqual(made.body.PrimaryOrganization, { $type: M('PrimaryOrganizationInformationData'), Name: 'Newco' });
  assert.deepEqual((await call('GET', `/api/Party/${id}`, { token })).body, made.body, 'as GET shows it');
  assert.deepEqual((await call('GET', '/api/Party?Email=eq:NIA.NEW@example.com', { token })).body.Items.$values.map((p) => p.PartyId), [id]);
  const row = (await call('GET', '/api/CsContactBasic?email=eq:nia.new@example.com', { token })).body.Items.$values[0];
  assert.deepEqual([valueOf(row, 'ID'), valueOf(row, 'FullName'), valueOf(row, 'Company')], [id, 'Nia Newcontact', 'Newco']);
  assert.deepEqual((await iqa(token, BY_EMAIL, 'parameter=eq:nia.new@example.com')).body.Items.$values.map((r) => columnsOf(r).ID), [id]);
  const { parties } = (await ctl('GET', 'state')).body;
  assert.deepEqual(parties.map((p) => [p.PartyId, p.FirstName, p.LastName, p.FullName, p.Company, p.Emails, p.createdBy]),
    [[id, 'Nia', 'Newcontact', 'Nia Newcontact', 'Newco', [{ Address: 'nia.new@example.com', EmailType: '_Primary', IsPrimary: true }], 'staff']]);

  // ASI's Postman example posts a ComboPartyData; /api/Person is the same route.
  const combo = await call('POST', '/api/Party', { token, body: { ...person(), $type: M('ComboPartyData'), Gender: 0, PersonName: { $type: M('PersonNameData'), NamePrefix: 'Mr.', FirstName: 'Douglas', MiddleName: 'A.', LastName: 'Hunt', NameSuffix: 'Jr.', FullName: 'ignored' }, Emails: undefined } });
  assert.deepEqual([combo.status, combo.body.$type, combo.body.Name], [201, M('PersonData'), 'Mr. Douglas A. Hunt, Jr.']);
  const viaPerson = await call('POST', '/api/Person', { token, body: person({ Emails: { $type: M('EmailDataCollection'), $values: [] } }) });
  assert.equal(viaPerson.status, 201);
  assert.equal(Number(viaPerson.body.PartyId), Number(combo.body.PartyId) + 1);
  assert.equal((await call('GET', `/api/Person/${viaPerson.body.PartyId}`, { token })).status, 200);
  assert.equal((await call('GET', '/api/Person/23010', { token })).status, 404, 'an organization is no person');

  const reader = await login('reader', 'imis-reader-pass');
  const refused = await call('POST', '/api/Party', { token: reader, body: person({ Emails: undefined, PersonName: { $type: M('PersonNameData'), FirstName: 'No', LastName: 'Way' } }) });
  assert.equal(refused.status, 403);
  assert.equal(typeof refused.body.Message, 'string');
  assert.equal((await call('POST', '/api/Person', { token: reader, body: person() })).status, 403);
  assert.equal((await call('GET', '/api/Party/23001', { token: reader })).status, 200, 'reader may read');
  assert.equal((await ctl('GET', 'state')).body.parties.length, 3);
});

test('creating a contact: validation names what is wrong', async () => {
  const token = await login();
  const email = (e) => ({ Emails: { $type: M('EmailDataCollection'), $values: [{ $type: M('EmailData'), Address: 'a@example.com', EmailType: '_Primary', IsPrimary: true, ...e }] } });
  const name = (n) => ({ PersonName: { $type: M('PersonNameData'), FirstName: 'A', LastName: 'B', ...n } });
  const cases = [
    [{ $type: GE }, ['$type']],
    [{ $type: 'Asi.Soa.Membership.DataContracts.PersonData, Asi.Soa.Core.Contracts' }, ['$type']],
    [{ PartyId: '5' }, ['PartyId']],
    [{ Colour: 'red' }, ['Colour']],
    [{ PersonName: { FirstName: 'A', LastName: 'B' } }, ['PersonName']],
    [name({ FirstName: '' }), ['PersonName.FirstName']],
    [name({ LastName: undefined }), ['PersonName.LastName']],
    [name({ FirstName: 'x'.repeat(21) }), ['PersonName.FirstName']],
    [name({ Nickname: 'x' }), ['PersonName.Nickname']],
    [{ Emails: { $values: [] } }, ['Emails']],
    [email({ Address: 'not-an-address' }), ['Emails[0].Address']],
    [email({ EmailType: 'Home' }), ['Emails[0].EmailType']],
    [email({ IsPrimary: false }), ['Emails']],
    [email({ $type: undefined }), ['Emails[0]']],
    [{ PrimaryOrganization: { Name: 'x' } }, ['PrimaryOrganization']],
  ];
  for (const [change, fields] of cases) {
    const body = JSON.parse(JSON.stringify({ ...person(), ...change }));
    assertValidation(await call('POST', '/api/Party', { token, body }), fields);
  }
  assert.deepEqual((await ctl('GET', 'state')).body.parties, []);
});

// ---------------------------------------------------------------- 10. activities
test('GET /api/metadata/Activity lists every column, the user-defined ones too', async () => {
  const token = await login();
  const r = await call('GET', '/api/metadata/Activity', { token });
  assert.equal(r.status, 200);
  assert.equal(r.body.$type, 'Asi.Soa.Core.DataContracts.BOEntityDefinitionData, Asi.Contracts');
  const props = Object.fromEntries(r.body.Properties.$values.map((p) => [p.Name, p]));
  for (const name of ['SEQN', 'PartyId', 'ACTIVITY_TYPE', 'TRANSACTION_DATE', 'DESCRIPTION', 'NOTE', 'NOTE_2', 'OTHER_ID', 'SOURCE_CODE', 'OTHER_CODE', 'UF_1', 'UF_2', 'UF_3', 'UF_4', 'UF_5', 'UF_6', 'UF_7']) assert.ok(props[name], name);
  assert.deepEqual([props.DESCRIPTION.PropertyTypeName, props.DESCRIPTION.MaxLength, props.UF_1.MaxLength, props.UF_3.MaxLength, props.SOURCE_CODE.MaxLength], ['String', 255, 255, 255, 40]);
  assert.deepEqual([props.UF_4.PropertyTypeName, props.UF_5.PropertyTypeName, props.UF_6.PropertyTypeName, props.UF_7.PropertyTypeName], ['Decimal', 'Decimal', 'Date', 'Date']);
  assert.equal(props.UF_6.$type, 'Asi.Soa.Core.DataContracts.PropertyTypeDateTimeData, Asi.Contracts');
  assert.equal(props.NOTE_2.MaxLength, props.NOTE.MaxLength);
  assert.deepEqual([props.SEQN.PropertyTypeName, props.SEQN.IsIdentity, props.ACTIVITY_TYPE.Required], ['Integer', true, true]);
  assert.equal((await call('GET', '/api/metadata/CommunicationLogRecipient', { token })).status, 404);
});

test('Activity: create with typed dates and numbers, read back typed, list, colon filter, delete', async () => {
  const token = await login();
  const sent = activity({ PartyId: '23001', ACTIVITY_TYPE: 'EMAIL', TRANSACTION_DATE: date('2024-05-06T07:08:09'), DESCRIPTION: 'Re: dues', NOTE: 'Body text', NOTE_2: 'Follow up', SOURCE_CODE: 'email:abc', UF_1: 'x', UF_4: { $type: 'System.Decimal', $value: 2.5 }, UF_6: date('2024-05-07'), UNITS: { $type: 'System.Decimal', $value: 1 } });
  const a = await call('POST', '/api/Activity', { token, body: sent });
  assert.equal(a.status, 201, JSON.stringify(a.body));
  const seqn = valueOf(a.body, 'SEQN');
  assert.equal(seqn.$type, 'System.Int32');
  assert.deepEqual(a.body.Identity.IdentityElements.$values, [String(seqn.$value)]);
  assert.deepEqual(a.body.PrimaryParentIdentity.IdentityElements.$values, ['23001']);
  const typed = activity({ PartyId: { $type: 'System.String', $value: '23001' }, ACTIVITY_TYPE: 'MEETING', TRANSACTION_DATE: date('2024-05-07T10:00:00'), DESCRIPTION: 'Typed', SOURCE_CODE: 'email:abcd' });
  const b = await call('POST', '/api/Activity', { token, body: typed });
  assert.equal(valueOf(b.body, 'SEQN').$value, seqn.$value + 1);

  const back = (await call('GET', `/api/Activity/${seqn.$value}`, { token })).body;
  assert.deepEqual(valueOf(back, 'TRANSACTION_DATE'), date('2024-05-06T07:08:09'));
  assert.deepEqual([valueOf(back, 'UF_4'), valueOf(back, 'UF_6'), valueOf(back, 'NOTE_2')], [{ $type: 'System.Decimal', $value: 2.5 }, date('2024-05-07'), 'Follow up']);
  assert.deepEqual([valueOf(back, 'DESCRIPTION'), valueOf(back, 'NOTE'), valueOf(back, 'PartyId')], ['Re: dues', 'Body text', '23001']);

  const list = await call('GET', '/api/Activity?PartyId=eq:23001', { token });
  assert.equal(list.body.$type, 'Asi.Soa.Core.DataContracts.PagedResult`1[[Asi.Soa.Core.DataContracts.GenericEntityData, Asi.Contracts]], Asi.Contracts');
  assert.deepEqual(list.body.Items.$values.map((e) => valueOf(e, 'DESCRIPTION')), ['Re: dues', 'Typed']);
  const colon = await call('GET', `/api/Activity?SOURCE_CODE=eq:${encodeURIComponent('email:abc')}`, { token });
  assert.deepEqual(colon.body.Items.$values.map((e) => valueOf(e, 'DESCRIPTION')), ['Re: dues'], 'a value with a colon, exactly');
  assert.equal((await call('GET', '/api/Activity?PartyId=eq:22708', { token })).body.TotalCount, 0);
  assert.deepEqual((await ctl('GET', 'state')).body.activities.map((x) => x.entity), [sent, typed], 'stored exactly as sent');
  assert.equal((await call('DELETE', `/api/Activity/${seqn.$value}`, { token })).status, 200);
  assert.equal((await call('GET', `/api/Activity/${seqn.$value}`, { token })).status, 404);
});

test('Activity validation: dates only as System.DateTime, site types exactly, lengths, columns', async () => {
  const token = await login();
  const good = { PartyId: '23001', ACTIVITY_TYPE: 'EMAIL', TRANSACTION_DATE: date('2024-05-06T07:08:09'), DESCRIPTION: 'ok' };
  const cases = [
    [{ TRANSACTION_DATE: '2024-05-06T07:08:09' }, 'TRANSACTION_DATE', /System\.DateTime/],
    [{ UF_7: '2024-05-06' }, 'UF_7', /System\.DateTime/],
    [{ UF_6: { $type: 'System.String', $value: '2024-05-06' } }, 'UF_6', /System\.DateTime/],
    [{ TRANSACTION_DATE: date('yesterday') }, 'TRANSACTION_DATE', /not a valid date/],
    [{ TRANSACTION_DATE: date('2024-13-45T00:00:00') }, 'TRANSACTION_DATE', /not a valid date/],
    [{ UNITS: '1' }, 'UNITS', /System\.Decimal/],
    [{ UF_5: { $type: 'System.Decimal', $value: 'many' } }, 'UF_5', /must be a number/],
    [{ PartyId: '99999' }, 'PartyId', /99999 does not exist/],
    [{ PartyId: 23001 }, 'PartyId', /must be a string/],
    [{ ACTIVITY_TYPE: 'LETTER' }, 'ACTIVITY_TYPE', /LETTER is not an activity type/],
    [{ ACTIVITY_TYPE: 'email' }, 'ACTIVITY_TYPE', /email is not an activity type/],
    [{ DESCRIPTION: 'x'.repeat(256) }, 'DESCRIPTION', /longer than 255/],
    [{ UF_2: 'x'.repeat(256) }, 'UF_2', /longer than 255/],
    [{ SUBJECT: 'x' }, 'SUBJECT', /not a property of Activity/],
    [{ SEQN: { $type: 'System.Int32', $value: 5 } }, 'SEQN', /assigned by iMIS/],
  ];
  for (const [change, field, message] of cases) {
    const r = await call('POST', '/api/Activity', { token, body: activity({ ...good, ...change }) });
    assertValidation(r, [field], message);
  }
  const { PartyId, ...noParty } = good;
  assertValidation(await call('POST', '/api/Activity', { token, body: activity(noParty) }), ['PartyId'], /PartyId is required/);
  assertValidation(await call('POST', '/api/Activity', { token, body: { ...activity(good), $type: 'Asi.Soa.Core.DataContracts.GenericEntityData, Asi.Soa.Core.Contracts' } }), ['$type']);
  assert.equal((await call('POST', '/api/Activity', { token, body: activity({ ...good, DESCRIPTION: 'x'.repeat(255), ACTIVITY_TYPE: 'DUES' }) })).status, 201, 'system types are not refused');
  assert.equal((await ctl('GET', 'state')).body.activities.length, 1);
});

test('Activity PUT replaces the stored properties and validates like POST', async () => {
  const token = await login();
  const made = await call('POST', '/api/Activity', { token, body: activity({ PartyId: '23001', ACTIVITY_TYPE: 'EMAIL', DESCRIPTION: 'Re: dues', NOTE: 'Body', SOURCE_CODE: 'email:0123456789abcdef' }) });
  const seqn = valueOf(made.body, 'SEQN').$value;
  const note = 'Body\n\nStored documents:\n$/Common/Email/msg-1/a.pdf';
  const replacement = { ...activity({ SEQN: { $type: 'System.Int32', $value: seqn }, PartyId: '23001', ACTIVITY_TYPE: 'EMAIL', DESCRIPTION: 'Re: dues', NOTE: note, TRANSACTION_DATE: date('2024-05-06T07:08:09') }), Identity: made.body.Identity };
  const put = await call('PUT', `/api/Activity/${seqn}`, { token, body: replacement });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.deepEqual(valueOf(put.body, 'SEQN'), { $type: 'System.Int32', $value: seqn });
  const back = (await call('GET', `/api/Activity/${seqn}`, { token })).body;
  assert.deepEqual(back, put.body);
  assert.equal(valueOf(back, 'NOTE'), note);
  assert.equal(valueOf(back, 'SOURCE_CODE'), undefined, 'a property left out is gone');
  assert.equal(back.Properties.$values.filter((p) => p.Name === 'SEQN').length, 1);
  assert.deepEqual((await ctl('GET', 'state')).body.activities, [{ SEQN: seqn, entity: replacement }]);

  const plain = await call('PUT', `/api/Activity/${seqn}`, { token, body: activity({ PartyId: '22708', ACTIVITY_TYPE: 'NOTE' }) });
  assert.deepEqual([plain.status, valueOf(plain.body, 'PartyId'), plain.body.PrimaryParentIdentity.IdentityElements.$values], [200, '22708', ['22708']]);
  const cases = [
    [activity({ SEQN: { $type: 'System.Int32', $value: seqn + 1 }, PartyId: '23001', ACTIVITY_TYPE: 'EMAIL' }), 'SEQN'],
    [{ ...activity({ PartyId: '23001', ACTIVITY_TYPE: 'EMAIL' }), Identity: IDENTITY('Activity', '1') }, 'Identity'],
    [activity({ PartyId: '23001', ACTIVITY_TYPE: 'EMAIL', TRANSACTION_DATE: '2024-05-06' }), 'TRANSACTION_DATE'],
  ];
  for (const [body, field] of cases) assertValidation(await call('PUT', `/api/Activity/${seqn}`, { token, body }), [field]);
  assert.equal(valueOf((await call('GET', `/api/Activity/${seqn}`, { token })).body, 'ACTIVITY_TYPE'), 'NOTE', 'a refused PUT changes nothing');
  assert.equal((await call('PUT', '/api/Activity/99999', { token, body: activity({ PartyId: '23001', ACTIVITY_TYPE: 'EMAIL' }) })).status, 404);
  assert.equal((await call('PUT', '/api/Activity', { token, body: activity({ PartyId: '23001', ACTIVITY_TYPE: 'EMAIL' }) })).status, 405);
});

test('LegacyActivityType: the site\'s activity types, paged and by code', async () => {
  const token = await login();
  const list = await call('GET', '/api/LegacyActivityType', { token });
  assert.equal(list.status, 200);
  assert.equal(list.body.$type, 'Asi.Soa.Core.DataContracts.PagedResult`1[[Asi.Soa.Core.DataContracts.GenericEntityData, Asi.Contracts]], Asi.Contracts');
  const codes = list.body.Items.$values.map((t) => t.Identity.IdentityElements.$values[0]);
  assert.deepEqual(codes, ['EMAIL', 'MEETING', 'NOTE', 'DUES', 'ORDER', 'SALES']);
  assert.deepEqual([list.body.TotalCount, list.body.Limit], [6, 100]);
  const one = await call('GET', '/api/LegacyActivityType?limit=1', { token });
  assert.deepEqual([one.body.Count, one.body.HasNext], [1, true]);
  const email = await call('GET', '/api/LegacyActivityType/EMAIL', { token });
  assert.equal(email.status, 200);
  assert.deepEqual(email.body, {
    $type: GE, EntityTypeName: 'LegacyActivityType', Identity: IDENTITY('LegacyActivityType', 'EMAIL'),
    Properties: { $type: GPC, $values: [['LegacyActivityTypeId', 'EMAIL'], ['Description', 'Email'], ['IsSystem', { $type: 'System.Boolean', $value: false }]].map(([Name, Value]) => ({ $type: GP, Name, Value })) },
  });
  assert.equal(valueOf((await call('GET', '/api/LegacyActivityType/DUES', { token })).body, 'IsSystem').$value, true);
  assert.equal((await call('GET', '/api/LegacyActivityType/LETTER', { token })).status, 404);
  assert.equal((await call('GET', '/api/LegacyActivityType/email', { token })).status, 404, 'exact code');
  assert.deepEqual((await call('GET', '/api/LegacyActivityType?IsSystem=eq:true', { token })).body.Items.$values.map((t) => valueOf(t, 'LegacyActivityTypeId')), ['DUES', 'ORDER', 'SALES']);
  assert.equal((await call('GET', '/api/LegacyActivityType')).status, 401);
});

// ---------------------------------------------------------------- 9. interactions
test('CommunicationLogRecipient: typed create, read, list filters, PUT, delete, state', async () => {
  const token = await login();
  const sent = interaction();
  const a = await call('POST', '/api/CommunicationLogRecipient', { token, body: sent });
  assert.equal(a.status, 201, JSON.stringify(a.body));
  const id = a.body.CommunicationLogRecipientId, logId = a.body.CommunicationLog.CommunicationLogId;
  assert.match(id, GUID_RE);
  assert.match(logId, GUID_RE);
  assert.deepEqual(Object.keys(a.body).slice(0, 2), ['$type', 'CommunicationLogRecipientId']);
  assert.deepEqual(Object.keys(a.body.CommunicationLog).slice(0, 2), ['$type', 'CommunicationLogId']);
  const { $type, ...sentRest } = sent;
  assert.deepEqual(a.body, { $type, CommunicationLogRecipientId: id, ...sentRest, CommunicationLog: { $type: CL, CommunicationLogId: logId, ...(({ $type: _, ...l }) => l)(sent.CommunicationLog) } });
  const back = await call('GET', `/api/CommunicationLogRecipient/${id}`, { token });
  assert.deepEqual([back.status, back.body], [200, a.body]);
  assert.equal((await call('GET', `/api/CommunicationLogRecipient/${id.toUpperCase()}`, { token })).status, 200, 'GUIDs in any case');

  const other = interaction({ Party: { $type: M('PersonData'), PartyId: '23002', Name: 'Jordan Shared' }, MessageId: 'm-0002', Address: undefined });
  const b = await call('POST', '/api/CommunicationLogRecipient', { token, body: other });
  assert.equal(b.status, 201, JSON.stringify(b.body));
  const id2 = b.body.CommunicationLogRecipientId;
  const list = async (q) => (await call('GET', `/api/CommunicationLogRecipient?${q}`, { token })).body;
  const byParty = await list('PartyId=eq:23001');
  assert.equal(byParty.$type, 'Asi.Soa.Core.DataContracts.PagedResult`1[[Asi.Soa.Communications.DataContracts.CommunicationLogRecipientData, Asi.Contracts]], Asi.Contracts');
  assert.deepEqual(byParty.Items.$values.map((x) => x.CommunicationLogRecipientId), [id]);
  assert.deepEqual((await list('MessageId=eq:m-0002')).Items.$values.map((x) => x.CommunicationLogRecipientId), [id2]);
  assert.deepEqual((await list('PartyId=23002&MessageId=M-0002')).Items.$values.map((x) => x.CommunicationLogRecipientId), [id2]);
  assert.equal((await list('PartyId=eq:23002&MessageId=eq:m-0001')).TotalCount, 0);
  assert.equal((await list('')).TotalCount, 2);
  for (const q of ['Subject=eq:x', 'CommunicationLogRecipientId=eq:x', 'MessageId=startsWith:m']) assert.equal((await call('GET', `/api/CommunicationLogRecipient?${q}`, { token })).status, 400, q);
  assert.match((await call('GET', '/api/CommunicationLogRecipient?Subject=eq:x', { token })).body.Message, /Subject is not a known property name\./);
  assert.deepEqual((await ctl('GET', 'state')).body.interactions, [{ id, entity: sent }, { id: id2, entity: JSON.parse(JSON.stringify(other)) }], 'stored exactly as sent');

  const replacement = interaction({ CommunicationLogRecipientId: id }, { CommunicationLogId: logId, Text: 'Hello Alex,\n\nStored documents: a.pdf', Html: undefined });
  const put = await call('PUT', `/api/CommunicationLogRecipient/${id}`, { token, body: replacement });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.deepEqual([put.body.CommunicationLogRecipientId, put.body.CommunicationLog.CommunicationLogId, put.body.CommunicationLog.Text, 'Html' in put.body.CommunicationLog], [id, logId, 'Hello Alex,\n\nStored documents: a.pdf', false]);
  assert.deepEqual((await call('GET', `/api/CommunicationLogRecipient/${id}`, { token })).body, put.body);
  const noIds = await call('PUT', `/api/CommunicationLogRecipient/${id}`, { token, body: interaction({ MessageType: 2 }) });
  assert.deepEqual([noIds.status, noIds.body.CommunicationLogRecipientId, noIds.body.CommunicationLog.CommunicationLogId, noIds.body.MessageType], [200, id, logId, 2], 'stored ids kept');
  assertValidation(await call('PUT', `/api/CommunicationLogRecipient/${id}`, { token, body: interaction({ CommunicationLogRecipientId: id2 }) }), ['CommunicationLogRecipientId']);
  assertValidation(await call('PUT', `/api/CommunicationLogRecipient/${id}`, { token, body: interaction({}, { CommunicationLogId: '00000000-0000-0000-0000-000000000000' }) }), ['CommunicationLog.CommunicationLogId']);
  assert.equal((await call('PUT', '/api/CommunicationLogRecipient/00000000-0000-0000-0000-000000000000', { token, body: replacement })).status, 404);
  assert.equal((await call('POST', `/api/CommunicationLogRecipient/${id}`, { token, body: replacement })).status, 405);

  assert.equal((await call('DELETE', `/api/CommunicationLogRecipient/${id}`, { token })).status, 200);
  assert.equal((await call('GET', `/api/CommunicationLogRecipient/${id}`, { token })).status, 404);
  assert.equal((await call('DELETE', `/api/CommunicationLogRecipient/${id}`, { token })).status, 404);
  assert.deepEqual((await ctl('GET', 'state')).body.interactions.map((x) => x.id), [id2]);
  await ctl('POST', 'reset');
  assert.deepEqual((await ctl('GET', 'state')).body.interactions, [], 'reset forgets interactions');
});

test('CommunicationLogRecipient refuses a generic entity and names every wrong field', async () => {
  const token = await login();
  const generic = entity('CommunicationLogRecipient', { PartyId: '23001', Subject: 'x' });
  assertValidation(await call('POST', '/api/CommunicationLogRecipient', { token, body: generic }), ['$type'], /CommunicationLogRecipientData/);
  const cases = [
    [interaction({ Colour: 'red' }), ['Colour']],
    [interaction({ CommunicationLog: undefined }), ['CommunicationLog']],
    [interaction({ CommunicationLog: { Subject: 'x', Text: 'y' } }), ['CommunicationLog']],
    [interaction({}, { Subject: 'x'.repeat(501) }), ['CommunicationLog.Subject']],
    [interaction({}, { Subject: undefined }), ['CommunicationLog.Subject']],
    [interaction({}, { Text: undefined }), ['CommunicationLog.Text']],
    [interaction({}, { Body: 'x' }), ['CommunicationLog.Body']],
    [interaction({}, { CommunicationLogId: '00000000-0000-0000-0000-000000000001' }), ['CommunicationLog.CommunicationLogId']],
    [interaction({ Party: undefined }), ['Party']],
    [interaction({ Party: { PartyId: '23001' } }), ['Party']],
    [interaction({ Party: { $type: GE, PartyId: '23001' } }), ['Party']],
    [interaction({ Party: { $type: M('PartySummaryData') } }), ['Party.PartyId']],
    [interaction({ Party: { $type: M('PartySummaryData'), PartyId: '99999' } }), ['Party.PartyId']],
    [interaction({ MessageType: '1' }), ['MessageType']],
    [interaction({ MessageType: 1.5 }), ['MessageType']],
    [interaction({ MessageType: undefined }), ['MessageType']],
    [interaction({ MessageId: 'k'.repeat(11) }), ['MessageId']],
    [interaction({ Address: 5 }), ['Address']],
    [interaction({ CommunicationLogRecipientId: '00000000-0000-0000-0000-000000000001' }), ['CommunicationLogRecipientId']],
    [interaction({ Attachments: [] }), ['Attachments']],
  ];
  for (const [body, fields] of cases) assertValidation(await call('POST', '/api/CommunicationLogRecipient', { token, body: JSON.parse(JSON.stringify(body)) }), fields);
  const edge = interaction({ MessageId: 'k'.repeat(10), Attachments: { $type: 'Asi.Soa.Communications.DataContracts.CommunicationLogRecipientAttachmentDataCollection, Asi.Contracts', $values: [] } }, { Subject: 'x'.repeat(500), Status: 'Sent' });
  assert.equal((await call('POST', '/api/CommunicationLogRecipient', { token, body: edge })).status, 201);
  assert.equal((await call('GET', '/api/CommunicationLog', { token })).status, 404);
  assert.equal((await ctl('GET', 'state')).body.interactions.length, 1);
});

// ---------------------------------------------------------------- 5. document types; documents
test('document types: the shipped closed list, exactly; unknown type -> 400 DocumentTypeId', async () => {
  const token = await login();
  for (const type of ['PDF', 'TXT', 'EML', 'ZIP', 'JPG', 'XLS', 'DOC', 'RA']) {
    assert.equal((await call('POST', '/api/Document', { token, body: docBody(`f.${type}`, '$/Common/Email', Buffer.from('x'), type) })).status, 201, type);
  }
  for (const type of ['DOCX', 'XLSX', 'PPTX', 'CSV', 'MSG', 'JPEG', 'HTML', 'ICS', 'VCF', 'BIN', 'pdf', 'Txt', 'TOOLONG', '']) {
    const r = await call('POST', '/api/Document', { token, body: docBody(`g.${type}`, '$/Common/Email', Buffer.from('x'), type) });
    assertValidation(r, ['DocumentTypeId']);
    assert.equal(r.body.Errors.$values[0].FieldValue, type);
  }
  assert.match((await call('POST', '/api/Document', { token, body: docBody('h', '$/Common/Email', Buffer.from('x'), 'TOOLONG') })).body.Errors.$values[0].Message, /longer than 6/);
  assert.equal((await ctl('GET', 'state')).body.documents.filter((d) => d.FolderPath === '$/Common/Email').length, 8);
});

test('document types: a fixture\'s documentTypes adds the site\'s own', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'imis-fixture-'));
  const file = join(dir, 'imis.json');
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(FIXTURE, 'utf8')), documentTypes: ['DOCX', 'MSG'] }));
  const site = await start({ port: 0, tls, fixtureFile: file });
  try {
    const r = await call('POST', '/token', { ...form({ grant_type: 'password', username: 'staff', password: 'imis-demo-pass' }), base: site.url });
    const token = r.body.access_token;
    assert.equal((await call('POST', '/api/Document', { token, body: docBody('a.docx', '$/Common/Email', Buffer.from('x'), 'DOCX'), base: site.url })).status, 201);
    assert.equal((await call('POST', '/api/Document', { token, body: docBody('a.msg', '$/Common/Email', Buffer.from('x'), 'MSG'), base: site.url })).status, 201);
    assert.equal((await call('POST', '/api/Document', { token, body: docBody('a.pdf', '$/Common/Email', Buffer.from('x'), 'PDF'), base: site.url })).status, 201, 'shipped types stay');
    assertValidation(await call('POST', '/api/Document', { token, body: docBody('a.xlsx', '$/Common/Email', Buffer.from('x'), 'XLSX'), base: site.url }), ['DocumentTypeId']);
  } finally {
    await site.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const token = await login();
  assertValidation(await call('POST', '/api/Document', { token, body: docBody('a.docx', '$/Common/Email', Buffer.from('x'), 'DOCX') }), ['DocumentTypeId'], /not a document type/);
});

test('Documents: folder, file, parent must exist, lengths, bad base64, download, delete', async () => {
  const token = await login();
  const folder = await call('POST', '/api/Document', { token, body: folderBody('msg-1', '$/Common/Email') });
  assert.equal(folder.status, 201);
  assert.match(folder.body.DocumentId, GUID_RE);
  assert.deepEqual([folder.body.$type, folder.body.Path, folder.body.FolderPath, folder.body.DocumentTypeId, folder.body.Data], [DD, '$/Common/Email/msg-1', '$/Common/Email', 'FOL', undefined]);
  const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 255, 10, 13, 0]);
  assertValidation(await call('POST', '/api/Document', { token, body: docBody('a.zip', '$/Common/Email/nope', bytes, 'ZIP') }), ['Path'], /\$\/Common\/Email\/nope does not exist/);
  const file = await call('POST', '/api/Document', { token, body: docBody('a.zip', '$/Common/Email/msg-1', bytes, 'ZIP') });
  assert.equal(file.status, 201);
  assert.match(file.body.DocumentVersionId, GUID_RE);
  assert.deepEqual([file.body.Path, file.body.Data], ['$/Common/Email/msg-1/a.zip', undefined]);
  assertValidation(await call('POST', '/api/Document', { token, body: { ...docBody('b.zip', '$/Common/Email/msg-1', bytes, 'ZIP'), Data: { $type: 'System.Byte[], mscorlib', $value: 'abc$' } } }), ['Data'], /not valid base64/);
  assertValidation(await call('POST', '/api/Document', { token, body: docBody('c.zip', '$/Common/Email/msg-1', null, 'ZIP') }), ['Data']);
  assertValidation(await call('POST', '/api/Document', { token, body: { ...folderBody('d', '$/Common/Email'), Data: { $type: 'System.Byte[], mscorlib', $value: 'AA==' } } }), ['Data']);
  assertValidation(await call('POST', '/api/Document', { token, body: docBody(`${'n'.repeat(97)}.txt`, '$/Common/Email', bytes) }), ['Name', 'AlternateName'], /longer than 100/);
  assertValidation(await call('POST', '/api/Document', { token, body: { ...docBody('e.txt', '$/Common/Email', bytes), AlternateName: 'a'.repeat(101), Description: 'd'.repeat(251) } }), ['AlternateName', 'Description']);
  assertValidation(await call('POST', '/api/Document', { token, body: docBody('a/b.txt', '$/Common/Email', bytes) }), ['Name']);
  assertValidation(await call('POST', '/api/Document', { token, body: { ...docBody('f.txt', '$/Common/Email', bytes), $type: GE } }), ['$type']);

  const got = await call('GET', `/api/Document/${file.body.DocumentId}`, { token });
  assert.equal(got.status, 200);
  assert.deepEqual(Buffer.from(got.body.Data.$value, 'base64'), bytes);
  assert.equal((await call('GET', `/api/Document/${file.body.DocumentVersionId}`, { token })).status, 404, 'by DocumentId, not version id');
  const state = (await ctl('GET', 'state')).body.documents.find((d) => d.DocumentId === file.body.DocumentId);
  assert.deepEqual([state.size, state.sha256, state.Path, state.Status], [bytes.length, createHash('sha256').update(bytes).digest('hex'), '$/Common/Email/msg-1/a.zip', 'Working']);
  assertValidation(await call('DELETE', `/api/Document/${folder.body.DocumentId}`, { token }), ['DocumentId'], /not empty/);
  assert.equal((await call('DELETE', `/api/Document/${file.body.DocumentId}`, { token })).status, 200);
  assert.equal((await call('GET', `/api/Document/${file.body.DocumentId}`, { token })).status, 404);
  assert.equal((await call('DELETE', `/api/Document/${folder.body.DocumentId}`, { token })).status, 200);
});

// ---------------------------------------------------------------- 8. Working status
test('Working: new items are invisible to FindByPath / FindDocumentsInFolder, visible to DocumentSummary?Name=', async () => {
  const token = await login();
  const folder = await call('POST', '/api/Document', { token, body: folderBody('msg-1', '$/Common/Email') });
  assert.deepEqual([folder.status, folder.body.Status], [201, 'Working']);
  const file = await call('POST', '/api/Document', { token, body: docBody('a.pdf', '$/Common/Email/msg-1', Buffer.from('%PDF'), 'PDF') });
  assert.deepEqual([file.status, file.body.Status], [201, 'Working'], 'a Working folder takes documents');
  const top = await call('POST', '/api/Document', { token, body: docBody('A.PDF', '$/Common/Email', Buffer.from('%PDF'), 'PDF') });
  assert.equal(top.status, 201);

  for (const path of ['$/Common/Email/msg-1', '$/Common/Email/msg-1/a.pdf', '$/Common/Email/A.PDF']) {
    const r = await findByPath(token, path);
    assert.deepEqual([r.status, r.body.Result, r.body.Message, r.body.IsSuccessStatusCode], [200, null, 'NotFound', false], path);
  }
  assert.equal((await execute(token, 'FindByVersionId', { $type: 'System.String', $value: file.body.DocumentVersionId })).body.Message, 'NotFound');
  const inRoot = await execute(token, 'FindDocumentsInFolder', { $type: 'System.String', $value: '$/Common/Email' }, { $type: 'System.String[], mscorlib', $values: [] });
  assert.deepEqual(inRoot.body.Result.$values, [], 'the published root folder lists no Working item');
  assert.equal((await execute(token, 'FindDocumentsInFolder', { $type: 'System.String', $value: folder.body.DocumentId })).body.Message, 'NotFound', 'nor finds a Working folder');
  const root = await findByPath(token, '$/Common/Email');
  assert.deepEqual([root.body.Result.$type, root.body.Result.Status, root.body.Message, root.body.IsSuccessStatusCode], [DSD, 'Published', null, true], 'fixture folders are Published');

  const byName = await call('GET', '/api/DocumentSummary?Name=eq:a.pdf', { token });
  assert.equal(byName.status, 200);
  assert.equal(byName.body.$type, 'Asi.Soa.Core.DataContracts.PagedResult`1[[Asi.Soa.Core.DataContracts.DocumentSummaryData, Asi.Contracts]], Asi.Contracts');
  assert.deepEqual(byName.body.Items.$values.map((d) => [d.$type, d.Path, d.Status, d.DocumentTypeId]), [[DSD, '$/Common/Email/msg-1/a.pdf', 'Working', 'PDF'], [DSD, '$/Common/Email/A.PDF', 'Working', 'PDF']], 'any case, every folder');
  const s = byName.body.Items.$values[0];
  assert.deepEqual([s.DocumentId, s.DocumentVersionId, s.Name, s.AlternateName, s.IsSystem, s.FolderPath], [file.body.DocumentId, file.body.DocumentVersionId, 'a.pdf', 'a.pdf', false, '$/Common/Email/msg-1']);
  assert.deepEqual((await call('GET', '/api/DocumentSummary?name=msg-1', { token })).body.Items.$values.map((d) => [d.DocumentId, d.DocumentTypeId]), [[folder.body.DocumentId, 'FOL']], 'plain value; folders too');
  assert.equal((await call('GET', '/api/DocumentSummary?Name=eq:a', { token })).body.TotalCount, 0, 'equality, not contains');
  assert.equal((await call('GET', '/api/DocumentSummary?Name=contains:a', { token })).status, 400);
  assert.equal((await call('GET', '/api/DocumentSummary?Colour=eq:a', { token })).status, 400);
  assert.equal((await call('GET', `/api/DocumentSummary?Path=${encodeURIComponent('$/Common/Email/msg-1/a.pdf')}`, { token })).status, 404);
  assert.equal((await call('GET', `/api/Document/${file.body.DocumentId}`, { token })).body.Status, 'Working');

  await settings({ newDocumentStatus: 'Published' });
  const pub = await call('POST', '/api/Document', { token, body: docBody('p.pdf', '$/Common/Email', Buffer.from('%PDF'), 'PDF') });
  assert.equal(pub.body.Status, 'Published');
  assert.equal((await findByPath(token, '$/Common/Email/p.pdf')).body.Result.DocumentId, pub.body.DocumentId);
  const listed = await execute(token, 'FindDocumentsInFolder', { $type: 'System.String', $value: '$/Common/Email' }, { $type: 'System.String[], mscorlib', $values: ['PDF'] }, { $type: 'System.Boolean', $value: true });
  assert.deepEqual(listed.body.Result.$values.map((d) => d.Name), ['p.pdf']);
  assert.equal((await execute(token, 'FindDocumentsInFolder', { $type: 'System.String', $value: '$/Common/Email' }, ['PDF'])).status, 500, 'a bare array gives 500');
});

test('duplicate names in one folder are accepted silently and both are in the state', async () => {
  const token = await login();
  const one = await call('POST', '/api/Document', { token, body: docBody('same.txt', '$/Common/Email', Buffer.from('one')) });
  const two = await call('POST', '/api/Document', { token, body: docBody('same.txt', '$/Common/Email', Buffer.from('two')) });
  const three = await call('POST', '/api/Document', { token, body: docBody('SAME.TXT', '$/Common/Email', Buffer.from('three')) });
  assert.deepEqual([one.status, two.status, three.status], [201, 201, 201]);
  assert.notEqual(one.body.DocumentId, two.body.DocumentId);
  const docs = (await ctl('GET', 'state')).body.documents.filter((d) => d.Path.toLowerCase() === '$/common/email/same.txt');
  assert.deepEqual(docs.map((d) => [d.DocumentId, d.Status, d.size]), [[one.body.DocumentId, 'Working', 3], [two.body.DocumentId, 'Working', 3], [three.body.DocumentId, 'Working', 5]]);
  assert.equal((await call('GET', '/api/DocumentSummary?Name=same.txt', { token })).body.TotalCount, 3);
});

// ---------------------------------------------------------------- 7. documentPost500; faults
test('documentPost500: every successful POST /api/Document stores and then answers 500', async () => {
  const token = await login();
  await settings({ documentPost500: true });
  const folder = await call('POST', '/api/Document', { token, body: folderBody('msg-9', '$/Common/Email') });
  assert.deepEqual([folder.status, typeof folder.body.Message], [500, 'string']);
  const file = await call('POST', '/api/Document', { token, body: docBody('a.txt', '$/Common/Email/msg-9', Buffer.from('hi')) });
  assert.equal(file.status, 500);
  const again = await call('POST', '/api/Document', { token, body: docBody('b.txt', '$/Common/Email/msg-9', Buffer.from('hi')) });
  assert.equal(again.status, 500, 'every time');
  assertValidation(await call('POST', '/api/Document', { token, body: docBody('c.txt', '$/Common/Email/nope', Buffer.from('hi')) }), ['Path'], /does not exist/);
  const stored = (await ctl('GET', 'state')).body.documents.filter((d) => d.Path.startsWith('$/Common/Email/msg-9'));
  assert.deepEqual(stored.map((d) => [d.Path, d.Status]), [['$/Common/Email/msg-9', 'Working'], ['$/Common/Email/msg-9/a.txt', 'Working'], ['$/Common/Email/msg-9/b.txt', 'Working']]);
  assert.deepEqual((await call('GET', '/api/DocumentSummary?Name=eq:a.txt', { token })).body.Items.$values.map((d) => d.Path), ['$/Common/Email/msg-9/a.txt'], 'the way to find it');
  assert.equal((await findByPath(token, '$/Common/Email/msg-9')).status, 200, '_execute is not a create');
});

test('faults: 500 although stored, plain failure, delay', async () => {
  const token = await login();
  await settings({ newDocumentStatus: 'Published' });
  await ctl('POST', 'faults', [{ match: 'POST /api/Document', status: 500, times: 1, store: true }]);
  const r = await call('POST', '/api/Document', { token, body: docBody('quirk.txt', '$/Common/Email', Buffer.from('hello')) });
  assert.deepEqual([r.status, typeof r.body.Message], [500, 'string']);
  assert.equal((await findByPath(token, '$/Common/Email/quirk.txt')).body.Result.Name, 'quirk.txt', 'saved anyway');
  assert.equal((await call('POST', '/api/Document', { token, body: docBody('next.txt', '$/Common/Email', Buffer.from('x')) })).status, 201, 'fault used up');
  await ctl('POST', 'faults', [{ match: 'POST /api/Document', status: 503 }]);
  assert.equal((await call('POST', '/api/Document', { token, body: docBody('lost.txt', '$/Common/Email', Buffer.from('x')) })).status, 503);
  assert.equal((await findByPath(token, '$/Common/Email/lost.txt')).body.Message, 'NotFound', 'not stored');
  await ctl('POST', 'faults', { match: 'GET /api/Party', delayMs: 300 });
  const t0 = Date.now();
  assert.equal((await call('GET', '/api/Party?limit=1', { token })).status, 200);
  assert.ok(Date.now() - t0 >= 290);
});

// ---------------------------------------------------------------- 6. request size
const sized = (name, rawBytes, type = 'ZIP') => JSON.stringify(docBody(name, '$/Common/Email', Buffer.alloc(rawBytes, 7), type));
test('request size: 11 MiB -> IIS 404.13 HTML without CORS, not stored; 9 MiB -> 201', { timeout: 60_000 }, async () => {
  const token = await login();
  await settings({ cors: true });
  const big = sized('big.zip', Math.ceil(8.25 * MiB));
  assert.ok(Buffer.byteLength(big) >= 11 * MiB && Buffer.byteLength(big) < 11.1 * MiB);
  const r = await call('POST', '/api/Document', { token, body: big, headers: { 'Content-Type': 'application/json', Origin: ORIGIN } });
  assert.equal(r.status, 404);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.match(r.body, /<title>404 - File or directory not found\.<\/title>/);
  assert.match(r.body, /HTTP Error 404\.13 - Not Found/);
  assert.match(r.body, /The request filtering module is configured to deny a request that exceeds the request content length\./);
  assert.equal(r.headers.get('access-control-allow-origin'), null, 'no CORS header even with cors on');
  const ok = sized('ok.zip', Math.floor(6.7 * MiB));
  assert.ok(Buffer.byteLength(ok) >= 8.9 * MiB && Buffer.byteLength(ok) <= 10485760);
  const fine = await call('POST', '/api/Document', { token, body: ok, headers: { 'Content-Type': 'application/json', Origin: ORIGIN } });
  assert.equal(fine.status, 201);
  assert.equal(fine.headers.get('access-control-allow-origin'), ORIGIN);
  assert.equal((await call('GET', '/api/Party?limit=1', { token })).status, 200, 'the server carries on');
  const names = (await ctl('GET', 'state')).body.documents.map((d) => d.Name);
  assert.ok(names.includes('ok.zip') && !names.includes('big.zip'));
  const limit = await call('POST', '/api/Document', { token, body: sized('edge', 10), headers: { 'Content-Type': 'application/json' } });
  assert.equal(limit.status, 201);

  // Chunked (no Content-Length): refused once past the limit; the body is drained, not kept.
  const parts = [Buffer.from(sized('chunked.zip', 0).slice(0, -3)), ...Array(12).fill(Buffer.alloc(MiB, 65)), Buffer.from('"}}')];
  let next = 0;
  const stream = new ReadableStream({ pull(c) { if (next < parts.length) c.enqueue(parts[next++]); else c.close(); } });
  const chunked = await fetch(`${srv.url}/api/Document`, { method: 'POST', body: stream, duplex: 'half', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } });
  assert.equal(chunked.status, 404);
  assert.match(await chunked.text(), /404\.13/);
  assert.equal((await ctl('GET', 'state')).body.documents.some((d) => d.Name === 'chunked.zip'), false);
  await settings({ maxRequestBytes: 1000 });
  assert.equal((await call('POST', '/token', form({ grant_type: 'password', username: 'staff', password: 'x'.repeat(1000) }))).status, 404, 'every URL, /token too');
});

test('request size: decided from Content-Length before the body is read', { timeout: 30_000 }, async () => {
  const token = await login();
  // Announce 11 MiB, send 1 KiB and wait: IIS answers from the header alone.
  const answer = await new Promise((ok, bad) => {
    const req = request(`${srv.url}/api/Document`, { method: 'POST', rejectUnauthorized: false, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': String(11 * MiB) } }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => { ok({ status: res.statusCode, text }); req.destroy(); });
    });
    req.on('error', bad);
    req.write(Buffer.alloc(1024, 32));
    setTimeout(() => bad(new Error('no answer before the body was sent')), 5000).unref();
  });
  assert.equal(answer.status, 404);
  assert.match(answer.text, /HTTP Error 404\.13/);
});

test('request size: largeBody aspnet500 and reset', { timeout: 60_000 }, async () => {
  const token = await login();
  await settings({ largeBody: 'aspnet500', maxRequestBytes: 4096 });
  const r = await call('POST', '/api/Document', { token, body: sized('a.zip', 8192), headers: { 'Content-Type': 'application/json' } });
  assert.equal(r.status, 500);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.match(r.body, /Maximum request length exceeded\./);
  await settings({ largeBody: 'reset' });
  await assert.rejects(fetch(`${srv.url}/api/Document`, { method: 'POST', body: sized('b.zip', 8192), headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } }), TypeError, 'a network error');
  assert.equal((await call('POST', '/api/Document', { token, body: sized('c.zip', 10), headers: { 'Content-Type': 'application/json' } })).status, 201);
  const { documents, requests } = (await ctl('GET', 'state')).body;
  assert.equal(documents.filter((d) => d.FolderPath === '$/Common/Email').map((d) => d.Name).join(), 'c.zip');
  assert.deepEqual(requests.filter((x) => x.path === '/api/Document').map((x) => x.status), [500, 'reset', 201]);
});

test('a raised limit: a 210 MiB upload, streamed, is stored byte for byte', { timeout: 180_000 }, async () => {
  const token = await login();
  await settings({ maxRequestBytes: 400 * MiB });
  const block = randomBytes(3 * MiB), blocks = 70, hash = createHash('sha256');
  for (let i = 0; i < blocks; i++) hash.update(block);
  const head = JSON.stringify(docBody('big.zip', '$/Common/Email', null, 'ZIP')).slice(0, -1) + ',"Data":{"$type":"System.Byte[], mscorlib","$value":"';
  const parts = [head, ...Array(blocks).fill(block.toString('base64')), '"}}'];
  let next = 0;
  const body = new ReadableStream({ pull(c) { if (next < parts.length) c.enqueue(Buffer.from(parts[next++])); else c.close(); } });
  const res = await fetch(`${srv.url}/api/Document`, { method: 'POST', body, duplex: 'half', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } });
  assert.equal(res.status, 201, await res.text());
  const doc = (await ctl('GET', 'state')).body.documents.find((d) => d.Name === 'big.zip');
  assert.deepEqual([doc.size, doc.sha256], [block.length * blocks, hash.digest('hex')]);
});

// ---------------------------------------------------------------- 13. state
test('state: token count and request log, never a password or token', async () => {
  const token = await login();
  await login();
  await call('GET', '/api/Party?Email=eq:alex.member@example.com', { token });
  await call('GET', '/api/Party/99999', { token });
  const { body: state, status } = await ctl('GET', 'state');
  assert.equal(status, 200);
  assert.equal(state.tokens, 2);
  assert.deepEqual(Object.keys(state), ['activities', 'interactions', 'documents', 'parties', 'tokens', 'requests', 'faults', 'settings']);
  assert.deepEqual(state.requests.map(({ method, path, status: s }) => [method, path, s]), [
    ['POST', '/token', 200], ['POST', '/token', 200], ['GET', '/api/Party?Email=eq:alex.member@example.com', 200], ['GET', '/api/Party/99999', 404],
  ]);
  assert.deepEqual(state.documents.map((d) => [d.Path, d.DocumentTypeId, d.Status]), [['$', 'FOL', 'Published'], ['$/Common', 'FOL', 'Published'], ['$/Common/Email', 'FOL', 'Published']]);
  const text = JSON.stringify(state);
  assert.ok(!text.includes(token) && !text.includes('imis-demo-pass'));
  await ctl('POST', 'reset');
  assert.equal((await call('GET', '/api/Party?limit=1', { token })).status, 401, 'reset forgets tokens');
});

// docs/org-settings.md: a Document System folder with "Administrators Full Control" (ASI), made by an administrator;
// whether REST enforces it is unknown, so the stand-in refuses non-SysAdmin writes with 403 (strictest).
test('the organisation settings folder: every signed-in user reads it, only a SysAdmin changes it', async () => {
  const made = await ctl('POST', 'folder', { path: '$/Common/SaveToImis' });
  assert.deepEqual([made.status, made.body.Path, made.body.access], [200, '$/Common/SaveToImis', 'administrators']);
  assert.equal((await ctl('POST', 'folder', { path: 'Common/x' })).status, 400);
  assert.equal((await ctl('POST', 'folder', { path: '$/Common/y', access: 'some' })).status, 400);
  const [staff, reader, admin] = [await login(), await login('reader', 'imis-reader-pass'), await login('admin', 'imis-admin-pass')];
  const v1 = Buffer.from('{"saveToImis": 1, "settings": {"activityType": "NOTE"}}');

  for (const token of [staff, reader]) {
    const refused = await call('POST', '/api/Document', { token, body: docBody('settings.txt', '$/Common/SaveToImis', v1) });
    assert.equal(refused.status, 403);
    assert.match(refused.body.Message, /does not have permission/);
  }
  assert.equal((await ctl('GET', 'state')).body.documents.filter((d) => d.Name === 'settings.txt').length, 0, 'a refused create stores nothing');
  const created = await call('POST', '/api/Document', { token: admin, body: docBody('settings.txt', '$/Common/SaveToImis', v1) });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.DocumentId;
  const stored = () => ctl('GET', 'state').then((r) => r.body.documents.find((d) => d.DocumentId === id));
  assert.deepEqual([(await stored()).access, (await stored()).createdBy, (await stored()).Status], ['administrators', 'admin', 'Working'], 'takes its folder\'s access');

  // Staff read it: found by name in any status, content in the Data wrapper.
  const found = await call('GET', `/api/DocumentSummary?Name=eq:settings.txt`, { token: staff });
  assert.deepEqual(found.body.Items.$values.map((d) => [d.DocumentId, d.Path]), [[id, '$/Common/SaveToImis/settings.txt']]);
  const read = await call('GET', `/api/Document/${id}`, { token: staff });
  assert.equal(read.status, 200);
  assert.deepEqual([read.body.$type, read.body.Data.$type, Buffer.from(read.body.Data.$value, 'base64').toString()], [DD, 'System.Byte[], mscorlib', v1.toString()]);
  assert.deepEqual([read.body.UpdateInfo.CreatedBy, read.body.UpdateInfo.UpdatedBy], ['admin', 'admin']);

  // PUT: the whole document back with new Data; staff refused, the admin's replaces it in place.
  const v2 = Buffer.from('{"saveToImis": 1, "settings": {"activityType": "MEETING"}}');
  const back = { ...read.body, Data: { $type: 'System.Byte[], mscorlib', $value: v2.toString('base64') } };
  for (const token of [staff, reader]) assert.equal((await call('PUT', `/api/Document/${id}`, { token, body: back })).status, 403);
  assert.equal((await call('DELETE', `/api/Document/${id}`, { token: staff })).status, 403);
  assert.equal((await stored()).sha256, createHash('sha256').update(v1).digest('hex'), 'refused writes change nothing');
  const put = await call('PUT', `/api/Document/${id}`, { token: admin, body: back });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.deepEqual([put.body.DocumentId, put.body.DocumentVersionId, put.body.Data, put.body.UpdateInfo.UpdatedBy, put.body.Status],
    [id, read.body.DocumentVersionId, undefined, 'admin', 'Working'], 'in place: same version id, status kept');
  assert.equal(Buffer.from((await call('GET', `/api/Document/${id}`, { token: staff })).body.Data.$value, 'base64').toString(), v2.toString());
  assert.equal((await stored()).size, v2.length);

  // PUT's rules.
  assertValidation(await call('PUT', `/api/Document/${id}`, { token: admin, body: { ...back, Name: 'other.txt' } }), ['Name']);
  assertValidation(await call('PUT', `/api/Document/${id}`, { token: admin, body: { ...back, Path: '$/Common/Email' } }), ['Path']);
  assertValidation(await call('PUT', `/api/Document/${id}`, { token: admin, body: { ...back, DocumentId: ANOTHER_DOCUMENT_ID } }), ['DocumentId']);
  assertValidation(await call('PUT', `/api/Document/${id}`, { token: admin, body: { ...back, Data: { $type: 'System.Byte[], mscorlib', $value: 'ab$' } } }), ['Data']);
  assertValidation(await call('PUT', `/api/Document/${id}`, { token: admin, body: { ...back, $type: GE } }), ['$type']);
  assert.equal((await call('PUT', `/api/Document/${id}`, { token: admin, body: back, headers: { 'Content-Type': 'text/plain' } })).status, 415);
  assert.equal((await call('PUT', '/api/Document/00000000-0000-0000-0000-000000000000', { token: admin, body: back })).status, 404);
  assert.equal((await call('PUT', '/api/Document', { token: admin, body: back })).status, 405);
  assert.equal((await call('PUT', `/api/Document/${id}`, { body: back })).status, 401);

  // A folder made over REST has no such restriction (ASI: new folders give Everyone Full Control).
  const open = await call('POST', '/api/Document', { token: staff, body: folderBody('Open', '$/Common') });
  assert.equal(open.status, 201);
  assert.equal((await call('POST', '/api/Document', { token: reader, body: docBody('x.txt', '$/Common/Open', v1) })).status, 201);
  assert.equal((await call('DELETE', `/api/Document/${id}`, { token: admin })).status, 200, 'the SysAdmin may delete it');
});

const ANOTHER_DOCUMENT_ID = '11111111-2222-4333-8444-555555555555';
