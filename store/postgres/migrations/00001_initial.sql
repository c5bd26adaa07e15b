-- +goose Up

-- Instants are timestamptz (UTC by convention), days are DATE (NULL for "no
-- date"), local times of day are minutes after midnight, weekdays are
-- time.Weekday numbers (0 = Sunday), and a Weekdays set is its bit mask.

CREATE TABLE installations (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform    TEXT NOT NULL,
    external_id TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,
    bot_token   BYTEA, -- encrypted by the application; NULL when it comes from config
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT installations_platform_external_id_key UNIQUE (platform, external_id)
);

CREATE TABLE people (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    installation_id BIGINT NOT NULL
        CONSTRAINT people_installation_id_fkey REFERENCES installations (id),
    external_id     TEXT NOT NULL,
    display_name    TEXT NOT NULL DEFAULT '',
    time_zone       TEXT NOT NULL DEFAULT '',
    is_coach        BOOLEAN NOT NULL DEFAULT FALSE,
    digest_channel  TEXT NOT NULL DEFAULT '',
    digest_weekday  SMALLINT NOT NULL,
    digest_time     INTEGER NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    CONSTRAINT people_installation_id_external_id_key UNIQUE (installation_id, external_id)
);

CREATE INDEX people_coaches_idx ON people (id) WHERE is_coach;

-- A coach who deletes their data leaves their clients' engagements behind,
-- ended, with coach_id NULL; a client who deletes theirs takes them along.
CREATE TABLE engagements (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    coach_id          BIGINT
        CONSTRAINT engagements_coach_id_fkey REFERENCES people (id) ON DELETE SET NULL,
    client_id         BIGINT NOT NULL
        CONSTRAINT engagements_client_id_fkey REFERENCES people (id) ON DELETE CASCADE,
    status            TEXT NOT NULL,
    checkin_time      INTEGER NOT NULL,
    workdays          SMALLINT NOT NULL,
    weekly_weekday    SMALLINT NOT NULL,
    weekly_time       INTEGER NOT NULL,
    reminder_delay_ns BIGINT NOT NULL DEFAULT 0, -- a time.Duration; 0 = no reminder
    cycle_start       DATE,
    cycle_days        INTEGER NOT NULL,
    pause_from        DATE,
    pause_to          DATE,
    invited_at        TIMESTAMPTZ NOT NULL,
    accepted_at       TIMESTAMPTZ,
    ended_at          TIMESTAMPTZ,
    updated_at        TIMESTAMPTZ NOT NULL,
    -- last_rock_position numbers rocks so that a position is never reused.
    last_rock_position INTEGER NOT NULL DEFAULT 0
);

CREATE UNIQUE INDEX engagements_one_live_per_client
    ON engagements (client_id) WHERE status IN ('invited', 'active', 'paused');
CREATE INDEX engagements_coach_id_idx ON engagements (coach_id);

CREATE TABLE rocks (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    engagement_id BIGINT NOT NULL
        CONSTRAINT rocks_engagement_id_fkey REFERENCES engagements (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    title         TEXT NOT NULL,
    done_when     TEXT NOT NULL DEFAULT '',
    due           DATE,
    status        TEXT NOT NULL,
    progress      INTEGER NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    CONSTRAINT rocks_engagement_id_position_key UNIQUE (engagement_id, position),
    -- Target of the foreign keys that tie a rock reference to its engagement.
    CONSTRAINT rocks_engagement_id_id_key UNIQUE (engagement_id, id)
);

CREATE TABLE rock_changes (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rock_id       BIGINT NOT NULL
        CONSTRAINT rock_changes_rock_id_fkey REFERENCES rocks (id) ON DELETE CASCADE,
    engagement_id BIGINT NOT NULL
        CONSTRAINT rock_changes_engagement_id_fkey REFERENCES engagements (id) ON DELETE CASCADE,
    by_person_id  BIGINT
        CONSTRAINT rock_changes_by_person_id_fkey REFERENCES people (id) ON DELETE SET NULL,
    at            TIMESTAMPTZ NOT NULL,
    title         TEXT NOT NULL,
    done_when     TEXT NOT NULL DEFAULT '',
    due           DATE,
    status        TEXT NOT NULL,
    progress      INTEGER NOT NULL,
    note          TEXT NOT NULL DEFAULT ''
);

CREATE INDEX rock_changes_engagement_id_at_idx ON rock_changes (engagement_id, at, id);
CREATE INDEX rock_changes_rock_id_idx ON rock_changes (rock_id);
CREATE INDEX rock_changes_by_person_id_idx ON rock_changes (by_person_id);

-- Rocks are never deleted on their own (dropping one is a status), only with
-- their engagement, which takes the check-ins along; so the plain NO ACTION
-- on priority_rock_id never fires.
CREATE TABLE check_ins (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    engagement_id    BIGINT NOT NULL
        CONSTRAINT check_ins_engagement_id_fkey REFERENCES engagements (id) ON DELETE CASCADE,
    day              DATE NOT NULL,
    moved            TEXT NOT NULL DEFAULT '',
    priority         TEXT NOT NULL DEFAULT '',
    priority_rock_id BIGINT,
    stuck            TEXT NOT NULL DEFAULT '',
    energy           SMALLINT NOT NULL DEFAULT 0,
    status           TEXT NOT NULL,
    submitted_at     TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ NOT NULL,
    CONSTRAINT check_ins_engagement_id_day_key UNIQUE (engagement_id, day),
    CONSTRAINT check_ins_priority_rock_fkey FOREIGN KEY (engagement_id, priority_rock_id)
        REFERENCES rocks (engagement_id, id)
);

CREATE TABLE weekly_reports (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    engagement_id BIGINT NOT NULL
        CONSTRAINT weekly_reports_engagement_id_fkey REFERENCES engagements (id) ON DELETE CASCADE,
    week          DATE NOT NULL,
    win           TEXT NOT NULL DEFAULT '',
    stuck         TEXT NOT NULL DEFAULT '',
    ask           TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    submitted_at  TIMESTAMPTZ,
    updated_at    TIMESTAMPTZ NOT NULL,
    CONSTRAINT weekly_reports_engagement_id_week_key UNIQUE (engagement_id, week)
);

-- weekly_rock_updates are a report's lines, in the order they were given.
CREATE TABLE weekly_rock_updates (
    report_id     BIGINT NOT NULL
        CONSTRAINT weekly_rock_updates_report_id_fkey REFERENCES weekly_reports (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    engagement_id BIGINT NOT NULL,
    rock_id       BIGINT NOT NULL,
    status        TEXT NOT NULL,
    progress      INTEGER NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (report_id, position),
    CONSTRAINT weekly_rock_updates_rock_fkey FOREIGN KEY (engagement_id, rock_id)
        REFERENCES rocks (engagement_id, id) ON DELETE CASCADE
);

CREATE INDEX weekly_rock_updates_rock_idx ON weekly_rock_updates (engagement_id, rock_id);

CREATE TABLE sessions (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    engagement_id BIGINT NOT NULL
        CONSTRAINT sessions_engagement_id_fkey REFERENCES engagements (id) ON DELETE CASCADE,
    day           DATE NOT NULL,
    notes         TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE INDEX sessions_engagement_id_day_idx ON sessions (engagement_id, day, id);

CREATE TABLE deliveries (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id     BIGINT NOT NULL
        CONSTRAINT deliveries_person_id_fkey REFERENCES people (id) ON DELETE CASCADE,
    engagement_id BIGINT -- NULL for a digest
        CONSTRAINT deliveries_engagement_id_fkey REFERENCES engagements (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    period        TEXT NOT NULL,
    due_at        TIMESTAMPTZ NOT NULL,
    state         TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    lease_until   TIMESTAMPTZ,
    message_ref   TEXT NOT NULL DEFAULT '',
    sent_at       TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    CONSTRAINT deliveries_person_id_kind_period_key UNIQUE (person_id, kind, period)
);

-- Senders claim from this index only, so it stays as small as the backlog.
CREATE INDEX deliveries_pending_due_at_idx ON deliveries (due_at) WHERE state = 'pending';
CREATE INDEX deliveries_engagement_id_due_at_idx ON deliveries (engagement_id, due_at);
CREATE INDEX deliveries_person_id_kind_due_at_idx ON deliveries (person_id, kind, due_at);

CREATE TABLE digests (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    coach_id   BIGINT NOT NULL
        CONSTRAINT digests_coach_id_fkey REFERENCES people (id) ON DELETE CASCADE,
    week       DATE NOT NULL,
    channel    TEXT NOT NULL DEFAULT '',
    parent_ref TEXT NOT NULL DEFAULT '',
    summary    TEXT NOT NULL DEFAULT '',
    posted_at  TIMESTAMPTZ NOT NULL,
    CONSTRAINT digests_coach_id_week_key UNIQUE (coach_id, week)
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
