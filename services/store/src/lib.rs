//! Postgres access for jevons: connection and migrations, one module per table family, the
//! COPY-based bulk load of prices, and a launcher for a private PostgreSQL cluster when no
//! `DATABASE_URL` is configured.

// Tests may unwrap: a panic there is the failure report.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod changes;
pub mod digest;
pub mod embedded;
mod error;
pub mod event_results;
pub mod events;
pub mod fundamentals;
pub mod job_runs;
pub mod models;
pub mod news;
pub mod pooled_results;
pub mod prices;
pub mod release_classes;
pub mod testing;
pub mod tickers;

use std::time::Duration;

use jevons_core::config::DatabaseSettings;
use secrecy::ExposeSecret;
use sqlx::postgres::PgPoolOptions;

pub use error::StoreError;
pub use sqlx::PgPool;

/// The schema, embedded at compile time so the binary migrates without the source tree.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// A pool, and the private cluster behind it when jevons started one. Keep it alive as long as
/// the pool is used: dropping it stops the embedded server.
#[derive(Debug)]
pub struct Database {
    pub pool: PgPool,
    pub embedded: Option<embedded::EmbeddedPostgres>,
}

/// `settings.url` set → connect to it (create nothing). Else start the embedded cluster in
/// `settings.data_dir`, create `settings.database_name` if missing and connect. Does not migrate.
pub async fn connect(settings: &DatabaseSettings) -> Result<Database, StoreError> {
    if let Some(url) = &settings.url {
        let pool = connect_url_with(
            url.expose_secret(),
            settings.max_connections,
            Duration::from_secs(settings.acquire_timeout_secs.max(1)),
        )
        .await?;
        return Ok(Database {
            pool,
            embedded: None,
        });
    }
    let server = embedded::EmbeddedPostgres::start(&settings.data_dir).await?;
    create_database_if_missing(&server.url("postgres"), &settings.database_name).await?;
    let pool = connect_url_with(
        &server.url(&settings.database_name),
        settings.max_connections,
        Duration::from_secs(settings.acquire_timeout_secs.max(1)),
    )
    .await?;
    Ok(Database {
        pool,
        embedded: Some(server),
    })
}

/// A pool of at most `max_connections` connections to `url` that waits up to 30 s for a
/// connection (tests and tools); fails now if the server is unreachable.
pub async fn connect_url(url: &str, max_connections: u32) -> Result<PgPool, StoreError> {
    connect_url_with(url, max_connections, Duration::from_secs(30)).await
}

/// [`connect_url`] with its own acquire timeout. While the server refuses connections (down or
/// restarting), sqlx keeps retrying until that timeout, so it bounds how long a request hangs
/// before it fails as unavailable.
pub async fn connect_url_with(
    url: &str,
    max_connections: u32,
    acquire_timeout: Duration,
) -> Result<PgPool, StoreError> {
    let pool = PgPoolOptions::new()
        .max_connections(max_connections.max(1))
        .acquire_timeout(acquire_timeout)
        .connect(url)
        .await?;
    Ok(pool)
}

/// Applies the pending migrations in `migrations/`; safe to run from several processes at once
/// (sqlx serialises them with an advisory lock).
/// One round trip to the database (readiness checks).
pub async fn ping(pool: &PgPool) -> Result<(), StoreError> {
    sqlx::query_scalar::<_, i32>("SELECT 1")
        .fetch_one(pool)
        .await?;
    Ok(())
}

pub async fn migrate(pool: &PgPool) -> Result<(), StoreError> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// Checks a database name against `[a-z0-9_]{1,63}`: it is spliced into `CREATE DATABASE`,
/// where identifiers cannot be bound parameters.
pub fn validate_database_name(name: &str) -> Result<(), StoreError> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(StoreError::InvalidDatabaseName(name.to_string()))
    }
}

/// Creates database `name` on the server behind `server_url` unless it exists. Concurrent
/// callers are fine: losing the race to create it counts as success.
pub async fn create_database_if_missing(server_url: &str, name: &str) -> Result<(), StoreError> {
    use sqlx::Connection;

    validate_database_name(name)?;
    let mut conn = sqlx::PgConnection::connect(server_url).await?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(&mut conn)
            .await?;
    if !exists {
        let sql = format!("CREATE DATABASE \"{name}\"");
        match sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
        {
            Ok(_) => tracing::info!(database = name, "created database"),
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P04") => {}
            Err(e) => return Err(e.into()),
        }
    }
    conn.close().await?;
    Ok(())
}

/// `url` with its database replaced by `database` (query parameters kept).
pub fn url_with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(i) => &base[..authority_start + i],
        None => base,
    };
    match query {
        Some(q) => format!("{server}/{database}?{q}"),
        None => format!("{server}/{database}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_are_checked() {
        assert!(validate_database_name("jevons_test_01").is_ok());
        assert!(validate_database_name("").is_err());
        assert!(validate_database_name("Jevons").is_err());
        assert!(validate_database_name("a\"; DROP").is_err());
        assert!(validate_database_name(&"a".repeat(64)).is_err());
    }

    #[test]
    fn urls_get_their_database_replaced() {
        assert_eq!(
            url_with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            url_with_database("postgresql://u:p@h/db?sslmode=disable", "y"),
            "postgresql://u:p@h/y?sslmode=disable"
        );
        assert_eq!(url_with_database("postgres://h:1", "z"), "postgres://h:1/z");
    }
}
