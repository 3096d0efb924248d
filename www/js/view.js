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
    if (input.name) input.value = values[input.name] ?? "";
  }
  setupErrors([]);
}

export function readSetup() {
  const values = {};
  for (const input of $("setup").elements) {
    if (input.name) values[input.name] = input.value.trim();
  }
  return values;
}

export function setupErrors(fields) {
  for (const p of $("setup").querySelectorAll(".field-error")) {
    p.textContent = fields.find((f) => f.field === p.dataset.for)?.message ?? "";
  }
}

// iMIS sign-in

export function askImisSignIn(site, reason) {
  $("imis-sign-in-site").textContent = reason ? `${reason} (${site})` : site;
  $("imis-sign-in").elements.password.value = "";
  show("imis-sign-in");
}

export function readImisSignIn() {
  const form = $("imis-sign-in").elements;
  const values = { username: form.username.value.trim(), password: form.password.value };
  form.password.value = "";
  return values;
}

// The email

export function showEmail(item) {
  $("email-subject").textContent = item.subject || "(no subject)";
  $("email-from").textContent = item.from.name ? `${item.from.name} <${item.from.address}>` : item.from.address;
  const list = $("attachments");
  list.replaceChildren(
    ...item.attachments.map((a) => {
      const box = el("input", { type: "checkbox", checked: !a.isInline && a.kind === "file" });
      box.dataset.id = a.id;
      const row = el(
        "li",
        {},
        el("label", {}, box, " ", el("span", { className: "name", textContent: a.name }),
          el("span", { className: "size", textContent: formatSize(a.size) })),
        el("span", { className: "state" }),
      );
      row.dataset.id = a.id;
      return row;
    }),
  );
  show("attachments-empty", item.attachments.length === 0);
  show("email");
}

export function selectedAttachments() {
  return [...$("attachments").querySelectorAll("input[type=checkbox]")].filter((b) => b.checked).map((b) => b.dataset.id);
}

function rowFor(id) {
  return [...$("attachments").children].find((row) => row.dataset.id === id);
}

export function attachmentState(id, phase, text) {
  const state = rowFor(id)?.querySelector(".state");
  if (!state) return;
  state.dataset.phase = phase;
  state.textContent = text;
}

// Contacts

export function showContacts(contacts, senderAddress) {
  const box = $("contacts");
  if (contacts.length === 0) {
    box.replaceChildren(el("p", { className: "error", textContent: `No iMIS contact has the address ${senderAddress}.` }));
    return;
  }
  box.replaceChildren(
    el("p", { textContent: contacts.length === 1 ? "iMIS contact:" : "Several iMIS contacts have this address; choose one:" }),
    ...contacts.map((c, i) => {
      const radio = el("input", { type: "radio", name: "contact", checked: contacts.length === 1 });
      radio.dataset.index = String(i);
      return el("label", { className: "contact" }, radio, " ", el("span", { textContent: `${c.fullName} (${c.partyId})` }));
    }),
  );
}

export function chosenContactIndex() {
  const radio = $("contacts").querySelector("input[type=radio]:checked");
  return radio ? Number(radio.dataset.index) : -1;
}

// The report

export function showReport(report) {
  $("summary-activity").textContent = report.activityExisted
    ? `This email was already saved as activity ${report.activityId} for ${report.contact.fullName}; nothing new was added to it.`
    : `Saved as activity ${report.activityId} for ${report.contact.fullName}.`;
  show("summary-notice", Boolean(report.notice));
  $("summary-notice").textContent = report.notice ?? "";
  const lines = report.attachments.map((a) => {
    const text = {
      saved: `${a.name}: stored as ${a.path}`,
      alreadySaved: `${a.name}: already stored as ${a.path}`,
      failed: `${a.name}: not saved. ${a.reason}`,
    }[a.status];
    const li = el("li", { textContent: text });
    li.dataset.status = a.status;
    return li;
  });
  for (const l of report.leftOut) {
    if (l.reason !== "not ticked") lines.push(el("li", { textContent: `${l.name}: left out (${l.reason})` }));
  }
  $("summary-list").replaceChildren(...lines);
  $("summary").dataset.state = "done";
  show("summary");
}
