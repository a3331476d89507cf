//! Scheduled jobs: each job fetches from a provider and stores the result. Every run is a row in
//! `job_runs`; a Postgres advisory lock per job makes N instances run each scheduled run once.

mod digest;
mod events;
pub mod fundamentals;
pub mod models;
pub mod news;
mod prices;
mod runner;
mod scheduler;

use std::sync::Arc;

use jevons_core::Settings;
use jevons_market::MarketClient;
use jevons_store::PgPool;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use prices::{PriceFetchReport, Progress, SilentProgress, SymbolOutcome, backfill_prices};
pub use runner::{RunReport, run_job};
pub use scheduler::{catch_up, start_scheduler};

/// Everything a job needs; cheap to clone.
#[derive(Clone)]
pub struct JobContext {
    pub pool: PgPool,
    pub settings: Arc<Settings>,
    pub market: Arc<MarketClient>,
    /// Feeds and article pages, through the SSRF guard.
    pub news: Arc<jevons_news::NewsClient>,
    /// Loaded on first use by news.summarize (the model load takes a while), and again once a
    /// missing model file appears (a background fetch); tests set it.
    pub summarizer: Arc<jevons_summarizer::SummarizerSlot>,
    /// Cancelled when the process stops: a running job then gets `server.shutdown_timeout_s`
    /// to finish before it is interrupted (recorded as `interrupted`, its lock released).
    pub shutdown: CancellationToken,
    /// Counts the jobs running now, so a stopping process can wait for them to record.
    pub running: TaskTracker,
}

impl JobContext {
    pub fn new(pool: PgPool, settings: Arc<Settings>) -> Result<Self, JobError> {
        let market =
            MarketClient::new(&settings.market).map_err(|e| JobError::Setup(e.to_string()))?;
        let news = jevons_news::NewsClient::new(&settings.news)
            .map_err(|e| JobError::Setup(e.to_string()))?;
        let summarizer = jevons_summarizer::SummarizerSlot::new(settings.summarizer.clone());
        Ok(Self {
            pool,
            settings,
            market: Arc::new(market),
            news: Arc::new(news),
            summarizer: Arc::new(summarizer),
            shutdown: CancellationToken::new(),
            running: TaskTracker::new(),
        })
    }

    /// The configured summariser: the local model, or extractive while its file is missing.
    pub async fn summarizer(&self) -> jevons_summarizer::Summarizer {
        self.summarizer.get().await
    }
}

/// The jobs jevons knows, by their stable names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Gap-fills daily prices of the watchlist from the last stored day.
    PricesDaily,
    /// Stores the event study of every event whose windows the stored prices complete.
    EventsStudy,
    /// Fetches the news feeds that are due and stores new or changed articles.
    NewsFetch,
    /// Summarises relevant articles whose current content has no summary.
    NewsSummarize,
    /// Queues the daily email digests that are due in their subscribers' time zones and sends the outbox.
    DigestDaily,
    /// The same for weekly digests.
    DigestWeekly,
    /// Downloads the configured model, benchmark and price sources (weekly).
    ModelsFetch,
    /// Fetches SEC EDGAR companyfacts of the vendors and buyers: quarterly revenue and capex (weekly).
    FundamentalsFetch,
}

impl Job {
    /// In catch-up order: the studies use the day's prices, the digests use the studies.
    pub const ALL: [Job; 8] = [
        Job::PricesDaily,
        Job::EventsStudy,
        Job::NewsFetch,
        Job::NewsSummarize,
        Job::DigestDaily,
        Job::DigestWeekly,
        Job::ModelsFetch,
        Job::FundamentalsFetch,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Job::PricesDaily => "prices.daily",
            Job::EventsStudy => "events.study",
            Job::NewsFetch => "news.fetch",
            Job::NewsSummarize => "news.summarize",
            Job::DigestDaily => "digest.daily",
            Job::DigestWeekly => "digest.weekly",
            Job::ModelsFetch => "models.fetch",
            Job::FundamentalsFetch => "fundamentals.fetch",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Job::FundamentalsFetch => {
                "fetch SEC EDGAR companyfacts of the watchlist vendors and compute buyers: quarterly revenue and capex, every filing's version"
            }
            Job::ModelsFetch => {
                "download the model, benchmark and API-price sources (Epoch AI, LiteLLM, LMArena…) and upsert them"
            }
            Job::DigestDaily => {
                "queue the daily email digests due in each subscriber's time zone, then send the outbox"
            }
            Job::DigestWeekly => {
                "queue the weekly email digests due in each subscriber's time zone, then send the outbox"
            }
            Job::NewsFetch => {
                "fetch the feeds that are due (conditional GET, backoff on errors) and store new articles"
            }
            Job::NewsSummarize => {
                "summarise relevant articles whose content has no summary yet (local model, or extractive)"
            }
            Job::EventsStudy => {
                "study every event whose windows the stored prices complete (market model vs the benchmark) and store the results"
            }
            Job::PricesDaily => {
                "fetch daily prices of the watchlist since the last stored day (Yahoo, Stooq as fallback)"
            }
        }
    }

    /// The cron expression (with seconds, UTC) from the configuration.
    pub fn schedule(self, settings: &Settings) -> &str {
        match self {
            Job::PricesDaily => &settings.jobs.prices_daily,
            Job::EventsStudy => &settings.jobs.events_study,
            Job::NewsFetch => &settings.jobs.news_fetch,
            Job::NewsSummarize => &settings.jobs.news_summarize,
            Job::DigestDaily => &settings.digest.daily_schedule,
            Job::DigestWeekly => &settings.digest.weekly_schedule,
            Job::ModelsFetch => &settings.models.fetch_schedule,
            Job::FundamentalsFetch => &settings.fundamentals.fetch_schedule,
        }
    }

    pub fn parse(name: &str) -> Result<Job, JobError> {
        Job::ALL
            .into_iter()
            .find(|j| j.name() == name)
            .ok_or_else(|| {
                let known: Vec<_> = Job::ALL.iter().map(|j| j.name()).collect();
                JobError::UnknownJob(name.to_string(), known.join(", "))
            })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("unknown job `{0}` (known: {1})")]
    UnknownJob(String, String),
    #[error("job setup failed: {0}")]
    Setup(String),
    #[error(transparent)]
    Store(#[from] jevons_store::StoreError),
    #[error(transparent)]
    Models(#[from] models::ModelsError),
    #[error(transparent)]
    Fundamentals(#[from] fundamentals::FundamentalsError),
    #[error("scheduler: {0}")]
    Scheduler(#[from] tokio_cron_scheduler::JobSchedulerError),
}
