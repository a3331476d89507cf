//! Stored event-study results (migration 0014): per stock and window in `event_results`, the
//! tests across stocks in `event_group_results`. The `events.study` job writes them; the digest
//! and anyone else read them instead of recomputing.
//!
//! A study is identified by (event, benchmark, normal-return model); writing one replaces the
//! stored study: rows are upserted on their natural key (unchanged rows are not rewritten) and
//! rows of stocks or windows the new study no longer has are deleted, all in one transaction.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use sqlx::postgres::PgRow;

use crate::{PgPool, StoreError};

/// One stock's result for one window.
#[derive(Debug, Clone, PartialEq)]
pub struct StockResult {
    pub symbol: String,
    pub window_start: i32,
    pub window_end: i32,
    /// Cumulative abnormal return over the window, a fraction (−0.17 = −17%).
    pub car: f64,
    pub se: Option<f64>,
    pub t: Option<f64>,
    pub p_value: Option<f64>,
    pub bhar: Option<f64>,
    /// The abnormal return of day 0.
    pub ar_day0: Option<f64>,
    pub alpha: f64,
    pub beta: f64,
    pub sigma: f64,
    pub estimation_days: i32,
}

/// The tests across stocks of one window.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupResult {
    pub window_start: i32,
    pub window_end: i32,
    pub n: i32,
    pub mean_car: f64,
    pub cross_sectional_t: Option<f64>,
    pub cross_sectional_p: Option<f64>,
    pub patell_z: Option<f64>,
    pub patell_p: Option<f64>,
    pub bmp_t: Option<f64>,
    pub bmp_p: Option<f64>,
    pub corrado_z: Option<f64>,
    pub corrado_p: Option<f64>,
}

/// One event's study, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyResults {
    pub event_id: i64,
    pub benchmark: String,
    /// "market" | "mean" | "adjusted".
    pub model: String,
    pub day0: NaiveDate,
    /// The last session of the longest window.
    pub last_session: NaiveDate,
    pub stocks: Vec<StockResult>,
    pub group: Vec<GroupResult>,
}

/// What writing a study did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteCounts {
    /// Rows inserted or changed (stock and group rows together).
    pub written: u64,
    /// Rows of the previous study it no longer has.
    pub deleted: u64,
}

/// `Some(v)` for a finite value, `None` otherwise (NaN and ±∞ are stored as NULL).
pub fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

fn check(results: &StudyResults) -> Result<(), StoreError> {
    if !matches!(results.model.as_str(), "market" | "mean" | "adjusted") {
        return Err(StoreError::Invalid(format!(
            "normal-return model `{}` is not market, mean or adjusted",
            results.model
        )));
    }
    for s in &results.stocks {
        if !s.car.is_finite() || !s.alpha.is_finite() || !s.beta.is_finite() || !s.sigma.is_finite()
        {
            return Err(StoreError::Invalid(format!(
                "{} [{}, {}]: CAR and model parameters must be finite",
                s.symbol, s.window_start, s.window_end
            )));
        }
    }
    if results.group.iter().any(|g| !g.mean_car.is_finite()) {
        return Err(StoreError::Invalid("a mean CAR is not finite".into()));
    }
    Ok(())
}

/// Writes one event's study in one transaction (see the module documentation).
pub async fn replace(pool: &PgPool, results: &StudyResults) -> Result<WriteCounts, StoreError> {
    check(results)?;
    let s = &results.stocks;
    let g = &results.group;
    let mut tx = pool.begin().await?;
    let mut counts = WriteCounts::default();
    counts.written += sqlx::query(
        "INSERT INTO event_results AS r
             (event_id, benchmark, model, day0, last_session, symbol, window_start, window_end,
              car, se, t, p_value, bhar, ar_day0, alpha, beta, sigma, estimation_days)
         SELECT $1, $2, $3, $4, $5, u.*
           FROM UNNEST($6::text[], $7::int4[], $8::int4[], $9::float8[], $10::float8[],
                       $11::float8[], $12::float8[], $13::float8[], $14::float8[],
                       $15::float8[], $16::float8[], $17::float8[], $18::int4[]) AS u
         ON CONFLICT (event_id, symbol, window_start, window_end, benchmark, model) DO UPDATE
            SET day0 = EXCLUDED.day0, last_session = EXCLUDED.last_session, car = EXCLUDED.car,
                se = EXCLUDED.se, t = EXCLUDED.t, p_value = EXCLUDED.p_value,
                bhar = EXCLUDED.bhar, ar_day0 = EXCLUDED.ar_day0, alpha = EXCLUDED.alpha,
                beta = EXCLUDED.beta, sigma = EXCLUDED.sigma,
                estimation_days = EXCLUDED.estimation_days, computed_at = now()
          WHERE (r.day0, r.last_session, r.car, r.se, r.t, r.p_value, r.bhar, r.ar_day0,
                 r.alpha, r.beta, r.sigma, r.estimation_days)
                IS DISTINCT FROM
                (EXCLUDED.day0, EXCLUDED.last_session, EXCLUDED.car, EXCLUDED.se, EXCLUDED.t,
                 EXCLUDED.p_value, EXCLUDED.bhar, EXCLUDED.ar_day0, EXCLUDED.alpha,
                 EXCLUDED.beta, EXCLUDED.sigma, EXCLUDED.estimation_days)",
    )
    .bind(results.event_id)
    .bind(&results.benchmark)
    .bind(&results.model)
    .bind(results.day0)
    .bind(results.last_session)
    .bind(s.iter().map(|r| r.symbol.clone()).collect::<Vec<_>>())
    .bind(s.iter().map(|r| r.window_start).collect::<Vec<_>>())
    .bind(s.iter().map(|r| r.window_end).collect::<Vec<_>>())
    .bind(s.iter().map(|r| r.car).collect::<Vec<_>>())
    .bind(s.iter().map(|r| r.se).collect::<Vec<_>>())
    .bind(s.iter().map(|r| r.t).collect::<Vec<_>>())
    .bind(s.iter().map(|r| r.p_value).collect::<Vec<_>>())
    .bind(s.iter().map(|r| r.bhar).collect::<Vec<_>>())
    .bind(s.iter().map(|r| r.ar_day0).collect::<Vec<_>>())
    .bind(s.iter().map(|r| r.alpha).collect::<Vec<_>>())
    .bind(s.iter().map(|r| r.beta).collect::<Vec<_>>())
    .bind(s.iter().map(|r| r.sigma).collect::<Vec<_>>())
    .bind(s.iter().map(|r| r.estimation_days).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    counts.deleted += sqlx::query(
        "DELETE FROM event_results r
          WHERE r.event_id = $1 AND r.benchmark = $2 AND r.model = $3
            AND (r.symbol, r.window_start, r.window_end) NOT IN
                (SELECT * FROM UNNEST($4::text[], $5::int4[], $6::int4[]))",
    )
    .bind(results.event_id)
    .bind(&results.benchmark)
    .bind(&results.model)
    .bind(s.iter().map(|r| r.symbol.clone()).collect::<Vec<_>>())
    .bind(s.iter().map(|r| r.window_start).collect::<Vec<_>>())
    .bind(s.iter().map(|r| r.window_end).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    counts.written += sqlx::query(
        "INSERT INTO event_group_results AS r
             (event_id, benchmark, model, day0, window_start, window_end, n, mean_car,
              cross_sectional_t, cross_sectional_p, patell_z, patell_p, bmp_t, bmp_p,
              corrado_z, corrado_p)
         SELECT $1, $2, $3, $4, u.*
           FROM UNNEST($5::int4[], $6::int4[], $7::int4[], $8::float8[], $9::float8[],
                       $10::float8[], $11::float8[], $12::float8[], $13::float8[],
                       $14::float8[], $15::float8[], $16::float8[]) AS u
         ON CONFLICT (event_id, window_start, window_end, benchmark, model) DO UPDATE
            SET day0 = EXCLUDED.day0, n = EXCLUDED.n, mean_car = EXCLUDED.mean_car,
                cross_sectional_t = EXCLUDED.cross_sectional_t,
                cross_sectional_p = EXCLUDED.cross_sectional_p, patell_z = EXCLUDED.patell_z,
                patell_p = EXCLUDED.patell_p, bmp_t = EXCLUDED.bmp_t, bmp_p = EXCLUDED.bmp_p,
                corrado_z = EXCLUDED.corrado_z, corrado_p = EXCLUDED.corrado_p,
                computed_at = now()
          WHERE (r.day0, r.n, r.mean_car, r.cross_sectional_t, r.cross_sectional_p, r.patell_z,
                 r.patell_p, r.bmp_t, r.bmp_p, r.corrado_z, r.corrado_p)
                IS DISTINCT FROM
                (EXCLUDED.day0, EXCLUDED.n, EXCLUDED.mean_car, EXCLUDED.cross_sectional_t,
                 EXCLUDED.cross_sectional_p, EXCLUDED.patell_z, EXCLUDED.patell_p,
                 EXCLUDED.bmp_t, EXCLUDED.bmp_p, EXCLUDED.corrado_z, EXCLUDED.corrado_p)",
    )
    .bind(results.event_id)
    .bind(&results.benchmark)
    .bind(&results.model)
    .bind(results.day0)
    .bind(g.iter().map(|r| r.window_start).collect::<Vec<_>>())
    .bind(g.iter().map(|r| r.window_end).collect::<Vec<_>>())
    .bind(g.iter().map(|r| r.n).collect::<Vec<_>>())
    .bind(g.iter().map(|r| r.mean_car).collect::<Vec<_>>())
    .bind(g.iter().map(|r| r.cross_sectional_t).collect::<Vec<_>>())
    .bind(g.iter().map(|r| r.cross_sectional_p).collect::<Vec<_>>())
    .bind(g.iter().map(|r| r.patell_z).collect::<Vec<_>>())
    .bind(g.iter().map(|r| r.patell_p).collect::<Vec<_>>())
    .bind(g.iter().map(|r| r.bmp_t).collect::<Vec<_>>())
    .bind(g.iter().map(|r| r.bmp_p).collect::<Vec<_>>())
    .bind(g.iter().map(|r| r.corrado_z).collect::<Vec<_>>())
    .bind(g.iter().map(|r| r.corrado_p).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    counts.deleted += sqlx::query(
        "DELETE FROM event_group_results r
          WHERE r.event_id = $1 AND r.benchmark = $2 AND r.model = $3
            AND (r.window_start, r.window_end) NOT IN
                (SELECT * FROM UNNEST($4::int4[], $5::int4[]))",
    )
    .bind(results.event_id)
    .bind(&results.benchmark)
    .bind(&results.model)
    .bind(g.iter().map(|r| r.window_start).collect::<Vec<_>>())
    .bind(g.iter().map(|r| r.window_end).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(counts)
}

/// A stored per-stock row with its study's identity.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResult {
    pub event_id: i64,
    pub benchmark: String,
    pub model: String,
    pub day0: NaiveDate,
    pub last_session: NaiveDate,
    pub result: StockResult,
    pub computed_at: DateTime<Utc>,
}

fn stored(r: &PgRow) -> Result<StoredResult, StoreError> {
    Ok(StoredResult {
        event_id: r.try_get("event_id")?,
        benchmark: r.try_get("benchmark")?,
        model: r.try_get("model")?,
        day0: r.try_get("day0")?,
        last_session: r.try_get("last_session")?,
        computed_at: r.try_get("computed_at")?,
        result: StockResult {
            symbol: r.try_get("symbol")?,
            window_start: r.try_get("window_start")?,
            window_end: r.try_get("window_end")?,
            car: r.try_get("car")?,
            se: r.try_get("se")?,
            t: r.try_get("t")?,
            p_value: r.try_get("p_value")?,
            bhar: r.try_get("bhar")?,
            ar_day0: r.try_get("ar_day0")?,
            alpha: r.try_get("alpha")?,
            beta: r.try_get("beta")?,
            sigma: r.try_get("sigma")?,
            estimation_days: r.try_get("estimation_days")?,
        },
    })
}

/// The stored per-stock results of one event (every benchmark and model), by symbol and window.
pub async fn for_event(pool: &PgPool, event_id: i64) -> Result<Vec<StoredResult>, StoreError> {
    let rows = sqlx::query(
        "SELECT event_id, benchmark, model, day0, last_session, symbol, window_start,
                window_end, car, se, t, p_value, bhar, ar_day0, alpha, beta, sigma,
                estimation_days, computed_at
           FROM event_results WHERE event_id = $1
          ORDER BY benchmark, model, symbol, window_start, window_end",
    )
    .bind(event_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(stored).collect()
}

/// The stored tests across stocks of one event, by benchmark, model and window.
pub async fn group_for_event(
    pool: &PgPool,
    event_id: i64,
) -> Result<Vec<(String, String, GroupResult)>, StoreError> {
    let rows = sqlx::query(
        "SELECT benchmark, model, window_start, window_end, n, mean_car, cross_sectional_t,
                cross_sectional_p, patell_z, patell_p, bmp_t, bmp_p, corrado_z, corrado_p
           FROM event_group_results WHERE event_id = $1
          ORDER BY benchmark, model, window_start, window_end",
    )
    .bind(event_id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("benchmark")?,
                r.try_get("model")?,
                GroupResult {
                    window_start: r.try_get("window_start")?,
                    window_end: r.try_get("window_end")?,
                    n: r.try_get("n")?,
                    mean_car: r.try_get("mean_car")?,
                    cross_sectional_t: r.try_get("cross_sectional_t")?,
                    cross_sectional_p: r.try_get("cross_sectional_p")?,
                    patell_z: r.try_get("patell_z")?,
                    patell_p: r.try_get("patell_p")?,
                    bmp_t: r.try_get("bmp_t")?,
                    bmp_p: r.try_get("bmp_p")?,
                    corrado_z: r.try_get("corrado_z")?,
                    corrado_p: r.try_get("corrado_p")?,
                },
            ))
        })
        .collect()
}

/// Stored rows: (per-stock, group).
pub async fn counts(pool: &PgPool) -> Result<(i64, i64), StoreError> {
    Ok(sqlx::query_as(
        "SELECT (SELECT count(*) FROM event_results), (SELECT count(*) FROM event_group_results)",
    )
    .fetch_one(pool)
    .await?)
}
