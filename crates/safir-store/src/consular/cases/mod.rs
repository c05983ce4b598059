//! Cases: drafts, the state history, messages and notes, the officers' queues, and the
//! purge of finished files. State changes go through [`transition`] only.

mod history;
mod messages;
mod overdue;
mod queue;
mod transition;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use safir_domain::consular::case::{CaseKind, CaseState, Priority};
use safir_domain::ids::CaseId;

use crate::error::changed_any;
use crate::name_key::name_key;
use crate::{Backend, Db, StoreError, Tx, now, with_pool, with_tx};

pub use history::spread_history;
pub use messages::{
    Message, REPEAT_WINDOW, add_message, add_message_once, last_messages_for_applicant,
    list_messages, start_wait,
};
pub use overdue::{OverdueRow, overdue_by_service};
pub use queue::{
    AssigneeFilter, QueueFilter, QueueRow, SlaRow, awaiting_reply_count, queue, queue_counts,
    queue_plan, sla_board,
};
pub use transition::{
    EmergencyLoad, Transition, TransitionError, assign, emergency_load, escalate, hold,
    reprioritise, set_priority, transition, transition_offered_or_not, transition_seen,
};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Case {
    pub id: String,
    pub reference: Option<String>,
    pub mission_id: String,
    pub service_id: String,
    pub kind: String,
    pub applicant_id: String,
    pub state: String,
    pub priority: i32,
    pub assignee_id: Option<String>,
    pub form: String,
    pub applicant_name: String,
    pub lang: String,
    pub idempotency_key: Option<String>,
    /// A digest of what the request that created the case with its key asked for (the API
    /// keeps one; drafts opened from a page have none).
    #[sqlx(default)]
    #[serde(skip)]
    pub idempotency_fingerprint: Option<String>,
    pub decision_reason: Option<String>,
    pub escalation_level: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub state_changed_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Since when a message of the applicant waits for the mission's reply.
    pub awaiting_reply_since: Option<DateTime<Utc>>,
    /// The visa category the application was sent with (visas sent only).
    #[sqlx(default)]
    pub submitted_visa_type: Option<String>,
}

impl Case {
    pub fn kind(&self) -> Result<CaseKind, StoreError> {
        CaseKind::parse(&self.kind)
            .map_err(|_| StoreError::Corrupt(format!("case kind {}", self.kind)))
    }

    pub fn state(&self) -> Result<CaseState, StoreError> {
        CaseState::parse(&self.state)
            .map_err(|_| StoreError::Corrupt(format!("case state {}", self.state)))
    }

    pub fn priority(&self) -> Priority {
        Priority::from_rank(self.priority)
    }

    /// The form fields as the applicant typed them.
    pub fn form(&self) -> BTreeMap<String, String> {
        serde_json::from_str(&self.form).unwrap_or_default()
    }

    /// The reference once submitted; drafts show a short form of their id.
    pub fn display_reference(&self) -> String {
        self.reference
            .clone()
            .unwrap_or_else(|| format!("#{}", &self.id[self.id.len().saturating_sub(8)..]))
    }
}

/// A new draft. With an idempotency key, a repeated request returns the first draft.
#[derive(Debug, Clone)]
pub struct NewDraft<'a> {
    pub mission_id: &'a str,
    pub service_id: &'a str,
    pub kind: CaseKind,
    pub applicant_id: &'a str,
    pub form: &'a BTreeMap<String, String>,
    pub applicant_name: &'a str,
    pub lang: &'a str,
    pub priority: Priority,
    pub idempotency_key: Option<&'a str>,
    /// What the keyed request asked for, as a digest; see [`Case::idempotency_fingerprint`].
    pub idempotency_fingerprint: Option<&'a str>,
    pub expires_at: DateTime<Utc>,
}

fn form_json(form: &BTreeMap<String, String>) -> String {
    serde_json::to_string(form).unwrap_or_else(|_| "{}".to_owned())
}

/// Creates a draft, or returns the one an earlier request with the same key created.
pub async fn create_draft(tx: &mut Tx, d: &NewDraft<'_>) -> Result<Case, StoreError> {
    crate::consular::changed();
    let id = CaseId::new();
    let t = now();
    with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO cases (id, mission_id, service_id, kind, applicant_id, state, priority, form, applicant_name, lang, \
             idempotency_key, created_at, updated_at, state_changed_at, expires_at, applicant_name_key, \
             idempotency_fingerprint) \
             VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $9, $10, $11, $11, $11, $12, $13, $14) \
             ON CONFLICT (applicant_id, idempotency_key) DO NOTHING",
        )
        .bind(id.as_str())
        .bind(d.mission_id)
        .bind(d.service_id)
        .bind(d.kind.as_str())
        .bind(d.applicant_id)
        .bind(d.priority.rank())
        .bind(form_json(d.form))
        .bind(d.applicant_name)
        .bind(d.lang)
        .bind(d.idempotency_key)
        .bind(t)
        .bind(d.expires_at)
        .bind(name_key(d.applicant_name))
        .bind(d.idempotency_fingerprint)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    let found: Option<Case> = match d.idempotency_key {
        Some(key) => with_tx!(tx, c => {
            sqlx::query_as("SELECT * FROM cases WHERE applicant_id = $1 AND idempotency_key = $2")
                .bind(d.applicant_id)
                .bind(key)
                .fetch_optional(c)
                .await
        })?,
        None => with_tx!(tx, c => {
            sqlx::query_as("SELECT * FROM cases WHERE id = $1").bind(id.as_str()).fetch_optional(c).await
        })?,
    };
    found.ok_or(StoreError::NotFound)
}

/// Saves what the applicant typed into their draft (only while it is a draft or the mission
/// asked for more information), whatever was saved since (the API's whole-form save).
pub async fn save_form(
    tx: &mut Tx,
    id: &str,
    form: &BTreeMap<String, String>,
    applicant_name: &str,
    expires_at: Option<DateTime<Utc>>,
) -> Result<(), StoreError> {
    store_form(tx, id, form, applicant_name, expires_at, None).await
}

/// The page a form is saved from: a random key of its own, and the revision of the form it
/// was drawn with ([`form_revision`]).
#[derive(Debug, Clone, Copy)]
pub struct FormTab<'a> {
    pub key: &'a str,
    pub drawn_at: i64,
}

/// [`save_form`] from the page `tab`: refused ([`saved_elsewhere`]) when
/// another page saved the form since `tab` was drawn, so that a tab left open does not write
/// its older values over a newer save; this tab's own later saves go through.
pub async fn save_form_from(
    tx: &mut Tx,
    id: &str,
    form: &BTreeMap<String, String>,
    applicant_name: &str,
    expires_at: Option<DateTime<Utc>>,
    tab: FormTab<'_>,
) -> Result<(), StoreError> {
    store_form(tx, id, form, applicant_name, expires_at, Some(tab)).await
}

/// What [`save_form_from`] answers when another page saved the form since.
const SAVED_ELSEWHERE: &str = "form saved elsewhere";

/// Whether `e` is [`save_form_from`]'s refusal of a page drawn before another page's save.
pub fn saved_elsewhere(e: &StoreError) -> bool {
    matches!(e, StoreError::Conflict(what) if *what == SAVED_ELSEWHERE)
}

async fn store_form(
    tx: &mut Tx,
    id: &str,
    form: &BTreeMap<String, String>,
    applicant_name: &str,
    expires_at: Option<DateTime<Utc>>,
    tab: Option<FormTab<'_>>,
) -> Result<(), StoreError> {
    crate::consular::changed();
    let n = with_tx!(tx, c => {
        sqlx::query(
            "UPDATE cases SET form = $2, applicant_name = $3, updated_at = $4, expires_at = COALESCE($5, expires_at), \
             applicant_name_key = $6, form_rev = form_rev + 1, form_editor = $7 \
             WHERE id = $1 AND state IN ('draft', 'needs_info') \
             AND ($7 IS NULL OR form_rev = $8 OR form_editor = $7)",
        )
        .bind(id)
        .bind(form_json(form))
        .bind(applicant_name)
        .bind(now())
        .bind(expires_at)
        .bind(name_key(applicant_name))
        .bind(tab.map(|t| t.key))
        .bind(tab.map(|t| t.drawn_at))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if n == 0 && tab.is_some() {
        // Not editable any more, or saved from another page since: told apart for the caller.
        let editable: Option<bool> = with_tx!(tx, c => {
            sqlx::query_scalar("SELECT state IN ('draft', 'needs_info') FROM cases WHERE id = $1")
                .bind(id)
                .fetch_optional(c)
                .await
        })?;
        if editable == Some(true) {
            return Err(StoreError::Conflict(SAVED_ELSEWHERE));
        }
    }
    changed_any(n)
}

/// The revision of the case's form: how many times it was saved. A page draws the form with
/// it, and [`save_form_from`] checks it.
pub async fn form_revision(db: &Db, id: &str) -> Result<i64, StoreError> {
    let rev: Option<i64> = with_pool!(db.write(), p => {
        sqlx::query_scalar("SELECT CAST(form_rev AS BIGINT) FROM cases WHERE id = $1")
            .bind(id)
            .fetch_optional(p)
            .await
    })?;
    rev.ok_or(StoreError::NotFound)
}

pub async fn find(db: &Db, id: &str) -> Result<Case, StoreError> {
    with_pool!(db.read(), p => sqlx::query_as("SELECT * FROM cases WHERE id = $1").bind(id).fetch_optional(p).await)?
        .ok_or(StoreError::NotFound)
}

/// The names a case page shows beside the case: its service and its mission, both languages.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseNames {
    pub service_name_ar: String,
    pub service_name_en: String,
    pub mission_name_ar: String,
    pub mission_name_en: String,
    /// The mission's time zone, for the times of its appointments.
    pub mission_time_zone: String,
    /// The mission's telephone, given to someone asking for emergency help.
    pub mission_phone: Option<String>,
}

#[derive(sqlx::FromRow)]
struct CaseWithNames {
    #[sqlx(flatten)]
    case: Case,
    #[sqlx(flatten)]
    names: CaseNames,
}

/// A case with its service's and mission's names, in one query (the applicant's status page
/// reads this on every view).
pub async fn find_with_names(db: &Db, id: &str) -> Result<(Case, CaseNames), StoreError> {
    let row: Option<CaseWithNames> = with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT c.*, s.name_ar AS service_name_ar, s.name_en AS service_name_en, \
             m.name_ar AS mission_name_ar, m.name_en AS mission_name_en, m.time_zone AS mission_time_zone, \
             m.phone AS mission_phone \
             FROM cases c JOIN consular_services s ON s.id = c.service_id JOIN missions m ON m.id = c.mission_id \
             WHERE c.id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await
    })?;
    row.map(|r| (r.case, r.names)).ok_or(StoreError::NotFound)
}

pub async fn find_in_tx(tx: &mut Tx, id: &str) -> Result<Case, StoreError> {
    with_tx!(tx, c => sqlx::query_as("SELECT * FROM cases WHERE id = $1").bind(id).fetch_optional(c).await)?
        .ok_or(StoreError::NotFound)
}

pub async fn find_by_reference(db: &Db, reference: &str) -> Result<Case, StoreError> {
    with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM cases WHERE reference = $1").bind(reference.trim().to_ascii_uppercase()).fetch_optional(p).await
    })?
    .ok_or(StoreError::NotFound)
}

/// The case an earlier request of the applicant created with `key` (see [`create_draft`]), if
/// it is still there.
pub async fn find_by_key(
    db: &Db,
    applicant_id: &str,
    key: &str,
) -> Result<Option<Case>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM cases WHERE applicant_id = $1 AND idempotency_key = $2")
            .bind(applicant_id)
            .bind(key)
            .fetch_optional(p)
            .await
    })?)
}

/// The applicant's own cases, newest first.
pub async fn list_for_applicant(db: &Db, applicant_id: &str) -> Result<Vec<Case>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM cases WHERE applicant_id = $1 ORDER BY created_at DESC, id DESC")
            .bind(applicant_id)
            .fetch_all(p)
            .await
    })?)
}

/// One step of a case's history.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Event {
    pub id: String,
    pub case_id: String,
    pub at: DateTime<Utc>,
    pub actor_id: Option<String>,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub reason: Option<String>,
    /// The message to the applicant written with this step (a decision's), if any.
    pub message_id: Option<String>,
}

pub async fn events(db: &Db, case_id: &str) -> Result<Vec<Event>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM case_events WHERE case_id = $1 ORDER BY at, id").bind(case_id).fetch_all(p).await
    })?)
}

/// Records `message_id` as written with the case's latest step, in the transaction that
/// made both.
pub async fn link_message_to_last_event(
    tx: &mut Tx,
    case_id: &str,
    message_id: &str,
) -> Result<(), StoreError> {
    let n = with_tx!(tx, c => {
        sqlx::query(
            "UPDATE case_events SET message_id = $1 WHERE id = \
             (SELECT id FROM case_events WHERE case_id = $2 ORDER BY at DESC, id DESC LIMIT 1)",
        )
        .bind(message_id)
        .bind(case_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    changed_any(n)
}

/// Deletes the applicant's own unsubmitted draft. Its documents go back to the applicant
/// alone: no longer filed under a case nor shared with the mission, they stay in the
/// applicant's documents until deleted there. As when a draft expires, each remembers the
/// draft it left, so that the draft's form sent from a page still open takes them back
/// (`documents::refile_from_lost_draft`).
pub async fn discard_draft(tx: &mut Tx, id: &str, applicant_id: &str) -> Result<(), StoreError> {
    crate::consular::changed();
    if tx.backend() == Backend::Postgres {
        // Held until the commit: a submission from another tab waits, and then finds no
        // draft, rather than going to the mission without the documents detached below.
        with_tx!(tx, c => {
            sqlx::query("SELECT id FROM cases WHERE id = $1 AND applicant_id = $2 AND state = 'draft' FOR UPDATE")
                .bind(id)
                .bind(applicant_id)
                .fetch_all(c)
                .await
                .map(drop)
        })?;
    }
    with_tx!(tx, c => {
        sqlx::query(
            "UPDATE documents SET purged_from_case = case_id, case_id = NULL, mission_id = NULL \
             WHERE case_id IN \
             (SELECT id FROM cases WHERE id = $1 AND applicant_id = $2 AND state = 'draft')",
        )
        .bind(id)
        .bind(applicant_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    let n = with_tx!(tx, c => {
        sqlx::query("DELETE FROM cases WHERE id = $1 AND applicant_id = $2 AND state = 'draft'")
            .bind(id)
            .bind(applicant_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    changed_any(n)
}

/// Keeps a draft at least until `until`, as saving its form does: a draft that only
/// receives documents is being worked on too. Never shortens it. Whether the draft is still
/// there (`false` once it was submitted, discarded or purged).
pub async fn extend_draft(db: &Db, id: &str, until: DateTime<Utc>) -> Result<bool, StoreError> {
    crate::consular::changed();
    // On PostgreSQL this waits for a purge holding the draft: once it is granted, a purged
    // draft is no longer there, and one that was not is kept from the next.
    let n = with_pool!(db.write(), p => {
        sqlx::query(
            "UPDATE cases SET expires_at = CASE WHEN expires_at < $2 THEN $2 ELSE expires_at END \
             WHERE id = $1 AND state = 'draft'",
        )
        .bind(id)
        .bind(until)
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Deletes drafts nobody submitted before they expired, their documents going back to their
/// owners alone as on [`discard_draft`]. Returns how many went.
pub async fn purge_expired_drafts(db: &Db, at: DateTime<Utc>) -> Result<u64, StoreError> {
    crate::consular::changed();
    let mut tx = db.begin().await?;
    if db.backend() == Backend::Postgres {
        // The expired drafts are held until the commit: one saved (its expiry moved on) or
        // submitted meanwhile is no longer expired when its lock is granted, and keeps its
        // documents; without the lock they were detached from it before it was left alone.
        with_tx!(&mut tx, c => {
            sqlx::query("SELECT id FROM cases WHERE state = 'draft' AND expires_at < $1 FOR UPDATE")
                .bind(at)
                .fetch_all(c)
                .await
                .map(drop)
        })?;
    }
    with_tx!(&mut tx, c => {
        sqlx::query(
            "UPDATE documents SET purged_from_case = case_id, case_id = NULL, mission_id = NULL WHERE case_id IN \
             (SELECT id FROM cases WHERE state = 'draft' AND expires_at < $1)",
        )
        .bind(at)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    let n = with_tx!(&mut tx, c => {
        sqlx::query("DELETE FROM cases WHERE state = 'draft' AND expires_at < $1")
            .bind(at)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    Ok(n)
}

/// Ids of cases closed before `before`, oldest first, at most `limit` (the purge job removes
/// their documents too, so it works in batches).
pub async fn closed_before(
    db: &Db,
    before: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<String>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_scalar("SELECT id FROM cases WHERE state = 'closed' AND closed_at < $1 ORDER BY closed_at LIMIT $2")
            .bind(before)
            .bind(limit)
            .fetch_all(p)
            .await
    })?)
}

/// Removes a closed case with its history and messages.
pub async fn delete_closed(tx: &mut Tx, id: &str) -> Result<bool, StoreError> {
    crate::consular::changed();
    let n = with_tx!(tx, c => {
        sqlx::query("DELETE FROM cases WHERE id = $1 AND state = 'closed'").bind(id).execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}
