// The iMIS contract (imis.contract.mjs) against the iMIS stand-in: the same checks that
// tests/contract/real.mjs runs against a real site, in the stand-in's stock mode, under a path
// prefix, with document POSTs answering 500 after saving, and a few more modes; every step must
// be ok or an expected informational result, and the stand-in must be back to its fixture.
//
//   node --test tests/contract/standin.test.mjs
//
// Only the iMIS stand-in is started, on a free port (its control API: /_control/reset, /state,
// /settings, /faults); its throwaway certificate (.local/certs) is trusted by the fetchImpl
// below, nothing else. The browser step runs in headless Chromium (/usr/bin/chromium or CHROMIUM).
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { start } from "../standins/imis/server.mjs";
import { runContract, canonical, interactionBody, genericEntity, typedDate, documentText, folderBody, INTERACTION_KEY, MESSAGE_KEY } from "./imis.contract.mjs";
import { httpsFetch } from "./https-fetch.mjs";
import { report } from "./report.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
if (!existsSync(`${ROOT}.local/certs/cert.pem`)) execFileSync("bash", [`${ROOT}scripts/certs.sh`, `${ROOT}.local/certs`], { stdio: "ignore" });
const tls = { key: readFileSync(`${ROOT}.local/certs/key.pem`), cert: readFileSync(`${ROOT}.local/certs/cert.pem`) };
const fixture = JSON.parse(readFileSync(`${ROOT}tests/fixtures/imis.json`, "utf8"));
const { username, password } = fixture.users[0];
const PREFIX = "/Asi.Scheduler_IMIS";
const fetchImpl = httpsFetch({ ca: tls.cert });

let imis;
const control = async (path, body) => {
  const r = await fetchImpl(`${imis.url}/_control${path}`, body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  assert.ok(r.ok, `/_control${path}: HTTP ${r.status} ${await r.text()}`);
  return JSON.parse(await r.text());
};
// "Back to the fixture": no activity, interaction or created contact, and the fixture's folders exactly.
const snapshot = (s) => ({
  activities: s.activities, interactions: s.interactions, parties: s.parties,
  documents: s.documents.map(({ DocumentId, Path, Name, DocumentTypeId, Status, size, sha256 }) => ({ DocumentId, Path, Name, DocumentTypeId, Status, size, sha256 })),
});
let fixtureState;

before(async () => { imis = await start({ host: "127.0.0.1", port: 0, tls }); });
after(async () => imis?.close());
beforeEach(async () => {
  await control("/reset", {});
  fixtureState = snapshot(await control("/state"));
  assert.equal(fixtureState.activities.length + fixtureState.interactions.length, 0);
});

/** The contract as the stand-in run takes it: every option given, nothing from the environment. */
const run = (extra = {}) => runContract({
  base: imis.url, username, password, fetchImpl,
  activityType: "EMAIL", keyColumn: "UF_1", documentRoot: "$/Common/Email", contactEmail: "alex@home.example.org",
  partyId: "", origin: "", large: true, browser: { ignoreCertificateErrors: true, tls }, ...extra,
});
const show = (results) => report({ site: imis.url, user: username, results });
const row = (results, pattern) => {
  const found = results.filter((r) => pattern.test(r.step));
  assert.equal(found.length, 1, `one step matches ${pattern}:\n${show(results)}`);
  return found[0];
};
/** No step FAILED; NOT RUN only where expected. */
function allOk(results, notRun = [/add a contact/]) {
  const failed = results.filter((r) => r.result === "FAILED");
  assert.deepEqual(failed.map((r) => `${r.step}: ${r.detail}`), [], show(results));
  for (const r of results.filter((x) => x.result === "NOT RUN")) assert.ok(notRun.some((p) => p.test(r.step)), `unexpected NOT RUN: ${r.step}: ${r.detail}`);
  assert.ok(results.every((r) => ["ok", "info", "NOT RUN"].includes(r.result) && r.ok === (r.result === "NOT RUN" ? null : true)));
}
async function backToFixture(results) {
  const state = await control("/state");
  assert.deepEqual(snapshot(state), fixtureState, `the stand-in is back to its fixture\n${show(results)}`);
  const text = JSON.stringify(results);
  assert.ok(!text.includes(password), "no password in the results");
  assert.ok(!/access_token|Bearer [A-Za-z0-9_-]{20}/.test(text), "no token in the results");
  return state;
}
const calls = (state) => state.requests.map((r) => `${r.method} ${r.path} ${r.status}`);

test("the bodies are the add-in's, byte for byte (src/imis/model.rs, src/record.rs)", () => {
  // model.rs interactions_are_the_typed_contract(): serde_json writes sorted keys, "$type" first.
  assert.equal(canonical(interactionBody({ partyId: "23001", address: "alex@example.com", subject: "Board papers", text: "note", messageId: "ba7816bf8f" })),
    '{"$type":"Asi.Soa.Communications.DataContracts.CommunicationLogRecipientData, Asi.Contracts","Address":"alex@example.com",'
    + '"CommunicationLog":{"$type":"Asi.Soa.Communications.DataContracts.CommunicationLogData, Asi.Contracts","CommunicationType":"Email","SourceProcess":"Save to iMIS","Subject":"Board papers","Text":"note"},'
    + '"MessageId":"ba7816bf8f","MessageType":0,"Party":{"$type":"Asi.Soa.Membership.DataContracts.PartyReferenceData, Asi.Contracts","PartyId":"23001"}}');
  const activity = JSON.parse(canonical(genericEntity("Activity", [["PartyId", "23001"], ["TRANSACTION_DATE", typedDate("2026-11-20T09:30:00")], ["UF_1", MESSAGE_KEY]])));
  assert.equal(activity.$type, "Asi.Soa.Core.DataContracts.GenericEntityData, Asi.Contracts");
  assert.equal(activity.EntityTypeName, "Activity");
  assert.equal(activity.PrimaryParentEntityTypeName, undefined);
  assert.deepEqual(activity.Properties.$values[1].Value, { $type: "System.DateTime", $value: "2026-11-20T09:30:00" });
  const doc = documentText('a "quoted" name.pdf', "$/Common/Email/x", "PDF", "SGVsbG8=");
  assert.match(doc, /^\{"\$type":"Asi\.Soa\.Core\.DataContracts\.DocumentData, Asi\.Contracts","AlternateName":/);
  assert.deepEqual(JSON.parse(doc).Data, { $type: "System.Byte[], mscorlib", $value: "SGVsbG8=" });
  assert.equal(JSON.parse(canonical(folderBody("f", "$/Common/Email"))).DocumentTypeId, "FOL");
  assert.match(INTERACTION_KEY, /^[0-9a-f]{10}$/);
  assert.match(MESSAGE_KEY, /^email:.{16}$/);
});

test("stock site: every step ok or informational, what a stock site does is reported, nothing left behind", async () => {
  const results = await run();
  console.log(show(results));
  allOk(results);
  assert.match(row(results, /^POST .*\/token/).detail, /HTTP 200/);
  assert.match(row(results, /^preflight: OPTIONS/).detail, /refuses cross-origin \/api calls \(HTTP 405, Access-Control-Allow-Origin absent/);
  const browser = row(results, /headless Chromium/);
  assert.equal(browser.result, "info");
  assert.match(browser.detail, /^the site refuses browser calls from other origins: deploy the pane on one origin with iMIS \(a page on https:\/\/localhost:\d+ /);
  assert.match(row(results, /leaves UF_1 unlabelled/).detail, /no Uf1Prompt/);
  assert.match(row(results, /create a folder/).detail, /HTTP 201, DocumentId \S+, Status Working/);
  for (const f of ["docx", "csv", "pdf"]) assert.match(row(results, new RegExp(`upload contract-test\\.${f}`)).detail, /Status Working/);
  assert.match(row(results, /DocumentSummary\?Name=eq:<name> finds each/).detail, /found all 4/);
  assert.match(row(results, /FindByPath/).detail, /^blind to .*expected/);
  assert.match(row(results, /DOCX/).detail, /^refused, as on a stock site: HTTP 400/);
  assert.match(row(results, /just over/).detail, /HTTP 404 .*404\.13/);
  assert.match(row(results, /just under/).detail, /HTTP 201/);
  assert.match(row(results, /answers 500/).detail, /no create answered 500/);
  assert.match(row(results, /GET \/api\/Party\?Email=eq:alex@home/).detail, /23001 \(_Alternate address\)/);
  const state = await backToFixture(results);
  const log = calls(state);
  for (const c of ["POST /token 200", "OPTIONS /api/Activity 405", "OPTIONS /api/Party?limit=1 405", "POST /token 400", "GET /api/metadata/Activity 200",
    "GET /api/LegacyActivityType/EMAIL 200", "POST /api/Activity 201", "PUT /api/Activity/", "DELETE /api/Activity/", "POST /api/CommunicationLogRecipient 201",
    "PUT /api/CommunicationLogRecipient/", "DELETE /api/CommunicationLogRecipient/", "POST /api/Document 201", "POST /api/Document 400", "POST /api/Document 404",
    "GET /api/DocumentSummary?Name=eq%3A", "POST /api/Document/_execute 200", "DELETE /api/Document/", "GET /api/Party?Email=eq%3Aalex%40home.example.org"]) {
    assert.ok(log.some((x) => x.startsWith(c)), `the stand-in saw ${c}`);
  }
});

test(`a site under the path prefix ${PREFIX}: the same, every call under it`, async () => {
  await control("/settings", { prefix: PREFIX });
  const results = await run({ base: imis.url + PREFIX });
  allOk(results);
  assert.match(row(results, /headless Chromium/).detail, /^the site refuses browser calls from other origins/);
  const state = await backToFixture(results);
  const outside = state.requests.filter((r) => !r.path.toLowerCase().startsWith(`${PREFIX.toLowerCase()}/`));
  assert.deepEqual(outside, [], "every request went under the prefix");
  assert.ok(calls(state).some((c) => c.startsWith(`POST ${PREFIX}/api/CommunicationLogRecipient 201`)));
  // The site without its virtual directory: the sign-in fails and says what to give.
  const bare = await run({ base: imis.url, browser: false });
  const signIn = row(bare, /^POST .*\/token/);
  assert.equal(signIn.result, "FAILED");
  assert.match(signIn.detail, /HTTP 404: an HTML page.*virtual directory, give the site as https:\/\/host\/Asi\.Scheduler_IMIS/);
  assert.equal(row(bare, /every other step/).result, "NOT RUN");
  await backToFixture(bare);
});

test("document POSTs answer 500 after saving (documentPost500): found by DocumentSummary, cleaned up", async () => {
  await control("/settings", { documentPost500: true });
  const results = await run();
  allOk(results);
  assert.match(row(results, /headless Chromium/).detail, /^the site refuses browser calls from other origins/);
  assert.match(row(results, /create a folder/).detail, /^HTTP 500 .*but it was saved: DocumentSummary\?Name= finds it, DocumentId \S+, Status Working/);
  for (const f of ["docx", "csv", "pdf"]) assert.match(row(results, new RegExp(`upload contract-test\\.${f}`)).detail, /HTTP 500 .*saved/);
  assert.match(row(results, /just under/).detail, /HTTP 500 .*saved/);
  const five00 = row(results, /answers 500/);
  assert.equal(five00.result, "ok");
  assert.match(five00.detail, /contracttest-\d+, contract-test\.docx, contract-test\.csv, contract-test\.pdf, contract-just-under\.pdf answered 500 and WERE saved$/);
  assert.match(row(results, /^delete them/).detail, /^deleted .*contracttest-\d+; DocumentSummary\?Name= lists none/);
  await backToFixture(results);
});

test("a site whose administrators added CORS: both checks report the origin allowed", async () => {
  await control("/settings", { cors: true });
  const results = await run({ large: false });
  allOk(results, [/add a contact/, /just over/, /just under/]);
  assert.match(row(results, /^preflight: OPTIONS/).detail, /^the site allows origin https:\/\/outlook-addin\.contract-test\.example for \/api calls \(HTTP 204/);
  assert.match(row(results, /headless Chromium/).detail, /^the site allows origin https:\/\/localhost:\d+ .*POST \/token -> readable, HTTP 400.*-> readable, HTTP 401/);
  await backToFixture(results);
});

test("new documents Published: FindByPath sees them (reported either way)", async () => {
  await control("/settings", { newDocumentStatus: "Published" });
  const results = await run({ large: false, browser: false });
  allOk(results, [/add a contact/, /just over/, /just under/, /headless Chromium/]);
  assert.match(row(results, /FindByPath/).detail, /^sees all 4$/);
  assert.match(row(results, /headless Chromium/).detail, /IMIS_CONTRACT_BROWSER=0/);
  await backToFixture(results);
});

test("another key column (UF_2): checked, written and found by that column", async () => {
  const results = await run({ keyColumn: "UF_2", large: false, browser: false });
  allOk(results, [/add a contact/, /just over/, /just under/, /headless Chromium/]);
  assert.match(row(results, /^key column UF_2/).detail, /^UF_2 String max 255$/);
  assert.match(row(results, /leaves UF_2 unlabelled/).detail, /no Uf2Prompt/);
  assert.match(row(results, /^find it: GET \/api\/Activity\?PartyId=eq:22708&UF_2=eq:email:contracttest0000/).detail, /including 10001/);
  const state = await backToFixture(results);
  assert.ok(calls(state).some((c) => c.startsWith("GET /api/Activity?PartyId=eq%3A22708&UF_2=eq%3Aemail%3Acontracttest0000 200")));
});

for (const [largeBody, seen] of [["aspnet500", /HTTP 500 with an HTML page "Maximum request length exceeded\."/], ["reset", /the connection was cut/]]) {
  test(`over the request limit answered as ${largeBody}: recognised as too large`, async () => {
    await control("/settings", { largeBody });
    const results = await run({ browser: false });
    allOk(results, [/add a contact/, /headless Chromium/]);
    const over = row(results, /just over/);
    assert.equal(over.result, "ok");
    assert.match(over.detail, seen);
    await backToFixture(results);
  });
}

test("a site that refuses interactions: that step FAILED with iMIS's answer and the fallback, the rest still runs and is cleaned up", async () => {
  await control("/faults", [{ match: "POST /api/CommunicationLogRecipient", exact: true, status: 400, times: 1 }]);
  const results = await run({ large: false, browser: false });
  const failed = results.filter((r) => r.result === "FAILED");
  assert.equal(failed.length, 1, show(results));
  assert.match(failed[0].step, /^create: POST \/api\/CommunicationLogRecipient/);
  assert.match(failed[0].detail, /HTTP 400: An error has occurred\..*falls back to activities/);
  assert.equal(row(results, /read back, find, update and delete the interaction/).result, "NOT RUN");
  assert.equal(row(results, /^delete it: DELETE \/api\/Activity/).result, "ok");
  assert.equal(row(results, /^delete them/).result, "ok");
  await backToFixture(results);
});

test("a key column the site lacks, and one the activity type already labels, are FAILED by name", async () => {
  const rewrite = (pathEnd, change) => async (url, init) => {
    const r = await fetchImpl(url, init);
    if (!new URL(url).pathname.endsWith(pathEnd) || r.status !== 200) return r;
    const body = change(JSON.parse(await r.text()));
    return { ...r, text: async () => JSON.stringify(body) };
  };
  const noUf1 = await run({ large: false, browser: false,
    fetchImpl: rewrite("/api/metadata/Activity", (m) => ({ ...m, Properties: { ...m.Properties, $values: m.Properties.$values.filter((p) => p.Name !== "UF_1") } })) });
  assert.deepEqual(noUf1.filter((r) => r.result === "FAILED").map((r) => r.step), ["GET /api/metadata/Activity lists the columns the add-in writes (PartyId, ACTIVITY_TYPE, TRANSACTION_DATE, DESCRIPTION, NOTE, UF_1)"], show(noUf1));
  assert.match(noUf1.find((r) => r.result === "FAILED").detail, /^MISSING: UF_1/);
  await backToFixture(noUf1);
  const labelled = await run({ large: false, browser: false, fetchImpl: rewrite("/api/LegacyActivityType/EMAIL", (t) => ({ ...t, Uf1Prompt: "Request number" })) });
  const failed = labelled.filter((r) => r.result === "FAILED");
  assert.equal(failed.length, 1, show(labelled));
  assert.match(failed[0].detail, /Uf1Prompt is "Request number": activities of type EMAIL already use UF_1; choose another key column/);
  await backToFixture(labelled);
});

test("wrong credentials: sign-in FAILED, CORS still reported, nothing written, no password shown", async () => {
  const results = await run({ password: "not-the-password", large: false });
  assert.deepEqual(results.map((r) => r.result), ["FAILED", "info", "info", "NOT RUN"], show(results));
  assert.match(results[0].detail, /HTTP 400: The user name or password is incorrect\./);
  assert.ok(!JSON.stringify(results).includes("not-the-password"));
  const state = await backToFixture(results);
  assert.equal(state.tokens, 0);
});

test("not an https URL: refused before any request", async () => {
  const results = await runContract({ base: imis.url.replace("https:", "http:"), username, password, fetchImpl, browser: false });
  assert.deepEqual(results.map((r) => [r.result, r.step]), [["FAILED", "the site URL"]]);
});
