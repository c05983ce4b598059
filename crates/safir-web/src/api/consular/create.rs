//! `POST /api/v1/cases`: starts a draft application for a service, safely retried with an
//! `Idempotency-Key`.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use safir_domain::consular::case::{Actor, Priority};
use safir_domain::consular::forms;
use safir_store::consular::cases::{self, NewDraft};
use safir_store::consular::services;
use safir_store::{StoreError, now};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::form::read_form;
use super::has_control;
use super::views::{CaseResponse, case_view};
use crate::api::doc::Problem;
use crate::api::input::ApiJson;
use crate::auth::SignedIn;
use crate::error::{AppError, FieldErrors};
use crate::i18n::Lang;
use crate::state::AppState;

/// The header that makes a retried creation return the first case.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
const KEY_MAX: usize = 200;

/// A new draft.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCaseRequest {
    /// The service applied for (`id` from `/api/v1/consular/services`).
    pub service_id: String,
    /// Fields filled so far; all strings. Unknown fields are refused; nothing is checked
    /// for completeness until submission.
    #[serde(default)]
    #[schema(value_type = Object, example = json!({"surname": "Haddad", "given_names": "Layla"}))]
    pub form: BTreeMap<String, String>,
}

/// A digest of what the request asks for: its service and its form (sorted by field name,
/// so the order of the members does not matter).
fn request_fingerprint(body: &CreateCaseRequest) -> String {
    let asked = serde_json::json!([body.service_id.trim(), body.form]);
    hex::encode(Sha256::digest(asked.to_string().as_bytes()))
}

/// Whether `case`, found under the request's idempotency key, was made for this request. A
/// key sent again with another service or another form is another request, not a retry:
/// answering with the first case would hand a visa applicant a passport draft, or silently
/// drop what the second request carried. Cases from before digests were kept compare by
/// service.
fn same_request(
    case: &cases::Case,
    body: &CreateCaseRequest,
    fingerprint: &str,
) -> Result<(), AppError> {
    let same = match &case.idempotency_fingerprint {
        Some(kept) => kept == fingerprint,
        None => case.service_id == body.service_id.trim(),
    };
    if same {
        Ok(())
    } else {
        let mut errors = FieldErrors::new();
        errors.push("Idempotency-Key", "idempotency_key_reused");
        Err(AppError::Validation(errors))
    }
}

/// The request's `Idempotency-Key`, checked: `422 invalid_idempotency_key` when it is empty,
/// too long, not printable ASCII or reserved.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, AppError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = value.to_str().map(str::trim).unwrap_or("");
    let printable = key.bytes().all(|b| b.is_ascii_graphic());
    if key.is_empty()
        || key.len() > KEY_MAX
        || !printable
        || crate::consular::officer::etd::reserved_key(key)
    {
        let mut errors = FieldErrors::new();
        errors.push("Idempotency-Key", "invalid_idempotency_key");
        return Err(AppError::Validation(errors));
    }
    Ok(Some(key.to_owned()))
}

/// Starts a draft application.
///
/// With an `Idempotency-Key` header (1 to 200 printable ASCII characters, not beginning with `etd-from:`, unique per
/// application), repeating the request returns the case the first one created, with `200`
/// instead of `201`, and creates nothing; the same key with another service or another form
/// is refused (`422 idempotency_key_reused`). The draft is kept for the configured time
/// (30 days by default) after each save.
#[utoipa::path(
    post,
    path = "/api/v1/cases",
    tag = "consular",
    operation_id = "create_case",
    security(("bearer" = ["cases:write"])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first case")),
    request_body(content = CreateCaseRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The new draft", body = CaseResponse, headers(("location" = String, description = "The case's URL"))),
        (status = 200, description = "The draft an earlier request with the same key created", body = CaseResponse),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `cases:write`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown service, unknown form field or malformed date, bad key, or a key already used for another request (another service or form)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_case(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    lang: Lang,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CreateCaseRequest>,
) -> Result<Response, AppError> {
    let key = idempotency_key(&headers)?;
    let fingerprint = request_fingerprint(&body);
    if let Some(key) = &key {
        let earlier = cases::list_for_applicant(&state.db, user.id())
            .await
            .map_err(AppError::internal)?
            .into_iter()
            .find(|c| c.idempotency_key.as_deref() == Some(key.as_str()));
        if let Some(case) = earlier {
            same_request(&case, &body, &fingerprint)?;
            let view = case_view(&state, &case, Actor::Applicant).await?;
            return Ok((StatusCode::OK, Json(view)).into_response());
        }
    }
    let service_id = body.service_id.trim();
    let found = if has_control(service_id, false) {
        Err(StoreError::NotFound)
    } else {
        services::find(&state.db, service_id).await
    };
    let service = match found {
        Ok(s) if s.enabled => s,
        Ok(_) | Err(StoreError::NotFound) => {
            let mut errors = FieldErrors::new();
            errors.push("service_id", "unknown_service");
            return Err(AppError::Validation(errors));
        }
        Err(e) => return Err(AppError::internal(e)),
    };
    let kind = service.kind().map_err(AppError::internal)?;
    let form = read_form(kind, &body.form, "form.")?;
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let case = cases::create_draft(
        &mut tx,
        &NewDraft {
            mission_id: &service.mission_id,
            service_id: &service.id,
            kind,
            applicant_id: user.id(),
            form: &form,
            applicant_name: &forms::applicant_name(&form, &user.user.display_name),
            lang: lang.code(),
            priority: Priority::Normal,
            idempotency_key: key.as_deref(),
            idempotency_fingerprint: key.as_ref().map(|_| fingerprint.as_str()),
            expires_at: now() + state.config.consular.draft_ttl,
        },
    )
    .await
    .map_err(AppError::internal)?;
    // Another request with the same key may have created the case a moment before.
    same_request(&case, &body, &fingerprint)?;
    tx.commit().await.map_err(AppError::internal)?;
    let view = case_view(&state, &case, Actor::Applicant).await?;
    let mut response = (StatusCode::CREATED, Json(view)).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/cases/{}", case.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}
