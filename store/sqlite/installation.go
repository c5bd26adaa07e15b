package sqlite

import (
	"context"

	"github.com/smart90/smart90/bot"
)

const installationColumns = `id, platform, external_id, name, status, bot_token, created_at, updated_at`

func scanInstallation(s scanner) (*bot.Installation, error) {
	var i bot.Installation
	err := s.Scan(&i.ID, &i.Platform, &i.ExternalID, &i.Name, &i.Status, &i.BotToken,
		instant{&i.CreatedAt}, instant{&i.UpdatedAt})
	if err != nil {
		return nil, err
	}
	return &i, nil
}

// UpsertInstallation implements bot.InstallationStore.
func (db *DB) UpsertInstallation(ctx context.Context, inst *bot.Installation) error {
	f := failure{op: "upsert installation " + inst.ExternalID}
	created := stamp(inst.CreatedAt)
	updated := stamp(inst.UpdatedAt, created)
	row := db.db.QueryRowContext(ctx, `
		INSERT INTO installations (platform, external_id, name, status, bot_token, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (platform, external_id) DO UPDATE SET
			name = excluded.name,
			status = excluded.status,
			bot_token = excluded.bot_token,
			updated_at = excluded.updated_at
		RETURNING `+installationColumns,
		inst.Platform, inst.ExternalID, inst.Name, inst.Status, inst.BotToken,
		micros(created), micros(updated))
	got, err := scanInstallation(row)
	if err != nil {
		return f.wrap(err)
	}
	*inst = *got
	return nil
}

// Installation implements bot.InstallationStore.
func (db *DB) Installation(ctx context.Context, id int64) (*bot.Installation, error) {
	f := failure{op: "load installation", missing: "Installation not found."}
	i, err := scanInstallation(db.db.QueryRowContext(ctx,
		`SELECT `+installationColumns+` FROM installations WHERE id = ?`, id))
	return i, f.wrap(err)
}

// InstallationByExternalID implements bot.InstallationStore.
func (db *DB) InstallationByExternalID(ctx context.Context, platform bot.Platform, externalID string) (*bot.Installation, error) {
	f := failure{op: "load installation", missing: "Installation not found."}
	i, err := scanInstallation(db.db.QueryRowContext(ctx,
		`SELECT `+installationColumns+` FROM installations WHERE platform = ? AND external_id = ?`,
		platform, externalID))
	return i, f.wrap(err)
}
