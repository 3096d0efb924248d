/* office.js stand-in, served by the simulated Outlook host (tests/standins/outlook/server.mjs).
 * The task pane loads it instead of Microsoft's office.js in demo and test builds. It provides the
 * standard Office API surface for Outlook, for a message in read or compose mode, and answers from the host
 * page (its parent).
 *
 * Read mode (Office.MessageRead): itemId, itemType, itemClass, subject, normalizedSubject, conversationId,
 *   internetMessageId, from, sender, to, cc, dateTimeCreated/Modified, attachments, body.getAsync.
 * Compose mode (Office.MessageCompose, ?mode=compose on the host page): itemType and conversationId as plain
 *   properties; subject.getAsync/setAsync; to/cc/bcc.getAsync -> EmailAddressDetails[]; body.getAsync;
 *   from.getAsync (Mailbox 1.7) -> the signed-in user; saveAsync (1.3) -> the item's EWS id;
 *   getAttachmentsAsync (1.8) -> AttachmentDetailsCompose[]; getItemIdAsync (1.8) -> Failed 9046 ItemNotSaved
 *   until saveAsync has been called once (on this host page), then the EWS id. No itemId, no attachments.
 * Both: getAttachmentContentAsync and getSharedPropertiesAsync (1.8: absent when the host claims less). A
 *   message whose mailbox is not the signed-in user's is in a shared mailbox: getSharedPropertiesAsync gives
 *   {targetMailbox, targetRestUrl, owner, delegatePermissions: Read}; for the user's own it fails 9020.
 *
 * Nested app authentication (only when the host claims NestedAppAuth 1.1, ?requirements=...,NestedAppAuth:1.1):
 *   window.nestedAppAuthBridge = {postMessage(string), addEventListener("message", fn), removeEventListener}, the
 *   AuthBridge MSAL.js talks to (@azure/msal-browser 5.30 src/naa/AuthBridge.ts, BridgeProxy.ts). It is defined
 *   before onReady resolves, and window.__initializeNestedAppAuth (which MSAL's createNestablePublicClientApplication
 *   awaits before looking for the bridge: operatingcontext/NestedAppOperatingContext.ts) waits for that, so MSAL
 *   may be created before onReady. Each postMessage(JSON BridgeRequestEnvelope: {messageType:
 *   "NestedAppAuthRequest", method: GetInitContext | GetToken | GetTokenPopup, requestId, sendTime,
 *   clientLibrary, clientLibraryVersion, tokenParams?}) goes to the host (request "nestedAppAuth"), whose answer
 *   (JSON BridgeResponseEnvelope: {messageType: "NestedAppAuthResponse", requestId, success, initContext? |
 *   token?+account? | error?}) is handed to every "message" listener as the string itself (MSAL takes a string
 *   or {data: string}). The host page is the broker (host.js). Without the claim there is no bridge, and
 *   createNestablePublicClientApplication falls back to the standard (popup/redirect) client.
 * Office.auth.getAuthContext() (IdentityAPI 1.3 or NestedAppAuth 1.1) -> Promise<AuthContext> {userObjectId,
 *   tenantId, userPrincipalName, loginHint, authorityType: "aad", authorityBaseUrl: the IdP stand-in's origin};
 *   rejects {code 13000} when neither set is claimed or outside Outlook. Office.auth.getAccessToken() (Office
 *   SSO) always rejects 13000: the add-in's manifest has no WebApplicationInfo.
 * Dialogs (DialogApi 1.1; messageChild / DialogParentMessageReceived: 1.2), see host.js for the window itself:
 *   Office.context.ui.displayDialogAsync(startAddress, [options], [callback]) -> AsyncResult value Dialog
 *   {addEventHandler(Office.EventType.DialogMessageReceived | DialogEventReceived, handler), close(),
 *   messageChild(message, [{targetOrigin}])}; failures 12005 (http:), 12004 (not the pane's origin, or not an
 *   absolute URL), 12007 (this pane has a dialog open), 12009 (the user chose Ignore on the host's prompt),
 *   12011 (popup blocked with promptBeforeOpen: false). Handlers get {message, origin, type:
 *   "dialogMessageReceived"} or {error: 12006, type: "dialogEventReceived"} (the dialog window was closed).
 *   close() closes the window without an event. In the dialog window this same script (its opener is the
 *   host page) gives Office.onReady / Office.initialize, Office.context.requirements, and Office.context.ui
 *   {messageParent(message string|boolean, [{targetOrigin}]), addHandlerAsync(DialogParentMessageReceived,
 *   handler -> {message, type})}; no Office.context.mailbox (the dialog may call only messageParent and
 *   isSetSupported: learn.microsoft.com "Best practices and rules for the Office Dialog API"). A dialog that
 *   navigates to another origin and back loads this script again and says hello again; the host answers only
 *   while it is on the add-in's origin.
 *
 * Protocol (window.postMessage; every message is {ns: "office-sim", type, ...}):
 *   pane -> host  {type: "hello"}                           once, at load
 *   host -> pane  {type: "snapshot", snapshot: {mode, message, user, roaming, requirements, hostVersion}}
 *                 message: the Graph stand-in's message without its body; user: the signed-in user (mailbox
 *                 users[0]), whose message.mailbox may differ (shared); onReady waits for this
 *   pane -> host  {type: "request", id, method, args}       method: body {coercionType} | attachment {ewsId}
 *                                                           | saveRoaming {settings} | sharedProperties {}
 *                                                           | save {} | itemId {}   (the last two: compose)
 *                                                           | nestedAppAuth {message} -> response string
 *                                                           | authContext {} | displayDialog {url, options}
 *                                                           -> {dialogId} | closeDialog {dialogId}
 *                                                           | messageChild {dialogId, message, targetOrigin}
 *   host -> pane  {type: "response", id, value} or {type: "response", id, error: {code, message?}}
 *   host -> pane  {type: "event", dialogId, eventType: "dialogMessageReceived" | "dialogEventReceived", args}
 *   dialog -> host (window.opener)  {type: "hello"}; {type: "request", id, method: "messageParent",
 *                                   args: {message, targetOrigin}}
 *   host -> dialog  {type: "snapshot", snapshot: {dialog: true, requirements, hostVersion}}; responses;
 *                   {type: "event", eventType: "dialogParentMessageReceived", args: {message, type}}
 * The pane (dialog) only accepts messages from window.parent (window.opener) at the origin this script was
 * served from; the host only accepts messages from the task pane iframe, or from the dialog window it opened,
 * at the pane URL's origin. Outside a host (no parent or opener, or no snapshot within 3 s) onReady gives
 * {host: null, platform: null} and Office.context.mailbox is undefined.
 *
 * Shapes checked against (reference text found with the search tool):
 * - OfficeDev/office-js-docs-reference docs-ref-autogen/outlook_1_13: Office.MessageRead (from/sender
 *   recipientType is undefined; dateTimeCreated/Modified are Dates; getAttachmentContentAsync errors
 *   InvalidAttachmentId, AttachmentTypeNotSupported), EmailAddressDetails, UserProfile, RoamingSettings
 *   (initialized once per pane opening; 32 KB; code 9057; the docs put the throw on set(), we fail saveAsync
 *   as the brief asks), MailboxEnums.RecipientType / RestVersion; learn.microsoft.com: AttachmentDetails (a
 *   cloud attachment's id is its URL), AttachmentContent / AttachmentContentFormat, Diagnostics (hostName
 *   "OutlookWebApp" and OWAView on the web), ContextInformation (Office.context.diagnostics: host, platform,
 *   version), PlatformType, SharedProperties (Failed when the item is not shared; targetRestUrl is documented
 *   as the REST base "currently https://outlook.office.com/api", used as targetRestUrl + "/{api_version}/users/"
 *   + targetMailbox: ours is the Graph stand-in's origin, so that with "v1.0" it names the Graph stand-in);
 *   AttachmentDetailsCompose (id is the EWS id on the web; url only for cloud; no contentType); MessageCompose
 *   getItemIdAsync (error ItemNotSaved "The ID can't be retrieved until the item is saved."), saveAsync (value:
 *   the item id; in cached mode it errors until synced), subject.setAsync (at most 255 characters), from.getAsync
 *   (no recipientType for the sender, EmailAddressDetails); "Get and set item data in a compose form" (itemType
 *   and conversationId are read directly in compose).
 * - Microsoft's dist/outlook-web-16.01.debug.js in OfficeDev/office-js: MessageCompose defines to, cc, bcc,
 *   conversationId, from (no itemId, subject string or attachments); MailboxEnums.DelegatePermissions (Read 1,
 *   Write 2, DeleteOwn 4, DeleteAll 8, EditOwn 16, EditAll 32); OutlookErrorManager 9046 "ItemNotSaved";
 *   getSharedPropertiesAsync (dispid 108), getAttachmentsAsync (149), getItemIdAsync (164) are host calls.
 * - Microsoft's outlook-web-16.01.debug.js (copy in OfficeDev/Office-Add-in-samples): AsyncResult has value
 *   and status, asyncContext only when given, error {name, message, code} only on failure; the Outlook error
 *   table (9002, 9003, 9019, 9020, 9043, 9054) with en-us messages (9019 and 9020 have none there; ours say
 *   what failed); convertToRestId/convertToEwsId
 *   ('/' <-> '-', '+' <-> '_', an invalid restVersion throws); EmailAddressDetails leaves out unknown fields.
 * Not verified: the name and message of error 9057, Office.initialize's reason, conversationId's format
 * (synthesized when the message has none), contentType of item attachments (by itemType), the ids Outlook gives
 * cloud attachments in compose (ours: the EWS id), what subject.setAsync does past 255 characters (the docs name
 * an async DataExceedsMaximumSize error; ours throws), delegatePermissions in a shared mailbox (ours: Read), and
 * whether Outlook before Mailbox 1.13 fails getSharedPropertiesAsync for a shared mailbox (not modelled: 1.8
 * covers shared folders and shared mailboxes alike here).
 * - Microsoft's office.js (OfficeDev/office-js dist/*.debug.js, en-us/office_strings.debug.js): dialog errors are
 *   named "Display Dialog Error" (12002, 12004, 12005, 12007, 12009, 12011) with the messages used here, 13000
 *   "API Not Supported" / "The identity API is not supported for this add-in.", 13001 "No user is signed into
 *   Office."; Office.EventType dialog events; the prompt text "{0} wants to display a new window." Allow / Ignore.
 * - learn.microsoft.com: Office.AuthContext (authorityType "aad" | "msa" | "other"), Office.DialogOptions
 *   (height/width %, promptBeforeOpen, displayInIframe), "Handle errors and events in the Office dialog box".
 * Not verified: whether real Office hands bridge responses to listeners as strings or as {data}, and what it
 *   answers for a host error (ours: BridgeErrors, see host.js); the type field of dialog event args.
 * Not provided yet: appointments, recipients/body setAsync and addAsync, dialogs in an iframe (displayInIframe
 *   is ignored: always a window), messageParent from a page on another domain (AppDomains).
 */
(function () {
  'use strict';
  const NS = 'office-sim';
  if (!document.currentScript) throw new Error('office.js stand-in: load it with a classic <script src>');
  const HOST_ORIGIN = new URL(document.currentScript.src).origin;
  const HELLO_TIMEOUT_MS = 3000;
  const ROAMING_LIMIT = 32 * 1024;
  const ITEM_FORMATS = { message: 'eml', event: 'iCalendar' }; // other item types: AttachmentTypeNotSupported
  const ITEM_TYPES = { message: 'message/rfc822', event: 'text/calendar', contact: 'text/vcard' };
  const ERRORS = {
    9002: ['InternalFormatError', 'There was an internal format error.'],
    9003: ['InvalidAttachmentId', 'The attachment ID was invalid.'],
    9019: ['GenericSettingsError', 'The settings could not be saved.'],
    9020: ['GenericResponseError', 'The host could not answer the request.'],
    9043: ['AttachmentTypeNotSupported', 'The attachment type is not supported.'],
    9046: ['ItemNotSaved', "The ID can't be retrieved until the item is saved."],
    9054: ['AttachmentDownloadFailed', 'Downloading the attachment failed.'],
    9057: ['RoamingSettingsExceededSize', 'Invalid parameter size. Roaming settings cannot exceed 32 KB size limit.'],
    12004: ['Display Dialog Error', 'The domain of the URL is not included in the AppDomains element in the manifest.'],
    12005: ['Display Dialog Error', 'The HTTP protocol is not supported. Use HTTPS instead'],
    12006: ['Display Dialog Error', 'The dialog box was closed.'],
    12007: ['Display Dialog Error', 'The operation failed because this add-in already has an active dialog.'],
    12009: ['Display Dialog Error', 'The user chose to ignore the dialog box.'],
    12011: ['Display Dialog Error', 'Browser restrictions prevented us from creating the dialog box. The domain of dialog box and '
      + 'the domain of the add-in host are not in the same security zone.'],
    13000: ['API Not Supported', 'The identity API is not supported for this add-in.'],
    13001: ['No user is signed into Office.', 'No user is signed into Office.'],
  };
  const DIALOG_EVENTS = ['dialogMessageReceived', 'dialogEventReceived'];

  const Office = {
    AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
    CoercionType: { Text: 'text', Html: 'html', Matrix: 'matrix', Table: 'table', Ooxml: 'ooxml',
      SlideRange: 'slideRange', Image: 'image', XmlSvg: 'xmlSvg' },
    HostType: { Word: 'Word', Excel: 'Excel', PowerPoint: 'PowerPoint', Outlook: 'Outlook', OneNote: 'OneNote',
      Project: 'Project', Access: 'Access' },
    PlatformType: { PC: 'PC', OfficeOnline: 'OfficeOnline', Mac: 'Mac', iOS: 'iOS', Android: 'Android', Universal: 'Universal' },
    InitializationReason: { Inserted: 'inserted', DocumentOpened: 'documentOpened' },
    EventType: { DialogMessageReceived: 'dialogMessageReceived', DialogEventReceived: 'dialogEventReceived',
      DialogParentMessageReceived: 'dialogParentMessageReceived' },
    MailboxEnums: {
      RestVersion: { v1_0: 'v1.0', v2_0: 'v2.0', Beta: 'beta' },
      AttachmentType: { File: 'file', Item: 'item', Cloud: 'cloud' },
      AttachmentContentFormat: { Base64: 'base64', Url: 'url', Eml: 'eml', ICalendar: 'iCalendar' },
      ItemType: { Message: 'message', Appointment: 'appointment' },
      RecipientType: { DistributionList: 'distributionList', User: 'user', ExternalUser: 'externalUser', Other: 'other' },
      DelegatePermissions: { Read: 1, Write: 2, DeleteOwn: 4, DeleteAll: 8, EditOwn: 16, EditAll: 32 },
      OWAView: { OneColumnNarrow: 'OneColumnNarrow', OneColumn: 'OneColumn', TwoColumns: 'TwoColumns', ThreeColumns: 'ThreeColumns' },
    },
    context: undefined, // set when ready
    initialize: undefined, // the add-in may assign it; called once ready, before onReady resolves
    onReady(callback) {
      return ready.then((info) => { if (callback) callback(info); return info; });
    },
    auth: {
      getAuthContext: () => ready.then(() => {
        const isSet = Office.context.requirements.isSetSupported;
        if (!Office.context.mailbox || !(isSet('IdentityAPI', '1.3') || isSet('NestedAppAuth', '1.1'))) throw fail(13000);
        return call('authContext');
      }).catch((e) => { throw officeError(e.code); }),
      getAccessToken: () => ready.then(() => { throw officeError(13000); }),
    },
  };
  window.Office = Office;
  // MSAL's createNestablePublicClientApplication awaits this before it looks for window.nestedAppAuthBridge.
  window.__initializeNestedAppAuth = () => ready.then(() => undefined);

  // ---- errors and async results -----------------------------------------------------------

  const argumentError = (name) => Object.assign(
    new Error(`Sys.ArgumentException: Value does not fall within the expected range.\nParameter name: ${name}`),
    { name: 'Sys.ArgumentException' });
  const fail = (code, message) => Object.assign(new Error(message ?? ''), { code });
  const officeError = (code) => { // the {name, message, code} of a rejected Office.auth promise
    const known = ERRORS[code] ? code : 9002;
    return Object.assign(new Error(ERRORS[known][1]), { name: ERRORS[known][0], code: known });
  };

  function asyncResult(asyncContext, value, error) {
    const result = { value, status: error ? 'failed' : 'succeeded' };
    if (asyncContext) result.asyncContext = asyncContext;
    if (error) {
      const code = ERRORS[error.code] ? error.code : 9002;
      result.error = { name: ERRORS[code][0], message: error.message || ERRORS[code][1], code };
    }
    return result;
  }

  // rest: the method's optional trailing (options, callback). The callback always runs asynchronously.
  function runAsync(rest, work, callbackRequired) {
    const callback = rest.find((a) => typeof a === 'function');
    const options = rest.find((a) => a && typeof a === 'object');
    if (callbackRequired && !callback) throw argumentError('callback');
    Promise.resolve().then(work)
      .then((value) => asyncResult(options?.asyncContext, value), (e) => asyncResult(options?.asyncContext, undefined, e))
      .then((result) => callback && setTimeout(callback, 0, result));
  }

  // ---- talking to the host page -----------------------------------------------------------

  const pending = new Map();
  let lastId = 0;
  const hostWindow = window.parent !== window ? window.parent : window.opener; // task pane : dialog
  const post = (msg) => hostWindow.postMessage({ ns: NS, ...msg }, HOST_ORIGIN);
  const call = (method, args = {}) => new Promise((resolve, reject) => {
    const id = ++lastId;
    pending.set(id, { resolve, reject });
    post({ type: 'request', id, method, args });
  });

  window.addEventListener('message', (event) => {
    if (!hostWindow || event.source !== hostWindow || event.origin !== HOST_ORIGIN || event.data?.ns !== NS) return;
    const msg = event.data;
    if (msg.type === 'snapshot') becomeReady(msg.snapshot);
    if (msg.type === 'event') onHostEvent(msg);
    if (msg.type === 'response' && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(msg.error); else resolve(msg.value);
    }
  });

  // ---- dialogs, nested app authentication -------------------------------------------------

  const dialogs = new Map(); // dialogId -> {dialogMessageReceived: [handlers], dialogEventReceived: [...]}
  const parentHandlers = []; // in a dialog: DialogParentMessageReceived handlers
  const fire = (handlers, args) => handlers.forEach((h) => setTimeout(h, 0, args));

  function onHostEvent(msg) {
    if (msg.eventType === 'dialogParentMessageReceived') return fire(parentHandlers, msg.args);
    const handlers = dialogs.get(msg.dialogId);
    if (!handlers || !DIALOG_EVENTS.includes(msg.eventType)) return;
    if (msg.eventType === 'dialogEventReceived') dialogs.delete(msg.dialogId); // 12006: the window is gone
    fire(handlers[msg.eventType], msg.args);
  }

  function dialogObject(dialogId, isSet) {
    const handlers = { dialogMessageReceived: [], dialogEventReceived: [] };
    dialogs.set(dialogId, handlers);
    const dialog = {
      addEventHandler(eventType, handler) {
        if (!DIALOG_EVENTS.includes(eventType)) throw argumentError('eventType');
        if (typeof handler !== 'function') throw argumentError('handler');
        if (!handlers[eventType].includes(handler)) handlers[eventType].push(handler);
      },
      close() {
        dialogs.delete(dialogId);
        call('closeDialog', { dialogId }).catch(() => {});
      },
    };
    if (isSet('DialogApi', '1.2')) {
      dialog.messageChild = (message, options) => {
        if (typeof message !== 'string') throw argumentError('message');
        call('messageChild', { dialogId, message, targetOrigin: options?.targetOrigin }).catch(() => {});
      };
    }
    return dialog;
  }

  function paneUi(isSet) {
    if (!isSet('DialogApi', '1.1')) return {};
    return {
      displayDialogAsync(startAddress, ...rest) {
        if (typeof startAddress !== 'string') throw argumentError('startAddress');
        const options = rest.find((a) => a && typeof a === 'object');
        const { asyncContext, ...dialogOptions } = options ?? {};
        runAsync(rest, async () => dialogObject((await call('displayDialog', { url: startAddress, options: dialogOptions })).dialogId, isSet));
      },
    };
  }

  function dialogUi(isSet) {
    const ui = {
      messageParent(message, options) {
        if (typeof message !== 'string' && typeof message !== 'boolean') throw argumentError('message');
        call('messageParent', { message, targetOrigin: options?.targetOrigin }).catch((e) => console.error('messageParent', e));
      },
    };
    if (isSet('DialogApi', '1.2')) {
      ui.addHandlerAsync = (eventType, handler, ...rest) => {
        if (eventType !== Office.EventType.DialogParentMessageReceived) throw argumentError('eventType');
        if (typeof handler !== 'function') throw argumentError('handler');
        runAsync(rest, () => { parentHandlers.push(handler); });
      };
    }
    return ui;
  }

  // window.nestedAppAuthBridge (see the header): a relay to the host page, which brokers the tokens.
  function installNestedAppAuthBridge() {
    const listeners = new Set();
    window.nestedAppAuthBridge = Object.freeze({
      postMessage(message) {
        if (typeof message !== 'string') throw new TypeError('nestedAppAuthBridge.postMessage takes a JSON string');
        call('nestedAppAuth', { message }).then((response) => {
          for (const listener of [...listeners]) {
            try { listener(response); } catch (e) { console.error(e); }
          }
        }, (e) => console.error('office.js stand-in: the host refused a nested app auth request', e));
      },
      addEventListener(type, listener) { if (type === 'message' && typeof listener === 'function') listeners.add(listener); },
      removeEventListener(type, listener) { if (type === 'message') listeners.delete(listener); },
    });
  }

  // ---- the Office.context surface, built from the host's snapshot ------------------------

  function isSetSupported(sets) {
    return (name, minVersion) => {
      const max = sets[String(name).toLowerCase()];
      if (max === undefined) return false;
      const [maxMajor, maxMinor = 0] = String(max).split('.').map(Number);
      const [major = 0, minor = 0] = String(minVersion ?? '0').split('.').map(Number);
      return maxMajor > major || (maxMajor === major && maxMinor >= minor);
    };
  }

  const normalize = (subject) => String(subject ?? '').replace(/^(\s*(re|fw|fwd|aw|wg|sv|vs|antw|tr)\s*:\s*)+/i, '');
  function syntheticConversationId(text) { // stable per normalized subject
    let h = 0x811c9dc5;
    for (const c of text) h = Math.imul(h ^ c.codePointAt(0), 0x01000193) >>> 0;
    return `AAQkAGSim${h.toString(16).padStart(8, '0')}AAA=`;
  }

  function convertId(id, restVersion, toRest) {
    if (id === null || id === undefined) throw argumentError('itemId');
    if (!Object.values(Office.MailboxEnums.RestVersion).includes(restVersion)) throw argumentError('restVersion');
    return toRest ? id.replace(/\//g, '-').replace(/\+/g, '_') : id.replace(/-/g, '/').replace(/_/g, '+');
  }

  async function attachmentContent(a) {
    if (!a) throw fail(9003);
    if (a.kind === 'reference') return { format: 'url', content: a.sourceUrl };
    const itemFormat = ITEM_FORMATS[a.itemType ?? 'message'];
    if (a.kind === 'item' && !itemFormat) throw fail(9043);
    const base64 = await call('attachment', { ewsId: a.ewsId });
    if (a.kind !== 'item') return { format: 'base64', content: base64 };
    return { format: itemFormat, content: new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))) };
  }

  const TYPES = { file: 'file', item: 'item', reference: 'cloud' };
  const copy = (value) => (value === undefined ? value : JSON.parse(JSON.stringify(value)));
  const domain = (address) => String(address).split('@').pop().toLowerCase();
  const sender = (p) => p && { emailAddress: p.address, displayName: p.name }; // from/sender: no recipientType (docs)
  const recipients = (s, list) => (list ?? []).map((p) => ({ ...sender(p),
    recipientType: domain(p.address) === domain(s.user.emailAddress) ? 'user' : 'externalUser' }));
  const conversationId = (m) => m.conversationId ?? syntheticConversationId(normalize(m.subject).toLowerCase());

  // AttachmentDetails (read) or AttachmentDetailsCompose (compose: no contentType; a cloud file's link in url),
  // and the fixture attachment behind each id for getAttachmentContentAsync.
  function attachmentList(m, compose) {
    const raw = m.attachments ?? [];
    const details = raw.map((a) => {
      const cloud = a.kind === 'reference';
      return {
        id: cloud && !compose ? a.sourceUrl ?? a.ewsId : a.ewsId,
        name: a.name ?? a.subject ?? '',
        ...(!compose && { contentType: a.contentType ?? (a.kind === 'item' ? ITEM_TYPES[a.itemType ?? 'message'] : 'application/octet-stream') }),
        size: a.size ?? 0,
        attachmentType: TYPES[a.kind ?? 'file'],
        isInline: Boolean(a.isInline),
        ...(compose && cloud && { url: a.sourceUrl }),
      };
    });
    return { details, byId: new Map(details.map((d, i) => [d.id, raw[i]])) };
  }

  function bodyOf() {
    return {
      getAsync(coercionType, ...rest) {
        if (coercionType !== 'text' && coercionType !== 'html') throw argumentError('coercionType');
        runAsync(rest, () => call('body', { coercionType }), true);
      },
    };
  }

  // Mailbox 1.8 methods of both modes; an older host (?requirements=Mailbox:1.7) has none of them.
  function addMailbox18(item, isSet, byId) {
    if (!isSet('Mailbox', '1.8')) return item;
    item.getAttachmentContentAsync = (attachmentId, ...rest) => {
      if (typeof attachmentId !== 'string' || !attachmentId) throw argumentError('attachmentId');
      runAsync(rest, () => attachmentContent(byId.get(attachmentId)), true);
    };
    item.getSharedPropertiesAsync = (...rest) => runAsync(rest, () => call('sharedProperties'), true);
    return item;
  }

  function readItem(s, isSet) {
    const m = s.message;
    const { details, byId } = attachmentList(m, false);
    const created = new Date(m.receivedDateTime ?? m.sentDateTime);
    return addMailbox18({
      itemType: 'message', itemClass: 'IPM.Note', itemId: m.ewsId, internetMessageId: m.internetMessageId,
      subject: m.subject ?? '', normalizedSubject: normalize(m.subject), conversationId: conversationId(m),
      from: sender(m.from), sender: sender(m.sender ?? m.from),
      to: recipients(s, m.to), cc: recipients(s, m.cc),
      dateTimeCreated: created, dateTimeModified: new Date(created), attachments: details, body: bodyOf(),
    }, isSet, byId);
  }

  // MessageCompose: only itemType and conversationId are plain properties; the rest is read with async calls.
  // No itemId (getItemIdAsync), no attachments (getAttachmentsAsync).
  function composeItem(s, isSet) {
    const m = s.message;
    const { details, byId } = attachmentList(m, true);
    const field = (read) => ({ getAsync: (...rest) => runAsync(rest, () => copy(read()), true) });
    let subject = m.subject ?? '';
    const item = {
      itemType: 'message', conversationId: conversationId(m),
      subject: {
        ...field(() => subject),
        setAsync(value, ...rest) {
          if (typeof value !== 'string' || value.length > 255) throw argumentError('subject'); // docs: at most 255
          runAsync(rest, () => { subject = value; });
        },
      },
      to: field(() => recipients(s, m.to)), cc: field(() => recipients(s, m.cc)), bcc: field(() => recipients(s, m.bcc)),
      body: bodyOf(),
    };
    if (isSet('Mailbox', '1.3')) item.saveAsync = (...rest) => runAsync(rest, () => call('save'));
    if (isSet('Mailbox', '1.7')) item.from = field(() => sender({ name: s.user.displayName, address: s.user.emailAddress }));
    if (isSet('Mailbox', '1.8')) {
      item.getAttachmentsAsync = (...rest) => runAsync(rest, () => copy(details), true);
      item.getItemIdAsync = (...rest) => runAsync(rest, () => call('itemId'), true); // 9046 ItemNotSaved until saved
    }
    return addMailbox18(item, isSet, byId);
  }

  function roamingSettings(initial) {
    const data = Object.assign(Object.create(null), JSON.parse(JSON.stringify(initial ?? {})));
    const key = (name) => { if (typeof name !== 'string' || !name) throw argumentError('name'); return name; };
    return {
      get: (name) => data[key(name)],
      set: (name, value) => { data[key(name)] = value; },
      remove: (name) => { delete data[key(name)]; },
      saveAsync: (...rest) => runAsync(rest, async () => {
        const json = JSON.stringify(data);
        if (new TextEncoder().encode(json).length > ROAMING_LIMIT) throw fail(9057);
        await call('saveRoaming', { settings: JSON.parse(json) });
      }),
    };
  }

  const ITEM_BUILDERS = { read: readItem, compose: composeItem };

  function dialogContext(s) { // a dialog may use messageParent and isSetSupported only: no mailbox
    const isSet = isSetSupported(s.requirements);
    return {
      host: Office.HostType.Outlook, platform: Office.PlatformType.OfficeOnline, contentLanguage: 'en-US', displayLanguage: 'en-US',
      diagnostics: { host: Office.HostType.Outlook, platform: Office.PlatformType.OfficeOnline, version: s.hostVersion },
      requirements: { isSetSupported: isSet }, ui: dialogUi(isSet),
    };
  }

  function buildContext(s) {
    if (s.dialog) return dialogContext(s);
    if (!ITEM_BUILDERS[s.mode]) throw new Error(`office.js stand-in: mode "${s.mode}" is not simulated yet`);
    const isSet = isSetSupported(s.requirements);
    return {
      host: Office.HostType.Outlook, platform: Office.PlatformType.OfficeOnline,
      contentLanguage: 'en-US', displayLanguage: 'en-US',
      diagnostics: { host: Office.HostType.Outlook, platform: Office.PlatformType.OfficeOnline, version: s.hostVersion },
      requirements: { isSetSupported: isSet },
      ui: paneUi(isSet),
      roamingSettings: roamingSettings(s.roaming),
      mailbox: {
        item: ITEM_BUILDERS[s.mode](s, isSet),
        userProfile: { displayName: s.user.displayName, emailAddress: s.user.emailAddress, timeZone: 'UTC', accountType: 'enterprise' },
        diagnostics: { hostName: 'OutlookWebApp', hostVersion: s.hostVersion, OWAView: 'ThreeColumns' },
        convertToRestId: (id, restVersion) => convertId(id, restVersion, true),
        convertToEwsId: (id, restVersion) => convertId(id, restVersion, false),
      },
    };
  }

  // ---- start-up ------------------------------------------------------------------------------

  let resolveReady, settled = false, helloTimer;
  const ready = new Promise((resolve) => { resolveReady = resolve; });
  const domReady = document.readyState === 'loading'
    ? new Promise((resolve) => document.addEventListener('DOMContentLoaded', resolve, { once: true })) : Promise.resolve();

  async function becomeReady(snapshot) {
    if (settled) return;
    settled = true;
    clearTimeout(helloTimer);
    await domReady; // lets the pane's own scripts assign Office.initialize first
    Office.context = snapshot ? buildContext(snapshot) : { mailbox: undefined, requirements: { isSetSupported: () => false } };
    if (snapshot && !snapshot.dialog && Office.context.requirements.isSetSupported('NestedAppAuth', '1.1')) installNestedAppAuthBridge();
    if (snapshot && typeof Office.initialize === 'function') {
      try { Office.initialize(Office.InitializationReason.DocumentOpened); } catch (e) { console.error(e); }
    }
    resolveReady(snapshot ? { host: Office.HostType.Outlook, platform: Office.PlatformType.OfficeOnline } : { host: null, platform: null });
  }

  if (!hostWindow) becomeReady(null);
  else {
    post({ type: 'hello' });
    helloTimer = setTimeout(() => becomeReady(null), HELLO_TIMEOUT_MS);
  }
})();
