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
const GPC = 'Asi.Soa.Core.DataContracts.GenericPropertyDataCollection, Asi.Contracts';
const IDENTITY = (EntityTypeName, key) => ({ $type: 'Asi.Soa.Core.DataContracts.IdentityData, Asi.Contracts', EntityTypeName, IdentityElements: { $type: 'System.Collections.ObjectModel.Collection`1[[System.String, mscorlib]], mscorlib', $values: [key] } });
const BY_EMAIL = '$/ContactManagement/DefaultSystem/Queries/Outlook/Contacts by email';
const BY_NAME = '$/ContactManagement/DefaultSystem/Queries/Outlook/Contacts by name';
const iqa = (token, query, ...rest) => call('GET', `/api/iqa?QueryName=${encodeURIComponent(query)}${rest.map((r) => `&${r}`).join('')}`, { token });
const columnsOf = (row) => Object.fromEntries(row.Properties.$values.map((p) => [p.Name, p.Value]));
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
const entity = (EntityTypeName, props) => ({
  $type: GE, EntityTypeName,
  Properties: { $type: 'Asi.Soa.Core.DataContracts.GenericPropertyDataCollection, Asi.Contracts', $values: Object.entries(props).map(([Name, Value]) => ({ $type: GP, Name, Value })) },
});
const activity = (props) => entity('Activity', props);
const interaction = (props) => entity('CommunicationLogRecipient', props);
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

test('Party search by part of an address or of a name; the person without email', async () => {
  const token = await login();
  const ids = async (q) => (await call('GET', `/api/Party?${q}`, { token })).body.Items.$values.map((p) => p.PartyId);
  assert.deepEqual(await ids('Email=contains:taylor'), ['23005', '23006']);
  assert.deepEqual(await ids(`Email=contains:${encodeURIComponent('@EXAMPLE.NET')}`), ['22708', '23006']);
  assert.deepEqual(await ids('Email=contains:home.example.org'), [], 'alternates are not searched');
  assert.deepEqual(await ids('FullName=contains:TAYLOR'), ['23005', '23006']);
  assert.deepEqual(await ids('FullName=contains:taylor&Email=endsWith:.com'), ['23005']);
  assert.ok((await ids('Email=isEmpty:&limit=500')).includes('23004'));
  const robin = (await call('GET', '/api/Party/23004', { token })).body;
  assert.deepEqual([robin.Name, robin.Emails.$values], ['Robin Noemail', []]);
});

test('CsContactBasic: one row, ambiguous address, name search, by id, read-only', async () => {
  const token = await login();
  const one = await call('GET', '/api/CsContactBasic?email=eq:alex.member@example.com&limit=2', { token });
  assert.equal(one.status, 200);
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
  const upper = await call('GET', `/api/CsContactBasic?Email=eq:${encodeURIComponent('ALEX.MEMBER@example.com')}`, { token });
  assert.deepEqual(upper.body.Items.$values.map((r) => r.Identity.IdentityElements.$values[0]), ['23001']);
  const shared = await call('GET', '/api/CsContactBasic?email=eq:shared@example.com&limit=2', { token });
  assert.equal(shared.body.Count, 2, 'Count > 1 is ambiguous');
  assert.deepEqual(shared.body.Items.$values.map((r) => valueOf(r, 'ID')), ['23002', '23003']);
  assert.equal((await call('GET', '/api/CsContactBasic?email=eq:alex@home.example.org', { token })).body.Count, 0, 'primary only');
  assert.equal((await call('GET', '/api/CsContactBasic?email=eq:nobody@example.com', { token })).body.TotalCount, 0);
  const byName = await call('GET', '/api/CsContactBasic?FullName=contains:taylor', { token });
  assert.deepEqual(byName.body.Items.$values.map((r) => [valueOf(r, 'FullName'), valueOf(r, 'Email')]), [['Taylor Reed', 'taylor.reed@example.com'], ['Casey Taylor', 'casey.taylor@example.net']]);
  const org = (await call('GET', '/api/CsContactBasic/23010', { token })).body;
  assert.deepEqual([valueOf(org, 'FullName'), valueOf(org, 'Company'), valueOf(org, 'IsCompany').$value], ['Example Association', 'Example Association', true]);
  assert.equal(valueOf((await call('GET', '/api/CsContactBasic/23004', { token })).body, 'Email'), '');
  assert.equal((await call('GET', '/api/CsContactBasic/99999', { token })).status, 404);
  assert.equal((await call('GET', '/api/CsContactBasic?Colour=eq:red', { token })).status, 400);
  assert.equal((await call('POST', '/api/CsContactBasic', { token, body: entity('CsContactBasic', { FullName: 'x' }) })).status, 405);
});

test('IQA: contacts by email match any address; row shape; errors', async () => {
  const token = await login();
  const r = await iqa(token, BY_EMAIL, 'parameter=eq:alex.member@example.com');
  assert.equal(r.status, 200);
  assert.equal(r.body.$type, 'Asi.Soa.Core.DataContracts.PagedResult, Asi.Contracts');
  assert.equal(r.body.Items.$type, 'System.Collections.Generic.List`1[[System.Object, mscorlib]], mscorlib');
  assert.deepEqual([r.body.Count, r.body.TotalCount, r.body.Offset, r.body.Limit, r.body.HasNext, r.body.NextOffset, r.body.NextPageLink], [1, 1, 0, 100, false, 0, null]);
  assert.deepEqual(r.body.Items.$values[0], {
    $type: GE, EntityTypeName: 'Contacts by email', PrimaryParentEntityTypeName: '',
    Properties: { $type: GPC, $values: [
      ['ResultRow', { $type: 'System.Int32', $value: 1 }], ['ID', '23001'], ['Full Name', 'Alex Member'], ['Email', 'alex.member@example.com'],
    ].map(([Name, Value]) => ({ $type: GP, Name, Value })) },
  });
  const alt = await iqa(token, BY_EMAIL, `Parameter=${encodeURIComponent('ALEX@Home.Example.org')}`);
  assert.deepEqual(alt.body.Items.$values.map(columnsOf).map((c) => [c.ID, c.Email]), [['23001', 'alex@home.example.org']], 'alternate, plain value, any case');
  const shared = await iqa(token, BY_EMAIL, 'parameter=eq:SHARED@example.com');
  assert.deepEqual(shared.body.Items.$values.map(columnsOf).map((c) => [c.ID, c['Full Name'], c.Email]), [['23002', 'Jordan Shared', 'shared@example.com'], ['23003', 'Casey Shared', 'Shared@Example.com']]);
  const org = await iqa(token, BY_EMAIL, 'parameter=eq:info@example-association.org');
  assert.deepEqual(org.body.Items.$values.map((row) => columnsOf(row).ID), ['23010']);
  const none = await iqa(token, BY_EMAIL, 'parameter=eq:nobody@example.com');
  assert.deepEqual([none.status, none.body.Count, none.body.TotalCount, none.body.Items.$values], [200, 0, 0, []]);
  assert.equal((await iqa(token, BY_EMAIL, 'parameter=eq:')).body.TotalCount, 0, 'no address is empty');
  assert.equal((await iqa(token, BY_EMAIL.toUpperCase(), 'parameter=eq:sam.board@example.net')).body.Count, 1, 'path in any case');

  const unknown = await iqa(token, '$/ContactManagement/DefaultSystem/Queries/Outlook/Nope', 'parameter=eq:x@example.com');
  assert.equal(unknown.status, 404);
  assert.match(unknown.body.Message, /Nope was not found/);
  const noName = await call('GET', '/api/iqa?parameter=eq:x@example.com', { token });
  assert.deepEqual([noName.status, noName.body.Message], [400, 'QueryName is required.']);
  const op = await iqa(token, BY_EMAIL, 'parameter=contains:alex');
  assert.deepEqual([op.status, op.body.Message], [400, 'In IQA query, parameters must be Parameter Equal']);
  assert.match((await iqa(token, BY_EMAIL)).body.Message, /takes 1 parameter; 0 given/);
  assert.match((await iqa(token, BY_EMAIL, 'parameter=a', 'parameter=b')).body.Message, /takes 1 parameter; 2 given/);
  assert.equal((await iqa(token, BY_EMAIL, 'parameter=eq:a@example.com', 'OrderBy=ID')).status, 400);
  assert.equal((await call('POST', `/api/iqa?QueryName=${encodeURIComponent(BY_EMAIL)}`, { token, body: {} })).status, 405);
  assert.equal((await call('GET', `/api/iqa?QueryName=${encodeURIComponent(BY_EMAIL)}&parameter=eq:a@example.com`)).status, 401);
});

test('IQA: contacts by name, paging with limit and offset', async () => {
  const token = await login();
  const taylors = await iqa(token, BY_NAME, 'parameter=eq:taylor');
  assert.deepEqual(taylors.body.Items.$values.map(columnsOf).map((c) => [c.ResultRow.$value, c.ID, c['Full Name'], c.Email]),
    [[1, '23005', 'Taylor Reed', 'taylor.reed@example.com'], [2, '23006', 'Casey Taylor', 'casey.taylor@example.net']]);
  const first = await iqa(token, BY_NAME, 'parameter=eq:taylor', 'limit=1');
  assert.deepEqual([first.body.Count, first.body.TotalCount, first.body.Limit, first.body.HasNext, first.body.NextOffset], [1, 2, 1, true, 1]);
  const second = await iqa(token, BY_NAME, 'parameter=eq:taylor', 'limit=1', `offset=${first.body.NextOffset}`);
  assert.deepEqual([second.body.Offset, second.body.Count, second.body.HasNext, second.body.NextOffset], [1, 1, false, 0]);
  assert.deepEqual(columnsOf(second.body.Items.$values[0]).ResultRow, { $type: 'System.Int32', $value: 2 }, 'numbered over the whole result');
  assert.equal(columnsOf(second.body.Items.$values[0]).ID, '23006');
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
  assert.ok(total >= 250, `TotalCount ${total}`);
  assert.equal(seen.size, total, 'every contact once');
  assert.deepEqual([(await iqa(token, BY_NAME, 'parameter=eq:', 'limit=1000')).body.Limit], [500]);
});

test('Activity PUT replaces the stored properties and validates like POST', async () => {
  const token = await login();
  const made = await call('POST', '/api/Activity', { token, body: activity({ PartyId: '23001', ACTIVITY_TYPE: 'EMAIL', DESCRIPTION: 'Re: dues', NOTE: 'Body', SOURCE_CODE: 'email:0123456789abcdef' }) });
  const seqn = valueOf(made.body, 'SEQN').$value;
  const note = 'Body\n\nStored documents:\n$/Common/Email/msg-1/a.pdf';
  const replacement = { ...activity({ SEQN: { $type: 'System.Int32', $value: seqn }, PartyId: '23001', ACTIVITY_TYPE: 'EMAIL', DESCRIPTION: 'Re: dues', NOTE: note, TRANSACTION_DATE: '2024-05-06T07:08:09' }), Identity: made.body.Identity };
  const put = await call('PUT', `/api/Activity/${seqn}`, { token, body: replacement });
  assert.equal(put.status, 200);
  assert.deepEqual(valueOf(put.body, 'SEQN'), { $type: 'System.Int32', $value: seqn });
  assert.deepEqual(put.body.Identity.IdentityElements.$values, [String(seqn)]);
  const back = (await call('GET', `/api/Activity/${seqn}`, { token })).body;
  assert.deepEqual(back, put.body);
  assert.equal(valueOf(back, 'NOTE'), note);
  assert.deepEqual(valueOf(back, 'TRANSACTION_DATE'), { $type: 'System.DateTime', $value: '2024-05-06T07:08:09' });
  assert.equal(valueOf(back, 'SOURCE_CODE'), undefined, 'a property left out is gone');
  assert.deepEqual(back.Properties.$values.filter((p) => p.Name === 'SEQN').length, 1);
  const stored = (await ctl('GET', 'state')).body.activities;
  assert.deepEqual(stored, [{ SEQN: seqn, entity: replacement }]);

  const plain = await call('PUT', `/api/Activity/${seqn}`, { token, body: activity({ PartyId: '22708', ACTIVITY_TYPE: 'NOTE' }) });
  assert.deepEqual([plain.status, valueOf(plain.body, 'PartyId'), plain.body.PrimaryParentIdentity.IdentityElements.$values], [200, '22708', ['22708']], 'no SEQN in the body is fine');
  assert.deepEqual((await call('GET', '/api/Activity?PartyId=eq:22708', { token })).body.Items.$values.map((e) => valueOf(e, 'SEQN').$value), [seqn]);

  const cases = [
    [activity({ SEQN: seqn + 1, PartyId: '23001', ACTIVITY_TYPE: 'EMAIL' }), 'SEQN', /does not match the URL/],
    [{ ...activity({ PartyId: '23001', ACTIVITY_TYPE: 'EMAIL' }), Identity: IDENTITY('Activity', '1') }, 'Identity', /does not match the URL/],
    [activity({ PartyId: '23001', ACTIVITY_TYPE: 'LETTER' }), 'ACTIVITY_TYPE', /LETTER is not an activity type/],
    [activity({ PartyId: '23001', ACTIVITY_TYPE: 'EMAIL', DESCRIPTION: 'x'.repeat(256) }), 'DESCRIPTION', /longer than 255/],
    [activity({ ACTIVITY_TYPE: 'EMAIL' }), 'PartyId', /PartyId is required/],
  ];
  for (const [body, property, message] of cases) {
    const r = await call('PUT', `/api/Activity/${seqn}`, { token, body });
    assert.equal(r.status, 400, property);
    assert.match(r.body.Message, message);
    assert.deepEqual(r.body.ValidationResults.Errors.$values.map((e) => e.PropertyName), [property]);
  }
  assert.equal(valueOf((await call('GET', `/api/Activity/${seqn}`, { token })).body, 'ACTIVITY_TYPE'), 'NOTE', 'a refused PUT changes nothing');
  assert.equal((await call('PUT', '/api/Activity/99999', { token, body: activity({ PartyId: '23001', ACTIVITY_TYPE: 'EMAIL' }) })).status, 404);
  assert.equal((await call('PUT', '/api/Activity', { token, body: activity({ PartyId: '23001', ACTIVITY_TYPE: 'EMAIL' }) })).status, 405);
  assert.equal((await call('PUT', `/api/Activity/${seqn}`, { token, body: '{nope', headers: { 'Content-Type': 'application/json' } })).status, 400);
});

test('Interactions: metadata, create, read typed, filter, PUT, delete, state', async () => {
  const token = await login();
  const meta = await call('GET', '/api/metadata/CommunicationLogRecipient', { token });
  assert.equal(meta.status, 200);
  assert.deepEqual([meta.body.$type, meta.body.EntityTypeName, meta.body.PrimaryParentEntityTypeName], ['Asi.Soa.Core.DataContracts.BOEntityDefinitionData, Asi.Contracts', 'CommunicationLogRecipient', 'Party']);
  const props = Object.fromEntries(meta.body.Properties.$values.map((p) => [p.Name, p]));
  assert.deepEqual(Object.keys(props), ['CommunicationLogRecipientId', 'PartyId', 'InteractionType', 'CommunicationType', 'Subject', 'Body', 'SentDate', 'Sender', 'Recipients', 'MessageKey']);
  assert.deepEqual([props.Subject.MaxLength, props.MessageKey.MaxLength, props.CommunicationLogRecipientId.IsIdentity, props.PartyId.Required, props.InteractionType.Required, props.Subject.Required], [255, 40, true, true, true, false]);
  assert.equal(props.SentDate.$type, 'Asi.Soa.Core.DataContracts.PropertyTypeDateTimeData, Asi.Contracts');

  const sent = interaction({
    PartyId: '23001', CommunicationType: 'Email', InteractionType: 'Email', Subject: 'Re: dues', Body: 'Hello Alex,\n\nThanks.',
    SentDate: '2024-05-06T07:08:09', Sender: 'Staff <staff@example.org>', Recipients: 'Alex Member <alex.member@example.com>', MessageKey: 'email:0123456789abcdef',
  });
  const a = await call('POST', '/api/CommunicationLogRecipient', { token, body: sent });
  assert.equal(a.status, 201);
  const id = a.body.Identity.IdentityElements.$values[0];
  assert.match(id, GUID_RE);
  assert.deepEqual(a.body.Identity, IDENTITY('CommunicationLogRecipient', id));
  assert.deepEqual([a.body.$type, a.body.EntityTypeName, a.body.PrimaryParentEntityTypeName, a.body.PrimaryParentIdentity], [GE, 'CommunicationLogRecipient', 'Party', IDENTITY('Party', '23001')]);
  assert.deepEqual(a.body.Properties.$values[0], { $type: GP, Name: 'CommunicationLogRecipientId', Value: id });
  assert.deepEqual(valueOf(a.body, 'SentDate'), { $type: 'System.DateTime', $value: '2024-05-06T07:08:09' });
  assert.deepEqual([valueOf(a.body, 'Subject'), valueOf(a.body, 'MessageKey'), valueOf(a.body, 'InteractionType')], ['Re: dues', 'email:0123456789abcdef', 'Email']);

  const typed = interaction({ PartyId: { $type: 'System.String', $value: '23002' }, InteractionType: 'phone', Subject: 'Call', SentDate: { $type: 'System.DateTime', $value: '2024-05-07T10:00:00Z' }, MessageKey: 'email:fedcba9876543210' });
  const b = await call('POST', '/api/CommunicationLogRecipient', { token, body: typed });
  assert.equal(b.status, 201, JSON.stringify(b.body));
  const id2 = b.body.Identity.IdentityElements.$values[0];
  assert.notEqual(id2, id);

  const back = await call('GET', `/api/CommunicationLogRecipient/${id}`, { token });
  assert.deepEqual([back.status, back.body], [200, a.body]);
  assert.equal((await call('GET', `/api/CommunicationLogRecipient/${id.toUpperCase()}`, { token })).status, 200, 'GUIDs in any case');
  const list = async (q) => (await call('GET', `/api/CommunicationLogRecipient?${q}`, { token })).body;
  const byKey = await list('PartyId=eq:23001&MessageKey=eq:email:0123456789abcdef');
  assert.equal(byKey.$type, 'Asi.Soa.Core.DataContracts.PagedResult`1[[Asi.Soa.Core.DataContracts.GenericEntityData, Asi.Contracts]], Asi.Contracts');
  assert.deepEqual(byKey.Items.$values.map((e) => e.Identity.IdentityElements.$values[0]), [id]);
  assert.equal((await list('PartyId=eq:23002&MessageKey=eq:email:0123456789abcdef')).TotalCount, 0);
  assert.deepEqual((await list('MessageKey=startsWith:email:')).Items.$values.map((e) => valueOf(e, 'PartyId')), ['23001', '23002']);
  assert.deepEqual((await list(`CommunicationLogRecipientId=eq:${id2}`)).Items.$values.map((e) => valueOf(e, 'Subject')), ['Call']);
  assert.equal((await call('GET', '/api/CommunicationLogRecipient?Colour=eq:red', { token })).status, 400);
  assert.deepEqual((await ctl('GET', 'state')).body.interactions, [{ id, entity: sent }, { id: id2, entity: typed }], 'stored exactly as sent');

  const replacement = { ...interaction({ CommunicationLogRecipientId: id, PartyId: '23001', InteractionType: 'Email', Subject: 'Re: dues', Body: 'Hello Alex,\n\nThanks.\n\nStored documents: a.pdf', MessageKey: 'email:0123456789abcdef' }), Identity: a.body.Identity };
  const put = await call('PUT', `/api/CommunicationLogRecipient/${id}`, { token, body: replacement });
  assert.equal(put.status, 200);
  assert.match(valueOf(put.body, 'Body'), /Stored documents: a\.pdf$/);
  assert.equal(valueOf(put.body, 'SentDate'), undefined, 'replaced, not merged');
  assert.deepEqual((await call('GET', `/api/CommunicationLogRecipient/${id}`, { token })).body, put.body);
  assert.deepEqual((await ctl('GET', 'state')).body.interactions[0], { id, entity: replacement });
  const wrongKey = await call('PUT', `/api/CommunicationLogRecipient/${id}`, { token, body: interaction({ CommunicationLogRecipientId: id2, PartyId: '23001', InteractionType: 'Email' }) });
  assert.deepEqual([wrongKey.status, wrongKey.body.ValidationResults.Errors.$values.map((e) => e.PropertyName)], [400, ['CommunicationLogRecipientId']]);
  assert.equal((await call('PUT', `/api/CommunicationLogRecipient/${id}`, { token, body: interaction({ PartyId: '23001', InteractionType: 'Fax' }) })).status, 400);
  assert.equal((await call('PUT', '/api/CommunicationLogRecipient/00000000-0000-0000-0000-000000000000', { token, body: replacement })).status, 404);
  assert.equal((await call('POST', `/api/CommunicationLogRecipient/${id}`, { token, body: replacement })).status, 405);

  assert.equal((await call('DELETE', `/api/CommunicationLogRecipient/${id}`, { token })).status, 200);
  assert.equal((await call('GET', `/api/CommunicationLogRecipient/${id}`, { token })).status, 404);
  assert.equal((await call('DELETE', `/api/CommunicationLogRecipient/${id}`, { token })).status, 404);
  assert.deepEqual((await ctl('GET', 'state')).body.interactions.map((x) => x.id), [id2]);
  await ctl('POST', 'reset');
  assert.deepEqual((await ctl('GET', 'state')).body.interactions, [], 'reset forgets interactions');
});

test('Interaction validation errors name what is wrong', async () => {
  const token = await login();
  const good = { PartyId: '23001', InteractionType: 'Email', Subject: 'ok', SentDate: '2024-05-06T07:08:09', MessageKey: 'email:0123456789abcdef' };
  const cases = [
    [{ PartyId: '99999' }, 'PartyId', /Party 99999 does not exist/],
    [{ InteractionType: 'Fax' }, 'InteractionType', /Fax is not an interaction type/],
    [{ Subject: 'x'.repeat(256) }, 'Subject', /longer than 255/],
    [{ MessageKey: 'k'.repeat(41) }, 'MessageKey', /longer than 40/],
    [{ SentDate: 'yesterday' }, 'SentDate', /not a valid date/],
    [{ SentDate: { $type: 'System.DateTime', $value: '2024-02-30T25:00:00' } }, 'SentDate', /not a valid date/],
    [{ Body: { $type: 'System.Int32', $value: {} } }, 'Body', /must be a string/],
    [{ ACTIVITY_TYPE: 'EMAIL' }, 'ACTIVITY_TYPE', /not a property of CommunicationLogRecipient/],
    [{ CommunicationLogRecipientId: '00000000-0000-0000-0000-000000000001' }, 'CommunicationLogRecipientId', /assigned by iMIS/],
  ];
  for (const [change, property, message] of cases) {
    const r = await call('POST', '/api/CommunicationLogRecipient', { token, body: interaction({ ...good, ...change }) });
    assert.equal(r.status, 400, property);
    assert.match(r.body.Message, message);
    assert.deepEqual(r.body.ValidationResults.Errors.$values.map((e) => e.PropertyName), [property]);
  }
  const { InteractionType, ...noType } = good;
  assert.match((await call('POST', '/api/CommunicationLogRecipient', { token, body: interaction(noType) })).body.Message, /InteractionType is required/);
  const { PartyId, ...noParty } = good;
  assert.match((await call('POST', '/api/CommunicationLogRecipient', { token, body: interaction(noParty) })).body.Message, /PartyId is required/);
  const asActivity = await call('POST', '/api/CommunicationLogRecipient', { token, body: activity(good) });
  assert.deepEqual([asActivity.status, asActivity.body.ValidationResults.Errors.$values.map((e) => e.PropertyName)], [400, ['EntityTypeName']]);
  assert.equal((await call('POST', '/api/CommunicationLogRecipient', { token, body: { Properties: {} } })).status, 400);
  assert.equal((await call('POST', '/api/CommunicationLogRecipient', { token, body: interaction({ ...good, Subject: 'x'.repeat(255), MessageKey: 'k'.repeat(40) }) })).status, 201);
  assert.equal((await call('GET', '/api/metadata/CommunicationLog', { token })).status, 404);
  assert.equal((await call('GET', '/api/CommunicationLog', { token })).status, 404);
  assert.equal((await ctl('GET', 'state')).body.interactions.length, 1);
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
