-- Agent tools: internal notes (内部备注) with @mentions, per-user notifications, admin-managed
-- tags on conversations and customers, and a per-group reply target for the reply-wait colour.

-- Staff-only lines of a conversation: notes, a supervisor's whisper to the serving agent, and
-- the tag timeline. They take NO number of the conversation's event sequence (which visitors
-- resume by): `after_seq` is the conversation's last_seq when written, which places the line in
-- the transcript (after the message with that seq) and lets a staff socket's resume replay it.
CREATE TABLE conversation_notes (
    id               INTEGER PRIMARY KEY,
    conversation_id  INTEGER NOT NULL REFERENCES conversations (id),
    after_seq        INTEGER NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('note', 'whisper', 'tag_added', 'tag_removed')),
    author_id        INTEGER REFERENCES users (id),
    author_name      TEXT NOT NULL,
    body             TEXT NOT NULL,
    -- JSON array of the user ids the note @mentions.
    mentions         TEXT NOT NULL DEFAULT '[]',
    -- The tag a tag line is about (kept when the tag is deleted: the line says what it was).
    tag_id           INTEGER,
    created_at       INTEGER NOT NULL
);
CREATE INDEX conversation_notes_conversation ON conversation_notes (conversation_id, after_seq, id);

-- One row per person to tell: mentioned in a note, or whispered to by a supervisor.
CREATE TABLE notifications (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind             TEXT NOT NULL CHECK (kind IN ('mention', 'whisper')),
    conversation_id  INTEGER NOT NULL REFERENCES conversations (id),
    note_id          INTEGER NOT NULL REFERENCES conversation_notes (id),
    actor_name       TEXT NOT NULL,
    excerpt          TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    read_at          INTEGER
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_conversation ON notifications (conversation_id, user_id);

CREATE TABLE tags (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    color       TEXT NOT NULL,
    disabled    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE conversation_tags (
    conversation_id  INTEGER NOT NULL REFERENCES conversations (id),
    tag_id           INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    added_by         INTEGER REFERENCES users (id),
    added_at         INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, tag_id)
);

CREATE TABLE visitor_tags (
    visitor_id  INTEGER NOT NULL REFERENCES visitors (id),
    tag_id      INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    added_by    INTEGER REFERENCES users (id),
    added_at    INTEGER NOT NULL,
    PRIMARY KEY (visitor_id, tag_id)
);

-- How soon an agent should answer a customer's message in this group (the reply-wait colour).
ALTER TABLE skill_groups ADD COLUMN reply_target_secs INTEGER NOT NULL DEFAULT 60;

-- "My closed conversations": the agent's own, newest first.
CREATE INDEX conversations_agent_closed ON conversations (agent_id, closed_at, id);
