-- Kefu's spine: staff, skill groups, visitors, conversations with sequenced events, webhooks.
-- Times are integer milliseconds since the Unix epoch (UTC).

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
    password_hash   TEXT NOT NULL,
    capacity_chat   INTEGER NOT NULL DEFAULT 5,
    capacity_call   INTEGER NOT NULL DEFAULT 1,
    status          TEXT NOT NULL DEFAULT 'offline',
    away_reason     TEXT,
    wrap_up_until   INTEGER,
    enabled         INTEGER NOT NULL DEFAULT 1,
    created_at      INTEGER NOT NULL
);

CREATE TABLE visitors (
    id                  INTEGER PRIMARY KEY,
    external_id         TEXT UNIQUE,
    name                TEXT NOT NULL,
    vip_level           INTEGER NOT NULL DEFAULT 0,
    attributes          TEXT NOT NULL DEFAULT '{}',
    designated_agent_id INTEGER REFERENCES users(id),
    locale              TEXT,
    created_at          INTEGER NOT NULL
);

-- Bearer tokens of staff and visitors; only the SHA-256 of a token is kept.
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER REFERENCES users(id),
    visitor_id  INTEGER REFERENCES visitors(id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    revoked_at  INTEGER,
    CHECK ((user_id IS NULL) <> (visitor_id IS NULL))
);

CREATE TABLE skill_groups (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE,
    strategy             TEXT NOT NULL,
    fallback_strategy    TEXT NOT NULL,
    returning_by         TEXT NOT NULL DEFAULT 'last',
    hold_secs            INTEGER NOT NULL DEFAULT 30,
    offer_timeout_secs   INTEGER NOT NULL DEFAULT 30,
    max_missed_offers    INTEGER NOT NULL DEFAULT 2,
    overflow_after_secs  INTEGER,
    overflow_group_id    INTEGER REFERENCES skill_groups(id),
    wrap_up_secs         INTEGER NOT NULL DEFAULT 0,
    business_hours       TEXT,
    crm_url_template     TEXT,
    created_at           INTEGER NOT NULL
);

CREATE TABLE group_members (
    group_id     INTEGER NOT NULL REFERENCES skill_groups(id) ON DELETE CASCADE,
    agent_id     INTEGER NOT NULL REFERENCES users(id),
    skill_level  INTEGER NOT NULL CHECK (skill_level BETWEEN 1 AND 5),
    PRIMARY KEY (group_id, agent_id)
);

CREATE TABLE business_types (
    id               INTEGER PRIMARY KEY,
    name             TEXT NOT NULL UNIQUE,
    group_id         INTEGER NOT NULL REFERENCES skill_groups(id),
    min_skill_level  INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE wrap_up_codes (
    id     INTEGER PRIMARY KEY,
    code   TEXT NOT NULL UNIQUE,
    label  TEXT NOT NULL
);

CREATE TABLE conversations (
    id                INTEGER PRIMARY KEY,
    visitor_id        INTEGER NOT NULL REFERENCES visitors(id),
    group_id          INTEGER NOT NULL REFERENCES skill_groups(id),
    business_type_id  INTEGER REFERENCES business_types(id),
    channel           TEXT NOT NULL DEFAULT 'web',
    media             TEXT NOT NULL DEFAULT 'chat',
    status            TEXT NOT NULL CHECK (status IN ('queued', 'offered', 'assigned', 'closed')),
    agent_id          INTEGER REFERENCES users(id),
    offered_agent_id  INTEGER REFERENCES users(id),
    offer_expires_at  INTEGER,
    priority          INTEGER NOT NULL DEFAULT 0,
    min_skill_level   INTEGER NOT NULL DEFAULT 1,
    topic             TEXT,
    left_message      INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    queued_at         INTEGER NOT NULL,
    assigned_at       INTEGER,
    closed_at         INTEGER,
    abandoned         INTEGER NOT NULL DEFAULT 0,
    wrap_up_code      TEXT,
    wrap_up_note      TEXT,
    csat_score        INTEGER,
    csat_comment      TEXT,
    last_seq          INTEGER NOT NULL DEFAULT 0,
    visitor_read_seq  INTEGER NOT NULL DEFAULT 0,
    agent_read_seq    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX conversations_visitor ON conversations(visitor_id, created_at);
CREATE INDEX conversations_status ON conversations(status);
CREATE INDEX conversations_agent ON conversations(agent_id, status);

-- Every agent who served a conversation (for "returning customer" routing and agent access).
CREATE TABLE conversation_agents (
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id),
    agent_id         INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (conversation_id, agent_id)
);

CREATE TABLE attachments (
    id               INTEGER PRIMARY KEY,
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id),
    name             TEXT NOT NULL,
    mime             TEXT NOT NULL,
    size             INTEGER NOT NULL,
    sha256           TEXT NOT NULL,
    path             TEXT NOT NULL,
    created_at       INTEGER NOT NULL
);

CREATE TABLE messages (
    id               INTEGER PRIMARY KEY,
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id),
    seq              INTEGER NOT NULL,
    sender           TEXT NOT NULL CHECK (sender IN ('visitor', 'agent', 'system')),
    sender_id        INTEGER,
    sender_name      TEXT,
    kind             TEXT NOT NULL,
    body             TEXT NOT NULL,
    attachment_id    INTEGER REFERENCES attachments(id),
    client_id        TEXT,
    data             TEXT,
    created_at       INTEGER NOT NULL,
    UNIQUE (conversation_id, seq),
    UNIQUE (conversation_id, sender, client_id)
);

-- The sequenced event log of each conversation: what a reconnecting client replays.
CREATE TABLE conversation_events (
    conversation_id  INTEGER NOT NULL REFERENCES conversations(id),
    seq              INTEGER NOT NULL,
    type             TEXT NOT NULL,
    data             TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);

-- Every routing decision with its reason, for audit and reports.
CREATE TABLE routing_log (
    id               INTEGER PRIMARY KEY,
    at               INTEGER NOT NULL,
    kind             TEXT NOT NULL,
    conversation_id  INTEGER,
    agent_id         INTEGER,
    group_id         INTEGER,
    detail           TEXT NOT NULL
);

CREATE TABLE api_keys (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    prefix      TEXT NOT NULL,
    key_hash    TEXT NOT NULL UNIQUE,
    scopes      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);

CREATE TABLE webhooks (
    id          INTEGER PRIMARY KEY,
    url         TEXT NOT NULL,
    events      TEXT NOT NULL,
    secret      TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL
);

-- The outbox: written in the same transaction as the change it reports.
CREATE TABLE webhook_deliveries (
    id                INTEGER PRIMARY KEY,
    webhook_id        INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event             TEXT NOT NULL,
    payload           TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'pending',
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   INTEGER NOT NULL,
    last_status_code  INTEGER,
    last_error        TEXT,
    created_at        INTEGER NOT NULL,
    delivered_at      INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
