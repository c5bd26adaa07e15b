-- Personal access tokens for the read-only HTTP API. Only the SHA-256 of
-- a token is kept (hash), with its first characters (prefix) by which its
-- person tells their tokens apart. A person's tokens go with them.

-- +goose Up
CREATE TABLE api_tokens (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id    BIGINT NOT NULL
        CONSTRAINT api_tokens_person_id_fkey REFERENCES people (id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    prefix       TEXT NOT NULL,
    hash         BYTEA NOT NULL CONSTRAINT api_tokens_hash_key UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);
CREATE INDEX api_tokens_person_id_idx ON api_tokens (person_id);

-- +goose Down
DROP TABLE api_tokens;
