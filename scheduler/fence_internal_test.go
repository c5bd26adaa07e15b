package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/store/sqlite/sqlitetest"
)

type counting struct{ n atomic.Int64 }

func (c *counting) Deliver(context.Context, *bot.Delivery) (string, bool, error) {
	return fmt.Sprint("ref", c.n.Add(1)), true, nil
}

// fenceSetup returns a store with n pending digest deliveries due at
// start, and two schedulers on it with their own clocks.
func fenceSetup(t *testing.T, n int) (bot.Store, []*bot.Delivery, *Scheduler, *bottest.Clock, *Scheduler, *bottest.Clock, *counting) {
	t.Helper()
	ctx := context.Background()
	s := sqlitetest.New(t)
	start := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	inst := &bot.Installation{Platform: bot.PlatformConsole, ExternalID: "T1", Status: bot.InstallationActive}
	if err := s.UpsertInstallation(ctx, inst); err != nil {
		t.Fatal(err)
	}
	var ds []*bot.Delivery
	for i := range n {
		p := &bot.Person{InstallationID: inst.ID, ExternalID: fmt.Sprint("U", i)}
		if err := s.EnsurePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		d := &bot.Delivery{PersonID: p.ID, Kind: bot.DeliveryDigest, Period: "2026-W48", DueAt: start}
		if _, err := s.CreateDelivery(ctx, d); err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
	}
	del := &counting{}
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	ca, cb := bottest.NewClock(start), bottest.NewClock(start)
	a, err := New(Config{Store: s, Deliverer: del, Clock: ca, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Config{Store: s, Deliverer: del, Clock: cb, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	return s, ds, a, ca, b, cb, del
}

// TestStaleSenderCannotUndoAnotherSend: sender A claims, stalls past its
// lease; B claims the same delivery, sends and records it. A's late give-
// back must not turn B's "sent" into pending again (it would be sent twice).
func TestStaleSenderCannotUndoAnotherSend(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, a, ca, b, cb, del := fenceSetup(t, 1)
	held, err := s.ClaimDeliveries(ctx, ca.Now(), a.lease, 10)
	if err != nil || len(held) != 1 {
		t.Fatalf("A claims: %v, %v", held, err)
	}
	stale := claim{held[0], held[0].LeaseUntil}

	cb.Advance(a.lease + time.Second)
	if _, err := b.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	ca.Advance(a.lease + 2*time.Second)
	o := a.sendOne(ctx, stale) // too late: gives it back
	if n, _, err := a.storeOutcomes(ctx, []outcome{o}, false); err != nil || n != 0 {
		t.Errorf("stale outcome stored %d (%v), want 0", n, err)
	}
	got, err := s.Delivery(ctx, stale.d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != bot.DeliverySent || got.MessageRef != "ref1" {
		t.Errorf("delivery after the stale give-back: %s %q, want sent ref1", got.State, got.MessageRef)
	}
	if n := del.n.Load(); n != 1 {
		t.Errorf("sent %d times, want 1", n)
	}
	if got := testutil.ToFloat64(a.metrics.LeaseLost.WithLabelValues("digest")); got != 1 {
		t.Errorf("A's lease take-overs = %v, want 1", got)
	}
}

type failOnce struct{ n atomic.Int64 }

func (f *failOnce) Deliver(context.Context, *bot.Delivery) (string, bool, error) {
	f.n.Add(1)
	return "", true, errors.New("connection reset")
}

// TestTakenOverSendIsNotSentAgainHere: A sends, but stalls past its lease
// before recording it; B takes the delivery over and its send fails. A's
// outcome is not stored (B's stands), but A remembers it: when A claims
// the delivery again it records what it sent instead of sending again.
func TestTakenOverSendIsNotSentAgainHere(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, ds, a, ca, b, cb, del := fenceSetup(t, 1)
	held, err := s.ClaimDeliveries(ctx, ca.Now(), a.lease, 10)
	if err != nil || len(held) != 1 {
		t.Fatalf("A claims: %v, %v", held, err)
	}
	o := a.sendOne(ctx, claim{held[0], held[0].LeaseUntil})

	cb.Advance(a.lease + time.Second)
	failing := &failOnce{}
	b.deliver = failing
	if _, err := b.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := a.record(ctx, []outcome{o}); err != nil || n != 0 {
		t.Fatalf("A's late outcome: stored %d (%v), want 0", n, err)
	}

	got, err := s.Delivery(ctx, ds[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	ca.Set(got.LeaseUntil) // B's retry is due
	if _, err := a.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	got, err = s.Delivery(ctx, ds[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != bot.DeliverySent || got.MessageRef != "ref1" {
		t.Errorf("delivery: %s %q, want sent ref1 (A's send)", got.State, got.MessageRef)
	}
	if n := del.n.Load() + failing.n.Load(); n != 2 || del.n.Load() != 1 {
		t.Errorf("A sent %d times, B tried %d times; want 1 and 1", del.n.Load(), failing.n.Load())
	}
	if got := testutil.ToFloat64(a.metrics.OutcomesRecalled); got != 1 {
		t.Errorf("outcomes recalled = %v, want 1", got)
	}
}

// TestOneGoneDeliveryDoesNotSinkTheBatch: a delivery deleted mid-send (its
// person deleted their data) is dropped; the rest of the batch is stored,
// so nothing already sent is sent again.
func TestOneGoneDeliveryDoesNotSinkTheBatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, ds, a, ca, _, _, _ := fenceSetup(t, 3)
	held, err := s.ClaimDeliveries(ctx, ca.Now(), a.lease, 10)
	if err != nil || len(held) != 3 {
		t.Fatalf("claim: %v, %v", held, err)
	}
	var outs []outcome
	for _, d := range held {
		outs = append(outs, a.sendOne(ctx, claim{d, d.LeaseUntil}))
	}
	if err := s.DeletePerson(ctx, ds[1].PersonID); err != nil {
		t.Fatal(err)
	}
	n, _, err := a.storeOutcomes(ctx, outs, false)
	if err != nil || n != 2 {
		t.Fatalf("stored %d (%v), want 2", n, err)
	}
	for _, d := range []*bot.Delivery{ds[0], ds[2]} {
		got, err := s.Delivery(ctx, d.ID)
		if err != nil || got.State != bot.DeliverySent {
			t.Errorf("delivery %d: %+v, %v; want sent", d.ID, got, err)
		}
	}
}

type throttled struct{}

func (throttled) Deliver(context.Context, *bot.Delivery) (string, bool, error) {
	return "", true, fmt.Errorf("send: %w", bot.ErrThrottled)
}

// TestThrottledIsNotAFailedAttempt: a send that found no room under the
// rate limit in time went nowhere; it is given back without using up an
// attempt, and taken again a moment later.
func TestThrottledIsNotAFailedAttempt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, ds, a, ca, _, _, _ := fenceSetup(t, 1)
	a.deliver = throttled{}
	for range 10 {
		if _, err := a.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		ca.Advance(2 * time.Second)
	}
	got, err := s.Delivery(ctx, ds[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != bot.DeliveryPending || got.Attempts != 0 || got.LastError != "" {
		t.Errorf("after 10 throttled tries: %s, %d attempts, %q; want pending, 0, no error", got.State, got.Attempts, got.LastError)
	}
}
