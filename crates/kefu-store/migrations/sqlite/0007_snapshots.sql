-- Snapshots: a still the visitor's device took from its own camera at the agent's request
-- during a call. The attachment remembers which call asked for it and the size it was
-- captured at (read from the image itself), so both sides see what it is.
ALTER TABLE attachments ADD COLUMN snapshot_call_id INTEGER REFERENCES calls(id);
ALTER TABLE attachments ADD COLUMN width INTEGER;
ALTER TABLE attachments ADD COLUMN height INTEGER;
