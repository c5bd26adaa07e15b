package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/smart90/smart90/bot"
)

const rockColumns = `id, engagement_id, position, title, done_when, due, status, progress, created_at, updated_at`

func scanRock(s scanner) (*bot.Rock, error) {
	var r bot.Rock
	err := s.Scan(&r.ID, &r.EngagementID, &r.Position, &r.Title, &r.DoneWhen, date{&r.Due},
		&r.Status, &r.Progress, instant{&r.CreatedAt}, instant{&r.UpdatedAt})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

const rockChangeColumns = `id, rock_id, engagement_id, by_person_id, at, title, done_when, due, status, progress, note`

func scanRockChange(s scanner) (*bot.RockChange, error) {
	var c bot.RockChange
	err := s.Scan(&c.ID, &c.RockID, &c.EngagementID, ref{&c.ByPersonID}, instant{&c.At}, &c.Title,
		&c.DoneWhen, date{&c.Due}, &c.Status, &c.Progress, &c.Note)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

const rockNotFound = "Rock not found."

// addRockChange records r's current state as a history entry.
func addRockChange(ctx context.Context, tx *sql.Tx, r *bot.Rock, by int64, at time.Time, note string) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO rock_changes (rock_id, engagement_id, by_person_id, at, title, done_when, due, status, progress, note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.EngagementID, nullID(by), micros(at), r.Title, r.DoneWhen, r.Due.String(),
		r.Status, r.Progress, note)
	return err
}

// rockMove is the status and progress a weekly report's update or a
// review's decision gives a rock, with the note for its history entry.
type rockMove struct {
	rock     *bot.Rock // as stored
	status   bot.RockStatus
	progress int
	note     string
}

// applyRockMoves moves each rock that is not already there to its status
// and progress, with a history entry by by at at. Taking up dropped or
// done rocks again counts like creating them: ECONFLICT when more than
// MaxRocks of the engagement's rocks are live afterwards. The caller holds
// the write lock, taken when its transaction began.
func applyRockMoves(ctx context.Context, tx *sql.Tx, engagementID, by int64, at time.Time, moves []rockMove) error {
	revived := false
	for _, m := range moves {
		r := m.rock
		if r.Status == m.status && r.Progress == m.progress {
			continue
		}
		revived = revived || m.status.Live() && !r.Status.Live()
		r.Status, r.Progress, r.UpdatedAt = m.status, m.progress, at
		if _, err := tx.ExecContext(ctx, `UPDATE rocks SET status = ?, progress = ?, updated_at = ? WHERE id = ?`,
			r.Status, r.Progress, micros(at), r.ID); err != nil {
			return err
		}
		if err := addRockChange(ctx, tx, r, by, at, m.note); err != nil {
			return err
		}
	}
	if !revived {
		return nil
	}
	var live int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM rocks WHERE engagement_id = ? AND status IN (?, ?)`,
		engagementID, bot.RockOnTrack, bot.RockOffTrack).Scan(&live); err != nil {
		return err
	}
	if live > bot.MaxRocks {
		return bot.CheckRockCounts(true, live-1, 0)
	}
	return nil
}

// CreateRock implements bot.RockStore. Rocks are only ever deleted with
// their engagement, so the next Position is one past the greatest. The
// transaction takes SQLite's write lock from the start (_txlock=immediate),
// so concurrent creations run one after the other and each counts the
// rocks the ones before it stored.
func (db *DB) CreateRock(ctx context.Context, r *bot.Rock, byPersonID int64, note string) error {
	if err := r.ValidateChange(note); err != nil {
		return err
	}
	f := failure{op: "create rock", missing: engagementNotFound}
	created := db.stamp(r.CreatedAt)
	updated := db.stamp(r.UpdatedAt, created)
	return f.wrap(db.inTx(ctx, func(tx *sql.Tx) error {
		if err := checkRockCounts(ctx, tx, r.EngagementID, 0, created, r.Status.Live()); err != nil {
			return err
		}
		var pos int
		err := tx.QueryRowContext(ctx, `
			INSERT INTO rocks (engagement_id, position, title, done_when, due, status, progress, created_at, updated_at)
			VALUES (?, (SELECT coalesce(max(position), 0) + 1 FROM rocks WHERE engagement_id = ?), ?, ?, ?, ?, ?, ?, ?)
			RETURNING id, position`,
			r.EngagementID, r.EngagementID, r.Title, r.DoneWhen, r.Due.String(), r.Status, r.Progress,
			micros(created), micros(updated)).Scan(&r.ID, &pos)
		if err != nil {
			return err
		}
		r.Position, r.CreatedAt, r.UpdatedAt = pos, created, updated
		return addRockChange(ctx, tx, r, byPersonID, created, note)
	}))
}

// checkRockCounts refuses a rock that would break the engagement's rock
// limits (see bot.CheckRockCounts); the rock except (0 for none) is not
// counted. The caller holds the write lock. A missing engagement is
// ENOTFOUND.
func checkRockCounts(ctx context.Context, tx *sql.Tx, engagementID, except int64, at time.Time, newLive bool) error {
	var start bot.Date
	var cycleDays int
	err := tx.QueryRowContext(ctx, `SELECT cycle_start, cycle_days FROM engagements WHERE id = ?`, engagementID).Scan(date{&start}, &cycleDays)
	if err != nil {
		return err
	}
	var live, inCycle int
	err = tx.QueryRowContext(ctx, `
		SELECT count(*) FILTER (WHERE status IN (?, ?)), count(*) FILTER (WHERE created_at >= ?)
		FROM rocks WHERE engagement_id = ? AND id <> ?`,
		bot.RockOnTrack, bot.RockOffTrack, unixMicro(bot.CycleRocksSince(start, cycleDays, at)), engagementID, except).
		Scan(&live, &inCycle)
	if err != nil {
		return err
	}
	if except != 0 {
		inCycle = 0 // an existing rock is not a new one
	}
	return bot.CheckRockCounts(newLive, live, inCycle)
}

// Rock implements bot.RockStore.
func (db *DB) Rock(ctx context.Context, id int64) (*bot.Rock, error) {
	f := failure{op: "load rock", missing: rockNotFound}
	r, err := scanRock(db.db.QueryRowContext(ctx, `SELECT `+rockColumns+` FROM rocks WHERE id = ?`, id))
	return r, f.wrap(err)
}

// Rocks implements bot.RockStore.
func (db *DB) Rocks(ctx context.Context, engagementID int64) ([]*bot.Rock, error) {
	rows, err := db.db.QueryContext(ctx,
		`SELECT `+rockColumns+` FROM rocks WHERE engagement_id = ? ORDER BY position`, engagementID)
	out, err := collect(rows, err, scanRock)
	if err != nil {
		return nil, failure{op: "list rocks"}.wrap(err)
	}
	return out, nil
}

// UpdateRock implements bot.RockStore. r is filled with the stored row.
// A rock made live again is counted as CreateRock counts a new one.
func (db *DB) UpdateRock(ctx context.Context, r *bot.Rock, byPersonID int64, note string) error {
	if err := r.ValidateChange(note); err != nil {
		return err
	}
	f := failure{op: "update rock", missing: rockNotFound}
	updated := db.stamp(r.UpdatedAt)
	return f.wrap(db.inTx(ctx, func(tx *sql.Tx) error {
		if r.Status.Live() {
			// A rock made live again counts as a new one would.
			var engagementID int64
			var status bot.RockStatus
			err := tx.QueryRowContext(ctx, `SELECT engagement_id, status FROM rocks WHERE id = ?`, r.ID).Scan(&engagementID, &status)
			if err != nil {
				return err
			}
			if !status.Live() {
				if err := checkRockCounts(ctx, tx, engagementID, r.ID, updated, true); err != nil {
					return err
				}
			}
		}
		got, err := scanRock(tx.QueryRowContext(ctx, `
			UPDATE rocks SET title = ?, done_when = ?, due = ?, status = ?, progress = ?, updated_at = ?
			WHERE id = ?
			RETURNING `+rockColumns,
			r.Title, r.DoneWhen, r.Due.String(), r.Status, r.Progress, micros(updated), r.ID))
		if err != nil {
			return err
		}
		if err := addRockChange(ctx, tx, got, byPersonID, updated, note); err != nil {
			return err
		}
		*r = *got
		return nil
	}))
}

// RockHistory implements bot.RockStore.
func (db *DB) RockHistory(ctx context.Context, engagementID int64, since time.Time) ([]*bot.RockChange, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT `+rockChangeColumns+` FROM rock_changes
		WHERE engagement_id = ? AND at >= ?
		ORDER BY at, id`, engagementID, unixMicro(since))
	out, err := collect(rows, err, scanRockChange)
	if err != nil {
		return nil, failure{op: "list rock history"}.wrap(err)
	}
	return out, nil
}
