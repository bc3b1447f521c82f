-- Wrap-up codes (服务小结) an admin can reorder and disable (twin of the SQLite migration).
ALTER TABLE wrap_up_codes ADD COLUMN position BIGINT NOT NULL DEFAULT 0;
ALTER TABLE wrap_up_codes ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE wrap_up_codes SET position = id;
