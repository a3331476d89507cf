//! The body of the fuzz target `models_import` (fuzz/), also replayed over the committed corpus
//! by this crate's tests: the first byte picks the format, the rest is the file. Any file may
//! be refused; none may panic.

use chrono::NaiveDate;

use crate::{Format, ParseOptions, epoch, parse};

pub fn import(data: &[u8]) {
    let Some((&selector, file)) = data.split_first() else {
        return;
    };
    // One more than the formats: the Benchmarking Hub's zip archive, file by file.
    let Some(&format) = Format::ALL.get(usize::from(selector) % (Format::ALL.len() + 1)) else {
        if let Ok(entries) = epoch::hub_zip_entries(file) {
            for (name, csv) in entries {
                let benchmark = epoch::hub_benchmark_from_file_name(&name);
                let _ = epoch::parse_hub(&csv, benchmark.as_deref(), None);
            }
        }
        return;
    };
    let opts = ParseOptions {
        snapshot: NaiveDate::from_ymd_opt(2025, 2, 6),
        source: Some("fuzz".into()),
        benchmark: Some("gpqa_diamond".into()),
        ..ParseOptions::default()
    };
    let _ = parse(format, file, &opts);
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_fuzz_corpus_replays_without_a_panic() {
        let n = jevons_core::fuzz_corpus::replay("models_import", super::import).unwrap();
        assert!(n > 0);
    }
}
