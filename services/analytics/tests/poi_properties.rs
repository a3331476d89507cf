//! Properties of the price-of-intelligence fit: the decline factor is a rate, so it must not
//! depend on the price unit (scaling every price) or on the calendar origin (shifting every
//! date by the same number of days).
#![allow(clippy::unwrap_used)]

use chrono::{Duration, NaiveDate};
use jevons_analytics::price_of_intelligence::{
    FitRule, ModelPricePoint, PoiOptions, PriceBasis, Threshold, price_of_intelligence,
};
use proptest::prelude::*;

fn points(raw: &[(u16, u16, f64, f64)]) -> Vec<ModelPricePoint> {
    let base = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap();
    raw.iter()
        .enumerate()
        .map(|(i, &(rel, lag, score, ln_price))| {
            let released = base + Duration::days(i64::from(rel));
            ModelPricePoint {
                model: format!("m{i}"),
                released,
                score,
                usd_per_mtok: ln_price.exp(),
                effective: released + Duration::days(i64::from(lag)),
                basis: if lag == 0 {
                    PriceBasis::Backfilled
                } else {
                    PriceBasis::Dated
                },
            }
        })
        .collect()
}

fn factor(pts: &[ModelPricePoint], rule: FitRule) -> Option<f64> {
    let opts = PoiOptions {
        rule,
        ..PoiOptions::default()
    };
    price_of_intelligence(pts, &Threshold::Score { score: 0.5 }, &opts)
        .unwrap()
        .fit
        .fit()
        .map(|f| f.factor_per_year)
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a.ln() - b.ln()).abs() <= 1e-9 * a.ln().abs().max(1.0),
        (None, None) => true,
        _ => false,
    }
}

proptest! {
    #[test]
    fn scaling_prices_leaves_the_decline_unchanged(
        raw in prop::collection::vec((0u16..1500, 0u16..90, 0.0f64..1.0, -4.0f64..4.0), 3..25),
        ln_k in -5.0f64..5.0,
        epoch in any::<bool>(),
    ) {
        let rule = if epoch { FitRule::CheapestAtArrival } else { FitRule::StepChanges };
        let pts = points(&raw);
        let scaled: Vec<_> = pts.iter().cloned().map(|mut p| { p.usd_per_mtok *= ln_k.exp(); p }).collect();
        prop_assert!(close(factor(&pts, rule), factor(&scaled, rule)));
    }

    #[test]
    fn shifting_time_leaves_the_decline_unchanged(
        raw in prop::collection::vec((0u16..1500, 0u16..90, 0.0f64..1.0, -4.0f64..4.0), 3..25),
        shift in -3000i64..3000,
        epoch in any::<bool>(),
    ) {
        let rule = if epoch { FitRule::CheapestAtArrival } else { FitRule::StepChanges };
        let pts = points(&raw);
        let moved: Vec<_> = pts.iter().cloned().map(|mut p| {
            p.released += Duration::days(shift);
            p.effective += Duration::days(shift);
            p
        }).collect();
        prop_assert!(close(factor(&pts, rule), factor(&moved, rule)));
    }
}
