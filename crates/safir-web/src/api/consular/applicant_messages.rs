//! `POST /api/v1/cases/{id}/messages`: the applicant writes to the mission. Answering a
//! request for information also hands the case back to the mission, as on the web.

use axum::Json;
use axum::extract::{Path, State};
use safir_domain::consular::case::{Actor, CaseAction, CaseState};
use serde::Deserialize;
use utoipa::ToSchema;

use super::views::{CaseResponse, case_view};
use super::{conflict, message_body, own_case};
use crate::api::ClientIp;
use crate::api::doc::Problem;
use crate::api::input::ApiJson;
use crate::auth::SignedIn;
use crate::consular::workflow::{self, By, Command};
use crate::error::{AppError, ErrorInfo};
use crate::state::AppState;

/// A message to the other side, or an internal note.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageRequest {
    /// 1 to 4,000 characters.
    #[schema(example = "The new photo is attached to my account.")]
    pub body: String,
}

/// Sends a message to the mission about the case.
///
/// When the mission asked for information (`needs_info`), the message is the answer: the
/// case goes back to review (`provide_info`) in the same step, with the form as saved, which
/// must pass the checks of a submission again (`422` naming each failing field otherwise,
/// and nothing moves). Messages can be sent once the case is submitted and until it is
/// closed.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/messages",
    tag = "consular",
    operation_id = "post_case_message",
    security(("bearer" = ["cases:write"])),
    params(("id" = String, Path, description = "The case's id")),
    request_body(content = MessageRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The case with the message", body = CaseResponse),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `cases:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No case of the caller has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`case_messages_closed`: a draft or a closed case", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The body is empty or too long, or (an answer) the saved form fails a check of the submission; each field is named", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn post_case_message(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<MessageRequest>,
) -> Result<Json<CaseResponse>, ErrorInfo> {
    let case = own_case(&state, &user, &id).await?;
    let body = message_body("body", &request.body)?;
    let case = match case.state().map_err(AppError::internal)? {
        CaseState::Draft | CaseState::Closed => return Err(conflict("case_messages_closed")),
        CaseState::NeedsInfo => {
            let by = By::api(&user, ip);
            let cmd = Command {
                action: CaseAction::ProvideInfo,
                actor: Actor::Applicant,
                reason: None,
                message: Some(&body),
            };
            workflow::act(&state, &case, &by, &cmd).await?
        }
        _ => {
            let mut tx = state.db.begin().await.map_err(AppError::internal)?;
            crate::consular::applicant_wrote::add(&state, &mut tx, &case.id, user.id(), &body)
                .await?;
            tx.commit().await.map_err(AppError::internal)?;
            case
        }
    };
    Ok(Json(case_view(&state, &case, Actor::Applicant).await?))
}
