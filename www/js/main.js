// Wiring: Office.js and MSAL on one side, the Rust core (wasm) on the other, the view
// in between. The order of a save: read the email, sign in to iMIS, find the contact,
// save (the core plans, downloads, uploads and reports).

import { config } from "./config.js";
import * as host from "./host.js";
import { graphTokenSource, signOut } from "./auth.js";
import * as view from "./view.js";

let core;
let app;
let item;
let settings;
/** A save the iMIS session ended in the middle of: run again after signing in. */
let pendingSave = null;

async function start() {
  const inOutlook = await host.officeReady();
  if (!inOutlook) {
    view.status("Open this pane from an email in Outlook (Save to iMIS on the ribbon).");
    return;
  }
  core = await import("../../pkg/save_to_imis.js");
  // Sizes only, for the benchmark and support: no email content, no token.
  globalThis.saveToImisDiagnostics = () => ({ wasmMemoryBytes: core.wasmMemoryBytes() });
  app = new core.App(graphTokenSource(() => settings), host.readAttachment, config.extraClouds);
  wireEvents();
  item = await host.readItem();
  const ok = applySettings(setupValues());
  view.showEmail(item, Boolean(settings?.includeInline));
  if (!ok) {
    openSetup();
    return;
  }
  await connectImis();
}

/** Applies Setup values in the core; shows Setup with the reasons when they are wrong. */
function applySettings(values) {
  try {
    settings = app.applySettings(values);
    return true;
  } catch (e) {
    view.fillSetup(values);
    view.setupErrors(e.fields ?? []);
    view.error(e.message);
    return false;
  }
}

/** What Setup holds: the user's values over the deployment's defaults. iMIS is on the
 * pane's own origin (plus the deployment's path) unless Setup names another site. */
function setupValues() {
  return withDefaultImis({ ...config.defaults, ...host.loadSettings() });
}

function withDefaultImis(values) {
  return { ...values, imisUrl: values.imisUrl || `${location.origin}${config.imisPath ?? ""}` };
}

function openSetup() {
  view.fillSetup(setupValues());
  view.show("setup");
  view.show("menu", true);
  document.getElementById("menu").open = false;
}

async function connectImis(reason) {
  if (!settings?.imisUrl) {
    view.status("Enter the iMIS site URL in Menu > Setup.");
    openSetup();
    return;
  }
  if (!app.isSignedInToImis()) {
    view.status("Sign in to iMIS to save this email.");
    view.askImisSignIn(settings.imisUrl, reason);
    return;
  }
  view.show("imis-sign-in", false);
  view.status("Looking for the sender in iMIS…");
  let matches;
  try {
    matches = await app.findContacts(item);
  } catch (e) {
    return handleError(e);
  }
  view.showContacts(matches);
  view.offerNewContact(matches.length ? null : app.newContactDraft(item));
  view.status(matches.length ? "Ready." : "No address of this email belongs to an iMIS contact: search iMIS, or add the sender below.");
  await contactsChanged();
  if (pendingSave) {
    const again = pendingSave.again;
    pendingSave = null;
    await save(again);
  }
}

/** The chosen contacts changed: say where this email is already saved. */
async function contactsChanged() {
  const chosen = view.chosenContacts();
  document.getElementById("save").disabled = chosen.length === 0;
  try {
    view.showSaved(chosen.length ? await app.findSaved(item, chosen) : [], Boolean(settings.allowDuplicateEmails));
  } catch (e) {
    handleError(e);
  }
}

function handleError(e) {
  if (e.kind === "imis-sign-in") {
    view.error(e.message);
    view.askImisSignIn(settings.imisUrl, "Your iMIS session has ended");
  } else if (e.kind === "settings") {
    view.error(e.message);
    openSetup();
  } else {
    view.error(e.message ?? String(e));
  }
  view.status("");
}

const PHASES = {
  waiting: "Waiting…",
  downloading: "Downloading",
  uploading: "Uploading to iMIS",
  saved: "Saved",
  existing: "Already in iMIS",
  linked: "Cloud file: its link is saved with the email",
};

function onEvent(event) {
  if (event.type === "activity") {
    view.status(event.phase === "saving" ? "Saving the email…" : `Email saved (record ${event.activityId}); saving attachments…`);
    return;
  }
  const text = event.phase === "failed" ? `Failed: ${event.detail}`
    : event.phase === "retrying" ? `Retrying: ${event.detail}`
    : event.phase === "leftOut" ? `Not saved: ${event.detail}`
    : PHASES[event.phase] ?? event.phase;
  view.attachmentState(event.id, event.phase, text, event.done, event.total);
}

async function save(again = false) {
  const chosen = view.chosenContacts();
  if (chosen.length === 0) {
    view.error("Choose at least one iMIS contact to save this email to.");
    return;
  }
  const buttons = ["save", "save-again"].map((id) => document.getElementById(id));
  for (const b of buttons) b.disabled = true;
  view.error(null);
  try {
    const report = await app.save(item, chosen, view.selectedAttachments(), again, onEvent);
    view.showReport(report);
    const failed = report.attachments.filter((a) => a.status === "failed").length;
    view.status(failed ? `Saved, but ${failed} attachment(s) failed: see below. Save again to retry them.` : "Done.");
  } catch (e) {
    // The iMIS session ended mid-save: after signing in, the save goes on where it
    // stopped (what is in iMIS already is found, not uploaded again).
    if (e.kind === "imis-sign-in") pendingSave = { again };
    handleError(e);
  } finally {
    for (const b of buttons) b.disabled = false;
  }
}

function wireEvents() {
  document.getElementById("menu-setup").addEventListener("click", openSetup);
  document.getElementById("menu-imis-sign-out").addEventListener("click", () => {
    app.signOutImis();
    document.getElementById("menu").open = false;
    connectImis();
  });
  document.getElementById("menu-microsoft-sign-out").addEventListener("click", async () => {
    await signOut();
    document.getElementById("menu").open = false;
    view.status("Signed out of Microsoft: the next save asks you to sign in.");
  });
  document.getElementById("setup-cancel").addEventListener("click", () => view.show("setup", false));
  document.getElementById("setup-test").addEventListener("click", async () => {
    const button = document.getElementById("setup-test");
    if (!applySettings(withDefaultImis(view.readSetup()))) return;
    view.error(null);
    view.clearChecks();
    button.disabled = true;
    view.status("Testing the configuration…");
    try {
      // Typed iMIS credentials are checked too; without both, the check uses the session.
      const { username, password } = view.peekImisSignIn();
      const typed = username && password;
      const checks = await app.testConfiguration(item, typed ? username : "", typed ? password : "", view.addCheck);
      const failed = checks.filter((c) => !c.passed).length;
      view.status(failed ? `${failed} check(s) failed: see what to do below.` : "Every check passed.");
    } catch (e) {
      handleError(e);
    } finally {
      button.disabled = false;
      view.checksDone();
    }
  });
  document.getElementById("setup").addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = view.readSetup();
    if (!applySettings(withDefaultImis(values))) return;
    try {
      await host.saveSettings(values);
    } catch (e) {
      view.error(`Setup works for now but could not be kept for next time: ${e.message}`);
    }
    view.error(null);
    view.show("setup", false);
    view.status("Setup saved.");
    await connectImis();
  });
  document.getElementById("imis-sign-in").addEventListener("submit", async (event) => {
    event.preventDefault();
    const { username, password } = view.readImisSignIn();
    view.status("Signing in to iMIS…");
    try {
      await app.signInImis(username, password);
      view.error(null);
    } catch (e) {
      view.error(e.message);
      view.status("");
      return;
    }
    await connectImis();
  });
  document.getElementById("save").addEventListener("click", () => save(false));
  document.getElementById("save-again").addEventListener("click", () => save(true));
  document.getElementById("contacts").addEventListener("change", contactsChanged);
  document.getElementById("new-contact").addEventListener("submit", async (event) => {
    event.preventDefault();
    view.newContactErrors([]);
    try {
      view.addCreatedContact(await app.createContact(view.readNewContact()));
      view.error(null);
      view.status("Contact added to iMIS.");
      await contactsChanged();
    } catch (e) {
      if (e.fields) view.newContactErrors(e.fields);
      else handleError(e);
    }
  });
  document.getElementById("contact-search").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = event.target.elements.text.value;
    try {
      view.addSearchResults(await app.searchContacts(text));
    } catch (e) {
      handleError(e);
    }
  });
}

start().catch((e) => {
  view.error(`The add-in could not start: ${e.message ?? e}`);
});
