// admin/: the Entra app description (app.json) and the two scripts that register it.
// app.json is checked against Microsoft Graph's documented permission ids and for least
// privilege; both scripts are checked statically (they read app.json, declare their switches,
// create no secret); register-app.sh also runs: --help and --dry-run without az, and the whole
// registration against a fake `az` that keeps an in-memory directory (created, run again,
// narrowed, other hosts kept). register-app.ps1 gets a parse check only where pwsh exists.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const APP_JSON = join(root, "admin/app.json");
const PS1 = join(root, "admin/register-app.ps1");
const SH = join(root, "admin/register-app.sh");

const spec = JSON.parse(readFileSync(APP_JSON, "utf8"));
const ps1 = readFileSync(PS1, "utf8");
const sh = readFileSync(SH, "utf8");

// Microsoft Graph's resource app id and delegated permission (scope) ids, as documented
// (../shared/reference/graph-and-office.md, from Microsoft's published app manifests).
const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
const DOCUMENTED_SCOPE_IDS = {
  "Mail.Read": "570282fd-fa5c-430d-a7fd-fc8dc98a9dca",
  "Mail.Read.Shared": "7b9103a5-4610-446b-9670-80643382c1fa",
  "Mail.ReadWrite": "024d486e-b451-40bb-833d-3e66d98c5c73",
  "User.Read": "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
};
const MAIL_SEND_ID_PREFIX = "e383f46e-"; // Mail.Send: never
// The permissions this add-in may ask for, and the switch that turns each optional one on.
const ALLOWED = {
  "Mail.Read": null,
  "Mail.Read.Shared": { powershell: "-SharedMailboxes", bash: "--shared-mailboxes" },
  "Mail.ReadWrite": { powershell: "-ReadWrite", bash: "--read-write" },
};
const OIDC_SCOPES = new Set(["openid", "profile", "offline_access", "email"]);
const CLOUDS = {
  Global: { login: "login.microsoftonline.com", graph: "https://graph.microsoft.com" },
  USGov: { login: "login.microsoftonline.us", graph: "https://graph.microsoft.us" },
  USGovDoD: { login: "login.microsoftonline.us", graph: "https://dod-graph.microsoft.us" },
  China: { login: "login.chinacloudapi.cn", graph: "https://microsoftgraph.chinacloudapi.cn" },
};
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const perms = spec.microsoftGraph.delegatedPermissions;
const byName = Object.fromEntries(perms.map((p) => [p.name, p]));
const ids = (...names) => names.map((n) => DOCUMENTED_SCOPE_IDS[n]);
const tempDirs = [];
const tempDir = (prefix) => { const d = mkdtempSync(join(tmpdir(), prefix)); tempDirs.push(d); return d; };
after(() => { for (const d of tempDirs) rmSync(d, { recursive: true, force: true }); });

// ---------------------------------------------------------------------------------------------
// app.json

test("app.json: the app itself: name, this organization only, implicit grant off", () => {
  assert.equal(spec.displayName, "Save to iMIS");
  assert.equal(spec.signInAudience, "AzureADMyOrg");
  assert.deepEqual(spec.implicitGrant, { enableIdTokenIssuance: false, enableAccessTokenIssuance: false });
  assert.equal(spec.microsoftGraph.resourceAppId, GRAPH_APP_ID);
  assert.ok(Array.isArray(spec.notes) && spec.notes.some((n) => /User\.Read/.test(n)), "notes say why no User.Read");
});

test("app.json: no secret, certificate, app role or application permission anywhere", () => {
  const keys = [];
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) { keys.push(k); walk(x); }
  };
  walk(spec);
  for (const k of keys) {
    assert.doesNotMatch(k, /secret|password|credential|certificate|keyCredentials|appRoles|applicationPermissions/i, k);
  }
  assert.deepEqual(Object.keys(spec.microsoftGraph).sort(), ["delegatedPermissions", "resourceAppId", "signInScopes"]);
  for (const p of perms) assert.equal(p.type, "Scope", `${p.name} is delegated (Scope), never Role`);
});

test("app.json: every permission id is Microsoft Graph's documented id for its name", () => {
  assert.ok(perms.length > 0);
  for (const p of perms) {
    assert.ok(p.name in DOCUMENTED_SCOPE_IDS, `${p.name} has a documented id in this test`);
    assert.equal(p.id, DOCUMENTED_SCOPE_IDS[p.name], p.name);
    assert.ok(!p.id.startsWith(MAIL_SEND_ID_PREFIX), `${p.name} is not Mail.Send's id`);
  }
  assert.equal(new Set(perms.map((p) => p.name)).size, perms.length, "names unique");
  assert.equal(new Set(perms.map((p) => p.id)).size, perms.length, "ids unique");
});

test("app.json: Mail.Read always, the only permission not behind a switch; the others each behind their own", () => {
  assert.equal(byName["Mail.Read"]?.onlyWith, null);
  assert.deepEqual(perms.filter((p) => p.onlyWith === null).map((p) => p.name), ["Mail.Read"]);
  assert.deepEqual(byName["Mail.Read.Shared"]?.onlyWith, ALLOWED["Mail.Read.Shared"]);
  assert.deepEqual(byName["Mail.ReadWrite"]?.onlyWith, ALLOWED["Mail.ReadWrite"]);
  const switches = perms.filter((p) => p.onlyWith).map((p) => p.onlyWith.bash);
  assert.equal(new Set(switches).size, switches.length, "one switch, one permission");
});

test("app.json: nothing wider (no *.All, Mail.Send, User.Read, unswitched ReadWrite); sign-in scopes are OIDC only", () => {
  for (const p of perms) {
    assert.ok(p.name in ALLOWED, `${p.name} is not one this add-in may ask for`);
    assert.doesNotMatch(p.name, /\.All$|^Mail\.Send|^User\.|^Directory\.|^Files\./, p.name);
    if (/Write/.test(p.name)) assert.notEqual(p.onlyWith, null, `${p.name} only with its switch`);
  }
  const scopes = spec.microsoftGraph.signInScopes;
  assert.ok(Array.isArray(scopes));
  for (const s of scopes) assert.ok(OIDC_SCOPES.has(s), `${s} is an OpenID Connect scope, not a data permission`);
});

test("app.json: SPA redirect URI templates: NAA, MSAL popup, Office dialog; nothing plain http", () => {
  const templates = spec.spaRedirectUris.map((r) => r.template);
  for (const t of ["brk-multihub://{host}", "https://{host}/auth-redirect.html", "https://{host}/auth-dialog.html"]) {
    assert.ok(templates.includes(t), t);
  }
  for (const t of templates) {
    assert.match(t, /^(https|brk-multihub):\/\/\{host\}(\/|$)/, t);
    assert.doesNotMatch(t, /http:/i, t);
  }
  assert.equal(new Set(templates).size, templates.length);
});

// ---------------------------------------------------------------------------------------------
// Both scripts, statically

for (const [name, text] of [["register-app.ps1", ps1], ["register-app.sh", sh]]) {
  test(`${name}: reads app.json and hard-codes no id`, () => {
    assert.match(text, /app\.json/);
    assert.doesNotMatch(text, GUID, "ids come from app.json");
    for (const p of perms) assert.ok(!text.includes(p.id), p.name);
  });

  test(`${name}: creates no client secret, certificate or application permission`, () => {
    for (const bad of [
      /Add-MgApplicationPassword/i, /Add-MgServicePrincipalPassword/i, /Add-MgApplicationKey/i,
      /PasswordCredentials/i, /KeyCredentials/i, /credential\s+reset/i, /addPassword/i,
      /create-for-rbac/i, /=Role\b/, /'Role'/, /AppRoleAssignment/i,
    ]) {
      assert.doesNotMatch(text, bad);
    }
  });
}

test("register-app.ps1: parameters, strict mode, help, and each switch where it adds its permission", () => {
  const param = ps1.slice(ps1.indexOf("param("), ps1.indexOf("Set-StrictMode"));
  assert.match(param, /\[Parameter\(Mandatory = \$true\)\]\s*\[string\]\$AddinHost/);
  for (const s of ["SharedMailboxes", "ReadWrite", "GrantAdminConsent"]) assert.match(param, new RegExp(`\\[switch\\]\\$${s}\\b`));
  assert.match(param, /\[ValidateSet\('Global', 'USGov', 'USGovDoD', 'China'\)\]\s*\[string\]\$Cloud = 'Global'/);
  assert.match(ps1, /^Set-StrictMode -Version Latest$/m);
  assert.match(ps1, /^\$ErrorActionPreference = 'Stop'$/m);
  for (const h of [".SYNOPSIS", ".DESCRIPTION", ".PARAMETER AddinHost", ".PARAMETER SharedMailboxes",
    ".PARAMETER ReadWrite", ".PARAMETER GrantAdminConsent", ".PARAMETER Cloud", ".EXAMPLE"]) {
    assert.ok(ps1.includes(h), h);
  }
  // The optional permissions come from app.json through this table: switch name -> switch value.
  for (const p of perms.filter((x) => x.onlyWith)) {
    const sw = p.onlyWith.powershell;
    assert.match(ps1, new RegExp(`'${sw}'\\s*=\\s*\\$${sw.slice(1)}\\.IsPresent`), `${p.name} behind ${sw}`);
  }
  assert.match(ps1, /ConvertFrom-Json/);
  assert.match(ps1, /\$null -eq \$p\.onlyWith/, "only permissions without a switch are always added");
});

test("register-app.ps1: the documented cmdlets, cloud and consent", () => {
  assert.match(ps1, /Connect-MgGraph -Environment \$Cloud -Scopes \$scopes/);
  assert.match(ps1, /\$scopes = @\('Application\.ReadWrite\.All'\)/);
  assert.match(ps1, /if \(\$GrantAdminConsent\) \{ \$scopes \+= 'DelegatedPermissionGrant\.ReadWrite\.All' \}/);
  for (const [cloud, { login }] of Object.entries(CLOUDS)) {
    assert.match(ps1, new RegExp(`^\\s*${cloud}\\s*=\\s*@\\{ LoginHost = '${login.replaceAll(".", "\\.")}'`, "m"), cloud);
  }
  assert.match(ps1, /New-MgApplication -DisplayName \$displayName -SignInAudience \$spec\.signInAudience/);
  assert.match(ps1, /-Spa @\{ RedirectUris = /);
  assert.match(ps1, /Update-MgApplication -ApplicationId \$app\.Id/);
  assert.match(ps1, /Get-MgApplication -Filter "displayName eq '\$escapedName'"/);
  assert.match(ps1, /New-MgServicePrincipal -AppId \$appId/);
  assert.match(ps1, /New-MgOauth2PermissionGrant -ClientId \$servicePrincipal\.Id -ConsentType 'AllPrincipals'/);
  assert.match(ps1, /Update-MgOauth2PermissionGrant -OAuth2PermissionGrantId/);
  assert.match(ps1, /\$authority = "https:\/\/\$\(\$cloudInfo\.LoginHost\)\/\$tenantId\/"/);
});

test("register-app.sh: strict bash, its flags, and each flag where it adds its permission", () => {
  assert.match(sh, /^#!\/usr\/bin\/env bash$/m);
  assert.match(sh, /^set -euo pipefail$/m);
  for (const f of ["--host", "--shared-mailboxes", "--read-write", "--grant-admin-consent", "--cloud", "--dry-run"]) {
    assert.match(sh, new RegExp(`^\\s*${f}\\)`, "m"), f);
  }
  const vars = { "--shared-mailboxes": "SHARED_MAILBOXES", "--read-write": "READ_WRITE" };
  for (const p of perms.filter((x) => x.onlyWith)) {
    const flag = p.onlyWith.bash;
    assert.ok(flag in vars, `${flag} is one of the script's flags`);
    assert.match(sh, new RegExp(`^\\s*${flag}\\) ${vars[flag]}=1; shift ;;$`, "m"), `${flag} sets ${vars[flag]}`);
    assert.match(sh, new RegExp(`^\\s*${flag}\\) \\[\\[ \\$${vars[flag]} == 1 \\]\\] ;;$`, "m"), `${p.name} added only with ${flag}`);
  }
  assert.match(sh, /command -v jq/);
  assert.match(sh, /python3/);
  assert.match(sh, /az account show --query tenantId -o tsv/);
});

// ---------------------------------------------------------------------------------------------
// register-app.sh, run

test("register-app.sh: bash -n", () => {
  execFileSync("bash", ["-n", SH]);
});

// A PATH whose `az` only records that it was called.
function trapAz() {
  const dir = tempDir("admin-noaz-");
  const marker = join(dir, "az-was-called");
  writeFileSync(join(dir, "az"), `#!/bin/sh\ntouch '${marker}'\nexit 97\n`);
  chmodSync(join(dir, "az"), 0o755);
  return { env: { ...process.env, PATH: `${dir}${delimiter}${process.env.PATH}` }, marker };
}

function run(args, env) {
  return spawnSync("bash", [SH, ...args], { env, encoding: "utf8" });
}

test("register-app.sh --help: usage, exit 0, az never called", () => {
  const { env, marker } = trapAz();
  for (const flag of ["--help", "-h"]) {
    const r = run([flag], env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Usage: register-app\.sh --host <add-in host>/);
    for (const f of ["--shared-mailboxes", "--read-write", "--grant-admin-consent", "--cloud", "--dry-run"]) assert.ok(r.stdout.includes(f), f);
  }
  assert.ok(!existsSync(marker), "az was not called");
});

test("register-app.sh: refuses a URL, a bad host, an unknown flag, an unknown cloud, no --host", () => {
  const { env, marker } = trapAz();
  for (const [args, message] of [
    [["--host", "https://addin.example.org"], /host name only/],
    [["--host", "addin example.org"], /is not a host name/],
    [["--host", "addin.example.org/path"], /is not a host name/],
    [["--host", "addin.example.org", "--shared"], /unknown argument: --shared/],
    [["--host", "addin.example.org", "--cloud", "Germany"], /--cloud must be Global, USGov, USGovDoD or China/],
    [["--shared-mailboxes"], /--host is required/],
  ]) {
    const r = run([...args, "--dry-run"], env);
    assert.notEqual(r.status, 0, args.join(" "));
    assert.match(r.stderr, message, args.join(" "));
  }
  assert.ok(!existsSync(marker), "az was not called");
});

const jsonTools = ["jq", "python3"].filter((t) => spawnSync("sh", ["-c", `command -v ${t}`]).status === 0);

function dryRun(args, tool) {
  const { env, marker } = trapAz();
  const r = run([...args, "--dry-run"], { ...env, JSON_TOOL: tool });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!existsSync(marker), "a dry run never calls az");
  const line = (key) => r.stdout.match(new RegExp(`^${key}=(.*)$`, "m"))?.[1];
  return { out: r.stdout, rra: JSON.parse(line("requiredResourceAccess")), spa: JSON.parse(line("spa")), grantScope: line("grantScope"), authority: line("authority") };
}

for (const tool of jsonTools) {
  test(`register-app.sh --dry-run (app.json through ${tool}): permissions follow the flags exactly`, () => {
    const cases = [
      [[], ["Mail.Read"]],
      [["--shared-mailboxes"], ["Mail.Read", "Mail.Read.Shared"]],
      [["--read-write"], ["Mail.Read", "Mail.ReadWrite"]],
      [["--shared-mailboxes", "--read-write"], ["Mail.Read", "Mail.Read.Shared", "Mail.ReadWrite"]],
    ];
    for (const [flags, names] of cases) {
      const { rra, grantScope } = dryRun(["--host", "addin.example.org", ...flags, "--grant-admin-consent"], tool);
      assert.deepEqual(rra, [{ resourceAppId: GRAPH_APP_ID, resourceAccess: ids(...names).map((id) => ({ id, type: "Scope" })) }], flags.join(" "));
      assert.equal(grantScope, [...names, ...spec.microsoftGraph.signInScopes].join(" "));
    }
    assert.equal(dryRun(["--host", "addin.example.org"], tool).grantScope, undefined, "no consent without --grant-admin-consent");
  });

  test(`register-app.sh --dry-run (app.json through ${tool}): redirect URIs for the host, authority per cloud`, () => {
    const { spa } = dryRun(["--host", "Addin.Example.ORG:8443"], tool);
    assert.deepEqual(spa, { spa: { redirectUris: spec.spaRedirectUris.map((r) => r.template.replace("{host}", "addin.example.org:8443")) } });
    for (const [cloud, { login, graph }] of Object.entries(CLOUDS)) {
      const r = dryRun(["--host", "addin.example.org", "--cloud", cloud], tool);
      assert.equal(r.authority, `https://${login}/<tenant id>/`, cloud);
      assert.ok(r.out.includes(`Graph ${graph}`), cloud);
    }
    assert.equal(dryRun(["--host", "addin.example.org"], tool).authority, "https://login.microsoftonline.com/<tenant id>/", "Global by default");
  });
}
if (jsonTools.length === 2) {
  test("register-app.sh --dry-run: jq and python3 read app.json alike", () => {
    const args = ["--host", "addin.example.org", "--shared-mailboxes", "--read-write", "--grant-admin-consent"];
    assert.equal(dryRun(args, "jq").out, dryRun(args, "python3").out);
  });
}

// --- A fake `az`: the commands register-app.sh uses, over a directory kept in a JSON file. ------
const FAKE_AZ = String.raw`#!/usr/bin/env node
const fs = require("fs");
const STATE = process.env.FAKE_AZ_STATE;
const s = JSON.parse(fs.readFileSync(STATE, "utf8"));
const argv = process.argv.slice(2);
fs.appendFileSync(STATE + ".log", JSON.stringify(argv) + "\n");
const opt = (name) => { const i = argv.indexOf(name); return i < 0 ? undefined : argv[i + 1]; };
const file = (v) => JSON.parse(fs.readFileSync(v.replace(/^@/, ""), "utf8"));
const save = () => fs.writeFileSync(STATE, JSON.stringify(s, null, 1));
const fail = (m) => { process.stderr.write("fake az: " + m + "\n"); process.exit(2); };
const tsv = (rows) => { for (const r of rows) console.log([].concat(r).map((x) => x ?? "").join("\t")); };
const id = () => "00000000-0000-4000-8000-" + String(++s.seq).padStart(12, "0");
const firstOption = argv.findIndex((a) => a.startsWith("-"));
const cmd = argv.slice(0, firstOption < 0 ? argv.length : firstOption).join(" ");
const q = opt("--query");
if (process.env.FAKE_AZ_FAIL === cmd) fail("injected failure of " + cmd);
const app = (oid) => s.apps.find((a) => a.id === oid) || fail("no app " + oid);
const setApp = (a) => {
  if (opt("--sign-in-audience")) a.signInAudience = opt("--sign-in-audience");
  a.web.implicitGrantSettings = { enableIdTokenIssuance: opt("--enable-id-token-issuance") === "true",
    enableAccessTokenIssuance: opt("--enable-access-token-issuance") === "true" };
  a.requiredResourceAccess = file(opt("--required-resource-accesses"));
};
if (cmd === "cloud show") {
  if (q === "name") console.log(s.cloud.name);
  else if (q === "endpoints.microsoftGraphResourceId") console.log(s.cloud.graph + "/");
  else fail(q);
} else if (cmd === "account show") {
  if (q === "tenantId") console.log(s.tenant); else if (q === "user.name") console.log("admin@example.org"); else fail(q);
} else if (cmd === "ad app list") {
  const m = opt("--filter").match(/^displayName eq '(.*)'$/) || fail("filter");
  if (q !== "[].[id, appId]") fail(q);
  tsv(s.apps.filter((a) => a.displayName === m[1]).map((a) => [a.id, a.appId]));
} else if (cmd === "ad app create") {
  const a = { id: id(), appId: id(), displayName: opt("--display-name"), spa: { redirectUris: [] }, web: { redirectUris: [] } };
  setApp(a); s.apps.push(a); save();
  if (q !== "[id, appId]") fail(q);
  tsv([[a.id, a.appId]]);
} else if (cmd === "ad app update") {
  setApp(app(opt("--id"))); save();
} else if (cmd === "ad app show") {
  const a = app(opt("--id"));
  const g = q.match(/resourceAppId(!=|==)'(.*?)'/);
  if (q === "spa.redirectUris") tsv(a.spa.redirectUris);
  else if (q === "web.redirectUris") tsv(a.web.redirectUris);
  else if (g && g[1] === "!=" && q.endsWith("].resourceAppId")) tsv(a.requiredResourceAccess.filter((r) => r.resourceAppId !== g[2]).map((r) => r.resourceAppId));
  else if (g && g[1] === "==" && q.endsWith("].resourceAccess[].id")) tsv(a.requiredResourceAccess.filter((r) => r.resourceAppId === g[2]).flatMap((r) => r.resourceAccess.map((x) => x.id)));
  else fail(q);
} else if (cmd === "ad sp list") {
  const m = opt("--filter").match(/^appId eq '(.*)'$/) || fail("filter");
  if (q !== "[0].id") fail(q);
  tsv(s.sps.filter((p) => p.appId === m[1]).slice(0, 1).map((p) => p.id));
} else if (cmd === "ad sp create") {
  if (!s.apps.some((a) => a.appId === opt("--id"))) fail("no app with appId " + opt("--id"));
  const p = { id: id(), appId: opt("--id") }; s.sps.push(p); save();
  if (q !== "id") fail(q);
  console.log(p.id);
} else if (cmd === "rest") {
  const uri = opt("--uri"), method = opt("--method");
  if (opt("--resource") !== s.cloud.graph) fail("resource " + opt("--resource"));
  if (!uri.startsWith(s.cloud.graph + "/v1.0/")) fail("uri " + uri);
  const path = uri.slice(s.cloud.graph.length + 6);
  let m;
  if (method === "PATCH" && (m = path.match(/^applications\/([^/?]+)$/))) {
    const body = file(opt("--body"));
    if (Object.keys(body).join() !== "spa") fail("application PATCH body " + JSON.stringify(body));
    app(m[1]).spa = body.spa; save();
  } else if (method === "GET" && (m = decodeURIComponent(path).match(/^oauth2PermissionGrants\?\$filter=clientId eq '(.*)' and consentType eq 'AllPrincipals' and resourceId eq '(.*)'$/))) {
    const g = s.grants.find((x) => x.clientId === m[1] && x.resourceId === m[2] && x.consentType === "AllPrincipals");
    if (q !== "value[0].[id, scope]") fail(q);
    if (g) tsv([[g.id, g.scope]]);
  } else if (method === "POST" && path === "oauth2PermissionGrants") {
    const b = file(opt("--body"));
    if (b.consentType !== "AllPrincipals" || !s.sps.some((p) => p.id === b.clientId) || !s.sps.some((p) => p.id === b.resourceId)) fail("grant " + JSON.stringify(b));
    s.grants.push({ id: "grant-" + (++s.seq), ...b }); save();
    console.log("{}");
  } else if (method === "PATCH" && (m = path.match(/^oauth2PermissionGrants\/(.+)$/))) {
    const g = s.grants.find((x) => x.id === m[1]) || fail("no grant");
    const b = file(opt("--body"));
    if (Object.keys(b).join() !== "scope") fail("grant PATCH " + JSON.stringify(b));
    g.scope = b.scope; save();
  } else fail(method + " " + path);
} else fail("unexpected command: " + argv.join(" "));
`;

const TENANT = "11111111-2222-4333-8444-555555555555";
const GRAPH_SP = "99999999-9999-4999-8999-999999999999";

function fakeTenant(state = {}) {
  const dir = tempDir("admin-fakeaz-");
  writeFileSync(join(dir, "az"), FAKE_AZ);
  chmodSync(join(dir, "az"), 0o755);
  const file = join(dir, "state.json");
  writeFileSync(file, JSON.stringify({
    cloud: { name: "AzureCloud", graph: "https://graph.microsoft.com" }, tenant: TENANT, seq: 0,
    apps: [], sps: [{ id: GRAPH_SP, appId: GRAPH_APP_ID }], grants: [], ...state,
  }));
  return {
    env: { ...process.env, PATH: `${dir}${delimiter}${process.env.PATH}`, FAKE_AZ_STATE: file },
    state: () => JSON.parse(readFileSync(file, "utf8")),
    calls: () => readFileSync(`${file}.log`, "utf8").trim().split("\n").map((l) => JSON.parse(l)),
  };
}

function register(tenant, args) {
  const r = run(args, tenant.env);
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  return r;
}

test("register-app.sh against a fake az: creates the app, its service principal and the consent; prints what to paste", () => {
  const t = fakeTenant();
  const r = register(t, ["--host", "addin.example.org", "--shared-mailboxes", "--grant-admin-consent"]);
  const s = t.state();
  assert.equal(s.apps.length, 1);
  const [a] = s.apps;
  assert.equal(a.displayName, "Save to iMIS");
  assert.equal(a.signInAudience, "AzureADMyOrg");
  assert.deepEqual(a.web.implicitGrantSettings, { enableIdTokenIssuance: false, enableAccessTokenIssuance: false });
  assert.deepEqual(a.requiredResourceAccess, [{ resourceAppId: GRAPH_APP_ID,
    resourceAccess: ids("Mail.Read", "Mail.Read.Shared").map((id) => ({ id, type: "Scope" })) }]);
  assert.deepEqual(a.spa.redirectUris, ["brk-multihub://addin.example.org",
    "https://addin.example.org/auth-redirect.html", "https://addin.example.org/auth-dialog.html"]);
  const sp = s.sps.find((p) => p.appId === a.appId);
  assert.ok(sp, "service principal created");
  assert.deepEqual(s.grants.map(({ clientId, consentType, resourceId, scope }) => ({ clientId, consentType, resourceId, scope })),
    [{ clientId: sp.id, consentType: "AllPrincipals", resourceId: GRAPH_SP, scope: "Mail.Read Mail.Read.Shared openid profile offline_access" }]);
  assert.match(r.stdout, new RegExp(`Application \\(client\\) ID:\\s+${a.appId}$`, "m"));
  assert.match(r.stdout, new RegExp(`Authority URL:\\s+https://login\\.microsoftonline\\.com/${TENANT}/$`, "m"));
  assert.match(r.stdout, /Next steps:/);
  assert.doesNotMatch(r.stdout, /Grant admin consent:/, "consent was granted");
  for (const c of t.calls()) assert.ok(!c.includes("credential") && !c.includes("admin-consent"), c.join(" "));
});

test("register-app.sh against a fake az: a second run changes nothing; a run without the flag narrows app and consent", () => {
  const t = fakeTenant();
  const args = ["--host", "addin.example.org", "--shared-mailboxes", "--grant-admin-consent"];
  register(t, args);
  const first = t.state();
  register(t, args);
  const second = t.state();
  assert.deepEqual({ ...second, seq: 0 }, { ...first, seq: 0 }, "idempotent");

  const r = register(t, ["--host", "addin.example.org", "--grant-admin-consent"]);
  const third = t.state();
  assert.equal(third.apps.length, 1);
  assert.equal(third.apps[0].appId, first.apps[0].appId, "same app, updated");
  assert.deepEqual(third.apps[0].requiredResourceAccess[0].resourceAccess.map((x) => x.id), ids("Mail.Read"));
  assert.equal(third.grants.length, 1);
  assert.equal(third.grants[0].scope, "Mail.Read openid profile offline_access");
  assert.match(r.stdout, /removing Microsoft Graph permission 7b9103a5-4610-446b-9670-80643382c1fa/);
  assert.match(r.stdout, /no longer granted: Mail\.Read\.Shared/);
});

test("register-app.sh against a fake az: an existing app keeps other hosts' URIs, loses User.Read, gets no consent unasked", () => {
  const existing = {
    id: "aaaaaaaa-0000-4000-8000-000000000001", appId: "aaaaaaaa-0000-4000-8000-000000000002",
    displayName: "Save to iMIS", signInAudience: "AzureADMyOrg",
    spa: { redirectUris: ["https://old.example.org/auth-redirect.html", "http://insecure.example.org/x"] },
    web: { redirectUris: ["https://addin.example.org/auth-redirect.html"], implicitGrantSettings: { enableIdTokenIssuance: true, enableAccessTokenIssuance: true } },
    requiredResourceAccess: [{ resourceAppId: GRAPH_APP_ID, resourceAccess: [{ id: DOCUMENTED_SCOPE_IDS["User.Read"], type: "Scope" }] }],
  };
  const t = fakeTenant({ apps: [existing] });
  const r = register(t, ["--host", "addin.example.org"]);
  const [a] = t.state().apps;
  assert.equal(a.appId, existing.appId);
  assert.deepEqual(a.spa.redirectUris, ["brk-multihub://addin.example.org", "https://addin.example.org/auth-redirect.html",
    "https://addin.example.org/auth-dialog.html", "https://old.example.org/auth-redirect.html", "http://insecure.example.org/x"]);
  assert.deepEqual(a.web.implicitGrantSettings, { enableIdTokenIssuance: false, enableAccessTokenIssuance: false });
  assert.deepEqual(a.requiredResourceAccess, [{ resourceAppId: GRAPH_APP_ID, resourceAccess: [{ id: ids("Mail.Read")[0], type: "Scope" }] }]);
  assert.match(r.stderr, /http:\/\/insecure\.example\.org\/x is not https/);
  assert.match(r.stderr, /also registered on the Web platform/);
  assert.match(r.stdout, /removing Microsoft Graph permission e1fe6dd8/);
  assert.equal(t.state().grants.length, 0, "no consent without --grant-admin-consent");
  assert.match(r.stdout, /Grant admin consent: Microsoft Entra admin center/);
});

test("register-app.sh against a fake az: stops on two apps of that name, and on the wrong Azure CLI cloud", () => {
  const twin = (n) => ({ id: `bbbbbbbb-0000-4000-8000-00000000000${n}`, appId: `cccccccc-0000-4000-8000-00000000000${n}`,
    displayName: "Save to iMIS", spa: { redirectUris: [] }, web: { redirectUris: [] }, requiredResourceAccess: [] });
  const t = fakeTenant({ apps: [twin(1), twin(2)] });
  let r = run(["--host", "addin.example.org"], t.env);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /2 applications are named 'Save to iMIS'/);
  assert.equal(t.calls().filter((c) => c[0] === "ad" && ["create", "update"].includes(c[2])).length, 0, "nothing changed");

  const g = fakeTenant();
  r = run(["--host", "addin.example.org", "--cloud", "USGov"], g.env);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /az cloud set --name AzureUSGovernment/);
  assert.equal(g.state().apps.length, 0);
});

test("register-app.sh against a fake az: a failing az command stops it before anything changes", () => {
  const existing = { id: "dddddddd-0000-4000-8000-000000000001", appId: "dddddddd-0000-4000-8000-000000000002",
    displayName: "Save to iMIS", spa: { redirectUris: [] }, web: { redirectUris: [] }, requiredResourceAccess: [] };
  for (const failing of ["ad app show", "account show", "ad app list"]) {
    const t = fakeTenant({ apps: [existing] });
    const r = run(["--host", "addin.example.org", "--grant-admin-consent"], { ...t.env, FAKE_AZ_FAIL: failing });
    assert.notEqual(r.status, 0, failing);
    assert.match(r.stderr, new RegExp(`injected failure of ${failing}`));
    assert.deepEqual(t.state().apps, [existing], `${failing}: the app is untouched`);
    assert.equal(t.calls().filter((c) => c[2] === "update" || c[0] === "rest").length, 0, `${failing}: no write`);
  }
});

test("register-app.sh against a fake az: US Government cloud: its Graph and sign-in host", () => {
  const t = fakeTenant({ cloud: { name: "AzureUSGovernment", graph: "https://graph.microsoft.us" } });
  const r = register(t, ["--host", "addin.example.org", "--cloud", "USGov", "--grant-admin-consent"]);
  assert.match(r.stdout, new RegExp(`Authority URL:\\s+https://login\\.microsoftonline\\.us/${TENANT}/$`, "m"));
  assert.equal(t.state().grants.length, 1);
});

// ---------------------------------------------------------------------------------------------
// register-app.ps1: a parse check only where PowerShell is installed.
if (spawnSync("sh", ["-c", "command -v pwsh"]).status === 0) {
  test("register-app.ps1: parses (pwsh), and -DryRun prints the plan without signing in", () => {
    const parse = spawnSync("pwsh", ["-NoProfile", "-NonInteractive", "-Command",
      `$e = $null; [void][System.Management.Automation.Language.Parser]::ParseFile('${PS1}', [ref]$null, [ref]$e); $e | ForEach-Object { $_.ToString() }; exit $e.Count`], { encoding: "utf8" });
    assert.equal(parse.status, 0, parse.stdout + parse.stderr);
    const dry = spawnSync("pwsh", ["-NoProfile", "-NonInteractive", "-File", PS1, "-AddinHost", "addin.example.org", "-SharedMailboxes", "-DryRun"], { encoding: "utf8" });
    assert.equal(dry.status, 0, dry.stdout + dry.stderr);
    assert.match(dry.stdout, /Mail\.Read\.Shared\s+7b9103a5-4610-446b-9670-80643382c1fa/);
    assert.doesNotMatch(dry.stdout, /Mail\.ReadWrite/);
  });
} else {
  console.log("NOTE: pwsh is not installed here: register-app.ps1 was only checked statically (no parse check registered).");
}
