//! Appointment storage: schedules (see [`schedule`]), per-slot seat counters and bookings.
//!
//! Why a counter row per slot: a booking takes a seat with one conditional statement,
//! `UPDATE appointment_slots SET booked = booked + 1 WHERE … AND booked < capacity`. On
//! PostgreSQL a second transaction updating the same row waits for the first to commit and
//! then re-checks the condition against the committed count, so concurrent bookings can
//! never push `booked` past `capacity`; on SQLite write transactions start with
//! `BEGIN IMMEDIATE` and run one at a time. The row is created on first use with an upsert.
//! Numbered seats with a unique index would work too, but would need a retry loop to find a
//! free seat number; the counter answers "full" in one statement. One person holding two
//! bookings at the same time is refused by a partial unique index on live bookings.
//!
//! Booking, cancelling and rescheduling each run inside the caller's transaction, so the
//! emails and reminders they cause are enqueued atomically with them.

pub mod schedule;

use chrono::{DateTime, Utc};
use safir_domain::consular::appointments::{BookingStatus, ServiceCode, Slot, SlotScope};
use sqlx::AssertSqlSafe;

use crate::error::changed_any;
use crate::{Backend, Db, StoreError, Tx, now, with_pool, with_tx};

/// `StoreError::Conflict` code when the slot has no seat left.
pub const SLOT_FULL: &str = "slot_full";
/// The mission's time zone is no longer the one the slot was computed in.
pub const ZONE_CHANGED: &str = "zone_changed";
/// `Conflict` code: a closure of the mission, added since the slot was read, covers its day.
pub const DAY_CLOSED: &str = "day_closed";
/// `Conflict` code: the case the booking is for is not, or no longer, one of the person's
/// cases at the mission still in hand (refused, withdrawn or closed meanwhile).
pub const CASE_UNAVAILABLE: &str = "case_unavailable";
/// `StoreError::Conflict` code when the person already has a booking at that time.
pub const ALREADY_BOOKED: &str = "already_booked";
/// `Conflict` code: the person already holds [`MAX_LIVE_BOOKINGS`] bookings to come at the
/// mission.
pub const TOO_MANY_BOOKINGS: &str = "too_many_bookings";
/// Bookings one person may hold at one mission, still to come: enough for a family's
/// errands, not enough for one account to take every seat of the calendar.
pub const MAX_LIVE_BOOKINGS: i64 = 5;

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Appointment {
    pub id: String,
    pub mission_id: String,
    pub user_id: String,
    pub service: String,
    pub case_id: Option<String>,
    pub scope: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: String,
    pub lang: String,
    pub rescheduled_to: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Appointment {
    pub fn status(&self) -> Option<BookingStatus> {
        BookingStatus::parse(&self.status).ok()
    }

    pub fn is_booked(&self) -> bool {
        self.status() == Some(BookingStatus::Booked)
    }
}

/// A booking with the applicant's name and address, for the mission's day list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BookingWithPerson {
    pub id: String,
    pub service: String,
    pub case_id: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: String,
    pub display_name: String,
    pub email: String,
    /// The reference of the case the booking is for, once submitted (a case of the person
    /// who booked, at the same mission: checked when booking, and again by the join).
    pub case_reference: Option<String>,
}

/// What a booking needs: who, for what, and the slot as the schedule offers it now.
#[derive(Debug, Clone)]
pub struct NewBooking<'a> {
    pub mission_id: &'a str,
    pub user_id: &'a str,
    pub service: &'a ServiceCode,
    pub case_id: Option<&'a str>,
    pub slot: &'a Slot,
    /// The language of the applicant's confirmation and reminder.
    pub lang: &'a str,
}

/// Takes one seat of `slot`, or fails with `Conflict(SLOT_FULL)`.
async fn take_seat(tx: &mut Tx, mission_id: &str, slot: &Slot) -> Result<(), StoreError> {
    let scope = slot.scope.as_key();
    // The capacity follows the schedule as it is now; seats already taken stay taken.
    with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO appointment_slots (mission_id, scope, starts_at, ends_at, capacity, booked) \
             VALUES ($1, $2, $3, $4, $5, 0) \
             ON CONFLICT (mission_id, scope, starts_at) DO UPDATE SET capacity = excluded.capacity, ends_at = excluded.ends_at",
        )
        .bind(mission_id)
        .bind(scope)
        .bind(slot.start)
        .bind(slot.end)
        .bind(i32::from(slot.capacity))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    let taken = with_tx!(tx, c => {
        sqlx::query(
            "UPDATE appointment_slots SET booked = booked + 1 \
             WHERE mission_id = $1 AND scope = $2 AND starts_at = $3 AND booked < capacity",
        )
        .bind(mission_id)
        .bind(scope)
        .bind(slot.start)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if taken == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict(SLOT_FULL))
    }
}

async fn release_seat(
    tx: &mut Tx,
    mission_id: &str,
    scope: &str,
    starts_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    with_tx!(tx, c => {
        sqlx::query(
            "UPDATE appointment_slots SET booked = booked - 1 \
             WHERE mission_id = $1 AND scope = $2 AND starts_at = $3 AND booked > 0",
        )
        .bind(mission_id)
        .bind(scope)
        .bind(starts_at)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

async fn insert(tx: &mut Tx, b: &NewBooking<'_>) -> Result<Appointment, StoreError> {
    // A case's page shows the bookings made for it (see `crate::consular::changes`).
    crate::consular::changed();
    // One person, one place at a time: slots of different lengths (an hour for one service,
    // half-hours for all) can overlap without starting together, which the unique index on
    // the start alone does not see. A booking being moved is no longer live here.
    //
    // Two bookings of the same person for overlapping slots that start apart hold different
    // seat counters, so nothing else makes them wait for each other: on PostgreSQL each
    // would check before the other committed and both would stand. The person's row is
    // locked first, the last lock any booking takes (after the counters), so the second
    // waits for the first and then sees it. SQLite runs one writing transaction at a time.
    if tx.backend() == Backend::Postgres {
        with_tx!(tx, c => {
            sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
                .bind(b.user_id)
                .fetch_optional(c)
                .await
                .map(|_| ())
        })?;
    }
    let overlapping: Option<String> = with_tx!(tx, c => {
        sqlx::query_scalar(
            "SELECT id FROM appointments WHERE user_id = $1 AND mission_id = $2 \
             AND status = 'booked' AND starts_at < $4 AND ends_at > $3 LIMIT 1",
        )
        .bind(b.user_id)
        .bind(b.mission_id)
        .bind(b.slot.start)
        .bind(b.slot.end)
        .fetch_optional(c)
        .await
    })?;
    if overlapping.is_some() {
        return Err(StoreError::Conflict(ALREADY_BOOKED));
    }
    let t = now();
    let live: i64 = with_tx!(tx, c => {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM appointments WHERE user_id = $1 AND mission_id = $2 \
             AND status = 'booked' AND ends_at > $3",
        )
        .bind(b.user_id)
        .bind(b.mission_id)
        .bind(t)
        .fetch_one(c)
        .await
    })?;
    if live >= MAX_LIVE_BOOKINGS {
        return Err(StoreError::Conflict(TOO_MANY_BOOKINGS));
    }
    let row = Appointment {
        id: uuid::Uuid::now_v7().as_simple().to_string(),
        mission_id: b.mission_id.to_owned(),
        user_id: b.user_id.to_owned(),
        service: b.service.as_str().to_owned(),
        case_id: b.case_id.map(str::to_owned),
        scope: b.slot.scope.as_key().to_owned(),
        starts_at: b.slot.start,
        ends_at: b.slot.end,
        status: BookingStatus::Booked.as_str().to_owned(),
        lang: b.lang.to_owned(),
        rescheduled_to: None,
        created_at: t,
        updated_at: t,
    };
    with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO appointments (id, mission_id, user_id, service, case_id, scope, starts_at, ends_at, status, lang, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
        )
        .bind(&row.id)
        .bind(&row.mission_id)
        .bind(&row.user_id)
        .bind(&row.service)
        .bind(&row.case_id)
        .bind(&row.scope)
        .bind(row.starts_at)
        .bind(row.ends_at)
        .bind(&row.status)
        .bind(&row.lang)
        .bind(t)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(|e| StoreError::unique_as(e, ALREADY_BOOKED))?;
    Ok(row)
}

/// Checks, first in a booking's or a move's transaction, that the mission still keeps its
/// calendar in `zone`, the zone its slot was computed in; fails with `Conflict(ZONE_CHANGED)`
/// otherwise. On PostgreSQL it holds a share lock on the mission until the booking is
/// committed, so a time zone change made meanwhile waits and then counts the booking (see
/// [`crate::missions::update`]); on SQLite the writer's lock orders them.
pub async fn hold_zone(tx: &mut Tx, mission_id: &str, zone: &str) -> Result<(), StoreError> {
    let lock = match tx.backend() {
        Backend::Postgres => " FOR SHARE",
        Backend::Sqlite => "",
    };
    let sql = format!("SELECT id FROM missions WHERE id = $1 AND time_zone = $2{lock}");
    let held: Option<String> = with_tx!(tx, c => {
        sqlx::query_scalar(AssertSqlSafe(sql)).bind(mission_id).bind(zone).fetch_optional(c).await
    })?;
    held.map(|_| ()).ok_or(StoreError::Conflict(ZONE_CHANGED))
}

/// Refuses, with `Conflict(DAY_CLOSED)`, a slot on a day a closure of the mission covers. The
/// slot was found in the schedule as it was read before the transaction began, so a closure
/// committed in between would not have taken it away; the closure's own transaction found no
/// booking there to cancel, and this one would have stayed live on the closed day. Read after
/// [`hold_zone`]: on PostgreSQL a closure being added holds the mission's row (see
/// [`schedule::add_closure`]), so the booking waits for it and then sees it here; SQLite
/// runs one writing transaction at a time.
async fn ensure_open(tx: &mut Tx, mission_id: &str, slot: &Slot) -> Result<(), StoreError> {
    if schedule::closed_on(tx, mission_id, slot.local_date).await? {
        return Err(StoreError::Conflict(DAY_CLOSED));
    }
    Ok(())
}

/// Refuses, with `Conflict(CASE_UNAVAILABLE)`, a booking for a case that is not one of the
/// person's cases at the mission still in hand. The caller checked the case before the
/// transaction began; a withdrawal (or a refusal, or a closure) committed in between cancelled
/// the case's bookings without seeing this one, which would have stood for a case the mission
/// is done with. On PostgreSQL the case's row is share-locked until the booking commits, so
/// such a move (which writes the row first and then lists the case's bookings to cancel)
/// either waits for this booking and then cancels it, or has committed first and is seen
/// here. Taken before any seat, as the move takes the case before the bookings' seats, so
/// neither waits for the other in turn.
async fn hold_case(tx: &mut Tx, b: &NewBooking<'_>) -> Result<(), StoreError> {
    let Some(case_id) = b.case_id else {
        return Ok(());
    };
    let lock = match tx.backend() {
        Backend::Postgres => " FOR SHARE",
        Backend::Sqlite => "",
    };
    // The states the mission is done with ([`CASE_DONE`]), as the API's check before booking
    // has them.
    let sql = format!(
        "SELECT id FROM cases WHERE id = $1 AND applicant_id = $2 AND mission_id = $3 \
         AND state NOT IN ('rejected', 'withdrawn', 'closed'){lock}"
    );
    let held: Option<String> = with_tx!(tx, c => {
        sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(case_id)
            .bind(b.user_id)
            .bind(b.mission_id)
            .fetch_optional(c)
            .await
    })?;
    held.map(|_| ())
        .ok_or(StoreError::Conflict(CASE_UNAVAILABLE))
}

/// The states of a case the mission is done with (refused, withdrawn, closed): a booking made
/// for such a case serves nothing, and none is made or moved for one.
const CASE_DONE: [&str; 3] = ["rejected", "withdrawn", "closed"];

/// Refuses, with `Conflict(CASE_UNAVAILABLE)`, a move of booking `id` when the case it was
/// made for is one the mission is done with ([`CASE_DONE`]), as [`hold_case`] refuses a new
/// booking for it: the move would otherwise make a live booking for a refused or closed case.
/// Read inside the move's transaction, as the case is when the move commits. On PostgreSQL it
/// share-locks the case's row until then: a withdrawal, refusal or closure of the case then
/// waits for the move and finds the new booking to cancel. Otherwise its list of the case's
/// bookings, read while the move was being committed, held the old booking (skipped once
/// moved) but not the new one, which stayed live. One committed first has cancelled the
/// booking, which the move then no longer finds, or is seen here. SQLite runs one writing
/// transaction at a time.
async fn hold_case_of(tx: &mut Tx, id: &str) -> Result<(), StoreError> {
    let lock = match tx.backend() {
        Backend::Postgres => " FOR SHARE OF c",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "SELECT c.state FROM appointments a JOIN cases c ON c.id = a.case_id \
         WHERE a.id = $1{lock}"
    );
    let state: Option<String> = with_tx!(tx, c => {
        sqlx::query_scalar(AssertSqlSafe(sql.as_str()))
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    match state {
        Some(state) if CASE_DONE.contains(&state.as_str()) => {
            Err(StoreError::Conflict(CASE_UNAVAILABLE))
        }
        _ => Ok(()),
    }
}

/// Books a seat. Fails with `Conflict(DAY_CLOSED)`, `Conflict(CASE_UNAVAILABLE)`,
/// `Conflict(SLOT_FULL)` or `Conflict(ALREADY_BOOKED)`; the caller then rolls the transaction
/// back. Called after [`hold_zone`].
pub async fn book(tx: &mut Tx, b: &NewBooking<'_>) -> Result<Appointment, StoreError> {
    ensure_open(tx, b.mission_id, b.slot).await?;
    hold_case(tx, b).await?;
    take_seat(tx, b.mission_id, b.slot).await?;
    insert(tx, b).await
}

/// Marks a live booking `status` (the row lock makes a second, concurrent change find it
/// no longer live) and returns it as it was.
async fn end_booking(
    tx: &mut Tx,
    id: &str,
    user_id: Option<&str>,
    status: BookingStatus,
) -> Result<Appointment, StoreError> {
    crate::consular::changed();
    let n = with_tx!(tx, c => {
        sqlx::query(
            "UPDATE appointments SET status = $3, updated_at = $4 \
             WHERE id = $1 AND status = 'booked' AND ($2 IS NULL OR user_id = $2)",
        )
        .bind(id)
        .bind(user_id)
        .bind(status.as_str())
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    changed_any(n)?;
    let row: Appointment = with_tx!(tx, c => {
        sqlx::query_as("SELECT * FROM appointments WHERE id = $1").bind(id).fetch_one(c).await
    })?;
    Ok(row)
}

/// Cancels a live booking (of `user_id`, when given) and frees its seat.
pub async fn cancel(
    tx: &mut Tx,
    id: &str,
    user_id: Option<&str>,
) -> Result<Appointment, StoreError> {
    let row = end_booking(tx, id, user_id, BookingStatus::Cancelled).await?;
    release_seat(tx, &row.mission_id, &row.scope, row.starts_at).await?;
    Ok(row)
}

/// Moves a live booking of `user_id` to `slot`: the new seat is taken and the old one freed
/// in the caller's transaction, so either both happen or neither. The old booking is kept
/// as `rescheduled` and points at the new one. Returns (old, new). Fails with
/// `Conflict(DAY_CLOSED)` when a closure now covers the new slot's day, and with
/// `Conflict(CASE_UNAVAILABLE)` when the case the booking was made for has been refused,
/// withdrawn or closed. Called after [`hold_zone`].
pub async fn reschedule(
    tx: &mut Tx,
    id: &str,
    user_id: &str,
    slot: &Slot,
) -> Result<(Appointment, Appointment), StoreError> {
    // Before the booking's own row, as a withdrawal takes the case before its bookings.
    hold_case_of(tx, id).await?;
    let old = end_booking(tx, id, Some(user_id), BookingStatus::Rescheduled).await?;
    ensure_open(tx, &old.mission_id, slot).await?;
    let service = ServiceCode::parse(&old.service)
        .map_err(|_| StoreError::Corrupt(format!("appointment {id} service")))?;
    let booking = NewBooking {
        mission_id: &old.mission_id,
        user_id,
        service: &service,
        case_id: old.case_id.as_deref(),
        slot,
        lang: &old.lang,
    };
    // Counter rows are locked in one order (by time, then scope) so two people swapping
    // slots cannot deadlock each other on PostgreSQL.
    let old_key = (old.starts_at, old.scope.as_str());
    let new_key = (slot.start, slot.scope.as_key());
    if old_key < new_key {
        release_seat(tx, &old.mission_id, &old.scope, old.starts_at).await?;
        take_seat(tx, &old.mission_id, slot).await?;
    } else {
        take_seat(tx, &old.mission_id, slot).await?;
        release_seat(tx, &old.mission_id, &old.scope, old.starts_at).await?;
    }
    let new = insert(tx, &booking).await?;
    with_tx!(tx, c => {
        sqlx::query("UPDATE appointments SET rescheduled_to = $2 WHERE id = $1")
            .bind(id)
            .bind(&new.id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok((old, new))
}

/// The first booking of the chain `id` ends (each move points from the booking moved to the
/// one it became) and the number of moves from it to `id`: one calendar entry follows a
/// booking through its moves, named after the first and numbered by the moves.
pub async fn chain_start(tx: &mut Tx, id: &str) -> Result<(String, u32), StoreError> {
    /// Far more moves than anyone makes; a chain longer than this is a loop in the data.
    const MAX_MOVES: u32 = 10_000;
    let mut at = id.to_owned();
    let mut moves = 0u32;
    loop {
        if moves > MAX_MOVES {
            return Err(StoreError::Corrupt(format!(
                "appointment {id}: its moves do not lead back to a first booking"
            )));
        }
        let before: Option<String> = with_tx!(tx, c => {
            sqlx::query_scalar("SELECT id FROM appointments WHERE rescheduled_to = $1")
                .bind(&at)
                .fetch_optional(c)
                .await
        })?;
        match before {
            Some(before) => {
                at = before;
                moves += 1;
            }
            None => return Ok((at, moves)),
        }
    }
}

pub async fn find(db: &Db, id: &str) -> Result<Appointment, StoreError> {
    with_pool!(db.read(), p => sqlx::query_as("SELECT * FROM appointments WHERE id = $1").bind(id).fetch_optional(p).await)?
        .ok_or(StoreError::NotFound)
}

/// One person's bookings: live ones first (booked and not yet over), the soonest first;
/// then the others, the latest first. A booking whose time has passed is still `booked`
/// (a missed appointment is kept as it was), but it is no longer live: it sorts with the
/// others, not before the bookings to come.
pub async fn list_for_user(db: &Db, user_id: &str) -> Result<Vec<Appointment>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT * FROM appointments WHERE user_id = $1 \
             ORDER BY CASE WHEN status = 'booked' AND ends_at > $2 THEN 0 ELSE 1 END, \
                      CASE WHEN status = 'booked' AND ends_at > $2 THEN starts_at END, \
                      starts_at DESC, id",
        )
        .bind(user_id)
        .bind(now())
        .fetch_all(p)
        .await
    })?)
}

/// The live bookings made for case `case_id` (booked and not yet over), the soonest first:
/// what the case's pages show as coming. One whose time has passed stays `booked` (a missed
/// appointment is kept as it was) but is left out here, as it is no longer to come.
pub async fn list_for_case(db: &Db, case_id: &str) -> Result<Vec<Appointment>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT * FROM appointments WHERE case_id = $1 AND status = 'booked' \
             AND ends_at > $2 ORDER BY starts_at, id",
        )
        .bind(case_id)
        .bind(now())
        .fetch_all(p)
        .await
    })?)
}

/// The ids of the live bookings at a mission starting in `[from, to)`, as the caller's
/// transaction sees them.
pub async fn live_between(
    tx: &mut Tx,
    mission_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    Ok(with_tx!(tx, c => {
        sqlx::query_scalar(
            "SELECT id FROM appointments WHERE mission_id = $1 AND status = 'booked' \
             AND starts_at >= $2 AND starts_at < $3 ORDER BY starts_at, id",
        )
        .bind(mission_id)
        .bind(from)
        .bind(to)
        .fetch_all(c)
        .await
    })?)
}

/// The live bookings made for case `case_id` still to come after `from`.
pub async fn live_for_case(
    tx: &mut Tx,
    case_id: &str,
    from: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    // Locked on PostgreSQL until the caller's transaction ends, so that a booking cancelled
    // or moved meanwhile (another tab, a closure) is seen as it then is; SQLite runs one
    // writing transaction at a time.
    let lock = match tx.backend() {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "SELECT id FROM appointments WHERE case_id = $1 AND status = 'booked' \
         AND starts_at > $2 ORDER BY starts_at, id{lock}"
    );
    Ok(with_tx!(tx, c => {
        sqlx::query_scalar(AssertSqlSafe(sql.as_str()))
            .bind(case_id)
            .bind(from)
            .fetch_all(c)
            .await
    })?)
}

/// Live bookings at a mission starting in `[from, to)`, with the applicants.
pub async fn list_for_mission(
    db: &Db,
    mission_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<BookingWithPerson>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT a.id, a.service, a.case_id, a.starts_at, a.ends_at, a.status, u.display_name, u.email, \
             c.reference AS case_reference \
             FROM appointments a JOIN users u ON u.id = a.user_id LEFT JOIN cases c \
             ON c.id = a.case_id AND c.applicant_id = a.user_id AND c.mission_id = a.mission_id \
             WHERE a.mission_id = $1 AND a.status = 'booked' AND a.starts_at >= $2 AND a.starts_at < $3 \
             ORDER BY a.starts_at, u.display_name, a.id",
        )
        .bind(mission_id)
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await
    })?)
}

/// When the mission's first live booking at or after `at` starts, if there is one (the day
/// list leads there from a day without any).
pub async fn next_booked_from(
    db: &Db,
    mission_id: &str,
    at: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_scalar(
            "SELECT starts_at FROM appointments \
             WHERE mission_id = $1 AND status = 'booked' AND starts_at >= $2 \
             ORDER BY starts_at LIMIT 1",
        )
        .bind(mission_id)
        .bind(at)
        .fetch_optional(p)
        .await
    })?)
}

/// Seats taken per slot of a mission starting in `[from, to)`: `(scope, starts_at, booked)`.
pub async fn seats_taken(
    db: &Db,
    mission_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(String, DateTime<Utc>, i32)>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT scope, starts_at, booked FROM appointment_slots \
             WHERE mission_id = $1 AND starts_at >= $2 AND starts_at < $3",
        )
        .bind(mission_id)
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await
    })?)
}

/// How many seats of `slot` are still free, given what is taken.
pub fn seats_left(slot: &Slot, taken: &[(String, DateTime<Utc>, i32)]) -> u16 {
    let used = taken
        .iter()
        .find(|(scope, start, _)| {
            *start == slot.start && SlotScope::from_key(scope).as_ref() == Some(&slot.scope)
        })
        .map(|(_, _, n)| *n)
        .unwrap_or(0);
    u16::try_from(i32::from(slot.capacity) - used).unwrap_or(0)
}

/// Removes every booking (live, cancelled or moved) that ended before `cutoff`: the
/// retention period of the consular purge, long after any appointment it could still serve.
/// Returns how many.
pub async fn purge_ended_before(db: &Db, cutoff: DateTime<Utc>) -> Result<u64, StoreError> {
    crate::consular::changed();
    Ok(with_pool!(db.write(), p => {
        sqlx::query("DELETE FROM appointments WHERE ends_at < $1")
            .bind(cutoff)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
    })?)
}
