//! The HTTP side of feeds: conditional GET, timeouts, a body-size cap enforced while streaming,
//! and every connection through the SSRF guard.

use std::sync::Arc;
use std::time::Duration;

use jevons_core::config::NewsSettings;
use jevons_core::retry;
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{StatusCode, Url, redirect};

use crate::guard::{AddressPolicy, CidrError, GuardedResolver, Refused, UrlRefused};

/// Validators from the previous successful fetch, sent back so an unchanged feed costs a 304.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditional {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A 200 response, read whole (within the cap).
#[derive(Debug, Clone)]
pub struct Fetched {
    pub body: Vec<u8>,
    pub validators: Conditional,
    /// Where the body came from after redirects.
    pub final_url: String,
    pub content_type: Option<String>,
}

#[derive(Debug, Clone)]
pub enum FeedResponse {
    /// 304: the feed is healthy and has nothing new.
    NotModified,
    Fetched(Fetched),
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("`{0}` is not a valid URL")]
    BadUrl(String),
    #[error("{0}")]
    Refused(String),
    #[error("HTTP {status}{}", retry_after.map(|d| format!(" (Retry-After {}s)", d.as_secs())).unwrap_or_default())]
    Status {
        status: u16,
        retry_after: Option<Duration>,
    },
    #[error("the response is larger than the {limit}-byte cap; not read")]
    TooLarge { limit: u64 },
    #[error("timed out")]
    Timeout,
    #[error("{0}")]
    Network(String),
    #[error("expected an HTML page, got `{0}`")]
    NotHtml(String),
}

impl FetchError {
    /// How long the server asked us to wait, if it did (429/503 with `Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    fn from_reqwest(e: reqwest::Error) -> Self {
        // The guard's refusals travel inside reqwest's error as a source: find them.
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(err) = source {
            if let Some(r) = err.downcast_ref::<Refused>() {
                return FetchError::Refused(r.to_string());
            }
            if let Some(r) = err.downcast_ref::<UrlRefused>() {
                return FetchError::Refused(r.to_string());
            }
            source = err.source();
        }
        if e.is_timeout() {
            return FetchError::Timeout;
        }
        if e.is_redirect() {
            return FetchError::Network(format!("redirects: {e}"));
        }
        // The whole chain: reqwest's own message rarely says what failed underneath.
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(err) = source {
            let s = err.to_string();
            if !text.contains(&s) {
                text.push_str(": ");
                text.push_str(&s);
            }
            source = err.source();
        }
        FetchError::Network(text)
    }
}

/// Why the news client cannot be built from its settings.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("news.allowed_networks: {0}")]
    Network(#[from] CidrError),
    #[error("news HTTP client: {0}")]
    Build(reqwest::Error),
}

/// The client for feeds and the pages they link to. Cheap to clone.
#[derive(Debug, Clone)]
pub struct NewsClient {
    client: reqwest::Client,
    policy: Arc<AddressPolicy>,
    max_body: u64,
}

impl NewsClient {
    pub fn new(settings: &NewsSettings) -> Result<Self, ClientError> {
        let policy = Arc::new(AddressPolicy::new(
            settings.allow_private_addresses,
            &settings.allowed_networks,
        )?);
        let hop_policy = policy.clone();
        let max_redirects = settings.max_redirects;
        let redirects = redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > max_redirects {
                return attempt.error(format!("more than {max_redirects} redirects"));
            }
            match hop_policy.check_url(attempt.url()) {
                Ok(()) => attempt.follow(),
                Err(e) => {
                    tracing::warn!(url = %attempt.url(), error = %e, "redirect refused");
                    attempt.error(e)
                }
            }
        });
        let client = reqwest::Client::builder()
            .user_agent(settings.user_agent.clone())
            .timeout(Duration::from_secs(settings.timeout_secs.max(1)))
            .connect_timeout(Duration::from_secs(settings.connect_timeout_secs.max(1)))
            .redirect(redirects)
            .no_proxy()
            .dns_resolver(GuardedResolver {
                policy: policy.clone(),
            })
            .build()
            .map_err(ClientError::Build)?;
        Ok(Self {
            client,
            policy,
            max_body: settings.max_body_bytes,
        })
    }

    fn checked_url(&self, raw: &str) -> Result<Url, FetchError> {
        let url = Url::parse(raw.trim()).map_err(|_| FetchError::BadUrl(raw.to_string()))?;
        self.policy
            .check_url(&url)
            .map_err(|e| FetchError::Refused(e.to_string()))?;
        Ok(url)
    }

    /// GETs a feed, conditionally when `validators` holds an ETag or Last-Modified.
    #[tracing::instrument(skip(self, validators))]
    pub async fn fetch_feed(
        &self,
        url: &str,
        validators: &Conditional,
    ) -> Result<FeedResponse, FetchError> {
        let url = self.checked_url(url)?;
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static(
                "application/rss+xml, application/atom+xml, application/feed+json, \
                 application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5",
            ),
        );
        if let Some(v) = validators
            .etag
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            headers.insert(header::IF_NONE_MATCH, v);
        }
        if let Some(v) = validators
            .last_modified
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok())
        {
            headers.insert(header::IF_MODIFIED_SINCE, v);
        }
        let resp = self
            .client
            .get(url)
            .headers(headers)
            .send()
            .await
            .map_err(FetchError::from_reqwest)?;
        if resp.status() == StatusCode::NOT_MODIFIED {
            return Ok(FeedResponse::NotModified);
        }
        Ok(FeedResponse::Fetched(self.read(resp).await?))
    }

    /// GETs an article page; only HTML is accepted. Returns the page as text.
    #[tracing::instrument(skip(self))]
    pub async fn fetch_page(&self, url: &str) -> Result<String, FetchError> {
        let url = self.checked_url(url)?;
        let resp = self
            .client
            .get(url)
            .header(
                header::ACCEPT,
                "text/html, application/xhtml+xml;q=0.9, */*;q=0.1",
            )
            .send()
            .await
            .map_err(FetchError::from_reqwest)?;
        let fetched = self.read(resp).await?;
        let ct = fetched.content_type.clone().unwrap_or_default();
        if !ct.is_empty() && !ct.contains("html") {
            return Err(FetchError::NotHtml(ct));
        }
        Ok(String::from_utf8_lossy(&fetched.body).into_owned())
    }

    /// Checks the status and reads the body, stopping as soon as it passes the cap.
    async fn read(&self, mut resp: reqwest::Response) -> Result<Fetched, FetchError> {
        let status = resp.status();
        if !status.is_success() {
            let retry_after = retry::from_header(
                resp.headers()
                    .get(header::RETRY_AFTER)
                    .map(|v| v.as_bytes()),
            );
            return Err(FetchError::Status {
                status: status.as_u16(),
                retry_after,
            });
        }
        if resp.content_length().is_some_and(|n| n > self.max_body) {
            return Err(FetchError::TooLarge {
                limit: self.max_body,
            });
        }
        let header_text = |name: header::HeaderName| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let validators = Conditional {
            etag: header_text(header::ETAG),
            last_modified: header_text(header::LAST_MODIFIED),
        };
        let content_type = header_text(header::CONTENT_TYPE).map(|s| s.to_ascii_lowercase());
        let final_url = resp.url().to_string();
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(FetchError::from_reqwest)? {
            if (body.len() + chunk.len()) as u64 > self.max_body {
                return Err(FetchError::TooLarge {
                    limit: self.max_body,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched {
            body,
            validators,
            final_url,
            content_type,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wiremock::matchers::{header as has_header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    pub(crate) fn settings(allowed: &[&str]) -> NewsSettings {
        let mut s =
            jevons_core::Settings::load_with(std::path::Path::new("/nonexistent"), Vec::new())
                .unwrap()
                .news;
        s.allowed_networks = allowed.iter().map(|s| s.to_string()).collect();
        s.max_body_bytes = 10_000;
        s.timeout_secs = 5;
        s
    }

    fn client(allowed: &[&str]) -> NewsClient {
        NewsClient::new(&settings(allowed)).unwrap()
    }

    #[tokio::test]
    async fn conditional_get_sends_validators_and_maps_304() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/feed"))
            .and(has_header("if-none-match", "\"v1\""))
            .respond_with(ResponseTemplate::new(304))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/feed"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("ETag", "\"v1\"")
                    .insert_header("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT")
                    .set_body_string("<rss/>"),
            )
            .mount(&server)
            .await;
        let c = client(&["127.0.0.1/32"]);
        let url = format!("{}/feed", server.uri());
        let FeedResponse::Fetched(first) =
            c.fetch_feed(&url, &Conditional::default()).await.unwrap()
        else {
            panic!("first fetch must be a 200");
        };
        assert_eq!(first.body, b"<rss/>");
        assert_eq!(first.validators.etag.as_deref(), Some("\"v1\""));
        assert_eq!(
            first.validators.last_modified.as_deref(),
            Some("Wed, 21 Oct 2015 07:28:00 GMT")
        );
        let second = c.fetch_feed(&url, &first.validators).await.unwrap();
        assert!(matches!(second, FeedResponse::NotModified));
    }

    #[tokio::test]
    async fn errors_carry_status_and_retry_after() {
        let server = MockServer::start().await;
        Mock::given(path("/busy"))
            .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "120"))
            .mount(&server)
            .await;
        let c = client(&["127.0.0.1/32"]);
        let err = c
            .fetch_feed(&format!("{}/busy", server.uri()), &Conditional::default())
            .await
            .unwrap_err();
        assert!(
            matches!(err, FetchError::Status { status: 503, .. }),
            "{err}"
        );
        assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    }

    #[tokio::test]
    async fn oversized_bodies_are_refused() {
        let server = MockServer::start().await;
        Mock::given(path("/big"))
            .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(20_000)))
            .mount(&server)
            .await;
        let c = client(&["127.0.0.1/32"]);
        let err = c
            .fetch_feed(&format!("{}/big", server.uri()), &Conditional::default())
            .await
            .unwrap_err();
        assert!(
            matches!(err, FetchError::TooLarge { limit: 10_000 }),
            "{err}"
        );
    }

    #[tokio::test]
    async fn loopback_is_refused_unless_allowed_and_redirect_hops_are_checked() {
        let server = MockServer::start().await;
        Mock::given(path("/feed"))
            .respond_with(ResponseTemplate::new(200).set_body_string("<rss/>"))
            .mount(&server)
            .await;
        let port = server.address().port();
        // To a private address, and to a loopback address outside the allow-list.
        Mock::given(path("/to-metadata"))
            .respond_with(
                ResponseTemplate::new(302)
                    .insert_header("Location", "http://169.254.169.254/latest/meta-data/"),
            )
            .mount(&server)
            .await;
        Mock::given(path("/to-other-loopback"))
            .respond_with(
                ResponseTemplate::new(301)
                    .insert_header("Location", format!("http://127.0.0.2:{port}/feed")),
            )
            .mount(&server)
            .await;
        Mock::given(path("/to-feed"))
            .respond_with(ResponseTemplate::new(302).insert_header("Location", "/feed"))
            .mount(&server)
            .await;

        let closed = client(&[]);
        let err = closed
            .fetch_feed(&format!("{}/feed", server.uri()), &Conditional::default())
            .await
            .unwrap_err();
        assert!(matches!(err, FetchError::Refused(_)), "{err}");
        assert!(err.to_string().contains("loopback"), "{err}");

        let open = client(&["127.0.0.1/32"]);
        let ok = open
            .fetch_feed(
                &format!("{}/to-feed", server.uri()),
                &Conditional::default(),
            )
            .await
            .unwrap();
        assert!(matches!(ok, FeedResponse::Fetched(f) if f.final_url.ends_with("/feed")));
        for hop in ["/to-metadata", "/to-other-loopback"] {
            let err = open
                .fetch_feed(&format!("{}{hop}", server.uri()), &Conditional::default())
                .await
                .unwrap_err();
            assert!(matches!(err, FetchError::Refused(_)), "{hop}: {err}");
        }
        // Only the allowed first hop reached the server: no request to the refused targets.
        let paths: Vec<String> = server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .map(|r| r.url.path().to_string())
            .collect();
        assert_eq!(
            paths.iter().filter(|p| *p == "/feed").count(),
            1,
            "{paths:?}"
        );
    }

    #[tokio::test]
    async fn pages_must_be_html() {
        let server = MockServer::start().await;
        Mock::given(path("/a"))
            .respond_with(
                ResponseTemplate::new(200).set_body_raw("<p>hi</p>", "text/html; charset=utf-8"),
            )
            .mount(&server)
            .await;
        Mock::given(path("/pdf"))
            .respond_with(ResponseTemplate::new(200).set_body_raw("%PDF", "application/pdf"))
            .mount(&server)
            .await;
        let c = client(&["127.0.0.1/32"]);
        assert_eq!(
            c.fetch_page(&format!("{}/a", server.uri())).await.unwrap(),
            "<p>hi</p>"
        );
        assert!(matches!(
            c.fetch_page(&format!("{}/pdf", server.uri())).await,
            Err(FetchError::NotHtml(_))
        ));
    }
}
