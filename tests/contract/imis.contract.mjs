// The iMIS contract: every fact about iMIS's REST API that the add-in relies on
// (../shared/reference/imis-rest.md; the add-in's shapes in src/imis/model.rs, src/record.rs,
// src/imis/client.rs, src/imis/site.rs), tried against a site with plain HTTPS, plus one real
// cross-origin attempt in headless Chromium. It writes only what it deletes again.
//
//   import { runContract } from "./imis.contract.mjs";
//   const results = await runContract({ base, username, password, fetchImpl });
//   // -> [{ section, step, ok, result, detail }], in the order run:
//   //    result "ok"       as the add-in needs it                     (ok true)
//   //           "FAILED"   the add-in cannot work this way here       (ok false)
//   //           "info"     what the site does; either answer is fine  (ok true)
//   //           "NOT RUN"  not tried, the detail says why             (ok null)
//
// base: the iMIS site URL as the add-in's Setup takes it: https://imis.example.org, or with
//   iMIS in a virtual directory https://host/Asi.Scheduler_IMIS (/token and /api/ beside it).
// fetchImpl(url, { method, headers, body, signal }) -> { status, ok, headers, text() }
//   (default: global fetch; ./https-fetch.mjs gives one that can trust the local certificate).
// Options (each defaults to an environment variable, for real.mjs):
//   activityType  IMIS_ACTIVITY_TYPE   EMAIL            the activity type Setup uses
//   keyColumn     IMIS_KEY_COLUMN      UF_1             where the saved-email key goes
//   documentRoot  IMIS_DOCUMENT_ROOT   $/Common/Email   Setup's document folder (must exist)
//   contactEmail  IMIS_CONTACT_EMAIL   (none: NOT RUN)  an address a contact in iMIS has
//   partyId       IMIS_PARTY_ID        (the first of GET /api/Party?limit=1)  the contact written on
//   large         IMIS_CONTRACT_LARGE=1                 the request-size uploads (~19 MiB in all)
//   browser       IMIS_CONTRACT_BROWSER=0 turns it off; else { executablePath (CHROMIUM,
//                 /usr/bin/chromium), ignoreCertificateErrors (IMIS_LOCAL_CERT=1: the site uses
//                 the local test certificate), tls: { key, cert } for the test page }
//   origin        IMIS_CONTRACT_ORIGIN                  the origin the CORS checks claim
//
// What it makes, and deletes again (inline, and in a finally block whatever happened): one
// activity (UF_1 "email:contracttest0000"), one interaction (MessageId below), one folder
// "contracttest-<timestamp>" under the document root with a few documents in it. The password
// and tokens never appear in a result.
import { createHash } from "node:crypto";
import { browserCors } from "./browser.mjs";

const T = (n) => `Asi.Soa.Core.DataContracts.${n}, Asi.Contracts`;
const GENERIC_ENTITY = T("GenericEntityData");
const PROPERTY_COLLECTION = T("GenericPropertyDataCollection");
const PROPERTY = T("GenericPropertyData");
const DOCUMENT = T("DocumentData");
const EXECUTE_REQUEST = T("GenericExecuteRequest");
const BYTES = "System.Byte[], mscorlib";
const RECIPIENT = "Asi.Soa.Communications.DataContracts.CommunicationLogRecipientData, Asi.Contracts";
const COMMUNICATION_LOG = "Asi.Soa.Communications.DataContracts.CommunicationLogData, Asi.Contracts";
const PARTY_REFERENCE = "Asi.Soa.Membership.DataContracts.PartyReferenceData, Asi.Contracts";
const OBJECTS = "System.Collections.ObjectModel.Collection`1[[System.Object, mscorlib]], mscorlib";
const STRINGS = "System.Collections.ObjectModel.Collection`1[[System.String, mscorlib]], mscorlib";

const hex = (s, n) => createHash("sha256").update(s).digest("hex").slice(0, n);
/** The activity key the contract writes (the add-in's is "email:" + 16 hex digits). */
export const MESSAGE_KEY = "email:contracttest0000";
/** The interaction key (MessageId, 10 hex digits as src/imis/site.rs interaction_key makes them). */
export const INTERACTION_KEY = hex("<contracttest0000@save-to-imis.contract.invalid>", 10);
/** The Activity columns the add-in writes (src/record.rs, src/imis/site.rs defaults), the key column aside. */
export const ACTIVITY_COLUMNS = ["PartyId", "ACTIVITY_TYPE", "TRANSACTION_DATE", "DESCRIPTION", "NOTE"];
/** The files uploaded, with the types src/imis/site.rs maps them to. */
export const FILES = [
  { name: "contract-test.docx", type: "DOC" },
  { name: "contract-test.csv", type: "TXT" },
  { name: "contract-test.pdf", type: "PDF" },
];
/** iMIS's stock request limit (web.config maxAllowedContentLength / maxRequestLength). */
export const STOCK_LIMIT = 10 * 1024 * 1024;
const KEY_LENGTH = "email:".length + 16;
const DEFAULT_ORIGIN = "https://outlook-addin.contract-test.example";

// ---- JSON as the add-in writes it: serde_json without preserve_order sorts every object's keys
// ("$type" sorts first); arrays keep their order.
export const canonical = (v) => JSON.stringify(sortKeys(v));
function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

// ---- the add-in's bodies (mirrors of src/imis/model.rs)
/** generic_entity(): EntityTypeName and the properties, in order. */
export const genericEntity = (entity, pairs) => ({
  $type: GENERIC_ENTITY, EntityTypeName: entity,
  Properties: { $type: PROPERTY_COLLECTION, $values: pairs.map(([Name, Value]) => ({ $type: PROPERTY, Name, Value })) },
});
export const typedDate = (d) => ({ $type: "System.DateTime", $value: d });
/** interaction(): the typed CommunicationLogRecipientData, one per contact. */
export const interactionBody = ({ partyId, address, subject, text, messageId, messageType = 0, communicationType = "Email", sourceProcess = "Save to iMIS" }) => ({
  $type: RECIPIENT,
  CommunicationLog: { $type: COMMUNICATION_LOG, Subject: subject, Text: text, CommunicationType: communicationType, SourceProcess: sourceProcess },
  Party: { $type: PARTY_REFERENCE, PartyId: partyId },
  MessageType: messageType,
  Address: address,
  MessageId: messageId,
});
/** folder() */
export const folderBody = (name, parent) => ({ $type: DOCUMENT, Name: name, AlternateName: name, Description: name, DocumentTypeId: "FOL", Path: parent });
/** document_parts(): the head sorted as serde_json writes it, Data added last; base64 as given. */
export function documentText(name, parent, typeId, base64) {
  const head = canonical({ $type: DOCUMENT, Name: name, AlternateName: name, Description: name, DocumentTypeId: typeId, Path: parent });
  return `${head.slice(0, -1)},"Data":{"$type":"${BYTES}","$value":"${base64}"}}`;
}
const findByPath = (path) => ({
  $type: EXECUTE_REQUEST, EntityTypeName: "DocumentSummary", OperationName: "FindByPath",
  Parameters: { $type: OBJECTS, $values: [{ $type: "System.String", $value: path }] },
  ParameterTypeName: { $type: STRINGS, $values: ["System.String"] }, UseJson: false,
});

// ---- reading iMIS JSON (plain values or typed wrappers, $values or bare arrays)
const unwrap = (v) => (v && typeof v === "object" && !Array.isArray(v) && "$value" in v ? v.$value : v);
const values = (v) => (Array.isArray(v) ? v : Array.isArray(v?.$values) ? v.$values : []);
const text = (v) => { const u = unwrap(v); return typeof u === "string" ? u : typeof u === "number" ? String(u) : undefined; };
const propOf = (entity, name) => unwrap(values(entity?.Properties).find((p) => p?.Name === name)?.Value);
const identityOf = (entity) => text(values(entity?.Identity?.IdentityElements)[0]);
function setProperty(entity, name, value) {
  const list = entity?.Properties?.$values;
  if (!Array.isArray(list)) return;
  const p = list.find((x) => x?.Name === name);
  if (p) p.Value = value; else list.push({ $type: PROPERTY, Name: name, Value: value });
}
const partyEmails = (p) => values(p?.Emails).map((e) => ({ address: text(e?.Address) ?? "", primary: e?.IsPrimary === true, type: text(e?.EmailType) ?? "" }));
const same = (a, b) => String(a ?? "").trim().toLowerCase() === String(b ?? "").trim().toLowerCase();
/** summary_in_folder(): which DocumentSummary is `name` in `folder` (Path the whole path or the parent's). */
export function summaryInFolder(summaries, folder, name) {
  const eq = (a, b) => String(a ?? "").replace(/\/+$/, "").toLowerCase() === b.toLowerCase();
  return summaries.find((d) => same(text(d.Name), name) && (eq(text(d.Path), `${folder}/${name}`) || eq(text(d.Path), folder) || eq(text(d.FolderPath), folder)));
}
/** means_too_large() */
export function meansTooLarge(status, body) {
  const lower = String(body ?? "").toLowerCase();
  return status === 413 || (status === 404 && (lower.includes("404.13") || lower.includes("exceeds the request content length")))
    || (status >= 500 && lower.includes("maximum request length exceeded"));
}
const header = (res, name) => (typeof res?.headers?.get === "function" ? res.headers.get(name) : res?.headers?.[name.toLowerCase()]) ?? null;
const q = (pairs) => new URLSearchParams(pairs).toString(); // form encoding, as the add-in's query_value
const mib = (n) => `${(n / 1048576).toFixed(2)} MiB`;
const localIso = (d) => {
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
};
// File contents: small, recognisable, and covering every byte value (base64 round trip).
const fileBytes = (name, tag) => Buffer.concat([
  Buffer.from(name.endsWith(".pdf") ? "%PDF-1.4\n%" : name.endsWith(".docx") ? "PK\u0003\u0004" : "kind,text\nline,", "latin1"),
  Buffer.from(`Save to iMIS contract test ${tag}: caf\u00e9 \u2713\n`, "utf8"),
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
]);

export async function runContract({
  base, username, password, fetchImpl = globalThis.fetch,
  activityType = process.env.IMIS_ACTIVITY_TYPE || "EMAIL",
  keyColumn = process.env.IMIS_KEY_COLUMN || "UF_1",
  documentRoot = process.env.IMIS_DOCUMENT_ROOT || "$/Common/Email",
  contactEmail = process.env.IMIS_CONTACT_EMAIL || "",
  partyId: givenPartyId = process.env.IMIS_PARTY_ID || "",
  large = process.env.IMIS_CONTRACT_LARGE === "1",
  browser = process.env.IMIS_CONTRACT_BROWSER === "0" ? false : {},
  origin = process.env.IMIS_CONTRACT_ORIGIN || "",
  timeoutMs = 120_000,
  largeTimeoutMs = 900_000,
} = {}) {
  const site = String(base ?? "").replace(/\/+$/, "");
  const results = [];
  const secrets = [];
  const scrub = (s) => secrets.filter((x) => x && x.length >= 4).reduce((t, x) => t.split(x).join("***"), String(s));
  if (password) secrets.push(String(password));
  let section = "";
  const add = (result, step, detail = "") => {
    results.push({ section, step, ok: result === "FAILED" ? false : result === "NOT RUN" ? null : true, result, detail: scrub(detail) });
    return result !== "FAILED" && result !== "NOT RUN";
  };
  const check = (pass, step, detail) => add(pass ? "ok" : "FAILED", step, detail);

  section = "1 sign-in";
  if (!/^https:\/\/[^/]/.test(site)) {
    add("FAILED", "the site URL", `base must be an https:// URL, got ${JSON.stringify(base ?? "")}`);
    return results;
  }

  // ---- HTTP
  let token = null;
  async function raw(method, path, body, headers = {}, { auth = true, timeout = timeoutMs } = {}) {
    const sent = { Accept: "application/json", ...headers };
    if (auth && token) sent.Authorization = `Bearer ${token}`;
    let res;
    try {
      res = await fetchImpl(site + path, { method, headers: sent, body, signal: AbortSignal.timeout(timeout) });
    } catch (e) {
      return { status: 0, json: null, text: "", res: null, error: `no answer: ${e.cause?.code ?? e.cause?.message ?? e.code ?? e.message}` };
    }
    let body_ = "";
    try { body_ = await res.text(); } catch (e) { return { status: res.status, json: null, text: "", res, error: `the answer was cut: ${e.code ?? e.message}` }; }
    let json = null;
    try { json = body_ ? JSON.parse(body_) : null; } catch { /* not JSON */ }
    return { status: res.status, json, text: body_, res };
  }
  async function signIn() {
    const form = q({ grant_type: "password", username: username ?? "", password: password ?? "" });
    const r = await raw("POST", "/token", form, { "Content-Type": "application/x-www-form-urlencoded" }, { auth: false });
    if (r.status === 200 && typeof r.json?.access_token === "string") {
      token = r.json.access_token;
      secrets.push(token);
      return { ok: true, r };
    }
    return { ok: false, r };
  }
  // One API call with a JSON body (already text, or a value written as the add-in writes it);
  // a 401 gets one new token and one retry, as the add-in signs in again.
  async function call(method, path, body, opts) {
    const payload = body === undefined ? undefined : typeof body === "string" ? body : canonical(body);
    const headers = payload === undefined ? {} : { "Content-Type": "application/json" };
    let r = await raw(method, path, payload, headers, opts);
    if (r.status === 401 && (await signIn()).ok) r = await raw(method, path, payload, headers, opts);
    return r;
  }
  const is2xx = (r) => r.status >= 200 && r.status < 300;
  const said = (r) => {
    if (r.error) return r.error;
    if (!r.json && /<html/i.test(r.text)) {
      const title = /<title>([^<]*)<\/title>/i.exec(r.text)?.[1]?.trim();
      const h3 = /HTTP Error [\d.]+[^<]*/i.exec(r.text)?.[0]?.trim();
      return `an HTML page${title ? ` "${title}"` : ""}${h3 ? ` (${h3})` : ""}`;
    }
    const errors = values(r.json?.ValidationResults?.Errors ?? r.json?.Errors).map((e) => [e?.FieldName ?? e?.PropertyName, e?.Message].filter(Boolean).join(": ")).filter(Boolean);
    const msg = errors.length ? errors.join("; ") : r.json?.error_description ?? r.json?.Message ?? r.json?.message ?? r.json?.ExceptionMessage ?? r.json?.error ?? r.text;
    return msg ? String(typeof msg === "string" ? msg : JSON.stringify(msg)).replace(/\s+/g, " ").slice(0, 300) : "no details";
  };
  const why = (r, method, path) => (r.error ? `${method} ${path}: ${r.error}` : `${method} ${path} -> HTTP ${r.status}: ${said(r)}`);
  async function allPages(path) {
    const items = [];
    for (let offset = 0, n = 0; n < 50; n++) {
      const r = await call("GET", `${path}&limit=100&offset=${offset}`);
      if (!is2xx(r)) return { r, items: null };
      items.push(...values(r.json?.Items));
      const next = r.json?.HasNext ? Number(unwrap(r.json?.NextOffset)) : 0;
      if (!(next > offset)) return { r, items };
      offset = next;
    }
    return { r: null, items };
  }
  const summaries = (name) => allPages(`/api/DocumentSummary?${q({ Name: `eq:${name}` })}`);

  const stamp = new Date();
  const tag = stamp.toISOString().replace(/\D/g, "").slice(0, 14);
  // What this run made and has not deleted yet.
  const made = { activity: null, activityQuery: null, interaction: null, interactionQuery: null, documents: [], folder: null };

  try {
    // ======== 1. sign-in
    const signed = await signIn();
    const signInStep = `POST ${site}/token (password grant)`;
    if (signed.ok) {
      const j = signed.r.json;
      add("ok", signInStep, `HTTP 200, an access token${j.token_type ? ` (token_type ${j.token_type})` : ""}, expires_in ${j.expires_in ?? "not given"}`);
    } else {
      const r = signed.r;
      const hint = r.status === 404 && /<html/i.test(r.text)
        ? ": no iMIS application at this URL; if iMIS runs in a virtual directory, give the site as https://host/Asi.Scheduler_IMIS (where /token and /api/ are)" : "";
      add("FAILED", signInStep, `${why(r, "POST", "/token")}${hint}`);
    }

    // ======== 2. CORS (needs no sign-in)
    section = "2 CORS";
    const claimed = origin || DEFAULT_ORIGIN;
    const pre = await raw("OPTIONS", "/api/Activity", undefined, {
      Origin: claimed, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type",
    }, { auth: false });
    const preStep = `preflight: OPTIONS /api/Activity from ${claimed} (POST; authorization, content-type)`;
    if (pre.error) add("info", preStep, `${pre.error}: the site does not answer preflights at all; browsers treat that as refused`);
    else {
      const acao = header(pre.res, "access-control-allow-origin");
      const acam = header(pre.res, "access-control-allow-methods");
      const acah = header(pre.res, "access-control-allow-headers");
      const headersOk = /\bauthorization\b/i.test(acah ?? "") && (/\bcontent-type\b/i.test(acah ?? "") || acah === "*");
      const allows = is2xx(pre) && (acao === claimed || acao === "*") && headersOk && (!acam || /\bPOST\b/i.test(acam) || acam === "*");
      const seen = `HTTP ${pre.status}, Access-Control-Allow-Origin ${acao ?? "absent"}${acam ? `, -Allow-Methods ${acam}` : ""}${acah ? `, -Allow-Headers ${acah}` : ""}`;
      add("info", preStep, allows
        ? `the site allows origin ${acao} for /api calls (${seen})`
        : `the site refuses cross-origin /api calls (${seen}${is2xx(pre) ? "" : `: ${said(pre)}`}): expected for a stock site; the add-in deploys on one origin with iMIS`);
    }
    const browserStep = "a real cross-origin call in headless Chromium (POST /token, then a preflighted /api call)";
    if (browser === false) add("NOT RUN", browserStep, "turned off (IMIS_CONTRACT_BROWSER=0)");
    else {
      const seen = await browserCors({ base: site, timeoutMs: Math.min(timeoutMs, 60_000), origin: origin || undefined,
        ignoreCertificateErrors: process.env.IMIS_LOCAL_CERT === "1", ...browser });
      add(seen.ran ? "info" : "NOT RUN", browserStep, seen.detail);
    }

    if (!token) {
      section = "";
      add("NOT RUN", "every other step", "not run: the sign-in failed");
      return results;
    }

    // ======== 3. activities
    section = "3 activity";
    const metaPath = "/api/metadata/Activity";
    const meta = await call("GET", metaPath);
    const metaProps = values(meta.json?.Properties);
    const propInfo = (name) => metaProps.find((p) => p?.Name === name);
    const describe = (name) => { const p = propInfo(name); return p ? `${name} ${[text(p.PropertyTypeName), p.MaxLength && `max ${unwrap(p.MaxLength)}`].filter(Boolean).join(" ")}` : null; };
    const wanted = [...ACTIVITY_COLUMNS, keyColumn];
    if (!is2xx(meta) || metaProps.length === 0) add("FAILED", `GET ${metaPath} lists the columns the add-in writes`, is2xx(meta) ? "no Properties in the answer" : why(meta, "GET", metaPath));
    else {
      const missing = wanted.filter((n) => !propInfo(n));
      const near = (n) => metaProps.find((p) => same(p?.Name, n))?.Name;
      check(missing.length === 0, `GET ${metaPath} lists the columns the add-in writes (${wanted.join(", ")})`, missing.length === 0
        ? `${metaProps.length} properties; ${wanted.map(describe).join("; ")}`
        : `MISSING: ${missing.map((n) => (near(n) ? `${n} (the site spells it ${near(n)}: set the site profile's column name)` : n)).join(", ")}; ${metaProps.length} properties`);
      const date = propInfo("TRANSACTION_DATE");
      if (date) {
        const type = text(date.PropertyTypeName) ?? "";
        check(/date/i.test(type), "TRANSACTION_DATE is a date (the add-in sends a System.DateTime wrapper)", `PropertyTypeName ${type || "not given"}`);
      }
      const key = propInfo(keyColumn);
      if (key) {
        const type = text(key.PropertyTypeName) ?? "";
        const max = Number(unwrap(key.MaxLength));
        const fits = /string|text|char/i.test(type) && !(max > 0 && max < KEY_LENGTH);
        check(fits, `key column ${keyColumn} (IMIS_KEY_COLUMN) is text with room for the key (${KEY_LENGTH} characters)`,
          `${describe(keyColumn)}${fits ? "" : `: the key "email:" + 16 hex digits needs a text column of at least ${KEY_LENGTH}; choose another column`}`);
      }
    }

    const typePath = `/api/LegacyActivityType/${encodeURIComponent(activityType)}`;
    const typeAnswer = await call("GET", typePath);
    const typeStep = `the activity type ${activityType} (IMIS_ACTIVITY_TYPE) exists: GET ${typePath}`;
    const promptStep = `${activityType} leaves ${keyColumn} unlabelled (its ${keyColumn.replace(/^UF_(\d)$/, "Uf$1Prompt")} is empty)`;
    if (is2xx(typeAnswer)) {
      const t = typeAnswer.json ?? {};
      const field = (name) => { const flat = Object.keys(t).find((k) => same(k, name)); return flat ? unwrap(t[flat]) : values(t.Properties).find((p) => same(p?.Name, name))?.Value; };
      const isSystem = unwrap(field("IsSystem")) === true;
      const description = text(field("Description"));
      check(!isSystem, typeStep, `HTTP ${typeAnswer.status}${description ? `, "${description}"` : ""}${isSystem ? ": a SYSTEM type (IsSystem true): use a type of the site's own, such as EMAIL" : ""}`);
      const n = /^UF_(\d)$/i.exec(keyColumn)?.[1];
      if (!n) add("info", promptStep, `${keyColumn} is not one of UF_1..UF_7: no prompt to look at`);
      else {
        const promptName = `Uf${n}Prompt`;
        const prompt = field(promptName);
        const names = [...Object.keys(t), ...values(t.Properties).map((p) => p?.Name)].filter((k) => /prompt/i.test(k ?? ""));
        if (prompt === undefined) add("info", promptStep, `the answer has no ${promptName}${names.length ? ` (it has ${names.join(", ")})` : " (no prompt fields at all)"}: no label seen, so nothing says ${keyColumn} is in use`);
        else check(!String(unwrap(prompt) ?? "").trim(), promptStep, String(unwrap(prompt) ?? "").trim()
          ? `${promptName} is "${unwrap(prompt)}": activities of type ${activityType} already use ${keyColumn}; choose another key column (IMIS_KEY_COLUMN, Setup's key column)`
          : `${promptName} is empty`);
      }
    } else {
      add("FAILED", typeStep, typeAnswer.status === 404 ? `HTTP 404: no activity type ${activityType}: create it in iMIS (a type of the site's own) or set IMIS_ACTIVITY_TYPE` : why(typeAnswer, "GET", typePath));
      add("NOT RUN", promptStep, "not run: the activity type was not found");
    }

    // A contact to write on.
    let party = null;
    if (givenPartyId) {
      const r = await call("GET", `/api/Party/${encodeURIComponent(givenPartyId)}`);
      party = is2xx(r) ? r.json : null;
      check(!!party, `the contact to write on: GET /api/Party/${givenPartyId} (IMIS_PARTY_ID)`, party ? `PartyId ${givenPartyId}` : why(r, "GET", `/api/Party/${givenPartyId}`));
    } else {
      const r = await call("GET", "/api/Party?limit=1");
      party = values(r.json?.Items)[0] ?? null;
      check(is2xx(r) && !!party, "the contact to write on: GET /api/Party?limit=1", !is2xx(r) ? why(r, "GET", "/api/Party?limit=1") : party ? `PartyId ${text(party.PartyId ?? party.Id)} (set IMIS_PARTY_ID to use a test contact)` : "no contact in the answer");
    }
    const partyId = party ? text(party.PartyId ?? party.Id) ?? null : null;
    const address = partyEmails(party).find((e) => e.primary)?.address || text(party?.Email) || "contract-test@example.invalid";

    if (!partyId) add("NOT RUN", "activity and interaction writes", "not run: no contact to write on");
    else {
      // -- the activity, as src/record.rs to_entity() builds it
      const description = `Save to iMIS contract test ${tag}`;
      const note = "Written by the Save to iMIS contract test (tests/contract); it deletes this activity again.";
      const date = localIso(stamp);
      const sent = [["PartyId", partyId], ["ACTIVITY_TYPE", activityType], ["TRANSACTION_DATE", typedDate(date)], ["DESCRIPTION", description], ["NOTE", note], [keyColumn, MESSAGE_KEY]];
      made.activityQuery = `/api/Activity?${q({ PartyId: `eq:${partyId}`, [keyColumn]: `eq:${MESSAGE_KEY}` })}`;
      const created = await call("POST", "/api/Activity", genericEntity("Activity", sent));
      const createStep = `create: POST /api/Activity (GenericEntityData; TRANSACTION_DATE a System.DateTime; key in ${keyColumn})`;
      const id = is2xx(created) ? identityOf(created.json) : undefined;
      if (is2xx(created)) made.activity = id ?? "unknown";
      check(is2xx(created) && !!id, createStep, !is2xx(created) ? why(created, "POST", "/api/Activity")
        : id ? `HTTP ${created.status}, key ${id} (Identity.IdentityElements.$values[0])` : `HTTP ${created.status} but no key in Identity.IdentityElements.$values[0]: the add-in needs it there`);
      const compare = (entity, pairs) => pairs.flatMap(([name, value]) => {
        const want = unwrap(value), got = propOf(entity, name);
        const ok = name === "TRANSACTION_DATE" ? typeof got === "string" && got.slice(0, 16) === String(want).slice(0, 16) : String(got ?? "").trim() === String(want);
        return ok ? [] : [`${name} sent ${JSON.stringify(want)}, read ${JSON.stringify(got ?? null)}`];
      });
      if (id) {
        const path = `/api/Activity/${encodeURIComponent(id)}`;
        const back = await call("GET", path);
        const wrong = is2xx(back) ? compare(back.json, sent) : [];
        check(is2xx(back) && wrong.length === 0, "read it back: GET /api/Activity/{key}", !is2xx(back) ? why(back, "GET", path)
          : wrong.length ? wrong.join("; ") : `${sent.map((p) => p[0]).join(", ")} as sent; TRANSACTION_DATE read as ${JSON.stringify(propOf(back.json, "TRANSACTION_DATE"))}`);

        // Found again as src/imis/client.rs find_record() looks: the first page, values checked.
        const list = await call("GET", made.activityQuery);
        const items = values(list.json?.Items);
        const matching = items.filter((a) => same(text(propOf(a, keyColumn)), MESSAGE_KEY) && text(propOf(a, "PartyId")) === partyId);
        const keys = matching.map((a) => identityOf(a) ?? text(propOf(a, "SEQN")));
        const others = items.length - matching.length;
        const older = keys.filter((k) => k !== id);
        check(is2xx(list) && keys.includes(id), `find it: GET /api/Activity?PartyId=eq:${partyId}&${keyColumn}=eq:${MESSAGE_KEY} (values checked)`, !is2xx(list) ? why(list, "GET", "/api/Activity?...")
          : `${items.length} answered, ${matching.length} with this contact and key${keys.includes(id) ? `, including ${id}` : `, NOT ${id}: the add-in would save this email twice`}`
            + (others ? `; ${others} others came back: the site ignored a filter (the add-in checks the values itself, but reads only the first page)` : "")
            + (older.length ? `; older contract-test activities to delete by hand: ${older.join(", ")}` : ""));

        // The note updated as update_note() does it: read, change NOTE, PUT the whole entity.
        const current = await call("GET", path);
        const newNote = `${note}\n\n--- Saved by Save to iMIS ---\n- contract-test.pdf: updated ${tag}`;
        let putDetail;
        let putOk = false;
        if (!is2xx(current)) putDetail = why(current, "GET", path);
        else {
          const entity = current.json;
          setProperty(entity, "NOTE", newNote);
          const put = await call("PUT", path, entity);
          if (!is2xx(put)) putDetail = why(put, "PUT", path);
          else {
            const after = await call("GET", path);
            const wrong = is2xx(after) ? compare(after.json, [...sent.filter(([n]) => n !== "NOTE"), ["NOTE", newNote]]) : [`GET after the PUT: ${why(after, "GET", path)}`];
            putOk = wrong.length === 0;
            putDetail = putOk ? `HTTP ${put.status}; the new NOTE read back, the other columns unchanged` : wrong.join("; ");
          }
        }
        check(putOk, "update the note: GET, then PUT /api/Activity/{key} with NOTE changed", putDetail);
        await deleteActivity(id, "delete it: DELETE /api/Activity/{key}");
      }

      // ======== 4. interactions
      section = "4 interaction";
      const subject = `Save to iMIS contract test ${tag}`;
      const body = interactionBody({ partyId, address, subject, text: "Written by the Save to iMIS contract test (tests/contract); it deletes this interaction again.", messageId: INTERACTION_KEY });
      made.interactionQuery = `/api/CommunicationLogRecipient?${q({ PartyId: `eq:${partyId}`, MessageId: `eq:${INTERACTION_KEY}` })}`;
      const createdI = await call("POST", "/api/CommunicationLogRecipient", body);
      const iid = is2xx(createdI) ? text(createdI.json?.CommunicationLogRecipientId) ?? identityOf(createdI.json) : undefined;
      if (is2xx(createdI)) made.interaction = iid ?? "unknown";
      const fallback = "the add-in then saves an activity instead (it falls back to activities when iMIS refuses interactions)";
      check(is2xx(createdI) && !!iid, "create: POST /api/CommunicationLogRecipient (typed CommunicationLogRecipientData, Party a PartyReferenceData, MessageType 0)",
        !is2xx(createdI) ? `${why(createdI, "POST", "/api/CommunicationLogRecipient")}; ${fallback}`
          : iid ? `HTTP ${createdI.status}, CommunicationLogRecipientId ${iid}` : `HTTP ${createdI.status} but no CommunicationLogRecipientId in the answer; ${fallback}`);
      if (!iid) add("NOT RUN", "read back, find, update and delete the interaction", "not run: no interaction was created");
      else {
        const path = `/api/CommunicationLogRecipient/${encodeURIComponent(iid)}`;
        const compareI = (v, wantText) => {
          const wrong = [];
          const pairs = [["Party.PartyId", text(v?.Party?.PartyId ?? v?.Party?.Id), partyId], ["MessageId", text(v?.MessageId), INTERACTION_KEY],
            ["CommunicationLog.Subject", text(v?.CommunicationLog?.Subject), subject], ["CommunicationLog.Text", text(v?.CommunicationLog?.Text), wantText]];
          for (const [name, got, want] of pairs) if (got !== want) wrong.push(`${name} sent ${JSON.stringify(want)}, read ${JSON.stringify(got ?? null)}`);
          return wrong;
        };
        const back = await call("GET", path);
        const wrong = is2xx(back) ? compareI(back.json, body.CommunicationLog.Text) : [];
        check(is2xx(back) && wrong.length === 0, "read it back: GET /api/CommunicationLogRecipient/{id}", !is2xx(back) ? why(back, "GET", path)
          : wrong.length ? wrong.join("; ") : "Party.PartyId, MessageId, CommunicationLog.Subject and Text as sent");
        const list = await call("GET", made.interactionQuery);
        const items = values(list.json?.Items);
        const matching = items.filter((v) => text(v?.Party?.PartyId ?? v?.Party?.Id) === partyId && text(v?.MessageId) === INTERACTION_KEY);
        const ids = matching.map((v) => text(v.CommunicationLogRecipientId));
        const older = ids.filter((x) => x !== iid);
        check(is2xx(list) && ids.includes(iid), `find it: GET /api/CommunicationLogRecipient?PartyId=eq:${partyId}&MessageId=eq:${INTERACTION_KEY} (values checked)`, !is2xx(list) ? why(list, "GET", "/api/CommunicationLogRecipient?...")
          : `${items.length} answered, ${matching.length} with this contact and key${ids.includes(iid) ? `, including ${iid}` : `, NOT ${iid}: the add-in would save this email twice`}`
            + (items.length > matching.length ? `; ${items.length - matching.length} others came back: the site ignored a filter` : "")
            + (older.length ? `; older contract-test interactions to delete by hand: ${older.join(", ")}` : ""));
        const current = await call("GET", path);
        let putOk = false, putDetail;
        const newText = `${body.CommunicationLog.Text}\n\n--- Saved by Save to iMIS ---\n- updated ${tag}`;
        if (!is2xx(current)) putDetail = why(current, "GET", path);
        else {
          const v = current.json;
          if (v?.CommunicationLog && typeof v.CommunicationLog === "object") v.CommunicationLog.Text = newText;
          const put = await call("PUT", path, v);
          if (!is2xx(put)) putDetail = why(put, "PUT", path);
          else {
            const after = await call("GET", path);
            const w = is2xx(after) ? compareI(after.json, newText) : [`GET after the PUT: ${why(after, "GET", path)}`];
            putOk = w.length === 0;
            putDetail = putOk ? `HTTP ${put.status}; the new CommunicationLog.Text read back, the rest unchanged` : w.join("; ");
          }
        }
        check(putOk, "update the note: GET, then PUT /api/CommunicationLogRecipient/{id} with CommunicationLog.Text changed", putDetail);
        await deleteInteraction(iid, "delete it: DELETE /api/CommunicationLogRecipient/{id}");
      }
    }

    // ======== 5. documents
    section = "5 documents";
    await documents();

    // ======== 6. contacts
    section = "6 contacts";
    const contactStep = "find a contact by address: GET /api/Party?Email=eq:<IMIS_CONTACT_EMAIL> (every page)";
    if (!contactEmail) add("NOT RUN", contactStep, "not run: set IMIS_CONTACT_EMAIL to the address of a contact in iMIS");
    else {
      const { r, items } = await allPages(`/api/Party?${q({ Email: `eq:${contactEmail}` })}`);
      if (!items) add("FAILED", contactStep, why(r, "GET", "/api/Party?Email=eq:<address>"));
      else {
        const having = [], lacking = [];
        for (const p of items) {
          const id = text(p.PartyId ?? p.Id) ?? "?";
          const hit = partyEmails(p).find((e) => same(e.address, contactEmail));
          if (hit) having.push(`${id} (${hit.primary ? "primary" : hit.type || "another"} address)`);
          else lacking.push(`${id}${same(text(p.Email), contactEmail) ? " (only in Email, not in Emails: the add-in reads Emails)" : ""}`);
        }
        check(having.length > 0, contactStep.replace("<IMIS_CONTACT_EMAIL>", contactEmail), `${items.length} answered; ${having.length ? `with the address: ${having.join(", ")}` : "none has the address in Emails: the add-in finds no contact for it"}`
          + (lacking.length ? `; WITHOUT it (the add-in leaves them out): ${lacking.join(", ")}` : ""));
      }
    }
    add("NOT RUN", "add a contact: POST /api/Party (PersonData)", "not tried on purpose: iMIS has no way to delete a contact again; a user without the right gets 403, which the add-in reports");
  } catch (e) {
    add("FAILED", "the contract run", `stopped by an error: ${e.stack ?? e.message}`);
  } finally {
    if (token) {
      const before = section;
      section = "clean-up";
      try { await cleanUp(); } catch (e) { add("FAILED", "clean-up", `stopped by an error: ${e.message}; delete what this run made by hand`); }
      section = before;
    }
  }
  return results;

  // ---- deleting, inline and in the finally block
  async function gone(path) { const r = await call("GET", path); return r.status === 404; }
  async function deleteActivity(id, step) {
    const path = `/api/Activity/${encodeURIComponent(id)}`;
    const r = await call("DELETE", path);
    const ok = is2xx(r) && (await gone(path));
    if (ok || is2xx(r)) made.activity = null;
    return check(ok, step, !is2xx(r) ? `${why(r, "DELETE", path)}; delete activity ${id} by hand` : ok ? `HTTP ${r.status}; GET answers 404 now` : `DELETE answered ${r.status} but activity ${id} is still there`);
  }
  async function deleteInteraction(id, step) {
    const path = `/api/CommunicationLogRecipient/${encodeURIComponent(id)}`;
    const r = await call("DELETE", path);
    const ok = is2xx(r) && (await gone(path));
    if (ok || is2xx(r)) made.interaction = null;
    return check(ok, step, !is2xx(r) ? `${why(r, "DELETE", path)}; delete interaction ${id} by hand` : ok ? `HTTP ${r.status}; GET answers 404 now` : `DELETE answered ${r.status} but interaction ${id} is still there`);
  }
  async function deleteDocuments(step) {
    const done = [], left = [];
    const targets = [...made.documents, ...(made.folder ? [made.folder] : [])];
    for (const d of targets) {
      const id = d.id ?? text(summaryInFolder((await summaries(d.name)).items ?? [], d.parent, d.name)?.DocumentId);
      if (!id) { if (d.maybe) { dropMade(d); continue; } left.push(`${d.parent}/${d.name} (no DocumentId)`); continue; }
      const r = await call("DELETE", `/api/Document/${encodeURIComponent(id)}`);
      const still = summaryInFolder((await summaries(d.name)).items ?? [], d.parent, d.name);
      if (is2xx(r) && !still) { done.push(d.name); dropMade(d); } else left.push(`${d.parent}/${d.name} (${id}): ${is2xx(r) ? `DELETE answered ${r.status} but DocumentSummary still lists it (Status ${text(still.Status) ?? "not given"})` : why(r, "DELETE", "/api/Document/{id}")}`);
    }
    if (done.length || left.length) check(left.length === 0, step, left.length ? `NOT deleted, delete by hand: ${left.join("; ")}${done.length ? `; deleted: ${done.join(", ")}` : ""}` : `deleted ${done.join(", ")}; DocumentSummary?Name= lists none of them now`);
  }
  function dropMade(d) {
    if (d === made.folder) made.folder = null; else made.documents = made.documents.filter((x) => x !== d);
  }
  async function cleanUp() {
    // An activity or interaction whose create answered without a key: look for it by this run's values.
    for (const [kind, query, del] of [["activity", made.activityQuery, deleteActivity], ["interaction", made.interactionQuery, deleteInteraction]]) {
      const id = made[kind];
      if (id && id !== "unknown") await del(id, `DELETE the ${kind} left from the run`);
      else if (query) {
        // Tried (made.*Query is set) and either created without a key or not acknowledged: look.
        const r = await call("GET", query);
        const mine = values(r.json?.Items).filter((x) => (kind === "activity"
          ? String(propOf(x, "DESCRIPTION") ?? "").includes(tag) && same(text(propOf(x, keyColumn)), MESSAGE_KEY)
          : String(text(x?.CommunicationLog?.Subject) ?? "").includes(tag) && text(x?.MessageId) === INTERACTION_KEY));
        for (const x of mine) await del(kind === "activity" ? identityOf(x) ?? text(propOf(x, "SEQN")) : text(x.CommunicationLogRecipientId), `DELETE the ${kind} left from the run (found by this run's values)`);
        made[kind] = null;
      }
    }
    if (made.documents.length || made.folder) await deleteDocuments("DELETE /api/Document/{id}: the documents and folder left from the run");
  }

  // ---- 5. documents, in one function for readability
  async function documents() {
    const root = documentRoot.replace(/\/+$/, "");
    const cut = root.lastIndexOf("/");
    const [rootParent, rootName] = cut < 0 ? ["$", root] : [root.slice(0, cut), root.slice(cut + 1)];
    const rootFound = await summaries(rootName);
    const rootSummary = rootFound.items && summaryInFolder(rootFound.items, rootParent, rootName);
    if (!check(!!rootSummary, `the document folder ${root} (IMIS_DOCUMENT_ROOT) exists: GET /api/DocumentSummary?Name=eq:${rootName}, in ${rootParent}`,
      !rootFound.items ? why(rootFound.r, "GET", "/api/DocumentSummary?Name=eq:...") : rootSummary ? `DocumentId ${text(rootSummary.DocumentId)}, Status ${text(rootSummary.Status) ?? "not given"}`
        : `not found (${rootFound.items.length} item(s) named ${rootName} elsewhere): create the folder in iMIS or set IMIS_DOCUMENT_ROOT`)) {
      add("NOT RUN", "the document steps", "not run: no document folder");
      return;
    }

    const five00 = []; // [{ name, saved }]
    // POSTs a document or folder; a 500 is looked up (the 500-after-save quirk). -> { id, status, r, saved500 }
    async function create(entry, bodyText, opts) {
      const r = await call("POST", "/api/Document", bodyText, opts);
      if (is2xx(r)) {
        const id = text(r.json?.DocumentId);
        entry.id = id ?? null;
        entry.maybe = !id;
        made[entry.folder ? "folder" : "documents"] = entry.folder ? entry : [...made.documents, entry];
        return { r, id, status: text(r.json?.Status) };
      }
      if (r.status >= 500 && !meansTooLarge(r.status, r.text)) {
        const s = summaryInFolder((await summaries(entry.name)).items ?? [], entry.parent, entry.name);
        five00.push({ name: entry.name, saved: !!s });
        if (s) {
          entry.id = text(s.DocumentId) ?? null;
          made[entry.folder ? "folder" : "documents"] = entry.folder ? entry : [...made.documents, entry];
          return { r, id: entry.id, status: text(s.Status), saved500: true };
        }
      }
      return { r, id: null };
    }
    const createdText = (c) => (c.saved500
      ? `HTTP ${c.r.status} (${said(c.r)}) but it was saved: DocumentSummary?Name= finds it, DocumentId ${c.id}, Status ${c.status ?? "not given"}`
      : `HTTP ${c.r.status}, DocumentId ${c.id ?? "MISSING from the answer (the add-in needs it)"}, Status ${c.status ?? "not given"}`);

    // The email's folder.
    const folderName = `contracttest-${tag}`;
    const folderPath = `${root}/${folderName}`;
    const folderEntry = { folder: true, name: folderName, parent: root };
    const f = await create(folderEntry, folderBody(folderName, root));
    if (!check(!!f.id, `create a folder: POST /api/Document (DocumentTypeId FOL, Path ${root})`, f.id ? createdText(f) : why(f.r, "POST", "/api/Document"))) {
      add("NOT RUN", "the document uploads", "not run: no folder");
      return;
    }
    const items = [{ name: folderName, parent: root, id: f.id, type: "FOL", status: f.status }];

    // The files, with the types the add-in sends.
    for (const file of FILES) {
      const bytes = fileBytes(file.name, tag);
      const entry = { name: file.name, parent: folderPath };
      const c = await create(entry, documentText(file.name, folderPath, file.type, bytes.toString("base64")));
      if (check(!!c.id, `upload ${file.name}: POST /api/Document (DocumentTypeId ${file.type}, Path = the folder, Data base64, ${bytes.length} bytes)`, c.id ? createdText(c) : why(c.r, "POST", "/api/Document"))) {
        items.push({ name: file.name, parent: folderPath, id: c.id, type: file.type, status: c.status, bytes });
      }
    }

    // DocumentSummary?Name= (what the add-in uses) must see each; FindByPath is reported.
    const seen = [], missed = [];
    for (const it of items) {
      const found = await summaries(it.name);
      const s = found.items && summaryInFolder(found.items, it.parent, it.name);
      (s && text(s.DocumentId) === it.id ? seen : missed).push(`${it.name}${s ? ` (Status ${text(s.Status) ?? "?"})` : !found.items ? ` (${why(found.r, "GET", "/api/DocumentSummary")})` : ""}`);
      if (s && !it.status) it.status = text(s.Status);
    }
    check(missed.length === 0, "GET /api/DocumentSummary?Name=eq:<name> finds each new item in its folder (how the add-in looks before it posts)",
      missed.length ? `NOT found: ${missed.join(", ")}${seen.length ? `; found: ${seen.join(", ")}` : ""}: the add-in could store these twice` : `found all ${seen.length}: ${seen.join(", ")}`);
    const fbpSeen = [], fbpBlind = [];
    for (const it of items) {
      const r = await call("POST", "/api/Document/_execute", findByPath(`${it.parent}/${it.name}`));
      const id = text(r.json?.Result?.DocumentId);
      (is2xx(r) && id === it.id ? fbpSeen : fbpBlind).push(`${it.name} (Status ${it.status ?? "?"}${is2xx(r) ? "" : `, HTTP ${r.status}`})`);
    }
    add("info", "POST /api/Document/_execute FindByPath sees the new items", fbpBlind.length === 0 ? `sees all ${fbpSeen.length}`
      : `blind to ${fbpBlind.join(", ")}${fbpSeen.length ? `; sees ${fbpSeen.join(", ")}` : ""}: expected for items in Working status; the add-in uses DocumentSummary?Name= instead`);

    // The bytes as stored.
    const readBack = [];
    for (const it of items.filter((x) => x.bytes)) {
      const r = await call("GET", `/api/Document/${encodeURIComponent(it.id)}`);
      const data = unwrap(r.json?.Data);
      const got = typeof data === "string" ? Buffer.from(data, "base64") : null;
      readBack.push(!is2xx(r) ? `${it.name}: ${why(r, "GET", "/api/Document/{id}")}` : !got ? `${it.name}: no Data.$value in the answer` : got.equals(it.bytes) ? null : `${it.name}: read ${got.length} bytes, sent ${it.bytes.length}, not equal`);
    }
    const bad = readBack.filter(Boolean);
    check(bad.length === 0, "read the files back: GET /api/Document/{id}, bytes equal", bad.length ? bad.join("; ") : `all ${readBack.length} equal to what was sent`);

    // Changing a text document in place, as the add-in changes the organisation's settings document
    // (docs/org-settings.md): GET it, replace Data, PUT it back whole. Who may do so in a folder with
    // "Administrators Full Control" needs a second, non-administrator account: README, Organisation-wide settings.
    const txt = items.find((x) => x.type === "TXT" && x.bytes);
    const putStep = "change a text document in place: GET /api/Document/{id}, new Data, PUT /api/Document/{id}; read back equal";
    if (!txt) add("NOT RUN", putStep, "not run: the TXT upload failed");
    else {
      const url = `/api/Document/${encodeURIComponent(txt.id)}`;
      const got = await call("GET", url);
      if (!is2xx(got) || !got.json) check(false, putStep, is2xx(got) ? "GET answered no JSON" : why(got, "GET", "/api/Document/{id}"));
      else {
        const next = Buffer.from(`{"saveToImis": 1, "settings": {"activityType": "EMAIL"}, "run": "${tag}"}`);
        const body = canonical({ ...got.json, Data: { $type: "System.Byte[], mscorlib", $value: next.toString("base64") } });
        const put = await call("PUT", url, body);
        const after = await call("GET", url);
        const data = unwrap(after.json?.Data);
        const now = typeof data === "string" ? Buffer.from(data, "base64") : null;
        const changed = !!now && now.equals(next);
        const sameVersion = text(after.json?.DocumentVersionId) === text(got.json?.DocumentVersionId);
        check(changed && (is2xx(put) || put.status >= 500), putStep, changed
          ? `PUT answered HTTP ${put.status}${is2xx(put) ? "" : ` (${said(put)}) but it was saved`}; DocumentVersionId ${sameVersion ? "unchanged" : "CHANGED (a new version)"}; UpdateInfo.UpdatedBy ${text(after.json?.UpdateInfo?.UpdatedBy) ?? "not given"}`
          : `${is2xx(put) ? `PUT answered HTTP ${put.status} but the content read back is not the new one` : why(put, "PUT", "/api/Document/{id}")}: the add-in cannot change the organisation's settings on this site`);
      }
    }

    // A type a stock site lacks (the add-in never sends it: .docx goes as DOC).
    const probeName = "contract-type-check.docx";
    const probe = await create({ name: probeName, parent: folderPath }, documentText(probeName, folderPath, "DOCX", Buffer.from("contract").toString("base64")));
    add("info", "the document type DOCX (not shipped with iMIS; the add-in sends DOC for .docx) is refused", probe.id
      ? `ACCEPTED (${createdText(probe)}): this site has its own DOCX type; Setup can map docx to it`
      : probe.r.status === 400 ? `refused, as on a stock site: HTTP 400: ${said(probe.r)}` : `not stored: ${why(probe.r, "POST", "/api/Document")}`);

    // The request size limit.
    const overStep = `a request just over iMIS's stock limit (${mib(STOCK_LIMIT + 64 * 1024)} body): what the site answers`;
    const underStep = `a request just under it (${mib(9 * 1048576)} body, a ${mib(fileForBody(9 * 1048576, "contract-just-under.pdf", folderPath))} file) is accepted`;
    if (!large) {
      add("NOT RUN", overStep, "not run: set IMIS_CONTRACT_LARGE=1 (uploads about 19 MiB)");
      add("NOT RUN", underStep, "not run: set IMIS_CONTRACT_LARGE=1");
    } else {
      const overName = "contract-just-over.pdf";
      const overBody = bodyOf(STOCK_LIMIT + 64 * 1024, overName, folderPath);
      const over = await create({ name: overName, parent: folderPath }, overBody, { timeout: largeTimeoutMs });
      const o = over.r;
      let result = "ok", detail;
      if (over.id) { result = "info"; detail = `ACCEPTED (${createdText(over)}): this site's limit is above iMIS's stock 10 MiB`; }
      else if (o.status === 0) detail = `the connection was cut (${o.error}): the add-in reports a large upload that gets no answer as too large`;
      else if (meansTooLarge(o.status, o.text)) detail = `HTTP ${o.status} with ${said(o)}: the add-in recognises it as too large`;
      else { result = "FAILED"; detail = `${why(o, "POST", "/api/Document")}: the add-in does not recognise this answer as "too large" (src/imis/model.rs means_too_large)`; }
      add(result, overStep, `${detail} (sent ${Buffer.byteLength(overBody)} bytes)`);

      const underName = "contract-just-under.pdf";
      const underBody = bodyOf(9 * 1048576, underName, folderPath);
      const under = await create({ name: underName, parent: folderPath }, underBody, { timeout: largeTimeoutMs });
      check(!!under.id, underStep, under.id ? `${createdText(under)} (sent ${Buffer.byteLength(underBody)} bytes)`
        : `${why(under.r, "POST", "/api/Document")}: this site takes less than a stock one (10 MiB a request, about 7.5 MB of file): files near that size will not upload`);
    }

    // Every create that answered 500.
    add(five00.some((x) => !x.saved) ? "FAILED" : "ok", "a document POST that answers 500: saved anyway? (the add-in looks before it posts again)", five00.length === 0
      ? "no create answered 500 here"
      : `${five00.filter((x) => x.saved).map((x) => x.name).join(", ") || "none"} answered 500 and WERE saved`
        + (five00.some((x) => !x.saved) ? `; ${five00.filter((x) => !x.saved).map((x) => x.name).join(", ")} answered 500 and were not: a real error` : ""));

    await deleteDocuments("delete them: DELETE /api/Document/{id}, the documents, then the folder");
  }
}

// A POST /api/Document body of exactly `size` bytes (ASCII), its Data base64 of a generated file.
function fileForBody(size, name, folder) {
  const overhead = documentText(name, folder, "PDF", "").length;
  return Math.floor((size - overhead) / 4) * 3;
}
function bodyOf(size, name, folder) {
  const n = fileForBody(size, name, folder);
  const bytes = Buffer.alloc(n);
  for (let i = 0; i < n; i++) bytes[i] = (i * 31 + (i >> 8)) & 255;
  return documentText(name, folder, "PDF", bytes.toString("base64"));
}
