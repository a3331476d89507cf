//! Feed documents → entries, through feed-rs (RSS 0.9x/1.0/2.0, Atom, JSON Feed).

use chrono::{DateTime, Utc};

use crate::text::html_to_text;

#[derive(Debug, thiserror::Error)]
#[error("not a feed jevons can read (RSS, Atom or JSON Feed): {0}")]
pub struct ParseError(String);

#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFeed {
    pub title: Option<String>,
    pub language: Option<String>,
    pub entries: Vec<FeedEntry>,
}

/// One item of a feed, with text still as the feed gave it (HTML or plain).
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEntry {
    /// The feed's id/guid for the item (feed-rs derives one from link and title when missing).
    pub guid: String,
    pub url: Option<String>,
    /// Plain text.
    pub title: String,
    pub published: Option<DateTime<Utc>>,
    pub author: Option<String>,
    /// The full content (`content:encoded`, Atom `content`, JSON Feed `content_html`).
    pub content_html: Option<String>,
    /// The description/summary.
    pub summary_html: Option<String>,
    pub language: Option<String>,
}

impl FeedEntry {
    /// The longer of content and summary as plain text: some feeds put the article in one,
    /// some in the other.
    pub fn text(&self) -> String {
        let content = self.content_html.as_deref().map(html_to_text);
        let summary = self.summary_html.as_deref().map(html_to_text);
        match (content, summary) {
            (Some(c), Some(s)) => {
                if c.len() >= s.len() {
                    c
                } else {
                    s
                }
            }
            (Some(t), None) | (None, Some(t)) => t,
            (None, None) => String::new(),
        }
    }
}

/// Parses a feed document; `base_url` resolves relative links in XML feeds.
pub fn parse_feed(bytes: &[u8], base_url: Option<&str>) -> Result<ParsedFeed, ParseError> {
    let feed = feed_rs::parser::Builder::new()
        .base_uri(base_url)
        .build()
        .parse(bytes)
        .map_err(|e| ParseError(e.to_string()))?;
    let language = feed.language.clone();
    let entries = feed
        .entries
        .into_iter()
        .filter_map(|e| {
            let url = e
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .or_else(|| e.links.first())
                .map(|l| l.href.trim().to_string())
                .filter(|h| !h.is_empty());
            let title = e
                .title
                .as_ref()
                .map(|t| html_to_text(&t.content))
                .unwrap_or_default();
            // An item with neither a title nor a link cannot be shown or deduplicated.
            if title.is_empty() && url.is_none() {
                return None;
            }
            let author = e
                .authors
                .iter()
                .filter_map(|p| p.name.as_deref().map(str::trim))
                .find(|n| !n.is_empty())
                .map(str::to_string);
            Some(FeedEntry {
                guid: e.id.trim().to_string(),
                url,
                title,
                published: e.published.or(e.updated),
                author,
                content_html: e
                    .content
                    .and_then(|c| c.body)
                    .filter(|b| !b.trim().is_empty()),
                summary_html: e
                    .summary
                    .map(|s| s.content)
                    .filter(|s| !s.trim().is_empty()),
                language: e.language,
            })
        })
        .collect();
    Ok(ParsedFeed {
        title: feed
            .title
            .map(|t| html_to_text(&t.content))
            .filter(|t| !t.is_empty()),
        language,
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/feeds")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn the_real_feed_files_parse() {
        // (file, feed title, entries, first entry title)
        let cases = [
            ("rss_2.0_bbc.xml", "In Our Time", 1, "Marcus Aurelius"),
            ("rss_2.0_cloudflare.xml", "The Cloudflare Blog", 1, ""),
            (
                "atom_example_reddit.xml",
                "The Rust Programming Language",
                1,
                "Hey Rustaceans! Got an easy question? Ask here (21/2020)!",
            ),
            (
                "atom_mediarss_reddit_1.xml",
                "newest submissions : homelab",
                25,
                "Any reason to keep 1G connections to my servers?",
            ),
            (
                "atom_mediarss_youtube_1.xml",
                "PBS Space Time",
                1,
                "Navigating with Quantum Entanglement",
            ),
            (
                "rss_1.0_biorxiv.xml",
                "bioRxiv Subject Collection: Genomics",
                1,
                "",
            ),
        ];
        for (file, title, count, first) in cases {
            let feed = parse_feed(&fixture(file), None).unwrap();
            assert_eq!(feed.title.as_deref(), Some(title), "{file}");
            assert_eq!(feed.entries.len(), count, "{file}");
            let e = &feed.entries[0];
            if !first.is_empty() {
                assert_eq!(e.title, first, "{file}");
            }
            assert!(!e.guid.is_empty(), "{file}");
            assert!(
                e.url.as_deref().is_some_and(|u| u.starts_with("http")),
                "{file}: {e:?}"
            );
        }
    }

    #[test]
    fn cloudflare_content_is_the_full_article() {
        let feed = parse_feed(&fixture("rss_2.0_cloudflare.xml"), None).unwrap();
        let e = &feed.entries[0];
        let text = e.text();
        assert!(text.len() > 5_000, "{}", text.len());
        assert!(!text.contains('<'), "plain text expected");
        assert!(e.published.is_some());
    }

    #[test]
    fn json_feed_parses() {
        let json = br#"{
          "version": "https://jsonfeed.org/version/1.1",
          "title": "Efficiency Weekly",
          "items": [
            {"id": "1", "url": "https://example.com/a", "title": "DeepSeek <b>R1</b>",
             "content_html": "<p>Cheaper <script>x()</script>inference.</p>",
             "date_published": "2025-01-27T10:00:00Z", "authors": [{"name": "Ada"}]},
            {"id": "2", "url": "https://example.com/b", "content_text": "No title here."}
          ]
        }"#;
        let feed = parse_feed(json, None).unwrap();
        assert_eq!(feed.title.as_deref(), Some("Efficiency Weekly"));
        assert_eq!(feed.entries.len(), 2);
        let a = &feed.entries[0];
        assert_eq!((a.guid.as_str(), a.title.as_str()), ("1", "DeepSeek R1"));
        assert_eq!(a.text(), "Cheaper inference.");
        assert_eq!(a.author.as_deref(), Some("Ada"));
        assert_eq!(
            a.published.unwrap().to_rfc3339(),
            "2025-01-27T10:00:00+00:00"
        );
        assert_eq!(feed.entries[1].text(), "No title here.");
    }

    #[test]
    fn rss_0_91_parses_and_garbage_does_not() {
        let rss = br#"<?xml version="1.0"?><rss version="0.91"><channel><title>Old</title>
          <link>https://example.com/</link><description>d</description>
          <item><title>First</title><link>https://example.com/1</link><description>One &amp; two</description></item>
          </channel></rss>"#;
        let feed = parse_feed(rss, None).unwrap();
        assert_eq!(feed.entries.len(), 1);
        assert_eq!(feed.entries[0].text(), "One & two");
        assert!(parse_feed(b"<html><body>not a feed</body></html>", None).is_err());
    }
}
