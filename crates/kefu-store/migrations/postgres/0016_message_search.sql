-- Message search (搜索): each message's words, one row per (term, message). Terms are made by
-- the server (src/search/terms.rs: Chinese words by jieba plus every Chinese character, Latin
-- words lowercased), so both engines search the same way without a full-text extension. A
-- message's rows are written in the transaction that inserts it. Looked up by term only (messages
-- are never deleted), so the primary key is the one index.
CREATE TABLE message_terms (
    term             TEXT NOT NULL,
    message_id       BIGINT NOT NULL REFERENCES messages (id),
    conversation_id  BIGINT NOT NULL REFERENCES conversations (id),
    -- A search walks one term's rows in conversation order (newest first) and stops at a page.
    PRIMARY KEY (term, conversation_id, message_id)
);

-- Staff notes and whispers, the same way, searched by staff only (never tag timeline lines).
CREATE TABLE note_terms (
    term             TEXT NOT NULL,
    note_id          BIGINT NOT NULL REFERENCES conversation_notes (id),
    conversation_id  BIGINT NOT NULL REFERENCES conversations (id),
    PRIMARY KEY (term, conversation_id, note_id)
);

-- Messages and notes written before this migration are indexed at start-up
-- (Store::backfill_search), newest first, in batches, progress kept in the settings
-- `search.backfill_upto` and `search.backfill_notes_upto`. Nothing is inserted here:
-- `kefu migrate-store` needs a freshly migrated database to be empty.
