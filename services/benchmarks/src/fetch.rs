//! Downloads a source file with retries: transient failures (timeouts, 5xx, 429) are retried
//! with exponential backoff and full jitter; anything else fails at once.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("GET {url}: HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("GET {url}: {source}")]
    Http {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("cannot build the HTTP client: {0}")]
    Client(reqwest::Error),
}

/// Retry settings of a fetch.
#[derive(Debug, Clone, Copy)]
pub struct FetchPolicy {
    pub timeout: Duration,
    pub max_attempts: u32,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
}

pub fn client(policy: &FetchPolicy) -> Result<reqwest::Client, FetchError> {
    reqwest::Client::builder()
        .timeout(policy.timeout)
        .user_agent(concat!("jevons/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(FetchError::Client)
}

/// The body of `url`, retried per `policy`.
pub async fn fetch(
    client: &reqwest::Client,
    url: &str,
    policy: &FetchPolicy,
) -> Result<Vec<u8>, FetchError> {
    let attempts = policy.max_attempts.max(1);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let err = match client.get(url).send().await {
            Ok(resp) if resp.status().is_success() => match resp.bytes().await {
                Ok(b) => return Ok(b.to_vec()),
                Err(e) => FetchError::Http {
                    url: url.into(),
                    source: e,
                },
            },
            Ok(resp) => {
                let status = resp.status();
                let err = FetchError::Status {
                    url: url.into(),
                    status: status.as_u16(),
                };
                if !(status.is_server_error() || status.as_u16() == 429) {
                    return Err(err);
                }
                err
            }
            Err(e) => FetchError::Http {
                url: url.into(),
                source: e,
            },
        };
        if attempt >= attempts {
            return Err(err);
        }
        let ceiling = policy
            .backoff_base
            .saturating_mul(1u32 << (attempt - 1).min(16))
            .min(policy.backoff_max);
        let wait = ceiling.mul_f64(jitter());
        tracing::warn!(url, attempt, error = %err, wait_ms = wait.as_millis() as u64, "fetch failed; retrying");
        tokio::time::sleep(wait).await;
    }
}

/// A number in [0, 1) without a random-number crate: the clock's sub-second nanoseconds.
fn jitter() -> f64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    f64::from(nanos % 1_000_000) / 1_000_000.0
}
