//! SEC EDGAR XBRL `companyfacts` documents: parsing, and the quarterly values of a company.
//!
//! A companyfacts document lists, per taxonomy and tag, every value the company ever filed:
//! `facts["us-gaap"][Tag].units["USD"][]` with `start`, `end`, `val`, `accn`, `fy`, `fp`, `form`,
//! `filed` and `frame`. The same period appears once per filing that reports it (comparatives
//! are repeated a year later; amendments restate), so turning it into quarters means:
//! - classify each duration by its dates (~3, 6, 9 or 12 months), not by `fp`;
//! - take three-month values as reported, and difference year-to-date values that start on the
//!   same day (cash-flow statements in 10-Qs: Q2 = 6M − 3M, Q3 = 9M − 6M; Q4 = 10-K year − 9M);
//! - keep every filing's value as a version, in filing order, dropping repeats of the same value,
//!   so an amendment adds a version and the latest filed one is current.
//!
//! Over 400 lines because the parser and the fiscal-to-quarter rules (dedup of restatements, Q4
//! = year − Q1..Q3) are one algorithm over one document shape; they are read together.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Days, NaiveDate};
use jevons_core::Symbol;
use jevons_core::fundamentals::{Derivation, FiscalPeriod, Metric, Provenance, QuarterlyFact};
use serde::Deserialize;

use crate::ParseError;

/// `source` of every filed value.
pub const SOURCE: &str = "sec-edgar";

/// Revenue tags, in no order of preference: the one a company uses changed with ASC 606 (2018),
/// so each period takes whichever is present, and the tag filed most recently where both are.
pub const REVENUE_TAGS: [&str; 2] = [
    "Revenues",
    "RevenueFromContractWithCustomerExcludingAssessedTax",
];
pub const CAPEX_TAGS: [&str; 1] = ["PaymentsToAcquirePropertyPlantAndEquipment"];

/// Forms whose facts are used; others (8-K exhibits, S-1, 20-F …) are ignored.
const FORMS: [&str; 4] = ["10-Q", "10-K", "10-Q/A", "10-K/A"];

/// One value as companyfacts lists it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RawFact {
    /// Absent for instant facts (balance sheet), which are not used here.
    #[serde(default)]
    pub start: Option<NaiveDate>,
    pub end: NaiveDate,
    pub val: f64,
    pub accn: String,
    #[serde(default)]
    pub fy: Option<i32>,
    #[serde(default)]
    pub fp: Option<String>,
    pub form: String,
    pub filed: NaiveDate,
    #[serde(default)]
    pub frame: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct TagDoc {
    #[serde(default)]
    units: HashMap<String, Vec<RawFact>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct Taxonomies {
    #[serde(rename = "us-gaap", default)]
    us_gaap: HashMap<String, TagDoc>,
}

#[derive(Debug, Clone, Deserialize)]
struct Document {
    cik: u64,
    #[serde(rename = "entityName", default)]
    entity_name: String,
    #[serde(default)]
    facts: Taxonomies,
}

/// The parts of a companyfacts document jevons reads.
#[derive(Debug, Clone, PartialEq)]
pub struct CompanyFacts {
    pub cik: u64,
    pub entity_name: String,
    /// us-gaap tag → its USD values.
    pub usd: HashMap<String, Vec<RawFact>>,
}

/// Parses a companyfacts body. Every value of every USD tag must be well-formed: one bad entry
/// rejects the document, so nothing from a damaged download is stored.
pub fn parse(body: &[u8]) -> Result<CompanyFacts, ParseError> {
    let doc: Document =
        serde_json::from_slice(body).map_err(|e| ParseError::Json(e.to_string()))?;
    let mut usd = HashMap::new();
    for (tag, doc_tag) in doc.facts.us_gaap {
        if let Some(values) = doc_tag.units.get("USD") {
            for f in values {
                if !f.val.is_finite() {
                    return Err(ParseError::Shape(format!("{tag}: a non-finite value")));
                }
                if f.start.is_some_and(|s| s > f.end) {
                    return Err(ParseError::Shape(format!(
                        "{tag}: start {:?} after end {} ({})",
                        f.start, f.end, f.accn
                    )));
                }
            }
            usd.insert(tag, values.clone());
        }
    }
    Ok(CompanyFacts {
        cik: doc.cik,
        entity_name: doc.entity_name,
        usd,
    })
}

/// Length classes of a duration, from its dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Span {
    Quarter,
    Ytd,
}

/// Inclusive days from start to end.
fn days(start: NaiveDate, end: NaiveDate) -> i64 {
    (end - start).num_days() + 1
}

/// ~3 months (80-100 days), ~6/9/12 months (170-195, 260-285, 350-380 days); anything else
/// (a 4-month stub, a 2-year total) is not used.
fn span(start: NaiveDate, end: NaiveDate) -> Option<Span> {
    match days(start, end) {
        80..=100 => Some(Span::Quarter),
        170..=195 | 260..=285 | 350..=380 => Some(Span::Ytd),
        _ => None,
    }
}

/// One filing's value for one period.
#[derive(Debug, Clone, PartialEq)]
struct Version {
    filed: NaiveDate,
    accn: String,
    form: String,
    val: f64,
    fy: Option<i32>,
    fp: Option<String>,
}

/// A quarterly value as of one filing, before it becomes a [`QuarterlyFact`].
#[derive(Debug, Clone, PartialEq)]
struct QuarterVersion {
    start: NaiveDate,
    end: NaiveDate,
    value: f64,
    filed: NaiveDate,
    accn: String,
    form: String,
    derivation: Derivation,
    /// The fy/fp of the earliest filing of the period, a fallback for the fiscal period.
    fy: Option<i32>,
    fp: Option<String>,
}

/// Every period of one tag with its versions in filing order (repeats kept for now).
fn versions_by_period(facts: &[RawFact]) -> BTreeMap<(NaiveDate, NaiveDate), Vec<Version>> {
    let mut out: BTreeMap<(NaiveDate, NaiveDate), Vec<Version>> = BTreeMap::new();
    for f in facts {
        let Some(start) = f.start else { continue };
        if !FORMS.contains(&f.form.as_str()) || span(start, f.end).is_none() {
            continue;
        }
        let versions = out.entry((start, f.end)).or_default();
        // A filing may list the same period twice (different frames): once is enough.
        if versions.iter().any(|v| v.accn == f.accn) {
            continue;
        }
        versions.push(Version {
            filed: f.filed,
            accn: f.accn.clone(),
            form: f.form.clone(),
            val: f.val,
            fy: f.fy,
            fp: f.fp.clone(),
        });
    }
    for versions in out.values_mut() {
        versions.sort_by(|a, b| (a.filed, &a.accn).cmp(&(b.filed, &b.accn)));
    }
    out
}

/// The latest version filed on or before `at`.
fn as_of<'a>(versions: &'a [Version], at: (NaiveDate, &str)) -> Option<&'a Version> {
    versions
        .iter()
        .rev()
        .find(|v| (v.filed, v.accn.as_str()) <= at)
}

/// The quarterly versions of one tag, per quarter (start, end).
fn quarters_of_tag(
    facts: &[RawFact],
    filing_ends: &HashMap<String, NaiveDate>,
) -> BTreeMap<(NaiveDate, NaiveDate), Vec<QuarterVersion>> {
    let periods = versions_by_period(facts);
    let mut out: BTreeMap<(NaiveDate, NaiveDate), Vec<QuarterVersion>> = BTreeMap::new();
    // `fy` is the filing's fiscal year: a prior-year comparative first seen in a later filing
    // carries the later year, so it is moved back by the years between the two period ends.
    let first = |vs: &[Version], end: NaiveDate| {
        vs.first().map(|v| {
            let years_back = filing_ends.get(&v.accn).map_or(0, |filing_end| {
                ((*filing_end - end).num_days() as f64 / 365.25).round() as i32
            });
            (v.fy.map(|fy| fy - years_back), v.fp.clone())
        })
    };
    // Reported three-month values.
    let mut direct_ends = BTreeSet::new();
    for (&(start, end), versions) in &periods {
        if span(start, end) != Some(Span::Quarter) {
            continue;
        }
        direct_ends.insert(end);
        let (fy, fp) = first(versions, end).unwrap_or((None, None));
        let q = out.entry((start, end)).or_default();
        for v in versions {
            q.push(QuarterVersion {
                start,
                end,
                value: v.val,
                filed: v.filed,
                accn: v.accn.clone(),
                form: v.form.clone(),
                derivation: Derivation::Reported,
                fy,
                fp: fp.clone(),
            });
        }
    }
    // Year-to-date values minus the previous year-to-date value from the same start.
    for (&(start, end), minuend) in &periods {
        if span(start, end) != Some(Span::Ytd) || direct_ends.contains(&end) {
            continue;
        }
        let previous = periods.iter().find(|&(&(s, e), _)| {
            s == start && e < end && (80..=100).contains(&(end - e).num_days())
        });
        let Some((&(_, prev_end), subtrahend)) = previous else {
            continue;
        };
        let Some(q_start) = prev_end.checked_add_days(Days::new(1)) else {
            continue;
        };
        let derivation = if days(start, end) >= 350 {
            Derivation::AnnualMinusNineMonths
        } else {
            Derivation::YtdDifference
        };
        let (fy, fp) = first(minuend, end).unwrap_or((None, None));
        // Each filing of either side is a moment the quarter's value may change.
        let mut moments: Vec<&Version> = minuend.iter().chain(subtrahend.iter()).collect();
        moments.sort_by(|a, b| (a.filed, &a.accn).cmp(&(b.filed, &b.accn)));
        let q = out.entry((q_start, end)).or_default();
        for m in moments {
            let at = (m.filed, m.accn.as_str());
            let (Some(total), Some(before)) = (as_of(minuend, at), as_of(subtrahend, at)) else {
                continue;
            };
            q.push(QuarterVersion {
                start: q_start,
                end,
                value: total.val - before.val,
                filed: m.filed,
                accn: m.accn.clone(),
                form: m.form.clone(),
                derivation,
                fy,
                fp: fp.clone(),
            });
        }
    }
    // Repeats of the same value (comparatives in later filings) are not new versions.
    for versions in out.values_mut() {
        versions.sort_by(|a, b| (a.filed, &a.accn).cmp(&(b.filed, &b.accn)));
        let mut last: Option<f64> = None;
        versions.retain(|v| {
            let changed = last.is_none_or(|l| (l - v.value).abs() > 0.5);
            if changed {
                last = Some(v.value);
            }
            changed
        });
    }
    out
}

/// Fiscal-year starts: every year-to-date duration starts on one.
fn fiscal_year_starts(all: &HashMap<String, Vec<RawFact>>) -> BTreeSet<NaiveDate> {
    let mut starts = BTreeSet::new();
    for facts in all.values() {
        for f in facts {
            if let Some(s) = f.start
                && FORMS.contains(&f.form.as_str())
                && span(s, f.end) == Some(Span::Ytd)
            {
                starts.insert(s);
            }
        }
    }
    starts
}

/// The fiscal quarter ending `end`: counted from the fiscal-year start before it, the year named
/// by the calendar year in which that fiscal year ends (a year that ends in the first days of
/// January keeps the previous year's name, as 52/53-week filers do). Without a known start,
/// the `fy`/`fp` of the period's first filing.
fn fiscal_period(
    end: NaiveDate,
    starts: &BTreeSet<NaiveDate>,
    fy: Option<i32>,
    fp: Option<&str>,
) -> Option<FiscalPeriod> {
    // The latest start at least a quarter before the end (a start a few days before it would
    // be a stray, not this quarter's year).
    let year_start = starts
        .range(..=end)
        .rev()
        .take_while(|s| days(**s, end) <= 380)
        .find(|s| days(**s, end) >= 80);
    if let Some(&s) = year_start {
        let quarter = (days(s, end) as f64 / 91.3).round();
        let name_day = s.checked_add_days(Days::new(357))?;
        use chrono::Datelike;
        if (1.0..=4.0).contains(&quarter) {
            return FiscalPeriod::new(name_day.year(), quarter as u8).ok();
        }
    }
    let quarter = match fp? {
        "Q1" => 1,
        "Q2" => 2,
        "Q3" => 3,
        "Q4" | "FY" => 4,
        _ => return None,
    };
    FiscalPeriod::new(fy?, quarter).ok()
}

/// The archive folder of a filing on sec.gov, for people to follow.
pub fn filing_url(cik: u64, accession: &str) -> String {
    format!(
        "https://www.sec.gov/Archives/edgar/data/{cik}/{}/",
        accession.replace('-', "")
    )
}

/// The quarterly values of `metric` from the given tags: per quarter, every version in filing
/// order. Where several tags cover a quarter, the tag with the latest filing wins.
pub fn quarterly(
    facts: &CompanyFacts,
    symbol: &Symbol,
    metric: &Metric,
    tags: &[&str],
) -> Vec<QuarterlyFact> {
    let starts = fiscal_year_starts(&facts.usd);
    // The period a filing reports on ends on the latest end date it lists.
    let mut filing_ends: HashMap<String, NaiveDate> = HashMap::new();
    for f in facts.usd.values().flatten() {
        let e = filing_ends.entry(f.accn.clone()).or_insert(f.end);
        *e = (*e).max(f.end);
    }
    // (latest filing of the tag, quarters of the tag) per tag present.
    let mut per_tag: Vec<(NaiveDate, &str, BTreeMap<_, Vec<QuarterVersion>>)> = tags
        .iter()
        .filter_map(|tag| {
            let raw = facts.usd.get(*tag)?;
            let latest = raw.iter().map(|f| f.filed).max()?;
            Some((latest, *tag, quarters_of_tag(raw, &filing_ends)))
        })
        .collect();
    per_tag.sort_by_key(|t| std::cmp::Reverse(t.0));
    let mut chosen: BTreeMap<NaiveDate, (&str, Vec<QuarterVersion>)> = BTreeMap::new();
    for (_, tag, quarters) in per_tag {
        for ((_, end), versions) in quarters {
            // Quarters of a tag are keyed by end: one quarter ends on a given day.
            if !versions.is_empty() && !chosen.contains_key(&end) {
                chosen.insert(end, (tag, versions));
            }
        }
    }
    let mut out = Vec::new();
    for (end, (tag, versions)) in chosen {
        for v in versions {
            let Some(period) = fiscal_period(end, &starts, v.fy, v.fp.as_deref()) else {
                tracing::debug!(%symbol, %end, tag, "no fiscal period for a quarter; skipped");
                continue;
            };
            if v.value < 0.0 {
                tracing::warn!(%symbol, metric = %metric, %end, tag, value = v.value, accn = %v.accn, "negative quarterly value from the filings");
            }
            out.push(QuarterlyFact {
                symbol: symbol.clone(),
                metric: metric.clone(),
                fiscal_period: period,
                period_start: v.start,
                period_end: v.end,
                value: v.value,
                unit: "USD".into(),
                filed: Some(v.filed),
                form: v.form,
                source: SOURCE.into(),
                source_url: Some(filing_url(facts.cik, &v.accn)),
                accession: Some(v.accn),
                provenance: Provenance::Filed,
                derivation: v.derivation,
                xbrl_tag: Some(tag.to_string()),
                note: None,
            });
        }
    }
    out
}

/// Revenue and capex of a company, every version of every quarter.
pub fn company_quarterly(facts: &CompanyFacts, symbol: &Symbol) -> Vec<QuarterlyFact> {
    let mut out = quarterly(facts, symbol, &Metric::revenue(), &REVENUE_TAGS);
    out.extend(quarterly(facts, symbol, &Metric::capex(), &CAPEX_TAGS));
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn fact(
        start: &str,
        end: &str,
        val: f64,
        accn: &str,
        fp: &str,
        form: &str,
        filed: &str,
    ) -> serde_json::Value {
        json!({"start": start, "end": end, "val": val, "accn": accn, "fy": 2024, "fp": fp,
               "form": form, "filed": filed})
    }

    fn doc(tags: serde_json::Value) -> CompanyFacts {
        let body = json!({"cik": 789019, "entityName": "MICROSOFT CORPORATION",
                          "facts": {"dei": {}, "us-gaap": tags}});
        parse(body.to_string().as_bytes()).unwrap()
    }

    fn msft() -> Symbol {
        Symbol::parse("MSFT").unwrap()
    }

    /// Microsoft FY2024 (July–June) cash additions to property and equipment, $M as filed
    /// year-to-date: Q1 9,917; 6M 19,652; 9M 30,604; year 44,477 (quarters 9,917, 9,735, 10,952, 13,873).
    fn msft_capex() -> serde_json::Value {
        json!({"PaymentsToAcquirePropertyPlantAndEquipment": {"units": {"USD": [
            fact("2023-07-01", "2023-09-30", 9_917e6, "0000950170-23-054855", "Q1", "10-Q", "2023-10-24"),
            fact("2023-07-01", "2023-12-31", 19_652e6, "0000950170-24-008814", "Q2", "10-Q", "2024-01-30"),
            fact("2023-07-01", "2024-03-31", 30_604e6, "0000950170-24-048288", "Q3", "10-Q", "2024-04-25"),
            fact("2023-07-01", "2024-06-30", 44_477e6, "0000950170-24-087843", "FY", "10-K", "2024-07-30"),
            // The next year's Q1 10-Q repeats Q1 FY2024 as a comparative: not a new version.
            fact("2023-07-01", "2023-09-30", 9_917e6, "0000950170-24-118967", "Q1", "10-Q", "2024-10-30"),
        ]}}})
    }

    #[test]
    fn year_to_date_cash_flows_are_differenced() {
        let facts = doc(msft_capex());
        let q = quarterly(&facts, &msft(), &Metric::capex(), &CAPEX_TAGS);
        let values: Vec<(String, String, f64, Derivation)> = q
            .iter()
            .map(|f| {
                (
                    f.fiscal_period.to_string(),
                    format!("{}..{}", f.period_start, f.period_end),
                    f.value / 1e6,
                    f.derivation,
                )
            })
            .collect();
        assert_eq!(
            values,
            vec![
                (
                    "FY2024Q1".into(),
                    "2023-07-01..2023-09-30".into(),
                    9_917.0,
                    Derivation::Reported
                ),
                (
                    "FY2024Q2".into(),
                    "2023-10-01..2023-12-31".into(),
                    9_735.0,
                    Derivation::YtdDifference
                ),
                (
                    "FY2024Q3".into(),
                    "2024-01-01..2024-03-31".into(),
                    10_952.0,
                    Derivation::YtdDifference
                ),
                (
                    "FY2024Q4".into(),
                    "2024-04-01..2024-06-30".into(),
                    13_873.0,
                    Derivation::AnnualMinusNineMonths
                ),
            ]
        );
        assert_eq!(q[3].form, "10-K");
        assert_eq!(q[3].accession.as_deref(), Some("0000950170-24-087843"));
        assert_eq!(
            q[3].source_url.as_deref(),
            Some("https://www.sec.gov/Archives/edgar/data/789019/000095017024087843/")
        );
    }

    #[test]
    fn an_amendment_adds_a_version_and_both_are_kept() {
        let mut tags = msft_capex();
        let usd = tags["PaymentsToAcquirePropertyPlantAndEquipment"]["units"]["USD"]
            .as_array_mut()
            .unwrap();
        usd.push(fact(
            "2023-07-01",
            "2024-06-30",
            44_577e6,
            "0000950170-24-099999",
            "FY",
            "10-K/A",
            "2024-09-15",
        ));
        let q = quarterly(&doc(tags), &msft(), &Metric::capex(), &CAPEX_TAGS);
        let q4: Vec<_> = q.iter().filter(|f| f.fiscal_period.quarter == 4).collect();
        assert_eq!(q4.len(), 2);
        assert_eq!((q4[0].value / 1e6, q4[0].form.as_str()), (13_873.0, "10-K"));
        assert_eq!(
            (q4[1].value / 1e6, q4[1].form.as_str()),
            (13_973.0, "10-K/A")
        );
        assert_eq!(q.len(), 5);
    }

    #[test]
    fn three_month_values_win_and_the_later_revenue_tag_is_chosen() {
        // NVIDIA FY2025: 10-Qs report three months; the 10-K only the year. The old tag has an
        // older, different value for Q1 that must lose to the tag filed last.
        let tags = json!({
            "Revenues": {"units": {"USD": [
                fact("2024-01-29", "2024-04-28", 26_044e6, "0001045810-24-000124", "Q1", "10-Q", "2024-05-29"),
                fact("2024-01-29", "2024-07-28", 56_084e6, "0001045810-24-000264", "Q2", "10-Q", "2024-08-28"),
                fact("2024-04-29", "2024-07-28", 30_040e6, "0001045810-24-000264", "Q2", "10-Q", "2024-08-28"),
                fact("2024-01-29", "2024-10-27", 91_166e6, "0001045810-24-000316", "Q3", "10-Q", "2024-11-20"),
                fact("2024-07-29", "2024-10-27", 35_082e6, "0001045810-24-000316", "Q3", "10-Q", "2024-11-20"),
                fact("2024-01-29", "2025-01-26", 130_497e6, "0001045810-25-000023", "FY", "10-K", "2025-02-26"),
            ]}},
            "RevenueFromContractWithCustomerExcludingAssessedTax": {"units": {"USD": [
                fact("2024-01-29", "2024-04-28", 1e6, "0001045810-24-000001", "Q1", "10-Q", "2024-05-01"),
            ]}},
        });
        let nvda = Symbol::parse("NVDA").unwrap();
        let q = quarterly(&doc(tags), &nvda, &Metric::revenue(), &REVENUE_TAGS);
        let got: Vec<(String, f64, &str)> = q
            .iter()
            .map(|f| {
                (
                    f.fiscal_period.to_string(),
                    f.value / 1e6,
                    f.derivation.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("FY2025Q1".into(), 26_044.0, "reported"),
                ("FY2025Q2".into(), 30_040.0, "reported"),
                ("FY2025Q3".into(), 35_082.0, "reported"),
                ("FY2025Q4".into(), 39_331.0, "annual-minus-nine-months"),
            ]
        );
        assert!(q.iter().all(|f| f.xbrl_tag.as_deref() == Some("Revenues")));
    }

    #[test]
    fn malformed_documents_are_refused() {
        assert!(matches!(
            parse(b"{\"cik\": 1, \"facts\": "),
            Err(ParseError::Json(_))
        ));
        assert!(matches!(
            parse(b"<html>Forbidden</html>"),
            Err(ParseError::Json(_))
        ));
        let missing_val = json!({"cik": 1, "facts": {"us-gaap": {"Revenues": {"units": {"USD": [
            {"start": "2024-01-01", "end": "2024-03-31", "accn": "x", "form": "10-Q", "filed": "2024-05-01"}
        ]}}}}});
        assert!(parse(missing_val.to_string().as_bytes()).is_err());
        let inverted = json!({"cik": 1, "facts": {"us-gaap": {"Revenues": {"units": {"USD": [
            fact("2024-03-31", "2024-01-01", 1.0, "x", "Q1", "10-Q", "2024-05-01")
        ]}}}}});
        assert!(matches!(
            parse(inverted.to_string().as_bytes()),
            Err(ParseError::Shape(_))
        ));
    }

    #[test]
    fn fiscal_periods_come_from_the_dates() {
        let starts: BTreeSet<NaiveDate> = [d("2024-01-29"), d("2023-07-01"), d("2024-12-29")]
            .into_iter()
            .collect();
        let p = |end: &str| fiscal_period(d(end), &starts, None, None).map(|p| p.to_string());
        assert_eq!(p("2024-04-28").as_deref(), Some("FY2025Q1"));
        assert_eq!(p("2025-01-26").as_deref(), Some("FY2025Q4"));
        assert_eq!(p("2023-12-31").as_deref(), Some("FY2024Q2"));
        // No fiscal-year start known: the filing's own fy/fp.
        let none = BTreeSet::new();
        assert_eq!(
            fiscal_period(d("2020-03-31"), &none, Some(2020), Some("Q1")).map(|p| p.to_string()),
            Some("FY2020Q1".into())
        );
    }
}
