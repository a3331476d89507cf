//! The bodies of the fuzz targets `news_feed` and `news_text` (fuzz/), also replayed over the
//! committed corpus by this crate's tests. Any input may be refused; none may panic.

use crate::{extract_main_text, guess_language, html_to_text, parse_feed};

/// A feed document (RSS, Atom, JSON Feed), with each entry's HTML turned into text.
pub fn feed(data: &[u8]) {
    if let Ok(feed) = parse_feed(data, Some("https://example.com/feed/")) {
        for entry in &feed.entries {
            let _ = entry.text();
        }
    }
}

/// An article page: main-text extraction, HTML → text and the language guess.
pub fn article(data: &[u8]) {
    let page = String::from_utf8_lossy(data);
    if let Some(text) = extract_main_text(&page) {
        let _ = guess_language(&text);
    }
    let _ = guess_language(&html_to_text(&page));
}

#[cfg(test)]
mod tests {
    use jevons_core::fuzz_corpus::replay;

    #[test]
    fn the_fuzz_corpus_replays_without_a_panic() {
        assert!(replay("news_feed", super::feed).unwrap() > 0);
        assert!(replay("news_text", super::article).unwrap() > 0);
    }
}
