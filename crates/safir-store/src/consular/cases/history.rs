//! Spreading a freshly written case's history over past days, for the demo: every move the
//! seed makes happens within the same second, which shows nothing of waiting times, the
//! processing-time board or cases past their due date.

use chrono::{DateTime, Duration, Utc};

use super::find_in_tx;
use crate::{StoreError, Tx, now, with_tx};

/// Moves the history of case `id` into the past: its submission `since` ago, each later
/// move `step` after the one before (the last no later than an hour ago), and with them
/// the case's own times, its messages (each at the time of the move it followed) and an
/// e-visa it carries. The due date keeps its distance from the submission.
pub async fn spread_history(
    tx: &mut Tx,
    id: &str,
    since: Duration,
    step: Duration,
) -> Result<(), StoreError> {
    crate::consular::changed();
    let case = find_in_tx(tx, id).await?;
    let events: Vec<(String, DateTime<Utc>)> = with_tx!(tx, c => {
        sqlx::query_as("SELECT id, at FROM case_events WHERE case_id = $1 ORDER BY at, id")
            .bind(id)
            .fetch_all(c)
            .await
    })?;
    let Some(first) = events.first().map(|e| e.1) else {
        return Ok(());
    };
    let latest = now() - Duration::hours(1);
    let start = now() - since;
    let moved: Vec<(String, DateTime<Utc>, DateTime<Utc>)> = events
        .iter()
        .zip(0i32..)
        .map(|((event, old), k)| (event.clone(), *old, (start + step * k).min(latest)))
        .collect();
    // A time of the case as it was written: at the new time of the last move made by then.
    let map = |t: DateTime<Utc>| {
        moved
            .iter()
            .rev()
            .find(|(_, old, _)| *old <= t)
            .map_or(start, |(_, _, new)| *new)
    };
    for (event, _, at) in &moved {
        with_tx!(tx, c => {
            sqlx::query("UPDATE case_events SET at = $2 WHERE id = $1")
                .bind(event)
                .bind(*at)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
    }
    let messages: Vec<(String, DateTime<Utc>)> = with_tx!(tx, c => {
        sqlx::query_as("SELECT id, created_at FROM case_messages WHERE case_id = $1")
            .bind(id)
            .fetch_all(c)
            .await
    })?;
    for (message, at) in messages {
        with_tx!(tx, c => {
            sqlx::query("UPDATE case_messages SET created_at = $2 WHERE id = $1")
                .bind(&message)
                .bind(map(at))
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
    }
    let submitted_at = case.submitted_at.map(map);
    let due_at = match (case.due_at, case.submitted_at, submitted_at) {
        (Some(due), Some(old), Some(new)) => Some(new + (due - old)),
        (due, _, _) => due,
    };
    let last = moved.last().map_or(start, |m| m.2);
    with_tx!(tx, c => {
        sqlx::query(
            "UPDATE cases SET created_at = $2, submitted_at = $3, due_at = $4, acknowledged_at = $5, \
             closed_at = $6, state_changed_at = $7, updated_at = $7 WHERE id = $1",
        )
        .bind(id)
        .bind(map(first) - Duration::minutes(20))
        .bind(submitted_at)
        .bind(due_at)
        .bind(case.acknowledged_at.map(map))
        .bind(case.closed_at.map(map))
        .bind(last)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    let evisas: Vec<(String, DateTime<Utc>)> = with_tx!(tx, c => {
        sqlx::query_as("SELECT id, issued_at FROM evisas WHERE case_id = $1")
            .bind(id)
            .fetch_all(c)
            .await
    })?;
    for (evisa, at) in evisas {
        with_tx!(tx, c => {
            sqlx::query("UPDATE evisas SET issued_at = $2 WHERE id = $1")
                .bind(&evisa)
                .bind(map(at))
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}
