package faults

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/smart90/smart90/bot"
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

// Result is what a run measured.
type Result struct {
	Scenario Scenario
	Clients  int
	// SentOnce, Lost and Duplicated count clients whose prompt the fake
	// Slack received once, never, or more than once; Extra is how many
	// prompts beyond the first the duplicated ones got.
	SentOnce, Lost, Duplicated, Extra int
	// Failed counts what a human must fix: deliveries failed or
	// suspended, and schedules put on hold.
	Failed int
	// Pending counts deliveries still waiting when the run stopped.
	Pending int
	Answers AnswerTally
	// Drain is from the first prompt to the last client's first prompt;
	// Drained is false when some client never got theirs.
	Drain   time.Duration
	Drained bool
	// Notes are what else went wrong (a replica that exited on its own),
	// and examples of what the counts count.
	Notes []string
}

// AnswerTally counts the answers clients sent in their DM: Sent is every
// answer sent (each once, however many times Slack retried it), Acked
// those acknowledged with a 2xx. Of the acknowledged ones, StoredOnce are
// stored exactly once in their field of the check-in, Lost nowhere,
// Duplicated in more than one field, Misplaced in one but the wrong one.
// Unacked ones (Slack gave up) may be stored or not, but never twice.
type AnswerTally struct {
	Sent, Acked, StoredOnce, Lost, Duplicated, Misplaced int
}

// Problems lists, in words, how the run broke smart90's promise; none
// when it held.
func (r *Result) Problems() []string {
	var p []string
	if r.SentOnce != r.Clients {
		p = append(p, fmt.Sprintf("%d of %d clients got their prompt exactly once: %d never, %d more than once (%d extra prompts)",
			r.SentOnce, r.Clients, r.Lost, r.Duplicated, r.Extra))
	}
	if r.Failed > 0 {
		p = append(p, fmt.Sprintf("%d deliveries or schedules failed or on hold: a human must fix them", r.Failed))
	}
	if r.Pending > 0 {
		p = append(p, fmt.Sprintf("%d deliveries still pending when the run stopped", r.Pending))
	}
	a := r.Answers
	if a.StoredOnce != a.Acked || a.Duplicated > 0 {
		p = append(p, fmt.Sprintf("of %d acknowledged answers (%d sent) %d stored exactly once: %d lost, %d duplicated, %d in the wrong field",
			a.Acked, a.Sent, a.StoredOnce, a.Lost, a.Duplicated, a.Misplaced))
	}
	return append(p, r.Notes...)
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

// cleanEnv is this process's environment without smart90's, Slack's and
// Teams' settings, so that only what the run sets reaches the replicas.
func cleanEnv() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "SMART90_") || strings.HasPrefix(kv, "SLACK_") || strings.HasPrefix(kv, "MICROSOFT_")
	})
}

// replica is one running `smart90 serve`.
type replica struct {
	cmd    *exec.Cmd
	addr   string
	log    *os.File
	done   chan struct{}
	waited error
	killed atomic.Bool
}

var listening = regexp.MustCompile(`listening on (\S+)`)

func startReplica(bin string, args, env []string, logPath string) (*replica, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stderr = logf
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	r := &replica{cmd: cmd, log: logf, done: make(chan struct{})}
	line := make(chan string, 1)
	go func() {
		br := bufio.NewReader(stdout)
		l, _ := br.ReadString('\n')
		line <- l
		io.Copy(io.Discard, br)
		r.waited = cmd.Wait()
		logf.Close()
		close(r.done)
	}()
	select {
	case l := <-line:
		m := listening.FindStringSubmatch(l)
		if m == nil {
			r.stop()
			b, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("did not start (%q): %s", l, tail(string(b), 20))
		}
		r.addr = m[1]
		return r, nil
	case <-time.After(time.Minute):
		r.stop()
		return nil, errors.New("did not start within a minute")
	}
}

func (r *replica) exited() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

func (r *replica) err() error {
	<-r.done
	return r.waited
}

// kill is kill -9.
func (r *replica) kill() {
	r.killed.Store(true)
	r.cmd.Process.Kill()
	<-r.done
}

// stop stops the replica gracefully, or kills it after 15 s.
func (r *replica) stop() {
	if r.exited() {
		return
	}
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(15 * time.Second):
		r.cmd.Process.Kill()
		<-r.done
	}
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}

// seed creates the Slack workspace, a coach and n clients in UTC, each
// with a daily check-in due at due, every day, no reminder, and the weekly
// report days away. It returns each client's user id and display name.
func seed(ctx context.Context, s *postgres.DB, n int, due time.Time) (map[string]string, error) {
	marked := due.Add(-time.Hour)
	inst := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: Team, Name: "Faults", Status: bot.InstallationActive, CreatedAt: marked, UpdatedAt: marked}
	if err := s.UpsertInstallation(ctx, inst); err != nil {
		return nil, err
	}
	coach := &bot.Person{InstallationID: inst.ID, ExternalID: "UCOACH", DisplayName: "coach", TimeZone: "UTC", CreatedAt: marked}
	if err := s.EnsurePerson(ctx, coach); err != nil {
		return nil, err
	}
	users := make(map[string]string, n)
	for i := range n {
		users[fmt.Sprintf("U%06d", i)] = fmt.Sprintf("client %d", i)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				p := &bot.Person{InstallationID: inst.ID, ExternalID: fmt.Sprintf("U%06d", i), DisplayName: fmt.Sprintf("client %d", i),
					TimeZone: "UTC", CreatedAt: marked}
				if err := s.EnsurePerson(ctx, p); err != nil {
					errs <- err
					return
				}
				e := &bot.Engagement{CoachID: coach.ID, ClientID: p.ID, Status: bot.EngagementActive,
					CheckinTime: bot.ClockTime(due.Hour()*60 + due.Minute()), Workdays: 0x7f,
					WeeklyWeekday: (due.Weekday() + 3) % 7, WeeklyTime: 15 * 60,
					Start: bot.DateOf(due).AddDays(-2), CycleDays: 90, InvitedAt: marked, AcceptedAt: marked, UpdatedAt: marked}
				if err := s.CreateEngagement(ctx, e); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return users, <-errs
}

// deliveryCounts are the daily check-ins' deliveries by state.
type deliveryCounts struct {
	total, pending, failed, onHold int
}

// countDeliveries reads them directly, never through the proxy.
func countDeliveries(ctx context.Context, db *postgres.DB) (deliveryCounts, error) {
	var c deliveryCounts
	err := db.Pool().QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE state = 'pending'),
		count(*) FILTER (WHERE state IN ('failed', 'suspended')),
		(SELECT count(*) FROM schedules WHERE suspended <> '')
		FROM deliveries WHERE kind = 'daily'`).Scan(&c.total, &c.pending, &c.failed, &c.onHold)
	if err != nil {
		return c, fmt.Errorf("count deliveries: %w", err)
	}
	return c, nil
}

// answerer is a client who answers the check-in in their DM, one message
// per question.
type answerer struct {
	user    string
	answers [4]string
	results []delivery // one per answer sent; the last one unacknowledged when Slack gave up
}

// pickAnswerers takes n clients whose prompt is recorded as sent, so that
// their messages answer it.
func pickAnswerers(ctx context.Context, db *postgres.DB, n int) ([]*answerer, error) {
	rows, err := db.Pool().Query(ctx, `SELECT p.external_id FROM deliveries d JOIN people p ON p.id = d.person_id
		WHERE d.kind = 'daily' AND d.state = 'sent' ORDER BY d.sent_at, d.id LIMIT $1`, n)
	if err != nil {
		return nil, fmt.Errorf("pick answerers: %w", err)
	}
	defer rows.Close()
	var out []*answerer
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		out = append(out, &answerer{user: u, answers: [4]string{"moved " + u + " forward", "priority of " + u, "stuck on " + u, "4"}})
	}
	return out, rows.Err()
}

// run sends the answers one after the other, each once acknowledged; a
// person whose message Slack gave up on stops there.
func (a *answerer) run(ctx context.Context, s *eventSender) {
	for _, text := range a.answers {
		d := s.message(ctx, a.user, text)
		a.results = append(a.results, d)
		if !d.acked {
			return
		}
	}
}

// tallyAnswers compares what each answerer's acknowledged answers should
// have stored with the check-ins stored.
func tallyAnswers(ctx context.Context, db *postgres.DB, as []*answerer, res *Result) error {
	users := make([]string, len(as))
	for i, a := range as {
		users[i] = a.user
	}
	rows, err := db.Pool().Query(ctx, `SELECT p.external_id, c.moved, c.priority, c.stuck, c.energy
		FROM check_ins c JOIN engagements e ON e.id = c.engagement_id JOIN people p ON p.id = e.client_id
		WHERE p.external_id = ANY($1)`, users)
	if err != nil {
		return fmt.Errorf("read check-ins: %w", err)
	}
	defer rows.Close()
	stored := map[string][][4]string{}
	for rows.Next() {
		var u string
		var f [4]string
		var energy int
		if err := rows.Scan(&u, &f[0], &f[1], &f[2], &energy); err != nil {
			return err
		}
		if energy > 0 {
			f[3] = strconv.Itoa(energy)
		}
		stored[u] = append(stored[u], f)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	t := &res.Answers
	for _, a := range as {
		for k, d := range a.results {
			t.Sent++
			found, inPlace := 0, false
			for _, f := range stored[a.user] {
				for j, v := range f {
					if v == a.answers[k] {
						found++
						inPlace = inPlace || j == k
					}
				}
			}
			if found > 1 {
				t.Duplicated++
				if len(res.Notes) < 8 {
					res.Notes = append(res.Notes, fmt.Sprintf("%s's answer %q is stored %d times: %q", a.user, a.answers[k], found, stored[a.user]))
				}
			}
			if !d.acked {
				continue
			}
			t.Acked++
			switch {
			case found == 0:
				t.Lost++
				if len(res.Notes) < 8 {
					res.Notes = append(res.Notes, fmt.Sprintf("%s's answer %q was acknowledged (attempts: %s) and is not stored: %q",
						a.user, a.answers[k], strings.Join(d.statuses, ", "), stored[a.user]))
				}
			case found == 1 && !inPlace:
				t.Misplaced++
			case found == 1:
				t.StoredOnce++
			}
		}
	}
	return nil
}
