//! News feeds: fetching, RSS/Atom/JSON Feed parsing, article extraction, dedup and entity tagging.
//!
//! Pure of storage: the jobs crate drives a [`NewsClient`] and writes what it returns through
//! `jevons_store::news`. Everything that reaches the network goes through the SSRF guard in
//! [`guard`], which checks the addresses a name resolves to and every redirect hop.

// Tests may unwrap: a panic there is the failure report.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod backoff;
pub mod canon;
pub mod entities;
pub mod fetch;
#[doc(hidden)]
pub mod fuzzing;
pub mod guard;
pub mod parse;
pub mod relevance;
pub mod text;

pub use canon::{canonical_url, content_hash};
pub use entities::{Entity, EntityCatalog, EntityKind, alias_groups};
pub use fetch::{Conditional, FeedResponse, FetchError, Fetched, NewsClient};
pub use guard::{AddressPolicy, Cidr, Refused};
pub use parse::{FeedEntry, ParseError, ParsedFeed, parse_feed};
pub use relevance::{Keywords, relevance};
pub use text::{extract_main_text, guess_language, html_to_text};
