//! Day 0 of an event: the first session of the data's own calendar at or after the event, or
//! after it when the event is known to come after the New York close. No hard-coded holidays:
//! a day without a benchmark price is not a session.

use chrono::{NaiveDate, NaiveTime, TimeZone, Timelike};
use chrono_tz::Tz;
use serde::Serialize;

use crate::returns::AnalyticsError;

/// The regular close of the US exchanges, New York time.
pub const NEW_YORK_CLOSE: (u32, u32) = (16, 0);

/// When an event happened, as precisely as it is known.
#[derive(Debug, Clone, PartialEq)]
pub struct EventTiming {
    pub day: NaiveDate,
    /// Local time of the announcement, in `time_zone`.
    pub time: Option<NaiveTime>,
    /// IANA name, e.g. `America/New_York`, `Asia/Shanghai`; UTC when absent.
    pub time_zone: Option<String>,
}

impl EventTiming {
    pub fn day(day: NaiveDate) -> Self {
        Self {
            day,
            time: None,
            time_zone: None,
        }
    }
}

/// Why day 0 is the session it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnchorReason {
    /// The event's day is a session and the event was not after the close.
    EventDay,
    /// The event's day has no session in the data (weekend, holiday): the next session.
    NextSessionNoTrading,
    /// The event came after the 16:00 New York close: the next session.
    NextSessionAfterClose,
}

/// Day 0 and how it was found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Anchor {
    /// The event's day as given.
    pub event_day: NaiveDate,
    /// The event's day in New York (differs when a time in another zone crosses midnight).
    pub new_york_day: NaiveDate,
    pub session: NaiveDate,
    /// Index of `session` in the calendar.
    #[serde(skip)]
    pub index: usize,
    pub reason: AnchorReason,
    /// One sentence for people: which session and why.
    pub explanation: String,
}

/// Finds day 0 in `calendar` (ascending sessions).
pub fn anchor(timing: &EventTiming, calendar: &[NaiveDate]) -> Result<Anchor, AnalyticsError> {
    let tz: Tz = match timing.time_zone.as_deref() {
        None | Some("") => Tz::UTC,
        Some(name) => name
            .parse()
            .map_err(|_| AnalyticsError::Invalid(format!("unknown time zone `{name}`")))?,
    };
    let (ny_day, after_close, ny_time) = match timing.time {
        None => (timing.day, false, None),
        Some(t) => {
            let local = timing.day.and_time(t);
            let instant = tz.from_local_datetime(&local).earliest().ok_or_else(|| {
                AnalyticsError::Invalid(format!("{local} does not exist in {}", tz.name()))
            })?;
            let ny = instant.with_timezone(&chrono_tz::America::New_York);
            let close = (ny.hour(), ny.minute()) >= NEW_YORK_CLOSE;
            (ny.date_naive(), close, Some(ny.format("%H:%M").to_string()))
        }
    };
    let start = calendar.partition_point(|d| *d < ny_day);
    let index = if after_close {
        calendar[start..]
            .iter()
            .position(|d| *d > ny_day)
            .map(|i| start + i)
    } else {
        (start < calendar.len()).then_some(start)
    };
    let Some(index) = index else {
        return Err(AnalyticsError::AfterData {
            event_day: timing.day,
            last_session: calendar.last().copied().unwrap_or(timing.day),
        });
    };
    let session = calendar[index];
    let (reason, explanation) = if after_close {
        (
            AnchorReason::NextSessionAfterClose,
            format!(
                "day 0 is {session}: the event came at {} New York time on {ny_day}, after the 16:00 close, so the next session",
                ny_time.unwrap_or_default()
            ),
        )
    } else if session == ny_day {
        (
            AnchorReason::EventDay,
            format!("day 0 is {session}, the event's own day, a trading session"),
        )
    } else {
        (
            AnchorReason::NextSessionNoTrading,
            format!(
                "day 0 is {session}: {ny_day} ({}) has no trading session in the data, so the next session is used",
                ny_day.format("%A")
            ),
        )
    };
    Ok(Anchor {
        event_day: timing.day,
        new_york_day: ny_day,
        session,
        index,
        reason,
        explanation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn cal() -> Vec<NaiveDate> {
        [
            "2025-01-16",
            "2025-01-17",
            "2025-01-21",
            "2025-01-22",
            "2025-01-24",
            "2025-01-27",
        ]
        .iter()
        .map(|s| d(s))
        .collect()
    }

    #[test]
    fn sessions_holidays_and_after_close() {
        let c = cal();
        let a = anchor(&EventTiming::day(d("2025-01-27")), &c).unwrap();
        assert_eq!(
            (a.session, a.reason),
            (d("2025-01-27"), AnchorReason::EventDay)
        );
        // 2025-01-20 (MLK day) has no session in this calendar: the next one, 01-21.
        let a = anchor(&EventTiming::day(d("2025-01-20")), &c).unwrap();
        assert_eq!(a.session, d("2025-01-21"));
        assert_eq!(a.reason, AnchorReason::NextSessionNoTrading);
        assert!(a.explanation.contains("Monday"), "{}", a.explanation);
        // 01-23 is missing from this calendar (a data gap counts like a holiday).
        let a = anchor(&EventTiming::day(d("2025-01-23")), &c).unwrap();
        assert_eq!(a.session, d("2025-01-24"));
        // 17:30 New York on a session day → next session.
        let t = EventTiming {
            day: d("2025-01-22"),
            time: NaiveTime::from_hms_opt(17, 30, 0),
            time_zone: Some("America/New_York".into()),
        };
        let a = anchor(&t, &c).unwrap();
        assert_eq!(
            (a.session, a.reason),
            (d("2025-01-24"), AnchorReason::NextSessionAfterClose)
        );
        // 20:00 in Shanghai is 07:00 in New York, the same morning: that day.
        let t = EventTiming {
            day: d("2025-01-22"),
            time: NaiveTime::from_hms_opt(20, 0, 0),
            time_zone: Some("Asia/Shanghai".into()),
        };
        assert_eq!(anchor(&t, &c).unwrap().session, d("2025-01-22"));
        // Past the data.
        assert!(matches!(
            anchor(&EventTiming::day(d("2025-02-01")), &c),
            Err(AnalyticsError::AfterData { .. })
        ));
        let bad = EventTiming {
            day: d("2025-01-22"),
            time: NaiveTime::from_hms_opt(9, 0, 0),
            time_zone: Some("Mars/Olympus".into()),
        };
        assert!(anchor(&bad, &c).is_err());
    }
}
