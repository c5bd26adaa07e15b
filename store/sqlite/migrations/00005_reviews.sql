-- A client's quarterly review of one cycle (reviews), one per engagement
-- and cycle, and its lines (review_rocks): what becomes of each rock
-- (decision: done, carry or drop) and what the client learned from it, in
-- the order they were given.

-- +goose Up
CREATE TABLE reviews (
    id            INTEGER PRIMARY KEY,
    engagement_id INTEGER NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    cycle         INTEGER NOT NULL,
    win           TEXT    NOT NULL DEFAULT '',
    change        TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL,
    submitted_at  INTEGER,
    updated_at    INTEGER NOT NULL,
    UNIQUE (engagement_id, cycle)
);

CREATE TABLE review_rocks (
    review_id INTEGER NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    rock_id   INTEGER NOT NULL REFERENCES rocks (id) ON DELETE CASCADE,
    decision  TEXT    NOT NULL,
    learned   TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (review_id, position),
    UNIQUE (review_id, rock_id)
);

CREATE INDEX review_rocks_rock ON review_rocks (rock_id);

-- +goose Down
DROP TABLE review_rocks;
DROP TABLE reviews;
