package postgres

import (
	"context"
	"fmt"

	"github.com/smart90/smart90/bot"
)

// PutAddress implements bot.AddressStore. It inserts from the installation
// row rather than from values, so a missing installation is no row,
// ENOTFOUND, as for a person's installation, instead of a foreign-key
// violation. A nil Data is stored as empty: the data is opaque, never
// absent.
func (db *DB) PutAddress(ctx context.Context, a *bot.Address) error {
	if err := a.Validate(); err != nil {
		return err
	}
	data := a.Data
	if data == nil {
		data = []byte{}
	}
	err := db.pool.QueryRow(ctx, `
		INSERT INTO addresses (installation_id, key, data, updated_at)
		SELECT id, $2, $3, $4 FROM installations WHERE id = $1
		ON CONFLICT (installation_id, key) DO UPDATE
		SET data = excluded.data, updated_at = excluded.updated_at
		RETURNING updated_at`,
		a.InstallationID, a.Key, data, db.orNow(a.UpdatedAt)).Scan(timeDest{&a.UpdatedAt})
	if err != nil {
		return notFound(err, "That installation does not exist.",
			fmt.Sprintf("put address %q of installation %d", a.Key, a.InstallationID))
	}
	return nil
}

// Address implements bot.AddressStore.
func (db *DB) Address(ctx context.Context, installationID int64, key string) (*bot.Address, error) {
	if err := bot.CheckAddressKey(key); err != nil {
		return nil, err
	}
	var a bot.Address
	err := db.pool.QueryRow(ctx, `
		SELECT installation_id, key, data, updated_at FROM addresses
		WHERE installation_id = $1 AND key = $2`, installationID, key).
		Scan(&a.InstallationID, &a.Key, &a.Data, timeDest{&a.UpdatedAt})
	if err != nil {
		return nil, notFound(err, "That address does not exist.",
			fmt.Sprintf("load address %q of installation %d", key, installationID))
	}
	return &a, nil
}

// DeleteAddress implements bot.AddressStore.
func (db *DB) DeleteAddress(ctx context.Context, installationID int64, key string) error {
	if err := bot.CheckAddressKey(key); err != nil {
		return err
	}
	if _, err := db.pool.Exec(ctx, `DELETE FROM addresses WHERE installation_id = $1 AND key = $2`,
		installationID, key); err != nil {
		return wrap(err, fmt.Sprintf("delete address %q of installation %d", key, installationID))
	}
	return nil
}
