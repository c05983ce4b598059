//! A map of values read from the database and kept in this process for a short time, for the
//! pages read far more often than what they show changes (the consular queue and status
//! pages, a mission's case counts).
//!
//! Freshness:
//! - an entry is served for at most the map's TTL after it was read;
//! - a map may follow a store's count of this process's writes (for example
//!   [`safir_store::consular::changes`]): when the count moves, the map is emptied before its
//!   next read;
//! - each read of the database takes a [`Ticket`] first, and a value is stored only if
//!   nothing emptied the map and the count did not move since the ticket was taken, so a slow
//!   read cannot put back what a completed write made stale;
//! - the map holds at most a fixed number of keys: when full, expired entries are dropped, and
//!   if that is not enough, all of them.
//!
//! A TTL of zero turns the map off: nothing is stored and every read goes to the database.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Proof that a value was read after the map was last emptied and after the last counted
/// write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    own: u64,
    store: u64,
}

/// See the module documentation.
pub struct ReadCache<K, V> {
    ttl: Duration,
    max_entries: usize,
    /// The store's write count this map follows (`None`: only expiry and explicit emptying).
    source: Option<fn() -> u64>,
    /// Bumped each time the map is emptied or an entry removed.
    generation: AtomicU64,
    /// The source's count when the map was last checked against it.
    seen: AtomicU64,
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> ReadCache<K, V> {
    /// A map whose entries live `ttl` and that holds at most `max_entries` keys.
    pub fn new(ttl: Duration, max_entries: usize) -> Self {
        Self {
            ttl,
            max_entries: max_entries.max(1),
            source: None,
            generation: AtomicU64::new(0),
            seen: AtomicU64::new(0),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The same map, emptied whenever `count` moves.
    pub fn following(mut self, count: fn() -> u64) -> Self {
        self.source = Some(count);
        self.seen = AtomicU64::new(count());
        self
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    pub fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    fn source_count(&self) -> u64 {
        self.source.map_or(0, |count| count())
    }

    /// Take before reading the database; hand back with the value read.
    pub fn ticket(&self) -> Ticket {
        Ticket {
            own: self.generation.load(Ordering::Acquire),
            store: self.source_count(),
        }
    }

    fn current(&self, ticket: Ticket) -> bool {
        self.enabled()
            && self.generation.load(Ordering::Acquire) == ticket.own
            && self.source_count() == ticket.store
    }

    /// Empties the map if the source moved since the last look.
    fn sync(&self) {
        if self.source.is_none() {
            return;
        }
        let count = self.source_count();
        // A plain read on the hot path; only a moved count writes the shared word.
        if self.seen.load(Ordering::Acquire) != count
            && self.seen.swap(count, Ordering::AcqRel) != count
        {
            self.clear();
        }
    }

    /// The value stored under `key`, if it is younger than the TTL.
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if !self.enabled() {
            return None;
        }
        self.sync();
        let map = self.entries.lock().ok()?;
        map.get(key)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, v)| v.clone())
    }

    /// Stores `value` if it was read under a ticket that is still current.
    pub fn put(&self, ticket: Ticket, key: K, value: V) {
        if !self.current(ticket) {
            return;
        }
        let Ok(mut map) = self.entries.lock() else {
            return;
        };
        if map.len() >= self.max_entries && !map.contains_key(&key) {
            let ttl = self.ttl;
            map.retain(|_, (at, _)| at.elapsed() < ttl);
            if map.len() >= self.max_entries {
                map.clear();
            }
        }
        map.insert(key, (Instant::now(), value));
    }

    /// Forgets one key (and refuses the values being read meanwhile).
    pub fn remove<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if !self.enabled() {
            return;
        }
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut map) = self.entries.lock() {
            map.remove(key);
        }
    }

    /// Forgets everything.
    pub fn clear(&self) {
        if !self.enabled() {
            return;
        }
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut map) = self.entries.lock() {
            map.clear();
        }
    }

    /// How many keys the map holds (expired ones included until they are dropped).
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |m| m.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static COUNT: AtomicU64 = AtomicU64::new(0);

    fn count() -> u64 {
        COUNT.load(Ordering::Acquire)
    }

    #[test]
    fn a_value_read_before_the_map_was_emptied_is_not_stored() {
        let map: ReadCache<String, u32> = ReadCache::new(Duration::from_secs(60), 10);
        let before = map.ticket();
        map.clear();
        map.put(before, "k".into(), 1);
        assert_eq!(map.get("k"), None);
        map.put(map.ticket(), "k".into(), 2);
        assert_eq!(map.get("k"), Some(2));
        map.clear();
        assert_eq!(map.get("k"), None);
    }

    #[test]
    fn a_removed_key_refuses_values_read_before_the_removal() {
        let map: ReadCache<String, u32> = ReadCache::new(Duration::from_secs(60), 10);
        map.put(map.ticket(), "a".into(), 1);
        let before = map.ticket();
        map.remove("a");
        map.put(before, "a".into(), 2);
        assert_eq!(map.get("a"), None);
    }

    #[test]
    fn a_moved_write_count_empties_the_map_and_refuses_older_reads() {
        let map: ReadCache<String, u32> =
            ReadCache::new(Duration::from_secs(60), 10).following(count);
        map.put(map.ticket(), "k".into(), 1);
        assert_eq!(map.get("k"), Some(1));
        let before = map.ticket();
        COUNT.fetch_add(1, Ordering::AcqRel);
        assert_eq!(map.get("k"), None);
        map.put(before, "k".into(), 2);
        assert_eq!(map.get("k"), None);
        map.put(map.ticket(), "k".into(), 3);
        assert_eq!(map.get("k"), Some(3));
    }

    #[test]
    fn entries_expire_after_the_ttl() {
        let map: ReadCache<String, u32> = ReadCache::new(Duration::from_millis(300), 10);
        map.put(map.ticket(), "k".into(), 1);
        assert_eq!(map.get("k"), Some(1));
        std::thread::sleep(Duration::from_millis(350));
        assert_eq!(map.get("k"), None);
    }

    #[test]
    fn a_zero_ttl_stores_nothing() {
        let map: ReadCache<String, u32> = ReadCache::new(Duration::ZERO, 10);
        map.put(map.ticket(), "k".into(), 1);
        assert_eq!(map.get("k"), None);
        assert!(map.is_empty());
    }

    #[test]
    fn the_map_never_holds_more_keys_than_its_bound() {
        let map: ReadCache<u32, u32> = ReadCache::new(Duration::from_secs(60), 3);
        for k in 0..10 {
            map.put(map.ticket(), k, k);
            assert!(map.len() <= 3, "{} keys after {k}", map.len());
            assert_eq!(map.get(&k), Some(k));
        }
    }

    #[test]
    fn replacing_a_key_of_a_full_map_keeps_the_others() {
        let map: ReadCache<u32, u32> = ReadCache::new(Duration::from_secs(60), 3);
        for k in 0..3 {
            map.put(map.ticket(), k, k);
        }
        map.put(map.ticket(), 1, 10);
        assert_eq!(map.len(), 3);
        assert_eq!(map.get(&0), Some(0));
        assert_eq!(map.get(&1), Some(10));
        assert_eq!(map.get(&2), Some(2));
    }

    #[test]
    fn expired_keys_go_first_when_the_map_is_full() {
        let map: ReadCache<u32, u32> = ReadCache::new(Duration::from_millis(300), 2);
        map.put(map.ticket(), 1, 1);
        std::thread::sleep(Duration::from_millis(350));
        map.put(map.ticket(), 2, 2);
        map.put(map.ticket(), 3, 3);
        assert_eq!(map.len(), 2);
        assert_eq!(map.get(&2), Some(2));
        assert_eq!(map.get(&3), Some(3));
    }
}
