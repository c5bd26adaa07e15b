package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/smart90/smart90/bot"
)

const measurableColumns = `id, engagement_id, position, name, goal, direction, unit, removed_at, created_at, updated_at`

func scanMeasurable(s scanner) (*bot.Measurable, error) {
	var m bot.Measurable
	err := s.Scan(&m.ID, &m.EngagementID, &m.Position, &m.Name, &m.Goal, &m.Direction, &m.Unit,
		instant{&m.RemovedAt}, instant{&m.CreatedAt}, instant{&m.UpdatedAt})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

const (
	measurableNotFound = "Measurable not found."
	foreignMeasurable  = "That measurable is not one of this engagement's."
)

// checkMeasurableCounts refuses a measurable that would break the
// engagement's scorecard limits (see bot.CheckMeasurableCounts); the
// measurable except (0 for none) is not counted, and an existing one is
// not a new one for MaxMeasurablesKept. The caller holds the write lock.
func checkMeasurableCounts(ctx context.Context, tx *sql.Tx, engagementID, except int64, newLive bool) error {
	var live, all int
	err := tx.QueryRowContext(ctx, `
		SELECT count(*) FILTER (WHERE removed_at IS NULL), count(*)
		FROM measurables WHERE engagement_id = ? AND id <> ?`, engagementID, except).Scan(&live, &all)
	if err != nil {
		return err
	}
	if except != 0 {
		all = 0
	}
	return bot.CheckMeasurableCounts(newLive, live, all)
}

// engagementExists returns ENOTFOUND unless the engagement exists.
func engagementExists(ctx context.Context, tx *sql.Tx, id int64) error {
	var one int
	return tx.QueryRowContext(ctx, `SELECT 1 FROM engagements WHERE id = ?`, id).Scan(&one)
}

// CreateMeasurable implements bot.ScorecardStore. The transaction takes
// SQLite's write lock from the start (_txlock=immediate), so concurrent
// creations run one after the other and each counts the measurables the
// ones before it stored. Measurables are only deleted with their
// engagement, so the next Position is one past the greatest.
func (db *DB) CreateMeasurable(ctx context.Context, m *bot.Measurable) error {
	if err := m.Validate(); err != nil {
		return err
	}
	f := failure{op: "create measurable", missing: engagementNotFound}
	created := db.stamp(m.CreatedAt)
	updated := db.stamp(m.UpdatedAt, created)
	return f.wrap(db.inTx(ctx, func(tx *sql.Tx) error {
		if err := engagementExists(ctx, tx, m.EngagementID); err != nil {
			return err
		}
		if err := checkMeasurableCounts(ctx, tx, m.EngagementID, 0, m.Live()); err != nil {
			return err
		}
		got, err := scanMeasurable(tx.QueryRowContext(ctx, `
			INSERT INTO measurables (engagement_id, position, name, goal, direction, unit, removed_at, created_at, updated_at)
			VALUES (?, (SELECT coalesce(max(position), 0) + 1 FROM measurables WHERE engagement_id = ?), ?, ?, ?, ?, ?, ?, ?)
			RETURNING `+measurableColumns,
			m.EngagementID, m.EngagementID, m.Name, m.Goal, m.Direction, m.Unit, micros(m.RemovedAt),
			micros(created), micros(updated)))
		if err != nil {
			return err
		}
		*m = *got
		return nil
	}))
}

// UpdateMeasurable implements bot.ScorecardStore. A removed measurable
// made live again is counted as CreateMeasurable counts a new one.
func (db *DB) UpdateMeasurable(ctx context.Context, m *bot.Measurable) error {
	if err := m.Validate(); err != nil {
		return err
	}
	f := failure{op: "update measurable", missing: measurableNotFound}
	updated := db.stamp(m.UpdatedAt)
	return f.wrap(db.inTx(ctx, func(tx *sql.Tx) error {
		if m.Live() {
			var engagementID int64
			var wasLive bool
			err := tx.QueryRowContext(ctx, `SELECT engagement_id, removed_at IS NULL FROM measurables WHERE id = ?`, m.ID).
				Scan(&engagementID, &wasLive)
			if err != nil {
				return err
			}
			if !wasLive {
				if err := checkMeasurableCounts(ctx, tx, engagementID, m.ID, true); err != nil {
					return err
				}
			}
		}
		got, err := scanMeasurable(tx.QueryRowContext(ctx, `
			UPDATE measurables SET name = ?, goal = ?, direction = ?, unit = ?, removed_at = ?, updated_at = ?
			WHERE id = ?
			RETURNING `+measurableColumns,
			m.Name, m.Goal, m.Direction, m.Unit, micros(m.RemovedAt), micros(updated), m.ID))
		if err != nil {
			return err
		}
		*m = *got
		return nil
	}))
}

// Measurables implements bot.ScorecardStore.
func (db *DB) Measurables(ctx context.Context, engagementID int64) ([]*bot.Measurable, error) {
	rows, err := db.db.QueryContext(ctx,
		`SELECT `+measurableColumns+` FROM measurables WHERE engagement_id = ? ORDER BY position`, engagementID)
	out, err := collect(rows, err, scanMeasurable)
	if err != nil {
		return nil, failure{op: "list measurables"}.wrap(err)
	}
	return out, nil
}

// SaveMeasurableValues implements bot.ScorecardStore; the write lock,
// taken when the transaction begins, makes each replacement whole.
func (db *DB) SaveMeasurableValues(ctx context.Context, engagementID int64, week bot.Date, values []bot.MeasurableValue) error {
	if week.IsZero() {
		return &bot.Error{Code: bot.EINVALID, Message: "Values need the week they are for."}
	}
	at := db.stamp()
	stamps := make([]time.Time, len(values))
	seen := make(map[int64]bool, len(values))
	for i, v := range values {
		if err := v.Validate(); err != nil {
			return err
		}
		if seen[v.MeasurableID] {
			return &bot.Error{Code: bot.EINVALID, Message: "A measurable has one value a week."}
		}
		seen[v.MeasurableID], stamps[i] = true, db.stamp(v.UpdatedAt, at)
	}
	f := failure{op: "save measurable values", missing: engagementNotFound}
	err := f.wrap(db.inTx(ctx, func(tx *sql.Tx) error {
		if err := engagementExists(ctx, tx, engagementID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM measurable_values WHERE engagement_id = ? AND week = ?`,
			engagementID, week.String()); err != nil {
			return err
		}
		for i, v := range values {
			var own int64
			err := tx.QueryRowContext(ctx, `SELECT engagement_id FROM measurables WHERE id = ?`, v.MeasurableID).Scan(&own)
			if errors.Is(err, sql.ErrNoRows) || err == nil && own != engagementID {
				return &bot.Error{Code: bot.EINVALID, Message: foreignMeasurable}
			} else if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO measurable_values (engagement_id, measurable_id, week, value, updated_at)
				VALUES (?, ?, ?, ?, ?)`, engagementID, v.MeasurableID, week.String(), v.Value, micros(stamps[i])); err != nil {
				return err
			}
		}
		return nil
	}))
	if err != nil {
		return err
	}
	for i := range values {
		values[i].Week, values[i].UpdatedAt = week, stamps[i]
	}
	return nil
}

// MeasurableValues implements bot.ScorecardStore.
func (db *DB) MeasurableValues(ctx context.Context, engagementID int64, from, to bot.Date) ([]bot.MeasurableValue, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT v.measurable_id, v.week, v.value, v.updated_at
		FROM measurable_values v JOIN measurables m ON m.id = v.measurable_id
		WHERE v.engagement_id = ? AND v.week BETWEEN ? AND ?
		ORDER BY v.week, m.position`, engagementID, from.String(), to.String())
	vals, err := collect(rows, err, func(s scanner) (*bot.MeasurableValue, error) {
		var v bot.MeasurableValue
		err := s.Scan(&v.MeasurableID, date{&v.Week}, &v.Value, instant{&v.UpdatedAt})
		return &v, err
	})
	if err != nil {
		return nil, failure{op: "list measurable values"}.wrap(err)
	}
	out := make([]bot.MeasurableValue, len(vals))
	for i, v := range vals {
		out[i] = *v
	}
	return out, nil
}
