package scheduler_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/scheduler"
	"github.com/smart90/smart90/store/sqlite/sqlitetest"
)

// blockingDeliverer holds every send until released, telling started about
// each one.
type blockingDeliverer struct {
	started chan struct{}
	release chan struct{}
	sent    atomic.Int64
}

func (b *blockingDeliverer) Deliver(ctx context.Context, d *bot.Delivery) (string, bool, error) {
	b.started <- struct{}{}
	<-b.release
	b.sent.Add(1)
	return "ref", true, nil
}

// TestRunStopsGracefully: a stopping service lets sends under way finish
// and gives back what it claimed but did not start, at once, for another
// replica to take.
func TestRunStopsGracefully(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := sqlitetest.New(t)
	// People without engagements: nothing but these deliveries is due.
	inst := &bot.Installation{Platform: bot.PlatformConsole, ExternalID: "T1", Status: bot.InstallationActive}
	must(t, s.UpsertInstallation(ctx, inst))
	var clients []*bot.Person
	for i := range 20 {
		p := &bot.Person{InstallationID: inst.ID, ExternalID: fmt.Sprint("U", i)}
		must(t, s.EnsurePerson(ctx, p))
		clients = append(clients, p)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	for _, c := range clients {
		if _, err := s.CreateDelivery(ctx, &bot.Delivery{PersonID: c.ID, Kind: bot.DeliveryDigest, Period: "2026-W48", DueAt: now.Add(-time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	del := &blockingDeliverer{started: make(chan struct{}), release: make(chan struct{})}
	sched, err := scheduler.New(scheduler.Config{Store: s, Deliverer: del, Workers: 2, Batch: 10,
		Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	must(t, err)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- sched.Run(runCtx, time.Hour) }()

	timeout := time.After(30 * time.Second)
	for range 2 { // both workers are sending
		select {
		case <-del.started:
		case <-timeout:
			t.Fatal("no send started")
		}
	}
	stop()
	close(del.release) // the two sends under way complete
	select {
	case err := <-done:
		must(t, err)
	case <-timeout:
		t.Fatal("Run did not return after its context was cancelled")
	}

	if got := del.sent.Load(); got != 2 {
		t.Errorf("sent %d, want the 2 under way", got)
	}
	var sent, released int
	for _, c := range clients {
		d, err := s.DeliveryByKey(ctx, c.ID, bot.DeliveryDigest, "2026-W48")
		must(t, err)
		switch {
		case d.State == bot.DeliverySent:
			sent++
		case d.State == bot.DeliveryPending && d.LeaseUntil.IsZero() && d.Attempts == 0:
			released++
		default:
			t.Errorf("delivery %d left %s, lease %v, attempts %d", d.ID, d.State, d.LeaseUntil, d.Attempts)
		}
	}
	if sent != 2 || released != 18 {
		t.Errorf("sent %d, pending and free %d; want 2 and 18", sent, released)
	}
}

// TestRunPlansOnTheInjectedClock: Run plans when the injected clock reaches
// a check-in's minute, without waiting for the wall clock's next minute.
// (Monday's reminder is past the grace window by Tuesday: missed, not sent.)
func TestRunPlansOnTheInjectedClock(t *testing.T) {
	t.Parallel()
	b := setup(t) // Sunday 18:00 UTC; Ana's first check-in is due Monday 08:00 UTC
	got := make(chan string, 8)
	b.del.DeliverFunc = func(d *bot.Delivery) (string, bool, error) {
		got <- string(d.Kind) + " " + d.Period
		return "ref", true, nil
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.sched.Run(ctx, 10*time.Millisecond) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	timeout := time.After(30 * time.Second)
	// Monday's check-in may come from Run's first plan; once it is sent,
	// that plan is over, and Tuesday's can only come from a later one.
	// A minute that comes while the plan before is still finishing is
	// skipped (skip-if-still-running), and the injected clock stands
	// still: when nothing came for a while, the next minute comes.
	for _, day := range []int{23, 24} {
		at := time.Date(2026, 11, day, 8, 0, 0, 0, time.UTC)
		b.clock.Set(at)
		want := fmt.Sprintf("daily 2026-11-%d", day)
		for waiting := true; waiting; {
			select {
			case k := <-got:
				if k != want {
					t.Errorf("delivered %q, want %q", k, want)
				}
				waiting = false
			case <-time.After(time.Second):
				at = at.Add(time.Minute)
				b.clock.Set(at)
			case <-timeout:
				t.Fatalf("%s was not planned and sent once the injected clock reached it", want)
			}
		}
	}
}
