//! Messages between the applicant and the mission, and officers' internal notes.

use chrono::{DateTime, Utc};
use safir_domain::ids::CaseId;

use crate::{Db, StoreError, Tx, now, with_pool, with_tx};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Message {
    pub id: String,
    pub case_id: String,
    pub author_id: Option<String>,
    pub from_staff: bool,
    pub internal: bool,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// Adds a message; `internal` notes are for officers only. The applicant's message marks the
/// case as waiting for the mission's reply (from its first such message, kept by later ones);
/// the mission's message to the applicant ends that wait (`cases.awaiting_reply_since`).
pub async fn add_message(
    tx: &mut Tx,
    case_id: &str,
    author_id: Option<&str>,
    from_staff: bool,
    internal: bool,
    body: &str,
) -> Result<String, StoreError> {
    crate::consular::changed();
    let id = CaseId::new();
    let at = now();
    with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO case_messages (id, case_id, author_id, from_staff, internal, body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id.as_str())
        .bind(case_id)
        .bind(author_id)
        .bind(from_staff)
        .bind(internal)
        .bind(body)
        .bind(at)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if !internal {
        with_tx!(tx, c => {
            sqlx::query(
                "UPDATE cases SET awaiting_reply_since = CASE WHEN $2 THEN NULL ELSE COALESCE(awaiting_reply_since, $3) END \
                 WHERE id = $1",
            )
            .bind(case_id)
            .bind(from_staff)
            .bind(at)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    Ok(id.as_str().to_owned())
}

/// How long an identical message of the same author on the same case counts as the same
/// one sent again (a double click, a retried request) rather than a new one.
pub const REPEAT_WINDOW: chrono::Duration = chrono::Duration::seconds(30);

/// [`add_message`] unless `author_id` added the same text (and kind) to the case within
/// [`REPEAT_WINDOW`]: then nothing is added. Returns the message's id and whether it is new.
/// Two such requests at once are serialized on the case's row, so the second sees the first.
pub async fn add_message_once(
    tx: &mut Tx,
    case_id: &str,
    author_id: &str,
    from_staff: bool,
    internal: bool,
    body: &str,
) -> Result<(String, bool), StoreError> {
    super::hold(tx, case_id).await?;
    let earlier: Option<String> = with_tx!(tx, c => {
        sqlx::query_scalar(
            "SELECT id FROM case_messages WHERE case_id = $1 AND author_id = $2 AND internal = $3 \
             AND body = $4 AND created_at >= $5 ORDER BY created_at DESC LIMIT 1",
        )
        .bind(case_id)
        .bind(author_id)
        .bind(internal)
        .bind(body)
        .bind(now() - REPEAT_WINDOW)
        .fetch_optional(c)
        .await
    })?;
    if let Some(id) = earlier {
        return Ok((id, false));
    }
    let id = add_message(tx, case_id, Some(author_id), from_staff, internal, body).await?;
    Ok((id, true))
}

/// Marks the case as waiting for the mission's reply, from now unless it already waits: the
/// applicant answered a request for information through the form, without a message.
pub async fn start_wait(tx: &mut Tx, case_id: &str) -> Result<(), StoreError> {
    crate::consular::changed();
    with_tx!(tx, c => {
        sqlx::query(
            "UPDATE cases SET awaiting_reply_since = COALESCE(awaiting_reply_since, $2) WHERE id = $1",
        )
        .bind(case_id)
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// When each case of `applicant_id` last had a message the applicant reads (from either side;
/// never an officers' internal note): `(case id, instant)`, a case without one left out.
pub async fn last_messages_for_applicant(
    db: &Db,
    applicant_id: &str,
) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
    let rows: Vec<(String, DateTime<Utc>)> = with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT m.case_id, m.created_at FROM case_messages m JOIN cases c ON c.id = m.case_id \
             WHERE c.applicant_id = $1 AND m.internal = $2",
        )
        .bind(applicant_id)
        .bind(false)
        .fetch_all(p)
        .await
    })?;
    let mut last: std::collections::HashMap<String, DateTime<Utc>> =
        std::collections::HashMap::new();
    for (case_id, at) in rows {
        let slot = last.entry(case_id).or_insert(at);
        *slot = (*slot).max(at);
    }
    Ok(last.into_iter().collect())
}

/// The conversation in order; internal notes only when asked for (officers).
pub async fn list_messages(
    db: &Db,
    case_id: &str,
    with_internal: bool,
) -> Result<Vec<Message>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT * FROM case_messages WHERE case_id = $1 AND (internal = $2 OR internal = $3) ORDER BY created_at, id",
        )
        .bind(case_id)
        .bind(false)
        .bind(with_internal)
        .fetch_all(p)
        .await
    })?)
}
