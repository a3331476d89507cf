//! The SEC EDGAR client: a User-Agent with a contact address (SEC refuses anonymous clients),
//! at most `max_requests_per_second` (≤ 10, SEC's fair-access limit) across every clone, retries
//! with backoff on timeouts, 429 and 5xx (`Retry-After` honoured), and a body cap.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use jevons_core::config::FundamentalsSettings;
use jevons_core::retry::{self, RetryPolicy, Step};
use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;

use crate::companyfacts::{self, CompanyFacts};
use crate::{EdgarError, UserAgent};

/// companyfacts of the largest filers are ~20 MB; anything far above is not a companyfacts body.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// SEC EDGAR's fair-access limit.
pub const SEC_MAX_REQUESTS_PER_SECOND: u32 = 10;

/// Fetches companyfacts documents. Cheap to clone: the connection pool and the rate limiter are
/// shared, so concurrent callers stay under the limit together.
#[derive(Debug, Clone)]
pub struct EdgarClient {
    http: reqwest::Client,
    base_url: String,
    limiter: Arc<DefaultDirectRateLimiter>,
    retry: RetryPolicy,
}

impl EdgarClient {
    /// Refuses to build without a User-Agent that carries a contact e-mail address.
    pub fn new(settings: &FundamentalsSettings) -> Result<Self, EdgarError> {
        let agent = UserAgent::parse(&settings.user_agent)?;
        let timeout = Duration::from_secs(settings.timeout_secs.max(1));
        let http = reqwest::Client::builder()
            .connect_timeout(timeout)
            .timeout(timeout)
            .user_agent(agent.as_str())
            .build()
            .map_err(|e| EdgarError::Setup(e.to_string()))?;
        let per_second = settings
            .max_requests_per_second
            .clamp(1, SEC_MAX_REQUESTS_PER_SECOND);
        let per_second = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
        // Burst 1: requests are spaced evenly rather than sent ten at once.
        let quota = Quota::per_second(per_second).allow_burst(NonZeroU32::MIN);
        Ok(Self {
            http,
            base_url: settings.base_url.trim_end_matches('/').to_string(),
            limiter: Arc::new(RateLimiter::direct(quota)),
            retry: RetryPolicy::from_millis(
                settings.max_attempts,
                settings.backoff_base_ms,
                settings.backoff_max_ms,
            ),
        })
    }

    /// `{base_url}/api/xbrl/companyfacts/CIK0001045810.json`.
    pub fn companyfacts_url(&self, cik: u64) -> String {
        format!("{}/api/xbrl/companyfacts/CIK{cik:010}.json", self.base_url)
    }

    /// Downloads and parses one company's facts.
    #[tracing::instrument(skip(self))]
    pub async fn company_facts(&self, cik: u64) -> Result<CompanyFacts, EdgarError> {
        let url = self.companyfacts_url(cik);
        let body = self.get(&url).await?;
        let facts = companyfacts::parse(&body).map_err(|source| EdgarError::Malformed {
            url: url.clone(),
            source,
        })?;
        if facts.cik != cik {
            return Err(EdgarError::Malformed {
                url,
                source: crate::ParseError::Shape(format!(
                    "the document is for CIK {}, not {cik}",
                    facts.cik
                )),
            });
        }
        Ok(facts)
    }

    async fn get(&self, url: &str) -> Result<Vec<u8>, EdgarError> {
        retry::run(&self.retry, |attempt| async move {
            self.limiter.until_ready().await;
            match self.get_once(url).await {
                Ok(body) => Step::Done(body),
                Err(Failure::Permanent(e)) => Step::Fail(e),
                Err(Failure::Transient(e, retry_after)) => Step::Retry {
                    error: e.after(attempt),
                    retry_after,
                },
            }
        })
        .await
    }

    async fn get_once(&self, url: &str) -> Result<Vec<u8>, Failure> {
        let mut response = self
            .http
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| transport(url, &e))?;
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            let retry_after =
                retry::from_header(response.headers().get(RETRY_AFTER).map(|v| v.as_bytes()));
            return Err(Failure::Transient(
                EdgarError::Http {
                    url: url.to_string(),
                    status: status.as_u16(),
                    attempts: 1,
                },
                retry_after,
            ));
        }
        match status {
            StatusCode::FORBIDDEN => {
                return Err(Failure::Permanent(EdgarError::Forbidden {
                    url: url.to_string(),
                }));
            }
            StatusCode::NOT_FOUND => {
                return Err(Failure::Permanent(EdgarError::NotFound {
                    url: url.to_string(),
                }));
            }
            s if !s.is_success() => {
                return Err(Failure::Permanent(EdgarError::Http {
                    url: url.to_string(),
                    status: s.as_u16(),
                    attempts: 1,
                }));
            }
            _ => {}
        }
        let too_large = || {
            Failure::Permanent(EdgarError::TooLarge {
                url: url.to_string(),
                limit: MAX_BODY_BYTES,
            })
        };
        if response
            .content_length()
            .is_some_and(|n| n > MAX_BODY_BYTES as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| transport(url, &e))? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

enum Failure {
    Transient(EdgarError, Option<Duration>),
    Permanent(EdgarError),
}

fn transport(url: &str, e: &reqwest::Error) -> Failure {
    let error = if e.is_timeout() {
        EdgarError::Timeout {
            url: url.to_string(),
            attempts: 1,
        }
    } else {
        let mut message = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        EdgarError::Network {
            url: url.to_string(),
            message,
            attempts: 1,
        }
    };
    if e.is_builder() {
        Failure::Permanent(error)
    } else {
        Failure::Transient(error, None)
    }
}
