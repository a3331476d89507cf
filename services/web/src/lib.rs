//! The jevons web app: HTML dashboards (askama), the `/api/v1` JSON API and server-rendered SVG
//! charts, over the prices in Postgres.

pub mod charts;
pub mod charts_events;
pub mod charts_models;
mod error;
pub mod format;
mod routes;
mod views;

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::DefaultHeaders;
use actix_web::{App, HttpServer, web};
use jevons_core::Settings;
use sqlx::PgPool;
use tracing_actix_web::TracingLogger;

pub use error::{ApiError, PageError};
pub use routes::configure;

/// No scripts, no outside resources: the pages need neither, so the browser may refuse both.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The whole app with its middleware, as the server runs it; tests drive the same value.
/// Handlers find `web::Data<PgPool>` and `web::Data<Settings>` in it.
pub fn app(
    pool: PgPool,
    settings: Arc<Settings>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .wrap(
            DefaultHeaders::new()
                .add(("X-Content-Type-Options", "nosniff"))
                .add(("Referrer-Policy", "same-origin"))
                .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY)),
        )
        .wrap(TracingLogger::default())
        .app_data(web::Data::new(pool))
        .app_data(web::Data::from(settings))
        .configure(configure)
}

/// A bound, built HTTP server that is not yet running.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds `settings.server.listen` (port 0 → a free port, as tests use) and builds the server;
    /// does not run it.
    pub async fn build(
        settings: &jevons_core::Settings,
        pool: PgPool,
    ) -> Result<Self, std::io::Error> {
        let listener = TcpListener::bind(settings.server.listen)?;
        let port = listener.local_addr()?.port();
        tracing::info!(address = %listener.local_addr()?, "web server listening");
        let settings = Arc::new(settings.clone());
        let server = HttpServer::new(move || app(pool.clone(), settings.clone()))
            .listen(listener)?
            .run();
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT/SIGTERM, then stops gracefully (actix's default handling).
    pub async fn run_until_stopped(self) -> Result<(), std::io::Error> {
        self.server.await
    }
}

#[cfg(test)]
mod tests;
