//! Crisis alerts: drafts, their life (every change a conditional UPDATE, so of two
//! concurrent submits or approvals exactly one wins), completion once delivered, and the
//! published list behind the CAP feed.

use chrono::{DateTime, Utc};
use safir_domain::crisis::alert::{AlertInput, AlertStatus};
use safir_domain::crisis::cap::{Category, Certainty, MsgType, ResponseType, Severity, Urgency};
use safir_domain::crisis::geo::Target;
use safir_domain::ids::{MissionId, UserId};

use super::audience::AudienceCounts;
use crate::{Backend, Db, StoreError, Tx, now, with_pool, with_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Alert {
    pub id: String,
    pub identifier: String,
    pub crisis_id: Option<String>,
    pub mission_id: String,
    pub msg_type: String,
    pub references_id: Option<String>,
    pub status: String,
    pub headline_ar: String,
    pub headline_en: String,
    pub description_ar: String,
    pub description_en: String,
    pub instruction_ar: String,
    pub instruction_en: String,
    pub category: String,
    pub event: String,
    pub response_type: String,
    pub urgency: String,
    pub severity: String,
    pub certainty: String,
    pub onset: Option<DateTime<Utc>>,
    pub expires: Option<DateTime<Utc>>,
    pub target: String,
    pub area_desc: String,
    pub audience: String,
    pub source: String,
    pub created_by: Option<String>,
    pub approved_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub approved_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub fanout_at: Option<DateTime<Utc>>,
}

fn corrupt(id: &str, what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("alert {id} {what}: {e}"))
}

impl Alert {
    pub fn status(&self) -> Result<AlertStatus, StoreError> {
        AlertStatus::parse(&self.status).map_err(|e| corrupt(&self.id, "status", e))
    }

    pub fn msg_type(&self) -> Result<MsgType, StoreError> {
        MsgType::parse(&self.msg_type).map_err(|e| corrupt(&self.id, "msg_type", e))
    }

    pub fn target(&self) -> Result<Target, StoreError> {
        serde_json::from_str(&self.target).map_err(|e| corrupt(&self.id, "target", e))
    }

    /// The audience counted at the last preview or at sending.
    pub fn audience(&self) -> AudienceCounts {
        serde_json::from_str(&self.audience).unwrap_or_default()
    }

    /// The stored alert as the validated input it was made from.
    pub fn input(&self) -> Result<AlertInput, StoreError> {
        let id = &self.id;
        Ok(AlertInput {
            headline_ar: self.headline_ar.clone(),
            headline_en: self.headline_en.clone(),
            description_ar: self.description_ar.clone(),
            description_en: self.description_en.clone(),
            instruction_ar: self.instruction_ar.clone(),
            instruction_en: self.instruction_en.clone(),
            category: Category::parse(&self.category).map_err(|e| corrupt(id, "category", e))?,
            event: self.event.clone(),
            response_type: ResponseType::parse(&self.response_type)
                .map_err(|e| corrupt(id, "response_type", e))?,
            urgency: Urgency::parse(&self.urgency).map_err(|e| corrupt(id, "urgency", e))?,
            severity: Severity::parse(&self.severity).map_err(|e| corrupt(id, "severity", e))?,
            certainty: Certainty::parse(&self.certainty)
                .map_err(|e| corrupt(id, "certainty", e))?,
            onset: self.onset,
            expires: self.expires,
            target: self.target()?,
            area_desc: self.area_desc.clone(),
        })
    }

    pub fn mission(&self) -> MissionId {
        MissionId::from_trusted(self.mission_id.clone())
    }

    pub fn headline(&self, lang: safir_domain::Lang) -> &str {
        match lang {
            safir_domain::Lang::Ar => &self.headline_ar,
            _ => &self.headline_en,
        }
    }
}

/// A new draft.
#[derive(Debug, Clone)]
pub struct NewAlert {
    pub crisis_id: Option<String>,
    pub mission_id: MissionId,
    pub msg_type: MsgType,
    /// The alert an Update or Cancel refers to.
    pub references_id: Option<String>,
    pub input: AlertInput,
    /// Imported CAP: `sender identifier` of the original; empty otherwise.
    pub source: String,
    pub created_by: Option<UserId>,
}

const COLUMNS: &str = "id, identifier, crisis_id, mission_id, msg_type, references_id, status, \
     headline_ar, headline_en, description_ar, description_en, instruction_ar, instruction_en, \
     category, event, response_type, urgency, severity, certainty, onset, expires, target, \
     area_desc, audience, source, created_by, approved_by, created_at, updated_at, submitted_at, \
     approved_at, sent_at, completed_at, cancelled_at, fanout_at";

fn target_json(target: &Target) -> Result<String, StoreError> {
    serde_json::to_string(target).map_err(|e| StoreError::Corrupt(format!("alert target: {e}")))
}

/// Stores a draft inside the caller's transaction.
pub async fn create_draft(tx: &mut Tx, new: &NewAlert) -> Result<Alert, StoreError> {
    create_draft_keyed(tx, new, None)
        .await
        .map(|(alert, _)| alert)
}

/// [`create_draft`], once per `request_key` of the mission (the key of the form it was
/// written on): the same form sent again (a double click, a retried request) finds the draft
/// the first made, returned with `false`; a new draft comes with `true`. On PostgreSQL a
/// request sent twice at once waits for the first to commit, then finds its draft.
pub async fn create_draft_keyed(
    tx: &mut Tx,
    new: &NewAlert,
    request_key: Option<&str>,
) -> Result<(Alert, bool), StoreError> {
    let id = uuid::Uuid::now_v7().as_simple().to_string();
    let t = now();
    let i = &new.input;
    let alert = Alert {
        identifier: format!("safir-{id}"),
        id,
        crisis_id: new.crisis_id.clone(),
        mission_id: new.mission_id.as_str().to_owned(),
        msg_type: new.msg_type.as_str().to_owned(),
        references_id: new.references_id.clone(),
        status: AlertStatus::Draft.as_str().to_owned(),
        headline_ar: i.headline_ar.clone(),
        headline_en: i.headline_en.clone(),
        description_ar: i.description_ar.clone(),
        description_en: i.description_en.clone(),
        instruction_ar: i.instruction_ar.clone(),
        instruction_en: i.instruction_en.clone(),
        category: i.category.as_str().to_owned(),
        event: i.event.clone(),
        response_type: i.response_type.as_str().to_owned(),
        urgency: i.urgency.as_str().to_owned(),
        severity: i.severity.as_str().to_owned(),
        certainty: i.certainty.as_str().to_owned(),
        onset: i.onset,
        expires: i.expires,
        target: target_json(&i.target)?,
        area_desc: i.area_desc.clone(),
        audience: "{}".to_owned(),
        source: new.source.clone(),
        created_by: new.created_by.as_ref().map(|u| u.as_str().to_owned()),
        approved_by: None,
        created_at: t,
        updated_at: t,
        submitted_at: None,
        approved_at: None,
        sent_at: None,
        completed_at: None,
        cancelled_at: None,
        fanout_at: None,
    };
    let sql = format!(
        "INSERT INTO crisis_alerts ({COLUMNS}, request_key) VALUES ($1, $2, $3, $4, $5, $6, $7, \
         $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, \
         $26, NULL, $27, $27, NULL, NULL, NULL, NULL, NULL, NULL, $28) ON CONFLICT DO NOTHING"
    );
    let a = &alert;
    let n = with_tx!(tx, c => {
        sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(&a.id).bind(&a.identifier).bind(&a.crisis_id).bind(&a.mission_id)
            .bind(&a.msg_type).bind(&a.references_id).bind(&a.status)
            .bind(&a.headline_ar).bind(&a.headline_en).bind(&a.description_ar)
            .bind(&a.description_en).bind(&a.instruction_ar).bind(&a.instruction_en)
            .bind(&a.category).bind(&a.event).bind(&a.response_type).bind(&a.urgency)
            .bind(&a.severity).bind(&a.certainty).bind(a.onset).bind(a.expires)
            .bind(&a.target).bind(&a.area_desc).bind(&a.audience).bind(&a.source)
            .bind(&a.created_by).bind(t)
            .bind(request_key)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    if n == 1 {
        return Ok((alert, true));
    }
    // The request key's: the other unique columns (id, identifier) are new.
    let sql =
        format!("SELECT {COLUMNS} FROM crisis_alerts WHERE mission_id = $1 AND request_key = $2");
    let first: Option<Alert> = with_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(&alert.mission_id)
            .bind(request_key)
            .fetch_optional(c)
            .await
    })?;
    first.map(|a| (a, false)).ok_or(StoreError::NotFound)
}

/// Replaces a draft's text and target. `false` when the alert is no longer a draft (someone
/// submitted it meanwhile) or, with `seen`, when it was saved since that version
/// (`updated_at`) was read: a colleague's save is not overwritten unseen.
pub async fn update_draft(
    tx: &mut Tx,
    id: &str,
    i: &AlertInput,
    seen: Option<DateTime<Utc>>,
) -> Result<bool, StoreError> {
    let target = target_json(&i.target)?;
    let n = with_tx!(tx, c => {
        sqlx::query(
            "UPDATE crisis_alerts SET headline_ar = $2, headline_en = $3, description_ar = $4, \
             description_en = $5, instruction_ar = $6, instruction_en = $7, category = $8, \
             event = $9, response_type = $10, urgency = $11, severity = $12, certainty = $13, \
             onset = $14, expires = $15, target = $16, area_desc = $17, audience = '{}', \
             updated_at = $18 WHERE id = $1 AND status = 'draft' \
             AND ($19 IS NULL OR updated_at = $19)",
        )
        .bind(id)
        .bind(&i.headline_ar).bind(&i.headline_en).bind(&i.description_ar)
        .bind(&i.description_en).bind(&i.instruction_ar).bind(&i.instruction_en)
        .bind(i.category.as_str()).bind(&i.event).bind(i.response_type.as_str())
        .bind(i.urgency.as_str()).bind(i.severity.as_str()).bind(i.certainty.as_str())
        .bind(i.onset).bind(i.expires).bind(&target).bind(&i.area_desc).bind(now())
        .bind(seen)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

pub async fn find(db: &Db, id: &str) -> Result<Alert, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM crisis_alerts WHERE id = $1");
    with_pool!(db.read(), p => {
        sqlx::query_as::<_, Alert>(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(p).await
    })?
    .ok_or(StoreError::NotFound)
}

/// The same, read inside a transaction (sees its own writes).
pub async fn find_in(tx: &mut Tx, id: &str) -> Result<Alert, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM crisis_alerts WHERE id = $1");
    with_tx!(tx, c => {
        sqlx::query_as::<_, Alert>(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(c).await
    })?
    .ok_or(StoreError::NotFound)
}

/// Alerts of the given missions (`None`: all), newest first. The missions are chosen in the
/// query, before its limit: the newest alerts of other missions must not fill the page.
pub async fn list(
    db: &Db,
    missions: Option<&[MissionId]>,
    limit: i64,
) -> Result<Vec<Alert>, StoreError> {
    let limit = limit.clamp(1, 1000);
    let (filter, ids) = mission_filter(missions, 2);
    if ids.as_ref().is_some_and(Vec::is_empty) {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM crisis_alerts {filter} ORDER BY created_at DESC, id DESC LIMIT $1"
    );
    Ok(with_pool!(db.read(), p => {
        let mut q = sqlx::query_as::<_, Alert>(sqlx::AssertSqlSafe(sql.as_str())).bind(limit);
        for id in ids.iter().flatten() {
            q = q.bind(*id);
        }
        q.fetch_all(p).await
    })?)
}

/// `WHERE mission_id IN ($first, …)` for these missions, and the ids to bind in order;
/// nothing for all missions. An empty list of missions gives an empty list of ids.
pub(crate) fn mission_filter(
    missions: Option<&[MissionId]>,
    first: usize,
) -> (String, Option<Vec<&str>>) {
    match missions {
        None => (String::new(), None),
        Some(ms) => {
            let places: Vec<String> = (first..first + ms.len()).map(|n| format!("${n}")).collect();
            (
                format!("WHERE mission_id IN ({})", places.join(", ")),
                Some(ms.iter().map(MissionId::as_str).collect()),
            )
        }
    }
}

/// Alerts of one crisis, newest first.
pub async fn list_for_crisis(db: &Db, crisis_id: &str) -> Result<Vec<Alert>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM crisis_alerts WHERE crisis_id = $1 ORDER BY created_at DESC, id DESC"
    );
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as::<_, Alert>(sqlx::AssertSqlSafe(sql.as_str())).bind(crisis_id).fetch_all(p).await
    })?)
}

/// Published alerts (sending, completed or cancelled), newest first: the CAP feed.
pub async fn list_published(db: &Db, limit: i64) -> Result<Vec<Alert>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM crisis_alerts WHERE status IN ('sending', 'completed', 'cancelled') \
         AND sent_at IS NOT NULL ORDER BY sent_at DESC, id DESC LIMIT $1"
    );
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as::<_, Alert>(sqlx::AssertSqlSafe(sql.as_str())).bind(limit.clamp(1, 500)).fetch_all(p).await
    })?)
}

/// One change of status.
#[derive(Debug, Clone)]
pub struct Transition<'a> {
    pub from: AlertStatus,
    pub to: AlertStatus,
    /// Who approved (for pending_approval → sending).
    pub by: Option<&'a UserId>,
    /// The audience counted when submitting (stored with the alert).
    pub audience: Option<&'a AudienceCounts>,
    /// The area (`target`, as stored) that audience was counted for: the move happens only
    /// if the area is still that one. A draft saved again between the count and the move
    /// would otherwise go out on a count it was not given.
    pub counted_area: Option<&'a str>,
    /// The version (`updated_at`) the acting page showed: the move happens only if the alert
    /// was not changed since. An alert sent back, edited and submitted again is waiting for
    /// approval again, but not the one the approver read.
    pub seen: Option<DateTime<Utc>>,
}

/// Moves an alert from `from` to `to` only if it is still in `from` (and its area still
/// `counted_area`, when given): of two concurrent requests exactly one gets `true`. Stamps
/// the matching time column.
pub async fn transition(tx: &mut Tx, id: &str, t: &Transition<'_>) -> Result<bool, StoreError> {
    use AlertStatus::*;
    let stamp = match (t.from, t.to) {
        (Draft, PendingApproval) => "submitted_at = $4",
        (Draft, Sending) => "submitted_at = $4, sent_at = $4",
        (PendingApproval, Sending) => "approved_at = $4, sent_at = $4",
        (PendingApproval, Draft) => "submitted_at = NULL",
        (_, Completed) => "completed_at = $4",
        (_, Cancelled) => "cancelled_at = $4",
        _ => "updated_at = $4",
    };
    let audience = match t.audience {
        Some(a) => {
            serde_json::to_string(a).map_err(|e| StoreError::Corrupt(format!("audience: {e}")))?
        }
        None => String::new(),
    };
    let sql = format!(
        "UPDATE crisis_alerts SET status = $3, {stamp}, approved_by = COALESCE($5, approved_by), \
         audience = CASE WHEN $6 = '' THEN audience ELSE $6 END, updated_at = $4 \
         WHERE id = $1 AND status = $2 AND ($7 = '' OR target = $7) AND ($8 IS NULL OR updated_at = $8)"
    );
    let n = with_tx!(tx, c => {
        sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id)
            .bind(t.from.as_str())
            .bind(t.to.as_str())
            .bind(now())
            .bind(t.by.map(|u| u.as_str().to_owned()))
            .bind(&audience)
            .bind(t.counted_area.unwrap_or(""))
            .bind(t.seen)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Records the audience of a preview on a draft.
pub async fn set_audience(db: &Db, id: &str, counts: &AudienceCounts) -> Result<(), StoreError> {
    let json =
        serde_json::to_string(counts).map_err(|e| StoreError::Corrupt(format!("audience: {e}")))?;
    with_pool!(db.write(), p => {
        sqlx::query("UPDATE crisis_alerts SET audience = $2 WHERE id = $1 AND status = 'draft'")
            .bind(id)
            .bind(&json)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Marks the fan-out finished and records the audience it wrote.
pub async fn mark_fanned_out(
    tx: &mut Tx,
    id: &str,
    counts: &AudienceCounts,
) -> Result<bool, StoreError> {
    let json =
        serde_json::to_string(counts).map_err(|e| StoreError::Corrupt(format!("audience: {e}")))?;
    let n = with_tx!(tx, c => {
        sqlx::query("UPDATE crisis_alerts SET fanout_at = $2, audience = $3 WHERE id = $1 AND fanout_at IS NULL")
            .bind(id)
            .bind(now())
            .bind(&json)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Completes a sending alert once its fan-out is done and no delivery is left queued. Called
/// by the delivery after each batch; `true` when this call completed it.
pub async fn complete_if_delivered(db: &Db, alert_id: &str) -> Result<bool, StoreError> {
    let n = with_pool!(db.write(), p => {
        sqlx::query(
            "UPDATE crisis_alerts SET status = 'completed', completed_at = $2, updated_at = $2 \
             WHERE id = $1 AND status = 'sending' AND fanout_at IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM crisis_deliveries d WHERE d.alert_id = $1 \
              AND d.channel IN ('email', 'sms', 'webhook') AND d.status IN ('queued', 'sending'))",
        )
        .bind(alert_id)
        .bind(now())
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Stops what is still queued of an alert an Update supersedes: its queued deliveries fail
/// with `superseded`, so nobody receives the earlier text after the update (rows waiting for
/// a retry, or the end of a slow SMS queue). The alert itself completes as its rows end.
/// Returns the deliveries stopped.
pub async fn supersede_queue(tx: &mut Tx, alert_id: &str) -> Result<u64, StoreError> {
    fail_queued(tx, alert_id, "superseded").await
}

/// When a later Update or Cancel of `alert_id`'s thread went out (is sending or sent), stops
/// what the alert still has queued, as [`supersede_thread`] or [`stop_thread`] did when it
/// was sent: rows put back for a retry since (a 429 or 503 from the gateway), or written by
/// the alert's fan-out after it, would still carry the earlier text. Returns the deliveries
/// stopped (0 without such a message, which costs one read).
pub async fn stop_superseded(db: &Db, alert_id: &str) -> Result<u64, StoreError> {
    if !superseded(db, alert_id).await? {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    let stopped = supersede_queue(&mut tx, alert_id).await?;
    tx.commit().await?;
    Ok(stopped)
}

/// Whether an Update or a Cancel of the thread of `alert_id` went out after it: the one an
/// Update or Cancel references, or an earlier Update of the same original (a second Update
/// supersedes the first; a Cancel sent from the original's page ends its Updates too).
async fn superseded(db: &Db, alert_id: &str) -> Result<bool, StoreError> {
    let sql = format!(
        "{THREAD} SELECT EXISTS (SELECT 1 FROM crisis_alerts x JOIN thread ON x.id = thread.id \
         JOIN crisis_alerts me ON me.id = $1 \
         WHERE x.id <> $1 AND x.msg_type IN ('Update', 'Cancel') \
         AND x.status IN ('sending', 'completed') \
         AND (me.sent_at IS NULL OR x.sent_at > me.sent_at OR x.references_id = $1))"
    );
    Ok(with_pool!(db.read(), p => {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(alert_id).fetch_one(p).await
    })?)
}

/// Fails what `alert_id` still has queued, with `why` (`expired`: its expiry passed while
/// messages were still queued, a gateway that answered 503 for hours; or why a delivery
/// found it stopped, [`delivery_stop`]). Returns the deliveries stopped.
pub async fn stop_queue(db: &Db, alert_id: &str, why: &str) -> Result<u64, StoreError> {
    let mut tx = db.begin().await?;
    let stopped = fail_queued(&mut tx, alert_id, why).await?;
    tx.commit().await?;
    Ok(stopped)
}

/// Why an alert being delivered is to send nothing more, read again before each batch: a
/// Cancel of its thread went out (`cancelled`: it is no longer sending), or a later Update
/// of it did (`superseded`). `None` while it is still to be sent.
pub async fn delivery_stop(db: &Db, alert_id: &str) -> Result<Option<&'static str>, StoreError> {
    let status: Option<String> = with_pool!(db.read(), p => {
        sqlx::query_scalar("SELECT status FROM crisis_alerts WHERE id = $1")
            .bind(alert_id)
            .fetch_optional(p)
            .await
    })?;
    if status.as_deref() != Some(AlertStatus::Sending.as_str()) {
        return Ok(Some("cancelled"));
    }
    Ok(superseded(db, alert_id).await?.then_some("superseded"))
}

/// An Update `update_id` starts sending: what every other alert of its thread still has
/// queued fails as superseded (nobody should get an earlier text after the update: the
/// original's, or a first Update's when a second is sent from the original's page). Returns
/// the deliveries stopped.
pub async fn supersede_thread(tx: &mut Tx, update_id: &str) -> Result<u64, StoreError> {
    fail_queued_in_thread(tx, update_id, "superseded").await
}

/// A Cancel `cancel_id` starts sending: every other alert of its thread stops (its queued
/// deliveries fail as cancelled, and a sending one becomes cancelled), the original's and
/// its Updates' alike, whichever of them the Cancel was sent from. Returns the deliveries
/// stopped.
pub async fn stop_thread(tx: &mut Tx, cancel_id: &str) -> Result<u64, StoreError> {
    let stopped = fail_queued_in_thread(tx, cancel_id, "cancelled").await?;
    let sql = format!(
        "{THREAD} UPDATE crisis_alerts SET status = 'cancelled', cancelled_at = $2, updated_at = $2 \
         WHERE id IN (SELECT id FROM thread WHERE id <> $1) AND status = 'sending'"
    );
    with_tx!(tx, c => {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(cancel_id)
            .bind(now())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(stopped)
}

async fn fail_queued_in_thread(tx: &mut Tx, id: &str, why: &str) -> Result<u64, StoreError> {
    let sql = format!(
        "{THREAD} UPDATE crisis_deliveries SET status = 'failed', last_error = $3, failed_at = $2 \
         WHERE alert_id IN (SELECT id FROM thread WHERE id <> $1) \
         AND channel IN ('email', 'sms', 'webhook') AND status = 'queued'"
    );
    Ok(with_tx!(tx, c => {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(now())
            .bind(why)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?)
}

async fn fail_queued(tx: &mut Tx, alert_id: &str, why: &str) -> Result<u64, StoreError> {
    Ok(with_tx!(tx, c => {
        sqlx::query(
            "UPDATE crisis_deliveries SET status = 'failed', last_error = $3, failed_at = $2 \
             WHERE alert_id = $1 AND channel IN ('email', 'sms', 'webhook') AND status = 'queued'",
        )
        .bind(alert_id)
        .bind(now())
        .bind(why)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?)
}

/// The alerts of the thread `id` belongs to: its first alert (followed back through what each
/// references), and every alert that references one of the thread. `$1` is `id`.
const THREAD: &str = "WITH RECURSIVE up(id, references_id) AS ( \
       SELECT id, references_id FROM crisis_alerts WHERE id = $1 \
       UNION SELECT a.id, a.references_id FROM crisis_alerts a JOIN up ON a.id = up.references_id), \
     thread(id) AS ( \
       SELECT id FROM up WHERE references_id IS NULL \
       UNION SELECT a.id FROM crisis_alerts a JOIN thread ON a.references_id = thread.id)";

/// Whether a Cancel message of the thread `id` belongs to went out: then the event is over,
/// and nothing of the thread is updated, cancelled or sent again.
const THREAD_CANCELLED: &str = "SELECT EXISTS (SELECT 1 FROM crisis_alerts a JOIN thread ON a.id = thread.id \
     WHERE a.msg_type = 'Cancel' AND a.sent_at IS NOT NULL)";

/// Whether a Cancel of the thread of `id` went out (see [`hold_thread`]), for drawing a page.
pub async fn thread_cancelled(db: &Db, id: &str) -> Result<bool, StoreError> {
    let sql = format!("{THREAD} {THREAD_CANCELLED}");
    Ok(with_pool!(db.read(), p => {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(p).await
    })?)
}

/// First in a transaction that opens a follow-up of `id` or sends an alert of its thread: on
/// PostgreSQL it locks the thread's first alert, so that two such transactions of one thread
/// (a double click, a Cancel sent while an Update is) run one after the other and each sees
/// what the other did (on SQLite the writer's lock orders them). Returns whether a Cancel of
/// the thread went out.
pub async fn hold_thread(tx: &mut Tx, id: &str) -> Result<bool, StoreError> {
    if tx.backend() == Backend::Postgres {
        let sql = format!(
            "{THREAD} SELECT a.id FROM crisis_alerts a JOIN up ON a.id = up.id \
             WHERE up.references_id IS NULL FOR NO KEY UPDATE OF a"
        );
        with_tx!(tx, c => {
            sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await
        })?;
    }
    let sql = format!("{THREAD} {THREAD_CANCELLED}");
    Ok(with_tx!(tx, c => {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(c).await
    })?)
}

/// An open draft (or one waiting for approval) of `msg_type` that references `id`: the one a
/// second "Update" or "Cancel" on `id` opens again rather than making another.
pub async fn open_follow_up(
    tx: &mut Tx,
    id: &str,
    msg_type: MsgType,
) -> Result<Option<String>, StoreError> {
    Ok(with_tx!(tx, c => {
        sqlx::query_scalar(
            "SELECT id FROM crisis_alerts WHERE references_id = $1 AND msg_type = $2 \
             AND status IN ('draft', 'pending_approval') ORDER BY created_at, id LIMIT 1",
        )
        .bind(id)
        .bind(msg_type.as_str())
        .fetch_optional(c)
        .await
    })?)
}

/// Whether the crisis `crisis_id` is open, read in `tx`, first in a transaction that opens
/// or sends an alert in it, or asks its people to check in. On PostgreSQL the crisis is held
/// (`FOR SHARE`) for the rest of `tx`: closing it (an UPDATE of the row, see
/// `crises::close`) waits until `tx` ends, and `tx` waits for a close under way and then
/// reads the crisis closed; on SQLite the writer's lock orders them. `false` for a crisis
/// that is not there.
pub async fn hold_crisis_open(tx: &mut Tx, crisis_id: &str) -> Result<bool, StoreError> {
    let sql = match tx.backend() {
        Backend::Postgres => "SELECT status FROM crises WHERE id = $1 FOR SHARE",
        Backend::Sqlite => "SELECT status FROM crises WHERE id = $1",
    };
    let status: Option<String> = with_tx!(tx, c => {
        sqlx::query_scalar(sql).bind(crisis_id).fetch_optional(c).await
    })?;
    Ok(status.as_deref() == Some("open"))
}

/// [`hold_crisis_open`] for the crisis of the alert `id`, read in `tx`; `None` when the alert
/// belongs to no crisis.
pub async fn hold_alert_crisis_open(tx: &mut Tx, id: &str) -> Result<Option<bool>, StoreError> {
    let crisis: Option<Option<String>> = with_tx!(tx, c => {
        sqlx::query_scalar("SELECT crisis_id FROM crisis_alerts WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    match crisis.flatten() {
        Some(crisis_id) => hold_crisis_open(tx, &crisis_id).await.map(Some),
        None => Ok(None),
    }
}
