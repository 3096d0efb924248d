// iMIS REST API stand-in (tests and demo only). Plain node:https, no dependencies, sharing nothing with the add-in.
//
//   node tests/standins/imis/server.mjs      IMIS_PORT (3400), STANDIN_HOST (127.0.0.1),
//                                            certificate from .local/certs/{key,cert}.pem
//   import { start } from './server.mjs'; await start({ host, port, tls: { key, cert }, fixtureFile, log })
//
// BY DEFAULT it answers as a STOCK iMIS 2017 site per ../shared/reference/imis-rest.md ("[ref: section]" in comments).
// Where the reference says (unknown), the stand-in picks the STRICTEST plausible behaviour and says so where it does it.
// One home per fact:
//   server.mjs        this header, settings, the IIS / ASP.NET layer (prefix, request size, CORS, 404 pages), faults,
//                     the request log, routing, /_control
//   common.mjs        type tags, the validation-error envelope, "$type first", paged lists and filters
//   token.mjs         POST /token, the bearer check
//   parties.mjs       /api/Party, /api/Person (incl. creating a person), /api/CsContactBasic, /api/iqa
//   records.mjs       /api/Activity, /api/metadata/Activity, /api/LegacyActivityType
//   interactions.mjs  /api/CommunicationLogRecipient (typed)
//   documents.mjs     /api/Document, /api/DocumentSummary, the _execute lookups
//
// Errors: validation failures are 400 with a bare ValidationResultsData (see common.mjs invalid()); every other error is
// JSON {Message} (401, 403, 404, 405, 415, 500), except the IIS / ASP.NET HTML pages below. Unknown /api routes -> 404 and
// wrong methods -> 405 with ASP.NET Web API's texts. A JSON body needs Content-Type application/json (or text/json), else
// 415 (Web API has no formatter for it).
//
// The IIS / ASP.NET layer:
//   - Origin [ref: The origin problem]: CORS is OFF by default: no Access-Control-* header on any /token or /api answer,
//     and an OPTIONS preflight there answers 405 {"Message": "The requested resource does not support http method
//     'OPTIONS'."} (ASI forum). Setting cors:true is a site whose admins added CORS in IIS: answers echo the request's
//     Origin (Vary: Origin), and preflights answer 204 with Allow-Methods GET, POST, PUT, DELETE, Allow-Headers
//     Authorization, Content-Type, RequestVerificationToken, Max-Age 600. (/token is treated like /api: unknown.)
//   - Prefix [ref: iMIS exposes ...]: setting prefix (e.g. "/Asi.Scheduler_IMIS") serves /token and /api/* ONLY under it,
//     matched case-insensitively as IIS does. Any other path (the bare /token or /api with a prefix set, or anything
//     else) -> IIS's HTML 404 "404 - File or directory not found." (text/html, no CORS).
//   - Request size [ref: Documents, Size]: the shipped web.config allows 10 MiB (maxAllowedContentLength 10485760,
//     maxRequestLength 10240 KB), setting maxRequestBytes. IIS request filtering runs before anything else, for every URL:
//     a Content-Length above it is refused at once, without reading (the body is drained and discarded); a chunked body is
//     refused as soon as it passes the limit (never buffered past it). The answer, setting largeBody:
//       "404.13" (default)  HTTP 404, text/html, IIS's page (title "404 - File or directory not found.", "HTTP Error
//                           404.13 - Not Found", "The request filtering module is configured to deny a request that
//                           exceeds the request content length."), NO CORS header even when cors is on (unknown, from IIS's
//                           documented behaviour: cross-origin the browser then reports a network error);
//       "aspnet500"         HTTP 500, text/html, ASP.NET's "Maximum request length exceeded." page, no CORS header;
//       "reset"             the socket is destroyed: the client sees a network error.
//   - documentPost500 [ref: Documents: "one client says it does so on every success"]: when true, every POST
//     /api/Document that succeeds (document or folder stored) answers 500 {Message: "An error has occurred."}.
//
// Control endpoints (tests only; no auth; no size limit; CORS always on, echoing Origin or "*"; at the root, never under
// the prefix; never part of the real iMIS):
//   POST /_control/reset     back to the fixture: data, settings and faults; forgets tokens and the request log.
//   GET  /_control/state     { activities:   [{ SEQN, entity (exactly as last POSTed or PUT) }],
//                              interactions: [{ id, entity (exactly as last POSTed or PUT) }],
//                              documents:    [{ DocumentId, DocumentVersionId, Path, FolderPath, Name, AlternateName,
//                                               DocumentTypeId, Status, size, sha256, createdAt, createdBy, updatedAt,
//                                               updatedBy, access ("everyone" | "administrators") }]
//                                            (every document and folder, fixture folders too, duplicates included),
//                              parties:      [{ PartyId, FirstName, LastName, FullName, Company, Emails: [{ Address,
//                                               EmailType, IsPrimary }], createdBy, entity (as POSTed) }] (created by REST),
//                              tokens: <count issued>, requests: [{ t, method, path, status }] (status "reset" when the
//                              socket was destroyed; last 1000), faults: [...left], settings }   (never passwords or tokens)
//   POST /_control/faults    [{ match, exact? (false), status?, times? (1), store? (false), delayMs? }] REPLACES the list.
//                            match is a substring of `${METHOD} ${path}`, path WITHOUT the prefix ("POST /api/Document"
//                            also matches "POST /api/Document/_execute"), or, with exact, the whole of it. store:true runs
//                            the request for real and then answers status if it succeeded (the 500-but-saved quirk).
//   POST /_control/folder    { path: "$/A/B", access?: "administrators" (default) | "everyone" } makes that folder
//                            (Published; missing parents too) or sets its access: an iMIS administrator who made it in
//                            the Document System and gave it "Administrators Full Control" (see documents.mjs).
//                            Answers { DocumentId, Path, access }.
//   GET  /_control/settings  { settings }
//   POST /_control/settings  merged into the current settings; every key type-checked (unknown key or bad value -> 400,
//                            nothing changed). Keys and defaults:
//                              tokenLifetimeSeconds 1199      number > 0
//                              cors                 false     boolean
//                              prefix               ""        "" or "/path" (no trailing "/")
//                              maxRequestBytes      10485760  integer >= 0
//                              largeBody            "404.13"  "404.13" | "aspnet500" | "reset"
//                              documentPost500      false     boolean
//                              newDocumentStatus    "Working" "Working" | "Published"
//
// Fixture (tests/fixtures/imis.json): users [{ username, password, canCreateContacts?, sysAdmin? }], parties, generatedPersons,
// activityTypes [{ Code, Description, System }], documentTypes (added to the shipped list), iqaQueries { path: {
// parameter: "email" | "name", entityTypeName } }, folders (created Published).

import https from 'node:https';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { isObj, lower, fail, notFound, parseJson } from './common.mjs';
import { token, authenticate } from './token.mjs';
import { partyState, contactRoutes, createdPartiesState } from './parties.mjs';
import { activityState, recordRoutes, activitiesState } from './records.mjs';
import { interactionState, interactionRoutes, interactionsState } from './interactions.mjs';
import { documentState, documentRoutes, documentsState, controlFolder } from './documents.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DEFAULTS = { tokenLifetimeSeconds: 1199, cors: false, prefix: '', maxRequestBytes: 10485760, largeBody: '404.13', documentPost500: false, newDocumentStatus: 'Working' };
const bool = (v) => typeof v === 'boolean';
const SETTING_CHECKS = {
  tokenLifetimeSeconds: (v) => typeof v === 'number' && Number.isFinite(v) && v > 0,
  cors: bool, documentPost500: bool,
  prefix: (v) => typeof v === 'string' && (v === '' || /^\/[^?#\s]*[^/?#\s]$/.test(v)) && !/^\/_control(\/|$)/i.test(v),
  maxRequestBytes: (v) => Number.isInteger(v) && v >= 0,
  largeBody: (v) => ['404.13', 'aspnet500', 'reset'].includes(v),
  newDocumentStatus: (v) => ['Working', 'Published'].includes(v),
};

function freshState(fixture) {
  return {
    users: fixture.users, ...partyState(fixture), ...activityState(fixture), ...interactionState(), ...documentState(fixture),
    tokens: new Map(), tokensIssued: 0, requests: [], faults: [], settings: { ...DEFAULTS },
  };
}

// ---- IIS and ASP.NET pages (text/html). Texts from IIS's / ASP.NET's documented error pages; the markup is the stand-in's.
const iisPage = (detail) => `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"/><title>404 - File or directory not found.</title></head>
<body><div id="header"><h1>Server Error</h1></div>
<div id="content"><div class="content-container"><fieldset>
<h2>404 - File or directory not found.</h2>
<h3>The resource you are looking for might have been removed, had its name changed, or is temporarily unavailable.</h3>
</fieldset></div>${detail}</div></body></html>
`;
const IIS_404 = iisPage('');
const IIS_404_13 = iisPage(`
<div class="content-container"><h3>HTTP Error 404.13 - Not Found</h3>
<h4>The request filtering module is configured to deny a request that exceeds the request content length.</h4>
<p>Verify the configuration/system.webServer/security/requestFiltering/requestLimits@maxAllowedContentLength setting in the applicationhost.config or web.config file.</p></div>`);
const ASPNET_500 = `<!DOCTYPE html>
<html><head><title>Maximum request length exceeded.</title></head>
<body bgcolor="white"><span><h1>Server Error in '/' Application.<hr width=100% size=1 color=silver></h1>
<h2><i>Maximum request length exceeded.</i></h2></span>
<b>Description: </b>An unhandled exception occurred during the execution of the current web request.<br><br>
<b>Exception Details: </b>System.Web.HttpException: Maximum request length exceeded.<br><br>
</body></html>
`;

// Reads the whole body into one Buffer; past max it resolves null at once and keeps draining (dropping the bytes).
function readBody(req, max) {
  return new Promise((ok, bad) => {
    const chunks = [];
    let size = 0, over = false;
    req.on('data', (c) => {
      if (over) return;
      size += c.length;
      if (size > max) { over = true; chunks.length = 0; ok(null); } else chunks.push(c);
    });
    req.on('end', () => { if (!over) ok(Buffer.concat(chunks, size)); });
    req.on('error', bad);
  });
}

// The path inside the iMIS application, or null when the URL is outside it (IIS matches paths case-insensitively).
function insidePrefix(pathname, prefix) {
  if (!prefix) return pathname;
  if (lower(pathname) === lower(prefix)) return '/';
  return lower(pathname).startsWith(`${lower(prefix)}/`) ? pathname.slice(prefix.length) : null;
}

// /api/{E}[/{id}]: the bearer check, then the first resource module that knows E.
function api(st, req, url, rel, body) {
  const auth = authenticate(st, req);
  if (auth.answer) return auth.answer;
  let parts;
  try { parts = rel.split('/').filter(Boolean).slice(1).map(decodeURIComponent); } catch { return notFound(url.pathname); }
  const [entity = '', id, extra] = parts;
  if (extra !== undefined) return notFound(url.pathname);
  const json = () => {
    const type = req.headers['content-type'] ?? '';
    if (!/^(application|text)\/json\s*(;|$)/i.test(type)) fail(415, `The request entity's media type '${type.split(';')[0] || 'application/octet-stream'}' is not supported for this resource.`);
    return parseJson(body);
  };
  const ctx = { E: lower(entity), id, method: req.method, url, json, user: auth.user };
  for (const routes of [contactRoutes, recordRoutes, interactionRoutes, documentRoutes]) {
    const answer = routes(st, ctx);
    if (answer) return answer;
  }
  return notFound(url.pathname);
}

function control(st, req, url, body, reset) {
  const json = () => { try { return JSON.parse(body.toString('utf8') || 'null'); } catch { return fail(400, 'The body is not JSON.'); } };
  const route = `${req.method} ${url.pathname}`;
  if (route === 'POST /_control/reset') { reset(); return [200, { ok: true }]; }
  if (route === 'GET /_control/state') {
    return [200, {
      activities: activitiesState(st), interactions: interactionsState(st), documents: documentsState(st), parties: createdPartiesState(st),
      tokens: st.tokensIssued, requests: st.requests, faults: st.faults, settings: st.settings,
    }];
  }
  if (route === 'POST /_control/faults') {
    const list = [json()].flat().filter((f) => f !== null);
    if (!list.every((f) => isObj(f) && typeof f.match === 'string' && f.match)) fail(400, 'Each fault needs a "match" string.');
    st.faults = list.map((f) => ({ match: f.match, exact: !!f.exact, status: f.status ?? null, times: f.times ?? 1, store: !!f.store, delayMs: f.delayMs ?? 0 }));
    return [200, { faults: st.faults }];
  }
  if (route === 'POST /_control/folder') return [200, controlFolder(st, json())];
  if (route === 'GET /_control/settings') return [200, { settings: st.settings }];
  if (route === 'POST /_control/settings') {
    const s = json();
    const bad = !isObj(s) ? ['(not an object)'] : Object.entries(s).filter(([k, v]) => !SETTING_CHECKS[k]?.(v)).map(([k]) => k);
    if (bad.length) fail(400, `Bad settings: ${bad.join(', ')}. Settings are ${Object.keys(DEFAULTS).join(', ')} (see the server's header).`);
    Object.assign(st.settings, s);
    return [200, { settings: st.settings }];
  }
  return fail(404, `No control endpoint ${route}.`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function start({ host = '127.0.0.1', port = 3400, tls, fixtureFile = resolve(ROOT, 'tests/fixtures/imis.json'), log = null } = {}) {
  const fixture = JSON.parse(readFileSync(fixtureFile, 'utf8'));
  let st = freshState(fixture);
  const reset = () => { st = freshState(fixture); };

  async function handle(req, res) {
    const url = new URL(req.url, 'https://imis.invalid');
    const isControl = url.pathname === '/_control' || url.pathname.startsWith('/_control/');
    const s = st.settings;
    const rel = isControl ? null : insidePrefix(url.pathname, s.prefix);
    const app = rel === null ? null : /^\/token\/?$/i.test(rel) ? 'token' : /^\/api(\/|$)/i.test(rel) ? 'api' : null;
    const origin = req.headers.origin;
    const corsHeaders = isControl ? { 'Access-Control-Allow-Origin': origin ?? '*', Vary: 'Origin' }
      : s.cors && app && origin ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' } : {};
    const record = (status) => {
      if (isControl) return;
      const entry = { t: new Date().toISOString(), method: req.method, path: url.pathname + url.search.replace(/((?:password|access_token|refresh_token)=)[^&]*/gi, '$1***'), status };
      st.requests.push(entry);
      if (st.requests.length > 1000) st.requests.shift();
      log?.(`${entry.method} ${entry.path} -> ${status}`);
    };
    const send = (status, text, headers) => {
      res.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
      record(status);
    };
    const reply = (status, body, headers = {}) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      send(status, text, { ...corsHeaders, ...(text ? { 'Content-Type': 'application/json; charset=utf-8' } : {}), ...headers });
    };
    const html = (status, page) => send(status, page, { 'Content-Type': 'text/html' }); // never CORS headers
    const tooLarge = () => {
      if (s.largeBody === 'reset') { record('reset'); req.socket.destroy(); return; }
      req.resume();
      return s.largeBody === 'aspnet500' ? send(500, ASPNET_500, { 'Content-Type': 'text/html; charset=utf-8' }) : html(404, IIS_404_13);
    };
    try {
      if (isControl) {
        if (req.method === 'OPTIONS') {
          req.resume();
          return reply(204, undefined, { 'Access-Control-Allow-Methods': 'GET, POST', 'Access-Control-Allow-Headers': 'Content-Type', 'Access-Control-Max-Age': '600' });
        }
        return reply(...control(st, req, url, await readBody(req, Infinity), reset));
      }
      // IIS request filtering: first, for every URL of the site.
      const declared = req.headers['content-length'];
      if (declared !== undefined && Number(declared) > s.maxRequestBytes) return tooLarge();
      if (!app) { req.resume(); return html(404, IIS_404); }
      if (req.method === 'OPTIONS') {
        req.resume();
        if (!s.cors) return reply(405, { Message: "The requested resource does not support http method 'OPTIONS'." });
        return reply(204, undefined, {
          'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE',
          'Access-Control-Allow-Headers': 'Authorization, Content-Type, RequestVerificationToken', 'Access-Control-Max-Age': '600',
        });
      }
      const body = await readBody(req, s.maxRequestBytes);
      if (body === null) return tooLarge();
      const key = `${req.method} ${rel}`;
      const fault = st.faults.find((f) => f.times > 0 && (f.exact ? key === f.match : key.includes(f.match)));
      if (fault) fault.times--;
      if (fault?.delayMs) await sleep(fault.delayMs);
      if (fault?.status && !fault.store) return reply(fault.status, { Message: 'An error has occurred.' });
      let answer;
      try {
        if (app === 'token') answer = req.method === 'POST' ? token(st, req, body) : notFound(url.pathname);
        else answer = api(st, req, url, rel, body);
      } catch (e) {
        if (!e.http) throw e;
        answer = e.http;
      }
      const ok = answer[0] >= 200 && answer[0] < 300;
      if (fault?.status && fault.store && ok) return reply(fault.status, { Message: 'An error has occurred.' });
      if (s.documentPost500 && ok && req.method === 'POST' && /^\/api\/document\/?$/i.test(rel)) return reply(500, { Message: 'An error has occurred.' });
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
