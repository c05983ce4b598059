//! `/api/v1/missions`: the public directory of the ministry and its missions, and a mission's
//! staff for those who work there.

use axum::Json;
use axum::extract::{Path, State};
use safir_domain::audit::actions;
use safir_store::accounts::directory;
use safir_store::audit::NewAuditRecord;
use safir_store::missions::{self, Mission};
use serde::Serialize;
use utoipa::ToSchema;

use super::ClientIp;
use crate::api::input::NoQuery;
use crate::auth::{MissionParam, SignedIn};
use crate::error::AppError;
use crate::state::AppState;

/// Text in both interface languages.
#[derive(Debug, Serialize, ToSchema)]
pub struct Bilingual {
    pub ar: String,
    pub en: String,
}

/// How the public reaches a mission.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactsResponse {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
}

/// A mission as the public directory shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MissionResponse {
    /// The mission's code, used in every mission URL.
    #[schema(example = "PAR")]
    pub code: String,
    /// `headquarters`, `embassy`, `consulate` or `permanent_mission`.
    #[schema(example = "embassy")]
    pub kind: String,
    pub name: Bilingual,
    /// ISO 3166-1 alpha-2 code of the host country.
    #[schema(example = "FR")]
    pub country: String,
    pub city: Bilingual,
    /// Languages the mission works in.
    #[schema(example = json!(["ar", "fr", "en"]))]
    pub languages: Vec<String>,
    /// IANA time zone.
    #[schema(example = "Europe/Paris")]
    pub time_zone: String,
    pub contacts: ContactsResponse,
}

impl From<Mission> for MissionResponse {
    fn from(m: Mission) -> Self {
        MissionResponse {
            languages: m.languages.split_whitespace().map(str::to_owned).collect(),
            code: m.code,
            kind: m.kind,
            name: Bilingual {
                ar: m.name_ar,
                en: m.name_en,
            },
            country: m.country,
            city: Bilingual {
                ar: m.city_ar,
                en: m.city_en,
            },
            time_zone: m.time_zone,
            contacts: ContactsResponse {
                email: m.email,
                phone: m.phone,
                address: m.address,
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MissionListResponse {
    /// Headquarters first, then missions by code.
    pub items: Vec<MissionResponse>,
}

/// One member of a mission's staff and their roles there.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffMemberResponse {
    pub id: String,
    pub display_name: String,
    pub email: String,
    #[schema(example = json!(["consular_officer"]))]
    pub roles: Vec<String>,
    /// A disabled account keeps its grants but cannot sign in.
    pub disabled: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffListResponse {
    #[schema(example = "PAR")]
    pub mission: String,
    /// By display name.
    pub items: Vec<StaffMemberResponse>,
}

/// The public directory: the ministry and every mission, with public contacts.
#[utoipa::path(
    get,
    path = "/api/v1/missions",
    tag = "missions",
    operation_id = "list_missions",
    security(()),
    responses(
        (status = 200, description = "Every mission", body = MissionListResponse),
        (status = 422, description = "A query parameter the route does not take (`unknown_field`)", body = crate::api::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_missions(
    State(state): State<AppState>,
    _: NoQuery,
) -> Result<Json<MissionListResponse>, AppError> {
    let items = missions::list(&state.db)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .map(MissionResponse::from)
        .collect();
    Ok(Json(MissionListResponse { items }))
}

/// One mission of the public directory.
#[utoipa::path(
    get,
    path = "/api/v1/missions/{mission}",
    tag = "missions",
    operation_id = "get_mission",
    security(()),
    params(("mission" = String, Path, description = "Mission code, e.g. `PAR`")),
    responses(
        (status = 200, description = "The mission", body = MissionResponse),
        (status = 404, description = "No mission has this code", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter the route does not take (`unknown_field`)", body = crate::api::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_mission(
    State(state): State<AppState>,
    Path(code): Path<String>,
    _: NoQuery,
) -> Result<Json<MissionResponse>, AppError> {
    let mission = missions::find_by_code(&state.db, &code)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound)?;
    Ok(Json(mission.into()))
}

/// The mission's staff with their roles there.
///
/// This is personal data: each call is recorded in the audit trail (`user.read`).
#[utoipa::path(
    get,
    path = "/api/v1/missions/{mission}/staff",
    tag = "missions",
    operation_id = "list_mission_staff",
    security(("bearer" = ["read"]), ("session_cookie" = [])),
    params(("mission" = String, Path, description = "Mission code, e.g. `PAR`")),
    responses(
        (status = 200, description = "The mission's staff", body = StaffListResponse),
        (status = 401, description = "No valid token or session", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff of this mission, or the token lacks `read`", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No mission has this code", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter the route does not take (`unknown_field`)", body = crate::api::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_mission_staff(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    MissionParam(mission): MissionParam,
    ClientIp(client_ip): ClientIp,
    _: NoQuery,
) -> Result<Json<StaffListResponse>, AppError> {
    let rows = directory::mission_staff(&state.db, &mission.id)
        .await
        .map_err(AppError::internal)?;
    let mut items: Vec<StaffMemberResponse> = Vec::new();
    for row in rows {
        match items.last_mut() {
            Some(last) if last.id == row.user_id => last.roles.push(row.role),
            _ => items.push(StaffMemberResponse {
                id: row.user_id,
                display_name: row.display_name,
                email: row.email,
                roles: vec![row.role],
                disabled: row.disabled,
            }),
        }
    }
    let ids: Vec<&str> = items.iter().map(|m| m.id.as_str()).collect();
    state
        .audit
        .record(NewAuditRecord {
            actor_id: Some(user.user.user_id()),
            actor_label: user.user.email.clone(),
            action: actions::USER_READ,
            target_type: "mission_staff",
            target_id: Some(mission.id.clone()),
            mission_id: Some(mission.mission_id()),
            client_ip,
            summary: serde_json::json!({ "via": "api", "users": ids }),
        })
        .await?;
    Ok(Json(StaffListResponse {
        mission: mission.code,
        items,
    }))
}
