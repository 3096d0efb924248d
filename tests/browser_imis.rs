//! The iMIS adapter in headless Chromium against the iMIS stand-in: sign-in, contacts,
//! the activity or interaction, folders and documents, errors, and a token that
//! expires. The test runner's page is another origin than the stand-in's, so these
//! tests turn the stand-in's CORS on (a stock site has none; the end-to-end tests run
//! the pane on one origin with iMIS instead).
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

async fn reset() {
    control(IMIS, "reset", Some(json!({}))).await;
    control(IMIS, "settings", Some(json!({ "cors": true }))).await;
}

async fn signed_in() -> ImisClient {
    reset().await;
    ImisClient::sign_in(IMIS, "staff", "imis-demo-pass")
        .await
        .unwrap()
        .0
}

fn record(kind: RecordKind, party: &str, key: &str) -> Record {
    Record {
        kind,
        party_id: party.into(),
        address: "alex.member@example.com".into(),
        type_code: "EMAIL".into(),
        date: "2026-11-20T09:30:00".into(),
        subject: "Board papers".into(),
        note: "Hello ✓".into(),
        message_key: format!("email:{key}"),
        interaction_key: key.into(),
    }
}

fn activity(party: &str, key: &str) -> Record {
    record(RecordKind::Activity, party, key)
}

fn body(bytes: &[u8]) -> Body {
    let mut b = BodyBuilder::default();
    for chunk in bytes.chunks(1000) {
        b.push(chunk).unwrap();
    }
    b.finish(None).unwrap()
}

#[wasm_bindgen_test]
async fn wrong_passwords_are_refused_with_imis_words() {
    reset().await;
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
    let site = SiteProfile::default();
    let created = imis
        .create_record(&site, &activity("23001", "0011223344556677"))
        .await
        .unwrap();
    let id = created.id.clone();
    // The stand-in answers with the stored record: the note's update can start from it.
    assert!(created.stored.is_some(), "{created:?}");
    let found = |party: &'static str, key: &'static str| {
        let imis = imis.clone();
        let site = site.clone();
        async move {
            imis.find_record(&site, &activity(party, key))
                .await
                .unwrap()
        }
    };
    assert_eq!(found("23001", "0011223344556677").await, Some(id.clone()));
    assert_eq!(found("23001", "ffffffffffffffff").await, None);
    assert_eq!(found("22708", "0011223344556677").await, None);
    let state = control(IMIS, "state", None).await;
    let stored = state["activities"][0]["entity"]["Properties"]["$values"]
        .as_array()
        .unwrap()
        .clone();
    let value = |name: &str| stored.iter().find(|p| p["Name"] == name).unwrap()["Value"].clone();
    assert_eq!(value("NOTE"), "Hello ✓");
    assert_eq!(value("UF_1"), "email:0011223344556677");
    assert_eq!(value("TRANSACTION_DATE")["$type"], "System.DateTime");
    // The note's section is replaced in place, from the answer (no read first).
    imis.update_note(
        &site,
        &activity("23001", "0011223344556677"),
        &id,
        "- a.pdf",
        created.stored,
    )
    .await
    .unwrap();
    let state = control(IMIS, "state", None).await;
    let note = state["activities"][0]["entity"]["Properties"]["$values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["Name"] == "NOTE")
        .unwrap()["Value"]
        .clone();
    assert!(note.as_str().unwrap().ends_with("- a.pdf"), "{note}");
}

#[wasm_bindgen_test]
async fn an_interaction_is_the_typed_contract_and_found_again() {
    let imis = signed_in().await;
    let site = SiteProfile::default();
    let r = record(RecordKind::Interaction, "23001", "0011223344");
    let id = imis.create_record(&site, &r).await.unwrap().id;
    assert_eq!(imis.find_record(&site, &r).await.unwrap(), Some(id.clone()));
    let other = record(RecordKind::Interaction, "22708", "0011223344");
    assert_eq!(imis.find_record(&site, &other).await.unwrap(), None);
    // Read first, then written.
    imis.update_note(&site, &r, &id, "- b.pdf", None)
        .await
        .unwrap();
    let state = control(IMIS, "state", None).await;
    let stored = &state["interactions"][0]["entity"];
    assert_eq!(stored["Party"]["PartyId"], "23001");
    assert_eq!(stored["MessageId"], "0011223344");
    assert!(stored["CommunicationLog"]["Text"]
        .as_str()
        .unwrap()
        .ends_with("- b.pdf"));
}

#[wasm_bindgen_test]
async fn imis_validation_errors_keep_their_message() {
    let imis = signed_in().await;
    match imis
        .create_record(&SiteProfile::default(), &activity("99999999", "k"))
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
async fn folders_and_documents_are_found_in_working_status() {
    let imis = signed_in().await;
    let (root, name) = ("$/Common/Email", "2026-11-20 0930 Test [00000001]");
    let folder = format!("{root}/{name}");
    assert_eq!(imis.find_document(root, name).await.unwrap(), None);
    imis.create_folder(&SiteProfile::default(), root, name)
        .await
        .unwrap();
    assert!(imis.find_document(root, name).await.unwrap().is_some());
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let id = imis
        .upload_document(
            &folder,
            "all bytes.bin",
            "ZIP",
            &body(&bytes),
            Rc::new(|_| {}),
        )
        .await
        .unwrap();
    assert_eq!(
        imis.find_document(&folder, "all bytes.bin").await.unwrap(),
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
    assert_eq!(doc["DocumentTypeId"], "ZIP");
    assert_eq!(doc["Status"], "Working");
    // A type the site lacks, and a missing parent folder, are iMIS's errors.
    match imis
        .upload_document(&folder, "a.docx", "DOCX", &body(b"x"), Rc::new(|_| {}))
        .await
    {
        Err(ImisError::Http {
            status: 400,
            message,
            ..
        }) => assert!(message.contains("DocumentTypeId"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        imis.upload_document(
            "$/Common/Nope",
            "x.txt",
            "TXT",
            &body(b"x"),
            Rc::new(|_| {})
        )
        .await,
        Err(ImisError::Http { status: 400, .. })
    ));
}

#[wasm_bindgen_test]
async fn a_request_over_the_sites_limit_is_too_large() {
    let imis = signed_in().await;
    control(
        IMIS,
        "settings",
        Some(json!({ "maxRequestBytes": 1_048_576 })),
    )
    .await;
    let bytes = vec![7u8; 5 * 1024 * 1024];
    // Cross-origin, IIS's 404.13 carries no CORS headers: the browser sees no answer.
    match imis
        .upload_document(
            "$/Common/Email",
            "big.pdf",
            "PDF",
            &body(&bytes),
            Rc::new(|_| {}),
        )
        .await
    {
        Err(e @ ImisError::TooLarge { .. }) => {
            assert!(e.to_string().contains("maxRequestLength"), "{e}")
        }
        other => panic!("{other:?}"),
    }
}

#[wasm_bindgen_test]
async fn an_expired_token_says_sign_in_again() {
    reset().await;
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
