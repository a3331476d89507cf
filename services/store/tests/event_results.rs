//! Stored event-study results against a real database: upserts, stale rows, the digest's query.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use jevons_store::digest::abnormal_returns;
use jevons_store::event_results::{self, GroupResult, StockResult, StudyResults};
use jevons_store::events::{self, EventKind, NewEvent};
use jevons_store::testing::fresh_database;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn stock(symbol: &str, window: (i32, i32), car: f64, t: f64, p: f64) -> StockResult {
    StockResult {
        symbol: symbol.into(),
        window_start: window.0,
        window_end: window.1,
        car,
        se: Some(car / t),
        t: Some(t),
        p_value: Some(p),
        bhar: Some(car * 0.95),
        ar_day0: Some(car),
        alpha: 0.001,
        beta: 1.8,
        sigma: 0.03,
        estimation_days: 240,
    }
}

fn group(window: (i32, i32), n: i32, mean_car: f64) -> GroupResult {
    GroupResult {
        window_start: window.0,
        window_end: window.1,
        n,
        mean_car,
        cross_sectional_t: Some(-4.0),
        cross_sectional_p: Some(0.002),
        patell_z: Some(-9.0),
        patell_p: Some(0.0),
        bmp_t: Some(-3.5),
        bmp_p: Some(0.004),
        corrado_z: None,
        corrado_p: None,
    }
}

async fn event(pool: &jevons_store::PgPool, day: &str, title: &str) -> i64 {
    let (e, _) = events::upsert(pool, NewEvent::on(d(day), EventKind::News, title), "cli")
        .await
        .unwrap();
    e.id
}

#[tokio::test]
async fn replacing_a_study_upserts_drops_stale_rows_and_feeds_the_digest() {
    let db = fresh_database().await;
    let pool = &db.pool;
    let sell_off = event(pool, "2025-01-27", "DeepSeek sell-off").await;
    let later = event(pool, "2025-03-03", "Something later").await;
    let study = StudyResults {
        event_id: sell_off,
        benchmark: "SPY".into(),
        model: "market".into(),
        day0: d("2025-01-27"),
        last_session: d("2025-02-03"),
        stocks: vec![
            stock("NVDA", (0, 0), -0.17, -7.5, 1e-9),
            stock("NVDA", (-1, 1), -0.16, -4.0, 0.0001),
            stock("AMD", (0, 0), -0.03, -1.2, 0.23),
            stock("AVGO", (0, 0), -0.12, -4.4, 0.00002),
        ],
        group: vec![group((0, 0), 3, -0.107), group((-1, 1), 3, -0.09)],
    };
    let first = event_results::replace(pool, &study).await.unwrap();
    assert_eq!(first.written, 6);
    assert_eq!(event_results::counts(pool).await.unwrap(), (4, 2));
    // The same study again: nothing changes.
    let again = event_results::replace(pool, &study).await.unwrap();
    assert_eq!(again, Default::default());
    assert_eq!(event_results::counts(pool).await.unwrap(), (4, 2));

    // A study of fewer stocks and windows (AVGO left the watchlist, one window less) and one
    // corrected CAR: one row changes, the stale ones go.
    let mut smaller = study.clone();
    smaller.stocks.retain(|s| s.symbol != "AVGO");
    smaller.stocks[0].car = -0.1697;
    smaller.group.truncate(1);
    let c = event_results::replace(pool, &smaller).await.unwrap();
    assert_eq!((c.written, c.deleted), (1, 2), "{c:?}");
    let stored = event_results::for_event(pool, sell_off).await.unwrap();
    assert_eq!(stored.len(), 3);
    assert!(
        stored
            .iter()
            .all(|r| r.benchmark == "SPY" && r.model == "market")
    );
    let nvda0 = stored
        .iter()
        .find(|r| r.result.symbol == "NVDA" && r.result.window_end == 0)
        .unwrap();
    assert_eq!(nvda0.result, smaller.stocks[0]);
    assert_eq!(nvda0.last_session, d("2025-02-03"));
    let groups = event_results::group_for_event(pool, sell_off)
        .await
        .unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].2, smaller.group[0]);
    event_results::replace(pool, &study).await.unwrap();

    // Not finite where it must be: refused, nothing written.
    let mut bad = study.clone();
    bad.stocks[0].car = f64::NAN;
    assert!(event_results::replace(pool, &bad).await.is_err());
    let mut bad = study.clone();
    bad.model = "magic".into();
    assert!(event_results::replace(pool, &bad).await.is_err());

    // The digest: significant results only, one window per event and stock (the largest |t|),
    // the largest CAR first, filtered by ticker.
    let rows = abnormal_returns(pool, &[], d("2025-01-26"), d("2025-01-27"), 0.05, 10)
        .await
        .unwrap();
    let got: Vec<(&str, i32, i32)> = rows
        .iter()
        .map(|r| (r.symbol.as_str(), r.window_start, r.window_end))
        .collect();
    assert_eq!(got, vec![("NVDA", 0, 0), ("AVGO", 0, 0)]);
    assert_eq!(rows[0].event, "DeepSeek sell-off");
    assert_eq!(rows[0].event_id, sell_off);
    assert!((rows[0].car_pct + 17.0).abs() < 1e-9);
    assert_eq!(rows[0].t, -7.5);
    assert_eq!(rows[0].benchmark, "SPY");
    let only_avgo = abnormal_returns(
        pool,
        &["AVGO".to_string(), "AMD".to_string()],
        d("2025-01-20"),
        d("2025-01-31"),
        0.05,
        10,
    )
    .await
    .unwrap();
    assert_eq!(only_avgo.len(), 1);
    assert_eq!(only_avgo[0].symbol, "AVGO");
    // A period in which the study completed (its last session), not the event itself.
    let completed = abnormal_returns(pool, &[], d("2025-02-02"), d("2025-02-09"), 0.05, 10)
        .await
        .unwrap();
    assert_eq!(completed.len(), 2);
    // Neither the event nor its completion: nothing.
    let none = abnormal_returns(pool, &[], d("2025-02-04"), d("2025-03-10"), 0.05, 10)
        .await
        .unwrap();
    assert!(none.is_empty(), "{none:?}");

    // Deleting an event deletes its results.
    sqlx::query("DELETE FROM events WHERE id = $1")
        .bind(sell_off)
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(event_results::counts(pool).await.unwrap(), (0, 0));
    assert!(
        event_results::for_event(pool, later)
            .await
            .unwrap()
            .is_empty()
    );
}
