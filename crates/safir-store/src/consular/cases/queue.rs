//! The officers' view of cases: a filtered, keyset-paged queue and the SLA board.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use safir_domain::consular::case::{CaseKind, CaseState, Priority};
use sqlx::AssertSqlSafe;

use crate::{Db, StoreError, with_pool};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AssigneeFilter {
    #[default]
    Any,
    Unassigned,
    User(String),
}

/// What an officer asks the queue for. Empty `states` means every state past the draft that
/// still needs the mission, or, with a search, every state past the draft: an officer looking
/// for a reference or a name looks for the case whatever became of it.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub mission_id: String,
    pub states: Vec<CaseState>,
    pub kind: Option<CaseKind>,
    pub service_id: Option<String>,
    pub priority: Option<Priority>,
    pub assignee: AssigneeFilter,
    /// Only open cases whose deadline passed before this instant.
    pub breached_at: Option<DateTime<Utc>>,
    /// Only cases submitted before this instant (older than N days).
    pub submitted_before: Option<DateTime<Utc>>,
    /// Only cases where a message of the applicant waits for the mission's reply.
    pub awaiting_reply: bool,
    /// A reference, or part of the applicant's name.
    pub search: Option<String>,
    /// Keyset cursor: the last row of the previous page.
    pub after: Option<(i32, DateTime<Utc>, String)>,
    pub limit: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct QueueRow {
    pub id: String,
    pub reference: Option<String>,
    pub kind: String,
    pub state: String,
    pub priority: i32,
    pub applicant_name: String,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    pub service_name_ar: String,
    pub service_name_en: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub state_changed_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub escalation_level: i32,
    /// Ready, and going to the applicant by courier rather than waiting for collection.
    pub courier: bool,
    /// Since when a message of the applicant waits for the mission's reply.
    pub awaiting_reply_since: Option<DateTime<Utc>>,
}

/// The open states. The partial index `cases_open_queue` repeats this list word for word (a
/// planner uses a partial index only when the query states its predicate): change both.
const OPEN: &str = "('submitted', 'in_review', 'needs_info', 'approved', 'ready_for_collection')";
/// The states in which an applicant's message may wait for the mission: every state a
/// submitted case can be in but closed.
const AWAITING: &str = "NOT IN ('draft', 'closed')";

/// The WHERE clause and its text arguments, in placeholder order.
fn conditions(f: &QueueFilter) -> (String, Vec<Arg>) {
    let mut sql = String::from("c.mission_id = $1");
    let mut args = vec![Arg::Text(f.mission_id.clone())];
    let next = |args: &mut Vec<Arg>, a: Arg| {
        args.push(a);
        format!("${}", args.len())
    };
    let searching = f.search.as_deref().is_some_and(|q| !q.trim().is_empty());
    if f.states.is_empty() && searching {
        sql.push_str(" AND c.state <> 'draft'");
    } else if f.states.is_empty() && f.awaiting_reply {
        // A refused or withdrawn case's applicant may still write (to ask why, to say they
        // will apply again): such a message waits for the mission as any other.
        sql.push_str(&format!(" AND c.state {AWAITING}"));
    } else if f.states.is_empty() {
        sql.push_str(&format!(" AND c.state IN {OPEN}"));
    } else {
        let list: Vec<String> = f
            .states
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        sql.push_str(&format!(" AND c.state IN ({})", list.join(", ")));
    }
    if let Some(k) = f.kind {
        let p = next(&mut args, Arg::Text(k.as_str().to_owned()));
        sql.push_str(&format!(" AND c.kind = {p}"));
    }
    if let Some(s) = &f.service_id {
        let p = next(&mut args, Arg::Text(s.clone()));
        sql.push_str(&format!(" AND c.service_id = {p}"));
    }
    if let Some(pr) = f.priority {
        let p = next(&mut args, Arg::Int(pr.rank()));
        sql.push_str(&format!(" AND c.priority = {p}"));
    }
    match &f.assignee {
        AssigneeFilter::Any => {}
        AssigneeFilter::Unassigned => sql.push_str(" AND c.assignee_id IS NULL"),
        AssigneeFilter::User(u) => {
            let p = next(&mut args, Arg::Text(u.clone()));
            sql.push_str(&format!(" AND c.assignee_id = {p}"));
        }
    }
    if let Some(t) = f.breached_at {
        let p = next(&mut args, Arg::Time(t));
        let due = CaseState::DUE_STATES_SQL;
        sql.push_str(&format!(" AND c.state IN {due} AND c.due_at < {p}"));
    }
    if let Some(t) = f.submitted_before {
        let p = next(&mut args, Arg::Time(t));
        sql.push_str(&format!(" AND c.submitted_at < {p}"));
    }
    if f.awaiting_reply {
        sql.push_str(" AND c.awaiting_reply_since IS NOT NULL");
    }
    if let Some(q) = f.search.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        // A reference (whole or its end: `2026-000123`, `123`), or the words of a name in
        // any order. Text that is no reference is only a name: its `%` and `_` are letters.
        let reference = reference_pattern(q).map(|r| {
            let r = next(&mut args, Arg::Text(r));
            format!("c.reference LIKE {r} OR ")
        });
        let name = crate::name_key::all_words("c.applicant_name_key", q, |w| {
            next(&mut args, Arg::Text(w))
        });
        let reference = reference.unwrap_or_default();
        sql.push_str(&format!(" AND ({reference}({name}))"));
    }
    (sql, args)
}

/// What an officer types of a reference (`PAR-2026-000123`), as a `LIKE` pattern: the whole
/// reference, the year and number (`2026-000123`), or the number alone with or without its
/// zeros (`000123`, `123`, `١٢٣`). `None` for anything else, such as a name.
fn reference_pattern(q: &str) -> Option<String> {
    let q = safir_domain::ascii_number(q.trim()).to_ascii_uppercase();
    let digits = |s: &str, len: std::ops::RangeInclusive<usize>| {
        len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    let parts: Vec<&str> = q.split('-').collect();
    let (mission, year, number) = match parts.as_slice() {
        [n] => ("%", "%", *n),
        [y, n] if digits(y, 4..=4) => ("%", *y, *n),
        [m, y, n]
            if m.len() <= 16
                && m.bytes().all(|b| b.is_ascii_alphanumeric())
                && digits(y, 4..=4) =>
        {
            (*m, *y, *n)
        }
        _ => return None,
    };
    if !digits(number, 1..=12) {
        return None;
    }
    let number: u64 = number.parse().ok()?;
    Some(format!("{mission}-{year}-{number:06}"))
}

#[derive(Debug, Clone)]
enum Arg {
    Text(String),
    Int(i32),
    Time(DateTime<Utc>),
}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Int(i) => q.bind(*i),
                Arg::Time(t) => q.bind(*t),
            };
        }
        q
    }};
}

/// Whether a row is ready and goes by courier: the form's `collection` as the application
/// writes it (compact JSON; a quote inside a value is escaped, so no value can imitate it).
const COURIER: &str =
    "(c.state = 'ready_for_collection' AND c.form LIKE '%\"collection\":\"courier\"%')";

/// The page statement and its arguments in placeholder order.
fn queue_statement(f: &QueueFilter) -> (String, Vec<Arg>) {
    let (mut cond, mut args) = conditions(f);
    if let Some((pr, at, id)) = &f.after {
        args.push(Arg::Int(*pr));
        let a = args.len();
        args.push(Arg::Time(*at));
        args.push(Arg::Text(id.clone()));
        cond.push_str(&format!(
            " AND (c.priority, c.submitted_at, c.id) > (${a}, ${}, ${})",
            a + 1,
            a + 2
        ));
    }
    args.push(Arg::Int(f.limit.clamp(1, 500) as i32));
    let sql = format!(
        "SELECT c.id, c.reference, c.kind, c.state, c.priority, c.applicant_name, c.assignee_id, u.display_name AS assignee_name, \
         s.name_ar AS service_name_ar, s.name_en AS service_name_en, c.submitted_at, c.state_changed_at, c.due_at, c.escalation_level, \
         {COURIER} AS courier, c.awaiting_reply_since \
         FROM cases c JOIN consular_services s ON s.id = c.service_id LEFT JOIN users u ON u.id = c.assignee_id \
         WHERE {cond} ORDER BY c.priority, c.submitted_at, c.id LIMIT ${}",
        args.len()
    );
    (sql, args)
}

/// One page of the queue: most urgent first, then oldest submission.
pub async fn queue(db: &Db, f: &QueueFilter) -> Result<Vec<QueueRow>, StoreError> {
    let (sql, args) = queue_statement(f);
    Ok(with_pool!(db.read(), p => {
        bind_all!(sqlx::query_as::<_, QueueRow>(AssertSqlSafe(sql.as_str())), &args).fetch_all(p).await
    })?)
}

/// The plan the database chooses for a queue page, one line per step (EXPLAIN QUERY PLAN on
/// SQLite, EXPLAIN on PostgreSQL): how a slow queue is diagnosed, and how the tests check
/// that the open queue is served by its index rather than by sorting the mission's history.
pub async fn queue_plan(db: &Db, f: &QueueFilter) -> Result<Vec<String>, StoreError> {
    let (sql, args) = queue_statement(f);
    let lines: Vec<String> = match db.read() {
        crate::Pool::Sqlite(p) => {
            let explain = format!("EXPLAIN QUERY PLAN {sql}");
            let rows: Vec<(i64, i64, i64, String)> =
                bind_all!(sqlx::query_as(AssertSqlSafe(explain.as_str())), &args)
                    .fetch_all(p)
                    .await?;
            rows.into_iter().map(|r| r.3).collect()
        }
        crate::Pool::Postgres(p) => {
            let explain = format!("EXPLAIN {sql}");
            bind_all!(sqlx::query_scalar(AssertSqlSafe(explain.as_str())), &args)
                .fetch_all(p)
                .await?
        }
    };
    Ok(lines)
}

/// How many cases of the mission sit in each state (drafts excluded).
pub async fn queue_counts(db: &Db, mission_id: &str) -> Result<BTreeMap<String, i64>, StoreError> {
    let rows: Vec<(String, i64)> = with_pool!(db.read(), p => {
        sqlx::query_as("SELECT state, COUNT(*) FROM cases WHERE mission_id = $1 AND state <> 'draft' GROUP BY state")
            .bind(mission_id)
            .fetch_all(p)
            .await
    })?;
    Ok(rows.into_iter().collect())
}

/// How many cases of the mission (submitted and not closed: refused and withdrawn ones too)
/// have a message of their applicant waiting for the mission's reply (the queue's
/// `awaiting_reply` filter, unpaged).
pub async fn awaiting_reply_count(db: &Db, mission_id: &str) -> Result<i64, StoreError> {
    let sql = format!(
        "SELECT COUNT(*) FROM cases WHERE mission_id = $1 AND state {AWAITING} \
         AND awaiting_reply_since IS NOT NULL"
    );
    with_pool!(db.read(), p => {
        sqlx::query_scalar(AssertSqlSafe(sql.as_str()))
            .bind(mission_id)
            .fetch_one(p)
            .await
    })
    .map_err(StoreError::from)
}

/// Time spent in one state across the mission's cases.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SlaRow {
    pub state: CaseState,
    /// Number of stays measured (finished ones, plus the ones still running until `now`).
    pub count: usize,
    pub median_hours: f64,
    pub p90_hours: f64,
}

/// The states a stay still running is measured in: every state of a submitted case but closed
/// (a refused or withdrawn case waits for the mission to close it).
const RUNNING: &str = "('submitted', 'in_review', 'needs_info', 'approved', 'rejected', \
                        'withdrawn', 'ready_for_collection')";

/// The board's statement: the events of the stays that ended at or after `$2` or still run,
/// in the order of each case's history (`case_id`, `at`, then the event's id).
///
/// A case with a stay that ended since then changed state since then: those cases are
/// narrowed by their last change, and their events read whole (a case's history is a few
/// moves; the stays among them that ended before `$2` are left out as they are measured). A
/// case whose last change came before `$2` has one stay in the span, the one still running,
/// if it is not closed: its state and the time of that change are on its own row, and none of
/// its events is read. The history of a case closed before `$2` is not read at all.
fn sla_statement() -> String {
    format!(
        "SELECT e.case_id, e.to_state, e.at, e.id FROM case_events e JOIN cases c ON c.id = e.case_id \
         WHERE c.mission_id = $1 AND c.state_changed_at >= $2 \
         UNION ALL \
         SELECT c.id, c.state, c.state_changed_at, '' FROM cases c \
         WHERE c.mission_id = $1 AND c.state IN {RUNNING} AND c.state_changed_at < $2 \
         ORDER BY 1, 3, 4"
    )
}

/// Median and 90th-percentile time in each state, over the stays that ended at or after
/// `since` and the stays still running, however long ago they began (whenever their case was
/// submitted): a case submitted two months ago and still waiting counts with its two months
/// on a board of the last thirty days. Stays still running count up to `now`.
pub async fn sla_board(
    db: &Db,
    mission_id: &str,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<SlaRow>, StoreError> {
    let sql = sla_statement();
    let rows: Vec<(String, String, DateTime<Utc>, String)> = with_pool!(db.read(), p => {
        sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(mission_id)
            .bind(since)
            .fetch_all(p)
            .await
    })?;
    let mut stays: BTreeMap<CaseState, Vec<f64>> = BTreeMap::new();
    for (i, (case_id, state, at, _)) in rows.iter().enumerate() {
        let Ok(state) = CaseState::parse(state) else {
            continue;
        };
        if state == CaseState::Closed {
            continue;
        }
        let end = match rows.get(i + 1) {
            Some((next_case, _, next_at, _)) if next_case == case_id => *next_at,
            _ => now,
        };
        // A stay that ended before the window, in the history of a case that moved since.
        if end < since {
            continue;
        }
        let hours = (end - *at).num_seconds().max(0) as f64 / 3600.0;
        stays.entry(state).or_default().push(hours);
    }
    Ok(stays
        .into_iter()
        .map(|(state, mut v)| {
            v.sort_by(|a, b| a.total_cmp(b));
            SlaRow {
                state,
                count: v.len(),
                median_hours: percentile(&v, 0.5),
                p90_hours: percentile(&v, 0.9),
            }
        })
        .collect())
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::{percentile, reference_pattern};

    #[test]
    fn references_whole_or_by_their_end() {
        let p = |q| reference_pattern(q);
        assert_eq!(p(" par-2026-000123 ").as_deref(), Some("PAR-2026-000123"));
        assert_eq!(p("2026-000123").as_deref(), Some("%-2026-000123"));
        assert_eq!(p("2026-123").as_deref(), Some("%-2026-000123"));
        assert_eq!(p("000123").as_deref(), Some("%-%-000123"));
        assert_eq!(p("123").as_deref(), Some("%-%-000123"));
        assert_eq!(p("١٢٣").as_deref(), Some("%-%-000123"));
        assert_eq!(p("1234567").as_deref(), Some("%-%-1234567"));
        for not_one in [
            "",
            "Nour",
            "12a",
            "26-000123",
            "P%R-2026-1",
            "-123",
            "2026-",
            "a-b-c-d",
        ] {
            assert_eq!(p(not_one), None, "{not_one}");
        }
    }

    #[test]
    fn nearest_rank() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), 5.0);
        assert_eq!(percentile(&v, 0.9), 9.0);
        assert_eq!(percentile(&[], 0.9), 0.0);
        assert_eq!(percentile(&[3.0], 0.5), 3.0);
    }
}
