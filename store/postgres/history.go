package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/smart90/smart90/bot"
)

// Histories implements bot.HistoryStore in one round trip whatever
// len(ids): one SELECT per kind of row, each over every engagement at once
// (engagement_id = ANY), queued in one batch between the BEGIN and COMMIT
// of a read-only REPEATABLE READ transaction, so that they all read one
// snapshot. When a statement fails the server skips the rest, and the
// connection, left in the aborted transaction, is discarded by the pool.
// Rows are read with the column lists, scans and orders of the
// single-engagement methods, so a History holds what those return.
func (db *DB) Histories(ctx context.Context, ids []int64, from, to bot.Date, dueFrom, dueTo time.Time) (map[int64]*bot.History, error) {
	out := make(map[int64]*bot.History, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var b pgx.Batch
	b.Queue(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`)
	b.Queue(`
		SELECT e.id, `+prefixed("p", personColumns)+`
		FROM engagements e JOIN people p ON p.id = e.client_id
		WHERE e.id = ANY ($1)`, ids).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var id int64
			var p bot.Person
			if err := rows.Scan(append([]any{&id}, personDest(&p)...)...); err != nil {
				return err
			}
			out[id] = &bot.History{Client: &p}
		}
		return rows.Err()
	})
	// The first SELECT made the histories; the others add each row to
	// its engagement's.
	queueEach(&b, scanCheckIn, func(c *bot.CheckIn) {
		if h := out[c.EngagementID]; h != nil {
			h.CheckIns = append(h.CheckIns, c)
		}
	}, `
		SELECT `+checkInColumns+` FROM check_ins
		WHERE engagement_id = ANY ($1) AND day BETWEEN $2 AND $3
		ORDER BY engagement_id, day`, ids, dateArg(from), dateArg(to))
	queueEach(&b, scanRock, func(r *bot.Rock) {
		if h := out[r.EngagementID]; h != nil {
			h.Rocks = append(h.Rocks, r)
		}
	}, `
		SELECT `+rockColumns+` FROM rocks
		WHERE engagement_id = ANY ($1)
		ORDER BY engagement_id, position`, ids)
	queueEach(&b, scanRockChange, func(c *bot.RockChange) {
		if h := out[c.EngagementID]; h != nil {
			h.RockHistory = append(h.RockHistory, c)
		}
	}, `
		SELECT `+rockChangeColumns+` FROM rock_changes
		WHERE engagement_id = ANY ($1)
		ORDER BY engagement_id, at, id`, ids)
	queueEach(&b, scanWeeklyReport, func(w *bot.WeeklyReport) {
		if h := out[w.EngagementID]; h != nil {
			h.Reports = append(h.Reports, w)
		}
	}, `
		SELECT `+weeklyReportColumns+` FROM weekly_reports r
		WHERE r.engagement_id = ANY ($1) AND r.week BETWEEN $2 AND $3
		ORDER BY r.engagement_id, r.week`, ids, dateArg(from), dateArg(to))
	queueEach(&b, scanReview, func(rv *bot.Review) {
		if h := out[rv.EngagementID]; h != nil {
			h.Reviews = append(h.Reviews, rv)
		}
	}, `
		SELECT `+reviewColumns+` FROM reviews v
		WHERE v.engagement_id = ANY ($1)
		ORDER BY v.engagement_id, v.cycle`, ids)
	queueEach(&b, scanSession, func(s *bot.Session) {
		if h := out[s.EngagementID]; h != nil {
			h.Sessions = append(h.Sessions, s)
		}
	}, `
		SELECT `+sessionColumns+` FROM sessions
		WHERE engagement_id = ANY ($1)
		ORDER BY engagement_id, day, id`, ids)
	queueEach(&b, scanDelivery, func(d *bot.Delivery) {
		if h := out[d.EngagementID]; h != nil {
			h.Deliveries = append(h.Deliveries, d)
		}
	}, `
		SELECT `+deliveryColumns+` FROM deliveries
		WHERE engagement_id = ANY ($1) AND kind = $2 AND due_at >= $3 AND due_at < $4
		ORDER BY engagement_id, due_at, id`, ids, bot.DeliveryDaily, instant(dueFrom), instant(dueTo))
	queueEach(&b, scanSchedule, func(s *bot.Schedule) {
		s.Person = nil
		// A client of two of the engagements (an ended one and the next)
		// has one daily schedule: each of their histories gets a copy.
		for _, h := range out {
			if h.Client.ID == s.PersonID {
				c := *s
				h.Daily = &c
			}
		}
	}, scheduleSelect+`
		WHERE s.kind = $2 AND s.person_id IN (SELECT client_id FROM engagements WHERE id = ANY ($1))`,
		ids, bot.DeliveryDaily)
	queueEach(&b, scanMeasurable, func(m *bot.Measurable) {
		if h := out[m.EngagementID]; h != nil {
			h.Measurables = append(h.Measurables, m)
		}
	}, `
		SELECT `+measurableColumns+` FROM measurables
		WHERE engagement_id = ANY ($1)
		ORDER BY engagement_id, position`, ids)
	b.Queue(`
		SELECT v.engagement_id, v.measurable_id, v.week, v.value, v.updated_at
		FROM measurable_values v JOIN measurables m ON m.id = v.measurable_id
		WHERE v.engagement_id = ANY ($1) AND v.week BETWEEN $2 AND $3
		ORDER BY v.engagement_id, v.week, m.position`, ids, dateArg(from), dateArg(to)).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var id int64
			var v bot.MeasurableValue
			if err := rows.Scan(&id, &v.MeasurableID, dateDest{&v.Week}, &v.Value, timeDest{&v.UpdatedAt}); err != nil {
				return err
			}
			if h := out[id]; h != nil {
				h.Values = append(h.Values, v)
			}
		}
		return rows.Err()
	})
	b.Queue(`COMMIT`)

	if err := db.pool.SendBatch(ctx, &b).Close(); err != nil {
		return nil, wrap(err, fmt.Sprintf("load histories of %d engagements", len(ids)))
	}
	return out, nil
}

// queueEach queues a query to b and gives each row it returns, as scan
// reads it, to each.
func queueEach[T any](b *pgx.Batch, scan func(row) (*T, error), each func(*T), sql string, args ...any) {
	b.Queue(sql, args...).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				return err
			}
			each(v)
		}
		return rows.Err()
	})
}
