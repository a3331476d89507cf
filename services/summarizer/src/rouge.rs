//! ROUGE-1/2/L F1 for the quality benchmark: lower-cased alphanumeric word tokens, no
//! stemming and no stop-word removal (so figures run a little below the Perl reference's
//! stemmed ones).

use std::collections::HashMap;

use crate::text::words;

#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Rouge {
    pub rouge1: f64,
    pub rouge2: f64,
    pub rouge_l: f64,
}

pub fn rouge(candidate: &str, reference: &str) -> Rouge {
    let c = words(candidate);
    let r = words(reference);
    Rouge {
        rouge1: ngram_f1(&c, &r, 1),
        rouge2: ngram_f1(&c, &r, 2),
        rouge_l: lcs_f1(&c, &r),
    }
}

fn ngram_f1(c: &[String], r: &[String], n: usize) -> f64 {
    if c.len() < n || r.len() < n {
        return 0.0;
    }
    let (cm, rm) = (grams(c, n), grams(r, n));
    let overlap: usize = cm
        .iter()
        .map(|(g, k)| (*k).min(rm.get(g).copied().unwrap_or(0)))
        .sum();
    f1(overlap, c.len() + 1 - n, r.len() + 1 - n)
}

fn grams(t: &[String], n: usize) -> HashMap<&[String], usize> {
    let mut m: HashMap<&[String], usize> = HashMap::new();
    for g in t.windows(n) {
        *m.entry(g).or_default() += 1;
    }
    m
}

fn lcs_f1(c: &[String], r: &[String]) -> f64 {
    if c.is_empty() || r.is_empty() {
        return 0.0;
    }
    let mut prev = vec![0usize; r.len() + 1];
    for a in c {
        let mut cur = vec![0usize; r.len() + 1];
        for (j, b) in r.iter().enumerate() {
            cur[j + 1] = if a == b {
                prev[j] + 1
            } else {
                cur[j].max(prev[j + 1])
            };
        }
        prev = cur;
    }
    f1(prev[r.len()], c.len(), r.len())
}

fn f1(overlap: usize, c: usize, r: usize) -> f64 {
    if overlap == 0 {
        return 0.0;
    }
    let p = overlap as f64 / c as f64;
    let rec = overlap as f64 / r as f64;
    2.0 * p * rec / (p + rec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_and_disjoint() {
        let s = rouge("The cat sat on the mat", "the cat sat on the mat");
        assert!((s.rouge1 - 1.0).abs() < 1e-12 && (s.rouge2 - 1.0).abs() < 1e-12);
        assert!((s.rouge_l - 1.0).abs() < 1e-12);
        assert_eq!(rouge("dogs bark", "cats meow"), Rouge::default());
    }

    #[test]
    fn partial_overlap() {
        // 4 of 6 unigrams, LCS "the cat on mat" = 4 of 6 / 5.
        let s = rouge("the cat was on the mat", "the cat sat on mat");
        assert!(
            (s.rouge1 - 2.0 * (4.0 / 6.0) * (4.0 / 5.0) / (4.0 / 6.0 + 4.0 / 5.0)).abs() < 1e-9,
            "{s:?}"
        );
        assert!(s.rouge2 > 0.0 && s.rouge2 < s.rouge1);
        assert!((s.rouge_l - s.rouge1).abs() < 1e-9);
    }
}
