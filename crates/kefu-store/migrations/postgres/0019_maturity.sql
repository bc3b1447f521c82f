-- The maturity assessment's questionnaire answers (twin of the SQLite migration).
CREATE TABLE maturity_answers (
    question     TEXT PRIMARY KEY,
    answer       BIGINT NOT NULL CHECK (answer BETWEEN 0 AND 3),
    answered_by  BIGINT REFERENCES users(id),
    answered_at  BIGINT NOT NULL
);
