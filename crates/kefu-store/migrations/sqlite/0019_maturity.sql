-- The maturity assessment's self-assessment questionnaire: the organisation's answer to each
-- question (0 not at all .. 3 fully), for what Kefu's figures cannot show. Contact reasons need
-- no table: they are read from conversation_tags at report time.
CREATE TABLE maturity_answers (
    question     TEXT PRIMARY KEY,
    answer       INTEGER NOT NULL CHECK (answer BETWEEN 0 AND 3),
    answered_by  INTEGER REFERENCES users(id),
    answered_at  INTEGER NOT NULL
);
