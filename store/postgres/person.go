package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/smart90/smart90/bot"
)

const personColumns = `id, installation_id, external_id, display_name, time_zone, is_coach,
	digest_channel, digest_weekday, digest_time, evening_time, country, holidays_off, email,
	brief_lead_minutes, created_at, updated_at`

// personDest lists where each of personColumns scans to, for scans that
// read a person along with other columns.
func personDest(p *bot.Person) []any {
	return []any{&p.ID, &p.InstallationID, &p.ExternalID, &p.DisplayName, &p.TimeZone, &p.IsCoach,
		&p.DigestChannel, &p.DigestWeekday, &p.DigestTime, &p.EveningTime, &p.Country, &p.HolidaysOff, &p.Email,
		bot.MinutesScanner(&p.BriefLead), timeDest{&p.CreatedAt}, timeDest{&p.UpdatedAt}}
}

func scanPerson(r row) (*bot.Person, error) {
	var p bot.Person
	if err := r.Scan(personDest(&p)...); err != nil {
		return nil, err
	}
	return &p, nil
}

// EnsurePerson implements bot.PersonStore. It is called for every event, so
// the common case (the person exists, nothing to change) only reads; when
// it does change DisplayName or TimeZone it sets UpdatedAt. Creating and
// changing are separate statements in one transaction, so that each marks
// the schedules it should.
func (db *DB) EnsurePerson(ctx context.Context, p *bot.Person) error {
	if err := p.Validate(); err != nil {
		return err
	}
	stored, err := db.PersonByExternalID(ctx, p.InstallationID, p.ExternalID)
	if err == nil && (p.DisplayName == "" || p.DisplayName == stored.DisplayName) &&
		(p.TimeZone == "" || stored.TimeZone != "") {
		*p = *stored
		return nil
	}
	if err != nil && bot.ErrorCode(err) != bot.ENOTFOUND {
		return err
	}

	created := db.orNow(p.CreatedAt)
	updated := p.UpdatedAt
	if updated.IsZero() {
		updated = created
	}
	err = db.tx(ctx, func(tx pgx.Tx) error {
		stored, err = scanPerson(tx.QueryRow(ctx, `
			INSERT INTO people (installation_id, external_id, display_name, time_zone, is_coach,
				digest_channel, digest_weekday, digest_time, evening_time, country, holidays_off, email,
				brief_lead_minutes, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
			ON CONFLICT (installation_id, external_id) DO NOTHING
			RETURNING `+personColumns,
			p.InstallationID, p.ExternalID, p.DisplayName, p.TimeZone, p.IsCoach,
			p.DigestChannel, p.DigestWeekday, p.DigestTime, p.EveningTime, p.Country, p.HolidaysOff, p.Email,
			bot.Minutes(p.BriefLead), created, timeArg(updated)))
		if err == nil {
			if stored.IsCoach {
				if err := markDigest(ctx, tx, stored.ID, stored.CreatedAt); err != nil {
					return wrap(err, fmt.Sprintf("create digest schedule of person %d", stored.ID))
				}
			}
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return wrap(err, "ensure person")
		}
		// The person exists (maybe created by a concurrent call since the
		// read above). The WHERE clause turns a change someone else already
		// made into no row, read below.
		stored, err = scanPerson(tx.QueryRow(ctx, `
			UPDATE people
			SET display_name = CASE WHEN $3 <> '' THEN $3 ELSE display_name END,
				time_zone = CASE WHEN time_zone = '' THEN $4 ELSE time_zone END,
				updated_at = $5
			WHERE installation_id = $1 AND external_id = $2
				AND (($3 <> '' AND $3 <> display_name) OR (time_zone = '' AND $4 <> ''))
			RETURNING `+personColumns,
			p.InstallationID, p.ExternalID, p.DisplayName, p.TimeZone, timeArg(updated)))
		if err == nil {
			if err := markPerson(ctx, tx, stored.ID, stored.UpdatedAt); err != nil {
				return wrap(err, fmt.Sprintf("mark schedules of person %d", stored.ID))
			}
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return wrap(err, "ensure person")
		}
		stored, err = scanPerson(tx.QueryRow(ctx,
			`SELECT `+personColumns+` FROM people WHERE installation_id = $1 AND external_id = $2`,
			p.InstallationID, p.ExternalID))
		if err != nil {
			return notFound(err, "That person does not exist.", "load person")
		}
		return nil
	})
	if err != nil {
		return err
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

// Recipient implements bot.PersonStore.
func (db *DB) Recipient(ctx context.Context, personID int64) (*bot.Person, *bot.Installation, error) {
	var p bot.Person
	var inst bot.Installation
	err := db.pool.QueryRow(ctx, `
		SELECT `+prefixed("p", personColumns)+`, `+prefixed("i", installationColumns)+`
		FROM people p JOIN installations i ON i.id = p.installation_id
		WHERE p.id = $1`, personID).Scan(append(personDest(&p), installationDest(&inst)...)...)
	if err != nil {
		return nil, nil, notFound(err, "That person does not exist.", fmt.Sprintf("load recipient %d", personID))
	}
	noToken(&inst)
	return &p, &inst, nil
}

// PersonByExternalID implements bot.PersonStore.
func (db *DB) PersonByExternalID(ctx context.Context, installationID int64, externalID string) (*bot.Person, error) {
	if err := bot.CheckID("user id", externalID); err != nil {
		return nil, err
	}
	p, err := scanPerson(db.pool.QueryRow(ctx,
		`SELECT `+personColumns+` FROM people WHERE installation_id = $1 AND external_id = $2`,
		installationID, externalID))
	if err != nil {
		return nil, notFound(err, "That person does not exist.", "load person")
	}
	return p, nil
}

// UpdatePerson implements bot.PersonStore; p is filled with the stored row.
// A person who stops being a coach keeps their digest schedule, marked: the
// plan finds nothing to plan for it.
func (db *DB) UpdatePerson(ctx context.Context, p *bot.Person) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return db.tx(ctx, func(tx pgx.Tx) error {
		stored, err := scanPerson(tx.QueryRow(ctx, `
			UPDATE people
			SET display_name = $2, time_zone = $3, is_coach = $4, digest_channel = $5,
				digest_weekday = $6, digest_time = $7, evening_time = $8, updated_at = $9,
				country = $10, holidays_off = $11, email = $12, brief_lead_minutes = $13
			WHERE id = $1
			RETURNING `+personColumns,
			p.ID, p.DisplayName, p.TimeZone, p.IsCoach, p.DigestChannel, p.DigestWeekday, p.DigestTime,
			p.EveningTime, db.orNow(p.UpdatedAt), p.Country, p.HolidaysOff, p.Email, bot.Minutes(p.BriefLead)))
		if err != nil {
			return notFound(err, "That person does not exist.", fmt.Sprintf("update person %d", p.ID))
		}
		if err := markPerson(ctx, tx, stored.ID, stored.UpdatedAt); err != nil {
			return wrap(err, fmt.Sprintf("mark schedules of person %d", p.ID))
		}
		if stored.IsCoach {
			if err := markDigest(ctx, tx, stored.ID, stored.UpdatedAt); err != nil {
				return wrap(err, fmt.Sprintf("create digest schedule of person %d", p.ID))
			}
		}
		*p = *stored
		return nil
	})
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
// contract passes none. Schedules pointing at the engagements the coach's
// deletion ends are marked, as UpdateEngagement would.
func (db *DB) DeletePerson(ctx context.Context, id int64) error {
	at := db.now()
	return db.tx(ctx, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM people WHERE id = $1 FOR UPDATE`, id).Scan(&one); err != nil {
			return notFound(err, "That person does not exist.", fmt.Sprintf("delete person %d", id))
		}
		if _, err := tx.Exec(ctx, `
			UPDATE schedules SET next_at = $2, period = '', suspended = '', updated_at = $2
			WHERE (person_id, engagement_id) IN (
				SELECT client_id, id FROM engagements WHERE coach_id = $1 AND client_id <> $1)`,
			id, at); err != nil {
			return wrap(err, fmt.Sprintf("mark schedules of coach %d's clients", id))
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
		// A digest's summary may quote the clients of its week (see
		// bot.PersonStore.DeletePerson): those of every coach the person
		// was a client of, from the week before the invitation on, are
		// scrubbed. The digest stays: it is the coach's record.
		if _, err := tx.Exec(ctx, `
			UPDATE digests d SET summary = ''
			FROM engagements e
			WHERE e.client_id = $1 AND d.coach_id = e.coach_id AND d.coach_id <> $1
				AND d.week >= (e.invited_at AT TIME ZONE 'UTC')::date - 8 AND d.summary <> ''`,
			id); err != nil {
			return wrap(err, fmt.Sprintf("scrub digests quoting person %d", id))
		}
		// The person's address is keyed by their external id, which no
		// foreign key can follow (see bot.PersonAddressKey).
		if _, err := tx.Exec(ctx, `
			DELETE FROM addresses
			WHERE (installation_id, key) IN (
				SELECT installation_id, $2 || external_id FROM people WHERE id = $1)`,
			id, bot.PersonAddressPrefix); err != nil {
			return wrap(err, fmt.Sprintf("delete address of person %d", id))
		}
		if _, err := tx.Exec(ctx, `DELETE FROM people WHERE id = $1`, id); err != nil {
			return wrap(err, fmt.Sprintf("delete person %d", id))
		}
		return nil
	})
}
