//! Email digests: `subscribers`, the `digest_outbox` every email goes through, the generated
//! token secret, and the read queries that fill a digest.
//!
//! Exactly-once delivery rests on two keys: an outbox row is unique per (subscriber, period), so
//! it is created once however many instances queue it; and senders claim rows with
//! `FOR UPDATE SKIP LOCKED` plus a lease, so two senders never hold the same row.
//!
//! Over 400 lines because every query of the digest tables and the read queries that fill a
//! digest; SQL text is most of the length.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use sqlx::postgres::PgRow;

use crate::{PgPool, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    pub id: i64,
    pub email: String,
    /// "daily" | "weekly" (CHECK constraint).
    pub cadence: String,
    pub tickers: Vec<String>,
    pub time_zone: String,
    /// "pending" | "confirmed" | "unsubscribed" | "bouncing".
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub last_period_end: Option<DateTime<Utc>>,
}

const SUBSCRIBER_COLUMNS: &str =
    "id, email, cadence, tickers, time_zone, status, created_at, confirmed_at, last_period_end";

fn subscriber(row: &PgRow) -> Result<Subscriber, StoreError> {
    Ok(Subscriber {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        cadence: row.try_get("cadence")?,
        tickers: row.try_get("tickers")?,
        time_zone: row.try_get("time_zone")?,
        status: row.try_get("status")?,
        created_at: row.try_get("created_at")?,
        confirmed_at: row.try_get("confirmed_at")?,
        last_period_end: row.try_get("last_period_end")?,
    })
}

/// What a subscribe request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscribeOutcome {
    /// A new address, now pending.
    Created,
    /// A known address that was not confirmed (pending, unsubscribed, bouncing): preferences
    /// replaced, pending again.
    Renewed,
    /// Already confirmed: nothing changed.
    AlreadyConfirmed,
}

/// Creates or renews the subscription of `email` (one row per address, case ignored).
pub async fn subscribe(
    pool: &PgPool,
    email: &str,
    cadence: &str,
    tickers: &[String],
    time_zone: &str,
) -> Result<(Subscriber, SubscribeOutcome), StoreError> {
    let sql = format!(
        "INSERT INTO subscribers (email, cadence, tickers, time_zone)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (lower(email)) DO UPDATE
            SET cadence = EXCLUDED.cadence, tickers = EXCLUDED.tickers,
                time_zone = EXCLUDED.time_zone, status = 'pending', updated_at = now(),
                unsubscribed_at = NULL, permanent_failures = 0
          WHERE subscribers.status <> 'confirmed'
         RETURNING {SUBSCRIBER_COLUMNS}, (xmax = 0) AS inserted"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(email)
        .bind(cadence)
        .bind(tickers)
        .bind(time_zone)
        .fetch_optional(pool)
        .await?;
    match row {
        Some(row) => {
            let inserted: bool = row.try_get("inserted")?;
            let outcome = if inserted {
                SubscribeOutcome::Created
            } else {
                SubscribeOutcome::Renewed
            };
            Ok((subscriber(&row)?, outcome))
        }
        None => {
            let existing = by_email(pool, email).await?.ok_or_else(|| {
                StoreError::Corrupt(format!("subscriber {email} vanished while subscribing"))
            })?;
            Ok((existing, SubscribeOutcome::AlreadyConfirmed))
        }
    }
}

pub async fn get(pool: &PgPool, id: i64) -> Result<Option<Subscriber>, StoreError> {
    let sql = format!("SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(subscriber).transpose()
}

pub async fn by_email(pool: &PgPool, email: &str) -> Result<Option<Subscriber>, StoreError> {
    let sql =
        format!("SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE lower(email) = lower($1)");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(email)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(subscriber).transpose()
}

/// Every subscriber, oldest first.
pub async fn list(pool: &PgPool) -> Result<Vec<Subscriber>, StoreError> {
    let sql = format!("SELECT {SUBSCRIBER_COLUMNS} FROM subscribers ORDER BY id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await?;
    rows.iter().map(subscriber).collect()
}

/// Confirmed subscribers of `cadence`.
pub async fn confirmed(pool: &PgPool, cadence: &str) -> Result<Vec<Subscriber>, StoreError> {
    let sql = format!(
        "SELECT {SUBSCRIBER_COLUMNS} FROM subscribers
          WHERE status = 'confirmed' AND cadence = $1 ORDER BY id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(cadence)
        .fetch_all(pool)
        .await?;
    rows.iter().map(subscriber).collect()
}

/// Pending → confirmed (a second click is fine). `None` when the subscriber is gone or has
/// unsubscribed since (an old confirmation link must not undo an unsubscribe).
pub async fn confirm(pool: &PgPool, id: i64) -> Result<Option<Subscriber>, StoreError> {
    let sql = format!(
        "UPDATE subscribers
            SET status = 'confirmed', confirmed_at = COALESCE(confirmed_at, now()), updated_at = now()
          WHERE id = $1 AND status IN ('pending', 'confirmed')
         RETURNING {SUBSCRIBER_COLUMNS}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(subscriber).transpose()
}

/// Stops every email to `id` and drops its queued, unsent digests. `false` if no such subscriber.
pub async fn unsubscribe(pool: &PgPool, id: i64) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE subscribers
            SET status = 'unsubscribed', unsubscribed_at = COALESCE(unsubscribed_at, now()),
                updated_at = now()
          WHERE id = $1",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query(
        "UPDATE digest_outbox SET status = 'failed', last_error = 'unsubscribed', locked_until = NULL
          WHERE subscriber_id = $1 AND status = 'pending'",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(done > 0)
}

/// Deletes the subscriber and its outbox rows (admin removal). `false` if the address is unknown.
pub async fn remove(pool: &PgPool, email: &str) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM subscribers WHERE lower(email) = lower($1)")
        .bind(email)
        .execute(pool)
        .await?
        .rows_affected();
    Ok(done > 0)
}

// ---------------------------------------------------------------------------------------------
// Outbox

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxKind {
    Digest,
    Confirmation,
}

impl OutboxKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxKind::Digest => "digest",
            OutboxKind::Confirmation => "confirmation",
        }
    }
}

/// An email claimed for sending.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxItem {
    pub id: i64,
    pub subscriber_id: i64,
    pub period_key: String,
    pub kind: OutboxKind,
    pub period_start: Option<DateTime<Utc>>,
    pub period_end: Option<DateTime<Utc>>,
    /// Including the attempt this claim starts.
    pub attempts: i32,
}

/// An outbox row as the CLI and tests see it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub subscriber_id: i64,
    pub period_key: String,
    pub kind: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub message_id: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// Queues one email for (subscriber, `period_key`) unless it exists. For a digest, the
/// subscriber's `last_period_end` moves to `period_end` in the same transaction, so the next
/// period starts where this one ends. Returns the new row's id, `None` if it already existed.
pub async fn enqueue(
    pool: &PgPool,
    subscriber_id: i64,
    period_key: &str,
    kind: OutboxKind,
    period: Option<(DateTime<Utc>, DateTime<Utc>)>,
) -> Result<Option<i64>, StoreError> {
    let mut tx = pool.begin().await?;
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO digest_outbox (subscriber_id, period_key, kind, period_start, period_end)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (subscriber_id, period_key) DO NOTHING
         RETURNING id",
    )
    .bind(subscriber_id)
    .bind(period_key)
    .bind(kind.as_str())
    .bind(period.map(|p| p.0))
    .bind(period.map(|p| p.1))
    .fetch_optional(&mut *tx)
    .await?;
    if let (Some(_), OutboxKind::Digest, Some((_, end))) = (id, kind, period) {
        sqlx::query(
            "UPDATE subscribers SET last_period_end = GREATEST(COALESCE(last_period_end, $2), $2)
              WHERE id = $1",
        )
        .bind(subscriber_id)
        .bind(end)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Claims up to `limit` due emails: pending ones whose time has come, and ones left `sending`
/// by a sender whose lease ran out. Each claim counts an attempt and holds a lease of
/// `lease_secs`; concurrent callers get disjoint rows (`SKIP LOCKED`). With `only` set, claims
/// just that row (if due).
/// Gives back claimed rows that were not attempted (a stopping worker), for the next claim.
pub async fn release(pool: &PgPool, ids: &[i64]) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE digest_outbox
            SET status = 'pending', attempts = greatest(attempts - 1, 0), locked_until = NULL
          WHERE id = ANY($1) AND status = 'sending'",
    )
    .bind(ids)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// How many outbox rows are in each state (`pending`, `sending`, `sent`, `failed`).
pub async fn outbox_by_state(pool: &PgPool) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(
        sqlx::query_as(
            "SELECT status, count(*) FROM digest_outbox GROUP BY status ORDER BY status",
        )
        .fetch_all(pool)
        .await?,
    )
}

pub async fn claim(
    pool: &PgPool,
    limit: i64,
    lease_secs: i64,
    only: Option<i64>,
) -> Result<Vec<OutboxItem>, StoreError> {
    let rows = sqlx::query(
        "UPDATE digest_outbox o
            SET status = 'sending', attempts = o.attempts + 1,
                locked_until = now() + make_interval(secs => $2)
          WHERE o.id IN (
                SELECT id FROM digest_outbox
                 WHERE ((status = 'pending' AND next_attempt_at <= now())
                        OR (status = 'sending' AND locked_until < now()))
                   AND ($3::bigint IS NULL OR id = $3)
                 ORDER BY next_attempt_at, id
                 LIMIT $1
                 FOR UPDATE SKIP LOCKED)
         RETURNING o.id, o.subscriber_id, o.period_key, o.kind, o.period_start, o.period_end,
                   o.attempts",
    )
    .bind(limit.max(1))
    .bind(lease_secs.max(1) as f64)
    .bind(only)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let kind: String = row.try_get("kind")?;
            Ok(OutboxItem {
                id: row.try_get("id")?,
                subscriber_id: row.try_get("subscriber_id")?,
                period_key: row.try_get("period_key")?,
                kind: match kind.as_str() {
                    "digest" => OutboxKind::Digest,
                    "confirmation" => OutboxKind::Confirmation,
                    other => return Err(StoreError::Corrupt(format!("outbox kind {other}"))),
                },
                period_start: row.try_get("period_start")?,
                period_end: row.try_get("period_end")?,
                attempts: row.try_get("attempts")?,
            })
        })
        .collect()
}

/// The SMTP server accepted the message: it is never sent again, and the subscriber's run of
/// permanent failures ends.
pub async fn mark_sent(
    pool: &PgPool,
    item: &OutboxItem,
    message_id: &str,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE digest_outbox
            SET status = 'sent', sent_at = now(), message_id = $2, locked_until = NULL,
                last_error = NULL
          WHERE id = $1",
    )
    .bind(item.id)
    .bind(message_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE subscribers SET permanent_failures = 0 WHERE id = $1 AND permanent_failures <> 0",
    )
    .bind(item.subscriber_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Nothing to send (the subscriber left, or an empty digest is skipped): closes the row.
pub async fn mark_skipped(
    pool: &PgPool,
    item: &OutboxItem,
    reason: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE digest_outbox SET status = 'failed', last_error = $2, locked_until = NULL
          WHERE id = $1",
    )
    .bind(item.id)
    .bind(reason)
    .execute(pool)
    .await?;
    Ok(())
}

/// A transient failure: try again at `next_attempt_at`.
pub async fn mark_retry(
    pool: &PgPool,
    item: &OutboxItem,
    error: &str,
    next_attempt_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE digest_outbox
            SET status = 'pending', last_error = $2, next_attempt_at = $3, locked_until = NULL
          WHERE id = $1",
    )
    .bind(item.id)
    .bind(error)
    .bind(next_attempt_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// Gives up on the row (attempts exhausted): it is never tried again.
pub async fn mark_failed(pool: &PgPool, item: &OutboxItem, error: &str) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE digest_outbox SET status = 'failed', last_error = $2, locked_until = NULL
          WHERE id = $1",
    )
    .bind(item.id)
    .bind(error)
    .execute(pool)
    .await?;
    Ok(())
}

/// A permanent refusal (5xx). It counts against the subscriber: after `bounce_after` in a row
/// they are marked bouncing and the row fails; before that the row is tried again at
/// `retry_at` (a refusal can be a misconfigured server). Returns whether they now bounce.
pub async fn mark_permanent_failure(
    pool: &PgPool,
    item: &OutboxItem,
    error: &str,
    bounce_after: i32,
    retry_at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let status: Option<String> = sqlx::query_scalar(
        "UPDATE subscribers
            SET permanent_failures = permanent_failures + 1,
                status = CASE WHEN permanent_failures + 1 >= $2 AND status IN ('confirmed', 'pending')
                              THEN 'bouncing' ELSE status END,
                updated_at = now()
          WHERE id = $1
         RETURNING status",
    )
    .bind(item.subscriber_id)
    .bind(bounce_after.max(1))
    .fetch_optional(&mut *tx)
    .await?;
    let bouncing = status.as_deref() == Some("bouncing");
    sqlx::query(
        "UPDATE digest_outbox
            SET status = CASE WHEN $4 THEN 'failed' ELSE 'pending' END,
                last_error = $2, next_attempt_at = $3, locked_until = NULL
          WHERE id = $1",
    )
    .bind(item.id)
    .bind(error)
    .bind(retry_at)
    .bind(bouncing)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(bouncing)
}

/// The outbox rows of one subscriber (all of them with `None`), oldest first.
pub async fn outbox(
    pool: &PgPool,
    subscriber_id: Option<i64>,
) -> Result<Vec<OutboxRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, subscriber_id, period_key, kind, status, attempts, next_attempt_at,
                last_error, message_id, sent_at
           FROM digest_outbox WHERE $1::bigint IS NULL OR subscriber_id = $1 ORDER BY id",
    )
    .bind(subscriber_id)
    .fetch_all(pool)
    .await?)
}

/// The value kept under `key`, inserting `generate()` first if there is none. Concurrent
/// first starts agree on one value (the first insert wins).
pub async fn service_setting(
    pool: &PgPool,
    key: &str,
    generate: impl FnOnce() -> String,
) -> Result<String, StoreError> {
    sqlx::query(
        "INSERT INTO service_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
    )
    .bind(key)
    .bind(generate())
    .execute(pool)
    .await?;
    Ok(
        sqlx::query_scalar("SELECT value FROM service_settings WHERE key = $1")
            .bind(key)
            .fetch_one(pool)
            .await?,
    )
}

// ---------------------------------------------------------------------------------------------
// Content

/// How one symbol moved over a period.
#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    pub symbol: String,
    pub name: String,
    /// The last close on or before the period's first day (the base).
    pub base_day: NaiveDate,
    pub base_adj_close: f64,
    pub last_day: NaiveDate,
    pub last_close: f64,
    pub last_adj_close: f64,
    /// Trading days in (from, to].
    pub days: i64,
}

/// Watchlist symbols (all of them when `symbols` is empty) with bars in `(from, to]`, with the
/// close before the period as the base; in watchlist order.
pub async fn watchlist_moves(
    pool: &PgPool,
    symbols: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Move>, StoreError> {
    let rows = sqlx::query(
        "SELECT t.symbol, t.name, b.day AS base_day, b.adj_close AS base_adj_close,
                l.day AS last_day, l.close AS last_close, l.adj_close AS last_adj_close, n.days
           FROM tickers t
           JOIN LATERAL (SELECT day, adj_close FROM price_bars p
                          WHERE p.symbol = t.symbol AND p.day <= $2
                          ORDER BY day DESC LIMIT 1) b ON true
           JOIN LATERAL (SELECT day, close, adj_close FROM price_bars p
                          WHERE p.symbol = t.symbol AND p.day > $2 AND p.day <= $3
                          ORDER BY day DESC LIMIT 1) l ON true
           JOIN LATERAL (SELECT count(*) AS days FROM price_bars p
                          WHERE p.symbol = t.symbol AND p.day > $2 AND p.day <= $3) n ON true
          WHERE t.on_watchlist AND (cardinality($1::text[]) = 0 OR t.symbol = ANY($1))
          ORDER BY t.watchlist_position NULLS LAST, t.symbol",
    )
    .bind(symbols)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Move {
                symbol: r.try_get("symbol")?,
                name: r.try_get("name")?,
                base_day: r.try_get("base_day")?,
                base_adj_close: r.try_get("base_adj_close")?,
                last_day: r.try_get("last_day")?,
                last_close: r.try_get("last_close")?,
                last_adj_close: r.try_get("last_adj_close")?,
                days: r.try_get("days")?,
            })
        })
        .collect()
}

/// The latest day with a price among `symbols` (all when empty): previews anchor on it when
/// the current period has no prices yet.
pub async fn latest_price_day(
    pool: &PgPool,
    symbols: &[String],
) -> Result<Option<NaiveDate>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT max(day) FROM price_bars
          WHERE cardinality($1::text[]) = 0 OR symbol = ANY($1)",
    )
    .bind(symbols)
    .fetch_one(pool)
    .await?)
}

/// Whether a table exists: the news, models and events sections depend on other migrations.
pub async fn table_exists(pool: &PgPool, table: &str) -> Result<bool, StoreError> {
    let oid: Option<String> = sqlx::query_scalar("SELECT to_regclass($1)::text")
        .bind(table)
        .fetch_one(pool)
        .await?;
    Ok(oid.is_some())
}

/// A model that appeared in the period.
#[derive(Debug, Clone, PartialEq)]
pub struct NewModel {
    pub name: String,
    pub organization: Option<String>,
    pub released: Option<NaiveDate>,
    pub training_cost_usd: Option<f64>,
    pub url: Option<String>,
}

/// Models released in `(from, to]`, newest first (needs `ai_models`, migration 0003).
pub async fn new_models(
    pool: &PgPool,
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
) -> Result<Vec<NewModel>, StoreError> {
    let rows = sqlx::query(
        "SELECT name, organization, released, training_cost_usd, url FROM ai_models
          WHERE released > $1 AND released <= $2
          ORDER BY released DESC, name LIMIT $3",
    )
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(NewModel {
                name: r.try_get("name")?,
                organization: r.try_get("organization")?,
                released: r.try_get("released")?,
                training_cost_usd: r.try_get("training_cost_usd")?,
                url: r.try_get("url")?,
            })
        })
        .collect()
}

/// A news item for the digest.
#[derive(Debug, Clone, PartialEq)]
pub struct NewsItem {
    pub title: String,
    pub url: String,
    pub summary: Option<String>,
    pub relevance: Option<f64>,
    pub published: Option<DateTime<Utc>>,
}

/// The most relevant articles published in `[from, to)` with their latest summary (needs
/// `articles`, migration 0004).
pub async fn top_news(
    pool: &PgPool,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<NewsItem>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(NEWS_SQL.to_string()))
        .bind(from)
        .bind(to)
        .bind(limit)
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(NewsItem {
                title: r.try_get("title")?,
                url: r.try_get("url")?,
                summary: r.try_get("summary")?,
                relevance: r.try_get("relevance")?,
                published: r.try_get("published")?,
            })
        })
        .collect()
}

const NEWS_SQL: &str = "
SELECT a.title, COALESCE(a.canonical_url, a.url, '') AS url, s.summary,
       a.relevance::float8 AS relevance, a.published
  FROM articles a
  LEFT JOIN LATERAL (SELECT summary FROM summaries WHERE article_id = a.id
                      ORDER BY created_at DESC, id DESC LIMIT 1) s ON true
 WHERE a.sort_at >= $1 AND a.sort_at < $2
 ORDER BY a.relevance DESC, a.sort_at DESC
 LIMIT $3";

/// A notable abnormal return: one stored event-study result (`event_results`, migration 0014).
#[derive(Debug, Clone, PartialEq)]
pub struct AbnormalReturn {
    pub event_id: i64,
    pub symbol: String,
    pub event: String,
    /// The event's day, and the session it anchors on.
    pub day: NaiveDate,
    pub day0: NaiveDate,
    pub window_start: i32,
    pub window_end: i32,
    pub benchmark: String,
    pub model: String,
    pub car_pct: f64,
    pub t: f64,
    pub p_value: f64,
}

/// The significant (`p < max_p`) abnormal returns of `symbols` (all when empty) for events of
/// the period: those that happened in `(from, to]`, and those whose study became complete in it
/// (the last session of the longest window is in `(from, to]`), since a study needs sessions
/// after its event. One row per event and symbol, its window with the largest |t|; the largest
/// |CAR| first.
pub async fn abnormal_returns(
    pool: &PgPool,
    symbols: &[String],
    from: NaiveDate,
    to: NaiveDate,
    max_p: f64,
    limit: i64,
) -> Result<Vec<AbnormalReturn>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(EVENTS_SQL.to_string()))
        .bind(from)
        .bind(to)
        .bind(max_p)
        .bind(symbols)
        .bind(limit)
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(AbnormalReturn {
                event_id: r.try_get("event_id")?,
                symbol: r.try_get("symbol")?,
                event: r.try_get("event")?,
                day: r.try_get("day")?,
                day0: r.try_get("day0")?,
                window_start: r.try_get("window_start")?,
                window_end: r.try_get("window_end")?,
                benchmark: r.try_get("benchmark")?,
                model: r.try_get("model")?,
                car_pct: r.try_get("car_pct")?,
                t: r.try_get("t")?,
                p_value: r.try_get("p_value")?,
            })
        })
        .collect()
}

const EVENTS_SQL: &str = "
SELECT event_id, symbol, event, day, day0, window_start, window_end, benchmark, model, car_pct, t, p_value
  FROM (SELECT DISTINCT ON (r.event_id, r.symbol)
               r.event_id, r.symbol, e.title AS event, e.day, r.day0, r.window_start, r.window_end,
               r.benchmark, r.model, r.car * 100 AS car_pct, r.t, r.p_value
          FROM event_results r JOIN events e ON e.id = r.event_id
         WHERE ((e.day > $1 AND e.day <= $2) OR (r.last_session > $1 AND r.last_session <= $2))
           AND r.p_value < $3 AND r.t IS NOT NULL
           AND (cardinality($4::text[]) = 0 OR r.symbol = ANY($4))
         ORDER BY r.event_id, r.symbol, abs(r.t) DESC, r.window_end - r.window_start,
                  r.window_start) best
 ORDER BY abs(car_pct) DESC, day, symbol
 LIMIT $5";
