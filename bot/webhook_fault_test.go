package bot_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/store/postgres/pgtest"
)

// TestWebhookOnceAcrossReplicas: two replicas' senders, each on its own
// bot, run at once on one PostgreSQL database; every event reaches the
// receiver once.
func TestWebhookOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	b, rc, s1 := hookSetup(t, bottest.Options{Store: db})
	other := bottest.SetupWith(t, bottest.Options{Store: db, Clock: b.Clock})
	s2 := &bot.WebhookSender{Bot: other.Bot, AllowPrivate: true, Limit: 3}
	s1.Limit = 3
	coachID := b.Person(t, coach).ID
	const n = 40
	for i := range n {
		ev := &bot.WebhookEvent{ID: fmt.Sprintf("rock.changed:%d", i), Type: bot.WebhookRockChanged, At: b.Clock.Now(),
			Payload: []byte(fmt.Sprintf(`{"type":"rock.changed","data":{"n":%d}}`, i))}
		if _, err := db.EnqueueWebhookEvent(ctx, coachID, ev); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, s := range []*bot.WebhookSender{s1, s2} {
		wg.Go(func() {
			<-start
			for {
				k, err := s.RunOnce(ctx)
				if err != nil {
					t.Errorf("RunOnce: %v", err)
					return
				}
				if k == 0 {
					return
				}
			}
		})
	}
	close(start)
	wg.Wait()
	seen := map[string]int{}
	for _, g := range rc.received() {
		seen[g.ID]++
	}
	if len(seen) != n {
		t.Errorf("the receiver got %d distinct events, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("event %s received %d times", id, k)
		}
	}
}

// TestWebhookWhilePostgresIsCut: events queued while the receiver is down
// and then the database is cut are delivered once, after both are back.
func TestWebhookWhilePostgresIsCut(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, px := postgresBehindProxy(t)
	b, rc, s := hookSetup(t, bottest.Options{Store: db})
	b.Engage(t, coach, ana) // cycle.started
	rc.answer(http.StatusServiceUnavailable, http.StatusServiceUnavailable)
	has(t, b.Command(t, coach, "webhook test 1"), "Sending")
	drain(t, s) // both fail: the receiver is down
	if n := len(rc.received()); n != 2 {
		t.Fatalf("the receiver was tried %d times, want 2", n)
	}

	px.Stop()
	for range 3 {
		b.Clock.Advance(time.Minute)
		runCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if _, err := s.RunOnce(runCtx); err == nil {
			t.Error("a run with the database cut succeeded")
		}
		cancel()
	}
	if err := px.Start(); err != nil {
		t.Fatal(err)
	}
	b.Clock.Advance(time.Minute)
	drain(t, s)
	b.Clock.Advance(time.Hour)
	drain(t, s)
	seen := map[string]int{}
	for _, g := range rc.received()[2:] {
		seen[g.Type]++
	}
	if seen[bot.WebhookCycleStarted] != 1 || seen[bot.WebhookTest] != 1 || len(seen) != 2 {
		t.Errorf("after the outage the receiver got %v, want each event once", seen)
	}
}
