// Office.js -> plain data and Promises. Nothing here decides anything: it reads the
// open email (read or compose), what the host can do, and the per-user settings, and
// hands them over as they are.

const SETTINGS_KEY = "setup";

/** Resolves when Office.js is ready; `true` inside Outlook (an email may or may not be
 * open: a pinned pane with nothing selected, or several emails selected, has none). */
export async function officeReady() {
  if (typeof Office === "undefined") return false;
  await Office.onReady();
  return Boolean(Office.context?.mailbox);
}

/** An Office async call as a Promise of its value. */
function call(start) {
  return new Promise((resolve, reject) => {
    start((result) => {
      if (result.status === Office.AsyncResultStatus.Succeeded) resolve(result.value);
      else {
        const error = new Error(`Outlook: ${result.error?.message ?? "request failed"} (${result.error?.code ?? "?"})`);
        error.code = result.error?.code;
        reject(error);
      }
    });
  });
}

const supports = (set, version) => Boolean(Office.context.requirements?.isSetSupported(set, version));

function address(details) {
  return { name: details?.displayName ?? "", address: details?.emailAddress ?? "" };
}

/** The mailbox an item lives in when Outlook says it is shared or delegated, else null
 * (the user's own: Graph's /me). Real Office.js defines getSharedPropertiesAsync only on
 * items opened from a shared folder or mailbox; Microsoft's sample expects it to fail on
 * the user's own; new Outlook sometimes lacks it even on shared items, which /me then
 * answers with 404 and the core reads such an item through Outlook. */
async function sharedMailbox(item) {
  if (typeof item.getSharedPropertiesAsync !== "function") return null;
  try {
    return (await call((cb) => item.getSharedPropertiesAsync(cb)))?.targetMailbox || null;
  } catch {
    return null;
  }
}

/** Content Outlook hands over itself, bound to one item: a pinned pane may show
 * another email by the time a save reads, and nothing may be read from that one.
 * `readAttachment` is Mailbox 1.8 (`{format, content}`); `readEmailFile`, the whole
 * message as base64 MIME, is Mailbox 1.14 (`getAsFileAsync`) where the host has it. */
export function readerFor(item) {
  return {
    readAttachment: (officeId) => call((cb) => item.getAttachmentContentAsync(officeId, cb)),
    readEmailFile: typeof item.getAsFileAsync === "function"
      ? async () => ({ format: "base64", content: await call((cb) => item.getAsFileAsync(cb)) })
      : undefined,
  };
}

/** The email open now, as plain data for the core and a reader bound to it; null when
 * nothing is selected. */
export async function readCurrent() {
  const officeItem = Office.context.mailbox.item;
  if (!officeItem) return null;
  return { data: await readItem(officeItem), reader: readerFor(officeItem) };
}

/** Several emails selected (Mailbox 1.13, SupportsMultiSelect): their summaries
 * `[{itemId, subject, ...}]`, or null where the host has no multiple selection. */
export async function selectedItems() {
  const mailbox = Office.context.mailbox;
  if (!supports("Mailbox", "1.13") || typeof mailbox.getSelectedItemsAsync !== "function") return null;
  return call((cb) => mailbox.getSelectedItemsAsync(cb));
}

/** Reads one selected email by its id (Mailbox 1.15 loadItemByIdAsync: one loaded at
 * a time), runs `use({data, reader})`, then unloads it whatever happened. */
export async function withLoadedItem(itemId, use) {
  const loaded = await call((cb) => Office.context.mailbox.loadItemByIdAsync(itemId, cb));
  try {
    return await use({ data: await readItem(loaded), reader: readerFor(loaded) });
  } finally {
    await call((cb) => loaded.unloadAsync(cb)).catch(() => {});
  }
}

/** Whether several emails can be read one by one (Mailbox 1.15). */
export function canLoadItems() {
  return supports("Mailbox", "1.15") && typeof Office.context.mailbox.loadItemByIdAsync === "function";
}

/** Calls `handler` when the selection of several emails changes. */
export function onSelectionChanged(handler) {
  const mailbox = Office.context.mailbox;
  if (!supports("Mailbox", "1.13") || typeof mailbox?.addHandlerAsync !== "function") return;
  mailbox.addHandlerAsync(Office.EventType.SelectedItemsChanged, () => handler());
}

/** Calls `handler` when the user selects another email while the pane stays pinned
 * (Office.EventType.ItemChanged; `Office.context.mailbox.item` may then be null). */
export function onItemChanged(handler) {
  const mailbox = Office.context.mailbox;
  if (typeof mailbox?.addHandlerAsync !== "function") return;
  mailbox.addHandlerAsync(Office.EventType.ItemChanged, () => handler());
}

function canReadContent(item) {
  return supports("Mailbox", "1.8") && typeof item.getAttachmentContentAsync === "function";
}

/** Classic Outlook on Windows and Mac name a draft's attachments by their position
 * ("0", "1", ...), which Graph does not know (AttachmentDetailsCompose.id). */
const isIndexId = (id) => /^\d+$/.test(String(id));

async function attachmentsOf(item, list, toRest, compose = false) {
  const hostContent = canReadContent(item);
  const reader = readerFor(item);
  return Promise.all(
    list.map(async (a) => {
      let url = null;
      if (a.attachmentType === "cloud") {
        url = hostContent ? (await reader.readAttachment(a.id).catch(() => null))?.content ?? null : null;
        if (!url && /^https:\/\//i.test(a.id)) url = a.id;
      }
      const byPosition = compose && isIndexId(a.id);
      return {
        id: byPosition ? `position-${a.id}` : toRest(a.id),
        hostOnly: byPosition,
        officeId: a.id,
        name: a.name ?? "",
        contentType: a.contentType ?? "",
        size: a.size ?? 0,
        kind: a.attachmentType,
        isInline: Boolean(a.isInline),
        url,
      };
    }),
  );
}

/** An email as plain data, with its ids converted for Microsoft Graph (Outlook on iOS
 * and Android has no convertToRestId: its ids are REST ids already). */
async function readItem(item) {
  const mailbox = Office.context.mailbox;
  const toRest = typeof mailbox.convertToRestId === "function"
    ? (id) => mailbox.convertToRestId(id, Office.MailboxEnums.RestVersion.v2_0)
    : (id) => id;
  const common = {
    userAddress: mailbox.userProfile?.emailAddress ?? "",
    sharedMailbox: await sharedMailbox(item),
    hostContent: canReadContent(item),
    bodyText: await call((cb) => item.body.getAsync(Office.CoercionType.Text, cb)),
  };
  if (typeof item.subject?.getAsync === "function") return { ...common, ...(await readDraft(item, toRest)) };
  return {
    ...common,
    mode: "read",
    restId: toRest(item.itemId),
    subject: item.subject ?? "",
    from: address(item.from ?? item.sender),
    to: (item.to ?? []).map(address),
    cc: (item.cc ?? []).map(address),
    date: new Date(item.dateTimeCreated ?? Date.now()).toISOString(),
    internetMessageId: item.internetMessageId ?? "",
    attachments: await attachmentsOf(item, item.attachments ?? [], toRest),
  };
}

/** A message being written: saved first, so it has an id Graph can find once it syncs. */
async function readDraft(item, toRest) {
  const itemId = await call((cb) => item.saveAsync(cb));
  const from = typeof item.from?.getAsync === "function"
    ? address(await call((cb) => item.from.getAsync(cb)))
    : address(Office.context.mailbox.userProfile);
  const recipients = async (field) => (field ? (await call((cb) => field.getAsync(cb))).map(address) : []);
  return {
    mode: "compose",
    restId: toRest(itemId),
    subject: await call((cb) => item.subject.getAsync(cb)),
    from,
    to: await recipients(item.to),
    cc: await recipients(item.cc),
    date: new Date().toISOString(),
    internetMessageId: "",
    // Listing a draft's attachments needs Mailbox 1.8.
    ...(typeof item.getAttachmentsAsync === "function"
      ? { attachments: await attachmentsOf(item, await call((cb) => item.getAttachmentsAsync(cb)), toRest, true) }
      : { attachments: [], hostNotice: "This version of Outlook cannot show a draft's attachments to add-ins; the email is saved without them." }),
  };
}

/** Setup values saved for this user (roamingSettings: never secrets). */
export function loadSettings() {
  return Office.context.roamingSettings.get(SETTINGS_KEY) ?? {};
}

export function saveSettings(values) {
  Office.context.roamingSettings.set(SETTINGS_KEY, values);
  return call((cb) => Office.context.roamingSettings.saveAsync(cb));
}

/** The iMIS user name last signed in with (not a secret: it fills the sign-in form). */
export function rememberedImisUser() {
  return Office.context.roamingSettings.get("imisUser") ?? "";
}

export function rememberImisUser(name) {
  if (rememberedImisUser() === name) return Promise.resolve();
  Office.context.roamingSettings.set("imisUser", name);
  return call((cb) => Office.context.roamingSettings.saveAsync(cb)).catch(() => {});
}

/** The Office theme's colours (Mailbox 1.14, not on mobile), or null. */
export function officeTheme() {
  return Office.context.officeTheme ?? null;
}

/** Calls `handler(officeTheme)` when the user changes Office's theme, where the host can. */
export function onThemeChanged(handler) {
  const mailbox = Office.context.mailbox;
  if (!supports("Mailbox", "1.14") || !Office.EventType?.OfficeThemeChanged) return;
  try {
    mailbox.addHandlerAsync(Office.EventType.OfficeThemeChanged, (args) => handler(args.officeTheme), () => {});
  } catch {
    // Hosts without the event throw; the pane keeps the theme it started with.
  }
}
