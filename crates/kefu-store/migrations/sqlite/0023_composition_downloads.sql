-- Every download (or playback) of a call's composed MP4: who and when, as for the participant
-- files in recording_downloads.
CREATE TABLE composition_downloads (
    id          INTEGER PRIMARY KEY,
    call_id     INTEGER NOT NULL REFERENCES call_compositions(call_id),
    user_id     INTEGER,
    api_key_id  INTEGER,
    at          INTEGER NOT NULL
);
CREATE INDEX composition_downloads_call ON composition_downloads(call_id);
