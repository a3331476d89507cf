//! Quarterly fundamentals: the `fundamentals.fetch` job (SEC EDGAR companyfacts of the watchlist
//! vendors and the compute buyers, weekly), press-release CSV imports, and the bundled file
//! loaded into an empty table. Parsing is jevons-fundamentals', writing jevons-store's.

use std::path::{Path, PathBuf};

use jevons_core::{Settings, Symbol};
use jevons_fundamentals::press_release::{self, SkippedRow};
use jevons_fundamentals::{EdgarClient, EdgarError, companyfacts};
use jevons_store::PgPool;
use jevons_store::fundamentals::{self as store, WriteStats};

#[derive(Debug, thiserror::Error)]
pub enum FundamentalsError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {source}; nothing imported")]
    Parse {
        path: PathBuf,
        #[source]
        source: jevons_fundamentals::ParseError,
    },
    /// The client could not be set up (no User-Agent with a contact address): nothing fetched.
    #[error(transparent)]
    Edgar(#[from] EdgarError),
    #[error(transparent)]
    Store(#[from] jevons_store::StoreError),
}

/// What importing a press-release file did.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub stats: WriteStats,
    /// Rows that could not be placed in time (blank period_end).
    pub skipped: Vec<SkippedRow>,
}

/// `jevons import fundamentals FILE.csv`: every row checked first, then all written in one
/// transaction, or nothing when a row is bad.
pub async fn import_file(pool: &PgPool, path: &Path) -> Result<ImportReport, FundamentalsError> {
    let text = std::fs::read_to_string(path).map_err(|source| FundamentalsError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("press-release-csv");
    let file = press_release::parse(&text, name).map_err(|source| FundamentalsError::Parse {
        path: path.to_path_buf(),
        source,
    })?;
    for s in &file.skipped {
        tracing::warn!(file = %path.display(), line = s.line, reason = %s.reason, "row skipped");
    }
    let stats = store::upsert_facts(pool, &file.facts).await?;
    Ok(ImportReport {
        stats,
        skipped: file.skipped,
    })
}

/// On an empty fundamentals table (and `database.seed_on_empty`), loads
/// `fundamentals.bundled_file`. Returns the rows written.
pub async fn load_bundled(pool: &PgPool, settings: &Settings) -> Result<u64, FundamentalsError> {
    let path = &settings.fundamentals.bundled_file;
    if !settings.database.seed_on_empty || !store::is_empty(pool).await? {
        return Ok(0);
    }
    if !path.exists() {
        tracing::warn!(file = %path.display(), "empty fundamentals table and no bundled file found");
        return Ok(0);
    }
    let report = import_file(pool, path).await?;
    tracing::info!(
        file = %path.display(),
        written = report.stats.written(),
        skipped = report.skipped.len(),
        "empty fundamentals table: loaded the bundled press-release figures"
    );
    Ok(report.stats.written())
}

/// One company's outcome in a fetch.
#[derive(Debug, Clone)]
pub enum CompanyOutcome {
    Stored {
        cik: u64,
        quarters: usize,
        stats: WriteStats,
    },
    /// No CIK configured (foreign private issuers file 20-F/6-K, without quarterly us-gaap facts).
    NoCik,
    Failed(String),
}

/// What one `fundamentals.fetch` run or backfill did.
#[derive(Debug, Clone, Default)]
pub struct FetchReport {
    pub companies: Vec<(Symbol, CompanyOutcome)>,
}

impl FetchReport {
    pub fn rows_written(&self) -> u64 {
        self.companies
            .iter()
            .map(|(_, o)| match o {
                CompanyOutcome::Stored { stats, .. } => stats.written(),
                _ => 0,
            })
            .sum()
    }

    pub fn failed(&self) -> Vec<String> {
        self.companies
            .iter()
            .filter_map(|(s, o)| match o {
                CompanyOutcome::Failed(e) => Some(format!("{s}: {e}")),
                _ => None,
            })
            .collect()
    }

    pub fn error_text(&self) -> Option<String> {
        let failed = self.failed();
        (!failed.is_empty()).then(|| failed.join("\n"))
    }
}

/// Fetches companyfacts for `symbols` (default: the watchlist vendors and the configured
/// buyers) and stores revenue and capex quarters, each company in its own transaction: a
/// failing company (403, malformed body …) writes nothing and does not stop the others.
/// Refuses to start without a User-Agent carrying a contact e-mail.
pub async fn fetch(
    pool: &PgPool,
    settings: &Settings,
    symbols: Option<&[Symbol]>,
) -> Result<FetchReport, FundamentalsError> {
    let client = EdgarClient::new(&settings.fundamentals)?;
    let symbols = match symbols {
        Some(s) if !s.is_empty() => s.to_vec(),
        _ => settings.fundamentals_companies(),
    };
    let mut report = FetchReport::default();
    for symbol in symbols {
        let Some(cik) = settings.fundamentals.cik(&symbol) else {
            tracing::info!(%symbol, "no CIK configured (foreign filer?); skipped");
            report.companies.push((symbol, CompanyOutcome::NoCik));
            continue;
        };
        let outcome = match fetch_company(pool, &client, &symbol, cik).await {
            Ok(outcome) => outcome,
            Err(e) => {
                tracing::warn!(%symbol, cik, error = %e, "fundamentals fetch failed");
                CompanyOutcome::Failed(e.to_string())
            }
        };
        report.companies.push((symbol, outcome));
    }
    Ok(report)
}

async fn fetch_company(
    pool: &PgPool,
    client: &EdgarClient,
    symbol: &Symbol,
    cik: u64,
) -> Result<CompanyOutcome, FundamentalsError> {
    let facts = client.company_facts(cik).await;
    jevons_core::telemetry::count_fetch("sec_edgar", &facts);
    let facts = facts?;
    let quarterly = companyfacts::company_quarterly(&facts, symbol);
    let stats = store::upsert_facts(pool, &quarterly).await?;
    tracing::info!(%symbol, cik, entity = %facts.entity_name, versions = quarterly.len(), written = stats.written(), "fundamentals stored");
    Ok(CompanyOutcome::Stored {
        cik,
        quarters: quarterly.len(),
        stats,
    })
}
