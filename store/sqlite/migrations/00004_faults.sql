-- How many parts of a message sent in several reached the platform before
-- a send failed part-way: a retry resumes after them.
--
-- Inbound events (a Slack event id, a Teams activity id, the hash of a
-- signed slash command or interaction) being handled or handled, so that a
-- platform's retry is handled exactly once. state is 'handling' (held until
-- expires_at: a crashed handler's claim runs out) or 'done' (kept until
-- expires_at).
--
-- Replicas alive (one, with SQLite; kept for the same contract).

-- +goose Up
ALTER TABLE deliveries ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0;

CREATE TABLE inbound_events (
    key        TEXT    PRIMARY KEY,
    state      TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE INDEX inbound_events_expires_at ON inbound_events (expires_at);

CREATE TABLE replicas (
    id         TEXT    PRIMARY KEY,
    expires_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE replicas;
DROP TABLE inbound_events;
ALTER TABLE deliveries DROP COLUMN parts_sent;
