//! Relevance of an article to AI efficiency, from the configured keywords and weights.

use jevons_core::config::KeywordWeight;

/// Keywords lower-cased once, with their weights.
#[derive(Debug, Clone, Default)]
pub struct Keywords(Vec<(String, f32)>);

impl Keywords {
    pub fn new(list: &[KeywordWeight]) -> Self {
        Self(
            list.iter()
                .filter(|k| !k.term.trim().is_empty() && k.weight.is_finite())
                .map(|k| (k.term.trim().to_lowercase(), k.weight))
                .collect(),
        )
    }

    /// The matched terms with their weight, heaviest first, for the summariser's prompt.
    pub fn matched(&self, title: &str, text: &str) -> Vec<(String, f32)> {
        let title = title.to_lowercase();
        let text = text.to_lowercase();
        let mut found: Vec<(String, f32)> = self
            .0
            .iter()
            .filter(|(term, _)| count_words(&title, term) + count_words(&text, term) > 0)
            .cloned()
            .collect();
        found.sort_by(|a, b| b.1.total_cmp(&a.1));
        found
    }
}

/// How often `term` occurs in `haystack` as whole words (both lower-case).
pub(crate) fn count_words(haystack: &str, term: &str) -> usize {
    if term.is_empty() {
        return 0;
    }
    haystack
        .match_indices(term)
        .filter(|(i, _)| {
            let before = haystack[..*i].chars().next_back();
            let after = haystack[i + term.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
        .count()
}

/// A score in [0, 1): each keyword adds `weight · ln(1 + mentions)` (a title mention counts
/// three times, repetition has diminishing returns), and the sum `s` maps to `s / (s + 2)`.
/// One passing mention of a weight-1 term gives 0.26; a headline about the topic passes 0.5.
pub fn relevance(title: &str, text: &str, keywords: &Keywords) -> f32 {
    let title = title.to_lowercase();
    let text = text.to_lowercase();
    let raw: f32 = keywords
        .0
        .iter()
        .map(|(term, weight)| {
            let n = 3 * count_words(&title, term) + count_words(&text, term);
            weight * (1.0 + n as f32).ln()
        })
        .sum::<f32>()
        .max(0.0);
    raw / (raw + 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keywords() -> Keywords {
        Keywords::new(&[
            KeywordWeight {
                term: "GPU".into(),
                weight: 1.0,
            },
            KeywordWeight {
                term: "inference cost".into(),
                weight: 1.5,
            },
            KeywordWeight {
                term: "DeepSeek".into(),
                weight: 2.0,
            },
        ])
    }

    #[test]
    fn words_match_whole() {
        assert_eq!(count_words("gpus and gpu, gpu-bound", "gpu"), 2);
        assert_eq!(count_words("deepseek-r1 by deepseek", "deepseek"), 2);
        assert_eq!(count_words("nothing", "gpu"), 0);
    }

    #[test]
    fn relevance_orders_articles_by_topic() {
        let k = keywords();
        let none = relevance("Cat pictures", "A cat sat on a mat.", &k);
        let passing = relevance("Gaming news", "The new GPU is fast.", &k);
        let topical = relevance(
            "DeepSeek cuts inference cost",
            "DeepSeek says inference cost fell tenfold; GPU demand may rise.",
            &k,
        );
        assert_eq!(none, 0.0);
        assert!((passing - 0.257).abs() < 0.01, "{passing}");
        assert!(topical > 0.7 && topical < 1.0, "{topical}");
        assert_eq!(
            k.matched("DeepSeek", "a GPU")
                .into_iter()
                .map(|(t, _)| t)
                .collect::<Vec<_>>(),
            vec!["deepseek", "gpu"]
        );
    }
}
