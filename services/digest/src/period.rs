//! Which digest is due for a subscriber, in their time zone, and the period it covers.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    Daily,
    Weekly,
}

impl Cadence {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "daily" => Some(Cadence::Daily),
            "weekly" => Some(Cadence::Weekly),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Daily => "daily",
            Cadence::Weekly => "weekly",
        }
    }

    pub fn length(self) -> Duration {
        match self {
            Cadence::Daily => Duration::days(1),
            Cadence::Weekly => Duration::days(7),
        }
    }
}

/// A digest period: its unique key per subscriber and the instants it covers, `[start, end)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub key: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// US equities close at 16:00 New York time; a daily bar is news from that instant on.
const MARKET_TZ: Tz = chrono_tz::America::New_York;
const MARKET_CLOSE_HOUR: u32 = 16;

/// The instant the trading session of `day` closes (16:00 New York, DST included).
pub fn session_close(day: NaiveDate) -> DateTime<Utc> {
    let local = day.and_hms_opt(MARKET_CLOSE_HOUR, 0, 0).unwrap_or_default();
    MARKET_TZ
        .from_local_datetime(&local)
        .earliest()
        .map_or_else(|| Utc.from_utc_datetime(&local), |t| t.with_timezone(&Utc))
}

impl Period {
    /// The first and last calendar days whose session closes within `[start, end)`: the daily
    /// bars this period reports. A digest sent at 07:00 covers the previous evening's close, not
    /// the day that has not traded yet. `first > last` when no close falls in the period.
    pub fn market_days(&self) -> (NaiveDate, NaiveDate) {
        let mut first = self.start.with_timezone(&MARKET_TZ).date_naive();
        if session_close(first) < self.start {
            first += Duration::days(1);
        }
        let mut last = self.end.with_timezone(&MARKET_TZ).date_naive();
        if session_close(last) >= self.end {
            last -= Duration::days(1);
        }
        (first, last)
    }
}

/// A subscriber's or the configuration's choice that names no zone or day; the message says
/// what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("`{0}` is not a time zone name such as Europe/Paris or UTC")]
    TimeZone(String),
    #[error("`{0}` is not a day of the week (Mon … Sun)")]
    Weekday(String),
}

/// A time zone name.
pub fn parse_time_zone(name: &str) -> Result<Tz, PeriodError> {
    name.trim()
        .parse::<Tz>()
        .map_err(|_| PeriodError::TimeZone(name.trim().to_string()))
}

/// The period due at `now` for a subscriber in `tz`, or `None` before the local `send_hour`
/// (and, weekly, on another day than `weekly_day`). The key names the local day (daily) or ISO
/// week (weekly), so every instance computes the same key; the period starts where the last one
/// ended (one cadence back for the first digest) and ends now.
pub fn due_period(
    cadence: Cadence,
    tz: Tz,
    now: DateTime<Utc>,
    send_hour: u32,
    weekly_day: Weekday,
    last_period_end: Option<DateTime<Utc>>,
) -> Option<Period> {
    let local = now.with_timezone(&tz);
    if local.hour() < send_hour {
        return None;
    }
    let key = match cadence {
        Cadence::Daily => format!("daily:{}", local.date_naive()),
        Cadence::Weekly => {
            if local.weekday() != weekly_day {
                return None;
            }
            let w = local.iso_week();
            format!("weekly:{}-W{:02}", w.year(), w.week())
        }
    };
    let start = last_period_end
        .filter(|t| *t < now)
        .unwrap_or(now - cadence.length());
    Some(Period {
        key,
        start,
        end: now,
    })
}

/// A preview's period: the last `cadence` ending with the session of `day` when one is asked
/// for, else ending with the latest day with prices (the bundled dataset ends in the past), or
/// at `now` when there are recent prices.
pub fn preview_period(
    cadence: Cadence,
    now: DateTime<Utc>,
    latest_day: Option<NaiveDate>,
    day: Option<NaiveDate>,
) -> Period {
    let through = |day: NaiveDate| {
        // Midnight UTC after the day: after its close (20:00 or 21:00 UTC), before the next one.
        let next = day + Duration::days(1);
        Utc.from_utc_datetime(&next.and_hms_opt(0, 0, 0).unwrap_or_default())
    };
    let end = match (day, latest_day) {
        (Some(day), _) => through(day),
        (None, Some(day)) if day < (now - cadence.length()).date_naive() => through(day),
        _ => now,
    };
    Period {
        key: format!("preview:{}", cadence.as_str()),
        start: end - cadence.length(),
        end,
    }
}

/// "Mon" … "Sun" (or full names), for `digest.weekly_day`.
pub fn parse_weekday(s: &str) -> Result<Weekday, PeriodError> {
    s.trim()
        .parse::<Weekday>()
        .map_err(|_| PeriodError::Weekday(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn daily_is_due_after_the_local_hour_and_keyed_by_local_day() {
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap();
        // 21:30 UTC on the 26th is 06:30 on the 27th in Tokyo: not yet.
        assert_eq!(
            due_period(
                Cadence::Daily,
                tokyo,
                at("2025-01-26T21:30:00Z"),
                7,
                Weekday::Mon,
                None
            ),
            None
        );
        let p = due_period(
            Cadence::Daily,
            tokyo,
            at("2025-01-26T22:30:00Z"),
            7,
            Weekday::Mon,
            None,
        )
        .unwrap();
        assert_eq!(p.key, "daily:2025-01-27");
        assert_eq!(p.start, at("2025-01-25T22:30:00Z"));
        let last = at("2025-01-26T00:00:00Z");
        let p = due_period(
            Cadence::Daily,
            tokyo,
            at("2025-01-26T22:30:00Z"),
            7,
            Weekday::Mon,
            Some(last),
        )
        .unwrap();
        assert_eq!(p.start, last);
        // New York, same instant: the 26th, 17:30 local.
        let ny: Tz = "America/New_York".parse().unwrap();
        let p = due_period(
            Cadence::Daily,
            ny,
            at("2025-01-26T22:30:00Z"),
            7,
            Weekday::Mon,
            None,
        )
        .unwrap();
        assert_eq!(p.key, "daily:2025-01-26");
    }

    #[test]
    fn weekly_is_due_on_its_day_with_an_iso_week_key() {
        let utc: Tz = "UTC".parse().unwrap();
        assert_eq!(
            due_period(
                Cadence::Weekly,
                utc,
                at("2025-01-28T08:00:00Z"),
                7,
                Weekday::Mon,
                None
            ),
            None
        );
        let p = due_period(
            Cadence::Weekly,
            utc,
            at("2025-01-27T08:00:00Z"),
            7,
            Weekday::Mon,
            None,
        )
        .unwrap();
        assert_eq!(p.key, "weekly:2025-W05");
        assert_eq!(p.end - p.start, Duration::days(7));
        assert!(parse_time_zone("Mars/Olympus").is_err());
        assert_eq!(parse_weekday("mon"), Ok(Weekday::Mon));
        assert_eq!(Cadence::parse("Weekly"), Some(Cadence::Weekly));
        assert_eq!(Cadence::parse("hourly"), None);
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn previews_anchor_on_the_last_stored_day() {
        let now = at("2026-03-01T12:00:00Z");
        let p = preview_period(Cadence::Weekly, now, Some(day("2025-06-30")), None);
        assert_eq!(p.end, at("2025-07-01T00:00:00Z"));
        assert_eq!(p.start, at("2025-06-24T00:00:00Z"));
        assert_eq!(p.market_days(), (day("2025-06-24"), day("2025-06-30")));
        let p = preview_period(Cadence::Daily, now, Some(day("2025-06-30")), None);
        assert_eq!(p.market_days(), (day("2025-06-30"), day("2025-06-30")));
        let p = preview_period(Cadence::Daily, now, None, Some(day("2025-01-27")));
        assert_eq!(p.market_days(), (day("2025-01-27"), day("2025-01-27")));
        assert_eq!(preview_period(Cadence::Daily, now, None, None).end, now);
    }

    #[test]
    fn a_period_reports_the_sessions_that_closed_in_it() {
        // 16:00 New York is 21:00 UTC in winter and 20:00 UTC in summer.
        assert_eq!(session_close(day("2025-01-27")), at("2025-01-27T21:00:00Z"));
        assert_eq!(session_close(day("2025-06-30")), at("2025-06-30T20:00:00Z"));
        // A daily digest at 07:00 UTC on the 28th covers the 27th's close, not the 28th.
        let p = due_period(
            Cadence::Daily,
            "UTC".parse().unwrap(),
            at("2025-01-28T07:00:00Z"),
            7,
            Weekday::Mon,
            None,
        )
        .unwrap();
        assert_eq!(p.market_days(), (day("2025-01-27"), day("2025-01-27")));
        // Sent at 22:00 UTC, the same day's close is in.
        let p = Period {
            key: "k".into(),
            start: at("2025-01-26T22:00:00Z"),
            end: at("2025-01-27T22:00:00Z"),
        };
        assert_eq!(p.market_days(), (day("2025-01-27"), day("2025-01-27")));
        // A weekly digest on Monday morning covers Monday … Friday of the week before.
        let p = due_period(
            Cadence::Weekly,
            "UTC".parse().unwrap(),
            at("2025-02-03T07:00:00Z"),
            7,
            Weekday::Mon,
            None,
        )
        .unwrap();
        assert_eq!(p.market_days(), (day("2025-01-27"), day("2025-02-02")));
    }
}
