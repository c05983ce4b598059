//! The applicant's side: missions taking appointments, a mission's free slots for a service,
//! and booking one. `{mission}` is the mission code; any signed-in user may book, so the
//! mission is looked up here rather than by the access layer.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use safir_domain::consular::appointments::{COMMON_SERVICES, ServiceCode, parse_date};
use safir_store::consular::appointments::schedule;
use safir_store::missions::{self, Mission};

use super::labels;
use super::service::{self, BookingError, OfferedSlot};
use crate::admin::support::{FormData, SelectOption, error_summary, rejected};
use crate::auth::{SignedIn, Viewer};
use crate::error::{AppError, FieldError, FieldErrors, OwnErrorPage};
use crate::i18n::Lang;
use crate::page::{Page, render};
use crate::state::AppState;

/// Days of slots shown at once.
pub const DAYS_SHOWN: i64 = 14;

struct MissionEntry {
    code: String,
    name: String,
    city: String,
}

#[derive(Template)]
#[template(path = "consular/appointments/missions.html")]
struct MissionsPage {
    page: Page,
    missions: Vec<MissionEntry>,
}

pub async fn list_missions(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
) -> Result<Html<String>, AppError> {
    // Each mission's rules against its own today: the earliest today of any zone (UTC−12)
    // is a day before UTC's at most.
    let since = Utc::now().date_naive() - Duration::days(1);
    let running = schedule::rules_running_since(&state.db, since)
        .await
        .map_err(AppError::internal)?;
    let offering = |m: &Mission| {
        let today = service::mission_today(m).format("%Y-%m-%d").to_string();
        running
            .iter()
            .any(|(id, until)| *id == m.id && until.as_deref().is_none_or(|u| u >= today.as_str()))
    };
    let content = labels::content_lang(lang);
    let missions = missions::list(&state.db)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .filter(|m| offering(m))
        .map(|m| MissionEntry {
            name: m.name(content).to_owned(),
            city: m.city(content).to_owned(),
            code: m.code,
        })
        .collect();
    let page = state.page(lang, &uri, "appointments-missions-title", &viewer);
    render(&MissionsPage { page, missions })
}

pub struct SlotOption {
    pub value: String,
    pub time: String,
    pub seats: String,
    pub full: bool,
    pub checked: bool,
}

pub struct SlotDay {
    pub weekday: String,
    pub date: String,
    pub slots: Vec<SlotOption>,
}

/// The slot-picking form, for a new booking or to move one.
#[derive(Template)]
#[template(path = "consular/appointments/slots.html")]
pub struct SlotsPage {
    pub page: Page,
    /// When moving a booking, the heading in two parts: the words, and the booking's date and
    /// time, kept whole on its line (the page's title holds both).
    pub moving: Option<(String, String)>,
    pub zone: String,
    pub csrf_token: String,
    /// Where the form posts.
    pub action: String,
    /// This page without the paging parameter, for the earlier/later links.
    pub base: String,
    /// `None` when moving a booking (the service stays).
    pub services: Option<Vec<SelectOption>>,
    /// Whether the mission takes bookings at all (not when its services are all switched
    /// off): the slots, their form and their pages are shown only then.
    pub taking: bool,
    /// The account's address is not confirmed yet: the page says why nothing can be booked
    /// or moved until it is, and offers a new confirmation link, in place of the slots.
    pub unconfirmed: bool,
    pub service: String,
    pub days: Vec<SlotDay>,
    pub error_summary: Option<String>,
    pub slot_error: Option<String>,
    pub earlier: Option<String>,
    pub later: String,
}

/// What a slots page shows: which service, from which local date, which slot was chosen.
pub struct SlotsView<'a> {
    pub mission: &'a Mission,
    pub service: &'a ServiceCode,
    pub from: NaiveDate,
    pub chosen: &'a str,
    pub errors: &'a FieldErrors,
}

fn group_days(lang: Lang, slots: Vec<OfferedSlot>, chosen: &str) -> Vec<SlotDay> {
    let mut days: Vec<(NaiveDate, SlotDay)> = Vec::new();
    for o in slots {
        let value = o
            .slot
            .start
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let option = SlotOption {
            checked: value == chosen,
            value,
            time: o.slot.local_start.format("%H:%M").to_string(),
            seats: crate::i18n::t_count(lang, "appointments-seats-left", i64::from(o.seats_left)),
            full: o.seats_left == 0,
        };
        match days.last_mut() {
            Some((d, day)) if *d == o.slot.local_date => day.slots.push(option),
            _ => {
                let (weekday, date) = labels::day_parts(lang, o.slot.local_date);
                days.push((
                    o.slot.local_date,
                    SlotDay {
                        weekday,
                        date,
                        slots: vec![option],
                    },
                ))
            }
        }
    }
    days.into_iter().map(|(_, d)| d).collect()
}

/// Builds the slots page; the caller sets the title, action and services.
pub async fn slots_page(
    state: &AppState,
    page: Page,
    csrf_token: String,
    view: SlotsView<'_>,
) -> Result<SlotsPage, AppError> {
    let lang = page.lang;
    let last = view.from + Duration::days(DAYS_SHOWN - 1);
    let slots =
        service::offered_slots(&state.db, view.mission, view.service, view.from, last).await?;
    let today = service::zone(view.mission).map(service::local_today);
    let earlier = (today.is_some_and(|t| view.from > t)).then(|| {
        (view.from - Duration::days(DAYS_SHOWN))
            .format("%Y-%m-%d")
            .to_string()
    });
    Ok(SlotsPage {
        moving: None,
        zone: view.mission.time_zone.clone(),
        csrf_token,
        action: String::new(),
        base: String::new(),
        services: None,
        taking: true,
        unconfirmed: false,
        service: view.service.as_str().to_owned(),
        days: group_days(lang, slots, view.chosen),
        error_summary: error_summary(lang, view.errors),
        slot_error: view
            .errors
            .for_field("starts_at")
            .or(view.errors.for_field("service"))
            .map(|e| e.message(lang)),
        earlier,
        later: (last + Duration::days(1)).format("%Y-%m-%d").to_string(),
        page,
    })
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SlotsQuery {
    pub service: Option<String>,
    pub from: Option<String>,
}

/// The services people book appointments for at `mission`: its enabled catalogue (an
/// emergency is not booked), or the common ones when the mission has no catalogue yet. A
/// mission whose services are all switched off takes no bookings.
pub async fn offered_services(
    state: &AppState,
    lang: Lang,
    mission: &Mission,
) -> Result<Vec<(String, String)>, AppError> {
    let content = crate::consular::labels::content(lang);
    let services = crate::consular::read_cache::mission_services(state, &mission.id).await?;
    if !services.is_empty() {
        return Ok(services
            .iter()
            .filter(|s| s.enabled && s.kind != "emergency")
            .filter(|s| ServiceCode::parse(&s.code).is_ok())
            .map(|s| (s.code.clone(), s.name(content).to_owned()))
            .collect());
    }
    Ok(COMMON_SERVICES
        .iter()
        .map(|code| ((*code).to_owned(), labels::service(lang, code)))
        .collect())
}

pub fn service_options(offered: &[(String, String)], selected: &str) -> Vec<SelectOption> {
    offered
        .iter()
        .map(|(code, label)| SelectOption {
            value: code.clone(),
            label: label.clone(),
            selected: code == selected,
        })
        .collect()
}

/// The first offered service, the page's default.
fn default_service(offered: &[(String, String)]) -> Result<ServiceCode, AppError> {
    let code = offered
        .first()
        .map(|(c, _)| c.as_str())
        .unwrap_or(COMMON_SERVICES[0]);
    ServiceCode::parse(code).map_err(|e| AppError::internal(format!("service code {code}: {e}")))
}

pub async fn find_mission(state: &AppState, code: &str) -> Result<Mission, AppError> {
    missions::find_by_code(&state.db, code)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound)
}

/// The local date of the slot `chosen` (the form's value), as `from` for [`first_day`], so
/// that a refused choice comes back on the fortnight that holds it; `None` when it is no
/// time within the booking horizon.
pub fn day_of_choice(mission: &Mission, chosen: &str) -> Option<NaiveDate> {
    let start = parse_start(chosen)
        .ok()
        .filter(|s| service::within_horizon(*s))?;
    let tz = service::zone(mission)?;
    Some(start.with_timezone(&tz).date_naive())
}

/// The date a page's `from` parameter names, when it can be read.
pub fn from_param(from: Option<&str>) -> Option<NaiveDate> {
    from.and_then(|f| parse_date(f).ok())
}

/// The first date shown: `from` when given and not past, else today at the mission.
pub fn first_day(mission: &Mission, from: Option<NaiveDate>) -> NaiveDate {
    let today = service::zone(mission)
        .map(service::local_today)
        .unwrap_or_else(|| Utc::now().date_naive());
    from.filter(|d| *d >= today).unwrap_or(today)
}

#[allow(clippy::too_many_arguments)]
async fn book_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    mission: &Mission,
    service: &ServiceCode,
    from: NaiveDate,
    chosen: &str,
    errors: &FieldErrors,
) -> Result<Html<String>, AppError> {
    let mut page = state.page(lang, uri, "appointments-book-title", viewer);
    page.title = format!("{} — {}", page.title, labels::mission_name(lang, mission));
    let view = SlotsView {
        mission,
        service,
        from,
        chosen,
        errors,
    };
    let mut p = slots_page(state, page, state.csrf_token(viewer), view).await?;
    p.action = format!("/missions/{}/appointments/book", mission.code);
    p.base = format!(
        "/missions/{}/appointments/book?service={}",
        mission.code,
        service.as_str()
    );
    let offered = offered_services(state, lang, mission).await?;
    p.services = Some(service_options(&offered, service.as_str()));
    p.taking = !offered.is_empty();
    p.unconfirmed = !viewer_confirmed(state, viewer).await?;
    render(&p)
}

/// Whether the signed-in viewer's address is confirmed (see [`service::address_confirmed`]).
pub async fn viewer_confirmed(state: &AppState, viewer: &Viewer) -> Result<bool, AppError> {
    match viewer.user() {
        Some(user) => service::address_confirmed(state, user).await,
        // Nobody to confirm (the routes ask for a sign-in first).
        None => Ok(true),
    }
}

/// A page refusing a booking, a move or a cancellation from an account whose address is not
/// confirmed (it says why, and offers a new link): `403`, the page left as it is.
pub fn unconfirmed(html: Html<String>) -> Response {
    (StatusCode::FORBIDDEN, axum::Extension(OwnErrorPage), html).into_response()
}

pub async fn show_slots(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    Path(code): Path<String>,
    Query(q): Query<SlotsQuery>,
) -> Result<Html<String>, AppError> {
    let mission = find_mission(&state, &code).await?;
    let offered = offered_services(&state, lang, &mission).await?;
    let service = match q
        .service
        .as_deref()
        .filter(|s| offered.iter().any(|(c, _)| c == s))
        .and_then(|s| ServiceCode::parse(s).ok())
    {
        Some(s) => s,
        None => default_service(&offered)?,
    };
    let from = first_day(&mission, from_param(q.from.as_deref()));
    book_page(
        &state,
        lang,
        &uri,
        &viewer,
        &mission,
        &service,
        from,
        "",
        &FieldErrors::new(),
    )
    .await
}

/// The chosen slot's start, or the field error to show.
pub fn parse_start(raw: &str) -> Result<DateTime<Utc>, FieldError> {
    if raw.trim().is_empty() {
        return Err(FieldError::new("starts_at", "appointments_slot_required"));
    }
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| FieldError::new("starts_at", "appointments_slot_unavailable"))
}

pub fn booking_error(e: BookingError) -> Result<FieldError, AppError> {
    match e {
        BookingError::Internal(e) => Err(e),
        BookingError::NotFound => Err(AppError::NotFound),
        other => Ok(FieldError::new(
            other.field(),
            format!("appointments_{}", other.code()),
        )),
    }
}

pub async fn submit_booking(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    SignedIn(user): SignedIn,
    Path(code): Path<String>,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let mission = find_mission(&state, &code).await?;
    let chosen = data.get("starts_at").to_owned();
    let mut errors = FieldErrors::new();
    let offered = offered_services(&state, lang, &mission).await?;
    if !service::address_confirmed(&state, &user).await? {
        // The page as it was, saying why and offering a new link: nothing is booked, and no
        // email goes to an address its account may not own.
        let service = match ServiceCode::parse(data.get("service")) {
            Ok(s) if offered.iter().any(|(c, _)| c == s.as_str()) => s,
            _ => default_service(&offered)?,
        };
        let from = first_day(&mission, day_of_choice(&mission, &chosen));
        return Ok(unconfirmed(
            book_page(
                &state, lang, &uri, &viewer, &mission, &service, from, &chosen, &errors,
            )
            .await?,
        ));
    }
    let service = match ServiceCode::parse(data.get("service")) {
        Ok(s) if offered.iter().any(|(c, _)| c == s.as_str()) => Some(s),
        Ok(_) => {
            errors.add(FieldError::new(
                "service",
                "appointments_service_not_offered",
            ));
            None
        }
        Err(e) => {
            errors.add(labels::field_error("service", &e));
            None
        }
    };
    let start = parse_start(&chosen).map_err(|e| errors.add(e)).ok();
    if let (Some(service), Some(start)) = (&service, start) {
        let booked = Ok(Redirect::to("/account/appointments?booked=1").into_response());
        match service::book(&state, &user, &mission, service, start, None, lang).await {
            Ok(_) => return booked,
            // This very booking was made a moment ago (a second click, a retried request):
            // the same outcome, not "you have another appointment at this time".
            Err(BookingError::AlreadyBooked | BookingError::SlotFull | BookingError::TooMany)
                if service::held(&state, &user, &mission, service, start)
                    .await?
                    .is_some() =>
            {
                return booked;
            }
            Err(e) => errors.add(booking_error(e)?),
        }
    }
    let service = match service {
        Some(s) => s,
        None => default_service(&offered)?,
    };
    let from = first_day(&mission, day_of_choice(&mission, &chosen));
    Ok(rejected(
        book_page(
            &state, lang, &uri, &viewer, &mission, &service, from, &chosen, &errors,
        )
        .await?,
    ))
}
