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
//!
//! When a key expires under load, every request that wants it would read it at once (the
//! consular queue and every signed-in page did so every two seconds: 64 requests, each with
//! its statements queued for the pool's connections, all waiting for the last). [`ReadCache::reader`]
//! lets one request per key read while the others wait for it, or, where the caller allows a
//! grace, are given the value being replaced.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::OwnedMutexGuard;

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
    /// One lock per key being read again ([`Self::reader`]).
    readers: Mutex<HashMap<K, Arc<tokio::sync::Mutex<()>>>>,
}

/// What [`ReadCache::reader`] gives a caller that found no fresh value.
pub enum Reader<V> {
    /// Read the value and store it: no other caller is reading this key until this is
    /// dropped. Look again first ([`ReadCache::get`]): the caller waited for may have stored it.
    Read(OwnedMutexGuard<()>),
    /// Another caller is reading the key; this is the value it replaces.
    Stale(V),
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
            readers: Mutex::new(HashMap::new()),
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
        self.get_within(key, Duration::ZERO)
    }

    /// The value stored under `key` if it is younger than the TTL plus `grace`: for a caller
    /// that would otherwise wait for another to read it again. An emptied map or a removed key
    /// has nothing to give, however recent.
    pub fn get_within<Q>(&self, key: &Q, grace: Duration) -> Option<V>
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
            .filter(|(at, _)| at.elapsed() < self.ttl + grace)
            .map(|(_, v)| v.clone())
    }

    /// For a caller that found no fresh value of `key`: the right to read it, at once if no
    /// other caller is reading it, else after that one is done; or, while another is reading
    /// it, the value it replaces if that expired less than `grace` ago. An emptied map or a
    /// removed key has no value to give.
    pub async fn reader<Q>(&self, key: &Q, grace: Duration) -> Reader<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        let lock = self.reader_lock(key);
        match lock.clone().try_lock_owned() {
            Ok(guard) => Reader::Read(guard),
            Err(_) => match self.get_within(key, grace) {
                Some(v) => Reader::Stale(v),
                None => Reader::Read(lock.lock_owned().await),
            },
        }
    }

    /// `key`'s value while it is fresh; else `read`, stored under a ticket taken first, by one
    /// caller at a time ([`Self::reader`]): the others wait for it and take what it stored, or,
    /// within `grace`, take the value it replaces. The key is copied only to read it again.
    pub async fn get_or_read<Q, E>(
        &self,
        key: &Q,
        grace: Duration,
        read: impl Future<Output = Result<V, E>>,
    ) -> Result<V, E>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if let Some(v) = self.get(key) {
            return Ok(v);
        }
        let _reading = match self.reader(key, grace).await {
            Reader::Read(guard) => guard,
            Reader::Stale(v) => return Ok(v),
        };
        if let Some(v) = self.get(key) {
            return Ok(v);
        }
        let ticket = self.ticket();
        let v = read.await?;
        self.put(ticket, key.to_owned(), v.clone());
        Ok(v)
    }

    /// [`Self::reader`] without a grace: the right to read `key`, once no other caller is
    /// reading it. Look again ([`Self::get`]) before reading.
    pub async fn sole_reader<Q>(&self, key: &Q) -> OwnedMutexGuard<()>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        self.reader_lock(key).lock_owned().await
    }

    fn reader_lock<Q>(&self, key: &Q) -> Arc<tokio::sync::Mutex<()>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if !self.enabled() {
            // Nothing is kept, so nothing to share: every caller reads.
            return Arc::default();
        }
        let Ok(mut readers) = self.readers.lock() else {
            // A poisoned map only loses the sharing of reads, not their correctness.
            return Arc::default();
        };
        if let Some(lock) = readers.get(key) {
            return lock.clone();
        }
        if readers.len() >= self.max_entries {
            // Keep only the keys being read now.
            readers.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        readers.entry(key.to_owned()).or_default().clone()
    }

    /// Stores `value` if it was read under a ticket that is still current.
    pub fn put(&self, ticket: Ticket, key: K, value: V) {
        let Ok(mut map) = self.entries.lock() else {
            return;
        };
        // Checked under the lock: [`Self::remove`] and [`Self::clear`] move the generation
        // before they take it, so either this sees the move, or their emptying comes after
        // this insert and takes the value out. Checked before the lock, a removal could run
        // between the check and the insert, and the stale value stayed for a whole TTL.
        if !self.current(ticket) {
            return;
        }
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

    #[tokio::test]
    async fn one_caller_reads_a_key_while_the_others_wait_or_take_the_value_it_replaces() {
        let map: Arc<ReadCache<String, u32>> =
            Arc::new(ReadCache::new(Duration::from_millis(20), 2));
        map.put(map.ticket(), "k".into(), 1);
        std::thread::sleep(Duration::from_millis(30));
        let first = map.sole_reader("k").await;
        // Another key is not held up.
        drop(map.sole_reader("other").await);
        match map.reader("k", Duration::from_secs(60)).await {
            Reader::Stale(v) => assert_eq!(v, 1),
            Reader::Read(_) => panic!("read while another caller reads"),
        }
        let waiting = tokio::spawn({
            let map = map.clone();
            async move {
                let _read = map.sole_reader("k").await;
                map.get("k")
            }
        });
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert!(!waiting.is_finished());
        map.put(map.ticket(), "k".into(), 2);
        drop(first);
        // The caller that waited finds what the first stored.
        assert_eq!(waiting.await.unwrap(), Some(2));
        // More keys than the map holds: the locks of keys no one reads are let go.
        for i in 0..10 {
            drop(map.sole_reader(format!("key {i}").as_str()).await);
        }
        assert!(map.readers.lock().unwrap().len() <= 2);
    }

    #[tokio::test]
    async fn a_map_that_keeps_nothing_makes_no_one_wait() {
        let off: ReadCache<String, u32> = ReadCache::new(Duration::ZERO, 10);
        let _first = off.sole_reader("k").await;
        let second = tokio::time::timeout(Duration::from_secs(5), off.sole_reader("k"));
        assert!(second.await.is_ok());
    }

    #[test]
    fn an_expired_value_is_given_within_the_grace_until_the_map_is_emptied() {
        let map: ReadCache<String, u32> = ReadCache::new(Duration::from_millis(20), 10);
        map.put(map.ticket(), "k".into(), 1);
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(map.get("k"), None);
        assert_eq!(map.get_within("k", Duration::from_secs(60)), Some(1));
        assert_eq!(map.get_within("k", Duration::ZERO), None);
        map.remove("k");
        assert_eq!(map.get_within("k", Duration::from_secs(60)), None);
        map.put(map.ticket(), "k".into(), 2);
        map.clear();
        assert_eq!(map.get_within("k", Duration::from_secs(60)), None);
        let off: ReadCache<String, u32> = ReadCache::new(Duration::ZERO, 10);
        off.put(off.ticket(), "k".into(), 3);
        assert_eq!(off.get_within("k", Duration::from_secs(60)), None);
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
    fn a_removal_while_a_value_waits_to_be_stored_refuses_it() {
        let map: Arc<ReadCache<String, u32>> =
            Arc::new(ReadCache::new(Duration::from_secs(60), 10));
        let ticket = map.ticket();
        // Another thread holds the map while the value read under `ticket` is being stored.
        let held = map.entries.lock().unwrap();
        let storing = {
            let map = Arc::clone(&map);
            std::thread::spawn(move || map.put(ticket, "k".into(), 1))
        };
        // Give the storing thread the time to reach the lock (a longer wait only makes the
        // case this test is about more certain to be the one it runs).
        std::thread::sleep(Duration::from_millis(50));
        // A write's removal: its generation moves first, its emptying waits for the lock.
        map.generation.fetch_add(1, Ordering::AcqRel);
        drop(held);
        storing.join().unwrap();
        assert_eq!(map.get("k"), None);
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
