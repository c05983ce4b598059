//! The job queue (outbox): one durable table for all background work.
//!
//! A job is enqueued in the same transaction as the change that causes it. Workers claim
//! one job at a time with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two
//! processes never take the same job); a worker that dies mid-job loses its lease and the job
//! is claimed again, so handlers must be idempotent (unless that was its last attempt: then it
//! is a dead letter). Failures retry with exponential backoff and become dead letters after
//! `max_attempts`; admins can retry those. A worker claims only the kinds it has handlers for.

mod runner;

use std::time::Duration;

use chrono::{DateTime, Utc};
use safir_domain::ids::JobId;
// Statements built here only splice placeholders and fixed keywords, never input.
use sqlx::AssertSqlSafe;

use crate::{Backend, Db, StoreError, Tx, now, with_pool, with_tx};

pub use runner::{HandlerFuture, JobError, JobHandler, JobRunner, RunnerConfig};

/// Tries before a job is a dead letter. With [`backoff`] the waits between them add up to
/// about five hours (2 s, 4 s … an hour, then an hour each): a mail relay or SMS gateway down
/// for an evening's maintenance delays a password reset or a case decision, it does not lose
/// it (eight tries gave up after about five minutes).
pub const DEFAULT_MAX_ATTEMPTS: i32 = 16;

#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub payload: serde_json::Value,
    /// A second enqueue with the same key is a no-op (a retried request, a double click).
    pub idempotency_key: Option<String>,
    /// Not before this time (scheduled work); `None` means now.
    pub run_at: Option<DateTime<Utc>>,
    pub max_attempts: i32,
    /// Bulk work (one message per subscriber of a fan-out) waits behind every other due job:
    /// see [`claim_of`].
    pub bulk: bool,
}

impl NewJob {
    pub fn new(kind: &str, payload: serde_json::Value) -> Self {
        Self {
            kind: kind.to_owned(),
            payload,
            idempotency_key: None,
            run_at: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            bulk: false,
        }
    }

    /// Marks the job as bulk: claimed only when no other job is due.
    pub fn bulk(mut self) -> Self {
        self.bulk = true;
        self
    }

    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    pub fn run_at(mut self, at: DateTime<Utc>) -> Self {
        self.run_at = Some(at);
        self
    }

    pub fn max_attempts(mut self, n: i32) -> Self {
        self.max_attempts = n.max(1);
        self
    }
}

/// A job a worker holds the lease on.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimedJob {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub attempts: i32,
    pub max_attempts: i32,
}

impl ClaimedJob {
    pub fn payload_json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.payload)
    }
}

/// A job as admins see it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct JobRow {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub idempotency_key: Option<String>,
    pub state: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const INSERT_COLUMNS: &str = "INSERT INTO jobs (id, kind, payload, idempotency_key, state, attempts, max_attempts, run_at, lane, created_at, updated_at) VALUES ";

/// The `lane` column: normal work, then bulk work.
const LANE_NORMAL: i16 = 0;
const LANE_BULK: i16 = 1;

fn lane(job: &NewJob) -> i16 {
    if job.bulk { LANE_BULK } else { LANE_NORMAL }
}

/// Enqueues one job inside the caller's transaction. Returns `None` when a job with the same
/// idempotency key already exists.
pub async fn enqueue(tx: &mut Tx, job: &NewJob) -> Result<Option<JobId>, StoreError> {
    let id = JobId::new();
    let t = now();
    let sql = format!(
        "{INSERT_COLUMNS}($1, $2, $3, $4, 'queued', 0, $5, $6, $8, $7, $7) ON CONFLICT (idempotency_key) DO NOTHING"
    );
    let done = with_tx!(tx, c => {
        sqlx::query(AssertSqlSafe(sql.as_str()))
            .bind(id.as_str())
            .bind(&job.kind)
            .bind(job.payload.to_string())
            .bind(&job.idempotency_key)
            .bind(job.max_attempts)
            .bind(job.run_at.unwrap_or(t))
            .bind(t)
            .bind(lane(job))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok((done == 1).then_some(id))
}

/// Enqueues many jobs with multi-row inserts (fan-out), skipping duplicates by key.
/// Returns how many were new.
pub async fn enqueue_batch(tx: &mut Tx, jobs: &[NewJob]) -> Result<u64, StoreError> {
    const ROWS_PER_STATEMENT: usize = 500;
    let t = now();
    let mut inserted = 0;
    for chunk in jobs.chunks(ROWS_PER_STATEMENT) {
        let mut sql = String::from(INSERT_COLUMNS);
        for i in 0..chunk.len() {
            let b = i * 7;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, 'queued', 0, ${}, ${}, ${}, $1, $1)",
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8
            ));
        }
        sql.push_str(" ON CONFLICT (idempotency_key) DO NOTHING");
        inserted += with_tx!(tx, c => {
            let mut q = sqlx::query(AssertSqlSafe(sql.as_str())).bind(t);
            for job in chunk {
                q = q
                    .bind(JobId::new().as_str().to_owned())
                    .bind(&job.kind)
                    .bind(job.payload.to_string())
                    .bind(&job.idempotency_key)
                    .bind(job.max_attempts)
                    .bind(job.run_at.unwrap_or(t))
                    .bind(lane(job));
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(inserted)
}

/// Claims the next due job (or one whose lease expired) for `worker`, of any kind.
pub async fn claim(
    db: &Db,
    worker: &str,
    lease: Duration,
) -> Result<Option<ClaimedJob>, StoreError> {
    claim_of(db, worker, lease, None).await
}

/// Claims the next due job (or one whose lease expired) for `worker` among `kinds`, or of any
/// kind when `kinds` is `None`. A worker passes the kinds it has handlers for, so a job of a
/// kind it does not know (one a newer release enqueues while older workers still run, during a
/// rolling upgrade) waits for a worker that knows it rather than failing.
///
/// Which job: first one whose lease expired (its worker died), then the oldest due job of the
/// normal lane, then the oldest due bulk job. A fan-out of thousands of messages (a travel-advice
/// change to every subscriber of a country) thus never holds back an emergency's escalation,
/// a password reset or a case decision enqueued after it, even while the mail relay is slow.
/// Each step is one range of an index (`jobs_lane_ready`: state, lane, run_at), so a claim
/// costs the same with a backlog of a million jobs as with none.
pub async fn claim_of(
    db: &Db,
    worker: &str,
    lease: Duration,
    kinds: Option<&[String]>,
) -> Result<Option<ClaimedJob>, StoreError> {
    if kinds.is_some_and(<[String]>::is_empty) {
        return Ok(None);
    }
    let t = now();
    let until = t + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::minutes(5));
    // Once a SQLite database has statistics (an operator's `ANALYZE`), its planner counts rows
    // per state only on average and chose to scan the whole table for the few running jobs.
    // The index is named so that each step stays one range.
    let (jobs, lock) = match db.backend() {
        Backend::Postgres => ("jobs", " FOR UPDATE SKIP LOCKED"),
        Backend::Sqlite => ("jobs INDEXED BY jobs_lane_ready", ""),
    };
    let of_kinds = match kinds {
        None => String::new(),
        Some(kinds) => {
            let marks: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 4)).collect();
            format!(" AND kind IN ({})", marks.join(", "))
        }
    };
    // COALESCE stops at its first non-null argument, on both backends: the later lanes are
    // not read while an earlier one has a job.
    let sql = format!(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = $1, locked_until = $2, updated_at = $3 \
         WHERE id = COALESCE(\
           (SELECT id FROM {jobs} WHERE state = 'running' AND locked_until < $3{of_kinds} ORDER BY locked_until LIMIT 1{lock}), \
           (SELECT id FROM {jobs} WHERE state = 'queued' AND lane = {LANE_NORMAL} AND run_at <= $3{of_kinds} ORDER BY run_at LIMIT 1{lock}), \
           (SELECT id FROM {jobs} WHERE state = 'queued' AND lane = {LANE_BULK} AND run_at <= $3{of_kinds} ORDER BY run_at LIMIT 1{lock})) \
         RETURNING id, kind, payload, attempts, max_attempts"
    );
    let job = with_pool!(db.write(), p => {
        let mut q = sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(worker).bind(until).bind(t);
        for kind in kinds.unwrap_or_default() {
            q = q.bind(kind);
        }
        q.fetch_optional(p).await
    })?;
    Ok(job)
}

/// Extends the lease of a job `worker` is still running. Returns false when the lease is no
/// longer this worker's (taken over after it ran out, or the job was retried).
pub async fn renew(
    db: &Db,
    job: &ClaimedJob,
    worker: &str,
    lease: Duration,
) -> Result<bool, StoreError> {
    let t = now();
    let until = t + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::minutes(5));
    let n = with_pool!(db.write(), p => {
        sqlx::query(
            "UPDATE jobs SET locked_until = $3, updated_at = $4 \
             WHERE id = $1 AND locked_by = $2 AND state = 'running'",
        )
        .bind(&job.id)
        .bind(worker)
        .bind(until)
        .bind(t)
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Marks a claimed job done. Returns false when the lease had been lost to another worker.
pub async fn complete(db: &Db, job: &ClaimedJob, worker: &str) -> Result<bool, StoreError> {
    let n = with_pool!(db.write(), p => {
        sqlx::query(
            "UPDATE jobs SET state = 'done', locked_by = NULL, locked_until = NULL, last_error = NULL, updated_at = $3 \
             WHERE id = $1 AND locked_by = $2 AND state = 'running'",
        )
        .bind(&job.id)
        .bind(worker)
        .bind(now())
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Puts a job `worker` is running back in the queue, due at once, without using up the attempt
/// its claim counted: a job stopped because its process is shutting down, not because it failed
/// (it could otherwise be its last attempt, and the next claim would make it a dead letter).
/// Returns false when the lease had been lost to another worker.
pub async fn release(
    db: &Db,
    job: &ClaimedJob,
    worker: &str,
    reason: &str,
) -> Result<bool, StoreError> {
    let n = with_pool!(db.write(), p => {
        sqlx::query(
            "UPDATE jobs SET state = 'queued', attempts = attempts - 1, locked_by = NULL, locked_until = NULL, \
             run_at = $3, last_error = $4, updated_at = $3 \
             WHERE id = $1 AND locked_by = $2 AND state = 'running'",
        )
        .bind(&job.id)
        .bind(worker)
        .bind(now())
        .bind(reason)
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Exponential backoff: 2^attempts seconds (capped at one hour), plus up to 25% jitter so a
/// burst of failures does not retry in lockstep.
pub fn backoff(attempts: i32) -> Duration {
    let base = 2u64.saturating_pow(attempts.clamp(0, 12) as u32).min(3600);
    let jitter = rand::random_range(0..=base.div_ceil(4));
    Duration::from_secs(base + jitter)
}

/// Records a failure: back to the queue after a backoff, or dead after the last attempt.
/// `permanent` failures (bad payload, a refused address) go straight to the dead letters.
pub async fn fail(
    db: &Db,
    job: &ClaimedJob,
    worker: &str,
    error: &str,
    permanent: bool,
) -> Result<(), StoreError> {
    let t = now();
    let dead = permanent || job.attempts >= job.max_attempts;
    let state = if dead { "dead" } else { "queued" };
    let next =
        t + chrono::Duration::from_std(backoff(job.attempts)).unwrap_or(chrono::Duration::hours(1));
    let error: String = error.chars().take(2000).collect();
    with_pool!(db.write(), p => {
        sqlx::query(
            "UPDATE jobs SET state = $3, run_at = $4, last_error = $5, locked_by = NULL, locked_until = NULL, updated_at = $6 \
             WHERE id = $1 AND locked_by = $2",
        )
        .bind(&job.id)
        .bind(worker)
        .bind(state)
        .bind(next)
        .bind(&error)
        .bind(t)
        .execute(p)
        .await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Counts per state, for `/metrics` and the admin dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct QueueStats {
    pub queued: i64,
    pub running: i64,
    pub done: i64,
    pub dead: i64,
    /// Jobs still to be tried again whose last attempt failed (queued or running, with an
    /// error): failures in progress, which the dead count does not show until they run out of
    /// attempts.
    pub failing: i64,
}

pub async fn stats(db: &Db) -> Result<QueueStats, StoreError> {
    let rows: Vec<(String, i64, i64)> = with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT state, COUNT(*), COUNT(last_error) FROM jobs GROUP BY state",
        )
        .fetch_all(p)
        .await
    })?;
    let mut s = QueueStats::default();
    for (state, n, with_error) in rows {
        if matches!(state.as_str(), "queued" | "running") {
            s.failing += with_error;
        }
        match state.as_str() {
            "queued" => s.queued = n,
            "running" => s.running = n,
            "done" => s.done = n,
            "dead" => s.dead = n,
            _ => {}
        }
    }
    Ok(s)
}

/// The newest dead jobs, at most `limit`: the first page of [`list_dead_page`].
pub async fn list_dead(db: &Db, limit: i64) -> Result<Vec<JobRow>, StoreError> {
    Ok(list_dead_page(db, None, None, limit).await?.0)
}

/// Where a page of dead jobs starts: below this job, in the list's order (newest failure
/// first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadCursor {
    pub updated_at: DateTime<Utc>,
    pub id: String,
}

/// A page of dead jobs, newest failure first, of one kind or all, starting below `before`.
/// `more` says whether older ones follow.
pub async fn list_dead_page(
    db: &Db,
    kind: Option<&str>,
    before: Option<&DeadCursor>,
    limit: i64,
) -> Result<(Vec<JobRow>, bool), StoreError> {
    let limit = limit.max(1);
    let mut sql = String::from(
        "SELECT id, kind, payload, idempotency_key, state, attempts, max_attempts, run_at, last_error, created_at, updated_at \
         FROM jobs WHERE state = 'dead'",
    );
    // Placeholders numbered in the order they are bound: $1 is the limit.
    let mut next = 2;
    if kind.is_some() {
        sql.push_str(&format!(" AND kind = ${next}"));
        next += 1;
    }
    if before.is_some() {
        sql.push_str(&format!(
            " AND (updated_at < ${next} OR (updated_at = ${next} AND id < ${}))",
            next + 1
        ));
    }
    sql.push_str(" ORDER BY updated_at DESC, id DESC LIMIT $1");
    let mut rows: Vec<JobRow> = with_pool!(db.read(), p => {
        let mut q = sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(limit + 1);
        if let Some(kind) = kind {
            q = q.bind(kind);
        }
        if let Some(c) = before {
            q = q.bind(c.updated_at).bind(c.id.as_str());
        }
        q.fetch_all(p).await
    })?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

/// How many dead jobs there are of each kind, by kind.
pub async fn dead_kinds(db: &Db) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT kind, COUNT(*) FROM jobs WHERE state = 'dead' GROUP BY kind ORDER BY kind",
        )
        .fetch_all(p)
        .await
    })?)
}

/// Puts every dead job of `kind` back in the queue with a fresh set of attempts (inside the
/// caller's transaction, next to its audit record): after an outage of the mail relay longer
/// than the retries, every message of that time at once. Returns how many.
pub async fn retry_dead_of_kind(tx: &mut Tx, kind: &str) -> Result<u64, StoreError> {
    let t = now();
    Ok(with_tx!(tx, c => {
        sqlx::query("UPDATE jobs SET state = 'queued', attempts = 0, run_at = $2, updated_at = $2 WHERE kind = $1 AND state = 'dead'")
            .bind(kind)
            .bind(t)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?)
}

pub async fn find(db: &Db, id: &str) -> Result<JobRow, StoreError> {
    let row = with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT id, kind, payload, idempotency_key, state, attempts, max_attempts, run_at, last_error, created_at, updated_at \
             FROM jobs WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await
    })?;
    row.ok_or(StoreError::NotFound)
}

/// Puts a dead job back in the queue with a fresh set of attempts (inside the caller's
/// transaction, next to its audit record). Returns false when the job is not dead.
pub async fn retry_dead(tx: &mut Tx, id: &str) -> Result<bool, StoreError> {
    let t = now();
    let n = with_tx!(tx, c => {
        sqlx::query("UPDATE jobs SET state = 'queued', attempts = 0, run_at = $2, updated_at = $2 WHERE id = $1 AND state = 'dead'")
            .bind(id)
            .bind(t)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Deletes finished jobs older than `age` (their idempotency keys stop protecting then).
pub async fn purge_done(db: &Db, age: Duration) -> Result<u64, StoreError> {
    purge_in_state(db, "done", age).await
}

/// Deletes the jobs in `state` last changed more than `age` ago.
async fn purge_in_state(db: &Db, state: &str, age: Duration) -> Result<u64, StoreError> {
    let cutoff = now() - chrono::Duration::from_std(age).unwrap_or(chrono::Duration::days(7));
    Ok(with_pool!(db.write(), p => {
        sqlx::query("DELETE FROM jobs WHERE state = $1 AND updated_at < $2")
            .bind(state)
            .bind(cutoff)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
    })?)
}

/// Deletes dead letters older than `age` with their payloads: an email job holds the whole
/// message (a case's request for information, an escalation with the applicant's phone and
/// whereabouts), which would otherwise outlive the case the purge deleted.
pub async fn purge_dead(db: &Db, age: Duration) -> Result<u64, StoreError> {
    purge_in_state(db, "dead", age).await
}

/// How long a dead letter is kept for an administrator to retry it.
pub const DEAD_KEPT: Duration = Duration::from_secs(30 * 24 * 3600);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_outlasts_an_outage_of_hours() {
        // The shortest waits (no jitter) between the tries of a job that always fails.
        let waits: u64 = (1..DEFAULT_MAX_ATTEMPTS)
            .map(|a| 2u64.saturating_pow(a.clamp(0, 12) as u32).min(3600))
            .sum();
        assert!(waits >= 4 * 3600, "{waits} s");
        for a in 1..DEFAULT_MAX_ATTEMPTS {
            let wait = backoff(a).as_secs();
            let base = 2u64.saturating_pow(a.clamp(0, 12) as u32).min(3600);
            assert!(
                (base..=base + base.div_ceil(4)).contains(&wait),
                "{a}: {wait}"
            );
        }
    }
}
