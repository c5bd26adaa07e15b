-- A schedule is the scheduler's index of when a person's next delivery of
-- one kind is due. next_at is NULL when nothing is planned; period '' means
-- "recompute from next_at" (a mark).

-- +goose Up
CREATE TABLE schedules (
    person_id     INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL,
    engagement_id INTEGER REFERENCES engagements (id) ON DELETE CASCADE, -- NULL for a digest
    next_at       INTEGER,
    period        TEXT    NOT NULL DEFAULT '',
    suspended     TEXT    NOT NULL DEFAULT '',
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (person_id, kind)
);

-- Planners take due schedules by next_at. As in PostgreSQL, engagement_id
-- has no index of its own: every plan rewrites the schedules it takes, and
-- the store finds an engagement's schedules through the client.
CREATE INDEX schedules_next_at ON schedules (next_at) WHERE next_at IS NOT NULL;

-- Existing clients and coaches start marked, so the first plan computes
-- their schedules. One statement, so every row gets the same 'now' (unix
-- microseconds, millisecond precision).
WITH now (us) AS (SELECT CAST(round(unixepoch('subsec') * 1000) AS INTEGER) * 1000)
INSERT INTO schedules (person_id, kind, engagement_id, next_at, period, suspended, updated_at)
SELECT e.client_id, k.kind, e.id, now.us, '', '', now.us
FROM engagements e, (SELECT 'daily' AS kind UNION ALL SELECT 'weekly') k, now
WHERE e.status IN ('invited', 'active', 'paused')
UNION ALL
SELECT p.id, 'digest', NULL, now.us, '', '', now.us
FROM people p, now
WHERE p.is_coach;

-- +goose Down
DROP TABLE schedules;
