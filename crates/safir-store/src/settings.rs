//! Instance-wide values shared by all server processes (secrets generated on first use).

use rand::RngCore;

use crate::{Db, StoreError, with_pool};

/// Returns the value under `key`, creating it with `make()` if absent. Safe when several
/// processes race: the first insert wins and everyone reads it back.
pub async fn get_or_create(
    db: &Db,
    key: &str,
    make: impl FnOnce() -> String,
) -> Result<String, StoreError> {
    let value = make();
    with_pool!(db.write(), p => {
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(&value)
            .execute(p)
            .await.map(|r| r.rows_affected())
    })?;
    let stored: String = with_pool!(db.write(), p => {
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_one(p).await
    })?;
    Ok(stored)
}

/// The value under `key`, if there is one.
pub async fn get(db: &Db, key: &str) -> Result<Option<String>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(p).await
    })?)
}

/// Whether the database holds any account or mission: one in use, which only the instance's
/// own commands may write to (not the demo's seeding).
pub async fn holds_accounts_or_missions(db: &Db) -> Result<bool, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM missions)")
            .fetch_one(p)
            .await
    })?)
}

/// A 32-byte random secret, hex-encoded, shared by the instance (CSRF keys and the like).
pub async fn secret(db: &Db, key: &str) -> Result<Vec<u8>, StoreError> {
    let hex_value = get_or_create(db, key, || {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        hex::encode(bytes)
    })
    .await?;
    hex::decode(hex_value).map_err(|e| StoreError::Corrupt(format!("setting {key}: {e}")))
}

/// Sets `key` to `value`, replacing any previous value.
pub async fn set(db: &Db, key: &str, value: &str) -> Result<(), StoreError> {
    with_pool!(db.write(), p => {
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}
