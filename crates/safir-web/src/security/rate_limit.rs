//! In-memory token buckets, one per key (an IP address, an account, both).
//! Each instance keeps its own buckets; behind a load balancer a client gets
//! at most `instances × capacity` attempts, which is enough to stop guessing.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{client_ip, limit_key};
use crate::error::AppError;

/// How long to wait before the next attempt can succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl From<RetryAfter> for AppError {
    fn from(RetryAfter(retry_after): RetryAfter) -> AppError {
        AppError::RateLimited { retry_after }
    }
}

pub trait Clock: Send + Sync {
    fn now(&self) -> Instant;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that moves only when told to, for tests.
#[derive(Debug, Clone)]
pub struct ManualClock {
    start: Instant,
    offset: Arc<Mutex<Duration>>,
}

impl Default for ManualClock {
    fn default() -> Self {
        ManualClock {
            start: Instant::now(),
            offset: Arc::default(),
        }
    }
}

impl ManualClock {
    pub fn advance(&self, by: Duration) {
        *self.offset.lock().unwrap_or_else(|e| e.into_inner()) += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.start + *self.offset.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Allows bursts of `capacity` attempts per key, refilled at one attempt per
/// `refill_every`.
pub struct RateLimiter<K = String, C = SystemClock> {
    capacity: f64,
    refill_every: Duration,
    clock: C,
    buckets: Mutex<HashMap<K, Bucket>>,
    /// Above this many keys, a check first drops the idle ones.
    max_keys: usize,
}

impl<K: Hash + Eq + Clone> RateLimiter<K, SystemClock> {
    pub fn new(capacity: u32, refill_every: Duration) -> Self {
        Self::with_clock(capacity, refill_every, SystemClock)
    }
}

impl<K: Hash + Eq + Clone, C: Clock> RateLimiter<K, C> {
    pub fn with_clock(capacity: u32, refill_every: Duration, clock: C) -> Self {
        RateLimiter {
            capacity: f64::from(capacity.max(1)),
            refill_every: refill_every.max(Duration::from_millis(1)),
            clock,
            buckets: Mutex::new(HashMap::new()),
            max_keys: 10_000,
        }
    }

    /// Changes the number of keys kept before idle ones are dropped.
    pub fn max_keys(mut self, max_keys: usize) -> Self {
        self.max_keys = max_keys.max(1);
        self
    }

    /// Takes one attempt from `key`'s bucket, or says how long to wait.
    pub fn check(&self, key: &K) -> Result<(), RetryAfter> {
        let now = self.clock.now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= self.max_keys && !buckets.contains_key(key) {
            self.evict(&mut buckets, now);
        }
        let bucket = buckets.entry(key.clone()).or_insert(Bucket {
            tokens: self.capacity,
            updated: now,
        });
        self.refill(bucket, now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let missing = 1.0 - bucket.tokens;
            Err(RetryAfter(self.refill_every.mul_f64(missing)))
        }
    }

    /// Forgets `key`, e.g. after a successful sign-in.
    pub fn reset(&self, key: &K) {
        self.buckets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }

    /// Drops buckets that have refilled completely: they hold no information.
    pub fn evict_idle(&self) {
        let now = self.clock.now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        self.evict(&mut buckets, now);
    }

    pub fn tracked_keys(&self) -> usize {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    fn refill(&self, bucket: &mut Bucket, now: Instant) {
        let elapsed = now.saturating_duration_since(bucket.updated);
        let gained = elapsed.as_secs_f64() / self.refill_every.as_secs_f64();
        bucket.tokens = (bucket.tokens + gained).min(self.capacity);
        bucket.updated = now;
    }

    fn evict(&self, buckets: &mut HashMap<K, Bucket>, now: Instant) {
        let full_after = self.refill_every.mul_f64(self.capacity);
        buckets.retain(|_, b| now.saturating_duration_since(b.updated) < full_after);
    }
}

/// State for [`limit_by_ip`].
#[derive(Clone)]
pub struct IpRateLimit {
    pub limiter: Arc<RateLimiter<IpAddr>>,
    /// Trust `X-Forwarded-For` from the reverse proxy (see [`client_ip`]).
    pub trusted_proxy: bool,
}

/// Middleware for public forms and sign-in (`route_layer` on those routes):
/// limits state-changing requests per client address; reading a form is free.
/// Needs `into_make_service_with_connect_info::<SocketAddr>()` for the peer
/// address; requests without any address share one bucket.
pub async fn limit_by_ip(State(limit): State<IpRateLimit>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr);
    let ip =
        client_ip(req.headers(), peer, limit.trusted_proxy).unwrap_or(IpAddr::from([0, 0, 0, 0]));
    match limit.limiter.check(&limit_key(ip)) {
        Ok(()) => next.run(req).await,
        Err(retry) => {
            tracing::info!(%ip, path = req.uri().path(), "rate limited");
            AppError::from(retry).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(clock: &ManualClock) -> RateLimiter<&'static str, ManualClock> {
        RateLimiter::with_clock(3, Duration::from_secs(10), clock.clone())
    }

    #[test]
    fn allows_a_burst_then_asks_to_wait() {
        let clock = ManualClock::default();
        let limiter = limiter(&clock);
        for _ in 0..3 {
            assert_eq!(limiter.check(&"1.2.3.4"), Ok(()));
        }
        assert_eq!(
            limiter.check(&"1.2.3.4"),
            Err(RetryAfter(Duration::from_secs(10)))
        );
        clock.advance(Duration::from_secs(4));
        assert_eq!(
            limiter.check(&"1.2.3.4"),
            Err(RetryAfter(Duration::from_secs(6)))
        );
        clock.advance(Duration::from_secs(6));
        assert_eq!(limiter.check(&"1.2.3.4"), Ok(()));
        assert!(limiter.check(&"1.2.3.4").is_err());
    }

    #[test]
    fn keys_are_independent_and_reset_forgets() {
        let clock = ManualClock::default();
        let limiter = limiter(&clock);
        for _ in 0..3 {
            limiter.check(&"a").unwrap();
        }
        assert!(limiter.check(&"a").is_err());
        assert_eq!(limiter.check(&"b"), Ok(()));
        limiter.reset(&"a");
        assert_eq!(limiter.check(&"a"), Ok(()));
    }

    #[test]
    fn idle_keys_are_evicted() {
        let clock = ManualClock::default();
        let limiter = limiter(&clock).max_keys(2);
        limiter.check(&"a").unwrap();
        limiter.check(&"b").unwrap();
        clock.advance(Duration::from_secs(29));
        limiter.evict_idle();
        assert_eq!(limiter.tracked_keys(), 2, "not yet refilled");
        clock.advance(Duration::from_secs(1));
        limiter.check(&"b").unwrap();
        // Adding a third key drops "a", which has refilled completely.
        limiter.check(&"c").unwrap();
        assert_eq!(limiter.tracked_keys(), 2);
        clock.advance(Duration::from_secs(30));
        limiter.evict_idle();
        assert_eq!(limiter.tracked_keys(), 0);
    }

    #[test]
    fn retry_after_becomes_a_rate_limited_error() {
        let error = AppError::from(RetryAfter(Duration::from_secs(5)));
        assert_eq!(error.code(), "rate_limited");
    }
}
