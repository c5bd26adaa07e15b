package storetest

import (
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

func testDigests(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	coach2 := newPerson(t, s, f.Inst.ID, "UCOACH2", true)
	latest := func(what string, coachID int64, want *bot.Digest) {
		t.Helper()
		got, err := s.LatestDigest(ctx, coachID)
		must(t, what, err)
		same(t, what, got, want)
	}

	d := &bot.Digest{CoachID: f.Coach.ID, Week: week(0), Channel: "CDIGEST", ParentRef: "1700000000.000100", Summary: "3 clients: 2 on track", PostedAt: at(0)}
	must(t, "create digest", s.CreateDigest(ctx, d))
	if d.ID == 0 {
		t.Fatal("CreateDigest did not fill ID")
	}
	want := &bot.Digest{ID: d.ID, CoachID: f.Coach.ID, Week: week(0), Channel: "CDIGEST", ParentRef: "1700000000.000100", Summary: "3 clients: 2 on track", PostedAt: at(0)}
	latest("LatestDigest", f.Coach.ID, want)

	// The latest Week wins, not the latest posted.
	older := &bot.Digest{CoachID: f.Coach.ID, Week: week(-1), Summary: "late", PostedAt: at(time.Hour)}
	must(t, "create an older week's digest", s.CreateDigest(ctx, older))
	latest("LatestDigest after an older week's", f.Coach.ID, want)

	dup := &bot.Digest{CoachID: f.Coach.ID, Week: week(0), Channel: "COTHER", Summary: "again", PostedAt: at(2 * time.Hour)}
	wantCode(t, "CreateDigest for a week that has one", s.CreateDigest(ctx, dup), bot.ECONFLICT)
	latest("LatestDigest after a conflict", f.Coach.ID, want)

	theirs := &bot.Digest{CoachID: coach2.ID, Week: week(0), Summary: "theirs", PostedAt: at(3 * time.Hour)}
	must(t, "create another coach's digest for the same week", s.CreateDigest(ctx, theirs))
	latest("LatestDigest of another coach", coach2.ID, &bot.Digest{ID: theirs.ID, CoachID: coach2.ID, Week: week(0), Summary: "theirs", PostedAt: at(3 * time.Hour)})

	newer := &bot.Digest{CoachID: f.Coach.ID, Week: week(1), ParentRef: "p2", Summary: "next", PostedAt: at(7 * 24 * time.Hour)}
	must(t, "create next week's digest", s.CreateDigest(ctx, newer))
	latest("LatestDigest after next week's", f.Coach.ID, &bot.Digest{ID: newer.ID, CoachID: f.Coach.ID, Week: week(1), ParentRef: "p2", Summary: "next", PostedAt: at(7 * 24 * time.Hour)})
}
