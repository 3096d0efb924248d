//! The iMIS record an email becomes, one per chosen contact: an activity or an
//! interaction, mapped as ASI's own Outlook integration documents (subject ->
//! description, body -> note, sent date -> date, other recipients -> participants).
//! The note ends with a section listing the attachments; it follows a marker line, so
//! the section can be replaced after the uploads without touching anything above it.

use serde::Serialize;
use serde_json::{json, Value};

use crate::imis::model::generic_entity;
use crate::imis::site::SiteProfile;
use crate::settings::RecordKind;
pub use crate::text::bounded;

pub const MARKER: &str = "--- Saved by Save to iMIS ---";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    pub kind: RecordKind,
    pub party_id: String,
    /// Activity type, or interaction type.
    pub type_code: String,
    /// `YYYY-MM-DDTHH:MM:SS`.
    pub date: String,
    pub subject: String,
    pub sender: String,
    /// Everyone else on the email: the participants.
    pub recipients: String,
    /// Header, body and the attachments section, within the note's length.
    pub note: String,
    pub message_key: String,
}

impl Record {
    pub fn entity_name<'a>(&self, site: &'a SiteProfile) -> &'a str {
        match self.kind {
            RecordKind::Activity => "Activity",
            RecordKind::Interaction => &site.interaction_entity,
        }
    }

    /// The properties that find a saved email again: the contact and the key.
    pub fn key_properties<'a>(&self, site: &'a SiteProfile) -> (&'a str, &'a str) {
        match self.kind {
            RecordKind::Activity => (&site.activity_party, &site.activity_message_key),
            RecordKind::Interaction => (&site.interaction_party, &site.interaction_message_key),
        }
    }

    pub fn note_property<'a>(&self, site: &'a SiteProfile) -> &'a str {
        match self.kind {
            RecordKind::Activity => &site.activity_note,
            RecordKind::Interaction => &site.interaction_body,
        }
    }

    pub fn to_entity(&self, site: &SiteProfile) -> Value {
        let subject = bounded(&self.subject, site.description_max_chars);
        let entity = self.entity_name(site);
        match self.kind {
            RecordKind::Activity => generic_entity(
                entity,
                &[
                    (&site.activity_party, json!(self.party_id)),
                    (&site.activity_type, json!(self.type_code)),
                    (&site.activity_date, json!(self.date)),
                    (&site.activity_description, json!(subject)),
                    (&site.activity_note, json!(self.note)),
                    (&site.activity_message_key, json!(self.message_key)),
                ],
            ),
            RecordKind::Interaction => generic_entity(
                entity,
                &[
                    (&site.interaction_party, json!(self.party_id)),
                    (&site.interaction_type_property, json!(self.type_code)),
                    (&site.interaction_date, json!(self.date)),
                    (&site.interaction_subject, json!(subject)),
                    (&site.interaction_sender, json!(self.sender)),
                    (&site.interaction_recipients, json!(self.recipients)),
                    (&site.interaction_body, json!(self.note)),
                    (&site.interaction_message_key, json!(self.message_key)),
                ],
            ),
        }
    }
}

/// `header`, then as much of `body` as fits, then the marker and `section`: at most
/// `max` characters, never cutting one in half, the section always whole.
pub fn compose_note(header: &str, body: &str, section: &str, max: usize) -> String {
    let tail = format!("\n\n{MARKER}\n{section}");
    let fixed = header.chars().count() + tail.chars().count();
    let room = max.saturating_sub(fixed);
    let note = format!("{header}{}{tail}", bounded(body, room));
    bounded(&note, max)
}

/// `note` with its attachments section replaced (or added), keeping everything above
/// the marker, as staff may have edited it.
pub fn replace_section(note: &str, section: &str, max: usize) -> String {
    let above = match note.find(MARKER) {
        Some(at) => note[..at].trim_end(),
        None => note.trim_end(),
    };
    compose_note("", above, section, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: RecordKind) -> Record {
        Record {
            kind,
            party_id: "23001".into(),
            type_code: "EMAIL".into(),
            date: "2026-11-20T09:30:00".into(),
            subject: "Board papers".into(),
            sender: "Alex <alex@example.com>".into(),
            recipients: "Dana <dana@example.org>".into(),
            note: "n".into(),
            message_key: "email:00".into(),
        }
    }

    #[test]
    fn activities_and_interactions_map_to_the_profiles_names() {
        use crate::imis::model::property;
        let site = SiteProfile::default();
        let a = record(RecordKind::Activity).to_entity(&site);
        assert_eq!(a["EntityTypeName"], "Activity");
        assert_eq!(property(&a, "DESCRIPTION"), Some(&json!("Board papers")));
        assert_eq!(property(&a, "SOURCE_CODE"), Some(&json!("email:00")));
        let i = record(RecordKind::Interaction).to_entity(&site);
        assert_eq!(i["EntityTypeName"], "CommunicationLogRecipient");
        assert_eq!(property(&i, "Subject"), Some(&json!("Board papers")));
        assert_eq!(
            property(&i, "Recipients"),
            Some(&json!("Dana <dana@example.org>"))
        );
        assert_eq!(property(&i, "MessageKey"), Some(&json!("email:00")));
        assert_eq!(
            record(RecordKind::Interaction).key_properties(&site),
            ("PartyId", "MessageKey")
        );
    }

    #[test]
    fn the_section_survives_a_long_body_and_can_be_replaced() {
        let note = compose_note("From: a\n\n", &"é".repeat(100), "- x.pdf", 60);
        assert_eq!(note.chars().count(), 60);
        assert!(note.starts_with("From: a\n\né"));
        assert!(note.ends_with(&format!("{MARKER}\n- x.pdf")));
        let edited = format!("Staff note.\n{note}");
        let again = replace_section(&edited, "- x.pdf: document 7", 200);
        assert!(again.starts_with("Staff note.\nFrom: a"));
        assert!(again.ends_with(&format!("{MARKER}\n- x.pdf: document 7")));
        assert_eq!(again.matches(MARKER).count(), 1);
        assert!(replace_section("plain", "- y", 100).ends_with(&format!("plain\n\n{MARKER}\n- y")));
    }
}
