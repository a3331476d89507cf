//! `digest.daily` / `digest.weekly`: queue the digests that are due, then deliver the outbox.

use chrono::Utc;
use jevons_digest::{Cadence, Digests};

use crate::{JobContext, JobError};

/// Returns emails sent and, when some could not be sent yet, a note for job_runs.error.
pub async fn run(ctx: &JobContext, cadence: Cadence) -> Result<(i64, Option<String>), JobError> {
    let digests = Digests::new(ctx.pool.clone(), ctx.settings.clone())
        .await
        .map_err(|e| JobError::Setup(e.to_string()))?;
    let (queued, report) = digests
        .run(cadence, Utc::now(), false)
        .await
        .map_err(|e| JobError::Setup(e.to_string()))?;
    tracing::info!(queued, ?report, cadence = cadence.as_str(), "digests");
    let note = (report.failed > 0 || report.retried > 0).then(|| {
        format!(
            "{} email(s) failed, {} to retry (see digest_outbox)",
            report.failed, report.retried
        )
    });
    Ok((i64::try_from(report.sent).unwrap_or(i64::MAX), note))
}
