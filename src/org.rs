//! Settings in three layers (docs/org-settings.md): the deployment (where iMIS and
//! Microsoft are), the organisation (kept in iMIS itself, in one settings document an
//! iMIS administrator changes for everyone) and the person (their own preferences).
//! Which field belongs to which layer, the settings document's format, and `layer()`,
//! which merges the three and says where each value came from. Pure: no browser types.

use crate::vecmap::Map;

use crate::json::Value;
use thiserror::Error;

use crate::settings::RawSettings;

/// The settings document's name in the organisation settings folder.
pub const DOCUMENT_NAME: &str = "save-to-imis-settings.txt";
/// A shipped iMIS document type (JSON is not one; the content is not XML).
pub const DOCUMENT_TYPE: &str = "TXT";
/// The format version this add-in writes and reads.
pub const FORMAT_VERSION: u64 = 1;
/// No settings document is anywhere near this; a larger one is not read.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024;
/// The key that marks a settings document (and holds its format version).
const MARKER: &str = "saveToImis";

/// Who owns a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// Fixed where the add-in is deployed (`config.json` or the build).
    Deployment,
    /// The organisation's settings document in iMIS: changed by iMIS administrators.
    Organisation,
    /// The user's own (Outlook roaming settings).
    Personal,
}

/// Where a value in effect came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Deployment,
    Organisation,
    Personal,
    /// Nobody set it: the add-in's default applies.
    Default,
}

/// Every Setup field (as `RawSettings` names it in JSON) and its layer.
pub const FIELDS: [(&str, Layer); 21] = [
    ("clientId", Layer::Deployment),
    ("authority", Layer::Deployment),
    ("graphUrl", Layer::Deployment),
    ("imisUrl", Layer::Deployment),
    ("orgSettingsPath", Layer::Deployment),
    ("activityType", Layer::Organisation),
    ("recordKind", Layer::Organisation),
    ("documentRoot", Layer::Organisation),
    ("siteProfile", Layer::Organisation),
    ("fallbackDocumentType", Layer::Organisation),
    ("maxRequestMb", Layer::Organisation),
    ("allowDuplicateEmails", Layer::Organisation),
    ("profileUrl", Layer::Organisation),
    ("contactLookup", Layer::Organisation),
    ("iqaQuery", Layer::Organisation),
    ("keyColumn", Layer::Organisation),
    ("maxEmails", Layer::Organisation),
    ("emailFile", Layer::Organisation),
    ("contactCreation", Layer::Organisation),
    ("graphConcurrency", Layer::Personal),
    ("includeInline", Layer::Personal),
];

pub fn layer_of(field: &str) -> Option<Layer> {
    FIELDS.iter().find(|(f, _)| *f == field).map(|(_, l)| *l)
}

/// Organisation values by field name, as the settings document holds them.
pub type Values = Map<String, String>;

/// A settings document that cannot be used. Messages say what to do.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum DocumentError {
    #[error("it is {bytes} bytes, more than a settings document can be ({MAX_DOCUMENT_BYTES})")]
    TooLarge { bytes: usize },
    #[error("it is not JSON text ({0})")]
    NotJson(String),
    #[error("it is not a Save to iMIS settings document (no \"{MARKER}\" version)")]
    NotSettings,
    #[error("it was made by a newer version of Save to iMIS (format {0}); update the add-in")]
    NewerVersion(u64),
    #[error("its value for {0} is not text, a number or true/false")]
    BadValue(String),
}

/// The organisation values in a settings document: organisation fields only (others,
/// and unknown keys, are ignored), each as text; empty values are left out.
pub fn parse_document(bytes: &[u8]) -> Result<Values, DocumentError> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(DocumentError::TooLarge { bytes: bytes.len() });
    }
    // Notepad and others start UTF-8 files with a byte order mark.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes)
        .map_err(|_| DocumentError::NotJson("it is not UTF-8 text".into()))?;
    let doc: Value =
        crate::json::from_str(text).map_err(|e| DocumentError::NotJson(e.to_string()))?;
    let version = doc
        .get(MARKER)
        .and_then(|v| v.as_u64().or_else(|| v.as_str()?.trim().parse().ok()))
        .filter(|v| *v >= 1)
        .ok_or(DocumentError::NotSettings)?;
    if version > FORMAT_VERSION {
        return Err(DocumentError::NewerVersion(version));
    }
    let settings = match doc.get("settings") {
        None | Some(Value::Null) => return Ok(Values::new()),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(DocumentError::NotSettings),
    };
    let mut values = Values::new();
    for (field, value) in settings {
        if layer_of(field) != Some(Layer::Organisation) {
            continue;
        }
        let text = match value {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => continue,
            _ => return Err(DocumentError::BadValue(field.clone())),
        };
        if !text.is_empty() {
            values.insert(field.clone(), text);
        }
    }
    Ok(values)
}

/// The settings document for `values`: organisation fields only, empty ones left out.
pub fn write_document(values: &Values) -> String {
    // Pretty, as serde_json's `to_string_pretty` wrote it: an administrator may open it
    // from the Document System.
    let mut out = format!("{{\n  \"{MARKER}\": {FORMAT_VERSION},\n  \"settings\": {{");
    let mut first = true;
    for (f, v) in values {
        if layer_of(f) != Some(Layer::Organisation) || v.trim().is_empty() {
            continue;
        }
        out.push_str(if first { "\n    " } else { ",\n    " });
        first = false;
        crate::jsonw::string(&mut out, f);
        out.push_str(": ");
        crate::jsonw::string(&mut out, v.trim());
    }
    out.push_str(if first { "}\n}" } else { "\n  }\n}" });
    out
}

/// The organisation fields of a set of raw values, empty ones left out.
pub fn organisation_values(raw: &RawSettings) -> Values {
    FIELDS
        .iter()
        .filter(|(_, l)| *l == Layer::Organisation)
        .filter_map(|(f, _)| {
            let v = raw.field(f)?.trim();
            (!v.is_empty()).then(|| (f.to_string(), v.to_string()))
        })
        .collect()
}

/// The organisation values as raw settings (every other field empty).
pub fn organisation_raw(values: &Values) -> RawSettings {
    let mut raw = RawSettings::default();
    for (f, v) in values {
        if layer_of(f) == Some(Layer::Organisation) {
            if let Some(slot) = raw.field_mut(f) {
                slot.clone_from(v);
            }
        }
    }
    raw
}

/// The values in effect, where each came from, and who owns each field.
#[derive(Debug, Clone)]
pub struct Layered {
    pub values: RawSettings,
    pub sources: Map<&'static str, Source>,
    pub layers: Map<&'static str, Layer>,
}

/// Merges the layers. A deployment value fixes any field. Otherwise an organisation
/// field takes the organisation's value once a settings document exists (`organisation`
/// is `Some`), the default where the document leaves it empty, and the user's own value
/// is ignored; with no document, and for personal fields, the user's value applies.
/// Deployment fields are never taken from the organisation document.
pub fn layer(
    deployment: &RawSettings,
    organisation: Option<&Values>,
    personal: &RawSettings,
) -> Layered {
    let given = |raw: &RawSettings, field: &str| {
        raw.field(field)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let mut values = RawSettings::default();
    let mut sources = Map::new();
    let mut layers = Map::new();
    for (field, owner) in FIELDS {
        let org = organisation.filter(|_| owner == Layer::Organisation);
        let (value, source) = if let Some(v) = given(deployment, field) {
            (v, Source::Deployment)
        } else if let Some(doc) = org {
            match doc.get(field).map(|v| v.trim()).filter(|v| !v.is_empty()) {
                Some(v) => (v.to_string(), Source::Organisation),
                None => (String::new(), Source::Default),
            }
        } else if let Some(v) = given(personal, field) {
            (v, Source::Personal)
        } else {
            (String::new(), Source::Default)
        };
        if let Some(slot) = values.field_mut(field) {
            *slot = value;
        }
        sources.insert(field, source);
        layers.insert(field, owner);
    }
    Layered {
        values,
        sources,
        layers,
    }
}

crate::json_names!(Layer {
    Deployment => "deployment",
    Organisation => "organisation",
    Personal => "personal",
});

crate::json_names!(Source {
    Deployment => "deployment",
    Organisation => "organisation",
    Personal => "personal",
    Default => "default",
});

crate::json_struct!(Layered {
    values => "values",
    sources => "sources",
    layers => "layers",
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Map;

    fn to_map(raw: &RawSettings) -> Map<String, Value> {
        match serde_json::from_str(&crate::jsonw::to_string(raw)) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        }
    }

    fn from_map(map: Map<String, Value>) -> RawSettings {
        crate::json::FromJson::from_json(Value::Object(map)).unwrap_or_default()
    }

    fn raw(pairs: &[(&str, &str)]) -> RawSettings {
        let map: Map<String, Value> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
            .collect();
        from_map(map)
    }

    fn values(pairs: &[(&str, &str)]) -> Values {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn every_setup_field_has_exactly_one_layer() {
        let keys: Vec<String> = to_map(&RawSettings::default()).keys().cloned().collect();
        let mut listed: Vec<String> = FIELDS.iter().map(|(f, _)| f.to_string()).collect();
        listed.sort();
        let mut keys = keys;
        keys.sort();
        assert_eq!(listed, keys);
        assert_eq!(layer_of("imisUrl"), Some(Layer::Deployment));
        assert_eq!(layer_of("maxRequestMb"), Some(Layer::Organisation));
        assert_eq!(layer_of("includeInline"), Some(Layer::Personal));
        assert_eq!(layer_of("nonsense"), None);
    }

    #[test]
    fn layering_table() {
        // (deployment, organisation document, personal) -> (value, source), per field.
        type Case<'a> = (
            &'a str,
            Option<&'a str>,
            Option<Option<&'a str>>,
            Option<&'a str>,
            &'a str,
            Source,
        );
        let cases: [Case; 12] = [
            // field, deployment, org document (None: no document; Some(None): document without it), personal
            (
                "activityType",
                None,
                None,
                Some("NOTE"),
                "NOTE",
                Source::Personal,
            ),
            (
                "activityType",
                None,
                Some(Some("MEETING")),
                Some("NOTE"),
                "MEETING",
                Source::Organisation,
            ),
            (
                "activityType",
                None,
                Some(None),
                Some("NOTE"),
                "",
                Source::Default,
            ),
            (
                "activityType",
                Some("EMAIL"),
                Some(Some("MEETING")),
                Some("NOTE"),
                "EMAIL",
                Source::Deployment,
            ),
            ("activityType", None, None, None, "", Source::Default),
            (
                "imisUrl",
                Some("https://imis.example.org"),
                None,
                Some("https://other.example.org"),
                "https://imis.example.org",
                Source::Deployment,
            ),
            (
                "imisUrl",
                None,
                Some(Some("https://evil.example.org")),
                Some("https://mine.example.org"),
                "https://mine.example.org",
                Source::Personal,
            ),
            (
                "imisUrl",
                None,
                Some(Some("https://evil.example.org")),
                None,
                "",
                Source::Default,
            ),
            (
                "graphConcurrency",
                None,
                Some(Some("1")),
                Some("4"),
                "4",
                Source::Personal,
            ),
            (
                "graphConcurrency",
                Some("2"),
                None,
                Some("4"),
                "2",
                Source::Deployment,
            ),
            (
                "includeInline",
                None,
                Some(Some("true")),
                None,
                "",
                Source::Default,
            ),
            (
                "maxRequestMb",
                Some("  "),
                Some(Some(" 200 ")),
                Some("30"),
                "200",
                Source::Organisation,
            ),
        ];
        for (field, dep, org, personal, value, source) in cases {
            let d = raw(&dep.map(|v| vec![(field, v)]).unwrap_or_default());
            let p = raw(&personal.map(|v| vec![(field, v)]).unwrap_or_default());
            let doc = org.map(|o| values(&o.map(|v| vec![(field, v)]).unwrap_or_default()));
            let out = layer(&d, doc.as_ref(), &p);
            let got = to_map(&out.values)[field].as_str().unwrap().to_string();
            assert_eq!(
                (got.as_str(), out.sources[field]),
                (value, source),
                "{field} {dep:?} {org:?} {personal:?}"
            );
            assert_eq!(out.layers[field], layer_of(field).unwrap());
        }
    }

    #[test]
    fn an_organisation_document_replaces_personal_choices_of_organisation_fields_only() {
        let personal = raw(&[
            ("recordKind", "interaction"),
            ("maxEmails", "3"),
            ("graphConcurrency", "1"),
        ]);
        let doc = values(&[("maxEmails", "20")]);
        let out = layer(&RawSettings::default(), Some(&doc), &personal);
        assert_eq!(out.values.max_emails, "20");
        assert_eq!(
            out.values.record_kind, "",
            "the user's interaction is ignored"
        );
        assert_eq!(out.sources["recordKind"], Source::Default);
        assert_eq!(out.values.graph_concurrency, "1");
        assert_eq!(out.sources["graphConcurrency"], Source::Personal);
        assert_eq!(out.sources.len(), FIELDS.len());
    }

    #[test]
    fn documents_round_trip_and_hold_organisation_fields_only() {
        let raw = raw(&[
            ("activityType", "MEETING"),
            ("siteProfile", "{\"documentTypes\": {\"docx\": \"DOCX\"}}"),
            ("imisUrl", "https://imis.example.org"),
            ("graphConcurrency", "2"),
            ("maxRequestMb", ""),
        ]);
        let org = organisation_values(&raw);
        assert_eq!(
            org.keys().collect::<Vec<_>>(),
            ["activityType", "siteProfile"]
        );
        let text = write_document(&org);
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["saveToImis"], 1);
        assert!(doc["settings"].get("imisUrl").is_none());
        assert_eq!(parse_document(text.as_bytes()).unwrap(), org);
        assert_eq!(organisation_raw(&org).activity_type, "MEETING");
        assert_eq!(organisation_raw(&org).imis_url, "");
    }

    #[test]
    fn documents_are_read_leniently_where_it_is_safe() {
        let doc = br#"{"saveToImis": 1, "comment": "by hand", "settings": {
            "maxRequestMb": 30, "allowDuplicateEmails": true, "activityType": " NOTE ",
            "profileUrl": null, "keyColumn": "", "clientId": "x", "includeInline": "true",
            "somethingNew": {"a": 1}}}"#;
        let got = parse_document(doc).unwrap();
        assert_eq!(
            got,
            values(&[
                ("activityType", "NOTE"),
                ("allowDuplicateEmails", "true"),
                ("maxRequestMb", "30")
            ])
        );
        let bom = [b"\xEF\xBB\xBF".as_slice(), br#"{"saveToImis": "1"}"#].concat();
        assert_eq!(parse_document(&bom).unwrap(), Values::new());
    }

    #[test]
    fn bad_documents_are_typed_errors() {
        type Expect = fn(&DocumentError) -> bool;
        let cases: [(&[u8], Expect); 8] = [
            (b"", |e| matches!(e, DocumentError::NotJson(_))),
            (b"{", |e| matches!(e, DocumentError::NotJson(_))),
            (b"\xff\xfe{}", |e| matches!(e, DocumentError::NotJson(_))),
            (b"[1, 2]", |e| *e == DocumentError::NotSettings),
            (br#"{"settings": {}}"#, |e| *e == DocumentError::NotSettings),
            (br#"{"saveToImis": 1, "settings": []}"#, |e| {
                *e == DocumentError::NotSettings
            }),
            (br#"{"saveToImis": 2, "settings": {}}"#, |e| {
                *e == DocumentError::NewerVersion(2)
            }),
            (
                br#"{"saveToImis": 1, "settings": {"maxEmails": [5]}}"#,
                |e| *e == DocumentError::BadValue("maxEmails".into()),
            ),
        ];
        for (bytes, expected) in cases {
            let e = parse_document(bytes).unwrap_err();
            assert!(expected(&e), "{:?}: {e:?}", String::from_utf8_lossy(bytes));
            assert!(!e.to_string().is_empty());
        }
        let big = vec![b' '; MAX_DOCUMENT_BYTES + 1];
        assert_eq!(
            parse_document(&big).unwrap_err(),
            DocumentError::TooLarge {
                bytes: MAX_DOCUMENT_BYTES + 1
            }
        );
        assert!(DocumentError::NewerVersion(2)
            .to_string()
            .contains("newer version"));
    }
}
