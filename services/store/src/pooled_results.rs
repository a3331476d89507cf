//! The stored pooled event studies (one JSON document per benchmark).

use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::{PgPool, StoreError};

/// Stores `result` for `benchmark`; true when it changed (an identical result is not rewritten).
pub async fn save(
    pool: &PgPool,
    benchmark: &str,
    result: &serde_json::Value,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO pooled_results (benchmark, result) VALUES ($1, $2::jsonb)
         ON CONFLICT (benchmark) DO UPDATE SET result = EXCLUDED.result, computed_at = now()
          WHERE pooled_results.result IS DISTINCT FROM EXCLUDED.result",
    )
    .bind(benchmark)
    // As text: the sqlx json feature is not compiled in.
    .bind(result.to_string())
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The stored result for `benchmark` and when it was computed.
pub async fn load(
    pool: &PgPool,
    benchmark: &str,
) -> Result<Option<(serde_json::Value, DateTime<Utc>)>, StoreError> {
    let row = sqlx::query(
        "SELECT result::text AS result, computed_at FROM pooled_results WHERE benchmark = $1",
    )
    .bind(benchmark)
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        let text: String = r.try_get("result")?;
        let v = serde_json::from_str(&text)
            .map_err(|e| StoreError::Corrupt(format!("stored pooled result: {e}")))?;
        Ok((v, r.try_get("computed_at")?))
    })
    .transpose()
}
