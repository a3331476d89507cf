//! MarketClient against a fake provider server on 127.0.0.1 serving real-format payloads.

#![allow(clippy::unwrap_used)] // tests fail loudly by design

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use jevons_core::Symbol;
use jevons_core::config::{MarketSettings, ProviderKind};
use jevons_market::{MarketClient, ParseError, ProviderError};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SPY_CHART: &str = include_str!("../../../tests/fixtures/yahoo_chart_SPY_1d.json");
const YAHOO_SPY: &str = "/v8/finance/chart/SPY";
const YAHOO_NVDA: &str = "/v8/finance/chart/NVDA";
const STOOQ: &str = "/q/d/l/";

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn settings(server: &MockServer, max_attempts: u32, timeout_secs: u64) -> MarketSettings {
    MarketSettings {
        providers: vec![ProviderKind::Yahoo, ProviderKind::Stooq],
        yahoo_base_url: server.uri(),
        stooq_base_url: format!("{}/", server.uri()),
        timeout_secs,
        max_attempts,
        backoff_base_ms: 1,
        backoff_max_ms: 5_000,
        history_start: day("2023-07-03"),
    }
}

fn client(server: &MockServer, max_attempts: u32) -> MarketClient {
    MarketClient::new(&settings(server, max_attempts, 5)).unwrap()
}

async fn requests_to(server: &MockServer, p: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == p)
        .count()
}

/// A Yahoo chart body for NVDA in New York time; each bar is (timestamp, open, high, low, close).
fn yahoo_nvda(bars: &[(i64, f64, f64, f64, f64)]) -> String {
    let col = |f: fn(&(i64, f64, f64, f64, f64)) -> String| {
        bars.iter().map(f).collect::<Vec<_>>().join(",")
    };
    format!(
        r#"{{"chart":{{"result":[{{"meta":{{"currency":"USD","symbol":"NVDA","gmtoffset":-18000,"timezone":"EST","exchangeTimezoneName":"America/New_York"}},"timestamp":[{}],"indicators":{{"quote":[{{"open":[{}],"high":[{}],"low":[{}],"close":[{}],"volume":[{}]}}],"adjclose":[{{"adjclose":[{}]}}]}}}}],"error":null}}}}"#,
        col(|b| b.0.to_string()),
        col(|b| b.1.to_string()),
        col(|b| b.2.to_string()),
        col(|b| b.3.to_string()),
        col(|b| b.4.to_string()),
        col(|_| "100000".to_string()),
        col(|b| b.4.to_string()),
    )
}

// 2025-01-24 and 2025-01-27, 09:30 New York.
const JAN24: i64 = 1737729000;
const JAN27: i64 = 1737988200;

const STOOQ_GOOD: &str = "Date,Open,High,Low,Close,Volume\r\n\
    2025-01-24,148.37,148.97,141.88,142.62,234657600\r\n\
    2025-01-27,124.8,128.4,116.7,118.42,818830900\r\n";
const STOOQ_BAD: &str = "Date,Open,High,Low,Close,Volume\r\n\
    2025-01-24,148.37,148.97,141.88,142.62,234657600\r\n\
    2025-01-27,124.8,128.4,130,118.42,818830900\r\n";

#[tokio::test]
async fn yahoo_500_twice_then_200_succeeds_on_the_third_request() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(YAHOO_SPY))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(YAHOO_SPY))
        .and(query_param("interval", "1d"))
        .respond_with(ResponseTemplate::new(200).set_body_string(SPY_CHART))
        .with_priority(2)
        .mount(&server)
        .await;

    let spy = Symbol::parse("SPY").unwrap();
    let fetched = client(&server, 4)
        .fetch(
            &spy,
            day("2026-02-13"),
            day("2026-02-20"),
            day("2026-02-20"),
        )
        .await
        .unwrap();
    assert_eq!(fetched.provider, ProviderKind::Yahoo);
    assert_eq!(fetched.bars.len(), 5);
    assert_eq!(fetched.bars[0].day, day("2026-02-13"));
    assert_eq!(fetched.bars[0].close, 681.75);
    assert!(
        fetched
            .source_url
            .starts_with(&format!("{}{YAHOO_SPY}?period1=", server.uri()))
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn bars_outside_the_range_are_dropped() {
    let server = MockServer::start().await;
    Mock::given(path(YAHOO_SPY))
        .respond_with(ResponseTemplate::new(200).set_body_string(SPY_CHART))
        .mount(&server)
        .await;
    let spy = Symbol::parse("SPY").unwrap();
    let fetched = client(&server, 1)
        .fetch(
            &spy,
            day("2026-02-17"),
            day("2026-02-19"),
            day("2026-02-20"),
        )
        .await
        .unwrap();
    let days: Vec<_> = fetched.bars.iter().map(|b| b.day).collect();
    assert_eq!(
        days,
        vec![day("2026-02-17"), day("2026-02-18"), day("2026-02-19")]
    );
}

#[tokio::test]
async fn yahoo_down_falls_back_to_stooq() {
    let server = MockServer::start().await;
    Mock::given(path(YAHOO_NVDA))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    Mock::given(path(STOOQ))
        .and(query_param("s", "nvda.us"))
        .and(query_param("d1", "20250124"))
        .and(query_param("d2", "20250127"))
        .respond_with(ResponseTemplate::new(200).set_body_string(STOOQ_GOOD))
        .mount(&server)
        .await;

    let nvda = Symbol::parse("NVDA").unwrap();
    let fetched = client(&server, 3)
        .fetch(
            &nvda,
            day("2025-01-24"),
            day("2025-01-27"),
            day("2025-01-31"),
        )
        .await
        .unwrap();
    assert_eq!(fetched.provider, ProviderKind::Stooq);
    assert!(
        fetched
            .source_url
            .contains("/q/d/l/?s=nvda.us&i=d&d1=20250124&d2=20250127")
    );
    assert_eq!(fetched.bars.len(), 2);
    assert_eq!(fetched.bars[1].close, 118.42);
    assert_eq!(fetched.bars[1].adj_close, 118.42);
    assert_eq!(requests_to(&server, YAHOO_NVDA).await, 3);
    assert_eq!(requests_to(&server, STOOQ).await, 1);
}

#[tokio::test]
async fn every_provider_down_names_each_failure() {
    let server = MockServer::start().await;
    Mock::given(path(YAHOO_NVDA))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    Mock::given(path(STOOQ))
        .respond_with(ResponseTemplate::new(200).set_body_string("No data"))
        .mount(&server)
        .await;
    let nvda = Symbol::parse("NVDA").unwrap();
    let err = client(&server, 2)
        .fetch(
            &nvda,
            day("2025-01-24"),
            day("2025-01-27"),
            day("2025-01-31"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "NVDA: yahoo: HTTP 503 after 2 attempts; stooq: not a price CSV, first line is `No data`"
    );
    assert!(matches!(
        err.failures[1].1,
        ProviderError::Parse(ParseError::NotCsv { .. })
    ));
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = MockServer::start().await;
    Mock::given(path(YAHOO_SPY))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path(YAHOO_SPY))
        .respond_with(ResponseTemplate::new(200).set_body_string(SPY_CHART))
        .with_priority(2)
        .mount(&server)
        .await;

    let spy = Symbol::parse("SPY").unwrap();
    let started = Instant::now();
    let fetched = client(&server, 4)
        .fetch(
            &spy,
            day("2026-02-13"),
            day("2026-02-20"),
            day("2026-02-20"),
        )
        .await
        .unwrap();
    let waited = started.elapsed();
    assert_eq!(fetched.provider, ProviderKind::Yahoo);
    assert!(waited >= Duration::from_secs(1), "waited only {waited:?}");
    assert!(waited < Duration::from_secs(4), "waited {waited:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn invalid_yahoo_data_falls_back_to_stooq() {
    let server = MockServer::start().await;
    // 2025-01-27: low 125 is above the close 118.42.
    let bad = yahoo_nvda(&[
        (JAN24, 148.37, 148.97, 141.88, 142.62),
        (JAN27, 124.8, 128.4, 125.0, 118.42),
    ]);
    Mock::given(path(YAHOO_NVDA))
        .respond_with(ResponseTemplate::new(200).set_body_string(bad))
        .mount(&server)
        .await;
    Mock::given(path(STOOQ))
        .respond_with(ResponseTemplate::new(200).set_body_string(STOOQ_GOOD))
        .mount(&server)
        .await;

    let nvda = Symbol::parse("NVDA").unwrap();
    let fetched = client(&server, 4)
        .fetch(
            &nvda,
            day("2025-01-24"),
            day("2025-01-27"),
            day("2025-01-31"),
        )
        .await
        .unwrap();
    assert_eq!(fetched.provider, ProviderKind::Stooq);
    assert_eq!(fetched.bars[1].low, 116.7);
    // Bad data is not transient: one request to Yahoo, no retries.
    assert_eq!(requests_to(&server, YAHOO_NVDA).await, 1);
}

#[tokio::test]
async fn invalid_data_everywhere_is_an_error_naming_both_providers_and_the_day() {
    let server = MockServer::start().await;
    let bad = yahoo_nvda(&[
        (JAN24, 148.37, 148.97, 141.88, 142.62),
        (JAN27, 124.8, 128.4, 125.0, 118.42),
    ]);
    Mock::given(path(YAHOO_NVDA))
        .respond_with(ResponseTemplate::new(200).set_body_string(bad))
        .mount(&server)
        .await;
    Mock::given(path(STOOQ))
        .respond_with(ResponseTemplate::new(200).set_body_string(STOOQ_BAD))
        .mount(&server)
        .await;

    let nvda = Symbol::parse("NVDA").unwrap();
    let err = client(&server, 4)
        .fetch(
            &nvda,
            day("2025-01-24"),
            day("2025-01-27"),
            day("2025-01-31"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.symbol, nvda);
    assert_eq!(err.failures.len(), 2);
    for (_, failure) in &err.failures {
        match failure {
            ProviderError::Invalid(bad) => {
                assert_eq!(bad.len(), 1);
                assert_eq!(bad[0].day, day("2025-01-27"));
            }
            other => panic!("expected invalid data, got {other:?}"),
        }
    }
    assert_eq!(
        err.to_string(),
        "NVDA: yahoo: invalid data: 2025-01-27: low 125 is above min(open, close) 118.42; \
         stooq: invalid data: 2025-01-27: low 130 is above min(open, close) 118.42"
    );
}

#[tokio::test]
async fn future_days_are_invalid() {
    let server = MockServer::start().await;
    Mock::given(path(YAHOO_SPY))
        .respond_with(ResponseTemplate::new(200).set_body_string(SPY_CHART))
        .mount(&server)
        .await;
    let mut s = settings(&server, 1, 5);
    s.providers = vec![ProviderKind::Yahoo];
    let spy = Symbol::parse("SPY").unwrap();
    let err = MarketClient::new(&s)
        .unwrap()
        .fetch(
            &spy,
            day("2026-02-13"),
            day("2026-02-20"),
            day("2026-02-19"),
        )
        .await
        .unwrap_err();
    match &err.failures[0].1 {
        ProviderError::Invalid(bad) => assert_eq!(bad[0].day, day("2026-02-20")),
        other => panic!("expected invalid data, got {other:?}"),
    }
}

#[tokio::test]
async fn a_slow_server_times_out() {
    let server = MockServer::start().await;
    Mock::given(path(YAHOO_SPY))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(SPY_CHART)
                .set_delay(Duration::from_secs(4)),
        )
        .mount(&server)
        .await;
    let mut s = settings(&server, 2, 1);
    s.providers = vec![ProviderKind::Yahoo];
    let spy = Symbol::parse("SPY").unwrap();
    let started = Instant::now();
    let err = MarketClient::new(&s)
        .unwrap()
        .fetch(
            &spy,
            day("2026-02-13"),
            day("2026-02-20"),
            day("2026-02-20"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.failures,
        vec![(ProviderKind::Yahoo, ProviderError::Timeout { attempts: 2 })]
    );
    assert_eq!(err.to_string(), "SPY: yahoo: timed out after 2 attempts");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn unknown_symbol_is_not_found_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(path("/v8/finance/chart/NOPE"))
        .respond_with(ResponseTemplate::new(404).set_body_string(
            r#"{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}"#,
        ))
        .mount(&server)
        .await;
    Mock::given(path(STOOQ))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let nope = Symbol::parse("NOPE").unwrap();
    let err = client(&server, 4)
        .fetch(
            &nope,
            day("2025-01-24"),
            day("2025-01-27"),
            day("2025-01-31"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.failures[0].1,
        ProviderError::NotFound("No data found, symbol may be delisted".into())
    );
    assert_eq!(
        err.failures[1].1,
        ProviderError::Http {
            status: 404,
            attempts: 1
        }
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn an_empty_range_is_an_error_not_an_empty_success() {
    let server = MockServer::start().await;
    Mock::given(path(STOOQ))
        .respond_with(
            ResponseTemplate::new(200).set_body_string("Date,Open,High,Low,Close,Volume\r\n"),
        )
        .mount(&server)
        .await;
    let mut s = settings(&server, 1, 5);
    s.providers = vec![ProviderKind::Stooq];
    let nvda = Symbol::parse("NVDA").unwrap();
    let err = MarketClient::new(&s)
        .unwrap()
        .fetch(
            &nvda,
            day("2025-01-25"),
            day("2025-01-26"),
            day("2025-01-31"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.failures,
        vec![(ProviderKind::Stooq, ProviderError::Empty)]
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let server = MockServer::start().await;
    let huge = vec![b' '; jevons_market::MAX_BODY_BYTES + 1];
    Mock::given(path(YAHOO_SPY))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(huge))
        .mount(&server)
        .await;
    let mut s = settings(&server, 3, 10);
    s.providers = vec![ProviderKind::Yahoo];
    let spy = Symbol::parse("SPY").unwrap();
    let err = MarketClient::new(&s)
        .unwrap()
        .fetch(
            &spy,
            day("2026-02-13"),
            day("2026-02-20"),
            day("2026-02-20"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err.failures[0].1, ProviderError::TooLarge { .. }),
        "{err}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[test]
fn fetch_futures_can_be_spawned() {
    fn assert_send<T: Send>(_: &T) {}
    let s = MarketSettings {
        providers: vec![ProviderKind::Yahoo],
        yahoo_base_url: "http://127.0.0.1:9".into(),
        stooq_base_url: "http://127.0.0.1:9".into(),
        timeout_secs: 1,
        max_attempts: 1,
        backoff_base_ms: 1,
        backoff_max_ms: 1,
        history_start: day("2023-07-03"),
    };
    let client = MarketClient::new(&s).unwrap();
    let nvda = Symbol::parse("NVDA").unwrap();
    let fut = client.fetch(
        &nvda,
        day("2025-01-01"),
        day("2025-01-02"),
        day("2025-01-02"),
    );
    assert_send(&fut);
}

#[test]
fn no_providers_is_a_configuration_error() {
    let s = MarketSettings {
        providers: vec![],
        yahoo_base_url: "http://127.0.0.1:9".into(),
        stooq_base_url: "http://127.0.0.1:9".into(),
        timeout_secs: 1,
        max_attempts: 1,
        backoff_base_ms: 1,
        backoff_max_ms: 1,
        history_start: day("2023-07-03"),
    };
    assert!(MarketClient::new(&s).is_err());
}
