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
const messages = [
  { ...board, attachments: board.attachments.map((a) => ({ ...a, bytes: readFileSync(new URL(`tests/fixtures/${a.file}`, REPO)) })) },
  hostile,
].map((m) => ({ ...m, restId: toRestId(m.ewsId), attachments: m.attachments.map((a) => ({ ...a, restId: toRestId(a.ewsId), size: a.bytes?.length ?? 0 })) }));
const bytesOf = new Map(messages.flatMap((m) => m.attachments).map((a) => [a.restId, a.bytes]));

function serve(handler) {
  const server = https.createServer(tls, handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () =>
    resolve({ url: `https://127.0.0.1:${server.address().port}`, close: () => { server.closeAllConnections(); server.close(); } })));
}

const fakeGraph = () => serve((req, res) => {
  const path = new URL(req.url, 'https://x').pathname;
  const content = /^\/_control\/attachments\/([^/]+)\/content$/.exec(path);
  if (path === '/_control/mailbox') {
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
async function probe() {
  out.info = await Office.onReady();
  const mb = Office.context.mailbox;
  out.hasMailbox = mb !== undefined;
  if (!mb) return;
  const item = mb.item;
  for (const k of ['itemType', 'itemClass', 'itemId', 'subject', 'normalizedSubject', 'conversationId',
    'internetMessageId', 'from', 'sender', 'to', 'cc', 'attachments']) out[k] = item[k];
  out.dateTimeCreated = item.dateTimeCreated instanceof Date ? item.dateTimeCreated.toISOString() : 'not a Date';
  out.userProfile = mb.userProfile;
  out.mailboxDiagnostics = mb.diagnostics;
  out.contextDiagnostics = Office.context.diagnostics;
  out.restId = mb.convertToRestId(item.itemId, Office.MailboxEnums.RestVersion.v2_0);
  out.ewsIdAgain = mb.convertToEwsId(out.restId, Office.MailboxEnums.RestVersion.v2_0);
  out.bodyText = await settle((cb) => item.body.getAsync(Office.CoercionType.Text, { asyncContext: 'ctx-1' }, cb));
  out.bodyHtml = await settle((cb) => item.body.getAsync(Office.CoercionType.Html, cb));
  const isSet = Office.context.requirements.isSetSupported;
  out.isSet = { mailbox18: isSet('Mailbox', '1.8'), mailbox113: isSet('mailbox', '1.13'), mailbox114: isSet('Mailbox', '1.14'),
    nestedAppAuth: isSet('NestedAppAuth', '1.1'), dialogApi: isSet('DialogApi', '1.2'), identityApi: isSet('IdentityAPI', '1.3') };
  out.hasGetAttachmentContent = typeof item.getAttachmentContentAsync === 'function';
  if (out.hasGetAttachmentContent) {
    out.contents = [];
    for (const a of item.attachments) out.contents.push(await settle((cb) => item.getAttachmentContentAsync(a.id, cb)));
    out.unknownAttachment = await settle((cb) => item.getAttachmentContentAsync('no-such-id', cb));
    out.shared = await settle((cb) => item.getSharedPropertiesAsync(cb));
  }
  const rs = Office.context.roamingSettings;
  out.visitsBefore = rs.get('visits') === undefined ? 'undefined' : rs.get('visits');
  rs.set('visits', (rs.get('visits') ?? 0) + 1);
  rs.set('lastSubject', item.subject);
  out.save = await settle((cb) => rs.saveAsync(cb));
  rs.set('big', 'x'.repeat(40 * 1024));
  out.bigSave = await settle((cb) => rs.saveAsync(cb));
  rs.remove('big');
}
probe().catch((e) => { out.error = String(e.stack || e); }).finally(() => {
  document.getElementById('out').textContent = JSON.stringify(out);
  document.body.dataset.done = '1';
});`;

const fakePane = (outlookUrl) => serve((req, res) => {
  const path = new URL(req.url, 'https://x').pathname;
  const html = {
    '/pane.html': `<!doctype html><meta charset="utf-8"><title>fake pane</title>
      <script src="${outlookUrl()}/office.js"></script><body><pre id="out"></pre><script>${PANE_SCRIPT}</script></body>`,
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
  assert.deepEqual(box.messages.map((m) => m.ewsId), [board.ewsId, hostile.ewsId]);
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
  assert.equal(out.contents.length, 3);
  out.contents.forEach((r, i) => succeeded(r, { format: 'base64', content: messages[0].attachments[i].bytes.toString('base64') }));
  failed(out.unknownAttachment, 9003, 'InvalidAttachmentId');
  failed(out.shared, 9020, 'GenericResponseError');
  assert.match(out.shared.result.error.message, /not in a shared folder or a shared mailbox/);

  assert.equal(out.visitsBefore, 'undefined');
  succeeded(out.save);
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
