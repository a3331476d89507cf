//! HTML pages: status and the content a reader looks for.

use crate::helpers::*;

#[tokio::test]
async fn overview_shows_the_watchlist_with_real_prices() {
    let app = spawn_app(true).await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    for symbol in [
        "NVDA", "AMD", "AVGO", "TSM", "ASML", "MU", "INTC", "SMCI", "ARM", "MRVL", "SPY", "QQQ",
        "SOXX",
    ] {
        assert!(
            html.contains(&format!("/tickers/{symbol}")),
            "{symbol} links to its page"
        );
    }
    assert!(html.contains("2025-06-30"), "the last day held is shown");
    assert!(html.contains("<svg"), "sparklines are inline SVG");
}

#[tokio::test]
async fn ticker_page_charts_the_deepseek_drop() {
    let app = spawn_app(true).await;
    let response = app.get("/tickers/NVDA?range=all").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("NVIDIA"));
    assert!(html.contains("<svg"));
    assert!(
        html.contains("2025-01-27"),
        "the largest fall is marked on the chart"
    );
    assert!(html.contains("16.97"), "its size is labelled");
    assert!(
        html.contains("2023-07-03"),
        "range=all starts at the first day held"
    );
}

#[tokio::test]
async fn ticker_page_ranges_and_errors() {
    let app = spawn_app(true).await;
    for range in ["1m", "6m", "1y", "all"] {
        assert_eq!(
            app.get(&format!("/tickers/AMD?range={range}"))
                .await
                .status(),
            200,
            "{range}"
        );
    }
    let bad = app.get("/tickers/AMD?range=5y").await;
    assert_eq!(bad.status(), 400);
    assert!(
        bad.text().await.unwrap().contains("1m"),
        "the page says which ranges exist"
    );

    let missing = app.get("/tickers/ZZZZ").await;
    assert_eq!(missing.status(), 404);
    let html = missing.text().await.unwrap();
    assert!(
        html.contains("ZZZZ") && html.contains("<html"),
        "a 404 page, not a bare error"
    );
    assert_eq!(app.get("/tickers/%3Cscript%3E").await.status(), 404);
}

#[tokio::test]
async fn job_history_page_lists_runs() {
    let app = spawn_app(false).await;
    let id = jevons_store::job_runs::start(app.pool(), "prices.daily", chrono::Utc::now())
        .await
        .unwrap();
    jevons_store::job_runs::finish(
        app.pool(),
        id,
        jevons_store::job_runs::RunStatus::Failed,
        0,
        Some("NVDA: yahoo: <b>HTTP 500</b>"),
    )
    .await
    .unwrap();
    let html = app.get("/jobs").await.text().await.unwrap();
    assert!(html.contains("prices.daily"));
    assert!(html.contains("failed"));
    assert!(html.contains("HTTP 500"), "the error is shown");
    assert!(
        !html.contains("<b>HTTP 500"),
        "errors from outside are escaped"
    );
}

#[tokio::test]
async fn bad_dates_and_time_zones_are_refused_with_the_field_named() {
    let app = spawn_app(true).await;
    for (url, field) in [
        ("/news?from=2025-13-45", "from"),
        ("/news?to=yesterday", "to"),
        ("/events?from=2025-02-30", "from"),
        ("/correlations?to=2025/01/27", "to"),
        ("/models?date=not-a-date", "date"),
        ("/digest/preview?cadence=daily&day=2025-1-2x", "day"),
    ] {
        let r = app.get(url).await;
        assert_eq!(r.status(), 400, "{url}");
        let html = r.text().await.unwrap();
        assert!(html.contains("<html"), "{url}: the error page");
        assert!(
            html.contains(&format!("`{field}`")),
            "{url}: names {field}:\n{html}"
        );
    }
    for (url, field) in [
        ("/api/v1/news?from=2025-13-45", "from"),
        ("/api/v1/events?to=nope", "to"),
        (
            "/api/v1/frontier?benchmark=gpqa-diamond&date=2025-02-31",
            "date",
        ),
    ] {
        let r = app.get(url).await;
        assert_eq!(r.status(), 400, "{url}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "bad_request", "{url}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(&format!("`{field}`")), "{url}: {message}");
    }
    // An unknown time zone at subscribe is refused, not replaced by UTC.
    let r = app
        .client
        .post(format!("{}/subscribe", app.address))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("email=a%40example.org&cadence=daily&tickers=NVDA&time_zone=Mars%2FOlympus")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Mars/Olympus") && html.contains("time zone"),
        "{html}"
    );
    let subscribers: i64 = sqlx::query_scalar("SELECT count(*) FROM subscribers")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(subscribers, 0);
}
