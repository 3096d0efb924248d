// Wiring: Office.js and MSAL on one side, the Rust core (wasm) on the other, the view
// in between. The order of a save: read the email, sign in to iMIS, find the contact,
// save (the core plans, downloads, uploads and reports).

import { config, loadDeployment } from "./config.js";
import * as host from "./host.js";
import { graphTokenSource, signOut } from "./auth.js";
import * as view from "./view.js";

let core;
let app;
/** The email shown: `{data, reader}` from host.readCurrent(), or null. */
let current = null;
let item;
let settings;
/** A save the iMIS session ended in the middle of: run again after signing in. */
let pendingSave = null;
/** True while a save runs: a newly selected email is shown once it ends. */
let saving = false;
let switched = false;
/** The deployment's config.json: `{fixed, defaults}`. */
let deployment = { fixed: {}, defaults: {} };
/** The organisation's settings kept in iMIS (`loadOrgSettings`), once signed in; and
 * the site they were read from. */
let org = null;
let orgSite = null;
/** Setup is changing the settings for everyone (an iMIS administrator's choice). */
let orgEditing = false;

async function start() {
  // The core (wasm) and config.json load while Office.js starts: neither needs it.
  const loadingCore = import(/* webpackMode: "eager" */ "../../pkg/save_to_imis.js");
  let deploymentError = null;
  const loadingDeployment = loadDeployment().catch((e) => {
    deploymentError = e;
    return { fixed: {}, defaults: {} };
  });
  loadingCore.catch(() => {}); // outside Outlook it is not needed; inside, awaited below
  view.wireMenu();
  view.applyTheme(null);
  const inOutlook = await host.officeReady();
  if (!inOutlook) {
    view.status("Open this pane from an email in Outlook (Save to iMIS on the ribbon).");
    return;
  }
  view.applyTheme(host.officeTheme());
  host.onThemeChanged((theme) => view.applyTheme(theme));
  // Without an Office theme (older Outlook, mobile), the system's light or dark applies.
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
    if (!host.officeTheme()) view.applyTheme(null);
  });
  [core, deployment] = await Promise.all([loadingCore, loadingDeployment]);
  app = new core.App(graphTokenSource(() => settings), config.extraClouds);
  wireEvents();
  // A pinned pane stays open while the user selects another email.
  host.onItemChanged(() => {
    if (saving) switched = true;
    else showCurrent().catch(handleError);
  });
  host.onSelectionChanged(() => {
    if (!saving) showCurrent().catch(handleError);
  });
  const ok = applySettings(setupValues());
  await showCurrent(ok);
  if (!ok) openSetup();
  if (deploymentError) view.error(deploymentError.message, deploymentError.details);
}

/** Several emails selected: each is saved as its own record, one after the other. */
let selection = null;

async function showSelection(list, connect) {
  selection = list.slice(0, settings?.maxEmails ?? 10);
  const over = list.length - selection.length;
  const note = over > 0
    ? `Only the first ${selection.length} are saved at once (Setup: most emails saved at once); select fewer to save the rest.`
    : "Each email is saved to the iMIS contact its sender matches, with its attachments.";
  view.showEmails(selection, note);
  if (!connect) return;
  if (!app.isSignedInToImis()) {
    view.status("");
    view.askImisSignIn(settings.imisUrl, "", host.rememberedImisUser());
    return;
  }
  view.go("emails");
  document.getElementById("save-all").disabled = false;
  view.status(`Ready to save ${selection.length} emails.`);
}

/** Saves each selected email to the contact its sender matches (an email whose sender
 * matches no one contact is left for the user to save alone). */
async function saveAll() {
  const button = document.getElementById("save-all");
  button.disabled = true;
  saving = true;
  let saved = 0;
  try {
    for (const [index, summary] of selection.entries()) {
      view.status(`Saving email ${index + 1} of ${selection.length}…`);
      view.emailState(summary.itemId, "saving", "Saving…");
      try {
        const outcome = await host.withLoadedItem(summary.itemId, async ({ data, reader }) => {
          const matches = await app.findContacts(data);
          const chosen = matches.filter((m) => m.preselected);
          if (chosen.length === 0) return { skipped: "No single iMIS contact matches its sender: open it alone to choose." };
          const ids = [core.emailFileId(), ...data.attachments.filter((a) => !a.isInline).map((a) => a.id)];
          let bytes = { done: 0, total: 0 };
          const events = (e) => {
            if (e.total) {
              bytes = { done: e.done, total: e.total };
              view.emailState(summary.itemId, "saving", `${e.phase}…`, bytes.done, bytes.total);
            }
          };
          return { report: await app.save(data, chosen, ids, {}, events, reader), contact: chosen[0] };
        });
        if (outcome.skipped) {
          view.emailState(summary.itemId, "skipped", outcome.skipped);
          continue;
        }
        const { report, contact } = outcome;
        const stored = report.attachments.filter((a) => a.status === "saved" || a.status === "alreadySaved").length;
        const failed = report.attachments.filter((a) => a.status === "failed").length;
        const record = report.records.map((r) => r.id).join(", ");
        view.emailState(summary.itemId, failed ? "partial" : "saved",
          `Saved to ${contact.fullName} (record ${record}): ${stored} file(s)${failed ? `, ${failed} not stored` : ""}.`);
        saved += 1;
      } catch (e) {
        view.emailState(summary.itemId, "failed", e.message ?? String(e));
        if (e.kind === "imis-sign-in") {
          handleError(e);
          break;
        }
      }
    }
    view.status(`${saved} of ${selection.length} emails saved.`);
  } finally {
    saving = false;
    button.disabled = false;
  }
}

/** Counts showCurrent calls: a slower earlier one (Outlook reads items asynchronously)
 * must not show an email the user has moved away from meanwhile. */
let shown = 0;

/** Shows the email selected now (or says to select one), and its contacts. */
async function showCurrent(connect = true) {
  const mine = ++shown;
  const several = host.canLoadItems() ? await host.selectedItems().catch(() => null) : null;
  if (mine !== shown) return;
  if (several && several.length > 1) {
    current = null;
    item = null;
    await showSelection(several, connect);
    return;
  }
  selection = null;
  const read = await host.readCurrent();
  if (mine !== shown) return;
  current = read;
  item = current?.data;
  pendingSave = null;
  view.error(null);
  if (!item) {
    view.noEmail();
    view.status("Select an email to save it to iMIS.");
    return;
  }
  showItem();
  if (connect) await connectImis();
  else view.go("choose");
}

/** The email open now, as the settings in effect show it. */
function showItem() {
  view.showEmail(item, {
    includeInline: Boolean(settings?.includeInline),
    emailFile: Boolean(settings?.emailFile),
    emailFileId: core.emailFileId(),
    graphSignIn: Boolean(settings?.clientId),
  });
}

/** Applies Setup values in the core; shows Setup with the reasons when they are wrong. */
let settingsError = null;

function applySettings(values) {
  try {
    settings = app.applySettings(values);
    settingsError = null;
    return true;
  } catch (e) {
    settingsError = e;
    showSettingsError();
    return false;
  }
}

/** Wrong settings are said next to their fields; the message above only points there. */
function showSettingsError() {
  if (!settingsError) return;
  const fields = settingsError.fields ?? [];
  const tied = fields.length > 0 && fields.every((f) => document.querySelector(`#setup [name="${f.field}"]`));
  view.error(tied ? `Setup needs ${fields.length === 1 ? "one correction" : `${fields.length} corrections`}: see the marked field${fields.length === 1 ? "" : "s"}.` : settingsError.message);
  view.setupErrors(fields);
}

/** What applies, merged by the core (`layerSettings`): the deployment's fixed values,
 * then the organisation's settings in iMIS for the fields they own, then the user's own
 * over the starting values (built in, then config.json's). iMIS is on the pane's own
 * origin (plus the deployment's path) unless Setup or the deployment names another. */
function layered(own = host.loadSettings()) {
  // The user's own values win over the starting values, an explicitly cleared one too.
  const personal = { ...starting(), ...(own ?? {}) };
  return core.layerSettings(deployment.fixed, org?.found ? org.values : null, personal);
}

function setupValues(own) {
  return withDefaultImis(layered(own).values);
}

function withDefaultImis(values) {
  return { ...values, imisUrl: values.imisUrl || `${location.origin}${config.imisPath ?? ""}` };
}

/** The deployment's starting values: built in, then config.json's `defaults`. */
const starting = () => ({ ...config.defaults, ...deployment.defaults });

/** What a field is without the user's own value. */
function inherited() {
  return { ...core.settingDefaults(), ...starting() };
}

const nonEmpty = (values) => Object.fromEntries(Object.entries(values ?? {}).filter(([, v]) => v !== "" && v != null));

/** Reads the settings for everyone from iMIS once per site and applies them. An
 * unreadable document is said, and the pane goes on with what it has. */
async function loadOrg() {
  if (orgSite === settings.imisUrl) return;
  orgSite = settings.imisUrl;
  try {
    org = await app.loadOrgSettings();
  } catch (e) {
    org = null;
    if (e.kind === "imis-sign-in") throw e;
    view.error(`The settings for everyone could not be read, so your own apply for now. ${e.message}`, e.details);
  }
  applySettings(setupValues());
}

function openSetup() {
  view.closeMenu();
  view.error(null);
  const { layers } = layered();
  const fixed = {};
  for (const [field, value] of Object.entries(deployment.fixed)) fixed[field] = { value, source: "your organisation's deployment (config.json)" };
  const byAdmin = org?.found && !orgEditing;
  if (byAdmin) {
    for (const [field, owner] of Object.entries(layers)) {
      if (owner === "organisation" && !fixed[field]) fixed[field] = { value: org.values[field] ?? "", source: "your iMIS administrator, for everyone" };
    }
  }
  view.fillSetup(orgEditing ? { ...nonEmpty(org?.values ?? {}) } : host.loadSettings(), {
    inherited: { ...inherited(), ...Object.fromEntries(Object.entries(fixed).map(([f, v]) => [f, v.value])) },
    fixed,
  });
  view.orgStatus(org, app.isSignedInToImis(), orgEditing);
  view.go("setup");
  showSettingsError();
}

async function connectImis(reason) {
  if (selection) {
    await showSelection(selection, true);
    return;
  }
  if (!item) return;
  if (!settings?.imisUrl) {
    view.status("Enter the iMIS site URL in Menu > Setup.");
    openSetup();
    return;
  }
  if (!app.isSignedInToImis()) {
    view.status("");
    view.askImisSignIn(settings.imisUrl, reason, host.rememberedImisUser());
    return;
  }
  view.imisUser(app.imisUser());
  // Another email shown meanwhile (showCurrent) takes over from here.
  const mine = shown;
  try {
    const before = JSON.stringify(settings);
    await loadOrg();
    if (mine !== shown) return;
    if (JSON.stringify(settings) !== before) showItem();
  } catch (e) {
    return handleError(e);
  }
  view.go("choose");
  view.offerNewContact(null);
  view.status("Looking for the sender in iMIS…");
  let matches;
  try {
    matches = await app.findContacts(item);
  } catch (e) {
    return handleError(e);
  }
  if (mine !== shown) return;
  view.showContacts(matches);
  view.offerNewContact(matches.length || settings.contactCreation === "nobody" ? null : app.newContactDraft(item));
  // A save the session ended goes on for the contacts it was started with, not the
  // ones the fresh lookup preselects.
  if (pendingSave) view.chooseContacts(pendingSave.chosen);
  view.status(matches.length ? "" : "No address of this email belongs to an iMIS contact: search iMIS, or add the sender below.");
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
    const saved = chosen.length ? await app.findSaved(item, chosen) : [];
    view.showSaved(saved, Boolean(settings.allowDuplicateEmails));
    // Already saved: each file says whether iMIS has it; Save adds only the missing.
    view.markStored(saved.length ? new Set(await app.findStoredFiles(item, chosen, view.selectedAttachments())) : null);
  } catch (e) {
    handleError(e);
  }
}

/** Says what went wrong once, where it belongs: a session iMIS ended asks for the
 * password (the save goes on after), a setting takes the user to Setup. */
function handleError(e) {
  view.status("");
  if (e.kind === "imis-sign-in") {
    app.signOutImis();
    view.error(null);
    view.askImisSignIn(settings.imisUrl, "Your iMIS session has ended", host.rememberedImisUser(), { inline: Boolean(pendingSave) });
  } else if (e.kind === "settings") {
    settingsError = e;
    openSetup();
  } else {
    view.error(e.message ?? String(e), e.details);
  }
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
    : event.phase === "retrying" ? event.detail
    : event.phase === "leftOut" ? `Not saved: ${event.detail}`
    : PHASES[event.phase] ?? event.phase;
  view.attachmentState(event.id, event.phase, text, event.done, event.total);
}

async function save(again = false, withoutGraph = false) {
  const chosen = view.chosenContacts();
  if (chosen.length === 0) {
    view.error("Choose at least one iMIS contact to save this email to.");
    return;
  }
  // Everything the save reads comes from the email it started with.
  const target = current;
  const buttons = ["save", "save-again"].map((id) => document.getElementById(id));
  for (const b of buttons) b.disabled = true;
  view.error(null);
  view.graphChoice(null);
  saving = true;
  const selected = view.selectedAttachments();
  document.getElementById("cancel").disabled = false;
  view.startProgress();
  try {
    const options = { again, withoutGraph };
    const report = await app.save(target.data, chosen, selected, options, onEvent, target.reader);
    view.showReport(report, target.data.subject);
    const failed = report.attachments.filter((a) => a.status === "failed");
    // The card says what happened; the status line only adds what to do, and offers a
    // second save only where it can help.
    const retry = failed.some((a) => a.again) ? " Saving again retries only those." : "";
    view.status(report.cancelled ? "Cancelled. The card says what was stored; saving again adds the rest."
      : failed.length ? `${failed.length} file(s) could not be saved: see why in the details.${retry}` : "");
  } catch (e) {
    view.go("choose");
    // The iMIS session ended mid-save: after signing in, the save goes on where it
    // stopped (what is in iMIS already is found, not uploaded again).
    if (e.kind === "imis-sign-in") pendingSave = { again, chosen };
    // Microsoft sign-in failed or was cancelled before anything was written: the user
    // chooses to sign in again or to save without it.
    if (e.kind === "cancelled") {
      view.status("Cancelled: nothing was saved.");
    } else if (e.kind === "graph-sign-in") {
      view.graphChoice(`Nothing was saved yet. ${e.message}`, Boolean(target.data.hostContent), e.details);
    } else handleError(e);
  } finally {
    saving = false;
    for (const b of buttons) b.disabled = false;
  }
  if (switched) {
    switched = false;
    await showCurrent();
  }
}

/** The user's own values of the fields that are theirs (personal or deployment ones). */
function personalOnly(values) {
  const { layers } = layered();
  return Object.fromEntries(Object.entries(values).filter(([f]) => layers[f] !== "organisation"));
}

/** Setup in "for everyone" mode: the organisation's fields go to iMIS (which decides
 * who may write them); the rest stay the user's. True when stored. */
async function saveForEveryone(values) {
  const { layers } = layered();
  const orgValues = Object.fromEntries(Object.entries(values).filter(([f]) => layers[f] === "organisation"));
  const trial = core.layerSettings(deployment.fixed, orgValues, { ...starting(), ...personalOnly(values) });
  if (!applySettings(withDefaultImis(trial.values))) return false;
  view.status("Saving the settings for everyone in iMIS…");
  try {
    org = await app.saveOrgSettings(orgValues);
    orgSite = settings.imisUrl;
  } catch (e) {
    view.status("");
    if (e.fields) view.setupErrors(e.fields);
    view.error(e.message, e.details);
    applySettings(setupValues());
    return false;
  }
  applySettings(setupValues(personalOnly(values)));
  return true;
}

function wireEvents() {
  document.getElementById("setup-org-edit").addEventListener("click", () => {
    orgEditing = true;
    openSetup();
    view.status("Changing the settings for everyone: they apply to every user once saved.");
  });
  document.getElementById("cancel").addEventListener("click", () => {
    app.cancelSave();
    document.getElementById("cancel").disabled = true;
    view.status("Cancelling: what was already sent to iMIS finishes, nothing new starts…");
  });
  document.getElementById("menu-setup").addEventListener("click", openSetup);
  document.getElementById("menu-imis-sign-out").addEventListener("click", () => {
    app.signOutImis();
    view.closeMenu(true);
    view.imisUser(null);
    view.status("Signed out of iMIS.");
    if (view.currentView() !== "setup") connectImis();
  });
  document.getElementById("menu-microsoft-sign-out").addEventListener("click", async () => {
    await signOut(settings);
    view.closeMenu(true);
    view.status("Signed out of Microsoft: the next save asks you to sign in.");
  });
  document.getElementById("setup-cancel").addEventListener("click", () => {
    orgEditing = false;
    view.error(null);
    view.leaveSetup();
  });
  document.getElementById("setup-test").addEventListener("click", async () => {
    const button = document.getElementById("setup-test");
    if (!applySettings(setupValues(view.readSetup()))) return;
    view.error(null);
    view.clearChecks();
    button.disabled = true;
    view.status(settings.clientId ? "Testing the configuration… A Microsoft sign-in window may open." : "Testing the configuration…");
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
    if (orgEditing) {
      if (!(await saveForEveryone(values))) return;
    } else if (!applySettings(setupValues(values))) return;
    try {
      await host.saveSettings(orgEditing ? personalOnly(values) : values);
    } catch (e) {
      view.error(`Setup works for now but could not be kept for next time: ${e.message}`);
    }
    orgEditing = false;
    view.error(null);
    view.status("Setup saved.");
    // Changes apply at once, to the email already open too.
    view.leaveSetup();
    if (item) showItem();
    await connectImis();
  });
  document.getElementById("imis-sign-in").addEventListener("submit", async (event) => {
    event.preventDefault();
    const { username, password } = view.readImisSignIn();
    view.status("Signing in to iMIS…");
    try {
      await app.signInImis(username, password);
      view.error(null);
      host.rememberImisUser(username);
    } catch (e) {
      view.error(e.message, e.details);
      view.status("");
      document.getElementById("password").focus();
      return;
    }
    view.status("");
    await connectImis();
  });
  document.getElementById("save").addEventListener("click", () => save(false));
  document.getElementById("save-all").addEventListener("click", () => saveAll());
  document.getElementById("graph-retry").addEventListener("click", () => save(false));
  document.getElementById("graph-skip").addEventListener("click", () => save(false, true));
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
