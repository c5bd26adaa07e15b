package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/scheduler"
	"github.com/smart90/smart90/store/sqlite/sqlitetest"
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
	store   bot.Store
	clock   *bottest.Clock
	del     *deliverer
	sched   *scheduler.Scheduler
	metrics *scheduler.Metrics
	eng     *bot.Engagement
	ana     *bot.Person
}

// setup makes a coach (London) and an active client (Paris) whose cycle
// starts Monday 2026-11-23, with check-ins at 09:00 Mon–Fri and a 2h reminder.
func setup(t *testing.T) *bundle {
	t.Helper()
	ctx := context.Background()
	s := sqlitetest.New(t)
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
		WeeklyWeekday: time.Friday, WeeklyTime: 15 * 60, ReminderDelay: 2 * time.Hour, Start: bot.Date{Year: 2026, Month: 11, Day: 23},
		CycleDays: 90, InvitedAt: start, AcceptedAt: start, UpdatedAt: start}
	must(t, s.CreateEngagement(ctx, e))
	c := bottest.NewClock(start)
	del := &deliverer{}
	m := scheduler.NewMetrics(nil)
	sched, err := scheduler.New(scheduler.Config{Store: s, Deliverer: del, Clock: c, Metrics: m,
		Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	must(t, err)
	return &bundle{store: s, clock: c, del: del, sched: sched, metrics: m, eng: e, ana: ana}
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

func TestSettingsChangeMovesTheNextPrompt(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.tickAt(t, "2026-11-23 07:00")
	b.clock.Set(time.Date(2026, 11, 23, 7, 30, 0, 0, time.UTC))
	b.eng.CheckinTime, b.eng.UpdatedAt = 10*60, b.clock.Now()
	must(t, b.store.UpdateEngagement(context.Background(), b.eng))
	b.tickAt(t, "2026-11-23 08:00") // the old time: nothing
	if got := b.del.kinds(); len(got) != 0 {
		t.Fatalf("sent at the old time: %v", got)
	}
	b.tickAt(t, "2026-11-23 09:00") // 10:00 in Paris
	if got, want := b.del.kinds(), []string{"daily 2026-11-23"}; !equal(got, want) {
		t.Fatalf("deliveries = %v, want %v", got, want)
	}
	// Moving it again the same day does not prompt twice for that day.
	b.eng.CheckinTime, b.eng.UpdatedAt = 11*60, b.clock.Now()
	must(t, b.store.UpdateEngagement(context.Background(), b.eng))
	b.tickAt(t, "2026-11-23 10:00")
	if got, want := b.del.kinds(), []string{"daily 2026-11-23"}; !equal(got, want) {
		t.Fatalf("deliveries = %v, want %v", got, want)
	}
}

// TestCyclesFollowOneAnother: a cycle's last day is not the end of the
// prompts; the next cycle starts the day after without anything having
// to run at the rollover.
func TestCyclesFollowOneAnother(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.eng.CycleDays, b.eng.ReminderDelay = 2, 0 // cycles of two days: four of them in the week
	must(t, b.store.UpdateEngagement(context.Background(), b.eng))
	for day := 23; day <= 30; day++ {
		b.tickAt(t, fmt.Sprintf("2026-11-%d 08:00", day))
	}
	var got []string
	for _, k := range b.del.kinds() {
		if strings.HasPrefix(k, "daily") {
			got = append(got, k)
		}
	}
	want := []string{"daily 2026-11-23", "daily 2026-11-24", "daily 2026-11-25", "daily 2026-11-26", "daily 2026-11-27", "daily 2026-11-30"}
	if !equal(got, want) {
		t.Fatalf("deliveries = %v, want %v", got, want)
	}
	ss, err := b.store.Schedules(context.Background(), b.ana.ID)
	must(t, err)
	for _, s := range ss {
		if s.NextAt.IsZero() {
			t.Errorf("%s schedule stopped after the first cycles", s.Kind)
		}
	}
}

func TestPermanentFailureSuspendsUntilResumed(t *testing.T) {
	t.Parallel()
	b := setup(t)
	gone := true
	b.del.DeliverFunc = func(d *bot.Delivery) (string, bool, error) {
		if gone {
			return "", true, bot.Errorf(bot.ENOTFOUND, "ana left the workspace.")
		}
		return "ref", true, nil
	}
	b.tickAt(t, "2026-11-23 08:00")
	b.tickAt(t, "2026-11-23 12:00")
	b.tickAt(t, "2026-11-24 08:00")
	b.tickAt(t, "2026-11-25 08:00")
	d, err := b.store.DeliveryByKey(context.Background(), b.ana.ID, bot.DeliveryDaily, "2026-11-23")
	must(t, err)
	if d.State != bot.DeliveryFailed || d.Attempts != 1 {
		t.Errorf("failed delivery: %+v", d)
	}
	if _, err := b.store.DeliveryByKey(context.Background(), b.ana.ID, bot.DeliveryDaily, "2026-11-24"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("a prompt was planned for a person who is gone: %v", err)
	}
	if r, err := b.store.DeliveryByKey(context.Background(), b.ana.ID, bot.DeliveryReminder, "2026-11-23"); err != nil || r.State != bot.DeliverySkipped {
		t.Errorf("reminder of a failed check-in: %+v, %v; want skipped", r, err)
	}
	ss, err := b.store.Schedules(context.Background(), b.ana.ID)
	must(t, err)
	for _, s := range ss {
		if s.Suspended != "ana left the workspace." || !s.NextAt.IsZero() {
			t.Errorf("%s schedule: suspended %q, next %v", s.Kind, s.Suspended, s.NextAt)
		}
	}
	// She is back and resumes (any change to the engagement does it).
	gone = false
	b.clock.Set(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	b.eng.UpdatedAt = b.clock.Now()
	must(t, b.store.UpdateEngagement(context.Background(), b.eng))
	b.tickAt(t, "2026-11-26 08:00")
	if got, want := b.del.kinds(), []string{"daily 2026-11-26"}; !equal(got, want) {
		t.Fatalf("deliveries after resuming = %v, want %v", got, want)
	}
}

func TestReminderFollowsALateCheckIn(t *testing.T) {
	t.Parallel()
	b := setup(t)
	fails := 1
	b.del.DeliverFunc = func(d *bot.Delivery) (string, bool, error) {
		if d.Kind == bot.DeliveryDaily && fails > 0 {
			fails--
			return "", true, errors.New("timeout")
		}
		return "ref", true, nil
	}
	b.tickAt(t, "2026-11-23 08:00")
	b.tickAt(t, "2026-11-23 08:45") // the retry goes out 45 minutes late
	b.tickAt(t, "2026-11-23 10:00") // planned reminder time: too soon after it
	if got, want := b.del.kinds(), []string{"daily 2026-11-23"}; !equal(got, want) {
		t.Fatalf("deliveries = %v, want %v", got, want)
	}
	b.tickAt(t, "2026-11-23 10:45")
	if got, want := b.del.kinds(), []string{"daily 2026-11-23", "reminder 2026-11-23"}; !equal(got, want) {
		t.Fatalf("deliveries = %v, want %v", got, want)
	}
	r, err := b.store.DeliveryByKey(context.Background(), b.ana.ID, bot.DeliveryReminder, "2026-11-23")
	must(t, err)
	if want := time.Date(2026, 11, 23, 10, 45, 0, 0, time.UTC); !r.DueAt.Equal(want) || r.State != bot.DeliverySent {
		t.Errorf("reminder: due %v state %s, want due %v and sent", r.DueAt, r.State, want)
	}
}

func TestMetricsCountOutcomes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.tickAt(t, "2026-11-24 10:30") // Monday missed, Tuesday sent late
	m := b.metrics
	if got := testutil.ToFloat64(m.Missed.WithLabelValues("daily")); got != 1 {
		t.Errorf("missed daily = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.Sent.WithLabelValues("daily")); got != 1 {
		t.Errorf("sent daily = %v, want 1", got)
	}
	if got := testutil.CollectAndCount(m.Lateness); got != 1 {
		t.Errorf("lateness series = %d, want 1", got)
	}
}
