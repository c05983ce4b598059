//! `POST /api/v1/missions/{mission}/cases/{id}/priority`: the mission's triage of a case, as
//! the priority choice on its page.

use axum::Json;
use axum::extract::{Path, State};
use safir_domain::consular::case::Priority;
use safir_store::consular::cases;
use serde::Deserialize;
use utoipa::ToSchema;

use super::officer_case::read_case;
use super::views::{OfficerCaseResponse, officer_view};
use super::{check_open, conflict, mission_case};
use crate::api::ClientIp;
use crate::api::doc::Problem;
use crate::api::input::ApiJson;
use crate::auth::{MissionParam, SignedIn};
use crate::consular::workflow::{By, record};
use crate::error::{AppError, ErrorInfo, FieldErrors};
use crate::state::AppState;

pub use safir_domain::audit::actions::CASE_PRIORITY;

/// How urgent the case is.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityRequest {
    /// `critical`, `high`, `normal` or `low`.
    #[schema(example = "high")]
    pub priority: String,
    /// The priority the caller saw (the case's `priority` read before): when someone changed
    /// it since, nothing is written (`409 case_priority_changed`). Left out, the priority is
    /// set whatever it is now.
    #[serde(default)]
    #[schema(example = "normal")]
    pub seen_priority: Option<String>,
}

/// Sets the case's priority, which orders the queue (most urgent first); recorded in the
/// audit trail (`case.priority`, with the priority before and after) when it changes. The
/// applicant does not see it.
#[utoipa::path(
    post,
    path = "/api/v1/missions/{mission}/cases/{id}/priority",
    tag = "consular",
    operation_id = "set_case_priority",
    security(("bearer" = ["consular:write"])),
    params(
        ("mission" = String, Path, description = "Mission code, e.g. `PAR`"),
        ("id" = String, Path, description = "The case's id"),
    ),
    request_body(content = PriorityRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The case, with its priority", body = OfficerCaseResponse),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a consular officer of this mission, or the token lacks `consular:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No submitted case of this mission has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`case_not_open`: the case is refused, withdrawn or closed; `case_priority_changed`: someone changed its priority since `seen_priority` was read, or while this request was answered (nothing written; read the case again)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`priority` (or `seen_priority`) is not one of the four", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn set_case_priority(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    MissionParam(mission): MissionParam,
    ClientIp(ip): ClientIp,
    Path((_, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<PriorityRequest>,
) -> Result<Json<OfficerCaseResponse>, ErrorInfo> {
    let case = mission_case(&state, &mission, &id).await?;
    // What was asked is checked before whether it can be done now.
    let priority = Priority::parse(&body.priority).map_err(|e| {
        let mut errors = FieldErrors::new();
        errors.push("priority", e.code);
        AppError::Validation(errors)
    })?;
    let seen = match body.seen_priority.as_deref() {
        None => None,
        Some(p) => Some(Priority::parse(p).map_err(|e| {
            let mut errors = FieldErrors::new();
            errors.push("seen_priority", e.code);
            AppError::Validation(errors)
        })?),
    };
    check_open(&case)?;
    if seen.is_some_and(|s| s != case.priority()) && priority != case.priority() {
        return Err(conflict("case_priority_changed"));
    }
    if priority == case.priority() {
        // Nothing changes and nothing is written, but the answer is the whole case: a read
        // of it, recorded as the case's own page is.
        let by = By::api(&user, ip);
        return Ok(Json(read_case(&state, &by, &case).await?));
    }
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    if !cases::reprioritise(&mut tx, &case.id, &mission.id, case.priority(), priority)
        .await
        .map_err(AppError::internal)?
    {
        // Changed between the read above and this write: the other change stands.
        tx.rollback().await.map_err(AppError::internal)?;
        return Err(conflict("case_priority_changed"));
    }
    let by = By::api(&user, ip);
    let summary = serde_json::json!({
        "reference": case.reference,
        "from": case.priority().as_str(),
        "to": priority.as_str(),
    });
    crate::audit_log::commit_with(tx, &record(&by, CASE_PRIORITY, &case, summary)).await?;
    let case = cases::find(&state.db, &case.id)
        .await
        .map_err(AppError::internal)?;
    Ok(Json(officer_view(&state, &case).await?))
}
