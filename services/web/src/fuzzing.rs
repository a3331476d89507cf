//! The body of the fuzz target `web_query` (fuzz/), also replayed over the committed corpus by
//! this crate's tests: any query string deserialised into every route's typed query, then
//! through the checks the handlers make before asking the store. An error is an answer (400);
//! only a panic is a bug.

use std::path::Path;
use std::sync::LazyLock;

use jevons_core::{DateRange, Settings};
use serde::de::DeserializeOwned;

use crate::extract::parse_query;
use crate::routes::{correlations, digest, events, jevons, market, models, news, shocks};
use crate::views::ChartRange;

/// The defaults the checks read (watchlist, relevance threshold), without config files.
static SETTINGS: LazyLock<Settings> = LazyLock::new(|| {
    Settings::load_with(Path::new("/nonexistent"), std::iter::empty())
        .expect("the built-in default settings")
});

/// `data` as a query string (lossy UTF-8, as a percent-decoded URI gives).
pub fn query_string(data: &[u8]) {
    let query = String::from_utf8_lossy(data);
    let (query, settings) = (query.as_ref(), &*SETTINGS);
    let _: Option<correlations::CorrQuery> = parsed(query);
    let _: Option<digest::PreviewQuery> = parsed(query);
    let _: Option<jevons::api::PoiQuery> = parsed(query);
    let _: Option<jevons::api::FundamentalsQuery> = parsed(query);
    let _: Option<models::api::ModelsQuery> = parsed(query);
    let _: Option<models::api::FormatQuery> = parsed(query);
    let _: Option<models::api::CheapestQuery> = parsed(query);
    let _: Option<models::pages::IndexQuery> = parsed(query);
    let _: Option<models::pages::CompareQuery> = parsed(query);
    let _: Option<models::pages::UnmatchedQuery> = parsed(query);
    let _: Option<shocks::ShocksQuery> = parsed(query);
    let _: Option<events::pages::EventPageQuery> = parsed(query);

    if let Some(q) = parsed::<jevons::RangeQuery>(query) {
        let _ = jevons::range(&q);
    }
    if let Some(q) = parsed::<news::NewsQuery>(query) {
        let _ = q.filter(news::API_MAX_LIMIT, settings);
    }
    if let Some(q) = parsed::<events::EventsQuery>(query) {
        let _ = events::filter_from(&q);
    }
    if let Some(q) = parsed::<events::api::StudyQuery>(query) {
        let _ = events::parse_symbols(q.symbols.as_deref(), settings);
        let _ = events::parse_spec(
            q.model.as_deref(),
            q.estimation.as_deref(),
            q.windows.as_deref(),
        );
    }
    if let Some(q) = parsed::<market::api::PricesQuery>(query) {
        let _ = DateRange::new(
            q.from.unwrap_or(chrono::NaiveDate::MIN),
            q.to.unwrap_or(chrono::NaiveDate::MAX),
        );
    }
    if let Some(q) = parsed::<market::pages::TickerQuery>(query) {
        let _ = q.range.as_deref().map(|r| ChartRange::parse(r.trim()));
    }
    if let Some(q) = parsed::<models::api::FrontierQuery>(query) {
        let _ = models::known_by(q.prices.as_deref());
    }
}

fn parsed<T: DeserializeOwned>(query: &str) -> Option<T> {
    parse_query(query).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_fuzz_corpus_replays_without_a_panic() {
        let n = jevons_core::fuzz_corpus::replay("web_query", super::query_string).unwrap();
        assert!(n > 0);
    }
}
