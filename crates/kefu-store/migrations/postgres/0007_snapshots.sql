-- Snapshots: a still taken during a call, with the call that asked for it and its pixel size.
ALTER TABLE attachments ADD COLUMN snapshot_call_id BIGINT REFERENCES calls(id);
ALTER TABLE attachments ADD COLUMN width BIGINT;
ALTER TABLE attachments ADD COLUMN height BIGINT;
