//! The number of cases in each state per mission, as the queue page, the dashboard panel and
//! the API show above their lists, and the number of open cases past their service's target
//! (the dashboard panel). Counting reads every case of the mission (tens of
//! thousands at a busy embassy), so each process keeps the answer for a few seconds: a
//! count seen by an officer may lag another process's moves by at most [`TTL`]; this
//! process's own writes to cases refresh it at once (see `crate::read_cache`).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use safir_store::consular::{self, cases};

use crate::error::AppError;
use crate::read_cache::ReadCache;
use crate::state::AppState;

pub const TTL: Duration = Duration::from_secs(5);

/// Missions whose counts are kept at once (a ministry has a few hundred).
const MAX_MISSIONS: usize = 10_000;

pub struct CountsCache {
    /// One refresh at a time per mission: when the counts expire under load, the first
    /// request counts and the others wait for its answer instead of all counting at once.
    refreshing: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Cases per state, by mission.
    by_mission: ReadCache<String, BTreeMap<String, i64>>,
    /// Overdue open cases, by mission.
    overdue: ReadCache<String, i64>,
}

impl Default for CountsCache {
    fn default() -> Self {
        Self {
            refreshing: Mutex::default(),
            by_mission: ReadCache::new(TTL, MAX_MISSIONS).following(consular::changes),
            overdue: ReadCache::new(TTL, MAX_MISSIONS).following(consular::changes),
        }
    }
}

impl CountsCache {
    fn refresh_lock(&self, mission_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        match self.refreshing.lock() {
            Ok(mut map) => map.entry(mission_id.to_owned()).or_default().clone(),
            // A poisoned map only loses the sharing of refreshes, not their correctness.
            Err(_) => Arc::default(),
        }
    }

    /// Forgets a mission's counts after a case of it moved in this process.
    pub fn invalidate(&self, mission_id: &str) {
        self.by_mission.remove(mission_id);
        self.overdue.remove(mission_id);
    }
}

/// Cases per state at `mission_id` (drafts excluded), at most [`TTL`] old.
pub async fn case_counts(
    state: &AppState,
    mission_id: &str,
) -> Result<BTreeMap<String, i64>, AppError> {
    let cache = &state.case_counts.by_mission;
    if let Some(c) = cache.get(mission_id) {
        return Ok(c);
    }
    let lock = state.case_counts.refresh_lock(mission_id);
    let _refreshing = lock.lock().await;
    if let Some(c) = cache.get(mission_id) {
        return Ok(c);
    }
    let ticket = cache.ticket();
    let counts = cases::queue_counts(&state.db, mission_id)
        .await
        .map_err(AppError::internal)?;
    cache.put(ticket, mission_id.to_owned(), counts.clone());
    Ok(counts)
}

/// Open cases at `mission_id` past their service's target, at most [`TTL`] old.
pub async fn overdue_total(state: &AppState, mission_id: &str) -> Result<i64, AppError> {
    let cache = &state.case_counts.overdue;
    if let Some(n) = cache.get(mission_id) {
        return Ok(n);
    }
    let lock = state.case_counts.refresh_lock(mission_id);
    let _refreshing = lock.lock().await;
    if let Some(n) = cache.get(mission_id) {
        return Ok(n);
    }
    let ticket = cache.ticket();
    let n = cases::overdue_by_service(&state.db, mission_id, safir_store::now())
        .await
        .map_err(AppError::internal)?
        .iter()
        .map(|r| r.overdue)
        .sum();
    cache.put(ticket, mission_id.to_owned(), n);
    Ok(n)
}
