//! The `job_runs` table (history of scheduled runs) and per-job advisory locks, so that any
//! number of jevons instances run each job once.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgRow, Postgres};

use crate::{PgPool, StoreError};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RunStatus {
    Running,
    Succeeded,
    Failed,
    Skipped,
    /// The process stopped (SIGTERM/SIGINT) before the job finished.
    Interrupted,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Skipped => "skipped",
            RunStatus::Interrupted => "interrupted",
        }
    }
}

impl fmt::Display for RunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RunStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "running" => Ok(RunStatus::Running),
            "succeeded" => Ok(RunStatus::Succeeded),
            "failed" => Ok(RunStatus::Failed),
            "skipped" => Ok(RunStatus::Skipped),
            "interrupted" => Ok(RunStatus::Interrupted),
            other => Err(format!(
                "unknown run status `{other}` (running, succeeded, failed, skipped, interrupted)"
            )),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct JobRun {
    pub id: i64,
    pub job: String,
    pub scheduled_for: DateTime<Utc>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub status: RunStatus,
    pub rows_written: i64,
    pub error: Option<String>,
}

/// Records a run as `running` and returns its id.
pub async fn start(
    pool: &PgPool,
    job: &str,
    scheduled_for: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO job_runs (job, scheduled_for, status) VALUES ($1, $2, 'running') RETURNING id",
    )
    .bind(job)
    .bind(scheduled_for)
    .fetch_one(pool)
    .await?)
}

/// Records the end of run `id`.
pub async fn finish(
    pool: &PgPool,
    id: i64,
    status: RunStatus,
    rows_written: i64,
    error: Option<&str>,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE job_runs SET status = $2, rows_written = $3, error = $4, finished_at = now()
          WHERE id = $1",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(rows_written)
    .bind(error)
    .execute(pool)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("job run {id}")));
    }
    // A job's writes are committed by now: this process's views may show them at once.
    crate::changes::note_local_write();
    Ok(())
}

fn job_run(row: &PgRow) -> Result<JobRun, StoreError> {
    let status: String = row.try_get("status")?;
    Ok(JobRun {
        id: row.try_get("id")?,
        job: row.try_get("job")?,
        scheduled_for: row.try_get("scheduled_for")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        status: status.parse().map_err(StoreError::Corrupt)?,
        rows_written: row.try_get("rows_written")?,
        error: row.try_get("error")?,
    })
}

/// The latest runs, newest first, of one job or of all.
pub async fn recent(
    pool: &PgPool,
    job: Option<&str>,
    limit: i64,
) -> Result<Vec<JobRun>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, job, scheduled_for, started_at, finished_at, status, rows_written, error
           FROM job_runs
          WHERE $1::text IS NULL OR job = $1
          ORDER BY started_at DESC, id DESC
          LIMIT $2",
    )
    .bind(job)
    .bind(limit.max(0))
    .fetch_all(pool)
    .await?;
    rows.iter().map(job_run).collect()
}

/// True if a run of `job` for `scheduled_for` is running or has succeeded, so a second
/// instance (or a restart) does not repeat it.
pub async fn has_run_for(
    pool: &PgPool,
    job: &str,
    scheduled_for: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM job_runs
                         WHERE job = $1 AND scheduled_for = $2
                           AND status IN ('running', 'succeeded'))",
    )
    .bind(job)
    .bind(scheduled_for)
    .fetch_one(pool)
    .await?)
}

/// Marks this job's `running` rows as failed: called while holding the job's lock, so any such
/// row belongs to a process that died mid-run. Returns how many were closed.
pub async fn fail_interrupted(pool: &PgPool, job: &str) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE job_runs
            SET status = 'failed', finished_at = now(),
                error = 'interrupted: the process stopped during the run'
          WHERE job = $1 AND status = 'running'",
    )
    .bind(job)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// When this job last succeeded, if ever.
pub async fn last_success(pool: &PgPool, job: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT max(started_at) FROM job_runs WHERE job = $1 AND status = 'succeeded'",
    )
    .bind(job)
    .fetch_one(pool)
    .await?)
}

/// First key of every jevons job lock, so they cannot collide with other users of
/// `pg_advisory_lock` on the same server ("JOBS").
const LOCK_CLASS: i32 = 0x4A4F_4253;

/// A session-level advisory lock on one job name, held on a connection taken from the pool.
/// `release` unlocks it and returns the connection; if dropped instead, the connection is
/// closed (never returned to the pool), so the lock dies with its session.
#[derive(Debug)]
pub struct JobLock {
    conn: Option<PoolConnection<Postgres>>,
    job: String,
}

/// Takes the lock for `job` if no other session holds it; `None` if one does.
pub async fn try_lock(pool: &PgPool, job: &str) -> Result<Option<JobLock>, StoreError> {
    let mut conn = pool.acquire().await?;
    let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, hashtext($2))")
        .bind(LOCK_CLASS)
        .bind(job)
        .fetch_one(&mut *conn)
        .await?;
    if !got {
        return Ok(None);
    }
    tracing::debug!(job, "job lock taken");
    Ok(Some(JobLock {
        conn: Some(conn),
        job: job.to_string(),
    }))
}

impl JobLock {
    pub fn job(&self) -> &str {
        &self.job
    }

    pub async fn release(mut self) -> Result<(), StoreError> {
        let Some(mut conn) = self.conn.take() else {
            return Ok(());
        };
        let unlocked = sqlx::query_scalar::<_, bool>("SELECT pg_advisory_unlock($1, hashtext($2))")
            .bind(LOCK_CLASS)
            .bind(&self.job)
            .fetch_one(&mut *conn)
            .await;
        match unlocked {
            Ok(true) => {
                tracing::debug!(job = %self.job, "job lock released");
                Ok(())
            }
            Ok(false) => {
                conn.close_on_drop();
                Err(StoreError::LockNotHeld(self.job.to_string()))
            }
            Err(e) => {
                conn.close_on_drop();
                Err(e.into())
            }
        }
    }
}

impl Drop for JobLock {
    fn drop(&mut self) {
        if let Some(mut conn) = self.conn.take() {
            tracing::debug!(job = %self.job, "job lock dropped without release; closing its connection");
            conn.close_on_drop();
        }
    }
}
