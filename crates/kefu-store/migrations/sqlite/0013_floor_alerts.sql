-- Floor alerts: each skill group's warning and critical levels for its line (waiting count,
-- longest wait, today's service level), and the alerts raised against them. A group without a
-- thresholds row uses the defaults of kefu-core's `Thresholds`. A level of 0 is switched off.
CREATE TABLE group_alert_thresholds (
    group_id                    INTEGER PRIMARY KEY REFERENCES skill_groups (id) ON DELETE CASCADE,
    waiting_warning             INTEGER NOT NULL,
    waiting_critical            INTEGER NOT NULL,
    longest_wait_warning_secs   INTEGER NOT NULL,
    longest_wait_critical_secs  INTEGER NOT NULL,
    service_level_warning_pct   INTEGER NOT NULL,
    service_level_critical_pct  INTEGER NOT NULL,
    updated_by                  INTEGER REFERENCES users (id),
    updated_at                  INTEGER NOT NULL
);

-- One row per alert episode of a group's metric: raised when the line crossed a level, its
-- worst level while it lasted, cleared when the line was healthy again (NULL while active).
CREATE TABLE floor_alerts (
    id           INTEGER PRIMARY KEY,
    group_id     INTEGER NOT NULL REFERENCES skill_groups (id) ON DELETE CASCADE,
    metric       TEXT NOT NULL CHECK (metric IN ('waiting', 'longest_wait', 'service_level')),
    level        TEXT NOT NULL CHECK (level IN ('warning', 'critical')),
    peak_level   TEXT NOT NULL CHECK (peak_level IN ('warning', 'critical')),
    value        INTEGER NOT NULL,
    threshold    INTEGER NOT NULL,
    raised_at    INTEGER NOT NULL,
    cleared_at   INTEGER
);
CREATE INDEX floor_alerts_raised ON floor_alerts (raised_at);
CREATE INDEX floor_alerts_active ON floor_alerts (cleared_at, group_id);
