// The iMIS contract (imis.contract.mjs) against the iMIS stand-in: the same checks that
// tests/contract/real.mjs runs against a real site must all pass here, and leave the
// stand-in exactly as its fixture was.
//
// Only the iMIS stand-in is started, on a free port; its throwaway certificate
// (.local/certs) is trusted by the fetchImpl below, nothing else.
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { fileURLToPath } from "node:url";
import { start } from "../standins/imis/server.mjs";
import { runContract } from "./imis.contract.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const tls = { key: readFileSync(`${ROOT}.local/certs/key.pem`), cert: readFileSync(`${ROOT}.local/certs/cert.pem`) };
const fixture = JSON.parse(readFileSync(`${ROOT}tests/fixtures/imis.json`, "utf8"));
const { username, password } = fixture.users[0];

/** fetch for runContract over node:https, trusting only the local certificate. */
function trustingFetch(ca) {
  return (url, { method = "GET", headers = {}, body, signal } = {}) => new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca, signal }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode, ok: res.statusCode >= 200 && res.statusCode < 300, headers: res.headers, text: async () => text });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}
const fetchImpl = trustingFetch(tls.cert);
const control = async (path, body) => {
  const r = await fetchImpl(`${imis.url}/_control${path}`, body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  assert.ok(r.ok, `${path}: HTTP ${r.status}`);
  return JSON.parse(await r.text());
};
// What "back to the fixture" means: no activity, and the fixture's folders exactly.
const snapshot = (state) => ({
  activities: state.activities,
  documents: state.documents.map(({ DocumentId, Path, Name, DocumentTypeId, size, sha256 }) => ({ DocumentId, Path, Name, DocumentTypeId, size, sha256 })),
});

let imis;
let fixtureState;
before(async () => {
  imis = await start({ host: "127.0.0.1", port: 0, tls });
  fixtureState = snapshot(await control("/state"));
});
after(async () => imis?.close());
beforeEach(async () => {
  await control("/reset", {});
  fixtureState = snapshot(await control("/state"));
});

const table = (results) => results.map((r) => `${r.ok ? "ok  " : "FAIL"} ${r.step}${r.detail ? ` -- ${r.detail}` : ""}`).join("\n");

test("every contract step passes against the stand-in, and nothing is left behind", async () => {
  const results = await runContract({ base: imis.url, username, password, fetchImpl });
  console.log(table(results));
  for (const r of results) assert.ok(r.ok, `${r.step}: ${r.detail}`);
  const steps = results.map((r) => r.step).join("\n");
  for (const must of ["POST /token", "Activity has PartyId", "Activity has NOTE", "Activity has SOURCE_CODE", "GET /api/Party?Email=eq:",
    "POST /api/Activity", "GET /api/Activity/{id}", "SOURCE_CODE=eq:", "create a folder", "create a document", "FindByPath",
    "Result null", "bytes equal", "(the document)", "(the folder)", "DELETE /api/Activity/{id}"]) {
    assert.ok(steps.includes(must), `a step covers ${must}`);
  }
  assert.ok(!JSON.stringify(results).includes(password), "no password in the results");
  const state = await control("/state");
  assert.deepEqual(snapshot(state), fixtureState, "the stand-in is back to its fixture");
  // It really wrote, read and deleted: the request log shows each kind of call.
  const calls = state.requests.map((r) => `${r.method} ${r.path.split("?")[0]} ${r.status}`);
  for (const c of ["POST /api/Activity 201", "POST /api/Document 201", "GET /api/Document/", "DELETE /api/Document/", "DELETE /api/Activity/"]) {
    assert.ok(calls.some((x) => x.startsWith(c)), `the stand-in saw ${c}`);
  }
});

test("a document POST that answers 500 but saved (the reported quirk) fails its step and is still cleaned up", async () => {
  await control("/faults", [{ match: "POST /api/Document", status: 500, times: 1, store: true }]);
  const results = await runContract({ base: imis.url, username, password, fetchImpl });
  const failed = results.filter((r) => !r.ok);
  assert.equal(failed.length, 1, table(results));
  assert.match(failed[0].step, /create a folder/);
  assert.match(failed[0].detail, /HTTP 500/);
  const cleanup = results.filter((r) => r.step.startsWith("clean up"));
  assert.ok(cleanup.some((r) => /the folder/.test(r.step) && /deleted/.test(r.detail)), table(results));
  assert.deepEqual(snapshot(await control("/state")), fixtureState);
});

test("a missing Activity column is reported by name", async () => {
  // The stand-in's metadata has every column; a fetchImpl that hides NOTE stands for a site without it.
  const hiding = async (url, init) => {
    const r = await fetchImpl(url, init);
    if (!url.endsWith("/api/metadata/Activity")) return r;
    const meta = JSON.parse(await r.text());
    meta.Properties.$values = meta.Properties.$values.filter((p) => p.Name !== "NOTE");
    return { ...r, text: async () => JSON.stringify(meta) };
  };
  const results = await runContract({ base: imis.url, username, password, fetchImpl: hiding });
  const failed = results.filter((r) => !r.ok);
  assert.deepEqual(failed.map((r) => r.step), ["Activity has NOTE (check)"], table(results));
  assert.match(failed[0].detail, /MISSING/);
  assert.deepEqual(snapshot(await control("/state")), fixtureState);
});

test("wrong credentials: the sign-in step fails, nothing is written, no password shown", async () => {
  const results = await runContract({ base: imis.url, username, password: "not-the-password", fetchImpl });
  assert.equal(results.length, 1);
  assert.equal(results[0].ok, false);
  assert.match(results[0].detail, /HTTP 400.*(invalid_grant|incorrect)/);
  assert.ok(!JSON.stringify(results).includes("not-the-password"));
  assert.deepEqual(snapshot(await control("/state")), fixtureState);
});
