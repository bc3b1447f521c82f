//! The conversation report's model (`report_contacts` with its wrap-ups, `report_wraps`) folded
//! from the whole fact log in memory and written in bulk: the start-up build and `kefu
//! rebuild-reports`. The fold is kefu-insight's `fold_log`, the one definition of the model:
//! `Tx::project_contact` follows it fact by fact (`contacts`, `contacts_wrap`) and `contacts_late`
//! folds again with it. Tests check a build equals the facts folded one by one.

use kefu_insight::{fold_log, Wrap};

use crate::contacts::ReportContactRow;
use crate::facts::FactRow;
use crate::routing_batch::value_rows;
use crate::{Result, Tx};

/// The model of `facts` (in the log's order): its rows and its wrap-ups.
fn fold_rows(facts: &[FactRow]) -> (Vec<ReportContactRow>, Vec<Wrap>) {
    let log = fold_log(facts.iter().map(|f| (f.at, &f.fact)));
    let rows = log.contacts.into_iter().map(ReportContactRow::from).collect();
    (rows, log.wraps)
}

impl Tx {
    /// Fill the emptied model with the fold of `facts` (the whole log, in its order).
    pub(crate) async fn fill_report_contacts(&mut self, facts: &[FactRow]) -> Result<()> {
        let (rows, wraps) = fold_rows(facts);
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
