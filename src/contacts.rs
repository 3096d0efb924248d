//! Which addresses of the email to look up in iMIS, and which match to preselect. The
//! sender comes first; the user's own address is never looked up; a contact is never
//! picked silently when two share one address.

use serde::Serialize;

use crate::imis::model::Contact;
use crate::item::MailItem;

/// One contact found for one of the email's addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Match {
    #[serde(flatten)]
    pub contact: Contact,
    /// The email's address that matched.
    pub address: String,
    /// "from", "to" or "cc".
    pub role: &'static str,
    pub preselected: bool,
}

/// The email's addresses in order (from, to, cc), each once, without the user's own.
pub fn addresses(item: &MailItem) -> Vec<(String, &'static str)> {
    let own = item.user_address.trim().to_lowercase();
    let mut seen = vec![own];
    let all = std::iter::once((&item.from, "from"))
        .chain(item.to.iter().map(|a| (a, "to")))
        .chain(item.cc.iter().map(|a| (a, "cc")));
    let mut out = Vec::new();
    for (a, role) in all {
        let key = a.address.trim().to_lowercase();
        if key.is_empty() || seen.contains(&key) {
            continue;
        }
        seen.push(key);
        out.push((a.address.trim().to_string(), role));
    }
    out
}

/// Joins the lookups (one list of contacts per address, in `addresses` order) and
/// preselects the first address's contact when it is the only one with that address.
pub fn matches(found: Vec<((String, &'static str), Vec<Contact>)>) -> Vec<Match> {
    let mut out: Vec<Match> = Vec::new();
    for ((address, role), contacts) in found {
        let first_address = out.is_empty();
        let only = contacts.len() == 1;
        for contact in contacts {
            if out.iter().any(|m| m.contact.party_id == contact.party_id) {
                continue;
            }
            out.push(Match {
                contact,
                address: address.clone(),
                role,
                preselected: first_address && only,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::Address;

    fn addr(a: &str) -> Address {
        Address {
            name: String::new(),
            address: a.into(),
        }
    }

    fn contact(id: &str) -> Contact {
        Contact {
            party_id: id.into(),
            full_name: format!("Contact {id}"),
            emails: vec![],
        }
    }

    fn item(from: &str, to: &[&str], cc: &[&str], user: &str) -> MailItem {
        serde_json::from_value(serde_json::json!({
            "restId": "m", "date": "2026-01-01T00:00:00Z", "from": { "address": from },
            "userAddress": user,
        }))
        .map(|mut i: MailItem| {
            i.to = to.iter().map(|a| addr(a)).collect();
            i.cc = cc.iter().map(|a| addr(a)).collect();
            i
        })
        .unwrap()
    }

    #[test]
    fn sender_first_each_once_never_the_user() {
        let it = item(
            "a@x.org",
            &["Me@x.org", "b@x.org", "A@X.org"],
            &["c@x.org", "b@x.org"],
            "me@x.org",
        );
        assert_eq!(
            addresses(&it),
            [
                ("a@x.org".to_string(), "from"),
                ("b@x.org".into(), "to"),
                ("c@x.org".into(), "cc")
            ]
        );
        // Compose: the user is the sender; the recipients are who it is about.
        let draft = item("me@x.org", &["b@x.org"], &[], "me@x.org");
        assert_eq!(addresses(&draft), [("b@x.org".to_string(), "to")]);
    }

    #[test]
    fn only_an_unambiguous_first_match_is_preselected() {
        let a = ("a@x.org".to_string(), "from");
        let b = ("b@x.org".to_string(), "to");
        let m = matches(vec![
            (a.clone(), vec![contact("1")]),
            (b.clone(), vec![contact("2")]),
        ]);
        assert_eq!(
            m.iter().map(|m| m.preselected).collect::<Vec<_>>(),
            [true, false]
        );
        let m = matches(vec![
            (a.clone(), vec![contact("1"), contact("3")]),
            (b.clone(), vec![contact("2")]),
        ]);
        assert!(
            m.iter().all(|m| !m.preselected),
            "two contacts share the sender's address"
        );
        let m = matches(vec![(a.clone(), vec![]), (b.clone(), vec![contact("2")])]);
        assert!(m[0].preselected, "the first address that matched");
        let m = matches(vec![(a, vec![contact("1")]), (b, vec![contact("1")])]);
        assert_eq!(
            m.len(),
            1,
            "one contact with two of the email's addresses is listed once"
        );
    }
}
