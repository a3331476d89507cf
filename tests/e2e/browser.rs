//! The pages in a real browser: headless Chromium renders them without JavaScript errors.

use std::process::Command;

use crate::helpers::*;

fn chromium() -> String {
    std::env::var("JEVONS_CHROMIUM").unwrap_or_else(|_| "chromium".into())
}

/// Renders `url` in headless Chromium and returns the DOM after layout.
fn dump_dom(url: &str) -> String {
    let profile = std::env::temp_dir().join(format!("jevons-chromium-{}", std::process::id()));
    let output = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {} (install Debian's chromium package): {e}",
                chromium()
            )
        });
    let _ = std::fs::remove_dir_all(&profile);
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test]
async fn a_browser_renders_the_overview_and_follows_to_nvda() {
    let app = spawn_app(true).await;
    let overview = {
        let url = format!("{}/", app.address);
        tokio::task::spawn_blocking(move || dump_dom(&url))
            .await
            .unwrap()
    };
    assert!(
        overview.contains("href=\"/tickers/NVDA\""),
        "the overview links to NVDA"
    );
    assert!(overview.contains("<svg"), "sparklines rendered");

    let nvda = {
        let url = format!("{}/tickers/NVDA?range=all", app.address);
        tokio::task::spawn_blocking(move || dump_dom(&url))
            .await
            .unwrap()
    };
    assert!(nvda.contains("<svg"), "the chart is in the DOM");
    assert!(nvda.contains("2025-01-27"));
    assert!(nvda.contains("/static/style.css"));
}
