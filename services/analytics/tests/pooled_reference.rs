//! The pooled study of eight 2024–2025 model-release events on the bundled data, against the
//! independent numpy/scipy implementation in scripts/pooled_study_reference.py (its output is
//! the fixture).
#![allow(clippy::unwrap_used)]

mod common;

use common::{close, fixture};

use jevons_analytics::anchoring::EventTiming;
use jevons_analytics::event_study::{EventStudy, StudySpec, event_studies};
use jevons_analytics::pooled::{ClassOutcome, default_windows, pooled_study, sentence};
use jevons_analytics::returns::return_panel;
use serde_json::Value;

#[test]
fn matches_the_numpy_reference() {
    let fixture = fixture("pooled_study_reference.json");
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    let symbols = strings(&fixture["symbols"]);
    let event_days = strings(&fixture["events"]);
    let mut all: Vec<&str> = symbols.iter().map(String::as_str).collect();
    all.push("SPY");
    let prices = common::prices(&all);
    let panel = return_panel(common::series(&prices), "SPY", &symbols).unwrap();
    let events: Vec<(String, EventTiming)> = event_days
        .iter()
        .map(|d| {
            let day = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
            (d.clone(), EventTiming::day(day))
        })
        .collect();
    let studies = event_studies(&panel, &events, &StudySpec::default());
    let studies: Vec<(String, EventStudy)> =
        studies.into_iter().map(|(k, r)| (k, r.unwrap())).collect();
    for ((k, st), (want_session, want_r)) in studies.iter().zip(
        strings(&fixture["sessions"])
            .iter()
            .zip(fixture["event_r"].as_array().unwrap()),
    ) {
        assert!(st.skipped.is_empty(), "{k}: {:?}", st.skipped);
        assert_eq!(&st.anchor.session.to_string(), want_session, "{k}");
        close(
            &format!("{k} residual correlation"),
            st.cross.residual_correlation,
            want_r,
        );
    }
    let input: Vec<(String, &EventStudy)> = studies.iter().map(|(k, s)| (k.clone(), s)).collect();
    let pooled = pooled_study(&input, &default_windows()).unwrap();

    assert_eq!(
        pooled.observations as u64,
        fixture["observations"].as_u64().unwrap()
    );
    let clusters: Vec<Vec<String>> = fixture["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(strings)
        .collect();
    let got: Vec<Vec<String>> = pooled.clusters.iter().map(|c| c.events.clone()).collect();
    assert_eq!(got, clusters);

    for (g, w) in pooled
        .windows
        .iter()
        .zip(fixture["windows"].as_array().unwrap())
    {
        let l = format!("{}", g.window);
        assert_eq!(g.n as u64, w["n"].as_u64().unwrap(), "{l} N");
        assert_eq!(g.positive as u64, w["positive"].as_u64().unwrap(), "{l} w");
        close(&format!("{l} CAAR"), g.caar, &w["caar"]);
        close(
            &format!("{l} cs t"),
            g.cross_sectional.statistic,
            &w["cs_t"],
        );
        close(&format!("{l} cs p"), g.cross_sectional.p, &w["cs_p"]);
        close(&format!("{l} BMP t"), g.bmp.statistic, &w["bmp_t"]);
        close(&format!("{l} BMP p"), g.bmp.p, &w["bmp_p"]);
        close(&format!("{l} r pooled"), g.pooled_correlation, &w["r_pool"]);
        close(
            &format!("{l} KP t"),
            g.kolari_pynnonen.statistic,
            &w["kp_t"],
        );
        close(&format!("{l} KP p"), g.kolari_pynnonen.p, &w["kp_p"]);
        close(&format!("{l} p hat"), g.expected_positive, &w["p_hat"]);
        close(&format!("{l} sign z"), g.sign.statistic, &w["sign_z"]);
        close(&format!("{l} sign p"), g.sign.p, &w["sign_p"]);
        close(
            &format!("{l} Corrado z"),
            g.corrado.statistic,
            &w["corrado_z"],
        );
        close(&format!("{l} Corrado p"), g.corrado.p, &w["corrado_p"]);
    }
    // The sentence, from two made-up classes of the same events: its numbers are the results'.
    let early = pooled_study(&input[..4], &default_windows());
    let late = pooled_study(&input[4..], &default_windows());
    let w01 = default_windows()[1];
    let text = sentence(
        &[
            ClassOutcome {
                class: "early",
                outcome: &early,
            },
            ClassOutcome {
                class: "late",
                outcome: &late,
            },
        ],
        w01,
    )
    .unwrap();
    println!("{text}");
    let e = early.as_ref().unwrap().window(w01).unwrap();
    let pct = format!("{:.1}%", e.caar.abs() * 100.0);
    assert!(text.starts_with("Across 4 early events"), "{text}");
    assert!(text.contains(&pct), "{text} lacks {pct}");
    assert!(text.contains("; across 4 late events"), "{text}");

    let path = fixture["path"].as_array().unwrap();
    assert_eq!(pooled.path.len(), path.len());
    for (p, w) in pooled.path.iter().zip(path) {
        assert_eq!(i64::from(p.rel), w["rel"].as_i64().unwrap());
        close(&format!("CAAR{:+}", p.rel), p.caar, &w["caar"]);
        close(&format!("band{:+}", p.rel), p.band, &w["band"]);
    }
}
