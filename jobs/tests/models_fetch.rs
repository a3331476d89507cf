//! `models.fetch` against a fake LiteLLM server on 127.0.0.1: each download is recorded as the
//! changes against the stored prices, so the dated history grows by what moved only.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use chrono::NaiveDate;
use jevons_core::Settings;
use jevons_core::config::ModelSourceConfig;
use jevons_jobs::models::fetch_sources_on;
use jevons_store::testing::{TestDatabase, fresh_database};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn settings(db: &TestDatabase, url: &str) -> Settings {
    let env = [
        ("DATABASE_URL", db.url.clone()),
        ("JEVONS__JOBS__ENABLED", "false".to_string()),
        (
            "JEVONS__MODELS__ALIAS_FILE",
            root().join("data/models/aliases.csv").display().to_string(),
        ),
        ("JEVONS__MODELS__MAX_ATTEMPTS", "1".to_string()),
    ];
    let mut s = Settings::load_with(
        &root().join("config"),
        env.into_iter().map(|(k, v)| (k.to_string(), v)),
    )
    .unwrap();
    s.models.sources = vec![ModelSourceConfig {
        format: "litellm".into(),
        url: url.to_string(),
        snapshot_is_fetch_day: true,
    }];
    s
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// (name, effective, input, output, dated, removed), in a stable order.
async fn rows(db: &TestDatabase) -> Vec<(String, NaiveDate, Option<f64>, Option<f64>, bool, bool)> {
    sqlx::query_as(
        "SELECT model_name, effective, input_usd_per_mtok, output_usd_per_mtok, dated, removed
           FROM model_prices ORDER BY model_name, effective",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap()
}

async fn serve(server: &MockServer, body: &str) {
    server.reset().await;
    Mock::given(method("GET"))
        .and(path("/model_prices_and_context_window.json"))
        .respond_with(ResponseTemplate::new(200).set_body_string(body.to_string()))
        .mount(server)
        .await;
}

// Two real-format snapshots: deepseek-chat's price drops, o1 leaves, gpt-5 arrives, gpt-4o and
// the embedding model (not a chat price) stay as they were.
const FIRST: &str = r#"{
  "sample_spec": {"input_cost_per_token": 0.0, "mode": "chat"},
  "gpt-4o": {"input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05, "litellm_provider": "openai", "mode": "chat"},
  "o1": {"input_cost_per_token": 1.5e-05, "output_cost_per_token": 6e-05, "litellm_provider": "openai", "mode": "chat"},
  "deepseek/deepseek-chat": {"input_cost_per_token": 2.7e-07, "output_cost_per_token": 1.1e-06, "litellm_provider": "deepseek", "mode": "chat"},
  "text-embedding-3-small": {"input_cost_per_token": 2e-08, "output_cost_per_token": 0.0, "litellm_provider": "openai", "mode": "embedding"}
}"#;
const SECOND: &str = r#"{
  "sample_spec": {"input_cost_per_token": 0.0, "mode": "chat"},
  "gpt-4o": {"input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05, "litellm_provider": "openai", "mode": "chat"},
  "gpt-5": {"input_cost_per_token": 1.25e-06, "output_cost_per_token": 1e-05, "litellm_provider": "openai", "mode": "chat"},
  "deepseek/deepseek-chat": {"input_cost_per_token": 2.8e-07, "output_cost_per_token": 4.2e-07, "litellm_provider": "deepseek", "mode": "chat"},
  "text-embedding-3-small": {"input_cost_per_token": 2e-08, "output_cost_per_token": 0.0, "litellm_provider": "openai", "mode": "embedding"},
  "last_updated": "2026-01-13"
}"#;

#[tokio::test]
async fn litellm_fetches_record_only_price_changes() {
    let db = fresh_database().await;
    let server = MockServer::start().await;
    let url = format!("{}/model_prices_and_context_window.json", server.uri());
    let settings = settings(&db, &url);

    // First download into an empty price table: a snapshot, undated.
    serve(&server, FIRST).await;
    let r = fetch_sources_on(&db.pool, &settings, d("2026-01-06"))
        .await
        .unwrap();
    assert!(r.failed.is_empty(), "{:?}", r.failed);
    let first = rows(&db).await;
    assert_eq!(first.len(), 3);
    assert!(first.iter().all(|r| r.1 == d("2026-01-06") && !r.4 && !r.5));

    // The next snapshot a week later: only what moved, dated that day.
    serve(&server, SECOND).await;
    let r = fetch_sources_on(&db.pool, &settings, d("2026-01-13"))
        .await
        .unwrap();
    assert!(r.failed.is_empty(), "{:?}", r.failed);
    assert_eq!(r.rows_written(), 3);
    let new: Vec<_> = rows(&db)
        .await
        .into_iter()
        .filter(|r| r.1 == d("2026-01-13"))
        .collect();
    assert_eq!(
        new,
        vec![
            (
                "deepseek/deepseek-chat".into(),
                d("2026-01-13"),
                Some(0.28),
                Some(0.42),
                true,
                false
            ),
            (
                "gpt-5".into(),
                d("2026-01-13"),
                Some(1.25),
                Some(10.0),
                true,
                false
            ),
            ("o1".into(), d("2026-01-13"), None, None, true, true),
        ]
    );
    let all = rows(&db).await;
    assert_eq!(all.len(), 6);

    // The same file again, the same day or a later one: nothing changes.
    for day in ["2026-01-13", "2026-01-20"] {
        let r = fetch_sources_on(&db.pool, &settings, d(day)).await.unwrap();
        assert!(r.failed.is_empty(), "{:?}", r.failed);
        assert_eq!(r.rows_written(), 0, "{day}");
        assert_eq!(rows(&db).await, all, "{day}");
    }

    // The prices in effect follow the history: o1 ends, deepseek-chat's new price holds.
    let on = |day: &'static str| {
        let pool = db.pool.clone();
        async move {
            let p: Vec<(String, Option<f64>)> = sqlx::query_as(
                "SELECT model_name, input_usd_per_mtok FROM model_prices_resolved
                  WHERE effective <= $1 AND (valid_until IS NULL OR $1 < valid_until)
                  ORDER BY model_name",
            )
            .bind(d(day))
            .fetch_all(&pool)
            .await
            .unwrap();
            p
        }
    };
    assert_eq!(
        on("2026-01-10").await,
        vec![
            ("deepseek/deepseek-chat".to_string(), Some(0.27)),
            ("gpt-4o".to_string(), Some(2.5)),
            ("o1".to_string(), Some(15.0)),
        ]
    );
    assert_eq!(
        on("2026-01-13").await,
        vec![
            ("deepseek/deepseek-chat".to_string(), Some(0.28)),
            ("gpt-4o".to_string(), Some(2.5)),
            ("gpt-5".to_string(), Some(1.25)),
        ]
    );

    // A malformed body (a bad price, then not JSON at all) writes nothing.
    for bad in [
        r#"{"gpt-5": {"input_cost_per_token": "cheap", "mode": "chat"}}"#,
        "<html>rate limited</html>",
    ] {
        serve(&server, bad).await;
        let r = fetch_sources_on(&db.pool, &settings, d("2026-01-27"))
            .await
            .unwrap();
        assert_eq!(r.failed.len(), 1, "{bad}");
        assert_eq!(r.rows_written(), 0);
        assert_eq!(rows(&db).await, all, "{bad}");
    }
}
