//! Monitors (a saved query over a dataset, a threshold, a window and a cool-down) and the
//! analysts subscribed to them.

use chrono::{DateTime, Utc};

use crate::{Db, StoreError, Tx, now, with_pool, with_tx};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Monitor {
    pub id: String,
    pub dataset_id: String,
    pub name: String,
    /// The query as JSON (`{keywords, hashtags, accounts, languages}`).
    pub query: String,
    /// Matching messages in the window that raise an alert (at least 1).
    pub threshold: i32,
    pub window_minutes: i32,
    /// Least time between two alerts of this monitor.
    pub cooldown_minutes: i32,
    pub enabled: bool,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The end of the window of the last alert (message time, ms since the epoch).
    pub last_checked_ms: Option<i64>,
    pub last_alert_at: Option<DateTime<Utc>>,
}

impl Monitor {
    pub fn query_json(&self) -> Result<serde_json::Value, StoreError> {
        serde_json::from_str(&self.query)
            .map_err(|e| StoreError::Corrupt(format!("monitor {} query: {e}", self.id)))
    }

    /// Whether the cool-down since the last alert has passed at `at`.
    pub fn cooled_down(&self, at: DateTime<Utc>) -> bool {
        self.last_alert_at.is_none_or(|last| {
            at - last >= chrono::Duration::minutes(i64::from(self.cooldown_minutes))
        })
    }
}

#[derive(Debug, Clone)]
pub struct NewMonitor<'a> {
    pub dataset_id: &'a str,
    pub name: &'a str,
    pub query: &'a serde_json::Value,
    pub threshold: i32,
    pub window_minutes: i32,
    pub cooldown_minutes: i32,
    pub created_by: Option<&'a str>,
}

/// A subscribed analyst, with what an email to them needs.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Subscriber {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
    pub preferred_lang: String,
}

const COLUMNS: &str = "id, dataset_id, name, query, threshold, window_minutes, cooldown_minutes, \
     enabled, created_by, created_at, last_checked_ms, last_alert_at";

/// Adds an enabled monitor; `Conflict("monitor name")` when the name is taken.
pub async fn create_monitor(tx: &mut Tx, input: &NewMonitor<'_>) -> Result<Monitor, StoreError> {
    if input.threshold < 1 || input.window_minutes < 1 || input.cooldown_minutes < 0 {
        return Err(StoreError::Corrupt(
            "a monitor needs threshold >= 1, window >= 1 minute and cool-down >= 0".to_owned(),
        ));
    }
    let monitor = Monitor {
        id: super::new_id(),
        dataset_id: input.dataset_id.to_owned(),
        name: input.name.to_owned(),
        query: input.query.to_string(),
        threshold: input.threshold,
        window_minutes: input.window_minutes,
        cooldown_minutes: input.cooldown_minutes,
        enabled: true,
        created_by: input.created_by.map(str::to_owned),
        created_at: now(),
        last_checked_ms: None,
        last_alert_at: None,
    };
    let sql = format!(
        "INSERT INTO listen_monitors ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, NULL)"
    );
    with_tx!(tx, c => {
        sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(&monitor.id)
            .bind(&monitor.dataset_id)
            .bind(&monitor.name)
            .bind(&monitor.query)
            .bind(monitor.threshold)
            .bind(monitor.window_minutes)
            .bind(monitor.cooldown_minutes)
            .bind(monitor.enabled)
            .bind(&monitor.created_by)
            .bind(monitor.created_at)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(|e| StoreError::unique_as(e, "monitor name"))?;
    Ok(monitor)
}

pub async fn find_monitor(db: &Db, id: &str) -> Result<Monitor, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM listen_monitors WHERE id = $1");
    with_pool!(db.read(), p => {
        sqlx::query_as::<_, Monitor>(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(p).await
    })?
    .ok_or(StoreError::NotFound)
}

pub async fn find_monitor_by_name(db: &Db, name: &str) -> Result<Option<Monitor>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM listen_monitors WHERE name = $1");
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as::<_, Monitor>(sqlx::AssertSqlSafe(sql.as_str())).bind(name).fetch_optional(p).await
    })?)
}

/// Every monitor, by name.
pub async fn list_monitors(db: &Db) -> Result<Vec<Monitor>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM listen_monitors ORDER BY name");
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as::<_, Monitor>(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(p).await
    })?)
}

/// The enabled monitors, grouped by dataset (so each dataset is imported once per check).
pub async fn list_enabled(db: &Db) -> Result<Vec<Monitor>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM listen_monitors WHERE enabled = $1 ORDER BY dataset_id, name"
    );
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as::<_, Monitor>(sqlx::AssertSqlSafe(sql.as_str())).bind(true).fetch_all(p).await
    })?)
}

/// Turns a monitor on or off; `false` when nothing changed.
pub async fn set_enabled(tx: &mut Tx, id: &str, enabled: bool) -> Result<bool, StoreError> {
    let n = with_tx!(tx, c => {
        sqlx::query("UPDATE listen_monitors SET enabled = $2 WHERE id = $1 AND enabled <> $2")
            .bind(id)
            .bind(enabled)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Subscribes an account to a monitor's alerts; `false` when it already was.
pub async fn subscribe(tx: &mut Tx, monitor_id: &str, user_id: &str) -> Result<bool, StoreError> {
    let n = with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO listen_monitor_subscribers (monitor_id, user_id) VALUES ($1, $2) \
             ON CONFLICT (monitor_id, user_id) DO NOTHING",
        )
        .bind(monitor_id)
        .bind(user_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Ends a subscription; `false` when there was none.
pub async fn unsubscribe(tx: &mut Tx, monitor_id: &str, user_id: &str) -> Result<bool, StoreError> {
    let n = with_tx!(tx, c => {
        sqlx::query("DELETE FROM listen_monitor_subscribers WHERE monitor_id = $1 AND user_id = $2")
            .bind(monitor_id)
            .bind(user_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

const SUBSCRIBERS: &str = "SELECT u.id AS user_id, u.email, u.display_name, u.preferred_lang \
     FROM listen_monitor_subscribers s JOIN users u ON u.id = s.user_id \
     WHERE s.monitor_id = $1 AND u.disabled_at IS NULL ORDER BY u.email";

/// The active accounts subscribed to a monitor.
pub async fn subscribers(db: &Db, monitor_id: &str) -> Result<Vec<Subscriber>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as::<_, Subscriber>(SUBSCRIBERS).bind(monitor_id).fetch_all(p).await
    })?)
}

/// The same, inside a transaction (the alert and its emails see one list).
pub async fn subscribers_in(tx: &mut Tx, monitor_id: &str) -> Result<Vec<Subscriber>, StoreError> {
    Ok(with_tx!(tx, c => {
        sqlx::query_as::<_, Subscriber>(SUBSCRIBERS).bind(monitor_id).fetch_all(c).await
    })?)
}
