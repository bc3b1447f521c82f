-- The weekly automatic QA sample: one row per ISO week drawn, written in the same transaction
-- as the week's qa_samples rows, so a week is drawn exactly once however many nodes run the
-- sampler and however often they restart.
CREATE TABLE qa_sample_weeks (
    -- ISO week in the organisation's time zone, e.g. '2026-W48'.
    week       TEXT PRIMARY KEY,
    percent    BIGINT NOT NULL,
    -- How many conversations the draw added to the queue.
    added      BIGINT NOT NULL,
    drawn_at   BIGINT NOT NULL
);
