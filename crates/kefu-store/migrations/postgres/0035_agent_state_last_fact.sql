-- The agent state read model folds facts as they are written; a fact written late (stamped before
-- one already folded for the same agent: clock skew between nodes, a retried write) must not fold
-- out of order. `last_at` is the time of the latest fact folded into the agent's stretches; a fact
-- stamped before it makes the writer re-fold the agent from the fact log (agent_states/late.rs).
ALTER TABLE agent_state_now ADD COLUMN last_at BIGINT NOT NULL DEFAULT 0;
UPDATE agent_state_now SET last_at = since;
