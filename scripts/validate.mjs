// `npm run validate`: both manifests, offline.
//   manifest.xml      xmllint against Microsoft's XSDs (../shared/manifest-schemas or
//                     $MANIFEST_SCHEMAS; see scripts/manifest-check.mjs for the three newer
//                     elements), resids, icon files and sizes, the mobile button.
//   manifest.json     converted from manifest.xml with office-addin-manifest-converter, then
//                     its JSON schema (from @microsoft/app-manifest) and structure checks.
//   dist/manifest.*   the same, when a build has written them; dist/manifest.json must be what
//                     converting dist/manifest.xml gives.
// Microsoft's `office-addin-manifest validate` is not run: it posts the manifest to a
// Microsoft web service, and this machine (like CI) reaches no network but package registries.
// Exit status 1 when anything fails.
import { existsSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  APP_MANIFEST_VERSION,
  hasXmllint,
  jsonSchemaFile,
  jsonSchemaProblems,
  jsonStructureProblems,
  patchedSchemas,
  root,
  schemaDir,
  withoutNewerElements,
  xmlProblems,
  xsdProblems,
} from "./manifest-check.mjs";
import { CONVERTER_VERSION, serialize, unifiedManifest } from "./manifest-json.mjs";

let failed = 0;
const report = (name, problems) => {
  if (problems.length === 0) {
    console.log(`ok    ${name}`);
    return;
  }
  failed++;
  console.log(`FAIL  ${name}`);
  for (const p of problems) console.log(`        ${p}`);
};
const attempt = (name, fn) => {
  try {
    report(name, fn());
  } catch (e) {
    report(name, [e.message]);
  }
};

const schemas = schemaDir();
const canXsd = hasXmllint() && existsSync(path.join(schemas, "OfficeAppManifestV1_1.xsd"));
if (!hasXmllint()) report("xmllint", ["xmllint is not installed (Debian/Ubuntu: apt-get install libxml2-utils)"]);
else if (!canXsd) report("manifest XSDs", [`no OfficeAppManifestV1_1.xsd in ${schemas}: set MANIFEST_SCHEMAS to the folder of Microsoft's XSDs`]);
const patched = canXsd ? patchedSchemas(schemas) : null;
const scratch = mkdtempSync(path.join(tmpdir(), "manifest-validate-"));

function checkXml(rel, assetsDir) {
  const file = path.join(root, rel);
  const text = readFileSync(file, "utf8");
  if (patched) {
    attempt(`${rel}: XSDs + ${patched.added.join(", ") || "nothing"} (documented, not in the shipped XSDs)`, () => xsdProblems(file, patched.dir));
    const stripped = path.join(scratch, "without-newer.xml");
    writeFileSync(stripped, withoutNewerElements(text));
    attempt(`${rel} without those elements: the shipped XSDs unchanged`, () => xsdProblems(stripped, schemas));
  }
  attempt(`${rel}: resids, icon files and sizes, mobile read button`, () => xmlProblems(text, { assetsDir }));
  return text;
}

function checkJson(label, manifest, assetsDir) {
  const schema = jsonSchemaFile(manifest.manifestVersion);
  attempt(
    `${label}: JSON schema v${manifest.manifestVersion}${schema ? ` (@microsoft/app-manifest ${APP_MANIFEST_VERSION})` : ""}`,
    () => jsonSchemaProblems(manifest),
  );
  attempt(`${label}: structure, actions, icons as files`, () => jsonStructureProblems(manifest, { assetsDir }));
}

const sourceXml = checkXml("manifest.xml", path.join(root, "www/assets"));
let converted = null;
attempt(`manifest.xml -> manifest.json (office-addin-manifest-converter ${CONVERTER_VERSION}, offline)`, () => {
  converted = unifiedManifest(sourceXml);
  return [];
});
if (converted) checkJson("manifest.json (converted)", converted, path.join(root, "www/assets"));

const distXml = path.join(root, "dist/manifest.xml");
const distJson = path.join(root, "dist/manifest.json");
if (existsSync(distXml)) {
  const text = checkXml("dist/manifest.xml", path.join(root, "dist/assets"));
  if (!existsSync(distJson)) report("dist/manifest.json", ["missing: the build writes it next to dist/manifest.xml"]);
  else {
    const built = JSON.parse(readFileSync(distJson, "utf8"));
    checkJson("dist/manifest.json", built, path.join(root, "dist/assets"));
    attempt("dist/manifest.json is what converting dist/manifest.xml gives", () =>
      serialize(unifiedManifest(text)) === readFileSync(distJson, "utf8") ? [] : ["it differs: rebuild (npm run build)"],
    );
  }
} else {
  console.log("--    dist/: not built, skipped (npm run build writes dist/manifest.xml and dist/manifest.json)");
}
rmSync(scratch, { recursive: true, force: true });

console.log(`
Not run: \`office-addin-manifest validate\` (Microsoft's own validation) sends the manifest
to a Microsoft web service, and this check is offline (here, as in CI, only package
registries are reachable). Where there is internet, run it too before publishing:
  npx office-addin-manifest validate manifest.xml`);

if (failed) {
  console.log(`\n${failed} check(s) failed.`);
  process.exit(1);
}
console.log("\nAll manifest checks passed.");
