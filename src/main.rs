use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use jevons::cli::{
    BackfillCommand, Cli, Command, DigestCommand, ImportCommand, JobsCommand, SubscribersCommand,
};
use jevons::{commands, startup};
use jevons_core::{Settings, Symbol};
use jevons_jobs::{Job, JobContext, Progress, SymbolOutcome};
use jevons_store::job_runs;
use tracing_subscriber::EnvFilter;

// mimalloc keeps freed memory for reuse where glibc's malloc hands it back to the OS: an event
// study over many stocks runs ~1.2x faster with it (scripts/bench-event-study uses it too).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // candle sizes its CPU threads from the environment (CANDLE_NUM_THREADS once per process,
    // RAYON_NUM_THREADS): set it from summarizer.threads/workers (unless the user did) while this
    // process still has a single thread. A bad configuration is reported by `run` below.
    if let Ok(mut settings) = Settings::load(&cli.config_dir) {
        if matches!(cli.command, Some(Command::Summarize { .. })) {
            // One article: one worker with every thread answers soonest.
            settings.summarizer.workers = 1;
        }
        for (key, value) in jevons_summarizer::threads::pin(&mut settings.summarizer) {
            // SAFETY: no other thread exists yet (the async runtime starts below), so nothing
            // reads the environment at the same time.
            #[allow(unsafe_code)]
            unsafe {
                std::env::set_var(key, value)
            };
        }
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", describe(&e));
            std::process::ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, each cause once: library errors often repeat their
/// source in their own message already.
fn describe(e: &anyhow::Error) -> String {
    let mut out = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !out.contains(&cause) {
            out.push_str(": ");
            out.push_str(&cause);
        }
    }
    out
}

async fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    let settings = Arc::new(Settings::load(&cli.config_dir)?);
    // The model commands need no database.
    if let Some(command) = cli
        .command
        .as_ref()
        .filter(|c| commands::summarize::handles(c))
    {
        return commands::summarize::run(command, &settings).await;
    }
    let mut db = startup::open_database(&settings).await?;
    let command = cli.command.unwrap_or(Command::Serve);
    let result = match reads_stored_data(&command) {
        // Read commands see what `serve` shows: on a new database, the bundled dataset.
        true => startup::prepare_data(&settings, &db.pool).await,
        false => Ok(()),
    };
    let result = match result {
        Ok(()) => dispatch(command, &settings, &db.pool).await,
        Err(e) => Err(e),
    };
    db.pool.close().await;
    if let Some(cluster) = db.embedded.as_mut() {
        cluster.stop().context("stopping the embedded PostgreSQL")?;
    }
    result
}

/// Commands that show or compute from stored data. Migrations, imports and backfills write
/// what they are given into whatever database is there, bundled data or not.
fn reads_stored_data(command: &Command) -> bool {
    !matches!(
        command,
        Command::Migrate | Command::Import(_) | Command::Backfill(_) | Command::Serve
    )
}

async fn dispatch(
    command: Command,
    settings: &Arc<Settings>,
    pool: &jevons_store::PgPool,
) -> anyhow::Result<std::process::ExitCode> {
    use std::process::ExitCode;
    match command {
        Command::Migrate => {
            println!("migrations applied");
        }
        Command::Serve => serve(settings, pool).await?,
        Command::Import(ImportCommand::Prices { path }) => {
            jevons_store::tickers::sync_watchlist(pool, &settings.watchlist).await?;
            let started = std::time::Instant::now();
            let stats = startup::import_prices(pool, &path).await?;
            let secs = started.elapsed().as_secs_f64();
            println!(
                "imported {} rows from {} in {:.2}s ({:.0} rows/s): {} new, {} changed, {} unchanged",
                stats.rows,
                path.display(),
                secs,
                stats.rows as f64 / secs.max(1e-9),
                stats.inserted,
                stats.updated,
                stats.unchanged
            );
        }
        Command::Backfill(BackfillCommand::Prices { symbols, from, to }) => {
            jevons_store::tickers::sync_watchlist(pool, &settings.watchlist).await?;
            let ctx = JobContext::new(pool.clone(), settings.clone())?;
            let symbols = if symbols.is_empty() {
                settings.symbols()
            } else {
                symbols
            };
            let from = from.or(Some(settings.market.history_start));
            let progress = CliProgress::new();
            let report = jevons_jobs::backfill_prices(&ctx, &symbols, from, to, &progress).await?;
            progress.finish();
            println!(
                "{} rows written, {} symbol(s) failed",
                report.rows_written,
                report.failed.len()
            );
            for (_, error) in &report.failed {
                eprintln!("  {error}");
            }
            if !report.failed.is_empty() {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Import(ImportCommand::Models {
            path,
            format,
            snapshot,
            source,
            self_reported,
        }) => {
            commands::models::import(
                settings,
                pool,
                &path,
                &format,
                snapshot,
                source,
                self_reported,
            )
            .await?;
        }
        Command::Backfill(BackfillCommand::Models { bundled }) => {
            if !commands::models::backfill(settings, pool, bundled).await? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Models(command) => commands::models::run(settings, pool, command).await?,
        Command::Import(ImportCommand::Fundamentals { path }) => {
            commands::fundamentals::import(pool, &path).await?;
        }
        Command::Backfill(BackfillCommand::Fundamentals { symbols }) => {
            if !commands::fundamentals::backfill(settings, pool, &symbols).await? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Jobs(JobsCommand::List) => {
            println!(
                "{:<16} {:<22} {:<28} description",
                "job", "schedule (UTC)", "last run"
            );
            for job in Job::ALL {
                let last = job_runs::recent(pool, Some(job.name()), 1).await?;
                let last = last.first().map_or_else(
                    || "never".to_string(),
                    |r| {
                        format!(
                            "{} {}",
                            r.started_at.format("%Y-%m-%d %H:%M"),
                            r.status.as_str()
                        )
                    },
                );
                println!(
                    "{:<16} {:<22} {:<28} {}",
                    job.name(),
                    job.schedule(settings),
                    last,
                    job.description()
                );
            }
        }
        Command::Subscribers(SubscribersCommand::List) => {
            commands::digest::list_subscribers(pool).await?;
        }
        Command::Subscribers(SubscribersCommand::Remove { email }) => {
            if !commands::digest::remove_subscriber(pool, &email).await? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Digest(DigestCommand::Preview {
            to,
            cadence,
            tickers,
            day,
        }) => {
            let tickers: Vec<String> = tickers
                .iter()
                .map(|t| t.trim().to_ascii_uppercase())
                .collect();
            commands::digest::preview(settings, pool, &cadence, &tickers, day, &to).await?;
        }
        Command::Digest(DigestCommand::Send { now, cadence }) => {
            anyhow::ensure!(
                now,
                "`jevons digest send` needs --now (it emails every confirmed subscriber)"
            );
            let cadences = match cadence.as_deref() {
                None => vec![
                    jevons_digest::Cadence::Daily,
                    jevons_digest::Cadence::Weekly,
                ],
                Some(c) => vec![
                    jevons_digest::Cadence::parse(c)
                        .ok_or_else(|| anyhow::anyhow!("cadence must be daily or weekly"))?,
                ],
            };
            if !commands::digest::send_now(settings, pool, &cadences).await? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Jobs(JobsCommand::Run { job }) => {
            let job = Job::parse(&job)?;
            jevons_store::tickers::sync_watchlist(pool, &settings.watchlist).await?;
            let ctx = JobContext::new(pool.clone(), settings.clone())?;
            let report = jevons_jobs::run_job(&ctx, job, Utc::now()).await?;
            println!(
                "{}: {} ({} rows written){}",
                job.name(),
                report.status.as_str(),
                report.rows_written,
                report
                    .error
                    .as_deref()
                    .map(|e| format!("\n{e}"))
                    .unwrap_or_default()
            );
            if report.status == job_runs::RunStatus::Failed {
                return Ok(ExitCode::FAILURE);
            }
        }
        command @ (Command::Model(_) | Command::Summarize { .. }) => {
            return commands::summarize::run(&command, settings).await;
        }
        Command::Events(command) => commands::events::run(command, settings, pool).await?,
        Command::Feeds(command) => commands::news::run(command, settings, pool).await?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn serve(settings: &Arc<Settings>, pool: &jevons_store::PgPool) -> anyhow::Result<()> {
    startup::prepare_data(settings, pool).await?;
    commands::summarize::spawn_auto_fetch(settings);
    let mut scheduler = if settings.jobs.enabled {
        let ctx = JobContext::new(pool.clone(), settings.clone())?;
        if settings.jobs.catch_up_on_start {
            let ctx = ctx.clone();
            tokio::spawn(async move {
                if let Err(e) = jevons_jobs::catch_up(&ctx).await {
                    tracing::error!(error = %e, "catch-up failed");
                }
            });
        }
        // Retries and confirmations that could not go out at once.
        let digests = jevons_digest::Digests::new(pool.clone(), settings.clone()).await?;
        tokio::spawn(digests.run_worker());
        Some(jevons_jobs::start_scheduler(ctx).await?)
    } else {
        None
    };
    let app = jevons_web::Application::build(settings, pool.clone())
        .await
        .with_context(|| format!("cannot listen on {}", settings.server.listen))?;
    tracing::info!(
        "serving on http://{}:{}",
        settings.server.listen.ip(),
        app.port()
    );
    // actix stops gracefully on Ctrl-C / SIGTERM; the caller then stops the embedded cluster.
    app.run_until_stopped().await?;
    if let Some(s) = scheduler.as_mut() {
        s.shutdown().await.ok();
    }
    Ok(())
}

/// A progress bar on a terminal, plain log lines otherwise.
struct CliProgress {
    bar: Option<ProgressBar>,
}

impl CliProgress {
    fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Self { bar }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for CliProgress {
    fn start(&self, symbols: usize) {
        match &self.bar {
            Some(bar) => bar.set_length(symbols as u64),
            None => tracing::info!(symbols, "backfill started"),
        }
    }

    fn symbol_done(&self, symbol: &Symbol, outcome: &SymbolOutcome) {
        let line = match outcome {
            SymbolOutcome::Stored {
                provider,
                fetched,
                written,
            } => {
                format!("{symbol}: {fetched} bars from {provider}, {written} written")
            }
            SymbolOutcome::UpToDate => format!("{symbol}: up to date"),
            SymbolOutcome::Failed(e) => format!("FAILED {e}"),
        };
        match &self.bar {
            Some(bar) => {
                bar.println(line);
                bar.set_message(symbol.to_string());
                bar.inc(1);
            }
            None => tracing::info!("{line}"),
        }
    }
}
