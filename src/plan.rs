//! The plan: from the email, the settings, the chosen contacts and the ticked
//! attachments, decide exactly what will be written to iMIS and under which names,
//! before any request is made.

use crate::imis::model::{document_parts, Contact};
use crate::imis::site;
use crate::item::{Address, AttachmentInfo, AttachmentKind, MailItem};
use crate::names::{distinct_names, email_folder_name, safe_name};
use crate::record::{compose_note, Record};
use crate::settings::Settings;

/// How an attachment reaches iMIS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handling {
    /// Bytes as they are.
    File,
    /// An attached email, meeting or contact, stored as `.eml`, `.ics` or `.vcf`
    /// (the extension follows the item's kind, learnt when it is downloaded).
    Item,
    /// The email itself as MIME (`.eml`), headers included.
    Email,
}

/// The id the pane gives the email itself, to tick it like an attachment.
pub const EMAIL_FILE_ID: &str = "email-file";

#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// Read through Outlook whatever the source (see `AttachmentInfo::host_only`).
    pub host_only: bool,
}

/// A cloud attachment: its bytes live elsewhere, so the link is kept with the activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub id: String,
    pub name: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    pub id: String,
    pub name: String,
    pub reason: String,
    /// Left out by choice (unticked, inline) rather than by a limit.
    pub chosen: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavePlan {
    /// One record per chosen contact.
    pub records: Vec<(Contact, Record)>,
    /// The folder that will hold this email's documents.
    pub folder_parent: String,
    pub folder_name: String,
    pub attachments: Vec<PlannedAttachment>,
    pub links: Vec<Link>,
    pub left_out: Vec<LeftOut>,
    /// The iMIS site's request limit: a download found larger is not sent.
    pub max_request_bytes: u64,
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
    contacts: &[Contact],
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
        } else {
            // The size rule is applied to the name as it will be stored, which can be
            // longer than the email's (an empty name becomes "attachment").
            let name = match a.kind {
                AttachmentKind::Item => eml_name(a.name.trim(), "attached item.eml"),
                _ => safe_name(&a.name, "attachment"),
            };
            match too_large(&name, a.size, settings.max_request_bytes) {
                Some(reason) => left_out.push(leave(a, reason, false)),
                None => chosen.push((a, name)),
            }
        }
    }
    // The email itself first, so it keeps the plain name. Its size is known only once
    // downloaded: the MIME holds the body and every attachment as base64.
    let subject_text = item.subject.trim();
    let mut email_file = None;
    if settings.email_file && selected.iter().any(|s| s == EMAIL_FILE_ID) {
        let attached: u64 = item
            .attachments
            .iter()
            .filter(|a| a.kind != AttachmentKind::Cloud)
            .map(|a| a.size)
            .sum();
        let estimate = attached.div_ceil(3) * 4 + item.body_text.len() as u64 * 2 + 8 * 1024;
        let name = eml_name(subject_text, "email.eml");
        match too_large(&name, estimate, settings.max_request_bytes) {
            Some(reason) => left_out.push(LeftOut {
                id: EMAIL_FILE_ID.into(),
                name: name.clone(),
                reason,
                chosen: false,
            }),
            None => email_file = Some((name, estimate)),
        }
    }
    let mut names: Vec<String> = email_file.iter().map(|(n, _)| n.clone()).collect();
    names.extend(chosen.iter().map(|(_, name)| name.clone()));
    let mut stored = distinct_names(&names).into_iter();
    let mut attachments: Vec<PlannedAttachment> = Vec::new();
    if let Some((name, estimate)) = email_file {
        attachments.push(PlannedAttachment {
            id: EMAIL_FILE_ID.into(),
            office_id: String::new(),
            name,
            stored_name: stored.next().unwrap_or_default(),
            size: estimate,
            handling: Handling::Email,
            host_only: false,
        });
    }
    attachments.extend(
        chosen
            .iter()
            .zip(stored)
            .map(|((a, _), stored_name)| PlannedAttachment {
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
                host_only: a.host_only,
            }),
    );

    let folder_name = email_folder_name(&item.date, &item.subject, &message_id);
    let folder = format!("{}/{folder_name}", settings.document_root);
    let section = planned_section(&folder, &attachments, &links);
    let header = header(item);
    let subject = if item.subject.trim().is_empty() {
        "(no subject)"
    } else {
        item.subject.trim()
    };
    let on_email: Vec<&str> = std::iter::once(&item.from)
        .chain(&item.to)
        .chain(&item.cc)
        .map(|a| a.address.as_str())
        .collect();
    let records = contacts
        .iter()
        .map(|contact| {
            // The contact's address as it appears on this email, else its first one.
            let address = contact
                .emails
                .iter()
                .find(|e| on_email.iter().any(|a| a.eq_ignore_ascii_case(e)))
                .or(contact.emails.first())
                .cloned()
                .unwrap_or_default();
            let record = Record {
                kind: settings.record_kind,
                party_id: contact.party_id.clone(),
                address,
                type_code: settings.activity_type.clone(),
                date: imis_date(&item.date),
                subject: subject.to_string(),
                note: compose_note(
                    &header,
                    &item.body_text,
                    &section,
                    settings.site.note_max_chars,
                ),
                message_key: site::message_key(&message_id),
                interaction_key: site::interaction_key(&message_id),
            };
            (contact.clone(), record)
        })
        .collect();

    SavePlan {
        records,
        folder_parent: settings.document_root.clone(),
        folder_name,
        attachments,
        links,
        left_out,
        max_request_bytes: settings.max_request_bytes,
    }
}

/// `text` and `.eml`, made safe; `fallback` when nothing of `text` is usable (an empty
/// subject would otherwise leave the bare name `eml`, with no extension).
fn eml_name(text: &str, fallback: &str) -> String {
    let name = safe_name(&format!("{text}.eml"), fallback);
    if name.ends_with(".eml") {
        name
    } else {
        fallback.to_string()
    }
}

/// Why an attachment cannot be sent to this iMIS site, when its request (the document's
/// JSON, base64 included) would be over the site's limit; `None` when it fits. Decided
/// before anything is downloaded.
pub fn too_large(name: &str, size: u64, max_request_bytes: u64) -> Option<String> {
    // The longest name and path the document can get, so the answer holds for any
    // stored name ("name (99).ext") inside any email's folder.
    let (head, tail) = document_parts(&format!("{name} (99)"), &"x".repeat(300), "XXXXXX");
    let request = request_bytes(size, head.len() + tail.len());
    (request > max_request_bytes).then(|| {
        format!(
            "too large for this iMIS site: {} is a {} request once encoded for iMIS, over the \
             site's {} limit. An administrator can raise maxRequestLength and \
             maxAllowedContentLength in the iMIS site's web.config, then the iMIS request \
             limit in Setup (README: Raising the size limit).",
            megabytes(size),
            megabytes(request),
            megabytes(max_request_bytes)
        )
    })
}

/// Bytes of a document upload: the JSON around the data plus the file as base64.
pub fn request_bytes(file_bytes: u64, json_bytes: usize) -> u64 {
    file_bytes.div_ceil(3) * 4 + json_bytes as u64
}

fn person(a: &Address) -> String {
    if a.name.trim().is_empty() {
        a.address.clone()
    } else {
        format!("{} <{}>", a.name.trim(), a.address)
    }
}

/// Who the email was from and to, above its body in the note.
fn header(item: &MailItem) -> String {
    let list = |v: &[Address]| v.iter().map(person).collect::<Vec<_>>().join(", ");
    let mut text = format!("From: {}\n", person(&item.from));
    if !item.to.is_empty() {
        text.push_str(&format!("To: {}\n", list(&item.to)));
    }
    if !item.cc.is_empty() {
        text.push_str(&format!("Cc: {}\n", list(&item.cc)));
    }
    text + "\n"
}

/// The attachments section written when the record is made: what will be stored where.
pub fn planned_section(folder: &str, attachments: &[PlannedAttachment], links: &[Link]) -> String {
    let lines: Vec<String> = attachments
        .iter()
        .map(|a| format!("- {} ({})", a.name, size_text(a.size)))
        .collect();
    section(folder, &lines, links)
}

/// The section's text from one line per stored attachment, and the cloud links.
pub fn section(folder: &str, lines: &[String], links: &[Link]) -> String {
    let mut text = String::new();
    if !lines.is_empty() {
        text.push_str(&format!(
            "Attachments, in iMIS folder {folder}:\n{}\n",
            lines.join("\n")
        ));
    }
    if !links.is_empty() {
        text.push_str("Cloud attachments (links, not copied to iMIS):\n");
        for l in links {
            let url = l
                .url
                .as_deref()
                .unwrap_or("(Outlook did not give the link)");
            text.push_str(&format!("- {}: {url}\n", l.name));
        }
    }
    if text.is_empty() {
        text.push_str("No attachments saved.\n");
    }
    text
}

pub fn size_text(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{} KB", crate::text::one_decimal(bytes as f64 / 1024.0))
    } else {
        megabytes(bytes)
    }
}

pub fn megabytes(bytes: u64) -> String {
    format!(
        "{} MB",
        crate::text::one_decimal(bytes as f64 / (1024.0 * 1024.0))
    )
}

/// iMIS dates: `YYYY-MM-DDTHH:MM:SS`, from the ISO 8601 date Office.js gives.
fn imis_date(iso: &str) -> String {
    iso.get(0..19)
        .filter(|d| d.as_bytes()[10] == b'T')
        .unwrap_or(iso)
        .to_string()
}

crate::json_names!(Handling { File => "file", Item => "item", Email => "email" });

crate::json_struct!(PlannedAttachment {
    id => "id",
    office_id => "officeId",
    name => "name",
    stored_name => "storedName",
    size => "size",
    handling => "handling",
    host_only => "hostOnly",
});

crate::json_struct!(Link { id => "id", name => "name", url => "url" });

crate::json_struct!(LeftOut {
    id => "id",
    name => "name",
    reason => "reason",
    chosen => "chosen",
});

crate::json_struct!(SavePlan {
    records => "records",
    folder_parent => "folderParent",
    folder_name => "folderName",
    attachments => "attachments",
    links => "links",
    left_out => "leftOut",
    max_request_bytes => "maxRequestBytes",
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::Address;
    use crate::settings::RecordKind;
    use crate::settings::{validate, RawSettings};

    fn att(id: &str, name: &str, kind: AttachmentKind, is_inline: bool) -> AttachmentInfo {
        AttachmentInfo {
            id: id.into(),
            office_id: format!("office-{id}"),
            host_only: false,
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
    fn records_follow_asis_mapping() {
        let plan = build(
            &item(),
            &settings(RawSettings::default()),
            &[contact()],
            &[],
        );
        let (c, r) = &plan.records[0];
        assert_eq!(
            (
                c.party_id.as_str(),
                r.party_id.as_str(),
                r.type_code.as_str()
            ),
            ("23001", "23001", "EMAIL")
        );
        assert_eq!(
            (r.date.as_str(), r.subject.as_str()),
            ("2026-11-20T09:30:00", "Board papers")
        );
        assert!(
            r.note.starts_with(
                "From: Alex <alex@example.com>\n\nHello\n\n--- Saved by Save to iMIS ---\n"
            ),
            "{}",
            r.note
        );
        assert_eq!(r.message_key, site::message_key("<m1@example.com>"));
        assert_eq!(r.interaction_key, site::interaction_key("<m1@example.com>"));
        let raw = RawSettings {
            record_kind: "interaction".into(),
            ..Default::default()
        };
        let plan = build(
            &item(),
            &settings(raw),
            &[
                contact(),
                Contact {
                    party_id: "9".into(),
                    ..contact()
                },
            ],
            &[],
        );
        assert_eq!(plan.records.len(), 2, "one record per contact");
        assert_eq!(plan.records[1].1.type_code, "EMAIL");
        assert_eq!(plan.records[1].1.kind, RecordKind::Interaction);
    }

    #[test]
    fn long_text_is_bounded_on_character_boundaries() {
        let mut it = item();
        it.subject = "ü".repeat(400);
        it.body_text = "€".repeat(40_000);
        it.internet_message_id.clear();
        let s = settings(RawSettings::default());
        let plan = build(&it, &s, &[contact()], &all_ids());
        let r = &plan.records[0].1;
        assert_eq!(r.subject.chars().count(), 400, "each record kind bounds it");
        assert_eq!(crate::text::units(&r.note), s.site.note_max_chars);
        assert!(
            r.note
                .ends_with("plan.docx: https://contoso.sharepoint.com/plan.docx\n"),
            "the section survives"
        );
        assert_eq!(r.message_key, site::message_key("AAMk_1"));
        it.subject = "   ".into();
        let plan = build(&it, &s, &[contact()], &[]);
        assert_eq!(plan.records[0].1.subject, "(no subject)");
    }

    #[test]
    fn every_kind_is_planned_with_safe_distinct_names() {
        let plan = build(
            &item(),
            &settings(RawSettings::default()),
            &[contact()],
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
    fn the_note_lists_attachments_and_links() {
        let plan = build(
            &item(),
            &settings(RawSettings::default()),
            &[contact()],
            &all_ids(),
        );
        let note = &plan.records[0].1.note;
        assert!(
            note.contains(&format!(
                "Attachments, in iMIS folder {}:\n- agenda.pdf (10 B)\n",
                plan.folder_path()
            )),
            "{note}"
        );
        assert!(note.contains("- <b>x</b>.pdf (10 B)"));
        assert!(note.contains("Cloud attachments (links, not copied to iMIS):\n- plan.docx: https://contoso.sharepoint.com/plan.docx"));
    }

    #[test]
    fn inline_images_follow_the_setting() {
        let raw = RawSettings {
            include_inline: "true".into(),
            ..Default::default()
        };
        let plan = build(&item(), &settings(raw), &[contact()], &all_ids());
        assert!(plan.attachments.iter().any(|a| a.stored_name == "logo.png"));
        assert!(plan.left_out.is_empty());
    }

    #[test]
    fn attachments_whose_request_is_over_the_limit_are_not_attempted() {
        let mut it = item();
        // A stock site: 10 MiB per request; 7.5 MiB of file is 10 MiB of base64.
        it.attachments[0].size = 8_000_000;
        it.attachments[1].size = 0;
        it.attachments[4].size = 7_700_000;
        let plan = build(
            &it,
            &settings(RawSettings::default()),
            &[contact()],
            &all_ids(),
        );
        let big = plan.left_out.iter().find(|l| l.id == "a").unwrap();
        assert!(
            big.reason.starts_with(
                "too large for this iMIS site: 7.6 MB is a 10.2 MB request once encoded for iMIS, over the site's 10.0 MB limit."
            ),
            "{}",
            big.reason
        );
        assert!(big.reason.contains("maxAllowedContentLength"));
        assert!(!big.chosen);
        assert!(plan.attachments.iter().any(|a| a.id == "e"), "7.7 MB fits");
        let empty = plan.attachments.iter().find(|a| a.id == "b").unwrap();
        assert_eq!((empty.size, empty.stored_name.as_str()), (0, "Agenda.pdf"));
        let raw = RawSettings {
            max_request_mb: "20".into(),
            ..Default::default()
        };
        let plan = build(&it, &settings(raw), &[contact()], &all_ids());
        assert!(plan.attachments.iter().any(|a| a.id == "a"));
        assert_eq!(request_bytes(3, 10), 14);
        assert_eq!(request_bytes(4, 0), 8);
    }

    #[test]
    fn unticked_attachments_are_left_out() {
        let plan = build(
            &item(),
            &settings(RawSettings::default()),
            &[contact()],
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
    fn nameless_emails_and_items_keep_eml_names_and_meet_the_limit_as_stored() {
        let mut it = item();
        it.subject = " ".into();
        it.attachments = vec![att("d", "", AttachmentKind::Item, false)];
        let ids = ["d".to_string(), EMAIL_FILE_ID.to_string()];
        let s = settings(RawSettings::default());
        let plan = build(&it, &s, &[contact()], &ids);
        let names: Vec<_> = plan
            .attachments
            .iter()
            .map(|a| a.stored_name.as_str())
            .collect();
        assert_eq!(names, ["email.eml", "attached item.eml"]);
        // A size that fits under an empty name but not under the name it is stored as.
        let max = s.max_request_bytes;
        let size = ((max - 2_000) / 4 * 3..)
            .find(|&n| too_large("attachment", n, max).is_some())
            .unwrap();
        assert!(too_large("", size, max).is_none());
        it.attachments = vec![AttachmentInfo {
            size,
            ..att("a", "", AttachmentKind::File, false)
        }];
        let plan = build(&it, &s, &[contact()], &["a".to_string()]);
        assert!(plan.attachments.is_empty() && plan.left_out[0].id == "a");
    }

    #[test]
    fn the_email_itself_is_planned_first_when_ticked() {
        let mut it = item();
        it.subject = "Fwd: minutes".into();
        let mut ids = all_ids();
        ids.push(EMAIL_FILE_ID.into());
        let plan = build(&it, &settings(RawSettings::default()), &[contact()], &ids);
        let email = &plan.attachments[0];
        assert_eq!(
            (
                email.id.as_str(),
                email.stored_name.as_str(),
                email.handling
            ),
            (EMAIL_FILE_ID, "Fwd_ minutes.eml", Handling::Email)
        );
        let item_file = plan.attachments.iter().find(|a| a.id == "d").unwrap();
        assert_eq!(
            item_file.stored_name, "Fwd_ minutes (2).eml",
            "distinct from the email"
        );
        // Off in Setup, or unticked: not planned.
        let off = RawSettings {
            email_file: "false".into(),
            ..Default::default()
        };
        assert!(!build(&it, &settings(off), &[contact()], &ids)
            .attachments
            .iter()
            .any(|a| a.id == EMAIL_FILE_ID));
        assert!(!build(
            &it,
            &settings(RawSettings::default()),
            &[contact()],
            &all_ids()
        )
        .attachments
        .iter()
        .any(|a| a.id == EMAIL_FILE_ID));
        // Its attachments alone would be over the limit: never downloaded.
        it.attachments[0].size = 9_000_000;
        let plan = build(&it, &settings(RawSettings::default()), &[contact()], &ids);
        let left = plan
            .left_out
            .iter()
            .find(|l| l.id == EMAIL_FILE_ID)
            .unwrap();
        assert!(
            left.reason.starts_with("too large for this iMIS site"),
            "{}",
            left.reason
        );
    }
}
