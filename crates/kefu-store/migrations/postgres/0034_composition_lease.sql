-- Composition jobs held by a node under a lease (issue 6): the node composing a call's MP4 renews
-- `lease_until` while ffmpeg runs; a job whose lease ran out (its node died) is claimed by one
-- node of the cluster, which composes it again. Rows from before have no lease: free to claim.
ALTER TABLE call_compositions ADD COLUMN claimed_by TEXT;
ALTER TABLE call_compositions ADD COLUMN lease_until BIGINT;
