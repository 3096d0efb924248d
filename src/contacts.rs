//! Which addresses of the email to look up in iMIS, and which match to preselect. The
//! sender comes first; the user's own address is never looked up; a contact is never
//! picked silently when two share one address.

use crate::imis::model::{Contact, NewContact};
use crate::item::{Address, MailItem};
use crate::settings::FieldError;
use crate::text::{lowercase, uppercase};

/// One contact found for one of the email's addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub contact: Contact,
    /// The email's address that matched.
    pub address: String,
    /// "from", "to" or "cc".
    pub role: &'static str,
    pub preselected: bool,
}

/// The email's addresses in order (from, to, cc), each once, without the user's own.
pub fn addresses(item: &MailItem) -> Vec<(String, &'static str)> {
    let own = lowercase(item.user_address.trim());
    let mut seen = vec![own];
    let all = std::iter::once((&item.from, "from"))
        .chain(item.to.iter().map(|a| (a, "to")))
        .chain(item.cc.iter().map(|a| (a, "cc")));
    let mut out = Vec::new();
    for (a, role) in all {
        let key = lowercase(a.address.trim());
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

/// Mail services whose domain says nothing about where a person works.
const PUBLIC_MAIL: &[&str] = &[
    "aol.com",
    "gmail.com",
    "googlemail.com",
    "gmx.com",
    "gmx.de",
    "hotmail.com",
    "icloud.com",
    "live.com",
    "mac.com",
    "me.com",
    "msn.com",
    "outlook.com",
    "proton.me",
    "protonmail.com",
    "yahoo.com",
    "yandex.com",
];

/// The sender as a new contact, for the user to check: names from the display name
/// ("First Last" or "Last, First"), else from the address; the organisation guessed
/// from the domain unless it is a public mail service.
pub fn draft(from: &Address) -> NewContact {
    let address = from.address.trim();
    let (local, domain) = address.rsplit_once('@').unwrap_or((address, ""));
    let display = from.name.trim().trim_matches(|c| c == '"' || c == '\'');
    let words: Vec<String> = if display.is_empty() || display.contains('@') {
        local
            .split(['.', '_', '-'])
            .filter(|w| !w.is_empty() && w.chars().all(char::is_alphabetic))
            .map(capitalised)
            .collect()
    } else if let Some((last, first)) = display.split_once(',') {
        vec![first.trim().to_string(), last.trim().to_string()]
    } else {
        display.split_whitespace().map(str::to_string).collect()
    };
    let (first_name, last_name) = match words.as_slice() {
        [] => (String::new(), String::new()),
        [one] => (one.clone(), String::new()),
        [first @ .., last] => (first.join(" "), last.clone()),
    };
    let domain = domain.to_ascii_lowercase();
    let labels: Vec<&str> = domain.split('.').filter(|l| !l.is_empty()).collect();
    let organization = if PUBLIC_MAIL.contains(&domain.as_str()) || labels.len() < 2 {
        String::new()
    } else {
        // The label before the public suffix: "mail.example.co.uk" -> "Example".
        let short_suffix = labels.len() >= 3 && labels[labels.len() - 2].len() <= 3;
        let at = labels.len() - if short_suffix { 3 } else { 2 };
        labels[at]
            .split('-')
            .filter(|w| !w.is_empty())
            .map(capitalised)
            .collect::<Vec<_>>()
            .join(" ")
    };
    NewContact {
        first_name,
        last_name,
        email: address.to_string(),
        organization,
    }
}

fn capitalised(word: &str) -> String {
    match word.chars().next() {
        Some(c) => uppercase(&word[..c.len_utf8()]) + &word[c.len_utf8()..],
        None => String::new(),
    }
}

/// A new contact as the user confirmed it: names and a plausible address required.
pub fn check_new(c: &NewContact) -> Result<NewContact, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut need = |field: &'static str, value: &str, message: &str| {
        if value.trim().is_empty() || value.chars().count() > 100 {
            errors.push(FieldError {
                field,
                message: message.into(),
            });
        }
    };
    need(
        "firstName",
        &c.first_name,
        "Enter the contact's first name (at most 100 characters).",
    );
    need(
        "lastName",
        &c.last_name,
        "Enter the contact's last name (at most 100 characters).",
    );
    let email = c.email.trim();
    let plausible = email.split_once('@').is_some_and(|(l, d)| {
        !l.is_empty() && d.contains('.') && !email.contains(char::is_whitespace)
    });
    if !plausible {
        errors.push(FieldError {
            field: "email",
            message: "Enter the contact's email address, like sam@example.com.".into(),
        });
    }
    if c.organization.chars().count() > 100 {
        errors.push(FieldError {
            field: "organization",
            message: "The organisation's name can be at most 100 characters.".into(),
        });
    }
    if errors.is_empty() {
        Ok(NewContact {
            first_name: c.first_name.trim().into(),
            last_name: c.last_name.trim().into(),
            email: email.into(),
            organization: c.organization.trim().into(),
        })
    } else {
        Err(errors)
    }
}

impl crate::jsonw::ToJson for Match {
    fn write_json(&self, out: &mut String) {
        let mut o = crate::jsonw::Obj::new(out);
        crate::jsonw::Fields::fields(&self.contact, &mut o);
        o.field("address", &self.address)
            .field("role", &self.role)
            .field("preselected", &self.preselected);
        o.end();
    }
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
        crate::json::FromJson::from_json(crate::json::testing::json!({
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

    #[test]
    fn the_sender_becomes_a_draft_contact() {
        let d = draft(&Address {
            name: "Sam Q. Sender".into(),
            address: "sam@mail.example.co.uk".into(),
        });
        assert_eq!(
            (
                d.first_name.as_str(),
                d.last_name.as_str(),
                d.organization.as_str()
            ),
            ("Sam Q.", "Sender", "Example")
        );
        let d = draft(&Address {
            name: "Sender, Sam".into(),
            address: "sam@gmail.com".into(),
        });
        assert_eq!(
            (
                d.first_name.as_str(),
                d.last_name.as_str(),
                d.organization.as_str()
            ),
            ("Sam", "Sender", "")
        );
        let d = draft(&addr("jo.bloggs@acme.org"));
        assert_eq!(
            (
                d.first_name.as_str(),
                d.last_name.as_str(),
                d.organization.as_str()
            ),
            ("Jo", "Bloggs", "Acme")
        );
        assert_eq!(d.email, "jo.bloggs@acme.org");
    }

    #[test]
    fn new_contacts_need_names_and_an_address() {
        let ok = NewContact {
            first_name: " Sam ".into(),
            last_name: "Sender".into(),
            email: "sam@example.com".into(),
            organization: String::new(),
        };
        assert_eq!(check_new(&ok).unwrap().first_name, "Sam");
        let bad = NewContact {
            first_name: " ".into(),
            email: "sam at example".into(),
            ..ok
        };
        let fields: Vec<_> = check_new(&bad)
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["firstName", "email"]);
    }
}
