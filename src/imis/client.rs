//! The iMIS REST calls the save makes, each a small async function. The bearer token
//! lives in this struct only, in memory.

use std::rc::Rc;

use gloo_net::http::{Request, RequestBuilder, Response};
use serde_json::Value;

use super::model::{self, Contact};
use super::site;
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

    /// Every contact whose email is `address` (all pages).
    pub async fn find_contacts(&self, address: &str) -> Result<Vec<Contact>, ImisError> {
        let filter = query_value(&format!("eq:{address}"));
        let mut offset = 0;
        let mut contacts = Vec::new();
        loop {
            let path = format!("/api/Party?Email={filter}&limit=100&offset={offset}");
            let page = self
                .send(Request::get(&self.url(&path)), None, "the contact search")
                .await?;
            let (items, next) = model::parse_paged(&page);
            contacts.extend(items.iter().filter_map(model::parse_party));
            match next {
                Some(n) if n > offset => offset = n,
                _ => return Ok(contacts),
            }
        }
    }

    /// The activity already saved for this email on this contact, if any.
    pub async fn find_activity(
        &self,
        party_id: &str,
        message_key: &str,
    ) -> Result<Option<String>, ImisError> {
        let path = format!(
            "/api/Activity?{}=eq:{}&{}=eq:{}",
            site::ACTIVITY_PARTY,
            query_value(party_id),
            site::ACTIVITY_MESSAGE_KEY,
            query_value(message_key)
        );
        let page = self
            .send(Request::get(&self.url(&path)), None, "the activity search")
            .await?;
        let (items, _) = model::parse_paged(&page);
        // Check the value ourselves too: a site that ignores the filter must not make
        // another email look saved.
        Ok(items
            .iter()
            .find(|a| {
                model::property(a, site::ACTIVITY_MESSAGE_KEY)
                    .and_then(model::as_text)
                    .as_deref()
                    == Some(message_key)
            })
            .and_then(|a| {
                model::identity(a).or_else(|| model::property(a, "SEQN").and_then(model::as_text))
            }))
    }

    pub async fn create_activity(&self, entity: &Value) -> Result<String, ImisError> {
        let created = self
            .send(
                Request::post(&self.url("/api/Activity")),
                Some(entity.to_string()),
                "saving the activity",
            )
            .await?;
        model::identity(&created).ok_or_else(|| ImisError::BadResponse {
            what: "saving the activity".into(),
            detail: "no Identity in the answer".into(),
        })
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

    pub async fn create_folder(&self, parent: &str, name: &str) -> Result<String, ImisError> {
        let body = model::folder(name, parent, site::FOLDER_TYPE).to_string();
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
