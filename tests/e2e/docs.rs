//! The API's contract: the OpenAPI document and Swagger UI, served by the app itself.

use crate::helpers::*;

#[tokio::test]
async fn the_openapi_document_and_swagger_ui_are_served() {
    let app = spawn_app(true).await;

    let r = app.get("/api/v1/openapi.json").await;
    assert_eq!(r.status(), 200);
    assert!(header(&r, "content-type").starts_with("application/json"));
    let spec: serde_json::Value = r.json().await.unwrap();
    assert!(
        spec["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        spec["openapi"]
    );
    assert_eq!(spec["info"]["title"], "jevons API");
    let names: Vec<&str> = spec["paths"]["/api/v1/prices/{symbol}"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for n in ["from", "to", "format"] {
        assert!(names.contains(&n), "{n} not in {names:?}");
    }

    let r = app.get("/api/docs").await;
    assert_eq!(r.status(), 200);
    assert!(header(&r, "content-type").starts_with("text/html"));
    let html = r.text().await.unwrap();
    assert!(html.contains("/api/docs/swagger-ui-bundle.js"), "{html}");

    let r = app.get("/api/docs/swagger-ui-bundle.js").await;
    assert_eq!(r.status(), 200);
    let ct = header(&r, "content-type").to_string();
    assert!(ct.starts_with("text/javascript"), "{ct}");
    assert!(r.bytes().await.unwrap().len() > 100_000);
}
