//! Property tests of the pure core: every parser and rule, fed realistic and hostile
//! input (any Unicode scalar value, bidi and zero-width characters, NUL and other
//! controls, path traversal in both slash styles, reserved device names, 300+ character
//! names, emoji, combining marks, right-to-left scripts, arbitrary JSON). Rust strings
//! cannot hold lone surrogates, so those are out of reach by construction.
//!
//! Each property runs a fixed number of cases (`check(N, ..)`), 175,200 in all with
//! plain `cargo test` (a debug build). `PROPS_SCALE` multiplies every count; the long
//! run, ten times as many (1,752,000 cases), is one command:
//!
//!     PROPS_SCALE=10 cargo test --release --test properties
//!
//! Seeds are random (`PROPTEST_RNG_SEED=<u64>` fixes one); a failure prints its input
//! shrunk to a minimal one.
//!
//! Native only: the wasm32 build of the test targets compiles this file to nothing.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashSet;
use std::fmt::Debug;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use save_to_imis::json::{Map, Value};
use serde_ref::{json, Theirs};

mod serde_ref;

use save_to_imis::contacts::{addresses, check_new, draft, matches};
use save_to_imis::graph::model::{
    attachments_url, content_url, encode_segment, item_url, message_mime_url, parse_error,
    AttachmentPage, ItemKind, LIST_SELECT,
};
use save_to_imis::imis::model::{
    as_text, document_parts, error_message, find_by_path, found_document_id, generic_entity,
    identity, interaction, interaction_keys, interaction_text, means_too_large, parse_paged,
    parse_party, parse_row, person, property, set_interaction_text, set_property,
    summary_in_folder, unwrap_typed, values, Contact, InteractionFields, NewContact,
};
use save_to_imis::imis::site::{check_type_code, interaction_key, message_key, SiteProfile};
use save_to_imis::item::{Address, AttachmentInfo, AttachmentKind, MailItem, Mode};
use save_to_imis::names::{distinct_names, email_folder_name, safe_name, MAX_NAME_UNITS};
use save_to_imis::org::{
    layer, layer_of, parse_document, write_document, Layer, Source, Values,
    FIELDS as LAYERED_FIELDS,
};
use save_to_imis::plan::{build, request_bytes, too_large, Handling, EMAIL_FILE_ID};
use save_to_imis::record::{compose_note, replace_section, MARKER};
use save_to_imis::retry::{parse_retry_after, Attempt, Decision, Policy};
use save_to_imis::settings::{validate, Cloud, RawSettings, RecordKind, Settings};
use save_to_imis::text::{bounded, ellipsis, units};

// ---------------------------------------------------------------------------------
// The runner

/// Runs `test` on `cases` inputs (times `PROPS_SCALE`), shrinking a failure to a
/// minimal input. Prints nothing unless a property fails.
fn check<S>(cases: u32, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: Debug,
{
    let scale = std::env::var("PROPS_SCALE")
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .unwrap_or(1)
        .max(1);
    let config = Config {
        cases: cases.saturating_mul(scale),
        failure_persistence: None,
        ..Config::default()
    };
    if let Err(e) = TestRunner::new(config).run(&strategy, test) {
        panic!("{e}");
    }
}

// ---------------------------------------------------------------------------------
// Inputs

/// Characters that break naive code: separators, controls, bidi overrides, zero-width
/// and invisible characters, combining marks, emoji, RTL letters, the largest scalar.
const SPECIAL: &[char] = &[
    '/',
    '\\',
    ':',
    '*',
    '?',
    '"',
    '<',
    '>',
    '|',
    '.',
    ' ',
    '\t',
    '\n',
    '\r',
    '\0',
    '\u{1}',
    '\u{1b}',
    '\u{7f}',
    '\u{85}',
    '\u{9b}',
    '\u{a0}',
    '\u{ad}',
    '\u{202A}',
    '\u{202B}',
    '\u{202C}',
    '\u{202D}',
    '\u{202E}',
    '\u{2066}',
    '\u{2067}',
    '\u{2068}',
    '\u{2069}',
    '\u{200B}',
    '\u{200C}',
    '\u{200D}',
    '\u{200E}',
    '\u{200F}',
    '\u{2060}',
    '\u{2063}',
    '\u{FEFF}',
    '\u{061C}',
    '\u{2028}',
    '\u{2029}',
    '\u{3000}',
    '\u{0301}',
    '\u{0308}',
    '\u{20DD}',
    'é',
    'ß',
    'İ',
    'ı',
    'ǅ',
    'Å',
    '\u{1F600}',
    '\u{1F468}',
    '\u{1F3FD}',
    'א',
    'ש',
    'ب',
    'ع',
    '中',
    '\u{FFFD}',
    '\u{FFFF}',
    '\u{10FFFF}',
    '\u{E0041}',
    '_',
    '%',
    '$',
    '~',
    '@',
    '#',
    '&',
    '=',
    '+',
    '{',
    '}',
    '[',
    ']',
    '\'',
    '`',
    ',',
    ';',
];

/// Whole fragments: traversal, device names, extensions, disguises, scripts.
const PIECES: &[&str] = &[
    "..",
    "../",
    "..\\",
    "../../etc/passwd",
    "..\\..\\windows\\system32",
    "C:\\",
    "\\\\server\\share\\",
    "\\\\?\\",
    "/",
    "\\",
    "CON",
    "con",
    "PRN",
    "Aux",
    "NUL",
    "nul",
    "COM1",
    "com9",
    "LPT1",
    "lpt9",
    "CON.txt",
    "nul.tar.gz",
    "COM1 .log",
    ".pdf",
    ".tar.gz",
    ".eml",
    ".",
    "...",
    " ",
    "   ",
    ". . .",
    "invoice\u{202E}fdp.exe",
    "e\u{301}",
    "👨‍👩‍👧‍👦",
    "🏳️‍🌈",
    "שלום",
    "مرحبا بالعالم",
    "%2e%2e%2f",
    "%00",
    "~",
    "\0",
    "\r\n",
    "<script>",
    "\"quoted\"",
    "a (2).pdf",
    "(99)",
    "#microsoft.graph.",
    "404.13",
    "Maximum request length exceeded",
    "$/Common/Email",
    "{partyId}",
    "https://",
];

fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => any::<char>(),
        3 => proptest::char::range(' ', '~'),
        2 => select(SPECIAL),
    ]
}

fn piece() -> BoxedStrategy<String> {
    prop_oneof![
        3 => vec(hostile_char(), 0..10).prop_map(|c| c.into_iter().collect::<String>()),
        2 => select(PIECES).prop_map(String::from),
        2 => "[A-Za-z0-9 ._()-]{1,12}",
    ]
    .boxed()
}

/// `n` characters cycling through `seed`.
fn long(seed: &str, n: usize) -> String {
    let seed: Vec<char> = if seed.is_empty() {
        vec!['a']
    } else {
        seed.chars().collect()
    };
    seed.iter().cycle().take(n).collect()
}

/// Hostile text: usually up to a few dozen characters, sometimes 300 or more.
fn hostile() -> BoxedStrategy<String> {
    prop_oneof![
        10 => vec(piece(), 0..6).prop_map(|p| p.concat()),
        1 => (vec(piece(), 1..4), 300usize..420).prop_map(|(p, n)| long(&p.concat(), n)),
    ]
    .boxed()
}

/// Short hostile text (for fields that are read often per case).
fn short_hostile() -> BoxedStrategy<String> {
    vec(piece(), 0..3).prop_map(|p| p.concat()).boxed()
}

/// Keys the parsers look for, so arbitrary JSON reaches their deeper paths.
const KEYS: &[&str] = &[
    "$type",
    "$value",
    "$values",
    "PartyId",
    "Id",
    "Name",
    "PersonName",
    "FullName",
    "OrganizationName",
    "Emails",
    "Address",
    "Items",
    "HasNext",
    "NextOffset",
    "Properties",
    "Value",
    "Identity",
    "IdentityElements",
    "PrimaryParentIdentity",
    "error",
    "code",
    "message",
    "Message",
    "error_description",
    "ExceptionMessage",
    "ValidationResults",
    "Errors",
    "FieldName",
    "item",
    "@odata.type",
    "value",
    "@odata.nextLink",
    "id",
    "name",
    "size",
    "isInline",
    "contentType",
    "CommunicationLogRecipientId",
    "Party",
    "MessageId",
    "CommunicationLog",
    "Text",
    "Result",
    "DocumentId",
    "Path",
    "FolderPath",
];

const STRINGS: &[&str] = &[
    "",
    "0",
    "7",
    "23001",
    "-1",
    "true",
    "#microsoft.graph.event",
    "#microsoft.graph.contact",
    "#microsoft.graph.fileAttachment",
    "Email",
    "$/Common/Email/f",
];

fn json_leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        // NaN and the infinities become null, as serde_json has no other form for them.
        any::<f64>().prop_map(Value::from),
        (0u64..100).prop_map(Value::from),
        short_hostile().prop_map(Value::String),
        select(STRINGS).prop_map(|s| Value::String(s.into())),
    ]
    .boxed()
}

fn json_key() -> BoxedStrategy<String> {
    prop_oneof![3 => select(KEYS).prop_map(String::from), 1 => short_hostile()].boxed()
}

/// Arbitrary JSON, nested up to 4 deep (about 32 values), biased towards the keys the parsers read.
fn json_value() -> BoxedStrategy<Value> {
    json_leaf()
        .prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..6).prop_map(Value::Array),
                vec((json_key(), inner.clone()), 0..8)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
                vec(inner.clone(), 0..4).prop_map(|v| json!({"$type": "x", "$values": v.theirs()})),
                inner.prop_map(|v| json!({"$type": "System.Int32", "$value": v.theirs()})),
            ]
        })
        .boxed()
}

/// Bytes a parser may be handed: JSON, JSON cut anywhere (also inside a UTF-8
/// sequence), random bytes, hostile text.
fn json_bytes() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        3 => json_value().prop_map(|v| v.to_string().into_bytes()),
        2 => (json_value(), any::<Index>()).prop_map(|(v, i)| {
            let b = v.to_string().into_bytes();
            let n = i.index(b.len() + 1);
            b[..n].to_vec()
        }),
        1 => vec(any::<u8>(), 0..64),
        1 => hostile().prop_map(String::into_bytes),
    ]
    .boxed()
}

/// ASCII letters of `s` upper- or lower-cased by `bits` (cycled).
fn recase(s: &str, bits: &[bool]) -> String {
    s.chars()
        .zip(bits.iter().cycle())
        .map(|(c, up)| {
            if *up {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

fn whitespace() -> impl Strategy<Value = String> {
    vec(
        select(&[' ', '\t', '\n', '\r', '\u{a0}', '\u{3000}'][..]),
        0..3,
    )
    .prop_map(|c| c.into_iter().collect())
}

// ---------------------------------------------------------------------------------
// text.rs

#[test]
fn bounded_is_a_char_prefix_of_at_most_max() {
    check(8_000, (hostile(), 0usize..120), |(text, max)| {
        // iMIS counts UTF-16 code units: the longest whole-char prefix within `max` units.
        let out = bounded(&text, max);
        prop_assert!(text.starts_with(&out));
        prop_assert!(text.is_char_boundary(out.len()));
        prop_assert!(units(&out) <= max);
        if let Some(next) = text[out.len()..].chars().next() {
            prop_assert!(
                units(&out) + next.len_utf16() > max,
                "a whole char more would fit"
            );
        }
        Ok(())
    });
}

#[test]
fn ellipsis_cuts_whole_chars_and_marks_the_cut() {
    check(8_000, (hostile(), 0usize..120), |(text, max)| {
        let out = ellipsis(&text, max);
        if text.chars().count() <= max {
            prop_assert_eq!(out, text);
        } else {
            let kept = out.strip_suffix('…').expect("a cut text ends with …");
            prop_assert!(text.is_char_boundary(kept.len()) && text.starts_with(kept));
            prop_assert_eq!(kept.chars().count(), max);
            prop_assert_eq!(out.chars().count(), max + 1);
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------
// graph/model.rs

const GRAPH_TYPES: [(&str, AttachmentKind); 3] = [
    ("#microsoft.graph.fileAttachment", AttachmentKind::File),
    ("#microsoft.graph.itemAttachment", AttachmentKind::Item),
    (
        "#microsoft.graph.referenceAttachment",
        AttachmentKind::Cloud,
    ),
];

/// One attachment as Graph may list it: `None` for a missing key, `Some(None)` for null.
#[derive(Debug, Clone)]
struct GraphAttachment {
    odata_type: String,
    id: String,
    name: Option<Option<String>>,
    content_type: Option<Option<String>>,
    size: Option<u64>,
    is_inline: Option<bool>,
    extra: Vec<(String, Value)>,
}

fn graph_attachment() -> impl Strategy<Value = GraphAttachment> {
    (
        prop_oneof![
            3 => select(&GRAPH_TYPES[..]).prop_map(|(t, _)| t.to_string()),
            1 => short_hostile(),
        ],
        hostile(),
        proptest::option::of(proptest::option::of(hostile())),
        proptest::option::of(proptest::option::of(
            select(&["application/pdf", "message/rfc822", "image/png", ""][..])
                .prop_map(String::from),
        )),
        proptest::option::of(prop_oneof![0u64..50_000_000, any::<u64>()]),
        proptest::option::of(any::<bool>()),
        vec(("x-[a-zA-Z.@]{1,8}", json_leaf()), 0..3),
    )
        .prop_map(
            |(odata_type, id, name, content_type, size, is_inline, extra)| GraphAttachment {
                odata_type,
                id,
                name,
                content_type,
                size,
                is_inline,
                extra,
            },
        )
}

impl GraphAttachment {
    fn to_json(&self) -> Value {
        let mut m: Map<String, Value> = self.extra.iter().cloned().collect();
        m.insert("@odata.type".into(), json!(self.odata_type));
        m.insert("id".into(), json!(self.id));
        if let Some(v) = &self.name {
            m.insert("name".into(), json!(v));
        }
        if let Some(v) = &self.content_type {
            m.insert("contentType".into(), json!(v));
        }
        if let Some(v) = self.size {
            m.insert("size".into(), json!(v));
        }
        if let Some(v) = self.is_inline {
            m.insert("isInline".into(), json!(v));
        }
        Value::Object(m)
    }
}

#[test]
fn graph_attachment_pages_parse_every_field_back() {
    check(
        1_500,
        (
            vec(graph_attachment(), 0..5),
            proptest::option::of(proptest::option::of(hostile())),
        ),
        |(list, next)| {
            let mut page = json!({
                "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#attachments",
                "value": list.iter().map(GraphAttachment::to_json).collect::<Vec<_>>().theirs(),
            });
            if let Some(n) = &next {
                page["@odata.nextLink"] = json!(n);
            }
            let parsed: AttachmentPage = save_to_imis::json::from_str(&page.to_string())
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(parsed.next_link, next.flatten());
            prop_assert_eq!(parsed.value.len(), list.len());
            for (got, want) in parsed.value.iter().zip(&list) {
                prop_assert_eq!(&got.odata_type, &want.odata_type);
                prop_assert_eq!(&got.id, &want.id);
                prop_assert_eq!(&got.name, &want.name.clone().flatten());
                prop_assert_eq!(&got.content_type, &want.content_type.clone().flatten());
                prop_assert_eq!(got.size, want.size.unwrap_or(0));
                prop_assert_eq!(got.is_inline, want.is_inline.unwrap_or(false));
                let kind = GRAPH_TYPES
                    .iter()
                    .find(|(t, _)| *t == want.odata_type)
                    .map(|(_, k)| *k);
                prop_assert_eq!(got.kind(), kind);
            }
            Ok(())
        },
    );
}

/// A struct's field as serde reads it: by name from an object, or by position from an
/// array (serde's derived structs accept both).
fn member<'a>(v: &'a Value, name: &str, at: usize) -> &'a Value {
    match v {
        Value::Array(a) => a.get(at).unwrap_or(&Value::Null),
        _ => v.get(name).unwrap_or(&Value::Null),
    }
}

#[test]
fn graph_pages_from_arbitrary_bytes_match_their_json() {
    check(3_000, json_bytes(), |bytes| {
        if let Ok(page) = save_to_imis::json::from_slice::<AttachmentPage>(&bytes) {
            let v: Value = save_to_imis::json::from_slice(&bytes).expect("a parsed page is JSON");
            let list = member(&v, "value", 0).as_array().expect("value is a list");
            prop_assert_eq!(list.len(), page.value.len());
            for (a, j) in page.value.iter().zip(list) {
                prop_assert_eq!(Some(a.id.as_str()), member(j, "id", 1).as_str());
            }
        }
        Ok(())
    });
}

#[test]
fn graph_error_bodies_give_back_code_and_message() {
    check(
        3_000,
        (
            proptest::option::of(hostile()),
            proptest::option::of(hostile()),
            json_value(),
        ),
        |(code, message, inner)| {
            let mut error = json!({ "innerError": inner.theirs() });
            if let Some(c) = &code {
                error["code"] = json!(c);
            }
            if let Some(m) = &message {
                error["message"] = json!(m);
            }
            let body = json!({ "error": error.theirs() }).to_string();
            prop_assert_eq!(
                parse_error(&body),
                Some((code.unwrap_or_default(), message.unwrap_or_default()))
            );
            Ok(())
        },
    );
}

#[test]
fn graph_error_parse_of_arbitrary_bytes_reads_only_an_error_object() {
    check(3_000, json_bytes(), |bytes| {
        let body = String::from_utf8_lossy(&bytes);
        if let Some((code, message)) = parse_error(&body) {
            let v: Value = serde_ref::from_str(&body).expect("an error body is JSON");
            let e = member(&v, "error", 0);
            prop_assert!(e.is_object() || e.is_array());
            let text = |name, at| match member(e, name, at) {
                Value::Null => Some(""),
                t => t.as_str(),
            };
            prop_assert_eq!(text("code", 0), Some(code.as_str()));
            prop_assert_eq!(text("message", 1), Some(message.as_str()));
        }
        Ok(())
    });
}

#[test]
fn item_kinds_follow_the_expanded_type_in_any_case() {
    let base = prop_oneof![
        2 => select(&["event", "contact", "message", "eventMessage", "calendarSharingMessage"][..])
            .prop_map(String::from),
        1 => short_hostile()
            .prop_filter("no second prefix", |b| !b.to_ascii_lowercase().starts_with("#microsoft.graph.")),
    ];
    check(
        4_000,
        (
            select(&["#microsoft.graph.", ""][..]),
            base,
            vec(any::<bool>(), 1..24),
            vec(("[a-z]{1,6}", json_leaf()), 0..3),
        ),
        |(prefix, base, bits, extra)| {
            let t = recase(&format!("{prefix}{base}"), &bits);
            let mut item: Map<String, Value> = extra.into_iter().collect();
            item.insert("@odata.type".into(), json!(t));
            let body = json!({ "id": "a", "item": item.theirs() }).to_string();
            let want = match base.to_ascii_lowercase().as_str() {
                "event" => ItemKind::Event,
                "contact" => ItemKind::Contact,
                _ => ItemKind::Message,
            };
            let got = ItemKind::of_expanded(body.as_bytes());
            prop_assert_eq!(got, Some(want));
            let ext = want.extension();
            prop_assert!(["eml", "ics", "vcf"].contains(&ext));
            Ok(())
        },
    );
}

#[test]
fn item_kind_of_arbitrary_bytes_needs_a_typed_item() {
    check(4_000, json_bytes(), |bytes| {
        let typed = serde_ref::from_slice(&bytes).ok().and_then(|v| {
            v.get("item")?
                .get("@odata.type")?
                .as_str()
                .map(str::to_string)
        });
        prop_assert_eq!(ItemKind::of_expanded(&bytes).is_some(), typed.is_some());
        Ok(())
    });
}

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Strict percent-decoding: `None` unless every `%` starts two upper-case hex digits
/// and every other byte is unreserved.
fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            if !hex
                .bytes()
                .all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(&c))
            {
                return None;
            }
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else if unreserved(b[i]) {
            out.push(b[i]);
            i += 1;
        } else {
            return None;
        }
    }
    Some(out)
}

#[test]
fn encode_segment_round_trips_and_leaves_only_unreserved_bytes() {
    check(8_000, hostile(), |s| {
        let enc = encode_segment(&s);
        prop_assert_eq!(percent_decode(&enc), Some(s.as_bytes().to_vec()));
        let want_len: usize = s.bytes().map(|b| if unreserved(b) { 1 } else { 3 }).sum();
        prop_assert_eq!(enc.len(), want_len);
        if s.bytes().all(unreserved) {
            prop_assert_eq!(&enc, &s);
        }
        Ok(())
    });
}

const APIS: &[&str] = &[
    "https://graph.microsoft.com/v1.0",
    "https://dod-graph.microsoft.us/v1.0",
    "https://127.0.0.1:3300/v1.0",
];

/// The path segments after `api`, decoded, and the query.
fn segments(url: &str, api: &str) -> Result<(Vec<Vec<u8>>, Option<String>), TestCaseError> {
    let rest = url
        .strip_prefix(api)
        .ok_or_else(|| TestCaseError::fail("url keeps the API root"))?;
    if rest.contains('#') || rest.matches('?').count() > 1 {
        return Err(TestCaseError::fail(format!("stray ? or #: {url}")));
    }
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q.to_string())),
        None => (rest, None),
    };
    let path = path
        .strip_prefix('/')
        .ok_or_else(|| TestCaseError::fail("path starts with /"))?;
    let segs = path
        .split('/')
        .map(|s| match s {
            "$value" => Ok(s.as_bytes().to_vec()),
            _ => percent_decode(s).ok_or_else(|| TestCaseError::fail(format!("bad segment {s}"))),
        })
        .collect::<Result<_, _>>()?;
    Ok((segs, query))
}

#[test]
fn graph_urls_keep_every_id_inside_its_own_segment() {
    check(
        3_000,
        (
            select(APIS),
            proptest::option::of(hostile()),
            hostile(),
            hostile(),
        ),
        |(api, mailbox, message, attachment)| {
            let mut root: Vec<&[u8]> = match &mailbox {
                None => vec![b"me"],
                Some(m) => vec![b"users", m.as_bytes()],
            };
            root.extend([&b"messages"[..], message.as_bytes()]);
            let with = |tail: &[&[u8]]| -> Vec<Vec<u8>> {
                root.iter().chain(tail).map(|t| t.to_vec()).collect()
            };
            let mb = mailbox.as_deref();
            let list = attachments_url(api, mb, &message);
            prop_assert_eq!(
                segments(&list, api)?,
                (
                    with(&[b"attachments"]),
                    Some(format!("$select={LIST_SELECT}"))
                )
            );
            let content = content_url(api, mb, &message, &attachment);
            let a = attachment.as_bytes();
            prop_assert_eq!(
                segments(&content, api)?,
                (with(&[b"attachments", a, b"$value"]), None)
            );
            let item = item_url(api, mb, &message, &attachment);
            prop_assert_eq!(
                segments(&item, api)?,
                (
                    with(&[b"attachments", a]),
                    Some("$select=id&$expand=microsoft.graph.itemattachment/item".to_string())
                )
            );
            let mime = message_mime_url(api, mb, &message);
            prop_assert_eq!(segments(&mime, api)?, (with(&[b"$value"]), None));
            // A browser (WHATWG URL) keeps the path as sent. "." and ".." are the
            // exception no encoding avoids: WHATWG reads "%2e" as a dot too; Graph ids
            // and mailbox addresses never take those values.
            let dots = |s: &str| s == "." || s == "..";
            if !dots(&message) && !dots(&attachment) && !mb.is_some_and(dots) {
                for u in [&list, &content, &item, &mime] {
                    let parsed =
                        url::Url::parse(u).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    let sent = u.split_once("://").unwrap().1;
                    let sent_path = &sent[sent.find('/').unwrap()..];
                    let sent_path = sent_path.split('?').next().unwrap();
                    prop_assert_eq!(parsed.path(), sent_path);
                }
            }
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------
// imis/model.rs

/// An id as iMIS may send it: text, a number, or either in a typed wrapper.
fn id_value() -> impl Strategy<Value = (Value, String)> {
    prop_oneof![
        "[0-9]{1,8}".prop_map(|s| (json!(s), s)),
        hostile().prop_map(|s| (json!(s), s)),
        any::<u64>().prop_map(|n| (json!(n), n.to_string())),
        any::<i64>().prop_map(|n| (json!({"$type": "System.Int32", "$value": n}), n.to_string())),
        "[0-9]{1,8}".prop_map(|s| (json!({"$type": "System.String", "$value": s}), s)),
    ]
}

/// What one name key of a party holds.
#[derive(Debug, Clone)]
enum NameSlot {
    Missing,
    Text(String),
    Object(String),
    Junk(Value),
}

fn name_slot() -> impl Strategy<Value = NameSlot> {
    prop_oneof![
        3 => Just(NameSlot::Missing),
        2 => hostile().prop_map(NameSlot::Text),
        1 => Just(NameSlot::Text(String::new())),
        2 => hostile().prop_map(NameSlot::Object),
        1 => prop_oneof![
            Just(Value::Null),
            any::<i64>().prop_map(Value::from),
            any::<bool>().prop_map(Value::Bool),
            Just(json!([])),
        ]
        .prop_map(NameSlot::Junk),
    ]
}

#[test]
fn parties_parse_id_name_and_emails_in_every_shape() {
    check(
        2_000,
        (
            id_value(),
            select(&["PartyId", "Id", "both"][..]),
            vec(name_slot(), 4),
            vec((hostile(), any::<bool>()), 0..4),
            0usize..3,
            any::<bool>(),
        ),
        |((id, id_text), id_key, names, emails, junk, wrapped)| {
            let mut v =
                json!({ "$type": "Asi.Soa.Membership.DataContracts.PersonData, Asi.Contracts" });
            if id_key != "Id" {
                v["PartyId"] = id.clone();
            }
            if id_key != "PartyId" {
                v["Id"] = id;
            }
            let keys = ["Name", "PersonName", "FullName", "OrganizationName"];
            let mut want_name = None;
            for (key, slot) in keys.iter().zip(&names) {
                let (value, text) = match slot {
                    NameSlot::Missing => continue,
                    NameSlot::Text(s) => (json!(s), Some(s)),
                    NameSlot::Object(s) => (
                        json!({"$type": "x", "FullName": s, "FirstName": "F"}),
                        Some(s),
                    ),
                    NameSlot::Junk(j) => (j.clone(), None),
                };
                v[*key] = value;
                if want_name.is_none() {
                    want_name = text.filter(|s| !s.is_empty()).cloned();
                }
            }
            let mut list: Vec<Value> = emails
                .iter()
                .map(|(a, typed)| {
                    let address = if *typed {
                        json!({"$type": "System.String", "$value": a})
                    } else {
                        json!(a)
                    };
                    json!({"$type": "x", "Address": address.theirs(), "EmailType": "_Primary"})
                })
                .collect();
            list.extend((0..junk).map(|_| json!({"EmailType": "_Other"})));
            v["Emails"] = if wrapped {
                json!({"$type": "x", "$values": list.theirs()})
            } else {
                json!(list.theirs())
            };
            let c = parse_party(&v).ok_or_else(|| TestCaseError::fail("party not read"))?;
            prop_assert_eq!(&c.party_id, &id_text);
            prop_assert_eq!(
                c.full_name,
                want_name.unwrap_or_else(|| format!("Contact {id_text}"))
            );
            prop_assert_eq!(
                c.emails,
                emails.into_iter().map(|(a, _)| a).collect::<Vec<_>>()
            );
            Ok(())
        },
    );
}

#[test]
fn parties_from_arbitrary_json_always_have_a_name() {
    check(3_000, json_value(), |v| {
        if let Some(c) = parse_party(&v) {
            prop_assert!(!c.full_name.is_empty());
            let id = v.get("PartyId").or_else(|| v.get("Id")).and_then(as_text);
            prop_assert_eq!(Some(c.party_id), id);
            prop_assert!(c.emails.len() <= v.get("Emails").map_or(0, |e| values(e).len()));
        }
        Ok(())
    });
}

#[test]
fn query_rows_read_the_site_columns() {
    let sites = prop_oneof![
        Just(SiteProfile::default()),
        Just(SiteProfile {
            id_column: "Contact Id".into(),
            name_column: "Display Name".into(),
            email_column: "Mail".into(),
            ..SiteProfile::default()
        }),
    ];
    check(
        2_000,
        (
            sites,
            0usize..5,
            id_value().prop_filter("an id", |(_, t)| !t.is_empty()),
            proptest::option::of((0usize..6, prop_oneof![hostile(), Just(String::new())])),
            vec(
                (
                    select(
                        &[
                            "Email",
                            "Primary Email",
                            "Email_Address",
                            "Mail",
                            "Phone",
                            "Notes",
                        ][..],
                    ),
                    prop_oneof![
                        hostile().prop_map(|s| json!(s)),
                        Just(json!("")),
                        any::<i64>().prop_map(|n| json!(n))
                    ],
                ),
                0..5,
            ),
        ),
        |(site, id_at, (id, id_text), name, others)| {
            let id_cols = [
                site.id_column.clone(),
                site.id_column.replace(' ', "_"),
                "ID".into(),
                "PartyId".into(),
                "Id".into(),
            ];
            let name_cols = [
                site.name_column.clone(),
                site.name_column.replace(' ', "_"),
                "FullName".into(),
                "Full_Name".into(),
                "Full Name".into(),
                "Name".into(),
            ];
            let mut props: Vec<(&str, Value)> = vec![(id_cols[id_at].as_str(), id)];
            if let Some((at, n)) = &name {
                props.push((name_cols[*at].as_str(), json!(n)));
            }
            props.extend(others.iter().map(|(k, v)| (*k, v.clone())));
            let row = generic_entity("Row", &props);
            let c = parse_row(&row, &site).ok_or_else(|| TestCaseError::fail("row not read"))?;
            prop_assert_eq!(&c.party_id, &id_text);
            let want_name = name
                .map(|(_, n)| n)
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| format!("Contact {id_text}"));
            prop_assert_eq!(c.full_name, want_name);
            let want_emails: Vec<String> = others
                .iter()
                .filter(|(k, _)| *k == site.email_column || k.contains("Email"))
                .filter_map(|(_, v)| as_text(v))
                .filter(|e| !e.is_empty())
                .collect();
            prop_assert_eq!(c.emails, want_emails);
            Ok(())
        },
    );
}

#[test]
fn rows_from_arbitrary_json_have_a_name_and_no_empty_email() {
    let site = SiteProfile::default();
    check(2_000, json_value(), |v| {
        if let Some(c) = parse_row(&v, &site) {
            prop_assert!(!c.full_name.is_empty());
            prop_assert!(c.emails.iter().all(|e| !e.is_empty()));
        }
        Ok(())
    });
}

#[test]
fn paged_results_give_items_and_the_next_offset() {
    check(
        3_000,
        (
            vec(json_leaf(), 0..6),
            any::<bool>(),
            proptest::option::of(prop_oneof![
                Just(json!(true)),
                Just(json!(false)),
                Just(json!("true")),
                Just(json!(1)),
                Just(Value::Null),
            ]),
            proptest::option::of((any::<u64>(), 0u8..3)),
        ),
        |(items, wrapped, has_next, next)| {
            let mut v = json!({
                "$type": "PagedResult",
                "Items": if wrapped { serde_json::json!({"$type": "x", "$values": items.theirs()}) } else { items.theirs() },
            });
            if let Some(h) = &has_next {
                v["HasNext"] = h.clone();
            }
            if let Some((n, shape)) = next {
                v["NextOffset"] = match shape {
                    0 => json!(n),
                    1 => json!(n.to_string()),
                    _ => json!({"$type": "System.Int32", "$value": n}),
                };
            }
            let (got, offset) = parse_paged(&v);
            prop_assert_eq!(got, items);
            let want = if has_next == Some(json!(true)) {
                next.map(|(n, _)| n)
            } else {
                None
            };
            prop_assert_eq!(offset, want);
            Ok(())
        },
    );
}

#[test]
fn paged_results_from_arbitrary_json_need_has_next() {
    check(3_000, json_value(), |v| {
        let (items, next) = parse_paged(&v);
        if next.is_some() {
            prop_assert_eq!(v.get("HasNext"), Some(&json!(true)));
        }
        prop_assert_eq!(items.as_slice(), v.get("Items").map_or(&[][..], values));
        Ok(())
    });
}

#[test]
fn identity_is_the_first_identity_element() {
    check(
        3_000,
        (
            id_value(),
            vec(json_leaf(), 0..3),
            any::<bool>(),
            json_value(),
        ),
        |((id, text), more, wrapped, noise)| {
            let mut elements = vec![id];
            elements.extend(more);
            let list = if wrapped {
                json!({"$type": "x", "$values": elements.theirs()})
            } else {
                json!(elements.theirs())
            };
            let created = json!({
                "$type": "x",
                "Noise": noise.theirs(),
                "Identity": {"$type": "x", "EntityTypeName": "Activity", "IdentityElements": list.theirs()},
            });
            prop_assert_eq!(identity(&created), Some(text));
            Ok(())
        },
    );
}

const PROPERTY_NAMES: &[&str] = &["PartyId", "NOTE", "UF_1", "UF_2", "DESCRIPTION", "Name"];

fn property_name() -> BoxedStrategy<String> {
    prop_oneof![3 => select(PROPERTY_NAMES).prop_map(String::from), 1 => short_hostile()].boxed()
}

#[test]
fn set_property_then_property_reads_it_and_touches_nothing_else() {
    check(
        1_500,
        (
            vec((property_name(), json_value()), 0..6),
            property_name(),
            json_value(),
        ),
        |(props, name, value)| {
            let pairs: Vec<(&str, Value)> =
                props.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            let before = generic_entity("Activity", &pairs);
            let mut after = before.clone();
            set_property(&mut after, &name, value.clone());
            prop_assert_eq!(property(&after, &name), Some(unwrap_typed(&value)));
            for (k, _) in &props {
                if *k != name {
                    prop_assert_eq!(property(&after, k), property(&before, k));
                }
            }
            let count = |e: &Value| values(&e["Properties"]).len();
            let was_there = props.iter().any(|(k, _)| *k == name);
            prop_assert_eq!(count(&after), count(&before) + usize::from(!was_there));
            let mut twice = after.clone();
            set_property(&mut twice, &name, value);
            prop_assert_eq!(twice, after);
            Ok(())
        },
    );
}

#[test]
fn set_property_on_arbitrary_json_sets_it_or_changes_nothing() {
    let entity = prop_oneof![
        json_value(),
        vec(json_value(), 0..4).prop_map(|v| json!({"Properties": {"$values": v.theirs()}})),
    ];
    check(
        2_000,
        (entity, property_name(), json_value()),
        |(entity, name, value)| {
            let mut after = entity.clone();
            set_property(&mut after, &name, value.clone());
            if entity["Properties"]["$values"].is_array() {
                prop_assert_eq!(property(&after, &name), Some(unwrap_typed(&value)));
            } else {
                prop_assert_eq!(after, entity);
            }
            Ok(())
        },
    );
}

#[test]
fn error_messages_are_never_empty_and_never_longer_than_301() {
    check(4_000, json_bytes(), |bytes| {
        let body = String::from_utf8_lossy(&bytes);
        let m = error_message(&body);
        let n = m.chars().count();
        prop_assert!((1..=301).contains(&n), "{} chars", n);
        if n == 301 {
            prop_assert!(m.ends_with('…'));
        }
        Ok(())
    });
}

#[test]
fn error_messages_come_from_the_known_keys_or_the_text() {
    check(
        4_000,
        (
            select(
                &[
                    "error_description",
                    "Message",
                    "message",
                    "ExceptionMessage",
                    "error",
                ][..],
            ),
            hostile(),
            hostile(),
        ),
        |(key, message, text)| {
            let want = |s: &str| {
                if s.is_empty() {
                    "no details given".to_string()
                } else {
                    ellipsis(s, 300)
                }
            };
            let body = json!({ key: message, "Other": 1 }).to_string();
            prop_assert_eq!(error_message(&body), want(&message));
            // Text that is not JSON (an HTML error page) is echoed, trimmed and cut.
            let page = format!("<html>{text}");
            prop_assert_eq!(error_message(&page), want(page.trim()));
            Ok(())
        },
    );
}

#[test]
fn validation_errors_name_their_fields() {
    check(
        2_000,
        (
            vec((proptest::option::of(short_hostile()), hostile()), 1..4),
            any::<bool>(),
        ),
        |(errors, nested)| {
            let list: Vec<Value> = errors
                .iter()
                .map(|(f, m)| match f {
                    Some(f) => json!({"FieldName": f, "Message": m}),
                    None => json!({"Message": m}),
                })
                .collect();
            let results =
                json!({"$type": "ValidationResultsData", "Errors": {"$values": list.theirs()}});
            let body = if nested {
                json!({"ValidationResults": results.theirs()})
            } else {
                results
            };
            let joined: Vec<String> = errors
                .iter()
                .map(|(f, m)| match f {
                    Some(f) if !f.is_empty() && !m.contains(f.as_str()) => format!("{f}: {m}"),
                    _ => m.clone(),
                })
                .collect();
            let joined = joined.join(" ");
            let want = if joined.is_empty() {
                "no details given".into()
            } else {
                ellipsis(&joined, 300)
            };
            prop_assert_eq!(error_message(&body.to_string()), want);
            Ok(())
        },
    );
}

#[test]
fn summaries_are_found_only_by_name_in_the_folder() {
    let names = || select(&["a.pdf", "A.PDF", "b.pdf", "report.docx", "x"][..]);
    check(
        2_000,
        (
            "[A-Za-z0-9 _-]{1,12}",
            vec((names(), 0u8..5, "[0-9a-f]{1,8}"), 0..6),
            names(),
            proptest::option::of((0u8..3, vec(any::<bool>(), 1..8), any::<Index>(), "/{0,2}")),
        ),
        |(leaf, others, name, target)| {
            let folder = format!("$/Common/Email/{leaf}");
            let path = |shape: u8, n: &str| match shape {
                0 => json!({"Path": format!("{folder}/{n}")}),
                1 => json!({"Path": folder}),
                2 => json!({"FolderPath": folder}),
                3 => json!({"Path": format!("$/Common/Email/other/{n}")}),
                _ => json!({"Path": "$/Common/Email"}),
            };
            let mut list: Vec<Value> = others
                .iter()
                .map(|(n, shape, id)| {
                    let mut d = path(*shape, n);
                    d["Name"] = json!(n);
                    d["DocumentId"] = json!(id);
                    d
                })
                .collect();
            let found = summary_in_folder(&list, &folder, name);
            // Whatever is found is a summary with that name in that folder.
            if let Some(id) = &found {
                let ok = list.iter().any(|d| {
                    let t = |k: &str| d.get(k).and_then(as_text).unwrap_or_default();
                    let same = |a: &str, b: &str| a.trim_end_matches('/').eq_ignore_ascii_case(b);
                    t("DocumentId") == *id
                        && t("Name").eq_ignore_ascii_case(name)
                        && (same(&t("Path"), &format!("{folder}/{name}"))
                            || same(&t("Path"), &folder)
                            || same(&t("FolderPath"), &folder))
                });
                prop_assert!(ok, "{} is not {} in {}", id, name, folder);
            }
            // A summary put there is found, unless another of that name comes first.
            if let Some((shape, bits, at, slashes)) = target {
                let mut d = path(shape, &recase(name, &bits));
                for k in ["Path", "FolderPath"] {
                    if let Some(p) = d.get(k).and_then(Value::as_str) {
                        d[k] = json!(format!("{p}{slashes}"));
                    }
                }
                d["Name"] = json!(recase(name, &bits));
                d["DocumentId"] = json!("target");
                let at = at.index(list.len() + 1);
                list.insert(at, d);
                let earlier = summary_in_folder(&list[..at], &folder, name);
                let want = earlier.unwrap_or_else(|| "target".into());
                prop_assert_eq!(summary_in_folder(&list, &folder, name), Some(want));
            }
            Ok(())
        },
    );
}

#[test]
fn too_large_answers_are_413_or_the_iis_and_asp_net_pages() {
    let status = prop_oneof![
        select(&[200u16, 201, 400, 401, 403, 404, 405, 413, 414, 500, 502, 503][..]),
        any::<u16>(),
    ];
    check(
        4_000,
        (
            status,
            hostile(),
            select(
                &[
                    "404.13",
                    "exceeds the request content length",
                    "Maximum request length exceeded",
                ][..],
            ),
            vec(any::<bool>(), 1..16),
            any::<Index>(),
        ),
        |(status, text, marker, bits, at)| {
            let lower = text.to_ascii_lowercase();
            let plain = !lower.contains("404.13")
                && !lower.contains("exceeds the request content length")
                && !lower.contains("maximum request length exceeded");
            if status == 413 {
                prop_assert!(means_too_large(status, &text));
            } else if plain || status < 404 {
                prop_assert!(!means_too_large(status, &text));
            }
            // The marker anywhere, in any case.
            let mut cut = at.index(text.len() + 1);
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let page = format!("{}{}{}", &text[..cut], recase(marker, &bits), &text[cut..]);
            let want = status == 413
                || (status == 404 && marker != "Maximum request length exceeded")
                || (status >= 500 && marker == "Maximum request length exceeded");
            if plain {
                prop_assert_eq!(means_too_large(status, &page), want);
            }
            Ok(())
        },
    );
}

#[test]
fn interactions_round_trip_their_keys_and_text() {
    check(
        1_000,
        (vec(hostile(), 8), any::<i64>(), hostile(), hostile()),
        |(t, message_type, id, new_text)| {
            let f = InteractionFields {
                party_id: &t[0],
                address: &t[1],
                subject: &t[2],
                text: &t[3],
                message_id: &t[4],
                message_type,
                communication_type: &t[5],
                source_process: &t[6],
            };
            let mut v = interaction(&f);
            v["CommunicationLogRecipientId"] = json!(id);
            // Through the wire and back.
            let mut back: Value = serde_ref::from_str(&v.to_string()).unwrap();
            let keys = Some((id.clone(), Some(t[0].clone()), Some(t[4].clone())));
            prop_assert_eq!(interaction_keys(&back), keys.clone());
            prop_assert_eq!(interaction_text(&back), Some(t[3].clone()));
            prop_assert_eq!(&back["CommunicationLog"]["Subject"], &json!(t[2]));
            prop_assert_eq!(&back["MessageType"], &json!(message_type));
            set_interaction_text(&mut back, &new_text);
            prop_assert_eq!(interaction_text(&back), Some(new_text));
            prop_assert_eq!(interaction_keys(&back), keys);
            Ok(())
        },
    );
}

#[test]
fn interaction_keys_and_found_documents_of_arbitrary_json() {
    check(2_000, json_value(), |v| {
        if let Some((id, _, _)) = interaction_keys(&v) {
            prop_assert_eq!(
                v.get("CommunicationLogRecipientId").and_then(as_text),
                Some(id)
            );
        }
        if let Some(id) = found_document_id(&v) {
            prop_assert!(!v["Result"].is_null());
            prop_assert_eq!(v["Result"].get("DocumentId").and_then(as_text), Some(id));
        }
        Ok(())
    });
}

#[test]
fn new_people_are_trimmed_and_typed() {
    check(2_000, vec(prop_oneof![hostile(), whitespace()], 4), |f| {
        let c = NewContact {
            first_name: f[0].clone(),
            last_name: f[1].clone(),
            email: f[2].clone(),
            organization: f[3].clone(),
        };
        let v: Value = serde_ref::from_str(&person(&c).to_string()).unwrap();
        prop_assert_eq!(&v["PersonName"]["FirstName"], &json!(f[0].trim()));
        prop_assert_eq!(&v["PersonName"]["LastName"], &json!(f[1].trim()));
        let emails = values(&v["Emails"]);
        prop_assert_eq!(emails.len(), 1);
        prop_assert_eq!(&emails[0]["Address"], &json!(f[2].trim()));
        prop_assert_eq!(&emails[0]["IsPrimary"], &json!(true));
        match v.get("PrimaryOrganization") {
            Some(org) => prop_assert_eq!(&org["Name"], &json!(f[3].trim())),
            None => prop_assert!(f[3].trim().is_empty()),
        }
        Ok(())
    });
}

#[test]
fn document_parts_wrap_any_name_and_data_in_valid_json() {
    check(
        2_000,
        (
            hostile(),
            hostile(),
            "[A-Z0-9]{1,6}",
            "([A-Za-z0-9+/]{4}){0,20}(|[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)",
        ),
        |(name, path, type_id, data)| {
            let (head, tail) = document_parts(&name, &path, &type_id);
            let v: Value = serde_ref::from_str(&format!("{head}{data}{tail}"))
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&v["Name"], &json!(name));
            prop_assert_eq!(&v["Path"], &json!(path));
            prop_assert_eq!(&v["DocumentTypeId"], &json!(type_id));
            prop_assert_eq!(&v["Data"]["$type"], &json!("System.Byte[], mscorlib"));
            prop_assert_eq!(&v["Data"]["$value"], &json!(data));
            prop_assert_eq!(tail, "\"}}");
            Ok(())
        },
    );
}

#[test]
fn find_by_path_carries_any_path() {
    check(2_000, hostile(), |path| {
        let v: Value = serde_ref::from_str(&find_by_path(&path).to_string()).unwrap();
        prop_assert_eq!(&v["OperationName"], &json!("FindByPath"));
        prop_assert_eq!(values(&v["Parameters"]).len(), 1);
        prop_assert_eq!(&v["Parameters"]["$values"][0]["$value"], &json!(path));
        Ok(())
    });
}

// ---------------------------------------------------------------------------------
// retry.rs

#[test]
fn retry_after_reads_delta_seconds_capped_at_ten_minutes() {
    check(
        6_000,
        (any::<u64>(), whitespace(), whitespace(), any::<bool>()),
        |(n, left, right, small)| {
            let n = if small { n % 1_000 } else { n };
            prop_assert_eq!(
                parse_retry_after(&format!("{left}{n}{right}")),
                Some(n.min(600))
            );
            Ok(())
        },
    );
}

#[test]
fn retry_after_of_any_text_is_digits_or_nothing() {
    let text = prop_oneof![
        hostile(),
        Just("Wed, 21 Oct 2026 07:28:00 GMT".to_string()),
        "[ 0-9+.-]{0,8}",
    ];
    check(6_000, text, |s| {
        if let Some(n) = parse_retry_after(&s) {
            prop_assert!(n <= 600);
            let t = s.trim();
            let digits = t.strip_prefix('+').unwrap_or(t);
            prop_assert!(
                !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
                "{:?}",
                s
            );
        }
        Ok(())
    });
}

fn policy() -> impl Strategy<Value = Policy> {
    prop_oneof![
        Just(Policy::default()),
        Just(Policy::for_draft()),
        (
            0u32..12,
            0u64..5_000,
            0u64..60_000,
            any::<bool>(),
            100u64..5_000,
            0u64..64_000,
            0u64..300_000,
        )
            .prop_map(
                |(max_attempts, base_ms, cap_ms, retry_not_found, tb, tcap, budget)| Policy {
                    max_attempts,
                    base_ms,
                    cap_ms,
                    retry_not_found,
                    throttle_base_ms: tb,
                    throttle_cap_ms: tb.max(tcap),
                    throttle_budget_ms: budget,
                }
            ),
    ]
}

fn status() -> impl Strategy<Value = Option<u16>> {
    prop_oneof![
        3 => select(&[200u16, 204, 304, 400, 401, 403, 404, 408, 413, 429, 500, 501, 502, 503, 504][..])
            .prop_map(Some),
        1 => Just(None),
        1 => any::<u16>().prop_map(Some),
    ]
}

fn retry_after_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![
        (0u64..700).prop_map(|n| n.to_string()),
        Just("0".to_string()),
        Just("Wed, 21 Oct 2026 07:28:00 GMT".to_string()),
        short_hostile(),
    ])
}

/// Equal-jitter backoff lies in [capped / 2, capped]: the floor and the ceiling.
fn backoff_bounds(base: u64, cap: u64, number: u32) -> (u64, u64) {
    let capped = base
        .saturating_mul(1u64 << number.saturating_sub(1).min(20))
        .min(cap);
    (capped / 2, capped)
}

fn jitter() -> impl Strategy<Value = f64> {
    prop_oneof![4 => 0.0f64..1.0, 1 => Just(0.0), 1 => Just(1.0), 1 => any::<f64>()]
}

#[test]
fn retry_decisions_stay_within_floor_cap_and_budget() {
    check(
        8_000,
        (
            policy(),
            status(),
            retry_after_text(),
            0u32..40,
            any::<bool>(),
            prop_oneof![0u64..400_000, any::<u64>()],
            jitter(),
        ),
        |(p, status, retry_after, number, token_refreshed, waited_ms, jitter)| {
            let attempt = Attempt {
                status,
                retry_after: retry_after.as_deref(),
                number,
                token_refreshed,
                waited_ms,
            };
            let retryable = matches!(status, None | Some(429 | 500 | 502 | 503 | 504))
                || (p.retry_not_found && status == Some(404));
            let throttled = matches!(status, Some(429 | 503));
            let after_ms = retry_after
                .as_deref()
                .and_then(parse_retry_after)
                .filter(|s| *s > 0)
                .map(|s| s * 1000);
            let decision = p.decide(attempt, jitter);
            match &decision {
                Decision::RefreshToken => {
                    prop_assert!(status == Some(401) && !token_refreshed)
                }
                Decision::Done => prop_assert!(
                    status.is_some() && !retryable && (status != Some(401) || token_refreshed)
                ),
                Decision::Wait { ms, reason } if throttled => {
                    prop_assert!(waited_ms.saturating_add(*ms) <= p.throttle_budget_ms);
                    match after_ms {
                        // Retry-After is a floor, and what is waited.
                        Some(after) => prop_assert_eq!(*ms, after),
                        None => {
                            let (floor, cap) =
                                backoff_bounds(p.throttle_base_ms, p.throttle_cap_ms, number);
                            prop_assert!(
                                *ms >= floor && *ms <= cap,
                                "{} not in {}..={}",
                                ms,
                                floor,
                                cap
                            );
                            prop_assert!(*ms >= 1, "a throttled request is never retried at once");
                        }
                    }
                    prop_assert!(reason.starts_with("Waiting for Microsoft Graph"));
                }
                Decision::Wait { ms, .. } => {
                    prop_assert!(retryable && number < p.max_attempts);
                    let (floor, cap) = backoff_bounds(p.base_ms, p.cap_ms, number);
                    prop_assert!(*ms >= floor && *ms <= cap && *ms <= p.cap_ms);
                }
                Decision::GiveUp if throttled => {
                    let longest = after_ms
                        .unwrap_or(backoff_bounds(p.throttle_base_ms, p.throttle_cap_ms, number).1);
                    prop_assert!(waited_ms.saturating_add(longest) > p.throttle_budget_ms);
                }
                Decision::GiveUp => prop_assert!(retryable && number >= p.max_attempts),
            }
            Ok(())
        },
    );
}

#[test]
fn retrying_always_ends_in_give_up() {
    let failing = |p: &Policy| {
        let mut s = vec![None, Some(429), Some(500), Some(502), Some(503), Some(504)];
        if p.retry_not_found {
            s.push(Some(404));
        }
        s
    };
    check(
        1_500,
        (
            policy(),
            vec((any::<Index>(), retry_after_text(), jitter()), 1..32),
        ),
        |(p, script)| {
            let statuses = failing(&p);
            // Each throttled wait is at least a second (Retry-After) or half the base.
            let floor = (p.throttle_base_ms.min(p.throttle_cap_ms) / 2).clamp(1, 1000);
            let bound = u64::from(p.max_attempts) + p.throttle_budget_ms / floor + 2;
            let (mut number, mut waited) = (1u32, 0u64);
            loop {
                let (i, after, j) = &script[(number as usize - 1) % script.len()];
                let a = Attempt {
                    status: statuses[i.index(statuses.len())],
                    retry_after: after.as_deref(),
                    number,
                    token_refreshed: false,
                    waited_ms: waited,
                };
                match p.decide(a, *j) {
                    Decision::GiveUp => break,
                    Decision::Wait { ms, .. } => waited += ms,
                    other => return Err(TestCaseError::fail(format!("{other:?} for {a:?}"))),
                }
                number += 1;
                prop_assert!(
                    u64::from(number) <= bound,
                    "still retrying after {} attempts",
                    number
                );
            }
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------
// names.rs

const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

fn bidi_or_invisible(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Windows reads a device name up to the first dot, ignoring trailing spaces:
/// `CON.txt`, `nul.tar.gz` and `COM1 .log` all name the device.
fn device_name(name: &str) -> bool {
    let first = name.split('.').next().unwrap_or("").trim_end_matches(' ');
    RESERVED.contains(&first.to_ascii_uppercase().as_str())
}

/// Everything a stored name must be.
fn assert_stored_name(out: &str) -> Result<(), TestCaseError> {
    prop_assert!(!out.is_empty());
    prop_assert!(units(out) <= MAX_NAME_UNITS, "{} UTF-16 units", units(out));
    for c in out.chars() {
        prop_assert!(!"/\\:*?\"<>|".contains(c), "separator {:?} in {:?}", c, out);
        prop_assert!(!c.is_control(), "control {:?} in {:?}", c, out);
        prop_assert!(!bidi_or_invisible(c), "invisible {:?} in {:?}", c, out);
        prop_assert!(
            !c.is_whitespace() || c == ' ',
            "whitespace {:?} in {:?}",
            c,
            out
        );
    }
    prop_assert!(!out.contains("  "), "double space in {:?}", out);
    prop_assert!(
        !out.starts_with(['.', ' ']),
        "leading dot or space in {:?}",
        out
    );
    prop_assert!(
        !out.ends_with(['.', ' ']),
        "trailing dot or space in {:?}",
        out
    );
    prop_assert!(!device_name(out), "device name {:?}", out);
    prop_assert!(!out.chars().all(|c| c == '_'), "nothing but _ in {:?}", out);
    Ok(())
}

const FALLBACKS: &[&str] = &["attachment", "email.eml", "attached item.eml", "no subject"];

/// Names as senders write them, and as attackers do.
fn file_name() -> BoxedStrategy<String> {
    prop_oneof![
        4 => hostile(),
        2 => (hostile(), select(&["pdf", "docx", "eml", "tar.gz", "PDF", "x"][..]))
            .prop_map(|(s, e)| format!("{s}.{e}")),
        1 => (select(RESERVED), vec(any::<bool>(), 1..5), "( *\\.[a-z0-9 ]{0,14}){0,3}")
            .prop_map(|(r, bits, rest)| format!("{}{rest}", recase(r, &bits))),
        1 => ("[a-z0-9]{0,96}", "[ .]{1,3}", "[a-z]{1,3}", "[a-z]{8,20}")
            .prop_map(|(a, sep, e, tail)| format!("{a}{sep}{e}{tail}")),
        1 => (1usize..160, "[a-z]{0,3}").prop_map(|(n, t)| format!("{}{t}", "_".repeat(n))),
    ]
    .boxed()
}

#[test]
fn safe_names_have_no_separator_control_bidi_device_or_edge_dot() {
    check(
        8_000,
        (file_name(), select(FALLBACKS)),
        |(name, fallback)| {
            let out = safe_name(&name, fallback);
            assert_stored_name(&out)?;
            Ok(())
        },
    );
}

#[test]
fn safe_name_is_idempotent() {
    check(
        8_000,
        (file_name(), select(FALLBACKS)),
        |(name, fallback)| {
            let once = safe_name(&name, fallback);
            prop_assert_eq!(safe_name(&once, fallback), once.clone(), "from {:?}", name);
            Ok(())
        },
    );
}

#[test]
fn safe_names_keep_a_short_extension_however_long_the_stem() {
    check(
        4_000,
        (
            prop_oneof![
                (hostile(), "[a-zA-Z0-9]{1,3}").prop_map(|(s, w)| (s, w)),
                (hostile(), 90usize..400).prop_map(|(s, n)| (long(&s, n), "x".to_string())),
            ],
            "[a-zA-Z0-9]{1,8}",
        ),
        |((a, b), ext)| {
            let stem = format!("{a}{b}");
            let out = safe_name(&format!("{stem}.{ext}"), "attachment");
            prop_assert!(out.ends_with(&format!(".{ext}")), "{:?} lost .{}", out, ext);
            Ok(())
        },
    );
}

#[test]
fn distinct_names_are_distinct_case_insensitively_and_change_only_repeats() {
    let pool = prop_oneof![
        3 => select(&["a.pdf", "A.pdf", "a.PDF", "a (2).pdf", "b", "B", "b (2)", "CON.txt"][..])
            .prop_map(String::from),
        1 => file_name(),
        1 => file_name().prop_map(|n| safe_name(&n, "attachment")),
    ];
    check(3_000, vec(pool, 0..10), |names| {
        let out = distinct_names(&names);
        prop_assert_eq!(out.len(), names.len());
        let mut seen = HashSet::new();
        for (i, (o, n)) in out.iter().zip(&names).enumerate() {
            prop_assert!(seen.insert(o.to_lowercase()), "{:?} twice", o);
            let taken = out[..i]
                .iter()
                .any(|p| p.to_lowercase() == n.to_lowercase());
            if taken {
                prop_assert_ne!(o, n);
                prop_assert!(units(o) <= MAX_NAME_UNITS);
            } else {
                prop_assert_eq!(o, n);
            }
        }
        // Safe names stay safe.
        if names.iter().all(|n| safe_name(n, "attachment") == *n) {
            for o in &out {
                prop_assert_eq!(&safe_name(o, "attachment"), o);
            }
        }
        Ok(())
    });
}

fn date() -> impl Strategy<Value = String> {
    prop_oneof![
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9](\\.000)?Z?",
        hostile(),
        Just(String::new()),
    ]
}

#[test]
fn email_folder_names_are_safe_and_tagged_by_the_message() {
    check(
        2_000,
        (date(), hostile(), hostile(), date(), hostile()),
        |(date, subject, key, date2, subject2)| {
            let name = email_folder_name(&date, &subject, &key);
            assert_stored_name(&name)?;
            prop_assert_eq!(safe_name(&name, "email"), name.clone());
            let tag = name
                .get(name.len().saturating_sub(10)..)
                .unwrap_or_default();
            prop_assert!(
                tag.starts_with('[')
                    && tag.ends_with(']')
                    && tag[1..9]
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
                "{:?}",
                name
            );
            // The tag depends on the message alone.
            let other = email_folder_name(&date2, &subject2, &key);
            prop_assert_eq!(other.get(other.len().saturating_sub(10)..), Some(tag));
            let b = date.as_bytes();
            if b.len() >= 16 && b[10] == b'T' && date.is_ascii() {
                let stamp = format!("{} {}{}", &date[..10], &date[11..13], &date[14..16]);
                if safe_name(&stamp, "x") == stamp {
                    prop_assert!(name.starts_with(&format!("{stamp} ")), "{:?}", name);
                }
            } else if b.get(10) != Some(&b'T') {
                prop_assert!(name.starts_with("undated "), "{:?}", name);
            }
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------
// settings.rs

const FIELDS: &[&str] = &[
    "clientId",
    "authority",
    "graphUrl",
    "imisUrl",
    "activityType",
    "documentRoot",
    "graphConcurrency",
    "includeInline",
    "maxRequestMb",
    "fallbackDocumentType",
    "keyColumn",
    "emailFile",
    "maxEmails",
    "recordKind",
    "allowDuplicateEmails",
    "profileUrl",
    "contactLookup",
    "iqaQuery",
    "siteProfile",
    "orgSettingsPath",
    "contactCreation",
];

/// How a generated Setup value is drawn: mostly valid, a mix, or all hostile.
#[derive(Debug, Clone, Copy)]
enum Mix {
    Valid,
    Mixed,
    Hostile,
}

/// A value from `valid` or `invalid` (padded with whitespace, as typed), or hostile text.
fn field(
    valid: BoxedStrategy<String>,
    invalid: BoxedStrategy<String>,
    mix: Mix,
) -> BoxedStrategy<String> {
    let (v, i) = match mix {
        Mix::Valid => (60, 1),
        Mix::Mixed => (4, 2),
        Mix::Hostile => return hostile(),
    };
    let padded = |s: BoxedStrategy<String>| {
        (whitespace(), s, whitespace()).prop_map(|(a, v, b)| format!("{a}{v}{b}"))
    };
    prop_oneof![v => padded(valid), i => padded(invalid), 1 => hostile()].boxed()
}

fn one_of(values: &'static [&'static str]) -> BoxedStrategy<String> {
    select(values).prop_map(String::from).boxed()
}

fn empty_or(s: impl Strategy<Value = String> + 'static) -> BoxedStrategy<String> {
    prop_oneof![Just(String::new()), s].boxed()
}

fn guid() -> BoxedStrategy<String> {
    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}".boxed()
}

fn authority(valid: bool) -> BoxedStrategy<String> {
    let tenant = prop_oneof![
        one_of(&[
            "common",
            "organizations",
            "consumers",
            "contoso.onmicrosoft.com",
            "Contoso.OnMicrosoft.com"
        ]),
        guid(),
        "[a-z0-9]{1,10}(-[a-z0-9]{1,4})?\\.[a-z]{2,6}".boxed(),
    ];
    let host = one_of(&[
        "login.microsoftonline.com",
        "login.microsoftonline.us",
        "login.chinacloudapi.cn",
        "login.partner.microsoftonline.cn",
        "LOGIN.MicrosoftOnline.com",
    ]);
    if valid {
        (
            one_of(&["https://", "HTTPS://"]),
            host,
            tenant,
            one_of(&["", "/"]),
        )
            .prop_map(|(s, h, t, end)| format!("{s}{h}/{t}{end}"))
            .boxed()
    } else {
        prop_oneof![
            (
                one_of(&["http://", "ftp://", ""]),
                host.clone(),
                tenant.clone()
            )
                .prop_map(|(s, h, t)| format!("{s}{h}/{t}/")),
            (
                one_of(&[
                    "login.example.org",
                    "127.0.0.1:3200",
                    "login.microsoftonline.com:8443"
                ]),
                tenant.clone()
            )
                .prop_map(|(h, t)| format!("https://{h}/{t}/")),
            (
                host.clone(),
                one_of(&["tenant", "a..b", "-x.org", "", "a/b"])
            )
                .prop_map(|(h, t)| format!("https://{h}/{t}/")),
            (host, tenant).prop_map(|(h, t)| format!("https://{h}/{t}?x=1")),
        ]
        .boxed()
    }
}

/// A site profile (JSON, only the keys to change).
fn site_json(mix: Mix) -> BoxedStrategy<String> {
    let codes = || {
        prop_oneof![
            one_of(&["DOC", "docx", " PDF ", "SEVENZ"]),
            "[a-zA-Z0-9]{1,6}".boxed()
        ]
    };
    let bad_codes = || prop_oneof![one_of(&["TOO-LONG", "", "BIN X"]), short_hostile()];
    let valid = mix_is_valid(mix);
    let entry = prop_oneof![
        hostile().prop_map(|v| ("activityMessageKey", json!(v))),
        (0usize..5_000).prop_map(|n| ("noteMaxChars", json!(n))),
        (0usize..600).prop_map(|n| ("descriptionMaxChars", json!(n))),
        any::<i64>().prop_map(|n| ("interactionMessageType", json!(n))),
        hostile().prop_map(|v| ("interactionSourceProcess", json!(v))),
        one_of(&["party", "iqa", "csContactBasic"]).prop_map(|v| ("contactLookup", json!(v))),
        "\\$/Queries/[A-Za-z ]{1,10}".prop_map(|v| ("iqaQuery", json!(v))),
        codes().prop_map(|v| ("fallbackDocumentType", json!(v))),
        vec(
            (
                prop_oneof![
                    one_of(&["docx", ".DOCX", " 7z ", ". a", "pdf.", " . md"]),
                    short_hostile()
                ],
                codes(),
            ),
            0..3,
        )
        .prop_map(|m| (
            "documentTypes",
            json!(m.into_iter().collect::<std::collections::BTreeMap<_, _>>())
        )),
    ];
    let bad_entry = prop_oneof![
        one_of(&["ldap", "IQA"]).prop_map(|v| ("contactLookup", json!(v))),
        bad_codes().prop_map(|v| ("fallbackDocumentType", json!(v))),
        vec((short_hostile(), bad_codes()), 1..3).prop_map(|m| (
            "documentTypes",
            json!(m.into_iter().collect::<std::collections::BTreeMap<_, _>>())
        )),
        Just(("noteMaxChars", json!(-1))),
        Just(("unknownKey", json!(1))),
    ];
    let object = |entries: Vec<(&str, Value)>| {
        let m: Map<String, Value> = entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        Value::Object(m).to_string()
    };
    if valid {
        vec(entry, 0..4).prop_map(object).boxed()
    } else {
        prop_oneof![
            3 => (vec(entry, 0..3), bad_entry).prop_map(move |(mut e, b)| {
                e.push(b);
                object(e)
            }),
            1 => json_value().prop_map(|v| v.to_string()),
            1 => hostile(),
        ]
        .boxed()
    }
}

fn mix_is_valid(mix: Mix) -> bool {
    matches!(mix, Mix::Valid)
}

fn raw_settings(mix: Mix) -> impl Strategy<Value = RawSettings> {
    let n = |lo: u64, hi: u64| (lo..=hi).prop_map(|n| n.to_string()).boxed();
    let flag = || one_of(&["", "true", "false", "on", "off", "yes", "no", "TRUE"]);
    let f =
        |valid: BoxedStrategy<String>, invalid: BoxedStrategy<String>| field(valid, invalid, mix);
    let a = (
        f(
            empty_or(guid()),
            one_of(&[
                "my-app",
                "4b9c2d1e7f3a4c5b9e8d2a1f0c6b5d43",
                "{4b9c2d1e-7f3a-4c5b-9e8d-2a1f0c6b5d43}",
            ]),
        ),
        f(empty_or(authority(true)), authority(false)),
        f(
            Just(String::new()).boxed(),
            one_of(&[
                "https://graph.microsoft.com",
                "https://dod-graph.microsoft.us/",
                "https://127.0.0.1:3300",
                "graph",
            ]),
        ),
        f(
            empty_or(
                (
                    "https://imis\\.example\\.org(:[1-9][0-9]{0,3})?",
                    "(/[A-Za-z0-9._~-]{1,6}){0,3}/?",
                )
                    .prop_map(|(h, p)| format!("{h}{p}")),
            ),
            one_of(&[
                "http://imis.example.org",
                "https://u:p@imis.example.org",
                "https://x/?a#b",
                "imis.example.org",
            ]),
        ),
        f(
            empty_or("[a-zA-Z0-9_]{1,10}"),
            one_of(&["dues", "Order", "SALES", "toolongtypecode", "a-b"]),
        ),
        f(
            empty_or(
                ("\\$(/[A-Za-z0-9][A-Za-z0-9 ._-]{0,7}){1,3}", "[/ ]{0,2}")
                    .prop_map(|(r, s)| format!("{r}{s}")),
            ),
            one_of(&["$/a/../b", "Common/Email", "$//x", "$/./x", "$"]),
        ),
        f(
            empty_or(prop_oneof![n(1, 4), Just("+3".to_string())]),
            one_of(&["0", "5", "-1", "x", "1.5"]),
        ),
        f(flag(), flag()),
        f(empty_or(n(1, 4096)), one_of(&["0", "4097", "lots", "-3"])),
        f(
            empty_or("[a-zA-Z0-9]{1,6}"),
            one_of(&["toolong", "BIN-X", "B I"]),
        ),
    );
    let b = (
        f(
            empty_or("[a-zA-Z][a-zA-Z0-9_]{0,10}"),
            one_of(&["UF 1", "1x", "UF-1"]),
        ),
        f(flag(), flag()),
        f(empty_or(n(1, 50)), one_of(&["0", "51", "ten"])),
        f(
            one_of(&["", "activity", "interaction"]),
            one_of(&["note", "Activity"]),
        ),
        f(flag(), flag()),
        f(
            one_of(&[
                "",
                "https://imis.example.org/Party.aspx?ID={partyId}",
                "https://{partyId}",
            ]),
            one_of(&[
                "https://imis.example.org/Party.aspx",
                "http://x/{partyId}",
                "https://u@x/{partyId}",
            ]),
        ),
        f(
            one_of(&["", "party", "iqa", "csContactBasic"]),
            one_of(&["ldap", "IQA"]),
        ),
        f(
            empty_or("\\$/Queries/[A-Za-z ]{1,10}"),
            one_of(&["Queries/Outlook"]),
        ),
        match mix {
            Mix::Valid => prop_oneof![3 => Just(String::new()), 1 => site_json(Mix::Valid)].boxed(),
            Mix::Mixed => prop_oneof![site_json(Mix::Valid), site_json(Mix::Mixed)].boxed(),
            Mix::Hostile => prop_oneof![hostile(), site_json(Mix::Mixed)].boxed(),
        },
    );
    (a, b).prop_map(
        |(
            (
                client_id,
                authority,
                graph_url,
                imis_url,
                activity_type,
                document_root,
                graph_concurrency,
                include_inline,
                max_request_mb,
                fallback_document_type,
            ),
            (
                key_column,
                email_file,
                max_emails,
                record_kind,
                allow_duplicate_emails,
                profile_url,
                contact_lookup,
                iqa_query,
                site_profile,
            ),
        )| RawSettings {
            client_id,
            authority,
            graph_url,
            imis_url,
            activity_type,
            document_root,
            graph_concurrency,
            include_inline,
            max_request_mb,
            fallback_document_type,
            key_column,
            email_file,
            max_emails,
            record_kind,
            allow_duplicate_emails,
            profile_url,
            contact_lookup,
            iqa_query,
            site_profile,
            ..Default::default()
        },
    )
}

fn any_raw_settings() -> impl Strategy<Value = RawSettings> {
    prop_oneof![
        3 => raw_settings(Mix::Valid),
        3 => raw_settings(Mix::Mixed),
        1 => raw_settings(Mix::Hostile),
    ]
}

fn clouds() -> impl Strategy<Value = Vec<Cloud>> {
    prop_oneof![
        Just(vec![]),
        Just(vec![Cloud {
            authority_host: "127.0.0.1:3200".into(),
            graph_url: "https://127.0.0.1:3300/".into(),
        }]),
    ]
}

const MB: u64 = 1024 * 1024;

/// Settings written back as raw text: what Setup would store for them.
fn to_raw(s: &Settings) -> RawSettings {
    RawSettings {
        client_id: s.client_id.clone().unwrap_or_default(),
        authority: s.authority.clone(),
        graph_url: s.graph_url.clone(),
        imis_url: s.imis_url.clone(),
        activity_type: s.activity_type.clone(),
        document_root: s.document_root.clone(),
        graph_concurrency: s.graph_concurrency.to_string(),
        include_inline: s.include_inline.to_string(),
        max_request_mb: (s.max_request_bytes / MB).to_string(),
        fallback_document_type: String::new(),
        key_column: String::new(),
        email_file: s.email_file.to_string(),
        max_emails: s.max_emails.to_string(),
        record_kind: s.record_kind.noun().to_string(),
        allow_duplicate_emails: s.allow_duplicate_emails.to_string(),
        profile_url: s.profile_url.clone(),
        contact_lookup: String::new(),
        iqa_query: String::new(),
        site_profile: save_to_imis::jsonw::to_string(&s.site),
        org_settings_path: s.org_settings_path.clone(),
        contact_creation: s.contact_creation.as_str().to_string(),
    }
}

#[test]
fn settings_errors_name_real_fields_that_were_filled_in() {
    check(1_200, (any_raw_settings(), clouds()), |(raw, clouds)| {
        if let Err(errors) = validate(&raw, &clouds) {
            prop_assert!(!errors.is_empty());
            let typed = serde_ref::from_str(&save_to_imis::jsonw::to_string(&raw)).unwrap();
            let mut seen = HashSet::new();
            for e in &errors {
                prop_assert!(FIELDS.contains(&e.field), "{} is not a field", e.field);
                prop_assert!(seen.insert(e.field), "{} twice", e.field);
                prop_assert!(!e.message.trim().is_empty());
                // Every default is valid: an empty field never fails by itself (the IQA
                // query can be wrong because of the lookup chosen or the profile).
                if e.field != "iqaQuery" {
                    let value = typed[e.field].as_str().unwrap_or_default();
                    prop_assert!(
                        !value.trim().is_empty(),
                        "empty {} failed: {}",
                        e.field,
                        e.message
                    );
                }
            }
        }
        Ok(())
    });
}

#[test]
fn accepted_settings_are_normalised_and_validate_to_themselves() {
    check(
        2_000,
        (
            prop_oneof![3 => raw_settings(Mix::Valid), 1 => raw_settings(Mix::Mixed)],
            clouds(),
        ),
        |(raw, clouds)| {
            if let Ok(s) = validate(&raw, &clouds) {
                prop_assert!(s.authority.ends_with('/') && s.authority.starts_with("https://"));
                prop_assert!(s.graph_url.starts_with("https://") && !s.graph_url.ends_with('/'));
                prop_assert!(!s.imis_url.ends_with('/'));
                prop_assert!(
                    s.activity_type.len() <= 10
                        && s.activity_type == s.activity_type.to_ascii_uppercase()
                );
                prop_assert!(s.document_root.starts_with("$/") && !s.document_root.ends_with('/'));
                prop_assert!((1..=4).contains(&s.graph_concurrency));
                prop_assert!((1..=50).contains(&s.max_emails));
                prop_assert!(
                    s.max_request_bytes % MB == 0
                        && (1..=4096).contains(&(s.max_request_bytes / MB))
                );
                prop_assert!(
                    check_type_code(&s.site.fallback_document_type).as_ref()
                        == Ok(&s.site.fallback_document_type)
                );
                let again = validate(&to_raw(&s), &clouds);
                prop_assert_eq!(again, Ok(s));
            }
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------
// record.rs

fn note_text() -> BoxedStrategy<String> {
    prop_oneof![
        4 => hostile(),
        1 => (hostile(), hostile()).prop_map(|(a, b)| format!("{a}{MARKER}{b}")),
        1 => (hostile(), "[ \n\t]{1,4}", hostile()).prop_map(|(a, ws, b)| format!("{a}{ws}{b}")),
    ]
    .boxed()
}

fn marker_free() -> BoxedStrategy<String> {
    hostile()
        .prop_filter("no marker", |s| !s.contains(MARKER))
        .boxed()
}

#[test]
fn notes_stay_within_max_and_keep_the_section_whole() {
    check(
        2_000,
        (note_text(), note_text(), note_text(), 0usize..700),
        |(header, body, section, max)| {
            let note = compose_note(&header, &body, &section, max);
            prop_assert!(units(&note) <= max);
            let tail = format!("\n\n{MARKER}\n{section}");
            let fixed = units(&header) + units(&tail);
            if fixed <= max {
                let kept = note
                    .strip_prefix(header.as_str())
                    .and_then(|n| n.strip_suffix(tail.as_str()))
                    .ok_or_else(|| TestCaseError::fail("header and section kept whole"))?;
                prop_assert_eq!(kept, bounded(&body, max - fixed));
                if ![&header, &body, &section]
                    .iter()
                    .any(|t| t.contains(MARKER))
                {
                    prop_assert_eq!(note.matches(MARKER).count(), 1);
                }
            }
            Ok(())
        },
    );
}

#[test]
fn replacing_the_section_keeps_the_text_above_and_is_idempotent() {
    let note = prop_oneof![
        note_text(),
        (note_text(), note_text(), marker_free(), 0usize..700)
            .prop_map(|(h, b, s, max)| compose_note(&h, &b, &s, max)),
    ];
    check(
        2_500,
        (note, marker_free(), 0usize..700),
        |(note, section, max)| {
            let once = replace_section(&note, &section, max);
            prop_assert!(units(&once) <= max);
            let tail = format!("\n\n{MARKER}\n{section}");
            if units(&tail) <= max {
                prop_assert_eq!(once.matches(MARKER).count(), 1);
                let kept = once
                    .strip_suffix(tail.as_str())
                    .ok_or_else(|| TestCaseError::fail("section last and whole"))?;
                let above = note.find(MARKER).map_or(note.as_str(), |at| &note[..at]);
                prop_assert!(
                    above.starts_with(kept),
                    "{:?} is not the start of {:?}",
                    kept,
                    above
                );
                if units(above.trim_end()) <= max - units(&tail) {
                    prop_assert_eq!(kept, above.trim_end());
                }
            }
            prop_assert_eq!(replace_section(&once, &section, max), once);
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------
// imis/site.rs

fn is_type_code(c: &str) -> bool {
    (1..=6).contains(&c.len())
        && c.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

#[test]
fn document_types_are_always_codes_and_ignore_the_extension_case() {
    let site = prop_oneof![
        Just(SiteProfile::default()),
        prop_oneof![site_json(Mix::Valid), site_json(Mix::Mixed)]
            .prop_map(|j| SiteProfile::from_json(&j).unwrap_or_default()),
    ];
    let name = prop_oneof![
        file_name(),
        (
            file_name(),
            select(
                &[
                    "pdf",
                    "DOCX",
                    "Jpeg",
                    "msg",
                    "7z",
                    "tar.gz",
                    "a",
                    "toolongext"
                ][..]
            )
        )
            .prop_map(|(s, e)| format!("{s}.{e}")),
    ];
    check(4_000, (site, name), |(site, name)| {
        let t = site.document_type(&name);
        prop_assert!(is_type_code(&t), "{:?} for {:?}", t, name);
        if let Some((stem, ext)) = name.rsplit_once('.') {
            let upper = format!("{stem}.{}", ext.to_ascii_uppercase());
            prop_assert_eq!(site.document_type(&upper), t);
        }
        for (code, ext) in site.type_codes() {
            prop_assert!(is_type_code(&code), "{:?}", code);
            // The probe extension maps to its code (the fallback's "bin" may be mapped).
            let probe =
                (1..=8).contains(&ext.len()) && ext.bytes().all(|b| b.is_ascii_alphanumeric());
            if probe && code != site.fallback_document_type {
                prop_assert_eq!(site.document_type(&format!("x.{ext}")), code);
            }
        }
        Ok(())
    });
}

#[test]
fn type_codes_are_checked_once_and_for_all() {
    check(
        4_000,
        prop_oneof![hostile(), "[ a-zA-Z0-9-]{0,8}"],
        |code| {
            match check_type_code(&code) {
                Ok(c) => {
                    prop_assert!(is_type_code(&c));
                    prop_assert_eq!(&c, &code.trim().to_ascii_uppercase());
                    prop_assert_eq!(check_type_code(&c), Ok(c));
                }
                Err(why) => {
                    prop_assert!(!is_type_code(&code.trim().to_ascii_uppercase()));
                    prop_assert!(why.chars().count() < 120, "{}", why);
                }
            }
            Ok(())
        },
    );
}

#[test]
fn message_keys_are_fixed_length_hex_of_the_trimmed_id() {
    check(
        4_000,
        (hostile(), whitespace(), whitespace()),
        |(id, a, b)| {
            let k = message_key(&id);
            let hex = k
                .strip_prefix("email:")
                .ok_or_else(|| TestCaseError::fail("email: first"))?;
            let lower_hex = |s: &str| {
                s.bytes()
                    .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
            };
            prop_assert!(hex.len() == 16 && lower_hex(hex), "{}", k);
            let i = interaction_key(&id);
            prop_assert!(i.len() == 10 && lower_hex(&i), "{}", i);
            prop_assert_eq!(&hex[..10], i.as_str());
            prop_assert_eq!(message_key(&format!("{a}{id}{b}")), k);
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------
// plan.rs

fn address() -> impl Strategy<Value = Address> {
    let mail = prop_oneof![
        3 => select(&["alex@example.com", "ALEX@example.com", "b@x.org", "dana@example.org", " b@x.org "][..])
            .prop_map(String::from),
        2 => "[a-z]{1,6}(\\.[a-z]{1,6})?@[a-z]{1,6}(\\.[a-z]{2,3}){1,2}",
        1 => short_hostile(),
    ];
    (prop_oneof![Just(String::new()), short_hostile()], mail)
        .prop_map(|(name, address)| Address { name, address })
}

/// A size chosen against the site's limit: small, within a few bytes of what fits, or
/// as large as a JavaScript number holds exactly.
#[derive(Debug, Clone, Copy)]
enum Size {
    Small(u64),
    NearLimit(u64),
    Huge(u64),
}

impl Size {
    fn resolve(self, max_request_bytes: u64) -> u64 {
        match self {
            Size::Small(n) => n,
            Size::NearLimit(d) => (max_request_bytes - 700) / 4 * 3 + d,
            Size::Huge(n) => n,
        }
    }
}

fn size() -> impl Strategy<Value = Size> {
    prop_oneof![
        3 => (0u64..3_000_000).prop_map(Size::Small),
        2 => (0u64..600).prop_map(Size::NearLimit),
        1 => (0u64..(1 << 53)).prop_map(Size::Huge),
    ]
}

fn attachment(i: usize) -> impl Strategy<Value = (AttachmentInfo, Size)> {
    (
        file_name(),
        select(
            &[
                AttachmentKind::File,
                AttachmentKind::Item,
                AttachmentKind::Cloud,
            ][..],
        ),
        any::<bool>(),
        size(),
        proptest::option::of(Just("https://contoso.sharepoint.com/x".to_string())),
        "[A-Za-z0-9_=-]{0,6}",
    )
        .prop_map(move |(name, kind, is_inline, size, url, suffix)| {
            (
                AttachmentInfo {
                    id: format!("AAMk{i}-{suffix}"),
                    office_id: format!("office-{i}"),
                    host_only: false,
                    name,
                    content_type: String::new(),
                    size: 0,
                    kind,
                    is_inline,
                    url,
                },
                size,
            )
        })
}

#[derive(Debug, Clone)]
struct PlanCase {
    item: MailItem,
    sizes: Vec<Size>,
    ticked: Vec<bool>,
    tick_email: bool,
    settings: (bool, bool, u64, bool, usize),
    contacts: Vec<Contact>,
}

fn plan_case() -> impl Strategy<Value = PlanCase> {
    let attachments = (0usize..7).prop_flat_map(|n| (0..n).map(attachment).collect::<Vec<_>>());
    let contact = (
        "[0-9]{1,5}",
        short_hostile(),
        vec(address().prop_map(|a| a.address), 0..3),
    )
        .prop_map(|(party_id, full_name, emails)| Contact {
            party_id,
            full_name,
            emails,
        });
    (
        (
            hostile(),
            address(),
            vec(address(), 0..3),
            vec(address(), 0..2),
            date(),
            prop_oneof![Just(String::new()), hostile()],
            prop_oneof![3 => hostile(), 1 => (hostile(), 2_000usize..6_000).prop_map(|(s, n)| long(&s, n))],
        ),
        attachments,
        vec(any::<bool>(), 7),
        any::<bool>(),
        (any::<bool>(), any::<bool>(), 1u64..=20, any::<bool>(), prop_oneof![Just(32_000usize), 0usize..3_000]),
        vec(contact, 0..3),
    )
        .prop_map(
            |((subject, from, to, cc, date, internet_message_id, body_text), atts, ticked, tick_email, settings, contacts)| {
                let (attachments, sizes) = atts.into_iter().unzip();
                PlanCase {
                    item: MailItem {
                        mode: Mode::Read,
                        rest_id: "AAMk_rest".into(),
                        shared_mailbox: None,
                        user_address: "dana@example.org".into(),
                        host_content: true,
                        subject,
                        from,
                        to,
                        cc,
                        date,
                        internet_message_id,
                        body_text,
                        attachments,
                    },
                    sizes,
                    ticked,
                    tick_email,
                    settings,
                    contacts,
                }
            },
        )
}

#[test]
fn plans_place_every_ticked_attachment_once_under_distinct_safe_names() {
    check(1_000, plan_case(), |case| {
        let (include_inline, email_file, mb, interaction, note_max) = case.settings;
        let raw = RawSettings {
            include_inline: include_inline.to_string(),
            email_file: email_file.to_string(),
            max_request_mb: mb.to_string(),
            record_kind: if interaction {
                "interaction"
            } else {
                "activity"
            }
            .into(),
            site_profile: json!({ "noteMaxChars": note_max }).to_string(),
            ..RawSettings::default()
        };
        let settings = validate(&raw, &[]).unwrap();
        let max = settings.max_request_bytes;
        let mut item = case.item.clone();
        for (a, s) in item.attachments.iter_mut().zip(&case.sizes) {
            a.size = s.resolve(max);
        }
        let mut selected: Vec<String> = item
            .attachments
            .iter()
            .zip(&case.ticked)
            .filter(|(_, t)| **t)
            .map(|(a, _)| a.id.clone())
            .collect();
        selected.push("not-an-attachment".into());
        if case.tick_email {
            selected.push(EMAIL_FILE_ID.into());
        }
        let plan = build(&item, &settings, &case.contacts, &selected);

        // Every attachment in exactly one list; nothing that is not one of them.
        let count = |id: &str| {
            plan.attachments.iter().filter(|a| a.id == id).count()
                + plan.links.iter().filter(|l| l.id == id).count()
                + plan.left_out.iter().filter(|l| l.id == id).count()
        };
        for a in &item.attachments {
            prop_assert_eq!(count(&a.id), 1, "{} placed", a.id);
            let ticked = selected.contains(&a.id);
            let planned = plan.attachments.iter().find(|p| p.id == a.id);
            let left = plan.left_out.iter().find(|l| l.id == a.id);
            if !ticked || (a.is_inline && !include_inline) {
                prop_assert!(
                    left.is_some_and(|l| l.chosen),
                    "{} left out by choice",
                    a.id
                );
            } else if a.kind == AttachmentKind::Cloud {
                prop_assert!(plan.links.iter().any(|l| l.id == a.id && l.url == a.url));
            } else {
                // The size rule, decided before anything is downloaded, on the name
                // before a " (n)" makes it distinct (the rule allows for that).
                let base = match a.kind {
                    AttachmentKind::Item => {
                        let n = safe_name(&format!("{}.eml", a.name.trim()), "attached item.eml");
                        if n.ends_with(".eml") {
                            n
                        } else {
                            "attached item.eml".into()
                        }
                    }
                    _ => safe_name(&a.name, "attachment"),
                };
                let rule = too_large(&base, a.size, max);
                prop_assert_eq!(left.is_some(), rule.is_some());
                if let Some(l) = left {
                    prop_assert!(!l.chosen && l.reason.starts_with("too large for this iMIS site"));
                }
                if let Some(p) = planned {
                    let want = if a.kind == AttachmentKind::Item {
                        Handling::Item
                    } else {
                        Handling::File
                    };
                    prop_assert_eq!(p.handling, want);
                    prop_assert_eq!(p.size, a.size);
                }
            }
        }
        let email = usize::from(email_file && case.tick_email);
        prop_assert_eq!(count(EMAIL_FILE_ID), email);
        prop_assert_eq!(
            plan.attachments.len() + plan.links.len() + plan.left_out.len(),
            item.attachments.len() + email
        );
        if plan.attachments.iter().any(|a| a.id == EMAIL_FILE_ID) {
            prop_assert_eq!(plan.attachments[0].handling, Handling::Email);
        }

        // Stored names: safe, distinct, emails and attached items as .eml, and each
        // request (stored name, the folder path the rule allows for) within the limit.
        let mut seen = HashSet::new();
        for a in &plan.attachments {
            prop_assert!(
                seen.insert(a.stored_name.to_lowercase()),
                "{:?} twice",
                a.stored_name
            );
            assert_stored_name(&a.stored_name)?;
            prop_assert_eq!(&safe_name(&a.stored_name, "attachment"), &a.stored_name);
            if a.handling != Handling::File {
                prop_assert!(a.stored_name.ends_with(".eml"), "{:?}", a.stored_name);
            }
            let (head, tail) = document_parts(&a.stored_name, &"x".repeat(300), "XXXXXX");
            prop_assert!(
                a.handling == Handling::Email
                    || request_bytes(a.size, head.len() + tail.len()) <= max,
                "{:?} ({} bytes) is over {}",
                a.stored_name,
                a.size,
                max
            );
        }
        assert_stored_name(&plan.folder_name)?;
        prop_assert_eq!(&plan.folder_parent, &settings.document_root);

        // One record per contact, each note within the site's length.
        prop_assert_eq!(plan.records.len(), case.contacts.len());
        let id = if item.internet_message_id.is_empty() {
            &item.rest_id
        } else {
            &item.internet_message_id
        };
        for ((c, r), want) in plan.records.iter().zip(&case.contacts) {
            prop_assert_eq!(c, want);
            prop_assert_eq!(&r.party_id, &want.party_id);
            prop_assert!(units(&r.note) <= settings.site.note_max_chars);
            prop_assert_eq!(&r.message_key, &message_key(id));
            prop_assert!(r.address.is_empty() || want.emails.contains(&r.address));
            prop_assert_eq!(
                r.kind,
                if interaction {
                    RecordKind::Interaction
                } else {
                    RecordKind::Activity
                }
            );
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------
// contacts.rs

fn mail_item() -> impl Strategy<Value = MailItem> {
    (
        address(),
        vec(address(), 0..5),
        vec(address(), 0..4),
        prop_oneof![
            Just("dana@example.org".to_string()),
            Just(" Alex@Example.com ".to_string()),
            short_hostile()
        ],
    )
        .prop_map(|(from, to, cc, user_address)| MailItem {
            mode: Mode::Read,
            rest_id: "m".into(),
            shared_mailbox: None,
            user_address,
            host_content: false,
            subject: String::new(),
            from,
            to,
            cc,
            date: String::new(),
            internet_message_id: String::new(),
            body_text: String::new(),
            attachments: vec![],
        })
}

#[test]
fn addresses_are_each_once_in_order_and_never_the_users_own() {
    check(2_000, mail_item(), |item| {
        let out = addresses(&item);
        let own = item.user_address.trim().to_lowercase();
        let all: Vec<(&Address, &str)> = std::iter::once((&item.from, "from"))
            .chain(item.to.iter().map(|a| (a, "to")))
            .chain(item.cc.iter().map(|a| (a, "cc")))
            .collect();
        let mut seen = HashSet::new();
        let rank = |r: &str| ["from", "to", "cc"].iter().position(|x| *x == r).unwrap();
        let mut last = 0;
        for (a, role) in &out {
            prop_assert!(!a.is_empty() && a.trim() == a);
            prop_assert!(seen.insert(a.to_lowercase()), "{} twice", a);
            prop_assert_ne!(a.to_lowercase(), own.clone());
            prop_assert!(rank(role) >= last);
            last = rank(role);
            // Its first appearance on the email, with that role.
            let first = all
                .iter()
                .find(|(x, _)| x.address.trim().to_lowercase() == a.to_lowercase());
            prop_assert_eq!(first.map(|(_, r)| *r), Some(*role));
        }
        for (x, _) in &all {
            let key = x.address.trim().to_lowercase();
            if !key.is_empty() && key != own {
                prop_assert!(seen.contains(&key), "{} missing", key);
            }
        }
        Ok(())
    });
}

#[test]
fn matches_list_each_contact_once_and_preselect_only_a_sole_first_match() {
    let contact = ("[1-6]", short_hostile()).prop_map(|(party_id, full_name)| Contact {
        party_id,
        full_name,
        emails: vec![],
    });
    let entry = (
        ("[a-c]@x\\.org", select(&["from", "to", "cc"][..])),
        vec(contact, 0..3),
    );
    check(3_000, vec(entry, 0..5), |found| {
        let out = matches(found.clone());
        let flat: Vec<(usize, &Contact)> = found
            .iter()
            .enumerate()
            .flat_map(|(i, (_, cs))| cs.iter().map(move |c| (i, c)))
            .collect();
        let mut firsts: Vec<(usize, &Contact)> = Vec::new();
        for (i, c) in &flat {
            if !firsts.iter().any(|(_, f)| f.party_id == c.party_id) {
                firsts.push((*i, c));
            }
        }
        prop_assert_eq!(out.len(), firsts.len());
        for (m, (i, c)) in out.iter().zip(&firsts) {
            prop_assert_eq!(&m.contact, *c);
            prop_assert_eq!(&m.address, &found[*i].0 .0);
            prop_assert_eq!(m.role, found[*i].0 .1);
        }
        let first_list = found.iter().find(|(_, cs)| !cs.is_empty());
        let sole = first_list.is_some_and(|(_, cs)| cs.len() == 1);
        let picked: Vec<usize> = out
            .iter()
            .enumerate()
            .filter(|(_, m)| m.preselected)
            .map(|(k, _)| k)
            .collect();
        prop_assert_eq!(picked, if sole { vec![0] } else { vec![] });
        Ok(())
    });
}

const PUBLIC: &[&str] = &[
    "gmail.com",
    "outlook.com",
    "yahoo.com",
    "proton.me",
    "icloud.com",
];

#[test]
fn drafts_are_trimmed_and_check_as_they_are() {
    let from = prop_oneof![
        address(),
        (
            "[A-Z][a-z]{1,8}",
            "[A-Z][a-z]{1,8}",
            any::<bool>(),
            select(PUBLIC),
            vec(any::<bool>(), 1..6)
        )
            .prop_map(|(first, last, comma, domain, bits)| Address {
                name: if comma {
                    format!("{last}, {first}")
                } else {
                    format!("{first} {last}")
                },
                address: format!("{}@{}", first.to_lowercase(), recase(domain, &bits)),
            },),
    ];
    check(3_000, from, |from| {
        let d = draft(&from);
        prop_assert_eq!(&d.email, from.address.trim());
        prop_assert_eq!(d.first_name.trim(), d.first_name.as_str());
        prop_assert_eq!(d.last_name.trim(), d.last_name.as_str());
        prop_assert!(!d.organization.contains(['.', '@']));
        let domain = from
            .address
            .trim()
            .rsplit_once('@')
            .map_or("", |(_, d)| d)
            .to_ascii_lowercase();
        if PUBLIC.contains(&domain.as_str())
            || domain.split('.').filter(|l| !l.is_empty()).count() < 2
        {
            prop_assert_eq!(d.organization.as_str(), "");
        }
        // "First Last" and "Last, First" give those two names.
        let word = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphabetic());
        let names = match from.name.split_once(", ") {
            Some((l, f)) => Some((f, l)),
            None => from.name.split_once(' '),
        };
        if let Some((first, last)) = names.filter(|(f, l)| word(f) && word(l)) {
            prop_assert_eq!((d.first_name.as_str(), d.last_name.as_str()), (first, last));
        }
        match check_new(&d) {
            Ok(checked) => prop_assert_eq!(checked, d),
            Err(errors) => prop_assert!(!errors.is_empty()),
        }
        Ok(())
    });
}

#[test]
fn new_contacts_check_names_and_address_and_are_idempotent() {
    let name = || {
        prop_oneof![
            hostile(),
            whitespace(),
            "[A-Za-z]{1,12}",
            (90usize..110).prop_map(|n| "n".repeat(n))
        ]
    };
    let email = prop_oneof![
        "[a-z]{1,8}@[a-z]{1,8}\\.[a-z]{2,3}",
        whitespace().prop_map(|w| format!("{w}sam@example.com{w}")),
        one_of(&[
            "sam at example",
            "@example.com",
            "sam@example",
            "sam @example.com",
            ""
        ]),
        hostile(),
    ];
    check(
        3_000,
        (name(), name(), email, name()),
        |(first_name, last_name, email, organization)| {
            let c = NewContact {
                first_name,
                last_name,
                email,
                organization,
            };
            match check_new(&c) {
                Ok(ok) => {
                    prop_assert_eq!(check_new(&ok), Ok(ok.clone()));
                    prop_assert!(!ok.first_name.is_empty() && ok.first_name.chars().count() <= 100);
                    prop_assert!(!ok.last_name.is_empty() && ok.last_name.chars().count() <= 100);
                    prop_assert!(ok.organization.chars().count() <= 100);
                    let (local, domain) = ok.email.split_once('@').unwrap();
                    prop_assert!(
                        !local.is_empty()
                            && domain.contains('.')
                            && !ok.email.contains(char::is_whitespace)
                    );
                    prop_assert_eq!(ok.first_name.as_str(), c.first_name.trim());
                }
                Err(errors) => {
                    let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
                    let unique: HashSet<&str> = fields.iter().copied().collect();
                    prop_assert_eq!(unique.len(), fields.len());
                    for f in &fields {
                        prop_assert!(["firstName", "lastName", "email", "organization"].contains(f));
                    }
                    let bad_name = |s: &str| s.trim().is_empty() || s.chars().count() > 100;
                    prop_assert_eq!(fields.contains(&"firstName"), bad_name(&c.first_name));
                    prop_assert_eq!(fields.contains(&"lastName"), bad_name(&c.last_name));
                    prop_assert_eq!(
                        fields.contains(&"organization"),
                        c.organization.chars().count() > 100
                    );
                }
            }
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------
// org.rs

/// A field name: mostly a real one, sometimes anything.
fn layered_field() -> BoxedStrategy<String> {
    let names: Vec<&'static str> = LAYERED_FIELDS.iter().map(|(f, _)| *f).collect();
    prop_oneof![
        6 => select(names).prop_map(String::from),
        1 => short_hostile(),
    ]
    .boxed()
}

fn field_values() -> BoxedStrategy<Vec<(String, String)>> {
    vec(
        (
            layered_field(),
            prop_oneof![3 => short_hostile(), 1 => whitespace()],
        ),
        0..10,
    )
    .boxed()
}

fn raw_of(pairs: &[(String, String)]) -> RawSettings {
    let map: Map<String, Value> = pairs
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    save_to_imis::json::FromJson::from_json(Value::Object(map)).unwrap()
}

#[test]
fn org_documents_round_trip_organisation_fields_only() {
    check(1_500, field_values(), |pairs| {
        let values: Values = pairs.into_iter().collect();
        let back = parse_document(write_document(&values).as_bytes())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let expected: Values = values
            .iter()
            .filter(|(f, v)| layer_of(f) == Some(Layer::Organisation) && !v.trim().is_empty())
            .map(|(f, v)| (f.clone(), v.trim().to_string()))
            .collect();
        prop_assert_eq!(back, expected);
        Ok(())
    });
}

#[test]
fn org_documents_from_arbitrary_bytes_are_organisation_values_or_a_typed_error() {
    let bytes = prop_oneof![
        2 => json_bytes(),
        2 => json_value().prop_map(|v| json!({"saveToImis": 1, "settings": v.theirs()}).to_string().into_bytes()),
        1 => vec((layered_field(), json_value()), 0..8).prop_map(|pairs| {
            let settings: Map<String, Value> = pairs.into_iter().collect();
            json!({"saveToImis": 1, "settings": settings.theirs()}).to_string().into_bytes()
        }),
    ];
    check(2_000, bytes, |bytes| {
        match parse_document(&bytes) {
            Ok(values) => {
                for (f, v) in &values {
                    prop_assert_eq!(layer_of(f), Some(Layer::Organisation), "{}", f);
                    prop_assert!(!v.is_empty() && v.trim() == v, "{:?}", v);
                }
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
        Ok(())
    });
}

#[test]
fn layering_takes_each_value_from_the_highest_layer_that_sets_it() {
    let cases = (
        field_values(),
        proptest::option::of(field_values()),
        field_values(),
    );
    check(1_500, cases, |(d, o, p)| {
        let (deployment, personal) = (raw_of(&d), raw_of(&p));
        let organisation: Option<Values> = o.map(|o| o.into_iter().collect());
        let out = layer(&deployment, organisation.as_ref(), &personal);
        let (dep, per, got) = (
            serde_ref::from_str(&save_to_imis::jsonw::to_string(&deployment)).unwrap(),
            serde_ref::from_str(&save_to_imis::jsonw::to_string(&personal)).unwrap(),
            serde_ref::from_str(&save_to_imis::jsonw::to_string(&out.values)).unwrap(),
        );
        prop_assert_eq!(out.sources.len(), LAYERED_FIELDS.len());
        for (field, owner) in LAYERED_FIELDS {
            let text = |v: &Value| v[field].as_str().unwrap_or("").trim().to_string();
            let (dv, pv) = (text(&dep), text(&per));
            let ov = organisation
                .as_ref()
                .and_then(|o| o.get(field))
                .map(|v| v.trim().to_string());
            let expected = if !dv.is_empty() {
                (dv, Source::Deployment)
            } else if owner == Layer::Organisation && organisation.is_some() {
                match ov.filter(|v| !v.is_empty()) {
                    Some(v) => (v, Source::Organisation),
                    None => (String::new(), Source::Default),
                }
            } else if !pv.is_empty() {
                (pv, Source::Personal)
            } else {
                (String::new(), Source::Default)
            };
            prop_assert_eq!(
                (got[field].as_str().unwrap().to_string(), out.sources[field]),
                expected,
                "{}",
                field
            );
            prop_assert_eq!(out.layers[field], owner);
            if owner != Layer::Organisation {
                prop_assert_ne!(out.sources[field], Source::Organisation, "{}", field);
            }
        }
        Ok(())
    });
}
