//! The model-data importers (`jevons import models --format …`): the first byte picks the
//! format, the rest is the file. Never panics; a bad file is an error.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jevons_benchmarks::fuzzing::import(data));
