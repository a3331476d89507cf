//! The JSON API as a script sees it.

use crate::helpers::*;

#[tokio::test]
async fn tickers_list_the_watchlist_with_last_close() {
    let app = spawn_app(true).await;
    let response = app.get("/api/v1/tickers").await;
    assert_eq!(response.status(), 200);
    let tickers: Vec<serde_json::Value> = response.json().await.unwrap();
    let nvda = tickers
        .iter()
        .find(|t| t["symbol"] == "NVDA")
        .expect("NVDA listed");
    assert_eq!(nvda["role"], "vendor");
    assert_eq!(nvda["name"], "NVIDIA");
    assert_eq!(nvda["last_day"], "2026-05-11");
    assert!(nvda["last_close"].as_f64().unwrap() > 0.0);
    let spy = tickers.iter().find(|t| t["symbol"] == "SPY").unwrap();
    assert_eq!(spy["role"], "benchmark");
}

#[tokio::test]
async fn prices_as_csv_round_trip_through_the_import_format() {
    let app = spawn_app(true).await;
    for request in [
        app.client.get(format!(
            "{}/api/v1/prices/NVDA?from=2025-01-01&to=2025-01-31&format=csv",
            app.address
        )),
        app.client
            .get(format!(
                "{}/api/v1/prices/NVDA?from=2025-01-01&to=2025-01-31",
                app.address
            ))
            .header("Accept", "text/csv"),
    ] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        let content_type = header(&response, "content-type").to_string();
        assert!(content_type.starts_with("text/csv"), "{content_type}");
        let body = response.text().await.unwrap();
        let bars = jevons_market::csv_file::read_reader(body.as_bytes()).unwrap();
        // January 2025 had 20 sessions (New Year's Day, MLK Day and the 9th closed).
        assert_eq!(bars.len(), 20);
        let jan27 = bars.iter().find(|b| b.day == day("2025-01-27")).unwrap();
        assert_eq!(jan27.close, 118.42);
        assert_eq!(jan27.volume, 818_830_900);
    }
}

#[tokio::test]
async fn bad_parameters_are_400_with_a_json_error() {
    let app = spawn_app(true).await;
    for query in [
        "/api/v1/prices/NVDA?from=2025-13-01",
        "/api/v1/prices/NVDA?from=yesterday",
        "/api/v1/prices/NVDA?from=2025-02-01&to=2025-01-01",
        "/api/v1/prices/NVDA?format=xlsx",
        "/api/v1/prices/NV%20DA",
    ] {
        let response = app.get(query).await;
        assert_eq!(response.status(), 400, "{query}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "bad_request", "{query}: {body}");
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn unknown_symbol_is_404_not_500() {
    let app = spawn_app(true).await;
    let response = app.get("/api/v1/prices/ZZZZ").await;
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app(false).await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.get("/readyz").await.status(), 200);
    app.db.pool.close().await;
    assert_eq!(
        app.get("/readyz").await.status(),
        503,
        "a dead database is not ready"
    );
}

#[tokio::test]
async fn a_bad_parameter_is_named_in_json_under_the_api_and_on_the_error_page_elsewhere() {
    let app = spawn_app(true).await;

    let r = app.get("/api/v1/prices/NVDA?from=2025-13-01").await;
    assert_eq!(r.status(), 400);
    assert!(header(&r, "content-type").starts_with("application/json"));
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("`from`") && message.contains("2025-13-01"),
        "{message}"
    );

    let r = app.get("/jevons?to=2025-02-30").await;
    assert_eq!(r.status(), 400);
    assert!(header(&r, "content-type").starts_with("text/html"));
    let html = r.text().await.unwrap();
    assert!(html.contains("<!DOCTYPE html>"), "{html}");
    assert!(
        html.contains("`to`") && html.contains("2025-02-30"),
        "{html}"
    );

    // A number that is not one, and a format outside the set, are named too.
    let r = app.get("/api/v1/events?limit=many").await;
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`limit`"),
        "{body}"
    );
    let r = app.get("/api/v1/benchmarks?format=xlsx").await;
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`format`"),
        "{body}"
    );
}
