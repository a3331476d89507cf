use chrono::{DurationRound, TimeDelta, Utc};
use tokio_cron_scheduler::{Job as CronJob, JobScheduler};

use jevons_store::job_runs;

use crate::{Job, JobContext, JobError, run_job};

/// Registers every job on its configured cron schedule (UTC) and starts ticking.
/// A failed run is logged and recorded; it never stops the scheduler.
pub async fn start_scheduler(ctx: JobContext) -> Result<JobScheduler, JobError> {
    let scheduler = JobScheduler::new().await?;
    for job in Job::ALL {
        let schedule = job.schedule(&ctx.settings).to_string();
        let ctx = ctx.clone();
        let cron = CronJob::new_async_tz(schedule.as_str(), Utc, move |_id, _lock| {
            let ctx = ctx.clone();
            Box::pin(async move {
                // Every instance that fires for this tick names the same period: the minute.
                let now = Utc::now();
                let period = now.duration_trunc(TimeDelta::minutes(1)).unwrap_or(now);
                if let Err(e) = run_job(&ctx, job, period).await {
                    tracing::error!(job = job.name(), error = %e, "job could not run");
                }
            })
        })
        .map_err(|e| {
            JobError::Setup(format!("bad schedule `{schedule}` for {}: {e}", job.name()))
        })?;
        scheduler.add(cron).await?;
        tracing::info!(job = job.name(), %schedule, "scheduled");
    }
    scheduler.start().await?;
    Ok(scheduler)
}

/// Runs, now, every job whose last success is older than a day (or that never succeeded): a
/// service that was down at its scheduled time catches up when it starts. Each run still takes
/// the job's lock, so several instances starting together run it once.
pub async fn catch_up(ctx: &JobContext) -> Result<(), JobError> {
    let now = Utc::now();
    for job in Job::ALL {
        if ctx.shutdown.is_cancelled() {
            break;
        }
        let last = job_runs::last_success(&ctx.pool, job.name()).await?;
        if last.is_some_and(|t| now - t < TimeDelta::days(1)) {
            continue;
        }
        tracing::info!(job = job.name(), last_success = ?last, "catching up a missed run");
        let period = now.duration_trunc(TimeDelta::minutes(1)).unwrap_or(now);
        run_job(ctx, job, period).await?;
    }
    Ok(())
}
