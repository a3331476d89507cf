//! AI models, aliases, benchmark scores and API prices (migration 0003).
//!
//! Imports are one transaction per source batch, upserting on natural keys with
//! `IS DISTINCT FROM` guards: re-importing a snapshot touches no row, a new snapshot adds rows.
//! Scores and prices keep the source's model name; `model_key_map` resolves them when read.
//!
//! Over 400 lines because every query of the model tables (models, aliases, scores, prices,
//! imports); SQL text is most of the length.

use std::collections::HashMap;

use chrono::NaiveDate;
use jevons_core::ai::{ModelRecord, PriceRecord, ScoreRecord, SourceBatch};
use sqlx::{Connection, FromRow, Row};

use crate::{PgPool, StoreError};

/// Rows per UNNEST statement: keeps each statement's parameters small.
const CHUNK: usize = 5_000;

/// What a write did to one table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct WriteCounts {
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl WriteCounts {
    fn add(&mut self, inserted: bool) {
        if inserted {
            self.inserted += 1;
        } else {
            self.updated += 1;
        }
    }

    fn finish(&mut self, rows: usize) {
        self.rows = rows as u64;
        self.unchanged = self.rows.saturating_sub(self.inserted + self.updated);
    }

    pub fn written(&self) -> u64 {
        self.inserted + self.updated
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportStats {
    pub models: WriteCounts,
    pub scores: WriteCounts,
    pub prices: WriteCounts,
    /// Distinct model names of this batch that match no model (yet).
    pub unmatched_names: u64,
}

impl ImportStats {
    pub fn written(&self) -> u64 {
        self.models.written() + self.scores.written() + self.prices.written()
    }
}

/// One entry of the repo's alias table, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasRow {
    pub alias: String,
    pub alias_key: String,
    pub canonical_key: String,
    /// Prices dated after this day do not match through the alias.
    pub valid_until: Option<NaiveDate>,
}

/// Replaces the `alias-table` rows with `rows` (other origins are kept). Returns rows written.
pub async fn sync_alias_table(pool: &PgPool, rows: &[AliasRow]) -> Result<u64, StoreError> {
    let mut tx = pool.begin().await?;
    let aliases: Vec<&str> = rows.iter().map(|r| r.alias.as_str()).collect();
    sqlx::query("DELETE FROM model_aliases WHERE origin = 'alias-table' AND NOT (alias = ANY($1))")
        .bind(&aliases)
        .execute(&mut *tx)
        .await?;
    let keys: Vec<&str> = rows.iter().map(|r| r.alias_key.as_str()).collect();
    let canon: Vec<&str> = rows.iter().map(|r| r.canonical_key.as_str()).collect();
    let until: Vec<Option<NaiveDate>> = rows.iter().map(|r| r.valid_until).collect();
    let written = sqlx::query(
        "INSERT INTO model_aliases (alias, alias_key, canonical_key, valid_until, origin)
         SELECT u.*, 'alias-table' FROM UNNEST($1::text[], $2::text[], $3::text[], $4::date[]) AS u
         ON CONFLICT (alias) DO UPDATE SET alias_key = EXCLUDED.alias_key,
             canonical_key = EXCLUDED.canonical_key, valid_until = EXCLUDED.valid_until,
             origin = EXCLUDED.origin
         WHERE (model_aliases.alias_key, model_aliases.canonical_key, model_aliases.valid_until,
                model_aliases.origin)
               IS DISTINCT FROM (EXCLUDED.alias_key, EXCLUDED.canonical_key, EXCLUDED.valid_until,
                EXCLUDED.origin)",
    )
    .bind(&aliases)
    .bind(&keys)
    .bind(&canon)
    .bind(&until)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(written)
}

/// How a batch's models are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ModelWrite {
    /// The batch is a catalogue: its values replace the stored ones (Epoch notable models).
    #[default]
    Upsert,
    /// A secondary catalogue (the ECI's model list): only models not stored yet are added, so
    /// the main catalogue's figures are never overwritten.
    FillMissing,
}

/// Writes a batch in one transaction (all or nothing).
pub async fn import_batch(pool: &PgPool, batch: &SourceBatch) -> Result<ImportStats, StoreError> {
    import_batch_with(pool, batch, ModelWrite::Upsert).await
}

/// [`import_batch`] with the models written as `write` says.
pub async fn import_batch_with(
    pool: &PgPool,
    batch: &SourceBatch,
    write: ModelWrite,
) -> Result<ImportStats, StoreError> {
    check_batch(batch)?;
    let mut conn = pool.acquire().await?;
    let mut tx = conn.begin().await?;
    let mut stats = ImportStats::default();

    let mut models = dedup(&batch.models, |m| m.key.clone());
    if write == ModelWrite::FillMissing && !models.is_empty() {
        let keys: Vec<&str> = models.iter().map(|m| m.key.as_str()).collect();
        let stored: Vec<String> =
            sqlx::query_scalar("SELECT key FROM ai_models WHERE key = ANY($1)")
                .bind(&keys)
                .fetch_all(&mut *tx)
                .await?;
        let stored: std::collections::HashSet<String> = stored.into_iter().collect();
        models.retain(|m| !stored.contains(&m.key));
    }
    for chunk in models.chunks(CHUNK) {
        upsert_models(&mut tx, batch, chunk, &mut stats.models).await?;
    }
    stats.models.finish(models.len());

    let scores = dedup(&batch.scores, |s| {
        (
            s.model_name.clone(),
            s.benchmark_key.clone(),
            s.metric.clone(),
            s.as_of,
        )
    });
    for chunk in scores.chunks(CHUNK) {
        upsert_scores(&mut tx, batch, chunk, &mut stats.scores).await?;
    }
    stats.scores.finish(scores.len());

    let prices = dedup(&batch.prices, |p| {
        (p.model_name.clone(), p.provider.clone(), p.effective)
    });
    for chunk in prices.chunks(CHUNK) {
        upsert_prices(&mut tx, batch, chunk, &mut stats.prices).await?;
    }
    stats.prices.finish(prices.len());

    let mut keys: Vec<&str> = scores
        .iter()
        .map(|s| s.model_key.as_str())
        .chain(prices.iter().map(|p| p.model_key.as_str()))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let matched: i64 =
        sqlx::query_scalar("SELECT count(*) FROM model_key_map WHERE model_key = ANY($1)")
            .bind(&keys)
            .fetch_one(&mut *tx)
            .await?;
    stats.unmatched_names = (keys.len() as u64).saturating_sub(matched.max(0) as u64);
    tx.commit().await?;
    Ok(stats)
}

fn check_batch(batch: &SourceBatch) -> Result<(), StoreError> {
    if batch.source.trim().is_empty() {
        return Err(StoreError::Invalid("a batch needs a source name".into()));
    }
    for p in &batch.prices {
        if p.removed && (p.input_usd_per_mtok.is_some() || p.output_usd_per_mtok.is_some()) {
            return Err(StoreError::Invalid(format!(
                "{} ({}): a removal carries no price",
                p.model_name, p.provider
            )));
        }
    }
    for s in &batch.scores {
        if !s.value.is_finite() || !s.raw_value.is_finite() {
            return Err(StoreError::Invalid(format!(
                "{} {}: score is not finite",
                s.model_name, s.benchmark_key
            )));
        }
    }
    Ok(())
}

/// The last record of each natural key, in first-seen order: a statement may not upsert one
/// row twice.
fn dedup<T: Clone, K: std::hash::Hash + Eq>(items: &[T], key: impl Fn(&T) -> K) -> Vec<T> {
    let mut index: HashMap<K, usize> = HashMap::with_capacity(items.len());
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        match index.get(&key(item)) {
            Some(&i) => out[i] = item.clone(),
            None => {
                index.insert(key(item), out.len());
                out.push(item.clone());
            }
        }
    }
    out
}

async fn upsert_models(
    conn: &mut sqlx::PgConnection,
    batch: &SourceBatch,
    rows: &[ModelRecord],
    counts: &mut WriteCounts,
) -> Result<(), StoreError> {
    let col = |f: fn(&ModelRecord) -> Option<String>| rows.iter().map(f).collect::<Vec<_>>();
    let num = |f: fn(&ModelRecord) -> Option<f64>| rows.iter().map(f).collect::<Vec<_>>();
    let keys: Vec<String> = rows.iter().map(|m| m.key.clone()).collect();
    let names: Vec<String> = rows.iter().map(|m| m.name.clone()).collect();
    let released: Vec<Option<NaiveDate>> = rows.iter().map(|m| m.released).collect();
    let open: Vec<Option<bool>> = rows.iter().map(|m| m.open_weights).collect();
    let result = sqlx::query(
        "INSERT INTO ai_models (key, name, organization, released, params_total, params_active,
             training_compute_flop, training_cost_usd, cost_basis, hardware, hardware_quantity,
             open_weights, accessibility, domain, url, source, source_url)
         SELECT u.*, $16, $17 FROM UNNEST($1::text[], $2::text[], $3::text[], $4::date[],
             $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::text[], $10::text[],
             $11::float8[], $12::bool[], $13::text[], $14::text[], $15::text[]) AS u
         ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, organization = EXCLUDED.organization,
             released = EXCLUDED.released, params_total = EXCLUDED.params_total,
             params_active = EXCLUDED.params_active,
             training_compute_flop = EXCLUDED.training_compute_flop,
             training_cost_usd = EXCLUDED.training_cost_usd, cost_basis = EXCLUDED.cost_basis,
             hardware = EXCLUDED.hardware, hardware_quantity = EXCLUDED.hardware_quantity,
             open_weights = EXCLUDED.open_weights, accessibility = EXCLUDED.accessibility,
             domain = EXCLUDED.domain, url = EXCLUDED.url, source = EXCLUDED.source,
             source_url = EXCLUDED.source_url, fetched_at = now()
         WHERE (ai_models.name, ai_models.organization, ai_models.released, ai_models.params_total,
                ai_models.params_active, ai_models.training_compute_flop, ai_models.training_cost_usd,
                ai_models.cost_basis, ai_models.hardware, ai_models.hardware_quantity,
                ai_models.open_weights, ai_models.accessibility, ai_models.domain, ai_models.url,
                ai_models.source, ai_models.source_url)
           IS DISTINCT FROM
               (EXCLUDED.name, EXCLUDED.organization, EXCLUDED.released, EXCLUDED.params_total,
                EXCLUDED.params_active, EXCLUDED.training_compute_flop, EXCLUDED.training_cost_usd,
                EXCLUDED.cost_basis, EXCLUDED.hardware, EXCLUDED.hardware_quantity,
                EXCLUDED.open_weights, EXCLUDED.accessibility, EXCLUDED.domain, EXCLUDED.url,
                EXCLUDED.source, EXCLUDED.source_url)
         RETURNING (xmax = 0) AS inserted",
    )
    .bind(&keys)
    .bind(&names)
    .bind(col(|m| m.organization.clone()))
    .bind(&released)
    .bind(num(|m| m.params_total))
    .bind(num(|m| m.params_active))
    .bind(num(|m| m.training_compute_flop))
    .bind(num(|m| m.training_cost_usd))
    .bind(col(|m| m.cost_basis.clone()))
    .bind(col(|m| m.hardware.clone()))
    .bind(num(|m| m.hardware_quantity))
    .bind(&open)
    .bind(col(|m| m.accessibility.clone()))
    .bind(col(|m| m.domain.clone()))
    .bind(col(|m| m.url.clone()))
    .bind(&batch.source)
    .bind(&batch.source_url)
    .fetch_all(&mut *conn)
    .await?;
    for r in result {
        counts.add(r.try_get::<bool, _>("inserted")?);
    }
    // The catalogue's own spelling is an alias too.
    sqlx::query(
        "INSERT INTO model_aliases (alias, alias_key, canonical_key, origin)
         SELECT n, k, k, $3 FROM UNNEST($1::text[], $2::text[]) AS u(n, k)
         ON CONFLICT (alias) DO NOTHING",
    )
    .bind(&names)
    .bind(&keys)
    .bind(&batch.source)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn upsert_scores(
    conn: &mut sqlx::PgConnection,
    batch: &SourceBatch,
    rows: &[ScoreRecord],
    counts: &mut WriteCounts,
) -> Result<(), StoreError> {
    let text = |f: fn(&ScoreRecord) -> &str| rows.iter().map(f).collect::<Vec<_>>();
    let result = sqlx::query(
        "INSERT INTO benchmark_scores (model_name, model_key, benchmark_key, benchmark_name, metric,
             value, raw_value, scale, as_of, self_reported, url, source, source_url)
         SELECT u.*, $12, $13 FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
             $6::float8[], $7::float8[], $8::text[], $9::date[], $10::bool[], $11::text[]) AS u
         ON CONFLICT (source, model_name, benchmark_key, metric, (COALESCE(as_of, DATE '0001-01-01')))
         DO UPDATE SET model_key = EXCLUDED.model_key, benchmark_name = EXCLUDED.benchmark_name,
             value = EXCLUDED.value, raw_value = EXCLUDED.raw_value, scale = EXCLUDED.scale,
             self_reported = EXCLUDED.self_reported, url = EXCLUDED.url,
             source_url = EXCLUDED.source_url, fetched_at = now()
         WHERE (benchmark_scores.model_key, benchmark_scores.benchmark_name, benchmark_scores.value,
                benchmark_scores.raw_value, benchmark_scores.scale, benchmark_scores.self_reported,
                benchmark_scores.url, benchmark_scores.source_url)
           IS DISTINCT FROM
               (EXCLUDED.model_key, EXCLUDED.benchmark_name, EXCLUDED.value, EXCLUDED.raw_value,
                EXCLUDED.scale, EXCLUDED.self_reported, EXCLUDED.url, EXCLUDED.source_url)
         RETURNING (xmax = 0) AS inserted",
    )
    .bind(text(|s| &s.model_name))
    .bind(text(|s| &s.model_key))
    .bind(text(|s| &s.benchmark_key))
    .bind(text(|s| &s.benchmark_name))
    .bind(text(|s| &s.metric))
    .bind(rows.iter().map(|s| s.value).collect::<Vec<_>>())
    .bind(rows.iter().map(|s| s.raw_value).collect::<Vec<_>>())
    .bind(text(|s| s.scale.as_str()))
    .bind(rows.iter().map(|s| s.as_of).collect::<Vec<_>>())
    .bind(rows.iter().map(|s| s.self_reported).collect::<Vec<_>>())
    .bind(rows.iter().map(|s| s.url.clone()).collect::<Vec<_>>())
    .bind(&batch.source)
    .bind(&batch.source_url)
    .fetch_all(&mut *conn)
    .await?;
    for r in result {
        counts.add(r.try_get::<bool, _>("inserted")?);
    }
    Ok(())
}

async fn upsert_prices(
    conn: &mut sqlx::PgConnection,
    batch: &SourceBatch,
    rows: &[PriceRecord],
    counts: &mut WriteCounts,
) -> Result<(), StoreError> {
    let text = |f: fn(&PriceRecord) -> &str| rows.iter().map(f).collect::<Vec<_>>();
    let result = sqlx::query(
        "INSERT INTO model_prices (model_name, model_key, provider, input_usd_per_mtok,
             output_usd_per_mtok, effective, dated, removed, source, source_url)
         SELECT u.*, $9, $10 FROM UNNEST($1::text[], $2::text[], $3::text[], $4::float8[],
             $5::float8[], $6::date[], $7::bool[], $8::bool[]) AS u
         ON CONFLICT (source, model_name, provider, effective)
         DO UPDATE SET model_key = EXCLUDED.model_key,
             input_usd_per_mtok = EXCLUDED.input_usd_per_mtok,
             output_usd_per_mtok = EXCLUDED.output_usd_per_mtok,
             dated = EXCLUDED.dated, removed = EXCLUDED.removed,
             source_url = EXCLUDED.source_url, fetched_at = now()
         WHERE (model_prices.model_key, model_prices.input_usd_per_mtok,
                model_prices.output_usd_per_mtok, model_prices.dated, model_prices.removed,
                model_prices.source_url)
           IS DISTINCT FROM (EXCLUDED.model_key, EXCLUDED.input_usd_per_mtok,
                EXCLUDED.output_usd_per_mtok, EXCLUDED.dated, EXCLUDED.removed,
                EXCLUDED.source_url)
         RETURNING (xmax = 0) AS inserted",
    )
    .bind(text(|p| &p.model_name))
    .bind(text(|p| &p.model_key))
    .bind(text(|p| &p.provider))
    .bind(
        rows.iter()
            .map(|p| p.input_usd_per_mtok)
            .collect::<Vec<_>>(),
    )
    .bind(
        rows.iter()
            .map(|p| p.output_usd_per_mtok)
            .collect::<Vec<_>>(),
    )
    .bind(rows.iter().map(|p| p.effective).collect::<Vec<_>>())
    .bind(rows.iter().map(|p| p.dated).collect::<Vec<_>>())
    .bind(rows.iter().map(|p| p.removed).collect::<Vec<_>>())
    .bind(&batch.source)
    .bind(&batch.source_url)
    .fetch_all(&mut *conn)
    .await?;
    for r in result {
        counts.add(r.try_get::<bool, _>("inserted")?);
    }
    Ok(())
}

/// True when no model is stored (first start: load the bundled files).
pub async fn is_empty(pool: &PgPool) -> Result<bool, StoreError> {
    let any: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM ai_models)")
        .fetch_one(pool)
        .await?;
    Ok(!any)
}

/// A model with its headline numbers, for lists and the detail page.
#[derive(Debug, Clone, PartialEq, FromRow, serde::Serialize)]
pub struct ModelSummary {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub organization: Option<String>,
    pub released: Option<NaiveDate>,
    pub params_total: Option<f64>,
    pub params_active: Option<f64>,
    pub training_compute_flop: Option<f64>,
    pub training_cost_usd: Option<f64>,
    pub cost_basis: Option<String>,
    pub hardware: Option<String>,
    pub hardware_quantity: Option<f64>,
    pub open_weights: Option<bool>,
    pub accessibility: Option<String>,
    pub domain: Option<String>,
    pub url: Option<String>,
    pub source: String,
    pub source_url: Option<String>,
    pub scores: i64,
    pub prices: i64,
}

const SUMMARY_SELECT: &str = "SELECT m.id, m.key, m.name, m.organization, m.released, m.params_total,
       m.params_active, m.training_compute_flop, m.training_cost_usd, m.cost_basis, m.hardware,
       m.hardware_quantity, m.open_weights, m.accessibility, m.domain, m.url, m.source, m.source_url,
       (SELECT count(*) FROM benchmark_scores s JOIN model_key_map k ON k.model_key = s.model_key
         WHERE k.model_id = m.id) AS scores,
       (SELECT count(*) FROM model_prices_resolved p WHERE p.model_id = m.id) AS prices
  FROM ai_models m";

/// Filters of the model list; all optional.
#[derive(Debug, Clone, Default)]
pub struct ModelFilter {
    /// Case-insensitive substring of the organisation.
    pub organization: Option<String>,
    pub released_after: Option<NaiveDate>,
    pub released_before: Option<NaiveDate>,
    /// Only models with at least one score or price.
    pub with_data: bool,
    pub limit: i64,
}

/// Models matching `filter`, newest release first.
pub async fn list_models(
    pool: &PgPool,
    filter: &ModelFilter,
) -> Result<Vec<ModelSummary>, StoreError> {
    let sql = format!(
        "SELECT * FROM ({SUMMARY_SELECT}
          WHERE ($1::text IS NULL OR m.organization ILIKE '%' || $1 || '%')
            AND ($2::date IS NULL OR m.released >= $2)
            AND ($3::date IS NULL OR m.released <= $3)) x
         WHERE NOT $4 OR x.scores + x.prices > 0
         ORDER BY x.released DESC NULLS LAST, x.name
         LIMIT $5"
    );
    Ok(sqlx::query_as::<_, ModelSummary>(sqlx::AssertSqlSafe(sql))
        .bind(&filter.organization)
        .bind(filter.released_after)
        .bind(filter.released_before)
        .bind(filter.with_data)
        .bind(filter.limit.max(1))
        .fetch_all(pool)
        .await?)
}

pub async fn get_model(pool: &PgPool, id: i64) -> Result<Option<ModelSummary>, StoreError> {
    let sql = format!("{SUMMARY_SELECT} WHERE m.id = $1");
    Ok(sqlx::query_as::<_, ModelSummary>(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

/// The model a name (any alias or spelling, normalised by the caller) resolves to.
pub async fn model_id_for_key(pool: &PgPool, key: &str) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT model_id FROM model_key_map WHERE model_key = $1")
            .bind(key)
            .fetch_optional(pool)
            .await?,
    )
}

#[derive(Debug, Clone, PartialEq, FromRow, serde::Serialize)]
pub struct ScoreRow {
    pub model_id: Option<i64>,
    pub model: Option<String>,
    pub model_name: String,
    pub source: String,
    pub benchmark_key: String,
    pub benchmark_name: String,
    pub metric: String,
    pub value: f64,
    pub raw_value: f64,
    pub scale: String,
    pub as_of: Option<NaiveDate>,
    pub self_reported: bool,
    pub url: Option<String>,
    pub source_url: Option<String>,
    pub released: Option<NaiveDate>,
}

const SCORE_SELECT: &str =
    "SELECT k.model_id, m.name AS model, s.model_name, s.source, s.benchmark_key,
       s.benchmark_name, s.metric, s.value, s.raw_value, s.scale, s.as_of, s.self_reported, s.url,
       s.source_url, m.released
  FROM benchmark_scores s
  LEFT JOIN model_key_map k ON k.model_key = s.model_key
  LEFT JOIN ai_models m ON m.id = k.model_id";

/// Every score of a model, by benchmark.
pub async fn scores_for_model(pool: &PgPool, id: i64) -> Result<Vec<ScoreRow>, StoreError> {
    let sql = format!(
        "{SCORE_SELECT} WHERE k.model_id = $1 ORDER BY s.benchmark_name, s.metric, s.source, s.as_of"
    );
    Ok(sqlx::query_as::<_, ScoreRow>(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_all(pool)
        .await?)
}

/// Matched scores of one benchmark (`metric` when given), for frontiers.
pub async fn scores_for_benchmark(
    pool: &PgPool,
    benchmark_key: &str,
    metric: Option<&str>,
) -> Result<Vec<ScoreRow>, StoreError> {
    let sql = format!(
        "{SCORE_SELECT} WHERE s.benchmark_key = $1 AND k.model_id IS NOT NULL
           AND ($2::text IS NULL OR s.metric = $2) ORDER BY m.name, s.source"
    );
    Ok(sqlx::query_as::<_, ScoreRow>(sqlx::AssertSqlSafe(sql))
        .bind(benchmark_key)
        .bind(metric)
        .fetch_all(pool)
        .await?)
}

#[derive(Debug, Clone, PartialEq, FromRow, serde::Serialize)]
pub struct PriceRow {
    pub model_id: Option<i64>,
    pub model: Option<String>,
    pub model_name: String,
    pub source: String,
    pub provider: String,
    pub input_usd_per_mtok: Option<f64>,
    pub output_usd_per_mtok: Option<f64>,
    /// From when the price holds.
    pub effective: NaiveDate,
    pub source_url: Option<String>,
    /// `effective` is the day the price appeared or changed in the source; false for a
    /// snapshot (in effect since an unknown earlier day).
    pub dated: bool,
    /// The first day the price is no longer in effect (the next change or removal of the same
    /// source, name and provider, or the end of the alias it matched through); `None`: still
    /// in effect.
    pub valid_until: Option<NaiveDate>,
}

impl PriceRow {
    /// In effect on `day`: from `effective` until `valid_until` (exclusive).
    pub fn in_effect_on(&self, day: NaiveDate) -> bool {
        self.effective <= day && self.valid_until.is_none_or(|u| day < u)
    }
}

const PRICE_SELECT: &str = "SELECT p.model_id, m.name AS model, p.model_name, p.source, p.provider,
       p.input_usd_per_mtok, p.output_usd_per_mtok, p.effective, p.source_url, p.dated,
       p.valid_until
  FROM model_prices_resolved p
  LEFT JOIN ai_models m ON m.id = p.model_id";

pub async fn prices_for_model(pool: &PgPool, id: i64) -> Result<Vec<PriceRow>, StoreError> {
    let sql = format!(
        "{PRICE_SELECT} WHERE p.model_id = $1 ORDER BY p.effective, p.provider, p.model_name"
    );
    Ok(sqlx::query_as::<_, PriceRow>(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_all(pool)
        .await?)
}

/// Every matched price (all snapshots and dated changes, each with its `valid_until`), for
/// frontiers and the price of intelligence over time.
pub async fn matched_prices(pool: &PgPool) -> Result<Vec<PriceRow>, StoreError> {
    let sql = format!(
        "{PRICE_SELECT} WHERE p.model_id IS NOT NULL ORDER BY p.model_id, p.effective, p.provider, p.model_name"
    );
    Ok(sqlx::query_as::<_, PriceRow>(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await?)
}

/// The matched prices in effect on `day` (each at most once per source, name and provider):
/// from their `effective` day until the next change or removal. Dated and snapshot prices alike;
/// `dated` tells them apart. Nothing is back-filled here: a model first priced after `day` has
/// no row.
pub async fn prices_in_effect(pool: &PgPool, day: NaiveDate) -> Result<Vec<PriceRow>, StoreError> {
    let sql = format!(
        "{PRICE_SELECT} WHERE p.model_id IS NOT NULL AND p.effective <= $1
           AND (p.valid_until IS NULL OR $1 < p.valid_until)
         ORDER BY p.model_id, p.provider, p.model_name, p.source"
    );
    Ok(sqlx::query_as::<_, PriceRow>(sqlx::AssertSqlSafe(sql))
        .bind(day)
        .fetch_all(pool)
        .await?)
}

/// The state of `source`'s price list on `day`: the latest record of every (name, provider)
/// dated at or before `day`, removals included (`removed`), as records. `models.fetch` compares
/// a new download with it to store only what changed.
pub async fn price_state(
    pool: &PgPool,
    source: &str,
    day: NaiveDate,
) -> Result<Vec<PriceRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT DISTINCT ON (model_name, provider) model_name, model_key, provider,
                input_usd_per_mtok, output_usd_per_mtok, effective, dated, removed
           FROM model_prices WHERE source = $1 AND effective <= $2
          ORDER BY model_name, provider, effective DESC",
    )
    .bind(source)
    .bind(day)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(PriceRecord {
                model_name: r.try_get("model_name")?,
                model_key: r.try_get("model_key")?,
                provider: r.try_get("provider")?,
                input_usd_per_mtok: r.try_get("input_usd_per_mtok")?,
                output_usd_per_mtok: r.try_get("output_usd_per_mtok")?,
                effective: r.try_get("effective")?,
                dated: r.try_get("dated")?,
                removed: r.try_get("removed")?,
            })
        })
        .collect()
}

/// The names sources use for a model (aliases and the names on its scores and prices).
pub async fn names_for_model(pool: &PgPool, id: i64) -> Result<Vec<(String, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT DISTINCT origin, name FROM (
             SELECT a.origin, a.alias AS name FROM model_aliases a
               JOIN model_key_map k ON k.model_key = a.alias_key WHERE k.model_id = $1
             UNION SELECT s.source, s.model_name FROM benchmark_scores s
               JOIN model_key_map k ON k.model_key = s.model_key WHERE k.model_id = $1
             UNION SELECT p.source, p.model_name FROM model_prices_resolved p
               WHERE p.model_id = $1) x
         ORDER BY origin, name",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| Ok((r.try_get("origin")?, r.try_get("name")?)))
        .collect()
}

#[derive(Debug, Clone, PartialEq, FromRow, serde::Serialize)]
pub struct BenchmarkSummary {
    pub key: String,
    pub name: String,
    pub scale: String,
    pub scores: i64,
    pub models: i64,
    pub unmatched_scores: i64,
    pub sources: Vec<String>,
}

/// Benchmarks with counts: scores, distinct matched models, scores with no model.
pub async fn benchmarks(pool: &PgPool) -> Result<Vec<BenchmarkSummary>, StoreError> {
    Ok(sqlx::query_as::<_, BenchmarkSummary>(
        "SELECT s.benchmark_key AS key, min(s.benchmark_name) AS name, min(s.scale) AS scale,
                count(*) AS scores, count(DISTINCT k.model_id) AS models,
                count(*) FILTER (WHERE k.model_id IS NULL) AS unmatched_scores,
                array_agg(DISTINCT s.source ORDER BY s.source) AS sources
           FROM benchmark_scores s LEFT JOIN model_key_map k ON k.model_key = s.model_key
          GROUP BY s.benchmark_key
          ORDER BY count(DISTINCT k.model_id) DESC, s.benchmark_key",
    )
    .fetch_all(pool)
    .await?)
}

#[derive(Debug, Clone, PartialEq, FromRow, serde::Serialize)]
pub struct UnmatchedName {
    pub source: String,
    pub model_name: String,
    pub model_key: String,
    pub rows: i64,
}

/// Names on scores and prices that match no model, most rows first; `source` filters.
pub async fn unmatched(
    pool: &PgPool,
    source: Option<&str>,
    limit: i64,
) -> Result<Vec<UnmatchedName>, StoreError> {
    Ok(sqlx::query_as::<_, UnmatchedName>(
        "SELECT source, model_name, model_key, count(*) AS rows FROM (
             SELECT source, model_name, model_key FROM benchmark_scores s
              WHERE NOT EXISTS (SELECT 1 FROM model_key_map k WHERE k.model_key = s.model_key)
             UNION ALL SELECT source, model_name, model_key FROM model_prices_resolved
              WHERE model_id IS NULL) x
          WHERE true
            AND ($1::text IS NULL OR source = $1)
          GROUP BY source, model_name, model_key
          ORDER BY source, count(*) DESC, model_name
          LIMIT $2",
    )
    .bind(source)
    .bind(limit.max(1))
    .fetch_all(pool)
    .await?)
}

/// Unmatched names per source: (source, names, rows).
pub async fn unmatched_counts(pool: &PgPool) -> Result<Vec<(String, i64, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT source, count(DISTINCT model_name) AS names, count(*) AS rows FROM (
             SELECT source, model_name, model_key FROM benchmark_scores s
              WHERE NOT EXISTS (SELECT 1 FROM model_key_map k WHERE k.model_key = s.model_key)
             UNION ALL SELECT source, model_name, model_key FROM model_prices_resolved
              WHERE model_id IS NULL) x
          WHERE true
          GROUP BY source ORDER BY source",
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok((
                r.try_get("source")?,
                r.try_get("names")?,
                r.try_get("rows")?,
            ))
        })
        .collect()
}

/// Benchmarks with a matched score of a model released in `(from, to]` (the frontiers such a
/// release can move), with their summary; most-scored first.
pub async fn benchmarks_scored_by_releases(
    pool: &PgPool,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<BenchmarkSummary>, StoreError> {
    let wanted: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT s.benchmark_key FROM benchmark_scores s
           JOIN model_key_map k ON k.model_key = s.model_key
           JOIN ai_models m ON m.id = k.model_id
          WHERE m.released > $1 AND m.released <= $2",
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    Ok(benchmarks(pool)
        .await?
        .into_iter()
        .filter(|b| wanted.contains(&b.key))
        .collect())
}

/// (name, release date, training compute, training cost) of every dated catalogue model with a
/// compute estimate, for trend fits.
pub async fn compute_points(
    pool: &PgPool,
) -> Result<Vec<(String, NaiveDate, f64, Option<f64>)>, StoreError> {
    let rows = sqlx::query(
        "SELECT name, released, training_compute_flop, training_cost_usd FROM ai_models
          WHERE released IS NOT NULL AND training_compute_flop IS NOT NULL ORDER BY released",
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok((
                r.try_get("name")?,
                r.try_get("released")?,
                r.try_get("training_compute_flop")?,
                r.try_get("training_cost_usd")?,
            ))
        })
        .collect()
}

/// Row counts of the four tables: (models, aliases, scores, prices).
pub async fn counts(pool: &PgPool) -> Result<(i64, i64, i64, i64), StoreError> {
    let r = sqlx::query(
        "SELECT (SELECT count(*) FROM ai_models) AS m, (SELECT count(*) FROM model_aliases) AS a,
                (SELECT count(*) FROM benchmark_scores) AS s, (SELECT count(*) FROM model_prices) AS p",
    )
    .fetch_one(pool)
    .await?;
    Ok((
        r.try_get("m")?,
        r.try_get("a")?,
        r.try_get("s")?,
        r.try_get("p")?,
    ))
}
