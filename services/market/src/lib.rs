//! Daily price providers (Yahoo Finance chart JSON, Stooq CSV) and jevons' own CSV file format.
//!
//! Parsing is pure (`yahoo::parse_chart`, `stooq::parse_csv`, `csv_file`), so it is tested on real
//! payloads without a network; [`MarketClient`] adds HTTP, retries, validation and provider fallback.

mod client;
pub mod csv_file;
pub mod fake;
#[doc(hidden)]
pub mod fuzzing;
pub mod stooq;
pub mod yahoo;

pub use client::{ClientError, FetchError, Fetched, MAX_BODY_BYTES, MarketClient, ProviderError};

/// Why a provider's body could not be read as a price series.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    #[error("malformed JSON: {0}")]
    Json(String),
    /// The provider says the symbol does not exist (Yahoo `chart.error` "Not Found").
    #[error("not found: {0}")]
    NotFound(String),
    /// The provider answered with an error object instead of data.
    #[error("provider error {code}: {description}")]
    Provider { code: String, description: String },
    #[error("unexpected payload shape: {0}")]
    Shape(String),
    #[error("timestamp {0} is out of range")]
    BadTimestamp(i64),
    /// The body is not the expected CSV (Stooq answers `No data` or an HTML page with status 200).
    #[error("not a price CSV, first line is `{first_line}`")]
    NotCsv { first_line: String },
    #[error("line {line}: {message}")]
    Csv { line: u64, message: String },
}
