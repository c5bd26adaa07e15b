-- Instants are INTEGER unix microseconds in UTC (NULL when unset), Dates are
-- TEXT YYYY-MM-DD ('' for no date), durations are INTEGER nanoseconds, and a
-- reference to a person or rock that may go away is NULL rather than 0.

-- +goose Up
CREATE TABLE installations (
    id          INTEGER PRIMARY KEY,
    platform    TEXT    NOT NULL,
    external_id TEXT    NOT NULL,
    name        TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL,
    bot_token   BLOB,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (platform, external_id)
);

CREATE TABLE people (
    id              INTEGER PRIMARY KEY,
    installation_id INTEGER NOT NULL REFERENCES installations (id) ON DELETE CASCADE,
    external_id     TEXT    NOT NULL,
    display_name    TEXT    NOT NULL DEFAULT '',
    time_zone       TEXT    NOT NULL DEFAULT '',
    is_coach        INTEGER NOT NULL DEFAULT 0,
    digest_channel  TEXT    NOT NULL DEFAULT '',
    digest_weekday  INTEGER NOT NULL DEFAULT 1,
    digest_time     INTEGER NOT NULL DEFAULT 420,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (installation_id, external_id)
);

-- coach_id becomes NULL when the coach deletes their data (DeletePerson
-- ends the engagement first); the client's deletion takes the engagement
-- and everything under it.
CREATE TABLE engagements (
    id             INTEGER PRIMARY KEY,
    coach_id       INTEGER REFERENCES people (id) ON DELETE SET NULL,
    client_id      INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    status         TEXT    NOT NULL,
    checkin_time   INTEGER NOT NULL,
    workdays       INTEGER NOT NULL,
    weekly_weekday INTEGER NOT NULL,
    weekly_time    INTEGER NOT NULL,
    reminder_delay INTEGER NOT NULL,
    cycle_start    TEXT    NOT NULL DEFAULT '',
    cycle_days     INTEGER NOT NULL,
    pause_from     TEXT    NOT NULL DEFAULT '',
    pause_to       TEXT    NOT NULL DEFAULT '',
    invited_at     INTEGER NOT NULL,
    accepted_at    INTEGER,
    ended_at       INTEGER,
    updated_at     INTEGER NOT NULL
);

-- A client has at most one live engagement.
CREATE UNIQUE INDEX engagements_live_client ON engagements (client_id)
    WHERE status IN ('invited', 'active', 'paused');
CREATE INDEX engagements_coach ON engagements (coach_id);

CREATE TABLE rocks (
    id            INTEGER PRIMARY KEY,
    engagement_id INTEGER NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    title         TEXT    NOT NULL,
    done_when     TEXT    NOT NULL DEFAULT '',
    due           TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL,
    progress      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (engagement_id, position)
);

CREATE TABLE rock_changes (
    id            INTEGER PRIMARY KEY,
    rock_id       INTEGER NOT NULL REFERENCES rocks (id) ON DELETE CASCADE,
    engagement_id INTEGER NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    by_person_id  INTEGER REFERENCES people (id) ON DELETE SET NULL,
    at            INTEGER NOT NULL,
    title         TEXT    NOT NULL,
    done_when     TEXT    NOT NULL DEFAULT '',
    due           TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL,
    progress      INTEGER NOT NULL DEFAULT 0,
    note          TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX rock_changes_engagement_at ON rock_changes (engagement_id, at, id);
CREATE INDEX rock_changes_rock ON rock_changes (rock_id);
CREATE INDEX rock_changes_by_person ON rock_changes (by_person_id);

CREATE TABLE check_ins (
    id               INTEGER PRIMARY KEY,
    engagement_id    INTEGER NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    day              TEXT    NOT NULL,
    moved            TEXT    NOT NULL DEFAULT '',
    priority         TEXT    NOT NULL DEFAULT '',
    priority_rock_id INTEGER REFERENCES rocks (id) ON DELETE SET NULL,
    stuck            TEXT    NOT NULL DEFAULT '',
    energy           INTEGER NOT NULL DEFAULT 0,
    status           TEXT    NOT NULL,
    submitted_at     INTEGER,
    updated_at       INTEGER NOT NULL,
    UNIQUE (engagement_id, day)
);

CREATE INDEX check_ins_priority_rock ON check_ins (priority_rock_id);

CREATE TABLE weekly_reports (
    id            INTEGER PRIMARY KEY,
    engagement_id INTEGER NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    week          TEXT    NOT NULL,
    win           TEXT    NOT NULL DEFAULT '',
    stuck         TEXT    NOT NULL DEFAULT '',
    ask           TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL,
    submitted_at  INTEGER,
    updated_at    INTEGER NOT NULL,
    UNIQUE (engagement_id, week)
);

CREATE TABLE weekly_rock_updates (
    report_id INTEGER NOT NULL REFERENCES weekly_reports (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    rock_id   INTEGER NOT NULL REFERENCES rocks (id) ON DELETE CASCADE,
    status    TEXT    NOT NULL,
    progress  INTEGER NOT NULL DEFAULT 0,
    note      TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (report_id, position),
    UNIQUE (report_id, rock_id)
);

CREATE INDEX weekly_rock_updates_rock ON weekly_rock_updates (rock_id);

CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    engagement_id INTEGER NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    day           TEXT    NOT NULL,
    notes         TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
);

CREATE INDEX sessions_engagement_day ON sessions (engagement_id, day, id);

CREATE TABLE deliveries (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    engagement_id INTEGER REFERENCES engagements (id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL,
    period        TEXT    NOT NULL,
    due_at        INTEGER NOT NULL,
    state         TEXT    NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT    NOT NULL DEFAULT '',
    lease_until   INTEGER,
    message_ref   TEXT    NOT NULL DEFAULT '',
    sent_at       INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (person_id, kind, period)
);

-- Senders claim pending deliveries by due time.
CREATE INDEX deliveries_pending_due ON deliveries (due_at, id) WHERE state = 'pending';
CREATE INDEX deliveries_engagement_due ON deliveries (engagement_id, due_at);
CREATE INDEX deliveries_person_kind_due ON deliveries (person_id, kind, due_at);

CREATE TABLE digests (
    id         INTEGER PRIMARY KEY,
    coach_id   INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    week       TEXT    NOT NULL,
    channel    TEXT    NOT NULL DEFAULT '',
    parent_ref TEXT    NOT NULL DEFAULT '',
    summary    TEXT    NOT NULL DEFAULT '',
    posted_at  INTEGER NOT NULL,
    UNIQUE (coach_id, week)
);

-- +goose Down
DROP TABLE digests;
DROP TABLE deliveries;
DROP TABLE sessions;
DROP TABLE weekly_rock_updates;
DROP TABLE weekly_reports;
DROP TABLE check_ins;
DROP TABLE rock_changes;
DROP TABLE rocks;
DROP TABLE engagements;
DROP TABLE people;
DROP TABLE installations;
