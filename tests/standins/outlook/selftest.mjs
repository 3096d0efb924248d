// Self-test of the simulated Outlook host and its office.js stand-in: `node --test tests/standins/outlook/selftest.mjs`.
// Runs the server against a tiny fake of the Graph stand-in's control API, serves a fake task pane (another
// origin) that loads office.js and writes out what it reads, and drives it all in headless Chromium.
// Dialogs: fake pane and dialog pages (below) open, message, close and block dialog windows. Sign-in: the real
// IdP stand-in and real MSAL.js 5.30 (the probe pages of ../idp/msal-probe, bundled into a temporary folder):
// nested app authentication through the host's bridge, and MSAL's redirect flow inside a dialog.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
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
const hides = []; // {id, ms} of every POST /_control/messages/{id}/hide the fake Graph received

function serve(handler) {
  const server = https.createServer(tls, handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () =>
    resolve({ url: `https://127.0.0.1:${server.address().port}`, close: () => { server.closeAllConnections(); server.close(); } })));
}

const fakeGraph = () => serve(async (req, res) => {
  const path = new URL(req.url, 'https://x').pathname;
  const content = /^\/_control\/attachments\/([^/]+)\/content$/.exec(path);
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
const METHODS = ['getAttachmentContentAsync', 'getSharedPropertiesAsync', 'getAttachmentsAsync', 'getItemIdAsync', 'saveAsync'];
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
    out.shared = await settle((cb) => item.getSharedPropertiesAsync(cb));
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
    out.shared = await settle((cb) => item.getSharedPropertiesAsync(cb));
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
  out.roamingSave = await settle((cb) => rs.saveAsync(cb));
  rs.set('big', 'x'.repeat(40 * 1024));
  out.bigSave = await settle((cb) => rs.saveAsync(cb));
  rs.remove('big');
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

const fakePane = (outlookUrl, bounceUrl) => serve((req, res) => {
  const url = new URL(req.url, 'https://x'), path = url.pathname;
  const office = url.searchParams.get('office') ?? outlookUrl(); // ?office=<another simulated host's origin>
  const html = {
    '/pane.html': `<!doctype html><meta charset="utf-8"><title>fake pane</title>
      <script src="${office}/office.js"></script><body><pre id="out"></pre><script>${PANE_SCRIPT}</script></body>`,
    '/dialog-pane.html': `<!doctype html><meta charset="utf-8"><title>dialog pane</title>
      <script src="${office}/office.js"></script><body><button id="open" type="button">Open</button><script>${DIALOG_PANE_SCRIPT}</script></body>`,
    '/dialog.html': `<!doctype html><meta charset="utf-8"><title>dialog</title>
      <script src="${office}/office.js"></script><body><script>${DIALOG_SCRIPT(bounceUrl())}</script></body>`,
    // A foreign parent: frames the pane and feeds it a forged snapshot, which office.js must ignore.
    '/foreign.html': `<!doctype html><meta charset="utf-8"><iframe id="pane" src="/pane.html"></iframe><script>
      const forged = { ns: 'office-sim', type: 'snapshot', snapshot: { mode: 'read', message: { ewsId: 'forged', subject: 'forged',
        attachments: [] }, user: { displayName: 'x', emailAddress: 'x@x' }, roaming: {}, requirements: {}, hostVersion: '0' } };
      setInterval(() => document.getElementById('pane').contentWindow.postMessage(forged, '*'), 50);</script>`,
  }[path];
  if (html) res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
  else res.writeHead(404).end();
});

// ---- harness ----

let graph, paneServer, outlook, browser, context;

before(async () => {
  graph = await fakeGraph();
  paneServer = await fakePane(() => outlook.url, () => graph.url);
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
  assert.deepEqual(out.methods, { getAttachmentContentAsync: 'function', getSharedPropertiesAsync: 'function',
    getAttachmentsAsync: 'undefined', getItemIdAsync: 'undefined', saveAsync: 'undefined' }); // the last three: compose
  assert.deepEqual(out.delegatePermissions, { Read: 1, Write: 2, DeleteOwn: 4, DeleteAll: 8, EditOwn: 16, EditAll: 32 });
  assert.equal(out.contents.length, 3);
  out.contents.forEach((r, i) => succeeded(r, { format: 'base64', content: messages[0].attachments[i].bytes.toString('base64') }));
  failed(out.unknownAttachment, 9003, 'InvalidAttachmentId');
  failed(out.shared, 9020, 'GenericResponseError');
  assert.match(out.shared.result.error.message, /not in a shared folder or a shared mailbox/);

  assert.equal(out.visitsBefore, 'undefined');
  succeeded(out.roamingSave);
  failed(out.bigSave, 9057, 'RoamingSettingsExceededSize');
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
    getAttachmentsAsync: 'undefined', getItemIdAsync: 'undefined', saveAsync: 'function' });
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
  assert.deepEqual(out.methods, { getAttachmentContentAsync: 'function', getSharedPropertiesAsync: 'function',
    getAttachmentsAsync: 'function', getItemIdAsync: 'function', saveAsync: 'function' });

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
  failed(out.shared, 9020, 'GenericResponseError');
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

test('nested app auth is not claimed by default: MSAL falls back to its standard client; getAuthContext needs IdentityAPI 1.3', { timeout: 120_000 }, async () => {
  await msalRig();
  await idpControl('reset', {});
  const { page, frame, ready } = await openProbe({ pane: { wait: 'onReady' } });
  assert.deepEqual(ready, { controller: 'StandardController', bridge: 'undefined' });
  assert.equal((await call(frame, 'silent', [scope()])).error?.errorCode, 'no_account_error');
  assert.equal((await call(frame, 'authContext')).userPrincipalName, fixture.users[0].mail);
  assert.deepEqual(await tokenLog(), []);
  await page.close();
  const old = await openProbe({ requirements: 'IdentityAPI:0', pane: { wait: 'onReady' } });
  assert.deepEqual(await call(old.frame, 'authContext'), { error: { name: 'API Not Supported', code: 13000,
    message: 'The identity API is not supported for this add-in.' } });
  await old.page.close();
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
