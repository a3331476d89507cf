//! Page models of `/news`, `/news/{id}` and `/sources`.

use askama::Template;
use chrono::{DateTime, Utc};
use jevons_core::grounding::GroundingReport;
use jevons_store::news::ArticleItem;

use crate::views::Nav;

pub(crate) fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// An article as the list shows it: display strings only, escaped by askama.
pub struct ArticleRow {
    pub id: i64,
    pub title: String,
    pub url: String,
    pub feed: String,
    pub date: String,
    pub relevance: String,
    pub tickers: Vec<String>,
    pub models: Vec<String>,
    pub summary: String,
    pub stance: String,
    pub stance_score: String,
    pub method: String,
    pub suspect: bool,
}

pub(crate) fn article_row(a: &ArticleItem) -> ArticleRow {
    let s = a.summary.as_ref();
    ArticleRow {
        id: a.id,
        title: a.title.clone(),
        url: a.url.clone().unwrap_or_default(),
        feed: a.feed_title.clone().unwrap_or_else(|| a.feed_url.clone()),
        date: when(a.sort_at),
        relevance: format!("{:.2}", a.relevance),
        tickers: a.tickers.clone(),
        models: a.models.clone(),
        summary: s.map(|s| s.summary.clone()).unwrap_or_default(),
        stance: s.map(|s| s.stance.clone()).unwrap_or_default(),
        stance_score: s
            .map(|s| format!("{:+.2}", s.stance_score))
            .unwrap_or_default(),
        method: s.map(|s| s.method.clone()).unwrap_or_default(),
        suspect: s.is_some_and(|s| !s.suspect.is_empty()),
    }
}

pub struct FeedOption {
    pub id: i64,
    pub title: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "news_list.html")]
pub struct NewsPage {
    pub title: &'static str,
    pub nav: Nav,
    pub articles: Vec<ArticleRow>,
    pub stances: Vec<(&'static str, bool)>,
    pub from: String,
    pub to: String,
    pub q: String,
    pub all: bool,
    pub feeds: Vec<FeedOption>,
    pub tickers: Vec<(String, bool)>,
    /// Query string of the next page, already URL-encoded.
    pub next_query: Option<String>,
    pub min_relevance: String,
}

#[derive(Template)]
#[template(path = "news_article.html")]
pub struct ArticlePage {
    pub title: String,
    pub nav: Nav,
    pub row: ArticleRow,
    pub author: String,
    pub published: String,
    pub fetched: String,
    pub text: String,
    pub text_source: String,
    pub companies: Vec<String>,
    pub summary: Option<SummaryView>,
}

pub struct SummaryView {
    pub text: String,
    pub stance: String,
    pub stance_score: String,
    pub method: String,
    pub model: String,
    pub quantization: String,
    pub prompt_version: String,
    pub tokens_in: i32,
    pub tokens_out: i32,
    pub millis: i64,
    pub suspect: Vec<String>,
    pub current: bool,
    pub created_at: String,
    pub grounding: Option<GroundingView>,
}

/// The grounding report as the page shows it (askama escapes every string: model output).
pub struct GroundingView {
    pub items: Vec<GroundingItemView>,
    pub dropped: Vec<String>,
    pub fallback: bool,
    pub supported: usize,
    pub version: String,
}

pub struct GroundingItemView {
    pub text: String,
    pub kind: &'static str,
    pub supported: bool,
    pub reason: String,
}

pub(crate) fn grounding_view(r: &GroundingReport) -> GroundingView {
    GroundingView {
        items: r
            .items
            .iter()
            .map(|i| GroundingItemView {
                text: i.text.clone(),
                kind: i.kind.as_str(),
                supported: i.supported,
                reason: i.reason.clone(),
            })
            .collect(),
        dropped: r.dropped.clone(),
        fallback: r.fallback,
        supported: r.supported(),
        version: r.version.clone(),
    }
}

pub struct FeedRow {
    pub id: i64,
    pub title: String,
    pub url: String,
    pub origin: String,
    pub healthy: bool,
    pub status: String,
    pub last_success: String,
    pub last_error: String,
    pub consecutive_errors: i32,
    pub next_fetch_at: String,
    pub articles: i64,
}

pub struct JobHealthRow {
    pub job: String,
    pub status: String,
    pub last_run: String,
    pub last_success: String,
    pub rows_written: i64,
    pub error: String,
}

#[derive(Template)]
#[template(path = "news_sources.html")]
pub struct SourcesPage {
    pub title: &'static str,
    pub nav: Nav,
    pub feeds: Vec<FeedRow>,
    pub failing: usize,
    pub jobs: Vec<JobHealthRow>,
}
