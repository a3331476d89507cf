//! `jevons import fundamentals FILE.csv` and `jevons backfill fundamentals [--symbols …]`.

use std::path::Path;

use jevons_core::{Settings, Symbol};
use jevons_jobs::fundamentals::{self, CompanyOutcome};
use jevons_store::PgPool;

pub async fn import(pool: &PgPool, path: &Path) -> anyhow::Result<()> {
    let report = fundamentals::import_file(pool, path).await?;
    let s = report.stats;
    println!(
        "imported {} rows from {}: {} new, {} changed, {} unchanged; {} skipped",
        s.rows,
        path.display(),
        s.inserted,
        s.updated,
        s.unchanged,
        report.skipped.len()
    );
    for row in &report.skipped {
        println!("  line {}: {}", row.line, row.reason);
    }
    Ok(())
}

/// Returns false when a company failed.
pub async fn backfill(
    settings: &Settings,
    pool: &PgPool,
    symbols: &[Symbol],
) -> anyhow::Result<bool> {
    let report = fundamentals::fetch(pool, settings, Some(symbols)).await?;
    for (symbol, outcome) in &report.companies {
        match outcome {
            CompanyOutcome::Stored {
                cik,
                quarters,
                stats,
            } => println!(
                "{symbol} (CIK {cik}): {quarters} quarterly values, {} new, {} changed, {} unchanged",
                stats.inserted, stats.updated, stats.unchanged
            ),
            CompanyOutcome::NoCik => {
                println!("{symbol}: no CIK in [fundamentals.ciks] (foreign filer?); skipped")
            }
            CompanyOutcome::Failed(e) => eprintln!("FAILED {symbol}: {e}"),
        }
    }
    let discrepancies = jevons_store::fundamentals::discrepancies(pool, None).await?;
    if !discrepancies.is_empty() {
        println!("filed values that differ from press-release values beyond rounding:");
        for d in &discrepancies {
            println!(
                "  {} {} {} ({}): filed {:.0} $M ({}), press release {:.0} $M",
                d.symbol,
                d.metric,
                d.fiscal_period,
                d.period_end,
                d.filed_value / 1e6,
                d.filed_form,
                d.press_release_value / 1e6
            );
        }
    }
    Ok(report.failed().is_empty())
}
