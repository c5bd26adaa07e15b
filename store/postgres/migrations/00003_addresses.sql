-- +goose Up

-- An address is how an adapter reaches a person or a channel outside a
-- request (for Teams, a conversation reference); data is opaque to the
-- store. A key 'person:<external_id>' belongs to that person of the
-- installation, which no foreign key can say: DeletePerson deletes it.
CREATE TABLE addresses (
    installation_id BIGINT NOT NULL
        CONSTRAINT addresses_installation_id_fkey REFERENCES installations (id) ON DELETE CASCADE,
    key             TEXT NOT NULL,
    data            BYTEA NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (installation_id, key)
);

-- +goose Down
DROP TABLE addresses;
