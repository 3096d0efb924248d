// Both manifests, offline.
// manifest.xml: valid against Microsoft's XSDs (xmllint; the three documented elements the
// shipped XSDs lack are added to a copy, see scripts/manifest-check.mjs), every resid defined,
// the read and compose buttons, the mobile read button with its 25/32/48 x 1/2/3 icons as
// files of the right size, multi-select on the read button, no wider permission than the
// item, and an Id that never changes.
// manifest.json: made by Microsoft's converter (offline, deterministic), valid against the
// JSON schema of its manifestVersion (npm @microsoft/app-manifest), and structurally sound.
// dist/manifest.xml and dist/manifest.json, when built, are checked the same way.
// `npm run validate` and `npm start` do what the README says.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  MANIFEST_ID,
  jsonSchemaFile,
  jsonSchemaProblems,
  jsonStructureProblems,
  patchedSchemas,
  pngInfo,
  root,
  schemaDir,
  withoutNewerElements,
  xmlProblems,
  xsdProblems,
} from "../scripts/manifest-check.mjs";
import { COLOR_ICON, CONVERTER_VERSION, OUTLINE_ICON, runConverter, serialize, unifiedManifest } from "../scripts/manifest-json.mjs";

const require = createRequire(import.meta.url);
const schemas = schemaDir();
const patched = patchedSchemas(schemas);
const scratch = mkdtempSync(path.join(tmpdir(), "manifest-test-"));
after(() => {
  rmSync(scratch, { recursive: true, force: true });
  rmSync(patched.dir, { recursive: true, force: true });
});
const tmpFile = (name, text) => {
  const f = path.join(scratch, name);
  writeFileSync(f, text);
  return f;
};

const xpath = (file, expr) =>
  execFileSync("xmllint", ["--xpath", expr, file], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
const local = (name) => `*[local-name()='${name}']`;
const type = (t) => `[@*[local-name()='type']='${t}']`;
const values = (file, expr) => [...xpath(file, expr).matchAll(/"([^"]*)"/g)].map((m) => m[1]);
const count = (file, expr) => Number(xpath(file, `count(${expr})`));

const SOURCE = path.join(root, "manifest.xml");
const DIST = path.join(root, "dist/manifest.xml");
const manifests = [SOURCE, DIST].filter(existsSync);
const assetsFor = (file) => path.join(path.dirname(file), file === SOURCE ? "www/assets" : "assets");

test("the shipped XSDs lack exactly the three documented elements the copy adds", () => {
  assert.deepEqual(patched.added, ["SupportsSharedFolders", "SupportsNoItemContext", "SupportsMultiSelect"]);
  const xsd = readFileSync(path.join(patched.dir, "MailAppVersionOverridesV1_1.xsd"), "utf8");
  // ShowTaskpane's sequence as in [MS-OWEMXML]: SourceLocation, SupportsPinning,
  // SupportsNoItemContext, SupportsMultiSelect.
  const show = xsd.slice(xsd.indexOf('<xs:complexType name="ShowTaskpane">'), xsd.indexOf('<xs:complexType name="ExecuteFunction">'));
  const order = ["SourceLocation", "SupportsPinning", "SupportsNoItemContext", "SupportsMultiSelect"].map((e) => show.indexOf(`name="${e}"`));
  assert.ok(order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1])), `order ${order}`);
});

for (const file of manifests) {
  const name = path.relative(root, file);
  const text = readFileSync(file, "utf8");

  test(`${name} validates against the XSDs with the documented newer elements`, () => {
    assert.deepEqual(xsdProblems(file, patched.dir), []);
  });

  test(`${name} without those elements validates against the shared XSDs unchanged`, () => {
    for (const e of ["SupportsSharedFolders", "SupportsMultiSelect"]) assert.match(text, new RegExp(`<${e}>true</${e}>`));
    const without = withoutNewerElements(text);
    assert.doesNotMatch(without, /<Supports(SharedFolders|MultiSelect|NoItemContext)>/);
    assert.deepEqual(xsdProblems(tmpFile("without.xml", without), schemas), []);
  });

  test(`${name}: every resid names a resource; images are files of the size they are used at`, () => {
    const used = new Set(values(file, "//@resid"));
    assert.ok(used.size >= 8, "the manifest uses resources");
    assert.deepEqual(xmlProblems(text, { assetsDir: assetsFor(file) }), []);
  });

  for (const surfaceType of ["MessageReadCommandSurface", "MessageComposeCommandSurface"]) test(`${name}: fixed Id, the permission multi-select needs, ${surfaceType} with the button`, () => {
    assert.equal(xpath(file, `string(/${local("OfficeApp")}/${local("Id")})`), MANIFEST_ID);
    // ReadWriteMailbox: Outlook's multi-select (getSelectedItemsAsync, loadItemByIdAsync)
    // requires it; it includes ReadWriteItem, which compose mode's saveAsync needs.
    assert.equal(xpath(file, `string(//${local("Permissions")})`), "ReadWriteMailbox");
    const surface = `//${local("DesktopFormFactor")}/${local("ExtensionPoint")}${type(surfaceType)}`;
    const button = `${surface}//${local("Control")}${type("Button")}`;
    const labelId = xpath(file, `string(${button}/${local("Label")}/@resid)`);
    assert.equal(xpath(file, `string(//${local("ShortStrings")}/${local("String")}[@id='${labelId}']/@DefaultValue)`), "Save to iMIS");
    assert.equal(xpath(file, `string(${button}/${local("Action")}/@*[local-name()='type'])`), "ShowTaskpane");
    const urlId = xpath(file, `string(${button}/${local("Action")}/${local("SourceLocation")}/@resid)`);
    const url = xpath(file, `string(//${local("Urls")}/${local("Url")}[@id='${urlId}']/@DefaultValue)`);
    assert.match(url, /^https:\/\/[^/]+\/taskpane\.html$/);
    for (const u of values(file, "//@DefaultValue").filter((v) => v.includes("://"))) {
      assert.ok(u.startsWith("https://"), `${u} is https`);
    }
  });

  test(`${name}: multi-select and pinning on the read button only; shared folders kept; commands from Mailbox 1.3`, () => {
    const action = (surface) => `//${local("DesktopFormFactor")}/${local("ExtensionPoint")}${type(surface)}//${local("Action")}`;
    const read = action("MessageReadCommandSurface");
    // Order as Microsoft documents it: SourceLocation, SupportsPinning, SupportsMultiSelect.
    assert.deepEqual(
      xpath(file, `${read}/*`).match(/<(\w+)/g),
      ["<SourceLocation", "<SupportsPinning", "<SupportsMultiSelect"],
    );
    assert.equal(xpath(file, `string(${read}/${local("SupportsPinning")})`), "true");
    assert.equal(xpath(file, `string(${read}/${local("SupportsMultiSelect")})`), "true");
    assert.equal(count(file, `${action("MessageComposeCommandSurface")}/${local("SupportsMultiSelect")}`), 0);
    assert.equal(count(file, `//${local("MobileFormFactor")}//${local("SupportsMultiSelect")}`), 0);
    assert.equal(xpath(file, `string(//${local("DesktopFormFactor")}/${local("SupportsSharedFolders")})`), "true");
    // Mobile supports Mailbox up to 1.5: 1.13 here would hide the commands there.
    assert.equal(xpath(file, `string(//${local("Requirements")}/${local("Sets")}/@DefaultMinVersion)`), "1.3");
  });

  test(`${name}: the mobile read surface, its button opening the pane, its nine icons`, () => {
    const mobile = `//${local("MobileFormFactor")}`;
    assert.equal(count(file, `${mobile}/${local("ExtensionPoint")}`), 1, "one mobile surface");
    const surface = `${mobile}/${local("ExtensionPoint")}${type("MobileMessageReadCommandSurface")}`;
    assert.equal(count(file, surface), 1, "read mode only");
    const button = `${surface}/${local("Group")}/${local("Control")}${type("MobileButton")}`;
    assert.equal(count(file, button), 1);
    const labelId = xpath(file, `string(${button}/${local("Label")}/@resid)`);
    assert.equal(xpath(file, `string(//${local("ShortStrings")}/${local("String")}[@id='${labelId}']/@DefaultValue)`), "Save to iMIS");
    assert.equal(xpath(file, `string(${button}/${local("Action")}/@*[local-name()='type'])`), "ShowTaskpane");
    const desktopUrl = xpath(file, `string(//${local("DesktopFormFactor")}//${local("Action")}/${local("SourceLocation")}/@resid)`);
    assert.equal(xpath(file, `string(${button}/${local("Action")}/${local("SourceLocation")}/@resid)`), desktopUrl);
    const icon = `${button}/${local("Icon")}`;
    assert.equal(xpath(file, `string(${icon}/@*[local-name()='type'])`), "bt:MobileIconList");
    for (const size of [25, 32, 48]) {
      for (const scale of [1, 2, 3]) {
        const resid = xpath(file, `string(${icon}/${local("Image")}[@size='${size}'][@scale='${scale}']/@resid)`);
        const url = xpath(file, `string(//${local("Images")}/${local("Image")}[@id='${resid}']/@DefaultValue)`);
        const png = path.join(assetsFor(file), path.basename(new URL(url).pathname));
        assert.ok(existsSync(png), `${url} (${size}@${scale}) is a file`);
        assert.equal(pngInfo(png).width, size * scale, `${url} is ${size * scale} px`);
      }
    }
    assert.equal(count(file, `${icon}/${local("Image")}`), 9);
  });
}

test("the checks catch what they are for: element order, icon sizes and files, scales", () => {
  const text = readFileSync(SOURCE, "utf8");
  const reordered = text
    .replace(/\s*<SupportsMultiSelect>true<\/SupportsMultiSelect>/, "")
    .replace("<SupportsPinning>true</SupportsPinning>", "<SupportsMultiSelect>true</SupportsMultiSelect><SupportsPinning>true</SupportsPinning>");
  assert.notDeepEqual(xsdProblems(tmpFile("order.xml", reordered), patched.dir), []);
  const broken = text.replace('size="48" scale="3"', 'size="48" scale="4"').replace("icon-75.png", "icon-76.png");
  const problems = xmlProblems(broken).join("\n");
  assert.match(problems, /icon-76\.png.*is not a file/);
  assert.match(problems, /48@4/);
  assert.match(xmlProblems(text.replace('resid="Icon.144"', 'resid="Icon.999"')).join("\n"), /resid "Icon.999"/);
});

// ---------------------------------------------------------------------------------------------
// The unified manifest

const sourceXml = readFileSync(SOURCE, "utf8");
const unified = unifiedManifest(sourceXml);

test("the converter is the pinned office-addin-manifest-converter and runs with no network", () => {
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  assert.equal(pkg.devDependencies["office-addin-manifest-converter"], CONVERTER_VERSION);
  assert.equal(CONVERTER_VERSION, "0.4.1");
  // Every socket and DNS lookup fails in this child: the conversion must not need them.
  const noNet = tmpFile(
    "no-network.cjs",
    `const net = require("net"), dns = require("dns"), tls = require("tls");
     const refuse = () => { throw new Error("network used"); };
     net.Socket.prototype.connect = refuse; tls.connect = refuse; dns.lookup = refuse;
     globalThis.fetch = refuse;`,
  );
  const cli = path.join(path.dirname(require.resolve("office-addin-manifest-converter/package.json")), "cli.js");
  const out = path.join(scratch, "offline");
  const r = spawnSync(process.execPath, ["--require", noNet, cli, "convert", SOURCE, "-o", out, "-v"], { encoding: "utf8" });
  assert.equal(r.status, 0);
  assert.equal(r.stderr, "", "no errors or warnings");
  assert.ok(existsSync(path.join(out, "manifest.json")));
  assert.match(r.stdout, /File download skipped/);
});

test("the conversion is deterministic and warning-free", () => {
  const first = runConverter(sourceXml);
  assert.deepEqual(first.warnings, []);
  assert.equal(serialize(unifiedManifest(sourceXml)), serialize(unified));
});

test(`manifest.json validates against the JSON schema of manifestVersion ${unified.manifestVersion} (offline)`, () => {
  assert.equal(unified.manifestVersion, "1.17");
  assert.ok(jsonSchemaFile("1.17"), "@microsoft/app-manifest ships the v1.17 schema");
  assert.deepEqual(jsonSchemaProblems(unified), []);
  // and the schema does reject what it should
  const bad = structuredClone(unified);
  delete bad.id;
  bad.extensions[0].runtimes[0].actions[0].multiselect = "yes";
  const problems = jsonSchemaProblems(bad).join("\n");
  assert.match(problems, /required property 'id'/);
  assert.match(problems, /multiselect must be boolean/);
});

test("manifest.json: structure, actions, ribbons, icons as files", () => {
  assert.deepEqual(jsonStructureProblems(unified), []);
  const ext = unified.extensions[0];
  assert.equal(unified.id, MANIFEST_ID);
  assert.deepEqual(ext.requirements.scopes, ["mail"]);
  const actions = new Map(ext.runtimes.flatMap((r) => r.actions).map((a) => [a.id, a]));
  const ribbon = (ff, ctx) => ext.ribbons.find((r) => r.requirements.formFactors.includes(ff) && r.contexts.includes(ctx));
  const readButton = ribbon("desktop", "mailRead").tabs[0].groups[0].controls[0];
  assert.equal(readButton.id, "SaveToImis.ReadButton");
  assert.deepEqual(
    [actions.get(readButton.actionId).pinnable, actions.get(readButton.actionId).multiselect],
    [true, true],
    "read: pinnable, multi-select",
  );
  const composeButton = ribbon("desktop", "mailCompose").tabs[0].groups[0].controls[0];
  assert.equal(actions.get(composeButton.actionId).multiselect, false);
  const mobile = ribbon("mobile", "mailRead");
  assert.deepEqual(mobile.contexts, ["mailRead"]);
  assert.equal(mobile.tabs[0].builtInTabId, "TabDefault");
  const group = mobile.tabs[0].customMobileRibbonGroups[0];
  assert.equal(group.id, "SaveToImis.MobileReadGroup");
  assert.equal(group.controls[0].id, "SaveToImis.MobileReadButton");
  assert.equal(group.controls[0].type, "mobileButton");
  assert.equal(group.controls[0].icons.length, 9);
  assert.doesNotMatch(JSON.stringify(unified), /placeholder/);
  // Shared folders carried over as the unified manifest's permission.
  assert.ok(unified.authorization.permissions.resourceSpecific.some((p) => p.name === "Mailbox.AccessSharedFolders.User"));
  assert.deepEqual(unified.icons, { color: COLOR_ICON, outline: OUTLINE_ICON });
  const color = pngInfo(path.join(root, "www", COLOR_ICON));
  assert.deepEqual([color.width, color.height], [192, 192]);
  // and the structure checks do reject what they should
  const bad = structuredClone(unified);
  bad.extensions[0].runtimes[0].actions[0].multiselect = false;
  bad.icons.outline = "assets/icon-32.png";
  const problems = jsonStructureProblems(bad).join("\n");
  assert.match(problems, /multi-select/);
  assert.match(problems, /icons.outline is assets\/icon-32.png/);
});

test("the outline icon is 32 x 32, white on transparent only", () => {
  const outline = pngInfo(path.join(root, "www", OUTLINE_ICON));
  assert.deepEqual([outline.width, outline.height], [32, 32]);
  let white = 0;
  for (let i = 0; i < outline.pixels.length; i += 4) {
    const [r, g, b, a] = outline.pixels.subarray(i, i + 4);
    assert.ok(a === 0 || (r === 255 && g === 255 && b === 255 && a === 255));
    if (a) white++;
  }
  assert.ok(white > 50, "the envelope is drawn");
});

if (existsSync(DIST)) {
  test("dist/manifest.json is the conversion of dist/manifest.xml, valid, with the build's URLs", () => {
    const distJson = path.join(root, "dist/manifest.json");
    assert.ok(existsSync(distJson), "the build writes dist/manifest.json");
    const text = readFileSync(distJson, "utf8");
    assert.equal(text, serialize(unifiedManifest(readFileSync(DIST, "utf8"))));
    const built = JSON.parse(text);
    assert.deepEqual(jsonSchemaProblems(built), []);
    assert.deepEqual(jsonStructureProblems(built, { assetsDir: path.join(root, "dist/assets") }), []);
    const pane = xpath(DIST, `string(//${local("Urls")}/${local("Url")}[@id='Taskpane.Url']/@DefaultValue)`);
    for (const r of built.extensions[0].runtimes) assert.equal(r.code.page, pane);
  });
}

test("a build for a real host rewrites every URL in both manifests", () => {
  assert.ok(existsSync(DIST), "run the build first");
  const urls = values(DIST, "//@DefaultValue").filter((v) => v.includes("://"));
  assert.ok(urls.length > 5);
  assert.ok(urls.every((u) => !u.startsWith("https://localhost:3000")), urls.join(" "));
  const json = readFileSync(path.join(root, "dist/manifest.json"), "utf8");
  assert.doesNotMatch(json, /https:\/\/localhost:3000/);
});

// ---------------------------------------------------------------------------------------------
// npm run validate, npm start

test("package.json: npm start and npm run validate are the manifest scripts", () => {
  const { scripts } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  assert.equal(scripts.validate, "node scripts/validate.mjs");
  assert.equal(scripts.start, "node scripts/start.mjs");
  assert.equal(scripts.demo, "bash scripts/demo.sh", "the demo stays npm run demo");
});

test("npm run validate passes offline and says why office-addin-manifest validate is not run", () => {
  const r = spawnSync(process.execPath, [path.join(root, "scripts/validate.mjs")], { encoding: "utf8", cwd: root });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /^FAIL/m);
  assert.match(r.stdout, /ok {4}manifest\.xml: XSDs/);
  assert.match(r.stdout, /ok {4}manifest\.json \(converted\): JSON schema v1\.17/);
  assert.match(r.stdout, /office-addin-manifest validate.*\n.*Microsoft web service/);
});

test("npm run validate fails on a broken manifest", () => {
  const copy = mkdtempSync(path.join(tmpdir(), "manifest-broken-"));
  try {
    execFileSync("cp", ["-r", path.join(root, "scripts"), path.join(root, "www"), path.join(root, "package.json"), copy]);
    execFileSync("ln", ["-s", path.join(root, "node_modules"), path.join(copy, "node_modules")]);
    writeFileSync(path.join(copy, "manifest.xml"), sourceXml.replace('resid="Taskpane.Url"', 'resid="Nowhere.Url"'));
    const r = spawnSync(process.execPath, [path.join(copy, "scripts/validate.mjs")], {
      encoding: "utf8",
      env: { ...process.env, MANIFEST_SCHEMAS: schemas },
    });
    assert.equal(r.status, 1);
    assert.match(r.stdout, /FAIL {2}manifest\.xml: resids/);
    assert.match(r.stdout, /Nowhere\.Url/);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});

test("npm start: no desktop Outlook on Linux, says how to sideload into Outlook on the web, exits 1", () => {
  const r = spawnSync(process.execPath, [path.join(root, "scripts/start.mjs"), "--platform", "linux"], { encoding: "utf8" });
  assert.equal(r.status, 1);
  assert.match(r.stdout, /there is no desktop Outlook here, so nothing was started/);
  assert.match(r.stdout, /Outlook on the web/);
  assert.match(r.stdout, /Add from file/);
  assert.match(r.stdout, /npm run demo/);
});

test("npm start on Windows and macOS: build, dev certificate, serve, office-addin-debugging start manifest.xml desktop", () => {
  for (const platform of ["win32", "darwin"]) {
    const r = spawnSync(process.execPath, [path.join(root, "scripts/start.mjs"), "--dry-run", "--platform", platform], { encoding: "utf8" });
    assert.equal(r.status, 0);
    const lines = r.stdout.trim().split("\n");
    assert.match(lines[0], /^ADDIN_URL=https:\/\/localhost:3000 node scripts\/build\.mjs$/);
    assert.match(lines[1], /office-addin-dev-certs@3\.0\.0 install$/);
    assert.match(lines[2], /^serve dist\/ https:\/\/localhost:3000$/);
    assert.match(lines[3], /--yes office-addin-debugging@7\.0\.0 start manifest\.xml desktop --app outlook --no-debug$/);
  }
});
