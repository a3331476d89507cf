//! Email digests: subscriptions confirmed by signed links, per-subscriber digests composed from
//! the store (askama, inline PNG charts drawn by `jevons-charts`), and delivery over SMTP
//! through the `digest_outbox`, with retries and exactly one successful send per row.
//!
//! Over 400 lines because the `Digests` service: subscribe, confirm, queue and deliver are one
//! state machine over the outbox; its parts (compose, mailer, period, token) are already
//! modules of their own.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod compose;
pub mod email;
pub mod mailer;
pub mod period;
pub mod raster;
pub mod token;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use jevons_core::Settings;
use jevons_core::retry::RetryPolicy;
use jevons_store::digest::{self as db, OutboxItem, OutboxKind, SubscribeOutcome, Subscriber};
use jevons_store::{PgPool, StoreError};
use secrecy::ExposeSecret;
use tokio_util::sync::CancellationToken;

pub use compose::{Composed, ImageMode};
pub use email::{Email, EmailError};
pub use mailer::{Mailer, SendError};
pub use period::{Cadence, Period};
pub use token::{Purpose, Signer, TokenError};

#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("template: {0}")]
    Render(#[from] askama::Error),
    #[error("chart image: {0}")]
    Raster(#[from] raster::RasterError),
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("configuration: {0}")]
    Config(String),
    #[error("{0}")]
    Data(String),
    #[error("{0}")]
    Invalid(String),
}

/// Key of the generated secret in `service_settings`.
const SECRET_KEY: &str = "digest.token_secret";

/// What one delivery round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: u64,
    pub retried: u64,
    pub failed: u64,
    pub skipped: u64,
}

/// The digest service: signer, mailer, database and settings. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Digests {
    pool: PgPool,
    settings: Arc<Settings>,
    signer: Signer,
    mailer: Mailer,
    /// Cancelled when the process stops: delivery ends between two messages.
    shutdown: CancellationToken,
}

impl Digests {
    /// Reads the signing secret (`digest.secret`, else the one kept in the database, generated
    /// on first use) and prepares the SMTP transport (it connects on first send).
    pub async fn new(pool: PgPool, settings: Arc<Settings>) -> Result<Self, DigestError> {
        let secret = match &settings.digest.secret {
            Some(s) if !s.expose_secret().is_empty() => s.expose_secret().to_string(),
            _ => db::service_setting(&pool, SECRET_KEY, token::generate_secret).await?,
        };
        let mailer = Mailer::new(&settings.smtp)?;
        Ok(Self {
            pool,
            settings,
            signer: Signer::new(secret.as_bytes()),
            mailer,
            shutdown: CancellationToken::new(),
        })
    }

    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    fn base_url(&self) -> &str {
        self.settings.server.public_base_url.trim_end_matches('/')
    }

    fn gather_options(&self, mode: ImageMode) -> compose::GatherOptions<'_> {
        compose::GatherOptions {
            base_url: self.base_url(),
            section_limit: self.settings.digest.section_limit,
            input_share: self.settings.models.input_share,
            mode,
            settings: Some(&self.settings),
        }
    }

    pub fn confirm_url(&self, subscriber_id: i64, now: DateTime<Utc>) -> String {
        let hours = i64::try_from(self.settings.digest.confirm_ttl_hours).unwrap_or(48);
        let token = self.signer.sign(
            Purpose::Confirm,
            subscriber_id,
            now + chrono::Duration::hours(hours),
        );
        format!("{}/subscribe/confirm?token={token}", self.base_url())
    }

    pub fn unsubscribe_url(&self, subscriber_id: i64, now: DateTime<Utc>) -> String {
        let days = i64::try_from(self.settings.digest.unsubscribe_ttl_days).unwrap_or(400);
        let token = self.signer.sign(
            Purpose::Unsubscribe,
            subscriber_id,
            now + chrono::Duration::days(days),
        );
        format!("{}/unsubscribe?token={token}", self.base_url())
    }

    /// Checks the request's choices: tickers must be on the watchlist, the zone must exist.
    pub fn check_choices(&self, tickers: &[String], time_zone: &str) -> Result<(), DigestError> {
        period::parse_time_zone(time_zone).map_err(|e| DigestError::Invalid(e.to_string()))?;
        for t in tickers {
            if !self
                .settings
                .watchlist
                .iter()
                .any(|w| w.symbol.as_str() == t)
            {
                return Err(DigestError::Invalid(format!("{t} is not on the watchlist")));
            }
        }
        Ok(())
    }

    /// Creates or renews a subscription and queues a confirmation email (one per address per
    /// ten minutes: a double submit sends one). A confirmed address is left as it is.
    pub async fn subscribe(
        &self,
        email: &Email,
        cadence: Cadence,
        tickers: &[String],
        time_zone: &str,
    ) -> Result<(Subscriber, SubscribeOutcome, Option<i64>), DigestError> {
        self.check_choices(tickers, time_zone)?;
        let (sub, outcome) = db::subscribe(
            &self.pool,
            email.as_str(),
            cadence.as_str(),
            tickers,
            time_zone.trim(),
        )
        .await?;
        let queued = match outcome {
            SubscribeOutcome::AlreadyConfirmed => None,
            _ => {
                let slot = Utc::now().timestamp() / 600;
                db::enqueue(
                    &self.pool,
                    sub.id,
                    &format!("confirm:{slot}"),
                    OutboxKind::Confirmation,
                    None,
                )
                .await?
            }
        };
        Ok((sub, outcome, queued))
    }

    /// Confirms the subscriber a valid confirmation token names.
    pub async fn confirm(&self, token: &str) -> Result<Subscriber, DigestError> {
        let id = self.signer.verify(token, Purpose::Confirm, Utc::now())?;
        db::confirm(&self.pool, id).await?.ok_or_else(|| {
            DigestError::Invalid(
                "this subscription no longer exists or was cancelled; subscribe again".into(),
            )
        })
    }

    /// Unsubscribes the subscriber a valid unsubscribe token names.
    pub async fn unsubscribe(&self, token: &str) -> Result<bool, DigestError> {
        let id = self
            .signer
            .verify(token, Purpose::Unsubscribe, Utc::now())?;
        Ok(db::unsubscribe(&self.pool, id).await?)
    }

    /// Queues the digests of `cadence` that are due at `now` in each subscriber's time zone;
    /// `force` ignores the hour and weekday (`jevons digest send --now`). Returns rows created.
    pub async fn queue_due(
        &self,
        cadence: Cadence,
        now: DateTime<Utc>,
        force: bool,
    ) -> Result<u64, DigestError> {
        let cfg = &self.settings.digest;
        let weekday = cfg.weekly_day;
        let mut created = 0;
        for sub in db::confirmed(&self.pool, cadence.as_str()).await? {
            let tz = match period::parse_time_zone(&sub.time_zone) {
                Ok(tz) => tz,
                Err(_) => chrono_tz::UTC,
            };
            let (hour, day) = if force {
                (0, now.with_timezone(&tz).date_naive().weekday_of())
            } else {
                (cfg.send_hour, weekday)
            };
            let Some(p) = period::due_period(cadence, tz, now, hour, day, sub.last_period_end)
            else {
                continue;
            };
            if db::enqueue(
                &self.pool,
                sub.id,
                &p.key,
                OutboxKind::Digest,
                Some((p.start, p.end)),
            )
            .await?
            .is_some()
            {
                created += 1;
            }
        }
        Ok(created)
    }

    /// Sends every due email until none is left (claims in batches; other instances take other
    /// rows). With `only`, just that row.
    pub async fn deliver_due(&self, only: Option<i64>) -> Result<DeliveryReport, DigestError> {
        let cfg = &self.settings.digest;
        let lease = i64::try_from(cfg.lease_secs).unwrap_or(300);
        let mut report = DeliveryReport::default();
        let mut cache = compose::ContentCache::default();
        while !self.shutdown.is_cancelled() {
            let batch = db::claim(&self.pool, cfg.batch_size, lease, only).await?;
            if batch.is_empty() {
                break;
            }
            for (i, item) in batch.iter().enumerate() {
                if self.shutdown.is_cancelled() {
                    let rest: Vec<i64> = batch[i..].iter().map(|item| item.id).collect();
                    db::release(&self.pool, &rest).await?;
                    tracing::info!(released = rest.len(), "stopping: outbox delivery ends here");
                    return Ok(report);
                }
                self.deliver_one(item, &mut cache, &mut report).await?;
            }
            if only.is_some() {
                break;
            }
        }
        Ok(report)
    }

    async fn deliver_one(
        &self,
        item: &OutboxItem,
        cache: &mut compose::ContentCache,
        report: &mut DeliveryReport,
    ) -> Result<(), DigestError> {
        let cfg = &self.settings.digest;
        let Some(sub) = db::get(&self.pool, item.subscriber_id).await? else {
            db::mark_skipped(&self.pool, item, "subscriber removed").await?;
            report.skipped += 1;
            return Ok(());
        };
        let wanted = match item.kind {
            OutboxKind::Confirmation => sub.status == "pending",
            OutboxKind::Digest => sub.status == "confirmed",
        };
        if !wanted {
            db::mark_skipped(&self.pool, item, &format!("subscriber is {}", sub.status)).await?;
            report.skipped += 1;
            return Ok(());
        }
        let Ok(to) = Email::parse(&sub.email) else {
            db::mark_failed(&self.pool, item, "stored address does not parse").await?;
            report.failed += 1;
            return Ok(());
        };
        let now = Utc::now();
        let (composed, unsubscribe) = match item.kind {
            OutboxKind::Confirmation => (
                compose::render_confirmation(
                    &self.confirm_url(sub.id, now),
                    &sub.cadence,
                    &sub.tickers,
                    cfg.confirm_ttl_hours,
                )?,
                None,
            ),
            OutboxKind::Digest => {
                let cadence = Cadence::parse(&sub.cadence).unwrap_or(Cadence::Daily);
                let period = Period {
                    key: item.period_key.clone(),
                    start: item.period_start.unwrap_or(now - cadence.length()),
                    end: item.period_end.unwrap_or(now),
                };
                let content = cache
                    .get(
                        &self.pool,
                        &sub.tickers,
                        &period,
                        &self.gather_options(ImageMode::Cid),
                    )
                    .await?;
                if content.is_empty() && cfg.skip_empty {
                    db::mark_skipped(&self.pool, item, "nothing to report in this period").await?;
                    report.skipped += 1;
                    return Ok(());
                }
                let url = self.unsubscribe_url(sub.id, now);
                let composed =
                    compose::render_digest(&content, cadence, self.base_url(), &url, &sub.tickers)?;
                (composed, Some(url))
            }
        };
        let message_id = format!("<digest-{}-{}@jevons>", item.id, item.attempts);
        let message = self
            .mailer
            .message(&to, &composed, &message_id, unsubscribe.as_deref())?;
        match self.mailer.send(message).await {
            Ok(()) => {
                db::mark_sent(&self.pool, item, &message_id).await?;
                tracing::info!(outbox = item.id, kind = item.kind.as_str(), "email sent");
                report.sent += 1;
            }
            Err(SendError::Transient(e)) => {
                if item.attempts >= i32::try_from(cfg.max_attempts).unwrap_or(8) {
                    db::mark_failed(&self.pool, item, &e).await?;
                    tracing::warn!(outbox = item.id, error = %e, "giving up after the last attempt");
                    report.failed += 1;
                } else {
                    let at =
                        now + backoff(cfg.backoff_base_secs, cfg.backoff_max_secs, item.attempts);
                    db::mark_retry(&self.pool, item, &e, at).await?;
                    tracing::warn!(outbox = item.id, error = %e, retry_at = %at, "send failed; will retry");
                    report.retried += 1;
                }
            }
            Err(SendError::Permanent(e)) => {
                let at = now + backoff(cfg.backoff_base_secs, cfg.backoff_max_secs, item.attempts);
                let bounce_after = i32::try_from(cfg.bounce_after).unwrap_or(3);
                let bouncing =
                    db::mark_permanent_failure(&self.pool, item, &e, bounce_after, at).await?;
                tracing::warn!(outbox = item.id, error = %e, bouncing, "server refused the message");
                if bouncing {
                    report.failed += 1;
                } else {
                    report.retried += 1;
                }
            }
        }
        Ok(())
    }

    /// `digest.daily` / `digest.weekly`: queue what is due, then deliver the outbox.
    pub async fn run(
        &self,
        cadence: Cadence,
        now: DateTime<Utc>,
        force: bool,
    ) -> Result<(u64, DeliveryReport), DigestError> {
        let queued = self.queue_due(cadence, now, force).await?;
        let report = self.deliver_due(None).await?;
        Ok((queued, report))
    }

    /// A digest as a subscriber of `cadence` following `tickers` would get it for the period
    /// ending with the session of `day`, or for the latest period with prices; images inline
    /// for email (`Cid`) or as data URIs for a browser.
    pub async fn preview(
        &self,
        cadence: Cadence,
        tickers: &[String],
        mode: ImageMode,
        day: Option<NaiveDate>,
    ) -> Result<Composed, DigestError> {
        let latest = db::latest_price_day(&self.pool, tickers).await?;
        let period = period::preview_period(cadence, Utc::now(), latest, day);
        let content =
            compose::gather(&self.pool, tickers, &period, &self.gather_options(mode)).await?;
        let unsubscribe = format!("{}/unsubscribe?token=preview", self.base_url());
        compose::render_digest(&content, cadence, self.base_url(), &unsubscribe, tickers)
    }

    /// Polls the outbox every `digest.poll_interval_secs` (retries, confirmations) until the
    /// process ends. Errors are logged; the loop goes on.
    pub async fn run_worker(self) {
        let every = Duration::from_secs(self.settings.digest.poll_interval_secs.max(1));
        while !self.shutdown.is_cancelled() {
            if let Err(e) = self.deliver_due(None).await {
                tracing::error!(error = %e, "digest delivery round failed");
            }
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                () = self.shutdown.cancelled() => {}
            }
        }
        tracing::info!("digest worker stopped");
    }

    /// Stops [`Digests::run_worker`] and [`Digests::deliver_due`] between messages once
    /// `shutdown` is cancelled.
    pub fn with_shutdown(mut self, shutdown: CancellationToken) -> Self {
        self.shutdown = shutdown;
        self
    }
}

/// When the outbox tries a message again after its `attempt`-th failure: the shared retry
/// policy's ceiling, `base · 2^(attempt-1)` capped at `max`. Not jittered: the time is stored
/// in the row, and the poller sends one message at a time, so failures never retry as a burst.
pub fn backoff(base_secs: u64, max_secs: u64, attempt: i32) -> chrono::Duration {
    let policy = RetryPolicy::new(
        u32::MAX,
        std::time::Duration::from_secs(base_secs),
        std::time::Duration::from_secs(max_secs.max(base_secs)),
    );
    let retry = u32::try_from(attempt.saturating_sub(1)).unwrap_or(0);
    chrono::Duration::from_std(policy.ceiling(retry)).unwrap_or(chrono::Duration::MAX)
}

trait WeekdayOf {
    fn weekday_of(&self) -> chrono::Weekday;
}

impl WeekdayOf for chrono::NaiveDate {
    fn weekday_of(&self) -> chrono::Weekday {
        chrono::Datelike::weekday(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(60, 3600, 1).num_seconds(), 60);
        assert_eq!(backoff(60, 3600, 2).num_seconds(), 120);
        assert_eq!(backoff(60, 3600, 4).num_seconds(), 480);
        assert_eq!(backoff(60, 3600, 20).num_seconds(), 3600);
        assert_eq!(backoff(60, 3600, 0).num_seconds(), 60);
    }
}
