//! Travel-advice subscriptions per country and channel: pending until confirmed (email link
//! or SMS reply), active until unsubscribed. Confirmation links carry a random token (only
//! its hash is kept); unsubscribe links carry an HMAC of the subscription id, so every advice
//! email can include one without storing a secret per subscriber.

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use safir_domain::CountryCode;
use safir_domain::crisis::registration::Channel;
use serde::Serialize;
use sha2::Sha256;

use crate::accounts::secrets::{hash_secret, new_secret};
use crate::{Db, StoreError, Tx, now, settings, with_pool, with_tx};

/// The settings key of the unsubscribe links' HMAC key.
const UNSUBSCRIBE_KEY_SETTING: &str = "crisis_unsubscribe_key";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Subscription {
    pub id: String,
    pub country: String,
    /// email | sms
    pub channel: String,
    pub address: String,
    pub lang: String,
    /// pending | active | unsubscribed
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub unsubscribed_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str =
    "id, country, channel, address, lang, status, created_at, confirmed_at, unsubscribed_at";

/// What [`subscribe`] did.
#[derive(Debug, Clone)]
pub struct Subscribed {
    pub subscription: Subscription,
    /// The confirmation token to send (email link); `None` when already active.
    pub confirm_token: Option<String>,
}

/// Starts (or restarts) a subscription, pending until confirmed, inside the caller's
/// transaction. An active subscription stays as it is.
pub async fn subscribe(
    tx: &mut Tx,
    country: CountryCode,
    channel: Channel,
    address: &str,
    lang: &str,
) -> Result<Subscribed, StoreError> {
    // One statement, so that two requests at once (a double click) meet in the database's
    // unique key rather than both inserting: a new address is added pending, a pending or
    // unsubscribed one is made pending again with a new token, an active one is left as it is
    // (no row comes back), and so is one asked for within [`REQUEST_AGAIN_AFTER`] (a double
    // click or a retried request: the confirmation already sent keeps its working link).
    let token = new_secret();
    let t = now();
    let recent = t - chrono::Duration::from_std(REQUEST_AGAIN_AFTER).unwrap_or_default();
    let id: Option<String> = with_tx!(tx, c => {
        sqlx::query_scalar(
            "INSERT INTO advice_subscriptions (id, country, channel, address, lang, status, \
             token_hash, created_at, requested_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $7) \
             ON CONFLICT (country, channel, address) DO UPDATE SET status = 'pending', \
             token_hash = excluded.token_hash, lang = excluded.lang, unsubscribed_at = NULL, \
             requested_at = excluded.requested_at \
             WHERE advice_subscriptions.status <> 'active' \
             AND NOT (advice_subscriptions.status = 'pending' AND advice_subscriptions.requested_at > $8) \
             RETURNING id",
        )
        .bind(uuid::Uuid::now_v7().as_simple().to_string())
        .bind(country.as_str())
        .bind(channel.as_str())
        .bind(address)
        .bind(lang)
        .bind(hash_secret(&token))
        .bind(t)
        .bind(recent)
        .fetch_optional(c)
        .await
    })?;
    let Some(id) = id else {
        let sql = format!(
            "SELECT {COLUMNS} FROM advice_subscriptions WHERE country = $1 AND channel = $2 AND address = $3"
        );
        let active: Subscription = with_tx!(tx, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(country.as_str())
                .bind(channel.as_str())
                .bind(address)
                .fetch_one(c)
                .await
        })?;
        return Ok(Subscribed {
            subscription: active,
            confirm_token: None,
        });
    };
    let sql = format!("SELECT {COLUMNS} FROM advice_subscriptions WHERE id = $1");
    let subscription: Subscription = with_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(&id).fetch_one(c).await
    })?;
    Ok(Subscribed {
        subscription,
        confirm_token: Some(token),
    })
}

pub async fn find(db: &Db, id: &str) -> Result<Subscription, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM advice_subscriptions WHERE id = $1");
    let row: Option<Subscription> = with_pool!(db.read(), p => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(p).await
    })?;
    row.ok_or(StoreError::NotFound)
}

/// The subscription (pending or active) whose confirmation link carried `token`, changing
/// nothing: what the link's page shows before the person confirms.
pub async fn find_by_confirm_token(
    db: &Db,
    token: &str,
) -> Result<Option<Subscription>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM advice_subscriptions WHERE token_hash = $1 AND status <> 'unsubscribed'"
    );
    let hash = hash_secret(token.trim());
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(&hash).fetch_optional(p).await
    })?)
}

/// Activates the pending email subscription whose link carried `token`. `None` when the
/// token is unknown; an already active subscription comes back unchanged.
pub async fn confirm(db: &Db, token: &str) -> Result<Option<Subscription>, StoreError> {
    let hash = hash_secret(token.trim());
    with_pool!(db.write(), p => {
        sqlx::query(
            "UPDATE advice_subscriptions SET status = 'active', confirmed_at = $2 \
             WHERE token_hash = $1 AND status = 'pending'",
        )
        .bind(&hash)
        .bind(now())
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })?;
    let sql = format!(
        "SELECT {COLUMNS} FROM advice_subscriptions WHERE token_hash = $1 AND status = 'active'"
    );
    Ok(with_pool!(db.write(), p => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(&hash).fetch_optional(p).await
    })?)
}

/// A request for the same subscription within this time sends nothing new.
pub const REQUEST_AGAIN_AFTER: std::time::Duration = std::time::Duration::from_secs(60);

/// How long a YES by SMS can answer a confirmation: the phone's pending subscriptions asked
/// for within this time become active, older ones (anyone can type a number on the form) stay
/// pending until asked for again.
pub const SMS_CONFIRM_WITHIN: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// The phone answered YES: its pending SMS subscriptions asked for in the last
/// [`SMS_CONFIRM_WITHIN`] become active. Returns how many.
pub async fn confirm_sms(db: &Db, phone: &str) -> Result<u64, StoreError> {
    let t = now();
    let since = t - chrono::Duration::from_std(SMS_CONFIRM_WITHIN).unwrap_or_default();
    Ok(with_pool!(db.write(), p => {
        sqlx::query(
            "UPDATE advice_subscriptions SET status = 'active', confirmed_at = $2 \
             WHERE channel = 'sms' AND address = $1 AND status = 'pending' AND requested_at >= $3",
        )
        .bind(phone)
        .bind(t)
        .bind(since)
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })?)
}

/// The language of the phone's most recently asked-for SMS subscription, if it has one: the
/// replies to its keywords (YES, STOP), typed in Latin letters as the messages ask, are in
/// the language the subscriber chose.
pub async fn sms_lang(db: &Db, phone: &str) -> Result<Option<String>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_scalar(
            "SELECT lang FROM advice_subscriptions WHERE channel = 'sms' AND address = $1 \
             ORDER BY requested_at DESC, id DESC LIMIT 1",
        )
        .bind(phone)
        .fetch_optional(p)
        .await
    })?)
}

/// STOP (every country, `None`) or UNSUBSCRIBE <country> by SMS. Returns how many ended.
pub async fn unsubscribe_sms(
    db: &Db,
    phone: &str,
    country: Option<CountryCode>,
) -> Result<u64, StoreError> {
    let code = country.map(|c| c.as_str().to_owned());
    Ok(with_pool!(db.write(), p => {
        sqlx::query(
            "UPDATE advice_subscriptions SET status = 'unsubscribed', unsubscribed_at = $2 \
             WHERE channel = 'sms' AND address = $1 AND status <> 'unsubscribed' \
             AND ($3 IS NULL OR country = $3)",
        )
        .bind(phone)
        .bind(now())
        .bind(code)
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })?)
}

/// The key unsubscribe links are signed with (made on first use, shared by every process).
pub async fn unsubscribe_key(db: &Db) -> Result<Vec<u8>, StoreError> {
    settings::secret(db, UNSUBSCRIBE_KEY_SETTING).await
}

fn mac(key: &[u8], id: &str) -> Hmac<Sha256> {
    // HMAC takes keys of any length; the fallback key is never used in practice.
    let mut mac = Hmac::<Sha256>::new_from_slice(key)
        .unwrap_or_else(|_| Hmac::<Sha256>::new_from_slice(b"safir").expect("fixed key"));
    mac.update(b"safir-unsubscribe-v1\0");
    mac.update(id.as_bytes());
    mac
}

/// The token of a subscription's unsubscribe link: `<id>.<hex HMAC>`.
pub fn unsubscribe_token(key: &[u8], id: &str) -> String {
    format!("{id}.{}", hex::encode(mac(key, id).finalize().into_bytes()))
}

/// The subscription id an unsubscribe token names, if its signature holds.
pub fn verify_unsubscribe_token(key: &[u8], token: &str) -> Option<String> {
    let (id, sig) = token.trim().split_once('.')?;
    let bytes = hex::decode(sig).ok()?;
    mac(key, id).verify_slice(&bytes).ok()?;
    Some(id.to_owned())
}

/// Ends a subscription (one-click unsubscribe). True when it was not ended already.
pub async fn unsubscribe(db: &Db, id: &str) -> Result<bool, StoreError> {
    let n = with_pool!(db.write(), p => {
        sqlx::query(
            "UPDATE advice_subscriptions SET status = 'unsubscribed', unsubscribed_at = $2 \
             WHERE id = $1 AND status <> 'unsubscribed'",
        )
        .bind(id)
        .bind(now())
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Active subscribers of a country, in a stable order.
pub async fn active_for_country(
    db: &Db,
    country: CountryCode,
) -> Result<Vec<Subscription>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM advice_subscriptions WHERE country = $1 AND status = 'active' ORDER BY id"
    );
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(country.as_str())
            .fetch_all(p)
            .await
    })?)
}

/// Every subscription of these addresses (email addresses or phone numbers).
pub async fn for_addresses(db: &Db, addresses: &[String]) -> Result<Vec<Subscription>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM advice_subscriptions WHERE address = $1 ORDER BY country, channel"
    );
    let mut out = Vec::new();
    for a in addresses {
        let rows: Vec<Subscription> = with_pool!(db.read(), p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(a).fetch_all(p).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}

/// Deletes every subscription of these addresses. Returns how many.
pub async fn delete_for_addresses(tx: &mut Tx, addresses: &[String]) -> Result<u64, StoreError> {
    let mut n = 0;
    for a in addresses {
        n += with_tx!(tx, c => {
            sqlx::query("DELETE FROM advice_subscriptions WHERE address = $1")
                .bind(a)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsubscribe_tokens_are_signed() {
        let t = unsubscribe_token(b"key", "abc");
        assert_eq!(verify_unsubscribe_token(b"key", &t).as_deref(), Some("abc"));
        assert!(verify_unsubscribe_token(b"other", &t).is_none());
        let forged = t.replacen("abc", "abd", 1);
        assert!(verify_unsubscribe_token(b"key", &forged).is_none());
        assert!(verify_unsubscribe_token(b"key", "nonsense").is_none());
    }
}
