package faults

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smart90/smart90/store/postgres"
)

// Config is what a run needs and how it is tuned.
type Config struct {
	// Binary is the smart90 binary to run (built from ./cmd/smart90).
	Binary string
	// DatabaseURL is a fresh, empty schema of the PostgreSQL under test
	// (postgres://…?search_path=…): the run migrates and seeds it
	// directly, and the replicas reach it through a proxy.
	DatabaseURL string
	// RedisURL and RedisPrefix are the Redis the replicas share, through a
	// proxy, and a fresh key prefix; the caller deletes its keys after.
	RedisURL, RedisPrefix string
	// Clients are the clients whose daily check-in is due now.
	Clients int
	// Answerers is how many clients answer in their DM in the scenarios
	// with inbound answers (default 20, at most Clients).
	Answerers int
	// Replicas is how many `smart90 serve` processes run (default 3).
	Replicas int
	// SendRate is the workspace's sends per second across replicas
	// (default 50), so the fan-out lasts long enough to be cut into.
	SendRate float64
	// Workers are each replica's concurrent sends (default 8).
	Workers int
	// Lease, SendTimeout, RetryBase, RetryMax and Poll are the replicas'
	// scheduler settings (defaults 6s, 2s, 2s, 8s, 500ms: production's
	// shortened, so that a crash or an outage plays out in seconds).
	Lease, SendTimeout, RetryBase, RetryMax, Poll time.Duration
	// SlackRetries are the delays before Slack's three retries of an event
	// not acknowledged in time (default 0, 6s, 30s: Slack's "at once,
	// after 1 minute, after 5 minutes", a tenth of it).
	SlackRetries []time.Duration
	// Settle bounds how long the run waits, after the fault ended, for
	// every prompt to go out (default 2m); what has not by then is counted.
	Settle time.Duration
	// LogDir receives each replica's log (replica-N.log); "" keeps them in
	// a temporary directory removed at the end.
	LogDir string
	// Progress, when set, is told what the run is doing.
	Progress io.Writer
}

func (c Config) withDefaults() Config {
	c.Replicas = cmp.Or(c.Replicas, 3)
	c.Answerers = min(cmp.Or(c.Answerers, 20), c.Clients)
	c.SendRate = cmp.Or(c.SendRate, 50)
	c.Workers = cmp.Or(c.Workers, 8)
	c.Lease = cmp.Or(c.Lease, 6*time.Second)
	c.SendTimeout = cmp.Or(c.SendTimeout, 2*time.Second)
	c.RetryBase = cmp.Or(c.RetryBase, 2*time.Second)
	c.RetryMax = cmp.Or(c.RetryMax, 8*time.Second)
	c.Poll = cmp.Or(c.Poll, 500*time.Millisecond)
	if c.SlackRetries == nil {
		c.SlackRetries = []time.Duration{0, 6 * time.Second, 30 * time.Second}
	}
	c.Settle = cmp.Or(c.Settle, 2*time.Minute)
	return c
}

// secret is the replicas' SLACK_SIGNING_SECRET.
const secret = "faults-signing-secret"

// Run runs one scenario from a fresh start and returns what it measured;
// an error means the run itself could not be made (a replica would not
// start, the database was unreachable), not that smart90 broke a promise.
func Run(ctx context.Context, cfg Config, sc Scenario) (*Result, error) {
	cfg.Lease = cmp.Or(sc.Lease, cfg.Lease)
	cfg = cfg.withDefaults()
	if cfg.Binary == "" || cfg.DatabaseURL == "" || cfg.RedisURL == "" || cfg.Clients <= 0 {
		return nil, errors.New("faults: Binary, DatabaseURL, RedisURL and Clients are required")
	}
	say := func(format string, args ...any) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, "%s %s: "+format+"\n", append([]any{time.Now().Format("15:04:05"), sc.Name}, args...)...)
		}
	}
	if cfg.LogDir == "" {
		dir, err := os.MkdirTemp("", "smart90-faults")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		cfg.LogDir = dir
	}

	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := postgres.Open(ctx, withParam(cfg.DatabaseURL, "pool_max_conns", "4"), quiet)
	if err != nil {
		return nil, fmt.Errorf("open the database: %w", err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	// Due two minutes ago: the replicas' first plan finds every check-in
	// due and well inside the grace window.
	due := time.Now().UTC().Truncate(time.Minute).Add(-2 * time.Minute)
	users, err := seed(ctx, db, cfg.Clients, due)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	say("seeded %d clients due at %s", cfg.Clients, due.Format("15:04"))

	slack := NewSlackFake(users)
	defer slack.Close()
	pgAddr, err := hostPort(cfg.DatabaseURL, "5432")
	if err != nil {
		return nil, err
	}
	redisAddr, err := hostPort(cfg.RedisURL, "6379")
	if err != nil {
		return nil, err
	}
	px, err := newProxies(map[string]string{"postgres": pgAddr, "redis": redisAddr})
	if err != nil {
		return nil, err
	}
	defer px.close()

	env := append(cleanEnv(),
		"SMART90_DATABASE_URL="+withParam(via(cfg.DatabaseURL, px.addr("postgres")), "pool_max_conns", "4"),
		"SMART90_REDIS_URL="+via(cfg.RedisURL, px.addr("redis")),
		"SMART90_REDIS_PREFIX="+cfg.RedisPrefix,
		"SLACK_BOT_TOKEN=xoxb-faults", "SLACK_SIGNING_SECRET="+secret, "SLACK_API_URL="+slack.URL())
	args := []string{"serve", "-http-addr", "127.0.0.1:0", "-log-level", "warn",
		"-send-rate", strconv.FormatFloat(cfg.SendRate, 'f', -1, 64), "-workers", strconv.Itoa(cfg.Workers),
		"-lease", cfg.Lease.String(), "-send-timeout", cfg.SendTimeout.String(),
		"-retry-base", cfg.RetryBase.String(), "-retry-max", cfg.RetryMax.String(), "-poll", cfg.Poll.String(),
		"-shutdown-timeout", "10s"}
	reps := make([]*replica, 0, cfg.Replicas)
	defer func() {
		for _, r := range reps {
			r.stop()
		}
	}()
	for i := range cfg.Replicas {
		r, err := startReplica(cfg.Binary, args, env, filepath.Join(cfg.LogDir, fmt.Sprintf("replica-%d.log", i+1)))
		if err != nil {
			return nil, fmt.Errorf("replica %d: %w", i+1, err)
		}
		reps = append(reps, r)
	}
	say("%d replicas serving", len(reps))
	alive := func() []string {
		var urls []string
		for _, r := range reps {
			if !r.exited() {
				urls = append(urls, "http://"+r.addr+"/slack/events")
			}
		}
		return urls
	}

	// Inject the fault when about 30% of the prompts arrived.
	threshold := int(math.Ceil(0.3 * float64(cfg.Clients)))
	if err := waitPrompts(ctx, slack, threshold, time.Now().Add(3*time.Minute)); err != nil {
		return nil, fmt.Errorf("before the fault: %w", err)
	}
	injected := time.Now()
	n, _, _, _ := slack.Progress()
	say("%d of %d prompts received: injecting %q", n, cfg.Clients, sc.Fault)

	var answerers []*answerer
	if sc.Inbound {
		if answerers, err = pickAnswerers(ctx, db, cfg.Answerers); err != nil {
			return nil, err
		}
	}
	events := newEventSender(secret, alive, cfg.SlackRetries)
	events.loseAcks.Store(sc.Inbound)
	var faultOver atomic.Bool
	faultEnded := make(chan time.Time, 1)
	endFault := func() {
		if faultOver.CompareAndSwap(false, true) {
			events.loseAcks.Store(false)
			faultEnded <- time.Now()
		}
	}
	var faultErr error
	timers := &sync.WaitGroup{}
	switch {
	case sc.Kill:
		reps[0].kill()
		endFault()
	case sc.Cut != "":
		if err := px.cut(sc.Cut); err != nil {
			return nil, err
		}
		timers.Go(func() {
			select {
			case <-ctx.Done():
			case <-time.After(sc.Duration):
			}
			faultErr = px.restore(sc.Cut)
			endFault()
		})
	case sc.Slack != SlackOK:
		slack.SetFault(sc.Slack)
		if sc.Duration > 0 {
			timers.Go(func() {
				select {
				case <-ctx.Done():
				case <-time.After(sc.Duration):
				}
				slack.SetFault(SlackOK)
				endFault()
			})
		}
	default:
		endFault()
	}

	// Answers arrive spread over the fault and two seconds after it, each
	// client's one after the other, as a person types them; while the
	// fault lasts, Slack retries some that were acknowledged too
	// (eventSender.loseAcks).
	var answering sync.WaitGroup
	spread := sc.Duration + 2*time.Second
	for i, a := range answerers {
		answering.Go(func() {
			select {
			case <-ctx.Done():
				return
			case <-time.After(spread * time.Duration(i) / time.Duration(len(answerers))):
			}
			a.run(ctx, events)
		})
	}
	answered := make(chan struct{})
	go func() { answering.Wait(); close(answered) }()

	// Wait until everything settled: the fault is over, every planned
	// delivery reached a final state (none is pending, so nothing more
	// can go out) and every answer was acknowledged or given up on.
	var ended, deadline time.Time
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var counts deliveryCounts
	for {
		if ended.IsZero() {
			select {
			case ended = <-faultEnded:
			default:
			}
		}
		if !ended.IsZero() && deadline.IsZero() {
			deadline = ended.Add(cfg.Settle)
			say("fault over after %.1fs", ended.Sub(injected).Seconds())
		}
		if counts, err = countDeliveries(ctx, db); err != nil {
			return nil, err
		}
		if sc.Slack != SlackOK && sc.Duration == 0 && !faultOver.Load() {
			// Until every prompt went out, or nothing is left to send.
			if n, _, _, _ := slack.Progress(); n >= cfg.Clients || counts.total >= cfg.Clients && counts.pending == 0 {
				slack.SetFault(SlackOK)
				endFault()
			}
		}
		doneAnswering := false
		select {
		case <-answered:
			doneAnswering = true
		default:
		}
		if faultOver.Load() && doneAnswering && counts.total >= cfg.Clients && counts.pending == 0 {
			break
		}
		if !deadline.IsZero() && time.Now().After(deadline) {
			say("did not settle within %v of the fault's end", cfg.Settle)
			break
		}
		if deadline.IsZero() && time.Since(injected) > cfg.Settle {
			// A Slack fault that lasts until every prompt went out, and
			// the fan-out is stuck.
			say("the fan-out did not finish under the fault within %v", cfg.Settle)
			slack.SetFault(SlackOK)
			endFault()
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
	timers.Wait()
	if faultErr != nil {
		return nil, faultErr
	}
	<-answered

	res := &Result{Scenario: sc, Clients: cfg.Clients, Failed: counts.failed + counts.onHold, Pending: counts.pending}
	prompts := slack.Prompts()
	var twice []string
	for user := range users {
		switch k := prompts["D"+user]; {
		case k == 0:
			res.Lost++
		case k == 1:
			res.SentOnce++
		default:
			res.Duplicated++
			res.Extra += k - 1
			twice = append(twice, user)
		}
	}
	// What the store says of a few prompts sent twice: how they came to
	// be sent again.
	slices.Sort(twice)
	for _, u := range twice[:min(len(twice), 3)] {
		var attempts int
		var state, lastErr string
		err := db.Pool().QueryRow(ctx, `SELECT d.state, d.attempts, d.last_error FROM deliveries d JOIN people p ON p.id = d.person_id
			WHERE p.external_id = $1 AND d.kind = 'daily'`, u).Scan(&state, &attempts, &lastErr)
		if err == nil {
			res.Notes = append(res.Notes, fmt.Sprintf("%s got %d prompts; its delivery: %s after %d claims (last error %q)",
				u, prompts["D"+u], state, attempts, lastErr))
		}
	}
	_, first, last, _ := slack.Progress()
	res.Drained = res.Lost == 0
	if res.Drained {
		res.Drain = last.Sub(first)
	}
	if len(answerers) > 0 {
		if err := tallyAnswers(ctx, db, answerers, res); err != nil {
			return nil, err
		}
	}
	for i, r := range reps {
		if r.exited() && !r.killed.Load() {
			res.Notes = append(res.Notes, fmt.Sprintf("replica %d exited on its own: %v", i+1, r.err()))
		}
	}
	say("%d sent once, %d lost, %d duplicated, %d failed, %d pending; answers %+v; drain %.1fs",
		res.SentOnce, res.Lost, res.Duplicated, res.Failed, res.Pending, res.Answers, res.Drain.Seconds())
	return res, nil
}

// waitPrompts waits until n channels got a prompt.
func waitPrompts(ctx context.Context, slack *SlackFake, n int, deadline time.Time) error {
	timeout := time.NewTimer(time.Until(deadline))
	defer timeout.Stop()
	for {
		got, _, _, next := slack.Progress()
		if got >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timeout.C:
			return fmt.Errorf("only %d of %d prompts arrived", got, n)
		case <-next:
		}
	}
}
