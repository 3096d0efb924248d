/* office.js stand-in, served by the simulated Outlook host (tests/standins/outlook/server.mjs).
 * The task pane loads it instead of Microsoft's office.js in demo and test builds. It provides the
 * standard Office API surface for Outlook, for a message in read or compose mode, and answers from the host
 * page (its parent). Host page query parameters and test hooks: host.js header.
 *
 * Read mode (Office.MessageRead): itemId, itemType, itemClass, subject, normalizedSubject, conversationId,
 *   internetMessageId, from, sender, to, cc, dateTimeCreated/Modified, attachments, body.getAsync;
 *   getAsFileAsync (Mailbox 1.14) -> the message's .eml, base64.
 * Compose mode (Office.MessageCompose, ?mode=compose on the host page): itemType and conversationId as plain
 *   properties; subject.getAsync/setAsync; to/cc/bcc.getAsync -> EmailAddressDetails[]; body.getAsync;
 *   from.getAsync (Mailbox 1.7) -> the signed-in user; saveAsync (1.3) -> the item's EWS id;
 *   getAttachmentsAsync (1.8) -> AttachmentDetailsCompose[] (no contentType; id: the EWS id, or with ?composeIds=index,
 *   as classic Outlook on Windows and on Mac, the attachment's index "0", "1", ...); getItemIdAsync (1.8) -> Failed 9046
 *   ItemNotSaved until saveAsync has been called once (on this host page), then the EWS id. No itemId, no attachments.
 * Both: getAttachmentContentAsync (1.8: absent when the host claims less) takes the ids the item lists.
 *   getSharedPropertiesAsync (1.8), by ?sharedProps: "real" (default) defines it only on an item whose mailbox is not
 *   the signed-in user's (shared folder or mailbox) -> {targetMailbox, targetRestUrl, owner, delegatePermissions: Read};
 *   "sample" defines it on every item and fails 9020 on the user's own; "absent" never defines it.
 * An item's calls fail 9030 APICallFailedDueToItemChange once the host has another item selected (or the loaded item
 *   was unloaded). Methods check the permission of ?permission (default ReadWriteItem, this add-in's manifest) and throw
 *   "Elevated permission is required to call the method: '<name>'." below their level.
 * Mailbox (Office.context.mailbox): item (null when nothing or several messages are selected), userProfile,
 *   diagnostics {hostName, hostVersion, OWAView (web only)}, convertToRestId/convertToEwsId (1.3; not on mobile),
 *   addHandlerAsync(eventType, handler, [options], [callback]) / removeHandlerAsync(eventType, [options], [callback])
 *   (1.5) for ItemChanged "olkItemSelectedChanged" (args {type}; mailbox.item is replaced first, and only while a
 *   handler is registered), SelectedItemsChanged "olkSelectedItemsChanged" (1.13; args {type}), OfficeThemeChanged
 *   "officeThemeChanged" (1.14, not mobile; args {type, officeTheme}); getSelectedItemsAsync([options], callback) (1.13,
 *   ReadWriteMailbox) -> SelectedItemDetails[] {itemId, itemMode "Read", itemType "Message", subject, and from 1.14
 *   conversationId, hasAttachment, internetMessageId}; loadItemByIdAsync(itemId, [options], callback) (1.15,
 *   ReadWriteMailbox) -> LoadedMessageRead (the read properties, body.getAsync, getAttachmentContentAsync,
 *   getAsFileAsync, getSharedPropertiesAsync as above, unloadAsync([options], [callback])); one loaded item at a time,
 *   only a selected message (host.js).
 * Office.context.officeTheme (Mailbox 1.14, not mobile): {bodyBackgroundColor, bodyForegroundColor,
 *   controlBackgroundColor, controlForegroundColor}, light or (?theme=dark) dark; no isDarkTheme / themeId (not
 *   supported in Outlook).
 * Mobile (?platform=ios|android): Office.context.diagnostics.platform "iOS" / "Android", mailbox.diagnostics.hostName
 *   "OutlookIOS" / "OutlookAndroid", no convertToRestId/convertToEwsId, no dateTimeModified, no officeTheme, itemId and
 *   attachment ids in REST format; the host claims at most Mailbox 1.5 and DialogApi 1.1 there.
 * Office.context.roamingSettings: get/set/remove/saveAsync; set() throws an Error {name "RoamingSettingsExceededSize",
 *   code 9057} when the settings would pass 32 KB (32768 characters of their serialized JSON) and keeps the old value.
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
 * Office.auth.getAuthContext() (NestedAppAuth 1.1 only) -> Promise<AuthContext> {userObjectId, tenantId,
 *   userPrincipalName, loginHint, authorityType: "aad", authorityBaseUrl: the IdP stand-in's origin}; rejects
 *   {code 13000} without that set or outside Outlook. Office.auth.getAccessToken() (Office SSO) always rejects 13000:
 *   the add-in's manifest has no WebApplicationInfo.
 * Dialogs (DialogApi 1.1; messageChild / DialogParentMessageReceived: 1.2), see host.js for the window itself:
 *   Office.context.ui.displayDialogAsync(startAddress, [options], [callback]) -> AsyncResult value Dialog
 *   {addEventHandler(Office.EventType.DialogMessageReceived | DialogEventReceived, handler), close(),
 *   messageChild(message, [{targetOrigin}])}; failures 12005 (http:), 12004 (not the pane's origin, or not an
 *   absolute URL), 12007 (this pane has a dialog open), 12009 (the user chose Ignore on the host's prompt),
 *   12011 (popup blocked with promptBeforeOpen: false). Handlers get {message, origin, type:
 *   "dialogMessageReceived"} or {error, type: "dialogEventReceived"}: 12002 (the page could not be found or loaded),
 *   12003 (the dialog went to an http: page) -- the dialog stays open --, 12006 (the dialog window was closed).
 *   close() closes the window without an event. In the dialog window this same script (its opener is the
 *   host page) gives Office.onReady / Office.initialize, Office.context.requirements, and Office.context.ui
 *   {messageParent(message string|boolean, [{targetOrigin}]), addHandlerAsync(DialogParentMessageReceived,
 *   handler -> {message, type})}; no Office.context.mailbox (the dialog may call only messageParent and
 *   isSetSupported: learn.microsoft.com "Best practices and rules for the Office Dialog API"). A dialog that
 *   navigates to another origin and back loads this script again and says hello again; the host answers only
 *   while it is on the add-in's origin.
 *
 * Protocol (window.postMessage; every message is {ns: "office-sim", type, ...}):
 *   pane -> host  {type: "hello", status}                    once, at load; status: the page's HTTP status or null
 *   host -> pane  {type: "snapshot", snapshot: {mode, message, seq, user, roaming, requirements, hostVersion, platform,
 *                 theme, sharedProps, composeIds, permission}}
 *                 message: the Graph stand-in's message without its body, or null (nothing or several selected);
 *                 seq: that item's number (requests name it); user: the signed-in user (mailbox users[0]), whose
 *                 message.mailbox may differ (shared); platform "web" | "ios" | "android"; theme "light" | "dark";
 *                 sharedProps "real" | "sample" | "absent"; composeIds "ews" | "index"; permission 0..3.
 *                 onReady waits for this
 *   pane -> host  {type: "request", id, method, args}
 *                 item calls, args.ref = {seq} (the selected item) or {loaded} (a loaded item): body {ref, coercionType}
 *                 | attachment {ref, ewsId} | sharedProperties {ref} | asFile {ref} -> base64 | check {ref}
 *                 | save {ref} | itemId {ref} (the last two: compose)
 *                 mailbox calls: selectedItems {} -> [message] | loadItem {ewsId} -> {message, loaded}
 *                 | unloadItem {loaded} | saveRoaming {settings} | nestedAppAuth {message} -> response string
 *                 | authContext {} | displayDialog {url, options} -> {dialogId} | closeDialog {dialogId}
 *                 | messageChild {dialogId, message, targetOrigin}
 *   host -> pane  {type: "response", id, value} or {type: "response", id, error: {code, message?}}
 *   host -> pane  {type: "event", eventType: "itemChanged", args: {message, seq}}   (the selected item changed)
 *                 {type: "event", eventType: "selectedItemsChanged", args: {}}     (the selection changed)
 *                 {type: "event", eventType: "officeThemeChanged", args: {theme}}
 *                 {type: "event", dialogId, eventType: "dialogMessageReceived" | "dialogEventReceived", args}
 *   dialog -> host (window.opener)  {type: "hello", status}; {type: "request", id, method: "messageParent",
 *                                   args: {message, targetOrigin}}
 *   host -> dialog  {type: "snapshot", snapshot: {dialog: true, requirements, hostVersion, platform}}; responses;
 *                   {type: "event", eventType: "dialogParentMessageReceived", args: {message, type}}
 * The pane (dialog) only accepts messages from window.parent (window.opener) at the origin this script was
 * served from; the host only accepts messages from the task pane iframe, or from the dialog window it opened,
 * at the pane URL's origin. Outside a host (no parent or opener, or no snapshot within 3 s) onReady gives
 * {host: null, platform: null} and Office.context.mailbox is undefined.
 *
 * Shapes checked against (reference text found with the search tool, and the packages @types/office-js 1.0.612 and
 * @microsoft/office-js 1.1.110, read not copied):
 * - OfficeDev/office-js-docs-reference docs-ref-autogen/outlook_1_13: Office.MessageRead (from/sender
 *   recipientType is undefined; dateTimeCreated/Modified are Dates; getAttachmentContentAsync errors
 *   InvalidAttachmentId, AttachmentTypeNotSupported), EmailAddressDetails, UserProfile, RoamingSettings
 *   (initialized once per pane opening; 32 KB; code 9057 thrown by set()), MailboxEnums.RecipientType / RestVersion;
 *   learn.microsoft.com: AttachmentDetails (a cloud attachment's id is its URL), AttachmentContent /
 *   AttachmentContentFormat, Diagnostics (hostName "OutlookWebApp" and OWAView on the web), ContextInformation
 *   (Office.context.diagnostics: host, platform, version), PlatformType, SharedProperties (targetRestUrl is documented
 *   as the REST base "currently https://outlook.office.com/api", used as targetRestUrl + "/{api_version}/users/"
 *   + targetMailbox: ours is the Graph stand-in's origin, so that with "v1.0" it names the Graph stand-in);
 *   AttachmentDetailsCompose (id: the EWS id on the web and in new Outlook, the index in classic Outlook on Windows
 *   and on Mac; url only for cloud; no contentType); MessageCompose getItemIdAsync (error ItemNotSaved), saveAsync
 *   (value: the item id; in cached mode it errors until synced), subject.setAsync (at most 255 characters),
 *   from.getAsync (no recipientType for the sender, EmailAddressDetails); "Get and set item data in a compose form"
 *   (itemType and conversationId are read directly in compose).
 * - @types/office-js: Mailbox.addHandlerAsync / removeHandlerAsync and their event table (ItemChanged 1.5,
 *   SelectedItemsChanged 1.13, OfficeThemeChanged 1.14), getSelectedItemsAsync (1.13, read/write mailbox, in selection
 *   order), loadItemByIdAsync (1.15, read/write mailbox, one item at a time, same mailbox), LoadedMessageRead,
 *   unloadAsync, SelectedItemDetails, MessageRead.getAsFileAsync (1.14, read item), OfficeTheme (isDarkTheme and
 *   themeId not supported in Outlook), OfficeThemeChangedEventArgs, convertToRestId (not on Android or iOS),
 *   Office.auth.getAuthContext (NestedAppAuth 1.1). learn.microsoft.com "Activate your Outlook add-in on multiple
 *   messages" (one mailbox, at most 100 messages, ReadWriteMailbox), "Outlook JavaScript APIs supported in Outlook on
 *   mobile devices" (up to Mailbox 1.5; officeTheme, convertToEwsId/RestId, dateTimeModified unsupported), OfficeTheme
 *   ("In Outlook ... supported starting in Mailbox requirement set 1.14"; not on iOS or Android).
 * - Microsoft's outlook-web-16.01.debug.js (OfficeDev/office-js dist, @microsoft/office-js 1.1.110): MessageCompose
 *   defines to, cc, bcc, conversationId, from (no itemId, subject string or attachments);
 *   MailboxEnums.DelegatePermissions (Read 1, Write 2, DeleteOwn 4, DeleteAll 8, EditOwn 16, EditAll 32); the Outlook
 *   error table (9002, 9003, 9019, 9020, 9030, 9043, 9046, 9049, 9054) with en-us messages (9019 and 9020 have none
 *   there; ours say what failed); AsyncResult has value and status, asyncContext only when given, error {name,
 *   message, code} only on failure; convertToRestId/convertToEwsId ('/' <-> '-', '+' <-> '_', an invalid restVersion
 *   throws); EmailAddressDetails leaves out unknown fields; addSharedPropertiesSupport (getSharedPropertiesAsync only
 *   when the initial data says isFromSharedFolder); checkPermissionsAndThrow and its message; the ItemChanged
 *   dispatch (item re-initialized, then handlers) and OlkItemSelectedChangedEventArgs {type}; OSF's EventDispatch
 *   (addHandlerAsync of a handler already added fails); the Settings object and saveSettingsRequest's 32 K-character
 *   check (9019); Office.EventType "olkItemSelectedChanged" / "officeThemeChanged"; DialogEventArgs {type, error};
 *   dialog error names and messages (12002 "Network Problem", 12003 "Dialog Navigation Error" / "The URL scheme is not
 *   supported. Use HTTPS instead.").
 * - Microsoft's office.js (OfficeDev/office-js dist/*.debug.js, en-us/office_strings.debug.js): dialog errors are
 *   named "Display Dialog Error" (12002, 12004, 12005, 12007, 12009, 12011) with the messages used here, 13000
 *   "API Not Supported" / "The identity API is not supported for this add-in.", 13001 "No user is signed into
 *   Office."; Office.EventType dialog events; the prompt text "{0} wants to display a new window." Allow / Ignore.
 * - learn.microsoft.com: Office.AuthContext (authorityType "aad" | "msa" | "other"), Office.DialogOptions
 *   (height/width %, promptBeforeOpen, displayInIframe), "Handle errors and events in the Office dialog box".
 * Not verified (strictest plausible choices): Office.initialize's reason, conversationId's format (synthesized when the
 *   message has none), contentType of item attachments (by itemType), the ids Outlook gives cloud attachments in
 *   compose (ours: the EWS id, or the index), what subject.setAsync does past 255 characters (the docs name an async
 *   DataExceedsMaximumSize error; ours throws), delegatePermissions in a shared mailbox (ours: Read), whether Outlook
 *   before Mailbox 1.13 fails getSharedPropertiesAsync for a shared mailbox (not modelled), the SelectedItemsChanged
 *   value and its args ({type} only), SelectedItemDetails.itemType's value ("Message"), hasAttachment counting only
 *   non-inline attachments, error codes of a second loadItemByIdAsync (9020), of an unknown or unselected id (9049) and
 *   of a duplicate addHandlerAsync (5001), the theme colours, attachment ids on mobile (REST), mailbox.item and
 *   officeTheme staying stale without a registered handler, events before onReady being dropped.
 *   Not verified either: whether real Office hands bridge responses to listeners as strings or as {data}, and what it
 *   answers for a host error (ours: BridgeErrors, see host.js).
 * Not provided yet: appointments, recipients/body setAsync and addAsync, LoadedMessageCompose, dialogs in an iframe
 *   (displayInIframe is ignored: always a window), messageParent from a page on another domain (AppDomains).
 */
(function () {
  'use strict';
  const NS = 'office-sim';
  if (!document.currentScript) throw new Error('office.js stand-in: load it with a classic <script src>');
  const HOST_ORIGIN = new URL(document.currentScript.src).origin;
  const HELLO_TIMEOUT_MS = 3000;
  // Settings.saveAsync in @microsoft/office-js 1.1.110 outlook-web-16.01.debug.js: settingsMaxNumberOfCharacters, measured
  // on JSON.stringify of the serialized settings (each value JSON-encoded again by OSF.OUtil.serializeSettings).
  const ROAMING_LIMIT = 32 * 1024;
  const ITEM_FORMATS = { message: 'eml', event: 'iCalendar' }; // other item types: AttachmentTypeNotSupported
  const ITEM_TYPES = { message: 'message/rfc822', event: 'text/calendar', contact: 'text/vcard' };
  // Permission levels as checkPermissionsAndThrow compares them (outlook-web-16.01.debug.js): restricted 0, read item 1,
  // read/write item 2, read/write mailbox 3; each method's level from @types/office-js "Minimum permission level".
  const READ_ITEM = 1, READ_WRITE_ITEM = 2, READ_WRITE_MAILBOX = 3;
  const ERRORS = {
    5001: ['Event Registration Error', 'Failed to add the event handler.'],
    9002: ['InternalFormatError', 'There was an internal format error.'],
    9003: ['InvalidAttachmentId', 'The attachment ID was invalid.'],
    9019: ['GenericSettingsError', 'The settings could not be saved.'],
    9020: ['GenericResponseError', 'The host could not answer the request.'],
    9030: ['APICallFailedDueToItemChange', 'The selected item has been changed.'],
    9043: ['AttachmentTypeNotSupported', 'The attachment type is not supported.'],
    9046: ['ItemNotSaved', "The id can't be retrieved until the item is saved."],
    9049: ['ItemNotFound', 'The item does not exist or has not been created.'],
    9054: ['AttachmentDownloadFailed', 'Downloading the attachment failed.'],
    9057: ['RoamingSettingsExceededSize', "Invalid parameter size. Roaming settings can't exceed the 32 KB size limit."],
    12002: ['Display Dialog Error', 'Network Problem'],
    12003: ['Dialog Navigation Error', 'The URL scheme is not supported. Use HTTPS instead.'],
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
  // Office.EventType values of the mailbox events: outlook-web-16.01.debug.js augmentList (ItemChanged "olkItemSelectedChanged",
  // OfficeThemeChanged "officeThemeChanged"); SelectedItemsChanged is not in the published builds: ours follows the "olk" pattern.
  const MAILBOX_EVENTS = { ItemChanged: 'olkItemSelectedChanged', SelectedItemsChanged: 'olkSelectedItemsChanged',
    OfficeThemeChanged: 'officeThemeChanged' };
  // Office.OfficeTheme: four "#rrggbb" colours (OSF.OUtil.convertIntToCssHexColor writes lower case). The values themselves
  // are not published; these are Outlook's light and dark surfaces as they look.
  const THEMES = {
    light: { bodyBackgroundColor: '#ffffff', bodyForegroundColor: '#242424', controlBackgroundColor: '#ffffff', controlForegroundColor: '#242424' },
    dark: { bodyBackgroundColor: '#292929', bodyForegroundColor: '#ffffff', controlBackgroundColor: '#1f1f1f', controlForegroundColor: '#ffffff' },
  };
  // ?platform= on the host page -> [Office.PlatformType, Office.context.mailbox.diagnostics.hostName] (Diagnostics docs;
  // OSF.AppName OutlookWebApp / OutlookIOS / OutlookAndroid).
  const PLATFORMS = { web: ['OfficeOnline', 'OutlookWebApp'], ios: ['iOS', 'OutlookIOS'], android: ['Android', 'OutlookAndroid'] };

  const Office = {
    AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
    CoercionType: { Text: 'text', Html: 'html', Matrix: 'matrix', Table: 'table', Ooxml: 'ooxml',
      SlideRange: 'slideRange', Image: 'image', XmlSvg: 'xmlSvg' },
    HostType: { Word: 'Word', Excel: 'Excel', PowerPoint: 'PowerPoint', Outlook: 'Outlook', OneNote: 'OneNote',
      Project: 'Project', Access: 'Access' },
    PlatformType: { PC: 'PC', OfficeOnline: 'OfficeOnline', Mac: 'Mac', iOS: 'iOS', Android: 'Android', Universal: 'Universal' },
    InitializationReason: { Inserted: 'inserted', DocumentOpened: 'documentOpened' },
    EventType: { DialogMessageReceived: 'dialogMessageReceived', DialogEventReceived: 'dialogEventReceived',
      DialogParentMessageReceived: 'dialogParentMessageReceived', ...MAILBOX_EVENTS },
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
      // Office.auth.getAuthContext: requirement set NestedAppAuth 1.1 only (@types/office-js; not IdentityAPI).
      getAuthContext: () => ready.then(() => {
        if (!Office.context.mailbox || !Office.context.requirements.isSetSupported('NestedAppAuth', '1.1')) throw fail(13000);
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

  // checkPermissionsAndThrow (outlook-web-16.01.debug.js): a synchronous Error, l_ElevatedPermissionNeededForMethod_Text.
  function need(level, name) {
    if (S.permission < level) throw new Error(`Elevated permission is required to call the method: '${name}'.`);
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
    if (msg.type === 'event' && settled) onHostEvent(msg);
    if (msg.type === 'response' && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(msg.error); else resolve(msg.value);
    }
  });

  // ---- host events: dialogs, selection, theme -------------------------------------------------

  const dialogs = new Map(); // dialogId -> {dialogMessageReceived: [handlers], dialogEventReceived: [...]}
  const parentHandlers = []; // in a dialog: DialogParentMessageReceived handlers
  const mailboxHandlers = Object.fromEntries(Object.values(MAILBOX_EVENTS).map((t) => [t, []]));
  const fire = (handlers, args) => handlers.forEach((h) => setTimeout(h, 0, args));

  function onHostEvent(msg) {
    if (msg.eventType === 'dialogParentMessageReceived') return fire(parentHandlers, msg.args);
    if (!S && ['itemChanged', 'selectedItemsChanged', 'officeThemeChanged'].includes(msg.eventType)) return; // before ready
    if (msg.eventType === 'itemChanged') return itemChanged(msg.args);
    if (msg.eventType === 'selectedItemsChanged') {
      return fire(mailboxHandlers[MAILBOX_EVENTS.SelectedItemsChanged], { type: MAILBOX_EVENTS.SelectedItemsChanged });
    }
    if (msg.eventType === 'officeThemeChanged') return themeChanged(msg.args.theme);
    const handlers = dialogs.get(msg.dialogId);
    if (!handlers || !DIALOG_EVENTS.includes(msg.eventType)) return;
    // 12006: the window is gone and the dialog with it; after 12002 / 12003 it stays open until the add-in closes it.
    if (msg.eventType === 'dialogEventReceived' && msg.args?.error === 12006) dialogs.delete(msg.dialogId);
    fire(handlers[msg.eventType], msg.args);
  }

  // ItemChanged: OSF's dispatch re-initializes the item (target.initialize(initialData)) and then calls the handlers
  // (outlook-web-16.01.debug.js, EventType.ItemChanged case). The host only delivers events the pane registered for
  // (OSF registers with the host on the first addHandlerAsync), so with no ItemChanged handler mailbox.item stays the
  // old item, whose calls then fail 9030.
  function itemChanged({ message, seq }) {
    const handlers = mailboxHandlers[MAILBOX_EVENTS.ItemChanged];
    if (!handlers.length) return;
    S.message = message;
    S.seq = seq;
    Office.context.mailbox.item = message ? ITEM_BUILDERS[S.mode](message, { seq }) : null;
    fire(handlers, { type: MAILBOX_EVENTS.ItemChanged });
  }

  // OfficeThemeChangedEventArgs {type, officeTheme} (Mailbox 1.14). Like the item, Office.context.officeTheme follows the
  // host only through registered events (strict: not verified).
  function themeChanged(theme) {
    const handlers = mailboxHandlers[MAILBOX_EVENTS.OfficeThemeChanged];
    if (!handlers.length || !THEMES[theme]) return;
    S.theme = theme;
    fire(handlers, { type: MAILBOX_EVENTS.OfficeThemeChanged, officeTheme: { ...THEMES[theme] } });
  }

  function dialogObject(dialogId) {
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

  function paneUi() {
    if (!isSet('DialogApi', '1.1')) return {};
    return {
      displayDialogAsync(startAddress, ...rest) {
        if (typeof startAddress !== 'string') throw argumentError('startAddress');
        const options = rest.find((a) => a && typeof a === 'object');
        const { asyncContext, ...dialogOptions } = options ?? {};
        runAsync(rest, async () => dialogObject((await call('displayDialog', { url: startAddress, options: dialogOptions })).dialogId));
      },
    };
  }

  function dialogUi() {
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

  let S = null; // the host's snapshot, kept current by the events above
  let isSet = () => false;

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

  const toRest = (id) => id.replace(/\//g, '-').replace(/\+/g, '_');
  function convertId(id, restVersion, toRestFormat) {
    if (id === null || id === undefined) throw argumentError('itemId');
    if (!Object.values(Office.MailboxEnums.RestVersion).includes(restVersion)) throw argumentError('restVersion');
    return toRestFormat ? toRest(id) : id.replace(/-/g, '/').replace(/_/g, '+');
  }

  const mobile = () => S.platform !== 'web';
  const TYPES = { file: 'file', item: 'item', reference: 'cloud' };
  const copy = (value) => (value === undefined ? value : JSON.parse(JSON.stringify(value)));
  const same = (a, b) => String(a ?? '').toLowerCase() === String(b ?? '').toLowerCase();
  const domain = (address) => String(address).split('@').pop().toLowerCase();
  const sender = (p) => p && { emailAddress: p.address, displayName: p.name }; // from/sender: no recipientType (docs)
  const recipients = (list) => (list ?? []).map((p) => ({ ...sender(p),
    recipientType: domain(p.address) === domain(S.user.emailAddress) ? 'user' : 'externalUser' }));
  const conversationId = (m) => m.conversationId ?? syntheticConversationId(normalize(m.subject).toLowerCase());
  // A message whose mailbox is not the signed-in user's was opened from a shared folder or shared mailbox.
  const isShared = (m) => !same(m.mailbox, S.user.emailAddress);

  async function attachmentContent(a, ref) {
    if (!a) throw fail(9003);
    if (a.kind === 'reference') return { format: 'url', content: a.sourceUrl };
    const itemFormat = ITEM_FORMATS[a.itemType ?? 'message'];
    if (a.kind === 'item' && !itemFormat) throw fail(9043);
    const base64 = await call('attachment', { ref, ewsId: a.ewsId });
    if (a.kind !== 'item') return { format: 'base64', content: base64 };
    return { format: itemFormat, content: new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))) };
  }

  // AttachmentDetails (read) or AttachmentDetailsCompose (compose: no contentType; a cloud file's link in url), and the
  // fixture attachment behind each id for getAttachmentContentAsync. Ids (@types/office-js AttachmentDetails(Compose).id):
  // the EWS id on the web (a cloud attachment's URL in read mode); in compose with ?composeIds=index (classic Outlook on
  // Windows and on Mac) the attachment's index as a string; on mobile the REST id (strict: not documented).
  function attachmentList(m, compose) {
    const raw = m.attachments ?? [];
    const details = raw.map((a, i) => {
      const cloud = a.kind === 'reference';
      const id = compose ? (S.composeIds === 'index' ? String(i) : a.ewsId)
        : cloud ? a.sourceUrl ?? a.ewsId : mobile() ? a.restId ?? toRest(a.ewsId) : a.ewsId;
      return {
        id,
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

  function bodyOf(ref) {
    return {
      getAsync(coercionType, ...rest) {
        if (coercionType !== 'text' && coercionType !== 'html') throw argumentError('coercionType');
        need(READ_ITEM, 'body.getAsync');
        runAsync(rest, () => call('body', { ref, coercionType }), true);
      },
    };
  }

  // getSharedPropertiesAsync (Mailbox 1.8): ?sharedProps=real (default) defines it only on an item from a shared folder or
  // mailbox, as Office.js's addSharedPropertiesSupport does (isFromSharedFolder; office-js#778); =sample defines it on
  // every item and fails it on the user's own (Microsoft's sample assumes that); =absent never (new Outlook, office-js#4619).
  function hasSharedProperties(m) {
    if (S.sharedProps === 'absent') return false;
    return S.sharedProps === 'sample' || isShared(m);
  }

  // Mailbox 1.8 methods of both modes; an older host (?requirements=Mailbox:1.7) has none of them.
  function addMailbox18(item, m, ref, byId) {
    if (!isSet('Mailbox', '1.8')) return item;
    item.getAttachmentContentAsync = (attachmentId, ...rest) => {
      if (typeof attachmentId !== 'string' || !attachmentId) throw argumentError('attachmentId');
      need(READ_ITEM, 'item.getAttachmentContentAsync');
      runAsync(rest, () => attachmentContent(byId.get(attachmentId), ref), true);
    };
    if (hasSharedProperties(m)) {
      item.getSharedPropertiesAsync = (...rest) => {
        need(READ_ITEM, 'item.getSharedPropertiesAsync');
        runAsync(rest, () => call('sharedProperties', { ref }), true);
      };
    }
    return item;
  }

  // MessageRead, or (ref.loaded) LoadedMessageRead: the same properties, body with getAsync only, unloadAsync.
  // On mobile itemId is the REST id and dateTimeModified is absent ("Outlook JavaScript APIs supported in Outlook on mobile").
  function readItem(m, ref) {
    const { details, byId } = attachmentList(m, false);
    const created = new Date(m.receivedDateTime ?? m.sentDateTime);
    const item = {
      itemType: 'message', itemClass: 'IPM.Note', itemId: mobile() ? m.restId ?? toRest(m.ewsId) : m.ewsId,
      internetMessageId: m.internetMessageId, subject: m.subject ?? '', normalizedSubject: normalize(m.subject),
      conversationId: conversationId(m), from: sender(m.from), sender: sender(m.sender ?? m.from),
      to: recipients(m.to), cc: recipients(m.cc), dateTimeCreated: created,
      ...(!mobile() && { dateTimeModified: new Date(created) }),
      attachments: details, body: bodyOf(ref),
    };
    addMailbox18(item, m, ref, byId);
    if (isSet('Mailbox', '1.14')) { // MessageRead.getAsFileAsync: the message as .eml, base64
      item.getAsFileAsync = (...rest) => {
        need(READ_ITEM, 'item.getAsFileAsync');
        runAsync(rest, () => call('asFile', { ref }), true);
      };
    }
    if (ref.loaded !== undefined) item.unloadAsync = (...rest) => runAsync(rest, () => call('unloadItem', { loaded: ref.loaded }));
    return item;
  }

  // MessageCompose: only itemType and conversationId are plain properties; the rest is read with async calls (each asks
  // the host, so that an item no longer selected answers 9030). No itemId (getItemIdAsync), no attachments
  // (getAttachmentsAsync).
  function composeItem(m, ref) {
    const { details, byId } = attachmentList(m, true);
    const field = (name, read) => ({ getAsync: (...rest) => {
      need(READ_ITEM, `${name}.getAsync`);
      runAsync(rest, async () => { await call('check', { ref }); return copy(read()); }, true);
    } });
    let subject = m.subject ?? '';
    const item = {
      itemType: 'message', conversationId: conversationId(m),
      subject: {
        ...field('subject', () => subject),
        setAsync(value, ...rest) {
          if (typeof value !== 'string' || value.length > 255) throw argumentError('subject'); // docs: at most 255
          need(READ_WRITE_ITEM, 'subject.setAsync');
          runAsync(rest, async () => { await call('check', { ref }); subject = value; });
        },
      },
      to: field('to', () => recipients(m.to)), cc: field('cc', () => recipients(m.cc)), bcc: field('bcc', () => recipients(m.bcc)),
      body: bodyOf(ref),
    };
    if (isSet('Mailbox', '1.3')) {
      item.saveAsync = (...rest) => { need(READ_WRITE_ITEM, 'item.saveAsync'); runAsync(rest, () => call('save', { ref })); };
    }
    if (isSet('Mailbox', '1.7')) item.from = field('from', () => sender({ name: S.user.displayName, address: S.user.emailAddress }));
    if (isSet('Mailbox', '1.8')) {
      item.getAttachmentsAsync = (...rest) => {
        need(READ_ITEM, 'item.getAttachmentsAsync');
        runAsync(rest, async () => { await call('check', { ref }); return copy(details); }, true);
      };
      item.getItemIdAsync = (...rest) => { // 9046 ItemNotSaved until saved
        need(READ_ITEM, 'item.getItemIdAsync');
        runAsync(rest, () => call('itemId', { ref }), true);
      };
    }
    return addMailbox18(item, m, ref, byId);
  }

  // Office.RoamingSettings. set() throws 9057 past 32 KB (RoamingSettings docs; the en-us text is Office's
  // l_RoamingSettingsExceededSize_Text) and leaves the settings as they were. saveAsync checks again, as
  // @microsoft/office-js 1.1.110's saveSettingsRequest does, failing 9019: only a value changed after set() can get there.
  function roamingSettings(initial) {
    const data = Object.assign(Object.create(null), JSON.parse(JSON.stringify(initial ?? {})));
    const key = (name) => { if (typeof name !== 'string' || !name) throw argumentError('name'); return name; };
    const size = () => JSON.stringify(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, JSON.stringify(v)]))).length;
    return {
      get: (name) => data[key(name)],
      set: (name, value) => {
        const had = Object.hasOwn(data, key(name)), old = data[name];
        data[name] = value;
        if (size() <= ROAMING_LIMIT) return;
        if (had) data[name] = old; else delete data[name];
        throw Object.assign(new Error(ERRORS[9057][1]), { name: ERRORS[9057][0], code: 9057 });
      },
      remove: (name) => { delete data[key(name)]; },
      saveAsync: (...rest) => runAsync(rest, async () => {
        if (size() > ROAMING_LIMIT) throw fail(9019);
        await call('saveRoaming', { settings: JSON.parse(JSON.stringify(data)) });
      }),
    };
  }

  const ITEM_BUILDERS = { read: readItem, compose: composeItem };

  // SelectedItemDetails (@types/office-js): itemId (EWS), itemMode, itemType, subject (Mailbox 1.13); conversationId,
  // hasAttachment, internetMessageId (1.14). itemType "Message" as the docs write it ("Message is the only supported
  // type"), not MailboxEnums.ItemType.Message (strict: the real value is not published).
  const selectedDetails = (m) => ({
    itemId: m.ewsId, itemMode: 'Read', itemType: 'Message', subject: m.subject ?? '',
    ...(isSet('Mailbox', '1.14') && { conversationId: conversationId(m),
      hasAttachment: (m.attachments ?? []).some((a) => !a.isInline), internetMessageId: m.internetMessageId }),
  });

  // Office.context.mailbox. addHandlerAsync / removeHandlerAsync (Mailbox 1.5): ItemChanged (1.5), SelectedItemsChanged
  // (1.13), OfficeThemeChanged (1.14, not on mobile); another event type throws (OSF verifyAndExtractCall). Adding the same
  // handler twice fails (OSF EventDispatch.addEventHandler returns false; the code, 5001, is ours); removeHandlerAsync
  // removes every handler of the type (Mailbox.removeHandlerAsync has no handler parameter).
  function buildMailbox() {
    const [, hostName] = PLATFORMS[S.platform];
    const mb = {
      item: S.message ? ITEM_BUILDERS[S.mode](S.message, { seq: S.seq }) : null,
      userProfile: { displayName: S.user.displayName, emailAddress: S.user.emailAddress, timeZone: 'UTC', accountType: 'enterprise' },
      diagnostics: { hostName, hostVersion: S.hostVersion, ...(!mobile() && { OWAView: 'ThreeColumns' }) },
    };
    if (!mobile() && isSet('Mailbox', '1.3')) { // not on Android or iOS (@types/office-js convertToRestId)
      mb.convertToRestId = (id, restVersion) => convertId(id, restVersion, true);
      mb.convertToEwsId = (id, restVersion) => convertId(id, restVersion, false);
    }
    if (isSet('Mailbox', '1.5')) {
      const eventList = (eventType) => {
        const ok = eventType === MAILBOX_EVENTS.ItemChanged
          || (eventType === MAILBOX_EVENTS.SelectedItemsChanged && isSet('Mailbox', '1.13'))
          || (eventType === MAILBOX_EVENTS.OfficeThemeChanged && isSet('Mailbox', '1.14') && !mobile());
        if (!ok) throw argumentError('eventType');
        return mailboxHandlers[eventType];
      };
      mb.addHandlerAsync = (eventType, handler, ...rest) => {
        const list = eventList(eventType);
        if (typeof handler !== 'function') throw argumentError('handler');
        need(READ_ITEM, 'mailbox.addHandlerAsync');
        runAsync(rest, () => { if (list.includes(handler)) throw fail(5001); list.push(handler); });
      };
      mb.removeHandlerAsync = (eventType, ...rest) => {
        const list = eventList(eventType);
        runAsync(rest, () => { list.length = 0; });
      };
    }
    if (isSet('Mailbox', '1.13')) { // read/write mailbox; the selection in the order the messages were selected
      mb.getSelectedItemsAsync = (...rest) => {
        need(READ_WRITE_MAILBOX, 'mailbox.getSelectedItemsAsync');
        runAsync(rest, async () => (await call('selectedItems')).map(selectedDetails), true);
      };
    }
    if (isSet('Mailbox', '1.15')) { // read/write mailbox; one loaded item at a time (host.js)
      mb.loadItemByIdAsync = (itemId, ...rest) => {
        if (typeof itemId !== 'string' || !itemId) throw argumentError('itemId');
        need(READ_WRITE_MAILBOX, 'mailbox.loadItemByIdAsync');
        runAsync(rest, async () => {
          const { message, loaded } = await call('loadItem', { ewsId: itemId });
          return readItem(message, { loaded });
        }, true);
      };
    }
    return mb;
  }

  function dialogContext(s) { // a dialog may use messageParent and isSetSupported only: no mailbox
    const [platform] = PLATFORMS[s.platform ?? 'web'];
    return {
      host: Office.HostType.Outlook, platform, contentLanguage: 'en-US', displayLanguage: 'en-US',
      diagnostics: { host: Office.HostType.Outlook, platform, version: s.hostVersion },
      requirements: { isSetSupported: isSet }, ui: dialogUi(),
    };
  }

  function buildContext(s) {
    isSet = isSetSupported(s.requirements);
    if (s.dialog) return dialogContext(s);
    if (!ITEM_BUILDERS[s.mode]) throw new Error(`office.js stand-in: mode "${s.mode}" is not simulated yet`);
    S = { ...s };
    const [platform] = PLATFORMS[S.platform];
    const context = {
      host: Office.HostType.Outlook, platform,
      contentLanguage: 'en-US', displayLanguage: 'en-US',
      diagnostics: { host: Office.HostType.Outlook, platform, version: S.hostVersion },
      requirements: { isSetSupported: isSet },
      ui: paneUi(),
      roamingSettings: roamingSettings(S.roaming),
      mailbox: buildMailbox(),
    };
    // Office.context.officeTheme: Outlook from Mailbox 1.14, not on Android or iOS (OfficeTheme docs); a getter, as OSF's.
    if (isSet('Mailbox', '1.14') && !mobile()) {
      Object.defineProperty(context, 'officeTheme', { enumerable: true, get: () => ({ ...THEMES[S.theme] }) });
    }
    return context;
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
    if (snapshot && !snapshot.dialog && isSet('NestedAppAuth', '1.1')) installNestedAppAuthBridge();
    if (snapshot && typeof Office.initialize === 'function') {
      try { Office.initialize(Office.InitializationReason.DocumentOpened); } catch (e) { console.error(e); }
    }
    resolveReady(snapshot ? { host: Office.HostType.Outlook, platform: Office.context.platform } : { host: null, platform: null });
  }

  // The page's HTTP status travels with the hello, so that the host can tell a dialog that landed on an error page (12002).
  const navigationStatus = () => performance.getEntriesByType?.('navigation')?.[0]?.responseStatus ?? null;
  if (!hostWindow) becomeReady(null);
  else {
    post({ type: 'hello', status: navigationStatus() });
    helloTimer = setTimeout(() => becomeReady(null), HELLO_TIMEOUT_MS);
  }
})();
