package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/postgres"
	"github.com/smart90/smart90/store/postgres/pgtest"
	"github.com/smart90/smart90/store/redis/redistest"
)

// TestServe runs `smart90 serve -dry-run` on PostgreSQL and Redis with five
// clients whose check-in was due ten minutes ago: it sends them, answers
// /healthz, /readyz and /metrics, and stops cleanly when told to.
func TestServe(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.URL(t)
	redisURL, prefix := redistest.Prefix(t)
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := postgres.Open(t.Context(), dbURL, log)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	dueAt := now.Add(-10 * time.Minute)
	seedDue(t, db, dueAt, 5)

	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, []string{"serve", "-dry-run", "-http-addr", "127.0.0.1:0", "-log-level", "warn"},
			strings.NewReader(""), pw, t.Output(), func(k string) string {
				return map[string]string{"SMART90_DATABASE_URL": dbURL, "SMART90_REDIS_URL": redisURL, "SMART90_REDIS_PREFIX": prefix}[k]
			})
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("serve printed nothing: %v (%v)", err, <-done)
	}
	go io.Copy(io.Discard, pr)
	m := regexp.MustCompile(`listening on (\S+) \(store: postgres, coordination: redis, dry run: true\)`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("start-up line = %q", line)
	}
	base := "http://" + m[1]

	if code, body := get(t, base+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	code, body := get(t, base+"/readyz")
	var ready map[string]string
	if err := json.Unmarshal([]byte(body), &ready); err != nil || code != 200 || ready["database"] != "ok" || ready["redis"] != "ok" {
		t.Errorf("/readyz = %d %q", code, body)
	}
	// The prompts are sent: wait for the counter, with a deadline.
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, metrics := get(t, base+"/metrics")
		if strings.Contains(metrics, `smart90_deliveries_sent_total{kind="daily"} 5`) {
			for _, want := range []string{"smart90_delivery_lateness_seconds_bucket", "smart90_delivery_send_seconds_bucket", "go_goroutines",
				"smart90_webhook_events_unqueued_total 0"} {
				if !strings.Contains(metrics, want) {
					t.Errorf("/metrics lacks %s", want)
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("prompts not sent within 30s; /metrics:\n%s", metrics)
		}
		time.Sleep(50 * time.Millisecond)
	}

	stopServe(t, stop, done)
	var sent int
	if err := db.Pool().QueryRow(context.Background(),
		`SELECT count(*) FROM deliveries WHERE kind = 'daily' AND state = 'sent' AND message_ref LIKE 'dry-run-%'`).Scan(&sent); err != nil {
		t.Fatal(err)
	}
	if sent != 5 {
		t.Errorf("%d deliveries recorded as sent, want 5", sent)
	}
}

func TestServeRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"serve"}, nil, "no chat platform"},
		{[]string{"serve", "-dry-run", "-grace", "0s"}, nil, "must be positive"},
		{[]string{"serve", "-dry-run"}, map[string]string{"SMART90_GRACE": "soon"}, "SMART90_GRACE"},
		{[]string{"serve", "-dry-run", "-send-rate", "0"}, nil, "send rate"},
		{[]string{"serve", "-dry-run"}, map[string]string{"SMART90_REDIS_URL": "http://127.0.0.1:6379"}, "Redis URL"},
		{[]string{"serve"}, map[string]string{"SLACK_APP_TOKEN": "xapp-1"}, "needs the workspace's SLACK_BOT_TOKEN"},
		{[]string{"serve"}, map[string]string{"SLACK_CLIENT_ID": "1.2", "SLACK_SIGNING_SECRET": "s"}, "SLACK_CLIENT_SECRET and SMART90_PUBLIC_URL"},
		{[]string{"serve"}, map[string]string{"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "c", "SMART90_PUBLIC_URL": "https://x", "SLACK_SIGNING_SECRET": "s"}, "SMART90_ENCRYPTION_KEY"},
		{[]string{"serve"}, map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"},
		{[]string{"serve"}, map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SMART90_ENCRYPTION_KEY": "short"}, "SMART90_ENCRYPTION_KEY"},
	} {
		env := func(k string) string { return tt.env[k] }
		dir := t.TempDir()
		args := append(tt.args, "-sqlite", dir+"/s.db", "-http-addr", "127.0.0.1:0")
		err := Run(t.Context(), args, strings.NewReader(""), io.Discard, io.Discard, env)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v %v: err = %v, want it to mention %q", tt.args, tt.env, err, tt.want)
		}
	}
}

// seedDue creates n clients in UTC whose daily check-in is due at dueAt.
func seedDue(t *testing.T, s bot.Store, dueAt time.Time, n int) {
	t.Helper()
	ctx := t.Context()
	marked := dueAt.Add(-time.Hour)
	inst := &bot.Installation{Platform: bot.PlatformConsole, ExternalID: "T1", Status: bot.InstallationActive, CreatedAt: marked}
	if err := s.UpsertInstallation(ctx, inst); err != nil {
		t.Fatal(err)
	}
	coach := &bot.Person{InstallationID: inst.ID, ExternalID: "coach", DisplayName: "coach", TimeZone: "UTC", CreatedAt: marked}
	if err := s.EnsurePerson(ctx, coach); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		p := &bot.Person{InstallationID: inst.ID, ExternalID: "U" + string(rune('A'+i)), DisplayName: "client", TimeZone: "UTC", CreatedAt: marked}
		if err := s.EnsurePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		e := &bot.Engagement{CoachID: coach.ID, ClientID: p.ID, Status: bot.EngagementActive,
			CheckinTime: bot.ClockTime(dueAt.Hour()*60 + dueAt.Minute()), Workdays: bot.MonToFri | 1<<time.Saturday | 1<<time.Sunday,
			WeeklyWeekday: (dueAt.Weekday() + 3) % 7, WeeklyTime: bot.ClockTime(dueAt.Hour()*60 + dueAt.Minute()),
			Start: bot.DateOf(dueAt).AddDays(-2), CycleDays: 90, InvitedAt: marked, AcceptedAt: marked, UpdatedAt: marked}
		if err := s.CreateEngagement(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestServeWithoutRedis: Redis goes away after start (its connections are
// cut and new ones dropped). The replica stays ready for inbound traffic,
// says Redis is degraded on /readyz and /metrics, and still sends due
// prompts, paced in-process, without counting failed attempts; when Redis
// is back /readyz says so by itself. Its background loops keep its
// heartbeat, prune expired inbound events, and take it out of the live
// replicas when it stops.
func TestServeWithoutRedis(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.URL(t)
	redisURL, prefix := redistest.Prefix(t)
	proxy := redistest.NewProxy(t, redisURL)
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := postgres.Open(t.Context(), dbURL, log)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	// Clients whose check-in is not due for hours: nothing is sent until
	// the test makes a prompt due, once Redis is gone.
	seedDue(t, db, now.Add(6*time.Hour), 3)
	// An inbound event whose record expired a minute ago.
	if _, err := db.BeginEvent(t.Context(), "Ev-old", now.Add(-2*time.Minute), time.Minute); err != nil {
		t.Fatal(err)
	}

	addr, stop, done := startServe(t, map[string]string{"SMART90_DATABASE_URL": dbURL,
		"SMART90_REDIS_URL": proxy.URL(), "SMART90_REDIS_PREFIX": prefix}, t.Output(), "-dry-run", "-log-level", "warn")
	base := "http://" + addr
	if code, ready := readyz(t, base); code != 200 || ready["redis"] != "ok" || ready["database"] != "ok" {
		t.Fatalf("/readyz before the cut = %d %v", code, ready)
	}
	waitFor(t, "the expired inbound event to be pruned", func() bool {
		return count(t, db, `SELECT count(*) FROM inbound_events WHERE key = 'Ev-old'`) == 0
	})
	waitFor(t, "the replica's heartbeat", func() bool {
		return count(t, db, `SELECT count(*) FROM replicas WHERE expires_at > now()`) == 1
	})

	proxy.Cut()
	code, ready := readyz(t, base)
	if code != 200 || ready["database"] != "ok" || !strings.HasPrefix(ready["redis"], "degraded") {
		t.Errorf("/readyz with Redis cut = %d %v, want 200 with redis degraded", code, ready)
	}
	if _, metrics := get(t, base+"/metrics"); !strings.Contains(metrics, "\nsmart90_redis_up 0\n") {
		t.Errorf("/metrics with Redis cut lacks smart90_redis_up 0")
	}

	// A prompt falls due now: it is sent although the shared limiter is
	// gone, paced in-process.
	rows, err := db.Pool().Query(t.Context(), `SELECT client_id, id FROM engagements`)
	if err != nil {
		t.Fatal(err)
	}
	var due []*bot.Delivery
	for rows.Next() {
		d := &bot.Delivery{Kind: bot.DeliveryDaily, Period: bot.DateOf(now).String(), DueAt: now.Add(-time.Minute),
			State: bot.DeliveryPending, CreatedAt: now, UpdatedAt: now}
		if err := rows.Scan(&d.PersonID, &d.EngagementID); err != nil {
			t.Fatal(err)
		}
		due = append(due, d)
	}
	if err := rows.Err(); err != nil || len(due) != 3 {
		t.Fatalf("engagements: %d, %v", len(due), err)
	}
	for _, d := range due {
		if _, err := db.CreateDelivery(t.Context(), d); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the due prompts to be sent", func() bool {
		_, metrics := get(t, base+"/metrics")
		return strings.Contains(metrics, `smart90_deliveries_sent_total{kind="daily"} 3`)
	})
	if _, metrics := get(t, base+"/metrics"); !strings.Contains(metrics, "\nsmart90_rate_limiter_local 1\n") {
		t.Errorf("/metrics lacks smart90_rate_limiter_local 1 after sends without Redis")
	}

	proxy.Restore()
	waitFor(t, "/readyz to find Redis again", func() bool {
		code, ready := readyz(t, base)
		return code == 200 && ready["redis"] == "ok"
	})
	if _, metrics := get(t, base+"/metrics"); !strings.Contains(metrics, "\nsmart90_redis_up 1\n") {
		t.Errorf("/metrics lacks smart90_redis_up 1 once Redis answers")
	}

	stopServe(t, stop, done)
	if n := count(t, db, `SELECT count(*) FROM deliveries WHERE kind = 'daily' AND state = 'sent' AND attempts <= 1`); n != 3 {
		t.Errorf("%d daily prompts recorded as sent at the first attempt, want 3", n)
	}
	if n := count(t, db, `SELECT count(*) FROM replicas`); n != 0 {
		t.Errorf("%d replicas left after the graceful stop, want 0", n)
	}
}

// TestServeStartsWithoutRedis: a replica that (re)starts while Redis is
// down serves, degraded, rather than failing until Redis is back.
func TestServeStartsWithoutRedis(t *testing.T) {
	t.Parallel()
	redisURL, prefix := redistest.Prefix(t)
	proxy := redistest.NewProxy(t, redisURL)
	proxy.Cut()
	addr, stop, done := startServe(t, map[string]string{"SMART90_REDIS_URL": proxy.URL(), "SMART90_REDIS_PREFIX": prefix},
		t.Output(), "-dry-run", "-log-level", "error")
	if code, ready := readyz(t, "http://"+addr); code != 200 || ready["database"] != "ok" || !strings.HasPrefix(ready["redis"], "degraded") {
		t.Errorf("/readyz = %d %v, want 200 with redis degraded", code, ready)
	}
	proxy.Restore()
	waitFor(t, "/readyz to find Redis", func() bool {
		code, ready := readyz(t, "http://"+addr)
		return code == 200 && ready["redis"] == "ok"
	})
	stopServe(t, stop, done)
}

// TestReadiness: the database and stopping decide readiness; Redis only
// degrades it.
func TestReadiness(t *testing.T) {
	t.Parallel()
	down := func(context.Context) error { return errors.New("dial tcp 10.0.0.7:6379: connect: connection refused") }
	up := func(context.Context) error { return nil }
	for _, tt := range []struct {
		name            string
		stopping        bool
		database, redis func(context.Context) error
		code            int
		want            map[string]string
	}{
		{"all up", false, up, up, 200, map[string]string{"database": "ok", "redis": "ok"}},
		{"no redis configured", false, up, nil, 200, map[string]string{"database": "ok"}},
		{"redis down", false, up, down, 200, map[string]string{"database": "ok", "redis": "degraded: unreachable; sends are paced per replica"}},
		{"database down", false, down, up, 503, map[string]string{"database": "unreachable", "redis": "ok"}},
		{"stopping", true, up, up, 503, map[string]string{"database": "ok", "redis": "ok", "service": "stopping"}},
	} {
		var stopping atomic.Bool
		stopping.Store(tt.stopping)
		rec := httptest.NewRecorder()
		readiness(&stopping, tt.database, tt.redis).ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		var got map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != tt.code || !maps.Equal(got, tt.want) {
			t.Errorf("%s: %d %s, want %d %v", tt.name, rec.Code, rec.Body, tt.code, tt.want)
		}
		if strings.Contains(rec.Body.String(), "10.0.0.7") {
			t.Errorf("%s: /readyz shows an internal address: %s", tt.name, rec.Body)
		}
	}
}

func readyz(t *testing.T, base string) (int, map[string]string) {
	t.Helper()
	code, body := get(t, base+"/readyz")
	var ready map[string]string
	if err := json.Unmarshal([]byte(body), &ready); err != nil {
		t.Fatalf("/readyz = %d %q: %v", code, body, err)
	}
	return code, ready
}

// waitFor polls cond until it holds, failing after 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func count(t *testing.T, db *postgres.DB, query string) int {
	t.Helper()
	var n int
	if err := db.Pool().QueryRow(context.Background(), query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestServeValidateReportsEveryProblem: one failed start names all there
// is to fix, not only the first problem found.
func TestServeValidateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	cfg := serveConfig{Grace: 0, Workers: 1, Shutdown: time.Second, Poll: time.Second, Lease: -time.Second, LogLevel: "loud",
		Slack: slackConfig{AppToken: "xapp-1", ClientID: "1.2"},
		Teams: teamsConfig{AppID: "app", GraphInstall: true}}
	err := cfg.validate()
	if err == nil {
		t.Fatal("validate accepted a configuration with many problems")
	}
	for _, want := range []string{"must be positive", "must not be negative", `log level "loud"`,
		"SLACK_CLIENT_SECRET and SMART90_PUBLIC_URL", "SMART90_ENCRYPTION_KEY", "MICROSOFT_APP_PASSWORD", "MICROSOFT_APP_TENANT_ID"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("validate: %v\nwant it to mention %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "no chat platform") {
		t.Errorf("validate says no chat platform while Slack and Teams are configured: %v", err)
	}

	ok := serveConfig{Grace: time.Hour, Workers: 1, Shutdown: time.Second, Poll: time.Second, LogLevel: "info", DryRun: true}
	if err := ok.validate(); err != nil {
		t.Errorf("validate rejected a dry run's configuration: %v", err)
	}
}

// stopServe stops a serve started by a test and waits for it to return
// without an error, for at most 30 s.
func stopServe(t *testing.T, stop func(), done <-chan error) {
	t.Helper()
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}
