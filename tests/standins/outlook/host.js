// The simulated Outlook page: message list, reading pane, the "Save to iMIS" ribbon button and the
// task pane iframe. It is also the mailbox server for the office.js stand-in running in the pane
// (protocol in office.js). Mailbox content is untrusted: it is rendered with text nodes only.
const NS = 'office-sim';
const HOST_VERSION = '15.20.8100.0'; // Outlook on the web reports the Exchange version here
const DEFAULT_SETS = { mailbox: '1.13', dialogapi: '1.2', identityapi: '1.3' }; // NestedAppAuth not claimed
const MODES = ['read']; // 'compose' comes with a later issue

const params = new URLSearchParams(location.search);
const mode = params.get('mode') ?? 'read';
const requirements = parseRequirements(params.get('requirements'));
const $ = (id) => document.getElementById(id);
let mailbox = { paneUrl: '', users: [], messages: [] };
let selected = null;
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

function userOf(m) {
  const known = mailbox.users.find((u) => same(u.mail, m.mailbox))
    ?? [...(m.to ?? []), ...(m.cc ?? [])].find((p) => same(p.address, m.mailbox));
  return { displayName: known?.displayName ?? known?.name ?? m.mailbox.split('@')[0], emailAddress: m.mailbox };
}

function renderList() {
  $('message-list').replaceChildren(...mailbox.messages.map((m) => {
    const button = el('button', { type: 'button', onclick: () => select(m) },
      el('span', { className: 'sender', textContent: m.from?.name ?? m.from?.address ?? '' }),
      el('span', { className: 'subject', textContent: m.subject ?? '' }));
    button.setAttribute('aria-current', String(m === selected));
    return button;
  }));
}

function renderMessage(m) {
  const meta = (text) => el('p', { className: 'meta', textContent: text });
  $('reading-pane').replaceChildren(...[
    el('h1', { textContent: m.subject ?? '' }),
    meta(`From: ${person(m.from)}`),
    meta(`To: ${(m.to ?? []).map(person).join('; ')}`),
    m.cc?.length && meta(`Cc: ${m.cc.map(person).join('; ')}`),
    meta(`Sent: ${new Date(m.sentDateTime).toUTCString()}`),
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
  const roaming = getJson(`/_sim/roaming?user=${encodeURIComponent(selected.mailbox)}`);
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
    const r = await fetch(`/_sim/roaming?user=${encodeURIComponent(p.message.mailbox)}`,
      { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(settings) });
    if (r.status === 413) throw officeError(9057);
    if (!r.ok) throw officeError(9019);
  },
  sharedProperties() {
    throw officeError(9020, 'The item is not in a shared folder or a shared mailbox.');
  },
};

async function snapshot(p) {
  const { bodyText, bodyHtml, ...message } = p.message;
  return { mode, message, user: userOf(p.message), roaming: await p.roaming, requirements, hostVersion: HOST_VERSION };
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
