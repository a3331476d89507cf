//! Yahoo Finance chart JSON: never panics, whatever the payload.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jevons_market::fuzzing::yahoo_chart(data));
