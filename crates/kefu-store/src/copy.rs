//! `kefu migrate-store`: copy a pilot's SQLite file into an empty PostgreSQL database, then prove
//! it arrived — the same row count and the same checksum per table on both sides.
//!
//! Both schemas are migrated first (so they match), the target must be empty, and the copy is one
//! PostgreSQL transaction: it lands whole or not at all. Column types come from the target's
//! catalogue, so a table added by a later migration is copied without code here, as long as it
//! is in [`TABLES`] (the copy refuses a target table it does not know, rather than skip it).

use std::path::Path;

use futures::stream::BoxStream;
use futures::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::{Executor, PgPool, Postgres, QueryBuilder, Row, SqlitePool};

use crate::{Pool, Result, Store, StoreError};

/// Every table, parents before children (foreign keys are checked row by row).
pub const TABLES: &[&str] = &[
    "users",
    "visitors",
    "sessions",
    "skill_groups",
    "group_members",
    "business_types",
    "wrap_up_codes",
    "conversations",
    "conversation_agents",
    "calls",
    "attachments",
    "messages",
    "conversation_events",
    "routing_log",
    "api_keys",
    "webhooks",
    "webhook_deliveries",
    "settings",
    "canned_responses",
    "recordings",
    "recording_downloads",
    "call_compositions",
    "composition_downloads",
    "call_quality",
    "conversation_notes",
    "notifications",
    "tags",
    "conversation_tags",
    "visitor_tags",
    "admin_audit",
    "qa_rules",
    "qa_reviewers",
    "qa_results",
    "qa_hits",
    "qa_forms",
    "qa_samples",
    "qa_sample_weeks",
    "qa_reviews",
    "qa_appeals",
    "message_terms",
    "note_terms",
    "group_alert_thresholds",
    "floor_alerts",
    "planning_history",
    "planning_settings",
    "planning_schedules",
    "facts",
    "report_exports",
    "report_contacts",
    "report_wraps",
    "report_reason_tags",
    "report_reasons",
    "agent_state_intervals",
    "agent_state_now",
    "agent_state_serving",
    "agent_state_steps",
    "read_model_builds",
    "message_sentiments",
    "sentiment_alerts",
    "maturity_answers",
    "rate_windows",
    "login_failures",
    "snapshot_requests",
    "routing_lease",
];

/// What arrived in one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    /// Table name.
    pub table: String,
    /// Rows in the source, and in the target after the copy.
    pub rows: u64,
    /// Order-independent checksum of the rows (hex), equal on both sides.
    pub checksum: String,
}

/// One column's value, typed by the target column.
#[derive(Debug, Clone)]
enum Value {
    Int(Option<i64>),
    Bool(Option<bool>),
    Text(Option<String>),
    Float(Option<f64>),
    Bytes(Option<Vec<u8>>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Bool,
    Text,
    Float,
    Bytes,
}

struct Column {
    name: String,
    kind: Kind,
}

/// Copy every table of the SQLite file `from` into the empty PostgreSQL database `to`, and
/// verify counts and checksums on both sides. Refused (`StoreError::Copy`) when the target holds any
/// row. Both databases are migrated to this version first (the SQLite file too: stop the server).
pub async fn copy_sqlite_to_postgres(from: &Path, to: &str) -> Result<Vec<TableCopy>> {
    if !from.is_file() {
        return Err(StoreError::Copy(format!("{} is not a SQLite file", from.display())));
    }
    let (Store { pool: Pool::Sqlite(src), .. }, Store { pool: Pool::Postgres(dst), .. }) =
        (Store::open(from).await?, Store::connect(to).await?)
    else {
        unreachable!("open gives SQLite, connect PostgreSQL");
    };
    let tables = target_tables(&dst).await?;
    for t in &tables {
        if !TABLES.contains(&t.as_str()) {
            return Err(StoreError::Copy(format!("table {t} is not in kefu-store's copy list (copy.rs TABLES)")));
        }
    }
    for t in TABLES {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {t}")).fetch_one(&dst).await?;
        if n > 0 {
            return Err(StoreError::Copy(format!("the target is not empty: {t} has {n} rows")));
        }
    }
    let mut copied = Vec::new();
    let mut tx = dst.begin().await?;
    for t in TABLES {
        let columns = columns(&dst, t).await?;
        let (rows, sum) = copy_table(&src, &mut tx, t, &columns).await?;
        copied.push(TableCopy { table: t.to_string(), rows, checksum: format!("{sum:032x}") });
    }
    tx.commit().await?;
    for c in &copied {
        let columns = columns(&dst, &c.table).await?;
        let sql = select(&c.table, &columns);
        let (rows, sum) = digest_table(sqlx::query(&sql).fetch(&dst), &columns).await?;
        if rows != c.rows || format!("{sum:032x}") != c.checksum {
            return Err(StoreError::Copy(format!(
                "{}: {} rows copied but {rows} found, checksum {} vs {sum:032x}",
                c.table, c.rows, c.checksum
            )));
        }
    }
    Ok(copied)
}

/// The target's tables (the schema in use), without sqlx's bookkeeping.
async fn target_tables(dst: &PgPool) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
          WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(dst)
    .await?)
}

async fn columns(dst: &PgPool, table: &str) -> Result<Vec<Column>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT column_name::text, data_type::text FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(dst)
    .await?;
    rows.into_iter()
        .map(|(name, ty)| {
            let kind = match ty.as_str() {
                "bigint" | "integer" | "smallint" => Kind::Int,
                "boolean" => Kind::Bool,
                "text" | "character varying" => Kind::Text,
                "double precision" | "real" => Kind::Float,
                "bytea" => Kind::Bytes,
                other => return Err(StoreError::Copy(format!("{table}.{name}: column type {other} cannot be copied yet"))),
            };
            Ok(Column { name, kind })
        })
        .collect()
}

/// The select list: every column, PostgreSQL's narrower types widened to what `Value` reads.
fn select(table: &str, columns: &[Column]) -> String {
    let list: Vec<String> = columns
        .iter()
        .map(|c| match c.kind {
            Kind::Int => format!("CAST({} AS BIGINT)", c.name),
            Kind::Float => format!("CAST({} AS DOUBLE PRECISION)", c.name),
            _ => c.name.clone(),
        })
        .collect();
    format!("SELECT {} FROM {table}", list.join(", "))
}

fn values<R: Row>(row: &R, columns: &[Column]) -> Result<Vec<Value>>
where
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<bool>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<f64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<Vec<u8>>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            Ok(match c.kind {
                Kind::Int => Value::Int(row.try_get(i)?),
                Kind::Bool => Value::Bool(row.try_get(i)?),
                Kind::Text => Value::Text(row.try_get(i)?),
                Kind::Float => Value::Float(row.try_get(i)?),
                Kind::Bytes => Value::Bytes(row.try_get(i)?),
            })
        })
        .collect()
}

/// A row's digest: SHA-256 of a canonical encoding (a flag counts as the 0/1 SQLite keeps), its
/// first 16 bytes as a number. A table's checksum is the wrapping sum: order does not matter.
fn row_digest(values: &[Value]) -> u128 {
    let mut h = Sha256::new();
    for v in values {
        match v {
            Value::Int(None) | Value::Bool(None) | Value::Text(None) | Value::Float(None) | Value::Bytes(None) => h.update(b"N"),
            Value::Int(Some(n)) => h.update(format!("I{n};")),
            Value::Bool(Some(b)) => h.update(format!("I{};", i64::from(*b))),
            Value::Text(Some(s)) => h.update(format!("T{}:{s}", s.len())),
            Value::Float(Some(f)) => h.update(format!("F{};", f.to_bits())),
            Value::Bytes(Some(b)) => {
                h.update(format!("B{}:", b.len()));
                h.update(b);
            }
        }
    }
    let d = h.finalize();
    let mut first = [0u8; 16];
    first.copy_from_slice(&d[..16]);
    u128::from_be_bytes(first)
}

async fn digest_table<R: Row>(mut rows: BoxStream<'_, sqlx::Result<R>>, columns: &[Column]) -> Result<(u64, u128)>
where
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<bool>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<f64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<Vec<u8>>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    let (mut n, mut sum) = (0u64, 0u128);
    while let Some(row) = rows.try_next().await? {
        sum = sum.wrapping_add(row_digest(&values(&row, columns)?));
        n += 1;
    }
    Ok((n, sum))
}

/// Copy one table in batches of multi-row INSERTs; a self-reference (a group overflowing to a
/// group) is written after every row of the table is there.
async fn copy_table(
    src: &SqlitePool,
    tx: &mut sqlx::Transaction<'static, Postgres>,
    table: &str,
    columns: &[Column],
) -> Result<(u64, u128)> {
    let late: Vec<String> = sqlx::query_scalar(
        "SELECT kcu.column_name::text FROM information_schema.table_constraints tc
           JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
           JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
          WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema() AND tc.table_name = $1 AND ccu.table_name = $1",
    )
    .bind(table)
    .fetch_all(&mut **tx)
    .await?;
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    let id_at = names.iter().position(|n| *n == "id");
    if !late.is_empty() && id_at.is_none() {
        return Err(StoreError::Copy(format!("{table} refers to itself but has no id column")));
    }
    let sql = select(table, columns);
    let mut rows = sqlx::query(&sql).fetch(src);
    // PostgreSQL takes at most 65,535 parameters per statement.
    let per_batch = (60_000 / columns.len().max(1)).max(1);
    let (mut n, mut sum) = (0u64, 0u128);
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(per_batch);
    let mut deferred: Vec<(Value, Vec<Value>)> = Vec::new();
    loop {
        let next = rows.try_next().await?;
        if let Some(row) = &next {
            let mut v = values(row, columns)?;
            sum = sum.wrapping_add(row_digest(&v));
            n += 1;
            if let Some(id) = id_at.filter(|_| !late.is_empty()) {
                let mut later = Vec::new();
                for col in &late {
                    let at = names.iter().position(|c| c == col).expect("a column of this table");
                    later.push(std::mem::replace(&mut v[at], Value::Int(None)));
                }
                deferred.push((v[id].clone(), later));
            }
            batch.push(v);
        }
        if batch.len() >= per_batch || (next.is_none() && !batch.is_empty()) {
            let mut qb: QueryBuilder<Postgres> = QueryBuilder::new(format!("INSERT INTO {table} ({}) ", names.join(", ")));
            qb.push_values(batch.drain(..), |mut b, row| {
                for v in row {
                    match v {
                        Value::Int(x) => b.push_bind(x),
                        Value::Bool(x) => b.push_bind(x),
                        Value::Text(x) => b.push_bind(x),
                        Value::Float(x) => b.push_bind(x),
                        Value::Bytes(x) => b.push_bind(x),
                    };
                }
            });
            qb.build().execute(&mut **tx).await?;
        }
        if next.is_none() {
            break;
        }
    }
    for (id, later) in deferred {
        let sets: Vec<String> = late.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 2)).collect();
        let sql = format!("UPDATE {table} SET {} WHERE id = $1", sets.join(", "));
        let mut q = sqlx::query(&sql);
        for v in std::iter::once(id).chain(later) {
            q = match v {
                Value::Int(x) => q.bind(x),
                Value::Bool(x) => q.bind(x),
                Value::Text(x) => q.bind(x),
                Value::Float(x) => q.bind(x),
                Value::Bytes(x) => q.bind(x),
            };
        }
        q.execute(&mut **tx).await?;
    }
    // Ids were copied as they were: new rows must continue after them.
    if id_at.is_some() {
        let seq: Option<String> = sqlx::query_scalar("SELECT pg_get_serial_sequence($1, 'id')").bind(table).fetch_one(&mut **tx).await?;
        if seq.is_some() {
            (&mut **tx)
                .execute(
                    format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}")
                        .as_str(),
                )
                .await?;
        }
    }
    Ok((n, sum))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flag_digests_like_the_integer_sqlite_keeps_and_order_of_columns_counts() {
        assert_eq!(row_digest(&[Value::Bool(Some(true))]), row_digest(&[Value::Int(Some(1))]));
        assert_ne!(row_digest(&[Value::Int(Some(1)), Value::Int(None)]), row_digest(&[Value::Int(None), Value::Int(Some(1))]));
        assert_ne!(
            row_digest(&[Value::Text(Some("ab".into())), Value::Text(Some("c".into()))]),
            row_digest(&[Value::Text(Some("a".into())), Value::Text(Some("bc".into()))])
        );
    }
}
