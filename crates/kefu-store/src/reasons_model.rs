//! The contact reasons report's read model (migration 0039): what each tag on a conversation
//! counts for (`report_reason_tags`, plus tag 0, "carries some tag", for the coverage) and their
//! sums per quarter hour of queueing, tag and group (`report_reasons`). Written here, read by
//! `reasons.rs`; it touches no other table.
//!
//! A tag's row depends on the tag (`conversation_tags`), the conversation report's model row
//! (`report_contacts`: when it queued, its group, business type, channel, CSAT, end) and the CSAT
//! comment (`conversations`), each of which may change later than the others: a tag added or
//! removed after the close, a fact written late. So nothing folds on top: at the commit of a
//! transaction that wrote a tag, a CSAT answer or a fact of a conversation, the conversation's
//! rows are compared with what they should be now ([`Tx::resync_reasons`]) and, if they differ,
//! the old rows leave the sums and the new ones enter. The model thus always equals a fold of
//! the current rows, whatever order they were written in.
//!
//! Concurrency (PostgreSQL): the resync runs at commit under the conversation's advisory lock
//! (`contacts_lock`), so two writers of one conversation take turns and the second reads the
//! first's rows; the sums are upserted in key order, so two commits never wait on each other's
//! sums crosswise. A build or a tag's deletion holds both tables in EXCLUSIVE mode; a resync
//! first takes ROW EXCLUSIVE on them, so it waits for either and then reads what they wrote.

use std::collections::{BTreeMap, BTreeSet};

use crate::routing_batch::{id_list, value_rows};
use crate::{Result, Store, StoreError, Tx};

/// The name of this read model in `read_model_builds`.
pub(crate) const MODEL: &str = "report_reasons";

/// The tag of a conversation's row that says it carries some tag (tag ids start at 1).
pub(crate) const ANY_TAG: i64 = 0;

/// Quarter hours: every report interval (15 min to a month, in any zone of today's tz database,
/// whose offsets are whole quarter hours) is made of whole ones.
const SLOT_MS: i64 = 900_000;

/// Conversations resynced per statement.
const CHUNK: usize = 500;

/// What one tag on one conversation counts for: a `report_reason_tags` row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Counted {
    conversation: i64,
    tag: i64,
    queued_at: i64,
    group: i64,
    /// 0: none.
    business_type: i64,
    channel: String,
    csat: Option<i64>,
    commented: bool,
    ended_at: Option<i64>,
}

type CountedColumns = (i64, i64, i64, i64, i64, String, Option<i64>, bool, Option<i64>);

impl Counted {
    fn of_columns((conversation, tag, queued_at, group, business_type, channel, csat, commented, ended_at): CountedColumns) -> Counted {
        Counted { conversation, tag, queued_at, group, business_type, channel, csat, commented, ended_at }
    }

    /// The `report_reasons` row it is summed into: (quarter hour, tag, group).
    fn cell(&self) -> (i64, i64, i64) {
        (self.queued_at.div_euclid(SLOT_MS) * SLOT_MS, self.tag, self.group)
    }
}

/// A `report_reasons` row's sums (or a change to them).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Sums {
    conversations: i64,
    csat_count: i64,
    csat_sum: i64,
    csat_good: i64,
    comments: i64,
}

impl Sums {
    fn add(&mut self, c: &Counted, sign: i64) {
        self.conversations += sign;
        if let Some(score) = c.csat {
            self.csat_count += sign;
            self.csat_sum += sign * score;
            self.csat_good += sign * i64::from(score >= 4);
        }
        self.comments += sign * i64::from(c.commented);
    }
}

type Cells = BTreeMap<(i64, i64, i64), Sums>;

/// The tags on conversations as they count now, joined with what the report needs of each
/// conversation; only conversations in the conversation report's model count.
const CURRENT: &str = "SELECT t.conversation_id, t.tag_id, r.queued_at, r.group_id, r.business_type_id, r.channel, r.csat, c.csat_comment,
      r.ended_at
    FROM conversation_tags t JOIN report_contacts r ON r.conversation_id = t.conversation_id
    LEFT JOIN conversations c ON c.id = t.conversation_id";

type CurrentColumns = (i64, i64, i64, i64, Option<i64>, String, Option<i64>, Option<String>, Option<i64>);

/// The rows the current tags make: one per tag, and one of [`ANY_TAG`] per tagged conversation.
/// A blank comment is no comment (as kefu-insight's report reads it).
fn counted_of(rows: Vec<CurrentColumns>) -> Vec<Counted> {
    let mut out = Vec::with_capacity(rows.len() * 2);
    let mut any: BTreeMap<i64, Counted> = BTreeMap::new();
    for (conversation, tag, queued_at, group, business_type, channel, csat, comment, ended_at) in rows {
        let commented = comment.is_some_and(|c| !c.trim().is_empty());
        let row =
            Counted { conversation, tag, queued_at, group, business_type: business_type.unwrap_or(0), channel, csat, commented, ended_at };
        any.entry(conversation).or_insert_with(|| Counted { tag: ANY_TAG, ..row.clone() });
        out.push(row);
    }
    out.extend(any.into_values());
    out
}

fn by_conversation(rows: Vec<Counted>) -> BTreeMap<i64, Vec<Counted>> {
    let mut out: BTreeMap<i64, Vec<Counted>> = BTreeMap::new();
    for r in rows {
        out.entry(r.conversation).or_default().push(r);
    }
    for rows in out.values_mut() {
        rows.sort();
    }
    out
}

impl Tx {
    /// Bring the model's rows of these conversations, and their sums, up to date with their
    /// tags, report rows and comments as this transaction sees them (see the module's doc).
    pub(crate) async fn resync_reasons(&mut self, conversations: &BTreeSet<i64>) -> Result<()> {
        if conversations.is_empty() {
            return Ok(());
        }
        on_tx!(self, |db| {
            if dialect::LOCKS_ROWS {
                sqlx::query("LOCK TABLE report_reason_tags, report_reasons IN ROW EXCLUSIVE MODE").execute(&mut *db).await?;
            }
            Ok::<(), StoreError>(())
        })?;
        let ids: Vec<i64> = conversations.iter().copied().collect();
        let mut cells = Cells::new();
        for chunk in ids.chunks(CHUNK) {
            let list = id_list(chunk.iter().copied());
            let (old, current): (Vec<CountedColumns>, Vec<CurrentColumns>) = on_tx!(self, |db| {
                let old = sqlx::query_as(&format!(
                    "SELECT conversation_id, tag_id, queued_at, group_id, business_type_id, channel, csat, commented, ended_at
                     FROM report_reason_tags WHERE conversation_id IN ({list})"
                ))
                .fetch_all(&mut *db)
                .await?;
                let current = sqlx::query_as(&format!("{CURRENT} WHERE t.conversation_id IN ({list})")).fetch_all(&mut *db).await?;
                Ok::<_, StoreError>((old, current))
            })?;
            let mut old = by_conversation(old.into_iter().map(Counted::of_columns).collect());
            let new = by_conversation(counted_of(current));
            let mut changed = vec![];
            let mut rows = vec![];
            for &c in chunk {
                let was = old.remove(&c).unwrap_or_default();
                let now = new.get(&c).cloned().unwrap_or_default();
                if was == now {
                    continue;
                }
                changed.push(c);
                for r in &was {
                    cells.entry(r.cell()).or_default().add(r, -1);
                }
                for r in &now {
                    cells.entry(r.cell()).or_default().add(r, 1);
                }
                rows.extend(now);
            }
            if !changed.is_empty() {
                let sql = format!("DELETE FROM report_reason_tags WHERE conversation_id IN ({})", id_list(changed));
                on_tx!(self, |db| sqlx::query(&sql).execute(&mut *db).await.map(|_| ()))?;
                self.insert_counted(&rows).await?;
            }
        }
        self.add_to_sums(cells).await
    }

    /// Throw the model away and fill it from the current tags: a build.
    pub(crate) async fn refill_reasons(&mut self) -> Result<usize> {
        let current: Vec<CurrentColumns> = on_tx!(self, |db| {
            sqlx::query("DELETE FROM report_reason_tags").execute(&mut *db).await?;
            sqlx::query("DELETE FROM report_reasons").execute(&mut *db).await?;
            sqlx::query_as(CURRENT).fetch_all(&mut *db).await
        })?;
        let rows = counted_of(current);
        let mut cells = Cells::new();
        for r in &rows {
            cells.entry(r.cell()).or_default().add(r, 1);
        }
        self.insert_counted(&rows).await?;
        self.add_to_sums(cells).await?;
        Ok(rows.len())
    }

    /// The model after the tag `tag` was taken off every conversation (its rows still say where
    /// it was): on PostgreSQL the tables are held until commit, then those conversations resynced.
    pub(crate) async fn resync_reasons_of_tag(&mut self, tag: i64) -> Result<()> {
        let conversations: BTreeSet<i64> = on_tx!(self, |db| {
            if dialect::LOCKS_ROWS {
                sqlx::query("LOCK TABLE report_reason_tags, report_reasons IN EXCLUSIVE MODE").execute(&mut *db).await?;
            }
            sqlx::query_scalar("SELECT conversation_id FROM report_reason_tags WHERE tag_id = $1").bind(tag).fetch_all(&mut *db).await
        })?
        .into_iter()
        .collect();
        self.resync_reasons(&conversations).await
    }

    async fn insert_counted(&mut self, rows: &[Counted]) -> Result<()> {
        for chunk in rows.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO report_reason_tags (conversation_id, tag_id, queued_at, group_id, business_type_id, channel, csat, commented,
                   ended_at) VALUES {}",
                value_rows(chunk.len(), 9)
            );
            on_tx!(self, |db| {
                let mut q = sqlx::query(&sql);
                for r in chunk {
                    q = q
                        .bind(r.conversation)
                        .bind(r.tag)
                        .bind(r.queued_at)
                        .bind(r.group)
                        .bind(r.business_type)
                        .bind(r.channel.as_str())
                        .bind(r.csat)
                        .bind(r.commented)
                        .bind(r.ended_at);
                }
                q.execute(&mut *db).await.map(|_| ())
            })?;
        }
        Ok(())
    }

    /// Add changes to the sums, in key order (two commits then never wait on each other's rows
    /// crosswise). A sum that reaches zero stays as a row of zeros.
    async fn add_to_sums(&mut self, cells: Cells) -> Result<()> {
        let cells: Vec<((i64, i64, i64), Sums)> = cells.into_iter().filter(|(_, s)| *s != Sums::default()).collect();
        for chunk in cells.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO report_reasons (slot, tag_id, group_id, conversations, csat_count, csat_sum, csat_good, comments) VALUES {}
                 ON CONFLICT (slot, tag_id, group_id) DO UPDATE SET conversations = report_reasons.conversations + excluded.conversations,
                   csat_count = report_reasons.csat_count + excluded.csat_count, csat_sum = report_reasons.csat_sum + excluded.csat_sum,
                   csat_good = report_reasons.csat_good + excluded.csat_good, comments = report_reasons.comments + excluded.comments",
                value_rows(chunk.len(), 8)
            );
            on_tx!(self, |db| {
                let mut q = sqlx::query(&sql);
                for ((slot, tag, group), s) in chunk {
                    q = q
                        .bind(slot)
                        .bind(tag)
                        .bind(group)
                        .bind(s.conversations)
                        .bind(s.csat_count)
                        .bind(s.csat_sum)
                        .bind(s.csat_good)
                        .bind(s.comments);
                }
                q.execute(&mut *db).await.map(|_| ())
            })?;
        }
        Ok(())
    }
}

impl Store {
    /// Build the model from the tags already there unless it was built before: run at start-up
    /// (nodes starting together build it once: the check, the build and its mark are one
    /// transaction holding the model's tables on PostgreSQL). True when it built.
    pub async fn build_report_reasons(&self, now: i64) -> Result<bool> {
        let mut tx = self.begin().await?;
        let built: Option<i64> = on_tx!(tx, |db| {
            if dialect::LOCKS_ROWS {
                sqlx::query("LOCK TABLE report_reason_tags, report_reasons IN EXCLUSIVE MODE").execute(&mut *db).await?;
            }
            sqlx::query_scalar(crate::agent_states::MODEL_BUILT_AT).bind(MODEL).fetch_optional(&mut *db).await?
        });
        if built.is_some() {
            return Ok(false);
        }
        tx.refill_reasons().await?;
        on_tx!(tx, |db| {
            sqlx::query(crate::agent_states::MARK_MODEL_BUILT).bind(MODEL).bind(now).execute(&mut *db).await?;
        });
        tx.commit().await?;
        Ok(true)
    }
}
