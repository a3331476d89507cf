//! The extractive summariser: lead sentences ranked by relevance, used when no model file is
//! present. News puts the gist first, so position weighs most; relevance keywords and title
//! overlap decide between the leading sentences.

use std::collections::HashSet;

use crate::text::{sentences, words};

/// Stored as the summary's prompt version so a change of rules is visible in provenance.
pub const VERSION: &str = "extractive-v1";

/// At most `max_sentences` sentences, in article order, at most ~60 words in all.
pub fn summarize(
    title: &str,
    text: &str,
    keywords: &[(String, f32)],
    max_sentences: usize,
) -> String {
    let sents: Vec<String> = sentences(text)
        .into_iter()
        .filter(|s| is_content(s))
        .collect();
    if sents.is_empty() {
        return title.trim().to_string();
    }
    let title_words: HashSet<String> = words(title).into_iter().filter(|w| w.len() > 3).collect();
    let keywords: Vec<(String, f32)> = keywords
        .iter()
        .map(|(k, w)| (k.to_lowercase(), *w))
        .collect();
    let mut scored: Vec<(usize, f32)> = sents
        .iter()
        .enumerate()
        .map(|(i, s)| (i, score(i, s, &title_words, &keywords)))
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut chosen: Vec<usize> = Vec::new();
    let mut total_words = 0;
    for (i, _) in scored {
        if chosen.len() >= max_sentences.max(1) {
            break;
        }
        let n = sents[i].split_whitespace().count();
        if !chosen.is_empty() && total_words + n > 60 {
            continue;
        }
        chosen.push(i);
        total_words += n;
    }
    chosen.sort_unstable();
    chosen
        .iter()
        .map(|&i| sents[i].as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Extract, then abstract: the article's most salient sentences, in article order, at most
/// `max_words` words and `max_sentences` sentences, for the model to summarise instead of the article's truncated start.
/// Salience is the extractive score (lead, title overlap) plus centrality: how much of the rest
/// of the article a sentence shares words with, which marks the gist rather than an aside.
pub fn salient(title: &str, text: &str, max_sentences: usize, max_words: usize) -> String {
    let sents: Vec<String> = sentences(text)
        .into_iter()
        .filter(|s| is_content(s))
        .collect();
    if sents.is_empty() {
        return text.to_string();
    }
    let content = |s: &str| -> HashSet<String> {
        words(s)
            .into_iter()
            .filter(|w| w.len() > 3 && !FUNCTION_WORDS.contains(&w.as_str()))
            .collect()
    };
    let bags: Vec<HashSet<String>> = sents.iter().map(|s| content(s)).collect();
    let title_words = content(title);
    let centrality: Vec<f32> = bags
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let others = bags.len().saturating_sub(1).max(1) as f32;
            let shared: usize = bags
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, o)| b.intersection(o).count())
                .sum();
            shared as f32 / others / (b.len().max(1) as f32).sqrt()
        })
        .collect();
    // Scaled to the most central sentence, floored so near-zero overlaps stay near zero.
    let top = centrality.iter().copied().fold(0.0f32, f32::max).max(0.5);
    let mut scored: Vec<(usize, f32)> = sents
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                i,
                score(i, s, &title_words, &[]) + 0.6 * centrality[i] / top,
            )
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut chosen = Vec::new();
    let mut total = 0;
    for (i, _) in scored {
        if chosen.len() >= max_sentences.max(1) {
            break;
        }
        let n = sents[i].split_whitespace().count();
        if !chosen.is_empty() && total + n > max_words {
            continue;
        }
        chosen.push(i);
        total += n;
    }
    chosen.sort_unstable();
    chosen
        .iter()
        .map(|&i| sents[i].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Frequent words that link sentences without marking a shared topic.
const FUNCTION_WORDS: &[&str] = &[
    "said", "says", "also", "that", "this", "with", "from", "have", "has", "been", "were", "which",
    "would", "could", "their", "there", "about", "after", "more", "over", "will", "into", "than",
    "they", "them", "when", "what", "where", "while", "some", "such", "only", "other", "most",
    "just", "like", "very", "many", "much", "being", "these", "those", "then", "year", "years",
];

/// Boilerplate lines that feeds and pages carry ("Media playback is not supported…").
fn is_content(s: &str) -> bool {
    let n = s.split_whitespace().count();
    let lower = s.to_lowercase();
    n >= 5
        && !lower.contains("media playback")
        && !lower.starts_with("read more")
        && !lower.starts_with("subscribe")
        && !lower.contains("cookie")
}

fn score(index: usize, sentence: &str, title: &HashSet<String>, keywords: &[(String, f32)]) -> f32 {
    let lead = 1.0 / (1.0 + index as f32 * 0.5);
    let ws = words(sentence);
    let overlap = if title.is_empty() {
        0.0
    } else {
        ws.iter().filter(|w| title.contains(*w)).count() as f32 / title.len() as f32
    };
    let lower = sentence.to_lowercase();
    let relevance: f32 = keywords
        .iter()
        .filter(|(k, _)| !k.is_empty() && lower.contains(k.as_str()))
        .map(|(_, w)| *w)
        .sum();
    // Very short or very long sentences make poor summaries.
    let n = ws.len() as f32;
    let length = if (8.0..=40.0).contains(&n) { 0.0 } else { -0.2 };
    lead + 0.5 * overlap + 0.3 * relevance.min(3.0) + length
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARTICLE: &str = "Shares of chip makers fell sharply on Monday after the launch of a cheap AI model. \
The weather in the city was mild and sunny for most of the afternoon. \
Analysts said cheaper inference could expand GPU demand over time, citing the Jevons paradox. \
A local bakery opened a new branch near the station, its owner said. \
Nvidia lost about 17% of its market value in one session.";

    #[test]
    fn picks_relevant_sentences_in_article_order() {
        let kw = vec![("gpu".to_string(), 2.0), ("nvidia".to_string(), 2.0)];
        let s = summarize("Chip stocks fall after cheap AI model", ARTICLE, &kw, 3);
        assert!(s.starts_with("Shares of chip makers fell"), "{s}");
        assert!(s.contains("Jevons paradox"), "{s}");
        assert!(!s.contains("bakery"), "{s}");
        assert!(!s.contains("weather"), "{s}");
    }

    #[test]
    fn lead_wins_without_keywords_and_boilerplate_is_dropped() {
        let text = format!("Media playback is not supported on this device\n{ARTICLE}");
        let s = summarize("", &text, &[], 1);
        assert_eq!(
            s,
            "Shares of chip makers fell sharply on Monday after the launch of a cheap AI model."
        );
    }

    #[test]
    fn salient_sentences_skip_the_asides() {
        let text = "Chip stocks fell on Monday after a cheap model launched. \
The weather was mild and sunny all afternoon in the city. \
Cheaper inference could expand GPU demand, analysts argued. \
GPU demand grew last year as inference got cheaper. \
A bakery opened a new branch near the station.";
        let s = salient("", text, 2, 60);
        assert_eq!(
            s,
            "Chip stocks fell on Monday after a cheap model launched.\n\
Cheaper inference could expand GPU demand, analysts argued."
        );
        assert!(salient("", text, 9, 20).split_whitespace().count() <= 20);
    }

    #[test]
    fn empty_text_falls_back_to_the_title() {
        assert_eq!(summarize("Only a title", "", &[], 3), "Only a title");
    }
}
