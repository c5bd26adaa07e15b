package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/smart90/smart90/bot"
)

const checkInColumns = `id, engagement_id, day, moved, priority, priority_rock_id, stuck, energy, status,
	submitted_at, updated_at`

func scanCheckIn(r row) (*bot.CheckIn, error) {
	var c bot.CheckIn
	err := r.Scan(&c.ID, &c.EngagementID, dateDest{&c.Day}, &c.Moved, &c.Priority, idDest{&c.PriorityRockID},
		&c.Stuck, &c.Energy, &c.Status, timeDest{&c.SubmittedAt}, timeDest{&c.UpdatedAt})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// SaveCheckIn implements bot.AnswerStore. A PriorityRockID of another
// engagement is EINVALID (a composite foreign key checks it).
func (db *DB) SaveCheckIn(ctx context.Context, c *bot.CheckIn) error {
	if err := c.Validate(); err != nil {
		return err
	}
	stored, err := scanCheckIn(db.pool.QueryRow(ctx, `
		INSERT INTO check_ins (engagement_id, day, moved, priority, priority_rock_id, stuck, energy, status,
			submitted_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (engagement_id, day) DO UPDATE
		SET moved = EXCLUDED.moved, priority = EXCLUDED.priority, priority_rock_id = EXCLUDED.priority_rock_id,
			stuck = EXCLUDED.stuck, energy = EXCLUDED.energy, status = EXCLUDED.status,
			submitted_at = EXCLUDED.submitted_at, updated_at = EXCLUDED.updated_at
		RETURNING `+checkInColumns,
		c.EngagementID, dateArg(c.Day), c.Moved, c.Priority, idArg(c.PriorityRockID), c.Stuck, c.Energy,
		c.Status, timeArg(c.SubmittedAt), db.orNow(c.UpdatedAt)))
	if err != nil {
		return wrap(err, fmt.Sprintf("save check-in of engagement %d for %s", c.EngagementID, c.Day))
	}
	*c = *stored
	return nil
}

// CheckIn implements bot.AnswerStore.
func (db *DB) CheckIn(ctx context.Context, engagementID int64, day bot.Date) (*bot.CheckIn, error) {
	c, err := scanCheckIn(db.pool.QueryRow(ctx,
		`SELECT `+checkInColumns+` FROM check_ins WHERE engagement_id = $1 AND day = $2`,
		engagementID, dateArg(day)))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("There is no check-in for %s.", day),
			fmt.Sprintf("load check-in of engagement %d for %s", engagementID, day))
	}
	return c, nil
}

// CheckIns implements bot.AnswerStore.
func (db *DB) CheckIns(ctx context.Context, engagementID int64, from, to bot.Date) ([]*bot.CheckIn, error) {
	rows, _ := db.pool.Query(ctx, `
		SELECT `+checkInColumns+` FROM check_ins
		WHERE engagement_id = $1 AND day BETWEEN $2 AND $3
		ORDER BY day`, engagementID, dateArg(from), dateArg(to))
	cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*bot.CheckIn, error) { return scanCheckIn(r) })
	if err != nil {
		return nil, wrap(err, fmt.Sprintf("list check-ins of engagement %d", engagementID))
	}
	return cs, nil
}

// weeklyReportColumns reads a report with its rock updates in one
// statement, so a list never mixes a report with another version's lines.
// weeklyReportOnlyColumns are a report's columns without its rock lines.
const weeklyReportOnlyColumns = `r.id, r.engagement_id, r.week, r.win, r.stuck, r.ask, r.status, r.submitted_at,
	r.updated_at`

const weeklyReportColumns = weeklyReportOnlyColumns + `,
	(SELECT jsonb_agg(jsonb_build_object('RockID', u.rock_id, 'Status', u.status,
			'Progress', u.progress, 'Note', u.note) ORDER BY u.position)
		FROM weekly_rock_updates u WHERE u.report_id = r.id)`

// scanWeeklyReportOnly scans weeklyReportOnlyColumns.
func scanWeeklyReportOnly(r row) (*bot.WeeklyReport, error) {
	var w bot.WeeklyReport
	err := r.Scan(&w.ID, &w.EngagementID, dateDest{&w.Week}, &w.Win, &w.Stuck, &w.Ask, &w.Status,
		timeDest{&w.SubmittedAt}, timeDest{&w.UpdatedAt})
	if err != nil {
		return nil, err
	}
	return &w, nil
}

func scanWeeklyReport(r row) (*bot.WeeklyReport, error) {
	var w bot.WeeklyReport
	err := r.Scan(&w.ID, &w.EngagementID, dateDest{&w.Week}, &w.Win, &w.Stuck, &w.Ask, &w.Status,
		timeDest{&w.SubmittedAt}, timeDest{&w.UpdatedAt}, &w.Rocks)
	if err != nil {
		return nil, err
	}
	return &w, nil
}

// SaveWeeklyReport implements bot.AnswerStore. The rocks it applies updates
// to are locked for the transaction, so the comparison with their current
// state holds until the change is written.
func (db *DB) SaveWeeklyReport(ctx context.Context, w *bot.WeeklyReport, applyBy int64) error {
	if err := w.Validate(); err != nil {
		return err
	}
	updated := db.orNow(w.UpdatedAt)
	return db.tx(ctx, func(tx pgx.Tx) error {
		// Applied updates may take up dropped or done rocks again, which
		// counts like creating them: the engagement's row lock is taken
		// first, in the order CreateRock and UpdateRock take it.
		if applyBy != 0 {
			if err := lockEngagement(ctx, tx, w.EngagementID); err != nil {
				return err
			}
		}
		var id int64
		err := tx.QueryRow(ctx, `
			INSERT INTO weekly_reports (engagement_id, week, win, stuck, ask, status, submitted_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (engagement_id, week) DO UPDATE
			SET win = EXCLUDED.win, stuck = EXCLUDED.stuck, ask = EXCLUDED.ask, status = EXCLUDED.status,
				submitted_at = EXCLUDED.submitted_at, updated_at = EXCLUDED.updated_at
			RETURNING id`,
			w.EngagementID, dateArg(w.Week), w.Win, w.Stuck, w.Ask, w.Status, timeArg(w.SubmittedAt),
			updated).Scan(&id)
		if err != nil {
			return wrap(err, fmt.Sprintf("save weekly report of engagement %d for %s", w.EngagementID, w.Week))
		}
		if _, err := tx.Exec(ctx, `DELETE FROM weekly_rock_updates WHERE report_id = $1`, id); err != nil {
			return wrap(err, fmt.Sprintf("replace rock updates of weekly report %d", id))
		}
		ids := make([]int64, len(w.Rocks))
		for i, u := range w.Rocks {
			ids[i] = u.RockID
		}
		rocks, err := lockRocks(ctx, tx, w.EngagementID, ids)
		if err != nil {
			return err
		}
		moves := make([]rockMove, len(w.Rocks))
		for i, u := range w.Rocks {
			if _, err := tx.Exec(ctx, `
				INSERT INTO weekly_rock_updates (report_id, position, engagement_id, rock_id, status, progress, note)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				id, i+1, w.EngagementID, u.RockID, u.Status, u.Progress, u.Note); err != nil {
				return wrap(err, fmt.Sprintf("save rock update of weekly report %d", id))
			}
			moves[i] = rockMove{rock: rocks[i], status: u.Status, progress: u.Progress, note: u.Note}
		}
		if applyBy != 0 {
			if err := applyRockMoves(ctx, tx, w.EngagementID, applyBy, updated, moves); err != nil {
				return err
			}
		}
		stored, err := scanWeeklyReport(tx.QueryRow(ctx,
			`SELECT `+weeklyReportColumns+` FROM weekly_reports r WHERE r.id = $1`, id))
		if err != nil {
			return wrap(err, fmt.Sprintf("load weekly report %d", id))
		}
		*w = *stored
		return nil
	})
}

// WeeklyReport implements bot.AnswerStore.
func (db *DB) WeeklyReport(ctx context.Context, engagementID int64, week bot.Date) (*bot.WeeklyReport, error) {
	w, err := scanWeeklyReport(db.pool.QueryRow(ctx,
		`SELECT `+weeklyReportColumns+` FROM weekly_reports r WHERE r.engagement_id = $1 AND r.week = $2`,
		engagementID, dateArg(week)))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("There is no weekly report for the week of %s.", week),
			fmt.Sprintf("load weekly report of engagement %d for %s", engagementID, week))
	}
	return w, nil
}

// WeeklyReports implements bot.AnswerStore.
func (db *DB) WeeklyReports(ctx context.Context, engagementID int64, from, to bot.Date) ([]*bot.WeeklyReport, error) {
	rows, _ := db.pool.Query(ctx, `
		SELECT `+weeklyReportColumns+` FROM weekly_reports r
		WHERE r.engagement_id = $1 AND r.week BETWEEN $2 AND $3
		ORDER BY r.week`, engagementID, dateArg(from), dateArg(to))
	ws, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*bot.WeeklyReport, error) {
		return scanWeeklyReport(r)
	})
	if err != nil {
		return nil, wrap(err, fmt.Sprintf("list weekly reports of engagement %d", engagementID))
	}
	return ws, nil
}
