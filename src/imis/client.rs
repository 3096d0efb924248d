//! The iMIS REST calls the save makes, each a small async function. The bearer token
//! lives in this struct only, in memory.

use std::rc::Rc;

use gloo_net::http::{Request, RequestBuilder, Response};
use serde_json::Value;

use super::model::{self, Contact};
use super::site::{self, ContactLookup, SiteProfile};
use super::upload::post_blob;
use crate::body::Body;
use crate::error::ImisError;

#[derive(Clone)]
pub struct ImisClient {
    site: String,
    token: String,
}

impl std::fmt::Debug for ImisClient {
    // Never print the token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImisClient")
            .field("site", &self.site)
            .finish_non_exhaustive()
    }
}

/// How iMIS answered a sign-in attempt, for Setup's check: a browser cannot read why a
/// request failed, so an opaque request tells "refused this origin" from "not there".
#[derive(Debug, Clone, PartialEq)]
pub enum Reach {
    SignedIn,
    BadCredentials(String),
    CorsRefused,
    Unreachable(String),
    Http { status: u16, message: String },
}

pub async fn probe(site: &str, username: &str, password: &str) -> Reach {
    match post_token(site, username, password).await {
        Ok(r) if r.ok() => Reach::SignedIn,
        Ok(r) => {
            let status = r.status();
            let message = model::error_message(&r.text().await.unwrap_or_default());
            match status {
                400 | 401 => Reach::BadCredentials(message),
                _ => Reach::Http { status, message },
            }
        }
        Err(ImisError::CorsRefused(_)) => Reach::CorsRefused,
        Err(e) => Reach::Unreachable(e.to_string()),
    }
}

/// `POST /token`; when no answer can be read, tells "refused this origin" (an opaque
/// no-cors request does get an answer from a server that is up) from "not there".
async fn post_token(site: &str, username: &str, password: &str) -> Result<Response, ImisError> {
    let url = format!("{site}/token");
    let sent = Request::post(&url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(model::token_request(username, password))
        .map_err(|e| network(site, e))?
        .send()
        .await;
    match sent {
        Ok(response) => Ok(response),
        Err(e) => match Request::get(&url)
            .mode(web_sys::RequestMode::NoCors)
            .send()
            .await
        {
            Ok(_) => Err(ImisError::CorsRefused(site.to_string())),
            Err(_) => Err(network(site, e)),
        },
    }
}

impl ImisClient {
    /// `POST /token` with the password grant; returns the client and the token's
    /// lifetime in seconds. The password is not kept.
    pub async fn sign_in(
        site: &str,
        username: &str,
        password: &str,
    ) -> Result<(ImisClient, u64), ImisError> {
        let response = post_token(site, username, password).await?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        if !(200..300).contains(&status) {
            let message = model::error_message(&body);
            return Err(match status {
                400 | 401 => ImisError::BadCredentials(message),
                _ => ImisError::Http {
                    what: "sign-in".into(),
                    status,
                    message,
                },
            });
        }
        let (token, expires_in) = serde_json::from_str(&body)
            .ok()
            .as_ref()
            .and_then(model::parse_token)
            .ok_or_else(|| ImisError::BadResponse {
                what: "sign-in".into(),
                detail: "no access_token in the answer".into(),
            })?;
        Ok((
            ImisClient {
                site: site.to_string(),
                token,
            },
            expires_in,
        ))
    }

    /// Every contact whose email is `address`, the way the site profile says.
    pub async fn find_contacts(
        &self,
        site: &SiteProfile,
        address: &str,
    ) -> Result<Vec<Contact>, ImisError> {
        let value = query_value(&format!("eq:{address}"));
        let (path, rows) = match site.contact_lookup {
            ContactLookup::Party => (format!("/api/Party?Email={value}"), false),
            ContactLookup::CsContactBasic => (format!("/api/CsContactBasic?email={value}"), true),
            ContactLookup::Iqa => (
                format!(
                    "/api/iqa?QueryName={}&parameter={value}",
                    query_value(&site.iqa_query)
                ),
                true,
            ),
        };
        let items = self.all_pages(&path, "the contact search").await?;
        Ok(items
            .iter()
            .filter_map(|item| {
                if rows {
                    model::parse_row(item, site)
                } else {
                    model::parse_party(item)
                }
            })
            .collect())
    }

    /// Contacts whose name or address contains `text` (at most 50), for when nobody
    /// on the email matched.
    pub async fn search_contacts(&self, text: &str) -> Result<Vec<Contact>, ImisError> {
        let value = query_value(&format!("contains:{text}"));
        let mut found: Vec<Contact> = Vec::new();
        for filter in ["FullName", "Email"] {
            let path = format!("/api/Party?{filter}={value}&limit=50");
            let page = self
                .send(Request::get(&self.url(&path)), None, "the contact search")
                .await?;
            for c in model::parse_paged(&page)
                .0
                .iter()
                .filter_map(model::parse_party)
            {
                if !found.iter().any(|f| f.party_id == c.party_id) {
                    found.push(c);
                }
            }
        }
        found.truncate(50);
        Ok(found)
    }

    /// Every item of a paged list (`limit`/`offset`).
    async fn all_pages(&self, path: &str, what: &str) -> Result<Vec<Value>, ImisError> {
        let mut offset = 0;
        let mut all = Vec::new();
        loop {
            let url = self.url(&format!("{path}&limit=100&offset={offset}"));
            let page = self.send(Request::get(&url), None, what).await?;
            let (items, next) = model::parse_paged(&page);
            all.extend(items);
            match next {
                Some(n) if n > offset => offset = n,
                _ => return Ok(all),
            }
        }
    }

    /// The record already saved for this email on this contact, if any: `entity`
    /// filtered by the contact and the email's key.
    pub async fn find_record(
        &self,
        entity: &str,
        (party_property, key_property): (&str, &str),
        party_id: &str,
        key: &str,
    ) -> Result<Option<String>, ImisError> {
        let path = format!(
            "/api/{entity}?{party_property}=eq:{}&{key_property}=eq:{}",
            query_value(party_id),
            query_value(key)
        );
        let page = self
            .send(
                Request::get(&self.url(&path)),
                None,
                "looking for this email in iMIS",
            )
            .await?;
        let (items, _) = model::parse_paged(&page);
        // Check the values ourselves too: a site that ignores a filter must not make
        // another email look saved.
        let text = |item: &Value, name: &str| model::property(item, name).and_then(model::as_text);
        Ok(items
            .iter()
            .find(|a| {
                text(a, key_property).as_deref() == Some(key)
                    && text(a, party_property).as_deref() == Some(party_id)
            })
            .and_then(model::identity))
    }

    pub async fn create_record(&self, entity: &str, body: &Value) -> Result<String, ImisError> {
        let what = format!("saving the {}", entity.to_lowercase());
        let created = self
            .send(
                Request::post(&self.url(&format!("/api/{entity}"))),
                Some(body.to_string()),
                &what,
            )
            .await?;
        model::identity(&created).ok_or_else(|| ImisError::BadResponse {
            what,
            detail: "no Identity in the answer".into(),
        })
    }

    pub async fn get_record(&self, entity: &str, id: &str) -> Result<Value, ImisError> {
        let url = self.url(&format!("/api/{entity}/{}", query_value(id)));
        self.send(Request::get(&url), None, "reading the saved record")
            .await
    }

    pub async fn put_record(&self, entity: &str, id: &str, body: &Value) -> Result<(), ImisError> {
        let url = self.url(&format!("/api/{entity}/{}", query_value(id)));
        self.send(
            Request::put(&url),
            Some(body.to_string()),
            "updating the saved record",
        )
        .await
        .map(|_| ())
    }

    /// The id of the document at `path`, or `None` when there is none.
    pub async fn find_document(&self, path: &str) -> Result<Option<String>, ImisError> {
        let answer = self
            .send(
                Request::post(&self.url("/api/Document/_execute")),
                Some(model::find_by_path(path).to_string()),
                "looking up a document",
            )
            .await?;
        Ok(model::found_document_id(&answer))
    }

    pub async fn create_folder(
        &self,
        site: &SiteProfile,
        parent: &str,
        name: &str,
    ) -> Result<String, ImisError> {
        let body = model::folder(name, parent, &site.folder_type).to_string();
        let created = self
            .send(
                Request::post(&self.url("/api/Document")),
                Some(body),
                "creating the email's folder",
            )
            .await?;
        document_id(&created, "creating the email's folder")
    }

    /// Uploads one document; `progress` gets the content bytes sent so far.
    pub async fn upload_document(
        &self,
        parent: &str,
        name: &str,
        body: &Body,
        progress: Rc<dyn Fn(u64)>,
    ) -> Result<String, ImisError> {
        let what = format!("uploading {name}");
        let (head, tail) = model::document_parts(name, parent, &site::document_type(name));
        let blob = body
            .to_blob(&head, tail)
            .map_err(|detail| ImisError::BadResponse {
                what: what.clone(),
                detail,
            })?;
        let total = blob.size().max(1.0);
        let bytes = body.bytes as f64;
        let sent = Rc::new(move |loaded: f64| progress((loaded / total * bytes) as u64));
        let bearer = format!("Bearer {}", self.token);
        let headers = [
            ("Authorization", bearer.as_str()),
            ("Content-Type", "application/json"),
            ("Accept", "application/json"),
        ];
        let (status, text) = post_blob(&self.url("/api/Document"), &headers, &blob, sent)
            .await
            .map_err(|detail| ImisError::Network {
                site: self.site.clone(),
                detail,
            })?;
        let created = self.answer(status, &text, &what)?;
        document_id(&created, &what)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.site)
    }

    async fn send(
        &self,
        request: RequestBuilder,
        json_body: Option<String>,
        what: &str,
    ) -> Result<Value, ImisError> {
        let request = request
            .header("Authorization", &format!("Bearer {}", self.token))
            .header("Accept", "application/json");
        let sent = match json_body {
            Some(body) => request
                .header("Content-Type", "application/json")
                .body(body),
            None => request.build(),
        }
        .map_err(|e| network(&self.site, e))?
        .send()
        .await
        .map_err(|e| network(&self.site, e))?;
        let status = sent.status();
        let text = sent.text().await.map_err(|e| network(&self.site, e))?;
        self.answer(status, &text, what)
    }

    /// A JSON answer, or the error its status means.
    fn answer(&self, status: u16, text: &str, what: &str) -> Result<Value, ImisError> {
        match status {
            200..=299 => serde_json::from_str(text).map_err(|e| ImisError::BadResponse {
                what: what.to_string(),
                detail: e.to_string(),
            }),
            401 => Err(ImisError::SessionExpired),
            _ => Err(ImisError::Http {
                what: what.to_string(),
                status,
                message: model::error_message(text).replace(&self.token, "[token]"),
            }),
        }
    }
}

fn document_id(created: &Value, what: &str) -> Result<String, ImisError> {
    created
        .get("DocumentId")
        .and_then(model::as_text)
        .ok_or_else(|| ImisError::BadResponse {
            what: what.to_string(),
            detail: "no DocumentId in the answer".into(),
        })
}

fn network(site: &str, e: gloo_net::Error) -> ImisError {
    ImisError::Network {
        site: site.to_string(),
        detail: e.to_string(),
    }
}

/// Percent-encodes a query value (`@`, `<`, `>`, `+`, `&` all appear in addresses and
/// message ids).
fn query_value(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
