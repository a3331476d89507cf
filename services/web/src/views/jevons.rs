//! Page model of `/jevons`: the price, demand and relation rows and their number formats.

use askama::Template;
use jevons_analytics::demand::DemandSeries;
use jevons_analytics::jevons::{Elasticity, Relation};
use jevons_analytics::price_of_intelligence::FitOutcome;
use jevons_insights::jevons::{PriceSeries, Reference};

use crate::views::Nav;

pub struct PriceRowView {
    pub label: String,
    pub decline: String,
    pub ci: String,
    pub n: String,
    pub window: String,
    pub basis: String,
    pub latest: String,
    pub note: String,
    pub api: String,
}

pub struct DemandRowView {
    pub name: String,
    pub quarter: String,
    pub value: String,
    pub qoq: String,
    pub yoy: String,
    pub trailing: String,
    pub members: String,
}

pub struct RelationView {
    pub demand: String,
    pub elasticity: String,
    pub lags: Vec<(String, String)>,
    pub events: Vec<EventRowView>,
}

pub struct EventRowView {
    pub event: String,
    pub date: String,
    pub before: String,
    pub after: String,
    pub change: String,
}

pub struct SourceView {
    pub what: String,
    pub detail: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "jevons.html")]
pub struct JevonsPage {
    pub title: &'static str,
    pub nav: Nav,
    pub from: String,
    pub to: String,
    pub answer: String,
    pub chart: String,
    pub prices: Vec<PriceRowView>,
    pub demand: Vec<DemandRowView>,
    pub relations: Vec<RelationView>,
    pub sources: Vec<SourceView>,
    pub discrepancies: Vec<SourceView>,
    pub events: usize,
}

pub(crate) fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| jevons_charts::signed_pct(v * 100.0))
}

pub(crate) fn factor(f: f64) -> String {
    if f >= 10.0 {
        format!("{f:.0}×")
    } else {
        format!("{f:.1}×")
    }
}

pub(crate) fn billions(v: f64) -> String {
    format!("${:.1}B", v / 1e9)
}

pub(crate) fn price_row(p: &PriceSeries) -> PriceRowView {
    let api = match &p.spec.reference {
        Reference::Score { score } => format!(
            "/api/v1/price-of-intelligence?benchmark={}&threshold={score}",
            p.benchmark
        ),
        Reference::Model { model } => format!(
            "/api/v1/price-of-intelligence?benchmark={}&reference_model={}",
            p.benchmark,
            url_component(model)
        ),
    };
    let mut row = PriceRowView {
        label: p.label.clone(),
        decline: "–".into(),
        ci: String::new(),
        n: String::new(),
        window: String::new(),
        basis: String::new(),
        latest: String::new(),
        note: p.message.clone().unwrap_or_default(),
        api,
    };
    let Some(poi) = &p.poi else {
        return row;
    };
    if let Some(last) = poi.series.last() {
        row.latest = format!(
            "${:.3} ({}, since {})",
            last.usd_per_mtok, last.model, last.date
        );
    }
    if let FitOutcome::Fitted(f) = &poi.fit {
        row.decline = if f.factor_per_year >= 1.0 {
            format!("{} cheaper per year", factor(f.factor_per_year))
        } else {
            format!("{} dearer per year", factor(1.0 / f.factor_per_year))
        };
        row.ci = format!("{} … {}", factor(f.factor_ci_low), factor(f.factor_ci_high));
        row.n = f.n.to_string();
        row.window = format!("{} … {}", f.first, f.last);
        row.basis = format!(
            "{} dated, {} back-filled",
            poi.fitted_dated, poi.fitted_backfilled
        );
    }
    row
}

pub(crate) fn url_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) fn demand_row(name: &str, d: &DemandSeries) -> Option<DemandRowView> {
    let p = d.latest()?;
    Some(DemandRowView {
        name: name.to_string(),
        quarter: p.quarter.to_string(),
        value: billions(p.value_usd),
        qoq: pct(p.qoq),
        yoy: pct(p.yoy),
        trailing: p.trailing_4q_usd.map_or_else(|| "–".into(), billions),
        members: if d.members.len() > 1 {
            format!("{} of {}", p.present, d.members.join(", "))
        } else {
            d.members.join(", ")
        },
    })
}

pub(crate) fn relation_view(r: &Relation) -> RelationView {
    let elasticity = match &r.elasticity {
        Elasticity::Estimated(e) => format!(
            "{:+.2} (95% CI {:+.2} … {:+.2}, N = {} quarters{})",
            e.slope,
            e.ci_low,
            e.ci_high,
            e.n,
            e.r2.map_or_else(String::new, |r2| format!(", R² = {r2:.2}"))
        ),
        Elasticity::NotEstimated(why) => format!("not estimated: {why:?}"),
    };
    RelationView {
        demand: r.demand.clone(),
        elasticity,
        lags: r
            .lead_lag
            .iter()
            .map(|l| {
                (
                    format!("{:+}", l.lag),
                    l.corr.map_or_else(
                        || format!("– (N = {})", l.n),
                        |c| format!("{c:+.2} (N = {})", l.n),
                    ),
                )
            })
            .collect(),
        events: r
            .events
            .iter()
            .filter(|e| e.before.present > 0 || e.after.present > 0)
            .map(|e| EventRowView {
                event: e.event.clone(),
                date: e.date.to_string(),
                before: side(&e.before),
                after: side(&e.after),
                change: pct(e.level_change),
            })
            .collect(),
    }
}

pub(crate) fn side(s: &jevons_analytics::jevons::EventSide) -> String {
    let sum = s.sum_usd.map_or_else(|| "–".into(), billions);
    let growth = s.mean_log_growth.map_or_else(String::new, |g| {
        format!(", {} a quarter", pct(Some(g.exp() - 1.0)))
    });
    format!("{sum} ({} of 4 quarters{growth})", s.present)
}
