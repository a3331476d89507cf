//! The jevons web app: HTML dashboards (askama), the `/api/v1` JSON API and server-rendered SVG
//! charts, over the prices in Postgres.

pub mod charts;
pub mod charts_events;
pub mod charts_models;
mod error;
mod extract;
pub mod format;
/// The query-string edge as one call, for the fuzz target `web_query` (fuzz/).
#[doc(hidden)]
pub mod fuzzing;
mod openapi;
mod routes;
mod view_cache;
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

pub use error::AppError;
pub use routes::configure;
pub use view_cache::ViewCache;

/// No scripts, no outside resources: the pages need neither, so the browser may refuse both.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The whole app with its middleware, as the server runs it; tests drive the same value.
/// Handlers find `web::Data<PgPool>` and `web::Data<Settings>` in it; `views` keeps the computed
/// answers (it learns of changes from [`ViewCache::follow_changes`] and this process's own writes).
pub fn app(
    pool: PgPool,
    settings: Arc<Settings>,
    views: Arc<ViewCache>,
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
        // Innermost: only 200s are kept, so an error never reaches the cache either way.
        .wrap(actix_web::middleware::from_fn(view_cache::serve_cached))
        // Handler errors are JSON; outside `/api/` they become the HTML error page here.
        .wrap(actix_web::middleware::from_fn(error::render_by_scope))
        .wrap(
            DefaultHeaders::new()
                .add(("X-Content-Type-Options", "nosniff"))
                .add(("Referrer-Policy", "same-origin"))
                .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY)),
        )
        .wrap(TracingLogger::default())
        .app_data(web::Data::new(pool))
        .app_data(web::Data::from(settings))
        .app_data(web::Data::from(views))
        .configure(configure)
}

/// A bound, built HTTP server that is not yet running.
pub struct Application {
    port: u16,
    server: Server,
    change_listener: tokio::task::JoinHandle<()>,
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
        let views = Arc::new(ViewCache::new(&settings.server.view_cache));
        let change_listener = tokio::spawn(views.clone().follow_changes(pool.clone()));
        let settings = Arc::new(settings.clone());
        let server = HttpServer::new(move || app(pool.clone(), settings.clone(), views.clone()))
            .listen(listener)?
            .run();
        Ok(Self {
            port,
            server,
            change_listener,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT/SIGTERM, then stops gracefully (actix's default handling).
    pub async fn run_until_stopped(self) -> Result<(), std::io::Error> {
        let served = self.server.await;
        self.change_listener.abort();
        served
    }
}

#[cfg(test)]
mod tests;
