//! `/api/v1/admin/jobs`: the job queue's counts and dead letters (a page at a time, of one
//! kind or all), and retrying one.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use chrono::{DateTime, Utc};
use safir_domain::audit::actions;
use safir_store::audit::NewAuditRecord;
use safir_store::{StoreError, jobs};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ClientIp;
use crate::api::input::{ApiJson, NoBody, query_once};
use crate::auth::SignedIn;
use crate::error::{AppError, FieldErrors};
use crate::state::AppState;

/// How many dead jobs a page of the overview lists.
pub const DEAD_LISTED: i64 = 100;

/// Which dead jobs to list.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobsQuery {
    /// Only dead jobs of this kind, such as `email.send`.
    pub kind: Option<String>,
    /// Only dead jobs older than this cursor: the `next_before` of the previous page.
    pub before: Option<String>,
}

impl JobsQuery {
    /// Reads the query string, refusing unknown parameters and a cursor this route did not give.
    fn parse(raw: Option<&str>) -> Result<JobsQuery, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut q = JobsQuery::default();
        for (key, value) in query_once(raw, &[], &mut errors) {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key.as_str() {
                "kind" => q.kind = Some(value.to_owned()),
                "before" if crate::admin::parse_dead_cursor(value).is_some() => {
                    q.before = Some(value.to_owned());
                }
                "before" => errors.push(&key, "invalid"),
                // The interface language, already applied by the language layer.
                "lang" => {}
                _ => errors.push(&key, "unknown_field"),
            }
        }
        if errors.is_empty() {
            Ok(q)
        } else {
            Err(errors)
        }
    }
}

/// Jobs per state.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobCountsResponse {
    pub queued: i64,
    pub running: i64,
    pub done: i64,
    pub dead: i64,
}

/// A job as administrators see it (its payload, which may hold personal data, is left out).
#[derive(Debug, Serialize, ToSchema)]
pub struct JobResponse {
    pub id: String,
    #[schema(example = "email.send")]
    pub kind: String,
    /// `queued`, `running`, `done` or `dead`.
    #[schema(example = "dead")]
    pub state: String,
    pub attempts: i32,
    pub max_attempts: i32,
    /// When it runs (again).
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<jobs::JobRow> for JobResponse {
    fn from(j: jobs::JobRow) -> Self {
        JobResponse {
            id: j.id,
            kind: j.kind,
            state: j.state,
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            run_at: j.run_at,
            last_error: j.last_error,
            created_at: j.created_at,
            updated_at: j.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobsOverviewResponse {
    pub counts: JobCountsResponse,
    /// The most recently failed dead jobs (of the kind asked for), at most 100, newest first.
    pub dead: Vec<JobResponse>,
    /// Dead jobs per kind.
    pub dead_by_kind: Vec<DeadKindCount>,
    /// When older dead jobs follow: pass it as `before` for the next page.
    pub next_before: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadKindCount {
    #[schema(example = "email.send")]
    pub kind: String,
    pub dead: i64,
}

/// Queue counts and the dead letters.
#[utoipa::path(
    get,
    path = "/api/v1/admin/jobs",
    tag = "admin",
    operation_id = "get_jobs_overview",
    security(("bearer" = ["read"]), ("session_cookie" = [])),
    params(JobsQuery),
    responses(
        (status = 200, description = "Counts and dead jobs", body = JobsOverviewResponse),
        (status = 401, description = "No valid token or session", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to manage jobs, or the token lacks `read`", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter the route does not take (`unknown_field`), or a `before` that is not a cursor this route gave (`invalid`)", body = crate::api::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_jobs_overview(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    ClientIp(client_ip): ClientIp,
    RawQuery(raw): RawQuery,
) -> Result<Json<JobsOverviewResponse>, AppError> {
    let query = JobsQuery::parse(raw.as_deref()).map_err(AppError::Validation)?;
    let before = query
        .before
        .as_deref()
        .and_then(crate::admin::parse_dead_cursor);
    let stats = jobs::stats(&state.db).await.map_err(AppError::internal)?;
    let (dead, more) = jobs::list_dead_page(
        &state.db,
        query.kind.as_deref(),
        before.as_ref(),
        DEAD_LISTED,
    )
    .await
    .map_err(AppError::internal)?;
    let dead_by_kind = jobs::dead_kinds(&state.db)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .map(|(kind, dead)| DeadKindCount { kind, dead })
        .collect();
    let next_before = dead
        .last()
        .filter(|_| more)
        .map(crate::admin::dead_cursor_text);
    // The failures name the people the messages were for (an address, a phone number): as
    // on the jobs page, listing them is a read of personal data.
    if !dead.is_empty() {
        state
            .audit
            .record(NewAuditRecord {
                actor_id: Some(user.user.user_id()),
                actor_label: user.user.email.clone(),
                action: actions::JOB_READ,
                target_type: "job_list",
                target_id: None,
                mission_id: None,
                client_ip,
                summary: serde_json::json!({ "dead_shown": dead.len(), "via": "api" }),
            })
            .await?;
    }
    Ok(Json(JobsOverviewResponse {
        counts: JobCountsResponse {
            queued: stats.queued,
            running: stats.running,
            done: stats.done,
            dead: stats.dead,
        },
        dead: dead.into_iter().map(JobResponse::from).collect(),
        dead_by_kind,
        next_before,
    }))
}

/// Retries a dead job.
///
/// The job goes back to the queue with a fresh set of attempts; the retry is recorded in the
/// audit trail (`job.retry`) in the same transaction.
#[utoipa::path(
    post,
    path = "/api/v1/admin/jobs/{job}/retry",
    tag = "admin",
    operation_id = "retry_job",
    security(("bearer" = ["write"])),
    params(("job" = String, Path, description = "The job's id")),
    responses(
        (status = 200, description = "The job, queued again", body = JobResponse),
        (status = 401, description = "No valid token", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to manage jobs, or the token lacks `write`", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No job has this id", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The job is not dead", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 400, description = "A body that is not valid JSON (the route takes none)", body = crate::api::doc::Problem, content_type = "application/problem+json"),
        (status = 415, description = "A body that is not `application/json` (the route takes none)", body = crate::api::doc::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A body with members (`unknown_field`): the route takes none", body = crate::api::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn retry_job(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(job_id): Path<String>,
    ClientIp(client_ip): ClientIp,
    _: NoBody,
) -> Result<Json<JobResponse>, AppError> {
    let job = match jobs::find(&state.db, &job_id).await {
        Ok(job) => job,
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(AppError::internal(e)),
    };
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    if !jobs::retry_dead(&mut tx, &job.id)
        .await
        .map_err(AppError::internal)?
    {
        tx.rollback().await.map_err(AppError::internal)?;
        return Err(AppError::Conflict);
    }
    crate::audit_log::commit_with(
        tx,
        &NewAuditRecord {
            actor_id: Some(user.user.user_id()),
            actor_label: user.user.email.clone(),
            action: actions::JOB_RETRY,
            target_type: "job",
            target_id: Some(job.id.clone()),
            mission_id: None,
            client_ip,
            summary: serde_json::json!({
                "kind": job.kind,
                "attempts": job.attempts,
                "last_error": job.last_error,
                "via": "api",
            }),
        },
    )
    .await?;
    let job = jobs::find(&state.db, &job.id)
        .await
        .map_err(AppError::internal)?;
    Ok(Json(job.into()))
}

/// Which dead jobs to retry together.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryDeadRequest {
    /// The kind of job, as `dead_by_kind` names it.
    #[schema(example = "email.send")]
    pub kind: String,
}

/// How many dead jobs went back to the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetryDeadResponse {
    #[schema(example = "email.send")]
    pub kind: String,
    /// How many; `0` when none of that kind was dead (a request sent again).
    pub retried: u64,
}

/// Retries every dead job of a kind.
///
/// After an outage longer than the retries (a mail relay down over a weekend), every message
/// of that time at once: each goes back to the queue with a fresh set of attempts. The retry
/// is recorded in the audit trail (`job.retry` of the `job_kind`, with how many) in the same
/// transaction; none is recorded when there was nothing to retry.
#[utoipa::path(
    post,
    path = "/api/v1/admin/jobs/retry-dead",
    tag = "admin",
    operation_id = "retry_dead_jobs",
    security(("bearer" = ["write"])),
    request_body(content = RetryDeadRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "How many went back to the queue", body = RetryDeadResponse),
        (status = 400, description = "A body that is not valid JSON", body = crate::api::doc::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to manage jobs, or the token lacks `write`", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 415, description = "A body that is not `application/json`", body = crate::api::doc::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`kind` missing, empty or longer than 100 characters, or a member the route does not take (`unknown_field`)", body = crate::api::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn retry_dead_jobs(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    ClientIp(client_ip): ClientIp,
    ApiJson(body): ApiJson<RetryDeadRequest>,
) -> Result<Json<RetryDeadResponse>, AppError> {
    let kind = body.kind.trim().to_owned();
    if kind.is_empty() || kind.chars().count() > 100 {
        let mut errors = FieldErrors::new();
        if kind.is_empty() {
            errors.push("kind", "required");
        } else {
            errors.add(crate::error::FieldError::new("kind", "too_long").with_arg("max", 100));
        }
        return Err(AppError::Validation(errors));
    }
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let retried = jobs::retry_dead_of_kind(&mut tx, &kind)
        .await
        .map_err(AppError::internal)?;
    if retried == 0 {
        tx.rollback().await.map_err(AppError::internal)?;
        return Ok(Json(RetryDeadResponse { kind, retried }));
    }
    crate::audit_log::commit_with(
        tx,
        &NewAuditRecord {
            actor_id: Some(user.user.user_id()),
            actor_label: user.user.email.clone(),
            action: actions::JOB_RETRY,
            target_type: "job_kind",
            target_id: Some(kind.clone()),
            mission_id: None,
            client_ip,
            summary: serde_json::json!({ "kind": kind, "retried": retried, "via": "api" }),
        },
    )
    .await?;
    Ok(Json(RetryDeadResponse { kind, retried }))
}
