//! Partner webhooks that receive alerts (the `crisis_webhooks` table): listed, added and
//! disabled by administrators; the fan-out reads the enabled ones.

use chrono::{DateTime, Utc};

use crate::{Db, StoreError, Tx, now, with_pool, with_tx};

/// A webhook as the admin page shows it (the secret is never read back for display).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Webhook {
    pub id: String,
    pub name: String,
    pub url: String,
    /// Space-separated alpha-2 codes; empty for every country.
    pub countries: String,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
}

pub async fn list(db: &Db) -> Result<Vec<Webhook>, StoreError> {
    let rows = with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT id, name, url, countries, enabled, created_at FROM crisis_webhooks ORDER BY created_at DESC, id",
        )
        .fetch_all(p)
        .await
    })?;
    Ok(rows)
}

/// Adds an enabled webhook signed with `secret`; returns its id.
pub async fn create(
    tx: &mut Tx,
    name: &str,
    url: &str,
    countries: &str,
    secret: &str,
) -> Result<String, StoreError> {
    insert(tx, name, url, countries, secret, None)
        .await?
        .ok_or(StoreError::Conflict("crisis webhook"))
}

/// [`create`] from the admin form sent with `request_key`: `None` when the same form (a
/// double click, a refreshed result page) already added its webhook, and nothing is added
/// ([`by_key`] finds that one).
pub async fn create_keyed(
    tx: &mut Tx,
    name: &str,
    url: &str,
    countries: &str,
    secret: &str,
    request_key: &str,
) -> Result<Option<String>, StoreError> {
    insert(tx, name, url, countries, secret, Some(request_key)).await
}

async fn insert(
    tx: &mut Tx,
    name: &str,
    url: &str,
    countries: &str,
    secret: &str,
    request_key: Option<&str>,
) -> Result<Option<String>, StoreError> {
    let id = uuid::Uuid::now_v7().as_simple().to_string();
    let stored = with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO crisis_webhooks (id, mission_id, name, url, secret, countries, enabled, created_at, request_key) \
             VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        )
        .bind(&id)
        .bind(name)
        .bind(url)
        .bind(secret)
        .bind(countries)
        .bind(true)
        .bind(now())
        .bind(request_key)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok((stored == 1).then_some(id))
}

/// The webhook added with the form sent with `request_key`, if it is still there.
pub async fn by_key(tx: &mut Tx, request_key: &str) -> Result<Option<Webhook>, StoreError> {
    Ok(with_tx!(tx, c => {
        sqlx::query_as(
            "SELECT id, name, url, countries, enabled, created_at FROM crisis_webhooks WHERE request_key = $1",
        )
        .bind(request_key)
        .fetch_optional(c)
        .await
    })?)
}

/// Disables a webhook; false when it does not exist or already is disabled.
pub async fn disable(tx: &mut Tx, id: &str) -> Result<bool, StoreError> {
    let n = with_tx!(tx, c => {
        sqlx::query("UPDATE crisis_webhooks SET enabled = $2 WHERE id = $1 AND enabled = $3")
            .bind(id)
            .bind(false)
            .bind(true)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}
