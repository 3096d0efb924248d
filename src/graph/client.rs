//! Graph requests: each one authorised with a token from the shell and retried as
//! `retry::Policy` decides (Retry-After honoured, one fresh token on 401, a cut
//! connection read again from the start).

use std::cell::RefCell;

use gloo_net::http::{Request, Response};
use web_sys::AbortSignal;

use super::model::{self, Attachment, AttachmentPage, ItemKind};
use super::tokens::TokenSource;
use crate::body::{read_stream, Body, BodyBuilder};
use crate::error::GraphError;
use crate::http::{jitter, sleep};
use crate::retry::{Attempt, Decision, Policy};

/// Told about every retry, so the pane can show it in the attachment's row.
pub type RetryNotice<'a> = &'a dyn Fn(&str);

pub struct GraphClient {
    api: String,
    shared_mailbox: Option<String>,
    scopes: Vec<String>,
    tokens: TokenSource,
    token: RefCell<Option<String>>,
    policy: Policy,
    /// Aborts every request in flight when the save is cancelled.
    abort: Option<AbortSignal>,
}

impl GraphClient {
    /// `api` is the versioned base, e.g. `https://graph.microsoft.com/v1.0`.
    pub fn new(
        api: String,
        shared_mailbox: Option<String>,
        scopes: Vec<String>,
        tokens: TokenSource,
    ) -> Self {
        GraphClient {
            api,
            shared_mailbox,
            scopes,
            tokens,
            token: RefCell::new(None),
            policy: Policy::default(),
            abort: None,
        }
    }

    /// Requests end (fail) when `signal` is aborted: a cancelled save's downloads.
    pub fn with_abort_signal(mut self, signal: AbortSignal) -> Self {
        self.abort = Some(signal);
        self
    }

    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// Every attachment of a message, following `@odata.nextLink`.
    pub async fn list_attachments(&self, message_id: &str) -> Result<Vec<Attachment>, GraphError> {
        let mut url = model::attachments_url(&self.api, self.shared_mailbox.as_deref(), message_id);
        let mut all = Vec::new();
        loop {
            let read = async |r: Response| r.binary().await.map_err(|e| e.to_string());
            let body = self.get(&url, &|_| {}, read).await?;
            let page: AttachmentPage = crate::json::from_slice(&body)
                .map_err(|e| GraphError::BadResponse(format!("attachment list: {e}")))?;
            all.extend(page.value);
            match page.next_link {
                Some(next) => url = next,
                None => return Ok(all),
            }
        }
    }

    /// One attachment's content from `/$value`, streamed and encoded a chunk at a time;
    /// `progress` gets the bytes read so far.
    pub async fn download(
        &self,
        message_id: &str,
        attachment_id: &str,
        progress: &dyn Fn(u64),
        on_retry: RetryNotice<'_>,
    ) -> Result<Body, GraphError> {
        let url = model::content_url(
            &self.api,
            self.shared_mailbox.as_deref(),
            message_id,
            attachment_id,
        );
        self.stream(&url, progress, on_retry).await
    }

    /// A streamed GET: encoded a chunk at a time as it arrives.
    async fn stream(
        &self,
        url: &str,
        progress: &dyn Fn(u64),
        on_retry: RetryNotice<'_>,
    ) -> Result<Body, GraphError> {
        let read = async |r: Response| {
            let content_type = r.headers().get("content-type");
            let mut builder = BodyBuilder::default();
            if let Some(stream) = r.body() {
                read_stream(stream, &mut builder, progress).await?;
            }
            builder.finish(content_type)
        };
        self.get(url, on_retry, read).await
    }

    /// Gets the token now (signing in if need be), before anything is written.
    pub async fn sign_in(&self) -> Result<(), GraphError> {
        self.current_token(false).await.map(|_| ())
    }

    /// What an item attachment is (message, event, contact), from `$expand`.
    pub async fn item_kind(
        &self,
        message_id: &str,
        attachment_id: &str,
    ) -> Result<ItemKind, GraphError> {
        let url = model::item_url(
            &self.api,
            self.shared_mailbox.as_deref(),
            message_id,
            attachment_id,
        );
        let read = async |r: Response| r.binary().await.map_err(|e| e.to_string());
        let body = self.get(&url, &|_| {}, read).await?;
        ItemKind::of_expanded(&body)
            .ok_or_else(|| GraphError::BadResponse("an item attachment without its item".into()))
    }

    /// The whole message as MIME (`.eml`), streamed like an attachment.
    pub async fn download_message(
        &self,
        message_id: &str,
        progress: &dyn Fn(u64),
        on_retry: RetryNotice<'_>,
    ) -> Result<Body, GraphError> {
        let url = model::message_mime_url(&self.api, self.shared_mailbox.as_deref(), message_id);
        self.stream(&url, progress, on_retry).await
    }

    async fn current_token(&self, force_refresh: bool) -> Result<String, GraphError> {
        if !force_refresh {
            if let Some(token) = self.token.borrow().clone() {
                return Ok(token);
            }
        }
        let token = self.tokens.token(&self.scopes, force_refresh).await?;
        *self.token.borrow_mut() = Some(token.clone());
        Ok(token)
    }

    /// GET with retries; `read` takes the whole body inside the loop, so a connection
    /// cut mid-body counts as a failed attempt and the next one starts over.
    async fn get<T>(
        &self,
        url: &str,
        on_retry: RetryNotice<'_>,
        read: impl AsyncFn(Response) -> Result<T, String>,
    ) -> Result<T, GraphError> {
        let mut token_refreshed = false;
        let mut force_refresh = false;
        let mut number = 0;
        let mut waited_ms = 0;
        loop {
            number += 1;
            let token = self.current_token(force_refresh).await?;
            force_refresh = false;
            let sent = Request::get(url)
                .header("Authorization", &format!("Bearer {token}"))
                .abort_signal(self.abort.as_ref())
                .send()
                .await;
            let (status, retry_after, failure) = match sent {
                Ok(response) if response.ok() => match read(response).await {
                    Ok(body) => return Ok(body),
                    Err(e) => (
                        None,
                        None,
                        GraphError::Network(format!("the download was cut off: {e}")),
                    ),
                },
                Ok(response) => {
                    let status = response.status();
                    let retry_after = response.headers().get("retry-after");
                    let body = response.text().await.unwrap_or_default();
                    (Some(status), retry_after, http_error(status, &body))
                }
                Err(e) => (None, None, GraphError::Network(e.to_string())),
            };
            let attempt = Attempt {
                status,
                retry_after: retry_after.as_deref(),
                number,
                token_refreshed,
                waited_ms,
            };
            match self.policy.decide(attempt, jitter()) {
                Decision::Done if status == Some(401) => return Err(GraphError::Unauthorized),
                Decision::Done => return Err(failure),
                Decision::GiveUp => {
                    return Err(match status {
                        Some(s @ (429 | 503)) => GraphError::Throttled {
                            status: s,
                            attempts: number,
                        },
                        Some(404) => GraphError::NotSynced,
                        _ => failure,
                    })
                }
                Decision::RefreshToken => {
                    on_retry("the sign-in token was refused; getting a fresh one");
                    token_refreshed = true;
                    force_refresh = true;
                }
                Decision::Wait { ms, reason } => {
                    on_retry(&reason);
                    sleep(ms).await;
                    waited_ms += ms;
                }
            }
        }
    }
}

fn http_error(status: u16, body: &str) -> GraphError {
    let (code, message) =
        model::parse_error(body).unwrap_or_else(|| (String::new(), "no details given".to_string()));
    GraphError::Http {
        status,
        code,
        message,
    }
}
