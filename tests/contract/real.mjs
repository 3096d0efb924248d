// The iMIS contract against a real site:
//
//   IMIS_URL=https://imis.example.org IMIS_USERNAME=... IMIS_PASSWORD=... node tests/contract/real.mjs
//   (optional: IMIS_ACTIVITY_TYPE, default EMAIL; IMIS_DOCUMENT_ROOT, default $/Common/Email)
//
// Prints one row per step and exits 1 if any failed. It writes one activity, one folder
// and one small document, and deletes them again before it ends (see imis.contract.mjs).
// Without the three variables it runs nothing, says so, and exits 0: that is NOT a pass.
import { runContract } from "./imis.contract.mjs";

const { IMIS_URL, IMIS_USERNAME, IMIS_PASSWORD } = process.env;
if (!IMIS_URL || !IMIS_USERNAME || !IMIS_PASSWORD) {
  console.log("iMIS contract test: NOT RUN (set IMIS_URL, IMIS_USERNAME, IMIS_PASSWORD)");
  process.exit(0);
}

const results = await runContract({ base: IMIS_URL, username: IMIS_USERNAME, password: IMIS_PASSWORD });
const width = Math.min(90, Math.max(...results.map((r) => r.step.length)));
console.log(`iMIS contract test against ${IMIS_URL} (user ${IMIS_USERNAME}, activity type ${process.env.IMIS_ACTIVITY_TYPE || "EMAIL"}, folder ${process.env.IMIS_DOCUMENT_ROOT || "$/Common/Email"})\n`);
console.log(`${"result".padEnd(6)}  ${"step".padEnd(width)}  detail`);
console.log(`${"-".repeat(6)}  ${"-".repeat(width)}  ${"-".repeat(40)}`);
for (const r of results) console.log(`${(r.ok ? "ok" : "FAILED").padEnd(6)}  ${r.step.padEnd(width)}  ${r.detail}`);
const failed = results.filter((r) => !r.ok);
console.log(failed.length
  ? `\niMIS contract test: FAILED (${failed.length} of ${results.length} steps)`
  : `\niMIS contract test: all ${results.length} steps ok`);
process.exit(failed.length ? 1 : 0);
