//! The iMIS record an email becomes, one per chosen contact: an activity or an
//! interaction, mapped as ASI's own Outlook integration documents (subject ->
//! description, body -> note, sent date -> date, other recipients -> participants).
//! The note ends with a section listing the attachments; it follows a marker line, so
//! the section can be replaced after the uploads without touching anything above it.

use crate::json::Value;

use crate::imis::model::{generic_entity, interaction, typed_date, InteractionFields};
use crate::imis::site::SiteProfile;
use crate::settings::RecordKind;
pub use crate::text::bounded;

pub const MARKER: &str = "--- Saved by Save to iMIS ---";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub kind: RecordKind,
    pub party_id: String,
    /// The contact's address on this email (an interaction keeps it).
    pub address: String,
    /// The activity type (also used when a site refuses interactions).
    pub type_code: String,
    /// `YYYY-MM-DDTHH:MM:SS`.
    pub date: String,
    pub subject: String,
    /// Header (from, to, cc: the participants), body and the attachments section,
    /// within the note's length.
    pub note: String,
    /// The activity's key (`email:` + 16 hex digits).
    pub message_key: String,
    /// The interaction's key (`MessageId`, 10 hex digits).
    pub interaction_key: String,
}

impl Record {
    /// The same email as an activity: what is saved when a site refuses interactions.
    pub fn as_activity(&self) -> Record {
        Record {
            kind: RecordKind::Activity,
            ..self.clone()
        }
    }

    /// The iMIS entity this record is written to.
    pub fn entity_name(&self) -> &'static str {
        match self.kind {
            RecordKind::Activity => "Activity",
            RecordKind::Interaction => "CommunicationLogRecipient",
        }
    }

    /// The JSON that creates it.
    pub fn to_entity(&self, site: &SiteProfile) -> Value {
        match self.kind {
            RecordKind::Activity => generic_entity(
                "Activity",
                &[
                    (&site.activity_party, crate::value!(self.party_id)),
                    (&site.activity_type, crate::value!(self.type_code)),
                    (&site.activity_date, typed_date(&self.date)),
                    (
                        &site.activity_description,
                        crate::value!(bounded(&self.subject, site.description_max_chars)),
                    ),
                    (&site.activity_note, crate::value!(self.note)),
                    (&site.activity_message_key, crate::value!(self.message_key)),
                ],
            ),
            RecordKind::Interaction => interaction(&InteractionFields {
                party_id: &self.party_id,
                address: &self.address,
                subject: &bounded(&self.subject, site.interaction_subject_max_chars),
                text: &self.note,
                message_id: &self.interaction_key,
                message_type: site.interaction_message_type,
                communication_type: &site.interaction_communication_type,
                source_process: &site.interaction_source_process,
            }),
        }
    }
}

/// `header`, then as much of `body` as fits, then the marker and `section`: at most
/// `max` characters, never cutting one in half, the section always whole.
pub fn compose_note(header: &str, body: &str, section: &str, max: usize) -> String {
    let tail = format!("\n\n{MARKER}\n{section}");
    let fixed = crate::text::units(header) + crate::text::units(&tail);
    let room = max.saturating_sub(fixed);
    let note = format!("{header}{}{tail}", bounded(body, room));
    bounded(&note, max)
}

/// `note` with its attachments section replaced (or added), keeping everything above
/// the marker, as staff may have edited it.
pub fn replace_section(note: &str, section: &str, max: usize) -> String {
    let above = match note.find(MARKER) {
        Some(at) => &note[..at],
        None => note,
    };
    // Cut to the room first, then trim: a text cut after a space would otherwise lose
    // that space on the next replacement (replacing twice must equal replacing once).
    let room = max.saturating_sub(crate::text::units(MARKER) + crate::text::units(section) + 3);
    compose_note("", bounded(above, room).trim_end(), section, max)
}

crate::json_struct!(Record {
    kind => "kind",
    party_id => "partyId",
    address => "address",
    type_code => "typeCode",
    date => "date",
    subject => "subject",
    note => "note",
    message_key => "messageKey",
    interaction_key => "interactionKey",
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::testing::json;

    fn record(kind: RecordKind) -> Record {
        Record {
            kind,
            party_id: "23001".into(),
            address: "alex@example.com".into(),
            type_code: "EMAIL".into(),
            date: "2026-11-20T09:30:00".into(),
            subject: "Board papers".into(),
            note: "n".into(),
            message_key: "email:00".into(),
            interaction_key: "00".into(),
        }
    }

    #[test]
    fn activities_and_interactions_take_their_own_shapes() {
        use crate::imis::model::{interaction_keys, interaction_text, property};
        let site = SiteProfile::default();
        let a = record(RecordKind::Activity).to_entity(&site);
        assert_eq!(a["EntityTypeName"], "Activity");
        assert_eq!(property(&a, "DESCRIPTION"), Some(&json!("Board papers")));
        assert_eq!(property(&a, "UF_1"), Some(&json!("email:00")));
        assert_eq!(property(&a, "SOURCE_CODE"), None);
        let date = &a["Properties"]["$values"][2]["Value"];
        assert_eq!(date["$type"], "System.DateTime");
        let mut i = record(RecordKind::Interaction).to_entity(&site);
        assert_eq!(i["CommunicationLog"]["Subject"], "Board papers");
        assert_eq!(i["Address"], "alex@example.com");
        assert_eq!(interaction_text(&i).as_deref(), Some("n"));
        i["CommunicationLogRecipientId"] = json!("x");
        assert_eq!(
            interaction_keys(&i).unwrap().1.as_deref(),
            Some("23001"),
            "the party is a reference"
        );
        let fallback = record(RecordKind::Interaction).as_activity();
        assert_eq!(fallback.entity_name(), "Activity");
        assert_eq!(fallback.note, "n");
    }

    #[test]
    fn the_section_survives_a_long_body_and_can_be_replaced() {
        let note = compose_note("From: a\n\n", &"é".repeat(100), "- x.pdf", 60);
        assert_eq!(crate::text::units(&note), 60);
        assert!(note.starts_with("From: a\n\né"));
        assert!(note.ends_with(&format!("{MARKER}\n- x.pdf")));
        let edited = format!("Staff note.\n{note}");
        let again = replace_section(&edited, "- x.pdf: document 7", 200);
        assert!(again.starts_with("Staff note.\nFrom: a"));
        assert!(again.ends_with(&format!("{MARKER}\n- x.pdf: document 7")));
        assert_eq!(again.matches(MARKER).count(), 1);
        assert!(replace_section("plain", "- y", 100).ends_with(&format!("plain\n\n{MARKER}\n- y")));
        // Cut just after a space: replacing again keeps the same text.
        let once = replace_section("hello world", "- y", MARKER.len() + 3 + 3 + 6);
        assert_eq!(once, format!("hello\n\n{MARKER}\n- y"));
        assert_eq!(
            replace_section(&once, "- y", MARKER.len() + 3 + 3 + 6),
            once
        );
    }
}
