package scheduler

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/smart90/smart90/bot/bottest"
)

// TestPlanOnFollowsTheInjectedClock: plans start when the injected clock
// reaches a new minute, whatever the wall clock says, and a plan still
// running when the next minutes come is not started again: those minutes
// are skipped.
func TestPlanOnFollowsTheInjectedClock(t *testing.T) {
	t.Parallel()
	from := time.Date(2026, 11, 23, 8, 0, 30, 0, time.UTC)
	clock := bottest.NewClock(from)
	s := &Scheduler{clock: clock}
	every, err := cron.ParseStandard(planSpec)
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan time.Time)
	release := make(chan struct{})
	skipped := make(chan struct{}, 16)
	var running, most, plans atomic.Int32
	plan := func() {
		n := running.Add(1)
		if n > most.Load() {
			most.Store(n)
		}
		plans.Add(1)
		started <- clock.Now()
		<-release
		running.Add(-1)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.planOn(ctx, every, from, time.Millisecond, plan, func() { skipped <- struct{}{} })
	}()
	timeout := time.After(30 * time.Second)
	waitStart := func(want time.Time) {
		t.Helper()
		select {
		case at := <-started:
			if !at.Equal(want) {
				t.Errorf("plan started at %v on the injected clock, want %v", at, want)
			}
		case <-timeout:
			t.Fatalf("no plan started once the injected clock read %v", want)
		}
	}
	waitSkip := func() {
		t.Helper()
		select {
		case <-skipped:
		case <-timeout:
			t.Fatal("a minute that came while a plan was running was not skipped")
		}
	}

	minute := func(m int) time.Time { return time.Date(2026, 11, 23, 8, m, 0, 0, time.UTC) }
	clock.Set(minute(1))
	waitStart(minute(1))
	clock.Set(minute(2)) // the plan of 08:01 still runs
	waitSkip()
	clock.Set(minute(3))
	waitSkip()
	if got := plans.Load(); got != 1 {
		t.Errorf("%d plans started while the first ran, want 1", got)
	}
	release <- struct{}{}
	// The plan of 08:01 returned, but its goroutine frees the slot just
	// after: a minute read in between is still skipped. The next minute
	// whose tick finds the slot free is planned (08:04 nearly always).
	second := minute(4)
	clock.Set(second)
	for waiting := true; waiting; {
		select {
		case at := <-started:
			if !at.Equal(second) {
				t.Errorf("plan started at %v on the injected clock, want %v", at, second)
			}
			waiting = false
		case <-skipped:
			second = second.Add(time.Minute)
			clock.Set(second)
		case <-timeout:
			t.Fatalf("no plan started once the injected clock read %v", second)
		}
	}
	release <- struct{}{}
	stop()
	select {
	case <-done:
	case <-timeout:
		t.Fatal("planOn did not return after its context was cancelled")
	}
	if got := most.Load(); got != 1 {
		t.Errorf("%d plans ran at once, want 1", got)
	}
	if got := plans.Load(); got != 2 {
		t.Errorf("%d plans, want 2 (08:01 and %s)", got, second.Format("15:04"))
	}
}
