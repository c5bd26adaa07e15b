package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// newWebhook stores a webhook of coachID getting events (all when none).
func newWebhook(t testing.TB, s bot.Store, coachID int64, url string, events ...string) *bot.Webhook {
	t.Helper()
	if len(events) == 0 {
		events = bot.WebhookEventTypes
	}
	w := &bot.Webhook{CoachID: coachID, URL: []byte(url), Secret: []byte("whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ="),
		Events: events, CreatedAt: at(0)}
	must(t, "PutWebhook", s.PutWebhook(t.Context(), w))
	return w
}

// webhookEvent is an event about clientID of type typ with id.
func webhookEvent(id, typ string, clientID int64, when time.Time) *bot.WebhookEvent {
	return &bot.WebhookEvent{ID: id, Type: typ, ClientID: clientID, At: when,
		Payload: []byte(fmt.Sprintf(`{"type":%q,"data":{"id":%q}}`, typ, id))}
}

// enqueue queues ev for coachID and checks how many deliveries it made.
func enqueue(t testing.TB, s bot.Store, coachID int64, ev *bot.WebhookEvent, want int) {
	t.Helper()
	n, err := s.EnqueueWebhookEvent(t.Context(), coachID, ev)
	must(t, "EnqueueWebhookEvent", err)
	if n != want {
		t.Errorf("EnqueueWebhookEvent(%s) created %d deliveries, want %d", ev.ID, n, want)
	}
}

// testWebhooks checks adding, listing, the limit, removing, disabling
// and enabling a coach's webhooks.
func testWebhooks(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	ws, err := s.Webhooks(ctx, f.Coach.ID)
	must(t, "Webhooks", err)
	if ws == nil || len(ws) != 0 {
		t.Errorf("Webhooks before any = %v, want an empty slice", ws)
	}
	wantCode(t, "PutWebhook of a missing coach", s.PutWebhook(ctx, &bot.Webhook{CoachID: missingID, URL: []byte("https://x.example"),
		Secret: []byte("whsec_AA=="), Events: bot.WebhookEventTypes}), bot.ENOTFOUND)
	wantCode(t, "PutWebhook without events", s.PutWebhook(ctx, &bot.Webhook{CoachID: f.Coach.ID, URL: []byte("https://x.example"),
		Secret: []byte("whsec_AA==")}), bot.EINVALID)
	wantCode(t, "PutWebhook with an unknown event", s.PutWebhook(ctx, &bot.Webhook{CoachID: f.Coach.ID, URL: []byte("https://x.example"),
		Secret: []byte("whsec_AA=="), Events: []string{"rock.eaten"}}), bot.EINVALID)

	w := newWebhook(t, s, f.Coach.ID, "https://hooks.example.com/a?token=t0ken", bot.WebhookRockChanged, bot.WebhookCycleStarted)
	want := &bot.Webhook{ID: w.ID, CoachID: f.Coach.ID, URL: []byte("https://hooks.example.com/a?token=t0ken"),
		Secret: []byte("whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ="), Events: []string{bot.WebhookRockChanged, bot.WebhookCycleStarted},
		CreatedAt: at(0), UpdatedAt: at(0)}
	same(t, "PutWebhook fills the stored row", w, want)
	ws, err = s.Webhooks(ctx, f.Coach.ID)
	must(t, "Webhooks", err)
	if len(ws) != 1 {
		t.Fatalf("Webhooks = %d, want 1", len(ws))
	}
	same(t, "Webhooks", ws[0], want)

	// The limit, however many add at once.
	var wg sync.WaitGroup
	var mu sync.Mutex
	conflicts := 0
	for i := range 2 * bot.MaxWebhooks {
		wg.Go(func() {
			err := s.PutWebhook(ctx, &bot.Webhook{CoachID: f.Coach.ID, URL: []byte(fmt.Sprintf("https://h%d.example", i)),
				Secret: []byte("whsec_AA=="), Events: bot.WebhookEventTypes, CreatedAt: at(0)})
			if bot.ErrorCode(err) == bot.ECONFLICT {
				mu.Lock()
				conflicts++
				mu.Unlock()
			} else if err != nil {
				t.Errorf("PutWebhook: %v", err)
			}
		})
	}
	wg.Wait()
	ws, err = s.Webhooks(ctx, f.Coach.ID)
	must(t, "Webhooks", err)
	if len(ws) != bot.MaxWebhooks || conflicts != bot.MaxWebhooks+1 {
		t.Errorf("after %d adds at once: %d webhooks and %d conflicts, want %d and %d", 2*bot.MaxWebhooks, len(ws), conflicts,
			bot.MaxWebhooks, bot.MaxWebhooks+1)
	}

	// Disabling: once.
	ok, err := s.DisableWebhook(ctx, w.ID, at(time.Hour), "answered 410 Gone")
	must(t, "DisableWebhook", err)
	if !ok {
		t.Error("DisableWebhook of an enabled webhook = false")
	}
	ok, err = s.DisableWebhook(ctx, w.ID, at(2*time.Hour), "again")
	must(t, "DisableWebhook again", err)
	if ok {
		t.Error("DisableWebhook of a disabled webhook = true, want false")
	}
	_, err = s.DisableWebhook(ctx, missingID, at(0), "x")
	wantCode(t, "DisableWebhook of a missing webhook", err, bot.ENOTFOUND)
	ws, err = s.Webhooks(ctx, f.Coach.ID)
	must(t, "Webhooks", err)
	if !ws[0].DisabledAt.Equal(at(time.Hour)) || ws[0].DisabledReason != "answered 410 Gone" || ws[0].Enabled() {
		t.Errorf("disabled webhook = %+v", ws[0])
	}
	wantCode(t, "EnableWebhook of another coach's webhook", s.EnableWebhook(ctx, f.Client.ID, w.ID, at(0)), bot.ENOTFOUND)
	must(t, "EnableWebhook", s.EnableWebhook(ctx, f.Coach.ID, w.ID, at(3*time.Hour)))
	ws, err = s.Webhooks(ctx, f.Coach.ID)
	must(t, "Webhooks", err)
	if !ws[0].Enabled() || ws[0].DisabledReason != "" || !ws[0].UpdatedAt.Equal(at(3*time.Hour)) {
		t.Errorf("enabled webhook = %+v", ws[0])
	}

	wantCode(t, "DeleteWebhook of another coach's webhook", s.DeleteWebhook(ctx, f.Client.ID, w.ID), bot.ENOTFOUND)
	must(t, "DeleteWebhook", s.DeleteWebhook(ctx, f.Coach.ID, w.ID))
	wantCode(t, "DeleteWebhook again", s.DeleteWebhook(ctx, f.Coach.ID, w.ID), bot.ENOTFOUND)
	ws, err = s.Webhooks(ctx, f.Coach.ID)
	must(t, "Webhooks", err)
	if len(ws) != bot.MaxWebhooks-1 {
		t.Errorf("after a removal: %d webhooks, want %d", len(ws), bot.MaxWebhooks-1)
	}
}

// testWebhookEnqueue checks who gets an event: the coach's enabled
// webhooks subscribed to its type, once per event id.
func testWebhookEnqueue(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	other := newPerson(t, s, f.Inst.ID, "UOTHER", true)
	all := newWebhook(t, s, f.Coach.ID, "https://a.example")
	rocks := newWebhook(t, s, f.Coach.ID, "https://b.example", bot.WebhookRockChanged)
	off := newWebhook(t, s, f.Coach.ID, "https://c.example")
	newWebhook(t, s, other.ID, "https://other.example")
	if _, err := s.DisableWebhook(ctx, off.ID, at(0), "gone"); err != nil {
		t.Fatal(err)
	}

	enqueue(t, s, f.Coach.ID, webhookEvent("checkin.completed:1", bot.WebhookCheckInCompleted, f.Client.ID, at(0)), 1)
	enqueue(t, s, f.Coach.ID, webhookEvent("checkin.completed:1", bot.WebhookCheckInCompleted, f.Client.ID, at(time.Minute)), 0)
	enqueue(t, s, f.Coach.ID, webhookEvent("rock.changed:1", bot.WebhookRockChanged, f.Client.ID, at(0)), 2)
	enqueue(t, s, f.Coach.ID, webhookEvent("rock.changed:1", bot.WebhookRockChanged, f.Client.ID, at(0)), 0)
	// A test ping goes to the webhook named, whatever it subscribes to,
	// and never to a disabled one.
	ping := webhookEvent("webhook.test:1", bot.WebhookTest, 0, at(0))
	ping.WebhookID = rocks.ID
	enqueue(t, s, f.Coach.ID, ping, 1)
	ping = webhookEvent("webhook.test:2", bot.WebhookTest, 0, at(0))
	ping.WebhookID = off.ID
	enqueue(t, s, f.Coach.ID, ping, 0)
	ping.WebhookID = all.ID
	enqueue(t, s, other.ID, ping, 0) // not the other coach's webhook
	_, err := s.EnqueueWebhookEvent(ctx, f.Coach.ID, &bot.WebhookEvent{Type: bot.WebhookRockChanged, At: at(0)})
	wantCode(t, "EnqueueWebhookEvent without an id", err, bot.EINVALID)

	ds, err := s.ClaimWebhookDeliveries(ctx, at(time.Hour), time.Minute, 100)
	must(t, "ClaimWebhookDeliveries", err)
	got := map[string]int{}
	for _, d := range ds {
		got[fmt.Sprintf("%s→%d", d.EventID, d.WebhookID)]++
		if d.Webhook == nil || d.Webhook.ID != d.WebhookID || string(d.Webhook.URL) == "" {
			t.Errorf("claimed delivery %d without its webhook: %+v", d.ID, d.Webhook)
		}
		if d.State != bot.WebhookPending || d.Attempts != 1 || !d.LeaseUntil.Equal(at(time.Hour+time.Minute)) {
			t.Errorf("claimed delivery = %+v", d)
		}
	}
	want := map[string]int{
		fmt.Sprintf("checkin.completed:1→%d", all.ID): 1,
		fmt.Sprintf("rock.changed:1→%d", all.ID):      1,
		fmt.Sprintf("rock.changed:1→%d", rocks.ID):    1,
		fmt.Sprintf("webhook.test:1→%d", rocks.ID):    1,
	}
	same(t, "claimed deliveries", got, want)
}

// testWebhookClaim checks claims: due, by DueAt, exclusive across many
// claimers, none for a disabled webhook, and outcomes fenced by the
// lease.
func testWebhookClaim(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	w := newWebhook(t, s, f.Coach.ID, "https://a.example")
	const n, workers, limit = 60, 6, 4
	for i := range n {
		enqueue(t, s, f.Coach.ID, webhookEvent(fmt.Sprintf("e%03d", i), bot.WebhookRockChanged, f.Client.ID, at(-time.Duration(i)*time.Second)), 1)
	}
	enqueue(t, s, f.Coach.ID, webhookEvent("later", bot.WebhookRockChanged, f.Client.ID, at(time.Hour)), 1)

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
				ds, err := s.ClaimWebhookDeliveries(ctx, at(0), time.Minute, limit)
				if err != nil {
					t.Errorf("ClaimWebhookDeliveries: %v", err)
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				for _, d := range ds {
					seen[d.ID]++
				}
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	if len(seen) != n {
		t.Errorf("%d claimers claimed %d distinct deliveries of %d due", workers, len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("webhook delivery %d claimed %d times while its lease held", id, c)
		}
	}

	// After the leases ran out, a claim takes them again, oldest first.
	ds, err := s.ClaimWebhookDeliveries(ctx, at(2*time.Minute), time.Minute, 3)
	must(t, "ClaimWebhookDeliveries", err)
	if len(ds) != 3 || ds[0].EventID != fmt.Sprintf("e%03d", n-1) || ds[0].Attempts != 2 {
		t.Fatalf("claim after the leases ran out = %d, first %+v", len(ds), ds[0])
	}

	// An outcome stored under the lease; one whose lease was taken by a
	// later claim is lost.
	d0, d1 := ds[0], ds[1]
	d0.State, d0.DeliveredAt, d0.LeaseUntil, d0.UpdatedAt = bot.WebhookDelivered, at(3*time.Minute), time.Time{}, at(3*time.Minute)
	lost, err := s.UpdateWebhookDeliveries(ctx, []*bot.WebhookDelivery{d0}, []time.Time{at(3 * time.Minute)})
	must(t, "UpdateWebhookDeliveries", err)
	if len(lost) != 0 || d0.State != bot.WebhookDelivered || !d0.DeliveredAt.Equal(at(3*time.Minute)) || !d0.LeaseUntil.IsZero() {
		t.Errorf("stored outcome = %+v, lost %v", d0, lost)
	}
	again, err := s.ClaimWebhookDeliveries(ctx, at(4*time.Minute), time.Minute, 100)
	must(t, "ClaimWebhookDeliveries", err)
	var d1Again *bot.WebhookDelivery
	for _, d := range again {
		switch d.ID {
		case d1.ID:
			d1Again = d
		case d0.ID:
			t.Error("a delivered delivery was claimed again")
		}
	}
	if d1Again == nil {
		t.Fatal("a delivery whose lease ran out was not claimed again")
	}
	// The first claimer of d1, late: its lease was taken.
	d1.State, d1.UpdatedAt = bot.WebhookDelivered, at(3*time.Minute)
	lost, err = s.UpdateWebhookDeliveries(ctx, []*bot.WebhookDelivery{d1}, []time.Time{at(3 * time.Minute)})
	must(t, "UpdateWebhookDeliveries", err)
	same(t, "lost", lost, []int64{d1.ID})
	// The second claimer's failure, with a retry later, is stored.
	d1Again.LastError, d1Again.FirstFailedAt, d1Again.DueAt = "answered 500", at(4*time.Minute), at(10*time.Minute)
	d1Again.LeaseUntil, d1Again.UpdatedAt = time.Time{}, at(4*time.Minute)
	lost, err = s.UpdateWebhookDeliveries(ctx, []*bot.WebhookDelivery{d1Again}, []time.Time{at(5 * time.Minute)})
	must(t, "UpdateWebhookDeliveries", err)
	if len(lost) != 0 || d1Again.State != bot.WebhookPending || d1Again.LastError != "answered 500" || !d1Again.DueAt.Equal(at(10*time.Minute)) {
		t.Errorf("retry = %+v, lost %v", d1Again, lost)
	}
	ws, err := s.Webhooks(ctx, f.Coach.ID)
	must(t, "Webhooks", err)
	if ws[0].Last == nil || ws[0].Last.UpdatedAt.Before(at(3*time.Minute)) {
		t.Errorf("Webhooks' Last = %+v, want the latest tried", ws[0].Last)
	}

	// A disabled webhook's deliveries are failed and never claimed.
	ok, err := s.DisableWebhook(ctx, w.ID, at(6*time.Minute), "failing for 3 days")
	must(t, "DisableWebhook", err)
	if !ok {
		t.Error("DisableWebhook = false")
	}
	ds, err = s.ClaimWebhookDeliveries(ctx, at(48*time.Hour), time.Minute, 1000)
	must(t, "ClaimWebhookDeliveries", err)
	if len(ds) != 0 {
		t.Errorf("claimed %d deliveries of a disabled webhook", len(ds))
	}
	must(t, "EnableWebhook", s.EnableWebhook(ctx, f.Coach.ID, w.ID, at(7*time.Minute)))
	ds, err = s.ClaimWebhookDeliveries(ctx, at(48*time.Hour), time.Minute, 1000)
	must(t, "ClaimWebhookDeliveries", err)
	if len(ds) != 0 {
		t.Errorf("claimed %d deliveries failed while the webhook was disabled, want none", len(ds))
	}
	enqueue(t, s, f.Coach.ID, webhookEvent("after", bot.WebhookRockChanged, f.Client.ID, at(8*time.Minute)), 1)
	ds, err = s.ClaimWebhookDeliveries(ctx, at(48*time.Hour), time.Minute, 1000)
	must(t, "ClaimWebhookDeliveries", err)
	if len(ds) != 1 || ds[0].EventID != "after" {
		t.Errorf("claim after re-enabling = %d deliveries, want the new event", len(ds))
	}
}

// testDeletePersonWebhooks checks erasure: a deleted client's deliveries
// go, sent or not; a deleted coach's webhooks go with theirs.
func testDeletePersonWebhooks(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	keeper := newPerson(t, s, f.Inst.ID, "UKEEPER", false)
	newEngagement(t, s, f.Coach.ID, keeper.ID, bot.EngagementActive)
	newWebhook(t, s, f.Coach.ID, "https://a.example")
	enqueue(t, s, f.Coach.ID, webhookEvent("about-client", bot.WebhookRockChanged, f.Client.ID, at(0)), 1)
	enqueue(t, s, f.Coach.ID, webhookEvent("about-client-sent", bot.WebhookRockChanged, f.Client.ID, at(-time.Hour)), 1)
	enqueue(t, s, f.Coach.ID, webhookEvent("about-keeper", bot.WebhookRockChanged, keeper.ID, at(0)), 1)
	ds, err := s.ClaimWebhookDeliveries(ctx, at(-time.Hour), time.Minute, 1)
	must(t, "ClaimWebhookDeliveries", err)
	ds[0].State, ds[0].DeliveredAt = bot.WebhookDelivered, at(-time.Hour)
	if _, err := s.UpdateWebhookDeliveries(ctx, ds, []time.Time{ds[0].LeaseUntil}); err != nil {
		t.Fatal(err)
	}

	must(t, "DeletePerson of the client", s.DeletePerson(ctx, f.Client.ID))
	ds, err = s.ClaimWebhookDeliveries(ctx, at(time.Hour), time.Minute, 100)
	must(t, "ClaimWebhookDeliveries", err)
	if len(ds) != 1 || ds[0].EventID != "about-keeper" {
		t.Errorf("after the client's deletion, claimed %d deliveries, want only the one about another client", len(ds))
	}
	ws, err := s.Webhooks(ctx, f.Coach.ID)
	must(t, "Webhooks", err)
	if len(ws) != 1 || ws[0].Last == nil || ws[0].Last.ClientID == f.Client.ID {
		t.Errorf("after the client's deletion, the coach's webhook's last delivery = %+v", ws[0].Last)
	}

	must(t, "DeletePerson of the coach", s.DeletePerson(ctx, f.Coach.ID))
	ws, err = s.Webhooks(ctx, f.Coach.ID)
	must(t, "Webhooks", err)
	if len(ws) != 0 {
		t.Errorf("after the coach's deletion: %d webhooks", len(ws))
	}
	ds, err = s.ClaimWebhookDeliveries(ctx, at(2*time.Hour), time.Minute, 100)
	must(t, "ClaimWebhookDeliveries", err)
	if len(ds) != 0 {
		t.Errorf("after the coach's deletion, claimed %d deliveries", len(ds))
	}
}
