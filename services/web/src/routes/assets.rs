//! Static assets compiled into the binary: no files to deploy beside it, no CDN.

use actix_web::HttpResponse;
use actix_web::http::header;

const STYLE_CSS: &str = include_str!("../../../../static/style.css");

pub async fn style_css() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(STYLE_CSS)
}
