//! `POST /api/v1/missions/{mission}/cases/{id}/notes`: an internal note, for officers only.

use axum::Json;
use axum::extract::{Path, State};
use safir_store::consular::cases;

use super::applicant_messages::MessageRequest;
use super::views::MessageResponse;
use super::{CASE_NOTE, message_body, mission_case, officer_view_of_message};
use crate::api::ClientIp;
use crate::api::doc::Problem;
use crate::api::input::ApiJson;
use crate::auth::{MissionParam, SignedIn};
use crate::consular::workflow::{By, record};
use crate::error::AppError;
use crate::state::AppState;

/// Adds an internal note to the case; the applicant never sees it.
///
/// Recorded in the audit trail (`case.note`, without the note's text).
#[utoipa::path(
    post,
    path = "/api/v1/missions/{mission}/cases/{id}/notes",
    tag = "consular",
    operation_id = "add_case_note",
    security(("bearer" = ["consular:write"])),
    params(
        ("mission" = String, Path, description = "Mission code, e.g. `PAR`"),
        ("id" = String, Path, description = "The case's id"),
    ),
    request_body(content = MessageRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The note", body = MessageResponse),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a consular officer of this mission, or the token lacks `consular:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No submitted case of this mission has this id", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The body is empty or too long", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn add_case_note(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    MissionParam(mission): MissionParam,
    ClientIp(ip): ClientIp,
    Path((_, id)): Path<(String, String)>,
    ApiJson(request): ApiJson<MessageRequest>,
) -> Result<Json<MessageResponse>, AppError> {
    let case = mission_case(&state, &mission, &id).await?;
    let body = message_body("body", &request.body)?;
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let (note_id, new) = cases::add_message_once(&mut tx, &case.id, user.id(), true, true, &body)
        .await
        .map_err(AppError::internal)?;
    if new {
        let by = By::api(&user, ip);
        let summary = serde_json::json!({ "reference": case.reference, "note": note_id });
        crate::audit_log::commit_with(tx, &record(&by, CASE_NOTE, &case, summary)).await?;
    } else {
        // The same note sent again a moment ago (a retried request): the one already there.
        tx.rollback().await.map_err(AppError::internal)?;
    }
    Ok(Json(
        officer_view_of_message(&state, &case.id, &note_id, true).await?,
    ))
}
