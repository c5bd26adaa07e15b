package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// delivery returns an unsaved pending delivery.
func delivery(personID, engagementID int64, kind bot.DeliveryKind, period string, due time.Time) *bot.Delivery {
	return &bot.Delivery{PersonID: personID, EngagementID: engagementID, Kind: kind, Period: period, DueAt: due,
		State: bot.DeliveryPending, CreatedAt: at(-48 * time.Hour), UpdatedAt: at(-48 * time.Hour)}
}

// newDelivery stores a delivery in a state, which must be new.
func newDelivery(t testing.TB, s bot.Store, personID, engagementID int64, kind bot.DeliveryKind, period string, due time.Time, state bot.DeliveryState) *bot.Delivery {
	t.Helper()
	d := delivery(personID, engagementID, kind, period, due)
	d.State = state
	if state == bot.DeliverySent {
		d.SentAt, d.MessageRef = due, "ref-"+period
	}
	created, err := s.CreateDelivery(t.Context(), d)
	if err != nil {
		t.Fatalf("create delivery %s %s: %v", kind, period, err)
	}
	if !created {
		t.Fatalf("create delivery %s %s: created false for a new key", kind, period)
	}
	return d
}

func testCreateDelivery(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	get := func(what string, want *bot.Delivery) {
		t.Helper()
		got, err := s.Delivery(ctx, want.ID)
		must(t, what+": Delivery", err)
		same(t, what+": Delivery", got, want)
		got, err = s.DeliveryByKey(ctx, want.PersonID, want.Kind, want.Period)
		must(t, what+": DeliveryByKey", err)
		same(t, what+": DeliveryByKey", got, want)
	}

	d := delivery(f.Client.ID, f.Eng.ID, bot.DeliveryDaily, "2026-11-25", at(0))
	created, err := s.CreateDelivery(ctx, d)
	must(t, "create delivery", err)
	if !created || d.ID == 0 {
		t.Fatalf("CreateDelivery of a new key: created %v, ID %d; want true and an ID", created, d.ID)
	}
	want := &bot.Delivery{ID: d.ID, PersonID: f.Client.ID, EngagementID: f.Eng.ID, Kind: bot.DeliveryDaily, Period: "2026-11-25",
		DueAt: at(0), State: bot.DeliveryPending, CreatedAt: at(-48 * time.Hour), UpdatedAt: at(-48 * time.Hour)}
	same(t, "delivery filled by CreateDelivery", d, want)
	get("created", want)

	// The same key again creates nothing and fills in the stored row.
	again := &bot.Delivery{PersonID: f.Client.ID, EngagementID: f.Eng.ID, Kind: bot.DeliveryDaily, Period: "2026-11-25",
		DueAt: at(time.Hour), State: bot.DeliverySkipped, Attempts: 5, LastError: "x", MessageRef: "y",
		SentAt: at(time.Hour), CreatedAt: at(0), UpdatedAt: at(0)}
	created, err = s.CreateDelivery(ctx, again)
	must(t, "create delivery again", err)
	if created {
		t.Error("CreateDelivery of an existing key: created true")
	}
	same(t, "delivery filled by CreateDelivery of an existing key", again, want)
	get("after a second create", want)

	// Another kind, period or person is another key.
	ids := map[int64]bool{d.ID: true}
	for _, o := range []*bot.Delivery{
		delivery(f.Client.ID, f.Eng.ID, bot.DeliveryReminder, "2026-11-25", at(2*time.Hour)),
		delivery(f.Client.ID, f.Eng.ID, bot.DeliveryDaily, "2026-11-26", at(24*time.Hour)),
		delivery(f.Coach.ID, 0, bot.DeliveryDigest, "2026-W48", at(0)),
	} {
		created, err := s.CreateDelivery(ctx, o)
		must(t, "create delivery", err)
		if !created || o.ID == 0 || ids[o.ID] {
			t.Errorf("CreateDelivery of new key (%d, %s, %s): created %v, ID %d; want true and a new ID", o.PersonID, o.Kind, o.Period, created, o.ID)
		}
		ids[o.ID] = true
		w := *o
		get(fmt.Sprintf("new key (%s, %s)", o.Kind, o.Period), &w)
	}

	// Every field is stored at creation.
	full := &bot.Delivery{PersonID: f.Client.ID, EngagementID: f.Eng.ID, Kind: bot.DeliveryWeekly, Period: "2026-W48",
		DueAt: at(2 * time.Hour), State: bot.DeliveryFailed, Attempts: 2, LastError: "user_not_found", LeaseUntil: at(2*time.Hour + 5*time.Minute),
		MessageRef: "1700000000.000100", PartsSent: 2, SentAt: at(2*time.Hour + time.Minute), CreatedAt: at(2 * time.Hour), UpdatedAt: at(2*time.Hour + time.Minute)}
	created, err = s.CreateDelivery(ctx, full)
	must(t, "create delivery with every field", err)
	if !created {
		t.Error("CreateDelivery of a new key: created false")
	}
	wantFull := *full
	get("every field", &wantFull)
}

func testCreateDeliveryConcurrent(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	const n = 20
	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		created [n]bool
		ids     [n]int64
	)
	for i := range n {
		wg.Go(func() {
			<-start
			d := delivery(f.Client.ID, f.Eng.ID, bot.DeliveryDaily, "2026-11-25", at(time.Duration(i)*time.Second))
			c, err := s.CreateDelivery(ctx, d)
			if err != nil {
				t.Errorf("CreateDelivery %d of the same key: %v", i, err)
				return
			}
			created[i], ids[i] = c, d.ID
		})
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		return
	}

	stored, err := s.DeliveryByKey(ctx, f.Client.ID, bot.DeliveryDaily, "2026-11-25")
	must(t, "DeliveryByKey", err)
	count := 0
	for i := range n {
		if created[i] {
			count++
			if !stored.DueAt.Equal(at(time.Duration(i) * time.Second)) {
				t.Errorf("stored delivery is due %s, but the call that created it gave %s", showTime(stored.DueAt), showTime(at(time.Duration(i)*time.Second)))
			}
		}
		if ids[i] != stored.ID {
			t.Errorf("CreateDelivery call %d filled ID %d, want the stored delivery's %d", i, ids[i], stored.ID)
		}
	}
	if count != 1 {
		t.Errorf("%d concurrent CreateDelivery calls of one key: %d said created, want exactly 1", n, count)
	}
}

func testUpdateDelivery(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	d := newDelivery(t, s, f.Client.ID, f.Eng.ID, bot.DeliveryDaily, "2026-11-25", at(0), bot.DeliveryPending)
	other := newDelivery(t, s, f.Client.ID, f.Eng.ID, bot.DeliveryWeekly, "2026-W48", at(0), bot.DeliveryPending)
	want := *d

	u := *d
	u.PersonID, u.EngagementID, u.Kind, u.Period, u.CreatedAt = f.Coach.ID, 0, bot.DeliveryDigest, "X", at(99*time.Hour) // not stored
	u.State, u.Attempts, u.LastError, u.LeaseUntil = bot.DeliverySuspended, 3, "rate limited", at(time.Minute)
	u.MessageRef, u.PartsSent, u.SentAt, u.DueAt, u.UpdatedAt = "ts-1", 2, at(30*time.Second), at(-time.Minute), at(time.Minute)
	u.SkipReason = "out of office"
	must(t, "update delivery", s.UpdateDelivery(ctx, &u))
	want.SkipReason = "out of office"
	want.State, want.Attempts, want.LastError, want.LeaseUntil = bot.DeliverySuspended, 3, "rate limited", at(time.Minute)
	want.MessageRef, want.PartsSent, want.SentAt, want.DueAt, want.UpdatedAt = "ts-1", 2, at(30*time.Second), at(-time.Minute), at(time.Minute)
	got, err := s.Delivery(ctx, d.ID)
	must(t, "Delivery", err)
	same(t, "Delivery after UpdateDelivery", got, &want)
	got, err = s.DeliveryByKey(ctx, f.Client.ID, bot.DeliveryDaily, "2026-11-25")
	must(t, "DeliveryByKey", err)
	same(t, "DeliveryByKey after UpdateDelivery", got, &want)

	// Zero instants and empty strings are stored too.
	u = want
	u.State, u.LastError, u.LeaseUntil, u.MessageRef, u.PartsSent, u.SentAt, u.UpdatedAt = bot.DeliveryPending, "", time.Time{}, "", 0, time.Time{}, at(2*time.Minute)
	u.SkipReason = ""
	must(t, "update delivery to empty fields", s.UpdateDelivery(ctx, &u))
	got, err = s.Delivery(ctx, d.ID)
	must(t, "Delivery", err)
	same(t, "Delivery after UpdateDelivery to empty fields", got, &u)

	got, err = s.Delivery(ctx, other.ID)
	must(t, "Delivery", err)
	same(t, "another delivery", got, other)
}

func testLatestDelivery(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	c2, e2 := newClient(t, s, f, "UCLIENT2", bot.EngagementActive)
	mk := func(personID, engID int64, kind bot.DeliveryKind, period string, due time.Time, state bot.DeliveryState) *bot.Delivery {
		t.Helper()
		return newDelivery(t, s, personID, engID, kind, period, due, state)
	}
	latest := func(what string, personID int64, kind bot.DeliveryKind, want *bot.Delivery) {
		t.Helper()
		got, err := s.LatestDelivery(ctx, personID, kind)
		must(t, what, err)
		same(t, what, got, want)
	}

	_, err := s.LatestDelivery(ctx, f.Client.ID, bot.DeliveryDaily)
	wantCode(t, "LatestDelivery with no deliveries", err, bot.ENOTFOUND)

	mk(f.Client.ID, f.Eng.ID, bot.DeliveryDaily, "d1", at(-96*time.Hour), bot.DeliveryFailed)
	sent := mk(f.Client.ID, f.Eng.ID, bot.DeliveryDaily, "d2", at(-72*time.Hour), bot.DeliverySent)
	mk(f.Client.ID, f.Eng.ID, bot.DeliveryDaily, "d3", at(-48*time.Hour), bot.DeliverySkipped)
	mk(f.Client.ID, f.Eng.ID, bot.DeliveryDaily, "d4", at(-24*time.Hour), bot.DeliveryMissed)
	pending := mk(f.Client.ID, f.Eng.ID, bot.DeliveryDaily, "d5", at(0), bot.DeliveryPending)
	weekly := mk(f.Client.ID, f.Eng.ID, bot.DeliveryWeekly, "w1", at(24*time.Hour), bot.DeliverySent)
	mk(c2.ID, e2.ID, bot.DeliveryDaily, "d6", at(48*time.Hour), bot.DeliverySent)
	onlyPending := mk(f.Client.ID, f.Eng.ID, bot.DeliveryReminder, "r1", at(0), bot.DeliveryPending)

	latest("LatestDelivery daily", f.Client.ID, bot.DeliveryDaily, sent)
	latest("LatestDelivery weekly", f.Client.ID, bot.DeliveryWeekly, weekly)
	_, err = s.LatestDelivery(ctx, f.Client.ID, bot.DeliveryReminder)
	wantCode(t, "LatestDelivery with only a pending one", err, bot.ENOTFOUND)

	// Once the pending one is sent, it is the latest.
	pending.State, pending.SentAt, pending.MessageRef, pending.UpdatedAt = bot.DeliverySent, at(time.Minute), "ts-d5", at(time.Minute)
	must(t, "mark sent", s.UpdateDelivery(ctx, pending))
	latest("LatestDelivery daily after a newer one was sent", f.Client.ID, bot.DeliveryDaily, pending)
	onlyPending.State, onlyPending.UpdatedAt = bot.DeliverySkipped, at(time.Minute)
	must(t, "mark skipped", s.UpdateDelivery(ctx, onlyPending))
	_, err = s.LatestDelivery(ctx, f.Client.ID, bot.DeliveryReminder)
	wantCode(t, "LatestDelivery with only a skipped one", err, bot.ENOTFOUND)
}

func testDeliveries(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	c2, e2 := newClient(t, s, f, "UCLIENT2", bot.EngagementActive)
	mk := func(kind bot.DeliveryKind, period string, due time.Time) *bot.Delivery {
		t.Helper()
		return newDelivery(t, s, f.Client.ID, f.Eng.ID, kind, period, due, bot.DeliveryPending)
	}
	mk(bot.DeliveryDaily, "before", at(-time.Microsecond))
	last := mk(bot.DeliveryDaily, "last", at(24*time.Hour-time.Microsecond))
	first := mk(bot.DeliveryDaily, "first", at(0))
	weekly := mk(bot.DeliveryWeekly, "weekly", at(12*time.Hour))
	reminder := mk(bot.DeliveryReminder, "reminder", at(6*time.Hour))
	mk(bot.DeliveryDaily, "end", at(24*time.Hour))
	newDelivery(t, s, c2.ID, e2.ID, bot.DeliveryDaily, "other", at(time.Hour), bot.DeliveryPending)
	newDelivery(t, s, f.Coach.ID, 0, bot.DeliveryDigest, "digest", at(time.Hour), bot.DeliveryPending)

	got, err := s.Deliveries(ctx, f.Eng.ID, at(0), at(24*time.Hour))
	must(t, "Deliveries", err)
	same(t, "Deliveries from <= DueAt < to", got, []*bot.Delivery{first, reminder, weekly, last})
	got, err = s.Deliveries(ctx, f.Eng.ID, at(6*time.Hour), at(6*time.Hour))
	must(t, "Deliveries", err)
	same(t, "Deliveries in an empty range", got, nil)
	got, err = s.Deliveries(ctx, e2.ID, at(-time.Hour), at(time.Hour+time.Microsecond))
	must(t, "Deliveries", err)
	if len(got) != 1 || got[0].Period != "other" {
		t.Errorf("Deliveries of another engagement: %s, want its one delivery", show(got))
	}
}

func testUpdateDeliveries(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	newDelivery(t, s, f.Client.ID, f.Eng.ID, bot.DeliveryDaily, "2026-11-25", at(0), bot.DeliveryPending)
	newDelivery(t, s, f.Client.ID, f.Eng.ID, bot.DeliveryWeekly, "2026-W48", at(0), bot.DeliveryPending)
	newDelivery(t, s, f.Client.ID, f.Eng.ID, bot.DeliveryDaily, "2026-11-26", at(0), bot.DeliveryPending)
	if lost, err := s.UpdateDeliveries(ctx, nil, nil); err != nil || len(lost) != 0 {
		t.Fatalf("update no deliveries: %v, %v", lost, err)
	}
	claimed, err := s.ClaimDeliveries(ctx, at(time.Second), time.Minute, 3)
	must(t, "claim", err)
	if len(claimed) != 3 {
		t.Fatalf("claimed %d, want 3", len(claimed))
	}
	a, b, c := claimed[0], claimed[1], claimed[2]
	leases := []time.Time{a.LeaseUntil, b.LeaseUntil, c.LeaseUntil}

	// c's lease ran out and another sender claimed it: its first sender
	// must not overwrite the second one's outcome.
	again, err := s.ClaimDeliveries(ctx, at(2*time.Minute), time.Minute, 3)
	must(t, "claim again", err)
	if len(again) != 3 {
		t.Fatalf("claimed again %d, want 3", len(again))
	}
	var cNow *bot.Delivery
	for _, d := range again {
		if d.ID == c.ID {
			cNow = d
		}
	}
	// Put a and b back under their first leases, as if only c was taken.
	for i, d := range []*bot.Delivery{a, b} {
		back := *d
		back.LeaseUntil, back.Attempts = leases[i], d.Attempts
		must(t, "restore lease", s.UpdateDelivery(ctx, &back))
		*d = back
	}

	ua, ub, uc := *a, *b, *c
	ua.State, ua.MessageRef, ua.SentAt, ua.LeaseUntil, ua.UpdatedAt = bot.DeliverySent, "ts-1", at(3*time.Second), time.Time{}, at(time.Minute)
	ub.State, ub.LastError, ub.LeaseUntil, ub.DueAt, ub.UpdatedAt = bot.DeliveryPending, "timeout", at(time.Hour), at(time.Minute), at(time.Minute)
	ub.MessageRef, ub.PartsSent = "ts-part-1", 2 // two parts went out, then the send failed
	uc.State, uc.MessageRef, uc.SentAt, uc.LeaseUntil, uc.UpdatedAt = bot.DeliverySent, "ts-dup", at(3*time.Second), time.Time{}, at(time.Minute)
	uc.PartsSent = 3
	wantA, wantB := ua, ub
	gone := ua
	gone.ID += 1000
	lost, err := s.UpdateDeliveries(ctx, []*bot.Delivery{&ua, &ub, &uc, &gone}, append(leases, a.LeaseUntil))
	must(t, "update deliveries", err)
	if !slices.Equal(lost, []int64{c.ID, gone.ID}) {
		t.Errorf("lost = %v, want [%d %d] (the re-claimed and the missing delivery)", lost, c.ID, gone.ID)
	}
	same(t, "first delivery as returned", &ua, &wantA)
	same(t, "second delivery as returned", &ub, &wantB)
	for _, want := range []*bot.Delivery{&wantA, &wantB, cNow} {
		got, err := s.Delivery(ctx, want.ID)
		must(t, "Delivery", err)
		same(t, "Delivery after UpdateDeliveries", got, want)
	}
	if _, err := s.UpdateDeliveries(ctx, []*bot.Delivery{&ua}, nil); err == nil {
		t.Error("UpdateDeliveries with a lease missing succeeded")
	}

	// The parts a retry must skip come back with its claim.
	reclaimed, err := s.ClaimDeliveries(ctx, at(2*time.Hour), time.Minute, 10)
	must(t, "claim the retry", err)
	var retry *bot.Delivery
	for _, d := range reclaimed {
		if d.ID == b.ID {
			retry = d
		}
	}
	if retry == nil || retry.PartsSent != 2 || retry.MessageRef != "ts-part-1" {
		t.Errorf("claim of a delivery sent in part: %s; want it with 2 parts sent and ref ts-part-1", show(reclaimed))
	}
}
