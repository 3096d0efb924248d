//! The email as the host hands it over: plain data read through Office.js by
//! `www/js/host.js`. Everything in it is untrusted text from the email.

use crate::json::{self, Fields};

/// Read by hand (`crate::json`) as the derive would: one reader for all types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub name: String,
    pub address: String,
}

/// What kind of attachment Office.js reports (`AttachmentDetails.attachmentType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentKind {
    File,
    Item,
    Cloud,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentInfo {
    /// The attachment id in Graph's (REST) form, converted by the host.
    pub id: String,
    /// The id Office.js knows it by (for `getAttachmentContentAsync`).
    pub office_id: String,
    /// Only Outlook can read it: a draft's attachment that classic Outlook on Windows
    /// or Mac names by its position, an id Graph does not know.
    pub host_only: bool,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    pub kind: AttachmentKind,
    pub is_inline: bool,
    /// Where a cloud attachment lives (its link), when the host tells.
    pub url: Option<String>,
}

/// Read or compose: compose comes in a later step, the seam is here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Read,
    Compose,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailItem {
    pub mode: Mode,
    /// The message id in Graph's (REST) form.
    pub rest_id: String,
    /// The mailbox the item lives in when Outlook says it is not the user's own
    /// (shared or delegated); `None` means `/me`. Real Outlook defines
    /// `getSharedPropertiesAsync` only on shared items, so its absence means "own".
    pub shared_mailbox: Option<String>,
    /// The signed-in user's own address (never looked up as a contact).
    pub user_address: String,
    /// The host can hand over attachment content itself (`getAttachmentContentAsync`).
    pub host_content: bool,
    pub subject: String,
    pub from: Address,
    pub to: Vec<Address>,
    pub cc: Vec<Address>,
    /// When the email was sent or received, ISO 8601 (UTC).
    pub date: String,
    pub internet_message_id: String,
    pub body_text: String,
    pub attachments: Vec<AttachmentInfo>,
}

// The readers of the types above, as `#[serde(rename_all = "camelCase")]` with the
// fields' `#[serde(default)]` would read them (`crate::json`: one reader for all types).

impl crate::json::FromJson for Address {
    fn from_json(v: crate::json::Value) -> crate::json::Result<Self> {
        let mut f = Fields::of(v, "struct Address")?;
        Ok(Address {
            name: f.opt("name")?,
            address: f.req("address")?,
        })
    }
}

impl crate::json::FromJson for AttachmentKind {
    fn from_json(v: crate::json::Value) -> crate::json::Result<Self> {
        use AttachmentKind::*;
        json::variant(v, &["file", "item", "cloud"], &[File, Item, Cloud])
    }
}

impl crate::json::FromJson for Mode {
    fn from_json(v: crate::json::Value) -> crate::json::Result<Self> {
        json::variant(v, &["read", "compose"], &[Mode::Read, Mode::Compose])
    }
}

impl crate::json::FromJson for AttachmentInfo {
    fn from_json(v: crate::json::Value) -> crate::json::Result<Self> {
        let mut f = Fields::of(v, "struct AttachmentInfo")?;
        Ok(AttachmentInfo {
            id: f.req("id")?,
            office_id: f.opt("officeId")?,
            host_only: f.opt("hostOnly")?,
            name: f.req("name")?,
            content_type: f.opt("contentType")?,
            size: f.opt("size")?,
            kind: f.req("kind")?,
            is_inline: f.opt("isInline")?,
            url: f.opt("url")?,
        })
    }
}

impl crate::json::FromJson for MailItem {
    fn from_json(v: crate::json::Value) -> crate::json::Result<Self> {
        let mut f = Fields::of(v, "struct MailItem")?;
        Ok(MailItem {
            mode: f.opt("mode")?,
            rest_id: f.req("restId")?,
            shared_mailbox: f.opt("sharedMailbox")?,
            user_address: f.opt("userAddress")?,
            host_content: f.opt("hostContent")?,
            subject: f.opt("subject")?,
            from: f.req("from")?,
            to: f.opt("to")?,
            cc: f.opt("cc")?,
            date: f.req("date")?,
            internet_message_id: f.opt("internetMessageId")?,
            body_text: f.opt("bodyText")?,
            attachments: f.opt("attachments")?,
        })
    }
}

crate::json_struct!(Address { name => "name", address => "address" });

crate::json_names!(AttachmentKind { File => "file", Item => "item", Cloud => "cloud" });

crate::json_struct!(AttachmentInfo {
    id => "id",
    office_id => "officeId",
    host_only => "hostOnly",
    name => "name",
    content_type => "contentType",
    size => "size",
    kind => "kind",
    is_inline => "isInline",
    url => "url",
});

crate::json_names!(Mode { Read => "read", Compose => "compose" });

crate::json_struct!(MailItem {
    mode => "mode",
    rest_id => "restId",
    shared_mailbox => "sharedMailbox",
    user_address => "userAddress",
    host_content => "hostContent",
    subject => "subject",
    from => "from",
    to => "to",
    cc => "cc",
    date => "date",
    internet_message_id => "internetMessageId",
    body_text => "bodyText",
    attachments => "attachments",
});
