//! jevons' own price file format: `date,open,high,low,close,adj_close,volume`, one file per
//! symbol named `SYMBOL.csv`. Used by `jevons import prices`, the bundled dataset and the API's CSV.

use std::collections::HashMap;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use chrono::{Days, NaiveDate, Utc};
use jevons_core::price::BarProblem;
use jevons_core::{PriceBar, Symbol, SymbolError};

pub const CSV_HEADER: &str = "date,open,high,low,close,adj_close,volume";

const COLUMNS: [&str; 7] = [
    "date",
    "open",
    "high",
    "low",
    "close",
    "adj_close",
    "volume",
];

/// What is wrong with a price file, located by line (1-based, the header is line 1) and column.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("line {line}: expected the header `{CSV_HEADER}`, found `{found}`")]
    Header { line: u64, found: String },
    #[error("line {line}: expected 7 columns, found {found}")]
    ColumnCount { line: u64, found: usize },
    #[error("line {line}, column {column} ({name}): {message}")]
    Field {
        line: u64,
        column: usize,
        name: &'static str,
        message: String,
    },
    #[error("line {line}: {day}: {problem}")]
    Invalid {
        line: u64,
        day: NaiveDate,
        problem: BarProblem,
    },
    #[error("line {line}: {day} already appears on line {first}")]
    DuplicateDay {
        line: u64,
        day: NaiveDate,
        first: u64,
    },
    #[error("line {line}: {message}")]
    Csv { line: u64, message: String },
    #[error("{}: the file name is not a symbol: {source}", path.display())]
    Symbol { path: PathBuf, source: SymbolError },
    #[error("{}: {source}", path.display())]
    InFile {
        path: PathBuf,
        source: Box<ImportError>,
    },
    #[error("{}: no .csv files there", path.display())]
    NoFiles { path: PathBuf },
    #[error("writing CSV: {0}")]
    Write(#[source] std::io::Error),
}

/// Reads one symbol's bars. Every row is checked on its own (positive prices, low/high around
/// open and close, no future day) and no day may repeat, so a bad file is refused whole.
pub fn read_reader<R: Read>(reader: R) -> Result<Vec<PriceBar>, ImportError> {
    // A day of margin: a file written after the close in Asia is already "tomorrow" in UTC.
    let latest = Utc::now()
        .date_naive()
        .checked_add_days(Days::new(1))
        .unwrap_or(NaiveDate::MAX);
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let mut records = csv.records();
    let header = records.next().transpose().map_err(csv_error)?;
    let header_ok = header.as_ref().is_some_and(|h| {
        let fields: Vec<&str> = h.iter().map(|f| f.trim_start_matches('\u{feff}')).collect();
        fields == COLUMNS
    });
    if !header_ok {
        let found = header
            .map(|h| h.iter().collect::<Vec<_>>().join(","))
            .unwrap_or_default();
        return Err(ImportError::Header { line: 1, found });
    }

    let mut bars = Vec::new();
    let mut first_line_of: HashMap<NaiveDate, u64> = HashMap::new();
    for record in records {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != COLUMNS.len() {
            return Err(ImportError::ColumnCount {
                line,
                found: record.len(),
            });
        }
        let field_error = |column: usize, message: String| ImportError::Field {
            line,
            column: column + 1,
            name: COLUMNS[column],
            message,
        };
        let raw = |column: usize| record.get(column).unwrap_or("");
        let day = NaiveDate::parse_from_str(raw(0), "%Y-%m-%d")
            .map_err(|_| field_error(0, format!("`{}` is not a date YYYY-MM-DD", raw(0))))?;
        let mut prices = [0.0_f64; 5];
        for (i, price) in prices.iter_mut().enumerate() {
            let column = i + 1;
            *price = raw(column)
                .parse::<f64>()
                .map_err(|_| field_error(column, format!("`{}` is not a number", raw(column))))?;
        }
        let volume = parse_volume(raw(6))
            .ok_or_else(|| field_error(6, format!("`{}` is not a whole number", raw(6))))?;
        let [open, high, low, close, adj_close] = prices;
        let bar = PriceBar {
            day,
            open,
            high,
            low,
            close,
            adj_close,
            volume,
        };
        bar.check(latest)
            .map_err(|problem| ImportError::Invalid { line, day, problem })?;
        if let Some(&first) = first_line_of.get(&day) {
            return Err(ImportError::DuplicateDay { line, day, first });
        }
        first_line_of.insert(day, line);
        bars.push(bar);
    }
    bars.sort_by_key(|b| b.day);
    Ok(bars)
}

/// Accepts `123` and, as some exporters write it, `123.0`.
fn parse_volume(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().or_else(|| {
        let v = raw.parse::<f64>().ok()?;
        (v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e18).then_some(v as i64)
    })
}

fn csv_error(e: csv::Error) -> ImportError {
    let line = e.position().map_or(0, |p| p.line());
    ImportError::Csv {
        line,
        message: e.to_string(),
    }
}

/// Reads `SYMBOL.csv`; the symbol is the file stem.
pub fn read_file(path: &Path) -> Result<(Symbol, Vec<PriceBar>), ImportError> {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let symbol = Symbol::parse(stem).map_err(|source| ImportError::Symbol {
        path: path.to_path_buf(),
        source,
    })?;
    let file = std::fs::File::open(path).map_err(|source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let bars = read_reader(std::io::BufReader::new(file)).map_err(|e| ImportError::InFile {
        path: path.to_path_buf(),
        source: Box::new(e),
    })?;
    Ok((symbol, bars))
}

/// Reads a file, or every `*.csv` of a directory in name order (other files are ignored).
pub fn read_path(path: &Path) -> Result<Vec<(Symbol, Vec<PriceBar>)>, ImportError> {
    let io = |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    };
    if !std::fs::metadata(path).map_err(io)?.is_dir() {
        return Ok(vec![read_file(path)?]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io)? {
        let entry_path = entry.map_err(io)?.path();
        let is_csv = entry_path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        if is_csv && entry_path.is_file() {
            files.push(entry_path);
        }
    }
    if files.is_empty() {
        return Err(ImportError::NoFiles {
            path: path.to_path_buf(),
        });
    }
    files.sort();
    files.iter().map(|f| read_file(f)).collect()
}

/// Writes bars with [`CSV_HEADER`]. Prices use Rust's shortest round-trip form, so reading the
/// output back gives the same numbers.
pub fn write_bars<W: Write>(writer: W, bars: &[PriceBar]) -> Result<(), ImportError> {
    let mut out = BufWriter::new(writer);
    writeln!(out, "{CSV_HEADER}").map_err(ImportError::Write)?;
    for b in bars {
        writeln!(
            out,
            "{},{},{},{},{},{},{}",
            b.day, b.open, b.high, b.low, b.close, b.adj_close, b.volume
        )
        .map_err(ImportError::Write)?;
    }
    out.flush().map_err(ImportError::Write)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn prices_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/prices")
    }

    #[test]
    fn write_then_read_gives_the_same_bars() {
        let bars = vec![
            PriceBar {
                day: day("2025-01-24"),
                open: 148.37,
                high: 148.97,
                low: 141.88,
                close: 142.62,
                adj_close: 142.5802,
                volume: 234_657_600,
            },
            PriceBar {
                day: day("2025-01-27"),
                open: 124.8,
                high: 128.4,
                low: 116.7,
                close: 118.42,
                adj_close: 118.3812,
                volume: 818_830_900,
            },
        ];
        let mut out = Vec::new();
        write_bars(&mut out, &bars).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(
            text.starts_with("date,open,high,low,close,adj_close,volume\n2025-01-24,148.37,"),
            "{text}"
        );
        assert_eq!(read_reader(out.as_slice()).unwrap(), bars);
    }

    #[test]
    fn a_malformed_row_names_line_and_column() {
        let text = "date,open,high,low,close,adj_close,volume\n\
                    2025-01-24,148.37,148.97,141.88,142.62,142.58,234657600\n\
                    2025-01-27,abc,128.4,116.7,118.42,118.38,818830900\n";
        let err = read_reader(text.as_bytes()).unwrap_err();
        assert!(
            matches!(
                err,
                ImportError::Field {
                    line: 3,
                    column: 2,
                    name: "open",
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "line 3, column 2 (open): `abc` is not a number"
        );
    }

    #[test]
    fn a_wrong_header_is_refused() {
        let err = read_reader("Date,Open,High,Low,Close,Volume\n2025-01-27,1,2,1,1,5\n".as_bytes())
            .unwrap_err();
        assert!(
            matches!(err, ImportError::Header { line: 1, .. }),
            "{err:?}"
        );
        assert!(
            err.to_string().contains("Date,Open,High,Low,Close,Volume"),
            "{err}"
        );
        assert!(matches!(
            read_reader("".as_bytes()),
            Err(ImportError::Header { .. })
        ));
    }

    #[test]
    fn invalid_and_duplicate_rows_are_refused_with_their_line() {
        let bad = "date,open,high,low,close,adj_close,volume\n2025-01-27,124.8,128.4,130,118.42,118.38,5\n";
        let err = read_reader(bad.as_bytes()).unwrap_err();
        assert!(
            matches!(
                err,
                ImportError::Invalid {
                    line: 2,
                    problem: BarProblem::LowAboveBody { .. },
                    ..
                }
            ),
            "{err:?}"
        );
        let dup = "date,open,high,low,close,adj_close,volume\n\
                   2025-01-27,1,2,1,1,1,5\n2025-01-28,1,2,1,1,1,5\n2025-01-27,1,2,1,1,1,5\n";
        let err = read_reader(dup.as_bytes()).unwrap_err();
        assert!(
            matches!(
                err,
                ImportError::DuplicateDay {
                    line: 4,
                    first: 2,
                    ..
                }
            ),
            "{err:?}"
        );
        let short = "date,open,high,low,close,adj_close,volume\n2025-01-27,1,2,1\n";
        assert!(matches!(
            read_reader(short.as_bytes()),
            Err(ImportError::ColumnCount { line: 2, found: 4 })
        ));
    }

    #[test]
    fn the_bundled_dataset_reads_whole() {
        let all = read_path(&prices_dir()).unwrap();
        // One series per file.
        let files = std::fs::read_dir(prices_dir())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "csv")
            })
            .count();
        assert_eq!(all.len(), files);
        assert!(files >= 31, "{files}");
        let symbols: Vec<&str> = all.iter().map(|(s, _)| s.as_str()).collect();
        let mut sorted = symbols.clone();
        sorted.sort();
        assert_eq!(symbols, sorted);
        let (_, nvda) = all.iter().find(|(s, _)| s.as_str() == "NVDA").unwrap();
        // 2023-07-03 … 2026-05-11, every session once.
        assert_eq!(nvda.len(), 717);
        assert_eq!(nvda.first().unwrap().day, day("2023-07-03"));
        assert_eq!(nvda.last().unwrap().day, day("2026-05-11"));
        let shock = nvda.iter().find(|b| b.day == day("2025-01-27")).unwrap();
        assert_eq!(shock.close, 118.42);

        let (symbol, bars) = read_file(&prices_dir().join("NVDA.csv")).unwrap();
        assert_eq!(symbol.as_str(), "NVDA");
        assert_eq!(&bars, nvda);
        assert_eq!(read_path(&prices_dir().join("NVDA.csv")).unwrap().len(), 1);
    }

    #[test]
    fn file_errors_name_the_file() {
        let dir = std::env::temp_dir().join(format!("jevons-market-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("AMD.csv");
        std::fs::write(
            &path,
            "date,open,high,low,close,adj_close,volume\n2025-01-27,x,1,1,1,1,1\n",
        )
        .unwrap();
        let err = read_path(&dir).unwrap_err().to_string();
        assert!(
            err.contains("AMD.csv") && err.contains("line 2, column 2 (open)"),
            "{err}"
        );
        let empty = dir.join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        assert!(matches!(
            read_path(&empty),
            Err(ImportError::NoFiles { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
