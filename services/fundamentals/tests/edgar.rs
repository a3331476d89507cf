//! The EDGAR provider against a fake SEC on 127.0.0.1 serving companyfacts in the real format.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use jevons_core::Symbol;
use jevons_core::config::FundamentalsSettings;
use jevons_core::fundamentals::{Derivation, QuarterlyFact};
use jevons_fundamentals::{EdgarClient, EdgarError, companyfacts};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const AGENT: &str = "jevons-tests ops@example.com";
const MSFT_PATH: &str = "/api/xbrl/companyfacts/CIK0000789019.json";

fn fixture() -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/companyfacts_CIK0000789019.json"),
    )
    .unwrap()
}

fn settings(base_url: &str, user_agent: &str) -> FundamentalsSettings {
    FundamentalsSettings {
        user_agent: user_agent.into(),
        base_url: base_url.into(),
        fetch_schedule: "0 0 5 * * Tue".into(),
        buyers: vec![],
        ciks: BTreeMap::new(),
        bundled_file: PathBuf::from("unused.csv"),
        max_requests_per_second: 10,
        timeout_secs: 5,
        max_attempts: 3,
        // Far longer than the test allows: only Retry-After can make the retry quick.
        backoff_base_ms: 30_000,
        backoff_max_ms: 60_000,
    }
}

/// SEC's behaviour: 403 unless the User-Agent is the configured contact.
async fn fake_sec() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(MSFT_PATH))
        .and(header("user-agent", AGENT))
        .respond_with(ResponseTemplate::new(200).set_body_raw(fixture(), "application/json"))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403).set_body_string(
            "<html><h1>Your Request Originates from an Undeclared Automated Tool</h1></html>",
        ))
        .with_priority(10)
        .mount(&server)
        .await;
    server
}

fn table(facts: &[QuarterlyFact], metric: &str) -> Vec<(String, String, i64, String, Derivation)> {
    facts
        .iter()
        .filter(|f| f.metric.as_str() == metric)
        .map(|f| {
            (
                f.fiscal_period.to_string(),
                f.period_end.to_string(),
                (f.value / 1e6).round() as i64,
                f.form.clone(),
                f.derivation,
            )
        })
        .collect()
}

#[test]
fn the_fixture_gives_microsofts_quarters() {
    let facts = companyfacts::parse(&fixture()).unwrap();
    assert_eq!(facts.entity_name, "MICROSOFT CORPORATION");
    let msft = Symbol::parse("MSFT").unwrap();
    let q = companyfacts::company_quarterly(&facts, &msft);
    use Derivation::*;
    let s =
        |a: &str, b: &str, v: i64, f: &str, d| (a.to_string(), b.to_string(), v, f.to_string(), d);
    assert_eq!(
        table(&q, "capex"),
        vec![
            s("FY2024Q1", "2023-09-30", 9_917, "10-Q", Reported),
            s("FY2024Q2", "2023-12-31", 9_735, "10-Q", YtdDifference),
            s("FY2024Q3", "2024-03-31", 10_952, "10-Q", YtdDifference),
            s(
                "FY2024Q4",
                "2024-06-30",
                13_873,
                "10-K",
                AnnualMinusNineMonths
            ),
            // The amendment supersedes; both are kept.
            s(
                "FY2024Q4",
                "2024-06-30",
                13_973,
                "10-K/A",
                AnnualMinusNineMonths
            ),
            s("FY2025Q1", "2024-09-30", 14_923, "10-Q", Reported),
        ]
    );
    assert_eq!(
        table(&q, "revenue"),
        vec![
            // Prior-year comparatives keep their own fiscal year.
            s("FY2023Q1", "2022-09-30", 50_122, "10-Q", Reported),
            s("FY2023Q2", "2022-12-31", 52_747, "10-Q", Reported),
            s("FY2024Q1", "2023-09-30", 56_517, "10-Q", Reported),
            s("FY2024Q2", "2023-12-31", 62_020, "10-Q", Reported),
            s("FY2024Q3", "2024-03-31", 61_858, "10-Q", Reported),
            s(
                "FY2024Q4",
                "2024-06-30",
                64_727,
                "10-K",
                AnnualMinusNineMonths
            ),
            s("FY2025Q1", "2024-09-30", 65_585, "10-Q", Reported),
        ]
    );
    let q2 = q
        .iter()
        .find(|f| f.metric.as_str() == "capex" && f.fiscal_period.to_string() == "FY2024Q2")
        .unwrap();
    assert_eq!(q2.period_start.to_string(), "2023-10-01");
    assert_eq!(q2.accession.as_deref(), Some("0000950170-24-008814"));
    assert_eq!(
        q2.xbrl_tag.as_deref(),
        Some("PaymentsToAcquirePropertyPlantAndEquipment")
    );
}

#[tokio::test]
async fn the_fake_refuses_a_request_without_a_user_agent() {
    let server = fake_sec().await;
    // reqwest sends no User-Agent unless told to.
    let status = reqwest::Client::new()
        .get(format!("{}{MSFT_PATH}", server.uri()))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 403);
}

#[tokio::test]
async fn the_client_sends_the_user_agent_and_parses() {
    let server = fake_sec().await;
    let client = EdgarClient::new(&settings(&server.uri(), AGENT)).unwrap();
    assert_eq!(
        client.companyfacts_url(789019),
        format!("{}{MSFT_PATH}", server.uri())
    );
    let facts = client.company_facts(789019).await.unwrap();
    assert_eq!(facts.cik, 789019);
}

#[tokio::test]
async fn no_contact_address_no_request() {
    let server = fake_sec().await;
    for agent in ["", "jevons/0.1"] {
        let err = EdgarClient::new(&settings(&server.uri(), agent)).unwrap_err();
        assert!(matches!(err, EdgarError::UserAgent(_)), "{err}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_403_is_a_clear_error_and_not_retried() {
    let server = fake_sec().await;
    let client =
        EdgarClient::new(&settings(&server.uri(), "someone-else other@example.org")).unwrap();
    let err = client.company_facts(789019).await.unwrap_err();
    assert!(matches!(err, EdgarError::Forbidden { .. }), "{err}");
    assert!(err.to_string().contains("User-Agent"), "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_429_with_retry_after_is_retried_after_the_wait() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("user-agent", AGENT))
        .respond_with(ResponseTemplate::new(200).set_body_raw(fixture(), "application/json"))
        .with_priority(2)
        .mount(&server)
        .await;
    let client = EdgarClient::new(&settings(&server.uri(), AGENT)).unwrap();
    let started = Instant::now();
    let facts = client.company_facts(789019).await.unwrap();
    let waited = started.elapsed();
    assert_eq!(facts.cik, 789019);
    assert!(waited >= Duration::from_millis(950), "{waited:?}");
    assert!(
        waited < Duration::from_secs(10),
        "Retry-After was not used: {waited:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "0"))
        .mount(&server)
        .await;
    let client = EdgarClient::new(&settings(&server.uri(), AGENT)).unwrap();
    let err = client.company_facts(789019).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{}{MSFT_PATH}: HTTP 503 after 3 attempts", server.uri())
    );
}

#[tokio::test]
async fn a_malformed_body_is_a_clear_error() {
    let server = MockServer::start().await;
    let body = fixture();
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(body[..body.len() / 2].to_vec(), "application/json"),
        )
        .mount(&server)
        .await;
    let client = EdgarClient::new(&settings(&server.uri(), AGENT)).unwrap();
    let err = client.company_facts(789019).await.unwrap_err();
    assert!(matches!(err, EdgarError::Malformed { .. }), "{err}");
    assert!(
        err.to_string().contains("not a companyfacts document"),
        "{err}"
    );
    // A well-formed document of another company is refused too.
    let other = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(fixture(), "application/json"))
        .mount(&other)
        .await;
    let client = EdgarClient::new(&settings(&other.uri(), AGENT)).unwrap();
    let err = client.company_facts(1045810).await.unwrap_err();
    assert!(err.to_string().contains("not 1045810"), "{err}");
}

#[tokio::test]
async fn requests_are_spaced_to_the_rate_limit() {
    let server = fake_sec().await;
    let mut s = settings(&server.uri(), AGENT);
    s.max_requests_per_second = 50; // capped to SEC's 10
    let client = EdgarClient::new(&s).unwrap();
    let started = Instant::now();
    for _ in 0..4 {
        client.company_facts(789019).await.unwrap();
    }
    // Four requests at 10/s with a burst of one: at least three gaps of 100 ms.
    assert!(
        started.elapsed() >= Duration::from_millis(290),
        "{:?}",
        started.elapsed()
    );
}
