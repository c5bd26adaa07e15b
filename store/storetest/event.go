package storetest

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

func beginEvent(t testing.TB, s bot.Store, key string, now time.Time, hold time.Duration) bot.EventState {
	t.Helper()
	st, err := s.BeginEvent(t.Context(), key, now, hold)
	must(t, "BeginEvent "+key, err)
	return st
}

func testEventLifecycle(t *testing.T, s bot.Store) {
	ctx := t.Context()
	if st := beginEvent(t, s, "slack:event:Ev1", at(0), time.Minute); st != bot.EventNew {
		t.Fatalf("first BeginEvent = %v, want EventNew", st)
	}
	// A retry while the first request still handles it is told so.
	if st := beginEvent(t, s, "slack:event:Ev1", at(time.Second), time.Minute); st != bot.EventHandling {
		t.Fatalf("BeginEvent while handling = %v, want EventHandling", st)
	}
	must(t, "FinishEvent", s.FinishEvent(ctx, "slack:event:Ev1", at(2*time.Second), time.Hour))
	if st := beginEvent(t, s, "slack:event:Ev1", at(3*time.Second), time.Minute); st != bot.EventDone {
		t.Fatalf("BeginEvent after FinishEvent = %v, want EventDone", st)
	}
	// Kept exactly as long as asked: new again when the record expires.
	if st := beginEvent(t, s, "slack:event:Ev1", at(2*time.Second+time.Hour-time.Microsecond), time.Minute); st != bot.EventDone {
		t.Fatalf("BeginEvent just before expiry = %v, want EventDone", st)
	}
	if st := beginEvent(t, s, "slack:event:Ev1", at(2*time.Second+time.Hour), time.Minute); st != bot.EventNew {
		t.Fatalf("BeginEvent at expiry = %v, want EventNew", st)
	}
	// Other keys are apart.
	if st := beginEvent(t, s, "slack:event:Ev2", at(0), time.Minute); st != bot.EventNew {
		t.Fatalf("another key = %v, want EventNew", st)
	}
}

func testEventRelease(t *testing.T, s bot.Store) {
	ctx := t.Context()
	beginEvent(t, s, "teams:activity:A1", at(0), time.Minute)
	must(t, "ReleaseEvent", s.ReleaseEvent(ctx, "teams:activity:A1"))
	if st := beginEvent(t, s, "teams:activity:A1", at(time.Second), time.Minute); st != bot.EventNew {
		t.Fatalf("BeginEvent after ReleaseEvent = %v, want EventNew (the retry is handled)", st)
	}
	must(t, "ReleaseEvent of a missing key", s.ReleaseEvent(ctx, "teams:activity:none"))
}

func testEventHoldRunsOut(t *testing.T, s bot.Store) {
	// A handler that died holding the event does not hold it for ever:
	// the platform's retry after the hold is handled.
	beginEvent(t, s, "slack:event:Ev1", at(0), 30*time.Second)
	if st := beginEvent(t, s, "slack:event:Ev1", at(29*time.Second), 30*time.Second); st != bot.EventHandling {
		t.Fatalf("within the hold = %v, want EventHandling", st)
	}
	if st := beginEvent(t, s, "slack:event:Ev1", at(30*time.Second), 30*time.Second); st != bot.EventNew {
		t.Fatalf("after the hold = %v, want EventNew", st)
	}
}

func testEventConcurrent(t *testing.T, s bot.Store) {
	const n = 20
	var fresh, errs atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			st, err := s.BeginEvent(t.Context(), "slack:event:EvC", at(0), time.Minute)
			switch {
			case err != nil:
				t.Errorf("BeginEvent: %v", err)
				errs.Add(1)
			case st == bot.EventNew:
				fresh.Add(1)
			case st != bot.EventHandling:
				t.Errorf("BeginEvent = %v, want EventNew or EventHandling", st)
			}
		})
	}
	close(start)
	wg.Wait()
	if errs.Load() == 0 && fresh.Load() != 1 {
		t.Fatalf("%d concurrent BeginEvent on one key: %d got EventNew, want exactly 1", n, fresh.Load())
	}
}

func testPruneEvents(t *testing.T, s bot.Store) {
	ctx := t.Context()
	beginEvent(t, s, "k1", at(0), time.Minute)
	must(t, "FinishEvent", s.FinishEvent(ctx, "k2", at(0), time.Hour))
	n, err := s.PruneEvents(ctx, at(time.Minute))
	must(t, "PruneEvents", err)
	if n != 1 {
		t.Fatalf("PruneEvents = %d, want 1 (the expired hold)", n)
	}
	if st := beginEvent(t, s, "k2", at(time.Minute), time.Minute); st != bot.EventDone {
		t.Fatalf("a live record after pruning = %v, want EventDone", st)
	}
}

func testHeartbeat(t *testing.T, s bot.Store) {
	ctx := t.Context()
	live := func(id string, now time.Time) int {
		t.Helper()
		n, err := s.Heartbeat(ctx, id, now, 30*time.Second)
		must(t, "Heartbeat "+id, err)
		return n
	}
	if n := live("r1", at(0)); n != 1 {
		t.Fatalf("alone: %d live, want 1", n)
	}
	live("r2", at(time.Second))
	if n := live("r3", at(2*time.Second)); n != 3 {
		t.Fatalf("three beating: %d live, want 3", n)
	}
	must(t, "LeaveReplica", s.LeaveReplica(ctx, "r3"))
	must(t, "LeaveReplica of a missing id", s.LeaveReplica(ctx, "none"))
	if n := live("r1", at(10*time.Second)); n != 2 {
		t.Fatalf("after r3 left: %d live, want 2", n)
	}
	// r2 last beat at 1s with a 30s TTL: gone at 31s.
	if n := live("r1", at(31*time.Second)); n != 1 {
		t.Fatalf("after r2 stopped beating: %d live, want 1", n)
	}
}
