//! Setup's *Test configuration*: the checks an administrator does by hand, run through
//! the same adapters a save uses. What each failure means is in `diagnose`.

use crate::diagnose::{short_message, sign_in_advice, Check};
use crate::error::{Error, GraphError};
use crate::graph::{GraphClient, TokenSource};
use crate::imis::client::{probe, Reach};
use crate::imis::ImisClient;
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
            "Serve the add-in and iMIS from one origin: see deploy/nginx in the README, then use https://<add-in host>/imis as the iMIS site URL.",
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
