#Requires -Version 5.1
<#
.SYNOPSIS
Registers (or updates) the Microsoft Entra app for the Save to iMIS Outlook add-in, with the
Microsoft Graph PowerShell SDK.

.DESCRIPTION
Reads admin/app.json (the one description of the app, shared with register-app.sh) and makes
the app registration match it:

- an app named as in app.json ("Save to iMIS"), accounts in this organization only;
- single-page application (SPA) redirect URIs for the add-in's host: brk-multihub://<host>
  (nested app authentication), https://<host>/auth-redirect.html (MSAL popup) and
  https://<host>/auth-dialog.html (Office dialog fallback); SPA URIs already registered for
  another host are kept;
- implicit grant off; no client secret, no certificate;
- delegated Microsoft Graph permissions: Mail.Read, plus Mail.Read.Shared with
  -SharedMailboxes and Mail.ReadWrite with -ReadWrite, and nothing else (a permission left out
  of a later run is removed from the registration);
- its service principal (enterprise application);
- with -GrantAdminConsent, admin consent for the whole organization: one delegated permission
  grant (consent type AllPrincipals) holding exactly those permissions and the OpenID Connect
  sign-in scopes listed in app.json.

Running it again with the same parameters changes nothing: it finds the app by its display name
and updates it. It then prints the Application (client) ID and the Authority URL to paste into
the add-in's Setup, and the next steps.

Needs the Microsoft Graph PowerShell SDK v2 (Install-Module Microsoft.Graph -Scope CurrentUser;
the modules Microsoft.Graph.Authentication, Microsoft.Graph.Applications and
Microsoft.Graph.Identity.SignIns are enough) and an account that may register applications
(Application Administrator or Cloud Application Administrator). It signs in with
Connect-MgGraph, asking for Application.ReadWrite.All, and DelegatedPermissionGrant.ReadWrite.All
too with -GrantAdminConsent.

.PARAMETER AddinHost
The host name the add-in is served from, as in ADDIN_URL=https://<host> when building it:
addin.example.org, or with a port (localhost:3000). Not a URL.

.PARAMETER SharedMailboxes
Adds the delegated permission Mail.Read.Shared, for staff who save emails from shared or
delegated mailboxes.

.PARAMETER ReadWrite
Adds the delegated permission Mail.ReadWrite. Saving emails does not need it.

.PARAMETER GrantAdminConsent
Grants admin consent for the organization (delegated permission grant, AllPrincipals) to
exactly the permissions this run registers. Without it, grant consent in the Microsoft Entra
admin center afterwards.

.PARAMETER Cloud
The Microsoft cloud of the tenant: Global (default), USGov (GCC High), USGovDoD or China
(21Vianet). Picks Connect-MgGraph -Environment and the sign-in host of the Authority URL.

.PARAMETER DryRun
Prints what would be registered, without signing in or changing anything.

.EXAMPLE
./register-app.ps1 -AddinHost addin.example.org -GrantAdminConsent

.EXAMPLE
./register-app.ps1 -AddinHost addin.example.org -SharedMailboxes -GrantAdminConsent

.EXAMPLE
./register-app.ps1 -AddinHost addin.contoso.us -Cloud USGov -DryRun

.NOTES
The same registration by hand, in the Microsoft Entra admin center, is described in the main
README ("For administrators"). register-app.sh does the same with the Azure CLI.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    [string]$AddinHost,

    [switch]$SharedMailboxes,

    [switch]$ReadWrite,

    [switch]$GrantAdminConsent,

    [ValidateSet('Global', 'USGov', 'USGovDoD', 'China')]
    [string]$Cloud = 'Global',

    [switch]$DryRun
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# --- The clouds: Connect-MgGraph -Environment name -> sign-in host and Microsoft Graph. --------
$clouds = @{
    Global   = @{ LoginHost = 'login.microsoftonline.com'; GraphUrl = 'https://graph.microsoft.com' }
    USGov    = @{ LoginHost = 'login.microsoftonline.us';  GraphUrl = 'https://graph.microsoft.us' }
    USGovDoD = @{ LoginHost = 'login.microsoftonline.us';  GraphUrl = 'https://dod-graph.microsoft.us' }
    China    = @{ LoginHost = 'login.chinacloudapi.cn';    GraphUrl = 'https://microsoftgraph.chinacloudapi.cn' }
}
$cloudInfo = $clouds[$Cloud]

# --- The add-in's host: a host name with an optional port, never a URL. ----------------------
$addinHostName = $AddinHost.Trim().ToLowerInvariant()
if ($addinHostName -match '^[a-z][a-z0-9+.-]*://') {
    throw "-AddinHost takes the host name only (for example addin.example.org), not a URL: '$AddinHost'."
}
if ($addinHostName -notmatch '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$') {
    throw "-AddinHost '$AddinHost' is not a host name (letters, digits, dots and hyphens, optionally :port)."
}

# --- app.json: the one description of the app. ------------------------------------------------
$specPath = Join-Path $PSScriptRoot 'app.json'
$spec = Get-Content -LiteralPath $specPath -Raw -Encoding UTF8 | ConvertFrom-Json

$displayName = [string]$spec.displayName
if ($displayName -notmatch '^[A-Za-z0-9 ._-]+$') { throw "app.json: unexpected displayName '$displayName'." }
$graphAppId = [string]$spec.microsoftGraph.resourceAppId
$guid = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
if ($graphAppId -notmatch $guid) { throw "app.json: microsoftGraph.resourceAppId is not a GUID." }

# Which switch turns on which optional permission: app.json names the switch (onlyWith.powershell).
$switchOn = @{
    '-SharedMailboxes' = $SharedMailboxes.IsPresent
    '-ReadWrite'       = $ReadWrite.IsPresent
}

$permissions = @()
foreach ($p in @($spec.microsoftGraph.delegatedPermissions)) {
    if ([string]$p.id -notmatch $guid) { throw "app.json: permission $($p.name) has no valid id." }
    if ([string]$p.type -ne 'Scope') { throw "app.json: $($p.name) is not a delegated permission (type Scope)." }
    if ($null -eq $p.onlyWith) {
        $permissions += $p
    } else {
        $switchName = [string]$p.onlyWith.powershell
        if (-not $switchOn.ContainsKey($switchName)) {
            throw "app.json: $($p.name) is behind '$switchName', which this script does not have."
        }
        if ($switchOn[$switchName]) { $permissions += $p }
    }
}
$permissionNames = @($permissions | ForEach-Object { [string]$_.name })
$signInScopes = @($spec.microsoftGraph.signInScopes | ForEach-Object { [string]$_ })

$redirectUris = @()
foreach ($r in @($spec.spaRedirectUris)) {
    $template = [string]$r.template
    if ($template -notmatch '^(https|brk-multihub)://\{host\}(/[A-Za-z0-9._~/-]*)?$') {
        throw "app.json: unexpected redirect URI template '$template'."
    }
    $redirectUris += $template.Replace('{host}', $addinHostName)
}

$requiredResourceAccess = @(
    @{
        ResourceAppId  = $graphAppId
        ResourceAccess = @($permissions | ForEach-Object { @{ Id = [string]$_.id; Type = 'Scope' } })
    }
)
$web = @{
    ImplicitGrantSettings = @{
        EnableIdTokenIssuance     = [bool]$spec.implicitGrant.enableIdTokenIssuance
        EnableAccessTokenIssuance = [bool]$spec.implicitGrant.enableAccessTokenIssuance
    }
}
$grantScope = (@($permissionNames) + @($signInScopes)) -join ' '

Write-Host "Save to iMIS: Microsoft Entra app registration (Microsoft Graph PowerShell)"
Write-Host "  cloud:             $Cloud (sign-in $($cloudInfo.LoginHost), Graph $($cloudInfo.GraphUrl))"
Write-Host "  display name:      $displayName"
Write-Host "  sign-in audience:  $($spec.signInAudience)"
Write-Host "  delegated Microsoft Graph permissions:"
foreach ($p in $permissions) { Write-Host ("    {0,-18} {1}" -f $p.name, $p.id) }
Write-Host "  SPA redirect URIs:"
foreach ($u in $redirectUris) { Write-Host "    $u" }
Write-Host "  implicit grant:    ID tokens $($web.ImplicitGrantSettings.EnableIdTokenIssuance), access tokens $($web.ImplicitGrantSettings.EnableAccessTokenIssuance)"
if ($GrantAdminConsent) {
    Write-Host "  admin consent:     granted for the organization: $grantScope"
} else {
    Write-Host "  admin consent:     not by this run (-GrantAdminConsent)"
}

if ($DryRun) {
    Write-Host ""
    Write-Host "Dry run: nothing was changed."
    return
}

# --- Sign in. -----------------------------------------------------------------------------------
foreach ($module in 'Microsoft.Graph.Authentication', 'Microsoft.Graph.Applications', 'Microsoft.Graph.Identity.SignIns') {
    if (-not (Get-Module -ListAvailable -Name $module)) {
        throw "The PowerShell module $module is missing: Install-Module Microsoft.Graph -Scope CurrentUser"
    }
}
Import-Module Microsoft.Graph.Authentication, Microsoft.Graph.Applications, Microsoft.Graph.Identity.SignIns

$scopes = @('Application.ReadWrite.All')
if ($GrantAdminConsent) { $scopes += 'DelegatedPermissionGrant.ReadWrite.All' }
Connect-MgGraph -Environment $Cloud -Scopes $scopes -NoWelcome
$context = Get-MgContext
if ($null -eq $context -or -not $context.TenantId) { throw "Connect-MgGraph did not sign in." }
$tenantId = [string]$context.TenantId
Write-Host ""
Write-Host "Signed in as $($context.Account) to tenant $tenantId."

$environment = Get-MgEnvironment -Name $Cloud
if ($environment -and ([uri]$environment.AzureADEndpoint).Host -ne $cloudInfo.LoginHost) {
    Write-Warning "The SDK's $Cloud environment signs in at $($environment.AzureADEndpoint), not $($cloudInfo.LoginHost)."
}

# Directory writes take a few seconds to replicate: retry what depends on a fresh object.
function Invoke-WithRetry([scriptblock]$Action, [string]$What) {
    for ($attempt = 1; ; $attempt++) {
        try { return & $Action }
        catch {
            if ($attempt -ge 6) { throw }
            Write-Host "  ($What not ready yet, retrying in 5 s: $($_.Exception.Message))"
            Start-Sleep -Seconds 5
        }
    }
}

# --- The application: create, or update the one with that display name. -----------------------
$escapedName = $displayName.Replace("'", "''")
$found = @(Get-MgApplication -Filter "displayName eq '$escapedName'" -All)
if ($found.Count -gt 1) {
    throw "$($found.Count) applications are named '$displayName' (object ids $(($found | ForEach-Object Id) -join ', ')). Delete or rename the extra ones, then run this again."
}

if ($found.Count -eq 0) {
    $app = New-MgApplication -DisplayName $displayName -SignInAudience $spec.signInAudience `
        -Spa @{ RedirectUris = $redirectUris } -Web $web -RequiredResourceAccess $requiredResourceAccess
    Write-Host "Created the application '$displayName'."
} else {
    $app = Get-MgApplication -ApplicationId $found[0].Id

    # Keep SPA redirect URIs registered for other hosts; warn about ones that cannot work.
    $spaUris = @($redirectUris)
    if ($app.Spa -and $app.Spa.RedirectUris) {
        foreach ($u in @($app.Spa.RedirectUris)) {
            if ($spaUris -notcontains $u) {
                $spaUris += $u
                Write-Host "  keeping SPA redirect URI $u"
                if ($u -like 'http:*' -and $u -notmatch '^http://localhost([:/]|$)') {
                    Write-Warning "SPA redirect URI $u is not https: remove it in the Microsoft Entra admin center."
                }
            }
        }
    }
    if ($app.Web -and $app.Web.RedirectUris) {
        foreach ($u in @($app.Web.RedirectUris)) {
            if ($redirectUris -contains $u) {
                Write-Warning "$u is also registered on the Web platform: MSAL.js needs it as SPA only (AADSTS9002326). Remove it from Web."
            }
        }
    }
    foreach ($rra in @($app.RequiredResourceAccess)) {
        if ($rra.ResourceAppId -ne $graphAppId) {
            Write-Host "  removing permissions for API $($rra.ResourceAppId): this app needs Microsoft Graph only"
        } else {
            foreach ($ra in @($rra.ResourceAccess)) {
                if (@($permissions | Where-Object { $_.id -eq $ra.Id }).Count -eq 0) {
                    Write-Host "  removing Microsoft Graph permission $($ra.Id) ($($ra.Type))"
                }
            }
        }
    }

    Update-MgApplication -ApplicationId $app.Id -SignInAudience $spec.signInAudience `
        -Spa @{ RedirectUris = $spaUris } -Web $web -RequiredResourceAccess $requiredResourceAccess
    Write-Host "Updated the existing application '$displayName' (object id $($app.Id))."
}
$appId = [string]$app.AppId

# --- Its service principal (the enterprise application). --------------------------------------
$sp = @(Get-MgServicePrincipal -Filter "appId eq '$appId'")
if ($sp.Count -eq 0) {
    $servicePrincipal = Invoke-WithRetry { New-MgServicePrincipal -AppId $appId } 'the new application'
    Write-Host "Created its service principal (enterprise application)."
} else {
    $servicePrincipal = $sp[0]
}

# --- Admin consent: one AllPrincipals grant to Microsoft Graph with exactly these scopes. -------
$consentDone = $false
if ($GrantAdminConsent) {
    $graphSp = @(Get-MgServicePrincipal -Filter "appId eq '$graphAppId'")
    if ($graphSp.Count -eq 0) { throw "Microsoft Graph has no service principal in this tenant." }
    $grants = @(Get-MgOauth2PermissionGrant -All -Filter ("clientId eq '{0}' and consentType eq 'AllPrincipals' and resourceId eq '{1}'" -f $servicePrincipal.Id, $graphSp[0].Id))
    if ($grants.Count -eq 0) {
        $null = Invoke-WithRetry {
            New-MgOauth2PermissionGrant -ClientId $servicePrincipal.Id -ConsentType 'AllPrincipals' `
                -ResourceId $graphSp[0].Id -Scope $grantScope
        } 'the new service principal'
        Write-Host "Granted admin consent for the organization: $grantScope"
    } else {
        $before = @(([string]$grants[0].Scope).Split(' ', [System.StringSplitOptions]::RemoveEmptyEntries))
        $removed = @($before | Where-Object { ($grantScope.Split(' ')) -notcontains $_ })
        Update-MgOauth2PermissionGrant -OAuth2PermissionGrantId $grants[0].Id -Scope $grantScope
        Write-Host "Admin consent for the organization now: $grantScope"
        if ($removed.Count -gt 0) { Write-Host "  (no longer granted: $($removed -join ' '))" }
    }
    $consentDone = $true
}

# --- What to paste into the add-in, and what is left to do. -------------------------------------
$authority = "https://$($cloudInfo.LoginHost)/$tenantId/"
Write-Host ""
Write-Host "Done. In Outlook, open an email, click Save to iMIS, Menu > Setup, and paste:"
Write-Host "  Application (client) ID:  $appId"
Write-Host "  Authority URL:            $authority"
Write-Host ""
Write-Host "Next steps:"
$step = 1
Write-Host "  $step. Paste both values above into Setup. The Authority URL must name the tenant: this app"
Write-Host "     accepts accounts of this organization only, so the default .../common/ fails (AADSTS50194)."
$step++
if (-not $consentDone) {
    Write-Host "  $step. Grant admin consent: Microsoft Entra admin center > App registrations > $displayName >"
    Write-Host "     API permissions > Grant admin consent (or run this again with -GrantAdminConsent)."
    $step++
}
Write-Host "  $step. Serve the add-in at https://$addinHostName/ (ADDIN_URL=https://$addinHostName npm run build,"
Write-Host "     then publish dist/) and deploy dist/manifest.xml (main README, 'For administrators')."
$step++
if ($SharedMailboxes) {
    Write-Host "  $step. Mail.Read.Shared only reaches mailboxes a user can already open: give staff Exchange"
    Write-Host "     access (Full Access or folder Read) to each shared mailbox they save from."
    $step++
}
Write-Host "  $step. Check: open an email with an attachment, click Save to iMIS; sign in when asked."
