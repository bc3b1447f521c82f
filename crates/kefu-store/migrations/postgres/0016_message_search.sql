-- Message search (搜索): each message's words, one row per (term, message). Terms are made by
-- the server (src/search/terms.rs: Chinese words by jieba plus every Chinese character, Latin
-- words lowercased), so both engines search the same way without a full-text extension. A
-- message's rows are written in the transaction that inserts it.
CREATE TABLE message_terms (
    term             TEXT NOT NULL,
    message_id       BIGINT NOT NULL REFERENCES messages (id),
    conversation_id  BIGINT NOT NULL REFERENCES conversations (id),
    PRIMARY KEY (term, message_id)
);
CREATE INDEX message_terms_message ON message_terms (message_id);

-- Messages written before this migration are indexed at start-up, newest first, in batches:
-- the mark is the highest message id not yet indexed (0 when done), so a restart resumes.
INSERT INTO settings (key, value) SELECT 'search.backfill_upto', CAST(COALESCE(MAX(id), 0) AS TEXT) FROM messages;
