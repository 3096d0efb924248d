//! The Graph adapter in headless Chromium against the Graph and identity stand-ins:
//! listing, byte-exact downloads, and each fault the stand-in can inject.
#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use common::{control, token_source, GRAPH};
use save_to_imis::error::GraphError;
use save_to_imis::graph::GraphClient;
use save_to_imis::item::AttachmentKind;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn setup() -> (GraphClient, Rc<RefCell<Vec<bool>>>, Value) {
    control(GRAPH, "reset", Some(json!({}))).await;
    let calls = Rc::new(RefCell::new(Vec::new()));
    let client = GraphClient::new(
        format!("{GRAPH}/v1.0"),
        None,
        vec![format!("{GRAPH}/Mail.Read")],
        token_source(calls.clone()),
    )
    .with_policy(save_to_imis::retry::Policy {
        max_attempts: 3,
        base_ms: 50,
        cap_ms: 200,
        throttle_base_ms: 100,
        throttle_cap_ms: 400,
        throttle_budget_ms: 3_000,
        ..Default::default()
    });
    let mailbox = control(GRAPH, "mailbox", None).await;
    (client, calls, mailbox["messages"][0].clone())
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The SHA-256 of what a body holds, decoded.
async fn body_hex(body: &save_to_imis::body::Body) -> String {
    hex(&STANDARD.decode(body.base64_text().await.unwrap()).unwrap())
}

#[wasm_bindgen_test]
async fn lists_every_attachment_across_pages() {
    let (client, _, message) = setup().await;
    control(GRAPH, "settings", Some(json!({ "pageSize": 2 }))).await;
    let list = client
        .list_attachments(message["restId"].as_str().unwrap())
        .await
        .unwrap();
    let expected = message["attachments"].as_array().unwrap();
    assert_eq!(list.len(), expected.len());
    for (got, want) in list.iter().zip(expected) {
        assert_eq!(got.id, want["restId"].as_str().unwrap());
        assert_eq!(got.size, want["size"].as_u64().unwrap());
        assert_eq!(got.kind(), Some(AttachmentKind::File));
    }
    let requests = control(GRAPH, "requests", None).await;
    let lists: Vec<_> = requests
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"].as_str().unwrap().contains("/attachments?"))
        .collect();
    assert!(lists.len() >= 2, "followed @odata.nextLink");
    assert!(lists
        .iter()
        .all(|r| !r["path"].as_str().unwrap().contains("contentBytes")));
}

#[wasm_bindgen_test]
async fn downloads_are_byte_exact() {
    let (client, calls, message) = setup().await;
    let msg = message["restId"].as_str().unwrap();
    for att in message["attachments"].as_array().unwrap() {
        let bytes = client
            .download(msg, att["restId"].as_str().unwrap(), &|_| {}, &|_| {})
            .await
            .unwrap();
        assert_eq!(body_hex(&bytes).await, att["sha256"].as_str().unwrap());
    }
    assert_eq!(*calls.borrow(), [false], "one token for the whole session");
}

#[wasm_bindgen_test]
async fn a_refused_token_is_replaced_once() {
    let (client, calls, message) = setup().await;
    let att = &message["attachments"][0];
    control(
        GRAPH,
        "faults",
        Some(json!([{ "match": "$value", "status": 401, "times": 1 }])),
    )
    .await;
    let notes = RefCell::new(Vec::new());
    let bytes = client
        .download(
            message["restId"].as_str().unwrap(),
            att["restId"].as_str().unwrap(),
            &|_| {},
            &|n| notes.borrow_mut().push(n.to_string()),
        )
        .await
        .unwrap();
    assert_eq!(body_hex(&bytes).await, att["sha256"].as_str().unwrap());
    assert_eq!(*calls.borrow(), [false, true]);
    assert_eq!(notes.borrow().len(), 1);

    control(
        GRAPH,
        "faults",
        Some(json!([{ "match": "$value", "status": 401, "times": 2 }])),
    )
    .await;
    let err = client
        .download(
            message["restId"].as_str().unwrap(),
            att["restId"].as_str().unwrap(),
            &|_| {},
            &|_| {},
        )
        .await;
    assert_eq!(err.err(), Some(GraphError::Unauthorized));
}

#[wasm_bindgen_test]
async fn retry_after_cannot_be_read_so_throttling_backs_off() {
    let (client, _, message) = setup().await;
    let att = &message["attachments"][1];
    let url = format!(
        "{GRAPH}/v1.0/me/messages/{}/attachments/{}/$value",
        message["restId"].as_str().unwrap(),
        att["restId"].as_str().unwrap()
    );
    // Graph sends Retry-After, but a browser may not read it: it is not exposed.
    let fault = json!([{ "match": "$value", "status": 429, "retryAfter": 2, "times": 1 }]);
    control(GRAPH, "faults", Some(fault.clone())).await;
    let minted = control(
        common::IDP,
        "mint",
        Some(json!({ "scope": format!("{GRAPH}/Mail.Read") })),
    )
    .await;
    let seen = gloo_net::http::Request::get(&url)
        .header(
            "Authorization",
            &format!("Bearer {}", minted["access_token"].as_str().unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(seen.status(), 429);
    assert_eq!(seen.headers().get("retry-after"), None);

    control(GRAPH, "faults", Some(fault)).await;
    let notes = RefCell::new(Vec::new());
    let bytes = client
        .download(
            message["restId"].as_str().unwrap(),
            att["restId"].as_str().unwrap(),
            &|_| {},
            &|n| notes.borrow_mut().push(n.to_string()),
        )
        .await
        .unwrap();
    assert_eq!(body_hex(&bytes).await, att["sha256"].as_str().unwrap());
    assert!(
        notes.borrow()[0].starts_with("Waiting for Microsoft Graph, which is busy (429)"),
        "{:?}",
        notes.borrow()
    );
}

#[wasm_bindgen_test]
async fn a_cut_connection_is_read_again_and_busy_gives_up_after_the_cap() {
    let (client, _, message) = setup().await;
    let msg = message["restId"].as_str().unwrap();
    let att = &message["attachments"][0];
    control(
        GRAPH,
        "faults",
        Some(json!([{ "match": "$value", "cutAfterBytes": 100, "times": 1 }])),
    )
    .await;
    let bytes = client
        .download(msg, att["restId"].as_str().unwrap(), &|_| {}, &|_| {})
        .await
        .unwrap();
    assert_eq!(body_hex(&bytes).await, att["sha256"].as_str().unwrap());

    control(
        GRAPH,
        "faults",
        Some(json!([{ "match": "$value", "status": 503, "times": 100 }])),
    )
    .await;
    let err = client
        .download(msg, att["restId"].as_str().unwrap(), &|_| {}, &|_| {})
        .await;
    // Busy answers are waited out within the throttling budget (3 s here), then given up.
    match err {
        Err(GraphError::Throttled {
            status: 503,
            attempts,
        }) => assert!(attempts >= 5, "{attempts} attempts"),
        other => panic!("{:?}", other.map(|_| ())),
    }
}

#[wasm_bindgen_test]
async fn unknown_items_give_graphs_own_error() {
    let (client, _, _) = setup().await;
    match client.list_attachments("AAMk_no-such-message").await {
        Err(GraphError::Http { status, code, .. }) => {
            assert_eq!((status, code.as_str()), (404, "ErrorItemNotFound"))
        }
        other => panic!("{other:?}"),
    }
}
