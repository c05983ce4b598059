//! `GET /api/v1/verify`: the public check as JSON, for border systems and apps.

use axum::Json;
use axum::extract::{Query, State};
use safir_domain::Lang as ContentLang;
use safir_domain::consular::evisa::Verification;
use serde::Serialize;
use utoipa::ToSchema;

use super::verify::{VerifyParams, check};
use crate::error::{AppError, FieldError, FieldErrors};
use crate::state::AppState;

/// What a valid, expired, not-yet-valid or revoked visa says (never the full passport number
/// or the birth date).
#[derive(Debug, Serialize, ToSchema)]
pub struct VerifiedVisa {
    #[schema(example = "PAR-V-2026-000123")]
    pub visa_number: String,
    #[schema(example = "ERIKSSON ANNA MARIA")]
    pub holder_name: String,
    /// The passport number with its middle hidden.
    #[schema(example = "L89****C3")]
    pub passport_number_masked: String,
    /// ISO 3166-1 alpha-2.
    #[schema(example = "SE")]
    pub nationality: String,
    #[schema(example = "TOUR")]
    pub visa_type: String,
    /// `single`, `double` or `multiple`.
    #[schema(example = "multiple")]
    pub entries: String,
    #[schema(example = "2026-03-01")]
    pub valid_from: String,
    #[schema(example = "2026-08-31")]
    pub valid_until: String,
    #[schema(example = 90)]
    pub max_stay_days: u16,
    #[schema(example = "PAR")]
    pub mission_code: String,
    /// The issuing mission's name in Arabic and English, when it still exists.
    pub mission_name_ar: Option<String>,
    pub mission_name_en: Option<String>,
    #[schema(example = "2026-02-14T09:30:15Z")]
    pub issued_at: String,
    /// The key that signed it (see `/verify/keys`).
    #[schema(example = "3fa2b19c")]
    pub key_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationResponse {
    /// `valid`, `expired`, `not_yet_valid`, `revoked` or `invalid`.
    #[schema(example = "valid")]
    pub status: String,
    /// For `invalid`: `malformed`, `unknown_key`, `bad_signature` or `not_registered` (signed
    /// with a retired key and not in the register).
    pub reason: Option<String>,
    /// The day the dates were checked against, in the e-visas' time zone
    /// (`consular.evisa_time_zone`).
    #[schema(example = "2026-05-01")]
    pub checked_on: String,
    /// Absent when the code is invalid.
    pub visa: Option<VerifiedVisa>,
}

/// Checks an e-visa code: the Ed25519 signature, the validity dates and revocation.
///
/// `v` is the QR code's `v` parameter (`base64url(payload).base64url(signature)`) or the
/// whole verify URL. Limited per client address.
#[utoipa::path(
    get,
    path = "/api/v1/verify",
    tag = "evisas",
    operation_id = "verify_evisa",
    security(()),
    params(("v" = String, Query, description = "The e-visa code or verify URL")),
    responses(
        (status = 200, description = "The verdict (an invalid code is a verdict, not an error)", body = VerificationResponse),
        (status = 422, description = "`v` is missing", body = crate::api::doc::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many checks from this address", body = crate::api::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn verify_evisa(
    State(state): State<AppState>,
    Query(params): Query<VerifyParams>,
) -> Result<Json<VerificationResponse>, AppError> {
    let input = params.v.unwrap_or_default();
    if input.trim().is_empty() {
        let mut errors = FieldErrors::new();
        errors.add(FieldError::new("v", "required"));
        return Err(AppError::Validation(errors));
    }
    // One reading of the day: the day the answer names is the one its dates were judged on,
    // also when the check runs across midnight.
    let checked_on = state.config.consular.evisa_today();
    let (verdict, mission) = check(&state, &input, checked_on).await?;
    let reason = match &verdict {
        Verification::Invalid(r) => Some(r.code().to_owned()),
        _ => None,
    };
    let visa = verdict.payload().map(|p| VerifiedVisa {
        visa_number: p.visa_number.as_str().to_owned(),
        holder_name: p.holder.name.as_str().to_owned(),
        passport_number_masked: p.holder.passport_number.masked(),
        nationality: p.holder.nationality.as_str().to_owned(),
        visa_type: p.terms.visa_type().as_str().to_owned(),
        entries: p.terms.entries().as_str().to_owned(),
        valid_from: p.terms.valid_from().to_string(),
        valid_until: p.terms.valid_until().to_string(),
        max_stay_days: p.terms.max_stay_days(),
        mission_code: p.mission_code.as_str().to_owned(),
        mission_name_ar: mission.as_ref().map(|m| m.name(ContentLang::Ar).to_owned()),
        mission_name_en: mission.as_ref().map(|m| m.name(ContentLang::En).to_owned()),
        issued_at: p
            .issued_at()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        key_id: p.key_id.to_hex(),
    });
    Ok(Json(VerificationResponse {
        status: verdict.code().to_owned(),
        reason,
        checked_on: checked_on.to_string(),
        visa,
    }))
}
