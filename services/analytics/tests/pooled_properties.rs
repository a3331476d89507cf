//! Properties of the pooled study that must hold on any data, and its outcomes on bad input.
#![allow(clippy::unwrap_used)]

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use jevons_analytics::anchoring::EventTiming;
use jevons_analytics::event_study::{EventStudy, NormalModel, StudySpec, event_studies};
use jevons_analytics::pooled::{
    ClassOutcome, PooledError, PooledStudy, default_windows, pooled_study, sentence, without_event,
    without_largest,
};
use jevons_analytics::returns::return_panel;
use proptest::prelude::*;

const N: usize = 520;
/// Day-0 indices: five apart enough, then two within a week (one cluster).
const DAYS: [usize; 6] = [300, 330, 360, 390, 420, 423];

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

fn path(rets: &[f64]) -> Vec<f64> {
    let mut p = vec![100.0];
    for r in rets {
        let last = *p.last().unwrap();
        p.push(last * (1.0 + r));
    }
    p
}

/// Studies of the `DAYS` events on a market and `stocks` return series (the adjusted model
/// when `adjusted`).
fn studies(market: &[f64], stocks: &[Vec<f64>], adjusted: bool) -> Vec<(i64, EventStudy)> {
    let days = sessions(N);
    let mut series: Vec<(String, Vec<(NaiveDate, f64)>)> = vec![(
        "SPY".into(),
        days.iter().copied().zip(path(market)).collect(),
    )];
    for (i, s) in stocks.iter().enumerate() {
        series.push((format!("S{i}"), days.iter().copied().zip(path(s)).collect()));
    }
    let symbols: Vec<String> = (0..stocks.len()).map(|i| format!("S{i}")).collect();
    let series = series.iter().map(|(s, b)| (s.as_str(), b.as_slice()));
    let panel = return_panel(series, "SPY", &symbols).unwrap();
    let events: Vec<(i64, EventTiming)> = DAYS
        .iter()
        .enumerate()
        .map(|(i, d)| (i as i64 + 1, EventTiming::day(days[*d])))
        .collect();
    let spec = StudySpec {
        model: if adjusted {
            NormalModel::Adjusted
        } else {
            NormalModel::Market
        },
        ..StudySpec::default()
    };
    event_studies(&panel, &events, &spec)
        .into_iter()
        .map(|(k, r)| (k, r.unwrap()))
        .collect()
}

fn refs(s: &[(i64, EventStudy)]) -> Vec<(i64, &EventStudy)> {
    s.iter().map(|(k, s)| (*k, s)).collect()
}

fn same_numbers(a: &PooledStudy<i64>, b: &PooledStudy<i64>) -> Result<(), TestCaseError> {
    let near =
        |x: f64, y: f64| (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-12 * x.abs().max(1.0);
    prop_assert_eq!(a.observations, b.observations);
    for (x, y) in a.windows.iter().zip(&b.windows) {
        prop_assert_eq!(x.n, y.n);
        prop_assert_eq!(x.positive, y.positive);
        for (u, v) in [
            (x.caar, y.caar),
            (x.cross_sectional.statistic, y.cross_sectional.statistic),
            (x.bmp.statistic, y.bmp.statistic),
            (x.kolari_pynnonen.statistic, y.kolari_pynnonen.statistic),
            (x.sign.statistic, y.sign.statistic),
            (x.corrado.statistic, y.corrado.statistic),
        ] {
            prop_assert!(near(u, v), "{} {u} vs {v}", x.window);
        }
    }
    for (x, y) in a.path.iter().zip(&b.path) {
        prop_assert!(near(x.caar, y.caar) && near(x.band, y.band));
    }
    Ok(())
}

fn rets() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-0.05f64..0.05, N - 1)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn zero_abnormal_returns_give_zero_caar(m in rets()) {
        // Stocks that are the benchmark: under the market-adjusted model every AR is 0.
        let st = studies(&m, &[m.clone(), m.clone()], true);
        let p = pooled_study(&refs(&st), &default_windows()).unwrap();
        for w in &p.windows {
            prop_assert_eq!(w.caar, 0.0);
        }
        for d in &p.path {
            prop_assert_eq!(d.caar, 0.0);
        }
    }

    #[test]
    fn permuting_events_changes_nothing(m in rets(), a in rets(), b in rets(), c in rets(), seed in 0usize..720) {
        let st = studies(&m, &[a, b, c], false);
        let base = pooled_study(&refs(&st), &default_windows()).unwrap();
        let mut shuffled = refs(&st);
        // A permutation from the seed (Lehmer code).
        let mut s = seed;
        for i in (1..shuffled.len()).rev() {
            shuffled.swap(i, s % (i + 1));
            s /= i + 1;
        }
        let other = pooled_study(&shuffled, &default_windows()).unwrap();
        prop_assert_eq!(&base, &other);
    }

    #[test]
    fn a_clustered_duplicate_changes_nothing(m in rets(), a in rets(), b in rets(), which in 0usize..6) {
        let st = studies(&m, &[a, b], false);
        let base = pooled_study(&refs(&st), &default_windows()).unwrap();
        let mut more = refs(&st);
        more.push((99, more[which].1));
        let dup = pooled_study(&more, &default_windows()).unwrap();
        prop_assert!(dup.clusters.iter().any(|c| c.events.contains(&99)), "the duplicate is reported as clustered");
        same_numbers(&base, &dup)?;
    }
}

#[test]
fn clusters_too_few_and_the_sentence() {
    let m: Vec<f64> = (0..N - 1)
        .map(|i| 0.01 * ((i * 7 % 13) as f64 - 6.0) / 6.0)
        .collect();
    let s1: Vec<f64> = (0..N - 1)
        .map(|i| 0.02 * ((i * 5 % 11) as f64 - 5.0) / 5.0)
        .collect();
    let s2: Vec<f64> = (0..N - 1)
        .map(|i| 0.015 * ((i * 3 % 17) as f64 - 8.0) / 8.0)
        .collect();
    let st = studies(&m, &[s1, s2], false);
    let p = pooled_study(&refs(&st), &default_windows()).unwrap();
    assert_eq!(p.events, 6);
    assert_eq!(p.observations, 5);
    assert_eq!(p.clusters.len(), 1);
    assert_eq!(p.clusters[0].events, vec![5, 6]);
    assert_eq!(p.rows.iter().filter(|r| r.cluster == Some(0)).count(), 2);

    // One event, or two that cluster into one observation: too few.
    let one = pooled_study(&refs(&st)[..1], &default_windows());
    assert!(
        matches!(one, Err(PooledError::TooFewEvents { events: 1, .. })),
        "{one:?}"
    );
    let pair = pooled_study(&refs(&st)[4..], &default_windows());
    assert!(
        matches!(
            pair,
            Err(PooledError::TooFewEvents {
                events: 2,
                observations: 1
            })
        ),
        "{pair:?}"
    );
    let msg = pair.as_ref().unwrap_err().to_string();
    assert!(msg.contains("at least 2"), "{msg}");

    let w01 = default_windows()[1];
    let ok: Result<PooledStudy<i64>, PooledError> = Ok(p.clone());
    let text = sentence(
        &[
            ClassOutcome {
                class: "efficiency",
                outcome: &ok,
            },
            ClassOutcome {
                class: "news",
                outcome: &one,
            },
        ],
        w01,
    )
    .unwrap();
    assert!(
        text.starts_with("Across 6 efficiency events (5 after clustering"),
        "{text}"
    );
    assert!(text.contains("mean CAR[0,1] was"), "{text}");
    assert!(text.contains("BMP t = "), "{text}");
    assert!(text.contains("1 news event is too few to pool"), "{text}");
    assert!(!text.contains("NaN"), "{text}");
    let none = sentence(
        &[ClassOutcome {
            class: "news",
            outcome: &one,
        }],
        w01,
    );
    assert!(matches!(none, Err(PooledError::TooFewEvents { .. })));

    // Leave-one-out.
    let without = without_event(&refs(&st), &default_windows(), &2).unwrap();
    assert_eq!(without.study.events, 5);
    assert!(without_event(&refs(&st), &default_windows(), &42).is_err());
    let largest = without_largest(&refs(&st), &default_windows(), w01).unwrap();
    let biggest = p
        .rows
        .iter()
        .map(|r| (r.mean_car[1].mean_car.abs(), r.event))
        .fold((f64::MIN, 0), |a, b| if b.0 > a.0 { b } else { a });
    assert_eq!(largest.event, biggest.1);

    // A window outside the studies' days is refused with a message.
    let bad = pooled_study(
        &refs(&st),
        &[jevons_analytics::event_study::Window { start: 0, end: 9 }],
    );
    assert!(
        matches!(bad, Err(PooledError::Invalid(ref m)) if m.contains("outside")),
        "{bad:?}"
    );
}
