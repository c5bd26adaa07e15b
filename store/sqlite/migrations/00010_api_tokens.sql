-- Personal access tokens for the read-only HTTP API. See the PostgreSQL
-- migration of the same number for what each column means.

-- +goose Up
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL DEFAULT '',
    prefix       TEXT    NOT NULL,
    hash         BLOB    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_tokens_person_id ON api_tokens (person_id);

-- +goose Down
DROP TABLE api_tokens;
