//! Business hours (服务时间) of a skill group: a weekly schedule in a fixed UTC offset.

use serde::{Deserialize, Serialize};

use crate::types::Millis;

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;

/// One opening window on one weekday. Minutes count from local midnight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayHours {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    /// Opens at this minute of the day (0..1440).
    pub open_minute: u16,
    /// Closes at this minute of the day (open_minute < close_minute <= 1440).
    pub close_minute: u16,
}

/// A weekly schedule. A day with no window is closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessHours {
    /// Offset of local time from UTC, in minutes (China: +480).
    pub utc_offset_minutes: i32,
    /// Opening windows; several per day are allowed.
    pub days: Vec<DayHours>,
}

/// Why a schedule was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoursError {
    /// A time was not `HH:MM` within a day.
    BadTime(String),
    /// Weekday outside 1..=7.
    BadWeekday(u8),
    /// A window closes before it opens.
    EmptyWindow(u8),
    /// Offset beyond ±14 hours.
    BadOffset(i32),
}

impl std::fmt::Display for HoursError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HoursError::BadTime(t) => write!(f, "time {t:?} is not HH:MM (00:00 to 24:00)"),
            HoursError::BadWeekday(d) => write!(f, "weekday {d} is not 1 (Monday) to 7 (Sunday)"),
            HoursError::EmptyWindow(d) => write!(f, "on weekday {d} the closing time is not after the opening time"),
            HoursError::BadOffset(o) => write!(f, "utc offset {o} minutes is beyond ±14 hours"),
        }
    }
}

/// Parse `HH:MM` into minutes after midnight; `24:00` is accepted as the end of the day.
pub fn parse_minute(text: &str) -> Result<u16, HoursError> {
    let bad = || HoursError::BadTime(text.to_string());
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: u16 = h.parse().map_err(|_| bad())?;
    let m: u16 = m.parse().map_err(|_| bad())?;
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

impl DayHours {
    /// Build a window from `HH:MM` strings, checking every part.
    pub fn parse(weekday: u8, open: &str, close: &str) -> Result<DayHours, HoursError> {
        if !(1..=7).contains(&weekday) {
            return Err(HoursError::BadWeekday(weekday));
        }
        let (open_minute, close_minute) = (parse_minute(open)?, parse_minute(close)?);
        if close_minute <= open_minute {
            return Err(HoursError::EmptyWindow(weekday));
        }
        Ok(DayHours { weekday, open_minute, close_minute })
    }
}

impl BusinessHours {
    /// Check a schedule built by hand (or read back from storage).
    pub fn validate(&self) -> Result<(), HoursError> {
        if self.utc_offset_minutes.abs() > 14 * 60 {
            return Err(HoursError::BadOffset(self.utc_offset_minutes));
        }
        for d in &self.days {
            if !(1..=7).contains(&d.weekday) {
                return Err(HoursError::BadWeekday(d.weekday));
            }
            if d.close_minute <= d.open_minute || d.close_minute > 1440 {
                return Err(HoursError::EmptyWindow(d.weekday));
            }
        }
        Ok(())
    }

    /// Whether the group is open at `at`.
    pub fn is_open(&self, at: Millis) -> bool {
        let local = at.0 + i64::from(self.utc_offset_minutes) * MINUTE_MS;
        let day = local.div_euclid(DAY_MS);
        // 1970-01-01 was a Thursday (ISO weekday 4).
        let weekday = ((day + 3).rem_euclid(7) + 1) as u8;
        let minute = (local.rem_euclid(DAY_MS) / MINUTE_MS) as u16;
        self.days.iter().any(|d| d.weekday == weekday && d.open_minute <= minute && minute < d.close_minute)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weekdays_9_to_18_china() -> BusinessHours {
        BusinessHours { utc_offset_minutes: 480, days: (1..=5).map(|d| DayHours::parse(d, "09:00", "18:00").unwrap()).collect() }
    }

    #[test]
    fn open_on_a_weekday_morning_in_beijing() {
        // 2026-11-23 is a Monday; 02:00 UTC is 10:00 in Beijing.
        let monday_10_beijing = Millis(1_795_399_200_000);
        assert!(weekdays_9_to_18_china().is_open(monday_10_beijing));
        // 12:00 UTC is 20:00 in Beijing: closed.
        assert!(!weekdays_9_to_18_china().is_open(Millis(1_795_399_200_000 + 10 * 3_600_000)));
    }

    #[test]
    fn closed_on_saturday() {
        // 2026-11-21 is a Saturday; 02:00 UTC.
        assert!(!weekdays_9_to_18_china().is_open(Millis(1_795_399_200_000 - 2 * DAY_MS)));
    }

    #[test]
    fn parse_refuses_nonsense() {
        assert!(parse_minute("9:00").is_err());
        assert!(parse_minute("24:01").is_err());
        assert!(parse_minute("12:60").is_err());
        assert_eq!(parse_minute("24:00"), Ok(1440));
        assert_eq!(DayHours::parse(8, "09:00", "10:00"), Err(HoursError::BadWeekday(8)));
        assert_eq!(DayHours::parse(1, "10:00", "09:00"), Err(HoursError::EmptyWindow(1)));
    }
}
