//! Pages and API for events, event studies, correlations and the DeepSeek story.

use actix_web::web;

/// Routes under `/api/v1`.
pub fn api(_cfg: &mut web::ServiceConfig) {}

/// HTML pages.
pub fn pages(_cfg: &mut web::ServiceConfig) {}
