// Contacts: GET /api/Party, /api/Person, /api/CsContactBasic, /api/iqa, and creating a person [ref: Contacts].
import {
  core, member, listOf, isObj, lower, identity, properties, isContract, typeOf, fail, invalid, notAllowed, notFound,
  paged, splitFilter, checkString,
} from './common.mjs';

// ---- Fixture parties: { PartyId, Type Person|Organization, FirstName, LastName, FullName, Emails[], Company? }
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
const IQA_MATCH = {
  email: (p, v) => p.Emails.find((e) => lower(e.Address) === v)?.Address, // equal to ANY address
  name: (p, v) => (lower(p.FullName).includes(v) ? primaryEmail(p) ?? '' : undefined), // full name contains
};
export function partyState(fixture) {
  const parties = [...fixture.parties, ...generatedPersons(fixture.generatedPersons)].map((p) => structuredClone(p))
    .sort((a, b) => Number(a.PartyId) - Number(b.PartyId));
  const queries = Object.entries(fixture.iqaQueries ?? {}).map(([path, q], i) => {
    if (!IQA_MATCH[q.parameter]) throw new Error(`iqaQueries["${path}"].parameter must be one of ${Object.keys(IQA_MATCH).join(', ')}.`);
    return [lower(path), { path, entityTypeName: String(q.entityTypeName ?? i + 1), ...q }];
  });
  return {
    parties, partyById: new Map(parties.map((p) => [p.PartyId, p])), createdParties: [],
    nextPartyId: Math.max(0, ...parties.map((p) => Number(p.PartyId)).filter(Number.isFinite)) + 1,
    iqaQueries: new Map(queries),
  };
}

// ---- Party / Person (shipped shapes): PartyId, Id, Name (a string), Email; PersonData adds PersonName {FirstName,
// LastName, FullName}; Emails.$values[] of {Address, EmailType, IsPrimary}. Stand-in choices: organizations are
// OrganizationData with OrganizationName; a person with a company shows PrimaryOrganization {Name}; the list is typed
// PagedResult`1[[PartyData]] (Person: [[PersonData]]).
const primaryEmail = (p) => p.Emails.find((e) => e.IsPrimary)?.Address;
export function partyOut(p) {
  const Emails = { $type: member('EmailDataCollection'), $values: p.Emails.map((e) => ({ $type: member('EmailData'), Address: e.Address, EmailType: e.EmailType, IsPrimary: !!e.IsPrimary })) };
  const common = { PartyId: p.PartyId, Id: p.PartyId, Name: p.FullName, Email: primaryEmail(p) ?? '', Emails };
  if (p.Type === 'Organization') return { $type: member('OrganizationData'), OrganizationName: p.FullName, ...common };
  return {
    $type: member('PersonData'), PersonName: { $type: member('PersonNameData'), FirstName: p.FirstName, LastName: p.LastName, FullName: p.FullName }, ...common,
    ...(p.Company ? { PrimaryOrganization: { $type: member('PrimaryOrganizationInformationData'), Name: p.Company } } : {}),
  };
}
// Filters: PartyId, Id, FullName (the full name; whether iMIS offers it is (unknown)), Name, FirstName, LastName, Email.
// Email matches ANY of a party's addresses, case-insensitively, for every operator. [ref: Contacts] leaves "primary only"
// (unknown); the stand-in picks "any": a client that checks the returned party's Emails itself, as the reference asks,
// must then cope with a party found by its alternate address.
const PARTY_FIELDS = ['PartyId', 'Id', 'FullName', 'Name', 'FirstName', 'LastName', 'Email'];
const partyRow = (p) => ({
  flat: { PartyId: p.PartyId, Id: p.PartyId, FullName: p.FullName, Name: p.FullName, FirstName: p.FirstName, LastName: p.LastName, Email: p.Emails.map((e) => e.Address) },
  item: () => partyOut(p),
});

// ---- Creating a person: POST /api/Party (ASI's Postman "Creates a Party" sends a ComboPartyData) or POST /api/Person
// (ASI Cloud list). Body: $type PersonData or ComboPartyData (Asi.Contracts), PersonName a typed PersonNameData with
// FirstName and LastName required, Emails an optional typed EmailDataCollection of EmailData {Address, EmailType,
// IsPrimary}, PrimaryOrganization an optional typed PrimaryOrganizationInformationData {Name, Title?}.
// (unknown) choices, all strict:
//   - permission: only a fixture user with "canCreateContacts": true may create; anyone else -> 403 {Message} (iMIS's
//     exact answer is unknown; ASI's Outlook integration has a "which roles may create contacts" option [ref: ASI's own
//     Outlook integration]); checked before the body is read.
//   - the top-level properties must be ones a PersonData / ComboPartyData has (those of ASI's Postman example); any other
//     -> 400. PartyId / Id may not be sent (iMIS assigns the id: the next number as a string).
//   - PersonName may carry only NamePrefix, FirstName, MiddleName, LastName, NameSuffix, InformalName, FullName (the
//     FullName sent is ignored: iMIS composes it, "Prefix First Middle Last, Suffix").
//   - lengths as the iMIS Name table has them as far as known: FirstName 20, LastName 30, email Address 100, company 80.
//   - every email needs an Address with "@"; EmailType one of _Primary, _Alternate, Address (ASI's example uses
//     "Address"); IsPrimary a boolean; with any email, exactly one has IsPrimary true.
// Answer 201 with the party as GET /api/Party/{id} shows it (PersonData, whatever $type was sent). The new person is found
// by every later Party, CsContactBasic and IQA lookup.
const CREATE_TYPES = ['PersonData', 'ComboPartyData'].map((n) => `Asi.Soa.Membership.DataContracts.${n}`);
const PARTY_PROPS = new Set(['$type', 'PartyId', 'Id', 'PersonName', 'Emails', 'PrimaryOrganization', 'BirthDate', 'Gender', 'OrganizationName',
  'AdditionalAttributes', 'Addresses', 'AlternateIds', 'FinancialInformation', 'Phones', 'Salutations', 'SocialNetworks',
  'CommunicationTypePreferences', 'SortIsOverridden', 'UpdateInformation', 'UniformId', 'Status', 'Name', 'Sort']);
const NAME_PROPS = new Set(['$type', 'NamePrefix', 'FirstName', 'MiddleName', 'LastName', 'NameSuffix', 'InformalName', 'FullName']);
const EMAIL_TYPES = ['_Primary', '_Alternate', 'Address'];

function createPerson(st, body, user) {
  if (!user?.canCreateContacts) fail(403, `The user ${user?.username ?? ''} does not have permission to add a Party.`);
  if (!isObj(body) || !CREATE_TYPES.some((t) => isContract(body, t))) invalid([['$type', `The body must be a ${CREATE_TYPES.map((t) => `${t}, Asi.Contracts`).join(' or ')}.`, body?.$type]]);
  const errors = [], push = (e) => e && errors.push(e);
  for (const k of Object.keys(body)) if (!PARTY_PROPS.has(k)) errors.push([k, `${k} is not a property of ${typeOf(body).name}.`]);
  for (const k of ['PartyId', 'Id']) if (body[k] !== undefined && body[k] !== null && body[k] !== '') errors.push([k, `${k} is assigned by iMIS.`, body[k]]);
  const n = body.PersonName;
  if (!isContract(n, 'Asi.Soa.Membership.DataContracts.PersonNameData')) errors.push(['PersonName', 'PersonName must be a Asi.Soa.Membership.DataContracts.PersonNameData, Asi.Contracts.']);
  else {
    for (const k of Object.keys(n)) if (!NAME_PROPS.has(k)) errors.push([`PersonName.${k}`, `${k} is not a property of PersonNameData.`]);
    push(checkString('PersonName.FirstName', n.FirstName, { max: 20, required: true }));
    push(checkString('PersonName.LastName', n.LastName, { max: 30, required: true }));
    for (const k of ['NamePrefix', 'MiddleName', 'NameSuffix', 'InformalName', 'FullName']) push(checkString(`PersonName.${k}`, n[k]));
  }
  const emails = [];
  if (body.Emails !== undefined && body.Emails !== null) {
    if (!isContract(body.Emails, 'Asi.Soa.Membership.DataContracts.EmailDataCollection') || !Array.isArray(body.Emails.$values)) errors.push(['Emails', 'Emails must be a Asi.Soa.Membership.DataContracts.EmailDataCollection, Asi.Contracts with $values.']);
    else body.Emails.$values.forEach((e, i) => {
      const f = `Emails[${i}]`;
      if (!isContract(e, 'Asi.Soa.Membership.DataContracts.EmailData')) return errors.push([f, `${f} must be a Asi.Soa.Membership.DataContracts.EmailData, Asi.Contracts.`]);
      const bad = checkString(`${f}.Address`, e.Address, { max: 100, required: true });
      if (bad) errors.push(bad);
      else if (!/^[^@\s]+@[^@\s]+$/.test(e.Address)) errors.push([`${f}.Address`, `${e.Address} is not an email address.`, e.Address]);
      if (!EMAIL_TYPES.includes(e.EmailType)) errors.push([`${f}.EmailType`, `EmailType must be one of ${EMAIL_TYPES.join(', ')}.`, e.EmailType]);
      if (e.IsPrimary !== undefined && typeof e.IsPrimary !== 'boolean') errors.push([`${f}.IsPrimary`, 'IsPrimary must be true or false.', e.IsPrimary]);
      emails.push({ Address: e.Address, EmailType: e.EmailType, IsPrimary: e.IsPrimary === true });
    });
    if (emails.length && emails.filter((e) => e.IsPrimary).length !== 1) errors.push(['Emails', 'Exactly one email must have IsPrimary true.']);
  }
  const org = body.PrimaryOrganization;
  if (org !== undefined && org !== null) {
    if (!isContract(org, 'Asi.Soa.Membership.DataContracts.PrimaryOrganizationInformationData')) errors.push(['PrimaryOrganization', 'PrimaryOrganization must be a Asi.Soa.Membership.DataContracts.PrimaryOrganizationInformationData, Asi.Contracts.']);
    else { push(checkString('PrimaryOrganization.Name', org.Name, { max: 80 })); push(checkString('PrimaryOrganization.Title', org.Title)); }
  }
  if (errors.length) invalid(errors);
  const FullName = [[n.NamePrefix, n.FirstName, n.MiddleName, n.LastName].filter((x) => x && x.trim()).join(' '), n.NameSuffix].filter((x) => x && x.trim()).join(', ');
  const p = { PartyId: String(st.nextPartyId++), Type: 'Person', FirstName: n.FirstName, LastName: n.LastName, FullName, Emails: emails, ...(org?.Name ? { Company: org.Name } : {}) };
  st.parties.push(p); // ids only grow: the list stays in PartyId order
  st.partyById.set(p.PartyId, p);
  st.createdParties.push({ party: p, createdBy: user.username, entity: structuredClone(body) });
  return partyOut(p);
}

// ---- CsContactBasic (read-only; the Name table view; client, shipped): GenericEntityData rows, the id in
// Identity.IdentityElements.$values[0], properties ID, MajorKey, FullName, FirstName, LastName, Email, Company, IsCompany
// (System.Boolean), no PartyId. Stand-in choice (unknown): its Email is the Name table's EMAIL column, the PRIMARY address
// only, "" when none; filters on those names, case-insensitive. Other methods -> 405.
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

// ---- IQA: GET /api/iqa?QueryName=$/Path&parameter=eq:value (ASI). Rows follow the client dump [ref: Contacts, IQA]:
// GenericEntityData with EntityTypeName a NUMBER as a string (the fixture query's entityTypeName), PrimaryParentEntityTypeName
// "Party", the party id in PrimaryParentIdentity (IdentityData, IdentityElements), no Identity, Properties in column
// order: ResultRow as a plain string ("1", 1-based over the whole result), then the query's columns, named by their
// display names with every space turned into "_": ID, Full_Name, Email (plain strings).
// Stand-in choices (unknown): the fixture's iqaQueries are the only queries, each taking one parameter:
//   "email": equal to ANY of a contact's addresses, case-insensitive, Email = the address that matched;
//   "name": contained in the full name, Email = the primary address ("" when none).
// QueryName is matched case-insensitively; unknown -> 404 "The query X was not found."; missing -> 400. Exactly one
// parameter (key case-insensitive; "eq:" optional; another operator -> 400 "In IQA query, parameters must be Parameter
// Equal", the text ASI's forum quotes); none or two -> 400. Other keys (OrderBy, filters) -> 400 as unknown properties.
// Persons AND organizations are contacts. The list is the untyped "PagedResult, Asi.Contracts" with List`1[[System.Object]]
// Items (public client schema); rows in PartyId order; limit / offset as elsewhere.
const IQA_COLUMNS = ['ID', 'Full Name', 'Email'].map((c) => c.replace(/ /g, '_'));
function iqa(st, url) {
  const all = (name) => [...url.searchParams].filter(([k]) => lower(k) === name).map(([, v]) => v);
  const [path] = all('queryname');
  if (!path) fail(400, 'QueryName is required.');
  const query = st.iqaQueries.get(lower(path.trim())) ?? fail(404, `The query ${path} was not found.`);
  const params = all('parameter');
  if (params.length !== 1) fail(400, `The query ${query.path} takes 1 parameter; ${params.length} given.`);
  const [op, raw] = splitFilter(params[0]);
  if (op !== 'eq') fail(400, 'In IQA query, parameters must be Parameter Equal');
  const value = lower(raw), match = IQA_MATCH[query.parameter], rows = [];
  for (const p of st.parties) {
    const email = match(p, value);
    if (email === undefined) continue;
    rows.push({ flat: {}, item: (n) => ({
      $type: core('GenericEntityData'), EntityTypeName: query.entityTypeName, PrimaryParentEntityTypeName: 'Party', PrimaryParentIdentity: identity('Party', p.PartyId),
      Properties: properties([['ResultRow', String(n)], ...[p.PartyId, p.FullName, email].map((v, i) => [IQA_COLUMNS[i], v])]),
    }) });
  }
  return paged(url, rows, [], null, { ignore: ['queryname', 'parameter'], pagedType: core('PagedResult'), listType: listOf('System.Object, mscorlib') });
}

// Routes: E = lower-case entity of /api/{E}[/{id}]. Returns [status, body] or undefined when not a contact route.
export function contactRoutes(st, { E, id, method, url, json, user }) {
  if (E === 'party' || E === 'person') {
    const persons = E === 'person';
    const list = persons ? st.parties.filter((p) => p.Type !== 'Organization') : st.parties;
    if (id === undefined) {
      if (method === 'GET') return [200, paged(url, list.map(partyRow), PARTY_FIELDS, member(persons ? 'PersonData' : 'PartyData'))];
      if (method === 'POST') return [201, createPerson(st, user?.canCreateContacts ? json() : null, user)];
      return notAllowed(method);
    }
    if (method !== 'GET') return notAllowed(method);
    const p = st.partyById.get(id);
    return p && list.includes(p) ? [200, partyOut(p)] : fail(404, `${persons ? 'Person' : 'Party'} ${id} was not found.`);
  }
  if (E === 'cscontactbasic') {
    if (method !== 'GET') return notAllowed(method);
    if (id === undefined) return [200, paged(url, st.parties.map(contactRow), CONTACT_FIELDS, core('GenericEntityData'))];
    return st.partyById.has(id) ? [200, contactOut(st.partyById.get(id))] : fail(404, `CsContactBasic ${id} was not found.`);
  }
  if (E === 'iqa') return id !== undefined ? notFound(url.pathname) : method === 'GET' ? [200, iqa(st, url)] : notAllowed(method);
  return undefined;
}

// For GET /_control/state: the contacts created through REST.
export const createdPartiesState = (st) => st.createdParties.map(({ party: p, createdBy, entity }) => ({
  PartyId: p.PartyId, FirstName: p.FirstName, LastName: p.LastName, FullName: p.FullName, Company: p.Company ?? null,
  Emails: p.Emails.map((e) => ({ ...e })), createdBy, entity,
}));
