//! Properties of the event study that must hold on any data.
#![allow(clippy::unwrap_used)]

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use jevons_analytics::anchoring::{AnchorReason, EventTiming, anchor};
use jevons_analytics::event_study::{NormalModel, StudySpec, event_study_of_prices};
use jevons_analytics::returns::return_panel;
use proptest::prelude::*;

/// Weekday sessions from 2021-01-04, `n` of them.
fn sessions(n: usize) -> Vec<NaiveDate> {
    let mut d = NaiveDate::from_ymd_opt(2021, 1, 4).unwrap();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            out.push(d);
        }
        d += Duration::days(1);
    }
    out
}

fn path(start: f64, rets: &[f64]) -> Vec<f64> {
    let mut p = vec![start];
    for r in rets {
        let last = *p.last().unwrap();
        p.push(last * (1.0 + r));
    }
    p
}

fn series(days: &[NaiveDate], prices: &[f64]) -> Vec<(NaiveDate, f64)> {
    days.iter().copied().zip(prices.iter().copied()).collect()
}

const N: usize = 300;

fn returns_strategy() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-0.08f64..0.08, N - 1)
}

fn model_strategy() -> impl Strategy<Value = NormalModel> {
    prop_oneof![
        Just(NormalModel::Market),
        Just(NormalModel::Mean),
        Just(NormalModel::Adjusted)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn car_is_the_sum_of_the_ars(m in returns_strategy(), s in returns_strategy(), model in model_strategy(), day0 in 270usize..290) {
        let days = sessions(N);
        let (mp, sp) = (path(100.0, &m), path(50.0, &s));
        let (ms, ss) = (series(&days, &mp), series(&days, &sp));
        let spec = StudySpec { model, ..StudySpec::default() };
        let st = event_study_of_prices([("SPY", &ms[..]), ("X", &ss[..])], "SPY", &["X".into()], &EventTiming::day(days[day0]), &spec).unwrap();
        let stock = &st.stocks[0];
        for c in &stock.cars {
            let sum: f64 = stock.ars.iter().filter(|a| a.rel >= c.window.start && a.rel <= c.window.end).map(|a| a.ar).sum();
            prop_assert!((c.car - sum).abs() < 1e-12, "{} vs {}", c.car, sum);
        }
        // The path ends at the CAR of the widest window.
        let last = stock.car_path.last().unwrap();
        let widest = stock.cars.iter().find(|c| c.window.start == -5 && c.window.end == 5).unwrap();
        prop_assert!((last.car - widest.car).abs() < 1e-12);
    }

    #[test]
    fn a_stock_on_itself_has_beta_one_and_no_abnormal_return(m in returns_strategy(), day0 in 260usize..290) {
        let days = sessions(N);
        let mp = path(100.0, &m);
        let ms = series(&days, &mp);
        let st = event_study_of_prices([("SPY", &ms[..])], "SPY", &["SPY".into()], &EventTiming::day(days[day0]), &StudySpec::default()).unwrap();
        let s = &st.stocks[0];
        prop_assert!((s.beta - 1.0).abs() < 1e-9, "beta {}", s.beta);
        prop_assert!(s.alpha.abs() < 1e-12, "alpha {}", s.alpha);
        for a in &s.ars {
            prop_assert!(a.ar.abs() < 1e-12, "AR {} on {}", a.ar, a.day);
        }
    }

    #[test]
    fn scaling_prices_changes_no_return(m in returns_strategy(), s in returns_strategy(), k in 0.01f64..100.0) {
        let days = sessions(N);
        let (mp, sp) = (path(100.0, &m), path(50.0, &s));
        let scaled: Vec<f64> = sp.iter().map(|p| p * k).collect();
        let (ms, ss, ks) = (series(&days, &mp), series(&days, &sp), series(&days, &scaled));
        let a = [("SPY", &ms[..]), ("X", &ss[..])];
        let b = [("SPY", &ms[..]), ("X", &ks[..])];
        let pa = return_panel(a, "SPY", &[]).unwrap();
        let pb = return_panel(b, "SPY", &[]).unwrap();
        for (x, y) in pa.returns[0].iter().zip(&pb.returns[0]).skip(1) {
            prop_assert!((x - y).abs() < 1e-12 * x.abs().max(1.0), "{x} vs {y}");
        }
        let ev = EventTiming::day(days[280]);
        let sa = event_study_of_prices(a, "SPY", &[], &ev, &StudySpec::default()).unwrap();
        let sb = event_study_of_prices(b, "SPY", &[], &ev, &StudySpec::default()).unwrap();
        prop_assert!((sa.stocks[0].cars[1].car - sb.stocks[0].cars[1].car).abs() < 1e-10);
    }

    #[test]
    fn a_weekend_event_moves_to_the_next_session(week in 0usize..50, sunday in any::<bool>()) {
        let days = sessions(N);
        // The Saturday (or Sunday) after the Friday of week `week`.
        let friday = days.iter().filter(|d| d.weekday() == Weekday::Fri).nth(week).copied().unwrap();
        let weekend = friday + Duration::days(if sunday { 2 } else { 1 });
        let a = anchor(&EventTiming::day(weekend), &days).unwrap();
        prop_assert_eq!(a.session, friday + Duration::days(3));
        prop_assert_eq!(a.reason, AnchorReason::NextSessionNoTrading);
        prop_assert_eq!(days[a.index], a.session);
    }
}

#[test]
fn a_gap_in_the_event_window_is_an_error_naming_the_day() {
    let days = sessions(N);
    let m: Vec<f64> = (0..N - 1)
        .map(|i| ((i * 7919) % 101) as f64 / 5000.0 - 0.01)
        .collect();
    let mp = path(100.0, &m);
    let mut sp = path(50.0, &m.iter().map(|r| r * 1.3).collect::<Vec<_>>());
    let s_days: Vec<NaiveDate> = days.clone();
    // Remove the stock's bar on day0 + 2.
    sp.remove(282);
    let mut s_days2 = s_days;
    let missing = s_days2.remove(282);
    let (ms, ss) = (series(&days, &mp), series(&s_days2, &sp));
    let err = event_study_of_prices(
        [("SPY", &ms[..]), ("X", &ss[..])],
        "SPY",
        &["X".into()],
        &EventTiming::day(days[280]),
        &StudySpec::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("X:"), "{err}");
    assert!(err.contains(&missing.to_string()), "{err}");
    assert!(err.contains("gap"), "{err}");
}

#[test]
fn many_events_in_parallel_equal_one_at_a_time() {
    use jevons_analytics::event_study::{event_studies, event_study};
    let days = sessions(N);
    let m: Vec<f64> = (0..N - 1)
        .map(|i| ((i * 7919) % 101) as f64 / 5000.0 - 0.01)
        .collect();
    let s: Vec<f64> = (0..N - 1)
        .map(|i| ((i * 104_729) % 97) as f64 / 4000.0 - 0.012)
        .collect();
    let panel = return_panel(
        [
            ("SPY", &series(&days, &path(100.0, &m))[..]),
            ("X", &series(&days, &path(20.0, &s))[..]),
        ],
        "SPY",
        &[],
    )
    .unwrap();
    // Keys in an order unrelated to the days: results must come back under their own key.
    let events: Vec<(usize, EventTiming)> = (260..290)
        .rev()
        .map(|i| (i, EventTiming::day(days[i])))
        .collect();
    let all = event_studies(&panel, &events, &StudySpec::default());
    assert_eq!(all.len(), events.len());
    for (key, r) in &all {
        let one =
            event_study(&panel, &EventTiming::day(days[*key]), &StudySpec::default()).unwrap();
        // Debug text: NaN (one stock has no cross-sectional t) compares equal that way.
        assert_eq!(format!("{:?}", r.as_ref().unwrap()), format!("{one:?}"));
    }
}
