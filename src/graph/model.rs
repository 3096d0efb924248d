//! Microsoft Graph's mail attachment JSON and URLs (reference: graph-and-office.md).

use crate::json::Value;

use crate::json::Fields;

use crate::item::AttachmentKind;

/// Fields listed when enumerating attachments: never `contentBytes`, so the list stays
/// small however large the files are.
pub const LIST_SELECT: &str = "id,name,contentType,size,isInline,lastModifiedDateTime";

/// One page of `GET .../attachments`.
#[derive(Debug)]
pub struct AttachmentPage {
    pub value: Vec<Attachment>,
    pub next_link: Option<String>,
}

/// Read by hand below: `@odata.type`, `id`; optional `name`, `contentType` (null on
/// item attachments), `size`, `isInline`.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub odata_type: String,
    pub id: String,
    pub name: Option<String>,
    pub content_type: Option<String>,
    pub size: u64,
    pub is_inline: bool,
}

impl Attachment {
    pub fn kind(&self) -> Option<AttachmentKind> {
        match self.odata_type.as_str() {
            "#microsoft.graph.fileAttachment" => Some(AttachmentKind::File),
            "#microsoft.graph.itemAttachment" => Some(AttachmentKind::Item),
            "#microsoft.graph.referenceAttachment" => Some(AttachmentKind::Cloud),
            _ => None,
        }
    }
}

/// `(code, message)` from Graph's error body (`{"error": {"code", "message"}}`, both
/// optional strings), or `None` when the body is not one.
pub fn parse_error(body: &str) -> Option<(String, String)> {
    let v: Value = crate::json::from_str(body).ok()?;
    let mut error = Fields::of(Fields::of(v, "").ok()?.req("error").ok()?, "").ok()?;
    Some((error.opt("code").ok()?, error.opt("message").ok()?))
}

/// `/me` for the user's own mailbox, `/users/{mailbox}` for a shared or delegated one.
fn mailbox_root(api: &str, shared_mailbox: Option<&str>) -> String {
    match shared_mailbox {
        None => format!("{api}/me"),
        Some(mailbox) => format!("{api}/users/{}", encode_segment(mailbox)),
    }
}

pub fn attachments_url(api: &str, shared_mailbox: Option<&str>, message_id: &str) -> String {
    format!(
        "{}/messages/{}/attachments?$select={LIST_SELECT}",
        mailbox_root(api, shared_mailbox),
        encode_segment(message_id)
    )
}

pub fn content_url(
    api: &str,
    shared_mailbox: Option<&str>,
    message_id: &str,
    attachment_id: &str,
) -> String {
    format!(
        "{}/$value",
        attachment_url(api, shared_mailbox, message_id, attachment_id)
    )
}

fn attachment_url(
    api: &str,
    shared_mailbox: Option<&str>,
    message_id: &str,
    attachment_id: &str,
) -> String {
    format!(
        "{}/messages/{}/attachments/{}",
        mailbox_root(api, shared_mailbox),
        encode_segment(message_id),
        encode_segment(attachment_id)
    )
}

/// An item attachment with its item expanded: the only documented way to learn
/// whether it is a message, an event or a contact (`$value`'s Content-Type is not
/// documented for events and contacts).
pub fn item_url(
    api: &str,
    shared_mailbox: Option<&str>,
    message_id: &str,
    attachment_id: &str,
) -> String {
    format!(
        "{}?$select=id&$expand=microsoft.graph.itemattachment/item",
        attachment_url(api, shared_mailbox, message_id, attachment_id)
    )
}

/// The whole message as MIME (`GET /messages/{id}/$value`).
pub fn message_mime_url(api: &str, shared_mailbox: Option<&str>, message_id: &str) -> String {
    format!(
        "{}/messages/{}/$value",
        mailbox_root(api, shared_mailbox),
        encode_segment(message_id)
    )
}

/// What an attached item is, from its expanded `item`'s `@odata.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Message,
    Event,
    Contact,
}

impl ItemKind {
    pub fn extension(self) -> &'static str {
        match self {
            ItemKind::Message => "eml",
            ItemKind::Event => "ics",
            ItemKind::Contact => "vcf",
        }
    }

    /// From an expanded item attachment; a kind Graph may add later is kept as a message.
    pub fn of_expanded(body: &[u8]) -> Option<ItemKind> {
        let v: crate::json::Value = crate::json::from_slice(body).ok()?;
        let kind = v
            .get("item")?
            .get("@odata.type")?
            .as_str()?
            .to_ascii_lowercase();
        Some(match kind.trim_start_matches("#microsoft.graph.") {
            "event" => ItemKind::Event,
            "contact" => ItemKind::Contact,
            _ => ItemKind::Message,
        })
    }
}

/// Percent-encodes one path segment (RFC 3986 unreserved characters stay).
pub fn encode_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

// Graph's attachment JSON, read by hand as the derive would (`crate::json`: one reader
// for all types).

impl crate::json::FromJson for AttachmentPage {
    fn from_json(v: crate::json::Value) -> crate::json::Result<Self> {
        let mut f = Fields::of(v, "struct AttachmentPage")?;
        Ok(AttachmentPage {
            value: f.req("value")?,
            next_link: f.opt("@odata.nextLink")?,
        })
    }
}

impl crate::json::FromJson for Attachment {
    fn from_json(v: crate::json::Value) -> crate::json::Result<Self> {
        let mut f = Fields::of(v, "struct Attachment")?;
        Ok(Attachment {
            odata_type: f.req("@odata.type")?,
            id: f.req("id")?,
            name: f.opt("name")?,
            content_type: f.opt("contentType")?,
            size: f.opt("size")?,
            is_inline: f.opt("isInline")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_page_of_every_kind() {
        let json = r##"{
          "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('x')/messages('y')/attachments",
          "@odata.nextLink": "https://graph.microsoft.com/v1.0/me/messages/y/attachments?$skip=2",
          "value": [
            {"@odata.type": "#microsoft.graph.fileAttachment", "@odata.mediaContentType": "application/pdf",
             "id": "AAMk_a-1=", "name": "a.pdf", "contentType": "application/pdf", "size": 1234,
             "isInline": false, "lastModifiedDateTime": "2026-11-20T09:30:00Z", "contentId": null},
            {"@odata.type": "#microsoft.graph.itemAttachment", "id": "b", "name": "Fwd: hi",
             "contentType": null, "size": 99, "isInline": false},
            {"@odata.type": "#microsoft.graph.referenceAttachment", "id": "c", "name": "plan.docx",
             "contentType": "application/octet-stream", "size": 0, "isInline": false}
          ]}"##;
        let page: AttachmentPage = crate::json::from_str(json).unwrap();
        assert_eq!(page.value.len(), 3);
        assert!(page.next_link.unwrap().ends_with("$skip=2"));
        let kinds: Vec<_> = page.value.iter().map(Attachment::kind).collect();
        assert_eq!(
            kinds,
            [
                Some(AttachmentKind::File),
                Some(AttachmentKind::Item),
                Some(AttachmentKind::Cloud)
            ]
        );
        assert_eq!(page.value[0].size, 1234);
        assert_eq!(page.value[1].content_type, None);
    }

    #[test]
    fn parses_graph_errors() {
        let body = r#"{"error":{"code":"ErrorItemNotFound","message":"Not found.","innerError":{"date":"x"}}}"#;
        assert_eq!(
            parse_error(body),
            Some(("ErrorItemNotFound".into(), "Not found.".into()))
        );
        assert_eq!(parse_error("<html>gateway</html>"), None);
    }

    #[test]
    fn urls_encode_ids_and_pick_the_mailbox() {
        let api = "https://graph.microsoft.com/v1.0";
        assert_eq!(
            attachments_url(api, None, "AAMk_x-y="),
            "https://graph.microsoft.com/v1.0/me/messages/AAMk_x-y%3D/attachments?$select=id,name,contentType,size,isInline,lastModifiedDateTime"
        );
        assert_eq!(
            content_url(api, Some("team@example.org"), "m", "a/b"),
            "https://graph.microsoft.com/v1.0/users/team%40example.org/messages/m/attachments/a%2Fb/$value"
        );
    }

    #[test]
    fn item_kinds_come_from_the_expanded_item() {
        let kind = |t: &str| {
            ItemKind::of_expanded(
                format!(r##"{{"id":"a","item":{{"@odata.type":"{t}","subject":"x"}}}}"##)
                    .as_bytes(),
            )
        };
        assert_eq!(kind("#microsoft.graph.event"), Some(ItemKind::Event));
        assert_eq!(kind("#microsoft.graph.contact"), Some(ItemKind::Contact));
        assert_eq!(kind("#microsoft.graph.message"), Some(ItemKind::Message));
        assert_eq!(
            kind("#microsoft.graph.eventMessage"),
            Some(ItemKind::Message)
        );
        assert_eq!(ItemKind::of_expanded(b"{}"), None);
        assert_eq!(ItemKind::Contact.extension(), "vcf");
        assert!(item_url("https://g/v1.0", None, "m", "a/b")
            .ends_with("/me/messages/m/attachments/a%2Fb?$select=id&$expand=microsoft.graph.itemattachment/item"));
        assert_eq!(
            message_mime_url("https://g/v1.0", Some("team@example.org"), "m"),
            "https://g/v1.0/users/team%40example.org/messages/m/$value"
        );
    }
}
