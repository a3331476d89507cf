//! Logs (text or JSON lines on stderr) and the Prometheus metrics listener.

use std::net::SocketAddr;

use actix_web::{App, HttpResponse, HttpServer, web};
use jevons_core::config::{LogFormat, LogSettings};
use jevons_store::PgPool;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

/// Installs the global subscriber. `RUST_LOG` wins over `log.filter`. In JSON each request's
/// span closes with one line (method, route, status, latency, `request_id`), and every line
/// logged while a request runs carries that span's fields.
pub fn init_logs(settings: Option<&LogSettings>) {
    let defaults = LogSettings::default();
    let settings = settings.unwrap_or(&defaults);
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.filter))
        .unwrap_or_else(|_| EnvFilter::new(&defaults.filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match settings.format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_span_events(FmtSpan::CLOSE)
            .init(),
    }
}

/// Seconds, for latency histograms: 1 ms … 60 s.
const SECONDS_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// Installs the process-wide recorder; the handle renders what was recorded.
pub fn install_metrics() -> anyhow::Result<PrometheusHandle> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS_BUCKETS)?
        .install_recorder()?;
    Ok(handle)
}

/// The states an outbox row can be in; each is reported, 0 when none is in it.
const OUTBOX_STATES: [&str; 4] = ["pending", "sending", "sent", "failed"];

/// Gauges read at scrape time: the connection pool and the digest outbox.
async fn sample_gauges(pool: &PgPool) {
    let size = f64::from(pool.size());
    let idle = pool.num_idle() as f64;
    metrics::gauge!("jevons_db_pool_connections", "state" => "idle").set(idle);
    metrics::gauge!("jevons_db_pool_connections", "state" => "in_use").set(size - idle);
    metrics::gauge!("jevons_db_pool_max_connections")
        .set(f64::from(pool.options().get_max_connections()));
    match jevons_store::digest::outbox_by_state(pool).await {
        Ok(counts) => {
            for state in OUTBOX_STATES {
                let n = counts
                    .iter()
                    .find(|(s, _)| s == state)
                    .map_or(0, |(_, n)| *n);
                metrics::gauge!("jevons_digest_outbox_messages", "state" => state).set(n as f64);
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: cannot count the digest outbox"),
    }
}

async fn metrics_text(
    handle: web::Data<PrometheusHandle>,
    pool: web::Data<PgPool>,
) -> HttpResponse {
    sample_gauges(&pool).await;
    handle.run_upkeep();
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(handle.render())
}

/// `GET /metrics` on its own listener (one worker; a scrape is light).
pub fn metrics_server(
    listen: SocketAddr,
    handle: PrometheusHandle,
    pool: PgPool,
) -> std::io::Result<(actix_web::dev::Server, SocketAddr)> {
    let handle = web::Data::new(handle);
    let pool = web::Data::new(pool);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(handle.clone())
            .app_data(pool.clone())
            .route("/metrics", web::get().to(metrics_text))
    })
    .workers(1)
    .disable_signals()
    .bind(listen)?;
    let bound = server.addrs().first().copied().unwrap_or(listen);
    Ok((server.run(), bound))
}
