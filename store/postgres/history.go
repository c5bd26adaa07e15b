package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"

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
// single-engagement methods, so a History holds what those return (the
// conformance suite compares them); a report's rock lines and the
// scorecard values' order within a week are put together here, which
// costs less than in SQL.
func (db *DB) Histories(ctx context.Context, ids []int64, w bot.HistoryWindow) (map[int64]*bot.History, error) {
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
		ORDER BY engagement_id, day`, ids, dateArg(w.From), dateArg(w.To))
	queueEach(&b, scanRock, func(r *bot.Rock) {
		if h := out[r.EngagementID]; h != nil {
			h.Rocks = append(h.Rocks, r)
		}
	}, `
		SELECT `+rockColumns+` FROM rocks
		WHERE engagement_id = ANY ($1)
		ORDER BY engagement_id, position`, ids)
	rockHistory, args := `
		SELECT `+rockChangeColumns+` FROM rock_changes
		WHERE engagement_id = ANY ($1)
		ORDER BY engagement_id, at, id`, []any{ids}
	if !w.RocksSince.IsZero() {
		rockHistory, args = rockHistorySince, []any{ids, instant(w.RocksSince)}
	}
	queueEach(&b, scanRockChange, func(c *bot.RockChange) {
		if h := out[c.EngagementID]; h != nil {
			h.RockHistory = append(h.RockHistory, c)
		}
	}, rockHistory, args...)
	// The reports, then their rock lines by a second statement: cheaper
	// than building and decoding each report's lines as JSON.
	reports := map[int64]*bot.WeeklyReport{}
	queueEach(&b, scanWeeklyReportOnly, func(w *bot.WeeklyReport) {
		if h := out[w.EngagementID]; h != nil {
			h.Reports = append(h.Reports, w)
			reports[w.ID] = w
		}
	}, `
		SELECT `+weeklyReportOnlyColumns+` FROM weekly_reports r
		WHERE r.engagement_id = ANY ($1) AND r.week BETWEEN $2 AND $3
		ORDER BY r.engagement_id, r.week`, ids, dateArg(w.From), dateArg(w.To))
	b.Queue(`
		SELECT u.report_id, u.rock_id, u.status, u.progress, u.note
		FROM weekly_rock_updates u JOIN weekly_reports r ON r.id = u.report_id
		WHERE r.engagement_id = ANY ($1) AND r.week BETWEEN $2 AND $3
		ORDER BY u.report_id, u.position`, ids, dateArg(w.From), dateArg(w.To)).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var id int64
			var u bot.RockUpdate
			if err := rows.Scan(&id, &u.RockID, &u.Status, &u.Progress, &u.Note); err != nil {
				return err
			}
			if r := reports[id]; r != nil {
				r.Rocks = append(r.Rocks, u)
			}
		}
		return rows.Err()
	})
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
		ORDER BY engagement_id, due_at, id`, ids, bot.DeliveryDaily, instant(w.DueFrom), instant(w.DueTo))
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
	// Scorecard values by week; within a week by the measurable's
	// position, sorted here (a join to measurables would cost more).
	b.Queue(`
		SELECT v.engagement_id, v.measurable_id, v.week, v.value, v.updated_at
		FROM measurable_values v
		WHERE v.engagement_id = ANY ($1) AND v.week BETWEEN $2 AND $3
		ORDER BY v.engagement_id, v.week`, ids, dateArg(w.ScoresFrom), dateArg(w.To)).Query(func(rows pgx.Rows) error {
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
	for _, h := range out {
		sortValues(h)
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

// sortValues puts h's scorecard values of each week in the order of
// their measurables' positions, as bot.History has them.
func sortValues(h *bot.History) {
	pos := make(map[int64]int, len(h.Measurables))
	for _, m := range h.Measurables {
		pos[m.ID] = m.Position
	}
	slices.SortStableFunc(h.Values, func(a, b bot.MeasurableValue) int {
		return cmp.Or(a.Week.UTC().Compare(b.Week.UTC()), cmp.Compare(pos[a.MeasurableID], pos[b.MeasurableID]))
	})
}

// rockHistorySince reads the rock history of engagements $1 as
// bot.RockHistorySince does from instant $2: the entries since then and,
// by index probes on each rock's entries in order, its last entry before
// then and the first after the last one before it with another status
// (the start of the run of its last status). UNION drops the second copy
// of an entry that is both.
var rockHistorySince = `
	SELECT ` + rockChangeColumns + ` FROM rock_changes
	WHERE engagement_id = ANY ($1) AND at >= $2
	UNION
	SELECT ` + prefixed("l", rockChangeColumns) + ` FROM rocks k
	CROSS JOIN LATERAL (
		SELECT * FROM rock_changes c WHERE c.rock_id = k.id AND c.at < $2
		ORDER BY c.at DESC, c.id DESC LIMIT 1) l
	WHERE k.engagement_id = ANY ($1)
	UNION
	SELECT ` + prefixed("f", rockChangeColumns) + ` FROM rocks k
	CROSS JOIN LATERAL (
		SELECT c.status FROM rock_changes c WHERE c.rock_id = k.id AND c.at < $2
		ORDER BY c.at DESC, c.id DESC LIMIT 1) l
	LEFT JOIN LATERAL (
		SELECT c.at, c.id FROM rock_changes c WHERE c.rock_id = k.id AND c.at < $2 AND c.status <> l.status
		ORDER BY c.at DESC, c.id DESC LIMIT 1) d ON true
	CROSS JOIN LATERAL (
		SELECT * FROM rock_changes c WHERE c.rock_id = k.id AND (d.id IS NULL OR (c.at, c.id) > (d.at, d.id))
		ORDER BY c.at, c.id LIMIT 1) f
	WHERE k.engagement_id = ANY ($1)
	ORDER BY engagement_id, at, id`
