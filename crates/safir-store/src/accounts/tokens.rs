//! One-time email tokens (verification, password reset) and personal access tokens for the
//! API. Only hashes are stored.

use chrono::{DateTime, Duration, Utc};
use safir_domain::ids::TokenId;

use super::secrets::{hash_secret, new_secret};
use crate::{Backend, Db, StoreError, Tx, now, with_pool, with_tx};

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

/// The account a valid, unused, unexpired token for `purpose` belongs to, without using it up.
pub async fn email_token_owner(
    db: &Db,
    secret: &str,
    purpose: EmailPurpose,
) -> Result<Option<String>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_scalar(
            "SELECT user_id FROM email_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
        )
        .bind(hash_secret(secret))
        .bind(purpose.as_str())
        .bind(now())
        .fetch_optional(p)
        .await
    })?)
}

/// [`consume_email_token`] for a token of `user_id` only: `false` when it is not one (another
/// account's, used, expired, unknown), and then nothing is used up.
pub async fn consume_email_token_of(
    tx: &mut Tx,
    secret: &str,
    purpose: EmailPurpose,
    user_id: &str,
) -> Result<bool, StoreError> {
    let n = with_tx!(tx, c => {
        sqlx::query(
            "UPDATE email_tokens SET used_at = $3 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 \
             AND user_id = $4",
        )
        .bind(hash_secret(secret))
        .bind(purpose.as_str())
        .bind(now())
        .bind(user_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
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
    insert_api_token(tx, user_id, name, scopes, expires_at, None).await
}

/// A token made by the form sent with `request_key`.
#[derive(Debug)]
pub struct KeyedToken {
    pub id: TokenId,
    pub secret: String,
    /// The live tokens an earlier sending of the same form made, revoked here: their secrets
    /// were shown only in answers to sendings the browser let go (a double click, a retried
    /// request), so no one holds them.
    pub replaced: Vec<String>,
}

/// How long after a token was made the same form sent again replaces it: a double click
/// or a retry comes within seconds. Later, the answer that showed the secret was seen (the
/// page reloaded, say) and the token may be in use: the form then makes one more.
pub const RESENT_WITHIN: Duration = Duration::minutes(2);

/// [`create_api_token`] from the form sent with `request_key`. A token's secret is known
/// only to the answer that made it, so a second sending of the same form cannot show the
/// first one's token again: it makes a new one and revokes those the earlier sendings made
/// within [`RESENT_WITHIN`], leaving one live token, the one whose secret this answer shows.
pub async fn create_api_token_keyed(
    tx: &mut Tx,
    user_id: &str,
    name: &str,
    scopes: &[&str],
    expires_at: Option<DateTime<Utc>>,
    request_key: &str,
) -> Result<KeyedToken, StoreError> {
    // Two sendings at once: on PostgreSQL the owner's row is locked first, so the second
    // waits for the first to commit and then finds its token. SQLite runs one writing
    // transaction at a time.
    if tx.backend() == Backend::Postgres {
        with_tx!(tx, c => {
            sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
                .bind(user_id)
                .fetch_optional(c)
                .await
                .map(|_| ())
        })?;
    }
    let at = now();
    let replaced: Vec<String> = with_tx!(tx, c => {
        sqlx::query_scalar(
            "UPDATE api_tokens SET revoked_at = $3 \
             WHERE user_id = $1 AND request_key = $2 AND revoked_at IS NULL AND created_at > $4 \
             RETURNING id",
        )
        .bind(user_id)
        .bind(request_key)
        .bind(at)
        .bind(at - RESENT_WITHIN)
        .fetch_all(c)
        .await
    })?;
    let (id, secret) =
        insert_api_token(tx, user_id, name, scopes, expires_at, Some(request_key)).await?;
    Ok(KeyedToken {
        id,
        secret,
        replaced,
    })
}

async fn insert_api_token(
    tx: &mut Tx,
    user_id: &str,
    name: &str,
    scopes: &[&str],
    expires_at: Option<DateTime<Utc>>,
    request_key: Option<&str>,
) -> Result<(TokenId, String), StoreError> {
    crate::accounts::changed();
    let id = TokenId::new();
    let secret = format!("{API_TOKEN_PREFIX}{}", new_secret());
    with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, scopes, created_at, expires_at, request_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id.as_str())
        .bind(user_id)
        .bind(name)
        .bind(hash_secret(&secret))
        .bind(scopes.join(" "))
        .bind(now())
        .bind(expires_at)
        .bind(request_key)
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
