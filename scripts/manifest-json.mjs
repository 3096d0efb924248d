// The unified manifest (Microsoft 365 app model, manifest.json) made from manifest.xml by
// Microsoft's converter (npm office-addin-manifest-converter, pinned in package.json), offline:
// without --image-download it reads nothing from the network. It runs in a child process (it
// keeps global state and swallows its own errors, which -v prints and we check), and the same
// XML always gives the same JSON.
//
// Converter 0.4.1 writes manifestVersion 1.17. A few of its choices are then put right, each
// from manifest.xml or Microsoft's documentation, never by hand-editing the output:
//   1. SupportsMultiSelect / SupportsNoItemContext: 0.4.1 does not read them and writes
//      "multiselect": false; the action of each button that has them gets them back.
//   2. The mobile ribbon: 0.4.1 writes a custom tab with an empty placeholder group (control
//      id "", icon https://placeholder) and context "default", and renames the group and the
//      button. Microsoft documents the mobile button as "customMobileRibbonGroups" on the tab
//      whose builtInTabId is "TabDefault", in context "mailRead" for MobileMessageReadCommandSurface;
//      that is what is written, with the XML's own group and control ids.
//   3. icons: 0.4.1 takes IconUrl (64 px) and HighResolutionIconUrl (128 px); the unified
//      manifest wants a 192 x 192 color icon and a 32 x 32 white-on-transparent outline icon.
//   4. accentColor: the converter's default (#230201) becomes the icons' blue.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { DOMParser } from "@xmldom/xmldom";

const require = createRequire(import.meta.url);
const CONVERTER_CLI = path.join(path.dirname(require.resolve("office-addin-manifest-converter/package.json")), "cli.js");
export const CONVERTER_VERSION = require("office-addin-manifest-converter/package.json").version;

export const COLOR_ICON = "assets/icon-192.png";
export const OUTLINE_ICON = "assets/icon-outline-32.png";
export const ACCENT_COLOR = "#0F6CBD";

// Mobile command surfaces of the XML manifest and the unified manifest's ribbon context.
const MOBILE_CONTEXTS = {
  MobileMessageReadCommandSurface: "mailRead",
  MobileMessageComposeCommandSurface: "mailCompose",
  MobileAppointmentOrganizerCommandSurface: "meetingDetailsOrganizer",
  MobileAppointmentAttendeeCommandSurface: "meetingDetailsAttendee",
  MobileOnlineMeetingCommandSurface: "onlineMeetingDetailsOrganizer",
  MobileLogEventAppointmentAttendee: "logEventMeetingDetailsAttendee",
};

/**
 * Runs Microsoft's converter on the XML text: { manifest, warnings }. Throws on any error it
 * reports (it exits 0 on errors and prints them only with -v, on stderr).
 */
export function runConverter(xmlText) {
  const dir = mkdtempSync(path.join(tmpdir(), "manifest-convert-"));
  try {
    const input = path.join(dir, "manifest.xml");
    const out = path.join(dir, "out");
    writeFileSync(input, xmlText);
    const r = spawnSync(process.execPath, [CONVERTER_CLI, "convert", input, "-o", out, "-v"], { encoding: "utf8" });
    const said = (r.stderr ?? "").split("\n").filter(Boolean);
    const errors = said.filter((l) => !l.startsWith("[CONVERTER]: WARNING: "));
    const file = path.join(out, "manifest.json");
    if (r.error || r.status !== 0 || errors.length || !existsSync(file)) {
      throw new Error(`office-addin-manifest-converter ${CONVERTER_VERSION} failed: ${r.error ?? ""}${said.join("\n")}`);
    }
    return { manifest: JSON.parse(readFileSync(file, "utf8")), warnings: said };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const list = (nodes) => Array.from({ length: nodes.length }, (_, i) => nodes.item(i)); // xmldom 0.8: not iterable
const elements = (node, name) => list(node.getElementsByTagNameNS("*", name));
const child = (node, name) => list(node.childNodes).find((n) => n.nodeType === 1 && n.localName === name);
const xsiType = (node) => node.getAttributeNS("http://www.w3.org/2001/XMLSchema-instance", "type");
const isTrue = (node) => node?.textContent.trim() === "true";

/** The converter's output, put right from the XML it came from (see the header). */
export function fixUp(json, xmlText) {
  const doc = new DOMParser().parseFromString(xmlText, "text/xml");
  const m = structuredClone(json);
  const ext = m.extensions[0];
  const actions = new Map(ext.runtimes.flatMap((r) => r.actions ?? []).map((a) => [a.id, a]));
  const controls = new Map(
    ext.ribbons.flatMap((r) => r.tabs.flatMap((t) => (t.groups ?? []).flatMap((g) => g.controls ?? []))).map((c) => [c.id, c]),
  );

  // 1. multi-select and no-item context, per desktop button.
  for (const control of elements(doc, "Control")) {
    const action = child(control, "Action");
    if (!action || xsiType(action) !== "ShowTaskpane") continue;
    const flags = { multiselect: child(action, "SupportsMultiSelect"), supportsNoItemContext: child(action, "SupportsNoItemContext") };
    if (!flags.multiselect && !flags.supportsNoItemContext) continue;
    const id = control.getAttribute("id");
    const target = actions.get(controls.get(id)?.actionId);
    if (!target) throw new Error(`converted manifest has no action for button ${id}`);
    for (const [key, node] of Object.entries(flags)) if (node) target[key] = isTrue(node);
  }

  // 2. the mobile ribbons, in the XML's order.
  const mobilePoints = elements(doc, "MobileFormFactor").flatMap((f) =>
    elements(f, "ExtensionPoint").filter((p) => xsiType(p) in MOBILE_CONTEXTS),
  );
  const mobileRibbons = ext.ribbons.filter((r) => r.requirements?.formFactors?.includes("mobile"));
  if (mobilePoints.length !== mobileRibbons.length) {
    throw new Error(`${mobilePoints.length} mobile extension points in the XML, ${mobileRibbons.length} mobile ribbons converted`);
  }
  mobileRibbons.forEach((ribbon, i) => {
    const point = mobilePoints[i];
    const group = child(point, "Group");
    const groups = ribbon.tabs.flatMap((t) => t.customMobileRibbonGroups ?? []);
    if (groups.length !== 1 || !group) throw new Error("expected one mobile group per mobile extension point");
    const xmlControls = elements(group, "Control");
    if (xmlControls.length !== groups[0].controls.length) throw new Error("mobile controls do not match");
    groups[0].id = group.getAttribute("id");
    groups[0].controls.forEach((c, k) => (c.id = xmlControls[k].getAttribute("id")));
    ribbon.contexts = [MOBILE_CONTEXTS[xsiType(point)]];
    ribbon.tabs = [{ builtInTabId: "TabDefault", customMobileRibbonGroups: groups }];
  });

  // 3. and 4.
  m.icons = { color: COLOR_ICON, outline: OUTLINE_ICON };
  m.accentColor = ACCENT_COLOR;
  return m;
}

/** manifest.xml's text -> the unified manifest object. */
export function unifiedManifest(xmlText) {
  return fixUp(runConverter(xmlText).manifest, xmlText);
}

/** The text written to manifest.json: 4-space JSON (the converter's own layout), newline. */
export const serialize = (manifest) => `${JSON.stringify(manifest, null, 4)}\n`;
