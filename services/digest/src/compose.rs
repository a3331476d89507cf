//! What a digest says: gathered from the store for a period and a set of tickers, rendered
//! through askama into an HTML part and a plain-text part, with charts drawn by `jevons-charts`
//! (the pages' chart code) and rasterised to PNG for inline (CID) images.
//!
//! Over 400 lines because gathering and rendering one digest (HTML and text parts, charts,
//! images); the templates it fills need every section together.

use std::collections::HashMap;

use askama::Template;
use base64::Engine as _;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use jevons_analytics::efficiency::{FrontierOptions, KnownBy};
use jevons_analytics::stats::stars;
use jevons_charts::{pct_change, price_chart_svg, signed_pct, sparkline_svg};
use jevons_core::{DateRange, Symbol};
use jevons_insights::models::{
    FrontierChange, FrontierMove, format_score, format_usd, frontier_changes,
};
use jevons_store::PgPool;
use jevons_store::digest as db;

use crate::DigestError;
use crate::period::{Cadence, Period};
use crate::raster::svg_to_png;

/// An image carried in the email and referenced from the HTML as `cid:<content_id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineImage {
    pub content_id: String,
    pub png: Vec<u8>,
}

/// A finished email body: subject, both parts and the inline images.
#[derive(Debug, Clone)]
pub struct Composed {
    pub subject: String,
    pub html: String,
    pub text: String,
    pub images: Vec<InlineImage>,
    /// Nothing to report in this period.
    pub empty: bool,
}

/// How images are referenced: `cid:` in emails, `data:` URIs in the browser preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageMode {
    Cid,
    DataUri,
}

pub struct MoveRow {
    pub symbol: String,
    pub name: String,
    pub change: String,
    pub change_class: &'static str,
    pub last_close: String,
    pub last_day: String,
    pub url: String,
    pub spark_src: String,
}

#[derive(Clone)]
pub struct NewsRow {
    pub title: String,
    pub url: String,
    pub summary: String,
    pub meta: String,
}

#[derive(Clone)]
pub struct ModelRow {
    pub name: String,
    pub meta: String,
    pub url: String,
}

/// A model that moved a frontier when it came out.
#[derive(Clone)]
pub struct FrontierRow {
    pub model: String,
    /// "set a new best on GPQA Diamond" | "is the cheapest for its score on MMLU-Pro".
    pub what: String,
    /// Score and price, and what it beat.
    pub detail: String,
    pub url: String,
}

/// A stored event-study result: the CAR of one stock over one window around an event.
pub struct ArRow {
    pub symbol: String,
    pub event: String,
    pub day: String,
    /// `[+0, +0]`, relative trading days.
    pub window: String,
    pub car: String,
    pub car_class: &'static str,
    /// "t = −8.12, p < 0.0001 ***" (*** p < 0.01, ** p < 0.05, * p < 0.10).
    pub significance: String,
    /// "market model vs SPY".
    pub basis: String,
    pub url: String,
}

/// The part of a digest shared by every subscriber with the same tickers and period.
pub struct Content {
    pub moves: Vec<MoveRow>,
    pub chart: Option<(String, String)>, // (symbol, img src)
    pub news: Option<Vec<NewsRow>>,
    pub models: Option<Vec<ModelRow>>,
    pub frontier: Option<Vec<FrontierRow>>,
    pub jevons: Option<JevonsRow>,
    pub shocks: Option<JevonsRow>,
    pub abnormal: Option<Vec<ArRow>>,
    pub images: Vec<InlineImage>,
    pub period_label: String,
}

impl Content {
    pub fn is_empty(&self) -> bool {
        self.moves.is_empty()
            && self.news.as_ref().is_none_or(Vec::is_empty)
            && self.models.as_ref().is_none_or(Vec::is_empty)
            && self.frontier.as_ref().is_none_or(Vec::is_empty)
            && self.jevons.is_none()
            && self.shocks.is_none()
            && self.abnormal.as_ref().is_none_or(Vec::is_empty)
    }
}

#[derive(Template)]
#[template(path = "email/digest.html")]
pub struct DigestHtml<'a> {
    pub heading: &'a str,
    pub c: &'a Content,
    pub base_url: &'a str,
    pub unsubscribe_url: &'a str,
    pub preferences: &'a str,
}

#[derive(Template)]
#[template(path = "email/digest.txt")]
pub struct DigestText<'a> {
    pub heading: &'a str,
    pub c: &'a Content,
    pub base_url: &'a str,
    pub unsubscribe_url: &'a str,
    pub preferences: &'a str,
}

#[derive(Template)]
#[template(path = "email/confirm.html")]
pub struct ConfirmHtml<'a> {
    pub confirm_url: &'a str,
    pub cadence: &'a str,
    pub tickers: &'a str,
    pub hours: u64,
}

#[derive(Template)]
#[template(path = "email/confirm.txt")]
pub struct ConfirmText<'a> {
    pub confirm_url: &'a str,
    pub cadence: &'a str,
    pub tickers: &'a str,
    pub hours: u64,
}

/// Sparkline history shown per ticker, and the price chart's span.
const SPARK_DAYS: i64 = 45;
const CHART_DAYS: i64 = 120;

fn day_of(t: DateTime<Utc>) -> NaiveDate {
    t.date_naive()
}

fn img_src(mode: ImageMode, content_id: &str, png: &[u8]) -> String {
    match mode {
        ImageMode::Cid => format!("cid:{content_id}"),
        ImageMode::DataUri => format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(png)
        ),
    }
}

/// What a digest needs besides the store and the period.
#[derive(Debug, Clone, Copy)]
pub struct GatherOptions<'a> {
    /// Absolute base of the links.
    pub base_url: &'a str,
    /// Rows per optional section.
    pub section_limit: i64,
    /// Share of input tokens in the blended price of a model (`models.input_share`).
    pub input_share: f64,
    pub mode: ImageMode,
    /// With settings, a digest of a week or more gets the "demand vs price of intelligence"
    /// section when a new quarter or a new cheapest price arrived in it.
    pub settings: Option<&'a jevons_core::Settings>,
}

/// The sections that depend on the period only (not on the tickers): news, new models and
/// frontier changes. `None` where the feature's table does not exist.
#[derive(Clone, Default)]
pub struct PeriodSections {
    pub news: Option<Vec<NewsRow>>,
    pub models: Option<Vec<ModelRow>>,
    pub frontier: Option<Vec<FrontierRow>>,
    pub jevons: Option<JevonsRow>,
    pub shocks: Option<JevonsRow>,
}

/// The pooled-study lines of a period: each class that gained an event in `[from, to]`, with
/// the class's result as it now stands (read from the stored view, not recomputed).
async fn shocks_section(
    pool: &PgPool,
    settings: &jevons_core::Settings,
    from: NaiveDate,
    to: NaiveDate,
    base_url: &str,
) -> Option<JevonsRow> {
    let (view, _) = match jevons_insights::shocks::stored_view(pool, settings).await {
        Ok(Some(v)) => v,
        Ok(None) => return None,
        Err(e) => {
            tracing::warn!(error = %e, "digest: the pooled studies cannot be read");
            return None;
        }
    };
    let headline = jevons_insights::shocks::HEADLINE_WINDOW;
    let mut news = Vec::new();
    for c in &view.classes {
        let Some(study) = &c.study else { continue };
        let added: Vec<&str> = study
            .rows
            .iter()
            .filter(|r| r.day0 >= from && r.day0 <= to)
            .filter_map(|r| c.events.iter().find(|e| e.key == r.event))
            .map(|e| e.title.as_str())
            .collect();
        if added.is_empty() {
            continue;
        }
        if let Some(w) = study.window(headline) {
            news.push(format!(
                "New {} event(s): {}. Across {} {} events the vendors' mean CAR[{},{}] is now {} (BMP t = {:.2}, p = {:.3}).",
                c.class,
                added.join(", "),
                study.events,
                c.class,
                headline.start,
                headline.end,
                signed_pct(w.caar * 100.0),
                w.bmp.statistic,
                w.bmp.p
            ));
        }
    }
    if news.is_empty() {
        return None;
    }
    Some(JevonsRow {
        news,
        answer: view.sentence,
        url: format!("{base_url}/shocks"),
    })
}

/// "Demand vs price of intelligence": what arrived in the period, and the answer as it stands.
#[derive(Clone, Debug)]
pub struct JevonsRow {
    pub news: Vec<String>,
    pub answer: String,
    pub url: String,
}

/// The Jevons section of a period, or `None` when nothing new arrived in `[from, to]` (or the
/// data cannot say: logged, never fatal).
async fn jevons_section(
    pool: &PgPool,
    settings: &jevons_core::Settings,
    from: NaiveDate,
    to: NaiveDate,
    base_url: &str,
) -> Option<JevonsRow> {
    let in_period = |d: NaiveDate| d >= from && d <= to;
    let mut news = Vec::new();
    let quarters = async {
        let mut out = Vec::new();
        for s in jevons_store::fundamentals::series(pool).await? {
            let (Ok(symbol), Ok(metric)) = (
                Symbol::parse(&s.symbol),
                jevons_core::fundamentals::Metric::parse(&s.metric),
            ) else {
                continue;
            };
            for f in jevons_store::fundamentals::current_series(pool, &symbol, &metric, None, None)
                .await?
            {
                if f.fact.filed.is_some_and(in_period) {
                    out.push(f.fact);
                }
            }
        }
        Ok::<_, jevons_store::StoreError>(out)
    };
    match quarters.await {
        Ok(facts) => news.extend(facts.iter().map(|f| {
            format!(
                "New quarter: {} {} {} (ended {}) ${:.2} bn, {} {}",
                f.symbol,
                f.metric.as_str().replace('_', " "),
                f.fiscal_period,
                f.period_end,
                f.value / 1e9,
                if f.provenance == jevons_core::fundamentals::Provenance::Filed {
                    "filed"
                } else {
                    "released"
                },
                f.filed.map(|d| d.to_string()).unwrap_or_default()
            )
        })),
        Err(e) => {
            tracing::warn!(error = %e, "digest: quarterly figures unavailable");
            return None;
        }
    }
    let view = match jevons_insights::jevons::view(pool, settings, None, Some(to)).await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "digest: the Jevons view could not be computed");
            return None;
        }
    };
    if let Some(p) = view.prices.iter().find(|p| p.poi.is_some())
        && let Some(poi) = &p.poi
    {
        for step in poi.series.iter().filter(|s| in_period(s.date)) {
            news.push(format!(
                "The cheapest price of {} is now ${:.3} per million tokens ({}, from {})",
                p.label, step.usd_per_mtok, step.model, step.date
            ));
        }
    }
    if news.is_empty() || view.answer.is_empty() {
        return None;
    }
    Some(JevonsRow {
        news,
        answer: view.answer,
        url: format!("{base_url}/jevons"),
    })
}

/// Gathers the shared content of a digest: price moves of `tickers` (the whole watchlist when
/// empty) over the period's days, and — where their tables exist — news, new models, frontier
/// changes and abnormal returns. A failing optional section is left out and logged, never fatal.
pub async fn gather(
    pool: &PgPool,
    tickers: &[String],
    period: &Period,
    opts: &GatherOptions<'_>,
) -> Result<Content, DigestError> {
    let sections = gather_period(pool, period, opts).await;
    gather_tickers(pool, tickers, period, opts, sections).await
}

/// The period's sections shared by every subscriber, whatever their tickers.
pub async fn gather_period(
    pool: &PgPool,
    period: &Period,
    opts: &GatherOptions<'_>,
) -> PeriodSections {
    let (from, to) = (day_of(period.start), day_of(period.end));
    let (base_url, section_limit) = (opts.base_url, opts.section_limit);
    let news = optional_section(pool, "articles", async {
        let items = db::top_news(pool, period.start, period.end, section_limit).await?;
        Ok(items
            .into_iter()
            .map(|n| NewsRow {
                meta: [
                    n.published.map(|p| p.format("%Y-%m-%d").to_string()),
                    n.relevance.map(|r| format!("relevance {r:.2}")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
                title: n.title,
                url: n.url,
                summary: n.summary.unwrap_or_default(),
            })
            .collect())
    })
    .await;
    let models = optional_section(pool, "ai_models", async {
        let items = db::new_models(pool, from, to, section_limit).await?;
        Ok(items
            .into_iter()
            .map(|m| ModelRow {
                meta: [
                    m.organization,
                    m.released.map(|d| format!("released {d}")),
                    m.training_cost_usd
                        .map(|c| format!("training cost ≈ ${}", human_usd(c))),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
                name: m.name,
                url: m.url.unwrap_or_else(|| format!("{base_url}/models")),
            })
            .collect())
    })
    .await;
    // The pages' frontier (jevons-insights), each release against the day before it. A model
    // counts with its first known price even when that snapshot came after its release: prices
    // are snapshots, often taken later, and a release week would otherwise show no change.
    let frontier_opts = FrontierOptions {
        input_share: opts.input_share,
        known_by: KnownBy::EarliestKnown,
    };
    let frontier = optional_section(pool, "ai_models", async {
        let changes = frontier_changes(pool, from, to, &frontier_opts).await?;
        Ok(changes
            .iter()
            .take(usize::try_from(section_limit).unwrap_or(0))
            .map(|c| frontier_row(c, base_url))
            .collect())
    })
    .await;
    // Weekly and longer digests only: quarters and price steps are rare, a daily line would
    // mostly repeat itself.
    let (jevons, shocks) = match opts.settings {
        Some(settings) if period.end - period.start >= Duration::days(6) => (
            jevons_section(pool, settings, from, to, base_url).await,
            shocks_section(pool, settings, from, to, base_url).await,
        ),
        _ => (None, None),
    };
    PeriodSections {
        news,
        models,
        frontier,
        jevons,
        shocks,
    }
}

/// A difference of scores: percentage points for fractions.
fn fmt_score_gap(v: f64, scale: &str) -> String {
    if scale == "fraction" {
        format!("{:.1} points", v * 100.0)
    } else {
        format!("{v:.0}")
    }
}

fn frontier_row(c: &FrontierChange, base_url: &str) -> FrontierRow {
    let (m, prev) = (&c.model, &c.previous);
    let (what, detail) = match c.movement {
        FrontierMove::NewBest => (
            format!("set a new best on {}", c.benchmark_name),
            format!(
                "{} at {} per M tokens; previous best {} {} (+{})",
                format_score(m.score, &c.scale),
                format_usd(m.price),
                prev.model,
                format_score(prev.score, &c.scale),
                fmt_score_gap(m.score - prev.score, &c.scale),
            ),
        ),
        FrontierMove::Cheaper => (
            format!("is the cheapest for its score on {}", c.benchmark_name),
            format!(
                "{} at {} per M tokens; before, {} cost {} for {}",
                format_score(m.score, &c.scale),
                format_usd(m.price),
                prev.model,
                format_usd(prev.price),
                format_score(prev.score, &c.scale),
            ),
        ),
    };
    FrontierRow {
        model: m.model.clone(),
        what,
        detail,
        url: format!("{base_url}/models/{}", m.model_id),
    }
}

fn fmt_p(p: f64) -> String {
    if p < 0.0001 {
        "p < 0.0001".into()
    } else {
        format!("p = {p:.4}")
    }
}

/// A signed number with a real minus sign.
fn fmt_signed(v: f64) -> String {
    if v < 0.0 {
        format!("\u{2212}{:.2}", -v)
    } else {
        format!("{v:.2}")
    }
}

/// Adds the ticker-dependent sections (moves, the biggest mover's chart, abnormal returns) to
/// the period's sections.
pub async fn gather_tickers(
    pool: &PgPool,
    tickers: &[String],
    period: &Period,
    opts: &GatherOptions<'_>,
    sections: PeriodSections,
) -> Result<Content, DigestError> {
    let (base_url, mode) = (opts.base_url, opts.mode);
    let (from, to) = (day_of(period.start), day_of(period.end));
    // Bars are daily: the period reports the sessions that closed in it, each against the
    // close before the first of them.
    let (first_session, last_session) = period.market_days();
    let moves = db::watchlist_moves(
        pool,
        tickers,
        first_session - Duration::days(1),
        last_session,
    )
    .await?;
    let mut images = Vec::new();
    let mut rows = Vec::with_capacity(moves.len());
    for m in &moves {
        let pct = pct_change(m.base_adj_close, m.last_adj_close);
        let symbol = Symbol::parse(&m.symbol).map_err(|e| DigestError::Data(e.to_string()))?;
        let closes: Vec<f64> =
            match DateRange::new(m.last_day - Duration::days(SPARK_DAYS), m.last_day) {
                Ok(r) => jevons_store::prices::bars(pool, &symbol, r)
                    .await?
                    .iter()
                    .map(|b| b.close)
                    .collect(),
                Err(_) => Vec::new(),
            };
        let png = svg_to_png(&sparkline_svg(&closes, 120, 28), 2.0)?;
        let cid = format!("spark-{}@jevons", m.symbol.to_ascii_lowercase());
        let spark_src = img_src(mode, &cid, &png);
        images.push(InlineImage {
            content_id: cid,
            png,
        });
        rows.push(MoveRow {
            url: format!("{base_url}/tickers/{}", m.symbol),
            symbol: m.symbol.clone(),
            name: m.name.clone(),
            change: pct.map_or_else(|| "–".to_string(), signed_pct),
            change_class: match pct {
                Some(p) if p < 0.0 => "down",
                Some(p) if p > 0.0 => "up",
                _ => "flat",
            },
            last_close: format!("{:.2}", m.last_close),
            last_day: m.last_day.to_string(),
            spark_src,
        });
    }
    // One full chart: the biggest mover, drawn exactly as its page draws it.
    let biggest = moves
        .iter()
        .filter_map(|m| pct_change(m.base_adj_close, m.last_adj_close).map(|p| (m, p.abs())))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(m, _)| m);
    let chart = match biggest {
        Some(m) => {
            let symbol = Symbol::parse(&m.symbol).map_err(|e| DigestError::Data(e.to_string()))?;
            let range = DateRange::new(m.last_day - Duration::days(CHART_DAYS), m.last_day)
                .map_err(|e| DigestError::Data(e.to_string()))?;
            let bars = jevons_store::prices::bars(pool, &symbol, range).await?;
            let png = svg_to_png(&price_chart_svg(&m.symbol, &bars, 600, 280), 1.5)?;
            let cid = format!("chart-{}@jevons", m.symbol.to_ascii_lowercase());
            let src = img_src(mode, &cid, &png);
            images.push(InlineImage {
                content_id: cid,
                png,
            });
            Some((m.symbol.clone(), src))
        }
        None => None,
    };

    // Event studies stored by the `events.study` job (`event_results`): significant CARs
    // (p < 0.05) of the subscriber's tickers, for events of the period or whose study completed
    // in it (a study needs the sessions after its event).
    let abnormal = optional_section(pool, "event_results", async {
        let items =
            db::abnormal_returns(pool, tickers, from, to, SIGNIFICANT_P, opts.section_limit)
                .await?;
        Ok(items
            .into_iter()
            .map(|a| ArRow {
                url: format!("{base_url}/events/{}", a.event_id),
                symbol: a.symbol,
                event: a.event,
                day: a.day.to_string(),
                window: format!("[{:+}, {:+}]", a.window_start, a.window_end),
                car: signed_pct(a.car_pct),
                car_class: if a.car_pct < 0.0 { "down" } else { "up" },
                significance: format!(
                    "t = {}, {} {}",
                    fmt_signed(a.t),
                    fmt_p(a.p_value),
                    stars(a.p_value)
                )
                .trim_end()
                .to_string(),
                basis: format!("{} model vs {}", a.model, a.benchmark),
            })
            .collect())
    })
    .await;

    Ok(Content {
        moves: rows,
        chart,
        news: sections.news,
        models: sections.models,
        frontier: sections.frontier,
        jevons: sections.jevons,
        shocks: sections.shocks,
        abnormal,
        images,
        period_label: if first_session == last_session {
            first_session.to_string()
        } else if first_session < last_session {
            format!("{first_session} \u{2013} {last_session}")
        } else {
            format!("{from} \u{2013} {to}")
        },
    })
}

/// Abnormal returns at least this significant are shown.
const SIGNIFICANT_P: f64 = 0.05;

fn human_usd(v: f64) -> String {
    if v >= 1e9 {
        format!("{:.1}B", v / 1e9)
    } else if v >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.0}k", v / 1e3)
    } else {
        format!("{v:.0}")
    }
}

/// `None` when `table` does not exist (its feature is not installed); the rows otherwise, or
/// `None` with a warning when the query fails (e.g. a schema this code does not know yet).
/// A section's query fails with the store's or the insights' error: either only leaves it out.
type SectionError = Box<dyn std::error::Error + Send + Sync>;

async fn optional_section<T>(
    pool: &PgPool,
    table: &str,
    query: impl Future<Output = Result<Vec<T>, SectionError>>,
) -> Option<Vec<T>> {
    match db::table_exists(pool, table).await {
        Ok(true) => {}
        Ok(false) => return None,
        Err(e) => {
            tracing::warn!(table, error = %e, "could not check for a digest section's table");
            return None;
        }
    }
    match query.await {
        Ok(rows) => Some(rows),
        Err(e) => {
            tracing::warn!(table, error = %e, "digest section left out");
            None
        }
    }
}

/// Renders one subscriber's digest from shared `content`.
pub fn render_digest(
    content: &Content,
    cadence: Cadence,
    base_url: &str,
    unsubscribe_url: &str,
    tickers: &[String],
) -> Result<Composed, DigestError> {
    let heading = match cadence {
        Cadence::Daily => format!("Your daily jevons digest, {}", content.period_label),
        Cadence::Weekly => format!("Your weekly jevons digest, {}", content.period_label),
    };
    let preferences = if tickers.is_empty() {
        format!("{} digest of the whole watchlist", cadence.as_str())
    } else {
        format!("{} digest of {}", cadence.as_str(), tickers.join(", "))
    };
    let html = DigestHtml {
        heading: &heading,
        c: content,
        base_url,
        unsubscribe_url,
        preferences: &preferences,
    }
    .render()?;
    let text = DigestText {
        heading: &heading,
        c: content,
        base_url,
        unsubscribe_url,
        preferences: &preferences,
    }
    .render()?;
    let subject = match content.moves.iter().find(|m| m.change != "–") {
        Some(m) => format!(
            "jevons {}: {} {} and more",
            cadence.as_str(),
            m.symbol,
            m.change
        ),
        None => format!("jevons {} digest", cadence.as_str()),
    };
    Ok(Composed {
        subject,
        html,
        text,
        images: content.images.clone(),
        empty: content.is_empty(),
    })
}

/// The confirmation email.
pub fn render_confirmation(
    confirm_url: &str,
    cadence: &str,
    tickers: &[String],
    hours: u64,
) -> Result<Composed, DigestError> {
    let tickers = if tickers.is_empty() {
        "the whole watchlist".to_string()
    } else {
        tickers.join(", ")
    };
    Ok(Composed {
        subject: "Confirm your jevons digest subscription".to_string(),
        html: ConfirmHtml {
            confirm_url,
            cadence,
            tickers: &tickers,
            hours,
        }
        .render()?,
        text: ConfirmText {
            confirm_url,
            cadence,
            tickers: &tickers,
            hours,
        }
        .render()?,
        images: Vec::new(),
        empty: false,
    })
}

/// Shared content per (tickers, period days), and the period's own sections per period days,
/// so a thousand subscribers with the same choice cost one set of queries and charts.
#[derive(Default)]
pub struct ContentCache {
    entries: HashMap<(Vec<String>, NaiveDate, NaiveDate), std::sync::Arc<Content>>,
    periods: HashMap<(NaiveDate, NaiveDate), PeriodSections>,
}

impl ContentCache {
    pub async fn get(
        &mut self,
        pool: &PgPool,
        tickers: &[String],
        period: &Period,
        opts: &GatherOptions<'_>,
    ) -> Result<std::sync::Arc<Content>, DigestError> {
        let mut key_tickers = tickers.to_vec();
        key_tickers.sort();
        let days = (day_of(period.start), day_of(period.end));
        let key = (key_tickers, days.0, days.1);
        if let Some(c) = self.entries.get(&key) {
            return Ok(c.clone());
        }
        let sections = match self.periods.get(&days) {
            Some(s) => s.clone(),
            None => {
                let s = gather_period(pool, period, opts).await;
                self.periods.insert(days, s.clone());
                s
            }
        };
        let content =
            std::sync::Arc::new(gather_tickers(pool, tickers, period, opts, sections).await?);
        self.entries.insert(key, content.clone());
        Ok(content)
    }
}
