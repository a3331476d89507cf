//! Stooq daily CSV: never panics, whatever the body (HTML quota pages, truncated lines…).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jevons_market::fuzzing::stooq_csv(data));
