-- The audit log of administrative changes (twin of the SQLite migration).
CREATE TABLE admin_audit (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id BIGINT REFERENCES users(id),
    api_key_id BIGINT,
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
