//! Typed configuration: `config/default.toml` → `config/local.toml` → `JEVONS__SECTION__KEY`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use secrecy::SecretString;
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
    pub watchlist: Vec<Ticker>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    pub listen: SocketAddr,
    pub public_base_url: String,
}

/// `url` is a secret: it may carry a password, so Debug prints `[REDACTED]`.
#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    pub url: Option<SecretString>,
    pub data_dir: PathBuf,
    pub database_name: String,
    pub max_connections: u32,
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
    pub catch_up_on_start: bool,
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
        let settings: Settings = Config::builder()
            .add_source(defaults)
            .add_source(File::from(config_dir.join("local.toml")).required(false))
            .add_source(
                Environment::with_prefix("JEVONS")
                    .prefix_separator("__")
                    .separator("__")
                    .list_separator(",")
                    .with_list_parse_key("market.providers")
                    .try_parsing(true)
                    .source(Some(env.into_iter().collect())),
            )
            .build()?
            .try_deserialize()?;
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
    use secrecy::ExposeSecret;

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
    fn bad_values_are_clear_errors() {
        let err = Settings::load_with(
            Path::new("/nonexistent"),
            env(&[("JEVONS__SERVER__LISTEN", "not-an-address")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("listen"), "{err}");
    }
}
