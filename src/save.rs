//! Runs a plan: the iMIS activity first (so the email is never lost), then the email's
//! folder, then the attachments side by side, each downloaded (at most N from Graph at
//! once) and uploaded (at most N at once), so downloads and uploads overlap. Every
//! step is looked up before it is done, so a second save stores only what is missing.
//!
//! A cancelled save (`Cancel`) starts nothing new and abandons reads in flight
//! (lookups, downloads), but lets every write already sent finish (a record, the
//! folder, a document upload: iMIS may store it although it answers an error, so only
//! its answer, or a look afterwards, tells), and counts what they stored. The records'
//! notes are then written as always, so they list exactly what is in iMIS.

use crate::vecmap::Map;
use std::rc::Rc;

use futures_util::future::join_all;

use crate::body::Body;
use crate::cancel::{Cancel, Cancelled, CANCELLED_REASON};
use crate::error::{Error, GraphError, HostError, ImisError};
use crate::graph::model::{Attachment, ItemKind};
use crate::graph::GraphClient;
use crate::host::HostContent;
use crate::imis::site::SiteProfile;
use crate::imis::ImisClient;
use crate::json::Value;
use crate::plan::{section, size_text, too_large, Handling, PlannedAttachment, SavePlan};
use crate::record::Record;
use crate::report::{AttachmentResult, Event, Outcome, RecordResult, Report, Throttle};
use crate::settings::RecordKind;
use crate::slots::Slots;

/// Receives progress events; shared with upload callbacks, hence `Rc`.
pub type Emit = Rc<dyn Fn(Event)>;

/// Where attachment content can come from.
pub struct Sources<'a> {
    /// Microsoft Graph, when an Entra app is set up and the mailbox is known.
    pub graph: Option<(&'a GraphClient, &'a str)>,
    /// Outlook itself (`getAttachmentContentAsync`), when the host has it.
    pub host: Option<&'a HostContent>,
    /// Said when neither can be used.
    pub none_reason: String,
    /// At most this many downloads and this many uploads at once.
    pub concurrency: usize,
}

/// What the pane knows before the save starts.
pub struct Known<'a> {
    /// Save a new record even where the email is already saved (Setup allows it).
    pub duplicate: bool,
    /// By record (as in the plan): iMIS said moments ago it has no record of this email
    /// for that contact (`findSaved`, src/checked.rs), so the save need not look again.
    pub unsaved: &'a [bool],
}

enum Source<'a> {
    Graph(&'a GraphClient, &'a str, Map<String, Attachment>),
    Host(&'a HostContent),
}

/// Runs the plan. Cancelled before any record is found or written: `Error::Cancelled`,
/// nothing written. Cancelled later: the report, with what was stored and
/// `cancelled` set.
pub async fn run(
    plan: &SavePlan,
    imis: &ImisClient,
    site: &SiteProfile,
    sources: Sources<'_>,
    known: Known<'_>,
    emit: Emit,
    cancel: &Cancel,
) -> Result<Report, Error> {
    emit(Event::Activity {
        phase: "saving",
        activity_id: None,
    });
    let mut records = Vec::new();
    // By record in `records`: as iMIS answered when this save wrote it.
    let mut stored = Vec::new();
    let mut notice = None;
    let mut cancelled_contacts = Vec::new();
    for (i, (contact, record)) in plan.records.iter().enumerate() {
        let known_unsaved = known.unsaved.get(i) == Some(&true);
        let saved = match cancel.check() {
            Ok(()) => {
                save_record(
                    imis,
                    site,
                    record,
                    known.duplicate,
                    known_unsaved,
                    &mut notice,
                    cancel,
                )
                .await
            }
            Err(c) => Err(c.into()),
        };
        let (id, kind, existed, answer) = match saved {
            Ok(saved) => saved,
            Err(Error::Cancelled(_)) => {
                cancelled_contacts.push(contact.clone());
                continue;
            }
            Err(e) => return Err(e),
        };
        emit(Event::Activity {
            phase: if existed { "existing" } else { "saved" },
            activity_id: Some(&id),
        });
        records.push(RecordResult {
            contact: contact.clone(),
            id,
            kind,
            existed,
            link: None,
        });
        stored.push(answer);
    }

    if !cancelled_contacts.is_empty() {
        emit(Event::Activity {
            phase: "cancelled",
            activity_id: None,
        });
    }
    if records.is_empty() && !cancelled_contacts.is_empty() {
        for a in &plan.attachments {
            emit(Event::detail(&a.id, "cancelled", CANCELLED_REASON));
        }
        return Err(Cancelled.into());
    }

    let mut report = Report {
        records,
        folder: None,
        attachments: plan
            .links
            .iter()
            .map(|l| AttachmentResult {
                id: l.id.clone(),
                name: l.name.clone(),
                stored_name: String::new(),
                size: 0,
                outcome: Outcome::Linked { url: l.url.clone() },
            })
            .collect(),
        left_out: plan.left_out.clone(),
        notice,
        source: None,
        cancelled: false,
        cancelled_contacts,
    };
    for l in &plan.links {
        emit(Event::attachment(&l.id, "linked"));
    }
    for l in plan.left_out.iter().filter(|l| !l.chosen) {
        emit(Event::detail(&l.id, "leftOut", &l.reason));
    }
    if !plan.attachments.is_empty() {
        save_attachments(plan, imis, site, &sources, &emit, &mut report, cancel).await?;
    }
    // Also after a cancel: the notes list what this save stored.
    update_notes(plan, imis, site, &mut report, stored).await;
    report.finish_cancel();
    Ok(report)
}

/// Every attachment cancelled before anything of them was written.
fn cancel_all(plan: &SavePlan, emit: &Emit, report: &mut Report) {
    for a in &plan.attachments {
        emit(Event::detail(&a.id, "cancelled", CANCELLED_REASON));
        report.attachments.push(result(a, cancelled()));
    }
}

fn cancelled() -> Outcome {
    Outcome::Cancelled {
        reason: CANCELLED_REASON.to_string(),
    }
}

/// The email's folder, then every attachment side by side.
async fn save_attachments(
    plan: &SavePlan,
    imis: &ImisClient,
    site: &SiteProfile,
    sources: &Sources<'_>,
    emit: &Emit,
    report: &mut Report,
    cancel: &Cancel,
) -> Result<(), Error> {
    // Listing the attachments only reads: abandoned when cancelled.
    let Ok(chosen) = cancel.unless_cancelled(choose_source(sources)).await else {
        cancel_all(plan, emit, report);
        return Ok(());
    };
    let source = match chosen {
        Ok((source, notice)) => {
            if let Some(n) = notice {
                add_notice(&mut report.notice, n);
            }
            source
        }
        Err(reason) => {
            for a in &plan.attachments {
                emit(Event::detail(&a.id, "failed", &reason));
                report.attachments.push(result(
                    a,
                    Outcome::Failed {
                        reason: reason.clone(),
                        again: false,
                    },
                ));
            }
            add_notice(&mut report.notice, reason);
            return Ok(());
        }
    };
    report.source = Some(match source {
        Source::Graph(..) => "graph",
        Source::Host(_) => "outlook",
    });

    let folder = plan.folder_path();
    let (parent, name) = (&plan.folder_parent, &plan.folder_name);
    // A folder this save creates holds nothing yet: its documents need no lookups.
    let Ok(found) = cancel
        .unless_cancelled(imis.find_document(parent, name))
        .await
    else {
        cancel_all(plan, emit, report);
        return Ok(());
    };
    let folder_new = found?.is_none();
    if folder_new {
        // The last point to stop before the folder is written.
        if cancel.is_cancelled() {
            cancel_all(plan, emit, report);
            return Ok(());
        }
        if let Err(e) = imis.create_folder(site, parent, name).await {
            // iMIS can answer 500 although it made the folder: look before failing.
            let made = matches!(
                e,
                ImisError::Http {
                    status: 500..=599,
                    ..
                }
            ) && imis.find_document(parent, name).await?.is_some();
            if !made {
                return Err(e.into());
            }
        }
    }
    report.folder = Some(folder.clone());

    let downloads = Slots::new(sources.concurrency);
    let uploads = Slots::new(sources.concurrency);
    let step = Step {
        imis,
        site,
        source: &source,
        host: sources.host,
        folder: &folder,
        folder_new,
        max_request_bytes: plan.max_request_bytes,
        graph_set_up: sources.graph.is_some(),
        downloads: &downloads,
        uploads: &uploads,
        emit,
        cancel,
    };
    let outcomes = join_all(plan.attachments.iter().map(|a| step.attachment(a))).await;
    for (planned, outcome) in plan.attachments.iter().zip(outcomes) {
        report.attachments.push(result(planned, outcome?));
    }
    Ok(())
}

/// Rewrites each record's attachments section with what was stored (document ids and
/// paths), when this save made the record or stored something new. Everything above
/// the section's marker is kept, as staff may have edited it. A failure here loses
/// nothing: it is reported, and the next save writes the section again.
async fn update_notes(
    plan: &SavePlan,
    imis: &ImisClient,
    site: &SiteProfile,
    report: &mut Report,
    stored: Vec<Option<Value>>,
) {
    let uploaded = report
        .attachments
        .iter()
        .any(|a| matches!(a.outcome, Outcome::Saved { .. }));
    let section = final_section(plan, report);
    let mut failures = Vec::new();
    for (((_, record), saved), stored) in plan.records.iter().zip(&report.records).zip(stored) {
        if saved.existed && !uploaded {
            continue;
        }
        let written = Record {
            kind: saved.kind,
            ..record.clone()
        };
        if let Err(e) = imis
            .update_note(site, &written, &saved.id, &section, stored)
            .await
        {
            failures.push(format!(
                "The list of attachments on record {} could not be updated: {e}",
                saved.id
            ));
        }
    }
    for line in failures {
        add_notice(&mut report.notice, line);
    }
}

/// Adds a sentence to the report's notice.
fn add_notice(notice: &mut Option<String>, line: String) {
    *notice = Some(match notice.take() {
        Some(n) => format!("{n} {line}"),
        None => line,
    });
}

/// Where this email is already saved for the record's contact: as the record's kind,
/// or, for an interaction, as the activity a site that refused it got instead.
pub async fn find_saved(
    imis: &ImisClient,
    site: &SiteProfile,
    record: &Record,
) -> Result<Option<(String, RecordKind)>, ImisError> {
    if let Some(id) = imis.find_record(site, record).await? {
        return Ok(Some((id, record.kind)));
    }
    if record.kind == RecordKind::Interaction {
        let activity = record.as_activity();
        if let Some(id) = imis.find_record(site, &activity).await? {
            return Ok(Some((id, RecordKind::Activity)));
        }
    }
    Ok(None)
}

/// The email's record for one contact: found when it is already saved (looked up unless
/// the pane knows it is not, or a duplicate is wanted), written otherwise; with iMIS's
/// answer when this save wrote it. A site that refuses the interaction contract gets an
/// activity instead, holding the same text, so nothing is lost; the notice says so.
async fn save_record(
    imis: &ImisClient,
    site: &SiteProfile,
    record: &Record,
    duplicate: bool,
    known_unsaved: bool,
    notice: &mut Option<String>,
    cancel: &Cancel,
) -> Result<(String, RecordKind, bool, Option<Value>), Error> {
    let interaction = record.kind == RecordKind::Interaction;
    if !duplicate && !known_unsaved {
        if let Some((id, kind)) = cancel
            .unless_cancelled(find_saved(imis, site, record))
            .await??
        {
            return Ok((id, kind, true, None));
        }
    }
    // The last point to stop before the record is written; from here its answer, or a
    // look afterwards, says whether iMIS stored it. (A duplicate is never looked up:
    // an earlier copy would be taken for this one.)
    cancel.check()?;
    let e = match imis.create_record(site, record).await {
        Ok(c) => return Ok((c.id, record.kind, false, c.stored)),
        Err(e) => e,
    };
    let status = match &e {
        ImisError::Http { status, .. } => *status,
        // Stored, but the answer did not say under which id: look it up.
        ImisError::BadResponse { .. } if !duplicate => {
            return match imis.find_record(site, record).await? {
                Some(id) => Ok((id, record.kind, false, None)),
                None => Err(e.into()),
            }
        }
        _ => return Err(e.into()),
    };
    // iMIS can answer 500 although it stored the record: look before going on.
    if status >= 500 && !duplicate {
        if let Some(id) = imis.find_record(site, record).await? {
            return Ok((id, record.kind, false, None));
        }
    }
    if !interaction || !matches!(status, 400 | 404 | 405 | 415 | 422 | 500..=599) {
        return Err(e.into());
    }
    // The interaction was refused (nothing stored): the activity is a new write.
    cancel.check()?;
    let created = imis.create_record(site, &record.as_activity()).await?;
    let id = created.id;
    add_notice(
        notice,
        format!(
            "iMIS did not accept the interaction ({e}), so the email was saved as activity {id} \
             instead, with the same text. An administrator can choose activities in Setup, \
             or check the interaction settings against the site (README: Interactions)."
        ),
    );
    Ok((id, RecordKind::Activity, false, created.stored))
}

/// The attachments section once the uploads are done: each with its document id and
/// path, or why it was not saved.
fn final_section(plan: &SavePlan, report: &Report) -> String {
    let mut lines: Vec<String> = report
        .attachments
        .iter()
        .filter_map(|a| {
            let size = size_text(a.size);
            match &a.outcome {
                Outcome::Saved { document_id, path }
                | Outcome::AlreadySaved { document_id, path } => Some(format!(
                    "- {} ({size}): document {document_id}, {path}",
                    a.name
                )),
                Outcome::Failed { reason, .. } | Outcome::Cancelled { reason } => {
                    Some(format!("- {} ({size}): not saved ({reason})", a.name))
                }
                Outcome::Linked { .. } => None,
            }
        })
        .collect();
    lines.extend(
        plan.left_out
            .iter()
            .filter(|l| !l.chosen)
            .map(|l| format!("- {}: not saved ({})", l.name, l.reason)),
    );
    section(&plan.folder_path(), &lines, &plan.links)
}

/// Graph when it can list the message's attachments; otherwise Outlook itself, with a
/// notice saying why; an error (the reason) when neither can be used.
async fn choose_source<'a>(sources: &Sources<'a>) -> Result<(Source<'a>, Option<String>), String> {
    let graph_failure = match sources.graph {
        Some((graph, message_id)) => match graph.list_attachments(message_id).await {
            Ok(list) => {
                let listed = list.into_iter().map(|a| (a.id.clone(), a)).collect();
                return Ok((Source::Graph(graph, message_id, listed), None));
            }
            Err(e) => Some(e),
        },
        None => None,
    };
    // /me does not know an item of a shared mailbox that Outlook did not name as such.
    let graph_failure = graph_failure.map(|e| match &e {
        GraphError::Http { status: 404, .. } => format!(
            "Microsoft Graph does not find this email in your mailbox ({e}); it may be in a \
             shared mailbox this version of Outlook does not name."
        ),
        _ => e.to_string(),
    });
    match (sources.host, graph_failure) {
        (Some(host), None) => Ok((Source::Host(host), None)),
        (Some(host), Some(e)) => Ok((
            Source::Host(host),
            Some(format!(
                "{e} The attachments were read through Outlook instead."
            )),
        )),
        (None, Some(e)) => Err(format!("Attachments were not saved: {e}")),
        (None, None) => Err(sources.none_reason.clone()),
    }
}

fn result(planned: &PlannedAttachment, outcome: Outcome) -> AttachmentResult {
    AttachmentResult {
        id: planned.id.clone(),
        name: planned.name.clone(),
        stored_name: planned.stored_name.clone(),
        size: planned.size,
        outcome,
    }
}

struct Step<'a> {
    imis: &'a ImisClient,
    site: &'a SiteProfile,
    source: &'a Source<'a>,
    /// Outlook's own reader, for what only Outlook can read.
    host: Option<&'a HostContent>,
    folder: &'a str,
    /// Made by this save: nothing is in it yet.
    folder_new: bool,
    max_request_bytes: u64,
    /// Graph is set up (the host is read only because Graph failed this save).
    graph_set_up: bool,
    downloads: &'a Slots,
    uploads: &'a Slots,
    emit: &'a Emit,
    cancel: &'a Cancel,
}

impl Step<'_> {
    /// One attachment. Its failures become its outcome, so the others go on; only an
    /// ended iMIS session stops the whole save (the user must sign in again). A cancel
    /// before its upload is sent makes it "cancelled".
    async fn attachment(&self, planned: &PlannedAttachment) -> Result<Outcome, Error> {
        let outcome = match self.try_attachment(planned).await {
            Ok(outcome) => outcome,
            Err(Error::Cancelled(_)) => cancelled(),
            Err(e @ Error::Imis(ImisError::SessionExpired | ImisError::NotSignedIn)) => {
                return Err(e)
            }
            Err(e) => Outcome::Failed {
                again: crate::retry::saving_again_helps(&e),
                reason: e.to_string(),
            },
        };
        let id = planned.id.as_str();
        match &outcome {
            Outcome::Failed { reason, .. } => (self.emit)(Event::detail(id, "failed", reason)),
            Outcome::Cancelled { reason } => (self.emit)(Event::detail(id, "cancelled", reason)),
            Outcome::AlreadySaved { .. } => (self.emit)(Event::attachment(id, "existing")),
            _ => (self.emit)(Event::attachment(id, "saved")),
        }
        Ok(outcome)
    }

    async fn try_attachment(&self, planned: &PlannedAttachment) -> Result<Outcome, Error> {
        let id = planned.id.as_str();
        let mut name = planned.stored_name.clone();
        // Until its upload is sent, everything an attachment does only reads (lookups,
        // waiting for a slot, downloading): a cancel abandons it where it stands.
        let cancel = self.cancel;
        // An attached item's extension is known only from its kind, after download.
        if planned.handling != Handling::Item {
            if let Some(done) = cancel.unless_cancelled(self.existing(&name)).await?? {
                return Ok(done);
            }
        }
        (self.emit)(Event::attachment(id, "waiting"));
        // Every Graph request of an attachment holds a download slot: never more in
        // flight than Setup allows (Graph takes 4 per app and mailbox).
        let (body, kind) = {
            let _slot = cancel.unless_cancelled(self.downloads.take()).await?;
            let read = async {
                let body = self.download(planned).await?;
                let kind = match self.source {
                    _ if planned.handling != Handling::Item => None,
                    Source::Graph(graph, message_id, _) if !planned.host_only => {
                        Some(graph.item_kind(message_id, id).await?)
                    }
                    _ => Some(host_item_kind(body.content_type.as_deref())),
                };
                Ok::<_, Error>((body, kind))
            };
            cancel.unless_cancelled(read).await??
        };
        if let Some(kind) = kind {
            name = item_name(&name, kind);
            if let Some(done) = cancel.unless_cancelled(self.existing(&name)).await?? {
                return Ok(done);
            }
        }
        // Sizes known only now (the email itself, attached items) meet the same limit.
        if let Some(reason) = too_large(&name, body.bytes, self.max_request_bytes) {
            return Ok(Outcome::Failed {
                reason: format!("{name} was not stored: {reason}"),
                again: false,
            });
        }
        let _slot = cancel.unless_cancelled(self.uploads.take()).await?;
        // The last point to stop: from here the upload is sent and its answer (or the
        // look after a 500) awaited, cancelled or not, so its result counts.
        cancel.check()?;
        let emit = self.emit.clone();
        let owned_id = planned.id.clone();
        let throttle = Throttle::new(body.bytes);
        let total = body.bytes;
        let progress = Rc::new(move |sent: u64| {
            if throttle.due(sent) {
                emit(Event::bytes(&owned_id, "uploading", sent, total));
            }
        });
        (self.emit)(Event::bytes(id, "uploading", 0, total));
        let type_id = self.site.document_type(&name);
        match self
            .imis
            .upload_document(self.folder, &name, &type_id, &body, progress)
            .await
        {
            Ok(document_id) => Ok(Outcome::Saved {
                document_id,
                path: format!("{}/{name}", self.folder),
            }),
            // iMIS can answer 500 although it stored the document: look before failing.
            Err(
                e @ ImisError::Http {
                    status: 500..=599, ..
                },
            ) => match self.look_up(&name).await? {
                Some(Outcome::AlreadySaved { document_id, path }) => {
                    Ok(Outcome::Saved { document_id, path })
                }
                _ => Err(e.into()),
            },
            Err(e) => Err(e.into()),
        }
    }

    /// The document already in the folder, unless the folder is new.
    async fn existing(&self, name: &str) -> Result<Option<Outcome>, Error> {
        if self.folder_new {
            return Ok(None);
        }
        self.look_up(name).await
    }

    async fn look_up(&self, name: &str) -> Result<Option<Outcome>, Error> {
        let path = format!("{}/{name}", self.folder);
        Ok(self
            .imis
            .find_document(self.folder, name)
            .await?
            .map(|document_id| Outcome::AlreadySaved { document_id, path }))
    }

    async fn download(&self, planned: &PlannedAttachment) -> Result<Body, Error> {
        let id = planned.id.as_str();
        if planned.host_only {
            let host = self.host.ok_or_else(|| HostError::BadData {
                what: "a draft's attachment",
                detail: "this Outlook names the draft's attachments by position only, which \
                         Microsoft Graph does not know, and cannot hand their content over itself"
                    .into(),
            })?;
            (self.emit)(Event::bytes(id, "downloading", 0, planned.size));
            return Ok(host.content(&planned.office_id).await?);
        }
        match self.source {
            Source::Graph(graph, message_id, listed) => {
                let total = match planned.handling {
                    Handling::Email => Some(planned.size),
                    _ => listed.get(id).map(|a| a.size),
                }
                .ok_or_else(|| {
                    GraphError::BadResponse(
                        "Microsoft Graph does not list this attachment any more; reopen the email and try again."
                            .into(),
                    )
                })?;
                let throttle = Throttle::new(total);
                let progress = |done: u64| {
                    if throttle.due(done) {
                        (self.emit)(Event::bytes(id, "downloading", done, total.max(done)));
                    }
                };
                let on_retry = |why: &str| (self.emit)(Event::detail(id, "retrying", why));
                Ok(match planned.handling {
                    Handling::Email => {
                        graph
                            .download_message(message_id, &progress, &on_retry)
                            .await?
                    }
                    _ => graph.download(message_id, id, &progress, &on_retry).await?,
                })
            }
            Source::Host(host) => {
                (self.emit)(Event::bytes(id, "downloading", 0, planned.size));
                Ok(match planned.handling {
                    Handling::Email => host.email_file(self.graph_set_up).await?,
                    _ => host.content(&planned.office_id).await?,
                })
            }
        }
    }
}

/// `.eml`, `.ics` or `.vcf`, from the item's kind.
fn item_name(planned: &str, kind: ItemKind) -> String {
    let stem = planned.strip_suffix(".eml").unwrap_or(planned);
    format!("{stem}.{}", kind.extension())
}

/// The kind of an item Outlook handed over: its `format` says (eml, iCalendar).
fn host_item_kind(content_type: Option<&str>) -> ItemKind {
    match content_type {
        Some("text/calendar") => ItemKind::Event,
        _ => ItemKind::Message,
    }
}

#[cfg(test)]
mod tests {
    use super::{cancelled, final_section, host_item_kind, item_name, result, ItemKind};
    use crate::plan::{Handling, PlannedAttachment, SavePlan};
    use crate::report::{Outcome, Report};

    fn planned(name: &str) -> PlannedAttachment {
        PlannedAttachment {
            id: name.into(),
            office_id: String::new(),
            name: name.into(),
            stored_name: name.into(),
            size: 2048,
            handling: Handling::File,
            host_only: false,
        }
    }

    #[test]
    fn the_note_after_a_cancel_lists_what_is_stored_and_what_is_not() {
        let plan = SavePlan {
            records: Vec::new(),
            folder_parent: "$/Emails".into(),
            folder_name: "2026-11-20 Board papers".into(),
            attachments: vec![planned("minutes.pdf"), planned("budget.xlsx")],
            links: Vec::new(),
            left_out: Vec::new(),
            max_request_bytes: 10 << 20,
        };
        let stored = Outcome::Saved {
            document_id: "D1".into(),
            path: "$/Emails/2026-11-20 Board papers/minutes.pdf".into(),
        };
        let report = Report {
            records: Vec::new(),
            folder: Some(plan.folder_path()),
            attachments: vec![
                result(&plan.attachments[0], stored),
                result(&plan.attachments[1], cancelled()),
            ],
            left_out: Vec::new(),
            notice: None,
            source: Some("graph"),
            cancelled: false,
            cancelled_contacts: Vec::new(),
        };
        assert_eq!(
            final_section(&plan, &report),
            "Attachments, in iMIS folder $/Emails/2026-11-20 Board papers:\n\
             - minutes.pdf (2.0 KB): document D1, $/Emails/2026-11-20 Board papers/minutes.pdf\n\
             - budget.xlsx (2.0 KB): not saved (Cancelled before it was saved.)\n"
        );
    }

    #[test]
    fn item_extensions_follow_the_kind() {
        assert_eq!(
            item_name("Fwd_ minutes.eml", ItemKind::Message),
            "Fwd_ minutes.eml"
        );
        assert_eq!(
            item_name("Board meeting.eml", ItemKind::Event),
            "Board meeting.ics"
        );
        assert_eq!(
            item_name("Sam Board.eml", ItemKind::Contact),
            "Sam Board.vcf"
        );
        assert_eq!(host_item_kind(Some("text/calendar")), ItemKind::Event);
        assert_eq!(host_item_kind(Some("message/rfc822")), ItemKind::Message);
    }
}
