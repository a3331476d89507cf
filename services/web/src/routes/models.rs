//! Pages and API for AI models, benchmarks, prices and the efficiency frontier.

use actix_web::web;

/// Routes under `/api/v1`.
pub fn api(_cfg: &mut web::ServiceConfig) {}

/// HTML pages.
pub fn pages(_cfg: &mut web::ServiceConfig) {}
