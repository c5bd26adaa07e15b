-- +goose Up

-- A client's weekly scorecard (EOS "measurables"): numbers held against a
-- goal, at least (direction at_least) or at most (at_most). position is
-- the stable number people use; a removed measurable (removed_at set)
-- keeps its values for the history.
CREATE TABLE measurables (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    engagement_id BIGINT NOT NULL
        CONSTRAINT measurables_engagement_id_fkey REFERENCES engagements (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    name          TEXT NOT NULL,
    goal          DOUBLE PRECISION NOT NULL,
    direction     TEXT NOT NULL,
    unit          TEXT NOT NULL DEFAULT '',
    removed_at    TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    CONSTRAINT measurables_engagement_id_position_key UNIQUE (engagement_id, position),
    CONSTRAINT measurables_engagement_id_id_key UNIQUE (engagement_id, id)
);

-- A measurable's value for one week (the Monday of the client's week).
CREATE TABLE measurable_values (
    engagement_id BIGINT NOT NULL,
    measurable_id BIGINT NOT NULL,
    week          DATE NOT NULL,
    value         DOUBLE PRECISION NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (measurable_id, week),
    CONSTRAINT measurable_values_measurable_fkey FOREIGN KEY (engagement_id, measurable_id)
        REFERENCES measurables (engagement_id, id) ON DELETE CASCADE
);

CREATE INDEX measurable_values_engagement_id_week_idx ON measurable_values (engagement_id, week);

-- +goose Down
DROP TABLE measurable_values;
DROP TABLE measurables;
