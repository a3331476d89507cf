//! Grounding check: every name, ticker, model and number a summary states must be in the article
//! (or a known alias of it must be). Small models invent people, companies and figures; a
//! sentence that holds an unsupported item is dropped, and when none is left the caller falls
//! back to the extractive summary.
//!
//! Items are found with plain rules, not a tagger: capitalised word runs (minus sentence-initial
//! ordinary words), all-capital symbols, words with digits or inner capitals (GPT-4o, DeepSeek),
//! and numbers with their currency, scale and unit, normalised to a value ("$5.6 million",
//! "5.6m dollars" and "US$5.6M" are all 5 600 000 USD).
//!
//! Over 400 lines because item extraction, normalisation of numbers and units, alias matching
//! and sentence dropping are one check whose rules refer to each other.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use jevons_core::grounding::{GroundingItem, GroundingReport, ItemKind};
use regex::Regex;

use crate::text::sentences;

/// Stored in every report: a change of rules gets a new version.
pub const VERSION: &str = "grounding-v2";

/// Names that mean the same thing (NVIDIA, NVDA, Nvidia Corp; DeepSeek-R1, R1), given by the
/// caller from its entity tables: the summariser has no database.
#[derive(Debug, Clone, Default)]
pub struct Aliases {
    /// (label shown in reasons, names as written)
    groups: Vec<(String, Vec<String>)>,
    /// normalised name → groups that hold it
    index: HashMap<String, Vec<usize>>,
}

impl Aliases {
    /// `groups`: (label, names) — e.g. ("NVIDIA (NVDA)", ["NVDA", "NVIDIA", "Nvidia"]).
    pub fn new(groups: impl IntoIterator<Item = (String, Vec<String>)>) -> Self {
        let mut out = Self::default();
        for (label, names) in groups {
            let names: Vec<String> = names
                .into_iter()
                .filter(|n| !normalize_name(n).is_empty())
                .collect();
            if names.len() < 2 {
                continue;
            }
            let g = out.groups.len();
            for n in &names {
                let entry = out.index.entry(normalize_name(n)).or_default();
                if !entry.contains(&g) {
                    entry.push(g);
                }
            }
            out.groups.push((label, names));
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    fn groups_of(&self, norm: &str) -> impl Iterator<Item = &(String, Vec<String>)> {
        self.index
            .get(norm)
            .into_iter()
            .flatten()
            .filter_map(|&g| self.groups.get(g))
    }
}

/// The outcome of [`ground`]: the kept sentences (joined) and the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Grounded {
    /// The summary without its unsupported sentences; empty when none was supported.
    pub text: String,
    pub report: GroundingReport,
}

/// Checks every item of `summary` against `article` (title included by the caller) and drops the
/// sentences that hold an unsupported one.
pub fn ground(summary: &str, article: &str, aliases: &Aliases) -> Grounded {
    let source = Source::new(article);
    let mut items = Vec::new();
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for (i, sentence) in sentences(summary).into_iter().enumerate() {
        let found: Vec<GroundingItem> = extract(&sentence)
            .into_iter()
            .map(|c| source.check(c, i, aliases))
            .collect();
        if found.iter().all(|f| f.supported) {
            kept.push(sentence);
        } else {
            dropped.push(sentence);
        }
        items.extend(found);
    }
    Grounded {
        text: kept.join(" "),
        report: GroundingReport {
            version: VERSION.into(),
            items,
            dropped,
            kept: kept.len(),
            fallback: false,
        },
    }
}

/// Names and numbers of a text, for the benchmark's name precision.
pub fn items(text: &str) -> usize {
    sentences(text).iter().map(|s| extract(s).len()).sum()
}

// ---------------------------------------------------------------------------------------------
// Items

#[derive(Debug, Clone, PartialEq)]
enum Claim {
    Name { text: String, kind: ItemKind },
    Number { text: String, num: Num },
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Num {
    value: f64,
    /// Half a unit of the last digit written, times the scale: "5.6 million" stands for
    /// 5 550 000 … 5 650 000, so an article's 5 580 000 supports it.
    tolerance: f64,
    unit: Option<&'static str>,
}

impl Num {
    fn describe(&self) -> String {
        let v = if self.value.fract() == 0.0 && self.value.abs() < 1e15 {
            format!("{}", self.value as i64)
        } else {
            format!("{}", self.value)
        };
        match self.unit {
            Some(u) => format!("{v} {u}"),
            None => v,
        }
    }
}

/// Digits with an optional currency before and scale and unit after; the `(?i)` covers "5.6M",
/// "US$" and "Per cent".
static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?xi)
        (?P<cur>US\$|A\$|C\$|HK\$|\$|£|€|¥)?
        (?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)
        (?:st|nd|rd|th)?
        (?:[\ -]?(?P<scale>trillion|billion|million|thousand|tn|bn|mn|m|b|k)\b)?
        (?P<unit>\s?%|\s(?:per\ cent|percent|dollars?|pounds?|euros?|yuan|yen|usd|eur|gbp)\b)?",
    )
    .expect("the number pattern is valid")
});

/// Number words, so "four" in a summary is checked like "4" (an invented "four weeks ago" is a
/// classic) and "six" in the article backs "6". "one" is left out: it is mostly idiom.
const NUMBER_WORDS: &[(&str, f64)] = &[
    ("two", 2.0),
    ("three", 3.0),
    ("four", 4.0),
    ("five", 5.0),
    ("six", 6.0),
    ("seven", 7.0),
    ("eight", 8.0),
    ("nine", 9.0),
    ("ten", 10.0),
    ("eleven", 11.0),
    ("twelve", 12.0),
    ("thirteen", 13.0),
    ("fourteen", 14.0),
    ("fifteen", 15.0),
    ("sixteen", 16.0),
    ("seventeen", 17.0),
    ("eighteen", 18.0),
    ("nineteen", 19.0),
    ("twenty", 20.0),
    ("dozen", 12.0),
];

fn currency(c: &str) -> Option<&'static str> {
    match c.to_ascii_lowercase().as_str() {
        "$" | "us$" | "dollar" | "dollars" | "usd" => Some("USD"),
        "a$" => Some("AUD"),
        "c$" => Some("CAD"),
        "hk$" => Some("HKD"),
        "£" | "pound" | "pounds" | "gbp" => Some("GBP"),
        "€" | "euro" | "euros" | "eur" => Some("EUR"),
        "¥" | "yen" => Some("JPY"),
        "yuan" => Some("CNY"),
        _ => None,
    }
}

fn scale(s: &str) -> f64 {
    match s.to_ascii_lowercase().as_str() {
        "trillion" | "tn" => 1e12,
        "billion" | "bn" | "b" => 1e9,
        "million" | "mn" | "m" => 1e6,
        "thousand" | "k" => 1e3,
        _ => 1.0,
    }
}

/// Every number of `text` as (written, value).
fn numbers(text: &str) -> Vec<(String, Num)> {
    let mut out = Vec::new();
    for m in NUMBER.captures_iter(text) {
        let Some(whole) = m.get(0) else { continue };
        let before = text[..whole.start()]
            .chars()
            .rev()
            .take(2)
            .collect::<Vec<_>>();
        // Digits inside an identifier (GPT-4o, H100, R1, Llama-3) belong to a model name.
        let in_word = before.first().is_some_and(|c| c.is_alphanumeric())
            || (before.first() == Some(&'-') && before.get(1).is_some_and(|c| c.is_alphabetic()));
        let after = text[whole.end()..].chars().next();
        if in_word || after.is_some_and(char::is_alphanumeric) {
            continue;
        }
        let Some(digits) = m.name("num") else {
            continue;
        };
        let Ok(mantissa) = digits.as_str().replace(',', "").parse::<f64>() else {
            continue;
        };
        let decimals = digits
            .as_str()
            .split_once('.')
            .map_or(0, |(_, d)| d.len() as i32);
        let k = m.name("scale").map_or(1.0, |s| scale(s.as_str()));
        let unit = match (m.name("cur"), m.name("unit")) {
            (_, Some(u)) if u.as_str().trim() == "%" => Some("%"),
            (_, Some(u)) if u.as_str().trim().to_ascii_lowercase().contains("cent") => Some("%"),
            (Some(c), _) => currency(c.as_str()),
            (None, Some(u)) => currency(u.as_str().trim()),
            (None, None) => None,
        };
        out.push((
            whole.as_str().trim().to_string(),
            Num {
                value: mantissa * k,
                tolerance: 0.5 * 10f64.powi(-decimals) * k,
                unit,
            },
        ));
    }
    for w in text.split(|c: char| !c.is_alphabetic()) {
        let lower = w.to_lowercase();
        if let Some((_, v)) = NUMBER_WORDS.iter().find(|(n, _)| *n == lower) {
            out.push((
                w.to_string(),
                Num {
                    value: *v,
                    tolerance: 0.0,
                    unit: None,
                },
            ));
        }
    }
    out
}

/// Capitalised words that start sentences or join names without being names themselves.
const ORDINARY: &[&str] = &[
    "a",
    "an",
    "the",
    "this",
    "that",
    "these",
    "those",
    "it",
    "its",
    "he",
    "she",
    "they",
    "we",
    "you",
    "i",
    "his",
    "her",
    "their",
    "our",
    "my",
    "your",
    "in",
    "on",
    "at",
    "of",
    "for",
    "from",
    "to",
    "by",
    "with",
    "as",
    "after",
    "before",
    "during",
    "since",
    "until",
    "while",
    "when",
    "where",
    "what",
    "which",
    "who",
    "why",
    "how",
    "if",
    "but",
    "and",
    "or",
    "so",
    "yet",
    "also",
    "however",
    "meanwhile",
    "although",
    "though",
    "because",
    "despite",
    "according",
    "both",
    "some",
    "many",
    "most",
    "more",
    "several",
    "all",
    "each",
    "every",
    "other",
    "another",
    "there",
    "here",
    "now",
    "then",
    "today",
    "yesterday",
    "tomorrow",
    "last",
    "next",
    "new",
    "one",
    "analysts",
    "investors",
    "shares",
    "officials",
    "police",
    "researchers",
    "experts",
    "critics",
    "scientists",
    "people",
    "companies",
    "company",
    "firms",
    "the firm",
    "mr",
    "mrs",
    "ms",
    "dr",
    "sir",
    "prof",
    "president",
    "minister",
    "chief",
    "executive",
    "chairman",
    "earlier",
    "later",
    "instead",
    "still",
    "even",
    "only",
    "overall",
    "first",
    "second",
    "finally",
    "additionally",
    "furthermore",
    "moreover",
    "thus",
    "therefore",
    "overall",
    "please",
    "note",
    "summary",
];

/// Lower-case words that may sit inside a name: "Bank of America", "Vincent van Gogh".
const CONNECTORS: &[&str] = &[
    "of", "de", "la", "van", "von", "der", "du", "da", "&", "and",
];

fn is_ordinary(w: &str) -> bool {
    ORDINARY.contains(&w.to_lowercase().as_str())
}

/// "NVDA", "$AMD": two to five capitals.
fn is_ticker(w: &str) -> bool {
    let bare = w.strip_prefix('$').unwrap_or(w);
    (2..=5).contains(&bare.chars().count()) && bare.chars().all(|c| c.is_ascii_uppercase())
}

/// "GPT-4o", "H100", "DeepSeek", "OpenAI": a letter first, and a digit or an inner capital.
fn is_model_like(w: &str) -> bool {
    let mut chars = w.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let rest: Vec<char> = chars.collect();
    first.is_alphabetic()
        && (rest.iter().any(char::is_ascii_digit)
            || rest
                .windows(2)
                .any(|p| p[0].is_lowercase() && p[1].is_uppercase()))
}

fn is_capitalised(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

/// A token without the punctuation around it, and whether a name run must stop after it.
fn clean(raw: &str) -> (String, bool) {
    let trimmed_start =
        raw.trim_start_matches(|c: char| !(c.is_alphanumeric() || c == '$' || c == '&'));
    let core = trimmed_start.trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '&'));
    let stops = core.len() < trimmed_start.len();
    let core = core
        .strip_suffix("'s")
        .or_else(|| core.strip_suffix("’s"))
        .unwrap_or(core);
    (core.to_string(), stops)
}

/// The checkable items of one sentence.
fn extract(sentence: &str) -> Vec<Claim> {
    let mut out: Vec<Claim> = numbers(sentence)
        .into_iter()
        .map(|(text, num)| Claim::Number { text, num })
        .collect();
    let tokens: Vec<(String, bool, bool)> = sentence
        .split_whitespace()
        .map(|raw| {
            let starts = raw.starts_with(['(', '"', '“', '\'', '‘', '[']);
            let (w, stops) = clean(raw);
            (w, starts, stops)
        })
        .collect();
    let mut run: Vec<&str> = Vec::new();
    let mut run_start = 0;
    let flush = |run: &mut Vec<&str>, start: usize, out: &mut Vec<Claim>| {
        while run.last().is_some_and(|w| CONNECTORS.contains(w)) {
            run.pop();
        }
        // Leading ordinary words ("The", "In") are not part of the name.
        let mut start = start;
        while run.first().is_some_and(|w| is_ordinary(w)) {
            run.remove(0);
            start += 1;
        }
        if run.is_empty() {
            return;
        }
        let text = run.join(" ");
        // Digits make a model or product name (GPT-4o, H100); inner capitals alone are names
        // too (McKinnon, DeepSeek).
        let kind = if run.iter().any(|w| w.chars().any(|c| c.is_ascii_digit())) {
            ItemKind::Model
        } else {
            ItemKind::Name
        };
        // A single plain capitalised word opening the sentence is usually an ordinary word.
        let sentence_initial_plain = start == 0 && run.len() == 1 && kind == ItemKind::Name;
        if !sentence_initial_plain || !looks_ordinary(run[0]) {
            out.push(Claim::Name { text, kind });
        }
        run.clear();
    };
    for (i, (w, starts, stops)) in tokens.iter().enumerate() {
        if w.is_empty() {
            flush(&mut run, run_start, &mut out);
            continue;
        }
        if *starts {
            flush(&mut run, run_start, &mut out);
        }
        if is_ticker(w) {
            flush(&mut run, run_start, &mut out);
            out.push(Claim::Name {
                text: w.trim_start_matches('$').to_string(),
                kind: ItemKind::Ticker,
            });
            if *stops {
                flush(&mut run, run_start, &mut out);
            }
            continue;
        }
        // Figures ("US$5.6M", "5bn") are checked as numbers.
        let figure = w.chars().next().is_some_and(|c| c.is_ascii_digit())
            || w.contains(['$', '£', '€', '¥', '%']);
        let name_word = !figure && (is_capitalised(w) || is_model_like(w));
        let connector = !run.is_empty()
            && CONNECTORS.contains(&w.as_str())
            && tokens
                .get(i + 1)
                .is_some_and(|(n, _, _)| is_capitalised(n) && !is_ticker(n));
        if name_word || connector {
            if run.is_empty() {
                run_start = i;
            }
            run.push(w.as_str());
        } else {
            flush(&mut run, run_start, &mut out);
        }
        if *stops {
            flush(&mut run, run_start, &mut out);
        }
    }
    flush(&mut run, run_start, &mut out);
    out
}

/// A sentence-initial word that needs no check: an ordinary word, or any word the summary could
/// have capitalised only because it opens the sentence. Words with inner capitals never are.
fn looks_ordinary(w: &str) -> bool {
    let plain = w.chars().skip(1).all(|c| c.is_lowercase());
    is_ordinary(w) || (plain && ["ly", "ing", "ed"].iter().any(|s| w.ends_with(s)))
}

// ---------------------------------------------------------------------------------------------
// The article side

/// Lower-case words joined by single spaces, hyphens and slashes as spaces, possessives and
/// corporate suffixes dropped: "Nvidia Corp.'s" → "nvidia", "DeepSeek-R1" → "deepseek r1".
pub fn normalize_name(s: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for raw in s.split(|c: char| c.is_whitespace() || matches!(c, '-' | '_' | '/' | '–')) {
        let (w, _) = clean(raw);
        if !w.is_empty() {
            words.push(w.to_lowercase());
        }
    }
    while words.len() > 1
        && words.last().is_some_and(|w| {
            matches!(
                w.as_str(),
                "corp" | "corporation" | "inc" | "ltd" | "plc" | "co" | "llc" | "ag" | "sa" | "nv"
            )
        })
    {
        words.pop();
    }
    words.join(" ")
}

struct Source {
    /// The whole article, normalised, padded with spaces for whole-word search.
    norm: String,
    /// Each sentence normalised and padded.
    sentences: Vec<String>,
    /// Words exactly as written (for case-sensitive ticker matching).
    words: HashSet<String>,
    numbers: Vec<Num>,
}

impl Source {
    fn new(article: &str) -> Self {
        let sentences: Vec<String> = sentences(article)
            .iter()
            .map(|s| format!(" {} ", normalize_name(s)))
            .collect();
        Self {
            norm: format!(" {} ", normalize_name(article)),
            sentences,
            words: article
                .split(|c: char| !(c.is_alphanumeric()))
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect(),
            numbers: numbers(article).into_iter().map(|(_, n)| n).collect(),
        }
    }

    fn has(&self, norm: &str) -> bool {
        !norm.is_empty() && self.norm.contains(&format!(" {norm} "))
    }

    fn check(&self, claim: Claim, sentence: usize, aliases: &Aliases) -> GroundingItem {
        match claim {
            Claim::Number { text, num } => self.check_number(text, num, sentence),
            Claim::Name { text, kind } => self.check_name(text, kind, sentence, aliases),
        }
    }

    fn check_number(&self, text: String, num: Num, sentence: usize) -> GroundingItem {
        let units_agree = |a: &Num| match (num.unit, a.unit) {
            (Some(x), Some(y)) => x == y,
            // A bare number in the article ("17 of them", "2025") backs any reading of it.
            _ => true,
        };
        let hit = self.numbers.iter().find(|a| {
            units_agree(a)
                && (a.value - num.value).abs() <= num.tolerance.max(1e-9 * num.value.abs())
        });
        let normalized = num.describe();
        let (supported, reason) = match hit {
            Some(a) if (a.value - num.value).abs() <= 1e-9 * num.value.abs().max(1.0) => {
                (true, "in the article".to_string())
            }
            Some(a) => (
                true,
                format!("rounded from {} in the article", a.describe()),
            ),
            None => (false, format!("no {normalized} in the article")),
        };
        GroundingItem {
            text,
            kind: ItemKind::Number,
            normalized,
            supported,
            reason,
            sentence,
        }
    }

    fn check_name(
        &self,
        text: String,
        kind: ItemKind,
        sentence: usize,
        aliases: &Aliases,
    ) -> GroundingItem {
        let norm = normalize_name(&text);
        let item = |supported: bool, reason: String| GroundingItem {
            text: text.clone(),
            kind,
            normalized: norm.clone(),
            supported,
            reason,
            sentence,
        };
        // Symbols keep their case: "US" the country is not "us".
        let found = if kind == ItemKind::Ticker {
            self.words.contains(&text)
        } else {
            self.has(&norm)
        };
        if found {
            return item(true, "in the article".into());
        }
        // Singular and plural of a name's last word: "Midland" for "the Midlands", "Muslims" for
        // "Muslim", "the Romanov family" for "the Romanovs".
        if kind != ItemKind::Ticker {
            let variant = match norm.strip_suffix('s') {
                Some(stem) if stem.len() > 2 => stem.to_string(),
                _ => format!("{norm}s"),
            };
            if self.has(&variant) {
                return item(true, format!("in the article as “{variant}”"));
            }
        }
        for (label, names) in aliases.groups_of(&norm) {
            let hit = names.iter().find(|n| {
                let n_norm = normalize_name(n);
                n_norm != norm
                    && if is_ticker(n) {
                        self.words.contains(n.as_str())
                    } else {
                        self.has(&n_norm)
                    }
            });
            if let Some(n) = hit {
                return item(true, format!("alias of {label}: “{n}” in the article"));
            }
        }
        // "President Donald Trump" for "Donald Trump … the president": every word of a name of
        // several in one article sentence.
        let words: Vec<&str> = norm
            .split(' ')
            .filter(|w| !CONNECTORS.contains(w))
            .collect();
        if words.len() > 1
            && self
                .sentences
                .iter()
                .any(|s| words.iter().all(|w| s.contains(&format!(" {w} "))))
        {
            return item(true, "its words are in one article sentence".into());
        }
        item(false, "not in the article".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str = "Nvidia lost 17% of its value on Monday, about $593bn, after DeepSeek \
released R1. The Chinese start-up said training cost $5.6 million on 2,000 GPUs. Jensen Huang, \
chief executive of Nvidia, was not available. Shares of Broadcom fell 17.4 per cent. Four \
analysts said the Federal Reserve would not react.";

    fn aliases() -> Aliases {
        Aliases::new([
            (
                "NVIDIA (NVDA)".to_string(),
                vec!["NVDA".into(), "NVIDIA".into(), "Nvidia".into()],
            ),
            (
                "DeepSeek-R1".to_string(),
                vec!["DeepSeek-R1".into(), "R1".into(), "DeepSeek R1".into()],
            ),
        ])
    }

    fn unsupported(g: &Grounded) -> Vec<&str> {
        g.report.unsupported().map(|i| i.text.as_str()).collect()
    }

    #[test]
    fn a_faithful_summary_is_kept_whole() {
        let s = "Nvidia lost 17% of its value after DeepSeek released R1. \
Jensen Huang was not available.";
        let g = ground(s, ARTICLE, &aliases());
        assert_eq!(g.text, s);
        assert!(g.report.dropped.is_empty(), "{:?}", g.report);
        assert_eq!(g.report.kept, 2);
        let texts: Vec<&str> = g.report.items.iter().map(|i| i.text.as_str()).collect();
        for want in ["Nvidia", "17%", "DeepSeek", "R1", "Jensen Huang"] {
            assert!(texts.contains(&want), "{want} in {texts:?}");
        }
    }

    #[test]
    fn an_invented_name_drops_its_sentence() {
        let s = "Nvidia lost 17% of its value. Toby Blair, the head of AMD, resigned.";
        let g = ground(s, ARTICLE, &aliases());
        assert_eq!(g.text, "Nvidia lost 17% of its value.");
        assert_eq!(unsupported(&g), vec!["Toby Blair", "AMD"]);
        assert_eq!(
            g.report.dropped,
            vec!["Toby Blair, the head of AMD, resigned."]
        );
        let toby = g.report.items.iter().find(|i| i.text == "Toby Blair");
        assert_eq!(toby.map(|i| i.reason.as_str()), Some("not in the article"));
    }

    #[test]
    fn an_invented_number_drops_its_sentence() {
        let s =
            "Training cost $5.6 million. Nvidia lost $600bn. The plane was found five weeks ago.";
        let g = ground(s, ARTICLE, &aliases());
        assert_eq!(g.text, "Training cost $5.6 million.");
        assert_eq!(unsupported(&g), vec!["$600bn", "five"]);
        let bn = g.report.items.iter().find(|i| i.text == "$600bn");
        assert_eq!(
            bn.map(|i| i.reason.as_str()),
            Some("no 600000000000 USD in the article")
        );
    }

    #[test]
    fn units_and_number_forms_are_normalised() {
        for s in [
            "It cost 5.6m dollars.",
            "It cost US$5.6M.",
            "It cost $5,600,000.",
            "Nvidia fell 17 percent.",
            "Broadcom fell 17.4%.",
            "They used 2000 GPUs.",
            "Nvidia lost $593 billion.",
            "4 analysts spoke.",
        ] {
            let g = ground(s, ARTICLE, &aliases());
            assert_eq!(g.text, s, "{s}: {:?}", g.report.items);
        }
        // Rounding to the precision written is fine; another unit or scale is not.
        assert_eq!(
            ground("Broadcom fell 17%.", ARTICLE, &aliases()).text,
            "Broadcom fell 17%."
        );
        for s in [
            "It cost £5.6 million.",
            "It cost $5.6 billion.",
            "Nvidia fell 18%.",
        ] {
            let g = ground(s, ARTICLE, &aliases());
            assert!(g.text.is_empty(), "{s}: {:?}", g.report.items);
        }
    }

    #[test]
    fn aliases_support_names_the_article_writes_differently() {
        let s = "NVDA fell after the DeepSeek-R1 launch. Nvidia Corp's shares slid.";
        let g = ground(s, ARTICLE, &aliases());
        assert_eq!(g.text, s, "{:?}", g.report.items);
        let nvda = g.report.items.iter().find(|i| i.text == "NVDA");
        assert_eq!(
            nvda.map(|i| i.reason.as_str()),
            Some("alias of NVIDIA (NVDA): “NVIDIA” in the article")
        );
        // Without the table the symbol is unsupported.
        let g = ground("NVDA fell.", ARTICLE, &Aliases::default());
        assert_eq!(unsupported(&g), vec!["NVDA"]);
    }

    #[test]
    fn model_names_and_ordinary_words() {
        let article = "OpenAI released GPT-4o mini. Meta's Llama 3.1 405B followed in July.";
        let g = ground(
            "However, GPT-4o mini and Llama 3.1 405B came out. The Meta model followed GPT-5.",
            article,
            &Aliases::default(),
        );
        assert_eq!(g.text, "However, GPT-4o mini and Llama 3.1 405B came out.");
        assert_eq!(unsupported(&g), vec!["GPT-5"]);
        let kinds: Vec<(&str, ItemKind)> = g
            .report
            .items
            .iter()
            .map(|i| (i.text.as_str(), i.kind))
            .collect();
        assert!(kinds.contains(&("GPT-4o", ItemKind::Model)), "{kinds:?}");
        assert!(kinds.contains(&("Meta", ItemKind::Name)), "{kinds:?}");
        assert!(!kinds.iter().any(|(t, _)| *t == "However"), "{kinds:?}");
    }

    #[test]
    fn a_name_whose_words_share_an_article_sentence_is_supported() {
        let g = ground(
            "Chief executive Jensen Huang of Nvidia spoke.",
            ARTICLE,
            &aliases(),
        );
        assert!(g.report.dropped.is_empty(), "{:?}", g.report.items);
        let g = ground("Federal Huang spoke.", ARTICLE, &aliases());
        assert_eq!(unsupported(&g), vec!["Federal Huang"]);
    }

    #[test]
    fn singular_and_plural_of_a_name_are_the_same_name() {
        let article = "People in the Midlands give more. The Romanovs ruled Russia.";
        let g = ground(
            "The Midland region gives more. The Romanov family ruled.",
            article,
            &Aliases::default(),
        );
        assert!(g.report.dropped.is_empty(), "{:?}", g.report.items);
        assert_eq!(
            g.report.items[0].reason, "in the article as “midlands”",
            "{:?}",
            g.report.items
        );
    }

    #[test]
    fn nothing_left_when_every_sentence_invents() {
        let g = ground("Toby Blair said 42 GPUs were sold.", ARTICLE, &aliases());
        assert!(g.text.is_empty());
        assert_eq!(g.report.kept, 0);
        assert_eq!(g.report.dropped.len(), 1);
    }
}
