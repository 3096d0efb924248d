// Microsoft Graph stand-in: the v1.0 mail-attachment endpoints, as documented in
// ../shared/reference/graph-and-office.md (one level above the repository), over HTTPS.
// Where Graph's behaviour is not documented the stand-in picks the strictest plausible answer, and
// says so ("strict").
//
//   GET /v1.0/me                                                 the token's user (needs User.Read)
//   GET /v1.0/{me|users/{address or id}}/messages/{id}/$value    the whole message as MIME (see mime.mjs):
//        Content-Type: text/plain, no charset, no Content-Length (chunked) — what Graph sends
//        (microsoft-graph-docs-contrib#732; msgraph-sdk-java#499: contentLength -1). File and item
//        attachments are MIME parts, reference (cloud) attachments are left out; large ones stream.
//   GET .../messages/{id}/attachments[?$select=a,b&$top=n&$skip=n&$expand=...]   the list (paged)
//   GET .../attachments/{attId}[?$select=...][&$expand=microsoft.graph.itemattachment/item[($select=a,b)]]
//        one attachment (file: with contentBytes unless $select leaves it out). $expand (only that type
//        cast form, case-insensitive; "Get attachment" docs, example 3) adds to an item attachment
//        `item@odata.context` and `item`: {"@odata.type": "#microsoft.graph.message" | "#microsoft.graph.event"
//        | "#microsoft.graph.contact", id: "", ...a few of the item's fields}; $select combines with it
//        (the item is returned whatever $select names). Other $expand values: 400.
//   GET .../attachments/{attId}/$value                          raw bytes: a file with its own content type;
//        an item attachment's MIME (message: MIME, event: iCalendar, contact: vCard — "Get attachment"
//        docs) served as application/octet-stream for all three kinds (strict: the docs give no
//        Content-Type for any of them, and the one observed for a message's MIME is text/plain, not
//        message/rfc822, so a client must learn the kind from $expand; settings.typedItemValues: true
//        serves message/rfc822, text/calendar, text/vcard instead); 405 for a reference attachment (docs).
//
// Every /v1.0 request needs `Authorization: Bearer <JWT>`: RS256 against the identity
// provider's keys, exp/nbf, `aud` = the configured audience (default: this server's origin),
// `scp` with Mail.Read for the token user's own mailbox (Mail.ReadWrite also does) and
// Mail.Read.Shared (or Mail.ReadWrite.Shared) for any other (else 403 ErrorAccessDenied).
// `/me` is only the token user's own mailbox: a message of another mailbox asked for through /me
// (list, one attachment, $value, message $value) answers 404 ErrorItemNotFound (reference: "/me on a
// shared item fails with ErrorInvalidMailboxItemId / ErrorItemNotFound"; settings.foreignItemError
// "ErrorInvalidMailboxItemId" answers that code instead, also 404 — its status is not documented).
// Ids are REST ids: the EWS id with '/' -> '-' and '+' -> '_' (what convertToRestId gives);
// an id still holding '/' or '+' answers 400 ErrorInvalidIdMalformed.
// Order of checks: 401 (token) -> 400 (route) -> faults -> concurrency limit -> 403 / 404 / the answer.
//
// CORS, as Graph answers (the "Get photo" docs example's headers): `Access-Control-Allow-Origin`
// (the request's Origin echoed, `*` without one) and `Access-Control-Expose-Headers: ETag, Location,
// Preference-Applied, Content-Range, request-id, client-request-id` on every answer: NOT Retry-After
// (microsoft-graph-docs-contrib#2011, msgraph-sdk-design#76), so browser code cannot read the wait
// although throttled answers (429, 503) do send it. Preflights (OPTIONS): 200 with
// Allow-Methods GET, Allow-Headers "Authorization, Content-Type, client-request-id, prefer" and
// Max-Age 3600 (max-age: the stand-in's choice).
//
// Throttling (reference: Outlook resources allow at most 4 concurrent requests per app and mailbox;
// past it 429 with Retry-After): by default (strict) a request to a mailbox while 4 others from the
// same app (token azp / appid) to that mailbox are in flight (arrived, answer not finished) answers 429
// {"error":{"code":"ApplicationThrottled","message":"Application is over its MailboxConcurrency limit."}}
// with Retry-After: 1 (the message as users report it on Microsoft Q&A). settings.concurrencyLimit
// changes the 4 (null: no limit).
//
// Control endpoints (tests only; no auth; CORS-enabled; JSON unless noted):
//   POST /_control/reset                      reload the fixture; clear faults, hidden messages, request log,
//                                             statistics and settings
//   POST /_control/messages                   add or replace a message given in the fixture format
//                                             (attachments by `file` relative to the fixture's folder,
//                                             `base64`, or `generate: {size, seed}` — see generate.mjs;
//                                             kind "item" with itemType message|event|contact; kind "reference");
//                                             answers {ewsId, restId, attachments: [{ewsId, restId, size}]}
//   GET  /_control/mailbox                    {tenantId, users, messages}: messages in the fixture
//                                             format plus restId, and per attachment restId, size, sha256
//   GET  /_control/messages/{ewsId|restId}    one message, same shape
//   POST /_control/messages/{ewsId|restId}/hide   {ms}: for the next ms milliseconds every /v1.0 request
//                                             about that message (list, one attachment, $value) answers
//                                             404 ErrorItemNotFound, like a draft saved in Outlook that has
//                                             not synced yet (saveAsync docs: "until the item is synced, using
//                                             the itemId will return an error"); ms 0 ends it. Answers
//                                             {ewsId, restId, hiddenUntil: ISO time or null}. The control
//                                             endpoints keep answering for it (Outlook itself has the draft).
//   GET  /_control/attachments/{restId|ewsId}/content   the raw bytes with the item's real type
//                                             (message/rfc822, text/calendar, text/vcard; this is the
//                                             simulated Outlook's source, not Graph); a reference
//                                             attachment: its sourceUrl as text/uri-list
//   GET  /_control/messages/{ewsId|restId}/mime   the same bytes raw (message/rfc822): what the simulated
//                                                Outlook hands over for item.getAsFileAsync
//   GET  /_control/mime?message={ewsId|restId}   the bytes /messages/{id}/$value sends, as JSON
//                                             {base64, sha256 (hex), size (bytes)} (for the simulated
//                                             Outlook's getAsFileAsync and byte-for-byte comparisons)
//   POST /_control/faults                     append one fault or a list. A fault:
//        {match?, mailbox?, status?, code?, message?, retryAfter?, times?=1, forMs?, cutAfterBytes?}
//        `match`: a substring of the request path with query; `mailbox`: the target mailbox's address
//        (for /me: the token user's), case-insensitive; at least one of them, and status or cutAfterBytes.
//        A matching request answers `status` with Graph's error JSON (code/message default per status:
//        404 ErrorItemNotFound, 429 ApplicationThrottled, 503 ServiceUnavailable, ...; 401 also sends
//        WWW-Authenticate) and Retry-After when retryAfter is given, or sends the real headers and the
//        first `cutAfterBytes` bytes, then closes the connection. Without forMs a fault is used up after
//        `times` matching requests. With forMs (e.g. 60000) it is a window instead: every matching
//        request for the next forMs milliseconds gets it, whatever `times`; then normal answers. A
//        window with status 429 defaults to code "TooManyRequests", message "Please retry again later."
//        (the throttling docs' sample); a 429 or 503 window sends Retry-After = retryAfter, or else the
//        seconds left in the window (rounded up, at least 1). Answers the active faults, as GET does.
//        E.g. {"mailbox": "dana.staff@example.org", "status": 429, "forMs": 90000, "code": "ApplicationThrottled"}
//        or {"match": "/attachments", "status": 404, "code": "ErrorItemNotFound"}.
//   GET  /_control/faults                     the active faults: those not used up, and windows not over
//                                             (with `until`: ISO time)
//   GET  /_control/requests                   [{t, end, method, path, status, auth: "ok"|"none"|"bad", app,
//                                             mailbox, inFlight, rejected}]: t and end are ms since the epoch
//                                             (arrival, and the answer finished or the connection closed;
//                                             end null while in flight); app the token's azp/appid, mailbox
//                                             the target address in lower case (null before they are known);
//                                             inFlight the /v1.0 requests of that app to that mailbox open
//                                             when it arrived, itself included (rejected ones too); rejected
//                                             "fault" | "concurrency" | null
//   GET  /_control/stats                      {requests, inFlight, maxInFlight, throttled, concurrencyRejected,
//                                             maxPerSecond, byMailbox: {"<address>": {requests, inFlight,
//                                             maxInFlight, throttled, concurrencyRejected, maxPerSecond}}} over
//                                             the /v1.0 requests since reset that reached a mailbox (token valid,
//                                             path known; preflights and 401s left out): inFlight open now, maxInFlight
//                                             the most open at once (requests later rejected for concurrency
//                                             included: what the client attempted), throttled the 429 and 503
//                                             answers, concurrencyRejected the 429s of the concurrency limit,
//                                             maxPerSecond the most arrivals within any 1000 ms
//   GET|POST /_control/settings               {pageSize: 20, concurrencyLimit: 4, typedItemValues: false,
//                                             foreignItemError: "ErrorItemNotFound"}; POST merges
//
// Standalone: `node tests/standins/graph/server.mjs` (GRAPH_PORT 3300, STANDIN_HOST 127.0.0.1,
// IDP_JWKS_URL default https://{STANDIN_HOST}:{IDP_PORT or 3200}/common/discovery/v2.0/keys, GRAPH_MAILBOX_FILE default
// tests/fixtures/mailbox.json, certificate from .local/certs/). Tokens are never logged.
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLocalJWKSet, createRemoteJWKSet, customFetch, errors, jwtVerify } from 'jose';
import { generateChunks } from './generate.mjs';
import { collect, itemMessageId, itemMime, itemWhen, messageMime, toRestId } from './mime.mjs';

export { toRestId };
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
// Graph's own list ("Get photo" docs, response example); no Retry-After (microsoft-graph-docs-contrib#2011).
const EXPOSED = 'ETag, Location, Preference-Applied, Content-Range, request-id, client-request-id';
const ALLOWED_HEADERS = 'Authorization, Content-Type, client-request-id, prefer';
const SELECTABLE = new Set(['id', 'name', 'contentType', 'size', 'isInline', 'lastModifiedDateTime', 'contentId', 'contentBytes']);
const ITEM_TYPES = { message: 'message/rfc822', event: 'text/calendar', contact: 'text/vcard' };
const EXPAND_ITEM = 'microsoft.graph.itemattachment/item';
const ERRORS = { // status -> [code, message] for injected faults
  400: ['BadRequest', 'Bad request.'], 401: ['InvalidAuthenticationToken', 'Access token validation failure.'],
  403: ['ErrorAccessDenied', 'Access is denied. Check credentials and try again.'],
  404: ['ErrorItemNotFound', 'The specified object was not found in the store.'],
  429: ['ApplicationThrottled', 'Application is over its MailboxConcurrency limit.'],
  500: ['generalException', 'General exception while processing.'],
  503: ['ServiceUnavailable', 'Service is temporarily unavailable. Please retry later.'],
  504: ['GatewayTimeout', 'The gateway did not receive a timely response.'],
};
const WINDOW_429 = ['TooManyRequests', 'Please retry again later.']; // the throttling docs' sample body
const FOREIGN = { // settings.foreignItemError -> [code, message]
  ErrorItemNotFound: ERRORS[404],
  ErrorInvalidMailboxItemId: ['ErrorInvalidMailboxItemId', "Item Id doesn't belong to the current mailbox."],
};
const DEFAULT_SETTINGS = { pageSize: 20, concurrencyLimit: 4, typedItemValues: false, foreignItemError: 'ErrorItemNotFound' };
const same = (a, b) => a != null && b != null && String(a).toLowerCase() === String(b).toLowerCase();

// ---- the mailbox store ------------------------------------------------------------------

function loadMessage(m, baseDir) {
  if (typeof m?.ewsId !== 'string' || typeof m.mailbox !== 'string') throw new Error('a message needs ewsId and mailbox');
  const msg = { fixture: m, restId: toRestId(m.ewsId) };
  msg.attachments = (m.attachments ?? []).map((a) => loadAttachment(a, msg, baseDir));
  return msg;
}

// An attachment: its kind, size, and open() giving its bytes as an iterable of Buffers.
function loadAttachment(a, msg, baseDir) {
  if (typeof a?.ewsId !== 'string') throw new Error('an attachment needs an ewsId');
  const kind = a.kind ?? 'file', att = { fixture: a, kind, restId: toRestId(a.ewsId), msg };
  const fixed = (bytes) => Object.assign(att, { size: bytes.length, open: () => [bytes] });
  if (kind === 'item') return fixed(itemMime(a, msg.fixture));
  if (kind === 'reference') return Object.assign(att, { size: a.size ?? 0, open: null });
  if (kind !== 'file') throw new Error(`unknown attachment kind "${kind}"`);
  if (a.base64 != null) return fixed(Buffer.from(a.base64, 'base64'));
  if (a.generate) {
    const { size, seed = 1 } = a.generate;
    return Object.assign(att, { size, open: () => generateChunks(seed, size) });
  }
  if (!a.file) throw new Error(`file attachment ${a.ewsId} needs file, base64 or generate`);
  const path = resolve(baseDir, a.file);
  return Object.assign(att, { size: statSync(path).size, open: () => createReadStream(path) });
}

async function sha256(att) {
  if (!att.open) return null;
  if (!att.sha256) {
    const hash = createHash('sha256');
    for await (const chunk of att.open()) hash.update(chunk);
    att.sha256 = hash.digest('hex');
  }
  return att.sha256;
}

// ---- Graph JSON ---------------------------------------------------------------------------

const graphDateTime = (iso) => `${new Date(iso).toISOString().slice(0, 19)}.0000000`; // dateTimeTimeZone.dateTime
const emailAddress = (p) => (p ? { emailAddress: { name: p.name ?? p.address, address: p.address } } : null);

// The attached item as `$expand=microsoft.graph.itemattachment/item` gives it ("Get attachment" docs,
// example 3: the attached message's properties, its id ""); a few fields per kind, from the fixture.
function itemJson(att, select) {
  const a = att.fixture, parent = att.msg.fixture, type = a.itemType ?? 'message', when = itemWhen(a, parent);
  const created = a.lastModifiedDateTime ?? parent.sentDateTime ?? when;
  const base = { '@odata.type': `#microsoft.graph.${type}`, id: '', createdDateTime: created, lastModifiedDateTime: created };
  const bodyText = { contentType: 'text', content: a.bodyText ?? '' };
  const json = type === 'message' ? { ...base, receivedDateTime: when, sentDateTime: when, hasAttachments: false,
    internetMessageId: itemMessageId(a), subject: a.subject ?? a.name ?? '', importance: 'normal', isRead: true, isDraft: false,
    body: bodyText, sender: emailAddress(a.from ?? parent.from), from: emailAddress(a.from ?? parent.from),
    toRecipients: (a.to ?? parent.to ?? []).map(emailAddress), ccRecipients: (a.cc ?? []).map(emailAddress) }
    : type === 'event' ? { ...base, subject: a.subject ?? a.name ?? '', body: bodyText, isAllDay: false,
      start: { dateTime: graphDateTime(when), timeZone: 'UTC' },
      end: { dateTime: graphDateTime(a.end ?? new Date(Date.parse(when) + 3600e3).toISOString()), timeZone: 'UTC' },
      location: { displayName: a.location ?? '' }, organizer: emailAddress(a.organizer ?? parent.from) }
      : (() => {
        const fn = a.displayName ?? a.subject ?? '', [given = '', ...rest] = fn.split(' ');
        return { ...base, displayName: fn, givenName: a.givenName ?? given, surname: a.surname ?? rest.join(' '),
          emailAddresses: a.email ? [{ name: fn, address: a.email }] : [], companyName: a.company ?? null };
      })();
  if (!select) return json;
  const keep = new Set(['@odata.type', 'id', ...select]);
  return Object.fromEntries(Object.entries(json).filter(([k]) => keep.has(k)));
}

async function attachmentJson(att, select, expand, itemContext) {
  const a = att.fixture, file = att.kind === 'file';
  const json = {
    '@odata.type': `#microsoft.graph.${att.kind}Attachment`,
    ...(file && { '@odata.mediaContentType': a.contentType ?? 'application/octet-stream' }),
    id: att.restId,
    lastModifiedDateTime: a.lastModifiedDateTime ?? att.msg.fixture.sentDateTime ?? null,
    name: a.name ?? a.subject ?? null,
    contentType: att.kind === 'item' ? null : a.contentType ?? (file ? 'application/octet-stream' : null),
    size: att.size,
    isInline: Boolean(a.isInline),
    ...(file && { contentId: a.isInline ? a.contentId ?? null : null }),
  };
  if (file && (!select || select.includes('contentBytes'))) json.contentBytes = (await collect(att.open())).toString('base64');
  const out = select ? Object.fromEntries(Object.entries(json).filter(([k]) =>
    ['@odata.type', '@odata.mediaContentType', 'id', ...select].includes(k))) : json;
  if (expand && att.kind === 'item') Object.assign(out, { 'item@odata.context': itemContext(att), item: itemJson(att, expand.select) });
  return out;
}

// $expand: only `microsoft.graph.itemattachment/item`, optionally `($select=a,b)`. -> {select} | {error} | null
function parseExpand(raw) {
  if (raw == null) return null;
  const m = /^\s*([^()\s]+)\s*(?:\(\s*\$select\s*=\s*([^()]*)\))?\s*$/i.exec(raw);
  if (!m || m[1].toLowerCase() !== EXPAND_ITEM)
    return { error: `Parsing OData Select and Expand failed: Could not find a property named '${(m?.[1] ?? raw).split('/').at(-1)}' on type 'microsoft.graph.attachment'.` };
  return { select: m[2]?.split(',').map((s) => s.trim()).filter(Boolean) ?? null };
}

// ---- the server -----------------------------------------------------------------------------

export async function start({ host = '127.0.0.1', port = 3300, tls, mailboxFile = resolve(REPO, 'tests/fixtures/mailbox.json'),
  jwksUrl, publicKeys, audience } = {}) {
  const keys = publicKeys ? createLocalJWKSet(publicKeys)
    : jwksUrl ? createRemoteJWKSet(new URL(jwksUrl), { [customFetch]: fetchTrusting(tls.cert) })
      : (() => { throw new Error('graph stand-in: pass jwksUrl or publicKeys'); })();
  const baseDir = dirname(mailboxFile);
  let fixture, messages, faults, log, settings, hidden, stats;
  // Requests in flight: `open` counts every /v1.0 request to a mailbox (for the statistics), `admitted`
  // only those let through the concurrency limit (for the limit), keyed by app and mailbox.
  let open, admitted, openAll;
  const reset = () => {
    settings = { ...DEFAULT_SETTINGS };
    fixture = JSON.parse(readFileSync(mailboxFile, 'utf8'));
    messages = new Map(fixture.messages.map((m) => loadMessage(m, baseDir)).map((m) => [m.restId, m]));
    faults = []; log = []; hidden = new Map(); // restId -> time (ms) until which /v1.0 answers 404
    stats = { all: newStats(), byMailbox: new Map() };
    open = new Map(); admitted = new Map(); openAll = 0;
  };
  const newStats = () => ({ requests: 0, inFlight: 0, maxInFlight: 0, throttled: 0, concurrencyRejected: 0 });
  reset();

  const describe = async (msg) => ({ ...msg.fixture, restId: msg.restId,
    attachments: await Promise.all(msg.attachments.map(async (a) => ({ ...a.fixture, restId: a.restId, size: a.size, sha256: await sha256(a) }))) });
  const findMessage = (id) => messages.get(id) ?? messages.get(toRestId(id));
  const findAttachment = (id) => [...messages.values()].flatMap((m) => m.attachments).find((a) => a.restId === toRestId(id));

  async function authenticate(req) {
    const header = req.headers.authorization;
    if (!header) return { state: 'none', message: 'Access token is empty.' };
    const token = /^Bearer +(\S+)$/i.exec(header)?.[1];
    if (!token) return { state: 'bad', message: 'Access token is empty.' };
    try {
      const { payload } = await jwtVerify(token, keys, { algorithms: ['RS256'], audience: audience ?? serverUrl, requiredClaims: ['exp'] });
      return { state: 'ok', claims: payload };
    } catch (e) {
      const keyTrouble = !(e instanceof errors.JOSEError) || ['ERR_JOSE_GENERIC', 'ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID'].includes(e.code);
      if (keyTrouble) console.error(`graph stand-in: could not get the signing keys: ${e.code ?? ''} ${e.message}`);
      const message = e.code === 'ERR_JWT_EXPIRED' ? 'Lifetime validation failed, the token is expired.'
        : e.claim === 'nbf' ? 'Lifetime validation failed, the token is not yet valid.'
          : e.claim === 'aud' ? 'Access token validation failure. Invalid audience.'
            : `Access token validation failure (${e.code ?? 'could not get the signing keys'}).`;
      return { state: 'bad', message };
    }
  }

  const activeFaults = () => {
    const now = Date.now();
    return (faults = faults.filter((f) => f.until == null || f.until > now));
  };
  function takeFault(path, mailbox) {
    const fault = activeFaults().find((f) => (f.match == null || path.includes(f.match)) && (f.mailbox == null || same(f.mailbox, mailbox)));
    if (fault && fault.until == null && --fault.times <= 0) faults.splice(faults.indexOf(fault), 1);
    return fault;
  }
  const faultsJson = () => activeFaults().map(({ until, ...f }) => ({ ...f, ...(until != null && { until: new Date(until).toISOString() }) }));

  // Counts a request to a mailbox in flight until its answer is finished or its connection closes.
  function track(ctx, app, mailbox) {
    const entry = ctx.entry, key = `${app}\n${mailbox}`;
    entry.app = app; entry.mailbox = mailbox;
    const box = stats.byMailbox.get(mailbox) ?? stats.byMailbox.set(mailbox, newStats()).get(mailbox);
    for (const s of [stats.all, box]) s.requests++;
    open.set(key, (open.get(key) ?? 0) + 1);
    entry.inFlight = open.get(key);
    box.inFlight++; box.maxInFlight = Math.max(box.maxInFlight, box.inFlight);
    stats.all.inFlight = ++openAll; stats.all.maxInFlight = Math.max(stats.all.maxInFlight, openAll);
    ctx.box = box;
    ctx.res.once('close', () => { open.set(key, open.get(key) - 1); box.inFlight--; stats.all.inFlight = --openAll; });
    return key;
  }

  // Sends a whole response; with ctx.cut, only the headers and the first ctx.cut bytes, then closes.
  async function send(ctx, status, headers, body) {
    if (ctx.entry) ctx.entry.status = status;
    if (ctx.box && (status === 429 || status === 503)) for (const s of [stats.all, ctx.box]) s.throttled++;
    ctx.res.writeHead(status, headers);
    if (ctx.cut == null) return Buffer.isBuffer(body) ? ctx.res.end(body) : pipeline(body, ctx.res).catch(() => {});
    const parts = [];
    let left = ctx.cut;
    for await (const chunk of Buffer.isBuffer(body) ? [body] : body) {
      parts.push(chunk.subarray(0, left));
      if ((left -= parts.at(-1).length) <= 0) break;
    }
    ctx.res.flushHeaders();
    ctx.res.write(Buffer.concat(parts), () => ctx.res.socket?.end());
  }
  const itemType = (att) => (settings.typedItemValues ? ITEM_TYPES[att.fixture.itemType ?? 'message'] : 'application/octet-stream');
  const sendBytes = (ctx, att, typeOf = itemType) => send(ctx, 200, { 'Content-Length': att.size, 'Content-Type': att.kind === 'item'
    ? typeOf(att) : att.fixture.contentType ?? 'application/octet-stream' }, att.open());
  const sendJson = (ctx, status, value, extra = {}) => {
    const body = Buffer.from(JSON.stringify(value));
    return send(ctx, status, { 'Content-Type': 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8',
      'Content-Length': body.length, ...extra }, body);
  };
  const sendError = (ctx, status, code, message, extra = {}) => sendJson(ctx, status, { error: { code, message,
    innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': ctx.requestId, 'client-request-id': ctx.clientRequestId } } }, extra);
  const unauthorized = (ctx, message, presented) => sendError(ctx, 401, 'InvalidAuthenticationToken', message, {
    'WWW-Authenticate': `Bearer realm="", client_id="${GRAPH_APP_ID}"${presented ? `, error="invalid_token", error_description="${message}"` : ''}` });

  function answerFault(ctx, fault) {
    const windowed = fault.until != null, throttling = fault.status === 429 || fault.status === 503;
    const [code, message] = windowed && fault.status === 429 ? WINDOW_429 : ERRORS[fault.status] ?? ['UnknownError', `HTTP ${fault.status}.`];
    const retryAfter = fault.retryAfter ?? (windowed && throttling ? Math.max(1, Math.ceil((fault.until - Date.now()) / 1000)) : null);
    ctx.entry.rejected = 'fault';
    if (fault.status === 401) return unauthorized(ctx, fault.message ?? message, true);
    return sendError(ctx, fault.status, fault.code ?? code, fault.message ?? message, retryAfter != null ? { 'Retry-After': String(retryAfter) } : {});
  }

  async function graph(ctx, req, url) {
    const entry = ctx.entry = { t: ctx.t, end: null, method: req.method, path: req.url, status: null, auth: 'none',
      app: null, mailbox: null, inFlight: null, rejected: null };
    log.push(entry);
    ctx.res.once('close', () => { entry.end = Date.now(); });
    if (req.method === 'OPTIONS') return preflight(ctx, 'GET');
    const auth = await authenticate(req);
    entry.auth = auth.state;
    if (auth.state !== 'ok') return unauthorized(ctx, auth.message, auth.state === 'bad');

    const route = /^\/v1\.0\/(?:me|users\/([^/]+))(?:\/messages\/([^/]+)(?:(\/\$value)|\/attachments(?:\/([^/]+)(\/\$value)?)?))?$/.exec(url.pathname);
    if (!route || (!route[2] && route[1])) return sendError(ctx, 400, 'BadRequest', `Resource not found for the segment '${url.pathname.split('/').at(-1)}'.`);
    const [userSeg, msgId, , attId] = route.slice(1, 5).map((s) => (s == null ? s : decodeURIComponent(s)));
    const messageValue = Boolean(route[3]), value = Boolean(route[5]), claims = auth.claims;
    const scopes = new Set(String(claims.scp ?? '').split(' '));
    const me = fixture.users.find((u) => u.id === claims.oid) ?? fixture.users.find((u) => same(u.mail, claims.preferred_username))
      ?? { id: claims.oid ?? claims.sub, displayName: claims.name ?? null, mail: claims.preferred_username ?? null };
    const target = userSeg == null ? me : fixture.users.find((u) => u.id === userSeg || same(u.mail, userSeg) || same(u.userPrincipalName, userSeg))
      ?? (userSeg.includes('@') ? { mail: userSeg } : null);
    const mailbox = String(target?.mail ?? userSeg ?? '').toLowerCase() || null;
    const key = track(ctx, claims.azp ?? claims.appid ?? null, mailbox);

    const fault = takeFault(req.url, mailbox);
    if (fault?.status) return answerFault(ctx, fault);
    ctx.cut = fault?.cutAfterBytes;
    // At most settings.concurrencyLimit (Graph: 4) requests per app and mailbox in flight (reference).
    if (settings.concurrencyLimit && (admitted.get(key) ?? 0) >= settings.concurrencyLimit) {
      entry.rejected = 'concurrency';
      for (const s of [stats.all, ctx.box]) s.concurrencyRejected++;
      return sendError(ctx, 429, ...ERRORS[429], { 'Retry-After': '1' });
    }
    admitted.set(key, (admitted.get(key) ?? 0) + 1);
    ctx.res.once('close', () => admitted.set(key, admitted.get(key) - 1));

    if (req.method !== 'GET') return sendError(ctx, 405, 'ErrorInvalidRequest', `The ${req.method} method is not supported by this resource.`);
    const origin = `https://${req.headers.host}`;
    const denied = () => sendError(ctx, 403, ...ERRORS[403]);

    if (!msgId) { // GET /v1.0/me
      if (!['User.Read', 'User.ReadWrite', 'User.ReadBasic.All', 'User.Read.All'].some((s) => scopes.has(s))) return denied();
      return sendJson(ctx, 200, { '@odata.context': `${origin}/v1.0/$metadata#users/$entity`,
        id: me.id, displayName: me.displayName, mail: me.mail, userPrincipalName: me.userPrincipalName ?? me.mail });
    }
    if (!target) return sendError(ctx, 404, 'ErrorInvalidUser', `The requested user '${userSeg}' is invalid.`);
    const own = same(target.mail, me.mail);
    if (!(own ? ['Mail.Read', 'Mail.ReadWrite'] : ['Mail.Read.Shared', 'Mail.ReadWrite.Shared']).some((s) => scopes.has(s))) return denied();
    if (/[/+]/.test(msgId) || /[/+]/.test(attId ?? '')) return sendError(ctx, 400, 'ErrorInvalidIdMalformed', 'Id is malformed.');
    const msg = messages.get(msgId);
    if (!msg || (hidden.get(msg.restId) ?? 0) > Date.now()) return sendError(ctx, 404, ...ERRORS[404]);
    if (!same(msg.fixture.mailbox, target.mail)) // another mailbox's item: through /me, or the wrong /users/{mailbox}
      return sendError(ctx, 404, ...(userSeg == null ? FOREIGN[settings.foreignItemError] ?? ERRORS[404] : ERRORS[404]));

    if (messageValue) // the whole message as MIME: text/plain, streamed (chunked, no Content-Length)
      return send(ctx, 200, { 'Content-Type': 'text/plain' }, messageMime(msg.fixture, msg.attachments));

    const params = url.searchParams, select = params.get('$select')?.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = select?.find((p) => !SELECTABLE.has(p));
    if (unknown) return sendError(ctx, 400, 'RequestBroker--ParseUri', `Could not find a property named '${unknown}' on type 'microsoft.graph.attachment'.`);
    const expand = parseExpand(params.get('$expand'));
    if (expand?.error) return sendError(ctx, 400, 'BadRequest', expand.error);
    const entitySet = `${origin}/v1.0/$metadata#users('${encodeURIComponent(userSeg ?? me.id)}')/messages('${encodeURIComponent(msgId)}')/attachments`;
    const context = `${entitySet}${select ? `(${select.join(',')})` : ''}`;
    const itemContext = (att) => `${entitySet}('${encodeURIComponent(att.restId)}')/microsoft.graph.itemAttachment/item/$entity`;

    if (!attId) { // the list, paged with $top / $skip
      const [top, skip] = ['$top', '$skip'].map((p) => params.get(p));
      if ((top != null && !/^[1-9]\d*$/.test(top)) || (skip != null && !/^\d+$/.test(skip)))
        return sendError(ctx, 400, 'BadRequest', 'Invalid $top or $skip value.');
      const size = top ? Number(top) : settings.pageSize, from = Number(skip ?? 0);
      const page = await Promise.all(msg.attachments.slice(from, from + size).map((a) => attachmentJson(a, select, expand, itemContext)));
      const next = new URL(`${origin}${url.pathname}${url.search}`);
      next.searchParams.set('$skip', String(from + size));
      return sendJson(ctx, 200, { '@odata.context': context, value: page,
        ...(from + size < msg.attachments.length && { '@odata.nextLink': next.href }) });
    }
    const att = msg.attachments.find((a) => a.restId === attId);
    if (!att) return sendError(ctx, 404, ...ERRORS[404]);
    if (!value) return sendJson(ctx, 200, { '@odata.context': `${context}/$entity`, ...(await attachmentJson(att, select, expand, itemContext)) });
    if (!att.open) return sendError(ctx, 405, 'ErrorInvalidRequest', 'The raw content of a reference attachment cannot be read; use its link.');
    return sendBytes(ctx, att);
  }

  function preflight(ctx, methods) {
    return send(ctx, 200, { 'Access-Control-Allow-Methods': methods, 'Access-Control-Allow-Headers': ALLOWED_HEADERS,
      'Access-Control-Max-Age': '3600', 'Content-Length': 0 }, Buffer.alloc(0));
  }

  // The most arrivals (t) within any 1000 ms.
  const perSecond = (entries) => {
    const ts = entries.map((e) => e.t).sort((a, b) => a - b);
    let best = 0;
    for (let i = 0, j = 0; j < ts.length; j++) {
      while (ts[j] - ts[i] >= 1000) i++;
      best = Math.max(best, j - i + 1);
    }
    return best;
  };

  async function control(ctx, req, url) {
    const path = url.pathname.slice('/_control'.length), method = req.method;
    const json = (value, status = 200) => sendJson(ctx, status, value);
    const fail = (status, error) => json({ error }, status);
    if (method === 'OPTIONS') return preflight(ctx, 'GET, POST');
    let body;
    if (method === 'POST') {
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      try { body = chunks.length ? JSON.parse(Buffer.concat(chunks)) : {}; } catch { return fail(400, 'the body is not JSON'); }
    }
    const [, kind, rawId, sub = ''] = /^\/(messages|attachments)\/(.+?)(\/content|\/hide|\/mime)?$/.exec(path) ?? [];
    const route = `${method} ${kind ? `/${kind}/{id}${sub}` : path}`, id = () => decodeURIComponent(rawId);
    switch (route) {
      case 'POST /reset': reset(); return json({ ok: true });
      case 'POST /messages': {
        let msg;
        try { msg = loadMessage(body, baseDir); } catch (e) { return fail(400, e.message); }
        messages.set(msg.restId, msg);
        return json({ ewsId: msg.fixture.ewsId, restId: msg.restId, attachments: msg.attachments.map((a) => ({ ewsId: a.fixture.ewsId, restId: a.restId, size: a.size })) });
      }
      case 'GET /mailbox': {
        const { messages: _, ...rest } = fixture;
        return json({ ...rest, messages: await Promise.all([...messages.values()].map(describe)) });
      }
      case 'GET /messages/{id}': {
        const msg = findMessage(id());
        return msg ? json(await describe(msg)) : fail(404, 'no such message');
      }
      case 'POST /messages/{id}/hide': {
        const msg = findMessage(id());
        if (!msg) return fail(404, 'no such message');
        if (!Number.isInteger(body.ms) || body.ms < 0) return fail(400, 'ms is a non-negative integer (milliseconds)');
        const until = Date.now() + body.ms;
        if (body.ms) hidden.set(msg.restId, until); else hidden.delete(msg.restId);
        return json({ ewsId: msg.fixture.ewsId, restId: msg.restId, hiddenUntil: body.ms ? new Date(until).toISOString() : null });
      }
      case 'GET /attachments/{id}/content': {
        const att = findAttachment(id());
        if (!att) return fail(404, 'no such attachment');
        if (!att.open) return send(ctx, 200, { 'Content-Type': 'text/uri-list' }, Buffer.from(`${att.fixture.sourceUrl ?? ''}\r\n`));
        return sendBytes(ctx, att, (a) => ITEM_TYPES[a.fixture.itemType ?? 'message']);
      }
      // The same bytes raw, for the simulated Outlook's item.getAsFileAsync.
      case 'GET /messages/{id}/mime': {
        const msg = findMessage(id());
        if (!msg) return fail(404, 'no such message');
        return send(ctx, 200, { 'Content-Type': 'message/rfc822' }, await collect(messageMime(msg.fixture, msg.attachments)));
      }
      case 'GET /mime': {
        const ref = url.searchParams.get('message');
        if (!ref) return fail(400, 'give ?message=<ewsId or restId>');
        const msg = findMessage(ref);
        if (!msg) return fail(404, 'no such message');
        const bytes = await collect(messageMime(msg.fixture, msg.attachments));
        return json({ base64: bytes.toString('base64'), sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length });
      }
      case 'POST /faults': {
        const list = Array.isArray(body) ? body : [body];
        const valid = (f) => (typeof f?.match === 'string' || typeof f?.mailbox === 'string')
          && (Number.isInteger(f.status) || Number.isInteger(f.cutAfterBytes))
          && (f.forMs == null || (Number.isInteger(f.forMs) && f.forMs > 0));
        if (!list.every(valid))
          return fail(400, 'each fault needs match or mailbox, status or cutAfterBytes, and forMs (if any) a positive integer');
        const now = Date.now();
        faults.push(...list.map(({ forMs, ...f }) => ({ ...f, times: f.times ?? 1, ...(forMs != null && { forMs, until: now + forMs }) })));
        return json(faultsJson());
      }
      case 'GET /faults': return json(faultsJson());
      case 'GET /requests': return json(log);
      case 'GET /stats': {
        const counts = (s, entries) => ({ ...s, maxPerSecond: perSecond(entries) });
        const counted = log.filter((e) => e.mailbox != null);
        return json({ ...counts(stats.all, counted), byMailbox: Object.fromEntries([...stats.byMailbox]
          .map(([box, s]) => [box, counts(s, counted.filter((e) => e.mailbox === box))])) });
      }
      case 'POST /settings': {
        const bad = [body.pageSize ?? 1, body.concurrencyLimit ?? 1].some((n) => !Number.isInteger(n) || n <= 0)
          || (body.typedItemValues != null && typeof body.typedItemValues !== 'boolean')
          || (body.foreignItemError != null && !FOREIGN[body.foreignItemError]);
        if (bad) return fail(400, 'pageSize and concurrencyLimit are positive integers (concurrencyLimit null: no limit), '
          + 'typedItemValues a boolean, foreignItemError "ErrorItemNotFound" or "ErrorInvalidMailboxItemId"');
        Object.assign(settings, body);
      } // falls through
      case 'GET /settings': return json(settings);
      default: return fail(404, `no control endpoint ${method} /_control${path}`);
    }
  }

  const server = https.createServer({ key: tls.key, cert: tls.cert }, async (req, res) => {
    const ctx = { res, t: Date.now(), requestId: randomUUID(), clientRequestId: req.headers['client-request-id'] || randomUUID() };
    res.setHeader('request-id', ctx.requestId);
    res.setHeader('client-request-id', ctx.clientRequestId);
    res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
    res.setHeader('Access-Control-Expose-Headers', EXPOSED);
    if (req.headers.origin) res.setHeader('Vary', 'Origin');
    const url = new URL(req.url, 'https://graph.invalid');
    try {
      if (url.pathname.startsWith('/_control/')) await control(ctx, req, url);
      else await graph(ctx, req, url);
    } catch (e) {
      if (res.headersSent) return res.destroy();
      if (e instanceof URIError) return sendError(ctx, 400, 'BadRequest', 'The request URL is not correctly encoded.');
      console.error('graph stand-in:', e);
      sendError(ctx, 500, ...ERRORS[500]);
    }
  });
  await new Promise((ok, fail) => server.once('error', fail).listen(port, host, ok));
  const serverUrl = `https://${host}:${server.address().port}`;
  return {
    url: serverUrl,
    close: () => new Promise((ok) => { server.close(() => ok()); server.closeAllConnections(); }),
  };
}

// jose fetches the JWKS with this: node:https, trusting the stand-ins' throwaway certificate too.
function fetchTrusting(cert) {
  const ca = [...rootCertificates, cert];
  return (url, { headers, signal }) => new Promise((ok, fail) => {
    https.get(url, { ca, rejectUnauthorized: true, headers: Object.fromEntries(headers), signal }, (r) => {
      const chunks = [];
      r.on('data', (c) => chunks.push(c)).on('error', fail)
        .on('end', () => ok(new Response(Buffer.concat(chunks), { status: r.statusCode })));
    }).on('error', fail);
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const env = process.env, host = env.STANDIN_HOST || '127.0.0.1';
  const certs = resolve(REPO, '.local/certs');
  const server = await start({
    host, port: Number(env.GRAPH_PORT || 3300),
    tls: { key: readFileSync(resolve(certs, 'key.pem')), cert: readFileSync(resolve(certs, 'cert.pem')) },
    mailboxFile: env.GRAPH_MAILBOX_FILE ? resolve(env.GRAPH_MAILBOX_FILE) : undefined,
    jwksUrl: env.IDP_JWKS_URL || `https://${host}:${env.IDP_PORT || 3200}/common/discovery/v2.0/keys`,
  });
  console.log(`graph stand-in listening on ${server.url}`);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close().then(() => process.exit(0)));
}
