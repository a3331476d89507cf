//! The `price_bars` table: idempotent bulk writes through binary `COPY`, and reads.
//!
//! Writes go in one transaction. Symbols with no stored bar yet are copied straight into
//! `price_bars` (as fast as `psql \copy`); the others go through a temporary staging table and
//! one `INSERT … ON CONFLICT DO UPDATE … WHERE … IS DISTINCT FROM …`, so a re-run with the same
//! data touches no row, not even `fetched_at`.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use jevons_core::{DateRange, PriceBar, Symbol};
use sqlx::postgres::{PgConnection, PgRow};
use sqlx::{Connection, Row};

use crate::{PgPool, StoreError};

/// What one write did. `rows` counts distinct (symbol, day) pairs after merging duplicates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// COPY payload is sent in chunks of about this size: big enough to amortise the round trips,
/// small enough not to hold the whole import in memory twice.
const CHUNK_BYTES: usize = 4 << 20;

/// `NaiveDate::num_days_from_ce` of 2000-01-01, the epoch of PostgreSQL's binary `date`.
const PG_EPOCH_DAYS_FROM_CE: i32 = 730_120;

const BAR_COLUMNS: &str = "symbol, day, open, high, low, close, adj_close, volume";

/// One symbol's bars, sorted by day with no day twice (the last occurrence wins).
struct Group<'a> {
    symbol: &'a Symbol,
    bars: Vec<&'a PriceBar>,
}

fn normalise(series: &[(Symbol, Vec<PriceBar>)]) -> Result<Vec<Group<'_>>, StoreError> {
    let mut index: HashMap<&Symbol, usize> = HashMap::with_capacity(series.len());
    let mut groups: Vec<Group<'_>> = Vec::with_capacity(series.len());
    for (symbol, bars) in series {
        for bar in bars {
            for (field, value) in [
                ("open", bar.open),
                ("high", bar.high),
                ("low", bar.low),
                ("close", bar.close),
                ("adj_close", bar.adj_close),
            ] {
                if !value.is_finite() {
                    return Err(StoreError::Invalid(format!(
                        "{symbol} {}: {field} is {value}, prices must be finite",
                        bar.day
                    )));
                }
            }
        }
        let i = *index.entry(symbol).or_insert_with(|| {
            groups.push(Group {
                symbol,
                bars: Vec::new(),
            });
            groups.len() - 1
        });
        groups[i].bars.extend(bars.iter());
    }
    for g in &mut groups {
        if g.bars.windows(2).all(|w| w[0].day < w[1].day) {
            continue;
        }
        g.bars.sort_by_key(|b| b.day); // stable: equal days keep their input order
        let mut deduped: Vec<&PriceBar> = Vec::with_capacity(g.bars.len());
        for bar in g.bars.drain(..) {
            match deduped.last_mut() {
                Some(last) if last.day == bar.day => *last = bar,
                _ => deduped.push(bar),
            }
        }
        g.bars = deduped;
    }
    Ok(groups)
}

/// Writes PostgreSQL's binary COPY format into a buffer: exact f64 bits, no text parsing on
/// the server.
struct CopyWriter {
    buf: Vec<u8>,
}

impl CopyWriter {
    fn new() -> Self {
        let mut buf = Vec::with_capacity(CHUNK_BYTES + 4096);
        buf.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
        buf.extend_from_slice(&0i32.to_be_bytes()); // flags
        buf.extend_from_slice(&0i32.to_be_bytes()); // header extension length
        Self { buf }
    }

    fn text(&mut self, s: &str) {
        let len = i32::try_from(s.len()).unwrap_or(i32::MAX);
        self.buf.extend_from_slice(&len.to_be_bytes());
        self.buf.extend_from_slice(s.as_bytes());
    }

    fn row(&mut self, symbol: &str, bar: &PriceBar, source: Option<&str>) {
        let columns: i16 = if source.is_some() { 9 } else { 8 };
        self.buf.extend_from_slice(&columns.to_be_bytes());
        self.text(symbol);
        self.buf.extend_from_slice(&4i32.to_be_bytes());
        let days = bar.day.num_days_from_ce() - PG_EPOCH_DAYS_FROM_CE;
        self.buf.extend_from_slice(&days.to_be_bytes());
        for v in [bar.open, bar.high, bar.low, bar.close, bar.adj_close] {
            self.buf.extend_from_slice(&8i32.to_be_bytes());
            self.buf.extend_from_slice(&v.to_bits().to_be_bytes());
        }
        self.buf.extend_from_slice(&8i32.to_be_bytes());
        self.buf.extend_from_slice(&bar.volume.to_be_bytes());
        if let Some(source) = source {
            self.text(source);
        }
    }

    fn finish(&mut self) {
        self.buf.extend_from_slice(&(-1i16).to_be_bytes());
    }
}

/// Streams `groups` with `COPY <target> FROM STDIN (FORMAT binary)`; returns the rows copied.
async fn copy_groups(
    conn: &mut PgConnection,
    statement: &str,
    groups: &[&Group<'_>],
    source: Option<&str>,
) -> Result<u64, StoreError> {
    let mut copy = conn.copy_in_raw(statement).await?;
    let mut writer = CopyWriter::new();
    for g in groups {
        let symbol = g.symbol.as_str();
        for bar in &g.bars {
            writer.row(symbol, bar, source);
            if writer.buf.len() >= CHUNK_BYTES {
                if let Err(e) = copy.send(writer.buf.as_slice()).await {
                    // The connection is broken or the server rejected the data; tell it we
                    // are done so the connection is not left in COPY mode.
                    let _ = copy.abort("jevons: sending COPY data failed").await;
                    return Err(e.into());
                }
                writer.buf.clear();
            }
        }
    }
    writer.finish();
    copy.send(writer.buf.as_slice()).await?;
    Ok(copy.finish().await?)
}

fn is_unique_violation(e: &StoreError) -> bool {
    matches!(e, StoreError::Sqlx(sqlx::Error::Database(d)) if d.code().as_deref() == Some("23505"))
}

/// Bulk upsert of many symbols' bars in one transaction. Unknown symbols become tickers
/// (role `other`, name = symbol, off the watchlist). Unchanged bars are not written at all.
pub async fn upsert_bars(
    pool: &PgPool,
    source: &str,
    series: &[(Symbol, Vec<PriceBar>)],
) -> Result<WriteStats, StoreError> {
    let groups = normalise(series)?;
    let rows: u64 = groups.iter().map(|g| g.bars.len() as u64).sum();
    let groups: Vec<&Group<'_>> = groups.iter().filter(|g| !g.bars.is_empty()).collect();
    if groups.is_empty() {
        return Ok(WriteStats::default());
    }
    let symbols: Vec<&str> = groups.iter().map(|g| g.symbol.as_str()).collect();

    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO tickers (symbol, name, role, on_watchlist)
         SELECT s, s, 'other', false FROM unnest($1::text[]) AS s
         ON CONFLICT (symbol) DO NOTHING",
    )
    .bind(&symbols)
    .execute(&mut *tx)
    .await?;
    let stored: Vec<String> = sqlx::query_scalar(
        "SELECT s FROM unnest($1::text[]) AS s
          WHERE EXISTS (SELECT 1 FROM price_bars p WHERE p.symbol = s)",
    )
    .bind(&symbols)
    .fetch_all(&mut *tx)
    .await?;
    let stored: std::collections::HashSet<String> = stored.into_iter().collect();
    let (mut existing, fresh): (Vec<&Group<'_>>, Vec<&Group<'_>>) = groups
        .iter()
        .copied()
        .partition(|g| stored.contains(g.symbol.as_str()));

    let mut inserted = 0u64;
    if !fresh.is_empty() {
        // Nothing to compare against: copy straight into the table. A concurrent writer may
        // have added some of these days since the check; then fall back to the upsert.
        let mut savepoint = Connection::begin(&mut *tx).await?;
        let copied = copy_groups(
            &mut savepoint,
            &format!("COPY price_bars ({BAR_COLUMNS}, source) FROM STDIN (FORMAT binary)"),
            &fresh,
            Some(source),
        )
        .await;
        match copied {
            Ok(n) => {
                savepoint.commit().await?;
                inserted += n;
            }
            Err(e) if is_unique_violation(&e) => {
                savepoint.rollback().await?;
                tracing::debug!("bars appeared concurrently; upserting instead of copying");
                existing.extend(fresh);
            }
            Err(e) => return Err(e),
        }
    }

    let mut updated = 0u64;
    if !existing.is_empty() {
        sqlx::query(
            "CREATE TEMP TABLE jevons_bars_stage (
                symbol text, day date, open float8, high float8, low float8,
                close float8, adj_close float8, volume int8
             ) ON COMMIT DROP",
        )
        .execute(&mut *tx)
        .await?;
        copy_groups(
            &mut tx,
            &format!("COPY jevons_bars_stage ({BAR_COLUMNS}) FROM STDIN (FORMAT binary)"),
            &existing,
            None,
        )
        .await?;
        let row: PgRow = sqlx::query(
            "WITH written AS (
                INSERT INTO price_bars AS p (symbol, day, open, high, low, close, adj_close, volume, source)
                SELECT symbol, day, open, high, low, close, adj_close, volume, $1 FROM jevons_bars_stage
                ON CONFLICT (symbol, day) DO UPDATE
                   SET open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low,
                       close = EXCLUDED.close, adj_close = EXCLUDED.adj_close,
                       volume = EXCLUDED.volume, source = EXCLUDED.source, fetched_at = now()
                 WHERE (p.open, p.high, p.low, p.close, p.adj_close, p.volume)
                       IS DISTINCT FROM
                       (EXCLUDED.open, EXCLUDED.high, EXCLUDED.low, EXCLUDED.close,
                        EXCLUDED.adj_close, EXCLUDED.volume)
                RETURNING (xmax = 0) AS inserted
             )
             SELECT count(*) FILTER (WHERE inserted) AS inserted,
                    count(*) FILTER (WHERE NOT inserted) AS updated
               FROM written",
        )
        .bind(source)
        .fetch_one(&mut *tx)
        .await?;
        let ins: i64 = row.try_get("inserted")?;
        let upd: i64 = row.try_get("updated")?;
        inserted += u64::try_from(ins).unwrap_or(0);
        updated = u64::try_from(upd).unwrap_or(0);
    }
    tx.commit().await?;

    let stats = WriteStats {
        rows,
        inserted,
        updated,
        unchanged: rows.saturating_sub(inserted + updated),
    };
    tracing::debug!(?stats, source, "price bars written");
    Ok(stats)
}

/// PostgreSQL dates stop at 4713 BC / 5874897 AD; open `DateRange` ends use chrono's extremes.
fn clamp_range(range: DateRange) -> (NaiveDate, NaiveDate) {
    let lo = NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN);
    let hi = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX);
    (range.from().clamp(lo, hi), range.to().clamp(lo, hi))
}

/// The bars of `symbol` within `range`, ascending by day.
pub async fn bars(
    pool: &PgPool,
    symbol: &Symbol,
    range: DateRange,
) -> Result<Vec<PriceBar>, StoreError> {
    let (from, to) = clamp_range(range);
    let rows = sqlx::query(
        "SELECT day, open, high, low, close, adj_close, volume FROM price_bars
          WHERE symbol = $1 AND day BETWEEN $2 AND $3 ORDER BY day",
    )
    .bind(symbol.as_str())
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PriceBar {
                day: r.try_get("day")?,
                open: r.try_get("open")?,
                high: r.try_get("high")?,
                low: r.try_get("low")?,
                close: r.try_get("close")?,
                adj_close: r.try_get("adj_close")?,
                volume: r.try_get("volume")?,
            })
        })
        .collect()
}

/// The latest stored day of `symbol`, where an incremental fetch resumes.
pub async fn last_day(pool: &PgPool, symbol: &Symbol) -> Result<Option<NaiveDate>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT max(day) FROM price_bars WHERE symbol = $1")
            .bind(symbol.as_str())
            .fetch_one(pool)
            .await?,
    )
}

pub async fn count(pool: &PgPool) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM price_bars")
        .fetch_one(pool)
        .await?)
}

/// True before the first import: the binary seeds the bundled dataset then.
pub async fn is_empty(pool: &PgPool) -> Result<bool, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT NOT EXISTS (SELECT 1 FROM price_bars)")
            .fetch_one(pool)
            .await?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(day: &str, close: f64) -> PriceBar {
        PriceBar {
            day: DateRange::parse_day(day).unwrap(),
            open: close,
            high: close,
            low: close,
            close,
            adj_close: close,
            volume: 1,
        }
    }

    #[test]
    fn duplicates_merge_and_the_last_wins() {
        let nvda = Symbol::parse("NVDA").unwrap();
        let series = vec![
            (
                nvda.clone(),
                vec![bar("2025-01-28", 1.0), bar("2025-01-27", 2.0)],
            ),
            (nvda.clone(), vec![bar("2025-01-27", 3.0)]),
        ];
        let groups = normalise(&series).unwrap();
        assert_eq!(groups.len(), 1);
        let closes: Vec<f64> = groups[0].bars.iter().map(|b| b.close).collect();
        assert_eq!(closes, vec![3.0, 1.0]);
    }

    #[test]
    fn non_finite_prices_are_refused() {
        let series = vec![(
            Symbol::parse("X").unwrap(),
            vec![bar("2025-01-27", f64::NAN)],
        )];
        assert!(matches!(normalise(&series), Err(StoreError::Invalid(_))));
    }

    #[test]
    fn binary_dates_count_from_2000() {
        let mut w = CopyWriter::new();
        let start = w.buf.len();
        w.row("A", &bar("2000-01-02", 1.0), None);
        // 2 bytes column count, 4+1 symbol, 4 length, then the day.
        let day = &w.buf[start + 11..start + 15];
        assert_eq!(day, &1i32.to_be_bytes());
    }
}
