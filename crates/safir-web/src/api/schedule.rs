//! A mission's appointments through the API, as its staff pages keep them: the day's bookings
//! (`GET /api/v1/missions/{mission}/appointments?date=`, personal data, every read audited)
//! and the schedule (weekly opening rules and closures), read and changed through the same
//! checks and audit as `/missions/{mission}/appointments/schedule`.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use safir_domain::consular::appointments::{self as domain, parse_date};
use safir_store::StoreError;
use safir_store::consular::appointments::schedule::{self, ClosureRow, RuleRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ClientIp;
use super::consular::create::idempotency_key;
use super::doc::Problem;
use super::input::{ApiJson, NoBody, NoQuery, query_once};
use crate::admin::support::{Actor, FormData};
use crate::auth::{MissionParam, SignedIn};
use crate::consular::appointments::day::bookings_of_day;
use crate::consular::appointments::schedule_form::{
    closure_summary, parse_closure, parse_rule, removed_closure_summary, removed_rule_summary,
    rule_summary,
};
use crate::consular::appointments::{labels, service};
use crate::error::{AppError, FieldErrors};
use crate::state::AppState;

/// One booking of the day.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayBookingResponse {
    pub id: String,
    #[schema(example = "passport_renewal")]
    pub service: String,
    /// The applicant's case at the mission this appointment is for, if they named one.
    pub case_id: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The time in the mission's zone.
    #[schema(example = "09:30")]
    pub local_time: String,
    pub name: String,
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DayBookingsResponse {
    #[schema(example = "2026-03-02")]
    pub date: String,
    #[schema(example = "Europe/Paris")]
    pub time_zone: String,
    /// Live bookings, by time.
    pub items: Vec<DayBookingResponse>,
}

/// A weekly opening rule.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleResponse {
    pub id: String,
    /// ISO weekday: 1 is Monday, 7 Sunday.
    #[schema(example = 1)]
    pub weekday: i32,
    /// Local times, `HH:MM`.
    #[schema(example = "09:00")]
    pub start_time: String,
    #[schema(example = "12:00")]
    pub end_time: String,
    #[schema(example = 30)]
    pub slot_minutes: i32,
    /// People per slot.
    #[schema(example = 2)]
    pub capacity: i32,
    /// The one service these hours are for; `null` for every service the mission offers.
    pub service: Option<String>,
    #[schema(example = "2026-01-01")]
    pub valid_from: String,
    pub valid_until: Option<String>,
}

/// Keys sent in `Idempotency-Key` are stored apart from those of the schedule page's forms,
/// and each caller's apart from the others' (two scripts of one mission may both send `1`).
const API_KEY_PREFIX: &str = "api:";

/// The same `Idempotency-Key` with another rule or closure: another request, not a retry.
fn key_reused() -> AppError {
    let mut errors = FieldErrors::new();
    errors.push("Idempotency-Key", "idempotency_key_reused");
    AppError::Validation(errors)
}

impl From<RuleRow> for RuleResponse {
    fn from(r: RuleRow) -> Self {
        RuleResponse {
            id: r.id,
            weekday: r.weekday,
            start_time: r.start_time,
            end_time: r.end_time,
            slot_minutes: r.slot_minutes,
            capacity: r.capacity,
            service: r.service,
            valid_from: r.valid_from,
            valid_until: r.valid_until,
        }
    }
}

/// Days without appointments (holidays), inclusive.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosureResponse {
    pub id: String,
    #[schema(example = "2026-12-24")]
    pub first_day: String,
    #[schema(example = "2026-12-26")]
    pub last_day: String,
    pub reason_ar: String,
    pub reason_en: String,
}

impl From<ClosureRow> for ClosureResponse {
    fn from(c: ClosureRow) -> Self {
        ClosureResponse {
            id: c.id,
            first_day: c.first_day,
            last_day: c.last_day,
            reason_ar: c.reason_ar,
            reason_en: c.reason_en,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleResponse {
    #[schema(example = "Europe/Paris")]
    pub time_zone: String,
    /// By weekday, then opening time.
    pub rules: Vec<RuleResponse>,
    /// Those not yet over, by first day.
    pub closures: Vec<ClosureResponse>,
}

/// A new weekly opening rule.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleRequest {
    /// ISO weekday: 1 is Monday, 7 Sunday.
    #[schema(example = 1)]
    pub weekday: u8,
    /// Local times, `HH:MM`; the end after the start.
    #[schema(example = "09:00")]
    pub start_time: String,
    #[schema(example = "12:00")]
    pub end_time: String,
    /// 5 to 240, no longer than the opening hours.
    #[schema(example = 30)]
    pub slot_minutes: u32,
    /// People per slot, 1 to 100.
    #[schema(example = 2)]
    pub capacity: u32,
    /// `YYYY-MM-DD`; from when the rule holds.
    #[schema(example = "2026-01-01")]
    pub valid_from: String,
    /// `YYYY-MM-DD`; until when (inclusive), or for good when left out.
    pub valid_until: Option<String>,
    /// One service the mission offers, or every service when left out.
    pub service: Option<String>,
}

/// New days without appointments.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosureRequest {
    #[schema(example = "2026-12-24")]
    pub first_day: String,
    /// At most a year after the first.
    #[schema(example = "2026-12-26")]
    pub last_day: String,
    #[schema(example = "عطلة نهاية السنة")]
    pub reason_ar: String,
    #[schema(example = "Year-end holiday")]
    pub reason_en: String,
}

/// The day's bookings of the mission, with each applicant's name and address.
///
/// Personal data: each call is recorded in the audit trail (`appointment.read`, with the ids
/// listed).
#[utoipa::path(
    get,
    path = "/api/v1/missions/{mission}/appointments",
    tag = "appointments",
    operation_id = "list_mission_appointments",
    security(("bearer" = ["consular:read"]), ("session_cookie" = [])),
    params(
        ("mission" = String, Path, description = "Mission code, e.g. `PAR`"),
        ("date" = Option<String>, Query, description = "The local day, `YYYY-MM-DD`; today in the mission's zone when left out"),
    ),
    responses(
        (status = 200, description = "The day's bookings", body = DayBookingsResponse),
        (status = 401, description = "No valid token or session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the mission's staff who may read personal data, or the token lacks `consular:read`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No mission has this code", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`date` is not a date, or an unknown parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_mission_appointments(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    MissionParam(mission): MissionParam,
    ClientIp(ip): ClientIp,
    RawQuery(raw): RawQuery,
) -> Result<Json<DayBookingsResponse>, AppError> {
    let tz = service::zone_or_utc(&mission);
    let mut date = None;
    let mut errors = FieldErrors::new();
    for (key, value) in query_once(raw.as_deref(), &[], &mut errors) {
        match key.as_str() {
            "date" => match parse_date(&value) {
                Ok(d) => date = Some(d),
                Err(e) => errors.add(labels::field_error("date", &e)),
            },
            "lang" => {}
            _ => errors.push(&key, "unknown_field"),
        }
    }
    errors.into_result()?;
    let date = date.unwrap_or_else(|| service::local_today(tz));
    let actor = Actor { user, ip };
    let rows = bookings_of_day(&state, &actor, &mission, tz, date, "api").await?;
    let items = rows
        .into_iter()
        .map(|r| DayBookingResponse {
            local_time: r.starts_at.with_timezone(&tz).format("%H:%M").to_string(),
            id: r.id,
            service: r.service,
            case_id: r.case_id,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            name: r.display_name,
            email: r.email,
        })
        .collect();
    Ok(Json(DayBookingsResponse {
        date: date.to_string(),
        time_zone: mission.time_zone.clone(),
        items,
    }))
}

/// The mission's weekly opening rules and coming closures.
#[utoipa::path(
    get,
    path = "/api/v1/missions/{mission}/appointments/schedule",
    tag = "appointments",
    operation_id = "get_mission_schedule",
    security(("bearer" = ["consular:read"]), ("session_cookie" = [])),
    params(("mission" = String, Path, description = "Mission code, e.g. `PAR`")),
    responses(
        (status = 200, description = "The schedule", body = ScheduleResponse),
        (status = 401, description = "No valid token or session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to manage this mission's services, or the token lacks `consular:read`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No mission has this code", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter the route does not take (`unknown_field`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_mission_schedule(
    State(state): State<AppState>,
    SignedIn(_user): SignedIn,
    MissionParam(mission): MissionParam,
    _: NoQuery,
) -> Result<Json<ScheduleResponse>, AppError> {
    let tz = service::zone_or_utc(&mission);
    let rules = schedule::list_rules(&state.db, &mission.id)
        .await
        .map_err(AppError::internal)?;
    let closures = schedule::list_closures(&state.db, &mission.id, service::local_today(tz))
        .await
        .map_err(AppError::internal)?;
    Ok(Json(ScheduleResponse {
        time_zone: mission.time_zone.clone(),
        rules: rules.into_iter().map(RuleResponse::from).collect(),
        closures: closures.into_iter().map(ClosureResponse::from).collect(),
    }))
}

/// Opens hours: a weekly rule of slots.
///
/// The same checks as the schedule page, every failure named at once; a rule for one
/// service must name a service the mission offers. Audited (`appointment_rule.create`).
///
/// With an `Idempotency-Key` header (1 to 200 printable ASCII characters, unique per rule
/// among the caller's own requests),
/// repeating the request returns the rule the first one added, with `200` instead of `201`,
/// and adds nothing (two equal rules add up: each slot would offer twice its seats); the
/// same key with another rule is refused (`422 idempotency_key_reused`).
#[utoipa::path(
    post,
    path = "/api/v1/missions/{mission}/appointments/schedule/rules",
    tag = "appointments",
    operation_id = "add_schedule_rule",
    security(("bearer" = ["consular:write"])),
    params(
        ("mission" = String, Path, description = "Mission code, e.g. `PAR`"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first rule"),
    ),
    request_body(content = RuleRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The rule", body = RuleResponse),
        (status = 200, description = "The rule an earlier request with the same key added", body = RuleResponse),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to manage this mission's services, or the token lacks `consular:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No mission has this code", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Every field refused, named; or a bad key, or a key already used for another rule", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn add_schedule_rule(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    MissionParam(mission): MissionParam,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RuleRequest>,
) -> Result<(StatusCode, Json<RuleResponse>), AppError> {
    let key = idempotency_key(&headers)?.map(|k| format!("{API_KEY_PREFIX}{}:{k}", user.user.id));
    let form = FormData(vec![
        ("weekday".into(), body.weekday.to_string()),
        ("start_time".into(), body.start_time.clone()),
        ("end_time".into(), body.end_time.clone()),
        ("slot_minutes".into(), body.slot_minutes.to_string()),
        ("capacity".into(), body.capacity.to_string()),
        ("valid_from".into(), body.valid_from.clone()),
        (
            "valid_until".into(),
            body.valid_until.clone().unwrap_or_default(),
        ),
        ("service".into(), body.service.clone().unwrap_or_default()),
    ]);
    let rule = parse_rule(&form).map_err(AppError::Validation)?;
    if let Some(s) = rule.service()
        && !service::offers(&state, &mission, s).await?
    {
        let mut errors = FieldErrors::new();
        errors.push("service", "appointments_service_not_offered");
        return Err(AppError::Validation(errors));
    }
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let id = match &key {
        None => schedule::add_rule(&mut tx, &mission.id, &rule)
            .await
            .map_err(AppError::internal)?,
        Some(key) => match schedule::add_rule_keyed(&mut tx, &mission.id, &rule, key)
            .await
            .map_err(AppError::internal)?
        {
            Some(id) => id,
            // A retry: the rule its first sending added (two equal rules would add up).
            None => {
                let first = schedule::rule_by_key(&mut tx, &mission.id, key)
                    .await
                    .map_err(AppError::internal)?
                    .ok_or_else(|| AppError::internal("keyed rule not found"))?;
                tx.rollback().await.map_err(AppError::internal)?;
                let kept = first.rule().map_err(AppError::internal)?;
                if rule_summary(&kept) != rule_summary(&rule) {
                    return Err(key_reused());
                }
                return Ok((StatusCode::OK, Json(first.into())));
            }
        },
    };
    let actor = Actor { user, ip };
    let record = actor.audit(
        domain::RULE_CREATE,
        "appointment_rule",
        Some(&id),
        Some(&mission.id),
        serde_json::json!({ "created": rule_summary(&rule), "via": "api" }),
    );
    crate::audit_log::commit_with(tx, &record).await?;
    let row = schedule::list_rules(&state.db, &mission.id)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Removes a weekly rule; bookings already made stay. Audited (`appointment_rule.remove`).
#[utoipa::path(
    delete,
    path = "/api/v1/missions/{mission}/appointments/schedule/rules/{id}",
    tag = "appointments",
    operation_id = "remove_schedule_rule",
    security(("bearer" = ["consular:write"])),
    params(
        ("mission" = String, Path, description = "Mission code, e.g. `PAR`"),
        ("id" = String, Path, description = "The rule's id"),
    ),
    responses(
        (status = 200, description = "The rule removed", body = RuleResponse),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to manage this mission's services, or the token lacks `consular:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No rule of this mission has this id", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "A body that is not valid JSON (the route takes none)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "A body that is not `application/json` (the route takes none)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A body with members (`unknown_field`): the route takes none", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn remove_schedule_rule(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    MissionParam(mission): MissionParam,
    ClientIp(ip): ClientIp,
    Path((_, id)): Path<(String, String)>,
    _: NoBody,
) -> Result<Json<RuleResponse>, AppError> {
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let removed = match schedule::remove_rule(&mut tx, &mission.id, &id).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(AppError::internal(e)),
    };
    let summary = serde_json::json!({ "removed": removed_rule_summary(&removed), "via": "api" });
    let actor = Actor { user, ip };
    let record = actor.audit(
        domain::RULE_REMOVE,
        "appointment_rule",
        Some(&id),
        Some(&mission.id),
        summary,
    );
    crate::audit_log::commit_with(tx, &record).await?;
    Ok(Json(removed.into()))
}

/// Removes a closure: its days offer slots again (bookings it cancelled stay cancelled).
/// Audited (`appointment_closure.remove`).
#[utoipa::path(
    delete,
    path = "/api/v1/missions/{mission}/appointments/schedule/closures/{id}",
    tag = "appointments",
    operation_id = "remove_schedule_closure",
    security(("bearer" = ["consular:write"])),
    params(
        ("mission" = String, Path, description = "Mission code, e.g. `PAR`"),
        ("id" = String, Path, description = "The closure's id"),
    ),
    responses(
        (status = 200, description = "The closure removed", body = ClosureResponse),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to manage this mission's services, or the token lacks `consular:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No closure of this mission has this id", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "A body that is not valid JSON (the route takes none)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "A body that is not `application/json` (the route takes none)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A body with members (`unknown_field`): the route takes none", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn remove_schedule_closure(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    MissionParam(mission): MissionParam,
    ClientIp(ip): ClientIp,
    Path((_, id)): Path<(String, String)>,
    _: NoBody,
) -> Result<Json<ClosureResponse>, AppError> {
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let removed = match schedule::remove_closure(&mut tx, &mission.id, &id).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(AppError::internal(e)),
    };
    let summary = serde_json::json!({ "removed": removed_closure_summary(&removed), "via": "api" });
    let actor = Actor { user, ip };
    let record = actor.audit(
        domain::CLOSURE_REMOVE,
        "appointment_closure",
        Some(&id),
        Some(&mission.id),
        summary,
    );
    crate::audit_log::commit_with(tx, &record).await?;
    Ok(Json(removed.into()))
}

/// Closes days (holidays): no slot is offered on them, and the bookings already made on them
/// are cancelled, each applicant emailed why. Audited (`appointment_closure.create`, with
/// `bookings_cancelled`).
///
/// With an `Idempotency-Key` header, repeating the request returns the closure the first one
/// added, with `200` instead of `201`, and adds nothing; the same key with another closure
/// is refused (`422 idempotency_key_reused`).
#[utoipa::path(
    post,
    path = "/api/v1/missions/{mission}/appointments/schedule/closures",
    tag = "appointments",
    operation_id = "add_schedule_closure",
    security(("bearer" = ["consular:write"])),
    params(
        ("mission" = String, Path, description = "Mission code, e.g. `PAR`"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first closure"),
    ),
    request_body(content = ClosureRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The closure", body = ClosureResponse),
        (status = 200, description = "The closure an earlier request with the same key added", body = ClosureResponse),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to manage this mission's services, or the token lacks `consular:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No mission has this code", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Every field refused, named; or a bad key, or a key already used for another closure", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn add_schedule_closure(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    MissionParam(mission): MissionParam,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ClosureRequest>,
) -> Result<(StatusCode, Json<ClosureResponse>), AppError> {
    let key = idempotency_key(&headers)?.map(|k| format!("{API_KEY_PREFIX}{}:{k}", user.user.id));
    let form = FormData(vec![
        ("first_day".into(), body.first_day),
        ("last_day".into(), body.last_day),
        ("reason_ar".into(), body.reason_ar),
        ("reason_en".into(), body.reason_en),
    ]);
    let closure =
        parse_closure(&form, service::mission_today(&mission)).map_err(AppError::Validation)?;
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let id = match &key {
        None => schedule::add_closure(&mut tx, &mission.id, &closure)
            .await
            .map_err(AppError::internal)?,
        Some(key) => match schedule::add_closure_keyed(&mut tx, &mission.id, &closure, key)
            .await
            .map_err(AppError::internal)?
        {
            Some(id) => id,
            // A retry: the closure its first sending added, whose bookings it cancelled.
            None => {
                let first = schedule::closure_by_key(&mut tx, &mission.id, key)
                    .await
                    .map_err(AppError::internal)?
                    .ok_or_else(|| AppError::internal("keyed closure not found"))?;
                tx.rollback().await.map_err(AppError::internal)?;
                let kept = first.closure().map_err(AppError::internal)?;
                if closure_summary(&kept) != closure_summary(&closure) {
                    return Err(key_reused());
                }
                return Ok((StatusCode::OK, Json(first.into())));
            }
        },
    };
    let cancelled = service::cancel_for_closure(&state, &mut tx, &mission, &closure).await?;
    let actor = Actor { user, ip };
    let record = actor.audit(
        domain::CLOSURE_CREATE,
        "appointment_closure",
        Some(&id),
        Some(&mission.id),
        serde_json::json!({
            "created": closure_summary(&closure),
            "bookings_cancelled": cancelled,
            "via": "api",
        }),
    );
    crate::audit_log::commit_with(tx, &record).await?;
    Ok((
        StatusCode::CREATED,
        Json(ClosureResponse {
            id,
            first_day: closure.first_day().to_string(),
            last_day: closure.last_day().to_string(),
            reason_ar: closure.reason_ar().to_owned(),
            reason_en: closure.reason_en().to_owned(),
        }),
    ))
}
