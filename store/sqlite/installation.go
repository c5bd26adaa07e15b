package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/smart90/smart90/bot"
)

const installationColumns = `id, platform, external_id, name, status, bot_token, created_at, updated_at`

// installationDest lists where each of installationColumns scans to, for
// scans that read an installation along with other columns.
func installationDest(i *bot.Installation) []any {
	return []any{&i.ID, &i.Platform, &i.ExternalID, &i.Name, &i.Status, &i.BotToken,
		instant{&i.CreatedAt}, instant{&i.UpdatedAt}}
}

func scanInstallation(s scanner) (*bot.Installation, error) {
	var i bot.Installation
	if err := s.Scan(installationDest(&i)...); err != nil {
		return nil, err
	}
	return &i, nil
}

// UpsertInstallation implements bot.InstallationStore. The status before
// the upsert, read under the write lock, tells whether it changes.
func (db *DB) UpsertInstallation(ctx context.Context, inst *bot.Installation) error {
	if err := inst.Validate(); err != nil {
		return err
	}
	f := failure{op: "upsert installation " + inst.ExternalID}
	created := db.stamp(inst.CreatedAt)
	updated := db.stamp(inst.UpdatedAt, created)
	return f.wrap(db.inTx(ctx, func(tx *sql.Tx) error {
		var before bot.InstallationStatus
		err := tx.QueryRowContext(ctx, `SELECT status FROM installations WHERE platform = ? AND external_id = ?`,
			inst.Platform, inst.ExternalID).Scan(&before)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// A new installation has no people yet, so there is nothing to mark.
		existed := err == nil
		got, err := scanInstallation(tx.QueryRowContext(ctx, `
			INSERT INTO installations (platform, external_id, name, status, bot_token, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (platform, external_id) DO UPDATE SET
				name = excluded.name,
				status = excluded.status,
				bot_token = excluded.bot_token,
				updated_at = excluded.updated_at
			RETURNING `+installationColumns,
			inst.Platform, inst.ExternalID, inst.Name, inst.Status, inst.BotToken,
			micros(created), micros(updated)))
		if err != nil {
			return err
		}
		if existed && before != got.Status {
			if err := markInstallation(ctx, tx, got.ID, got.UpdatedAt); err != nil {
				return err
			}
		}
		*inst = *got
		return nil
	}))
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
	if err := bot.CheckID("workspace id", externalID); err != nil {
		return nil, err
	}
	f := failure{op: "load installation", missing: "Installation not found."}
	i, err := scanInstallation(db.db.QueryRowContext(ctx,
		`SELECT `+installationColumns+` FROM installations WHERE platform = ? AND external_id = ?`,
		platform, externalID))
	return i, f.wrap(err)
}

// ListInstallations implements bot.InstallationStore.
func (db *DB) ListInstallations(ctx context.Context, afterID int64, limit int) ([]*bot.Installation, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := db.db.QueryContext(ctx,
		`SELECT `+installationColumns+` FROM installations WHERE id > ? ORDER BY id LIMIT ?`, afterID, limit)
	out, err := collect(rows, err, scanInstallation)
	if err != nil {
		return nil, failure{op: "list installations"}.wrap(err)
	}
	return out, nil
}
