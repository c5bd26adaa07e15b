-- A client's weekly scorecard (EOS "measurables", measurables): numbers
-- held against a goal, at least (direction at_least) or at most
-- (at_most); position is the stable number people use, and a removed
-- measurable (removed_at set) keeps its values for the history. Each
-- measurable's value for one week (the Monday of the client's week) is a
-- row of measurable_values.

-- +goose Up
CREATE TABLE measurables (
    id            INTEGER PRIMARY KEY,
    engagement_id INTEGER NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    name          TEXT    NOT NULL,
    goal          REAL    NOT NULL,
    direction     TEXT    NOT NULL,
    unit          TEXT    NOT NULL DEFAULT '',
    removed_at    INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (engagement_id, position),
    UNIQUE (engagement_id, id)
);

CREATE TABLE measurable_values (
    engagement_id INTEGER NOT NULL,
    measurable_id INTEGER NOT NULL,
    week          TEXT    NOT NULL,
    value         REAL    NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (measurable_id, week),
    FOREIGN KEY (engagement_id, measurable_id) REFERENCES measurables (engagement_id, id) ON DELETE CASCADE
);

CREATE INDEX measurable_values_engagement_week ON measurable_values (engagement_id, week);

-- +goose Down
DROP TABLE measurable_values;
DROP TABLE measurables;
