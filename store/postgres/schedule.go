package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/smart90/smart90/bot"
)

// scheduleSelect reads schedules (alias s) with their person and whether
// the person's installation is active; loadEngagements adds the
// engagements. Callers add WHERE, ORDER BY and locking.
var scheduleSelect = `
	SELECT s.person_id, s.kind, s.engagement_id, s.next_at, s.period, s.suspended, s.updated_at,
		` + prefixed("p", personColumns) + `, i.status = '` + string(bot.InstallationActive) + `'
	FROM schedules s
	JOIN people p ON p.id = s.person_id
	JOIN installations i ON i.id = p.installation_id`

func scanSchedule(r row) (*bot.Schedule, error) {
	var s bot.Schedule
	var p bot.Person
	dest := append([]any{&s.PersonID, &s.Kind, idDest{&s.EngagementID}, timeDest{&s.NextAt}, &s.Period,
		&s.Suspended, timeDest{&s.UpdatedAt}}, personDest(&p)...)
	if err := r.Scan(append(dest, &s.Active)...); err != nil {
		return nil, err
	}
	s.Person = &p
	return &s, nil
}

func collectSchedules(rows pgx.Rows) ([]*bot.Schedule, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*bot.Schedule, error) { return scanSchedule(r) })
}

// loadEngagements sets the Engagement of each schedule that points at one,
// in one query. Each schedule gets its own copy, so a plan changing one
// changes no other.
func loadEngagements(ctx context.Context, q querier, scheds []*bot.Schedule) error {
	var ids []int64
	for _, s := range scheds {
		if s.EngagementID != 0 {
			ids = append(ids, s.EngagementID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, _ := q.Query(ctx, `SELECT `+engagementColumns+` FROM engagements WHERE id = ANY ($1)`, ids)
	es, err := collectEngagements(rows)
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

// PlanSchedules implements bot.ScheduleStore in one transaction of four
// statements whatever the batch size: take the due schedules (FOR UPDATE
// SKIP LOCKED, so concurrent planners take disjoint sets, and a schedule
// another planner moved on is no longer due when its lock is released),
// load their engagements, create the deliveries in one INSERT from arrays,
// and store every schedule in one UPDATE from arrays. Nothing is called
// when nothing is due. The deliveries plan returns are created but not
// filled in. A zero CreatedAt is now, a zero UpdatedAt is CreatedAt.
//
// The take also key-share locks each schedule's person, as the
// deliveries' foreign keys would later: a person DeletePerson is deleting
// is skipped, and DeletePerson waits for a plan that holds the person,
// instead of the two deadlocking on the person and the schedules.
func (db *DB) PlanSchedules(ctx context.Context, now time.Time, limit int, plan func([]*bot.Schedule) ([]*bot.Delivery, error)) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	now = instant(now)
	taken := 0
	err := db.tx(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, scheduleSelect+`
			WHERE s.next_at <= $1
			ORDER BY s.next_at
			LIMIT $2
			FOR UPDATE OF s SKIP LOCKED
			FOR KEY SHARE OF p SKIP LOCKED`, now, limit)
		scheds, err := collectSchedules(rows)
		if err != nil {
			return wrap(err, "take due schedules")
		}
		if len(scheds) == 0 {
			return nil
		}
		if err := loadEngagements(ctx, tx, scheds); err != nil {
			return wrap(err, "load engagements of due schedules")
		}
		// The keys and the slice are kept apart: plan may change anything
		// it is given, but what it sets is read through the same pointers.
		personIDs := make([]int64, len(scheds))
		kinds := make([]string, len(scheds))
		for i, s := range scheds {
			personIDs[i], kinds[i] = s.PersonID, string(s.Kind)
		}

		deliveries, err := plan(slices.Clone(scheds))
		if err != nil {
			return err
		}

		if err := insertDeliveries(ctx, tx, now, deliveries); err != nil {
			return err
		}
		nextAts := make([]pgtype.Timestamptz, len(scheds))
		periods := make([]string, len(scheds))
		for i, s := range scheds {
			nextAts[i], periods[i] = timeArg(s.NextAt), s.Period
		}
		if _, err := tx.Exec(ctx, `
			UPDATE schedules s SET next_at = u.next_at, period = u.period, updated_at = $1
			FROM unnest($2::bigint[], $3::text[], $4::timestamptz[], $5::text[]) AS u (person_id, kind, next_at, period)
			WHERE s.person_id = u.person_id AND s.kind = u.kind`,
			now, personIDs, kinds, nextAts, periods); err != nil {
			return wrap(err, "store planned schedules")
		}
		taken = len(scheds)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return taken, nil
}

// insertDeliveries creates deliveries as CreateDelivery does, in one
// statement. They are inserted in key order, so that two transactions
// inserting the same keys wait for each other instead of deadlocking; the
// sort is stable, so of two with one key the first given is created, as
// two CreateDelivery calls would.
func insertDeliveries(ctx context.Context, tx pgx.Tx, now time.Time, ds []*bot.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	ds = slices.Clone(ds)
	slices.SortStableFunc(ds, func(a, b *bot.Delivery) int {
		return cmp.Or(cmp.Compare(a.PersonID, b.PersonID), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Period, b.Period))
	})
	n := len(ds)
	var (
		personIDs     = make([]int64, n)
		engagementIDs = make([]pgtype.Int8, n)
		kinds         = make([]string, n)
		periods       = make([]string, n)
		dueAts        = make([]pgtype.Timestamptz, n)
		states        = make([]string, n)
		attempts      = make([]int64, n)
		lastErrors    = make([]string, n)
		reasons       = make([]string, n)
		leases        = make([]pgtype.Timestamptz, n)
		refs          = make([]string, n)
		sentAts       = make([]pgtype.Timestamptz, n)
		createdAts    = make([]pgtype.Timestamptz, n)
		updatedAts    = make([]pgtype.Timestamptz, n)
	)
	for i, d := range ds {
		created := cmp.Or(d.CreatedAt, now)
		personIDs[i], engagementIDs[i], kinds[i], periods[i] = d.PersonID, idArg(d.EngagementID), string(d.Kind), d.Period
		dueAts[i], states[i], attempts[i], lastErrors[i] = timeArg(d.DueAt), string(cmp.Or(d.State, bot.DeliveryPending)), int64(d.Attempts), d.LastError
		leases[i], refs[i], sentAts[i], reasons[i] = timeArg(d.LeaseUntil), d.MessageRef, timeArg(d.SentAt), d.SkipReason
		createdAts[i], updatedAts[i] = timeArg(created), timeArg(cmp.Or(d.UpdatedAt, created))
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO deliveries (person_id, engagement_id, kind, period, due_at, state, attempts, last_error,
			lease_until, message_ref, sent_at, created_at, updated_at, skip_reason)
		SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::text[],
			$7::bigint[], $8::text[], $9::timestamptz[], $10::text[], $11::timestamptz[], $12::timestamptz[],
			$13::timestamptz[], $14::text[])
		ON CONFLICT (person_id, kind, period) DO NOTHING`,
		personIDs, engagementIDs, kinds, periods, dueAts, states, attempts, lastErrors, leases, refs, sentAts,
		createdAts, updatedAts, reasons)
	if err != nil {
		return wrap(err, fmt.Sprintf("create %d planned deliveries", n))
	}
	return nil
}

// Schedules implements bot.ScheduleStore. Its two queries read one
// snapshot.
func (db *DB) Schedules(ctx context.Context, personID int64) ([]*bot.Schedule, error) {
	var scheds []*bot.Schedule
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error {
			rows, _ := tx.Query(ctx, scheduleSelect+` WHERE s.person_id = $1 ORDER BY s.kind`, personID)
			var err error
			if scheds, err = collectSchedules(rows); err != nil {
				return err
			}
			return loadEngagements(ctx, tx, scheds)
		})
	if err != nil {
		return nil, wrap(err, fmt.Sprintf("list schedules of person %d", personID))
	}
	return scheds, nil
}

// SuspendSchedules implements bot.ScheduleStore. A zero at is the current
// time.
func (db *DB) SuspendSchedules(ctx context.Context, personID int64, at time.Time, reason string, kinds ...bot.DeliveryKind) error {
	var kindArg []string // NULL: every kind
	for _, k := range kinds {
		kindArg = append(kindArg, string(k))
	}
	if _, err := db.pool.Exec(ctx, `
		UPDATE schedules SET next_at = NULL, period = '', suspended = $3, updated_at = $2
		WHERE person_id = $1 AND ($4::text[] IS NULL OR kind = ANY ($4))`,
		personID, db.orNow(at), reason, kindArg); err != nil {
		return wrap(err, fmt.Sprintf("suspend schedules of person %d", personID))
	}
	return nil
}

// Marks. Each runs in the transaction of the write that causes it, with
// the instant that write stored.

// markPerson marks every schedule of a person from at.
func markPerson(ctx context.Context, q querier, personID int64, at time.Time) error {
	_, err := q.Exec(ctx, `
		UPDATE schedules SET next_at = $2, period = '', suspended = '', updated_at = $2
		WHERE person_id = $1`, personID, at)
	return err
}

// markDigest creates a coach's digest schedule marked from at, or marks it.
func markDigest(ctx context.Context, q querier, personID int64, at time.Time) error {
	_, err := q.Exec(ctx, `
		INSERT INTO schedules (person_id, kind, next_at, period, suspended, updated_at)
		VALUES ($1, $2, $3, '', '', $3)
		ON CONFLICT (person_id, kind) DO UPDATE
		SET next_at = EXCLUDED.next_at, period = '', suspended = '', updated_at = EXCLUDED.updated_at`,
		personID, bot.DeliveryDigest, at)
	return err
}

// markEngagement marks the schedules e, as stored, drives: when it is live,
// its client's daily and weekly schedules, created or pointed at e;
// otherwise only the client's schedules that point at e.
func markEngagement(ctx context.Context, q querier, e *bot.Engagement) error {
	if e.Status.Live() {
		_, err := q.Exec(ctx, `
			INSERT INTO schedules (person_id, kind, engagement_id, next_at, period, suspended, updated_at)
			VALUES ($1, $4, $2, $3, '', '', $3), ($1, $5, $2, $3, '', '', $3)
			ON CONFLICT (person_id, kind) DO UPDATE
			SET engagement_id = EXCLUDED.engagement_id, next_at = EXCLUDED.next_at, period = '', suspended = '',
				updated_at = EXCLUDED.updated_at`,
			e.ClientID, e.ID, e.UpdatedAt, bot.DeliveryDaily, bot.DeliveryWeekly)
		return err
	}
	_, err := q.Exec(ctx, `
		UPDATE schedules SET next_at = $3, period = '', suspended = '', updated_at = $3
		WHERE person_id = $1 AND engagement_id = $2`, e.ClientID, e.ID, e.UpdatedAt)
	return err
}

// markInstallation marks the schedules of every person of an installation
// from at.
func markInstallation(ctx context.Context, q querier, installationID int64, at time.Time) error {
	_, err := q.Exec(ctx, `
		UPDATE schedules SET next_at = $2, period = '', suspended = '', updated_at = $2
		WHERE person_id IN (SELECT id FROM people WHERE installation_id = $1)`, installationID, at)
	return err
}
