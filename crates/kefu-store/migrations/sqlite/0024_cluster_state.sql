-- Rate limits shared by the nodes of a cluster (nats_url): one counter per limit, key and window
-- instead of one per process, so three nodes allow the configured total, not three times it.
-- A lone node keeps its limits in memory and never writes here.
-- `window_start`: ms, a multiple of the limit's period; `n`: requests counted in it (nodes take
-- them in small chunks).
CREATE TABLE rate_windows (
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (bucket, key, window_start)
);

-- Failed logins per address (`ip:…`) and per account (`account:…`): `n` failures at `at` (ms).
CREATE TABLE login_failures (
    key TEXT NOT NULL,
    at INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (key, at)
);

-- Calls across nodes: the node whose SFU holds the call's room (its id, a random number each
-- node draws at start and holds a PostgreSQL advisory lock on while it lives) and that SFU's
-- media address. Both NULL until a socket joins the call's media.
ALTER TABLE calls ADD COLUMN home_node INTEGER;
ALTER TABLE calls ADD COLUMN media_addr TEXT;
