//! Stance on GPU demand from a lexicon: deterministic and explainable, where a 135M model's
//! judgement would be noise. Phrases found in the text add their weight (negated within the
//! three preceding words: subtracted); the sum is squashed into -1..1.

use crate::Stance;

/// (phrase, weight): positive = more GPU demand (bullish), negative = less (bearish).
const LEXICON: &[(&str, f32)] = &[
    // bullish
    ("jevons paradox", 1.5),
    ("demand surge", 2.0),
    ("surging demand", 2.0),
    ("strong demand", 1.5),
    ("record revenue", 1.5),
    ("record sales", 1.5),
    ("beat expectations", 1.0),
    ("raised guidance", 1.5),
    ("raises guidance", 1.5),
    ("sold out", 1.5),
    ("shortage", 1.0),
    ("capex", 0.5),
    ("capital expenditure", 0.5),
    ("spending more", 1.0),
    ("increase spending", 1.0),
    ("buildout", 1.0),
    ("build out", 0.5),
    ("new data centers", 1.0),
    ("more compute", 1.0),
    ("expand demand", 1.5),
    ("expand the market", 1.0),
    ("rally", 1.0),
    ("rallied", 1.0),
    ("rebound", 0.8),
    ("rebounded", 0.8),
    ("surge", 0.7),
    ("surged", 0.7),
    ("soared", 1.0),
    ("growth", 0.4),
    ("orders", 0.4),
    ("backlog", 0.8),
    ("bullish", 1.5),
    ("upgrade", 0.6),
    ("upgraded", 0.6),
    // bearish
    ("sell-off", -1.5),
    ("selloff", -1.5),
    ("sell off", -1.5),
    ("plunge", -1.5),
    ("plunged", -1.5),
    ("slump", -1.2),
    ("slumped", -1.2),
    ("tumbled", -1.2),
    ("fell", -0.6),
    ("drop", -0.5),
    ("dropped", -0.6),
    ("wiped", -1.0),
    ("wiping", -1.0),
    ("glut", -1.5),
    ("oversupply", -1.5),
    ("overcapacity", -1.2),
    ("cut spending", -1.5),
    ("spending cuts", -1.5),
    ("cancelled orders", -1.5),
    ("canceled orders", -1.5),
    ("fewer gpus", -1.5),
    ("fewer chips", -1.5),
    ("less compute", -1.5),
    ("cheaper models", -0.8),
    ("cheaper model", -0.8),
    ("fraction of the cost", -1.0),
    ("export ban", -1.0),
    ("export controls", -0.8),
    ("slowdown", -1.0),
    ("weak demand", -1.5),
    ("demand slowdown", -1.5),
    ("missed expectations", -1.0),
    ("downgrade", -0.6),
    ("downgraded", -0.6),
    ("bubble", -0.8),
    ("bearish", -1.5),
];

const NEGATIONS: &[&str] = &[
    "not", "no", "never", "without", "isn't", "wasn't", "won't", "don't", "doesn't",
];

/// Above this magnitude the stance is bullish or bearish, else neutral.
const THRESHOLD: f32 = 0.2;

/// (stance, score in -1..1).
pub fn stance(text: &str) -> (Stance, f32) {
    let words: Vec<String> = text
        .to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\''))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let mut raw = 0.0f32;
    for (phrase, weight) in LEXICON {
        let parts: Vec<&str> = phrase.split(' ').collect();
        if parts.is_empty() || words.len() < parts.len() {
            continue;
        }
        for i in 0..=words.len() - parts.len() {
            if words[i..i + parts.len()]
                .iter()
                .zip(&parts)
                .all(|(w, p)| w == p)
            {
                let negated = words[i.saturating_sub(3)..i]
                    .iter()
                    .any(|w| NEGATIONS.contains(&w.as_str()));
                raw += if negated { -weight } else { *weight };
            }
        }
    }
    let score = raw / (raw.abs() + 2.0);
    let stance = if score > THRESHOLD {
        Stance::Bullish
    } else if score < -THRESHOLD {
        Stance::Bearish
    } else {
        Stance::Neutral
    };
    (stance, score)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bullish_bearish_and_neutral() {
        let (s, score) = stance(
            "Nvidia reported record revenue on strong demand for data-centre GPUs and raised guidance.",
        );
        assert_eq!(s, Stance::Bullish);
        assert!(score > 0.5 && score < 1.0, "{score}");

        let (s, score) = stance(
            "Chip stocks plunged in a sell-off as a cheaper model suggested hyperscalers need fewer GPUs.",
        );
        assert_eq!(s, Stance::Bearish);
        assert!(score < -0.5 && score > -1.0, "{score}");

        let (s, score) = stance("The company will hold its annual meeting in June.");
        assert_eq!(s, Stance::Neutral);
        assert_eq!(score, 0.0);
    }

    #[test]
    fn negation_flips_a_phrase() {
        let (s, _) = stance("Analysts see no slowdown and no glut in AI chips.");
        assert_eq!(s, Stance::Bullish);
    }

    #[test]
    fn deterministic() {
        let t = "The Jevons paradox says cheaper AI will expand demand for compute.";
        assert_eq!(stance(t), stance(t));
    }
}
