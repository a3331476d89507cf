//! The event study of the 2025-01-27 sell-off on the bundled data, against the independent
//! numpy implementation in scripts/event_study_reference.py (its output is the fixture).
#![allow(clippy::unwrap_used)]

mod common;

use common::{close, fixture};

use jevons_analytics::anchoring::{AnchorReason, EventTiming};
use jevons_analytics::event_study::{NormalModel, StudySpec, event_study_of_prices};

#[test]
fn matches_the_numpy_reference_for_every_model() {
    let fixture = fixture("event_study_reference.json");
    let symbols: Vec<String> = fixture["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    let mut all: Vec<&str> = symbols.iter().map(String::as_str).collect();
    all.push("SPY");
    let prices = common::prices(&all);
    let day = chrono::NaiveDate::from_ymd_opt(2025, 1, 27).unwrap();

    for (name, model) in [
        ("market", NormalModel::Market),
        ("mean", NormalModel::Mean),
        ("adjusted", NormalModel::Adjusted),
    ] {
        let spec = StudySpec {
            model,
            ..StudySpec::default()
        };
        let study = event_study_of_prices(
            common::series(&prices),
            "SPY",
            &symbols,
            &EventTiming::day(day),
            &spec,
        )
        .unwrap();
        let want = &fixture["models"][name];
        assert_eq!(
            study.anchor.session.to_string(),
            want["day0"].as_str().unwrap()
        );
        assert_eq!(study.anchor.reason, AnchorReason::EventDay);
        assert!(study.skipped.is_empty(), "{:?}", study.skipped);
        assert_eq!(study.stocks.len(), symbols.len());
        for s in &study.stocks {
            let w = &want["stocks"][&s.symbol];
            let l = format!("{name} {}", s.symbol);
            close(&format!("{l} alpha"), s.alpha, &w["alpha"]);
            close(&format!("{l} beta"), s.beta, &w["beta"]);
            close(&format!("{l} sigma"), s.sigma, &w["sigma"]);
            assert_eq!(
                s.estimation_days as u64,
                w["estimation_days"].as_u64().unwrap()
            );
            for (i, a) in s.ars.iter().enumerate() {
                close(&format!("{l} AR{:+}", a.rel), a.ar, &w["ar"][i]);
                close(&format!("{l} t{:+}", a.rel), a.t, &w["ar_t"][i]);
            }
            for (i, c) in s.cars.iter().enumerate() {
                let wc = &w["cars"][i];
                let wl = format!("{l} {}", c.window);
                close(&format!("{wl} CAR"), c.car, &wc["car"]);
                close(&format!("{wl} t"), c.t, &wc["t"]);
                close(&format!("{wl} BHAR"), c.bhar, &wc["bhar"]);
            }
        }
        for (i, g) in study.group.iter().enumerate() {
            let wg = &want["group"][i];
            let l = format!("{name} group {}", g.window);
            close(&format!("{l} mean CAR"), g.mean_car, &wg["mean_car"]);
            close(
                &format!("{l} cs t"),
                g.cross_sectional_t,
                &wg["cross_sectional_t"],
            );
            close(&format!("{l} Patell"), g.patell_z, &wg["patell_z"]);
            close(&format!("{l} Patell p"), g.patell_p, &wg["patell_p"]);
            close(&format!("{l} BMP"), g.bmp_t, &wg["bmp_t"]);
            close(&format!("{l} Corrado"), g.corrado_z, &wg["corrado_z"]);
            close(&format!("{l} Corrado p"), g.corrado_p, &wg["corrado_p"]);
        }
    }
}

#[test]
fn the_sell_off_is_significant_and_the_facts_hold() {
    let prices = common::prices(&["NVDA", "AVGO", "SPY"]);
    let day = chrono::NaiveDate::from_ymd_opt(2025, 1, 27).unwrap();
    let symbols = vec!["NVDA".to_string(), "AVGO".to_string()];
    let study = event_study_of_prices(
        common::series(&prices),
        "SPY",
        &symbols,
        &EventTiming::day(day),
        &StudySpec::default(),
    )
    .unwrap();
    let nvda = &study.stocks[0];
    // Raw return on the day: −16.97% (facts.md M1); the AR is most of it.
    let d0 = nvda.ar(0).unwrap();
    assert!((d0.ret + 0.1697).abs() < 5e-4, "{}", d0.ret);
    assert!(d0.ar < -0.12 && d0.p < 1e-4, "{d0:?}");
    assert!(
        (d0.market_ret + 0.0141).abs() < 5e-4,
        "SPY −1.41%: {}",
        d0.market_ret
    );
}

#[test]
fn too_little_history_names_the_stock_and_the_days() {
    // ARM listed on 2023-09-14; the data start 2023-07-03, so an event in early 2024 lacks the
    // 250 sessions of estimation for everyone, and ARM is even shorter.
    let prices = common::prices(&["ARM", "SPY"]);
    let day = chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
    let err = event_study_of_prices(
        common::series(&prices),
        "SPY",
        &["ARM".to_string()],
        &EventTiming::day(day),
        &StudySpec::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("ARM"), "{err}");
    assert!(err.contains("too few estimation days"), "{err}");
    assert!(err.contains("2023-07-03"), "{err}");
}
