//! Every iMIS fact marked "(check)" in `../shared/reference/imis-rest.md`, in one place:
//! the site profile. Its defaults are the most plausible reading of ASI's documentation
//! and public client code; an administrator overrides any of them in Setup (JSON, only
//! the keys to change), so one change adapts the add-in to what a real site answers.

use serde::{Deserialize, Serialize};

/// How the email's addresses are matched to iMIS contacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum ContactLookup {
    /// `GET /api/Party?Email=eq:{address}` (public clients use it).
    #[default]
    Party,
    /// An IQA query returning an id, a full name and an email column, as ASI's own
    /// Outlook integration does: `GET /api/iqa?QueryName={query}&parameter=eq:{address}`.
    Iqa,
    /// `GET /api/CsContactBasic?email=eq:{address}`.
    CsContactBasic,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct SiteProfile {
    // Activity columns: ASI documents ACTIVITY_TYPE and PartyId as the minimum; the
    // others are what public integrations send (check with GET /api/metadata/Activity).
    pub activity_party: String,
    pub activity_type: String,
    pub activity_date: String,
    pub activity_description: String,
    pub activity_note: String,
    /// Where the email's key is kept, so a second save finds the first: a short text
    /// column that can be filtered with `eq:` and that the site does not use otherwise.
    pub activity_message_key: String,
    pub description_max_chars: usize,
    pub note_max_chars: usize,

    // Interactions (the communication log): one record per contact (check every name).
    pub interaction_entity: String,
    pub interaction_party: String,
    pub interaction_type_property: String,
    /// The interaction type saved emails get.
    pub interaction_type: String,
    pub interaction_subject: String,
    pub interaction_body: String,
    pub interaction_date: String,
    pub interaction_sender: String,
    pub interaction_recipients: String,
    pub interaction_message_key: String,

    /// Folders are documents of this type (check).
    pub folder_type: String,

    pub contact_lookup: ContactLookup,
    /// The IQA query for `ContactLookup::Iqa`.
    pub iqa_query: String,
    /// IQA / CsContactBasic result columns.
    pub id_column: String,
    pub name_column: String,
    pub email_column: String,
}

impl Default for SiteProfile {
    fn default() -> Self {
        let s = |v: &str| v.to_string();
        SiteProfile {
            activity_party: s("PartyId"),
            activity_type: s("ACTIVITY_TYPE"),
            activity_date: s("TRANSACTION_DATE"),
            activity_description: s("DESCRIPTION"),
            activity_note: s("NOTE"),
            activity_message_key: s("SOURCE_CODE"),
            description_max_chars: 255,
            note_max_chars: 32_000,
            interaction_entity: s("CommunicationLogRecipient"),
            interaction_party: s("PartyId"),
            interaction_type_property: s("InteractionType"),
            interaction_type: s("Email"),
            interaction_subject: s("Subject"),
            interaction_body: s("Body"),
            interaction_date: s("SentDate"),
            interaction_sender: s("Sender"),
            interaction_recipients: s("Recipients"),
            interaction_message_key: s("MessageKey"),
            folder_type: s("FOL"),
            contact_lookup: ContactLookup::Party,
            iqa_query: s("$/ContactManagement/DefaultSystem/Queries/Outlook/Contacts by email"),
            id_column: s("ID"),
            name_column: s("Full Name"),
            email_column: s("Email"),
        }
    }
}

impl SiteProfile {
    /// Defaults with the keys of `json` (an object) laid over them; empty text means
    /// the defaults. The error names the key at fault.
    pub fn from_json(json: &str) -> Result<SiteProfile, String> {
        if json.trim().is_empty() {
            return Ok(SiteProfile::default());
        }
        serde_json::from_str(json).map_err(|e| e.to_string())
    }
}

/// The key stored for an email: `email:` and 16 hex digits of the SHA-256 of its
/// `internetMessageId`, short enough for any text column (check its length).
pub fn message_key(internet_message_id: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(internet_message_id.trim().as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("email:{hex}")
}

/// The document type for a stored file: its extension in capitals, as ASI's example
/// (`report.pdf` -> `PDF`) shows; `FILE` when there is none (check).
pub fn document_type(stored_name: &str) -> String {
    match stored_name.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && (1..=8).contains(&ext.len())
                && ext.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            ext.to_ascii_uppercase()
        }
        _ => "FILE".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_types_come_from_extensions() {
        assert_eq!(document_type("report.pdf"), "PDF");
        assert_eq!(document_type("budget 2027.csv"), "CSV");
        assert_eq!(document_type("README"), "FILE");
        assert_eq!(document_type(".profile"), "FILE");
        assert_eq!(document_type("a.tar gz"), "FILE");
    }

    #[test]
    fn message_keys_are_short_and_stable() {
        let k = message_key("<CAF7b2d.board-papers.0001@mail.example.com>");
        assert_eq!(k.len(), 22);
        assert_eq!(
            k,
            message_key(" <CAF7b2d.board-papers.0001@mail.example.com> ")
        );
        assert_ne!(k, message_key("<other@mail.example.com>"));
        // SHA-256("abc") starts ba7816bf8f01cfea.
        assert_eq!(message_key("abc"), "email:ba7816bf8f01cfea");
    }

    #[test]
    fn a_profile_changes_only_the_keys_given() {
        let p = SiteProfile::from_json(r#"{"activityMessageKey": "UF_1", "contactLookup": "iqa"}"#)
            .unwrap();
        assert_eq!(p.activity_message_key, "UF_1");
        assert_eq!(p.contact_lookup, ContactLookup::Iqa);
        assert_eq!(p.activity_note, "NOTE");
        assert_eq!(
            SiteProfile::from_json("  ").unwrap(),
            SiteProfile::default()
        );
        let err = SiteProfile::from_json(r#"{"activityNotes": "X"}"#).unwrap_err();
        assert!(err.contains("activityNotes"), "{err}");
        assert!(SiteProfile::from_json("[1]").is_err());
    }
}
