//! `/missions/{mission}/appointments?date=`: a day's bookings at the mission with the
//! applicants' names and addresses. Each view is a read of personal data, so it is audited.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Html;
use chrono::{Datelike, Duration, TimeZone, Utc};
use safir_domain::consular::appointments::{self as domain, BookingStatus, parse_date};
use safir_store::consular::appointments::{self as store, BookingWithPerson};
use safir_store::missions::Mission;

use super::{labels, service};
use crate::admin::support::Actor;
use crate::auth::{MissionParam, Viewer};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::page::{Page, render};
use crate::state::AppState;

struct BookingView {
    id: String,
    /// Whether its time is still to come (staff may cancel it then).
    to_come: bool,
    time: String,
    name: String,
    email: String,
    service: String,
    /// The case's reference, and its page when the viewer works the mission's cases.
    case: Option<(String, Option<String>)>,
}

/// A day the page leads to: its `date=` value, and its weekday.
struct DayLink {
    date: String,
    weekday: String,
}

#[derive(Template)]
#[template(path = "consular/appointments/day.html")]
struct DayPage {
    page: Page,
    csrf_token: String,
    code: String,
    date: String,
    zone: String,
    bookings: Vec<BookingView>,
    /// Whether the viewer may change the schedule (the breadcrumb leads there only then).
    edits_schedule: bool,
    /// Why the date asked for cannot be read (`date` is then as typed).
    date_error: Option<String>,
    /// The days the page leads to; none while the date cannot be read.
    days: Option<DaysAround>,
    /// The day shown, in the heading: its weekday and its date (kept on one line).
    day: Option<(String, String)>,
}

struct DaysAround {
    previous: DayLink,
    following: DayLink,
    /// On a day without bookings, the next day that has some.
    next_booked: Option<DayLink>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct DayQuery {
    pub date: Option<String>,
}

pub async fn list_day_bookings(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    MissionParam(mission): MissionParam,
    Query(q): Query<DayQuery>,
) -> Result<Html<String>, AppError> {
    let tz = service::zone_or_utc(&mission);
    let edits_schedule =
        super::SCHEDULE_ACCESS.admits(&actor.user.grants, Some(&mission.mission_id()));
    let typed = q.date.as_deref().map(str::trim).unwrap_or_default();
    let date = if typed.is_empty() {
        service::local_today(tz)
    } else {
        match parse_date(typed) {
            Ok(d) => d,
            Err(e) => {
                // A date that cannot be read is named beside the field, as typed; no day is
                // listed (nor read) until it is corrected.
                let page = state.page(lang, &uri, "appointments-day-title", &viewer);
                return render(&DayPage {
                    page,
                    csrf_token: state.csrf_token(&viewer),
                    edits_schedule,
                    code: mission.code.clone(),
                    date: typed.to_owned(),
                    date_error: Some(labels::field_error("date", &e).message(lang)),
                    zone: mission.time_zone.clone(),
                    bookings: Vec::new(),
                    days: None,
                    day: None,
                });
            }
        }
    };
    let rows = bookings_of_day(&state, &actor, &mission, tz, date, "web").await?;
    let services = labels::ServiceNames::cached(&state, &mission.id).await?;
    let works_cases = crate::consular::officer::CASE_ACCESS
        .admits(&actor.user.grants, Some(&mission.mission_id()));
    let bookings: Vec<BookingView> = rows
        .into_iter()
        .map(|r| BookingView {
            to_come: r.starts_at > Utc::now(),
            id: r.id,
            time: r.starts_at.with_timezone(&tz).format("%H:%M").to_string(),
            name: r.display_name,
            email: r.email,
            service: services.name(lang, &r.service),
            case: r.case_reference.map(|reference| {
                let href = r
                    .case_id
                    .filter(|_| works_cases)
                    .map(|id| format!("/missions/{}/cases/{id}", mission.code));
                (reference, href)
            }),
        })
        .collect();
    let link = |d: chrono::NaiveDate| DayLink {
        date: d.to_string(),
        weekday: labels::weekday(lang, d.weekday()),
    };
    let next_booked = if bookings.is_empty() {
        let after = day_start(tz, date + Duration::days(1));
        store::next_booked_from(&state.db, &mission.id, after)
            .await
            .map_err(AppError::internal)?
            .map(|at| link(at.with_timezone(&tz).date_naive()))
    } else {
        None
    };
    let mut page = state.page(lang, &uri, "appointments-day-title", &viewer);
    page.title = format!("{} — {}", page.title, labels::day_heading(lang, date));
    render(&DayPage {
        page,
        csrf_token: state.csrf_token(&viewer),
        edits_schedule,
        date_error: None,
        day: Some(labels::day_parts(lang, date)),
        days: Some(DaysAround {
            previous: link(date.pred_opt().unwrap_or(date)),
            following: link(date.succ_opt().unwrap_or(date)),
            next_booked,
        }),
        code: mission.code.clone(),
        date: date.to_string(),
        zone: mission.time_zone.clone(),
        bookings,
    })
}

/// `POST /missions/{mission}/appointments/{id}/cancel`: staff who keep the schedule cancel
/// a booking still to come (the applicant cannot come, a counter is closed for the morning,
/// a booking made to hold a seat). The applicant is emailed in their language, with what the
/// staff wrote and a calendar file that takes it out; the seat is free again; audited
/// (`appointment.cancel`). Back to the booking's day; a cancellation sent again (a second
/// click, a retried request) finds the booking cancelled and leads there too, without a
/// second email or audit record.
pub async fn staff_cancel(
    State(state): State<AppState>,
    actor: Actor,
    MissionParam(mission): MissionParam,
    axum::extract::Path((_, id)): axum::extract::Path<(String, String)>,
    axum::Form(data): axum::Form<crate::admin::support::FormData>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::{IntoResponse, Redirect};
    let tz = service::zone_or_utc(&mission);
    let back_to_day = |starts_at: chrono::DateTime<Utc>| {
        let day = starts_at.with_timezone(&tz).date_naive();
        Redirect::to(&format!(
            "/missions/{}/appointments?date={day}",
            mission.code
        ))
        .into_response()
    };
    let booking = match store::find(&state.db, &id).await {
        Ok(b) if b.mission_id == mission.id => b,
        Ok(_) | Err(safir_store::StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(AppError::internal(e)),
    };
    // Cancelled a moment ago (a second click, a retried request): the same outcome.
    if booking.status() == Some(BookingStatus::Cancelled) {
        return Ok(back_to_day(booking.starts_at));
    }
    // Moved by the applicant, or its time has come: not this page's to cancel.
    if !booking.is_booked() || booking.starts_at <= Utc::now() {
        return Err(AppError::Conflict);
    }
    let reason: String = safir_domain::trim_blank(data.get("reason"))
        .chars()
        .filter(|c| !c.is_control())
        .take(300)
        .collect();
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let row = match store::cancel(&mut tx, &id, None).await {
        Ok(row) => row,
        // Cancelled or moved meanwhile: a cancellation sent twice at once is the same outcome.
        Err(safir_store::StoreError::NotFound) => {
            tx.rollback().await.map_err(AppError::internal)?;
            return match store::find(&state.db, &id).await {
                Ok(b) if b.status() == Some(BookingStatus::Cancelled) => {
                    Ok(back_to_day(b.starts_at))
                }
                Ok(_) | Err(safir_store::StoreError::NotFound) => Err(AppError::Conflict),
                Err(e) => Err(AppError::internal(e)),
            };
        }
        Err(e) => return Err(AppError::internal(e)),
    };
    let user = safir_store::accounts::find_user(&state.db, &row.user_id)
        .await
        .map_err(AppError::internal)?;
    let services = labels::ServiceNames::cached(&state, &mission.id).await?;
    let lang = crate::accounts::user_lang(&user);
    let said = if reason.is_empty() {
        crate::i18n::t(lang, "appointments-cancelled-no-reason")
    } else {
        reason.clone()
    };
    super::notify::changed(
        &mut tx,
        &state.config,
        &user,
        (&mission, &services),
        &row,
        super::notify::Change::CancelledByMission { reason: &said },
    )
    .await
    .map_err(AppError::internal)?;
    let record = actor.audit(
        domain::BOOKING_CANCEL,
        "appointment",
        Some(&row.id),
        Some(&mission.id),
        serde_json::json!({
            "starts_at": row.starts_at, "service": row.service, "reason": reason, "via": "web",
        }),
    );
    crate::audit_log::commit_with(tx, &record).await?;
    Ok(back_to_day(row.starts_at))
}

/// The first instant of the local day `d` in `tz`. Where the clocks go forward at midnight
/// (Beirut, Cairo, Santiago, Havana), 00:00 does not exist and the day begins at the change:
/// midnight at the offset in force just before it.
pub(crate) fn day_start(tz: chrono_tz::Tz, d: chrono::NaiveDate) -> chrono::DateTime<Utc> {
    use chrono::Offset;
    let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    tz.from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| {
            let before = tz
                .offset_from_utc_datetime(&(midnight - Duration::hours(12)))
                .fix();
            Utc.from_utc_datetime(&(midnight - before))
        })
}

/// The live bookings of the mission's local `date` in `tz`, with each applicant's name and
/// address; the read is recorded in the audit trail (`appointment.read`, with the ids and
/// where it was made, `via`), for the day page and the API alike.
pub(crate) async fn bookings_of_day(
    state: &AppState,
    actor: &Actor,
    mission: &Mission,
    tz: chrono_tz::Tz,
    date: chrono::NaiveDate,
    via: &str,
) -> Result<Vec<BookingWithPerson>, AppError> {
    let (from, to) = (day_start(tz, date), day_start(tz, date + Duration::days(1)));
    let rows = store::list_for_mission(&state.db, &mission.id, from, to)
        .await
        .map_err(AppError::internal)?;
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let record = actor.audit(
        domain::BOOKINGS_READ,
        "appointment_day",
        Some(&date.to_string()),
        Some(&mission.id),
        serde_json::json!({ "date": date.to_string(), "appointments": ids, "via": via }),
    );
    state.audit.record(record).await?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> chrono::DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_day_begins_at_its_first_instant_even_when_midnight_is_skipped() {
        let date = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        let paris: chrono_tz::Tz = "Europe/Paris".parse().unwrap();
        assert_eq!(
            day_start(paris, date("2026-07-01")),
            at("2026-06-30T22:00:00Z")
        );
        // Beirut goes from UTC+2 to UTC+3 at 00:00 on the last Sunday of March: that day
        // begins at 22:00 UTC the evening before, and the Saturday ends there too.
        let beirut: chrono_tz::Tz = "Asia/Beirut".parse().unwrap();
        assert_eq!(
            day_start(beirut, date("2026-03-29")),
            at("2026-03-28T22:00:00Z")
        );
        assert_eq!(
            day_start(beirut, date("2026-03-28")),
            at("2026-03-27T22:00:00Z")
        );
        assert_eq!(
            day_start(beirut, date("2026-03-30")),
            at("2026-03-29T21:00:00Z")
        );
        // Santiago goes from UTC-4 to UTC-3 at 00:00 on the first Sunday of September.
        let santiago: chrono_tz::Tz = "America/Santiago".parse().unwrap();
        assert_eq!(
            day_start(santiago, date("2026-09-06")),
            at("2026-09-06T04:00:00Z")
        );
        assert_eq!(
            day_start(santiago, date("2026-09-07")),
            at("2026-09-07T03:00:00Z")
        );
    }
}
