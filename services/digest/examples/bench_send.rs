//! Figures for the note: render and send N digests (default 1,000) to an SMTP sink on
//! 127.0.0.1, and the size of a typical digest.
//!
//!     cargo run -p jevons-digest --example bench_send [-- N]

#![allow(clippy::unwrap_used)]

#[allow(dead_code)]
#[path = "../tests/support/smtp_sink.rs"]
mod smtp_sink;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, Utc};
use jevons_core::{PriceBar, Settings};
use jevons_digest::{Cadence, Digests};

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let db = jevons_store::testing::fresh_database().await;
    let sink = smtp_sink::SmtpSink::start().await;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config");
    let env = [
        ("DATABASE_URL", db.url.clone()),
        ("JEVONS__SMTP__PORT", sink.port.to_string()),
        ("JEVONS__SMTP__SECURITY", "none".to_string()),
    ];
    let settings = Arc::new(
        Settings::load_with(&root, env.into_iter().map(|(k, v)| (k.to_string(), v))).unwrap(),
    );
    jevons_store::tickers::sync_watchlist(&db.pool, &settings.watchlist)
        .await
        .unwrap();
    // 120 days of synthetic prices for the whole watchlist up to today.
    let today = Utc::now().date_naive();
    let series: Vec<_> = settings
        .watchlist
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let bars = (0..120)
                .map(|i| {
                    let c =
                        100.0 + (f64::from(i) * (0.3 + k as f64 * 0.05)).sin() * 10.0 + k as f64;
                    PriceBar {
                        day: today - Duration::days(119 - i64::from(i)),
                        open: c,
                        high: c,
                        low: c,
                        close: c,
                        adj_close: c,
                        volume: 1,
                    }
                })
                .collect();
            (t.symbol.clone(), bars)
        })
        .collect();
    jevons_store::prices::upsert_bars(&db.pool, "bench", &series)
        .await
        .unwrap();
    // Subscribers: a third follow everything, the others one of four ticker sets.
    let sets: [&[&str]; 4] = [
        &["NVDA"],
        &["NVDA", "AMD"],
        &["TSM", "ASML", "MU"],
        &["INTC", "SMCI"],
    ];
    for i in 0..n {
        let tickers: Vec<String> = if i % 3 == 0 {
            vec![]
        } else {
            sets[i % 4].iter().map(|s| s.to_string()).collect()
        };
        sqlx::query("INSERT INTO subscribers (email, cadence, tickers, time_zone, status, confirmed_at) VALUES ($1, 'daily', $2, 'UTC', 'confirmed', now())")
            .bind(format!("reader{i}@example.org"))
            .bind(&tickers)
            .execute(&db.pool)
            .await
            .unwrap();
    }
    let digests = Digests::new(db.pool.clone(), settings.clone())
        .await
        .unwrap();
    let started = Instant::now();
    let (queued, report) = digests.run(Cadence::Daily, Utc::now(), true).await.unwrap();
    let secs = started.elapsed().as_secs_f64();
    let msgs = sink.messages();
    let mut sizes: Vec<usize> = msgs.iter().map(|m| m.data.len()).collect();
    sizes.sort_unstable();
    println!(
        "queued {queued}, sent {}, retried {}, failed {}",
        report.sent, report.retried, report.failed
    );
    println!(
        "{} digests rendered and sent in {secs:.2}s ({:.1} ms each, {:.0}/s) over {} SMTP connection(s)",
        msgs.len(),
        secs * 1000.0 / msgs.len().max(1) as f64,
        msgs.len() as f64 / secs,
        sink.connections()
    );
    if !sizes.is_empty() {
        println!(
            "digest size: median {} bytes, min {}, max {}",
            sizes[sizes.len() / 2],
            sizes[0],
            sizes[sizes.len() - 1]
        );
    }
}
