//! Cancelling a save, in headless Chromium against the iMIS stand-in: the whole
//! pipeline (`save::run`) with attachments read through a stand-in for Outlook's own
//! reader (`{readAttachment(officeId)}`), so each test decides when content arrives.
//! The cancel is set from the progress events, at the step under test. The iMIS
//! stand-in's CORS is turned on: the test page is another origin.
#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use base64::Engine;
use common::{control, token_source, GRAPH, IMIS};
use js_sys::{Object, Promise, Reflect};
use save_to_imis::cancel::Cancel;
use save_to_imis::error::Error;
use save_to_imis::graph::GraphClient;
use save_to_imis::host::HostContent;
use save_to_imis::imis::model::Contact;
use save_to_imis::imis::ImisClient;
use save_to_imis::item::{Address, AttachmentInfo, AttachmentKind, MailItem};
use save_to_imis::plan::{self, SavePlan};
use save_to_imis::report::{Event, Outcome, Report};
use save_to_imis::save::{self, Emit, Sources};
use save_to_imis::settings::{self, RawSettings, Settings};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Never handed over: an attachment Outlook is still reading.
const STUCK: &str = "office-stuck";

fn attachment(id: &str, name: &str) -> AttachmentInfo {
    AttachmentInfo {
        id: id.into(),
        office_id: if id == "stuck" {
            STUCK.into()
        } else {
            format!("office-{id}")
        },
        host_only: false,
        name: name.into(),
        content_type: "application/pdf".into(),
        size: content(id).len() as u64,
        kind: AttachmentKind::File,
        is_inline: false,
        url: None,
    }
}

fn content(id: &str) -> String {
    format!("%PDF-1.4 the content of {id}")
}

/// An email with one attachment per id; each test uses its own message id, so its
/// record and folder are its own.
fn email(key: &str, ids: &[&str]) -> MailItem {
    MailItem {
        mode: Default::default(),
        rest_id: format!("AAMk_{key}"),
        shared_mailbox: None,
        user_address: "dana.staff@example.org".into(),
        host_content: true,
        subject: format!("Cancel test {key}"),
        from: Address {
            name: "Alex Member".into(),
            address: "alex.member@example.com".into(),
        },
        to: vec![],
        cc: vec![],
        date: "2026-11-20T09:30:00.000Z".into(),
        internet_message_id: format!("<cancel-{key}@example.com>"),
        body_text: "Hello".into(),
        attachments: ids
            .iter()
            .map(|id| attachment(id, &format!("{id}.pdf")))
            .collect(),
    }
}

fn alex() -> Contact {
    Contact {
        party_id: "23001".into(),
        full_name: "Alex Member".into(),
        emails: vec!["alex.member@example.com".into()],
    }
}

fn sam() -> Contact {
    Contact {
        party_id: "22708".into(),
        full_name: "Sam Board".into(),
        emails: vec!["sam.board@example.net".into()],
    }
}

fn settings() -> Settings {
    settings::validate(&RawSettings::default(), &[]).unwrap()
}

fn plan_for(item: &MailItem, contacts: &[Contact]) -> SavePlan {
    let ids: Vec<String> = item.attachments.iter().map(|a| a.id.clone()).collect();
    plan::build(item, &settings(), contacts, &ids)
}

/// Outlook's reader: `readAttachment(officeId)` resolves at once with the content as
/// base64, except for `STUCK`, which never does.
fn reader() -> HostContent {
    let read = Closure::<dyn Fn(String) -> Promise>::new(|office_id: String| {
        if office_id == STUCK {
            return Promise::new(&mut |_, _| {});
        }
        let id = office_id.trim_start_matches("office-");
        let answer = Object::new();
        let _ = Reflect::set(&answer, &"format".into(), &"base64".into());
        let encoded = base64::engine::general_purpose::STANDARD.encode(content(id));
        let _ = Reflect::set(&answer, &"content".into(), &encoded.into());
        Promise::resolve(&JsValue::from(answer))
    });
    let reader = Object::new();
    let _ = Reflect::set(&reader, &"readAttachment".into(), &read.into_js_value());
    HostContent::new(reader.into())
}

/// Every event as the pane gets it (JSON), and the cancel set when `when` says so.
fn recorder(
    cancel: &Cancel,
    when: impl Fn(&Value) -> bool + 'static,
) -> (Emit, Rc<RefCell<Vec<Value>>>) {
    let events = Rc::new(RefCell::new(Vec::new()));
    let (seen, cancel) = (events.clone(), cancel.clone());
    let emit: Emit = Rc::new(move |event: Event| {
        let event =
            serde_json::from_str::<serde_json::Value>(&save_to_imis::jsonw::to_string(&event))
                .unwrap();
        if when(&event) {
            cancel.cancel();
        }
        seen.borrow_mut().push(event);
    });
    (emit, events)
}

fn phase_of(event: &Value, id: &str, phase: &str) -> bool {
    event["type"] == "attachment" && event["id"] == id && event["phase"] == phase
}

async fn signed_in() -> ImisClient {
    control(IMIS, "reset", Some(json!({}))).await;
    control(IMIS, "settings", Some(json!({ "cors": true }))).await;
    ImisClient::sign_in(IMIS, "staff", "imis-demo-pass")
        .await
        .unwrap()
        .0
}

async fn run(
    imis: &ImisClient,
    plan: &SavePlan,
    host: &HostContent,
    emit: Emit,
    cancel: &Cancel,
) -> Result<Report, Error> {
    let sources = Sources {
        graph: None,
        host: Some(host),
        none_reason: "no source".into(),
        concurrency: 1,
    };
    run_from(imis, plan, sources, emit, cancel).await
}

async fn run_from(
    imis: &ImisClient,
    plan: &SavePlan,
    sources: Sources<'_>,
    emit: Emit,
    cancel: &Cancel,
) -> Result<Report, Error> {
    let known = save::Known {
        duplicate: false,
        unsaved: &[],
    };
    save::run(plan, imis, &settings().site, sources, known, emit, cancel).await
}

fn status(report: &Report, id: &str) -> &'static str {
    match &report
        .attachments
        .iter()
        .find(|a| a.id == id)
        .unwrap()
        .outcome
    {
        Outcome::Saved { .. } => "saved",
        Outcome::AlreadySaved { .. } => "alreadySaved",
        Outcome::Cancelled { reason } => {
            assert_eq!(reason, "Cancelled before it was saved.");
            "cancelled"
        }
        Outcome::Failed { .. } => "failed",
        Outcome::Linked { .. } => "linked",
    }
}

/// The documents stored in `folder` (duplicates included), by name.
fn documents_in(state: &Value, folder: &str) -> Vec<String> {
    let mut names: Vec<String> = state["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["FolderPath"] == folder)
        .map(|d| d["Name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

/// Each activity's note, oldest first.
fn notes(state: &Value) -> Vec<String> {
    state["activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            a["entity"]["Properties"]["$values"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["Name"] == "NOTE")
                .unwrap()["Value"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[wasm_bindgen_test]
async fn cancelled_before_the_record_nothing_is_written() {
    let imis = signed_in().await;
    let before = control(IMIS, "state", None).await;
    let item = email("before", &["a1", "a2"]);
    let plan = plan_for(&item, &[alex()]);
    let cancel = Cancel::new();
    cancel.cancel();
    let (emit, events) = recorder(&cancel, |_| false);
    match run(&imis, &plan, &reader(), emit, &cancel).await {
        Err(e @ Error::Cancelled(_)) => assert_eq!(e.kind(), "cancelled"),
        other => panic!("{other:?}"),
    }
    let after = control(IMIS, "state", None).await;
    assert_eq!(after["activities"], before["activities"]);
    assert_eq!(after["documents"], before["documents"]);
    let writes: Vec<&Value> = after["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] != "GET" && r["path"].as_str().unwrap().starts_with("/api"))
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
    let events = events.borrow();
    assert!(phase_of(&events[events.len() - 1], "a2", "cancelled"));
    assert!(events
        .iter()
        .any(|e| e["type"] == "activity" && e["phase"] == "cancelled"));
}

#[wasm_bindgen_test]
async fn an_upload_in_flight_finishes_and_counts_and_a_second_save_adds_the_rest() {
    let imis = signed_in().await;
    // The folder and a1's upload are slow, and answer 500 although iMIS stored them:
    // only the look afterwards tells, and it must run although the save is cancelled.
    control(
        IMIS,
        "faults",
        Some(json!([{ "match": "POST /api/Document", "status": 500, "store": true, "delayMs": 600, "times": 2 }])),
    )
    .await;
    let item = email("upload", &["a1", "a2", "a3"]);
    let plan = plan_for(&item, &[alex()]);
    let folder = plan.folder_path();
    let cancel = Cancel::new();
    // Cancelled the moment a1's upload is sent.
    let (emit, events) = recorder(&cancel, |e| phase_of(e, "a1", "uploading"));
    let report = run(&imis, &plan, &reader(), emit, &cancel).await.unwrap();
    assert!(report.cancelled);
    assert_eq!(
        [
            status(&report, "a1"),
            status(&report, "a2"),
            status(&report, "a3")
        ],
        ["saved", "cancelled", "cancelled"]
    );
    assert_eq!(report.folder.as_deref(), Some(folder.as_str()));
    assert!(
        report
            .notice
            .as_deref()
            .unwrap()
            .contains("2 attachments were not stored"),
        "{:?}",
        report.notice
    );
    // The others stopped while a1's upload was still in flight.
    let events = events.borrow().clone();
    let at = |id: &str, phase: &str| events.iter().position(|e| phase_of(e, id, phase));
    assert!(at("a2", "cancelled").unwrap() < at("a1", "saved").unwrap());
    assert!(at("a3", "cancelled").unwrap() < at("a1", "saved").unwrap());
    assert_eq!(at("a2", "uploading"), None);
    assert_eq!(at("a3", "uploading"), None);

    let state = control(IMIS, "state", None).await;
    assert_eq!(documents_in(&state, &folder), ["a1.pdf"]);
    let note = &notes(&state)[0];
    assert!(
        note.contains("- a1.pdf (") && note.contains("): document "),
        "{note}"
    );
    assert!(
        note.contains("- a2.pdf (")
            && note.contains("): not saved (Cancelled before it was saved.)"),
        "{note}"
    );

    // A second save of the same email stores only what is missing.
    let again = Cancel::new();
    let (emit, _) = recorder(&again, |_| false);
    let report = run(&imis, &plan, &reader(), emit, &again).await.unwrap();
    assert!(!report.cancelled);
    assert!(report.records[0].existed);
    assert_eq!(
        [
            status(&report, "a1"),
            status(&report, "a2"),
            status(&report, "a3")
        ],
        ["alreadySaved", "saved", "saved"]
    );
    let state = control(IMIS, "state", None).await;
    assert_eq!(state["activities"].as_array().unwrap().len(), 1);
    assert_eq!(
        documents_in(&state, &folder),
        ["a1.pdf", "a2.pdf", "a3.pdf"]
    );
    let note = &notes(&state)[0];
    assert!(!note.contains("not saved"), "{note}");
}

#[wasm_bindgen_test]
async fn a_read_in_flight_is_abandoned_and_the_save_still_ends() {
    let imis = signed_in().await;
    let item = email("read", &["stuck", "a2"]);
    let plan = plan_for(&item, &[alex()]);
    let folder = plan.folder_path();
    let cancel = Cancel::new();
    // Outlook never hands "stuck" over: without the cancel this save would never end.
    let (emit, _) = recorder(&cancel, |e| phase_of(e, "stuck", "downloading"));
    let report = run(&imis, &plan, &reader(), emit, &cancel).await.unwrap();
    assert!(report.cancelled);
    assert_eq!(
        [status(&report, "stuck"), status(&report, "a2")],
        ["cancelled", "cancelled"]
    );
    let state = control(IMIS, "state", None).await;
    assert!(documents_in(&state, &folder).is_empty());
    let note = &notes(&state)[0];
    assert!(note.contains("- stuck.pdf ("), "{note}");
    assert_eq!(
        note.matches("not saved (Cancelled before it was saved.)")
            .count(),
        2,
        "{note}"
    );
}

#[wasm_bindgen_test]
async fn cancelled_between_two_contacts_the_first_record_is_kept_and_told() {
    let imis = signed_in().await;
    let item = email("contacts", &["a1"]);
    let plan = plan_for(&item, &[alex(), sam()]);
    let cancel = Cancel::new();
    let (emit, _) = recorder(&cancel, |e| {
        e["type"] == "activity" && e["phase"] == "saved"
    });
    let report = run(&imis, &plan, &reader(), emit, &cancel).await.unwrap();
    assert!(report.cancelled);
    assert_eq!(report.records.len(), 1);
    assert_eq!(report.records[0].contact.party_id, "23001");
    assert_eq!(report.cancelled_contacts, [sam()]);
    assert_eq!(status(&report, "a1"), "cancelled");
    // Nothing of the attachments was written: not even their folder.
    assert_eq!(report.folder, None);
    assert!(
        report
            .notice
            .as_deref()
            .unwrap()
            .contains("The email was not saved for Sam Board."),
        "{:?}",
        report.notice
    );
    let state = control(IMIS, "state", None).await;
    assert_eq!(state["activities"].as_array().unwrap().len(), 1);
    let note = &notes(&state)[0];
    assert!(
        note.contains("- a1.pdf (") && note.contains("not saved (Cancelled"),
        "{note}"
    );
    let json = serde_json::from_str::<serde_json::Value>(&save_to_imis::jsonw::to_string(&report))
        .unwrap();
    assert_eq!(json["cancelled"], true);
    assert_eq!(json["cancelledContacts"][0]["partyId"], "22708");
    assert_eq!(json["attachments"][0]["status"], "cancelled");
}

#[wasm_bindgen_test]
async fn a_graph_download_in_flight_is_aborted_not_retried_nor_failed() {
    let imis = signed_in().await;
    control(GRAPH, "reset", Some(json!({}))).await;
    let ews = "AAMkCancelTest+graph/msg=";
    let added = control(
        GRAPH,
        "messages",
        Some(json!({
            "mailbox": "dana.staff@example.org",
            "ewsId": ews,
            "subject": "Cancel test graph",
            "from": { "name": "Alex Member", "address": "alex.member@example.com" },
            "to": [{ "name": "Dana Staff", "address": "dana.staff@example.org" }],
            "cc": [],
            "sentDateTime": "2026-11-23T11:00:00Z",
            "internetMessageId": "<cancel-graph@mail.example.com>",
            "bodyText": "See attached.",
            "attachments": [
                { "ewsId": format!("{ews}att0+/="), "kind": "file", "name": "big.bin",
                  "contentType": "application/octet-stream", "generate": { "size": 6 << 20, "seed": 3 } },
                { "ewsId": format!("{ews}att1+/="), "kind": "file", "name": "small.txt",
                  "contentType": "text/plain", "base64": "aGVsbG8=" },
            ],
        })),
    )
    .await;
    let rest_id = added["restId"].as_str().unwrap().to_string();
    let listed = added["attachments"].as_array().unwrap();
    let (big, small) = (
        listed[0]["restId"].as_str().unwrap().to_string(),
        listed[1]["restId"].as_str().unwrap().to_string(),
    );
    let mut item = email("graph", &[]);
    item.rest_id = rest_id.clone();
    item.host_content = false;
    for (id, name, size) in [(&big, "big.bin", 6u64 << 20), (&small, "small.txt", 5)] {
        item.attachments.push(AttachmentInfo {
            size,
            content_type: String::new(),
            ..attachment(id, name)
        });
    }
    let plan = plan_for(&item, &[alex()]);
    let folder = plan.folder_path();

    // As `App.save` wires it: the cancel aborts the Graph requests in flight.
    let cancel = Cancel::new();
    let controller = web_sys::AbortController::new().unwrap();
    let graph = GraphClient::new(
        format!("{GRAPH}/v1.0"),
        None,
        vec![format!("{GRAPH}/Mail.Read")],
        token_source(Rc::new(RefCell::new(Vec::new()))),
    )
    .with_abort_signal(controller.signal());
    let signal = controller.signal();
    cancel.on_cancel(move || controller.abort());
    // Cancelled halfway through big.bin's body.
    let watched = big.clone();
    let (emit, events) = recorder(&cancel, move |e| {
        phase_of(e, &watched, "downloading")
            && e["done"].as_u64().unwrap() > 0
            && e["done"].as_u64() < e["total"].as_u64()
    });
    let sources = Sources {
        graph: Some((&graph, rest_id.as_str())),
        host: None,
        none_reason: "no source".into(),
        concurrency: 1,
    };
    let report = run_from(&imis, &plan, sources, emit, &cancel)
        .await
        .unwrap();
    assert!(
        cancel.is_cancelled(),
        "the cancel was set mid-download: {report:?} {:?}",
        events.borrow()
    );
    assert!(signal.aborted(), "the fetch was aborted");
    assert_eq!(report.source, Some("graph"));
    assert_eq!(
        [status(&report, &big), status(&report, &small)],
        ["cancelled", "cancelled"]
    );
    let phases: Vec<String> = events
        .borrow()
        .iter()
        .filter_map(|e| e["phase"].as_str().map(String::from))
        .collect();
    assert!(
        !phases.iter().any(|p| p == "retrying" || p == "failed"),
        "{phases:?}"
    );
    let state = control(IMIS, "state", None).await;
    assert!(documents_in(&state, &folder).is_empty());
    // One request for big.bin's content: the abort was not taken for a cut connection
    // to read again.
    let requests = control(GRAPH, "requests", None).await;
    let values = requests
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == "GET" && r["path"].as_str().unwrap().ends_with("$value"))
        .count();
    assert_eq!(values, 1, "{requests}");
}
