-- A call's quality timeline: every few seconds, per participant (the visitor's and the agent's
-- media connection), what the media server measured: bitrates both ways, packet loss both
-- ways, round-trip time, and the video layer forwarded to that participant (its size and frame
-- rate). Agents and supervisors read it on the call's record; nothing on the media path waits
-- for it.
CREATE TABLE call_quality (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id),
    -- visitor | agent
    side TEXT NOT NULL,
    at INTEGER NOT NULL,
    bitrate_in_bps INTEGER NOT NULL,
    bitrate_out_bps INTEGER NOT NULL,
    loss_in REAL,
    loss_out REAL,
    rtt_ms INTEGER,
    estimate_bps INTEGER,
    video_rid TEXT,
    video_width INTEGER,
    video_height INTEGER,
    video_fps REAL,
    -- The simulcast layers the participant's camera arrived in, comma-separated (l,m,h).
    published_rids TEXT
);
CREATE INDEX call_quality_by_call ON call_quality (call_id, at);
