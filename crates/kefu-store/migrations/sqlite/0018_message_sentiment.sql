-- Sentiment (情绪) of customer messages: each visitor text message's language and score, from
-- -1 (angry) to 1 (pleased), computed by kefu-sentiment when the message is stored and written in
-- the same transaction. Staff read it beside the message; visitors never do.
CREATE TABLE message_sentiments (
    message_id       INTEGER PRIMARY KEY REFERENCES messages (id),
    conversation_id  INTEGER NOT NULL REFERENCES conversations (id),
    lang             TEXT NOT NULL CHECK (lang IN ('zh', 'en')),
    score            REAL NOT NULL
);
CREATE INDEX message_sentiments_conversation ON message_sentiments (conversation_id);

-- One row per episode of a customer turning strongly negative: raised by the message that
-- crossed the line, cleared when the customer recovered or the conversation ended (NULL while
-- active). Supervisors get `sentiment.raised` / `sentiment.cleared` frames for them.
CREATE TABLE sentiment_alerts (
    id               INTEGER PRIMARY KEY,
    conversation_id  INTEGER NOT NULL REFERENCES conversations (id),
    message_id       INTEGER NOT NULL REFERENCES messages (id),
    score            REAL NOT NULL,
    trend            REAL NOT NULL,
    raised_at        INTEGER NOT NULL,
    cleared_at       INTEGER
);
CREATE INDEX sentiment_alerts_active ON sentiment_alerts (cleared_at, conversation_id);
