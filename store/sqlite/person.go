package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/smart90/smart90/bot"
)

const personColumns = `id, installation_id, external_id, display_name, time_zone, is_coach,
	digest_channel, digest_weekday, digest_time, evening_time, country, holidays_off, email,
	brief_lead_minutes, created_at, updated_at`

// personDest lists where each of personColumns scans to, for scans that
// read a person along with other columns.
func personDest(p *bot.Person) []any {
	return []any{&p.ID, &p.InstallationID, &p.ExternalID, &p.DisplayName, &p.TimeZone, &p.IsCoach,
		&p.DigestChannel, integer(&p.DigestWeekday), integer(&p.DigestTime), integer(&p.EveningTime),
		&p.Country, &p.HolidaysOff, &p.Email, bot.MinutesScanner(&p.BriefLead), instant{&p.CreatedAt}, instant{&p.UpdatedAt}}
}

func scanPerson(s scanner) (*bot.Person, error) {
	var p bot.Person
	if err := s.Scan(personDest(&p)...); err != nil {
		return nil, err
	}
	return &p, nil
}

const personNotFound = "Person not found."

// EnsurePerson implements bot.PersonStore. UpdatedAt moves only when the
// display name or time zone actually changes. It is called for every
// event, so the common case (the person exists, nothing to change) only
// reads; otherwise the row before and after the upsert, read under the
// write lock, tell a creation from a change.
func (db *DB) EnsurePerson(ctx context.Context, p *bot.Person) error {
	if err := p.Validate(); err != nil {
		return err
	}
	f := failure{op: "ensure person " + p.ExternalID, missing: "Installation not found."}
	stored, err := db.PersonByExternalID(ctx, p.InstallationID, p.ExternalID)
	if err == nil && (p.DisplayName == "" || p.DisplayName == stored.DisplayName) &&
		(p.TimeZone == "" || stored.TimeZone != "") {
		*p = *stored
		return nil
	}
	if err != nil && bot.ErrorCode(err) != bot.ENOTFOUND {
		return err
	}
	created := db.stamp(p.CreatedAt)
	updated := db.stamp(p.UpdatedAt, created)
	return f.wrap(db.inTx(ctx, func(tx *sql.Tx) error {
		before, err := scanPerson(tx.QueryRowContext(ctx,
			`SELECT `+personColumns+` FROM people WHERE installation_id = ? AND external_id = ?`,
			p.InstallationID, p.ExternalID))
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		got, err := scanPerson(tx.QueryRowContext(ctx, `
			INSERT INTO people (installation_id, external_id, display_name, time_zone, is_coach,
				digest_channel, digest_weekday, digest_time, evening_time, country, holidays_off, email,
				brief_lead_minutes, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (installation_id, external_id) DO UPDATE SET
				display_name = CASE WHEN excluded.display_name <> '' THEN excluded.display_name ELSE display_name END,
				time_zone = CASE WHEN time_zone = '' THEN excluded.time_zone ELSE time_zone END,
				updated_at = CASE
					WHEN (excluded.display_name <> '' AND excluded.display_name <> display_name)
						OR (time_zone = '' AND excluded.time_zone <> '')
					THEN excluded.updated_at ELSE updated_at END
			RETURNING `+personColumns,
			p.InstallationID, p.ExternalID, p.DisplayName, p.TimeZone, p.IsCoach,
			p.DigestChannel, int64(p.DigestWeekday), int64(p.DigestTime), int64(p.EveningTime),
			p.Country, p.HolidaysOff, p.Email, bot.Minutes(p.BriefLead), micros(created), micros(updated)))
		if err != nil {
			return err
		}
		switch {
		case before == nil && got.IsCoach:
			err = markDigest(ctx, tx, got.ID, got.CreatedAt)
		case before != nil && (before.DisplayName != got.DisplayName || before.TimeZone != got.TimeZone):
			err = markPerson(ctx, tx, got.ID, got.UpdatedAt)
		}
		if err != nil {
			return err
		}
		*p = *got
		return nil
	}))
}

// Person implements bot.PersonStore.
func (db *DB) Person(ctx context.Context, id int64) (*bot.Person, error) {
	f := failure{op: "load person", missing: personNotFound}
	p, err := scanPerson(db.db.QueryRowContext(ctx,
		`SELECT `+personColumns+` FROM people WHERE id = ?`, id))
	return p, f.wrap(err)
}

// Recipient implements bot.PersonStore.
func (db *DB) Recipient(ctx context.Context, personID int64) (*bot.Person, *bot.Installation, error) {
	var p bot.Person
	var inst bot.Installation
	err := db.db.QueryRowContext(ctx, `
		SELECT `+prefixed("p", personColumns)+`, `+prefixed("i", installationColumns)+`
		FROM people p JOIN installations i ON i.id = p.installation_id
		WHERE p.id = ?`, personID).Scan(append(personDest(&p), installationDest(&inst)...)...)
	if err != nil {
		return nil, nil, failure{op: "load recipient", missing: personNotFound}.wrap(err)
	}
	return &p, &inst, nil
}

// PersonByExternalID implements bot.PersonStore.
func (db *DB) PersonByExternalID(ctx context.Context, installationID int64, externalID string) (*bot.Person, error) {
	if err := bot.CheckID("user id", externalID); err != nil {
		return nil, err
	}
	f := failure{op: "load person", missing: personNotFound}
	p, err := scanPerson(db.db.QueryRowContext(ctx,
		`SELECT `+personColumns+` FROM people WHERE installation_id = ? AND external_id = ?`,
		installationID, externalID))
	return p, f.wrap(err)
}

// UpdatePerson implements bot.PersonStore. A person who stops being a coach
// keeps their digest schedule, marked: the plan finds nothing to plan for
// it.
func (db *DB) UpdatePerson(ctx context.Context, p *bot.Person) error {
	if err := p.Validate(); err != nil {
		return err
	}
	f := failure{op: "update person", missing: personNotFound}
	updated := db.stamp(p.UpdatedAt)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE people SET display_name = ?, time_zone = ?, is_coach = ?, digest_channel = ?,
				digest_weekday = ?, digest_time = ?, evening_time = ?, updated_at = ?,
				country = ?, holidays_off = ?, email = ?, brief_lead_minutes = ?
			WHERE id = ?`,
			p.DisplayName, p.TimeZone, p.IsCoach, p.DigestChannel,
			int64(p.DigestWeekday), int64(p.DigestTime), int64(p.EveningTime), micros(updated),
			p.Country, p.HolidaysOff, p.Email, bot.Minutes(p.BriefLead), p.ID)
		if err == nil {
			err = checkAffected(res, personNotFound)
		}
		if err != nil {
			return err
		}
		if err := markPerson(ctx, tx, p.ID, updated); err != nil {
			return err
		}
		if p.IsCoach {
			return markDigest(ctx, tx, p.ID, updated)
		}
		return nil
	})
	if err != nil {
		return f.wrap(err)
	}
	p.UpdatedAt = updated
	return nil
}

// ListCoaches implements bot.PersonStore.
func (db *DB) ListCoaches(ctx context.Context) ([]*bot.Person, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT `+personColumns+` FROM people
		WHERE is_coach AND installation_id IN (SELECT id FROM installations WHERE status = ?)
		ORDER BY id`, bot.InstallationActive)
	out, err := collect(rows, err, scanPerson)
	if err != nil {
		return nil, failure{op: "list coaches"}.wrap(err)
	}
	return out, nil
}

// DeletePerson implements bot.PersonStore. The schema's foreign keys do
// most of it: deleting the person cascades to the engagements where they
// are the client (and from there to rocks, history, answers, sessions and
// deliveries), to their deliveries, digests and schedules, and clears them
// from coached engagements and rock history. Ending the coached
// engagements and deleting their sessions is done here first; the
// contract passes no time, so EndedAt and UpdatedAt of those engagements
// are the wall clock's.
func (db *DB) DeletePerson(ctx context.Context, id int64) error {
	f := failure{op: "delete person", missing: personNotFound}
	now := micros(db.clock())
	return f.wrap(db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM people WHERE id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return notFound(personNotFound)
		}
		if _, err := tx.ExecContext(ctx, `
			DELETE FROM sessions WHERE engagement_id IN (SELECT id FROM engagements WHERE coach_id = ?)`, id); err != nil {
			return err
		}
		// Ending the coached engagements marks the schedules pointing at
		// them, as UpdateEngagement would.
		if _, err := tx.ExecContext(ctx, `
			UPDATE schedules SET next_at = ?, period = '', suspended = '', updated_at = ?
			WHERE (person_id, engagement_id) IN (SELECT client_id, id FROM engagements WHERE coach_id = ?)`,
			now, now, id); err != nil {
			return err
		}
		// coach_id itself is cleared by the foreign key when the person goes.
		if _, err := tx.ExecContext(ctx, `
			UPDATE engagements SET
				status = CASE WHEN status IN (?, ?, ?) THEN ? ELSE status END,
				ended_at = CASE WHEN status IN (?, ?, ?) THEN ? ELSE ended_at END,
				updated_at = ?
			WHERE coach_id = ?`,
			bot.EngagementInvited, bot.EngagementActive, bot.EngagementPaused, bot.EngagementEnded,
			bot.EngagementInvited, bot.EngagementActive, bot.EngagementPaused, now,
			now, id); err != nil {
			return err
		}
		// A digest's summary may quote the clients of its week (see
		// bot.PersonStore.DeletePerson): those of every coach the person
		// was a client of, from the week before the invitation on, are
		// scrubbed. The digest stays: it is the coach's record.
		if _, err := tx.ExecContext(ctx, `
			UPDATE digests SET summary = ''
			WHERE summary <> '' AND coach_id <> ? AND EXISTS (
				SELECT 1 FROM engagements e
				WHERE e.client_id = ? AND e.coach_id = digests.coach_id
					AND digests.week >= date(e.invited_at / 1000000, 'unixepoch', '-8 days'))`, id, id); err != nil {
			return err
		}
		// The person's address is keyed by their external id, which no
		// foreign key can follow (see bot.PersonAddressKey).
		if _, err := tx.ExecContext(ctx, `
			DELETE FROM addresses
			WHERE (installation_id, key) IN (
				SELECT installation_id, ? || external_id FROM people WHERE id = ?)`, bot.PersonAddressPrefix, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM people WHERE id = ?`, id)
		return err
	}))
}
