//! Report exports: a report as a table (headers in the asked language), written as CSV (UTF-8
//! with a BOM, so Excel and WPS read Chinese names right) or XLSX.

use kefu_insight::{AgentFigures, ConversationFigures, Dimension, Interval};

use crate::error::{ApiError, ApiResult};
use crate::views::{AgentReport, ConversationReport, ReasonReport};

/// The wire word of an interval.
pub fn interval_word(i: Interval) -> &'static str {
    match i {
        Interval::Min15 => "15m",
        Interval::Min30 => "30m",
        Interval::Day => "day",
        Interval::Week => "week",
        Interval::Month => "month",
    }
}

/// The wire word of a split.
pub fn by_word(d: Dimension) -> &'static str {
    match d {
        Dimension::Total => "total",
        Dimension::Group => "group",
        Dimension::BusinessType => "business_type",
        Dimension::Channel => "channel",
        Dimension::Agent => "agent",
    }
}

/// A cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

/// A report as rows of cells under a header.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// Headers in Chinese (default) or English.
fn headers(zh: bool, pairs: &[(&str, &str)]) -> Vec<String> {
    pairs.iter().map(|(z, e)| if zh { z } else { e }.to_string()).collect()
}

fn num(v: Option<f64>) -> Cell {
    v.map_or(Cell::Empty, |v| Cell::Number((v * 100.0).round() / 100.0))
}

fn pct(v: Option<f64>) -> Cell {
    num(v.map(|v| v * 100.0))
}

fn secs(ms: i64) -> Cell {
    Cell::Number((ms as f64 / 1000.0).round())
}

fn conversation_cells(f: &ConversationFigures) -> Vec<Cell> {
    vec![
        Cell::Number(f.offered as f64),
        Cell::Number(f.answered as f64),
        Cell::Number(f.abandoned as f64),
        Cell::Number(f.abandoned_short as f64),
        pct(f.service_level),
        num(f.asa_secs),
        num(Some(f.longest_wait_secs)),
        num(f.aht_secs),
        num(f.talk_secs),
        num(f.wrap_secs),
        Cell::Number(f.transfers as f64),
        pct(f.fcr_rate),
        num(f.csat_average),
        pct(f.csat_good_share),
        num(f.messages_per_conversation),
    ]
}

/// The conversation report's rows, then a total per key.
pub fn conversation_table(r: &ConversationReport, zh: bool) -> Table {
    let short = if zh { format!("{}秒内放弃", r.short_abandon_secs) } else { format!("Abandoned within {} s", r.short_abandon_secs) };
    let mut headers = headers(
        zh,
        &[
            ("时段", "Interval"),
            ("维度", "Key"),
            ("进线量", "Offered"),
            ("接通量", "Answered"),
            ("放弃量", "Abandoned"),
            ("服务水平 %", "Service level %"),
            ("平均应答时长 s", "ASA s"),
            ("最长等待 s", "Longest wait s"),
            ("平均处理时长 s", "AHT s"),
            ("通话 s", "Talk s"),
            ("话后整理 s", "Wrap-up s"),
            ("转接", "Transfers"),
            ("首次解决率 %", "FCR %"),
            ("满意度均分", "CSAT average"),
            ("满意(4-5) %", "CSAT 4-5 %"),
            ("每会话消息数", "Messages per conversation"),
        ],
    );
    // After "Abandoned", as the cells have it; its limit is the deployment's.
    headers.insert(5, short);
    let total = if zh { "合计" } else { "Total" };
    let mut rows = vec![];
    for (label, row) in r.rows.iter().map(|row| (row.label.clone(), row)).chain(r.totals.iter().map(|row| (total.to_string(), row))) {
        let mut cells = vec![Cell::Text(label), Cell::Text(row.key.name.clone())];
        cells.extend(conversation_cells(&row.figures));
        rows.push(cells);
    }
    Table { headers, rows }
}

fn agent_cells(f: &AgentFigures, reasons: &[String]) -> Vec<Cell> {
    let mut cells = vec![secs(f.logged_in_ms), secs(f.ready_ms), secs(f.busy_ms), secs(f.wrap_up_ms), secs(f.away_ms)];
    cells.extend(reasons.iter().map(|r| secs(f.away_by_reason.get(r).copied().unwrap_or(0))));
    cells.extend([pct(f.occupancy), pct(f.utilisation)]);
    cells
}

/// The agent state report's rows, then a total per agent; one column per away reason seen.
pub fn agent_table(r: &AgentReport, zh: bool) -> Table {
    let mut reasons: Vec<String> = r.totals.iter().flat_map(|t| t.figures.away_by_reason.keys().cloned()).collect();
    reasons.sort();
    reasons.dedup();
    let mut headers = headers(
        zh,
        &[
            ("时段", "Interval"),
            ("坐席", "Agent"),
            ("登录 s", "Logged in s"),
            ("就绪 s", "Ready s"),
            ("忙碌 s", "Busy s"),
            ("话后整理 s", "Wrap-up s"),
            ("小休 s", "Away s"),
        ],
    );
    let away = if zh { "小休" } else { "Away" };
    headers.extend(reasons.iter().map(|r| format!("{away}: {} s", away_reason_words(r, zh))));
    headers.extend(self::headers(zh, &[("占用率 %", "Occupancy %"), ("利用率 %", "Utilisation %")]));
    let total = if zh { "合计" } else { "Total" };
    let mut rows = vec![];
    for (label, row) in r.rows.iter().map(|row| (row.label.clone(), row)).chain(r.totals.iter().map(|row| (total.to_string(), row))) {
        let mut cells = vec![Cell::Text(label), Cell::Text(row.key.name.clone())];
        cells.extend(agent_cells(&row.figures, &reasons));
        rows.push(cells);
    }
    Table { headers, rows }
}

/// An away reason in the export's language, as the workspace says it (`common.awayReasons`): the
/// agent's choices and the router's own reasons; free text from an integration as it was given.
pub fn away_reason_words(code: &str, zh: bool) -> &str {
    let words = match code {
        "" => ("-", "-"),
        "meal" => ("用餐", "Meal"),
        "training" => ("培训", "Training"),
        "meeting" => ("会议", "Meeting"),
        "other" => ("其他", "Other"),
        "missed_offers" => ("多次未接", "Missed offers"),
        "disconnected" => ("连接断开", "Disconnected"),
        free => return free,
    };
    if zh {
        words.0
    } else {
        words.1
    }
}

/// The contact reasons report: conversations per interval and tag, then a total per tag with its
/// share, CSAT and comment count (the comments themselves are read on the page).
pub fn reason_table(r: &ReasonReport, zh: bool) -> Table {
    let headers = headers(
        zh,
        &[
            ("时段", "Interval"),
            ("咨询原因", "Reason"),
            ("会话数", "Conversations"),
            ("占比 %", "Share %"),
            ("满意度均分", "CSAT average"),
            ("满意(4-5) %", "CSAT 4-5 %"),
            ("评价数", "CSAT answers"),
            ("评价留言数", "Comments"),
        ],
    );
    let mut rows = vec![];
    for (i, interval) in r.intervals.iter().enumerate() {
        for reason in &r.reasons {
            let n = reason.trend.get(i).copied().unwrap_or(0);
            if n > 0 {
                let mut cells = vec![Cell::Text(interval.label.clone()), Cell::Text(reason.name.clone()), Cell::Number(n as f64)];
                cells.extend([Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty]);
                rows.push(cells);
            }
        }
    }
    let total = if zh { "合计" } else { "Total" };
    for reason in &r.reasons {
        rows.push(vec![
            Cell::Text(total.into()),
            Cell::Text(reason.name.clone()),
            Cell::Number(reason.conversations as f64),
            pct(reason.share),
            num(reason.csat_average),
            pct(reason.csat_good_share),
            Cell::Number(reason.csat_count as f64),
            Cell::Number(reason.comment_count as f64),
        ]);
    }
    Table { headers, rows }
}

fn csv_field(text: &str) -> String {
    // A cell starting with = + - @ would run as a formula in a spreadsheet: quote it as text.
    let guarded = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_string() };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// CSV, UTF-8 with a byte-order mark, CRLF line ends (RFC 4180).
pub fn csv(t: &Table) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    let line = |cells: Vec<String>| cells.join(",") + "\r\n";
    out.push_str(&line(t.headers.iter().map(|h| csv_field(h)).collect()));
    for row in &t.rows {
        out.push_str(&line(
            row.iter()
                .map(|c| match c {
                    Cell::Text(s) => csv_field(s),
                    Cell::Number(n) => n.to_string(),
                    Cell::Empty => String::new(),
                })
                .collect(),
        ));
    }
    out.into_bytes()
}

/// XLSX: one sheet, a bold header row, numbers as numbers.
pub fn xlsx(t: &Table, sheet: &str) -> ApiResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| ApiError::Internal(anyhow::anyhow!("xlsx: {e}"));
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = book.add_worksheet();
    ws.set_name(sheet).map_err(fail)?;
    for (c, h) in t.headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold).map_err(fail)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Cell::Text(s) => ws.write_string(r, c as u16, s).map(|_| ()).map_err(fail)?,
                Cell::Number(n) => ws.write_number(r, c as u16, *n).map(|_| ()).map_err(fail)?,
                Cell::Empty => {}
            }
        }
    }
    ws.set_freeze_panes(1, 0).map_err(fail)?;
    book.save_to_buffer().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it_and_defuses_formulas() {
        let t = Table {
            headers: vec!["a".into(), "b".into()],
            rows: vec![vec![Cell::Text("x, \"y\"".into()), Cell::Number(2.5)], vec![Cell::Text("=1+1".into()), Cell::Empty]],
        };
        let text = String::from_utf8(csv(&t)).unwrap();
        assert_eq!(text, "\u{feff}a,b\r\n\"x, \"\"y\"\"\",2.5\r\n'=1+1,\r\n");
    }

    #[test]
    fn away_reasons_are_words_in_the_export_language() {
        assert_eq!(away_reason_words("missed_offers", true), "多次未接");
        assert_eq!(away_reason_words("missed_offers", false), "Missed offers");
        assert_eq!(away_reason_words("meal", true), "用餐");
        assert_eq!(away_reason_words("disconnected", false), "Disconnected");
        assert_eq!(away_reason_words("", true), "-");
        assert_eq!(away_reason_words("培训课 A", false), "培训课 A", "free text stays as given");
    }

    #[test]
    fn xlsx_is_a_zip_workbook() {
        let t = Table { headers: vec!["进线量".into()], rows: vec![vec![Cell::Number(3.0)]] };
        let bytes = xlsx(&t, "report").unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}
