//! The per-client limits, CORS and the request id, through the whole middleware stack. The
//! routes used here need no database (the pool is never connected).

use std::sync::Arc;

use actix_web::http::{Method, StatusCode, header};
use actix_web::test::{TestRequest, call_service, init_service};
use jevons_core::Settings;

use super::{default_settings, reply};
use crate::{RequestGuards, ViewCache};

fn settings_with(adjust: impl FnOnce(&mut Settings)) -> Settings {
    let mut settings = default_settings();
    adjust(&mut settings);
    settings
}

macro_rules! limited_app {
    ($settings:expr) => {{
        let settings = Arc::new($settings);
        let pool = sqlx::postgres::PgPoolOptions::new()
            .acquire_timeout(std::time::Duration::from_secs(1))
            .connect_lazy("postgres://nobody@127.0.0.1:1/none")
            .unwrap();
        let guards = Arc::new(RequestGuards::new(
            &settings.server.limits,
            &settings.server.public_base_url,
        ));
        let views = Arc::new(ViewCache::new(&settings.server.view_cache));
        init_service(crate::app(pool, settings, views, guards)).await
    }};
}

fn from(ip: &str) -> std::net::SocketAddr {
    format!("{ip}:40000").parse().unwrap()
}

#[actix_web::test]
async fn api_requests_over_the_rate_answer_429_with_retry_after_per_client() {
    let app = limited_app!(settings_with(|s| {
        s.server.limits.api_per_second = 1;
        s.server.limits.api_burst = 2;
    }));
    let spec = |ip| {
        TestRequest::get()
            .uri("/api/v1/openapi.json")
            .peer_addr(from(ip))
            .to_request()
    };
    for _ in 0..2 {
        assert_eq!(
            call_service(&app, spec("10.0.0.1")).await.status(),
            StatusCode::OK
        );
    }
    let refused = reply(call_service(&app, spec("10.0.0.1")).await).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.error_code(), "rate_limited");
    let wait: u64 = refused
        .headers
        .get(header::RETRY_AFTER)
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&wait), "Retry-After {wait}");
    // Another client has its own allowance; pages are not rate limited.
    assert_eq!(
        call_service(&app, spec("10.0.0.2")).await.status(),
        StatusCode::OK
    );
    let page = TestRequest::get()
        .uri("/healthz")
        .peer_addr(from("10.0.0.1"))
        .to_request();
    assert_eq!(call_service(&app, page).await.status(), StatusCode::OK);
}

#[actix_web::test]
async fn limits_can_be_switched_off() {
    let app = limited_app!(settings_with(|s| {
        s.server.limits.rate_limit = false;
        s.server.limits.api_burst = 1;
    }));
    for _ in 0..5 {
        let req = TestRequest::get()
            .uri("/api/v1/openapi.json")
            .peer_addr(from("10.0.0.1"))
            .to_request();
        assert_eq!(call_service(&app, req).await.status(), StatusCode::OK);
    }
}

#[actix_web::test]
async fn bodies_over_the_limit_answer_413_before_the_handler() {
    let app = limited_app!(settings_with(|s| s.server.limits.max_body_kib = 1));
    let big = TestRequest::post()
        .uri("/api/v1/events")
        .peer_addr(from("10.0.0.1"))
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .set_payload(vec![b' '; 2048])
        .to_request();
    let refused = reply(call_service(&app, big).await).await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(refused.error_code(), "payload_too_large");
}

#[actix_web::test]
async fn the_subscribe_form_is_refused_from_another_origin() {
    let app = limited_app!(default_settings());
    let post = |origin: Option<&str>| {
        let mut req = TestRequest::post()
            .uri("/subscribe")
            .peer_addr(from("10.0.0.1"))
            .insert_header((header::HOST, "127.0.0.1:8080"))
            .insert_header((header::CONTENT_TYPE, "application/x-www-form-urlencoded"))
            .set_payload("email=a%40example.com&cadence=daily");
        if let Some(origin) = origin {
            req = req.insert_header((header::ORIGIN, origin));
        }
        req.to_request()
    };
    let foreign = reply(call_service(&app, post(Some("https://evil.example"))).await).await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    assert!(
        foreign.content_type.starts_with("text/html"),
        "the error page"
    );
    let null = call_service(&app, post(Some("null"))).await;
    assert_eq!(null.status(), StatusCode::FORBIDDEN);
    // This site's own origin (the configured public URL) gets past the check to the handler
    // (which then needs the database, absent here: 503, not 403).
    let own = call_service(&app, post(Some("http://127.0.0.1:8080"))).await;
    assert_ne!(own.status(), StatusCode::FORBIDDEN);
    let scripted = call_service(&app, post(None)).await;
    assert_ne!(scripted.status(), StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn subscribing_is_rate_limited_per_client() {
    let app = limited_app!(settings_with(|s| {
        s.server.limits.subscribe_per_hour = 1;
        s.server.limits.subscribe_burst = 1;
    }));
    let post = || {
        TestRequest::post()
            .uri("/subscribe")
            .peer_addr(from("10.0.0.9"))
            .set_payload("email=b%40example.com")
            .to_request()
    };
    assert_ne!(
        call_service(&app, post()).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let refused = reply(call_service(&app, post()).await).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.content_type.starts_with("text/html"));
    assert!(refused.headers.contains_key(header::RETRY_AFTER));
}

#[actix_web::test]
async fn cors_allows_the_configured_origins_only() {
    let app = limited_app!(settings_with(|s| {
        s.server.limits.cors_origins = vec!["https://dash.example".into()];
    }));
    let preflight = |origin: &str| {
        TestRequest::default()
            .method(Method::OPTIONS)
            .uri("/api/v1/openapi.json")
            .peer_addr(from("10.0.0.1"))
            .insert_header((header::ORIGIN, origin))
            .insert_header((header::ACCESS_CONTROL_REQUEST_METHOD, "GET"))
            .to_request()
    };
    let allowed = call_service(&app, preflight("https://dash.example")).await;
    assert_eq!(allowed.status(), StatusCode::OK);
    assert_eq!(
        allowed
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .unwrap(),
        "https://dash.example"
    );
    let other = call_service(&app, preflight("https://other.example")).await;
    assert!(
        !other
            .headers()
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
    );
    // Any answer of the API scope (here its 404) carries the CORS headers.
    let get = TestRequest::get()
        .uri("/api/v1/no-such-endpoint")
        .peer_addr(from("10.0.0.1"))
        .insert_header((header::ORIGIN, "https://dash.example"))
        .to_request();
    let got = call_service(&app, get).await;
    assert_eq!(got.status(), StatusCode::NOT_FOUND);
    let exposed = got
        .headers()
        .get(header::ACCESS_CONTROL_EXPOSE_HEADERS)
        .unwrap()
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        exposed.contains("x-request-id") && exposed.contains("etag"),
        "{exposed}"
    );
    // The answer depends on Origin now: shared caches must keep one per origin.
    let vary = got.headers().get(header::VARY).unwrap().to_str().unwrap();
    assert!(vary.contains("Origin"), "{vary}");
}

#[actix_web::test]
async fn every_answer_names_its_request() {
    let app = limited_app!(default_settings());
    let mut ids = Vec::new();
    for uri in [
        "/healthz",
        "/healthz",
        "/api/v1/openapi.json",
        "/no-such-page",
    ] {
        let res = call_service(&app, TestRequest::get().uri(uri).to_request()).await;
        let id = res
            .headers()
            .get("x-request-id")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(id.len(), 36, "{uri}: {id}");
        ids.push(id);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4, "one id per request");
}
