//! The events table against a real database.
#![allow(clippy::unwrap_used)]

use chrono::{NaiveDate, NaiveTime};
use jevons_store::events::{self, EventFilter, EventKind, NewEvent};
use jevons_store::testing::fresh_database;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[tokio::test]
async fn seed_upsert_filter_and_candidates() {
    let db = fresh_database().await;
    let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/events.csv");
    let n = events::seed_if_empty(&db.pool, &seed).await.unwrap();
    assert!(n >= 3);
    // Seeding again does nothing: the table is not empty.
    assert_eq!(events::seed_if_empty(&db.pool, &seed).await.unwrap(), 0);
    assert_eq!(events::count(&db.pool).await.unwrap(), n as i64);

    let e = NewEvent {
        day: d("2025-02-26"),
        time: NaiveTime::from_hms_opt(16, 20, 0),
        time_zone: Some("America/New_York".into()),
        kind: EventKind::Earnings,
        title: "NVIDIA Q4 FY2025 results".into(),
        description: "after the close".into(),
        source_url: None,
        model_id: None,
        article_id: None,
    };
    let (first, created) = events::upsert(&db.pool, e.clone(), "cli").await.unwrap();
    assert!(created);
    let (again, created) = events::upsert(&db.pool, e, "cli").await.unwrap();
    assert!(!created);
    assert_eq!(first.id, again.id);
    assert_eq!(again.time, NaiveTime::from_hms_opt(16, 20, 0));

    let deepseek = events::list(
        &db.pool,
        &EventFilter {
            text: Some("deepseek".into()),
            ..EventFilter::default()
        },
    )
    .await
    .unwrap();
    assert!(deepseek.len() >= 3, "{deepseek:?}");
    assert!(deepseek.windows(2).all(|w| w[0].day >= w[1].day));
    let earnings = events::list(
        &db.pool,
        &EventFilter {
            kind: Some(EventKind::Earnings),
            from: Some(d("2025-01-01")),
            ..EventFilter::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(earnings.len(), 1);
    // % and _ in the search text are literal, not wildcards.
    let search = |t: &str| EventFilter {
        text: Some(t.into()),
        ..EventFilter::default()
    };
    let pct = events::list(&db.pool, &search("9.2%")).await.unwrap();
    assert_eq!(pct.len(), 1, "{pct:?}");
    let none = events::list(&db.pool, &search("9_2%")).await.unwrap();
    assert!(none.is_empty(), "{none:?}");
    assert!(events::get(&db.pool, first.id).await.unwrap().is_some());
    assert!(events::get(&db.pool, -1).await.unwrap().is_none());

    // Whether or not migration 0003 created ai_models, the call answers.
    let cands = events::candidate_releases(&db.pool, d("2024-01-01"), d("2025-12-31"), 50)
        .await
        .unwrap();
    assert!(cands.iter().all(|c| c.released >= d("2024-01-01")));
    let news = events::news_daily(&db.pool, "NVDA", d("2025-01-01"), d("2025-02-01"))
        .await
        .unwrap();
    if let Some(days) = news {
        assert!(days.is_empty());
    }
}
