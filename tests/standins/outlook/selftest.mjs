// Self-test of the simulated Outlook host and its office.js stand-in: `node --test tests/standins/outlook/selftest.mjs`.
// Runs the server against a tiny fake of the Graph stand-in's control API, serves a fake task pane (another
// origin) that loads office.js and writes out what it reads, and drives it all in headless Chromium.
// Dialogs: fake pane and dialog pages (below) open, message, close and block dialog windows. Sign-in: the real
// IdP stand-in and real MSAL.js 5.30 (the probe pages of ../idp/msal-probe, bundled into a temporary folder):
// nested app authentication through the host's bridge, and MSAL's redirect flow inside a dialog.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import http from 'node:http';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as jose from 'jose';
import { chromium } from 'playwright-core';
import { start } from './server.mjs';
import { start as startIdp, BROKER_CLIENT_ID, DEMO_CLIENT_ID } from '../idp/server.mjs';
import * as probeServer from '../idp/msal-probe/serve.mjs';

const REPO = new URL('../../../', import.meta.url);
const tls = { key: readFileSync(new URL('.local/certs/key.pem', REPO)), cert: readFileSync(new URL('.local/certs/cert.pem', REPO)) };
const fixture = JSON.parse(readFileSync(new URL('tests/fixtures/mailbox.json', REPO)));
const toRestId = (id) => id.replace(/\//g, '-').replace(/\+/g, '_');
const HOSTILE = '<img src=x onerror=alert(1)>';
const USER = fixture.users[0].mail;

// ---- the fake Graph control API: fixture messages (file bytes from tests/fixtures) + a hostile one ----

const board = fixture.messages[0];
const hostile = {
  mailbox: USER, ewsId: 'AAMkHostile/0001+AAA=', subject: `RE: ${HOSTILE}<script>alert(2)</script>`,
  from: { name: `${HOSTILE} Mallory`, address: 'mallory@evil.example' }, to: [{ name: 'Dana Staff', address: USER }], cc: [],
  sentDateTime: '2026-11-21T10:00:00Z', internetMessageId: '<hostile@evil.example>', bodyText: `Body with ${HOSTILE}`,
  attachments: [
    { ewsId: 'AAMkHostile/0001+att/1=', kind: 'file', name: `${HOSTILE}.pdf`, contentType: 'application/pdf', bytes: Buffer.from([...Array(256).keys()]) },
    { ewsId: 'AAMkHostile/0001+att/2=', kind: 'item', itemType: 'message', name: 'Forwarded note', bytes: Buffer.from('Subject: Grüße\r\n\r\nHallo\r\n') },
    { ewsId: 'AAMkHostile/0001+att/3=', kind: 'item', itemType: 'contact', name: 'Sam Board', bytes: Buffer.from('BEGIN:VCARD\r\nEND:VCARD\r\n') },
    { ewsId: 'AAMkHostile/0001+att/4=', kind: 'reference', name: 'Shared plan.docx', contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', sourceUrl: 'https://contoso.sharepoint.com/plan.docx' },
  ],
};
const team = fixture.messages.find((m) => m.mailbox === 'team@example.org'); // a shared mailbox's message
const withBytes = (m) => ({ ...m, attachments: m.attachments.map((a) => ({ ...a, bytes: readFileSync(new URL(`tests/fixtures/${a.file}`, REPO)) })) });
const messages = [withBytes(board), hostile, withBytes(team)].map((m) => ({ ...m, restId: toRestId(m.ewsId), attachments: m.attachments.map((a) => ({ ...a, restId: toRestId(a.ewsId), size: a.bytes?.length ?? 0 })) }));
const bytesOf = new Map(messages.flatMap((m) => m.attachments).map((a) => [a.restId, a.bytes]));
// What the fake Graph answers for GET /_control/messages/{id}/mime (the bytes of .../messages/{id}/$value); none for hostile.
const mimeOf = new Map([board, team].map((m) => [m.ewsId, Buffer.from(`Subject: ${m.subject}\r\nMessage-ID: ${m.internetMessageId}\r\n\r\nGrüße\r\n`)]));
const hides = []; // {id, ms} of every POST /_control/messages/{id}/hide the fake Graph received

function serve(handler) {
  const server = https.createServer(tls, handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () =>
    resolve({ url: `https://127.0.0.1:${server.address().port}`, close: () => { server.closeAllConnections(); server.close(); } })));
}

const fakeGraph = () => serve(async (req, res) => {
  const path = new URL(req.url, 'https://x').pathname;
  const content = /^\/_control\/attachments\/([^/]+)\/content$/.exec(path);
  const mime = /^\/_control\/messages\/([^/]+)\/mime$/.exec(path);
  const hide = /^\/_control\/messages\/([^/]+)\/hide$/.exec(path);
  if (req.method === 'POST' && hide) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const id = decodeURIComponent(hide[1]);
    if (!messages.some((m) => m.ewsId === id || m.restId === id)) return res.writeHead(404).end('{"error":"no such message"}');
    hides.push({ id, ...JSON.parse(Buffer.concat(chunks)) });
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ewsId: id }));
  } else if (path === '/_control/mailbox') {
    const body = { tenantId: fixture.tenantId, users: fixture.users,
      messages: messages.map((m) => ({ ...m, attachments: m.attachments.map(({ bytes, ...a }) => a) })) };
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  } else if (path === '/bounce') { // another origin for a dialog to pass through; it tries to forge a messageParent
    const to = JSON.stringify(new URL(req.url, 'https://x').searchParams.get('to')).replace(/</g, '\\u003c');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(`<!doctype html><meta charset="utf-8"><title>elsewhere</title><script>
      for (const m of [{ ns: 'office-sim', type: 'hello' }, { ns: 'office-sim', type: 'request', id: 1, method: 'messageParent', args: { message: 'forged' } }]) {
        window.opener?.postMessage(m, '*');
      }
      setTimeout(() => location.replace(${to}), 300);</script>`);
  } else if (mime && mimeOf.has(decodeURIComponent(mime[1]))) {
    res.writeHead(200, { 'Content-Type': 'message/rfc822' }).end(mimeOf.get(decodeURIComponent(mime[1])));
  } else if (content && bytesOf.get(decodeURIComponent(content[1]))) {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(bytesOf.get(decodeURIComponent(content[1])));
  } else res.writeHead(404).end();
});

// ---- the fake task pane: loads office.js from the host and writes out what it reads ----

const PANE_SCRIPT = `
const out = { initializeCalls: 0 };
Office.initialize = () => { out.initializeCalls++; };
Office.onReady((info) => { out.callbackInfo = info; });
// Resolves with the AsyncResult and whether the callback came after the method returned.
const settle = (start) => new Promise((resolve) => {
  let returned = false;
  start((result) => resolve({ result, afterReturn: returned }));
  returned = true;
});
const METHODS = ['getAttachmentContentAsync', 'getSharedPropertiesAsync', 'getAttachmentsAsync', 'getItemIdAsync', 'saveAsync', 'getAsFileAsync'];
const shared = async (item) => (typeof item.getSharedPropertiesAsync === 'function' ? settle((cb) => item.getSharedPropertiesAsync(cb)) : 'absent');
async function probeRead(item, mb) {
  for (const k of ['itemType', 'itemClass', 'itemId', 'subject', 'normalizedSubject', 'conversationId',
    'internetMessageId', 'from', 'sender', 'to', 'cc', 'attachments']) out[k] = item[k];
  out.dateTimeCreated = item.dateTimeCreated instanceof Date ? item.dateTimeCreated.toISOString() : 'not a Date';
  out.restId = mb.convertToRestId(item.itemId, Office.MailboxEnums.RestVersion.v2_0);
  out.ewsIdAgain = mb.convertToEwsId(out.restId, Office.MailboxEnums.RestVersion.v2_0);
  out.bodyText = await settle((cb) => item.body.getAsync(Office.CoercionType.Text, { asyncContext: 'ctx-1' }, cb));
  out.bodyHtml = await settle((cb) => item.body.getAsync(Office.CoercionType.Html, cb));
  if (out.hasGetAttachmentContent) {
    out.contents = [];
    for (const a of item.attachments) out.contents.push(await settle((cb) => item.getAttachmentContentAsync(a.id, cb)));
    out.unknownAttachment = await settle((cb) => item.getAttachmentContentAsync('no-such-id', cb));
    out.shared = await shared(item);
  }
}
async function probeCompose(item) {
  out.compose = true;
  out.absent = ['itemId', 'itemClass', 'attachments', 'internetMessageId', 'normalizedSubject', 'sender', 'dateTimeCreated']
    .filter((k) => item[k] === undefined && !(k in item));
  for (const k of ['itemType', 'conversationId']) out[k] = item[k];
  out.fieldTypes = Object.fromEntries(['subject', 'to', 'cc', 'bcc', 'from', 'body'].map((k) => [k, typeof item[k]?.getAsync]));
  const has18 = typeof item.getItemIdAsync === 'function';
  if (has18) out.idBeforeSave = await settle((cb) => item.getItemIdAsync(cb));
  out.subject = await settle((cb) => item.subject.getAsync(cb));
  for (const k of ['to', 'cc', 'bcc']) out[k] = await settle((cb) => item[k].getAsync({ asyncContext: k }, cb));
  if (item.from) out.from = await settle((cb) => item.from.getAsync(cb));
  out.bodyText = await settle((cb) => item.body.getAsync(Office.CoercionType.Text, cb));
  if (has18) {
    out.attachments = await settle((cb) => item.getAttachmentsAsync(cb));
    out.contents = [];
    for (const a of out.attachments.result.value) out.contents.push(await settle((cb) => item.getAttachmentContentAsync(a.id, cb)));
    out.shared = await shared(item);
    out.idStillBeforeSave = await settle((cb) => item.getItemIdAsync(cb));
  }
  out.save = await settle((cb) => item.saveAsync({ asyncContext: 'save-1' }, cb));
  if (has18) out.idAfterSave = await settle((cb) => item.getItemIdAsync(cb));
  out.saveAgain = await settle((cb) => item.saveAsync(cb));
  out.setSubject = await settle((cb) => item.subject.setAsync('Renamed draft', cb));
  out.subjectAfterSet = (await settle((cb) => item.subject.getAsync(cb))).result.value;
  try { item.subject.setAsync('x'.repeat(256)); out.longSubject = 'accepted'; } catch (e) { out.longSubject = e.name; }
}
async function probe() {
  out.info = await Office.onReady();
  const mb = Office.context.mailbox;
  out.hasMailbox = mb !== undefined;
  if (!mb) return;
  const item = mb.item;
  out.userProfile = mb.userProfile;
  out.mailboxDiagnostics = mb.diagnostics;
  out.contextDiagnostics = Office.context.diagnostics;
  out.delegatePermissions = Office.MailboxEnums.DelegatePermissions;
  const isSet = Office.context.requirements.isSetSupported;
  out.isSet = { mailbox18: isSet('Mailbox', '1.8'), mailbox113: isSet('mailbox', '1.13'), mailbox114: isSet('Mailbox', '1.14'),
    nestedAppAuth: isSet('NestedAppAuth', '1.1'), dialogApi: isSet('DialogApi', '1.2'), identityApi: isSet('IdentityAPI', '1.3') };
  out.methods = Object.fromEntries(METHODS.map((k) => [k, typeof item[k]]));
  out.hasGetAttachmentContent = typeof item.getAttachmentContentAsync === 'function';
  if (typeof item.subject === 'object') await probeCompose(item); else await probeRead(item, mb);
  const rs = Office.context.roamingSettings;
  out.visitsBefore = rs.get('visits') === undefined ? 'undefined' : rs.get('visits');
  rs.set('visits', (rs.get('visits') ?? 0) + 1);
  rs.set('lastSubject', typeof item.subject === 'string' ? item.subject : out.subjectAfterSet);
  rs.set('wide', 'é'.repeat(17000)); // 17000 characters, 34000 bytes: the limit counts characters
  out.wideSave = await settle((cb) => rs.saveAsync(cb));
  rs.remove('wide');
  out.roamingSave = await settle((cb) => rs.saveAsync(cb));
  try { rs.set('big', 'x'.repeat(40 * 1024)); out.bigSet = 'accepted'; } catch (e) { out.bigSet = { name: e.name, code: e.code, message: e.message }; }
  out.bigKept = rs.get('big') !== undefined;
  out.bigReplace = (() => { try { rs.set('visits', 'x'.repeat(40 * 1024)); return 'accepted'; } catch (e) { return rs.get('visits'); } })();
  const grows = { s: '' };
  rs.set('grows', grows);
  grows.s = 'y'.repeat(40 * 1024); // changed after set(): only saveAsync can see it
  out.grownSave = await settle((cb) => rs.saveAsync(cb));
  rs.remove('grows');
}
probe().catch((e) => { out.error = String(e.stack || e); }).finally(() => {
  document.getElementById('out').textContent = JSON.stringify(out);
  document.body.dataset.done = '1';
});`;

// A pane that opens dialogs (window.sim, and a button that opens one from a user gesture), and the dialog page:
// it reports what office.js gives a dialog, answers messageChild, and with ?hop=1 first passes through another
// origin (the fake Graph's /bounce) and comes back with ?returned=1.
const DIALOG_PANE_SCRIPT = `
const sim = window.sim = { events: [], dialog: null };
sim.open = (url, options = {}) => new Promise((resolve) => Office.context.ui.displayDialogAsync(url, options, (r) => {
  if (r.status === 'succeeded') {
    sim.dialog = r.value;
    for (const t of ['DialogMessageReceived', 'DialogEventReceived']) r.value.addEventHandler(Office.EventType[t], (args) => sim.events.push({ t, args }));
  }
  resolve(JSON.parse(JSON.stringify({ status: r.status, error: r.error, asyncContext: r.asyncContext, methods: r.value && Object.keys(r.value).sort() })));
}));
sim.child = (m) => sim.dialog.messageChild(m);
sim.close = () => sim.dialog.close();
document.getElementById('open').onclick = () => { sim.clicked = sim.open(location.origin + '/dialog.html'); };
Office.onReady().then((info) => { sim.info = info; sim.ui = Object.keys(Office.context.ui).sort(); });`;
const DIALOG_SCRIPT = (bounce) => `
const q = new URLSearchParams(location.search);
if (q.get('hop')) location.replace(${JSON.stringify(bounce)} + '/bounce?to=' + encodeURIComponent(location.origin + '/dialog.html?returned=1'));
else Office.onReady().then((info) => {
  const ui = Office.context.ui;
  ui.addHandlerAsync(Office.EventType.DialogParentMessageReceived, (a) => ui.messageParent('pong:' + a.message + ':' + a.type));
  ui.messageParent(JSON.stringify({ info, returned: q.get('returned') === '1', mailbox: typeof Office.context.mailbox,
    dialogApi: Office.context.requirements.isSetSupported('DialogApi', '1.2'), ui: Object.keys(ui).sort() }));
});`;

const DRIVER_SCRIPT = `
window.settle = (start) => new Promise((resolve) => {
  let returned = false;
  start((result) => resolve(JSON.parse(JSON.stringify({ result, afterReturn: returned }))));
  returned = true;
});
window.events = [];
window.record = (name) => (args) => window.events.push({ name, args: JSON.parse(JSON.stringify(args)),
  subject: Office.context.mailbox.item ? (typeof Office.context.mailbox.item.subject === 'string' ? Office.context.mailbox.item.subject : 'compose') : null });
Office.onReady().then((info) => { window.info = info; });`;

const fakePane = (outlookUrl, bounceUrl, httpUrl) => serve((req, res) => {
  const url = new URL(req.url, 'https://x'), path = url.pathname;
  const office = url.searchParams.get('office') ?? outlookUrl(); // ?office=<another simulated host's origin>
  const html = {
    '/pane.html': `<!doctype html><meta charset="utf-8"><title>fake pane</title>
      <script src="${office}/office.js"></script><body><pre id="out"></pre><script>${PANE_SCRIPT}</script></body>`,
    '/dialog-pane.html': `<!doctype html><meta charset="utf-8"><title>dialog pane</title>
      <script src="${office}/office.js"></script><body><button id="open" type="button">Open</button><script>${DIALOG_PANE_SCRIPT}</script></body>`,
    '/dialog.html': `<!doctype html><meta charset="utf-8"><title>dialog</title>
      <script src="${office}/office.js"></script><body><script>${DIALOG_SCRIPT(bounceUrl())}</script></body>`,
    // A pane the tests drive with frame.evaluate: office.js, settle() for callbacks, and a log of events.
    '/driver.html': `<!doctype html><meta charset="utf-8"><title>driver pane</title>
      <script src="${office}/office.js"></script><body><script>${DRIVER_SCRIPT}</script></body>`,
    // Dialog pages for 12002 / 12003: one that goes on to a missing page that loads office.js (404), one that goes to an
    // http: page (the plain-HTTP server below) that loads office.js.
    '/to-missing.html': `<!doctype html><meta charset="utf-8"><script>location.replace('/missing-with-office.html')</script>`,
    '/to-http.html': `<!doctype html><meta charset="utf-8"><script>location.replace(${JSON.stringify(`${httpUrl()}/plain.html`)})</script>`,
    // A foreign parent: frames the pane and feeds it a forged snapshot, which office.js must ignore.
    '/foreign.html': `<!doctype html><meta charset="utf-8"><iframe id="pane" src="/pane.html"></iframe><script>
      const forged = { ns: 'office-sim', type: 'snapshot', snapshot: { mode: 'read', message: { ewsId: 'forged', subject: 'forged',
        attachments: [] }, user: { displayName: 'x', emailAddress: 'x@x' }, roaming: {}, requirements: {}, hostVersion: '0' } };
      setInterval(() => document.getElementById('pane').contentWindow.postMessage(forged, '*'), 50);</script>`,
  }[path];
  if (html) res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
  else if (path === '/missing-with-office.html') { // an error page with office.js on it
    res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' }).end(`<!doctype html><meta charset="utf-8"><title>not here</title>
      <script src="${office}/office.js"></script><p>Not found</p>`);
  } else if (path === '/redirect-to-http') res.writeHead(302, { Location: `${httpUrl()}/plain.html` }).end();
  else if (path === '/redirect-to-bare') res.writeHead(302, { Location: `${httpUrl()}/bare.html` }).end();
  else res.writeHead(404).end();
});

// A plain-HTTP page that loads office.js from the host: where a dialog must not go (12003).
function httpServer(outlookUrl) {
  const server = http.createServer((req, res) => res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
    .end(req.url.startsWith('/bare') ? '<!doctype html><title>bare http</title>' // no office.js: only the host's probe can tell
      : `<!doctype html><meta charset="utf-8"><title>plain http</title><script src="${outlookUrl()}/office.js"></script>`));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () =>
    resolve({ url: `http://127.0.0.1:${server.address().port}`, close: () => { server.closeAllConnections(); server.close(); } })));
}

// ---- harness ----

let graph, paneServer, plainHttp, outlook, browser, context;

before(async () => {
  graph = await fakeGraph();
  plainHttp = await httpServer(() => outlook.url);
  paneServer = await fakePane(() => outlook.url, () => graph.url, () => plainHttp.url);
  outlook = await start({ port: 0, tls, graphControlUrl: `${graph.url}/_control`, paneUrl: `${paneServer.url}/pane.html` });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu',
    '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--ignore-certificate-errors'] });
  context = await browser.newContext({ ignoreHTTPSErrors: true });
});

after(async () => {
  await browser?.close();
  await outlook?.close();
  paneServer?.close();
  plainHttp?.close();
  graph?.close();
  if (rig) {
    const r = await rig;
    await Promise.all([r.idp.close(), r.probe.close(), r.otherProbe.close()]);
    rmSync(r.dist, { recursive: true, force: true });
  }
});

function request(path, { method = 'GET', body } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, outlook.url), { method, ca: tls.cert }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
const json = async (path, options) => JSON.parse((await request(path, options)).body);

// Waits for the pane's report, then clears the marker so the next report is a fresh one.
async function readPane(page) {
  const body = page.frameLocator('#taskpane').locator('body[data-done]');
  await body.waitFor({ timeout: 15000 });
  const out = JSON.parse(await body.locator('#out').textContent());
  await body.evaluate((b) => { delete b.dataset.done; });
  assert.equal(out.error, undefined, out.error);
  return out;
}

async function openHost(query = '') {
  const page = await context.newPage();
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  await page.goto(`${outlook.url}/${query}`);
  await page.locator('#reading-pane h1').waitFor();
  return { page, dialogs };
}

const succeeded = (r, value) => {
  assert.equal(r.afterReturn, true, 'the callback must come after the method returns');
  assert.equal(r.result.status, 'succeeded');
  assert.equal('error' in r.result, false);
  if (value !== undefined) assert.deepEqual(r.result.value, value);
};
const failed = (r, code, name) => {
  assert.equal(r.afterReturn, true);
  assert.equal(r.result.status, 'failed');
  assert.equal(r.result.error.code, code);
  assert.equal(r.result.error.name, name);
  assert.ok(r.result.error.message, 'a failure explains itself');
};

test('the server serves office.js for any origin, proxies the mailbox and keeps roaming settings', async () => {
  const office = await request('/office.js');
  assert.equal(office.status, 200);
  assert.match(office.headers['content-type'], /^text\/javascript/);
  assert.equal(office.headers['access-control-allow-origin'], '*');
  const box = await json('/_sim/mailbox');
  assert.equal(box.paneUrl, `${paneServer.url}/pane.html`);
  assert.equal(box.graphUrl, graph.url);
  assert.deepEqual(box.messages.map((m) => m.ewsId), [board.ewsId, hostile.ewsId, team.ewsId]);
  assert.deepEqual(box.users, [{ id: fixture.users[0].id, displayName: 'Dana Staff', mail: USER }]); // no password
  assert.equal(box.tenantId, fixture.tenantId);
  assert.equal(box.idpUrl, 'https://127.0.0.1:3200'); // the default; ?idp= on the host page overrides it
  assert.equal(box.brokerClientId, BROKER_CLIENT_ID);
  const a = messages[0].attachments[0];
  assert.deepEqual((await request(`/_sim/attachments/${encodeURIComponent(a.restId)}/content`)).body, a.bytes);
  assert.equal((await request('/_sim/attachments/nope/content')).status, 404);
  assert.equal((await request(`/_sim/roaming?user=${USER}`, { method: 'PUT', body: JSON.stringify({ a: 'x'.repeat(33000) }) })).status, 413);
  assert.equal((await request(`/_sim/roaming?user=${USER}`, { method: 'PUT', body: '[1]' })).status, 400);
  assert.equal((await request(`/_sim/roaming?user=${USER}`, { method: 'PUT', body: '{"k":1}' })).status, 200);
  assert.deepEqual(await json(`/_sim/roaming?user=${USER.toUpperCase()}`), { k: 1 });
  assert.deepEqual(await json('/_control/roaming'), { [USER]: { k: 1 } });
  assert.equal((await request('/_control/reset', { method: 'POST' })).status, 200);
  assert.deepEqual(await json('/_control/roaming'), {});
  const hidesBefore = hides.length;
  const hide = await request(`/_sim/messages/${encodeURIComponent(board.ewsId)}/hide`, { method: 'POST', body: '{"ms":5}' });
  assert.equal(hide.status, 200);
  assert.deepEqual(hides.slice(hidesBefore), [{ id: board.ewsId, ms: 5 }]);
  assert.equal((await request('/_sim/messages/nope/hide', { method: 'POST', body: '{"ms":5}' })).status, 404);
  assert.equal((await request(`/_sim/messages/${encodeURIComponent(board.ewsId)}/hide`, { method: 'POST', body: 'x' })).status, 400);
  assert.equal((await request('/nowhere')).status, 404);
  // the whole message as MIME, read through from Graph's control API
  const eml = await request(`/_sim/messages/${encodeURIComponent(board.ewsId)}/mime`);
  assert.equal(eml.status, 200);
  assert.equal(eml.headers['content-type'], 'message/rfc822');
  assert.deepEqual(eml.body, mimeOf.get(board.ewsId));
  assert.equal((await request(`/_sim/messages/${encodeURIComponent(hostile.ewsId)}/mime`)).status, 404);
  // the dialog probe: status of a page, a redirect to http:, a page that cannot be fetched, https only
  const probe = (u) => json(`/_sim/probe?url=${encodeURIComponent(u)}`);
  assert.deepEqual(await probe(`${paneServer.url}/dialog.html`), { status: 200, http: false, url: `${paneServer.url}/dialog.html` });
  assert.equal((await probe(`${paneServer.url}/nope.html`)).status, 404);
  assert.deepEqual(await probe(`${paneServer.url}/redirect-to-http`), { status: 302, http: true, url: `${plainHttp.url}/plain.html` });
  assert.equal((await probe('https://127.0.0.1:1/x')).status, null);
  assert.equal((await request(`/_sim/probe?url=${encodeURIComponent(`${plainHttp.url}/plain.html`)}`)).status, 400);
  // roaming: the limit counts characters, not bytes
  assert.equal((await request(`/_sim/roaming?user=${USER}`, { method: 'PUT', body: JSON.stringify({ a: 'é'.repeat(20000) }) })).status, 200);
  assert.equal((await request('/_control/reset', { method: 'POST' })).status, 200);
});

test('the task pane reads the open email through office.js', async () => {
  await request('/_control/reset', { method: 'POST' });
  const { page, dialogs } = await openHost();
  await page.getByRole('button', { name: 'Save to iMIS' }).click();
  assert.equal(await page.locator('#taskpane').getAttribute('title'), 'Save to iMIS');
  const out = await readPane(page);

  assert.deepEqual(out.info, { host: 'Outlook', platform: 'OfficeOnline' });
  assert.deepEqual(out.callbackInfo, out.info);
  assert.equal(out.initializeCalls, 1);
  assert.equal(out.itemType, 'message');
  assert.equal(out.itemClass, 'IPM.Note');
  assert.equal(out.itemId, board.ewsId);
  assert.equal(out.subject, board.subject);
  assert.equal(out.normalizedSubject, board.subject);
  assert.equal(typeof out.conversationId, 'string');
  assert.equal(out.internetMessageId, board.internetMessageId);
  assert.equal(out.dateTimeCreated, new Date(board.sentDateTime).toISOString());
  assert.deepEqual(out.from, { emailAddress: board.from.address, displayName: board.from.name }); // no recipientType (docs)
  assert.deepEqual(out.sender, out.from);
  assert.deepEqual(out.to, [{ emailAddress: USER, displayName: 'Dana Staff', recipientType: 'user' }]);
  assert.deepEqual(out.cc, [{ emailAddress: 'sam.board@example.net', displayName: 'Sam Board', recipientType: 'externalUser' }]);
  assert.deepEqual(out.attachments, messages[0].attachments.map((a) => ({ id: a.ewsId, name: a.name, contentType: a.contentType,
    size: a.bytes.length, attachmentType: 'file', isInline: false })));
  assert.deepEqual(out.userProfile, { displayName: 'Dana Staff', emailAddress: USER, timeZone: 'UTC', accountType: 'enterprise' });
  assert.deepEqual(out.mailboxDiagnostics, { hostName: 'OutlookWebApp', hostVersion: '15.20.8100.0', OWAView: 'ThreeColumns' });
  assert.deepEqual(out.contextDiagnostics, { host: 'Outlook', platform: 'OfficeOnline', version: '15.20.8100.0' });
  assert.equal(out.restId, messages[0].restId);
  assert.ok(!/[/+]/.test(out.restId));
  assert.equal(out.ewsIdAgain, board.ewsId);

  succeeded(out.bodyText, board.bodyText);
  assert.equal(out.bodyText.result.asyncContext, 'ctx-1');
  assert.equal('asyncContext' in out.bodyHtml.result, false);
  succeeded(out.bodyHtml);
  assert.match(out.bodyHtml.result.value, /<div>Hello Dana,<br><br>Please find the agenda, the budget and last meeting&#39;s photo/);

  assert.deepEqual(out.isSet, { mailbox18: true, mailbox113: true, mailbox114: false, nestedAppAuth: false, dialogApi: true, identityApi: true });
  assert.deepEqual(out.methods, { getAttachmentContentAsync: 'function', getSharedPropertiesAsync: 'undefined', // the user's own item
    getAttachmentsAsync: 'undefined', getItemIdAsync: 'undefined', saveAsync: 'undefined', // compose
    getAsFileAsync: 'undefined' }); // Mailbox 1.14
  assert.deepEqual(out.delegatePermissions, { Read: 1, Write: 2, DeleteOwn: 4, DeleteAll: 8, EditOwn: 16, EditAll: 32 });
  assert.equal(out.contents.length, 3);
  out.contents.forEach((r, i) => succeeded(r, { format: 'base64', content: messages[0].attachments[i].bytes.toString('base64') }));
  failed(out.unknownAttachment, 9003, 'InvalidAttachmentId');
  assert.equal(out.shared, 'absent', 'getSharedPropertiesAsync is only on items from a shared folder or mailbox');

  assert.equal(out.visitsBefore, 'undefined');
  succeeded(out.wideSave);
  succeeded(out.roamingSave);
  // set() throws past 32 KB and keeps what was there; saveAsync sees only what grew after set()
  assert.deepEqual(out.bigSet, { name: 'RoamingSettingsExceededSize', code: 9057,
    message: "Invalid parameter size. Roaming settings can't exceed the 32 KB size limit." });
  assert.equal(out.bigKept, false);
  assert.equal(out.bigReplace, 1, 'a refused set() leaves the old value');
  failed(out.grownSave, 9019, 'GenericSettingsError');
  assert.deepEqual(await json(`/_control/roaming?user=${USER}`), { visits: 1, lastSubject: board.subject });
  assert.deepEqual(dialogs, []);
  await page.close();
});

test('roaming settings: a reload inside the pane gets the initial values, a new opening or a browser refresh the saved ones', async () => {
  await request('/_control/reset', { method: 'POST' });
  const { page } = await openHost();
  const ribbon = page.getByRole('button', { name: 'Save to iMIS' });
  await ribbon.click();
  assert.equal((await readPane(page)).visitsBefore, 'undefined'); // saves visits: 1

  await page.locator('#taskpane').evaluate((frame) => { frame.src = frame.src; });
  assert.equal((await readPane(page)).visitsBefore, 'undefined'); // RoamingSettings docs: reset to initial values

  await page.locator('#taskpane-close').click();
  assert.equal(await page.locator('#taskpane').count(), 0);
  await ribbon.click();
  assert.equal((await readPane(page)).visitsBefore, 1); // saves visits: 2

  await page.reload();
  await ribbon.click();
  assert.equal((await readPane(page)).visitsBefore, 2);
  assert.equal((await json(`/_control/roaming?user=${USER}`)).visits, 3);
  await page.close();
});

test('untrusted subjects and names render as text, and reach the pane intact', async () => {
  const { page, dialogs } = await openHost(`?message=${encodeURIComponent(hostile.ewsId)}`);
  await page.waitForTimeout(300); // time for an injected onerror to fire
  assert.equal(await page.locator('#reading-pane h1').textContent(), hostile.subject);
  assert.deepEqual(await page.locator('#attachments li').allTextContents(), hostile.attachments.map((a) => `${a.name} (${a.bytes?.length ?? 0} bytes)`));
  assert.match(await page.locator('#message-list').textContent(), /<img src=x onerror=alert\(1\)> Mallory/);
  assert.equal(await page.locator('img').count(), 0);
  assert.deepEqual(await page.evaluate(() => [...document.scripts].map((s) => s.getAttribute('src'))), ['/host.js']);
  assert.deepEqual(dialogs, []);

  await page.getByRole('button', { name: 'Save to iMIS' }).click();
  const out = await readPane(page);
  assert.equal(out.subject, hostile.subject);
  assert.equal(out.normalizedSubject, hostile.subject.slice('RE: '.length));
  assert.equal(out.cc.length, 0);
  assert.deepEqual(out.attachments.map((a) => [a.id, a.attachmentType, a.contentType]), [
    [hostile.attachments[0].ewsId, 'file', 'application/pdf'], [hostile.attachments[1].ewsId, 'item', 'message/rfc822'],
    [hostile.attachments[2].ewsId, 'item', 'text/vcard'], [hostile.attachments[3].sourceUrl, 'cloud', hostile.attachments[3].contentType]]);
  succeeded(out.contents[0], { format: 'base64', content: hostile.attachments[0].bytes.toString('base64') });
  succeeded(out.contents[1], { format: 'eml', content: 'Subject: Grüße\r\n\r\nHallo\r\n' });
  failed(out.contents[2], 9043, 'AttachmentTypeNotSupported');
  succeeded(out.contents[3], { format: 'url', content: hostile.attachments[3].sourceUrl });
  assert.deepEqual(dialogs, []);
  await page.close();
});

test('?requirements changes the claimed sets, and Mailbox 1.8 methods go with Mailbox 1.8', async () => {
  const { page } = await openHost('?requirements=Mailbox:1.7,NestedAppAuth:1.1,DialogApi:0');
  await page.getByRole('button', { name: 'Save to iMIS' }).click();
  const out = await readPane(page);
  assert.deepEqual(out.isSet, { mailbox18: false, mailbox113: false, mailbox114: false, nestedAppAuth: true, dialogApi: false, identityApi: true });
  assert.equal(out.hasGetAttachmentContent, false);
  assert.ok(Object.values(out.methods).every((t) => t === 'undefined'), JSON.stringify(out.methods));
  assert.equal(out.attachments.length, 3, 'item.attachments (1.1) stays');
  await page.close();

  // Compose on Mailbox 1.7: saveAsync (1.3) and from (1.7) stay; the 1.8 methods are not there at all.
  const compose = await openHost(`?mode=compose&message=${encodeURIComponent(team.ewsId)}&requirements=Mailbox:1.7`);
  await compose.page.getByRole('button', { name: 'Save to iMIS' }).click();
  const c = await readPane(compose.page);
  assert.deepEqual(c.methods, { getAttachmentContentAsync: 'undefined', getSharedPropertiesAsync: 'undefined',
    getAttachmentsAsync: 'undefined', getItemIdAsync: 'undefined', saveAsync: 'function', getAsFileAsync: 'undefined' });
  assert.equal(c.fieldTypes.from, 'function');
  succeeded(c.save, team.ewsId);
  assert.equal('idAfterSave' in c, false);
  await compose.page.close();

  const older = await openHost('?mode=compose&requirements=Mailbox:1.6');
  await older.page.getByRole('button', { name: 'Save to iMIS' }).click();
  const o = await readPane(older.page);
  assert.equal(o.fieldTypes.from, 'undefined', 'from in compose is Mailbox 1.7');
  assert.equal(o.methods.saveAsync, 'function');
  await older.page.close();
});

test('compose: the draft through async getters; getItemIdAsync fails until saveAsync, then gives the id', async () => {
  await request('/_control/reset', { method: 'POST' });
  const hidesBefore = hides.length;
  const { page, dialogs } = await openHost('?mode=compose');
  assert.equal(await page.locator('#reading-pane .draft').textContent(), 'Draft (being written)');
  const metas = await page.locator('#reading-pane .meta').allTextContents();
  assert.deepEqual(metas, [`From: Dana Staff <${USER}>`, `To: Dana Staff <${USER}>`, 'Cc: Sam Board <sam.board@example.net>']);
  await page.getByRole('button', { name: 'Save to iMIS' }).click();
  const out = await readPane(page);

  assert.equal(out.compose, true);
  assert.deepEqual(out.absent, ['itemId', 'itemClass', 'attachments', 'internetMessageId', 'normalizedSubject', 'sender', 'dateTimeCreated']);
  assert.equal(out.itemType, 'message');
  assert.equal(typeof out.conversationId, 'string');
  assert.deepEqual(out.fieldTypes, { subject: 'function', to: 'function', cc: 'function', bcc: 'function', from: 'function', body: 'function' });
  assert.deepEqual(out.methods, { getAttachmentContentAsync: 'function', getSharedPropertiesAsync: 'undefined',
    getAttachmentsAsync: 'function', getItemIdAsync: 'function', saveAsync: 'function', getAsFileAsync: 'undefined' });

  failed(out.idBeforeSave, 9046, 'ItemNotSaved');
  assert.match(out.idBeforeSave.result.error.message, /can't be retrieved until the item is saved/);
  succeeded(out.subject, board.subject);
  succeeded(out.to, [{ emailAddress: USER, displayName: 'Dana Staff', recipientType: 'user' }]);
  assert.equal(out.to.result.asyncContext, 'to');
  succeeded(out.cc, [{ emailAddress: 'sam.board@example.net', displayName: 'Sam Board', recipientType: 'externalUser' }]);
  succeeded(out.bcc, []);
  succeeded(out.from, { emailAddress: USER, displayName: 'Dana Staff' }); // the user; no recipientType (docs)
  succeeded(out.bodyText, board.bodyText);
  succeeded(out.attachments, messages[0].attachments.map((a) => ({ id: a.ewsId, name: a.name, size: a.bytes.length,
    attachmentType: 'file', isInline: false }))); // AttachmentDetailsCompose: no contentType
  out.contents.forEach((r, i) => succeeded(r, { format: 'base64', content: messages[0].attachments[i].bytes.toString('base64') }));
  assert.equal(out.shared, 'absent');
  failed(out.idStillBeforeSave, 9046, 'ItemNotSaved');
  succeeded(out.save, board.ewsId);
  assert.equal(out.save.result.asyncContext, 'save-1');
  succeeded(out.idAfterSave, board.ewsId);
  succeeded(out.saveAgain, board.ewsId);
  succeeded(out.setSubject);
  assert.equal(out.subjectAfterSet, 'Renamed draft');
  assert.equal(out.longSubject, 'Sys.ArgumentException');
  assert.deepEqual(hides.slice(hidesBefore), [], 'no ?syncDelay: Graph is not asked to hide the draft');
  assert.deepEqual(await json(`/_control/roaming?user=${USER}`), { visits: 1, lastSubject: 'Renamed draft' });

  // Saved once on this page: a new pane opening gets the id at once.
  await page.locator('#taskpane-close').click();
  await page.getByRole('button', { name: 'Save to iMIS' }).click();
  succeeded((await readPane(page)).idBeforeSave, board.ewsId);
  assert.deepEqual(dialogs, []);
  await page.close();
});

test('compose with ?syncDelay: the first saveAsync asks Graph to hide the draft for that long, once', async () => {
  const hidesBefore = hides.length;
  const { page } = await openHost(`?mode=compose&syncDelay=500&message=${encodeURIComponent(board.ewsId)}`);
  await page.getByRole('button', { name: 'Save to iMIS' }).click();
  const out = await readPane(page);
  succeeded(out.save, board.ewsId);
  succeeded(out.saveAgain, board.ewsId);
  assert.deepEqual(hides.slice(hidesBefore), [{ id: board.ewsId, ms: 500 }]);
  await page.locator('#taskpane-close').click();
  await page.getByRole('button', { name: 'Save to iMIS' }).click();
  succeeded((await readPane(page)).save, board.ewsId);
  assert.equal(hides.length, hidesBefore + 1, 'the draft was saved already: no second delay');
  await page.close();
});

test('shared mailbox: listed in mailbox order with its label; getSharedPropertiesAsync gives the mailbox', async () => {
  await request('/_control/reset', { method: 'POST' });
  const { page } = await openHost(`?message=${encodeURIComponent(team.ewsId)}`);
  assert.deepEqual(await page.locator('#message-list .subject').allTextContents(), [board.subject, hostile.subject, team.subject]);
  assert.deepEqual(await page.locator('#message-list .folder').allTextContents(), ['Membership Team (shared)']);
  assert.equal(await page.locator('#message-list button').nth(2).locator('.folder').count(), 1);
  assert.equal(await page.locator('#message-list button[aria-current=true] .subject').textContent(), team.subject);
  assert.equal(await page.locator('#reading-pane .meta').first().textContent(), 'Mailbox: Membership Team <team@example.org> (shared)');
  await page.getByRole('button', { name: 'Save to iMIS' }).click();
  const out = await readPane(page);
  assert.equal(out.itemId, team.ewsId);
  assert.deepEqual(out.userProfile, { displayName: 'Dana Staff', emailAddress: USER, timeZone: 'UTC', accountType: 'enterprise' });
  assert.deepEqual(out.to, [{ emailAddress: 'team@example.org', displayName: 'Membership Team', recipientType: 'user' }]);
  const props = { targetMailbox: 'team@example.org', targetRestUrl: graph.url, owner: 'team@example.org',
    delegatePermissions: out.delegatePermissions.Read };
  succeeded(out.shared, props);
  assert.equal(props.delegatePermissions, 1);
  out.contents.forEach((r, i) => succeeded(r, { format: 'base64', content: messages[2].attachments[i].bytes.toString('base64') }));
  assert.deepEqual(Object.keys(await json('/_control/roaming')), [USER], "roaming settings are the signed-in user's");

  await page.goto(`${outlook.url}/?mode=compose&message=${encodeURIComponent(team.ewsId)}`);
  await page.getByRole('button', { name: 'Save to iMIS' }).click();
  const draft = await readPane(page);
  succeeded(draft.shared, props);
  succeeded(draft.from, { emailAddress: USER, displayName: 'Dana Staff' });
  succeeded(draft.save, team.ewsId);
  await page.close();
});

test('outside Outlook, or framed by a foreign page, office.js reports no host', async () => {
  const page = await context.newPage();
  await page.goto(`${paneServer.url}/pane.html`);
  await page.locator('body[data-done]').waitFor();
  let out = JSON.parse(await page.locator('#out').textContent());
  assert.deepEqual(out.info, { host: null, platform: null });
  assert.equal(out.hasMailbox, false);
  assert.equal(out.initializeCalls, 0);

  await page.goto(`${paneServer.url}/foreign.html`);
  const body = page.frameLocator('#pane').locator('body[data-done]');
  await body.waitFor({ timeout: 10000 });
  out = JSON.parse(await body.locator('#out').textContent());
  assert.deepEqual(out.info, { host: null, platform: null }, 'a forged snapshot from another origin is ignored');
  assert.equal(out.hasMailbox, false);
  await page.close();
});

test('?pane overrides the pane URL and an unknown ?message is reported', async () => {
  const { page } = await openHost(`?pane=${encodeURIComponent(`${paneServer.url}/pane.html?variant=2`)}`);
  await page.getByRole('button', { name: 'Save to iMIS' }).click();
  assert.equal(await page.locator('#taskpane').getAttribute('src'), `${paneServer.url}/pane.html?variant=2`);
  assert.equal((await readPane(page)).subject, board.subject);
  await page.goto(`${outlook.url}/?message=nope`);
  await page.getByText('There is no message with that ewsId.').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Save to iMIS' }).isDisabled(), true);
  await page.close();
});

test('with the real Graph stand-in: after saveAsync with ?syncDelay, Graph answers 404 for the draft, then 200', async () => {
  const { start: startGraph } = await import('../graph/server.mjs');
  const { SignJWT, exportJWK, generateKeyPair } = await import('jose');
  const keys = await generateKeyPair('RS256');
  const realGraph = await startGraph({ port: 0, tls,
    publicKeys: { keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] } });
  const host = await start({ port: 0, tls, graphControlUrl: `${realGraph.url}/_control`, paneUrl: `${paneServer.url}/pane.html` });
  try {
    const user = fixture.users[0];
    const token = await new SignJWT({ scp: 'Mail.Read', oid: user.id, preferred_username: user.mail })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuedAt().setAudience(realGraph.url).setExpirationTime('10m').sign(keys.privateKey);
    const list = () => new Promise((resolve, reject) => {
      https.get(`${realGraph.url}/v1.0/me/messages/${toRestId(board.ewsId)}/attachments?$select=name`,
        { ca: tls.cert, headers: { Authorization: `Bearer ${token}` } }, (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c)).on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
        }).on('error', reject);
    });
    assert.equal((await list()).status, 200);
    const box = await new Promise((resolve, reject) => https.get(`${host.url}/_sim/mailbox`, { ca: tls.cert }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c)).on('end', () => resolve(JSON.parse(Buffer.concat(chunks))));
    }).on('error', reject));
    assert.deepEqual(box.messages.map((m) => m.ewsId), fixture.messages.map((m) => m.ewsId));
    assert.equal(box.graphUrl, realGraph.url);

    const DELAY = 3000;
    const pane = `${paneServer.url}/pane.html?office=${encodeURIComponent(host.url)}`;
    const page = await context.newPage();
    await page.goto(`${host.url}/?mode=compose&syncDelay=${DELAY}&pane=${encodeURIComponent(pane)}`);
    await page.locator('#reading-pane .draft').waitFor();
    const clicked = Date.now();
    await page.getByRole('button', { name: 'Save to iMIS' }).click();
    const out = await readPane(page);
    succeeded(out.save, board.ewsId);
    out.contents.forEach((r, i) => succeeded(r, { format: 'base64', content: messages[0].attachments[i].bytes.toString('base64') }));
    const early = await list();
    if (Date.now() - clicked < DELAY - 500) {
      assert.equal(early.status, 404);
      assert.equal(JSON.parse(early.body).error.code, 'ErrorItemNotFound');
    }
    let back;
    while ((back = await list()).status === 404 && Date.now() - clicked < DELAY + 5000) await new Promise((r) => setTimeout(r, 100));
    assert.equal(back.status, 200);
    assert.ok(Date.now() - clicked >= DELAY - 50, 'not before the delay has passed since the save');
    await page.close();
  } finally {
    await host.close();
    await realGraph.close();
  }
});

// ---- sign-in: the IdP stand-in and the MSAL probe pages, started once on first use ----

let rig;
const TID = fixture.tenantId;
const scope = (perm = 'Mail.Read') => `${graph.url}/${perm}`;
function httpsJson(url, data) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: data === undefined ? 'GET' : 'POST', ca: tls.cert, headers: { 'Content-Type': 'application/json' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c)).on('end', () => resolve(JSON.parse(Buffer.concat(chunks))));
    });
    req.on('error', reject).end(data === undefined ? undefined : JSON.stringify(data));
  });
}
function msalRig() {
  rig ??= (async () => {
    const dist = mkdtempSync(join(tmpdir(), 'msal-probe-outlook-'));
    await probeServer.build({ outDir: dist });
    const probe = await probeServer.start({ tls, outDir: dist });
    const otherProbe = await probeServer.start({ tls, outDir: dist }); // an add-in origin without a brk-multihub registration
    const idp = await startIdp({ port: 0, tls, defaultResource: graph.url,
      clients: [{ clientId: DEMO_CLIENT_ID, name: 'Save to iMIS', permissions: ['Mail.Read', 'Mail.Read.Shared'],
        redirectUris: [`brk-multihub://${new URL(probe.url).host}`, `${probe.url}/auth-redirect.html`, `${probe.url}/dialog.html`] }],
      brokers: [{ clientId: BROKER_CLIENT_ID, name: 'Outlook (simulated)', redirectUris: [`${outlook.url}/`] }] });
    const jwks = jose.createLocalJWKSet(await httpsJson(idp.jwksUrl));
    return { dist, probe, otherProbe, idp, jwks };
  })();
  return rig;
}
const idpControl = async (path, data) => httpsJson(`${(await rig).idp.url}/_control/${path}`, data);
const tokenLog = async () => (await idpControl('log')).entries.filter((e) => e.kind === 'token');
const verifyGraphToken = async (token) => (await jose.jwtVerify(token, (await rig).jwks,
  { issuer: `${(await rig).idp.url}/${TID}/v2.0`, audience: graph.url, algorithms: ['RS256'] })).payload;
const probePane = (origin, extra = {}) => `${origin}/pane.html?${new URLSearchParams({ office: outlook.url,
  clientId: DEMO_CLIENT_ID, scope: scope(), ...extra })}`;

// Opens the task pane and waits for its page (window.probe or window.sim) to have loaded.
async function paneFrame(page, global) {
  await page.getByRole('button', { name: 'Save to iMIS' }).click();
  const frame = await (await page.locator('#taskpane').elementHandle()).contentFrame();
  await frame.waitForFunction((g) => window[g], global, { timeout: 15000 });
  return frame;
}
// Opens the host with the probe pane; returns the page, the pane frame and the page errors (pane included).
async function openProbe({ requirements, paneOrigin, pane = {}, host = {} } = {}) {
  const { idp, probe } = await rig;
  const authority = `${idp.url}/${TID}/`;
  const paneUrl = probePane(paneOrigin ?? probe.url, { authority, ...pane });
  const { page } = await openHost(`?${new URLSearchParams({ ...(requirements && { requirements }), idp: idp.url, pane: paneUrl, ...host })}`);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const frame = await paneFrame(page, 'probe');
  return { page, frame, errors, ready: await frame.evaluate(() => window.probe.ready) };
}
const call = (frame, fn, ...args) => frame.evaluate(([f, a]) => window.probe[f](...a), [fn, args]);

test('nested app auth: real MSAL createNestablePublicClientApplication gets Graph tokens through the host bridge', { timeout: 120_000 }, async () => {
  const { idp, probe } = await msalRig();
  await idpControl('reset', {});
  const user = fixture.users[0];
  let windows = 0;
  const count = () => { windows += 1; };
  context.on('page', count);
  try {
    // created before Office.onReady: MSAL waits on window.__initializeNestedAppAuth, then finds the bridge
    const { page, frame, errors, ready } = await openProbe({ requirements: 'NestedAppAuth:1.1' });
    assert.deepEqual(ready, { controller: 'NestedAppAuthController', bridge: 'object' });
    const opened = windows;

    const first = await call(frame, 'silent', [scope()]);
    assert.equal(first.error, undefined, JSON.stringify(first.error));
    assert.equal(first.fromCache, false);
    const at = await verifyGraphToken(first.accessToken);
    assert.equal(at.aud, graph.url);
    assert.equal(at.scp, 'Mail.Read');
    assert.equal(at.azp, DEMO_CLIENT_ID);
    assert.equal(at.oid, user.id);
    assert.deepEqual(first.account, { username: user.mail, homeAccountId: `${user.id}.${TID}`, environment: new URL(idp.url).host,
      tenantId: TID, localAccountId: user.id, name: user.displayName });
    assert.equal(first.authority, `${idp.url}/${TID}/`);
    const idToken = await jose.jwtVerify(first.idToken, (await rig).jwks, { audience: DEMO_CLIENT_ID });
    assert.equal(idToken.payload.preferred_username, user.mail);
    const broker = { kind: 'token', tenant: TID, clientId: DEMO_CLIENT_ID, grantType: 'broker', scope: `${scope()} openid profile`,
      redirectUri: `brk-multihub://${new URL(probe.url).host}`, brokerClientId: BROKER_CLIENT_ID, outcome: 'tokens', user: user.mail };
    assert.deepEqual((await tokenLog()).map(({ at: _, ...e }) => e), [broker]);

    // acquireTokenSilent again: MSAL's own cache (the account context matches: environment = the IdP's host)
    const cached = await call(frame, 'silent', [scope()]);
    assert.equal(cached.fromCache, true);
    assert.equal(cached.accessToken, first.accessToken);
    assert.equal((await tokenLog()).length, 1, 'no bridge request, no IdP request');
    const forced = await call(frame, 'silent', [scope()], { forceRefresh: true });
    assert.equal(forced.fromCache, false);
    assert.notEqual(forced.accessToken, first.accessToken);
    // acquireTokenPopup -> GetTokenPopup: the host is signed in, no window opens
    const popup = await call(frame, 'popup', [scope('Mail.Read.Shared')]);
    assert.equal(popup.error, undefined, JSON.stringify(popup.error));
    assert.equal((await verifyGraphToken(popup.accessToken)).scp, 'Mail.Read.Shared');
    assert.equal(windows, opened, 'no popup window');
    assert.deepEqual((await tokenLog()).map((e) => `${e.grantType}:${e.outcome}`), ['broker:tokens', 'broker:tokens', 'broker:tokens']);
    assert.deepEqual(await call(frame, 'accounts'), [{ username: user.mail, homeAccountId: `${user.id}.${TID}`, environment: new URL(idp.url).host }]);

    // Office.auth.getAuthContext: the login hint the add-in passes on
    assert.deepEqual(await call(frame, 'authContext'), { userObjectId: user.id, tenantId: TID, userPrincipalName: user.mail,
      loginHint: user.mail, authorityType: 'aad', authorityBaseUrl: idp.url });

    // consent: a permission the app does not hold, and an injected AADSTS65001 on the broker grant
    const notGranted = await call(frame, 'silent', [scope('Mail.ReadWrite')]);
    assert.equal(notGranted.error?.name, 'InteractionRequiredAuthError', JSON.stringify(notGranted));
    assert.equal(notGranted.error.errorCode, 'invalid_grant');
    assert.equal(notGranted.error.subError, '', "the host sends subError consent_required; MSAL 5.30's NAA error mapping drops it");
    assert.match(notGranted.error.message, /AADSTS65001: The user or administrator has not consented/);
    await idpControl('faults', [{ aadsts: 'AADSTS65001', where: 'broker' }]);
    const fault = await call(frame, 'silent', [scope()], { forceRefresh: true });
    assert.equal(fault.error?.name, 'InteractionRequiredAuthError');
    assert.match(fault.error.message, /AADSTS65001/);
    assert.equal((await tokenLog()).at(-1).outcome, 'AADSTS65001');
    assert.deepEqual(errors, []);
    await page.close();

    // without knownAuthorities MSAL cannot match the account's environment: every silent call asks the bridge
    await idpControl('reset', {});
    const bare = await openProbe({ requirements: 'NestedAppAuth:1.1', pane: { known: '0' } });
    assert.equal((await call(bare.frame, 'silent', [scope()])).fromCache, false);
    assert.equal((await call(bare.frame, 'silent', [scope()])).fromCache, false);
    assert.equal((await tokenLog()).length, 2);
    await bare.page.close();
  } finally {
    context.off('page', count);
  }
});

test('nested app auth: an add-in origin without its brk-multihub redirect URI gets AADSTS50011 from MSAL', { timeout: 120_000 }, async () => {
  const { otherProbe } = await msalRig();
  await idpControl('reset', {});
  const { page, frame, ready } = await openProbe({ requirements: 'NestedAppAuth:1.1', paneOrigin: otherProbe.url });
  assert.equal(ready.controller, 'NestedAppAuthController');
  const brk = `brk-multihub://${new URL(otherProbe.url).host}`;
  for (const how of ['silent', 'popup']) {
    const r = await call(frame, how, [scope()]);
    assert.equal(r.error?.name, 'ServerError', JSON.stringify(r));
    assert.equal(r.error.errorCode, 'invalid_request');
    assert.match(r.error.message, new RegExp(`AADSTS50011: The redirect URI '${brk.replace(/[.]/g, '\\.')}' specified in the request does not match`));
  }
  const log = await tokenLog();
  assert.deepEqual(log.map((e) => [e.grantType, e.redirectUri, e.outcome]), [['broker', brk, 'AADSTS50011'], ['broker', brk, 'AADSTS50011']]);
  await page.close();
});

test('nested app auth is not claimed by default: MSAL falls back to its standard client; getAuthContext needs NestedAppAuth 1.1', { timeout: 120_000 }, async () => {
  await msalRig();
  await idpControl('reset', {});
  const notSupported = { error: { name: 'API Not Supported', code: 13000, message: 'The identity API is not supported for this add-in.' } };
  const { page, frame, ready } = await openProbe({ pane: { wait: 'onReady' } });
  assert.deepEqual(ready, { controller: 'StandardController', bridge: 'undefined' });
  assert.equal((await call(frame, 'silent', [scope()])).error?.errorCode, 'no_account_error');
  assert.deepEqual(await call(frame, 'authContext'), notSupported, 'IdentityAPI 1.3 (claimed by default) is not enough');
  assert.deepEqual(await tokenLog(), []);
  await page.close();
  const naa = await openProbe({ requirements: 'IdentityAPI:0,NestedAppAuth:1.1', pane: { wait: 'onReady' } });
  assert.equal((await call(naa.frame, 'authContext')).userPrincipalName, fixture.users[0].mail);
  await naa.page.close();
});

test('dialogs: displayDialogAsync opens a window; messageParent after a trip through another origin; messageChild; 12004/12005/12007; 12006 when the user closes it', { timeout: 60_000 }, async () => {
  const { page, dialogs } = await openHost(`?pane=${encodeURIComponent(`${paneServer.url}/dialog-pane.html`)}`);
  const frame = await paneFrame(page, 'sim');
  await frame.waitForFunction(() => window.sim.ui);
  assert.deepEqual(await frame.evaluate(() => window.sim.ui), ['displayDialogAsync']);
  const sim = (expr) => frame.evaluate(expr);
  const waitEvents = (n) => frame.waitForFunction((k) => window.sim.events.length >= k, n, { timeout: 15000 });

  const popup = context.waitForEvent('page');
  const opened = await frame.evaluate(() => window.sim.open(`${location.origin}/dialog.html?hop=1`, { height: 40, width: 30, asyncContext: 'ctx' }));
  assert.deepEqual(opened, { status: 'succeeded', asyncContext: 'ctx', methods: ['addEventHandler', 'close', 'messageChild'] });
  const dialog = await popup;
  await waitEvents(1);
  assert.deepEqual(await dialog.evaluate(() => [window.opener !== null, window.name]), [true, 'office-dialog-1']);
  const [first] = await sim(() => window.sim.events);
  assert.equal(first.t, 'DialogMessageReceived');
  assert.equal(first.args.origin, paneServer.url);
  assert.equal(first.args.type, 'dialogMessageReceived');
  assert.deepEqual(JSON.parse(first.args.message), { info: { host: 'Outlook', platform: 'OfficeOnline' }, returned: true,
    mailbox: 'undefined', dialogApi: true, ui: ['addHandlerAsync', 'messageParent'] }); // nothing forged by the other origin
  assert.ok(dialog.url().endsWith('/dialog.html?returned=1'));

  await sim(() => window.sim.child('ping'));
  await waitEvents(2);
  assert.deepEqual((await sim(() => window.sim.events))[1], { t: 'DialogMessageReceived',
    args: { message: 'pong:ping:dialogParentMessageReceived', origin: paneServer.url, type: 'dialogMessageReceived' } });

  const failure = (code) => ({ status: 'failed', error: { name: 'Display Dialog Error', code, message: {
    12004: 'The domain of the URL is not included in the AppDomains element in the manifest.',
    12005: 'The HTTP protocol is not supported. Use HTTPS instead',
    12007: 'The operation failed because this add-in already has an active dialog.' }[code] } });
  assert.deepEqual(await sim(() => window.sim.open(`${location.origin}/dialog.html`)), failure(12007));
  assert.deepEqual(await frame.evaluate((u) => window.sim.open(`${u}/dialog.html`), outlook.url), failure(12004));
  assert.deepEqual(await sim(() => window.sim.open('/dialog.html')), failure(12004), 'not an absolute URL');
  assert.deepEqual(await sim(() => window.sim.open(`http://${location.host}/dialog.html`)), failure(12005));

  await dialog.close(); // the user closes the window
  await waitEvents(3);
  assert.deepEqual((await sim(() => window.sim.events))[2], { t: 'DialogEventReceived', args: { error: 12006, type: 'dialogEventReceived' } });

  // dialog.close(): the window goes, no event; then another dialog may open, and closing the pane closes it
  const again = context.waitForEvent('page');
  assert.equal((await sim(() => window.sim.open(`${location.origin}/dialog.html`))).status, 'succeeded');
  const second = await again;
  await waitEvents(4);
  const closed = second.waitForEvent('close');
  await sim(() => window.sim.close());
  await closed;
  await page.waitForTimeout(500);
  assert.equal((await sim(() => window.sim.events)).length, 4, 'no DialogEventReceived after dialog.close()');
  const third = context.waitForEvent('page');
  await sim(() => window.sim.open(`${location.origin}/dialog.html`));
  const thirdClosed = (await third).waitForEvent('close');
  await page.locator('#taskpane-close').click();
  await thirdClosed;
  assert.deepEqual(dialogs, []);
  await page.close();
});

test('dialogs: when the browser blocks the window, the host asks "wants to display a new window" (Allow / Ignore); promptBeforeOpen false -> 12011', { timeout: 60_000 }, async () => {
  const { page } = await openHost(`?popups=blocked&pane=${encodeURIComponent(`${paneServer.url}/dialog-pane.html`)}`);
  const frame = await paneFrame(page, 'sim');
  const open = (options) => frame.evaluate((o) => window.sim.open(`${location.origin}/dialog.html`, o), options);

  const popup = context.waitForEvent('page');
  const allowed = open({});
  await page.locator('#dialog-prompt').waitFor();
  assert.equal(await page.locator('#dialog-prompt p').textContent(), 'Save to iMIS wants to display a new window.');
  await page.locator('#dialog-allow').click();
  assert.equal((await allowed).status, 'succeeded');
  const dialog = await popup;
  await frame.waitForFunction(() => window.sim.events.length === 1);
  await frame.evaluate(() => window.sim.close());
  await dialog.waitForEvent('close');

  const ignored = open({});
  await page.locator('#dialog-ignore').click();
  assert.deepEqual(await ignored, { status: 'failed', error: { name: 'Display Dialog Error', code: 12009, message: 'The user chose to ignore the dialog box.' } });
  assert.equal(await page.locator('#dialog-prompt').count(), 0);
  assert.equal((await open({ promptBeforeOpen: false })).error.code, 12011);
  await page.close();
});

// The dialog page of the MSAL probe, and what the test does in the dialog window: sign in at the IdP's form.
const dialogStart = (probe, idp, user) => `${probe.url}/dialog.html?${new URLSearchParams({ office: outlook.url,
  authority: `${idp.url}/${TID}/`, clientId: DEMO_CLIENT_ID, scope: scope(), loginHint: user.mail })}`;
async function signInInDialog(dialog, idp, user) {
  await dialog.waitForSelector('#username', { timeout: 15000 });
  assert.ok(dialog.url().startsWith(`${idp.url}/${TID}/oauth2/v2.0/authorize?`));
  assert.equal(await dialog.inputValue('#username'), user.mail, 'login_hint');
  await dialog.fill('#password', user.password);
  await dialog.click('#signin');
}
// The pane's first dialog message: the token MSAL got in the dialog, checked.
async function dialogToken(frame, probe, user) {
  await frame.waitForFunction(() => window.probe.events.length > 0, null, { timeout: 30000 });
  const [event] = await frame.evaluate(() => window.probe.events);
  assert.equal(event.eventType, 'dialogMessageReceived');
  assert.equal(event.args.origin, probe.url);
  const result = JSON.parse(event.args.message);
  assert.equal(result.error, undefined, JSON.stringify(result.error));
  assert.equal(result.username, user.mail);
  assert.ok(result.loads >= 2, `office.js started again after the IdP (${result.loads} loads)`);
  const at = await verifyGraphToken(result.accessToken);
  assert.equal(at.scp, 'Mail.Read');
  assert.equal(at.oid, user.id);
}

test("MSAL's redirect flow inside a dialog: sign in at the IdP in the dialog window, the token comes back with messageParent", { timeout: 120_000 }, async () => {
  const { idp, probe } = await msalRig();
  await idpControl('reset', {});
  const user = fixture.users[0];
  const { page, frame, errors } = await openProbe({ pane: { wait: 'onReady' } });
  const popup = context.waitForEvent('page');
  assert.equal((await call(frame, 'openDialog', dialogStart(probe, idp, user), { height: 60, width: 40 })).opened, true);
  const dialog = await popup;
  await signInInDialog(dialog, idp, user);
  await dialogToken(frame, probe, user);
  const closed = dialog.waitForEvent('close');
  await call(frame, 'closeDialog');
  await closed;
  assert.deepEqual((await tokenLog()).map((e) => `${e.grantType}:${e.outcome}`), ['authorization_code:tokens']);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a real popup blocker: MSAL popup_window_error in the pane, then the dialog (host prompt, Allow), sign-in there, token back', { timeout: 120_000 }, async () => {
  const { idp, probe } = await msalRig();
  await idpControl('reset', {});
  const user = fixture.users[0];
  // Playwright starts Chromium with --disable-popup-blocking; without it, a window.open with no user activation fails
  const blocking = await chromium.launch({ executablePath: '/usr/bin/chromium', ignoreDefaultArgs: ['--disable-popup-blocking'],
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--ignore-certificate-errors'] });
  try {
    const ctx = await blocking.newContext({ ignoreHTTPSErrors: true });
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // 6 s after the ribbon click its user activation has expired: MSAL's window.open and then the host's are blocked
    const pane = probePane(probe.url, { authority: `${idp.url}/${TID}/`, wait: 'onReady', auto: 'popup-then-dialog', autoDelay: '6000',
      dialog: dialogStart(probe, idp, user) });
    await page.goto(`${outlook.url}/?${new URLSearchParams({ idp: idp.url, pane })}`);
    // Nothing may evaluate in the page until the host has decided: Playwright's evaluations count as user gestures.
    const dialogAsked = page.waitForEvent('console', { predicate: (m) => m.text().startsWith('probe: the popup was blocked'), timeout: 30000 });
    await page.getByRole('button', { name: 'Save to iMIS' }).click();
    await dialogAsked;
    await page.waitForTimeout(300);
    await page.locator('#dialog-prompt').waitFor();
    const popup = ctx.waitForEvent('page');
    await page.locator('#dialog-allow').click();
    const dialog = await popup;
    await signInInDialog(dialog, idp, user);
    const frame = await (await page.locator('#taskpane').elementHandle()).contentFrame();
    await dialogToken(frame, probe, user);
    await frame.waitForFunction(() => window.probe.auto.length === 2);
    assert.deepEqual(await frame.evaluate(() => window.probe.auto), [{ popup: 'popup_window_error', name: 'BrowserAuthError' }, { dialog: 'opened' }]);
    assert.deepEqual(ctx.pages().map((p) => new URL(p.url()).origin), [outlook.url, probe.url], 'MSAL\'s popup never opened');
    assert.deepEqual(errors, []);
  } finally {
    await blocking.close();
  }
});

// ---- selection, pinning, multi-select, theme, mobile, ids, permissions: the driver pane ----

// Opens the host with the driver pane (query: host page parameters) and opens the pane.
async function openDriver(query = {}) {
  const { page, dialogs } = await openHost(`?${new URLSearchParams({ pane: `${paneServer.url}/driver.html`, ...query })}`);
  const frame = await paneFrame(page, 'info');
  return { page, frame, dialogs, run: (fn, arg) => frame.evaluate(fn, arg) };
}
async function currentFrame(page) {
  const frame = await (await page.locator('#taskpane').elementHandle()).contentFrame();
  await frame.waitForFunction(() => window.info, null, { timeout: 15000 });
  return frame;
}
const sim = (page, fn, arg) => page.evaluate(fn, arg);
const waitFor = (frame, n) => frame.waitForFunction((k) => window.events.length >= k, n, { timeout: 15000 });
const events = (frame) => frame.evaluate(() => window.events);
const elevated = (name) => `Elevated permission is required to call the method: '${name}'.`;

test('pinned pane: selecting another message or none replaces mailbox.item, then ItemChanged and SelectedItemsChanged run; the old item answers 9030', async () => {
  const { page, frame, run } = await openDriver();
  const added = await run(async () => {
    window.onItem = window.record('item');
    const mb = Office.context.mailbox;
    const out = {
      types: [Office.EventType.ItemChanged, Office.EventType.SelectedItemsChanged, Office.EventType.OfficeThemeChanged],
      first: await settle((cb) => mb.addHandlerAsync(Office.EventType.ItemChanged, window.onItem, { asyncContext: 'x' }, cb)),
      again: await settle((cb) => mb.addHandlerAsync(Office.EventType.ItemChanged, window.onItem, cb)),
      selection: await settle((cb) => mb.addHandlerAsync(Office.EventType.SelectedItemsChanged, window.record('selection'), cb)),
    };
    try { mb.addHandlerAsync(Office.EventType.OfficeThemeChanged, () => {}); out.theme = 'accepted'; } catch (e) { out.theme = e.name; }
    try { mb.addHandlerAsync('olkNoSuchEvent', () => {}); out.unknown = 'accepted'; } catch (e) { out.unknown = e.name; }
    window.first = mb.item;
    return out;
  });
  assert.deepEqual(added.types, ['olkItemSelectedChanged', 'olkSelectedItemsChanged', 'officeThemeChanged']);
  succeeded(added.first);
  assert.equal(added.first.result.asyncContext, 'x');
  failed(added.again, 5001, 'Event Registration Error');
  succeeded(added.selection);
  assert.equal(added.theme, 'Sys.ArgumentException', 'OfficeThemeChanged is Mailbox 1.14');
  assert.equal(added.unknown, 'Sys.ArgumentException');

  await sim(page, (id) => window.outlookSim.select(id), hostile.ewsId);
  await waitFor(frame, 2);
  assert.deepEqual(await events(frame), [
    { name: 'item', args: { type: 'olkItemSelectedChanged' }, subject: hostile.subject },
    { name: 'selection', args: { type: 'olkSelectedItemsChanged' }, subject: hostile.subject }]);
  assert.equal(await page.locator('#reading-pane h1').textContent(), hostile.subject);
  const calls = await run(async () => ({
    sameFrame: window.first !== undefined,
    old: await settle((cb) => window.first.body.getAsync('text', cb)),
    oldAttachment: await settle((cb) => window.first.getAttachmentContentAsync(window.first.attachments[0].id, cb)),
    now: await settle((cb) => Office.context.mailbox.item.body.getAsync('text', cb)),
    itemId: Office.context.mailbox.item.itemId,
  }));
  assert.equal(calls.sameFrame, true, 'the pane stayed loaded');
  failed(calls.old, 9030, 'APICallFailedDueToItemChange');
  assert.equal(calls.old.result.error.message, 'The selected item has been changed.');
  failed(calls.oldAttachment, 9030, 'APICallFailedDueToItemChange');
  succeeded(calls.now, hostile.bodyText);
  assert.equal(calls.itemId, hostile.ewsId);

  // the visible list does the same
  await page.locator(`#message-list button[data-ews-id="${board.ewsId}"]`).click();
  await waitFor(frame, 4);
  assert.equal((await events(frame))[2].subject, board.subject);
  assert.equal(await page.locator('#message-list button[aria-current=true] .subject').textContent(), board.subject);

  // nothing selected: the item is null, the pane stays, the ribbon button is off
  await sim(page, () => window.outlookSim.select(null));
  await waitFor(frame, 6);
  assert.deepEqual((await events(frame)).slice(4).map((e) => [e.name, e.subject]), [['item', null], ['selection', null]]);
  assert.equal(await run(() => Office.context.mailbox.item), null);
  assert.equal(await page.getByRole('button', { name: 'Save to iMIS' }).isDisabled(), true);
  assert.deepEqual(await sim(page, () => window.outlookSim.state()), { selected: [], paneOpen: true, theme: 'light', loaded: null });

  // removeHandlerAsync: no more ItemChanged, so mailbox.item is no longer replaced; SelectedItemsChanged goes on
  succeeded(await run(() => settle((cb) => Office.context.mailbox.removeHandlerAsync(Office.EventType.ItemChanged, cb))));
  await sim(page, (id) => window.outlookSim.select(id), team.ewsId);
  await waitFor(frame, 7);
  await page.waitForTimeout(300);
  assert.deepEqual((await events(frame)).slice(6).map((e) => [e.name, e.subject]), [['selection', null]]);
  await assert.rejects(sim(page, () => window.outlookSim.select('nope')), /There is no message with the ewsId nope/);
  await page.close();
});

test('without an ItemChanged handler the item goes stale (9030); ?pinned=0 closes the pane, ?pinned=reload opens it afresh', async () => {
  const stale = await openDriver();
  await stale.run(() => { window.first = Office.context.mailbox.item; });
  await sim(stale.page, (id) => window.outlookSim.select(id), hostile.ewsId);
  await stale.page.waitForTimeout(300);
  const r = await stale.run(async () => ({ same: Office.context.mailbox.item === window.first, subject: Office.context.mailbox.item.subject,
    body: await settle((cb) => Office.context.mailbox.item.body.getAsync('text', cb)) }));
  assert.deepEqual([r.same, r.subject], [true, board.subject]);
  failed(r.body, 9030, 'APICallFailedDueToItemChange');
  await stale.page.close();

  const unpinned = await openDriver({ pinned: '0' });
  await sim(unpinned.page, (id) => window.outlookSim.select(id), hostile.ewsId);
  assert.equal(await unpinned.page.locator('#taskpane').count(), 0);
  assert.equal(await unpinned.page.locator('#taskpane-container').isHidden(), true);
  assert.equal(await unpinned.page.getByRole('button', { name: 'Save to iMIS' }).isDisabled(), false);
  assert.equal((await sim(unpinned.page, () => window.outlookSim.state())).paneOpen, false);
  await unpinned.page.close();

  const reload = await openDriver({ pinned: 'reload' });
  await reload.run(() => { window.marker = 1; });
  const before = await reload.page.locator('#taskpane').elementHandle();
  await sim(reload.page, (id) => window.outlookSim.select(id), hostile.ewsId);
  await reload.page.waitForFunction((old) => document.querySelector('#taskpane') && document.querySelector('#taskpane') !== old, before);
  const fresh = await currentFrame(reload.page);
  assert.deepEqual(await fresh.evaluate(() => [window.marker, Office.context.mailbox.item.subject]), [undefined, hostile.subject]);
  await reload.page.close();
});

test('multi-select (Mailbox 1.13 / 1.15, ReadWriteMailbox): item null, getSelectedItemsAsync, loadItemByIdAsync one at a time, unloadAsync', async () => {
  const { page, frame, run } = await openDriver({ requirements: 'Mailbox:1.15', permission: 'ReadWriteMailbox', select: `${board.ewsId},${hostile.ewsId}` });
  assert.equal(await page.locator('#reading-pane h1').textContent(), '2 items selected');
  assert.equal(await page.locator('#message-list button[aria-current=true]').count(), 2);
  assert.equal(await run(() => Office.context.mailbox.item), null);
  const sel = await run(() => settle((cb) => Office.context.mailbox.getSelectedItemsAsync({ asyncContext: 's' }, cb)));
  succeeded(sel);
  assert.equal(sel.result.asyncContext, 's');
  assert.ok(sel.result.value.every((d) => typeof d.conversationId === 'string'));
  assert.deepEqual(sel.result.value.map(({ conversationId, ...d }) => d), [board, hostile].map((m) => ({ itemId: m.ewsId, itemMode: 'Read',
    itemType: 'Message', subject: m.subject, hasAttachment: true, internetMessageId: m.internetMessageId })));

  const out = await run(async ([a, b, other]) => {
    const mb = Office.context.mailbox;
    const load = (id) => new Promise((resolve) => mb.loadItemByIdAsync(id, resolve));
    const first = await load(a);
    const item = first.value;
    const o = { status: first.status, subject: item.subject, itemId: item.itemId, from: item.from, to: item.to,
      internetMessageId: item.internetMessageId, created: item.dateTimeCreated.toISOString(), attachmentIds: item.attachments.map((x) => x.id),
      methods: Object.keys(item).filter((k) => typeof item[k] === 'function').sort() };
    o.body = await settle((cb) => item.body.getAsync('text', cb));
    o.content = await settle((cb) => item.getAttachmentContentAsync(item.attachments[0].id, cb));
    o.eml = await settle((cb) => item.getAsFileAsync(cb));
    o.second = await settle((cb) => mb.loadItemByIdAsync(b, cb));
    o.unload = await settle((cb) => item.unloadAsync(cb));
    o.afterUnload = await settle((cb) => item.body.getAsync('text', cb));
    o.unloadAgain = await settle((cb) => item.unloadAsync(cb));
    const next = await load(b);
    o.next = next.value.subject;
    o.hostileEml = await settle((cb) => next.value.getAsFileAsync(cb));
    await settle((cb) => next.value.unloadAsync(cb));
    o.notSelected = await settle((cb) => mb.loadItemByIdAsync(other, cb));
    o.restId = await settle((cb) => mb.loadItemByIdAsync(a.replace(/\//g, '-').replace(/\+/g, '_'), cb));
    window.kept = (await load(b)).value; // loaded while the selection changes
    return o;
  }, [board.ewsId, hostile.ewsId, team.ewsId]);
  assert.equal(out.status, 'succeeded');
  assert.deepEqual([out.subject, out.itemId, out.internetMessageId, out.created], [board.subject, board.ewsId, board.internetMessageId,
    new Date(board.sentDateTime).toISOString()]);
  assert.deepEqual(out.from, { emailAddress: board.from.address, displayName: board.from.name });
  assert.deepEqual(out.to, [{ emailAddress: USER, displayName: 'Dana Staff', recipientType: 'user' }]);
  assert.deepEqual(out.attachmentIds, board.attachments.map((a) => a.ewsId));
  assert.deepEqual(out.methods, ['getAsFileAsync', 'getAttachmentContentAsync', 'unloadAsync'], 'the own mailbox: no getSharedPropertiesAsync');
  succeeded(out.body, board.bodyText);
  succeeded(out.content, { format: 'base64', content: messages[0].attachments[0].bytes.toString('base64') });
  succeeded(out.eml, mimeOf.get(board.ewsId).toString('base64'));
  failed(out.second, 9020, 'GenericResponseError');
  assert.match(out.second.result.error.message, /unloadAsync/);
  succeeded(out.unload);
  failed(out.afterUnload, 9030, 'APICallFailedDueToItemChange');
  failed(out.unloadAgain, 9030, 'APICallFailedDueToItemChange');
  assert.equal(out.next, hostile.subject);
  failed(out.hostileEml, 9020, 'GenericResponseError'); // the Graph stand-in has no MIME for it
  failed(out.notSelected, 9049, 'ItemNotFound');
  failed(out.restId, 9049, 'ItemNotFound');
  assert.equal((await sim(page, () => window.outlookSim.state())).loaded, hostile.ewsId);

  // a selection change: SelectedItemsChanged, the loaded item is gone; with an ItemChanged handler, one message is the item
  await run(() => Promise.all([
    settle((cb) => Office.context.mailbox.addHandlerAsync(Office.EventType.ItemChanged, window.record('item'), cb)),
    settle((cb) => Office.context.mailbox.addHandlerAsync(Office.EventType.SelectedItemsChanged, window.record('selection'), cb))]));
  await sim(page, (ids) => window.outlookSim.selectMany(ids), [hostile.ewsId]);
  await waitFor(frame, 2);
  assert.deepEqual((await events(frame)).map((e) => [e.name, e.subject]), [['item', hostile.subject], ['selection', hostile.subject]]);
  failed(await run(() => settle((cb) => window.kept.body.getAsync('text', cb))), 9030, 'APICallFailedDueToItemChange');
  assert.equal((await sim(page, () => window.outlookSim.state())).loaded, null);
  await sim(page, (ids) => window.outlookSim.selectMany(ids), [board.ewsId, hostile.ewsId]);
  await waitFor(frame, 4);
  assert.deepEqual((await events(frame)).slice(2).map((e) => [e.name, e.subject]), [['item', null], ['selection', null]]);
  await assert.rejects(sim(page, (ids) => window.outlookSim.selectMany(ids), [board.ewsId, team.ewsId]), /one mailbox at a time/);
  // Ctrl-click in the list adds to the selection
  await sim(page, (id) => window.outlookSim.select(id), board.ewsId);
  await page.locator(`#message-list button[data-ews-id="${hostile.ewsId}"]`).click({ modifiers: ['Control'] });
  assert.deepEqual((await sim(page, () => window.outlookSim.state())).selected, [board.ewsId, hostile.ewsId]);
  await page.close();

  // the add-in's own manifest (ReadWriteItem): the methods are there and throw
  const rw = await openDriver({ requirements: 'Mailbox:1.15', select: `${board.ewsId},${hostile.ewsId}` });
  assert.deepEqual(await rw.run(() => ['getSelectedItemsAsync', 'loadItemByIdAsync'].map((k) => {
    try { Office.context.mailbox[k](...(k === 'loadItemByIdAsync' ? ['x'] : []), () => {}); return 'accepted'; } catch (e) { return e.message; }
  })), [elevated('mailbox.getSelectedItemsAsync'), elevated('mailbox.loadItemByIdAsync')]);
  await rw.page.close();

  // Mailbox 1.13: SelectedItemDetails without the 1.14 fields, no loadItemByIdAsync
  const old = await openDriver({ permission: 'ReadWriteMailbox', select: `${hostile.ewsId},${board.ewsId}` });
  const details = await old.run(() => settle((cb) => Office.context.mailbox.getSelectedItemsAsync(cb)));
  succeeded(details, [hostile, board].map((m) => ({ itemId: m.ewsId, itemMode: 'Read', itemType: 'Message', subject: m.subject })));
  assert.equal(await old.run(() => typeof Office.context.mailbox.loadItemByIdAsync), 'undefined');
  await old.page.close();

  // below Mailbox 1.13 several messages cannot be selected
  const page12 = await context.newPage();
  await page12.goto(`${outlook.url}/?select=${encodeURIComponent(`${board.ewsId},${hostile.ewsId}`)}&requirements=Mailbox:1.12`);
  await page12.getByText('Selecting several messages needs an Outlook with Mailbox 1.13 (multi-select).').waitFor();
  assert.equal(await page12.getByRole('button', { name: 'Save to iMIS' }).isDisabled(), true);
  await page12.close();
});

test('getAsFileAsync (Mailbox 1.14, read mode): the message as base64 .eml from the Graph stand-in', async () => {
  const { page, run } = await openDriver({ requirements: 'Mailbox:1.14' });
  succeeded(await run(() => settle((cb) => Office.context.mailbox.item.getAsFileAsync({ asyncContext: 1 }, cb))), mimeOf.get(board.ewsId).toString('base64'));
  await page.close();
  const compose = await openDriver({ requirements: 'Mailbox:1.14', mode: 'compose' });
  assert.equal(await compose.run(() => typeof Office.context.mailbox.item.getAsFileAsync), 'undefined', 'MessageCompose has none');
  await compose.page.close();
});

test('Office theme (Mailbox 1.14): Office.context.officeTheme, ?theme=dark, OfficeThemeChanged on Office.context.mailbox', async () => {
  const dark = { bodyBackgroundColor: '#292929', bodyForegroundColor: '#ffffff', controlBackgroundColor: '#1f1f1f', controlForegroundColor: '#ffffff' };
  const light = { bodyBackgroundColor: '#ffffff', bodyForegroundColor: '#242424', controlBackgroundColor: '#ffffff', controlForegroundColor: '#242424' };
  const { page, frame, run } = await openDriver({ requirements: 'Mailbox:1.14', theme: 'dark' });
  const t = await run(async () => ({ theme: Office.context.officeTheme,
    add: await settle((cb) => Office.context.mailbox.addHandlerAsync(Office.EventType.OfficeThemeChanged, window.record('theme'), cb)) }));
  assert.deepEqual(t.theme, dark, 'no isDarkTheme or themeId in Outlook');
  succeeded(t.add);
  await sim(page, () => window.outlookSim.setTheme('light'));
  await waitFor(frame, 1);
  assert.deepEqual((await events(frame))[0].args, { type: 'officeThemeChanged', officeTheme: light });
  assert.deepEqual(await run(() => Office.context.officeTheme), light);
  assert.equal(await page.evaluate(() => document.body.dataset.theme), 'light');
  await assert.rejects(sim(page, () => window.outlookSim.setTheme('blue')), /Unknown theme/);
  await page.close();
  const older = await openDriver();
  assert.equal(await older.run(() => 'officeTheme' in Office.context), false, 'Mailbox 1.13: no officeTheme');
  await older.page.close();
});

test('compose attachment ids: EWS ids by default, indexes with ?composeIds=index; permissions below ReadWriteItem throw', async () => {
  const { page, run } = await openDriver({ mode: 'compose', composeIds: 'index' });
  const r = await run(async (ewsId) => {
    const item = Office.context.mailbox.item;
    return { list: await settle((cb) => item.getAttachmentsAsync(cb)), byIndex: await settle((cb) => item.getAttachmentContentAsync('1', cb)),
      byEws: await settle((cb) => item.getAttachmentContentAsync(ewsId, cb)) };
  }, board.attachments[0].ewsId);
  succeeded(r.list, messages[0].attachments.map((a, i) => ({ id: String(i), name: a.name, size: a.bytes.length, attachmentType: 'file', isInline: false })));
  succeeded(r.byIndex, { format: 'base64', content: messages[0].attachments[1].bytes.toString('base64') });
  failed(r.byEws, 9003, 'InvalidAttachmentId');
  await page.close();

  const readOnly = await openDriver({ mode: 'compose', permission: 'ReadItem' });
  const p = await readOnly.run(async () => {
    const item = Office.context.mailbox.item;
    const tryIt = (f) => { try { f(); return 'accepted'; } catch (e) { return e.message; } };
    return { save: tryIt(() => item.saveAsync(() => {})), subject: tryIt(() => item.subject.setAsync('x')),
      list: (await settle((cb) => item.getAttachmentsAsync(cb))).result.status };
  });
  assert.deepEqual(p, { save: elevated('item.saveAsync'), subject: elevated('subject.setAsync'), list: 'succeeded' });
  await readOnly.page.close();
  const bad = await context.newPage();
  await bad.goto(`${outlook.url}/?permission=Everything`);
  await bad.getByText(/Unknown \?permission=Everything/).waitFor();
  await bad.close();
});

test('?sharedProps: "sample" puts getSharedPropertiesAsync on every item (failing on the own ones), "absent" on none', async () => {
  const shared = { targetMailbox: 'team@example.org', targetRestUrl: graph.url, owner: 'team@example.org', delegatePermissions: 1 };
  const probe = (run) => run(async () => {
    const item = Office.context.mailbox.item;
    return typeof item.getSharedPropertiesAsync !== 'function' ? 'absent' : settle((cb) => item.getSharedPropertiesAsync(cb));
  });
  const own = await openDriver({ sharedProps: 'sample' });
  const o = await probe(own.run);
  failed(o, 9020, 'GenericResponseError');
  assert.match(o.result.error.message, /not in a shared folder or a shared mailbox/);
  await own.page.close();
  const sampleShared = await openDriver({ sharedProps: 'sample', message: team.ewsId });
  succeeded(await probe(sampleShared.run), shared);
  await sampleShared.page.close();
  const absent = await openDriver({ sharedProps: 'absent', message: team.ewsId });
  assert.equal(await probe(absent.run), 'absent');
  await absent.page.close();
  const real = await openDriver({ message: team.ewsId });
  succeeded(await probe(real.run), shared);
  await real.page.close();
});

test('mobile (?platform=ios|android): platform, no convertToRestId, REST ids, at most Mailbox 1.5 / DialogApi 1.1, no pinning, read only', async () => {
  const { page, run } = await openDriver({ platform: 'ios', requirements: 'Mailbox:1.14,NestedAppAuth:1.1' });
  const r = await run(() => {
    const mb = Office.context.mailbox, item = mb.item, isSet = Office.context.requirements.isSetSupported;
    return { info: window.info, diagnostics: Office.context.diagnostics, mailboxDiagnostics: mb.diagnostics,
      convert: [typeof mb.convertToRestId, typeof mb.convertToEwsId], itemId: item.itemId, attachmentIds: item.attachments.map((a) => a.id),
      modified: 'dateTimeModified' in item, theme: 'officeTheme' in Office.context, content: typeof item.getAttachmentContentAsync,
      handlers: typeof mb.addHandlerAsync, sets: [isSet('Mailbox', '1.5'), isSet('Mailbox', '1.6'), isSet('DialogApi', '1.1'),
        isSet('DialogApi', '1.2'), isSet('IdentityAPI', '1.3'), isSet('NestedAppAuth', '1.1')] };
  });
  assert.deepEqual(r.info, { host: 'Outlook', platform: 'iOS' });
  assert.deepEqual(r.diagnostics, { host: 'Outlook', platform: 'iOS', version: '4.2433.0' });
  assert.deepEqual(r.mailboxDiagnostics, { hostName: 'OutlookIOS', hostVersion: '4.2433.0' });
  assert.deepEqual(r.convert, ['undefined', 'undefined']);
  assert.equal(r.itemId, messages[0].restId);
  assert.deepEqual(r.attachmentIds, messages[0].attachments.map((a) => a.restId));
  assert.deepEqual([r.modified, r.theme, r.content, r.handlers], [false, false, 'undefined', 'function']);
  assert.deepEqual(r.sets, [true, false, true, false, false, true], 'Mailbox capped at 1.5, DialogApi at 1.1, IdentityAPI not claimed');
  assert.equal(await run(() => Office.auth.getAuthContext().then((c) => c.userPrincipalName)), USER);
  await sim(page, (id) => window.outlookSim.select(id), hostile.ewsId);
  assert.equal(await page.locator('#taskpane').count(), 0, 'no pinning on mobile');
  await page.close();

  const android = await openDriver({ platform: 'android' });
  assert.deepEqual(await android.run(() => [window.info.platform, Office.context.mailbox.diagnostics.hostName,
    Office.context.requirements.isSetSupported('Mailbox', '1.5'), Office.context.requirements.isSetSupported('IdentityAPI', '1.3')]),
  ['Android', 'OutlookAndroid', true, false]);
  await android.page.close();
  const compose = await context.newPage();
  await compose.goto(`${outlook.url}/?platform=ios&mode=compose`);
  await compose.getByText('Outlook mobile shows this add-in in read mode only (MobileMessageReadCommandSurface).').waitFor();
  await compose.close();
});

test('dialogs: 12002 for a missing page, 12003 for an http: page, the dialog staying open; outlookSim.dialogEvent; then 12006', { timeout: 60_000 }, async () => {
  const { page } = await openHost(`?pane=${encodeURIComponent(`${paneServer.url}/dialog-pane.html`)}`);
  const frame = await paneFrame(page, 'sim');
  await frame.waitForFunction(() => window.sim.ui);
  const waitEvents = (n) => frame.waitForFunction((k) => window.sim.events.length >= k, n, { timeout: 15000 });
  const dialogEvent = (error) => ({ t: 'DialogEventReceived', args: { error, type: 'dialogEventReceived' } });
  async function openDialog(path) {
    const popup = context.waitForEvent('page');
    assert.equal((await frame.evaluate((p) => window.sim.open(location.origin + p), path)).status, 'succeeded');
    return popup;
  }
  async function closeDialog(win) {
    const closed = win.waitForEvent('close');
    await frame.evaluate(() => window.sim.close());
    await closed;
  }

  // the start page answers 404: the server's probe
  let win = await openDialog('/missing.html');
  await waitEvents(1);
  await page.waitForTimeout(500);
  assert.deepEqual(await frame.evaluate(() => window.sim.events), [dialogEvent(12002)]);
  assert.equal(win.isClosed(), false, 'the dialog stays open after 12002');
  await closeDialog(win);
  // a 200 start page that goes on to an error page with office.js on it: the dialog's hello
  win = await openDialog('/to-missing.html');
  await waitEvents(2);
  assert.deepEqual((await frame.evaluate(() => window.sim.events))[1], dialogEvent(12002));
  assert.ok(win.url().endsWith('/missing-with-office.html'));
  await closeDialog(win);
  // the start URL redirects to an http: page without office.js: only the probe can tell
  win = await openDialog('/redirect-to-bare');
  await waitEvents(3);
  assert.deepEqual((await frame.evaluate(() => window.sim.events))[2], dialogEvent(12003));
  await closeDialog(win);
  // the start URL redirects to an http: page with office.js: probe and hello both see it, one event
  win = await openDialog('/redirect-to-http');
  await waitEvents(4);
  await win.waitForURL(`${plainHttp.url}/plain.html`);
  await page.waitForTimeout(500);
  assert.deepEqual((await frame.evaluate(() => window.sim.events)).slice(3), [dialogEvent(12003)]);
  await closeDialog(win);
  // a start page that navigates to an http: page: only the http page's office.js tells
  win = await openDialog('/to-http.html');
  await waitEvents(5);
  assert.deepEqual((await frame.evaluate(() => window.sim.events))[4], dialogEvent(12003));
  await closeDialog(win);
  assert.equal((await frame.evaluate(() => window.sim.events)).length, 5, 'dialog.close() raises nothing');

  // the test hook, for navigations the host cannot see; then the user closes the window
  win = await openDialog('/dialog.html');
  await waitEvents(6); // its messageParent
  await sim(page, () => window.outlookSim.dialogEvent(12002));
  await waitEvents(7);
  assert.deepEqual((await frame.evaluate(() => window.sim.events))[6], dialogEvent(12002));
  await assert.rejects(sim(page, () => window.outlookSim.dialogEvent(12006)), /12002 or 12003/);
  await win.close();
  await waitEvents(8);
  assert.deepEqual((await frame.evaluate(() => window.sim.events))[7], dialogEvent(12006));
  await assert.rejects(sim(page, () => window.outlookSim.dialogEvent(12002)), /No dialog is open/);
  await page.close();
});
