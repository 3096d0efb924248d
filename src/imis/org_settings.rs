//! The organisation's settings document in iMIS (docs/org-settings.md): one `TXT`
//! document in a Document System folder that staff may read and only administrators
//! may change; iMIS's own access settings decide who can write it.
//!
//! Found by name with `DocumentSummary?Name=eq:` (which sees documents in *Working*
//! status, unlike `FindByPath`), read with `GET /api/Document/{DocumentId}`, changed with
//! `PUT` of the whole document as read, created with `POST /api/Document`. A 5xx to a
//! write is checked by reading back: iMIS can answer 500 to a create that worked.

use crate::json::Value;

use super::model;
use super::ImisClient;
use crate::error::ImisError;
use crate::org::{self, Values};

use gloo_net::http::Request;

/// What iMIS holds for the organisation.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgDocument {
    /// `false`: no organisation settings yet (not an error).
    pub found: bool,
    /// The folder it lives in.
    pub path: String,
    pub values: Values,
    pub document_id: Option<String>,
    pub updated_by: Option<String>,
    pub updated_at: Option<String>,
}

impl OrgDocument {
    fn none(folder: &str) -> OrgDocument {
        OrgDocument {
            found: false,
            path: folder.to_string(),
            values: Values::new(),
            document_id: None,
            updated_by: None,
            updated_at: None,
        }
    }
}

/// A write refused with 403 means the user may not change the settings folder.
fn refused(e: ImisError) -> ImisError {
    match e {
        ImisError::Http { status: 403, .. } => ImisError::OrgSettingsReadOnly,
        e => e,
    }
}

fn is_server_error(e: &ImisError) -> bool {
    matches!(
        e,
        ImisError::Http {
            status: 500..=599,
            ..
        }
    )
}

impl ImisClient {
    /// The organisation's settings in `folder`; `found: false` when there are none.
    pub async fn load_org_settings(&self, folder: &str) -> Result<OrgDocument, ImisError> {
        let Some((id, document)) = self.org_document(folder).await? else {
            return Ok(OrgDocument::none(folder));
        };
        let unreadable = |why: String| ImisError::OrgSettingsUnreadable {
            path: format!("{folder}/{}", org::DOCUMENT_NAME),
            why,
        };
        let bytes = model::document_content(&document)
            .ok_or_else(|| unreadable("iMIS sent no content for it".into()))?;
        let values = org::parse_document(&bytes).map_err(|e| unreadable(e.to_string()))?;
        let (updated_by, updated_at) = model::updated(&document);
        Ok(OrgDocument {
            found: true,
            path: folder.to_string(),
            values,
            document_id: Some(id),
            updated_by,
            updated_at,
        })
    }

    /// Stores `values` as the organisation's settings and returns what iMIS now holds.
    /// Never creates the folder: one created over REST would let everyone change it.
    pub async fn save_org_settings(
        &self,
        folder: &str,
        values: &Values,
    ) -> Result<OrgDocument, ImisError> {
        let text = org::write_document(values);
        let bytes = text.as_bytes();
        match self.org_document(folder).await? {
            Some((id, current)) => {
                let url = self.url(&format!("/api/Document/{}", query_value(&id)));
                let body = crate::jsonw::to_string(&model::with_content(current, bytes));
                let what = "saving the organisation's settings";
                match self.send_raw(Request::put(&url), Some(body), what).await {
                    Ok(_) => {}
                    Err(e) if is_server_error(&e) => {
                        // Saved anyway? Only the content read back can tell.
                        let now = self.org_document(folder).await?;
                        let same = now
                            .as_ref()
                            .and_then(|(_, d)| model::document_content(d))
                            .is_some_and(|b| b == bytes);
                        if !same {
                            return Err(e);
                        }
                    }
                    Err(e) => return Err(refused(e)),
                }
            }
            None => {
                let (parent, name) = folder.rsplit_once('/').unwrap_or(("$", folder));
                if self.find_document(parent, name).await?.is_none() {
                    return Err(ImisError::OrgSettingsFolderMissing(folder.to_string()));
                }
                let body =
                    model::text_document(org::DOCUMENT_NAME, folder, org::DOCUMENT_TYPE, bytes);
                let what = "creating the organisation's settings";
                match self
                    .send(Request::post(&self.url("/api/Document")), Some(body), what)
                    .await
                {
                    Ok(_) => {}
                    // iMIS can answer 500 to a create that worked: look before failing,
                    // and never post twice.
                    Err(e) if is_server_error(&e) => {
                        if self
                            .find_document(folder, org::DOCUMENT_NAME)
                            .await?
                            .is_none()
                        {
                            return Err(e);
                        }
                    }
                    Err(e) => return Err(refused(e)),
                }
            }
        }
        self.load_org_settings(folder).await
    }

    /// The settings document's id and its `DocumentData`, when there is one.
    async fn org_document(&self, folder: &str) -> Result<Option<(String, Value)>, ImisError> {
        let Some(id) = self.find_document(folder, org::DOCUMENT_NAME).await? else {
            return Ok(None);
        };
        let url = self.url(&format!("/api/Document/{}", query_value(&id)));
        match self
            .send(
                Request::get(&url),
                None,
                "reading the organisation's settings",
            )
            .await
        {
            Ok(document) => Ok(Some((id, document))),
            // Removed since it was listed.
            Err(ImisError::Http { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

fn query_value(s: &str) -> String {
    crate::weburl::form_encode(s)
}

impl crate::jsonw::ToJson for OrgDocument {
    fn write_json(&self, out: &mut String) {
        let mut o = crate::jsonw::Obj::new(out);
        o.field("found", &self.found)
            .field("path", &self.path)
            .field("values", &self.values)
            .some("documentId", &self.document_id)
            .some("updatedBy", &self.updated_by)
            .some("updatedAt", &self.updated_at);
        o.end();
    }
}
