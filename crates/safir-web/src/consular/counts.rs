//! The number of cases in each state per mission, as the queue page, the dashboard panel and
//! the API show above their lists, and the numbers of open cases past their service's target
//! and of those whose applicant waits for the mission's reply (the dashboard panel). Counting
//! reads every case of the mission (tens of thousands at a busy embassy), so each process
//! keeps the answer for a few seconds: a count seen by an officer may lag another process's
//! moves by at most [`TTL`]; this process's own writes to cases refresh it at once (see
//! `crate::read_cache`).
//!
//! When the counts expire, one request counts again. The others do not wait for it: they are
//! given the counts it is replacing, up to [`TTL`] past their expiry (so a count may lag
//! another process's moves by up to twice [`TTL`] while a count is under way). Under load every
//! officer's page used to stall for as long as the count took, every [`TTL`]. Only when there
//! is nothing to give (first view, or this process moved a case of the mission) do they wait.

use std::collections::BTreeMap;
use std::time::Duration;

use safir_store::consular::{self, cases};

use crate::error::AppError;
use crate::read_cache::ReadCache;
use crate::state::AppState;

pub const TTL: Duration = Duration::from_secs(5);

/// Missions whose counts are kept at once (a ministry has a few hundred).
const MAX_MISSIONS: usize = 10_000;

pub struct CountsCache {
    /// Cases per state, by mission.
    by_mission: ReadCache<String, BTreeMap<String, i64>>,
    /// Overdue open cases, by mission.
    overdue: ReadCache<String, i64>,
    /// Open cases whose applicant waits for the mission's reply, by mission.
    awaiting_reply: ReadCache<String, i64>,
}

impl Default for CountsCache {
    fn default() -> Self {
        Self {
            by_mission: ReadCache::new(TTL, MAX_MISSIONS).following(consular::changes),
            overdue: ReadCache::new(TTL, MAX_MISSIONS).following(consular::changes),
            awaiting_reply: ReadCache::new(TTL, MAX_MISSIONS).following(consular::changes),
        }
    }
}

impl CountsCache {
    /// Forgets a mission's counts after a case of it moved in this process.
    pub fn invalidate(&self, mission_id: &str) {
        self.by_mission.remove(mission_id);
        self.overdue.remove(mission_id);
        self.awaiting_reply.remove(mission_id);
    }

    /// Forgets every mission's counts: after a request that wrote to cases, a count read
    /// between its write and its commit would otherwise stay for [`TTL`].
    pub fn clear(&self) {
        self.by_mission.clear();
        self.overdue.clear();
        self.awaiting_reply.clear();
    }
}

/// Cases per state at `mission_id` (drafts excluded), at most [`TTL`] old.
pub async fn case_counts(
    state: &AppState,
    mission_id: &str,
) -> Result<BTreeMap<String, i64>, AppError> {
    let counts = &state.case_counts.by_mission;
    counts
        .get_or_read(mission_id, TTL, async {
            cases::queue_counts(&state.db, mission_id)
                .await
                .map_err(AppError::internal)
        })
        .await
}

/// Open cases at `mission_id` past their service's target, at most [`TTL`] old.
pub async fn overdue_total(state: &AppState, mission_id: &str) -> Result<i64, AppError> {
    let overdue = &state.case_counts.overdue;
    overdue
        .get_or_read(mission_id, TTL, async {
            Ok(
                cases::overdue_by_service(&state.db, mission_id, safir_store::now())
                    .await
                    .map_err(AppError::internal)?
                    .iter()
                    .map(|r| r.overdue)
                    .sum(),
            )
        })
        .await
}

/// Open cases at `mission_id` whose applicant waits for the mission's reply, at most [`TTL`]
/// old.
pub async fn awaiting_reply_total(state: &AppState, mission_id: &str) -> Result<i64, AppError> {
    let awaiting = &state.case_counts.awaiting_reply;
    awaiting
        .get_or_read(mission_id, TTL, async {
            cases::awaiting_reply_count(&state.db, mission_id)
                .await
                .map_err(AppError::internal)
        })
        .await
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// A value that has just expired.
    fn expired(ttl: Duration) -> Arc<ReadCache<String, i64>> {
        let cache = Arc::new(ReadCache::new(ttl, 10));
        cache.put(cache.ticket(), "m".into(), 1);
        std::thread::sleep(ttl + Duration::from_millis(5));
        cache
    }

    /// Another request counting `m` until the guard is dropped.
    async fn counting(cache: &ReadCache<String, i64>) -> tokio::sync::OwnedMutexGuard<()> {
        cache.sole_reader("m").await
    }

    #[tokio::test]
    async fn while_one_request_counts_the_others_get_the_counts_it_replaces() {
        let cache = expired(Duration::from_millis(20));
        let _counting = counting(&cache).await;
        let got = tokio::time::timeout(
            Duration::from_secs(5),
            cache.get_or_read("m", TTL, async { Ok::<_, AppError>(2) }),
        )
        .await
        .expect("given the counts being replaced, not made to wait");
        assert_eq!(got.unwrap(), 1);
    }

    #[tokio::test]
    async fn with_nothing_to_give_a_request_waits_for_the_count_under_way() {
        let cache = expired(Duration::from_millis(20));
        // This process moved a case of the mission: its old counts are gone.
        cache.remove("m");
        let counting = counting(&cache).await;
        let waiting = tokio::spawn({
            let cache = cache.clone();
            async move {
                cache
                    .get_or_read("m", TTL, async { Ok::<_, AppError>(3) })
                    .await
                    .unwrap()
            }
        });
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert!(!waiting.is_finished());
        drop(counting);
        assert_eq!(waiting.await.unwrap(), 3);
    }

    #[tokio::test]
    async fn the_first_request_after_expiry_counts_again() {
        let cache = expired(Duration::from_millis(20));
        let got = cache
            .get_or_read("m", TTL, async { Ok::<_, AppError>(4) })
            .await;
        assert_eq!(got.unwrap(), 4);
        assert_eq!(cache.get("m"), Some(4));
    }
}
