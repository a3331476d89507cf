//! The `tickers` table: the configured watchlist, and symbols that arrived with imported prices.

use chrono::NaiveDate;
use jevons_core::{Role, Symbol, Ticker};
use sqlx::Row;
use sqlx::postgres::PgRow;

use crate::{PgPool, StoreError};

/// A ticker with a summary of its stored prices, as pages list them.
#[derive(Debug, Clone, PartialEq)]
pub struct TickerSummary {
    pub symbol: Symbol,
    pub name: String,
    pub role: Role,
    pub on_watchlist: bool,
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
    pub last_close: Option<f64>,
    pub bars: i64,
}

/// Makes the table match the configured watchlist: upserts name, role and position of each
/// entry, and takes every other ticker off the watchlist (its prices stay).
pub async fn sync_watchlist(pool: &PgPool, watchlist: &[Ticker]) -> Result<(), StoreError> {
    let symbols: Vec<String> = watchlist.iter().map(|t| t.symbol.to_string()).collect();
    let names: Vec<String> = watchlist.iter().map(|t| t.name.clone()).collect();
    let roles: Vec<String> = watchlist
        .iter()
        .map(|t| t.role.as_str().to_string())
        .collect();
    let positions: Vec<i32> = (0..watchlist.len())
        .map(|i| i32::try_from(i).unwrap_or(i32::MAX))
        .collect();

    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO tickers (symbol, name, role, on_watchlist, watchlist_position)
         SELECT s, n, r, true, p FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS w(s, n, r, p)
         ON CONFLICT (symbol) DO UPDATE
            SET name = EXCLUDED.name, role = EXCLUDED.role, on_watchlist = true,
                watchlist_position = EXCLUDED.watchlist_position, updated_at = now()
          WHERE (tickers.name, tickers.role, tickers.on_watchlist, tickers.watchlist_position)
                IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.role, true, EXCLUDED.watchlist_position)",
    )
    .bind(&symbols)
    .bind(&names)
    .bind(&roles)
    .bind(&positions)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE tickers SET on_watchlist = false, watchlist_position = NULL, updated_at = now()
          WHERE (on_watchlist OR watchlist_position IS NOT NULL) AND NOT (symbol = ANY($1))",
    )
    .bind(&symbols)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Each ticker with its price summary; the per-ticker subqueries use the (symbol, day) key, so
/// this stays cheap however many bars are stored.
const SUMMARY_SQL: &str = "
SELECT t.symbol, t.name, t.role, t.on_watchlist,
       s.first_day, s.last_day, s.bars, lc.close AS last_close
  FROM tickers t
  LEFT JOIN LATERAL (SELECT min(p.day) AS first_day, max(p.day) AS last_day, count(*) AS bars
                       FROM price_bars p WHERE p.symbol = t.symbol) s ON true
  LEFT JOIN LATERAL (SELECT p.close FROM price_bars p WHERE p.symbol = t.symbol
                      ORDER BY p.day DESC LIMIT 1) lc ON true";

fn summary(row: &PgRow) -> Result<TickerSummary, StoreError> {
    let symbol: String = row.try_get("symbol")?;
    let role: String = row.try_get("role")?;
    Ok(TickerSummary {
        symbol: Symbol::parse(&symbol)
            .map_err(|e| StoreError::Corrupt(format!("ticker symbol: {e}")))?,
        name: row.try_get("name")?,
        role: role
            .parse()
            .map_err(|e: String| StoreError::Corrupt(format!("ticker {symbol}: {e}")))?,
        on_watchlist: row.try_get("on_watchlist")?,
        first_day: row.try_get("first_day")?,
        last_day: row.try_get("last_day")?,
        last_close: row.try_get("last_close")?,
        bars: row.try_get("bars")?,
    })
}

/// Every ticker: the watchlist first in configuration order, then the others by symbol.
pub async fn list(pool: &PgPool) -> Result<Vec<TickerSummary>, StoreError> {
    let sql = format!(
        "{SUMMARY_SQL} ORDER BY t.on_watchlist DESC, t.watchlist_position NULLS LAST, t.symbol"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await?;
    rows.iter().map(summary).collect()
}

pub async fn get(pool: &PgPool, symbol: &Symbol) -> Result<Option<TickerSummary>, StoreError> {
    let sql = format!("{SUMMARY_SQL} WHERE t.symbol = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(symbol.as_str())
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(summary).transpose()
}
