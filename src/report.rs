//! What the save did, for the pane: progress events while it runs, and the final
//! report of what was stored where, what failed and why.

use std::cell::Cell;

use crate::imis::model::Contact;
use crate::plan::LeftOut;
use crate::settings::RecordKind;

/// A step of the save, sent to the pane as it happens.
#[derive(Debug, Clone, PartialEq)]
pub enum Event<'a> {
    Activity {
        phase: &'static str,
        activity_id: Option<&'a str>,
    },
    /// `phase`: waiting, downloading, uploading, retrying, saved, existing, failed,
    /// cancelled (with `detail`: the save was cancelled before this one was stored),
    /// linked, leftOut. `done`/`total` are bytes, for progress bars.
    Attachment {
        id: &'a str,
        phase: &'static str,
        detail: Option<&'a str>,
        done: Option<u64>,
        total: Option<u64>,
    },
}

impl<'a> Event<'a> {
    pub fn attachment(id: &'a str, phase: &'static str) -> Self {
        Event::Attachment {
            id,
            phase,
            detail: None,
            done: None,
            total: None,
        }
    }

    pub fn detail(id: &'a str, phase: &'static str, detail: &'a str) -> Self {
        Event::Attachment {
            id,
            phase,
            detail: Some(detail),
            done: None,
            total: None,
        }
    }

    pub fn bytes(id: &'a str, phase: &'static str, done: u64, total: u64) -> Self {
        Event::Attachment {
            id,
            phase,
            detail: None,
            done: Some(done),
            total: Some(total),
        }
    }
}

/// Says when a progress event is worth sending: every 2% or 256 KB, and at the end.
pub struct Throttle {
    total: u64,
    step: u64,
    next: Cell<u64>,
}

impl Throttle {
    pub fn new(total: u64) -> Self {
        let step = (total / 50).max(256 * 1024);
        Throttle {
            total,
            step,
            next: Cell::new(0),
        }
    }

    pub fn due(&self, done: u64) -> bool {
        if done >= self.next.get() || done >= self.total {
            self.next.set(done + self.step);
            true
        } else {
            false
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Saved {
        document_id: String,
        path: String,
    },
    /// A previous save stored it already; nothing was uploaded again.
    AlreadySaved {
        document_id: String,
        path: String,
    },
    /// A cloud attachment: its link is in the activity's note.
    Linked {
        url: Option<String>,
    },
    Failed {
        reason: String,
        /// Whether saving again can help (a busy or unreachable service), or not (too
        /// large for the site, refused by iMIS's rules, no way to read it).
        again: bool,
    },
    /// The save was cancelled before this one was uploaded: nothing of it is in iMIS;
    /// a second save adds it.
    Cancelled {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentResult {
    pub id: String,
    pub name: String,
    pub stored_name: String,
    pub size: u64,
    pub outcome: Outcome,
}

/// The record (activity or interaction) saved for one contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordResult {
    pub contact: Contact,
    pub id: String,
    /// What it is: an activity, or an interaction.
    pub kind: RecordKind,
    /// True when the email had been saved for this contact before: no new record was made.
    pub existed: bool,
    /// Opens the contact in iMIS, when Setup has a link template.
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub records: Vec<RecordResult>,
    pub folder: Option<String>,
    pub attachments: Vec<AttachmentResult>,
    pub left_out: Vec<LeftOut>,
    /// Why attachments were not saved, or were read another way, when that is so.
    pub notice: Option<String>,
    /// Where the attachments' content came from: "graph", "outlook" or none.
    pub source: Option<&'static str>,
    /// The user cancelled the save and it stopped something: an attachment (status
    /// "cancelled") or a contact's record (`cancelledContacts`).
    pub cancelled: bool,
    /// The chosen contacts the email was not saved for, the save being cancelled first.
    pub cancelled_contacts: Vec<Contact>,
}

impl crate::jsonw::ToJson for Event<'_> {
    fn write_json(&self, out: &mut String) {
        let mut o = crate::jsonw::Obj::new(out);
        match self {
            Event::Activity { phase, activity_id } => {
                o.field("type", &"activity")
                    .field("phase", phase)
                    .field("activityId", activity_id);
            }
            Event::Attachment {
                id,
                phase,
                detail,
                done,
                total,
            } => {
                o.field("type", &"attachment")
                    .field("id", id)
                    .field("phase", phase)
                    .field("detail", detail)
                    .field("done", done)
                    .field("total", total);
            }
        }
        o.end();
    }
}

impl crate::jsonw::Fields for Outcome {
    fn fields(&self, o: &mut crate::jsonw::Obj) {
        match self {
            Outcome::Saved { document_id, path } => {
                o.field("status", &"saved")
                    .field("documentId", document_id)
                    .field("path", path);
            }
            Outcome::AlreadySaved { document_id, path } => {
                o.field("status", &"alreadySaved")
                    .field("documentId", document_id)
                    .field("path", path);
            }
            Outcome::Linked { url } => {
                o.field("status", &"linked").field("url", url);
            }
            Outcome::Failed { reason, again } => {
                o.field("status", &"failed")
                    .field("reason", reason)
                    .field("again", again);
            }
            Outcome::Cancelled { reason } => {
                o.field("status", &"cancelled").field("reason", reason);
            }
        }
    }
}

impl crate::jsonw::Fields for AttachmentResult {
    fn fields(&self, o: &mut crate::jsonw::Obj) {
        o.field("id", &self.id)
            .field("name", &self.name)
            .field("storedName", &self.stored_name)
            .field("size", &self.size);
        self.outcome.fields(o);
    }
}

impl crate::jsonw::ToJson for AttachmentResult {
    fn write_json(&self, out: &mut String) {
        crate::jsonw::object(out, self);
    }
}

crate::json_struct!(RecordResult {
    contact => "contact",
    id => "id",
    kind => "kind",
    existed => "existed",
    link => "link",
});

crate::json_struct!(Report {
    records => "records",
    folder => "folder",
    attachments => "attachments",
    left_out => "leftOut",
    notice => "notice",
    source => "source",
    cancelled => "cancelled",
    cancelled_contacts => "cancelledContacts",
});

impl Report {
    /// Marks the report cancelled when the cancel stopped something, and says so in the
    /// notice: for whom the email was not saved, how many attachments were not stored,
    /// and that saving again adds only what is missing.
    pub fn finish_cancel(&mut self) {
        let attachments = self
            .attachments
            .iter()
            .filter(|a| matches!(a.outcome, Outcome::Cancelled { .. }))
            .count();
        self.cancelled = attachments > 0 || !self.cancelled_contacts.is_empty();
        if !self.cancelled {
            return;
        }
        let mut line = String::from("The save was cancelled.");
        if !self.cancelled_contacts.is_empty() {
            let names: Vec<&str> = self
                .cancelled_contacts
                .iter()
                .map(|c| c.full_name.as_str())
                .collect();
            line.push_str(&format!(
                " The email was not saved for {}.",
                names.join(", ")
            ));
        }
        match attachments {
            0 => {}
            1 => line.push_str(" 1 attachment was not stored."),
            n => line.push_str(&format!(" {n} attachments were not stored.")),
        }
        line.push_str(" Save this email again to add what is missing.");
        self.notice = Some(match self.notice.take() {
            Some(n) => format!("{n} {line}"),
            None => line,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_sent_in_steps_and_at_the_end() {
        let t = Throttle::new(100 * 1024 * 1024);
        let sent: Vec<u64> = (0..=1600u64)
            .map(|i| i * 64 * 1024)
            .filter(|&d| t.due(d))
            .collect();
        assert_eq!(sent.len(), 51, "every 2% and the last");
        assert_eq!(*sent.last().unwrap(), 100 * 1024 * 1024);
        let small = Throttle::new(1000);
        assert!(small.due(10));
        assert!(!small.due(500));
        assert!(small.due(1000));
    }

    fn report(outcomes: Vec<Outcome>, cancelled_contacts: Vec<Contact>) -> Report {
        Report {
            records: Vec::new(),
            folder: None,
            attachments: outcomes
                .into_iter()
                .enumerate()
                .map(|(i, outcome)| AttachmentResult {
                    id: format!("a{i}"),
                    name: format!("a{i}.pdf"),
                    stored_name: format!("a{i}.pdf"),
                    size: 3,
                    outcome,
                })
                .collect(),
            left_out: Vec::new(),
            notice: None,
            source: None,
            cancelled: false,
            cancelled_contacts,
        }
    }

    fn saved() -> Outcome {
        Outcome::Saved {
            document_id: "d".into(),
            path: "$/x/a.pdf".into(),
        }
    }

    fn cancelled() -> Outcome {
        Outcome::Cancelled {
            reason: crate::cancel::CANCELLED_REASON.into(),
        }
    }

    #[test]
    fn a_cancelled_attachment_serialises_with_its_status_and_reason() {
        let r = report(vec![cancelled()], Vec::new());
        let json = serde_json::from_str::<serde_json::Value>(&crate::jsonw::to_string(&r)).unwrap();
        assert_eq!(json["attachments"][0]["status"], "cancelled");
        assert_eq!(
            json["attachments"][0]["reason"],
            "Cancelled before it was saved."
        );
        assert_eq!(json["cancelled"], false, "set by finish_cancel only");
        assert_eq!(json["cancelledContacts"], serde_json::json!([]));
    }

    #[test]
    fn a_cancel_that_stopped_attachments_is_reported_and_counted() {
        let mut r = report(vec![saved(), cancelled(), cancelled()], Vec::new());
        r.notice = Some("Read through Outlook.".into());
        r.finish_cancel();
        assert!(r.cancelled);
        assert_eq!(
            r.notice.as_deref(),
            Some(
                "Read through Outlook. The save was cancelled. 2 attachments were not stored. \
                 Save this email again to add what is missing."
            )
        );
    }

    #[test]
    fn a_cancel_that_stopped_a_contact_names_it() {
        let sam = Contact {
            party_id: "23".into(),
            full_name: "Sam Board".into(),
            emails: Vec::new(),
        };
        let mut r = report(vec![cancelled()], vec![sam]);
        r.finish_cancel();
        assert!(r.cancelled);
        assert_eq!(
            r.notice.as_deref(),
            Some(
                "The save was cancelled. The email was not saved for Sam Board. 1 attachment \
                 was not stored. Save this email again to add what is missing."
            )
        );
    }

    #[test]
    fn a_cancel_that_came_too_late_to_stop_anything_is_not_reported() {
        let mut r = report(vec![saved()], Vec::new());
        r.finish_cancel();
        assert!(!r.cancelled);
        assert_eq!(r.notice, None);
    }

    #[test]
    fn outcomes_serialise_flat_for_the_pane() {
        let r = AttachmentResult {
            id: "a".into(),
            name: "a.pdf".into(),
            stored_name: "a.pdf".into(),
            size: 3,
            outcome: Outcome::Saved {
                document_id: "d1".into(),
                path: "$/x/a.pdf".into(),
            },
        };
        let json = serde_json::from_str::<serde_json::Value>(&crate::jsonw::to_string(&r)).unwrap();
        assert_eq!(json["status"], "saved");
        assert_eq!(json["documentId"], "d1");
        assert_eq!(json["path"], "$/x/a.pdf");
    }
}
