//! What the pages and the API share: the slots a mission offers now, and booking,
//! rescheduling and cancelling with their confirmation emails and reminders enqueued in the
//! same transaction.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use safir_domain::consular::appointments::{
    ServiceCode, Slot, for_service, generate_slots, parse_zone,
};
use safir_store::consular::appointments::{
    self as store, ALREADY_BOOKED, Appointment, CASE_UNAVAILABLE, DAY_CLOSED, NewBooking,
    SLOT_FULL, TOO_MANY_BOOKINGS, ZONE_CHANGED, schedule,
};
use safir_store::missions::{self, Mission};
use safir_store::{Db, StoreError, Tx, now};

use super::labels::ServiceNames;
use super::notify::{self, Change};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;

/// How far ahead a slot can be booked.
pub const HORIZON_DAYS: i64 = 90;

/// Why a booking did not happen, as a stable code the pages and the API explain.
#[derive(Debug)]
pub enum BookingError {
    /// The time is not a slot the schedule offers (or it has passed).
    SlotUnavailable,
    SlotFull,
    AlreadyBooked,
    /// The person already holds as many bookings to come at the mission as one may.
    TooMany,
    /// The case named is not one of the person's cases at the mission still in hand (it was
    /// withdrawn, refused or closed since it was checked).
    CaseUnknown,
    /// Rescheduling to the slot one already holds.
    SameSlot,
    /// Rescheduling a booking made for a case the mission is done with (refused, withdrawn
    /// or closed since it was booked): a move would make a live booking for it.
    CaseClosed,
    /// The booking's time has come: it is kept as it was, neither cancelled nor moved, so
    /// that a missed appointment stays on the mission's day list.
    Started,
    NotFound,
    Internal(AppError),
}

impl BookingError {
    pub fn code(&self) -> &'static str {
        match self {
            BookingError::SlotUnavailable => "slot_unavailable",
            BookingError::SlotFull => "slot_full",
            BookingError::AlreadyBooked => "already_booked",
            BookingError::TooMany => "too_many",
            BookingError::CaseUnknown => "case_unknown",
            BookingError::SameSlot => "same_slot",
            BookingError::CaseClosed => "case_closed",
            BookingError::Started => "started",
            BookingError::NotFound => "not_found",
            BookingError::Internal(_) => "internal",
        }
    }

    /// The field the refusal is shown beside.
    pub fn field(&self) -> &'static str {
        match self {
            BookingError::CaseUnknown => "case_id",
            _ => "starts_at",
        }
    }
}

impl From<StoreError> for BookingError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(c) if c == SLOT_FULL => BookingError::SlotFull,
            // The time was computed in a time zone the mission has just left.
            StoreError::Conflict(c) if c == ZONE_CHANGED => BookingError::SlotUnavailable,
            // The mission closed the day after the slot was read.
            StoreError::Conflict(c) if c == DAY_CLOSED => BookingError::SlotUnavailable,
            StoreError::Conflict(c) if c == CASE_UNAVAILABLE => BookingError::CaseUnknown,
            StoreError::Conflict(c) if c == ALREADY_BOOKED => BookingError::AlreadyBooked,
            StoreError::Conflict(c) if c == TOO_MANY_BOOKINGS => BookingError::TooMany,
            StoreError::NotFound => BookingError::NotFound,
            e => BookingError::Internal(AppError::internal(e)),
        }
    }
}

/// The mission's zone; a name the zone database does not know offers no slots.
pub fn zone(mission: &Mission) -> Option<Tz> {
    match parse_zone(&mission.time_zone) {
        Ok(tz) => Some(tz),
        Err(_) => {
            tracing::warn!(mission = %mission.code, zone = %mission.time_zone, "unknown time zone: no appointment slots");
            None
        }
    }
}

/// The mission's zone, UTC when the zone database does not know its name: what its
/// calendar dates (letters, the day's list, reminders) are read in.
pub fn zone_or_utc(mission: &Mission) -> Tz {
    zone(mission).unwrap_or(chrono_tz::UTC)
}

/// Today's date at the mission.
pub fn local_today(tz: Tz) -> NaiveDate {
    Utc::now().with_timezone(&tz).date_naive()
}

/// Today at the mission (UTC when its zone is unknown).
pub fn mission_today(mission: &Mission) -> NaiveDate {
    local_today(zone_or_utc(mission))
}

/// A slot with the seats still free.
#[derive(Debug, Clone)]
pub struct OfferedSlot {
    pub slot: Slot,
    pub seats_left: u16,
}

/// The future slots for `service` on local dates `first..=last`, with free seats (full
/// slots included, with zero).
pub async fn offered_slots(
    db: &Db,
    mission: &Mission,
    service: &ServiceCode,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<OfferedSlot>, AppError> {
    let Some(tz) = zone(mission) else {
        return Ok(Vec::new());
    };
    let today = local_today(tz);
    let first = first.max(today);
    let last = last.min(today + Duration::days(HORIZON_DAYS));
    if last < first {
        return Ok(Vec::new());
    }
    let sched = schedule::load(db, &mission.id, first)
        .await
        .map_err(AppError::internal)?;
    let all = generate_slots(tz, &sched.rules, &sched.closures, first, last);
    let slots = for_service(&all, service);
    let t = now();
    let (Some(from), Some(to)) = (slots.first().map(|s| s.start), slots.last().map(|s| s.end))
    else {
        return Ok(Vec::new());
    };
    let taken = store::seats_taken(db, &mission.id, from, to)
        .await
        .map_err(AppError::internal)?;
    Ok(slots
        .into_iter()
        .filter(|s| s.start > t)
        .map(|slot| OfferedSlot {
            seats_left: store::seats_left(&slot, &taken),
            slot,
        })
        .collect())
}

/// Whether `start` is ahead and within the booking horizon (with a day either side for the
/// zones): only such an instant can be a slot. An instant near the end of the calendar (a
/// year such as +262142, which the API's date reader takes) has no local date in every zone,
/// so nothing converts an instant before this says yes.
pub fn within_horizon(start: DateTime<Utc>) -> bool {
    let t = now();
    start > t && start <= t + Duration::days(HORIZON_DAYS + 2)
}

/// The slot for `service` starting at `start`, if the schedule offers it now.
pub async fn find_slot(
    db: &Db,
    mission: &Mission,
    service: &ServiceCode,
    start: DateTime<Utc>,
) -> Result<Option<Slot>, AppError> {
    let Some(tz) = zone(mission) else {
        return Ok(None);
    };
    if !within_horizon(start) {
        return Ok(None);
    }
    let date = start.with_timezone(&tz).date_naive();
    // A slot belongs to the local date its rule names; around a clock change that can be a
    // neighbour of the instant's own date.
    let (Some(before), Some(after)) = (date.pred_opt(), date.succ_opt()) else {
        return Ok(None);
    };
    let slots = offered_slots(db, mission, service, before, after).await?;
    Ok(slots.into_iter().map(|o| o.slot).find(|s| s.start == start))
}

async fn commit(tx: Tx) -> Result<(), BookingError> {
    tx.commit()
        .await
        .map_err(|e| BookingError::Internal(AppError::internal(e)))
}

/// Whether `user` may book, move or cancel appointments: once the address of their account is
/// confirmed. Each of these sends an email, with a calendar file, to that address: an account
/// opened with someone else's address could otherwise have Safir send them as many as it
/// liked. The account as this request saw it may be a moment old (confirmed since, in another
/// tab or on another server): when it says "not yet", the database's word decides.
pub async fn address_confirmed(state: &AppState, user: &CurrentUser) -> Result<bool, AppError> {
    if user.user.email_verified_at.is_some() {
        return Ok(true);
    }
    let now = safir_store::accounts::find_user(&state.db, user.id())
        .await
        .map_err(AppError::internal)?;
    Ok(now.email_verified_at.is_some())
}

/// Books `start` for `user`; the confirmation (with its calendar file) and the reminder are
/// enqueued with the booking.
pub async fn book(
    state: &AppState,
    user: &CurrentUser,
    mission: &Mission,
    service: &ServiceCode,
    start: DateTime<Utc>,
    case_id: Option<&str>,
    lang: Lang,
) -> Result<Appointment, BookingError> {
    let db = &state.db;
    let slot = find_slot(db, mission, service, start)
        .await
        .map_err(BookingError::Internal)?
        .ok_or(BookingError::SlotUnavailable)?;
    let services = ServiceNames::cached(state, &mission.id)
        .await
        .map_err(BookingError::Internal)?;
    let mut tx = db.begin().await?;
    store::hold_zone(&mut tx, &mission.id, &mission.time_zone).await?;
    let booked = store::book(
        &mut tx,
        &NewBooking {
            mission_id: &mission.id,
            user_id: user.id(),
            service,
            case_id,
            slot: &slot,
            lang: lang.code(),
        },
    )
    .await?;
    let at = (mission, &services);
    notify::changed(
        &mut tx,
        &state.config,
        &user.user,
        at,
        &booked,
        Change::Booked,
    )
    .await?;
    commit(tx).await?;
    Ok(booked)
}

/// Whether `mission` takes appointments for `service` (one of [`offered_services`](super::book::offered_services)).
pub async fn offers(
    state: &AppState,
    mission: &Mission,
    service: &ServiceCode,
) -> Result<bool, AppError> {
    let offered = super::book::offered_services(state, Lang::En, mission).await?;
    Ok(offered.iter().any(|(code, _)| code == service.as_str()))
}

/// `user`'s live booking for `service` at `mission` starting at `start`, if they hold one:
/// the same booking asked for again (a second click, a retried request) is that one.
pub async fn held(
    state: &AppState,
    user: &CurrentUser,
    mission: &Mission,
    service: &ServiceCode,
    start: DateTime<Utc>,
) -> Result<Option<Appointment>, AppError> {
    let mine = store::list_for_user(&state.db, user.id())
        .await
        .map_err(AppError::internal)?;
    Ok(mine.into_iter().find(|a| {
        a.is_booked()
            && a.mission_id == mission.id
            && a.service == service.as_str()
            && a.starts_at == start
    }))
}

/// `user`'s live booking `id` whose time has not come: anyone else's, or one no longer live,
/// is not found; one whose time has come is [`BookingError::Started`].
async fn own_future_booking(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<Appointment, BookingError> {
    let current = store::find(&state.db, id).await?;
    if current.user_id != user.id() || !current.is_booked() {
        return Err(BookingError::NotFound);
    }
    if current.starts_at <= now() {
        return Err(BookingError::Started);
    }
    Ok(current)
}

/// Moves `user`'s booking `id` to `start`, atomically; returns the new booking. A booking
/// whose time has come stays as it is ([`BookingError::Started`]).
pub async fn reschedule(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    start: DateTime<Utc>,
    mission: &Mission,
) -> Result<Appointment, BookingError> {
    let db = &state.db;
    let current = own_future_booking(state, user, id).await?;
    if current.mission_id != mission.id {
        return Err(BookingError::NotFound);
    }
    if current.starts_at == start {
        return Err(BookingError::SameSlot);
    }
    let service = ServiceCode::parse(&current.service)
        .map_err(|_| BookingError::Internal(AppError::internal("stored service code")))?;
    let slot = find_slot(db, mission, &service, start)
        .await
        .map_err(BookingError::Internal)?
        .ok_or(BookingError::SlotUnavailable)?;
    let services = ServiceNames::cached(state, &mission.id)
        .await
        .map_err(BookingError::Internal)?;
    let mut tx = db.begin().await?;
    store::hold_zone(&mut tx, &mission.id, &mission.time_zone).await?;
    let (_, new) = store::reschedule(&mut tx, id, user.id(), &slot)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(c) if c == CASE_UNAVAILABLE => BookingError::CaseClosed,
            e => e.into(),
        })?;
    let at = (mission, &services);
    notify::changed(&mut tx, &state.config, &user.user, at, &new, Change::Moved).await?;
    commit(tx).await?;
    Ok(new)
}

/// Cancels `user`'s booking `id` and tells them, with the file that takes it out of their
/// calendar; its reminder finds it cancelled and sends nothing. A booking whose time has
/// come stays as it is ([`BookingError::Started`]).
pub async fn cancel(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<Appointment, BookingError> {
    own_future_booking(state, user, id).await?;
    let mut tx = state.db.begin().await?;
    let row = store::cancel(&mut tx, id, Some(user.id())).await?;
    let mission = missions::find(&state.db, &row.mission_id).await?;
    let services = ServiceNames::cached(state, &mission.id)
        .await
        .map_err(BookingError::Internal)?;
    let at = (&mission, &services);
    notify::changed(
        &mut tx,
        &state.config,
        &user.user,
        at,
        &row,
        Change::Cancelled,
    )
    .await?;
    commit(tx).await?;
    Ok(row)
}

impl From<BookingError> for AppError {
    fn from(e: BookingError) -> Self {
        match e {
            BookingError::NotFound => AppError::NotFound,
            BookingError::Internal(e) => e,
            BookingError::Started => AppError::Conflict,
            other => {
                let mut errors = crate::error::FieldErrors::new();
                errors.push(other.field(), &format!("appointments_{}", other.code()));
                AppError::Validation(errors)
            }
        }
    }
}

/// Cancels, in the caller's transaction, the live bookings still to come that were made for
/// `case`, which its applicant withdrew or the mission refused or closed: each applicant is
/// told by email, with the calendar file that takes the appointment out. Left booked, the seat stayed taken from others, the
/// booking stood on the mission's day list and its reminder still said "tomorrow". Returns
/// how many went.
pub async fn cancel_for_case(
    state: &AppState,
    tx: &mut Tx,
    case: &safir_store::consular::cases::Case,
) -> Result<usize, AppError> {
    let ids = store::live_for_case(tx, &case.id, now())
        .await
        .map_err(AppError::internal)?;
    if ids.is_empty() {
        return Ok(0);
    }
    let mission = missions::find(&state.db, &case.mission_id)
        .await
        .map_err(AppError::internal)?;
    cancel_and_tell(state, tx, &mission, &ids, Change::Cancelled).await
}

/// Cancels the bookings `ids` of `mission` in `tx` and tells each applicant of `change`.
/// Returns how many.
async fn cancel_and_tell(
    state: &AppState,
    tx: &mut Tx,
    mission: &Mission,
    ids: &[String],
    change: Change<'_>,
) -> Result<usize, AppError> {
    let services = ServiceNames::cached(state, &mission.id).await?;
    let mut cancelled = 0;
    for id in ids {
        let row = match store::cancel(tx, id, None).await {
            Ok(row) => row,
            // Cancelled or moved since it was listed: nothing left to cancel here.
            Err(StoreError::NotFound) => continue,
            Err(e) => return Err(AppError::internal(e)),
        };
        cancelled += 1;
        let user = safir_store::accounts::find_user(&state.db, &row.user_id)
            .await
            .map_err(AppError::internal)?;
        notify::changed(tx, &state.config, &user, (mission, &services), &row, change)
            .await
            .map_err(AppError::internal)?;
    }
    Ok(cancelled)
}

/// Cancels, in the caller's transaction, the live bookings still to come on the days a new
/// closure of `mission` covers, and tells each applicant by email, with the closure's reason
/// and a calendar file that takes the appointment out; the reminders then find them
/// cancelled. Returns how many went. Without this, a closure added over booked days left
/// those bookings live and reminded: the applicants came to a closed door. A booking whose
/// time has come (earlier today, when the closure starts today) stays as it is, as it would
/// for its applicant ([`BookingError::Started`]): the appointment was kept or missed, and
/// nobody is told it is cancelled. Called after the closure is added in `tx`, which holds
/// the mission's row: a booking being made meanwhile is committed first and listed here, or
/// waits and then finds its day closed (see `safir_store::consular::appointments::book`).
pub async fn cancel_for_closure(
    state: &AppState,
    tx: &mut Tx,
    mission: &Mission,
    closure: &safir_domain::consular::appointments::Closure,
) -> Result<usize, AppError> {
    let Some(tz) = zone(mission) else {
        // No slots were ever offered in an unknown zone: no booking to cancel.
        return Ok(0);
    };
    let from = super::day::day_start(tz, closure.first_day()).max(now());
    let to = super::day::day_start(tz, closure.last_day() + Duration::days(1));
    let ids = store::live_between(tx, &mission.id, from, to)
        .await
        .map_err(AppError::internal)?;
    if ids.is_empty() {
        return Ok(0);
    }
    let change = Change::Closed {
        reason_ar: closure.reason_ar(),
        reason_en: closure.reason_en(),
    };
    cancel_and_tell(state, tx, mission, &ids, change).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(code: &'static str) -> (String, String) {
        match AppError::from(BookingError::from(StoreError::Conflict(code))) {
            AppError::Validation(errors) => {
                let e = errors.iter().next().expect("one field error");
                (e.field.clone(), e.code.clone())
            }
            other => panic!("{code}: {other:?}"),
        }
    }

    /// A day closed, or a case withdrawn, after the checks made before the booking's
    /// transaction is refused there, and explained as those checks would have: the usual "no
    /// longer offered" beside the time, "not one of your applications" beside the case, not
    /// an internal error.
    #[test]
    fn refusals_found_inside_the_booking_transaction_are_explained() {
        assert_eq!(
            refusal(DAY_CLOSED),
            ("starts_at".into(), "appointments_slot_unavailable".into())
        );
        assert_eq!(
            refusal(ZONE_CHANGED),
            ("starts_at".into(), "appointments_slot_unavailable".into())
        );
        assert_eq!(
            refusal(CASE_UNAVAILABLE),
            ("case_id".into(), "appointments_case_unknown".into())
        );
        let page =
            super::super::book::booking_error(BookingError::from(StoreError::Conflict(DAY_CLOSED)))
                .unwrap();
        assert_eq!(
            (page.field.as_str(), page.code.as_str()),
            ("starts_at", "appointments_slot_unavailable")
        );
    }
}
