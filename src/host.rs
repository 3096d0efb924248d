//! Attachment content handed over by Outlook itself (`getAttachmentContentAsync`,
//! Mailbox 1.8): the way in when no Entra app is set up or Graph cannot be used.

use js_sys::{Function, JsString, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::body::{Body, BodyBuilder};
use crate::encode::decoded_len;
use crate::error::HostError;
use crate::http::js_message;

/// A JS function `(officeAttachmentId) => Promise<{format, content}>`.
#[derive(Clone)]
pub struct HostContent(Function);

impl HostContent {
    pub fn new(read: Function) -> Self {
        HostContent(read)
    }

    pub async fn content(&self, office_id: &str) -> Result<Body, HostError> {
        let fail = |detail: String| HostError::BadData {
            what: "an attachment's content",
            detail,
        };
        let promise: Promise = self
            .0
            .call1(&JsValue::NULL, &JsValue::from_str(office_id))
            .map_err(|e| fail(js_message(&e)))?
            .dyn_into()
            .map_err(|_| fail("the host did not return a Promise".into()))?;
        let value = JsFuture::from(promise)
            .await
            .map_err(|e| fail(js_message(&e)))?;
        let format = Reflect::get(&value, &"format".into())
            .ok()
            .and_then(|f| f.as_string())
            .unwrap_or_default();
        let content = Reflect::get(&value, &"content".into()).map_err(|e| fail(js_message(&e)))?;
        match format.as_str() {
            // Already base64: it stays a JS string, never copied into wasm memory.
            "base64" => {
                let text: JsString = content.dyn_into().map_err(|_| fail("no content".into()))?;
                let bytes = decoded_len(u64::from(text.length()), &tail_of(&text));
                Ok(Body::from_base64(text.into(), bytes, None))
            }
            "eml" | "iCalendar" => {
                let text = content
                    .as_string()
                    .ok_or_else(|| fail("no content".into()))?;
                let mut builder = BodyBuilder::default();
                builder.push(text.as_bytes());
                let content_type = if format == "eml" {
                    "message/rfc822"
                } else {
                    "text/calendar"
                };
                Ok(builder.finish(Some(content_type.to_string())))
            }
            other => Err(fail(format!("Outlook gave the content as \"{other}\""))),
        }
    }
}

/// The last 4 characters of a base64 text (where its padding is), without copying the
/// whole text into wasm.
fn tail_of(text: &JsString) -> String {
    let len = text.length();
    String::from(text.substring(len.saturating_sub(4), len))
}
