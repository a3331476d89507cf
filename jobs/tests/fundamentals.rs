//! `fundamentals.fetch`, `backfill fundamentals` and `import fundamentals` against a real
//! database and a fake SEC EDGAR on 127.0.0.1 serving companyfacts in the real format.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use jevons_core::fundamentals::{Metric, Provenance};
use jevons_core::{Settings, Symbol};
use jevons_jobs::fundamentals::{self, CompanyOutcome, FundamentalsError};
use jevons_jobs::{Job, JobContext, run_job};
use jevons_store::fundamentals as store;
use jevons_store::job_runs::RunStatus;
use jevons_store::testing::{TestDatabase, fresh_database};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const AGENT: &str = "jevons-tests ops@example.com";
const MSFT_PATH: &str = "/api/xbrl/companyfacts/CIK0000789019.json";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixture() -> Vec<u8> {
    std::fs::read(
        root().join("services/fundamentals/tests/fixtures/companyfacts_CIK0000789019.json"),
    )
    .unwrap()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn settings(db: &TestDatabase, base_url: &str, user_agent: &str) -> Settings {
    let env = [
        ("DATABASE_URL", db.url.clone()),
        ("JEVONS__JOBS__ENABLED", "false".to_string()),
        ("JEVONS__FUNDAMENTALS__BASE_URL", base_url.to_string()),
        ("JEVONS__FUNDAMENTALS__USER_AGENT", user_agent.to_string()),
        ("JEVONS__FUNDAMENTALS__BUYERS", "MSFT".to_string()),
        ("JEVONS__FUNDAMENTALS__MAX_ATTEMPTS", "2".to_string()),
        ("JEVONS__FUNDAMENTALS__BACKOFF_BASE_MS", "10".to_string()),
        (
            "JEVONS__FUNDAMENTALS__BUNDLED_FILE",
            root()
                .join("data/fundamentals/quarterly_press_releases.csv")
                .display()
                .to_string(),
        ),
    ];
    Settings::load_with(
        &root().join("config"),
        env.into_iter().map(|(k, v)| (k.to_string(), v)),
    )
    .unwrap()
}

/// SEC's behaviour for Microsoft's CIK: 403 unless the User-Agent is the configured contact.
async fn fake_sec(body: Vec<u8>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(MSFT_PATH))
        .and(header("user-agent", AGENT))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403))
        .with_priority(10)
        .mount(&server)
        .await;
    server
}

fn msft() -> Vec<Symbol> {
    vec![Symbol::parse("MSFT").unwrap()]
}

#[tokio::test]
async fn fetch_stores_quarters_keeps_amendments_and_replaces_press_releases() {
    let db = fresh_database().await;
    let server = fake_sec(fixture()).await;
    let s = settings(&db, &server.uri(), AGENT);
    let pool = &db.pool;

    // The bundled press-release figures first, as on a first start.
    let loaded = fundamentals::load_bundled(pool, &s).await.unwrap();
    assert_eq!(loaded, 94);
    assert_eq!(fundamentals::load_bundled(pool, &s).await.unwrap(), 0);

    let report = fundamentals::fetch(pool, &s, Some(&msft())).await.unwrap();
    assert!(report.failed().is_empty(), "{:?}", report.failed());
    // 6 capex versions (two for Q4) and 7 revenue quarters.
    assert_eq!(report.rows_written(), 13);
    // The same documents again: nothing changes.
    let again = fundamentals::fetch(pool, &s, Some(&msft())).await.unwrap();
    assert_eq!(again.rows_written(), 0);
    match &again.companies[0].1 {
        CompanyOutcome::Stored { stats, .. } => assert_eq!(stats.unchanged, 13),
        other => panic!("{other:?}"),
    }

    let msft = Symbol::parse("MSFT").unwrap();
    let capex = store::current_series(
        pool,
        &msft,
        &Metric::capex(),
        Some(d("2023-07-01")),
        Some(d("2024-12-31")),
    )
    .await
    .unwrap();
    let got: Vec<(String, i64, Provenance)> = capex
        .iter()
        .map(|f| {
            (
                f.fact.fiscal_period.to_string(),
                (f.fact.value / 1e6).round() as i64,
                f.fact.provenance,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("FY2024Q1".into(), 9_917, Provenance::Filed),
            ("FY2024Q2".into(), 9_735, Provenance::Filed),
            ("FY2024Q3".into(), 10_952, Provenance::Filed),
            // The 10-K/A wins over the 10-K.
            ("FY2024Q4".into(), 13_973, Provenance::Filed),
            ("FY2025Q1".into(), 14_923, Provenance::Filed),
            // Not filed in the fixture: the press-release value stays.
            ("FY2025Q2".into(), 15_804, Provenance::PressRelease),
        ]
    );
    assert_eq!(capex[3].fact.form, "10-K/A");
    // Both Q4 filings and the press-release value are kept.
    let history = store::history(pool, &msft, &Metric::capex()).await.unwrap();
    let q4: Vec<(Provenance, String)> = history
        .iter()
        .filter(|f| f.fact.period_end == d("2024-06-30"))
        .map(|f| (f.fact.provenance, f.fact.form.clone()))
        .collect();
    assert_eq!(
        q4,
        vec![
            (Provenance::Filed, "10-K".into()),
            (Provenance::Filed, "10-K/A".into()),
            (Provenance::PressRelease, "press-release".into()),
        ]
    );
    // Only the amended Q4 differs from the press release beyond rounding (13,973 vs 13,870 $M).
    let diffs = store::discrepancies(pool, None).await.unwrap();
    assert_eq!(diffs.len(), 1, "{diffs:?}");
    assert_eq!(
        (diffs[0].symbol.as_str(), diffs[0].fiscal_period.as_str()),
        ("MSFT", "FY2024Q4")
    );
    assert_eq!(diffs[0].difference, 103e6);
}

#[tokio::test]
async fn the_job_refuses_to_start_without_a_contact_user_agent() {
    let db = fresh_database().await;
    let server = fake_sec(fixture()).await;
    let s = settings(&db, &server.uri(), "");
    let err = fundamentals::fetch(&db.pool, &s, Some(&msft()))
        .await
        .unwrap_err();
    assert!(matches!(err, FundamentalsError::Edgar(_)), "{err}");
    assert!(err.to_string().contains("user_agent"), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());

    // Run as the scheduled job: recorded as failed with the reason, nothing written.
    let ctx = JobContext::new(db.pool.clone(), Arc::new(s)).unwrap();
    let report = run_job(&ctx, Job::FundamentalsFetch, Utc::now())
        .await
        .unwrap();
    assert_eq!(report.status, RunStatus::Failed);
    assert!(report.error.unwrap().contains("e-mail"));
    assert!(store::is_empty(&db.pool).await.unwrap());
}

#[tokio::test]
async fn a_forbidden_or_malformed_answer_writes_nothing() {
    let db = fresh_database().await;
    // SEC's 403 for a User-Agent it does not accept.
    let server = fake_sec(fixture()).await;
    let s = settings(&db, &server.uri(), "someone-else other@example.org");
    let report = fundamentals::fetch(&db.pool, &s, Some(&msft()))
        .await
        .unwrap();
    let failed = report.failed();
    assert_eq!(failed.len(), 1);
    assert!(failed[0].contains("403"), "{failed:?}");
    // A truncated body.
    let body = fixture();
    let server = fake_sec(body[..body.len() - 40].to_vec()).await;
    let s = settings(&db, &server.uri(), AGENT);
    let report = fundamentals::fetch(&db.pool, &s, Some(&msft()))
        .await
        .unwrap();
    assert!(
        report.failed()[0].contains("not a companyfacts document"),
        "{:?}",
        report.failed()
    );
    assert_eq!(report.rows_written(), 0);
    assert!(store::is_empty(&db.pool).await.unwrap());
    // Companies without a CIK (foreign filers) are skipped, not failed.
    let report = fundamentals::fetch(&db.pool, &s, Some(&[Symbol::parse("TSM").unwrap()]))
        .await
        .unwrap();
    assert!(matches!(report.companies[0].1, CompanyOutcome::NoCik));
    assert!(report.failed().is_empty());
}

#[tokio::test]
async fn a_429_is_retried_after_retry_after_and_the_job_succeeds() {
    let db = fresh_database().await;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(MSFT_PATH))
        .and(header("user-agent", AGENT))
        .respond_with(ResponseTemplate::new(200).set_body_raw(fixture(), "application/json"))
        .with_priority(2)
        .mount(&server)
        .await;
    let mut s = settings(&db, &server.uri(), AGENT);
    // Without Retry-After the wait would be 30 s.
    s.fundamentals.backoff_base_ms = 30_000;
    // Only Microsoft: the watchlist vendors are not on this fake.
    s.watchlist.retain(|t| t.role != jevons_core::Role::Vendor);
    let ctx = JobContext::new(db.pool.clone(), Arc::new(s)).unwrap();
    let started = Instant::now();
    let report = run_job(&ctx, Job::FundamentalsFetch, Utc::now())
        .await
        .unwrap();
    assert_eq!(report.status, RunStatus::Succeeded, "{:?}", report.error);
    assert_eq!(report.rows_written, 13);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(950) && waited < Duration::from_secs(10),
        "{waited:?}"
    );
}

#[tokio::test]
async fn importing_a_file_twice_changes_nothing_and_a_bad_row_writes_nothing() {
    let db = fresh_database().await;
    let pool = &db.pool;
    let file = root().join("data/fundamentals/quarterly_press_releases.csv");
    let first = fundamentals::import_file(pool, &file).await.unwrap();
    assert_eq!((first.stats.inserted, first.skipped.len()), (94, 8));
    let before = store::history(pool, &Symbol::parse("NVDA").unwrap(), &Metric::revenue())
        .await
        .unwrap();
    let second = fundamentals::import_file(pool, &file).await.unwrap();
    assert_eq!((second.stats.unchanged, second.stats.written()), (94, 0));
    let after = store::history(pool, &Symbol::parse("NVDA").unwrap(), &Metric::revenue())
        .await
        .unwrap();
    assert_eq!(before, after);
    assert_eq!(store::count(pool).await.unwrap(), 94);

    // A file with one bad row among good ones: rejected whole, naming the line.
    let db2 = fresh_database().await;
    let dir = std::env::temp_dir().join(format!("jevons-fund-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "symbol,metric,fiscal_period,period_end,value_musd,released_on,source_url,source_note\n\
         NVDA,revenue,FY2025Q1,2024-04-28,26044,2024-05-22,https://example.com/q1,ok\n\
         NVDA,revenue,FY2025Q2,2024-07-28,30 billion,,https://example.com/q2,bad\n",
    )
    .unwrap();
    let err = fundamentals::import_file(&db2.pool, &bad)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("line 3") && err.contains("value_musd"),
        "{err}"
    );
    assert!(err.contains("nothing imported"), "{err}");
    assert!(store::is_empty(&db2.pool).await.unwrap());
    std::fs::remove_dir_all(&dir).ok();
}
