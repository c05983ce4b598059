//! The audit trail: an append-only, hash-chained log of staff actions and of reads of
//! personal data. Each record's hash covers the previous hash, so editing or deleting a row
//! breaks the chain from that row on; `verify` finds the first broken link. Deleting the
//! newest records leaves a shorter chain that is still whole: only the chain's head (its last
//! record and hash, [`verify_with_head`]) compared with one noted earlier shows that.

use chrono::{DateTime, SecondsFormat, Utc};
use safir_domain::audit::AuditAction;
use safir_domain::ids::{MissionId, UserId};
use sha2::{Digest, Sha256};
use sqlx::AssertSqlSafe;

use crate::{Db, Pool, StoreError, Tx, now, with_pool, with_tx};

/// The hash the first record chains from.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, by whom, to what.
#[derive(Debug, Clone)]
pub struct NewAuditRecord {
    pub actor_id: Option<UserId>,
    /// Who, as shown to a reader of the trail (the email, or `system`, `cli`).
    pub actor_label: String,
    pub action: AuditAction,
    pub target_type: &'static str,
    pub target_id: Option<String>,
    pub mission_id: Option<MissionId>,
    pub client_ip: Option<String>,
    /// What changed, as JSON (never secrets).
    pub summary: serde_json::Value,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<String>,
    pub actor_label: String,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub mission_id: Option<String>,
    pub client_ip: Option<String>,
    pub summary: String,
    pub prev_hash: String,
    pub hash: String,
}

fn chain_hash(prev: &str, r: &AuditRecord) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &r.seq.to_string(),
        &r.at.to_rfc3339_opts(SecondsFormat::Micros, true),
        r.actor_id.as_deref().unwrap_or(""),
        &r.actor_label,
        &r.action,
        &r.target_type,
        r.target_id.as_deref().unwrap_or(""),
        r.mission_id.as_deref().unwrap_or(""),
        r.client_ip.as_deref().unwrap_or(""),
        &r.summary,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends a record inside the caller's transaction, so the record exists exactly when the
/// change it describes does.
pub async fn append(tx: &mut Tx, rec: &NewAuditRecord) -> Result<i64, StoreError> {
    let seqs = append_all(tx, std::slice::from_ref(rec)).await?;
    Ok(seqs[0])
}

/// Appends records in this order inside the caller's transaction (one lock and one read of
/// the chain's end for all of them, then one statement per [`INSERT_ROWS`] records); returns
/// their sequence numbers.
pub async fn append_all(tx: &mut Tx, recs: &[NewAuditRecord]) -> Result<Vec<i64>, StoreError> {
    if recs.is_empty() {
        return Ok(Vec::new());
    }
    Ok(append_some(tx, recs).await?.0)
}

/// [`append_all`] of at least one record, also returning the chain's new last record.
async fn append_some(
    tx: &mut Tx,
    recs: &[NewAuditRecord],
) -> Result<(Vec<i64>, ChainEnd), StoreError> {
    if let Tx::Postgres(t) = tx {
        // Serialise appenders across processes; SQLite's BEGIN IMMEDIATE already does.
        sqlx::query(CHAIN_LOCK_SQL).execute(&mut **t).await?;
    }
    let last: Option<(i64, String)> = with_tx!(tx, c => {
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(c).await
    })?;
    let (seq, hash) = last.unwrap_or((0, GENESIS.to_owned()));
    let at = now();
    let rows = chain_rows(&ChainEnd { seq, hash }, at, recs);
    for chunk in rows.chunks(INSERT_ROWS) {
        match tx {
            Tx::Sqlite(t) => insert_sqlite(&mut **t, chunk).await?,
            Tx::Postgres(t) => insert_postgres(&mut **t, at, chunk).await?,
        }
    }
    Ok(ended(&rows))
}

/// The lock every appender on PostgreSQL holds from its read of the chain's end to its commit.
const CHAIN_LOCK_SQL: &str = "SELECT pg_advisory_xact_lock(7261001)";

/// The chain's last record as an appender left it: where [`record_all_after`] chains its next
/// records from without reading the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainEnd {
    seq: i64,
    hash: String,
}

/// The records `recs` would be, chained after `end` and dated `at`.
fn chain_rows(end: &ChainEnd, at: DateTime<Utc>, recs: &[NewAuditRecord]) -> Vec<AuditRecord> {
    let (mut prev_seq, mut prev_hash) = (end.seq, end.hash.clone());
    let mut rows = Vec::with_capacity(recs.len());
    for rec in recs {
        let mut row = AuditRecord {
            seq: prev_seq + 1,
            at,
            actor_id: rec.actor_id.as_ref().map(|u| u.as_str().to_owned()),
            actor_label: rec.actor_label.clone(),
            action: rec.action.as_str().to_owned(),
            target_type: rec.target_type.to_owned(),
            target_id: rec.target_id.clone(),
            mission_id: rec.mission_id.as_ref().map(|m| m.as_str().to_owned()),
            client_ip: rec.client_ip.clone(),
            summary: rec.summary.to_string(),
            prev_hash,
            hash: String::new(),
        };
        row.hash = chain_hash(&row.prev_hash, &row);
        prev_seq = row.seq;
        prev_hash = row.hash.clone();
        rows.push(row);
    }
    rows
}

/// The sequence numbers of `rows` (not empty) and the chain's end after the last of them.
fn ended(rows: &[AuditRecord]) -> (Vec<i64>, ChainEnd) {
    let last = &rows[rows.len() - 1];
    let end = ChainEnd {
        seq: last.seq,
        hash: last.hash.clone(),
    };
    (rows.iter().map(|r| r.seq).collect(), end)
}

/// Records per insert statement: a batch of the web layer's group commit
/// (`MAX_BATCH`, 256) is one statement; on SQLite that is 3,072 parameters, far below its
/// limit of 32,766.
pub const INSERT_ROWS: usize = 256;

async fn insert_sqlite(
    conn: impl sqlx::Executor<'_, Database = sqlx::Sqlite>,
    rows: &[AuditRecord],
) -> Result<(), sqlx::Error> {
    // Anonymous `?` parameters, bound in order: SQLite finds a numbered `$n` by walking the
    // statement's list of parameter names, which costs the square of its parameters.
    let mut sql = String::with_capacity(160 + rows.len() * 40);
    sql.push_str(
        "INSERT INTO audit_log (seq, at, actor_id, actor_label, action, target_type, target_id, \
         mission_id, client_ip, summary, prev_hash, hash) VALUES ",
    );
    for i in 0..rows.len() {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    }
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for row in rows {
        q = q
            .bind(row.seq)
            .bind(row.at)
            .bind(&row.actor_id)
            .bind(&row.actor_label)
            .bind(&row.action)
            .bind(&row.target_type)
            .bind(&row.target_id)
            .bind(&row.mission_id)
            .bind(&row.client_ip)
            .bind(&row.summary)
            .bind(&row.prev_hash)
            .bind(&row.hash);
    }
    q.execute(conn).await?;
    Ok(())
}

/// On PostgreSQL the statement takes the chain's lock itself (a no-op inside a transaction
/// that holds it already) before it writes its first row: [`record_all_after`] runs it alone,
/// and must not slip its rows between another appender's read of the chain's end and that
/// appender's insert.
async fn insert_postgres(
    conn: impl sqlx::Executor<'_, Database = sqlx::Postgres>,
    at: DateTime<Utc>,
    rows: &[AuditRecord],
) -> Result<(), sqlx::Error> {
    let text = |f: fn(&AuditRecord) -> &str| rows.iter().map(f).collect::<Vec<&str>>();
    let maybe =
        |f: fn(&AuditRecord) -> Option<&str>| rows.iter().map(f).collect::<Vec<Option<&str>>>();
    let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
    sqlx::query(
        "WITH chain_lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(7261001)) \
         INSERT INTO audit_log (seq, at, actor_id, actor_label, action, target_type, target_id, \
         mission_id, client_ip, summary, prev_hash, hash) \
         SELECT u.seq, $1, u.actor_id, u.actor_label, u.action, u.target_type, u.target_id, \
                u.mission_id, u.client_ip, u.summary, u.prev_hash, u.hash \
         FROM UNNEST($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], \
                     $8::text[], $9::text[], $10::text[], $11::text[], $12::text[]) \
              AS u(seq, actor_id, actor_label, action, target_type, target_id, mission_id, \
                   client_ip, summary, prev_hash, hash) \
              CROSS JOIN chain_lock \
         ORDER BY u.seq",
    )
    .bind(at)
    .bind(&seqs)
    .bind(maybe(|r| r.actor_id.as_deref()))
    .bind(text(|r| &r.actor_label))
    .bind(text(|r| &r.action))
    .bind(text(|r| &r.target_type))
    .bind(maybe(|r| r.target_id.as_deref()))
    .bind(maybe(|r| r.mission_id.as_deref()))
    .bind(maybe(|r| r.client_ip.as_deref()))
    .bind(text(|r| &r.summary))
    .bind(text(|r| &r.prev_hash))
    .bind(text(|r| &r.hash))
    .execute(conn)
    .await?;
    Ok(())
}

/// Appends a record in its own transaction (for reads, which change nothing else).
pub async fn record(db: &Db, rec: &NewAuditRecord) -> Result<i64, StoreError> {
    let mut tx = db.begin().await?;
    let seq = append(&mut tx, rec).await?;
    tx.commit().await?;
    Ok(seq)
}

/// Appends records in their own transaction, committed once for all of them (the web
/// layer's group commit of read records).
pub async fn record_all(db: &Db, recs: &[NewAuditRecord]) -> Result<Vec<i64>, StoreError> {
    let mut end = None;
    record_all_after(db, &mut end, recs).await
}

/// [`record_all`] for a caller that appends again and again (the web layer's group commit):
/// `end` is the chain's last record as this caller's previous call left it. While it is
/// still the last, the records are one statement on its own, with no transaction and no
/// read of the table: its first sequence number is the one after `end`'s, and `seq` is the
/// primary key, so the statement fails whole if any other appender has written since. Then
/// (and when `end` is `None`) they go the way of [`record_all`], which reads the chain's end
/// under the lock. `end` is left at the new last record, or `None` after an error.
pub async fn record_all_after(
    db: &Db,
    end: &mut Option<ChainEnd>,
    recs: &[NewAuditRecord],
) -> Result<Vec<i64>, StoreError> {
    if recs.is_empty() {
        return Ok(Vec::new());
    }
    if let Some(known) = end.take()
        && recs.len() <= INSERT_ROWS
    {
        let at = now();
        let rows = chain_rows(&known, at, recs);
        let written = match db.write() {
            Pool::Sqlite(p) => insert_sqlite(p, &rows).await,
            Pool::Postgres(p) => insert_postgres(p, at, &rows).await,
        };
        match written {
            Ok(()) => {
                let (seqs, last) = ended(&rows);
                *end = Some(last);
                return Ok(seqs);
            }
            // Another appender came first: read the chain's end again below.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {}
            Err(e) => return Err(e.into()),
        }
    }
    let mut tx = db.begin().await?;
    let (seqs, last) = append_some(&mut tx, recs).await?;
    tx.commit().await?;
    *end = Some(last);
    Ok(seqs)
}

/// The outcome of checking the chain.
#[derive(Debug, PartialEq, Eq)]
pub enum ChainCheck {
    Intact {
        records: u64,
    },
    /// The first record whose hash or link does not match, and why.
    Broken {
        seq: i64,
        reason: &'static str,
    },
}

/// The chain's last record as a check walked to it: its number and hash, for an
/// administrator to note and compare with later (a chain cut short at its newest end is still
/// whole, and only a head noted before shows it is shorter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

/// Walks the whole trail in order, a page at a time.
pub async fn verify(db: &Db) -> Result<ChainCheck, StoreError> {
    Ok(verify_with_head(db).await?.0)
}

/// [`verify`], with the head of the chain it found intact: `None` for an empty trail or a
/// broken chain (whose head proves nothing).
pub async fn verify_with_head(db: &Db) -> Result<(ChainCheck, Option<ChainHead>), StoreError> {
    let mut prev_hash = GENESIS.to_owned();
    let mut expected_seq = 1i64;
    let mut count = 0u64;
    loop {
        let page: Vec<AuditRecord> = with_pool!(db.read(), p => {
            sqlx::query_as("SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT 1000")
                .bind(expected_seq)
                .fetch_all(p)
                .await
        })?;
        if page.is_empty() {
            let head = (count > 0).then(|| ChainHead {
                seq: expected_seq - 1,
                hash: prev_hash,
            });
            return Ok((ChainCheck::Intact { records: count }, head));
        }
        let broken = |seq, reason| Ok((ChainCheck::Broken { seq, reason }, None));
        for r in page {
            if r.seq != expected_seq {
                return broken(expected_seq, "record missing");
            }
            if r.prev_hash != prev_hash {
                return broken(r.seq, "link to previous record altered");
            }
            if chain_hash(&prev_hash, &r) != r.hash {
                return broken(r.seq, "record content altered");
            }
            prev_hash = r.hash;
            expected_seq += 1;
            count += 1;
        }
    }
}

/// An actor to filter on, as the trail records it: an email address in lower case (accounts
/// store addresses so, and record them so), so that one typed `Amal@Example.org` finds her
/// records; a user id, `system` or `cli` as typed.
pub fn actor_filter(typed: &str) -> String {
    if typed.contains('@') {
        typed.to_lowercase()
    } else {
        typed.to_owned()
    }
}

/// Filters for browsing the trail; all optional.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub mission_id: Option<String>,
    pub target_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Only records with `seq` below this (keyset pagination, newest first).
    pub before_seq: Option<i64>,
}

/// Binds [`list_statement`]'s values, in order, to a query of either backend.
macro_rules! bind_params {
    ($q:expr, $params:expr) => {{
        let mut q = $q;
        for param in $params {
            q = match param {
                Param::Text(v) => q.bind(*v),
                Param::At(v) => q.bind(*v),
                Param::Int(v) => q.bind(*v),
            };
        }
        q
    }};
}

/// Newest first, at most `limit` records.
///
/// The statement names only the filters that are set, so that each can use its index
/// (`actor_id`, `actor_label`, `action`, `target_id`): a page of a filtered trail is then a
/// short walk down one index, however long the trail. An actor is matched by user id or by the
/// label recorded (the email at the time, `system`, `cli`): two walks, merged. The statement is
/// not kept prepared, so PostgreSQL plans each listing with its values: a rare value is found
/// through its index, a common one by walking back from the newest record.
pub async fn list(db: &Db, f: &AuditFilter, limit: i64) -> Result<Vec<AuditRecord>, StoreError> {
    let (sql, params) = list_statement(f);
    let rows = with_pool!(db.read(), p => {
        let q = sqlx::query_as(AssertSqlSafe(sql)).persistent(false);
        bind_params!(q, &params).bind(limit).fetch_all(p).await
    })?;
    Ok(rows)
}

/// One page of a person's own trail, newest first: the records they made (`actor_id`) and
/// the records about their account (`target_id`), each once, at most `limit`, below
/// `before_seq` when given. The next page starts below the last `seq` of this one, so a
/// trail of any length is read a page at a time (records added meanwhile come after the
/// first page, and are not in the pages after it).
///
/// Each half walks its own index (`actor_id`, `target_id`) as [`list`] does; a record both
/// made by the person and about them comes from the first half only.
pub async fn list_of_user(
    db: &Db,
    user_id: &str,
    before_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditRecord>, StoreError> {
    const SQL: &str = "SELECT * FROM (SELECT * FROM audit_log WHERE actor_id = $1 AND seq < $2 \
         ORDER BY seq DESC LIMIT $3) AS by_them \
         UNION ALL SELECT * FROM (SELECT * FROM audit_log WHERE target_id = $1 \
         AND (actor_id IS NULL OR actor_id <> $1) AND seq < $2 ORDER BY seq DESC LIMIT $3) AS about_them \
         ORDER BY seq DESC LIMIT $3";
    let before = before_seq.unwrap_or(i64::MAX);
    let rows = with_pool!(db.read(), p => {
        sqlx::query_as(SQL)
            .persistent(false)
            .bind(user_id)
            .bind(before)
            .bind(limit)
            .fetch_all(p)
            .await
    })?;
    Ok(rows)
}

/// Whether the trail records `actor_id` taking one of `actions` on the target `target_id`
/// (of type `target_type`): who wrote or sent on a record, read from the record of it (found
/// through the trail's index of targets).
pub async fn acted_on(
    db: &Db,
    (target_type, target_id): (&str, &str),
    actor_id: &str,
    actions: &[AuditAction],
) -> Result<bool, StoreError> {
    if actions.is_empty() {
        return Ok(false);
    }
    let list: Vec<String> = (0..actions.len()).map(|i| format!("${}", i + 4)).collect();
    let sql = format!(
        "SELECT 1 FROM audit_log WHERE target_id = $1 AND target_type = $2 AND actor_id = $3 \
         AND action IN ({}) LIMIT 1",
        list.join(", ")
    );
    let found: Option<i32> = with_pool!(db.read(), p => {
        let mut q = sqlx::query_scalar(AssertSqlSafe(sql.as_str()))
            .bind(target_id)
            .bind(target_type)
            .bind(actor_id);
        for a in actions {
            q = q.bind(a.as_str());
        }
        q.fetch_optional(p).await
    })?;
    Ok(found.is_some())
}

/// A value bound to [`list`]'s statement.
enum Param<'a> {
    Text(&'a str),
    At(DateTime<Utc>),
    Int(i64),
}

/// [`list`]'s statement for these filters and the values it binds, in order; the limit is
/// bound last, after them.
fn list_statement(f: &AuditFilter) -> (String, Vec<Param<'_>>) {
    /// Adds a value; returns its placeholder, numbered in the order the values are added.
    fn push<'a>(params: &mut Vec<Param<'a>>, p: Param<'a>) -> String {
        params.push(p);
        format!("${}", params.len())
    }
    let mut params: Vec<Param<'_>> = Vec::new();
    let mut conds: Vec<String> = Vec::new();
    let actor = f
        .actor
        .as_deref()
        .map(|a| push(&mut params, Param::Text(a)));
    let text_filters = [
        ("action", f.action.as_deref()),
        ("mission_id", f.mission_id.as_deref()),
        ("target_id", f.target_id.as_deref()),
    ];
    for (column, value) in text_filters {
        if let Some(v) = value {
            let n = push(&mut params, Param::Text(v));
            conds.push(format!("{column} = {n}"));
        }
    }
    if let Some(from) = f.from {
        let n = push(&mut params, Param::At(from));
        conds.push(format!("at >= {n}"));
    }
    if let Some(to) = f.to {
        let n = push(&mut params, Param::At(to));
        conds.push(format!("at <= {n}"));
    }
    if let Some(before) = f.before_seq {
        let n = push(&mut params, Param::Int(before));
        conds.push(format!("seq < {n}"));
    }
    let limit = format!("${}", params.len() + 1);
    let page = |extra: &[String]| {
        let all: Vec<&str> = extra.iter().chain(&conds).map(String::as_str).collect();
        let filter = if all.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", all.join(" AND "))
        };
        format!("SELECT * FROM audit_log{filter} ORDER BY seq DESC LIMIT {limit}")
    };
    let sql = match actor {
        None => page(&[]),
        Some(a) => format!(
            "SELECT * FROM ({}) AS by_id UNION ALL SELECT * FROM ({}) AS by_label \
             ORDER BY seq DESC LIMIT {limit}",
            page(&[format!("actor_id = {a}")]),
            page(&[
                format!("actor_label = {a}"),
                format!("(actor_id IS NULL OR actor_id <> {a})"),
            ]),
        ),
    };
    (sql, params)
}

#[cfg(test)]
mod tests {
    use sqlx::Row;

    use super::*;
    use crate::testing::TestDb;

    /// The plan each backend chooses for [`list`]'s statement, with these values.
    async fn plan(db: &Db, f: &AuditFilter) -> String {
        let (sql, params) = list_statement(f);
        let lines: Vec<String> = match db.read() {
            Pool::Sqlite(p) => {
                let q = sqlx::query(AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")));
                let rows = bind_params!(q, &params)
                    .bind(50i64)
                    .fetch_all(p)
                    .await
                    .unwrap();
                rows.iter().map(|r| r.get::<String, _>("detail")).collect()
            }
            Pool::Postgres(p) => {
                let q = sqlx::query(AssertSqlSafe(format!("EXPLAIN {sql}"))).persistent(false);
                let rows = bind_params!(q, &params)
                    .bind(50i64)
                    .fetch_all(p)
                    .await
                    .unwrap();
                rows.iter().map(|r| r.get::<String, _>(0)).collect()
            }
        };
        lines.join("\n")
    }

    /// A trail of 3,000 records by one officer, each on its own case, and the planners' view of
    /// it: a value no record has is looked up, not searched for.
    #[tokio::test]
    async fn each_filter_walks_its_own_index() {
        for t in TestDb::all().await {
            let officer = safir_domain::ids::UserId::new();
            let records: Vec<NewAuditRecord> = (0..3_000)
                .map(|i| NewAuditRecord {
                    actor_id: Some(officer.clone()),
                    actor_label: "consul@example.org".into(),
                    action: safir_domain::audit::actions::CASE_LIST,
                    target_type: "case",
                    target_id: Some(format!("case-{i}")),
                    mission_id: None,
                    client_ip: None,
                    summary: serde_json::json!({ "rows": 50 }),
                })
                .collect();
            for chunk in records.chunks(INSERT_ROWS) {
                record_all(&t.db, chunk).await.unwrap();
            }
            with_pool!(t.db.write(), p => {
                sqlx::query("ANALYZE audit_log").execute(p).await.map(|_| ())
            })
            .unwrap();
            let cases = [
                (
                    AuditFilter {
                        target_id: Some("c1".into()),
                        before_seq: Some(1_000),
                        ..AuditFilter::default()
                    },
                    &["audit_log_target"][..],
                ),
                (
                    AuditFilter {
                        actor: Some("amal@example.org".into()),
                        ..AuditFilter::default()
                    },
                    &["audit_log_actor ", "audit_log_actor_label"][..],
                ),
                (
                    AuditFilter {
                        action: Some("user.disable".into()),
                        ..AuditFilter::default()
                    },
                    &["audit_log_action"][..],
                ),
            ];
            for (f, indexes) in cases {
                let plan = plan(&t.db, &f).await;
                for index in indexes {
                    assert!(
                        plan.contains(index),
                        "{:?}: {f:?} does not use {index}:\n{plan}",
                        t.backend()
                    );
                }
            }
        }
    }
}
