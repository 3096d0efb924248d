//! One error enum per boundary, and the one conversion to a JS value, used only by the
//! exported functions in `lib.rs`. Messages say what happened and what to do; none
//! carries a token or a password.

use crate::settings::FieldError;
use thiserror::Error;
use wasm_bindgen::JsValue;

/// Talking to Microsoft Graph, including getting its token from the shell.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum GraphError {
    #[error("Could not get a Microsoft sign-in token: {0}")]
    Token(String),
    #[error("Microsoft Graph refused the sign-in token twice (HTTP 401). Sign out from the Menu and sign in again.")]
    Unauthorized,
    #[error("Microsoft Graph answered HTTP {status}{}: {message}", code_suffix(.code))]
    Http {
        status: u16,
        code: String,
        message: String,
    },
    #[error("Microsoft Graph kept answering {status} (busy) after {attempts} attempts; try again in a few minutes.")]
    Throttled { status: u16, attempts: u32 },
    #[error("The draft has not reached the mail server yet, so its attachments cannot be read. Wait a minute and save again.")]
    NotSynced,
    #[error("Could not reach Microsoft Graph ({0}). Check the network connection and try again.")]
    Network(String),
    #[error("Microsoft Graph sent an answer this add-in cannot read: {0}")]
    BadResponse(String),
}

fn code_suffix(code: &str) -> String {
    if code.is_empty() {
        String::new()
    } else {
        format!(" ({code})")
    }
}

/// Talking to the iMIS REST API.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ImisError {
    #[error("Sign in to iMIS first.")]
    NotSignedIn,
    #[error("iMIS did not accept the user name and password: {0} If you sign in to iMIS with your Microsoft account, this add-in cannot use that sign-in; ask an iMIS administrator for an iMIS user name and password (README: Staff who sign in to iMIS with Microsoft).")]
    BadCredentials(String),
    #[error("The iMIS session has ended. Sign in to iMIS again to continue.")]
    SessionExpired,
    #[error("iMIS answered HTTP {status} to {what}: {message}")]
    Http {
        what: String,
        status: u16,
        message: String,
    },
    #[error("iMIS at {0} refused requests from this add-in's origin (a stock iMIS site answers no cross-origin requests). Ask your administrator to serve the add-in under the iMIS site, or both behind one reverse proxy, and leave the iMIS site in Setup at its default (README: Deployment: one origin with iMIS).")]
    CorsRefused(String),
    #[error("Could not reach iMIS at {site} ({detail}). Check the iMIS site in Setup; if it is right, iMIS may refuse requests from this add-in's origin (README: Deployment: one origin with iMIS).")]
    Network { site: String, detail: String },
    #[error("iMIS sent an answer this add-in cannot read ({what}): {detail}")]
    BadResponse { what: String, detail: String },
    #[error("No iMIS contact has the address {0}. Add the address to the contact in iMIS, then try again.")]
    NoContact(String),
    #[error("{name} was not stored: iMIS refused a request of {} as too large. An administrator can raise maxRequestLength and maxAllowedContentLength in the iMIS site's web.config, then the iMIS request limit in Setup (README: Raising the size limit).", crate::plan::megabytes(*.request_bytes))]
    TooLarge { name: String, request_bytes: u64 },
    #[error("Your iMIS account may not {0}.")]
    NotAllowed(String),
    #[error("Only an iMIS administrator can change the settings for everyone.")]
    OrgSettingsReadOnly,
    #[error("The folder {0} for the organisation's settings does not exist in iMIS. An iMIS administrator creates it in the Document System, with Read for staff and Full Control for administrators only, then saves again (README: Organisation-wide settings).")]
    OrgSettingsFolderMissing(String),
    #[error("The organisation's settings in iMIS ({path}) cannot be used: {why}. An iMIS administrator can save them again from Setup (README: Organisation-wide settings).")]
    OrgSettingsUnreadable { path: String, why: String },
}

/// Data handed over by the JS shell that does not have the expected shape.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum HostError {
    #[error("The add-in could not read {what} from Outlook: {detail}")]
    BadData { what: &'static str, detail: String },
}

/// Everything an exported function can fail with.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    #[error("Setup is incomplete or wrong: {}", describe_fields(.0))]
    Settings(Vec<FieldError>),
    #[error(transparent)]
    Graph(#[from] GraphError),
    #[error(transparent)]
    Imis(#[from] ImisError),
    #[error(transparent)]
    Host(#[from] HostError),
    /// The user cancelled the save before anything was written to iMIS. Once a record
    /// is written, a cancelled save resolves to its report instead (`Report::cancelled`).
    #[error("The save was cancelled before anything was written to iMIS: nothing was saved.")]
    Cancelled(#[from] crate::cancel::Cancelled),
}

fn describe_fields(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Error {
    /// A stable name for the shell: it decides what to show (a sign-in form, the Setup
    /// pane) from this, never from the wording.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Settings(_) => "settings",
            Error::Graph(GraphError::Token(_)) => "graph-sign-in",
            Error::Graph(_) => "graph",
            Error::Imis(ImisError::NotSignedIn | ImisError::SessionExpired) => "imis-sign-in",
            Error::Imis(ImisError::BadCredentials(_)) => "imis-credentials",
            Error::Imis(ImisError::OrgSettingsReadOnly) => "org-settings-read-only",
            Error::Imis(_) => "imis",
            Error::Host(_) => "host",
            Error::Cancelled(_) => "cancelled",
        }
    }
}

/// The one conversion: a JS `Error` with `kind`, and `fields` for settings errors.
/// `words (code)` as the shell words a sign-in failure: the words, and the code apart.
fn trailing_code(text: &str) -> (String, Option<String>) {
    let text = text.trim();
    match text.rfind(" (") {
        Some(at) if text.ends_with(')') && !text[at + 2..text.len() - 1].contains(' ') => (
            text[..at].to_string(),
            Some(text[at + 2..text.len() - 1].to_string()),
        ),
        _ => (text.to_string(), None),
    }
}

impl Error {
    /// What the pane says, in plain words, and apart from it the codes support needs
    /// (HTTP status, Graph's error code, MSAL's, the server's own text), shown under
    /// "Details". The full `Display` text keeps both, for logs and tests.
    pub fn split(&self) -> (String, Option<String>) {
        const AGAIN: &str = "Try again in a few minutes; if it keeps happening, give the details to your administrator.";
        match self {
            Error::Graph(GraphError::Http { status, code, message }) => (
                format!("Microsoft Graph refused to hand over this email's attachments. {AGAIN}"),
                Some(format!("HTTP {status}{}: {message}", code_suffix(code))),
            ),
            Error::Graph(GraphError::BadResponse(detail)) => (
                format!("Microsoft Graph sent an answer this add-in cannot read. {AGAIN}"),
                Some(detail.clone()),
            ),
            Error::Graph(GraphError::Token(detail)) => {
                let (words, code) = trailing_code(detail);
                (format!("Could not sign in to Microsoft: {words}"), code)
            }
            Error::Imis(ImisError::Http { what, status, message }) => (
                format!("iMIS refused {what}. {AGAIN}"),
                Some(format!("HTTP {status}: {message}")),
            ),
            Error::Imis(ImisError::BadResponse { what, detail }) => (
                format!("iMIS sent an answer this add-in cannot read ({what}). {AGAIN}"),
                Some(detail.clone()),
            ),
            Error::Host(HostError::BadData { what, detail }) => (
                format!("The add-in could not read {what} from Outlook. Close the pane and open it again."),
                Some(detail.clone()),
            ),
            other => (other.to_string(), None),
        }
    }
}

impl From<Error> for JsValue {
    fn from(error: Error) -> JsValue {
        let (message, details) = error.split();
        let js = js_sys::Error::new(&message);
        let set = |key: &str, value: &JsValue| {
            let _ = js_sys::Reflect::set(&js, &JsValue::from_str(key), value);
        };
        set("kind", &JsValue::from_str(error.kind()));
        if let Some(details) = details {
            set("details", &JsValue::from_str(&details));
        }
        if let Error::Settings(fields) = &error {
            let list = js_sys::Array::new();
            for f in fields {
                let o = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&o, &"field".into(), &f.field.into());
                let _ = js_sys::Reflect::set(&o, &"message".into(), &f.message.as_str().into());
                list.push(&o);
            }
            set("fields", &list);
        }
        js.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_go_under_details_and_the_words_stay_plain() {
        let (words, details) = Error::from(ImisError::Http {
            what: "the activity".into(),
            status: 500,
            message: "An error has occurred.".into(),
        })
        .split();
        assert!(!words.contains("500") && words.starts_with("iMIS refused the activity."));
        assert_eq!(details.as_deref(), Some("HTTP 500: An error has occurred."));
        let (words, details) = Error::from(GraphError::Token(
            "You closed the Microsoft sign-in window (user_cancelled)".into(),
        ))
        .split();
        assert_eq!(
            words,
            "Could not sign in to Microsoft: You closed the Microsoft sign-in window"
        );
        assert_eq!(details.as_deref(), Some("user_cancelled"));
        let plain = Error::from(ImisError::SessionExpired);
        assert_eq!(plain.split(), (plain.to_string(), None));
    }

    #[test]
    fn messages_say_what_to_do() {
        let e = Error::from(ImisError::NoContact("a@example.org".into()));
        assert_eq!(e.kind(), "imis");
        assert!(e.to_string().contains("Add the address to the contact"));
        let e = Error::from(GraphError::Http {
            status: 404,
            code: "ErrorItemNotFound".into(),
            message: "The specified object was not found in the store.".into(),
        });
        assert_eq!(
            e.to_string(),
            "Microsoft Graph answered HTTP 404 (ErrorItemNotFound): The specified object was not found in the store."
        );
        assert_eq!(
            Error::from(ImisError::SessionExpired).kind(),
            "imis-sign-in"
        );
        let e = Error::from(ImisError::OrgSettingsReadOnly);
        assert_eq!(e.kind(), "org-settings-read-only");
        assert_eq!(
            e.to_string(),
            "Only an iMIS administrator can change the settings for everyone."
        );
    }

    #[test]
    fn a_save_cancelled_before_writing_has_its_own_kind() {
        let e = Error::from(crate::cancel::Cancelled);
        assert_eq!(e.kind(), "cancelled");
        assert!(e.to_string().contains("nothing was saved"), "{e}");
    }

    #[test]
    fn settings_errors_join_their_messages() {
        let e = Error::Settings(vec![
            FieldError {
                field: "clientId",
                message: "Bad id.".into(),
            },
            FieldError {
                field: "imisUrl",
                message: "Bad URL.".into(),
            },
        ]);
        assert_eq!(
            e.to_string(),
            "Setup is incomplete or wrong: Bad id. Bad URL."
        );
    }
}
