package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/smart90/smart90/bot"
)

// scheduleSelect reads schedules (alias s) with their person and whether
// the person's installation is active; loadEngagements adds the
// engagements. Callers add WHERE and ORDER BY.
var scheduleSelect = `
	SELECT s.person_id, s.kind, s.engagement_id, s.next_at, s.period, s.suspended, s.updated_at,
		` + prefixed("p", personColumns) + `, i.status = '` + string(bot.InstallationActive) + `'
	FROM schedules s
	JOIN people p ON p.id = s.person_id
	JOIN installations i ON i.id = p.installation_id`

// prefixed qualifies each column of a column list with a table alias.
func prefixed(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

func scanSchedule(r scanner) (*bot.Schedule, error) {
	var s bot.Schedule
	var p bot.Person
	dest := append([]any{&s.PersonID, &s.Kind, ref{&s.EngagementID}, instant{&s.NextAt}, &s.Period,
		&s.Suspended, instant{&s.UpdatedAt}}, personDest(&p)...)
	if err := r.Scan(append(dest, &s.Active)...); err != nil {
		return nil, err
	}
	s.Person = &p
	return &s, nil
}

// loadEngagements sets the Engagement of each schedule that points at one,
// in one query. Each schedule gets its own copy, so a plan changing one
// changes no other.
func loadEngagements(ctx context.Context, q queryer, scheds []*bot.Schedule) error {
	seen := map[int64]bool{}
	var args []any
	for _, s := range scheds {
		if s.EngagementID != 0 && !seen[s.EngagementID] {
			seen[s.EngagementID] = true
			args = append(args, s.EngagementID)
		}
	}
	if len(args) == 0 {
		return nil
	}
	rows, err := q.QueryContext(ctx, `SELECT `+engagementColumns+` FROM engagements
		WHERE id IN (?`+strings.Repeat(", ?", len(args)-1)+`)`, args...)
	es, err := collect(rows, err, scanEngagement)
	if err != nil {
		return err
	}
	byID := make(map[int64]*bot.Engagement, len(es))
	for _, e := range es {
		byID[e.ID] = e
	}
	for _, s := range scheds {
		if e, ok := byID[s.EngagementID]; ok {
			c := *e
			s.Engagement = &c
		}
	}
	return nil
}

// PlanSchedules implements bot.ScheduleStore. The transaction begins
// IMMEDIATE, so concurrent planners queue on the write lock and each finds
// the schedules the one before it moved on. Nothing is called when nothing
// is due. The deliveries plan returns are created but not filled in; a
// zero CreatedAt is now, a zero UpdatedAt is CreatedAt.
func (db *DB) PlanSchedules(ctx context.Context, now time.Time, limit int, plan func([]*bot.Schedule) ([]*bot.Delivery, error)) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	now = utc(now)
	taken := 0
	var planErr error
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, scheduleSelect+`
			WHERE s.next_at <= ?
			ORDER BY s.next_at
			LIMIT ?`, unixMicro(now), limit)
		scheds, err := collect(rows, err, scanSchedule)
		if err != nil || len(scheds) == 0 {
			return err
		}
		if err := loadEngagements(ctx, tx, scheds); err != nil {
			return err
		}
		// The keys and the slice are kept apart: plan may change anything
		// it is given, but what it sets is read through the same pointers.
		type key struct {
			personID int64
			kind     bot.DeliveryKind
		}
		keys := make([]key, len(scheds))
		for i, s := range scheds {
			keys[i] = key{s.PersonID, s.Kind}
		}

		deliveries, err := plan(slices.Clone(scheds))
		if err != nil {
			planErr = err
			return err
		}

		insert, err := tx.PrepareContext(ctx, `
			INSERT INTO deliveries (person_id, engagement_id, kind, period, due_at, state, attempts,
				last_error, lease_until, message_ref, sent_at, created_at, updated_at, skip_reason)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (person_id, kind, period) DO NOTHING`)
		if err != nil {
			return err
		}
		defer insert.Close()
		for _, d := range deliveries {
			created := db.stamp(d.CreatedAt, now)
			state := d.State
			if state == "" {
				state = bot.DeliveryPending
			}
			if _, err := insert.ExecContext(ctx,
				d.PersonID, nullID(d.EngagementID), d.Kind, d.Period, unixMicro(d.DueAt), state,
				d.Attempts, d.LastError, micros(d.LeaseUntil), d.MessageRef, micros(d.SentAt),
				micros(created), micros(db.stamp(d.UpdatedAt, created)), d.SkipReason); err != nil {
				return err
			}
		}
		update, err := tx.PrepareContext(ctx, `
			UPDATE schedules SET next_at = ?, period = ?, updated_at = ? WHERE person_id = ? AND kind = ?`)
		if err != nil {
			return err
		}
		defer update.Close()
		for i, s := range scheds {
			if _, err := update.ExecContext(ctx, micros(s.NextAt), s.Period, unixMicro(now),
				keys[i].personID, keys[i].kind); err != nil {
				return err
			}
		}
		taken = len(scheds)
		return nil
	})
	if planErr != nil {
		return 0, planErr
	}
	if err != nil {
		return 0, failure{op: "plan schedules", missing: "Person or engagement not found."}.wrap(err)
	}
	return taken, nil
}

// Schedules implements bot.ScheduleStore.
func (db *DB) Schedules(ctx context.Context, personID int64) ([]*bot.Schedule, error) {
	var out []*bot.Schedule
	err := db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, scheduleSelect+` WHERE s.person_id = ? ORDER BY s.kind`, personID)
		if out, err = collect(rows, err, scanSchedule); err != nil {
			return err
		}
		return loadEngagements(ctx, tx, out)
	})
	if err != nil {
		return nil, failure{op: fmt.Sprintf("list schedules of person %d", personID)}.wrap(err)
	}
	return out, nil
}

// SuspendSchedules implements bot.ScheduleStore. A zero at is the current
// time.
func (db *DB) SuspendSchedules(ctx context.Context, personID int64, at time.Time, reason string, kinds ...bot.DeliveryKind) error {
	cond, args := "1", []any{}
	if len(kinds) > 0 {
		cond = "kind IN (?" + strings.Repeat(", ?", len(kinds)-1) + ")"
		for _, k := range kinds {
			args = append(args, k)
		}
	}
	_, err := db.db.ExecContext(ctx, `
		UPDATE schedules SET next_at = NULL, period = '', suspended = ?, updated_at = ?
		WHERE person_id = ? AND `+cond,
		append([]any{reason, micros(db.stamp(at)), personID}, args...)...)
	if err != nil {
		return failure{op: "suspend schedules"}.wrap(err)
	}
	return nil
}

// Marks. Each runs in the transaction of the write that causes it, with
// the instant that write stored.

// markPerson marks every schedule of a person from at.
func markPerson(ctx context.Context, tx *sql.Tx, personID int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, `
		UPDATE schedules SET next_at = ?, period = '', suspended = '', updated_at = ?
		WHERE person_id = ?`, micros(at), micros(at), personID)
	return err
}

// markDigest creates a coach's digest schedule marked from at, or marks it.
func markDigest(ctx context.Context, tx *sql.Tx, personID int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO schedules (person_id, kind, next_at, period, suspended, updated_at)
		VALUES (?, ?, ?, '', '', ?)
		ON CONFLICT (person_id, kind) DO UPDATE SET
			next_at = excluded.next_at, period = '', suspended = '', updated_at = excluded.updated_at`,
		personID, bot.DeliveryDigest, micros(at), micros(at))
	return err
}

// markEngagement marks the schedules an engagement drives, with its stored
// client, status and UpdatedAt: when it is live, the client's daily and
// weekly schedules, created or pointed at it; otherwise only the client's
// schedules that point at it.
func markEngagement(ctx context.Context, tx *sql.Tx, clientID, engagementID int64, status bot.EngagementStatus, at time.Time) error {
	if status.Live() {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO schedules (person_id, kind, engagement_id, next_at, period, suspended, updated_at)
			VALUES (?1, ?2, ?4, ?5, '', '', ?5), (?1, ?3, ?4, ?5, '', '', ?5)
			ON CONFLICT (person_id, kind) DO UPDATE SET
				engagement_id = excluded.engagement_id, next_at = excluded.next_at, period = '',
				suspended = '', updated_at = excluded.updated_at`,
			clientID, bot.DeliveryDaily, bot.DeliveryWeekly, engagementID, micros(at))
		return err
	}
	_, err := tx.ExecContext(ctx, `
		UPDATE schedules SET next_at = ?, period = '', suspended = '', updated_at = ?
		WHERE person_id = ? AND engagement_id = ?`, micros(at), micros(at), clientID, engagementID)
	return err
}

// markInstallation marks the schedules of every person of an installation
// from at.
func markInstallation(ctx context.Context, tx *sql.Tx, installationID int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, `
		UPDATE schedules SET next_at = ?, period = '', suspended = '', updated_at = ?
		WHERE person_id IN (SELECT id FROM people WHERE installation_id = ?)`, micros(at), micros(at), installationID)
	return err
}
