// manifest.xml: valid against Microsoft's XSDs (offline, xmllint), every resid defined,
// the read command surface with its button, no wider permission than reading the item,
// and an Id that never changes. The built dist/manifest.xml is checked the same way.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const schemas = process.env.MANIFEST_SCHEMAS ?? `${root}../shared/manifest-schemas`;
const MANIFEST_ID = "6f1c0d2a-93b4-4e57-a8c1-2d9e4b7f3a10";

// The shared XSDs predate <SupportsSharedFolders>, which Microsoft documents as the first,
// optional, boolean child of DesktopFormFactor in Mail 1.1 VersionOverrides. Validate
// against a copy with exactly that one element added, and check that it is the only change.
const FORM_FACTOR_START = '<xs:complexType name="FormFactor">';
const ADDED = '<xs:element name="SupportsSharedFolders" type="xs:boolean" minOccurs="0" maxOccurs="1"/>';
function schemaCopy() {
  const dir = mkdtempSync(`${tmpdir()}/manifest-xsd-`);
  cpSync(schemas, dir, { recursive: true });
  const file = `${dir}/MailAppVersionOverridesV1_1.xsd`;
  const xsd = readFileSync(file, "utf8");
  const at = xsd.indexOf("<xs:sequence>", xsd.indexOf(FORM_FACTOR_START)) + "<xs:sequence>".length;
  assert.ok(at > "<xs:sequence>".length && !xsd.includes("SupportsSharedFolders"));
  writeFileSync(file, `${xsd.slice(0, at)}\n      ${ADDED}${xsd.slice(at)}`);
  return dir;
}
const patchedSchemas = schemaCopy();

const xpath = (file, expr) =>
  execFileSync("xmllint", ["--xpath", expr, file], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
const local = (name) => `*[local-name()='${name}']`;
const values = (file, expr) => [...xpath(file, expr).matchAll(/"([^"]*)"/g)].map((m) => m[1]);

const manifests = [`${root}manifest.xml`, `${root}dist/manifest.xml`].filter(existsSync);

for (const file of manifests) {
  const name = file.slice(root.length);

  test(`${name} validates against the manifest XSDs (with SupportsSharedFolders)`, () => {
    const out = execFileSync("xmllint", ["--noout", "--schema", `${patchedSchemas}/OfficeAppManifestV1_1.xsd`, file], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    assert.equal(out, "");
  });

  test(`${name} without SupportsSharedFolders validates against the shared XSDs unchanged`, () => {
    const without = `${mkdtempSync(`${tmpdir()}/manifest-`)}/manifest.xml`;
    const text = readFileSync(file, "utf8");
    assert.match(text, /<SupportsSharedFolders>true<\/SupportsSharedFolders>/);
    writeFileSync(without, text.replace(/\s*<SupportsSharedFolders>true<\/SupportsSharedFolders>/, ""));
    execFileSync("xmllint", ["--noout", "--schema", `${schemas}/OfficeAppManifestV1_1.xsd`, without], { stdio: "ignore" });
  });

  test(`${name}: every resid names a resource`, () => {
    const used = new Set(values(file, "//@resid"));
    const defined = new Set(values(file, `//${local("Resources")}//@id`));
    assert.ok(used.size >= 5, "the manifest uses resources");
    for (const id of used) assert.ok(defined.has(id), `resid ${id} is defined`);
  });

  for (const surfaceType of ["MessageReadCommandSurface", "MessageComposeCommandSurface"]) test(`${name}: fixed Id, least permission, ${surfaceType} with the button`, () => {
    assert.equal(xpath(file, `string(/${local("OfficeApp")}/${local("Id")})`), MANIFEST_ID);
    // ReadWriteItem: compose mode saves the draft (saveAsync) so Graph can read it.
    assert.equal(xpath(file, `string(//${local("Permissions")})`), "ReadWriteItem");
    const surface = `//${local("ExtensionPoint")}[@*[local-name()='type']='${surfaceType}']`;
    const button = `${surface}//${local("Control")}[@*[local-name()='type']='Button']`;
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
}

test("a build for a real host rewrites every URL in the manifest", () => {
  const dist = `${root}dist/manifest.xml`;
  assert.ok(existsSync(dist), "run the build first");
  const urls = values(dist, "//@DefaultValue").filter((v) => v.includes("://"));
  assert.ok(urls.length > 5);
  assert.ok(urls.every((u) => !u.startsWith("https://localhost:3000")), urls.join(" "));
});
