//! The fundamentals table against a real database: idempotent upserts, amendments kept as
//! history, a filed value replacing a press-release value, and where the two disagree.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use jevons_core::Symbol;
use jevons_core::fundamentals::{Derivation, FiscalPeriod, Metric, Provenance, QuarterlyFact};
use jevons_store::fundamentals;
use jevons_store::testing::fresh_database;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn press(period: &str, start: &str, end: &str, musd: f64, url: &str) -> QuarterlyFact {
    QuarterlyFact {
        symbol: Symbol::parse("NVDA").unwrap(),
        metric: Metric::revenue(),
        fiscal_period: FiscalPeriod::parse(period).unwrap(),
        period_start: d(start),
        period_end: d(end),
        value: musd * 1e6,
        unit: "USD".into(),
        filed: None,
        form: "press-release".into(),
        source: "quarterly_press_releases.csv".into(),
        source_url: Some(url.into()),
        accession: None,
        provenance: Provenance::PressRelease,
        derivation: Derivation::Reported,
        xbrl_tag: None,
        note: Some("rounded".into()),
    }
}

fn filed(
    period: &str,
    start: &str,
    end: &str,
    musd: f64,
    accn: &str,
    form: &str,
    on: &str,
) -> QuarterlyFact {
    QuarterlyFact {
        filed: Some(d(on)),
        form: form.into(),
        source: "sec-edgar".into(),
        source_url: Some(format!(
            "https://www.sec.gov/Archives/edgar/data/1045810/{accn}/"
        )),
        accession: Some(accn.into()),
        provenance: Provenance::Filed,
        xbrl_tag: Some("Revenues".into()),
        note: None,
        ..press(period, start, end, musd, "https://example.com/unused")
    }
}

#[tokio::test]
async fn upserts_are_idempotent_and_the_current_series_prefers_filed_values() {
    let db = fresh_database().await;
    let pool = &db.pool;
    assert!(fundamentals::is_empty(pool).await.unwrap());
    let nvda = Symbol::parse("NVDA").unwrap();
    let revenue = Metric::revenue();
    let releases = vec![
        press(
            "FY2025Q2",
            "2024-04-29",
            "2024-07-28",
            30_000.0,
            "https://example.com/q2",
        ),
        press(
            "FY2025Q3",
            "2024-07-29",
            "2024-10-27",
            35_082.0,
            "https://example.com/q3",
        ),
        press(
            "FY2025Q4",
            "2024-10-28",
            "2025-01-26",
            39_331.0,
            "https://example.com/q4",
        ),
    ];
    let first = fundamentals::upsert_facts(pool, &releases).await.unwrap();
    assert_eq!((first.rows, first.inserted), (3, 3));
    let fetched_before: Vec<_> = fundamentals::history(pool, &nvda, &revenue)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.fetched_at)
        .collect();
    // The same data again changes nothing, not even fetched_at.
    let again = fundamentals::upsert_facts(pool, &releases).await.unwrap();
    assert_eq!((again.rows, again.unchanged, again.written()), (3, 3, 0));
    let fetched_after: Vec<_> = fundamentals::history(pool, &nvda, &revenue)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.fetched_at)
        .collect();
    assert_eq!(fetched_before, fetched_after);

    // Filed values: Q2 exact (the release said $30.0B), Q4 first filed, then amended.
    let filings = vec![
        filed(
            "FY2025Q2",
            "2024-04-29",
            "2024-07-28",
            30_040.0,
            "0001045810-24-000264",
            "10-Q",
            "2024-08-28",
        ),
        filed(
            "FY2025Q4",
            "2024-10-28",
            "2025-01-26",
            39_331.0,
            "0001045810-25-000023",
            "10-K",
            "2025-02-26",
        ),
        filed(
            "FY2025Q4",
            "2024-10-28",
            "2025-01-26",
            39_431.0,
            "0001045810-25-000099",
            "10-K/A",
            "2025-05-01",
        ),
    ];
    let stats = fundamentals::upsert_facts(pool, &filings).await.unwrap();
    assert_eq!(stats.inserted, 3);
    assert_eq!(fundamentals::count(pool).await.unwrap(), 6);

    let current = fundamentals::current_series(pool, &nvda, &revenue, None, None)
        .await
        .unwrap();
    let got: Vec<(String, f64, Provenance, String)> = current
        .iter()
        .map(|f| {
            (
                f.fact.fiscal_period.to_string(),
                f.fact.value / 1e6,
                f.fact.provenance,
                f.fact.form.clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "FY2025Q2".into(),
                30_040.0,
                Provenance::Filed,
                "10-Q".into()
            ),
            (
                "FY2025Q3".into(),
                35_082.0,
                Provenance::PressRelease,
                "press-release".into()
            ),
            (
                "FY2025Q4".into(),
                39_431.0,
                Provenance::Filed,
                "10-K/A".into()
            ),
        ]
    );
    // The range bounds the period end, both ends included.
    let ranged = fundamentals::current_series(
        pool,
        &nvda,
        &revenue,
        Some(d("2024-10-27")),
        Some(d("2024-12-31")),
    )
    .await
    .unwrap();
    assert_eq!(ranged.len(), 1);
    assert_eq!(ranged[0].fact.period_end, d("2024-10-27"));
    // Other metrics and symbols are apart.
    assert!(
        fundamentals::current_series(pool, &nvda, &Metric::capex(), None, None)
            .await
            .unwrap()
            .is_empty()
    );

    // Both Q4 filings are kept.
    let history = fundamentals::history(pool, &nvda, &revenue).await.unwrap();
    let q4: Vec<_> = history
        .iter()
        .filter(|f| f.fact.period_end == d("2025-01-26"))
        .collect();
    assert_eq!(q4.len(), 3, "{q4:?}");

    // Q2 differs by $40M (0.13%): rounding. Q4 differs by $100M (0.25%): rounding too. A bigger
    // gap is listed.
    assert!(
        fundamentals::discrepancies(pool, None)
            .await
            .unwrap()
            .is_empty()
    );
    let off = vec![press(
        "FY2025Q4",
        "2024-10-28",
        "2025-01-26",
        38_000.0,
        "https://example.com/q4-wrong",
    )];
    fundamentals::upsert_facts(pool, &off).await.unwrap();
    let listed = fundamentals::discrepancies(pool, Some(&nvda))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].fiscal_period, "FY2025Q4");
    assert_eq!(listed[0].difference, 1_431e6);
    assert_eq!(listed[0].filed_form, "10-K/A");

    let series = fundamentals::series(pool).await.unwrap();
    assert_eq!(series.len(), 1);
    assert_eq!((series[0].quarters, series[0].filed_quarters), (3, 2));
}

#[tokio::test]
async fn bad_facts_write_nothing() {
    let db = fresh_database().await;
    let mut bad = press(
        "FY2025Q3",
        "2024-07-29",
        "2024-10-27",
        1.0,
        "https://example.com/x",
    );
    bad.value = f64::NAN;
    let batch = vec![
        press(
            "FY2025Q2",
            "2024-04-29",
            "2024-07-28",
            30_000.0,
            "https://example.com/q2",
        ),
        bad,
    ];
    let err = fundamentals::upsert_facts(&db.pool, &batch)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("out of range"), "{err}");
    let mut no_accession = filed(
        "FY2025Q2",
        "2024-04-29",
        "2024-07-28",
        1.0,
        "x",
        "10-Q",
        "2024-08-28",
    );
    no_accession.accession = None;
    assert!(
        fundamentals::upsert_facts(&db.pool, &[no_accession])
            .await
            .is_err()
    );
    assert!(fundamentals::is_empty(&db.pool).await.unwrap());
}
