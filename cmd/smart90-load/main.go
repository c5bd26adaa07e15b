// Command smart90-load measures the scheduler at scale against a real
// PostgreSQL and Redis, and prints a report (BENCHMARKS.md holds the last
// one):
//
//   - plan: 100,000 clients due in the same minute — how long creating all
//     their deliveries takes;
//   - drain: how fast those deliveries are sent through the bot to a fake
//     adapter with no rate limit, and through a no-op deliverer (the
//     scheduler and store alone);
//   - limit: 3 replicas sharing a per-workspace limit of 50 sends/s
//     through Redis — achieved rate, sends over the limit, duplicates;
//   - rss: resident memory of one `smart90 serve -dry-run` process that
//     plans and sends for all 100,000 clients;
//   - faults (only with -only faults): the fault suite (package faults)
//     with 3,000 clients — RELIABILITY.md's table;
//   - digest (only with -only digest): every coach's digest and random
//     briefs of a practice of 1,000 coaches × 25 clients a year into
//     their coaching — time, store calls per coach, peak memory.
//
// It works in a fresh PostgreSQL schema and under a fresh Redis key prefix,
// both removed at the end.
//
//	go run ./cmd/smart90-load                    # everything, about two minutes
//	go run ./cmd/smart90-load -clients 10000 -skip rss
//	go run ./cmd/smart90-load -only faults       # the fault suite at scale, RELIABILITY.md's table
//
// The same plan and drain against River, the Go job queue on PostgreSQL,
// on the same server in one run (BENCHMARKS.md, "Against River"), live in
// their own Go module, bench/, so that nothing here links River; from the
// repository root:
//
//	go -C bench run ./vs-river                   # 50,000 items; -trace counts the statements
//
// Both share their fixture and timing through package loadtest.
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
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/smart90/smart90/loadtest"
)

type config struct {
	DatabaseURL string
	RedisURL    string
	Clients     int
	Limited     int
	Rate        float64
	Replicas    int
	Workers     int
	Serve       string
	Skip        string
	SlackEvents int
	SlackConc   int
	// PgbenchTime is how long the pgbench ceiling runs.
	PgbenchTime time.Duration
	// Only names the scenarios to run, and only them; faults runs only
	// when named here (it takes many minutes).
	Only string
	// FaultsClients, FaultsRate and FaultsRun size the fault suite: the
	// clients, their workspace's sends per second, the scenarios.
	FaultsClients int
	FaultsRate    float64
	FaultsRun     string
	// DigestCoaches, DigestClients and DigestBriefs size the digest
	// scenario: coaches, clients per coach, briefs timed.
	DigestCoaches int
	DigestClients int
	DigestBriefs  int
	DigestCharts  bool
	// DigestProfile, when set, is where the CPU profile of composing the
	// digests is written (go tool pprof reads it).
	DigestProfile string
	// DigestWorkers is how many digests are composed at once (one per
	// core by default; serve's senders are 8, which measured slower here).
	DigestWorkers int
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var c config
	flag.StringVar(&c.DatabaseURL, "database-url", cmp.Or(os.Getenv("SMART90_TEST_DATABASE_URL"), "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"), "PostgreSQL to measure on (a schema is created and dropped)")
	flag.StringVar(&c.RedisURL, "redis-url", cmp.Or(os.Getenv("SMART90_TEST_REDIS_URL"), "redis://127.0.0.1:6379/0"), "Redis to measure on (keys under a fresh prefix, deleted after)")
	flag.IntVar(&c.Clients, "clients", 100000, "clients due in the same minute (plan, drain, rss)")
	flag.IntVar(&c.Limited, "limited-clients", 1500, "clients sent under the shared rate limit (limit)")
	flag.Float64Var(&c.Rate, "rate", 50, "shared per-workspace limit, sends per second (limit)")
	flag.IntVar(&c.Replicas, "replicas", 3, "replicas sharing the limit (limit)")
	flag.IntVar(&c.Workers, "workers", 16, "concurrent sends per replica")
	flag.StringVar(&c.Serve, "serve", "", "smart90 binary for the rss scenario (default: built from ./cmd/smart90)")
	flag.StringVar(&c.Skip, "skip", "", "comma-separated scenarios to skip: rss, plan, limit, slack")
	flag.IntVar(&c.SlackEvents, "slack-events", 5000, "signed check-in answers sent to /slack/events (slack)")
	flag.IntVar(&c.SlackConc, "slack-concurrency", 32, "requests in flight at once (slack)")
	flag.DurationVar(&c.PgbenchTime, "pgbench-time", 10*time.Second, "how long pgbench measures the insert ceiling (slack)")
	flag.StringVar(&c.Only, "only", "", "comma-separated scenarios to run, and only them: rss, plan, limit, slack, faults, digest (faults and digest run only when named)")
	flag.IntVar(&c.FaultsClients, "faults-clients", 3000, "clients due at once in each fault scenario (faults)")
	flag.Float64Var(&c.FaultsRate, "faults-rate", 100, "the workspace's sends per second across the replicas (faults)")
	flag.StringVar(&c.FaultsRun, "faults-scenarios", "", "comma-separated fault scenarios to run (default all; see package faults)")
	flag.IntVar(&c.DigestCoaches, "digest-coaches", 1000, "coaches of the practice (digest)")
	flag.IntVar(&c.DigestClients, "digest-clients", 25, "clients per coach, each a year into coaching (digest)")
	flag.IntVar(&c.DigestBriefs, "digest-briefs", 200, "briefs timed for the p99 (digest)")
	flag.BoolVar(&c.DigestCharts, "digest-charts", true, "draw the charts (digest)")
	flag.IntVar(&c.DigestWorkers, "digest-workers", runtime.GOMAXPROCS(0), "digests composed at once (digest)")
	flag.StringVar(&c.DigestProfile, "digest-cpuprofile", "", "write the CPU profile of composing the digests to this file (digest)")
	flag.Parse()
	if err := run(ctx, c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "smart90-load:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config, out io.Writer) error {
	skip := map[string]bool{}
	for _, s := range strings.Split(c.Skip, ",") {
		skip[strings.TrimSpace(s)] = true
	}
	if c.Only != "" {
		only := strings.Split(c.Only, ",")
		for _, s := range []string{"rss", "plan", "limit", "slack", "faults", "digest"} {
			skip[s] = skip[s] || !slices.Contains(only, s)
		}
	} else {
		skip["faults"], skip["digest"] = true, true
	}
	fmt.Fprintf(out, "# smart90-load, %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(out, "Machine: %d CPUs (GOMAXPROCS %d), %s/%s, %s; PostgreSQL and Redis on loopback.\n\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version())
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	if !skip["plan"] || !skip["rss"] {
		db, dbURL, drop, err := openFresh(ctx, c, log, "&pool_max_conns=16")
		if err != nil {
			return err
		}
		defer drop()
		// Due five minutes ago in real time, so that `serve` (real clock)
		// finds them due and inside the grace window.
		due := time.Now().UTC().Truncate(time.Minute).Add(-5 * time.Minute)
		start := time.Now()
		if err := loadtest.Seed(ctx, db, c.Clients, due, "T1"); err != nil {
			return err
		}
		// Tables as autovacuum keeps them on a database that grew
		// gradually (statistics, hint bits), not right after a bulk load.
		if _, err := db.Pool().Exec(ctx, "VACUUM ANALYZE"); err != nil {
			return err
		}
		fmt.Fprintf(out, "Seeded %d clients due at %s in %.1fs (then VACUUM ANALYZE).\n\n", c.Clients, due.Format("15:04 MST"), time.Since(start).Seconds())
		day := due
		if !skip["rss"] {
			if err := measureServe(ctx, c, dbURL, out); err != nil {
				return fmt.Errorf("rss: %w", err)
			}
			day = day.Add(24 * time.Hour)
		}
		if !skip["plan"] {
			if err := measurePlanDrain(ctx, c, db, log, day, out); err != nil {
				return fmt.Errorf("plan: %w", err)
			}
		}
	}
	if !skip["limit"] {
		if err := measureLimit(ctx, c, log, out); err != nil {
			return fmt.Errorf("limit: %w", err)
		}
	}
	if !skip["slack"] {
		if err := measureSlack(ctx, c, log, out); err != nil {
			return fmt.Errorf("slack: %w", err)
		}
	}
	if !skip["digest"] {
		if err := measureDigest(ctx, c, log, out); err != nil {
			return fmt.Errorf("digest: %w", err)
		}
	}
	if !skip["faults"] {
		if err := measureFaults(ctx, c, out); err != nil {
			return fmt.Errorf("faults: %w", err)
		}
	}
	return nil
}
