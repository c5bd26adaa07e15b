// Command vs-river measures smart90's scheduler against River
// (github.com/riverqueue/river), the best-known Go job queue on
// PostgreSQL, on the same PostgreSQL in one run, each in a fresh schema,
// and prints three rates and their ratios (BENCHMARKS.md, "Against River"):
//
//   - make N items due: River inserting N jobs with InsertManyFast (in
//     batches of 5,000, as River's own benchmark does) against smart90
//     planning N clients' deliveries (Scheduler.Plan);
//   - claim and complete, no-op: River working N no-op jobs with its own
//     benchmark's settings (FetchCooldown 2 ms, FetchPollInterval 20 ms,
//     2,000 workers) against smart90 draining N deliveries through a no-op
//     deliverer (Scheduler.Drain: claim, lease, record the outcome);
//   - through the bot: River's no-op rate against smart90 draining N
//     deliveries through the real bot (load the context, render, send to
//     a fake adapter that accepts everything).
//
// smart90 is measured as cmd/smart90-load measures it (package loadtest).
// It lives in its own Go module so that the product binary never links
// River. From the repository root:
//
//	go -C bench run ./vs-river                  # 50,000 items
//	go -C bench run ./vs-river -items 5000 -cpuprofile /tmp/vs
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/loadtest"
	"github.com/smart90/smart90/scheduler"
	"github.com/smart90/smart90/store/postgres"
)

type config struct {
	// DatabaseURL is the PostgreSQL both run on, each in a fresh schema.
	DatabaseURL string
	// Items is how many jobs River works and how many clients smart90
	// plans and sends to.
	Items int
	// Pool is each side's connection pool size.
	Pool int
	// Workers and Batch are smart90's senders and claim size, as
	// smart90-load runs them.
	Workers, Batch int
	// PlanBatch is how many schedules one planning transaction takes (0:
	// the scheduler's default).
	PlanBatch int
	// Planners is how many planning transactions run at once (0: the
	// scheduler's default).
	Planners int
	// RiverWorkers is River's MaxWorkers for its one queue.
	RiverWorkers int
	// Profile, when set, is the prefix of the CPU profiles of smart90's
	// plans and drains (Profile+".bot.plan", ".bot.drain", ".noop.plan",
	// ".noop.drain").
	Profile string
	// Trace, when set, has the statements of each smart90 step counted
	// and timed, and the table written after the step.
	Trace bool
	// River is false to measure smart90 alone (to profile it).
	River bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var c config
	flag.StringVar(&c.DatabaseURL, "database-url", cmp.Or(os.Getenv("SMART90_TEST_DATABASE_URL"), "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"), "PostgreSQL to measure on (two schemas are created and dropped)")
	flag.IntVar(&c.Items, "items", 50000, "jobs River works; clients smart90 plans and sends to")
	flag.IntVar(&c.Pool, "pool", 16, "connections in each side's pool")
	flag.IntVar(&c.Workers, "workers", 16, "smart90: concurrent sends")
	flag.IntVar(&c.Batch, "batch", 500, "smart90: deliveries one claim takes")
	flag.IntVar(&c.PlanBatch, "plan-batch", 0, "smart90: schedules one planning transaction takes (0: the scheduler's default)")
	flag.IntVar(&c.Planners, "planners", 0, "smart90: planning transactions at once (0: the scheduler's default)")
	flag.IntVar(&c.RiverWorkers, "river-workers", 2000, "River: MaxWorkers of its queue (its own benchmark's setting)")
	flag.StringVar(&c.Profile, "cpuprofile", "", "write CPU profiles of smart90's plans and drains to files with this prefix")
	flag.BoolVar(&c.Trace, "trace", false, "count and time the statements of each smart90 step, and print them")
	flag.BoolVar(&c.River, "river", true, "measure River too (false: smart90 alone, to profile it)")
	flag.Parse()
	if err := run(ctx, c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "vs-river:", err)
		os.Exit(1)
	}
}

// rates are what one run measured, in items per second.
type rates struct {
	riverInsert1, riverInsert2, riverWork1, riverWork2 float64
	plan1, plan2, drainBot, drainNop                   float64
}

// run sets both up, then measures them in turns so that each row's pair is
// measured minutes apart at most, under the same load on a shared machine:
// River inserts, smart90 plans (day 1); River works, smart90 drains
// through the bot; River inserts again, smart90 plans day 2; River works,
// smart90 drains through a no-op deliverer.
func run(ctx context.Context, c config, out io.Writer) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	fmt.Fprintf(out, "# smart90 against River, %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(out, "Machine: %d CPUs (GOMAXPROCS %d), %s/%s, %s; PostgreSQL on loopback; %d items; pools of %d connections.\n\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version(), c.Items, c.Pool)
	var rv *riverSide
	if c.River {
		var err error
		if rv, err = openRiver(ctx, c, log); err != nil {
			return fmt.Errorf("river: %w", err)
		}
		defer rv.close()
	}
	sm, err := openSmart90(ctx, c, log)
	if err != nil {
		return fmt.Errorf("smart90: %w", err)
	}
	defer sm.close()

	var r rates
	for _, step := range []struct {
		what string
		f    func() error
	}{
		{"river insert", rv.insert(ctx, &r.riverInsert1)},
		{"smart90 plan (day 1)", sm.phase(ctx, out, "bot", "plan", &r.plan1)},
		{"river work", rv.work(ctx, &r.riverWork1)},
		{"smart90 drain through the bot", sm.phase(ctx, out, "bot", "drain", &r.drainBot)},
		{"river insert", rv.insert(ctx, &r.riverInsert2)},
		{"smart90 plan (day 2)", sm.phase(ctx, out, "noop", "plan", &r.plan2)},
		{"river work", rv.work(ctx, &r.riverWork2)},
		{"smart90 drain through a no-op deliverer", sm.phase(ctx, out, "noop", "drain", &r.drainNop)},
	} {
		if err := step.f(); err != nil {
			return fmt.Errorf("%s: %w", step.what, err)
		}
	}
	fmt.Fprintln(out, "| | River | smart90 | ratio |")
	fmt.Fprintln(out, "| --- | ---: | ---: | ---: |")
	row := func(name string, river, smart90 float64) {
		fmt.Fprintf(out, "| %s | %.0f/s | %.0f/s | %.2f |\n", name, river, smart90, smart90/river)
	}
	row("make N items due (River: InsertManyFast; smart90: plan deliveries, day 1)", r.riverInsert1, r.plan1)
	row("the same, again (smart90: day 2, schedules computed once before)", r.riverInsert2, r.plan2)
	row("claim and complete, no-op work", r.riverWork2, r.drainNop)
	row("through the bot (load context, render, send to a fake adapter)", r.riverWork1, r.drainBot)
	fmt.Fprintln(out)
	return nil
}

// benchArgs is River's no-op job.
type benchArgs struct {
	Num int `json:"num"`
}

func (benchArgs) Kind() string { return "benchmark" }

// noopWorker works a job by doing nothing.
type noopWorker struct {
	river.WorkerDefaults[benchArgs]
}

func (*noopWorker) Work(context.Context, *river.Job[benchArgs]) error { return nil }

// riverSide is River in a fresh schema: its jobs table migrated, no job.
type riverSide struct {
	c       config
	log     *slog.Logger
	pool    *pgxpool.Pool
	driver  *riverpgxv5.Driver
	workers *river.Workers
	drop    func()
}

func openRiver(ctx context.Context, c config, log *slog.Logger) (*riverSide, error) {
	url, drop, err := loadtest.FreshSchema(ctx, c.DatabaseURL)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.New(ctx, fmt.Sprintf("%s&pool_max_conns=%d", url, c.Pool))
	if err != nil {
		drop()
		return nil, err
	}
	rv := &riverSide{c: c, log: log, pool: pool, driver: riverpgxv5.New(pool), workers: river.NewWorkers(), drop: drop}
	river.AddWorker(rv.workers, &noopWorker{})
	migrator, err := rivermigrate.New(rv.driver, nil)
	if err == nil {
		_, err = migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	}
	if err != nil {
		rv.close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return rv, nil
}

func (rv *riverSide) close() { rv.pool.Close(); rv.drop() }

// client is a River client with its own benchmark's settings.
func (rv *riverSide) client() (*river.Client[pgx.Tx], error) {
	return river.NewClient(rv.driver, &river.Config{
		FetchCooldown:     2 * time.Millisecond,
		FetchPollInterval: 20 * time.Millisecond,
		Logger:            rv.log,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: rv.c.RiverWorkers}},
		Workers:           rv.workers,
	})
}

// insert returns a step that empties the jobs table (as River's benchmark
// does before a run), then inserts c.Items jobs with InsertManyFast in
// batches of 5,000, as River's benchmark does, and sets *rate. It does
// nothing without River.
func (rv *riverSide) insert(ctx context.Context, rate *float64) func() error {
	return func() error {
		if rv == nil {
			return nil
		}
		if _, err := rv.pool.Exec(ctx, "TRUNCATE river_job"); err != nil {
			return err
		}
		if _, err := rv.pool.Exec(ctx, "VACUUM ANALYZE river_job"); err != nil {
			return err
		}
		client, err := rv.client()
		if err != nil {
			return err
		}
		const insertBatch = 5000
		params := make([]river.InsertManyParams, 0, insertBatch)
		start := time.Now()
		for i := 0; i < rv.c.Items; {
			params = params[:0]
			for ; i < rv.c.Items && len(params) < insertBatch; i++ {
				params = append(params, river.InsertManyParams{Args: benchArgs{Num: i}})
			}
			if _, err := client.InsertManyFast(ctx, params); err != nil {
				return fmt.Errorf("insert jobs: %w", err)
			}
		}
		*rate = float64(rv.c.Items) / time.Since(start).Seconds()
		return nil
	}
}

// work returns a step that starts a client and times it until every job
// inserted is completed, counted from River's completion events (as
// River's own benchmark counts them: once the completer stored them), and
// sets *rate. It does nothing without River.
func (rv *riverSide) work(ctx context.Context, rate *float64) func() error {
	return func() error {
		if rv == nil {
			return nil
		}
		client, err := rv.client()
		if err != nil {
			return err
		}
		events, cancel := client.SubscribeConfig(&river.SubscribeConfig{
			ChanSize: rv.c.Items + 1,
			Kinds:    []river.EventKind{river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled},
		})
		defer cancel()
		start := time.Now()
		if err := client.Start(ctx); err != nil {
			return err
		}
		defer client.Stop(context.WithoutCancel(ctx))
		var last time.Time
		for done := 0; done < rv.c.Items; done++ {
			select {
			case ev := <-events:
				if ev.Kind != river.EventKindJobCompleted {
					return fmt.Errorf("job %d: %s", ev.Job.ID, ev.Kind)
				}
				last = time.Now()
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Minute):
				return fmt.Errorf("%d of %d jobs completed, then none for a minute", done, rv.c.Items)
			}
		}
		*rate = float64(rv.c.Items) / last.Sub(start).Seconds()
		return nil
	}
}

// smart90Side is smart90 in a fresh schema, seeded with c.Items clients
// due in the same minute: a scheduler sending through the bot (day 1) and
// one sending through a no-op deliverer (day 2), as smart90-load's plan
// scenario runs them.
type smart90Side struct {
	c     config
	db    *postgres.DB
	drop  func()
	clock *loadtest.Clock
	sched map[string]*scheduler.Scheduler
	stmts *loadtest.Statements
}

func openSmart90(ctx context.Context, c config, log *slog.Logger) (*smart90Side, error) {
	sm := &smart90Side{c: c, stmts: &loadtest.Statements{}, sched: map[string]*scheduler.Scheduler{}}
	var opts []postgres.Option
	if c.Trace {
		opts = append(opts, postgres.WithTracer(sm.stmts))
	}
	var err error
	if sm.db, _, sm.drop, err = loadtest.OpenFresh(ctx, c.DatabaseURL, log, fmt.Sprintf("&pool_max_conns=%d", c.Pool), opts...); err != nil {
		return nil, err
	}
	due := time.Now().UTC().Truncate(time.Minute).Add(-5 * time.Minute)
	if err := loadtest.Seed(ctx, sm.db, c.Items, due, "T1"); err != nil {
		sm.close()
		return nil, fmt.Errorf("seed: %w", err)
	}
	// As autovacuum keeps a database that grew gradually.
	if _, err := sm.db.Pool().Exec(ctx, "VACUUM ANALYZE"); err != nil {
		sm.close()
		return nil, err
	}
	sm.clock = loadtest.NewClock(due.Add(30 * time.Second))
	core, err := bot.New(bot.Config{Store: sm.db, Messenger: &loadtest.Discard{}, State: loadtest.NopState{}, Clock: sm.clock, Logger: log})
	if err != nil {
		sm.close()
		return nil, err
	}
	for name, del := range map[string]scheduler.Deliverer{"bot": core, "noop": loadtest.Noop{}} {
		if sm.sched[name], err = scheduler.New(scheduler.Config{Store: sm.db, Deliverer: del, Clock: sm.clock, Logger: log,
			Workers: c.Workers, Batch: c.Batch, PlanBatch: c.PlanBatch, Planners: c.Planners}); err != nil {
			sm.close()
			return nil, err
		}
	}
	return sm, nil
}

func (sm *smart90Side) close() { sm.drop() }

// phase returns a step that plans or drains with the named scheduler and
// sets *rate; with c.Trace it writes the phase's statements to out. The
// no-op scheduler's plan is the next day's.
func (sm *smart90Side) phase(ctx context.Context, out io.Writer, sched, what string, rate *float64) func() error {
	return func() error {
		if sched == "noop" && what == "plan" {
			sm.clock.Set(sm.clock.Now().Add(24 * time.Hour))
		}
		profile := ""
		if sm.c.Profile != "" {
			profile = sm.c.Profile + "." + sched
		}
		f := loadtest.TimePlan
		if what == "drain" {
			f = loadtest.TimeDrain
		}
		sm.stmts.Reset()
		n, took, err := f(ctx, sm.sched[sched], profile)
		if err != nil {
			return err
		}
		if n != sm.c.Items {
			return fmt.Errorf("%d deliveries for %d clients", n, sm.c.Items)
		}
		*rate = float64(n) / took.Seconds()
		if sm.c.Trace {
			fmt.Fprintf(out, "### smart90 %s (%s): %d in %.2fs\n\n", what, sched, n, took.Seconds())
			sm.stmts.Report(out, n)
		}
		return nil
	}
}
