-- Snapshot requests (calls/snapshots.rs): the agent's request and the visitor's upload may reach
-- different nodes of a cluster, so the open request is a row every node reads. `id`: random hex
-- (a visitor cannot answer a request it was not sent); `expires_at`: ms. Answering deletes it.
CREATE TABLE snapshot_requests (
    id              TEXT PRIMARY KEY,
    call_id         BIGINT NOT NULL REFERENCES calls(id),
    conversation_id BIGINT NOT NULL REFERENCES conversations(id),
    expires_at      BIGINT NOT NULL
);
CREATE INDEX snapshot_requests_by_call ON snapshot_requests (call_id);

-- The routing lease's fencing token (routing/cluster.rs): `epoch` grows by one each time a node
-- takes routing ownership, and every routing write checks in its own transaction that its
-- owner's epoch is still the current one, so an owner that stalled past its lease writes
-- nothing. One row, `name` 'routing', made by the first owner. A lone node never writes here.
CREATE TABLE routing_lease (
    name  TEXT PRIMARY KEY,
    epoch BIGINT NOT NULL
);
