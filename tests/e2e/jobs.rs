//! The price job: fetch → store → API, fallback, bad payloads, idempotence, one run across instances.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use jevons_jobs::{Job, run_job};
use jevons_store::job_runs::{self, RunStatus};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::*;

#[tokio::test]
async fn daily_job_fetches_from_yahoo_stores_and_serves_through_the_api() {
    let app = spawn_app(false).await;
    serve_yahoo_history(&app, day("2025-06-30")).await;

    let report = run_job(&app.job_context(), Job::PricesDaily, Utc::now())
        .await
        .unwrap();
    assert_eq!(report.status, RunStatus::Succeeded, "{report:?}");
    let rows = app.price_rows().await;
    // 12 symbols × 500 days, ARM 449 days: the whole watchlist, nothing else.
    assert_eq!(rows.len(), 12 * 500 + 449);
    assert_eq!(report.rows_written, rows.len() as i64);
    assert!(rows.iter().all(|r| r.source == "yahoo"));

    let body: serde_json::Value = app
        .get("/api/v1/prices/NVDA?from=2025-01-24&to=2025-01-27")
        .await
        .json()
        .await
        .unwrap();
    let bars = body["bars"].as_array().unwrap();
    assert_eq!(bars.len(), 2);
    assert_eq!(bars[0]["close"], 142.62);
    assert_eq!(bars[1]["close"], 118.42);
    assert_eq!(bars[1]["day"], "2025-01-27");

    let runs = job_runs::recent(app.pool(), Some("prices.daily"), 10)
        .await
        .unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status, RunStatus::Succeeded);
    assert_eq!(runs[0].rows_written, rows.len() as i64);
    assert!(runs[0].finished_at.is_some());
}

#[tokio::test]
async fn daily_job_gap_fills_from_the_last_stored_day() {
    let app = spawn_app_with(false, |s| watchlist_only(s, &["NVDA"])).await;
    // Stored up to 2025-06-30; the provider has the two sessions after it (real bundled bars).
    let all = bundled_series("NVDA");
    let cut = all.iter().position(|b| b.day > day("2025-06-30")).unwrap();
    jevons_store::prices::upsert_bars(app.pool(), "file", &[(sym("NVDA"), all[..cut].to_vec())])
        .await
        .unwrap();
    let extra = all[cut..cut + 2].to_vec();
    assert_eq!(
        (extra[0].day, extra[1].day),
        (day("2025-07-01"), day("2025-07-02"))
    );
    mount_yahoo(&app.yahoo, &sym("NVDA"), &extra).await;
    let before = app.price_rows().await.len();

    let report = run_job(&app.job_context(), Job::PricesDaily, Utc::now())
        .await
        .unwrap();
    assert_eq!(report.status, RunStatus::Succeeded, "{report:?}");
    assert_eq!(report.rows_written, 2);
    assert_eq!(app.price_rows().await.len(), before + 2);

    let requests = app.yahoo.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let period1: i64 = requests[0]
        .url
        .query_pairs()
        .find(|(k, _)| k == "period1")
        .map(|(_, v)| v.parse().unwrap())
        .expect("period1 in the query");
    let asked_from = Utc.timestamp_opt(period1, 0).unwrap().date_naive();
    // The provider pads the window by a day for time zones; it must not ask for the whole history.
    assert!(
        (day("2025-06-30")..=day("2025-07-01")).contains(&asked_from),
        "the job must ask only for the missing days, asked from {asked_from}"
    );
}

#[tokio::test]
async fn falls_back_to_stooq_when_yahoo_fails() {
    let app = spawn_app_with(false, |s| watchlist_only(s, &["NVDA"])).await;
    Mock::given(method("GET"))
        .and(path_regex("^/v8/finance/chart/.*"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&app.yahoo)
        .await;
    let bars = bundled_series("NVDA");
    Mock::given(method("GET"))
        .and(path("/q/d/l/"))
        .respond_with(ResponseTemplate::new(200).set_body_string(stooq_csv(&bars)))
        .mount(&app.stooq)
        .await;

    let report = run_job(&app.job_context(), Job::PricesDaily, Utc::now())
        .await
        .unwrap();
    assert_eq!(report.status, RunStatus::Succeeded, "{report:?}");
    let rows = app.price_rows().await;
    assert_eq!(rows.len(), bundled_series("NVDA").len());
    assert!(rows.iter().all(|r| r.source == "stooq"));
    // Yahoo was retried (max_attempts = 2) before falling back.
    assert_eq!(app.yahoo.received_requests().await.unwrap().len(), 2);
    let jan27 = rows.iter().find(|r| r.day == day("2025-01-27")).unwrap();
    assert_eq!(jan27.close, 118.42);
}

#[tokio::test]
async fn malformed_and_invalid_payloads_write_nothing_and_record_the_error() {
    let app = spawn_app_with(false, |s| watchlist_only(s, &["NVDA"])).await;
    Mock::given(method("GET"))
        .and(path("/v8/finance/chart/NVDA"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(r#"{"chart": {"result": [{"timestamp": [1"#),
        )
        .mount(&app.yahoo)
        .await;
    // Stooq answers with a bar whose low is above its close on the DeepSeek day.
    let mut bars = bundled_series("NVDA");
    let broken = bars
        .iter_mut()
        .find(|b| b.day == day("2025-01-27"))
        .unwrap();
    broken.low = 130.0;
    Mock::given(method("GET"))
        .and(path("/q/d/l/"))
        .respond_with(ResponseTemplate::new(200).set_body_string(stooq_csv(&bars)))
        .mount(&app.stooq)
        .await;

    let report = run_job(&app.job_context(), Job::PricesDaily, Utc::now())
        .await
        .unwrap();
    assert_eq!(report.status, RunStatus::Failed);
    assert!(
        app.price_rows().await.is_empty(),
        "a bad response must write nothing"
    );

    let run = &job_runs::recent(app.pool(), Some("prices.daily"), 1)
        .await
        .unwrap()[0];
    assert_eq!(run.status, RunStatus::Failed);
    assert_eq!(run.rows_written, 0);
    let error = run.error.as_deref().unwrap();
    assert!(error.contains("NVDA"), "{error}");
    assert!(error.contains("yahoo"), "{error}");
    assert!(error.contains("stooq"), "{error}");
    assert!(
        error.contains("2025-01-27"),
        "the bad day is named: {error}"
    );
}

#[tokio::test]
async fn a_second_run_leaves_identical_rows() {
    let app = spawn_app_with(false, |s| watchlist_only(s, &["NVDA", "AMD"])).await;
    serve_yahoo_history(&app, day("2025-06-30")).await;
    let ctx = app.job_context();
    let symbols = app.settings.symbols();

    let first = jevons_jobs::backfill_prices(
        &ctx,
        &symbols,
        Some(day("2023-07-03")),
        None,
        &jevons_jobs::SilentProgress,
    )
    .await
    .unwrap();
    assert_eq!(first.rows_written, 1000);
    let rows_after_first = app.price_rows().await;

    let second = jevons_jobs::backfill_prices(
        &ctx,
        &symbols,
        Some(day("2023-07-03")),
        None,
        &jevons_jobs::SilentProgress,
    )
    .await
    .unwrap();
    assert_eq!(second.rows_written, 0);
    assert_eq!(
        app.price_rows().await,
        rows_after_first,
        "every column, fetched_at included"
    );
}

#[tokio::test]
async fn two_instances_run_a_scheduled_job_once() {
    let app = spawn_app_with(false, |s| watchlist_only(s, &["NVDA"])).await;
    Mock::given(method("GET"))
        .and(path("/v8/finance/chart/NVDA"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(yahoo_chart_json("NVDA", &bundled_series("NVDA")))
                .set_delay(Duration::from_millis(500)),
        )
        .mount(&app.yahoo)
        .await;
    // Two processes = two pools on one database, firing for the same scheduled minute.
    let other_pool = jevons_store::connect_url(&app.db.url, 4).await.unwrap();
    let a = app.job_context();
    let b = jevons_jobs::JobContext::new(other_pool, app.settings.clone()).unwrap();
    let period = Utc.with_ymd_and_hms(2025, 7, 1, 22, 30, 0).unwrap();

    let (ra, rb) = tokio::join!(
        run_job(&a, Job::PricesDaily, period),
        run_job(&b, Job::PricesDaily, period)
    );
    let statuses = [ra.unwrap().status, rb.unwrap().status];
    assert!(statuses.contains(&RunStatus::Succeeded), "{statuses:?}");
    assert!(statuses.contains(&RunStatus::Skipped), "{statuses:?}");

    // A late instance firing for the same period after the first finished does not run it again.
    let late = run_job(&b, Job::PricesDaily, period).await.unwrap();
    assert_eq!(late.status, RunStatus::Skipped);

    let runs = job_runs::recent(app.pool(), Some("prices.daily"), 10)
        .await
        .unwrap();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(app.yahoo.received_requests().await.unwrap().len(), 1);
    assert_eq!(app.price_rows().await.len(), bundled_series("NVDA").len());
}

#[tokio::test]
async fn unknown_job_names_are_rejected() {
    let err = Job::parse("prices.hourly").unwrap_err().to_string();
    assert!(err.contains("prices.daily"), "{err}");
}

#[tokio::test]
async fn the_scheduler_fires_jobs_on_their_cron_schedule() {
    let mut app = spawn_app_with(false, |s| watchlist_only(s, &["NVDA"])).await;
    mount_yahoo(&app.yahoo, &sym("NVDA"), &bundled_series("NVDA")).await;
    std::sync::Arc::get_mut(&mut app.settings)
        .unwrap()
        .jobs
        .prices_daily = "* * * * * *".into();
    let mut scheduler = jevons_jobs::start_scheduler(app.job_context())
        .await
        .unwrap();

    let mut runs = Vec::new();
    for _ in 0..100 {
        runs = job_runs::recent(app.pool(), Some("prices.daily"), 10)
            .await
            .unwrap();
        if runs.iter().any(|r| r.status == RunStatus::Succeeded) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    scheduler.shutdown().await.unwrap();
    assert!(
        runs.iter().any(|r| r.status == RunStatus::Succeeded),
        "{runs:?}"
    );
    assert_eq!(app.price_rows().await.len(), bundled_series("NVDA").len());
}

#[tokio::test]
async fn catch_up_runs_a_missed_job_once_and_closes_interrupted_runs() {
    let app = spawn_app_with(false, |s| watchlist_only(s, &["NVDA"])).await;
    mount_yahoo(&app.yahoo, &sym("NVDA"), &bundled_series("NVDA")).await;
    // A process died during yesterday's run.
    let yesterday = Utc::now() - chrono::TimeDelta::days(1);
    let orphan = job_runs::start(app.pool(), "prices.daily", yesterday)
        .await
        .unwrap();

    jevons_jobs::catch_up(&app.job_context()).await.unwrap();
    let runs = job_runs::recent(app.pool(), Some("prices.daily"), 10)
        .await
        .unwrap();
    assert_eq!(runs.len(), 2, "{runs:?}");
    let closed = runs.iter().find(|r| r.id == orphan).unwrap();
    assert_eq!(closed.status, RunStatus::Failed);
    assert!(closed.error.as_deref().unwrap().contains("interrupted"));
    assert!(runs.iter().any(|r| r.status == RunStatus::Succeeded));

    // A recent success: nothing to catch up.
    jevons_jobs::catch_up(&app.job_context()).await.unwrap();
    assert_eq!(
        job_runs::recent(app.pool(), Some("prices.daily"), 10)
            .await
            .unwrap()
            .len(),
        2
    );
}
