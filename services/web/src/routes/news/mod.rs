//! News articles, their summaries and the feeds: `api` (`/api/v1/news`, `/api/v1/news/{id}`) and
//! `pages` (`/news`, `/news/{id}`, `/sources`), with the query and paging both use.

pub(crate) mod api;
pub(crate) mod pages;

use actix_web::http::Method;
use actix_web::web;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use jevons_core::{DateRange, Settings, Symbol};
use jevons_store::news::{self as store, ArticleFilter, ArticleItem};
use serde::Deserialize;
use sqlx::PgPool;

use crate::extract::empty_as_none;

/// Routes under `/api/v1`.
pub fn api(cfg: &mut web::ServiceConfig) {
    super::api_route(cfg, Method::GET, "/news", api::api_list);
    super::api_route(cfg, Method::GET, "/news/{id}", api::api_article);
}

/// HTML pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.route("/news", web::get().to(pages::news_page))
        .route("/news/{id}", web::get().to(pages::article_page))
        .route("/sources", web::get().to(pages::sources_page));
}

const API_DEFAULT_LIMIT: i64 = 20;
pub(crate) const API_MAX_LIMIT: i64 = 100;
pub(crate) const PAGE_SIZE: i64 = 30;
pub(crate) const MAX_QUERY_CHARS: usize = 200;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NewsQuery {
    /// Articles that mention this ticker.
    #[serde(default, deserialize_with = "empty_as_none")]
    #[param(value_type = Option<String>)]
    ticker: Option<Symbol>,
    /// bullish, bearish or neutral (on GPU demand).
    stance: Option<String>,
    /// A feed id (see /sources).
    #[serde(default, deserialize_with = "empty_as_none")]
    feed: Option<i64>,
    /// Published on or after this day, YYYY-MM-DD.
    #[serde(default, deserialize_with = "empty_as_none")]
    from: Option<NaiveDate>,
    /// Published on or before this day, YYYY-MM-DD.
    #[serde(default, deserialize_with = "empty_as_none")]
    to: Option<NaiveDate>,
    /// Full-text search (PostgreSQL websearch syntax), at most 200 characters.
    q: Option<String>,
    /// Articles per page, 1 to 100 (20 when absent).
    #[serde(default, deserialize_with = "empty_as_none")]
    limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Any value but "0"/"false": include articles below the relevance threshold.
    all: Option<String>,
}

/// Empty form fields mean "no filter".
pub(crate) fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Cursor text: `<sort_at in µs since the epoch>_<id>` of the last article of a page.
pub(crate) fn encode_cursor(item: &ArticleItem) -> String {
    format!("{}_{}", item.sort_at.timestamp_micros(), item.id)
}

pub(crate) fn decode_cursor(s: &str) -> Option<(DateTime<Utc>, i64)> {
    let (micros, id) = s.split_once('_')?;
    let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
    Some((at, id.parse().ok()?))
}

impl NewsQuery {
    /// The store filter, or a message saying which parameter is wrong.
    pub(crate) fn filter(
        &self,
        default_limit: i64,
        settings: &Settings,
    ) -> Result<ArticleFilter, String> {
        let ticker = self.ticker.as_ref().map(Symbol::to_string);
        let stance = present(&self.stance)
            .map(|s| {
                let s = s.to_ascii_lowercase();
                if matches!(s.as_str(), "bullish" | "bearish" | "neutral") {
                    Ok(s)
                } else {
                    Err("stance must be bullish, bearish or neutral".to_string())
                }
            })
            .transpose()?;
        let feed_id = self.feed;
        let (from_day, to_day) = (self.from, self.to);
        if let (Some(f), Some(t)) = (from_day, to_day) {
            DateRange::new(f, t).map_err(|e| e.to_string())?;
        }
        let midnight = |d: chrono::NaiveDate| Utc.from_utc_datetime(&d.and_time(NaiveTime::MIN));
        let from = from_day.map(midnight);
        // The end of the last day; past the calendar's last day (`to=+262142-12-31`, found by
        // fuzzing: the addition panicked) there is nothing to exclude.
        let to = to_day.and_then(|d| midnight(d).checked_add_signed(Duration::days(1)));
        let q = present(&self.q)
            .map(|q| {
                if q.chars().count() > MAX_QUERY_CHARS {
                    Err(format!("q is longer than {MAX_QUERY_CHARS} characters"))
                } else {
                    Ok(q.to_string())
                }
            })
            .transpose()?;
        let limit = match self.limit {
            None => default_limit,
            Some(l) if (1..=API_MAX_LIMIT).contains(&l) => l,
            Some(_) => return Err(format!("limit must be 1 to {API_MAX_LIMIT}")),
        };
        let after = present(&self.cursor)
            .map(|c| {
                decode_cursor(c).ok_or_else(|| "cursor is not one this API gave out".to_string())
            })
            .transpose()?;
        let all = present(&self.all).is_some_and(|a| a != "0" && a != "false");
        Ok(ArticleFilter {
            ticker,
            stance,
            feed_id,
            from,
            to,
            q,
            min_relevance: (!all).then_some(settings.news.min_relevance),
            after,
            limit,
        })
    }
}

/// One page of articles and the cursor of the next, fetching one more row to know if it exists.
pub(crate) async fn page_of(
    pool: &PgPool,
    filter: &ArticleFilter,
) -> Result<(Vec<ArticleItem>, Option<String>), jevons_store::StoreError> {
    let mut probe = filter.clone();
    probe.limit = filter.limit + 1;
    let mut items = store::list_articles(pool, &probe).await?;
    let limit = usize::try_from(filter.limit).unwrap_or(0);
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(encode_cursor)
    } else {
        None
    };
    Ok((items, next))
}

pub(crate) fn parse_id(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().filter(|id| *id > 0)
}

#[cfg(test)]
mod tests {
    use super::pages::enc;
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let at = DateTime::from_timestamp_micros(1_737_936_000_123_456).unwrap();
        let item = ArticleItem {
            id: 42,
            feed_id: 1,
            feed_title: None,
            feed_url: String::new(),
            url: None,
            title: String::new(),
            author: None,
            published: None,
            sort_at: at,
            relevance: 0.0,
            language: None,
            summary: None,
            tickers: vec![],
            companies: vec![],
            models: vec![],
        };
        assert_eq!(decode_cursor(&encode_cursor(&item)), Some((at, 42)));
        assert_eq!(decode_cursor("x_1"), None);
        assert_eq!(decode_cursor("1"), None);
        assert_eq!(enc("a b&c=<d>"), "a%20b%26c%3D%3Cd%3E");
    }

    #[test]
    fn the_last_day_of_the_calendar_is_an_open_end() {
        let settings = crate::tests::default_settings();
        let q: NewsQuery =
            crate::extract::parse_query("from=2025-01-01&to=%2B262142-12-31").unwrap();
        assert_eq!(q.to, Some(NaiveDate::MAX));
        let f = q.filter(API_MAX_LIMIT, &settings).unwrap();
        assert!(f.from.is_some());
        assert_eq!(f.to, None);
        let q: NewsQuery = crate::extract::parse_query("to=2025-01-27").unwrap();
        let f = q.filter(API_MAX_LIMIT, &settings).unwrap();
        assert_eq!(f.to.unwrap().to_rfc3339(), "2025-01-28T00:00:00+00:00");
    }
}
