//! Metric names shared by the crates that fetch from third parties; the binary installs the
//! recorder (without one, recording does nothing).

/// Requests to a provider (after retries: one per document), and those that failed.
pub const PROVIDER_FETCHES: &str = "jevons_provider_fetches_total";
pub const PROVIDER_ERRORS: &str = "jevons_provider_errors_total";

/// Counts one fetch from `source` (`yahoo`, `stooq`, `news_feed`, a model source's name …).
pub fn count_fetch<T, E>(source: &str, result: &Result<T, E>) {
    let source = source.to_owned();
    metrics::counter!(PROVIDER_FETCHES, "source" => source.clone()).increment(1);
    if result.is_err() {
        metrics::counter!(PROVIDER_ERRORS, "source" => source).increment(1);
    }
}
