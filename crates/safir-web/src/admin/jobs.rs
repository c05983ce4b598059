//! Background jobs for administrators: queue counts, the dead letters with their last error,
//! and a retry that puts a dead job back in the queue (audited in the same transaction); sent
//! again (a second click), the retry answers as the first did.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{Html, IntoResponse, Redirect, Response};
use safir_domain::audit::actions;
use safir_store::StoreError;
use safir_store::jobs::{self, QueueStats};

use super::support::Actor;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::page::{FlashKind, Page, render};
use crate::state::AppState;

const DEAD_LIMIT: i64 = 100;
/// Payloads and errors are cut for the list; the whole text stays in the database.
const PREVIEW_CHARS: usize = 600;

struct DeadJob {
    id: String,
    kind: String,
    attempts: i32,
    max_attempts: i32,
    last_error: String,
    payload: String,
    failed_at: String,
}

#[derive(Template)]
#[template(path = "admin/jobs.html")]
struct JobsPage {
    page: Page,
    csrf_token: String,
    stats: QueueStats,
    dead: Vec<DeadJob>,
}

fn preview(s: &str) -> String {
    let mut out: String = s.chars().take(PREVIEW_CHARS).collect();
    if s.chars().count() > PREVIEW_CHARS {
        out.push('…');
    }
    out
}

/// Payload fields that may carry a credential (an email's text holds its sign-in or reset
/// link; its headers a signed unsubscribe link, which is the authority to unsubscribe; its
/// attachments a calendar file or a document): an administrator sees that they exist, not
/// what they say.
const HIDDEN_FIELDS: [&str; 10] = [
    "text",
    "body",
    "html",
    "token",
    "secret",
    "password",
    "link",
    "code",
    "header",
    "attachment",
];

fn redact(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let key = key.to_ascii_lowercase();
                if HIDDEN_FIELDS.iter().any(|h| key.contains(h)) && !v.is_null() {
                    *v = serde_json::Value::String("[hidden]".to_owned());
                } else {
                    redact(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

/// The payload re-indented for reading, with credentials hidden; askama escapes it when
/// shown. A payload that is not JSON is not shown at all.
fn pretty_payload(raw: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(mut v) => {
            redact(&mut v);
            preview(&serde_json::to_string_pretty(&v).unwrap_or_default())
        }
        Err(_) => "[hidden]".to_owned(),
    }
}

pub async fn list_jobs(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
) -> Result<Html<String>, AppError> {
    let stats = jobs::stats(&state.db).await.map_err(AppError::internal)?;
    let dead = jobs::list_dead(&state.db, DEAD_LIMIT)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .map(|j| DeadJob {
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            last_error: preview(j.last_error.as_deref().unwrap_or("")),
            payload: pretty_payload(&j.payload),
            failed_at: j.updated_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            id: j.id,
            kind: j.kind,
        })
        .collect::<Vec<_>>();
    // The failed messages name the people they were for (an address, a phone number): the
    // view is a read of personal data.
    if !dead.is_empty() {
        let summary = serde_json::json!({ "dead_shown": dead.len() });
        let record = actor.audit(actions::JOB_READ, "job_list", None, None, summary);
        state.audit.record(record).await?;
    }
    let mut page = state.page(lang, &uri, "admin-jobs-title", &viewer);
    // Also with the language switch's `lang=` added to the address.
    let retried = crate::api::input::query_pairs(uri.query())
        .iter()
        .any(|(k, v)| k == "retried" && v == "1");
    if retried {
        let message = page.t("admin-job-retried");
        page = page.with_flash(FlashKind::Success, message);
    }
    render(&JobsPage {
        page,
        csrf_token: state.csrf_token(&viewer),
        stats,
        dead,
    })
}

pub async fn retry_job(
    State(state): State<AppState>,
    actor: Actor,
    Path(job_id): Path<String>,
) -> Result<Response, AppError> {
    let job = match jobs::find(&state.db, &job_id).await {
        Ok(j) => j,
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(AppError::internal(e)),
    };
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    if !jobs::retry_dead(&mut tx, &job.id)
        .await
        .map_err(AppError::internal)?
    {
        // Not dead any more: nothing to do. Read again (the state read above may be from
        // before another retry committed, a second click's): once queued again, running or
        // done, the job is where a retry puts it, and the answer is the first click's.
        tx.rollback().await.map_err(AppError::internal)?;
        let current = match jobs::find(&state.db, &job.id).await {
            Ok(j) => j,
            Err(StoreError::NotFound) => return Err(AppError::NotFound),
            Err(e) => return Err(AppError::internal(e)),
        };
        return match current.state.as_str() {
            "queued" | "running" | "done" => {
                Ok(Redirect::to("/admin/jobs?retried=1").into_response())
            }
            _ => Err(AppError::Conflict),
        };
    }
    let summary = serde_json::json!({
        "kind": job.kind,
        "attempts": job.attempts,
        "last_error": job.last_error.as_deref().map(preview),
    });
    let record = actor.audit(actions::JOB_RETRY, "job", Some(&job.id), None, summary);
    crate::audit_log::commit_with(tx, &record).await?;
    Ok(Redirect::to("/admin/jobs?retried=1").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_payloads_are_hidden() {
        let raw = r#"{"to":"a@example.org","subject":"Reset","text":"https://x/reset?token=S3CRET","nested":[{"api_token":"T0K"}],"headers":[["List-Unsubscribe","<https://x/unsubscribe/S1GNED>"]],"attachments":[{"name":"a.ics","data":"QkVHSU4="}]}"#;
        let shown = pretty_payload(raw);
        assert!(shown.contains("a@example.org") && shown.contains("Reset"));
        for secret in ["S3CRET", "T0K", "S1GNED", "QkVHSU4="] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert_eq!(pretty_payload("not json token=S3CRET"), "[hidden]");
    }
}
