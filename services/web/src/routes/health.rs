//! Liveness and readiness probes for load balancers and orchestrators.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use sqlx::PgPool;

use crate::error::json_error;

/// A readiness probe should answer quickly even when the database hangs.
const READY_TIMEOUT: Duration = Duration::from_secs(3);

/// The process is up and serving.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("ok")
}

/// Ready when the database answers `select 1`; otherwise 503 so traffic goes elsewhere.
pub async fn readyz(pool: web::Data<PgPool>) -> HttpResponse {
    let check = jevons_store::ping(pool.get_ref());
    match tokio::time::timeout(READY_TIMEOUT, check).await {
        Ok(Ok(_)) => HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body("ready"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check failed");
            json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the database is not reachable",
            )
        }
        Err(_) => {
            tracing::warn!("readiness check timed out");
            json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the database did not answer in time",
            )
        }
    }
}
