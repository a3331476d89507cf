//! `events.study`: the stored event studies of every event whose longest window is complete in
//! the prices (jevons-insights computes and stores them as the event pages compute them), and
//! the class of every model release.

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
    // The class of every release (efficiency, capability …) from the frontier at its release:
    // the pooled studies group events by it.
    let today = chrono::Utc::now().date_naive();
    let classes = jevons_insights::releases::store_classes(&ctx.pool, &ctx.settings, today)
        .await
        .map_err(|e| match e {
            jevons_insights::models::ModelDataError::Store(e) => JobError::Store(e),
            other => JobError::Setup(other.to_string()),
        })?;
    // The pooled studies by class, stored for the pages and the digest.
    let pooled = jevons_insights::shocks::store_view(&ctx.pool, &ctx.settings)
        .await
        .map_err(|e| match e {
            jevons_insights::shocks::ShocksError::Store(e) => JobError::Store(e),
            other => JobError::Setup(other.to_string()),
        })?;
    let rows = i64::try_from(
        report
            .rows_written
            .saturating_add(classes)
            .saturating_add(u64::from(pooled)),
    )
    .unwrap_or(i64::MAX);
    Ok((rows, None))
}
