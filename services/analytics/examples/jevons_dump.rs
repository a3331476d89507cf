//! Prints jevons' price-of-intelligence fits and demand elasticities for the CSV inputs of
//! scripts/jevons_reference.py, in the script's JSON shape, to compare the two by eye or diff:
//!
//!     cargo run -p jevons-analytics --example jevons_dump -- services/analytics/tests/fixtures/jevons
#![allow(clippy::unwrap_used)]

#[path = "../tests/jevons_input/mod.rs"]
mod jevons_input;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/jevons").into());
    match jevons_input::compute(std::path::Path::new(&dir)) {
        Ok(v) => println!("{}", serde_json::to_string_pretty(&v).unwrap()),
        Err(e) => {
            eprintln!("jevons_dump: {e}");
            std::process::exit(1);
        }
    }
}
