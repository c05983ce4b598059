//! One delivery row per recipient, channel and alert: written in batches by the fan-out,
//! claimed in batches by the senders, marked in batches.
//!
//! States: `queued` → `sending` (claimed, with a lease) → `sent` → `delivered` (a receipt),
//! or `failed` (permanent). A temporary failure puts the row back to `queued` with
//! `attempts + 1` and a `not_before` time. A sender that dies leaves its rows in `sending`;
//! when their lease ends they are claimed again — at-least-once, and the row id is the
//! message's idempotency key (email Message-ID, SMS gateway reference), so a message resent
//! after a crash is recognisably the same one.

use std::time::Duration;

use chrono::{DateTime, Utc};
// Statements built here only splice placeholders and fixed keywords, never input.
use sqlx::AssertSqlSafe;

use super::audience::Recipient;
use crate::{Backend, Db, StoreError, Tx, now, with_pool, with_tx};

/// Rows per multi-row statement (9 parameters a row stays under SQLite's limit).
const ROWS_PER_STATEMENT: usize = 500;

/// Counts of an alert's deliveries; `queued` includes rows being sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DeliveryCounts {
    pub queued: i64,
    pub sent: i64,
    pub delivered: i64,
    pub failed: i64,
}

impl DeliveryCounts {
    pub fn total(&self) -> i64 {
        self.queued + self.sent + self.delivered + self.failed
    }
}

/// A row a sender holds the lease on.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ClaimedDelivery {
    pub id: String,
    pub recipient_id: String,
    pub recipient_kind: String,
    pub address: String,
    pub lang: String,
    /// Temporary failures so far.
    pub attempts: i32,
}

/// A row the channel accepted, with the channel's message id when it gives one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub id: String,
    pub provider_id: Option<String>,
}

/// A row that failed: for good (`retry_at = None`) or until `retry_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    pub id: String,
    pub error: String,
    pub retry_at: Option<DateTime<Utc>>,
}

fn new_id() -> String {
    uuid::Uuid::now_v7().as_simple().to_string()
}

/// Writes one `queued` row per recipient; a recipient that already has a row for this alert
/// and channel is skipped, so a fan-out run again after a crash adds nothing. Returns how many
/// rows are new. SQLite takes multi-row inserts of up to [`SQLITE_INSERT_ROWS`] rows;
/// PostgreSQL takes the columns as arrays, one statement per [`POSTGRES_INSERT_ROWS`] rows.
pub async fn insert_batch(
    tx: &mut Tx,
    alert_id: &str,
    recipients: &[Recipient],
) -> Result<u64, StoreError> {
    match tx {
        Tx::Sqlite(t) => insert_sqlite(t, alert_id, recipients).await,
        Tx::Postgres(t) => insert_postgres(t, alert_id, recipients).await,
    }
}

/// Claims up to `limit` rows of one alert and channel that are due: queued (and past their
/// backoff) or left in `sending` by a sender whose lease ended. They stay `sending` until
/// `now + lease`. PostgreSQL skips rows another sender is claiming at the same moment.
pub async fn claim_batch(
    db: &Db,
    alert_id: &str,
    channel: &str,
    limit: i64,
    lease: Duration,
) -> Result<Vec<ClaimedDelivery>, StoreError> {
    let t = now();
    let until = t + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::minutes(1));
    let lock = match db.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE crisis_deliveries SET status = 'sending', lease_until = $4 \
         WHERE id IN (SELECT id FROM crisis_deliveries \
                      WHERE alert_id = $1 AND channel = $2 \
                        AND ((status = 'queued' AND (not_before IS NULL OR not_before <= $5)) \
                             OR (status = 'sending' AND lease_until < $5)) \
                      LIMIT $3{lock}) \
         RETURNING id, recipient_id, recipient_kind, address, lang, attempts"
    );
    let rows = with_pool!(db.write(), p => {
        sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(alert_id)
            .bind(channel)
            .bind(limit)
            .bind(until)
            .bind(t)
            .fetch_all(p)
            .await
    })?;
    Ok(rows)
}

/// Claimed rows sorted by what became of their recipient since the fan-out wrote them.
#[derive(Debug, Default)]
pub struct Recipients {
    /// Recipients still there: send.
    pub wanted: Vec<ClaimedDelivery>,
    /// Subscriptions ended (unsubscribe link, STOP) since: not sent, failed for good.
    pub ended: Vec<ClaimedDelivery>,
    /// Rows deleted because their registration or subscription was deleted since (a fan-out
    /// that ran while the person deleted it wrote them after the deletion's trigger had run).
    pub forgotten: u64,
}

/// Sorts claimed rows by their recipient: a registration or subscription deleted since the
/// fan-out takes its rows out (as the deletion's trigger does with the rows it sees), a
/// subscription ended since is `ended`. On PostgreSQL the look-up takes a share lock on the
/// recipients, so it waits for a deletion or an unsubscribe being committed at that moment
/// instead of reading the row as it was. Webhooks are checked by [`webhook_secrets`].
pub async fn sort_recipients(
    db: &Db,
    rows: Vec<ClaimedDelivery>,
) -> Result<Recipients, StoreError> {
    let lock = match db.backend() {
        Backend::Postgres => " FOR SHARE",
        Backend::Sqlite => "",
    };
    let mut found = std::collections::HashMap::new();
    for (kind, table) in [
        ("registration", "crisis_registrations"),
        ("subscription", "advice_subscriptions"),
    ] {
        let ids: Vec<&str> = rows
            .iter()
            .filter(|r| r.recipient_kind == kind)
            .map(|r| r.recipient_id.as_str())
            .collect();
        let status = if kind == "subscription" {
            "status"
        } else {
            "'active'"
        };
        for chunk in ids.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "SELECT id, {status} FROM {table} WHERE id IN {}{lock}",
                placeholders(1, chunk.len())
            );
            let present: Vec<(String, String)> = with_pool!(db.write(), p => {
                let mut q = sqlx::query_as(AssertSqlSafe(sql.as_str()));
                for id in chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(p).await
            })?;
            found.extend(
                present
                    .into_iter()
                    .map(|(id, status)| ((kind, id), status == "active")),
            );
        }
    }
    let mut out = Recipients::default();
    let mut gone = Vec::new();
    for row in rows {
        let kind = match row.recipient_kind.as_str() {
            "registration" => "registration",
            "subscription" => "subscription",
            _ => {
                out.wanted.push(row);
                continue;
            }
        };
        match found.get(&(kind, row.recipient_id.clone())) {
            Some(true) => out.wanted.push(row),
            Some(false) => out.ended.push(row),
            None => gone.push(row.id),
        }
    }
    for chunk in gone.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "DELETE FROM crisis_deliveries WHERE status = 'sending' AND id IN {}",
            placeholders(1, chunk.len())
        );
        out.forgotten += with_pool!(db.write(), p => {
            let mut q = sqlx::query(AssertSqlSafe(sql.as_str()));
            for id in chunk {
                q = q.bind(id.as_str());
            }
            q.execute(p).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(out)
}

/// Puts claimed rows back in the queue as they were (not sent: the sender's time ran out
/// first), for the next claim. Rows no longer `sending` are left alone. Returns how many.
pub async fn release(db: &Db, ids: &[String]) -> Result<u64, StoreError> {
    let mut n = 0;
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "UPDATE crisis_deliveries SET status = 'queued', lease_until = NULL \
             WHERE status = 'sending' AND id IN {}",
            placeholders(1, chunk.len())
        );
        n += with_pool!(db.write(), p => {
            let mut q = sqlx::query(AssertSqlSafe(sql.as_str()));
            for id in chunk {
                q = q.bind(id.as_str());
            }
            q.execute(p).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(n)
}

/// Extends the lease of rows this sender still holds (claimed, not yet marked) to `lease` from
/// now, so that no other sender takes them while they wait for the rate limit, are in flight
/// or wait to be marked. Returns how many rows were renewed.
pub async fn renew_leases(db: &Db, ids: &[String], lease: Duration) -> Result<u64, StoreError> {
    if ids.is_empty() {
        return Ok(0);
    }
    let until = now() + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::minutes(1));
    let sql = format!(
        "UPDATE crisis_deliveries SET lease_until = $1 WHERE status = 'sending' AND id IN {}",
        placeholders(2, ids.len())
    );
    Ok(with_pool!(db.write(), p => {
        let mut q = sqlx::query(AssertSqlSafe(sql.as_str())).bind(until);
        for id in ids {
            q = q.bind(id);
        }
        q.execute(p).await.map(|r| r.rows_affected())
    })?)
}

/// `IN ($k, $k+1, …)` for `n` ids whose first placeholder is `$first`.
fn placeholders(first: usize, n: usize) -> String {
    let list: Vec<String> = (first..first + n).map(|i| format!("${i}")).collect();
    format!("({})", list.join(", "))
}

/// Marks claimed rows sent (one transaction). Rows no longer `sending` (a receipt already
/// arrived, or they were marked by another sender) are left alone.
pub async fn mark_sent(db: &Db, sent: &[Sent]) -> Result<u64, StoreError> {
    if sent.is_empty() {
        return Ok(0);
    }
    let t = now();
    let mut tx = db.begin().await?;
    let mut n = 0;
    let (plain, with_id): (Vec<&Sent>, Vec<&Sent>) =
        sent.iter().partition(|s| s.provider_id.is_none());
    for chunk in plain.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "UPDATE crisis_deliveries SET status = 'sent', sent_at = $1, lease_until = NULL, last_error = NULL \
             WHERE status = 'sending' AND id IN {}",
            placeholders(2, chunk.len())
        );
        n += with_tx!(&mut tx, c => {
            let mut q = sqlx::query(AssertSqlSafe(sql.as_str())).bind(t);
            for s in chunk {
                q = q.bind(s.id.as_str());
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    for s in &with_id {
        n += with_tx!(&mut tx, c => {
            sqlx::query(
                "UPDATE crisis_deliveries SET status = 'sent', sent_at = $1, provider_id = $3, lease_until = NULL, last_error = NULL \
                 WHERE status = 'sending' AND id = $2",
            )
            .bind(t)
            .bind(s.id.as_str())
            .bind(s.provider_id.as_deref())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    // The receipts that came before this mark (see `mark_receipt`) apply now.
    for chunk in with_id.chunks(ROWS_PER_STATEMENT) {
        let ids: Vec<&str> = chunk
            .iter()
            .filter_map(|s| s.provider_id.as_deref())
            .collect();
        // Taken out as they are read: one statement, each applied once.
        let sql = format!(
            "DELETE FROM crisis_early_receipts WHERE provider_id IN {} \
             RETURNING provider_id, delivered, detail",
            placeholders(1, ids.len())
        );
        let early: Vec<(String, bool, String)> = with_tx!(&mut tx, c => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql.as_str()));
            for id in &ids {
                q = q.bind(*id);
            }
            q.fetch_all(c).await
        })?;
        for (provider_id, delivered, detail) in early {
            apply_receipt(&mut tx, &provider_id, delivered, &detail, t).await?;
        }
    }
    tx.commit().await?;
    Ok(n)
}

/// Records failures (one transaction): permanent ones become `failed`; temporary ones go back
/// to the queue with `attempts + 1`, not before `retry_at`.
pub async fn mark_failed(db: &Db, failed: &[Failed]) -> Result<u64, StoreError> {
    if failed.is_empty() {
        return Ok(0);
    }
    let t = now();
    let mut tx = db.begin().await?;
    let mut n = 0;
    for f in failed {
        let error: String = f.error.chars().take(500).collect();
        n += with_tx!(&mut tx, c => {
            match f.retry_at {
                None => sqlx::query(
                    "UPDATE crisis_deliveries SET status = 'failed', failed_at = $2, last_error = $3, lease_until = NULL \
                     WHERE status = 'sending' AND id = $1",
                )
                .bind(f.id.as_str())
                .bind(t)
                .bind(&error)
                .execute(c)
                .await,
                Some(at) => sqlx::query(
                    "UPDATE crisis_deliveries SET status = 'queued', attempts = attempts + 1, not_before = $2, last_error = $3, lease_until = NULL \
                     WHERE status = 'sending' AND id = $1",
                )
                .bind(f.id.as_str())
                .bind(at)
                .bind(&error)
                .execute(c)
                .await,
            }
            .map(|r| r.rows_affected())
        })?;
    }
    tx.commit().await?;
    Ok(n)
}

/// A delivery receipt: the channel says the message with `provider_id` reached the phone
/// (`delivered = true`) or could not (`false`). Returns the rows changed (0: unknown id).
pub async fn mark_receipt(
    db: &Db,
    provider_id: &str,
    delivered: bool,
    detail: &str,
) -> Result<u64, StoreError> {
    let mut tx = db.begin().await?;
    let n = apply_receipt(&mut tx, provider_id, delivered, detail, now()).await?;
    tx.commit().await?;
    Ok(n)
}

async fn apply_receipt(
    tx: &mut Tx,
    provider_id: &str,
    delivered: bool,
    detail: &str,
    t: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let detail: String = detail.chars().take(500).collect();
    let n = with_tx!(tx, c => {
        if delivered {
            sqlx::query(
                "UPDATE crisis_deliveries SET status = 'delivered', delivered_at = $2 \
                 WHERE provider_id = $1 AND status IN ('sent', 'sending', 'delivered')",
            )
            .bind(provider_id)
            .bind(t)
            .execute(c)
            .await
        } else {
            sqlx::query(
                "UPDATE crisis_deliveries SET status = 'failed', failed_at = $2, last_error = $3 \
                 WHERE provider_id = $1 AND status IN ('sent', 'sending', 'failed')",
            )
            .bind(provider_id)
            .bind(t)
            .bind(&detail)
            .execute(c)
            .await
        }
        .map(|r| r.rows_affected())
    })?;
    Ok(n)
}

/// Keeps a receipt whose message no row names yet: the gateway reported before the batch
/// the message went in was marked sent. [`mark_sent`] applies it; a later receipt for the
/// same message (delivered after sent) replaces it.
pub async fn keep_early_receipt(
    db: &Db,
    provider_id: &str,
    delivered: bool,
    detail: &str,
) -> Result<(), StoreError> {
    let detail: String = detail.chars().take(500).collect();
    with_pool!(db.write(), p => {
        sqlx::query(
            "INSERT INTO crisis_early_receipts (provider_id, delivered, detail, received_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (provider_id) DO UPDATE \
             SET delivered = excluded.delivered, detail = excluded.detail, received_at = excluded.received_at",
        )
        .bind(provider_id)
        .bind(delivered)
        .bind(&detail)
        .bind(now())
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Drops the early receipts no message claimed (the daily crisis purge): older than `before`.
pub async fn purge_early_receipts(db: &Db, before: DateTime<Utc>) -> Result<u64, StoreError> {
    Ok(with_pool!(db.write(), p => {
        sqlx::query("DELETE FROM crisis_early_receipts WHERE received_at < $1")
            .bind(before)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
    })?)
}

/// Whether any row carries this channel message id (a receipt for none is kept as early).
pub async fn provider_id_exists(db: &Db, provider_id: &str) -> Result<bool, StoreError> {
    let n: i64 = with_pool!(db.read(), p => {
        sqlx::query_scalar("SELECT COUNT(*) FROM crisis_deliveries WHERE provider_id = $1")
            .bind(provider_id)
            .fetch_one(p)
            .await
    })?;
    Ok(n > 0)
}

pub async fn counts(db: &Db, alert_id: &str) -> Result<DeliveryCounts, StoreError> {
    let rows: Vec<(String, i64)> = with_pool!(db.read(), p => {
        sqlx::query_as("SELECT status, COUNT(*) FROM crisis_deliveries WHERE alert_id = $1 GROUP BY status")
            .bind(alert_id)
            .fetch_all(p)
            .await
    })?;
    let mut c = DeliveryCounts::default();
    for (status, n) in rows {
        match status.as_str() {
            "queued" | "sending" => c.queued += n,
            "sent" => c.sent += n,
            "delivered" => c.delivered += n,
            "failed" => c.failed += n,
            _ => {}
        }
    }
    Ok(c)
}

/// What is left to do for one alert and channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remaining {
    /// Nothing queued or being sent.
    Done,
    /// Rows are waiting; the earliest becomes claimable at this time (a backoff, or the
    /// lease of a sender that may have died).
    At(DateTime<Utc>),
}

pub async fn remaining(db: &Db, alert_id: &str, channel: &str) -> Result<Remaining, StoreError> {
    let (queued, leased): (Option<DateTime<Utc>>, Option<DateTime<Utc>>) = with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT MIN(CASE WHEN status = 'queued' THEN COALESCE(not_before, created_at) END), \
                    MIN(CASE WHEN status = 'sending' THEN lease_until END) \
             FROM crisis_deliveries WHERE alert_id = $1 AND channel = $2 AND status IN ('queued', 'sending')",
        )
        .bind(alert_id)
        .bind(channel)
        .fetch_one(p)
        .await
    })?;
    Ok(match (queued, leased) {
        (None, None) => Remaining::Done,
        (Some(a), Some(b)) => Remaining::At(a.min(b)),
        (Some(a), None) | (None, Some(a)) => Remaining::At(a),
    })
}

/// Refreshes PostgreSQL's statistics of the delivery and check-in tables after a fan-out
/// wrote a large batch into them. Until autovacuum gets to it the planner believes an alert
/// has a handful of rows, and the delivery job's lookups of 200 check-ins by registration
/// then read every row of the alert (8 ms each instead of 0.4 ms at 50,000 recipients).
/// SQLite's planner keeps no such statistics: nothing to do there.
pub async fn refresh_statistics(db: &Db) -> Result<(), StoreError> {
    if db.backend() == Backend::Postgres {
        with_pool!(db.write(), p => {
            sqlx::query("ANALYZE crisis_deliveries, crisis_checkins")
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Whether any row of the alert, on any channel, is still queued or being sent. The channels
/// are named so that both backends probe the `(alert_id, channel, status)` index six times
/// instead of reading every row of the alert once all of them are sent.
pub async fn any_pending(db: &Db, alert_id: &str) -> Result<bool, StoreError> {
    let n: i64 = with_pool!(db.read(), p => {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT 1 FROM crisis_deliveries WHERE alert_id = $1 \
             AND channel IN ('email', 'sms', 'webhook') AND status IN ('queued', 'sending') LIMIT 1) t",
        )
        .bind(alert_id)
        .fetch_one(p)
        .await
    })?;
    Ok(n > 0)
}

/// What a sender needs of an alert: its texts in both languages and its state.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AlertText {
    pub id: String,
    pub identifier: String,
    pub status: String,
    pub msg_type: String,
    pub headline_ar: String,
    pub headline_en: String,
    pub description_ar: String,
    pub description_en: String,
    pub instruction_ar: String,
    pub instruction_en: String,
    pub area_desc: String,
    pub sent_at: Option<DateTime<Utc>>,
    pub expires: Option<DateTime<Utc>>,
}

pub async fn alert_text(db: &Db, alert_id: &str) -> Result<Option<AlertText>, StoreError> {
    let row = with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT id, identifier, status, msg_type, headline_ar, headline_en, description_ar, description_en, \
                    instruction_ar, instruction_en, area_desc, sent_at, expires \
             FROM crisis_alerts WHERE id = $1",
        )
        .bind(alert_id)
        .fetch_optional(p)
        .await
    })?;
    Ok(row)
}

/// The check-in ids of these registrations for the alert (one query per batch), keyed by
/// registration id: the personal links the messages carry.
pub async fn checkin_ids(
    db: &Db,
    alert_id: &str,
    registration_ids: &[&str],
) -> Result<std::collections::HashMap<String, String>, StoreError> {
    let mut out = std::collections::HashMap::new();
    for chunk in registration_ids.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "SELECT registration_id, id FROM crisis_checkins WHERE alert_id = $1 AND registration_id IN {}",
            placeholders(2, chunk.len())
        );
        let rows: Vec<(String, String)> = with_pool!(db.read(), p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(alert_id);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(p).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}

/// The signing secrets of these webhooks, keyed by webhook id (disabled ones left out).
pub async fn webhook_secrets(
    db: &Db,
    webhook_ids: &[&str],
) -> Result<std::collections::HashMap<String, String>, StoreError> {
    let mut out = std::collections::HashMap::new();
    for chunk in webhook_ids.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "SELECT id, secret FROM crisis_webhooks WHERE enabled = $1 AND id IN {}",
            placeholders(2, chunk.len())
        );
        let rows: Vec<(String, String)> = with_pool!(db.read(), p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(true);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(p).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}

/// Delivery rows per SQLite statement. Kept small: 5,000 rows a statement took 15 s for
/// 20,000 rows (each `$n` parameter is most likely found by a linear search, so binding grows
/// with the square of a statement's rows).
pub const SQLITE_INSERT_ROWS: usize = 500;

/// Delivery rows per PostgreSQL statement (the arrays have no parameter limit).
pub const POSTGRES_INSERT_ROWS: usize = 20_000;

async fn insert_sqlite(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    alert_id: &str,
    recipients: &[Recipient],
) -> Result<u64, StoreError> {
    let t = now();
    let mut inserted = 0;
    for chunk in recipients.chunks(SQLITE_INSERT_ROWS) {
        // Anonymous `?` parameters, bound in order: SQLite finds a numbered `$n` by walking
        // the list of the statement's parameter names, which costs the square of a
        // statement's parameters per execution (3,000 here).
        let mut sql = String::with_capacity(200 + chunk.len() * 40);
        sql.push_str(
            "INSERT INTO crisis_deliveries (id, alert_id, recipient_id, recipient_kind, channel, address, lang, status, attempts, created_at) VALUES ",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?)");
        }
        sql.push_str(" ON CONFLICT (alert_id, recipient_id, channel) DO NOTHING");
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for r in chunk {
            q = q
                .bind(new_id())
                .bind(alert_id)
                .bind(r.id.as_str())
                .bind(r.kind.as_str())
                .bind(r.channel.as_str())
                .bind(r.address.as_str())
                .bind(r.lang.as_str())
                .bind(t);
        }
        inserted += q.execute(&mut **tx).await?.rows_affected();
    }
    Ok(inserted)
}

async fn insert_postgres(
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    alert_id: &str,
    recipients: &[Recipient],
) -> Result<u64, StoreError> {
    let t = now();
    let mut inserted = 0;
    for chunk in recipients.chunks(POSTGRES_INSERT_ROWS) {
        let ids: Vec<String> = chunk.iter().map(|_| new_id()).collect();
        let column = |f: fn(&Recipient) -> &str| chunk.iter().map(f).collect::<Vec<&str>>();
        inserted += sqlx::query(
            "INSERT INTO crisis_deliveries (id, alert_id, recipient_id, recipient_kind, channel, address, lang, status, attempts, created_at) \
             SELECT u.id, $1, u.recipient_id, u.kind, u.channel, u.address, u.lang, 'queued', 0, $2 \
             FROM UNNEST($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) \
                  AS u(id, recipient_id, kind, channel, address, lang) \
             ON CONFLICT (alert_id, recipient_id, channel) DO NOTHING",
        )
        .bind(alert_id)
        .bind(t)
        .bind(&ids)
        .bind(column(|r| r.id.as_str()))
        .bind(column(|r| r.kind.as_str()))
        .bind(column(|r| r.channel.as_str()))
        .bind(column(|r| r.address.as_str()))
        .bind(column(|r| r.lang.as_str()))
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    Ok(inserted)
}
