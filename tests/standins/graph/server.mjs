// Microsoft Graph stand-in: the v1.0 mail-attachment endpoints, as documented in
// ../shared/reference/graph-and-office.md (one level above the repository), over HTTPS.
//
//   GET /v1.0/me                                                 the token's user
//   GET /v1.0/{me|users/{address or id}}/messages/{id}/attachments[?$select=a,b&$top=n&$skip=n]
//   GET .../attachments/{attId}[?$select=...]                   one attachment (with contentBytes)
//   GET .../attachments/{attId}/$value                          raw bytes; MIME / iCalendar / vCard
//                                                               for item attachments; 405 for reference
// Every /v1.0 request needs `Authorization: Bearer <JWT>`: RS256 against the identity
// provider's keys, exp/nbf, `aud` = the configured audience (default: this server's origin),
// `scp` with Mail.Read for the token user's own mailbox (Mail.ReadWrite also does) and
// Mail.Read.Shared (or Mail.ReadWrite.Shared) for any other; GET /v1.0/me needs User.Read.
// Ids are REST ids: the EWS id with '/' -> '-' and '+' -> '_' (what convertToRestId gives);
// an id still holding '/' or '+' answers 400 ErrorInvalidIdMalformed.
//
// Control endpoints (tests only; no auth; CORS-enabled; JSON unless noted):
//   POST /_control/reset                      reload the fixture; clear faults, hidden messages, request log
//                                             and settings
//   POST /_control/messages                   add or replace a message given in the fixture format
//                                             (attachments by `file` relative to the fixture's folder,
//                                             `base64`, or `generate: {size, seed}` — see generate.mjs);
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
//   GET  /_control/attachments/{restId|ewsId}/content   the raw bytes (the reference attachment: its
//                                             sourceUrl as text/uri-list)
//   POST /_control/faults                     append [{match, status?, retryAfter?, times?=1,
//                                             cutAfterBytes?, code?, message?}]; `match` is a substring of
//                                             the request path with query; a fault answers `status` (Graph
//                                             error JSON, Retry-After if given) or sends the real headers and
//                                             the first `cutAfterBytes` bytes, then closes the connection
//   GET  /_control/faults                     the faults not used up yet
//   GET  /_control/requests                   [{t, method, path, status, auth: "ok"|"none"|"bad"}]
//   GET|POST /_control/settings               {pageSize: 20, concurrencyLimit: null}; POST merges. With
//                                             concurrencyLimit n, /v1.0 requests past n in flight get 429
//                                             ApplicationThrottled with Retry-After: 1 (Graph allows 4).
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

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const EXPOSED = 'Retry-After, request-id, client-request-id, Content-Length, Content-Type';
const ALLOWED_HEADERS = 'Authorization, Content-Type, client-request-id, prefer';
const SELECTABLE = new Set(['id', 'name', 'contentType', 'size', 'isInline', 'lastModifiedDateTime', 'contentId', 'contentBytes']);
const ITEM_TYPES = { message: 'message/rfc822', event: 'text/calendar', contact: 'text/vcard' };
const ERRORS = { // status -> [code, message] for injected faults
  400: ['BadRequest', 'Bad request.'], 401: ['InvalidAuthenticationToken', 'Access token validation failure.'],
  403: ['ErrorAccessDenied', 'Access is denied. Check credentials and try again.'],
  404: ['ErrorItemNotFound', 'The specified object was not found in the store.'],
  429: ['ApplicationThrottled', 'Application is over its MailboxConcurrency limit.'],
  500: ['generalException', 'General exception while processing.'],
  503: ['ServiceUnavailable', 'Service is temporarily unavailable. Please retry later.'],
  504: ['GatewayTimeout', 'The gateway did not receive a timely response.'],
};

export const toRestId = (ewsId) => ewsId.replace(/\//g, '-').replace(/\+/g, '_');
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

// An item attachment's MIME text, from its fixture fields (itemType, subject and optional extras).
function itemMime(a, parent) {
  const crlf = (lines) => Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
  const header = (s) => (/^[\x20-\x7e]*$/.test(s) ? s : `=?utf-8?B?${Buffer.from(s).toString('base64')}?=`);
  const addr = (p) => (p ? `${p.name ? `"${header(p.name)}" ` : ''}<${p.address}>` : '');
  const text = (s) => String(s ?? '').replace(/[\\;,]/g, '\\$&').replace(/\r?\n/g, '\\n'); // iCalendar/vCard TEXT
  const stamp = (iso) => new Date(iso).toISOString().replace(/[-:]|\.\d+/g, '');
  const subject = a.subject ?? a.name ?? '';
  const when = a.sentDateTime ?? a.start ?? parent.sentDateTime ?? '2026-01-01T00:00:00Z';
  switch (a.itemType ?? 'message') {
    case 'message': return crlf([
      `From: ${addr(a.from ?? parent.from)}`, `To: ${(a.to ?? parent.to ?? []).map(addr).join(', ')}`,
      `Subject: ${header(subject)}`, `Date: ${new Date(when).toUTCString()}`,
      `Message-ID: ${a.internetMessageId ?? `<${toRestId(a.ewsId).slice(-16)}@standin.invalid>`}`,
      'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit',
      '', ...String(a.bodyText ?? '').split('\n')]);
    case 'event': return crlf([
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Save to iMIS tests//Graph stand-in//EN', 'METHOD:PUBLISH',
      'BEGIN:VEVENT', `UID:${toRestId(a.ewsId)}`, `DTSTAMP:${stamp(parent.sentDateTime ?? when)}`,
      `DTSTART:${stamp(when)}`, `DTEND:${stamp(a.end ?? new Date(Date.parse(when) + 3600e3).toISOString())}`,
      `SUMMARY:${text(subject)}`, ...(a.location ? [`LOCATION:${text(a.location)}`] : []),
      ...(a.bodyText ? [`DESCRIPTION:${text(a.bodyText)}`] : []), 'END:VEVENT', 'END:VCALENDAR']);
    case 'contact': {
      const fn = a.displayName ?? subject, [given = '', ...rest] = fn.split(' ');
      return crlf(['BEGIN:VCARD', 'VERSION:3.0', `N:${text(a.surname ?? rest.join(' '))};${text(a.givenName ?? given)};;;`,
        `FN:${text(fn)}`, ...(a.email ? [`EMAIL;TYPE=INTERNET:${a.email}`] : []),
        ...(a.company ? [`ORG:${text(a.company)}`] : []), 'END:VCARD']);
    }
    default: throw new Error(`unknown itemType "${a.itemType}"`);
  }
}

// ---- Graph JSON ---------------------------------------------------------------------------

async function attachmentJson(att, select) {
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
  if (file && (!select || select.includes('contentBytes'))) {
    const chunks = [];
    for await (const chunk of att.open()) chunks.push(chunk);
    json.contentBytes = Buffer.concat(chunks).toString('base64');
  }
  if (!select) return json;
  const keep = new Set(['@odata.type', '@odata.mediaContentType', 'id', ...select]);
  return Object.fromEntries(Object.entries(json).filter(([k]) => keep.has(k)));
}

// ---- the server -----------------------------------------------------------------------------

export async function start({ host = '127.0.0.1', port = 3300, tls, mailboxFile = resolve(REPO, 'tests/fixtures/mailbox.json'),
  jwksUrl, publicKeys, audience } = {}) {
  const keys = publicKeys ? createLocalJWKSet(publicKeys)
    : jwksUrl ? createRemoteJWKSet(new URL(jwksUrl), { [customFetch]: fetchTrusting(tls.cert) })
      : (() => { throw new Error('graph stand-in: pass jwksUrl or publicKeys'); })();
  const baseDir = dirname(mailboxFile);
  let fixture, messages, faults, log, settings, hidden, inFlight = 0;
  const reset = () => {
    settings = { pageSize: 20, concurrencyLimit: null };
    fixture = JSON.parse(readFileSync(mailboxFile, 'utf8'));
    messages = new Map(fixture.messages.map((m) => loadMessage(m, baseDir)).map((m) => [m.restId, m]));
    faults = []; log = []; hidden = new Map(); // restId -> time (ms) until which /v1.0 answers 404
  };
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

  function takeFault(path) {
    const fault = faults.find((f) => path.includes(f.match));
    if (fault && --fault.times <= 0) faults.splice(faults.indexOf(fault), 1);
    return fault;
  }

  // Sends a whole response; with ctx.cut, only the headers and the first ctx.cut bytes, then closes.
  async function send(ctx, status, headers, body) {
    if (ctx.entry) ctx.entry.status = status;
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
  const sendBytes = (ctx, att) => send(ctx, 200, { 'Content-Length': att.size, 'Content-Type': att.kind === 'item'
    ? ITEM_TYPES[att.fixture.itemType ?? 'message'] : att.fixture.contentType ?? 'application/octet-stream' }, att.open());
  const sendJson = (ctx, status, value, extra = {}) => {
    const body = Buffer.from(JSON.stringify(value));
    return send(ctx, status, { 'Content-Type': 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8',
      'Content-Length': body.length, ...extra }, body);
  };
  const sendError = (ctx, status, code, message, extra = {}) => sendJson(ctx, status, { error: { code, message,
    innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': ctx.requestId, 'client-request-id': ctx.clientRequestId } } }, extra);
  const unauthorized = (ctx, message, presented) => sendError(ctx, 401, 'InvalidAuthenticationToken', message, {
    'WWW-Authenticate': `Bearer realm="", client_id="${GRAPH_APP_ID}"${presented ? `, error="invalid_token", error_description="${message}"` : ''}` });

  async function graph(ctx, req, url) {
    const entry = ctx.entry = { t: ctx.t, method: req.method, path: req.url, status: null, auth: 'none' };
    log.push(entry);
    if (req.method === 'OPTIONS') return preflight(ctx, 'GET');
    const auth = await authenticate(req);
    entry.auth = auth.state;
    const fault = takeFault(req.url);
    if (fault?.status) {
      const [code, message] = ERRORS[fault.status] ?? ['UnknownError', `HTTP ${fault.status}.`];
      const extra = fault.retryAfter != null ? { 'Retry-After': String(fault.retryAfter) } : {};
      if (fault.status === 401) return unauthorized(ctx, fault.message ?? message, true);
      return sendError(ctx, fault.status, fault.code ?? code, fault.message ?? message, extra);
    }
    ctx.cut = fault?.cutAfterBytes;
    if (settings.concurrencyLimit && inFlight >= settings.concurrencyLimit)
      return sendError(ctx, 429, ...ERRORS[429], { 'Retry-After': '1' });
    inFlight++;
    ctx.res.once('close', () => inFlight--);
    if (auth.state !== 'ok') return unauthorized(ctx, auth.message, auth.state === 'bad');

    const route = /^\/v1\.0\/(?:me|users\/([^/]+))(?:\/messages\/([^/]+)\/attachments(?:\/([^/]+)(\/\$value)?)?)?$/.exec(url.pathname);
    if (!route || (!route[2] && route[1])) return sendError(ctx, 400, 'BadRequest', `Resource not found for the segment '${url.pathname.split('/').at(-1)}'.`);
    if (req.method !== 'GET') return sendError(ctx, 405, 'ErrorInvalidRequest', `The ${req.method} method is not supported by this resource.`);
    const [userSeg, msgId, attId] = route.slice(1, 4).map((s) => (s == null ? s : decodeURIComponent(s)));
    const value = Boolean(route[4]), claims = auth.claims, scopes = new Set(String(claims.scp ?? '').split(' '));
    const me = fixture.users.find((u) => u.id === claims.oid) ?? fixture.users.find((u) => same(u.mail, claims.preferred_username))
      ?? { id: claims.oid ?? claims.sub, displayName: claims.name ?? null, mail: claims.preferred_username ?? null };
    const origin = `https://${req.headers.host}`;
    const denied = () => sendError(ctx, 403, ...ERRORS[403]);

    if (!msgId) { // GET /v1.0/me
      if (!['User.Read', 'User.ReadWrite', 'User.ReadBasic.All', 'User.Read.All'].some((s) => scopes.has(s))) return denied();
      return sendJson(ctx, 200, { '@odata.context': `${origin}/v1.0/$metadata#users/$entity`,
        id: me.id, displayName: me.displayName, mail: me.mail, userPrincipalName: me.userPrincipalName ?? me.mail });
    }
    const target = userSeg == null ? me : fixture.users.find((u) => u.id === userSeg || same(u.mail, userSeg) || same(u.userPrincipalName, userSeg))
      ?? (userSeg.includes('@') ? { mail: userSeg } : null);
    if (!target) return sendError(ctx, 404, 'ErrorInvalidUser', `The requested user '${userSeg}' is invalid.`);
    const own = same(target.mail, me.mail);
    if (!(own ? ['Mail.Read', 'Mail.ReadWrite'] : ['Mail.Read.Shared', 'Mail.ReadWrite.Shared']).some((s) => scopes.has(s))) return denied();
    if (/[/+]/.test(msgId) || /[/+]/.test(attId ?? '')) return sendError(ctx, 400, 'ErrorInvalidIdMalformed', 'Id is malformed.');
    const msg = messages.get(msgId);
    if (!msg || !same(msg.fixture.mailbox, target.mail) || (hidden.get(msg.restId) ?? 0) > Date.now())
      return sendError(ctx, 404, ...ERRORS[404]);

    const params = url.searchParams, select = params.get('$select')?.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = select?.find((p) => !SELECTABLE.has(p));
    if (unknown) return sendError(ctx, 400, 'RequestBroker--ParseUri', `Could not find a property named '${unknown}' on type 'microsoft.graph.attachment'.`);
    const context = `${origin}/v1.0/$metadata#users('${encodeURIComponent(userSeg ?? me.id)}')/messages('${msgId}')/attachments${select ? `(${select.join(',')})` : ''}`;

    if (!attId) { // the list, paged with $top / $skip
      const [top, skip] = ['$top', '$skip'].map((p) => params.get(p));
      if ((top != null && !/^[1-9]\d*$/.test(top)) || (skip != null && !/^\d+$/.test(skip)))
        return sendError(ctx, 400, 'BadRequest', 'Invalid $top or $skip value.');
      const size = top ? Number(top) : settings.pageSize, from = Number(skip ?? 0);
      const page = await Promise.all(msg.attachments.slice(from, from + size).map((a) => attachmentJson(a, select)));
      const next = new URL(`${origin}${url.pathname}${url.search}`);
      next.searchParams.set('$skip', String(from + size));
      return sendJson(ctx, 200, { '@odata.context': context, value: page,
        ...(from + size < msg.attachments.length && { '@odata.nextLink': next.href }) });
    }
    const att = msg.attachments.find((a) => a.restId === attId);
    if (!att) return sendError(ctx, 404, ...ERRORS[404]);
    if (!value) return sendJson(ctx, 200, { '@odata.context': `${context}/$entity`, ...(await attachmentJson(att, select)) });
    if (!att.open) return sendError(ctx, 405, 'ErrorInvalidRequest', 'The raw content of a reference attachment cannot be read; use its link.');
    return sendBytes(ctx, att);
  }

  function preflight(ctx, methods) {
    return send(ctx, 200, { 'Access-Control-Allow-Methods': methods, 'Access-Control-Allow-Headers': ALLOWED_HEADERS,
      'Access-Control-Max-Age': '3600', 'Content-Length': 0 }, Buffer.alloc(0));
  }

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
    const [, kind, rawId, sub = ''] = /^\/(messages|attachments)\/(.+?)(\/content|\/hide)?$/.exec(path) ?? [];
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
        return sendBytes(ctx, att);
      }
      case 'POST /faults': {
        const list = Array.isArray(body) ? body : [body];
        if (!list.every((f) => typeof f?.match === 'string' && (Number.isInteger(f.status) || Number.isInteger(f.cutAfterBytes))))
          return fail(400, 'each fault needs match and status or cutAfterBytes');
        faults.push(...list.map((f) => ({ ...f, times: f.times ?? 1 })));
        return json(faults);
      }
      case 'GET /faults': return json(faults);
      case 'GET /requests': return json(log);
      case 'POST /settings':
        if (![body.pageSize ?? 1, body.concurrencyLimit ?? 1].every((n) => Number.isInteger(n) && n > 0))
          return fail(400, 'pageSize and concurrencyLimit are positive integers (concurrencyLimit null: no limit)');
        Object.assign(settings, body); // falls through
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
