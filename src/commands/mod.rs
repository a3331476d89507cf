//! What each subcommand does, one module per area; [`run`] opens what a command needs and
//! dispatches to it.

pub mod digest;
pub mod events;
pub mod fundamentals;
pub mod jobs;
pub mod models;
pub mod news;
pub mod prices;
pub mod serve;
pub mod summarize;

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use jevons_core::Settings;
use jevons_store::PgPool;

use crate::cli::{
    BackfillCommand, Cli, Command, DigestCommand, ImportCommand, JobsCommand, SubscribersCommand,
};
use crate::startup;

/// Runs the command line: settings, then the database (unless the command needs none), then the
/// command; the embedded cluster, if one was started, is stopped on the way out.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let settings = Arc::new(Settings::load(&cli.config_dir)?);
    // The model commands need no database.
    if let Some(command) = cli.command.as_ref().filter(|c| summarize::handles(c)) {
        return summarize::run(command, &settings).await;
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

/// A success that prints nothing more, or the exit code for a command that reports failures.
fn exit_code(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

async fn dispatch(
    command: Command,
    settings: &Arc<Settings>,
    pool: &PgPool,
) -> anyhow::Result<ExitCode> {
    match command {
        Command::Migrate => println!("migrations applied"),
        Command::Serve => serve::run(settings, pool).await?,
        Command::Import(ImportCommand::Prices { path }) => {
            prices::import(settings, pool, &path).await?;
        }
        Command::Backfill(BackfillCommand::Prices { symbols, from, to }) => {
            return prices::backfill(settings, pool, symbols, from, to).await;
        }
        Command::Import(ImportCommand::Models {
            path,
            format,
            snapshot,
            source,
            self_reported,
        }) => {
            models::import(
                settings,
                pool,
                &path,
                format,
                snapshot,
                source,
                self_reported,
            )
            .await?;
        }
        Command::Backfill(BackfillCommand::Models { bundled }) => {
            return Ok(exit_code(models::backfill(settings, pool, bundled).await?));
        }
        Command::Models(command) => models::run(settings, pool, command).await?,
        Command::Import(ImportCommand::Fundamentals { path }) => {
            fundamentals::import(pool, &path).await?;
        }
        Command::Backfill(BackfillCommand::Fundamentals { symbols }) => {
            return Ok(exit_code(
                fundamentals::backfill(settings, pool, &symbols).await?,
            ));
        }
        Command::Jobs(JobsCommand::List) => jobs::list(settings, pool).await?,
        Command::Jobs(JobsCommand::Run { job }) => return jobs::run(settings, pool, &job).await,
        Command::Subscribers(SubscribersCommand::List) => digest::list_subscribers(pool).await?,
        Command::Subscribers(SubscribersCommand::Remove { email }) => {
            return Ok(exit_code(digest::remove_subscriber(pool, &email).await?));
        }
        Command::Digest(DigestCommand::Preview {
            to,
            cadence,
            tickers,
            day,
        }) => digest::preview(settings, pool, cadence.into(), &tickers, day, &to).await?,
        Command::Digest(DigestCommand::Send { now, cadence }) => {
            return Ok(exit_code(
                digest::send(settings, pool, now, cadence.map(Into::into)).await?,
            ));
        }
        command @ (Command::Model(_) | Command::Summarize { .. }) => {
            return summarize::run(&command, settings).await;
        }
        Command::Events(command) => events::run(command, settings, pool).await?,
        Command::Feeds(command) => news::run(command, settings, pool).await?,
    }
    Ok(ExitCode::SUCCESS)
}
