// The iMIS contract against a real site; prints a Markdown report to send back.
//
//   IMIS_URL=https://imis.example.org IMIS_USERNAME=... IMIS_PASSWORD=... node tests/contract/real.mjs > report.md
//
// IMIS_URL is the iMIS site as Setup takes it (with a virtual directory if iMIS has one:
// https://host/Asi.Scheduler_IMIS). Optional:
//   IMIS_ACTIVITY_TYPE   (EMAIL)           the activity type Setup uses
//   IMIS_KEY_COLUMN      (UF_1)            the Activity column for the saved-email key
//   IMIS_DOCUMENT_ROOT   ($/Common/Email)  the document folder Setup uses (must exist)
//   IMIS_CONTACT_EMAIL   (none)            an address of a contact in iMIS: checks the contact lookup
//   IMIS_PARTY_ID        (the first party) the contact the test activity and interaction go on
//   IMIS_CONTRACT_LARGE=1                  also the request-size uploads (about 19 MiB)
//   IMIS_CONTRACT_BROWSER=0                skip the check in headless Chromium (CHROMIUM, default /usr/bin/chromium)
//   IMIS_CONTRACT_ORIGIN                   the origin the CORS checks claim (e.g. the add-in's own)
//   IMIS_LOCAL_CERT=1                      the site uses this repository's local test certificate (.local/certs)
//
// It writes one activity, one interaction, one folder with a few documents, and deletes them
// again before it ends (see imis.contract.mjs). It never prints the password or a token.
// Exit 1 if any step FAILED. Without the three variables it runs nothing, says so, and exits
// 0: that is NOT a pass.
import { existsSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runContract } from "./imis.contract.mjs";
import { httpsFetch } from "./https-fetch.mjs";
import { report, summary } from "./report.mjs";

const { IMIS_URL, IMIS_USERNAME, IMIS_PASSWORD } = process.env;
if (!IMIS_URL || !IMIS_USERNAME || !IMIS_PASSWORD) {
  console.log("iMIS contract test: NOT RUN (set IMIS_URL, IMIS_USERNAME, IMIS_PASSWORD)");
  process.exit(0);
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const env = process.env;
const localCert = env.IMIS_LOCAL_CERT === "1";
const browserOn = env.IMIS_CONTRACT_BROWSER !== "0";
// The CORS page is served with the local test certificate: make it if missing (idempotent).
let tls;
if (browserOn && !env.IMIS_CONTRACT_ORIGIN) {
  try {
    if (!existsSync(`${ROOT}.local/certs/cert.pem`)) execFileSync("bash", [`${ROOT}scripts/certs.sh`, `${ROOT}.local/certs`], { stdio: "ignore" });
    tls = { key: readFileSync(`${ROOT}.local/certs/key.pem`), cert: readFileSync(`${ROOT}.local/certs/cert.pem`) };
  } catch { tls = undefined; /* the browser step then says NOT RUN */ }
}
const fetchImpl = httpsFetch({ ca: localCert ? readFileSync(`${ROOT}.local/certs/cert.pem`) : undefined });

const results = await runContract({
  base: IMIS_URL, username: IMIS_USERNAME, password: IMIS_PASSWORD, fetchImpl,
  browser: browserOn ? { ignoreCertificateErrors: localCert, tls } : false,
});

const settings = [
  ["Activity type (IMIS_ACTIVITY_TYPE)", env.IMIS_ACTIVITY_TYPE || "EMAIL"],
  ["Key column (IMIS_KEY_COLUMN)", env.IMIS_KEY_COLUMN || "UF_1"],
  ["Document folder (IMIS_DOCUMENT_ROOT)", env.IMIS_DOCUMENT_ROOT || "$/Common/Email"],
  ["Contact address (IMIS_CONTACT_EMAIL)", env.IMIS_CONTACT_EMAIL || "not set"],
  ["Contact written on (IMIS_PARTY_ID)", env.IMIS_PARTY_ID || "the first of GET /api/Party?limit=1"],
  ["Request-size uploads (IMIS_CONTRACT_LARGE)", env.IMIS_CONTRACT_LARGE === "1" ? "on" : "off"],
  ["Browser check (IMIS_CONTRACT_BROWSER)", browserOn ? `on, ${env.CHROMIUM || "/usr/bin/chromium"}${env.IMIS_CONTRACT_ORIGIN ? `, origin ${env.IMIS_CONTRACT_ORIGIN}` : ""}` : "off"],
  ["Local test certificate (IMIS_LOCAL_CERT)", localCert ? "trusted" : "no"],
];
console.log(report({ site: IMIS_URL, user: IMIS_USERNAME, settings, results }));
const { failed, text } = summary(results);
console.error(`iMIS contract test: ${text}`);
process.exit(failed ? 1 : 0);
