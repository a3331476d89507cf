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
mod middleware;
mod openapi;
mod routes;
mod view_cache;
mod views;

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServerHandle, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{App, HttpServer, web};
use jevons_core::Settings;
use sqlx::PgPool;
use tracing_actix_web::TracingLogger;

pub use error::AppError;
pub use middleware::RequestGuards;
pub use middleware::metrics::{REQUEST_DURATION, REQUESTS};
pub use routes::configure;
pub use view_cache::ViewCache;

/// No scripts, no outside resources: the pages need neither, so the browser may refuse both.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The whole app with its middleware, as the server runs it; tests drive the same value.
/// Handlers find `web::Data<PgPool>` and `web::Data<Settings>` in it; `views` keeps the computed
/// answers (it learns of changes from [`ViewCache::follow_changes`] and this process's own writes);
/// `guards` holds the per-client limits, shared by every worker.
pub fn app(
    pool: PgPool,
    settings: Arc<Settings>,
    views: Arc<ViewCache>,
    guards: Arc<RequestGuards>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let cors = cors(&settings);
    let max_body = guards.max_body_bytes();
    // Listed innermost first: a request passes them bottom to top.
    App::new()
        // Only 200s are kept, so an error never reaches the cache either way.
        .wrap(from_fn(view_cache::serve_cached))
        // Rate, body size and Origin: before the cache, so cached answers count too.
        .wrap(from_fn(middleware::limits::enforce))
        // Handler errors are JSON; outside `/api/` they become the HTML error page here.
        .wrap(from_fn(error::render_by_scope))
        .wrap(
            DefaultHeaders::new()
                .add(("X-Content-Type-Options", "nosniff"))
                .add(("Referrer-Policy", "same-origin"))
                .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY)),
        )
        .wrap(from_fn(middleware::metrics::record))
        .wrap(from_fn(middleware::request_id::return_request_id))
        .wrap(TracingLogger::default())
        .app_data(web::PayloadConfig::new(max_body))
        .app_data(web::Data::new(pool))
        .app_data(web::Data::from(settings))
        .app_data(web::Data::from(views))
        .app_data(web::Data::from(guards))
        .configure(|cfg| configure(cfg, cors))
}

/// Browsers may call the API from the configured origins only (none: same origin only).
fn cors(settings: &Settings) -> actix_cors::Cors {
    let limits = &settings.server.limits;
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST"])
        .allowed_headers([
            actix_web::http::header::AUTHORIZATION,
            actix_web::http::header::CONTENT_TYPE,
            actix_web::http::header::IF_NONE_MATCH,
            actix_web::http::header::IF_MODIFIED_SINCE,
        ])
        .expose_headers([
            actix_web::http::header::ETAG,
            actix_web::http::header::LAST_MODIFIED,
            actix_web::http::header::RETRY_AFTER,
            middleware::request_id::REQUEST_ID,
        ])
        .max_age(3600);
    if let Ok(key_header) =
        actix_web::http::header::HeaderName::try_from(settings.api.key_header.as_str())
    {
        cors = cors.allowed_header(key_header);
    }
    for origin in &limits.cors_origins {
        cors = cors.allowed_origin(origin.trim_end_matches('/'));
    }
    // With no origin allowed the answers never depend on `Origin`: nothing for caches to vary on.
    if limits.cors_origins.is_empty() {
        cors = cors.disable_vary_header();
    }
    cors
}

/// A bound, built HTTP server that is not yet running.
pub struct Application {
    port: u16,
    server: Server,
    change_listener: tokio::task::JoinHandle<()>,
}

/// Stops a running [`Application`]: gracefully (in-flight requests finish, up to
/// `server.shutdown_timeout_s`) or at once.
#[derive(Clone)]
pub struct StopHandle(ServerHandle);

impl StopHandle {
    pub async fn stop(&self, graceful: bool) {
        self.0.stop(graceful).await;
    }
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
        let guards = Arc::new(RequestGuards::new(
            &settings.server.limits,
            &settings.server.public_base_url,
        ));
        let shutdown_timeout = settings.server.shutdown_timeout_s;
        let settings = Arc::new(settings.clone());
        let server = HttpServer::new(move || {
            app(
                pool.clone(),
                settings.clone(),
                views.clone(),
                guards.clone(),
            )
        })
        .listen(listener)?
        // The caller decides when to stop (`jevons serve` on SIGTERM/SIGINT, after telling the
        // jobs and workers); in-flight requests then get this long to finish.
        .disable_signals()
        .shutdown_timeout(shutdown_timeout)
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

    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(self.server.handle())
    }

    /// Serves until stopped through [`Application::stop_handle`].
    pub async fn run_until_stopped(self) -> Result<(), std::io::Error> {
        let served = self.server.await;
        self.change_listener.abort();
        served
    }
}

#[cfg(test)]
mod tests;
