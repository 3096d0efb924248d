// Offline checks of both manifests, shared by `npm run validate` (scripts/validate.mjs) and
// `npm test` (tests/manifest.test.mjs). Each check returns a list of problems (empty: fine).
//
// XML: xmllint against Microsoft's XSDs in ../shared/manifest-schemas (or $MANIFEST_SCHEMAS).
// Those XSDs predate three elements Microsoft documents for Mail 1.1 VersionOverrides:
// SupportsSharedFolders (first, optional, boolean child of DesktopFormFactor) and
// SupportsNoItemContext, SupportsMultiSelect (optional booleans after SupportsPinning in
// ShowTaskpane, in that order, as in the current [MS-OWEMXML] ShowTaskpane fragment). The
// manifest is validated against a copy with exactly those added, and, with them removed,
// against the XSDs unchanged.
//
// JSON: the JSON schema of the manifestVersion the converter writes (1.17), as shipped in
// npm @microsoft/app-manifest (build/json-schemas/teams/v1.17), with ajv (draft-04), plus
// checks the schema cannot make: every actionId names an action, icons exist as files of the
// right size, the read button's action is pinnable and multi-select, URLs are https.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { inflateSync } from "node:zlib";
import { DOMParser } from "@xmldom/xmldom";
import { COLOR_ICON, OUTLINE_ICON } from "./manifest-json.mjs";

const require = createRequire(import.meta.url);
export const root = fileURLToPath(new URL("../", import.meta.url));
export const MANIFEST_ID = "6f1c0d2a-93b4-4e57-a8c1-2d9e4b7f3a10";
export const DEV_ORIGIN = "https://localhost:3000";
export const schemaDir = () => process.env.MANIFEST_SCHEMAS ?? path.join(root, "../shared/manifest-schemas");

// ---------------------------------------------------------------------------------------------
// XML

export const NEWER_ELEMENTS = ["SupportsSharedFolders", "SupportsNoItemContext", "SupportsMultiSelect"];
const ADDITIONS = [
  {
    element: "SupportsSharedFolders",
    // first child of FormFactor's sequence
    at: (xsd) => xsd.indexOf("<xs:sequence>", xsd.indexOf('<xs:complexType name="FormFactor">')) + "<xs:sequence>".length,
    xml: '<xs:element name="SupportsSharedFolders" type="xs:boolean" minOccurs="0" maxOccurs="1"/>',
  },
  {
    element: "SupportsNoItemContext",
    // after ShowTaskpane's SupportsPinning
    at: (xsd) => {
      const pin = '<xs:element name="SupportsPinning" type="xs:boolean" minOccurs="0" maxOccurs="1" />';
      const i = xsd.indexOf(pin, xsd.indexOf('<xs:complexType name="ShowTaskpane">'));
      return i < 0 ? -1 : i + pin.length;
    },
    xml: '<xs:element name="SupportsNoItemContext" type="xs:boolean" minOccurs="0" maxOccurs="1"/>',
  },
  {
    element: "SupportsMultiSelect",
    at: (xsd) => {
      const prev = '<xs:element name="SupportsNoItemContext" type="xs:boolean" minOccurs="0" maxOccurs="1"/>';
      const i = xsd.indexOf(prev, xsd.indexOf('<xs:complexType name="ShowTaskpane">'));
      return i < 0 ? -1 : i + prev.length;
    },
    xml: '<xs:element name="SupportsMultiSelect" type="xs:boolean" minOccurs="0" maxOccurs="1"/>',
  },
];

/** A temporary copy of the XSDs with the documented newer elements added: { dir, added }. */
export function patchedSchemas(from = schemaDir()) {
  const dir = mkdtempSync(path.join(tmpdir(), "manifest-xsd-"));
  cpSync(from, dir, { recursive: true });
  const file = path.join(dir, "MailAppVersionOverridesV1_1.xsd");
  let xsd = readFileSync(file, "utf8");
  const added = [];
  for (const a of ADDITIONS) {
    if (xsd.includes(`name="${a.element}"`)) continue; // a newer XSD has it already
    const at = a.at(xsd);
    if (at <= 0) throw new Error(`cannot find where ${a.element} goes in ${file}`);
    xsd = `${xsd.slice(0, at)}\n          ${a.xml}${xsd.slice(at)}`;
    added.push(a.element);
  }
  writeFileSync(file, xsd);
  return { dir, added };
}

/** The XML without the elements the shipped XSDs lack. */
export const withoutNewerElements = (text) =>
  NEWER_ELEMENTS.reduce((t, e) => t.replace(new RegExp(`\\s*<${e}>[^<]*</${e}>`, "g"), ""), text);

export function hasXmllint() {
  return spawnSync("xmllint", ["--version"], { stdio: "ignore" }).status === 0;
}

/** xmllint --schema: problems (xmllint's own messages). */
export function xsdProblems(file, schemas) {
  const r = spawnSync("xmllint", ["--noout", "--schema", path.join(schemas, "OfficeAppManifestV1_1.xsd"), file], { encoding: "utf8" });
  if (r.error) return [`xmllint could not run (${r.error.message}): install libxml2-utils`];
  return r.status === 0 ? [] : r.stderr.split("\n").filter((l) => l && !l.endsWith(" validates"));
}

const list = (nodes) => Array.from({ length: nodes.length }, (_, i) => nodes.item(i));
const elements = (node, name) => list(node.getElementsByTagNameNS("*", name));
const children = (node, name) => list(node.childNodes).filter((n) => n.nodeType === 1 && n.localName === name);
const xsiType = (node) => node.getAttributeNS("http://www.w3.org/2001/XMLSchema-instance", "type");
export const parseXml = (text) => new DOMParser().parseFromString(text, "text/xml");

/** Where an add-in URL's file is: https://host/assets/x.png -> <assetsDir>/x.png. */
const assetFile = (url, assetsDir) => {
  const p = new URL(url).pathname;
  return p.startsWith("/assets/") ? path.join(assetsDir, p.slice("/assets/".length)) : null;
};

/**
 * What the XSDs cannot check: every resid is defined; every image resource is a PNG file in
 * assetsDir of the size its uses say; the mobile button's icon list has 25/32/48 at scale
 * 1/2/3; multi-select is on the read button.
 */
export function xmlProblems(text, { assetsDir = path.join(root, "www/assets") } = {}) {
  const problems = [];
  const doc = parseXml(text);
  const defined = new Map();
  for (const kind of ["Images", "Urls", "ShortStrings", "LongStrings"]) {
    for (const r of elements(doc, kind).flatMap((k) => list(k.childNodes).filter((n) => n.nodeType === 1))) {
      defined.set(r.getAttribute("id"), { kind, value: r.getAttribute("DefaultValue") });
    }
  }
  const uses = elements(doc, "*").filter((n) => n.hasAttribute?.("resid"));
  for (const n of uses) {
    if (!defined.has(n.getAttribute("resid"))) problems.push(`resid "${n.getAttribute("resid")}" (${n.localName}) is not defined`);
  }
  // Images: the file exists, and is as large as every use says (size x scale pixels).
  for (const img of uses.filter((n) => n.localName === "Image")) {
    const res = defined.get(img.getAttribute("resid"));
    if (!res) continue;
    const px = Number(img.getAttribute("size")) * Number(img.getAttribute("scale") || 1);
    const file = assetFile(res.value, assetsDir);
    if (!file || !existsSync(file)) {
      problems.push(`image ${img.getAttribute("resid")} (${res.value}) is not a file in ${assetsDir}`);
      continue;
    }
    const { width, height } = pngInfo(file);
    if (width !== px || height !== px) problems.push(`${res.value} is ${width}x${height}, its use needs ${px}x${px}`);
  }
  for (const [name, px] of [["IconUrl", 64], ["HighResolutionIconUrl", 128]]) {
    const url = elements(doc, name)[0]?.getAttribute("DefaultValue");
    const file = url && assetFile(url, assetsDir);
    if (!file || !existsSync(file)) problems.push(`${name} ${url} is not a file in ${assetsDir}`);
    else if (pngInfo(file).width !== px) problems.push(`${name} should be ${px}x${px}`);
  }
  for (const [id, res] of defined) {
    if (res.kind === "Images" && !uses.some((n) => n.getAttribute("resid") === id)) problems.push(`image ${id} is never used`);
  }
  // The mobile read surface: a MobileButton whose icon list is 25, 32, 48 at scales 1, 2, 3.
  const mobile = elements(doc, "MobileFormFactor").flatMap((f) => elements(f, "ExtensionPoint"));
  const read = mobile.filter((p) => xsiType(p) === "MobileMessageReadCommandSurface");
  if (read.length !== 1) problems.push("MobileFormFactor needs one MobileMessageReadCommandSurface");
  if (mobile.some((p) => xsiType(p) !== "MobileMessageReadCommandSurface")) problems.push("mobile surfaces other than read mode");
  for (const p of read) {
    for (const c of elements(p, "Control")) {
      if (xsiType(c) !== "MobileButton") problems.push(`mobile control ${c.getAttribute("id")} is not a MobileButton`);
      const icon = children(c, "Icon")[0];
      if (xsiType(icon) !== "bt:MobileIconList") problems.push("mobile Icon needs xsi:type=\"bt:MobileIconList\"");
      const got = elements(icon, "Image").map((i) => `${i.getAttribute("size")}@${i.getAttribute("scale")}`).sort();
      const want = [25, 32, 48].flatMap((s) => [1, 2, 3].map((k) => `${s}@${k}`)).sort();
      if (got.join() !== want.join()) problems.push(`mobile icons are ${got.join(" ")}, want ${want.join(" ")}`);
      const action = children(c, "Action")[0];
      if (xsiType(action) !== "ShowTaskpane") problems.push("the mobile button does not open the task pane");
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// PNG

/** width, height, and RGBA pixels (8-bit RGBA, non-interlaced only) of a PNG file. */
export function pngInfo(file) {
  const buf = readFileSync(file);
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error(`${file} is not a PNG`);
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  const [depth, colorType, , , interlace] = buf.subarray(24, 29);
  const idat = [];
  for (let at = 8; at < buf.length; ) {
    const len = buf.readUInt32BE(at);
    if (buf.toString("ascii", at + 4, at + 8) === "IDAT") idat.push(buf.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  const info = { width, height, depth, colorType };
  if (depth !== 8 || colorType !== 6 || interlace !== 0) return info;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const px = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= 4 ? px[y * stride + x - 4] : 0;
      const b = y > 0 ? px[(y - 1) * stride + x] : 0;
      const c = x >= 4 && y > 0 ? px[(y - 1) * stride + x - 4] : 0;
      const paeth = () => {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      };
      const pred = [0, a, b, (a + b) >> 1, null][filter] ?? paeth();
      px[y * stride + x] = (v + pred) & 0xff;
    }
  }
  return { ...info, pixels: px };
}

// ---------------------------------------------------------------------------------------------
// JSON

export const APP_MANIFEST_DIR = path.dirname(require.resolve("@microsoft/app-manifest"));
export const APP_MANIFEST_VERSION = JSON.parse(readFileSync(path.join(APP_MANIFEST_DIR, "../package.json"), "utf8")).version;

/** The JSON schema file for a manifestVersion, from npm @microsoft/app-manifest, or null. */
export function jsonSchemaFile(manifestVersion) {
  const file = path.join(APP_MANIFEST_DIR, "json-schemas/teams", `v${manifestVersion}`, "MicrosoftTeams.schema.json");
  return existsSync(file) ? file : null;
}

/** ajv against the schema of the manifest's own manifestVersion. */
export function jsonSchemaProblems(manifest) {
  const file = jsonSchemaFile(manifest.manifestVersion);
  if (!file) {
    return [`no JSON schema for manifestVersion ${manifest.manifestVersion} in @microsoft/app-manifest ${APP_MANIFEST_VERSION}`];
  }
  const expected = `https://developer.microsoft.com/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`;
  const problems = manifest.$schema?.replace(/#$/, "") === expected ? [] : [`$schema ${manifest.$schema} is not ${expected}`];
  const Ajv = require("ajv-draft-04");
  const addFormats = require("ajv-formats");
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  addFormats(ajv, ["uri", "email", "regex"]);
  const validate = ajv.compile(JSON.parse(readFileSync(file, "utf8")));
  if (!validate(manifest)) {
    for (const e of validate.errors) problems.push(`${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
  }
  return problems;
}

const REQUIRED_TOP = ["$schema", "manifestVersion", "version", "id", "developer", "name", "description", "icons", "accentColor", "extensions"];

/** What a schema cannot check (also run when the schema is there). */
export function jsonStructureProblems(m, { assetsDir = path.join(root, "www/assets"), id = MANIFEST_ID } = {}) {
  const problems = [];
  const need = (ok, msg) => ok || problems.push(msg);
  for (const k of REQUIRED_TOP) need(k in m, `no top-level "${k}"`);
  need(m.id === id, `id ${m.id} is not the add-in's fixed Id ${id}`);
  const ext = m.extensions?.[0];
  if (!ext) return problems;
  need(m.extensions.length === 1, "more than one extension");
  need(ext.requirements?.scopes?.includes("mail"), "extensions[0].requirements.scopes lacks mail");
  need(ext.requirements?.capabilities?.some((c) => c.name === "Mailbox"), "extensions[0].requirements has no Mailbox capability");
  const actions = new Map();
  for (const r of ext.runtimes ?? []) {
    need(/^https:\/\/[^/]+\/taskpane\.html$/.test(r.code?.page ?? ""), `runtime ${r.id} page ${r.code?.page} is not the https task pane`);
    for (const a of r.actions ?? []) actions.set(a.id, a);
  }
  need(actions.size > 0, "no runtime actions");
  const ribbons = ext.ribbons ?? [];
  const controlsOf = (r) =>
    r.tabs.flatMap((t) => [...(t.groups ?? []), ...(t.customMobileRibbonGroups ?? [])].flatMap((g) => g.controls ?? []));
  for (const r of ribbons) {
    for (const c of controlsOf(r)) {
      need(actions.has(c.actionId), `control ${c.id} names no action (${c.actionId})`);
      need(c.id, "a control without an id");
      for (const icon of c.icons ?? []) {
        need(icon.url.startsWith("https://"), `${icon.url} is not https`);
        const file = assetFile(icon.url, assetsDir);
        if (!file || !existsSync(file)) {
          problems.push(`icon ${icon.url} is not a file in ${assetsDir}`);
          continue;
        }
        const px = icon.size * (icon.scale ?? 1);
        const { width } = pngInfo(file);
        need(width === px, `${icon.url} is ${width} px wide, ${c.id} says ${px}`);
      }
    }
  }
  const ribbon = (ff, ctx) => ribbons.find((r) => r.requirements?.formFactors?.includes(ff) && r.contexts.includes(ctx));
  const read = ribbon("desktop", "mailRead");
  const compose = ribbon("desktop", "mailCompose");
  const mobile = ribbon("mobile", "mailRead");
  need(read && compose && mobile, "ribbons for desktop read, desktop compose and mobile read");
  if (read) {
    const a = actions.get(controlsOf(read)[0]?.actionId);
    need(a?.type === "openPage" && a.pinnable === true && a.multiselect === true, "the read button's action opens the pane, pinnable and multi-select");
  }
  if (mobile) {
    need(mobile.tabs.length === 1 && mobile.tabs[0].builtInTabId === "TabDefault", "the mobile ribbon is on TabDefault");
    const c = controlsOf(mobile);
    need(c.length === 1 && c[0].type === "mobileButton", "one mobileButton on mobile");
    need(actions.get(c[0]?.actionId)?.type === "openPage", "the mobile button opens the pane");
  }
  // The app package icons: relative paths, next to manifest.json (assetsDir's parent).
  const base = path.dirname(assetsDir);
  for (const [key, rel, size] of [["color", COLOR_ICON, 192], ["outline", OUTLINE_ICON, 32]]) {
    need(m.icons?.[key] === rel, `icons.${key} is ${m.icons?.[key]}, want ${rel}`);
    const file = path.join(base, m.icons?.[key] ?? "");
    if (!m.icons?.[key] || !existsSync(file)) {
      problems.push(`icons.${key} ${m.icons?.[key]} is not a file under ${base}`);
      continue;
    }
    const info = pngInfo(file);
    need(info.width === size && info.height === size, `icons.${key} is ${info.width}x${info.height}, want ${size}x${size}`);
    if (key === "outline") {
      need(info.pixels, "the outline icon is not 8-bit RGBA");
      const px = info.pixels ?? [];
      let bad = 0;
      for (let i = 0; i < px.length; i += 4) {
        const transparent = px[i + 3] === 0;
        const white = px[i] === 255 && px[i + 1] === 255 && px[i + 2] === 255;
        if (!transparent && !white) bad++;
      }
      need(bad === 0, `the outline icon has ${bad} pixels neither white nor transparent`);
    }
  }
  for (const u of JSON.stringify(m).match(/"https?:\/\/[^"]*"/g) ?? []) need(u.startsWith('"https://'), `${u} is not https`);
  return problems;
}

/** Where Outlook-relevant URLs of a manifest text point: the set of origins. */
export const origins = (text) => new Set([...text.matchAll(/https:\/\/[^/"\s<]+/g)].map((m) => m[0]));
