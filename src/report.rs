//! What the save did, for the pane: progress events while it runs, and the final
//! report of what was stored where, what failed and why.

use serde::Serialize;

use crate::imis::model::Contact;
use crate::plan::LeftOut;

/// A step of the save, sent to the pane as it happens.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Event<'a> {
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
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum Outcome {
    #[serde(rename_all = "camelCase")]
    Saved {
        document_id: String,
        path: String,
    },
    /// A previous save stored it already; nothing was uploaded again.
    #[serde(rename_all = "camelCase")]
    AlreadySaved {
        document_id: String,
        path: String,
    },
    Failed {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentResult {
    pub id: String,
    pub name: String,
    pub stored_name: String,
    pub size: u64,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub contact: Contact,
    pub activity_id: String,
    /// True when the email had been saved before and no new activity was made.
    pub activity_existed: bool,
    pub folder: Option<String>,
    pub attachments: Vec<AttachmentResult>,
    pub left_out: Vec<LeftOut>,
    pub notice: Option<String>,
}

impl Report {
    pub fn failed(&self) -> usize {
        self.attachments
            .iter()
            .filter(|a| matches!(a.outcome, Outcome::Failed { .. }))
            .count()
    }
}
