package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/smart90/smart90/bot"
)

const measurableColumns = `id, engagement_id, position, name, goal, direction, unit, removed_at, created_at, updated_at`

func scanMeasurable(r row) (*bot.Measurable, error) {
	var m bot.Measurable
	err := r.Scan(&m.ID, &m.EngagementID, &m.Position, &m.Name, &m.Goal, &m.Direction, &m.Unit,
		timeDest{&m.RemovedAt}, timeDest{&m.CreatedAt}, timeDest{&m.UpdatedAt})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// checkMeasurableCounts refuses a measurable that would break the
// engagement's scorecard limits (see bot.CheckMeasurableCounts); the
// measurable except (0 for none) is not counted, and an existing one is
// not a new one for MaxMeasurablesKept. The caller holds the engagement's
// row lock.
func checkMeasurableCounts(ctx context.Context, tx pgx.Tx, engagementID, except int64, newLive bool) error {
	var live, all int
	err := tx.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE removed_at IS NULL), count(*)
		FROM measurables WHERE engagement_id = $1 AND id <> $2`, engagementID, except).
		Scan(&live, &all)
	if err != nil {
		return wrap(err, fmt.Sprintf("count measurables of engagement %d", engagementID))
	}
	if except != 0 {
		all = 0
	}
	return bot.CheckMeasurableCounts(newLive, live, all)
}

// CreateMeasurable implements bot.ScorecardStore. The engagement's row is
// locked first, so concurrent creations for one engagement queue on it and
// each counts, in a statement of its own, what the ones before it
// committed; measurables are only deleted with their engagement, so one
// past the greatest Position is never a number handed out before. A zero
// UpdatedAt becomes CreatedAt.
func (db *DB) CreateMeasurable(ctx context.Context, m *bot.Measurable) error {
	if err := m.Validate(); err != nil {
		return err
	}
	created := db.orNow(m.CreatedAt)
	updated := m.UpdatedAt
	if updated.IsZero() {
		updated = created
	}
	return db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockEngagement(ctx, tx, m.EngagementID); err != nil {
			return err
		}
		if err := checkMeasurableCounts(ctx, tx, m.EngagementID, 0, m.Live()); err != nil {
			return err
		}
		stored, err := scanMeasurable(tx.QueryRow(ctx, `
			INSERT INTO measurables (engagement_id, position, name, goal, direction, unit, removed_at, created_at, updated_at)
			VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM measurables WHERE engagement_id = $1),
				$2, $3, $4, $5, $6, $7, $8)
			RETURNING `+measurableColumns,
			m.EngagementID, m.Name, m.Goal, m.Direction, m.Unit, timeArg(m.RemovedAt), created, timeArg(updated)))
		if err != nil {
			return wrap(err, fmt.Sprintf("create measurable of engagement %d", m.EngagementID))
		}
		*m = *stored
		return nil
	})
}

// UpdateMeasurable implements bot.ScorecardStore. A removed measurable
// made live again is counted as CreateMeasurable counts a new one, under
// the engagement's row lock.
func (db *DB) UpdateMeasurable(ctx context.Context, m *bot.Measurable) error {
	if err := m.Validate(); err != nil {
		return err
	}
	updated := db.orNow(m.UpdatedAt)
	missing := "That measurable does not exist."
	return db.tx(ctx, func(tx pgx.Tx) error {
		if m.Live() {
			var engagementID int64
			err := tx.QueryRow(ctx, `
				SELECT id FROM engagements
				WHERE id = (SELECT engagement_id FROM measurables WHERE id = $1) FOR UPDATE`, m.ID).
				Scan(&engagementID)
			if err != nil {
				return notFound(err, missing, fmt.Sprintf("lock engagement of measurable %d", m.ID))
			}
			var wasLive bool
			if err := tx.QueryRow(ctx, `SELECT removed_at IS NULL FROM measurables WHERE id = $1`, m.ID).Scan(&wasLive); err != nil {
				return notFound(err, missing, fmt.Sprintf("load measurable %d", m.ID))
			}
			if !wasLive {
				if err := checkMeasurableCounts(ctx, tx, engagementID, m.ID, true); err != nil {
					return err
				}
			}
		}
		stored, err := scanMeasurable(tx.QueryRow(ctx, `
			UPDATE measurables SET name = $2, goal = $3, direction = $4, unit = $5, removed_at = $6, updated_at = $7
			WHERE id = $1
			RETURNING `+measurableColumns,
			m.ID, m.Name, m.Goal, m.Direction, m.Unit, timeArg(m.RemovedAt), updated))
		if err != nil {
			return notFound(err, missing, fmt.Sprintf("update measurable %d", m.ID))
		}
		*m = *stored
		return nil
	})
}

// Measurables implements bot.ScorecardStore.
func (db *DB) Measurables(ctx context.Context, engagementID int64) ([]*bot.Measurable, error) {
	rows, _ := db.pool.Query(ctx,
		`SELECT `+measurableColumns+` FROM measurables WHERE engagement_id = $1 ORDER BY position`, engagementID)
	ms, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*bot.Measurable, error) { return scanMeasurable(r) })
	if err != nil {
		return nil, wrap(err, fmt.Sprintf("list measurables of engagement %d", engagementID))
	}
	return ms, nil
}

// SaveMeasurableValues implements bot.ScorecardStore. The engagement's
// row lock serializes concurrent replacements of its weeks, so the last
// one wins whole.
func (db *DB) SaveMeasurableValues(ctx context.Context, engagementID int64, week bot.Date, values []bot.MeasurableValue) error {
	ids, stamps, err := db.checkValues(week, values)
	if err != nil {
		return err
	}
	nums := make([]float64, len(values))
	for i, v := range values {
		nums[i] = v.Value
	}
	err = db.tx(ctx, func(tx pgx.Tx) error {
		if err := lockEngagement(ctx, tx, engagementID); err != nil {
			return err
		}
		var own int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM measurables WHERE engagement_id = $1 AND id = ANY($2)`,
			engagementID, ids).Scan(&own); err != nil {
			return wrap(err, fmt.Sprintf("check measurables of engagement %d", engagementID))
		}
		if own != len(ids) {
			return bot.Errorf(bot.EINVALID, "That measurable is not one of this engagement's.")
		}
		if _, err := tx.Exec(ctx, `DELETE FROM measurable_values WHERE engagement_id = $1 AND week = $2`,
			engagementID, dateArg(week)); err != nil {
			return wrap(err, fmt.Sprintf("replace measurable values of engagement %d for %s", engagementID, week))
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO measurable_values (engagement_id, measurable_id, week, value, updated_at)
			SELECT $1, u.id, $2, u.value, u.at FROM unnest($3::bigint[], $4::float8[], $5::timestamptz[]) AS u (id, value, at)`,
			engagementID, dateArg(week), ids, nums, stamps); err != nil {
			return wrap(err, fmt.Sprintf("save measurable values of engagement %d for %s", engagementID, week))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i := range values {
		values[i].Week, values[i].UpdatedAt = week, stamps[i]
	}
	return nil
}

// checkValues checks a week's values before any is stored (see
// bot.ScorecardStore.SaveMeasurableValues) and returns their measurable
// ids and the instants to store, the current time for a zero UpdatedAt.
func (db *DB) checkValues(week bot.Date, values []bot.MeasurableValue) ([]int64, []time.Time, error) {
	if week.IsZero() {
		return nil, nil, bot.Errorf(bot.EINVALID, "Values need the week they are for.")
	}
	ids := make([]int64, len(values))
	stamps := make([]time.Time, len(values))
	seen := make(map[int64]bool, len(values))
	at := db.now()
	for i, v := range values {
		if err := v.Validate(); err != nil {
			return nil, nil, err
		}
		if seen[v.MeasurableID] {
			return nil, nil, bot.Errorf(bot.EINVALID, "A measurable has one value a week.")
		}
		seen[v.MeasurableID] = true
		ids[i], stamps[i] = v.MeasurableID, at
		if !v.UpdatedAt.IsZero() {
			stamps[i] = instant(v.UpdatedAt)
		}
	}
	return ids, stamps, nil
}

// MeasurableValues implements bot.ScorecardStore.
func (db *DB) MeasurableValues(ctx context.Context, engagementID int64, from, to bot.Date) ([]bot.MeasurableValue, error) {
	rows, _ := db.pool.Query(ctx, `
		SELECT v.measurable_id, v.week, v.value, v.updated_at
		FROM measurable_values v JOIN measurables m ON m.id = v.measurable_id
		WHERE v.engagement_id = $1 AND v.week BETWEEN $2 AND $3
		ORDER BY v.week, m.position`, engagementID, dateArg(from), dateArg(to))
	values, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (bot.MeasurableValue, error) {
		var v bot.MeasurableValue
		err := r.Scan(&v.MeasurableID, dateDest{&v.Week}, &v.Value, timeDest{&v.UpdatedAt})
		return v, err
	})
	if err != nil {
		return nil, wrap(err, fmt.Sprintf("list measurable values of engagement %d", engagementID))
	}
	return values, nil
}
