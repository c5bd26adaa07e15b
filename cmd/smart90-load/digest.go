package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/loadtest"
	"github.com/smart90/smart90/store/postgres"
)

// The practice the digest scenario reads: coaches × clients, each client a
// year into their coaching (cycle 5), with a year of check-ins, weekly
// reports, rocks and rock changes. It is written by SQL in PostgreSQL
// itself (generate_series): the store's one-row methods would take hours
// for the millions of rows, and what is measured is reading them.
const practiceWorkspace = "PRACTICE"

// seedPractice fills db with the practice and returns the coaches, by ID.
func seedPractice(ctx context.Context, db *postgres.DB, coaches, perCoach, days int, today bot.Date) error {
	start := today.AddDays(-days + 1)
	now := today.UTC()
	steps := []struct {
		what string
		sql  string
		args []any
	}{
		{"installation", `INSERT INTO installations (platform, external_id, name, status, created_at, updated_at)
			VALUES ('console', $1, 'Practice', 'active', $2, $2)`, []any{practiceWorkspace, now}},
		{"coaches", `INSERT INTO people (installation_id, external_id, display_name, time_zone, is_coach, digest_weekday, digest_time, created_at, updated_at)
			SELECT i.id, 'C' || lpad(g::text, 5, '0'), 'coach ' || g, 'Europe/London', true, 1, 420, $2, $2
			FROM installations i, generate_series(1, $1) g WHERE i.external_id = $3`, []any{coaches, now, practiceWorkspace}},
		{"clients", `INSERT INTO people (installation_id, external_id, display_name, time_zone, digest_weekday, digest_time, created_at, updated_at)
			SELECT i.id, 'U' || lpad(g::text, 7, '0'), 'client ' || g,
				(ARRAY['Europe/Paris','America/New_York','Asia/Tokyo','Europe/London','Australia/Sydney'])[1 + g % 5], 1, 420, $2, $2
			FROM installations i, generate_series(1, $1) g WHERE i.external_id = $3`, []any{coaches * perCoach, now, practiceWorkspace}},
		{"engagements", `INSERT INTO engagements (coach_id, client_id, status, checkin_time, workdays, weekly_weekday, weekly_time,
				reminder_delay_ns, cycle_start, cycle_days, invited_at, accepted_at, updated_at, last_rock_position)
			SELECT co.id, cl.id, 'active', 540, 62, 5, 900, 0, $1::date, 90, $2, $2, $2, 16
			FROM people cl
			JOIN people co ON co.external_id = 'C' || lpad((1 + (substr(cl.external_id, 2)::int - 1) / $3)::text, 5, '0')
			WHERE cl.external_id LIKE 'U%'`, []any{start.String(), start.UTC(), perCoach}},
		// Four rocks a cycle; those of past cycles done or dropped.
		{"rocks", `INSERT INTO rocks (engagement_id, position, title, done_when, due, status, progress, created_at, updated_at)
			SELECT e.id, (c - 1) * 4 + r, 'Rock ' || r || ' of cycle ' || c, 'measurably done', $1::date + c * 90 - 1,
				CASE WHEN c < 5 THEN (CASE WHEN r = 4 THEN 'dropped' ELSE 'done' END) WHEN r = 2 THEN 'off_track' ELSE 'on_track' END,
				CASE WHEN c < 5 THEN 100 ELSE 10 * r END,
				$2::timestamptz + (c - 1) * interval '90 days', $2::timestamptz + (c - 1) * interval '90 days' + interval '80 days'
			FROM engagements e, generate_series(1, 5) c, generate_series(1, 4) r
			WHERE $1::date + (c - 1) * 90 <= $3::date`, []any{start.String(), start.UTC(), today.String()}},
		// A change a week for each rock while its cycle runs.
		{"rock changes", `INSERT INTO rock_changes (rock_id, engagement_id, by_person_id, at, title, done_when, due, status, progress, note)
			SELECT k.id, k.engagement_id, e.client_id, k.created_at + w * interval '7 days', k.title, k.done_when, k.due,
				CASE WHEN w = 12 THEN k.status WHEN k.position % 4 = 2 AND w % 3 = 0 THEN 'off_track' ELSE 'on_track' END,
				LEAST(100, w * 8), 'week ' || w || ': moved the needle on ' || k.title
			FROM rocks k JOIN engagements e ON e.id = k.engagement_id, generate_series(0, 12) w
			WHERE k.created_at + w * interval '7 days' < $1`, []any{now}},
		// Check-ins on workdays: most answered, some skipped, a few off.
		{"check-ins", `INSERT INTO check_ins (engagement_id, day, moved, priority, priority_rock_id, stuck, energy, status, submitted_at, updated_at)
			SELECT e.id, d::date,
				CASE WHEN h % 10 < 8 THEN 'sent ' || (h % 7) || ' proposals' ELSE '' END,
				CASE WHEN h % 10 < 8 THEN 'call the ' || (h % 5) || ' leads' ELSE '' END,
				NULL,
				CASE WHEN h % 10 < 8 AND h % 4 = 0 THEN 'budget approval' WHEN h % 10 < 8 THEN 'no' ELSE '' END,
				CASE WHEN h % 10 < 8 THEN 1 + h % 5 ELSE 0 END,
				CASE WHEN h % 10 < 8 THEN 'complete' WHEN h % 10 = 8 THEN 'skipped' ELSE 'off' END,
				d + interval '9 hours', d + interval '9 hours'
			FROM engagements e, generate_series($1::date, $2::date - 1, interval '1 day') d,
				LATERAL (SELECT abs(hashint8(e.id * 100000 + (d::date - $1::date))) AS h) x
			WHERE extract(isodow FROM d) < 6`, []any{start.String(), today.String()}},
		{"weekly reports", `INSERT INTO weekly_reports (engagement_id, week, win, stuck, ask, status, submitted_at, updated_at)
			SELECT e.id, w::date, 'signed ' || (e.id % 5) || ' pilots', 'hiring', 'how to delegate', 'complete',
				w + interval '4 days 15 hours', w + interval '4 days 15 hours'
			FROM engagements e, generate_series(date_trunc('week', $1::date) + interval '7 days', $2::date - 7, interval '7 days') w`,
			[]any{start.String(), today.String()}},
		{"weekly rock lines", `INSERT INTO weekly_rock_updates (report_id, position, engagement_id, rock_id, status, progress, note)
			SELECT wr.id, row_number() OVER (PARTITION BY wr.id ORDER BY k.position), k.engagement_id, k.id, 'on_track', 50, 'one line on it'
			FROM weekly_reports wr JOIN rocks k ON k.engagement_id = wr.engagement_id
				AND wr.week >= k.created_at::date AND wr.week < k.created_at::date + 90`, nil},
		// The daily check-ins' deliveries, sent at 09:00 in the client's
		// zone on each workday, and the schedule that planned them.
		{"deliveries", `INSERT INTO deliveries (person_id, engagement_id, kind, period, due_at, state, attempts, sent_at, created_at, updated_at)
			SELECT e.client_id, e.id, 'daily', to_char(d, 'YYYY-MM-DD'), (d::date + time '09:00') AT TIME ZONE p.time_zone, 'sent', 1,
				(d::date + time '09:00') AT TIME ZONE p.time_zone, (d::date + time '09:00') AT TIME ZONE p.time_zone,
				(d::date + time '09:00') AT TIME ZONE p.time_zone
			FROM engagements e JOIN people p ON p.id = e.client_id, generate_series($1::date, $2::date - 1, interval '1 day') d
			WHERE extract(isodow FROM d) < 6`, []any{start.String(), today.String()}},
		{"schedules", `INSERT INTO schedules (person_id, kind, engagement_id, next_at, period, updated_at)
			SELECT e.client_id, 'daily', e.id, ($1::date + time '09:00') AT TIME ZONE p.time_zone, $1, $2
			FROM engagements e JOIN people p ON p.id = e.client_id`, []any{today.String(), now}},
		// A session every other week, with the coach's notes.
		{"sessions", `INSERT INTO sessions (engagement_id, day, notes, created_at)
			SELECT e.id, d::date, 'talked about delegation; next: hire an assistant', d + interval '11 hours'
			FROM engagements e, generate_series($1::date + 3, $2::date - 1, interval '14 days') d`, []any{start.String(), today.String()}},
		// The quarterly review of each cycle that ended, and its lines.
		{"reviews", `INSERT INTO reviews (engagement_id, cycle, win, change, status, submitted_at, updated_at)
			SELECT e.id, c, 'closed the seed round', 'fewer rocks', 'complete',
				$1::timestamptz + (c * 90 - 3) * interval '1 day', $1::timestamptz + (c * 90 - 3) * interval '1 day'
			FROM engagements e, generate_series(1, 4) c
			WHERE $2::date + c * 90 <= $3::date`, []any{start.UTC(), start.String(), today.String()}},
		{"review lines", `INSERT INTO review_rocks (review_id, position, engagement_id, rock_id, decision, learned)
			SELECT v.id, k.position - (v.cycle - 1) * 4, k.engagement_id, k.id,
				CASE WHEN k.status = 'dropped' THEN 'drop' ELSE 'done' END, 'start earlier'
			FROM reviews v JOIN rocks k ON k.engagement_id = v.engagement_id
				AND k.position BETWEEN (v.cycle - 1) * 4 + 1 AND v.cycle * 4`, nil},
		// A scorecard of three numbers, each with a value every week.
		{"measurables", `INSERT INTO measurables (engagement_id, position, name, goal, direction, unit, created_at, updated_at)
			SELECT e.id, m, (ARRAY['Sales calls', 'Demos', 'Churned accounts'])[m], (ARRAY[15, 3, 1])[m],
				(ARRAY['at_least', 'at_least', 'at_most'])[m], (ARRAY['/ week', '', ''])[m], $1, $1
			FROM engagements e, generate_series(1, 3) m`, []any{start.UTC()}},
		{"scorecard values", `INSERT INTO measurable_values (engagement_id, measurable_id, week, value, updated_at)
			SELECT m.engagement_id, m.id, w::date, m.goal + (abs(hashint8(m.id * 1000 + (w::date - $1::date))) % 7) - 3, w + interval '4 days 15 hours'
			FROM measurables m, generate_series(date_trunc('week', $1::date) + interval '7 days', $2::date - 7, interval '7 days') w`,
			[]any{start.String(), today.String()}},
	}
	for _, s := range steps {
		if _, err := db.Pool().Exec(ctx, s.sql, s.args...); err != nil {
			return fmt.Errorf("seed %s: %w", s.what, err)
		}
	}
	_, err := db.Pool().Exec(ctx, "VACUUM ANALYZE")
	return err
}

// counting counts the store calls the bot makes, to check that a digest
// costs a bounded number of them per coach.
type counting struct {
	bot.Store
	n       atomic.Int64
	reading atomic.Int64 // nanoseconds in Histories, summed over callers
}

func (c *counting) Person(ctx context.Context, id int64) (*bot.Person, error) {
	c.n.Add(1)
	return c.Store.Person(ctx, id)
}

func (c *counting) EngagementsForCoach(ctx context.Context, id int64, st ...bot.EngagementStatus) ([]*bot.Engagement, error) {
	c.n.Add(1)
	return c.Store.EngagementsForCoach(ctx, id, st...)
}

func (c *counting) CheckIns(ctx context.Context, id int64, from, to bot.Date) ([]*bot.CheckIn, error) {
	c.n.Add(1)
	return c.Store.CheckIns(ctx, id, from, to)
}

func (c *counting) Rocks(ctx context.Context, id int64) ([]*bot.Rock, error) {
	c.n.Add(1)
	return c.Store.Rocks(ctx, id)
}

func (c *counting) RockHistory(ctx context.Context, id int64, since time.Time) ([]*bot.RockChange, error) {
	c.n.Add(1)
	return c.Store.RockHistory(ctx, id, since)
}

func (c *counting) WeeklyReports(ctx context.Context, id int64, from, to bot.Date) ([]*bot.WeeklyReport, error) {
	c.n.Add(1)
	return c.Store.WeeklyReports(ctx, id, from, to)
}

func (c *counting) Deliveries(ctx context.Context, id int64, from, to time.Time) ([]*bot.Delivery, error) {
	c.n.Add(1)
	return c.Store.Deliveries(ctx, id, from, to)
}

func (c *counting) Schedules(ctx context.Context, id int64) ([]*bot.Schedule, error) {
	c.n.Add(1)
	return c.Store.Schedules(ctx, id)
}

func (c *counting) Reviews(ctx context.Context, id int64) ([]*bot.Review, error) {
	c.n.Add(1)
	return c.Store.Reviews(ctx, id)
}

func (c *counting) Histories(ctx context.Context, ids []int64, w bot.HistoryWindow) (map[int64]*bot.History, error) {
	c.n.Add(1)
	defer func(t0 time.Time) { c.reading.Add(int64(time.Since(t0))) }(time.Now())
	return c.Store.Histories(ctx, ids, w)
}

func (c *counting) Measurables(ctx context.Context, id int64) ([]*bot.Measurable, error) {
	c.n.Add(1)
	return c.Store.Measurables(ctx, id)
}

func (c *counting) MeasurableValues(ctx context.Context, id int64, from, to bot.Date) ([]bot.MeasurableValue, error) {
	c.n.Add(1)
	return c.Store.MeasurableValues(ctx, id, from, to)
}

func (c *counting) Sessions(ctx context.Context, id int64) ([]*bot.Session, error) {
	c.n.Add(1)
	return c.Store.Sessions(ctx, id)
}

// measureDigest renders every coach's digest of last week for a practice
// a year old, then briefs of random clients, and reports the time, the
// store calls per coach and the peak memory.
func measureDigest(ctx context.Context, c config, log *slog.Logger, out io.Writer) error {
	charts := "with charts"
	if !c.DigestCharts {
		charts = "without charts (SMART90_CHARTS=off)"
	}
	fmt.Fprintf(out, "## Digest: %d coaches × %d clients, a year of history each, %s (PostgreSQL)\n\n", c.DigestCoaches, c.DigestClients, charts)
	db, _, drop, err := openFresh(ctx, c, log, "&pool_max_conns=8")
	if err != nil {
		return err
	}
	defer drop()
	now := time.Now().UTC()
	today := bot.DateOf(now)
	started := time.Now()
	if err := seedPractice(ctx, db, c.DigestCoaches, c.DigestClients, 365, today); err != nil {
		return err
	}
	var rows int64
	if err := db.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM check_ins) + (SELECT count(*) FROM rock_changes)
		+ (SELECT count(*) FROM weekly_reports) + (SELECT count(*) FROM weekly_rock_updates)
		+ (SELECT count(*) FROM deliveries) + (SELECT count(*) FROM sessions) + (SELECT count(*) FROM reviews)
		+ (SELECT count(*) FROM review_rocks) + (SELECT count(*) FROM measurable_values)`).Scan(&rows); err != nil {
		return err
	}
	fmt.Fprintf(out, "Seeded %d clients and %d rows of history in %.0fs (then VACUUM ANALYZE).\n\n", c.DigestCoaches*c.DigestClients, rows, time.Since(started).Seconds())

	store := &counting{Store: db}
	core, err := bot.New(bot.Config{Store: store, Messenger: &loadtest.Discard{}, State: loadtest.NopState{}, Clock: loadtest.NewClock(now), Logger: log, NoCharts: !c.DigestCharts})
	if err != nil {
		return err
	}
	coaches, err := db.ListCoaches(ctx)
	if err != nil {
		return err
	}
	week := today.WeekStart().AddDays(-7)
	runtime.GC()
	var peak atomic.Uint64
	stopSampling := sampleHeap(&peak)
	var replies, images atomic.Int64
	if c.DigestProfile != "" {
		f, err := os.Create(c.DigestProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	start := time.Now()
	err = forEach(ctx, coaches, max(1, c.DigestWorkers), func(coach *bot.Person) error {
		_, parts, err := core.ComposeDigest(ctx, coach, week)
		replies.Add(int64(len(parts)))
		for _, p := range parts {
			images.Add(int64(len(p.Images)))
		}
		return err
	})
	took := time.Since(start)
	if c.DigestProfile != "" {
		pprof.StopCPUProfile()
	}
	stopSampling()
	if err != nil {
		return err
	}
	calls := store.n.Load()
	fmt.Fprintln(out, "| measure | value |")
	fmt.Fprintln(out, "| --- | ---: |")
	fmt.Fprintf(out, "| every coach's digest composed (%d coaches, %d thread replies, %d charts; %d at a time) | %.1f s |\n",
		len(coaches), replies.Load(), images.Load(), max(1, c.DigestWorkers), took.Seconds())
	fmt.Fprintf(out, "| per coach | %.1f ms |\n", float64(took.Milliseconds())/float64(len(coaches)))
	fmt.Fprintf(out, "| store calls per coach | %.1f |\n", float64(calls)/float64(len(coaches)))
	fmt.Fprintf(out, "| reading the histories (`Histories`, per coach) | %.1f ms |\n", float64(store.reading.Load())/1e6/float64(len(coaches)))
	fmt.Fprintf(out, "| peak Go heap in use while composing | %d MB |\n", peak.Load()>>20)
	fmt.Fprintf(out, "| peak resident memory of the process | %d MB |\n", statusKB(os.Getpid(), "VmHWM")>>10)

	// Briefs of random clients, by their coach, as the command runs.
	rng := rand.New(rand.NewPCG(1, 2))
	var lat []time.Duration
	for range c.DigestBriefs {
		n := 1 + rng.IntN(c.DigestCoaches*c.DigestClients)
		coach := 1 + (n-1)/c.DigestClients
		client := fmt.Sprintf("U%07d", n)
		ev := bot.Event{Platform: bot.PlatformConsole, Installation: practiceWorkspace, Kind: bot.EventCommand,
			User: bot.UserRef{ExternalID: fmt.Sprintf("C%05d", coach)}, Text: "brief <@" + client + ">"}
		t0 := time.Now()
		msgs, err := core.Handle(ctx, ev)
		lat = append(lat, time.Since(t0))
		if err != nil || len(msgs) == 0 {
			return fmt.Errorf("brief %s: %v (%d messages)", client, err, len(msgs))
		}
	}
	slices.Sort(lat)
	fmt.Fprintf(out, "| one brief, a year of history: p50 / p99 (%d briefs) | %.1f / %.1f ms |\n\n", len(lat),
		ms(lat[len(lat)/2]), ms(lat[min(len(lat)-1, len(lat)*99/100)]))
	return nil
}

// forEach runs f on every item with n goroutines and returns the first error.
func forEach[T any](ctx context.Context, items []T, n int, f func(T) error) error {
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range max(n, 1) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(items) && ctx.Err() == nil; i = int(next.Add(1)) - 1 {
				if err := f(items[i]); err != nil {
					mu.Lock()
					firstErr = cmp.Or(firstErr, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}

// sampleHeap records the largest HeapInuse seen every 20 ms until stopped.
func sampleHeap(peak *atomic.Uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }
}
