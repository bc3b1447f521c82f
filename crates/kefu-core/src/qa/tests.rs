//! One test per rule kind, on hand-built transcripts.

use super::*;

const S: i64 = 1000;

fn line(id: i64, side: Side, at_s: i64, text: &str) -> Line {
    Line { id, side, at: at_s * S, text: text.into() }
}

fn words(w: &[&str]) -> Vec<String> {
    w.iter().map(|s| s.to_string()).collect()
}

/// A polite, quick conversation every rule passes.
fn good() -> Transcript {
    Transcript {
        lines: vec![
            line(1, Side::Customer, 0, "你好，我的订单还没到"),
            line(2, Side::Agent, 10, "您好，很高兴为您服务"),
            line(3, Side::Customer, 20, "单号 123"),
            line(4, Side::Agent, 40, "查到了，明天送达"),
            line(5, Side::System, 45, "transferred"),
            line(6, Side::Agent, 50, "感谢您的耐心，再见"),
        ],
        assigned_at: Some(5 * S),
        closed_at: 60 * S,
        transfers: 0,
        wrap_up: Some("resolved".into()),
        csat: Some(5),
    }
}

fn rule(id: i64, weight: u32, check: Check) -> Rule {
    Rule { id, weight, heavy: false, check }
}

fn hits(t: &Transcript, check: Check) -> Vec<Hit> {
    inspect(t, &[rule(7, 10, check)]).hits
}

#[test]
fn forbidden_words_match_inside_chinese_sentences_and_ignore_case() {
    let mut t = good();
    t.lines[3].text = "这个问题你自己看着办吧".into();
    t.lines[5].text = "That is STUPID".into();
    t.lines[0].text = "看着办".into(); // the customer may say it
    let found = hits(&t, Check::ForbiddenWords { words: words(&["看着办", "stupid"]) });
    assert_eq!(found.iter().map(|h| h.message).collect::<Vec<_>>(), vec![Some(4), Some(6)]);
    assert_eq!(found[0].detail, "\"看着办\"");
    assert!(hits(&good(), Check::ForbiddenWords { words: words(&["看着办", ""]) }).is_empty(), "an empty word matches nothing");
}

#[test]
fn full_width_letters_match_their_ascii_form() {
    let mut t = good();
    t.lines[3].text = "ＳＴＵＰＩＤ".into();
    assert_eq!(hits(&t, Check::ForbiddenWords { words: words(&["stupid"]) }).len(), 1);
}

#[test]
fn greeting_must_come_within_the_first_agent_messages() {
    let check = |within| Check::Greeting { phrases: words(&["您好", "hello"]), within };
    assert!(hits(&good(), check(1)).is_empty());
    let mut t = good();
    t.lines[1].text = "在的".into();
    t.lines[3].text = "Hello there".into();
    assert!(hits(&t, check(2)).is_empty(), "the second agent message still counts");
    t.lines[3].text = "查到了".into();
    let found = hits(&t, check(2));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].message, Some(2), "marked where it was expected");
    t.lines.retain(|l| l.side != Side::Agent);
    assert_eq!(hits(&t, check(1)).len(), 1, "no agent message: no greeting");
}

#[test]
fn closing_must_come_within_the_last_agent_messages() {
    let check = |within| Check::Closing { phrases: words(&["再见", "bye"]), within };
    assert!(hits(&good(), check(1)).is_empty());
    let mut t = good();
    t.lines.pop();
    let found = hits(&t, check(1));
    assert_eq!((found.len(), found[0].message), (1, Some(4)));
}

#[test]
fn first_response_counts_from_assignment_or_the_customers_first_line() {
    let check = |limit_secs| Check::FirstResponse { limit_secs };
    assert!(hits(&good(), check(10)).is_empty(), "10 s after the customer wrote (assigned at 5 s, wrote at 0 s) -> 5 s");
    let found = hits(&good(), check(4));
    assert_eq!((found[0].message, found[0].detail.as_str()), (Some(2), "first reply after 5 s (limit 4 s)"));
    let mut t = good();
    t.lines.retain(|l| l.side != Side::Agent);
    assert_eq!(hits(&t, check(600))[0].detail, "no reply at all");
    let mut greeted_first = good();
    greeted_first.lines.remove(0);
    greeted_first.assigned_at = Some(9 * S);
    assert!(hits(&greeted_first, check(1)).is_empty(), "greeting before the customer writes: waited 0 s");
}

#[test]
fn response_time_is_checked_on_each_later_reply() {
    let check = Check::ResponseTime { limit_secs: 15 };
    let found = hits(&good(), check.clone());
    assert_eq!(found.len(), 1, "the reply at 40 s to a line at 20 s; the first reply is not counted");
    assert_eq!((found[0].message, found[0].detail.as_str()), (Some(4), "reply after 20 s (limit 15 s)"));
    assert!(hits(&good(), Check::ResponseTime { limit_secs: 20 }).is_empty(), "exactly the limit is fine");
}

#[test]
fn long_silence_includes_a_wait_that_was_never_answered() {
    let mut t = good();
    t.lines.push(line(7, Side::Customer, 55, "还在吗？"));
    t.closed_at = 400 * S;
    let found = hits(&t, Check::LongSilence { limit_secs: 120 });
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].message, found[0].detail.as_str()), (Some(7), "customer waited 345 s, never answered"));
    assert!(hits(&good(), Check::LongSilence { limit_secs: 120 }).is_empty());
}

#[test]
fn customer_asking_for_a_supervisor_in_chinese_or_english() {
    let mut t = good();
    t.lines[0].text = "我要投诉你们".into();
    t.lines[2].text = "叫你们领导来".into();
    t.lines.push(line(8, Side::Customer, 58, "Let me talk to your Supervisor"));
    let check = Check::SupervisorRequest { phrases: words(&["投诉", "你们领导", "supervisor"]) };
    assert_eq!(hits(&t, check).iter().map(|h| h.message).collect::<Vec<_>>(), vec![Some(1), Some(3), Some(8)]);
}

#[test]
fn transfers_wrap_up_and_csat_are_checked_on_the_events() {
    let mut t = good();
    assert!(hits(&t, Check::Transfers { max: 1 }).is_empty());
    t.transfers = 2;
    assert_eq!(hits(&t, Check::Transfers { max: 1 })[0].detail, "2 transfers (at most 1)");
    assert!(hits(&t, Check::WrapUpMissing).is_empty());
    t.wrap_up = None;
    assert_eq!(hits(&t, Check::WrapUpMissing)[0].message, None);
    assert!(hits(&t, Check::LowCsat { at_most: 2 }).is_empty());
    t.csat = Some(2);
    assert_eq!(hits(&t, Check::LowCsat { at_most: 2 }).len(), 1);
    t.csat = None;
    assert!(hits(&t, Check::LowCsat { at_most: 2 }).is_empty(), "not rated: no hit");
}

#[test]
fn score_is_100_minus_weighted_hits_never_below_zero() {
    let mut t = good();
    t.lines[3].text = "笨蛋".into();
    t.lines[5].text = "笨蛋".into();
    t.wrap_up = None;
    let rules = [
        rule(1, 15, Check::ForbiddenWords { words: words(&["笨蛋"]) }),
        Rule { id: 2, weight: 5, heavy: true, check: Check::WrapUpMissing },
        rule(3, 50, Check::Transfers { max: 3 }),
    ];
    let out = inspect(&t, &rules);
    assert_eq!(out.score, 100 - 15 * 2 - 5);
    assert!(out.heavy_hit);
    assert_eq!(out.hits.iter().map(|h| h.rule).collect::<Vec<_>>(), vec![1, 1, 2]);
    let heavy = [rule(1, 80, Check::ForbiddenWords { words: words(&["笨蛋"]) })];
    assert_eq!(inspect(&t, &heavy).score, 0);
    assert!(!inspect(&good(), &heavy).heavy_hit);
    assert_eq!(inspect(&good(), &heavy).score, 100);
}

#[test]
fn checks_round_trip_as_tagged_json() {
    let c = Check::Greeting { phrases: words(&["您好"]), within: 2 };
    let json = serde_json::to_string(&c).unwrap();
    assert_eq!(json, r#"{"kind":"greeting","phrases":["您好"],"within":2}"#);
    assert_eq!(serde_json::from_str::<Check>(&json).unwrap(), c);
    assert_eq!(serde_json::from_str::<Check>(r#"{"kind":"wrap_up_missing"}"#).unwrap(), Check::WrapUpMissing);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn any_line() -> impl Strategy<Value = (u8, u16, u8)> {
        (0u8..3, 0u16..400, 0u8..6)
    }

    const TEXTS: [&str; 6] = ["您好", "你自己看着办", "我要投诉", "好的", "再见", "STUPID 的"];

    fn transcript(raw: Vec<(u8, u16, u8)>, transfers: u32, csat: Option<u8>, wrap_up: bool) -> Transcript {
        let mut at = 0i64;
        let lines = raw
            .into_iter()
            .enumerate()
            .map(|(i, (side, gap, text))| {
                at += i64::from(gap) * S;
                let side = [Side::Customer, Side::Agent, Side::System][side as usize];
                Line { id: i as i64 + 1, side, at, text: TEXTS[text as usize].into() }
            })
            .collect();
        Transcript { lines, assigned_at: Some(0), closed_at: at + 10 * S, transfers, wrap_up: wrap_up.then(|| "ok".into()), csat }
    }

    fn rules(weights: [u32; 10]) -> Vec<Rule> {
        let w = |s: &[&str]| words(s);
        let checks = [
            Check::ForbiddenWords { words: w(&["看着办", "stupid"]) },
            Check::Greeting { phrases: w(&["您好"]), within: 1 },
            Check::Closing { phrases: w(&["再见"]), within: 1 },
            Check::FirstResponse { limit_secs: 60 },
            Check::ResponseTime { limit_secs: 90 },
            Check::LongSilence { limit_secs: 180 },
            Check::SupervisorRequest { phrases: w(&["投诉"]) },
            Check::Transfers { max: 1 },
            Check::WrapUpMissing,
            Check::LowCsat { at_most: 2 },
        ];
        checks
            .into_iter()
            .zip(weights)
            .enumerate()
            .map(|(i, (check, weight))| Rule { id: i as i64, weight, heavy: i == 0, check })
            .collect()
    }

    proptest! {
        /// Whatever the conversation: the score is 100 minus the weights of the hits, within 0..=100;
        /// every hit names a rule of the set and, when it names a line, a line of the transcript.
        #[test]
        fn the_score_is_what_the_hits_cost(
            raw in prop::collection::vec(any_line(), 0..30),
            transfers in 0u32..4,
            csat in prop::option::of(1u8..=5),
            wrap_up in any::<bool>(),
            weights in prop::array::uniform10(0u32..40),
        ) {
            let t = transcript(raw, transfers, csat, wrap_up);
            let set = rules(weights);
            let out = inspect(&t, &set);
            let cost: u32 = out.hits.iter().map(|h| set[h.rule as usize].weight).sum();
            prop_assert_eq!(u32::from(out.score), 100u32.saturating_sub(cost));
            prop_assert_eq!(out.heavy_hit, out.hits.iter().any(|h| h.rule == 0));
            for h in &out.hits {
                if let Some(m) = h.message {
                    prop_assert!(t.lines.iter().any(|l| l.id == m && l.side != Side::System));
                }
            }
            prop_assert_eq!(inspect(&t, &set), out, "deterministic");
        }
    }
}
