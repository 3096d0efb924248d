// Office.js -> plain data and Promises. Nothing here decides anything: it reads the
// open email and the per-user settings and hands them over as they are.

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
      else reject(new Error(`Outlook: ${result.error?.message ?? "request failed"} (${result.error?.code ?? "?"})`));
    });
  });
}

function address(details) {
  return { name: details?.displayName ?? "", address: details?.emailAddress ?? "" };
}

/** The open email, with its ids converted for Microsoft Graph. */
export async function readItem() {
  const mailbox = Office.context.mailbox;
  const item = mailbox.item;
  const toRest = (id) => mailbox.convertToRestId(id, Office.MailboxEnums.RestVersion.v2_0);
  const bodyText = await call((cb) => item.body.getAsync(Office.CoercionType.Text, cb));
  return {
    mode: "read",
    restId: toRest(item.itemId),
    sharedMailbox: null,
    subject: item.subject ?? "",
    from: address(item.from ?? item.sender),
    to: (item.to ?? []).map(address),
    cc: (item.cc ?? []).map(address),
    date: new Date(item.dateTimeCreated ?? Date.now()).toISOString(),
    internetMessageId: item.internetMessageId ?? "",
    bodyText,
    attachments: (item.attachments ?? []).map((a) => ({
      id: toRest(a.id),
      name: a.name ?? "",
      contentType: a.contentType ?? "",
      size: a.size ?? 0,
      kind: a.attachmentType,
      isInline: Boolean(a.isInline),
    })),
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
