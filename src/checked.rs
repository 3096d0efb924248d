//! What the pane already knows is not saved: when the contacts are chosen, `findSaved`
//! looks for the email's record of each; a Save moments later need not ask iMIS again
//! (each round trip to iMIS Cloud crosses the internet). An answer counts once, for one
//! save, and only while it is fresh: another pane may save the same email meanwhile,
//! and a save that finds it can no longer make a duplicate.

use crate::record::Record;
use crate::settings::RecordKind;

/// How long a "not saved" answer stands in for the lookup at Save: long enough for
/// choosing the files and clicking Save, short beside two people saving one email.
pub const FRESH_MS: f64 = 60_000.0;

#[derive(Debug, Default)]
pub struct Checked {
    /// Each record's key and when iMIS said it has no such record.
    unsaved: Vec<(String, f64)>,
}

/// What iMIS was asked about this record: the contact, the email's keys, the kind.
fn key(record: &Record) -> String {
    let kind = match record.kind {
        RecordKind::Activity => "activity",
        RecordKind::Interaction => "interaction",
    };
    format!(
        "{kind}\n{}\n{}\n{}",
        record.party_id, record.message_key, record.interaction_key
    )
}

impl Checked {
    /// iMIS said, at `now_ms`, that this email has no record for the record's contact.
    pub fn not_saved(&mut self, record: &Record, now_ms: f64) {
        let k = key(record);
        self.unsaved.retain(|(e, _)| *e != k);
        self.unsaved.push((k, now_ms));
    }

    /// Whether a fresh "not saved" answer stands for this record; the answer is used up.
    pub fn take(&mut self, record: &Record, now_ms: f64) -> bool {
        let k = key(record);
        let Some(i) = self.unsaved.iter().position(|(e, _)| *e == k) else {
            return false;
        };
        let (_, at) = self.unsaved.swap_remove(i);
        (0.0..=FRESH_MS).contains(&(now_ms - at))
    }

    /// The site, the user or the settings changed: nothing known stands.
    pub fn forget(&mut self) {
        self.unsaved.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(party: &str, kind: RecordKind) -> Record {
        Record {
            kind,
            party_id: party.into(),
            address: "a@example.org".into(),
            type_code: "EMAIL".into(),
            date: "2026-12-01T10:00:00".into(),
            subject: "Hello".into(),
            note: String::new(),
            message_key: "email:0123456789abcdef".into(),
            interaction_key: "0123456789".into(),
        }
    }

    #[test]
    fn a_fresh_answer_stands_once() {
        let mut c = Checked::default();
        let r = record("23001", RecordKind::Activity);
        c.not_saved(&r, 1_000.0);
        assert!(c.take(&r, 5_000.0));
        assert!(!c.take(&r, 5_001.0), "used up by the save");
    }

    #[test]
    fn a_stale_or_unknown_answer_does_not() {
        let mut c = Checked::default();
        let r = record("23001", RecordKind::Activity);
        assert!(!c.take(&r, 0.0), "never asked");
        c.not_saved(&r, 1_000.0);
        assert!(!c.take(&r, 1_000.0 + FRESH_MS + 1.0), "too old");
        c.not_saved(&r, 10_000.0);
        assert!(
            !c.take(&r, 9_000.0),
            "a clock that went back proves nothing"
        );
    }

    #[test]
    fn answers_are_per_contact_kind_and_email() {
        let mut c = Checked::default();
        c.not_saved(&record("23001", RecordKind::Activity), 0.0);
        assert!(!c.take(&record("23002", RecordKind::Activity), 1.0));
        assert!(!c.take(&record("23001", RecordKind::Interaction), 1.0));
        let mut other = record("23001", RecordKind::Activity);
        other.message_key = "email:fedcba9876543210".into();
        assert!(!c.take(&other, 1.0));
        assert!(c.take(&record("23001", RecordKind::Activity), 1.0));
    }

    #[test]
    fn forget_drops_everything() {
        let mut c = Checked::default();
        let r = record("23001", RecordKind::Activity);
        c.not_saved(&r, 0.0);
        c.forget();
        assert!(!c.take(&r, 1.0));
    }
}
