//! The plan: from the email, the settings, the chosen contact and the ticked
//! attachments, decide exactly what will be written to iMIS and under which names,
//! before any request is made.

use serde::Serialize;
use serde_json::{json, Value};

use crate::imis::model::{generic_entity, Contact};
use crate::imis::site;
use crate::item::{AttachmentInfo, AttachmentKind, MailItem};
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

/// How an attachment reaches iMIS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Handling {
    /// Bytes as they are.
    File,
    /// An attached email, meeting or contact, stored as `.eml`, `.ics` or `.vcf`
    /// (the extension follows the content type the download reports).
    Item,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedAttachment {
    /// Graph's (REST) id.
    pub id: String,
    /// Office.js's id, for reading the content through the host.
    pub office_id: String,
    /// As the email names it: shown to the user, never used as a path.
    pub name: String,
    pub stored_name: String,
    pub size: u64,
    pub handling: Handling,
}

/// A cloud attachment: its bytes live elsewhere, so the link is kept with the activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    pub id: String,
    pub name: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeftOut {
    pub id: String,
    pub name: String,
    pub reason: String,
    /// Left out by choice (unticked, inline) rather than by a limit.
    pub chosen: bool,
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
    pub links: Vec<Link>,
    pub left_out: Vec<LeftOut>,
}

impl SavePlan {
    pub fn folder_path(&self) -> String {
        format!("{}/{}", self.folder_parent, self.folder_name)
    }
}

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

    let mut chosen = Vec::new();
    let mut links = Vec::new();
    let mut left_out = Vec::new();
    let leave = |a: &AttachmentInfo, reason: String, chosen: bool| LeftOut {
        id: a.id.clone(),
        name: a.name.clone(),
        reason,
        chosen,
    };
    for a in &item.attachments {
        if !selected.contains(&a.id) {
            left_out.push(leave(a, "not ticked".into(), true));
        } else if a.is_inline && !settings.include_inline {
            left_out.push(leave(
                a,
                "inline image (a logo or picture in the text); Setup can include these".into(),
                true,
            ));
        } else if a.kind == AttachmentKind::Cloud {
            links.push(Link {
                id: a.id.clone(),
                name: a.name.clone(),
                url: a.url.clone(),
            });
        } else if a.size > settings.max_attachment_bytes {
            left_out.push(leave(
                a,
                format!(
                    "too large for iMIS: {} (the limit in Setup is {})",
                    megabytes(a.size),
                    megabytes(settings.max_attachment_bytes)
                ),
                false,
            ));
        } else {
            chosen.push(a);
        }
    }
    let names: Vec<String> = chosen
        .iter()
        .map(|a| match a.kind {
            AttachmentKind::Item => {
                safe_name(&format!("{}.eml", a.name.trim()), "attached item.eml")
            }
            _ => safe_name(&a.name, "attachment"),
        })
        .collect();
    let attachments = chosen
        .iter()
        .zip(distinct_names(&names))
        .map(|(a, stored_name)| PlannedAttachment {
            id: a.id.clone(),
            office_id: a.office_id.clone(),
            name: a.name.clone(),
            stored_name,
            size: a.size,
            handling: if a.kind == AttachmentKind::Item {
                Handling::Item
            } else {
                Handling::File
            },
        })
        .collect();

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
        note: bounded(&note(&item.body_text, &links), site::NOTE_MAX_CHARS),
        message_key: site::message_key(&message_id),
    };

    SavePlan {
        contact: contact.clone(),
        activity,
        folder_parent: settings.document_root.clone(),
        folder_name: email_folder_name(&item.date, &item.subject, &message_id),
        attachments,
        links,
        left_out,
    }
}

/// The links first, so a long body can never push them out of the note.
fn note(body: &str, links: &[Link]) -> String {
    if links.is_empty() {
        return body.to_string();
    }
    let mut text = String::from("Cloud attachments (links, not copied to iMIS):\n");
    for l in links {
        let url = l
            .url
            .as_deref()
            .unwrap_or("(Outlook did not give the link)");
        text.push_str(&format!("- {}: {url}\n", l.name));
    }
    format!("{text}\n{body}")
}

pub fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
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
    use crate::item::Address;
    use crate::settings::{validate, RawSettings};

    fn att(id: &str, name: &str, kind: AttachmentKind, is_inline: bool) -> AttachmentInfo {
        AttachmentInfo {
            id: id.into(),
            office_id: format!("office-{id}"),
            name: name.into(),
            content_type: "application/pdf".into(),
            size: 10,
            kind,
            is_inline,
            url: None,
        }
    }

    fn item() -> MailItem {
        MailItem {
            mode: Default::default(),
            rest_id: "AAMk_1".into(),
            shared_mailbox: None,
            mailbox_unknown: false,
            host_content: true,
            user_address: "dana@example.org".into(),
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
                AttachmentInfo {
                    url: Some("https://contoso.sharepoint.com/plan.docx".into()),
                    ..att("f", "plan.docx", AttachmentKind::Cloud, false)
                },
            ],
        }
    }

    fn settings(raw: RawSettings) -> Settings {
        validate(&raw, &[]).unwrap()
    }

    fn contact() -> Contact {
        Contact {
            party_id: "23001".into(),
            full_name: "Alex Member".into(),
            emails: vec![],
        }
    }

    fn all_ids() -> Vec<String> {
        ["a", "b", "c", "d", "e", "f"].map(String::from).to_vec()
    }

    #[test]
    fn activity_fields_follow_asis_mapping() {
        let plan = build(&item(), &settings(RawSettings::default()), &contact(), &[]);
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
        let plan = build(&it, &settings(RawSettings::default()), &contact(), &[]);
        assert_eq!(plan.activity.description.chars().count(), 255);
        assert_eq!(plan.activity.note.chars().count(), site::NOTE_MAX_CHARS);
        assert_eq!(plan.activity.message_key, site::message_key("AAMk_1"));
        it.subject = "   ".into();
        let plan = build(&it, &settings(RawSettings::default()), &contact(), &[]);
        assert_eq!(plan.activity.description, "(no subject)");
    }

    #[test]
    fn every_kind_is_planned_with_safe_distinct_names() {
        let plan = build(
            &item(),
            &settings(RawSettings::default()),
            &contact(),
            &all_ids(),
        );
        let stored: Vec<_> = plan
            .attachments
            .iter()
            .map(|a| (a.stored_name.as_str(), a.handling))
            .collect();
        assert_eq!(
            stored,
            [
                ("agenda.pdf", Handling::File),
                ("Agenda (2).pdf", Handling::File),
                ("Fwd_ minutes.eml", Handling::Item),
                ("_b_x__b_.pdf", Handling::File),
            ]
        );
        assert_eq!(plan.attachments[3].name, "<b>x</b>.pdf");
        assert_eq!(plan.attachments[0].office_id, "office-a");
        assert_eq!(
            plan.links,
            [Link {
                id: "f".into(),
                name: "plan.docx".into(),
                url: Some("https://contoso.sharepoint.com/plan.docx".into())
            }]
        );
        let left: Vec<_> = plan
            .left_out
            .iter()
            .map(|l| (l.id.as_str(), l.chosen))
            .collect();
        assert_eq!(left, [("c", true)]);
        assert!(plan.left_out[0].reason.starts_with("inline image"));
        assert!(plan
            .folder_path()
            .starts_with("$/Common/Email/2026-11-20 0930 Board papers ["));
    }

    #[test]
    fn cloud_links_lead_the_note_and_survive_a_long_body() {
        let mut it = item();
        it.body_text = "x".repeat(50_000);
        let plan = build(
            &it,
            &settings(RawSettings::default()),
            &contact(),
            &all_ids(),
        );
        assert!(plan.activity.note.starts_with(
            "Cloud attachments (links, not copied to iMIS):\n- plan.docx: https://contoso.sharepoint.com/plan.docx\n\nxxx"
        ));
        assert_eq!(plan.activity.note.chars().count(), site::NOTE_MAX_CHARS);
    }

    #[test]
    fn inline_images_follow_the_setting() {
        let raw = RawSettings {
            include_inline: "true".into(),
            ..Default::default()
        };
        let plan = build(&item(), &settings(raw), &contact(), &all_ids());
        assert!(plan.attachments.iter().any(|a| a.stored_name == "logo.png"));
        assert!(plan.left_out.is_empty());
    }

    #[test]
    fn attachments_over_the_limit_are_not_attempted() {
        let mut it = item();
        it.attachments[0].size = 3 * 1024 * 1024;
        it.attachments[1].size = 0;
        let raw = RawSettings {
            max_attachment_mb: "2".into(),
            ..Default::default()
        };
        let plan = build(&it, &settings(raw), &contact(), &all_ids());
        let big = plan.left_out.iter().find(|l| l.id == "a").unwrap();
        assert_eq!(
            big.reason,
            "too large for iMIS: 3.0 MB (the limit in Setup is 2.0 MB)"
        );
        assert!(!big.chosen);
        let empty = plan.attachments.iter().find(|a| a.id == "b").unwrap();
        assert_eq!((empty.size, empty.stored_name.as_str()), (0, "Agenda.pdf"));
    }

    #[test]
    fn unticked_attachments_are_left_out() {
        let plan = build(
            &item(),
            &settings(RawSettings::default()),
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
}
