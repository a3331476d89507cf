//! Article pages: main-text extraction, HTML → text and the language guess never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jevons_news::fuzzing::article(data));
