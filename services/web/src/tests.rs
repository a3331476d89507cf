//! The app against a fresh database holding the bundled real prices.

use std::path::{Path, PathBuf};

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::{StatusCode, header};
use actix_web::test::{TestRequest, call_service, init_service, read_body};
use jevons_core::Settings;
use jevons_store::testing::{TestDatabase, fresh_database};

fn prices_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/prices")
}

fn default_settings() -> Settings {
    Settings::load_with(
        Path::new("/nonexistent"),
        [(
            "JEVONS__SERVER__LISTEN".to_string(),
            "127.0.0.1:0".to_string(),
        )],
    )
    .unwrap()
}

/// The day these tests' figures were read off: the bundled prices up to it (the DeepSeek shock
/// and the half year after), whatever later days the bundle gains.
const UNTIL: &str = "2025-06-30";

/// A fresh database with the default watchlist and the bundled prices of `symbols`
/// (all files when empty) up to [`UNTIL`].
async fn database_with(symbols: &[&str]) -> TestDatabase {
    let db = fresh_database().await;
    jevons_store::tickers::sync_watchlist(&db.pool, &default_settings().watchlist)
        .await
        .unwrap();
    let series: Vec<_> = jevons_market::csv_file::read_path(&prices_dir())
        .unwrap()
        .into_iter()
        .filter(|(s, _)| symbols.is_empty() || symbols.contains(&s.as_str()))
        .map(|(s, bars)| {
            let until = chrono::NaiveDate::parse_from_str(UNTIL, "%Y-%m-%d").unwrap();
            (
                s,
                bars.into_iter()
                    .filter(|b| b.day <= until)
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, bars)| !bars.is_empty())
        .collect();
    assert!(!series.is_empty());
    jevons_store::prices::upsert_bars(&db.pool, "test", &series)
        .await
        .unwrap();
    db
}

struct Reply {
    status: StatusCode,
    content_type: String,
    headers: header::HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// Calls `uri` on the app (with an optional Accept header) and collects the reply.
macro_rules! get {
    ($app:expr, $uri:expr, $accept:expr) => {{
        let mut req = TestRequest::get().uri($uri);
        let accept: Option<&str> = $accept;
        if let Some(a) = accept {
            req = req.insert_header((header::ACCEPT, a));
        }
        reply(call_service($app, req.to_request()).await).await
    }};
}

async fn reply<B: MessageBody>(resp: ServiceResponse<B>) -> Reply {
    let status = resp.status();
    let headers = resp.headers().clone();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = String::from_utf8(read_body(resp).await.to_vec()).unwrap();
    Reply {
        status,
        content_type,
        headers,
        body,
    }
}

/// The text between `start` and the next `end` after it (a table row, say).
fn slice_from<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let i = body
        .find(start)
        .unwrap_or_else(|| panic!("`{start}` not in the page"));
    let rest = &body[i..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

#[actix_web::test]
async fn overview_lists_the_watchlist_with_changes_and_sparklines() {
    let db = database_with(&[]).await;
    let app = init_service(crate::app(
        db.pool.clone(),
        std::sync::Arc::new(default_settings()),
        fresh_views(),
    ))
    .await;
    let r = get!(&app, "/", None);
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.content_type.starts_with("text/html"));
    assert!(
        r.body
            .contains(r#"<strong class="nowrap">2023-07-03</strong> to <strong class="nowrap">2025-06-30</strong>"#),
        "{}",
        r.body
    );
    assert!(r.body.contains(r#"href="/jobs""#));

    let nvda = slice_from(&r.body, r#"<a href="/tickers/NVDA">"#, "</tr>");
    assert!(nvda.contains("NVIDIA"), "{nvda}");
    assert!(nvda.contains("157.99"), "{nvda}");
    assert!(nvda.contains("2025-06-30"), "{nvda}");
    assert!(nvda.contains(r#"class="num up">+0.15%"#), "1-day: {nvda}");
    assert!(nvda.contains(r#"class="num up">+9.59%"#), "5-day: {nvda}");
    assert!(
        nvda.contains("+17.67%"),
        "YTD from the 2024-12-31 close: {nvda}"
    );
    assert!(
        nvda.contains("<svg") && nvda.contains("<polyline"),
        "sparkline: {nvda}"
    );

    // Vendors first, then benchmarks; tickers off the watchlist are not listed.
    let (nvda_at, mrvl_at) = (
        r.body.find("/tickers/NVDA").unwrap(),
        r.body.find("/tickers/MRVL").unwrap(),
    );
    let spy_at = r.body.find("/tickers/SPY").unwrap();
    assert!(nvda_at < mrvl_at && mrvl_at < spy_at);
    assert!(r.body.contains("/tickers/SOXX"));
    assert!(
        !r.body.contains("/tickers/QCOM"),
        "QCOM is held but not watched"
    );
    assert_eq!(r.headers.get("x-content-type-options").unwrap(), "nosniff");
}

#[actix_web::test]
async fn ticker_page_charts_the_deepseek_drop() {
    let db = database_with(&["NVDA"]).await;
    let app = init_service(crate::app(
        db.pool.clone(),
        std::sync::Arc::new(default_settings()),
        fresh_views(),
    ))
    .await;

    let r = get!(&app, "/tickers/NVDA?range=all", None);
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let svg = slice_from(&r.body, "<svg", "</svg>");
    assert!(
        svg.contains("NVDA close, 2023-07-03 \u{2013} 2025-06-30"),
        "title"
    );
    assert!(svg.contains("\u{2212}16.97% 2025-01-27"), "fall marker");
    assert!(svg.contains("<polyline") || svg.contains("<path"));
    assert!(!svg.contains("NaN"));
    assert!(r.body.contains("\u{2212}16.97% on 2025-01-27"));
    assert!(
        r.body
            .contains(r#"href="/tickers/NVDA?range=all" class="active""#),
        "range highlighted"
    );
    assert!(r.body.contains("NVIDIA") && r.body.contains("vendor"));
    assert!(r.body.contains("2023-07-03"), "first day shown");

    // The table: 30 most recent days, newest first, with volume grouped and the change.
    let table = slice_from(&r.body, "<tbody>", "</tbody>");
    assert_eq!(table.matches("<tr>").count(), 30);
    let newest = slice_from(table, "2025-06-30", "</tr>");
    assert!(
        newest.contains("157.99") && newest.contains("194,580,300") && newest.contains("+0.15%"),
        "{newest}"
    );
    assert!(
        table.contains("2025-05-16") && !table.contains("2025-05-15"),
        "exactly 30 days back"
    );

    // Default range is one year back from the last day held, which still holds the drop.
    let r = get!(&app, "/tickers/nvda", None);
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body
            .contains("NVDA close, 2024-07-01 \u{2013} 2025-06-30"),
        "1y window"
    );
    assert!(r.body.contains(r#"range=1y" class="active""#));
    assert!(r.body.contains("\u{2212}16.97% 2025-01-27"));

    let r = get!(&app, "/tickers/NVDA?range=1m", None);
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("2025-01-27"), "one month holds no January");
}

#[actix_web::test]
async fn ticker_page_errors_are_html_pages() {
    let db = database_with(&["NVDA"]).await;
    let app = init_service(crate::app(
        db.pool.clone(),
        std::sync::Arc::new(default_settings()),
        fresh_views(),
    ))
    .await;

    for uri in [
        "/tickers/ZZZZ",
        "/tickers/NV%20DA",
        "/tickers/%3Cscript%3E",
        "/tickers/ABCDEFGHIJKLMNOP",
    ] {
        let r = get!(&app, uri, None);
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}: {}", r.body);
        assert!(r.content_type.starts_with("text/html"), "{uri}");
        assert!(r.body.contains("404"), "{uri}");
        assert!(!r.body.contains("<script>"), "{uri}: unescaped input");
    }
    let r = get!(&app, "/tickers/NVDA?range=2y", None);
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.content_type.starts_with("text/html"));
    assert!(r.body.contains("1m, 6m, 1y, all"), "{}", r.body);

    let r = get!(&app, "/no/such/page", None);
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.content_type.starts_with("text/html"));
}

#[actix_web::test]
async fn prices_api_returns_the_requested_days() {
    let db = database_with(&["NVDA"]).await;
    let app = init_service(crate::app(
        db.pool.clone(),
        std::sync::Arc::new(default_settings()),
        fresh_views(),
    ))
    .await;

    let r = get!(
        &app,
        "/api/v1/prices/NVDA?from=2025-01-24&to=2025-01-27",
        None
    );
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.content_type.starts_with("application/json"));
    let v = r.json();
    assert_eq!(v["symbol"], "NVDA");
    let bars = v["bars"].as_array().unwrap();
    assert_eq!(bars.len(), 2);
    assert_eq!(bars[0]["day"], "2025-01-24");
    assert_eq!(bars[0]["close"], 142.62);
    assert_eq!(bars[1]["day"], "2025-01-27");
    assert_eq!(bars[1]["close"], 118.42);
    assert_eq!(bars[1]["open"], 124.8);
    assert_eq!(bars[1]["adj_close"], 118.3812);
    assert_eq!(bars[1]["volume"], 818_830_900);

    // Open-ended ranges.
    let r = get!(&app, "/api/v1/prices/nvda?from=2025-06-27", None);
    assert_eq!(r.json()["bars"].as_array().unwrap().len(), 2);
    let r = get!(&app, "/api/v1/prices/NVDA", None);
    assert_eq!(r.json()["bars"].as_array().unwrap().len(), 500);

    let r = get!(&app, "/api/v1/tickers", None);
    assert_eq!(r.status, StatusCode::OK);
    let list = r.json();
    let nvda = &list.as_array().unwrap()[0];
    assert_eq!(nvda["symbol"], "NVDA");
    assert_eq!(nvda["name"], "NVIDIA");
    assert_eq!(nvda["role"], "vendor");
    assert_eq!(nvda["on_watchlist"], true);
    assert_eq!(nvda["last_close"], 157.99);
    assert_eq!(nvda["last_day"], "2025-06-30");
    assert_eq!(nvda["first_day"], "2023-07-03");
    let spy = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["symbol"] == "SPY")
        .unwrap();
    assert_eq!(
        spy["last_close"],
        serde_json::Value::Null,
        "SPY has no prices in this database"
    );
}

#[actix_web::test]
async fn prices_api_speaks_csv_in_the_import_format() {
    let db = database_with(&["NVDA"]).await;
    let app = init_service(crate::app(
        db.pool.clone(),
        std::sync::Arc::new(default_settings()),
        fresh_views(),
    ))
    .await;
    let expected_first = "2025-01-24,148.37,148.97,141.88,142.62,142.5733,234657600";

    for (uri, accept) in [
        (
            "/api/v1/prices/NVDA?from=2025-01-24&to=2025-01-27&format=csv",
            None,
        ),
        (
            "/api/v1/prices/NVDA?from=2025-01-24&to=2025-01-27",
            Some("text/csv"),
        ),
        (
            "/api/v1/prices/NVDA?from=2025-01-24&to=2025-01-27",
            Some("application/json;q=0.5, text/csv"),
        ),
    ] {
        let r = get!(&app, uri, accept);
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
        assert_eq!(r.content_type, "text/csv; charset=utf-8", "{uri}");
        assert_eq!(
            r.headers.get(header::CONTENT_DISPOSITION).unwrap(),
            r#"attachment; filename="NVDA.csv""#
        );
        let lines: Vec<&str> = r.body.lines().collect();
        assert_eq!(lines.len(), 3, "{}", r.body);
        assert_eq!(lines[0], jevons_market::csv_file::CSV_HEADER);
        assert_eq!(lines[0], "date,open,high,low,close,adj_close,volume");
        assert_eq!(lines[1], expected_first);
        assert!(
            lines[2].starts_with("2025-01-27,124.8,128.4,116.7,118.42,"),
            "{}",
            lines[2]
        );
        // What we serve, the importer reads back.
        let back = jevons_market::csv_file::read_reader(r.body.as_bytes()).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[1].close, 118.42);
    }

    // An explicit format wins over the Accept header.
    let r = get!(
        &app,
        "/api/v1/prices/NVDA?from=2025-01-24&to=2025-01-27&format=json",
        Some("text/csv")
    );
    assert!(r.content_type.starts_with("application/json"));
}

#[actix_web::test]
async fn prices_api_rejects_bad_input_with_json_errors() {
    let db = database_with(&["NVDA"]).await;
    let app = init_service(crate::app(
        db.pool.clone(),
        std::sync::Arc::new(default_settings()),
        fresh_views(),
    ))
    .await;

    for (uri, status, code) in [
        (
            "/api/v1/prices/NVDA?from=2025-13-01",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/v1/prices/NVDA?to=yesterday",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/v1/prices/NVDA?from=2025-02-01&to=2025-01-01",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/v1/prices/NVDA?format=xml",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/v1/prices/NVDA?from=2025-01-01&from=2025-01-02",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/v1/prices/NV%20DA",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/v1/prices/ABCDEFGHIJKLMNOP",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        ("/api/v1/prices/ZZZZ", StatusCode::NOT_FOUND, "not_found"),
        (
            "/api/v1/prices/ZZZZ?format=csv",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        ("/api/v1/nothing", StatusCode::NOT_FOUND, "not_found"),
    ] {
        let r = get!(&app, uri, None);
        assert_eq!(r.status, status, "{uri}: {}", r.body);
        assert!(
            r.content_type.starts_with("application/json"),
            "{uri}: {}",
            r.content_type
        );
        assert_eq!(r.error_code(), code, "{uri}");
        assert!(!r.json()["error"]["message"].as_str().unwrap().is_empty());
    }
    let r = get!(&app, "/api/v1/prices/NVDA?from=2025-13-01", None);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2025-13-01")
    );
    let r = get!(
        &app,
        "/api/v1/prices/NVDA?from=2025-02-01&to=2025-01-01",
        None
    );
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("after")
    );
}

#[actix_web::test]
async fn health_readiness_jobs_and_assets() {
    let db = database_with(&["NVDA"]).await;
    let run = jevons_store::job_runs::start(&db.pool, "prices.daily", chrono::Utc::now())
        .await
        .unwrap();
    jevons_store::job_runs::finish(
        &db.pool,
        run,
        jevons_store::job_runs::RunStatus::Failed,
        0,
        Some("yahoo: <b>HTTP 503</b>"),
    )
    .await
    .unwrap();
    let app = init_service(crate::app(
        db.pool.clone(),
        std::sync::Arc::new(default_settings()),
        fresh_views(),
    ))
    .await;

    let r = get!(&app, "/healthz", None);
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ok"));
    let r = get!(&app, "/readyz", None);
    assert_eq!(r.status, StatusCode::OK);

    let r = get!(&app, "/jobs", None);
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let row = slice_from(&r.body, "prices.daily", "</tr>");
    assert!(row.contains("status-failed"), "{row}");
    assert!(
        !row.contains("<b>HTTP"),
        "error text must be escaped: {row}"
    );
    assert!(row.contains("HTTP 503"));

    let r = get!(&app, "/static/style.css", None);
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.content_type.starts_with("text/css"));
    assert!(r.body.contains(".down"));

    // A database that went away: not ready, with a JSON reason and no internals.
    db.pool.close().await;
    let r = get!(&app, "/readyz", None);
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.error_code(), "unavailable");
    let r = get!(&app, "/api/v1/tickers", None);
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(r.error_code(), "internal");
    assert!(!r.body.contains("closed"), "{}", r.body);
    let r = get!(&app, "/", None);
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(r.content_type.starts_with("text/html"));
}

#[actix_web::test]
async fn application_binds_a_free_port_and_serves() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let db = fresh_database().await;
    let app = crate::Application::build(&default_settings(), db.pool.clone())
        .await
        .unwrap();
    let port = app.port();
    assert_ne!(port, 0);
    let server = tokio::spawn(app.run_until_stopped());

    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).await.unwrap();
    assert!(reply.starts_with("HTTP/1.1 200 OK"), "{reply}");
    assert!(reply.ends_with("ok"), "{reply}");
    server.abort();
}

#[actix_web::test]
async fn an_unreachable_database_is_503_unavailable() {
    // Nothing listens on port 1: every connection attempt fails until the pool gives up.
    let pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_millis(500))
        .connect_lazy("postgres://postgres@127.0.0.1:1/postgres")
        .unwrap();
    let app = init_service(crate::app(
        pool,
        std::sync::Arc::new(default_settings()),
        fresh_views(),
    ))
    .await;
    let r = get!(&app, "/api/v1/tickers", None);
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(r.error_code(), "unavailable");
    assert!(!r.body.contains("127.0.0.1"), "{}", r.body);
    let r = get!(&app, "/", None);
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        r.content_type.starts_with("text/html"),
        "{}",
        r.content_type
    );
}

/// A view cache of its own for each test app (the listener is not running here: these tests
/// see their own writes through the job runs and API writes they make).
fn fresh_views() -> std::sync::Arc<crate::ViewCache> {
    std::sync::Arc::new(crate::ViewCache::new(&Default::default()))
}
