use crate::embedded::EmbeddedError;

/// Everything the store can fail with, by whose fault: the caller's ([`StoreError::NotFound`],
/// [`StoreError::Invalid`]: a 404 or a 400 to a client) or the backend's (everything else: a 503
/// when [`StoreError::is_unavailable`], a 500 otherwise).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row the caller named does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// The caller's input breaks a rule of the data; the message says which.
    #[error("{0}")]
    Invalid(String),
    /// The database failed or refused the statement.
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("embedded PostgreSQL: {0}")]
    Embedded(#[from] EmbeddedError),
    #[error("`{0}` is not a valid database name (use 1-63 characters of a-z, 0-9 and _)")]
    InvalidDatabaseName(String),
    /// A row that the schema's CHECK constraints should have made impossible.
    #[error("unexpected value in the database: {0}")]
    Corrupt(String),
    /// A job's advisory lock was lost (its connection broke) before the job released it.
    #[error("the lock of job {0} was not held by this session")]
    LockNotHeld(String),
}

impl StoreError {
    /// The database cannot be reached just now (no connection within the pool's timeout, the
    /// connection broke or was refused, or the server refuses connections while it starts or
    /// shuts down): a 503 to clients, not a bug. A pool this process closed itself is not an
    /// outage of the database and stays an internal error.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Sqlx(e) => sqlx_unavailable(e),
            StoreError::Migrate(sqlx::migrate::MigrateError::Execute(e)) => sqlx_unavailable(e),
            _ => false,
        }
    }
}

fn sqlx_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) => true,
        // Class 08: connection exception; 57P01–57P03: admin/crash shutdown, cannot connect now.
        sqlx::Error::Database(d) => d
            .code()
            .is_some_and(|c| c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_and_connection_failures_are_unavailable() {
        assert!(StoreError::Sqlx(sqlx::Error::PoolTimedOut).is_unavailable());
        assert!(!StoreError::Sqlx(sqlx::Error::PoolClosed).is_unavailable());
        let reset = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        assert!(StoreError::Sqlx(sqlx::Error::Io(reset)).is_unavailable());
        assert!(!StoreError::Sqlx(sqlx::Error::RowNotFound).is_unavailable());
        assert!(!StoreError::Invalid("no".into()).is_unavailable());
        assert!(!StoreError::Corrupt("bad".into()).is_unavailable());
    }
}
