//! The one retry policy of every client that fetches over the network (prices, model data,
//! feeds, SEC filings) and of the digest outbox: exponential backoff with jitter, and the
//! server's `Retry-After` when it sends one.
//!
//! - The n-th retry waits at most `base · 2^n`, capped at `max` (the *ceiling*).
//! - Jitter: a uniform draw from the ceiling's upper half, `[ceiling/2, ceiling]` ("equal
//!   jitter"), so clients that failed together do not retry together, yet a wait never collapses
//!   to nothing. The draw comes from `rand`'s thread-local generator (ChaCha, seeded by the OS).
//!   backon's own jitter (fastrand, a real PRNG) is not used: it *adds* up to one more delay on
//!   top, so waits would overshoot the configured maximum by up to 2×.
//! - `Retry-After` (seconds or an HTTP date) is the server's answer to "when?": the wait is
//!   exactly that — never sooner, so it is a floor, and no backoff is stacked on top — capped at
//!   `retry_after_max`, so a hostile or confused server cannot park a job for hours.
//!
//! backon runs the loop ([`run`]): which errors are retried, the adjusted delay, the sleep.

use std::future::Future;
use std::time::Duration;

use backon::{BackoffBuilder, Retryable};
use chrono::{DateTime, Utc};
use rand::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included (at least 1).
    pub max_attempts: u32,
    pub base: Duration,
    pub max: Duration,
    /// The longest wait a server's `Retry-After` can ask for; `max` unless set.
    pub retry_after_max: Duration,
}

impl RetryPolicy {
    pub fn new(max_attempts: u32, base: Duration, max: Duration) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            base,
            max,
            retry_after_max: max,
        }
    }

    /// The policy of the HTTP clients' settings (`backoff_base_ms`, `backoff_max_ms`).
    pub fn from_millis(max_attempts: u32, base_ms: u64, max_ms: u64) -> Self {
        Self::new(
            max_attempts,
            Duration::from_millis(base_ms),
            Duration::from_millis(max_ms),
        )
    }

    /// Lets a server's `Retry-After` ask for up to `cap` (a scheduler that does not sleep in
    /// process, such as the feed poller, can wait far longer than a job can).
    pub fn with_retry_after_max(mut self, cap: Duration) -> Self {
        self.retry_after_max = cap;
        self
    }

    /// The longest wait before retry number `retry` (0 for the first retry): `base · 2^retry`,
    /// capped at `max`. Exact integer arithmetic, no jitter: the digest outbox stores it.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.max)
    }

    /// A jittered wait before retry number `retry`: uniform in `[ceiling/2, ceiling]`.
    pub fn jittered<R: Rng + ?Sized>(&self, retry: u32, rng: &mut R) -> Duration {
        let ceiling = u64::try_from(self.ceiling(retry).as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rng.random_range(ceiling / 2..=ceiling))
    }

    /// The wait before retry number `retry`: the server's `Retry-After` (capped) if it sent one,
    /// otherwise the jittered backoff.
    pub fn delay<R: Rng + ?Sized>(
        &self,
        retry: u32,
        retry_after: Option<Duration>,
        rng: &mut R,
    ) -> Duration {
        match retry_after {
            Some(wait) => self.honour(wait),
            None => self.jittered(retry, rng),
        }
    }

    /// A server's `Retry-After`, capped.
    pub fn honour(&self, retry_after: Duration) -> Duration {
        retry_after.min(self.retry_after_max)
    }
}

/// The policy as a backon backoff: the jittered waits of each retry, `max_attempts - 1` of them.
impl BackoffBuilder for &RetryPolicy {
    type Backoff = Delays;

    fn build(self) -> Delays {
        Delays {
            policy: *self,
            retry: 0,
        }
    }
}

#[derive(Debug)]
pub struct Delays {
    policy: RetryPolicy,
    retry: u32,
}

impl Iterator for Delays {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        if self.retry + 1 >= self.policy.max_attempts {
            return None;
        }
        // The thread-local rng is not Send: take it for one draw, never across an await.
        let wait = self.policy.jittered(self.retry, &mut rand::rng());
        self.retry += 1;
        Some(wait)
    }
}

/// `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3); a date in the past
/// means now. Anything else is ignored (`None`): the backoff applies.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

/// A response's `Retry-After` header (its raw bytes, if any), read against the clock.
pub fn from_header(value: Option<&[u8]>) -> Option<Duration> {
    let value = std::str::from_utf8(value?).ok()?;
    parse_retry_after(value, Utc::now())
}

/// The outcome of one attempt.
pub enum Step<T, E> {
    Done(T),
    /// Worth another try, after `retry_after` if the server said so.
    Retry {
        error: E,
        retry_after: Option<Duration>,
    },
    /// Trying again would give the same answer.
    Fail(E),
}

/// A failed attempt, as backon sees it.
struct Failed<E> {
    error: E,
    retry_after: Option<Duration>,
    transient: bool,
}

/// Runs `attempt(n)` for n = 1, 2, … until it is done, fails for good, or the attempts run out;
/// the last error is returned.
pub async fn run<T, E, F, Fut>(policy: &RetryPolicy, mut attempt: F) -> Result<T, E>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Step<T, E>>,
    E: std::fmt::Display,
{
    let mut n = 0;
    let once = || {
        n += 1;
        let step = attempt(n);
        async move {
            match step.await {
                Step::Done(value) => Ok(value),
                Step::Retry { error, retry_after } => Err(Failed {
                    error,
                    retry_after,
                    transient: true,
                }),
                Step::Fail(error) => Err(Failed {
                    error,
                    retry_after: None,
                    transient: false,
                }),
            }
        }
    };
    once.retry(policy)
        .sleep(tokio::time::sleep)
        .when(|f: &Failed<E>| f.transient)
        .adjust(|f: &Failed<E>, jittered| {
            // `None` means the attempts ran out: keep it so.
            jittered.map(|d| f.retry_after.map_or(d, |wait| policy.honour(wait)))
        })
        .notify(|f: &Failed<E>, wait| {
            tracing::info!(?wait, error = %f.error, "transient failure, retrying");
        })
        .await
        .map_err(|f| f.error)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2015-10-21T07:27:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn ceiling_doubles_and_is_capped() {
        let p = RetryPolicy::from_millis(4, 500, 30_000);
        let ceilings: Vec<u128> = (0..8).map(|n| p.ceiling(n).as_millis()).collect();
        assert_eq!(
            ceilings,
            [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]
        );
        assert_eq!(p.ceiling(200), Duration::from_millis(30_000));
    }

    #[test]
    fn jittered_delays_stay_in_the_upper_half_of_the_ceiling_and_vary() {
        let p = RetryPolicy::from_millis(4, 100, 1_000);
        let mut rng = StdRng::seed_from_u64(7);
        let delays: Vec<Duration> = (0..200).map(|_| p.delay(2, None, &mut rng)).collect();
        assert!(
            delays
                .iter()
                .all(|d| (Duration::from_millis(200)..=Duration::from_millis(400)).contains(d))
        );
        let distinct: std::collections::HashSet<_> = delays.iter().collect();
        assert!(distinct.len() > 50, "jitter should spread the delays");
    }

    #[test]
    fn retry_after_is_the_wait_but_is_capped() {
        let p = RetryPolicy::from_millis(4, 100, 5_000);
        let mut rng = StdRng::seed_from_u64(1);
        // Longer than the backoff: the server's time.
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(2)), &mut rng),
            Duration::from_secs(2)
        );
        // Shorter than the backoff: the server's time too (it said when to come back).
        assert_eq!(
            p.delay(6, Some(Duration::from_millis(10)), &mut rng),
            Duration::from_millis(10)
        );
        // A hostile hour is cut to the configured maximum.
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(3600)), &mut rng),
            Duration::from_secs(5)
        );
        let week = Duration::from_secs(7 * 24 * 3600);
        let feeds = p.with_retry_after_max(week);
        assert_eq!(
            feeds.delay(0, Some(Duration::from_secs(7200)), &mut rng),
            Duration::from_secs(7200)
        );
        assert_eq!(
            feeds.delay(0, Some(week * 2), &mut rng),
            week,
            "capped by its own maximum"
        );
        assert_eq!(RetryPolicy::from_millis(0, 1, 1).max_attempts, 1);
    }

    #[test]
    fn retry_after_parses_seconds_and_dates_and_ignores_garbage() {
        let now = now();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 3 ", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        // Moved from the news and fundamentals crates, which had copies of the parser.
        let jan27 = DateTime::parse_from_rfc3339("2025-01-27T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            parse_retry_after("Mon, 27 Jan 2025 12:02:00 GMT", jan27),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", Utc::now()),
            Some(Duration::ZERO)
        );
        for garbage in [
            "soon",
            "",
            "-5",
            "1.5",
            "99999999999999999999999",
            "Wed, 32 Oct",
        ] {
            assert_eq!(parse_retry_after(garbage, now), None, "{garbage:?}");
        }
    }

    #[test]
    fn the_backoff_yields_one_wait_per_retry() {
        let p = RetryPolicy::from_millis(4, 100, 1_000);
        let waits: Vec<Duration> = (&p).build().collect();
        assert_eq!(waits.len(), 3);
        for (n, w) in (0u32..).zip(&waits) {
            assert!(*w <= p.ceiling(n) && *w >= p.ceiling(n) / 2, "{n}: {w:?}");
        }
        assert_eq!(
            (&RetryPolicy::from_millis(1, 1, 1)).build().count(),
            0,
            "one attempt: no retry"
        );
    }

    #[tokio::test]
    async fn run_retries_transient_errors_and_stops_on_permanent_ones() {
        let p = RetryPolicy::from_millis(4, 1, 2);
        let mut calls = 0;
        let r: Result<u32, String> = run(&p, |n| {
            calls += 1;
            async move {
                if n < 3 {
                    Step::Retry {
                        error: format!("try {n}"),
                        retry_after: None,
                    }
                } else {
                    Step::Done(n)
                }
            }
        })
        .await;
        assert_eq!(r, Ok(3));
        assert_eq!(calls, 3);

        let mut calls = 0;
        let r: Result<(), String> = run(&p, |n| {
            calls += 1;
            async move {
                Step::Retry {
                    error: format!("try {n}"),
                    retry_after: None,
                }
            }
        })
        .await;
        assert_eq!(r, Err("try 4".into()));
        assert_eq!(calls, 4);

        let mut calls = 0;
        let r: Result<(), String> = run(&p, |_| {
            calls += 1;
            async { Step::Fail("404".to_string()) }
        })
        .await;
        assert_eq!(r, Err("404".into()));
        assert_eq!(calls, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn run_waits_what_the_server_asked_capped() {
        let p = RetryPolicy::from_millis(3, 60_000, 120_000)
            .with_retry_after_max(Duration::from_secs(5));
        let started = tokio::time::Instant::now();
        let r: Result<(), String> = run(&p, |n| async move {
            Step::Retry {
                error: format!("try {n}"),
                // 1 s, then an hour (cut to 5 s); the 60 s backoff never applies.
                retry_after: Some(Duration::from_secs(if n == 1 { 1 } else { 3600 })),
            }
        })
        .await;
        assert_eq!(r, Err("try 3".into()));
        assert_eq!(started.elapsed(), Duration::from_secs(6));
    }
}
