//! The Jevons page and its API on the bundled data: the price of intelligence, the demand for
//! compute (the bundled press-release figures), the chip stocks and the relation.

use jevons_analytics::export::{Table, Values};
use serde_json::Value;

use crate::helpers::*;

async fn json(app: &TestApp, path: &str) -> (u16, Value) {
    let r = app.get(path).await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

#[tokio::test]
async fn the_jevons_page_sets_the_price_of_intelligence_against_demand() {
    let app = spawn_app(true).await;
    let (status, view) = json(&app, "/api/v1/jevons").await;
    assert_eq!(status, 200, "{view}");

    // The headline level: GPQA Diamond at GPT-4o's score, a falling price with a fit.
    let headline = &view["prices"][0];
    assert!(
        headline["label"].as_str().unwrap().contains("GPT-4o"),
        "{headline}"
    );
    let fit = &headline["poi"]["fit"];
    assert_eq!(fit["status"], "fitted", "{fit}");
    let factor = fit["factor_per_year"].as_f64().unwrap();
    assert!(factor > 1.0, "the price falls: {factor}");
    assert!(fit["factor_ci_low"].as_f64().unwrap() <= factor);
    assert!(fit["n"].as_u64().unwrap() >= 3);
    let series = headline["poi"]["series"].as_array().unwrap();
    let prices: Vec<f64> = series
        .iter()
        .map(|s| s["usd_per_mtok"].as_f64().unwrap())
        .collect();
    assert!(prices.len() >= 3);
    // The cheapest price at a fixed level never rises when a model is added; here it fell.
    assert!(
        prices.last().unwrap() < prices.first().unwrap(),
        "{prices:?}"
    );

    // Demand: NVIDIA's data-center revenue from the bundled press releases, on calendar
    // quarters; FY2025 Q4 (ended 2025-01-26) counts in 2024 Q4.
    let dc = view["demand"]["nvidia_data_center"]["points"]
        .as_array()
        .unwrap();
    assert!(dc.len() >= 12, "{}", dc.len());
    let q4 = dc
        .iter()
        .find(|p| p["quarter"]["year"] == 2024 && p["quarter"]["quarter"] == 4)
        .expect("2024 Q4");
    assert_eq!(q4["fiscal_period"], "FY2025Q4");
    assert!(q4["yoy"].as_f64().unwrap() > 0.5, "{q4}");
    let capex = &view["demand"]["hyperscaler_capex"];
    assert!(capex["points"].as_array().unwrap().len() >= 8, "{capex}");

    // The relation and the answer are written from these numbers.
    let relation = &view["relations"][0]["relation"];
    assert!(relation["n"].as_u64().unwrap() >= 3, "{relation}");
    assert_eq!(relation["lead_lag"].as_array().unwrap().len(), 5);
    let answer = view["answer"].as_str().unwrap();
    let printed = if factor >= 10.0 {
        format!("fell {factor:.0}× per year")
    } else {
        format!("fell {factor:.1}× per year")
    };
    assert!(answer.contains(&printed), "{answer}");
    assert!(answer.contains("association, not cause"), "{answer}");

    // The chip stocks, rebased to 100 on the first day shown.
    let stocks = view["stocks"].as_array().unwrap();
    let nvda = stocks.iter().find(|s| s["symbol"] == "NVDA").unwrap();
    assert!((nvda["points"][0][1].as_f64().unwrap() - 100.0).abs() < 1e-9);

    // The page shows the same numbers and marks the events.
    let html = app.get("/jevons").await.text().await.unwrap();
    assert!(html.contains("Does cheaper AI cut or raise the demand for chips?"));
    let shown = if factor >= 10.0 {
        format!("{factor:.0}× cheaper per year")
    } else {
        format!("{factor:.1}× cheaper per year")
    };
    assert!(html.contains(&shown), "{shown}");
    assert!(
        html.contains("class=\"marker\""),
        "events are marked on the chart"
    );
    assert!(html.contains("NVIDIA data-center revenue"));
    assert!(html.contains("/api/v1/fundamentals?symbol=NVDA&#38;metric=data_center_revenue"));
    // Linked from the navigation and the overview.
    let overview = app.get("/").await.text().await.unwrap();
    assert!(overview.contains("href=\"/jevons\""));

    // CSV: every series in long form.
    let csv = app
        .get("/api/v1/jevons?format=csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.starts_with("series,kind,date,value,detail\n"),
        "{}",
        &csv[..80]
    );
    assert!(csv.contains("NVDA,index_100,"));
}

#[tokio::test]
async fn price_of_intelligence_and_fundamentals_api_answer_or_refuse_clearly() {
    let app = spawn_app(true).await;
    let (status, poi) = json(
        &app,
        "/api/v1/price-of-intelligence?benchmark=gpqa-diamond&reference_model=GPT-4o",
    )
    .await;
    assert_eq!(status, 200, "{poi}");
    assert!(poi["threshold_score"].as_f64().unwrap() > 0.3);
    assert!(!poi["poi"]["series"].as_array().unwrap().is_empty());

    // A level no model reaches: an empty series and a message, not an error.
    let (status, none) = json(
        &app,
        "/api/v1/price-of-intelligence?benchmark=gpqa-diamond&threshold=1.5",
    )
    .await;
    assert_eq!(status, 200, "{none}");
    assert!(none["poi"]["series"].as_array().unwrap().is_empty());
    assert!(
        none["message"].as_str().unwrap().contains("no model"),
        "{none}"
    );

    let csv = app
        .get("/api/v1/price-of-intelligence?benchmark=mmlu&threshold=0.83&format=csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("date,model,score,usd_per_mtok,price_effective,price_basis,fitted\n"));
    assert!(csv.lines().count() > 2, "{csv}");

    // Parquet: the rows of the JSON series, typed, with the CSV's columns.
    let r = app
        .get("/api/v1/price-of-intelligence?benchmark=gpqa-diamond&reference_model=GPT-4o&format=parquet")
        .await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(header(&r, "content-type"), "application/vnd.apache.parquet");
    assert_eq!(
        header(&r, "content-disposition"),
        r#"attachment; filename="price-of-intelligence.parquet""#
    );
    let table = Table::from_parquet(&r.bytes().await.unwrap()).unwrap();
    let names: Vec<&str> = table.columns.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names.join(","),
        "date,model,score,usd_per_mtok,price_effective,price_basis,fitted"
    );
    let series = poi["poi"]["series"].as_array().unwrap();
    let fitted: Vec<&Value> = poi["poi"]["fitted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["date"])
        .collect();
    assert_eq!(table.height(), series.len());
    let (
        Some(Values::Date(date)),
        Some(Values::Text(model)),
        Some(Values::Float(price)),
        Some(Values::Text(basis)),
        Some(Values::Bool(fit)),
    ) = (
        table.get("date"),
        table.get("model"),
        table.get("usd_per_mtok"),
        table.get("price_basis"),
        table.get("fitted"),
    )
    else {
        panic!("unexpected column types: {table:?}")
    };
    for (i, s) in series.iter().enumerate() {
        assert_eq!(date[i].unwrap().to_string(), s["date"], "row {i}");
        assert_eq!(model[i].as_deref(), s["model"].as_str(), "row {i}");
        // serde_json's default float parser may miss by an ulp; Parquet keeps the f64 as is.
        let want = s["usd_per_mtok"].as_f64().unwrap();
        let got = price[i].unwrap();
        assert!(
            (got - want).abs() <= 1e-12 * want.abs(),
            "row {i}: {got} vs {want}"
        );
        assert_eq!(basis[i].as_deref(), s["basis"].as_str(), "row {i}");
        assert_eq!(fit[i], Some(fitted.contains(&&s["date"])), "row {i}");
    }
    assert!(fit.contains(&Some(true)), "no fitted row");

    for (path, code, status) in [
        (
            "/api/v1/price-of-intelligence?threshold=0.5",
            "bad_request",
            400,
        ),
        (
            "/api/v1/price-of-intelligence?benchmark=gpqa-diamond",
            "bad_request",
            400,
        ),
        (
            "/api/v1/price-of-intelligence?benchmark=gpqa-diamond&threshold=high",
            "bad_request",
            400,
        ),
        (
            "/api/v1/price-of-intelligence?benchmark=no-such-bench&threshold=0.5",
            "bad_request",
            400,
        ),
        (
            "/api/v1/fundamentals?symbol=ZZZZ&metric=revenue",
            "not_found",
            404,
        ),
        (
            "/api/v1/fundamentals?symbol=NVDA&metric=profit",
            "bad_request",
            400,
        ),
        ("/api/v1/fundamentals?symbol=NVDA", "bad_request", 400),
        ("/api/v1/jevons?from=2025-13-01", "bad_request", 400),
    ] {
        let (s, body) = json(&app, path).await;
        assert_eq!(s, status, "{path}: {body}");
        assert_eq!(body["error"]["code"], code, "{path}: {body}");
    }

    // The stored series with provenance and source links; a date range.
    let (status, dc) = json(
        &app,
        "/api/v1/fundamentals?symbol=NVDA&metric=data_center_revenue&from=2024-01-01&to=2024-12-31",
    )
    .await;
    assert_eq!(status, 200, "{dc}");
    let quarters = dc["quarters"].as_array().unwrap();
    assert_eq!(quarters.len(), 4, "{dc}");
    assert!(quarters.iter().all(|q| q["provenance"] == "press-release"
        && q["source_url"].as_str().unwrap().starts_with("http")));
    assert_eq!(quarters[0]["fiscal_period"], "FY2024Q4");
    let (_, list) = json(&app, "/api/v1/fundamentals").await;
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|s| s["symbol"] == "MSFT" && s["metric"] == "capex")
    );
}

#[tokio::test]
async fn a_filed_value_replaces_the_press_release_and_the_difference_is_shown() {
    use jevons_core::fundamentals::{Derivation, FiscalPeriod, Metric, Provenance, QuarterlyFact};
    let app = spawn_app(true).await;
    // NVIDIA's FY2025 Q4 data-center revenue as if filed, $35.6 bn against the press release's
    // $35.58 bn (within rounding), then a 10-K/A that differs by $0.5 bn.
    let filed = |value: f64, form: &str, accession: &str, filed: &str| QuarterlyFact {
        symbol: sym("NVDA"),
        metric: Metric::parse("data_center_revenue").unwrap(),
        fiscal_period: FiscalPeriod::parse("FY2025Q4").unwrap(),
        period_start: day("2024-10-28"),
        period_end: day("2025-01-26"),
        value,
        unit: "USD".into(),
        filed: Some(day(filed)),
        form: form.into(),
        source: "sec-edgar".into(),
        source_url: None,
        accession: Some(accession.into()),
        provenance: Provenance::Filed,
        derivation: Derivation::Reported,
        xbrl_tag: None,
        note: None,
    };
    jevons_store::fundamentals::upsert_facts(
        app.pool(),
        &[filed(35.6e9, "10-K", "0001045810-25-000023", "2025-02-26")],
    )
    .await
    .unwrap();
    let html = app.get("/jevons").await.text().await.unwrap();
    assert!(
        !html.contains("Filed figures that differ"),
        "within rounding"
    );

    jevons_store::fundamentals::upsert_facts(
        app.pool(),
        &[filed(
            36.08e9,
            "10-K/A",
            "0001045810-25-000099",
            "2025-03-20",
        )],
    )
    .await
    .unwrap();
    let html = app.get("/jevons").await.text().await.unwrap();
    assert!(
        html.contains("Filed figures that differ"),
        "the amendment differs"
    );
    assert!(html.contains("NVDA data center revenue FY2025Q4"), "{html}");
    assert!(html.contains("filed $36.1B (form 10-K/A"));
    // The current series uses the latest filed value.
    let (_, dc) = json(
        &app,
        "/api/v1/fundamentals?symbol=NVDA&metric=data_center_revenue&from=2025-01-01&to=2025-01-31",
    )
    .await;
    assert_eq!(dc["quarters"][0]["value"], 36.08e9);
    assert_eq!(dc["quarters"][0]["provenance"], "filed");
}
