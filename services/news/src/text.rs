//! Article text: sanitised HTML → plain text, and readability-style extraction of the main text
//! of a web page (the block holding the most paragraph text).

use std::collections::HashMap;

use scraper::{ElementRef, Html, Node, Selector};

/// Elements after which a paragraph ends.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "table",
    "tr",
    "td",
    "th",
    "section",
    "article",
    "figure",
    "figcaption",
    "hr",
    "dd",
    "dt",
];

/// Sanitises `html` with ammonia (scripts, styles, event handlers and unknown tags go, their
/// script/style content with them) and flattens what is left to plain text: paragraphs
/// separated by a blank line, whitespace folded, entities decoded. Plain text in, plain text out.
pub fn html_to_text(html: &str) -> String {
    let cleaned = ammonia::Builder::default()
        .tags(
            BLOCKS
                .iter()
                .copied()
                .chain(["span", "a", "em", "strong", "b", "i", "code"])
                .collect(),
        )
        .generic_attributes(std::collections::HashSet::new())
        .link_rel(None)
        .url_schemes(std::collections::HashSet::new())
        .clean(html)
        .to_string();
    let fragment = Html::parse_fragment(&cleaned);
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    walk(fragment.root_element(), &mut current, &mut paragraphs);
    flush(&mut current, &mut paragraphs);
    paragraphs.join("\n\n")
}

fn walk(element: ElementRef<'_>, current: &mut String, paragraphs: &mut Vec<String>) {
    for child in element.children() {
        match child.value() {
            Node::Text(t) => {
                current.push_str(t);
            }
            Node::Element(e) => {
                let block = BLOCKS.contains(&e.name());
                if block {
                    flush(current, paragraphs);
                }
                if let Some(el) = ElementRef::wrap(child) {
                    walk(el, current, paragraphs);
                }
                if block {
                    flush(current, paragraphs);
                }
            }
            _ => {}
        }
    }
}

fn flush(current: &mut String, paragraphs: &mut Vec<String>) {
    let folded = fold_spaces(current);
    if !folded.is_empty() {
        paragraphs.push(folded);
    }
    current.clear();
}

/// Single spaces between words.
fn fold_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Minimum characters for a `<p>` to count toward a block's score: shorter ones are captions,
/// bylines and buttons.
const MIN_PARAGRAPH_CHARS: usize = 40;

/// The main text of a web page, readability-style: paragraphs are grouped by their parent
/// element, each group scored by its paragraph text minus the text inside links (navigation and
/// "related" boxes are mostly links), and the best group's paragraphs returned as sanitised plain
/// text. `None` when the page has no substantial paragraph.
pub fn extract_main_text(page_html: &str) -> Option<String> {
    let doc = Html::parse_document(page_html);
    let p_sel = Selector::parse("p").ok()?;
    let a_sel = Selector::parse("a").ok()?;
    let skip_sel =
        Selector::parse("nav, footer, aside, header, form, script, style, noscript").ok()?;
    let skipped: std::collections::HashSet<_> = doc
        .select(&skip_sel)
        .flat_map(|e| e.descendants().map(|d| d.id()))
        .collect();

    // parent id → (score, paragraphs in document order)
    let mut groups: HashMap<_, (i64, Vec<ElementRef<'_>>)> = HashMap::new();
    let mut order = Vec::new();
    for p in doc.select(&p_sel) {
        if skipped.contains(&p.id()) {
            continue;
        }
        let text_len = p.text().map(|t| t.trim().chars().count()).sum::<usize>();
        if text_len < MIN_PARAGRAPH_CHARS {
            continue;
        }
        let link_len = p
            .select(&a_sel)
            .flat_map(|a| a.text())
            .map(|t| t.trim().chars().count())
            .sum::<usize>();
        let Some(parent) = p.parent() else { continue };
        let score = i64::try_from(text_len).unwrap_or(i64::MAX)
            - 2 * i64::try_from(link_len).unwrap_or(i64::MAX / 4);
        let entry = groups.entry(parent.id()).or_insert_with(|| {
            order.push(parent.id());
            (0, Vec::new())
        });
        entry.0 += score;
        entry.1.push(p);
    }
    // Ties go to the earlier block.
    let best = order.iter().filter_map(|id| groups.get(id)).fold(
        None::<&(i64, Vec<ElementRef<'_>>)>,
        |best, g| match best {
            Some(b) if b.0 >= g.0 => Some(b),
            _ => Some(g),
        },
    )?;
    if best.0 <= 0 {
        return None;
    }
    let html: String = best.1.iter().map(|p| p.html()).collect();
    let text = html_to_text(&html);
    (!text.is_empty()).then_some(text)
}

/// A rough language tag from stop words, for text whose feed did not declare one: "en", "de",
/// "fr" or "es" when that language's commonest words make up a clear share, else `None`.
pub fn guess_language(text: &str) -> Option<&'static str> {
    const LANGS: &[(&str, &[&str])] = &[
        (
            "en",
            &[
                "the", "and", "of", "to", "in", "is", "that", "for", "it", "with",
            ],
        ),
        (
            "de",
            &[
                "der", "die", "und", "das", "ist", "nicht", "mit", "den", "ein", "zu",
            ],
        ),
        (
            "fr",
            &[
                "le", "la", "les", "et", "des", "est", "une", "pour", "dans", "que",
            ],
        ),
        (
            "es",
            &[
                "el", "la", "los", "y", "que", "en", "es", "por", "una", "para",
            ],
        ),
    ];
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .take(2000)
        .map(str::to_lowercase)
        .collect();
    if words.len() < 8 {
        return None;
    }
    let (lang, hits) = LANGS
        .iter()
        .map(|(lang, stop)| {
            (
                *lang,
                words.iter().filter(|w| stop.contains(&w.as_str())).count(),
            )
        })
        .max_by_key(|(_, hits)| *hits)?;
    (hits * 100 / words.len() >= 8).then_some(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_clean_paragraphs() {
        let html = "<p>DeepSeek <b>R1</b> costs &lt;$6M&gt; to train.</p>\
                    <script>alert('x')</script><style>p{}</style>\
                    <p onclick=\"evil()\">Jevons&nbsp;paradox: <a href=\"javascript:x\">more</a> demand.</p>\
                    <ul><li>one</li><li>two</li></ul>";
        let text = html_to_text(html);
        assert_eq!(
            text,
            "DeepSeek R1 costs <$6M> to train.\n\nJevons paradox: more demand.\n\none\n\ntwo"
        );
        assert!(!text.contains("alert"));
        assert_eq!(
            html_to_text("a <b>bold</b><i>move</i>, <x-y>kept</x-y> text"),
            "a boldmove, kept text"
        );
        assert_eq!(html_to_text("just text"), "just text");
    }

    #[test]
    fn main_text_is_the_biggest_paragraph_block() {
        let page = r#"<html><head><title>t</title><script>var x = "<p>fake paragraph that is long enough to count</p>";</script></head>
<body>
<nav><p>Home · News · About us · Contact · Subscribe to our newsletter today</p></nav>
<div class="sidebar"><p><a href="/1">A related story with a long enough headline here</a></p></div>
<article><div class="body">
<p>NVIDIA shares fell 17% on Monday after DeepSeek released its R1 model, trained for a fraction of the usual cost.</p>
<p>Short caption.</p>
<p>Analysts argued that cheaper inference will raise demand for GPUs, the Jevons paradox in action.</p>
</div></article>
<footer><p>Copyright 2025 Example News Corporation. All rights reserved worldwide.</p></footer>
</body></html>"#;
        let text = extract_main_text(page).unwrap();
        assert_eq!(
            text,
            "NVIDIA shares fell 17% on Monday after DeepSeek released its R1 model, trained for a fraction of the usual cost.\n\n\
             Analysts argued that cheaper inference will raise demand for GPUs, the Jevons paradox in action."
        );
        assert_eq!(
            extract_main_text("<html><body><p>tiny</p></body></html>"),
            None
        );
    }

    #[test]
    fn languages_are_guessed_from_stop_words() {
        assert_eq!(
            guess_language(
                "The model is cheaper to run and the demand for chips is rising in the data centre."
            ),
            Some("en")
        );
        assert_eq!(
            guess_language(
                "Die Nachfrage nach Chips ist nicht gesunken, und das Modell ist mit den Daten zu billig."
            ),
            Some("de")
        );
        assert_eq!(guess_language("NVDA AMD TSM"), None);
    }
}
