//! Server-side sessions. The cookie holds a random secret; the table holds its hash, so
//! every server process sharing the database accepts the same sessions.

use chrono::{DateTime, Duration, Utc};

use super::secrets::{hash_secret, new_secret};
use crate::{Db, StoreError, Tx, now, with_pool, with_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub id_hash: String,
    pub user_id: String,
    pub mfa_passed: bool,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Creates a session and returns the cookie value (shown once, never stored).
pub async fn create(
    db: &Db,
    user_id: &str,
    mfa_passed: bool,
    client_ip: Option<&str>,
    user_agent: Option<&str>,
    ttl: Duration,
) -> Result<String, StoreError> {
    crate::accounts::changed();
    let secret = new_secret();
    let t = now();
    let ua: Option<String> = user_agent.map(|u| u.chars().take(300).collect());
    with_pool!(db.write(), p => {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, mfa_passed, client_ip, user_agent, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6, $7)",
        )
        .bind(hash_secret(&secret))
        .bind(user_id)
        .bind(mfa_passed)
        .bind(client_ip)
        .bind(&ua)
        .bind(t)
        .bind(t + ttl)
        .execute(p)
        .await.map(|r| r.rows_affected())
    })?;
    Ok(secret)
}

/// The live session for a cookie value, if any.
pub async fn find(db: &Db, secret: &str) -> Result<Option<Session>, StoreError> {
    let s: Option<Session> = with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM sessions WHERE id_hash = $1 AND expires_at > $2")
            .bind(hash_secret(secret))
            .bind(now())
            .fetch_optional(p)
            .await
    })?;
    Ok(s)
}

#[derive(sqlx::FromRow)]
struct SessionWithUser {
    #[sqlx(flatten)]
    user: crate::accounts::User,
    s_id_hash: String,
    s_mfa_passed: bool,
    s_client_ip: Option<String>,
    s_user_agent: Option<String>,
    s_created_at: DateTime<Utc>,
    s_last_seen_at: DateTime<Utc>,
    s_expires_at: DateTime<Utc>,
}

/// The live session of a cookie with its user, in one query: every signed-in request asks
/// this first, so it is one round trip instead of two.
pub async fn find_with_user(
    db: &Db,
    secret: &str,
) -> Result<Option<(Session, crate::accounts::User)>, StoreError> {
    let row: Option<SessionWithUser> = with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT u.*, s.id_hash AS s_id_hash, s.mfa_passed AS s_mfa_passed, s.client_ip AS s_client_ip, \
             s.user_agent AS s_user_agent, s.created_at AS s_created_at, s.last_seen_at AS s_last_seen_at, \
             s.expires_at AS s_expires_at \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND s.expires_at > $2",
        )
        .bind(hash_secret(secret))
        .bind(now())
        .fetch_optional(p)
        .await
    })?;
    Ok(row.map(|r| {
        let session = Session {
            id_hash: r.s_id_hash,
            user_id: r.user.id.clone(),
            mfa_passed: r.s_mfa_passed,
            client_ip: r.s_client_ip,
            user_agent: r.s_user_agent,
            created_at: r.s_created_at,
            last_seen_at: r.s_last_seen_at,
            expires_at: r.s_expires_at,
        };
        (session, r.user)
    }))
}

/// Slides the expiry forward, at most once a minute per session to keep reads cheap; true
/// when it did (the browser's cookie is then given the same new lifetime).
pub async fn touch(db: &Db, s: &Session, ttl: Duration) -> Result<bool, StoreError> {
    let t = now();
    if t - s.last_seen_at < Duration::minutes(1) {
        return Ok(false);
    }
    with_pool!(db.write(), p => {
        sqlx::query("UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE id_hash = $1")
            .bind(&s.id_hash)
            .bind(t)
            .bind(t + ttl)
            .execute(p)
            .await.map(|r| r.rows_affected())
    })?;
    Ok(true)
}

pub async fn mark_mfa_passed(db: &Db, id_hash: &str) -> Result<(), StoreError> {
    crate::accounts::changed();
    with_pool!(db.write(), p => {
        sqlx::query("UPDATE sessions SET mfa_passed = TRUE WHERE id_hash = $1").bind(id_hash).execute(p).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// [`mark_mfa_passed`] inside the caller's transaction: with the code that passes it, so a
/// second request that finds the code used finds the session passed too.
pub async fn mark_mfa_passed_in(tx: &mut Tx, id_hash: &str) -> Result<(), StoreError> {
    crate::accounts::changed();
    with_tx!(tx, c => {
        sqlx::query("UPDATE sessions SET mfa_passed = TRUE WHERE id_hash = $1").bind(id_hash).execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn delete(db: &Db, id_hash: &str) -> Result<(), StoreError> {
    crate::accounts::changed();
    with_pool!(db.write(), p => sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// "Sign out everywhere": every session of the user.
pub async fn delete_all_for_user(db: &Db, user_id: &str) -> Result<u64, StoreError> {
    crate::accounts::changed();
    let n = with_pool!(db.write(), p => {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(p).await.map(|r| r.rows_affected())
    })?;
    Ok(n)
}

/// Every session of the user, in the caller's transaction: ended with the change that
/// commits with it, so that no sign-in checked against the old password outlives it.
pub async fn delete_all_for_user_in(tx: &mut Tx, user_id: &str) -> Result<u64, StoreError> {
    crate::accounts::changed();
    let n = with_tx!(tx, c => {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(n)
}

pub async fn list_for_user(db: &Db, user_id: &str) -> Result<Vec<Session>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM sessions WHERE user_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC")
            .bind(user_id)
            .bind(now())
            .fetch_all(p)
            .await
    })?)
}

pub async fn purge_expired(db: &Db) -> Result<u64, StoreError> {
    crate::accounts::changed();
    let n = with_pool!(db.write(), p => {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now()).execute(p).await.map(|r| r.rows_affected())
    })?;
    Ok(n)
}

/// Every session of the user but one (the one that just changed the password).
pub async fn delete_others_for_user(
    tx: &mut Tx,
    user_id: &str,
    keep_id_hash: &str,
) -> Result<u64, StoreError> {
    crate::accounts::changed();
    let n = with_tx!(tx, c => {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
            .bind(user_id)
            .bind(keep_id_hash)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n)
}
