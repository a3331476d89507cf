//! Market-impact and efficiency analytics with polars: pure functions over DataFrames, no SQL, no HTTP.

// Tests may unwrap: a panic there is the failure report.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod anchoring;
pub mod correlation;
pub mod demand;
pub mod efficiency;
pub mod event_study;
pub mod export;
pub mod jevons;
pub mod pooled;
pub mod price_of_intelligence;
pub mod returns;
pub mod stats;

pub use returns::AnalyticsError;
