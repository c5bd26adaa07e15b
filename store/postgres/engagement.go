package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/smart90/smart90/bot"
)

const engagementColumns = `id, coach_id, client_id, status, checkin_time, workdays, weekly_weekday,
	weekly_time, reminder_delay_ns, cycle_start, cycle_days, pause_from, pause_to,
	invited_at, accepted_at, ended_at, updated_at`

func scanEngagement(r row) (*bot.Engagement, error) {
	var e bot.Engagement
	var reminderDelay int64
	err := r.Scan(&e.ID, idDest{&e.CoachID}, &e.ClientID, &e.Status, &e.CheckinTime, &e.Workdays,
		&e.WeeklyWeekday, &e.WeeklyTime, &reminderDelay, dateDest{&e.Start}, &e.CycleDays,
		dateDest{&e.PauseFrom}, dateDest{&e.PauseTo}, timeDest{&e.InvitedAt}, timeDest{&e.AcceptedAt},
		timeDest{&e.EndedAt}, timeDest{&e.UpdatedAt})
	if err != nil {
		return nil, err
	}
	e.ReminderDelay = time.Duration(reminderDelay)
	return &e, nil
}

func collectEngagements(rows pgx.Rows) ([]*bot.Engagement, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (*bot.Engagement, error) {
		return scanEngagement(r)
	})
}

// statusArg passes a status filter; NULL (match all) when statuses is empty.
func statusArg(statuses []bot.EngagementStatus) []string {
	if len(statuses) == 0 {
		return nil
	}
	s := make([]string, len(statuses))
	for i, st := range statuses {
		s[i] = string(st)
	}
	return s
}

// CreateEngagement implements bot.EngagementStore. InvitedAt is the
// creation time; a zero UpdatedAt becomes InvitedAt. An engagement created
// not live (a record of a past one) marks nothing: no schedule points at it.
func (db *DB) CreateEngagement(ctx context.Context, e *bot.Engagement) error {
	invited := db.orNow(e.InvitedAt)
	updated := e.UpdatedAt
	if updated.IsZero() {
		updated = invited
	}
	return db.tx(ctx, func(tx pgx.Tx) error {
		stored, err := scanEngagement(tx.QueryRow(ctx, `
			INSERT INTO engagements (coach_id, client_id, status, checkin_time, workdays, weekly_weekday,
				weekly_time, reminder_delay_ns, cycle_start, cycle_days, pause_from, pause_to,
				invited_at, accepted_at, ended_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
			RETURNING `+engagementColumns,
			idArg(e.CoachID), e.ClientID, e.Status, e.CheckinTime, e.Workdays, e.WeeklyWeekday,
			e.WeeklyTime, int64(e.ReminderDelay), dateArg(e.Start), e.CycleDays,
			dateArg(e.PauseFrom), dateArg(e.PauseTo), invited, timeArg(e.AcceptedAt),
			timeArg(e.EndedAt), timeArg(updated)))
		if err != nil {
			return wrap(err, "create engagement")
		}
		if err := markEngagement(ctx, tx, stored); err != nil {
			return wrap(err, fmt.Sprintf("mark schedules of engagement %d", stored.ID))
		}
		*e = *stored
		return nil
	})
}

// Engagement implements bot.EngagementStore.
func (db *DB) Engagement(ctx context.Context, id int64) (*bot.Engagement, error) {
	e, err := scanEngagement(db.pool.QueryRow(ctx,
		`SELECT `+engagementColumns+` FROM engagements WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "That engagement does not exist.", fmt.Sprintf("load engagement %d", id))
	}
	return e, nil
}

// EngagementWithRocks implements bot.EngagementStore: both queries go in
// one batch, one round trip.
func (db *DB) EngagementWithRocks(ctx context.Context, id int64) (*bot.Engagement, []*bot.Rock, error) {
	var b pgx.Batch
	var e *bot.Engagement
	var rocks []*bot.Rock
	b.Queue(`SELECT `+engagementColumns+` FROM engagements WHERE id = $1`, id).QueryRow(func(r pgx.Row) error {
		var err error
		e, err = scanEngagement(r)
		return err
	})
	b.Queue(`SELECT `+rockColumns+` FROM rocks WHERE engagement_id = $1 ORDER BY position`, id).Query(func(rows pgx.Rows) error {
		var err error
		rocks, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (*bot.Rock, error) { return scanRock(r) })
		return err
	})
	if err := db.pool.SendBatch(ctx, &b).Close(); err != nil {
		return nil, nil, notFound(err, "That engagement does not exist.", fmt.Sprintf("load engagement %d with rocks", id))
	}
	return e, rocks, nil
}

// LiveEngagementForClient implements bot.EngagementStore.
func (db *DB) LiveEngagementForClient(ctx context.Context, clientID int64) (*bot.Engagement, error) {
	e, err := scanEngagement(db.pool.QueryRow(ctx, `
		SELECT `+engagementColumns+` FROM engagements
		WHERE client_id = $1 AND status IN ($2, $3, $4)`,
		clientID, bot.EngagementInvited, bot.EngagementActive, bot.EngagementPaused))
	if err != nil {
		return nil, notFound(err, "You have no coach at the moment.",
			fmt.Sprintf("load live engagement of client %d", clientID))
	}
	return e, nil
}

// EngagementsForCoach implements bot.EngagementStore.
func (db *DB) EngagementsForCoach(ctx context.Context, coachID int64, statuses ...bot.EngagementStatus) ([]*bot.Engagement, error) {
	rows, _ := db.pool.Query(ctx, `
		SELECT `+engagementColumns+` FROM engagements
		WHERE coach_id = $1 AND ($2::text[] IS NULL OR status = ANY ($2))
		ORDER BY id`, coachID, statusArg(statuses))
	es, err := collectEngagements(rows)
	if err != nil {
		return nil, wrap(err, fmt.Sprintf("list engagements of coach %d", coachID))
	}
	return es, nil
}

// EngagementsForClient implements bot.EngagementStore.
func (db *DB) EngagementsForClient(ctx context.Context, clientID int64) ([]*bot.Engagement, error) {
	rows, _ := db.pool.Query(ctx,
		`SELECT `+engagementColumns+` FROM engagements WHERE client_id = $1 ORDER BY id`, clientID)
	es, err := collectEngagements(rows)
	if err != nil {
		return nil, wrap(err, fmt.Sprintf("list engagements of client %d", clientID))
	}
	return es, nil
}

// ListEngagements implements bot.EngagementStore. No statuses means all
// statuses, as for EngagementsForCoach; a limit <= 0 means no limit.
func (db *DB) ListEngagements(ctx context.Context, afterID int64, limit int, statuses ...bot.EngagementStatus) ([]*bot.Engagement, error) {
	var lim *int
	if limit > 0 {
		lim = &limit
	}
	rows, _ := db.pool.Query(ctx, `
		SELECT `+engagementColumns+` FROM engagements
		WHERE id > $1 AND ($2::text[] IS NULL OR status = ANY ($2))
		ORDER BY id
		LIMIT $3`, afterID, statusArg(statuses), lim)
	es, err := collectEngagements(rows)
	if err != nil {
		return nil, wrap(err, "list engagements")
	}
	return es, nil
}

// UpdateEngagement implements bot.EngagementStore; e is filled with the
// stored row.
func (db *DB) UpdateEngagement(ctx context.Context, e *bot.Engagement) error {
	return db.tx(ctx, func(tx pgx.Tx) error {
		stored, err := scanEngagement(tx.QueryRow(ctx, `
			UPDATE engagements
			SET status = $2, checkin_time = $3, workdays = $4, weekly_weekday = $5, weekly_time = $6,
				reminder_delay_ns = $7, cycle_start = $8, cycle_days = $9, pause_from = $10, pause_to = $11,
				accepted_at = $12, ended_at = $13, updated_at = $14
			WHERE id = $1
			RETURNING `+engagementColumns,
			e.ID, e.Status, e.CheckinTime, e.Workdays, e.WeeklyWeekday, e.WeeklyTime,
			int64(e.ReminderDelay), dateArg(e.Start), e.CycleDays, dateArg(e.PauseFrom),
			dateArg(e.PauseTo), timeArg(e.AcceptedAt), timeArg(e.EndedAt), db.orNow(e.UpdatedAt)))
		if err != nil {
			return notFound(err, "That engagement does not exist.", fmt.Sprintf("update engagement %d", e.ID))
		}
		if err := markEngagement(ctx, tx, stored); err != nil {
			return wrap(err, fmt.Sprintf("mark schedules of engagement %d", e.ID))
		}
		*e = *stored
		return nil
	})
}
