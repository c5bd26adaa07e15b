package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// Capabilities says which guarantees beyond a single store value's a store
// gives, so that the suite checks them wherever a store declares them
// rather than in per-store tests. The zero value declares none.
type Capabilities struct {
	// Replicas, when set, opens n stores on one fresh, migrated database,
	// each with connections of its own, as n replicas of the service
	// sharing that database would, and registers their cleanup. The suite
	// then checks that replicas racing one another create each delivery
	// once and never claim a delivery another one holds the lease of.
	Replicas func(t testing.TB, n int) []bot.Store
}

// replicaTests are the tests of a store that replicas share.
var replicaTests = []struct {
	name string
	test func(t *testing.T, replicas []bot.Store)
}{
	{"ReplicasCreateEachDeliveryOnce", testReplicasCreateEachDeliveryOnce},
	{"ReplicasNeverClaimTheSameDelivery", testReplicasNeverClaimTheSameDelivery},
}

// runCapabilities runs the tests of what caps declares.
func runCapabilities(t *testing.T, caps Capabilities) {
	if caps.Replicas == nil {
		return
	}
	for _, tt := range replicaTests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.test(t, caps.Replicas(t, 3))
		})
	}
}

// loner stores a console installation and one person of it, without an
// engagement: nothing but the deliveries a test makes is due for them.
func loner(t testing.TB, s bot.Store) *bot.Person {
	t.Helper()
	inst := newInstallation(t, s, bot.PlatformConsole, "local")
	return newPerson(t, s, inst.ID, "ana", false)
}

// testReplicasCreateEachDeliveryOnce: two goroutines per replica create the
// same twenty deliveries; each is created once, and everyone who tried to
// create it was given the one ID.
func testReplicasCreateEachDeliveryOnce(t *testing.T, replicas []bot.Store) {
	ctx := t.Context()
	client := loner(t, replicas[0])

	const periods = 20
	var mu sync.Mutex
	created := map[string]int{}
	ids := map[string]map[int64]bool{}
	var wg sync.WaitGroup
	for _, s := range replicas {
		for range 2 {
			wg.Go(func() {
				for p := range periods {
					d := &bot.Delivery{PersonID: client.ID, Kind: bot.DeliveryDaily, Period: fmt.Sprintf("p%02d", p),
						DueAt: at(0), State: bot.DeliveryPending}
					ok, err := s.CreateDelivery(ctx, d)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					if ok {
						created[d.Period]++
					}
					if ids[d.Period] == nil {
						ids[d.Period] = map[int64]bool{}
					}
					ids[d.Period][d.ID] = true
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	for p := range periods {
		period := fmt.Sprintf("p%02d", p)
		if created[period] != 1 || len(ids[period]) != 1 {
			t.Errorf("period %s: created %d times, %d distinct IDs; want 1 and 1", period, created[period], len(ids[period]))
		}
	}
}

// testReplicasNeverClaimTheSameDelivery: three goroutines per replica claim
// small batches of sixty due deliveries until none is left; every delivery
// is claimed, and once.
func testReplicasNeverClaimTheSameDelivery(t *testing.T, replicas []bot.Store) {
	ctx := t.Context()
	client := loner(t, replicas[0])

	const total = 60
	for i := range total {
		d := &bot.Delivery{PersonID: client.ID, Kind: bot.DeliveryDaily, Period: fmt.Sprintf("p%02d", i),
			DueAt: at(time.Duration(i) * time.Second), State: bot.DeliveryPending}
		if _, err := replicas[0].CreateDelivery(ctx, d); err != nil {
			t.Fatal(err)
		}
	}

	now := at(time.Hour)
	var mu sync.Mutex
	claims := map[int64]int{}
	var wg sync.WaitGroup
	for _, s := range replicas {
		for range 3 {
			wg.Go(func() {
				for {
					ds, err := s.ClaimDeliveries(ctx, now, time.Minute, 4)
					if err != nil {
						t.Error(err)
						return
					}
					if len(ds) == 0 {
						return
					}
					mu.Lock()
					for _, d := range ds {
						claims[d.ID]++
					}
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	if len(claims) != total {
		t.Errorf("claimed %d deliveries, want %d", len(claims), total)
	}
	for id, n := range claims {
		if n != 1 {
			t.Errorf("delivery %d claimed %d times while its lease held", id, n)
		}
	}
}
