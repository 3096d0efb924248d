//! Save to iMIS: the add-in's core, compiled to WebAssembly and driven by the task
//! pane's thin JS shell. The data path, in file order: `item` (the email from Outlook),
//! `plan` (what to save), `graph` (download), `imis` (upload), `save` (runs the plan),
//! `report` (what happened). `settings` (with `org`, its three layers), `names` and
//! `retry` are the pure rules they use; `error` the error types. This file only
//! exports; errors become JS values here.

pub mod body;
pub mod cancel;
pub mod check;
pub mod checked;
pub mod contacts;
pub mod diagnose;
pub mod encode;
pub mod error;
pub mod graph;
pub mod host;
pub mod http;
pub mod imis;
pub mod item;
pub mod json;
pub mod jsonw;
pub mod names;
pub mod org;
pub mod plan;
pub mod record;
pub mod report;
pub mod retry;
pub mod save;
pub mod session;
pub mod settings;
pub mod slots;
pub mod text;
pub mod vecmap;
pub mod weburl;

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

use cancel::Cancel;
use checked::Checked;
use error::{Error, HostError, ImisError};
use graph::{GraphClient, TokenSource};
use host::HostContent;
use imis::model::{Contact, NewContact};
use imis::ImisClient;
use item::{MailItem, Mode};
use retry::Policy;
use settings::{Cloud, ContactCreation, RawSettings, Settings};

/// iMIS tokens are dropped this long before iMIS says they expire (a tenth of their
/// life for short-lived ones).
const IMIS_TOKEN_MARGIN_MS: f64 = 60_000.0;

struct ImisSession {
    client: ImisClient,
    expires_at_ms: f64,
    user: String,
}

struct Inner {
    tokens: TokenSource,
    extra_clouds: Vec<Cloud>,
    settings: RefCell<Settings>,
    imis: RefCell<Option<ImisSession>>,
    /// The running save's cancel flag (a new save gets a new one).
    cancel: RefCell<Cancel>,
    /// Records `findSaved` found missing moments ago: Save need not ask again.
    checked: RefCell<Checked>,
}

/// The add-in's state for one task pane: settings, the iMIS session (in memory only).
#[wasm_bindgen]
pub struct App {
    inner: Rc<Inner>,
}

#[wasm_bindgen]
impl App {
    /// `getGraphToken(scopes, forceRefresh)` returns a Promise of an access token;
    /// `extraClouds` lists sign-in hosts allowed besides Microsoft's, each with its Graph.
    #[wasm_bindgen(constructor)]
    pub fn new(get_graph_token: Function, extra_clouds: JsValue) -> Result<App, JsValue> {
        let extra_clouds: Vec<Cloud> = if extra_clouds.is_undefined() || extra_clouds.is_null() {
            Vec::new()
        } else {
            from_js(extra_clouds, "the allowed sign-in hosts")?
        };
        let settings =
            settings::validate(&RawSettings::default(), &extra_clouds).map_err(Error::Settings)?;
        Ok(App {
            inner: Rc::new(Inner {
                tokens: TokenSource::new(get_graph_token),
                extra_clouds,
                settings: RefCell::new(settings),
                imis: RefCell::new(None),
                cancel: RefCell::new(Cancel::new()),
                checked: RefCell::new(Checked::default()),
            }),
        })
    }

    /// Validates raw Setup values and, when all are right, applies them at once.
    /// Returns the normalised settings; throws an error with `fields` otherwise.
    #[wasm_bindgen(js_name = applySettings)]
    pub fn apply_settings(&self, raw: JsValue) -> Result<JsValue, JsValue> {
        let raw: RawSettings = from_js(raw, "the settings")?;
        let settings =
            settings::validate(&raw, &self.inner.extra_clouds).map_err(Error::Settings)?;
        if settings.imis_url != self.inner.settings.borrow().imis_url {
            self.inner.imis.replace(None);
        }
        // The site's columns or the record kind may differ now.
        self.inner.checked.borrow_mut().forget();
        let out = to_js(&settings);
        self.inner.settings.replace(settings);
        Ok(out)
    }

    /// Signs in to iMIS; only the token is kept: in memory, and in the pane's session
    /// storage for a pane reopened in the same Outlook session (`session`).
    #[wasm_bindgen(js_name = signInImis)]
    pub fn sign_in_imis(&self, username: String, password: String) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let site = imis_site(&inner.settings.borrow())?;
            let (client, expires_in) = ImisClient::sign_in(&site, &username, &password)
                .await
                .map_err(Error::from)?;
            let life_ms = expires_in as f64 * 1000.0;
            let expires_at_ms =
                js_sys::Date::now() + life_ms - IMIS_TOKEN_MARGIN_MS.min(life_ms / 10.0);
            session::store(&session::Stored {
                site: site.clone(),
                token: client.token().to_string(),
                expires_at_ms,
                user: username.trim().to_string(),
            });
            inner.imis.replace(Some(ImisSession {
                client,
                expires_at_ms,
                user: username.trim().to_string(),
            }));
            inner.checked.borrow_mut().forget();
            Ok(JsValue::TRUE)
        })
    }

    #[wasm_bindgen(js_name = isSignedInToImis)]
    pub fn is_signed_in_to_imis(&self) -> bool {
        imis_client(&self.inner).is_ok()
    }

    /// The iMIS user name of the session in use, for "Signed in to iMIS as …"; null
    /// when not signed in.
    #[wasm_bindgen(js_name = imisUser)]
    pub fn imis_user(&self) -> Option<String> {
        imis_client(&self.inner).ok()?;
        self.inner.imis.borrow().as_ref().map(|s| s.user.clone())
    }

    #[wasm_bindgen(js_name = signOutImis)]
    pub fn sign_out_imis(&self) {
        self.inner.imis.replace(None);
        self.inner.checked.borrow_mut().forget();
        session::clear();
    }

    /// The iMIS contacts with one of the email's addresses (sender first), each marked
    /// with the address that matched and whether it is preselected.
    #[wasm_bindgen(js_name = findContacts)]
    pub fn find_contacts(&self, item: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let item: MailItem = from_js(item, "the email")?;
            let imis = imis_client(&inner)?;
            let site = inner.settings.borrow().site.clone();
            let mut found = Vec::new();
            for address in contacts::addresses(&item) {
                let list = imis
                    .find_contacts(&site, &address.0)
                    .await
                    .map_err(Error::from)?;
                found.push((address, list));
            }
            Ok(to_js(&contacts::matches(found)))
        })
    }

    /// Saves the email to `contact` with the ticked attachments; `onEvent` receives
    /// progress events. Resolves to the report.
    /// Contacts whose name or address contains `text`, for when nobody matched.
    #[wasm_bindgen(js_name = searchContacts)]
    pub fn search_contacts(&self, text: String) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let text = text.trim().to_string();
            if text.chars().count() < 2 {
                return Ok(to_js(&Vec::<Contact>::new()));
            }
            let imis = imis_client(&inner)?;
            Ok(to_js(
                &imis.search_contacts(&text).await.map_err(Error::from)?,
            ))
        })
    }

    /// Adds a new iMIS contact, as the user confirmed it (`{firstName, lastName, email,
    /// organization}`); resolves to the contact, ready to be chosen.
    #[wasm_bindgen(js_name = createContact)]
    pub fn create_contact(&self, draft: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let draft: NewContact = from_js(draft, "the new contact")?;
            if inner.settings.borrow().contact_creation == ContactCreation::Nobody {
                return Err(Error::Settings(vec![settings::FieldError {
                    field: "contactCreation",
                    message: "Adding contacts from Outlook is turned off for your organisation; \
                              ask an iMIS administrator to add the contact in iMIS."
                        .into(),
                }])
                .into());
            }
            let draft = contacts::check_new(&draft).map_err(Error::Settings)?;
            let imis = imis_client(&inner)?;
            Ok(to_js(
                &imis.create_contact(&draft).await.map_err(Error::from)?,
            ))
        })
    }

    /// The sender as a new contact, to be confirmed by the user.
    #[wasm_bindgen(js_name = newContactDraft)]
    pub fn new_contact_draft(&self, item: JsValue) -> Result<JsValue, JsValue> {
        let item: MailItem = from_js(item, "the email")?;
        Ok(to_js(&contacts::draft(&item.from)))
    }

    /// Where this email is already saved: `[{partyId, id, link}]` for those of
    /// `contacts` that have it. The pane offers to open them (or, when Setup allows
    /// duplicates, to save again).
    #[wasm_bindgen(js_name = findSaved)]
    pub fn find_saved(&self, item: JsValue, contacts: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let item: MailItem = from_js(item, "the email")?;
            let contacts: Vec<Contact> = from_js(contacts, "the chosen contacts")?;
            let settings = inner.settings.borrow().clone();
            let imis = imis_client(&inner)?;
            let plan = plan::build(&item, &settings, &contacts, &[]);
            let mut saved = Vec::new();
            for (contact, record) in &plan.records {
                let found = save::find_saved(&imis, &settings.site, record)
                    .await
                    .map_err(Error::from)?;
                if found.is_none() {
                    let now = js_sys::Date::now();
                    inner.checked.borrow_mut().not_saved(record, now);
                }
                if let Some((id, kind)) = found {
                    saved.push(report::RecordResult {
                        contact: contact.clone(),
                        id,
                        kind,
                        existed: true,
                        link: settings.profile_link(&contact.party_id),
                    });
                }
            }
            Ok(to_js(&saved))
        })
    }

    /// For an email already saved: which of the ticked files (`ids`, as the pane names
    /// them) are in its folder in iMIS now, so each row can say so before saving.
    /// Resolves to those ids. One lookup per file; the pane asks only when `findSaved`
    /// found the email.
    #[wasm_bindgen(js_name = findStoredFiles)]
    pub fn find_stored_files(&self, item: JsValue, contacts: JsValue, ids: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let item: MailItem = from_js(item, "the email")?;
            let contacts: Vec<Contact> = from_js(contacts, "the chosen contacts")?;
            let ids: Vec<String> = from_js(ids, "the ticked attachments")?;
            let settings = inner.settings.borrow().clone();
            let imis = imis_client(&inner)?;
            let plan = plan::build(&item, &settings, &contacts, &ids);
            let folder = plan.folder_path();
            let mut stored = Vec::new();
            for planned in &plan.attachments {
                if imis
                    .find_document(&folder, &planned.stored_name)
                    .await
                    .map_err(Error::from)?
                    .is_some()
                {
                    stored.push(planned.id.clone());
                }
            }
            Ok(to_js(&stored))
        })
    }

    /// `contacts`: the chosen contacts (one record each). `options.again`: save a new
    /// record even where this email is already saved (only when Setup allows
    /// duplicates); `options.withoutGraph`: the user chose to save without signing in
    /// to Microsoft (attachments through Outlook where it can).
    /// `reader`: `{readAttachment(officeId), readEmailFile?()}` bound to this email, for
    /// content Outlook hands over itself.
    ///
    /// `cancelSave()` stops it. Cancelled before any record is written or found
    /// (during the Microsoft sign-in, or before the first record): nothing is written
    /// and the Promise rejects with an `Error` of `kind` "cancelled". Cancelled later:
    /// uploads already sent finish, the records' notes are updated, and it resolves to
    /// the report as usual, with `cancelled: true` when the cancel stopped something,
    /// the attachments it stopped as `{status: "cancelled", reason}` (events: phase
    /// "cancelled") and `cancelledContacts`, the contacts whose record was not written.
    pub fn save(
        &self,
        item: JsValue,
        contacts: JsValue,
        selected: JsValue,
        options: JsValue,
        on_event: Function,
        reader: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        // Made before the Promise runs, so a `cancelSave()` right after `save()` stops
        // this save, not the one before.
        let cancel = Cancel::new();
        self.inner.cancel.replace(cancel.clone());
        promise(async move {
            let item: MailItem = from_js(item, "the email")?;
            let contacts: Vec<Contact> = from_js(contacts, "the chosen contacts")?;
            let selected: Vec<String> = from_js(selected, "the ticked attachments")?;
            let SaveOptions {
                again,
                without_graph,
            } = from_js(options, "the save options")?;
            let settings = inner.settings.borrow().clone();
            if contacts.is_empty() {
                return Err(Error::Settings(vec![settings::FieldError {
                    field: "contacts",
                    message: "Choose at least one iMIS contact to save this email to.".into(),
                }])
                .into());
            }
            if again && !settings.allow_duplicate_emails {
                return Err(Error::Settings(vec![settings::FieldError {
                    field: "allowDuplicateEmails",
                    message: "This email is already saved; saving it again needs \"Allow duplicate emails\" in Setup.".into(),
                }])
                .into());
            }
            let imis = imis_client(&inner)?;
            let host_content = HostContent::new(reader);
            let plan = plan::build(&item, &settings, &contacts, &selected);
            let use_graph = settings.client_id.is_some() && !without_graph;
            let graph = use_graph.then(|| {
                let client = GraphClient::new(
                    settings.graph_api(),
                    item.shared_mailbox.clone(),
                    settings.graph_scopes(item.shared_mailbox.is_some()),
                    inner.tokens.clone(),
                );
                // A cancel aborts the Graph requests in flight: they only read.
                let client = match web_sys::AbortController::new() {
                    Ok(controller) => {
                        let client = client.with_abort_signal(controller.signal());
                        cancel.on_cancel(move || controller.abort());
                        client
                    }
                    Err(_) => client,
                };
                match item.mode {
                    Mode::Compose => client.with_policy(Policy::for_draft()),
                    Mode::Read => client,
                }
            });
            // The Microsoft sign-in comes first: a cancelled or failed one must leave
            // nothing written, so the user can choose what to do.
            if let Some(g) = graph.as_ref().filter(|_| !plan.attachments.is_empty()) {
                cancel
                    .unless_cancelled(g.sign_in())
                    .await
                    .map_err(Error::from)?
                    .map_err(Error::from)?;
            }
            let sources = save::Sources {
                graph: graph.as_ref().map(|g| (g, item.rest_id.as_str())),
                host: item.host_content.then_some(&host_content),
                none_reason: no_source_reason(&settings),
                concurrency: settings.graph_concurrency,
            };
            let emit: save::Emit = Rc::new(move |event: report::Event| {
                let _ = on_event.call1(&JsValue::NULL, &to_js(&event));
            });
            // Records findSaved just found missing need no second lookup (src/checked.rs).
            let now = js_sys::Date::now();
            let known_unsaved: Vec<bool> = plan
                .records
                .iter()
                .map(|(_, r)| inner.checked.borrow_mut().take(r, now))
                .collect();
            let mut result = save::run(
                &plan,
                &imis,
                &settings.site,
                sources,
                save::Known {
                    duplicate: again,
                    unsaved: &known_unsaved,
                },
                emit,
                &cancel,
            )
            .await;
            forget_ended(&inner, &result);
            if let Ok(report) = &mut result {
                for record in &mut report.records {
                    record.link = settings.profile_link(&record.contact.party_id);
                }
            }
            Ok(to_js(&result?))
        })
    }
}

#[wasm_bindgen]
impl App {
    /// Cancels the running save, if any (nothing otherwise; the next `save()` starts
    /// afresh). Returns at once; the save's Promise settles when what was already sent
    /// to iMIS has answered: see `save`.
    #[wasm_bindgen(js_name = cancelSave)]
    pub fn cancel_save(&self) {
        self.inner.cancel.borrow().cancel();
    }
}

#[wasm_bindgen]
impl App {
    /// Setup's *Test configuration*: the checks an administrator does by hand, each
    /// sent to `onCheck` as it ends (`{name, passed, detail, advice}`); resolves to all.
    /// `username`/`password` are optional: without them the iMIS check stops at
    /// "reachable from this origin" (or uses the current iMIS session).
    #[wasm_bindgen(js_name = testConfiguration)]
    pub fn test_configuration(
        &self,
        item: JsValue,
        username: String,
        password: String,
        on_check: Function,
    ) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let item: MailItem = from_js(item, "the email")?;
            let settings = inner.settings.borrow().clone();
            let mut checks = Vec::new();
            let mut report = |check: diagnose::Check| {
                let _ = on_check.call1(&JsValue::NULL, &to_js(&check));
                checks.push(check);
            };
            for c in check::graph(&inner.tokens, &settings, &item).await {
                report(c);
            }
            let session = imis_client(&inner).ok();
            report(
                check::imis(
                    imis_site(&settings),
                    session.clone(),
                    &settings,
                    &username,
                    &password,
                )
                .await,
            );
            if let Some(client) = session {
                for c in check::imis_site(&client, &settings).await {
                    report(c);
                }
            }
            Ok(to_js(&checks))
        })
    }
}

#[wasm_bindgen]
impl App {
    /// The organisation's settings kept in iMIS (read with the signed-in user's token):
    /// `{found, path, values, documentId?, updatedBy?, updatedAt?}`; `found: false` when
    /// there are none yet. Hand `values` to `layerSettings` as the organisation layer.
    #[wasm_bindgen(js_name = loadOrgSettings)]
    pub fn load_org_settings(&self) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let folder = inner.settings.borrow().org_settings_path.clone();
            let imis = imis_client(&inner)?;
            let result = imis.load_org_settings(&folder).await;
            Ok(to_js(&session_checked(&inner, result)?))
        })
    }

    /// Stores the organisation fields of `values` (others are ignored) as the settings
    /// for everyone; resolves to what iMIS now holds, as `loadOrgSettings`. Only users
    /// whom iMIS lets change the settings folder can: others get the error kind
    /// `org-settings-read-only`.
    #[wasm_bindgen(js_name = saveOrgSettings)]
    pub fn save_org_settings(&self, values: JsValue) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let raw: RawSettings = from_js(values, "the organisation's settings")?;
            let values = org::organisation_values(&raw);
            settings::validate(&org::organisation_raw(&values), &inner.extra_clouds)
                .map_err(Error::Settings)?;
            let folder = inner.settings.borrow().org_settings_path.clone();
            let imis = imis_client(&inner)?;
            let result = imis.save_org_settings(&folder, &values).await;
            Ok(to_js(&session_checked(&inner, result)?))
        })
    }
}

/// Merges the deployment's values, the organisation's (`null` when iMIS has none) and
/// the user's own into `{values, sources, layers}`: the values to apply, where each came
/// from (`deployment`, `organisation`, `personal`, `default`), and whose each field is.
#[wasm_bindgen(js_name = layerSettings)]
pub fn layer_settings(
    deployment: JsValue,
    organisation: JsValue,
    personal: JsValue,
) -> Result<JsValue, JsValue> {
    let deployment: RawSettings = from_js(deployment, "the deployment's settings")?;
    let organisation: Option<RawSettings> = if organisation.is_null() || organisation.is_undefined()
    {
        None
    } else {
        Some(from_js(organisation, "the organisation's settings")?)
    };
    let personal: RawSettings = from_js(personal, "your settings")?;
    let organisation = organisation.as_ref().map(org::organisation_values);
    Ok(to_js(&org::layer(
        &deployment,
        organisation.as_ref(),
        &personal,
    )))
}

/// An ended iMIS session is forgotten, as the save does.
fn session_checked<T>(inner: &Inner, result: Result<T, ImisError>) -> Result<T, Error> {
    if let Err(ImisError::SessionExpired) = &result {
        inner.imis.replace(None);
    }
    result.map_err(Error::from)
}

/// `{again, withoutGraph}`, both optional booleans (read by hand, as the derive with
/// `#[serde(default)]` would).
#[derive(Default)]
struct SaveOptions {
    again: bool,
    without_graph: bool,
}

impl crate::json::FromJson for SaveOptions {
    fn from_json(v: crate::json::Value) -> crate::json::Result<Self> {
        let mut f = json::Fields::of(v, "struct SaveOptions")?;
        Ok(SaveOptions {
            again: f.opt("again")?,
            without_graph: f.opt("withoutGraph")?,
        })
    }
}

/// Each Setup field's value when nobody set it (`{activityType: "EMAIL", ...}`), shown
/// in Setup as values.
#[wasm_bindgen(js_name = settingDefaults)]
pub fn setting_defaults() -> JsValue {
    to_js(&settings::defaults())
}

/// The id the pane gives the email itself, so it can be ticked like an attachment.
#[wasm_bindgen(js_name = emailFileId)]
pub fn email_file_id() -> String {
    plan::EMAIL_FILE_ID.to_string()
}

/// Why attachments cannot be read at all, for the report.
fn no_source_reason(settings: &Settings) -> String {
    if settings.client_id.is_none() {
        "Attachments were not included: no Microsoft Entra app is set up for this add-in, \
         and this version of Outlook cannot hand attachments to add-ins. An administrator must \
         register the app and enter its Application (client) ID in Menu > Setup."
            .to_string()
    } else {
        "Attachments were not included: they could not be read.".to_string()
    }
}

fn imis_site(settings: &Settings) -> Result<String, Error> {
    if settings.imis_url.is_empty() {
        return Err(Error::Settings(vec![settings::FieldError {
            field: "imisUrl",
            message: "Enter the iMIS site URL in Menu > Setup.".into(),
        }]));
    }
    Ok(settings.imis_url.clone())
}

/// The iMIS session in use: the one in memory, else one kept in this Outlook session's
/// storage for the site in Setup.
fn imis_client(inner: &Inner) -> Result<ImisClient, Error> {
    if let Some(s) = &*inner.imis.borrow() {
        if s.expires_at_ms > js_sys::Date::now() {
            return Ok(s.client.clone());
        }
    }
    let site = inner.settings.borrow().imis_url.clone();
    let kept = (!site.is_empty())
        .then(|| session::load(&site))
        .flatten()
        .ok_or(Error::from(ImisError::NotSignedIn))?;
    let client = ImisClient::with_token(&kept.site, &kept.token);
    inner.imis.replace(Some(ImisSession {
        client: client.clone(),
        expires_at_ms: kept.expires_at_ms,
        user: kept.user,
    }));
    Ok(client)
}

/// iMIS ended the session: forget it here and in session storage, so the pane asks.
fn forget_ended<T>(inner: &Inner, result: &Result<T, Error>) {
    if let Err(Error::Imis(ImisError::SessionExpired)) = result {
        inner.imis.replace(None);
        inner.checked.borrow_mut().forget();
        session::clear();
    }
}

/// Plain JS data in through `JSON.stringify` and the JSON reader the wasm has anyway
/// (one deserializer per type instead of two, measured smaller than serde-wasm-bindgen
/// once `json` reads through a `Value`). What
/// `JSON.stringify` leaves out (`undefined`, functions) reads as a missing field, as
/// before; a value it cannot write (`undefined` itself, BigInt, a cycle) reads as null.
fn from_js<T: json::FromJson>(value: JsValue, what: &'static str) -> Result<T, Error> {
    let text = js_sys::JSON::stringify(&value)
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| "null".to_string());
    json::from_slice(text.as_bytes()).map_err(|e| {
        let detail = e.to_string();
        // The position in text the user never saw says nothing.
        let detail = match detail.rfind(" at line ") {
            Some(at) => detail[..at].to_string(),
            None => detail,
        };
        Error::Host(HostError::BadData { what, detail })
    })
}

/// Rust data out as plain JS data: its JSON text (`jsonw`) through `JSON.parse`, what
/// serde-wasm-bindgen's JSON-compatible serializer built (objects, arrays, strings,
/// numbers, booleans, null; no value here is a float or beyond 2^53).
fn to_js<T: jsonw::ToJson + ?Sized>(value: &T) -> JsValue {
    js_sys::JSON::parse(&jsonw::to_string(value)).unwrap_or(JsValue::NULL)
}

/// A Promise of `work`. Boxed, so every exported async method shares one copy of
/// wasm-bindgen-futures' promise machinery instead of one per future type (measured:
/// that machinery, monomorphised for each method, was about 19 KB of the wasm).
fn promise(work: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    let work: Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>> = Box::pin(work);
    wasm_bindgen_futures::future_to_promise(work)
}
