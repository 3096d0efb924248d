//! Browser glue shared by the Graph and iMIS clients: timers and random jitter, which
//! need the JS global object. Requests themselves go through `gloo-net`.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Waits `ms` milliseconds without blocking the page (works in windows and workers).
pub async fn sleep(ms: u64) {
    let promise = Promise::new(&mut |resolve, _reject| {
        let global = js_sys::global();
        if let Some(set_timeout) = Reflect::get(&global, &"setTimeout".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
        {
            let _ = set_timeout.call2(&global, &resolve, &JsValue::from_f64(ms as f64));
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// A number in [0, 1) for retry jitter.
pub fn jitter() -> f64 {
    js_sys::Math::random()
}

/// The text of a thrown JS value, for error messages.
pub fn js_message(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "unknown error".to_string())
}
