//! `POST /api/v1/missions/{mission}/cases/bulk`: one action on many cases of the mission, as
//! the queue's ticked rows do on the web. Each case goes alone through the same path as on
//! its own (see [`crate::consular::officer::bulk::apply`]); the answer says, case by case,
//! what was done and why the others were left as they were.

use axum::Json;
use axum::extract::State;
use safir_store::consular::cases;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{has_control, mission_case};
use crate::api::ClientIp;
use crate::api::doc::Problem;
use crate::api::input::ApiJson;
use crate::auth::{MissionParam, SignedIn};
use crate::consular::officer::bulk::{BulkAction, MAX_CASES, Skip, apply, distinct_ids};
use crate::consular::workflow::By;
use crate::error::{AppError, FieldError, FieldErrors};
use crate::state::AppState;

/// One action and the cases it applies to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    /// `assign_me` (take the cases), `unassign` (put them back in the pool), `start_review` or
    /// `close`.
    #[schema(example = "assign_me")]
    pub action: String,
    /// The cases' ids, at most 200; an id given twice is acted on once.
    #[schema(example = json!(["0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"]))]
    pub cases: Vec<String>,
}

/// What happened to one case.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResult {
    /// The id as sent.
    pub case: String,
    /// The case's reference, when the case was found.
    #[schema(example = "PAR-2026-000123")]
    pub reference: Option<String>,
    /// `done`, or why the case was left as it was: `not_found` (no submitted case of this
    /// mission has this id), `case_not_open` (assignment on a refused, withdrawn or closed case),
    /// `case_already_in_state` (someone else already moved the case where the move leads;
    /// this officer's own move sent again is `done`, as is an assignment already so:
    /// `assign_me` on the caller's case, `unassign` on a case nobody works),
    /// `case_transition_illegal` (the move
    /// is not possible from the case's state) or `conflict` (the case changed meanwhile).
    #[schema(example = "done")]
    pub outcome: &'static str,
    /// The case's state after the call, when the case was found.
    #[schema(example = "in_review")]
    pub state: Option<String>,
}

/// The outcome of every case, in the order sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResponse {
    /// How many cases the action was done to.
    pub done: usize,
    /// How many were left as they were.
    pub skipped: usize,
    pub results: Vec<BulkResult>,
}

/// Checks the body; returns the action and the ids, each once, in the order sent.
fn read(body: &BulkRequest) -> Result<(BulkAction, Vec<&str>), AppError> {
    let mut errors = FieldErrors::new();
    let action = BulkAction::parse(&body.action);
    if action.is_none() {
        errors.push("action", "unknown_bulk_action");
    }
    let ids = distinct_ids(body.cases.iter().map(String::as_str));
    if ids.is_empty() {
        errors.push("cases", "required");
    } else if ids.len() > MAX_CASES {
        errors.add(FieldError::new("cases", "too_many_cases").with_arg("max", MAX_CASES));
    }
    errors.into_result()?;
    let action = action.ok_or(AppError::BadRequest)?;
    Ok((action, ids))
}

/// Does one action to many cases.
///
/// Each case is moved or assigned on its own, with its own audit record (`case.assign` or
/// `case.<action>`) and, for a move, its own email to the applicant; a case where the action
/// is not possible is left as it was and named in the answer, and the others go on. The
/// answer is `200` whatever the outcomes.
#[utoipa::path(
    post,
    path = "/api/v1/missions/{mission}/cases/bulk",
    tag = "consular",
    operation_id = "bulk_case_action",
    security(("bearer" = ["consular:write"])),
    params(("mission" = String, Path, description = "Mission code, e.g. `PAR`")),
    request_body(content = BulkRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "What happened to each case", body = BulkResponse),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a consular officer of this mission, or the token lacks `consular:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No mission has this code", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown action, no case, or more than 200 cases", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn bulk_case_action(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    MissionParam(mission): MissionParam,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<BulkRequest>,
) -> Result<Json<BulkResponse>, AppError> {
    let (action, ids) = read(&body)?;
    let by = By::api(&user, ip);
    let mut results = Vec::with_capacity(ids.len());
    for id in ids {
        let case = if has_control(id, false) {
            Err(AppError::NotFound)
        } else {
            mission_case(&state, &mission, id).await
        };
        let result = match case {
            Ok(case) => {
                let outcome = apply(&state, &by, &case, action).await?;
                // The state the case is in now: moved, or left as it was, or moved by someone
                // else meanwhile.
                let now = match outcome {
                    Ok(()) | Err(Skip::Changed) => cases::find(&state.db, &case.id)
                        .await
                        .map_err(AppError::internal)?,
                    Err(_) => case,
                };
                BulkResult {
                    case: id.to_owned(),
                    reference: now.reference.clone(),
                    outcome: outcome.err().map_or("done", Skip::code),
                    state: Some(now.state),
                }
            }
            Err(AppError::NotFound) => BulkResult {
                case: id.to_owned(),
                reference: None,
                outcome: Skip::NotFound.code(),
                state: None,
            },
            Err(e) => return Err(e),
        };
        results.push(result);
    }
    let done = results.iter().filter(|r| r.outcome == "done").count();
    Ok(Json(BulkResponse {
        done,
        skipped: results.len() - done,
        results,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(action: &str, cases: Vec<String>) -> Vec<(String, String)> {
        let body = BulkRequest {
            action: action.to_owned(),
            cases,
        };
        match read(&body) {
            Err(AppError::Validation(e)) => e
                .iter()
                .map(|e| (e.field.clone(), e.code.clone()))
                .collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn the_body_names_a_known_action_and_between_one_and_200_cases() {
        let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(
            refused("approve", vec!["a".into()]),
            [pair("action", "unknown_bulk_action")]
        );
        assert_eq!(
            refused("close", vec![" ".into(), String::new()]),
            [pair("cases", "required")]
        );
        assert_eq!(
            refused("fly", vec![]),
            [
                pair("action", "unknown_bulk_action"),
                pair("cases", "required")
            ]
        );
        let many: Vec<String> = (0..=MAX_CASES).map(|i| i.to_string()).collect();
        assert_eq!(
            refused("close", many.clone()),
            [pair("cases", "too_many_cases")]
        );
        // Repeats count once: 201 ids of which two are the same are 200 cases.
        let mut repeated = many[..MAX_CASES].to_vec();
        repeated.push(" 0 ".into());
        let body = BulkRequest {
            action: " close ".into(),
            cases: repeated,
        };
        let (action, ids) = read(&body).unwrap();
        assert_eq!(
            action,
            BulkAction::Move(safir_domain::consular::case::CaseAction::Close)
        );
        assert_eq!(ids.len(), MAX_CASES);
        assert_eq!(ids[0], "0");
    }
}
