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
package main

import (
	"bufio"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	goredis "github.com/redis/go-redis/v9"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/scheduler"
	"github.com/smart90/smart90/store/postgres"
	"github.com/smart90/smart90/store/redis"
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
		if err := seed(ctx, db, c.Clients, due, "T1"); err != nil {
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

// freshSchema creates an empty schema and returns a URL that uses it and a
// func that drops it.
// openFresh opens a migrated store in a fresh schema (freshSchema), with
// extra appended to its URL (pool settings); cleanup closes the store and
// drops the schema. dbURL is the schema's URL, for other processes.
func openFresh(ctx context.Context, c config, log *slog.Logger, extra string) (db *postgres.DB, dbURL string, cleanup func(), err error) {
	dbURL, drop, err := freshSchema(ctx, c.DatabaseURL)
	if err != nil {
		return nil, "", nil, err
	}
	if db, err = postgres.Open(ctx, dbURL+extra, log); err != nil {
		drop()
		return nil, "", nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		drop()
		return nil, "", nil, err
	}
	return db, dbURL, func() { db.Close(); drop() }, nil
}

func freshSchema(ctx context.Context, base string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer conn.Close(ctx)
	schema := "smart90_load_" + randomHex(6)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, err
	}
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if conn, err := pgx.Connect(ctx, base); err == nil {
			conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
			conn.Close(ctx)
		}
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema, drop, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// zones whose local check-in times fall in the same UTC minute.
var zones = []string{"UTC", "Europe/London", "Europe/Paris", "America/New_York", "Asia/Kathmandu", "Pacific/Kiritimati", "Australia/Lord_Howe"}

// seed creates a coach and n active clients of one workspace, spread over
// several zones, each with a daily check-in at the local time of due, every
// day, and no reminder.
func seed(ctx context.Context, s bot.Store, n int, due time.Time, workspace string) error {
	return seedOn(ctx, s, n, due, bot.PlatformConsole, workspace)
}

// seedOn is seed for a workspace of the given platform.
func seedOn(ctx context.Context, s bot.Store, n int, due time.Time, platform bot.Platform, workspace string) error {
	marked := due.Add(-time.Hour)
	inst := &bot.Installation{Platform: platform, ExternalID: workspace, Status: bot.InstallationActive, CreatedAt: marked}
	if err := s.UpsertInstallation(ctx, inst); err != nil {
		return err
	}
	coach := &bot.Person{InstallationID: inst.ID, ExternalID: "coach", DisplayName: "coach", TimeZone: "UTC", CreatedAt: marked}
	if err := s.EnsurePerson(ctx, coach); err != nil {
		return err
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				loc, _ := time.LoadLocation(zones[i%len(zones)])
				local := due.In(loc)
				p := &bot.Person{InstallationID: inst.ID, ExternalID: fmt.Sprintf("U%07d", i), DisplayName: fmt.Sprintf("client %d", i),
					TimeZone: loc.String(), CreatedAt: marked}
				if err := s.EnsurePerson(ctx, p); err != nil {
					errs <- err
					return
				}
				e := &bot.Engagement{CoachID: coach.ID, ClientID: p.ID, Status: bot.EngagementActive,
					CheckinTime: bot.ClockTime(local.Hour()*60 + local.Minute()), Workdays: 0x7f,
					WeeklyWeekday: (local.Weekday() + 3) % 7, WeeklyTime: 15 * 60,
					Start: bot.DateOf(local).AddDays(-2), CycleDays: 90, InvitedAt: marked, AcceptedAt: marked, UpdatedAt: marked}
				if err := s.CreateEngagement(ctx, e); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// fixedClock is a clock the load test sets.
type fixedClock struct{ now atomic.Int64 }

func (c *fixedClock) Now() time.Time   { return time.Unix(0, c.now.Load()).UTC() }
func (c *fixedClock) Set(t time.Time)  { c.now.Store(t.UnixNano()) }
func newClock(t time.Time) *fixedClock { c := &fixedClock{}; c.Set(t); return c }

// discard is the fake adapter: it accepts every message.
type discard struct{ n atomic.Int64 }

func (d *discard) Send(context.Context, bot.Destination, bot.Message) (string, error) {
	return "m" + strconv.FormatInt(d.n.Add(1), 10), nil
}

// noop is a Deliverer that sends nothing: the scheduler and store alone.
type noop struct{}

func (noop) Deliver(context.Context, *bot.Delivery) (string, bool, error) { return "ref", true, nil }

type nopState struct{}

func (nopState) Get(context.Context, string) (string, error)              { return "", nil }
func (nopState) Set(context.Context, string, string, time.Duration) error { return nil }
func (nopState) Delete(context.Context, string) error                     { return nil }

func measurePlanDrain(ctx context.Context, c config, db *postgres.DB, log *slog.Logger, due time.Time, out io.Writer) error {
	fmt.Fprintf(out, "## Plan and drain: %d clients due in the same minute (PostgreSQL)\n\n", c.Clients)
	fmt.Fprintln(out, "| step | deliveries | time | rate |")
	fmt.Fprintln(out, "| --- | ---: | ---: | ---: |")
	clock := newClock(due.Add(30 * time.Second))
	adapter := &discard{}
	core, err := bot.New(bot.Config{Store: db, Messenger: adapter, State: nopState{}, Clock: clock, Logger: log})
	if err != nil {
		return err
	}
	for i, step := range []struct {
		name string
		del  scheduler.Deliverer
	}{
		{"through the bot to a fake adapter", core},
		{"through a no-op deliverer (scheduler and store only)", noop{}},
	} {
		sched, err := scheduler.New(scheduler.Config{Store: db, Deliverer: step.del, Clock: clock, Logger: log, Workers: c.Workers, Batch: 500})
		if err != nil {
			return err
		}
		start := time.Now()
		n, err := sched.Plan(ctx)
		if err != nil {
			return err
		}
		planned := time.Since(start)
		fmt.Fprintf(out, "| plan: create the deliveries (day %d) | %d | %.2fs | %.0f/s |\n", i+1, n, planned.Seconds(), float64(n)/planned.Seconds())
		start = time.Now()
		sent, err := sched.Drain(ctx)
		if err != nil {
			return err
		}
		took := time.Since(start)
		fmt.Fprintf(out, "| drain %s | %d | %.2fs | %.0f/s |\n", step.name, sent, took.Seconds(), float64(sent)/took.Seconds())
		if sent != n {
			return fmt.Errorf("drained %d of %d planned", sent, n)
		}
		clock.Set(clock.Now().Add(24 * time.Hour))
	}
	fmt.Fprintln(out)
	return nil
}

// timed records when each client's message reached the adapter.
type timed struct {
	mu   sync.Mutex
	at   []time.Time
	to   map[string]int
	refs atomic.Int64
}

func (t *timed) Send(_ context.Context, d bot.Destination, _ bot.Message) (string, error) {
	now := time.Now()
	t.mu.Lock()
	t.at = append(t.at, now)
	t.to[d.UserID]++
	t.mu.Unlock()
	return "m" + strconv.FormatInt(t.refs.Add(1), 10), nil
}

func measureLimit(ctx context.Context, c config, log *slog.Logger, out io.Writer) error {
	fmt.Fprintf(out, "## Shared rate limit: %d replicas, one workspace, %.0f sends/s through Redis\n\n", c.Replicas, c.Rate)
	seedDB, dbURL, drop, err := openFresh(ctx, c, log, "")
	if err != nil {
		return err
	}
	defer drop()
	prefix := "smart90load:" + randomHex(6) + ":"
	defer deletePrefix(c.RedisURL, prefix)
	due := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	if err := seed(ctx, seedDB, c.Limited, due, "T2"); err != nil {
		return err
	}
	rec := &timed{to: map[string]int{}}
	var wg sync.WaitGroup
	var firstErr error
	var errMu sync.Mutex
	start := time.Now()
	for range c.Replicas {
		db, err := postgres.Open(ctx, dbURL+"&pool_max_conns=8", log)
		if err != nil {
			return err
		}
		defer db.Close()
		rdb, err := redis.Open(ctx, c.RedisURL, redis.WithKeyPrefix(prefix))
		if err != nil {
			return err
		}
		defer rdb.Close()
		clock := newClock(due.Add(30 * time.Second))
		paced, err := bot.Pace(rec, bot.PaceConfig{Limiter: rdb, Rate: c.Rate, Burst: 1})
		if err != nil {
			return err
		}
		core, err := bot.New(bot.Config{Store: db, Messenger: paced, State: rdb, Clock: clock, Logger: log})
		if err != nil {
			return err
		}
		sched, err := scheduler.New(scheduler.Config{Store: db, Deliverer: core, Clock: clock, Logger: log, Workers: c.Workers, Batch: 20})
		if err != nil {
			return err
		}
		wg.Go(func() {
			if err := sched.Tick(ctx); err != nil {
				errMu.Lock()
				firstErr = cmp.Or(firstErr, err)
				errMu.Unlock()
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	total := time.Since(start)
	slices.SortFunc(rec.at, func(a, b time.Time) int { return a.Compare(b) })
	n := len(rec.at)
	span := rec.at[n-1].Sub(rec.at[0])
	achieved := float64(n-1) / span.Seconds()
	// Sends over the limit: in any window of one second, at most
	// burst + rate sends may start.
	maxIn, over := 0, 0
	for i, j := 0, 0; i < n; i++ {
		for j < n && rec.at[j].Sub(rec.at[i]) < time.Second {
			j++
		}
		maxIn = max(maxIn, j-i)
		if float64(j-i) > c.Rate+1 {
			over++
		}
	}
	dups := 0
	for _, k := range rec.to {
		if k > 1 {
			dups += k - 1
		}
	}
	fmt.Fprintln(out, "| measure | value |")
	fmt.Fprintln(out, "| --- | ---: |")
	fmt.Fprintf(out, "| deliveries sent | %d of %d |\n", n, c.Limited)
	fmt.Fprintf(out, "| first to last send | %.2fs (whole run %.2fs) |\n", span.Seconds(), total.Seconds())
	fmt.Fprintf(out, "| achieved rate | %.2f/s (%.2f%% of the limit) |\n", achieved, 100*achieved/c.Rate)
	fmt.Fprintf(out, "| most sends in any 1 s window | %d (allowed: %.0f + burst 1) |\n", maxIn, c.Rate)
	fmt.Fprintf(out, "| 1 s windows over the limit | %d |\n", over)
	fmt.Fprintf(out, "| duplicate sends | %d |\n\n", dups)
	if n != c.Limited {
		return fmt.Errorf("sent %d of %d", n, c.Limited)
	}
	return nil
}

func deletePrefix(url, prefix string) {
	o, err := goredis.ParseURL(url)
	if err != nil {
		return
	}
	rdb := goredis.NewClient(o)
	defer rdb.Close()
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, prefix+"*", 500).Iterator()
	for iter.Next(ctx) {
		rdb.Del(ctx, iter.Val())
	}
}

// measureServe runs `smart90 serve -dry-run` on the seeded database, waits
// until it has sent every client's prompt, and reads its peak resident
// memory from /proc.
func measureServe(ctx context.Context, c config, dbURL string, out io.Writer) error {
	bin, cleanup, err := serveBinary(ctx, c)
	if err != nil {
		return err
	}
	defer cleanup()
	cmd := exec.CommandContext(ctx, bin, "serve", "-dry-run", "-http-addr", "127.0.0.1:0", "-log-level", "warn",
		"-workers", strconv.Itoa(c.Workers), "-send-rate", "1000000")
	cmd.Env = append(os.Environ(), "SMART90_DATABASE_URL="+dbURL, "SMART90_REDIS_URL=")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return fmt.Errorf("serve did not start: %w", err)
	}
	m := regexp.MustCompile(`listening on (\S+)`).FindStringSubmatch(line)
	if m == nil {
		return fmt.Errorf("unexpected start-up line %q", line)
	}
	go io.Copy(io.Discard, stdout)
	metricsURL := "http://" + m[1] + "/metrics"
	sentRE := regexp.MustCompile(`(?m)^smart90_deliveries_sent_total\{kind="daily"\} (\d+)`)
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		sent := 0
		if resp, err := http.Get(metricsURL); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if m := sentRE.FindSubmatch(b); m != nil {
				sent, _ = strconv.Atoi(string(m[1]))
			}
		}
		if sent >= c.Clients {
			break
		}
		if time.Since(start) > 10*time.Minute {
			return fmt.Errorf("serve sent %d of %d in 10 minutes", sent, c.Clients)
		}
		time.Sleep(200 * time.Millisecond)
	}
	took := time.Since(start)
	hwm := statusKB(cmd.Process.Pid, "VmHWM")
	rss := statusKB(cmd.Process.Pid, "VmRSS")
	cmd.Process.Signal(syscall.SIGTERM)
	waitErr := cmd.Wait()
	var exitErr *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exitErr) {
		return waitErr
	}
	fmt.Fprintf(out, "## `smart90 serve -dry-run`: %d clients\n\n", c.Clients)
	fmt.Fprintln(out, "| measure | value |")
	fmt.Fprintln(out, "| --- | ---: |")
	fmt.Fprintf(out, "| start to last prompt sent (plan, bot, store; %d workers) | %.1fs (%.0f prompts/s) |\n", c.Workers, took.Seconds(), float64(c.Clients)/took.Seconds())
	fmt.Fprintf(out, "| peak resident memory (VmHWM) | %.1f MB |\n", float64(hwm)/1024)
	fmt.Fprintf(out, "| resident memory when done (VmRSS) | %.1f MB |\n", float64(rss)/1024)
	exit := "clean"
	if waitErr != nil {
		exit = waitErr.Error()
	}
	fmt.Fprintf(out, "| exit after SIGTERM | %s |\n\n", exit)
	return nil
}

// serveBinary returns the smart90 binary to run: -serve, or one built from
// ./cmd/smart90 into a temporary directory that cleanup removes.
func serveBinary(ctx context.Context, c config) (bin string, cleanup func(), err error) {
	if c.Serve != "" {
		return c.Serve, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "smart90-load")
	if err != nil {
		return "", nil, err
	}
	bin = filepath.Join(dir, "smart90")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/smart90/smart90/cmd/smart90")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("build smart90 (run inside the repository, or pass -serve): %w", err)
	}
	return bin, func() { os.RemoveAll(dir) }, nil
}

// statusKB reads a "kB" field of /proc/<pid>/status.
func statusKB(pid int, field string) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}
