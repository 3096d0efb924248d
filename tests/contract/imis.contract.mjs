// The iMIS contract: every fact about iMIS's REST API that the add-in relies on
// (../shared/reference/imis-rest.md, the "(check)" ones in src/imis/site.rs), tried
// against a site with plain HTTP, writing only what it deletes again.
//
//   import { runContract } from "./imis.contract.mjs";
//   const results = await runContract({ base, username, password, fetchImpl });
//   // -> [{ step, ok, detail }], in order; every ok true means the site fits the add-in
//
// base: the iMIS site URL as Setup takes it (https://imis.example.org, or a proxy's
//   https://addin.example.org/imis). fetchImpl(url, { method, headers, body, signal }) must
//   answer { status, ok, text() } (default: global fetch).
// Env: IMIS_ACTIVITY_TYPE (default EMAIL: the activity type Setup uses; it must exist),
//   IMIS_DOCUMENT_ROOT (default $/Common/Email: Setup's document folder; it must exist).
//
// What it makes, and deletes in a finally block whatever happened: one activity
// (SOURCE_CODE "email:contracttest0000"), one folder "contracttest-<timestamp>" under the
// document root and one small document in it. The password and tokens never appear in
// a result.

const T = (n) => `Asi.Soa.Core.DataContracts.${n}, Asi.Contracts`;
const GENERIC_ENTITY = T("GenericEntityData");
const PROPERTY_COLLECTION = T("GenericPropertyDataCollection");
const PROPERTY = T("GenericPropertyData");
const DOCUMENT = T("DocumentData");
const EXECUTE_REQUEST = T("GenericExecuteRequest");
const BYTES = "System.Byte[], mscorlib";
const OBJECTS = "System.Collections.ObjectModel.Collection`1[[System.Object, mscorlib]], mscorlib";
const STRINGS = "System.Collections.ObjectModel.Collection`1[[System.String, mscorlib]], mscorlib";

/** The Activity columns the add-in writes (src/imis/site.rs). */
export const ACTIVITY_COLUMNS = ["PartyId", "ACTIVITY_TYPE", "TRANSACTION_DATE", "DESCRIPTION", "NOTE", "SOURCE_CODE"];
export const SOURCE_CODE = "email:contracttest0000";
const FOLDER_TYPE = "FOL";

const unwrap = (v) => (v && typeof v === "object" && !Array.isArray(v) && "$value" in v ? v.$value : v);
const values = (v) => (Array.isArray(v) ? v : Array.isArray(v?.$values) ? v.$values : []);
const prop = (entity, name) => unwrap(values(entity?.Properties).find((p) => p?.Name === name)?.Value);
const identityOf = (entity) => {
  const key = values(entity?.Identity?.IdentityElements)[0];
  return key === undefined || key === null ? undefined : String(unwrap(key));
};
const generic = (entity, props) => ({
  $type: GENERIC_ENTITY,
  EntityTypeName: entity,
  PrimaryParentEntityTypeName: "Party",
  Properties: { $type: PROPERTY_COLLECTION, $values: Object.entries(props).map(([Name, Value]) => ({ $type: PROPERTY, Name, Value })) },
});
const findByPath = (path) => ({
  $type: EXECUTE_REQUEST,
  EntityTypeName: "DocumentSummary",
  OperationName: "FindByPath",
  Parameters: { $type: OBJECTS, $values: [{ $type: "System.String", $value: path }] },
  ParameterTypeName: { $type: STRINGS, $values: ["System.String"] },
  UseJson: false,
});
const localIso = (d) => {
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
};
const sha256 = async (bytes) => Buffer.from(await crypto.subtle.digest("SHA-256", bytes)).toString("hex").slice(0, 16);

export async function runContract({
  base, username, password, fetchImpl = globalThis.fetch,
  activityType = process.env.IMIS_ACTIVITY_TYPE || "EMAIL",
  documentRoot = process.env.IMIS_DOCUMENT_ROOT || "$/Common/Email",
  timeoutMs = 120_000,
} = {}) {
  const site = String(base ?? "").replace(/\/+$/, "");
  const results = [];
  const record = (step, ok, detail = "") => {
    results.push({ step, ok: !!ok, detail: scrub(String(detail)) });
    return ok;
  };
  // Nothing secret in a result: the password, or any token, is replaced.
  const secrets = [];
  const scrub = (s) => secrets.filter((x) => x && x.length >= 4).reduce((t, x) => t.split(x).join("***"), s);
  if (password) secrets.push(String(password));
  if (!/^https:\/\/[^/]/.test(site)) {
    record("site URL", false, `base must be an https:// URL, got ${JSON.stringify(base ?? "")}`);
    return results;
  }

  let token = null;
  async function signIn() {
    const form = new URLSearchParams({ grant_type: "password", username: username ?? "", password: password ?? "" });
    const r = await raw("POST", "/token", form.toString(), "application/x-www-form-urlencoded", false);
    if (r.status === 200 && typeof r.json?.access_token === "string") {
      token = r.json.access_token;
      secrets.push(token);
      return { ok: true, r };
    }
    return { ok: false, r };
  }
  async function raw(method, path, body, contentType, auth = true) {
    const headers = { Accept: "application/json" };
    if (contentType) headers["Content-Type"] = contentType;
    if (auth && token) headers.Authorization = `Bearer ${token}`;
    let res;
    try {
      res = await fetchImpl(site + path, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      return { status: 0, json: null, text: "", error: `${method} ${path}: no answer (${e.cause?.message ?? e.message})` };
    }
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    return { status: res.status, json, text };
  }
  // One API call; a 401 gets one new token and a retry (as the add-in does).
  async function call(method, path, body) {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let r = await raw(method, path, payload, payload === undefined ? undefined : "application/json");
    if (r.status === 401 && (await signIn()).ok) r = await raw(method, path, payload, payload === undefined ? undefined : "application/json");
    return r;
  }
  const why = (r, method, path) => {
    if (r.error) return r.error;
    const msg = r.json?.Message ?? r.json?.message ?? r.json?.error_description ?? r.json?.error ?? r.text?.slice(0, 200);
    const errors = values(r.json?.ValidationResults?.Errors).map((e) => `${e.PropertyName}: ${e.Message}`).join("; ");
    return `${method} ${path} -> HTTP ${r.status}${msg ? `: ${String(msg).slice(0, 300)}` : ""}${errors ? ` (${errors})` : ""}`;
  };
  const is2xx = (r) => r.status >= 200 && r.status < 300;

  const stamp = new Date();
  const tag = stamp.toISOString().replace(/\D/g, "").slice(0, 14);
  const made = { activityId: null, activityQuery: null, folderPath: null, folderId: null, docPath: null, docId: null };

  try {
    // ---- sign in
    const signed = await signIn();
    if (!record("sign in: POST /token (password grant)", signed.ok,
      signed.ok ? `bearer token, expires_in ${signed.r.json.expires_in}` : why(signed.r, "POST", "/token"))) return results;

    // ---- the Activity columns the add-in writes
    const metaPath = "/api/metadata/Activity";
    const meta = await call("GET", metaPath);
    const columns = values(meta.json?.Properties).map((p) => p?.Name).filter((n) => typeof n === "string");
    if (record(`GET ${metaPath}`, is2xx(meta) && columns.length > 0,
      is2xx(meta) ? `${columns.length} properties` : why(meta, "GET", metaPath))) {
      for (const name of ACTIVITY_COLUMNS) {
        const exact = columns.includes(name);
        const other = exact ? null : columns.find((c) => c.toLowerCase() === name.toLowerCase());
        const info = values(meta.json.Properties).find((p) => p?.Name === name);
        record(`Activity has ${name} (check)`, exact, exact
          ? [info?.PropertyTypeName, info?.MaxLength && `max ${info.MaxLength}`].filter(Boolean).join(", ")
          : other ? `MISSING: the site calls it ${other}; change src/imis/site.rs` : `MISSING from ${metaPath}: the add-in writes this column (src/imis/site.rs)`);
      }
    }

    // ---- a contact, and the email filter
    const partyPath = "/api/Party?limit=1";
    const parties = await call("GET", partyPath);
    const party = values(parties.json?.Items)[0];
    const partyId = party && String(unwrap(party.PartyId ?? party.Id ?? identityOf(party)) ?? "");
    if (!record(`find a contact: GET ${partyPath}`, is2xx(parties) && !!partyId,
      !is2xx(parties) ? why(parties, "GET", partyPath) : partyId ? `PartyId ${partyId}, TotalCount ${parties.json.TotalCount}` : "no contact in the answer")) return results;
    const emails = values(party.Emails);
    const email = (emails.find((e) => e?.IsPrimary === true) ?? emails.find((e) => e?.EmailType === "_Primary"))?.Address;
    if (email) {
      const path = `/api/Party?Email=eq:${encodeURIComponent(email)}`;
      const found = await call("GET", path);
      const ids = values(found.json?.Items).map((p) => String(unwrap(p.PartyId ?? p.Id)));
      record("find a contact by primary email: GET /api/Party?Email=eq:<address>", is2xx(found) && ids.includes(partyId),
        !is2xx(found) ? why(found, "GET", "/api/Party?Email=eq:<address>") : ids.includes(partyId)
          ? `${ids.length} match(es), including ${partyId}` : `PartyId ${partyId} not among ${JSON.stringify(ids)}`);
    } else {
      record("find a contact by primary email: GET /api/Party?Email=eq:<address>", true, `not checked: contact ${partyId} has no primary email`);
    }

    // ---- an activity on it
    const description = `Save to iMIS contract test ${tag}`;
    const date = localIso(stamp);
    const sent = { ACTIVITY_TYPE: activityType, PartyId: partyId, TRANSACTION_DATE: date, DESCRIPTION: description, SOURCE_CODE };
    if (columns.includes("NOTE")) sent.NOTE = "Written by the Save to iMIS contract test (tests/contract); it deletes this activity again.";
    made.activityQuery = `/api/Activity?PartyId=eq:${encodeURIComponent(partyId)}&SOURCE_CODE=eq:${encodeURIComponent(SOURCE_CODE)}&DESCRIPTION=eq:${encodeURIComponent(description)}`;
    const created = await call("POST", "/api/Activity", generic("Activity", sent));
    made.activityId = identityOf(created.json) ?? (prop(created.json, "SEQN") != null ? String(prop(created.json, "SEQN")) : null);
    if (record(`create an activity: POST /api/Activity (ACTIVITY_TYPE ${activityType})`, is2xx(created) && !!made.activityId,
      !is2xx(created) ? why(created, "POST", "/api/Activity") : made.activityId ? `key ${made.activityId} (Identity.IdentityElements)` : "no key in Identity.IdentityElements.$values[0]")) {
      const path = `/api/Activity/${encodeURIComponent(made.activityId)}`;
      const back = await call("GET", path);
      const wrong = [];
      for (const [name, value] of Object.entries(is2xx(back) ? sent : {})) {
        const got = prop(back.json, name);
        const same = name === "TRANSACTION_DATE"
          ? typeof got === "string" && got.slice(0, 16) === value.slice(0, 16)
          : String(got ?? "").trim() === String(value);
        if (!same) wrong.push(`${name} sent ${JSON.stringify(value)}, read ${JSON.stringify(got ?? null)}`);
      }
      record("read it back: GET /api/Activity/{id}", is2xx(back) && wrong.length === 0,
        !is2xx(back) ? why(back, "GET", path) : wrong.length ? wrong.join("; ") : `${Object.keys(sent).join(", ")} as sent (plain or typed values)`);
      const query = `/api/Activity?PartyId=eq:${encodeURIComponent(partyId)}&SOURCE_CODE=eq:${encodeURIComponent(SOURCE_CODE)}`;
      const list = await call("GET", query);
      const keys = values(list.json?.Items).map((a) => identityOf(a) ?? String(prop(a, "SEQN")));
      record("find it: GET /api/Activity?PartyId=eq:<id>&SOURCE_CODE=eq:<key>", is2xx(list) && keys.includes(made.activityId),
        !is2xx(list) ? why(list, "GET", query) : keys.includes(made.activityId)
          ? `found${keys.length > 1 ? ` (and ${keys.length - 1} older contract-test activities: ${keys.filter((k) => k !== made.activityId).join(", ")})` : ""}`
          : `not found among ${JSON.stringify(keys)}`);
    }

    // ---- a folder and a document
    const root = documentRoot.replace(/\/+$/, "");
    const folderName = `contracttest-${tag}`;
    made.folderPath = `${root}/${folderName}`;
    const folder = await call("POST", "/api/Document", {
      $type: DOCUMENT, Name: folderName, AlternateName: folderName, Description: "Save to iMIS contract test", DocumentTypeId: FOLDER_TYPE, Path: root,
    });
    made.folderId = folder.json?.DocumentId ?? null;
    if (!record(`create a folder: POST /api/Document (DocumentTypeId ${FOLDER_TYPE}, Path ${root})`, is2xx(folder),
      is2xx(folder) ? `${made.folderPath}${made.folderId ? "" : " (no DocumentId in the answer)"}` : why(folder, "POST", "/api/Document"))) return results;

    const name = "contract-test.txt";
    const bytes = Buffer.concat([Buffer.from(`Save to iMIS contract test ${tag}: caf\u00e9 \u2713\n`, "utf8"), Buffer.from(Array.from({ length: 256 }, (_, i) => i))]);
    made.docPath = `${made.folderPath}/${name}`;
    const doc = await call("POST", "/api/Document", {
      $type: DOCUMENT, Name: name, AlternateName: name, Description: name, DocumentTypeId: "TXT", Path: made.folderPath,
      Data: { $type: BYTES, $value: bytes.toString("base64") },
    });
    made.docId = doc.json?.DocumentId ?? null;
    if (!record(`create a document: POST /api/Document (DocumentData, Data ${BYTES.split(",")[0]} base64, ${bytes.length} bytes)`, is2xx(doc),
      is2xx(doc) ? made.docPath : why(doc, "POST", "/api/Document"))) return results;

    const find = await call("POST", "/api/Document/_execute", findByPath(made.docPath));
    const foundId = find.json?.Result?.DocumentId;
    made.docId ??= foundId ?? null;
    record("find it: POST /api/Document/_execute FindByPath", is2xx(find) && !!foundId && foundId === made.docId,
      !is2xx(find) ? why(find, "POST", "/api/Document/_execute") : !foundId ? `no Result.DocumentId (Message ${JSON.stringify(find.json?.Message)})`
        : foundId === made.docId ? `DocumentId ${foundId}` : `FindByPath says ${foundId}, POST said ${made.docId}`);

    const missing = await call("POST", "/api/Document/_execute", findByPath(`${made.folderPath}/no-such-document-${tag}.txt`));
    record("a missing path: FindByPath answers 200, Result null", missing.status === 200 && missing.json?.Result == null,
      missing.status === 200 ? `Result ${JSON.stringify(missing.json?.Result ?? null)}, Message ${JSON.stringify(missing.json?.Message ?? null)}` : why(missing, "POST", "/api/Document/_execute"));

    if (made.docId) {
      const path = `/api/Document/${encodeURIComponent(made.docId)}`;
      const back = await call("GET", path);
      const data = unwrap(back.json?.Data);
      const got = typeof data === "string" ? Buffer.from(data, "base64") : null;
      record("read it back: GET /api/Document/{id}, bytes equal", is2xx(back) && !!got && got.equals(bytes),
        !is2xx(back) ? why(back, "GET", path) : !got ? "no Data.$value in the answer"
          : got.equals(bytes) ? `${got.length} bytes, sha256 ${await sha256(got)}…` : `${got.length} bytes, sha256 ${await sha256(got)}…; sent ${bytes.length}, sha256 ${await sha256(bytes)}…`);
    }
  } catch (e) {
    record("contract run", false, `stopped by an error: ${e.message}`);
  } finally {
    if (token) await cleanUp();
  }
  return results;

  // Deletes what this run made, innermost first. A POST that failed may still have saved
  // (the 500-but-saved quirk), so documents are looked up by path too.
  async function cleanUp() {
    const lookUp = async (path) => (await call("POST", "/api/Document/_execute", findByPath(path))).json?.Result?.DocumentId ?? null;
    const remove = async (step, id, path, lookupPath) => {
      try {
        id ??= lookupPath ? await lookUp(lookupPath) : null;
        if (!id) return lookupPath ? record(step, true, "nothing to delete (not created)") : true;
        const r = await call("DELETE", `${path}/${encodeURIComponent(id)}`);
        const gone = lookupPath ? (await lookUp(lookupPath)) === null : (await call("GET", `${path}/${encodeURIComponent(id)}`)).status === 404;
        return record(step, is2xx(r) && gone, !is2xx(r) ? why(r, "DELETE", `${path}/{id}`) : gone ? `deleted ${id}` : `DELETE answered ${r.status} but ${id} is still there`);
      } catch (e) {
        return record(step, false, `${e.message}: delete ${id ?? lookupPath} by hand`);
      }
    };
    if (made.docPath) await remove("clean up: DELETE /api/Document/{id} (the document)", made.docId, "/api/Document", made.docPath);
    if (made.folderPath) await remove("clean up: DELETE /api/Document/{id} (the folder)", made.folderId, "/api/Document", made.folderPath);
    if (!made.activityId && made.activityQuery) {
      // Not created, or created without a key in the answer: look for it by its unique description.
      const r = await call("GET", made.activityQuery);
      const keys = is2xx(r) ? values(r.json?.Items).map((a) => identityOf(a) ?? String(prop(a, "SEQN"))) : [];
      if (keys.length === 0) record("clean up: DELETE /api/Activity/{id}", is2xx(r), is2xx(r) ? "nothing to delete (not created)" : why(r, "GET", "/api/Activity?...DESCRIPTION=eq:<this run>"));
      for (const key of keys) await remove("clean up: DELETE /api/Activity/{id}", key, "/api/Activity", null);
    } else if (made.activityId) {
      await remove("clean up: DELETE /api/Activity/{id}", made.activityId, "/api/Activity", null);
    }
  }
}
