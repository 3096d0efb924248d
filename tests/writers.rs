//! The hand-written JSON writer (`save_to_imis::jsonw`) against the `Serialize` derives
//! it replaces: for every output type, its text read back by serde_json is the value the
//! derive wrote. The reference types below are the derives as they were.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use save_to_imis::contacts::Match;
use save_to_imis::diagnose::Check;
use save_to_imis::imis::model::{Contact, NewContact};
use save_to_imis::imis::org_settings::OrgDocument;
use save_to_imis::imis::site::{ContactLookup, SiteProfile};
use save_to_imis::item::{Address, AttachmentInfo, AttachmentKind, MailItem, Mode};
use save_to_imis::jsonw::{self, ToJson};
use save_to_imis::org::{self, Layer, Source};
use save_to_imis::plan::{Handling, LeftOut, Link, PlannedAttachment, SavePlan};
use save_to_imis::record::Record;
use save_to_imis::report::{AttachmentResult, Event, Outcome, RecordResult, Report};
use save_to_imis::session::Stored;
use save_to_imis::settings::{self, Cloud, ContactCreation, FieldError, RawSettings, RecordKind};
use serde::Serialize;
use serde_json::Value;

mod serde_ref;

/// Ours and the derive's, as values (key order aside).
fn same<T: ToJson + ?Sized, R: Serialize>(ours: &T, reference: &R) {
    let text = jsonw::to_string(ours);
    let a: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let b = serde_json::to_value(reference).unwrap();
    assert_eq!(a, b, "{text}");
}

/// Text with everything that needs escaping.
const HOSTILE: &str = "q\"b\\s/\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f} é 😀 \u{2028}";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RContact {
    party_id: String,
    full_name: String,
    emails: Vec<String>,
}

fn r_contact(c: &Contact) -> RContact {
    RContact {
        party_id: c.party_id.clone(),
        full_name: c.full_name.clone(),
        emails: c.emails.clone(),
    }
}

fn contact(i: u32) -> Contact {
    Contact {
        party_id: format!("{i}"),
        full_name: format!("{HOSTILE} {i}"),
        emails: vec![format!("p{i}@example.org"), HOSTILE.into()],
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RNewContact {
    first_name: String,
    last_name: String,
    email: String,
    organization: String,
}

#[test]
fn contacts() {
    for c in [
        contact(1),
        Contact {
            emails: vec![],
            ..contact(2)
        },
    ] {
        same(&c, &r_contact(&c));
    }
    let n = NewContact {
        first_name: HOSTILE.into(),
        last_name: "L".into(),
        email: "e@x".into(),
        organization: String::new(),
    };
    same(
        &n,
        &RNewContact {
            first_name: n.first_name.clone(),
            last_name: n.last_name.clone(),
            email: n.email.clone(),
            organization: n.organization.clone(),
        },
    );
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct RMatch {
        #[serde(flatten)]
        contact: RContact,
        address: String,
        role: &'static str,
        preselected: bool,
    }
    let m = Match {
        contact: contact(3),
        address: "a@b".into(),
        role: "cc",
        preselected: true,
    };
    same(
        &vec![m.clone()],
        &vec![RMatch {
            contact: r_contact(&m.contact),
            address: m.address.clone(),
            role: m.role,
            preselected: m.preselected,
        }],
    );
}

#[derive(Serialize, Clone, Copy)]
#[serde(rename_all = "camelCase")]
enum RRecordKind {
    Activity,
    Interaction,
}

fn r_kind(k: RecordKind) -> RRecordKind {
    match k {
        RecordKind::Activity => RRecordKind::Activity,
        RecordKind::Interaction => RRecordKind::Interaction,
    }
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
enum REvent<'a> {
    #[serde(rename_all = "camelCase")]
    Activity {
        phase: &'static str,
        activity_id: Option<&'a str>,
    },
    #[serde(rename_all = "camelCase")]
    Attachment {
        id: &'a str,
        phase: &'static str,
        detail: Option<&'a str>,
        done: Option<u64>,
        total: Option<u64>,
    },
}

#[test]
fn events() {
    same(
        &Event::Activity {
            phase: "saved",
            activity_id: Some(HOSTILE),
        },
        &REvent::Activity {
            phase: "saved",
            activity_id: Some(HOSTILE),
        },
    );
    same(
        &Event::Activity {
            phase: "waiting",
            activity_id: None,
        },
        &REvent::Activity {
            phase: "waiting",
            activity_id: None,
        },
    );
    same(
        &Event::attachment("a", "saved"),
        &REvent::Attachment {
            id: "a",
            phase: "saved",
            detail: None,
            done: None,
            total: None,
        },
    );
    same(
        &Event::detail("a", "failed", HOSTILE),
        &REvent::Attachment {
            id: "a",
            phase: "failed",
            detail: Some(HOSTILE),
            done: None,
            total: None,
        },
    );
    same(
        &Event::bytes("a", "uploading", 0, u64::MAX),
        &REvent::Attachment {
            id: "a",
            phase: "uploading",
            detail: None,
            done: Some(0),
            total: Some(u64::MAX),
        },
    );
}

#[derive(Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
enum ROutcome {
    #[serde(rename_all = "camelCase")]
    Saved {
        document_id: String,
        path: String,
    },
    #[serde(rename_all = "camelCase")]
    AlreadySaved {
        document_id: String,
        path: String,
    },
    Linked {
        url: Option<String>,
    },
    Failed {
        reason: String,
        again: bool,
    },
    Cancelled {
        reason: String,
    },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RAttachmentResult {
    id: String,
    name: String,
    stored_name: String,
    size: u64,
    #[serde(flatten)]
    outcome: ROutcome,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RLeftOut {
    id: String,
    name: String,
    reason: String,
    chosen: bool,
}

fn r_left_out(l: &LeftOut) -> RLeftOut {
    RLeftOut {
        id: l.id.clone(),
        name: l.name.clone(),
        reason: l.reason.clone(),
        chosen: l.chosen,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RRecordResult {
    contact: RContact,
    id: String,
    kind: RRecordKind,
    existed: bool,
    link: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RReport {
    records: Vec<RRecordResult>,
    folder: Option<String>,
    attachments: Vec<RAttachmentResult>,
    left_out: Vec<RLeftOut>,
    notice: Option<String>,
    source: Option<&'static str>,
    cancelled: bool,
    cancelled_contacts: Vec<RContact>,
}

#[test]
fn reports() {
    let outcomes = [
        Outcome::Saved {
            document_id: "D1".into(),
            path: HOSTILE.into(),
        },
        Outcome::AlreadySaved {
            document_id: "D2".into(),
            path: "$/p".into(),
        },
        Outcome::Linked { url: None },
        Outcome::Linked {
            url: Some("https://x/y?a=1&b=2".into()),
        },
        Outcome::Failed {
            reason: HOSTILE.into(),
            again: true,
        },
        Outcome::Cancelled { reason: "c".into() },
    ];
    let r_outcome = |o: &Outcome| match o.clone() {
        Outcome::Saved { document_id, path } => ROutcome::Saved { document_id, path },
        Outcome::AlreadySaved { document_id, path } => ROutcome::AlreadySaved { document_id, path },
        Outcome::Linked { url } => ROutcome::Linked { url },
        Outcome::Failed { reason, again } => ROutcome::Failed { reason, again },
        Outcome::Cancelled { reason } => ROutcome::Cancelled { reason },
    };
    let attachments: Vec<AttachmentResult> = outcomes
        .iter()
        .enumerate()
        .map(|(i, o)| AttachmentResult {
            id: format!("a{i}"),
            name: HOSTILE.into(),
            stored_name: format!("{i}.pdf"),
            size: i as u64 * 1_000_000_007,
            outcome: o.clone(),
        })
        .collect();
    let left_out = vec![LeftOut {
        id: "l".into(),
        name: "n".into(),
        reason: HOSTILE.into(),
        chosen: false,
    }];
    let records = vec![
        RecordResult {
            contact: contact(1),
            id: "A1".into(),
            kind: RecordKind::Activity,
            existed: false,
            link: None,
        },
        RecordResult {
            contact: contact(2),
            id: "I1".into(),
            kind: RecordKind::Interaction,
            existed: true,
            link: Some("https://imis/p?id=2".into()),
        },
    ];
    for (folder, notice, source, cancelled) in [
        (None, None, None, false),
        (Some("$/f"), Some(HOSTILE), Some("graph"), true),
    ] {
        let report = Report {
            records: records.clone(),
            folder: folder.map(str::to_string),
            attachments: attachments.clone(),
            left_out: left_out.clone(),
            notice: notice.map(str::to_string),
            source,
            cancelled,
            cancelled_contacts: vec![contact(9)],
        };
        let reference = RReport {
            records: records
                .iter()
                .map(|r| RRecordResult {
                    contact: r_contact(&r.contact),
                    id: r.id.clone(),
                    kind: r_kind(r.kind),
                    existed: r.existed,
                    link: r.link.clone(),
                })
                .collect(),
            folder: report.folder.clone(),
            attachments: attachments
                .iter()
                .map(|a| RAttachmentResult {
                    id: a.id.clone(),
                    name: a.name.clone(),
                    stored_name: a.stored_name.clone(),
                    size: a.size,
                    outcome: r_outcome(&a.outcome),
                })
                .collect(),
            left_out: left_out.iter().map(r_left_out).collect(),
            notice: report.notice.clone(),
            source,
            cancelled,
            cancelled_contacts: vec![r_contact(&contact(9))],
        };
        same(&report, &reference);
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RRecord {
    kind: RRecordKind,
    party_id: String,
    address: String,
    type_code: String,
    date: String,
    subject: String,
    note: String,
    message_key: String,
    interaction_key: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
enum RHandling {
    File,
    Item,
    Email,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RPlannedAttachment {
    id: String,
    office_id: String,
    name: String,
    stored_name: String,
    size: u64,
    handling: RHandling,
    host_only: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RLink {
    id: String,
    name: String,
    url: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RSavePlan {
    records: Vec<(RContact, RRecord)>,
    folder_parent: String,
    folder_name: String,
    attachments: Vec<RPlannedAttachment>,
    links: Vec<RLink>,
    left_out: Vec<RLeftOut>,
    max_request_bytes: u64,
}

#[test]
fn plans() {
    let record = Record {
        kind: RecordKind::Interaction,
        party_id: "1".into(),
        address: "a@b".into(),
        type_code: "EMAIL".into(),
        date: "2026-01-01T00:00:00".into(),
        subject: HOSTILE.into(),
        note: format!("{HOSTILE}\n{HOSTILE}"),
        message_key: "email:0123456789abcdef".into(),
        interaction_key: "0123456789".into(),
    };
    let handlings = [Handling::File, Handling::Item, Handling::Email];
    let plan = SavePlan {
        records: vec![(contact(1), record.clone())],
        folder_parent: "$/Contacts".into(),
        folder_name: HOSTILE.into(),
        attachments: handlings
            .iter()
            .enumerate()
            .map(|(i, h)| PlannedAttachment {
                id: format!("{i}"),
                office_id: format!("o{i}"),
                name: HOSTILE.into(),
                stored_name: "s".into(),
                size: 5,
                handling: *h,
                host_only: i == 1,
            })
            .collect(),
        links: vec![
            Link {
                id: "l".into(),
                name: "n".into(),
                url: None,
            },
            Link {
                id: "m".into(),
                name: "n".into(),
                url: Some("u".into()),
            },
        ],
        left_out: vec![],
        max_request_bytes: 28_311_552,
    };
    let r_record = |r: &Record| RRecord {
        kind: r_kind(r.kind),
        party_id: r.party_id.clone(),
        address: r.address.clone(),
        type_code: r.type_code.clone(),
        date: r.date.clone(),
        subject: r.subject.clone(),
        note: r.note.clone(),
        message_key: r.message_key.clone(),
        interaction_key: r.interaction_key.clone(),
    };
    let reference = RSavePlan {
        records: vec![(r_contact(&contact(1)), r_record(&record))],
        folder_parent: plan.folder_parent.clone(),
        folder_name: plan.folder_name.clone(),
        attachments: plan
            .attachments
            .iter()
            .map(|a| RPlannedAttachment {
                id: a.id.clone(),
                office_id: a.office_id.clone(),
                name: a.name.clone(),
                stored_name: a.stored_name.clone(),
                size: a.size,
                handling: match a.handling {
                    Handling::File => RHandling::File,
                    Handling::Item => RHandling::Item,
                    Handling::Email => RHandling::Email,
                },
                host_only: a.host_only,
            })
            .collect(),
        links: plan
            .links
            .iter()
            .map(|l| RLink {
                id: l.id.clone(),
                name: l.name.clone(),
                url: l.url.clone(),
            })
            .collect(),
        left_out: vec![],
        max_request_bytes: plan.max_request_bytes,
    };
    same(&plan, &reference);
    same(&record, &r_record(&record));
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RAddress {
    name: String,
    address: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
enum RKind {
    File,
    Item,
    Cloud,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
enum RMode {
    Read,
    Compose,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RAttachmentInfo {
    id: String,
    office_id: String,
    host_only: bool,
    name: String,
    content_type: String,
    size: u64,
    kind: RKind,
    is_inline: bool,
    url: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RMail {
    mode: RMode,
    rest_id: String,
    shared_mailbox: Option<String>,
    user_address: String,
    host_content: bool,
    subject: String,
    from: RAddress,
    to: Vec<RAddress>,
    cc: Vec<RAddress>,
    date: String,
    internet_message_id: String,
    body_text: String,
    attachments: Vec<RAttachmentInfo>,
}

#[test]
fn mail_items() {
    let address = |a: &Address| RAddress {
        name: a.name.clone(),
        address: a.address.clone(),
    };
    for (mode, shared) in [(Mode::Read, None), (Mode::Compose, Some("s@x"))] {
        let mail = MailItem {
            mode,
            rest_id: "r".into(),
            shared_mailbox: shared.map(str::to_string),
            user_address: "u@x".into(),
            host_content: shared.is_some(),
            subject: HOSTILE.into(),
            from: Address {
                name: HOSTILE.into(),
                address: "f@x".into(),
            },
            to: vec![Address {
                name: String::new(),
                address: "t@x".into(),
            }],
            cc: vec![],
            date: "2026-01-01T00:00:00Z".into(),
            internet_message_id: "<m@x>".into(),
            body_text: HOSTILE.into(),
            attachments: [
                AttachmentKind::File,
                AttachmentKind::Item,
                AttachmentKind::Cloud,
            ]
            .into_iter()
            .map(|kind| AttachmentInfo {
                id: "i".into(),
                office_id: "o".into(),
                host_only: kind == AttachmentKind::Item,
                name: HOSTILE.into(),
                content_type: "application/pdf".into(),
                size: 12,
                kind,
                is_inline: kind == AttachmentKind::File,
                url: (kind == AttachmentKind::Cloud).then(|| "https://c".into()),
            })
            .collect(),
        };
        let reference = RMail {
            mode: match mail.mode {
                Mode::Read => RMode::Read,
                Mode::Compose => RMode::Compose,
            },
            rest_id: mail.rest_id.clone(),
            shared_mailbox: mail.shared_mailbox.clone(),
            user_address: mail.user_address.clone(),
            host_content: mail.host_content,
            subject: mail.subject.clone(),
            from: address(&mail.from),
            to: mail.to.iter().map(address).collect(),
            cc: mail.cc.iter().map(address).collect(),
            date: mail.date.clone(),
            internet_message_id: mail.internet_message_id.clone(),
            body_text: mail.body_text.clone(),
            attachments: mail
                .attachments
                .iter()
                .map(|a| RAttachmentInfo {
                    id: a.id.clone(),
                    office_id: a.office_id.clone(),
                    host_only: a.host_only,
                    name: a.name.clone(),
                    content_type: a.content_type.clone(),
                    size: a.size,
                    kind: match a.kind {
                        AttachmentKind::File => RKind::File,
                        AttachmentKind::Item => RKind::Item,
                        AttachmentKind::Cloud => RKind::Cloud,
                    },
                    is_inline: a.is_inline,
                    url: a.url.clone(),
                })
                .collect(),
        };
        same(&mail, &reference);
    }
}

#[test]
fn kept_sessions_read_back_the_same() {
    // The one float, written as serde_json wrote it (`2000.0`): the same text.
    for ms in [1_764_650_000_000.0, 0.0, 2_000.5, -3.0] {
        let s = Stored {
            site: HOSTILE.into(),
            token: "t".into(),
            expires_at_ms: ms,
            user: "u".into(),
        };
        let text = jsonw::to_string(&s);
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct RStored<'a> {
            site: &'a str,
            token: &'a str,
            expires_at_ms: f64,
            user: &'a str,
        }
        let reference = RStored {
            site: &s.site,
            token: &s.token,
            expires_at_ms: ms,
            user: &s.user,
        };
        assert_eq!(text, serde_json::to_string(&reference).unwrap());
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["expiresAtMs"].as_f64(), Some(ms), "{text}");
        assert_eq!(v["site"], HOSTILE);
        let back: Stored = save_to_imis::json::from_str(&text).unwrap();
        assert_eq!(back, s);
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RCheck {
    name: &'static str,
    passed: bool,
    detail: String,
    advice: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ROrgDocument {
    found: bool,
    path: String,
    values: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    document_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_at: Option<String>,
}

#[test]
fn checks_and_organisation_documents() {
    for advice in [None, Some(HOSTILE.to_string())] {
        let c = Check {
            name: "iMIS",
            passed: advice.is_none(),
            detail: HOSTILE.into(),
            advice: advice.clone(),
        };
        same(
            &vec![c],
            &vec![RCheck {
                name: "iMIS",
                passed: advice.is_none(),
                detail: HOSTILE.into(),
                advice,
            }],
        );
    }
    let values: BTreeMap<String, String> = [("activityType", "EMAIL"), ("b", HOSTILE)]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for (id, by) in [(None, None), (Some("D"), Some(HOSTILE))] {
        let d = OrgDocument {
            found: id.is_some(),
            path: "$/Common".into(),
            values: values.clone().into_iter().collect(),
            document_id: id.map(str::to_string),
            updated_by: by.map(str::to_string),
            updated_at: id.map(|_| "2026".to_string()),
        };
        let text = jsonw::to_string(&d);
        assert_eq!(
            text.contains("documentId"),
            id.is_some(),
            "absent, not null"
        );
        same(
            &d,
            &ROrgDocument {
                found: d.found,
                path: d.path.clone(),
                values: values.clone(),
                document_id: d.document_id.clone(),
                updated_by: d.updated_by.clone(),
                updated_at: d.updated_at.clone(),
            },
        );
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
enum RContactLookup {
    Party,
    Iqa,
    CsContactBasic,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RSite {
    activity_party: String,
    activity_type: String,
    activity_date: String,
    activity_description: String,
    activity_note: String,
    activity_message_key: String,
    description_max_chars: usize,
    note_max_chars: usize,
    interaction_message_type: i64,
    interaction_communication_type: String,
    interaction_source_process: String,
    interaction_subject_max_chars: usize,
    folder_type: String,
    document_types: BTreeMap<String, String>,
    fallback_document_type: String,
    contact_lookup: RContactLookup,
    iqa_query: String,
    id_column: String,
    name_column: String,
    email_column: String,
}

fn r_site(p: &SiteProfile) -> RSite {
    RSite {
        activity_party: p.activity_party.clone(),
        activity_type: p.activity_type.clone(),
        activity_date: p.activity_date.clone(),
        activity_description: p.activity_description.clone(),
        activity_note: p.activity_note.clone(),
        activity_message_key: p.activity_message_key.clone(),
        description_max_chars: p.description_max_chars,
        note_max_chars: p.note_max_chars,
        interaction_message_type: p.interaction_message_type,
        interaction_communication_type: p.interaction_communication_type.clone(),
        interaction_source_process: p.interaction_source_process.clone(),
        interaction_subject_max_chars: p.interaction_subject_max_chars,
        folder_type: p.folder_type.clone(),
        document_types: p
            .document_types
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        fallback_document_type: p.fallback_document_type.clone(),
        contact_lookup: match p.contact_lookup {
            ContactLookup::Party => RContactLookup::Party,
            ContactLookup::Iqa => RContactLookup::Iqa,
            ContactLookup::CsContactBasic => RContactLookup::CsContactBasic,
        },
        iqa_query: p.iqa_query.clone(),
        id_column: p.id_column.clone(),
        name_column: p.name_column.clone(),
        email_column: p.email_column.clone(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RCloud {
    authority_host: String,
    graph_url: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
enum RContactCreation {
    Everyone,
    Nobody,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RSettings {
    client_id: Option<String>,
    authority: String,
    graph_url: String,
    imis_url: String,
    activity_type: String,
    document_root: String,
    graph_concurrency: usize,
    include_inline: bool,
    email_file: bool,
    max_emails: usize,
    max_request_bytes: u64,
    record_kind: RRecordKind,
    allow_duplicate_emails: bool,
    profile_url: String,
    site: RSite,
    org_settings_path: String,
    contact_creation: RContactCreation,
}

#[derive(Serialize)]
struct RFieldError {
    field: &'static str,
    message: String,
}

/// Every field of `RawSettings` by its JSON name, as the derive wrote them (a map of
/// strings: the derive's struct had only string fields, in this order).
fn r_raw(raw: &RawSettings) -> serde_json::Map<String, Value> {
    org::FIELDS
        .iter()
        .map(|(f, _)| (f.to_string(), Value::String(raw.field(f).unwrap().clone())))
        .collect()
}

#[test]
fn settings_and_site_profiles() {
    let mut site = SiteProfile::default();
    same(&site, &r_site(&site));
    for lookup in [ContactLookup::Iqa, ContactLookup::CsContactBasic] {
        site.contact_lookup = lookup;
        site.interaction_message_type = -7;
        site.document_types.insert(HOSTILE.into(), "X".into());
        same(&site, &r_site(&site));
    }
    let cloud = Cloud {
        authority_host: "login.example:8443".into(),
        graph_url: HOSTILE.into(),
    };
    same(
        &cloud,
        &RCloud {
            authority_host: cloud.authority_host.clone(),
            graph_url: cloud.graph_url.clone(),
        },
    );
    let mut raw = settings::defaults();
    same(&raw, &r_raw(&raw));
    for (i, (f, _)) in org::FIELDS.iter().enumerate() {
        *raw.field_mut(f).unwrap() = format!("{HOSTILE}{i}");
    }
    same(&raw, &r_raw(&raw));

    let mut raw = settings::defaults();
    raw.imis_url = "https://imis.example.org".into();
    raw.client_id = "00000000-0000-0000-0000-000000000000".into();
    let s = settings::validate(&raw, &[]).expect("valid settings");
    for (kind, creation, client) in [
        (RecordKind::Activity, ContactCreation::Everyone, None),
        (
            RecordKind::Interaction,
            ContactCreation::Nobody,
            Some("c".to_string()),
        ),
    ] {
        let s = settings::Settings {
            record_kind: kind,
            contact_creation: creation,
            client_id: client,
            ..s.clone()
        };
        let reference = RSettings {
            client_id: s.client_id.clone(),
            authority: s.authority.clone(),
            graph_url: s.graph_url.clone(),
            imis_url: s.imis_url.clone(),
            activity_type: s.activity_type.clone(),
            document_root: s.document_root.clone(),
            graph_concurrency: s.graph_concurrency,
            include_inline: s.include_inline,
            email_file: s.email_file,
            max_emails: s.max_emails,
            max_request_bytes: s.max_request_bytes,
            record_kind: r_kind(s.record_kind),
            allow_duplicate_emails: s.allow_duplicate_emails,
            profile_url: s.profile_url.clone(),
            site: r_site(&s.site),
            org_settings_path: s.org_settings_path.clone(),
            contact_creation: match s.contact_creation {
                ContactCreation::Everyone => RContactCreation::Everyone,
                ContactCreation::Nobody => RContactCreation::Nobody,
            },
        };
        same(&s, &reference);
    }
    let errors = vec![FieldError {
        field: "imisUrl",
        message: HOSTILE.into(),
    }];
    same(
        &errors,
        &vec![RFieldError {
            field: "imisUrl",
            message: HOSTILE.into(),
        }],
    );
}

#[derive(Serialize, Clone, Copy)]
#[serde(rename_all = "camelCase")]
enum RLayer {
    Deployment,
    Organisation,
    Personal,
}

#[derive(Serialize, Clone, Copy)]
#[serde(rename_all = "camelCase")]
enum RSource {
    Deployment,
    Organisation,
    Personal,
    Default,
}

#[derive(Serialize)]
struct RLayered {
    values: serde_json::Map<String, Value>,
    sources: BTreeMap<&'static str, RSource>,
    layers: BTreeMap<&'static str, RLayer>,
}

#[test]
fn layered_settings() {
    let deployment = RawSettings {
        imis_url: "https://imis".into(),
        ..Default::default()
    };
    let personal = RawSettings {
        activity_type: HOSTILE.into(),
        ..Default::default()
    };
    let organisation: org::Values = [("maxEmails".to_string(), "3".to_string())].into();
    for org_values in [None, Some(&organisation)] {
        let out = org::layer(&deployment, org_values, &personal);
        let reference = RLayered {
            values: r_raw(&out.values),
            sources: out
                .sources
                .iter()
                .map(|(k, s)| {
                    let s = match s {
                        Source::Deployment => RSource::Deployment,
                        Source::Organisation => RSource::Organisation,
                        Source::Personal => RSource::Personal,
                        Source::Default => RSource::Default,
                    };
                    (*k, s)
                })
                .collect(),
            layers: out
                .layers
                .iter()
                .map(|(k, l)| {
                    let l = match l {
                        Layer::Deployment => RLayer::Deployment,
                        Layer::Organisation => RLayer::Organisation,
                        Layer::Personal => RLayer::Personal,
                    };
                    (*k, l)
                })
                .collect(),
        };
        same(&out, &reference);
    }
}

#[test]
fn organisation_documents_are_written_as_serde_json_wrote_them() {
    // Byte for byte: the pretty text an administrator may open.
    let reference = |values: &org::Values| {
        let settings: serde_json::Map<String, Value> = values
            .iter()
            .filter(|(f, v)| org::layer_of(f) == Some(Layer::Organisation) && !v.trim().is_empty())
            .map(|(f, v)| (f.clone(), Value::String(v.trim().to_string())))
            .collect();
        let doc = serde_json::json!({ "saveToImis": org::FORMAT_VERSION, "settings": settings });
        serde_json::to_string_pretty(&doc).unwrap()
    };
    let org_fields: Vec<&str> = org::FIELDS
        .iter()
        .filter(|(_, l)| *l == Layer::Organisation)
        .map(|(f, _)| *f)
        .collect();
    let cases: Vec<org::Values> = vec![
        org::Values::new(),
        [("clientId".to_string(), "x".to_string())].into(),
        [(org_fields[0].to_string(), " ".to_string())].into(),
        org_fields
            .iter()
            .map(|f| (f.to_string(), format!(" {HOSTILE} ")))
            .collect(),
    ];
    for values in cases {
        assert_eq!(org::write_document(&values), reference(&values));
    }
}

/// The JSON sent to iMIS and Graph: `serde_json::Value`s written by `jsonw`, byte for
/// byte as serde_json wrote them (the same map order).
#[test]
fn values_are_written_byte_for_byte() {
    for text in [
        r#"{"$type":"Asi.Soa.Core.DataContracts.GenericEntityData, Asi.Contracts","EntityTypeName":"Activity","Properties":{"$type":"Asi.Soa.Core.DataContracts.GenericPropertyDataCollection, Asi.Contracts","$values":[{"$type":"Asi.Soa.Core.DataContracts.GenericPropertyData, Asi.Contracts","Name":"PartyId","Value":"1"},{"Name":"N","Value":{"$type":"System.Int32","$value":0}}]}}"#,
        r#"[null,true,false,0,-1,18446744073709551615,-9223372036854775808,1.5,1e300,"\u0000\ud83d\ude00",{},[]]"#,
    ] {
        let v: Value = serde_json::from_str(text).unwrap();
        let ours = serde_ref::ours(v.clone());
        assert_eq!(jsonw::to_string(&ours), serde_json::to_string(&v).unwrap());
        assert_eq!(ours.to_string(), v.to_string(), "Display is the same text");
    }
    let v = serde_json::json!({ "s": HOSTILE, "n": [1, 2.25, -3], "o": { "b": 1, "a": null } });
    assert_eq!(
        jsonw::to_string(&serde_ref::ours(v.clone())),
        serde_json::to_string(&v).unwrap()
    );
}
