//! What every command does before its own work: settings, database, schema, watchlist, seed data.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use chrono::Utc;
use jevons_core::Settings;
use jevons_store::{Database, PgPool, prices, tickers};

/// Connects (starting the embedded cluster when no URL is configured) and runs migrations.
pub async fn open_database(settings: &Settings) -> anyhow::Result<Database> {
    let started = Instant::now();
    let db = jevons_store::connect(&settings.database)
        .await
        .context("cannot open the database")?;
    jevons_store::migrate(&db.pool)
        .await
        .context("migrations failed")?;
    tracing::info!(
        embedded = db.embedded.is_some(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "database ready"
    );
    Ok(db)
}

/// Makes the tickers table match the configured watchlist and, on an empty database, loads the
/// bundled dataset so every page shows real data before the first fetch.
pub async fn prepare_data(settings: &Settings, pool: &PgPool) -> anyhow::Result<()> {
    tickers::sync_watchlist(pool, &settings.watchlist).await?;
    if settings.database.seed_on_empty && prices::is_empty(pool).await? {
        let dir = &settings.database.bundled_prices;
        if dir.exists() {
            let stats = import_prices(pool, dir).await?;
            tracing::info!(rows = stats.rows, dir = %dir.display(), "empty database: loaded the bundled dataset");
        } else {
            tracing::warn!(dir = %dir.display(), "empty database and no bundled dataset found");
        }
    }
    crate::commands::models::seed(settings, pool).await?;
    jevons_jobs::fundamentals::load_bundled(pool, settings).await?;
    crate::commands::events::seed(settings, pool).await?;
    jevons_jobs::news::sync_feeds(pool, &settings.news).await?;
    Ok(())
}

/// Reads a SYMBOL.csv file or a directory of them, checks every row and writes all of it in one
/// transaction, or nothing when any row is bad.
pub async fn import_prices(pool: &PgPool, path: &Path) -> anyhow::Result<prices::WriteStats> {
    let series = jevons_market::csv_file::read_path(path)
        .with_context(|| format!("cannot read prices from {}", path.display()))?;
    let today = Utc::now().date_naive();
    let mut problems = Vec::new();
    for (symbol, bars) in &series {
        for bad in jevons_core::validate_series(bars, today) {
            problems.push(format!("{symbol} {bad}"));
        }
    }
    if !problems.is_empty() {
        let shown: Vec<_> = problems.iter().take(20).cloned().collect();
        anyhow::bail!(
            "{} bad row(s) in {}, nothing imported:\n{}{}",
            problems.len(),
            path.display(),
            shown.join("\n"),
            if problems.len() > shown.len() {
                "\n…"
            } else {
                ""
            }
        );
    }
    let stats = prices::upsert_bars(pool, "file", &series).await?;
    Ok(stats)
}
