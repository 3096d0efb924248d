// The simulated Outlook page: message list, reading pane, the "Save to iMIS" ribbon button and the
// task pane iframe. It is also the mailbox server for the office.js stand-in running in the pane
// (protocol in office.js). Mailbox content is untrusted: it is rendered with text nodes only.
// The list shows every mailbox's messages in the mailbox's order; users[0] is the signed-in user and a
// message in another address's mailbox is labelled "<name> (shared)". ?mode=compose shows the selected
// message as a draft being written; the pane's first saveAsync marks it saved (getItemIdAsync answers from
// then on, for this page) and, with ?syncDelay=N, hides it from Graph for N ms (POST /_sim/messages/.../hide).
//
// Query parameters (all optional; an unknown value stops the page with a status message):
//   message=<ewsId>          the selected message (default: the first)
//   select=<ewsId>,<ewsId>   several selected messages, in selection order (multi-select: needs Mailbox 1.13, one
//                            mailbox at a time, at most 100: "Activate your Outlook add-in on multiple messages")
//   mode=read|compose        read (default), or the selected message as a draft being written
//   platform=web|ios|android Outlook on the web (default), or Outlook mobile: requirement sets capped at Mailbox 1.5 and
//                            DialogApi 1.1, no IdentityAPI by default, read mode only (MobileMessageReadCommandSurface),
//                            no pinning (the pane closes when the selection changes), REST ids (office.js)
//   requirements=Set:1.8,... override the claimed sets; version 0 removes a set. Default on the web: Mailbox 1.13,
//                            DialogApi 1.2, IdentityAPI 1.3 (NestedAppAuth not claimed: claim it to give the pane
//                            window.nestedAppAuthBridge and Office.auth.getAuthContext)
//   permission=Restricted|ReadItem|ReadWriteItem|ReadWriteMailbox   the manifest's <Permissions> (default
//                            ReadWriteItem, as this add-in's manifest.xml); multi-select needs ReadWriteMailbox
//   pinned=1|0|reload        1 (default): the pane stays open when the selection changes (SupportsPinning; multi-select
//                            panes on the web are always pinned) and office.js raises ItemChanged / SelectedItemsChanged;
//                            0: the pane closes on any selection change (an unpinned pane; classic Outlook's multi-select
//                            pane); reload: the pane is opened afresh instead of ItemChanged (Outlook on the web's
//                            behaviour in office-js#5987)
//   sharedProps=real|sample|absent   where item.getSharedPropertiesAsync exists (office.js header)
//   composeIds=ews|index     compose attachment ids: EWS ids (web, new Outlook; default) or indexes (classic Outlook)
//   theme=light|dark         the Office theme (Office.context.officeTheme, Mailbox 1.14)
//   syncDelay=N, pane=<url>, idp=<origin>, popups=blocked   as before (server.mjs header)
//
// Test hooks: window.outlookSim = {
//   select(ewsId | null)      select one message, or none (clicking a message in the list does the same; Ctrl/Cmd-click
//                             adds or removes it from a multi-selection; "Select none" clears it)
//   selectMany([ewsId, ...])  select several (or one, or none) at once
//   setTheme("light" | "dark")  the user changes the Office theme: OfficeThemeChanged in the pane
//   dialogEvent(12002 | 12003)  the open dialog went to a missing page / an http: page, where the host cannot see it
//   state()                   {selected: [ewsId], paneOpen, theme, loaded: ewsId | null}
// } Each throws an Error for an impossible request (unknown id, several mailboxes, multi-select not claimed, ...).
// When the selection changes with the pane open and pinned: Office.context.mailbox.item becomes the new item (null
// for none or several) and ItemChanged handlers run (office.js), then SelectedItemsChanged handlers (Mailbox 1.13);
// calls on the old item fail 9030, and a loaded item (loadItemByIdAsync) is unloaded.
//
// Nested app authentication: this page is Outlook's token broker for the pane (office.js relays the JSON
// strings MSAL posts to window.nestedAppAuthBridge; shapes in office.js). Outlook on the web is signed in
// already; here users[0] is signed in with no sign-in step: for each GetToken / GetTokenPopup it asks the IdP stand-in
// (?idp=, else the server's idpUrl) with the broker grant of ../idp/server.mjs, as the registered broker
// brokerClientId with brk_redirect_uri = this page's origin + "/", redirect_uri = brk-multihub://{pane host:port},
// login_hint = the user, scope = the app's scopes + openid profile. No token cache here (MSAL in the pane
// keeps one): every bridge token request is one IdP request. GetTokenPopup does the same as GetToken (the
// user is signed in; no consent prompt is simulated). IdP errors become BridgeErrors: interaction_required,
// login_required, consent_required, invalid_grant -> USER_INTERACTION_REQUIRED; HTTP 5xx, server_error,
// temporarily_unavailable -> TRANSIENT_ERROR; a failed fetch -> NO_NETWORK; anything else (AADSTS50011
// invalid_request, AADSTS700016 unauthorized_client, ...) -> PERSISTENT_ERROR; code = the OAuth error,
// subError = suberror, description = error_description ("AADSTSnnnnn: ..."). No users -> ACCOUNT_UNAVAILABLE.
//
// Dialogs (displayDialogAsync): like Outlook on the web, this page opens the dialog as a real browser window
// (window.open, so its window.opener is this page), at most one per pane. When the browser blocks that (no
// user activation left, or ?popups=blocked) and the pane did not pass promptBeforeOpen: false, it shows
// Outlook's prompt "<add-in> wants to display a new window" (Allow opens it, from that click; Ignore -> 12009);
// with promptBeforeOpen: false a blocked window fails 12011. The dialog's office.js says hello to its opener;
// messages from that window are accepted only while it is on the pane's origin (the add-in's domain).
// DialogEventReceived ("Handle errors and events in the Office dialog box"): 12002 when the start page answers an
// HTTP error or cannot be fetched (the server fetches it: GET /_sim/probe), or when the dialog's office.js says hello
// from a page that answered >= 400; 12003 when the start URL redirects to http:, or office.js says hello from an
// http: page; each code at most once per dialog, and the dialog stays open. Its window being closed (by the user, or
// cut off from its opener) -> 12006 (polled every 200 ms). Closing the pane closes its dialog. displayInIframe, width
// and height: always a window, sized width% x height% of the screen (default 80%).
const NS = 'office-sim';
const HOST_VERSIONS = { web: '15.20.8100.0', ios: '4.2433.0', android: '4.2433.0' }; // web: the Exchange version
// Requirement sets claimed by default, and (mobile) the most a platform has ("Outlook JavaScript APIs supported in Outlook
// on mobile devices": up to Mailbox 1.5; messageChild is Mailbox 1.9, so DialogApi 1.1).
const DEFAULT_SETS = { web: { mailbox: '1.13', dialogapi: '1.2', identityapi: '1.3' }, mobile: { mailbox: '1.5', dialogapi: '1.1' } };
const MOBILE_CAPS = { mailbox: '1.5', dialogapi: '1.1' };
const MODES = ['read', 'compose'];
const PLATFORMS = ['web', 'ios', 'android'];
const PERMISSIONS = { restricted: 0, readitem: 1, readwriteitem: 2, readwritemailbox: 3 };
const CHOICES = { sharedProps: ['real', 'sample', 'absent'], composeIds: ['ews', 'index'], pinned: ['1', '0', 'reload'], theme: ['light', 'dark'] };
const MAX_SELECTION = 100;
const ITEM_NOT_SAVED = 9046;
const DELEGATE_READ = 1; // Office.MailboxEnums.DelegatePermissions.Read

const BROKER_GRANT = 'urn:standin:grant-type:nested-app-broker'; // ../idp/server.mjs
const DIALOG_POLL_MS = 200;

const newer = (a, b) => { const [x, y = 0] = a.split('.').map(Number), [u, v = 0] = b.split('.').map(Number); return x > u || (x === u && y > v); };

const params = new URLSearchParams(location.search);
const mode = params.get('mode') ?? 'read';
const platform = params.get('platform') ?? 'web';
const mobile = platform !== 'web';
const popupsBlocked = params.get('popups') === 'blocked';
const requirements = parseRequirements(params.get('requirements'));
const syncDelay = Math.max(0, Math.trunc(Number(params.get('syncDelay') ?? 0)) || 0);
const choice = Object.fromEntries(Object.entries(CHOICES).map(([k, values]) => [k, params.get(k) ?? values[0]]));
const permission = PERMISSIONS[(params.get('permission') ?? 'ReadWriteItem').toLowerCase()];
const HOST_VERSION = HOST_VERSIONS[platform] ?? HOST_VERSIONS.web;
let theme = choice.theme;
const $ = (id) => document.getElementById(id);
let mailbox = { paneUrl: '', graphUrl: '', idpUrl: '', brokerClientId: '', tenantId: '', users: [], messages: [] };
let selection = []; // the selected messages, in selection order
const saved = new Set(); // ewsIds of drafts the pane has saved (compose)
let pane = null; // {frame, origin, message, seq, roaming: Promise<object>, dialog, loaded} while the task pane is open
let dialogSeq = 0, itemSeq = 0, loadSeq = 0;

const claimed = (name, min) => {
  const [a = 0, b = 0] = String(requirements[name.toLowerCase()] ?? '-1').split('.').map(Number);
  const [x = 0, y = 0] = min.split('.').map(Number);
  return a > x || (a === x && b >= y);
};

// "Mailbox:1.8,NestedAppAuth:1.1" -> the platform's default sets with those versions; version 0 removes a set.
// On mobile, Mailbox and DialogApi cannot go past what Outlook mobile has.
function parseRequirements(spec) {
  const sets = { ...DEFAULT_SETS[platform === 'web' ? 'web' : 'mobile'] };
  for (const part of (spec ?? '').split(',').filter((p) => p.trim())) {
    const [name, version = '0'] = part.split(':').map((s) => s.trim());
    if (Number(version) === 0) delete sets[name.toLowerCase()];
    else sets[name.toLowerCase()] = version;
  }
  if (platform !== 'web') {
    for (const [name, max] of Object.entries(MOBILE_CAPS)) if (sets[name] && newer(sets[name], max)) sets[name] = max;
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
const paneMessage = (m) => { if (!m) return null; const { bodyText, bodyHtml, ...rest } = m; return rest; };

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

// The signed-in user (users[0]); with no users, the first message's mailbox owner.
function signedIn() {
  const address = mailbox.users[0]?.mail ?? mailbox.messages[0]?.mailbox;
  return { displayName: mailboxName(address), emailAddress: address };
}
const isShared = (m) => !same(m.mailbox, signedIn().emailAddress);

function renderList() {
  $('message-list').replaceChildren(...mailbox.messages.map((m) => {
    const button = el('button', { type: 'button', onclick: (e) => userSelect(() => (e.ctrlKey || e.metaKey ? toggle(m) : setSelection([m]))) },
      ...(isShared(m) ? [el('span', { className: 'folder', textContent: `${mailboxName(m.mailbox)} (shared)` })] : []),
      el('span', { className: 'sender', textContent: m.from?.name ?? m.from?.address ?? '' }),
      el('span', { className: 'subject', textContent: m.subject ?? '' }));
    button.dataset.ewsId = m.ewsId;
    button.setAttribute('aria-current', String(selection.includes(m)));
    return button;
  }), el('button', { type: 'button', id: 'select-none', className: 'select-none', textContent: 'Select none', onclick: () => userSelect(() => setSelection([])) }));
}

function renderMessage(m) {
  const meta = (text) => el('p', { className: 'meta', textContent: text });
  const draft = mode === 'compose', me = signedIn();
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

function renderReading() {
  if (selection.length === 1) return renderMessage(selection[0]);
  $('reading-pane').replaceChildren(selection.length === 0 ? el('p', { className: 'empty', textContent: 'Select an item to read' })
    : el('div', { className: 'multi' }, el('h1', { textContent: `${selection.length} items selected` }),
      el('ul', {}, ...selection.map((m) => el('li', { textContent: m.subject ?? '' })))));
}

// The user's clicks report what cannot be done instead of throwing.
function userSelect(change) {
  try { status(''); change(); } catch (e) { status(e.message); }
}
function toggle(m) {
  setSelection(selection.includes(m) ? selection.filter((x) => x !== m) : [...selection, m]);
}

// The one place the selection changes (see the header for what the pane sees).
function setSelection(list) {
  if (list.length > 1 && !claimed('Mailbox', '1.13')) throw new Error('Selecting several messages needs an Outlook with Mailbox 1.13 (multi-select).');
  if (list.length > MAX_SELECTION) throw new Error(`At most ${MAX_SELECTION} messages can be selected at a time.`);
  if (new Set(list.map((m) => String(m.mailbox).toLowerCase())).size > 1) throw new Error('Messages can be selected from one mailbox at a time.');
  const before = selection;
  selection = [...list];
  renderList();
  renderReading();
  $('save-to-imis-button').disabled = selection.length === 0;
  const p = pane;
  if (!p) return;
  const item = selection.length === 1 ? selection[0] : null;
  const itemChanged = item !== p.message;
  const selectionChanged = before.length !== selection.length || before.some((m, i) => m !== selection[i]);
  if (!itemChanged && !selectionChanged) return;
  if (choice.pinned === '0' || mobile) return closePane(); // an unpinned pane closes when another item is selected
  if (choice.pinned === 'reload') { closePane(); if (selection.length) openPane(); return; }
  p.loaded = null; // a loaded item does not outlive the selection it came from (strict)
  if (itemChanged) {
    p.message = item;
    p.seq = ++itemSeq;
    paneEvent(p, { eventType: 'itemChanged', args: { message: paneMessage(item), seq: p.seq } });
  }
  if (selectionChanged && claimed('Mailbox', '1.13')) paneEvent(p, { eventType: 'selectedItemsChanged', args: {} });
}

function byIds(ids) {
  return ids.map((id) => {
    const m = mailbox.messages.find((x) => x.ewsId === id);
    if (!m) throw new Error(`There is no message with the ewsId ${id}.`);
    return m;
  });
}

// Like Outlook running a ShowTaskpane command. Roaming settings are read once per opening: a reload
// inside the pane gets the same initial values again (RoamingSettings docs).
function openPane() {
  if (pane || !selection.length) return;
  const src = new URL(params.get('pane') ?? mailbox.paneUrl, location.href);
  const frame = el('iframe', { id: 'taskpane', title: 'Save to iMIS', src: src.href });
  const roaming = getJson(`/_sim/roaming?user=${encodeURIComponent(signedIn().emailAddress)}`);
  roaming.catch((e) => status(`Could not read roaming settings: ${e.message}`));
  pane = { frame, origin: src.origin, message: selection.length === 1 ? selection[0] : null, seq: ++itemSeq, roaming, dialog: null, loaded: null };
  $('taskpane-container').append(frame);
  $('taskpane-container').hidden = false;
}

function closePane() {
  if (pane?.dialog) endDialog(pane);
  pane?.frame.remove();
  pane = null;
  $('taskpane-container').hidden = true;
}

function setTheme(name) {
  if (!CHOICES.theme.includes(name)) throw new Error(`Unknown theme ${name}.`);
  theme = name;
  document.body.dataset.theme = name;
  if (pane && claimed('Mailbox', '1.14') && !mobile) paneEvent(pane, { eventType: 'officeThemeChanged', args: { theme } });
}

window.outlookSim = Object.freeze({
  select: (ewsId) => setSelection(ewsId === null || ewsId === undefined ? [] : byIds([ewsId])),
  selectMany: (ids) => { if (!Array.isArray(ids)) throw new TypeError('selectMany takes an array of ewsIds'); setSelection(byIds(ids)); },
  setTheme,
  dialogEvent(code) {
    if (![12002, 12003].includes(code)) throw new Error('dialogEvent takes 12002 or 12003 (close the window itself for 12006)');
    if (!pane?.dialog?.win) throw new Error('No dialog is open.');
    dialogNavigationError(pane, pane.dialog, code, true);
  },
  state: () => ({ selected: selection.map((m) => m.ewsId), paneOpen: Boolean(pane), theme, loaded: pane?.loaded?.message.ewsId ?? null }),
});

function toBase64(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const escapeHtml = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// ---- nested app authentication: the broker (see the header) ----

const idpOrigin = () => new URL(params.get('idp') ?? mailbox.idpUrl).origin;
const jwtClaims = (jwt) => JSON.parse(new TextDecoder().decode(
  Uint8Array.from(atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))));
const bridgeFail = (status, code, description, subError) => ({ bridgeError: { status, code, description, ...(subError && { subError }) } });

function initContext() {
  const user = mailbox.users[0];
  return { sdkName: 'Outlook (simulated) nested app auth', sdkVersion: HOST_VERSION, capabilities: { queryAccount: false },
    ...(user && { accountContext: { homeAccountId: `${user.id}.${mailbox.tenantId}`, environment: new URL(idpOrigin()).host,
      tenantId: mailbox.tenantId } }) };
}

// TokenRequest (MSAL src/naa/TokenRequest.ts) -> {token: TokenResponse, account: AccountInfo} from the IdP.
async function brokerToken(tp, p) {
  const user = mailbox.users[0];
  if (!user) throw bridgeFail('ACCOUNT_UNAVAILABLE', 'no_account', 'No user is signed in to Outlook.');
  const base = idpOrigin();
  const asked = tp.authority && URL.canParse(tp.authority) ? new URL(tp.authority) : null; // MSAL sends it only when the request has one
  const authority = asked?.origin === base ? asked.href.replace(/\/?$/, '/') : `${base}/${mailbox.tenantId}/`;
  const scope = [...new Set([...String(tp.scope ?? '').split(/\s+/).filter(Boolean), 'openid', 'profile'])].join(' ');
  const body = new URLSearchParams({ grant_type: BROKER_GRANT, client_id: String(tp.clientId ?? ''), scope,
    redirect_uri: `brk-multihub://${new URL(p.origin).host}`, brk_client_id: mailbox.brokerClientId,
    brk_redirect_uri: new URL('/', location.href).href, login_hint: user.mail, client_info: '1', ...(tp.claims && { claims: tp.claims }) });
  let r;
  try {
    r = await fetch(`${authority}oauth2/v2.0/token`, { method: 'POST', body,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(tp.correlationId && { 'client-request-id': tp.correlationId }) } });
  } catch (e) { throw bridgeFail('NO_NETWORK', 'no_network', String(e.message ?? e)); }
  const t = await r.json().catch(() => ({}));
  if (!r.ok || !t.access_token) {
    const code = t.error ?? `http_${r.status}`;
    const status = r.status >= 500 || ['server_error', 'temporarily_unavailable'].includes(code) ? 'TRANSIENT_ERROR'
      : ['interaction_required', 'login_required', 'consent_required', 'invalid_grant'].includes(code) ? 'USER_INTERACTION_REQUIRED' : 'PERSISTENT_ERROR';
    throw bridgeFail(status, code, t.error_description ?? `The identity provider answered ${r.status}.`, t.suberror);
  }
  const c = jwtClaims(t.id_token);
  return {
    token: { access_token: t.access_token, expires_in: t.expires_in, id_token: t.id_token, scope: t.scope, properties: null, authority },
    account: { homeAccountId: `${c.oid}.${c.tid}`, environment: new URL(base).host, tenantId: c.tid, username: c.preferred_username,
      localAccountId: c.oid, name: c.name, loginHint: c.preferred_username, idTokenClaims: c },
  };
}

// A BridgeRequestEnvelope string -> a BridgeResponseEnvelope string (MSAL src/naa/Bridge*Envelope.ts).
async function nestedAppAuth(message, p) {
  let req = null;
  try { req = JSON.parse(message); } catch { /* answered below */ }
  if (req?.messageType !== 'NestedAppAuthRequest' || typeof req.requestId !== 'string') throw officeError(9002, 'not a NestedAppAuthRequest');
  const envelope = { messageType: 'NestedAppAuthResponse', requestId: req.requestId };
  try {
    if (!claimed('NestedAppAuth', '1.1')) throw bridgeFail('DISABLED', 'disabled', 'The host does not support nested app authentication.');
    if (req.method === 'GetInitContext') return JSON.stringify({ ...envelope, success: true, initContext: initContext() });
    if (req.method === 'GetToken' || req.method === 'GetTokenPopup') {
      return JSON.stringify({ ...envelope, success: true, ...(await brokerToken(req.tokenParams ?? {}, p)) });
    }
    throw bridgeFail('PERSISTENT_ERROR', 'unsupported_method', `The host does not support ${req.method}.`);
  } catch (e) {
    const error = e.bridgeError ?? { status: 'TRANSIENT_ERROR', code: 'host_error', description: String(e.message ?? e) };
    return JSON.stringify({ ...envelope, success: false, error });
  }
}


// ---- dialogs (see the header) ----

const paneEvent = (p, msg) => p.frame.contentWindow?.postMessage({ ns: NS, type: 'event', ...msg }, p.origin);

function endDialog(p, error) {
  const d = p.dialog;
  if (!d) return;
  p.dialog = null;
  clearInterval(d.timer);
  d.prompt?.remove();
  d.cancel?.();
  if (d.win && !d.win.closed) d.win.close();
  if (error) paneEvent(p, { dialogId: d.id, eventType: 'dialogEventReceived', args: { error, type: 'dialogEventReceived' } });
}

// 12002 / 12003: the dialog stays open (the add-in decides whether to close it); each code once per dialog, unless a test
// injects it (outlookSim.dialogEvent).
function dialogNavigationError(p, d, code, again = false) {
  if (p.dialog !== d || (!again && d.reported.has(code))) return;
  d.reported.add(code);
  paneEvent(p, { dialogId: d.id, eventType: 'dialogEventReceived', args: { error: code, type: 'dialogEventReceived' } });
}

// The server fetches the start page as the dialog window does: an HTTP error or no answer -> 12002, a redirect to http: -> 12003.
async function probeDialog(p, d, url) {
  let r;
  try { r = await getJson(`/_sim/probe?url=${encodeURIComponent(url)}`); } catch { return; } // our own server failed: no verdict
  if (r.http) dialogNavigationError(p, d, 12003);
  else if (!r.status || r.status >= 400) dialogNavigationError(p, d, 12002);
}

// Outlook's pop-up prompt: resolves with the window opened from the Allow click, or null for Ignore.
function promptToOpen(p, d, open) {
  return new Promise((resolve) => {
    const allow = el('button', { type: 'button', id: 'dialog-allow', textContent: 'Allow', onclick: () => { d.prompt.remove(); resolve(open()); } });
    const ignore = el('button', { type: 'button', id: 'dialog-ignore', textContent: 'Ignore', onclick: () => { d.prompt.remove(); resolve(null); } });
    d.cancel = () => resolve(null);
    d.prompt = el('div', { id: 'dialog-prompt', className: 'dialog-prompt', role: 'alertdialog' },
      el('p', { textContent: `${p.frame.title} wants to display a new window.` }), allow, ignore);
    document.body.append(d.prompt);
  });
}

async function displayDialog({ url, options }, p) {
  const u = typeof url === 'string' && URL.canParse(url) ? new URL(url) : null;
  if (u?.protocol === 'http:') throw officeError(12005);
  if (!u || u.origin !== p.origin) throw officeError(12004);
  if (p.dialog) throw officeError(12007);
  const pct = (v) => Math.min(100, Math.max(1, Number(v) || 80)) / 100;
  const features = `popup,width=${Math.max(150, Math.round(screen.availWidth * pct(options?.width)))},height=${
    Math.max(250, Math.round(screen.availHeight * pct(options?.height)))}`;
  const d = { id: ++dialogSeq, win: null, timer: 0, reported: new Set() };
  const open = () => window.open(u.href, `office-dialog-${d.id}`, features);
  p.dialog = d; // taken while opening: a second call meanwhile gets 12007
  let win = popupsBlocked ? null : open();
  if (!win && options?.promptBeforeOpen === false) { p.dialog = null; throw officeError(12011); }
  if (!win) win = await promptToOpen(p, d, open);
  d.cancel = null;
  if (p.dialog !== d) { win?.close(); throw officeError(12009); } // the pane closed meanwhile
  if (!win) { p.dialog = null; throw officeError(12009); }
  d.win = win;
  d.timer = setInterval(() => { if (win.closed && p.dialog === d) endDialog(p, 12006); }, DIALOG_POLL_MS);
  probeDialog(p, d, u.href);
  return { dialogId: d.id };
}

// Messages from the dialog window (its office.js): hello -> snapshot; request messageParent -> the pane.
async function fromDialog(p, event) {
  const { type, id, method, args, status: pageStatus } = event.data;
  const reply = (msg) => event.source.postMessage({ ns: NS, ...msg }, event.origin);
  if (type === 'hello') {
    if (Number(pageStatus) >= 400) dialogNavigationError(p, p.dialog, 12002); // an error page that loads office.js
    return reply({ type: 'snapshot', snapshot: { dialog: true, requirements, hostVersion: HOST_VERSION, platform } });
  }
  if (type !== 'request') return;
  if (method !== 'messageParent') return reply({ type: 'response', id, error: { code: 9002, message: `${method} is not available in a dialog` } });
  const { message, targetOrigin } = args ?? {};
  if (!targetOrigin || targetOrigin === '*' || targetOrigin === p.origin) { // else: not for this parent, dropped
    paneEvent(p, { dialogId: p.dialog.id, eventType: 'dialogMessageReceived', args: { message, origin: event.origin, type: 'dialogMessageReceived' } });
  }
  reply({ type: 'response', id, value: null });
}

// ---- what the office.js stand-in may ask for; errors carry Office.js error codes ----

// The message an item call is about: the selected item the pane was told of (ref.seq), or the loaded item (ref.loaded).
// Anything else is an item that is no longer there: 9030 APICallFailedDueToItemChange.
function target(p, ref) {
  if (ref?.loaded !== undefined) {
    if (p.loaded && p.loaded.id === ref.loaded) return p.loaded.message;
  } else if (p.message && ref?.seq === p.seq) return p.message;
  throw officeError(9030);
}

const api = {
  check({ ref }, p) { target(p, ref); return null; },
  body({ ref, coercionType }, p) {
    const m = target(p, ref);
    const text = m.bodyText ?? '';
    if (coercionType !== 'html') return text;
    return m.bodyHtml ?? `<html><body><div>${escapeHtml(text).replace(/\r?\n/g, '<br>')}</div></body></html>`;
  },
  async attachment({ ref, ewsId }, p) {
    const a = (target(p, ref).attachments ?? []).find((x) => x.ewsId === ewsId);
    if (!a) throw officeError(9003);
    const r = await fetch(`/_sim/attachments/${encodeURIComponent(a.restId ?? toRestId(a.ewsId))}/content`);
    if (!r.ok) throw officeError(9054);
    return toBase64(new Uint8Array(await r.arrayBuffer()));
  },
  // getAsFileAsync: the whole message as MIME, from the Graph stand-in (server.mjs: GET /_sim/messages/{id}/mime).
  async asFile({ ref }, p) {
    const m = target(p, ref);
    if (mode === 'compose' && ref?.loaded === undefined) throw officeError(9002, 'getAsFileAsync is for read mode.');
    const r = await fetch(`/_sim/messages/${encodeURIComponent(m.ewsId)}/mime`);
    if (!r.ok) throw officeError(9020, `The message could not be read (the Graph stand-in answered ${r.status}).`);
    return toBase64(new Uint8Array(await r.arrayBuffer()));
  },
  async saveRoaming({ settings }) {
    const r = await fetch(`/_sim/roaming?user=${encodeURIComponent(signedIn().emailAddress)}`,
      { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(settings) });
    if (!r.ok) throw officeError(9019);
  },
  // SharedProperties of an item in another mailbox (docs: targetRestUrl + "/{api_version}/users/" + targetMailbox).
  sharedProperties({ ref }, p) {
    const m = target(p, ref);
    if (!isShared(m)) throw officeError(9020, 'The item is not in a shared folder or a shared mailbox.');
    return { targetMailbox: m.mailbox, targetRestUrl: mailbox.graphUrl, owner: m.mailbox, delegatePermissions: DELEGATE_READ };
  },
  // saveAsync: the draft's EWS id. The first save starts the sync delay (Graph answers 404 for syncDelay ms).
  async save({ ref }, p) {
    const { ewsId } = target(p, ref);
    if (mode !== 'compose') throw officeError(9002, 'saveAsync is for compose mode.');
    if (!saved.has(ewsId) && syncDelay > 0) {
      const r = await fetch(`/_sim/messages/${encodeURIComponent(ewsId)}/hide`,
        { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ms: syncDelay }) });
      if (!r.ok) { status(`Could not delay the draft's sync: ${r.status}`); throw officeError(9002, `the sync delay failed (${r.status})`); }
    }
    saved.add(ewsId);
    return ewsId;
  },
  itemId({ ref }, p) {
    const { ewsId } = target(p, ref);
    if (mode !== 'compose') throw officeError(9002, 'getItemIdAsync is for compose mode.');
    if (!saved.has(ewsId)) throw officeError(ITEM_NOT_SAVED);
    return ewsId;
  },
  selectedItems: () => selection.map(paneMessage),
  // loadItemByIdAsync: one item at a time ("you must call unloadAsync ... before calling loadItemByIdAsync on another
  // item"), and (strict) only a message of the current selection, which is of one mailbox.
  loadItem({ ewsId }, p) {
    if (p.loaded) throw officeError(9020, 'An item is loaded already: call unloadAsync on it first.');
    const m = selection.find((x) => x.ewsId === ewsId);
    if (!m) throw officeError(9049);
    p.loaded = { id: ++loadSeq, message: m };
    return { message: paneMessage(m), loaded: p.loaded.id };
  },
  unloadItem({ loaded }, p) {
    if (!p.loaded || p.loaded.id !== loaded) throw officeError(9030);
    p.loaded = null;
  },
  nestedAppAuth: ({ message }, p) => nestedAppAuth(message, p),
  authContext() { // Office.AuthContext
    const user = mailbox.users[0];
    if (!user) throw officeError(13001);
    return { userObjectId: user.id, tenantId: mailbox.tenantId, userPrincipalName: user.mail, loginHint: user.mail,
      authorityType: 'aad', authorityBaseUrl: idpOrigin() };
  },
  displayDialog: (args, p) => displayDialog(args, p),
  closeDialog({ dialogId }, p) { if (p.dialog?.id === dialogId) endDialog(p); },
  messageChild({ dialogId, message, targetOrigin }, p) {
    const d = p.dialog;
    if (d?.id !== dialogId || !d.win || d.win.closed) throw officeError(12006);
    // delivered only while the dialog shows a page of targetOrigin (default: the add-in's domain)
    d.win.postMessage({ ns: NS, type: 'event', eventType: 'dialogParentMessageReceived', args: { message, type: 'dialogParentMessageReceived' } },
      !targetOrigin ? p.origin : targetOrigin);
  },
};

async function snapshot(p) {
  return { mode, message: paneMessage(p.message), seq: p.seq, user: signedIn(), roaming: await p.roaming, requirements,
    hostVersion: HOST_VERSION, platform, theme, sharedProps: choice.sharedProps, composeIds: choice.composeIds, permission };
}

window.addEventListener('message', async (event) => {
  const p = pane;
  const fromDialogWindow = p?.dialog?.win && event.source === p.dialog.win && event.data?.ns === NS;
  // office.js in the dialog, on an http: page: the dialog went to http (12003).
  if (fromDialogWindow && event.origin.startsWith('http:')) return dialogNavigationError(p, p.dialog, 12003);
  if (fromDialogWindow && event.origin === p.origin) return fromDialog(p, event);
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

function badParameter() {
  if (!MODES.includes(mode)) return `The simulated host does not support mode "${mode}" yet.`;
  if (!PLATFORMS.includes(platform)) return `Unknown ?platform=${platform} (web, ios or android).`;
  if (mobile && mode === 'compose') return 'Outlook mobile shows this add-in in read mode only (MobileMessageReadCommandSurface).';
  if (permission === undefined) return `Unknown ?permission=${params.get('permission')} (Restricted, ReadItem, ReadWriteItem or ReadWriteMailbox).`;
  const bad = Object.entries(CHOICES).find(([k, values]) => !values.includes(choice[k]));
  return bad ? `Unknown ?${bad[0]}=${choice[bad[0]]} (${bad[1].join(', ')}).` : null;
}

async function init() {
  $('save-to-imis-button').addEventListener('click', openPane);
  $('taskpane-close').addEventListener('click', closePane);
  document.body.dataset.theme = theme;
  const bad = badParameter();
  if (bad) return status(bad);
  try { mailbox = await getJson('/_sim/mailbox'); } catch (e) { return status(`Could not load the mailbox: ${e.message}`); }
  if (!mailbox.messages.length) return status('The mailbox is empty.');
  const many = params.get('select'), wanted = params.get('message');
  try {
    if (many !== null) setSelection(byIds(many.split(',').map((s) => s.trim()).filter(Boolean)));
    else if (wanted) {
      const m = mailbox.messages.find((x) => x.ewsId === wanted);
      if (!m) return status('There is no message with that ewsId.');
      setSelection([m]);
    } else setSelection([mailbox.messages[0]]);
  } catch (e) { return status(e.message); }
}

init();
