//! Per-channel sending rates: an in-memory token bucket.
//!
//! The bucket lives in the process: counters are never computed by scanning the database.
//! There is one bucket per channel per process, so with N server processes sending at once
//! the total rate is N times the configured one; a ministry running N instances sets each
//! `crisis.*_per_second` to its provider's limit divided by N.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// `rate` tokens a second, at most `burst` saved up. `acquire` waits for one token; waiters
/// are served in turn.
#[derive(Debug)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A bucket that starts full. A `rate` of 0 means no limit.
    pub fn new(rate_per_second: u32, burst: u32) -> Self {
        let burst = f64::from(burst.max(1));
        Self {
            rate: f64::from(rate_per_second),
            burst,
            state: Mutex::new(State {
                tokens: burst,
                last: Instant::now(),
            }),
        }
    }

    /// The usual shape: one second's worth of burst.
    pub fn per_second(rate: u32) -> Self {
        Self::new(rate, rate)
    }

    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Takes one token, waiting until one is available. The lock is held while waiting, so
    /// the next caller queues behind (first come, first served).
    pub async fn acquire(&self) {
        if self.rate <= 0.0 {
            return;
        }
        let mut s = self.state.lock().await;
        let now = Instant::now();
        let elapsed = now.duration_since(s.last).as_secs_f64();
        s.tokens = (s.tokens + elapsed * self.rate).min(self.burst);
        s.last = now;
        if s.tokens >= 1.0 {
            s.tokens -= 1.0;
            return;
        }
        let wait = Duration::from_secs_f64((1.0 - s.tokens) / self.rate);
        tokio::time::sleep(wait).await;
        // The token that accrued during the wait is the one we take.
        s.tokens = 0.0;
        s.last = Instant::now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn burst_then_the_rate() {
        let bucket = TokenBucket::new(10, 5);
        let start = Instant::now();
        for _ in 0..5 {
            bucket.acquire().await;
        }
        // The burst is free (the clock is paused: no real time passes).
        assert_eq!(Instant::now(), start);
        for _ in 0..10 {
            bucket.acquire().await;
        }
        // Ten more at ten a second take (virtual) one second.
        let spent = Instant::now().duration_since(start);
        assert!(spent >= Duration::from_millis(990), "{spent:?}");
        assert!(spent <= Duration::from_millis(1010), "{spent:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn zero_rate_is_unlimited() {
        let bucket = TokenBucket::per_second(0);
        let start = Instant::now();
        for _ in 0..1000 {
            bucket.acquire().await;
        }
        assert_eq!(Instant::now(), start);
    }
}
