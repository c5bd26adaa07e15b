-- Coaches' outbound webhooks and their outbox.

-- +goose Up
-- A coach's webhook. url and secret are sealed (store/seal); events is
-- the comma-separated event types it gets. A disabled one (disabled_at
-- set) gets nothing.
CREATE TABLE webhooks (
    id              BIGSERIAL PRIMARY KEY,
    coach_id        BIGINT NOT NULL
        CONSTRAINT webhooks_coach_id_fkey REFERENCES people (id) ON DELETE CASCADE,
    url             BYTEA NOT NULL,
    secret          BYTEA NOT NULL,
    events          TEXT NOT NULL,
    disabled_at     TIMESTAMPTZ,
    disabled_reason TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhooks_coach_id_idx ON webhooks (coach_id);

-- One event on its way to one webhook; event_id is the Standard Webhooks
-- webhook-id, unique per webhook. client_id is who the event is about: the
-- payload names them, so deleting them deletes it.
CREATE TABLE webhook_deliveries (
    id              BIGSERIAL PRIMARY KEY,
    webhook_id      BIGINT NOT NULL
        CONSTRAINT webhook_deliveries_webhook_id_fkey REFERENCES webhooks (id) ON DELETE CASCADE,
    client_id       BIGINT
        CONSTRAINT webhook_deliveries_client_id_fkey REFERENCES people (id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL,
    type            TEXT NOT NULL,
    payload         BYTEA NOT NULL,
    due_at          TIMESTAMPTZ NOT NULL,
    lease_until     TIMESTAMPTZ,
    attempts        INTEGER NOT NULL DEFAULT 0,
    state           TEXT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    first_failed_at TIMESTAMPTZ,
    delivered_at    TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    CONSTRAINT webhook_deliveries_webhook_id_event_id_key UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (due_at, id) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_client_id_idx ON webhook_deliveries (client_id) WHERE client_id IS NOT NULL;

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
