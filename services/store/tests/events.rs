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

    // Candidate releases: the models released in the range, newest first, each linked to the
    // model-release event that names it.
    let model = |name: &str, released: &str| jevons_core::ai::ModelRecord {
        organization: Some("Test Lab".into()),
        released: Some(d(released)),
        ..jevons_core::ai::ModelRecord::new(name, name.to_ascii_lowercase())
    };
    let batch = jevons_core::ai::SourceBatch {
        source: "test".into(),
        source_url: None,
        snapshot: None,
        models: vec![
            model("Early-1", "2023-05-01"),
            model("Mid-2", "2024-06-01"),
            model("Late-3", "2025-01-20"),
        ],
        scores: Vec::new(),
        prices: Vec::new(),
    };
    jevons_store::models::import_batch(&db.pool, &batch)
        .await
        .unwrap();
    let release = events::upsert(
        &db.pool,
        NewEvent::on(d("2025-01-20"), EventKind::ModelRelease, "Late-3 released"),
        "test",
    )
    .await
    .unwrap()
    .0;
    let cands = events::candidate_releases(&db.pool, d("2024-01-01"), d("2025-12-31"), 50)
        .await
        .unwrap();
    let names: Vec<&str> = cands.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Late-3", "Mid-2"], "in range, newest first");
    assert_eq!(cands[0].event_id, Some(release.id));
    assert_eq!(cands[1].event_id, None);

    // Daily news about a ticker: articles that mention it, by New York day.
    let (feed, _) = jevons_store::news::add_feed(
        &db.pool,
        "https://example.org/feed.xml",
        Some("Test"),
        "cli",
    )
    .await
    .unwrap();
    for (guid, at, ticker) in [
        ("a", "2025-01-27T15:00:00Z", "NVDA"),
        ("b", "2025-01-27T18:00:00Z", "NVDA"),
        // 02:00 UTC on the 28th is still the 27th in New York.
        ("c", "2025-01-28T02:00:00Z", "NVDA"),
        ("d", "2025-01-29T15:00:00Z", "AMD"),
    ] {
        let article = jevons_store::news::NewArticle {
            feed_id: feed.id,
            url: Some(format!("https://example.org/{guid}")),
            canonical_url: None,
            guid: guid.into(),
            title: format!("Story {guid}"),
            published: Some(at.parse().unwrap()),
            author: None,
            text: format!("Text of story {guid} about {ticker}."),
            text_source: "feed".into(),
            content_hash: format!("hash-{guid}"),
            feed_hash: format!("feed-hash-{guid}"),
            language: Some("en".into()),
            relevance: 1.0,
            entities: vec![("ticker".into(), ticker.into())],
        };
        jevons_store::news::save_article(&db.pool, &article)
            .await
            .unwrap();
    }
    let news = events::news_daily(&db.pool, "NVDA", d("2025-01-01"), d("2025-02-01"))
        .await
        .unwrap()
        .expect("the news tables exist after the migrations");
    let days: Vec<(NaiveDate, i64)> = news.iter().map(|n| (n.day, n.articles)).collect();
    assert_eq!(days, [(d("2025-01-27"), 3)]);
}
