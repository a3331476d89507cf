//! Health, readiness, jobs, assets, the bound server and an unreachable database.

use actix_web::http::{StatusCode, header};

use super::{database_with, get, slice_from, test_app};

use super::default_settings;
use jevons_store::testing::fresh_database;

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
    let app = test_app!(db.pool.clone());

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
    let app = test_app!(pool);
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
