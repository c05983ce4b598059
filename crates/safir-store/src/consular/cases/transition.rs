//! The one write path for case states: re-reads the case inside the transaction, asks the
//! domain whether the move is legal, updates it only if nobody moved it meanwhile, and records
//! the event. Audit and notification are the caller's, in the same transaction.

use chrono::{DateTime, Duration, Utc};
use safir_domain::consular::case::{
    self as domain, Actor, CaseAction, CaseState, Priority, case_reference, numbering_year,
};
use safir_domain::ids::CaseId;
use sqlx::AssertSqlSafe;

use super::{Case, find_in_tx};
use crate::error::changed_any;
use crate::{Backend, StoreError, Tx, now, with_tx};

/// One requested move.
#[derive(Debug, Clone)]
pub struct Transition<'a> {
    pub action: CaseAction,
    pub actor: Actor,
    pub actor_id: Option<&'a str>,
    /// Decision reason code, or the text of a request for information.
    pub reason: Option<&'a str>,
    /// On submission: the mission's code (for the reference).
    pub mission_code: &'a str,
    /// How long the mission has to act, from now: on submission, and on the first
    /// acknowledgement of a case whose first due date was its acknowledgement (an emergency);
    /// ignored on other moves.
    pub due_in: Option<Duration>,
}

#[derive(Debug, thiserror::Error)]
pub enum TransitionError {
    #[error(transparent)]
    Illegal(#[from] domain::TransitionError),
    /// Someone else changed the case first; the caller reloads and shows the new state.
    #[error("the case changed meanwhile")]
    Stale,
    /// A submission to a service the mission no longer offers (disabled since the draft was
    /// started); the draft stays as it is.
    #[error("the service is no longer offered")]
    ServiceDisabled,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for TransitionError {
    fn from(e: sqlx::Error) -> Self {
        TransitionError::Store(StoreError::Database(e))
    }
}

/// Refuses a submission to a service that is disabled. On PostgreSQL the read takes a share
/// lock, so an admin disabling the service at this moment waits for the submission (which
/// went in while the service was offered) or is seen by it.
async fn ensure_offered(tx: &mut Tx, service_id: &str) -> Result<(), TransitionError> {
    let lock = match tx.backend() {
        Backend::Postgres => " FOR SHARE",
        Backend::Sqlite => "",
    };
    let sql = format!("SELECT enabled FROM consular_services WHERE id = $1{lock}");
    let enabled: Option<bool> = with_tx!(tx, c => {
        sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(service_id)
            .fetch_optional(c)
            .await
    })?;
    match enabled {
        Some(true) => Ok(()),
        Some(false) => Err(TransitionError::ServiceDisabled),
        None => Err(StoreError::NotFound.into()),
    }
}

/// Applies `t` to the case `id` and returns the case as it now is.
pub async fn transition(
    tx: &mut Tx,
    id: &str,
    t: &Transition<'_>,
) -> Result<(Case, CaseState), TransitionError> {
    transition_seen(tx, id, t, None).await
}

/// [`transition`] only if the case's last move is the one `seen` says (the case's
/// `state_changed_at` as the caller read it): otherwise [`TransitionError::Stale`], and
/// nothing written. A state can come back to what it was (in review, waiting for information,
/// answered, in review again), so the state alone does not tell that a page is still the
/// case as it is: the instant of its last move does, every move setting it anew.
pub async fn transition_seen(
    tx: &mut Tx,
    id: &str,
    t: &Transition<'_>,
    seen: Option<DateTime<Utc>>,
) -> Result<(Case, CaseState), TransitionError> {
    apply(tx, id, t, seen, Offered::Required).await
}

/// [`transition`] for a case the mission opens itself, in a service it may have taken out of
/// the public catalogue: a submission is not refused for it (a crisis "need help" answer
/// opens its emergency case whether or not the mission offers emergency requests online).
pub async fn transition_offered_or_not(
    tx: &mut Tx,
    id: &str,
    t: &Transition<'_>,
) -> Result<(Case, CaseState), TransitionError> {
    apply(tx, id, t, None, Offered::NotRequired).await
}

/// Whether a submission needs its service offered online.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Offered {
    Required,
    NotRequired,
}

async fn apply(
    tx: &mut Tx,
    id: &str,
    t: &Transition<'_>,
    seen: Option<DateTime<Utc>>,
    offered: Offered,
) -> Result<(Case, CaseState), TransitionError> {
    crate::consular::changed();
    if seen.is_some() {
        // The row is held from here (PostgreSQL; SQLite's write transaction already is):
        // the case read next is the one written below, not one a move committed in between
        // turned back to the same state.
        hold(tx, id).await?;
    }
    let case = find_in_tx(tx, id).await?;
    if seen.is_some_and(|s| s != case.state_changed_at) {
        return Err(TransitionError::Stale);
    }
    let from = case.state()?;
    let next = from.apply(case.kind()?, t.action, t.actor)?;
    let at = now();
    if t.action == CaseAction::Submit && offered == Offered::Required {
        ensure_offered(tx, &case.service_id).await?;
    }

    let reference = match t.action {
        CaseAction::Submit if case.reference.is_none() => {
            let zone: Option<String> = with_tx!(tx, c => {
                sqlx::query_scalar("SELECT time_zone FROM missions WHERE id = $1")
                    .bind(&case.mission_id)
                    .fetch_optional(c)
                    .await
            })?;
            let year = numbering_year(at, zone.as_deref().unwrap_or("UTC"));
            let last: i64 = with_tx!(tx, c => {
                sqlx::query_scalar(
                    "INSERT INTO case_counters (mission_id, year, last) VALUES ($1, $2, 1) \
                     ON CONFLICT (mission_id, year) DO UPDATE SET last = case_counters.last + 1 RETURNING last",
                )
                .bind(&case.mission_id)
                .bind(year)
                .fetch_one(c)
                .await
            })?;
            Some(case_reference(t.mission_code, year, last))
        }
        _ => case.reference.clone(),
    };
    let submitted_at = match t.action {
        CaseAction::Submit => Some(at),
        _ => case.submitted_at,
    };
    let due_at = match (t.action, t.due_in) {
        (CaseAction::Submit, Some(d)) => Some(at + d),
        // A due date that starts at the first acknowledgement (an emergency's resolution,
        // once its acknowledgement is met).
        (CaseAction::StartReview, Some(d)) if case.acknowledged_at.is_none() => Some(at + d),
        _ => case.due_at,
    };
    let acknowledged_at = match t.action {
        CaseAction::StartReview => case.acknowledged_at.or(Some(at)),
        _ => case.acknowledged_at,
    };
    let decision_reason = match t.action {
        CaseAction::Approve | CaseAction::Reject => t.reason.map(str::to_owned),
        _ => case.decision_reason.clone(),
    };
    let closed_at = (next == CaseState::Closed).then_some(at);
    // A case closed or withdrawn waits for no one's answer any more. Otherwise the wait is
    // left as the row holds it, not as it was read above: a message of the applicant's
    // committed meanwhile (PostgreSQL reads committed rows) keeps its mark.
    let ends_wait = matches!(next, CaseState::Closed | CaseState::Withdrawn);
    let expires_at = if next == CaseState::Draft {
        case.expires_at
    } else {
        None
    };
    // The category a visa is sent with stays valid for it (see `Case::submitted_visa_type`).
    let submitted_visa_type = match t.action {
        CaseAction::Submit => case
            .form()
            .get("visa_type")
            .filter(|v| !v.is_empty())
            .cloned(),
        _ => case.submitted_visa_type.clone(),
    };

    let n = with_tx!(tx, c => {
        sqlx::query(
            "UPDATE cases SET state = $3, reference = $4, submitted_at = $5, due_at = $6, acknowledged_at = $7, \
             decision_reason = $8, closed_at = $9, expires_at = $10, state_changed_at = $11, updated_at = $11, \
             awaiting_reply_since = CASE WHEN $12 THEN NULL ELSE awaiting_reply_since END, \
             submitted_visa_type = $13 \
             WHERE id = $1 AND state = $2",
        )
        .bind(&case.id)
        .bind(from.as_str())
        .bind(next.as_str())
        .bind(&reference)
        .bind(submitted_at)
        .bind(due_at)
        .bind(acknowledged_at)
        .bind(&decision_reason)
        .bind(closed_at)
        .bind(expires_at)
        .bind(at)
        .bind(ends_wait)
        .bind(&submitted_visa_type)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if n != 1 {
        return Err(TransitionError::Stale);
    }
    with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO case_events (id, case_id, at, actor_id, action, from_state, to_state, reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(CaseId::new().as_str())
        .bind(&case.id)
        .bind(at)
        .bind(t.actor_id)
        .bind(t.action.as_str())
        .bind(from.as_str())
        .bind(next.as_str())
        .bind(t.reason)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    let updated = find_in_tx(tx, id).await?;
    Ok((updated, from))
}

/// Holds the case's row until `tx` ends, so that a second request doing the same to the
/// case waits for this one and then sees what it wrote (PostgreSQL; SQLite's single writer
/// does so already): a write to the row that changes nothing.
pub async fn hold(tx: &mut Tx, case_id: &str) -> Result<(), StoreError> {
    with_tx!(tx, c => {
        sqlx::query("UPDATE cases SET updated_at = updated_at WHERE id = $1")
            .bind(case_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Gives the case to an officer (or back to the pool with `None`), if `from` still works
/// it (`None`: nobody did): false, and nothing written, when someone changed the assignment
/// since `from` was read (or the case is no longer there to assign). On PostgreSQL a second
/// writer waits for the first to commit, then finds the assignment changed.
pub async fn assign(
    tx: &mut Tx,
    id: &str,
    mission_id: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<bool, StoreError> {
    crate::consular::changed();
    let n = with_tx!(tx, c => {
        sqlx::query(
            "UPDATE cases SET assignee_id = $3, updated_at = $4 WHERE id = $1 AND mission_id = $2 \
             AND state <> 'draft' AND (assignee_id = $5 OR (assignee_id IS NULL AND $5 IS NULL))",
        )
        .bind(id)
        .bind(mission_id)
        .bind(to)
        .bind(now())
        .bind(from)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

pub async fn set_priority(
    tx: &mut Tx,
    id: &str,
    mission_id: &str,
    priority: Priority,
) -> Result<(), StoreError> {
    crate::consular::changed();
    let n = with_tx!(tx, c => {
        sqlx::query("UPDATE cases SET priority = $3, updated_at = $4 WHERE id = $1 AND mission_id = $2")
            .bind(id)
            .bind(mission_id)
            .bind(priority.rank())
            .bind(now())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    changed_any(n)
}

/// An officer's triage: sets the priority to `to` if the case still has `from`, the one the
/// officer was shown. False, and nothing written, when someone changed it since (or the
/// case is no longer there): a colleague's "critical" is not lowered unseen.
pub async fn reprioritise(
    tx: &mut Tx,
    id: &str,
    mission_id: &str,
    from: Priority,
    to: Priority,
) -> Result<bool, StoreError> {
    crate::consular::changed();
    let n = with_tx!(tx, c => {
        sqlx::query(
            "UPDATE cases SET priority = $3, updated_at = $4 WHERE id = $1 AND mission_id = $2 \
             AND priority = $5",
        )
        .bind(id)
        .bind(mission_id)
        .bind(to.rank())
        .bind(now())
        .bind(from.rank())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Raises an unacknowledged submission to escalation `level` and hands it to `assignee`, if
/// the case is still held by `from` (`None`: nobody), the holder the caller read and chose
/// `assignee` after. False, and nothing written, when it was acknowledged, moved on, already
/// escalated this far (a job run twice), or given to someone else since `from` was read: an
/// officer who took the case a moment ago does not lose it to a choice made without them.
/// On PostgreSQL an assignment being written makes this wait, then find the holder changed.
pub async fn escalate(
    tx: &mut Tx,
    id: &str,
    level: i32,
    from: Option<&str>,
    assignee: Option<&str>,
) -> Result<bool, StoreError> {
    crate::consular::changed();
    let n = with_tx!(tx, c => {
        sqlx::query(
            "UPDATE cases SET escalation_level = $2, assignee_id = COALESCE($3, assignee_id), updated_at = $4 \
             WHERE id = $1 AND state = 'submitted' AND acknowledged_at IS NULL AND escalation_level < $2 \
             AND (assignee_id = $5 OR (assignee_id IS NULL AND $5 IS NULL))",
        )
        .bind(id)
        .bind(level)
        .bind(assignee)
        .bind(now())
        .bind(from)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// An applicant's emergency requests, as the limits on sending them count them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmergencyLoad {
    /// When each emergency request of theirs submitted since the instant asked for was sent,
    /// oldest first.
    pub submitted: Vec<DateTime<Utc>>,
    /// How many of their emergency requests wait for the mission's acknowledgement.
    pub unacknowledged: i64,
}

/// Counts `applicant_id`'s emergency requests: those submitted since `since`, and those still
/// waiting for an acknowledgement. On PostgreSQL the count waits for any other transaction
/// counting the same applicant's (a lock held until `tx` ends), so two requests sent at once
/// are counted one after the other, the second seeing the first; SQLite's single writer does
/// so already.
pub async fn emergency_load(
    tx: &mut Tx,
    applicant_id: &str,
    since: DateTime<Utc>,
) -> Result<EmergencyLoad, StoreError> {
    if tx.backend() == Backend::Postgres {
        with_tx!(tx, c => {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(format!("emergency-requests:{applicant_id}"))
                .execute(c)
                .await
                .map(drop)
        })?;
    }
    let submitted: Vec<DateTime<Utc>> = with_tx!(tx, c => {
        sqlx::query_scalar(
            "SELECT submitted_at FROM cases WHERE applicant_id = $1 AND kind = 'emergency' \
             AND submitted_at IS NOT NULL AND submitted_at >= $2 ORDER BY submitted_at",
        )
        .bind(applicant_id)
        .bind(since)
        .fetch_all(c)
        .await
    })?;
    let unacknowledged: i64 = with_tx!(tx, c => {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM cases WHERE applicant_id = $1 AND kind = 'emergency' \
             AND state = 'submitted' AND acknowledged_at IS NULL",
        )
        .bind(applicant_id)
        .fetch_one(c)
        .await
    })?;
    Ok(EmergencyLoad {
        submitted,
        unacknowledged,
    })
}
