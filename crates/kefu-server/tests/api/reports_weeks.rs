//! The conversation report by week and by month over conversations on both sides of week and
//! month boundaries in the organisation's time zone (Asia/Shanghai, UTC+8: a local midnight is
//! 16:00 UTC the day before, so a UTC grouping would put these on the wrong side).

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use kefu_core::{AgentId, ClosedBy, ConversationId, Fact, GroupId};
use serde_json::Value;

use crate::helpers::{spawn_app, TestApp};

fn shanghai(at: &str) -> i64 {
    let dt: DateTime = at.parse().unwrap();
    dt.to_zoned_datetime(TimeZone::get("Asia/Shanghai").unwrap()).unwrap().timestamp().as_millisecond()
}

/// Local times of the seeded conversations: the last evening of September (a Wednesday), the
/// first night of October, the last night of that week (Sunday) and the first of the next.
const ARRIVALS: [&str; 4] = ["2026-09-30T23:30", "2026-10-01T00:30", "2026-10-04T23:30", "2026-10-05T00:30"];

async fn seed(app: &TestApp) {
    let store = match &app.database_url {
        Some(url) => kefu_store::Store::connect(url).await.unwrap(),
        None => kefu_store::Store::open(&app.data_dir.0.join("kefu.db")).await.unwrap(),
    };
    let g = GroupId(1);
    for (i, local) in ARRIVALS.iter().enumerate() {
        let at = shanghai(local);
        let c = ConversationId(90_000 + i as i64);
        let queued = Fact::Queued {
            conversation: c,
            customer: 500 + i as i64,
            group: g,
            business_type: None,
            channel: "web".into(),
            vip: false,
            left_message: false,
        };
        let mut facts = vec![(at, queued)];
        if i % 2 == 0 {
            facts.push((at + 20_000, Fact::Answered { conversation: c, agent: AgentId(3), group: g }));
            facts.push((
                at + 600_000,
                Fact::Closed {
                    conversation: c,
                    group: g,
                    agent: Some(AgentId(3)),
                    by: ClosedBy::Agent,
                    wrap_up_code: None,
                    visitor_messages: 1,
                    agent_messages: 1,
                },
            ));
        } else {
            facts.push((at + 60_000, Fact::Abandoned { conversation: c, group: g, waited_ms: 60_000 }));
        }
        let mut tx = store.begin().await.unwrap();
        for (at, f) in &facts {
            tx.record_fact(f, *at).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
}

/// (start as ms, offered, answered) of each row of the report, by start.
async fn rows(app: &TestApp, token: &str, from: &str, to: &str, interval: &str) -> Vec<(i64, i64, i64)> {
    let (s, r): (u16, Value) =
        app.call("GET", &format!("/api/v1/reports/conversations?from={from}&to={to}&interval={interval}"), Some(token), None).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["interval"], interval);
    let mut out: Vec<(i64, i64, i64)> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let start: jiff::Timestamp = row["start"].as_str().unwrap().parse().unwrap();
            (start.as_millisecond(), row["figures"]["offered"].as_i64().unwrap(), row["figures"]["answered"].as_i64().unwrap())
        })
        .filter(|r| r.1 > 0)
        .collect();
    out.sort();
    out
}

/// The day rows added up into the periods starting at `starts` (each up to the next).
fn add_up(days: &[(i64, i64, i64)], starts: &[i64]) -> Vec<(i64, i64, i64)> {
    starts
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let end = starts.get(i + 1).copied().unwrap_or(i64::MAX);
            let inside = days.iter().filter(|d| d.0 >= *s && d.0 < end);
            (*s, inside.clone().map(|d| d.1).sum(), inside.map(|d| d.2).sum())
        })
        .collect()
}

#[tokio::test]
async fn weeks_start_on_local_mondays_and_months_on_local_firsts_and_add_up_to_days() {
    let app = spawn_app().await;
    seed(&app).await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;

    let weeks = rows(&app, &admin, "2026-09-28", "2026-10-11", "week").await;
    let mondays = [shanghai("2026-09-28T00:00"), shanghai("2026-10-05T00:00")];
    assert_eq!(weeks, vec![(mondays[0], 3, 2), (mondays[1], 1, 0)], "Wednesday to Sunday, then Monday");
    let days = rows(&app, &admin, "2026-09-28", "2026-10-11", "day").await;
    assert_eq!(days.len(), 4, "{days:?}");
    assert_eq!(add_up(&days, &mondays), weeks);

    let months = rows(&app, &admin, "2026-09-01", "2026-10-31", "month").await;
    let firsts = [shanghai("2026-09-01T00:00"), shanghai("2026-10-01T00:00")];
    assert_eq!(months, vec![(firsts[0], 1, 1), (firsts[1], 3, 1)], "September's last evening, then October");
    let days = rows(&app, &admin, "2026-09-01", "2026-10-31", "day").await;
    assert_eq!(add_up(&days, &firsts), months);
}
