//! The `events` table (migration 0005): events whose market impact is measured, their seed
//! file, candidate events from model releases, and the daily news series the lead/lag analysis
//! reads. The model and news tables belong to other migrations, so every query on them first
//! checks that they exist (`to_regclass`) and answers "nothing" when they do not.
//!
//! Over 400 lines because every query on the `events` table and on the candidate releases and
//! news series read with it; SQL text is most of the length.

use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::postgres::PgRow;

use crate::{PgPool, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    ModelRelease,
    News,
    Earnings,
    Macro,
    Manual,
}

impl EventKind {
    pub const ALL: [EventKind; 5] = [
        EventKind::ModelRelease,
        EventKind::News,
        EventKind::Earnings,
        EventKind::Macro,
        EventKind::Manual,
    ];
    pub const ALLOWED: &'static str = "model_release, news, earnings, macro, manual";

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ModelRelease => "model_release",
            EventKind::News => "news",
            EventKind::Earnings => "earnings",
            EventKind::Macro => "macro",
            EventKind::Manual => "manual",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EventKind::ModelRelease => "model release",
            EventKind::News => "news",
            EventKind::Earnings => "earnings",
            EventKind::Macro => "macro",
            EventKind::Manual => "manual",
        }
    }

    pub fn parse(s: &str) -> Result<Self, StoreError> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s) || k.label().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                StoreError::Invalid(format!(
                    "event kind `{}` is unknown; use one of {}",
                    s.chars().take(40).collect::<String>(),
                    Self::ALLOWED
                ))
            })
    }
}

/// An event to add, checked by [`NewEvent::check`] before it is written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NewEvent {
    pub day: NaiveDate,
    #[serde(default)]
    pub time: Option<NaiveTime>,
    #[serde(default)]
    pub time_zone: Option<String>,
    pub kind: EventKind,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub source_url: Option<String>,
    #[serde(default)]
    pub model_id: Option<i64>,
    #[serde(default)]
    pub article_id: Option<i64>,
}

impl NewEvent {
    /// An event known only by its day, kind and title: no time, description, source or links.
    pub fn on(day: NaiveDate, kind: EventKind, title: impl Into<String>) -> Self {
        Self {
            day,
            time: None,
            time_zone: None,
            kind,
            title: title.into(),
            description: String::new(),
            source_url: None,
            model_id: None,
            article_id: None,
        }
    }

    /// Trims the text fields and rejects what the pages could not show or anchor.
    pub fn check(mut self) -> Result<Self, StoreError> {
        let bad = |m: String| Err(StoreError::Invalid(m));
        self.title = self.title.trim().to_string();
        self.description = self.description.trim().to_string();
        if self.title.is_empty() || self.title.chars().count() > 300 {
            return bad("the title must have 1 to 300 characters".into());
        }
        if self.description.chars().count() > 5000 {
            return bad("the description must have at most 5000 characters".into());
        }
        self.source_url = self
            .source_url
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty());
        if let Some(u) = &self.source_url
            && !(u.starts_with("https://") || u.starts_with("http://"))
        {
            return bad("the source URL must start with http:// or https://".into());
        }
        self.time_zone = self
            .time_zone
            .map(|z| z.trim().to_string())
            .filter(|z| !z.is_empty());
        if let Some(z) = &self.time_zone {
            if self.time.is_none() {
                return bad("a time zone needs a time".into());
            }
            if z.parse::<chrono_tz::Tz>().is_err() {
                return bad(format!(
                    "time zone `{}` is unknown; use an IANA name like America/New_York",
                    z.chars().take(40).collect::<String>()
                ));
            }
        }
        if self.time.is_some() && self.time_zone.is_none() {
            self.time_zone = Some("UTC".into());
        }
        let lo = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or(NaiveDate::MIN);
        let hi = NaiveDate::from_ymd_opt(2100, 1, 1).unwrap_or(NaiveDate::MAX);
        if self.day < lo || self.day > hi {
            return bad(format!("the day {} is out of range", self.day));
        }
        Ok(self)
    }
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub id: i64,
    pub day: NaiveDate,
    pub time: Option<NaiveTime>,
    pub time_zone: Option<String>,
    pub kind: EventKind,
    pub title: String,
    pub description: String,
    pub source_url: Option<String>,
    pub model_id: Option<i64>,
    pub article_id: Option<i64>,
    pub origin: String,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, day, time, time_zone, kind, title, description, source_url, model_id, \
                       article_id, origin, created_at";

fn from_row(r: &PgRow) -> Result<Event, StoreError> {
    let kind: String = r.try_get("kind")?;
    Ok(Event {
        id: r.try_get("id")?,
        day: r.try_get("day")?,
        time: r.try_get("time")?,
        time_zone: r.try_get("time_zone")?,
        kind: EventKind::parse(&kind)
            .map_err(|_| StoreError::Corrupt(format!("event kind {kind}")))?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        source_url: r.try_get("source_url")?,
        model_id: r.try_get("model_id")?,
        article_id: r.try_get("article_id")?,
        origin: r.try_get("origin")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Adds an event, or updates the one with the same (day, kind, title). Returns the row and
/// whether it is new.
pub async fn upsert(
    pool: &PgPool,
    event: NewEvent,
    origin: &str,
) -> Result<(Event, bool), StoreError> {
    let e = event.check()?;
    let sql = format!(
        "INSERT INTO events (day, time, time_zone, kind, title, description, source_url, model_id, article_id, origin)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (day, kind, title) DO UPDATE
            SET time = EXCLUDED.time, time_zone = EXCLUDED.time_zone,
                description = EXCLUDED.description, source_url = EXCLUDED.source_url,
                model_id = coalesce(EXCLUDED.model_id, events.model_id),
                article_id = coalesce(EXCLUDED.article_id, events.article_id)
         RETURNING {COLUMNS}, (xmax = 0) AS inserted"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(e.day)
        .bind(e.time)
        .bind(&e.time_zone)
        .bind(e.kind.as_str())
        .bind(&e.title)
        .bind(&e.description)
        .bind(&e.source_url)
        .bind(e.model_id)
        .bind(e.article_id)
        .bind(origin)
        .fetch_one(pool)
        .await?;
    let inserted: bool = row.try_get("inserted")?;
    Ok((from_row(&row)?, inserted))
}

/// What `/events` and `jevons events list` filter on.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub kind: Option<EventKind>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Case-insensitive substring of the title or description.
    pub text: Option<String>,
    pub limit: Option<i64>,
}

/// Events matching `filter`, newest first.
pub async fn list(pool: &PgPool, filter: &EventFilter) -> Result<Vec<Event>, StoreError> {
    let pattern = filter.text.as_ref().map(|t| {
        let escaped = t
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!("%{escaped}%")
    });
    let sql = format!(
        "SELECT {COLUMNS} FROM events
          WHERE ($1::text IS NULL OR kind = $1)
            AND ($2::date IS NULL OR day >= $2)
            AND ($3::date IS NULL OR day <= $3)
            AND ($4::text IS NULL OR title ILIKE $4 OR description ILIKE $4)
          ORDER BY day DESC, id DESC
          LIMIT $5"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(filter.kind.map(EventKind::as_str))
        .bind(filter.from)
        .bind(filter.to)
        .bind(pattern)
        .bind(filter.limit.unwrap_or(500).clamp(1, 5000))
        .fetch_all(pool)
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(pool: &PgPool, id: i64) -> Result<Option<Event>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM events WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn count(pool: &PgPool) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(pool)
        .await?)
}

/// Reads the seed file (`day,time,time_zone,kind,title,description,source_url`).
pub fn read_seed(path: &Path) -> Result<Vec<NewEvent>, StoreError> {
    let mut reader = csv::Reader::from_path(path)
        .map_err(|e| StoreError::Invalid(format!("{}: {e}", path.display())))?;
    let mut out = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        let rec =
            rec.map_err(|e| StoreError::Invalid(format!("{}:{line}: {e}", path.display())))?;
        let field = |k: usize| rec.get(k).map(str::trim).unwrap_or("");
        let opt = |k: usize| Some(field(k).to_string()).filter(|s| !s.is_empty());
        let err = |m: String| StoreError::Invalid(format!("{}:{line}: {m}", path.display()));
        let day = NaiveDate::parse_from_str(field(0), "%Y-%m-%d")
            .map_err(|_| err(format!("`{}` is not a YYYY-MM-DD day", field(0))))?;
        let time = match opt(1) {
            None => None,
            Some(t) => Some(
                NaiveTime::parse_from_str(&t, "%H:%M")
                    .map_err(|_| err(format!("`{t}` is not an HH:MM time")))?,
            ),
        };
        let event = NewEvent {
            day,
            time,
            time_zone: opt(2),
            kind: EventKind::parse(field(3)).map_err(|e| err(e.to_string()))?,
            title: field(4).to_string(),
            description: field(5).to_string(),
            source_url: opt(6),
            model_id: None,
            article_id: None,
        };
        out.push(event.check().map_err(|e| err(e.to_string()))?);
    }
    Ok(out)
}

/// Loads the seed file when the table is empty; returns how many events were written.
pub async fn seed_if_empty(pool: &PgPool, path: &Path) -> Result<usize, StoreError> {
    if count(pool).await? > 0 {
        return Ok(0);
    }
    let events = read_seed(path)?;
    let n = events.len();
    for e in events {
        upsert(pool, e, "seed").await?;
    }
    Ok(n)
}

async fn table_exists(pool: &PgPool, table: &str) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
        .bind(table)
        .fetch_one(pool)
        .await?)
}

/// A model release that could become an event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateRelease {
    pub model_id: i64,
    pub name: String,
    pub organization: Option<String>,
    pub released: NaiveDate,
    pub url: Option<String>,
    /// The event already recorded for this release (same model, or same day and a title
    /// naming the model), if any.
    pub event_id: Option<i64>,
}

/// Releases of the models in `ai_models` between `from` and `to`, newest first; empty when
/// the models table does not exist (migration 0003 not applied).
pub async fn candidate_releases(
    pool: &PgPool,
    from: NaiveDate,
    to: NaiveDate,
    limit: i64,
) -> Result<Vec<CandidateRelease>, StoreError> {
    if !table_exists(pool, "ai_models").await? {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(
        "SELECT m.id, m.name, m.organization, m.released, m.url,
                (SELECT e.id FROM events e
                  WHERE e.model_id = m.id
                     OR (e.kind = 'model_release' AND e.day = m.released
                         AND position(lower(m.name) IN lower(e.title)) > 0)
                  ORDER BY e.id LIMIT 1) AS event_id
           FROM ai_models m
          WHERE m.released BETWEEN $1 AND $2
          ORDER BY m.released DESC, m.name
          LIMIT $3",
    )
    .bind(from)
    .bind(to)
    .bind(limit.clamp(1, 1000))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CandidateRelease {
                model_id: r.try_get("id")?,
                name: r.try_get("name")?,
                organization: r.try_get("organization")?,
                released: r.try_get("released")?,
                url: r.try_get("url")?,
                event_id: r.try_get("event_id")?,
            })
        })
        .collect()
}

/// One day of news about a ticker: how many articles mention it and their mean stance score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NewsDay {
    pub day: NaiveDate,
    pub articles: i64,
    pub mean_stance: Option<f64>,
}

/// Daily news about `ticker` (New York days); `None` when the news tables do not exist.
pub async fn news_daily(
    pool: &PgPool,
    ticker: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Option<Vec<NewsDay>>, StoreError> {
    for t in ["articles", "article_entities", "summaries"] {
        if !table_exists(pool, t).await? {
            return Ok(None);
        }
    }
    let rows = sqlx::query(
        "SELECT (a.sort_at AT TIME ZONE 'America/New_York')::date AS day,
                count(*) AS articles,
                avg(s.stance_score)::float8 AS mean_stance
           FROM articles a
           JOIN article_entities e ON e.article_id = a.id AND e.kind = 'ticker' AND e.value = $1
           LEFT JOIN LATERAL (SELECT stance_score FROM summaries s
                               WHERE s.article_id = a.id ORDER BY s.created_at DESC, s.id DESC LIMIT 1) s ON true
          WHERE (a.sort_at AT TIME ZONE 'America/New_York')::date BETWEEN $2 AND $3
          GROUP BY 1 ORDER BY 1",
    )
    .bind(ticker)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    let days = rows
        .iter()
        .map(|r| {
            Ok(NewsDay {
                day: r.try_get("day")?,
                articles: r.try_get("articles")?,
                mean_stance: r.try_get("mean_stance")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some(days))
}

/// An article of a day with its newest summary, for the story page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayArticle {
    pub id: i64,
    pub title: String,
    pub url: Option<String>,
    pub summary: Option<String>,
    pub stance: Option<String>,
}

/// Articles published on `day` (New York), most relevant first; empty without news tables.
pub async fn articles_on(
    pool: &PgPool,
    day: NaiveDate,
    limit: i64,
) -> Result<Vec<DayArticle>, StoreError> {
    if !(table_exists(pool, "articles").await? && table_exists(pool, "summaries").await?) {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(
        "SELECT a.id, a.title, a.url, s.summary, s.stance
           FROM articles a
           LEFT JOIN LATERAL (SELECT summary, stance FROM summaries s
                               WHERE s.article_id = a.id ORDER BY s.created_at DESC, s.id DESC LIMIT 1) s ON true
          WHERE (a.sort_at AT TIME ZONE 'America/New_York')::date = $1
          ORDER BY a.relevance DESC, a.sort_at DESC
          LIMIT $2",
    )
    .bind(day)
    .bind(limit.clamp(1, 200))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(DayArticle {
                id: r.try_get("id")?,
                title: r.try_get("title")?,
                url: r.try_get("url")?,
                summary: r.try_get("summary")?,
                stance: r.try_get("stance")?,
            })
        })
        .collect()
}

/// A model released in a period, with its training cost where known (the story's "frontier").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleasedModel {
    pub name: String,
    pub organization: Option<String>,
    pub released: NaiveDate,
    pub training_compute_flop: Option<f64>,
    pub training_cost_usd: Option<f64>,
    pub cost_basis: Option<String>,
}

/// Models released between `from` and `to` (oldest first); empty without the models table.
pub async fn models_released(
    pool: &PgPool,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ReleasedModel>, StoreError> {
    if !table_exists(pool, "ai_models").await? {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(
        "SELECT name, organization, released, training_compute_flop, training_cost_usd, cost_basis
           FROM ai_models WHERE released BETWEEN $1 AND $2 ORDER BY released, name LIMIT 100",
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ReleasedModel {
                name: r.try_get("name")?,
                organization: r.try_get("organization")?,
                released: r.try_get("released")?,
                training_compute_flop: r.try_get("training_compute_flop")?,
                training_cost_usd: r.try_get("training_cost_usd")?,
                cost_basis: r.try_get("cost_basis")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(title: &str) -> NewEvent {
        NewEvent::on(
            NaiveDate::from_ymd_opt(2025, 1, 27).unwrap(),
            EventKind::News,
            title,
        )
    }

    #[test]
    fn events_are_checked() {
        assert!(event("  ").check().is_err());
        assert_eq!(event(" Sell-off ").check().unwrap().title, "Sell-off");
        let mut e = event("x");
        e.source_url = Some("javascript:alert(1)".into());
        assert!(e.check().is_err());
        let mut e = event("x");
        e.time = NaiveTime::from_hms_opt(17, 0, 0);
        assert_eq!(e.check().unwrap().time_zone.as_deref(), Some("UTC"));
        let mut e = event("x");
        e.time = NaiveTime::from_hms_opt(17, 0, 0);
        e.time_zone = Some("Nowhere/City".into());
        assert!(e.check().is_err());
        assert_eq!(
            EventKind::parse("Model release").unwrap(),
            EventKind::ModelRelease
        );
        assert!(EventKind::parse("rumour").is_err());
    }

    #[test]
    fn the_seed_file_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/events.csv");
        let events = read_seed(&path).unwrap();
        assert!(events.len() >= 3);
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(
            events
                .iter()
                .any(|e| e.day == day("2024-12-24") && e.title.contains("DeepSeek-V3"))
        );
        assert!(events.iter().any(|e| e.day == day("2025-01-20")
            && e.source_url.as_deref() == Some("https://api-docs.deepseek.com/news/news250120")));
        assert!(
            events
                .iter()
                .any(|e| e.day == day("2025-01-27") && e.kind == EventKind::News)
        );
        assert!(events.iter().all(|e| e.source_url.is_some()));
    }
}
