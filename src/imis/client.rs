//! The iMIS REST calls the save makes, each a small async function. The bearer token
//! lives in this struct only, in memory.

use std::rc::Rc;

use crate::json::Value;
use gloo_net::http::{Request, RequestBuilder, Response};

use super::model::{self, Contact, NewContact};
use super::site::{ContactLookup, SiteProfile};
use super::upload::post_blob;
use crate::body::Body;
use crate::error::ImisError;
use crate::record::{replace_section, Record};
use crate::settings::RecordKind;

/// A request this large that gets no answer was most likely cut off by IIS's request
/// limit (cross-origin, the browser shows a 404.13 as a network error).
const LARGE_REQUEST_BYTES: f64 = 4.0 * 1024.0 * 1024.0;

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

/// A record iMIS stored: its id, and the record as iMIS answered with it when that
/// answer holds everything sent (`model::answer_holds`).
#[derive(Debug, Clone)]
pub struct Created {
    pub id: String,
    pub stored: Option<Value>,
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
    /// A client for a token kept from an earlier sign-in (see `session`).
    pub fn with_token(site: &str, token: &str) -> ImisClient {
        ImisClient {
            site: site.to_string(),
            token: token.to_string(),
        }
    }

    /// The bearer token, only to keep it for the session (never logged or shown).
    pub(crate) fn token(&self) -> &str {
        &self.token
    }

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
        let (token, expires_in) = crate::json::from_str(&body)
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
        // A party counts only when one of its addresses is this one: whether a site's
        // filter looks at every address, or at all, is not known.
        Ok(items
            .iter()
            .filter_map(|item| {
                if rows {
                    model::parse_row(item, site)
                } else {
                    model::parse_party(item)
                }
            })
            .filter(|c| {
                c.emails
                    .iter()
                    .any(|e| e.trim().eq_ignore_ascii_case(address))
            })
            .collect())
    }

    /// Contacts whose name or address contains `text` (at most 50), for when nobody
    /// on the email matched.
    pub async fn search_contacts(&self, text: &str) -> Result<Vec<Contact>, ImisError> {
        let value = query_value(&format!("contains:{text}"));
        let mut found: Vec<Contact> = Vec::new();
        let mut refused = None;
        for filter in ["FullName", "Email"] {
            let path = format!("/api/Party?{filter}={value}&limit=50");
            // Whether a site filters parties on FullName is not known: a filter it
            // refuses leaves the other to find what it can.
            let page = match self
                .send(Request::get(&self.url(&path)), None, "the contact search")
                .await
            {
                Ok(page) => page,
                Err(e @ ImisError::Http { status: 400, .. }) => {
                    refused = Some(e);
                    continue;
                }
                Err(e) => return Err(e),
            };
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
        match refused {
            Some(e) if found.is_empty() => Err(e),
            _ => Ok(found),
        }
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

    /// The record already saved for this email on this contact, if any, of the
    /// record's kind. The values are checked here too: a site that ignores a filter
    /// must not make another email look saved.
    pub async fn find_record(
        &self,
        site: &SiteProfile,
        record: &Record,
    ) -> Result<Option<String>, ImisError> {
        let what = "looking for this email in iMIS";
        let party = record.party_id.as_str();
        match record.kind {
            RecordKind::Activity => {
                let (party_column, key_column) = (&site.activity_party, &site.activity_message_key);
                let key = record.message_key.as_str();
                let path = format!(
                    "/api/Activity?{party_column}=eq:{}&{key_column}=eq:{}",
                    query_value(party),
                    query_value(key)
                );
                let page = self
                    .send(Request::get(&self.url(&path)), None, what)
                    .await?;
                let text =
                    |item: &Value, name: &str| model::property(item, name).and_then(model::as_text);
                Ok(model::parse_paged(&page)
                    .0
                    .iter()
                    .find(|a| {
                        text(a, key_column).as_deref() == Some(key)
                            && text(a, party_column).as_deref() == Some(party)
                    })
                    .and_then(model::identity))
            }
            RecordKind::Interaction => {
                let key = record.interaction_key.as_str();
                let path = format!(
                    "/api/CommunicationLogRecipient?PartyId=eq:{}&MessageId=eq:{}",
                    query_value(party),
                    query_value(key)
                );
                let page = self
                    .send(Request::get(&self.url(&path)), None, what)
                    .await?;
                Ok(model::parse_paged(&page)
                    .0
                    .iter()
                    .filter_map(model::interaction_keys)
                    .find(|(_, p, k)| p.as_deref() == Some(party) && k.as_deref() == Some(key))
                    .map(|(id, _, _)| id))
            }
        }
    }

    /// Writes the record: its new id, and iMIS's answer when it holds all that was
    /// sent (then the note's update needs no read first).
    pub async fn create_record(
        &self,
        site: &SiteProfile,
        record: &Record,
    ) -> Result<Created, ImisError> {
        let entity = record.entity_name();
        let what = format!("saving the {}", record.kind.noun());
        let sent = record.to_entity(site);
        let created = self
            .send(
                Request::post(&self.url(&format!("/api/{entity}"))),
                Some(crate::jsonw::to_string(&sent)),
                &what,
            )
            .await?;
        let id = model::interaction_keys(&created)
            .map(|(id, _, _)| id)
            .or_else(|| model::identity(&created))
            .ok_or_else(|| ImisError::BadResponse {
                what,
                detail: "no id in the answer".into(),
            })?;
        let stored = model::answer_holds(&sent, &created).then_some(created);
        Ok(Created { id, stored })
    }

    /// Replaces the attachments section of the record's note with `section`, keeping
    /// everything above the marker (staff may have edited it). `stored`: the record as
    /// this save wrote it moments ago (`Created::stored`); otherwise it is read first.
    pub async fn update_note(
        &self,
        site: &SiteProfile,
        record: &Record,
        id: &str,
        section: &str,
        stored: Option<Value>,
    ) -> Result<(), ImisError> {
        let url = self.url(&format!(
            "/api/{}/{}",
            record.entity_name(),
            query_value(id)
        ));
        let mut current = match stored {
            Some(entity) => entity,
            None => {
                self.send(Request::get(&url), None, "reading the saved record")
                    .await?
            }
        };
        let max = site.note_max_chars;
        match record.kind {
            RecordKind::Activity => {
                let note = model::property(&current, &site.activity_note)
                    .and_then(model::as_text)
                    .unwrap_or_default();
                let note = replace_section(&note, section, max);
                model::set_property(&mut current, &site.activity_note, crate::value!(note));
            }
            RecordKind::Interaction => {
                let note = model::interaction_text(&current).unwrap_or_default();
                model::set_interaction_text(&mut current, &replace_section(&note, section, max));
            }
        }
        self.send(
            Request::put(&url),
            Some(crate::jsonw::to_string(&current)),
            "updating the saved record",
        )
        .await
        .map(|_| ())
    }

    /// The id of the document (or folder) `name` in `folder`, in any status.
    /// `FindByPath` cannot answer this: it does not see documents in *Working* status,
    /// which is how new ones may start; `DocumentSummary?Name=` does (reference).
    pub async fn find_document(
        &self,
        folder: &str,
        name: &str,
    ) -> Result<Option<String>, ImisError> {
        let path = format!(
            "/api/DocumentSummary?Name={}",
            query_value(&format!("eq:{name}"))
        );
        let found = self.all_pages(&path, "looking up a document").await?;
        Ok(model::summary_in_folder(&found, folder, name))
    }

    pub async fn create_folder(
        &self,
        site: &SiteProfile,
        parent: &str,
        name: &str,
    ) -> Result<String, ImisError> {
        let body = crate::jsonw::to_string(&model::folder(name, parent, &site.folder_type));
        let created = self
            .send(
                Request::post(&self.url("/api/Document")),
                Some(body),
                "creating the email's folder",
            )
            .await?;
        document_id(&created, "creating the email's folder")
    }

    /// Uploads one document of type `type_id`; `progress` gets the content bytes sent
    /// so far. An answer that means "too large" becomes `ImisError::TooLarge`.
    pub async fn upload_document(
        &self,
        parent: &str,
        name: &str,
        type_id: &str,
        body: &Body,
        progress: Rc<dyn Fn(u64)>,
    ) -> Result<String, ImisError> {
        let what = format!("uploading {name}");
        let (head, tail) = model::document_parts(name, parent, type_id);
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
        let too_large = || ImisError::TooLarge {
            name: name.to_string(),
            request_bytes: total as u64,
        };
        let (status, text) =
            match post_blob(&self.url("/api/Document"), &headers, &blob, sent).await {
                Ok(answer) => answer,
                // IIS cuts a request over its limit short; the browser then sees no answer.
                Err(_) if total >= LARGE_REQUEST_BYTES => return Err(too_large()),
                Err(detail) => {
                    return Err(ImisError::Network {
                        site: self.site.clone(),
                        detail,
                    })
                }
            };
        if model::means_too_large(status, &text) {
            return Err(too_large());
        }
        let created = self.answer(status, &text, &what)?;
        document_id(&created, &what)
    }

    /// Deletes a document (Test configuration's probes).
    pub async fn delete_document(&self, id: &str) -> Result<(), ImisError> {
        let url = self.url(&format!("/api/Document/{}", query_value(id)));
        self.send_raw(Request::delete(&url), None, "removing a test document")
            .await
            .map(|_| ())
    }

    /// A new person, as the user confirmed it; needs the iMIS right to add contacts.
    pub async fn create_contact(&self, contact: &NewContact) -> Result<Contact, ImisError> {
        let what = "adding the contact";
        let created = self
            .send(
                Request::post(&self.url("/api/Party")),
                Some(crate::jsonw::to_string(&model::person(contact))),
                what,
            )
            .await
            .map_err(|e| match e {
                ImisError::Http { status: 403, .. } => ImisError::NotAllowed(
                    "add contacts (ask an iMIS administrator to add the contact, or to give \
                     your iMIS account the right to)"
                        .into(),
                ),
                e => e,
            })?;
        model::parse_party(&created).ok_or_else(|| ImisError::BadResponse {
            what: what.into(),
            detail: "no PartyId in the answer".into(),
        })
    }

    /// The Activity columns the site has (`GET /api/metadata/Activity`).
    pub async fn activity_columns(&self) -> Result<Vec<String>, ImisError> {
        let meta = self
            .send(
                Request::get(&self.url("/api/metadata/Activity")),
                None,
                "reading the Activity columns",
            )
            .await?;
        Ok(model::metadata_columns(&meta))
    }

    /// The site's activity type, when it has it (`GET /api/LegacyActivityType/{code}`).
    pub async fn activity_type(&self, code: &str) -> Result<Option<Value>, ImisError> {
        let url = self.url(&format!("/api/LegacyActivityType/{}", query_value(code)));
        match self
            .send(Request::get(&url), None, "looking up the activity type")
            .await
        {
            Ok(found) => Ok(Some(found)),
            Err(ImisError::Http { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Stores a tiny document of `type_id` in `folder` and removes it again: whether
    /// the site has that type. `Ok(Err(message))` when iMIS refused the type.
    pub async fn probe_document_type(
        &self,
        folder: &str,
        type_id: &str,
        ext: &str,
    ) -> Result<Result<(), String>, ImisError> {
        let name = format!(
            "save-to-imis-type-check-{}.{ext}",
            type_id.to_ascii_lowercase()
        );
        let (head, tail) = model::document_parts(&name, folder, type_id);
        let body = format!("{head}AA=={tail}");
        let what = format!("checking document type {type_id}");
        let stored = match self
            .send(Request::post(&self.url("/api/Document")), Some(body), &what)
            .await
        {
            Ok(created) => document_id(&created, &what).ok(),
            Err(ImisError::Http {
                status: 400,
                message,
                ..
            }) => return Ok(Err(message)),
            // 500 can mean "stored anyway": look, and clean up.
            Err(ImisError::Http {
                status: 500..=599, ..
            }) => None,
            Err(e) => return Err(e),
        };
        let id = match stored {
            Some(id) => Some(id),
            None => self.find_document(folder, &name).await?,
        };
        match id {
            Some(id) => {
                self.delete_document(&id).await?;
                Ok(Ok(()))
            }
            None => Ok(Err("iMIS did not store the test document".into())),
        }
    }

    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.site)
    }

    pub(super) async fn send(
        &self,
        request: RequestBuilder,
        json_body: Option<String>,
        what: &str,
    ) -> Result<Value, ImisError> {
        let text = self.send_raw(request, json_body, what).await?;
        crate::json::from_str(&text).map_err(|e| ImisError::BadResponse {
            what: what.to_string(),
            detail: e.to_string(),
        })
    }

    /// The answer's text when its status is a success.
    pub(super) async fn send_raw(
        &self,
        request: RequestBuilder,
        json_body: Option<String>,
        what: &str,
    ) -> Result<String, ImisError> {
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
        self.status(status, &text, what).map(|_| text)
    }

    /// A JSON answer, or the error its status means.
    fn answer(&self, status: u16, text: &str, what: &str) -> Result<Value, ImisError> {
        self.status(status, text, what)?;
        crate::json::from_str(text).map_err(|e| ImisError::BadResponse {
            what: what.to_string(),
            detail: e.to_string(),
        })
    }

    /// The error a status means, if any.
    fn status(&self, status: u16, text: &str, what: &str) -> Result<(), ImisError> {
        match status {
            200..=299 => Ok(()),
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
    crate::weburl::form_encode(s)
}
