-- A call whose media node died and whose two sides were not both back on the survivor that took
-- it over within `call_rejoin_secs` ends `home_lost`.
ALTER TABLE calls DROP CONSTRAINT calls_end_reason_check;
ALTER TABLE calls ADD CONSTRAINT calls_end_reason_check
    CHECK (end_reason IN ('hangup', 'declined', 'missed', 'failed', 'conversation_closed', 'server_restart', 'home_lost'));
