//! Faults under a running server (issue 15): PostgreSQL stopped and started again under `serve`.
//! The test runs its own cluster, since it stops it.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use jevons_store::embedded::EmbeddedPostgres;
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::helpers::{bundled_prices, serve, settings_for};

/// A cluster of this test's own in a new directory, stopped and removed at the end.
struct OwnCluster {
    pg: EmbeddedPostgres,
    dir: PathBuf,
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        let _ = self.pg.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn own_cluster() -> OwnCluster {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("jevons-fault-pg-{}-{nanos}", std::process::id()));
    let pg = EmbeddedPostgres::start(&dir).await.unwrap();
    OwnCluster { pg, dir }
}

/// Status, body and how long the request took.
async fn timed(request: reqwest::RequestBuilder) -> (u16, String, Duration) {
    let started = Instant::now();
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap(), started.elapsed())
}

/// The database goes away under `serve` and comes back on the same address: while it is away
/// `/readyz`, the API (reads and writes) and pages answer 503 within the pool's acquire timeout,
/// never 500 and never a hang, and views cached before are not served; once it is back the
/// service answers as before without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_restart_answers_503_then_recovers_by_itself() {
    const ACQUIRE_TIMEOUT_SECS: u64 = 2;
    // The acquire timeout, plus the time a loaded test machine takes to answer.
    let bound = Duration::from_secs(ACQUIRE_TIMEOUT_SECS + 4);

    let mut cluster = own_cluster().await;
    let server_url = cluster.pg.url("postgres");
    jevons_store::create_database_if_missing(&server_url, "jevons")
        .await
        .unwrap();
    let mut settings = settings_for(
        &cluster.pg.url("jevons"),
        "http://127.0.0.1:9",
        "http://127.0.0.1:9",
    );
    settings.database.acquire_timeout_secs = ACQUIRE_TIMEOUT_SECS;
    settings.server.view_cache.enabled = true;
    settings.api.key = Some(SecretString::from("fault-key-0123"));
    let db = jevons_store::connect(&settings.database).await.unwrap();
    jevons_store::migrate(&db.pool).await.unwrap();
    jevons_store::tickers::sync_watchlist(&db.pool, &settings.watchlist)
        .await
        .unwrap();
    jevons::startup::import_prices(&db.pool, &bundled_prices().join("NVDA.csv"))
        .await
        .unwrap();
    let address = serve(&settings, &db.pool).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let get = |path: &str| client.get(format!("{address}{path}"));
    let event =
        json!({"day": "2025-02-26", "kind": "earnings", "title": "NVIDIA Q4 FY2025 results"});
    let post_event = || {
        client
            .post(format!("{address}/api/v1/events"))
            .header("Authorization", "Bearer fault-key-0123")
            .json(&event)
    };

    let cached = "/api/v1/prices/NVDA?from=2025-01-24&to=2025-01-27";
    let (status, before, _) = timed(get("/readyz")).await;
    assert_eq!(status, 200, "{before}");
    let (status, before, _) = timed(get(cached)).await;
    assert_eq!(status, 200, "{before}");
    let (status, page_before, _) = timed(get("/tickers/NVDA")).await;
    assert_eq!(status, 200);

    // A fast shutdown, as an operator's restart or a failover does: sessions are cut.
    tokio::task::block_in_place(|| cluster.pg.stop()).unwrap();

    let (status, body, took) = timed(get("/readyz")).await;
    assert_eq!(status, 503, "{body}");
    assert!(took < bound, "/readyz took {took:?}");
    // Reads that need the database, one never asked before and one cached before the outage
    // (a lost change listener drops the computed views: nothing older than the last write
    // that this instance could have missed is served), a write, and a page.
    for path in [
        "/api/v1/prices/NVDA?from=2025-01-02&to=2025-01-31",
        cached,
        "/api/v1/tickers",
    ] {
        let (status, body, took) = timed(get(path)).await;
        assert_eq!(status, 503, "{path}: {body}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["error"]["code"], "unavailable", "{path}");
        assert!(took < bound, "{path} took {took:?}");
    }
    // Many readers of one view: one request tries the database, the others wait for its
    // answer, so together they take one acquire timeout, not one each in turn.
    let mut readers = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let request = get("/api/v1/prices/NVDA?from=2024-01-02&to=2024-12-31");
        readers.spawn(async move { request.send().await.map(|r| r.status().as_u16()) });
    }
    let started = Instant::now();
    while let Some(status) = readers.join_next().await {
        assert_eq!(status.unwrap().unwrap(), 503);
    }
    assert!(
        started.elapsed() < bound,
        "16 readers took {:?}",
        started.elapsed()
    );
    let (status, body, took) = timed(post_event()).await;
    assert_eq!(status, 503, "POST /api/v1/events: {body}");
    assert!(took < bound, "POST /api/v1/events took {took:?}");
    let (status, body, took) = timed(get("/tickers/NVDA")).await;
    assert_eq!(status, 503, "/tickers/NVDA");
    assert!(body.contains("Unavailable"), "{body}");
    assert!(took < bound, "/tickers/NVDA took {took:?}");

    // Back on the same address: the service recovers without a restart.
    tokio::task::block_in_place(|| cluster.pg.start_again()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, _, _) = timed(get("/readyz")).await;
        if status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "/readyz still answers {status}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, after, _) = timed(get(cached)).await;
    assert_eq!((status, after), (200, before));
    let (status, page_after, _) = timed(get("/tickers/NVDA")).await;
    assert_eq!((status, page_after), (200, page_before));
    let (status, body, _) = timed(post_event()).await;
    assert_eq!(status, 201, "{body}");
    db.pool.close().await;
}
