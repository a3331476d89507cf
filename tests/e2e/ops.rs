//! Operations of `jevons serve` as a process: JSON logs with request ids and no secrets, the
//! metrics listener, and a graceful stop on SIGTERM while a job runs.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use jevons_store::testing::fresh_database;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

const API_KEY: &str = "api-key-Zq8v1-never-logged";
const SMTP_PASSWORD: &str = "smtp-pass-Kx93-never-logged";
const DIGEST_SECRET: &str = "digest-secret-Wm27-never-logged";
const DB_PASSWORD: &str = "db-pass-Tt55-never-logged";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `postgres://user@host/db` with a password added: the test server trusts local connections,
/// so it is accepted and ignored, but jevons must treat it as a secret.
fn with_password(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) if !rest.split('@').next().unwrap_or("").contains(':') => {
            match rest.split_once('@') {
                Some((user, host)) => format!("{scheme}://{user}:{DB_PASSWORD}@{host}"),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

struct Served {
    child: Child,
    port: u16,
    log: std::path::PathBuf,
}

impl Served {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM, then the exit status within `limit`.
    fn terminate(&mut self, limit: Duration) -> std::process::ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                self.child.kill().ok();
                panic!(
                    "still running {limit:?} after SIGTERM; log:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

fn serve_process(database_url: &str, log_dir: &Path, env: &[(&str, String)]) -> Served {
    let port = free_port();
    let log = log_dir.join(format!("serve-{port}.log"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jevons"));
    cmd.current_dir(repo_root())
        .arg("serve")
        .env_remove("RUST_LOG")
        .env("DATABASE_URL", database_url)
        .env("JEVONS__SERVER__LISTEN", format!("127.0.0.1:{port}"))
        .env("JEVONS__MARKET__YAHOO_BASE_URL", "http://127.0.0.1:9")
        .env("JEVONS__MARKET__STOOQ_BASE_URL", "http://127.0.0.1:9")
        .env("JEVONS__SUMMARIZER__AUTO_FETCH", "false")
        .env("JEVONS__METRICS__ENABLED", "false")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap());
    for (key, value) in env {
        cmd.env(key, value);
    }
    Served {
        child: cmd.spawn().unwrap(),
        port,
        log,
    }
}

async fn wait_ready(served: &mut Served) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        if let Ok(r) = client.get(served.url("/readyz")).send().await
            && r.status().is_success()
        {
            return;
        }
        if let Some(status) = served.child.try_wait().unwrap() {
            panic!("serve exited with {status}; log:\n{}", served.log());
        }
        assert!(
            Instant::now() < deadline,
            "not ready in time; log:\n{}",
            served.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("jevons-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn json_logs_carry_request_ids_metrics_are_scraped_and_secrets_never_appear() {
    let db = fresh_database().await;
    let metrics_port = free_port();
    let dir = temp_dir("ops-logs");
    let mut served = serve_process(
        &with_password(&db.url),
        &dir,
        &[
            ("JEVONS__LOG__FORMAT", "json".into()),
            // Everything jevons logs, at debug: no secret may appear at any level.
            (
                "JEVONS__LOG__FILTER",
                "debug,h2=info,hyper=info,rustls=info".into(),
            ),
            ("JEVONS__JOBS__ENABLED", "false".into()),
            ("JEVONS__API__KEY", API_KEY.into()),
            ("JEVONS__SMTP__PASSWORD", SMTP_PASSWORD.into()),
            ("JEVONS__DIGEST__SECRET", DIGEST_SECRET.into()),
            ("JEVONS__METRICS__ENABLED", "true".into()),
            (
                "JEVONS__METRICS__LISTEN",
                format!("127.0.0.1:{metrics_port}"),
            ),
        ],
    );
    wait_ready(&mut served).await;
    let client = reqwest::Client::new();

    let tickers = client
        .get(served.url("/api/v1/tickers"))
        .send()
        .await
        .unwrap();
    assert_eq!(tickers.status(), 200);
    let request_id = header(&tickers, "x-request-id").to_string();
    assert_eq!(request_id.len(), 36, "a UUID: {request_id}");
    let again = client.get(served.url("/")).send().await.unwrap();
    assert_ne!(
        header(&again, "x-request-id"),
        request_id,
        "one id per request"
    );

    // The key in both places a client may put it, right and wrong.
    let event = serde_json::json!({
        "day": "2025-01-20", "kind": "model_release", "title": "ops test event"
    });
    let wrong = client
        .post(served.url("/api/v1/events"))
        .bearer_auth(format!("{API_KEY}-wrong"))
        .json(&event)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let right = client
        .post(served.url("/api/v1/events"))
        .header("X-API-Key", API_KEY)
        .json(&event)
        .send()
        .await
        .unwrap();
    assert!(right.status().is_success(), "{}", right.status());

    let metrics = client
        .get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.unwrap();
    for expected in [
        r#"http_requests_total{method="GET",route="/api/v1/tickers",status="200"} 1"#,
        r#"http_requests_total{method="POST",route="/api/v1/events",status="401"} 1"#,
        r#"http_request_duration_seconds_bucket{method="GET",route="/api/v1/tickers",status="200",le="+Inf"} 1"#,
        r#"jevons_db_pool_connections{state="idle"}"#,
        r#"jevons_db_pool_max_connections"#,
        r#"jevons_digest_outbox_messages{state="pending"} 0"#,
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }

    let status = served.terminate(Duration::from_secs(60));
    assert!(status.success(), "{status}; log:\n{}", served.log());

    let log = served.log();
    let mut lines_with_id = 0;
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        let parsed: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        assert!(
            parsed["timestamp"].is_string() && parsed["level"].is_string(),
            "{line}"
        );
        if line.contains(&request_id) {
            lines_with_id += 1;
        }
    }
    assert!(
        lines_with_id > 0,
        "no log line names request {request_id}:\n{log}"
    );
    for secret in [API_KEY, SMTP_PASSWORD, DIGEST_SECRET, DB_PASSWORD] {
        assert!(!log.contains(secret), "the log holds a secret:\n{log}");
    }
    assert!(
        log.contains("stopping gracefully") && log.contains("SIGTERM"),
        "{log}"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn sigterm_during_a_job_records_it_interrupted_and_releases_its_lock() {
    let db = fresh_database().await;
    // A provider that never answers in time: the prices job is still fetching at SIGTERM.
    let slow = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(300)))
        .mount(&slow)
        .await;
    let dir = temp_dir("ops-sigterm");
    let mut served = serve_process(
        &db.url,
        &dir,
        &[
            ("JEVONS__JOBS__ENABLED", "true".into()),
            ("JEVONS__JOBS__CATCH_UP_ON_START", "true".into()),
            ("JEVONS__MARKET__YAHOO_BASE_URL", slow.uri()),
            ("JEVONS__MARKET__STOOQ_BASE_URL", slow.uri()),
            ("JEVONS__MARKET__TIMEOUT_SECS", "600".into()),
            ("JEVONS__MARKET__MAX_ATTEMPTS", "1".into()),
            ("JEVONS__SERVER__SHUTDOWN_TIMEOUT_S", "1".into()),
        ],
    );
    wait_ready(&mut served).await;

    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let running: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM job_runs WHERE job = 'prices.daily' AND status = 'running'",
        )
        .fetch_optional(&db.pool)
        .await
        .unwrap();
        if running.is_some() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the job never started:\n{}",
            served.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The job holds its advisory lock now.
    let locks = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
              WHERE l.locktype = 'advisory' AND d.datname = current_database()",
        )
        .fetch_one(&db.pool)
        .await
        .unwrap()
    };
    assert!(locks().await > 0, "the running job holds its lock");

    let stopping = Instant::now();
    let status = served.terminate(Duration::from_secs(30));
    assert!(status.success(), "{status}; log:\n{}", served.log());
    assert!(
        stopping.elapsed() < Duration::from_secs(15),
        "took {:?} to stop",
        stopping.elapsed()
    );

    let (status, error, finished): (String, Option<String>, bool) = sqlx::query_as(
        "SELECT status, error, finished_at IS NOT NULL FROM job_runs WHERE job = 'prices.daily'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(status, "interrupted", "{error:?}\n{}", served.log());
    assert!(finished);
    assert!(error.unwrap_or_default().contains("stopped"));
    assert_eq!(locks().await, 0, "no advisory lock is left held");
    // The jobs after it in the catch-up did not start once the process was stopping.
    let others: i64 =
        sqlx::query_scalar("SELECT count(*) FROM job_runs WHERE job <> 'prices.daily'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(others, 0);
    std::fs::remove_dir_all(dir).ok();
}
