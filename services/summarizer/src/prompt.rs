//! Prompt and chat templates, and the clean-up of what the model writes.

use crate::text::sentences;

/// Stored with every LLM summary: a change of prompt or post-processing gets a new version, so
/// summaries made by different rules can be told apart (and re-made).
pub const PROMPT_VERSION: &str = "chatml-summary-v1";

/// SmolLM2's training-time system prompt: the model behaves best with it.
const SYSTEM: &str = "You are a helpful AI assistant named SmolLM, trained by Hugging Face";

const INSTRUCTION: &str = "Summarize the news article below in two short sentences. \
Use only facts from the article.";

/// With `summarizer.extract_first` the model gets the article's key sentences, not the article.
const INSTRUCTION_EXTRACTED: &str = "Summarize the key sentences of a news article below in \
two short sentences. Use only facts from these sentences.";

/// The prompt version with the decoding levers that shape the output, for provenance:
/// "chatml-summary-v1" with every lever off, e.g. "chatml-summary-v1+extract+copy1.5+nr3+s2".
pub fn version(s: &crate::SummarizerSettings) -> String {
    let mut v = PROMPT_VERSION.to_string();
    if s.extract_first {
        v.push_str("+extract");
    }
    if s.copy_bias != 0.0 {
        v.push_str(&format!("+copy{}", s.copy_bias));
    }
    if s.no_repeat_ngram > 0 {
        v.push_str(&format!("+nr{}", s.no_repeat_ngram));
    }
    if s.max_sentences != MAX_SENTENCES {
        v.push_str(&format!("+s{}", s.max_sentences));
    }
    v
}

/// Most summaries need no more than this; the rest is usually repetition or invention.
pub const MAX_SENTENCES: usize = 3;
const MAX_WORDS: usize = 70;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatTemplate {
    /// `<|im_start|>role\n…<|im_end|>` — SmolLM2, Qwen2.
    ChatMl,
    /// `<start_of_turn>user\n…<end_of_turn>` — Gemma (no system role).
    Gemma,
    /// `<|start_header_id|>role<|end_header_id|>\n\n…<|eot_id|>` — Llama 3.
    Llama3,
}

impl ChatTemplate {
    /// From the GGUF's `tokenizer.chat_template` (Jinja), else from the architecture.
    pub fn detect(jinja: Option<&str>, architecture: &str) -> Self {
        match jinja {
            Some(t) if t.contains("<start_of_turn>") => ChatTemplate::Gemma,
            Some(t) if t.contains("<|start_header_id|>") => ChatTemplate::Llama3,
            Some(t) if t.contains("<|im_start|>") => ChatTemplate::ChatMl,
            _ if architecture.starts_with("gemma") => ChatTemplate::Gemma,
            _ => ChatTemplate::ChatMl,
        }
    }

    /// Tokens that end the assistant's turn.
    pub fn stop_tokens(self) -> &'static [&'static str] {
        match self {
            ChatTemplate::ChatMl => &["<|im_end|>", "<|endoftext|>"],
            ChatTemplate::Gemma => &["<end_of_turn>", "<eos>"],
            ChatTemplate::Llama3 => &["<|eot_id|>", "<|end_of_text|>"],
        }
    }

    pub fn render(self, title: &str, article: &str) -> String {
        self.render_with(INSTRUCTION, title, article)
    }

    /// The prompt around the article's key sentences (extract, then abstract).
    pub fn render_extracted(self, title: &str, sentences: &str) -> String {
        self.render_with(INSTRUCTION_EXTRACTED, title, sentences)
    }

    fn render_with(self, instruction: &str, title: &str, article: &str) -> String {
        let user = if title.trim().is_empty() {
            format!("{instruction}\n\n{article}")
        } else {
            format!("{instruction}\n\nTitle: {}\n\n{article}", title.trim())
        };
        match self {
            ChatTemplate::ChatMl => format!(
                "<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"
            ),
            ChatTemplate::Gemma => {
                // Gemma's GGUFs ask for a BOS token (`add_bos_token`); the others' do not.
                format!("<bos><start_of_turn>user\n{user}<end_of_turn>\n<start_of_turn>model\n")
            }
            ChatTemplate::Llama3 => format!(
                "<|start_header_id|>system<|end_header_id|>\n\n{SYSTEM}<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n{user}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"
            ),
        }
    }
}

/// Phrases small models open with that carry no content.
const PREAMBLES: &[&str] = &[
    "here is a summary of the news article:",
    "here is a summary of the article:",
    "here's a summary of the article:",
    "here is a summary:",
    "here's a summary:",
    "summary:",
    "in summary,",
    "sure!",
    "sure,",
];

/// 2–3 sentences: drops preambles, markdown, repeated sentences and a cut-off last sentence, and
/// caps the length.
pub fn postprocess(raw: &str) -> String {
    let mut text = raw.trim().replace(['*', '#'], "");
    loop {
        let lower = text.to_lowercase();
        match PREAMBLES.iter().find(|p| lower.starts_with(*p)) {
            Some(p) => text = text[p.len()..].trim_start().to_string(),
            None => break,
        }
    }
    let flat = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let all = sentences(&flat);
    let complete: Vec<&String> = all
        .iter()
        .filter(|s| s.ends_with(['.', '!', '?', '"', '\'', ')', '”', '’']))
        .collect();
    // A cut-off last sentence is dropped when a complete one exists.
    let candidates: Vec<&String> = if complete.is_empty() {
        all.iter().take(1).collect()
    } else {
        complete
    };
    let mut out: Vec<String> = Vec::new();
    let mut words = 0;
    for s in candidates {
        let key = s.to_lowercase();
        if out.iter().any(|o| o.to_lowercase() == key) {
            continue;
        }
        let n = s.split_whitespace().count();
        if out.len() >= MAX_SENTENCES || (!out.is_empty() && words + n > MAX_WORDS) {
            break;
        }
        out.push(s.clone());
        words += n;
    }
    let mut joined = out.join(" ");
    // One endless sentence: cut at a word boundary.
    if words > MAX_WORDS * 2 || (out.len() == 1 && words > MAX_WORDS) {
        joined = joined
            .split_whitespace()
            .take(MAX_WORDS)
            .collect::<Vec<_>>()
            .join(" ");
        joined.push('…');
    }
    joined
}

/// Whether the generated text is a finished summary: three complete sentences, or two with
/// enough words — every further token costs time and is more likely invented.
pub fn enough(text: &str) -> bool {
    enough_at(text, MAX_SENTENCES)
}

/// [`enough`] with a cap of `max_sentences` complete sentences (`summarizer.max_sentences`).
pub fn enough_at(text: &str, max_sentences: usize) -> bool {
    let max_sentences = max_sentences.max(1);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let complete: Vec<String> = sentences(&flat)
        .into_iter()
        .filter(|s| s.ends_with(['.', '!', '?']))
        .collect();
    let words: usize = complete.iter().map(|s| s.split_whitespace().count()).sum();
    complete.len() >= max_sentences.min(MAX_SENTENCES)
        || (complete.len() >= 2 && words >= MIN_WORDS_AT_TWO)
}

/// Two sentences shorter than this in all get a third.
const MIN_WORDS_AT_TWO: usize = 30;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chatml_prompt_has_the_turns_in_order() {
        let p = ChatTemplate::ChatMl.render("Title", "Body.");
        assert!(p.starts_with("<|im_start|>system\n"));
        assert!(p.ends_with("<|im_start|>assistant\n"));
        assert!(p.find("Title: Title").unwrap() < p.find("Body.").unwrap());
        assert_eq!(
            ChatTemplate::detect(Some("{{<|im_start|>}}"), "llama"),
            ChatTemplate::ChatMl
        );
        assert_eq!(ChatTemplate::detect(None, "gemma3"), ChatTemplate::Gemma);
    }

    #[test]
    fn postprocess_keeps_three_complete_distinct_sentences() {
        let raw = "Here is a summary: **Nvidia fell.** Chips slid too. Nvidia fell. Analysts were calm. \
Markets closed. The article also says that";
        assert_eq!(
            postprocess(raw),
            "Nvidia fell. Chips slid too. Analysts were calm."
        );
    }

    #[test]
    fn two_long_or_three_short_sentences_are_enough() {
        assert!(!enough("Nvidia fell. Chips slid."));
        assert!(enough("Nvidia fell. Chips slid. Analysts shrugged."));
        let long = "Shares of Nvidia fell sharply on Monday after the release of a cheap model. \
Analysts said lower costs could still expand demand for computing power over the longer term, citing the Jevons paradox.";
        assert!(enough(long));
        assert!(!enough(
            "Shares of Nvidia fell sharply on Monday after the release of a cheap"
        ));
    }

    #[test]
    fn postprocess_caps_a_run_on_sentence() {
        let raw = "word ".repeat(200);
        let out = postprocess(&raw);
        assert!(out.split_whitespace().count() <= MAX_WORDS, "{out}");
        assert!(out.ends_with('…'));
    }
}
