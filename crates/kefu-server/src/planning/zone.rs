//! The organisation's clock for planning: half hours aligned to the zone's wall clock, and
//! contracts' clock times and weekdays (which are local) placed on UTC instants, DST-safe
//! through jiff's zone rules (the same zone database the reports use).
//!
//! Intervals are half hours of the zone's wall clock: their UTC starts sit `phase` after the
//! UTC half hours, where `phase` is the zone's offset modulo 30 minutes (0 for Shanghai or
//! Berlin, 15 minutes for Asia/Kathmandu's +05:45 or Australia/Eucla's +08:45). Every offset
//! a zone switches between differs by whole half hours, so the phase is the same all year
//! and local midnight is always an interval start.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use super::INTERVAL_MS;

/// The organisation's zone as planning uses it.
#[derive(Debug, Clone)]
pub struct PlanClock {
    zone: TimeZone,
    /// UTC ms from a UTC half hour to the zone's half hour, 0..INTERVAL_MS.
    phase: i64,
}

fn zoned(zone: &TimeZone, at: i64) -> jiff::ZonedDateTime {
    Timestamp::from_millisecond(at).unwrap_or(Timestamp::UNIX_EPOCH).to_zoned_datetime(zone.clone())
}

impl PlanClock {
    /// The zone, with its phase taken at `now`.
    pub fn new(zone: TimeZone, now: i64) -> Self {
        let offset_ms = i64::from(zoned(&zone, now).offset().seconds()) * 1000;
        PlanClock { zone, phase: offset_ms.rem_euclid(INTERVAL_MS) }
    }

    /// The zone.
    pub fn zone(&self) -> &TimeZone {
        &self.zone
    }

    /// The start of the zone's half hour holding `at`.
    pub fn floor(&self, at: i64) -> i64 {
        at - (at - self.phase).rem_euclid(INTERVAL_MS)
    }

    /// The local date at `at`.
    pub fn date(&self, at: i64) -> Date {
        zoned(&self.zone, at).date()
    }

    /// The first instant of the local day holding `at`.
    pub fn midnight_before(&self, at: i64) -> i64 {
        let z = zoned(&self.zone, at);
        z.start_of_day().map_or(at, |s| s.timestamp().as_millisecond())
    }

    /// The wall time `slot` half hours after midnight on `date` (48 is the next midnight).
    fn wall(date: Date, slot: u32) -> DateTime {
        let midnight = date.to_datetime(jiff::civil::Time::midnight());
        midnight.checked_add((i64::from(slot) * 30).minutes()).unwrap_or(midnight)
    }

    /// The instant of wall time `slot` on `date`. A wall time skipped by a spring-forward change
    /// is the instant just after the gap; a repeated one (autumn) is its first occurrence.
    pub fn at(&self, date: Date, slot: u32) -> i64 {
        let wall = Self::wall(date, slot);
        self.zone.to_ambiguous_zoned_datetime(wall).compatible().map_or(0, |z| z.timestamp().as_millisecond())
    }

    /// The wall half hour holding `at`, as an ordinal: half hours of the wall clock since
    /// 1970-01-01 00:00 (the local date and time read as if they were UTC). Consecutive wall
    /// half hours have consecutive ordinals whatever the offset does; a spring-forward gap's
    /// ordinals hold no instant and a fall-back hour's hold two.
    pub fn wall_slot(&self, at: i64) -> i64 {
        let wall = zoned(&self.zone, at).datetime();
        let secs = TimeZone::UTC.to_ambiguous_timestamp(wall).compatible().map_or(at / 1000, |t| t.as_second());
        secs.div_euclid(INTERVAL_MS / 1000)
    }

    /// The instant wall half hour `ordinal` (see [`PlanClock::wall_slot`]) begins: its first
    /// occurrence when repeated, the instant just after the gap when skipped.
    pub fn wall_slot_start(&self, ordinal: i64) -> i64 {
        let wall = Timestamp::from_second(ordinal * (INTERVAL_MS / 1000)).map(|t| TimeZone::UTC.to_datetime(t));
        wall.ok()
            .and_then(|w| self.zone.to_ambiguous_zoned_datetime(w).compatible().ok())
            .map_or(ordinal * INTERVAL_MS, |z| z.timestamp().as_millisecond())
    }

    /// Whether wall time `slot` on `date` happens at all (not in a spring-forward gap).
    pub fn exists(&self, date: Date, slot: u32) -> bool {
        let wall = Self::wall(date, slot);
        zoned(&self.zone, self.at(date, slot)).datetime() == wall
    }
}

/// A plan's days on the wall clock: `days` local days from `first`, 48 half hours each.
#[derive(Debug, Clone)]
pub struct LocalGrid {
    /// First local day (its midnight is the plan's `starts_at`).
    pub first: Date,
    /// Whole local days covering the requirement.
    pub days: u32,
}

impl LocalGrid {
    /// The local days from the midnight at `starts_at` until `end` (ms, excluded).
    pub fn covering(clock: &PlanClock, starts_at: i64, end: i64) -> Self {
        let first = clock.date(starts_at);
        let mut days = 0u32;
        while let Ok(d) = first.checked_add(i64::from(days).days()) {
            if clock.at(d, 0) >= end || days > 400 {
                break;
            }
            days += 1;
        }
        LocalGrid { first, days }
    }

    /// The local date of plan day `day`.
    pub fn day(&self, day: u32) -> Date {
        self.first.checked_add(i64::from(day).days()).unwrap_or(self.first)
    }

    /// The requirement on the wall clock (48 per local day) from one on UTC intervals from
    /// `starts_at`: a skipped wall half hour needs nobody; a repeated one needs the larger of
    /// its two occurrences.
    pub fn wall_required(&self, clock: &PlanClock, starts_at: i64, required: &[u32]) -> Vec<u32> {
        let at = |t: i64| {
            let i = (t - starts_at).div_euclid(INTERVAL_MS);
            usize::try_from(i).ok().and_then(|i| required.get(i)).copied().unwrap_or(0)
        };
        let mut out = Vec::with_capacity(self.days as usize * 48);
        for d in 0..self.days {
            let date = self.day(d);
            for s in 0..48 {
                if !clock.exists(date, s) {
                    out.push(0);
                    continue;
                }
                let t = clock.at(date, s);
                // The same wall time an hour (or half hour) later in UTC is its repeat after a
                // fall-back change when the wall clock reads the same there.
                let repeat = [t + 3_600_000, t + INTERVAL_MS]
                    .into_iter()
                    .find(|r| zoned(&clock.zone, *r).datetime() == PlanClock::wall(date, s))
                    .map_or(0, at);
                out.push(at(t).max(repeat));
            }
        }
        out
    }

    /// A shift's UTC start and end from its plan day, first wall half hour and length.
    pub fn shift(&self, clock: &PlanClock, day: u32, start: u32, len: u32) -> (i64, i64) {
        let date = self.day(day);
        (clock.at(date, start), clock.at(date, start + len))
    }
}

/// Agents on shift per UTC interval from `starts_at` (`n` intervals).
pub fn coverage(starts_at: i64, n: usize, shifts: &[(i64, i64)]) -> Vec<u32> {
    let mut out = vec![0u32; n];
    for (start, end) in shifts {
        let (a, b) = ((start - starts_at).div_euclid(INTERVAL_MS).max(0), (end - starts_at).div_euclid(INTERVAL_MS).min(n as i64));
        for i in a..b {
            out[i as usize] += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        s.parse::<Timestamp>().unwrap().as_millisecond()
    }

    fn clock(name: &str) -> PlanClock {
        PlanClock::new(TimeZone::get(name).unwrap(), ms("2026-03-01T00:00:00Z"))
    }

    #[test]
    fn a_shanghai_day_shift_is_the_utc_early_morning() {
        let c = clock("Asia/Shanghai");
        let starts_at = c.midnight_before(ms("2026-01-26T00:00:00Z"));
        assert_eq!(starts_at, ms("2026-01-25T16:00:00Z"), "Monday 26 January 00:00 in Shanghai");
        let grid = LocalGrid::covering(&c, starts_at, starts_at + 7 * 86_400_000);
        assert_eq!((grid.first.to_string(), grid.days), ("2026-01-26".to_string(), 7));
        // A contract's 09:00-18:00 on the first day: 01:00-10:00 UTC.
        assert_eq!(grid.shift(&c, 0, 18, 18), (ms("2026-01-26T01:00:00Z"), ms("2026-01-26T10:00:00Z")));
    }

    #[test]
    fn wall_times_hold_across_a_dst_change() {
        // Europe/Berlin springs forward on Sunday 29 March 2026 (02:00 -> 03:00, +01 -> +02).
        let c = clock("Europe/Berlin");
        let starts_at = c.midnight_before(ms("2026-03-28T12:00:00Z"));
        assert_eq!(starts_at, ms("2026-03-27T23:00:00Z"));
        // Saturday, the 23-hour Sunday and Monday: 71 hours.
        let grid = LocalGrid::covering(&c, starts_at, starts_at + 71 * 3_600_000);
        assert_eq!(grid.days, 3);
        // 09:00-17:00 on Saturday (+01) then on Sunday and Monday (+02).
        assert_eq!(grid.shift(&c, 0, 18, 16), (ms("2026-03-28T08:00:00Z"), ms("2026-03-28T16:00:00Z")));
        assert_eq!(grid.shift(&c, 1, 18, 16), (ms("2026-03-29T07:00:00Z"), ms("2026-03-29T15:00:00Z")));
        assert_eq!(grid.shift(&c, 2, 18, 16), (ms("2026-03-30T07:00:00Z"), ms("2026-03-30T15:00:00Z")));
        // A night shift over the gap, 00:00-06:00 wall: five real hours.
        let (a, b) = grid.shift(&c, 1, 0, 12);
        assert_eq!((a, b), (ms("2026-03-28T23:00:00Z"), ms("2026-03-29T04:00:00Z")));
        assert!(!c.exists(grid.day(1), 4) && !c.exists(grid.day(1), 5) && c.exists(grid.day(1), 6));
        // The requirement on the wall clock: 02:00 and 02:30 on Sunday need nobody; 09:00 on
        // Sunday is the UTC interval at 07:00.
        let required: Vec<u32> = (0..142).map(|i| i as u32).collect();
        let wall = grid.wall_required(&c, starts_at, &required);
        assert_eq!(wall.len(), 3 * 48);
        assert_eq!((wall[48 + 4], wall[48 + 5]), (0, 0));
        assert_eq!(wall[48 + 18], ((ms("2026-03-29T07:00:00Z") - starts_at) / INTERVAL_MS) as u32);
    }

    #[test]
    fn a_fall_back_hour_needs_the_larger_of_its_two_occurrences() {
        // Berlin falls back on Sunday 25 October 2026 (03:00 -> 02:00): 02:00-03:00 happens twice.
        let c = clock("Europe/Berlin");
        let starts_at = c.midnight_before(ms("2026-10-25T12:00:00Z"));
        let grid = LocalGrid::covering(&c, starts_at, starts_at + 25 * 3_600_000);
        assert_eq!(grid.days, 1, "the 25-hour day is one day");
        let mut required = vec![1u32; 50];
        required[6] = 7; // the second 02:00 (UTC 01:00)
        let wall = grid.wall_required(&c, starts_at, &required);
        assert_eq!(wall[4], 7);
    }

    #[test]
    fn kathmandu_intervals_are_its_own_half_hours() {
        let c = clock("Asia/Kathmandu");
        // 00:00 +05:45 is 18:15 UTC: on the grid, and so are 09:00 and 09:30 local.
        let midnight = c.midnight_before(ms("2026-01-26T06:00:00Z"));
        assert_eq!(midnight, ms("2026-01-25T18:15:00Z"));
        assert_eq!(c.floor(midnight), midnight);
        assert_eq!(c.floor(midnight + 29 * 60_000), midnight);
        assert_eq!(c.floor(ms("2026-01-26T03:20:00Z")), ms("2026-01-26T03:15:00Z"), "09:05 local is in 09:00");
        let grid = LocalGrid::covering(&c, midnight, midnight + 86_400_000);
        assert_eq!(grid.shift(&c, 0, 18, 1).0, ms("2026-01-26T03:15:00Z"));
    }

    #[test]
    fn coverage_counts_shifts_on_utc_intervals() {
        let cov = coverage(0, 4, &[(0, 2 * INTERVAL_MS), (INTERVAL_MS, 10 * INTERVAL_MS)]);
        assert_eq!(cov, vec![1, 2, 1, 1]);
    }
}
