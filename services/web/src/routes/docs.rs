//! The API's contract: `/api/v1/openapi.json` (OpenAPI 3.1, generated from the handlers' types)
//! and `/api/docs`, Swagger UI served from the binary (no CDN).

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use utoipa::OpenApi;

use crate::error::AppError;
use crate::openapi::ApiDoc;

const DOCS_HTML: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>jevons API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
"#;

/// Swagger UI runs scripts and sets inline styles; the rest of the site allows neither.
const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'";

const BUNDLE_JS: &[u8] = include_bytes!("../../assets/swagger-ui/swagger-ui-bundle.js");
const UI_CSS: &[u8] = include_bytes!("../../assets/swagger-ui/swagger-ui.css");
const INIT_JS: &[u8] = include_bytes!("../../assets/swagger-ui/init.js");

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/openapi.json", web::get().to(openapi_json))
        .route("/api/docs", web::get().to(docs_page))
        .route("/api/docs/", web::get().to(docs_page))
        .route("/api/docs/swagger-ui-bundle.js", web::get().to(bundle_js))
        .route("/api/docs/swagger-ui.css", web::get().to(ui_css))
        .route("/api/docs/init.js", web::get().to(init_js));
}

/// The document, serialised on first use (it is the same for the life of the process).
fn spec_json() -> Result<&'static str, AppError> {
    static SPEC: OnceLock<Result<String, String>> = OnceLock::new();
    SPEC.get_or_init(|| ApiDoc::openapi().to_json().map_err(|e| e.to_string()))
        .as_deref()
        .map_err(|e| AppError::Internal(format!("serialising the OpenAPI document: {e}")))
}

async fn openapi_json() -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(spec_json()?))
}

async fn docs_page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, DOCS_CSP))
        .body(DOCS_HTML)
}

fn asset(content_type: &'static str, body: &'static [u8]) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(body)
}

async fn bundle_js() -> HttpResponse {
    asset("text/javascript; charset=utf-8", BUNDLE_JS)
}

async fn ui_css() -> HttpResponse {
    asset("text/css; charset=utf-8", UI_CSS)
}

async fn init_js() -> HttpResponse {
    asset("text/javascript; charset=utf-8", INIT_JS)
}
