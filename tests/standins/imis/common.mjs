// Shared by the iMIS stand-in's resources: .NET type tags, errors, JSON bodies, lists (paging and filters).
// Facts cited as [ref: section] are from ../shared/reference/imis-rest.md.

// ---- .NET type tags. Writers send the assembly name Asi.Contracts [ref: Data shapes].
export const core = (n) => `Asi.Soa.Core.DataContracts.${n}, Asi.Contracts`;
export const member = (n) => `Asi.Soa.Membership.DataContracts.${n}, Asi.Contracts`;
export const comms = (n) => `Asi.Soa.Communications.DataContracts.${n}, Asi.Contracts`;
export const listOf = (item) => `System.Collections.Generic.List\`1[[${item}]], mscorlib`;
export const pagedOf = (item) => `Asi.Soa.Core.DataContracts.PagedResult\`1[[${item}]], Asi.Contracts`;
export const STRINGS = 'System.Collections.ObjectModel.Collection`1[[System.String, mscorlib]], mscorlib';
export const BYTES = 'System.Byte[], mscorlib';

export const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
export const lower = (v) => String(v ?? '').toLowerCase();
export const unwrap = (v) => (isObj(v) && '$value' in v ? v.$value : v);
export const identity = (EntityTypeName, key) => ({ $type: core('IdentityData'), EntityTypeName, IdentityElements: { $type: STRINGS, $values: [String(key)] } });
export const properties = (pairs) => ({ $type: core('GenericPropertyDataCollection'), $values: pairs.map(([Name, Value]) => ({ $type: core('GenericPropertyData'), Name, Value })) });

// Json.NET resolves "$type": "Namespace.Type, Assembly" by loading the assembly and asking it for the type: the type name
// is case-sensitive, the assembly name is not, blanks around the comma do not matter (shipped Newtonsoft.Json). iMIS 2017+
// has no assembly Asi.Soa.Core.Contracts, so an older tag cannot resolve there [ref: Data shapes]: strict, it is refused.
export function typeOf(v) {
  if (!isObj(v) || typeof v.$type !== 'string') return null;
  const cut = v.$type.indexOf(',');
  return cut < 0 ? { name: v.$type.trim(), assembly: '' } : { name: v.$type.slice(0, cut).trim(), assembly: v.$type.slice(cut + 1).trim().toLowerCase() };
}
// A contract type of Asi.Contracts: "Asi.Soa.Membership.DataContracts.PersonData" etc.
export const isContract = (v, name) => { const t = typeOf(v); return !!t && t.name === name && t.assembly === 'asi.contracts'; };
// System wrappers ({"$type": "System.DateTime", "$value": ...}) carry no assembly, or mscorlib.
export const wrapperType = (v) => { const t = typeOf(v); return t && (t.assembly === '' || t.assembly === 'mscorlib') && '$value' in v ? t.name : null; };

// ---- Errors. Throwing an HTTP answer keeps handlers flat; the request handler turns it into a response.
export const httpError = (status, body, headers = {}) => Object.assign(new Error(body?.Message ?? String(status)), { http: [status, body, headers] });
export const fail = (status, Message) => { throw httpError(status, { Message }); };
export const notFound = (path) => fail(404, `No HTTP resource was found that matches the request URI '${path}'.`); // ASP.NET Web API text
export const notAllowed = (method) => fail(405, `The requested resource does not support http method '${method}'.`); // ASP.NET Web API text

// Validation errors [ref: Data shapes, "Errors (shipped)"]: the stand-in's ONE envelope is a bare ValidationResultsData as
// the 400 body (not wrapped in a ServiceResponse; no top-level Message). Each error is a ValidationResultData
// {FieldName, FieldValue, Message, FormattedMessage, Location}; FormattedMessage = Message, Location null, FieldValue the
// offending value when it is a primitive (strings cut to 256 characters), else null. Summary = the messages, joined by
// a space. (The exact texts iMIS writes are (unknown): clients read Errors.$values[].Message and FieldName only.)
export function invalid(errors) {
  const value = (v) => (typeof v === 'string' ? v.slice(0, 256) : typeof v === 'number' || typeof v === 'boolean' ? v : null);
  const collection = (items) => ({ $type: core('ValidationResultDataCollection'), $values: items });
  throw httpError(400, {
    $type: core('ValidationResultsData'),
    Errors: collection(errors.map(([FieldName, Message, FieldValue]) => ({ $type: core('ValidationResultData'), FieldName, FieldValue: value(FieldValue), Message, FormattedMessage: Message, Location: null }))),
    Warnings: collection([]), HasErrors: true, IsValid: false, Summary: errors.map((e) => e[1]).join(' '),
  });
}

// ---- JSON bodies.
// "$type must be the first key of an object: Json.NET reads metadata only at the start of an object" [ref: Data shapes].
// Checked on the TEXT (JSON.parse would reorder integer-like keys), for every object at any depth (array items too).
// Returns the paths of the objects that break it ("" = the body itself, "CommunicationLog", "Properties.$values[1].Value").
const TOKENS = /"[^"\\]*(?:\\.[^"\\]*)*"\s*:|"[^"\\]*(?:\\.[^"\\]*)*"|[{}[\],]/g;
export function typeNotFirst(text) {
  const stack = [], bad = [];
  TOKENS.lastIndex = 0;
  for (let m; (m = TOKENS.exec(text));) {
    const t = m[0], top = stack[stack.length - 1];
    if (t === '{' || t === '[') {
      const path = !top ? '' : top.kind === '[' ? `${top.path}[${top.index}]` : top.path ? `${top.path}.${top.key}` : top.key;
      stack.push({ kind: t, path, at: m.index, first: null, hasType: false, key: null, index: 0 });
    } else if (t === '}' || t === ']') {
      const f = stack.pop();
      if (f?.hasType && f.first !== '$type') bad.push(f);
    } else if (t === ',') {
      if (top?.kind === '[') top.index++;
    } else if (t.endsWith(':') && top?.kind === '{') {
      const key = JSON.parse(t.slice(0, -1).trim());
      top.key = key;
      if (top.first === null) top.first = key;
      if (key === '$type') top.hasType = true;
    }
  }
  return bad.sort((a, b) => a.at - b.at).map((f) => f.path); // in document order
}

// Parses a JSON request body. Web API: a body that is not JSON -> 400 (the text is the stand-in's).
export function parseJson(body) {
  const text = body.toString('utf8');
  let value;
  try { value = JSON.parse(text); } catch { return fail(400, 'The request is invalid: the body is not valid JSON.'); }
  const bad = typeNotFirst(text);
  if (bad.length) invalid(bad.map((p) => [p ? `${p}.$type` : '$type', `$type must be the first property of ${p ? `the object ${p}` : 'the body'}: Json.NET reads type metadata only at the start of an object.`]));
  return value;
}

// ---- Lists [ref: Data shapes]: PagedResult {Items.$values, Offset, Limit, Count, TotalCount, NextPageLink, HasNext,
// NextOffset} (shipped); default Limit 100 (ASI); ?limit= ?offset=; filters ?Property=op:value; OrderBy=Prop:Descending.
// Stand-in choices (unknown): a limit above 500 is cut to 500; limit <= 0 or missing means 100. Every string comparison is
// case-insensitive (SQL Server's usual collation). A value without a known "op:" is compared with eq, whole; the operator
// is split at the FIRST colon only, so "eq:email:abc" filters on "email:abc" exactly [ref: Activities, the colon is
// (unknown): the strict reading that a colon inside a value is data]. A filter on an unknown property -> 400
// "In the query, X is not a known property name." (ASI forum text).
export const OPS = {
  eq: (a, b) => a === b, ne: (a, b) => a !== b, contains: (a, b) => a.includes(b), notcontain: (a, b) => !a.includes(b),
  startswith: (a, b) => a.startsWith(b), endswith: (a, b) => a.endsWith(b), isempty: (a) => a === '', notempty: (a) => a !== '',
};
export function splitFilter(raw) {
  const m = /^(\w+):(.*)$/s.exec(raw);
  return m && OPS[m[1].toLowerCase()] ? [m[1].toLowerCase(), m[2]] : ['eq', raw];
}
// rows = [{ flat: {Field: value | [values]}, item: (n) => object }]. A field holding an array matches when ANY value does
// (an empty array compares as ""). opsAllowed limits the operators (others -> 400).
export function paged(url, rows, fields, itemType, { ignore = [], opsAllowed = null, pagedType = pagedOf(itemType), listType = listOf(itemType) } = {}) {
  const q = url.searchParams;
  let limit = parseInt(q.get('limit') ?? '', 10), offset = parseInt(q.get('offset') ?? '', 10);
  limit = !(limit > 0) ? 100 : Math.min(limit, 500);
  offset = offset > 0 ? offset : 0;
  for (const [key, raw] of q) {
    if (['limit', 'offset', 'orderby', ...ignore].includes(key.toLowerCase())) continue;
    const field = fields.find((f) => f.toLowerCase() === key.toLowerCase());
    if (!field) fail(400, `In the query, ${key} is not a known property name.`);
    const [op, value] = splitFilter(raw);
    if (opsAllowed && !opsAllowed.includes(op)) fail(400, `In the query, the operator ${op} is not supported for ${field}.`);
    rows = rows.filter((r) => {
      const v = r.flat[field], all = Array.isArray(v) ? (v.length ? v : ['']) : [v];
      return all.some((x) => OPS[op](lower(x), lower(value)));
    });
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

// String length check used by the typed contracts: [FieldName, Message, FieldValue] or null.
export function checkString(field, v, { max = Infinity, required = false } = {}) {
  if (v === undefined || v === null) return required ? [field, `${field} is required.`, null] : null;
  if (typeof v !== 'string') return [field, `${field} must be a string.`, v];
  if (required && !v.trim()) return [field, `${field} is required.`, v];
  return v.length > max ? [field, `${field} is longer than ${max} characters (${v.length}).`, v] : null;
}
