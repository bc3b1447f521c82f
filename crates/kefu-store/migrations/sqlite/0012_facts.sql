-- Facts: the append-only log of what happened (kefu-core's `Fact`), written in the transaction of
-- the change each one records, folded by reports (and later QA and forecasting) into their own
-- figures. Never updated, never read on the routing path. `data` is the fact as JSON (tagged by
-- kind); the id columns repeat what the report scans filter on.
CREATE TABLE facts (
    id               INTEGER PRIMARY KEY,
    at               INTEGER NOT NULL,
    kind             TEXT NOT NULL,
    conversation_id  INTEGER,
    agent_id         INTEGER,
    group_id         INTEGER,
    data             TEXT NOT NULL
);
-- A report is a range scan by time; an agent's status before the range is found by agent.
CREATE INDEX facts_at ON facts (at);
CREATE INDEX facts_agent_kind ON facts (agent_id, kind, at);
CREATE INDEX facts_conversation ON facts (conversation_id);

-- Each group's service-level target (answered within N seconds); NULL: the server's default.
ALTER TABLE skill_groups ADD COLUMN service_level_target_secs INTEGER;

-- Every report export: who took which figures out, when (the audit of exports).
CREATE TABLE report_exports (
    id          INTEGER PRIMARY KEY,
    -- The user who exported, or the API key (one of the two).
    user_id     INTEGER REFERENCES users (id),
    api_key_id  INTEGER REFERENCES api_keys (id),
    report      TEXT NOT NULL,
    format      TEXT NOT NULL,
    query       TEXT NOT NULL,
    rows        INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX report_exports_created ON report_exports (created_at);

-- The conversation report's read model: one row per conversation, kept by each fact's write in
-- the same transaction (kefu-store's contacts.rs), so a month's report reads 100,000 typed rows
-- instead of folding half a million facts. Its definitions are kefu-insight's `contacts` fold.
CREATE TABLE report_contacts (
    conversation_id     INTEGER PRIMARY KEY,
    customer_id         INTEGER NOT NULL,
    group_id            INTEGER NOT NULL,
    business_type_id    INTEGER,
    channel             TEXT NOT NULL,
    agent_id            INTEGER,
    vip                 INTEGER NOT NULL DEFAULT 0,
    left_message        INTEGER NOT NULL DEFAULT 0,
    queued_at           INTEGER NOT NULL,
    answered_at         INTEGER,
    ended_at            INTEGER,
    abandoned_after_ms  INTEGER,
    closed_by_agent     INTEGER NOT NULL DEFAULT 0,
    talk_ms             INTEGER NOT NULL DEFAULT 0,
    wrap_ms             INTEGER NOT NULL DEFAULT 0,
    -- While its closing agent is in wrap-up: since when.
    wrap_started_at     INTEGER,
    transfers           INTEGER NOT NULL DEFAULT 0,
    csat                INTEGER,
    messages            INTEGER,
    -- The customer's next conversation after this one closed (first-contact resolution).
    returned_at         INTEGER
);
CREATE INDEX report_contacts_queued ON report_contacts (queued_at);
CREATE INDEX report_contacts_customer ON report_contacts (customer_id, returned_at);
CREATE INDEX report_contacts_agent ON report_contacts (agent_id, ended_at);
