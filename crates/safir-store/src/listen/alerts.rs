//! Alerts a monitor raised: how many messages matched in which window, with samples.

use chrono::{DateTime, Utc};

use crate::{Db, StoreError, Tx, now, with_pool, with_tx};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Alert {
    pub id: String,
    pub monitor_id: String,
    pub raised_at: DateTime<Utc>,
    pub matches: i64,
    /// The window, `(start, end]` in message time (ms since the epoch).
    pub window_start_ms: i64,
    pub window_end_ms: i64,
    /// JSON list of sample messages.
    pub sample: String,
}

/// An alert with the name of its monitor, for listings.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ListedAlert {
    pub monitor_name: String,
    #[sqlx(flatten)]
    pub alert: Alert,
}

#[derive(Debug, Clone)]
pub struct NewAlert<'a> {
    pub monitor_id: &'a str,
    pub matches: i64,
    pub window_start_ms: i64,
    pub window_end_ms: i64,
    pub sample: &'a serde_json::Value,
}

/// Raises an alert inside the caller's transaction: moves the monitor's `last_alert_at` to
/// now and `last_checked_ms` to the window's end, then inserts the alert. Returns `None`
/// (and changes nothing) when the monitor is in its cool-down or has already reported a
/// window ending at or after this one; the test and the update are one statement, so two
/// processes checking at once raise one alert.
pub async fn raise_alert(tx: &mut Tx, input: &NewAlert<'_>) -> Result<Option<Alert>, StoreError> {
    let t = now();
    let moved = match tx.backend() {
        crate::Backend::Postgres => with_tx!(tx, c => {
            sqlx::query(
                "UPDATE listen_monitors SET last_alert_at = $2, last_checked_ms = $3 \
                 WHERE id = $1 AND (last_checked_ms IS NULL OR last_checked_ms < $3) \
                 AND (last_alert_at IS NULL OR last_alert_at + make_interval(mins => cooldown_minutes) <= $2)",
            )
            .bind(input.monitor_id)
            .bind(t)
            .bind(input.window_end_ms)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?,
        // SQLite keeps times as RFC 3339 text; the cool-down is compared in Rust below.
        crate::Backend::Sqlite => {
            let last: Option<(Option<DateTime<Utc>>, i32)> = with_tx!(tx, c => {
                sqlx::query_as("SELECT last_alert_at, cooldown_minutes FROM listen_monitors WHERE id = $1")
                    .bind(input.monitor_id)
                    .fetch_optional(c)
                    .await
            })?;
            let Some((last_alert_at, cooldown)) = last else {
                return Err(StoreError::NotFound);
            };
            let cooled = last_alert_at
                .is_none_or(|at| t - at >= chrono::Duration::minutes(i64::from(cooldown)));
            if !cooled {
                return Ok(None);
            }
            with_tx!(tx, c => {
                sqlx::query(
                    "UPDATE listen_monitors SET last_alert_at = $2, last_checked_ms = $3 \
                     WHERE id = $1 AND (last_checked_ms IS NULL OR last_checked_ms < $3)",
                )
                .bind(input.monitor_id)
                .bind(t)
                .bind(input.window_end_ms)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
            })?
        }
    };
    if moved == 0 {
        return Ok(None);
    }
    let alert = Alert {
        id: super::new_id(),
        monitor_id: input.monitor_id.to_owned(),
        raised_at: t,
        matches: input.matches,
        window_start_ms: input.window_start_ms,
        window_end_ms: input.window_end_ms,
        sample: input.sample.to_string(),
    };
    with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO listen_alerts (id, monitor_id, raised_at, matches, window_start_ms, window_end_ms, sample) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&alert.id)
        .bind(&alert.monitor_id)
        .bind(alert.raised_at)
        .bind(alert.matches)
        .bind(alert.window_start_ms)
        .bind(alert.window_end_ms)
        .bind(&alert.sample)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(Some(alert))
}

/// The newest alerts, of one monitor or of all.
pub async fn list_alerts(
    db: &Db,
    monitor_id: Option<&str>,
    limit: i64,
) -> Result<Vec<ListedAlert>, StoreError> {
    let filter = if monitor_id.is_some() {
        "WHERE a.monitor_id = $2"
    } else {
        ""
    };
    let sql = format!(
        "SELECT m.name AS monitor_name, a.id, a.monitor_id, a.raised_at, a.matches, a.window_start_ms, \
         a.window_end_ms, a.sample FROM listen_alerts a JOIN listen_monitors m ON m.id = a.monitor_id \
         {filter} ORDER BY a.raised_at DESC, a.id DESC LIMIT $1"
    );
    Ok(with_pool!(db.read(), p => {
        let mut q = sqlx::query_as::<_, ListedAlert>(sqlx::AssertSqlSafe(sql.as_str())).bind(limit);
        if let Some(id) = monitor_id {
            q = q.bind(id.to_owned());
        }
        q.fetch_all(p).await
    })?)
}
