//! Locks that make the late-fact check of the conversation report (`contacts_late`) safe when
//! transactions run side by side (PostgreSQL).
//!
//! The check asks, without locks, whether something related to a fact was already written later:
//! a fact of the same conversation, an arrival or close of the same customer, a status change,
//! answer or close of an agent who answered it. On PostgreSQL two transactions writing related
//! facts at nearly the same moment each read before the other commits, so both could judge
//! themselves in time order and fold on top, out of order. So before the check each fact takes
//! transaction-scoped advisory locks (`pg_advisory_xact_lock`, held until commit) on what its
//! check, fold and re-fold read: its conversation, then that conversation's customer, then,
//! lowest id first, every agent who answered it and the fact's own agent (a status change locks
//! its agent only). Two related facts share at least one key, so the second waits until the first
//! commits; under READ COMMITTED its check, a later statement, then sees the first fact and, if
//! that one is later, re-folds. The customer and the answerers are read after the conversation's
//! lock, when no other writer of that conversation's facts is still open. Keys are `(namespace,
//! id as i32)`: two ids that wrap to one key only wait for each other needlessly.
//!
//! Every fact takes its locks in the same order (conversation, customer, agents), and before
//! the agent state model's row locks on the same agents, so facts alone cannot deadlock one
//! another within this order. On SQLite the write gate already lets one writer in at a time.

use std::collections::BTreeSet;

use kefu_core::{Fact, FactKind};

use crate::{Result, StoreError, Tx};

/// Advisory lock namespaces (first key of `pg_advisory_xact_lock(int4, int4)`).
const CONVERSATION: i32 = 0x4b46_0c01;
const CUSTOMER: i32 = 0x4b46_0c02;
const AGENT: i32 = 0x4b46_0c03;

impl Tx {
    /// On PostgreSQL, lock what `fact`'s report projection reads (see the module's doc).
    pub(crate) async fn lock_for_contact(&mut self, fact: &Fact) -> Result<()> {
        on_tx!(self, |db| {
            if !dialect::LOCKS_ROWS {
                return Ok(());
            }
            let lock = |space: i32, id: i64| {
                // The wrap is deliberate: a shared key only makes two writers wait.
                sqlx::query("SELECT pg_advisory_xact_lock($1, $2)").bind(space).bind(id as i32)
            };
            let mut agents: BTreeSet<i64> = fact.agent().map(|a| a.0).into_iter().collect();
            if let Some(c) = fact.conversation() {
                lock(CONVERSATION, c.0).execute(&mut *db).await?;
                let customer: Option<i64> = match fact {
                    Fact::Queued { customer, .. } => Some(*customer),
                    _ => {
                        sqlx::query_scalar("SELECT customer_id FROM report_contacts WHERE conversation_id = $1")
                            .bind(c.0)
                            .fetch_optional(&mut *db)
                            .await?
                    }
                };
                if let Some(customer) = customer {
                    lock(CUSTOMER, customer).execute(&mut *db).await?;
                }
                let answerers: Vec<i64> = sqlx::query_scalar(
                    "SELECT DISTINCT agent_id FROM facts WHERE conversation_id = $1 AND kind = $2 AND agent_id IS NOT NULL",
                )
                .bind(c.0)
                .bind(FactKind::Answered)
                .fetch_all(&mut *db)
                .await?;
                agents.extend(answerers);
            }
            for a in agents {
                lock(AGENT, a).execute(&mut *db).await?;
            }
            Ok::<(), StoreError>(())
        })
    }
}
