// The simulated Outlook page: message list, reading pane, the "Save to iMIS" ribbon button and the
// task pane iframe. It is also the mailbox server for the office.js stand-in running in the pane
// (protocol in office.js). Mailbox content is untrusted: it is rendered with text nodes only.
// The list shows every mailbox's messages in the mailbox's order; users[0] is the signed-in user and a
// message in another address's mailbox is labelled "<name> (shared)". ?mode=compose shows the selected
// message as a draft being written; the pane's first saveAsync marks it saved (getItemIdAsync answers from
// then on, for this page) and, with ?syncDelay=N, hides it from Graph for N ms (POST /_sim/messages/.../hide).
const NS = 'office-sim';
const HOST_VERSION = '15.20.8100.0'; // Outlook on the web reports the Exchange version here
const DEFAULT_SETS = { mailbox: '1.13', dialogapi: '1.2', identityapi: '1.3' }; // NestedAppAuth not claimed
const MODES = ['read', 'compose'];
const ITEM_NOT_SAVED = 9046;
const DELEGATE_READ = 1; // Office.MailboxEnums.DelegatePermissions.Read

const params = new URLSearchParams(location.search);
const mode = params.get('mode') ?? 'read';
const requirements = parseRequirements(params.get('requirements'));
const syncDelay = Math.max(0, Math.trunc(Number(params.get('syncDelay') ?? 0)) || 0);
const $ = (id) => document.getElementById(id);
let mailbox = { paneUrl: '', graphUrl: '', users: [], messages: [] };
let selected = null;
const saved = new Set(); // ewsIds of drafts the pane has saved (compose)
let pane = null; // {frame, origin, message, roaming: Promise<object>} while the task pane is open

// "Mailbox:1.8,NestedAppAuth:1.1" -> the default sets with those versions; version 0 removes a set.
function parseRequirements(spec) {
  const sets = { ...DEFAULT_SETS };
  for (const part of (spec ?? '').split(',').filter((p) => p.trim())) {
    const [name, version = '0'] = part.split(':').map((s) => s.trim());
    if (Number(version) === 0) delete sets[name.toLowerCase()];
    else sets[name.toLowerCase()] = version;
  }
  return sets;
}

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children); // strings become text nodes
  return node;
}

const status = (text) => { $('status').textContent = text; };
const same = (a, b) => String(a ?? '').toLowerCase() === String(b ?? '').toLowerCase();
const person = (p) => (p ? `${p.name ?? ''} <${p.address ?? ''}>` : '');
const toRestId = (id) => id.replace(/\//g, '-').replace(/\+/g, '_');
const officeError = (code, message) => Object.assign(new Error(message ?? `error ${code}`), { office: { code, message } });

async function getJson(path) {
  const r = await fetch(path);
  if (!r.ok) throw new Error(`${path} answered ${r.status}`);
  return r.json();
}

// A mailbox's display name: from users, else from the messages' recipients, else the address's local part.
function mailboxName(address) {
  const known = mailbox.users.find((u) => same(u.mail, address))
    ?? mailbox.messages.flatMap((m) => [...(m.to ?? []), ...(m.cc ?? [])]).find((p) => same(p.address, address) && p.name);
  return known?.displayName ?? known?.name ?? String(address).split('@')[0];
}

// The signed-in user (users[0]); with no users, the message's mailbox owner as before.
function signedIn(m) {
  const address = mailbox.users[0]?.mail ?? m.mailbox;
  return { displayName: mailboxName(address), emailAddress: address };
}
const isShared = (m) => !same(m.mailbox, signedIn(m).emailAddress);

function renderList() {
  $('message-list').replaceChildren(...mailbox.messages.map((m) => {
    const button = el('button', { type: 'button', onclick: () => select(m) },
      ...(isShared(m) ? [el('span', { className: 'folder', textContent: `${mailboxName(m.mailbox)} (shared)` })] : []),
      el('span', { className: 'sender', textContent: m.from?.name ?? m.from?.address ?? '' }),
      el('span', { className: 'subject', textContent: m.subject ?? '' }));
    button.setAttribute('aria-current', String(m === selected));
    return button;
  }));
}

function renderMessage(m) {
  const meta = (text) => el('p', { className: 'meta', textContent: text });
  const draft = mode === 'compose', me = signedIn(m);
  $('reading-pane').dataset.mode = mode;
  $('reading-pane').replaceChildren(...[
    draft && el('p', { className: 'draft', textContent: 'Draft (being written)' }),
    isShared(m) && meta(`Mailbox: ${mailboxName(m.mailbox)} <${m.mailbox}> (shared)`),
    el('h1', { textContent: m.subject ?? '' }),
    meta(`From: ${draft ? person({ name: me.displayName, address: me.emailAddress }) : person(m.from)}`),
    meta(`To: ${(m.to ?? []).map(person).join('; ')}`),
    m.cc?.length && meta(`Cc: ${m.cc.map(person).join('; ')}`),
    !draft && meta(`Sent: ${new Date(m.sentDateTime).toUTCString()}`),
    el('ul', { id: 'attachments' }, ...(m.attachments ?? []).map((a) =>
      el('li', { textContent: `${a.name ?? a.subject ?? ''} (${a.size ?? '?'} bytes)` }))),
    el('pre', { id: 'body', textContent: m.bodyText ?? '' }),
  ].filter(Boolean));
}

function select(m) {
  closePane(); // like a task pane that is not pinned, it closes when another item is selected
  selected = m;
  renderList();
  renderMessage(m);
  $('save-to-imis-button').disabled = false;
}

// Like Outlook running a ShowTaskpane command. Roaming settings are read once per opening: a reload
// inside the pane gets the same initial values again (RoamingSettings docs).
function openPane() {
  if (pane || !selected) return;
  const src = new URL(params.get('pane') ?? mailbox.paneUrl, location.href);
  const frame = el('iframe', { id: 'taskpane', title: 'Save to iMIS', src: src.href });
  const roaming = getJson(`/_sim/roaming?user=${encodeURIComponent(signedIn(selected).emailAddress)}`);
  roaming.catch((e) => status(`Could not read roaming settings: ${e.message}`));
  pane = { frame, origin: src.origin, message: selected, roaming };
  $('taskpane-container').append(frame);
  $('taskpane-container').hidden = false;
}

function closePane() {
  pane?.frame.remove();
  pane = null;
  $('taskpane-container').hidden = true;
}

function toBase64(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// What the office.js stand-in may ask for; errors carry Office.js error codes.
const api = {
  body({ coercionType }, p) {
    const text = p.message.bodyText ?? '';
    if (coercionType !== 'html') return text;
    return p.message.bodyHtml ?? `<html><body><div>${escapeHtml(text).replace(/\r?\n/g, '<br>')}</div></body></html>`;
  },
  async attachment({ ewsId }, p) {
    const a = (p.message.attachments ?? []).find((x) => x.ewsId === ewsId);
    if (!a) throw officeError(9003);
    const r = await fetch(`/_sim/attachments/${encodeURIComponent(a.restId ?? toRestId(a.ewsId))}/content`);
    if (!r.ok) throw officeError(9054);
    return toBase64(new Uint8Array(await r.arrayBuffer()));
  },
  async saveRoaming({ settings }, p) {
    const r = await fetch(`/_sim/roaming?user=${encodeURIComponent(signedIn(p.message).emailAddress)}`,
      { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(settings) });
    if (r.status === 413) throw officeError(9057);
    if (!r.ok) throw officeError(9019);
  },
  // SharedProperties of an item in another mailbox (docs: targetRestUrl + "/{api_version}/users/" + targetMailbox).
  sharedProperties(_, p) {
    if (!isShared(p.message)) throw officeError(9020, 'The item is not in a shared folder or a shared mailbox.');
    const address = p.message.mailbox;
    return { targetMailbox: address, targetRestUrl: mailbox.graphUrl, owner: address, delegatePermissions: DELEGATE_READ };
  },
  // saveAsync: the draft's EWS id. The first save starts the sync delay (Graph answers 404 for syncDelay ms).
  async save(_, p) {
    if (mode !== 'compose') throw officeError(9002, 'saveAsync is for compose mode.');
    const { ewsId } = p.message;
    if (!saved.has(ewsId) && syncDelay > 0) {
      const r = await fetch(`/_sim/messages/${encodeURIComponent(ewsId)}/hide`,
        { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ms: syncDelay }) });
      if (!r.ok) { status(`Could not delay the draft's sync: ${r.status}`); throw officeError(9002, `the sync delay failed (${r.status})`); }
    }
    saved.add(ewsId);
    return ewsId;
  },
  itemId(_, p) {
    if (mode !== 'compose') throw officeError(9002, 'getItemIdAsync is for compose mode.');
    if (!saved.has(p.message.ewsId)) throw officeError(ITEM_NOT_SAVED);
    return p.message.ewsId;
  },
};

async function snapshot(p) {
  const { bodyText, bodyHtml, ...message } = p.message;
  return { mode, message, user: signedIn(p.message), roaming: await p.roaming, requirements, hostVersion: HOST_VERSION };
}

window.addEventListener('message', async (event) => {
  const p = pane;
  if (!p || event.source !== p.frame.contentWindow || event.origin !== p.origin || event.data?.ns !== NS) return;
  const { type, id, method, args } = event.data;
  const reply = (msg) => event.source.postMessage({ ns: NS, ...msg }, event.origin);
  if (type === 'hello') {
    try { reply({ type: 'snapshot', snapshot: await snapshot(p) }); } catch (e) { status(`Could not start the add-in: ${e.message}`); }
  } else if (type === 'request') {
    try {
      if (!Object.hasOwn(api, method)) throw new Error(`unknown method ${method}`);
      reply({ type: 'response', id, value: await api[method](args ?? {}, p) });
    } catch (e) {
      reply({ type: 'response', id, error: e.office ?? { code: 9002, message: String(e.message ?? e) } });
    }
  }
});

async function init() {
  $('save-to-imis-button').addEventListener('click', openPane);
  $('taskpane-close').addEventListener('click', closePane);
  if (!MODES.includes(mode)) return status(`The simulated host does not support mode "${mode}" yet.`);
  try { mailbox = await getJson('/_sim/mailbox'); } catch (e) { return status(`Could not load the mailbox: ${e.message}`); }
  const wanted = params.get('message');
  const first = wanted ? mailbox.messages.find((m) => m.ewsId === wanted) : mailbox.messages[0];
  if (!first) return status(wanted ? 'There is no message with that ewsId.' : 'The mailbox is empty.');
  select(first);
}

init();
