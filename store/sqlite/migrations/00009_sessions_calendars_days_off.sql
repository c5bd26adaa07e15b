-- Sessions booked ahead and read from calendars, a coach's calendar, and
-- days off (public holidays, out of office). See the PostgreSQL
-- migration of the same number for what each column means. (00008 is a
-- PostgreSQL index only.)

-- +goose Up
ALTER TABLE people ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN holidays_off INTEGER NOT NULL DEFAULT 0;
ALTER TABLE people ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN brief_lead_minutes INTEGER NOT NULL DEFAULT 0;

ALTER TABLE deliveries ADD COLUMN skip_reason TEXT NOT NULL DEFAULT '';

ALTER TABLE sessions ADD COLUMN start_at INTEGER;
ALTER TABLE sessions ADD COLUMN minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN source TEXT NOT NULL DEFAULT 'logged';
ALTER TABLE sessions ADD COLUMN uid TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN cancelled_at INTEGER;
ALTER TABLE sessions ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET updated_at = created_at;
CREATE UNIQUE INDEX sessions_engagement_uid ON sessions (engagement_id, uid) WHERE uid <> '';
CREATE INDEX sessions_start_at ON sessions (start_at) WHERE start_at IS NOT NULL;

CREATE TABLE calendars (
    coach_id       INTEGER PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    url            BLOB    NOT NULL,
    etag           TEXT    NOT NULL DEFAULT '',
    last_modified  TEXT    NOT NULL DEFAULT '',
    next_fetch_at  INTEGER NOT NULL,
    lease_until    INTEGER,
    last_sync_at   INTEGER,
    failing_since  INTEGER,
    last_error     TEXT    NOT NULL DEFAULT '',
    reported       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX calendars_next_fetch_at ON calendars (next_fetch_at);

-- +goose Down
DROP TABLE calendars;
DROP INDEX sessions_start_at;
DROP INDEX sessions_engagement_uid;
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
