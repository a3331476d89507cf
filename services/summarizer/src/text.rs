//! Text helpers shared by the summarisers: whitespace normalisation and sentence splitting.

/// Collapses runs of spaces and tabs, trims lines and drops empty ones (feeds and pages
/// leave a lot of layout whitespace that would cost prompt tokens).
pub fn normalize(text: &str) -> String {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Abbreviations whose period does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "inc", "corp", "co", "ltd", "vs", "etc",
    "e.g", "i.e", "u.s", "u.k", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "no", "gen", "gov", "sen", "rep",
];

/// Splits text into sentences: at line breaks, and after `.`, `!` or `?` (with closing quotes or
/// brackets) followed by a space and an upper-case letter, digit or quote — not after a known
/// abbreviation or a single initial.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        let mut start = 0;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if matches!(c, '.' | '!' | '?') {
                let mut end = i + 1;
                while end < chars.len() && matches!(chars[end], '"' | '\'' | ')' | '”' | '’') {
                    end += 1;
                }
                let next_is_space = end < chars.len() && chars[end] == ' ';
                let after = chars.get(end + 1).copied();
                let starts_new = after.is_some_and(|a| {
                    a.is_uppercase() || a.is_ascii_digit() || matches!(a, '"' | '“' | '\'' | '‘')
                });
                if next_is_space && starts_new && !(c == '.' && is_abbreviation(&chars[start..i])) {
                    push_sentence(&mut out, &chars[start..end]);
                    start = end + 1;
                    i = start;
                    continue;
                }
            }
            i += 1;
        }
        if start < chars.len() {
            push_sentence(&mut out, &chars[start..]);
        }
    }
    out
}

fn push_sentence(out: &mut Vec<String>, chars: &[char]) {
    let s: String = chars.iter().collect();
    let s = s.trim();
    if !s.is_empty() {
        out.push(s.to_string());
    }
}

/// Whether the word before a period is an abbreviation or an initial ("J. Smith").
fn is_abbreviation(before: &[char]) -> bool {
    let word: String = before
        .iter()
        .rev()
        .take_while(|c| !c.is_whitespace() && **c != '(')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let lower = word.to_lowercase();
    (word.chars().count() == 1 && word.chars().all(char::is_uppercase))
        || ABBREVIATIONS.contains(&lower.as_str())
}

/// Lower-case word tokens (letters and digits) for overlap measures.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sentences_but_not_abbreviations_or_decimals() {
        let s = sentences(
            "Nvidia fell 3.5% on Monday. Mr. Huang said demand is strong! Is it? \"Yes,\" he said.\nNew line here",
        );
        assert_eq!(
            s,
            vec![
                "Nvidia fell 3.5% on Monday.",
                "Mr. Huang said demand is strong!",
                "Is it?",
                "\"Yes,\" he said.",
                "New line here"
            ]
        );
    }

    #[test]
    fn normalize_collapses_layout_whitespace() {
        assert_eq!(normalize("  a \t b \n\n  c  \r\n"), "a b\nc");
    }
}
