//! The email as the host hands it over: plain data read through Office.js by
//! `www/js/host.js`. Everything in it is untrusted text from the email.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(default)]
    pub name: String,
    pub address: String,
}

/// What kind of attachment Office.js reports (`AttachmentDetails.attachmentType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AttachmentKind {
    File,
    Item,
    Cloud,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentInfo {
    /// The attachment id in Graph's (REST) form, converted by the host.
    pub id: String,
    /// The id Office.js knows it by (for `getAttachmentContentAsync`).
    #[serde(default)]
    pub office_id: String,
    /// Only Outlook can read it: a draft's attachment that classic Outlook on Windows
    /// or Mac names by its position, an id Graph does not know.
    #[serde(default)]
    pub host_only: bool,
    pub name: String,
    #[serde(default)]
    pub content_type: String,
    #[serde(default)]
    pub size: u64,
    pub kind: AttachmentKind,
    #[serde(default)]
    pub is_inline: bool,
    /// Where a cloud attachment lives (its link), when the host tells.
    #[serde(default)]
    pub url: Option<String>,
}

/// Read or compose: compose comes in a later step, the seam is here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Mode {
    #[default]
    Read,
    Compose,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MailItem {
    #[serde(default)]
    pub mode: Mode,
    /// The message id in Graph's (REST) form.
    pub rest_id: String,
    /// The mailbox the item lives in when Outlook says it is not the user's own
    /// (shared or delegated); `None` means `/me`. Real Outlook defines
    /// `getSharedPropertiesAsync` only on shared items, so its absence means "own".
    #[serde(default)]
    pub shared_mailbox: Option<String>,
    /// The signed-in user's own address (never looked up as a contact).
    #[serde(default)]
    pub user_address: String,
    /// The host can hand over attachment content itself (`getAttachmentContentAsync`).
    #[serde(default)]
    pub host_content: bool,
    #[serde(default)]
    pub subject: String,
    pub from: Address,
    #[serde(default)]
    pub to: Vec<Address>,
    #[serde(default)]
    pub cc: Vec<Address>,
    /// When the email was sent or received, ISO 8601 (UTC).
    pub date: String,
    #[serde(default)]
    pub internet_message_id: String,
    #[serde(default)]
    pub body_text: String,
    #[serde(default)]
    pub attachments: Vec<AttachmentInfo>,
}
