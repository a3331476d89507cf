//! SEC companyfacts JSON (then its quarterly series) and the press-release CSV: the first byte
//! picks which. Never panics.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jevons_fundamentals::fuzzing::import(data));
