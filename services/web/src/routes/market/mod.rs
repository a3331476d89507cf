//! The market: tickers and daily prices. `api` (`/api/v1/tickers`, `/api/v1/prices/{symbol}`) and
//! `pages` (`/`, `/tickers/{symbol}`).

pub(crate) mod api;
pub(crate) mod pages;

use actix_web::http::Method;
use actix_web::web;

/// Routes under `/api/v1`.
pub fn api(cfg: &mut web::ServiceConfig) {
    super::api_route(cfg, Method::GET, "/tickers", api::tickers);
    super::api_route(cfg, Method::GET, "/prices/{symbol}", api::prices);
}

/// HTML pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(pages::overview))
        .route("/tickers/{symbol}", web::get().to(pages::ticker));
}
