// Simulated Outlook host: a minimal "Outlook on the web" reading pane that hosts the add-in's
// task pane in an iframe, plus the office.js stand-in the pane loads in demo and test builds.
//
//   GET  /                      the host page (index.html + host.js + host.css). Query (host.js header for all):
//                                 ?message=<ewsId>   select a message (default: the first)
//                                 ?select=<ewsId>,<ewsId>,...   select several (multi-select, Mailbox 1.13)
//                                 ?mode=read|compose read mode (default), or the message opened as a draft
//                                                    being written (office.js gives the compose API)
//                                 ?platform=web|ios|android   Outlook on the web (default) or Outlook mobile
//                                 ?requirements=Mailbox:1.8,NestedAppAuth:1.1   override claimed sets;
//                                                    version 0 removes a set. Default: Mailbox 1.13,
//                                                    DialogApi 1.2, IdentityAPI 1.3 (NestedAppAuth not claimed:
//                                                    claim it to give the pane window.nestedAppAuthBridge);
//                                                    mobile: Mailbox 1.5, DialogApi 1.1 at most
//                                 ?permission=Restricted|ReadItem|ReadWriteItem|ReadWriteMailbox  (default ReadWriteItem)
//                                 ?pinned=1|0|reload what a selection change does to an open pane (default 1: stays)
//                                 ?sharedProps=real|sample|absent   where getSharedPropertiesAsync exists
//                                 ?composeIds=ews|index   compose attachment ids (default ews)
//                                 ?theme=light|dark  the Office theme
//                                 ?syncDelay=N       compose: after the pane's first saveAsync the draft stays
//                                                    unknown to Graph for N ms (default 0: no delay), through
//                                                    POST /_sim/messages/{id}/hide below
//                                 ?pane=<url>        task pane URL (default: the paneUrl option)
//                                 ?idp=<origin>      the identity provider the NAA broker asks (default: the
//                                                    idpUrl option), for tests that start the IdP on port 0
//                                 ?popups=blocked    behave as if the browser blocked every window.open of this
//                                                    page (dialogs then need the "Allow" prompt, see host.js)
//                               Test hooks on the page: window.outlookSim (host.js header).
//   GET  /office.js             the Office.js stand-in (CORS: any origin may load it)
//   GET  /_sim/mailbox          {paneUrl, graphUrl, idpUrl, brokerClientId, tenantId, users: [{id, displayName,
//                               mail}], messages}, read through from the Graph stand-in's GET
//                               {graphControlUrl}/mailbox ({tenantId, users, messages} or an array). users[0] is
//                               the signed-in user (id: the directory object id, for NAA); a message whose
//                               `mailbox` is another address is in a shared mailbox. graphUrl: the Graph
//                               stand-in's origin. idpUrl / brokerClientId: where and as which registered broker
//                               the host page asks the IdP stand-in for nested-app tokens (host.js, and the
//                               broker grant in ../idp/server.mjs). tenantId: the directory (default
//                               "organizations" when Graph gives none).
//   POST /_sim/messages/{ewsId|restId}/hide   {ms}: passed on to the Graph stand-in's control endpoint of
//                               the same name (a saved draft that has not synced yet)
//   GET  /_sim/messages/{ewsId|restId}/mime   the whole message as MIME (item.getAsFileAsync), read through from
//                               the Graph stand-in's GET {graphControlUrl}/messages/{ewsId|restId}/mime, which answers
//                               the bytes of GET /v1.0/.../messages/{id}/$value (message/rfc822); its status is passed on
//   GET  /_sim/attachments/{restId}/content   raw bytes, read through from the Graph stand-in
//   GET  /_sim/probe?url=<https URL>          {status, http, url}: this server GETs the URL as a dialog window would,
//                               following up to 5 redirects; status null when it cannot be fetched (10 s), http true
//                               when a redirect leads to http:. The host page's test for dialog errors 12002 / 12003.
//   GET|PUT /_sim/roaming?user=<address>      the user's roaming settings (a JSON object; PUT over
//                               32 K characters of JSON answers 413). Kept here, like Outlook keeps them in the mailbox.
// Control endpoints (tests only):
//   GET  /_control/roaming[?user=<address>]   every user's settings {address: {...}}, or one user's
//   POST /_control/reset                      forget all roaming settings
//
// start({ host, port, tls, paneUrl, graphControlUrl, idpUrl = https://127.0.0.1:3200,
//         brokerClientId = the IdP stand-in's default broker }) -> { url, close() }
// Standalone: `node tests/standins/outlook/server.mjs` (OUTLOOK_PORT 3100, STANDIN_HOST 127.0.0.1,
// PANE_URL https://127.0.0.1:3000/taskpane.html, GRAPH_URL https://{STANDIN_HOST}:{GRAPH_PORT or 3300},
// IDP_URL https://{STANDIN_HOST}:{IDP_PORT or 3200}, certificate from .local/certs/).
import https from 'node:https';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = new URL('./', import.meta.url);
const BROKER_CLIENT_ID = 'a0c3f1d2-5b6e-4f7a-8c9d-0e1f2a3b4c5d'; // = BROKER_CLIENT_ID of ../idp/server.mjs
const ROAMING_LIMIT = 32 * 1024; // characters, as Office.js measures them (office.js)
const PROBE_REDIRECTS = 5, PROBE_TIMEOUT_MS = 10_000;
const STATIC = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/index.html': ['index.html', 'text/html; charset=utf-8'],
  '/host.js': ['host.js', 'text/javascript; charset=utf-8'],
  '/host.css': ['host.css', 'text/css; charset=utf-8'],
  '/office.js': ['office.js', 'text/javascript; charset=utf-8'],
};

export async function start({ host = '127.0.0.1', port = 3100, tls: { key, cert },
  paneUrl = 'https://127.0.0.1:3000/taskpane.html', graphControlUrl = 'https://127.0.0.1:3300/_control',
  idpUrl = 'https://127.0.0.1:3200', brokerClientId = BROKER_CLIENT_ID } = {}) {
  const roaming = new Map(); // user address (lower case) -> settings object

  // GET (or POST a JSON body) to the Graph stand-in's control API, trusting the shared local certificate.
  const graph = (path, body) => new Promise((resolve, reject) => {
    const req = https.request(new URL(graphControlUrl.replace(/\/$/, '') + path), {
      method: body === undefined ? 'GET' : 'POST', ca: cert, headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], body: Buffer.concat(chunks) }));
    });
    req.on('error', reject).end(body === undefined ? undefined : JSON.stringify(body));
  });
  const readBody = async (req) => { const chunks = []; for await (const c of req) chunks.push(c); return Buffer.concat(chunks); };

  // One GET as a dialog window would make it: {status, location} or null when it cannot be fetched.
  const fetchOnce = (url) => new Promise((resolve) => {
    const req = https.get(url, { ca: cert, timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume();
      resolve({ status: res.statusCode, location: res.headers.location });
    });
    req.on('timeout', () => req.destroy()).on('error', () => resolve(null));
  });
  async function probe(start) {
    let url = start;
    for (let hop = 0; hop <= PROBE_REDIRECTS; hop++) {
      const r = await fetchOnce(url);
      if (!r) return { status: null, http: false, url: url.href };
      if (r.status < 300 || r.status >= 400 || !r.location) return { status: r.status, http: false, url: url.href };
      url = new URL(r.location, url);
      if (url.protocol === 'http:') return { status: r.status, http: true, url: url.href };
      if (url.protocol !== 'https:') return { status: null, http: false, url: url.href };
    }
    return { status: null, http: false, url: url.href }; // too many redirects: the page cannot be loaded
  }

  async function handle(req, res, url) {
    const send = (status, body, type = 'application/json; charset=utf-8', extra = {}) => {
      const data = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': data.length, 'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff', ...extra });
      res.end(data);
    };
    const route = `${req.method} ${url.pathname}`;
    const user = (url.searchParams.get('user') ?? '').toLowerCase();
    const file = req.method === 'GET' && STATIC[url.pathname];
    if (file) {
      const cors = url.pathname === '/office.js' ? { 'Access-Control-Allow-Origin': '*' } : {};
      return send(200, await readFile(new URL(file[0], HERE)), file[1], cors);
    }
    const attachment = /^\/_sim\/attachments\/([^/]+)\/content$/.exec(url.pathname);
    if (req.method === 'GET' && attachment) {
      const r = await graph(`/attachments/${attachment[1]}/content`);
      return send(r.status, r.body, r.type ?? 'application/octet-stream');
    }
    const mime = /^\/_sim\/messages\/([^/]+)\/mime$/.exec(url.pathname);
    if (req.method === 'GET' && mime) {
      const r = await graph(`/messages/${mime[1]}/mime`);
      return send(r.status, r.body, r.type ?? 'message/rfc822');
    }
    const hide = /^\/_sim\/messages\/([^/]+)\/hide$/.exec(url.pathname);
    if (req.method === 'POST' && hide) {
      let ms;
      try { ({ ms } = JSON.parse(await readBody(req))); } catch { return send(400, { error: 'the body is not JSON' }); }
      const r = await graph(`/messages/${hide[1]}/hide`, { ms });
      return send(r.status, r.body, r.type ?? 'application/json');
    }
    switch (route) {
      case 'GET /_sim/mailbox': {
        const r = await graph('/mailbox');
        if (r.status !== 200) return send(502, { error: `Graph stand-in answered ${r.status} for /mailbox` });
        const box = JSON.parse(r.body);
        const users = (box.users ?? []).map(({ id, displayName, mail }) => ({ id, displayName, mail })); // not their passwords
        return send(200, { paneUrl, graphUrl: new URL(graphControlUrl).origin, idpUrl: new URL(idpUrl).origin, brokerClientId,
          tenantId: box.tenantId ?? 'organizations', users, messages: Array.isArray(box) ? box : box.messages });
      }
      case 'GET /_sim/probe': {
        const target = URL.canParse(url.searchParams.get('url') ?? '') ? new URL(url.searchParams.get('url')) : null;
        if (target?.protocol !== 'https:') return send(400, { error: 'url must be an https URL' });
        return send(200, await probe(target));
      }
      case 'GET /_sim/roaming': return send(200, roaming.get(user) ?? {});
      case 'PUT /_sim/roaming': {
        const body = (await readBody(req)).toString('utf8');
        if (!user) return send(400, { error: 'user is required' });
        if (body.length > ROAMING_LIMIT) return send(413, { error: 'roaming settings exceed 32 KB' });
        let settings;
        try { settings = JSON.parse(body); } catch { return send(400, { error: 'the body is not JSON' }); }
        if (!settings || typeof settings !== 'object' || Array.isArray(settings)) return send(400, { error: 'settings must be an object' });
        roaming.set(user, settings);
        return send(200, settings);
      }
      case 'GET /_control/roaming': return send(200, user ? roaming.get(user) ?? {} : Object.fromEntries(roaming));
      case 'POST /_control/reset': roaming.clear(); return send(200, { ok: true });
      default: return send(404, { error: `no route ${route}` });
    }
  }

  const server = https.createServer({ key, cert }, (req, res) => {
    handle(req, res, new URL(req.url, 'https://outlook.invalid')).catch((e) => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: String(e.message ?? e) }));
    });
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  const url = `https://${host}:${server.address().port}`;
  return { url, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const certs = fileURLToPath(new URL('../../../.local/certs/', import.meta.url));
  const host = process.env.STANDIN_HOST ?? '127.0.0.1';
  const graphUrl = process.env.GRAPH_URL ?? `https://${host}:${process.env.GRAPH_PORT ?? 3300}`;
  const { url } = await start({
    host, port: Number(process.env.OUTLOOK_PORT ?? 3100),
    tls: { key: await readFile(certs + 'key.pem'), cert: await readFile(certs + 'cert.pem') },
    paneUrl: process.env.PANE_URL ?? 'https://127.0.0.1:3000/taskpane.html',
    graphControlUrl: `${graphUrl.replace(/\/$/, '')}/_control`,
    idpUrl: process.env.IDP_URL ?? `https://${host}:${process.env.IDP_PORT ?? 3200}`,
  });
  console.log(`simulated Outlook on ${url}`);
}
