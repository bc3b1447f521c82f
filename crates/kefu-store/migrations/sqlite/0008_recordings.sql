-- Call recordings (issue 6). The policy: per skill group (always | on_demand | off), which a
-- business type may override (NULL: the group's). A call keeps the policy it started with and
-- its recording state (off | recording | paused), carried in `call.updated`.
ALTER TABLE skill_groups ADD COLUMN recording_policy TEXT NOT NULL DEFAULT 'off'
    CHECK (recording_policy IN ('always', 'on_demand', 'off'));
ALTER TABLE business_types ADD COLUMN recording_policy TEXT
    CHECK (recording_policy IN ('always', 'on_demand', 'off'));
ALTER TABLE calls ADD COLUMN recording_policy TEXT NOT NULL DEFAULT 'off'
    CHECK (recording_policy IN ('always', 'on_demand', 'off'));
ALTER TABLE calls ADD COLUMN recording TEXT NOT NULL DEFAULT 'off'
    CHECK (recording IN ('off', 'recording', 'paused'));

-- One row per participant file. `path` is relative to the recordings directory; `agent_id` is
-- the agent who served the call (who may fetch it besides supervisors and admins). The SHA-256
-- is computed when the file is finished (or, after a crash, as found at the next start).
CREATE TABLE recordings (
    id               INTEGER PRIMARY KEY,
    call_id          INTEGER NOT NULL REFERENCES calls(id),
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id),
    role             TEXT NOT NULL CHECK (role IN ('visitor', 'agent')),
    agent_id         INTEGER REFERENCES users(id),
    path             TEXT NOT NULL UNIQUE,
    status           TEXT NOT NULL CHECK (status IN ('recording', 'paused', 'finished', 'failed', 'interrupted')),
    started_at       INTEGER NOT NULL,
    ended_at         INTEGER,
    bytes            INTEGER,
    duration_ms      INTEGER,
    sha256           TEXT,
    error            TEXT
);
CREATE INDEX recordings_call ON recordings(call_id);
CREATE INDEX recordings_conversation ON recordings(conversation_id);
CREATE INDEX recordings_open ON recordings(status) WHERE status IN ('recording', 'paused');

-- Every download of a recording file: who and when.
CREATE TABLE recording_downloads (
    id            INTEGER PRIMARY KEY,
    recording_id  INTEGER NOT NULL REFERENCES recordings(id),
    user_id       INTEGER,
    api_key_id    INTEGER,
    at            INTEGER NOT NULL
);
CREATE INDEX recording_downloads_recording ON recording_downloads(recording_id);

-- After a recorded video call: one side-by-side MP4 of both files with a burned-in watermark
-- (time, agent, conversation), made with ffmpeg; its SHA-256 once finished.
CREATE TABLE call_compositions (
    call_id      INTEGER PRIMARY KEY REFERENCES calls(id),
    agent_id     INTEGER REFERENCES users(id),
    path         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('composing', 'finished', 'failed')),
    created_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    bytes        INTEGER,
    sha256       TEXT,
    error        TEXT
);
