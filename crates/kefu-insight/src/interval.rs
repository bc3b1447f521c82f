//! Report intervals in the organisation's time zone: which interval a moment falls in, and the
//! intervals a range covers. Days, weeks (from Monday) and months start at local midnight, so a
//! day with a daylight-saving change is 23 or 25 hours long, as the people reading it lived it.

use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, ZonedDateTime};
use serde::{Deserialize, Serialize};

/// How long each row of a report is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    /// A quarter of an hour (the planners' interval).
    #[serde(rename = "15m")]
    Min15,
    /// Half an hour.
    #[serde(rename = "30m")]
    Min30,
    /// A local day.
    Day,
    /// A local week, Monday to Sunday.
    Week,
    /// A calendar month.
    Month,
}

fn zoned(at: i64, zone: &TimeZone) -> ZonedDateTime {
    // Millisecond timestamps from the fact log are far inside jiff's range (years -9999..9999);
    // a value outside it is clamped rather than allowed to fail a report.
    let ts = Timestamp::from_millisecond(at).unwrap_or(if at < 0 { Timestamp::MIN } else { Timestamp::MAX });
    ts.to_zoned_datetime(zone.clone())
}

impl Interval {
    /// The start (ms) of the interval `at` falls in.
    pub fn start_of(self, at: i64, zone: &TimeZone) -> i64 {
        let z = zoned(at, zone);
        let start = match self {
            Interval::Min15 | Interval::Min30 => {
                let step = if self == Interval::Min15 { 15 } else { 30 };
                let minute = z.minute() - z.minute() % step;
                z.with().minute(minute).second(0).subsec_nanosecond(0).build()
            }
            Interval::Day => z.start_of_day(),
            Interval::Week => z.start_of_day().and_then(|d| {
                let back = i64::from(d.weekday().to_monday_zero_offset());
                d.checked_sub(back.days()).and_then(|d| d.start_of_day())
            }),
            Interval::Month => z.first_of_month().and_then(|d| d.start_of_day()),
        };
        start.map_or(at, |s| s.timestamp().as_millisecond())
    }

    /// The start (ms) of the interval after the one starting at `start`.
    pub fn next(self, start: i64, zone: &TimeZone) -> i64 {
        let z = zoned(start, zone);
        let next = match self {
            Interval::Min15 => return start + 15 * 60_000,
            Interval::Min30 => return start + 30 * 60_000,
            Interval::Day => z.checked_add(1.day()),
            Interval::Week => z.checked_add(1.week()),
            Interval::Month => z.checked_add(1.month()),
        };
        // Day-based steps land on local midnight again (a DST change moves the hour, not the day).
        next.and_then(|n| n.start_of_day()).map_or(start + 86_400_000, |n| n.timestamp().as_millisecond())
    }

    /// The intervals covering `from..to`: (start, end) pairs, the first starting at or before
    /// `from`, the last ending at or after `to`.
    pub fn cover(self, from: i64, to: i64, zone: &TimeZone) -> Vec<(i64, i64)> {
        let mut out = vec![];
        let mut start = self.start_of(from, zone);
        while start < to {
            let end = self.next(start, zone).max(start + 1);
            out.push((start, end));
            start = end;
        }
        out
    }

    /// A label of the interval starting at `start`, in local time (`2026-12-01 08:15`,
    /// `2026-12-01`, `2026-12`).
    pub fn label(self, start: i64, zone: &TimeZone) -> String {
        let z = zoned(start, zone);
        match self {
            Interval::Min15 | Interval::Min30 => z.strftime("%Y-%m-%d %H:%M").to_string(),
            Interval::Day | Interval::Week => z.strftime("%Y-%m-%d").to_string(),
            Interval::Month => z.strftime("%Y-%m").to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(text: &str) -> i64 {
        text.parse::<Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn intervals_start_on_local_boundaries() {
        let shanghai = TimeZone::get("Asia/Shanghai").unwrap();
        // 2026-12-01 00:20 in Shanghai is 2026-11-30 16:20 UTC.
        let at = ms("2026-11-30T16:20:00Z");
        assert_eq!(Interval::Min15.start_of(at, &shanghai), ms("2026-11-30T16:15:00Z"));
        assert_eq!(Interval::Min30.start_of(at, &shanghai), ms("2026-11-30T16:00:00Z"));
        assert_eq!(Interval::Day.start_of(at, &shanghai), ms("2026-11-30T16:00:00Z"));
        // 2026-12-01 is a Tuesday: its week began on Monday 2026-11-30, local midnight.
        assert_eq!(Interval::Week.start_of(at, &shanghai), ms("2026-11-29T16:00:00Z"));
        assert_eq!(Interval::Month.start_of(at, &shanghai), ms("2026-11-30T16:00:00Z"));
        assert_eq!(Interval::Month.label(at, &shanghai), "2026-12");
    }

    #[test]
    fn a_daylight_saving_day_is_23_hours_long() {
        let paris = TimeZone::get("Europe/Paris").unwrap();
        let day = Interval::Day.start_of(ms("2026-03-29T12:00:00Z"), &paris);
        assert_eq!(Interval::Day.next(day, &paris) - day, 23 * 3_600_000);
        let cover = Interval::Min30.cover(day, Interval::Day.next(day, &paris), &paris);
        assert_eq!(cover.len(), 46);
    }
}
