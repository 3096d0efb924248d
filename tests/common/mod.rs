//! Shared by the browser-adapter tests: where the stand-ins are, their control
//! endpoints, and a Graph token source backed by the identity stand-in.
#![allow(dead_code)]

use std::cell::RefCell;
use std::rc::Rc;

use gloo_net::http::Request;
use js_sys::{Function, Promise};
use save_to_imis::graph::TokenSource;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

pub const IDP: &str = match option_env!("STANDIN_IDP_URL") {
    Some(u) => u,
    None => "https://127.0.0.1:3200",
};
pub const GRAPH: &str = match option_env!("STANDIN_GRAPH_URL") {
    Some(u) => u,
    None => "https://127.0.0.1:3300",
};
pub const IMIS: &str = match option_env!("STANDIN_IMIS_URL") {
    Some(u) => u,
    None => "https://127.0.0.1:3400",
};

/// `GET` (no body) or `POST` a stand-in's `/_control/{path}`.
pub async fn control(base: &str, path: &str, body: Option<Value>) -> Value {
    let url = format!("{base}/_control/{path}");
    let response = match body {
        None => Request::get(&url).send().await,
        Some(b) => Request::post(&url).json(&b).unwrap().send().await,
    }
    .expect("stand-in reachable");
    assert!(response.ok(), "control {path}: {}", response.status());
    response.json().await.unwrap_or(Value::Null)
}

/// A token source that mints real signed tokens at the identity stand-in and records
/// each call's `forceRefresh`.
pub fn token_source(calls: Rc<RefCell<Vec<bool>>>) -> TokenSource {
    let f = Closure::wrap(Box::new(move |scopes: JsValue, force: JsValue| -> Promise {
        calls.borrow_mut().push(force.as_bool().unwrap_or(false));
        let scope = js_sys::Array::from(&scopes)
            .get(0)
            .as_string()
            .unwrap_or_default();
        future_to_promise(async move {
            let minted = control(IDP, "mint", Some(serde_json::json!({ "scope": scope }))).await;
            Ok(JsValue::from_str(minted["access_token"].as_str().unwrap()))
        })
    }) as Box<dyn FnMut(JsValue, JsValue) -> Promise>);
    TokenSource::new(f.into_js_value().unchecked_into::<Function>())
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}
