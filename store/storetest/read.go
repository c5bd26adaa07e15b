package storetest

import (
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// testRecipient: a person with their installation, as Person and
// Installation give them, in one read.
func testRecipient(t *testing.T, s bot.Store) {
	f := seed(t, s)
	other := newInstallation(t, s, bot.PlatformTeams, "tenant-2")
	stranger := newPerson(t, s, other.ID, "29:x", false)
	for _, p := range []*bot.Person{f.Coach, f.Client, stranger} {
		gotP, gotI, err := s.Recipient(t.Context(), p.ID)
		if err != nil {
			t.Fatalf("Recipient(%d): %v", p.ID, err)
		}
		wantP, err := s.Person(t.Context(), p.ID)
		must(t, "Person", err)
		wantI, err := s.Installation(t.Context(), p.InstallationID)
		must(t, "Installation", err)
		same(t, "Recipient's person", gotP, wantP)
		same(t, "Recipient's installation", gotI, wantI)
	}
	_, _, err := s.Recipient(t.Context(), missingID)
	wantCode(t, "Recipient of a missing person", err, bot.ENOTFOUND)
}

// testEngagementWithRocks: an engagement and its rocks, as Engagement and
// Rocks give them; none is an empty list; a missing one is ENOTFOUND.
func testEngagementWithRocks(t *testing.T, s bot.Store) {
	f := seed(t, s)
	_, bare := newClient(t, s, f, "UBARE", bot.EngagementActive)
	newRock(t, s, f.Eng.ID, f.Client.ID, "Second", at(2*time.Hour))
	newRock(t, s, f.Eng.ID, f.Coach.ID, "First", at(time.Hour))
	for _, e := range []*bot.Engagement{f.Eng, bare} {
		gotE, gotR, err := s.EngagementWithRocks(t.Context(), e.ID)
		if err != nil {
			t.Fatalf("EngagementWithRocks(%d): %v", e.ID, err)
		}
		wantE, err := s.Engagement(t.Context(), e.ID)
		must(t, "Engagement", err)
		wantR, err := s.Rocks(t.Context(), e.ID)
		must(t, "Rocks", err)
		same(t, "EngagementWithRocks' engagement", gotE, wantE)
		same(t, "EngagementWithRocks' rocks", gotR, wantR)
		if gotR == nil {
			t.Errorf("EngagementWithRocks(%d): nil rocks, want an empty list", e.ID)
		}
	}
	if _, rocks, _ := s.EngagementWithRocks(t.Context(), f.Eng.ID); len(rocks) != 2 || rocks[0].Title != "Second" {
		t.Errorf("rocks by Position: %s", show(rocks))
	}
	_, _, err := s.EngagementWithRocks(t.Context(), missingID)
	wantCode(t, "EngagementWithRocks of a missing engagement", err, bot.ENOTFOUND)
}
