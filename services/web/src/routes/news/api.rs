//! `GET /api/v1/news` and `GET /api/v1/news/{id}`.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use jevons_core::Settings;
use jevons_core::grounding::GroundingReport;
use jevons_store::news::{self as store, ArticleItem, SummaryRow};
use serde::Serialize;
use sqlx::PgPool;

use super::{API_DEFAULT_LIMIT, NewsQuery, page_of, parse_id};
use crate::error::AppError;
use crate::extract::Query;
use crate::openapi::{BadParam, NotFound, ServerErrors};

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
        BadParam,
        ServerErrors,
    )
)]
pub(crate) async fn api_list(
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

/// `GET /api/v1/news/{id}`: one article with its text, entities and newest summary.
#[utoipa::path(
    get,
    path = "/api/v1/news/{id}",
    tag = "news",
    params(("id" = String, Path, description = "Article id")),
    responses(
        (status = 200, description = "The article with its text, entities and newest summary", body = DetailJson),
        NotFound,
        ServerErrors,
    )
)]
pub(crate) async fn api_article(
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
