//! `jevons import models`, `jevons backfill models`, `jevons models frontier|trend`, and the
//! bundled model data loaded into an empty database.

use std::path::Path;

use anyhow::Context;
use chrono::{NaiveDate, Utc};
use jevons_analytics::efficiency::{FrontierOptions, KnownBy};
use jevons_benchmarks::Format;
use jevons_core::Settings;
use jevons_jobs::models as jobs_models;
use jevons_store::PgPool;
use jevons_store::models::ImportStats;

use crate::cli::ModelsCommand;

fn describe(stats: &ImportStats) -> String {
    let part = |what: &str, c: &jevons_store::models::WriteCounts| {
        (c.rows > 0).then(|| {
            format!(
                "{what}: {} new, {} changed, {} unchanged",
                c.inserted, c.updated, c.unchanged
            )
        })
    };
    let mut parts: Vec<String> = [
        part("models", &stats.models),
        part("scores", &stats.scores),
        part("prices", &stats.prices),
    ]
    .into_iter()
    .flatten()
    .collect();
    parts.push(format!(
        "{} unmatched name(s) (see /models/unmatched)",
        stats.unmatched_names
    ));
    parts.join("; ")
}

/// On an empty model catalogue (and `database.seed_on_empty`), loads data/models.
pub async fn seed(settings: &Settings, pool: &PgPool) -> anyhow::Result<()> {
    if !settings.database.seed_on_empty || !jevons_store::models::is_empty(pool).await? {
        return Ok(());
    }
    if !settings.models.bundled_dir.join("manifest.csv").exists() {
        tracing::warn!(dir = %settings.models.bundled_dir.display(), "empty model catalogue and no bundled model data found");
        return Ok(());
    }
    let loaded = jobs_models::load_bundled(pool, settings)
        .await
        .context("loading the bundled model data")?;
    tracing::info!(
        files = loaded.len(),
        "empty model catalogue: loaded the bundled model data"
    );
    Ok(())
}

pub async fn import(
    settings: &Settings,
    pool: &PgPool,
    path: &Path,
    format: Format,
    snapshot: Option<NaiveDate>,
    source: Option<String>,
    self_reported: bool,
) -> anyhow::Result<()> {
    let stats = jobs_models::import_file(
        pool,
        settings,
        path,
        format,
        snapshot,
        source,
        self_reported,
    )
    .await?;
    println!("imported {}: {}", path.display(), describe(&stats));
    Ok(())
}

/// Returns false when a source failed.
pub async fn backfill(settings: &Settings, pool: &PgPool, bundled: bool) -> anyhow::Result<bool> {
    if bundled {
        for (file, stats) in jobs_models::load_bundled(pool, settings).await? {
            println!("{file}: {}", describe(&stats));
        }
        return Ok(true);
    }
    let report = jobs_models::fetch_sources(pool, settings).await?;
    for (url, stats) in &report.sources {
        println!("{url}: {}", describe(stats));
    }
    for e in &report.failed {
        eprintln!("FAILED {e}");
    }
    Ok(report.failed.is_empty())
}

pub async fn run(settings: &Settings, pool: &PgPool, command: ModelsCommand) -> anyhow::Result<()> {
    match command {
        ModelsCommand::Frontier {
            benchmark,
            date,
            earliest,
        } => {
            let date = date.unwrap_or_else(|| Utc::now().date_naive());
            let key = jevons_benchmarks::benchmark_key(&benchmark).0;
            let opts = FrontierOptions {
                input_share: settings.models.input_share,
                known_by: if earliest {
                    KnownBy::EarliestKnown
                } else {
                    KnownBy::AsOf
                },
            };
            let f = jevons_insights::models::frontier(pool, &key, None, date, &opts).await?;
            println!(
                "{key} ({}) frontier on {date}, prices {}; {} candidate model(s):",
                f.metric.as_deref().unwrap_or("-"),
                if earliest {
                    "back-filled from the first snapshot"
                } else {
                    "known at the date"
                },
                f.points.len()
            );
            println!(
                "{:<28} {:>10} {:>10} {:>12}  {:<12} {:<10} score source",
                "model", "released", "score", "$/1M blend", "provider", "price of"
            );
            for p in f.frontier() {
                println!(
                    "{:<28} {:>10} {:>10.4} {:>12.4}  {:<12} {:<10} {}{}",
                    p.model,
                    p.released,
                    p.score,
                    p.price,
                    p.provider,
                    p.price_effective,
                    p.score_source,
                    if p.self_reported {
                        " (self-reported)"
                    } else {
                        ""
                    }
                );
            }
        }
        ModelsCommand::Trend { from, to } => {
            let from = from.or(NaiveDate::from_ymd_opt(2010, 1, 1));
            let t = jevons_insights::models::trends(pool, from, to).await?;
            for (what, trend) in [
                ("training compute (FLOP)", t.compute),
                ("training cost (2023 USD)", t.cost),
            ] {
                match trend {
                    Some(t) => println!(
                        "{what}: {:.2}x per year (95% CI {:.2}-{:.2}x), doubling every {:.1} months; n={} models {}..{}, R^2={:.2}",
                        t.growth_per_year,
                        t.growth_ci_low,
                        t.growth_ci_high,
                        t.doubling_months,
                        t.n,
                        t.first,
                        t.last,
                        t.r2
                    ),
                    None => println!("{what}: not enough data"),
                }
            }
        }
    }
    Ok(())
}
