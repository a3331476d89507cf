use chrono::{NaiveDate, Utc};
use jevons_core::Symbol;
use jevons_market::FetchError;
use jevons_store::{StoreError, prices};

use crate::JobContext;

/// How one symbol went.
#[derive(Debug)]
pub enum SymbolOutcome {
    /// Stored this many new or changed rows (out of `fetched`) from `provider`.
    Stored {
        provider: &'static str,
        fetched: usize,
        written: u64,
    },
    /// Nothing to fetch: the stored data already reaches the end of the range.
    UpToDate,
    /// Every provider failed; nothing was written for this symbol.
    Failed(String),
}

/// Progress callbacks, so the CLI can draw a bar and the scheduler can log.
pub trait Progress: Send + Sync {
    fn start(&self, _symbols: usize) {}
    fn symbol_done(&self, _symbol: &Symbol, _outcome: &SymbolOutcome) {}
}

pub struct SilentProgress;
impl Progress for SilentProgress {}

#[derive(Debug, Default)]
pub struct PriceFetchReport {
    pub rows_written: u64,
    pub failed: Vec<(Symbol, String)>,
}

impl PriceFetchReport {
    /// One line per failed symbol, for job_runs.error.
    pub fn error_text(&self) -> Option<String> {
        (!self.failed.is_empty()).then(|| {
            self.failed
                .iter()
                .map(|(_, e)| e.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
    }
}

/// Fetches `[from, to]` for each symbol, or from the day after the last stored one when `from` is
/// `None` (gap-fill), and upserts each symbol's series in its own transaction: a failing symbol
/// loses nothing that another one fetched.
pub async fn backfill_prices(
    ctx: &JobContext,
    symbols: &[Symbol],
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    progress: &dyn Progress,
) -> Result<PriceFetchReport, StoreError> {
    let today = Utc::now().date_naive();
    let to = to.unwrap_or(today).min(today);
    let mut report = PriceFetchReport::default();
    progress.start(symbols.len());
    for symbol in symbols {
        let start = match from {
            Some(day) => day,
            None => match prices::last_day(&ctx.pool, symbol).await? {
                Some(last) => last.succ_opt().unwrap_or(last),
                None => ctx.settings.market.history_start,
            },
        };
        let outcome = if start > to {
            SymbolOutcome::UpToDate
        } else {
            match ctx.market.fetch(symbol, start, to, today).await {
                Ok(fetched) => {
                    let n = fetched.bars.len();
                    let series = [(symbol.clone(), fetched.bars)];
                    let stats =
                        prices::upsert_bars(&ctx.pool, fetched.provider.as_str(), &series).await?;
                    let written = stats.inserted + stats.updated;
                    report.rows_written += written;
                    SymbolOutcome::Stored {
                        provider: fetched.provider.as_str(),
                        fetched: n,
                        written,
                    }
                }
                // A holiday or a weekend since the last stored day: no session, nothing to add.
                Err(e) if no_new_sessions(&e) => SymbolOutcome::UpToDate,
                Err(e) => {
                    let message = e.to_string();
                    tracing::warn!(%symbol, error = %message, "price fetch failed");
                    report.failed.push((symbol.clone(), message.clone()));
                    SymbolOutcome::Failed(message)
                }
            }
        };
        progress.symbol_done(symbol, &outcome);
    }
    Ok(report)
}

fn no_new_sessions(e: &FetchError) -> bool {
    !e.failures.is_empty()
        && e.failures
            .iter()
            .all(|(_, f)| matches!(f, jevons_market::ProviderError::Empty))
}
