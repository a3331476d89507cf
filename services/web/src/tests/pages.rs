//! The HTML pages: overview and ticker.

use actix_web::http::{StatusCode, header};

use super::{database_with, get, slice_from, test_app};

#[actix_web::test]
async fn overview_lists_the_watchlist_with_changes_and_sparklines() {
    let db = database_with(&[]).await;
    let app = test_app!(db.pool.clone());
    let r = get!(&app, "/", None);
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.content_type.starts_with("text/html"));
    assert!(
        r.body
            .contains(r#"<strong class="nowrap">2023-07-03</strong> to <strong class="nowrap">2025-06-30</strong>"#),
        "{}",
        r.body
    );
    assert!(r.body.contains(r#"href="/jobs""#));

    let nvda = slice_from(&r.body, r#"<a href="/tickers/NVDA">"#, "</tr>");
    assert!(nvda.contains("NVIDIA"), "{nvda}");
    assert!(nvda.contains("157.99"), "{nvda}");
    assert!(nvda.contains("2025-06-30"), "{nvda}");
    assert!(nvda.contains(r#"class="num up">+0.15%"#), "1-day: {nvda}");
    assert!(nvda.contains(r#"class="num up">+9.59%"#), "5-day: {nvda}");
    assert!(
        nvda.contains("+17.67%"),
        "YTD from the 2024-12-31 close: {nvda}"
    );
    assert!(
        nvda.contains("<svg") && nvda.contains("<polyline"),
        "sparkline: {nvda}"
    );

    // Vendors first, then benchmarks; tickers off the watchlist are not listed.
    let (nvda_at, mrvl_at) = (
        r.body.find("/tickers/NVDA").unwrap(),
        r.body.find("/tickers/MRVL").unwrap(),
    );
    let spy_at = r.body.find("/tickers/SPY").unwrap();
    assert!(nvda_at < mrvl_at && mrvl_at < spy_at);
    assert!(r.body.contains("/tickers/SOXX"));
    assert!(
        !r.body.contains("/tickers/QCOM"),
        "QCOM is held but not watched"
    );
    assert_eq!(r.headers.get("x-content-type-options").unwrap(), "nosniff");
}

#[actix_web::test]
async fn ticker_page_charts_the_deepseek_drop() {
    let db = database_with(&["NVDA"]).await;
    let app = test_app!(db.pool.clone());

    let r = get!(&app, "/tickers/NVDA?range=all", None);
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let svg = slice_from(&r.body, "<svg", "</svg>");
    assert!(
        svg.contains("NVDA close, 2023-07-03 \u{2013} 2025-06-30"),
        "title"
    );
    assert!(svg.contains("\u{2212}16.97% 2025-01-27"), "fall marker");
    assert!(svg.contains("<polyline") || svg.contains("<path"));
    assert!(!svg.contains("NaN"));
    assert!(r.body.contains("\u{2212}16.97% on 2025-01-27"));
    assert!(
        r.body
            .contains(r#"href="/tickers/NVDA?range=all" class="active""#),
        "range highlighted"
    );
    assert!(r.body.contains("NVIDIA") && r.body.contains("vendor"));
    assert!(r.body.contains("2023-07-03"), "first day shown");

    // The table: 30 most recent days, newest first, with volume grouped and the change.
    let table = slice_from(&r.body, "<tbody>", "</tbody>");
    assert_eq!(table.matches("<tr>").count(), 30);
    let newest = slice_from(table, "2025-06-30", "</tr>");
    assert!(
        newest.contains("157.99") && newest.contains("194,580,300") && newest.contains("+0.15%"),
        "{newest}"
    );
    assert!(
        table.contains("2025-05-16") && !table.contains("2025-05-15"),
        "exactly 30 days back"
    );

    // Default range is one year back from the last day held, which still holds the drop.
    let r = get!(&app, "/tickers/nvda", None);
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body
            .contains("NVDA close, 2024-07-01 \u{2013} 2025-06-30"),
        "1y window"
    );
    assert!(r.body.contains(r#"range=1y" class="active""#));
    assert!(r.body.contains("\u{2212}16.97% 2025-01-27"));

    let r = get!(&app, "/tickers/NVDA?range=1m", None);
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("2025-01-27"), "one month holds no January");
}

#[actix_web::test]
async fn ticker_page_errors_are_html_pages() {
    let db = database_with(&["NVDA"]).await;
    let app = test_app!(db.pool.clone());

    for uri in [
        "/tickers/ZZZZ",
        "/tickers/NV%20DA",
        "/tickers/%3Cscript%3E",
        "/tickers/ABCDEFGHIJKLMNOP",
    ] {
        let r = get!(&app, uri, None);
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}: {}", r.body);
        assert!(r.content_type.starts_with("text/html"), "{uri}");
        assert!(r.body.contains("404"), "{uri}");
        assert!(!r.body.contains("<script>"), "{uri}: unescaped input");
    }
    let r = get!(&app, "/tickers/NVDA?range=2y", None);
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.content_type.starts_with("text/html"));
    assert!(r.body.contains("1m, 6m, 1y, all"), "{}", r.body);

    let r = get!(&app, "/no/such/page", None);
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.content_type.starts_with("text/html"));
}
