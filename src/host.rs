//! Attachment content handed over by Outlook itself (`getAttachmentContentAsync`,
//! Mailbox 1.8): the way in when no Entra app is set up or Graph cannot be used.

use js_sys::{Function, JsString, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::body::{Body, BodyBuilder};
use crate::encode::decoded_len;
use crate::error::HostError;
use crate::http::js_message;

/// The JS object that reads one email's content through Outlook, bound to that email
/// (a pinned pane may show another by the time a save reads):
/// `{readAttachment(officeId) => Promise<{format, content}>, readEmailFile?() => Promise<{format, content}>}`.
#[derive(Clone)]
pub struct HostContent(JsValue);

fn fail(detail: String) -> HostError {
    HostError::BadData {
        what: "an attachment's content",
        detail,
    }
}

impl HostContent {
    pub fn new(reader: JsValue) -> Self {
        HostContent(reader)
    }

    pub async fn content(&self, office_id: &str) -> Result<Body, HostError> {
        self.call("readAttachment", &JsValue::from_str(office_id))
            .await?
            .ok_or_else(|| fail("Outlook cannot hand over attachments here".into()))
    }

    /// The email itself as MIME (Office.js `getAsFileAsync`, Mailbox 1.14), when the
    /// host has it. `graph_set_up`: whether Graph is set up (and failed this save), for
    /// the reason when the host cannot.
    pub async fn email_file(&self, graph_set_up: bool) -> Result<Body, HostError> {
        self.call("readEmailFile", &JsValue::UNDEFINED)
            .await?
            .ok_or_else(|| no_email_file(graph_set_up))
    }

    /// `None` when the reader has no such method.
    async fn call(&self, method: &str, arg: &JsValue) -> Result<Option<Body>, HostError> {
        let Ok(function) = Reflect::get(&self.0, &method.into())
            .map_err(|e| fail(js_message(&e)))?
            .dyn_into::<Function>()
        else {
            return Ok(None);
        };
        let promise: Promise = function
            .call1(&self.0, arg)
            .map_err(|e| fail(js_message(&e)))?
            .dyn_into()
            .map_err(|_| fail("the host did not return a Promise".into()))?;
        let value = JsFuture::from(promise)
            .await
            .map_err(|e| fail(js_message(&e)))?;
        body_of(&value).map(Some)
    }
}

/// Why the email itself could not be read when Outlook cannot hand it over: Graph is
/// not set up, or it is and could not be used for this save (the report's notice says
/// why, and a later save tries Graph again).
fn no_email_file(graph_set_up: bool) -> HostError {
    let graph = if graph_set_up {
        "Microsoft Graph could not be used for this email this time (see the notice); save \
         again to read it from Microsoft Graph"
    } else {
        "Microsoft Graph is not set up (an Entra app in Setup) to read it"
    };
    HostError::BadData {
        what: "the email itself",
        detail: format!(
            "this version of Outlook cannot hand the email over as a file, and {graph}"
        ),
    }
}

/// Office's `{format, content}` as a body.
fn body_of(value: &JsValue) -> Result<Body, HostError> {
    let format = Reflect::get(value, &"format".into())
        .ok()
        .and_then(|f| f.as_string())
        .unwrap_or_default();
    let content = Reflect::get(value, &"content".into()).map_err(|e| fail(js_message(&e)))?;
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
            builder.push(text.as_bytes()).map_err(fail)?;
            let content_type = if format == "eml" {
                "message/rfc822"
            } else {
                "text/calendar"
            };
            builder.finish(Some(content_type.to_string())).map_err(fail)
        }
        other => Err(fail(format!("Outlook gave the content as \"{other}\""))),
    }
}

/// The last 4 characters of a base64 text (where its padding is), without copying the
/// whole text into wasm.
fn tail_of(text: &JsString) -> String {
    let len = text.length();
    String::from(text.substring(len.saturating_sub(4), len))
}

#[cfg(test)]
mod tests {
    use super::no_email_file;

    #[test]
    fn the_reason_for_a_missing_email_file_names_what_failed() {
        let unset = no_email_file(false).to_string();
        assert!(unset.contains("Microsoft Graph is not set up"), "{unset}");
        // Graph set up but not usable this time (a 404 on the list): not "not set up".
        let failed = no_email_file(true).to_string();
        assert!(!failed.contains("not set up"), "{failed}");
        assert!(failed.contains("save again"), "{failed}");
    }
}
