// Interactions: /api/CommunicationLogRecipient, a TYPED contract [ref: Interactions (the communication log)].
import { randomUUID } from 'node:crypto';
import { comms, isObj, lower, typeOf, isContract, fail, invalid, notAllowed, paged, checkString, splitFilter } from './common.mjs';

// CommunicationLogRecipient is Asi.Soa.Communications.DataContracts.CommunicationLogRecipientData, not a generic entity
// (ASI, shipped): CommunicationLogRecipientId, CommunicationLog {CommunicationLogId, Status, Subject (<= 500),
// SourceProcess, CommunicationType, SourceCode, Text, Html}, Party (a party reference), MessageType (int code), Address,
// MessageId (<= 10), Attachments, Events, DataSources. Verbs (ASI Cloud list): POST, GET, PUT, DELETE.
// No working create body is published [ref: (unknown)]; the stand-in's rules, all chosen strict:
//   - the body's $type must be CommunicationLogRecipientData (Asi.Contracts); a GenericEntityData -> 400 FieldName "$type".
//   - top-level properties: only those of the contract listed above; any other -> 400 naming it.
//   - CommunicationLog required, typed CommunicationLogData, with only the properties listed; Subject a non-empty string
//     <= 500; Text a string (required; "" allowed); Html, SourceProcess, CommunicationType, SourceCode strings if sent;
//     Status a string or an integer if sent. CommunicationLogId may not be sent on POST (iMIS assigns it).
//   - Party required: an object whose $type is an Asi.Soa.Membership.DataContracts type named *Party*Data (PartyData,
//     PartySummaryData, ComboPartyData...) or PersonData / OrganizationData (subclasses of PartyData), with the PartyId of
//     an existing party (missing / unknown -> 400 "Party.PartyId"). Its other properties are ignored.
//   - MessageType required: a JSON integer (a string such as "1", a fraction or a wrapper -> 400).
//   - Address a string if sent; MessageId a string of at most 10 characters if sent.
//   - Attachments / Events / DataSources, if sent: a typed collection {$type, $values: [typed objects]}, kept as sent.
//   - CommunicationLogRecipientId may not be sent on POST.
// POST answers 201 with the stored object: the sent one with CommunicationLogRecipientId and CommunicationLog.CommunicationLogId
// (new lower-case GUIDs) added after the $type. GET /{id} answers the same. PUT /{id} replaces it whole (same rules;
// CommunicationLogRecipientId and CommunicationLogId may be sent but must equal the stored ones; the stored ids are kept);
// unknown id -> 404 before the body is read. DELETE -> 200, empty. Ids in the URL match in any case (GUIDs).
// GET list: paged PagedResult`1[[CommunicationLogRecipientData]]; the only filters are PartyId (matches Party.PartyId) and
// MessageId, with eq (or a plain value) only; another operator -> 400; any other filter -> 400 "... is not a known
// property name.". CommunicationLog, CommunicationLogRecipientAttachment, ContactInteraction, InteractionType: not served.
const CLR = 'Asi.Soa.Communications.DataContracts.CommunicationLogRecipientData';
const CL = 'Asi.Soa.Communications.DataContracts.CommunicationLogData';
const TOP = new Set(['$type', 'CommunicationLogRecipientId', 'CommunicationLog', 'Party', 'MessageType', 'Address', 'MessageId', 'Attachments', 'Events', 'DataSources']);
const LOG = new Set(['$type', 'CommunicationLogId', 'Status', 'Subject', 'SourceProcess', 'CommunicationType', 'SourceCode', 'Text', 'Html']);
const PARTY_TYPE = /^Asi\.Soa\.Membership\.DataContracts\.(\w*Party\w*Data|PersonData|OrganizationData)$/;

function validate(st, b, stored) {
  if (!isContract(b, CLR)) invalid([['$type', `The body must be a ${CLR}, Asi.Contracts.`, isObj(b) ? b.$type : null]]);
  const errors = [], push = (e) => e && errors.push(e);
  for (const k of Object.keys(b)) if (!TOP.has(k)) errors.push([k, `${k} is not a property of CommunicationLogRecipientData.`]);
  const sameId = (sent, have, field) => {
    if (sent === undefined || sent === null) return;
    if (!have) errors.push([field, `${field} is assigned by iMIS.`, sent]);
    else if (lower(sent) !== have) errors.push([field, `${field} ${sent} does not match the stored one (${have}).`, sent]);
  };
  sameId(b.CommunicationLogRecipientId, stored?.id, 'CommunicationLogRecipientId');
  const log = b.CommunicationLog;
  if (!isContract(log, CL)) errors.push(['CommunicationLog', `CommunicationLog is required, a ${CL}, Asi.Contracts.`]);
  else {
    for (const k of Object.keys(log)) if (!LOG.has(k)) errors.push([`CommunicationLog.${k}`, `${k} is not a property of CommunicationLogData.`]);
    sameId(log.CommunicationLogId, stored?.logId, 'CommunicationLog.CommunicationLogId');
    push(checkString('CommunicationLog.Subject', log.Subject, { max: 500, required: true }));
    push(log.Text === undefined || log.Text === null ? ['CommunicationLog.Text', 'CommunicationLog.Text is required.'] : checkString('CommunicationLog.Text', log.Text));
    for (const k of ['Html', 'SourceProcess', 'CommunicationType', 'SourceCode']) push(checkString(`CommunicationLog.${k}`, log[k]));
    if (log.Status !== undefined && log.Status !== null && typeof log.Status !== 'string' && !Number.isInteger(log.Status)) errors.push(['CommunicationLog.Status', 'CommunicationLog.Status must be a string or an integer.', log.Status]);
  }
  const party = b.Party;
  if (!isObj(party) || !PARTY_TYPE.test(typeOf(party)?.name ?? '') || typeOf(party).assembly !== 'asi.contracts') errors.push(['Party', 'Party is required, a typed party reference such as Asi.Soa.Membership.DataContracts.PartySummaryData, Asi.Contracts.']);
  else if (typeof party.PartyId !== 'string' || !party.PartyId) errors.push(['Party.PartyId', 'Party.PartyId is required.', party.PartyId]);
  else if (!st.partyById.has(party.PartyId)) errors.push(['Party.PartyId', `Party ${party.PartyId} does not exist.`, party.PartyId]);
  if (!Number.isInteger(b.MessageType) || Math.abs(b.MessageType) > 2147483647) errors.push(['MessageType', 'MessageType is required, an integer.', b.MessageType]);
  push(checkString('Address', b.Address));
  push(checkString('MessageId', b.MessageId, { max: 10 }));
  for (const k of ['Attachments', 'Events', 'DataSources']) {
    const c = b[k];
    if (c === undefined || c === null) continue;
    if (!typeOf(c) || !Array.isArray(c.$values) || !c.$values.every((x) => typeOf(x))) errors.push([k, `${k} must be a typed collection ({"$type": ..., "$values": [typed objects]}).`]);
  }
  if (errors.length) invalid(errors);
}

// The stored object: the sent one, the ids placed right after each $type.
function withIds(b, id, logId) {
  const { $type, CommunicationLogRecipientId: _a, ...rest } = b;
  const { $type: logType, CommunicationLogId: _b, ...log } = b.CommunicationLog;
  const out = { $type, CommunicationLogRecipientId: id };
  for (const [k, v] of Object.entries(rest)) out[k] = k === 'CommunicationLog' ? { $type: logType, CommunicationLogId: logId, ...log } : v;
  return out;
}

export const interactionState = () => ({ interactions: new Map() });

export function interactionRoutes(st, { E, id, method, url, json }) {
  if (E !== 'communicationlogrecipient') return undefined;
  if (id === undefined) {
    if (method === 'GET') {
      for (const [k, v] of url.searchParams) if (['partyid', 'messageid'].includes(lower(k)) && splitFilter(v)[0] !== 'eq') fail(400, `In the query, the operator ${splitFilter(v)[0]} is not supported for ${k}.`);
      const rows = [...st.interactions.values()].map((r) => ({ flat: { PartyId: r.stored.Party.PartyId, MessageId: r.stored.MessageId ?? '' }, item: () => structuredClone(r.stored) }));
      return [200, paged(url, rows, ['PartyId', 'MessageId'], comms('CommunicationLogRecipientData'))];
    }
    if (method !== 'POST') return notAllowed(method);
    const b = json();
    validate(st, b, null);
    const rec = { id: randomUUID(), logId: randomUUID(), entity: structuredClone(b) };
    rec.stored = withIds(structuredClone(b), rec.id, rec.logId);
    st.interactions.set(rec.id, rec);
    return [201, structuredClone(rec.stored)];
  }
  if (!['GET', 'PUT', 'DELETE'].includes(method)) return notAllowed(method);
  const rec = st.interactions.get(lower(id)) ?? fail(404, `CommunicationLogRecipient ${id} was not found.`);
  if (method === 'GET') return [200, structuredClone(rec.stored)];
  if (method === 'DELETE') { st.interactions.delete(rec.id); return [200]; }
  const b = json();
  validate(st, b, rec);
  rec.entity = structuredClone(b);
  rec.stored = withIds(structuredClone(b), rec.id, rec.logId);
  return [200, structuredClone(rec.stored)];
}

// For GET /_control/state: [{ id, entity (exactly as last POSTed or PUT) }].
export const interactionsState = (st) => [...st.interactions.values()].map(({ id, entity }) => ({ id, entity }));
