//! A mission's opening rules and closures as stored: local dates and times as text, read back
//! into the domain's validated types.

use chrono::{DateTime, NaiveDate, Utc};
use safir_domain::consular::appointments::{
    Closure, OpeningRule, ServiceCode, parse_date, parse_time, weekday_from_iso,
};

use crate::{Backend, Db, StoreError, Tx, now, with_pool, with_tx};

const DATE: &str = "%Y-%m-%d";
const TIME: &str = "%H:%M";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RuleRow {
    pub id: String,
    pub mission_id: String,
    pub service: Option<String>,
    pub weekday: i32,
    pub start_time: String,
    pub end_time: String,
    pub slot_minutes: i32,
    pub capacity: i32,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub created_at: DateTime<Utc>,
}

fn corrupt(what: &str, id: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {id}"))
}

impl RuleRow {
    pub fn rule(&self) -> Result<OpeningRule, StoreError> {
        let bad = || corrupt("appointment rule", &self.id);
        let weekday = u8::try_from(self.weekday)
            .ok()
            .filter(|n| (1..=7).contains(n))
            .ok_or_else(bad)?;
        let service = match &self.service {
            None => None,
            Some(s) => Some(ServiceCode::parse(s).map_err(|_| bad())?),
        };
        OpeningRule::new(
            weekday_from_iso(weekday),
            parse_time(&self.start_time).map_err(|_| bad())?,
            parse_time(&self.end_time).map_err(|_| bad())?,
            u16::try_from(self.slot_minutes).map_err(|_| bad())?,
            u16::try_from(self.capacity).map_err(|_| bad())?,
            parse_date(&self.valid_from).map_err(|_| bad())?,
            match &self.valid_until {
                None => None,
                Some(d) => Some(parse_date(d).map_err(|_| bad())?),
            },
            service,
        )
        .map_err(|_| bad())
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClosureRow {
    pub id: String,
    pub mission_id: String,
    pub first_day: String,
    pub last_day: String,
    pub reason_ar: String,
    pub reason_en: String,
    pub created_at: DateTime<Utc>,
}

impl ClosureRow {
    pub fn closure(&self) -> Result<Closure, StoreError> {
        let bad = || corrupt("appointment closure", &self.id);
        Closure::new(
            parse_date(&self.first_day).map_err(|_| bad())?,
            parse_date(&self.last_day).map_err(|_| bad())?,
            &self.reason_ar,
            &self.reason_en,
        )
        .map_err(|_| bad())
    }
}

/// Everything slot generation needs for one mission.
#[derive(Debug, Clone, Default)]
pub struct Schedule {
    pub rules: Vec<OpeningRule>,
    pub closures: Vec<Closure>,
}

pub async fn add_rule(
    tx: &mut Tx,
    mission_id: &str,
    rule: &OpeningRule,
) -> Result<String, StoreError> {
    insert_rule(tx, mission_id, rule, None)
        .await?
        .ok_or(StoreError::Conflict("appointment rule"))
}

/// [`add_rule`] from the schedule form sent with `request_key`: `None` when the same form (a
/// double click, a retried request) already added its rule, and nothing is added.
pub async fn add_rule_keyed(
    tx: &mut Tx,
    mission_id: &str,
    rule: &OpeningRule,
    request_key: &str,
) -> Result<Option<String>, StoreError> {
    insert_rule(tx, mission_id, rule, Some(request_key)).await
}

async fn insert_rule(
    tx: &mut Tx,
    mission_id: &str,
    rule: &OpeningRule,
    request_key: Option<&str>,
) -> Result<Option<String>, StoreError> {
    let id = uuid::Uuid::now_v7().as_simple().to_string();
    let stored = with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO appointment_rules (id, mission_id, service, weekday, start_time, end_time, slot_minutes, capacity, valid_from, valid_until, created_at, request_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING",
        )
        .bind(&id)
        .bind(mission_id)
        .bind(rule.service().map(|s| s.as_str()))
        .bind(rule.weekday().number_from_monday() as i32)
        .bind(rule.start().format(TIME).to_string())
        .bind(rule.end().format(TIME).to_string())
        .bind(i32::from(rule.slot_minutes()))
        .bind(i32::from(rule.capacity()))
        .bind(rule.valid_from().format(DATE).to_string())
        .bind(rule.valid_until().map(|d| d.format(DATE).to_string()))
        .bind(now())
        .bind(request_key)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok((stored == 1).then_some(id))
}

/// The rule of this mission added with `request_key`, if it is still there.
pub async fn rule_by_key(
    tx: &mut Tx,
    mission_id: &str,
    request_key: &str,
) -> Result<Option<RuleRow>, StoreError> {
    Ok(with_tx!(tx, c => {
        sqlx::query_as("SELECT * FROM appointment_rules WHERE mission_id = $1 AND request_key = $2")
            .bind(mission_id)
            .bind(request_key)
            .fetch_optional(c)
            .await
    })?)
}

/// Removes a rule of this mission and hands back what it was (for the audit trail).
/// Bookings already made in its slots stay.
pub async fn remove_rule(tx: &mut Tx, mission_id: &str, id: &str) -> Result<RuleRow, StoreError> {
    let row: Option<RuleRow> = with_tx!(tx, c => {
        sqlx::query_as("DELETE FROM appointment_rules WHERE id = $1 AND mission_id = $2 RETURNING *")
            .bind(id)
            .bind(mission_id)
            .fetch_optional(c)
            .await
    })?;
    row.ok_or(StoreError::NotFound)
}

/// The mission's rules by weekday and start time.
pub async fn list_rules(db: &Db, mission_id: &str) -> Result<Vec<RuleRow>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM appointment_rules WHERE mission_id = $1 ORDER BY weekday, start_time, service, id")
            .bind(mission_id)
            .fetch_all(p)
            .await
    })?)
}

pub async fn add_closure(
    tx: &mut Tx,
    mission_id: &str,
    closure: &Closure,
) -> Result<String, StoreError> {
    insert_closure(tx, mission_id, closure, None)
        .await?
        .ok_or(StoreError::Conflict("appointment closure"))
}

/// [`add_closure`] from the schedule form sent with `request_key`: `None` when the same form
/// already added its closure, and nothing is added.
pub async fn add_closure_keyed(
    tx: &mut Tx,
    mission_id: &str,
    closure: &Closure,
    request_key: &str,
) -> Result<Option<String>, StoreError> {
    insert_closure(tx, mission_id, closure, Some(request_key)).await
}

async fn insert_closure(
    tx: &mut Tx,
    mission_id: &str,
    closure: &Closure,
    request_key: Option<&str>,
) -> Result<Option<String>, StoreError> {
    hold_mission(tx, mission_id).await?;
    let id = uuid::Uuid::now_v7().as_simple().to_string();
    let stored = with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO appointment_closures (id, mission_id, first_day, last_day, reason_ar, reason_en, created_at, request_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        )
        .bind(&id)
        .bind(mission_id)
        .bind(closure.first_day().format(DATE).to_string())
        .bind(closure.last_day().format(DATE).to_string())
        .bind(closure.reason_ar())
        .bind(closure.reason_en())
        .bind(now())
        .bind(request_key)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok((stored == 1).then_some(id))
}

/// Locks the mission's row until the closure's transaction ends, before the closure is
/// written and the bookings of its days are listed to be cancelled. A booking or a move holds
/// a share lock on that row from the start of its transaction (see
/// [`super::hold_zone`]) and then checks that no closure covers its day: on PostgreSQL the
/// closure waits for a booking being made and then finds it to cancel, or the booking waits
/// for the closure and then finds the day closed. Without the lock a booking committed just
/// after the list was read stayed live on the closed day. SQLite's writer runs one
/// transaction at a time already.
async fn hold_mission(tx: &mut Tx, mission_id: &str) -> Result<(), StoreError> {
    if tx.backend() == Backend::Postgres {
        with_tx!(tx, c => {
            sqlx::query("SELECT id FROM missions WHERE id = $1 FOR NO KEY UPDATE")
                .bind(mission_id)
                .fetch_optional(c)
                .await
                .map(|_| ())
        })?;
    }
    Ok(())
}

/// The closure of this mission added with `request_key`, if it is still there.
pub async fn closure_by_key(
    tx: &mut Tx,
    mission_id: &str,
    request_key: &str,
) -> Result<Option<ClosureRow>, StoreError> {
    Ok(with_tx!(tx, c => {
        sqlx::query_as("SELECT * FROM appointment_closures WHERE mission_id = $1 AND request_key = $2")
            .bind(mission_id)
            .bind(request_key)
            .fetch_optional(c)
            .await
    })?)
}

/// Removes a closure of this mission and hands back what it was (for the audit trail): its
/// days offer slots again. Bookings it cancelled stay cancelled.
pub async fn remove_closure(
    tx: &mut Tx,
    mission_id: &str,
    id: &str,
) -> Result<ClosureRow, StoreError> {
    let row: Option<ClosureRow> = with_tx!(tx, c => {
        sqlx::query_as("DELETE FROM appointment_closures WHERE id = $1 AND mission_id = $2 RETURNING *")
            .bind(id)
            .bind(mission_id)
            .fetch_optional(c)
            .await
    })?;
    row.ok_or(StoreError::NotFound)
}

/// Whether a closure of the mission covers the local date `date`, as the caller's transaction
/// sees it.
pub async fn closed_on(tx: &mut Tx, mission_id: &str, date: NaiveDate) -> Result<bool, StoreError> {
    let day = date.format(DATE).to_string();
    Ok(with_tx!(tx, c => {
        sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM appointment_closures \
             WHERE mission_id = $1 AND first_day <= $2 AND last_day >= $2)",
        )
        .bind(mission_id)
        .bind(&day)
        .fetch_one(c)
        .await
    })?)
}

/// Closures that end on or after `from` (a local date), soonest first.
pub async fn list_closures(
    db: &Db,
    mission_id: &str,
    from: NaiveDate,
) -> Result<Vec<ClosureRow>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM appointment_closures WHERE mission_id = $1 AND last_day >= $2 ORDER BY first_day, id")
            .bind(mission_id)
            .bind(from.format(DATE).to_string())
            .fetch_all(p)
            .await
    })?)
}

/// The rules and the closures from `from` on, ready for slot generation.
pub async fn load(db: &Db, mission_id: &str, from: NaiveDate) -> Result<Schedule, StoreError> {
    let rules = list_rules(db, mission_id)
        .await?
        .iter()
        .map(RuleRow::rule)
        .collect::<Result<Vec<_>, _>>()?;
    let closures = list_closures(db, mission_id, from)
        .await?
        .iter()
        .map(ClosureRow::closure)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Schedule { rules, closures })
}

/// The missions with a rule still valid on or after `since`, each with the last day one of
/// them runs (`None`: a rule without an end). Dates compare as text (ISO 8601). The caller
/// compares with each mission's own today: `since` is the earliest of them.
pub async fn rules_running_since(
    db: &Db,
    since: NaiveDate,
) -> Result<Vec<(String, Option<String>)>, StoreError> {
    let day = since.format(DATE).to_string();
    // A mission's last day is its rules' latest end, none when one of them has no end.
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT mission_id, CASE WHEN COUNT(*) = COUNT(valid_until) THEN MAX(valid_until) END \
             FROM appointment_rules WHERE valid_until IS NULL OR valid_until >= $1 \
             GROUP BY mission_id ORDER BY mission_id",
        )
        .bind(&day)
        .fetch_all(p)
        .await
    })?)
}
