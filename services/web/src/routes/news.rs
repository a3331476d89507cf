//! Pages and API for news articles, their summaries and the feeds.

use actix_web::web;

/// Routes under `/api/v1`.
pub fn api(_cfg: &mut web::ServiceConfig) {}

/// HTML pages.
pub fn pages(_cfg: &mut web::ServiceConfig) {}
