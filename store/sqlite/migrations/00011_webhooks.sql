-- Coaches' outbound webhooks and their outbox. See the PostgreSQL
-- migration of the same number for what each column means. (00010 is
-- another feature's.)

-- +goose Up
CREATE TABLE webhooks (
    id              INTEGER PRIMARY KEY,
    coach_id        INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    url             BLOB    NOT NULL,
    secret          BLOB    NOT NULL,
    events          TEXT    NOT NULL,
    disabled_at     INTEGER,
    disabled_reason TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX webhooks_coach_id ON webhooks (coach_id);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    client_id       INTEGER REFERENCES people (id) ON DELETE CASCADE,
    event_id        TEXT    NOT NULL,
    type            TEXT    NOT NULL,
    payload         BLOB    NOT NULL,
    due_at          INTEGER NOT NULL,
    lease_until     INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    state           TEXT    NOT NULL,
    last_error      TEXT    NOT NULL DEFAULT '',
    first_failed_at INTEGER,
    delivered_at    INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (due_at, id) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_client_id ON webhook_deliveries (client_id) WHERE client_id IS NOT NULL;

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
