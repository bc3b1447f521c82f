-- The contact reasons report's read model (issue 9). `report_reason_tags`: what each tag on a
-- conversation counts for now — one row per conversation and tag, plus tag 0 for "carries some
-- tag" (the coverage) — with the conversation's columns the report sums and filters by, as the
-- conversation report's model (`report_contacts`) and `conversations` hold them; business type 0
-- means none; `commented` when the CSAT comment is not blank. `report_reasons`: their sums per
-- quarter hour of queueing, tag and group. Both are brought up to date at the commit of any
-- transaction that writes a tag on a conversation or a fact of it (reasons_model.rs), built once
-- at start-up from the rows already there (`read_model_builds`, name 'report_reasons').
CREATE TABLE report_reason_tags (
    conversation_id   INTEGER NOT NULL,
    tag_id            INTEGER NOT NULL,
    queued_at         INTEGER NOT NULL,
    group_id          INTEGER NOT NULL,
    business_type_id  INTEGER NOT NULL,
    channel           TEXT NOT NULL,
    csat              INTEGER,
    commented         INTEGER NOT NULL,
    ended_at          INTEGER,
    PRIMARY KEY (conversation_id, tag_id)
);
CREATE INDEX report_reason_tags_queued ON report_reason_tags (queued_at);
CREATE INDEX report_reason_tags_commented ON report_reason_tags (commented, queued_at);
CREATE INDEX report_reason_tags_tag ON report_reason_tags (tag_id);
CREATE TABLE report_reasons (
    slot           INTEGER NOT NULL,
    tag_id         INTEGER NOT NULL,
    group_id       INTEGER NOT NULL,
    conversations  INTEGER NOT NULL,
    csat_count     INTEGER NOT NULL,
    csat_sum       INTEGER NOT NULL,
    csat_good      INTEGER NOT NULL,
    comments       INTEGER NOT NULL,
    PRIMARY KEY (slot, tag_id, group_id)
);
