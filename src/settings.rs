//! Setup values: what the administrator typed in the Setup pane, checked and normalised.
//!
//! Raw values arrive from `roamingSettings` (per user, never secrets) merged over the
//! defaults embedded at build time. Validation reports every wrong field at once, each
//! with a message that says what to type instead.

use crate::weburl::{form_encode, WebUrl};

use crate::imis::site::{ContactLookup, SiteProfile};

pub const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com/common/";
pub const DEFAULT_ACTIVITY_TYPE: &str = "EMAIL";
pub const DEFAULT_DOCUMENT_ROOT: &str = "$/Common/Email";
/// The Document System folder that holds the organisation's settings document
/// (docs/org-settings.md): an iMIS administrator creates it and sets its access.
pub const DEFAULT_ORG_SETTINGS_PATH: &str = "$/Common/SaveToImis";
/// Graph allows 4 concurrent requests per app and mailbox; 3 leaves room for Outlook's own.
pub const DEFAULT_GRAPH_CONCURRENCY: usize = 3;
pub const MAX_GRAPH_CONCURRENCY: usize = 4;
/// The largest request the iMIS site accepts, in MB: a stock site's IIS allows 10 MiB
/// (`maxRequestLength` 10240 KB, `maxAllowedContentLength` 10485760), and a document
/// travels as base64 in JSON, a third larger than the file.
pub const DEFAULT_MAX_REQUEST_MB: u64 = 10;
/// Emails saved at once from a multiple selection (ASI's "Max Total Emails").
pub const DEFAULT_MAX_EMAILS: usize = 10;

/// iMIS system activity types that ASI tells sites never to use for emails.
const SYSTEM_ACTIVITY_TYPES: [&str; 3] = ["DUES", "ORDER", "SALES"];

/// A sign-in host and the Microsoft Graph that belongs to it.
/// Read by hand (below) as the derive would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cloud {
    /// `host` or `host:port` of the authority URL.
    pub authority_host: String,
    /// Graph origin, e.g. `https://graph.microsoft.com`.
    pub graph_url: String,
}

/// Microsoft's public and national clouds (reference: graph-and-office.md, national
/// clouds). One sign-in host can serve two Graph hosts (US Government L4 and DoD), so
/// the first listed for a host is its default and the others may be chosen in Setup.
fn microsoft_clouds() -> Vec<Cloud> {
    [
        ("login.microsoftonline.com", "https://graph.microsoft.com"),
        ("login.microsoftonline.us", "https://graph.microsoft.us"),
        ("login.microsoftonline.us", "https://dod-graph.microsoft.us"),
        (
            "login.chinacloudapi.cn",
            "https://microsoftgraph.chinacloudapi.cn",
        ),
        (
            "login.partner.microsoftonline.cn",
            "https://microsoftgraph.chinacloudapi.cn",
        ),
    ]
    .into_iter()
    .map(|(a, g)| Cloud {
        authority_host: a.into(),
        graph_url: g.into(),
    })
    .collect()
}

/// Settings as typed: every field a string, possibly empty. Read by hand (`Deserialize`
/// below) as serde's `rename_all = "camelCase", default` would.
#[derive(Debug, Clone, Default)]
pub struct RawSettings {
    pub client_id: String,
    pub authority: String,
    /// Microsoft Graph's origin; empty means the authority's cloud's default.
    pub graph_url: String,
    pub imis_url: String,
    pub activity_type: String,
    pub document_root: String,
    /// Graph requests in flight at once, "1" to "4".
    pub graph_concurrency: String,
    /// "true" to save inline images (signature logos and the like) too.
    pub include_inline: String,
    /// The largest request the iMIS site accepts, in MB.
    pub max_request_mb: String,
    /// The document type for files whose extension has no mapping.
    pub fallback_document_type: String,
    /// The Activity column that keeps the saved-email key.
    pub key_column: String,
    /// "false" to leave out the email itself as an `.eml` file (stored by default).
    pub email_file: String,
    /// The most emails saved at once from a multiple selection, "1" to "50".
    pub max_emails: String,
    /// "activity" (default) or "interaction".
    pub record_kind: String,
    /// "true" to allow saving an email that is already saved.
    pub allow_duplicate_emails: String,
    /// A link to open a contact in iMIS, with `{partyId}` where its id goes.
    pub profile_url: String,
    /// "party" (default), "iqa" or "csContactBasic".
    pub contact_lookup: String,
    /// The IQA query's path, for "iqa".
    pub iqa_query: String,
    /// JSON object of site profile keys to change (advanced).
    pub site_profile: String,
    /// The iMIS folder of the organisation's settings document (a deployment value).
    pub org_settings_path: String,
    /// "everyone" (default: whoever iMIS allows) or "nobody": who may add a contact
    /// from the pane.
    pub contact_creation: String,
}

impl crate::json::FromJson for Cloud {
    fn from_json(v: crate::json::Value) -> crate::json::Result<Self> {
        let mut f = crate::json::Fields::of(v, "struct Cloud")?;
        Ok(Cloud {
            authority_host: f.req("authorityHost")?,
            graph_url: f.req("graphUrl")?,
        })
    }
}

impl crate::json::FromJson for RawSettings {
    fn from_json(v: crate::json::Value) -> crate::json::Result<Self> {
        let mut raw = RawSettings::default();
        for (name, value) in crate::json::object(v, "struct RawSettings")? {
            if let Some(slot) = raw.field_mut(&name) {
                *slot = crate::json::FromJson::from_json(value)?;
            }
        }
        Ok(raw)
    }
}

impl RawSettings {
    /// The field that JSON names `name` (serde's camelCase name), for the code that
    /// merges settings by name (`org`): a match, where going through `serde_json::Value`
    /// put a second serializer and deserializer of this type in the wasm.
    pub fn field(&self, name: &str) -> Option<&String> {
        Some(match name {
            "clientId" => &self.client_id,
            "authority" => &self.authority,
            "graphUrl" => &self.graph_url,
            "imisUrl" => &self.imis_url,
            "activityType" => &self.activity_type,
            "documentRoot" => &self.document_root,
            "graphConcurrency" => &self.graph_concurrency,
            "includeInline" => &self.include_inline,
            "maxRequestMb" => &self.max_request_mb,
            "fallbackDocumentType" => &self.fallback_document_type,
            "keyColumn" => &self.key_column,
            "emailFile" => &self.email_file,
            "maxEmails" => &self.max_emails,
            "recordKind" => &self.record_kind,
            "allowDuplicateEmails" => &self.allow_duplicate_emails,
            "profileUrl" => &self.profile_url,
            "contactLookup" => &self.contact_lookup,
            "iqaQuery" => &self.iqa_query,
            "siteProfile" => &self.site_profile,
            "orgSettingsPath" => &self.org_settings_path,
            "contactCreation" => &self.contact_creation,
            _ => return None,
        })
    }

    pub fn field_mut(&mut self, name: &str) -> Option<&mut String> {
        Some(match name {
            "clientId" => &mut self.client_id,
            "authority" => &mut self.authority,
            "graphUrl" => &mut self.graph_url,
            "imisUrl" => &mut self.imis_url,
            "activityType" => &mut self.activity_type,
            "documentRoot" => &mut self.document_root,
            "graphConcurrency" => &mut self.graph_concurrency,
            "includeInline" => &mut self.include_inline,
            "maxRequestMb" => &mut self.max_request_mb,
            "fallbackDocumentType" => &mut self.fallback_document_type,
            "keyColumn" => &mut self.key_column,
            "emailFile" => &mut self.email_file,
            "maxEmails" => &mut self.max_emails,
            "recordKind" => &mut self.record_kind,
            "allowDuplicateEmails" => &mut self.allow_duplicate_emails,
            "profileUrl" => &mut self.profile_url,
            "contactLookup" => &mut self.contact_lookup,
            "iqaQuery" => &mut self.iqa_query,
            "siteProfile" => &mut self.site_profile,
            "orgSettingsPath" => &mut self.org_settings_path,
            "contactCreation" => &mut self.contact_creation,
            _ => return None,
        })
    }
}

/// Who may add a new iMIS contact from the pane. iMIS itself still refuses users
/// without the right; "administrators only" is not offered: no published REST call
/// tells whether the signed-in user is one (docs/org-settings.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContactCreation {
    #[default]
    Everyone,
    Nobody,
}

impl ContactCreation {
    pub fn as_str(self) -> &'static str {
        match self {
            ContactCreation::Everyone => "everyone",
            ContactCreation::Nobody => "nobody",
        }
    }
}

/// What an email becomes in iMIS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecordKind {
    #[default]
    Activity,
    /// An interaction in the communication log.
    Interaction,
}

impl RecordKind {
    pub fn noun(self) -> &'static str {
        match self {
            RecordKind::Activity => "activity",
            RecordKind::Interaction => "interaction",
        }
    }
}

/// Settings after validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `None` when no Entra app is configured: emails are saved without attachments.
    pub client_id: Option<String>,
    /// Always ends with `/`.
    pub authority: String,
    /// Graph origin for the authority's cloud, without a trailing slash.
    pub graph_url: String,
    /// iMIS site base URL, without a trailing slash; empty until configured.
    pub imis_url: String,
    pub activity_type: String,
    pub document_root: String,
    pub graph_concurrency: usize,
    pub include_inline: bool,
    /// Store the email itself as `.eml` beside its attachments.
    pub email_file: bool,
    pub max_emails: usize,
    /// Largest request to iMIS, in bytes (a document's JSON, base64 included).
    pub max_request_bytes: u64,
    pub record_kind: RecordKind,
    pub allow_duplicate_emails: bool,
    pub profile_url: String,
    pub site: SiteProfile,
    pub org_settings_path: String,
    pub contact_creation: ContactCreation,
}

impl Settings {
    /// The link that opens a contact in iMIS, when Setup has a template.
    pub fn profile_link(&self, party_id: &str) -> Option<String> {
        if self.profile_url.is_empty() {
            return None;
        }
        let id = form_encode(party_id);
        Some(self.profile_url.replace("{partyId}", &id))
    }

    /// The delegated permission scoped to this cloud's Graph, as MSAL wants it.
    pub fn graph_scope(&self, permission: &str) -> String {
        format!("{}/{}", self.graph_url, permission)
    }

    /// The fewest scopes: `Mail.Read`, or `Mail.Read.Shared` for another mailbox's item.
    pub fn graph_scopes(&self, shared_mailbox: bool) -> Vec<String> {
        let permission = if shared_mailbox {
            "Mail.Read.Shared"
        } else {
            "Mail.Read"
        };
        vec![self.graph_scope(permission)]
    }

    pub fn graph_api(&self) -> String {
        format!("{}/v1.0", self.graph_url)
    }
}

/// One field that failed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// What each Setup field is when nobody set it, as Setup shows it (a value, not a
/// placeholder). Empty where empty means something: no Entra app, the authority's Graph,
/// iMIS on the pane's own origin, no contact link, no site profile changes.
pub fn defaults() -> RawSettings {
    let site = SiteProfile::default();
    let yes_no = |b: bool| if b { "true" } else { "false" }.to_string();
    RawSettings {
        authority: DEFAULT_AUTHORITY.into(),
        activity_type: DEFAULT_ACTIVITY_TYPE.into(),
        document_root: DEFAULT_DOCUMENT_ROOT.into(),
        graph_concurrency: DEFAULT_GRAPH_CONCURRENCY.to_string(),
        include_inline: yes_no(false),
        max_request_mb: DEFAULT_MAX_REQUEST_MB.to_string(),
        fallback_document_type: site.fallback_document_type.clone(),
        key_column: site.activity_message_key.clone(),
        email_file: yes_no(true),
        max_emails: DEFAULT_MAX_EMAILS.to_string(),
        record_kind: RecordKind::default().noun().into(),
        allow_duplicate_emails: yes_no(false),
        contact_lookup: "party".into(),
        iqa_query: site.iqa_query.clone(),
        org_settings_path: DEFAULT_ORG_SETTINGS_PATH.into(),
        contact_creation: ContactCreation::Everyone.as_str().into(),
        ..RawSettings::default()
    }
}

/// Checks every field; `extra_clouds` are sign-in hosts an administrator allowed
/// explicitly (the local demo's authority is one).
pub fn validate(raw: &RawSettings, extra_clouds: &[Cloud]) -> Result<Settings, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut fail =
        |field: &'static str, message: String| errors.push(FieldError { field, message });

    let client_id = match raw.client_id.trim() {
        "" => None,
        id if is_guid(id) => Some(id.to_ascii_lowercase()),
        id => {
            fail(
                "clientId",
                format!(
                    "\"{}\" is not an Application (client) ID. Copy the GUID shown on the app's \
                     Overview page in Microsoft Entra, e.g. 4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43.",
                    shorten(id)
                ),
            );
            None
        }
    };

    let authority_text = match raw.authority.trim() {
        "" => DEFAULT_AUTHORITY,
        a => a,
    };
    let mut authority = String::new();
    let mut graph_url = String::new();
    match https_url(authority_text) {
        Err(why) => fail("authority", format!("Authority URL {why}")),
        Ok(url) => {
            let host = url.host_with_port();
            let segments: Vec<&str> = url.segments().collect();
            let clouds: Vec<Cloud> = microsoft_clouds()
                .into_iter()
                .chain(extra_clouds.iter().cloned())
                .filter(|c| c.authority_host == host)
                .collect();
            let graph_text = raw.graph_url.trim().trim_end_matches('/');
            let graph = clouds
                .iter()
                .find(|c| graph_text.is_empty() || c.graph_url.trim_end_matches('/') == graph_text);
            match clouds.first() {
                None => fail(
                    "authority",
                    format!(
                        "{host} is not a Microsoft sign-in host. Use \
                         https://login.microsoftonline.com/<tenant>/ (or your national cloud's \
                         sign-in host)."
                    ),
                ),
                Some(_) if segments.len() != 1 || !is_tenant(segments[0]) => fail(
                    "authority",
                    format!(
                        "Authority URL must name one tenant after the host: common, \
                         organizations, the tenant id (a GUID) or its domain, like \
                         https://{host}/common/ or https://{host}/contoso.onmicrosoft.com/."
                    ),
                ),
                Some(_) => match graph {
                    Some(cloud) => {
                        authority = with_trailing_slash(url.as_str());
                        graph_url = cloud.graph_url.trim_end_matches('/').to_string();
                    }
                    None => {
                        let hosts: Vec<&str> =
                            clouds.iter().map(|c| c.graph_url.as_str()).collect();
                        fail(
                            "graphUrl",
                            format!(
                                "Microsoft Graph for {host} is {}; leave it empty for the first.",
                                hosts.join(" or ")
                            ),
                        );
                    }
                },
            }
        }
    }

    let imis_url = match raw.imis_url.trim() {
        "" => String::new(),
        text => match https_url(text) {
            Ok(url) => url.as_str().trim_end_matches('/').to_string(),
            Err(why) => {
                fail("imisUrl", format!("iMIS site URL {why}"));
                String::new()
            }
        },
    };

    let activity_type = match raw.activity_type.trim() {
        "" => DEFAULT_ACTIVITY_TYPE.to_string(),
        t => t.to_ascii_uppercase(),
    };
    if SYSTEM_ACTIVITY_TYPES.contains(&activity_type.as_str()) {
        fail(
            "activityType",
            format!(
                "{activity_type} is an iMIS system activity type. Create a dedicated type \
                 (for example EMAIL) in iMIS and enter it here."
            ),
        );
    } else if activity_type.len() > 10
        || !activity_type
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        fail(
            "activityType",
            "Activity type must be an iMIS activity type code: up to 10 letters, digits or _."
                .to_string(),
        );
    }

    let document_root = document_path(&raw.document_root, DEFAULT_DOCUMENT_ROOT);
    if !is_document_path(&document_root) {
        fail(
            "documentRoot",
            "Document folder must be an iMIS document path like $/Common/Email.".to_string(),
        );
    }
    let org_settings_path = document_path(&raw.org_settings_path, DEFAULT_ORG_SETTINGS_PATH);
    if !is_document_path(&org_settings_path) {
        fail(
            "orgSettingsPath",
            "Organisation settings folder must be an iMIS document path like $/Common/SaveToImis."
                .to_string(),
        );
    }
    let contact_creation = match raw.contact_creation.trim() {
        "" | "everyone" => ContactCreation::Everyone,
        "nobody" => ContactCreation::Nobody,
        other => {
            fail(
                "contactCreation",
                format!(
                    "Who may add contacts must be everyone or nobody, not \"{}\".",
                    shorten(other)
                ),
            );
            ContactCreation::Everyone
        }
    };

    let graph_concurrency = match raw.graph_concurrency.trim() {
        "" => DEFAULT_GRAPH_CONCURRENCY,
        n => match n.parse::<usize>() {
            Ok(n @ 1..=MAX_GRAPH_CONCURRENCY) => n,
            _ => {
                fail(
                    "graphConcurrency",
                    format!(
                        "Parallel downloads must be a whole number from 1 to {MAX_GRAPH_CONCURRENCY} \
                         (Microsoft Graph allows 4 at a time per mailbox)."
                    ),
                );
                DEFAULT_GRAPH_CONCURRENCY
            }
        },
    };

    let include_inline = matches!(raw.include_inline.trim(), "true" | "on" | "yes");
    let email_file = !matches!(raw.email_file.trim(), "false" | "off" | "no");
    let max_emails = match raw.max_emails.trim() {
        "" => DEFAULT_MAX_EMAILS,
        n => match n.parse::<usize>() {
            Ok(n @ 1..=50) => n,
            _ => {
                fail(
                    "maxEmails",
                    "Most emails at once must be a whole number from 1 to 50.".to_string(),
                );
                DEFAULT_MAX_EMAILS
            }
        },
    };

    let max_request_bytes = match raw.max_request_mb.trim() {
        "" => DEFAULT_MAX_REQUEST_MB * MB,
        n => match n.parse::<u64>() {
            Ok(n @ 1..=4096) => n * MB,
            _ => {
                fail(
                    "maxRequestMb",
                    "iMIS request limit must be a whole number of MB from 1 to 4096: the \
                     iMIS site's IIS maxRequestLength (10 on a stock site)."
                        .to_string(),
                );
                0
            }
        },
    };
    let record_kind = match raw.record_kind.trim() {
        "" | "activity" => RecordKind::Activity,
        "interaction" => RecordKind::Interaction,
        other => {
            fail(
                "recordKind",
                format!(
                    "Save as must be activity or interaction, not \"{}\".",
                    shorten(other)
                ),
            );
            RecordKind::Activity
        }
    };
    let allow_duplicate_emails = matches!(raw.allow_duplicate_emails.trim(), "true" | "on" | "yes");

    let profile_url = raw.profile_url.trim().to_string();
    if !profile_url.is_empty() {
        if !profile_url.contains("{partyId}") {
            fail(
                "profileUrl",
                "Contact link must contain {partyId} where the contact's id goes, e.g. \
                 https://imis.example.org/Party.aspx?ID={partyId}."
                    .to_string(),
            );
        } else if let Err(why) = link_template(&profile_url) {
            fail("profileUrl", format!("Contact link {why}"));
        }
    }

    let mut site = match SiteProfile::from_json(&raw.site_profile) {
        Ok(site) => site,
        Err(why) => {
            fail(
                "siteProfile",
                format!("iMIS site profile is not valid: {why}."),
            );
            SiteProfile::default()
        }
    };
    match raw.contact_lookup.trim() {
        "" => {}
        "party" => site.contact_lookup = ContactLookup::Party,
        "iqa" => site.contact_lookup = ContactLookup::Iqa,
        "csContactBasic" => site.contact_lookup = ContactLookup::CsContactBasic,
        other => fail(
            "contactLookup",
            format!(
                "Contact matching must be party, iqa or csContactBasic, not \"{}\".",
                shorten(other)
            ),
        ),
    }
    if !raw.fallback_document_type.trim().is_empty() {
        match crate::imis::site::check_type_code(&raw.fallback_document_type) {
            Ok(code) => site.fallback_document_type = code,
            Err(why) => fail("fallbackDocumentType", why),
        }
    }
    match raw.key_column.trim() {
        "" => {}
        column if is_column(column) => site.activity_message_key = column.to_ascii_uppercase(),
        column => fail(
            "keyColumn",
            format!(
                "\"{}\" is not an Activity column name (letters, digits and _, like UF_1).",
                shorten(column)
            ),
        ),
    }
    if !raw.iqa_query.trim().is_empty() {
        site.iqa_query = raw.iqa_query.trim().to_string();
    }
    if site.contact_lookup == ContactLookup::Iqa && !site.iqa_query.starts_with("$/") {
        fail(
            "iqaQuery",
            "IQA query must be a path like $/Queries/Contacts by email.".to_string(),
        );
    }

    if errors.is_empty() {
        Ok(Settings {
            client_id,
            authority,
            graph_url,
            imis_url,
            activity_type,
            document_root,
            graph_concurrency,
            include_inline,
            email_file,
            max_emails,
            max_request_bytes,
            record_kind,
            allow_duplicate_emails,
            profile_url,
            site,
            org_settings_path,
            contact_creation,
        })
    } else {
        Err(errors)
    }
}

const MB: u64 = 1024 * 1024;

/// A typed document path, trimmed; slashes and spaces both come off its end: "$/Email /"
/// is "$/Email", and stays so when checked again.
fn document_path(text: &str, default: &str) -> String {
    match text.trim() {
        "" => default.to_string(),
        r => r
            .trim_end_matches(|c: char| c == '/' || c.is_whitespace())
            .to_string(),
    }
}

/// `$/` and then names, none empty, `.` or `..`.
fn is_document_path(path: &str) -> bool {
    path.starts_with("$/")
        && !path
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
}

/// A tenant as Entra names it in an authority: common, organizations, consumers, a
/// tenant id or a verified domain.
fn is_tenant(segment: &str) -> bool {
    let s = segment.to_ascii_lowercase();
    matches!(s.as_str(), "common" | "organizations" | "consumers")
        || is_guid(&s)
        || (s.contains('.')
            && s.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            }))
}

/// An iMIS column name: letters, digits and `_`, starting with a letter.
fn is_column(s: &str) -> bool {
    s.len() <= 64
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// An Entra application id: 8-4-4-4-12 hex digits.
pub fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Parses an absolute https URL with a host and no user name or password in it.
pub fn https_url(text: &str) -> Result<WebUrl, String> {
    let url = WebUrl::parse(text).ok_or_else(|| format!("\"{}\" is not a URL.", shorten(text)))?;
    if url.scheme() != "https" {
        return Err(format!(
            "must start with https:// (got {}://).",
            url.scheme()
        ));
    }
    if url.host().is_empty() {
        return Err("has no host name.".to_string());
    }
    if url.has_credentials() {
        return Err("must not contain a user name or password.".to_string());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("must not contain ? or #.".to_string());
    }
    Ok(url)
}

/// A link template: https, a host, no user name; a query string is expected.
fn link_template(template: &str) -> Result<(), String> {
    let url = WebUrl::parse(&template.replace("{partyId}", "0"))
        .ok_or_else(|| "is not a URL.".to_string())?;
    if url.scheme() != "https" {
        return Err(format!(
            "must start with https:// (got {}://).",
            url.scheme()
        ));
    }
    if url.host().is_empty() || url.has_credentials() {
        return Err("must name a host and no user name or password.".to_string());
    }
    Ok(())
}

fn with_trailing_slash(s: &str) -> String {
    format!("{}/", s.trim_end_matches('/'))
}

/// Echoes typed text back in a message without letting it grow without bound.
fn shorten(s: &str) -> String {
    crate::text::ellipsis(s, 60)
}

crate::json_struct!(Cloud {
    authority_host => "authorityHost",
    graph_url => "graphUrl",
});

crate::json_struct!(RawSettings {
    client_id => "clientId",
    authority => "authority",
    graph_url => "graphUrl",
    imis_url => "imisUrl",
    activity_type => "activityType",
    document_root => "documentRoot",
    graph_concurrency => "graphConcurrency",
    include_inline => "includeInline",
    max_request_mb => "maxRequestMb",
    fallback_document_type => "fallbackDocumentType",
    key_column => "keyColumn",
    email_file => "emailFile",
    max_emails => "maxEmails",
    record_kind => "recordKind",
    allow_duplicate_emails => "allowDuplicateEmails",
    profile_url => "profileUrl",
    contact_lookup => "contactLookup",
    iqa_query => "iqaQuery",
    site_profile => "siteProfile",
    org_settings_path => "orgSettingsPath",
    contact_creation => "contactCreation",
});

crate::json_struct!(Settings {
    client_id => "clientId",
    authority => "authority",
    graph_url => "graphUrl",
    imis_url => "imisUrl",
    activity_type => "activityType",
    document_root => "documentRoot",
    graph_concurrency => "graphConcurrency",
    include_inline => "includeInline",
    email_file => "emailFile",
    max_emails => "maxEmails",
    max_request_bytes => "maxRequestBytes",
    record_kind => "recordKind",
    allow_duplicate_emails => "allowDuplicateEmails",
    profile_url => "profileUrl",
    site => "site",
    org_settings_path => "orgSettingsPath",
    contact_creation => "contactCreation",
});

crate::json_names!(ContactCreation { Everyone => "everyone", Nobody => "nobody" });

crate::json_names!(RecordKind { Activity => "activity", Interaction => "interaction" });

crate::json_struct!(FieldError { field => "field", message => "message" });

#[cfg(test)]
mod tests {
    use super::*;

    /// `field`/`field_mut` name every field as serde does, and only those.
    #[test]
    fn fields_by_name_are_serdes_names() {
        let written = crate::jsonw::to_string(&RawSettings::default());
        let names: Vec<String> = match serde_json::from_str(&written).unwrap() {
            serde_json::Value::Object(map) => map.keys().cloned().collect(),
            _ => unreachable!(),
        };
        assert_eq!(names.len(), 21);
        let mut raw = RawSettings::default();
        for name in &names {
            *raw.field_mut(name).unwrap() = format!("value of {name}");
        }
        let json: serde_json::Value = serde_json::from_str(&crate::jsonw::to_string(&raw)).unwrap();
        for name in &names {
            assert_eq!(json[name], format!("value of {name}"));
            assert_eq!(raw.field(name), Some(&format!("value of {name}")));
        }
        assert_eq!(raw.field("nonsense"), None);
        assert!(raw.field_mut("ClientId").is_none());
    }

    fn raw(client_id: &str, authority: &str, imis: &str) -> RawSettings {
        RawSettings {
            client_id: client_id.into(),
            authority: authority.into(),
            imis_url: imis.into(),
            ..Default::default()
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<&'static str> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn defaults_apply_when_fields_are_empty() {
        let s = validate(&RawSettings::default(), &[]).unwrap();
        assert_eq!(s.client_id, None);
        assert_eq!(s.authority, DEFAULT_AUTHORITY);
        assert_eq!(s.graph_url, "https://graph.microsoft.com");
        // One sign-in host, two Graph hosts: US Government L4 by default, DoD by choice.
        let us = |graph: &str| RawSettings {
            authority: "https://login.microsoftonline.us/contoso.onmicrosoft.us/".into(),
            graph_url: graph.into(),
            ..Default::default()
        };
        assert_eq!(
            validate(&us(""), &[]).unwrap().graph_url,
            "https://graph.microsoft.us"
        );
        let dod = validate(&us("https://dod-graph.microsoft.us/"), &[]).unwrap();
        assert_eq!(dod.graph_url, "https://dod-graph.microsoft.us");
        assert_eq!(
            dod.graph_scopes(false),
            ["https://dod-graph.microsoft.us/Mail.Read"]
        );
        let wrong = validate(&us("https://graph.microsoft.com"), &[]).unwrap_err();
        assert_eq!(wrong[0].field, "graphUrl");
        assert!(
            wrong[0].message.contains("dod-graph.microsoft.us"),
            "{}",
            wrong[0].message
        );
        assert_eq!(
            s.graph_scope("Mail.Read"),
            "https://graph.microsoft.com/Mail.Read"
        );
        assert_eq!(s.activity_type, "EMAIL");
        assert_eq!(s.document_root, "$/Common/Email");
    }

    #[test]
    fn client_id_must_be_a_guid() {
        let ok = validate(&raw(" 4B9C2D1E-7F3A-4C5B-9E8D-2A1F0C6B5D43 ", "", ""), &[]).unwrap();
        assert_eq!(
            ok.client_id.as_deref(),
            Some("4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43")
        );
        for bad in [
            "my-app",
            "4b9c2d1e7f3a4c5b9e8d2a1f0c6b5d43",
            "4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d4g",
        ] {
            let errors = validate(&raw(bad, "", ""), &[]).unwrap_err();
            assert_eq!(fields(errors.clone()), ["clientId"], "{bad}");
            assert!(errors[0]
                .message
                .contains("is not an Application (client) ID"));
        }
    }

    #[test]
    fn urls_must_be_https() {
        let errors = validate(
            &raw(
                "",
                "http://login.microsoftonline.com/common/",
                "http://imis.example.org",
            ),
            &[],
        )
        .unwrap_err();
        assert_eq!(fields(errors.clone()), ["authority", "imisUrl"]);
        assert!(
            errors[1].message.contains("must start with https://"),
            "{:?}",
            errors[1]
        );
        let errors = validate(&raw("", "", "https://user:pw@imis.example.org"), &[]).unwrap_err();
        assert!(errors[0].message.contains("user name or password"));
        let errors = validate(&raw("", "", "not a url"), &[]).unwrap_err();
        assert!(errors[0].message.contains("is not a URL"));
    }

    #[test]
    fn imis_url_loses_its_trailing_slash() {
        let s = validate(&raw("", "", "https://imis.example.org/site/"), &[]).unwrap();
        assert_eq!(s.imis_url, "https://imis.example.org/site");
    }

    #[test]
    fn national_clouds_pick_their_graph() {
        let s = validate(
            &raw(
                "",
                "https://login.microsoftonline.us/contoso.onmicrosoft.us",
                "",
            ),
            &[],
        )
        .unwrap();
        assert_eq!(
            s.authority,
            "https://login.microsoftonline.us/contoso.onmicrosoft.us/"
        );
        assert_eq!(
            s.graph_scope("Mail.Read"),
            "https://graph.microsoft.us/Mail.Read"
        );
        let s = validate(&raw("", "https://login.chinacloudapi.cn/common/", ""), &[]).unwrap();
        assert_eq!(
            s.graph_api(),
            "https://microsoftgraph.chinacloudapi.cn/v1.0"
        );
    }

    #[test]
    fn unknown_authority_hosts_need_an_explicit_allowance() {
        let local = Cloud {
            authority_host: "127.0.0.1:3200".into(),
            graph_url: "https://127.0.0.1:3300/".into(),
        };
        let text = "https://127.0.0.1:3200/7d3f5c1a-2b4e-4f6a-9c8d-1e2f3a4b5c6d/";
        let errors = validate(&raw("", text, ""), &[]).unwrap_err();
        assert!(errors[0].message.contains("not a Microsoft sign-in host"));
        let s = validate(&raw("", text, ""), &[local]).unwrap();
        assert_eq!(s.graph_api(), "https://127.0.0.1:3300/v1.0");
    }

    #[test]
    fn authority_tenants_are_entra_names() {
        for good in [
            "common",
            "organizations",
            "7d3f5c1a-2b4e-4f6a-9c8d-1e2f3a4b5c6d",
            "contoso.onmicrosoft.com",
            "example.org",
        ] {
            let text = format!("https://login.microsoftonline.com/{good}/");
            assert!(validate(&raw("", &text, ""), &[]).is_ok(), "{good}");
        }
        for bad in ["tenant", "a..b", "-x.org", "con toso.com"] {
            let text = format!("https://login.microsoftonline.com/{bad}/");
            assert!(validate(&raw("", &text, ""), &[]).is_err(), "{bad}");
        }
    }

    #[test]
    fn authority_names_exactly_one_tenant() {
        for bad in [
            "https://login.microsoftonline.com/",
            "https://login.microsoftonline.com/a/b/",
        ] {
            let errors = validate(&raw("", bad, ""), &[]).unwrap_err();
            assert!(
                errors[0].message.contains("one tenant"),
                "{bad}: {errors:?}"
            );
        }
    }

    #[test]
    fn system_activity_types_and_bad_roots_are_refused() {
        let mut r = RawSettings {
            activity_type: "dues".into(),
            document_root: "Common/Email".into(),
            ..Default::default()
        };
        let errors = validate(&r, &[]).unwrap_err();
        assert_eq!(fields(errors), ["activityType", "documentRoot"]);
        r.activity_type = "meeting".into();
        r.document_root = "$/Common/../Email".into();
        assert_eq!(fields(validate(&r, &[]).unwrap_err()), ["documentRoot"]);
        r.document_root = "$/ /".into();
        assert_eq!(fields(validate(&r, &[]).unwrap_err()), ["documentRoot"]);
        r.document_root = "$/Staff Mail /".into();
        assert_eq!(validate(&r, &[]).unwrap().document_root, "$/Staff Mail");
        r.document_root = "$/Staff Mail/".into();
        let s = validate(&r, &[]).unwrap();
        assert_eq!(
            (s.activity_type.as_str(), s.document_root.as_str()),
            ("MEETING", "$/Staff Mail")
        );
    }

    #[test]
    fn download_and_size_settings() {
        let s = validate(&RawSettings::default(), &[]).unwrap();
        assert_eq!(
            (s.graph_concurrency, s.include_inline, s.max_request_bytes),
            (3, false, 10 * MB)
        );
        let r = RawSettings {
            graph_concurrency: "4".into(),
            include_inline: "true".into(),
            max_request_mb: "200".into(),
            ..Default::default()
        };
        let s = validate(&r, &[]).unwrap();
        assert_eq!(
            (s.graph_concurrency, s.include_inline, s.max_request_bytes),
            (4, true, 200 * MB)
        );
        let r = RawSettings {
            graph_concurrency: "5".into(),
            max_request_mb: "lots".into(),
            max_emails: "0".into(),
            fallback_document_type: "BIN-X".into(),
            key_column: "UF 1".into(),
            ..Default::default()
        };
        assert_eq!(
            fields(validate(&r, &[]).unwrap_err()),
            [
                "graphConcurrency",
                "maxEmails",
                "maxRequestMb",
                "fallbackDocumentType",
                "keyColumn"
            ]
        );
        let r = RawSettings {
            fallback_document_type: "bin".into(),
            key_column: "uf_3".into(),
            ..Default::default()
        };
        let s = validate(&r, &[]).unwrap();
        assert_eq!(s.site.fallback_document_type, "BIN");
        assert_eq!(s.site.activity_message_key, "UF_3");
    }

    #[test]
    fn imis_options() {
        let r = RawSettings {
            record_kind: "interaction".into(),
            allow_duplicate_emails: "true".into(),
            profile_url: "https://imis.example.org/Party.aspx?ID={partyId}".into(),
            contact_lookup: "iqa".into(),
            iqa_query: "$/Queries/Outlook".into(),
            site_profile: r#"{"activityMessageKey": "OTHER_CODE"}"#.into(),
            ..Default::default()
        };
        let s = validate(&r, &[]).unwrap();
        assert_eq!(
            (s.record_kind, s.allow_duplicate_emails),
            (RecordKind::Interaction, true)
        );
        assert_eq!(
            s.profile_link("23 001").unwrap(),
            "https://imis.example.org/Party.aspx?ID=23+001"
        );
        assert_eq!(
            (s.site.contact_lookup, s.site.iqa_query.as_str()),
            (ContactLookup::Iqa, "$/Queries/Outlook")
        );
        assert_eq!(s.site.activity_message_key, "OTHER_CODE");
        assert_eq!(
            validate(&RawSettings::default(), &[])
                .unwrap()
                .profile_link("1"),
            None
        );

        let bad = RawSettings {
            record_kind: "note".into(),
            profile_url: "https://imis.example.org/Party.aspx".into(),
            contact_lookup: "ldap".into(),
            site_profile: "{".into(),
            ..Default::default()
        };
        assert_eq!(
            fields(validate(&bad, &[]).unwrap_err()),
            ["recordKind", "profileUrl", "siteProfile", "contactLookup"]
        );
        let bad = RawSettings {
            profile_url: "http://x/{partyId}".into(),
            ..Default::default()
        };
        assert!(validate(&bad, &[]).unwrap_err()[0]
            .message
            .contains("https://"));
    }

    #[test]
    fn organisation_settings_folder_and_contact_creation() {
        let s = validate(&RawSettings::default(), &[]).unwrap();
        assert_eq!(
            (s.org_settings_path.as_str(), s.contact_creation),
            (DEFAULT_ORG_SETTINGS_PATH, ContactCreation::Everyone)
        );
        let r = RawSettings {
            org_settings_path: " $/Shared/Add-ins/ ".into(),
            contact_creation: "nobody".into(),
            ..Default::default()
        };
        let s = validate(&r, &[]).unwrap();
        assert_eq!(
            (s.org_settings_path.as_str(), s.contact_creation),
            ("$/Shared/Add-ins", ContactCreation::Nobody)
        );
        let bad = RawSettings {
            org_settings_path: "$/Common/../Secret".into(),
            contact_creation: "administrators".into(),
            ..Default::default()
        };
        let errors = validate(&bad, &[]).unwrap_err();
        assert_eq!(
            fields(errors.clone()),
            ["orgSettingsPath", "contactCreation"]
        );
        assert!(errors[1].message.contains("everyone or nobody"));
    }

    #[test]
    fn long_input_is_shortened_in_messages() {
        let long = "x".repeat(500);
        let errors = validate(&raw(&long, "", ""), &[]).unwrap_err();
        assert!(errors[0].message.len() < 300);
    }

    #[test]
    fn the_shown_defaults_are_valid_and_equal_to_empty_fields() {
        let shown = validate(&defaults(), &[]).expect("the defaults are valid");
        let empty = validate(&RawSettings::default(), &[]).unwrap();
        assert_eq!(shown, empty);
    }
}
