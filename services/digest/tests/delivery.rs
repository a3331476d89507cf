//! Digest delivery against a real SMTP conversation on 127.0.0.1 and a real database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{Duration, NaiveDate, Utc};
use jevons_core::{PriceBar, Settings, Symbol};
use jevons_digest::{Cadence, Digests, Email, ImageMode, Purpose};
use jevons_store::digest as db;
use jevons_store::testing::{TestDatabase, fresh_database};
use mail_parser::{MessageParser, MimeHeaders};
use support::smtp_sink::{Mode, SmtpSink};

fn settings(db: &TestDatabase, smtp_port: u16) -> Settings {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config");
    let env = [
        ("DATABASE_URL", db.url.clone()),
        (
            "JEVONS__SERVER__PUBLIC_BASE_URL",
            "http://jevons.test:8080".to_string(),
        ),
        ("JEVONS__SMTP__PORT", smtp_port.to_string()),
        ("JEVONS__SMTP__HOST", "127.0.0.1".to_string()),
        ("JEVONS__SMTP__SECURITY", "none".to_string()),
        ("JEVONS__SMTP__TIMEOUT_SECS", "5".to_string()),
        ("JEVONS__DIGEST__BACKOFF_BASE_SECS", "60".to_string()),
        ("JEVONS__DIGEST__MAX_ATTEMPTS", "5".to_string()),
        ("JEVONS__DIGEST__BOUNCE_AFTER", "2".to_string()),
    ];
    Settings::load_with(&root, env.into_iter().map(|(k, v)| (k.to_string(), v))).unwrap()
}

/// Watchlist rows and 60 days of synthetic prices up to today for NVDA and AMD (NVDA falls
/// 10% today).
async fn seed(pool: &jevons_store::PgPool, settings: &Settings) {
    jevons_store::tickers::sync_watchlist(pool, &settings.watchlist)
        .await
        .unwrap();
    // The last bar is the latest session that has closed: a digest due now reports it.
    let now = Utc::now();
    let mut today = now.date_naive();
    if jevons_digest::period::session_close(today) > now {
        today -= Duration::days(1);
    }
    let series = |sym: &str, last_move: f64| {
        let bars: Vec<PriceBar> = (0..60)
            .map(|i| {
                let day: NaiveDate = today - Duration::days(59 - i);
                let mut c = 100.0 + (i as f64) * 0.5;
                if i == 59 {
                    c = (100.0 + 58.0 * 0.5) * (1.0 + last_move);
                }
                PriceBar {
                    day,
                    open: c,
                    high: c,
                    low: c,
                    close: c,
                    adj_close: c,
                    volume: 1000,
                }
            })
            .collect();
        (Symbol::parse(sym).unwrap(), bars)
    };
    jevons_store::prices::upsert_bars(pool, "test", &[series("NVDA", -0.10), series("AMD", 0.02)])
        .await
        .unwrap();
}

struct Env {
    db: TestDatabase,
    sink: SmtpSink,
    settings: Arc<Settings>,
    digests: Digests,
}

async fn env() -> Env {
    let db = fresh_database().await;
    let sink = SmtpSink::start().await;
    let settings = Arc::new(settings(&db, sink.port));
    seed(&db.pool, &settings).await;
    let digests = Digests::new(db.pool.clone(), settings.clone())
        .await
        .unwrap();
    Env {
        db,
        sink,
        settings,
        digests,
    }
}

/// A confirmed daily subscriber to NVDA and AMD.
async fn confirmed(e: &Env, address: &str) -> i64 {
    let email = Email::parse(address).unwrap();
    let tickers = vec!["NVDA".to_string(), "AMD".to_string()];
    let (sub, _, _) = e
        .digests
        .subscribe(&email, Cadence::Daily, &tickers, "Europe/Paris")
        .await
        .unwrap();
    db::confirm(&e.db.pool, sub.id).await.unwrap().unwrap();
    sub.id
}

fn token_from(url_prefix: &str, text: &str) -> String {
    let start = text
        .find(url_prefix)
        .unwrap_or_else(|| panic!("no {url_prefix} in {text}"))
        + url_prefix.len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .collect()
}

#[tokio::test]
async fn confirmation_then_digest_with_both_parts_inline_images_links_and_headers() {
    let e = env().await;
    let email = Email::parse("Reader@Example.org").unwrap();
    let tickers = vec!["NVDA".to_string(), "AMD".to_string()];
    let (sub, outcome, queued) = e
        .digests
        .subscribe(&email, Cadence::Daily, &tickers, "Asia/Tokyo")
        .await
        .unwrap();
    assert_eq!(outcome, db::SubscribeOutcome::Created);
    assert_eq!(sub.status, "pending");
    // A double submit does not duplicate the subscriber nor the confirmation.
    let (again, outcome2, queued2) = e
        .digests
        .subscribe(
            &Email::parse("reader@EXAMPLE.org").unwrap(),
            Cadence::Daily,
            &tickers,
            "Asia/Tokyo",
        )
        .await
        .unwrap();
    assert_eq!(again.id, sub.id);
    assert_eq!(outcome2, db::SubscribeOutcome::Renewed);
    assert!(queued.is_some() && queued2.is_none());
    assert_eq!(db::list(&e.db.pool).await.unwrap().len(), 1);

    let r = e.digests.deliver_due(None).await.unwrap();
    assert_eq!(r.sent, 1, "{r:?}");
    let msgs = e.sink.messages();
    assert_eq!(msgs.len(), 1);
    assert!(
        msgs[0].to[0].contains("Reader@example.org"),
        "{:?}",
        msgs[0].to
    );
    let parsed = MessageParser::default().parse(&msgs[0].data).unwrap();
    assert_eq!(
        parsed.subject(),
        Some("Confirm your jevons digest subscription")
    );
    let text = parsed.body_text(0).unwrap().to_string();
    let html = parsed.body_html(0).unwrap().to_string();
    assert!(
        html.contains("http://jevons.test:8080/subscribe/confirm?token="),
        "{html}"
    );
    let token = token_from("/subscribe/confirm?token=", &text);
    assert_eq!(
        e.digests
            .signer()
            .verify(&token, Purpose::Confirm, Utc::now())
            .unwrap(),
        sub.id
    );
    let confirmed = e.digests.confirm(&token).await.unwrap();
    assert_eq!(confirmed.status, "confirmed");

    // The digest: queued once, sent once, with both parts, inline images and unsubscribe headers.
    assert_eq!(
        e.digests
            .queue_due(Cadence::Daily, Utc::now(), true)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        e.digests
            .queue_due(Cadence::Daily, Utc::now(), true)
            .await
            .unwrap(),
        0
    );
    let r = e.digests.deliver_due(None).await.unwrap();
    assert_eq!(r.sent, 1, "{r:?}");
    let msgs = e.sink.messages();
    assert_eq!(msgs.len(), 2);
    let raw = &msgs[1].data;
    let m = MessageParser::default().parse(raw).unwrap();
    let subject = m.subject().unwrap();
    assert!(
        subject.contains("NVDA") && subject.contains("10.00%"),
        "{subject}"
    );
    let text = m.body_text(0).unwrap().to_string();
    let html = m.body_html(0).unwrap().to_string();
    assert!(
        text.contains("NVDA") && text.contains("\u{2212}10.00%"),
        "{text}"
    );
    assert!(text.contains("AMD") && text.contains("+2.00%"), "{text}");
    assert!(!text.contains("MU "), "only the chosen tickers: {text}");
    assert!(
        html.contains("http://jevons.test:8080/tickers/NVDA"),
        "absolute links: {html}"
    );
    // Every cid: in the HTML has an inline PNG part with that Content-ID.
    let cids: Vec<String> = html
        .match_indices("cid:")
        .map(|(i, _)| html[i + 4..].chars().take_while(|c| *c != '"').collect())
        .collect();
    assert!(cids.len() >= 3, "sparklines and a chart: {cids:?}");
    for cid in &cids {
        let part = m
            .parts
            .iter()
            .find(|p| p.content_id() == Some(cid.as_str()))
            .unwrap_or_else(|| panic!("no part for cid {cid}"));
        assert_eq!(part.content_type().unwrap().ctype(), "image");
        let body = part.contents();
        assert_eq!(&body[..8], b"\x89PNG\r\n\x1a\n");
    }
    let header = |name: &str| {
        m.header_raw(name)
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|| panic!("no {name} header"))
    };
    let list_unsub = header("List-Unsubscribe");
    assert!(
        list_unsub.starts_with("<http://jevons.test:8080/unsubscribe?token="),
        "{list_unsub}"
    );
    assert_eq!(
        header("List-Unsubscribe-Post"),
        "List-Unsubscribe=One-Click"
    );
    let unsub_token = token_from("/unsubscribe?token=", &text);
    assert!(list_unsub.contains(&unsub_token));
    assert!(raw.len() < 200_000, "digest of {} bytes", raw.len());

    // Unsubscribed: nothing more.
    assert!(e.digests.unsubscribe(&unsub_token).await.unwrap());
    let later = Utc::now() + Duration::days(1);
    assert_eq!(
        e.digests
            .queue_due(Cadence::Daily, later, true)
            .await
            .unwrap(),
        0
    );
    e.digests.deliver_due(None).await.unwrap();
    assert_eq!(e.sink.messages().len(), 2);
    // A wrong-purpose or forged token is refused.
    assert!(e.digests.confirm(&unsub_token).await.is_err());
    assert!(e.digests.unsubscribe("garbage").await.is_err());
}

async fn digest_rows(pool: &jevons_store::PgPool, id: i64) -> Vec<db::OutboxRow> {
    db::outbox(pool, Some(id))
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.kind == "digest")
        .collect()
}

async fn make_due(pool: &jevons_store::PgPool) {
    sqlx::query("UPDATE digest_outbox SET next_attempt_at = now() WHERE status = 'pending'")
        .execute(pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn refused_and_dropped_connections_are_retried_and_delivered_exactly_once() {
    let e = env().await;
    let id = confirmed(&e, "retry@example.org").await;
    assert_eq!(
        e.digests
            .queue_due(Cadence::Daily, Utc::now(), true)
            .await
            .unwrap(),
        1
    );

    for mode in [Mode::Refuse(421), Mode::Drop, Mode::Refuse(451)] {
        e.sink.set_mode(mode);
        let r = e.digests.deliver_due(None).await.unwrap();
        assert_eq!((r.sent, r.retried), (0, 1), "{mode:?}: {r:?}");
        let rows = digest_rows(&e.db.pool, id).await;
        assert_eq!(rows[0].status, "pending");
        assert!(
            rows[0].next_attempt_at > Utc::now() + Duration::seconds(30),
            "backoff"
        );
        // Not due yet: nothing is tried.
        assert_eq!(
            e.digests.deliver_due(None).await.unwrap(),
            Default::default()
        );
        make_due(&e.db.pool).await;
    }
    let rows = digest_rows(&e.db.pool, id).await;
    assert_eq!(rows[0].attempts, 3);
    // Exponential: the third failure waits 4 × base.
    let wait = rows[0].next_attempt_at - Utc::now();
    assert!(wait <= Duration::seconds(1), "made due");

    e.sink.set_mode(Mode::Accept);
    let r = e.digests.deliver_due(None).await.unwrap();
    assert_eq!(r.sent, 1, "{r:?}");
    make_due(&e.db.pool).await;
    e.digests.deliver_due(None).await.unwrap();
    assert_eq!(e.sink.messages().len(), 1, "exactly one delivery");
    let rows = digest_rows(&e.db.pool, id).await;
    assert_eq!(rows[0].status, "sent");
    assert_eq!(rows[0].attempts, 4);
    assert!(rows[0].message_id.is_some());
}

#[tokio::test]
async fn two_concurrent_senders_send_each_digest_once() {
    let e = env().await;
    for i in 0..12 {
        confirmed(&e, &format!("reader{i}@example.org")).await;
    }
    // Two instances queue and deliver at the same time.
    let other = Digests::new(e.db.pool.clone(), e.settings.clone())
        .await
        .unwrap();
    let now = Utc::now();
    let (a, b) = tokio::join!(
        e.digests.run(Cadence::Daily, now, true),
        other.run(Cadence::Daily, now, true)
    );
    let (qa, ra) = a.unwrap();
    let (qb, rb) = b.unwrap();
    assert_eq!(qa + qb, 12, "each period queued once");
    assert_eq!(ra.sent + rb.sent, 12);
    let msgs = e.sink.messages();
    assert_eq!(msgs.len(), 12);
    let mut recipients: Vec<_> = msgs.iter().map(|m| m.to[0].clone()).collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 12, "one email per subscriber");
}

#[tokio::test]
async fn permanent_refusals_mark_the_subscriber_bouncing() {
    let e = env().await;
    let id = confirmed(&e, "gone@example.org").await;
    e.digests
        .queue_due(Cadence::Daily, Utc::now(), true)
        .await
        .unwrap();
    e.sink.set_mode(Mode::Refuse(550));
    let r = e.digests.deliver_due(None).await.unwrap();
    assert_eq!(r.retried, 1, "{r:?}");
    make_due(&e.db.pool).await;
    let r = e.digests.deliver_due(None).await.unwrap();
    assert_eq!(r.failed, 1, "{r:?}");
    let sub = db::get(&e.db.pool, id).await.unwrap().unwrap();
    assert_eq!(sub.status, "bouncing");
    assert_eq!(digest_rows(&e.db.pool, id).await[0].status, "failed");
    // A bouncing subscriber gets no more digests.
    e.sink.set_mode(Mode::Accept);
    assert_eq!(
        e.digests
            .queue_due(Cadence::Daily, Utc::now() + Duration::days(1), true)
            .await
            .unwrap(),
        0
    );
    assert!(e.sink.messages().is_empty());
}

#[tokio::test]
async fn empty_periods_are_skipped_and_previews_render() {
    let e = env().await;
    let email = Email::parse("quiet@example.org").unwrap();
    // SPY has no prices in this database: nothing to report.
    let (sub, _, _) = e
        .digests
        .subscribe(&email, Cadence::Daily, &["SPY".to_string()], "UTC")
        .await
        .unwrap();
    db::confirm(&e.db.pool, sub.id).await.unwrap();
    e.digests
        .queue_due(Cadence::Daily, Utc::now(), true)
        .await
        .unwrap();
    let r = e.digests.deliver_due(None).await.unwrap();
    // The confirmation is no longer needed, and the digest has nothing in it.
    assert_eq!((r.sent, r.skipped), (0, 2), "{r:?}");
    assert!(e.sink.messages().is_empty());

    let preview = e
        .digests
        .preview(Cadence::Weekly, &[], ImageMode::DataUri, None)
        .await
        .unwrap();
    assert!(
        preview.html.contains("data:image/png;base64,"),
        "browser preview uses data URIs"
    );
    assert!(!preview.html.contains("cid:"));
    assert!(preview.html.contains("weekly jevons digest"));
    assert!(
        e.digests
            .subscribe(&email, Cadence::Daily, &["ZZZZ".to_string()], "UTC")
            .await
            .is_err()
    );
    assert!(
        e.digests
            .subscribe(&email, Cadence::Daily, &[], "Mars/Base")
            .await
            .is_err()
    );
}

fn model(name: &str, released: NaiveDate) -> jevons_core::ai::ModelRecord {
    jevons_core::ai::ModelRecord {
        organization: Some("Test Lab".into()),
        released: Some(released),
        ..jevons_core::ai::ModelRecord::new(name, name.to_ascii_lowercase().replace(' ', "-"))
    }
}

/// Models on one benchmark: two known for months, and one released today that beats both.
async fn seed_models(pool: &jevons_store::PgPool, today: NaiveDate) {
    let models = [
        ("Old Best", 120, 0.70, 10.0),
        ("Old Cheap", 90, 0.50, 0.5),
        ("New Star", 0, 0.75, 1.0),
    ];
    let batch = jevons_core::ai::SourceBatch {
        source: "test".into(),
        source_url: None,
        snapshot: None,
        models: models
            .iter()
            .map(|(n, age, _, _)| model(n, today - Duration::days(*age)))
            .collect(),
        scores: models
            .iter()
            .map(|(n, _, score, _)| jevons_core::ai::ScoreRecord {
                model_name: n.to_string(),
                model_key: n.to_ascii_lowercase().replace(' ', "-"),
                benchmark_key: "test-bench".into(),
                benchmark_name: "Test Bench".into(),
                metric: "accuracy".into(),
                value: *score,
                raw_value: score * 100.0,
                scale: jevons_core::ai::ScoreScale::Fraction,
                as_of: None,
                self_reported: false,
                url: None,
            })
            .collect(),
        prices: models
            .iter()
            .map(|(n, _, _, input)| jevons_core::ai::PriceRecord {
                model_name: n.to_string(),
                model_key: n.to_ascii_lowercase().replace(' ', "-"),
                provider: "test".into(),
                input_usd_per_mtok: Some(*input),
                output_usd_per_mtok: Some(input * 3.0),
                effective: today - Duration::days(200),
                dated: false,
                removed: false,
            })
            .collect(),
    };
    jevons_store::models::import_batch(pool, &batch)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_digest_carries_stored_abnormal_returns_and_frontier_changes_in_both_parts() {
    use jevons_store::event_results::{self, StockResult, StudyResults};
    use jevons_store::events::{EventKind, NewEvent};

    let e = env().await;
    let pool = &e.db.pool;
    let today = Utc::now().date_naive();
    let (event, _) = jevons_store::events::upsert(
        pool,
        NewEvent::on(today, EventKind::News, "Chip sell-off"),
        "cli",
    )
    .await
    .unwrap();
    let result = |symbol: &str, car: f64, t: f64, p: f64| StockResult {
        symbol: symbol.into(),
        window_start: 0,
        window_end: 0,
        car,
        se: Some(car / t),
        t: Some(t),
        p_value: Some(p),
        bhar: Some(car),
        ar_day0: Some(car),
        alpha: 0.0,
        beta: 1.5,
        sigma: 0.02,
        estimation_days: 240,
    };
    event_results::replace(
        pool,
        &StudyResults {
            event_id: event.id,
            benchmark: "SPY".into(),
            model: "market".into(),
            day0: today,
            last_session: today,
            stocks: vec![
                result("NVDA", -0.1, -4.5, 0.00001),
                // Not significant: left out.
                result("AMD", 0.01, 0.4, 0.69),
                // Significant but not one of the subscriber's tickers.
                result("MU", -0.05, -2.5, 0.013),
            ],
            group: Vec::new(),
        },
    )
    .await
    .unwrap();
    seed_models(pool, today).await;

    confirmed(&e, "studies@example.org").await;
    e.digests
        .queue_due(Cadence::Daily, Utc::now(), true)
        .await
        .unwrap();
    let r = e.digests.deliver_due(None).await.unwrap();
    assert_eq!(r.sent, 1, "{r:?}");
    let msgs = e.sink.messages();
    let m = MessageParser::default().parse(&msgs[0].data).unwrap();
    let text = m.body_text(0).unwrap().to_string();
    let html = m.body_html(0).unwrap().to_string();

    let section = &text[text.find("NOTABLE ABNORMAL RETURNS").expect(&text)..];
    assert!(
        section.contains("NVDA")
            && section.contains("\u{2212}10.00% [+0, +0] around Chip sell-off"),
        "{section}"
    );
    assert!(
        section.contains("t = \u{2212}4.50, p < 0.0001 ***"),
        "{section}"
    );
    assert!(
        !section.contains("AMD") && !section.contains("MU "),
        "{section}"
    );
    assert!(
        section.contains(&format!("http://jevons.test:8080/events/{}", event.id)),
        "{section}"
    );
    let html_section = &html[html.find("Notable abnormal returns").expect(&html)..];
    assert!(
        html_section.contains("<strong>NVDA</strong>"),
        "{html_section}"
    );
    assert!(html_section.contains("\u{2212}10.00%"), "{html_section}");
    assert!(
        !html_section.contains("<strong>MU</strong>"),
        "{html_section}"
    );

    let frontier = &text[text.find("FRONTIER CHANGES").expect(&text)..];
    assert!(
        frontier.contains(
            "New Star set a new best on Test Bench: 75.0% at $1.50 per M tokens; previous best Old Best 70.0% (+5.0 points)"
        ),
        "{frontier}"
    );
    assert!(
        html.contains("Frontier changes") && html.contains("set a new best on Test Bench"),
        "{html}"
    );
}

#[tokio::test]
async fn a_stopping_worker_sends_nothing_more_and_gives_its_claims_back() {
    let e = env().await;
    for i in 0..3 {
        confirmed(&e, &format!("stop{i}@example.org")).await;
    }
    assert_eq!(
        e.digests
            .queue_due(Cadence::Daily, Utc::now(), true)
            .await
            .unwrap(),
        3
    );
    let stop = tokio_util::sync::CancellationToken::new();
    let stopping = Digests::new(e.db.pool.clone(), e.settings.clone())
        .await
        .unwrap()
        .with_shutdown(stop.clone());
    stop.cancel();
    let r = stopping.deliver_due(None).await.unwrap();
    assert_eq!(r, Default::default(), "nothing sent once stopping");
    // The worker loop returns at once too.
    tokio::time::timeout(std::time::Duration::from_secs(5), stopping.run_worker())
        .await
        .expect("the worker stops");
    assert!(e.sink.messages().is_empty());
    let rows: Vec<_> = db::outbox(&e.db.pool, None)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.kind == "digest")
        .collect();
    assert_eq!(rows.len(), 3);
    for row in &rows {
        assert_eq!(
            (row.status.as_str(), row.attempts),
            ("pending", 0),
            "{row:?}"
        );
    }
    // Another instance (or the next start) sends each one, once.
    let r = e.digests.deliver_due(None).await.unwrap();
    assert_eq!(r.sent, 3, "{r:?}");
    assert_eq!(e.sink.messages().len(), 3);
}
