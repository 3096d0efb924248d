#!/usr/bin/env bash
# Registers (or updates) the Microsoft Entra app for the Save to iMIS Outlook add-in with the
# Azure CLI. The same as register-app.ps1; both read admin/app.json. Run with --help.
#
# Needs: bash 3.2+, the Azure CLI (az), signed in (az login --allow-no-subscriptions), and
# jq or, failing that, python3 to read app.json (JSON_TOOL=jq|python3 picks one).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SPEC="$HERE/app.json"

usage() {
  cat <<'EOF'
Usage: register-app.sh --host <add-in host> [--shared-mailboxes] [--read-write]
                       [--grant-admin-consent] [--cloud Global|USGov|USGovDoD|China] [--dry-run]

Registers (or updates, when an app of that name exists) the Microsoft Entra app "Save to iMIS"
described in admin/app.json, with the Azure CLI:
  - accounts in this organization only; implicit grant off; no client secret;
  - SPA redirect URIs brk-multihub://<host>, https://<host>/auth-redirect.html and
    https://<host>/auth-dialog.html (SPA URIs of other hosts are kept);
  - delegated Microsoft Graph permissions: Mail.Read, and only those switched on below;
  - its service principal (enterprise application).
Then prints the Application (client) ID and the Authority URL for the add-in's Setup.

Options:
  --host <host>           host name the add-in is served from, as in ADDIN_URL=https://<host>
                          (addin.example.org, or localhost:3000); required
  --shared-mailboxes      add Mail.Read.Shared (saving from shared or delegated mailboxes)
  --read-write            add Mail.ReadWrite (not needed to save emails)
  --grant-admin-consent   grant admin consent for the organization to exactly these permissions
  --cloud <name>          Global (default), USGov, USGovDoD or China; the Azure CLI must be set
                          to the matching cloud (az cloud set --name ...) before az login
  --dry-run               print what would be registered; needs neither az nor a sign-in
  -h, --help              this help

Needs the Azure CLI signed in as an Application Administrator or Cloud Application
Administrator (az login --allow-no-subscriptions), and jq or python3 to read app.json.

Examples:
  ./register-app.sh --host addin.example.org --grant-admin-consent
  ./register-app.sh --host addin.example.org --shared-mailboxes --grant-admin-consent
EOF
}

die() { printf 'register-app.sh: %s\n' "$*" >&2; exit 1; }

# --- Arguments. ----------------------------------------------------------------------------------
ADDIN_HOST=""
SHARED_MAILBOXES=0
READ_WRITE=0
GRANT_ADMIN_CONSENT=0
CLOUD="Global"
DRY_RUN=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --host) [[ $# -ge 2 ]] || die "--host needs a value"; ADDIN_HOST="$2"; shift 2 ;;
    --host=*) ADDIN_HOST="${1#*=}"; shift ;;
    --shared-mailboxes) SHARED_MAILBOXES=1; shift ;;
    --read-write) READ_WRITE=1; shift ;;
    --grant-admin-consent) GRANT_ADMIN_CONSENT=1; shift ;;
    --cloud) [[ $# -ge 2 ]] || die "--cloud needs a value"; CLOUD="$2"; shift 2 ;;
    --cloud=*) CLOUD="${1#*=}"; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

[[ -n "$ADDIN_HOST" ]] || { usage >&2; die "--host is required (for example --host addin.example.org)"; }
ADDIN_HOST="$(printf '%s' "$ADDIN_HOST" | tr '[:upper:]' '[:lower:]')"
if [[ "$ADDIN_HOST" =~ ^[a-z][a-z0-9+.-]*:// ]]; then
  die "--host takes the host name only (for example addin.example.org), not a URL: $ADDIN_HOST"
fi
HOST_RE='^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$'
[[ "$ADDIN_HOST" =~ $HOST_RE ]] || die "--host '$ADDIN_HOST' is not a host name (letters, digits, dots, hyphens, optionally :port)"

# The clouds: sign-in host, and the Azure CLI cloud whose Microsoft Graph the az commands use.
case "$CLOUD" in
  Global)   LOGIN_HOST="login.microsoftonline.com"; AZ_CLOUD="AzureCloud";        GRAPH_EXPECTED="https://graph.microsoft.com" ;;
  USGov)    LOGIN_HOST="login.microsoftonline.us";  AZ_CLOUD="AzureUSGovernment"; GRAPH_EXPECTED="https://graph.microsoft.us" ;;
  USGovDoD) LOGIN_HOST="login.microsoftonline.us";  AZ_CLOUD="AzureUSGovernment"; GRAPH_EXPECTED="https://dod-graph.microsoft.us" ;;
  China)    LOGIN_HOST="login.chinacloudapi.cn";    AZ_CLOUD="AzureChinaCloud";   GRAPH_EXPECTED="https://microsoftgraph.chinacloudapi.cn" ;;
  *) die "--cloud must be Global, USGov, USGovDoD or China, not '$CLOUD'" ;;
esac

# --- app.json, through jq or python3. ------------------------------------------------------------
if [[ -n "${JSON_TOOL:-}" ]]; then
  case "$JSON_TOOL" in jq|python3) ;; *) die "JSON_TOOL must be jq or python3" ;; esac
  command -v "$JSON_TOOL" >/dev/null 2>&1 || die "JSON_TOOL=$JSON_TOOL is not installed"
elif command -v jq >/dev/null 2>&1; then
  JSON_TOOL=jq
elif command -v python3 >/dev/null 2>&1; then
  JSON_TOOL=python3
else
  die "reading admin/app.json needs jq or python3; install one of them"
fi
[[ -r "$SPEC" ]] || die "cannot read $SPEC"

# spec <what>: one item per line, fields separated by tabs.
spec() {
  if [[ "$JSON_TOOL" == jq ]]; then
    case "$1" in
      displayName)    jq -r '.displayName' "$SPEC" ;;
      signInAudience) jq -r '.signInAudience' "$SPEC" ;;
      implicitGrant)  jq -r '.implicitGrant | [(.enableIdTokenIssuance | tostring), (.enableAccessTokenIssuance | tostring)] | @tsv' "$SPEC" ;;
      graphAppId)     jq -r '.microsoftGraph.resourceAppId' "$SPEC" ;;
      permissions)    jq -r '.microsoftGraph.delegatedPermissions[] | [.name, .id, .type, (.onlyWith.bash // "-")] | @tsv' "$SPEC" ;;
      signInScopes)   jq -r '.microsoftGraph.signInScopes[]' "$SPEC" ;;
      redirectUris)   jq -r '.spaRedirectUris[].template' "$SPEC" ;;
    esac
  else
    python3 - "$SPEC" "$1" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    spec = json.load(f)
graph = spec["microsoftGraph"]
what = sys.argv[2]
if what in ("displayName", "signInAudience"):
    print(spec[what])
elif what == "implicitGrant":
    g = spec["implicitGrant"]
    print(json.dumps(g["enableIdTokenIssuance"]) + "\t" + json.dumps(g["enableAccessTokenIssuance"]))
elif what == "graphAppId":
    print(graph["resourceAppId"])
elif what == "permissions":
    for p in graph["delegatedPermissions"]:
        print("\t".join([p["name"], p["id"], p["type"], (p.get("onlyWith") or {}).get("bash") or "-"]))
elif what == "signInScopes":
    for s in graph["signInScopes"]:
        print(s)
elif what == "redirectUris":
    for r in spec["spaRedirectUris"]:
        print(r["template"])
PY
  fi
}

GUID_RE='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
DISPLAY_NAME="$(spec displayName)"
[[ "$DISPLAY_NAME" =~ ^[A-Za-z0-9\ ._-]+$ ]] || die "app.json: unexpected displayName '$DISPLAY_NAME'"
SIGN_IN_AUDIENCE="$(spec signInAudience)"
[[ "$SIGN_IN_AUDIENCE" =~ ^[A-Za-z]+$ ]] || die "app.json: unexpected signInAudience '$SIGN_IN_AUDIENCE'"
GRAPH_APP_ID="$(spec graphAppId)"
[[ "$GRAPH_APP_ID" =~ $GUID_RE ]] || die "app.json: microsoftGraph.resourceAppId is not a GUID"
IMPLICIT_TSV="$(spec implicitGrant)"
IFS=$'\t' read -r ID_TOKENS ACCESS_TOKENS <<<"$IMPLICIT_TSV"
for v in "$ID_TOKENS" "$ACCESS_TOKENS"; do
  [[ "$v" == true || "$v" == false ]] || die "app.json: implicitGrant values must be true or false"
done

# Is the option that app.json names for an optional permission (onlyWith.bash) switched on?
switched_on() {
  case "$1" in
    --shared-mailboxes) [[ $SHARED_MAILBOXES == 1 ]] ;;
    --read-write) [[ $READ_WRITE == 1 ]] ;;
    *) die "app.json puts a permission behind '$1', which this script does not have" ;;
  esac
}

PERMISSIONS_TSV="$(spec permissions)"
PERM_NAMES=()
PERM_IDS=()
while IFS=$'\t' read -r name id type option; do
  [[ -n "$name" ]] || continue
  [[ "$id" =~ $GUID_RE ]] || die "app.json: permission $name has no valid id"
  [[ "$type" == Scope ]] || die "app.json: $name is not a delegated permission (type Scope)"
  if [[ "$option" == "-" ]] || switched_on "$option"; then
    PERM_NAMES+=("$name")
    PERM_IDS+=("$id")
  fi
done <<<"$PERMISSIONS_TSV"
[[ ${#PERM_NAMES[@]} -gt 0 ]] || die "app.json: no permission is always on"

SIGN_IN_SCOPES_TXT="$(spec signInScopes)"
SIGN_IN_SCOPES=()
while IFS= read -r s; do
  [[ -n "$s" ]] || continue
  [[ "$s" =~ ^[a-z_]+$ ]] || die "app.json: unexpected sign-in scope '$s'"
  SIGN_IN_SCOPES+=("$s")
done <<<"$SIGN_IN_SCOPES_TXT"

TEMPLATES_TXT="$(spec redirectUris)"
REDIRECT_URIS=()
while IFS= read -r t; do
  [[ -n "$t" ]] || continue
  [[ "$t" =~ ^(https|brk-multihub)://\{host\}(/[A-Za-z0-9._~/-]*)?$ ]] || die "app.json: unexpected redirect URI template '$t'"
  REDIRECT_URIS+=("${t//\{host\}/$ADDIN_HOST}")
done <<<"$TEMPLATES_TXT"
[[ ${#REDIRECT_URIS[@]} -gt 0 ]] || die "app.json: no SPA redirect URIs"

# --- Request bodies. -----------------------------------------------------------------------------
json_string() { local s="$1"; s="${s//\\/\\\\}"; s="${s//\"/\\\"}"; printf '"%s"' "$s"; }
json_array() { local out="" sep="" x; for x in "$@"; do out+="$sep$(json_string "$x")"; sep=","; done; printf '[%s]' "$out"; }

required_resource_access_json() {
  local out="" sep="" id
  for id in "${PERM_IDS[@]}"; do out+="$sep{\"id\":\"$id\",\"type\":\"Scope\"}"; sep=","; done
  printf '[{"resourceAppId":"%s","resourceAccess":[%s]}]' "$GRAPH_APP_ID" "$out"
}
spa_json() { printf '{"spa":{"redirectUris":%s}}' "$(json_array "$@")"; }

GRANT_SCOPE="${PERM_NAMES[*]}"
[[ ${#SIGN_IN_SCOPES[@]} -eq 0 ]] || GRANT_SCOPE="$GRANT_SCOPE ${SIGN_IN_SCOPES[*]}"

echo "Save to iMIS: Microsoft Entra app registration (Azure CLI)"
echo "  cloud:             $CLOUD (sign-in $LOGIN_HOST, Graph $GRAPH_EXPECTED)"
echo "  display name:      $DISPLAY_NAME"
echo "  sign-in audience:  $SIGN_IN_AUDIENCE"
echo "  delegated Microsoft Graph permissions:"
for i in "${!PERM_NAMES[@]}"; do printf '    %-18s %s\n' "${PERM_NAMES[$i]}" "${PERM_IDS[$i]}"; done
echo "  SPA redirect URIs:"
for u in "${REDIRECT_URIS[@]}"; do echo "    $u"; done
echo "  implicit grant:    ID tokens $ID_TOKENS, access tokens $ACCESS_TOKENS"
if [[ $GRANT_ADMIN_CONSENT == 1 ]]; then
  echo "  admin consent:     granted for the organization: $GRANT_SCOPE"
else
  echo "  admin consent:     not by this run (--grant-admin-consent)"
fi

if [[ $DRY_RUN == 1 ]]; then
  echo
  echo "Dry run: nothing was changed. Request bodies and results it would use:"
  echo "requiredResourceAccess=$(required_resource_access_json)"
  echo "spa=$(spa_json "${REDIRECT_URIS[@]}")"
  [[ $GRANT_ADMIN_CONSENT == 1 ]] && echo "grantScope=$GRANT_SCOPE"
  echo "authority=https://$LOGIN_HOST/<tenant id>/"
  exit 0
fi

# --- The Azure CLI, signed in to the right cloud. ------------------------------------------------
command -v az >/dev/null 2>&1 || die "the Azure CLI (az) is not installed: https://aka.ms/install-azure-cli"
ACTIVE_CLOUD="$(az cloud show --query name -o tsv)"
if [[ "$ACTIVE_CLOUD" != "$AZ_CLOUD" ]]; then
  die "the Azure CLI is set to cloud $ACTIVE_CLOUD; for --cloud $CLOUD run: az cloud set --name $AZ_CLOUD && az login --allow-no-subscriptions"
fi
GRAPH="$(az cloud show --query endpoints.microsoftGraphResourceId -o tsv)"
GRAPH="${GRAPH%/}"
if [[ "$GRAPH" != "$GRAPH_EXPECTED" ]]; then
  echo "WARNING: the Azure CLI's $AZ_CLOUD cloud uses Microsoft Graph at $GRAPH, not $GRAPH_EXPECTED." >&2
  echo "         If the commands below fail for your tenant, use register-app.ps1 -Cloud $CLOUD instead." >&2
fi
TENANT_ID="$(az account show --query tenantId -o tsv)" || die "not signed in: run az login --allow-no-subscriptions"
[[ "$TENANT_ID" =~ $GUID_RE ]] || die "az account show gave no tenant id"
echo
echo "Signed in as $(az account show --query user.name -o tsv) to tenant $TENANT_ID."

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# Directory writes take a few seconds to replicate: retry what depends on a fresh object.
retry() {
  local attempt
  for attempt in 1 2 3 4 5 6; do
    if "$@"; then return 0; fi
    [[ $attempt -lt 6 ]] || return 1
    echo "  (not ready yet, retrying in 5 s)" >&2
    sleep 5
  done
}

graph_rest() { az rest --resource "$GRAPH" --headers "Content-Type=application/json" "$@"; }

# --- The application: create, or update the one with that display name. ------------------------
required_resource_access_json >"$TMP/required-resource-access.json"
FOUND="$(az ad app list --filter "displayName eq '$DISPLAY_NAME'" --query "[].[id, appId]" -o tsv)"
COUNT="$(printf '%s' "$FOUND" | grep -c . || true)"
if [[ "$COUNT" -gt 1 ]]; then
  die "$COUNT applications are named '$DISPLAY_NAME'; delete or rename the extra ones, then run this again"
fi

KEEP_URIS=()
if [[ "$COUNT" -eq 0 ]]; then
  CREATED="$(az ad app create --display-name "$DISPLAY_NAME" \
    --sign-in-audience "$SIGN_IN_AUDIENCE" \
    --enable-id-token-issuance "$ID_TOKENS" --enable-access-token-issuance "$ACCESS_TOKENS" \
    --required-resource-accesses @"$TMP/required-resource-access.json" \
    --query "[id, appId]" -o tsv)"
  read -r OBJECT_ID APP_ID <<<"$(printf '%s' "$CREATED" | tr '\t\n' '  ')"
  echo "Created the application '$DISPLAY_NAME'."
else
  read -r OBJECT_ID APP_ID <<<"$(printf '%s' "$FOUND" | tr '\t\n' '  ')"
  OLD_SPA="$(az ad app show --id "$OBJECT_ID" --query "spa.redirectUris" -o tsv)"
  OLD_WEB="$(az ad app show --id "$OBJECT_ID" --query "web.redirectUris" -o tsv)"
  OLD_APIS="$(az ad app show --id "$OBJECT_ID" --query "requiredResourceAccess[?resourceAppId!='$GRAPH_APP_ID'].resourceAppId" -o tsv)"
  OLD_GRAPH="$(az ad app show --id "$OBJECT_ID" --query "requiredResourceAccess[?resourceAppId=='$GRAPH_APP_ID'].resourceAccess[].id" -o tsv)"
  # Keep SPA redirect URIs registered for other hosts; warn about ones that cannot work.
  while IFS= read -r u; do
    [[ -n "$u" ]] || continue
    keep=1
    for ours in "${REDIRECT_URIS[@]}"; do [[ "$u" == "$ours" ]] && keep=0; done
    if [[ $keep == 1 ]]; then
      KEEP_URIS+=("$u")
      echo "  keeping SPA redirect URI $u"
      if [[ "$u" == http:* && ! "$u" =~ ^http://localhost([:/]|$) ]]; then
        echo "WARNING: SPA redirect URI $u is not https: remove it in the Microsoft Entra admin center." >&2
      fi
    fi
  done <<<"$OLD_SPA"
  while IFS= read -r u; do
    for ours in "${REDIRECT_URIS[@]}"; do
      if [[ "$u" == "$ours" ]]; then
        echo "WARNING: $u is also registered on the Web platform: MSAL.js needs it as SPA only (AADSTS9002326). Remove it from Web." >&2
      fi
    done
  done <<<"$OLD_WEB"
  while IFS= read -r other; do
    [[ -n "$other" ]] && echo "  removing permissions for API $other: this app needs Microsoft Graph only"
  done <<<"$OLD_APIS"
  while IFS= read -r existing; do
    [[ -n "$existing" ]] || continue
    wanted=0
    for id in "${PERM_IDS[@]}"; do [[ "$existing" == "$id" ]] && wanted=1; done
    [[ $wanted == 1 ]] || echo "  removing Microsoft Graph permission $existing"
  done <<<"$OLD_GRAPH"

  az ad app update --id "$OBJECT_ID" --sign-in-audience "$SIGN_IN_AUDIENCE" \
    --enable-id-token-issuance "$ID_TOKENS" --enable-access-token-issuance "$ACCESS_TOKENS" \
    --required-resource-accesses @"$TMP/required-resource-access.json"
  echo "Updated the existing application '$DISPLAY_NAME' (object id $OBJECT_ID)."
fi
[[ "$APP_ID" =~ $GUID_RE && "$OBJECT_ID" =~ $GUID_RE ]] || die "could not read the application's ids"

# SPA redirect URIs: Azure CLI has no option for them, so PATCH the application through Graph.
spa_json "${REDIRECT_URIS[@]}" ${KEEP_URIS[@]+"${KEEP_URIS[@]}"} >"$TMP/spa.json"
retry graph_rest --method PATCH --uri "$GRAPH/v1.0/applications/$OBJECT_ID" --body @"$TMP/spa.json" \
  || die "could not set the SPA redirect URIs"

# --- Its service principal (the enterprise application). -------------------------------------
SP_ID="$(az ad sp list --filter "appId eq '$APP_ID'" --query "[0].id" -o tsv)"
if [[ -z "$SP_ID" ]]; then
  SP_ID="$(retry az ad sp create --id "$APP_ID" --query id -o tsv)" || die "could not create the service principal"
  echo "Created its service principal (enterprise application)."
fi

# --- Admin consent: one AllPrincipals grant to Microsoft Graph with exactly these scopes. -------
# (Through Graph rather than `az ad app permission admin-consent`, which works in the global
# cloud only, or `az ad app permission grant`, which first deletes every grant of the pair.)
CONSENT_DONE=0
if [[ $GRANT_ADMIN_CONSENT == 1 ]]; then
  GRAPH_SP_ID="$(az ad sp list --filter "appId eq '$GRAPH_APP_ID'" --query "[0].id" -o tsv)"
  [[ -n "$GRAPH_SP_ID" ]] || die "Microsoft Graph has no service principal in this tenant"
  FILTER="clientId%20eq%20'$SP_ID'%20and%20consentType%20eq%20'AllPrincipals'%20and%20resourceId%20eq%20'$GRAPH_SP_ID'"
  GRANT_TSV="$(graph_rest --method GET --uri "$GRAPH/v1.0/oauth2PermissionGrants?\$filter=$FILTER" \
    --query "value[0].[id, scope]" -o tsv)"
  GRANT_ID="" OLD_SCOPE=""
  [[ -z "$GRANT_TSV" ]] || read -r GRANT_ID OLD_SCOPE <<<"$(printf '%s' "$GRANT_TSV" | tr '\t\n' '  ')"
  if [[ -z "$GRANT_ID" ]]; then
    printf '{"clientId":"%s","consentType":"AllPrincipals","resourceId":"%s","scope":%s}' \
      "$SP_ID" "$GRAPH_SP_ID" "$(json_string "$GRANT_SCOPE")" >"$TMP/grant.json"
    retry graph_rest --method POST --uri "$GRAPH/v1.0/oauth2PermissionGrants" --body @"$TMP/grant.json" >/dev/null \
      || die "could not grant admin consent"
    echo "Granted admin consent for the organization: $GRANT_SCOPE"
  else
    printf '{"scope":%s}' "$(json_string "$GRANT_SCOPE")" >"$TMP/grant.json"
    graph_rest --method PATCH --uri "$GRAPH/v1.0/oauth2PermissionGrants/$GRANT_ID" --body @"$TMP/grant.json" >/dev/null
    echo "Admin consent for the organization now: $GRANT_SCOPE"
    REMOVED=""
    for s in $OLD_SCOPE; do
      [[ " $GRANT_SCOPE " == *" $s "* ]] || REMOVED="$REMOVED $s"
    done
    [[ -z "$REMOVED" ]] || echo "  (no longer granted:$REMOVED)"
  fi
  CONSENT_DONE=1
fi

# --- What to paste into the add-in, and what is left to do. -------------------------------------
AUTHORITY="https://$LOGIN_HOST/$TENANT_ID/"
echo
echo "Done. In Outlook, open an email, click Save to iMIS, Menu > Setup, and paste:"
echo "  Application (client) ID:  $APP_ID"
echo "  Authority URL:            $AUTHORITY"
echo
echo "Next steps:"
step=1
echo "  $step. Paste both values above into Setup. The Authority URL must name the tenant: this app"
echo "     accepts accounts of this organization only, so the default .../common/ fails (AADSTS50194)."
step=$((step + 1))
if [[ $CONSENT_DONE == 0 ]]; then
  echo "  $step. Grant admin consent: Microsoft Entra admin center > App registrations > $DISPLAY_NAME >"
  echo "     API permissions > Grant admin consent (or run this again with --grant-admin-consent)."
  step=$((step + 1))
fi
echo "  $step. Serve the add-in at https://$ADDIN_HOST/ (ADDIN_URL=https://$ADDIN_HOST npm run build,"
echo "     then publish dist/) and deploy dist/manifest.xml (main README, 'For administrators')."
step=$((step + 1))
if [[ $SHARED_MAILBOXES == 1 ]]; then
  echo "  $step. Mail.Read.Shared only reaches mailboxes a user can already open: give staff Exchange"
  echo "     access (Full Access or folder Read) to each shared mailbox they save from."
  step=$((step + 1))
fi
echo "  $step. Check: open an email with an attachment, click Save to iMIS; sign in when asked."
