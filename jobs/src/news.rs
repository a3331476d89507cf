//! `news.fetch` (every due feed → deduplicated, tagged articles) and `news.summarize` (claim
//! relevant articles whose content has no summary yet → summary).
//!
//! Over 400 lines because the two news jobs share the feed, keyword and alias setup and the
//! report types; each is one linear pipeline.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use jevons_core::config::NewsSettings;
use jevons_news::entities::TickerEntry;
use jevons_news::{
    Conditional, EntityCatalog, FeedEntry, FeedResponse, FetchError, Keywords, canonical_url,
    content_hash, extract_main_text, guess_language, parse_feed, relevance,
};
use jevons_store::news::{self as store, Feed, NewArticle, NewSummary, Saved};
use jevons_store::{PgPool, StoreError};
use jevons_summarizer::{Aliases, Summarizer, SummaryRequest};
use tracing::Instrument;

use crate::JobContext;

/// What one `news.fetch` run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct NewsFetchReport {
    pub feeds: usize,
    pub not_modified: usize,
    /// (feed URL, error)
    pub failed: Vec<(String, String)>,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub duplicates: u64,
    /// Entries skipped because the feed gave them exactly as before.
    pub skipped: u64,
}

impl NewsFetchReport {
    pub fn rows_written(&self) -> i64 {
        i64::try_from(self.inserted + self.updated).unwrap_or(i64::MAX)
    }

    /// The run fails only when every due feed failed; single failing feeds are shown as
    /// failing on /sources and retried on their own schedule.
    pub fn error_text(&self) -> Option<String> {
        (self.feeds > 0 && self.failed.len() == self.feeds).then(|| {
            self.failed
                .iter()
                .map(|(url, e)| format!("{url}: {e}"))
                .collect::<Vec<_>>()
                .join("\n")
        })
    }
}

/// Names that mean the same (tickers, companies, models) for the summaries' grounding check,
/// from the same tables as the tagger's catalogue.
pub async fn load_aliases(pool: &PgPool) -> Result<Aliases, StoreError> {
    let (tickers, models) = store::entity_sources(pool).await?;
    let tickers: Vec<TickerEntry> = tickers
        .into_iter()
        .map(|(symbol, name, role)| TickerEntry {
            symbol,
            name,
            is_fund: role == "benchmark",
        })
        .collect();
    Ok(Aliases::new(jevons_news::alias_groups(&tickers, &models)))
}

/// Stores the configured feeds that are not in the database yet.
pub async fn sync_feeds(pool: &PgPool, settings: &NewsSettings) -> Result<(), StoreError> {
    let feeds: Vec<(String, Option<String>)> = settings
        .feeds
        .iter()
        .map(|f| (f.url.trim().to_string(), f.title.clone()))
        .collect();
    store::sync_config_feeds(pool, &feeds).await?;
    Ok(())
}

/// The tagger's catalogue from the tickers table and, when present, the model aliases.
pub async fn load_catalog(pool: &PgPool) -> Result<EntityCatalog, StoreError> {
    let (tickers, models) = store::entity_sources(pool).await?;
    let tickers: Vec<TickerEntry> = tickers
        .into_iter()
        .map(|(symbol, name, role)| TickerEntry {
            symbol,
            name,
            is_fund: role == "benchmark",
        })
        .collect();
    Ok(EntityCatalog::new(&tickers, &models))
}

/// Fetches every feed that is due and stores its new or changed entries.
#[tracing::instrument(skip_all)]
pub async fn fetch_news(ctx: &JobContext) -> Result<NewsFetchReport, StoreError> {
    let settings = &ctx.settings.news;
    sync_feeds(&ctx.pool, settings).await?;
    let catalog = load_catalog(&ctx.pool).await?;
    let keywords = Keywords::new(&settings.keywords);
    let due = store::due_feeds(&ctx.pool, Utc::now()).await?;
    let mut report = NewsFetchReport {
        feeds: due.len(),
        ..Default::default()
    };
    for feed in &due {
        fetch_one(ctx, feed, &catalog, &keywords, &mut report).await?;
    }
    tracing::info!(?report, "news fetched");
    Ok(report)
}

fn after(d: Duration) -> DateTime<Utc> {
    Utc::now() + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::days(1))
}

async fn fetch_one(
    ctx: &JobContext,
    feed: &Feed,
    catalog: &EntityCatalog,
    keywords: &Keywords,
    report: &mut NewsFetchReport,
) -> Result<(), StoreError> {
    let settings = &ctx.settings.news;
    let next_ok = after(Duration::from_secs(
        settings.fetch_interval_mins.max(1) * 60,
    ));
    let validators = Conditional {
        etag: feed.etag.clone(),
        last_modified: feed.last_modified.clone(),
    };
    let fetched = ctx.news.fetch_feed(&feed.url, &validators).await;
    jevons_core::telemetry::count_fetch("news_feed", &fetched);
    let fetched = match fetched {
        Ok(FeedResponse::NotModified) => {
            report.not_modified += 1;
            store::record_fetch_success(&ctx.pool, feed.id, None, None, "not modified", next_ok)
                .await?;
            return Ok(());
        }
        Ok(FeedResponse::Fetched(f)) => f,
        Err(e) => {
            let status = match &e {
                FetchError::Status { status, .. } => format!("HTTP {status}"),
                FetchError::Refused(_) => "refused".into(),
                FetchError::TooLarge { .. } => "too large".into(),
                FetchError::Timeout => "timeout".into(),
                _ => "error".into(),
            };
            return record_failure(ctx, feed, &e.to_string(), &status, e.retry_after(), report)
                .await;
        }
    };
    let parsed = match parse_feed(&fetched.body, Some(&fetched.final_url)) {
        Ok(p) => p,
        Err(e) => {
            return record_failure(ctx, feed, &e.to_string(), "unreadable", None, report).await;
        }
    };
    let known = store::feed_hashes(&ctx.pool, feed.id).await?;
    let mut entries = parsed.entries;
    entries.sort_by_key(|e| std::cmp::Reverse(e.published));
    entries.truncate(settings.max_entries_per_feed);
    for entry in &entries {
        let feed_text = entry.text();
        let feed_hash = content_hash(&entry.title, &feed_text);
        if known.get(&entry.guid) == Some(&feed_hash) {
            report.skipped += 1;
            continue;
        }
        let article = build_article(
            ctx,
            feed.id,
            entry,
            feed_text,
            feed_hash,
            parsed.language.as_deref(),
            catalog,
            keywords,
        )
        .await;
        match store::save_article(&ctx.pool, &article).await? {
            Saved::Inserted(_) => report.inserted += 1,
            Saved::Updated(_) => report.updated += 1,
            Saved::Unchanged(_) => report.unchanged += 1,
            Saved::Duplicate(_) => report.duplicates += 1,
        }
    }
    // Validators last: a run that dies mid-way fetches the whole document again.
    store::record_fetch_success(
        &ctx.pool,
        feed.id,
        Some((
            fetched.validators.etag.as_deref(),
            fetched.validators.last_modified.as_deref(),
        )),
        parsed.title.as_deref(),
        "ok",
        next_ok,
    )
    .await
}

async fn record_failure(
    ctx: &JobContext,
    feed: &Feed,
    error: &str,
    status: &str,
    retry_after: Option<Duration>,
    report: &mut NewsFetchReport,
) -> Result<(), StoreError> {
    let settings = &ctx.settings.news;
    let n = u32::try_from(feed.consecutive_errors.max(0)).unwrap_or(0) + 1;
    let delay = jevons_news::backoff::failure_delay(
        n,
        Duration::from_secs(settings.backoff_base_secs.max(1)),
        Duration::from_secs(settings.backoff_max_secs.max(1)),
        retry_after,
        &mut rand::rng(),
    );
    tracing::warn!(feed = %feed.url, error, failures = n, retry_in_s = delay.as_secs(), "feed fetch failed");
    store::record_fetch_failure(&ctx.pool, feed.id, error, status, after(delay)).await?;
    report.failed.push((feed.url.clone(), error.to_string()));
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn build_article(
    ctx: &JobContext,
    feed_id: i64,
    entry: &FeedEntry,
    feed_text: String,
    feed_hash: String,
    feed_language: Option<&str>,
    catalog: &EntityCatalog,
    keywords: &Keywords,
) -> NewArticle {
    let settings = &ctx.settings.news;
    let mut text = feed_text;
    let mut text_source = "feed";
    if settings.fetch_full_text
        && text.chars().count() < settings.full_text_min_chars
        && let Some(url) = &entry.url
    {
        let page = ctx.news.fetch_page(url).await;
        jevons_core::telemetry::count_fetch("news_page", &page);
        match page {
            Ok(html) => {
                if let Some(page_text) = extract_main_text(&html)
                    && page_text.len() > text.len()
                {
                    text = page_text;
                    text_source = "page";
                }
            }
            Err(e) => {
                tracing::info!(url, error = %e, "article page not fetched; feed text kept")
            }
        }
    }
    let title = if entry.title.is_empty() {
        entry.url.clone().unwrap_or_default()
    } else {
        entry.title.clone()
    };
    let entities = catalog
        .tag(&title, &text)
        .into_iter()
        .map(|e| (e.kind.as_str().to_string(), e.value))
        .collect();
    let language = entry
        .language
        .clone()
        .or_else(|| feed_language.map(str::to_string))
        .or_else(|| guess_language(&text).map(str::to_string));
    NewArticle {
        feed_id,
        url: entry.url.clone(),
        canonical_url: entry.url.as_deref().and_then(canonical_url),
        guid: if entry.guid.is_empty() {
            entry.url.clone().unwrap_or_else(|| title.clone())
        } else {
            entry.guid.clone()
        },
        relevance: relevance(&title, &text, keywords),
        content_hash: content_hash(&title, &text),
        feed_hash,
        title,
        published: entry.published,
        author: entry.author.clone(),
        text,
        text_source: text_source.to_string(),
        language,
        entities,
    }
}

/// What one `news.summarize` run did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SummarizeReport {
    pub summarized: u64,
    /// (article id, error)
    pub failed: Vec<(i64, String)>,
}

impl SummarizeReport {
    pub fn error_text(&self) -> Option<String> {
        (self.summarized == 0 && !self.failed.is_empty()).then(|| {
            self.failed
                .iter()
                .map(|(id, e)| format!("article {id}: {e}"))
                .collect::<Vec<_>>()
                .join("\n")
        })
    }
}

/// Summarises up to `max` relevant articles whose current content has no summary, as many at
/// once as the summariser computes at once (its model workers). Any number of these can run at
/// once (in one process or many): each claims its article with `FOR UPDATE SKIP LOCKED`, so no
/// article is summarised twice.
#[tracing::instrument(skip_all, fields(model = summarizer.model_name()))]
pub async fn summarize_news(
    pool: &PgPool,
    settings: &NewsSettings,
    summarizer: &Summarizer,
    max: u32,
) -> Result<SummarizeReport, StoreError> {
    let shared = Arc::new(SummarizeShared {
        keywords: Keywords::new(&settings.keywords),
        aliases: Arc::new(load_aliases(pool).await?),
        min_relevance: settings.min_relevance,
        max: u64::from(max),
        progress: Mutex::new(Progress::default()),
    });
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..summarizer.concurrency().max(1) {
        let (pool, summarizer, shared) = (pool.clone(), summarizer.clone(), shared.clone());
        tasks.spawn(
            async move { summarize_loop(&pool, &summarizer, &shared).await }
                .instrument(tracing::Span::current()),
        );
    }
    let mut first_error = None;
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                first_error.get_or_insert(e);
            }
            // A panic in a loop is a bug: surface it as the job's own would be.
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => {}
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    let report = {
        let p = shared.progress.lock().unwrap_or_else(|e| e.into_inner());
        SummarizeReport {
            summarized: p.summarized,
            failed: p.failed.clone(),
        }
    };
    tracing::info!(
        summarized = report.summarized,
        failed = report.failed.len(),
        "news summarised"
    );
    Ok(report)
}

struct SummarizeShared {
    keywords: Keywords,
    aliases: Arc<Aliases>,
    min_relevance: f32,
    max: u64,
    progress: Mutex<Progress>,
}

#[derive(Default)]
struct Progress {
    summarized: u64,
    /// Claimed and being summarised: they count against `max` until they end.
    in_flight: u64,
    failed: Vec<(i64, String)>,
    /// Failed in this run: not claimed again by it.
    skip: Vec<i64>,
}

/// One of the concurrent loops of [`summarize_news`]: claim, summarise, store, until `max`
/// summaries are made or begun, or no article waits.
async fn summarize_loop(
    pool: &PgPool,
    summarizer: &Summarizer,
    shared: &SummarizeShared,
) -> Result<(), StoreError> {
    let progress = || shared.progress.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let skip = {
            let mut p = progress();
            if p.summarized + p.in_flight >= shared.max {
                return Ok(());
            }
            p.in_flight += 1;
            p.skip.clone()
        };
        let claim = match store::claim_next(pool, shared.min_relevance, &skip).await {
            Ok(Some(claim)) => claim,
            other => {
                progress().in_flight -= 1;
                return other.map(|_| ());
            }
        };
        let a = &claim.article;
        let request = SummaryRequest {
            title: a.title.clone(),
            text: a.text.clone(),
            keywords: shared.keywords.matched(&a.title, &a.text),
            aliases: shared.aliases.clone(),
        };
        match summarizer.summarize(request).await {
            Ok(s) => {
                let row = NewSummary {
                    summary: s.summary,
                    stance: s.stance.as_str().to_string(),
                    stance_score: s.stance_score,
                    method: s.method.as_str().to_string(),
                    model: s.model,
                    quantization: s.quantization,
                    prompt_version: s.prompt_version,
                    tokens_in: i32::try_from(s.tokens_in).unwrap_or(i32::MAX),
                    tokens_out: i32::try_from(s.tokens_out).unwrap_or(i32::MAX),
                    millis: i64::try_from(s.millis).unwrap_or(i64::MAX),
                    suspect: s.suspect,
                    grounding: Some(s.grounding),
                };
                let stored = claim.complete(&row).await;
                let mut p = progress();
                p.in_flight -= 1;
                stored?;
                p.summarized += 1;
            }
            Err(e) => {
                let id = a.id;
                tracing::warn!(article = id, error = %e, "summary failed; the article stays pending");
                let released = claim.release().await;
                let mut p = progress();
                p.in_flight -= 1;
                p.skip.push(id);
                p.failed.push((id, e.to_string()));
                released?;
            }
        }
    }
}
