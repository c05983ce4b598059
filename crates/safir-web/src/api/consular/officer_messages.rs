//! `POST /api/v1/missions/{mission}/cases/{id}/messages`: a message to the applicant, as the
//! case page's "Write to the applicant".

use axum::Json;
use axum::extract::{Path, State};

use super::applicant_messages::MessageRequest;
use super::views::MessageResponse;
use super::{conflict, message_body, mission_case, officer_view_of_message};
use crate::api::ClientIp;
use crate::api::doc::Problem;
use crate::api::input::ApiJson;
use crate::auth::{MissionParam, SignedIn};
use crate::consular::workflow::{self, By};
use crate::error::ErrorInfo;
use crate::state::AppState;

/// Writes to the case's applicant, without moving the case.
///
/// The applicant reads it on their case and is emailed it in the language they applied in
/// (or reached where a crisis registration reaches them). The same text sent again within
/// 30 seconds (a retried request) is the message already sent. Recorded in the audit trail
/// (`case.message`, its length without its text, `"via": "api"`).
#[utoipa::path(
    post,
    path = "/api/v1/missions/{mission}/cases/{id}/messages",
    tag = "consular",
    operation_id = "send_case_message",
    security(("bearer" = ["consular:write"])),
    params(
        ("mission" = String, Path, description = "Mission code, e.g. `PAR`"),
        ("id" = String, Path, description = "The case's id"),
    ),
    request_body(content = MessageRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The message", body = MessageResponse),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a consular officer of this mission, or the token lacks `consular:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No submitted case of this mission has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`case_messages_closed`: the case is closed (its applicant could not answer)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The body is empty or too long", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn send_case_message(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    MissionParam(mission): MissionParam,
    ClientIp(ip): ClientIp,
    Path((_, id)): Path<(String, String)>,
    ApiJson(request): ApiJson<MessageRequest>,
) -> Result<Json<MessageResponse>, ErrorInfo> {
    let case = mission_case(&state, &mission, &id).await?;
    let body = message_body("body", &request.body)?;
    if case.state == "closed" {
        return Err(conflict("case_messages_closed"));
    }
    let sent = workflow::message_applicant(&state, &case, &By::api(&user, ip), &body).await?;
    Ok(Json(
        officer_view_of_message(&state, &case.id, &sent.id, false).await?,
    ))
}
