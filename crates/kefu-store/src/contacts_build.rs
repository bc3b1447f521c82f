//! The conversation report's model (`report_contacts` with its wrap-ups, `report_wraps`) folded
//! from the whole fact log in memory and written in bulk: the start-up build and `kefu
//! rebuild-reports`. The fold is the one `Tx::project_contact` makes fact by fact (`contacts`,
//! `contacts_wrap`), with the model's tables held in maps: the own columns by `contacts_late`'s
//! `fold_own` itself, a return by the customer's next arrival after a conversation ended, and a
//! wrap-up given to the conversation its agent closed last (a close of theirs after the
//! conversation was queued and answered). Tests check a build equals the facts folded one by one.

use std::collections::{BTreeMap, HashMap, HashSet};

use kefu_core::{AgentStatusKind, Fact};

use crate::contacts::ReportContactRow;
use crate::contacts_late::{fold_own, Own};
use crate::facts::FactRow;
use crate::routing_batch::value_rows;
use crate::{Result, Tx};

/// A `report_wraps` row.
struct WrapRow {
    agent: i64,
    started_at: i64,
    conversation: i64,
    ended_at: Option<i64>,
    replaced: bool,
}

/// The model of `facts` (in the log's order): its rows and its wrap-ups.
fn fold_log(facts: &[FactRow]) -> (Vec<ReportContactRow>, Vec<WrapRow>) {
    let mut own: BTreeMap<i64, Option<Own>> = BTreeMap::new();
    let mut returned: HashMap<i64, i64> = HashMap::new();
    let mut wrap_ms: HashMap<i64, i64> = HashMap::new();
    // Per customer, their conversations that ended and were not yet returned to.
    let mut waiting: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut ended: HashSet<i64> = HashSet::new();
    let mut queued: HashSet<i64> = HashSet::new();
    // Answered after being queued: a close of them counts for wrap-up.
    let mut answered: HashSet<i64> = HashSet::new();
    let mut closed_last: HashMap<i64, i64> = HashMap::new();
    let mut wraps: Vec<WrapRow> = vec![];
    let mut open: HashMap<i64, usize> = HashMap::new();
    for f in facts {
        let at = f.at;
        match &f.fact {
            Fact::AgentStatus { agent, from, to } => {
                let agent = agent.0;
                let begins = if to.status == AgentStatusKind::WrapUp { closed_last.get(&agent).copied() } else { None };
                if from.status != AgentStatusKind::WrapUp && begins.is_none() {
                    continue;
                }
                if let Some(i) = open.remove(&agent) {
                    let ends = from.status == AgentStatusKind::WrapUp;
                    let w = &mut wraps[i];
                    w.ended_at = Some(at);
                    w.replaced = !ends;
                    if ends {
                        *wrap_ms.entry(w.conversation).or_default() += (at - w.started_at).max(0);
                    }
                }
                if let Some(conversation) = begins {
                    wraps.push(WrapRow { agent, started_at: at, conversation, ended_at: None, replaced: false });
                    open.insert(agent, wraps.len() - 1);
                }
                continue;
            }
            Fact::Queued { conversation, customer, .. } => {
                for c in waiting.remove(customer).unwrap_or_default() {
                    returned.insert(c, at);
                }
                queued.insert(conversation.0);
            }
            Fact::Answered { conversation, .. } if queued.contains(&conversation.0) => {
                answered.insert(conversation.0);
            }
            Fact::Closed { conversation, agent: Some(agent), .. } if answered.contains(&conversation.0) => {
                closed_last.insert(agent.0, conversation.0);
            }
            _ => {}
        }
        let Some(c) = f.fact.conversation() else { continue };
        let row = own.entry(c.0).or_insert(None);
        fold_own(row, at, &f.fact);
        if let Some(o) = row {
            if o.ended_at.is_some() && !returned.contains_key(&c.0) && ended.insert(c.0) {
                waiting.entry(o.customer).or_default().push(c.0);
            }
        }
    }
    let rows = own
        .into_iter()
        .filter_map(|(c, o)| {
            let o = o?;
            Some(ReportContactRow {
                conversation_id: c,
                customer_id: o.customer,
                group_id: o.group,
                business_type_id: o.business_type,
                channel: o.channel,
                agent_id: o.agent,
                vip: o.vip,
                left_message: o.left_message,
                queued_at: o.queued_at,
                answered_at: o.answered_at,
                ended_at: o.ended_at,
                abandoned_after_ms: o.abandoned_after_ms,
                closed_by_agent: o.closed_by_agent,
                talk_ms: o.talk_ms,
                wrap_ms: wrap_ms.get(&c).copied().unwrap_or(0),
                transfers: o.transfers,
                csat: o.csat,
                messages: o.messages,
                returned_at: returned.get(&c).copied(),
            })
        })
        .collect();
    (rows, wraps)
}

impl Tx {
    /// Fill the emptied model with the fold of `facts` (the whole log, in its order).
    pub(crate) async fn fill_report_contacts(&mut self, facts: &[FactRow]) -> Result<()> {
        let (rows, wraps) = fold_log(facts);
        self.insert_contact_rows(&rows).await?;
        for chunk in wraps.chunks(500) {
            let sql = format!(
                "INSERT INTO report_wraps (agent_id, started_at, conversation_id, ended_at, replaced) VALUES {}",
                value_rows(chunk.len(), 5)
            );
            on_tx!(self, |db| {
                let mut q = sqlx::query(&sql);
                for w in chunk {
                    q = q.bind(w.agent).bind(w.started_at).bind(w.conversation).bind(w.ended_at).bind(w.replaced);
                }
                q.execute(&mut *db).await.map(|_| ())
            })?;
        }
        Ok(())
    }

    /// Insert model rows, five hundred per statement.
    pub(crate) async fn insert_contact_rows(&mut self, rows: &[ReportContactRow]) -> Result<()> {
        const COLUMNS: &str = "conversation_id, customer_id, group_id, business_type_id, channel, agent_id, vip, left_message, queued_at,
            answered_at, ended_at, abandoned_after_ms, closed_by_agent, talk_ms, wrap_ms, transfers, csat, messages, returned_at";
        for chunk in rows.chunks(500) {
            let sql = format!("INSERT INTO report_contacts ({COLUMNS}) VALUES {}", value_rows(chunk.len(), 19));
            on_tx!(self, |db| {
                let mut q = sqlx::query(&sql);
                for r in chunk {
                    q = q
                        .bind(r.conversation_id)
                        .bind(r.customer_id)
                        .bind(r.group_id)
                        .bind(r.business_type_id)
                        .bind(r.channel.as_str())
                        .bind(r.agent_id)
                        .bind(r.vip)
                        .bind(r.left_message)
                        .bind(r.queued_at)
                        .bind(r.answered_at)
                        .bind(r.ended_at)
                        .bind(r.abandoned_after_ms)
                        .bind(r.closed_by_agent)
                        .bind(r.talk_ms)
                        .bind(r.wrap_ms)
                        .bind(r.transfers)
                        .bind(r.csat)
                        .bind(r.messages)
                        .bind(r.returned_at);
                }
                q.execute(&mut *db).await.map(|_| ())
            })?;
        }
        Ok(())
    }
}
