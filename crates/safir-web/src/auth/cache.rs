//! What every signed-in request reads before its handler runs — the session or API token with
//! its user and grants, the mission a `{mission}` route names, a mission's staff — kept in
//! this process for a short time ([`AuthCache::ttl`], `security.auth_cache_seconds`).
//!
//! Freshness:
//! - every write of this process to users, sessions, grants, tokens or missions (any request,
//!   any method, or a job) empties the cache before the next read of it
//!   ([`safir_store::accounts::changes`]), and again when the request that wrote is over (the
//!   write moves the counter before its commit);
//! - every state-changing request of a signed-in user (any method but GET, HEAD and OPTIONS)
//!   that this process serves empties the whole cache when it completes, so a sign-out, a second factor, a
//!   grant, a revoked token or a mission edit made here takes effect on the next request;
//! - a change made by another process (an admin command, another instance on the same
//!   PostgreSQL database, a background job) takes effect within the TTL;
//! - a value read from the database while the cache was being emptied is not stored (each
//!   read takes a [`Ticket`] first, and a ticket from before the last emptying is refused), so
//!   a slow request cannot put back what a completed change removed;
//! - a cached session or token still stops at its own expiry time.
//!
//! A TTL of zero turns the cache off: every request reads the database.

use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use safir_store::accounts;
use safir_store::accounts::directory::{self, MissionStaff};
use safir_store::missions::{self, Mission};

use super::session::CurrentUser;
use crate::error::AppError;
use crate::read_cache::{ReadCache, Ticket};
use crate::state::AppState;

/// Entries per map before expired ones are dropped (and, if that is not enough, all).
const MAX_ENTRIES: usize = 50_000;

/// A signed-in viewer as resolved from the database, with the time it stops being valid.
#[derive(Debug, Clone)]
pub struct CachedViewer {
    pub user: Arc<CurrentUser>,
    /// The session's or token's expiry (`None`: a token that does not expire).
    pub expires_at: Option<DateTime<Utc>>,
}

impl CachedViewer {
    fn valid_at(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_none_or(|e| e > now)
    }
}

/// One of the cache's maps: emptied whenever this process writes accounts.
fn map<K: Eq + Hash, V: Clone>(ttl: Duration) -> ReadCache<K, V> {
    ReadCache::new(ttl, MAX_ENTRIES).following(accounts::changes)
}

/// See the module documentation. Each map takes its own [`Ticket`]s: a value read under one
/// map's ticket is stored in that map only.
pub struct AuthCache {
    /// Keyed by the hash of the session cookie's secret.
    sessions: ReadCache<String, CachedViewer>,
    /// Keyed by the hash of the API token.
    tokens: ReadCache<String, CachedViewer>,
    /// Keyed by mission code; `None` records a code that names no mission.
    missions: ReadCache<String, Option<Mission>>,
    /// Keyed by mission id.
    staff: ReadCache<String, Arc<Vec<MissionStaff>>>,
    /// Every mission (one entry).
    all_missions: ReadCache<(), Arc<Vec<Mission>>>,
}

impl AuthCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            sessions: map(ttl),
            tokens: map(ttl),
            missions: map(ttl),
            staff: map(ttl),
            all_missions: map(ttl),
        }
    }

    pub fn ttl(&self) -> Duration {
        self.sessions.ttl()
    }

    /// Forgets everything (after a state-changing request).
    pub fn clear(&self) {
        self.sessions.clear();
        self.tokens.clear();
        self.missions.clear();
        self.staff.clear();
        self.all_missions.clear();
    }

    /// For a request that found no session under `id_hash`: waits while another request
    /// reads the same session, so that one request reads it, not every request at once
    /// ([`ReadCache::sole_reader`]). Look again with [`Self::session`] after.
    pub async fn session_reader(&self, id_hash: &str) -> tokio::sync::OwnedMutexGuard<()> {
        self.sessions.sole_reader(id_hash).await
    }

    /// [`Self::session_reader`] for an API token.
    pub async fn token_reader(&self, token_hash: &str) -> tokio::sync::OwnedMutexGuard<()> {
        self.tokens.sole_reader(token_hash).await
    }

    pub fn session(&self, id_hash: &str, now: DateTime<Utc>) -> Option<CachedViewer> {
        self.sessions.get(id_hash).filter(|v| v.valid_at(now))
    }

    /// Take before reading a session; hand back to [`Self::put_session`].
    pub fn session_ticket(&self) -> Ticket {
        self.sessions.ticket()
    }

    pub fn put_session(&self, ticket: Ticket, id_hash: String, viewer: CachedViewer) {
        self.sessions.put(ticket, id_hash, viewer);
    }

    pub fn token(&self, token_hash: &str, now: DateTime<Utc>) -> Option<CachedViewer> {
        self.tokens.get(token_hash).filter(|v| v.valid_at(now))
    }

    /// Take before reading an API token; hand back to [`Self::put_token`].
    pub fn token_ticket(&self) -> Ticket {
        self.tokens.ticket()
    }

    pub fn put_token(&self, ticket: Ticket, token_hash: String, viewer: CachedViewer) {
        self.tokens.put(ticket, token_hash, viewer);
    }
}

/// Every mission (as `missions::list`), through the cache.
pub async fn all_missions(state: &AppState) -> Result<Arc<Vec<Mission>>, AppError> {
    let cache = &state.auth_cache.all_missions;
    cache
        .get_or_read(&(), Duration::ZERO, async {
            Ok(Arc::new(
                missions::list(&state.db)
                    .await
                    .map_err(AppError::internal)?,
            ))
        })
        .await
}

/// The mission with this code, through the cache.
pub async fn mission_by_code(state: &AppState, code: &str) -> Result<Option<Mission>, AppError> {
    let cache = &state.auth_cache.missions;
    cache
        .get_or_read(code, Duration::ZERO, async {
            missions::find_by_code(&state.db, code)
                .await
                .map_err(AppError::internal)
        })
        .await
}

/// Everyone holding a role at the mission (as `directory::mission_staff`), through the cache.
pub async fn mission_staff(
    state: &AppState,
    mission_id: &str,
) -> Result<Arc<Vec<MissionStaff>>, AppError> {
    let cache = &state.auth_cache.staff;
    cache
        .get_or_read(mission_id, Duration::ZERO, async {
            Ok(Arc::new(
                directory::mission_staff(&state.db, mission_id)
                    .await
                    .map_err(AppError::internal)?,
            ))
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(name: &str) -> Arc<Vec<MissionStaff>> {
        Arc::new(vec![MissionStaff {
            user_id: "u1".into(),
            display_name: name.into(),
            email: "a@example.org".into(),
            role: "consular_officer".into(),
            disabled: false,
        }])
    }

    #[test]
    fn a_value_read_before_the_cache_was_emptied_is_not_stored() {
        let cache = AuthCache::new(Duration::from_secs(60));
        let before = cache.staff.ticket();
        cache.clear();
        cache.staff.put(before, "m".into(), staff("Old"));
        assert!(cache.staff.get("m").is_none());
        let after = cache.staff.ticket();
        cache.staff.put(after, "m".into(), staff("New"));
        assert_eq!(cache.staff.get("m").unwrap()[0].display_name, "New");
        cache.clear();
        assert!(cache.staff.get("m").is_none());
    }

    #[test]
    fn entries_expire_after_the_ttl() {
        let cache = AuthCache::new(Duration::from_millis(30));
        cache
            .missions
            .put(cache.missions.ticket(), "XXX".into(), None);
        assert!(matches!(cache.missions.get("XXX"), Some(None)));
        std::thread::sleep(Duration::from_millis(60));
        assert!(cache.missions.get("XXX").is_none());
    }

    #[test]
    fn a_zero_ttl_caches_nothing() {
        let cache = AuthCache::new(Duration::ZERO);
        cache
            .missions
            .put(cache.missions.ticket(), "XXX".into(), None);
        assert!(cache.missions.get("XXX").is_none());
    }
}
