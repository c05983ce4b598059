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

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use safir_store::accounts;
use safir_store::accounts::directory::{self, MissionStaff};
use safir_store::missions::{self, Mission};

use super::session::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;

/// Entries per map before expired ones are dropped (and, if that is not enough, all).
const MAX_ENTRIES: usize = 50_000;

/// Proof that a value was read after the cache was last emptied and after the last write
/// of this process to what it holds.
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    own: u64,
    store: u64,
}

/// A signed-in viewer as resolved from the database, with the time it stops being valid.
#[derive(Debug, Clone)]
pub struct CachedViewer {
    pub user: CurrentUser,
    /// The session's or token's expiry (`None`: a token that does not expire).
    pub expires_at: Option<DateTime<Utc>>,
}

impl CachedViewer {
    fn valid_at(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_none_or(|e| e > now)
    }
}

struct Map<K, V> {
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> Map<K, V> {
    fn new() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn get<Q: Hash + Eq + ?Sized>(&self, key: &Q, ttl: Duration) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
    {
        let map = self.entries.lock().ok()?;
        map.get(key)
            .filter(|(at, _)| at.elapsed() < ttl)
            .map(|(_, v)| v.clone())
    }

    fn put(&self, key: K, value: V, ttl: Duration) {
        let Ok(mut map) = self.entries.lock() else {
            return;
        };
        if map.len() >= MAX_ENTRIES {
            map.retain(|_, (at, _)| at.elapsed() < ttl);
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(key, (Instant::now(), value));
    }

    fn clear(&self) {
        if let Ok(mut map) = self.entries.lock() {
            map.clear();
        }
    }
}

/// See the module documentation.
pub struct AuthCache {
    ttl: Duration,
    /// Bumped each time the cache is emptied.
    generation: AtomicU64,
    /// The store's count of account writes when the cache was last checked against it.
    seen_changes: AtomicU64,
    /// Keyed by the hash of the session cookie's secret.
    sessions: Map<String, CachedViewer>,
    /// Keyed by the hash of the API token.
    tokens: Map<String, CachedViewer>,
    /// Keyed by mission code; `None` records a code that names no mission.
    missions: Map<String, Option<Mission>>,
    /// Keyed by mission id.
    staff: Map<String, Arc<Vec<MissionStaff>>>,
    /// Every mission (one entry).
    all_missions: Map<(), Arc<Vec<Mission>>>,
}

impl AuthCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            generation: AtomicU64::new(0),
            seen_changes: AtomicU64::new(accounts::changes()),
            sessions: Map::new(),
            tokens: Map::new(),
            missions: Map::new(),
            staff: Map::new(),
            all_missions: Map::new(),
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    /// Take before reading the database; hand back with the value read.
    pub fn ticket(&self) -> Ticket {
        Ticket {
            own: self.generation.load(Ordering::Acquire),
            store: accounts::changes(),
        }
    }

    fn current(&self, ticket: Ticket) -> bool {
        self.enabled()
            && self.generation.load(Ordering::Acquire) == ticket.own
            && accounts::changes() == ticket.store
    }

    /// Empties the cache if this process wrote accounts since the last look; true when the
    /// cache is on.
    fn sync(&self) -> bool {
        if !self.enabled() {
            return false;
        }
        let changes = accounts::changes();
        // A plain read on the hot path; only a moved count writes the shared word.
        if self.seen_changes.load(Ordering::Acquire) != changes
            && self.seen_changes.swap(changes, Ordering::AcqRel) != changes
        {
            self.clear();
        }
        true
    }

    /// Forgets everything (after a state-changing request).
    pub fn clear(&self) {
        if !self.enabled() {
            return;
        }
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.sessions.clear();
        self.tokens.clear();
        self.missions.clear();
        self.staff.clear();
        self.all_missions.clear();
    }

    pub fn session(&self, id_hash: &str, now: DateTime<Utc>) -> Option<CachedViewer> {
        if !self.sync() {
            return None;
        }
        self.sessions
            .get(id_hash, self.ttl)
            .filter(|v| v.valid_at(now))
    }

    pub fn put_session(&self, ticket: Ticket, id_hash: String, viewer: CachedViewer) {
        if self.current(ticket) {
            self.sessions.put(id_hash, viewer, self.ttl);
        }
    }

    pub fn token(&self, token_hash: &str, now: DateTime<Utc>) -> Option<CachedViewer> {
        if !self.sync() {
            return None;
        }
        self.tokens
            .get(token_hash, self.ttl)
            .filter(|v| v.valid_at(now))
    }

    pub fn put_token(&self, ticket: Ticket, token_hash: String, viewer: CachedViewer) {
        if self.current(ticket) {
            self.tokens.put(token_hash, viewer, self.ttl);
        }
    }

    /// `Some(None)`: the code is known to name no mission.
    pub fn mission(&self, code: &str) -> Option<Option<Mission>> {
        if !self.sync() {
            return None;
        }
        self.missions.get(code, self.ttl)
    }

    pub fn put_mission(&self, ticket: Ticket, code: String, mission: Option<Mission>) {
        if self.current(ticket) {
            self.missions.put(code, mission, self.ttl);
        }
    }

    pub fn staff(&self, mission_id: &str) -> Option<Arc<Vec<MissionStaff>>> {
        if !self.sync() {
            return None;
        }
        self.staff.get(mission_id, self.ttl)
    }

    pub fn put_staff(&self, ticket: Ticket, mission_id: String, staff: Arc<Vec<MissionStaff>>) {
        if self.current(ticket) {
            self.staff.put(mission_id, staff, self.ttl);
        }
    }
}

/// Every mission (as `missions::list`), through the cache.
pub async fn all_missions(state: &AppState) -> Result<Arc<Vec<Mission>>, AppError> {
    let cache = &state.auth_cache;
    if cache.sync()
        && let Some(all) = cache.all_missions.get(&(), cache.ttl)
    {
        return Ok(all);
    }
    let ticket = cache.ticket();
    let all = Arc::new(
        missions::list(&state.db)
            .await
            .map_err(AppError::internal)?,
    );
    if cache.current(ticket) {
        cache.all_missions.put((), all.clone(), cache.ttl);
    }
    Ok(all)
}

/// The mission with this code, through the cache.
pub async fn mission_by_code(state: &AppState, code: &str) -> Result<Option<Mission>, AppError> {
    let cache = &state.auth_cache;
    if let Some(known) = cache.mission(code) {
        return Ok(known);
    }
    let ticket = cache.ticket();
    let mission = missions::find_by_code(&state.db, code)
        .await
        .map_err(AppError::internal)?;
    cache.put_mission(ticket, code.to_owned(), mission.clone());
    Ok(mission)
}

/// Everyone holding a role at the mission (as `directory::mission_staff`), through the cache.
pub async fn mission_staff(
    state: &AppState,
    mission_id: &str,
) -> Result<Arc<Vec<MissionStaff>>, AppError> {
    let cache = &state.auth_cache;
    if let Some(rows) = cache.staff(mission_id) {
        return Ok(rows);
    }
    let ticket = cache.ticket();
    let rows = Arc::new(
        directory::mission_staff(&state.db, mission_id)
            .await
            .map_err(AppError::internal)?,
    );
    cache.put_staff(ticket, mission_id.to_owned(), rows.clone());
    Ok(rows)
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
        let before = cache.ticket();
        cache.clear();
        cache.put_staff(before, "m".into(), staff("Old"));
        assert!(cache.staff("m").is_none());
        let after = cache.ticket();
        cache.put_staff(after, "m".into(), staff("New"));
        assert_eq!(cache.staff("m").unwrap()[0].display_name, "New");
        cache.clear();
        assert!(cache.staff("m").is_none());
    }

    #[test]
    fn entries_expire_after_the_ttl() {
        let cache = AuthCache::new(Duration::from_millis(30));
        cache.put_mission(cache.ticket(), "XXX".into(), None);
        assert!(matches!(cache.mission("XXX"), Some(None)));
        std::thread::sleep(Duration::from_millis(60));
        assert!(cache.mission("XXX").is_none());
    }

    #[test]
    fn a_zero_ttl_caches_nothing() {
        let cache = AuthCache::new(Duration::ZERO);
        cache.put_mission(cache.ticket(), "XXX".into(), None);
        assert!(cache.mission("XXX").is_none());
    }
}
