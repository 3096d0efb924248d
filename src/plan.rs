//! The plan: from the email, the settings, the chosen contact and the ticked
//! attachments, decide exactly what will be written to iMIS and under which names,
//! before any request is made.

use serde::Serialize;
use serde_json::{json, Value};

use crate::imis::model::{generic_entity, Contact};
use crate::imis::site;
use crate::item::{AttachmentKind, MailItem};
use crate::names::{distinct_names, email_folder_name, safe_name};
use crate::settings::Settings;

/// The activity's fields, mapped as ASI's own Outlook integration documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityFields {
    pub party_id: String,
    pub activity_type: String,
    /// `YYYY-MM-DDTHH:MM:SS`.
    pub date: String,
    pub description: String,
    pub note: String,
    /// `site::message_key` of the email's `internetMessageId`.
    pub message_key: String,
}

impl ActivityFields {
    pub fn to_entity(&self) -> Value {
        generic_entity(
            "Activity",
            &[
                (site::ACTIVITY_PARTY, json!(self.party_id)),
                (site::ACTIVITY_TYPE, json!(self.activity_type)),
                (site::ACTIVITY_DATE, json!(self.date)),
                (site::ACTIVITY_DESCRIPTION, json!(self.description)),
                (site::ACTIVITY_NOTE, json!(self.note)),
                (site::ACTIVITY_MESSAGE_KEY, json!(self.message_key)),
            ],
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedAttachment {
    pub id: String,
    /// As the email names it: shown to the user, never used as a path.
    pub name: String,
    pub stored_name: String,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeftOut {
    pub id: String,
    pub name: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavePlan {
    pub contact: Contact,
    pub activity: ActivityFields,
    /// The folder that will hold this email's documents.
    pub folder_parent: String,
    pub folder_name: String,
    pub attachments: Vec<PlannedAttachment>,
    pub left_out: Vec<LeftOut>,
    /// Why no attachment is saved at all, when that is so.
    pub notice: Option<String>,
}

impl SavePlan {
    pub fn folder_path(&self) -> String {
        format!("{}/{}", self.folder_parent, self.folder_name)
    }
}

pub const NO_CLIENT_ID_NOTICE: &str =
    "Attachments were not included: no Microsoft Entra app is set up for \
     this add-in. An administrator must register the app and enter its Application (client) ID \
     in Menu > Setup.";

/// `selected`: attachment ids the user left ticked.
pub fn build(
    item: &MailItem,
    settings: &Settings,
    contact: &Contact,
    selected: &[String],
) -> SavePlan {
    let message_id = if item.internet_message_id.is_empty() {
        item.rest_id.clone()
    } else {
        item.internet_message_id.clone()
    };
    let activity = ActivityFields {
        party_id: contact.party_id.clone(),
        activity_type: settings.activity_type.clone(),
        date: imis_date(&item.date),
        description: bounded(
            if item.subject.trim().is_empty() {
                "(no subject)"
            } else {
                item.subject.trim()
            },
            site::DESCRIPTION_MAX_CHARS,
        ),
        note: bounded(&item.body_text, site::NOTE_MAX_CHARS),
        message_key: site::message_key(&message_id),
    };

    let mut chosen = Vec::new();
    let mut left_out = Vec::new();
    for a in &item.attachments {
        let reason = if !selected.contains(&a.id) {
            Some("not ticked")
        } else if a.is_inline {
            Some("inline image in the email's body")
        } else if a.kind != AttachmentKind::File {
            Some("only file attachments are saved")
        } else {
            None
        };
        match reason {
            Some(reason) => left_out.push(LeftOut {
                id: a.id.clone(),
                name: a.name.clone(),
                reason: reason.into(),
            }),
            None => chosen.push(a),
        }
    }
    let safe: Vec<String> = chosen
        .iter()
        .map(|a| safe_name(&a.name, "attachment"))
        .collect();
    let attachments = chosen
        .iter()
        .zip(distinct_names(&safe))
        .map(|(a, stored_name)| PlannedAttachment {
            id: a.id.clone(),
            name: a.name.clone(),
            stored_name,
            size: a.size,
        })
        .collect::<Vec<_>>();

    let notice = (settings.client_id.is_none() && !attachments.is_empty())
        .then(|| NO_CLIENT_ID_NOTICE.to_string());
    SavePlan {
        contact: contact.clone(),
        activity,
        folder_parent: settings.document_root.clone(),
        folder_name: email_folder_name(&item.date, &item.subject, &message_id),
        attachments,
        left_out,
        notice,
    }
}

/// iMIS dates: `YYYY-MM-DDTHH:MM:SS`, from the ISO 8601 date Office.js gives.
fn imis_date(iso: &str) -> String {
    iso.get(0..19)
        .filter(|d| d.as_bytes()[10] == b'T')
        .unwrap_or(iso)
        .to_string()
}

/// At most `max` characters, never cutting one in half.
fn bounded(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::{Address, AttachmentInfo};
    use crate::settings::{validate, RawSettings};

    fn item() -> MailItem {
        let att = |id: &str, name: &str, kind, is_inline| AttachmentInfo {
            id: id.into(),
            name: name.into(),
            content_type: "application/pdf".into(),
            size: 10,
            kind,
            is_inline,
        };
        MailItem {
            mode: Default::default(),
            rest_id: "AAMk_1".into(),
            shared_mailbox: None,
            subject: "  Board papers ".into(),
            from: Address {
                name: "Alex".into(),
                address: "alex@example.com".into(),
            },
            to: vec![],
            cc: vec![],
            date: "2026-11-20T09:30:00.000Z".into(),
            internet_message_id: "<m1@example.com>".into(),
            body_text: "Hello".into(),
            attachments: vec![
                att("a", "agenda.pdf", AttachmentKind::File, false),
                att("b", "Agenda.pdf", AttachmentKind::File, false),
                att("c", "logo.png", AttachmentKind::File, true),
                att("d", "Fwd: minutes", AttachmentKind::Item, false),
                att("e", "<b>x</b>.pdf", AttachmentKind::File, false),
            ],
        }
    }

    fn settings(client_id: &str) -> Settings {
        validate(
            &RawSettings {
                client_id: client_id.into(),
                ..Default::default()
            },
            &[],
        )
        .unwrap()
    }

    fn contact() -> Contact {
        Contact {
            party_id: "23001".into(),
            full_name: "Alex Member".into(),
            emails: vec![],
        }
    }

    fn all_ids() -> Vec<String> {
        ["a", "b", "c", "d", "e"].map(String::from).to_vec()
    }

    #[test]
    fn activity_fields_follow_asis_mapping() {
        let plan = build(&item(), &settings(""), &contact(), &[]);
        let a = &plan.activity;
        assert_eq!(
            (a.party_id.as_str(), a.activity_type.as_str()),
            ("23001", "EMAIL")
        );
        assert_eq!(
            (a.date.as_str(), a.description.as_str(), a.note.as_str()),
            ("2026-11-20T09:30:00", "Board papers", "Hello")
        );
        assert_eq!(a.message_key, site::message_key("<m1@example.com>"));
        let entity = a.to_entity();
        assert_eq!(
            crate::imis::model::property(&entity, "TRANSACTION_DATE"),
            Some(&json!("2026-11-20T09:30:00"))
        );
        assert_eq!(
            crate::imis::model::property(&entity, "SOURCE_CODE"),
            Some(&json!(a.message_key))
        );
    }

    #[test]
    fn long_text_is_bounded_on_character_boundaries() {
        let mut it = item();
        it.subject = "ü".repeat(400);
        it.body_text = "€".repeat(40_000);
        it.internet_message_id.clear();
        let plan = build(&it, &settings(""), &contact(), &[]);
        assert_eq!(plan.activity.description.chars().count(), 255);
        assert_eq!(plan.activity.note.chars().count(), site::NOTE_MAX_CHARS);
        assert_eq!(plan.activity.message_key, site::message_key("AAMk_1"));
        it.subject = "   ".into();
        assert_eq!(
            build(&it, &settings(""), &contact(), &[])
                .activity
                .description,
            "(no subject)"
        );
    }

    #[test]
    fn attachments_chosen_named_and_left_out_with_reasons() {
        let plan = build(
            &item(),
            &settings("4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43"),
            &contact(),
            &all_ids(),
        );
        let stored: Vec<_> = plan
            .attachments
            .iter()
            .map(|a| a.stored_name.as_str())
            .collect();
        assert_eq!(stored, ["agenda.pdf", "Agenda (2).pdf", "_b_x__b_.pdf"]);
        assert_eq!(plan.attachments[2].name, "<b>x</b>.pdf");
        let reasons: Vec<_> = plan
            .left_out
            .iter()
            .map(|l| (l.id.as_str(), l.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                ("c", "inline image in the email's body"),
                ("d", "only file attachments are saved")
            ]
        );
        assert_eq!(plan.notice, None);
        assert!(plan
            .folder_path()
            .starts_with("$/Common/Email/2026-11-20 0930 Board papers ["));
    }

    #[test]
    fn unticked_attachments_are_left_out() {
        let plan = build(
            &item(),
            &settings("4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43"),
            &contact(),
            &["b".to_string()],
        );
        assert_eq!(plan.attachments.len(), 1);
        assert_eq!(plan.attachments[0].stored_name, "Agenda.pdf");
        assert!(plan
            .left_out
            .iter()
            .any(|l| l.id == "a" && l.reason == "not ticked"));
    }

    #[test]
    fn without_a_client_id_the_plan_says_why_attachments_are_missing() {
        let plan = build(&item(), &settings(""), &contact(), &all_ids());
        assert_eq!(plan.notice.as_deref(), Some(NO_CLIENT_ID_NOTICE));
    }
}
