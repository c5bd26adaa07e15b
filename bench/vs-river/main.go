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

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/loadtest"
	"github.com/smart90/smart90/scheduler"
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
	// RiverWorkers is River's MaxWorkers for its one queue.
	RiverWorkers int
	// Profile, when set, is the prefix of the CPU profiles of smart90's
	// plans and drains (Profile+".bot.plan", ".bot.drain", ".noop.plan",
	// ".noop.drain").
	Profile string
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
	flag.IntVar(&c.RiverWorkers, "river-workers", 2000, "River: MaxWorkers of its queue (its own benchmark's setting)")
	flag.StringVar(&c.Profile, "cpuprofile", "", "write CPU profiles of smart90's plans and drains to files with this prefix")
	flag.Parse()
	if err := run(ctx, c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "vs-river:", err)
		os.Exit(1)
	}
}

// rates are what one run measured, in items per second.
type rates struct {
	riverInsert, riverWork           float64
	plan1, plan2, drainBot, drainNop float64
}

func run(ctx context.Context, c config, out io.Writer) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	fmt.Fprintf(out, "# smart90 against River, %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(out, "Machine: %d CPUs (GOMAXPROCS %d), %s/%s, %s; PostgreSQL on loopback; %d items; pools of %d connections.\n\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version(), c.Items, c.Pool)
	var r rates
	if err := measureRiver(ctx, c, log, &r); err != nil {
		return fmt.Errorf("river: %w", err)
	}
	if err := measureSmart90(ctx, c, log, &r); err != nil {
		return fmt.Errorf("smart90: %w", err)
	}
	fmt.Fprintln(out, "| | River | smart90 | ratio |")
	fmt.Fprintln(out, "| --- | ---: | ---: | ---: |")
	row := func(name string, river, smart90 float64) {
		fmt.Fprintf(out, "| %s | %.0f/s | %.0f/s | %.2f |\n", name, river, smart90, smart90/river)
	}
	row("make N items due (River: InsertManyFast; smart90: plan deliveries, day 1)", r.riverInsert, r.plan1)
	row("the same, smart90's day 2 (schedules already computed once)", r.riverInsert, r.plan2)
	row("claim and complete, no-op work", r.riverWork, r.drainNop)
	row("through the bot (load context, render, send to a fake adapter)", r.riverWork, r.drainBot)
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

// measureRiver inserts c.Items jobs, then starts a client and times it
// until every job is completed, counted from River's completion events
// (as River's own benchmark counts them: after the completer stored them).
func measureRiver(ctx context.Context, c config, log *slog.Logger, r *rates) error {
	url, drop, err := loadtest.FreshSchema(ctx, c.DatabaseURL)
	if err != nil {
		return err
	}
	defer drop()
	pool, err := pgxpool.New(ctx, fmt.Sprintf("%s&pool_max_conns=%d", url, c.Pool))
	if err != nil {
		return err
	}
	defer pool.Close()
	driver := riverpgxv5.New(pool)
	migrator, err := rivermigrate.New(driver, nil)
	if err != nil {
		return err
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &noopWorker{})
	client, err := river.NewClient(driver, &river.Config{
		FetchCooldown:     2 * time.Millisecond,
		FetchPollInterval: 20 * time.Millisecond,
		Logger:            log,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: c.RiverWorkers}},
		Workers:           workers,
	})
	if err != nil {
		return err
	}

	const insertBatch = 5000
	params := make([]river.InsertManyParams, 0, insertBatch)
	start := time.Now()
	for i := 0; i < c.Items; {
		params = params[:0]
		for ; i < c.Items && len(params) < insertBatch; i++ {
			params = append(params, river.InsertManyParams{Args: benchArgs{Num: i}})
		}
		if _, err := client.InsertManyFast(ctx, params); err != nil {
			return fmt.Errorf("insert jobs: %w", err)
		}
	}
	r.riverInsert = float64(c.Items) / time.Since(start).Seconds()

	events, cancel := client.SubscribeConfig(&river.SubscribeConfig{
		ChanSize: c.Items + 1,
		Kinds:    []river.EventKind{river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled},
	})
	defer cancel()
	start = time.Now()
	if err := client.Start(ctx); err != nil {
		return err
	}
	defer client.Stop(context.WithoutCancel(ctx))
	var last time.Time
	for done := 0; done < c.Items; done++ {
		select {
		case ev := <-events:
			if ev.Kind != river.EventKindJobCompleted {
				return fmt.Errorf("job %d: %s", ev.Job.ID, ev.Kind)
			}
			last = time.Now()
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Minute):
			return fmt.Errorf("%d of %d jobs completed, then none for a minute", done, c.Items)
		}
	}
	r.riverWork = float64(c.Items) / last.Sub(start).Seconds()
	return nil
}

// measureSmart90 seeds c.Items clients due in the same minute, then plans
// and drains their check-ins through the bot (day 1), and the next day's
// through a no-op deliverer (day 2), as smart90-load's plan scenario does.
func measureSmart90(ctx context.Context, c config, log *slog.Logger, r *rates) error {
	db, _, drop, err := loadtest.OpenFresh(ctx, c.DatabaseURL, log, fmt.Sprintf("&pool_max_conns=%d", c.Pool))
	if err != nil {
		return err
	}
	defer drop()
	due := time.Now().UTC().Truncate(time.Minute).Add(-5 * time.Minute)
	if err := loadtest.Seed(ctx, db, c.Items, due, "T1"); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	// As autovacuum keeps a database that grew gradually.
	if _, err := db.Pool().Exec(ctx, "VACUUM ANALYZE"); err != nil {
		return err
	}
	clock := loadtest.NewClock(due.Add(30 * time.Second))
	core, err := bot.New(bot.Config{Store: db, Messenger: &loadtest.Discard{}, State: loadtest.NopState{}, Clock: clock, Logger: log})
	if err != nil {
		return err
	}
	for _, step := range []struct {
		name        string
		del         scheduler.Deliverer
		plan, drain *float64
	}{
		{"bot", core, &r.plan1, &r.drainBot},
		{"noop", loadtest.Noop{}, &r.plan2, &r.drainNop},
	} {
		sched, err := scheduler.New(scheduler.Config{Store: db, Deliverer: step.del, Clock: clock, Logger: log, Workers: c.Workers, Batch: c.Batch})
		if err != nil {
			return err
		}
		profile := ""
		if c.Profile != "" {
			profile = c.Profile + "." + step.name
		}
		st, err := loadtest.PlanDrain(ctx, sched, profile)
		if err != nil {
			return err
		}
		if st.Planned != c.Items {
			return fmt.Errorf("planned %d deliveries for %d clients", st.Planned, c.Items)
		}
		*step.plan, *step.drain = st.PlanRate(), st.DrainRate()
		clock.Set(clock.Now().Add(24 * time.Hour))
	}
	return nil
}
