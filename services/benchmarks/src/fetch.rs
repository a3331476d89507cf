//! Downloads a source file with retries: transient failures (timeouts, 5xx, 429) are retried
//! under the shared policy (`jevons_core::retry`); anything else fails at once.

use std::time::Duration;

use jevons_core::retry::{self, RetryPolicy, Step};
use reqwest::header::RETRY_AFTER;

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

/// Timeout and retry settings of a fetch.
#[derive(Debug, Clone, Copy)]
pub struct FetchPolicy {
    pub timeout: Duration,
    pub retry: RetryPolicy,
}

pub fn client(policy: &FetchPolicy) -> Result<reqwest::Client, FetchError> {
    reqwest::Client::builder()
        .timeout(policy.timeout)
        .user_agent(concat!("jevons/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(FetchError::Client)
}

/// The body of `url`, retried per `policy`.
#[tracing::instrument(skip(client, policy))]
pub async fn fetch(
    client: &reqwest::Client,
    url: &str,
    policy: &FetchPolicy,
) -> Result<Vec<u8>, FetchError> {
    retry::run(&policy.retry, |_| fetch_once(client, url)).await
}

async fn fetch_once(client: &reqwest::Client, url: &str) -> Step<Vec<u8>, FetchError> {
    let http = |source| FetchError::Http {
        url: url.into(),
        source,
    };
    match client.get(url).send().await {
        Ok(resp) if resp.status().is_success() => match resp.bytes().await {
            Ok(b) => Step::Done(b.to_vec()),
            Err(e) => Step::Retry {
                error: http(e),
                retry_after: None,
            },
        },
        Ok(resp) => {
            let status = resp.status();
            let error = FetchError::Status {
                url: url.into(),
                status: status.as_u16(),
            };
            if status.is_server_error() || status.as_u16() == 429 {
                let retry_after =
                    retry::from_header(resp.headers().get(RETRY_AFTER).map(|v| v.as_bytes()));
                Step::Retry { error, retry_after }
            } else {
                Step::Fail(error)
            }
        }
        Err(e) => Step::Retry {
            error: http(e),
            retry_after: None,
        },
    }
}
