-- The local time (minutes after midnight) from which `checkin` answers
-- the next workday: 0 is the default (17:00), 1440 (24:00) is never.

-- +goose Up
ALTER TABLE people ADD COLUMN evening_time INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE people DROP COLUMN evening_time;
