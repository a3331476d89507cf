//! Computed views: served from memory with validators, dropped when another process writes.

use std::time::{Duration, Instant};

use crate::helpers::*;

async fn spawn_cached_app() -> TestApp {
    spawn_app_with(true, |s| s.server.view_cache.enabled = true).await
}

#[tokio::test]
async fn answers_carry_validators_and_conditional_requests_get_304() {
    let app = spawn_cached_app().await;
    for path in [
        "/",
        "/api/v1/tickers",
        "/api/v1/prices/NVDA?from=2025-01-01",
    ] {
        let first = app.get(path).await;
        assert_eq!(first.status(), 200, "{path}");
        let etag = header(&first, "etag").to_string();
        assert!(header(&first, "cache-control").starts_with("public, max-age="));
        let last_modified = header(&first, "last-modified").to_string();
        let body = first.bytes().await.unwrap();

        let again = app.get(path).await;
        assert_eq!(header(&again, "etag"), etag, "{path}: same data, same tag");
        assert_eq!(again.bytes().await.unwrap(), body);

        let url = format!("{}{path}", app.address);
        let revalidated = app
            .client
            .get(&url)
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(revalidated.status(), 304, "{path}");
        assert!(revalidated.bytes().await.unwrap().is_empty());

        let since = app
            .client
            .get(&url)
            .header("If-Modified-Since", &last_modified)
            .send()
            .await
            .unwrap();
        assert_eq!(
            since.status(),
            304,
            "{path}: {last_modified} {etag} → {:?}",
            since.headers()
        );

        let stale = app
            .client
            .get(&url)
            .header("If-None-Match", "\"something-else\"")
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), 200, "{path}");
    }
    // Forms are never cached.
    let form = app.get("/subscribe").await;
    assert!(form.headers().get("etag").is_none());
}

#[tokio::test]
async fn a_write_from_another_process_reaches_the_readers_within_seconds() {
    let app = spawn_cached_app().await;
    let before = app.get("/api/v1/tickers").await;
    let etag = header(&before, "etag").to_string();
    assert!(
        !before
            .text()
            .await
            .unwrap()
            .contains("Renamed by another process")
    );

    // A connection of its own, as another instance or `jevons import` would write.
    let other = jevons_store::connect_url(&app.db.url, 1).await.unwrap();
    sqlx::query("UPDATE tickers SET name = 'Renamed by another process' WHERE symbol = 'NVDA'")
        .execute(&other)
        .await
        .unwrap();

    let start = Instant::now();
    loop {
        let now = app.get("/api/v1/tickers").await;
        let tag = header(&now, "etag").to_string();
        if now
            .text()
            .await
            .unwrap()
            .contains("Renamed by another process")
        {
            assert_ne!(tag, etag);
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "still the old answer {:?} after the write",
            start.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
