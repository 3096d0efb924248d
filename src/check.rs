//! Setup's *Test configuration*: the checks an administrator does by hand, run through
//! the same adapters a save uses. What each failure means is in `diagnose`.

use crate::diagnose::{short_message, sign_in_advice, Check};
use crate::error::{Error, GraphError};
use crate::graph::{GraphClient, TokenSource};
use crate::imis::client::{probe, Reach};
use crate::imis::{model, ImisClient};
use crate::item::MailItem;
use crate::retry::Policy;
use crate::settings::Settings;

/// Sign-in, then the current email's attachment list from Graph.
pub async fn graph(tokens: &TokenSource, settings: &Settings, item: &MailItem) -> Vec<Check> {
    if settings.client_id.is_none() {
        return vec![Check::failed(
            "Microsoft sign-in",
            "No Application (client) ID is set, so the add-in does not sign in to Microsoft.",
            "Register the Entra app (see the README's administrator section) and enter its \
             Application (client) ID; until then attachments are read through Outlook where it can.",
        )];
    }
    let scopes = settings.graph_scopes(item.shared_mailbox.is_some());
    // A fresh token, not a cached one: the check is that the registration works now.
    let token = tokens.token(&scopes, true).await;
    let sign_in = match &token {
        Ok(_) => Check::passed(
            "Microsoft sign-in",
            format!("Got a token for {}.", scopes.join(" ")),
        ),
        Err(e) => {
            let text = e.to_string();
            Check::failed(
                "Microsoft sign-in",
                short_message(&text),
                sign_in_advice(&text).unwrap_or_else(|| {
                    "Check the Application (client) ID and the Authority URL.".into()
                }),
            )
        }
    };
    if token.is_err() {
        return vec![sign_in];
    }
    let graph = GraphClient::new(
        settings.graph_api(),
        item.shared_mailbox.clone(),
        scopes,
        tokens.clone(),
    )
    .with_policy(Policy {
        max_attempts: 2,
        ..Policy::default()
    });
    let listed = match graph.list_attachments(&item.rest_id).await {
        Ok(list) => Check::passed(
            "Read this email's attachments",
            format!(
                "Microsoft Graph lists {} attachment(s) of this email.",
                list.len()
            ),
        ),
        Err(e) => {
            let advice = match &e {
                GraphError::Http { status: 403, .. } => {
                    "The token lacks the permission: grant Mail.Read (and Mail.Read.Shared for shared mailboxes) with admin consent."
                }
                GraphError::Http { status: 404, .. } => {
                    "Graph does not find this email: for a shared mailbox, grant Mail.Read.Shared; for a draft, wait until it is saved to the server."
                }
                _ => "Check the network, then try again; attachments are read through Outlook meanwhile where it can.",
            };
            Check::failed("Read this email's attachments", e.to_string(), advice)
        }
    };
    vec![sign_in, listed]
}

/// iMIS: reachable, accepting this origin, and (with a user name) the credentials.
pub async fn imis(
    site: Result<String, Error>,
    session: Option<ImisClient>,
    settings: &Settings,
    username: &str,
    password: &str,
) -> Check {
    const NAME: &str = "Reach iMIS";
    let site = match site {
        Ok(site) => site,
        Err(e) => return Check::failed(NAME, e.to_string(), "Enter the iMIS site URL in Setup."),
    };
    if username.is_empty() {
        if let Some(client) = session {
            return match client
                .find_contacts(&settings.site, "nobody@invalid.example")
                .await
            {
                Ok(_) => Check::passed(NAME, format!("Signed in to {site}; the REST API answers.")),
                Err(e) => Check::failed(NAME, e.to_string(), "Sign in to iMIS again."),
            };
        }
    }
    let (user, pass) = if username.is_empty() {
        ("save-to-imis-check", "-")
    } else {
        (username, password)
    };
    match probe(&site, user, pass).await {
        Reach::SignedIn => Check::passed(NAME, format!("{site} accepted the user name and password.")),
        Reach::BadCredentials(_) if username.is_empty() => Check::passed(
            NAME,
            format!("{site} answers this add-in's origin. Sign in to check a user name and password."),
        ),
        Reach::BadCredentials(message) => Check::failed(
            NAME,
            format!("{site} refused the user name and password: {message}"),
            "Check the iMIS user name and password (an iMIS account, not the Microsoft one).",
        ),
        Reach::CorsRefused => Check::failed(
            NAME,
            format!("{site} is there but refused requests from this add-in's origin (CORS)."),
            "A stock iMIS site answers no cross-origin requests. Serve the add-in under the iMIS site or behind one reverse proxy with it (README: Deployment: one origin with iMIS), and leave the iMIS site in Setup at its default, the add-in's own origin.",
        ),
        Reach::Unreachable(detail) => Check::failed(
            NAME,
            format!("{site} could not be reached ({detail})."),
            "Check the iMIS site URL (https://, the host name) and that the site is up.",
        ),
        Reach::Http { status, message } => Check::failed(
            NAME,
            format!("{site} answered HTTP {status} to the sign-in: {message}"),
            "Check that the URL is the iMIS site's root (where /token and /api live).",
        ),
    }
}

/// With an iMIS session: what a save depends on that only the site can tell, each a
/// check (reference: Activities, Documents).
pub async fn imis_site(client: &ImisClient, settings: &Settings) -> Vec<Check> {
    let mut checks = Vec::new();
    let code = &settings.activity_type;
    let column = &settings.site.activity_message_key;
    let found = client.activity_type(code).await;
    // A label on the key column for this type means the site uses the column already.
    let label = found
        .as_ref()
        .ok()
        .and_then(Option::as_ref)
        .and_then(|t| model::column_prompt(t, column));
    checks.push(match found {
        Ok(Some(_)) => Check::passed("Activity type", format!("iMIS has the activity type {code}.")),
        Ok(None) => Check::failed(
            "Activity type",
            format!("iMIS has no activity type {code}."),
            "Create the activity type in iMIS (a dedicated one, such as EMAIL), or enter one the site has in Setup.",
        ),
        Err(e) => Check::failed("Activity type", e.to_string(), "Try again; if it persists, check the iMIS site in Setup."),
    });
    checks.push(match client.activity_columns().await {
        Ok(_) if label.is_some() => Check::failed(
            "Saved-email key column",
            format!(
                "Activities of type {code} already use {column} as \"{}\".",
                crate::text::ellipsis(label.as_deref().unwrap_or_default(), 60)
            ),
            "Choose a column the site leaves empty for this activity type (Setup > Key column), such as another of UF_1 to UF_3.",
        ),
        Ok(columns) if columns.iter().any(|c| c.eq_ignore_ascii_case(column)) => Check::passed(
            "Saved-email key column",
            format!("Activities have the column {column}, where the add-in marks each saved email."),
        ),
        Ok(columns) => Check::failed(
            "Saved-email key column",
            format!("Activities have no column {column} (iMIS lists {}).", columns.len()),
            "Choose a text column the site has and uses for nothing else (Setup > Advanced > Key column).",
        ),
        Err(e) => Check::failed("Saved-email key column", e.to_string(), "Try again; if it persists, check the iMIS site in Setup."),
    });
    let root = &settings.document_root;
    let (parent, name) = root.rsplit_once('/').unwrap_or(("$", root));
    let folder = match client.find_document(parent, name).await {
        Ok(Some(_)) => Check::passed("Document folder", format!("iMIS has the folder {root}.")),
        Ok(None) => Check::failed(
            "Document folder",
            format!("iMIS has no folder {root}."),
            "Create the folder in iMIS's document system, or enter one the site has in Setup (Document folder).",
        ),
        Err(e) => Check::failed("Document folder", e.to_string(), "Try again; if it persists, check the iMIS site in Setup."),
    };
    let folder_ok = folder.passed;
    checks.push(folder);
    if folder_ok {
        checks.push(document_types(client, settings).await);
    }
    checks
}

/// Stores and removes a tiny document of every type the mapping uses.
async fn document_types(client: &ImisClient, settings: &Settings) -> Check {
    const NAME: &str = "Document types";
    let mut refused = Vec::new();
    let codes = settings.site.type_codes();
    for (code, ext) in &codes {
        match client
            .probe_document_type(&settings.document_root, code, ext)
            .await
        {
            Ok(Ok(())) => {}
            Ok(Err(message)) => refused.push(format!("{code} (for .{ext}: {message})")),
            Err(e) => {
                return Check::failed(
                    NAME,
                    e.to_string(),
                    "Try again; if it persists, check the iMIS site in Setup.",
                )
            }
        }
    }
    if refused.is_empty() {
        let list: Vec<&str> = codes.iter().map(|(c, _)| c.as_str()).collect();
        Check::passed(
            NAME,
            format!(
                "iMIS accepts every document type the add-in uses: {}.",
                list.join(", ")
            ),
        )
    } else {
        Check::failed(
            NAME,
            format!("iMIS refused these document types: {}.", refused.join("; ")),
            "Add the types in iMIS, or map those extensions onto types the site has (Setup > Advanced: site profile documentTypes, or the type for other files).",
        )
    }
}
