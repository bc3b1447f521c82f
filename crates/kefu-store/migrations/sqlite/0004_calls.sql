-- Calls (issue 6): a video or voice call belongs to one conversation; at most one call per
-- conversation is not ended. Its changes are conversation events (`call.updated`).
CREATE TABLE calls (
    id               INTEGER PRIMARY KEY,
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id),
    media            TEXT NOT NULL CHECK (media IN ('video', 'voice')),
    status           TEXT NOT NULL CHECK (status IN ('ringing', 'active', 'ended')),
    started_by       TEXT NOT NULL CHECK (started_by IN ('visitor', 'agent')),
    started_at       INTEGER NOT NULL,
    answered_at      INTEGER,
    ended_at         INTEGER,
    end_reason       TEXT CHECK (end_reason IN ('hangup', 'declined', 'missed', 'failed', 'conversation_closed', 'server_restart'))
);
CREATE UNIQUE INDEX calls_one_open ON calls(conversation_id) WHERE status <> 'ended';
CREATE INDEX calls_open ON calls(status) WHERE status <> 'ended';
