-- The audit log of administrative changes (操作日志): who changed what, when, and the object
-- before and after (JSON, secrets left out by the server). Append-only: nothing updates or
-- deletes a row. `actor_id` is the user (NULL for an API key, then `api_key_id` is set).
CREATE TABLE admin_audit (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    api_key_id INTEGER,
    actor_name TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    summary TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX admin_audit_at ON admin_audit (at);
CREATE INDEX admin_audit_entity ON admin_audit (entity, entity_id);
