//! Safety check-ins: one row per person per alert, the answers (safe, need help, not in the
//! area), the live counts and list of the welfare board, reminders to non-responders, and the
//! people imported from a PFIF document. Also the instance's key for the personal links.
//!
//! A person's latest check-in in a crisis is their *current* one (`is_current`): an answer
//! through an older link goes to it, and the board counts current rows only, so everyone is
//! counted once.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use safir_domain::consular::case::CaseState;
use safir_domain::crisis::checkin::CheckinStatus;
use sqlx::AssertSqlSafe;

use crate::name_key::name_key;
use crate::{Backend, Db, StoreError, Tx, now, settings, with_pool, with_tx};

/// The settings key of the check-in link key (32 random bytes, hex).
pub const KEY_SETTING: &str = "crisis.checkin_key";

/// The key that signs personal check-in links, made on first use. Call it outside any open
/// transaction (SQLite has one writer: a write here inside a transaction would wait on itself).
pub async fn checkin_key(db: &Db) -> Result<Vec<u8>, StoreError> {
    settings::secret(db, KEY_SETTING).await
}

fn new_id() -> String {
    uuid::Uuid::now_v7().as_simple().to_string()
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Checkin {
    pub id: String,
    pub alert_id: Option<String>,
    pub crisis_id: Option<String>,
    pub registration_id: String,
    pub status: String,
    pub note: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub case_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub reminded_at: Option<DateTime<Utc>>,
    pub region: String,
    pub is_current: bool,
}

impl Checkin {
    pub fn status(&self) -> Result<CheckinStatus, StoreError> {
        CheckinStatus::parse(&self.status)
            .map_err(|_| StoreError::Corrupt(format!("check-in status {}", self.status)))
    }
}

/// Registrations per statement on SQLite (kept small: binding `$n` parameters most likely costs
/// the square of their number); PostgreSQL binds arrays and takes [`POSTGRES_ROWS`] at a time.
const ROWS_PER_STATEMENT: usize = 400;
const POSTGRES_ROWS: usize = 20_000;

/// Makes one `waiting` check-in per registration for `alert_id` (repeating it adds nothing)
/// and, within the crisis, turns the people's earlier check-ins into past ones: unanswered
/// ones become `superseded`, answered ones keep their answer. Returns how many were new.
///
/// One indexed query first tells which of the people have a current check-in of another alert
/// in the crisis; only those are updated (in a first alert, nobody). The emergency case an
/// earlier "need help" opened passes to the new check-in: the person's next answer reaches it,
/// and the board shows it on their row, rather than the case staying behind on a past one.
pub async fn create_batch(
    tx: &mut Tx,
    alert_id: &str,
    crisis_id: Option<&str>,
    registration_ids: &[String],
) -> Result<u64, StoreError> {
    let mut seen = HashSet::new();
    let ids: Vec<&str> = registration_ids
        .iter()
        .map(String::as_str)
        .filter(|id| seen.insert(*id))
        .collect();
    // Two alerts of one crisis fanned out at once (an Update approved while the original's
    // fan-out runs): on PostgreSQL each would read the people's current check-ins before the
    // other wrote its own, and both would leave theirs current, the person counted twice.
    // The fan-outs of a crisis take turns, a chunk's transaction at a time; SQLite runs one
    // writing transaction at a time already.
    if let Some(crisis) = crisis_id {
        lock_crisis(tx, crisis, FANOUT_LOCK).await?;
    }
    let country: Option<String> = match crisis_id {
        Some(c) => with_tx!(tx, conn => {
            sqlx::query_scalar("SELECT country FROM crises WHERE id = $1").bind(c).fetch_optional(conn).await
        })?,
        None => None,
    };
    let t = now();
    let mut inserted = 0;
    let mut supersede_time = std::time::Duration::ZERO;
    let mut regions_time = std::time::Duration::ZERO;
    let mut insert_time = std::time::Duration::ZERO;
    let mut carried: Vec<(String, String)> = Vec::new();
    let rows = match tx {
        Tx::Sqlite(_) => ROWS_PER_STATEMENT,
        Tx::Postgres(_) => POSTGRES_ROWS,
    };
    for chunk in ids.chunks(rows) {
        let step = std::time::Instant::now();
        if let Some(crisis) = crisis_id {
            let earlier = with_earlier_checkin(tx, alert_id, crisis, chunk).await?;
            if !earlier.is_empty() {
                let people: Vec<String> = earlier.iter().map(|(r, _)| r.clone()).collect();
                supersede(tx, alert_id, crisis, &people).await?;
            }
            carried.extend(
                earlier
                    .into_iter()
                    .filter_map(|(reg, case)| Some((reg, case?))),
            );
        }
        supersede_time += step.elapsed();
        let step = std::time::Instant::now();
        // The region each person was registered in, preferring a place in the crisis country.
        let places = places_of(tx, chunk).await?;
        let mut regions: BTreeMap<&str, (bool, &str)> = BTreeMap::new();
        for (reg, c, region) in &places {
            let in_crisis = country.as_deref() == Some(c.as_str());
            match regions.get(reg.as_str()) {
                Some((true, _)) => {}
                Some((false, _)) if !in_crisis => {}
                _ => {
                    regions.insert(reg.as_str(), (in_crisis, region.as_str()));
                }
            }
        }
        let region_of = |id: &str| regions.get(id).map(|(_, r)| *r).unwrap_or("");
        regions_time += step.elapsed();
        let step = std::time::Instant::now();
        inserted += match tx {
            Tx::Sqlite(c) => {
                // Anonymous `?` parameters, bound in order (see the delivery insert: a
                // numbered `$n` costs a walk of the statement's parameter names).
                let mut sql = String::from(
                    "INSERT INTO crisis_checkins (id, alert_id, crisis_id, registration_id, status, note, created_at, region, is_current) VALUES ",
                );
                for i in 0..chunk.len() {
                    if i > 0 {
                        sql.push(',');
                    }
                    sql.push_str("(?, ?, ?, ?, 'waiting', '', ?, ?, ?)");
                }
                sql.push_str(" ON CONFLICT (alert_id, registration_id) DO NOTHING");
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for id in chunk {
                    q = q
                        .bind(new_id())
                        .bind(alert_id)
                        .bind(crisis_id)
                        .bind(*id)
                        .bind(t)
                        .bind(region_of(id))
                        .bind(true);
                }
                q.execute(&mut **c).await?.rows_affected()
            }
            Tx::Postgres(c) => {
                let new_ids: Vec<String> = chunk.iter().map(|_| new_id()).collect();
                let chunk_regions: Vec<&str> = chunk.iter().map(|id| region_of(id)).collect();
                sqlx::query(
                    "INSERT INTO crisis_checkins (id, alert_id, crisis_id, registration_id, status, note, created_at, region, is_current) \
                     SELECT u.id, $1, $2, u.registration_id, 'waiting', '', $3, u.region, $4 \
                     FROM UNNEST($5::text[], $6::text[], $7::text[]) AS u(id, registration_id, region) \
                     ON CONFLICT (alert_id, registration_id) DO NOTHING",
                )
                .bind(alert_id)
                .bind(crisis_id)
                .bind(t)
                .bind(true)
                .bind(&new_ids)
                .bind(chunk)
                .bind(&chunk_regions)
                .execute(&mut **c)
                .await?
                .rows_affected()
            }
        };
        insert_time += step.elapsed();
    }
    // Few people: only those whose "need help" opened a case.
    if let Some(crisis) = crisis_id {
        for (registration_id, case_id) in &carried {
            carry_case(tx, alert_id, crisis, registration_id, case_id).await?;
        }
    }
    log_steps(ids.len(), supersede_time, regions_time, insert_time);
    Ok(inserted)
}

/// The person's earlier check-in in the crisis that held `case_id` as it stood when a new
/// alert superseded it: its answer, note, location and answer time, and the case's state
/// (`None` once the case is purged).
type EarlierAnswer = (
    String,
    String,
    Option<f64>,
    Option<f64>,
    Option<DateTime<Utc>>,
    Option<String>,
);

/// Passes the emergency case of the person's earlier check-in to their check-in of
/// `alert_id` (see [`create_batch`]).
///
/// While that case is open and their last answer was "need help", the new check-in starts
/// with that answer (status, note, location and the time it was given) instead of `waiting`:
/// nothing they said has changed, and the mission is working on their emergency. Left
/// `waiting`, an Update would take them off the board's "need help" tile and list (and the
/// CSV, PFIF and GeoJSON exports, which read the same current check-ins) while their case is
/// still open, and its reminder round would tell them it had not heard from them. Their next
/// answer replaces this one as any answer does. A finished case (closed, withdrawn, refused)
/// passes on all the same, and the new check-in waits for an answer: a new "need help" is a
/// new emergency.
async fn carry_case(
    tx: &mut Tx,
    alert_id: &str,
    crisis_id: &str,
    registration_id: &str,
    case_id: &str,
) -> Result<(), StoreError> {
    let earlier: Option<EarlierAnswer> = with_tx!(tx, c => {
        sqlx::query_as(
            "SELECT p.status, p.note, p.lat, p.lon, p.answered_at, k.state FROM crisis_checkins p \
             LEFT JOIN cases k ON k.id = p.case_id \
             WHERE p.registration_id = $1 AND p.crisis_id = $2 AND p.case_id = $3 \
             AND p.is_current = $4 AND (p.alert_id IS NULL OR p.alert_id <> $5) \
             ORDER BY p.created_at DESC, p.id DESC LIMIT 1",
        )
        .bind(registration_id)
        .bind(crisis_id)
        .bind(case_id)
        .bind(false)
        .bind(alert_id)
        .fetch_optional(c)
        .await
    })?;
    let still_helping = earlier.filter(|(status, .., state)| {
        status == CheckinStatus::NeedHelp.as_str()
            && state
                .as_deref()
                .and_then(|s| CaseState::parse(s).ok())
                .is_some_and(CaseState::is_open)
    });
    with_tx!(tx, c => {
        match &still_helping {
            Some((status, note, lat, lon, answered_at, _)) => sqlx::query(
                "UPDATE crisis_checkins SET case_id = $3, status = $4, note = $5, lat = $6, lon = $7, \
                 answered_at = $8 WHERE alert_id = $1 AND registration_id = $2 AND case_id IS NULL \
                 AND answered_at IS NULL",
            )
            .bind(alert_id)
            .bind(registration_id)
            .bind(case_id)
            .bind(status)
            .bind(note)
            .bind(*lat)
            .bind(*lon)
            .bind(*answered_at),
            None => sqlx::query(
                "UPDATE crisis_checkins SET case_id = $3 WHERE alert_id = $1 AND registration_id = $2 AND case_id IS NULL",
            )
            .bind(alert_id)
            .bind(registration_id)
            .bind(case_id),
        }
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// `$first, $first+1, …` for `n` values.
fn placeholders(first: usize, n: usize) -> String {
    (0..n)
        .map(|i| format!("${}", first + i))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn find(db: &Db, id: &str) -> Result<Checkin, StoreError> {
    with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM crisis_checkins WHERE id = $1").bind(id).fetch_optional(p).await
    })?
    .ok_or(StoreError::NotFound)
}

/// The check-in an alert made for a registration (the personal link of its message).
pub async fn for_delivery(
    db: &Db,
    alert_id: &str,
    registration_id: &str,
) -> Result<Option<Checkin>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM crisis_checkins WHERE alert_id = $1 AND registration_id = $2")
            .bind(alert_id)
            .bind(registration_id)
            .fetch_optional(p)
            .await
    })?)
}

/// An answer as recorded.
#[derive(Debug, Clone)]
pub struct Answered {
    /// The check-in the answer went to (the person's current one), as it is now.
    pub checkin: Checkin,
    /// Whether the link was an older one and the answer went to the current check-in.
    pub redirected: bool,
}

/// Records an answer. Only the person's current check-in is answered: through an older link
/// the answer goes to the current one. Answering again replaces the answer (the latest counts,
/// with its time); a location, once given, is kept when a later answer has none.
pub async fn answer(
    db: &Db,
    id: &str,
    status: CheckinStatus,
    note: &str,
    point: Option<(f64, f64)>,
) -> Result<Answered, StoreError> {
    let one = NewAnswer {
        id: id.to_owned(),
        status,
        note: note.to_owned(),
        point,
    };
    answer_batch(db, std::slice::from_ref(&one))
        .await?
        .pop()
        .ok_or(StoreError::NotFound)?
}

/// Links the consular case opened for a "need help" answer: the first case (`previous`
/// `None`, and the check-in holds none yet), or a new one in place of `previous`, a case no
/// longer open (a "need help" after the one its earlier answer opened was finished). Returns
/// whether this call set it.
pub async fn set_case(
    tx: &mut Tx,
    id: &str,
    previous: Option<&str>,
    case_id: &str,
) -> Result<bool, StoreError> {
    let sql = match previous {
        None => "UPDATE crisis_checkins SET case_id = $2 WHERE id = $1 AND case_id IS NULL",
        Some(_) => "UPDATE crisis_checkins SET case_id = $2 WHERE id = $1 AND case_id = $3",
    };
    let n = with_tx!(tx, c => {
        let mut q = sqlx::query(sql).bind(id).bind(case_id);
        if let Some(previous) = previous {
            q = q.bind(previous);
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// The current check-in of the person with this phone number (an SMS reply): the newest
/// current row among their registrations.
pub async fn current_for_phone(db: &Db, phone: &str) -> Result<Option<Checkin>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT c.* FROM crisis_checkins c JOIN crisis_registrations r ON r.id = c.registration_id \
             WHERE r.phone = $1 AND c.is_current = $2 AND c.alert_id IS NOT NULL \
             ORDER BY c.created_at DESC, c.id DESC LIMIT 1",
        )
        .bind(phone)
        .bind(true)
        .fetch_optional(p)
        .await
    })?)
}

/// A person registered with a phone number, and the current check-in an SMS from that
/// number may answer for them, if any.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PhoneCheckin {
    pub checkin_id: Option<String>,
    pub registration_id: String,
    pub full_name: String,
}

/// A candidate row of [`current_all_for_phone`]: a registration and one of its current
/// check-ins (none when it has none), with what tells whether that check-in is still in effect.
#[derive(sqlx::FromRow)]
struct PhoneCandidate {
    checkin_id: Option<String>,
    alert_id: Option<String>,
    crisis_id: Option<String>,
    registration_id: String,
    full_name: String,
}

/// Every registration with this phone number, in the order they were made, each with the
/// current check-in an SMS answers for it: its newest in a crisis still open, else its newest
/// of an alert sent outside any crisis (an imported CAP alert) while that alert is in effect.
/// One phone may stand for several people (a parent who registered a child with their own
/// number, a residence and a trip): an SMS reply must say which of them it answers, and the
/// numbers it picks by stay the same from one alert to the next, whoever that alert reaches.
/// A closed crisis's check-ins are over: no answer reaches them. Nothing supersedes the
/// check-in of an alert outside a crisis, so it is over once the alert is: when it expired,
/// or a Cancel of its thread went out. Before, it stayed current for good, and a "SAFE" sent
/// in a later crisis answered it rather than the crisis's own check-in.
pub async fn current_all_for_phone(db: &Db, phone: &str) -> Result<Vec<PhoneCheckin>, StoreError> {
    let rows: Vec<PhoneCandidate> = with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT c.id AS checkin_id, c.alert_id AS alert_id, c.crisis_id AS crisis_id, \
             r.id AS registration_id, r.full_name AS full_name \
             FROM crisis_registrations r LEFT JOIN crisis_checkins c ON c.registration_id = r.id \
             AND c.is_current = $2 AND c.alert_id IS NOT NULL AND ( \
             EXISTS (SELECT 1 FROM crises k WHERE k.id = c.crisis_id AND k.status = 'open') \
             OR (c.crisis_id IS NULL AND EXISTS (SELECT 1 FROM crisis_alerts a WHERE a.id = c.alert_id \
             AND (a.expires IS NULL OR a.expires > $3)))) \
             WHERE r.phone = $1 \
             ORDER BY r.created_at, r.id, \
             CASE WHEN c.id IS NULL THEN 2 WHEN c.crisis_id IS NULL THEN 1 ELSE 0 END, \
             c.created_at DESC, c.id DESC",
        )
        .bind(phone)
        .bind(true)
        .bind(now())
        .fetch_all(p)
        .await
    })?;
    // Rows come by registration, the best check-in of each first: a crisis's, then the
    // newest outside one whose thread no Cancel ended.
    let mut out: Vec<PhoneCheckin> = Vec::new();
    let mut cancelled: BTreeMap<String, bool> = BTreeMap::new();
    for row in rows {
        if out
            .last()
            .is_none_or(|last| last.registration_id != row.registration_id)
        {
            out.push(PhoneCheckin {
                checkin_id: None,
                registration_id: row.registration_id.clone(),
                full_name: row.full_name.clone(),
            });
        }
        let Some(last) = out.last_mut() else {
            continue;
        };
        if last.checkin_id.is_some() {
            continue;
        }
        if row.crisis_id.is_none()
            && let Some(alert) = &row.alert_id
        {
            let over = match cancelled.get(alert) {
                Some(over) => *over,
                None => {
                    let over = crate::crisis::alerts::thread_cancelled(db, alert).await?;
                    cancelled.insert(alert.clone(), over);
                    over
                }
            };
            if over {
                continue;
            }
        }
        last.checkin_id = row.checkin_id;
    }
    Ok(out)
}

/// The language of the person registered with `phone` (`ar` or `en`), to answer their SMS in it
/// when it has no check-in to answer or no keyword: the registration whose check-in is current
/// first (the one an answer would reach), else a verified one, else the newest.
pub async fn lang_for_phone(db: &Db, phone: &str) -> Result<Option<String>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_scalar(
            "SELECT r.lang FROM crisis_registrations r WHERE r.phone = $1 \
             ORDER BY CASE WHEN EXISTS (SELECT 1 FROM crisis_checkins c WHERE c.registration_id = r.id \
             AND c.is_current = $2 AND c.alert_id IS NOT NULL) THEN 0 ELSE 1 END, \
             CASE WHEN r.verified_at IS NULL THEN 1 ELSE 0 END, r.created_at DESC, r.id DESC LIMIT 1",
        )
        .bind(phone)
        .bind(true)
        .fetch_optional(p)
        .await
    })?)
}

/// Counts by answer (`waiting` is "no answer").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct StatusCounts {
    pub waiting: i64,
    pub safe: i64,
    pub need_help: i64,
    pub not_in_area: i64,
}

impl StatusCounts {
    fn add(&mut self, status: &str, n: i64) {
        match status {
            "waiting" => self.waiting += n,
            "safe" => self.safe += n,
            "need_help" => self.need_help += n,
            "not_in_area" => self.not_in_area += n,
            _ => {}
        }
    }

    pub fn total(&self) -> i64 {
        self.waiting + self.safe + self.need_help + self.not_in_area
    }
}

/// The vulnerability groups staff sort by (a person may be in several).
pub const VULNERABILITIES: [&str; 4] = ["children", "elderly", "medical", "none"];

/// The board's tiles: messages (from the deliveries of the crisis's alerts) and people (their
/// current check-ins) by answer, by region and by vulnerability.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BoardCounts {
    /// Delivery rows of the crisis's alerts (one per person per channel).
    pub targeted: i64,
    /// Handed to the channel (sent) or confirmed by a receipt (delivered).
    pub delivered: i64,
    /// Messages the channel could not take or deliver (a gateway's refusal, a failed receipt).
    pub failed: i64,
    /// Messages deliberately not sent: still queued when a later Update or a Cancel of their
    /// thread went out or their alert expired, or to a subscriber who unsubscribed since.
    pub not_sent: i64,
    pub people: StatusCounts,
    /// People whose emergency case no officer has acknowledged yet (submitted, not taken up):
    /// what the escalation of an emergency waits for.
    pub unacknowledged: i64,
    pub by_region: BTreeMap<String, StatusCounts>,
    /// Keyed by the names in [`VULNERABILITIES`].
    pub by_vulnerability: BTreeMap<String, StatusCounts>,
}

/// The live counts of a crisis: two GROUP BY queries over indexed columns.
pub async fn counts(db: &Db, crisis_id: &str) -> Result<BoardCounts, StoreError> {
    let rows: Vec<(String, String, i32, bool, bool, i64)> = with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT c.status, c.region, CASE WHEN r.children > 0 THEN 1 ELSE 0 END AS has_children, r.elderly, r.medical, COUNT(*) AS n \
             FROM crisis_checkins c JOIN crisis_registrations r ON r.id = c.registration_id \
             WHERE c.crisis_id = $1 AND c.is_current = $2 \
             GROUP BY c.status, c.region, CASE WHEN r.children > 0 THEN 1 ELSE 0 END, r.elderly, r.medical",
        )
        .bind(crisis_id)
        .bind(true)
        .fetch_all(p)
        .await
    })?;
    let mut out = BoardCounts::default();
    for v in VULNERABILITIES {
        out.by_vulnerability
            .insert(v.to_owned(), StatusCounts::default());
    }
    for (status, region, children, elderly, medical, n) in rows {
        out.people.add(&status, n);
        out.by_region.entry(region).or_default().add(&status, n);
        let mut groups = Vec::new();
        if children > 0 {
            groups.push("children");
        }
        if elderly {
            groups.push("elderly");
        }
        if medical {
            groups.push("medical");
        }
        if groups.is_empty() {
            groups.push("none");
        }
        for g in groups {
            out.by_vulnerability
                .entry(g.to_owned())
                .or_default()
                .add(&status, n);
        }
    }
    out.unacknowledged = with_pool!(db.read(), p => {
        sqlx::query_scalar(
            AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM crisis_checkins c JOIN cases k ON k.id = c.case_id \
                 WHERE c.crisis_id = $1 AND c.is_current = $2 AND {UNACKNOWLEDGED}"
            )),
        )
        .bind(crisis_id)
        .bind(true)
        .fetch_one(p)
        .await
    })?;
    // A row stopped before it was sent fails with why (see `alerts::supersede_queue`,
    // `alerts::stop_thread`, `alerts::stop_queue` and the delivery of an unsubscribed
    // recipient): counted apart, an Update of thousands of queued messages would otherwise
    // show as thousands of failures and hide the gateway's. A receipt's "expired" comes for a
    // message that was sent: a failure.
    let stopped = format!(
        "CASE WHEN d.status = 'failed' AND d.sent_at IS NULL AND d.last_error IN ({NOT_SENT}) \
         THEN 1 ELSE 0 END"
    );
    let deliveries: Vec<(String, i32, i64)> = with_pool!(db.read(), p => {
        sqlx::query_as(AssertSqlSafe(format!(
            "SELECT d.status, {stopped} AS stopped, COUNT(*) FROM crisis_deliveries d \
             JOIN crisis_alerts a ON a.id = d.alert_id \
             WHERE a.crisis_id = $1 GROUP BY d.status, {stopped}"
        )))
        .bind(crisis_id)
        .fetch_all(p)
        .await
    })?;
    for (status, stopped, n) in deliveries {
        out.targeted += n;
        match status.as_str() {
            "sent" | "delivered" => out.delivered += n,
            "failed" if stopped != 0 => out.not_sent += n,
            "failed" => out.failed += n,
            _ => {}
        }
    }
    Ok(out)
}

/// Why a delivery failed without being sent, on purpose: a later Update of its thread went
/// out (`superseded`), a Cancel did (`cancelled`), its alert expired (`expired`), or its
/// recipient unsubscribed (`unsubscribed`).
const NOT_SENT: &str = "'superseded', 'cancelled', 'expired', 'unsubscribed'";

/// The order of the board's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BoardSort {
    /// Medical needs first, then elderly, then children; then by name.
    #[default]
    Vulnerability,
    Name,
}

/// What the board's list shows.
#[derive(Debug, Clone, Default)]
pub struct BoardFilter {
    pub status: Option<CheckinStatus>,
    /// Only people whose emergency case no officer has acknowledged yet.
    pub unacknowledged: bool,
    pub region: Option<String>,
    /// Only people with children, elderly people or medical needs.
    pub vulnerable: bool,
    /// Part of the name or phone number.
    pub q: Option<String>,
    pub sort: BoardSort,
    /// Keyset cursor: the last check-in id of the previous page.
    pub after: Option<String>,
    pub limit: i64,
}

/// One person on the board: their current check-in and what staff need to act.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct BoardRow {
    pub id: String,
    pub alert_id: Option<String>,
    pub registration_id: String,
    pub status: String,
    pub note: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub case_id: Option<String>,
    /// The emergency case's reference, state and acknowledgement (`None` when there is no
    /// case, or it was purged).
    pub case_reference: Option<String>,
    pub case_state: Option<String>,
    pub case_acknowledged_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub region: String,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub lang: String,
    pub kind: String,
    pub adults: i32,
    pub children: i32,
    pub elderly: bool,
    pub medical: bool,
    pub vulnerability_note: String,
    /// medical 4 + elderly 2 + children 1.
    pub score: i32,
    /// The PFIF person record id when the person was imported.
    pub person_record_id: Option<String>,
}

/// A check-in's emergency case (`k`) waits for an officer to acknowledge it: submitted, not
/// taken up (what its escalation waits for).
const UNACKNOWLEDGED: &str = "k.state = 'submitted' AND k.acknowledged_at IS NULL";

const SCORE: &str = "(CASE WHEN r.medical THEN 4 ELSE 0 END + CASE WHEN r.elderly THEN 2 ELSE 0 END + CASE WHEN r.children > 0 THEN 1 ELSE 0 END)";

#[derive(Debug, Clone)]
enum Arg {
    Text(String),
    Int(i32),
    Bool(bool),
}

/// One page of the board's list (`limit` 1..=1000; 0 means every row, for exports).
pub async fn list(db: &Db, crisis_id: &str, f: &BoardFilter) -> Result<Vec<BoardRow>, StoreError> {
    let mut args = vec![Arg::Text(crisis_id.to_owned()), Arg::Bool(true)];
    let mut cond = String::from("c.crisis_id = $1 AND c.is_current = $2");
    let next = |args: &mut Vec<Arg>, a: Arg| {
        args.push(a);
        format!("${}", args.len())
    };
    if let Some(s) = f.status {
        let p = next(&mut args, Arg::Text(s.as_str().to_owned()));
        cond.push_str(&format!(" AND c.status = {p}"));
    }
    if f.unacknowledged {
        cond.push_str(&format!(" AND {UNACKNOWLEDGED}"));
    }
    if let Some(r) = f.region.as_deref().filter(|r| !r.is_empty()) {
        let p = next(&mut args, Arg::Text(r.to_owned()));
        cond.push_str(&format!(" AND c.region = {p}"));
    }
    if f.vulnerable {
        cond.push_str(&format!(" AND {SCORE} > 0"));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        // The words of a name in any order, or a piece of the phone number.
        let p = next(&mut args, Arg::Text(crate::name_key::phone_pattern(q)));
        let name =
            crate::name_key::all_words("r.full_name_key", q, |w| next(&mut args, Arg::Text(w)));
        cond.push_str(&format!(" AND (({name}) OR r.phone LIKE {p} ESCAPE '\\')"));
    }
    if let Some(after) = &f.after {
        // The cursor row's sort key, read back (ids are opaque to the page).
        let key: Option<(i32, String, String)> = with_pool!(db.read(), p => {
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {SCORE} AS score, r.full_name_key, r.full_name FROM crisis_checkins c JOIN crisis_registrations r ON r.id = c.registration_id WHERE c.id = $1"
            )))
            .bind(after)
            .fetch_optional(p)
            .await
        })?;
        // A cursor row that went meanwhile (a registration deleted, the purge) ends the list:
        // without its key the page would be the first one again.
        let Some((score, name_key, name)) = key else {
            return Ok(Vec::new());
        };
        let id = next(&mut args, Arg::Text(after.clone()));
        let k = next(&mut args, Arg::Text(name_key));
        let n = next(&mut args, Arg::Text(name));
        match f.sort {
            BoardSort::Vulnerability => {
                let s = next(&mut args, Arg::Int(-score));
                cond.push_str(&format!(
                    " AND (-{SCORE}, r.full_name_key, r.full_name, c.id) > ({s}, {k}, {n}, {id})"
                ));
            }
            BoardSort::Name => {
                cond.push_str(&format!(
                    " AND (r.full_name_key, r.full_name, c.id) > ({k}, {n}, {id})"
                ));
            }
        }
    }
    // Names in the order of their search keys (any form of alef read as ا, no marks), as an
    // Arabic list is read, then as written.
    let order = match f.sort {
        BoardSort::Vulnerability => {
            format!("{SCORE} DESC, r.full_name_key, r.full_name, c.id")
        }
        BoardSort::Name => "r.full_name_key, r.full_name, c.id".to_owned(),
    };
    let limit = if f.limit <= 0 {
        String::new()
    } else {
        format!(" LIMIT {}", f.limit.clamp(1, 1000))
    };
    let sql = format!(
        "SELECT c.id, c.alert_id, c.registration_id, c.status, c.note, c.lat, c.lon, c.case_id, \
         k.reference AS case_reference, k.state AS case_state, k.acknowledged_at AS case_acknowledged_at, c.created_at, c.answered_at, \
         c.region, r.full_name, r.email, r.phone, r.lang, r.kind, r.adults, r.children, r.elderly, r.medical, r.vulnerability_note, \
         {SCORE} AS score, i.person_record_id \
         FROM crisis_checkins c JOIN crisis_registrations r ON r.id = c.registration_id \
         LEFT JOIN crisis_imports i ON i.registration_id = r.id \
         LEFT JOIN cases k ON k.id = c.case_id \
         WHERE {cond} ORDER BY {order}{limit}"
    );
    let rows = with_pool!(db.read(), p => {
        let mut q = sqlx::query_as(AssertSqlSafe(sql.as_str()));
        for a in &args {
            q = match a {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Int(i) => q.bind(*i),
                Arg::Bool(b) => q.bind(*b),
            };
        }
        q.fetch_all(p).await
    })?;
    Ok(rows)
}

/// The regions present on a crisis's board (for the filter).
pub async fn regions(db: &Db, crisis_id: &str) -> Result<Vec<String>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_scalar(
            "SELECT DISTINCT region FROM crisis_checkins WHERE crisis_id = $1 AND is_current = $2 ORDER BY region",
        )
        .bind(crisis_id)
        .bind(true)
        .fetch_all(p)
        .await
    })?)
}

/// Someone who has not answered their current check-in yet.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NonResponder {
    pub checkin_id: String,
    pub alert_id: Option<String>,
    pub registration_id: String,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub lang: String,
    pub channels: String,
}

/// People whose current check-in in the crisis, made before `before`, is still waiting and
/// has had no reminder, and who have no emergency case still open.
pub async fn non_responders(
    db: &Db,
    crisis_id: &str,
    alert_id: &str,
    before: DateTime<Utc>,
) -> Result<Vec<NonResponder>, StoreError> {
    // The round of one alert reminds of that alert's check-ins still current (a later alert's
    // people are reminded by its own round, its delay after it), while the crisis is open and
    // no Cancel of the alert's thread went out (a reminder after "this no longer applies"
    // would ask people to answer what was withdrawn; a Cancel sent from the original's page
    // ends its Updates too), nor once the alert has expired. Someone whose emergency case,
    // carried from an earlier "need help" to this check-in, is still open is not told that
    // nobody has heard from them: the mission is working on their case.
    if crate::crisis::alerts::thread_cancelled(db, alert_id).await? {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT c.id AS checkin_id, c.alert_id, c.registration_id, r.full_name, r.email, r.phone, r.lang, r.channels \
         FROM crisis_checkins c JOIN crisis_registrations r ON r.id = c.registration_id \
         JOIN crises k ON k.id = c.crisis_id JOIN crisis_alerts a ON a.id = c.alert_id \
         WHERE c.crisis_id = $1 AND c.alert_id = $4 AND c.is_current = $2 AND c.status = 'waiting' \
         AND c.reminded_at IS NULL AND c.created_at <= $3 AND k.status = 'open' \
         AND (a.expires IS NULL OR a.expires > $3) \
         AND NOT EXISTS (SELECT 1 FROM cases e WHERE e.id = c.case_id AND e.state IN {}) \
         ORDER BY c.id",
        CaseState::OPEN_STATES_SQL
    );
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as(AssertSqlSafe(sql.as_str()))
        .bind(crisis_id)
        .bind(true)
        .bind(before)
        .bind(alert_id)
        .fetch_all(p)
        .await
    })?)
}

/// Marks a reminder sent; `false` when it already was (the reminder goes out once).
pub async fn mark_reminded(tx: &mut Tx, id: &str) -> Result<bool, StoreError> {
    let n = with_tx!(tx, c => {
        sqlx::query("UPDATE crisis_checkins SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL")
            .bind(id)
            .bind(now())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Answered check-ins with a location, for the GeoJSON export.
pub async fn located(db: &Db, crisis_id: &str) -> Result<Vec<BoardRow>, StoreError> {
    let rows = list(
        db,
        crisis_id,
        &BoardFilter {
            sort: BoardSort::Name,
            ..BoardFilter::default()
        },
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter(|r| r.lat.is_some() && r.lon.is_some() && r.answered_at.is_some())
        .collect())
}

/// A person read from a PFIF document, as a presence registration of the crisis.
#[derive(Debug, Clone)]
pub struct ImportedPerson {
    pub person_record_id: String,
    pub source_url: String,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub lang: String,
    pub country: String,
    pub region: String,
    pub city: String,
    /// The status of the person's latest note (`None`: no answer yet, `waiting`).
    pub status: Option<CheckinStatus>,
    pub note: String,
    pub point: Option<(f64, f64)>,
    pub answered_at: Option<DateTime<Utc>>,
}

/// Whether `registration_id` is on the board of `crisis_id` (has a check-in of it): a record
/// of this site's own PFIF export read back into the crisis it came from.
pub async fn on_board(
    tx: &mut Tx,
    crisis_id: &str,
    registration_id: &str,
) -> Result<bool, StoreError> {
    let found: Option<String> = with_tx!(tx, c => {
        sqlx::query_scalar("SELECT id FROM crisis_checkins WHERE crisis_id = $1 AND registration_id = $2 LIMIT 1")
            .bind(crisis_id)
            .bind(registration_id)
            .fetch_optional(c)
            .await
    })?;
    Ok(found.is_some())
}

/// Puts a confirmed presence registration on its crisis's board: a current check-in of the
/// crisis without an alert (as an imported person's), `waiting` (no answer yet), in the region
/// of its place (one in the crisis country first), unless the registration already has a
/// current check-in there. Returns whether one was made. Called in the transaction that marks
/// the registration verified; a later alert of the crisis supersedes it as any earlier
/// check-in. A registration of no crisis (a residence, a trip) is left as it is.
pub async fn place_on_board(tx: &mut Tx, registration_id: &str) -> Result<bool, StoreError> {
    let crisis: Option<Option<String>> = with_tx!(tx, c => {
        sqlx::query_scalar("SELECT crisis_id FROM crisis_registrations WHERE id = $1 AND kind = 'presence'")
            .bind(registration_id)
            .fetch_optional(c)
            .await
    })?;
    let Some(crisis_id) = crisis.flatten() else {
        return Ok(false);
    };
    // Takes turns with the crisis's fan-outs, which read the people's current check-ins
    // before writing their own (see `create_batch`).
    lock_crisis(tx, &crisis_id, FANOUT_LOCK).await?;
    let region: Option<String> = with_tx!(tx, c => {
        sqlx::query_scalar(
            "SELECT p.region FROM crisis_places p WHERE p.registration_id = $1 \
             ORDER BY CASE WHEN p.country = (SELECT k.country FROM crises k WHERE k.id = $2) THEN 0 ELSE 1 END, p.id \
             LIMIT 1",
        )
        .bind(registration_id)
        .bind(&crisis_id)
        .fetch_optional(c)
        .await
    })?;
    let n = with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO crisis_checkins (id, alert_id, crisis_id, registration_id, status, note, created_at, region, is_current) \
             SELECT $1, NULL, $2, $3, 'waiting', '', $4, $5, $6 WHERE NOT EXISTS \
             (SELECT 1 FROM crisis_checkins WHERE registration_id = $3 AND crisis_id = $2 AND is_current = $6)",
        )
        .bind(new_id())
        .bind(&crisis_id)
        .bind(registration_id)
        .bind(now())
        .bind(region.unwrap_or_default())
        .bind(true)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// The first key of the advisory locks of PFIF imports into a crisis.
const IMPORT_LOCK: i32 = 7261012;
/// The first key of the advisory locks of check-ins written by fan-outs in a crisis.
const FANOUT_LOCK: i32 = 7261013;

/// On PostgreSQL, a transaction-scoped advisory lock of `crisis_id` in the key space `kind`
/// (the crisis id hashed): the transactions that take it for one crisis take turns. SQLite
/// runs one writing transaction at a time already.
async fn lock_crisis(tx: &mut Tx, crisis_id: &str, kind: i32) -> Result<(), StoreError> {
    if tx.backend() == Backend::Postgres {
        with_tx!(tx, c => {
            sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
                .bind(kind)
                .bind(crisis_id)
                .execute(c)
                .await
                .map(|_| ())
        })?;
    }
    Ok(())
}

/// Makes the imports into `crisis_id` wait for each other until this transaction ends. Two
/// imports of one document sent at once would otherwise both find its people new on
/// PostgreSQL, and the second would break on the unique record id.
pub async fn lock_imports(tx: &mut Tx, crisis_id: &str) -> Result<(), StoreError> {
    lock_crisis(tx, crisis_id, IMPORT_LOCK).await
}

/// What [`import_person`] did with one person of a PFIF document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    /// New on the board.
    Added,
    /// Imported before; their current check-in took the document's newer answer.
    Updated,
    /// Imported before, and the document says nothing newer.
    Unchanged,
}

/// Adds an imported person to the crisis: a presence registration (verified by the source,
/// flagged as imported), its place, and a current check-in with the status of their notes.
/// The registration is purged at `purge_after`, as one made on the presence form that day. A
/// PFIF record imported before is not added again; its answer updates the person's current
/// check-in when it is newer than the answer there (see [`Imported`]).
pub async fn import_person(
    tx: &mut Tx,
    crisis_id: &str,
    imported_by: Option<&str>,
    p: &ImportedPerson,
    purge_after: Option<DateTime<Utc>>,
) -> Result<Imported, StoreError> {
    let exists: Option<String> = with_tx!(tx, c => {
        sqlx::query_scalar("SELECT registration_id FROM crisis_imports WHERE crisis_id = $1 AND person_record_id = $2")
            .bind(crisis_id)
            .bind(&p.person_record_id)
            .fetch_optional(c)
            .await
    })?;
    if let Some(registration) = exists {
        return answer_again(tx, crisis_id, &registration, p).await;
    }
    let t = now();
    let reg = new_id();
    let channels = match (&p.email, &p.phone) {
        (Some(_), Some(_)) => "email,sms",
        (None, Some(_)) => "sms",
        _ => "email",
    };
    with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO crisis_registrations (id, user_id, kind, crisis_id, full_name, email, phone, lang, channels, companions, \
             adults, children, elderly, medical, vulnerability_note, emergency_name, emergency_phone, emergency_email, verified_at, \
             verify_code_hash, verify_attempts, consent_at, created_at, updated_at, purge_after, full_name_key) \
             VALUES ($1, NULL, 'presence', $2, $3, $4, $5, $6, $7, '[]', 1, 0, $8, $8, '', '', '', '', $9, NULL, 0, $9, $9, $9, $11, $10)",
        )
        .bind(&reg)
        .bind(crisis_id)
        .bind(&p.full_name)
        .bind(&p.email)
        .bind(&p.phone)
        .bind(&p.lang)
        .bind(channels)
        .bind(false)
        .bind(t)
        .bind(name_key(&p.full_name))
        .bind(purge_after)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO crisis_places (id, registration_id, country, region, city, lat, lon, starts_on, ends_on) \
             VALUES ($1, $2, $3, $4, $5, NULL, NULL, NULL, NULL)",
        )
        .bind(new_id())
        .bind(&reg)
        .bind(&p.country)
        .bind(&p.region)
        .bind(&p.city)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO crisis_imports (registration_id, crisis_id, person_record_id, source_url, imported_by, imported_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&reg)
        .bind(crisis_id)
        .bind(&p.person_record_id)
        .bind(&p.source_url)
        .bind(imported_by)
        .bind(t)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    let status = p.status.unwrap_or(CheckinStatus::Waiting);
    let (lat, lon) = p.point.map_or((None, None), |(a, b)| (Some(a), Some(b)));
    with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO crisis_checkins (id, alert_id, crisis_id, registration_id, status, note, lat, lon, created_at, answered_at, region, is_current) \
             VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(new_id())
        .bind(crisis_id)
        .bind(&reg)
        .bind(status.as_str())
        .bind(&p.note)
        .bind(lat)
        .bind(lon)
        .bind(t)
        // A note dated in the future (a wrong clock at the source) is taken as answered now.
        .bind(if status.is_answer() { Some(p.answered_at.unwrap_or(t).min(t)) } else { None })
        .bind(&p.region)
        .bind(true)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(Imported::Added)
}

/// A person imported before, read again: an answer of the document replaces the one of their
/// current check-in when it is dated after it. A note older than the question of a later alert
/// does not answer that question; a note without an answer or a date changes nothing, as on the
/// first import, and so does one dated in the future (a wrong clock at the source): read again
/// at every import, it would otherwise pass for newer than any answer given since.
async fn answer_again(
    tx: &mut Tx,
    crisis_id: &str,
    registration_id: &str,
    p: &ImportedPerson,
) -> Result<Imported, StoreError> {
    let (Some(status), Some(at)) = (p.status.filter(|s| s.is_answer()), p.answered_at) else {
        return Ok(Imported::Unchanged);
    };
    if at > now() {
        return Ok(Imported::Unchanged);
    }
    type Current = (String, Option<DateTime<Utc>>, DateTime<Utc>, Option<String>);
    let current: Option<Current> = with_tx!(tx, c => {
        sqlx::query_as(
            "SELECT id, answered_at, created_at, alert_id FROM crisis_checkins \
             WHERE crisis_id = $1 AND registration_id = $2 AND is_current = $3 \
             ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind(crisis_id)
        .bind(registration_id)
        .bind(true)
        .fetch_optional(c)
        .await
    })?;
    let Some((id, answered_at, asked_at, alert_id)) = current else {
        return Ok(Imported::Unchanged);
    };
    if answered_at.is_some_and(|before| before >= at) || (alert_id.is_some() && at < asked_at) {
        return Ok(Imported::Unchanged);
    }
    let (lat, lon) = p.point.map_or((None, None), |(a, b)| (Some(a), Some(b)));
    with_tx!(tx, c => {
        sqlx::query(
            "UPDATE crisis_checkins SET status = $2, note = $3, lat = COALESCE($4, lat), lon = COALESCE($5, lon), \
             answered_at = $6 WHERE id = $1",
        )
        .bind(&id)
        .bind(status.as_str())
        .bind(&p.note)
        .bind(lat)
        .bind(lon)
        .bind(at)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(Imported::Updated)
}

/// Who a check-in is for and what it is about (the public page, the SMS reply, the case).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CheckinContext {
    pub registration_id: String,
    pub user_id: Option<String>,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub lang: String,
    pub kind: String,
    /// The mission of the alert (or of the crisis, for imported people).
    pub mission_id: Option<String>,
    pub crisis_title_ar: Option<String>,
    pub crisis_title_en: Option<String>,
    pub headline_ar: Option<String>,
    pub headline_en: Option<String>,
    /// That mission's telephone, given to someone who answers that they need help.
    pub mission_phone: Option<String>,
    /// That mission's clock (an IANA zone), which the person's page tells time on.
    pub mission_time_zone: Option<String>,
}

pub async fn context(db: &Db, checkin: &Checkin) -> Result<CheckinContext, StoreError> {
    with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT r.id AS registration_id, r.user_id, r.full_name, r.email, r.phone, r.lang, r.kind, \
             COALESCE(a.mission_id, cr.mission_id) AS mission_id, cr.title_ar AS crisis_title_ar, cr.title_en AS crisis_title_en, \
             a.headline_ar, a.headline_en, m.phone AS mission_phone, m.time_zone AS mission_time_zone \
             FROM crisis_registrations r LEFT JOIN crisis_alerts a ON a.id = $2 LEFT JOIN crises cr ON cr.id = $3 \
             LEFT JOIN missions m ON m.id = COALESCE(a.mission_id, cr.mission_id) \
             WHERE r.id = $1",
        )
        .bind(&checkin.registration_id)
        .bind(&checkin.alert_id)
        .bind(&checkin.crisis_id)
        .fetch_optional(p)
        .await
    })?
    .ok_or(StoreError::NotFound)
}

/// The emergency cases opened by a registration's "need help" answers, oldest first, each once
/// (a case passes to the person's check-ins of later alerts): `(check-in id, case id)`, the
/// check-in the earliest linked to it, the one whose answer opened it.
pub async fn cases_of_registration(
    db: &Db,
    registration_id: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT MIN(id), case_id FROM crisis_checkins WHERE registration_id = $1 AND case_id IS NOT NULL \
             GROUP BY case_id ORDER BY MIN(created_at), MIN(id)",
        )
        .bind(registration_id)
        .fetch_all(p)
        .await
    })?)
}

/// The person's current check-in in the crisis of `checkin` (itself when it is current).
pub async fn current_of(db: &Db, checkin: Checkin) -> Result<Checkin, StoreError> {
    if checkin.is_current || checkin.crisis_id.is_none() {
        return Ok(checkin);
    }
    let current: Option<Checkin> = with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT * FROM crisis_checkins WHERE registration_id = $1 AND crisis_id = $2 AND is_current = $3 \
             ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind(&checkin.registration_id)
        .bind(&checkin.crisis_id)
        .bind(true)
        .fetch_optional(p)
        .await
    })?;
    Ok(current.unwrap_or(checkin))
}

/// What the welfare board needs to know about its crisis.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BoardCrisis {
    pub id: String,
    pub mission_id: String,
    pub title_ar: String,
    pub title_en: String,
    pub country: String,
    pub status: String,
}

pub async fn board_crisis(db: &Db, crisis_id: &str) -> Result<Option<BoardCrisis>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as("SELECT id, mission_id, title_ar, title_en, country, status FROM crises WHERE id = $1")
            .bind(crisis_id)
            .fetch_optional(p)
            .await
    })?)
}

/// One answer to record with [`answer_batch`].
#[derive(Debug, Clone)]
pub struct NewAnswer {
    /// The check-in the person's link names.
    pub id: String,
    pub status: CheckinStatus,
    pub note: String,
    pub point: Option<(f64, f64)>,
}

/// The answer in one statement: the target is the link's check-in, or, when that one is no
/// longer current, the person's current check-in in the same crisis (newest first).
const ANSWER_SQL: &str = "UPDATE crisis_checkins SET status = $2, note = $3, \
     lat = COALESCE($4, lat), lon = COALESCE($5, lon), answered_at = $6 \
     WHERE id = COALESCE((SELECT c.id FROM crisis_checkins l JOIN crisis_checkins c \
     ON c.registration_id = l.registration_id AND c.crisis_id = l.crisis_id \
     WHERE l.id = $1 AND l.is_current = $7 AND c.is_current = $8 \
     ORDER BY c.created_at DESC, c.id DESC LIMIT 1), $1) \
     RETURNING *";

/// Records several answers in one write transaction, in order (a later answer to the same
/// check-in wins), each as [`answer`] would. The outer error is the transaction's (nothing
/// was recorded); the inner ones are each answer's own: `Conflict` for a status that is not
/// an answer, `NotFound` for an unknown check-in.
pub async fn answer_batch(
    db: &Db,
    answers: &[NewAnswer],
) -> Result<Vec<Result<Answered, StoreError>>, StoreError> {
    if let crate::Pool::Postgres(pool) = db.write() {
        // No transaction: the read of the targets writes nothing, and the one UPDATE that
        // writes every answer commits on its own (two round trips instead of four).
        let mut c = pool.acquire().await?;
        return answer_group_postgres(&mut c, answers).await;
    }
    let mut tx = db.begin().await?;
    let mut out = Vec::with_capacity(answers.len());
    for a in answers {
        if !a.status.is_answer() {
            out.push(Err(StoreError::Conflict("status")));
            continue;
        }
        let (lat, lon) = a
            .point
            .map_or((None, None), |(lat, lon)| (Some(lat), Some(lon)));
        let row: Option<Checkin> = with_tx!(&mut tx, c => {
            sqlx::query_as(ANSWER_SQL)
                .bind(&a.id)
                .bind(a.status.as_str())
                .bind(&a.note)
                .bind(lat)
                .bind(lon)
                .bind(now())
                .bind(false)
                .bind(true)
                .fetch_optional(c)
                .await
        })?;
        out.push(row.ok_or(StoreError::NotFound).map(|checkin| Answered {
            redirected: checkin.id != a.id,
            checkin,
        }));
    }
    tx.commit().await?;
    Ok(out)
}

/// Where each link of a batch lands, as [`ANSWER_SQL`] picks it: (link, target, the target's
/// location before the batch).
const TARGETS_SQL: &str = "SELECT l.id, t.id, t.lat, t.lon, t.is_current FROM crisis_checkins l \
     LEFT JOIN LATERAL (SELECT c.id FROM crisis_checkins c WHERE NOT l.is_current \
     AND c.registration_id = l.registration_id AND c.crisis_id = l.crisis_id AND c.is_current \
     ORDER BY c.created_at DESC, c.id DESC LIMIT 1) n ON TRUE \
     JOIN crisis_checkins t ON t.id = COALESCE(n.id, l.id) \
     WHERE l.id = ANY($1)";

/// A row of [`TARGETS_SQL`]: link, target, the target's location, whether it is current.
type TargetRow = (String, String, Option<f64>, Option<f64>, bool);

/// Every target's final answer in one statement (each target once, in id order), where the
/// target is still as current as the read found it: a fan-out that superseded it meanwhile
/// (its transaction held the row, this statement waited for it) leaves it out, and the answer
/// is read again for the new current check-in.
const GROUP_ANSWER_SQL: &str = "UPDATE crisis_checkins c SET status = u.status, note = u.note, \
     lat = COALESCE(u.lat, c.lat), lon = COALESCE(u.lon, c.lon), answered_at = $6 \
     FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $7::bool[]) \
     AS u(id, status, note, lat, lon, is_current) WHERE c.id = u.id AND c.is_current = u.is_current \
     RETURNING c.*";

/// One target's answer as it stands after some of the batch: what [`ANSWER_SQL`] would have
/// left in the row had the answers so far been recorded one by one.
#[derive(Clone)]
struct Pending<'a> {
    status: &'a str,
    note: &'a str,
    lat: Option<f64>,
    lon: Option<f64>,
}

/// [`answer_batch`] on PostgreSQL, where each statement is a round trip to the server: the
/// targets of all the links in one read, then every target's last answer in one UPDATE,
/// which is the only write and so commits all of the group or none of it. The
/// answers are replayed in order in memory first (a later answer to the same check-in wins; a
/// location is kept until an answer brings a new one, as `COALESCE` does one by one), and each
/// answer's reply is the row as it stood just after that answer.
async fn answer_group_postgres(
    c: &mut sqlx::PgConnection,
    answers: &[NewAnswer],
) -> Result<Vec<Result<Answered, StoreError>>, StoreError> {
    let (mut out, mut again) = answer_group_postgres_once(c, answers).await?;
    // Answers whose target a fan-out superseded between the read and the write go again, to
    // the person's new current check-in (a few times at most: each round needs another
    // alert's fan-out committing in between).
    for _ in 0..3 {
        if again.is_empty() {
            break;
        }
        let retry: Vec<NewAnswer> = again.iter().map(|&i| answers[i].clone()).collect();
        let (results, still) = answer_group_postgres_once(c, &retry).await?;
        for (k, result) in results.into_iter().enumerate() {
            out[again[k]] = result;
        }
        again = still.into_iter().map(|k| again[k]).collect();
    }
    Ok(out)
}

/// One round of [`answer_group_postgres`]: the answers' results, and the positions of those
/// whose target stopped or started being current between the read and the write (their
/// results are `NotFound` until they go again).
async fn answer_group_postgres_once(
    c: &mut sqlx::PgConnection,
    answers: &[NewAnswer],
) -> Result<(Vec<Result<Answered, StoreError>>, Vec<usize>), StoreError> {
    let links: Vec<&str> = answers
        .iter()
        .filter(|a| a.status.is_answer())
        .map(|a| a.id.as_str())
        .collect();
    if links.is_empty() {
        let refused = answers
            .iter()
            .map(|_| Err(StoreError::Conflict("status")))
            .collect();
        return Ok((refused, Vec::new()));
    }
    let found: Vec<TargetRow> = sqlx::query_as(TARGETS_SQL)
        .bind(&links)
        .fetch_all(&mut *c)
        .await?;
    let target_of: std::collections::HashMap<&str, (&str, Option<f64>, Option<f64>)> = found
        .iter()
        .map(|(link, target, lat, lon, _)| (link.as_str(), (target.as_str(), *lat, *lon)))
        .collect();
    let current_of: std::collections::HashMap<&str, bool> = found
        .iter()
        .map(|(_, target, _, _, current)| (target.as_str(), *current))
        .collect();
    // Replay: the state of each target after each answer.
    let mut state: BTreeMap<&str, Pending> = BTreeMap::new();
    let mut steps: Vec<Result<(&str, Pending), StoreError>> = Vec::with_capacity(answers.len());
    for a in answers {
        if !a.status.is_answer() {
            steps.push(Err(StoreError::Conflict("status")));
            continue;
        }
        let Some(&(target, lat, lon)) = target_of.get(a.id.as_str()) else {
            steps.push(Err(StoreError::NotFound));
            continue;
        };
        let now = state.entry(target).or_insert(Pending {
            status: "",
            note: "",
            lat,
            lon,
        });
        now.status = a.status.as_str();
        now.note = &a.note;
        if let Some((lat, lon)) = a.point {
            now.lat = Some(lat);
            now.lon = Some(lon);
        }
        steps.push(Ok((target, now.clone())));
    }
    let mut ids = Vec::with_capacity(state.len());
    let mut statuses = Vec::with_capacity(state.len());
    let mut notes = Vec::with_capacity(state.len());
    let mut lats = Vec::with_capacity(state.len());
    let mut lons = Vec::with_capacity(state.len());
    let mut currents = Vec::with_capacity(state.len());
    for (id, p) in &state {
        ids.push(*id);
        statuses.push(p.status);
        notes.push(p.note);
        lats.push(p.lat);
        lons.push(p.lon);
        currents.push(current_of.get(id).copied().unwrap_or(false));
    }
    let rows: Vec<Checkin> = if ids.is_empty() {
        Vec::new()
    } else {
        sqlx::query_as(GROUP_ANSWER_SQL)
            .bind(&ids)
            .bind(&statuses)
            .bind(&notes)
            .bind(&lats)
            .bind(&lons)
            .bind(now())
            .bind(&currents)
            .fetch_all(&mut *c)
            .await?
    };
    let rows: std::collections::HashMap<&str, &Checkin> =
        rows.iter().map(|r| (r.id.as_str(), r)).collect();
    // A target left out although it still exists changed its current-ness meanwhile: its
    // answers go again. One deleted between the two statements (a purge) is as if it had
    // never been there.
    let missing: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|id| !rows.contains_key(id))
        .collect();
    let still_there: std::collections::HashSet<String> = if missing.is_empty() {
        Default::default()
    } else {
        sqlx::query_scalar::<_, String>("SELECT id FROM crisis_checkins WHERE id = ANY($1)")
            .bind(&missing)
            .fetch_all(&mut *c)
            .await?
            .into_iter()
            .collect()
    };
    let again: Vec<usize> = steps
        .iter()
        .enumerate()
        .filter(|(_, step)| matches!(step, Ok((t, _)) if still_there.contains(*t)))
        .map(|(i, _)| i)
        .collect();
    let results = answers
        .iter()
        .zip(steps)
        .map(|(a, step)| {
            let (target, p) = step?;
            let row = rows.get(target).ok_or(StoreError::NotFound)?;
            let mut checkin = (*row).clone();
            checkin.status = p.status.to_owned();
            checkin.note = p.note.to_owned();
            checkin.lat = p.lat;
            checkin.lon = p.lon;
            Ok(Answered {
                redirected: checkin.id != a.id,
                checkin,
            })
        })
        .collect();
    Ok((results, again))
}

/// The check-in a personal link names with who and what it is about, in one read.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkedCheckin {
    #[sqlx(flatten)]
    pub checkin: Checkin,
    #[sqlx(flatten)]
    pub context: CheckinContext,
}

pub async fn find_with_context(db: &Db, id: &str) -> Result<LinkedCheckin, StoreError> {
    with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT c.*, r.user_id, r.full_name, r.email, r.phone, r.lang, r.kind, \
             COALESCE(a.mission_id, cr.mission_id) AS mission_id, cr.title_ar AS crisis_title_ar, \
             cr.title_en AS crisis_title_en, a.headline_ar, a.headline_en, m.phone AS mission_phone, m.time_zone AS mission_time_zone \
             FROM crisis_checkins c JOIN crisis_registrations r ON r.id = c.registration_id \
             LEFT JOIN crisis_alerts a ON a.id = c.alert_id LEFT JOIN crises cr ON cr.id = c.crisis_id \
             LEFT JOIN missions m ON m.id = COALESCE(a.mission_id, cr.mission_id) \
             WHERE c.id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await
    })?
    .ok_or(StoreError::NotFound)
}

/// The time `create_batch` spent in each of its steps, at debug level (the fan-out's profile).
fn log_steps(
    people: usize,
    supersede: std::time::Duration,
    regions: std::time::Duration,
    insert: std::time::Duration,
) {
    tracing::debug!(
        people,
        supersede_us = supersede.as_micros() as u64,
        regions_us = regions.as_micros() as u64,
        insert_us = insert.as_micros() as u64,
        "check-in batch steps"
    );
}

/// Those of `ids` whose current check-in in the crisis belongs to another alert (or to none:
/// an imported person's), so a new check-in supersedes it.
async fn with_earlier_checkin(
    tx: &mut Tx,
    alert_id: &str,
    crisis_id: &str,
    ids: &[&str],
) -> Result<Vec<(String, Option<String>)>, StoreError> {
    let condition = "crisis_id = $1 AND is_current = $2 AND (alert_id IS NULL OR alert_id <> $3)";
    // One current check-in per person in a crisis; grouped all the same, its case with it.
    let select = "SELECT registration_id, MAX(case_id) FROM crisis_checkins";
    Ok(match tx {
        Tx::Sqlite(c) => {
            let sql = format!(
                "{select} WHERE {condition} AND registration_id IN ({}) GROUP BY registration_id",
                placeholders(4, ids.len())
            );
            let mut q = sqlx::query_as(AssertSqlSafe(sql))
                .bind(crisis_id)
                .bind(true)
                .bind(alert_id);
            for id in ids {
                q = q.bind(*id);
            }
            q.fetch_all(&mut **c).await?
        }
        Tx::Postgres(c) => {
            let sql = format!(
                "{select} WHERE {condition} AND registration_id = ANY($4) GROUP BY registration_id"
            );
            sqlx::query_as(AssertSqlSafe(sql))
                .bind(crisis_id)
                .bind(true)
                .bind(alert_id)
                .bind(ids)
                .fetch_all(&mut **c)
                .await?
        }
    })
}

/// Turns the current check-ins of these people in the crisis, other than this alert's, into
/// past ones (unanswered ones become `superseded`).
async fn supersede(
    tx: &mut Tx,
    alert_id: &str,
    crisis_id: &str,
    ids: &[String],
) -> Result<(), StoreError> {
    let set = "UPDATE crisis_checkins SET is_current = $1, \
               status = CASE WHEN status = 'waiting' THEN 'superseded' ELSE status END \
               WHERE crisis_id = $2 AND is_current = $3 AND (alert_id IS NULL OR alert_id <> $4)";
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        match tx {
            Tx::Sqlite(c) => {
                let sql = format!(
                    "{set} AND registration_id IN ({})",
                    placeholders(5, chunk.len())
                );
                let mut q = sqlx::query(AssertSqlSafe(sql))
                    .bind(false)
                    .bind(crisis_id)
                    .bind(true)
                    .bind(alert_id);
                for id in chunk {
                    q = q.bind(id.as_str());
                }
                q.execute(&mut **c).await?;
            }
            Tx::Postgres(c) => {
                sqlx::query(AssertSqlSafe(format!(
                    "{set} AND registration_id = ANY($5)"
                )))
                .bind(false)
                .bind(crisis_id)
                .bind(true)
                .bind(alert_id)
                .bind(chunk)
                .execute(&mut **c)
                .await?;
            }
        }
    }
    Ok(())
}

/// Every place of these registrations: (registration, country, region), in id order.
async fn places_of(tx: &mut Tx, ids: &[&str]) -> Result<Vec<(String, String, String)>, StoreError> {
    let columns = "SELECT registration_id, country, region FROM crisis_places";
    Ok(match tx {
        Tx::Sqlite(c) => {
            let sql = format!(
                "{columns} WHERE registration_id IN ({}) ORDER BY id",
                placeholders(1, ids.len())
            );
            let mut q = sqlx::query_as(AssertSqlSafe(sql));
            for id in ids {
                q = q.bind(*id);
            }
            q.fetch_all(&mut **c).await?
        }
        Tx::Postgres(c) => {
            sqlx::query_as(AssertSqlSafe(format!(
                "{columns} WHERE registration_id = ANY($1) ORDER BY id"
            )))
            .bind(ids)
            .fetch_all(&mut **c)
            .await?
        }
    })
}
