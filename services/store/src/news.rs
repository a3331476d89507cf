//! News tables: feeds with their health, deduplicated articles and their entities, summaries,
//! and the queue that summarisation workers claim from with `FOR UPDATE SKIP LOCKED`.
//!
//! Over 400 lines because every query of the news tables (feeds, articles, entities, summaries,
//! the claim queue); SQL text is most of the length.

use chrono::{DateTime, Utc};
use jevons_core::grounding::GroundingReport;
use sqlx::postgres::{PgRow, Postgres};
use sqlx::{Row, Transaction};

use crate::{PgPool, StoreError};

// ---------------------------------------------------------------------------------------------
// Feeds

/// A feed and its health.
#[derive(Debug, Clone, PartialEq)]
pub struct Feed {
    pub id: i64,
    pub url: String,
    pub title: Option<String>,
    pub origin: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_fetch_at: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    /// "ok", "not modified", "HTTP 500", "refused" …: how the last fetch ended.
    pub last_status: Option<String>,
    pub consecutive_errors: i32,
    pub next_fetch_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub articles: i64,
}

impl Feed {
    /// Healthy = the last fetch succeeded (or none happened yet).
    pub fn is_failing(&self) -> bool {
        self.consecutive_errors > 0
    }
}

const FEED_SQL: &str = "
SELECT f.id, f.url, f.title, f.origin, f.etag, f.last_modified, f.last_fetch_at, f.last_success,
       f.last_error, f.last_error_at, f.last_status, f.consecutive_errors, f.next_fetch_at,
       f.created_at,
       (SELECT count(*) FROM articles a WHERE a.feed_id = f.id) AS articles
  FROM feeds f";

fn feed(row: &PgRow) -> Result<Feed, StoreError> {
    Ok(Feed {
        id: row.try_get("id")?,
        url: row.try_get("url")?,
        title: row.try_get("title")?,
        origin: row.try_get("origin")?,
        etag: row.try_get("etag")?,
        last_modified: row.try_get("last_modified")?,
        last_fetch_at: row.try_get("last_fetch_at")?,
        last_success: row.try_get("last_success")?,
        last_error: row.try_get("last_error")?,
        last_error_at: row.try_get("last_error_at")?,
        last_status: row.try_get("last_status")?,
        consecutive_errors: row.try_get("consecutive_errors")?,
        next_fetch_at: row.try_get("next_fetch_at")?,
        created_at: row.try_get("created_at")?,
        articles: row.try_get("articles")?,
    })
}

/// Adds the configured feeds that are not stored yet and sets their titles; feeds added by hand
/// and feeds removed from the configuration stay (with their articles).
pub async fn sync_config_feeds(
    pool: &PgPool,
    feeds: &[(String, Option<String>)],
) -> Result<u64, StoreError> {
    let urls: Vec<&str> = feeds.iter().map(|(u, _)| u.trim()).collect();
    let titles: Vec<Option<&str>> = feeds.iter().map(|(_, t)| t.as_deref()).collect();
    let done = sqlx::query(
        "INSERT INTO feeds (url, title, origin)
         SELECT u, t, 'config' FROM unnest($1::text[], $2::text[]) AS c(u, t)
         ON CONFLICT (url) DO UPDATE SET title = coalesce(EXCLUDED.title, feeds.title)
          WHERE feeds.title IS DISTINCT FROM coalesce(EXCLUDED.title, feeds.title)",
    )
    .bind(&urls)
    .bind(&titles)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// Stores a feed (due at once) unless its URL is there; returns it and whether it is new.
pub async fn add_feed(
    pool: &PgPool,
    url: &str,
    title: Option<&str>,
    origin: &str,
) -> Result<(Feed, bool), StoreError> {
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO feeds (url, title, origin) VALUES ($1, $2, $3)
         ON CONFLICT (url) DO NOTHING RETURNING id",
    )
    .bind(url.trim())
    .bind(title)
    .bind(origin)
    .fetch_optional(pool)
    .await?;
    let sql = format!("{FEED_SQL} WHERE f.url = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(url.trim())
        .fetch_one(pool)
        .await?;
    Ok((feed(&row)?, inserted.is_some()))
}

/// Every feed, failing ones first, then by title.
pub async fn list_feeds(pool: &PgPool) -> Result<Vec<Feed>, StoreError> {
    let sql = format!(
        "{FEED_SQL} ORDER BY (f.consecutive_errors > 0) DESC, coalesce(f.title, f.url), f.id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await?;
    rows.iter().map(feed).collect()
}

pub async fn get_feed(pool: &PgPool, id: i64) -> Result<Option<Feed>, StoreError> {
    let sql = format!("{FEED_SQL} WHERE f.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(feed).transpose()
}

/// Feeds whose next fetch is due at `now`, most overdue first.
pub async fn due_feeds(pool: &PgPool, now: DateTime<Utc>) -> Result<Vec<Feed>, StoreError> {
    let sql = format!("{FEED_SQL} WHERE f.next_fetch_at <= $1 ORDER BY f.next_fetch_at, f.id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(now)
        .fetch_all(pool)
        .await?;
    rows.iter().map(feed).collect()
}

/// A fetch that worked (200 or 304). `validators` replaces the stored ETag/Last-Modified when
/// given (a 200); a 304 keeps them. The feed's own title fills in a missing one.
pub async fn record_fetch_success(
    pool: &PgPool,
    id: i64,
    validators: Option<(Option<&str>, Option<&str>)>,
    feed_title: Option<&str>,
    status: &str,
    next_fetch_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (replace, etag, last_modified) = match validators {
        Some((e, l)) => (true, e, l),
        None => (false, None, None),
    };
    sqlx::query(
        "UPDATE feeds
            SET etag = CASE WHEN $2 THEN $3 ELSE etag END,
                last_modified = CASE WHEN $2 THEN $4 ELSE last_modified END,
                title = coalesce(title, $5),
                last_fetch_at = now(), last_success = now(), last_status = $6,
                consecutive_errors = 0, next_fetch_at = $7
          WHERE id = $1",
    )
    .bind(id)
    .bind(replace)
    .bind(etag)
    .bind(last_modified)
    .bind(feed_title)
    .bind(status)
    .bind(next_fetch_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// A failed fetch: counts it and schedules the retry. The feed stays listed (as failing).
/// Returns the new count of consecutive errors.
pub async fn record_fetch_failure(
    pool: &PgPool,
    id: i64,
    error: &str,
    status: &str,
    next_fetch_at: DateTime<Utc>,
) -> Result<i32, StoreError> {
    Ok(sqlx::query_scalar(
        "UPDATE feeds
            SET last_fetch_at = now(), last_error = $2, last_error_at = now(), last_status = $3,
                consecutive_errors = consecutive_errors + 1, next_fetch_at = $4
          WHERE id = $1
      RETURNING consecutive_errors",
    )
    .bind(id)
    .bind(error)
    .bind(status)
    .bind(next_fetch_at)
    .fetch_one(pool)
    .await?)
}

// ---------------------------------------------------------------------------------------------
// Articles

/// An article as the fetch job built it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewArticle {
    pub feed_id: i64,
    pub url: Option<String>,
    pub canonical_url: Option<String>,
    pub guid: String,
    pub title: String,
    pub published: Option<DateTime<Utc>>,
    pub author: Option<String>,
    /// Sanitised plain text.
    pub text: String,
    /// "feed" or "page".
    pub text_source: String,
    pub content_hash: String,
    /// Hash of the entry as the feed gave it (see [`feed_hashes`]).
    pub feed_hash: String,
    pub language: Option<String>,
    pub relevance: f32,
    /// (kind, value): kind is "ticker", "company" or "model".
    pub entities: Vec<(String, String)>,
}

/// What [`save_article`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Inserted(i64),
    /// The same item (feed + GUID, or same feed + canonical URL) with new content.
    Updated(i64),
    /// The same item with the same content.
    Unchanged(i64),
    /// Another item already holds this canonical URL or content.
    Duplicate(i64),
}

/// Upserts an article with dedup by GUID (within its feed), canonical URL and content hash.
/// Only the item itself (same feed and GUID) updates a stored article, so two items carrying
/// different text for the same URL cannot flip it back and forth (and re-trigger summaries).
pub async fn save_article(pool: &PgPool, a: &NewArticle) -> Result<Saved, StoreError> {
    let mut tx = pool.begin().await?;
    let existing: Option<(i64, bool, String)> = sqlx::query_as(
        "SELECT id, (feed_id = $1 AND guid = $2) AS same_item, content_hash FROM articles
          WHERE (feed_id = $1 AND guid = $2) OR canonical_url = $3
          ORDER BY (feed_id = $1 AND guid = $2) DESC
          LIMIT 1
          FOR UPDATE",
    )
    .bind(a.feed_id)
    .bind(&a.guid)
    .bind(&a.canonical_url)
    .fetch_optional(&mut *tx)
    .await?;
    let saved = match existing {
        Some((id, same_item, hash)) if hash == a.content_hash => {
            if same_item {
                sqlx::query("UPDATE articles SET feed_hash = $2 WHERE id = $1 AND feed_hash <> $2")
                    .bind(id)
                    .bind(&a.feed_hash)
                    .execute(&mut *tx)
                    .await?;
            }
            Saved::Unchanged(id)
        }
        Some((id, false, _)) => Saved::Duplicate(id),
        Some((id, _, _)) => {
            let taken: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM articles WHERE content_hash = $1 AND id <> $2 LIMIT 1",
            )
            .bind(&a.content_hash)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            match taken {
                Some(other) => Saved::Duplicate(other),
                None => {
                    sqlx::query(
                        "UPDATE articles
                            SET url = $2, title = $3, published = $4, author = $5, text = $6,
                                text_source = $7, content_hash = $8, language = $9,
                                relevance = $10, feed_hash = $12, updated_at = now(),
                                canonical_url = CASE WHEN EXISTS (
                                        SELECT 1 FROM articles o
                                         WHERE o.canonical_url = $11 AND o.id <> $1)
                                    THEN canonical_url ELSE $11 END
                          WHERE id = $1",
                    )
                    .bind(id)
                    .bind(&a.url)
                    .bind(&a.title)
                    .bind(a.published)
                    .bind(&a.author)
                    .bind(&a.text)
                    .bind(&a.text_source)
                    .bind(&a.content_hash)
                    .bind(&a.language)
                    .bind(a.relevance.clamp(0.0, 1.0))
                    .bind(&a.canonical_url)
                    .bind(&a.feed_hash)
                    .execute(&mut *tx)
                    .await?;
                    replace_entities(&mut tx, id, &a.entities).await?;
                    Saved::Updated(id)
                }
            }
        }
        None => {
            let same_content: Option<i64> =
                sqlx::query_scalar("SELECT id FROM articles WHERE content_hash = $1 LIMIT 1")
                    .bind(&a.content_hash)
                    .fetch_optional(&mut *tx)
                    .await?;
            match same_content {
                Some(other) => Saved::Duplicate(other),
                None => {
                    let id: Option<i64> = sqlx::query_scalar(
                        "INSERT INTO articles (feed_id, url, canonical_url, guid, title, published,
                                               author, text, text_source, content_hash, language,
                                               relevance, feed_hash)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                         ON CONFLICT DO NOTHING
                         RETURNING id",
                    )
                    .bind(a.feed_id)
                    .bind(&a.url)
                    .bind(&a.canonical_url)
                    .bind(&a.guid)
                    .bind(&a.title)
                    .bind(a.published)
                    .bind(&a.author)
                    .bind(&a.text)
                    .bind(&a.text_source)
                    .bind(&a.content_hash)
                    .bind(&a.language)
                    .bind(a.relevance.clamp(0.0, 1.0))
                    .bind(&a.feed_hash)
                    .fetch_optional(&mut *tx)
                    .await?;
                    match id {
                        Some(id) => {
                            replace_entities(&mut tx, id, &a.entities).await?;
                            Saved::Inserted(id)
                        }
                        // A concurrent fetch stored it between our look-up and insert.
                        None => Saved::Duplicate(0),
                    }
                }
            }
        }
    };
    tx.commit().await?;
    Ok(saved)
}

/// GUID → feed hash of the articles a feed brought, so the fetch job can skip unchanged entries.
pub async fn feed_hashes(
    pool: &PgPool,
    feed_id: i64,
) -> Result<std::collections::HashMap<String, String>, StoreError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT guid, feed_hash FROM articles WHERE feed_id = $1")
            .bind(feed_id)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().collect())
}

async fn replace_entities(
    tx: &mut Transaction<'_, Postgres>,
    article_id: i64,
    entities: &[(String, String)],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM article_entities WHERE article_id = $1")
        .bind(article_id)
        .execute(&mut **tx)
        .await?;
    let kinds: Vec<&str> = entities.iter().map(|(k, _)| k.as_str()).collect();
    let values: Vec<&str> = entities.iter().map(|(_, v)| v.as_str()).collect();
    sqlx::query(
        "INSERT INTO article_entities (article_id, kind, value)
         SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS e(k, v)
         ON CONFLICT DO NOTHING",
    )
    .bind(article_id)
    .bind(&kinds)
    .bind(&values)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What entity tagging matches against: (symbol, name, role) of every ticker, and
/// (alias, canonical model name) pairs when the models tables exist (migration 0003).
pub async fn entity_sources(
    pool: &PgPool,
) -> Result<(Vec<(String, String, String)>, Vec<(String, String)>), StoreError> {
    let tickers: Vec<(String, String, String)> =
        sqlx::query_as("SELECT symbol, name, role FROM tickers ORDER BY symbol")
            .fetch_all(pool)
            .await?;
    let have_models: bool = sqlx::query_scalar(
        "SELECT to_regclass('model_aliases') IS NOT NULL AND to_regclass('ai_models') IS NOT NULL",
    )
    .fetch_one(pool)
    .await?;
    let models = if have_models {
        sqlx::query_as(
            "SELECT m.name, m.name FROM ai_models m
             UNION
             SELECT a.alias, m.name FROM model_aliases a JOIN ai_models m ON m.key = a.canonical_key",
        )
        .fetch_all(pool)
        .await?
    } else {
        Vec::new()
    };
    Ok((tickers, models))
}

// ---------------------------------------------------------------------------------------------
// Summaries and the work queue

/// An article claimed for summarisation.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedArticle {
    pub id: i64,
    pub title: String,
    pub text: String,
    pub content_hash: String,
}

/// A claimed article: its row stays locked (`FOR UPDATE`) in this transaction until
/// [`Claim::complete`] stores the summary or [`Claim::release`] gives it back; other workers'
/// `SKIP LOCKED` passes over it. A worker that dies releases it with its connection.
pub struct Claim {
    tx: Transaction<'static, Postgres>,
    pub article: ClaimedArticle,
}

/// A summary ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSummary {
    pub summary: String,
    /// "bullish", "bearish" or "neutral".
    pub stance: String,
    pub stance_score: f32,
    /// "llm" or "extractive".
    pub method: String,
    pub model: String,
    pub quantization: Option<String>,
    pub prompt_version: String,
    pub tokens_in: i32,
    pub tokens_out: i32,
    pub millis: i64,
    pub suspect: Vec<String>,
    /// The grounding check of the summary (None: not checked).
    pub grounding: Option<GroundingReport>,
}

/// Claims the newest relevant article whose current content has no summary, skipping rows
/// other workers hold and the ids in `skip` (ones that failed in this run).
pub async fn claim_next(
    pool: &PgPool,
    min_relevance: f32,
    skip: &[i64],
) -> Result<Option<Claim>, StoreError> {
    loop {
        let mut tx = pool.begin().await?;
        let row: Option<(i64, String, String, String)> = sqlx::query_as(
            "SELECT a.id, a.title, a.text, a.content_hash
               FROM articles a
              WHERE a.relevance >= $1
                AND NOT (a.id = ANY($2))
                AND NOT EXISTS (SELECT 1 FROM summaries s
                                 WHERE s.article_id = a.id AND s.content_hash = a.content_hash)
              ORDER BY a.sort_at DESC, a.id DESC
              LIMIT 1
              FOR UPDATE OF a SKIP LOCKED",
        )
        .bind(min_relevance)
        .bind(skip)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((id, title, text, content_hash)) = row else {
            tx.rollback().await?;
            return Ok(None);
        };
        // A worker that committed this article's summary just before we locked it is not
        // visible to the statement above (its snapshot predates the commit): look again.
        let done: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM summaries WHERE article_id = $1 AND content_hash = $2)",
        )
        .bind(id)
        .bind(&content_hash)
        .fetch_one(&mut *tx)
        .await?;
        if done {
            tx.rollback().await?;
            continue;
        }
        return Ok(Some(Claim {
            tx,
            article: ClaimedArticle {
                id,
                title,
                text,
                content_hash,
            },
        }));
    }
}

/// How many relevant articles wait for a summary of their current content.
pub async fn pending_summaries(pool: &PgPool, min_relevance: f32) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM articles a
          WHERE a.relevance >= $1
            AND NOT EXISTS (SELECT 1 FROM summaries s
                             WHERE s.article_id = a.id AND s.content_hash = a.content_hash)",
    )
    .bind(min_relevance)
    .fetch_one(pool)
    .await?)
}

impl Claim {
    /// Stores the summary of the claimed content and releases the article.
    pub async fn complete(mut self, s: &NewSummary) -> Result<i64, StoreError> {
        let grounding = s
            .grounding
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| StoreError::Invalid(format!("grounding report: {e}")))?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO summaries (article_id, content_hash, summary, stance, stance_score, method,
                                    model, quantization, prompt_version, tokens_in, tokens_out,
                                    millis, suspect, grounding)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb)
             ON CONFLICT (article_id, content_hash) DO NOTHING
             RETURNING id",
        )
        .bind(self.article.id)
        .bind(&self.article.content_hash)
        .bind(&s.summary)
        .bind(&s.stance)
        .bind(s.stance_score)
        .bind(&s.method)
        .bind(&s.model)
        .bind(&s.quantization)
        .bind(&s.prompt_version)
        .bind(s.tokens_in.max(0))
        .bind(s.tokens_out.max(0))
        .bind(s.millis.max(0))
        .bind(&s.suspect)
        .bind(grounding)
        .fetch_optional(&mut *self.tx)
        .await?;
        self.tx.commit().await?;
        Ok(id.unwrap_or(0))
    }

    /// Gives the article back unsummarised.
    pub async fn release(self) -> Result<(), StoreError> {
        self.tx.rollback().await?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Reading for pages and the API

/// The newest summary of an article.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    pub summary: String,
    pub stance: String,
    pub stance_score: f32,
    pub method: String,
    pub model: String,
    pub quantization: Option<String>,
    pub prompt_version: String,
    pub tokens_in: i32,
    pub tokens_out: i32,
    pub millis: i64,
    pub suspect: Vec<String>,
    /// None for summaries made before the grounding check.
    pub grounding: Option<GroundingReport>,
    pub created_at: DateTime<Utc>,
    /// False when the article changed since and a new summary is pending.
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ArticleItem {
    pub id: i64,
    pub feed_id: i64,
    pub feed_title: Option<String>,
    pub feed_url: String,
    pub url: Option<String>,
    pub title: String,
    pub author: Option<String>,
    pub published: Option<DateTime<Utc>>,
    /// Listing order and cursor: published, else first seen.
    pub sort_at: DateTime<Utc>,
    pub relevance: f32,
    pub language: Option<String>,
    pub summary: Option<SummaryRow>,
    pub tickers: Vec<String>,
    pub companies: Vec<String>,
    pub models: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ArticleDetail {
    pub item: ArticleItem,
    pub canonical_url: Option<String>,
    pub guid: String,
    pub text: String,
    pub text_source: String,
    pub content_hash: String,
    pub fetched_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Filters of /news and /api/v1/news; `None` = no filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArticleFilter {
    pub ticker: Option<String>,
    pub stance: Option<String>,
    pub feed_id: Option<i64>,
    /// `sort_at >= from`
    pub from: Option<DateTime<Utc>>,
    /// `sort_at < to`
    pub to: Option<DateTime<Utc>>,
    /// Postgres full-text search (websearch syntax: words, "phrases", -not, or).
    pub q: Option<String>,
    pub min_relevance: Option<f32>,
    /// Keyset cursor: only articles strictly after this (sort_at, id) in listing order.
    pub after: Option<(DateTime<Utc>, i64)>,
    pub limit: i64,
}

const ARTICLE_SQL: &str = "
SELECT a.id, a.feed_id, f.title AS feed_title, f.url AS feed_url, a.url, a.title, a.author,
       a.published, a.sort_at, a.relevance, a.language, a.canonical_url, a.guid, a.text,
       a.text_source, a.content_hash, a.fetched_at, a.updated_at,
       s.summary, s.stance, s.stance_score, s.method, s.model, s.quantization, s.prompt_version,
       s.tokens_in, s.tokens_out, s.millis, s.suspect, s.grounding::text AS grounding,
       s.created_at AS summarized_at,
       (s.content_hash = a.content_hash) AS summary_current,
       coalesce((SELECT array_agg(e.value ORDER BY e.value) FROM article_entities e
                  WHERE e.article_id = a.id AND e.kind = 'ticker'), '{}') AS tickers,
       coalesce((SELECT array_agg(e.value ORDER BY e.value) FROM article_entities e
                  WHERE e.article_id = a.id AND e.kind = 'company'), '{}') AS companies,
       coalesce((SELECT array_agg(e.value ORDER BY e.value) FROM article_entities e
                  WHERE e.article_id = a.id AND e.kind = 'model'), '{}') AS models
  FROM articles a
  JOIN feeds f ON f.id = a.feed_id
  LEFT JOIN LATERAL (SELECT * FROM summaries s WHERE s.article_id = a.id
                      ORDER BY s.created_at DESC, s.id DESC LIMIT 1) s ON true";

fn article_item(row: &PgRow) -> Result<ArticleItem, StoreError> {
    let summary_text: Option<String> = row.try_get("summary")?;
    let summary = match summary_text {
        None => None,
        Some(summary) => Some(SummaryRow {
            summary,
            stance: row.try_get("stance")?,
            stance_score: row.try_get("stance_score")?,
            method: row.try_get("method")?,
            model: row.try_get("model")?,
            quantization: row.try_get("quantization")?,
            prompt_version: row.try_get("prompt_version")?,
            tokens_in: row.try_get("tokens_in")?,
            tokens_out: row.try_get("tokens_out")?,
            millis: row.try_get("millis")?,
            suspect: row.try_get("suspect")?,
            grounding: row
                .try_get::<Option<String>, _>("grounding")?
                .map(|j| serde_json::from_str(&j))
                .transpose()
                .map_err(|e| StoreError::Corrupt(format!("summaries.grounding: {e}")))?,
            created_at: row.try_get("summarized_at")?,
            current: row
                .try_get::<Option<bool>, _>("summary_current")?
                .unwrap_or(false),
        }),
    };
    Ok(ArticleItem {
        id: row.try_get("id")?,
        feed_id: row.try_get("feed_id")?,
        feed_title: row.try_get("feed_title")?,
        feed_url: row.try_get("feed_url")?,
        url: row.try_get("url")?,
        title: row.try_get("title")?,
        author: row.try_get("author")?,
        published: row.try_get("published")?,
        sort_at: row.try_get("sort_at")?,
        relevance: row.try_get("relevance")?,
        language: row.try_get("language")?,
        summary,
        tickers: row.try_get("tickers")?,
        companies: row.try_get("companies")?,
        models: row.try_get("models")?,
    })
}

/// Articles matching `filter`, newest first, at most `filter.limit` (1..=500).
pub async fn list_articles(
    pool: &PgPool,
    filter: &ArticleFilter,
) -> Result<Vec<ArticleItem>, StoreError> {
    let sql = format!(
        "{ARTICLE_SQL}
 WHERE ($1::text IS NULL OR EXISTS (SELECT 1 FROM article_entities e
                                     WHERE e.article_id = a.id AND e.kind = 'ticker'
                                       AND e.value = $1))
   AND ($2::text IS NULL OR s.stance = $2)
   AND ($3::bigint IS NULL OR a.feed_id = $3)
   AND ($4::timestamptz IS NULL OR a.sort_at >= $4)
   AND ($5::timestamptz IS NULL OR a.sort_at < $5)
   AND ($6::text IS NULL OR a.tsv @@ websearch_to_tsquery('english', $6))
   AND ($7::real IS NULL OR a.relevance >= $7)
   AND ($8::timestamptz IS NULL OR (a.sort_at, a.id) < ($8, $9::bigint))
 ORDER BY a.sort_at DESC, a.id DESC
 LIMIT $10"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&filter.ticker)
        .bind(&filter.stance)
        .bind(filter.feed_id)
        .bind(filter.from)
        .bind(filter.to)
        .bind(filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()))
        .bind(filter.min_relevance)
        .bind(filter.after.map(|(t, _)| t))
        .bind(filter.after.map(|(_, id)| id))
        .bind(filter.limit.clamp(1, 500))
        .fetch_all(pool)
        .await?;
    rows.iter().map(article_item).collect()
}

pub async fn get_article(pool: &PgPool, id: i64) -> Result<Option<ArticleDetail>, StoreError> {
    let sql = format!("{ARTICLE_SQL} WHERE a.id = $1");
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(ArticleDetail {
        item: article_item(&row)?,
        canonical_url: row.try_get("canonical_url")?,
        guid: row.try_get("guid")?,
        text: row.try_get("text")?,
        text_source: row.try_get("text_source")?,
        content_hash: row.try_get("content_hash")?,
        fetched_at: row.try_get("fetched_at")?,
        updated_at: row.try_get("updated_at")?,
    }))
}

/// The tickers articles mention, most mentioned first (for the /news filter).
pub async fn mentioned_tickers(pool: &PgPool) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT value, count(*) FROM article_entities WHERE kind = 'ticker'
          GROUP BY value ORDER BY count(*) DESC, value LIMIT 100",
    )
    .fetch_all(pool)
    .await?)
}

/// The last run of each job, with its last success: the jobs half of /sources.
#[derive(Debug, Clone, PartialEq)]
pub struct JobHealth {
    pub job: String,
    pub status: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub rows_written: i64,
    pub error: Option<String>,
    pub last_success: Option<DateTime<Utc>>,
}

pub async fn job_health(pool: &PgPool) -> Result<Vec<JobHealth>, StoreError> {
    let rows = sqlx::query(
        "SELECT DISTINCT ON (r.job) r.job, r.status, r.started_at, r.finished_at, r.rows_written,
                r.error,
                (SELECT max(o.started_at) FROM job_runs o
                  WHERE o.job = r.job AND o.status = 'succeeded') AS last_success
           FROM job_runs r
          ORDER BY r.job, r.started_at DESC, r.id DESC",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(JobHealth {
                job: row.try_get("job")?,
                status: row.try_get("status")?,
                started_at: row.try_get("started_at")?,
                finished_at: row.try_get("finished_at")?,
                rows_written: row.try_get("rows_written")?,
                error: row.try_get("error")?,
                last_success: row.try_get("last_success")?,
            })
        })
        .collect()
}
