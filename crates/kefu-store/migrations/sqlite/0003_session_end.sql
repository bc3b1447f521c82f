-- A conversation taken back from an agent who can no longer serve it (disabled) waits at the
-- front of its line until someone accepts it; kept here so a restart keeps that place.
ALTER TABLE conversations ADD COLUMN returned_to_queue INTEGER NOT NULL DEFAULT 0;

-- A blocked visitor's tokens stop working, and a known customer's identity token cannot start a
-- new visitor session until a supervisor unblocks them.
ALTER TABLE visitors ADD COLUMN blocked_at INTEGER;
ALTER TABLE visitors ADD COLUMN blocked_reason TEXT;
ALTER TABLE visitors ADD COLUMN blocked_by INTEGER REFERENCES users(id);
