//! `/news` (the list), `/news/{id}` (an article and its summaries) and `/sources` (the feeds).

use actix_web::{HttpResponse, web};
use askama::Template;
use jevons_core::{Settings, Symbol};
use jevons_store::news::{self as store, ArticleDetail};
use sqlx::PgPool;

use super::{NewsQuery, PAGE_SIZE, page_of, parse_id, present};
use crate::error::AppError;
use crate::extract::Query;
use crate::routes::html;
use crate::views::Nav;
use crate::views::news::*;

/// Percent-encodes a query-string value.
pub(crate) fn enc(s: &str) -> String {
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
pub(crate) async fn news_page(
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

/// `GET /news/{id}`: summary with provenance, entities and the article text.
pub(crate) async fn article_page(
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

/// `GET /sources`: every feed with its health, and the last run of every job.
pub(crate) async fn sources_page(pool: web::Data<PgPool>) -> Result<HttpResponse, AppError> {
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
