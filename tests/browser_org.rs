//! Organisation-wide settings through the exported `App`, in headless Chromium against
//! the iMIS stand-in (docs/org-settings.md): none yet, an administrator saves them and a
//! member of staff reads the same, staff may not change them, a folder nobody made, a
//! create answered 500 that saved, a document that cannot be read. The stand-in's
//! settings folder stands for one an administrator made with *Administrators Full
//! Control*. CORS is on: the test page is another origin than the stand-in's.
#![cfg(target_arch = "wasm32")]

mod common;

use common::{control, IMIS};
use gloo_net::http::Request;
use js_sys::{Function, Reflect};
use save_to_imis::{layer_settings, App};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const FOLDER: &str = "$/Common/SaveToImis";
const READ_ONLY: &str = "Only an iMIS administrator can change the settings for everyone.";

fn js(value: &Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap()
}

fn rust(value: JsValue) -> Value {
    let text: String = js_sys::JSON::stringify(&value).unwrap().into();
    serde_json::from_str(&text).unwrap()
}

async fn reset() {
    control(IMIS, "reset", Some(json!({}))).await;
    control(IMIS, "settings", Some(json!({ "cors": true }))).await;
    control(IMIS, "folder", Some(json!({ "path": FOLDER }))).await;
}

/// An App set up for the stand-in and signed in to iMIS as `user`.
async fn app(user: &str, password: &str, extra: Value) -> App {
    let no_graph = Function::new_no_args("return Promise.reject(new Error('no Graph here'))");
    let app = App::new(no_graph, JsValue::NULL).unwrap();
    let mut raw = json!({ "imisUrl": IMIS });
    raw.as_object_mut()
        .unwrap()
        .extend(extra.as_object().cloned().unwrap_or_default());
    app.apply_settings(js(&raw)).unwrap();
    JsFuture::from(app.sign_in_imis(user.into(), password.into()))
        .await
        .unwrap();
    app
}

async fn staff() -> App {
    app("staff", "imis-demo-pass", json!({})).await
}

async fn admin() -> App {
    app("admin", "imis-admin-pass", json!({})).await
}

async fn load(app: &App) -> Value {
    rust(JsFuture::from(app.load_org_settings()).await.unwrap())
}

async fn save(app: &App, values: Value) -> Result<Value, JsValue> {
    JsFuture::from(app.save_org_settings(js(&values)))
        .await
        .map(rust)
}

fn kind_and_message(error: &JsValue) -> (String, String) {
    let text = |k: &str| {
        Reflect::get(error, &k.into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    (text("kind"), text("message"))
}

async fn settings_documents() -> Vec<Value> {
    let state = control(IMIS, "state", None).await;
    state["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["FolderPath"] == FOLDER)
        .cloned()
        .collect()
}

#[wasm_bindgen_test]
async fn no_document_yet_is_found_false_not_an_error() {
    reset().await;
    let got = load(&staff().await).await;
    assert_eq!(
        got,
        json!({ "found": false, "path": FOLDER, "values": {} }),
        "{got}"
    );
    // A folder nobody made reads the same way.
    let elsewhere = app(
        "staff",
        "imis-demo-pass",
        json!({ "orgSettingsPath": "$/Common/Nobody made this" }),
    )
    .await;
    assert_eq!(load(&elsewhere).await["found"], false);
}

#[wasm_bindgen_test]
async fn an_administrator_saves_and_staff_read_the_same_values() {
    reset().await;
    let admin = admin().await;
    let saved = save(
        &admin,
        json!({
            "activityType": "MEETING",
            "maxEmails": "20",
            "allowDuplicateEmails": "true",
            // Not the organisation's to set: left out of the document.
            "imisUrl": "https://elsewhere.example.org",
            "graphConcurrency": "1",
        }),
    )
    .await
    .unwrap();
    let values =
        json!({ "activityType": "MEETING", "allowDuplicateEmails": "true", "maxEmails": "20" });
    assert_eq!(saved["values"], values, "{saved}");
    assert_eq!(
        (&saved["found"], &saved["updatedBy"]),
        (&json!(true), &json!("admin"))
    );

    let staff = staff().await;
    let read = load(&staff).await;
    assert_eq!(read["values"], values);
    assert_eq!(read["documentId"], saved["documentId"]);
    assert_eq!(read["updatedBy"], "admin");
    assert!(read["updatedAt"].as_str().is_some_and(|t| t.len() >= 10));

    // The pane layers them over the user's own choices without merging anything itself.
    let layered = rust(
        layer_settings(
            js(&json!({ "imisUrl": IMIS })),
            js(&read["values"]),
            js(&json!({ "activityType": "NOTE", "graphConcurrency": "2" })),
        )
        .unwrap(),
    );
    assert_eq!(layered["values"]["activityType"], "MEETING");
    assert_eq!(layered["sources"]["activityType"], "organisation");
    assert_eq!(layered["values"]["graphConcurrency"], "2");
    assert_eq!(layered["sources"]["graphConcurrency"], "personal");
    assert_eq!(layered["sources"]["imisUrl"], "deployment");
    assert_eq!(layered["layers"]["maxEmails"], "organisation");

    // Saved again: the same document, changed in place (PUT), not a second one.
    let again = save(&admin, json!({ "activityType": "NOTE" }))
        .await
        .unwrap();
    assert_eq!(again["documentId"], saved["documentId"]);
    assert_eq!(
        load(&staff).await["values"],
        json!({ "activityType": "NOTE" })
    );
    assert_eq!(settings_documents().await.len(), 1);
}

#[wasm_bindgen_test]
async fn staff_may_not_change_them_and_are_told_so_plainly() {
    reset().await;
    let staff = staff().await;
    // No document yet: the create is refused.
    let e = save(&staff, json!({ "activityType": "NOTE" }))
        .await
        .unwrap_err();
    assert_eq!(
        kind_and_message(&e),
        ("org-settings-read-only".into(), READ_ONLY.into())
    );
    assert!(settings_documents().await.is_empty());
    // A document exists: the change is refused and nothing changes.
    save(&admin().await, json!({ "activityType": "MEETING" }))
        .await
        .unwrap();
    let e = save(&staff, json!({ "activityType": "NOTE" }))
        .await
        .unwrap_err();
    assert_eq!(
        kind_and_message(&e),
        ("org-settings-read-only".into(), READ_ONLY.into())
    );
    assert_eq!(
        load(&staff).await["values"],
        json!({ "activityType": "MEETING" })
    );
}

#[wasm_bindgen_test]
async fn wrong_values_a_missing_folder_and_a_500_that_saved() {
    reset().await;
    let admin = admin().await;
    let e = save(
        &admin,
        json!({ "activityType": "DUES", "maxEmails": "500" }),
    )
    .await
    .unwrap_err();
    let (kind, message) = kind_and_message(&e);
    assert_eq!(kind, "settings");
    assert!(message.contains("system activity type"), "{message}");
    assert!(settings_documents().await.is_empty());

    let missing = app(
        "admin",
        "imis-admin-pass",
        json!({ "orgSettingsPath": "$/Common/Nobody made this" }),
    )
    .await;
    let e = save(&missing, json!({ "activityType": "NOTE" }))
        .await
        .unwrap_err();
    let (kind, message) = kind_and_message(&e);
    assert_eq!(kind, "imis");
    assert!(message.contains("does not exist"), "{message}");

    // iMIS can answer 500 to a create, and to a change, that worked.
    control(IMIS, "settings", Some(json!({ "documentPost500": true }))).await;
    let saved = save(&admin, json!({ "activityType": "NOTE" }))
        .await
        .unwrap();
    assert_eq!(saved["values"], json!({ "activityType": "NOTE" }));
    control(
        IMIS,
        "faults",
        Some(json!([{ "match": "PUT /api/Document/", "status": 500, "store": true }])),
    )
    .await;
    let changed = save(&admin, json!({ "activityType": "MEETING" }))
        .await
        .unwrap();
    assert_eq!(changed["values"], json!({ "activityType": "MEETING" }));
    // A 500 that did not save is an error, not a success.
    control(
        IMIS,
        "faults",
        Some(json!([{ "match": "PUT /api/Document/", "status": 500 }])),
    )
    .await;
    let e = save(&admin, json!({ "activityType": "EMAIL" }))
        .await
        .unwrap_err();
    // The words say what happened; the status is under the details.
    let details = Reflect::get(&e, &"details".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    assert!(details.contains("HTTP 500"), "{details}");
    assert!(
        kind_and_message(&e).1.starts_with("iMIS refused"),
        "{:?}",
        kind_and_message(&e)
    );
    assert_eq!(
        settings_documents().await.len(),
        1,
        "never a second document"
    );
}

#[wasm_bindgen_test]
async fn a_document_that_cannot_be_read_is_a_plain_error() {
    reset().await;
    // An administrator puts something else there by hand.
    let token = Request::post(&format!("{IMIS}/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=password&username=admin&password=imis-admin-pass")
        .unwrap()
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({
        "$type": "Asi.Soa.Core.DataContracts.DocumentData, Asi.Contracts",
        "Name": "save-to-imis-settings.txt", "DocumentTypeId": "TXT", "Path": FOLDER,
        "Data": { "$type": "System.Byte[], mscorlib", "$value": "bm90IGpzb24=" },
    });
    let created = Request::post(&format!("{IMIS}/api/Document"))
        .header("Authorization", &format!("Bearer {token}"))
        .json(&body)
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let e = JsFuture::from(staff().await.load_org_settings())
        .await
        .unwrap_err();
    let (kind, message) = kind_and_message(&e);
    assert_eq!(kind, "imis");
    assert!(
        message.contains("cannot be used") && message.contains("not JSON"),
        "{message}"
    );
}
