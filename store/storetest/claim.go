package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// claimed is what ClaimDeliveries returns of a delivery: it as stored, with
// Attempts and LeaseUntil changed. UpdatedAt is the store's choice.
func claimed(d *bot.Delivery, attempts int, leaseUntil time.Time) *bot.Delivery {
	c := *d
	c.Attempts, c.LeaseUntil = attempts, leaseUntil
	return &c
}

// sameClaim compares claimed deliveries, UpdatedAt aside.
func sameClaim(t testing.TB, what string, got, want []*bot.Delivery) {
	t.Helper()
	for i := range min(len(got), len(want)) {
		w := *want[i]
		w.UpdatedAt = got[i].UpdatedAt
		want[i] = &w
	}
	same(t, what, got, want)
}

func testClaimDeliveries(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	zone := time.FixedZone("UTC+5:30", 5*60*60+30*60)
	const lease = 5 * time.Minute
	claim := func(now time.Time, limit int) []*bot.Delivery {
		t.Helper()
		got, err := s.ClaimDeliveries(ctx, now.In(zone), lease, limit)
		must(t, "ClaimDeliveries", err)
		return got
	}
	mk := func(period string, due time.Time, state bot.DeliveryState) *bot.Delivery {
		t.Helper()
		return newDelivery(t, s, f.Client.ID, f.Eng.ID, bot.DeliveryDaily, period, due, state)
	}
	// Created out of DueAt order, so ID order is not DueAt order.
	p3 := mk("p3", at(0), bot.DeliveryPending) // due exactly now
	p2 := mk("p2", at(-time.Hour), bot.DeliveryPending)
	p4 := mk("p4", at(time.Second), bot.DeliveryPending) // not yet due
	p1 := mk("p1", at(-2*time.Hour), bot.DeliveryPending)
	for i, state := range []bot.DeliveryState{bot.DeliverySent, bot.DeliveryFailed, bot.DeliveryMissed, bot.DeliverySkipped, bot.DeliverySuspended} {
		mk(string(state), at(-time.Duration(3+i)*time.Hour), state)
	}

	sameClaim(t, "first claim, limit 2", claim(at(0), 2), []*bot.Delivery{claimed(p1, 1, at(5*time.Minute)), claimed(p2, 1, at(5*time.Minute))})
	got, err := s.Delivery(ctx, p1.ID)
	must(t, "Delivery", err)
	sameClaim(t, "claimed delivery as stored", []*bot.Delivery{got}, []*bot.Delivery{claimed(p1, 1, at(5*time.Minute))})
	sameClaim(t, "second claim at the same instant", claim(at(0), 10), []*bot.Delivery{claimed(p3, 1, at(5*time.Minute))})
	sameClaim(t, "claim once p4 is due, while the others' leases hold", claim(at(4*time.Minute), 10), []*bot.Delivery{claimed(p4, 1, at(9*time.Minute))})
	sameClaim(t, "claim while every lease holds", claim(at(4*time.Minute), 10), nil)
	sameClaim(t, "claim after the first leases expired", claim(at(6*time.Minute), 10), []*bot.Delivery{
		claimed(p1, 2, at(11*time.Minute)), claimed(p2, 2, at(11*time.Minute)), claimed(p3, 2, at(11*time.Minute)),
	})

	// A lease cleared by UpdateDelivery is unset: claimable at once.
	p1now, err := s.Delivery(ctx, p1.ID)
	must(t, "Delivery", err)
	p1now.LeaseUntil, p1now.UpdatedAt = time.Time{}, at(6*time.Minute)
	must(t, "clear lease", s.UpdateDelivery(ctx, p1now))
	sameClaim(t, "claim after a lease was cleared", claim(at(7*time.Minute), 10), []*bot.Delivery{claimed(p1, 3, at(12*time.Minute))})

	// A delivery no longer pending is not claimed; the limit takes the oldest.
	p2now, err := s.Delivery(ctx, p2.ID)
	must(t, "Delivery", err)
	p2now.State, p2now.SentAt, p2now.MessageRef, p2now.LeaseUntil, p2now.UpdatedAt = bot.DeliverySent, at(7*time.Minute), "ts", time.Time{}, at(7*time.Minute)
	must(t, "mark sent", s.UpdateDelivery(ctx, p2now))
	sameClaim(t, "claim with limit 1", claim(at(30*time.Minute), 1), []*bot.Delivery{claimed(p1, 4, at(35*time.Minute))})
	sameClaim(t, "claim the rest", claim(at(30*time.Minute), 10), []*bot.Delivery{
		claimed(p3, 3, at(35*time.Minute)), claimed(p4, 2, at(35*time.Minute)),
	})
	for _, d := range []*bot.Delivery{p1, p3, p4} {
		got, err := s.Delivery(ctx, d.ID)
		must(t, "Delivery", err)
		if got.State != bot.DeliveryPending || !got.LeaseUntil.Equal(at(35*time.Minute)) {
			t.Errorf("delivery %s after claims: state %s, lease until %s; want pending until %s", d.Period, got.State, showTime(got.LeaseUntil), showTime(at(35*time.Minute)))
		}
	}
}

func testClaimDeliveriesConcurrent(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	const n, workers, limit = 200, 8, 7
	for i := range n {
		newDelivery(t, s, f.Client.ID, f.Eng.ID, bot.DeliveryDaily, fmt.Sprintf("P%03d", i), at(-time.Duration(i)*time.Second), bot.DeliveryPending)
	}

	var (
		mu    sync.Mutex
		seen  = map[int64]int{}
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for range workers {
		wg.Go(func() {
			<-start
			for range n {
				rows, err := s.ClaimDeliveries(ctx, at(0), time.Hour, limit)
				if err != nil {
					t.Errorf("ClaimDeliveries: %v", err)
					return
				}
				if len(rows) > limit {
					t.Errorf("ClaimDeliveries with limit %d returned %d", limit, len(rows))
				}
				if len(rows) == 0 {
					return
				}
				mu.Lock()
				for _, d := range rows {
					seen[d.ID]++
				}
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()

	if len(seen) != n {
		t.Errorf("%d workers claimed %d distinct deliveries of %d", workers, len(seen), n)
	}
	for id, count := range seen {
		if count != 1 {
			t.Errorf("delivery %d claimed %d times while its lease held", id, count)
		}
	}

	rows, err := s.ClaimDeliveries(ctx, at(59*time.Minute), time.Hour, n)
	must(t, "ClaimDeliveries", err)
	if len(rows) != 0 {
		t.Errorf("ClaimDeliveries while every lease holds: %d rows, want none", len(rows))
	}
	rows, err = s.ClaimDeliveries(ctx, at(61*time.Minute), time.Hour, n+10)
	must(t, "ClaimDeliveries", err)
	if len(rows) != n {
		t.Errorf("ClaimDeliveries after every lease expired: %d rows, want %d", len(rows), n)
	}
	for i, d := range rows {
		if d.Attempts != 2 {
			t.Errorf("delivery %s claimed twice has Attempts %d, want 2", d.Period, d.Attempts)
		}
		if i > 0 && d.DueAt.Before(rows[i-1].DueAt) {
			t.Errorf("ClaimDeliveries: delivery due %s after one due %s, want oldest DueAt first", showTime(d.DueAt), showTime(rows[i-1].DueAt))
		}
	}
}

// testClaimDeliveriesExactBatch: a claim takes exactly the batch asked for.
// On PostgreSQL a statement run more than five times may be planned once
// for all parameters (a generic plan); planned while the table was empty,
// "WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)" re-ran the
// subquery per row and claimed several batches at once, so one replica
// hoarded the work and a crash froze it all for a lease.
func testClaimDeliveriesExactBatch(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	const n, batch = 1000, 100
	// Enough claims on the empty table for every pooled connection's
	// prepared statement to switch to a generic plan.
	for i := range 40 {
		rows, err := s.ClaimDeliveries(ctx, at(0), time.Minute, batch)
		must(t, "ClaimDeliveries on an empty table", err)
		if len(rows) != 0 {
			t.Fatalf("claim %d on an empty table: %d rows", i, len(rows))
		}
	}
	// Due in the order they are created, as planning creates them.
	for i := range n {
		newDelivery(t, s, f.Client.ID, f.Eng.ID, bot.DeliveryDaily, fmt.Sprintf("P%04d", i), at(-time.Duration(n-i)*time.Second), bot.DeliveryPending)
	}
	seen := map[int64]bool{}
	for i := range n / batch {
		rows, err := s.ClaimDeliveries(ctx, at(0), time.Minute, batch)
		must(t, "ClaimDeliveries", err)
		if len(rows) != batch {
			t.Fatalf("claim %d of %d due deliveries with limit %d: %d rows", i+1, n, batch, len(rows))
		}
		for _, d := range rows {
			if seen[d.ID] {
				t.Errorf("delivery %s claimed twice while its lease held", d.Period)
			}
			seen[d.ID] = true
		}
	}
	rows, err := s.ClaimDeliveries(ctx, at(0), time.Minute, batch)
	must(t, "ClaimDeliveries", err)
	if len(rows) != 0 {
		t.Errorf("claim after all %d were claimed: %d rows", n, len(rows))
	}
}
