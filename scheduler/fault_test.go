package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/scheduler"
	"github.com/smart90/smart90/store/sqlite/sqlitetest"
)

// faultStore is a bot.Store whose delivery writes and claims can be made
// to fail, as when the database restarts.
type faultStore struct {
	bot.Store
	UpdateDeliveriesFunc func(ctx context.Context, ds []*bot.Delivery, claimed []time.Time) ([]int64, error)
}

func (f *faultStore) UpdateDeliveries(ctx context.Context, ds []*bot.Delivery, claimed []time.Time) ([]int64, error) {
	if f.UpdateDeliveriesFunc != nil {
		return f.UpdateDeliveriesFunc(ctx, ds, claimed)
	}
	return f.Store.UpdateDeliveries(ctx, ds, claimed)
}

var errConnRefused = errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")

// failing makes UpdateDeliveries fail while down says so, counting the
// calls; each call asks down with the number of calls before it.
func (f *faultStore) failing(down func(call int) bool) {
	var mu sync.Mutex
	calls := 0
	f.UpdateDeliveriesFunc = func(ctx context.Context, ds []*bot.Delivery, claimed []time.Time) ([]int64, error) {
		mu.Lock()
		n := calls
		calls++
		mu.Unlock()
		if down(n) {
			return nil, errConnRefused
		}
		return f.Store.UpdateDeliveries(ctx, ds, claimed)
	}
}

// sendCounter is a Deliverer that counts the sends of each delivery.
// DeliverFunc, when set, decides the outcome of each.
type sendCounter struct {
	mu          sync.Mutex
	sends       map[int64]int
	DeliverFunc func(d *bot.Delivery, try int) (string, bool, error)
}

func (c *sendCounter) Deliver(_ context.Context, d *bot.Delivery) (string, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sends == nil {
		c.sends = map[int64]int{}
	}
	c.sends[d.ID]++
	if c.DeliverFunc != nil {
		return c.DeliverFunc(d, c.sends[d.ID])
	}
	return fmt.Sprint("ref-", d.ID), true, nil
}

func (c *sendCounter) count(id int64) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sends[id]
}

// fault is a scheduler over a faultStore with n digest deliveries due
// now, on a fake clock that a wait between write retries moves on.
type fault struct {
	store   *faultStore
	clock   *bottest.Clock
	del     *sendCounter
	metrics *scheduler.Metrics
	sched   *scheduler.Scheduler
	ds      []*bot.Delivery
	logs    *bottest.Buffer
}

const faultLease = 2 * time.Minute

func faultSetup(t *testing.T, n int) *fault {
	t.Helper()
	ctx := context.Background()
	db := sqlitetest.New(t)
	start := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	inst := &bot.Installation{Platform: bot.PlatformConsole, ExternalID: "T1", Status: bot.InstallationActive}
	must(t, db.UpsertInstallation(ctx, inst))
	f := &fault{store: &faultStore{Store: db}, clock: bottest.NewClock(start), del: &sendCounter{},
		metrics: scheduler.NewMetrics(nil), logs: &bottest.Buffer{}}
	for i := range n {
		// People without engagements: nothing but these deliveries is due.
		p := &bot.Person{InstallationID: inst.ID, ExternalID: fmt.Sprint("U", i)}
		must(t, db.EnsurePerson(ctx, p))
		d := &bot.Delivery{PersonID: p.ID, Kind: bot.DeliveryDigest, Period: "2026-W48", DueAt: start}
		_, err := db.CreateDelivery(ctx, d)
		must(t, err)
		f.ds = append(f.ds, d)
	}
	var err error
	f.sched, err = scheduler.New(scheduler.Config{Store: f.store, Deliverer: f.del, Clock: f.clock, Metrics: f.metrics,
		Lease: faultLease, SendTimeout: 30 * time.Second, Batch: 10, Workers: 3,
		// One claim-and-send loop: "the first batch" below is one batch.
		Drainers: 1,
		Logger:   slog.New(slog.NewTextHandler(f.logs, nil)),
		Sleep: func(_ context.Context, d time.Duration) error {
			f.clock.Advance(d)
			return nil
		}})
	must(t, err)
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(f.logs.String())
		}
	})
	return f
}

// drainAt sets the clock and drains; the error is returned, not checked.
func (f *fault) drainAt(at time.Time) error {
	f.clock.Set(at)
	_, err := f.sched.Drain(context.Background())
	return err
}

// sentOnce checks that every delivery went out exactly once and is stored
// as sent with the reference of that one send.
func (f *fault) sentOnce(t *testing.T) {
	t.Helper()
	for _, d := range f.ds {
		if n := f.del.count(d.ID); n != 1 {
			t.Errorf("delivery %d sent %d times, want 1", d.ID, n)
		}
		got, err := f.store.Delivery(context.Background(), d.ID)
		must(t, err)
		if got.State != bot.DeliverySent || got.MessageRef != fmt.Sprint("ref-", d.ID) || !got.LeaseUntil.IsZero() {
			t.Errorf("delivery %d stored %s %q, lease %v; want sent with its reference and no lease", d.ID, got.State, got.MessageRef, got.LeaseUntil)
		}
	}
}

// TestOutcomeWriteRetried: the database restarts while outcomes are
// written (the write fails three times). The write is tried again until it
// lands, and nothing is sent again once the leases run out.
func TestOutcomeWriteRetried(t *testing.T) {
	t.Parallel()
	f := faultSetup(t, 25)
	f.store.failing(func(call int) bool { return call < 3 })
	start := f.clock.Now()
	if err := f.drainAt(start); err != nil {
		t.Fatalf("drain through a restart: %v", err)
	}
	if err := f.drainAt(start.Add(faultLease + time.Minute)); err != nil {
		t.Fatal(err)
	}
	f.sentOnce(t)
	if got := testutil.ToFloat64(f.metrics.OutcomeWriteFailures); got != 3 {
		t.Errorf("outcome write failures = %v, want 3", got)
	}
	if got := testutil.ToFloat64(f.metrics.OutcomeWriteRetries); got != 3 {
		t.Errorf("outcome write retries = %v, want 3", got)
	}
	if got := testutil.ToFloat64(f.metrics.Sent.WithLabelValues("digest")); got != 25 {
		t.Errorf("sent = %v, want 25", got)
	}
}

// TestOutcomeHeldUntilTheDatabaseIsBack: outcome writes fail for longer
// than the leases. The outcomes are held in memory; a claim of the same
// deliveries, once their leases ran out, records what is held instead of
// sending again; and once writes work again everything is written, each
// prompt sent once.
func TestOutcomeHeldUntilTheDatabaseIsBack(t *testing.T) {
	t.Parallel()
	f := faultSetup(t, 25)
	var mu sync.Mutex
	down := true
	f.store.failing(func(int) bool { mu.Lock(); defer mu.Unlock(); return down })
	start := f.clock.Now()
	if err := f.drainAt(start); err == nil {
		t.Error("drain whose outcomes could not be written: no error")
	}
	if f.clock.Now().After(start.Add(faultLease)) {
		t.Errorf("outcome writes tried until %v, past the leases (%v)", f.clock.Now(), start.Add(faultLease))
	}
	if got := testutil.ToFloat64(f.metrics.OutcomesHeld); got != 10 {
		t.Errorf("outcomes held = %v, want the first batch's 10", got)
	}
	// The retries took the batch's lease: sends that came late were given
	// back unsent instead.
	sent := 0
	for _, d := range f.ds {
		sent += f.del.count(d.ID)
	}
	if sent == 0 || sent > 10 {
		t.Fatalf("%d sends in the first batch of 10", sent)
	}
	// Past the leases, still failing: the same batch is claimed again, and
	// what was sent is recorded from memory, not sent again.
	if err := f.drainAt(start.Add(faultLease + time.Minute)); err == nil {
		t.Error("drain whose outcomes could not be written: no error")
	}
	if got := testutil.ToFloat64(f.metrics.OutcomesRecalled); got != float64(sent) {
		t.Errorf("outcomes recalled = %v, want the %d sent", got, sent)
	}
	mu.Lock()
	down = false
	mu.Unlock()
	if err := f.drainAt(start.Add(2*faultLease + 2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	f.sentOnce(t)
	if got := testutil.ToFloat64(f.metrics.OutcomesHeld); got != 0 {
		t.Errorf("outcomes held once written = %v, want 0", got)
	}
	if got := testutil.ToFloat64(f.metrics.Sent.WithLabelValues("digest")); got != 25 {
		t.Errorf("sent = %v, want 25", got)
	}
}

// TestShutdownWritesHeldOutcomes: outcomes held while the database was
// unreachable are written when the service stops (SIGTERM), so another
// replica does not send them again after this one is gone.
func TestShutdownWritesHeldOutcomes(t *testing.T) {
	t.Parallel()
	f := faultSetup(t, 5)
	var mu sync.Mutex
	down := true
	f.store.failing(func(int) bool { mu.Lock(); defer mu.Unlock(); return down })
	if err := f.drainAt(f.clock.Now()); err == nil {
		t.Fatal("drain whose outcomes could not be written: no error")
	}
	if got := testutil.ToFloat64(f.metrics.OutcomesHeld); got == 0 {
		t.Fatal("no outcome held")
	}
	mu.Lock()
	down = false
	mu.Unlock()
	ctx, stop := context.WithCancel(context.Background())
	stop()
	must(t, f.sched.Run(ctx, time.Hour))
	if got := testutil.ToFloat64(f.metrics.OutcomesHeld); got != 0 {
		t.Errorf("outcomes held after stopping = %v, want 0", got)
	}
	for _, d := range f.ds {
		got, err := f.store.Delivery(context.Background(), d.ID)
		must(t, err)
		if f.del.count(d.ID) == 1 && got.State != bot.DeliverySent {
			t.Errorf("delivery %d sent, but stored %s after stopping", d.ID, got.State)
		}
	}
}

// TestShutdownDuringWriteRetries: the service is told to stop while an
// outcome write is waiting to be tried again; it goes on trying (within
// SendTimeout) instead of dropping what was sent.
func TestShutdownDuringWriteRetries(t *testing.T) {
	t.Parallel()
	f := faultSetup(t, 3)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	// The first two writes of a sent outcome fail; giving back what was
	// not sent works (which of the two comes first is up to the workers).
	var mu sync.Mutex
	writes := 0
	f.store.UpdateDeliveriesFunc = func(ctx context.Context, ds []*bot.Delivery, claimed []time.Time) ([]int64, error) {
		sent := slices.ContainsFunc(ds, func(d *bot.Delivery) bool { return d.State == bot.DeliverySent })
		mu.Lock()
		n := writes
		if sent {
			writes++
		}
		mu.Unlock()
		if sent && n < 2 {
			if n == 0 {
				stop() // SIGTERM while the first write fails
			}
			return nil, errConnRefused
		}
		return f.store.Store.UpdateDeliveries(ctx, ds, claimed)
	}
	if _, err := f.sched.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	for _, d := range f.ds {
		got, err := f.store.Delivery(context.Background(), d.ID)
		must(t, err)
		switch n := f.del.count(d.ID); {
		case n == 1 && got.State != bot.DeliverySent:
			t.Errorf("delivery %d sent, but stored %s", d.ID, got.State)
		case n == 0 && (got.State != bot.DeliveryPending || !got.LeaseUntil.IsZero() || got.Attempts != 0):
			t.Errorf("delivery %d not sent, but stored %s, lease %v, %d attempts; want given back", d.ID, got.State, got.LeaseUntil, got.Attempts)
		case n > 1:
			t.Errorf("delivery %d sent %d times", d.ID, n)
		}
	}
	if got := testutil.ToFloat64(f.metrics.OutcomesHeld); got != 0 {
		t.Errorf("outcomes held = %v, want 0", got)
	}
}

// retryAfter is a platform's 429 with Retry-After, as adapters return it.
func retryAfter(d time.Duration) error {
	return &bot.RetryAfterError{Err: fmt.Errorf("rate limited: retry after %v", d), After: d, Method: "chat.postMessage"}
}

// TestPartialSendResumes: a prompt in several parts fails after some went
// out. Each retry is told how many went out in all, the reference stays
// the first part's, and each failure is classified by what failed: a
// transient error counts an attempt, a 429 waits exactly as asked without
// counting one, a permanent error fails the delivery.
func TestPartialSendResumes(t *testing.T) {
	t.Parallel()
	f := faultSetup(t, 2)
	resumed, gone := f.ds[0], f.ds[1]
	type seen struct {
		parts int
		ref   string
	}
	var got []seen
	f.del.DeliverFunc = func(d *bot.Delivery, try int) (string, bool, error) {
		if d.ID == gone.ID {
			return "", true, fmt.Errorf("send: %w", &bot.PartialSendError{Ref: "g1", Sent: 1, Err: bot.Errorf(bot.ENOTFOUND, "channel_not_found")})
		}
		got = append(got, seen{d.PartsSent, d.MessageRef})
		switch try {
		case 1:
			return "", true, &bot.PartialSendError{Ref: "p1", Sent: 2, Err: errors.New("connection reset")}
		case 2:
			return "", true, &bot.PartialSendError{Ref: "p3", Sent: 1, Err: retryAfter(2 * time.Second)}
		}
		return "p4", true, nil
	}
	ctx := context.Background()
	load := func(d *bot.Delivery) *bot.Delivery {
		t.Helper()
		s, err := f.store.Delivery(ctx, d.ID)
		must(t, err)
		return s
	}
	start := f.clock.Now()
	must(t, f.drainAt(start))
	d := load(resumed)
	if d.State != bot.DeliveryPending || d.MessageRef != "p1" || d.PartsSent != 2 || d.Attempts != 1 || d.LeaseUntil.IsZero() {
		t.Errorf("after 2 parts and a transient error: %s %q, %d parts, %d attempts, retry at %v; want pending p1, 2, 1, a retry",
			d.State, d.MessageRef, d.PartsSent, d.Attempts, d.LeaseUntil)
	}
	g := load(gone)
	if g.State != bot.DeliveryFailed || g.MessageRef != "g1" || g.PartsSent != 1 {
		t.Errorf("after 1 part and a permanent error: %s %q, %d parts; want failed g1, 1", g.State, g.MessageRef, g.PartsSent)
	}

	at := d.LeaseUntil
	must(t, f.drainAt(at))
	d = load(resumed)
	if d.State != bot.DeliveryPending || d.MessageRef != "p1" || d.PartsSent != 3 || d.Attempts != 1 || !d.LeaseUntil.Equal(at.Add(2*time.Second)) {
		t.Errorf("after 1 more part and a 429: %s %q, %d parts, %d attempts, retry at %v; want pending p1, 3, 1, at %v",
			d.State, d.MessageRef, d.PartsSent, d.Attempts, d.LeaseUntil, at.Add(2*time.Second))
	}
	must(t, f.drainAt(at.Add(2*time.Second)))
	d = load(resumed)
	if d.State != bot.DeliverySent || d.MessageRef != "p1" || d.PartsSent != 0 || d.Attempts != 2 {
		t.Errorf("sent at last: %s %q, %d parts, %d attempts; want sent p1, 0, 2", d.State, d.MessageRef, d.PartsSent, d.Attempts)
	}
	if want := []seen{{0, ""}, {2, "p1"}, {3, "p1"}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("tries were told (parts sent, ref) %v, want %v", got, want)
	}
}

// TestRetryAfterWaitsExactlyAndCountsNoAttempt: a 429 is retried after
// exactly the Retry-After, however often it comes, and never fails the
// prompt for good; past the grace window it is missed, as any late prompt.
func TestRetryAfterWaitsExactlyAndCountsNoAttempt(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		wait      time.Duration
		tries     int
		wantState bot.DeliveryState
	}{
		{"short", 2 * time.Second, 12, bot.DeliverySent},
		{"past the grace window", time.Hour, 5, bot.DeliveryMissed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := faultSetup(t, 1)
			f.del.DeliverFunc = func(d *bot.Delivery, try int) (string, bool, error) {
				if try <= tt.tries {
					return "", true, fmt.Errorf("post message: %w", retryAfter(tt.wait))
				}
				return "ok", true, nil
			}
			ctx := context.Background()
			at := f.clock.Now()
			for range tt.tries {
				must(t, f.drainAt(at))
				d, err := f.store.Delivery(ctx, f.ds[0].ID)
				must(t, err)
				if d.State == bot.DeliveryMissed {
					break
				}
				if d.State != bot.DeliveryPending || d.Attempts != 0 || !d.LeaseUntil.Equal(at.Add(tt.wait)) {
					t.Fatalf("after a 429 at %v: %s, %d attempts, retry at %v; want pending, 0, at %v",
						at, d.State, d.Attempts, d.LeaseUntil, at.Add(tt.wait))
				}
				at = d.LeaseUntil
			}
			must(t, f.drainAt(at))
			d, err := f.store.Delivery(ctx, f.ds[0].ID)
			must(t, err)
			if d.State != tt.wantState {
				t.Errorf("after %d 429s: %s, want %s", tt.tries, d.State, tt.wantState)
			}
			if got := testutil.ToFloat64(f.metrics.Failed.WithLabelValues("digest")); got != 0 {
				t.Errorf("failed = %v, want 0", got)
			}
		})
	}
}

// TestThrottledThroughAnOutage: while the shared rate limiter is
// unreachable every send is given back unsent. However long that lasts,
// no attempt is counted and nothing fails for good: the prompt goes out
// when the limiter is back inside the grace window, and is missed after.
func TestThrottledThroughAnOutage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		outage    time.Duration
		wantState bot.DeliveryState
	}{
		{2*time.Hour + 30*time.Minute, bot.DeliverySent},
		{3*time.Hour + 30*time.Minute, bot.DeliveryMissed},
	} {
		t.Run(tt.outage.String(), func(t *testing.T) {
			t.Parallel()
			f := faultSetup(t, 1)
			start := f.clock.Now()
			f.del.DeliverFunc = func(*bot.Delivery, int) (string, bool, error) {
				if f.clock.Now().Before(start.Add(tt.outage)) {
					return "", true, fmt.Errorf("pace sends: %w: dial tcp 127.0.0.1:6379: connect: connection refused", bot.ErrThrottled)
				}
				return "ok", true, nil
			}
			for at := start; !at.After(start.Add(tt.outage)); at = at.Add(5 * time.Minute) {
				must(t, f.drainAt(at))
			}
			d, err := f.store.Delivery(context.Background(), f.ds[0].ID)
			must(t, err)
			if d.State != tt.wantState || d.Attempts > 1 {
				t.Errorf("after a %v outage: %s, %d attempts; want %s, at most 1", tt.outage, d.State, d.Attempts, tt.wantState)
			}
			if got := testutil.ToFloat64(f.metrics.Released.WithLabelValues("digest", "throttled")); got < 30 {
				t.Errorf("given back as throttled = %v, want one per try (30 or more)", got)
			}
		})
	}
}

// TestOutcomeWriteThatLandedAfterAll: the first write of outcomes is
// committed but its reply is lost with the connection. The write tried
// again finds the leases cleared by itself, not by another sender: the
// outcomes count as stored, once, and no take-over is reported.
func TestOutcomeWriteThatLandedAfterAll(t *testing.T) {
	t.Parallel()
	f := faultSetup(t, 4)
	var mu sync.Mutex
	calls := 0
	f.store.UpdateDeliveriesFunc = func(ctx context.Context, ds []*bot.Delivery, claimed []time.Time) ([]int64, error) {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		lost, err := f.store.Store.UpdateDeliveries(ctx, ds, claimed)
		if first && err == nil {
			return nil, errors.New("read tcp 127.0.0.1:5432: connection reset by peer")
		}
		return lost, err
	}
	must(t, f.drainAt(f.clock.Now()))
	f.sentOnce(t)
	if got := testutil.ToFloat64(f.metrics.LeaseLost.WithLabelValues("digest")); got != 0 {
		t.Errorf("take-overs = %v, want 0", got)
	}
	if got := testutil.ToFloat64(f.metrics.Sent.WithLabelValues("digest")); got != 4 {
		t.Errorf("sent = %v, want 4", got)
	}
	if got := testutil.ToFloat64(f.metrics.OutcomeWriteRetries); got != 1 {
		t.Errorf("write retries = %v, want 1", got)
	}
}
