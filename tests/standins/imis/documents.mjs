// Documents and folders: /api/Document, /api/DocumentSummary [ref: Documents (files)].
import { randomUUID, createHash } from 'node:crypto';
import { core, listOf, pagedOf, BYTES, isObj, lower, unwrap, isContract, wrapperType, fail, invalid, notAllowed, notFound, paged, checkString } from './common.mjs';

// Document types are a closed list: DocumentTypeCode nvarchar(6), a foreign key to the site's type table (shipped).
// iMIS 2017 ships these, plus system types (FOL folder, CFL, CON, IQD) (shipped). A fixture's "documentTypes" adds
// the site's own. Matching is EXACT (upper case as listed): whether iMIS matches case-insensitively is (unknown), strict.
const SHIPPED_TYPES = ['AVI', 'BMP', 'DOC', 'EML', 'EMT', 'FLV', 'GIF', 'HTM', 'JPE', 'JPG', 'MOV', 'MP3', 'MPG', 'PDF', 'PNG', 'PPT', 'RA', 'RAM',
  'RDL', 'RPT', 'RST', 'RTF', 'TIF', 'TXT', 'WAV', 'WLT', 'WMV', 'WPD', 'WRI', 'XLS', 'XML', 'ZIP', 'FOL', 'CFL', 'CON', 'IQD'];

// access: who may change the item (its Access Settings, help.imis.com "Setting access for folders and objects"):
//   "everyone"        Everyone has Full Control: what a NEW folder gets by default (ASI: "New folders have unrestricted
//                     access"), so every folder created over REST, and the fixture's folders;
//   "administrators"  signed-in users may Read, only the SysAdmin role has Full Control (ASI's preconfigured set
//                     "Administrators Full Control"): made only by POST /_control/folder, standing for an administrator
//                     who made the folder in the Document System and set its Access Settings.
// A new item takes its folder's access (stand-in choice; iMIS flows folder settings to descendants, ASI).
function newDoc(d, folderPath, data, user, Status, access = 'everyone') {
  const now = new Date().toISOString();
  return {
    DocumentId: randomUUID(), DocumentVersionId: randomUUID(), Name: d.Name, AlternateName: d.AlternateName ?? d.Name,
    Description: d.Description ?? '', DocumentTypeId: d.DocumentTypeId, FolderPath: folderPath,
    Path: folderPath ? `${folderPath}/${d.Name}` : d.Name, Status, data, createdAt: now, createdBy: user,
    updatedAt: now, updatedBy: user, access, ...content(data),
  };
}
const content = (data) => ({ size: data ? data.length : 0, sha256: data ? createHash('sha256').update(data).digest('hex') : null });

// Whether REST applies Document System access to writes is (unknown) (docs/org-settings.md): the stand-in refuses, the
// strictest plausible answer: a user without the SysAdmin role ("sysAdmin": true in the fixture; ASI: SysAdmin always has
// Full Control) who changes an item whose access is "administrators" gets 403 {Message} (wording unknown: the stand-in's).
function mayChange(item, user) {
  if (item.access !== 'administrators' || user?.sysAdmin) return;
  fail(403, `The user ${user?.username ?? ''} does not have permission to change ${item.Path}.`);
}

// POST /_control/folder {path, access}: a Published folder with that access, its parent folders made as needed (with
// Everyone access). An existing folder gets the access. Answers {DocumentId, Path, access}.
export function controlFolder(st, body) {
  if (!isObj(body) || typeof body.path !== 'string' || !/^\$(\/[^/]+)+$/.test(body.path) || !['everyone', 'administrators'].includes(body.access ?? 'administrators')) {
    fail(400, 'Body: {"path": "$/A/B", "access": "administrators" | "everyone"}.');
  }
  let parent = byPath(all(st), '$');
  const names = body.path.split('/').slice(1);
  names.forEach((name, i) => {
    const path = `$/${names.slice(0, i + 1).join('/')}`;
    let folder = byPath(all(st), path);
    if (!folder) {
      folder = newDoc({ Name: name, DocumentTypeId: 'FOL' }, parent.Path, null, 'system', 'Published');
      st.documents.set(folder.DocumentId, folder);
    }
    if (i === names.length - 1) folder.access = body.access ?? 'administrators';
    parent = folder;
  });
  return { DocumentId: parent.DocumentId, Path: parent.Path, access: parent.access };
}

// The fixture's folders ($, $/Common, $/Common/Email ...) exist and are Published.
export function documentState(fixture) {
  const documents = new Map();
  for (const path of fixture.folders ?? []) {
    const cut = path.lastIndexOf('/');
    const doc = newDoc({ Name: cut < 0 ? path : path.slice(cut + 1), DocumentTypeId: 'FOL' }, cut < 0 ? '' : path.slice(0, cut), null, 'system', 'Published');
    documents.set(doc.DocumentId, doc);
  }
  return { documents, documentTypes: new Set([...SHIPPED_TYPES, ...(fixture.documentTypes ?? [])]) };
}

// Paths compare case-insensitively (stand-in choice). With duplicates, the first created wins a path lookup.
const normPath = (p) => String(p ?? '').replace(/\/+$/, '');
const all = (st) => [...st.documents.values()];
const published = (st) => all(st).filter((d) => d.Status === 'Published');
const byPath = (docs, p) => docs.find((d) => lower(d.Path) === lower(normPath(p)));
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

// POST /api/Document (client, verified on a real site): DocumentData {Name, AlternateName, DocumentTypeId, Path = the
// PARENT folder (iMIS appends the name), Data = {"$type":"System.Byte[], mscorlib","$value": base64}}; a folder is a
// document of type FOL without Data. Rules: $type DocumentData (Asi.Contracts); Name required, no "/", <= 100;
// AlternateName <= 100 (not unique); Description <= 250 (shipped); DocumentTypeId in the site's list (above); the parent
// folder must exist (in any status: iMIS knows its own folders, so a Working folder takes new documents).
// (unknown) choices:
//   - a new document or folder gets Status = the setting newDocumentStatus ("Working" by default: the reference leaves
//     the status of REST-created items unknown, and Working is the one that hides them from lookups). A Status in the
//     body is ignored.
//   - a second document with a Name already in the folder is ACCEPTED SILENTLY and stored as another document (strict
//     for a client that must never store twice; /_control/state shows both).
// Answer 201 with the DocumentData, without Data.
function createDocument(st, d, user) {
  if (!isContract(d, 'Asi.Soa.Core.DataContracts.DocumentData')) invalid([['$type', 'The body must be a Asi.Soa.Core.DataContracts.DocumentData, Asi.Contracts.', d?.$type]]);
  const errors = [], push = (e) => e && errors.push(e);
  const name = checkString('Name', d.Name, { max: 100, required: true });
  push(name ?? (d.Name.includes('/') ? ['Name', 'Name may not contain "/".', d.Name] : null));
  push(checkString('AlternateName', d.AlternateName, { max: 100 }));
  push(checkString('Description', d.Description, { max: 250 }));
  const type = checkString('DocumentTypeId', d.DocumentTypeId, { max: 6, required: true });
  push(type ?? (st.documentTypes.has(d.DocumentTypeId) ? null : ['DocumentTypeId', `${d.DocumentTypeId} is not a document type of this site.`, d.DocumentTypeId]));
  const path = checkString('Path', d.Path, { required: true });
  push(path);
  const folder = path ? null : byPath(all(st), d.Path);
  if (!path && (!folder || folder.DocumentTypeId !== 'FOL')) errors.push(['Path', `The folder ${d.Path} does not exist.`, d.Path]);
  const data = readData(d.DocumentTypeId, d.Data, errors, null);
  if (errors.length) invalid(errors);
  mayChange(folder, user);
  const doc = newDoc(d, folder.Path, data, user.username, st.settings.newDocumentStatus, folder.access);
  st.documents.set(doc.DocumentId, doc);
  return docOut(doc, false);
}

// A DocumentData's Data, for POST and PUT alike: a folder has none; a file's is the typed byte wrapper with valid
// base64 (client: reference, Documents). Problems go to `errors`; `none` is the content when there is none.
function readData(typeId, value, errors, none) {
  if (typeId === 'FOL') {
    if (value !== undefined && value !== null) errors.push(['Data', 'A folder has no Data.']);
    return none;
  }
  const b64 = unwrap(value);
  if (wrapperType(value) !== 'System.Byte[]' || typeof b64 !== 'string') errors.push(['Data', `Data must be {"$type":"${BYTES}","$value":"<base64>"}.`]);
  else if (b64.length % 4 !== 0 || !BASE64_RE.test(b64)) errors.push(['Data', 'Data is not valid base64.']);
  else return Buffer.from(b64, 'base64');
  return none;
}

// PUT /api/Document/{DocumentId} (client: "PUT updates in place, same DocumentVersionId"): the whole DocumentData as read
// by GET, with new Data. Its answer is (unknown): the stand-in answers 200 with the DocumentData, without Data.
// Rules: $type DocumentData; a DocumentId in the body must be the URL's; Name, Path and DocumentTypeId, where given,
// must be the stored ones (stand-in choice, strict: whether PUT renames or moves is unknown, and the add-in never does);
// AlternateName <= 100 and Description <= 250 are taken; Data as for POST (a folder has none). Status is kept (unknown
// whether PUT publishes: strict), DocumentVersionId too; UpdateInfo.UpdatedBy/UpdatedOn become the user and now. Access:
// as for POST, the item's own access (403 for a non-SysAdmin on an "administrators" item).
function updateDocument(st, doc, d, user) {
  if (!isContract(d, 'Asi.Soa.Core.DataContracts.DocumentData')) invalid([['$type', 'The body must be a Asi.Soa.Core.DataContracts.DocumentData, Asi.Contracts.', d?.$type]]);
  const errors = [], push = (e) => e && errors.push(e);
  if (d.DocumentId !== undefined && lower(d.DocumentId) !== lower(doc.DocumentId)) errors.push(['DocumentId', 'The DocumentId in the body is not the one in the URL.', d.DocumentId]);
  for (const [k, stored] of [['Name', doc.Name], ['DocumentTypeId', doc.DocumentTypeId]]) {
    if (d[k] !== undefined && d[k] !== stored) errors.push([k, `${k} cannot be changed here.`, d[k]]);
  }
  if (d.Path !== undefined && lower(normPath(d.Path)) !== lower(doc.Path) && lower(normPath(d.Path)) !== lower(doc.FolderPath)) errors.push(['Path', 'Path cannot be changed here.', d.Path]);
  push(checkString('AlternateName', d.AlternateName, { max: 100 }));
  push(checkString('Description', d.Description, { max: 250 }));
  const data = readData(doc.DocumentTypeId, d.Data, errors, doc.data);
  if (errors.length) invalid(errors);
  mayChange(doc, user);
  Object.assign(doc, { data, ...content(data), updatedAt: new Date().toISOString(), updatedBy: user.username });
  if (typeof d.AlternateName === 'string') doc.AlternateName = d.AlternateName;
  if (typeof d.Description === 'string') doc.Description = d.Description;
  return docOut(doc, false);
}

const docOut = (doc, withData) => ({
  $type: core('DocumentData'), DocumentId: doc.DocumentId, DocumentVersionId: doc.DocumentVersionId, Name: doc.Name,
  AlternateName: doc.AlternateName, Description: doc.Description, DocumentTypeId: doc.DocumentTypeId, Path: doc.Path,
  FolderPath: doc.FolderPath, Status: doc.Status, IsSystem: false,
  UpdateInfo: { $type: core('EntityUpdateInformationData'), CreatedBy: doc.createdBy, CreatedOn: doc.createdAt, UpdatedBy: doc.updatedBy, UpdatedOn: doc.updatedAt },
  ...(withData && doc.data ? { Data: { $type: BYTES, $value: doc.data.toString('base64') } } : {}),
});
// DocumentSummaryData (shipped): DocumentId, DocumentVersionId, DocumentTypeId, Name, AlternateName, Path, Status,
// IsSystem; the stand-in adds Description, FolderPath, IsFolder.
const summaryOut = (doc) => ({
  $type: core('DocumentSummaryData'), DocumentId: doc.DocumentId, DocumentVersionId: doc.DocumentVersionId, DocumentTypeId: doc.DocumentTypeId,
  Name: doc.Name, AlternateName: doc.AlternateName, Description: doc.Description, Path: doc.Path, FolderPath: doc.FolderPath,
  Status: doc.Status, IsFolder: doc.DocumentTypeId === 'FOL', IsSystem: false,
});

// POST /api/Document/_execute or /api/DocumentSummary/_execute, a GenericExecuteRequest (ASI, client): EntityTypeName
// DocumentSummary (or Document), OperationName FindByPath (one System.String) | FindDocumentsInFolder (the folder as
// path, DocumentId or DocumentVersionId, then a typed System.String[] of DocumentTypeIds, then an optional System.Boolean,
// ignored; a bare array -> 500 as the client reports) | FindByVersionId. Not found -> HTTP 200, Result null, Message
// "NotFound" (client), in a ServiceResponse`1[[System.Object]] {Result, IsSuccessStatusCode, Message}.
// These lookups see ONLY Published items (client: FindByPath and FindDocumentsInFolder are blind to Working ones; a
// Working folder is not found either). FindByVersionId is treated the same way (unknown: strict).
const SERVICE_RESPONSE = 'Asi.Soa.Core.DataContracts.ServiceResponse`1[[System.Object, mscorlib]], Asi.Contracts';
const serviceResponse = (Result) => ({ $type: SERVICE_RESPONSE, Result, IsSuccessStatusCode: Result !== null, Message: Result === null ? 'NotFound' : null });
function execute(st, r) {
  if (!isContract(r, 'Asi.Soa.Core.DataContracts.GenericExecuteRequest')) invalid([['$type', 'The body must be a Asi.Soa.Core.DataContracts.GenericExecuteRequest, Asi.Contracts.', r?.$type]]);
  if (!['documentsummary', 'document'].includes(lower(r.EntityTypeName))) invalid([['EntityTypeName', 'EntityTypeName must be DocumentSummary.', r.EntityTypeName]]);
  const raw = Array.isArray(r.Parameters?.$values) ? r.Parameters.$values : [];
  if (raw[1] !== undefined && Array.isArray(raw[1])) fail(500, 'An error has occurred.');
  const params = raw.map((v) => (isObj(v) && '$values' in v ? v.$values : unwrap(v)));
  if (typeof params[0] !== 'string') invalid([['Parameters', 'Parameters.$values[0] must be a System.String.']]);
  const docs = published(st), key = lower(params[0]);
  switch (lower(r.OperationName)) {
    case 'findbypath': { const d = byPath(docs, params[0]); return serviceResponse(d ? summaryOut(d) : null); }
    case 'findbyversionid': { const d = docs.find((x) => lower(x.DocumentVersionId) === key); return serviceResponse(d ? summaryOut(d) : null); }
    case 'finddocumentsinfolder': {
      const folder = byPath(docs, params[0]) ?? docs.find((x) => lower(x.DocumentId) === key || lower(x.DocumentVersionId) === key);
      if (!folder || folder.DocumentTypeId !== 'FOL') return serviceResponse(null);
      const types = Array.isArray(params[1]) && params[1].length ? params[1].map((t) => String(t)) : null;
      const inside = docs.filter((x) => x.FolderPath === folder.Path && x !== folder && (!types || types.includes(x.DocumentTypeId)));
      return serviceResponse({ $type: listOf(core('DocumentSummaryData')), $values: inside.map(summaryOut) });
    }
    default: return invalid([['OperationName', `The operation ${r.OperationName} is not supported for ${r.EntityTypeName}.`, r.OperationName]]);
  }
}

// GET /api/DocumentSummary?Name=x (or Name=eq:x): every document and folder with that Name (case-insensitive equality),
// in ANY status (it sees Working items, client) and in every folder: the caller must check Path itself. A paged
// PagedResult`1[[DocumentSummaryData]]. ?Path=... -> 404 (client report). Stand-in choices (unknown): no filter lists
// everything; Name takes only eq (another operator -> 400); any other filter -> 400 "... is not a known property name.".
function summaries(st, url) {
  if ([...url.searchParams.keys()].some((k) => lower(k) === 'path')) return notFound(url.pathname);
  const rows = all(st).map((d) => ({ flat: { Name: d.Name }, item: () => summaryOut(d) }));
  return paged(url, rows, ['Name'], core('DocumentSummaryData'), { opsAllowed: ['eq'], pagedType: pagedOf(core('DocumentSummaryData')) });
}

export function documentRoutes(st, { E, id, method, url, json, user }) {
  if (E !== 'document' && E !== 'documentsummary') return undefined;
  if (lower(id) === '_execute') return method === 'POST' ? [200, execute(st, json())] : notAllowed(method);
  if (E === 'documentsummary') return id !== undefined ? notFound(url.pathname) : method === 'GET' ? [200, summaries(st, url)] : notAllowed(method);
  if (id === undefined) return method === 'POST' ? [201, createDocument(st, json(), user)] : notAllowed(method);
  // GET|PUT|DELETE /api/Document/{DocumentId} take the document id, not the version id (client); any status. GET answers
  // the DocumentData with Data {"$type": "System.Byte[], mscorlib", "$value": base64} (client) to every signed-in user. A
  // folder must be empty to be deleted (stand-in choice) -> else 400. DELETE answers 200 with an empty body; it needs
  // the right to change the item (403 as above).
  const doc = st.documents.get(lower(id)) ?? fail(404, `Document ${id} was not found.`);
  if (method === 'GET') return [200, docOut(doc, true)];
  if (method === 'PUT') return [200, updateDocument(st, doc, json(), user)];
  if (method !== 'DELETE') return notAllowed(method);
  mayChange(doc, user);
  if (all(st).some((d) => d.FolderPath === doc.Path && d !== doc)) invalid([['DocumentId', `The folder ${doc.Path} is not empty.`, doc.DocumentId]]);
  st.documents.delete(doc.DocumentId);
  return [200];
}

// For GET /_control/state: every document and folder, duplicates included, in creation order.
export const documentsState = (st) => all(st).map(({ DocumentId, DocumentVersionId, Path, FolderPath, Name, AlternateName, DocumentTypeId, Status, size, sha256, createdAt, createdBy, updatedAt, updatedBy, access }) =>
  ({ DocumentId, DocumentVersionId, Path, FolderPath, Name, AlternateName, DocumentTypeId, Status, size, sha256, createdAt, createdBy, updatedAt, updatedBy, access }));
