// Self-test of the simulated Outlook host and its office.js stand-in: `node --test tests/standins/outlook/selftest.mjs`.
// Runs the server against a tiny fake of the Graph stand-in's control API, serves a fake task pane (another
// origin) that loads office.js and writes out what it reads, and drives it all in headless Chromium.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { start } from './server.mjs';

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

const fakePane = (outlookUrl) => serve((req, res) => {
  const url = new URL(req.url, 'https://x'), path = url.pathname;
  const office = url.searchParams.get('office') ?? outlookUrl(); // ?office=<another simulated host's origin>
  const html = {
    '/pane.html': `<!doctype html><meta charset="utf-8"><title>fake pane</title>
      <script src="${office}/office.js"></script><body><pre id="out"></pre><script>${PANE_SCRIPT}</script></body>`,
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
  paneServer = await fakePane(() => outlook.url);
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
  assert.deepEqual(box.users, [{ displayName: 'Dana Staff', mail: USER }]); // no password
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
