//! One-time email tokens (verification, password reset) and personal access tokens for the
//! API. Only hashes are stored.

use chrono::{DateTime, Duration, Utc};
use safir_domain::ids::TokenId;

use super::secrets::{hash_secret, new_secret};
use crate::{Db, StoreError, Tx, now, with_pool, with_tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailPurpose {
    VerifyEmail,
    ResetPassword,
}

impl EmailPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            EmailPurpose::VerifyEmail => "verify_email",
            EmailPurpose::ResetPassword => "reset_password",
        }
    }
}

/// Issues a token inside the caller's transaction (next to the job that emails it).
pub async fn issue_email_token(
    tx: &mut Tx,
    user_id: &str,
    purpose: EmailPurpose,
    ttl: Duration,
) -> Result<String, StoreError> {
    let secret = new_secret();
    let t = now();
    with_tx!(tx, c => {
        sqlx::query("INSERT INTO email_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(hash_secret(&secret))
            .bind(user_id)
            .bind(purpose.as_str())
            .bind(t)
            .bind(t + ttl)
            .execute(c)
            .await.map(|r| r.rows_affected())
    })?;
    Ok(secret)
}

/// Whether a token is valid, unused, unexpired and for `purpose`, without using it up: a
/// check before work that only a valid token deserves.
pub async fn email_token_usable(
    db: &Db,
    secret: &str,
    purpose: EmailPurpose,
) -> Result<bool, StoreError> {
    let found: Option<i32> = with_pool!(db.read(), p => {
        sqlx::query_scalar(
            "SELECT 1 FROM email_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
        )
        .bind(hash_secret(secret))
        .bind(purpose.as_str())
        .bind(now())
        .fetch_optional(p)
        .await
    })?;
    Ok(found.is_some())
}

/// Uses up a token; returns its user when it was valid, unused, unexpired and for `purpose`.
pub async fn consume_email_token(
    tx: &mut Tx,
    secret: &str,
    purpose: EmailPurpose,
) -> Result<Option<String>, StoreError> {
    let t = now();
    let user: Option<String> = with_tx!(tx, c => {
        sqlx::query_scalar(
            "UPDATE email_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 \
             RETURNING user_id",
        )
        .bind(hash_secret(secret))
        .bind(purpose.as_str())
        .bind(t)
        .fetch_optional(c)
        .await
    })?;
    Ok(user)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ApiToken {
    pub id: String,
    pub user_id: String,
    pub name: String,
    #[serde(skip)]
    pub token_hash: String,
    pub scopes: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiToken {
    pub fn scope_list(&self) -> impl Iterator<Item = &str> {
        self.scopes.split(' ').filter(|s| !s.is_empty())
    }

    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope_list().any(|s| s == scope)
    }
}

/// The prefix makes leaked tokens easy to recognise by secret scanners.
pub const API_TOKEN_PREFIX: &str = "safir_";

/// Creates a personal access token; returns its id and the secret (shown once).
pub async fn create_api_token(
    tx: &mut Tx,
    user_id: &str,
    name: &str,
    scopes: &[&str],
    expires_at: Option<DateTime<Utc>>,
) -> Result<(TokenId, String), StoreError> {
    crate::accounts::changed();
    let id = TokenId::new();
    let secret = format!("{API_TOKEN_PREFIX}{}", new_secret());
    with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, scopes, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id.as_str())
        .bind(user_id)
        .bind(name)
        .bind(hash_secret(&secret))
        .bind(scopes.join(" "))
        .bind(now())
        .bind(expires_at)
        .execute(c)
        .await.map(|r| r.rows_affected())
    })?;
    Ok((id, secret))
}

/// The live token for a bearer secret; records its use at most once a minute.
pub async fn authenticate_api_token(db: &Db, secret: &str) -> Result<Option<ApiToken>, StoreError> {
    if !secret.starts_with(API_TOKEN_PREFIX) {
        return Ok(None);
    }
    let t = now();
    let tok: Option<ApiToken> = with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)")
            .bind(hash_secret(secret))
            .bind(t)
            .fetch_optional(p)
            .await
    })?;
    if let Some(tok) = &tok
        && tok
            .last_used_at
            .is_none_or(|u| t - u > Duration::minutes(1))
    {
        with_pool!(db.write(), p => {
            sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1").bind(&tok.id).bind(t).execute(p).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(tok)
}

pub async fn list_api_tokens(db: &Db, user_id: &str) -> Result<Vec<ApiToken>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC").bind(user_id).fetch_all(p).await
    })?)
}

/// Revokes one of the user's tokens; false when it is not theirs or already revoked.
/// Revokes every live API token of the user, in the caller's transaction (an administrator's
/// password reset: tokens made by whoever held the old password stop with it). Returns how
/// many were live.
pub async fn revoke_all_api_tokens(tx: &mut Tx, user_id: &str) -> Result<u64, StoreError> {
    crate::accounts::changed();
    let n = with_tx!(tx, c => {
        sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
            .bind(user_id)
            .bind(now())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n)
}

pub async fn revoke_api_token(
    tx: &mut Tx,
    user_id: &str,
    token_id: &str,
) -> Result<bool, StoreError> {
    crate::accounts::changed();
    let n = with_tx!(tx, c => {
        sqlx::query("UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL")
            .bind(token_id)
            .bind(user_id)
            .bind(now())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}
