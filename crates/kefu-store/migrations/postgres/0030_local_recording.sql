-- Client-side recording (issue 6): the agent records a call in their own browser where the
-- deployment allows it (`client_recording`). The server is told when it starts and stops, so the
-- visitor sees the same notice as for the server's recording and the audit log has both ends.
ALTER TABLE calls ADD COLUMN local_recording BOOLEAN NOT NULL DEFAULT FALSE;
