use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use jevons_core::{PriceBar, Settings, Symbol};
use jevons_jobs::JobContext;
use jevons_store::testing::{TestDatabase, fresh_database};
use wiremock::MockServer;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn bundled_prices() -> PathBuf {
    repo_root().join("data/prices")
}

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The bundled series of one symbol, read with jevons' own CSV reader.
pub fn bundled_series(symbol: &str) -> Vec<PriceBar> {
    let (_, bars) =
        jevons_market::csv_file::read_file(&bundled_prices().join(format!("{symbol}.csv")))
            .unwrap();
    bars
}

/// Settings as a user would have them, pointed at this test's database and fake providers.
pub fn test_settings(db: &TestDatabase, yahoo: &MockServer, stooq: &MockServer) -> Settings {
    settings_for(&db.url, &yahoo.uri(), &stooq.uri())
}

/// [`test_settings`] for any database and provider URLs.
pub fn settings_for(database_url: &str, yahoo: &str, stooq: &str) -> Settings {
    let env = [
        ("DATABASE_URL", database_url.to_string()),
        ("JEVONS__SERVER__LISTEN", "127.0.0.1:0".into()),
        ("JEVONS__MARKET__YAHOO_BASE_URL", yahoo.to_string()),
        ("JEVONS__MARKET__STOOQ_BASE_URL", stooq.to_string()),
        ("JEVONS__MARKET__MAX_ATTEMPTS", "2".into()),
        ("JEVONS__MARKET__BACKOFF_BASE_MS", "5".into()),
        ("JEVONS__MARKET__BACKOFF_MAX_MS", "20".into()),
        ("JEVONS__MARKET__TIMEOUT_SECS", "5".into()),
        ("JEVONS__JOBS__ENABLED", "false".into()),
        // These tests write rows straight through the store and read the page at once; the
        // view cache would answer from memory until the change notification arrives (moments
        // later), so it is off here and tested on its own in view_cache.rs.
        ("JEVONS__SERVER__VIEW_CACHE__ENABLED", "false".into()),
        (
            "JEVONS__DATABASE__BUNDLED_PRICES",
            bundled_prices().display().to_string(),
        ),
    ];
    Settings::load_with(
        &repo_root().join("config"),
        env.into_iter().map(|(k, v)| (k.to_string(), v)),
    )
    .unwrap()
}

pub struct TestApp {
    pub address: String,
    pub db: TestDatabase,
    pub settings: Arc<Settings>,
    pub yahoo: MockServer,
    pub stooq: MockServer,
    pub client: reqwest::Client,
}

impl TestApp {
    pub fn pool(&self) -> &jevons_store::PgPool {
        &self.db.pool
    }

    pub fn job_context(&self) -> JobContext {
        JobContext::new(self.db.pool.clone(), self.settings.clone()).unwrap()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap()
    }

    pub async fn price_rows(&self) -> Vec<PriceRow> {
        sqlx::query_as(
            "SELECT symbol, day, open, high, low, close, adj_close, volume, source, fetched_at \
             FROM price_bars ORDER BY symbol, day",
        )
        .fetch_all(self.pool())
        .await
        .unwrap()
    }
}

#[derive(Debug, PartialEq, sqlx::FromRow)]
pub struct PriceRow {
    pub symbol: String,
    pub day: NaiveDate,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub adj_close: f64,
    pub volume: i64,
    pub source: String,
    pub fetched_at: chrono::DateTime<chrono::Utc>,
}

/// Starts the web app on a random port in the background; returns its address.
pub async fn serve(settings: &Settings, pool: &jevons_store::PgPool) -> String {
    let app = jevons_web::Application::build(settings, pool.clone())
        .await
        .unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    address
}

/// Spawns the app; `seed` loads the bundled dataset as a first start on an empty database does.
pub async fn spawn_app(seed: bool) -> TestApp {
    spawn_app_with(seed, |_| {}).await
}

pub async fn spawn_app_with(seed: bool, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let db = fresh_database().await;
    let yahoo = MockServer::start().await;
    let stooq = MockServer::start().await;
    let mut settings = test_settings(&db, &yahoo, &stooq);
    settings.database.seed_on_empty = seed;
    adjust(&mut settings);
    jevons::startup::prepare_data(&settings, &db.pool)
        .await
        .unwrap();
    let address = serve(&settings, &db.pool).await;
    TestApp {
        address,
        db,
        settings: Arc::new(settings),
        yahoo,
        stooq,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    }
}

pub use jevons_market::fake::{stooq_csv, yahoo_chart_json};

/// Serves every watchlist symbol's bundled series (up to `until`) from the fake Yahoo.
pub async fn serve_yahoo_history(app: &TestApp, until: NaiveDate) {
    for ticker in &app.settings.watchlist {
        let bars: Vec<_> = bundled_series(ticker.symbol.as_str())
            .into_iter()
            .filter(|b| b.day <= until)
            .collect();
        mount_yahoo(&app.yahoo, &ticker.symbol, &bars).await;
    }
}

pub async fn mount_yahoo(server: &MockServer, symbol: &Symbol, bars: &[PriceBar]) {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};
    Mock::given(method("GET"))
        .and(path(format!("/v8/finance/chart/{symbol}")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(yahoo_chart_json(symbol.as_str(), bars)),
        )
        .mount(server)
        .await;
}

pub fn watchlist_only(settings: &mut Settings, symbols: &[&str]) {
    settings
        .watchlist
        .retain(|t| symbols.contains(&t.symbol.as_str()));
}

pub fn sym(s: &str) -> Symbol {
    Symbol::parse(s).unwrap()
}

/// A response header as text; a missing one fails the test with its name.
pub fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}
