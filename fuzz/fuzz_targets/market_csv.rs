//! jevons' own price CSV (`jevons import prices`): never panics, and what it accepts survives a
//! write and a re-read unchanged.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jevons_market::fuzzing::price_csv(data));
