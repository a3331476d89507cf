//! Handlers of the longer subcommands, one module per area.

pub mod digest;
pub mod events;
pub mod fundamentals;
pub mod models;
pub mod news;
pub mod summarize;
