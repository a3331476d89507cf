//! The body of the fuzz target `fundamentals` (fuzz/), also replayed over the committed corpus
//! by this crate's tests: an even first byte means SEC companyfacts JSON (then its quarterly
//! series), an odd one the press-release CSV. Any input may be refused; none may panic.

use jevons_core::Symbol;

use crate::{companyfacts, press_release};

pub fn import(data: &[u8]) {
    let Some((&selector, file)) = data.split_first() else {
        return;
    };
    if selector % 2 == 0 {
        if let Ok(facts) = companyfacts::parse(file) {
            let symbol = Symbol::parse("NVDA").expect("a valid symbol");
            let _ = companyfacts::company_quarterly(&facts, &symbol);
        }
    } else {
        let _ = press_release::parse(&String::from_utf8_lossy(file), "fuzz.csv");
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn the_fuzz_corpus_replays_without_a_panic() {
        let n = jevons_core::fuzz_corpus::replay("fundamentals", super::import).unwrap();
        assert!(n > 0);
    }
}
