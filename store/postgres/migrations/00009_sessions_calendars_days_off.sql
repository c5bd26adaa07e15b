-- Sessions booked ahead and read from calendars, a coach's calendar, and
-- days off (public holidays, out of office).

-- +goose Up
-- The country whose public holidays skip a person's prompts ('' = their
-- zone's), whether holidays skip them at all, their e-mail address (to
-- match calendar attendees) and, for a coach, how many minutes before a
-- session its brief arrives (0 = the default, -1 = never).
ALTER TABLE people ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN holidays_off BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE people ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN brief_lead_minutes INTEGER NOT NULL DEFAULT 0;

-- Why a skipped delivery was not sent, in words a person reads.
ALTER TABLE deliveries ADD COLUMN skip_reason TEXT NOT NULL DEFAULT '';

-- A session's start and length (none for one logged by day), where it
-- came from, a calendar session's event id, and when it was cancelled.
ALTER TABLE sessions ADD COLUMN start_at TIMESTAMPTZ;
ALTER TABLE sessions ADD COLUMN minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN source TEXT NOT NULL DEFAULT 'logged';
ALTER TABLE sessions ADD COLUMN uid TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN cancelled_at TIMESTAMPTZ;
ALTER TABLE sessions ADD COLUMN updated_at TIMESTAMPTZ;
UPDATE sessions SET updated_at = created_at;
ALTER TABLE sessions ALTER COLUMN updated_at SET NOT NULL;
CREATE UNIQUE INDEX sessions_engagement_id_uid_key ON sessions (engagement_id, uid) WHERE uid <> '';
CREATE INDEX sessions_start_at_idx ON sessions (start_at) WHERE start_at IS NOT NULL;

-- A coach's connected calendar. url is sealed (store/seal); etag and
-- last_modified make the next fetch conditional; a replica claims a due
-- calendar by setting lease_until.
CREATE TABLE calendars (
    coach_id       BIGINT PRIMARY KEY
        CONSTRAINT calendars_coach_id_fkey REFERENCES people (id) ON DELETE CASCADE,
    url            BYTEA NOT NULL,
    etag           TEXT NOT NULL DEFAULT '',
    last_modified  TEXT NOT NULL DEFAULT '',
    next_fetch_at  TIMESTAMPTZ NOT NULL,
    lease_until    TIMESTAMPTZ,
    last_sync_at   TIMESTAMPTZ,
    failing_since  TIMESTAMPTZ,
    last_error     TEXT NOT NULL DEFAULT '',
    reported       BOOLEAN NOT NULL DEFAULT false,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX calendars_next_fetch_at_idx ON calendars (next_fetch_at);

-- +goose Down
DROP TABLE calendars;
DROP INDEX sessions_start_at_idx;
DROP INDEX sessions_engagement_id_uid_key;
ALTER TABLE sessions DROP COLUMN updated_at;
ALTER TABLE sessions DROP COLUMN cancelled_at;
ALTER TABLE sessions DROP COLUMN uid;
ALTER TABLE sessions DROP COLUMN source;
ALTER TABLE sessions DROP COLUMN minutes;
ALTER TABLE sessions DROP COLUMN start_at;
ALTER TABLE deliveries DROP COLUMN skip_reason;
ALTER TABLE people DROP COLUMN brief_lead_minutes;
ALTER TABLE people DROP COLUMN email;
ALTER TABLE people DROP COLUMN holidays_off;
ALTER TABLE people DROP COLUMN country;
