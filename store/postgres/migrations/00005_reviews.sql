-- +goose Up

-- A client's quarterly review of one cycle, one per engagement and cycle:
-- the quarter's biggest win and what to change next quarter.
CREATE TABLE reviews (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    engagement_id BIGINT NOT NULL
        CONSTRAINT reviews_engagement_id_fkey REFERENCES engagements (id) ON DELETE CASCADE,
    cycle         INTEGER NOT NULL,
    win           TEXT NOT NULL DEFAULT '',
    change        TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    submitted_at  TIMESTAMPTZ,
    updated_at    TIMESTAMPTZ NOT NULL,
    CONSTRAINT reviews_engagement_id_cycle_key UNIQUE (engagement_id, cycle)
);

-- review_rocks are a review's lines, in the order they were given: what
-- becomes of a rock of the review's engagement (decision: done, carry or
-- drop) and what the client learned from it.
CREATE TABLE review_rocks (
    review_id     BIGINT NOT NULL
        CONSTRAINT review_rocks_review_id_fkey REFERENCES reviews (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    engagement_id BIGINT NOT NULL,
    rock_id       BIGINT NOT NULL,
    decision      TEXT NOT NULL,
    learned       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (review_id, position),
    CONSTRAINT review_rocks_review_id_rock_id_key UNIQUE (review_id, rock_id),
    CONSTRAINT review_rocks_rock_fkey FOREIGN KEY (engagement_id, rock_id)
        REFERENCES rocks (engagement_id, id) ON DELETE CASCADE
);

CREATE INDEX review_rocks_rock_idx ON review_rocks (engagement_id, rock_id);

-- +goose Down
DROP TABLE review_rocks;
DROP TABLE reviews;
