//! When to fetch a feed next: on schedule after a success, later and later after failures.

use std::time::Duration;

use jevons_core::retry::RetryPolicy;
use rand::Rng;

/// The shared retry policy (`jevons_core::retry`) for a feed that failed `consecutive_errors`
/// times in a row (1 after the first failure): `base · 2^(n-1)` capped at `max`, drawn from its
/// upper half; a server's `Retry-After` instead, capped at a week so a confused server cannot
/// park a feed for ever. The feed is never disabled: it is only retried later.
pub fn failure_delay<R: Rng + ?Sized>(
    consecutive_errors: u32,
    base: Duration,
    max: Duration,
    retry_after: Option<Duration>,
    rng: &mut R,
) -> Duration {
    const WEEK: Duration = Duration::from_secs(7 * 24 * 3600);
    // The poller schedules, it does not sleep: a server may ask for far longer than `max`.
    RetryPolicy::new(u32::MAX, base.max(Duration::from_secs(1)), max)
        .with_retry_after_max(WEEK)
        .delay(consecutive_errors.saturating_sub(1), retry_after, rng)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_are_capped_and_jittered() {
        let mut rng = rand::rng();
        let base = Duration::from_secs(60);
        let max = Duration::from_secs(3600);
        for n in 1..=12u32 {
            let ceiling = (base * 2u32.pow(n - 1)).min(max);
            for _ in 0..50 {
                let d = failure_delay(n, base, max, None, &mut rng);
                assert!(d <= ceiling && d >= ceiling / 2, "n={n}: {d:?}");
            }
        }
        let draws: std::collections::HashSet<_> = (0..50)
            .map(|_| failure_delay(5, base, max, None, &mut rng))
            .collect();
        assert!(draws.len() > 10, "jitter must spread retries");
    }

    #[test]
    fn retry_after_is_a_lower_bound() {
        let mut rng = rand::rng();
        let d = failure_delay(
            1,
            Duration::from_secs(60),
            Duration::from_secs(3600),
            Some(Duration::from_secs(7200)),
            &mut rng,
        );
        assert_eq!(d, Duration::from_secs(7200));
        let d = failure_delay(
            1,
            Duration::from_secs(60),
            Duration::from_secs(3600),
            Some(Duration::from_secs(10 * 24 * 3600)),
            &mut rng,
        );
        assert_eq!(d, Duration::from_secs(7 * 24 * 3600));
    }
}
