//! RSS/Atom/JSON Feed documents: never panics, including the entries' HTML → text.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jevons_news::fuzzing::feed(data));
