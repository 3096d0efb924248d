//! Every iMIS fact marked "(check)" in `../shared/reference/imis-rest.md`, in one place:
//! the site profile. Its defaults are the most plausible reading of ASI's documentation
//! and public client code; an administrator overrides any of them in Setup (JSON, only
//! the keys to change), so one change adapts the add-in to what a real site answers.

use crate::vecmap::Map;

use crate::json::{self, Fields};

/// How the email's addresses are matched to iMIS contacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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

/// Read by hand (below) as `#[serde(rename_all = "camelCase", default,
/// deny_unknown_fields)]` would: missing keys keep `SiteProfile::default()`'s values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteProfile {
    // Activity columns: ASI documents ACTIVITY_TYPE and PartyId as the minimum; the
    // others are iMIS 2017's Activity table (check with GET /api/metadata/Activity).
    pub activity_party: String,
    pub activity_type: String,
    pub activity_date: String,
    pub activity_description: String,
    pub activity_note: String,
    /// Where the email's key is kept, so a second save finds the first: a text column
    /// the site gives over to this add-in. Not SOURCE_CODE, which campaign reports read.
    pub activity_message_key: String,
    pub description_max_chars: usize,
    pub note_max_chars: usize,

    // Interactions: iMIS's typed CommunicationLogRecipient contract (see model.rs);
    // no published create body exists, so these are the values it is written with.
    /// `MessageType`, an integer code (unknown which codes a site has; 0 by default).
    pub interaction_message_type: i64,
    /// `CommunicationLog.CommunicationType`.
    pub interaction_communication_type: String,
    /// `CommunicationLog.SourceProcess`.
    pub interaction_source_process: String,
    /// Longest `CommunicationLog.Subject` (500 in iMIS 2017).
    pub interaction_subject_max_chars: usize,

    /// Folders are documents of this type.
    pub folder_type: String,
    /// File extensions (lower case, no dot) mapped to document type codes, laid over
    /// the defaults (the codes iMIS 2017 ships).
    pub document_types: Map<String, String>,
    /// The type of every other file (Setup: "Document type for other files").
    pub fallback_document_type: String,

    pub contact_lookup: ContactLookup,
    /// The IQA query for `ContactLookup::Iqa`.
    pub iqa_query: String,
    /// IQA / CsContactBasic result columns; IQA turns spaces into underscores
    /// ("Full Name" arrives as `Full_Name`), and both spellings are read.
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
            activity_message_key: s(DEFAULT_KEY_COLUMN),
            description_max_chars: 255,
            note_max_chars: 32_000,
            interaction_message_type: 0,
            interaction_communication_type: s("Email"),
            interaction_source_process: s("Save to iMIS"),
            interaction_subject_max_chars: 500,
            folder_type: s("FOL"),
            document_types: Map::new(),
            fallback_document_type: s(DEFAULT_FALLBACK_TYPE),
            contact_lookup: ContactLookup::Party,
            iqa_query: s("$/ContactManagement/DefaultSystem/Queries/Outlook/Contacts by email"),
            id_column: s("ID"),
            name_column: s("Full Name"),
            email_column: s("Email"),
        }
    }
}

/// The Activity column that keeps the saved-email key by default: a user-defined text
/// column (varchar 255 in iMIS 2017) rather than SOURCE_CODE, the campaign source code.
pub const DEFAULT_KEY_COLUMN: &str = "UF_1";

/// The document type for files whose extension has no mapping (a Setup value).
pub const DEFAULT_FALLBACK_TYPE: &str = "ZIP";

/// Extensions onto the document types iMIS 2017 ships (reference: "Document types are a
/// closed list"); DOCX, XLSX, PPTX, CSV, MSG, JPEG, HTML, ICS and VCF are not shipped.
const SHIPPED_TYPES: &[(&str, &str)] = &[
    ("avi", "AVI"),
    ("bmp", "BMP"),
    ("csv", "TXT"),
    ("doc", "DOC"),
    ("docm", "DOC"),
    ("docx", "DOC"),
    ("dot", "DOC"),
    ("dotx", "DOC"),
    ("eml", "EML"),
    ("flv", "FLV"),
    ("gif", "GIF"),
    ("htm", "HTM"),
    ("html", "HTM"),
    ("ics", "TXT"),
    ("jpe", "JPE"),
    ("jpeg", "JPG"),
    ("jpg", "JPG"),
    ("log", "TXT"),
    ("md", "TXT"),
    ("mov", "MOV"),
    ("mp3", "MP3"),
    ("mpeg", "MPG"),
    ("mpg", "MPG"),
    ("msg", "EML"),
    ("pdf", "PDF"),
    ("png", "PNG"),
    ("pps", "PPT"),
    ("ppsx", "PPT"),
    ("ppt", "PPT"),
    ("pptx", "PPT"),
    ("rtf", "RTF"),
    ("tif", "TIF"),
    ("tiff", "TIF"),
    ("txt", "TXT"),
    ("vcf", "TXT"),
    ("wav", "WAV"),
    ("wmv", "WMV"),
    ("wpd", "WPD"),
    ("wri", "WRI"),
    ("xls", "XLS"),
    ("xlsm", "XLS"),
    ("xlsx", "XLS"),
    ("xml", "XML"),
    ("zip", "ZIP"),
];

impl SiteProfile {
    /// Defaults with the keys of `json` (an object) laid over them; empty text means
    /// the defaults. The error names the key at fault.
    pub fn from_json(json: &str) -> Result<SiteProfile, String> {
        if json.trim().is_empty() {
            return Ok(SiteProfile::default());
        }
        let mut site: SiteProfile = crate::json::from_str(json).map_err(|e| e.to_string())?;
        site.document_types = site
            .document_types
            .into_iter()
            .map(|(ext, code)| {
                // " .DOCX" and ". docx" are "docx": dots and spaces off the front in any
                // order, so a profile read back gives the same keys.
                let ext = ext
                    .trim_start_matches(|c: char| c == '.' || c.is_whitespace())
                    .trim_end()
                    .to_ascii_lowercase();
                match check_type_code(&code) {
                    Ok(code) => Ok((ext, code)),
                    Err(why) => Err(format!("documentTypes.{ext}: {why}")),
                }
            })
            .collect::<Result<_, _>>()?;
        site.fallback_document_type = check_type_code(&site.fallback_document_type)
            .map_err(|why| format!("fallbackDocumentType: {why}"))?;
        Ok(site)
    }

    /// The document type a stored file gets: the site's mapping for its extension,
    /// then the shipped mapping, then the fallback type.
    pub fn document_type(&self, stored_name: &str) -> String {
        let fallback = &self.fallback_document_type;
        let Some(ext) = extension(stored_name) else {
            return fallback.to_string();
        };
        self.document_types
            .get(&ext)
            .cloned()
            .or_else(|| {
                SHIPPED_TYPES
                    .binary_search_by(|(e, _)| e.cmp(&ext.as_str()))
                    .ok()
                    .map(|i| SHIPPED_TYPES[i].1.to_string())
            })
            .unwrap_or_else(|| fallback.to_string())
    }

    /// Every type code the mapping can produce, with an extension that maps to it:
    /// what Test configuration probes.
    pub fn type_codes(&self) -> Vec<(String, String)> {
        let mut out: Map<String, String> = Map::new();
        for (ext, _) in SHIPPED_TYPES {
            out.or_insert_with(self.document_type(&format!("x.{ext}")), || ext.to_string());
        }
        for (ext, code) in &self.document_types {
            out.or_insert_with(code.clone(), || ext.clone());
        }
        out.or_insert_with(self.fallback_document_type.clone(), || "bin".into());
        out.into_iter().collect()
    }
}

/// A document type code as iMIS keeps it: 1 to 6 letters or digits, upper case.
pub fn check_type_code(code: &str) -> Result<String, String> {
    let code = code.trim().to_ascii_uppercase();
    if (1..=6).contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(code)
    } else {
        Err(format!(
            "\"{}\" is not an iMIS document type code (1 to 6 letters or digits, like PDF).",
            crate::text::ellipsis(&code, 20)
        ))
    }
}

/// The lower-case extension of a file name with a stem, when it is a plausible one.
fn extension(name: &str) -> Option<String> {
    match name.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && (1..=8).contains(&ext.len())
                && ext.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            Some(ext.to_ascii_lowercase())
        }
        _ => None,
    }
}

/// The key stored for an email: `email:` and 16 hex digits of the SHA-256 of its
/// `internetMessageId`, short enough for any text column.
pub fn message_key(internet_message_id: &str) -> String {
    format!("email:{}", key_hex(internet_message_id, 16))
}

/// The key an interaction keeps in `MessageId` (10 characters at most in iMIS 2017):
/// 10 hex digits of the same hash, 40 bits, plenty to tell one contact's emails apart.
pub fn interaction_key(internet_message_id: &str) -> String {
    key_hex(internet_message_id, 10)
}

fn key_hex(internet_message_id: &str, digits: usize) -> String {
    let digest = crate::encode::sha256(internet_message_id.trim().as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex[..digits].to_string()
}

impl crate::json::FromJson for ContactLookup {
    fn from_json(v: crate::json::Value) -> crate::json::Result<Self> {
        use ContactLookup::*;
        json::variant(
            v,
            &["party", "iqa", "csContactBasic"],
            &[Party, Iqa, CsContactBasic],
        )
    }
}

/// SiteProfile's JSON names, in field order (the derive's `expected one of` list).
const SITE_PROFILE_FIELDS: &[&str] = &[
    "activityParty",
    "activityType",
    "activityDate",
    "activityDescription",
    "activityNote",
    "activityMessageKey",
    "descriptionMaxChars",
    "noteMaxChars",
    "interactionMessageType",
    "interactionCommunicationType",
    "interactionSourceProcess",
    "interactionSubjectMaxChars",
    "folderType",
    "documentTypes",
    "fallbackDocumentType",
    "contactLookup",
    "iqaQuery",
    "idColumn",
    "nameColumn",
    "emailColumn",
];

impl crate::json::FromJson for SiteProfile {
    fn from_json(v: crate::json::Value) -> crate::json::Result<Self> {
        let mut f = Fields::of(v, "struct SiteProfile")?;
        f.deny_unknown(SITE_PROFILE_FIELDS)?;
        let mut p = SiteProfile::default();
        f.over("activityParty", &mut p.activity_party)?;
        f.over("activityType", &mut p.activity_type)?;
        f.over("activityDate", &mut p.activity_date)?;
        f.over("activityDescription", &mut p.activity_description)?;
        f.over("activityNote", &mut p.activity_note)?;
        f.over("activityMessageKey", &mut p.activity_message_key)?;
        f.over("descriptionMaxChars", &mut p.description_max_chars)?;
        f.over("noteMaxChars", &mut p.note_max_chars)?;
        f.over("interactionMessageType", &mut p.interaction_message_type)?;
        f.over(
            "interactionCommunicationType",
            &mut p.interaction_communication_type,
        )?;
        f.over(
            "interactionSourceProcess",
            &mut p.interaction_source_process,
        )?;
        f.over(
            "interactionSubjectMaxChars",
            &mut p.interaction_subject_max_chars,
        )?;
        f.over("folderType", &mut p.folder_type)?;
        f.over("documentTypes", &mut p.document_types)?;
        f.over("fallbackDocumentType", &mut p.fallback_document_type)?;
        f.over("contactLookup", &mut p.contact_lookup)?;
        f.over("iqaQuery", &mut p.iqa_query)?;
        f.over("idColumn", &mut p.id_column)?;
        f.over("nameColumn", &mut p.name_column)?;
        f.over("emailColumn", &mut p.email_column)?;
        Ok(p)
    }
}

crate::json_names!(ContactLookup {
    Party => "party",
    Iqa => "iqa",
    CsContactBasic => "csContactBasic",
});

crate::json_struct!(SiteProfile {
    activity_party => "activityParty",
    activity_type => "activityType",
    activity_date => "activityDate",
    activity_description => "activityDescription",
    activity_note => "activityNote",
    activity_message_key => "activityMessageKey",
    description_max_chars => "descriptionMaxChars",
    note_max_chars => "noteMaxChars",
    interaction_message_type => "interactionMessageType",
    interaction_communication_type => "interactionCommunicationType",
    interaction_source_process => "interactionSourceProcess",
    interaction_subject_max_chars => "interactionSubjectMaxChars",
    folder_type => "folderType",
    document_types => "documentTypes",
    fallback_document_type => "fallbackDocumentType",
    contact_lookup => "contactLookup",
    iqa_query => "iqaQuery",
    id_column => "idColumn",
    name_column => "nameColumn",
    email_column => "emailColumn",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_types_are_the_sites_codes() {
        let site = SiteProfile::default();
        let t = |n: &str| site.document_type(n);
        assert_eq!(t("report.pdf"), "PDF");
        assert_eq!(t("Minutes.DOCX"), "DOC");
        assert_eq!(t("budget 2027.xlsx"), "XLS");
        assert_eq!(t("deck.pptx"), "PPT");
        assert_eq!(t("photo.jpeg"), "JPG");
        assert_eq!(t("page.html"), "HTM");
        assert_eq!(t("fwd.msg"), "EML");
        assert_eq!(t("list.csv"), "TXT");
        assert_eq!(t("archive.7z"), "ZIP");
        assert_eq!(t("README"), "ZIP");
        assert_eq!(t(".profile"), "ZIP");
        let sorted = SHIPPED_TYPES.windows(2).all(|w| w[0].0 < w[1].0);
        assert!(sorted, "binary search needs the table sorted");
        let site = SiteProfile::from_json(
            r#"{"documentTypes": {".DOCX": "docx", " . 7z": "SEVENZ"}, "fallbackDocumentType": "bin"}"#,
        )
        .unwrap();
        assert_eq!(site.document_type("a.docx"), "DOCX");
        assert_eq!(site.document_type("a.7z"), "SEVENZ");
        assert_eq!(site.document_type("a.doc"), "DOC");
        assert_eq!(site.document_type("a.xyz"), "BIN");
        let codes = site.type_codes();
        assert!(codes.contains(&("DOCX".into(), "docx".into())), "{codes:?}");
        assert!(codes.contains(&("BIN".into(), "bin".into())));
        assert!(codes.iter().all(|(c, _)| check_type_code(c).is_ok()));
        let err = SiteProfile::from_json(r#"{"documentTypes": {"x": "TOO-LONG"}}"#).unwrap_err();
        assert!(err.contains("documentTypes.x"), "{err}");
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
        assert_eq!(interaction_key("abc"), "ba7816bf8f");
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
