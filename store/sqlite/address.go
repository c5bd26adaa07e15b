package sqlite

import (
	"context"

	"github.com/smart90/smart90/bot"
)

// PutAddress implements bot.AddressStore. A nil Data is stored as empty:
// the data is opaque, never absent.
func (db *DB) PutAddress(ctx context.Context, a *bot.Address) error {
	if err := a.Validate(); err != nil {
		return err
	}
	f := failure{op: "put address " + a.Key, missing: "Installation not found."}
	data := a.Data
	if data == nil {
		data = []byte{}
	}
	updated := db.stamp(a.UpdatedAt)
	_, err := db.db.ExecContext(ctx, `
		INSERT INTO addresses (installation_id, key, data, updated_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (installation_id, key) DO UPDATE SET
			data = excluded.data,
			updated_at = excluded.updated_at`,
		a.InstallationID, a.Key, data, micros(updated))
	if err != nil {
		return f.wrap(err)
	}
	a.UpdatedAt = updated
	return nil
}

// Address implements bot.AddressStore.
func (db *DB) Address(ctx context.Context, installationID int64, key string) (*bot.Address, error) {
	if err := bot.CheckAddressKey(key); err != nil {
		return nil, err
	}
	f := failure{op: "load address " + key, missing: "Address not found."}
	var a bot.Address
	err := db.db.QueryRowContext(ctx, `
		SELECT installation_id, key, data, updated_at FROM addresses
		WHERE installation_id = ? AND key = ?`, installationID, key).
		Scan(&a.InstallationID, &a.Key, &a.Data, instant{&a.UpdatedAt})
	if err != nil {
		return nil, f.wrap(err)
	}
	return &a, nil
}

// DeleteAddress implements bot.AddressStore.
func (db *DB) DeleteAddress(ctx context.Context, installationID int64, key string) error {
	if err := bot.CheckAddressKey(key); err != nil {
		return err
	}
	_, err := db.db.ExecContext(ctx, `DELETE FROM addresses WHERE installation_id = ? AND key = ?`,
		installationID, key)
	return failure{op: "delete address " + key}.wrap(err)
}
