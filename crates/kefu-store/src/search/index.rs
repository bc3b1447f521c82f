//! Writing the search index: a message's or a staff note's terms in the transaction that stores
//! it, and the start-up backfill of rows stored before migration 0016.

use super::{terms, Source};
use crate::{Result, Store, Tx};

/// Terms per `INSERT` (three binds each, well under both engines' bind limits).
const TERMS_PER_INSERT: usize = 200;

impl Store {
    /// Index up to `batch` rows of `source` written before migration 0016, newest first; returns
    /// how many were read (0: done). Safe to run again, and on several nodes at once.
    pub async fn backfill_search_batch(&self, source: Source, batch: i64) -> Result<u64> {
        let key = source.backfill_key();
        if self.setting(key).await?.as_deref() == Some("0") {
            return Ok(0);
        }
        let mut tx = self.begin().await?;
        // No mark yet: the first start after migration 0016, before this process wrote a row.
        // Rows another node already indexed are skipped by the insert.
        let table = source.rows_table();
        let upto: i64 = on_tx!(tx, |db| {
            let mark: Option<String> =
                sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(&mut *db).await?;
            match mark {
                Some(v) => v.parse().unwrap_or(0),
                None => {
                    sqlx::query_scalar::<_, Option<i64>>(&format!("SELECT MAX(id) FROM {table}")).fetch_one(&mut *db).await?.unwrap_or(0)
                }
            }
        });
        let rows: Vec<(i64, i64, String, String)> = on_tx!(tx, |db| {
            sqlx::query_as(&format!("SELECT id, conversation_id, kind, body FROM {table} WHERE id <= $1 ORDER BY id DESC LIMIT $2"))
                .bind(upto)
                .bind(batch)
                .fetch_all(&mut *db)
                .await?
        });
        for (id, conversation, kind, body) in &rows {
            tx.index(source, *id, *conversation, kind, body).await?;
        }
        let next = if (rows.len() as i64) < batch { 0 } else { rows.last().map_or(0, |r| r.0 - 1) };
        on_tx!(tx, |db| {
            sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                .bind(key)
                .bind(next.to_string())
                .execute(&mut *db)
                .await?;
        });
        tx.commit().await?;
        Ok(rows.len() as u64)
    }

    /// Index every message and note written before migration 0016 (see
    /// [`Store::backfill_search_batch`]); returns how many rows were read.
    pub async fn backfill_search(&self) -> Result<u64> {
        let mut total = 0;
        for source in [Source::Messages, Source::Notes] {
            loop {
                let n = self.backfill_search_batch(source, 500).await?;
                if n == 0 {
                    break;
                }
                total += n;
            }
        }
        Ok(total)
    }
}

impl Tx {
    /// Write the terms of many rows of `source` just inserted, `(id, conversation, kind, body)`
    /// each, in one statement per `TERMS_PER_INSERT` terms (a batch of messages, not one each).
    pub(crate) async fn index_many(&mut self, source: Source, rows: &[(i64, i64, &str, &str)]) -> Result<()> {
        let terms: Vec<(String, i64, i64)> = rows
            .iter()
            .filter(|r| source.searches(r.2))
            .flat_map(|&(id, conversation, _, body)| terms::index_terms(body).into_iter().map(move |t| (t, id, conversation)))
            .collect();
        for chunk in terms.chunks(TERMS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO {} (term, {}, conversation_id) VALUES {} ON CONFLICT DO NOTHING",
                source.terms_table(),
                source.id_column(),
                crate::routing_batch::value_rows(chunk.len(), 3)
            );
            on_tx!(self, |db| {
                let mut q = sqlx::query(&sql);
                for (t, id, conversation) in chunk {
                    q = q.bind(t.as_str()).bind(*id).bind(*conversation);
                }
                q.execute(&mut *db).await?;
            });
        }
        Ok(())
    }

    /// Write the terms of a row of `source` just inserted, if its kind is searched.
    pub(crate) async fn index(&mut self, source: Source, id: i64, conversation_id: i64, kind: &str, body: &str) -> Result<()> {
        if !source.searches(kind) {
            return Ok(());
        }
        let terms = terms::index_terms(body);
        for chunk in terms.chunks(TERMS_PER_INSERT) {
            let values: Vec<String> = (0..chunk.len()).map(|i| format!("(${}, $1, $2)", i + 3)).collect();
            let sql = format!(
                "INSERT INTO {} (term, {}, conversation_id) VALUES {} ON CONFLICT DO NOTHING",
                source.terms_table(),
                source.id_column(),
                values.join(", ")
            );
            on_tx!(self, |db| {
                let mut q = sqlx::query(&sql).bind(id).bind(conversation_id);
                for t in chunk {
                    q = q.bind(t);
                }
                q.execute(&mut *db).await?;
            });
        }
        Ok(())
    }
}
