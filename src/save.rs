//! Runs a plan: the iMIS activity first (so the email is never lost), then the email's
//! folder, then each attachment: downloaded from Graph, uploaded to iMIS. Every step is
//! looked up before it is done, so a second save stores only what is missing.

use std::collections::HashMap;

use crate::error::{Error, ImisError};
use crate::graph::model::Attachment;
use crate::graph::GraphClient;
use crate::imis::ImisClient;
use crate::plan::{PlannedAttachment, SavePlan};
use crate::report::{AttachmentResult, Event, Outcome, Report};

/// Where attachments come from; `None` when no Entra app is configured.
pub struct Source<'a> {
    pub graph: &'a GraphClient,
    pub message_id: &'a str,
}

pub async fn run(
    plan: &SavePlan,
    imis: &ImisClient,
    source: Option<Source<'_>>,
    emit: &dyn Fn(Event),
) -> Result<Report, Error> {
    emit(Event::Activity {
        phase: "saving",
        activity_id: None,
    });
    let activity = &plan.activity;
    let (activity_id, activity_existed) = match imis
        .find_activity(&activity.party_id, &activity.message_key)
        .await?
    {
        Some(id) => (id, true),
        None => (imis.create_activity(&activity.to_entity()).await?, false),
    };
    emit(Event::Activity {
        phase: if activity_existed {
            "existing"
        } else {
            "saved"
        },
        activity_id: Some(&activity_id),
    });

    let mut report = Report {
        contact: plan.contact.clone(),
        activity_id,
        activity_existed,
        folder: None,
        attachments: Vec::new(),
        left_out: plan.left_out.clone(),
        notice: plan.notice.clone(),
    };
    let Some(source) = source.filter(|_| !plan.attachments.is_empty()) else {
        return Ok(report);
    };

    let folder = plan.folder_path();
    if imis.find_document(&folder).await?.is_none() {
        imis.create_folder(&plan.folder_parent, &plan.folder_name)
            .await?;
    }
    report.folder = Some(folder.clone());

    let listed = (source.graph.list_attachments(source.message_id).await).map(|list| {
        list.into_iter()
            .map(|a| (a.id.clone(), a))
            .collect::<HashMap<_, _>>()
    });
    for planned in &plan.attachments {
        let outcome = match &listed {
            Ok(listed) => {
                save_one(
                    planned,
                    listed.get(&planned.id),
                    &folder,
                    imis,
                    &source,
                    emit,
                )
                .await?
            }
            Err(e) => Outcome::Failed {
                reason: e.to_string(),
            },
        };
        let detail = match &outcome {
            Outcome::Failed { reason } => Some(reason.as_str()),
            _ => None,
        };
        let phase = match outcome {
            Outcome::Saved { .. } => "saved",
            Outcome::AlreadySaved { .. } => "existing",
            Outcome::Failed { .. } => "failed",
        };
        emit(Event::Attachment {
            id: &planned.id,
            phase,
            detail,
        });
        report.attachments.push(AttachmentResult {
            id: planned.id.clone(),
            name: planned.name.clone(),
            stored_name: planned.stored_name.clone(),
            size: planned.size,
            outcome,
        });
    }
    Ok(report)
}

/// One attachment. Failures of this attachment become its outcome, so the others go
/// on; only an ended iMIS session stops the whole save (the user must sign in again).
async fn save_one(
    planned: &PlannedAttachment,
    listed: Option<&Attachment>,
    folder: &str,
    imis: &ImisClient,
    source: &Source<'_>,
    emit: &dyn Fn(Event),
) -> Result<Outcome, Error> {
    let path = format!("{folder}/{}", planned.stored_name);
    let attempt = async {
        if let Some(document_id) = imis.find_document(&path).await? {
            return Ok(Outcome::AlreadySaved {
                document_id,
                path: path.clone(),
            });
        }
        if listed.is_none() {
            return Ok(Outcome::Failed {
                reason: "Microsoft Graph does not list this attachment any more; reopen the email and try again."
                    .into(),
            });
        }
        emit(Event::Attachment {
            id: &planned.id,
            phase: "downloading",
            detail: None,
        });
        let on_retry = |why: &str| {
            emit(Event::Attachment {
                id: &planned.id,
                phase: "retrying",
                detail: Some(why),
            })
        };
        let bytes = source
            .graph
            .download(source.message_id, &planned.id, &on_retry)
            .await?;
        emit(Event::Attachment {
            id: &planned.id,
            phase: "uploading",
            detail: None,
        });
        let document_id = imis
            .upload_document(folder, &planned.stored_name, &bytes)
            .await?;
        Ok::<_, Error>(Outcome::Saved {
            document_id,
            path: path.clone(),
        })
    };
    match attempt.await {
        Ok(outcome) => Ok(outcome),
        Err(e @ Error::Imis(ImisError::SessionExpired | ImisError::NotSignedIn)) => Err(e),
        Err(e @ (Error::Graph(_) | Error::Imis(_))) => Ok(Outcome::Failed {
            reason: e.to_string(),
        }),
        Err(e) => Err(e),
    }
}
