-- A rock's history in order: the digest reads each rock's last entry
-- before its window, and when its status last changed, by index probes
-- rather than by reading a year of history. It replaces the index on
-- rock_id alone (the foreign key's), which it covers.

-- +goose Up
CREATE INDEX rock_changes_rock_id_at_idx ON rock_changes (rock_id, at, id);
DROP INDEX rock_changes_rock_id_idx;

-- +goose Down
CREATE INDEX rock_changes_rock_id_idx ON rock_changes (rock_id);
DROP INDEX rock_changes_rock_id_at_idx;
