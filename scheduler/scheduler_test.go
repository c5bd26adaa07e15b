package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/scheduler"
	"github.com/smart90/smart90/store/sqlite"
)

// deliverer records deliveries; DeliverFunc, when set, decides the outcome.
type deliverer struct {
	mu          sync.Mutex
	got         []bot.Delivery
	DeliverFunc func(d *bot.Delivery) (string, bool, error)
}

func (f *deliverer) Deliver(_ context.Context, d *bot.Delivery) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.DeliverFunc != nil {
		ref, needed, err := f.DeliverFunc(d)
		if err == nil && needed {
			f.got = append(f.got, *d)
		}
		return ref, needed, err
	}
	f.got = append(f.got, *d)
	return "ref", true, nil
}

func (f *deliverer) kinds() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, d := range f.got {
		out = append(out, string(d.Kind)+" "+d.Period)
	}
	return out
}

type bundle struct {
	store bot.Store
	clock *bottest.Clock
	del   *deliverer
	sched *scheduler.Scheduler
	eng   *bot.Engagement
	ana   *bot.Person
}

// setup makes a coach (London) and an active client (Paris) whose cycle
// starts Monday 2026-11-23, with check-ins at 09:00 Mon–Fri and a 2h reminder.
func setup(t *testing.T) *bundle {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)
	inst := &bot.Installation{Platform: bot.PlatformConsole, ExternalID: "local", Status: bot.InstallationActive}
	must(t, s.UpsertInstallation(ctx, inst))
	// The coach joins after Monday's 07:00 digest time, so the first digest
	// due is the one on 2026-11-30.
	joined := time.Date(2026, 11, 23, 7, 30, 0, 0, time.UTC)
	coach := &bot.Person{InstallationID: inst.ID, ExternalID: "coach", TimeZone: "Europe/London", IsCoach: true, DigestWeekday: time.Monday, DigestTime: 7 * 60, CreatedAt: joined}
	must(t, s.EnsurePerson(ctx, coach))
	ana := &bot.Person{InstallationID: inst.ID, ExternalID: "ana", TimeZone: "Europe/Paris", CreatedAt: start}
	must(t, s.EnsurePerson(ctx, ana))
	e := &bot.Engagement{CoachID: coach.ID, ClientID: ana.ID, Status: bot.EngagementActive, CheckinTime: 9 * 60, Workdays: bot.MonToFri,
		WeeklyWeekday: time.Friday, WeeklyTime: 15 * 60, ReminderDelay: 2 * time.Hour, CycleStart: bot.Date{Year: 2026, Month: 11, Day: 23},
		CycleDays: 90, InvitedAt: start, AcceptedAt: start, UpdatedAt: start}
	must(t, s.CreateEngagement(ctx, e))
	c := bottest.NewClock(start)
	del := &deliverer{}
	sched, err := scheduler.New(scheduler.Config{Store: s, Deliverer: del, Clock: c, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	must(t, err)
	return &bundle{store: s, clock: c, del: del, sched: sched, eng: e, ana: ana}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (b *bundle) tickAt(t *testing.T, utc string) {
	t.Helper()
	at, err := time.Parse("2006-01-02 15:04", utc)
	must(t, err)
	b.clock.Set(at)
	must(t, b.sched.Tick(context.Background()))
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDailyPromptOnceAtLocalTime(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.tickAt(t, "2026-11-23 07:59") // 08:59 in Paris
	if got := b.del.kinds(); len(got) != 0 {
		t.Fatalf("before 09:00 Paris: %v", got)
	}
	b.tickAt(t, "2026-11-23 08:00")
	b.tickAt(t, "2026-11-23 08:01")
	b.tickAt(t, "2026-11-23 08:30")
	if got, want := b.del.kinds(), []string{"daily 2026-11-23"}; !equal(got, want) {
		t.Fatalf("deliveries = %v, want %v", got, want)
	}
	d, err := b.store.DeliveryByKey(context.Background(), b.ana.ID, bot.DeliveryDaily, "2026-11-23")
	must(t, err)
	if d.State != bot.DeliverySent || d.MessageRef != "ref" || !d.DueAt.Equal(time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("stored delivery: %+v", d)
	}
}

func TestReminderOnceAfterDelay(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.tickAt(t, "2026-11-23 08:00")
	b.tickAt(t, "2026-11-23 09:59")
	b.tickAt(t, "2026-11-23 10:00")
	b.tickAt(t, "2026-11-23 12:00")
	b.tickAt(t, "2026-11-23 14:00")
	if got, want := b.del.kinds(), []string{"daily 2026-11-23", "reminder 2026-11-23"}; !equal(got, want) {
		t.Fatalf("deliveries = %v, want %v", got, want)
	}
}

func TestReminderOff(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.eng.ReminderDelay = 0
	must(t, b.store.UpdateEngagement(context.Background(), b.eng))
	b.tickAt(t, "2026-11-23 08:00")
	b.tickAt(t, "2026-11-23 12:00")
	if got, want := b.del.kinds(), []string{"daily 2026-11-23"}; !equal(got, want) {
		t.Fatalf("deliveries = %v, want %v", got, want)
	}
}

func TestCatchUpInsideGraceMissedOutside(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// Down from Monday morning until Tuesday 10:30 UTC: Monday's check-in is
	// 26h late (missed), Tuesday's 2.5h late (still sent, inside 3h).
	b.tickAt(t, "2026-11-24 10:30")
	if got, want := b.del.kinds(), []string{"daily 2026-11-24"}; !equal(got, want) {
		t.Fatalf("deliveries = %v, want %v", got, want)
	}
	mon, err := b.store.DeliveryByKey(context.Background(), b.ana.ID, bot.DeliveryDaily, "2026-11-23")
	must(t, err)
	if mon.State != bot.DeliveryMissed {
		t.Errorf("Monday: %s, want missed", mon.State)
	}
}

func TestPauseAndWeekend(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.eng.PauseFrom, b.eng.PauseTo = bot.Date{Year: 2026, Month: 11, Day: 24}, bot.Date{Year: 2026, Month: 11, Day: 25}
	must(t, b.store.UpdateEngagement(context.Background(), b.eng))
	for day := 23; day <= 29; day++ {
		for _, hm := range []string{"08:00", "10:00", "14:00"} {
			b.tickAt(t, fmt.Sprintf("2026-11-%d %s", day, hm))
		}
	}
	want := []string{"daily 2026-11-23", "reminder 2026-11-23", "daily 2026-11-26", "reminder 2026-11-26", "daily 2026-11-27", "reminder 2026-11-27", "weekly 2026-W48"}
	if got := b.del.kinds(); !equal(got, want) {
		t.Fatalf("deliveries = %v\nwant %v", got, want)
	}
}

func TestTransientFailureRetriedPermanentRecorded(t *testing.T) {
	t.Parallel()
	b := setup(t)
	fails := 1
	b.del.DeliverFunc = func(d *bot.Delivery) (string, bool, error) {
		if d.Kind == bot.DeliveryWeekly {
			return "", true, bot.Errorf(bot.EFORBIDDEN, "user gone")
		}
		if fails > 0 {
			fails--
			return "", true, errors.New("connection reset")
		}
		return "ref", true, nil
	}
	b.tickAt(t, "2026-11-23 08:00")
	if got := b.del.kinds(); len(got) != 0 {
		t.Fatalf("sent despite failure: %v", got)
	}
	b.tickAt(t, "2026-11-23 08:00") // still backing off
	if got := b.del.kinds(); len(got) != 0 {
		t.Fatalf("retried inside the backoff: %v", got)
	}
	b.tickAt(t, "2026-11-23 08:02")
	if got, want := b.del.kinds(), []string{"daily 2026-11-23"}; !equal(got, want) {
		t.Fatalf("deliveries = %v, want %v", got, want)
	}
	d, err := b.store.DeliveryByKey(context.Background(), b.ana.ID, bot.DeliveryDaily, "2026-11-23")
	must(t, err)
	if d.State != bot.DeliverySent || d.Attempts != 2 || d.LastError == "" {
		t.Errorf("retried delivery: %+v", d)
	}
	b.tickAt(t, "2026-11-27 14:00")
	b.tickAt(t, "2026-11-27 15:00")
	w, err := b.store.DeliveryByKey(context.Background(), b.ana.ID, bot.DeliveryWeekly, "2026-W48")
	must(t, err)
	if w.State != bot.DeliveryFailed || w.Attempts != 1 {
		t.Errorf("permanent failure: %+v", w)
	}
}

func TestDigestForCoach(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.tickAt(t, "2026-11-30 06:59")
	b.tickAt(t, "2026-11-30 07:00")
	b.tickAt(t, "2026-11-30 07:05")
	n := 0
	for _, k := range b.del.kinds() {
		if k == "digest 2026-W48" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("digests for W48 = %d, want 1 (deliveries %v)", n, b.del.kinds())
	}
}
