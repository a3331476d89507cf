//! Faithfulness check: a number or ticker-like token in a summary that the article does not
//! contain is probably invented — small models do this often — and marks the summary as suspect.

use std::collections::HashSet;

/// Numbers and TICKER-like tokens (2–5 capitals, optionally `$`-prefixed) that appear in
/// `summary` but not in `article`, in summary order, each once.
pub fn faithfulness(summary: &str, article: &str) -> Vec<String> {
    let article_numbers: Vec<f64> = numbers(article).into_iter().map(|(_, v)| v).collect();
    let article_words: HashSet<&str> = article
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut out: Vec<String> = Vec::new();
    for (raw, value) in numbers(summary) {
        let known = article_numbers
            .iter()
            .any(|a| (a - value).abs() <= 1e-9 * value.abs().max(1.0));
        if !known && !out.contains(&raw) {
            out.push(raw);
        }
    }
    for token in summary.split(|c: char| !(c.is_alphanumeric() || c == '$')) {
        let bare = token.trim_start_matches('$');
        if is_ticker_like(bare) && !article_words.contains(bare) && !out.iter().any(|o| o == bare) {
            out.push(bare.to_string());
        }
    }
    out
}

fn is_ticker_like(w: &str) -> bool {
    (2..=5).contains(&w.len()) && w.chars().all(|c| c.is_ascii_uppercase())
}

/// Number words up to twenty, so "six" in the article backs "6" in the summary.
const NUMBER_WORDS: &[&str] = &[
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
];

/// (text as written, value) of every number: digits with `,` thousands separators and a decimal
/// point, and number words.
fn numbers(text: &str) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            let mut end = i;
            while end < chars.len()
                && (chars[end].is_ascii_digit()
                    || ((chars[end] == ',' || chars[end] == '.')
                        && chars.get(end + 1).is_some_and(char::is_ascii_digit)))
            {
                end += 1;
            }
            let raw: String = chars[start..end].iter().collect();
            if let Ok(v) = raw.replace(',', "").parse::<f64>() {
                out.push((raw, v));
            }
            i = end;
        } else {
            i += 1;
        }
    }
    for w in text.split(|c: char| !c.is_alphabetic()) {
        let lower = w.to_lowercase();
        if let Some(v) = NUMBER_WORDS.iter().position(|n| *n == lower) {
            out.push((w.to_string(), v as f64));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str = "Nvidia (NVDA) fell 17% on Monday, wiping $593bn off its value. \
Six analysts said the 1,200-point drop in the index was overdone.";

    #[test]
    fn flags_an_invented_number() {
        let s = faithfulness("Nvidia fell 17% and the Nasdaq lost 2.5%.", ARTICLE);
        assert_eq!(s, vec!["2.5"]);
    }

    #[test]
    fn accepts_numbers_written_differently() {
        let s = faithfulness(
            "NVDA dropped 17 percent; 6 analysts saw a 1200-point fall worth $593bn.",
            ARTICLE,
        );
        assert!(s.is_empty(), "{s:?}");
    }

    #[test]
    fn flags_an_invented_ticker() {
        let s = faithfulness("Shares of $AMD and NVDA fell.", ARTICLE);
        assert_eq!(s, vec!["AMD"]);
    }
}
