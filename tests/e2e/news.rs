//! News end to end: a fake feed server on 127.0.0.1 (allowed explicitly), the fetch and
//! summarise jobs against a fresh database, then the pages and the API.

use jevons_core::config::FeedConfig;
use jevons_jobs::JobContext;
use jevons_jobs::news::{fetch_news, summarize_news};
use jevons_summarizer::Summarizer;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{TestApp, spawn_app_with};

fn item(guid: &str, link: &str, title: &str, body: &str, date: &str) -> String {
    format!(
        "<item><guid isPermaLink=\"false\">{guid}</guid><link>{link}</link>\
         <title><![CDATA[{title}]]></title><pubDate>{date}</pubDate>\
         <description><![CDATA[{body}]]></description></item>"
    )
}

fn rss(items: &[String]) -> String {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Efficiency Wire</title>\
         <link>https://example.com/</link><description>AI efficiency news</description>{}\
         </channel></rss>",
        items.concat()
    )
}

const LONG_A: &str = "<p>DeepSeek released R1, a model trained for a fraction of the usual cost. \
Shares of Nvidia fell 17% on Monday as investors asked whether cheaper inference needs fewer GPUs. \
Analysts at several banks argued the Jevons paradox applies: lower inference cost raises demand for \
compute, and GPU orders from data center operators kept growing through the quarter. \
The company said its mixture of experts design activates 37 billion parameters per token.</p>";

const LONG_B: &str = "<p>Quantization and distillation keep cutting the price per token of \
inference. A new 4-bit quantization scheme runs a 70B model on a single GPU at 40 tokens per \
second, and efficiency gains like this are why some analysts expect weaker demand for GPUs in \
2026, while others expect data center spending by Microsoft and Meta to rise further.</p>";

fn feed_v1(base: &str) -> String {
    rss(&[
        item(
            "a-1",
            &format!("{base}/articles/1?utm_source=rss"),
            "DeepSeek R1 cuts inference cost; Nvidia (NVDA) falls",
            LONG_A,
            "Mon, 27 Jan 2025 14:00:00 GMT",
        ),
        item(
            "a-2",
            &format!("{base}/articles/2"),
            // Entities decode to a literal `<script>` in the stored plain-text title.
            "Quantization &lt;script&gt;alert('x')&lt;/script&gt; makes GPU inference efficient",
            LONG_B,
            "Tue, 28 Jan 2025 09:00:00 GMT",
        ),
        // Short in the feed: the job fetches the linked page and extracts its main text.
        item(
            "a-3",
            &format!("{base}/articles/3"),
            "Micron says efficiency will not dent memory demand",
            "Short teaser.",
            "Wed, 29 Jan 2025 09:00:00 GMT",
        ),
        // Irrelevant: stored, not listed, not summarised.
        item(
            "a-4",
            &format!("{base}/articles/4"),
            "Gardening tips for spring",
            "<p>Plant tulips in the autumn and water them well.</p>",
            "Thu, 30 Jan 2025 09:00:00 GMT",
        ),
    ])
}

const PAGE_3: &str = r#"<html><body><nav><p>Home · Markets · Technology · Subscribe now to our newsletter</p></nav>
<article><p>Micron Technology said on Wednesday that efficiency gains in AI inference will not dent demand for high-bandwidth memory, because every GPU needs HBM.</p>
<p>The company expects data center revenue to grow as cheaper models bring more users, an argument investors know as the Jevons paradox.</p></article>
<footer><p>Copyright Example News. All rights reserved in every jurisdiction.</p></footer></body></html>"#;

struct NewsTest {
    app: TestApp,
    feeds: MockServer,
    ctx: JobContext,
}

async fn setup() -> NewsTest {
    let feeds = MockServer::start().await;
    let feed_url = format!("{}/feed.xml", feeds.uri());
    let app = spawn_app_with(false, |s| {
        s.news.feeds = vec![FeedConfig {
            url: feed_url,
            title: Some("Efficiency Wire".into()),
        }];
        // The fake server is on loopback: allow exactly that address, nothing else.
        s.news.allowed_networks = vec!["127.0.0.1/32".into()];
        s.news.timeout_secs = 5;
        s.news.max_body_bytes = 200_000;
    })
    .await;
    Mock::given(method("GET"))
        .and(path("/articles/3"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(PAGE_3, "text/html; charset=utf-8"))
        .mount(&feeds)
        .await;
    let ctx = app.job_context();
    ctx.summarizer.set(Summarizer::extractive()).unwrap();
    NewsTest { app, feeds, ctx }
}

async fn make_due(app: &TestApp) {
    sqlx::query("UPDATE feeds SET next_fetch_at = now() - interval '1 second'")
        .execute(app.pool())
        .await
        .unwrap();
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(app.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn feeds_are_fetched_deduplicated_summarised_once_and_shown_escaped() {
    let t = setup().await;
    let base = t.feeds.uri();
    // First fetch: 200 with an ETag; then the server answers 304 to that ETag.
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .and(header("if-none-match", "\"v1\""))
        .respond_with(ResponseTemplate::new(304))
        .mount(&t.feeds)
        .await;
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("ETag", "\"v1\"")
                .set_body_raw(feed_v1(&base), "application/rss+xml"),
        )
        .up_to_n_times(1)
        .mount(&t.feeds)
        .await;

    let first = fetch_news(&t.ctx).await.unwrap();
    assert_eq!(
        (first.feeds, first.inserted, first.failed.len()),
        (1, 4, 0),
        "{first:?}"
    );
    let (text_source, text): (String, String) =
        sqlx::query_as("SELECT text_source, text FROM articles WHERE guid = 'a-3'")
            .fetch_one(t.app.pool())
            .await
            .unwrap();
    assert_eq!(text_source, "page");
    assert!(
        text.starts_with("Micron Technology said on Wednesday"),
        "{text}"
    );
    assert!(
        !text.contains("Subscribe") && !text.contains("Copyright"),
        "{text}"
    );
    let canonical: String =
        sqlx::query_scalar("SELECT canonical_url FROM articles WHERE guid = 'a-1'")
            .fetch_one(t.app.pool())
            .await
            .unwrap();
    assert_eq!(canonical, format!("{base}/articles/1"));
    let tickers: Vec<String> = sqlx::query_scalar(
        "SELECT e.value FROM article_entities e JOIN articles a ON a.id = e.article_id
          WHERE a.guid = 'a-1' AND e.kind = 'ticker' ORDER BY 1",
    )
    .fetch_all(t.app.pool())
    .await
    .unwrap();
    assert_eq!(tickers, vec!["NVDA"]);

    // Second fetch: conditional, 304, healthy and nothing new.
    make_due(&t.app).await;
    let second = fetch_news(&t.ctx).await.unwrap();
    assert_eq!((second.not_modified, second.inserted), (1, 0), "{second:?}");
    let (errors, status): (i32, String) =
        sqlx::query_as("SELECT consecutive_errors, last_status FROM feeds")
            .fetch_one(t.app.pool())
            .await
            .unwrap();
    assert_eq!((errors, status.as_str()), (0, "not modified"));

    // Summaries: relevant articles only, once.
    let s1 = summarize_news(
        t.app.pool(),
        &t.ctx.settings.news,
        &Summarizer::extractive(),
        50,
    )
    .await
    .unwrap();
    assert_eq!(s1.summarized, 3, "{s1:?}");
    let s2 = summarize_news(
        t.app.pool(),
        &t.ctx.settings.news,
        &Summarizer::extractive(),
        50,
    )
    .await
    .unwrap();
    assert_eq!(
        s2.summarized, 0,
        "an unchanged article is never summarised again"
    );

    // The pages escape what the feed sent.
    let id2: i64 = sqlx::query_scalar("SELECT id FROM articles WHERE guid = 'a-2'")
        .fetch_one(t.app.pool())
        .await
        .unwrap();
    for page in [
        "/news".to_string(),
        format!("/news/{id2}"),
        "/sources".into(),
    ] {
        let r = t.app.get(&page).await;
        assert_eq!(r.status(), 200, "{page}");
        let html = r.text().await.unwrap();
        assert!(!html.contains("<script>"), "{page} must escape: {html}");
        if page != "/sources" {
            assert!(
                html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"),
                "{page}: {html}"
            );
        }
    }
    let html = t.app.get("/news").await.text().await.unwrap();
    assert!(html.contains("DeepSeek R1 cuts inference cost"), "{html}");
    assert!(
        !html.contains("Gardening tips"),
        "irrelevant articles are not listed"
    );
    let article = t
        .app
        .get(&format!("/news/{id2}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        article.contains("extractive"),
        "provenance is shown: {article}"
    );

    // Same items again with a changed text for a-1, plus a syndicated copy of a-2 under another
    // GUID and a tracking URL: a-1 is updated and summarised anew, the copy is a duplicate.
    t.feeds.reset().await;
    Mock::given(method("GET"))
        .and(path("/articles/3"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(PAGE_3, "text/html; charset=utf-8"))
        .mount(&t.feeds)
        .await;
    let mut v2 = feed_v1(&base).replace("fell 17% on Monday", "fell 17% on Monday, 27 January");
    v2 = v2.replace(
        "</channel>",
        &format!(
            "{}</channel>",
            item(
                "copy-of-a-2",
                &format!("{base}/articles/2/?utm_medium=feed&amp;fbclid=x"),
                "Some other title",
                "<p>Different text.</p>",
                "Tue, 28 Jan 2025 10:00:00 GMT",
            )
        ),
    );
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(v2, "application/rss+xml"))
        .mount(&t.feeds)
        .await;
    make_due(&t.app).await;
    let third = fetch_news(&t.ctx).await.unwrap();
    assert_eq!(
        (
            third.inserted,
            third.updated,
            third.duplicates,
            third.skipped
        ),
        (0, 1, 1, 3),
        "{third:?}"
    );
    assert_eq!(count(&t.app, "SELECT count(*) FROM articles").await, 4);
    let s3 = summarize_news(
        t.app.pool(),
        &t.ctx.settings.news,
        &Summarizer::extractive(),
        50,
    )
    .await
    .unwrap();
    assert_eq!(s3.summarized, 1, "the changed article is summarised again");
    assert_eq!(count(&t.app, "SELECT count(*) FROM summaries").await, 4);
}

#[tokio::test]
async fn failing_and_oversized_feeds_back_off_and_stay_listed() {
    let t = setup().await;
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&t.feeds)
        .await;
    let before = chrono::Utc::now();
    let r = fetch_news(&t.ctx).await.unwrap();
    assert_eq!(r.failed.len(), 1);
    assert!(
        r.error_text().is_some(),
        "every due feed failed: the run fails"
    );
    let (errors, next, status, error): (i32, chrono::DateTime<chrono::Utc>, String, String) =
        sqlx::query_as(
            "SELECT consecutive_errors, next_fetch_at, last_status, last_error FROM feeds",
        )
        .fetch_one(t.app.pool())
        .await
        .unwrap();
    assert_eq!((errors, status.as_str()), (1, "HTTP 500"));
    assert!(error.contains("500"), "{error}");
    // Default backoff base is 300 s, jittered within its upper half.
    let wait = (next - before).num_seconds();
    assert!((149..=301).contains(&wait), "{wait}");

    // Not due yet: nothing is fetched.
    let idle = fetch_news(&t.ctx).await.unwrap();
    assert_eq!(idle.feeds, 0);

    // Second failure doubles the ceiling; Retry-After is a lower bound.
    t.feeds.reset().await;
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "3600"))
        .mount(&t.feeds)
        .await;
    make_due(&t.app).await;
    let before = chrono::Utc::now();
    fetch_news(&t.ctx).await.unwrap();
    let (errors, next): (i32, chrono::DateTime<chrono::Utc>) =
        sqlx::query_as("SELECT consecutive_errors, next_fetch_at FROM feeds")
            .fetch_one(t.app.pool())
            .await
            .unwrap();
    assert_eq!(errors, 2);
    assert!(
        (next - before).num_seconds() >= 3599,
        "{}",
        (next - before).num_seconds()
    );

    let html = t.app.get("/sources").await.text().await.unwrap();
    assert!(
        html.contains("failing") && html.contains("HTTP 503"),
        "{html}"
    );

    // An oversized body is refused while streaming.
    t.feeds.reset().await;
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw("x".repeat(300_000), "application/rss+xml"),
        )
        .mount(&t.feeds)
        .await;
    make_due(&t.app).await;
    fetch_news(&t.ctx).await.unwrap();
    let (errors, status): (i32, String) =
        sqlx::query_as("SELECT consecutive_errors, last_status FROM feeds")
            .fetch_one(t.app.pool())
            .await
            .unwrap();
    assert_eq!((errors, status.as_str()), (3, "too large"));
    assert_eq!(count(&t.app, "SELECT count(*) FROM articles").await, 0);
}

#[tokio::test]
async fn a_redirect_to_a_private_address_is_refused() {
    let t = setup().await;
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .respond_with(
            ResponseTemplate::new(302).insert_header("Location", "http://10.0.0.1/internal/feed"),
        )
        .mount(&t.feeds)
        .await;
    let r = fetch_news(&t.ctx).await.unwrap();
    assert_eq!(r.failed.len(), 1);
    assert!(r.failed[0].1.contains("refused"), "{:?}", r.failed);
    let status: String = sqlx::query_scalar("SELECT last_status FROM feeds")
        .fetch_one(t.app.pool())
        .await
        .unwrap();
    assert_eq!(status, "refused");
}

/// Serves `n` relevant stories (GUIDs `{prefix}-0…`) as the feed and fetches them all.
async fn serve_efficiency_stories(t: &NewsTest, prefix: &str, n: u64) {
    let base = t.feeds.uri();
    let items: Vec<String> = (0..n)
        .map(|i| {
            item(
                &format!("{prefix}-{i}"),
                &format!("{base}/{prefix}/{i}"),
                &format!("DeepSeek efficiency story {i} about GPU inference cost"),
                &format!("{LONG_B} Story number {i}."),
                "Mon, 27 Jan 2025 14:00:00 GMT",
            )
        })
        .collect();
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(rss(&items), "application/rss+xml"))
        .mount(&t.feeds)
        .await;
    assert_eq!(fetch_news(&t.ctx).await.unwrap().inserted, n);
}

#[tokio::test]
async fn two_workers_never_summarise_the_same_article() {
    let t = setup().await;
    serve_efficiency_stories(&t, "w", 12).await;
    let pool = t.app.pool().clone();
    let settings = t.ctx.settings.clone();
    let worker = |pool: jevons_store::PgPool, settings: std::sync::Arc<jevons_core::Settings>| async move {
        summarize_news(&pool, &settings.news, &Summarizer::extractive(), 100)
            .await
            .unwrap()
    };
    let (a, b) = tokio::join!(
        tokio::spawn(worker(pool.clone(), settings.clone())),
        tokio::spawn(worker(pool.clone(), settings.clone()))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.summarized + b.summarized, 12, "{a:?} {b:?}");
    assert_eq!(count(&t.app, "SELECT count(*) FROM summaries").await, 12);
    assert_eq!(
        count(&t.app, "SELECT count(DISTINCT article_id) FROM summaries").await,
        12
    );
}

/// news.summarize with the real model and two model workers: it keeps both busy (two articles
/// claimed at a time), stops at its maximum with summaries in flight counted, and summarises
/// every article once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn model_workers_summarise_side_by_side_each_article_once() {
    let model = crate::helpers::repo_root().join("models/SmolLM2-135M-Instruct.Q4_1.gguf");
    assert!(
        model.is_file(),
        "the test model {} is missing: run `jevons model fetch` (or .ci/run)",
        model.display()
    );
    let t = setup().await;
    serve_efficiency_stories(&t, "m", 5).await;
    let mut settings = t.ctx.settings.summarizer.clone();
    settings.model_path = model;
    settings.device = "cpu".into();
    settings.max_new_tokens = 8;
    settings.threads = 2;
    settings.workers = 2;
    let llm = Summarizer::load(&settings).await.unwrap();
    assert_eq!(llm.concurrency(), 2);
    let news = &t.ctx.settings.news;
    let first = summarize_news(t.app.pool(), news, &llm, 3).await.unwrap();
    assert_eq!(first.summarized, 3, "{first:?}");
    let rest = summarize_news(t.app.pool(), news, &llm, 100).await.unwrap();
    assert_eq!(rest.summarized, 2, "{rest:?}");
    assert_eq!(
        count(
            &t.app,
            // The model wrote every one; a cut-short output that fails the grounding check
            // is stored as the extractive fallback, under the model's name.
            "SELECT count(DISTINCT article_id) FROM summaries
              WHERE model = 'SmolLM2-135M-Instruct' AND grounding IS NOT NULL
                AND method IN ('llm', 'extractive (ungrounded model output)')"
        )
        .await,
        5
    );
    assert_eq!(count(&t.app, "SELECT count(*) FROM summaries").await, 5);
}

#[tokio::test]
async fn the_news_api_filters_and_pages_with_a_cursor() {
    let t = setup().await;
    let base = t.feeds.uri();
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(feed_v1(&base), "application/rss+xml"),
        )
        .mount(&t.feeds)
        .await;
    fetch_news(&t.ctx).await.unwrap();
    summarize_news(
        t.app.pool(),
        &t.ctx.settings.news,
        &Summarizer::extractive(),
        50,
    )
    .await
    .unwrap();

    let json = |path: String| {
        let app = &t.app;
        async move {
            let r = app.get(&path).await;
            let status = r.status().as_u16();
            (status, r.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (status, all) = json("/api/v1/news".into()).await;
    assert_eq!(status, 200);
    let titles: Vec<&str> = all["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert!(titles[0].starts_with("Micron"), "newest first: {titles:?}");
    assert!(all["next_cursor"].is_null());

    // Keyset pages of one walk the same list.
    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("/api/v1/news?limit=1&cursor={c}"),
            None => "/api/v1/news?limit=1".into(),
        };
        let (status, page) = json(url).await;
        assert_eq!(status, 200);
        let arts = page["articles"].as_array().unwrap();
        assert_eq!(arts.len(), 1);
        walked.push(arts[0]["title"].as_str().unwrap().to_string());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(walked, titles);

    let (_, nvda) = json("/api/v1/news?ticker=NVDA".into()).await;
    let arts = nvda["articles"].as_array().unwrap();
    assert_eq!(arts.len(), 1);
    assert!(
        arts[0]["tickers"]
            .as_array()
            .unwrap()
            .contains(&"NVDA".into())
    );
    let summary = &arts[0]["summary"];
    assert_eq!(summary["method"], "extractive");
    assert!(!summary["text"].as_str().unwrap().is_empty());

    let (_, q) = json("/api/v1/news?q=high-bandwidth%20memory".into()).await;
    let arts = q["articles"].as_array().unwrap();
    assert_eq!(arts.len(), 1, "{q}");
    assert!(arts[0]["title"].as_str().unwrap().starts_with("Micron"));

    let (_, dated) = json("/api/v1/news?from=2025-01-28&to=2025-01-28".into()).await;
    assert_eq!(dated["articles"].as_array().unwrap().len(), 1, "{dated}");

    let stance = arts[0]["summary"]["stance"].as_str().unwrap().to_string();
    let (_, by_stance) = json(format!("/api/v1/news?stance={stance}")).await;
    let by_stance = by_stance["articles"].as_array().unwrap();
    // Not empty (the first article has that stance), and nothing of another stance.
    assert!(!by_stance.is_empty());
    assert!(
        by_stance
            .iter()
            .all(|a| a["summary"]["stance"] == stance.as_str())
    );

    let (_, everything) = json("/api/v1/news?all=1".into()).await;
    assert_eq!(everything["articles"].as_array().unwrap().len(), 4);

    let id = arts[0]["id"].as_i64().unwrap();
    let (status, one) = json(format!("/api/v1/news/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(one["text_source"], "page");
    assert!(
        one["text"]
            .as_str()
            .unwrap()
            .contains("high-bandwidth memory")
    );

    for bad in [
        "/api/v1/news?stance=sideways",
        "/api/v1/news?limit=0",
        "/api/v1/news?cursor=nonsense",
        "/api/v1/news?from=2025-13-01",
    ] {
        let (status, body) = json(bad.into()).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["error"]["code"], "bad_request");
    }
    let (status, _) = json("/api/v1/news/999999".into()).await;
    assert_eq!(status, 404);
}

/// The grounding report stored with a summary is on the article page and in the API: a model
/// summary whose sentences named someone the article does not (replaced by the extractive one),
/// and the report of an extractive summary made by news.summarize.
#[tokio::test]
async fn a_summary_grounding_report_is_on_the_article_page_and_in_the_api() {
    use jevons_core::grounding::{GroundingItem, GroundingReport, ItemKind};
    use jevons_store::news::{NewSummary, claim_next};

    let t = setup().await;
    let base = t.feeds.uri();
    Mock::given(method("GET"))
        .and(path("/feed.xml"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(feed_v1(&base), "application/rss+xml"),
        )
        .mount(&t.feeds)
        .await;
    fetch_news(&t.ctx).await.unwrap();

    // The newest relevant article (a-3, Micron) with a model summary that failed the check;
    // the dropped sentence carries markup that must come out escaped.
    let claim = claim_next(t.app.pool(), t.ctx.settings.news.min_relevance, &[])
        .await
        .unwrap()
        .expect("a relevant article waits");
    let id = claim.article.id;
    let item = |text: &str, kind, supported, reason: &str| GroundingItem {
        text: text.into(),
        kind,
        normalized: text.to_lowercase(),
        supported,
        reason: reason.into(),
        sentence: 0,
    };
    let report = GroundingReport {
        version: "grounding-v1".into(),
        items: vec![
            item("Micron", ItemKind::Name, true, "in the article"),
            item("Toby Blair", ItemKind::Name, false, "not in the article"),
            item(
                "$9bn",
                ItemKind::Number,
                false,
                "no 9000000000 USD in the article",
            ),
        ],
        dropped: vec!["Toby Blair <b>of</b> Micron sold $9bn of chips.".into()],
        kept: 0,
        fallback: true,
    };
    claim
        .complete(&NewSummary {
            summary: "Micron Technology said efficiency gains will not dent demand.".into(),
            stance: "bullish".into(),
            stance_score: 0.4,
            method: "extractive (ungrounded model output)".into(),
            model: "SmolLM2-135M-Instruct".into(),
            quantization: Some("Q4_1->Q8_0+F32".into()),
            prompt_version: "chatml-summary-v1".into(),
            tokens_in: 120,
            tokens_out: 30,
            millis: 900,
            suspect: vec![],
            grounding: Some(report),
        })
        .await
        .unwrap();

    let html = t
        .app
        .get(&format!("/news/{id}"))
        .await
        .text()
        .await
        .unwrap();
    for want in [
        "extractive (ungrounded model output)",
        "could be grounded",
        "1 of 3 names and numbers",
        "Toby Blair",
        "no 9000000000 USD in the article",
        "of&#60;/b&#62; Micron sold $9bn of chips.",
    ] {
        assert!(html.contains(want), "{want} on the page: {html}");
    }
    assert!(
        !html.contains("<b>of</b>"),
        "model output is escaped: {html}"
    );

    let one: serde_json::Value = t
        .app
        .get(&format!("/api/v1/news/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let s = &one["summary"];
    assert_eq!(s["method"], "extractive (ungrounded model output)");
    assert_eq!(s["grounding"]["fallback"], true);
    assert_eq!(s["grounding"]["items"][1]["text"], "Toby Blair");
    assert_eq!(s["grounding"]["items"][1]["supported"], false);
    assert_eq!(s["grounding"]["items"][1]["kind"], "name");
    assert_eq!(
        s["grounding"]["dropped"][0],
        "Toby Blair <b>of</b> Micron sold $9bn of chips."
    );

    // news.summarize stores the check of every summary it makes.
    summarize_news(
        t.app.pool(),
        &t.ctx.settings.news,
        &Summarizer::extractive(),
        50,
    )
    .await
    .unwrap();
    let id1: i64 = sqlx::query_scalar("SELECT id FROM articles WHERE guid = 'a-1'")
        .fetch_one(t.app.pool())
        .await
        .unwrap();
    let a1: serde_json::Value = t
        .app
        .get(&format!("/api/v1/news/{id1}"))
        .await
        .json()
        .await
        .unwrap();
    let g = &a1["summary"]["grounding"];
    let items = g["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|i| i["text"] == "DeepSeek" && i["supported"] == true),
        "{g}"
    );
    assert!(
        items.iter().all(|i| i["supported"] == true),
        "copied sentences: {g}"
    );
    assert_eq!(g["fallback"], false);
    let html = t
        .app
        .get(&format!("/news/{id1}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("names and numbers found in the article"),
        "{html}"
    );
}
