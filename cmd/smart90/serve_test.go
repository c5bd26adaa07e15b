package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
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
			for _, want := range []string{"smart90_delivery_lateness_seconds_bucket", "smart90_delivery_send_seconds_bucket", "go_goroutines"} {
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

	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
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
			CycleStart: bot.DateOf(dueAt).AddDays(-2), CycleDays: 90, InvitedAt: marked, AcceptedAt: marked, UpdatedAt: marked}
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
