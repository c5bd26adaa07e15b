package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/smart90/smart90/bot"
)

const checkInColumns = `id, engagement_id, day, moved, priority, priority_rock_id, stuck, energy,
	status, submitted_at, updated_at`

func scanCheckIn(s scanner) (*bot.CheckIn, error) {
	var c bot.CheckIn
	err := s.Scan(&c.ID, &c.EngagementID, date{&c.Day}, &c.Moved, &c.Priority, ref{&c.PriorityRockID},
		&c.Stuck, &c.Energy, &c.Status, instant{&c.SubmittedAt}, instant{&c.UpdatedAt})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

const (
	checkInNotFound = "Check-in not found."
	reportNotFound  = "Weekly report not found."
	foreignRock     = "That rock is not one of this engagement's rocks."
)

// rockOf returns rock rockID, or EINVALID when it is not one of
// engagementID's rocks.
func rockOf(ctx context.Context, tx *sql.Tx, rockID, engagementID int64) (*bot.Rock, error) {
	r, err := scanRock(tx.QueryRowContext(ctx, `SELECT `+rockColumns+` FROM rocks WHERE id = ?`, rockID))
	if errors.Is(err, sql.ErrNoRows) || err == nil && r.EngagementID != engagementID {
		return nil, &bot.Error{Code: bot.EINVALID, Message: foreignRock}
	}
	return r, err
}

// SaveCheckIn implements bot.AnswerStore. Replacing a check-in keeps its ID.
func (db *DB) SaveCheckIn(ctx context.Context, c *bot.CheckIn) error {
	if err := c.Validate(); err != nil {
		return err
	}
	f := failure{op: "save check-in", missing: engagementNotFound}
	updated := db.stamp(c.UpdatedAt)
	return f.wrap(db.inTx(ctx, func(tx *sql.Tx) error {
		if c.PriorityRockID != 0 {
			if _, err := rockOf(ctx, tx, c.PriorityRockID, c.EngagementID); err != nil {
				return err
			}
		}
		got, err := scanCheckIn(tx.QueryRowContext(ctx, `
			INSERT INTO check_ins (engagement_id, day, moved, priority, priority_rock_id, stuck, energy,
				status, submitted_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (engagement_id, day) DO UPDATE SET
				moved = excluded.moved,
				priority = excluded.priority,
				priority_rock_id = excluded.priority_rock_id,
				stuck = excluded.stuck,
				energy = excluded.energy,
				status = excluded.status,
				submitted_at = excluded.submitted_at,
				updated_at = excluded.updated_at
			RETURNING `+checkInColumns,
			c.EngagementID, c.Day.String(), c.Moved, c.Priority, nullID(c.PriorityRockID), c.Stuck,
			c.Energy, c.Status, micros(c.SubmittedAt), micros(updated)))
		if err != nil {
			return err
		}
		*c = *got
		return nil
	}))
}

// CheckIn implements bot.AnswerStore.
func (db *DB) CheckIn(ctx context.Context, engagementID int64, day bot.Date) (*bot.CheckIn, error) {
	f := failure{op: "load check-in", missing: checkInNotFound}
	c, err := scanCheckIn(db.db.QueryRowContext(ctx,
		`SELECT `+checkInColumns+` FROM check_ins WHERE engagement_id = ? AND day = ?`,
		engagementID, day.String()))
	return c, f.wrap(err)
}

// CheckIns implements bot.AnswerStore.
func (db *DB) CheckIns(ctx context.Context, engagementID int64, from, to bot.Date) ([]*bot.CheckIn, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT `+checkInColumns+` FROM check_ins
		WHERE engagement_id = ? AND day >= ? AND day <= ?
		ORDER BY day`, engagementID, from.String(), to.String())
	out, err := collect(rows, err, scanCheckIn)
	if err != nil {
		return nil, failure{op: "list check-ins"}.wrap(err)
	}
	return out, nil
}

const weeklyReportColumns = `id, engagement_id, week, win, stuck, ask, status, submitted_at, updated_at`

func scanWeeklyReport(s scanner) (*bot.WeeklyReport, error) {
	var w bot.WeeklyReport
	err := s.Scan(&w.ID, &w.EngagementID, date{&w.Week}, &w.Win, &w.Stuck, &w.Ask, &w.Status,
		instant{&w.SubmittedAt}, instant{&w.UpdatedAt})
	if err != nil {
		return nil, err
	}
	return &w, nil
}

// SaveWeeklyReport implements bot.AnswerStore. Replacing a report keeps
// its ID.
func (db *DB) SaveWeeklyReport(ctx context.Context, w *bot.WeeklyReport, applyBy int64) error {
	if err := w.Validate(); err != nil {
		return err
	}
	f := failure{op: "save weekly report", missing: engagementNotFound}
	updated := db.stamp(w.UpdatedAt)
	return f.wrap(db.inTx(ctx, func(tx *sql.Tx) error {
		rocks := make([]*bot.Rock, len(w.Rocks))
		seen := make(map[int64]bool, len(w.Rocks))
		for i, u := range w.Rocks {
			if seen[u.RockID] {
				return &bot.Error{Code: bot.EINVALID, Message: "A rock can appear only once in a weekly report."}
			}
			seen[u.RockID] = true
			r, err := rockOf(ctx, tx, u.RockID, w.EngagementID)
			if err != nil {
				return err
			}
			rocks[i] = r
		}
		got, err := scanWeeklyReport(tx.QueryRowContext(ctx, `
			INSERT INTO weekly_reports (engagement_id, week, win, stuck, ask, status, submitted_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (engagement_id, week) DO UPDATE SET
				win = excluded.win,
				stuck = excluded.stuck,
				ask = excluded.ask,
				status = excluded.status,
				submitted_at = excluded.submitted_at,
				updated_at = excluded.updated_at
			RETURNING `+weeklyReportColumns,
			w.EngagementID, w.Week.String(), w.Win, w.Stuck, w.Ask, w.Status,
			micros(w.SubmittedAt), micros(updated)))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM weekly_rock_updates WHERE report_id = ?`, got.ID); err != nil {
			return err
		}
		moves := make([]rockMove, len(w.Rocks))
		for i, u := range w.Rocks {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO weekly_rock_updates (report_id, position, rock_id, status, progress, note)
				VALUES (?, ?, ?, ?, ?, ?)`, got.ID, i, u.RockID, u.Status, u.Progress, u.Note); err != nil {
				return err
			}
			moves[i] = rockMove{rock: rocks[i], status: u.Status, progress: u.Progress, note: u.Note}
		}
		if applyBy != 0 {
			if err := applyRockMoves(ctx, tx, w.EngagementID, applyBy, updated, moves); err != nil {
				return err
			}
		}
		got.Rocks = w.Rocks
		*w = *got
		return nil
	}))
}

// WeeklyReport implements bot.AnswerStore.
func (db *DB) WeeklyReport(ctx context.Context, engagementID int64, week bot.Date) (*bot.WeeklyReport, error) {
	f := failure{op: "load weekly report", missing: reportNotFound}
	var w *bot.WeeklyReport
	err := db.readTx(ctx, func(tx *sql.Tx) (err error) {
		w, err = scanWeeklyReport(tx.QueryRowContext(ctx,
			`SELECT `+weeklyReportColumns+` FROM weekly_reports WHERE engagement_id = ? AND week = ?`,
			engagementID, week.String()))
		if err != nil {
			return err
		}
		return loadRockUpdates(ctx, tx, []*bot.WeeklyReport{w})
	})
	if err != nil {
		return nil, f.wrap(err)
	}
	return w, nil
}

// WeeklyReports implements bot.AnswerStore.
func (db *DB) WeeklyReports(ctx context.Context, engagementID int64, from, to bot.Date) ([]*bot.WeeklyReport, error) {
	var out []*bot.WeeklyReport
	err := db.readTx(ctx, func(tx *sql.Tx) (err error) {
		rows, err := tx.QueryContext(ctx, `
			SELECT `+weeklyReportColumns+` FROM weekly_reports
			WHERE engagement_id = ? AND week >= ? AND week <= ?
			ORDER BY week`, engagementID, from.String(), to.String())
		if out, err = collect(rows, err, scanWeeklyReport); err != nil {
			return err
		}
		return loadRockUpdates(ctx, tx, out)
	})
	if err != nil {
		return nil, failure{op: "list weekly reports"}.wrap(err)
	}
	return out, nil
}

// loadRockUpdates fills the Rocks of reports, in the order they were saved.
func loadRockUpdates(ctx context.Context, q queryer, reports []*bot.WeeklyReport) error {
	if len(reports) == 0 {
		return nil
	}
	byID := make(map[int64]*bot.WeeklyReport, len(reports))
	args := make([]any, len(reports))
	for i, w := range reports {
		byID[w.ID] = w
		args[i] = w.ID
	}
	rows, err := q.QueryContext(ctx, `
		SELECT report_id, rock_id, status, progress, note FROM weekly_rock_updates
		WHERE report_id IN (?`+strings.Repeat(", ?", len(reports)-1)+`)
		ORDER BY report_id, position`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var reportID int64
		var u bot.RockUpdate
		if err := rows.Scan(&reportID, &u.RockID, &u.Status, &u.Progress, &u.Note); err != nil {
			return err
		}
		w := byID[reportID]
		w.Rocks = append(w.Rocks, u)
	}
	return rows.Err()
}
