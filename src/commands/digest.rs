//! `jevons subscribers …` and `jevons digest …`.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use chrono::{NaiveDate, Utc};
use jevons_core::Settings;
use jevons_digest::{Cadence, Digests, ImageMode};
use jevons_store::PgPool;

/// `jevons subscribers list`
pub async fn list_subscribers(pool: &PgPool) -> anyhow::Result<()> {
    let subs = jevons_store::digest::list(pool).await?;
    println!(
        "{:<6} {:<36} {:<7} {:<13} {:<20} {:<17} tickers",
        "id", "email", "cadence", "status", "time zone", "confirmed"
    );
    for s in &subs {
        println!(
            "{:<6} {:<36} {:<7} {:<13} {:<20} {:<17} {}",
            s.id,
            s.email,
            s.cadence,
            s.status,
            s.time_zone,
            s.confirmed_at.map_or_else(
                || "–".to_string(),
                |t| t.format("%Y-%m-%d %H:%M").to_string()
            ),
            if s.tickers.is_empty() {
                "(all)".to_string()
            } else {
                s.tickers.join(",")
            }
        );
    }
    println!("{} subscriber(s)", subs.len());
    Ok(())
}

/// `jevons subscribers remove EMAIL`: deletes the subscriber and its queued emails.
pub async fn remove_subscriber(pool: &PgPool, email: &str) -> anyhow::Result<bool> {
    let removed = jevons_store::digest::remove(pool, email.trim()).await?;
    if removed {
        println!("removed {}", email.trim());
    } else {
        eprintln!("no subscriber {}", email.trim());
    }
    Ok(removed)
}

/// `jevons digest preview --to FILE`: the HTML part with images as data URIs, viewable offline.
pub async fn preview(
    settings: &Arc<Settings>,
    pool: &PgPool,
    cadence: Cadence,
    tickers: &[String],
    day: Option<NaiveDate>,
    to: &Path,
) -> anyhow::Result<()> {
    let tickers: Vec<String> = tickers
        .iter()
        .map(|t| t.trim().to_ascii_uppercase())
        .collect();
    let tickers = tickers.as_slice();
    let digests = Digests::new(pool.clone(), settings.clone()).await?;
    digests.check_choices(tickers, "UTC")?;
    let composed = digests
        .preview(cadence, tickers, ImageMode::DataUri, day)
        .await?;
    std::fs::write(to, composed.html.as_bytes())
        .with_context(|| format!("cannot write {}", to.display()))?;
    println!(
        "wrote {} ({} bytes): \"{}\"",
        to.display(),
        composed.html.len(),
        composed.subject
    );
    Ok(())
}

/// `jevons digest send --now [--cadence C]`: both cadences unless one is named.
pub async fn send(
    settings: &Arc<Settings>,
    pool: &PgPool,
    now: bool,
    cadence: Option<Cadence>,
) -> anyhow::Result<bool> {
    anyhow::ensure!(
        now,
        "`jevons digest send` needs --now (it emails every confirmed subscriber)"
    );
    let cadences = match cadence {
        None => vec![Cadence::Daily, Cadence::Weekly],
        Some(c) => vec![c],
    };
    send_now(settings, pool, &cadences).await
}

/// Queues a digest for every confirmed subscriber of the cadence
/// (ignoring the hour; one per local day or ISO week still) and delivers the outbox.
async fn send_now(
    settings: &Arc<Settings>,
    pool: &PgPool,
    cadences: &[Cadence],
) -> anyhow::Result<bool> {
    let digests = Digests::new(pool.clone(), settings.clone()).await?;
    let started = std::time::Instant::now();
    let mut ok = true;
    for &cadence in cadences {
        let (queued, report) = digests.run(cadence, Utc::now(), true).await?;
        println!(
            "{}: {queued} queued, {} sent, {} to retry, {} failed, {} skipped",
            cadence.as_str(),
            report.sent,
            report.retried,
            report.failed,
            report.skipped
        );
        ok &= report.failed == 0 && report.retried == 0;
    }
    println!("done in {:.2}s", started.elapsed().as_secs_f64());
    Ok(ok)
}
