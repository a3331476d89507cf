//! What one client may ask: a per-IP rate on the API and on subscribing (GCRA, from
//! `governor`), a body size, and for the subscribe form an `Origin` that is this site.
//! Beyond a rate the answer is 429 with `Retry-After`; the limiter state is shared by every
//! worker of the server, so the limits hold per process, not per thread.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::web;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use jevons_core::config::LimitSettings;

use crate::error::AppError;

/// How often (in requests) the limiters forget clients that are back to a full bucket, so the
/// state does not grow with every address ever seen.
const FORGET_EVERY: u64 = 4096;

pub struct RequestGuards {
    api: Option<DefaultKeyedRateLimiter<IpAddr>>,
    subscribe: Option<DefaultKeyedRateLimiter<IpAddr>>,
    max_body_bytes: usize,
    trust_forwarded_for: bool,
    /// `scheme://host[:port]` of `server.public_base_url`.
    public_origin: Option<String>,
    seen: AtomicU64,
}

impl RequestGuards {
    pub fn new(limits: &LimitSettings, public_base_url: &str) -> Self {
        let keyed = |quota: Option<Quota>| quota.map(RateLimiter::keyed);
        let on = limits.rate_limit;
        Self {
            api: keyed(on.then(|| {
                Quota::per_second(at_least_one(limits.api_per_second))
                    .allow_burst(at_least_one(limits.api_burst))
            })),
            subscribe: keyed(on.then(|| {
                Quota::per_hour(at_least_one(limits.subscribe_per_hour))
                    .allow_burst(at_least_one(limits.subscribe_burst))
            })),
            max_body_bytes: limits.max_body_kib.saturating_mul(1024),
            trust_forwarded_for: limits.trust_forwarded_for,
            public_origin: origin_of(public_base_url),
            seen: AtomicU64::new(0),
        }
    }

    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    fn client_ip(&self, req: &ServiceRequest) -> Option<IpAddr> {
        if self.trust_forwarded_for {
            let info = req.connection_info();
            if let Some(ip) = info.realip_remote_addr().and_then(|a| {
                a.parse::<std::net::SocketAddr>()
                    .map(|s| s.ip())
                    .ok()
                    .or_else(|| a.parse().ok())
            }) {
                return Some(ip);
            }
        }
        req.peer_addr().map(|a| a.ip())
    }

    /// The error that stops `req`, if any.
    fn check(&self, req: &ServiceRequest) -> Option<AppError> {
        if self.seen.fetch_add(1, Ordering::Relaxed) % FORGET_EVERY == FORGET_EVERY - 1 {
            for limiter in [&self.api, &self.subscribe].into_iter().flatten() {
                limiter.retain_recent();
            }
        }
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > self.max_body_bytes) {
            return Some(AppError::PayloadTooLarge(self.max_body_bytes));
        }
        let is_subscribe = req.method() == Method::POST && req.path() == "/subscribe";
        if is_subscribe && !self.same_origin(req) {
            return Some(AppError::Forbidden(
                "this form can only be sent from this site's own pages".into(),
            ));
        }
        let limiter = if req.path().starts_with("/api/") {
            self.api.as_ref()
        } else if is_subscribe {
            self.subscribe.as_ref()
        } else {
            None
        };
        let (limiter, ip) = (limiter?, self.client_ip(req)?);
        let not_until = limiter.check_key(&ip).err()?;
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        Some(AppError::TooManyRequests {
            retry_after_s: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
        })
    }

    /// A browser sends `Origin` with every form POST: it must be this site (the configured
    /// public URL, or the host the request was sent to). No `Origin` is a non-browser client,
    /// which cross-site request forgery cannot drive.
    fn same_origin(&self, req: &ServiceRequest) -> bool {
        let Some(origin) = req.headers().get(header::ORIGIN) else {
            return true;
        };
        let Ok(origin) = origin.to_str() else {
            return false;
        };
        let origin = origin.trim_end_matches('/');
        if self.public_origin.as_deref() == Some(origin) {
            return true;
        }
        let info = req.connection_info();
        origin == format!("{}://{}", info.scheme(), info.host())
    }
}

fn at_least_one(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next().filter(|h| !h.is_empty())?;
    Some(format!(
        "{}://{}",
        scheme.to_ascii_lowercase(),
        host.to_ascii_lowercase()
    ))
}

/// Answers with the limit's error before the handler runs.
pub(crate) async fn enforce(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let stop = req
        .app_data::<web::Data<RequestGuards>>()
        .and_then(|guards| guards.check(&req));
    match stop {
        // The error travels with the response, so `render_by_scope` can make it a page.
        Some(error) => {
            let (req, _) = req.into_parts();
            Ok(ServiceResponse::from_err(error, req))
        }
        None => Ok(next.call(req).await?.map_into_boxed_body()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_of_a_base_url() {
        assert_eq!(
            origin_of("https://Jevons.example.com/app/").as_deref(),
            Some("https://jevons.example.com")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(origin_of("not a url"), None);
    }
}
