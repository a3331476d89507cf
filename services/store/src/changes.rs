//! Change notifications. Migration 0020 makes every committed write to a table that a page or
//! the read API shows send a notification on [`CHANNEL`]; a web instance listens and drops the
//! views it computed from the old rows.

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::PgPool;
use sqlx::postgres::PgListener;

use crate::StoreError;

/// The channel the triggers of migration 0020 notify on; the payload is the table's name.
pub const CHANNEL: &str = "jevons_data_changed";

/// Writes committed by this process that readers in the same process should see at once,
/// without waiting for the notification to come back from the server.
static LOCAL_WRITES: AtomicU64 = AtomicU64::new(0);

/// Counts a write this process has committed (a job's end, an API write).
pub fn note_local_write() {
    LOCAL_WRITES.fetch_add(1, Ordering::Release);
}

/// How many writes this process has noted so far.
pub fn local_writes() -> u64 {
    LOCAL_WRITES.load(Ordering::Acquire)
}

/// What the listener heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A committed write to this table.
    Table(String),
    /// The connection was lost (and is re-established on the next call): anything may have
    /// changed meanwhile.
    Resync,
}

/// A dedicated connection that LISTENs on [`CHANNEL`].
#[derive(Debug)]
pub struct ChangeListener {
    listener: PgListener,
}

impl ChangeListener {
    pub async fn connect(pool: &PgPool) -> Result<Self, StoreError> {
        let mut listener = PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        Ok(Self { listener })
    }

    /// Waits for the next change. After a lost connection it answers [`Change::Resync`] once;
    /// the call after that reconnects (an error if the server is still away).
    pub async fn next(&mut self) -> Result<Change, StoreError> {
        Ok(match self.listener.try_recv().await? {
            Some(notification) => Change::Table(notification.payload().to_string()),
            None => Change::Resync,
        })
    }
}
