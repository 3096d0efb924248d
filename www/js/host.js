// Office.js -> plain data and Promises. Nothing here decides anything: it reads the
// open email (read or compose), what the host can do, and the per-user settings, and
// hands them over as they are.

const SETTINGS_KEY = "setup";

/** Resolves when Office.js is ready; `true` when a mailbox item is open. */
export async function officeReady() {
  if (typeof Office === "undefined") return false;
  await Office.onReady();
  return Boolean(Office.context?.mailbox?.item);
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

/** The mailbox an item lives in when it is shared or delegated; `unknown` when the host cannot tell. */
async function sharedMailbox(item) {
  if (typeof item.getSharedPropertiesAsync !== "function") return { sharedMailbox: null, mailboxUnknown: true };
  try {
    const props = await call((cb) => item.getSharedPropertiesAsync(cb));
    return { sharedMailbox: props?.targetMailbox || null, mailboxUnknown: false };
  } catch {
    // Fails for an item in the user's own mailbox.
    return { sharedMailbox: null, mailboxUnknown: false };
  }
}

/** Attachment content from Outlook itself: `{format, content}` (Mailbox 1.8). */
export function readAttachment(officeId) {
  return call((cb) => Office.context.mailbox.item.getAttachmentContentAsync(officeId, cb));
}

function canReadContent(item) {
  return supports("Mailbox", "1.8") && typeof item.getAttachmentContentAsync === "function";
}

async function attachmentsOf(item, list, toRest) {
  const hostContent = canReadContent(item);
  return Promise.all(
    list.map(async (a) => {
      let url = null;
      if (a.attachmentType === "cloud") {
        url = hostContent ? (await readAttachment(a.id).catch(() => null))?.content ?? null : null;
        if (!url && /^https:\/\//i.test(a.id)) url = a.id;
      }
      return {
        id: toRest(a.id),
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

/** The open email, with its ids converted for Microsoft Graph. */
export async function readItem() {
  const mailbox = Office.context.mailbox;
  const item = mailbox.item;
  const toRest = (id) => mailbox.convertToRestId(id, Office.MailboxEnums.RestVersion.v2_0);
  const common = {
    userAddress: mailbox.userProfile?.emailAddress ?? "",
    ...(await sharedMailbox(item)),
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
      ? { attachments: await attachmentsOf(item, await call((cb) => item.getAttachmentsAsync(cb)), toRest) }
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
