//! The iMIS adapter in headless Chromium against the iMIS stand-in: sign-in, contacts,
//! the activity, folders and documents, errors, and a token that expires.
#![cfg(target_arch = "wasm32")]

mod common;

use std::rc::Rc;

use common::{control, IMIS};
use save_to_imis::body::{Body, BodyBuilder};
use save_to_imis::error::ImisError;
use save_to_imis::imis::site::SiteProfile;
use save_to_imis::imis::ImisClient;
use save_to_imis::record::Record;
use save_to_imis::settings::RecordKind;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn signed_in() -> ImisClient {
    control(IMIS, "reset", Some(json!({}))).await;
    ImisClient::sign_in(IMIS, "staff", "imis-demo-pass")
        .await
        .unwrap()
        .0
}

fn activity(party: &str, key: &str) -> Record {
    Record {
        kind: RecordKind::Activity,
        party_id: party.into(),
        type_code: "EMAIL".into(),
        date: "2026-11-20T09:30:00".into(),
        subject: "Board papers".into(),
        sender: "Alex <alex.member@example.com>".into(),
        recipients: String::new(),
        note: "Hello ✓".into(),
        message_key: key.into(),
    }
}

fn body(bytes: &[u8]) -> Body {
    let mut b = BodyBuilder::default();
    for chunk in bytes.chunks(1000) {
        b.push(chunk);
    }
    b.finish(None)
}

#[wasm_bindgen_test]
async fn wrong_passwords_are_refused_with_imis_words() {
    control(IMIS, "reset", Some(json!({}))).await;
    match ImisClient::sign_in(IMIS, "staff", "wrong").await {
        Err(ImisError::BadCredentials(message)) => {
            assert!(message.contains("incorrect"), "{message}")
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
}

#[wasm_bindgen_test]
async fn contacts_are_found_by_any_case_and_shared_addresses_give_both() {
    let imis = signed_in().await;
    let alex = imis
        .find_contacts(&SiteProfile::default(), "Alex.Member@example.com")
        .await
        .unwrap();
    assert_eq!(alex.len(), 1);
    assert_eq!(
        (alex[0].party_id.as_str(), alex[0].full_name.as_str()),
        ("23001", "Alex Member")
    );
    let shared = imis
        .find_contacts(&SiteProfile::default(), "shared@example.com")
        .await
        .unwrap();
    let mut ids: Vec<_> = shared.iter().map(|c| c.party_id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["23002", "23003"]);
    assert!(imis
        .find_contacts(&SiteProfile::default(), "nobody@example.com")
        .await
        .unwrap()
        .is_empty());
}

#[wasm_bindgen_test]
async fn an_activity_is_created_and_found_again_by_its_key() {
    let imis = signed_in().await;
    let id = imis
        .create_record(
            "Activity",
            &activity("23001", "email:0011223344556677").to_entity(&SiteProfile::default()),
        )
        .await
        .unwrap();
    assert_eq!(
        imis.find_record(
            "Activity",
            ("PartyId", "SOURCE_CODE"),
            "23001",
            "email:0011223344556677"
        )
        .await
        .unwrap(),
        Some(id.clone())
    );
    assert_eq!(
        imis.find_record(
            "Activity",
            ("PartyId", "SOURCE_CODE"),
            "23001",
            "email:ffffffffffffffff"
        )
        .await
        .unwrap(),
        None
    );
    assert_eq!(
        imis.find_record(
            "Activity",
            ("PartyId", "SOURCE_CODE"),
            "22708",
            "email:0011223344556677"
        )
        .await
        .unwrap(),
        None
    );
    let state = control(IMIS, "state", None).await;
    let stored = &state["activities"][0]["entity"]["Properties"]["$values"];
    let note = stored
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["Name"] == "NOTE")
        .unwrap();
    assert_eq!(note["Value"], "Hello ✓");
}

#[wasm_bindgen_test]
async fn imis_validation_errors_keep_their_message() {
    let imis = signed_in().await;
    match imis
        .create_record(
            "Activity",
            &activity("99999999", "k").to_entity(&SiteProfile::default()),
        )
        .await
    {
        Err(ImisError::Http {
            status, message, ..
        }) => {
            assert_eq!(status, 400);
            assert!(message.contains("99999999"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[wasm_bindgen_test]
async fn folders_and_documents_round_trip() {
    let imis = signed_in().await;
    let folder = "$/Common/Email/2026-11-20 0930 Test [00000001]";
    assert_eq!(imis.find_document(folder).await.unwrap(), None);
    imis.create_folder(
        &SiteProfile::default(),
        "$/Common/Email",
        "2026-11-20 0930 Test [00000001]",
    )
    .await
    .unwrap();
    assert!(imis.find_document(folder).await.unwrap().is_some());
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let id = imis
        .upload_document(folder, "all bytes.bin", &body(&bytes), Rc::new(|_| {}))
        .await
        .unwrap();
    assert_eq!(
        imis.find_document(&format!("{folder}/all bytes.bin"))
            .await
            .unwrap(),
        Some(id.clone())
    );
    let state = control(IMIS, "state", None).await;
    let doc: &Value = state["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["DocumentId"] == id.as_str())
        .unwrap();
    let want: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(doc["sha256"], want.as_str());
    assert_eq!(doc["DocumentTypeId"], "BIN");
    // A missing parent folder is iMIS's error, not a silent success.
    assert!(matches!(
        imis.upload_document("$/Common/Nope", "x.txt", &body(b"x"), Rc::new(|_| {}))
            .await,
        Err(ImisError::Http { status: 400, .. })
    ));
}

#[wasm_bindgen_test]
async fn an_expired_token_says_sign_in_again() {
    control(IMIS, "reset", Some(json!({}))).await;
    control(IMIS, "settings", Some(json!({ "tokenLifetimeSeconds": 1 }))).await;
    let (imis, expires_in) = ImisClient::sign_in(IMIS, "staff", "imis-demo-pass")
        .await
        .unwrap();
    assert_eq!(expires_in, 1);
    save_to_imis::http::sleep(1500).await;
    assert_eq!(
        imis.find_contacts(&SiteProfile::default(), "alex.member@example.com")
            .await,
        Err(ImisError::SessionExpired)
    );
}
