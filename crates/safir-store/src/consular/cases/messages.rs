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

/// Adds a message; `internal` notes are for officers only.
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
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(id.as_str().to_owned())
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
