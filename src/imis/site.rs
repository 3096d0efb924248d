//! Every iMIS fact marked "(check)" in `../shared/reference/imis-rest.md`, in one place,
//! so that one change adapts the add-in to what a real site answers.

/// Activity columns. ASI documents `ACTIVITY_TYPE` and `PartyId` as the minimum; the
/// others are what public integrations send (check against `GET /api/metadata/Activity`).
pub const ACTIVITY_PARTY: &str = "PartyId";
pub const ACTIVITY_TYPE: &str = "ACTIVITY_TYPE";
pub const ACTIVITY_DATE: &str = "TRANSACTION_DATE";
pub const ACTIVITY_DESCRIPTION: &str = "DESCRIPTION";
pub const ACTIVITY_NOTE: &str = "NOTE";
/// Where the email's key is kept, so a second save finds the first. A short text column
/// that can be filtered with `eq:` (check: any such column the site does not use).
pub const ACTIVITY_MESSAGE_KEY: &str = "SOURCE_CODE";

/// The key stored for an email: `email:` and 16 hex digits of the SHA-256 of its
/// `internetMessageId`, short enough for any text column (check its length).
pub fn message_key(internet_message_id: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(internet_message_id.trim().as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("email:{hex}")
}

/// Longest DESCRIPTION, in characters (check).
pub const DESCRIPTION_MAX_CHARS: usize = 255;
/// Longest NOTE we send, in characters (check: the column's real limit).
pub const NOTE_MAX_CHARS: usize = 32_000;

/// Folders are documents of this type (check).
pub const FOLDER_TYPE: &str = "FOL";

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
}
