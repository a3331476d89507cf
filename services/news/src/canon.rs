//! Dedup keys: the canonical form of an article URL, and a hash of its content.

use reqwest::Url;
use sha2::{Digest, Sha256};

/// Query parameters that only track where a click came from; the same article with or without
/// them is the same article.
fn is_tracking_param(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with("utm_")
        || name.starts_with("mc_")
        || matches!(
            name.as_str(),
            "fbclid"
                | "gclid"
                | "dclid"
                | "msclkid"
                | "yclid"
                | "igshid"
                | "ref"
                | "ref_src"
                | "source"
                | "cmpid"
                | "ocid"
                | "_hsenc"
                | "_hsmi"
                | "mkt_tok"
                | "guccounter"
                | "smid"
                | "sr_share"
        )
}

/// `https://Example.com:443/a/b/?utm_source=x&id=2#top` → `https://example.com/a/b?id=2`:
/// lower-case scheme and host (the URL parser does that), no default port, no fragment, no
/// tracking parameters, the rest sorted, no trailing slash except on the root. `None` when the
/// text is not an http(s) URL.
pub fn canonical_url(raw: &str) -> Option<String> {
    let mut url = Url::parse(raw.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    url.set_fragment(None);
    let _ = url.set_username("");
    let _ = url.set_password(None);
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !is_tracking_param(k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    if pairs.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    let path = url.path().to_string();
    if path.len() > 1 && path.ends_with('/') {
        url.set_path(path.trim_end_matches('/'));
    }
    Some(url.to_string())
}

/// SHA-256 (hex) of the title and text with case and runs of whitespace folded, so a re-render
/// of the same article hashes the same and any real edit hashes differently.
pub fn content_hash(title: &str, text: &str) -> String {
    let mut h = Sha256::new();
    for (i, part) in [title, text].into_iter().enumerate() {
        if i > 0 {
            h.update(b"\n");
        }
        for (j, word) in part.split_whitespace().enumerate() {
            if j > 0 {
                h.update(b" ");
            }
            h.update(word.to_lowercase().as_bytes());
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_noise_is_removed() {
        assert_eq!(
            canonical_url(
                "HTTPS://Example.COM:443/a/b/?utm_source=rss&utm_medium=feed&id=2&b=1#top"
            )
            .as_deref(),
            Some("https://example.com/a/b?b=1&id=2")
        );
        assert_eq!(
            canonical_url("http://example.com/?fbclid=abc").as_deref(),
            Some("http://example.com/")
        );
        assert_eq!(
            canonical_url("https://example.com/post").unwrap(),
            canonical_url("https://example.com/post/?utm_campaign=x").unwrap()
        );
        assert_eq!(canonical_url("mailto:a@b.c"), None);
        assert_eq!(canonical_url("not a url"), None);
    }

    #[test]
    fn content_hash_ignores_layout_but_not_edits() {
        let a = content_hash("DeepSeek R1", "Cheaper  training.\n\nMore demand?");
        let b = content_hash("deepseek r1 ", "Cheaper training. More demand?");
        let c = content_hash("DeepSeek R1", "Cheaper training. Less demand?");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.len(), 64);
        // Title and text are kept apart: moving a word across them changes the hash.
        assert_ne!(content_hash("a b", "c"), content_hash("a", "b c"));
    }
}
