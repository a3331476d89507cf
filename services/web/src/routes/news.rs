//! Pages and API for news articles, their summaries and the feeds.

use super::html;
use actix_web::http::Method;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use jevons_core::grounding::GroundingReport;
use jevons_core::{DateRange, Settings, Symbol};
use jevons_store::news::{self as store, ArticleDetail, ArticleFilter, ArticleItem, SummaryRow};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use crate::error::{AppError, ErrorBody};
use crate::extract::{Query, empty_as_none};
use crate::views::Nav;

/// Routes under `/api/v1`.
pub fn api(cfg: &mut web::ServiceConfig) {
    super::api_route(cfg, Method::GET, "/news", api_list);
    super::api_route(cfg, Method::GET, "/news/{id}", api_article);
}

/// HTML pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.route("/news", web::get().to(news_page))
        .route("/news/{id}", web::get().to(article_page))
        .route("/sources", web::get().to(sources_page));
}

const API_DEFAULT_LIMIT: i64 = 20;
const API_MAX_LIMIT: i64 = 100;
const PAGE_SIZE: i64 = 30;
const MAX_QUERY_CHARS: usize = 200;

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
fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Cursor text: `<sort_at in µs since the epoch>_<id>` of the last article of a page.
fn encode_cursor(item: &ArticleItem) -> String {
    format!("{}_{}", item.sort_at.timestamp_micros(), item.id)
}

fn decode_cursor(s: &str) -> Option<(DateTime<Utc>, i64)> {
    let (micros, id) = s.split_once('_')?;
    let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
    Some((at, id.parse().ok()?))
}

impl NewsQuery {
    /// The store filter, or a message saying which parameter is wrong.
    fn filter(&self, default_limit: i64, settings: &Settings) -> Result<ArticleFilter, String> {
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
        let to = to_day.map(|d| midnight(d) + Duration::days(1));
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
async fn page_of(
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

// ---------------------------------------------------------------------------------------------
// API

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct SummaryJson<'a> {
    text: &'a str,
    stance: &'a str,
    stance_score: f32,
    method: &'a str,
    model: &'a str,
    quantization: Option<&'a str>,
    prompt_version: &'a str,
    tokens_in: i32,
    tokens_out: i32,
    millis: i64,
    /// Numbers or tickers in the summary that the article does not contain.
    suspect: &'a [String],
    /// Every name, ticker, model and number of the model's output checked against the article
    /// (supported or not, and why) and the sentences dropped; null for older summaries.
    #[schema(value_type = Option<Object>)]
    grounding: Option<&'a GroundingReport>,
    /// False when the article changed after this summary and a new one is pending.
    current: bool,
    created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct FeedRefJson<'a> {
    id: i64,
    title: Option<&'a str>,
    url: &'a str,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct ArticleJson<'a> {
    id: i64,
    title: &'a str,
    url: Option<&'a str>,
    feed: FeedRefJson<'a>,
    author: Option<&'a str>,
    published: Option<DateTime<Utc>>,
    relevance: f32,
    language: Option<&'a str>,
    tickers: &'a [String],
    companies: &'a [String],
    models: &'a [String],
    summary: Option<SummaryJson<'a>>,
}

fn summary_json(s: &SummaryRow) -> SummaryJson<'_> {
    SummaryJson {
        text: &s.summary,
        stance: &s.stance,
        stance_score: s.stance_score,
        method: &s.method,
        model: &s.model,
        quantization: s.quantization.as_deref(),
        prompt_version: &s.prompt_version,
        tokens_in: s.tokens_in,
        tokens_out: s.tokens_out,
        millis: s.millis,
        suspect: &s.suspect,
        grounding: s.grounding.as_ref(),
        current: s.current,
        created_at: s.created_at,
    }
}

fn article_json(a: &ArticleItem) -> ArticleJson<'_> {
    ArticleJson {
        id: a.id,
        title: &a.title,
        url: a.url.as_deref(),
        feed: FeedRefJson {
            id: a.feed_id,
            title: a.feed_title.as_deref(),
            url: &a.feed_url,
        },
        author: a.author.as_deref(),
        published: a.published,
        relevance: a.relevance,
        language: a.language.as_deref(),
        tickers: &a.tickers,
        companies: &a.companies,
        models: &a.models,
        summary: a.summary.as_ref().map(summary_json),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct ListJson<'a> {
    articles: Vec<ArticleJson<'a>>,
    /// Pass as `cursor=` for the next page; null on the last page.
    next_cursor: Option<String>,
}

/// `GET /api/v1/news?ticker=&stance=&feed=&from=&to=&q=&limit=&cursor=&all=`: relevant
/// articles, newest first, with keyset pagination.
#[utoipa::path(
    get,
    path = "/api/v1/news",
    tag = "news",
    params(NewsQuery),
    responses(
        (status = 200, description = "One page of articles, newest first", body = ListJson),
        (status = 400, description = "A parameter is wrong; the message names it", body = ErrorBody),
        (status = 500, description = "Our fault; the details are in the server log", body = ErrorBody),
        (status = 503, description = "The database cannot be reached just now", body = ErrorBody),
    )
)]
async fn api_list(
    Query(query): Query<NewsQuery>,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let filter = query
        .filter(API_DEFAULT_LIMIT, &settings)
        .map_err(AppError::BadRequest)?;
    let (items, next_cursor) = page_of(pool.get_ref(), &filter).await?;
    Ok(HttpResponse::Ok().json(ListJson {
        articles: items.iter().map(article_json).collect(),
        next_cursor,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct DetailJson<'a> {
    #[serde(flatten)]
    article: ArticleJson<'a>,
    canonical_url: Option<&'a str>,
    guid: &'a str,
    text: &'a str,
    /// "feed" or "page": where the text came from.
    text_source: &'a str,
    content_hash: &'a str,
    fetched_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn parse_id(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().filter(|id| *id > 0)
}

/// `GET /api/v1/news/{id}`: one article with its text, entities and newest summary.
#[utoipa::path(
    get,
    path = "/api/v1/news/{id}",
    tag = "news",
    params(("id" = String, Path, description = "Article id")),
    responses(
        (status = 200, description = "The article with its text, entities and newest summary", body = DetailJson),
        (status = 404, description = "Nothing of that name or id", body = ErrorBody),
        (status = 500, description = "Our fault; the details are in the server log", body = ErrorBody),
        (status = 503, description = "The database cannot be reached just now", body = ErrorBody),
    )
)]
async fn api_article(
    path: web::Path<String>,
    pool: web::Data<PgPool>,
) -> Result<HttpResponse, AppError> {
    let raw = path.into_inner();
    let id = parse_id(&raw).ok_or_else(|| AppError::NotFound("no article with this id".into()))?;
    let d = store::get_article(pool.get_ref(), id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no article {id}")))?;
    Ok(HttpResponse::Ok().json(DetailJson {
        article: article_json(&d.item),
        canonical_url: d.canonical_url.as_deref(),
        guid: &d.guid,
        text: &d.text,
        text_source: &d.text_source,
        content_hash: &d.content_hash,
        fetched_at: d.fetched_at,
        updated_at: d.updated_at,
    }))
}

// ---------------------------------------------------------------------------------------------
// Pages

fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// An article as the list shows it: display strings only, escaped by askama.
pub struct ArticleRow {
    pub id: i64,
    pub title: String,
    pub url: String,
    pub feed: String,
    pub date: String,
    pub relevance: String,
    pub tickers: Vec<String>,
    pub models: Vec<String>,
    pub summary: String,
    pub stance: String,
    pub stance_score: String,
    pub method: String,
    pub suspect: bool,
}

fn article_row(a: &ArticleItem) -> ArticleRow {
    let s = a.summary.as_ref();
    ArticleRow {
        id: a.id,
        title: a.title.clone(),
        url: a.url.clone().unwrap_or_default(),
        feed: a.feed_title.clone().unwrap_or_else(|| a.feed_url.clone()),
        date: when(a.sort_at),
        relevance: format!("{:.2}", a.relevance),
        tickers: a.tickers.clone(),
        models: a.models.clone(),
        summary: s.map(|s| s.summary.clone()).unwrap_or_default(),
        stance: s.map(|s| s.stance.clone()).unwrap_or_default(),
        stance_score: s
            .map(|s| format!("{:+.2}", s.stance_score))
            .unwrap_or_default(),
        method: s.map(|s| s.method.clone()).unwrap_or_default(),
        suspect: s.is_some_and(|s| !s.suspect.is_empty()),
    }
}

pub struct FeedOption {
    pub id: i64,
    pub title: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "news_list.html")]
pub struct NewsPage {
    pub title: &'static str,
    pub nav: Nav,
    pub articles: Vec<ArticleRow>,
    pub stances: Vec<(&'static str, bool)>,
    pub from: String,
    pub to: String,
    pub q: String,
    pub all: bool,
    pub feeds: Vec<FeedOption>,
    pub tickers: Vec<(String, bool)>,
    /// Query string of the next page, already URL-encoded.
    pub next_query: Option<String>,
    pub min_relevance: String,
}

/// Percent-encodes a query-string value.
fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `GET /news`: relevant articles with their summaries; filters by ticker, stance, feed, date
/// and full-text search.
async fn news_page(
    Query(query): Query<NewsQuery>,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let mut filter = query
        .filter(PAGE_SIZE, &settings)
        .map_err(|e| AppError::BadRequest(format!("Cannot filter the news: {e}.")))?;
    filter.limit = filter.limit.min(PAGE_SIZE);
    let pool = pool.get_ref();
    let (items, next_cursor) = page_of(pool, &filter).await?;
    let feeds = store::list_feeds(pool).await?;
    let tickers = store::mentioned_tickers(pool).await?;
    let value = |v: &Option<String>| present(v).unwrap_or_default().to_string();
    let text = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let next_query = next_cursor.map(|c| {
        let mut parts = vec![];
        for (k, v) in [
            ("ticker", query.ticker.as_ref().map(Symbol::to_string)),
            ("stance", text(query.stance.clone())),
            ("feed", query.feed.map(|f| f.to_string())),
            ("from", query.from.map(|d| d.to_string())),
            ("to", query.to.map(|d| d.to_string())),
            ("q", text(query.q.clone())),
            ("all", text(query.all.clone())),
        ] {
            if let Some(v) = v {
                parts.push(format!("{k}={}", enc(v.trim())));
            }
        }
        parts.push(format!("cursor={}", enc(&c)));
        parts.join("&")
    });
    let page = NewsPage {
        title: "News",
        nav: Nav::News,
        articles: items.iter().map(article_row).collect(),
        stances: ["bullish", "bearish", "neutral"]
            .into_iter()
            .map(|s| (s, filter.stance.as_deref() == Some(s)))
            .collect(),
        from: query.from.map(|d| d.to_string()).unwrap_or_default(),
        to: query.to.map(|d| d.to_string()).unwrap_or_default(),
        q: value(&query.q),
        all: filter.min_relevance.is_none(),
        feeds: feeds
            .iter()
            .map(|f| FeedOption {
                id: f.id,
                title: f.title.clone().unwrap_or_else(|| f.url.clone()),
                selected: filter.feed_id == Some(f.id),
            })
            .collect(),
        tickers: {
            let mut list: Vec<(String, bool)> = tickers
                .into_iter()
                .map(|(t, _)| {
                    let selected = filter.ticker.as_deref() == Some(t.as_str());
                    (t, selected)
                })
                .collect();
            // A filter on a ticker no article mentions stays selectable.
            if let Some(t) = &filter.ticker
                && !list.iter().any(|(x, _)| x == t)
            {
                list.insert(0, (t.clone(), true));
            }
            list
        },
        next_query,
        min_relevance: format!("{:.2}", settings.news.min_relevance),
    };
    Ok(html(page.render()?))
}

#[derive(Template)]
#[template(path = "news_article.html")]
pub struct ArticlePage {
    pub title: String,
    pub nav: Nav,
    pub row: ArticleRow,
    pub author: String,
    pub published: String,
    pub fetched: String,
    pub text: String,
    pub text_source: String,
    pub companies: Vec<String>,
    pub summary: Option<SummaryView>,
}

pub struct SummaryView {
    pub text: String,
    pub stance: String,
    pub stance_score: String,
    pub method: String,
    pub model: String,
    pub quantization: String,
    pub prompt_version: String,
    pub tokens_in: i32,
    pub tokens_out: i32,
    pub millis: i64,
    pub suspect: Vec<String>,
    pub current: bool,
    pub created_at: String,
    pub grounding: Option<GroundingView>,
}

/// The grounding report as the page shows it (askama escapes every string: model output).
pub struct GroundingView {
    pub items: Vec<GroundingItemView>,
    pub dropped: Vec<String>,
    pub fallback: bool,
    pub supported: usize,
    pub version: String,
}

pub struct GroundingItemView {
    pub text: String,
    pub kind: &'static str,
    pub supported: bool,
    pub reason: String,
}

fn grounding_view(r: &GroundingReport) -> GroundingView {
    GroundingView {
        items: r
            .items
            .iter()
            .map(|i| GroundingItemView {
                text: i.text.clone(),
                kind: i.kind.as_str(),
                supported: i.supported,
                reason: i.reason.clone(),
            })
            .collect(),
        dropped: r.dropped.clone(),
        fallback: r.fallback,
        supported: r.supported(),
        version: r.version.clone(),
    }
}

/// `GET /news/{id}`: summary with provenance, entities and the article text.
async fn article_page(
    path: web::Path<String>,
    pool: web::Data<PgPool>,
) -> Result<HttpResponse, AppError> {
    let raw = path.into_inner();
    let not_found = || AppError::NotFound("There is no such article. /news lists them.".into());
    let id = parse_id(&raw).ok_or_else(not_found)?;
    let d: ArticleDetail = store::get_article(pool.get_ref(), id)
        .await?
        .ok_or_else(not_found)?;
    let summary = d.item.summary.as_ref().map(|s| SummaryView {
        text: s.summary.clone(),
        stance: s.stance.clone(),
        stance_score: format!("{:+.2}", s.stance_score),
        method: s.method.clone(),
        model: s.model.clone(),
        quantization: s.quantization.clone().unwrap_or_else(|| "–".into()),
        prompt_version: s.prompt_version.clone(),
        tokens_in: s.tokens_in,
        tokens_out: s.tokens_out,
        millis: s.millis,
        suspect: s.suspect.clone(),
        current: s.current,
        created_at: when(s.created_at),
        grounding: s.grounding.as_ref().map(grounding_view),
    });
    let page = ArticlePage {
        title: d.item.title.clone(),
        nav: Nav::News,
        row: article_row(&d.item),
        author: d.item.author.clone().unwrap_or_default(),
        published: d.item.published.map(when).unwrap_or_else(|| "–".into()),
        fetched: when(d.fetched_at),
        text: d.text,
        text_source: d.text_source,
        companies: d.item.companies.clone(),
        summary,
    };
    Ok(html(page.render()?))
}

pub struct FeedRow {
    pub id: i64,
    pub title: String,
    pub url: String,
    pub origin: String,
    pub healthy: bool,
    pub status: String,
    pub last_success: String,
    pub last_error: String,
    pub consecutive_errors: i32,
    pub next_fetch_at: String,
    pub articles: i64,
}

pub struct JobHealthRow {
    pub job: String,
    pub status: String,
    pub last_run: String,
    pub last_success: String,
    pub rows_written: i64,
    pub error: String,
}

#[derive(Template)]
#[template(path = "news_sources.html")]
pub struct SourcesPage {
    pub title: &'static str,
    pub nav: Nav,
    pub feeds: Vec<FeedRow>,
    pub failing: usize,
    pub jobs: Vec<JobHealthRow>,
}

/// `GET /sources`: every feed with its health, and the last run of every job.
async fn sources_page(pool: web::Data<PgPool>) -> Result<HttpResponse, AppError> {
    let pool = pool.get_ref();
    let feeds = store::list_feeds(pool).await?;
    let jobs = store::job_health(pool).await?;
    let never = || "never".to_string();
    let rows: Vec<FeedRow> = feeds
        .iter()
        .map(|f| FeedRow {
            id: f.id,
            title: f.title.clone().unwrap_or_else(|| f.url.clone()),
            url: f.url.clone(),
            origin: f.origin.clone(),
            healthy: !f.is_failing(),
            status: f
                .last_status
                .clone()
                .unwrap_or_else(|| "not fetched yet".into()),
            last_success: f.last_success.map(when).unwrap_or_else(never),
            last_error: f.last_error.clone().unwrap_or_default(),
            consecutive_errors: f.consecutive_errors,
            next_fetch_at: when(f.next_fetch_at),
            articles: f.articles,
        })
        .collect();
    let page = SourcesPage {
        title: "Sources",
        nav: Nav::Sources,
        failing: rows.iter().filter(|r| !r.healthy).count(),
        feeds: rows,
        jobs: jobs
            .into_iter()
            .map(|j| JobHealthRow {
                job: j.job,
                status: j.status,
                last_run: when(j.started_at),
                last_success: j.last_success.map(when).unwrap_or_else(never),
                rows_written: j.rows_written,
                error: j.error.unwrap_or_default(),
            })
            .collect(),
    };
    Ok(html(page.render()?))
}

#[cfg(test)]
mod tests {
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
}
