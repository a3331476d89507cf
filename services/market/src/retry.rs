//! Retry policy for transient HTTP failures: exponential backoff with full jitter, and the
//! server's `Retry-After` when it sends one.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RetryPolicy {
    /// Attempts in all, the first one included (at least 1).
    pub max_attempts: u32,
    pub base: Duration,
    pub max: Duration,
}

impl RetryPolicy {
    pub(crate) fn new(max_attempts: u32, base_ms: u64, max_ms: u64) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            base: Duration::from_millis(base_ms),
            max: Duration::from_millis(max_ms),
        }
    }

    /// The longest wait before retry number `retry` (0 for the first retry): `base * 2^retry`,
    /// capped at `max`.
    pub(crate) fn ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.max)
    }

    /// The wait before retry number `retry`. A server's `Retry-After` wins (capped at `max`, so a
    /// hostile or confused server cannot park a job for hours); otherwise a uniform draw from
    /// `[0, ceiling]` ("full jitter"), which spreads clients that failed together.
    pub(crate) fn delay<R: Rng + ?Sized>(
        &self,
        retry: u32,
        retry_after: Option<Duration>,
        rng: &mut R,
    ) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max);
        }
        let ceiling = u64::try_from(self.ceiling(retry).as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rng.random_range(0..=ceiling))
    }
}

/// `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3).
pub(crate) fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    // A date in the past means "now".
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

/// The outcome of one attempt.
pub(crate) enum Step<T, E> {
    Done(T),
    /// Worth another try, after `retry_after` if the server said so.
    Retry {
        error: E,
        retry_after: Option<Duration>,
    },
    /// Trying again would give the same answer.
    Fail(E),
}

/// Runs `attempt(n)` for n = 1, 2, … until it is done, fails for good, or the attempts run out;
/// the last error is returned.
pub(crate) async fn run<T, E, F, Fut>(policy: &RetryPolicy, mut attempt: F) -> Result<T, E>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Step<T, E>>,
    E: std::fmt::Display,
{
    let mut n = 1;
    loop {
        match attempt(n).await {
            Step::Done(value) => return Ok(value),
            Step::Fail(error) => return Err(error),
            Step::Retry { error, retry_after } => {
                if n >= policy.max_attempts {
                    return Err(error);
                }
                // The thread-local rng is not Send: draw before awaiting.
                let wait = policy.delay(n - 1, retry_after, &mut rand::rng());
                tracing::debug!(attempt = n, ?wait, %error, "transient failure, retrying");
                tokio::time::sleep(wait).await;
                n += 1;
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn ceiling_doubles_and_is_capped() {
        let p = RetryPolicy::new(4, 500, 30_000);
        let ceilings: Vec<u128> = (0..8).map(|n| p.ceiling(n).as_millis()).collect();
        assert_eq!(
            ceilings,
            [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]
        );
        assert_eq!(p.ceiling(200), Duration::from_millis(30_000));
    }

    #[test]
    fn jittered_delays_stay_under_the_ceiling_and_vary() {
        let p = RetryPolicy::new(4, 100, 1_000);
        let mut rng = StdRng::seed_from_u64(7);
        let delays: Vec<Duration> = (0..200).map(|_| p.delay(2, None, &mut rng)).collect();
        assert!(delays.iter().all(|d| *d <= Duration::from_millis(400)));
        let distinct: std::collections::HashSet<_> = delays.iter().collect();
        assert!(distinct.len() > 50, "full jitter should spread the delays");
    }

    #[test]
    fn retry_after_wins_but_is_capped() {
        let p = RetryPolicy::new(4, 100, 5_000);
        let mut rng = StdRng::seed_from_u64(1);
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(2)), &mut rng),
            Duration::from_secs(2)
        );
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(3600)), &mut rng),
            Duration::from_secs(5)
        );
        assert_eq!(RetryPolicy::new(0, 1, 1).max_attempts, 1);
    }

    #[test]
    fn retry_after_parses_seconds_and_dates() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:27:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[tokio::test]
    async fn run_retries_transient_errors_and_stops_on_permanent_ones() {
        let p = RetryPolicy::new(4, 1, 2);
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
}
