//! `POST /api/v1/missions/{mission}/cases/{id}/assign`: gives a case to an officer of the
//! mission, or back to the pool.

use axum::Json;
use axum::extract::{Path, State};
use safir_domain::roles::{Permission, Target};
use safir_store::StoreError;
use safir_store::accounts::{self, grants};
use safir_store::consular::cases;
use safir_store::missions::Mission;
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use super::officer_case::read_case;
use super::views::{OfficerCaseResponse, officer_view};
use super::{CASE_ASSIGN, check_open, conflict, has_control, mission_case};
use crate::api::ClientIp;
use crate::api::doc::Problem;
use crate::api::input::ApiJson;
use crate::auth::{MissionParam, SignedIn};
use crate::consular::workflow::{By, record};
use crate::error::{AppError, ErrorInfo, FieldErrors};
use crate::state::AppState;

/// Who works the case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// `me`, an officer's user id, or `null` to put the case back in the pool. Required, so
    /// that an empty body never unassigns by accident.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, required = true, example = "me")]
    pub assignee: Option<Option<String>>,
    /// Who the caller saw working the case (`me`, a user id, or `null` for nobody), as its
    /// `assignee_id` read before: when someone changed the assignment since, nothing is
    /// written (`409 case_assignee_changed`). Left out, the assignment is made whoever
    /// works the case now.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, example = json!(null))]
    pub seen_assignee: Option<Option<String>>,
}

/// Tells a `null` apart from a missing member: `Some(None)` versus `None`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// The assignee's id, if they may work this mission's cases.
pub(super) async fn officer(
    state: &AppState,
    mission: &Mission,
    me: &str,
    who: &str,
) -> Result<String, AppError> {
    let id = if who.trim() == "me" { me } else { who.trim() };
    let refuse = || {
        let mut errors = FieldErrors::new();
        errors.push("assignee", "not_an_officer");
        AppError::Validation(errors)
    };
    if has_control(id, false) {
        return Err(refuse());
    }
    let user = match accounts::find_user(&state.db, id).await {
        Ok(u) if u.disabled_at.is_none() => u,
        Ok(_) | Err(StoreError::NotFound) => return Err(refuse()),
        Err(e) => return Err(AppError::internal(e)),
    };
    let grants = grants::grants_for_user(&state.db, &user.id)
        .await
        .map_err(AppError::internal)?;
    if grants.can(
        Permission::ManageConsularCases,
        Target::Mission(&mission.mission_id()),
    ) {
        Ok(user.id)
    } else {
        Err(refuse())
    }
}

/// Assigns the case; recorded in the audit trail (`case.assign`). An officer given the case by
/// someone else is told by email.
#[utoipa::path(
    post,
    path = "/api/v1/missions/{mission}/cases/{id}/assign",
    tag = "consular",
    operation_id = "assign_case",
    security(("bearer" = ["consular:write"])),
    params(
        ("mission" = String, Path, description = "Mission code, e.g. `PAR`"),
        ("id" = String, Path, description = "The case's id"),
    ),
    request_body(content = AssignRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The case, assigned", body = OfficerCaseResponse),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a consular officer of this mission, or the token lacks `consular:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No submitted case of this mission has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`case_not_open`: the case is refused, withdrawn or closed; `case_assignee_changed`: someone changed its assignment since `seen_assignee` was read, or while this request was answered (nothing written; read the case again)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`assignee` missing, or not an officer of this mission", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn assign_case(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    MissionParam(mission): MissionParam,
    ClientIp(ip): ClientIp,
    Path((_, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<AssignRequest>,
) -> Result<Json<OfficerCaseResponse>, ErrorInfo> {
    let case = mission_case(&state, &mission, &id).await?;
    // What was asked is checked before whether it can be done now.
    let assignee = match body.assignee {
        None => {
            let mut errors = FieldErrors::new();
            errors.push("assignee", "required");
            return Err(AppError::Validation(errors).into());
        }
        Some(None) => None,
        Some(Some(who)) => Some(officer(&state, &mission, user.id(), &who).await?),
    };
    check_open(&case)?;
    if let Some(seen) = body.seen_assignee {
        let seen = seen.map(|who| match who.trim() {
            "me" => user.id().to_owned(),
            id => id.to_owned(),
        });
        if seen != case.assignee_id && case.assignee_id != assignee {
            return Err(conflict("case_assignee_changed"));
        }
    }
    if case.assignee_id == assignee {
        // Already so (a retried request, or `null` for a case nobody works): nothing written,
        // but the answer is the whole case: a read of it, recorded as the case's own page is.
        let by = By::api(&user, ip);
        return Ok(Json(read_case(&state, &by, &case).await?));
    }
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let assigned = cases::assign(
        &mut tx,
        &case.id,
        &mission.id,
        case.assignee_id.as_deref(),
        assignee.as_deref(),
    )
    .await
    .map_err(AppError::internal)?;
    if !assigned {
        // Someone changed the assignment between the read above and this write: theirs
        // stands; the client reads the case again and decides.
        tx.rollback().await.map_err(AppError::internal)?;
        return Err(conflict("case_assignee_changed"));
    }
    crate::consular::officer_mail::assigned(
        &state,
        &mut tx,
        &case,
        assignee.as_deref(),
        &user.user,
    )
    .await?;
    let by = By::api(&user, ip);
    let summary = serde_json::json!({
        "reference": case.reference,
        "from": case.assignee_id,
        "to": assignee,
    });
    crate::audit_log::commit_with(tx, &record(&by, CASE_ASSIGN, &case, summary)).await?;
    let case = cases::find(&state.db, &case.id)
        .await
        .map_err(AppError::internal)?;
    Ok(Json(officer_view(&state, &case).await?))
}
