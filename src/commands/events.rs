//! `jevons events add|list`, and the seed events loaded on start.

use anyhow::Context;
use chrono::NaiveTime;
use jevons_core::Settings;
use jevons_store::PgPool;
use jevons_store::events::{self, EventFilter, EventKind, NewEvent};

use crate::cli::EventsCommand;

/// Loads `events.seed_file` into an empty events table (with `database.seed_on_empty`).
pub async fn seed(settings: &Settings, pool: &PgPool) -> anyhow::Result<()> {
    if !settings.database.seed_on_empty {
        return Ok(());
    }
    let path = &settings.events.seed_file;
    if !path.exists() {
        tracing::warn!(file = %path.display(), "no seed events file found");
        return Ok(());
    }
    let n = events::seed_if_empty(pool, path)
        .await
        .with_context(|| format!("cannot load the seed events from {}", path.display()))?;
    if n > 0 {
        tracing::info!(events = n, file = %path.display(), "empty events table: loaded the seed events");
    }
    Ok(())
}

pub async fn run(command: EventsCommand, settings: &Settings, pool: &PgPool) -> anyhow::Result<()> {
    seed(settings, pool).await?;
    match command {
        EventsCommand::Add {
            day,
            time,
            time_zone,
            kind,
            title,
            description,
            source_url,
        } => {
            let time = time
                .map(|t| {
                    NaiveTime::parse_from_str(t.trim(), "%H:%M")
                        .with_context(|| format!("--time `{t}` is not HH:MM"))
                })
                .transpose()?;
            let event = NewEvent {
                day,
                time,
                time_zone,
                kind: kind.into(),
                title,
                description,
                source_url,
                model_id: None,
                article_id: None,
            };
            let (e, created) = events::upsert(pool, event, "cli").await?;
            println!(
                "{} event {}: {} {} {}",
                if created { "added" } else { "updated" },
                e.id,
                e.day,
                e.kind.as_str(),
                e.title
            );
        }
        EventsCommand::List {
            kind,
            from,
            to,
            search,
            json,
        } => {
            let filter = EventFilter {
                kind: kind.map(EventKind::from),
                from,
                to,
                text: search,
                limit: None,
            };
            let list = events::list(pool, &filter).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                println!(
                    "{:<5} {:<10} {:<6} {:<14} title",
                    "id", "day", "time", "kind"
                );
                for e in &list {
                    println!(
                        "{:<5} {:<10} {:<6} {:<14} {}",
                        e.id,
                        e.day,
                        e.time
                            .map_or_else(|| "–".to_string(), |t| t.format("%H:%M").to_string()),
                        e.kind.as_str(),
                        e.title
                    );
                }
                println!("{} event(s)", list.len());
            }
        }
    }
    Ok(())
}
