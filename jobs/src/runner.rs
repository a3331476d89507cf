use chrono::{DateTime, Utc};
use jevons_store::job_runs::{self, RunStatus};

use crate::prices::{SilentProgress, backfill_prices};
use crate::{Job, JobContext, JobError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReport {
    /// The job_runs row; `None` when the run was skipped.
    pub run_id: Option<i64>,
    pub status: RunStatus,
    pub rows_written: i64,
    pub error: Option<String>,
}

impl RunReport {
    fn skipped(reason: &str) -> Self {
        Self {
            run_id: None,
            status: RunStatus::Skipped,
            rows_written: 0,
            error: Some(reason.into()),
        }
    }
}

/// Runs `job` for the period `scheduled_for` at most once across every process on this database:
/// the advisory lock keeps two runs from overlapping, and a run that already succeeded (or is
/// running) for the same period is not repeated. A failure is recorded, never propagated as a
/// panic, so the scheduler keeps going.
#[tracing::instrument(skip(ctx), fields(job = job.name()))]
pub async fn run_job(
    ctx: &JobContext,
    job: Job,
    scheduled_for: DateTime<Utc>,
) -> Result<RunReport, JobError> {
    let _running = ctx.running.token();
    let Some(lock) = job_runs::try_lock(&ctx.pool, job.name()).await? else {
        tracing::info!("another process is running this job; skipped");
        return Ok(RunReport::skipped("another process holds the job lock"));
    };
    let report = run_locked(ctx, job, scheduled_for).await;
    lock.release().await?;
    report
}

async fn run_locked(
    ctx: &JobContext,
    job: Job,
    scheduled_for: DateTime<Utc>,
) -> Result<RunReport, JobError> {
    let interrupted = job_runs::fail_interrupted(&ctx.pool, job.name()).await?;
    if interrupted > 0 {
        tracing::warn!(
            interrupted,
            "closed runs left `running` by a process that stopped"
        );
    }
    if job_runs::has_run_for(&ctx.pool, job.name(), scheduled_for).await? {
        tracing::info!(%scheduled_for, "this period already ran; skipped");
        return Ok(RunReport::skipped("this period already ran"));
    }
    let id = job_runs::start(&ctx.pool, job.name(), scheduled_for).await?;
    let started = std::time::Instant::now();
    let (status, rows, error) = match until_interrupted(ctx, execute(ctx, job)).await {
        Some(Ok((rows, None))) => (RunStatus::Succeeded, rows, None),
        Some(Ok((rows, Some(error)))) => (RunStatus::Failed, rows, Some(error)),
        Some(Err(e)) => (RunStatus::Failed, 0, Some(e.to_string())),
        None => (
            RunStatus::Interrupted,
            0,
            Some("the process stopped before the job finished; the next run redoes it".into()),
        ),
    };
    job_runs::finish(&ctx.pool, id, status, rows, error.as_deref()).await?;
    let labels = [("job", job.name()), ("outcome", status.as_str())];
    metrics::counter!(JOB_RUNS, &labels).increment(1);
    metrics::histogram!(JOB_DURATION, &labels).record(started.elapsed().as_secs_f64());
    match status {
        RunStatus::Succeeded => tracing::info!(rows, "job succeeded"),
        RunStatus::Interrupted => tracing::warn!("job interrupted by shutdown"),
        _ => tracing::warn!(rows, error = error.as_deref().unwrap_or(""), "job failed"),
    }
    Ok(RunReport {
        run_id: Some(id),
        status,
        rows_written: rows,
        error,
    })
}

/// Job runs by job and outcome, and their durations in seconds (Prometheus names).
pub const JOB_RUNS: &str = "jevons_job_runs_total";
pub const JOB_DURATION: &str = "jevons_job_duration_seconds";

/// `work`'s result, or `None` when the process stops and `work` has not finished within the
/// shutdown grace period (dropping it releases what it holds; its writes are transactions).
async fn until_interrupted<T>(ctx: &JobContext, work: impl Future<Output = T>) -> Option<T> {
    let grace = std::time::Duration::from_secs(ctx.settings.server.shutdown_timeout_s);
    let interrupted = async {
        ctx.shutdown.cancelled().await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        result = work => Some(result),
        () = interrupted => None,
    }
}

/// Returns rows written and, when part of the work failed, the error text.
async fn execute(ctx: &JobContext, job: Job) -> Result<(i64, Option<String>), JobError> {
    match job {
        Job::DigestDaily => crate::digest::run(ctx, jevons_digest::Cadence::Daily).await,
        // Events that cannot be studied are logged and skipped: they do not fail the run.
        Job::EventsStudy => crate::events::run(ctx).await,
        Job::DigestWeekly => crate::digest::run(ctx, jevons_digest::Cadence::Weekly).await,
        Job::ModelsFetch => {
            let report = crate::models::fetch_sources(&ctx.pool, &ctx.settings).await?;
            Ok((
                i64::try_from(report.rows_written()).unwrap_or(i64::MAX),
                report.error_text(),
            ))
        }
        Job::FundamentalsFetch => {
            let report = crate::fundamentals::fetch(&ctx.pool, &ctx.settings, None).await?;
            Ok((
                i64::try_from(report.rows_written()).unwrap_or(i64::MAX),
                report.error_text(),
            ))
        }
        Job::NewsFetch => {
            let report = crate::news::fetch_news(ctx).await?;
            Ok((report.rows_written(), report.error_text()))
        }
        Job::NewsSummarize => {
            let summarizer = ctx.summarizer().await;
            let report = crate::news::summarize_news(
                &ctx.pool,
                &ctx.settings.news,
                &summarizer,
                ctx.settings.news.summarize_max_per_run,
            )
            .await?;
            Ok((
                i64::try_from(report.summarized).unwrap_or(i64::MAX),
                report.error_text(),
            ))
        }
        Job::PricesDaily => {
            let symbols = ctx.settings.symbols();
            let report = backfill_prices(ctx, &symbols, None, None, &SilentProgress).await?;
            Ok((
                i64::try_from(report.rows_written).unwrap_or(i64::MAX),
                report.error_text(),
            ))
        }
    }
}
