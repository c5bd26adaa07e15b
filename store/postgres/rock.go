package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/smart90/smart90/bot"
)

const rockColumns = `id, engagement_id, position, title, done_when, due, status, progress, created_at, updated_at`

func scanRock(r row) (*bot.Rock, error) {
	var k bot.Rock
	err := r.Scan(&k.ID, &k.EngagementID, &k.Position, &k.Title, &k.DoneWhen, dateDest{&k.Due},
		&k.Status, &k.Progress, timeDest{&k.CreatedAt}, timeDest{&k.UpdatedAt})
	if err != nil {
		return nil, err
	}
	return &k, nil
}

const rockChangeColumns = `id, rock_id, engagement_id, by_person_id, at, title, done_when, due, status, progress, note`

func scanRockChange(r row) (*bot.RockChange, error) {
	var c bot.RockChange
	err := r.Scan(&c.ID, &c.RockID, &c.EngagementID, idDest{&c.ByPersonID}, timeDest{&c.At}, &c.Title,
		&c.DoneWhen, dateDest{&c.Due}, &c.Status, &c.Progress, &c.Note)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// CreateRock implements bot.RockStore. The engagement's row is locked
// first, so concurrent creations for one engagement queue on it: each
// then counts, in a statement of its own (a fresh snapshot under READ
// COMMITTED), the rocks the ones before it committed, and numbers its
// rock from the row, so a position is never handed out twice. A zero
// UpdatedAt becomes CreatedAt.
func (db *DB) CreateRock(ctx context.Context, r *bot.Rock, byPersonID int64, note string) error {
	if err := r.ValidateChange(note); err != nil {
		return err
	}
	created := db.orNow(r.CreatedAt)
	updated := r.UpdatedAt
	if updated.IsZero() {
		updated = created
	}
	return db.tx(ctx, func(tx pgx.Tx) error {
		var start bot.Date
		var cycleDays int
		err := tx.QueryRow(ctx, `SELECT cycle_start, cycle_days FROM engagements WHERE id = $1 FOR UPDATE`, r.EngagementID).
			Scan(dateDest{&start}, &cycleDays)
		if err != nil {
			return notFound(err, "That engagement does not exist.", "lock engagement")
		}
		since := bot.CycleRocksSince(start, cycleDays, created)
		if err := checkRockCounts(ctx, tx, r.EngagementID, 0, since, r.Status.Live()); err != nil {
			return err
		}
		var position int
		err = tx.QueryRow(ctx, `
			UPDATE engagements SET last_rock_position = last_rock_position + 1
			WHERE id = $1 RETURNING last_rock_position`, r.EngagementID).Scan(&position)
		if err != nil {
			return notFound(err, "That engagement does not exist.", "number rock")
		}
		stored, err := scanRock(tx.QueryRow(ctx, `
			INSERT INTO rocks (engagement_id, position, title, done_when, due, status, progress, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			RETURNING `+rockColumns,
			r.EngagementID, position, r.Title, r.DoneWhen, dateArg(r.Due), r.Status, r.Progress,
			created, timeArg(updated)))
		if err != nil {
			return wrap(err, "create rock")
		}
		if err := addRockChange(ctx, tx, stored, byPersonID, created, note); err != nil {
			return err
		}
		*r = *stored
		return nil
	})
}

// checkRockCounts refuses a rock that would break the engagement's rock
// limits (see bot.CheckRockCounts); the rock except (0 for none) is not
// counted. The caller holds the engagement's row lock.
func checkRockCounts(ctx context.Context, tx pgx.Tx, engagementID, except int64, since time.Time, newLive bool) error {
	var live, inCycle int
	err := tx.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE status IN ($3, $4)),
			count(*) FILTER (WHERE $5::timestamptz IS NULL OR created_at >= $5)
		FROM rocks WHERE engagement_id = $1 AND id <> $2`,
		engagementID, except, bot.RockOnTrack, bot.RockOffTrack, timeArg(since)).
		Scan(&live, &inCycle)
	if err != nil {
		return wrap(err, fmt.Sprintf("count rocks of engagement %d", engagementID))
	}
	if except != 0 {
		inCycle = 0 // an existing rock is not a new one
	}
	return bot.CheckRockCounts(newLive, live, inCycle)
}

// addRockChange records r's current state in its history.
func addRockChange(ctx context.Context, q querier, r *bot.Rock, byPersonID int64, at time.Time, note string) error {
	_, err := q.Exec(ctx, `
		INSERT INTO rock_changes (rock_id, engagement_id, by_person_id, at, title, done_when, due, status, progress, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		r.ID, r.EngagementID, idArg(byPersonID), timeArg(at), r.Title, r.DoneWhen, dateArg(r.Due),
		r.Status, r.Progress, note)
	if err != nil {
		return wrap(err, fmt.Sprintf("record change of rock %d", r.ID))
	}
	return nil
}

// lockEngagement takes the engagement's row lock, which CreateRock and
// UpdateRock take before counting live rocks; ENOTFOUND when it does not
// exist.
func lockEngagement(ctx context.Context, tx pgx.Tx, id int64) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM engagements WHERE id = $1 FOR UPDATE`, id).Scan(&one)
	if err != nil {
		return notFound(err, "That engagement does not exist.", fmt.Sprintf("lock engagement %d", id))
	}
	return nil
}

// lockRocks loads the rocks ids name, each locked for the transaction and
// loaded once: a rock named twice is the same *bot.Rock, so moves applied
// to it in turn each see the one before. EINVALID when one is not among
// engagementID's rocks.
func lockRocks(ctx context.Context, tx pgx.Tx, engagementID int64, ids []int64) ([]*bot.Rock, error) {
	rocks := make([]*bot.Rock, len(ids))
	byID := make(map[int64]*bot.Rock, len(ids))
	for i, id := range ids {
		if r := byID[id]; r != nil {
			rocks[i] = r
			continue
		}
		r, err := scanRock(tx.QueryRow(ctx,
			`SELECT `+rockColumns+` FROM rocks WHERE id = $1 AND engagement_id = $2 FOR UPDATE`, id, engagementID))
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, bot.Errorf(bot.EINVALID, "That rock is not one of this engagement's rocks.")
		}
		if err != nil {
			return nil, wrap(err, fmt.Sprintf("load rock %d", id))
		}
		rocks[i], byID[id] = r, r
	}
	return rocks, nil
}

// rockMove is the status and progress a weekly report's update or a
// review's decision gives a rock, with the note for its history entry.
type rockMove struct {
	rock     *bot.Rock // as stored, locked; updated in place
	status   bot.RockStatus
	progress int
	note     string
}

// applyRockMoves moves each rock that is not already there to its status
// and progress, with a history entry by by at at. Taking up dropped or
// done rocks again counts like creating them: ECONFLICT when more than
// MaxRocks of the engagement's rocks are live afterwards. The caller holds
// the engagement's row lock (see lockEngagement), taken before the rocks'.
func applyRockMoves(ctx context.Context, tx pgx.Tx, engagementID, by int64, at time.Time, moves []rockMove) error {
	revived := false
	for _, m := range moves {
		if m.rock.Status == m.status && m.rock.Progress == m.progress {
			continue
		}
		revived = revived || m.status.Live() && !m.rock.Status.Live()
		stored, err := scanRock(tx.QueryRow(ctx, `
			UPDATE rocks SET status = $2, progress = $3, updated_at = $4 WHERE id = $1
			RETURNING `+rockColumns, m.rock.ID, m.status, m.progress, at))
		if err != nil {
			return wrap(err, fmt.Sprintf("update rock %d", m.rock.ID))
		}
		*m.rock = *stored
		if err := addRockChange(ctx, tx, stored, by, at, m.note); err != nil {
			return err
		}
	}
	if !revived {
		return nil
	}
	var live int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM rocks WHERE engagement_id = $1 AND status IN ($2, $3)`,
		engagementID, bot.RockOnTrack, bot.RockOffTrack).Scan(&live); err != nil {
		return wrap(err, fmt.Sprintf("count rocks of engagement %d", engagementID))
	}
	if live > bot.MaxRocks {
		return bot.CheckRockCounts(true, live-1, 0)
	}
	return nil
}

// Rock implements bot.RockStore.
func (db *DB) Rock(ctx context.Context, id int64) (*bot.Rock, error) {
	r, err := scanRock(db.pool.QueryRow(ctx, `SELECT `+rockColumns+` FROM rocks WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "That rock does not exist.", fmt.Sprintf("load rock %d", id))
	}
	return r, nil
}

// Rocks implements bot.RockStore.
func (db *DB) Rocks(ctx context.Context, engagementID int64) ([]*bot.Rock, error) {
	rows, _ := db.pool.Query(ctx,
		`SELECT `+rockColumns+` FROM rocks WHERE engagement_id = $1 ORDER BY position`, engagementID)
	rocks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*bot.Rock, error) { return scanRock(r) })
	if err != nil {
		return nil, wrap(err, fmt.Sprintf("list rocks of engagement %d", engagementID))
	}
	return rocks, nil
}

// UpdateRock implements bot.RockStore; r is filled with the stored row.
// A rock made live again is counted as CreateRock counts a new one,
// under the engagement's row lock.
func (db *DB) UpdateRock(ctx context.Context, r *bot.Rock, byPersonID int64, note string) error {
	if err := r.ValidateChange(note); err != nil {
		return err
	}
	updated := db.orNow(r.UpdatedAt)
	return db.tx(ctx, func(tx pgx.Tx) error {
		if r.Status.Live() {
			var engagementID int64
			var status bot.RockStatus
			err := tx.QueryRow(ctx, `
				SELECT id FROM engagements
				WHERE id = (SELECT engagement_id FROM rocks WHERE id = $1) FOR UPDATE`, r.ID).
				Scan(&engagementID)
			if err != nil {
				return notFound(err, "That rock does not exist.", fmt.Sprintf("lock engagement of rock %d", r.ID))
			}
			if err := tx.QueryRow(ctx, `SELECT status FROM rocks WHERE id = $1`, r.ID).Scan(&status); err != nil {
				return notFound(err, "That rock does not exist.", fmt.Sprintf("load rock %d", r.ID))
			}
			if !status.Live() {
				if err := checkRockCounts(ctx, tx, engagementID, r.ID, time.Time{}, true); err != nil {
					return err
				}
			}
		}
		stored, err := scanRock(tx.QueryRow(ctx, `
			UPDATE rocks SET title = $2, done_when = $3, due = $4, status = $5, progress = $6, updated_at = $7
			WHERE id = $1
			RETURNING `+rockColumns,
			r.ID, r.Title, r.DoneWhen, dateArg(r.Due), r.Status, r.Progress, updated))
		if err != nil {
			return notFound(err, "That rock does not exist.", fmt.Sprintf("update rock %d", r.ID))
		}
		if err := addRockChange(ctx, tx, stored, byPersonID, updated, note); err != nil {
			return err
		}
		*r = *stored
		return nil
	})
}

// RockHistory implements bot.RockStore.
func (db *DB) RockHistory(ctx context.Context, engagementID int64, since time.Time) ([]*bot.RockChange, error) {
	rows, _ := db.pool.Query(ctx, `
		SELECT `+rockChangeColumns+` FROM rock_changes
		WHERE engagement_id = $1 AND at >= $2
		ORDER BY at, id`, engagementID, instant(since))
	changes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*bot.RockChange, error) {
		return scanRockChange(r)
	})
	if err != nil {
		return nil, wrap(err, fmt.Sprintf("list rock history of engagement %d", engagementID))
	}
	return changes, nil
}
