-- +goose Up

-- A schedule is the scheduler's index of when a person's next delivery of
-- one kind is due. next_at is NULL when nothing is planned; period '' means
-- "recompute from next_at" (a mark).
CREATE TABLE schedules (
    person_id     BIGINT NOT NULL
        CONSTRAINT schedules_person_id_fkey REFERENCES people (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    engagement_id BIGINT -- NULL for a digest
        CONSTRAINT schedules_engagement_id_fkey REFERENCES engagements (id) ON DELETE CASCADE,
    next_at       TIMESTAMPTZ,
    period        TEXT NOT NULL DEFAULT '',
    suspended     TEXT NOT NULL DEFAULT '',
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (person_id, kind)
);

-- Planners take due schedules from this index only, so it stays as small
-- as the set of schedules that plan anything. There is deliberately no
-- index on engagement_id: every plan rewrites every schedule it takes, and
-- another index would cost each of those writes; the store finds an
-- engagement's schedules through the client (the primary key), and only
-- the cascade of a deleted engagement (a client deleting their data)
-- scans.
CREATE INDEX schedules_next_at_idx ON schedules (next_at) WHERE next_at IS NOT NULL;

-- Existing clients and coaches start marked, so the first plan computes
-- their schedules. now() is the migration transaction's start.
INSERT INTO schedules (person_id, kind, engagement_id, next_at, period, suspended, updated_at)
SELECT e.client_id, k.kind, e.id, now(), '', '', now()
FROM engagements e CROSS JOIN (VALUES ('daily'), ('weekly')) AS k (kind)
WHERE e.status IN ('invited', 'active', 'paused');

INSERT INTO schedules (person_id, kind, engagement_id, next_at, period, suspended, updated_at)
SELECT id, 'digest', NULL, now(), '', '', now()
FROM people
WHERE is_coach;

-- +goose Down
DROP TABLE schedules;
