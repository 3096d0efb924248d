//! The hand-written readers (`Deserialize` impls through `save_to_imis::json`) against
//! the serde derive they replace: the same values, and the same error messages, for
//! good and hostile input. The reference types below are the derive as it was.
#![cfg(not(target_arch = "wasm32"))]

use save_to_imis::graph::model::AttachmentPage;
use save_to_imis::imis::model::{Contact, NewContact};
use save_to_imis::imis::site::SiteProfile;
use save_to_imis::item::MailItem;
use save_to_imis::json::FromJson;
use save_to_imis::jsonw::{self, ToJson};
use save_to_imis::settings::{Cloud, RawSettings};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct Address {
    #[serde(default)]
    name: String,
    address: String,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
enum Kind {
    File,
    Item,
    Cloud,
}

#[derive(Deserialize, Serialize, Default)]
#[serde(rename_all = "camelCase")]
enum Mode {
    #[default]
    Read,
    Compose,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct AttachmentInfo {
    id: String,
    #[serde(default)]
    office_id: String,
    #[serde(default)]
    host_only: bool,
    name: String,
    #[serde(default)]
    content_type: String,
    #[serde(default)]
    size: u64,
    kind: Kind,
    #[serde(default)]
    is_inline: bool,
    #[serde(default)]
    url: Option<String>,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct Mail {
    #[serde(default)]
    mode: Mode,
    rest_id: String,
    #[serde(default)]
    shared_mailbox: Option<String>,
    #[serde(default)]
    user_address: String,
    #[serde(default)]
    host_content: bool,
    #[serde(default)]
    subject: String,
    from: Address,
    #[serde(default)]
    to: Vec<Address>,
    #[serde(default)]
    cc: Vec<Address>,
    date: String,
    #[serde(default)]
    internet_message_id: String,
    #[serde(default)]
    body_text: String,
    #[serde(default)]
    attachments: Vec<AttachmentInfo>,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct RefContact {
    party_id: String,
    full_name: String,
    emails: Vec<String>,
}

#[derive(Deserialize, Serialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RefNewContact {
    first_name: String,
    last_name: String,
    email: String,
    organization: String,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct RefCloud {
    authority_host: String,
    graph_url: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
enum Lookup {
    Party,
    Iqa,
    CsContactBasic,
}

/// SiteProfile in its field order (the order of the derive's "expected one of").
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RefSite {
    activity_party: Option<String>,
    activity_type: Option<String>,
    activity_date: Option<String>,
    activity_description: Option<String>,
    activity_note: Option<String>,
    activity_message_key: Option<String>,
    description_max_chars: Option<usize>,
    note_max_chars: Option<usize>,
    interaction_message_type: Option<i64>,
    interaction_communication_type: Option<String>,
    interaction_source_process: Option<String>,
    interaction_subject_max_chars: Option<usize>,
    folder_type: Option<String>,
    document_types: Option<BTreeMap<String, String>>,
    fallback_document_type: Option<String>,
    contact_lookup: Option<Lookup>,
    iqa_query: Option<String>,
    id_column: Option<String>,
    name_column: Option<String>,
    email_column: Option<String>,
}

/// serde_json's message without its position (the readers go through a `Value`).
fn message(e: impl std::fmt::Display) -> String {
    // The reference types' names, as the types they stand for.
    let text = e
        .to_string()
        .replace("struct Ref", "struct ")
        .replace("struct Mail ", "struct MailItem ")
        .replace("struct RefSite", "struct SiteProfile");
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// The derive on `json`, lone surrogates repaired as `json::from_str` repairs them.
fn reference<T: DeserializeOwned>(json: &str) -> serde_json::Result<T> {
    let fixed = save_to_imis::json::repair_surrogates(json.as_bytes());
    serde_json::from_slice(fixed.as_deref().unwrap_or(json.as_bytes()))
}

/// Ours and the reference on `json`: both read it, to the same JSON, or both refuse it
/// with the same words.
fn same<Ours: FromJson + ToJson, Ref: DeserializeOwned + Serialize>(json: &str) {
    // Ours written by `jsonw`, the derive's by serde_json: the writer is checked too.
    let ours = save_to_imis::json::from_str::<Ours>(json)
        .map(|v| serde_json::from_str::<serde_json::Value>(&jsonw::to_string(&v)).unwrap());
    let reference = reference::<Ref>(json).map(|v| serde_json::to_value(v).unwrap());
    match (ours, reference) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{json}"),
        (Err(a), Err(b)) => assert_eq!(message(a), message(b), "{json}"),
        (a, b) => panic!("{json}: ours {a:?}, the derive {b:?}"),
    }
}

/// Where the readers knowingly differ from the derive: both refuse `json`, in other
/// words. A struct given as an array (the derive read its fields by position; no sender
/// writes one) and an enum given as a non-string (the derive said only "expected value").
fn both_refuse<Ours: FromJson, Ref: DeserializeOwned + Serialize>(json: &str) {
    assert!(
        save_to_imis::json::from_str::<Ours>(json).is_err(),
        "{json}"
    );
    assert!(
        serde_json::from_str::<Ref>(json).is_err() || json.starts_with('['),
        "{json}"
    );
}

#[test]
fn mail_items_read_as_the_derive_reads_them() {
    let from = r#""from": {"address": "a@example.org"}"#;
    for json in [
        format!(r#"{{"restId": "r", {from}, "date": "2024-01-01T00:00:00Z"}}"#),
        format!(
            r#"{{"mode": "compose", "restId": "r", "sharedMailbox": null, "userAddress": "u",
            "hostContent": true, "subject": "s\u00e9", {from}, "to": [{{"name": "N", "address": "b"}}],
            "cc": [], "date": "d", "internetMessageId": "<m>", "bodyText": "t", "unknown": [1, {{}}],
            "attachments": [{{"id": "1", "name": "a.pdf", "kind": "file", "size": 12,
            "isInline": false, "url": null, "officeId": "o", "hostOnly": true, "contentType": "x"}}]}}"#
        ),
        // One fault each: missing, wrong type, null, unknown variant, huge number.
        format!(r#"{{{from}, "date": "d"}}"#),
        r#"{"restId": "r", "date": "d"}"#.to_string(),
        format!(r#"{{"restId": 5, {from}, "date": "d"}}"#),
        format!(r#"{{"restId": "r", {from}, "date": null}}"#),
        format!(r#"{{"restId": "r", {from}, "date": "d", "to": null}}"#),
        format!(r#"{{"restId": "r", {from}, "date": "d", "mode": "edit"}}"#),
        format!(
            r#"{{"restId": "r", {from}, "date": "d", "attachments": [{{"id": "1", "name": "n", "kind": "file", "size": 1e30}}]}}"#
        ),
        format!(
            r#"{{"restId": "r", {from}, "date": "d", "attachments": [{{"id": "1", "name": "n", "kind": "file", "size": -1}}]}}"#
        ),
        r#"{"restId": "r", "from": "a@example.org", "date": "d"}"#.to_string(),
        format!(r#"{{"restId": "\ud800", {from}, "date": "d"}}"#),
        "null".into(),
        "\"text\"".into(),
        "17".into(),
        "{".into(),
    ] {
        same::<MailItem, Mail>(&json);
    }
    both_refuse::<MailItem, Mail>(
        r#"{"restId": "r", "from": {"address": "a"}, "date": "d", "mode": 1}"#,
    );
    both_refuse::<MailItem, Mail>(r#"["r", {"address": "a"}, "d"]"#);
    // Nesting beyond serde_json's 128 levels is refused, now also in a member nobody
    // reads (the derive skipped such a member; the readers read all into a Value first).
    let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    both_refuse::<MailItem, Mail>(&deep);
    let unread =
        format!(r#"{{"restId": "r", "from": {{"address": "a"}}, "date": "d", "x": {deep}}}"#);
    let ours = save_to_imis::json::from_str::<MailItem>(&unread).unwrap_err();
    assert_eq!(message(ours), "recursion limit exceeded");
    assert!(reference::<Mail>(&unread).is_ok());
}

#[test]
fn contacts_clouds_and_pages_read_as_the_derive_reads_them() {
    for json in [
        r#"{"partyId": "1", "fullName": "A", "emails": ["a"]}"#,
        r#"{"partyId": "1", "fullName": "A"}"#,
        r#"{"partyId": "1", "fullName": "A", "emails": [1]}"#,
        r#"{"partyId": null, "fullName": "A", "emails": []}"#,
    ] {
        same::<Contact, RefContact>(json);
    }
    both_refuse::<Contact, RefContact>(r#"["1", "A", ["a"]]"#);
    for json in [
        r#"{}"#,
        r#"{"firstName": "A", "lastName": "B", "email": "e", "organization": "O", "x": 1}"#,
        r#"{"email": false}"#,
        r#"true"#,
    ] {
        same::<NewContact, RefNewContact>(json);
    }
    for json in [
        r#"{"authorityHost": "h", "graphUrl": "g"}"#,
        r#"{"authorityHost": "h"}"#,
        r#"{"authorityHost": "h", "graphUrl": {}}"#,
    ] {
        same::<Cloud, RefCloud>(json);
    }
}

#[test]
fn site_profiles_refuse_what_the_derive_refused() {
    for (json, ok) in [
        (
            r#"{"activityParty": "P", "descriptionMaxChars": 9, "contactLookup": "iqa"}"#,
            true,
        ),
        (
            r#"{"documentTypes": {"pdf": "PDF"}, "interactionMessageType": -3}"#,
            true,
        ),
        (r#"{"activityPartyy": "P"}"#, false),
        (r#"{"descriptionMaxChars": -1}"#, false),
        (r#"{"descriptionMaxChars": "9"}"#, false),
        (r#"{"contactLookup": "ldap"}"#, false),
        (r#"{"documentTypes": []}"#, false),
        (r#"[]"#, false),
        (r#"{"contactLookup": 1}"#, false),
        // The number readers (`json::FromJson`), as serde's primitive visitors.
        (r#"{"descriptionMaxChars": 1.5}"#, false),
        (r#"{"interactionSubjectMaxChars": -5}"#, false),
        (r#"{"interactionMessageType": 18446744073709551615}"#, false),
        (r#"{"interactionMessageType": -2.0}"#, false),
        (r#"{"noteMaxChars": true}"#, false),
        (r#"{"documentTypes": {"pdf": 1}}"#, false),
        (r#"{"documentTypes": "pdf"}"#, false),
        (r#"{"iqaQuery": {}}"#, false),
    ] {
        let ours = save_to_imis::json::from_str::<SiteProfile>(json);
        let reference = reference::<RefSite>(json);
        assert_eq!(ours.is_ok(), ok, "{json}");
        match (ours, reference) {
            (Ok(_), Ok(_)) => {}
            // An array and an enum as a number: see `both_refuse`.
            (Err(_), _) if json.starts_with('[') || json.contains(": 1}") => {}
            (Err(a), Err(b)) => assert_eq!(message(a), message(b), "{json}"),
            (a, b) => panic!("{json}: ours {a:?}, the derive {b:?}"),
        }
    }
    let p = save_to_imis::json::from_str::<SiteProfile>(r#"{"activityParty": "P"}"#).unwrap();
    assert_eq!(p.activity_party, "P");
    assert_eq!(
        p.note_max_chars,
        SiteProfile::default().note_max_chars,
        "defaults kept"
    );
}

#[test]
fn raw_settings_and_graph_pages_read_by_name() {
    let raw: RawSettings =
        save_to_imis::json::from_str(r#"{"imisUrl": "https://x", "maxEmails": "5", "other": 1}"#)
            .unwrap();
    assert_eq!(
        (raw.imis_url.as_str(), raw.max_emails.as_str()),
        ("https://x", "5")
    );
    let e = save_to_imis::json::from_str::<RawSettings>(r#"{"imisUrl": null}"#).unwrap_err();
    assert_eq!(e.to_string(), "invalid type: null, expected a string");
    let e = save_to_imis::json::from_str::<RawSettings>("[]").unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid type: sequence, expected struct RawSettings"
    );
    let page: AttachmentPage = save_to_imis::json::from_str(
        r#"{"value": [{"@odata.type": "t", "id": "1", "contentType": null}], "@odata.nextLink": "n"}"#,
    )
    .unwrap();
    assert_eq!(page.next_link.as_deref(), Some("n"));
    assert_eq!(page.value[0].content_type, None);
    let missing = save_to_imis::json::from_str::<AttachmentPage>(r#"{"value": [{"id": "1"}]}"#);
    assert_eq!(
        missing.unwrap_err().to_string(),
        "missing field `@odata.type`"
    );
}
