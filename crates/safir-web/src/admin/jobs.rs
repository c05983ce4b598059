//! Background jobs for administrators: queue counts, the dead letters with their last error
//! (a page at a time, of one kind or all), and a retry that puts a dead job back in the queue
//! (audited in the same transaction); sent again (a second click), the retry answers as the
//! first did. After an outage longer than the retries (a mail relay down over a weekend), all
//! the dead jobs of a kind go back at once.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::Uri;
use axum::response::{Html, IntoResponse, Redirect, Response};
use safir_domain::audit::actions;
use safir_store::StoreError;
use safir_store::jobs::{self, DeadCursor, QueueStats};

use super::support::{Actor, FormData};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::page::{FlashKind, Page, render};
use crate::state::AppState;

/// Dead jobs per page.
const DEAD_LIMIT: i64 = 50;
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
    /// The filter: all kinds, then each kind with dead jobs.
    kinds: Vec<KindLink>,
    /// The kind shown, when one is chosen, and how many of it are dead.
    kind: Option<(String, i64)>,
    /// The address of the next (older) page, when there is one.
    older: Option<String>,
}

struct KindLink {
    /// `None` for all kinds.
    name: Option<String>,
    count: i64,
    href: String,
    chosen: bool,
}

/// A page's cursor in the address: the last job's failure instant in microseconds, a dot, its
/// id.
pub fn cursor_text(job: &jobs::JobRow) -> String {
    format!("{}.{}", job.updated_at.timestamp_micros(), job.id)
}

pub fn parse_cursor(text: &str) -> Option<DeadCursor> {
    let (micros, id) = text.split_once('.')?;
    let updated_at = chrono::DateTime::from_timestamp_micros(micros.parse().ok()?)?;
    (!id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .then(|| DeadCursor {
            updated_at,
            id: id.to_owned(),
        })
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
    let query = crate::api::input::query_pairs(uri.query());
    let value = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    let stats = jobs::stats(&state.db).await.map_err(AppError::internal)?;
    let kinds = jobs::dead_kinds(&state.db)
        .await
        .map_err(AppError::internal)?;
    // A kind with no dead job left (all retried) still filters: the page says none failed.
    let kind = value("kind").map(|k| {
        let n = kinds
            .iter()
            .find(|(name, _)| name == k)
            .map_or(0, |(_, n)| *n);
        (k.to_owned(), n)
    });
    let mut links = vec![KindLink {
        name: None,
        count: stats.dead,
        href: "/admin/jobs".to_owned(),
        chosen: kind.is_none(),
    }];
    links.extend(kinds.iter().map(|(name, n)| KindLink {
        chosen: kind.as_ref().is_some_and(|(k, _)| k == name),
        href: format!(
            "/admin/jobs?{}",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("kind", name)
                .finish()
        ),
        name: Some(name.clone()),
        count: *n,
    }));
    // A cursor that does not parse (edited by hand) shows the first page.
    let before = value("before").and_then(parse_cursor);
    let (rows, more) = jobs::list_dead_page(
        &state.db,
        kind.as_ref().map(|(k, _)| k.as_str()),
        before.as_ref(),
        DEAD_LIMIT,
    )
    .await
    .map_err(AppError::internal)?;
    let older = match rows.last() {
        Some(last) if more => {
            let mut q = form_urlencoded::Serializer::new(String::new());
            if let Some((k, _)) = &kind {
                q.append_pair("kind", k);
            }
            q.append_pair("before", &cursor_text(last));
            Some(format!("/admin/jobs?{}", q.finish()))
        }
        _ => None,
    };
    let dead = rows
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
    if let Some(n) = value("retried_all").and_then(|n| n.parse::<i64>().ok()) {
        let mut args = fluent_bundle::FluentArgs::new();
        args.set("count", n);
        let message = page.t_args("admin-jobs-retried-all", &args);
        page = page.with_flash(FlashKind::Success, message);
    }
    render(&JobsPage {
        page,
        csrf_token: state.csrf_token(&viewer),
        stats,
        dead,
        kinds: links,
        kind,
        older,
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

/// Puts every dead job of the kind sent back in the queue, audited with how many; sent again
/// (a second click) it finds none left and answers as the first did, with 0.
pub async fn retry_kind(
    State(state): State<AppState>,
    actor: Actor,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let kind = data.get("kind").trim().to_owned();
    if kind.is_empty() || kind.len() > 100 {
        return Err(AppError::BadRequest);
    }
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let n = jobs::retry_dead_of_kind(&mut tx, &kind)
        .await
        .map_err(AppError::internal)?;
    let back = format!(
        "/admin/jobs?{}",
        form_urlencoded::Serializer::new(String::new())
            .append_pair("kind", &kind)
            .append_pair("retried_all", &n.to_string())
            .finish()
    );
    if n == 0 {
        tx.rollback().await.map_err(AppError::internal)?;
        return Ok(Redirect::to(&back).into_response());
    }
    let summary = serde_json::json!({ "kind": kind, "retried": n });
    let record = actor.audit(actions::JOB_RETRY, "job_kind", Some(&kind), None, summary);
    crate::audit_log::commit_with(tx, &record).await?;
    Ok(Redirect::to(&back).into_response())
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
