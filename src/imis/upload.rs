//! Document uploads with `XMLHttpRequest`: unlike `fetch`, it reports upload progress,
//! and it sends a `Blob` body without copying it into wasm memory.

use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ProgressEvent, XmlHttpRequest};

use crate::http::js_message;

/// POSTs `body` with the given headers; `progress` gets the bytes sent so far.
/// Resolves to the status and the response text; fails only when no answer came.
pub async fn post_blob(
    url: &str,
    headers: &[(&str, &str)],
    body: &Blob,
    progress: Rc<dyn Fn(f64)>,
) -> Result<(u16, String), String> {
    let xhr = XmlHttpRequest::new().map_err(|e| js_message(&e))?;
    xhr.open_with_async("POST", url, true)
        .map_err(|e| js_message(&e))?;
    for (name, value) in headers {
        xhr.set_request_header(name, value)
            .map_err(|e| js_message(&e))?;
    }
    let on_progress =
        Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| progress(e.loaded()));
    xhr.upload()
        .map_err(|e| js_message(&e))?
        .set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    let done = Promise::new(&mut |resolve, reject| {
        xhr.set_onload(Some(&resolve));
        xhr.set_onerror(Some(&reject));
        xhr.set_onabort(Some(&reject));
        xhr.set_ontimeout(Some(&reject));
    });
    xhr.send_with_opt_blob(Some(body))
        .map_err(|e| js_message(&e))?;
    let answered = JsFuture::from(done).await;
    // The progress closure lives until the request is over.
    drop(on_progress);
    answered.map_err(|_| "the connection failed before iMIS answered".to_string())?;
    let status = xhr.status().map_err(|e| js_message(&e))?;
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    Ok((status, text))
}
