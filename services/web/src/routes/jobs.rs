//! `GET /jobs`: the job history.

use actix_web::{HttpResponse, web};
use askama::Template;
use sqlx::PgPool;

use super::html;
use crate::error::AppError;
use crate::format;
use crate::views::{JobRow, JobsPage, Nav};

const JOB_RUNS_SHOWN: i64 = 50;

/// HTML pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.route("/jobs", web::get().to(jobs));
}

/// `GET /jobs`: the most recent job runs.
async fn jobs(pool: web::Data<PgPool>) -> Result<HttpResponse, AppError> {
    let runs = jevons_store::job_runs::recent(pool.get_ref(), None, JOB_RUNS_SHOWN).await?;
    let when = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M:%S").to_string();
    let page = JobsPage {
        title: "Jobs",
        nav: Nav::Jobs,
        runs: runs
            .into_iter()
            .map(|r| JobRow {
                job: r.job,
                scheduled_for: when(r.scheduled_for),
                started_at: when(r.started_at),
                finished_at: r.finished_at.map_or_else(|| "–".to_string(), when),
                status: r.status.as_str(),
                rows_written: format::thousands(r.rows_written),
                error: r.error.unwrap_or_default(),
            })
            .collect(),
    };
    Ok(html(page.render()?))
}
