package storetest

import (
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// testDeliveryContexts: a batch's contexts are what Recipient,
// EngagementWithRocks and CheckIn give for each delivery alone; a
// delivery whose person or engagement is gone is left out; each context
// holds its own copies.
func testDeliveryContexts(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	other := newInstallation(t, s, bot.PlatformTeams, "tenant-2")
	stranger := newPerson(t, s, other.ID, "29:x", false)
	strangerCoach := newPerson(t, s, other.ID, "29:coach", true)
	strangerEng := newEngagement(t, s, strangerCoach.ID, stranger.ID, bot.EngagementActive)
	bare, bareEng := newClient(t, s, f, "UBARE", bot.EngagementActive)
	newRock(t, s, f.Eng.ID, f.Client.ID, "Second", at(2*time.Hour))
	newRock(t, s, f.Eng.ID, f.Coach.ID, "First", at(time.Hour))
	newRock(t, s, strangerEng.ID, stranger.ID, "Theirs", at(time.Hour))
	answered := &bot.CheckIn{EngagementID: f.Eng.ID, Day: day(0), Moved: "drafted", Status: bot.AnswerComplete,
		SubmittedAt: at(time.Minute), UpdatedAt: at(time.Minute)}
	must(t, "save check-in", s.SaveCheckIn(ctx, answered))
	// Another engagement's check-in of the same day, and the client's of
	// another day: neither is asked for below with the other's key.
	must(t, "save check-in", s.SaveCheckIn(ctx, &bot.CheckIn{EngagementID: strangerEng.ID, Day: day(1), Status: bot.AnswerOpen, UpdatedAt: at(0)}))
	must(t, "save check-in", s.SaveCheckIn(ctx, &bot.CheckIn{EngagementID: f.Eng.ID, Day: day(-1), Status: bot.AnswerSkipped, UpdatedAt: at(0)}))

	ds := []*bot.Delivery{
		newDelivery(t, s, f.Client.ID, f.Eng.ID, bot.DeliveryDaily, day(0).String(), at(0), bot.DeliveryPending),
		newDelivery(t, s, f.Client.ID, f.Eng.ID, bot.DeliveryReminder, day(0).String(), at(time.Hour), bot.DeliveryPending),
		newDelivery(t, s, f.Client.ID, f.Eng.ID, bot.DeliveryDaily, day(1).String(), at(24*time.Hour), bot.DeliveryPending),
		newDelivery(t, s, f.Client.ID, f.Eng.ID, bot.DeliveryWeekly, "2026-W48", at(0), bot.DeliveryPending),
		newDelivery(t, s, f.Coach.ID, 0, bot.DeliveryDigest, "2026-W48", at(0), bot.DeliveryPending),
		newDelivery(t, s, bare.ID, bareEng.ID, bot.DeliveryDaily, day(0).String(), at(0), bot.DeliveryPending),
		newDelivery(t, s, stranger.ID, strangerEng.ID, bot.DeliveryDaily, day(0).String(), at(0), bot.DeliveryPending),
	}
	gone := []*bot.Delivery{
		{ID: missingID, PersonID: missingID, Kind: bot.DeliveryDigest, Period: "2026-W48"},
		{ID: missingID + 1, PersonID: f.Client.ID, EngagementID: missingID, Kind: bot.DeliveryDaily, Period: day(0).String()},
	}
	got, err := s.DeliveryContexts(ctx, append(ds, gone...))
	must(t, "DeliveryContexts", err)
	if len(got) != len(ds) {
		t.Errorf("DeliveryContexts: %d contexts for %d deliveries and %d gone ones, want %d", len(got), len(ds), len(gone), len(ds))
	}
	for _, d := range gone {
		if dc, ok := got[d.ID]; ok {
			t.Errorf("delivery %d (person %d, engagement %d) is gone, got a context: %s", d.ID, d.PersonID, d.EngagementID, show(dc))
		}
	}
	for _, d := range ds {
		dc := got[d.ID]
		if dc == nil {
			t.Errorf("no context for delivery %d (%s %s of person %d)", d.ID, d.Kind, d.Period, d.PersonID)
			continue
		}
		p, inst, err := s.Recipient(ctx, d.PersonID)
		must(t, "Recipient", err)
		want := &bot.DeliveryContext{Person: p, Installation: inst}
		if d.EngagementID != 0 {
			want.Engagement, want.Rocks, err = s.EngagementWithRocks(ctx, d.EngagementID)
			must(t, "EngagementWithRocks", err)
			if dc.Rocks == nil {
				t.Errorf("delivery %d: nil rocks, want an empty list", d.ID)
			}
		}
		if day, ok := d.CheckInDay(); ok {
			c, err := s.CheckIn(ctx, d.EngagementID, day)
			if bot.ErrorCode(err) != bot.ENOTFOUND {
				must(t, "CheckIn", err)
				want.CheckIn = c
			}
		}
		same(t, "context of "+string(d.Kind)+" "+d.Period+" of "+p.ExternalID, dc, want)
	}
	if dc := got[ds[0].ID]; dc == nil || dc.CheckIn == nil || dc.CheckIn.ID != answered.ID || len(dc.Rocks) != 2 || dc.Rocks[0].Title != "Second" {
		t.Errorf("the client's daily check-in of %s: want the answered check-in and two rocks by Position, got %s", day(0), show(dc))
	}
	if dc := got[ds[2].ID]; dc == nil || dc.CheckIn != nil {
		t.Errorf("a day with no check-in stored: want none, got %s", show(dc))
	}

	// Each context is its own: changing one changes no other.
	a, b := got[ds[0].ID], got[ds[1].ID]
	if a != nil && b != nil && len(a.Rocks) > 0 && len(b.Rocks) > 0 {
		a.Rocks[0].Title, a.Engagement.CycleDays, a.Person.DisplayName, a.CheckIn.Moved = "changed", 7, "changed", "changed"
		if b.Rocks[0].Title == "changed" || b.Engagement.CycleDays == 7 || b.Person.DisplayName == "changed" || b.CheckIn.Moved == "changed" {
			t.Errorf("two deliveries' contexts share values: %s", show(b))
		}
	}

	none, err := s.DeliveryContexts(ctx, nil)
	must(t, "DeliveryContexts of none", err)
	if none == nil || len(none) != 0 {
		t.Errorf("DeliveryContexts of none: %v, want an empty map", none)
	}
}
