//! E-visas through the API: the holder downloads theirs (`GET /api/v1/cases/{id}/evisa.pdf`),
//! the mission's officers download one (audited) or revoke it
//! (`…/missions/{mission}/evisas/{id}/pdf`, `…/revoke`), as on the e-visa's page.

use axum::Json;
use axum::extract::{Path, State};
use safir_store::consular::evisas;
use serde::Deserialize;
use utoipa::ToSchema;

use super::views::EvisaLinkResponse;
use super::{conflict, own_case};
use crate::api::ClientIp;
use crate::api::doc::Problem;
use crate::api::input::ApiJson;
use crate::api::input::NoQuery;
use crate::auth::{MissionParam, SignedIn};
use crate::consular::evisa::document::{
    mission_evisa, pdf_response, record_read, revocation_reason, revoke,
};
use crate::error::{AppError, ErrorInfo};
use crate::state::AppState;

/// Why the e-visa is revoked.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    /// Up to 500 characters; kept in the register and the audit trail, for staff: the
    /// holder's email says the visa was revoked, not why.
    #[schema(example = "Holder's passport reported stolen.")]
    pub reason: String,
}

/// Revokes an e-visa of the mission.
///
/// From then on `/verify` and `GET /api/v1/verify` answer `revoked` for it. The holder is
/// emailed, and the revocation is recorded in the audit trail (`evisa.revoke`, with
/// `"via": "api"`), in one transaction. Answers the e-visa as a case lists it.
#[utoipa::path(
    post,
    path = "/api/v1/missions/{mission}/evisas/{id}/revoke",
    tag = "consular",
    operation_id = "revoke_evisa",
    security(("bearer" = ["consular:write"])),
    params(
        ("mission" = String, Path, description = "Mission code, e.g. `PAR`"),
        ("id" = String, Path, description = "The e-visa's id (a case's `evisa.id`)"),
    ),
    request_body(content = RevokeRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The e-visa, revoked", body = EvisaLinkResponse),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a consular officer of this mission, or the token lacks `consular:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No e-visa of this mission has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`evisa_already_revoked`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`reason` missing, too long or with control characters", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn revoke_evisa(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    MissionParam(mission): MissionParam,
    ClientIp(ip): ClientIp,
    Path((_, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<RevokeRequest>,
) -> Result<Json<EvisaLinkResponse>, ErrorInfo> {
    let evisa = mission_evisa(&state, &mission, &id).await?;
    let (reason, errors) = revocation_reason(&body.reason);
    errors.into_result()?;
    if !revoke(&state, &user, ip, &evisa, reason, Some("api")).await? {
        return Err(conflict("evisa_already_revoked"));
    }
    let evisa = evisas::find(&state.db, &evisa.id)
        .await
        .map_err(AppError::internal)?;
    Ok(Json(EvisaLinkResponse::new(
        &evisa,
        &state.config.public_url,
        Some(&mission.code),
    )))
}

/// The e-visa of one of the caller's approved visa applications, as a PDF with its QR code.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/evisa.pdf",
    tag = "consular",
    operation_id = "get_my_evisa_pdf",
    security(("bearer" = ["cases:read"]), ("session_cookie" = [])),
    params(("id" = String, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The e-visa", content_type = "application/pdf"),
        (status = 401, description = "No valid token or session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `cases:read`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No case of the caller has this id, or it has no e-visa", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter the route does not take (`unknown_field`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_my_evisa_pdf(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    _: NoQuery,
) -> Result<axum::response::Response, AppError> {
    let case = own_case(&state, &user, &id).await?;
    let evisa = evisas::find_for_case(&state.db, user.id(), &case.id)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound)?;
    pdf_response(&state, &evisa).await
}

/// An e-visa of the mission as a PDF, for its officers.
///
/// Personal data: each call is recorded in the audit trail (`evisa.read`).
#[utoipa::path(
    get,
    path = "/api/v1/missions/{mission}/evisas/{id}/pdf",
    tag = "consular",
    operation_id = "get_mission_evisa_pdf",
    security(("bearer" = ["consular:read"]), ("session_cookie" = [])),
    params(
        ("mission" = String, Path, description = "Mission code, e.g. `PAR`"),
        ("id" = String, Path, description = "The e-visa's id (a case's `evisa.id`)"),
    ),
    responses(
        (status = 200, description = "The e-visa", content_type = "application/pdf"),
        (status = 401, description = "No valid token or session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a consular officer of this mission, or the token lacks `consular:read`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No e-visa of this mission has this id", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter the route does not take (`unknown_field`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_mission_evisa_pdf(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    MissionParam(mission): MissionParam,
    ClientIp(ip): ClientIp,
    Path((_, id)): Path<(String, String)>,
    _: NoQuery,
) -> Result<axum::response::Response, AppError> {
    let evisa = mission_evisa(&state, &mission, &id).await?;
    record_read(&state, &user, ip, &evisa, "pdf", "api").await?;
    pdf_response(&state, &evisa).await
}
