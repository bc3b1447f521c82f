//! Locks that make the late-fact checks of the report models (`contacts_late`, the agent state
//! model's `late`) safe when transactions run side by side (PostgreSQL), taken so that they
//! cannot deadlock.
//!
//! The checks ask, without locks, whether something related to a fact was already written
//! later: a fact of the same conversation, an arrival or close of the same customer, a status
//! change, answer or close of an agent who answered it. On PostgreSQL two transactions writing
//! related facts at nearly the same moment would each read before the other commits, so both
//! could judge themselves in time order and fold on top, out of order. So before the facts of a
//! transaction are written and folded, it takes transaction-scoped advisory locks
//! (`pg_advisory_xact_lock`, held until commit) on what their checks, folds and re-folds read:
//! their conversations, those conversations' customers, every agent who answered or closed one of
//! them, and the facts' own agents. Two related facts share at least one key, so the second waits
//! until the first commits; under READ COMMITTED its check, a later statement, then sees the first
//! fact and, if that one is later, re-folds.
//!
//! Why no deadlock: a transaction takes all these locks at once, at commit ([`Tx::commit`] writes
//! the facts recorded during the transaction, `facts.rs`), after all its other work, and in one
//! total order — `(namespace, key)` ascending, conversations first, then customers, then agents.
//! The customers and answerers are read after the conversations' locks (no other writer of those
//! conversations' facts is open then), and each key they add sorts after every conversation key,
//! so the order stays ascending. A transaction holding some of these keys therefore only ever
//! waits for a higher key or, once it holds them all, for the report models' rows, which no
//! transaction touches before it holds all its keys: no cycle of waits can form, whatever order
//! the caller recorded its facts in and whatever row locks (conversations, users) it took before.
//! Keys are `(namespace, id as i32)`: two ids that wrap to one key only wait for each other
//! needlessly. On SQLite the write gate already lets one writer in at a time.

use std::collections::{BTreeMap, BTreeSet};

use kefu_core::{Fact, FactKind};

use crate::routing_batch::id_list;
use crate::{Result, StoreError, Tx};

/// Advisory lock namespaces (first key of `pg_advisory_xact_lock(int4, int4)`), in lock order.
const CONVERSATION: i32 = 0x4b46_0c01;
const CUSTOMER: i32 = 0x4b46_0c02;
const AGENT: i32 = 0x4b46_0c03;

/// A lock key. The wrap to `i32` is deliberate: a shared key only makes two writers wait.
fn key(space: i32, id: i64) -> (i32, i32) {
    (space, id as i32)
}

/// Whether the report models fold `fact` (and their late checks read its kind). The others are
/// only written: they need no lock. No catch-all arm, so a new kind is decided here.
pub(crate) fn folded_by_reports(fact: &Fact) -> bool {
    match fact {
        Fact::Queued { .. }
        | Fact::Answered { .. }
        | Fact::Abandoned { .. }
        | Fact::Transferred { .. }
        | Fact::Requeued { .. }
        | Fact::Closed { .. }
        | Fact::AgentStatus { .. }
        | Fact::Csat { .. } => true,
        Fact::Offered { .. } | Fact::Overflowed { .. } | Fact::CallStarted { .. } | Fact::CallEnded { .. } => false,
    }
}

impl Tx {
    /// On PostgreSQL, lock what the report models read for `facts` (the folded facts of this
    /// transaction), all of them, and the conversations whose contact reasons it resyncs
    /// (`reasons`, `reasons_model`), in one total order (see the module's doc).
    pub(crate) async fn lock_for_contacts(&mut self, facts: &[(Fact, i64)], reasons: &BTreeSet<i64>) -> Result<()> {
        on_tx!(self, |db| {
            if !dialect::LOCKS_ROWS || (facts.is_empty() && reasons.is_empty()) {
                return Ok(());
            }
            let lock = |(space, id): (i32, i32)| sqlx::query("SELECT pg_advisory_xact_lock($1, $2)").bind(space).bind(id);
            let mut conversations: BTreeSet<i64> = facts.iter().filter_map(|(f, _)| f.conversation()).map(|c| c.0).collect();
            conversations.extend(reasons);
            for k in conversations.iter().map(|c| key(CONVERSATION, *c)).collect::<BTreeSet<_>>() {
                lock(k).execute(&mut *db).await?;
            }
            // Customers and agents: every key sorts after the conversations'.
            let mut rest: BTreeSet<(i32, i32)> = facts.iter().filter_map(|(f, _)| f.agent()).map(|a| key(AGENT, a.0)).collect();
            // A conversation this transaction queues has no model row yet: its fact names the customer.
            let queued: BTreeMap<i64, i64> = facts
                .iter()
                .filter_map(|(f, _)| match f {
                    Fact::Queued { conversation, customer, .. } => Some((conversation.0, *customer)),
                    _ => None,
                })
                .collect();
            rest.extend(queued.values().map(|c| key(CUSTOMER, *c)));
            if !conversations.is_empty() {
                let list = id_list(conversations.iter().copied());
                let customers: Vec<i64> =
                    sqlx::query_scalar(&format!("SELECT customer_id FROM report_contacts WHERE conversation_id IN ({list})"))
                        .fetch_all(&mut *db)
                        .await?;
                // Those who answered or closed them: whose wrap-ups and states their facts re-fold.
                let answerers: Vec<i64> = sqlx::query_scalar(&format!(
                    "SELECT DISTINCT agent_id FROM facts WHERE conversation_id IN ({list}) AND kind IN ($1, $2) AND agent_id IS NOT NULL"
                ))
                .bind(FactKind::Answered)
                .bind(FactKind::Closed)
                .fetch_all(&mut *db)
                .await?;
                rest.extend(customers.into_iter().map(|c| key(CUSTOMER, c)));
                rest.extend(answerers.into_iter().map(|a| key(AGENT, a)));
            }
            for k in rest {
                lock(k).execute(&mut *db).await?;
            }
            Ok::<(), StoreError>(())
        })
    }
}
