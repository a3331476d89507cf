//! `jevons jobs list` and `jevons jobs run JOB`.

use std::process::ExitCode;
use std::sync::Arc;

use chrono::Utc;
use jevons_core::Settings;
use jevons_jobs::{Job, JobContext};
use jevons_store::{PgPool, job_runs};

/// Every scheduled job with its schedule and its last run.
pub async fn list(settings: &Settings, pool: &PgPool) -> anyhow::Result<()> {
    println!(
        "{:<16} {:<22} {:<28} description",
        "job", "schedule (UTC)", "last run"
    );
    for job in Job::ALL {
        let last = job_runs::recent(pool, Some(job.name()), 1).await?;
        let last = last.first().map_or_else(
            || "never".to_string(),
            |r| {
                format!(
                    "{} {}",
                    r.started_at.format("%Y-%m-%d %H:%M"),
                    r.status.as_str()
                )
            },
        );
        println!(
            "{:<16} {:<22} {:<28} {}",
            job.name(),
            job.schedule(settings),
            last,
            job.description()
        );
    }
    Ok(())
}

/// Runs one job now, under its lock, and prints its outcome.
pub async fn run(settings: &Arc<Settings>, pool: &PgPool, job: &str) -> anyhow::Result<ExitCode> {
    let job = Job::parse(job)?;
    jevons_store::tickers::sync_watchlist(pool, &settings.watchlist).await?;
    let ctx = JobContext::new(pool.clone(), settings.clone())?;
    let report = jevons_jobs::run_job(&ctx, job, Utc::now()).await?;
    println!(
        "{}: {} ({} rows written){}",
        job.name(),
        report.status.as_str(),
        report.rows_written,
        report
            .error
            .as_deref()
            .map(|e| format!("\n{e}"))
            .unwrap_or_default()
    );
    Ok(if report.status == job_runs::RunStatus::Failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
