//! Facts written late: a fact stamped before one already folded for the same agent or
//! conversation (clock skew between nodes, a retried write) cannot be folded on top of the model.
//!
//! What it changes is bounded. An agent's state is their declared status and the conversations
//! they hold. A late status change sets the status only until the agent's next status change;
//! a late answer or end of a conversation changes who holds it only until the conversation's
//! next answer or end. So the late fact edits the steps (`agent_state_steps`) of at most two
//! agents — whoever held the conversation just before it and whoever holds it after — at its
//! own place and at the conversation's next move. Each such agent is folded again from the step
//! before the first edit, over their stored steps with the edits in, until past the last edit
//! their state (and since when it holds) is again what it was: everything after is unchanged.
//! The quarter hours change by the difference between the stretches the new steps close and
//! those the old ones closed, in that window only; the agent's current state only when the
//! window reaches it. Nothing reads the agent's history before the window.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use kefu_core::{AgentStatusKind, FactKind};

use super::{Move, Step, StepRow, Sums, Tracker};
use crate::contacts_wrap::Place;
use crate::{Result, StoreError, Tx};

/// Steps of an agent read per statement while folding a window again.
const PAGE: i64 = 64;

/// The facts that move a conversation's holder.
const HOLDER_KINDS: [FactKind; 5] = [FactKind::Answered, FactKind::Transferred, FactKind::Requeued, FactKind::Closed, FactKind::Abandoned];

/// A stored step: at, fact id, step, and the tracker it left (status, reason, serving, since).
type StepColumns = (i64, i64, String, AgentStatusKind, Option<String>, i64, i64);

/// Edits to an agent's steps, in place order: a step put at a place, or the one there removed.
type Edits = Vec<(Place, Option<Step>)>;

fn tracker_of(r: &StepColumns) -> Tracker {
    Tracker { status: r.3, reason: r.4.clone(), serving: r.5, since: r.6, last_at: r.0 }
}

impl Tx {
    /// Fold late `m`, the fact at `place`, into the model: the steps it edits, then each edited
    /// agent's window (see the module's doc).
    pub(super) async fn refold_late(&mut self, m: Move, place: Place) -> Result<()> {
        let mut edits: BTreeMap<i64, Edits> = BTreeMap::new();
        let conversation = match &m {
            Move::Status { .. } => None,
            Move::Serve { conversation, .. } | Move::End { conversation } => Some(*conversation),
        };
        let Some(c) = conversation else {
            for (agent, step) in m.steps(None).0.into_iter().flatten() {
                edits.entry(agent).or_default().push((place, Some(step)));
            }
            for (agent, e) in edits {
                self.refold_steps(agent, &e, place.0).await?;
            }
            return Ok(());
        };
        // Who held the conversation just before: the answerer of its last move before this one.
        let before = self.holder_move(c, place, false).await?;
        let held = before.and_then(|(_, m)| match m {
            Move::Serve { agent, .. } => Some(agent),
            _ => None,
        });
        let (steps, holder) = m.steps(held);
        for (agent, step) in steps.into_iter().flatten() {
            edits.entry(agent).or_default().push((place, Some(step)));
        }
        match self.holder_move(c, place, true).await? {
            // The next move now finds `holder` where it found `held`: its steps may differ.
            Some((next, later)) if holder != held => {
                let old: Vec<(i64, Step)> = later.steps(held).0.into_iter().flatten().collect();
                let new: Vec<(i64, Step)> = later.steps(holder).0.into_iter().flatten().collect();
                let agents: BTreeSet<i64> = old.iter().chain(&new).map(|(a, _)| *a).collect();
                for a in agents {
                    let was = old.iter().find(|(x, _)| *x == a).map(|(_, s)| s.clone());
                    let is = new.iter().find(|(x, _)| *x == a).map(|(_, s)| s.clone());
                    if was != is {
                        edits.entry(a).or_default().push((next, is));
                    }
                }
            }
            Some(_) => {}
            // The last move of the conversation: it decides who holds it now.
            None => on_tx!(self, |db| {
                match holder {
                    Some(h) => {
                        sqlx::query(
                            "INSERT INTO agent_state_serving (conversation_id, agent_id) VALUES ($1, $2)
                             ON CONFLICT (conversation_id) DO UPDATE SET agent_id = excluded.agent_id",
                        )
                        .bind(c)
                        .bind(h)
                        .execute(&mut *db)
                        .await?;
                    }
                    None => {
                        sqlx::query("DELETE FROM agent_state_serving WHERE conversation_id = $1").bind(c).execute(&mut *db).await?;
                    }
                }
                Ok::<(), StoreError>(())
            })?,
        }
        for (agent, e) in edits {
            self.refold_steps(agent, &e, place.0).await?;
        }
        Ok(())
    }

    /// The conversation's move just before `place` (or just after, `after`), with its place.
    async fn holder_move(&mut self, conversation: i64, place: Place, after: bool) -> Result<Option<(Place, Move)>> {
        let marks: Vec<String> = (0..HOLDER_KINDS.len()).map(|i| format!("${}", i + 4)).collect();
        let (bound, order) =
            if after { ("at >= $2 AND (at > $2 OR id > $3)", "at, id") } else { ("at <= $2 AND (at < $2 OR id < $3)", "at DESC, id DESC") };
        let sql = format!(
            "SELECT at, id, kind, agent_id FROM facts WHERE conversation_id = $1 AND {bound} AND kind IN ({}) ORDER BY {order} LIMIT 1",
            marks.join(", ")
        );
        let row: Option<(i64, i64, FactKind, Option<i64>)> = on_tx!(self, |db| {
            let mut q = sqlx::query_as::<_, (i64, i64, FactKind, Option<i64>)>(&sql).bind(conversation).bind(place.0).bind(place.1);
            for k in HOLDER_KINDS {
                q = q.bind(k);
            }
            q.fetch_optional(&mut *db).await?
        });
        Ok(row.map(|(at, id, kind, agent)| {
            let m = match (kind, agent) {
                (FactKind::Answered, Some(agent)) => Move::Serve { conversation, agent },
                _ => Move::End { conversation },
            };
            ((at, id), m)
        }))
    }

    /// Fold `agent`'s steps again with `edits` in (in place order), from the step before the
    /// first edit until, past the last, their state is what it was; rewrite those steps, add the
    /// difference to the quarter hours, and their current state if the window reached it.
    /// `late_at`: the late fact's time (the latest fact folded for the agent is at least it, and
    /// at least the window's last step).
    async fn refold_steps(&mut self, agent: i64, edits: &[(Place, Option<Step>)], late_at: i64) -> Result<()> {
        let Some(first) = edits.first().map(|e| e.0) else { return Ok(()) };
        let before: Option<StepColumns> = on_tx!(self, |db| sqlx::query_as(
            "SELECT at, fact_id, step, status, reason, serving, since FROM agent_state_steps
             WHERE agent_id = $1 AND at <= $2 AND (at < $2 OR fact_id < $3) ORDER BY at DESC, fact_id DESC LIMIT 1"
        )
        .bind(agent)
        .bind(first.0)
        .bind(first.1)
        .fetch_optional(&mut *db)
        .await?);
        let mut old: Option<Tracker> = before.as_ref().map(tracker_of);
        let mut new = old.clone();
        let (mut closed_before, mut closed_now) = (Sums::new(), Sums::new());
        let mut rows: Vec<StepRow> = vec![];
        let mut pending: VecDeque<(Place, Option<Step>)> = edits.iter().cloned().collect();
        // The last place read from the stored steps, and the last place folded.
        let mut read: Place = (first.0, first.1 - 1);
        let mut last = first;
        let mut converged = false;
        'pages: loop {
            let page: Vec<StepColumns> = on_tx!(self, |db| sqlx::query_as(
                "SELECT at, fact_id, step, status, reason, serving, since FROM agent_state_steps
                 WHERE agent_id = $1 AND at >= $2 AND (at > $2 OR fact_id > $3) ORDER BY at, fact_id LIMIT $4"
            )
            .bind(agent)
            .bind(read.0)
            .bind(read.1)
            .bind(PAGE)
            .fetch_all(&mut *db)
            .await?);
            let end = (page.len() as i64) < PAGE;
            let mut page: VecDeque<StepColumns> = page.into();
            loop {
                let stored = page.front().map(|r| (r.0, r.1));
                let edit = pending.front().map(|e| e.0);
                let q = match (stored, edit) {
                    (Some(s), Some(e)) => s.min(e),
                    (Some(s), None) => s,
                    (None, Some(e)) if end => e,
                    (None, _) if end => break 'pages,
                    // More stored steps to read before the next edit's place is known to come first.
                    (None, _) => break,
                };
                let was = match stored {
                    Some(s) if s == q => {
                        read = q;
                        page.pop_front().and_then(|r| Step::of_word(&r.2, r.3, r.4))
                    }
                    _ => None,
                };
                let is = match edit {
                    Some(e) if e == q => pending.pop_front().and_then(|e| e.1),
                    _ => was.clone(),
                };
                if let Some(step) = &was {
                    old.get_or_insert_with(|| Tracker::offline(q.0)).step(agent, q.0, step, &mut closed_before);
                }
                if let Some(step) = &is {
                    let t = new.get_or_insert_with(|| Tracker::offline(q.0));
                    t.step(agent, q.0, step, &mut closed_now);
                    rows.push(StepRow { agent, place: q, step: step.clone(), after: t.clone() });
                }
                last = q;
                if pending.is_empty() && matches!((&old, &new), (Some(o), Some(n)) if o.same_as(n)) {
                    converged = true;
                    break 'pages;
                }
            }
        }
        // The difference in closed time, per quarter hour.
        let mut delta: Sums = closed_now;
        for (k, ms) in closed_before {
            *delta.entry(k).or_default() -= ms;
        }
        delta.retain(|_, ms| *ms != 0);
        let slots = delta.keys().map(|k| k.0).min().zip(delta.keys().map(|k| k.0).max());
        on_tx!(self, |db| {
            sqlx::query(
                "DELETE FROM agent_state_steps WHERE agent_id = $1 AND at >= $2 AND (at > $2 OR fact_id >= $3)
                 AND at <= $4 AND (at < $4 OR fact_id <= $5)",
            )
            .bind(agent)
            .bind(first.0)
            .bind(first.1)
            .bind(last.0)
            .bind(last.1)
            .execute(&mut *db)
            .await?;
            write_steps!(db, rows);
            write_sums!(db, delta);
            if let Some((from, to)) = slots {
                sqlx::query("DELETE FROM agent_state_intervals WHERE slot >= $1 AND slot <= $2 AND agent_id = $3 AND ms = 0")
                    .bind(from)
                    .bind(to)
                    .bind(agent)
                    .execute(&mut *db)
                    .await?;
            }
            if let (false, Some(t)) = (converged, &new) {
                save_tracker!(db, agent, t);
            }
            // The window may reach past the late fact (a conversation's next move): a fact stamped
            // before the window's end is late for this agent too.
            sqlx::query("UPDATE agent_state_now SET last_at = CASE WHEN last_at < $1 THEN $1 ELSE last_at END WHERE agent_id = $2")
                .bind(late_at.max(last.0))
                .bind(agent)
                .execute(&mut *db)
                .await?;
            Ok::<(), StoreError>(())
        })?;
        Ok(())
    }
}
