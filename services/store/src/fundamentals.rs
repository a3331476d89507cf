//! The `fundamentals` table and the `fundamentals_current` view (migration 0015): quarterly
//! values with every filed or released version kept, the current series per company and
//! metric, and where a filed value and a press-release value disagree.

use chrono::{DateTime, NaiveDate, Utc};
use jevons_core::Symbol;
use jevons_core::fundamentals::{Derivation, FiscalPeriod, Metric, Provenance, QuarterlyFact};
use serde::Serialize;
use sqlx::Row;
use sqlx::postgres::PgRow;

use crate::{PgPool, StoreError};

/// What an upsert did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WriteStats {
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl WriteStats {
    /// Rows that are new or changed.
    pub fn written(&self) -> u64 {
        self.inserted + self.updated
    }
}

/// A stored value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredFact {
    pub id: i64,
    #[serde(flatten)]
    pub fact: QuarterlyFact,
    pub fetched_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, symbol, metric, fiscal_year, fiscal_quarter, period_start, period_end, \
                       value, unit, filed, form, provenance, source, source_url, accession, \
                       derivation, xbrl_tag, note, fetched_at";

fn from_row(r: &PgRow) -> Result<StoredFact, StoreError> {
    let corrupt =
        |what: &str, value: String| StoreError::Corrupt(format!("fundamentals {what} {value}"));
    let symbol: String = r.try_get("symbol")?;
    let metric: String = r.try_get("metric")?;
    let year: i32 = r.try_get("fiscal_year")?;
    let quarter: i16 = r.try_get("fiscal_quarter")?;
    let provenance: String = r.try_get("provenance")?;
    let derivation: String = r.try_get("derivation")?;
    Ok(StoredFact {
        id: r.try_get("id")?,
        fact: QuarterlyFact {
            symbol: Symbol::parse(&symbol).map_err(|_| corrupt("symbol", symbol.clone()))?,
            metric: Metric::parse(&metric).map_err(|_| corrupt("metric", metric.clone()))?,
            fiscal_period: u8::try_from(quarter)
                .ok()
                .and_then(|q| FiscalPeriod::new(year, q).ok())
                .ok_or_else(|| corrupt("fiscal period", format!("{year} Q{quarter}")))?,
            period_start: r.try_get("period_start")?,
            period_end: r.try_get("period_end")?,
            value: r.try_get("value")?,
            unit: r.try_get("unit")?,
            filed: r.try_get("filed")?,
            form: r.try_get("form")?,
            source: r.try_get("source")?,
            source_url: r.try_get("source_url")?,
            accession: r.try_get("accession")?,
            provenance: Provenance::parse(&provenance)
                .map_err(|_| corrupt("provenance", provenance.clone()))?,
            derivation: Derivation::parse(&derivation)
                .ok_or_else(|| corrupt("derivation", derivation.clone()))?,
            xbrl_tag: r.try_get("xbrl_tag")?,
            note: r.try_get("note")?,
        },
        fetched_at: r.try_get("fetched_at")?,
    })
}

/// Refuses what the table would store wrongly: bad dates, non-finite values, a filed value
/// without its accession.
fn check(f: &QuarterlyFact) -> Result<(), StoreError> {
    let what = || {
        format!(
            "{} {} {} ({})",
            f.symbol,
            f.metric,
            f.period_end,
            f.version_key()
        )
    };
    if f.period_start >= f.period_end {
        return Err(StoreError::Invalid(format!(
            "{}: period start {} is not before the end",
            what(),
            f.period_start
        )));
    }
    if !f.value.is_finite() || f.value.abs() >= 1e15 {
        return Err(StoreError::Invalid(format!(
            "{}: value {} is out of range",
            what(),
            f.value
        )));
    }
    if f.version_key().is_empty() {
        return Err(StoreError::Invalid(format!(
            "{}: a filed value needs its accession, a press-release value its source URL",
            what()
        )));
    }
    Ok(())
}

/// Upserts `facts` in one transaction (all or nothing) on the natural key (symbol, metric,
/// period end, provenance, accession or source URL). A row whose content is unchanged is not
/// touched, so importing the same data twice changes nothing (not even `fetched_at`).
pub async fn upsert_facts(
    pool: &PgPool,
    facts: &[QuarterlyFact],
) -> Result<WriteStats, StoreError> {
    for f in facts {
        check(f)?;
    }
    let mut tx = pool.begin().await?;
    let mut stats = WriteStats::default();
    for f in facts {
        let row = sqlx::query(
            "INSERT INTO fundamentals (symbol, metric, fiscal_year, fiscal_quarter, period_start,
                 period_end, value, unit, filed, form, provenance, source, source_url, accession,
                 version_key, derivation, xbrl_tag, note)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
             ON CONFLICT (symbol, metric, period_end, provenance, version_key) DO UPDATE
                SET fiscal_year = EXCLUDED.fiscal_year, fiscal_quarter = EXCLUDED.fiscal_quarter,
                    period_start = EXCLUDED.period_start, value = EXCLUDED.value,
                    unit = EXCLUDED.unit, filed = EXCLUDED.filed, form = EXCLUDED.form,
                    source = EXCLUDED.source, source_url = EXCLUDED.source_url,
                    accession = EXCLUDED.accession, derivation = EXCLUDED.derivation,
                    xbrl_tag = EXCLUDED.xbrl_tag, note = EXCLUDED.note, fetched_at = now()
              WHERE (fundamentals.fiscal_year, fundamentals.fiscal_quarter, fundamentals.period_start,
                     fundamentals.value, fundamentals.unit, fundamentals.filed, fundamentals.form,
                     fundamentals.source, fundamentals.source_url, fundamentals.accession,
                     fundamentals.derivation, fundamentals.xbrl_tag, fundamentals.note)
                    IS DISTINCT FROM
                    (EXCLUDED.fiscal_year, EXCLUDED.fiscal_quarter, EXCLUDED.period_start,
                     EXCLUDED.value, EXCLUDED.unit, EXCLUDED.filed, EXCLUDED.form,
                     EXCLUDED.source, EXCLUDED.source_url, EXCLUDED.accession,
                     EXCLUDED.derivation, EXCLUDED.xbrl_tag, EXCLUDED.note)
             RETURNING (xmax = 0) AS inserted",
        )
        .bind(f.symbol.as_str())
        .bind(f.metric.as_str())
        .bind(f.fiscal_period.year)
        .bind(i16::from(f.fiscal_period.quarter))
        .bind(f.period_start)
        .bind(f.period_end)
        .bind(f.value)
        .bind(&f.unit)
        .bind(f.filed)
        .bind(&f.form)
        .bind(f.provenance.as_str())
        .bind(&f.source)
        .bind(&f.source_url)
        .bind(&f.accession)
        .bind(f.version_key())
        .bind(f.derivation.as_str())
        .bind(&f.xbrl_tag)
        .bind(&f.note)
        .fetch_optional(&mut *tx)
        .await?;
        stats.rows += 1;
        match row {
            None => stats.unchanged += 1,
            Some(r) if r.try_get::<bool, _>("inserted")? => stats.inserted += 1,
            Some(_) => stats.updated += 1,
        }
    }
    tx.commit().await?;
    Ok(stats)
}

pub async fn is_empty(pool: &PgPool) -> Result<bool, StoreError> {
    Ok(
        !sqlx::query_scalar::<_, bool>("SELECT EXISTS (SELECT 1 FROM fundamentals)")
            .fetch_one(pool)
            .await?,
    )
}

pub async fn count(pool: &PgPool) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM fundamentals")
        .fetch_one(pool)
        .await?)
}

/// The current quarterly series of `symbol`'s `metric`, one value per quarter (the latest filed
/// version; a press-release value where the quarter was not filed), by period end, for quarters
/// ending within [from, to] (either bound open when `None`).
pub async fn current_series(
    pool: &PgPool,
    symbol: &Symbol,
    metric: &Metric,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Vec<StoredFact>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM fundamentals_current
          WHERE symbol = $1 AND metric = $2
            AND ($3::date IS NULL OR period_end >= $3)
            AND ($4::date IS NULL OR period_end <= $4)
          ORDER BY period_end"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(symbol.as_str())
        .bind(metric.as_str())
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Every stored version of `symbol`'s `metric` (both provenances), by period end then filing
/// date: the history behind [`current_series`].
pub async fn history(
    pool: &PgPool,
    symbol: &Symbol,
    metric: &Metric,
) -> Result<Vec<StoredFact>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM fundamentals
          WHERE symbol = $1 AND metric = $2
          ORDER BY period_end, provenance, filed NULLS FIRST, id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(symbol.as_str())
        .bind(metric.as_str())
        .fetch_all(pool)
        .await?;
    rows.iter().map(from_row).collect()
}

/// One stored series: which (symbol, metric) pairs exist and what they cover.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesInfo {
    pub symbol: String,
    pub metric: String,
    /// Quarters in the current series.
    pub quarters: i64,
    pub first_end: NaiveDate,
    pub last_end: NaiveDate,
    /// Quarters whose current value is filed (the rest are press-release values).
    pub filed_quarters: i64,
}

/// Every (symbol, metric) series in the current view.
pub async fn series(pool: &PgPool) -> Result<Vec<SeriesInfo>, StoreError> {
    let rows = sqlx::query(
        "SELECT symbol, metric, count(*) AS quarters, min(period_end) AS first_end,
                max(period_end) AS last_end,
                count(*) FILTER (WHERE provenance = 'filed') AS filed_quarters
           FROM fundamentals_current
          GROUP BY symbol, metric
          ORDER BY symbol, metric",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SeriesInfo {
                symbol: r.try_get("symbol")?,
                metric: r.try_get("metric")?,
                quarters: r.try_get("quarters")?,
                first_end: r.try_get("first_end")?,
                last_end: r.try_get("last_end")?,
                filed_quarters: r.try_get("filed_quarters")?,
            })
        })
        .collect()
}

/// A quarter where the current filed value and the latest press-release value disagree beyond
/// rounding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Discrepancy {
    pub symbol: String,
    pub metric: String,
    pub period_end: NaiveDate,
    pub fiscal_period: String,
    pub filed_value: f64,
    pub filed_accession: Option<String>,
    pub filed_form: String,
    pub press_release_value: f64,
    pub press_release_end: NaiveDate,
    pub press_release_url: Option<String>,
    /// filed − press release, USD.
    pub difference: f64,
}

/// Quarters (of `symbol`, or of every company) where the current filed value and the latest
/// press-release value for the same metric and quarter (period ends within 7 days) differ by
/// more than 0.5% of the filed value and more than $1M: press-release figures are often
/// rounded to $10M or $0.1B, which these bounds forgive.
pub async fn discrepancies(
    pool: &PgPool,
    symbol: Option<&Symbol>,
) -> Result<Vec<Discrepancy>, StoreError> {
    let rows = sqlx::query(
        "WITH filed AS (
             SELECT DISTINCT ON (symbol, metric, period_end) *
               FROM fundamentals WHERE provenance = 'filed'
              ORDER BY symbol, metric, period_end, filed DESC NULLS LAST, accession DESC, id DESC
         ), released AS (
             SELECT DISTINCT ON (symbol, metric, period_end) *
               FROM fundamentals WHERE provenance = 'press-release'
              ORDER BY symbol, metric, period_end, filed DESC NULLS LAST, id DESC
         )
         SELECT f.symbol, f.metric, f.period_end, f.fiscal_year, f.fiscal_quarter,
                f.value AS filed_value, f.accession, f.form,
                p.value AS press_value, p.period_end AS press_end, p.source_url
           FROM filed f
           JOIN released p
             ON p.symbol = f.symbol AND p.metric = f.metric
            AND p.period_end BETWEEN f.period_end - 7 AND f.period_end + 7
          WHERE ($1::text IS NULL OR f.symbol = $1)
            AND abs(f.value - p.value) > 1e6
            AND abs(f.value - p.value) > 0.005 * abs(f.value)
          ORDER BY f.symbol, f.metric, f.period_end",
    )
    .bind(symbol.map(Symbol::as_str))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let filed_value: f64 = r.try_get("filed_value")?;
            let press_release_value: f64 = r.try_get("press_value")?;
            let year: i32 = r.try_get("fiscal_year")?;
            let quarter: i16 = r.try_get("fiscal_quarter")?;
            Ok(Discrepancy {
                symbol: r.try_get("symbol")?,
                metric: r.try_get("metric")?,
                period_end: r.try_get("period_end")?,
                fiscal_period: format!("FY{year}Q{quarter}"),
                filed_value,
                filed_accession: r.try_get("accession")?,
                filed_form: r.try_get("form")?,
                press_release_value,
                press_release_end: r.try_get("press_end")?,
                press_release_url: r.try_get("source_url")?,
                difference: filed_value - press_release_value,
            })
        })
        .collect()
}
