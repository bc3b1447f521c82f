-- Wrap-up codes (服务小结) an admin can reorder and disable. A disabled code is no longer offered
-- when closing, but conversations closed with it keep it. The PostgreSQL twin makes `disabled` a
-- BOOLEAN (a 0/1 flag here).
ALTER TABLE wrap_up_codes ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE wrap_up_codes ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
UPDATE wrap_up_codes SET position = id;
