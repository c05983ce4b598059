//! `POST /api/v1/cases/{id}/submit` and `…/withdraw`: the applicant sends the draft to the
//! mission, or gives up before a decision.

use axum::Json;
use axum::extract::{Path, State};
use safir_domain::consular::case::{Actor, CaseAction, CaseKind, CaseState};
use safir_domain::consular::forms;
use safir_store::StoreError;
use safir_store::consular::{cases, services};

use super::views::{CaseResponse, case_view};
use super::{check_move, conflict, own_case};
use crate::api::ClientIp;
use crate::api::doc::Problem;
use crate::api::input::NoBody;
use crate::auth::SignedIn;
use crate::consular::applicant::apply::{EmergencyRefusal, emergency_refusal};
use crate::consular::labels;
use crate::consular::workflow::{self, By, Command};
use crate::error::{AppError, ErrorInfo};
use crate::state::AppState;

/// Submits a draft to the mission.
///
/// The saved form is checked field by field (passport numbers, machine-readable zone with
/// every check digit, dates, choices). If anything fails the answer is `422` with one entry
/// per failing field, named as in the form (`mrz`, `birth_date` …) with a stable code, and
/// the draft stays as it was. On success the case gets its reference and the applicant an
/// email.
///
/// An emergency request is refused, and its draft kept, beyond the account's limits: as many
/// sent in the past hour as `consular.emergency_requests_per_hour` allows (`429
/// emergency_limit_hourly`, with `Retry-After`), or as many waiting for their acknowledgement
/// as `consular.emergency_requests_open` allows (`409 emergency_limit_open`).
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/submit",
    tag = "consular",
    operation_id = "submit_case",
    security(("bearer" = ["cases:write"])),
    params(("id" = String, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The submitted case", body = CaseResponse),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `cases:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No case of the caller has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`case_transition_illegal`: the case is not a draft; `case_service_disabled`: the mission no longer offers the service (the draft is kept); `emergency_limit_open`: as many of the account's emergency requests as it may have wait for their acknowledgement (the draft is kept)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The form is incomplete or invalid, each field named; or a body with members (`unknown_field`): the route takes none", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`emergency_limit_hourly`: the account sent as many emergency requests in the past hour as it may (the draft is kept); `rate_limited`: too many changes from this account. `Retry-After` says when to try again", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "A body that is not valid JSON (the route takes none)", body = crate::api::doc::Problem, content_type = "application/problem+json"),
        (status = 415, description = "A body that is not `application/json` (the route takes none)", body = crate::api::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn submit_case(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    _: NoBody,
) -> Result<Json<CaseResponse>, ErrorInfo> {
    let case = own_case(&state, &user, &id).await?;
    if let Err(refused) = check_move(&case, CaseAction::Submit, Actor::Applicant) {
        return again_or(&state, &case, CaseAction::Submit, user.id(), refused).await;
    }
    let service = services::find(&state.db, &case.service_id)
        .await
        .map_err(AppError::internal)?;
    if !service.enabled {
        return Err(conflict("case_service_disabled"));
    }
    let kind = case.kind().map_err(AppError::internal)?;
    let today = crate::consular::case_today(&state, &case).await?;
    let form = case.form();
    let checked = forms::check(kind, &form, today, &service.visa_types())
        .map_err(|e| AppError::Validation(labels::field_errors(&e)))?;
    let name = forms::applicant_name(&form, &user.user.display_name);
    let priority = checked
        .priority_for(kind, case.state().map_err(AppError::internal)?)
        .filter(|p| *p != case.priority());
    if name != case.applicant_name || priority.is_some() {
        // A request submitting the same draft at the same moment may have moved it since it
        // was read: the form is no longer a draft's to save, and the move is no longer legal.
        let moved = |e: StoreError| match e {
            StoreError::NotFound => conflict("case_transition_illegal"),
            e => AppError::internal(e).into(),
        };
        let mut tx = state.db.begin().await.map_err(AppError::internal)?;
        cases::save_form(&mut tx, &case.id, &form, &name, None)
            .await
            .map_err(moved)?;
        if let Some(priority) = priority {
            cases::set_priority(&mut tx, &case.id, &case.mission_id, priority)
                .await
                .map_err(moved)?;
        }
        tx.commit().await.map_err(AppError::internal)?;
    }
    let emergency = kind == CaseKind::Emergency;
    if emergency && let Some(refusal) = emergency_refusal(&state, user.id()).await? {
        return sent_by_twin_or(&state, &user, &id, refusal.problem()).await;
    }
    let by = By::api(&user, ip);
    let cmd = Command {
        action: CaseAction::Submit,
        actor: Actor::Applicant,
        reason: None,
        message: None,
    };
    let case = match workflow::act(&state, &case, &by, &cmd).await {
        Ok(case) => case,
        // Another emergency request of the account's sent at the same moment took the last
        // place: named as above.
        Err(AppError::RateLimited { retry_after }) if emergency => {
            let refusal = emergency_refusal(&state, user.id())
                .await?
                .unwrap_or(EmergencyRefusal::Hourly { retry_after });
            return sent_by_twin_or(&state, &user, &id, refusal.problem()).await;
        }
        // Disabled since the check above (and not sent meanwhile by a twin request): named
        // as there.
        Err(AppError::Conflict)
            if !services::find(&state.db, &case.service_id)
                .await
                .map_err(AppError::internal)?
                .enabled
                && cases::find(&state.db, &case.id)
                    .await
                    .is_ok_and(|c| c.state == CaseState::Draft.as_str()) =>
        {
            return Err(conflict("case_service_disabled"));
        }
        // Submitted meanwhile by the same request sent twice at once: answered as done.
        Err(AppError::Conflict) => {
            let fresh = own_case(&state, &user, &id).await?;
            return again_or(
                &state,
                &fresh,
                CaseAction::Submit,
                user.id(),
                AppError::Conflict.into(),
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Json(case_view(&state, &case, Actor::Applicant).await?))
}

/// The answer to an emergency request over the account's limits: when the same request
/// sent twice at once went through first (and is counted against the limits here), the case
/// as it answered it; otherwise `refused`, the draft kept.
async fn sent_by_twin_or(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    id: &str,
    refused: ErrorInfo,
) -> Result<Json<CaseResponse>, ErrorInfo> {
    let fresh = own_case(state, user, id).await?;
    if fresh.state == CaseState::Draft.as_str() {
        return Err(refused);
    }
    again_or(state, &fresh, CaseAction::Submit, user.id(), refused).await
}

/// The answer to a move the case's state refuses: when the case's last move is this very
/// one, made by this applicant, and left it as it is (a request retried after its answer was
/// lost), the case as the first request answered it; otherwise `refused`.
async fn again_or(
    state: &AppState,
    case: &cases::Case,
    action: CaseAction,
    user_id: &str,
    refused: ErrorInfo,
) -> Result<Json<CaseResponse>, ErrorInfo> {
    if crate::consular::workflow::own_last_move(state, case, action, user_id)
        .await?
        .is_none()
    {
        return Err(refused);
    }
    Ok(Json(case_view(state, case, Actor::Applicant).await?))
}

/// Withdraws a submitted application before the mission decides.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/withdraw",
    tag = "consular",
    operation_id = "withdraw_case",
    security(("bearer" = ["cases:write"])),
    params(("id" = String, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The withdrawn case", body = CaseResponse),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `cases:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No case of the caller has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`case_transition_illegal`: a draft, or already decided", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "A body that is not valid JSON (the route takes none)", body = crate::api::doc::Problem, content_type = "application/problem+json"),
        (status = 415, description = "A body that is not `application/json` (the route takes none)", body = crate::api::doc::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A body with members (`unknown_field`): the route takes none", body = crate::api::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn withdraw_case(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    _: NoBody,
) -> Result<Json<CaseResponse>, ErrorInfo> {
    let case = own_case(&state, &user, &id).await?;
    if let Err(refused) = check_move(&case, CaseAction::Withdraw, Actor::Applicant) {
        return again_or(&state, &case, CaseAction::Withdraw, user.id(), refused).await;
    }
    let by = By::api(&user, ip);
    let cmd = Command {
        action: CaseAction::Withdraw,
        actor: Actor::Applicant,
        reason: None,
        message: None,
    };
    let case = match workflow::act(&state, &case, &by, &cmd).await {
        Ok(case) => case,
        // Withdrawn meanwhile by the same request sent twice at once: answered as done.
        Err(AppError::Conflict) => {
            let fresh = own_case(&state, &user, &id).await?;
            return again_or(
                &state,
                &fresh,
                CaseAction::Withdraw,
                user.id(),
                AppError::Conflict.into(),
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Json(case_view(&state, &case, Actor::Applicant).await?))
}

/// Discards a draft that was never submitted, as "Discard" on its page does.
///
/// The draft and its form are deleted; documents uploaded while filling it in stay in the
/// applicant's own list. A case once submitted is never deleted this way: it is withdrawn.
#[utoipa::path(
    delete,
    path = "/api/v1/cases/{id}",
    tag = "consular",
    operation_id = "discard_draft",
    security(("bearer" = ["cases:write"])),
    params(("id" = String, Path, description = "The case's id")),
    responses(
        (status = 204, description = "The draft is gone"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `cases:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No case of the caller has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`case_not_draft`: the case was submitted (withdraw it instead)", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "A body that is not valid JSON (the route takes none)", body = crate::api::doc::Problem, content_type = "application/problem+json"),
        (status = 415, description = "A body that is not `application/json` (the route takes none)", body = crate::api::doc::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A body with members (`unknown_field`): the route takes none", body = crate::api::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn discard_draft(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    _: NoBody,
) -> Result<axum::http::StatusCode, ErrorInfo> {
    let case = own_case(&state, &user, &id).await?;
    if case.state != "draft" {
        return Err(super::conflict("case_not_draft"));
    }
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    match cases::discard_draft(&mut tx, &case.id, user.id()).await {
        Ok(()) => {}
        // Submitted or discarded by another request meanwhile.
        Err(safir_store::StoreError::NotFound) => {
            return Err(super::conflict("case_not_draft"));
        }
        Err(e) => return Err(AppError::internal(e).into()),
    }
    tx.commit().await.map_err(AppError::internal)?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
