//! Business hours (服务时间) of a skill group: a weekly schedule in a named time zone (or a fixed
//! UTC offset), with a holiday calendar — public holidays closed all day, and the make-up
//! working days (调休) that open on a day that is otherwise closed, with the hours of a weekday.

use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::types::Millis;

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

/// A time zone of the IANA database by name ("Asia/Shanghai"), checked when it is made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ZoneName {
    name: String,
    zone: TimeZone,
}

impl ZoneName {
    /// Look a zone up in the bundled database.
    pub fn new(name: &str) -> Result<ZoneName, HoursError> {
        let zone = TimeZone::get(name).map_err(|_| HoursError::UnknownZone(name.to_string()))?;
        Ok(ZoneName { name: name.to_string(), zone })
    }

    /// The IANA name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The zone itself.
    pub fn zone(&self) -> &TimeZone {
        &self.zone
    }

    /// The start of the local day `now` (ms) falls in: "today" on the live pages, as in the
    /// reports. A day that starts inside a gap (a zone that skipped midnight) starts at the first
    /// instant after it; a time outside the calendar's range reads as the 24 hours before it.
    pub fn day_start(&self, now: i64) -> i64 {
        jiff::Timestamp::from_millisecond(now)
            .and_then(|t| t.to_zoned_datetime(self.zone.clone()).start_of_day())
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or(now - 86_400_000)
    }
}

impl TryFrom<String> for ZoneName {
    type Error = HoursError;
    fn try_from(name: String) -> Result<Self, Self::Error> {
        ZoneName::new(&name)
    }
}

impl From<ZoneName> for String {
    fn from(z: ZoneName) -> String {
        z.name
    }
}

/// A working day that would otherwise be closed (调休: the Saturday worked to bridge a holiday),
/// open with the windows of `as_weekday`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MakeUpDay {
    /// The local date.
    pub date: Date,
    /// ISO weekday whose hours apply (1 = Monday … 7 = Sunday).
    pub as_weekday: u8,
}

/// A weekly schedule with its calendar. A day with no window is closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessHours {
    /// The schedule's time zone; when `None`, the fixed `utc_offset_minutes`.
    pub zone: Option<ZoneName>,
    /// Offset of local time from UTC, in minutes (China: +480); used without a named zone.
    pub utc_offset_minutes: i32,
    /// Opening windows; several per day are allowed.
    pub days: Vec<DayHours>,
    /// Local dates closed all day (国庆节, 春节 …).
    pub holidays: Vec<Date>,
    /// Local dates open although their weekday is not (调休).
    pub make_up_days: Vec<MakeUpDay>,
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
    /// No such zone in the time-zone database.
    UnknownZone(String),
    /// A date both a holiday and a make-up working day.
    HolidayAndWorkday(Date),
}

impl std::fmt::Display for HoursError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HoursError::BadTime(t) => write!(f, "time {t:?} is not HH:MM (00:00 to 24:00)"),
            HoursError::BadWeekday(d) => write!(f, "weekday {d} is not 1 (Monday) to 7 (Sunday)"),
            HoursError::EmptyWindow(d) => write!(f, "on weekday {d} the closing time is not after the opening time"),
            HoursError::BadOffset(o) => write!(f, "utc offset {o} minutes is beyond ±14 hours"),
            HoursError::UnknownZone(z) => write!(f, "time zone {z:?} is not in the time-zone database (e.g. Asia/Shanghai)"),
            HoursError::HolidayAndWorkday(d) => write!(f, "{d} is both a holiday and a make-up working day"),
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
        for m in &self.make_up_days {
            if !(1..=7).contains(&m.as_weekday) {
                return Err(HoursError::BadWeekday(m.as_weekday));
            }
            if self.holidays.contains(&m.date) {
                return Err(HoursError::HolidayAndWorkday(m.date));
            }
        }
        Ok(())
    }

    /// Whether the group is open at `at`.
    pub fn is_open(&self, at: Millis) -> bool {
        let Ok(instant) = Timestamp::from_millisecond(at.0) else { return false };
        let zone = match &self.zone {
            Some(z) => z.zone.clone(),
            None => match Offset::from_seconds(self.utc_offset_minutes * 60) {
                Ok(offset) => TimeZone::fixed(offset),
                Err(_) => return false,
            },
        };
        let local = zone.to_datetime(instant);
        let date = local.date();
        if self.holidays.contains(&date) {
            return false;
        }
        let weekday = match self.make_up_days.iter().find(|m| m.date == date) {
            Some(m) => m.as_weekday,
            None => date.weekday().to_monday_one_offset() as u8,
        };
        let minute = local.hour() as u16 * 60 + local.minute() as u16;
        self.days.iter().any(|d| d.weekday == weekday && d.open_minute <= minute && minute < d.close_minute)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_starts_at_local_midnight() {
        let ms = |s: &str| s.parse::<jiff::Timestamp>().unwrap().as_millisecond();
        let shanghai = ZoneName::new("Asia/Shanghai").unwrap();
        // 00:30 on 1 December in Shanghai is still 30 November in UTC.
        assert_eq!(shanghai.day_start(ms("2026-11-30T16:30:00Z")), ms("2026-11-30T16:00:00Z"));
        assert_eq!(shanghai.day_start(ms("2026-11-30T15:59:59Z")), ms("2026-11-29T16:00:00Z"));
        assert_eq!(shanghai.day_start(ms("2026-11-30T16:00:00Z")), ms("2026-11-30T16:00:00Z"), "midnight is today's");
        // A day of 23 hours: Berlin's spring forward.
        let berlin = ZoneName::new("Europe/Berlin").unwrap();
        assert_eq!(berlin.day_start(ms("2026-03-29T20:00:00Z")), ms("2026-03-28T23:00:00Z"));
        // Santiago skips midnight itself (00:00 -> 01:00 in September): the day starts at 01:00.
        let santiago = ZoneName::new("America/Santiago").unwrap();
        assert_eq!(santiago.day_start(ms("2026-09-06T12:00:00Z")), ms("2026-09-06T04:00:00Z"));
    }

    const DAY_MS: i64 = 86_400_000;
    const HOUR_MS: i64 = 3_600_000;

    fn weekdays_9_to_18(zone: Option<&str>) -> BusinessHours {
        BusinessHours {
            zone: zone.map(|z| ZoneName::new(z).unwrap()),
            utc_offset_minutes: 480,
            days: (1..=5).map(|d| DayHours::parse(d, "09:00", "18:00").unwrap()).collect(),
            holidays: vec![],
            make_up_days: vec![],
        }
    }

    fn weekdays_9_to_18_china() -> BusinessHours {
        weekdays_9_to_18(None)
    }

    /// 2026-11-23 (a Monday) 02:00 UTC: 10:00 in Beijing.
    const MONDAY_10_BEIJING: Millis = Millis(1_795_399_200_000);

    #[test]
    fn open_on_a_weekday_morning_in_beijing() {
        // 2026-11-23 is a Monday; 02:00 UTC is 10:00 in Beijing.
        let monday_10_beijing = MONDAY_10_BEIJING;
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
    fn a_named_zone_gives_the_same_hours_as_its_offset() {
        let shanghai = weekdays_9_to_18(Some("Asia/Shanghai"));
        for h in 0..48 {
            let at = Millis(MONDAY_10_BEIJING.0 + h * HOUR_MS);
            assert_eq!(shanghai.is_open(at), weekdays_9_to_18_china().is_open(at), "hour {h}");
        }
    }

    #[test]
    fn a_named_zone_follows_daylight_saving_time() {
        let mut berlin = weekdays_9_to_18(Some("Europe/Berlin"));
        berlin.utc_offset_minutes = 0;
        // 2026-07-06 (Monday) 07:30 UTC is 09:30 in Berlin in summer (UTC+2): open.
        let summer = Millis(Timestamp::from_second(1_783_323_000).unwrap().as_millisecond());
        assert!(berlin.is_open(summer));
        // 2026-11-23 (Monday) 07:30 UTC is 08:30 in winter (UTC+1): not yet open.
        let winter = Millis(MONDAY_10_BEIJING.0 + 5 * HOUR_MS + 30 * 60_000);
        assert!(!berlin.is_open(winter));
        assert!(berlin.is_open(Millis(winter.0 + HOUR_MS)));
    }

    #[test]
    fn a_holiday_closes_and_a_make_up_day_opens_with_its_weekday_hours() {
        let mut hours = weekdays_9_to_18(Some("Asia/Shanghai"));
        hours.holidays.push(jiff::civil::date(2026, 11, 23));
        // The Saturday before is worked (调休) with Monday's hours.
        hours.make_up_days.push(MakeUpDay { date: jiff::civil::date(2026, 11, 21), as_weekday: 1 });
        hours.validate().unwrap();
        assert!(!hours.is_open(MONDAY_10_BEIJING), "holiday");
        assert!(hours.is_open(Millis(MONDAY_10_BEIJING.0 - 2 * DAY_MS)), "make-up Saturday");
        assert!(!hours.is_open(Millis(MONDAY_10_BEIJING.0 - DAY_MS)), "Sunday stays closed");
        assert!(hours.is_open(Millis(MONDAY_10_BEIJING.0 + DAY_MS)), "Tuesday as usual");
        // The holiday is a local date: 23:30 UTC on the 22nd is already the 23rd in Beijing.
        hours.days.push(DayHours::parse(7, "00:00", "24:00").unwrap());
        assert!(!hours.is_open(Millis(MONDAY_10_BEIJING.0 - 2 * HOUR_MS - 30 * 60_000)));
    }

    #[test]
    fn refuses_an_unknown_zone_and_a_date_both_closed_and_worked() {
        assert_eq!(ZoneName::new("Asia/Beijing"), Err(HoursError::UnknownZone("Asia/Beijing".into())));
        let mut hours = weekdays_9_to_18(None);
        let d = jiff::civil::date(2026, 10, 1);
        hours.holidays.push(d);
        hours.make_up_days.push(MakeUpDay { date: d, as_weekday: 1 });
        assert_eq!(hours.validate(), Err(HoursError::HolidayAndWorkday(d)));
        let json = serde_json::to_string(&weekdays_9_to_18(Some("Asia/Shanghai"))).unwrap();
        assert!(json.contains("\"Asia/Shanghai\""), "{json}");
        assert!(serde_json::from_str::<BusinessHours>(&json.replace("Asia/Shanghai", "Mars/Base")).is_err());
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
