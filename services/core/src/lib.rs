//! Domain types and configuration shared by every jevons crate. No I/O beyond reading config files
//! (the retry policy sleeps between its caller's attempts, but does none itself).

pub mod ai;
pub mod config;
pub mod csv_export;
pub mod fundamentals;
#[doc(hidden)]
pub mod fuzz_corpus;
pub mod grounding;
pub mod price;
pub mod retry;
pub mod symbol;
pub mod telemetry;

pub use config::Settings;
pub use price::{BarProblem, DateRange, DateRangeError, PriceBar, validate_series};
pub use symbol::{Role, Symbol, SymbolError, Ticker};
