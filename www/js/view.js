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

// Views: one at a time. Each names the section it shows and where focus goes when it
// opens, so a keyboard or screen-reader user lands in the new view.
const VIEWS = {
  loading: { section: null },
  empty: { section: null },
  setup: { section: "setup", focus: "setup-title" },
  signin: { section: "imis-sign-in", focus: "username" },
  // iMIS ended the session during a save: the sign-in sits above the email, which
  // keeps its progress; the save goes on after.
  resume: { section: ["imis-sign-in", "email"], focus: "password" },
  choose: { section: "email", focus: "email-subject" },
  saving: { section: "email", focus: null },
  done: { section: "email", focus: "summary" },
  emails: { section: "emails", focus: "emails-title" },
};
const SECTIONS = ["setup", "imis-sign-in", "email", "emails"];
/** Where to go back to when Setup closes. */
let beforeSetup = "loading";

export function currentView() {
  return document.body.dataset.view;
}

const READY_MARK = "save-to-imis:ready";

export function go(name) {
  const previous = currentView();
  // The first view a user can act in: `npm run bench` times the pane to it.
  if (name !== "loading" && !performance.getEntriesByName(READY_MARK).length) performance.mark(READY_MARK);
  if (name === "setup" && previous !== "setup") beforeSetup = previous;
  document.body.dataset.view = name;
  const { section, focus } = VIEWS[name];
  for (const id of SECTIONS) $(id).hidden = ![section].flat().includes(id);
  lockChoices(name === "saving");
  if (name !== "done") {
    $("summary").hidden = true;
    delete $("summary").dataset.state;
  }
  if (name !== previous && focus) {
    const target = $(focus);
    if (!target.hasAttribute("tabindex") && !/^(INPUT|BUTTON|SELECT|TEXTAREA)$/.test(target.tagName)) target.tabIndex = -1;
    target.focus({ preventScroll: false });
  }
}

/** Back from Setup to the view it was opened from. */
export function leaveSetup() {
  go(beforeSetup === "setup" ? "loading" : beforeSetup);
}

export function status(text) {
  $("status").textContent = text;
}

/** One message for what went wrong, in words; codes (HTTP, AADSTS, MSAL) under Details. */
export function error(text, details) {
  $("error").textContent = text ?? "";
  $("error").hidden = !text;
  $("error-box").hidden = !text;
  $("error-details").textContent = details ?? "";
  $("error-more").hidden = !details;
  $("error-more").open = false;
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

// Theme: the Office theme's colours where Outlook gives them, else the system's choice.

function isDark(hex) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex ?? "");
  if (!m) return null;
  const [r, g, b] = m.slice(1).map((x) => parseInt(x, 16) / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5;
}

export function applyTheme(officeTheme) {
  const root = document.documentElement;
  const dark = isDark(officeTheme?.bodyBackgroundColor) ?? matchMedia("(prefers-color-scheme: dark)").matches;
  root.dataset.theme = dark ? "dark" : "light";
  if (officeTheme?.bodyBackgroundColor) {
    root.style.setProperty("--colorNeutralBackground1", officeTheme.bodyBackgroundColor);
    root.style.setProperty("--colorNeutralForeground1", officeTheme.bodyForegroundColor);
  } else {
    root.style.removeProperty("--colorNeutralBackground1");
    root.style.removeProperty("--colorNeutralForeground1");
  }
}

// The menu: a real menu button (Escape, an outside click and Tab close it; arrows move).

export function wireMenu() {
  const button = $("menu-button");
  const list = $("menu-list");
  const items = () => [...list.querySelectorAll("[role=menuitem]")];
  const open = (focusIndex = 0) => {
    list.hidden = false;
    button.setAttribute("aria-expanded", "true");
    items()[focusIndex]?.focus();
  };
  button.addEventListener("click", () => (list.hidden ? open() : closeMenu(true)));
  button.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") { e.preventDefault(); open(0); }
    if (e.key === "ArrowUp") { e.preventDefault(); open(items().length - 1); }
  });
  list.addEventListener("keydown", (e) => {
    const all = items();
    const at = all.indexOf(document.activeElement);
    if (e.key === "Escape") { e.preventDefault(); closeMenu(true); }
    else if (e.key === "ArrowDown") { e.preventDefault(); all[(at + 1) % all.length].focus(); }
    else if (e.key === "ArrowUp") { e.preventDefault(); all[(at - 1 + all.length) % all.length].focus(); }
    else if (e.key === "Home") { e.preventDefault(); all[0].focus(); }
    else if (e.key === "End") { e.preventDefault(); all.at(-1).focus(); }
    else if (e.key === "Tab") closeMenu(false);
  });
  document.addEventListener("pointerdown", (e) => {
    if (!list.hidden && !$("menu").contains(e.target)) closeMenu(false);
  });
}

export function closeMenu(refocus = false) {
  $("menu-list").hidden = true;
  $("menu-button").setAttribute("aria-expanded", "false");
  if (refocus) $("menu-button").focus();
}

// Setup

/**
 * Fills Setup. `values`: the user's own; `inherited`: what each field is without them
 * (shown as the value, not as a placeholder); `fixed`: `{field: {value, source}}` for
 * fields set elsewhere (the deployment, the administrator for everyone): read-only,
 * saying where from.
 */
export function fillSetup(values, { inherited = {}, fixed = {} } = {}) {
  const sources = new Set();
  for (const input of $("setup").elements) {
    if (!input.name) continue;
    const isFixed = Object.hasOwn(fixed, input.name);
    const value = isFixed ? fixed[input.name].value || (inherited[input.name] ?? "") : values[input.name] ?? inherited[input.name] ?? "";
    if (input.type === "checkbox") {
      const on = (v) => (input.dataset.default === "true" ? v !== "false" : v === "true");
      input.checked = on(value);
      input.dataset.inherited = String(on(inherited[input.name]));
    } else {
      input.value = value;
      input.dataset.inherited = inherited[input.name] ?? "";
    }
    if (input.tagName === "SELECT" || input.type === "checkbox") input.disabled = isFixed;
    else input.readOnly = isFixed;
    input.dataset.fixed = String(isFixed);
    input.title = isFixed ? `Set by ${fixed[input.name].source}` : "";
    if (isFixed) sources.add(fixed[input.name].source);
  }
  $("setup-source").textContent = sources.size ? `Fields you cannot change here are set by ${[...sources].join(" and by ")}.` : "";
  show("setup-source", sources.size > 0);
  setupErrors([]);
  clearChecks();
}

/** Where the settings for everyone stand, and whether this user may try to change them. */
export function orgStatus(org, signedIn, editing) {
  const when = org?.updatedAt ? ` on ${new Date(org.updatedAt).toLocaleDateString()}` : "";
  const who = org?.updatedBy ? ` by ${org.updatedBy}` : "";
  $("org-status").textContent = editing
    ? "You are changing what applies to everyone who uses Save to iMIS. Only iMIS administrators can save this."
    : !signedIn ? "Sign in to iMIS to see the settings your organisation chose for everyone."
    : org?.found ? `Your organisation's settings apply to everyone (last changed${who}${when}); the fields they set are read-only here.`
    : "No settings for everyone yet: each user's own apply.";
  show("setup-org-edit", signedIn && !editing);
}

/** The user's own values (checkboxes "true"/"false"): only fields that differ from what
 * they inherit ("" for one the user cleared), none fixed elsewhere, so a later change by
 * the deployment or the administrator reaches what the user left alone. */
export function readSetup() {
  const values = {};
  for (const input of $("setup").elements) {
    if (!input.name || input.dataset.fixed === "true") continue;
    const value = input.type === "checkbox" ? String(input.checked) : input.value.trim();
    if (value !== (input.dataset.inherited ?? "")) values[input.name] = value;
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
  show("checks-box", false);
}

export function checksDone() {
  $("checks").dataset.done = "true";
}

export function addCheck(check) {
  const first = !$("checks").children.length;
  const li = el("li", {},
    el("strong", { textContent: `${check.passed ? "Passed" : "Failed"}: ${check.name}. ` }),
    el("span", { textContent: check.detail }));
  if (check.advice) li.append(el("span", { className: "advice", textContent: `What to do: ${check.advice}` }));
  li.dataset.passed = String(check.passed);
  li.dataset.name = check.name;
  $("checks").append(li);
  show("checks-box");
  if (first) $("checks-box").scrollIntoView({ block: "nearest" });
}

// iMIS sign-in

/** The sign-in view; the user name is filled from last time (the password never is). */
export function askImisSignIn(site, reason, rememberedUser = "", { inline = false } = {}) {
  $("imis-sign-in-site").textContent = reason ? `${reason}. Sign in to go on (${site}).` : `Sign in with your iMIS account (${site}).`;
  const form = $("imis-sign-in").elements;
  form.password.value = "";
  if (rememberedUser && !form.username.value) form.username.value = rememberedUser;
  go(inline ? "resume" : "signin");
  if (form.username.value) form.password.focus();
}

/** The iMIS user name and password typed for Setup's test (else in the sign-in form),
 * left in place. */
export function peekImisSignIn() {
  const user = $("test-username").value.trim();
  const password = $("test-password").value;
  if (user || password) return { username: user, password };
  const form = $("imis-sign-in").elements;
  return { username: form.username.value.trim(), password: form.password.value };
}

export function readImisSignIn() {
  const form = $("imis-sign-in").elements;
  const values = { username: form.username.value.trim(), password: form.password.value };
  form.password.value = "";
  return values;
}

/** "Signed in to iMIS as …", or nothing. */
export function imisUser(name) {
  $("imis-user").textContent = name ? `Signed in to iMIS as ${name}` : "";
  show("imis-user", Boolean(name));
}

// The email

/** Nothing selected (a pinned pane): no email to show. */
export function noEmail() {
  go("empty");
}

/** Rows made so far: each row's size label gets its own element id. */
let rowsMade = 0;

/** The email and its attachments; inline images listed apart, ticked only when Setup
 * includes them; the email itself as a file first when Setup stores it. */
export function showEmail(item, { includeInline = false, emailFile = false, emailFileId = "", graphSignIn = false } = {}) {
  $("summary").hidden = true;
  delete $("summary").dataset.state;
  $("email-subject").textContent = item.subject || "(no subject)";
  $("email-from").textContent = item.from.name ? `${item.from.name} <${item.from.address}>` : item.from.address;
  const row = (a) => {
    const box = el("input", { type: "checkbox", checked: !a.isInline || includeInline });
    box.dataset.id = a.id;
    const size = a.kind === "cloud" ? "cloud file" : a.kind === "email" ? "with its headers" : formatSize(a.size);
    const name = el("span", { className: "name", textContent: a.name });
    // Attachment ids are Graph's, not usable as element ids: number the rows instead.
    const sizeId = `size-${rowsMade}`;
    box.setAttribute("aria-describedby", sizeId);
    const li = el(
      "li",
      {},
      el("label", {}, box, name, el("span", { className: "size", id: sizeId, textContent: size })),
      el("progress", { max: 1, value: 0, hidden: true }),
      el("span", { className: "state" }),
    );
    rowsMade += 1;
    li.dataset.id = a.id;
    li.dataset.kind = a.kind ?? "file";
    li.dataset.size = String(a.kind === "cloud" ? 0 : a.size ?? 0);
    li.querySelector("progress").setAttribute("aria-label", a.name);
    return li;
  };
  const own = emailFile ? [row({ id: emailFileId, name: "This email, as a file (.eml)", kind: "email", size: 0 })] : [];
  $("attachments").replaceChildren(...own, ...item.attachments.filter((a) => !a.isInline).map(row));
  $("inline-attachments").replaceChildren(...item.attachments.filter((a) => a.isInline).map(row));
  show("inline-heading", item.attachments.some((a) => a.isInline));
  $("attachments-empty").textContent = item.hostNotice ?? "This email has no attachments.";
  show("attachments-empty", item.attachments.length === 0);
  show("progress-line", false);
  show("sign-in-note", graphSignIn && item.attachments.some((a) => !a.isInline || includeInline));
}

const rows = () => [...$("attachments").children, ...$("inline-attachments").children];

export function selectedAttachments() {
  return rows().map((r) => r.querySelector("input[type=checkbox]")).filter((b) => b.checked).map((b) => b.dataset.id);
}

function rowFor(id) {
  return rows().find((row) => row.dataset.id === id);
}

/** While saving, nothing the save reads can be changed. */
function lockChoices(locked) {
  for (const box of [...rows().map((r) => r.querySelector("input")), ...$("contacts").querySelectorAll("input")]) {
    if (box) box.disabled = locked;
  }
  show("cancel", locked);
  show("save", !locked);
  if (locked) show("save-again", false);
}

/** Before a save: clears what an earlier save left in the rows. */
export function startProgress() {
  for (const row of rows()) {
    row.querySelector(".state").textContent = "";
    delete row.querySelector(".state").dataset.phase;
    const bar = row.querySelector("progress");
    bar.hidden = true;
    bar.value = 0;
    delete row.dataset.state;
    row.dataset.fraction = "0";
  }
  show("sign-in-note", false);
  go("saving");
  updateProgressLine();
}

const FINAL = new Set(["saved", "existing", "failed", "linked", "leftOut", "cancelled"]);

/** One attachment's row: its phase in words, one bar for download and upload together
 * (none before the file starts, none for cloud files), and counters (retries, progress
 * steps) that stay for support and tests. */
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
  if (FINAL.has(phase)) row.dataset.state = phase;
  const moving = done != null && total != null;
  state.textContent = moving ? `${text}: ${formatSize(done)} of ${formatSize(total)}` : text;
  // Downloading is the first half of the bar, uploading the second; a file read through
  // Outlook has no download progress and its bar starts at the upload.
  const share = moving ? Math.min(done / Math.max(total, 1), 1) : 0;
  const fraction = phase === "downloading" ? share / 2 : phase === "uploading" ? 0.5 + share / 2
    : phase === "saved" || phase === "existing" ? 1 : Number(row.dataset.fraction ?? 0);
  row.dataset.fraction = String(fraction);
  if (moving) count("steps");
  if (row.dataset.kind !== "cloud" && (moving || phase === "saved" || phase === "existing")) {
    bar.hidden = false;
    bar.max = 1;
    bar.value = fraction;
    bar.dataset.phase = phase;
  }
  updateProgressLine();
}

/** "2 of 5 files · 40 of 108 MB": files finished of those ticked, bytes moved of all. */
function updateProgressLine() {
  const ticked = rows().filter((r) => r.querySelector("input")?.checked);
  if (!ticked.length || currentView() !== "saving") {
    show("progress-line", currentView() === "saving" && ticked.length > 0);
    return;
  }
  const finished = ticked.filter((r) => FINAL.has(r.dataset.state ?? "")).length;
  const total = ticked.reduce((n, r) => n + Number(r.dataset.size ?? 0), 0);
  const moved = ticked.reduce((n, r) => n + Number(r.dataset.size ?? 0) * Number(r.dataset.fraction ?? 0), 0);
  const bytes = total > 0 ? ` · ${formatSize(Math.round(moved))} of ${formatSize(total)}` : "";
  $("progress-line").textContent = `${finished} of ${ticked.length} files${bytes}`;
  show("progress-line");
}

// Contacts

const ROLES = { from: "sender", to: "recipient", cc: "copied", search: "found by search", new: "just added" };
let shownContacts = [];

function contactBox(m, index) {
  const box = el("input", { type: "checkbox", name: "contact", checked: Boolean(m.preselected) });
  box.dataset.index = String(index);
  const how = m.address ? `${ROLES[m.role] ?? m.role}, ${m.address}` : ROLES[m.role] ?? "";
  return el("label", { className: "contact" }, box,
    el("span", {}, el("span", { className: "who", textContent: `${m.fullName} (${m.partyId})` }), " ",
      el("span", { className: "why", textContent: how })));
}

/** The iMIS contacts that match the email's addresses, one checkbox each; the sender
 * is ticked when unambiguous. Two contacts with one address are both shown, unticked. */
export function showContacts(matches) {
  shownContacts = [...matches];
  const box = $("contacts");
  if (matches.length === 0) {
    box.replaceChildren(el("p", { className: "muted", textContent: "No contact yet: search iMIS below, or add the sender." }));
    return;
  }
  const shared = matches.some((m, i) => matches.findIndex((n) => n.address.toLowerCase() === m.address.toLowerCase()) !== i);
  box.replaceChildren(
    ...(shared ? [el("p", { textContent: "Several iMIS contacts share an address; tick the right ones." })] : []),
    ...matches.map(contactBox),
  );
}

/** Search results, added below the matches (unticked), each contact once. */
export function addSearchResults(found) {
  const fresh = found.filter((c) => !shownContacts.some((m) => m.partyId === c.partyId));
  if (fresh.length === 0) {
    status("No other contact found.");
    return;
  }
  if (shownContacts.length === 0) $("contacts").replaceChildren();
  for (const c of fresh) {
    shownContacts.push({ ...c, address: "", role: "search", preselected: false });
    $("contacts").append(contactBox(shownContacts.at(-1), shownContacts.length - 1));
  }
  status(`${fresh.length} contact(s) found: tick the ones to save to.`);
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
  if (shownContacts.length === 0) $("contacts").replaceChildren();
  shownContacts.push({ ...contact, address: contact.emails[0] ?? "", role: "new", preselected: true });
  $("contacts").append(contactBox(shownContacts.at(-1), shownContacts.length - 1));
}

/** Field errors next to their fields, tied to them for screen readers; focus on the first. */
function fieldErrors(form, fields) {
  let first = null;
  for (const p of form.querySelectorAll(".field-error")) {
    const message = fields.find((f) => f.field === p.dataset.for)?.message ?? "";
    p.textContent = message;
    const input = form.elements[p.dataset.for];
    if (input) {
      if (message) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
      if (message && !first) first = input;
    }
  }
  if (first) {
    const folded = first.closest("details");
    if (folded) folded.open = true;
    first.focus();
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
    li.append(" ", el("a", { href: r.link, target: "_blank", rel: "noopener noreferrer", textContent: "Open the contact in iMIS" }));
  }
  li.dataset.id = r.id;
  return li;
}

/** Where the email is already saved, for the chosen contacts; `again` shows the button.
 * The Save button then says it adds what is missing. */
export function showSaved(saved, again) {
  const box = $("already-saved");
  box.replaceChildren();
  if (saved.length > 0) {
    box.append(el("p", { textContent: "This email is already saved in iMIS. Saving now only adds the files that are missing." }));
    box.append(el("ul", { className: "links" }, ...saved.map((r) => recordLine(r, "Record"))));
  }
  show("already-saved", saved.length > 0);
  show("save-again", saved.length > 0 && again);
  $("save").textContent = saved.length > 0 ? "Add the missing files" : "Save to iMIS";
}

/** After a check of what iMIS has (`stored`: the ids it holds, or null for an email not
 * saved yet): each ticked file says whether it is already in iMIS. */
export function markStored(stored) {
  for (const row of rows()) {
    const state = row.querySelector(".state");
    if (!stored) {
      if (state.dataset.phase === "existing" || state.dataset.phase === "missing") {
        state.textContent = "";
        delete state.dataset.phase;
      }
    } else if (stored.has(row.dataset.id)) {
      state.textContent = "Already in iMIS";
      state.dataset.phase = "existing";
    } else if (row.querySelector("input")?.checked) {
      state.textContent = "Not in iMIS yet: saving adds it";
      state.dataset.phase = "missing";
    }
  }
}

// Several emails

/** The selected emails, one row each, with a status line the save fills in. */
export function showEmails(list, note) {
  $("emails-title").textContent = `${list.length} emails selected`;
  $("emails-note").textContent = note ?? "";
  $("emails-list").replaceChildren(...list.map((m) => {
    const li = el("li", {},
      el("span", { className: "name", textContent: m.subject || "(no subject)" }),
      el("progress", { max: 1, value: 0, hidden: true }),
      el("span", { className: "state", textContent: "" }));
    li.querySelector("progress").setAttribute("aria-label", m.subject || "(no subject)");
    li.dataset.itemId = m.itemId;
    return li;
  }));
  go("emails");
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
export function graphChoice(message, canUseOutlook = false, details = "") {
  show("graph-choice", Boolean(message));
  if (!message) return;
  $("graph-choice-text").textContent = message;
  $("graph-choice-details").textContent = details ?? "";
  show("graph-choice-more", Boolean(details));
  $("graph-skip").textContent = canUseOutlook ? "Save, reading attachments through Outlook" : "Save without attachments";
  $("graph-retry").focus();
}

/** The result first: who it was saved to and how many files, with links; the stored
 * names and paths folded underneath (unfolded when something was not saved). */
export function showReport(report, subject) {
  const stored = report.attachments.filter((a) => a.status === "saved" || a.status === "alreadySaved").length;
  const wanted = report.attachments.filter((a) => a.status !== "linked").length;
  const failed = report.attachments.filter((a) => a.status === "failed" || a.status === "cancelled").length;
  const who = report.records.map((r) => `${r.contact.fullName} (${r.contact.partyId})`).join(", ");
  $("summary-title").textContent = `Saved “${subject || "(no subject)"}”`;
  $("summary-line").textContent = `Saved to ${who}: ${stored} of ${wanted} files`;
  $("summary").dataset.outcome = failed ? "partial" : "saved";
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
      cancelled: `${a.name}: not saved. ${a.reason ?? "Cancelled before it was saved."}`,
    }[a.status] ?? `${a.name}: ${a.status}`;
    const li = el("li", { textContent: text });
    const storedName = a.path?.split("/").at(-1);
    if (storedName && storedName !== a.name) li.append(el("span", { className: "flag", textContent: "name shortened or changed" }));
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
  $("summary-details").open = lines.some((li) => li.dataset.status !== "saved" && li.dataset.status !== "alreadySaved" && li.dataset.status !== "linked");
  $("summary").dataset.state = "done";
  $("summary").hidden = false;
  $("save").textContent = "Add the missing files";
  show("sign-in-note", false);
  go("done");
}
