-- The agent state report's read model (twin of the SQLite migration).
CREATE TABLE agent_state_intervals (
    slot      BIGINT NOT NULL,
    agent_id  BIGINT NOT NULL,
    state     TEXT NOT NULL,
    reason    TEXT NOT NULL DEFAULT '',
    ms        BIGINT NOT NULL,
    PRIMARY KEY (slot, agent_id, state, reason)
);

CREATE TABLE agent_state_now (
    agent_id  BIGINT PRIMARY KEY,
    status    TEXT NOT NULL,
    reason    TEXT,
    serving   BIGINT NOT NULL DEFAULT 0,
    since     BIGINT NOT NULL
);

CREATE TABLE agent_state_serving (
    conversation_id  BIGINT PRIMARY KEY,
    agent_id         BIGINT NOT NULL
);

CREATE TABLE read_model_builds (
    name      TEXT PRIMARY KEY,
    built_at  BIGINT NOT NULL
);
