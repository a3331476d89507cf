//! Store tests against a real PostgreSQL: `DATABASE_URL` when set, else the embedded test cluster.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use jevons_core::config::DatabaseSettings;
use jevons_core::{DateRange, PriceBar, Role, Symbol, Ticker};
use jevons_store::embedded::EmbeddedPostgres;
use jevons_store::job_runs::{self, RunStatus};
use jevons_store::testing::fresh_database;
use jevons_store::{PgPool, prices, tickers};

fn sym(s: &str) -> Symbol {
    Symbol::parse(s).unwrap()
}

fn day(s: &str) -> NaiveDate {
    DateRange::parse_day(s).unwrap()
}

fn bar(d: &str, close: f64) -> PriceBar {
    PriceBar {
        day: day(d),
        open: close * 0.99,
        high: close * 1.02,
        low: close * 0.97,
        close,
        adj_close: close * 0.995,
        volume: (close * 1000.0) as i64,
    }
}

fn sample() -> Vec<(Symbol, Vec<PriceBar>)> {
    vec![
        (
            sym("NVDA"),
            vec![
                bar("2025-01-23", 147.22),
                bar("2025-01-24", 142.62),
                bar("2025-01-27", 118.42),
                bar("2025-01-28", 128.99),
            ],
        ),
        (
            sym("AMD"),
            vec![bar("2025-01-24", 121.46), bar("2025-01-27", 115.95)],
        ),
    ]
}

type FullRow = (
    String,
    NaiveDate,
    f64,
    f64,
    f64,
    f64,
    f64,
    i64,
    String,
    DateTime<Utc>,
    String,
);

/// Every column of every bar, plus `xmin` (changes whenever a row is rewritten).
async fn all_rows(pool: &PgPool) -> Vec<FullRow> {
    sqlx::query_as(
        "SELECT symbol, day, open, high, low, close, adj_close, volume, source, fetched_at, xmin::text
           FROM price_bars ORDER BY symbol, day",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn writing_the_same_bars_twice_changes_no_row() {
    let db = fresh_database().await;
    let first = prices::upsert_bars(&db.pool, "test", &sample())
        .await
        .unwrap();
    assert_eq!(
        first,
        prices::WriteStats {
            rows: 6,
            inserted: 6,
            updated: 0,
            unchanged: 0
        }
    );
    let before = all_rows(&db.pool).await;
    assert_eq!(before.len(), 6);
    assert_eq!(before[0].0, "AMD");
    assert_eq!(before[0].5, 121.46);
    assert_eq!(before[0].8, "test");

    let second = prices::upsert_bars(&db.pool, "test", &sample())
        .await
        .unwrap();
    assert_eq!(
        second,
        prices::WriteStats {
            rows: 6,
            inserted: 0,
            updated: 0,
            unchanged: 6
        }
    );
    assert_eq!(all_rows(&db.pool).await, before);

    // Same values from another source: still nothing to write.
    let third = prices::upsert_bars(&db.pool, "other", &sample())
        .await
        .unwrap();
    assert_eq!(third.unchanged, 6);
    assert_eq!(all_rows(&db.pool).await, before);
}

#[tokio::test]
async fn a_changed_bar_is_updated_and_a_new_day_inserted() {
    let db = fresh_database().await;
    prices::upsert_bars(&db.pool, "bundled", &sample())
        .await
        .unwrap();
    let before = all_rows(&db.pool).await;

    let mut changed = sample();
    changed[0].1[2].close = 118.43; // NVDA 2025-01-27
    changed[0].1.push(bar("2025-01-29", 123.70)); // a new day of a stored symbol
    let stats = prices::upsert_bars(&db.pool, "yahoo", &changed)
        .await
        .unwrap();
    assert_eq!(
        stats,
        prices::WriteStats {
            rows: 7,
            inserted: 1,
            updated: 1,
            unchanged: 5
        }
    );
    let after = all_rows(&db.pool).await;
    assert_eq!(after.len(), 7);
    let nvda_27 = after
        .iter()
        .find(|r| r.0 == "NVDA" && r.1 == day("2025-01-27"))
        .unwrap();
    let old_27 = before
        .iter()
        .find(|r| r.0 == "NVDA" && r.1 == day("2025-01-27"))
        .unwrap();
    assert_eq!(nvda_27.5, 118.43);
    assert_eq!(nvda_27.8, "yahoo");
    assert!(nvda_27.9 > old_27.9, "fetched_at moves on update");
    let untouched = after
        .iter()
        .find(|r| r.0 == "NVDA" && r.1 == day("2025-01-24"))
        .unwrap();
    assert!(before.contains(untouched));
    assert_eq!(
        prices::last_day(&db.pool, &sym("NVDA")).await.unwrap(),
        Some(day("2025-01-29"))
    );
}

#[tokio::test]
async fn fresh_and_stored_symbols_in_one_write_and_duplicates_in_the_input() {
    let db = fresh_database().await;
    prices::upsert_bars(&db.pool, "a", &sample()[..1])
        .await
        .unwrap();
    // AMD is new (copied directly), NVDA is stored (upserted); NVDA 01-27 twice: the last wins.
    let mut input = sample();
    input[0].1.push(bar("2025-01-27", 120.0));
    let stats = prices::upsert_bars(&db.pool, "b", &input).await.unwrap();
    assert_eq!(
        stats,
        prices::WriteStats {
            rows: 6,
            inserted: 2,
            updated: 1,
            unchanged: 3
        }
    );
    let nvda = prices::bars(
        &db.pool,
        &sym("NVDA"),
        DateRange::parse(None, None).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(nvda.len(), 4);
    assert_eq!(nvda[2].close, 120.0);
    assert_eq!(prices::count(&db.pool).await.unwrap(), 6);
}

#[tokio::test]
async fn unknown_symbols_become_tickers_and_ranges_filter() {
    let db = fresh_database().await;
    assert!(prices::is_empty(&db.pool).await.unwrap());
    assert_eq!(
        prices::last_day(&db.pool, &sym("NVDA")).await.unwrap(),
        None
    );
    prices::upsert_bars(&db.pool, "test", &sample())
        .await
        .unwrap();
    assert!(!prices::is_empty(&db.pool).await.unwrap());

    let t = tickers::get(&db.pool, &sym("NVDA")).await.unwrap().unwrap();
    assert_eq!(t.name, "NVDA");
    assert_eq!(t.role, Role::Other);
    assert!(!t.on_watchlist);
    assert_eq!(t.bars, 4);
    assert_eq!(t.first_day, Some(day("2025-01-23")));
    assert_eq!(t.last_day, Some(day("2025-01-28")));
    assert_eq!(t.last_close, Some(128.99));
    assert!(tickers::get(&db.pool, &sym("TSM")).await.unwrap().is_none());

    let range = DateRange::parse(Some("2025-01-24"), Some("2025-01-27")).unwrap();
    let got = prices::bars(&db.pool, &sym("NVDA"), range).await.unwrap();
    let days: Vec<NaiveDate> = got.iter().map(|b| b.day).collect();
    assert_eq!(days, vec![day("2025-01-24"), day("2025-01-27")]);
    assert_eq!(got[1], sample()[0].1[2], "bars round-trip exactly");
    let none = DateRange::parse(Some("2024-01-01"), Some("2024-12-31")).unwrap();
    assert!(
        prices::bars(&db.pool, &sym("NVDA"), none)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_watchlist_keeps_its_order() {
    let db = fresh_database().await;
    prices::upsert_bars(
        &db.pool,
        "test",
        &[(sym("ZZZ"), vec![bar("2025-01-27", 5.0)])],
    )
    .await
    .unwrap();
    let t = |s: &str, n: &str, r: Role| Ticker {
        symbol: sym(s),
        name: n.into(),
        role: r,
    };
    tickers::sync_watchlist(
        &db.pool,
        &[
            t("SPY", "SPDR S&P 500 ETF", Role::Benchmark),
            t("NVDA", "NVIDIA", Role::Vendor),
            t("AMD", "Advanced Micro Devices", Role::Vendor),
        ],
    )
    .await
    .unwrap();
    let listed: Vec<String> = tickers::list(&db.pool)
        .await
        .unwrap()
        .iter()
        .map(|t| t.symbol.to_string())
        .collect();
    assert_eq!(listed, ["SPY", "NVDA", "AMD", "ZZZ"]);

    tickers::sync_watchlist(
        &db.pool,
        &[
            t("AMD", "AMD Inc.", Role::Vendor),
            t("NVDA", "NVIDIA", Role::Vendor),
        ],
    )
    .await
    .unwrap();
    let all = tickers::list(&db.pool).await.unwrap();
    let listed: Vec<(&str, bool)> = all
        .iter()
        .map(|t| (t.symbol.as_str(), t.on_watchlist))
        .collect();
    assert_eq!(
        listed,
        [
            ("AMD", true),
            ("NVDA", true),
            ("SPY", false),
            ("ZZZ", false)
        ]
    );
    assert_eq!(all[0].name, "AMD Inc.");
    assert_eq!(all[2].role, Role::Benchmark);
    assert_eq!(all[2].bars, 0);
    assert_eq!(all[2].last_close, None);
}

#[tokio::test]
async fn job_runs_are_recorded() {
    let db = fresh_database().await;
    let at = Utc.with_ymd_and_hms(2025, 1, 27, 22, 30, 0).unwrap();
    assert!(
        !job_runs::has_run_for(&db.pool, "prices_daily", at)
            .await
            .unwrap()
    );
    let a = job_runs::start(&db.pool, "prices_daily", at).await.unwrap();
    assert!(
        job_runs::has_run_for(&db.pool, "prices_daily", at)
            .await
            .unwrap()
    );
    job_runs::finish(&db.pool, a, RunStatus::Failed, 0, Some("timeout"))
        .await
        .unwrap();
    assert!(
        !job_runs::has_run_for(&db.pool, "prices_daily", at)
            .await
            .unwrap()
    );
    let b = job_runs::start(&db.pool, "prices_daily", at).await.unwrap();
    job_runs::finish(&db.pool, b, RunStatus::Succeeded, 13, None)
        .await
        .unwrap();
    assert!(
        job_runs::has_run_for(&db.pool, "prices_daily", at)
            .await
            .unwrap()
    );
    let c = job_runs::start(&db.pool, "news", at).await.unwrap();

    let runs = job_runs::recent(&db.pool, Some("prices_daily"), 10)
        .await
        .unwrap();
    assert_eq!(runs.iter().map(|r| r.id).collect::<Vec<_>>(), vec![b, a]);
    assert_eq!(runs[0].status, RunStatus::Succeeded);
    assert_eq!(runs[0].rows_written, 13);
    assert!(runs[0].finished_at.is_some());
    assert_eq!(runs[1].error.as_deref(), Some("timeout"));
    assert_eq!(runs[1].scheduled_for, at);
    let all = job_runs::recent(&db.pool, None, 2).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].id, c);
    assert_eq!(all[0].status, RunStatus::Running);
    assert!(
        job_runs::finish(&db.pool, 999_999, RunStatus::Failed, 0, None)
            .await
            .is_err()
    );
    assert_eq!("skipped".parse::<RunStatus>(), Ok(RunStatus::Skipped));
    assert!("done".parse::<RunStatus>().is_err());
}

#[tokio::test]
async fn a_job_lock_is_held_by_one_pool_at_a_time() {
    let db = fresh_database().await;
    let other = jevons_store::connect_url(&db.url, 2).await.unwrap();
    let lock = job_runs::try_lock(&db.pool, "prices_daily")
        .await
        .unwrap()
        .unwrap();
    assert!(
        job_runs::try_lock(&other, "prices_daily")
            .await
            .unwrap()
            .is_none()
    );
    // A different job is independent.
    let news = job_runs::try_lock(&other, "news").await.unwrap().unwrap();
    lock.release().await.unwrap();
    let taken = job_runs::try_lock(&other, "prices_daily")
        .await
        .unwrap()
        .unwrap();
    assert!(
        job_runs::try_lock(&db.pool, "prices_daily")
            .await
            .unwrap()
            .is_none()
    );

    // Dropped without release: its connection is closed, so the lock does not leak.
    drop(taken);
    let mut again = None;
    for _ in 0..50 {
        again = job_runs::try_lock(&db.pool, "prices_daily").await.unwrap();
        if again.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(again.is_some(), "the dropped lock was never freed");
    news.release().await.unwrap();
}

#[tokio::test]
async fn connect_with_a_url_creates_nothing() {
    let db = fresh_database().await;
    let settings = DatabaseSettings {
        url: Some(db.url.clone().into()),
        data_dir: "/nonexistent/should-not-be-created".into(),
        database_name: "ignored".into(),
        max_connections: 2,
        acquire_timeout_secs: 5,
        bundled_prices: "data/prices".into(),
        seed_on_empty: false,
    };
    let conn = jevons_store::connect(&settings).await.unwrap();
    assert!(conn.embedded.is_none());
    jevons_store::migrate(&conn.pool).await.unwrap(); // already migrated: a no-op
    assert_eq!(prices::count(&conn.pool).await.unwrap(), 0);
    assert!(!std::path::Path::new("/nonexistent").exists());
}

/// The launcher end to end: initdb + start in a new directory, stop, start again on the same
/// directory without initdb. As root this runs the server as the `postgres` user.
#[tokio::test]
async fn the_embedded_cluster_starts_stops_and_restarts() {
    let dir = std::env::temp_dir().join(format!("jevons-embedded-{:016x}", rand_u64()));
    let settings = DatabaseSettings {
        url: None,
        data_dir: dir.join("pg"),
        database_name: "jevons_embedded".into(),
        max_connections: 2,
        acquire_timeout_secs: 5,
        bundled_prices: "data/prices".into(),
        seed_on_empty: false,
    };
    let mut db = jevons_store::connect(&settings).await.unwrap();
    let pg = db.embedded.as_ref().unwrap();
    assert!(pg.initialized_now());
    let printed = format!("{pg:?}");
    let url = pg.url("x");
    let password = url.split(':').nth(2).unwrap().split('@').next().unwrap();
    assert!(password.len() >= 32);
    assert!(!printed.contains(password), "{printed}");
    let one: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(one, 1);
    let name: String = sqlx::query_scalar("SELECT current_database()::text")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(name, "jevons_embedded");
    jevons_store::migrate(&db.pool).await.unwrap();
    db.pool.close().await;
    let mut pg = db.embedded.take().unwrap();
    pg.stop().unwrap();
    pg.stop().unwrap(); // idempotent

    let mut pg = EmbeddedPostgres::start(&dir.join("pg")).await.unwrap();
    assert!(
        !pg.initialized_now(),
        "the second start must reuse the cluster"
    );
    let pool = jevons_store::connect_url(&pg.url("jevons_embedded"), 1)
        .await
        .unwrap();
    assert_eq!(
        prices::count(&pool).await.unwrap(),
        0,
        "migrated schema survived the restart"
    );
    pool.close().await;
    pg.stop().unwrap();
    drop(pg);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::process::id())
}
