//! `POST /api/v1/missions/{mission}/cases/{id}/travel-document`: from a lost or stolen
//! passport reported as an emergency, opens an emergency travel document application for the
//! same citizen, as the button on the case's page does.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use safir_store::consular::cases;
use serde::Serialize;
use utoipa::ToSchema;

use super::views::{CaseSummaryResponse, OfficerCaseResponse, officer_view, summary};
use super::{conflict, mission_case};
use crate::api::ClientIp;
use crate::api::doc::Problem;
use crate::api::input::NoBody;
use crate::auth::{MissionParam, SignedIn};
use crate::consular::officer::etd;
use crate::consular::workflow::By;
use crate::error::{AppError, ErrorInfo};
use crate::state::AppState;

/// The application opened, and the emergency it came from.
#[derive(Debug, Serialize, ToSchema)]
pub struct TravelDocumentResponse {
    /// The citizen's new draft, prefilled with the names and phone of the report, at high
    /// priority; they complete and submit it.
    pub travel_document: CaseSummaryResponse,
    /// The emergency, acknowledged (in review) if it was still waiting.
    pub emergency: OfficerCaseResponse,
}

/// Opens an emergency travel document application from a lost-passport emergency.
///
/// The citizen is mailed a link to complete it. One report opens one application (`409
/// etd_already_opened` afterwards, while it exists). Recorded in the audit trail
/// (`case.open_etd`).
#[utoipa::path(
    post,
    path = "/api/v1/missions/{mission}/cases/{id}/travel-document",
    tag = "consular",
    operation_id = "open_travel_document",
    security(("bearer" = ["consular:write"])),
    params(
        ("mission" = String, Path, description = "Mission code, e.g. `PAR`"),
        ("id" = String, Path, description = "The emergency case's id"),
    ),
    responses(
        (status = 201, description = "The application opened", body = TravelDocumentResponse),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a consular officer of this mission, or the token lacks `consular:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No submitted case of this mission has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`etd_already_opened`; `etd_not_offered`: not a lost-passport emergency still in hand; `etd_service_missing`: the mission offers no emergency travel document service", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "A body that is not valid JSON (the route takes none)", body = crate::api::doc::Problem, content_type = "application/problem+json"),
        (status = 415, description = "A body that is not `application/json` (the route takes none)", body = crate::api::doc::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A body with members (`unknown_field`): the route takes none", body = crate::api::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn open_travel_document(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    MissionParam(mission): MissionParam,
    ClientIp(ip): ClientIp,
    Path((_, id)): Path<(String, String)>,
    _: NoBody,
) -> Result<(StatusCode, Json<TravelDocumentResponse>), ErrorInfo> {
    let emergency = mission_case(&state, &mission, &id).await?;
    let by = By::api(&user, ip);
    let draft = match etd::open(&state, &mission, &by, &emergency, "api").await? {
        Ok(draft) => draft,
        Err(refusal) => return Err(conflict(refusal.code())),
    };
    let emergency = cases::find(&state.db, &emergency.id)
        .await
        .map_err(AppError::internal)?;
    Ok((
        StatusCode::CREATED,
        Json(TravelDocumentResponse {
            travel_document: summary(&draft, mission.code.clone()),
            emergency: officer_view(&state, &emergency).await?,
        }),
    ))
}
