-- Each step of an agent's state as the agent state model folds it (agent_states.rs): one row per
-- fact that moved the agent (a status change, an answer, a release of a conversation, or an answer
-- of a conversation the agent held already), with the agent's state after it and since when the
-- current state holds. A fact written late changes an agent's state only from its place to the
-- next fact that sets what it set (the agent's next status change, the conversation's next answer
-- or end): the writer re-folds the steps of that window from the step before it, and the
-- quarter hours by the difference, never the agent's whole history (agent_states/late.rs).
-- The server builds the agent state model again once at start-up to fill this table.
CREATE TABLE agent_state_steps (
    agent_id  INTEGER NOT NULL,
    at        INTEGER NOT NULL,
    -- The fact's id: with `at`, its place in the fold's order.
    fact_id   INTEGER NOT NULL,
    -- status, serve, release or again.
    step      TEXT NOT NULL,
    status    TEXT NOT NULL,
    reason    TEXT,
    serving   INTEGER NOT NULL,
    since     INTEGER NOT NULL,
    PRIMARY KEY (agent_id, at, fact_id)
) WITHOUT ROWID;
DELETE FROM read_model_builds WHERE name = 'agent_states';
