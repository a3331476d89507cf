//! `events.study`: the stored event studies of every event whose longest window is complete in
//! the prices (jevons-insights computes and stores them as the event pages compute them).

use jevons_insights::studies::{StudyError, StudyReport, store_event_studies};

use crate::{JobContext, JobError};

/// Returns rows written; events that cannot be studied are logged and skipped, not fatal.
pub async fn run(ctx: &JobContext) -> Result<(i64, Option<String>), JobError> {
    let report: StudyReport = store_event_studies(&ctx.pool, &ctx.settings)
        .await
        .map_err(|e| match e {
            StudyError::Store(e) => JobError::Store(e),
            other => JobError::Setup(other.to_string()),
        })?;
    Ok((i64::try_from(report.rows_written).unwrap_or(i64::MAX), None))
}
