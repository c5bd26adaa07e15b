package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/smart90/smart90/bot"
)

const personColumns = `id, installation_id, external_id, display_name, time_zone, is_coach,
	digest_channel, digest_weekday, digest_time, created_at, updated_at`

func scanPerson(r row) (*bot.Person, error) {
	var p bot.Person
	err := r.Scan(&p.ID, &p.InstallationID, &p.ExternalID, &p.DisplayName, &p.TimeZone, &p.IsCoach,
		&p.DigestChannel, &p.DigestWeekday, &p.DigestTime, timeDest{&p.CreatedAt}, timeDest{&p.UpdatedAt})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// EnsurePerson implements bot.PersonStore. It is called for every event, so
// the common case (the person exists, nothing to change) only reads; when
// it does change DisplayName or TimeZone it sets UpdatedAt.
func (db *DB) EnsurePerson(ctx context.Context, p *bot.Person) error {
	stored, err := db.PersonByExternalID(ctx, p.InstallationID, p.ExternalID)
	if err == nil && (p.DisplayName == "" || p.DisplayName == stored.DisplayName) &&
		(p.TimeZone == "" || stored.TimeZone != "") {
		*p = *stored
		return nil
	}
	if err != nil && bot.ErrorCode(err) != bot.ENOTFOUND {
		return err
	}

	created := orNow(p.CreatedAt)
	updated := p.UpdatedAt
	if updated.IsZero() {
		updated = created
	}
	// The WHERE clause turns a concurrent no-op update into no row, read below.
	stored, err = scanPerson(db.pool.QueryRow(ctx, `
		INSERT INTO people (installation_id, external_id, display_name, time_zone, is_coach,
			digest_channel, digest_weekday, digest_time, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (installation_id, external_id) DO UPDATE
		SET display_name = CASE WHEN EXCLUDED.display_name <> '' THEN EXCLUDED.display_name ELSE people.display_name END,
			time_zone = CASE WHEN people.time_zone = '' THEN EXCLUDED.time_zone ELSE people.time_zone END,
			updated_at = EXCLUDED.updated_at
		WHERE (EXCLUDED.display_name <> '' AND EXCLUDED.display_name <> people.display_name)
			OR (people.time_zone = '' AND EXCLUDED.time_zone <> '')
		RETURNING `+personColumns,
		p.InstallationID, p.ExternalID, p.DisplayName, p.TimeZone, p.IsCoach,
		p.DigestChannel, p.DigestWeekday, p.DigestTime, created, timeArg(updated)))
	if errors.Is(err, pgx.ErrNoRows) {
		stored, err = db.PersonByExternalID(ctx, p.InstallationID, p.ExternalID)
		if err != nil {
			return err
		}
	} else if err != nil {
		return wrap(err, "ensure person")
	}
	*p = *stored
	return nil
}

// Person implements bot.PersonStore.
func (db *DB) Person(ctx context.Context, id int64) (*bot.Person, error) {
	p, err := scanPerson(db.pool.QueryRow(ctx, `SELECT `+personColumns+` FROM people WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "That person does not exist.", fmt.Sprintf("load person %d", id))
	}
	return p, nil
}

// PersonByExternalID implements bot.PersonStore.
func (db *DB) PersonByExternalID(ctx context.Context, installationID int64, externalID string) (*bot.Person, error) {
	p, err := scanPerson(db.pool.QueryRow(ctx,
		`SELECT `+personColumns+` FROM people WHERE installation_id = $1 AND external_id = $2`,
		installationID, externalID))
	if err != nil {
		return nil, notFound(err, "That person does not exist.", "load person")
	}
	return p, nil
}

// UpdatePerson implements bot.PersonStore; p is filled with the stored row.
func (db *DB) UpdatePerson(ctx context.Context, p *bot.Person) error {
	stored, err := scanPerson(db.pool.QueryRow(ctx, `
		UPDATE people
		SET display_name = $2, time_zone = $3, is_coach = $4, digest_channel = $5,
			digest_weekday = $6, digest_time = $7, updated_at = $8
		WHERE id = $1
		RETURNING `+personColumns,
		p.ID, p.DisplayName, p.TimeZone, p.IsCoach, p.DigestChannel, p.DigestWeekday, p.DigestTime,
		orNow(p.UpdatedAt)))
	if err != nil {
		return notFound(err, "That person does not exist.", fmt.Sprintf("update person %d", p.ID))
	}
	*p = *stored
	return nil
}

// ListCoaches implements bot.PersonStore.
func (db *DB) ListCoaches(ctx context.Context) ([]*bot.Person, error) {
	rows, _ := db.pool.Query(ctx, `
		SELECT `+prefixed("p", personColumns)+`
		FROM people p JOIN installations i ON i.id = p.installation_id
		WHERE p.is_coach AND i.status = $1
		ORDER BY p.id`, bot.InstallationActive)
	coaches, err := pgx.CollectRows(rows, pgx.RowToFunc[*bot.Person](func(r pgx.CollectableRow) (*bot.Person, error) {
		return scanPerson(r)
	}))
	if err != nil {
		return nil, wrap(err, "list coaches")
	}
	return coaches, nil
}

// DeletePerson implements bot.PersonStore. The foreign keys do most of the
// work (see the migration); what they cannot express is done here first:
// ending the coach's engagements and deleting the sessions logged in them.
// EndedAt and UpdatedAt of those engagements are the current time, as the
// contract passes none.
func (db *DB) DeletePerson(ctx context.Context, id int64) error {
	at := now()
	return db.tx(ctx, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM people WHERE id = $1 FOR UPDATE`, id).Scan(&one); err != nil {
			return notFound(err, "That person does not exist.", fmt.Sprintf("delete person %d", id))
		}
		if _, err := tx.Exec(ctx, `
			DELETE FROM sessions
			WHERE engagement_id IN (SELECT id FROM engagements WHERE coach_id = $1 AND client_id <> $1)`,
			id); err != nil {
			return wrap(err, fmt.Sprintf("delete sessions of coach %d", id))
		}
		if _, err := tx.Exec(ctx, `
			UPDATE engagements
			SET coach_id = NULL,
				status = CASE WHEN status IN ($2, $3, $4) THEN $5 ELSE status END,
				ended_at = CASE WHEN status IN ($2, $3, $4) THEN $6 ELSE ended_at END,
				updated_at = $6
			WHERE coach_id = $1 AND client_id <> $1`,
			id, bot.EngagementInvited, bot.EngagementActive, bot.EngagementPaused, bot.EngagementEnded, at); err != nil {
			return wrap(err, fmt.Sprintf("end engagements of coach %d", id))
		}
		if _, err := tx.Exec(ctx, `DELETE FROM people WHERE id = $1`, id); err != nil {
			return wrap(err, fmt.Sprintf("delete person %d", id))
		}
		return nil
	})
}
