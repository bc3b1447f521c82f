-- Workforce planning: interval history imported from an old system, per-group planning settings
-- (shrinkage, chat concurrency, service-level goal) and saved schedule suggestions (the contracts
-- they were made from are kept inside, as JSON: a schedule is a document the planner edits).
CREATE TABLE planning_history (
    group_id        INTEGER NOT NULL REFERENCES skill_groups(id) ON DELETE CASCADE,
    interval_start  INTEGER NOT NULL,
    offered         INTEGER NOT NULL,
    -- Mean handle time in seconds; NULL when the old system did not export it.
    aht_secs        REAL,
    PRIMARY KEY (group_id, interval_start)
);

CREATE TABLE planning_settings (
    group_id          INTEGER PRIMARY KEY REFERENCES skill_groups(id) ON DELETE CASCADE,
    shrinkage         REAL NOT NULL,
    concurrency       INTEGER NOT NULL,
    service_level     REAL NOT NULL,
    within_secs       INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

CREATE TABLE planning_schedules (
    id          INTEGER PRIMARY KEY,
    group_id    INTEGER NOT NULL REFERENCES skill_groups(id) ON DELETE CASCADE,
    starts_at   INTEGER NOT NULL,
    body        TEXT NOT NULL,
    created_by  INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX planning_schedules_group ON planning_schedules (group_id, id);
