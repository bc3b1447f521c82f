-- A conversation taken back from an agent who can no longer serve it (disabled) waits at the
-- front of its line until someone accepts it; kept here so a restart keeps that place.
ALTER TABLE conversations ADD COLUMN returned_to_queue BOOLEAN NOT NULL DEFAULT FALSE;

-- A blocked visitor's tokens stop working, and a known customer's identity token cannot start a
-- new visitor session until a supervisor unblocks them.
ALTER TABLE visitors ADD COLUMN blocked_at BIGINT;
ALTER TABLE visitors ADD COLUMN blocked_reason TEXT;
ALTER TABLE visitors ADD COLUMN blocked_by BIGINT REFERENCES users(id);
