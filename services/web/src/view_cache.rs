//! Computed views at memory speed.
//!
//! Pages and GET API answers are computed from the rows on the first request after the data
//! under them changed, then kept in memory and served from there until the next change. Every
//! committed write to a table a view reads is announced by PostgreSQL (`LISTEN/NOTIFY`,
//! migration 0020), so every instance drops its views within moments of a write, whichever
//! process made it. Answers carry a strong `ETag` (a hash of the body), `Last-Modified` (when
//! this instance last heard of a change) and `Cache-Control: public, max-age`, and conditional
//! requests get `304 Not Modified`, so a proxy or CDN can serve many readers too.

use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue, HttpDate};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use jevons_core::config::ViewCacheSettings;
use jevons_store::PgPool;
use jevons_store::StoreError;
use jevons_store::changes::{self, Change, ChangeListener};

use crate::error::AppError;

/// Paths whose answers depend on more than the stored data (forms, tokens, the health checks),
/// or are already static.
const UNCACHED_PREFIXES: &[&str] = &[
    "/subscribe",
    "/unsubscribe",
    "/healthz",
    "/readyz",
    "/static/",
    "/jobs",
];

/// Response headers kept with a cached answer (the rest are added again by the middleware
/// around this one).
const KEPT_HEADERS: &[HeaderName] = &[
    header::CONTENT_TYPE,
    header::CONTENT_DISPOSITION,
    header::VARY,
    header::CONTENT_SECURITY_POLICY,
];

/// One computed answer.
#[derive(Debug)]
struct CachedView {
    /// The data generation it was computed from.
    generation: u64,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
    etag: HeaderValue,
    last_modified: HttpDate,
}

/// The views of one instance and the data generation they belong to.
#[derive(Debug)]
pub struct ViewCache {
    settings: ViewCacheSettings,
    views: moka::sync::Cache<String, Arc<CachedView>>,
    /// One lock per view being computed: when a view goes stale under load, one request
    /// computes it and the others wait for that answer instead of computing it again. It holds
    /// when a computation last found the database unreachable (503): the requests that waited
    /// on it answer 503 too, instead of each waiting out the pool's acquire timeout in turn.
    computing: moka::sync::Cache<String, Arc<tokio::sync::Mutex<Option<Instant>>>>,
    /// Changes heard from PostgreSQL (plus one per lost connection).
    heard: AtomicU64,
    /// When the data last changed, as far as this instance knows.
    changed_at: RwLock<SystemTime>,
    cache_control: HeaderValue,
}

impl ViewCache {
    pub fn new(settings: &ViewCacheSettings) -> Self {
        let capacity = settings.capacity_mib.saturating_mul(1024 * 1024);
        let views = moka::sync::Cache::builder()
            .max_capacity(capacity)
            .weigher(|key: &String, view: &Arc<CachedView>| {
                u32::try_from(key.len() + view.body.len() + 256).unwrap_or(u32::MAX)
            })
            .build();
        let cache_control =
            HeaderValue::from_str(&format!("public, max-age={}", settings.max_age_s))
                .unwrap_or_else(|_| HeaderValue::from_static("no-cache"));
        Self {
            settings: settings.clone(),
            views,
            computing: moka::sync::Cache::builder().max_capacity(10_000).build(),
            heard: AtomicU64::new(0),
            changed_at: RwLock::new(SystemTime::now()),
            cache_control,
        }
    }

    /// The current data generation: changes heard from the server plus writes this process
    /// committed itself (which it need not wait to hear about).
    fn generation(&self) -> u64 {
        self.heard.load(Ordering::Acquire) + changes::local_writes()
    }

    /// Marks every view stale: the data under them changed. They stay until recomputed (a view
    /// whose bytes come out the same keeps its `Last-Modified`) or evicted.
    pub fn data_changed(&self) {
        if let Ok(mut at) = self.changed_at.write() {
            *at = SystemTime::now();
        }
        self.heard.fetch_add(1, Ordering::AcqRel);
    }

    fn last_modified(&self) -> HttpDate {
        let at = self
            .changed_at
            .read()
            .map(|at| *at)
            .unwrap_or_else(|_| SystemTime::now());
        HttpDate::from(at)
    }

    /// Listens for changes until the task is aborted. A lost connection counts as a change
    /// (notifications may have been missed meanwhile); reconnects every second until it works.
    pub async fn follow_changes(self: Arc<Self>, pool: PgPool) {
        let mut was_down = false;
        loop {
            let mut listener = match ChangeListener::connect(&pool).await {
                Ok(listener) => listener,
                Err(e) => {
                    if !was_down {
                        tracing::warn!(error = %e, "cannot listen for data changes; retrying every second");
                    }
                    was_down = true;
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            // Writes may have happened while nobody listened.
            self.data_changed();
            if was_down {
                tracing::info!("listening for data changes again");
            }
            let lost = loop {
                match listener.next().await {
                    Ok(Change::Table(table)) => {
                        tracing::debug!(%table, "data changed; computed views dropped");
                        self.data_changed();
                    }
                    Ok(Change::Resync) => self.data_changed(),
                    Err(e) => break e,
                }
            };
            tracing::warn!(error = %lost, "lost the data-change listener; reconnecting");
            self.data_changed();
            was_down = true;
        }
    }

    /// API answers depend on `Accept` (JSON, CSV, Parquet) and, through CORS, on `Origin`.
    fn key(req: &ServiceRequest) -> String {
        let header_of = |name| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
        };
        let (accept, origin) = if req.path().starts_with("/api/") {
            (header_of(header::ACCEPT), header_of(header::ORIGIN))
        } else {
            ("", "")
        };
        format!("{}?{}|{accept}|{origin}", req.path(), req.query_string())
    }

    fn cacheable(&self, req: &ServiceRequest) -> bool {
        self.settings.enabled
            && (req.method() == Method::GET || req.method() == Method::HEAD)
            && !UNCACHED_PREFIXES.iter().any(|p| req.path().starts_with(p))
    }
}

/// The middleware: answers from the cache when it can, else computes and keeps the answer.
pub async fn serve_cached(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(cache) = req.app_data::<web::Data<ViewCache>>().cloned() else {
        return next.call(req).await;
    };
    if !cache.cacheable(&req) {
        return next.call(req).await;
    }
    let key = ViewCache::key(&req);
    let fresh = |cache: &ViewCache| {
        let generation = cache.generation();
        let previous = cache.views.get(&key);
        match previous {
            Some(view) if view.generation == generation => Ok(view),
            other => Err((generation, other)),
        }
    };
    if let Ok(view) = fresh(&cache) {
        let resp = answer(&cache, &view, req.headers());
        return Ok(req.into_response(resp));
    }
    let waiting_since = Instant::now();
    let lock = cache.computing.get_with(key.clone(), Default::default);
    let mut unavailable_at = lock.lock().await;
    // Another request may have computed it while this one waited.
    let (generation, previous) = match fresh(&cache) {
        Ok(view) => {
            let resp = answer(&cache, &view, req.headers());
            return Ok(req.into_response(resp));
        }
        Err(stale) => stale,
    };
    if unavailable_at.is_some_and(|at| at >= waiting_since) {
        let unavailable = StoreError::Sqlx(sqlx::Error::PoolTimedOut);
        return Ok(req.error_response(AppError::from(unavailable)));
    }

    let res = next.call(req).await?;
    if res.status() == StatusCode::SERVICE_UNAVAILABLE {
        *unavailable_at = Some(Instant::now());
    }
    if res.status() != StatusCode::OK || res.headers().contains_key(header::SET_COOKIE) {
        return Ok(res);
    }
    let (req, resp) = res.into_parts();
    let (head, body) = resp.into_parts();
    let body = match body.try_into_bytes() {
        Ok(bytes) => bytes,
        Err(body) => actix_web::body::to_bytes(body)
            .await
            .map_err(|e| actix_web::error::ErrorInternalServerError(e.to_string()))?,
    };
    let etag = etag_of(&body);
    // Unchanged bytes are not modified, whatever else changed meanwhile.
    let last_modified = previous
        .filter(|p| p.etag == etag)
        .map_or_else(|| cache.last_modified(), |p| p.last_modified);
    let view = Arc::new(CachedView {
        generation,
        headers: KEPT_HEADERS
            .iter()
            .filter_map(|name| head.headers().get(name).map(|v| (name.clone(), v.clone())))
            .collect(),
        etag,
        body,
        last_modified,
    });
    // Only if nothing changed while it was computed; else the next request computes afresh.
    if cache.generation() == generation {
        cache.views.insert(key, view.clone());
    }
    let resp = answer(&cache, &view, req.headers());
    Ok(ServiceResponse::new(req, resp))
}

/// A strong validator: the same bytes give the same tag on every instance.
fn etag_of(body: &[u8]) -> HeaderValue {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut hasher);
    let tag = format!("\"{:016x}-{:x}\"", hasher.finish(), body.len());
    HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

/// HTTP dates have whole seconds; the times kept here have more.
fn unix_seconds(date: HttpDate) -> u64 {
    SystemTime::from(date)
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// 304 when the client's copy is current (`If-None-Match` first, else `If-Modified-Since`),
/// the cached answer otherwise.
fn answer(cache: &ViewCache, view: &CachedView, request: &HeaderMap) -> HttpResponse {
    let not_modified = match request.get(header::IF_NONE_MATCH) {
        Some(tags) => tags.to_str().is_ok_and(|tags| {
            tags.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == "*" || view.etag.to_str().is_ok_and(|e| e == t))
        }),
        None => request
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<HttpDate>().ok())
            .is_some_and(|since| unix_seconds(since) >= unix_seconds(view.last_modified)),
    };
    let mut resp = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    for (name, value) in &view.headers {
        resp.insert_header((name.clone(), value.clone()));
    }
    resp.insert_header((header::ETAG, view.etag.clone()))
        .insert_header((header::LAST_MODIFIED, view.last_modified))
        .insert_header((header::CACHE_CONTROL, cache.cache_control.clone()));
    if not_modified {
        resp.finish()
    } else {
        resp.body(view.body.clone())
    }
}
