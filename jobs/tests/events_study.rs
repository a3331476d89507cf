//! The `events.study` job and the digest sections it feeds, on the bundled real dataset (prices
//! of the DeepSeek shock, the seed events, the bundled model data) in a fresh database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use jevons_core::Settings;
use jevons_digest::compose::{self, GatherOptions};
use jevons_digest::{Cadence, ImageMode, Period};
use jevons_jobs::{Job, JobContext, run_job};
use jevons_store::event_results;
use jevons_store::events::{self, EventFilter};
use jevons_store::job_runs::RunStatus;
use jevons_store::testing::{TestDatabase, fresh_database};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn settings(db: &TestDatabase) -> Settings {
    let data = root().join("data");
    let env = [
        ("DATABASE_URL", db.url.clone()),
        ("JEVONS__JOBS__ENABLED", "false".to_string()),
        (
            "JEVONS__MODELS__BUNDLED_DIR",
            data.join("models").display().to_string(),
        ),
        (
            "JEVONS__MODELS__ALIAS_FILE",
            data.join("models/aliases.csv").display().to_string(),
        ),
        (
            "JEVONS__SERVER__PUBLIC_BASE_URL",
            "http://jevons.test".to_string(),
        ),
    ];
    Settings::load_with(
        &root().join("config"),
        env.into_iter().map(|(k, v)| (k.to_string(), v)),
    )
    .unwrap()
}

/// What a first start on an empty database loads: the watchlist, the bundled prices and events
/// and, with `models`, the bundled model data.
async fn bundled(models: bool) -> (TestDatabase, Arc<Settings>) {
    let db = fresh_database().await;
    let settings = settings(&db);
    let pool = &db.pool;
    jevons_store::tickers::sync_watchlist(pool, &settings.watchlist)
        .await
        .unwrap();
    let series = jevons_market::csv_file::read_path(&root().join("data/prices")).unwrap();
    jevons_store::prices::upsert_bars(pool, "file", &series)
        .await
        .unwrap();
    events::seed_if_empty(pool, &root().join("data/events.csv"))
        .await
        .unwrap();
    if models {
        jevons_jobs::models::load_bundled(pool, &settings)
            .await
            .unwrap();
    }
    (db, Arc::new(settings))
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[tokio::test]
async fn events_study_stores_the_deepseek_sell_off_and_a_rerun_changes_nothing() {
    let (db, settings) = bundled(false).await;
    let pool = &db.pool;
    let ctx = JobContext::new(pool.clone(), settings.clone()).unwrap();

    let first = run_job(&ctx, Job::EventsStudy, Utc::now()).await.unwrap();
    assert_eq!(first.status, RunStatus::Succeeded, "{first:?}");
    let (stock_rows, group_rows) = event_results::counts(pool).await.unwrap();
    assert!(stock_rows > 0 && group_rows > 0);
    // The per-event rows and the one stored pooled result (no models here: no release classes).
    assert_eq!(first.rows_written, stock_rows + group_rows + 1);

    let sell_off = events::list(
        pool,
        &EventFilter {
            from: Some(day("2025-01-27")),
            to: Some(day("2025-01-27")),
            ..EventFilter::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(sell_off.len(), 1, "{sell_off:?}");
    let stored = event_results::for_event(pool, sell_off[0].id)
        .await
        .unwrap();
    let nvda = stored
        .iter()
        .find(|r| {
            r.result.symbol == "NVDA" && (r.result.window_start, r.result.window_end) == (0, 0)
        })
        .expect("NVDA day-0 result");
    assert_eq!(
        (nvda.benchmark.as_str(), nvda.model.as_str()),
        ("SPY", "market")
    );
    assert_eq!(nvda.day0, day("2025-01-27"));
    // Five sessions after day 0: Monday 27 January → Monday 3 February.
    assert_eq!(nvda.last_session, day("2025-02-03"));
    let r = &nvda.result;
    assert!(r.car < -0.12 && r.car > -0.22, "NVDA day-0 CAR {}", r.car);
    assert_eq!(r.ar_day0, Some(r.car));
    assert!(r.p_value.unwrap() < 0.01, "{r:?}");
    assert!(r.t.unwrap() < -3.0, "{r:?}");
    assert!(r.beta > 1.0 && r.estimation_days == 240, "{r:?}");
    // Every vendor of the watchlist with prices, four windows each.
    let vendors = stored
        .iter()
        .filter(|r| (r.result.window_start, r.result.window_end) == (0, 0))
        .count();
    assert!(vendors >= 10, "{vendors} vendors");
    assert_eq!(stored.len(), vendors * 4);
    let groups = event_results::group_for_event(pool, sell_off[0].id)
        .await
        .unwrap();
    let day0 = groups
        .iter()
        .find(|g| (g.2.window_start, g.2.window_end) == (0, 0))
        .unwrap();
    assert!(day0.2.mean_car < -0.05, "{day0:?}");
    assert!(day0.2.patell_p.unwrap() < 0.01, "{day0:?}");

    // Another run (another period): the same rows, nothing rewritten.
    let second = run_job(
        &ctx,
        Job::EventsStudy,
        Utc::now() + chrono::TimeDelta::minutes(5),
    )
    .await
    .unwrap();
    assert_eq!(second.status, RunStatus::Succeeded, "{second:?}");
    assert_eq!(second.rows_written, 0);
    assert_eq!(
        event_results::counts(pool).await.unwrap(),
        (stock_rows, group_rows)
    );
    let again = event_results::for_event(pool, sell_off[0].id)
        .await
        .unwrap();
    assert_eq!(
        again.iter().map(|r| &r.result).collect::<Vec<_>>(),
        stored.iter().map(|r| &r.result).collect::<Vec<_>>()
    );

    // An event after the last price (2025-06-30) waits; one before the data cannot be studied:
    // both are skipped, neither fails the run.
    for (d, title) in [("2025-06-27", "Too recent"), ("2023-07-10", "Too early")] {
        events::upsert(
            pool,
            events::NewEvent::on(day(d), events::EventKind::Manual, title),
            "cli",
        )
        .await
        .unwrap();
    }
    let report = jevons_insights::studies::store_event_studies(pool, &settings)
        .await
        .unwrap();
    assert_eq!(report.pending, 1, "{report:?}");
    assert!(
        report.failed.iter().any(|(_, t, _)| t == "Too early"),
        "{report:?}"
    );
    assert_eq!(report.rows_written, 0);
    assert_eq!(
        event_results::counts(pool).await.unwrap(),
        (stock_rows, group_rows)
    );
    // With a failing event among them, every event's results are still its own: day 0 is the
    // event's day or the next session after it.
    let all = events::list(pool, &EventFilter::default()).await.unwrap();
    let mut checked = 0;
    for event in &all {
        for r in event_results::for_event(pool, event.id).await.unwrap() {
            let lag = (r.day0 - event.day).num_days();
            assert!(
                (0..=4).contains(&lag),
                "{} ({}) holds a study with day 0 {}",
                event.title,
                event.day,
                r.day0
            );
            checked += 1;
        }
    }
    assert_eq!(checked, stock_rows);
}

fn period(from: &str, to: &str) -> Period {
    let at = |d: &str| Utc.from_utc_datetime(&day(d).and_hms_opt(12, 0, 0).unwrap());
    Period {
        key: format!("weekly:{from}"),
        start: at(from),
        end: at(to),
    }
}

#[tokio::test]
async fn a_digest_of_the_deepseek_weeks_shows_abnormal_returns_and_frontier_changes() {
    let (db, settings) = bundled(true).await;
    let pool = &db.pool;
    let ctx = JobContext::new(pool.clone(), settings.clone()).unwrap();
    let run = run_job(&ctx, Job::EventsStudy, Utc::now()).await.unwrap();
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");

    let opts = GatherOptions {
        base_url: "http://jevons.test",
        section_limit: 5,
        input_share: settings.models.input_share,
        mode: ImageMode::Cid,
        settings: Some(&settings),
    };
    let tickers = vec!["NVDA".to_string(), "AMD".to_string()];
    // 2025-01-20 (R1) to 2025-01-27 (the sell-off), a subscriber of NVDA and AMD.
    let content = compose::gather(pool, &tickers, &period("2025-01-19", "2025-01-27"), &opts)
        .await
        .unwrap();
    let composed = compose::render_digest(
        &content,
        Cadence::Weekly,
        "http://jevons.test",
        "http://jevons.test/unsubscribe?token=t",
        &tickers,
    )
    .unwrap();
    let (html, text) = (&composed.html, &composed.text);

    let abnormal = content.abnormal.as_ref().expect("abnormal-returns section");
    assert_eq!(abnormal[0].symbol, "NVDA", "largest CAR first");
    assert!(abnormal.iter().all(|r| tickers.contains(&r.symbol)));
    assert!(
        abnormal[0].significance.contains("***"),
        "{}",
        abnormal[0].significance
    );
    let section = &text[text.find("NOTABLE ABNORMAL RETURNS").expect(text)..];
    assert!(section.contains("NVDA"), "{section}");
    assert!(section.contains("\u{2212}"), "a negative CAR: {section}");
    assert!(section.contains("DeepSeek sell-off"), "{section}");
    assert!(section.contains("[+0, +0]"), "{section}");
    assert!(section.contains("market model vs SPY"), "{section}");
    let html_section = &html[html.find("Notable abnormal returns").expect(html)..];
    assert!(
        html_section.contains("<strong>NVDA</strong>"),
        "{html_section}"
    );
    assert!(
        html_section.contains("http://jevons.test/events/"),
        "{html_section}"
    );
    // "p < 0.0001" escaped.
    assert!(html_section.contains("t = \u{2212}"), "{html_section}");
    assert!(html_section.contains("0.0001 ***"), "{html_section}");

    // DeepSeek-R1 (2025-01-20) moved frontiers.
    let frontier = content.frontier.as_ref().expect("frontier section");
    assert!(
        frontier.iter().any(|f| f.model == "DeepSeek-R1"),
        "{:?}",
        frontier
            .iter()
            .map(|f| (&f.model, &f.what, &f.detail))
            .collect::<Vec<_>>()
    );
    let section = &text[text.find("FRONTIER CHANGES").expect(text)..];
    assert!(section.contains("DeepSeek-R1"), "{section}");
    assert!(html.contains("Frontier changes") && html.contains("DeepSeek-R1"));

    // The week after: the studies that completed in it (the sell-off's last session is
    // 2025-02-03), no release moved a frontier unless one came out.
    let later = compose::gather(pool, &[], &period("2025-02-02", "2025-02-09"), &opts)
        .await
        .unwrap();
    assert!(
        later
            .abnormal
            .as_ref()
            .unwrap()
            .iter()
            .any(|r| r.symbol == "NVDA" && r.event.contains("sell-off"))
    );
    // A period without events: the section is there, empty.
    let quiet = compose::gather(pool, &tickers, &period("2024-03-01", "2024-03-08"), &opts)
        .await
        .unwrap();
    assert!(quiet.abnormal.as_ref().unwrap().is_empty());
}

#[tokio::test]
async fn events_study_classifies_every_release_from_the_frontier() {
    let (db, settings) = bundled(true).await;
    let pool = &db.pool;
    let ctx = JobContext::new(pool.clone(), settings.clone()).unwrap();
    let started = std::time::Instant::now();
    let run = run_job(&ctx, Job::EventsStudy, Utc::now()).await.unwrap();
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");
    eprintln!("events.study with classes: {:?}", started.elapsed());
    let classes = jevons_store::release_classes::list(pool, None, None)
        .await
        .unwrap();
    let class_of = |name: &str| {
        classes
            .iter()
            .find(|c| c.model == name)
            .unwrap_or_else(|| panic!("{name} classified: {classes:#?}"))
    };
    // DeepSeek-R1 undercut o1 at a similar score: an efficiency event, with its margin.
    let r1 = class_of("DeepSeek-R1");
    assert!(r1.class.is_efficiency(), "{r1:?}");
    assert!(
        r1.price_ratio.unwrap() > 1.0 && r1.efficiency_benchmark.is_some(),
        "{r1:?}"
    );
    // Every class is explained by its margins, and the four classes all occur.
    for c in &classes {
        assert_eq!(c.class.is_efficiency(), c.price_ratio.is_some(), "{c:?}");
        assert_eq!(c.class.is_capability(), c.score_gain.is_some(), "{c:?}");
    }
    for class in jevons_store::release_classes::ReleaseClass::ALL {
        assert!(
            classes.iter().any(|c| c.class == class),
            "no {class:?} release"
        );
    }
    // A rerun on the same data writes nothing.
    let again = jevons_insights::releases::store_classes(pool, &settings, Utc::now().date_naive())
        .await
        .unwrap();
    assert_eq!(again, 0);
}
