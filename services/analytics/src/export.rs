//! Series as Apache Parquet for the API's `format=parquet`: typed columns (dates stay dates,
//! volumes integers), compressed, readable by pandas, polars, DuckDB and Spark as they are.
//! The web layer hands over plain columns, so polars stays inside this crate.

use std::io::Cursor;

use chrono::NaiveDate;
use jevons_core::PriceBar;
use polars::prelude::*;

use crate::returns::{date_to_days, days_to_date};

/// The media type registered for Parquet files.
pub const PARQUET_MEDIA_TYPE: &str = "application/vnd.apache.parquet";

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("parquet: {0}")]
    Polars(#[from] PolarsError),
    #[error("parquet: column `{0}` has {1} rows, the first column {2}")]
    Ragged(String, usize, usize),
}

/// One named column of a [`Table`]; `None` is a null cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Date(Vec<Option<NaiveDate>>),
    Float(Vec<Option<f64>>),
    Int(Vec<Option<i64>>),
    Bool(Vec<Option<bool>>),
    Text(Vec<Option<String>>),
}

impl Values {
    fn len(&self) -> usize {
        match self {
            Values::Date(v) => v.len(),
            Values::Float(v) => v.len(),
            Values::Int(v) => v.len(),
            Values::Bool(v) => v.len(),
            Values::Text(v) => v.len(),
        }
    }

    fn column(&self, name: &str) -> Result<Column, PolarsError> {
        Ok(match self {
            Values::Date(v) => {
                let days: Vec<Option<i32>> = v.iter().map(|d| d.map(date_to_days)).collect();
                Column::new(name.into(), days).cast(&DataType::Date)?
            }
            Values::Float(v) => Column::new(name.into(), v),
            Values::Int(v) => Column::new(name.into(), v),
            Values::Bool(v) => Column::new(name.into(), v),
            Values::Text(v) => Column::new(name.into(), v),
        })
    }

    fn from_column(c: &Column) -> Result<Self, PolarsError> {
        Ok(match c.dtype() {
            DataType::Date => Values::Date(
                c.date()?
                    .physical()
                    .iter()
                    .map(|d| d.map(days_to_date))
                    .collect(),
            ),
            DataType::Float64 => Values::Float(c.f64()?.iter().collect()),
            DataType::Int64 => Values::Int(c.i64()?.iter().collect()),
            DataType::Boolean => Values::Bool(c.bool()?.iter().collect()),
            _ => Values::Text(
                c.cast(&DataType::String)?
                    .str()?
                    .iter()
                    .map(|s| s.map(str::to_string))
                    .collect(),
            ),
        })
    }
}

/// Named columns of equal length, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub columns: Vec<(String, Values)>,
}

impl Table {
    pub fn with(mut self, name: &str, values: Values) -> Self {
        self.columns.push((name.to_string(), values));
        self
    }

    pub fn height(&self) -> usize {
        self.columns.first().map_or(0, |(_, v)| v.len())
    }

    /// The column `name`, if there is one.
    pub fn get(&self, name: &str) -> Option<&Values> {
        self.columns.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The Parquet file of this table (zstd-compressed, statistics written).
    pub fn to_parquet(&self) -> Result<Vec<u8>, ExportError> {
        let height = self.height();
        let mut columns = Vec::with_capacity(self.columns.len());
        for (name, values) in &self.columns {
            if values.len() != height {
                return Err(ExportError::Ragged(name.clone(), values.len(), height));
            }
            columns.push(values.column(name)?);
        }
        let mut df = DataFrame::new_infer_height(columns)?;
        let mut out = Vec::new();
        ParquetWriter::new(&mut out)
            .with_compression(ParquetCompression::Zstd(None))
            .finish(&mut df)?;
        Ok(out)
    }

    /// Reads a Parquet file back (what [`Table::to_parquet`] writes: dates, f64, i64, booleans,
    /// text; other types come back as text).
    pub fn from_parquet(bytes: &[u8]) -> Result<Self, ExportError> {
        let df = ParquetReader::new(Cursor::new(bytes)).finish()?;
        let mut table = Table::default();
        for c in df.columns() {
            table = table.with(c.name().as_str(), Values::from_column(c)?);
        }
        Ok(table)
    }
}

/// Daily bars in the columns of the CSV import format: `date`, `open`, `high`, `low`, `close`,
/// `adj_close`, `volume`.
pub fn bars_table(bars: &[PriceBar]) -> Table {
    let floats = |f: fn(&PriceBar) -> f64| Values::Float(bars.iter().map(|b| Some(f(b))).collect());
    Table::default()
        .with(
            "date",
            Values::Date(bars.iter().map(|b| Some(b.day)).collect()),
        )
        .with("open", floats(|b| b.open))
        .with("high", floats(|b| b.high))
        .with("low", floats(|b| b.low))
        .with("close", floats(|b| b.close))
        .with("adj_close", floats(|b| b.adj_close))
        .with(
            "volume",
            Values::Int(bars.iter().map(|b| Some(b.volume)).collect()),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_table_survives_the_round_trip_with_its_types_and_nulls() {
        let table = Table::default()
            .with(
                "day",
                Values::Date(vec![Some(d("2025-01-24")), None, Some(d("1969-12-31"))]),
            )
            .with(
                "x",
                Values::Float(vec![Some(-0.1697), Some(f64::MAX), None]),
            )
            .with(
                "n",
                Values::Int(vec![Some(818_830_900), None, Some(i64::MIN)]),
            )
            .with("b", Values::Bool(vec![Some(true), Some(false), None]))
            .with(
                "s",
                Values::Text(vec![Some("NVDA".into()), Some("=1+1 ünï".into()), None]),
            );
        let bytes = table.to_parquet().unwrap();
        assert_eq!(&bytes[..4], b"PAR1", "Parquet magic");
        assert_eq!(&bytes[bytes.len() - 4..], b"PAR1");
        assert_eq!(Table::from_parquet(&bytes).unwrap(), table);
    }

    #[test]
    fn bars_keep_the_import_columns_in_order() {
        let bars = [PriceBar {
            day: d("2025-01-27"),
            open: 124.8,
            high: 128.4,
            low: 116.7,
            close: 118.42,
            adj_close: 118.3812,
            volume: 818_830_900,
        }];
        let back = Table::from_parquet(&bars_table(&bars).to_parquet().unwrap()).unwrap();
        let names: Vec<&str> = back.columns.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "date",
                "open",
                "high",
                "low",
                "close",
                "adj_close",
                "volume"
            ]
        );
        assert_eq!(
            back.get("adj_close"),
            Some(&Values::Float(vec![Some(118.3812)]))
        );
        assert_eq!(
            back.get("volume"),
            Some(&Values::Int(vec![Some(818_830_900)]))
        );
    }

    #[test]
    fn ragged_columns_are_refused() {
        let t = Table::default()
            .with("a", Values::Int(vec![Some(1), Some(2)]))
            .with("b", Values::Int(vec![Some(1)]));
        assert!(matches!(t.to_parquet(), Err(ExportError::Ragged(n, 1, 2)) if n == "b"));
    }
}
