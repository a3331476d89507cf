//! `jevons feeds add URL` and `jevons feeds list`.

use jevons_core::Settings;
use jevons_store::PgPool;
use jevons_store::news as store;

use crate::cli::FeedsCommand;

pub async fn run(command: FeedsCommand, settings: &Settings, pool: &PgPool) -> anyhow::Result<()> {
    jevons_jobs::news::sync_feeds(pool, &settings.news).await?;
    match command {
        FeedsCommand::Add { url, title } => {
            let canonical = check_url(&url)?;
            let (feed, created) =
                store::add_feed(pool, &canonical, title.as_deref(), "cli").await?;
            if created {
                println!(
                    "added feed {} ({}); the next news.fetch run fetches it (or: jevons jobs run news.fetch)",
                    feed.id, feed.url
                );
            } else {
                println!("feed {} is already there ({})", feed.id, feed.url);
            }
        }
        FeedsCommand::List => {
            let feeds = store::list_feeds(pool).await?;
            println!(
                "{:>4}  {:<8} {:>6} {:>8}  {:<17} {:<30} url",
                "id", "health", "errors", "articles", "next fetch (UTC)", "title"
            );
            for f in feeds {
                let title: String = f
                    .title
                    .clone()
                    .unwrap_or_default()
                    .chars()
                    .take(30)
                    .collect();
                println!(
                    "{:>4}  {:<8} {:>6} {:>8}  {:<17} {:<30} {}",
                    f.id,
                    if f.is_failing() { "failing" } else { "healthy" },
                    f.consecutive_errors,
                    f.articles,
                    f.next_fetch_at.format("%Y-%m-%d %H:%M"),
                    title,
                    f.url
                );
                if let Some(e) = f.last_error.as_deref().filter(|_| f.is_failing()) {
                    println!("      last error: {e}");
                }
            }
        }
    }
    Ok(())
}

/// An http(s) URL with a host; returned trimmed. Where it points is checked when it is fetched
/// (the SSRF guard resolves the name then).
fn check_url(raw: &str) -> anyhow::Result<String> {
    let url = raw.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| anyhow::anyhow!("`{url}` is not an http(s) URL"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || url.chars().any(char::is_whitespace) {
        anyhow::bail!("`{url}` has no host");
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_urls_are_checked() {
        assert_eq!(
            check_url(" https://example.com/feed.xml ").unwrap(),
            "https://example.com/feed.xml"
        );
        assert!(check_url("ftp://example.com/feed").is_err());
        assert!(check_url("https:///feed").is_err());
        assert!(check_url("https://exa mple.com/").is_err());
    }
}
