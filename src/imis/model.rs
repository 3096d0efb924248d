//! iMIS JSON both ways (reference: imis-rest.md): `$type`-tagged objects, typed value
//! wrappers, paged results. Readers accept a plain value or a `{"$type", "$value"}`
//! wrapper wherever iMIS may send either.

use crate::json::Value;

const GENERIC_ENTITY: &str = "Asi.Soa.Core.DataContracts.GenericEntityData, Asi.Contracts";
const PROPERTY_COLLECTION: &str =
    "Asi.Soa.Core.DataContracts.GenericPropertyDataCollection, Asi.Contracts";
const PROPERTY: &str = "Asi.Soa.Core.DataContracts.GenericPropertyData, Asi.Contracts";
const DOCUMENT: &str = "Asi.Soa.Core.DataContracts.DocumentData, Asi.Contracts";
const EXECUTE_REQUEST: &str = "Asi.Soa.Core.DataContracts.GenericExecuteRequest, Asi.Contracts";
const BYTES: &str = "System.Byte[], mscorlib";
const RECIPIENT: &str =
    "Asi.Soa.Communications.DataContracts.CommunicationLogRecipientData, Asi.Contracts";
const COMMUNICATION_LOG: &str =
    "Asi.Soa.Communications.DataContracts.CommunicationLogData, Asi.Contracts";
const PARTY_REFERENCE: &str = "Asi.Soa.Membership.DataContracts.PartyReferenceData, Asi.Contracts";
const PERSON: &str = "Asi.Soa.Membership.DataContracts.PersonData, Asi.Contracts";
const PERSON_NAME: &str = "Asi.Soa.Membership.DataContracts.PersonNameData, Asi.Contracts";
const EMAILS: &str = "Asi.Soa.Membership.DataContracts.EmailDataCollection, Asi.Contracts";
const EMAIL: &str = "Asi.Soa.Membership.DataContracts.EmailData, Asi.Contracts";
const ORGANIZATION: &str =
    "Asi.Soa.Membership.DataContracts.PrimaryOrganizationInformationData, Asi.Contracts";

/// `grant_type=password` form body for `POST /token`.
pub fn token_request(username: &str, password: &str) -> String {
    crate::weburl::form_body(&[
        ("grant_type", "password"),
        ("username", username),
        ("password", password),
    ])
}

/// `(access_token, expires_in seconds)` from the token answer.
pub fn parse_token(body: &Value) -> Option<(String, u64)> {
    let token = body.get("access_token")?.as_str()?.to_string();
    let expires_in = body.get("expires_in").and_then(as_u64).unwrap_or(1199);
    Some((token, expires_in))
}

/// The value inside a typed wrapper, or the value itself.
pub fn unwrap_typed(v: &Value) -> &Value {
    match v.get("$value") {
        Some(inner) if v.get("$type").is_some() => inner,
        _ => v,
    }
}

/// A collection's items: `{"$values": [...]}` or a bare array.
pub fn values(v: &Value) -> &[Value] {
    let v = v.get("$values").unwrap_or(v);
    v.as_array().map(Vec::as_slice).unwrap_or(&[])
}

fn as_u64(v: &Value) -> Option<u64> {
    let v = unwrap_typed(v);
    v.as_u64().or_else(|| v.as_str()?.parse().ok())
}

/// A string, also from a number (ids come as either).
pub fn as_text(v: &Value) -> Option<String> {
    match unwrap_typed(v) {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An iMIS contact as the pane shows it.
/// Read by hand (below) as the derive would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub party_id: String,
    pub full_name: String,
    pub emails: Vec<String>,
}

/// One `PersonData` / `OrganizationData` from `GET /api/Party`.
pub fn parse_party(v: &Value) -> Option<Contact> {
    let party_id = v.get("PartyId").or_else(|| v.get("Id")).and_then(as_text)?;
    let name_text = |o: &Value| -> Option<String> {
        match o {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Object(_) => o
                .get("FullName")
                .and_then(as_text)
                .filter(|s| !s.is_empty()),
            _ => None,
        }
    };
    let full_name = v
        .get("Name")
        .and_then(name_text)
        .or_else(|| v.get("PersonName").and_then(name_text))
        .or_else(|| v.get("FullName").and_then(name_text))
        .or_else(|| v.get("OrganizationName").and_then(name_text))
        .unwrap_or_else(|| format!("Contact {party_id}"));
    let emails = v
        .get("Emails")
        .map(values)
        .unwrap_or(&[])
        .iter()
        .filter_map(|e| e.get("Address").and_then(as_text))
        .collect();
    Some(Contact {
        party_id,
        full_name,
        emails,
    })
}

/// A contact from a query row (IQA, CsContactBasic): a generic entity whose columns
/// the site profile names; any column with "Email" in its name gives the address.
pub fn parse_row(row: &Value, site: &super::site::SiteProfile) -> Option<Contact> {
    let text = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| property(row, n).and_then(as_text))
            .filter(|t| !t.is_empty())
    };
    // IQA turns spaces in column names into underscores: read both spellings.
    let id_column = site.id_column.replace(' ', "_");
    let name_column = site.name_column.replace(' ', "_");
    let party_id = text(&[&site.id_column, &id_column, "ID", "PartyId", "Id"])
        .or_else(|| row.get("PrimaryParentIdentity").and_then(identity_element))?;
    let full_name = text(&[
        &site.name_column,
        &name_column,
        "FullName",
        "Full_Name",
        "Full Name",
        "Name",
    ])
    .unwrap_or_else(|| format!("Contact {party_id}"));
    let emails = row
        .get("Properties")
        .map(values)
        .unwrap_or(&[])
        .iter()
        .filter(|p| {
            p.get("Name")
                .and_then(Value::as_str)
                .is_some_and(|n| n == site.email_column || n.contains("Email"))
        })
        .filter_map(|p| p.get("Value").and_then(as_text))
        .filter(|e| !e.is_empty())
        .collect();
    Some(Contact {
        party_id,
        full_name,
        emails,
    })
}

/// Items and whether there is a next page (`HasNext`, `NextOffset`).
pub fn parse_paged(body: &Value) -> (Vec<Value>, Option<u64>) {
    let items = body.get("Items").map(values).unwrap_or(&[]).to_vec();
    let has_next = body
        .get("HasNext")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let next = if has_next {
        body.get("NextOffset").and_then(as_u64)
    } else {
        None
    };
    (items, next)
}

/// A generic entity with the given properties, in order; values already JSON.
pub fn generic_entity(entity: &str, properties: &[(&str, Value)]) -> Value {
    let props: Vec<Value> = properties
        .iter()
        .map(|(name, value)| crate::value!({ "$type": PROPERTY, "Name": name, "Value": value }))
        .collect();
    // ASI's minimum is the properties alone; public code adds EntityTypeName.
    crate::value!({
        "$type": GENERIC_ENTITY,
        "EntityTypeName": entity,
        "Properties": { "$type": PROPERTY_COLLECTION, "$values": props },
    })
}

/// A date as iMIS reads it in a generic property: a `System.DateTime` wrapper, as
/// public code sends every non-string value.
pub fn typed_date(date: &str) -> Value {
    crate::value!({ "$type": "System.DateTime", "$value": date })
}

/// What an interaction is written with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InteractionFields<'a> {
    pub party_id: &'a str,
    pub address: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub message_id: &'a str,
    pub message_type: i64,
    pub communication_type: &'a str,
    pub source_process: &'a str,
}

/// An interaction: iMIS's typed `CommunicationLogRecipientData`, one per contact, with
/// its nested `CommunicationLog` and a `Party` reference (reference: Interactions).
/// No published create body exists: this one place holds the shape.
pub fn interaction(f: &InteractionFields) -> Value {
    crate::value!({
        "$type": RECIPIENT,
        "CommunicationLog": {
            "$type": COMMUNICATION_LOG,
            "Subject": f.subject,
            "Text": f.text,
            "CommunicationType": f.communication_type,
            "SourceProcess": f.source_process,
        },
        "Party": { "$type": PARTY_REFERENCE, "PartyId": f.party_id },
        "MessageType": f.message_type,
        "Address": f.address,
        "MessageId": f.message_id,
    })
}

/// `(id, party id, message id)` of an interaction as iMIS returns it.
pub fn interaction_keys(v: &Value) -> Option<(String, Option<String>, Option<String>)> {
    let id = v.get("CommunicationLogRecipientId").and_then(as_text)?;
    let party = v
        .get("Party")
        .and_then(|p| p.get("PartyId").or_else(|| p.get("Id")))
        .and_then(as_text);
    let key = v.get("MessageId").and_then(as_text);
    Some((id, party, key))
}

/// The interaction's text (its note), and a way to replace it.
pub fn interaction_text(v: &Value) -> Option<String> {
    v.get("CommunicationLog")?.get("Text").and_then(as_text)
}

pub fn set_interaction_text(v: &mut Value, text: &str) {
    if let Some(log) = v.get_mut("CommunicationLog").and_then(Value::as_object_mut) {
        log.insert("Text".into(), crate::value!(text));
    }
}

/// A new contact as the user confirmed it.
/// Read by hand (below) as `#[serde(default)]` would.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewContact {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub organization: String,
}

/// `POST /api/Party` body for a new person, as ASI's "Creates a Party" example builds
/// one: typed name, the address as the primary email, the organisation when given.
pub fn person(c: &NewContact) -> Value {
    let mut v = crate::value!({
        "$type": PERSON,
        "PersonName": {
            "$type": PERSON_NAME,
            "FirstName": c.first_name.trim(),
            "LastName": c.last_name.trim(),
        },
        "Emails": {
            "$type": EMAILS,
            "$values": [{ "$type": EMAIL, "Address": c.email.trim(), "EmailType": "_Primary", "IsPrimary": true }],
        },
    });
    if !c.organization.trim().is_empty() {
        v["PrimaryOrganization"] =
            crate::value!({ "$type": ORGANIZATION, "Name": c.organization.trim() });
    }
    v
}

/// Which of `summaries` (`DocumentSummaryData`, any folder) is `name` in `folder`: the
/// summary's `Path` may be the whole path or the parent's, so both are accepted.
pub fn summary_in_folder(summaries: &[Value], folder: &str, name: &str) -> Option<String> {
    let same = |a: &str, b: &str| a.trim_end_matches('/').eq_ignore_ascii_case(b);
    let whole = format!("{folder}/{name}");
    summaries
        .iter()
        .find(|d| {
            let text = |k: &str| d.get(k).and_then(as_text).unwrap_or_default();
            text("Name").eq_ignore_ascii_case(name)
                && (same(&text("Path"), &whole)
                    || same(&text("Path"), folder)
                    || same(&text("FolderPath"), folder))
        })
        .and_then(|d| d.get("DocumentId").and_then(as_text))
}

/// A property's value from a generic entity, typed wrapper removed.
pub fn property<'a>(entity: &'a Value, name: &str) -> Option<&'a Value> {
    entity
        .get("Properties")
        .map(values)?
        .iter()
        .find(|p| p.get("Name").and_then(Value::as_str) == Some(name))
        .and_then(|p| p.get("Value"))
        .map(unwrap_typed)
}

/// Sets a property of a generic entity (added when missing), as a plain value.
pub fn set_property(entity: &mut Value, name: &str, value: Value) {
    let Some(list) = entity
        .pointer_mut("/Properties/$values")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    match list
        .iter_mut()
        .find(|p| p.get("Name").and_then(Value::as_str) == Some(name))
    {
        Some(p) => p["Value"] = value,
        None => list.push(crate::value!({ "$type": PROPERTY, "Name": name, "Value": value })),
    }
}

/// The key of a created record: `Identity.IdentityElements.$values[0]`.
pub fn identity(created: &Value) -> Option<String> {
    identity_element(created.get("Identity")?)
}

/// Whether iMIS's answer to a POST holds everything that was sent, so it can stand for
/// the stored record in a later PUT (which replaces what it does not name): every
/// property of a generic entity (names compared as iMIS does, ignoring case), every
/// member of a typed contract, and an identity. What iMIS answers is (unknown): any
/// answer that holds less is read back with a GET instead.
pub fn answer_holds(sent: &Value, answer: &Value) -> bool {
    fn names(v: &Value) -> Option<Vec<String>> {
        let list = v.get("Properties")?;
        Some(
            values(list)
                .iter()
                .filter_map(|p| p.get("Name").and_then(Value::as_str))
                .map(crate::text::lowercase)
                .collect(),
        )
    }
    fn members(sent: &Value, answer: &Value) -> bool {
        match (sent, answer) {
            (Value::Object(s), Value::Object(a)) => s.iter().all(|(k, v)| match a.get(k) {
                Some(found) => k == "Properties" || members(v, found),
                None => false,
            }),
            (Value::Object(_), _) => false,
            _ => true,
        }
    }
    let properties = match (names(sent), names(answer)) {
        (Some(sent), Some(answer)) => sent.iter().all(|n| answer.contains(n)),
        (Some(_), None) => false,
        (None, _) => true,
    };
    properties
        && members(sent, answer)
        && (identity(answer).is_some() || interaction_keys(answer).is_some())
}

/// The first element of an `IdentityData`.
fn identity_element(identity: &Value) -> Option<String> {
    identity
        .get("IdentityElements")
        .map(values)?
        .first()
        .and_then(as_text)
}

/// The property names of a `GET /api/metadata/{E}` answer.
pub fn metadata_columns(meta: &Value) -> Vec<String> {
    meta.get("Properties")
        .map(values)
        .unwrap_or(&[])
        .iter()
        .filter_map(|p| p.get("Name").and_then(as_text))
        .collect()
}

/// The label a site gives a user-defined Activity column (`UF_1` .. `UF_7`) for an
/// activity type (`LegacyActivityTypeData.Uf1Prompt` ..): a label means the column is
/// in use for that type.
pub fn column_prompt(activity_type: &Value, column: &str) -> Option<String> {
    let n = column.strip_prefix("UF_")?;
    let name = format!("Uf{n}Prompt");
    // A typed LegacyActivityTypeData, or a generic entity with the same property.
    activity_type
        .get(&name)
        .or_else(|| property(activity_type, &name))
        .and_then(as_text)
        .filter(|p| !p.trim().is_empty())
}

/// A document's content from `GET /api/Document/{id}`: `Data` as the typed wrapper
/// `{"$type": "System.Byte[], mscorlib", "$value": base64}` (or bare base64 text).
/// `None` when there is no content or it is not base64.
pub fn document_content(document: &Value) -> Option<Vec<u8>> {
    let data = document.get("Data")?;
    let text = data.get("$value").unwrap_or(data).as_str()?;
    crate::encode::base64_decode(text.trim())
}

/// The document as read, with `bytes` as its content: what `PUT /api/Document/{id}`
/// gets back, every other property as iMIS sent it (access, status, ids).
pub fn with_content(mut document: Value, bytes: &[u8]) -> Value {
    let data = crate::value!({
        "$type": BYTES,
        "$value": crate::encode::base64_encode(bytes),
    });
    if let Some(map) = document.as_object_mut() {
        map.insert("Data".into(), data);
    }
    document
}

/// A new text document in `parent_path`, content included.
pub fn text_document(name: &str, parent_path: &str, type_id: &str, bytes: &[u8]) -> String {
    let (head, tail) = document_parts(name, parent_path, type_id);
    format!("{head}{}{tail}", crate::encode::base64_encode(bytes))
}

/// Who changed a document last and when (`UpdateInfo`, else its creation), as iMIS
/// recorded them.
pub fn updated(document: &Value) -> (Option<String>, Option<String>) {
    let info = document.get("UpdateInfo");
    let text = |k: &str| {
        info.and_then(|i| i.get(k))
            .and_then(as_text)
            .filter(|t| !t.trim().is_empty())
    };
    let field = |a: &str, b: &str| text(a).or_else(|| text(b));
    (
        field("UpdatedBy", "CreatedBy"),
        field("UpdatedOn", "CreatedOn"),
    )
}

/// Whether an answer means "the request was too large": IIS's 404.13 page, ASP.NET's
/// "Maximum request length exceeded", or 413 (reference: Size).
pub fn means_too_large(status: u16, body: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    status == 413
        || (status == 404
            && (lower.contains("404.13") || lower.contains("exceeds the request content length")))
        || (status >= 500 && lower.contains("maximum request length exceeded"))
}

/// The JSON of a new document without its content: `Data` is added last, so the body
/// is `head + base64 + tail` and can be sent as parts without building one string.
pub fn document_parts(name: &str, parent_path: &str, type_id: &str) -> (String, &'static str) {
    let head = crate::jsonw::to_string(&crate::value!({
        "$type": DOCUMENT,
        "Name": name,
        "AlternateName": name,
        "Description": name,
        "DocumentTypeId": type_id,
        "Path": parent_path,
    }));
    let open = format!(
        "{},\"Data\":{{\"$type\":\"{BYTES}\",\"$value\":\"",
        &head[..head.len() - 1]
    );
    (open, "\"}}")
}

/// A folder is a document of the folder type with no content.
pub fn folder(name: &str, parent_path: &str, folder_type: &str) -> Value {
    crate::value!({
        "$type": DOCUMENT,
        "Name": name,
        "AlternateName": name,
        "Description": name,
        "DocumentTypeId": folder_type,
        "Path": parent_path,
    })
}

/// `POST /api/Document/_execute` request for `FindByPath`.
pub fn find_by_path(path: &str) -> Value {
    crate::value!({
        "$type": EXECUTE_REQUEST,
        "EntityTypeName": "DocumentSummary",
        "OperationName": "FindByPath",
        "Parameters": {
            "$type": "System.Collections.ObjectModel.Collection`1[[System.Object, mscorlib]], mscorlib",
            "$values": [ { "$type": "System.String", "$value": path } ],
        },
        "ParameterTypeName": {
            "$type": "System.Collections.ObjectModel.Collection`1[[System.String, mscorlib]], mscorlib",
            "$values": ["System.String"],
        },
        "UseJson": false,
    })
}

/// The document id from a `FindByPath` answer; `None` for "not found" (HTTP 200 with
/// `Result: null`).
pub fn found_document_id(answer: &Value) -> Option<String> {
    let result = answer.get("Result").filter(|r| !r.is_null())?;
    result.get("DocumentId").and_then(as_text)
}

/// iMIS's own message from an error body (no fixed schema: try the known keys), cut to
/// a readable length.
pub fn error_message(body: &str) -> String {
    let parsed: Option<Value> = crate::json::from_str(body).ok();
    let from_json = parsed.as_ref().and_then(|v| {
        validation_messages(v).or_else(|| {
            [
                "error_description",
                "Message",
                "message",
                "ExceptionMessage",
                "error",
            ]
            .iter()
            .find_map(|k| v.get(k).and_then(Value::as_str).map(str::to_string))
        })
    });
    let text = from_json.unwrap_or_else(|| body.trim().to_string());
    let text = if text.is_empty() {
        "no details given".to_string()
    } else {
        text
    };
    crate::text::ellipsis(&text, 300)
}

/// `ValidationResultsData` errors, at the top or inside a `ServiceResponse`, each with
/// the field it names.
fn validation_messages(v: &Value) -> Option<String> {
    let results = v.get("ValidationResults").unwrap_or(v);
    let errors = results.get("Errors").map(values)?;
    let list: Vec<String> = errors
        .iter()
        .filter_map(|e| {
            let message = e.get("Message").and_then(Value::as_str)?;
            Some(match e.get("FieldName").and_then(Value::as_str) {
                Some(field) if !field.is_empty() && !message.contains(field) => {
                    format!("{field}: {message}")
                }
                _ => message.to_string(),
            })
        })
        .collect();
    (!list.is_empty()).then(|| list.join(" "))
}

// The pane's contact JSON, read by hand (`crate::json`: one reader for all types).

impl crate::json::FromJson for Contact {
    fn from_json(v: crate::json::Value) -> crate::json::Result<Self> {
        let mut f = crate::json::Fields::of(v, "struct Contact")?;
        Ok(Contact {
            party_id: f.req("partyId")?,
            full_name: f.req("fullName")?,
            emails: f.req("emails")?,
        })
    }
}

impl crate::json::FromJson for NewContact {
    fn from_json(v: crate::json::Value) -> crate::json::Result<Self> {
        let mut f = crate::json::Fields::of(v, "struct NewContact")?;
        Ok(NewContact {
            first_name: f.opt("firstName")?,
            last_name: f.opt("lastName")?,
            email: f.opt("email")?,
            organization: f.opt("organization")?,
        })
    }
}

crate::json_struct!(Contact {
    party_id => "partyId",
    full_name => "fullName",
    emails => "emails",
});

crate::json_struct!(NewContact {
    first_name => "firstName",
    last_name => "lastName",
    email => "email",
    organization => "organization",
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::testing::json;

    fn activity(props: &[(&str, Value)], seqn: Option<i64>) -> Value {
        let mut v = json!({"$type": "Asi.Soa.Core.DataContracts.GenericEntityData, Asi.Contracts",
            "EntityTypeName": "Activity",
            "Properties": {"$values": props.iter().map(|(n, v)| json!({"Name": n, "Value": v})).collect::<Vec<_>>()}});
        if let Some(k) = seqn {
            v["Identity"] = json!({"IdentityElements": {"$values": [k.to_string()]}});
        }
        v
    }

    #[test]
    fn an_answer_stands_for_the_record_only_when_it_holds_all_that_was_sent() {
        let sent = activity(&[("PartyId", json!("23001")), ("NOTE", json!("hi"))], None);
        // The stored record, names in iMIS's case, and more than was sent.
        let full = activity(
            &[
                ("SEQN", json!(7)),
                ("PartyId", json!("23001")),
                ("Note", json!("hi")),
                ("UF_2", json!("")),
            ],
            Some(7),
        );
        assert!(answer_holds(&sent, &full));
        // A property missing: a PUT from it would drop it.
        let partial = activity(&[("SEQN", json!(7)), ("PartyId", json!("23001"))], Some(7));
        assert!(!answer_holds(&sent, &partial));
        // No identity, no properties, not an object at all.
        assert!(!answer_holds(
            &sent,
            &activity(&[("PartyId", json!("23001")), ("NOTE", json!("hi"))], None)
        ));
        assert!(!answer_holds(
            &sent,
            &json!({"Identity": {"IdentityElements": {"$values": ["7"]}}})
        ));
        assert!(!answer_holds(&sent, &json!("7")));
        assert!(!answer_holds(&sent, &Value::Null));
    }

    #[test]
    fn a_typed_answer_must_hold_every_member_sent() {
        let sent = json!({"$type": "X", "MessageId": "m", "CommunicationLog": {"Text": "t", "Subject": "s"}});
        let full = json!({"$type": "X", "CommunicationLogRecipientId": "r1", "MessageId": "m",
            "CommunicationLog": {"Text": "t", "Subject": "s", "Extra": 1}});
        assert!(answer_holds(&sent, &full));
        let no_text = json!({"$type": "X", "CommunicationLogRecipientId": "r1", "MessageId": "m",
            "CommunicationLog": {"Subject": "s"}});
        assert!(!answer_holds(&sent, &no_text));
        let no_id = json!({"$type": "X", "MessageId": "m", "CommunicationLog": {"Text": "t", "Subject": "s"}});
        assert!(!answer_holds(&sent, &no_id));
    }

    #[test]
    fn document_content_round_trips_through_the_byte_wrapper() {
        let read = json!({"$type": DOCUMENT, "DocumentId": "d1", "AccessId": "a1",
            "Data": {"$type": BYTES, "$value": "aGk="},
            "UpdateInfo": {"UpdatedBy": "admin", "UpdatedOn": "2026-11-30T10:00:00"}});
        assert_eq!(document_content(&read).unwrap(), b"hi");
        let put = with_content(read.clone(), "é{}".as_bytes());
        assert_eq!(document_content(&put).unwrap(), "é{}".as_bytes());
        assert_eq!(put["AccessId"], "a1", "everything else is kept");
        assert!(put.to_string().starts_with("{\"$type\""), "{put}");
        assert_eq!(
            updated(&read),
            (Some("admin".into()), Some("2026-11-30T10:00:00".into()))
        );
        let created =
            json!({"UpdateInfo": {"CreatedBy": "staff", "CreatedOn": "x", "UpdatedBy": ""}});
        assert_eq!(
            updated(&created).0.as_deref(),
            Some("staff"),
            "an empty UpdatedBy says nothing"
        );
        assert_eq!(updated(&json!({})), (None, None));
        assert_eq!(document_content(&json!({"Data": "aGk="})).unwrap(), b"hi");
        assert_eq!(document_content(&json!({"Data": {"$value": "***"}})), None);
        assert_eq!(document_content(&json!({})), None);
        let body: Value =
            serde_json::from_str(&text_document("s.txt", "$/Common/SaveToImis", "TXT", b"hi"))
                .unwrap();
        assert_eq!(
            (body["Path"].as_str(), body["Data"]["$value"].as_str()),
            (Some("$/Common/SaveToImis"), Some("aGk="))
        );
    }

    #[test]
    fn token_form_is_url_encoded() {
        assert_eq!(
            token_request("staff", "p&ss=w rd"),
            "grant_type=password&username=staff&password=p%26ss%3Dw+rd"
        );
        let answer = json!({"access_token": "abc", "token_type": "bearer", "expires_in": 1199});
        assert_eq!(parse_token(&answer), Some(("abc".into(), 1199)));
        assert_eq!(parse_token(&json!({"error": "invalid_grant"})), None);
    }

    #[test]
    fn parties_parse_in_every_name_shape() {
        let person = json!({
            "$type": "Asi.Soa.Membership.DataContracts.PersonData, Asi.Contracts",
            "PartyId": "23001", "Id": "23001",
            "PersonName": {"$type": "x", "FirstName": "Alex", "LastName": "Member", "FullName": "Alex Member"},
            "Name": "Alex Member",
            "Emails": {"$type": "x", "$values": [
                {"$type": "x", "Address": "alex.member@example.com", "EmailType": "_Primary", "IsPrimary": true}]}
        });
        let c = parse_party(&person).unwrap();
        assert_eq!(
            (c.party_id.as_str(), c.full_name.as_str()),
            ("23001", "Alex Member")
        );
        assert_eq!(c.emails, ["alex.member@example.com"]);
        let nested = json!({"PartyId": {"$type": "System.Int32", "$value": 7}, "Name": {"FullName": "Org Ltd"}});
        assert_eq!(parse_party(&nested).unwrap().full_name, "Org Ltd");
        assert_eq!(parse_party(&nested).unwrap().party_id, "7");
        assert_eq!(parse_party(&json!({"Name": "x"})), None);
    }

    #[test]
    fn query_rows_become_contacts() {
        let site = super::super::site::SiteProfile::default();
        let row = generic_entity(
            "Row",
            &[
                ("ID", json!({"$type": "System.Int32", "$value": 23001})),
                ("Full Name", json!("Alex Member")),
                ("Primary Email", json!("alex.member@example.com")),
            ],
        );
        let c = parse_row(&row, &site).unwrap();
        assert_eq!(
            (c.party_id.as_str(), c.full_name.as_str()),
            ("23001", "Alex Member")
        );
        assert_eq!(c.emails, ["alex.member@example.com"]);
        let basic = generic_entity(
            "CsContactBasic",
            &[("PartyId", json!("7")), ("FullName", json!("B"))],
        );
        assert_eq!(parse_row(&basic, &site).unwrap().full_name, "B");
        assert_eq!(
            parse_row(&generic_entity("Row", &[("Full Name", json!("x"))]), &site),
            None
        );
    }

    #[test]
    fn paged_results_report_the_next_offset() {
        let page = json!({"$type": "PagedResult", "Items": {"$type": "x", "$values": [{"a": 1}, {"a": 2}]},
            "Offset": 0, "Limit": 2, "Count": 2, "TotalCount": 5, "NextPageLink": null, "HasNext": true, "NextOffset": 2});
        let (items, next) = parse_paged(&page);
        assert_eq!((items.len(), next), (2, Some(2)));
        let last = json!({"Items": {"$values": []}, "HasNext": false, "NextOffset": 0});
        assert_eq!(parse_paged(&last).1, None);
    }

    #[test]
    fn generic_entities_round_trip_with_typed_values() {
        let e = generic_entity(
            "Activity",
            &[
                ("PartyId", json!("23001")),
                ("UF_1", json!({"$type": "System.Int32", "$value": 5})),
            ],
        );
        assert_eq!(e["$type"], GENERIC_ENTITY);
        assert_eq!(e["Properties"]["$values"][0]["$type"], PROPERTY);
        assert_eq!(property(&e, "PartyId"), Some(&json!("23001")));
        assert_eq!(property(&e, "UF_1"), Some(&json!(5)));
        assert_eq!(property(&e, "NOTE"), None);
        let mut e = e;
        set_property(&mut e, "NOTE", json!("n"));
        set_property(&mut e, "PartyId", json!("7"));
        assert_eq!(
            (property(&e, "NOTE"), property(&e, "PartyId")),
            (Some(&json!("n")), Some(&json!("7")))
        );
        let created = json!({"Identity": {"$type": "x", "EntityTypeName": "Activity",
            "IdentityElements": {"$type": "x", "$values": ["812"]}}});
        assert_eq!(identity(&created).as_deref(), Some("812"));
    }

    #[test]
    fn document_parts_make_valid_json_around_the_data() {
        let (head, tail) = document_parts("a \"quoted\" name.pdf", "$/Common/Email/x", "PDF");
        let whole = format!("{head}SGVsbG8={tail}");
        let v: Value = serde_json::from_str(&whole).unwrap();
        assert_eq!(v["$type"], DOCUMENT);
        assert_eq!(v["Name"], "a \"quoted\" name.pdf");
        assert_eq!(v["Path"], "$/Common/Email/x");
        assert_eq!(v["Data"]["$type"], BYTES);
        assert_eq!(v["Data"]["$value"], "SGVsbG8=");
    }

    #[test]
    fn find_by_path_both_answers() {
        let req = find_by_path("$/Common/Email/f/a.pdf");
        assert_eq!(req["OperationName"], "FindByPath");
        assert_eq!(
            req["Parameters"]["$values"][0]["$value"],
            "$/Common/Email/f/a.pdf"
        );
        let found =
            json!({"Result": {"$type": "x", "DocumentId": "9b2f"}, "IsSuccessStatusCode": true});
        assert_eq!(found_document_id(&found).as_deref(), Some("9b2f"));
        let missing = json!({"Result": null, "Message": "NotFound", "IsSuccessStatusCode": true});
        assert_eq!(found_document_id(&missing), None);
    }

    #[test]
    fn error_messages_come_from_any_known_key() {
        assert_eq!(
            error_message(r#"{"error":"invalid_grant","error_description":"Bad password."}"#),
            "Bad password."
        );
        assert_eq!(
            error_message(r#"{"Message":"Activity type FOO is unknown."}"#),
            "Activity type FOO is unknown."
        );
        let v = r#"{"ValidationResults":{"Errors":{"$values":[{"Message":"A"},{"Message":"B"}]}}}"#;
        assert_eq!(error_message(v), "A B");
        let typed = r#"{"$type":"ValidationResultsData","Errors":{"$values":[{"FieldName":"DocumentTypeId","Message":"DOCX is not a document type."}]},"HasErrors":true}"#;
        assert_eq!(
            error_message(typed),
            "DocumentTypeId: DOCX is not a document type."
        );
        assert_eq!(error_message(""), "no details given");
        assert_eq!(error_message(&"x".repeat(400)).chars().count(), 301);
    }

    #[test]
    fn interactions_are_the_typed_contract() {
        let f = InteractionFields {
            party_id: "23001",
            address: "alex@example.com",
            subject: "Board papers",
            text: "note",
            message_id: "ba7816bf8f",
            message_type: 0,
            communication_type: "Email",
            source_process: "Save to iMIS",
        };
        let mut v = interaction(&f);
        assert_eq!(v["$type"], RECIPIENT);
        assert_eq!(v["CommunicationLog"]["$type"], COMMUNICATION_LOG);
        assert_eq!(v["Party"]["PartyId"], "23001");
        assert!(v.get("Properties").is_none() && v.get("PartyId").is_none());
        let text = v.to_string();
        assert!(text.starts_with(r#"{"$type":"#), "$type first: {text}");
        assert!(text.contains(r#""CommunicationLog":{"$type":"#));
        v["CommunicationLogRecipientId"] = json!("0f3c");
        assert_eq!(
            interaction_keys(&v),
            Some((
                "0f3c".into(),
                Some("23001".into()),
                Some("ba7816bf8f".into())
            ))
        );
        set_interaction_text(&mut v, "new");
        assert_eq!(interaction_text(&v).as_deref(), Some("new"));
    }

    #[test]
    fn a_new_person_is_typed_with_its_primary_email() {
        let c = NewContact {
            first_name: " Sam ".into(),
            last_name: "Sender".into(),
            email: "sam@example.com".into(),
            organization: String::new(),
        };
        let v = person(&c);
        assert_eq!(v["$type"], PERSON);
        assert_eq!(v["PersonName"]["FirstName"], "Sam");
        assert_eq!(v["Emails"]["$values"][0]["Address"], "sam@example.com");
        assert_eq!(v["Emails"]["$values"][0]["IsPrimary"], true);
        assert!(v.get("PrimaryOrganization").is_none());
        let with_org = person(&NewContact {
            organization: "Example Ltd".into(),
            ..c
        });
        assert_eq!(with_org["PrimaryOrganization"]["Name"], "Example Ltd");
    }

    #[test]
    fn summaries_are_matched_to_their_folder() {
        let list = [
            json!({"DocumentId": "1", "Name": "a.pdf", "Path": "$/Common/Email/other/a.pdf"}),
            json!({"DocumentId": "2", "Name": "A.PDF", "Path": "$/Common/Email/f/A.PDF"}),
            json!({"DocumentId": "3", "Name": "b.pdf", "Path": "$/Common/Email/f"}),
            json!({"DocumentId": "4", "Name": "c.pdf", "FolderPath": "$/Common/Email/f"}),
        ];
        let find = |n| summary_in_folder(&list, "$/Common/Email/f", n);
        assert_eq!(find("a.pdf").as_deref(), Some("2"));
        assert_eq!(find("b.pdf").as_deref(), Some("3"));
        assert_eq!(find("c.pdf").as_deref(), Some("4"));
        assert_eq!(find("d.pdf"), None);
        assert_eq!(
            summary_in_folder(&list[..1], "$/Common/Email/f", "a.pdf"),
            None
        );
    }

    #[test]
    fn dates_are_typed() {
        assert_eq!(
            typed_date("2026-11-20T09:30:00").to_string(),
            r#"{"$type":"System.DateTime","$value":"2026-11-20T09:30:00"}"#
        );
    }

    #[test]
    fn too_large_answers_are_recognised() {
        let iis = "<html><title>404 - File or directory not found.</title><h3>HTTP Error 404.13 - Not Found</h3></html>";
        assert!(means_too_large(404, iis));
        assert!(means_too_large(
            500,
            "<title>Maximum request length exceeded.</title>"
        ));
        assert!(means_too_large(413, ""));
        assert!(!means_too_large(404, r#"{"Message":"No HTTP resource"}"#));
        assert!(!means_too_large(
            500,
            r#"{"Message":"An error has occurred."}"#
        ));
    }

    #[test]
    fn iqa_rows_with_underscored_columns_and_metadata() {
        let site = super::super::site::SiteProfile::default();
        let mut row = generic_entity(
            "0",
            &[
                ("ResultRow", json!({"$type": "System.Int32", "$value": 1})),
                ("Full_Name", json!("Alex Member")),
                ("Email", json!("alex@example.com")),
            ],
        );
        row["PrimaryParentIdentity"] =
            json!({"$type": "x", "IdentityElements": {"$type": "x", "$values": ["23001"]}});
        let c = parse_row(&row, &site).unwrap();
        assert_eq!(
            (c.party_id.as_str(), c.full_name.as_str()),
            ("23001", "Alex Member")
        );
        let t = json!({"Uf1Prompt": "", "Uf2Prompt": "Request number"});
        assert_eq!(column_prompt(&t, "UF_1"), None);
        assert_eq!(column_prompt(&t, "UF_2").as_deref(), Some("Request number"));
        assert_eq!(column_prompt(&t, "NOTE_2"), None);
        let generic = generic_entity("LegacyActivityType", &[("Uf1Prompt", json!("Ref"))]);
        assert_eq!(column_prompt(&generic, "UF_1").as_deref(), Some("Ref"));
        let meta = json!({"Properties": {"$values": [{"Name": "SEQN"}, {"Name": "UF_1"}]}});
        assert_eq!(metadata_columns(&meta), ["SEQN", "UF_1"]);
    }
}
