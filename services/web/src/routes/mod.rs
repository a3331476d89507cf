//! Route table and the handlers, one module per family.

mod api;
mod assets;
mod digest;
mod events;
mod health;
mod models;
mod news;
mod pages;

use actix_web::{HttpRequest, web};
use serde::de::DeserializeOwned;

/// Registers every route. The app must carry `web::Data<PgPool>`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/static/style.css", web::get().to(assets::style_css))
        .service(
            web::scope("/api/v1")
                .route("/tickers", web::get().to(api::tickers))
                .route("/prices/{symbol}", web::get().to(api::prices))
                .configure(models::api)
                .configure(news::api)
                .configure(events::api)
                .default_service(web::to(api::not_found)),
        )
        .configure(models::pages)
        .configure(news::pages)
        .configure(events::pages)
        .configure(digest::pages)
        .route("/", web::get().to(pages::overview))
        .route("/tickers/{symbol}", web::get().to(pages::ticker))
        .route("/jobs", web::get().to(pages::jobs))
        .default_service(web::to(pages::not_found));
}

/// Parses the query string into `T` ourselves, so a bad parameter becomes our own error body
/// instead of actix's plain-text 400.
fn parse_query<T: DeserializeOwned>(req: &HttpRequest) -> Result<T, String> {
    web::Query::<T>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .map_err(|e| format!("bad query string: {e}"))
}
