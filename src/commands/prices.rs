//! `jevons import prices` and `jevons backfill prices`.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressStyle};
use jevons_core::{Settings, Symbol};
use jevons_jobs::{JobContext, Progress, SymbolOutcome};
use jevons_store::PgPool;

use crate::startup;

/// `jevons import prices PATH`: one file or a folder of SYMBOL.csv files, all or nothing.
pub async fn import(settings: &Settings, pool: &PgPool, path: &Path) -> anyhow::Result<()> {
    jevons_store::tickers::sync_watchlist(pool, &settings.watchlist).await?;
    let started = Instant::now();
    let stats = startup::import_prices(pool, path).await?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "imported {} rows from {} in {:.2}s ({:.0} rows/s): {} new, {} changed, {} unchanged",
        stats.rows,
        path.display(),
        secs,
        stats.rows as f64 / secs.max(1e-9),
        stats.inserted,
        stats.updated,
        stats.unchanged
    );
    Ok(())
}

/// `jevons backfill prices`: the watchlist (or `symbols`) from the providers, with a progress bar.
pub async fn backfill(
    settings: &Arc<Settings>,
    pool: &PgPool,
    symbols: Vec<Symbol>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> anyhow::Result<ExitCode> {
    jevons_store::tickers::sync_watchlist(pool, &settings.watchlist).await?;
    let ctx = JobContext::new(pool.clone(), settings.clone())?;
    let symbols = if symbols.is_empty() {
        settings.symbols()
    } else {
        symbols
    };
    let from = from.or(Some(settings.market.history_start));
    let progress = CliProgress::new();
    let report = jevons_jobs::backfill_prices(&ctx, &symbols, from, to, &progress).await?;
    progress.finish();
    println!(
        "{} rows written, {} symbol(s) failed",
        report.rows_written,
        report.failed.len()
    );
    for (_, error) in &report.failed {
        eprintln!("  {error}");
    }
    Ok(if report.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A progress bar on a terminal, plain log lines otherwise.
struct CliProgress {
    bar: Option<ProgressBar>,
}

impl CliProgress {
    fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Self { bar }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for CliProgress {
    fn start(&self, symbols: usize) {
        match &self.bar {
            Some(bar) => bar.set_length(symbols as u64),
            None => tracing::info!(symbols, "backfill started"),
        }
    }

    fn symbol_done(&self, symbol: &Symbol, outcome: &SymbolOutcome) {
        let line = match outcome {
            SymbolOutcome::Stored {
                provider,
                fetched,
                written,
            } => {
                format!("{symbol}: {fetched} bars from {provider}, {written} written")
            }
            SymbolOutcome::UpToDate => format!("{symbol}: up to date"),
            SymbolOutcome::Failed(e) => format!("FAILED {e}"),
        };
        match &self.bar {
            Some(bar) => {
                bar.println(line);
                bar.set_message(symbol.to_string());
                bar.inc(1);
            }
            None => tracing::info!("{line}"),
        }
    }
}
