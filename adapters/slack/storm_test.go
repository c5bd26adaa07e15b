package slack

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/scheduler"
)

// Test429Storm: Slack answers the first sends of a morning's prompts with
// 429 and Retry-After. The scheduler waits at least as long as asked, tries
// again, and every prompt goes out once, none recorded as failed.
func Test429Storm(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	f := newFakeSlack(t)
	var limited atomic.Int64
	f.Handle("chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
		if limited.Add(1) <= 6 {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1700000000.%06d"}`, r.PostForm.Get("channel"), limited.Load())
	})
	f.Handle("conversations.open", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true,"channel":{"id":"D`+r.PostForm.Get("users")+`"}}`)
	})
	ctx := context.Background()
	inst := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T1", Status: bot.InstallationActive}
	if err := b.Store.UpsertInstallation(ctx, inst); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)
	coach := &bot.Person{InstallationID: inst.ID, ExternalID: "UCOACH", DisplayName: "cora", TimeZone: "UTC", CreatedAt: start}
	if err := b.Store.EnsurePerson(ctx, coach); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		p := &bot.Person{InstallationID: inst.ID, ExternalID: fmt.Sprint("U", i), DisplayName: fmt.Sprint("client", i), TimeZone: "UTC", CreatedAt: start}
		if err := b.Store.EnsurePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		e := &bot.Engagement{CoachID: coach.ID, ClientID: p.ID, Status: bot.EngagementActive, CheckinTime: 9 * 60, Workdays: bot.MonToFri,
			WeeklyWeekday: time.Friday, WeeklyTime: 15 * 60, Start: bot.Date{Year: 2026, Month: 11, Day: 23}, CycleDays: 90,
			InvitedAt: start, AcceptedAt: start, UpdatedAt: start}
		if err := b.Store.CreateEngagement(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	clock := bottest.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	core, err := bot.New(bot.Config{Store: b.Store, Messenger: NewMessenger(MessengerConfig{APIURL: f.URL, BotToken: "xoxb-1"}), State: b.State, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	sched, err := scheduler.New(scheduler.Config{Store: b.Store, Deliverer: core, Clock: clock, Workers: 2,
		Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatal(err)
	}
	tick := func() {
		t.Helper()
		if err := sched.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	tick() // 09:00: all four refused
	if n := limited.Load(); n != 4 {
		t.Fatalf("first tick: %d postMessage calls, want 4", n)
	}
	clock.Advance(time.Minute)
	tick() // 09:01: Slack asked for two minutes; nothing is tried
	if n := limited.Load(); n != 4 {
		t.Fatalf("a minute later: %d postMessage calls, want still 4 (Retry-After honoured)", n)
	}
	for range 30 {
		clock.Advance(time.Minute)
		tick()
	}
	for i := range 4 {
		p, err := b.Store.PersonByExternalID(ctx, inst.ID, fmt.Sprint("U", i))
		if err != nil {
			t.Fatal(err)
		}
		d, err := b.Store.DeliveryByKey(ctx, p.ID, bot.DeliveryDaily, "2026-11-23")
		if err != nil || d.State != bot.DeliverySent || d.MessageRef == "" {
			t.Errorf("client %d: %+v, %v; want sent", i, d, err)
		}
	}
	if got := limited.Load(); got != 6+4 {
		t.Errorf("postMessage calls = %d, want 6 refused + 4 sent (no duplicates)", got)
	}
}
