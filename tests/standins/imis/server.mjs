// iMIS REST API stand-in (tests and demo only). Plain node:https, no dependencies.
//
//   node tests/standins/imis/server.mjs      IMIS_PORT (3400), STANDIN_HOST (127.0.0.1),
//                                            certificate from .local/certs/{key,cert}.pem
//   import { start } from './server.mjs'; await start({ host, port, tls: { key, cert }, fixtureFile })
//
// Follows ../shared/reference/imis-rest.md:
//   POST /token (form: grant_type=password, username, password) -> access_token, token_type "bearer",
//     expires_in 1199, userName, .issued, .expires; wrong credentials -> 400 invalid_grant.
//   Every /api call needs "Authorization: Bearer"; a missing, unknown or expired token -> 401 + Message.
//   Objects carry .NET $type tags; lists are PagedResult (Items.$values, Offset, Limit, Count,
//     TotalCount, NextPageLink null, HasNext, NextOffset); default limit 100; filters Prop=op:value.
//   GET /api/Party?Email=eq:addr (also email=addr, Email=contains:part), PartyId=eq:, FullName=contains:, limit,
//     offset, OrderBy; GET /api/Party/{id}. Items are PersonData / OrganizationData with Emails.$values[] of
//     { Address, EmailType "_Primary"/"_Alternate", IsPrimary }.
//   GET /api/CsContactBasic?email=eq:addr&limit=2 (Count > 1 = ambiguous), FullName=contains:, ID=eq:, ...;
//     GET /api/CsContactBasic/{ID}. Rows are GenericEntityData, the id also in Identity.IdentityElements.$values[0].
//   GET /api/iqa?QueryName=$/Path/To/Query&parameter=eq:value (also plain parameter=value), limit, offset: the rows
//     of an IQA query as GenericEntityData whose properties are named after the query's column aliases.
//   GET /api/metadata/{Activity|CommunicationLogRecipient}; POST /api/{E} (GenericEntityData; a Value is plain or a
//     typed wrapper {"$type":"System.DateTime","$value":...}); the new key in Identity.IdentityElements.$values[0];
//     GET /api/{E}?PartyId=eq:...&MessageKey=eq:..., GET|PUT|DELETE /api/{E}/{key}; E = Activity (key SEQN) or
//     CommunicationLogRecipient (an interaction: one communication-log entry for one contact).
//   POST /api/Document (DocumentData; Path = the PARENT folder; Data = System.Byte[] base64);
//     GET|DELETE /api/Document/{DocumentId} (not the version id);
//     POST /api/Document/_execute (also /api/DocumentSummary/_execute) with a GenericExecuteRequest,
//     EntityTypeName DocumentSummary, OperationName FindByPath | FindDocumentsInFolder | FindByVersionId;
//     not found -> HTTP 200, Result null, Message "NotFound".
//   Errors are JSON with a Message (no fixed schema); faults can return 500 although a document was saved.
//
// "(check)" facts, and what this stand-in chose:
//   - Party's and CsContactBasic's Email filter (eq, contains, ...) matches the PRIMARY address only, case-
//     insensitively (alternates are listed, not searched), as the Name table's EMAIL column would. The IQA email
//     query (below) matches ANY address: a site's query can join every address, and ASI's Outlook integration is
//     built on such a query.
//   - Every string comparison in a filter is case-insensitive (SQL Server's usual collation); a filter on an
//     unknown property -> 400 "In the query, X is not a known property name." (as ASI's forum quotes it).
//   - limit above 500 is cut to 500; limit <= 0 or missing means 100.
//   - PagedResult of parties is typed PartyData; Person items carry Name and PersonName {FirstName, LastName,
//     FullName}; organizations carry Name and OrganizationName. The filter name FullName means the full name.
//   - /api/metadata/Activity answers one BOEntityDefinitionData whose Properties.$values are
//     PropertyType{String,Integer,DateTime,Decimal,Monetary}Data {Name, PropertyTypeName, MaxLength}, shape
//     taken from public client schemas. Columns: ACTIVITY_PROPS below; the contact column is "PartyId"
//     (not ID); DESCRIPTION is 255 long.
//   - POST /api/Activity rejects, with 400 and ValidationResults.Errors.$values[{PropertyName, Message}]:
//     a property that is not in the metadata, SEQN sent by the client, a missing or unknown PartyId or
//     ACTIVITY_TYPE, a string over its MaxLength, a date that is not ISO "YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±hh:mm]",
//     a number that is not one. System types (DUES, ORDER, SALES) are accepted: iMIS does not refuse them.
//   - Activities are read back with typed wrappers for SEQN (System.Int32), dates (System.DateTime),
//     AMOUNT/UNITS (System.Decimal) and plain strings, whatever the client sent.
//   - CsContactBasic rows (GenericEntityData, EntityTypeName "CsContactBasic", parent Party) carry ID (no PartyId
//     property: public clients read the id from Identity.IdentityElements), MajorKey, FullName, FirstName, LastName,
//     Email (primary, "" when none), Company, IsCompany (System.Boolean); all plain strings otherwise, in that order.
//     Filters: those names (email=eq: works as the names are case-insensitive). Read-only: other methods -> 405.
//   - IQA: the fixture's iqaQueries are the only queries; the ones it lists are
//       $/ContactManagement/DefaultSystem/Queries/Outlook/Contacts by email  (parameter equal to ANY of a contact's
//         addresses, case-insensitive; the Email column holds the address that matched) and
//       $/ContactManagement/DefaultSystem/Queries/Outlook/Contacts by name   (full name contains it; Email = primary).
//     QueryName is matched case-insensitively; unknown -> 404 "The query X was not found."; missing -> 400.
//     Exactly one parameter (the query string key is case-insensitive; "eq:" optional, any other operator -> 400
//     "In IQA query, parameters must be Parameter Equal", the text ASI's forum quotes); none or two -> 400.
//     Other query keys (OrderBy, filters) -> 400 like any unknown property. Persons AND organizations are contacts.
//     Answer: untyped "Asi.Soa.Core.DataContracts.PagedResult, Asi.Contracts" whose Items is a
//     List`1[[System.Object, mscorlib]] of GenericEntityData rows: EntityTypeName = the query's name (last path
//     segment), PrimaryParentEntityTypeName "", no Identity (read the ID column), Properties in column order
//     ResultRow (System.Int32, 1-based over the whole result), ID, Full Name, Email (plain strings). Public client
//     code shows /api/iqa answering GenericEntityData rows whose properties are the column aliases; newer sites'
//     /api/query answers flat rows instead (not served here). Rows come in PartyId order; limit/offset as elsewhere.
//   - Interactions: CommunicationLogRecipient is treated as a flat entity per contact. Its columns (INTERACTION_PROPS):
//     CommunicationLogRecipientId (the key, a GUID assigned by iMIS, lower case; clients must treat it as opaque
//     text), PartyId (required, must exist), InteractionType (required, one of the fixture's interactionTypes,
//     case-insensitive), CommunicationType (20), Subject (255), Body (no limit), SentDate (date), Sender (255),
//     Recipients (no limit), MessageKey (40). Validation, typed read-back (SentDate as System.DateTime) and errors as
//     for Activity. CommunicationLog, CommunicationLogRecipientAttachment, CommunicationLogAttachment,
//     ContactInteraction and InteractionType are not served (404).
//   - PUT /api/{E}/{key} takes a whole GenericEntityData and REPLACES the stored properties (unsent ones are gone),
//     validated like POST; the key property (plain or typed) and Identity.IdentityElements.$values[0] may be sent
//     but must equal the URL's key (else 400); unknown key -> 404 (before the body is looked at); answer 200 with
//     the entity as GET shows it. POST with the key property -> 400 "is assigned by iMIS".
//   - A document or folder whose Name already exists in the folder (case-insensitive) -> 400, not 409.
//     Paths compare case-insensitively. A folder must be empty to be deleted (else 400).
//   - New documents are "Published" and FindByPath sees them at once.
//   - _execute answers ServiceResponse`1[[System.Object]] {Result, IsSuccessStatusCode, Message}:
//     found -> IsSuccessStatusCode true, Message null; NotFound -> Result null, IsSuccessStatusCode false.
//     FindDocumentsInFolder takes the folder as path, DocumentId or DocumentVersionId, then an optional
//     System.String[] of DocumentTypeIds, then an optional System.Boolean (ignored).
//   - DELETE answers 200 with an empty body. Unknown route -> 404, wrong method -> 405 (ASP.NET Web API texts).
//   - Bodies above maxBodyBytes (default 400 MiB, the most a JS string holds comfortably) -> 413.
//   - CORS: on by default, echoing Origin; the setting cors:false removes it from /token and /api.
//
// Control endpoints (tests only; no auth; CORS always on; never part of the real iMIS):
//   POST /_control/reset     back to the fixture: data, settings and faults; forgets tokens and the request log.
//   GET  /_control/state     { activities: [{ SEQN, entity (exactly as last POSTed or PUT) }],
//                              interactions: [{ id, entity (exactly as last POSTed or PUT) }],
//                              documents: [{ DocumentId, Path, Name, DocumentTypeId, size, sha256, createdAt }],
//                              tokens: <count issued>, requests: [{ t, method, path, status }],
//                              faults: [...left], settings }   (never passwords or tokens)
//   POST /_control/faults    [{ match, exact? (false), status?, times? (1), store? (false), delayMs? }] REPLACES
//                            the list. match is a substring of `${METHOD} ${pathname}` ("POST /api/Document" also
//                            matches "POST /api/Document/_execute"), or, with exact, the whole of it. store:true runs the request for real
//                            and then answers status if it succeeded (the 500-but-saved quirk).
//   POST /_control/settings  { tokenLifetimeSeconds, cors, maxBodyBytes } merged into the current settings.
//
// Sources used for the shapes (public, via the search tool): developer.imis.com "Finding documents that are
// uploaded into a specific folder" (FindByPath / FindDocumentsInFolder requests) and its forum thread
// "REST API: Get DocumentSummary" ("... is not a known property name."); public iMIS client code: an Effect
// schema file (PagedResult`1[[...]] + List`1 Items, DocumentSummaryData, DocumentData, BOEntityDefinitionData,
// PropertyType*Data; /api/iqa rows as GenericEntityData named by column alias, /api/query rows flat), a document
// helper (Path = parent folder, 500-but-saved, NotFound envelope), importer scripts (GenericEntityData, IdentityData
// with Collection`1[[System.String]] IdentityElements), singer-style targets (PersonData, PersonNameData,
// EmailDataCollection, EmailData) and Python scripts reading CsContactBasic?email=eq:..&limit=2 (Count,
// Identity.IdentityElements); developer.imis.com "Query results" (one repeated parameter per IQA prompt, in order)
// and forum threads on /api/iqa (queryname, "In IQA query, parameters must be Parameter Equal").

import https from 'node:https';
import { readFileSync } from 'node:fs';
import { randomBytes, randomUUID, createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DEFAULTS = { tokenLifetimeSeconds: 1199, cors: true, maxBodyBytes: 400 * 1024 * 1024 };
const FIRST_SEQN = 10001;

// ---- .NET type tags
const core = (n) => `Asi.Soa.Core.DataContracts.${n}, Asi.Contracts`;
const member = (n) => `Asi.Soa.Membership.DataContracts.${n}, Asi.Contracts`;
const listOf = (item) => `System.Collections.Generic.List\`1[[${item}]], mscorlib`;
const pagedOf = (item) => `Asi.Soa.Core.DataContracts.PagedResult\`1[[${item}]], Asi.Contracts`;
const STRINGS = 'System.Collections.ObjectModel.Collection`1[[System.String, mscorlib]], mscorlib';
const BYTES = 'System.Byte[], mscorlib';
const SERVICE_RESPONSE = 'Asi.Soa.Core.DataContracts.ServiceResponse`1[[System.Object, mscorlib]], Asi.Contracts';
const WRAP = { Integer: 'System.Int32', Date: 'System.DateTime', Decimal: 'System.Decimal', Monetary: 'System.Decimal' };
const TYPE_DATA = { String: 'String', Integer: 'Integer', Date: 'DateTime', Decimal: 'Decimal', Monetary: 'Monetary' };

// ---- Generic entities kept as sent: columns [Name, PropertyTypeName, MaxLength]
const columns = (list) => list.map(([name, type, max]) => ({ name, type, max }));
const ACTIVITY_PROPS = columns([
  ['SEQN', 'Integer'], ['PartyId', 'String', 10], ['ACTIVITY_TYPE', 'String', 10],
  ['TRANSACTION_DATE', 'Date'], ['EFFECTIVE_DATE', 'Date'], ['THRU_DATE', 'Date'],
  ['DESCRIPTION', 'String', 255], ['NOTE', 'String', 1073741823], ['OTHER_ID', 'String', 10],
  ['SOURCE_CODE', 'String', 40], ['PRODUCT_CODE', 'String', 31], ['CATEGORY', 'String', 15],
  ['ACTION_CODES', 'String', 255], ['AMOUNT', 'Monetary'], ['UNITS', 'Decimal'],
]);
const INTERACTION_PROPS = columns([
  ['CommunicationLogRecipientId', 'String', 36], ['PartyId', 'String', 10], ['InteractionType', 'String', 50],
  ['CommunicationType', 'String', 20], ['Subject', 'String', 255], ['Body', 'String', 1073741823], ['SentDate', 'Date'],
  ['Sender', 'String', 255], ['Recipients', 'String', 1073741823], ['MessageKey', 'String', 40],
]);
// Keyed by the lower-case entity name in the URL. types(st) is the set the type column must be in (upper case).
const ENTITIES = {
  activity: {
    name: 'Activity', props: ACTIVITY_PROPS, key: 'SEQN', stateKey: 'SEQN', store: 'activities',
    required: ['PartyId', 'ACTIVITY_TYPE'], typeProp: 'ACTIVITY_TYPE', typeWord: 'an activity type', types: (st) => st.activityTypes,
    newKey: (st) => st.nextSeqn++, keyOf: (id) => (/^\d+$/.test(id) ? Number(id) : null),
  },
  communicationlogrecipient: {
    name: 'CommunicationLogRecipient', props: INTERACTION_PROPS, key: 'CommunicationLogRecipientId', stateKey: 'id', store: 'interactions',
    required: ['PartyId', 'InteractionType'], typeProp: 'InteractionType', typeWord: 'an interaction type', types: (st) => st.interactionTypes,
    newKey: () => randomUUID(), keyOf: (id) => lower(id),
  },
};
for (const e of Object.values(ENTITIES)) e.def = new Map(e.props.map((p) => [p.name.toLowerCase(), p]));
// IQA: the columns (aliases) every fixture query returns, and what its one parameter matches.
const IQA_COLUMNS = ['ID', 'Full Name', 'Email'];
const IQA_MATCH = {
  email: (p, v) => p.Emails.find((e) => lower(e.Address) === v)?.Address, // any address, equal
  name: (p, v) => (lower(p.FullName).includes(v) ? primaryEmail(p) ?? '' : undefined), // full name contains
};
const DATE_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?)?(Z|[+-]\d{2}:\d{2})?$/;

const unwrap = (v) => (v && typeof v === 'object' && '$value' in v ? v.$value : v);
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const lower = (v) => String(v ?? '').toLowerCase();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Throwing an HTTP answer keeps the handlers flat; the request handler turns it into a response.
const fail = (status, Message, extra = {}) => { throw Object.assign(new Error(Message), { http: [status, { Message, ...extra }] }); };
const invalid = (errors) => fail(400, `ValidationError: ${errors.map((e) => e[1]).join(' ')}`, {
  ValidationResults: {
    $type: core('ValidationResultsData'),
    Errors: { $type: core('ValidationResultDataCollection'), $values: errors.map(([PropertyName, Message]) => ({ $type: core('ValidationResultData'), PropertyName, Message })) },
    Warnings: { $type: core('ValidationResultDataCollection'), $values: [] },
  },
});
const identity = (EntityTypeName, key) => ({ $type: core('IdentityData'), EntityTypeName, IdentityElements: { $type: STRINGS, $values: [key] } });

function generatedPersons(g) {
  if (!g) return [];
  return Array.from({ length: g.count }, (_, i) => {
    const first = g.firstNames[i % g.firstNames.length];
    const last = g.lastNames[Math.floor(i / g.firstNames.length) % g.lastNames.length];
    const n = g.firstPartyId + i;
    const Emails = [{ Address: `${first}.${last}.${n}@${g.domain}`.toLowerCase(), EmailType: '_Primary', IsPrimary: true }];
    if (i % 7 === 0) Emails.push({ Address: `${first[0]}${last}.${n}@alt.example.org`.toLowerCase(), EmailType: '_Alternate', IsPrimary: false });
    return { PartyId: String(n), Type: 'Person', FirstName: first, LastName: last, FullName: `${first} ${last}`, Emails };
  });
}

function freshState(fixture) {
  const parties = [...fixture.parties, ...generatedPersons(fixture.generatedPersons)]
    .sort((a, b) => Number(a.PartyId) - Number(b.PartyId));
  const st = {
    users: fixture.users, parties, partyById: new Map(parties.map((p) => [p.PartyId, p])),
    activityTypes: new Set(fixture.activityTypes.map((t) => t.Code.toUpperCase())),
    interactionTypes: new Set((fixture.interactionTypes ?? []).map((t) => String(t).toUpperCase())),
    iqaQueries: new Map(Object.entries(fixture.iqaQueries ?? {}).map(([path, q]) => {
      if (!IQA_MATCH[q.parameter]) throw new Error(`iqaQueries["${path}"].parameter must be one of ${Object.keys(IQA_MATCH).join(', ')}.`);
      return [lower(path), { path, ...q }];
    })),
    activities: new Map(), nextSeqn: FIRST_SEQN, interactions: new Map(), documents: new Map(),
    tokens: new Map(), tokensIssued: 0, requests: [], faults: [], settings: { ...DEFAULTS },
  };
  for (const path of fixture.folders) {
    const cut = path.lastIndexOf('/');
    const doc = newDoc({ Name: cut < 0 ? path : path.slice(cut + 1), DocumentTypeId: 'FOL' }, cut < 0 ? '' : path.slice(0, cut), null, 'system');
    st.documents.set(doc.DocumentId, doc);
  }
  return st;
}

function newDoc(d, folderPath, data, user) {
  const now = new Date().toISOString();
  return {
    DocumentId: randomUUID(), DocumentVersionId: randomUUID(), Name: d.Name, AlternateName: d.AlternateName ?? d.Name,
    Description: d.Description ?? '', DocumentTypeId: d.DocumentTypeId, FolderPath: folderPath,
    Path: folderPath ? `${folderPath}/${d.Name}` : d.Name, Status: 'Published', data, createdAt: now, createdBy: user,
    size: data ? data.length : 0, sha256: data ? createHash('sha256').update(data).digest('hex') : null,
  };
}

// ---- filters, sorting and paging over flat records: rows = [{ flat: {Field: value}, item }]
const OPS = {
  eq: (a, b) => a === b, ne: (a, b) => a !== b, contains: (a, b) => a.includes(b), notcontain: (a, b) => !a.includes(b),
  startswith: (a, b) => a.startsWith(b), endswith: (a, b) => a.endsWith(b), isempty: (a) => a === '', notempty: (a) => a !== '',
};
function paged(url, rows, fields, itemType, { ignore = [], pagedType = pagedOf(itemType), listType = listOf(itemType) } = {}) {
  const q = url.searchParams;
  let limit = parseInt(q.get('limit') ?? '', 10), offset = parseInt(q.get('offset') ?? '', 10);
  limit = !(limit > 0) ? 100 : Math.min(limit, 500);
  offset = offset > 0 ? offset : 0;
  for (const [key, raw] of q) {
    if (['limit', 'offset', 'orderby', ...ignore].includes(key.toLowerCase())) continue;
    const field = fields.find((f) => f.toLowerCase() === key.toLowerCase());
    if (!field) fail(400, `In the query, ${key} is not a known property name.`);
    const m = /^(\w+):(.*)$/s.exec(raw);
    const [op, value] = m && OPS[m[1].toLowerCase()] ? [OPS[m[1].toLowerCase()], m[2]] : [OPS.eq, raw];
    rows = rows.filter((r) => op(lower(r.flat[field]), lower(value)));
  }
  const order = q.get('OrderBy') ?? q.get('orderby');
  if (order) {
    const [name, dir] = order.split(':');
    const field = fields.find((f) => f.toLowerCase() === name.toLowerCase());
    if (!field) fail(400, `In the query, ${name} is not a known property name.`);
    const sign = lower(dir) === 'descending' ? -1 : 1;
    rows = [...rows].sort((a, b) => sign * String(a.flat[field] ?? '').localeCompare(String(b.flat[field] ?? ''), 'en', { numeric: true }));
  }
  const page = rows.slice(offset, offset + limit).map((r, i) => r.item(offset + i + 1));
  const HasNext = offset + page.length < rows.length;
  return {
    $type: pagedType, Items: { $type: listType, $values: page },
    Offset: offset, Limit: limit, Count: page.length, TotalCount: rows.length,
    NextPageLink: null, HasNext, NextOffset: HasNext ? offset + page.length : 0,
  };
}

// ---- Party
const PARTY_FIELDS = ['PartyId', 'Id', 'FullName', 'Name', 'FirstName', 'LastName', 'Email'];
function partyOut(p) {
  const Emails = { $type: member('EmailDataCollection'), $values: p.Emails.map((e) => ({ $type: member('EmailData'), Address: e.Address, EmailType: e.EmailType, IsPrimary: !!e.IsPrimary })) };
  const common = { PartyId: p.PartyId, Id: p.PartyId, Name: p.FullName, Emails };
  return p.Type === 'Organization'
    ? { $type: member('OrganizationData'), OrganizationName: p.FullName, ...common }
    : { $type: member('PersonData'), PersonName: { $type: member('PersonNameData'), FirstName: p.FirstName, LastName: p.LastName, FullName: p.FullName }, ...common };
}
const primaryEmail = (p) => p.Emails.find((e) => e.IsPrimary)?.Address;
const partyRow = (p) => ({
  flat: { PartyId: p.PartyId, Id: p.PartyId, FullName: p.FullName, Name: p.FullName, FirstName: p.FirstName, LastName: p.LastName, Email: primaryEmail(p) },
  item: () => partyOut(p),
});

// ---- CsContactBasic (read-only; the Name table view) and IQA rows: GenericEntityData with plain values
const properties = (pairs) => ({ $type: core('GenericPropertyDataCollection'), $values: pairs.map(([Name, Value]) => ({ $type: core('GenericPropertyData'), Name, Value })) });
const CONTACT_FIELDS = ['ID', 'MajorKey', 'FullName', 'FirstName', 'LastName', 'Email', 'Company', 'IsCompany'];
function contactFlat(p) {
  const org = p.Type === 'Organization';
  return { ID: p.PartyId, MajorKey: p.MajorKey ?? '', FullName: p.FullName, FirstName: p.FirstName ?? '', LastName: p.LastName ?? '', Email: primaryEmail(p) ?? '', Company: org ? p.FullName : p.Company ?? '', IsCompany: org };
}
const contactOut = (p) => ({
  $type: core('GenericEntityData'), EntityTypeName: 'CsContactBasic', PrimaryParentEntityTypeName: 'Party',
  Identity: identity('CsContactBasic', p.PartyId), PrimaryParentIdentity: identity('Party', p.PartyId),
  Properties: properties(Object.entries(contactFlat(p)).map(([k, v]) => [k, k === 'IsCompany' ? { $type: 'System.Boolean', $value: v } : v])),
});
const contactRow = (p) => ({ flat: { ...contactFlat(p), IsCompany: String(p.Type === 'Organization') }, item: () => contactOut(p) });

function iqa(st, url) {
  const all = (name) => [...url.searchParams].filter(([k]) => lower(k) === name).map(([, v]) => v);
  const [path] = all('queryname');
  if (!path) fail(400, 'QueryName is required.');
  const query = st.iqaQueries.get(lower(path.trim())) ?? fail(404, `The query ${path} was not found.`);
  const params = all('parameter');
  if (params.length !== 1) fail(400, `The query ${query.path} takes 1 parameter; ${params.length} given.`);
  const m = /^(\w+):(.*)$/s.exec(params[0]);
  if (m && OPS[lower(m[1])] && lower(m[1]) !== 'eq') fail(400, 'In IQA query, parameters must be Parameter Equal');
  const value = lower(m && lower(m[1]) === 'eq' ? m[2] : params[0]), match = IQA_MATCH[query.parameter];
  const queryName = query.path.slice(query.path.lastIndexOf('/') + 1);
  const rows = [];
  for (const p of st.parties) {
    const email = match(p, value);
    if (email === undefined) continue;
    rows.push({ flat: {}, item: (n) => ({
      $type: core('GenericEntityData'), EntityTypeName: queryName, PrimaryParentEntityTypeName: '',
      Properties: properties([['ResultRow', { $type: 'System.Int32', $value: n }], ...[p.PartyId, p.FullName, email].map((v, i) => [IQA_COLUMNS[i], v])]),
    }) });
  }
  return paged(url, rows, [], null, { ignore: ['queryname', 'parameter'], pagedType: core('PagedResult'), listType: listOf('System.Object, mscorlib') });
}

// ---- Activity and CommunicationLogRecipient (ENTITIES above): validated against their columns, stored as sent
function checkValue(def, v) {
  if (v === null || v === undefined) return null;
  switch (def.type) {
    case 'String':
      if (typeof v !== 'string' && typeof v !== 'number') return `${def.name} must be a string.`;
      return String(v).length > def.max ? `${def.name} is longer than ${def.max} characters (${String(v).length}).` : null;
    case 'Integer': return v !== '' && Number.isInteger(Number(v)) ? null : `${def.name} must be an integer.`;
    case 'Date': return typeof v === 'string' && DATE_RE.test(v) && !Number.isNaN(Date.parse(v)) ? null : `${def.name} is not a valid date: ${JSON.stringify(v)}.`;
    default: return v !== '' && Number.isFinite(Number(v)) ? null : `${def.name} must be a number.`;
  }
}

// POST (key null) or PUT (key = the stored record's): the whole entity replaces what was stored.
function saveEntity(st, E, entity, key = null) {
  if (!isObj(entity) || !Array.isArray(entity.Properties?.$values)) invalid([['Properties', 'The body must be a GenericEntityData with Properties.$values.']]);
  const errors = [], values = {};
  if (entity.EntityTypeName !== undefined && lower(entity.EntityTypeName) !== lower(E.name)) errors.push(['EntityTypeName', `EntityTypeName must be ${E.name}.`]);
  const sentKey = entity.Identity?.IdentityElements?.$values?.[0];
  if (key !== null && sentKey !== undefined && lower(sentKey) !== lower(key)) errors.push(['Identity', `Identity ${sentKey} does not match the URL (${key}).`]);
  for (const p of entity.Properties.$values) {
    const def = E.def.get(lower(p?.Name));
    if (!def) { errors.push([String(p?.Name), `${p?.Name} is not a property of ${E.name}.`]); continue; }
    if (def.name === E.key) {
      if (key === null) errors.push([E.key, `${E.key} is assigned by iMIS.`]);
      else if (lower(unwrap(p.Value)) !== lower(key)) errors.push([E.key, `${E.key} ${unwrap(p.Value)} does not match the URL (${key}).`]);
      continue;
    }
    values[def.name] = unwrap(p.Value);
    const problem = checkValue(def, values[def.name]);
    if (problem) errors.push([def.name, problem]);
  }
  const partyId = values.PartyId, type = values[E.typeProp];
  if (partyId === undefined || partyId === null || partyId === '') errors.push(['PartyId', 'PartyId is required.']);
  else if (!st.partyById.has(String(partyId))) errors.push(['PartyId', `Party ${partyId} does not exist.`]);
  if (type === undefined || type === null || type === '') errors.push([E.typeProp, `${E.typeProp} is required.`]);
  else if (!E.types(st).has(String(type).toUpperCase())) errors.push([E.typeProp, `${type} is not ${E.typeWord}.`]);
  if (errors.length) invalid(errors);
  if (key === null) key = E.newKey(st);
  st[E.store].set(key, { [E.stateKey]: key, entity: structuredClone(entity) });
  return entityOut(st, E, key);
}

// What iMIS answers for a stored record: sent properties, canonical names, typed wrappers, the key first.
function entityOut(st, E, key) {
  const { entity } = st[E.store].get(key);
  const prop = (def, v) => ({ $type: core('GenericPropertyData'), Name: def.name, Value: v === null || v === undefined || !WRAP[def.type] ? v : { $type: WRAP[def.type], $value: def.type === 'Date' ? String(v) : Number(v) } });
  const sent = entity.Properties.$values.filter((p) => lower(p.Name) !== lower(E.key)).map((p) => prop(E.def.get(lower(p.Name)), unwrap(p.Value)));
  const partyId = String(unwrap(entity.Properties.$values.find((p) => lower(p.Name) === 'partyid').Value));
  return {
    $type: core('GenericEntityData'), EntityTypeName: E.name, PrimaryParentEntityTypeName: 'Party',
    Identity: identity(E.name, String(key)), PrimaryParentIdentity: identity('Party', partyId),
    Properties: { $type: core('GenericPropertyDataCollection'), $values: [prop(E.def.get(lower(E.key)), key), ...sent] },
  };
}
const entityRow = (st, E, key) => {
  const flat = {};
  for (const p of st[E.store].get(key).entity.Properties.$values) flat[E.def.get(lower(p.Name)).name] = unwrap(p.Value);
  flat[E.key] = key;
  return { flat, item: () => entityOut(st, E, key) };
};
const metadataOf = (E) => ({
  $type: core('BOEntityDefinitionData'), EntityTypeName: E.name, ObjectTypeName: 'Standard', PrimaryParentEntityTypeName: 'Party', Description: E.name,
  Properties: {
    $type: core('PropertyTypeDataCollection'),
    $values: E.props.map((p) => ({
      $type: core(`PropertyType${TYPE_DATA[p.type]}Data`), Name: p.name, PropertyTypeName: p.type,
      ...(p.max ? { MaxLength: p.max } : {}), IsIdentity: p.name === E.key, Required: E.required.includes(p.name),
    })),
  },
});
const keyOf = (st, E, id) => { const k = E.keyOf(id); return k !== null && st[E.store].has(k) ? k : fail(404, `${E.name} ${id} was not found.`); };

// ---- Documents
const normPath = (p) => String(p ?? '').replace(/\/+$/, '');
const byPath = (st, p) => [...st.documents.values()].find((d) => lower(d.Path) === lower(normPath(p)));
const docById = (st, id) => st.documents.get(lower(id)) ?? fail(404, `Document ${id} was not found.`);
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

function createDocument(st, d, user) {
  if (!isObj(d)) invalid([['', 'The body must be a DocumentData.']]);
  const errors = [];
  if (typeof d.Name !== 'string' || !d.Name.trim() || d.Name.includes('/')) errors.push(['Name', 'Name is required and may not contain "/".']);
  if (typeof d.DocumentTypeId !== 'string' || !d.DocumentTypeId) errors.push(['DocumentTypeId', 'DocumentTypeId is required.']);
  if (typeof d.Path !== 'string' || !d.Path) errors.push(['Path', 'Path (the parent folder) is required.']);
  if (errors.length) invalid(errors);
  const folder = byPath(st, d.Path);
  if (!folder || folder.DocumentTypeId !== 'FOL') invalid([['Path', `The folder ${d.Path} does not exist.`]]);
  if (byPath(st, `${folder.Path}/${d.Name}`)) invalid([['Name', `A document named ${d.Name} already exists in ${folder.Path}.`]]);
  let data = null;
  if (d.DocumentTypeId === 'FOL') {
    if (d.Data?.$value) invalid([['Data', 'A folder has no Data.']]);
  } else {
    const b64 = d.Data?.$value;
    if (!isObj(d.Data) || typeof b64 !== 'string' || (d.Data.$type && !d.Data.$type.startsWith('System.Byte[]'))) invalid([['Data', `Data must be {"$type":"${BYTES}","$value":"<base64>"}.`]]);
    if (b64.length % 4 !== 0 || !BASE64_RE.test(b64)) invalid([['Data', 'Data is not valid base64.']]);
    data = Buffer.from(b64, 'base64');
  }
  const doc = newDoc(d, folder.Path, data, user);
  st.documents.set(doc.DocumentId, doc);
  return docOut(doc, false);
}

const docOut = (doc, withData) => ({
  $type: core('DocumentData'), DocumentId: doc.DocumentId, DocumentVersionId: doc.DocumentVersionId, Name: doc.Name,
  AlternateName: doc.AlternateName, Description: doc.Description, DocumentTypeId: doc.DocumentTypeId, Path: doc.Path,
  FolderPath: doc.FolderPath, Status: doc.Status, IsSystem: false,
  UpdateInfo: { $type: core('EntityUpdateInformationData'), CreatedBy: doc.createdBy, CreatedOn: doc.createdAt, UpdatedBy: doc.createdBy, UpdatedOn: doc.createdAt },
  ...(withData && doc.data ? { Data: { $type: BYTES, $value: doc.data.toString('base64') } } : {}),
});
const summaryOut = (doc) => ({
  $type: core('DocumentSummaryData'), DocumentId: doc.DocumentId, DocumentVersionId: doc.DocumentVersionId, DocumentTypeId: doc.DocumentTypeId,
  Name: doc.Name, AlternateName: doc.AlternateName, Description: doc.Description, Path: doc.Path, FolderPath: doc.FolderPath,
  Status: doc.Status, IsFolder: doc.DocumentTypeId === 'FOL', IsSystem: false,
});
const serviceResponse = (Result) => ({ $type: SERVICE_RESPONSE, Result, IsSuccessStatusCode: Result !== null, Message: Result === null ? 'NotFound' : null });

function execute(st, r) {
  if (!isObj(r) || !['documentsummary', 'document'].includes(lower(r.EntityTypeName))) invalid([['EntityTypeName', 'EntityTypeName must be DocumentSummary.']]);
  const params = Array.isArray(r.Parameters?.$values) ? r.Parameters.$values.map((v) => (isObj(v) && '$values' in v ? v.$values : unwrap(v))) : [];
  if (typeof params[0] !== 'string') invalid([['Parameters', 'Parameters.$values[0] must be a System.String.']]);
  const docs = [...st.documents.values()], key = lower(params[0]);
  switch (lower(r.OperationName)) {
    case 'findbypath': { const d = byPath(st, params[0]); return serviceResponse(d ? summaryOut(d) : null); }
    case 'findbyversionid': { const d = docs.find((x) => lower(x.DocumentVersionId) === key); return serviceResponse(d ? summaryOut(d) : null); }
    case 'finddocumentsinfolder': {
      const folder = byPath(st, params[0]) ?? docs.find((x) => lower(x.DocumentId) === key || lower(x.DocumentVersionId) === key);
      if (!folder || folder.DocumentTypeId !== 'FOL') return serviceResponse(null);
      const types = Array.isArray(params[1]) && params[1].length ? params[1].map((t) => String(t).toUpperCase()) : null;
      const inside = docs.filter((x) => x.FolderPath === folder.Path && x !== folder && (!types || types.includes(x.DocumentTypeId.toUpperCase())));
      return serviceResponse({ $type: listOf(core('DocumentSummaryData')), $values: inside.map(summaryOut) });
    }
    default: return fail(400, `The operation ${r.OperationName} is not supported for ${r.EntityTypeName}.`);
  }
}

// ---- /token and /api routing; each returns [status, body?, headers?]
function token(st, req, body) {
  if (!/^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')) return [400, { error: 'unsupported_grant_type' }];
  const form = new URLSearchParams(body.toString('utf8'));
  if (form.get('grant_type') !== 'password') return [400, { error: 'unsupported_grant_type' }];
  const user = st.users.find((u) => lower(u.username) === lower(form.get('username')) && u.password === form.get('password'));
  if (!user) return [400, { error: 'invalid_grant', error_description: 'The user name or password is incorrect.' }];
  const access_token = randomBytes(32).toString('base64url'), lifetime = st.settings.tokenLifetimeSeconds;
  const issued = new Date(), expires = new Date(issued.getTime() + lifetime * 1000);
  st.tokens.set(access_token, { user: user.username, expires: expires.getTime() });
  st.tokensIssued++;
  return [200, { access_token, token_type: 'bearer', expires_in: Math.round(lifetime), userName: user.username, '.issued': issued.toUTCString(), '.expires': expires.toUTCString() }];
}

function api(st, req, url, body) {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  const session = m && st.tokens.get(m[1]);
  if (!session || session.expires <= Date.now()) return [401, { Message: 'Authorization has been denied for this request.' }, { 'WWW-Authenticate': 'Bearer' }];
  const json = () => { try { return JSON.parse(body.toString('utf8')); } catch { return fail(400, 'The request is invalid: the body is not JSON.'); } };
  const [, entity = '', id, extra] = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const E = lower(entity), M = req.method;
  const notFound = () => fail(404, `No HTTP resource was found that matches the request URI '${url.pathname}'.`);
  const notAllowed = () => fail(405, `The requested resource does not support http method '${M}'.`);
  if (extra !== undefined) return notFound();
  if (E === 'party') {
    if (M !== 'GET') return notAllowed();
    if (id === undefined) return [200, paged(url, st.parties.map(partyRow), PARTY_FIELDS, member('PartyData'))];
    return st.partyById.has(id) ? [200, partyOut(st.partyById.get(id))] : fail(404, `Party ${id} was not found.`);
  }
  if (E === 'cscontactbasic') {
    if (M !== 'GET') return notAllowed();
    if (id === undefined) return [200, paged(url, st.parties.map(contactRow), CONTACT_FIELDS, core('GenericEntityData'))];
    return st.partyById.has(id) ? [200, contactOut(st.partyById.get(id))] : fail(404, `CsContactBasic ${id} was not found.`);
  }
  if (E === 'iqa') return id !== undefined ? notFound() : M === 'GET' ? [200, iqa(st, url)] : notAllowed();
  if (E === 'metadata') return M === 'GET' && ENTITIES[lower(id)] ? [200, metadataOf(ENTITIES[lower(id)])] : notFound();
  const ent = ENTITIES[E];
  if (ent) {
    if (id === undefined) {
      if (M === 'GET') return [200, paged(url, [...st[ent.store].keys()].map((k) => entityRow(st, ent, k)), ent.props.map((p) => p.name), core('GenericEntityData'))];
      return M === 'POST' ? [201, saveEntity(st, ent, json())] : notAllowed();
    }
    if (!['GET', 'PUT', 'DELETE'].includes(M)) return notAllowed();
    const key = keyOf(st, ent, id);
    if (M === 'GET') return [200, entityOut(st, ent, key)];
    if (M === 'PUT') return [200, saveEntity(st, ent, json(), key)];
    st[ent.store].delete(key);
    return [200];
  }
  if (E === 'document' || E === 'documentsummary') {
    if (lower(id) === '_execute') return M === 'POST' ? [200, execute(st, json())] : notAllowed();
    if (E === 'documentsummary') return notFound();
    if (id === undefined) return M === 'POST' ? [201, createDocument(st, json(), session.user)] : notAllowed();
    const doc = docById(st, id);
    if (M === 'GET') return [200, docOut(doc, true)];
    if (M !== 'DELETE') return notAllowed();
    if ([...st.documents.values()].some((d) => d.FolderPath === doc.Path && d !== doc)) fail(400, `The folder ${doc.Path} is not empty.`);
    st.documents.delete(doc.DocumentId);
    return [200];
  }
  return notFound();
}

// ---- /_control
function control(st, req, url, body, reset) {
  const json = () => { try { return JSON.parse(body.toString('utf8') || 'null'); } catch { return fail(400, 'The body is not JSON.'); } };
  const route = `${req.method} ${url.pathname}`;
  if (route === 'POST /_control/reset') { reset(); return [200, { ok: true }]; }
  if (route === 'GET /_control/state') {
    return [200, {
      activities: [...st.activities.values()], interactions: [...st.interactions.values()],
      documents: [...st.documents.values()].map(({ DocumentId, Path, Name, DocumentTypeId, size, sha256, createdAt }) => ({ DocumentId, Path, Name, DocumentTypeId, size, sha256, createdAt })),
      tokens: st.tokensIssued, requests: st.requests, faults: st.faults, settings: st.settings,
    }];
  }
  if (route === 'POST /_control/faults') {
    const list = [json()].flat().filter((f) => f !== null);
    if (!list.every((f) => isObj(f) && typeof f.match === 'string' && f.match)) fail(400, 'Each fault needs a "match" string.');
    st.faults = list.map((f) => ({ match: f.match, exact: !!f.exact, status: f.status ?? null, times: f.times ?? 1, store: !!f.store, delayMs: f.delayMs ?? 0 }));
    return [200, { faults: st.faults }];
  }
  if (route === 'POST /_control/settings') {
    const s = json();
    if (!isObj(s) || Object.entries(s).some(([k, v]) => !(k in DEFAULTS) || typeof v !== typeof DEFAULTS[k])) fail(400, `Settings are ${Object.keys(DEFAULTS).join(', ')}.`);
    Object.assign(st.settings, s);
    return [200, { settings: st.settings }];
  }
  return fail(404, `No control endpoint ${route}.`);
}

// Collects the whole body into one Buffer; past max it keeps draining but drops the bytes and answers null.
function readBody(req, max) {
  return new Promise((resolveBody, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => { size += c.length; if (size > max) chunks.length = 0; else chunks.push(c); });
    req.on('end', () => resolveBody(size > max ? null : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

export async function start({ host = '127.0.0.1', port = 3400, tls, fixtureFile = resolve(ROOT, 'tests/fixtures/imis.json'), log = null } = {}) {
  const fixture = JSON.parse(readFileSync(fixtureFile, 'utf8'));
  let st = freshState(fixture);
  const reset = () => { st = freshState(fixture); };

  async function handle(req, res) {
    const url = new URL(req.url, 'https://imis.invalid');
    const isControl = url.pathname.startsWith('/_control/');
    const cors = isControl || st.settings.cors;
    const base = cors ? { 'Access-Control-Allow-Origin': req.headers.origin ?? '*', Vary: 'Origin' } : {};
    const reply = (status, body, headers = {}) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      res.writeHead(status, { ...base, ...(text ? { 'Content-Type': 'application/json; charset=utf-8' } : {}), 'Content-Length': Buffer.byteLength(text), ...headers });
      res.end(text);
      if (isControl) return;
      const entry = { t: new Date().toISOString(), method: req.method, path: url.pathname + url.search.replace(/((?:password|access_token|refresh_token)=)[^&]*/gi, '$1***'), status };
      st.requests.push(entry);
      if (st.requests.length > 1000) st.requests.shift();
      log?.(`${entry.method} ${entry.path} -> ${status}`);
    };
    try {
      if (req.method === 'OPTIONS') {
        req.resume();
        if (!cors) return reply(404, { Message: 'Not found.' });
        return reply(204, undefined, {
          'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE',
          'Access-Control-Allow-Headers': 'Authorization, Content-Type, RequestVerificationToken', 'Access-Control-Max-Age': '600',
        });
      }
      const body = await readBody(req, isControl ? Infinity : st.settings.maxBodyBytes);
      if (isControl) return reply(...control(st, req, url, body, reset));
      if (body === null) return reply(413, { Message: 'Maximum request length exceeded.' });
      const key = `${req.method} ${url.pathname}`;
      const fault = st.faults.find((f) => f.times > 0 && (f.exact ? key === f.match : key.includes(f.match)));
      if (fault) fault.times--;
      if (fault?.delayMs) await sleep(fault.delayMs);
      if (fault?.status && !fault.store) return reply(fault.status, { Message: 'An error has occurred.' });
      let answer;
      try {
        if (key === 'POST /token') answer = token(st, req, body);
        else if (/^\/api\//i.test(url.pathname)) answer = api(st, req, url, body);
        else answer = [404, { Message: `No HTTP resource was found that matches the request URI '${url.pathname}'.` }];
      } catch (e) {
        if (!e.http) throw e;
        answer = e.http;
      }
      if (fault?.status && fault.store && answer[0] < 300) return reply(fault.status, { Message: 'An error has occurred.' });
      return reply(...answer);
    } catch (e) {
      if (e.http) return reply(...e.http);
      log?.(`error: ${e.stack}`);
      if (!res.headersSent) reply(500, { Message: 'An error has occurred.' });
    }
  }

  const server = https.createServer({ key: tls.key, cert: tls.cert, requestTimeout: 15 * 60_000 }, handle);
  await new Promise((ok, bad) => { server.once('error', bad); server.listen(port, host, ok); });
  const actual = server.address().port;
  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${actual}`,
    close: () => new Promise((ok) => { server.close(() => ok()); server.closeAllConnections(); }),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const certs = resolve(ROOT, '.local/certs');
  const srv = await start({
    host: process.env.STANDIN_HOST || undefined, port: Number(process.env.IMIS_PORT || 3400),
    tls: { key: readFileSync(resolve(certs, 'key.pem')), cert: readFileSync(resolve(certs, 'cert.pem')) }, log: console.log,
  });
  console.log(`iMIS stand-in listening on ${srv.url}`);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => srv.close().then(() => process.exit(0)));
}
