-- The agent state report's read model (issue 9): each agent's time per quarter hour in each
-- state (ready, busy, wrap_up, away per reason), summed as status and conversation facts are
-- written, in the transaction of the fact (kefu-store's agent_states.rs). A month's report then
-- reads sums instead of folding every status change. Its definitions are kefu-insight's
-- `agents` fold; a test checks the two agree.
CREATE TABLE agent_state_intervals (
    -- Start of the quarter hour (ms): report intervals in any zone are made of whole ones.
    slot      INTEGER NOT NULL,
    agent_id  INTEGER NOT NULL,
    -- ready, busy, wrap_up or away.
    state     TEXT NOT NULL,
    -- The away reason ('' for none, and for the other states).
    reason    TEXT NOT NULL DEFAULT '',
    ms        INTEGER NOT NULL,
    PRIMARY KEY (slot, agent_id, state, reason)
) WITHOUT ROWID;

-- Where each agent stands now: declared status, how many conversations they hold, and since when
-- their current state (the open stretch the report counts up to its end) began.
CREATE TABLE agent_state_now (
    agent_id  INTEGER PRIMARY KEY,
    status    TEXT NOT NULL,
    reason    TEXT,
    serving   INTEGER NOT NULL DEFAULT 0,
    since     INTEGER NOT NULL
);

-- Who holds each conversation being served (what makes an agent busy).
CREATE TABLE agent_state_serving (
    conversation_id  INTEGER PRIMARY KEY,
    agent_id         INTEGER NOT NULL
);

-- Read models built from the fact log once (for facts written before the model existed), by name.
CREATE TABLE read_model_builds (
    name      TEXT PRIMARY KEY,
    built_at  INTEGER NOT NULL
);
