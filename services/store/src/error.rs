use crate::embedded::EmbeddedError;

/// Everything the store can fail with. Callers usually only log it or map it to a 500.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
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
    #[error("{0}")]
    Invalid(String),
}
