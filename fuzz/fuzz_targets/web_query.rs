//! Query strings of every route: deserialised into the typed queries and checked as the
//! handlers check them. A bad parameter is a 400; a panic would be a 500 or a dropped worker.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jevons_web::fuzzing::query_string(data));
