//! `PUT /api/v1/cases/{id}/form`: saves the application form of a draft, or of a case the
//! mission asked more information about. Completeness is checked when the form is handed to
//! the mission: at submission, and when the applicant answers a request for information.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use safir_domain::consular::case::{Actor, CaseKind, CaseState};
use safir_domain::consular::forms;
use safir_store::consular::cases;
use safir_store::now;

use super::views::{CaseResponse, case_view};
use super::{conflict, has_control, own_case};
use crate::api::doc::Problem;
use crate::api::input::ApiJson;
use crate::auth::SignedIn;
use crate::error::{AppError, ErrorInfo, FieldError, FieldErrors};
use crate::state::AppState;

/// The longest value a form field keeps while it is a draft (the form's own limits apply at
/// submission).
const VALUE_MAX: usize = 4000;

/// The form as sent, trimmed; fields the kind's form does not have, values too long to keep
/// and dates in any other form than `YYYY-MM-DD`, are refused by name (`prefix` + field) rather than dropped, so nothing sent is lost
/// silently.
pub fn read_form(
    kind: CaseKind,
    input: &BTreeMap<String, String>,
    prefix: &str,
) -> Result<BTreeMap<String, String>, AppError> {
    let known = forms::fields(kind);
    let mut errors = FieldErrors::new();
    for (field, value) in input {
        if !known.contains(&field.as_str()) {
            errors.push(&format!("{prefix}{field}"), "unknown_field");
        } else if has_control(value, true) {
            errors.push(&format!("{prefix}{field}"), "invalid_characters");
        } else if value.trim().chars().count() > VALUE_MAX {
            errors.add(
                FieldError::new(format!("{prefix}{field}"), "too_long").with_arg("max", VALUE_MAX),
            );
        } else if forms::malformed_date(field, value) {
            // Saved, it would show as an empty date on the form's page, and go at its next save.
            errors.push(&format!("{prefix}{field}"), "consular_date_invalid");
        }
    }
    errors.into_result()?;
    Ok(forms::clean(kind, input))
}

/// Replaces the saved form with this one.
///
/// Possible while the case is a draft (each save keeps the draft for another 30 days by
/// default) or while the mission waits for more information. The body is the form itself:
/// an object of strings, with the fields of the service's kind.
#[utoipa::path(
    put,
    path = "/api/v1/cases/{id}/form",
    tag = "consular",
    operation_id = "save_case_form",
    security(("bearer" = ["cases:write"])),
    params(("id" = String, Path, description = "The case's id")),
    request_body(content = Object, content_type = "application/json", example = json!({"surname": "Haddad", "given_names": "Layla", "collection": "mission"})),
    responses(
        (status = 200, description = "The case with the saved form", body = CaseResponse),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `cases:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No case of the caller has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`case_not_editable`: the case is past the draft and no information is requested", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is unknown, not a string, too long, or a date field holds anything but `YYYY-MM-DD` or nothing", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn save_case_form(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BTreeMap<String, String>>,
) -> Result<Json<CaseResponse>, ErrorInfo> {
    let case = own_case(&state, &user, &id).await?;
    let current = case.state().map_err(AppError::internal)?;
    if !matches!(current, CaseState::Draft | CaseState::NeedsInfo) {
        return Err(conflict("case_not_editable"));
    }
    let form = read_form(case.kind().map_err(AppError::internal)?, &body, "")?;
    let expires_at = (current == CaseState::Draft).then(|| now() + state.config.consular.draft_ttl);
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    match cases::save_form(
        &mut tx,
        &case.id,
        &form,
        &forms::applicant_name(&form, &user.user.display_name),
        expires_at,
    )
    .await
    {
        Ok(()) => {}
        // Submitted or answered meanwhile.
        Err(safir_store::StoreError::NotFound) => return Err(conflict("case_not_editable")),
        Err(e) => return Err(AppError::internal(e).into()),
    }
    tx.commit().await.map_err(AppError::internal)?;
    let case = cases::find(&state.db, &case.id)
        .await
        .map_err(AppError::internal)?;
    Ok(Json(case_view(&state, &case, Actor::Applicant).await?))
}
