//! The `jevons` binary's library half: start-up wiring shared by `main` and the end-to-end tests.

pub mod cli;
pub mod commands;
pub mod startup;
pub mod telemetry;
