//! One function per rule kind: what each check finds in a transcript, as (line, detail) pairs.

use super::{fold, Check, Line, Side, Transcript};

type Found = Vec<(Option<i64>, String)>;

/// Run one check.
pub(super) fn run(check: &Check, t: &Transcript) -> Found {
    match check {
        Check::ForbiddenWords { words } => lines_with(t, Side::Agent, words),
        Check::SupervisorRequest { phrases } => lines_with(t, Side::Customer, phrases),
        Check::Greeting { phrases, within } => required(t, phrases, *within, false),
        Check::Closing { phrases, within } => required(t, phrases, *within, true),
        Check::FirstResponse { limit_secs } => first_response(t, *limit_secs),
        Check::ResponseTime { limit_secs } => slow_replies(t, *limit_secs),
        Check::LongSilence { limit_secs } => silences(t, *limit_secs),
        Check::Transfers { max } if t.transfers > *max => vec![(None, format!("{} transfers (at most {max})", t.transfers))],
        Check::Transfers { .. } => vec![],
        Check::WrapUpMissing if t.wrap_up.as_deref().is_none_or(|c| c.trim().is_empty()) => vec![(None, "no wrap-up code".into())],
        Check::WrapUpMissing => vec![],
        Check::LowCsat { at_most } => match t.csat {
            Some(score) if score <= *at_most => vec![(None, format!("CSAT {score} (at most {at_most} is low)"))],
            _ => vec![],
        },
    }
}

fn said(t: &Transcript, side: Side) -> impl Iterator<Item = &Line> {
    t.lines.iter().filter(move |l| l.side == side)
}

/// Phrases folded once (for every line they are looked for in), with their written form; empty
/// ones match nothing and are dropped.
fn folded(phrases: &[String]) -> Vec<(String, &str)> {
    phrases.iter().map(|p| (fold(p.trim()), p.trim())).filter(|(f, _)| !f.is_empty()).collect()
}

/// The first of the folded `phrases` found in `text`, as written.
fn find<'p>(text: &str, phrases: &[(String, &'p str)]) -> Option<&'p str> {
    let text = fold(text);
    phrases.iter().find(|(f, _)| text.contains(f.as_str())).map(|(_, p)| *p)
}

/// Each line of `side` containing one of `phrases`: one hit per line, naming the phrase.
fn lines_with(t: &Transcript, side: Side, phrases: &[String]) -> Found {
    let phrases = folded(phrases);
    said(t, side).filter_map(|l| find(&l.text, &phrases).map(|p| (Some(l.id), format!("\"{p}\"")))).collect()
}

/// A phrase required among the agent's first (or last) `within` messages. An agent who wrote
/// nothing missed it too; the hit names the line where it was expected, if there is one.
fn required(t: &Transcript, phrases: &[String], within: u32, last: bool) -> Found {
    let agent: Vec<&Line> = said(t, Side::Agent).collect();
    let n = (within.max(1) as usize).min(agent.len());
    let window = if last { &agent[agent.len() - n..] } else { &agent[..n] };
    let phrases = folded(phrases);
    if window.iter().any(|l| find(&l.text, &phrases).is_some()) {
        return vec![];
    }
    let (at, which) = if last { (window.last(), "last") } else { (window.first(), "first") };
    vec![(at.map(|l| l.id), format!("none of the {which} {within} agent messages has it"))]
}

/// A time the customer waited for the agent.
struct Wait<'a> {
    /// Their first unanswered line.
    from: &'a Line,
    /// The agent line that ended it; none if the conversation closed first.
    answer: Option<&'a Line>,
    /// How long (s).
    secs: i64,
}

fn waits(t: &Transcript) -> Vec<Wait<'_>> {
    let mut out = Vec::new();
    let mut pending: Option<&Line> = None;
    for l in &t.lines {
        match (l.side, pending) {
            (Side::Customer, None) => pending = Some(l),
            (Side::Agent, Some(from)) => {
                out.push(Wait { from, answer: Some(l), secs: secs(l.at - from.at) });
                pending = None;
            }
            _ => {}
        }
    }
    if let Some(from) = pending {
        out.push(Wait { from, answer: None, secs: secs(t.closed_at - from.at) });
    }
    out
}

fn secs(ms: i64) -> i64 {
    ms.max(0) / 1000
}

fn first_response(t: &Transcript, limit: u32) -> Found {
    let first_customer = said(t, Side::Customer).next();
    let start = match (t.assigned_at, first_customer) {
        (Some(a), Some(c)) => a.max(c.at),
        (Some(a), None) => a,
        (None, Some(c)) => c.at,
        (None, None) => return vec![],
    };
    match said(t, Side::Agent).next() {
        Some(reply) if secs(reply.at - start) > i64::from(limit) => {
            vec![(Some(reply.id), format!("first reply after {} s (limit {limit} s)", secs(reply.at - start)))]
        }
        Some(_) => vec![],
        None => match first_customer {
            Some(c) => vec![(Some(c.id), "no reply at all".into())],
            None => vec![],
        },
    }
}

/// Replies after the first wait (the first is `first_response`'s).
fn slow_replies(t: &Transcript, limit: u32) -> Found {
    let Some(first_agent) = said(t, Side::Agent).next() else { return vec![] };
    waits(t)
        .into_iter()
        .filter_map(|w| Some((w.answer?, w.secs)))
        .filter(|(reply, waited)| reply.id != first_agent.id && *waited > i64::from(limit))
        .map(|(reply, waited)| (Some(reply.id), format!("reply after {waited} s (limit {limit} s)")))
        .collect()
}

fn silences(t: &Transcript, limit: u32) -> Found {
    waits(t)
        .into_iter()
        .filter(|w| w.secs >= i64::from(limit))
        .map(|w| {
            let how = if w.answer.is_some() { "" } else { ", never answered" };
            (Some(w.from.id), format!("customer waited {} s{how}", w.secs))
        })
        .collect()
}
