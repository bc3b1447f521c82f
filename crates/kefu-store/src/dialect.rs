//! What differs between the two engines, one module per backend with the same names. Shared
//! statements name `dialect::X` (bound by `on_pool!`/`on_tx!` to the backend at hand) and never
//! spell an engine's own syntax themselves.

/// SQLite: one writer at a time (the store's write gate), so no row locks are needed.
pub mod sqlite {
    /// The migrations, embedded at build time.
    pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
    /// Suffix of a read inside a write transaction whose rows the transaction decides on. The
    /// write gate already serialises writers.
    pub const FOR_UPDATE: &str = "";
    /// Suffix of a read that must stay true until commit (the gate again).
    pub const FOR_SHARE: &str = "";
    /// Whether a transaction must lock rows itself before a check-then-write (no: the gate).
    pub const LOCKS_ROWS: bool = false;
    /// Suffix of the outbox claim's inner select (the gate serialises claimers).
    pub const SKIP_LOCKED: &str = "";
    /// Whether webhook `w` (its `events` a JSON array of names) is subscribed to event `$1`.
    pub const WEBHOOK_WANTS_EVENT: &str = "EXISTS (SELECT 1 FROM json_each(w.events) e WHERE e.value = $1 OR e.value = '*')";
}

/// PostgreSQL: transactions run side by side; decisions lock their rows.
pub mod postgres {
    /// The migrations, embedded at build time.
    pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");
    /// Lock the rows read, until commit: another transaction deciding on them waits.
    pub const FOR_UPDATE: &str = " FOR UPDATE";
    /// Keep the rows read unchanged until commit; readers do not wait for each other.
    pub const FOR_SHARE: &str = " FOR SHARE";
    /// Whether a transaction must lock rows itself before a check-then-write.
    pub const LOCKS_ROWS: bool = true;
    /// Several nodes claim outbox rows at once: each takes rows nobody else holds.
    pub const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";
    /// Whether webhook `w` (its `events` a JSON array of names, stored as TEXT) is subscribed to `$1`.
    pub const WEBHOOK_WANTS_EVENT: &str =
        "EXISTS (SELECT 1 FROM jsonb_array_elements_text(w.events::jsonb) AS e(value) WHERE e.value = $1 OR e.value = '*')";
}
