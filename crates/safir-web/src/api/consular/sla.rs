//! `GET /api/v1/missions/{mission}/sla`: the processing-times board of a mission, as its page
//! shows it: how long cases stay in each state, and the open cases past due per service.

use axum::Json;
use axum::extract::{RawQuery, State};
use chrono::{DateTime, Duration, Utc};
use safir_store::consular::cases;
use safir_store::now;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::doc::Problem;
use crate::api::input::query_once;
use crate::api::missions::Bilingual;
use crate::auth::{MissionParam, SignedIn};
use crate::consular::officer::sla::WINDOWS;
use crate::error::{AppError, FieldErrors};
use crate::state::AppState;

/// The board's span.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlaQuery {
    /// Measure the stays that ended in the last 30, 90 or 365 days (default 30), and every
    /// stay still running, however long ago it began.
    #[param(example = 90)]
    pub window_days: Option<i64>,
}

/// Time spent in one state.
#[derive(Debug, Serialize, ToSchema)]
pub struct StateTimesResponse {
    #[schema(example = "in_review")]
    pub state: String,
    /// Stays measured: those that ended in the span, and those still running (whenever they
    /// began), counted until now.
    pub count: usize,
    pub median_hours: f64,
    pub p90_hours: f64,
}

/// One service's open cases past their deadline.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceOverdueResponse {
    pub service_id: String,
    #[schema(example = "passport")]
    pub code: String,
    pub name: Bilingual,
    pub overdue: i64,
}

/// The board.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaResponse {
    pub window_days: i64,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// States in the order of the case's life, those with a stay that ended in the span or
    /// still runs only.
    pub states: Vec<StateTimesResponse>,
    /// Every service of the mission, a quiet one with 0.
    pub services: Vec<ServiceOverdueResponse>,
}

/// The processing-times board: median and 90th-percentile time in each state, and open
/// cases past due per service.
///
/// A state's times are those of the stays that ended in the span and of every stay still
/// running, however long ago it began (counted until `to`): a case submitted before the span
/// and still waiting counts with its whole wait.
#[utoipa::path(
    get,
    path = "/api/v1/missions/{mission}/sla",
    tag = "consular",
    operation_id = "get_mission_sla",
    security(("bearer" = ["consular:read"]), ("session_cookie" = [])),
    params(("mission" = String, Path, description = "Mission code, e.g. `PAR`"), SlaQuery),
    responses(
        (status = 200, description = "The board", body = SlaResponse),
        (status = 401, description = "No valid token or session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a consular officer of this mission, or the token lacks `consular:read`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No mission has this code", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`window_days` is not 30, 90 or 365, or the query has a parameter the board does not take (`unknown_field`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_mission_sla(
    State(state): State<AppState>,
    SignedIn(_user): SignedIn,
    MissionParam(mission): MissionParam,
    RawQuery(raw): RawQuery,
) -> Result<Json<SlaResponse>, AppError> {
    let mut days = WINDOWS[0];
    let mut errors = FieldErrors::new();
    for (key, value) in query_once(raw.as_deref(), &[], &mut errors) {
        match key.as_str() {
            "window_days" => match value.trim().parse::<i64>() {
                Ok(d) if WINDOWS.contains(&d) => days = d,
                _ => errors.push("window_days", "consular_window_invalid"),
            },
            // The interface language, already applied by the language layer.
            "lang" => {}
            _ => errors.push(&key, "unknown_field"),
        }
    }
    errors.into_result()?;
    let to = now();
    let from = to - Duration::days(days);
    let board = cases::sla_board(&state.db, &mission.id, from, to)
        .await
        .map_err(AppError::internal)?;
    let overdue = cases::overdue_by_service(&state.db, &mission.id, to)
        .await
        .map_err(AppError::internal)?;
    Ok(Json(SlaResponse {
        window_days: days,
        from,
        to,
        states: board
            .into_iter()
            .map(|r| StateTimesResponse {
                state: r.state.as_str().to_owned(),
                count: r.count,
                median_hours: r.median_hours,
                p90_hours: r.p90_hours,
            })
            .collect(),
        services: overdue
            .into_iter()
            .map(|r| ServiceOverdueResponse {
                service_id: r.service_id,
                code: r.code,
                name: Bilingual {
                    ar: r.name_ar,
                    en: r.name_en,
                },
                overdue: r.overdue,
            })
            .collect(),
    }))
}
