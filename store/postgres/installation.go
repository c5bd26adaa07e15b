package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/smart90/smart90/bot"
)

const installationColumns = `id, platform, external_id, name, status, bot_token, created_at, updated_at`

// installationDest lists where each of installationColumns scans to, for
// scans that read an installation along with other columns.
func installationDest(inst *bot.Installation) []any {
	return []any{&inst.ID, &inst.Platform, &inst.ExternalID, &inst.Name, &inst.Status, &inst.BotToken,
		timeDest{&inst.CreatedAt}, timeDest{&inst.UpdatedAt}}
}

func scanInstallation(r row) (*bot.Installation, error) {
	var inst bot.Installation
	if err := r.Scan(installationDest(&inst)...); err != nil {
		return nil, err
	}
	noToken(&inst)
	return &inst, nil
}

// noToken keeps the convention that no token is nil, not empty.
func noToken(inst *bot.Installation) {
	if len(inst.BotToken) == 0 {
		inst.BotToken = nil
	}
}

// UpsertInstallation implements bot.InstallationStore. On an update,
// CreatedAt keeps its stored value. The stored status is read and locked
// first, to tell whether this upsert changes it.
func (db *DB) UpsertInstallation(ctx context.Context, inst *bot.Installation) error {
	if err := inst.Validate(); err != nil {
		return err
	}
	created := db.orNow(inst.CreatedAt)
	updated := inst.UpdatedAt
	if updated.IsZero() {
		updated = created
	}
	var token []byte
	if len(inst.BotToken) > 0 {
		token = inst.BotToken
	}
	return db.tx(ctx, func(tx pgx.Tx) error {
		var before bot.InstallationStatus
		err := tx.QueryRow(ctx, `
			SELECT status FROM installations WHERE platform = $1 AND external_id = $2 FOR UPDATE`,
			inst.Platform, inst.ExternalID).Scan(&before)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return wrap(err, "load installation")
		}
		// A new installation has no people yet, so there is nothing to mark.
		existed := err == nil
		stored, err := scanInstallation(tx.QueryRow(ctx, `
			INSERT INTO installations (platform, external_id, name, status, bot_token, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (platform, external_id) DO UPDATE
			SET name = EXCLUDED.name, status = EXCLUDED.status, bot_token = EXCLUDED.bot_token,
				updated_at = EXCLUDED.updated_at
			RETURNING `+installationColumns,
			inst.Platform, inst.ExternalID, inst.Name, inst.Status, token, created, timeArg(updated)))
		if err != nil {
			return wrap(err, "upsert installation")
		}
		if existed && before != stored.Status {
			if err := markInstallation(ctx, tx, stored.ID, stored.UpdatedAt); err != nil {
				return wrap(err, fmt.Sprintf("mark schedules of installation %d", stored.ID))
			}
		}
		*inst = *stored
		return nil
	})
}

// Installation implements bot.InstallationStore.
func (db *DB) Installation(ctx context.Context, id int64) (*bot.Installation, error) {
	inst, err := scanInstallation(db.pool.QueryRow(ctx,
		`SELECT `+installationColumns+` FROM installations WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "That installation does not exist.", "load installation")
	}
	return inst, nil
}

// InstallationByExternalID implements bot.InstallationStore.
func (db *DB) InstallationByExternalID(ctx context.Context, platform bot.Platform, externalID string) (*bot.Installation, error) {
	if err := bot.CheckID("workspace id", externalID); err != nil {
		return nil, err
	}
	inst, err := scanInstallation(db.pool.QueryRow(ctx,
		`SELECT `+installationColumns+` FROM installations WHERE platform = $1 AND external_id = $2`,
		platform, externalID))
	if err != nil {
		return nil, notFound(err, "That installation does not exist.", "load installation")
	}
	return inst, nil
}

// ListInstallations implements bot.InstallationStore.
func (db *DB) ListInstallations(ctx context.Context, afterID int64, limit int) ([]*bot.Installation, error) {
	rows, _ := db.pool.Query(ctx, `
		SELECT `+installationColumns+` FROM installations WHERE id > $1 ORDER BY id
		LIMIT CASE WHEN $2 > 0 THEN $2 END`, afterID, limit)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*bot.Installation, error) { return scanInstallation(r) })
	if err != nil {
		return nil, wrap(err, "list installations")
	}
	return out, nil
}
