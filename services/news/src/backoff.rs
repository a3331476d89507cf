//! When to fetch a feed next: on schedule after a success, later and later after failures.

use std::time::Duration;

use rand::Rng;

/// Exponential backoff with jitter for a feed that failed `consecutive_errors` times in a row
/// (1 after the first failure): `base · 2^(n-1)` capped at `max`, drawn uniformly from its upper
/// half so feeds that failed together do not retry together. A server's `Retry-After` is a lower
/// bound (capped at a week, so a confused server cannot park a feed for ever). The feed is never
/// disabled: it is only retried later.
pub fn failure_delay<R: Rng + ?Sized>(
    consecutive_errors: u32,
    base: Duration,
    max: Duration,
    retry_after: Option<Duration>,
    rng: &mut R,
) -> Duration {
    const WEEK: Duration = Duration::from_secs(7 * 24 * 3600);
    let exponent = consecutive_errors.saturating_sub(1).min(30);
    let ceiling = base
        .checked_mul(1u32 << exponent)
        .unwrap_or(max)
        .min(max)
        .max(Duration::from_secs(1));
    let ceiling_ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    let drawn = Duration::from_millis(rng.random_range(ceiling_ms / 2..=ceiling_ms));
    match retry_after {
        Some(wait) => drawn.max(wait.min(WEEK)),
        None => drawn,
    }
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
