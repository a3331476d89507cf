//! Models, benchmark scores and prices: bundled load, name matching, re-imports, the frontier
//! API and the pages.

use jevons_benchmarks::Format;
use jevons_core::config::ModelSourceConfig;
use jevons_jobs::Job;
use jevons_store::job_runs::RunStatus;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

fn models_dir() -> std::path::PathBuf {
    repo_root().join("data/models")
}

async fn model_counts(app: &TestApp) -> (i64, i64, i64, i64) {
    jevons_store::models::counts(app.pool()).await.unwrap()
}

#[tokio::test]
async fn bundled_sources_merge_on_one_model() {
    let app = spawn_app(true).await;
    let (models, aliases, scores, prices) = model_counts(&app).await;
    // 923 notable models of 2025-03, 282 more in the 2026-07 file, 74 from the ECI's model list.
    assert_eq!(models, 1279);
    assert!(
        aliases > 923 && scores > 20_000 && prices > 2_500,
        "{aliases} {scores} {prices}"
    );

    // The vendor name means its current model (DeepSeek-V3.2 since 2025-12-01; R1 until
    // 2025-08-20 for dated prices); another spelling of R1's name finds R1.
    let now: serde_json::Value = app
        .get("/api/v1/models/deepseek-reasoner")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(now["model"]["name"], "DeepSeek-V3.2");
    let r: serde_json::Value = app
        .get("/api/v1/models/DeepSeek%20R1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["model"]["name"], "DeepSeek-R1");
    assert_eq!(r["model"]["released"], "2025-01-20");
    // Epoch's 2026-07 file revised the estimate (5.17e24 in the 2025-03 file).
    let flop = r["model"]["training_compute_flop"].as_f64().unwrap();
    assert!((flop / 3.5e24 - 1.0).abs() < 1e-9, "{flop}");
    assert_eq!(r["model"]["params_total"], 671e9);
    let scores = r["scores"].as_array().unwrap();
    let find = |source: &str, bench: &str| {
        scores
            .iter()
            .filter(|s| s["source"] == source && s["benchmark_key"] == bench)
            .cloned()
            .collect::<Vec<_>>()
    };
    // Epoch's "GPQA diamond" (fraction, independent) and the README's "GPQA-Diamond" (percent,
    // self-reported) are one benchmark on one scale, with the printed value kept.
    let epoch = find("epoch-runs", "gpqa-diamond");
    assert_eq!(epoch.len(), 1);
    // The 2025-11 runs file prints 0.717 (the 2025-04 one had 0.71717…).
    assert!((epoch[0]["value"].as_f64().unwrap() - 0.717).abs() < 1e-9);
    assert_eq!(epoch[0]["self_reported"], false);
    let readme = find("deepseek-r1-readme", "gpqa-diamond");
    assert_eq!(readme[0]["raw_value"], 71.5);
    assert!((readme[0]["value"].as_f64().unwrap() - 0.715).abs() < 1e-9);
    assert_eq!(readme[0]["self_reported"], true);
    let arena: Vec<f64> = find("lmarena", "lmarena-text")
        .iter()
        .map(|s| s["value"].as_f64().unwrap())
        .collect();
    // One Elo per snapshot: 2025-01-24, 2025-02-06 and 2025-08-04.
    assert_eq!(arena, vec![1357.0, 1361.0, 1372.0]);
    // Math level 5 from Epoch and from the Open LLM Leaderboard spelling meet too.
    assert_eq!(find("epoch-runs", "math-level-5").len(), 1);

    let prices = r["prices"].as_array().unwrap();
    let reasoner: Vec<_> = prices
        .iter()
        .filter(|p| {
            p["model_name"] == "deepseek/deepseek-reasoner" && p["effective"] == "2025-02-06"
        })
        .collect();
    assert_eq!(reasoner.len(), 1);
    assert_eq!(
        (
            reasoner[0]["input_usd_per_mtok"].as_f64(),
            reasoner[0]["output_usd_per_mtok"].as_f64()
        ),
        (Some(0.55), Some(2.19))
    );
    // The dated history adds R1's later listings with their own dates…
    assert!(
        prices
            .iter()
            .any(|p| p["model_name"] == "deepseek/deepseek-r1" && p["effective"] == "2025-06-28"),
        "{prices:?}"
    );
    // …but not the later prices of `deepseek-reasoner`, a later model by then (alias `until`).
    assert!(
        !prices.iter().any(|p| p["model_name"] == "deepseek-reasoner"
            || (p["model_name"] == "deepseek/deepseek-reasoner"
                && p["effective"].as_str().unwrap() > "2025-08-20"))
    );
    let names: Vec<&str> = r["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    for n in ["DeepSeek-R1", "DeepSeek R1", "deepseek/deepseek-reasoner"] {
        assert!(names.contains(&n), "{n} in {names:?}");
    }
    // By numeric id too, and unknown names are JSON 404s.
    let id = r["model"]["id"].as_i64().unwrap();
    let same: serde_json::Value = app
        .get(&format!("/api/v1/models/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(same["model"]["name"], "DeepSeek-R1");
    let missing = app.get("/api/v1/models/no-such-model").await;
    assert_eq!(missing.status(), 404);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn reimports_change_nothing_and_bad_files_write_nothing() {
    let app = spawn_app(false).await;
    let settings = &app.settings;
    let litellm = models_dir().join("litellm_model_prices_2025-02-06.json");
    let first = jevons_jobs::models::import_file(
        app.pool(),
        settings,
        &litellm,
        Format::Litellm,
        None,
        None,
        false,
    )
    .await
    .unwrap();
    assert!(first.prices.inserted > 600, "{first:?}");
    let again = jevons_jobs::models::import_file(
        app.pool(),
        settings,
        &litellm,
        Format::Litellm,
        None,
        None,
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        (again.written(), again.prices.unchanged),
        (0, first.prices.inserted)
    );
    // No date in the name and none given: refused.
    let latest = models_dir().join("litellm_model_prices_latest.json");
    let err = jevons_jobs::models::import_file(
        app.pool(),
        settings,
        &latest,
        Format::Litellm,
        None,
        None,
        false,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("snapshot"), "{err}");

    let before = model_counts(&app).await;
    let dir = std::env::temp_dir().join(format!("jevons-models-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "model,benchmark,metric,value,source,self_reported\nA,MMLU,acc,0.8,lab,false\nB,MMLU,acc,lots,lab,false\n").unwrap();
    let err = jevons_jobs::models::import_file(
        app.pool(),
        settings,
        &bad,
        Format::Generic,
        None,
        None,
        false,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("row 3"), "{err}");
    assert_eq!(model_counts(&app).await, before, "a bad file wrote nothing");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn frontier_api_moves_when_deepseek_arrives() {
    let app = spawn_app(true).await;
    let get = |q: &str| {
        let url = format!("{}/api/v1/frontier?{q}", app.address);
        let client = app.client.clone();
        async move { client.get(url).send().await.unwrap() }
    };
    let after: serde_json::Value = get("benchmark=GPQA-Diamond&date=2025-02-06")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["benchmark"], "gpqa-diamond");
    let frontier = after["frontier"].as_array().unwrap();
    let names: Vec<&str> = frontier
        .iter()
        .map(|f| f["model"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"DeepSeek-R1"), "{names:?}");
    let prices: Vec<f64> = frontier
        .iter()
        .map(|f| f["price"].as_f64().unwrap())
        .collect();
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "cheapest first");
    let r1 = frontier
        .iter()
        .find(|f| f["model"] == "DeepSeek-R1")
        .unwrap();
    assert!(
        (r1["price"].as_f64().unwrap() - 0.96).abs() < 1e-9,
        "0.75 × 0.55 + 0.25 × 2.19"
    );
    assert_eq!(r1["price_effective"], "2025-02-06");

    // Before the first price snapshot nothing is priced; back-filled, R1 is not released yet.
    let before: serde_json::Value = get("benchmark=gpqa-diamond&date=2025-01-01")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(before["frontier"].as_array().unwrap().len(), 0);
    let back: serde_json::Value = get("benchmark=gpqa-diamond&date=2025-01-01&prices=earliest")
        .await
        .json()
        .await
        .unwrap();
    let back = back["frontier"].as_array().unwrap();
    assert!(!back.is_empty());
    assert!(
        back.iter()
            .all(|f| f["model"] != "DeepSeek-R1" && f["price_backfilled"] == true)
    );

    // Arena Elo: R1 at 27x less than o1 on the same day.
    let arena: serde_json::Value = get("benchmark=lmarena-text&date=2025-02-06")
        .await
        .json()
        .await
        .unwrap();
    let arena = arena["frontier"].as_array().unwrap();
    assert!(
        arena
            .iter()
            .any(|f| f["model"] == "DeepSeek-R1" && f["score"] == 1361.0)
    );

    // Cheapest price reaching GPQA ≥ 0.7 over time drops the day R1 is released.
    let cheapest: serde_json::Value = app
        .get(
            "/api/v1/cheapest?benchmark=gpqa-diamond&min_score=0.7&prices=earliest&from=2024-12-01",
        )
        .await
        .json()
        .await
        .unwrap();
    let points = cheapest["series"].as_array().unwrap();
    let at = |d: &str| points.iter().find(|p| p["date"] == d).unwrap();
    assert_eq!(at("2025-01-20")["model"], "DeepSeek-R1");
    assert!((at("2025-01-20")["price"].as_f64().unwrap() - 0.96).abs() < 1e-9);
    assert!(at("2024-12-24")["price"].as_f64().unwrap() > 0.96);
    assert_eq!(
        app.get("/api/v1/cheapest?benchmark=gpqa-diamond")
            .await
            .status(),
        400
    );

    let csv = get("benchmark=gpqa-diamond&date=2025-02-06&format=csv").await;
    assert!(header(&csv, "content-type").starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("model_id,model,released,score,price_usd_per_mtok"));
    assert!(text.contains(",DeepSeek-R1,2025-01-20,"));

    for (q, status, code) in [
        ("benchmark=gpqa-diamond&date=2025-13-01", 400, "bad_request"),
        (
            "benchmark=gpqa-diamond&prices=sometimes",
            400,
            "bad_request",
        ),
        ("benchmark=no-such-eval", 404, "not_found"),
        ("benchmark=gpqa-diamond&format=xml", 400, "bad_request"),
    ] {
        let r = get(q).await;
        assert_eq!(r.status(), status, "{q}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{q}");
    }
}

#[tokio::test]
async fn models_and_benchmarks_lists_filter_and_speak_csv() {
    let app = spawn_app(true).await;
    let list: Vec<serde_json::Value> = app
        .get("/api/v1/models?organization=deepseek&released_after=2024-12-01")
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = list.iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert!(
        names.contains(&"DeepSeek-R1") && names.contains(&"DeepSeek-V3"),
        "{names:?}"
    );
    assert!(
        list.iter()
            .all(|m| m["released"].as_str().unwrap() >= "2024-12-01")
    );
    assert!(list.iter().all(|m| {
        m["organization"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("deepseek")
    }));
    let before: Vec<serde_json::Value> = app
        .get("/api/v1/models?released_before=1960-01-01")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        before
            .iter()
            .all(|m| m["released"].as_str().unwrap() <= "1960-01-01")
            && !before.is_empty()
    );
    assert_eq!(
        app.get("/api/v1/models?released_after=yesterday")
            .await
            .status(),
        400
    );

    let benches: Vec<serde_json::Value> = app.get("/api/v1/benchmarks").await.json().await.unwrap();
    let gpqa = benches.iter().find(|b| b["key"] == "gpqa-diamond").unwrap();
    let sources: Vec<&str> = gpqa["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        vec!["deepseek-r1-readme", "epoch-hub", "epoch-runs"]
    );
    assert!(gpqa["models"].as_i64().unwrap() >= 20);
    let csv = app
        .client
        .get(format!("{}/api/v1/benchmarks", app.address))
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("key,name,scale,scores,models,unmatched_scores,sources\n"));
    assert!(csv.contains("\nlmarena-text,"));
}

#[tokio::test]
async fn model_pages_render_the_frontier_scores_and_reviews() {
    let app = spawn_app(true).await;
    let page = app
        .get("/models?benchmark=gpqa-diamond&date=2025-02-06")
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<svg") && html.contains("frontier-line"),
        "chart"
    );
    assert!(html.contains(">DeepSeek-R1</a>") && html.contains(">DeepSeek-R1</text>"));
    let unescaped = html.replace("&#38;", "&").replace("&amp;", "&");
    assert!(
        unescaped.contains("sort=score&dir=desc"),
        "sortable headers"
    );
    assert!(html.contains("value=\"2025-02-06\""));
    // Sorting by score descending puts the best-scoring model first.
    let sorted = app
        .get("/models?benchmark=gpqa-diamond&date=2025-02-06&sort=score&dir=desc")
        .await
        .text()
        .await
        .unwrap();
    let body = &sorted[sorted.find("<tbody>").unwrap()..];
    let first = &body[..body.find("</tr>").unwrap()];
    let by_price = app
        .get("/models?benchmark=gpqa-diamond&date=2025-02-06&sort=price&dir=asc")
        .await
        .text()
        .await
        .unwrap();
    let body2 = &by_price[by_price.find("<tbody>").unwrap()..];
    let first2 = &body2[..body2.find("</tr>").unwrap()];
    assert_ne!(first, first2);
    let empty = app
        .get("/models?benchmark=gpqa-diamond&date=2025-01-01")
        .await
        .text()
        .await
        .unwrap();
    assert!(empty.contains("No model has both a score and a price"));
    assert_eq!(app.get("/models?date=not-a-date").await.status(), 400);
    assert_eq!(app.get("/models?benchmark=nope").await.status(), 404);

    let id = jevons_store::models::model_id_for_key(app.pool(), "deepseek-r1")
        .await
        .unwrap()
        .unwrap();
    let detail = app
        .get(&format!("/models/{id}"))
        .await
        .text()
        .await
        .unwrap();
    for needle in [
        "DeepSeek-R1",
        // Epoch's 2026-07 file revised R1's training compute from 5.17e24 to 3.5e24 FLOP.
        "3.500e24 FLOP",
        "$6.77M",
        "self-reported",
        "independent",
        "$0.55",
        "$2.19",
        "2025-02-06",
        "deepseek/deepseek-reasoner",
        "epoch-runs",
    ] {
        assert!(detail.contains(needle), "{needle}");
    }
    let compare = app.get("/models/compare?ids=DeepSeek-R1,o1").await;
    assert_eq!(compare.status(), 200);
    let compare = compare.text().await.unwrap();
    assert!(compare.contains(">DeepSeek-R1</a>") && compare.contains(">o1</a>"));
    // The cheapest o1 price still in effect: OpenAI's $15/$60 since the first file → $26.25.
    assert!(
        compare.contains("$26.25") && compare.contains("2025-02-06"),
        "blended prices side by side"
    );
    assert_eq!(
        app.get("/models/compare?ids=DeepSeek-R1,nonexistent")
            .await
            .status(),
        404
    );
    assert_eq!(app.get("/models/999999999").await.status(), 404);

    let unmatched = app.get("/models/unmatched").await.text().await.unwrap();
    assert!(unmatched.contains("open-llm-leaderboard") && unmatched.contains("lmarena"));
    let lm = app
        .get("/models/unmatched?source=lmarena")
        .await
        .text()
        .await
        .unwrap();
    // A name no catalogue has is listed; one that an alias now matches is not.
    assert!(lm.contains("Hunyuan-TurboS-20250226"), "{lm}");
    assert!(!lm.contains("Gemini-2.0-Flash-Thinking-Exp-01-21"));
}

#[tokio::test]
async fn models_fetch_job_downloads_the_configured_sources() {
    let upstream = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/lmsys.csv"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(
            std::fs::read(models_dir().join("lmarena_text_2025-02-06.csv")).unwrap(),
        ))
        .mount(&upstream)
        .await;
    Mock::given(method("GET"))
        .and(path("/gone.json"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&upstream)
        .await;
    let uri = upstream.uri();
    let app = spawn_app_with(false, move |s| {
        s.models.max_attempts = 1;
        s.models.sources = vec![
            ModelSourceConfig {
                format: "lmarena".into(),
                url: format!("{uri}/lmsys.csv"),
                snapshot_is_fetch_day: true,
            },
            ModelSourceConfig {
                format: "litellm".into(),
                url: format!("{uri}/gone.json"),
                snapshot_is_fetch_day: true,
            },
        ];
    })
    .await;
    let report = jevons_jobs::run_job(&app.job_context(), Job::ModelsFetch, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(report.status, RunStatus::Failed, "one source failed");
    assert_eq!(report.rows_written, 195);
    assert!(report.error.as_deref().unwrap().contains("404"));
    let (_, _, scores, _) = model_counts(&app).await;
    assert_eq!(scores, 195);
}

#[tokio::test]
async fn csv_exports_defuse_spreadsheet_formulas_in_third_party_names() {
    let app = spawn_app(false).await;
    // A model list in Epoch's format whose names a spreadsheet would run as formulas.
    let dir = std::env::temp_dir().join(format!("jevons-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("epoch_models_2025-02-06.csv");
    std::fs::write(
        &file,
        "Model,Organization,Publication date,Training compute (FLOP)\n\
         \"=HYPERLINK(\"\"http://evil.test\"\",\"\"x\"\")\",@Evil Corp,2025-01-02,1e24\n\
         -2+3 model,+Org,2025-01-03,2e24\n",
    )
    .unwrap();
    jevons_jobs::models::import_file(
        app.pool(),
        &app.settings,
        &file,
        Format::EpochModels,
        None,
        None,
        false,
    )
    .await
    .unwrap();
    std::fs::remove_dir_all(&dir).ok();

    let body = app
        .get("/api/v1/models?released_after=2025-01-01&format=csv")
        .await
        .text()
        .await
        .unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2, "{body}");
    let cells: Vec<&str> = rows.iter().flat_map(|r| r.iter()).collect();
    for c in &cells {
        let formula = c.starts_with(['=', '+', '@', '\t', '\r'])
            || (c.starts_with('-') && c.parse::<f64>().is_err());
        assert!(!formula, "a cell a spreadsheet would run: {c:?} in\n{body}");
    }
    assert!(
        cells.contains(&"'=HYPERLINK(\"http://evil.test\",\"x\")"),
        "{body}"
    );
    assert!(
        cells.contains(&"'@Evil Corp") && cells.contains(&"'-2+3 model"),
        "{body}"
    );
}
