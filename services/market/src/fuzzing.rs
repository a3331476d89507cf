//! The bodies of the fuzz targets `market_csv`, `market_yahoo` and `market_stooq` (fuzz/),
//! also replayed over the committed corpus by this crate's tests. Any input may be refused;
//! none may panic.

use crate::csv_file::{read_reader, write_bars};
use crate::{stooq, yahoo};

/// jevons' own price CSV: what it accepts survives a write and a re-read unchanged.
pub fn price_csv(data: &[u8]) {
    let Ok(bars) = read_reader(data) else {
        return;
    };
    let mut written = Vec::new();
    write_bars(&mut written, &bars).expect("writing to memory");
    let again = read_reader(written.as_slice()).expect("a written file reads back");
    assert_eq!(bars, again);
}

/// Yahoo chart JSON (bars in the payload's order: the client sorts and validates them).
pub fn yahoo_chart(data: &[u8]) {
    let _ = yahoo::parse_chart_detailed(data);
}

/// Stooq's daily CSV, whatever the body (HTML quota pages, truncated lines…).
pub fn stooq_csv(data: &[u8]) {
    let _ = stooq::parse_csv(&String::from_utf8_lossy(data));
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use jevons_core::fuzz_corpus::replay;

    #[test]
    fn the_fuzz_corpus_replays_without_a_panic() {
        for (target, check) in [
            ("market_csv", super::price_csv as fn(&[u8])),
            ("market_yahoo", super::yahoo_chart),
            ("market_stooq", super::stooq_csv),
        ] {
            let n = replay(target, check).unwrap();
            assert!(n > 0, "{target}: no corpus files");
        }
    }
}
