//! `GET /api/v1/missions/{mission}/cases/{id}`: one case as the mission's officers see it.

use axum::Json;
use axum::extract::{Path, State};
use safir_store::consular::cases::Case;

use super::views::{OfficerCaseResponse, officer_view};
use super::{CASE_READ, mission_case};
use crate::api::ClientIp;
use crate::api::doc::Problem;
use crate::api::input::NoQuery;
use crate::auth::{MissionParam, SignedIn};
use crate::consular::workflow::{By, record};
use crate::error::AppError;
use crate::state::AppState;

/// One case with its form, history, conversation and internal notes.
///
/// This is personal data: each call is recorded in the audit trail (`case.read`).
#[utoipa::path(
    get,
    path = "/api/v1/missions/{mission}/cases/{id}",
    tag = "consular",
    operation_id = "get_mission_case",
    security(("bearer" = ["consular:read"]), ("session_cookie" = [])),
    params(
        ("mission" = String, Path, description = "Mission code, e.g. `PAR`"),
        ("id" = String, Path, description = "The case's id"),
    ),
    responses(
        (status = 200, description = "The case", body = OfficerCaseResponse),
        (status = 401, description = "No valid token or session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a consular officer of this mission, or the token lacks `consular:read`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No submitted case of this mission has this id", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter the route does not take (`unknown_field`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_mission_case(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    MissionParam(mission): MissionParam,
    ClientIp(ip): ClientIp,
    Path((_, id)): Path<(String, String)>,
    _: NoQuery,
) -> Result<Json<OfficerCaseResponse>, AppError> {
    let case = mission_case(&state, &mission, &id).await?;
    Ok(Json(read_case(&state, &By::api(&user, ip), &case).await?))
}

/// The whole case as its mission's officers see it, its read recorded (`case.read`): this
/// route's answer, and that of a change sent when it is already so.
pub(super) async fn read_case(
    state: &AppState,
    by: &By<'_>,
    case: &Case,
) -> Result<OfficerCaseResponse, AppError> {
    let view = officer_view(state, case).await?;
    let summary = serde_json::json!({ "reference": case.reference });
    state
        .audit
        .record(record(by, CASE_READ, case, summary))
        .await?;
    Ok(view)
}
