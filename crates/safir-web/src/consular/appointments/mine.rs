//! `/account/appointments`: one's own bookings, moving one to another slot, cancelling one.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use safir_domain::consular::appointments::{BookingStatus, ServiceCode};
use safir_store::StoreError;
use safir_store::consular::appointments::{self as store, Appointment};
use safir_store::missions::{self, Mission};

use super::book::{
    SlotsQuery, SlotsView, booking_error, day_of_choice, first_day, from_param, parse_start,
    slots_page, unconfirmed, viewer_confirmed,
};
use super::labels::{self, ServiceNames};
use super::service;
use crate::admin::support::{FormData, rejected};
use crate::auth::{CurrentUser, SignedIn, Viewer};
use crate::error::{AppError, FieldErrors};
use crate::i18n::Lang;
use crate::page::{FlashKind, Page, render};
use crate::state::AppState;

struct BookingRow {
    id: String,
    mission: String,
    service: String,
    /// The weekday, the date and time on the mission's clock and the zone it is named in
    /// (bookings at missions in several zones share the list), and the instant (RFC 3339).
    when: labels::Moment,
    datetime: String,
    status: String,
    live: bool,
}

#[derive(Template)]
#[template(path = "consular/appointments/mine.html")]
struct MinePage {
    page: Page,
    csrf_token: String,
    bookings: Vec<BookingRow>,
    /// The account's address is not confirmed yet: the page says why its bookings cannot be
    /// moved or cancelled (nor new ones made) until it is, and offers a new link.
    unconfirmed: bool,
}

pub async fn list_my_appointments(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    SignedIn(user): SignedIn,
) -> Result<Html<String>, AppError> {
    mine_page(&state, lang, &uri, &viewer, &user).await
}

/// The list of `user`'s bookings.
async fn mine_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    user: &CurrentUser,
) -> Result<Html<String>, AppError> {
    let rows = store::list_for_user(&state.db, user.id())
        .await
        .map_err(AppError::internal)?;
    let mut missions_seen: Vec<(Mission, ServiceNames)> = Vec::new();
    let mut bookings = Vec::new();
    for a in rows {
        let (mission, services) = match missions_seen.iter().find(|(m, _)| m.id == a.mission_id) {
            Some(seen) => seen.clone(),
            None => {
                let m = missions::find(&state.db, &a.mission_id)
                    .await
                    .map_err(AppError::internal)?;
                let names = ServiceNames::cached(state, &m.id).await?;
                missions_seen.push((m.clone(), names.clone()));
                (m, names)
            }
        };
        bookings.push(BookingRow {
            when: labels::moment_in_zone(lang, &mission.time_zone, a.starts_at),
            datetime: a
                .starts_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            mission: labels::mission_name(lang, &mission),
            service: services.name(lang, &a.service),
            // A booking whose time is over stays `booked` (kept or missed, nobody records
            // which): it reads as past, as it is listed with the past ones.
            status: if a.is_booked() && a.ends_at <= safir_store::now() {
                crate::i18n::t(lang, "appointments-status-past")
            } else {
                crate::i18n::t(lang, &format!("appointments-status-{}", a.status))
            },
            live: a.is_booked() && a.starts_at > safir_store::now(),
            id: a.id,
        });
    }
    let mut page = state.page(lang, uri, "appointments-mine-title", viewer);
    let flash = match uri.query().unwrap_or("") {
        "booked=1" => Some((FlashKind::Success, "appointments-booked")),
        "moved=1" => Some((FlashKind::Success, "appointments-moved")),
        "cancelled=1" => Some((FlashKind::Success, "appointments-cancelled")),
        "started=1" => Some((FlashKind::Warning, "appointments-started")),
        _ => None,
    };
    if let Some((kind, key)) = flash {
        let message = page.t(key);
        page = page.with_flash(kind, message);
    }
    render(&MinePage {
        page,
        csrf_token: state.csrf_token(viewer),
        bookings,
        unconfirmed: !service::address_confirmed(state, user).await?,
    })
}

/// One's own live booking and its mission; anything else is "not found".
pub(crate) async fn own_booking(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<(Appointment, Mission), AppError> {
    let a = match store::find(&state.db, id).await {
        Ok(a) if a.user_id == user.id() && a.is_booked() => a,
        Ok(_) | Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(AppError::internal(e)),
    };
    let mission = missions::find(&state.db, &a.mission_id)
        .await
        .map_err(AppError::internal)?;
    Ok((a, mission))
}

#[allow(clippy::too_many_arguments)]
async fn reschedule_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    a: &Appointment,
    mission: &Mission,
    from: Option<NaiveDate>,
    chosen: &str,
    errors: &FieldErrors,
) -> Result<Html<String>, AppError> {
    let service = ServiceCode::parse(&a.service).map_err(|e| AppError::internal(e.to_string()))?;
    let mut page = state.page(lang, uri, "appointments-reschedule-title", viewer);
    let (day, clock) = labels::when_parts(lang, mission, a.starts_at);
    let words = if day.is_empty() {
        format!("{} —", page.title)
    } else {
        format!("{} — {day}", page.title)
    };
    page.title = format!("{words} {clock}");
    let view = SlotsView {
        mission,
        service: &service,
        from: first_day(mission, from),
        chosen,
        errors,
    };
    let mut p = slots_page(state, page, state.csrf_token(viewer), view).await?;
    p.unconfirmed = !viewer_confirmed(state, viewer).await?;
    p.moving = Some((words, clock));
    p.action = format!("/account/appointments/{}/reschedule", a.id);
    p.base = format!("{}?service={}", p.action, service.as_str());
    render(&p)
}

pub async fn show_reschedule(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    Query(q): Query<SlotsQuery>,
) -> Result<Html<String>, AppError> {
    let (a, mission) = own_booking(&state, &user, &id).await?;
    reschedule_page(
        &state,
        lang,
        &uri,
        &viewer,
        &a,
        &mission,
        from_param(q.from.as_deref()),
        "",
        &FieldErrors::new(),
    )
    .await
}

pub async fn submit_reschedule(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let chosen = data.get("starts_at").to_owned();
    let moved = Ok(Redirect::to("/account/appointments?moved=1").into_response());
    let (a, mission) = match own_booking(&state, &user, &id).await {
        Ok(found) => found,
        // Moved there a moment ago (a second click, a retried request): the same outcome,
        // not "page not found".
        Err(AppError::NotFound) if moved_to(&state, &user, &id, &chosen).await? => return moved,
        Err(e) => return Err(e),
    };
    let page = |errors: FieldErrors| {
        let day = day_of_choice(&mission, &chosen);
        let (state, uri, viewer, a, mission, chosen) =
            (&state, &uri, &viewer, &a, &mission, &chosen);
        async move { reschedule_page(state, lang, uri, viewer, a, mission, day, chosen, &errors).await }
    };
    if !service::address_confirmed(&state, &user).await? {
        // Nothing moves, and no email goes to an address its account may not own: the page
        // says why and offers a new link.
        return Ok(unconfirmed(page(FieldErrors::new()).await?));
    }
    let mut errors = FieldErrors::new();
    match parse_start(&chosen) {
        Err(e) => errors.add(e),
        Ok(start) => match service::reschedule(&state, &user, &id, start, &mission).await {
            Ok(_) => return moved,
            Err(service::BookingError::NotFound)
                if moved_to(&state, &user, &id, &chosen).await? =>
            {
                return moved;
            }
            Err(e) => errors.add(booking_error(e)?),
        },
    }
    Ok(rejected(page(errors).await?))
}

/// Whether `user`'s booking `id` was moved to a live booking starting at `chosen` (the
/// form's value).
async fn moved_to(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    chosen: &str,
) -> Result<bool, AppError> {
    let Ok(start) = parse_start(chosen) else {
        return Ok(false);
    };
    Ok(moved_booking(state, user, id, start).await?.is_some())
}

/// The live booking starting at `start` that `user`'s booking `id` was moved to, if it was:
/// the same move asked for again (a second click, a retried request) has that outcome.
pub(crate) async fn moved_booking(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    start: DateTime<Utc>,
) -> Result<Option<Appointment>, AppError> {
    let old = match store::find(&state.db, id).await {
        Ok(a) if a.user_id == user.id() && a.status() == Some(BookingStatus::Rescheduled) => a,
        Ok(_) | Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(AppError::internal(e)),
    };
    let Some(new_id) = old.rescheduled_to else {
        return Ok(None);
    };
    match store::find(&state.db, &new_id).await {
        Ok(new) => Ok((new.is_booked() && new.starts_at == start).then_some(new)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(AppError::internal(e)),
    }
}

/// Whether `user`'s booking `id` stands cancelled: the same cancellation asked for again
/// has that outcome.
pub(crate) async fn cancelled_booking(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<Option<Appointment>, AppError> {
    match store::find(&state.db, id).await {
        Ok(a) if a.user_id == user.id() && a.status() == Some(BookingStatus::Cancelled) => {
            Ok(Some(a))
        }
        Ok(_) | Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(AppError::internal(e)),
    }
}

pub async fn cancel_appointment(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    if !service::address_confirmed(&state, &user).await? {
        // The booking stays, and no email goes to an address its account may not own: the
        // list says why and offers a new link.
        return Ok(unconfirmed(
            mine_page(&state, lang, &uri, &viewer, &user).await?,
        ));
    }
    match service::cancel(&state, &user, &id).await {
        Ok(_) => {}
        // Cancelled a moment ago (a second click, a retried request): the same outcome.
        Err(service::BookingError::NotFound)
            if cancelled_booking(&state, &user, &id).await?.is_some() => {}
        // Its time came while the page was open: it stays, and the list says why.
        Err(service::BookingError::Started) => {
            return Ok(Redirect::to("/account/appointments?started=1").into_response());
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to("/account/appointments?cancelled=1").into_response())
}
