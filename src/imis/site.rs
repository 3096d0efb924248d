//! Every iMIS fact marked "(check)" in `../shared/reference/imis-rest.md`, in one place,
//! so that one change adapts the add-in to what a real site answers.

/// Activity columns. ASI documents `ACTIVITY_TYPE` and `PartyId` as the minimum; the
/// others are what public integrations send (check against `GET /api/metadata/Activity`).
pub const ACTIVITY_PARTY: &str = "PartyId";
pub const ACTIVITY_TYPE: &str = "ACTIVITY_TYPE";
pub const ACTIVITY_DATE: &str = "TRANSACTION_DATE";
pub const ACTIVITY_DESCRIPTION: &str = "DESCRIPTION";
pub const ACTIVITY_NOTE: &str = "NOTE";
/// Where the email's `internetMessageId` is kept, so a second save finds the first.
pub const ACTIVITY_MESSAGE_ID: &str = "OTHER_CODE";

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
}
