//! `/api/v1/…/appointments`: a mission's free slots, booking and cancelling, and the
//! caller's own bookings.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use safir_domain::consular::appointments::{ServiceCode, parse_date};
use safir_store::consular::appointments::{self as store, Appointment};
use safir_store::missions::{self, Mission};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::input::{ApiJson, NoBody, NoQuery, query_once};
use crate::auth::{CurrentUser, SignedIn};
use crate::consular::appointments::service::BookingError;
use crate::consular::appointments::{labels, mine, service};
use crate::error::{AppError, ErrorInfo, FieldError, FieldErrors};
use crate::i18n::Lang;
use crate::state::AppState;

/// Longest range of days one slots request covers.
pub const MAX_DAYS: i64 = 31;

/// A bookable slot.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlotResponse {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The date and time on the mission's clock.
    #[schema(example = "2026-06-08")]
    pub local_date: String,
    #[schema(example = "09:30")]
    pub local_time: String,
    pub capacity: u16,
    /// Zero when the slot is full.
    pub seats_left: u16,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlotListResponse {
    #[schema(example = "PAR")]
    pub mission: String,
    #[schema(example = "Europe/Paris")]
    pub time_zone: String,
    #[schema(example = "passport_renewal")]
    pub service: String,
    /// In time order; past slots are left out.
    pub items: Vec<SlotResponse>,
}

/// A booking.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentResponse {
    pub id: String,
    #[schema(example = "PAR")]
    pub mission: String,
    #[schema(example = "passport_renewal")]
    pub service: String,
    pub case_id: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// `booked`, `cancelled` or `rescheduled`.
    #[schema(example = "booked")]
    pub status: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentListResponse {
    /// Live bookings first, then the newest.
    pub items: Vec<AppointmentResponse>,
}

/// What to book.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookRequest {
    /// The mission's code.
    #[schema(example = "PAR")]
    pub mission: String,
    #[schema(example = "passport_renewal")]
    pub service: String,
    /// The start of a slot listed by the slots endpoint.
    pub starts_at: DateTime<Utc>,
    /// One of the caller's consular cases at the same mission, which this appointment is for.
    pub case_id: Option<String>,
}

fn response(a: Appointment, mission_code: &str) -> AppointmentResponse {
    AppointmentResponse {
        id: a.id,
        mission: mission_code.to_owned(),
        service: a.service,
        case_id: a.case_id,
        starts_at: a.starts_at,
        ends_at: a.ends_at,
        status: a.status,
        created_at: a.created_at,
    }
}

async fn mission_by_code(state: &AppState, code: &str) -> Result<Option<Mission>, AppError> {
    missions::find_by_code(&state.db, code)
        .await
        .map_err(AppError::internal)
}

/// A mission's slots for a service, with free seats.
///
/// `from` and `to` are dates on the mission's clock (`YYYY-MM-DD`, both included; at most
/// 31 days); `from` defaults to today and `to` to 13 days later.
#[utoipa::path(
    get,
    path = "/api/v1/missions/{mission}/appointments/slots",
    tag = "appointments",
    operation_id = "list_appointment_slots",
    security(()),
    params(
        ("mission" = String, Path, description = "Mission code, e.g. `PAR`"),
        ("service" = String, Query, description = "Service code, e.g. `passport_renewal`"),
        ("from" = Option<String>, Query, description = "First local date"),
        ("to" = Option<String>, Query, description = "Last local date"),
    ),
    responses(
        (status = 200, description = "The slots", body = SlotListResponse),
        (status = 404, description = "No mission has this code", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is invalid", body = super::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_slots(
    State(state): State<AppState>,
    Path(code): Path<String>,
    uri: Uri,
) -> Result<Json<SlotListResponse>, AppError> {
    let mission = mission_by_code(&state, &code)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::new();
    let pairs = query_once(uri.query(), &[], &mut errors);
    // A typo (`form` for `from`) is named, not read as "from today".
    for (key, _) in &pairs {
        if !matches!(key.as_str(), "service" | "from" | "to" | "lang") {
            errors.push(key, "unknown_field");
        }
    }
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let svc = ServiceCode::parse(get("service").unwrap_or(""))
        .map_err(|e| errors.add(labels::field_error("service", &e)))
        .ok();
    let date = |name: &str, errors: &mut FieldErrors| -> Option<NaiveDate> {
        let raw = get(name)?;
        parse_date(raw)
            .map_err(|e| errors.add(labels::field_error(name, &e)))
            .ok()
    };
    let from = date("from", &mut errors).unwrap_or_else(|| service::mission_today(&mission));
    let to = date("to", &mut errors).unwrap_or(from + Duration::days(13));
    if to < from {
        errors.push("to", "appointments_until_before_from");
    } else if (to - from).num_days() >= MAX_DAYS {
        errors.add(FieldError::new("to", "appointments_range_too_long").with_arg("max", MAX_DAYS));
    }
    if let Some(s) = &svc
        && !service::offers(&state, &mission, s).await?
    {
        errors.push("service", "appointments_service_not_offered");
    }
    errors.clone().into_result()?;
    let Some(svc) = svc else {
        return Err(AppError::Validation(errors));
    };
    let items = service::offered_slots(&state.db, &mission, &svc, from, to)
        .await?
        .into_iter()
        .map(|o| SlotResponse {
            starts_at: o.slot.start,
            ends_at: o.slot.end,
            local_date: o.slot.local_date.to_string(),
            local_time: o.slot.local_start.format("%H:%M").to_string(),
            capacity: o.slot.capacity,
            seats_left: o.seats_left,
        })
        .collect();
    Ok(Json(SlotListResponse {
        mission: mission.code,
        time_zone: mission.time_zone,
        service: svc.as_str().to_owned(),
        items,
    }))
}

/// Refuses a booking, a move or a cancellation from an account whose address is not confirmed
/// (`403 email_unconfirmed`): each sends an email to that address, which an account opened
/// with someone else's could otherwise have sent without end.
async fn require_confirmed(state: &AppState, user: &CurrentUser) -> Result<(), ErrorInfo> {
    if service::address_confirmed(state, user).await? {
        Ok(())
    } else {
        Err(ErrorInfo::new("email_unconfirmed", StatusCode::FORBIDDEN))
    }
}

fn check_case_id(raw: Option<&str>, errors: &mut FieldErrors) -> Option<String> {
    let v = raw?.trim();
    let ok = !v.is_empty()
        && v.len() <= 64
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b));
    if !ok {
        errors.push("case_id", "appointments_case_id_invalid");
    }
    Some(v.to_owned())
}

/// Books a slot for the caller.
///
/// A confirmation email with an iCalendar file is sent, and a reminder a day before. A
/// full slot is refused with the field code `appointments_slot_full`; a sixth booking still
/// to come at the same mission with `appointments_too_many`. The caller's own live booking of
/// that service and time (with the same `case_id`) is the answer to the same request sent
/// again: a retry after a lost answer books nothing more and is not refused.
#[utoipa::path(
    post,
    path = "/api/v1/appointments",
    tag = "appointments",
    operation_id = "book_appointment",
    security(("bearer" = ["write"])),
    request_body = BookRequest,
    responses(
        (status = 200, description = "The booking", body = AppointmentResponse),
        (status = 401, description = "No valid token", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `write`, or the account's email address is not confirmed yet (`email_unconfirmed`)", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not bookable: unknown mission or service, a time that is not a free slot, a full slot, already booked then, five bookings to come at the mission already (`appointments_too_many`), or a `case_id` that is not one of the caller's cases at the mission still in hand", body = super::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn book_appointment(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    ApiJson(body): ApiJson<BookRequest>,
) -> Result<Json<AppointmentResponse>, ErrorInfo> {
    require_confirmed(&state, &user).await?;
    let mut errors = FieldErrors::new();
    let mission = mission_by_code(&state, &body.mission).await?;
    if mission.is_none() {
        errors.push("mission", "appointments_mission_unknown");
    }
    let svc = ServiceCode::parse(&body.service)
        .map_err(|e| errors.add(labels::field_error("service", &e)))
        .ok();
    let case_id = check_case_id(body.case_id.as_deref(), &mut errors);
    let (Some(mission), Some(svc)) = (mission, svc) else {
        return Err(AppError::Validation(errors).into());
    };
    if !service::offers(&state, &mission, &svc).await? {
        errors.push("service", "appointments_service_not_offered");
    }
    errors.into_result()?;
    if let Some(id) = &case_id {
        // Only the caller's own case at this mission: an id of anyone else's case would put a
        // stranger's file beside the booking on the mission's day list.
        // A case the mission is done with (refused, withdrawn, closed) has nothing left to
        // come for: it would stand on the day list beside a booking that serves nothing.
        // Checked again inside the booking's transaction, which a withdrawal committed after
        // this read would otherwise miss (see `safir_store::consular::appointments::book`).
        let own = match crate::consular::applicant::own_case(&state, &user, id).await {
            Ok(c) => {
                c.mission_id == mission.id
                    && !matches!(c.state.as_str(), "rejected" | "withdrawn" | "closed")
            }
            Err(AppError::NotFound) => false,
            Err(e) => return Err(e.into()),
        };
        if !own {
            let mut errors = FieldErrors::new();
            errors.push("case_id", "appointments_case_unknown");
            return Err(AppError::Validation(errors).into());
        }
    }
    let booked = match service::book(
        &state,
        &user,
        &mission,
        &svc,
        body.starts_at,
        case_id.as_deref(),
        lang,
    )
    .await
    {
        Ok(booked) => booked,
        // This very booking, made a moment ago (a retry after a lost answer): answered with
        // it, as the first request was, not as "already booked then".
        Err(e @ (BookingError::AlreadyBooked | BookingError::SlotFull | BookingError::TooMany)) => {
            match service::held(&state, &user, &mission, &svc, body.starts_at).await? {
                Some(held) if held.case_id == case_id => held,
                _ => return Err(AppError::from(e).into()),
            }
        }
        Err(e) => return Err(AppError::from(e).into()),
    };
    Ok(Json(response(booked, &mission.code)))
}

/// Where a booking moves to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleRequest {
    /// The start of another slot of the same mission and service, as the slots endpoint lists.
    pub starts_at: DateTime<Utc>,
}

/// Moves one of the caller's bookings to another slot, as "Change" on the appointments page.
///
/// The old slot is freed and the new one taken in one transaction; the email says so, with
/// a calendar file that replaces the old event, and the reminder follows the booking. The
/// answer is the new booking (the old one is `rescheduled`). The same request again (a retry
/// after a lost answer) is answered with the same new booking, and moves nothing.
#[utoipa::path(
    post,
    path = "/api/v1/appointments/{id}/reschedule",
    tag = "appointments",
    operation_id = "reschedule_appointment",
    security(("bearer" = ["write"])),
    params(("id" = String, Path, description = "The booking's id")),
    request_body = RescheduleRequest,
    responses(
        (status = 200, description = "The new booking", body = AppointmentResponse),
        (status = 400, description = "The body is not valid JSON", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `write`, or the account's email address is not confirmed yet (`email_unconfirmed`)", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No live booking of the caller has this id", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The booking's time has come: it is no longer moved", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`starts_at` is not a free slot of the booking's mission and service (`appointments_slot_unavailable`, `appointments_slot_full`, `appointments_already_booked`, `appointments_too_many`), is the time already booked (`appointments_same_slot`), or the booking was made for a case refused, withdrawn or closed since (`appointments_case_closed`)", body = super::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn reschedule_appointment(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RescheduleRequest>,
) -> Result<Json<AppointmentResponse>, ErrorInfo> {
    require_confirmed(&state, &user).await?;
    // Moved there a moment ago (a retry after a lost answer): answered with the new booking,
    // as the first request was, not "no such booking".
    let mission = match mine::own_booking(&state, &user, &id).await {
        Ok((_, mission)) => mission,
        Err(AppError::NotFound) => {
            let Some(moved) = mine::moved_booking(&state, &user, &id, body.starts_at).await? else {
                return Err(AppError::NotFound.into());
            };
            let mission = missions::find(&state.db, &moved.mission_id)
                .await
                .map_err(AppError::internal)?;
            return Ok(Json(response(moved, &mission.code)));
        }
        Err(e) => return Err(e.into()),
    };
    let moved = match service::reschedule(&state, &user, &id, body.starts_at, &mission).await {
        Ok(moved) => moved,
        Err(BookingError::NotFound) => mine::moved_booking(&state, &user, &id, body.starts_at)
            .await?
            .ok_or(AppError::NotFound)?,
        Err(e) => return Err(AppError::from(e).into()),
    };
    Ok(Json(response(moved, &mission.code)))
}

/// Cancels one of the caller's bookings.
///
/// A booking already cancelled (a retry after a lost answer, or cancelled by the mission) is
/// answered as it stands, `200`.
#[utoipa::path(
    delete,
    path = "/api/v1/appointments/{id}",
    tag = "appointments",
    operation_id = "cancel_appointment",
    security(("bearer" = ["write"])),
    params(("id" = String, Path, description = "The booking's id")),
    responses(
        (status = 200, description = "The booking, cancelled", body = AppointmentResponse),
        (status = 401, description = "No valid token", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `write`, or the account's email address is not confirmed yet (`email_unconfirmed`)", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No booking of the caller has this id", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The booking's time has come: it is no longer cancelled", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 400, description = "A body that is not valid JSON (the route takes none)", body = crate::api::doc::Problem, content_type = "application/problem+json"),
        (status = 415, description = "A body that is not `application/json` (the route takes none)", body = crate::api::doc::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A body with members (`unknown_field`): the route takes none", body = crate::api::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn cancel_appointment(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    _: NoBody,
) -> Result<Json<AppointmentResponse>, ErrorInfo> {
    require_confirmed(&state, &user).await?;
    let cancelled = match service::cancel(&state, &user, &id).await {
        Ok(cancelled) => cancelled,
        // Cancelled a moment ago (a retry after a lost answer): the same outcome.
        Err(BookingError::NotFound) => mine::cancelled_booking(&state, &user, &id)
            .await?
            .ok_or(AppError::NotFound)?,
        Err(e) => return Err(AppError::from(e).into()),
    };
    let mission = missions::find(&state.db, &cancelled.mission_id)
        .await
        .map_err(AppError::internal)?;
    Ok(Json(response(cancelled, &mission.code)))
}

/// The caller's bookings.
#[utoipa::path(
    get,
    path = "/api/v1/me/appointments",
    tag = "appointments",
    operation_id = "list_my_appointments",
    security(("bearer" = ["read"]), ("session_cookie" = [])),
    responses(
        (status = 200, description = "The caller's bookings", body = AppointmentListResponse),
        (status = 401, description = "No valid token or session", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `read`", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter the route does not take (`unknown_field`)", body = crate::api::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_my_appointments(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    _: NoQuery,
) -> Result<Json<AppointmentListResponse>, AppError> {
    let rows = store::list_for_user(&state.db, user.id())
        .await
        .map_err(AppError::internal)?;
    let all = missions::list(&state.db)
        .await
        .map_err(AppError::internal)?;
    let items = rows
        .into_iter()
        .map(|a| {
            let code = all
                .iter()
                .find(|m| m.id == a.mission_id)
                .map(|m| m.code.clone())
                .unwrap_or_default();
            response(a, &code)
        })
        .collect();
    Ok(Json(AppointmentListResponse { items }))
}
