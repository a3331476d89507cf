//! Scheduled jobs: each job fetches from a provider and stores the result. Every run is a row in
//! `job_runs`; a Postgres advisory lock per job makes N instances run each scheduled run once.

mod prices;
mod runner;
mod scheduler;

use std::sync::Arc;

use jevons_core::Settings;
use jevons_market::MarketClient;
use jevons_store::PgPool;

pub use prices::{PriceFetchReport, Progress, SilentProgress, SymbolOutcome, backfill_prices};
pub use runner::{RunReport, run_job};
pub use scheduler::{catch_up, start_scheduler};

/// Everything a job needs; cheap to clone.
#[derive(Clone)]
pub struct JobContext {
    pub pool: PgPool,
    pub settings: Arc<Settings>,
    pub market: Arc<MarketClient>,
}

impl JobContext {
    pub fn new(pool: PgPool, settings: Arc<Settings>) -> Result<Self, JobError> {
        let market =
            MarketClient::new(&settings.market).map_err(|e| JobError::Setup(e.to_string()))?;
        Ok(Self {
            pool,
            settings,
            market: Arc::new(market),
        })
    }
}

/// The jobs jevons knows, by their stable names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Gap-fills daily prices of the watchlist from the last stored day.
    PricesDaily,
}

impl Job {
    pub const ALL: [Job; 1] = [Job::PricesDaily];

    pub fn name(self) -> &'static str {
        match self {
            Job::PricesDaily => "prices.daily",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Job::PricesDaily => {
                "fetch daily prices of the watchlist since the last stored day (Yahoo, Stooq as fallback)"
            }
        }
    }

    /// The cron expression (with seconds, UTC) from the configuration.
    pub fn schedule(self, settings: &Settings) -> &str {
        match self {
            Job::PricesDaily => &settings.jobs.prices_daily,
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
    #[error("scheduler: {0}")]
    Scheduler(#[from] tokio_cron_scheduler::JobSchedulerError),
}
