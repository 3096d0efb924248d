// The view: renders state with textContent only (everything from an email is
// untrusted) and reports what the user did. No business rules here.

const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

export function show(id, visible = true) {
  $(id).hidden = !visible;
}

export function status(text) {
  $("status").textContent = text;
}

export function error(text) {
  $("error").textContent = text ?? "";
  $("error").hidden = !text;
}

export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

// Setup

export function fillSetup(values) {
  for (const input of $("setup").elements) {
    if (!input.name) continue;
    if (input.type === "checkbox") {
      input.checked = input.dataset.default === "true" ? values[input.name] !== "false" : values[input.name] === "true";
    }
    else input.value = values[input.name] ?? "";
  }
  setupErrors([]);
}

/** Every field as a string (checkboxes "true" or ""), as the core reads them. */
export function readSetup() {
  const values = {};
  for (const input of $("setup").elements) {
    if (!input.name) continue;
    const off = input.dataset.default === "true" ? "false" : "";
    values[input.name] = input.type === "checkbox" ? (input.checked ? "true" : off) : input.value.trim();
  }
  return values;
}

export function setupErrors(fields) {
  fieldErrors($("setup"), fields);
}

/** Setup's Test configuration: one line per check, with what to do when it failed. */
export function clearChecks() {
  $("checks").replaceChildren();
  delete $("checks").dataset.done;
}

export function checksDone() {
  $("checks").dataset.done = "true";
}

export function addCheck(check) {
  const li = el("li", {},
    el("strong", { textContent: `${check.passed ? "Passed" : "Failed"}: ${check.name}. ` }),
    el("span", { textContent: check.detail }));
  if (check.advice) li.append(el("span", { className: "advice", textContent: `What to do: ${check.advice}` }));
  li.dataset.passed = String(check.passed);
  li.dataset.name = check.name;
  $("checks").append(li);
}

// iMIS sign-in

export function askImisSignIn(site, reason) {
  $("imis-sign-in-site").textContent = reason ? `${reason} (${site})` : site;
  $("imis-sign-in").elements.password.value = "";
  show("imis-sign-in");
}

/** What is typed in the iMIS sign-in form, left in place (for Setup's check). */
export function peekImisSignIn() {
  const form = $("imis-sign-in").elements;
  return { username: form.username.value.trim(), password: form.password.value };
}

export function readImisSignIn() {
  const form = $("imis-sign-in").elements;
  const values = { username: form.username.value.trim(), password: form.password.value };
  form.password.value = "";
  return values;
}

// The email

/** Nothing selected (a pinned pane): no email to show. */
export function noEmail() {
  show("email", false);
  show("summary", false);
  show("imis-sign-in", false);
}

/** The email and its attachments; inline images listed apart, ticked only when Setup
 * includes them; the email itself as a file first when Setup stores it. */
export function showEmail(item, { includeInline = false, emailFile = false, emailFileId = "" } = {}) {
  show("summary", false);
  delete $("summary").dataset.state;
  $("email-subject").textContent = item.subject || "(no subject)";
  $("email-from").textContent = item.from.name ? `${item.from.name} <${item.from.address}>` : item.from.address;
  const row = (a) => {
    const box = el("input", { type: "checkbox", checked: !a.isInline || includeInline });
    box.dataset.id = a.id;
    const size = a.kind === "cloud" ? "cloud file" : formatSize(a.size);
    const li = el(
      "li",
      {},
      el("label", {}, box, " ", el("span", { className: "name", textContent: a.name }),
        el("span", { className: "size", textContent: size })),
      el("progress", { max: 1, value: 0, hidden: true }),
      el("span", { className: "state" }),
    );
    li.dataset.id = a.id;
    return li;
  };
  const own = emailFile ? [row({ id: emailFileId, name: `This email, as a file (.eml)`, kind: "email", size: 0 })] : [];
  for (const r of own) r.querySelector(".size").textContent = "with its headers";
  $("attachments").replaceChildren(...own, ...item.attachments.filter((a) => !a.isInline).map(row));
  $("inline-attachments").replaceChildren(...item.attachments.filter((a) => a.isInline).map(row));
  show("inline-heading", item.attachments.some((a) => a.isInline));
  $("attachments-empty").textContent = item.hostNotice ?? "This email has no attachments.";
  show("attachments-empty", item.attachments.length === 0);
  show("email");
}

const rows = () => [...$("attachments").children, ...$("inline-attachments").children];

export function selectedAttachments() {
  return rows().map((r) => r.querySelector("input[type=checkbox]")).filter((b) => b.checked).map((b) => b.dataset.id);
}

function rowFor(id) {
  return rows().find((row) => row.dataset.id === id);
}

/** One attachment's row: its phase in words, a bar that moves with the bytes, and
 * counters (retries, progress steps) that stay for support and tests. */
export function attachmentState(id, phase, text, done, total) {
  const row = rowFor(id);
  if (!row) return;
  const state = row.querySelector(".state");
  const bar = row.querySelector("progress");
  const count = (key) => (row.dataset[key] = String(Number(row.dataset[key] ?? 0) + 1));
  if (phase === "retrying") {
    count("retries");
    row.dataset.lastRetry = text;
  }
  state.dataset.phase = phase;
  const moving = done != null && total != null;
  state.textContent = moving ? `${text}: ${formatSize(done)} of ${formatSize(total)}` : text;
  if (moving) {
    count("steps");
    bar.hidden = false;
    bar.max = Math.max(total, 1);
    bar.value = done;
    bar.dataset.phase = phase;
  } else if (phase === "saved" || phase === "existing") {
    bar.hidden = false;
    bar.value = bar.max;
  }
}

// Contacts

const ROLES = { from: "sender", to: "recipient", cc: "copied", search: "found by search" };
let shownContacts = [];

function contactBox(m, index) {
  const box = el("input", { type: "checkbox", name: "contact", checked: Boolean(m.preselected) });
  box.dataset.index = String(index);
  const how = m.address ? `, ${ROLES[m.role] ?? m.role} ${m.address}` : "";
  return el("label", { className: "contact" }, box, " ", el("span", { textContent: `${m.fullName} (${m.partyId})${how}` }));
}

/** The iMIS contacts that match the email's addresses, one checkbox each; the sender
 * is ticked when unambiguous. Two contacts with one address are both shown, unticked. */
export function showContacts(matches) {
  shownContacts = [...matches];
  const box = $("contacts");
  if (matches.length === 0) {
    box.replaceChildren(el("p", { className: "error", textContent: "No address of this email belongs to an iMIS contact. Search iMIS below." }));
    return;
  }
  const shared = matches.some((m, i) => matches.findIndex((n) => n.address.toLowerCase() === m.address.toLowerCase()) !== i);
  box.replaceChildren(
    el("p", { textContent: shared ? "Several iMIS contacts share an address; tick the right ones:" : "Save to these iMIS contacts:" }),
    ...matches.map(contactBox),
  );
}

/** Search results, added below the matches (unticked), each contact once. */
export function addSearchResults(found) {
  const fresh = found.filter((c) => !shownContacts.some((m) => m.partyId === c.partyId));
  if (fresh.length === 0) {
    $("contacts").append(el("p", { className: "muted", textContent: "No other contact found." }));
    return;
  }
  if (shownContacts.length === 0) $("contacts").replaceChildren(el("p", { textContent: "Found in iMIS:" }));
  for (const c of fresh) {
    shownContacts.push({ ...c, address: "", role: "search", preselected: false });
    $("contacts").append(contactBox(shownContacts.at(-1), shownContacts.length - 1));
  }
}

/** The form that adds the sender as a new contact, filled with the core's draft. */
export function offerNewContact(draft) {
  const form = $("new-contact");
  for (const name of ["firstName", "lastName", "email", "organization"]) form.elements[name].value = draft?.[name] ?? "";
  fieldErrors(form, []);
  show("new-contact", Boolean(draft));
}

export function readNewContact() {
  const f = $("new-contact").elements;
  return Object.fromEntries(["firstName", "lastName", "email", "organization"].map((n) => [n, f[n].value.trim()]));
}

export function newContactErrors(fields) {
  fieldErrors($("new-contact"), fields);
}

/** A contact just added to iMIS: listed, ticked. */
export function addCreatedContact(contact) {
  show("new-contact", false);
  if (shownContacts.length === 0) $("contacts").replaceChildren(el("p", { textContent: "Save to these iMIS contacts:" }));
  shownContacts.push({ ...contact, address: contact.emails[0] ?? "", role: "new", preselected: true });
  $("contacts").append(contactBox(shownContacts.at(-1), shownContacts.length - 1));
}

function fieldErrors(form, fields) {
  for (const p of form.querySelectorAll(".field-error")) {
    p.textContent = fields.find((f) => f.field === p.dataset.for)?.message ?? "";
  }
}

/** Ticks exactly `contacts` (from chosenContacts()), listing any not shown again. */
export function chooseContacts(contacts) {
  const missing = contacts.filter((c) => !shownContacts.some((m) => m.partyId === c.partyId));
  if (missing.length) addSearchResults(missing);
  for (const box of $("contacts").querySelectorAll("input[type=checkbox]")) {
    box.checked = contacts.some((c) => c.partyId === shownContacts[Number(box.dataset.index)].partyId);
  }
}

export function chosenContacts() {
  return [...$("contacts").querySelectorAll("input[type=checkbox]:checked")].map((b) => shownContacts[Number(b.dataset.index)]);
}

function recordLine(r, words) {
  const li = el("li", { textContent: `${words} ${r.id} for ${r.contact.fullName}` });
  if (r.link) {
    li.append(" (", el("a", { href: r.link, target: "_blank", rel: "noopener noreferrer", textContent: "open contact in iMIS" }), ")");
  }
  li.dataset.id = r.id;
  return li;
}

/** Where the email is already saved, for the chosen contacts; `again` shows the button. */
export function showSaved(saved, again) {
  const box = $("already-saved");
  box.replaceChildren();
  if (saved.length > 0) {
    box.append(el("p", { textContent: "This email is already saved in iMIS. Saving now only adds what is missing." }));
    const list = el("ul", {}, ...saved.map((r) => recordLine(r, "Record")));
    box.append(list);
  }
  show("already-saved", saved.length > 0);
  show("save-again", saved.length > 0 && again);
}

// Several emails

/** The selected emails, one row each, with a status line the save fills in. */
export function showEmails(list, note) {
  show("email", false);
  show("summary", false);
  $("emails-title").textContent = `${list.length} emails selected`;
  $("emails-note").textContent = note ?? "";
  $("emails-list").replaceChildren(...list.map((m) => {
    const li = el("li", {},
      el("span", { className: "name", textContent: m.subject || "(no subject)" }),
      el("progress", { max: 1, value: 0, hidden: true }),
      el("span", { className: "state", textContent: "" }));
    li.dataset.itemId = m.itemId;
    return li;
  }));
  show("emails");
}

/** One email's row: what happened to it, and its bytes so far. */
export function emailState(itemId, state, text, done, total) {
  const row = [...$("emails-list").children].find((li) => li.dataset.itemId === itemId);
  if (!row) return;
  row.dataset.state = state;
  row.querySelector(".state").textContent = text;
  const bar = row.querySelector("progress");
  if (total) {
    bar.hidden = false;
    bar.max = total;
    bar.value = done;
  }
}

// The report

/** Microsoft sign-in failed or was cancelled before the save wrote anything: what to do. */
export function graphChoice(message, canUseOutlook = false) {
  show("graph-choice", Boolean(message));
  if (!message) return;
  $("graph-choice-text").textContent = message;
  $("graph-skip").textContent = canUseOutlook ? "Save, reading attachments through Outlook" : "Save without attachments";
  $("graph-retry").focus();
}

export function showReport(report, subject) {
  $("summary-title").textContent = `Saved “${subject || "(no subject)"}”`;
  $("summary-records").replaceChildren(
    ...report.records.map((r) => recordLine(r, r.existed ? "Already saved as record" : "Saved as record")),
  );
  show("summary-notice", Boolean(report.notice));
  $("summary-notice").textContent = report.notice ?? "";
  const lines = report.attachments.map((a) => {
    const text = {
      saved: `${a.name}: stored as ${a.path}`,
      alreadySaved: `${a.name}: already stored as ${a.path}`,
      linked: `${a.name}: cloud file, its link is saved with the email (${a.url ?? "no link given"})`,
      failed: `${a.name}: not saved. ${a.reason}`,
    }[a.status];
    const li = el("li", { textContent: text });
    li.dataset.status = a.status;
    return li;
  });
  for (const l of report.leftOut) {
    if (l.reason === "not ticked") continue;
    const li = el("li", { textContent: `${l.name}: not saved (${l.reason})` });
    li.dataset.status = "leftOut";
    lines.push(li);
  }
  $("summary-list").replaceChildren(...lines);
  $("summary").dataset.state = "done";
  show("summary");
}
