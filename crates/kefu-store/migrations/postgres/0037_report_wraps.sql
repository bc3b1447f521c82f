-- Each wrap-up of an agent and the conversation it is given to (the one that agent closed last
-- when it began, as kefu-insight's `contacts` fold gives it), open while `ended_at` is NULL; a
-- wrap-up ended by the start of another one (`replaced`) counts no time. The conversation
-- report's `wrap_ms` is the sum of its ended wrap-ups: a fact written late re-folds only the
-- wrap-ups it can change (contacts_wrap.rs), and a wrap-up stays with its conversation when
-- someone else holds it later. `report_contacts.wrap_started_at` is no longer used. The server
-- rebuilds the conversation report's model once at start-up to fill this table.
CREATE TABLE report_wraps (
    agent_id         BIGINT NOT NULL,
    started_at       BIGINT NOT NULL,
    conversation_id  BIGINT NOT NULL,
    ended_at         BIGINT,
    replaced         BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX report_wraps_agent ON report_wraps (agent_id, started_at);
CREATE INDEX report_wraps_conversation ON report_wraps (conversation_id);
