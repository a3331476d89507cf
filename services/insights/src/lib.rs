//! Analytics over stored data: the glue between `jevons-store` (SQL) and `jevons-analytics`
//! (polars, no SQL). The web pages and API, the jobs and the digests all compute through here,
//! so an event study or a frontier is the same wherever it is shown or stored.

// Tests may unwrap: a panic there is the failure report.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod jevons;
pub mod models;
pub mod releases;
pub mod shocks;
pub mod studies;
