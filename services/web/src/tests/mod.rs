//! The app against a fresh database holding the bundled real prices: the shared setup here,
//! the tests by what they call (`pages`, `api`, `health`).

mod api;
mod health;
mod limits;
mod pages;

use std::path::{Path, PathBuf};

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::{StatusCode, header};
use actix_web::test::read_body;
use jevons_core::Settings;
use jevons_store::testing::{TestDatabase, fresh_database};

fn prices_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/prices")
}

pub(super) fn default_settings() -> Settings {
    Settings::load_with(
        Path::new("/nonexistent"),
        [(
            "JEVONS__SERVER__LISTEN".to_string(),
            "127.0.0.1:0".to_string(),
        )],
    )
    .unwrap()
}

/// The day these tests' figures were read off: the bundled prices up to it (the DeepSeek shock
/// and the half year after), whatever later days the bundle gains.
const UNTIL: &str = "2025-06-30";

/// A fresh database with the default watchlist and the bundled prices of `symbols`
/// (all files when empty) up to [`UNTIL`].
pub(super) async fn database_with(symbols: &[&str]) -> TestDatabase {
    let db = fresh_database().await;
    jevons_store::tickers::sync_watchlist(&db.pool, &default_settings().watchlist)
        .await
        .unwrap();
    let series: Vec<_> = jevons_market::csv_file::read_path(&prices_dir())
        .unwrap()
        .into_iter()
        .filter(|(s, _)| symbols.is_empty() || symbols.contains(&s.as_str()))
        .map(|(s, bars)| {
            let until = chrono::NaiveDate::parse_from_str(UNTIL, "%Y-%m-%d").unwrap();
            (
                s,
                bars.into_iter()
                    .filter(|b| b.day <= until)
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, bars)| !bars.is_empty())
        .collect();
    assert!(!series.is_empty());
    jevons_store::prices::upsert_bars(&db.pool, "test", &series)
        .await
        .unwrap();
    db
}

pub(super) struct Reply {
    pub(super) status: StatusCode,
    pub(super) content_type: String,
    pub(super) headers: header::HeaderMap,
    /// The body as text (binary answers: lossy; see `bytes`).
    pub(super) body: String,
    pub(super) bytes: Vec<u8>,
}

impl Reply {
    pub(super) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub(super) fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// Calls `uri` on the app (with an optional Accept header) and collects the reply.
macro_rules! get {
    ($app:expr, $uri:expr, $accept:expr) => {{
        let mut req = actix_web::test::TestRequest::get().uri($uri);
        let accept: Option<&str> = $accept;
        if let Some(a) = accept {
            req = req.insert_header((header::ACCEPT, a));
        }
        $crate::tests::reply(actix_web::test::call_service($app, req.to_request()).await).await
    }};
}
pub(super) use get;

/// The app over `pool` with the default settings and a view cache of its own.
macro_rules! test_app {
    ($pool:expr) => {{
        let settings = std::sync::Arc::new($crate::tests::default_settings());
        let guards = std::sync::Arc::new($crate::RequestGuards::new(
            &settings.server.limits,
            &settings.server.public_base_url,
        ));
        actix_web::test::init_service($crate::app(
            $pool,
            settings,
            $crate::tests::fresh_views(),
            guards,
        ))
        .await
    }};
}
pub(super) use test_app;

pub(super) async fn reply<B: MessageBody>(resp: ServiceResponse<B>) -> Reply {
    let status = resp.status();
    let headers = resp.headers().clone();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let bytes = read_body(resp).await.to_vec();
    let body = String::from_utf8_lossy(&bytes).into_owned();
    Reply {
        status,
        content_type,
        headers,
        body,
        bytes,
    }
}

/// The text between `start` and the next `end` after it (a table row, say).
pub(super) fn slice_from<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let i = body
        .find(start)
        .unwrap_or_else(|| panic!("`{start}` not in the page"));
    let rest = &body[i..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// A view cache of its own for each test app (the listener is not running here: these tests
/// see their own writes through the job runs and API writes they make).
pub(super) fn fresh_views() -> std::sync::Arc<crate::ViewCache> {
    std::sync::Arc::new(crate::ViewCache::new(&Default::default()))
}
