//! `POST /api/v1/missions/{mission}/cases/{id}/actions`: an officer moves a case (review,
//! request information, decide, ready for collection, close) through the one workflow.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use safir_domain::consular::case::{
    APPROVED, Actor, CaseAction, REASON_NEEDING_A_MESSAGE, REFUSAL_REASONS,
};
use serde::Deserialize;
use utoipa::ToSchema;

use super::views::{OfficerCaseResponse, officer_view};
use super::{check_move, message_body, mission_case};
use crate::api::ClientIp;
use crate::api::doc::Problem;
use crate::api::input::ApiJson;
use crate::auth::{MissionParam, SignedIn};
use crate::consular::officer::made_just_now;
use crate::consular::workflow::{self, By, Command};
use crate::error::{AppError, ErrorInfo, FieldErrors};
use crate::state::AppState;

/// One move of the case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// `start_review`, `request_info`, `approve`, `reject`, `mark_ready_for_collection` or
    /// `close`.
    #[schema(example = "reject")]
    pub action: String,
    /// For `reject`, required: `documents_incomplete`, `identity_not_established`,
    /// `purpose_not_justified`, `insufficient_means`, `previous_overstay`,
    /// `security_grounds`, `not_eligible` or `other`. For `approve`, optional: `approved`.
    #[schema(example = "documents_incomplete")]
    pub reason: Option<String>,
    /// To the applicant, up to 4,000 characters; required for `request_info` (it is the
    /// request) and for `reject` with the reason `other` (it is the explanation).
    #[schema(example = "Please send a photo taken in the last six months.")]
    pub message: Option<String>,
    /// The `at` of the last entry of the case's `timeline` as the caller read it. Given, the
    /// move is made only if no move came since (`409 conflict` otherwise, nothing written):
    /// a case back in the state the caller saw after further moves (information asked for,
    /// then answered) is not decided unseen. Send it back as read, to the microsecond: a value
    /// rounded to milliseconds (as JavaScript's `Date` keeps it) names another instant. Left
    /// out, the move is made from whatever state allows it.
    #[schema(example = "2026-11-29T04:30:00.123456Z")]
    pub seen_last_event_at: Option<DateTime<Utc>>,
}

/// Checks the body against the action; returns the action, the reason and the message.
fn read(body: &ActionRequest) -> Result<(CaseAction, Option<String>, Option<String>), AppError> {
    let mut errors = FieldErrors::new();
    let action = CaseAction::parse(&body.action)
        .map_err(|_| errors.push("action", "unknown_action"))
        .ok();
    let message = match body.message.as_deref() {
        None => None,
        Some(text) => match message_body("message", text) {
            Ok(text) => Some(text),
            Err(AppError::Validation(e)) => {
                e.iter().for_each(|e| errors.add(e.clone()));
                None
            }
            Err(e) => return Err(e),
        },
    };
    let reason = body.reason.as_deref().map(str::trim);
    let reason = match (action, reason) {
        (Some(CaseAction::Reject), Some(r)) if REFUSAL_REASONS.contains(&r) => {
            if r == REASON_NEEDING_A_MESSAGE && body.message.is_none() {
                errors.push("message", "required");
            }
            Some(r.to_owned())
        }
        (Some(CaseAction::Reject), None) => {
            errors.push("reason", "required");
            None
        }
        (Some(CaseAction::Approve), None | Some(APPROVED)) => Some(APPROVED.to_owned()),
        // The request's text is its reason: it goes into the history and the email.
        (Some(CaseAction::RequestInfo), None) => {
            if body.message.is_none() {
                errors.push("message", "required");
            }
            message.clone()
        }
        (_, None) => None,
        (_, Some(_)) => {
            errors.push("reason", "unknown_reason");
            None
        }
    };
    errors.into_result()?;
    let action = action.ok_or(AppError::BadRequest)?;
    Ok((action, reason, message))
}

/// Moves the case.
///
/// The move, its message, the audit record (`case.<action>`) and the email to the applicant
/// happen together or not at all. A move the case's state does not allow answers `409` with
/// the code `case_transition_illegal` (`case_transition_forbidden` for an applicant's
/// action); a concurrent change, or a move since `seen_last_event_at`, answers `409 conflict`.
/// The caller's own last move sent again (a retry after a lost answer) is answered `200` with
/// the case, and nothing more is done: a move without text of its own (`start_review`,
/// `mark_ready_for_collection`, `close`), `request_info` with the same message, or, within
/// 30 seconds, `approve` or `reject` with the same reason and message.
#[utoipa::path(
    post,
    path = "/api/v1/missions/{mission}/cases/{id}/actions",
    tag = "consular",
    operation_id = "act_on_case",
    security(("bearer" = ["consular:write"])),
    params(
        ("mission" = String, Path, description = "Mission code, e.g. `PAR`"),
        ("id" = String, Path, description = "The case's id"),
    ),
    request_body(content = ActionRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The case after the move", body = OfficerCaseResponse),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a consular officer of this mission, or the token lacks `consular:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No submitted case of this mission has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The move is not possible from the case's state, or the case moved since `seen_last_event_at`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown action or reason, or a missing message", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn act_on_case(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    MissionParam(mission): MissionParam,
    ClientIp(ip): ClientIp,
    Path((_, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<ActionRequest>,
) -> Result<Json<OfficerCaseResponse>, ErrorInfo> {
    let case = mission_case(&state, &mission, &id).await?;
    let (action, reason, message) = read(&body)?;
    let seen = body.seen_last_event_at;
    // A move since the version the caller read, or one the state does not allow: the caller's
    // own move sent again (a retry) is answered as done, anything else refused.
    let refused = if seen.is_some_and(|s| s != case.state_changed_at) {
        Some(AppError::Conflict.into())
    } else {
        check_move(&case, action, Actor::Officer).err()
    };
    if let Some(refused) = refused {
        let again = made_just_now(
            &state,
            &case,
            action,
            user.id(),
            reason.as_deref(),
            message.as_deref(),
        )
        .await?;
        if again {
            return Ok(Json(officer_view(&state, &case).await?));
        }
        return Err(refused);
    }
    let by = By::api(&user, ip);
    let cmd = Command {
        action,
        actor: Actor::Officer,
        reason: reason.as_deref(),
        message: message.as_deref(),
    };
    let case = match workflow::act_seen(&state, &case, &by, &cmd, seen).await {
        Ok(case) => case,
        Err(AppError::Conflict) => {
            let fresh = mission_case(&state, &mission, &id).await?;
            if made_just_now(
                &state,
                &fresh,
                action,
                user.id(),
                reason.as_deref(),
                message.as_deref(),
            )
            .await?
            {
                fresh
            } else {
                return Err(AppError::Conflict.into());
            }
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Json(officer_view(&state, &case).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(action: &str, reason: Option<&str>, message: Option<&str>) -> ActionRequest {
        ActionRequest {
            action: action.to_owned(),
            reason: reason.map(str::to_owned),
            message: message.map(str::to_owned),
            seen_last_event_at: None,
        }
    }

    fn refused(r: ActionRequest) -> Vec<(String, String)> {
        match read(&r) {
            Err(AppError::Validation(e)) => e
                .iter()
                .map(|e| (e.field.clone(), e.code.clone()))
                .collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn each_action_takes_what_it_needs() {
        let pair = |a: &str, b: &str| vec![(a.to_owned(), b.to_owned())];
        assert_eq!(
            refused(request("fly", None, None)),
            pair("action", "unknown_action")
        );
        assert_eq!(
            refused(request("reject", None, None)),
            pair("reason", "required")
        );
        assert_eq!(
            refused(request("reject", Some("ugly"), None)),
            pair("reason", "unknown_reason")
        );
        assert_eq!(
            refused(request("request_info", None, None)),
            pair("message", "required")
        );
        assert_eq!(
            refused(request("close", Some("other"), None)),
            pair("reason", "unknown_reason")
        );
        // "Other" says nothing by itself: the message is the explanation.
        assert_eq!(
            refused(request("reject", Some("other"), None)),
            pair("message", "required")
        );
        let (_, reason, message) = read(&request(
            "reject",
            Some("other"),
            Some("Your sponsor withdrew."),
        ))
        .unwrap();
        assert_eq!(
            (reason.as_deref(), message.as_deref()),
            (Some("other"), Some("Your sponsor withdrew."))
        );
        let (a, reason, _) = read(&request("approve", None, None)).unwrap();
        assert_eq!(
            (a, reason.as_deref()),
            (CaseAction::Approve, Some("approved"))
        );
        let (a, reason, message) = read(&request("request_info", None, Some(" Photo? "))).unwrap();
        assert_eq!(a, CaseAction::RequestInfo);
        assert_eq!(
            (reason.as_deref(), message.as_deref()),
            (Some("Photo?"), Some("Photo?"))
        );
    }
}
