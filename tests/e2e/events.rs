//! Events, event studies, correlations and the DeepSeek story, through HTTP.

use secrecy::SecretString;
use serde_json::{Value, json};

use crate::helpers::*;

async fn json_of(app: &TestApp, path: &str) -> (u16, Value) {
    let r = app.get(path).await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

#[tokio::test]
async fn the_sell_off_study_through_the_api() {
    let app = spawn_app(true).await;
    let (status, body) = json_of(
        &app,
        "/api/v1/event-study?day=2025-01-27&symbols=NVDA,AVGO&benchmark=SPY&model=market&estimation=-250,-11&windows=0,0;-1,1",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["anchor"]["session"], "2025-01-27");
    assert_eq!(body["anchor"]["reason"], "event_day");
    let stocks = body["stocks"].as_array().unwrap();
    assert_eq!(stocks.len(), 2);
    let nvda = &stocks[0];
    assert_eq!(nvda["symbol"], "NVDA");
    assert_eq!(nvda["estimation_days"], 240);
    assert!(nvda["beta"].as_f64().unwrap() > 1.0);
    let ar0 = nvda["ars"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["rel"] == 0)
        .unwrap();
    assert!(
        (ar0["ret"].as_f64().unwrap() + 0.1697).abs() < 5e-4,
        "{ar0}"
    );
    assert!(ar0["ar"].as_f64().unwrap() < -0.1);
    assert!(ar0["p"].as_f64().unwrap() < 0.001);
    assert_eq!(nvda["cars"].as_array().unwrap().len(), 2);
    assert_eq!(body["group"].as_array().unwrap().len(), 2);
    assert!(body["group"][0]["patell_z"].as_f64().unwrap() < -3.0);

    let csv = app
        .get("/api/v1/event-study?day=2025-01-27&symbols=NVDA,AVGO&windows=0,0;-1,1&format=csv")
        .await;
    assert_eq!(csv.status(), 200);
    assert!(header(&csv, "content-type").starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    assert_eq!(text.lines().count(), 1 + 4, "{text}");
    assert!(
        text.lines()
            .nth(1)
            .unwrap()
            .starts_with("2025-01-27,2025-01-27,NVDA,SPY,market,")
    );
}

#[tokio::test]
async fn anchoring_is_explained_and_bad_input_is_a_clear_error() {
    let app = spawn_app(true).await;
    // 2025-01-20 (R1, Martin Luther King Jr. Day): no session in the data → 2025-01-21.
    let (status, body) = json_of(&app, "/api/v1/event-study?day=2025-01-20&symbols=NVDA").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["anchor"]["session"], "2025-01-21");
    assert_eq!(body["anchor"]["reason"], "next_session_no_trading");
    assert!(
        body["anchor"]["explanation"]
            .as_str()
            .unwrap()
            .contains("Monday")
    );
    // Friday 17:00 New York, after the close → Monday.
    let (_, body) = json_of(
        &app,
        "/api/v1/event-study?day=2025-01-24&time=17:00&time_zone=America/New_York&symbols=NVDA",
    )
    .await;
    assert_eq!(body["anchor"]["session"], "2025-01-27");
    assert_eq!(body["anchor"]["reason"], "next_session_after_close");

    // ARM listed 2023-09-14 and the data start 2023-07-03: no 250-day estimation window.
    let (status, body) = json_of(&app, "/api/v1/event-study?day=2024-02-01&symbols=ARM").await;
    assert_eq!(status, 400, "{body}");
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("ARM") && msg.contains("too few estimation days"),
        "{msg}"
    );
    for bad in [
        "/api/v1/event-study",
        "/api/v1/event-study?day=2025-01-27&model=capm",
        "/api/v1/event-study?day=2025-01-27&windows=3,1",
        "/api/v1/event-study?day=2025-01-27&estimation=-5,-1",
        "/api/v1/event-study?day=2025-01-27&time=25:00",
        "/api/v1/event-study?day=2031-01-01",
        "/api/v1/event-study?event_id=999999",
    ] {
        let (status, body) = json_of(&app, bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["error"]["code"], "bad_request");
    }
}

#[tokio::test]
async fn posting_events_needs_the_key() {
    // No key configured: writes are disabled.
    let app = spawn_app(true).await;
    let event = json!({"day": "2025-02-26", "time": "16:20:00", "time_zone": "America/New_York",
                       "kind": "earnings", "title": "NVIDIA Q4 FY2025 results"});
    let r = app
        .client
        .post(format!("{}/api/v1/events", app.address))
        .header("x-api-key", "anything")
        .json(&event)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // An empty key is no key: an empty header does not match it, writes stay disabled.
    let app = spawn_app_with(true, |s| {
        s.api.key = Some(SecretString::from(""));
    })
    .await;
    for (name, value) in [
        ("x-api-key", ""),
        ("Authorization", "Bearer "),
        ("x-api-key", " "),
    ] {
        let r = app
            .client
            .post(format!("{}/api/v1/events", app.address))
            .header(name, value)
            .json(&event)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{name}: {value:?}");
    }

    let app = spawn_app_with(true, |s| {
        s.api.key = Some(SecretString::from("test-key-123"));
    })
    .await;
    let post = |key: Option<&'static str>, body: Value| {
        let mut req = app
            .client
            .post(format!("{}/api/v1/events", app.address))
            .json(&body);
        if let Some(k) = key {
            req = req.header("Authorization", format!("Bearer {k}"));
        }
        req.send()
    };
    assert_eq!(post(None, event.clone()).await.unwrap().status(), 401);
    assert_eq!(
        post(Some("test-key-12"), event.clone())
            .await
            .unwrap()
            .status(),
        401
    );
    let r = post(Some("test-key-123"), event.clone()).await.unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let r = post(Some("test-key-123"), event.clone()).await.unwrap();
    assert_eq!(r.status(), 200, "the same event again updates it");
    assert_eq!(r.json::<Value>().await.unwrap()["id"], created["id"]);
    let r = post(
        Some("test-key-123"),
        json!({"day": "2025-02-26", "kind": "rumour", "title": "x"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 400);

    let (status, list) = json_of(&app, "/api/v1/events?kind=earnings").await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    // After the close on 2025-02-26 → day 0 is 2025-02-27.
    let (_, study) = json_of(
        &app,
        &format!(
            "/api/v1/event-study?event_id={}&symbols=NVDA",
            created["id"]
        ),
    )
    .await;
    assert_eq!(study["anchor"]["session"], "2025-02-27", "{study}");
    assert_eq!(study["event"]["title"], "NVIDIA Q4 FY2025 results");
}

#[tokio::test]
async fn seed_events_pages_and_story() {
    let app = spawn_app(true).await;
    let (_, list) = json_of(&app, "/api/v1/events?q=deepseek").await;
    let list = list.as_array().unwrap();
    assert!(list.iter().any(|e| e["day"] == "2024-12-24"), "{list:?}");
    assert!(list.iter().any(|e| e["day"] == "2025-01-20"
        && e["source_url"] == "https://api-docs.deepseek.com/news/news250120"));
    let sell_off = list.iter().find(|e| e["day"] == "2025-01-27").unwrap();

    let page = app.get("/events?kind=model_release").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("DeepSeek-R1 released"), "{html}");
    assert!(!html.contains("NVIDIA loses"), "filtered out: {html}");

    let page = app
        .get(&format!(
            "/events/{}?benchmark=SPY&model=market&window=-1,1",
            sell_off["id"]
        ))
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for needle in [
        "Abnormal returns",
        "NVDA",
        "Patell",
        "Corrado",
        "<svg",
        "95% band",
        "***",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
    assert_eq!(
        app.get(&format!("/events/{}?model=capm", sell_off["id"]))
            .await
            .status(),
        400
    );
    assert_eq!(app.get("/events/999999").await.status(), 404);

    let page = app.get("/correlations?window=60").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Correlation matrix") && html.contains("<svg"),
        "{html}"
    );

    let page = app.get("/story/deepseek").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for needle in [
        "Timeline",
        "DeepSeek-V3 released",
        "2025-01-21",
        "\u{2212}16.97%",
        "Patell",
    ] {
        assert!(html.contains(needle), "story misses {needle}");
    }
}

#[tokio::test]
async fn correlations_api() {
    let app = spawn_app(true).await;
    let (status, body) = json_of(
        &app,
        "/api/v1/correlations?symbols=NVDA,AMD&benchmark=SPY&window=60&from=2024-01-01&to=2024-12-31",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["matrix"]["symbols"], json!(["SPY", "NVDA", "AMD"]));
    assert_eq!(body["matrix"]["values"][1][1], 1.0);
    let c = body["matrix"]["values"][0][1].as_f64().unwrap();
    assert!(c > 0.3 && c < 0.95, "{c}");
    let rolling = body["rolling"].as_array().unwrap();
    assert_eq!(rolling.len(), 2);
    assert!(rolling[0]["points"].as_array().unwrap().len() > 150);
    let (status, _) = json_of(&app, "/api/v1/correlations?window=7").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn events_cli_adds_and_lists() {
    use std::process::Command;
    let db = jevons_store::testing::fresh_database().await;
    let jevons = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_jevons"))
            .current_dir(repo_root())
            .env("DATABASE_URL", &db.url)
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (ok, out, err) = jevons(&[
        "events",
        "add",
        "--day",
        "2025-02-26",
        "--time",
        "16:20",
        "--time-zone",
        "America/New_York",
        "--kind",
        "earnings",
        "--title",
        "NVIDIA Q4 FY2025 results",
    ]);
    assert!(ok, "{err}");
    assert!(out.starts_with("added event"), "{out}");
    let (ok, out, _) = jevons(&["events", "list", "--kind", "earnings"]);
    assert!(ok);
    assert!(
        out.contains("NVIDIA Q4 FY2025 results") && out.contains("16:20"),
        "{out}"
    );
    assert!(out.contains("1 event(s)"), "{out}");
    // The seed events were loaded into the empty table first.
    let (_, out, _) = jevons(&["events", "list", "--search", "DeepSeek", "--json"]);
    let list: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert!(list.len() >= 3, "{out}");
    let (ok, _, err) = jevons(&[
        "events",
        "add",
        "--day",
        "2025-02-26",
        "--kind",
        "rumour",
        "--title",
        "x",
    ]);
    assert!(!ok);
    assert!(err.contains("rumour"), "{err}");
}
