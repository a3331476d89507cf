//! Pooled event studies by class on the bundled data: stored by `events.study`, read by
//! `/shocks` and `/api/v1/shocks`.

use chrono::Utc;
use jevons_jobs::{Job, run_job};
use jevons_store::job_runs::RunStatus;
use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn efficiency_and_capability_events_are_pooled_and_compared() {
    let app = spawn_app(true).await;
    // Before the job: the page says how to get the results, the API answers 404.
    let html = app.get("/shocks").await.text().await.unwrap();
    assert!(html.contains("jevons jobs run events.study"), "{html}");
    assert_eq!(app.get("/api/v1/shocks").await.status(), 404);

    let run = run_job(&app.job_context(), Job::EventsStudy, Utc::now())
        .await
        .unwrap();
    assert_eq!(run.status, RunStatus::Succeeded, "{run:?}");

    let body: Value = app.get("/api/v1/shocks").await.json().await.unwrap();
    let view = &body["view"];
    let classes = view["classes"].as_array().unwrap();
    let class = |name: &str| classes.iter().find(|c| c["class"] == name).unwrap();
    let efficiency = class("efficiency");
    let capability = class("capability");
    for c in [efficiency, capability] {
        let study = &c["study"];
        assert!(study.is_object(), "{}: {}", c["class"], c["message"]);
        assert!(study["events"].as_u64().unwrap() >= 2);
        let windows = study["windows"].as_array().unwrap();
        assert_eq!(windows.len(), 4);
        for w in windows {
            for test in [
                "cross_sectional",
                "bmp",
                "kolari_pynnonen",
                "sign",
                "corrado",
            ] {
                let p = w[test]["p"].as_f64().unwrap();
                assert!((0.0..=1.0).contains(&p), "{test}: {w}");
            }
        }
    }
    // The sentence is written from the stored numbers of both classes.
    let sentence = view["sentence"].as_str().unwrap();
    let n_eff = efficiency["study"]["events"].as_u64().unwrap();
    assert!(
        sentence.contains(&format!("Across {n_eff} efficiency events")),
        "{sentence}"
    );
    assert!(sentence.contains("capability"), "{sentence}");
    // Leave-one-out and the second benchmark.
    let variants = view["variants"].as_array().unwrap();
    assert!(variants.iter().any(|v| {
        v["label"]
            .as_str()
            .unwrap()
            .contains("without its largest event")
    }));
    assert!(
        variants
            .iter()
            .any(|v| v["label"] == "efficiency, against SOXX")
    );

    // One class, one window; bad input is a clear 400.
    let one: Value = app
        .get("/api/v1/shocks?class=efficiency&window=0,1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["view"]["classes"].as_array().unwrap().len(), 1);
    assert_eq!(
        one["view"]["classes"][0]["study"]["windows"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    for (path, needle) in [
        ("/api/v1/shocks?class=miracle", "class"),
        ("/api/v1/shocks?window=0,9", "window"),
        ("/api/v1/shocks?window=zero", "window"),
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status(), 400, "{path}");
        let body: Value = r.json().await.unwrap();
        assert!(
            body["error"]["message"].as_str().unwrap().contains(needle),
            "{body}"
        );
    }

    // A weekly digest of a week in which an efficiency event happened says so, with the
    // class's result as it now stands.
    let row = &efficiency["study"]["rows"][0];
    let day0: chrono::NaiveDate = row["day0"].as_str().unwrap().parse().unwrap();
    let title = efficiency["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == row["event"])
        .unwrap()["title"]
        .as_str()
        .unwrap()
        .to_string();
    let digests = jevons_digest::Digests::new(app.pool().clone(), app.settings.clone())
        .await
        .unwrap();
    let week = digests
        .preview(
            jevons_digest::Cadence::Weekly,
            &[],
            jevons_digest::ImageMode::DataUri,
            Some(day0 + chrono::Duration::days(2)),
        )
        .await
        .unwrap();
    assert!(
        week.html.contains("Efficiency shocks, pooled"),
        "the pooled section"
    );
    assert!(
        week.html
            .contains(&format!("New efficiency event(s): {title}")),
        "{title}"
    );
    assert!(
        week.text
            .contains(&format!("Across {n_eff} efficiency events"))
    );

    // The page: the rule, the sentence, the tables and the events that a click opens.
    let html = app.get("/shocks").await.text().await.unwrap();
    assert!(html.contains("costs less (blended API price) than every earlier model"));
    assert!(html.contains("Kolari"));
    // Each event opens its own study: the event page where the release is a stored event
    // (DeepSeek-R1), else the study of its day.
    assert!(
        html.contains("href=\"/events/"),
        "stored events open their page"
    );
    assert!(
        html.contains("href=\"/api/v1/event-study?day="),
        "other releases open their day"
    );
    assert!(html.contains("efficiency, without its largest event"));
}
