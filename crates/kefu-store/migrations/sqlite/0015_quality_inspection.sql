-- Quality inspection (质检): automatic rules and their results on every closed conversation,
-- the reviewers, scoring forms (评分表), the sampled work queue, reviews and appeals (申诉).

-- An automatic rule: `definition` is kefu_core::qa::Check as JSON ({"kind":"forbidden_words",...}).
CREATE TABLE qa_rules (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    definition TEXT NOT NULL,
    weight      INTEGER NOT NULL,
    -- Any hit puts the conversation in the reviewers' queue whatever its score.
    heavy       INTEGER NOT NULL DEFAULT 0,
    enabled     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Who may review: a permission of its own, granted by admins to any user (an agent or a
-- supervisor may be a reviewer); admins always may.
CREATE TABLE qa_reviewers (
    user_id   INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    added_at  INTEGER NOT NULL
);

-- The automatic score of a closed conversation (replaced by a re-run).
CREATE TABLE qa_results (
    conversation_id  INTEGER PRIMARY KEY REFERENCES conversations (id),
    agent_id         INTEGER NOT NULL REFERENCES users (id),
    score            INTEGER NOT NULL,
    heavy_hit        INTEGER NOT NULL DEFAULT 0,
    closed_at        INTEGER NOT NULL,
    scored_at        INTEGER NOT NULL
);
CREATE INDEX qa_results_closed ON qa_results (closed_at, agent_id);
CREATE INDEX qa_results_agent ON qa_results (agent_id, closed_at);

-- Its hits. The rule's name and weight are copied: a rule changed or deleted later does not
-- rewrite what was found.
CREATE TABLE qa_hits (
    id               INTEGER PRIMARY KEY,
    conversation_id  INTEGER NOT NULL REFERENCES qa_results (conversation_id) ON DELETE CASCADE,
    rule_id          INTEGER NOT NULL,
    rule_name        TEXT NOT NULL,
    weight           INTEGER NOT NULL,
    message_id       INTEGER,
    detail           TEXT NOT NULL
);
CREATE INDEX qa_hits_conversation ON qa_hits (conversation_id);

-- A scoring form: `items` is a JSON array of {label, weight, fatal}.
CREATE TABLE qa_forms (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    items       TEXT NOT NULL,
    enabled     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- The reviewers' work queue: sampled at random or flagged.
CREATE TABLE qa_samples (
    conversation_id  INTEGER PRIMARY KEY REFERENCES conversations (id),
    agent_id         INTEGER NOT NULL REFERENCES users (id),
    reason           TEXT NOT NULL CHECK (reason IN ('random', 'flagged')),
    added_at         INTEGER NOT NULL
);

-- One review per conversation. `items` and `line_comments` are JSON snapshots (the form may
-- change later; the review keeps what was scored).
CREATE TABLE qa_reviews (
    id               INTEGER PRIMARY KEY,
    conversation_id  INTEGER NOT NULL UNIQUE REFERENCES conversations (id),
    agent_id         INTEGER NOT NULL REFERENCES users (id),
    reviewer_id      INTEGER NOT NULL REFERENCES users (id),
    form_id          INTEGER NOT NULL,
    form_name        TEXT NOT NULL,
    items            TEXT NOT NULL,
    line_comments    TEXT NOT NULL DEFAULT '[]',
    comment          TEXT,
    score            INTEGER NOT NULL,
    fatal            INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL
);
CREATE INDEX qa_reviews_agent ON qa_reviews (agent_id, created_at);

-- The agent appeals a review once (the UNIQUE review_id); a supervisor decides.
CREATE TABLE qa_appeals (
    id          INTEGER PRIMARY KEY,
    review_id   INTEGER NOT NULL UNIQUE REFERENCES qa_reviews (id),
    agent_id    INTEGER NOT NULL REFERENCES users (id),
    reason      TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'rejected')),
    decided_by  INTEGER REFERENCES users (id),
    note        TEXT,
    new_score   INTEGER,
    created_at  INTEGER NOT NULL,
    decided_at  INTEGER
);
CREATE INDEX qa_appeals_status ON qa_appeals (status, created_at);
