//! `/api/v1/prices`: JSON, CSV and errors.

use actix_web::http::{StatusCode, header};

use super::{database_with, get, test_app};

#[actix_web::test]
async fn prices_api_returns_the_requested_days() {
    let db = database_with(&["NVDA"]).await;
    let app = test_app!(db.pool.clone());

    let r = get!(
        &app,
        "/api/v1/prices/NVDA?from=2025-01-24&to=2025-01-27",
        None
    );
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.content_type.starts_with("application/json"));
    let v = r.json();
    assert_eq!(v["symbol"], "NVDA");
    let bars = v["bars"].as_array().unwrap();
    assert_eq!(bars.len(), 2);
    assert_eq!(bars[0]["day"], "2025-01-24");
    assert_eq!(bars[0]["close"], 142.62);
    assert_eq!(bars[1]["day"], "2025-01-27");
    assert_eq!(bars[1]["close"], 118.42);
    assert_eq!(bars[1]["open"], 124.8);
    assert_eq!(bars[1]["adj_close"], 118.3812);
    assert_eq!(bars[1]["volume"], 818_830_900);

    // Open-ended ranges.
    let r = get!(&app, "/api/v1/prices/nvda?from=2025-06-27", None);
    assert_eq!(r.json()["bars"].as_array().unwrap().len(), 2);
    let r = get!(&app, "/api/v1/prices/NVDA", None);
    assert_eq!(r.json()["bars"].as_array().unwrap().len(), 500);

    let r = get!(&app, "/api/v1/tickers", None);
    assert_eq!(r.status, StatusCode::OK);
    let list = r.json();
    let nvda = &list.as_array().unwrap()[0];
    assert_eq!(nvda["symbol"], "NVDA");
    assert_eq!(nvda["name"], "NVIDIA");
    assert_eq!(nvda["role"], "vendor");
    assert_eq!(nvda["on_watchlist"], true);
    assert_eq!(nvda["last_close"], 157.99);
    assert_eq!(nvda["last_day"], "2025-06-30");
    assert_eq!(nvda["first_day"], "2023-07-03");
    let spy = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["symbol"] == "SPY")
        .unwrap();
    assert_eq!(
        spy["last_close"],
        serde_json::Value::Null,
        "SPY has no prices in this database"
    );
}

#[actix_web::test]
async fn prices_api_speaks_csv_in_the_import_format() {
    let db = database_with(&["NVDA"]).await;
    let app = test_app!(db.pool.clone());
    let expected_first = "2025-01-24,148.37,148.97,141.88,142.62,142.5733,234657600";

    for (uri, accept) in [
        (
            "/api/v1/prices/NVDA?from=2025-01-24&to=2025-01-27&format=csv",
            None,
        ),
        (
            "/api/v1/prices/NVDA?from=2025-01-24&to=2025-01-27",
            Some("text/csv"),
        ),
        (
            "/api/v1/prices/NVDA?from=2025-01-24&to=2025-01-27",
            Some("application/json;q=0.5, text/csv"),
        ),
    ] {
        let r = get!(&app, uri, accept);
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
        assert_eq!(r.content_type, "text/csv; charset=utf-8", "{uri}");
        assert_eq!(
            r.headers.get(header::CONTENT_DISPOSITION).unwrap(),
            r#"attachment; filename="NVDA.csv""#
        );
        let lines: Vec<&str> = r.body.lines().collect();
        assert_eq!(lines.len(), 3, "{}", r.body);
        assert_eq!(lines[0], jevons_market::csv_file::CSV_HEADER);
        assert_eq!(lines[0], "date,open,high,low,close,adj_close,volume");
        assert_eq!(lines[1], expected_first);
        assert!(
            lines[2].starts_with("2025-01-27,124.8,128.4,116.7,118.42,"),
            "{}",
            lines[2]
        );
        // What we serve, the importer reads back.
        let back = jevons_market::csv_file::read_reader(r.body.as_bytes()).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[1].close, 118.42);
    }

    // An explicit format wins over the Accept header.
    let r = get!(
        &app,
        "/api/v1/prices/NVDA?from=2025-01-24&to=2025-01-27&format=json",
        Some("text/csv")
    );
    assert!(r.content_type.starts_with("application/json"));
}

#[actix_web::test]
async fn prices_api_speaks_parquet_with_the_rows_of_the_json_answer() {
    use jevons_analytics::export::{Table, Values};

    let db = database_with(&["NVDA"]).await;
    let app = test_app!(db.pool.clone());
    let range = "from=2025-01-02&to=2025-03-31";
    let json = get!(&app, &format!("/api/v1/prices/NVDA?{range}"), None).json();
    let bars = json["bars"].as_array().unwrap();
    assert!(bars.len() > 50, "{}", bars.len());

    for (uri, accept) in [
        (format!("/api/v1/prices/NVDA?{range}&format=parquet"), None),
        (
            format!("/api/v1/prices/NVDA?{range}"),
            Some("application/vnd.apache.parquet"),
        ),
    ] {
        let r = get!(&app, &uri, accept);
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
        assert_eq!(r.content_type, "application/vnd.apache.parquet", "{uri}");
        assert_eq!(
            r.headers.get(header::CONTENT_DISPOSITION).unwrap(),
            r#"attachment; filename="NVDA.parquet""#
        );
        assert_eq!(r.headers.get(header::VARY).unwrap(), "Accept");
        let table = Table::from_parquet(&r.bytes).unwrap();
        let names: Vec<&str> = table.columns.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names.join(","), jevons_market::csv_file::CSV_HEADER);
        assert_eq!(table.height(), bars.len());
        let Some(Values::Date(days)) = table.get("date") else {
            panic!("date is not a date column: {:?}", table.get("date"))
        };
        let Some(Values::Int(volumes)) = table.get("volume") else {
            panic!("volume is not an integer column")
        };
        for (i, bar) in bars.iter().enumerate() {
            assert_eq!(days[i].unwrap().to_string(), bar["day"], "row {i}");
            assert_eq!(volumes[i], bar["volume"].as_i64(), "row {i}");
            for name in ["open", "high", "low", "close", "adj_close"] {
                let Some(Values::Float(v)) = table.get(name) else {
                    panic!("{name} is not a float column")
                };
                assert_eq!(v[i], bar[name].as_f64(), "{name}, row {i}");
            }
        }
    }

    // Parquet is offered for series only; a table endpoint names what it speaks.
    let r = get!(&app, "/api/v1/models?format=parquet", None);
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("json or csv"), "{}", r.body);
    let r = get!(&app, "/api/v1/prices/NVDA?format=xlsx", None);
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("json, csv or parquet"), "{}", r.body);
}

#[actix_web::test]
async fn prices_api_rejects_bad_input_with_json_errors() {
    let db = database_with(&["NVDA"]).await;
    let app = test_app!(db.pool.clone());

    for (uri, status, code) in [
        (
            "/api/v1/prices/NVDA?from=2025-13-01",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/v1/prices/NVDA?to=yesterday",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/v1/prices/NVDA?from=2025-02-01&to=2025-01-01",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/v1/prices/NVDA?format=xml",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/v1/prices/NVDA?from=2025-01-01&from=2025-01-02",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/v1/prices/NV%20DA",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/api/v1/prices/ABCDEFGHIJKLMNOP",
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        ("/api/v1/prices/ZZZZ", StatusCode::NOT_FOUND, "not_found"),
        (
            "/api/v1/prices/ZZZZ?format=csv",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        ("/api/v1/nothing", StatusCode::NOT_FOUND, "not_found"),
    ] {
        let r = get!(&app, uri, None);
        assert_eq!(r.status, status, "{uri}: {}", r.body);
        assert!(
            r.content_type.starts_with("application/json"),
            "{uri}: {}",
            r.content_type
        );
        assert_eq!(r.error_code(), code, "{uri}");
        assert!(!r.json()["error"]["message"].as_str().unwrap().is_empty());
    }
    let r = get!(&app, "/api/v1/prices/NVDA?from=2025-13-01", None);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2025-13-01")
    );
    let r = get!(
        &app,
        "/api/v1/prices/NVDA?from=2025-02-01&to=2025-01-01",
        None
    );
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("after")
    );
}
