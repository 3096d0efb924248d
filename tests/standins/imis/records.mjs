// Activities (a generic entity) and activity types [ref: Activities, Data shapes].
import { core, isObj, lower, unwrap, wrapperType, identity, properties, isContract, fail, invalid, notAllowed, notFound, paged } from './common.mjs';

// ---- Activity columns (shipped, iMIS 2017 Activity table [ref: Activities]): [Name, PropertyTypeName, MaxLength].
// REST calls ID "PartyId". SEQN is the identity, assigned by iMIS. NOTE and NOTE_2 are text (no limit). UF_1-UF_3
// varchar(255), UF_4/UF_5 decimal, UF_6/UF_7 datetime (shipped). Lengths the reference does not give are the stand-in's
// (unknown): OTHER_ID 10, PRODUCT_CODE 31, CATEGORY 15, ACTION_CODES 255, OTHER_CODE 255.
const TEXT = 1073741823;
const ACTIVITY_COLUMNS = [
  ['SEQN', 'Integer'], ['PartyId', 'String', 10], ['ACTIVITY_TYPE', 'String', 10],
  ['TRANSACTION_DATE', 'Date'], ['EFFECTIVE_DATE', 'Date'], ['THRU_DATE', 'Date'],
  ['DESCRIPTION', 'String', 255], ['NOTE', 'String', TEXT], ['NOTE_2', 'String', TEXT], ['OTHER_ID', 'String', 10],
  ['SOURCE_CODE', 'String', 40], ['PRODUCT_CODE', 'String', 31], ['CATEGORY', 'String', 15], ['ACTION_CODES', 'String', 255],
  ['OTHER_CODE', 'String', 255], ['AMOUNT', 'Monetary'], ['UNITS', 'Decimal'],
  ['UF_1', 'String', 255], ['UF_2', 'String', 255], ['UF_3', 'String', 255], ['UF_4', 'Decimal'], ['UF_5', 'Decimal'], ['UF_6', 'Date'], ['UF_7', 'Date'],
].map(([name, type, max]) => ({ name, type, max }));
const DEF = new Map(ACTIVITY_COLUMNS.map((p) => [p.name.toLowerCase(), p]));
const KEY = 'SEQN', REQUIRED = ['PartyId', 'ACTIVITY_TYPE'], FIRST_SEQN = 10001;
const TYPE_DATA = { String: 'String', Integer: 'Integer', Date: 'DateTime', Decimal: 'Decimal', Monetary: 'Monetary' };
const DATE_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?)?(Z|[+-]\d{2}:\d{2})?$/;

// A property Value is a plain JSON string or a typed wrapper {"$type": "System.X", "$value": ...} [ref: Data shapes].
// "Public code wraps every non-string value (client)": strict, the stand-in REQUIRES the wrapper for every non-string
// column: a date must be {"$type":"System.DateTime","$value":"YYYY-MM-DD[THH:MM[:SS[.fffffff]]][Z|±hh:mm]"}, a decimal
// or money column a System.Decimal / Double / Int32 / Int64 wrapper around a JSON number, SEQN an Int32 / Int64 wrapper
// around an integer. A plain string (or bare number) there -> 400 naming the column. A string column takes a plain
// string or a System.String wrapper, nothing else (no bare numbers). null clears a column.
const WRAPPERS = { Date: ['System.DateTime'], Decimal: ['System.Decimal', 'System.Double', 'System.Int32', 'System.Int64'], Integer: ['System.Int32', 'System.Int64'] };
WRAPPERS.Monetary = WRAPPERS.Decimal;
function checkValue(def, raw) {
  if (raw === null) return [null, null];
  const w = wrapperType(raw);
  if (def.type === 'String') {
    if (isObj(raw) && w !== 'System.String') return [null, `${def.name} must be a string or a System.String value.`];
    const v = unwrap(raw);
    if (typeof v !== 'string') return [null, `${def.name} must be a string.`];
    return [v, v.length > def.max ? `${def.name} is longer than ${def.max} characters (${v.length}).` : null];
  }
  const word = def.type === 'Date' ? 'a date' : def.type === 'Integer' ? 'an integer' : 'a number';
  if (!w || !WRAPPERS[def.type].includes(w)) return [null, `${def.name} must be ${word} sent as {"$type":"${WRAPPERS[def.type][0]}","$value":...}; got ${JSON.stringify(raw)?.slice(0, 80)}.`];
  const v = raw.$value;
  if (def.type === 'Date') return [v, typeof v === 'string' && DATE_RE.test(v) && !Number.isNaN(Date.parse(v)) ? null : `${def.name} is not a valid date: ${JSON.stringify(v)}.`];
  if (def.type === 'Integer') return [v, Number.isInteger(v) ? null : `${def.name} must be an integer.`];
  return [v, typeof v === 'number' && Number.isFinite(v) ? null : `${def.name} must be a number.`];
}

export const activityState = (fixture) => ({
  activities: new Map(), nextSeqn: FIRST_SEQN,
  activityTypes: (fixture.activityTypes ?? []).map((t) => ({ Code: t.Code, Description: t.Description ?? t.Code, IsSystem: !!t.System })),
});

// POST /api/Activity (key null) or PUT /api/Activity/{SEQN} (key = the stored one). The minimum is a GenericEntityData
// with ACTIVITY_TYPE and PartyId (ASI); EntityTypeName, PrimaryParentEntityTypeName, PrimaryParentIdentity may be sent
// (client). Stand-in choices (unknown), strict: 400 ValidationResultsData naming the field for a property that is not a
// column, SEQN on POST ("assigned by iMIS"), a SEQN / Identity on PUT that differs from the URL, a missing or unknown
// PartyId, a missing ACTIVITY_TYPE or one that is not the site's (EXACT, case-sensitive match with the fixture's
// activityTypes: strict), a string over its length, a value that breaks the wrapper rule above. System types (DUES,
// ORDER, SALES) are accepted: iMIS does not refuse them, clients must not use them [ref: Activities]. PUT REPLACES the
// stored properties (unsent ones are gone) and answers 200; an unknown SEQN -> 404 before the body is looked at.
function saveActivity(st, entity, key = null) {
  if (!isContract(entity, 'Asi.Soa.Core.DataContracts.GenericEntityData') || !Array.isArray(entity.Properties?.$values)) invalid([['$type', 'The body must be a Asi.Soa.Core.DataContracts.GenericEntityData, Asi.Contracts with Properties.$values.', entity?.$type]]);
  const errors = [], values = {};
  if (entity.EntityTypeName !== undefined && entity.EntityTypeName !== 'Activity') errors.push(['EntityTypeName', 'EntityTypeName must be Activity.', entity.EntityTypeName]);
  const sentKey = entity.Identity?.IdentityElements?.$values?.[0];
  if (key !== null && sentKey !== undefined && String(sentKey) !== String(key)) errors.push(['Identity', `Identity ${sentKey} does not match the URL (${key}).`, sentKey]);
  for (const p of entity.Properties.$values) {
    const def = DEF.get(lower(p?.Name));
    if (!def) { errors.push([String(p?.Name), `${p?.Name} is not a property of Activity.`]); continue; }
    if (def.name === KEY) {
      if (key === null) errors.push([KEY, `${KEY} is assigned by iMIS.`]);
      else if (String(unwrap(p.Value)) !== String(key)) errors.push([KEY, `${KEY} ${unwrap(p.Value)} does not match the URL (${key}).`, unwrap(p.Value)]);
      continue;
    }
    const [v, problem] = checkValue(def, p.Value);
    if (problem) errors.push([def.name, problem, unwrap(p.Value)]);
    else values[def.name] = v;
  }
  const partyId = values.PartyId, type = values.ACTIVITY_TYPE;
  if (!errors.some((e) => e[0] === 'PartyId')) {
    if (partyId === undefined || partyId === null || partyId === '') errors.push(['PartyId', 'PartyId is required.']);
    else if (!st.partyById.has(partyId)) errors.push(['PartyId', `Party ${partyId} does not exist.`, partyId]);
  }
  if (!errors.some((e) => e[0] === 'ACTIVITY_TYPE')) {
    if (type === undefined || type === null || type === '') errors.push(['ACTIVITY_TYPE', 'ACTIVITY_TYPE is required.']);
    else if (!st.activityTypes.some((t) => t.Code === type)) errors.push(['ACTIVITY_TYPE', `${type} is not an activity type of this site.`, type]);
  }
  if (errors.length) invalid(errors);
  if (key === null) key = st.nextSeqn++;
  st.activities.set(key, { SEQN: key, entity: structuredClone(entity), values });
  return activityOut(st, key);
}

// What iMIS answers for a stored activity (stand-in choice, unknown): the sent columns under their canonical names, typed
// wrappers for SEQN (System.Int32), dates (System.DateTime), numbers (System.Decimal), plain strings; SEQN first;
// Identity [SEQN] and PrimaryParentIdentity [PartyId] [ref: Data shapes: "a created record's key is expected in
// Identity.IdentityElements.$values[0]"].
const WRAP_OUT = { Integer: 'System.Int32', Date: 'System.DateTime', Decimal: 'System.Decimal', Monetary: 'System.Decimal' };
const prop = (def, v) => [def.name, v === null || v === undefined || !WRAP_OUT[def.type] ? v : { $type: WRAP_OUT[def.type], $value: v }];
function activityOut(st, key) {
  const { values } = st.activities.get(key);
  return {
    $type: core('GenericEntityData'), EntityTypeName: 'Activity', PrimaryParentEntityTypeName: 'Party',
    Identity: identity('Activity', key), PrimaryParentIdentity: identity('Party', values.PartyId),
    Properties: properties([prop(DEF.get('seqn'), key), ...Object.entries(values).map(([n, v]) => prop(DEF.get(lower(n)), v))]),
  };
}
const activityRow = (st, key) => ({ flat: { ...st.activities.get(key).values, SEQN: String(key) }, item: () => activityOut(st, key) });

// GET /api/metadata/Activity (ASI): one BOEntityDefinitionData whose Properties.$values are
// PropertyType{String,Integer,DateTime,Decimal,Monetary}Data {Name, PropertyTypeName, MaxLength, IsIdentity, Required}
// (shape from public client schemas; unknown beyond that). Every column above, in that order.
const activityMetadata = () => ({
  $type: core('BOEntityDefinitionData'), EntityTypeName: 'Activity', ObjectTypeName: 'Standard', PrimaryParentEntityTypeName: 'Party', Description: 'Activity',
  Properties: {
    $type: core('PropertyTypeDataCollection'),
    $values: ACTIVITY_COLUMNS.map((p) => ({
      $type: core(`PropertyType${TYPE_DATA[p.type]}Data`), Name: p.name, PropertyTypeName: p.type,
      ...(p.max ? { MaxLength: p.max } : {}), IsIdentity: p.name === KEY, Required: REQUIRED.includes(p.name),
    })),
  },
});

// ---- GET /api/LegacyActivityType and /api/LegacyActivityType/{code} (ASI Cloud list) from the fixture's activityTypes.
// The shape is (unknown); the stand-in's choice: a GenericEntityData like the other "legacy" business objects,
// EntityTypeName "LegacyActivityType", the code in Identity.IdentityElements.$values[0], Properties LegacyActivityTypeId
// (the code; the Cloud list's URL parameter is named so), Description, IsSystem (System.Boolean). A client should rely
// only on GET /{code} answering 200 vs 404. The code in the URL is matched EXACTLY (case-sensitive: strict, unknown).
// The list is paged with filters on those three names. Read-only here: other methods -> 405.
const typeOut = (t) => ({
  $type: core('GenericEntityData'), EntityTypeName: 'LegacyActivityType', Identity: identity('LegacyActivityType', t.Code),
  Properties: properties([['LegacyActivityTypeId', t.Code], ['Description', t.Description], ['IsSystem', { $type: 'System.Boolean', $value: t.IsSystem }]]),
});

export function recordRoutes(st, { E, id, method, url, json }) {
  if (E === 'metadata') {
    if (method !== 'GET') return notAllowed(method);
    // Only Activity's metadata is served; the typed CommunicationLogRecipient's is not modelled (404).
    return lower(id) === 'activity' ? [200, activityMetadata()] : notFound(url.pathname);
  }
  if (E === 'legacyactivitytype') {
    if (method !== 'GET') return notAllowed(method);
    if (id === undefined) {
      const rows = st.activityTypes.map((t) => ({ flat: { LegacyActivityTypeId: t.Code, Description: t.Description, IsSystem: String(t.IsSystem) }, item: () => typeOut(t) }));
      return [200, paged(url, rows, ['LegacyActivityTypeId', 'Description', 'IsSystem'], core('GenericEntityData'))];
    }
    const t = st.activityTypes.find((x) => x.Code === id);
    return t ? [200, typeOut(t)] : fail(404, `LegacyActivityType ${id} was not found.`);
  }
  if (E !== 'activity') return undefined;
  if (id === undefined) {
    if (method === 'GET') return [200, paged(url, [...st.activities.keys()].map((k) => activityRow(st, k)), ACTIVITY_COLUMNS.map((p) => p.name), core('GenericEntityData'))];
    return method === 'POST' ? [201, saveActivity(st, json())] : notAllowed(method);
  }
  if (!['GET', 'PUT', 'DELETE'].includes(method)) return notAllowed(method);
  const key = /^\d+$/.test(id) && st.activities.has(Number(id)) ? Number(id) : fail(404, `Activity ${id} was not found.`);
  if (method === 'GET') return [200, activityOut(st, key)];
  if (method === 'PUT') return [200, saveActivity(st, json(), key)];
  st.activities.delete(key);
  return [200];
}

export const activitiesState = (st) => [...st.activities.values()].map(({ SEQN, entity }) => ({ SEQN, entity }));
