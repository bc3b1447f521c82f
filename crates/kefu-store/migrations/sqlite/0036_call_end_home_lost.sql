-- A call whose media node died and whose two sides were not both back on the survivor that took
-- it over within `call_rejoin_secs` ends `home_lost`. SQLite cannot alter a CHECK, so `calls` is
-- rebuilt (https://www.sqlite.org/lang_altertable.html#otheralter, the 12 steps). Store::open runs
-- migrations with foreign keys OFF (PRAGMA foreign_keys is a no-op inside the transaction sqlx
-- wraps every SQLite migration in, and sqlx 0.8's SQLite driver ignores `-- no-transaction`): with
-- them on, DROP TABLE calls would delete its rows first and fail on the rows referencing them
-- (recordings, call_compositions, call_quality, snapshot_requests, attachments.snapshot_call_id).
-- Afterwards Store::open runs PRAGMA foreign_key_check. Ids are copied, so references hold; no
-- view or trigger names `calls`; its two partial indexes are created again.
CREATE TABLE calls_new (
    id               INTEGER PRIMARY KEY,
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id),
    media            TEXT NOT NULL CHECK (media IN ('video', 'voice')),
    status           TEXT NOT NULL CHECK (status IN ('ringing', 'active', 'ended')),
    started_by       TEXT NOT NULL CHECK (started_by IN ('visitor', 'agent')),
    started_at       INTEGER NOT NULL,
    answered_at      INTEGER,
    ended_at         INTEGER,
    end_reason       TEXT CHECK (end_reason IN ('hangup', 'declined', 'missed', 'failed', 'conversation_closed', 'server_restart', 'home_lost')),
    recording_policy TEXT NOT NULL DEFAULT 'off' CHECK (recording_policy IN ('always', 'on_demand', 'off')),
    recording        TEXT NOT NULL DEFAULT 'off' CHECK (recording IN ('off', 'recording', 'paused')),
    home_node        INTEGER,
    media_addr       TEXT,
    local_recording  INTEGER NOT NULL DEFAULT 0 CHECK (local_recording IN (0, 1))
);
INSERT INTO calls_new (id, conversation_id, media, status, started_by, started_at, answered_at, ended_at, end_reason,
                       recording_policy, recording, home_node, media_addr, local_recording)
    SELECT id, conversation_id, media, status, started_by, started_at, answered_at, ended_at, end_reason,
           recording_policy, recording, home_node, media_addr, local_recording
    FROM calls;
DROP TABLE calls;
ALTER TABLE calls_new RENAME TO calls;
CREATE UNIQUE INDEX calls_one_open ON calls(conversation_id) WHERE status <> 'ended';
CREATE INDEX calls_open ON calls(status) WHERE status <> 'ended';
