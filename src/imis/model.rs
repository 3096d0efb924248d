//! iMIS JSON both ways (reference: imis-rest.md): `$type`-tagged objects, typed value
//! wrappers, paged results. Readers accept a plain value or a `{"$type", "$value"}`
//! wrapper wherever iMIS may send either.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

const GENERIC_ENTITY: &str = "Asi.Soa.Core.DataContracts.GenericEntityData, Asi.Contracts";
const PROPERTY_COLLECTION: &str =
    "Asi.Soa.Core.DataContracts.GenericPropertyDataCollection, Asi.Contracts";
const PROPERTY: &str = "Asi.Soa.Core.DataContracts.GenericPropertyData, Asi.Contracts";
const DOCUMENT: &str = "Asi.Soa.Core.DataContracts.DocumentData, Asi.Contracts";
const EXECUTE_REQUEST: &str = "Asi.Soa.Core.DataContracts.GenericExecuteRequest, Asi.Contracts";
const BYTES: &str = "System.Byte[], mscorlib";

/// `grant_type=password` form body for `POST /token`.
pub fn token_request(username: &str, password: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "password")
        .append_pair("username", username)
        .append_pair("password", password)
        .finish()
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
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
    let party_id = text(&[&site.id_column, "ID", "PartyId", "Id"])?;
    let full_name = text(&[&site.name_column, "FullName", "Full Name", "Name"])
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
        .map(|(name, value)| json!({ "$type": PROPERTY, "Name": name, "Value": value }))
        .collect();
    json!({
        "$type": GENERIC_ENTITY,
        "EntityTypeName": entity,
        "PrimaryParentEntityTypeName": "Party",
        "Properties": { "$type": PROPERTY_COLLECTION, "$values": props },
    })
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
        None => list.push(json!({ "$type": PROPERTY, "Name": name, "Value": value })),
    }
}

/// The key of a created record: `Identity.IdentityElements.$values[0]`.
pub fn identity(created: &Value) -> Option<String> {
    created
        .get("Identity")?
        .get("IdentityElements")
        .map(values)?
        .first()
        .and_then(as_text)
}

/// The JSON of a new document without its content: `Data` is added last, so the body
/// is `head + base64 + tail` and can be sent as parts without building one string.
pub fn document_parts(name: &str, parent_path: &str, type_id: &str) -> (String, &'static str) {
    let head = json!({
        "$type": DOCUMENT,
        "Name": name,
        "AlternateName": name,
        "Description": name,
        "DocumentTypeId": type_id,
        "Path": parent_path,
    })
    .to_string();
    let open = format!(
        "{},\"Data\":{{\"$type\":\"{BYTES}\",\"$value\":\"",
        &head[..head.len() - 1]
    );
    (open, "\"}}")
}

/// A folder is a document of the folder type with no content.
pub fn folder(name: &str, parent_path: &str, folder_type: &str) -> Value {
    json!({
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
    json!({
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
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let from_json = parsed.as_ref().and_then(|v| {
        [
            "error_description",
            "Message",
            "message",
            "ExceptionMessage",
            "error",
        ]
        .iter()
        .find_map(|k| v.get(k).and_then(Value::as_str).map(str::to_string))
        .or_else(|| validation_messages(v))
    });
    let text = from_json.unwrap_or_else(|| body.trim().to_string());
    let text = if text.is_empty() {
        "no details given".to_string()
    } else {
        text
    };
    crate::text::ellipsis(&text, 300)
}

fn validation_messages(v: &Value) -> Option<String> {
    let errors = v.get("ValidationResults")?.get("Errors").map(values)?;
    let list: Vec<String> = errors
        .iter()
        .filter_map(|e| e.get("Message").and_then(Value::as_str).map(str::to_string))
        .collect();
    (!list.is_empty()).then(|| list.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(error_message(""), "no details given");
        assert_eq!(error_message(&"x".repeat(400)).chars().count(), 301);
    }
}
