package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/smart90/smart90/bot"
)

const engagementColumns = `id, coach_id, client_id, status, checkin_time, workdays, weekly_weekday,
	weekly_time, reminder_delay, cycle_start, cycle_days, pause_from, pause_to,
	invited_at, accepted_at, ended_at, updated_at`

func scanEngagement(s scanner) (*bot.Engagement, error) {
	var e bot.Engagement
	var delay int64
	err := s.Scan(&e.ID, ref{&e.CoachID}, &e.ClientID, &e.Status, integer(&e.CheckinTime),
		integer(&e.Workdays), integer(&e.WeeklyWeekday), integer(&e.WeeklyTime), &delay,
		date{&e.Start}, &e.CycleDays, date{&e.PauseFrom}, date{&e.PauseTo},
		instant{&e.InvitedAt}, instant{&e.AcceptedAt}, instant{&e.EndedAt}, instant{&e.UpdatedAt})
	if err != nil {
		return nil, err
	}
	e.ReminderDelay = time.Duration(delay)
	return &e, nil
}

const (
	engagementNotFound = "Engagement not found."
	engagementConflict = "That client already has a coach."
)

// CreateEngagement implements bot.EngagementStore. An engagement created
// not live (a record of a past one) marks nothing: no schedule points at it.
func (db *DB) CreateEngagement(ctx context.Context, e *bot.Engagement) error {
	f := failure{op: "create engagement", missing: "Coach or client not found.", conflict: engagementConflict}
	invited := db.stamp(e.InvitedAt)
	updated := db.stamp(e.UpdatedAt, invited)
	var id int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `
			INSERT INTO engagements (coach_id, client_id, status, checkin_time, workdays, weekly_weekday,
				weekly_time, reminder_delay, cycle_start, cycle_days, pause_from, pause_to,
				invited_at, accepted_at, ended_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			RETURNING id`,
			nullID(e.CoachID), e.ClientID, e.Status, int64(e.CheckinTime), int64(e.Workdays),
			int64(e.WeeklyWeekday), int64(e.WeeklyTime), int64(e.ReminderDelay),
			e.Start.String(), e.CycleDays, e.PauseFrom.String(), e.PauseTo.String(),
			micros(invited), micros(e.AcceptedAt), micros(e.EndedAt), micros(updated)).Scan(&id)
		if err != nil {
			return err
		}
		return markEngagement(ctx, tx, e.ClientID, id, e.Status, updated)
	})
	if err != nil {
		return f.wrap(err)
	}
	e.ID, e.InvitedAt, e.UpdatedAt = id, invited, updated
	e.AcceptedAt, e.EndedAt = utc(e.AcceptedAt), utc(e.EndedAt)
	return nil
}

// Engagement implements bot.EngagementStore.
func (db *DB) Engagement(ctx context.Context, id int64) (*bot.Engagement, error) {
	f := failure{op: "load engagement", missing: engagementNotFound}
	e, err := scanEngagement(db.db.QueryRowContext(ctx,
		`SELECT `+engagementColumns+` FROM engagements WHERE id = ?`, id))
	return e, f.wrap(err)
}

// EngagementWithRocks implements bot.EngagementStore: two reads, since
// SQLite is in-process and a round trip costs nothing.
func (db *DB) EngagementWithRocks(ctx context.Context, id int64) (*bot.Engagement, []*bot.Rock, error) {
	e, err := db.Engagement(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	rocks, err := db.Rocks(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	return e, rocks, nil
}

// LiveEngagementForClient implements bot.EngagementStore.
func (db *DB) LiveEngagementForClient(ctx context.Context, clientID int64) (*bot.Engagement, error) {
	f := failure{op: "load live engagement", missing: engagementNotFound}
	e, err := scanEngagement(db.db.QueryRowContext(ctx,
		`SELECT `+engagementColumns+` FROM engagements WHERE client_id = ? AND status IN (?, ?, ?)`,
		clientID, bot.EngagementInvited, bot.EngagementActive, bot.EngagementPaused))
	return e, f.wrap(err)
}

// statusFilter returns an SQL condition on status matching any of
// statuses (always true when there are none) and its arguments.
func statusFilter(statuses []bot.EngagementStatus) (string, []any) {
	if len(statuses) == 0 {
		return "1", nil
	}
	args := make([]any, len(statuses))
	for i, s := range statuses {
		args[i] = s
	}
	return "status IN (?" + strings.Repeat(", ?", len(statuses)-1) + ")", args
}

// EngagementsForCoach implements bot.EngagementStore.
func (db *DB) EngagementsForCoach(ctx context.Context, coachID int64, statuses ...bot.EngagementStatus) ([]*bot.Engagement, error) {
	cond, args := statusFilter(statuses)
	rows, err := db.db.QueryContext(ctx,
		`SELECT `+engagementColumns+` FROM engagements WHERE coach_id = ? AND `+cond+` ORDER BY id`,
		append([]any{coachID}, args...)...)
	out, err := collect(rows, err, scanEngagement)
	if err != nil {
		return nil, failure{op: "list engagements for coach"}.wrap(err)
	}
	return out, nil
}

// EngagementsForClient implements bot.EngagementStore.
func (db *DB) EngagementsForClient(ctx context.Context, clientID int64) ([]*bot.Engagement, error) {
	rows, err := db.db.QueryContext(ctx,
		`SELECT `+engagementColumns+` FROM engagements WHERE client_id = ? ORDER BY id`, clientID)
	out, err := collect(rows, err, scanEngagement)
	if err != nil {
		return nil, failure{op: "list engagements for client"}.wrap(err)
	}
	return out, nil
}

// ListEngagements implements bot.EngagementStore. A limit of 0 or less
// means no limit.
func (db *DB) ListEngagements(ctx context.Context, afterID int64, limit int, statuses ...bot.EngagementStatus) ([]*bot.Engagement, error) {
	if limit <= 0 {
		limit = -1
	}
	cond, args := statusFilter(statuses)
	args = append([]any{afterID}, args...)
	rows, err := db.db.QueryContext(ctx,
		`SELECT `+engagementColumns+` FROM engagements WHERE id > ? AND `+cond+` ORDER BY id LIMIT ?`,
		append(args, limit)...)
	out, err := collect(rows, err, scanEngagement)
	if err != nil {
		return nil, failure{op: "list engagements"}.wrap(err)
	}
	return out, nil
}

// UpdateEngagement implements bot.EngagementStore. The schedules marked
// are those of the stored client, not of e.ClientID, which is not stored.
func (db *DB) UpdateEngagement(ctx context.Context, e *bot.Engagement) error {
	f := failure{op: "update engagement", missing: engagementNotFound, conflict: engagementConflict}
	updated := db.stamp(e.UpdatedAt)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var clientID int64
		err := tx.QueryRowContext(ctx, `
			UPDATE engagements SET status = ?, checkin_time = ?, workdays = ?, weekly_weekday = ?,
				weekly_time = ?, reminder_delay = ?, cycle_start = ?, cycle_days = ?, pause_from = ?,
				pause_to = ?, accepted_at = ?, ended_at = ?, updated_at = ?
			WHERE id = ?
			RETURNING client_id`,
			e.Status, int64(e.CheckinTime), int64(e.Workdays), int64(e.WeeklyWeekday),
			int64(e.WeeklyTime), int64(e.ReminderDelay), e.Start.String(), e.CycleDays,
			e.PauseFrom.String(), e.PauseTo.String(), micros(e.AcceptedAt), micros(e.EndedAt),
			micros(updated), e.ID).Scan(&clientID)
		if err != nil {
			return err
		}
		return markEngagement(ctx, tx, clientID, e.ID, e.Status, updated)
	})
	if err != nil {
		return f.wrap(err)
	}
	e.UpdatedAt = updated
	e.AcceptedAt, e.EndedAt = utc(e.AcceptedAt), utc(e.EndedAt)
	return nil
}
