-- +goose Up

-- How many parts of a message sent in several reached the platform before
-- a send failed part-way: a retry resumes after them.
ALTER TABLE deliveries ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0;

-- Inbound events (a Slack event id, a Teams activity id, the hash of a
-- signed slash command or interaction) being handled or handled, so that a
-- platform's retry is handled exactly once across replicas, with or
-- without Redis. state is 'handling' (held until expires_at: a crashed
-- handler's claim runs out) or 'done' (kept until expires_at).
CREATE TABLE inbound_events (
    key        TEXT PRIMARY KEY,
    state      TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX inbound_events_expires_at_idx ON inbound_events (expires_at);

-- Replicas alive, so that each paces itself at its share of a workspace's
-- send rate while the shared limiter (Redis) is unreachable.
CREATE TABLE replicas (
    id         TEXT PRIMARY KEY,
    expires_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE replicas;
DROP TABLE inbound_events;
ALTER TABLE deliveries DROP COLUMN parts_sent;
