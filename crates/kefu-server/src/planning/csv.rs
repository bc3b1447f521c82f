//! The interval-history CSV an old system exports: `interval_start,group,offered[,aht]`, one
//! row per group and 30-minute interval. Pure parsing; every error names its line.

use jiff::civil::DateTime;
use jiff::Timestamp;

use super::zone::PlanClock;

/// Most rows one import takes (two years of one group's half hours, with room to spare).
pub const MAX_ROWS: usize = 200_000;

/// One parsed row.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvRow {
    /// 1-based line number in the file (for messages).
    pub line: usize,
    /// Interval start, ms since the epoch.
    pub start: i64,
    /// The group as written: a name or a numeric id.
    pub group: String,
    /// Contacts offered.
    pub offered: i64,
    /// Mean handle time, seconds.
    pub aht_secs: Option<f64>,
}

/// Parse the whole file. A header line is optional (recognised by a first cell that is not a
/// time). Times are RFC 3339 (`2026-03-02T09:30:00+08:00`) or a plain `2026-03-02 09:30`,
/// read on the organisation's clock; either must start one of its half hours.
pub fn parse(text: &str, clock: &PlanClock) -> Result<Vec<CsvRow>, String> {
    let mut rows = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let raw = raw.trim().trim_start_matches('\u{feff}');
        if raw.is_empty() {
            continue;
        }
        let owned = split_cells(raw).ok_or_else(|| format!("line {line}: a quoted cell is not closed"))?;
        let cells: Vec<&str> = owned.iter().map(|c| c.trim()).collect();
        if rows.is_empty() && line_is_header(&cells, clock) {
            continue;
        }
        if cells.len() < 3 || cells.len() > 4 {
            return Err(format!("line {line}: expected interval_start,group,offered[,aht], found {} columns", cells.len()));
        }
        let start =
            parse_time(cells[0], clock).ok_or_else(|| format!("line {line}: interval_start {:?} is not a date and time", cells[0]))?;
        if clock.floor(start) != start {
            return Err(format!("line {line}: interval_start {:?} is not on a 30-minute boundary", cells[0]));
        }
        if cells[1].is_empty() {
            return Err(format!("line {line}: group is empty"));
        }
        let offered: i64 = cells[2]
            .parse()
            .ok()
            .filter(|n| (0..=1_000_000).contains(n))
            .ok_or_else(|| format!("line {line}: offered {:?} is not a whole number from 0 to 1000000", cells[2]))?;
        let aht_secs = match cells.get(3).filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => Some(
                c.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && *v > 0.0 && *v <= 86_400.0)
                    .ok_or_else(|| format!("line {line}: aht {c:?} is not a number of seconds above 0"))?,
            ),
        };
        rows.push(CsvRow { line, start, group: cells[1].to_string(), offered, aht_secs });
        if rows.len() > MAX_ROWS {
            return Err(format!("line {line}: more than {MAX_ROWS} rows; split the file"));
        }
    }
    if rows.is_empty() {
        return Err("the file has no data rows".into());
    }
    Ok(rows)
}

/// Split one line on commas, honouring RFC 4180 quotes (`"Sales, north"`, `""` for a quote).
fn split_cells(line: &str) -> Option<Vec<String>> {
    let (mut cells, mut cell, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(ch) = chars.next() {
        match (ch, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            (ch, _) => cell.push(ch),
        }
    }
    cells.push(cell);
    (!quoted).then_some(cells)
}

fn line_is_header(cells: &[&str], clock: &PlanClock) -> bool {
    cells.first().is_some_and(|c| parse_time(c, clock).is_none() && c.chars().any(|ch| ch.is_ascii_alphabetic()))
}

fn parse_time(s: &str, clock: &PlanClock) -> Option<i64> {
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Some(ts.as_millisecond());
    }
    let dt: DateTime = s.parse().ok()?;
    Some(clock.zone().to_ambiguous_timestamp(dt).compatible().ok()?.as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc() -> PlanClock {
        PlanClock::new(jiff::tz::TimeZone::UTC, 0)
    }

    fn parse(text: &str) -> Result<Vec<CsvRow>, String> {
        super::parse(text, &utc())
    }

    #[test]
    fn plain_times_are_on_the_organisation_clock() {
        let zone = |name: &str| PlanClock::new(jiff::tz::TimeZone::get(name).unwrap(), 1_772_443_800_000);
        let rows = super::parse("2026-03-02 10:00,Sales,1\n2026-03-02T10:30:00Z,Sales,1\n", &zone("Asia/Shanghai")).unwrap();
        assert_eq!(rows[0].start, 1_772_416_800_000, "10:00 in Shanghai is 02:00 UTC");
        assert_eq!(rows[1].start, 1_772_447_400_000);
        // Kathmandu (+05:45): its half hours start at :15 and :45 UTC.
        let k = zone("Asia/Kathmandu");
        let rows = super::parse("2026-03-02 09:00,Sales,1\n2026-03-02T09:30:00+05:45,Sales,1\n", &k).unwrap();
        assert_eq!(rows[0].start, 1_772_421_300_000, "03:15 UTC");
        let e = super::parse("2026-03-02T09:00:00Z,Sales,1\n", &k).unwrap_err();
        assert!(e.contains("30-minute"), "{e}");
    }

    #[test]
    fn reads_rows_with_and_without_header_and_aht() {
        let rows = parse("interval_start,group,offered,aht\n2026-03-02T09:30:00Z,Sales,12,185.5\n2026-03-02 10:00,3,7,\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].start, 1_772_443_800_000);
        assert_eq!((rows[0].group.as_str(), rows[0].offered, rows[0].aht_secs), ("Sales", 12, Some(185.5)));
        assert_eq!((rows[1].line, rows[1].aht_secs), (3, None));
    }

    #[test]
    fn quoted_group_names_may_hold_commas() {
        let rows = parse("2026-03-02T09:30:00Z,\"Sales, north \"\"A\"\"\",4\n").unwrap();
        assert_eq!(rows[0].group, "Sales, north \"A\"");
        assert!(parse("2026-03-02T09:30:00Z,\"Sales,4\n").unwrap_err().starts_with("line 1: a quoted cell"));
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("interval_start,group,offered\n2026-03-02T09:30:00Z,Sales,12\n2026-03-02T09:45:00Z,Sales,3\n").unwrap_err();
        assert!(e.starts_with("line 3:") && e.contains("30-minute"), "{e}");
        let e = parse("2026-03-02T09:30:00Z,Sales,many\n").unwrap_err();
        assert!(e.starts_with("line 1:") && e.contains("offered"), "{e}");
        let e = parse("2026-03-02T09:30:00Z,Sales,1\nyesterday,Sales,2\n").unwrap_err();
        assert!(e.starts_with("line 2:") && e.contains("interval_start"), "{e}");
        assert!(parse("a,b\n").is_err());
        assert!(parse("").is_err());
    }
}
