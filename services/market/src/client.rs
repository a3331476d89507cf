//! HTTP fetching with retries, validation of every series, and fallback across providers.

use std::fmt;
use std::time::Duration;

use chrono::NaiveDate;
use jevons_core::config::{MarketSettings, ProviderKind};
use jevons_core::price::BadBar;
use jevons_core::retry::{self, RetryPolicy, Step};
use jevons_core::{PriceBar, Symbol, validate_series};
use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;

use crate::ParseError;
use crate::{stooq, yahoo};

/// Larger bodies are refused: a daily series of decades is well under 1 MB, so this only stops a
/// broken or hostile server from exhausting memory.
pub const MAX_BODY_BYTES: usize = 20 * 1024 * 1024;

/// Yahoo answers clients without a browser-like User-Agent with 429s.
const USER_AGENT: &str = concat!(
    "Mozilla/5.0 (compatible; jevons/",
    env!("CARGO_PKG_VERSION"),
    ")"
);

/// How many bad days an error message lists before summarising the rest.
const MAX_LISTED_BAD_BARS: usize = 5;

/// A validated series and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    pub provider: ProviderKind,
    pub source_url: String,
    pub bars: Vec<PriceBar>,
}

/// Why one provider gave no usable series for a symbol.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProviderError {
    #[error("HTTP {status}{}", after(*attempts))]
    Http { status: u16, attempts: u32 },
    #[error("timed out{}", after(*attempts))]
    Timeout { attempts: u32 },
    #[error("network error: {message}{}", after(*attempts))]
    Network { message: String, attempts: u32 },
    #[error("the response is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("{0}")]
    Parse(ParseError),
    #[error("invalid data: {}", list_bad_bars(.0))]
    Invalid(Vec<BadBar>),
    #[error("no bars in the requested range")]
    Empty,
    #[error("unknown symbol: {0}")]
    NotFound(String),
}

fn after(attempts: u32) -> String {
    if attempts > 1 {
        format!(" after {attempts} attempts")
    } else {
        String::new()
    }
}

fn list_bad_bars(bad: &[BadBar]) -> String {
    let mut text = bad
        .iter()
        .take(MAX_LISTED_BAD_BARS)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if bad.len() > MAX_LISTED_BAD_BARS {
        text.push_str(&format!(" and {} more", bad.len() - MAX_LISTED_BAD_BARS));
    }
    text
}

impl From<ParseError> for ProviderError {
    fn from(e: ParseError) -> Self {
        match e {
            ParseError::NotFound(description) => ProviderError::NotFound(description),
            other => ProviderError::Parse(other),
        }
    }
}

/// Every provider's failure for one symbol, in the order they were tried.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchError {
    pub symbol: Symbol,
    pub failures: Vec<(ProviderKind, ProviderError)>,
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.symbol)?;
        if self.failures.is_empty() {
            return f.write_str("no provider is configured");
        }
        for (i, (provider, error)) in self.failures.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {error}", provider.as_str())?;
        }
        Ok(())
    }
}

impl std::error::Error for FetchError {}

impl FetchError {
    /// True when every provider said the symbol does not exist (as opposed to being unreachable).
    pub fn is_not_found(&self) -> bool {
        !self.failures.is_empty()
            && self
                .failures
                .iter()
                .all(|(_, e)| matches!(e, ProviderError::NotFound(_)))
    }
}

/// The HTTP client could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("market: no provider is configured")]
    NoProviders,
    #[error("market: cannot build the HTTP client: {0}")]
    Build(#[source] reqwest::Error),
}

/// Fetches daily bars from the configured providers. Cheap to clone (the connection pool is shared).
#[derive(Debug, Clone)]
pub struct MarketClient {
    http: reqwest::Client,
    providers: Vec<ProviderKind>,
    yahoo_base: String,
    stooq_base: String,
    retry: RetryPolicy,
}

impl MarketClient {
    /// A client with connect and total timeouts of `timeout_secs` and jevons' User-Agent.
    pub fn new(settings: &MarketSettings) -> Result<Self, ClientError> {
        if settings.providers.is_empty() {
            return Err(ClientError::NoProviders);
        }
        let timeout = Duration::from_secs(settings.timeout_secs.max(1));
        let http = reqwest::Client::builder()
            .connect_timeout(timeout)
            .timeout(timeout)
            .user_agent(USER_AGENT)
            .build()
            .map_err(ClientError::Build)?;
        Ok(Self {
            http,
            providers: settings.providers.clone(),
            yahoo_base: settings.yahoo_base_url.trim_end_matches('/').to_string(),
            stooq_base: settings.stooq_base_url.trim_end_matches('/').to_string(),
            retry: RetryPolicy::from_millis(
                settings.max_attempts,
                settings.backoff_base_ms,
                settings.backoff_max_ms,
            ),
        })
    }

    pub fn providers(&self) -> &[ProviderKind] {
        &self.providers
    }

    /// Tries the configured providers in order; the first that returns a valid, non-empty series wins.
    /// `today` bounds the "no future days" check. Bars outside [from, to] are dropped.
    #[tracing::instrument(skip(self), fields(symbol = %symbol))]
    pub async fn fetch(
        &self,
        symbol: &Symbol,
        from: NaiveDate,
        to: NaiveDate,
        today: NaiveDate,
    ) -> Result<Fetched, FetchError> {
        let mut failures = Vec::new();
        for &provider in &self.providers {
            let result = self.fetch_from(provider, symbol, from, to, today).await;
            jevons_core::telemetry::count_fetch(provider.as_str(), &result);
            match result {
                Ok(fetched) => {
                    tracing::info!(
                        provider = provider.as_str(),
                        bars = fetched.bars.len(),
                        "prices fetched"
                    );
                    return Ok(fetched);
                }
                Err(error) => {
                    tracing::warn!(provider = provider.as_str(), %error, "provider failed");
                    failures.push((provider, error));
                }
            }
        }
        Err(FetchError {
            symbol: symbol.clone(),
            failures,
        })
    }

    /// One provider only: download, parse, keep `[from, to]`, and validate. Any bad bar rejects the
    /// whole response, so a caller that stores only `Ok` results never stores part of a bad one.
    pub async fn fetch_from(
        &self,
        provider: ProviderKind,
        symbol: &Symbol,
        from: NaiveDate,
        to: NaiveDate,
        today: NaiveDate,
    ) -> Result<Fetched, ProviderError> {
        if from > to {
            return Err(ProviderError::Empty);
        }
        let url = match provider {
            ProviderKind::Yahoo => yahoo::chart_url(&self.yahoo_base, symbol, from, to),
            ProviderKind::Stooq => stooq::csv_url(&self.stooq_base, symbol, from, to),
        };
        let (status, body) = self.get(&url).await?;
        let parsed = match provider {
            ProviderKind::Yahoo => {
                if !status.is_success() {
                    // Yahoo answers an unknown symbol with 404 and a chart.error body.
                    return Err(match yahoo::parse_chart(&body) {
                        Err(ParseError::NotFound(d)) => ProviderError::NotFound(d),
                        _ => ProviderError::Http {
                            status: status.as_u16(),
                            attempts: 1,
                        },
                    });
                }
                yahoo::parse_chart(&body)?
            }
            ProviderKind::Stooq => {
                if !status.is_success() {
                    return Err(ProviderError::Http {
                        status: status.as_u16(),
                        attempts: 1,
                    });
                }
                stooq::parse_csv(&String::from_utf8_lossy(&body))?
            }
        };
        let mut bars: Vec<PriceBar> = parsed
            .into_iter()
            .filter(|b| from <= b.day && b.day <= to)
            .collect();
        let bad = validate_series(&bars, today);
        if !bad.is_empty() {
            for b in &bad {
                tracing::warn!(provider = provider.as_str(), %symbol, day = %b.day, problem = %b.problem, "bad bar");
            }
            return Err(ProviderError::Invalid(bad));
        }
        if bars.is_empty() {
            return Err(ProviderError::Empty);
        }
        bars.sort_by_key(|b| b.day);
        Ok(Fetched {
            provider,
            source_url: url,
            bars,
        })
    }

    /// GET with retries; returns the final status (success or a non-retryable one) and the body.
    async fn get(&self, url: &str) -> Result<(StatusCode, Vec<u8>), ProviderError> {
        retry::run(&self.retry, |attempt| self.get_once(url, attempt)).await
    }

    async fn get_once(
        &self,
        url: &str,
        attempts: u32,
    ) -> Step<(StatusCode, Vec<u8>), ProviderError> {
        let mut response = match self.http.get(url).send().await {
            Ok(r) => r,
            Err(e) => return transport_failure(&e, attempts),
        };
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            let retry_after =
                retry::from_header(response.headers().get(RETRY_AFTER).map(|v| v.as_bytes()));
            return Step::Retry {
                error: ProviderError::Http {
                    status: status.as_u16(),
                    attempts,
                },
                retry_after,
            };
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_BODY_BYTES as u64)
        {
            return Step::Fail(ProviderError::TooLarge {
                limit: MAX_BODY_BYTES,
            });
        }
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > MAX_BODY_BYTES {
                        return Step::Fail(ProviderError::TooLarge {
                            limit: MAX_BODY_BYTES,
                        });
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => return Step::Done((status, body)),
                Err(e) => return transport_failure(&e, attempts),
            }
        }
    }
}

/// Timeouts and connection errors are transient; a request that cannot even be built is not.
fn transport_failure<T>(e: &reqwest::Error, attempts: u32) -> Step<T, ProviderError> {
    if e.is_timeout() {
        return Step::Retry {
            error: ProviderError::Timeout { attempts },
            retry_after: None,
        };
    }
    let error = ProviderError::Network {
        message: error_chain(e),
        attempts,
    };
    if e.is_builder() {
        Step::Fail(error)
    } else {
        Step::Retry {
            error,
            retry_after: None,
        }
    }
}

/// reqwest's own message is terse ("error sending request"); the causes say what happened.
fn error_chain(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use jevons_core::price::BarProblem;

    fn symbol() -> Symbol {
        Symbol::parse("NVDA").unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn fetch_error_names_symbol_providers_and_days() {
        let err = FetchError {
            symbol: symbol(),
            failures: vec![
                (
                    ProviderKind::Yahoo,
                    ProviderError::Http {
                        status: 500,
                        attempts: 4,
                    },
                ),
                (
                    ProviderKind::Stooq,
                    ProviderError::Invalid(vec![BadBar {
                        day: day("2025-01-27"),
                        problem: BarProblem::LowAboveBody {
                            low: 130.0,
                            min: 118.42,
                        },
                    }]),
                ),
            ],
        };
        assert_eq!(
            err.to_string(),
            "NVDA: yahoo: HTTP 500 after 4 attempts; stooq: invalid data: 2025-01-27: low 130 is above min(open, close) 118.42"
        );
        assert!(!err.is_not_found());
    }

    #[test]
    fn long_lists_of_bad_days_are_summarised() {
        let bad: Vec<BadBar> = (1..=8)
            .map(|d| BadBar {
                day: NaiveDate::from_ymd_opt(2025, 1, d).unwrap(),
                problem: BarProblem::DuplicateDay,
            })
            .collect();
        let text = ProviderError::Invalid(bad).to_string();
        assert!(text.ends_with(" and 3 more"), "{text}");
        assert_eq!(
            ProviderError::Http {
                status: 404,
                attempts: 1
            }
            .to_string(),
            "HTTP 404"
        );
    }
}
