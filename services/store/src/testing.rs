//! Test harness shared by every crate's tests: a fresh, migrated database per test.
//!
//! The server is `DATABASE_URL` when set (its database part is replaced), else the shared
//! embedded test cluster ([`crate::embedded::shared_test_cluster`]). The schema is migrated once
//! per server into a template database named after a hash of the migrations, and each test gets
//! `CREATE DATABASE jevons_test_… TEMPLATE jevons_template_…`, which takes milliseconds.
//! Test databases are not dropped at the end of a test (that would need async work in `Drop`);
//! instead, the first call in each process drops the ones more than six hours old.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::{Connection, PgConnection};

use crate::{MIGRATOR, PgPool, StoreError, connect_url, url_with_database};

/// A database of its own for one test.
pub struct TestDatabase {
    pub pool: PgPool,
    pub name: String,
    /// URL of this database, e.g. for `DATABASE_URL` of a spawned binary.
    pub url: String,
    /// URL of the server's `postgres` database.
    pub server_url: String,
}

/// Arbitrary, fixed first key of the advisory lock that serialises building the template.
const TEMPLATE_LOCK_CLASS: i32 = 0x4A54_4D50; // "JTMP"
/// Test databases older than this are dropped by later runs.
const STALE_AFTER: Duration = Duration::from_secs(6 * 3600);

/// Servers for which this process already knows the template exists (and swept old databases).
static READY: Mutex<Option<HashSet<String>>> = Mutex::new(None);

/// A fresh, migrated database. Panics with a clear message on failure (test-only code).
pub async fn fresh_database() -> TestDatabase {
    match try_fresh_database().await {
        Ok(db) => db,
        Err(e) => panic!("could not create a test database: {e}"),
    }
}

/// [`fresh_database`] returning the error instead of panicking.
pub async fn try_fresh_database() -> Result<TestDatabase, StoreError> {
    let server_url = match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => url_with_database(url.trim(), "postgres"),
        _ => crate::embedded::shared_test_cluster().await?,
    };
    let template = template_name();
    let known = READY
        .lock()
        .map(|g| g.as_ref().is_some_and(|s| s.contains(&server_url)))
        .unwrap_or(false);
    let mut admin = PgConnection::connect(&server_url).await?;
    if !known {
        ensure_template(&mut admin, &server_url, &template).await?;
        sweep_stale(&mut admin).await;
        if let Ok(mut g) = READY.lock() {
            g.get_or_insert_with(HashSet::new)
                .insert(server_url.clone());
        }
    }
    let name = new_name();
    let sql = format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&mut admin)
        .await?;
    admin.close().await?;
    let url = url_with_database(&server_url, &name);
    let pool = connect_url(&url, 10).await?;
    Ok(TestDatabase {
        pool,
        name,
        url,
        server_url,
    })
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `jevons_test_<creation time, hex seconds>_<random hex>`: the time lets later runs sweep it.
fn new_name() -> String {
    format!(
        "jevons_test_{:08x}_{:012x}",
        unix_now(),
        rand::random::<u64>() & 0xffff_ffff_ffff
    )
}

/// `jevons_template_<hash of every migration's version and checksum>`, so a new or edited
/// migration gets a new template instead of a stale schema.
fn template_name() -> String {
    // FNV-1a: stable across processes and Rust versions, unlike `DefaultHasher`.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for m in MIGRATOR.iter() {
        feed(&m.version.to_le_bytes());
        feed(&m.checksum);
    }
    format!("jevons_template_{hash:016x}")
}

async fn database_exists(conn: &mut PgConnection, name: &str) -> Result<bool, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// Builds the template under an advisory lock (other test processes wait), as `<name>_build`
/// renamed when complete, so a crash mid-way never leaves a half-migrated template behind.
async fn ensure_template(
    admin: &mut PgConnection,
    server_url: &str,
    template: &str,
) -> Result<(), StoreError> {
    if database_exists(admin, template).await? {
        return Ok(());
    }
    let key = u32::from_str_radix(&template[template.len() - 8..], 16).map_or(0, |k| k as i32);
    sqlx::query("SELECT pg_advisory_lock($1, $2)")
        .bind(TEMPLATE_LOCK_CLASS)
        .bind(key)
        .execute(&mut *admin)
        .await?;
    let built = build_template(admin, server_url, template).await;
    let unlocked = sqlx::query("SELECT pg_advisory_unlock($1, $2)")
        .bind(TEMPLATE_LOCK_CLASS)
        .bind(key)
        .execute(&mut *admin)
        .await;
    built?;
    unlocked?;
    Ok(())
}

async fn build_template(
    admin: &mut PgConnection,
    server_url: &str,
    template: &str,
) -> Result<(), StoreError> {
    if database_exists(admin, template).await? {
        return Ok(());
    }
    let build = format!("{template}_build");
    for sql in [
        format!("DROP DATABASE IF EXISTS \"{build}\" WITH (FORCE)"),
        format!("CREATE DATABASE \"{build}\""),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut *admin)
            .await?;
    }
    let mut conn = PgConnection::connect(&url_with_database(server_url, &build)).await?;
    MIGRATOR.run(&mut conn).await?;
    conn.close().await?;
    let sql = format!("ALTER DATABASE \"{build}\" RENAME TO \"{template}\"");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&mut *admin)
        .await?;
    tracing::info!(template, "built the test template database");
    Ok(())
}

/// Drops test databases left by runs more than [`STALE_AFTER`] ago. Best effort.
async fn sweep_stale(admin: &mut PgConnection) {
    let names: Vec<String> = match sqlx::query_scalar(
        "SELECT datname::text FROM pg_database WHERE datname LIKE 'jevons\\_test\\_%'",
    )
    .fetch_all(&mut *admin)
    .await
    {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = %e, "could not list old test databases");
            return;
        }
    };
    let cutoff = unix_now().saturating_sub(STALE_AFTER.as_secs());
    for name in names {
        let created = name
            .strip_prefix("jevons_test_")
            .and_then(|rest| rest.split('_').next())
            .and_then(|hex| u64::from_str_radix(hex, 16).ok());
        if created.is_some_and(|t| t < cutoff) && crate::validate_database_name(&name).is_ok() {
            let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut *admin)
                .await
            {
                tracing::warn!(database = name, error = %e, "could not drop an old test database");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_valid_and_distinct() {
        let a = new_name();
        assert!(crate::validate_database_name(&a).is_ok(), "{a}");
        assert_ne!(a, new_name());
        let t = template_name();
        assert!(crate::validate_database_name(&t).is_ok(), "{t}");
        assert!(crate::validate_database_name(&format!("{t}_build")).is_ok());
        assert_eq!(t, template_name());
    }
}
