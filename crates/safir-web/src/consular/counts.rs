//! The number of cases in each state per mission, as the queue page, the dashboard panel and
//! the API show above their lists, and the number of open cases past their service's target
//! (the dashboard panel). Counting reads every case of the mission (tens of
//! thousands at a busy embassy), so each process keeps the answer for a few seconds: a
//! count seen by an officer may lag another process's moves by at most [`TTL`]; this
//! process's own moves refresh it at once.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use safir_store::consular::cases;

use crate::error::AppError;
use crate::state::AppState;

pub const TTL: Duration = Duration::from_secs(5);

/// Cases per state, and when they were counted.
type Counted = (Instant, BTreeMap<String, i64>);

#[derive(Default)]
pub struct CountsCache {
    /// One refresh at a time per mission: when the counts expire under load, the first
    /// request counts and the others wait for its answer instead of all counting at once.
    refreshing: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    by_mission: Mutex<HashMap<String, Counted>>,
    /// Overdue open cases per mission, and when they were counted.
    overdue: Mutex<HashMap<String, (Instant, i64)>>,
}

impl CountsCache {
    fn fresh(&self, mission_id: &str) -> Option<BTreeMap<String, i64>> {
        let map = self.by_mission.lock().ok()?;
        map.get(mission_id)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, counts)| counts.clone())
    }

    fn put(&self, mission_id: &str, counts: &BTreeMap<String, i64>) {
        if let Ok(mut map) = self.by_mission.lock() {
            map.insert(mission_id.to_owned(), (Instant::now(), counts.clone()));
        }
    }

    fn fresh_overdue(&self, mission_id: &str) -> Option<i64> {
        let map = self.overdue.lock().ok()?;
        map.get(mission_id)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, n)| *n)
    }

    fn put_overdue(&self, mission_id: &str, n: i64) {
        if let Ok(mut map) = self.overdue.lock() {
            map.insert(mission_id.to_owned(), (Instant::now(), n));
        }
    }

    fn refresh_lock(&self, mission_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        match self.refreshing.lock() {
            Ok(mut map) => map.entry(mission_id.to_owned()).or_default().clone(),
            // A poisoned map only loses the sharing of refreshes, not their correctness.
            Err(_) => Arc::default(),
        }
    }

    /// Forgets a mission's counts after a case of it moved in this process.
    pub fn invalidate(&self, mission_id: &str) {
        if let Ok(mut map) = self.by_mission.lock() {
            map.remove(mission_id);
        }
        if let Ok(mut map) = self.overdue.lock() {
            map.remove(mission_id);
        }
    }
}

/// Cases per state at `mission_id` (drafts excluded), at most [`TTL`] old.
pub async fn case_counts(
    state: &AppState,
    mission_id: &str,
) -> Result<BTreeMap<String, i64>, AppError> {
    if let Some(c) = state.case_counts.fresh(mission_id) {
        return Ok(c);
    }
    let lock = state.case_counts.refresh_lock(mission_id);
    let _refreshing = lock.lock().await;
    if let Some(c) = state.case_counts.fresh(mission_id) {
        return Ok(c);
    }
    let counts = cases::queue_counts(&state.db, mission_id)
        .await
        .map_err(AppError::internal)?;
    state.case_counts.put(mission_id, &counts);
    Ok(counts)
}

/// Open cases at `mission_id` past their service's target, at most [`TTL`] old.
pub async fn overdue_total(state: &AppState, mission_id: &str) -> Result<i64, AppError> {
    if let Some(n) = state.case_counts.fresh_overdue(mission_id) {
        return Ok(n);
    }
    let lock = state.case_counts.refresh_lock(mission_id);
    let _refreshing = lock.lock().await;
    if let Some(n) = state.case_counts.fresh_overdue(mission_id) {
        return Ok(n);
    }
    let n = cases::overdue_by_service(&state.db, mission_id, safir_store::now())
        .await
        .map_err(AppError::internal)?
        .iter()
        .map(|r| r.overdue)
        .sum();
    state.case_counts.put_overdue(mission_id, n);
    Ok(n)
}
