//! The class of each model release (efficiency, capability, both, neither), as the
//! `events.study` job derives it from the frontier at the release.

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row;

use crate::{PgPool, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseClass {
    Efficiency,
    Capability,
    Both,
    Neither,
}

impl ReleaseClass {
    pub const ALL: [ReleaseClass; 4] = [
        ReleaseClass::Efficiency,
        ReleaseClass::Capability,
        ReleaseClass::Both,
        ReleaseClass::Neither,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReleaseClass::Efficiency => "efficiency",
            ReleaseClass::Capability => "capability",
            ReleaseClass::Both => "both",
            ReleaseClass::Neither => "neither",
        }
    }

    /// A class name, or an error that lists the names.
    pub fn parse(raw: &str) -> Result<Self, StoreError> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(raw.trim()))
            .ok_or_else(|| {
                StoreError::Invalid(format!(
                    "`{raw}` is not a release class: efficiency, capability, both or neither"
                ))
            })
    }

    pub fn is_efficiency(self) -> bool {
        matches!(self, ReleaseClass::Efficiency | ReleaseClass::Both)
    }

    pub fn is_capability(self) -> bool {
        matches!(self, ReleaseClass::Capability | ReleaseClass::Both)
    }
}

/// One classified release.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassifiedRelease {
    pub model_id: i64,
    pub model: String,
    pub released: NaiveDate,
    pub class: ReleaseClass,
    pub efficiency_benchmark: Option<String>,
    /// Earlier price / this price (> 1).
    pub price_ratio: Option<f64>,
    pub undercut_model: Option<String>,
    pub capability_benchmark: Option<String>,
    /// This score − the previous best (> 0, in the benchmark's stored scale).
    pub score_gain: Option<f64>,
    pub previous_best_model: Option<String>,
}

/// Replaces the stored classes with `releases` in one transaction; returns rows written (an
/// unchanged row is not rewritten, a release no longer classified is deleted).
pub async fn replace(pool: &PgPool, releases: &[ClassifiedRelease]) -> Result<u64, StoreError> {
    let mut tx = pool.begin().await?;
    let ids: Vec<i64> = releases.iter().map(|r| r.model_id).collect();
    let deleted = sqlx::query("DELETE FROM release_classes WHERE NOT (model_id = ANY($1))")
        .bind(&ids)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let mut written = deleted;
    for r in releases {
        let done = sqlx::query(
            "INSERT INTO release_classes (model_id, model, released, class, efficiency_benchmark,
                 price_ratio, undercut_model, capability_benchmark, score_gain, previous_best_model)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (model_id) DO UPDATE SET model = EXCLUDED.model,
                 released = EXCLUDED.released, class = EXCLUDED.class,
                 efficiency_benchmark = EXCLUDED.efficiency_benchmark,
                 price_ratio = EXCLUDED.price_ratio, undercut_model = EXCLUDED.undercut_model,
                 capability_benchmark = EXCLUDED.capability_benchmark,
                 score_gain = EXCLUDED.score_gain,
                 previous_best_model = EXCLUDED.previous_best_model, computed_at = now()
             WHERE (release_classes.model, release_classes.released, release_classes.class,
                    release_classes.efficiency_benchmark, release_classes.price_ratio,
                    release_classes.undercut_model, release_classes.capability_benchmark,
                    release_classes.score_gain, release_classes.previous_best_model)
               IS DISTINCT FROM (EXCLUDED.model, EXCLUDED.released, EXCLUDED.class,
                    EXCLUDED.efficiency_benchmark, EXCLUDED.price_ratio,
                    EXCLUDED.undercut_model, EXCLUDED.capability_benchmark,
                    EXCLUDED.score_gain, EXCLUDED.previous_best_model)",
        )
        .bind(r.model_id)
        .bind(&r.model)
        .bind(r.released)
        .bind(r.class.as_str())
        .bind(&r.efficiency_benchmark)
        .bind(r.price_ratio)
        .bind(&r.undercut_model)
        .bind(&r.capability_benchmark)
        .bind(r.score_gain)
        .bind(&r.previous_best_model)
        .execute(&mut *tx)
        .await?;
        written += done.rows_affected();
    }
    tx.commit().await?;
    Ok(written)
}

/// The stored classes of releases in `[from, to]` (either open), oldest first.
pub async fn list(
    pool: &PgPool,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Vec<ClassifiedRelease>, StoreError> {
    let rows = sqlx::query(
        "SELECT model_id, model, released, class, efficiency_benchmark, price_ratio,
                undercut_model, capability_benchmark, score_gain, previous_best_model
           FROM release_classes
          WHERE ($1::date IS NULL OR released >= $1) AND ($2::date IS NULL OR released <= $2)
          ORDER BY released, model",
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let class: String = r.try_get("class")?;
            Ok(ClassifiedRelease {
                model_id: r.try_get("model_id")?,
                model: r.try_get("model")?,
                released: r.try_get("released")?,
                class: ReleaseClass::parse(&class)?,
                efficiency_benchmark: r.try_get("efficiency_benchmark")?,
                price_ratio: r.try_get("price_ratio")?,
                undercut_model: r.try_get("undercut_model")?,
                capability_benchmark: r.try_get("capability_benchmark")?,
                score_gain: r.try_get("score_gain")?,
                previous_best_model: r.try_get("previous_best_model")?,
            })
        })
        .collect()
}

/// Catalogue models released in `[from, to]` with a score on a benchmark: the releases a class
/// is given to. (id, name, release day).
pub async fn scored_releases(
    pool: &PgPool,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, String, NaiveDate)>, StoreError> {
    let rows = sqlx::query(
        "SELECT DISTINCT m.id, m.name, m.released FROM ai_models m
           JOIN model_key_map k ON k.model_id = m.id
           JOIN benchmark_scores s ON s.model_key = k.model_key
          WHERE m.released BETWEEN $1 AND $2
          ORDER BY m.released, m.name",
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?, r.try_get("released")?)))
        .collect()
}
