package storetest

import (
	"cmp"
	"slices"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

func testSessions(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	_, otherEng := newClient(t, s, f, "UCLIENT2", bot.EngagementActive)
	_, none := newClient(t, s, f, "UCLIENT3", bot.EngagementActive)
	var want []*bot.Session
	for i, n := range []int{3, 1, 3, 2, -5} {
		ses := &bot.Session{EngagementID: f.Eng.ID, Day: day(n), Notes: "session " + day(n).String(), CreatedAt: at(time.Duration(i) * time.Minute)}
		if i == 1 {
			// A booked session, with its start and length.
			ses.Source, ses.Start, ses.Minutes = bot.SessionBooked, at(48*time.Hour), 45
		}
		must(t, "create session", s.CreateSession(ctx, ses))
		if ses.ID == 0 {
			t.Fatal("CreateSession did not fill ID")
		}
		w := &bot.Session{ID: ses.ID, EngagementID: f.Eng.ID, Day: day(n), Notes: ses.Notes, Source: bot.SessionLogged,
			CreatedAt: at(time.Duration(i) * time.Minute), UpdatedAt: at(time.Duration(i) * time.Minute)}
		if i == 1 {
			w.Source, w.Start, w.Minutes = bot.SessionBooked, at(48*time.Hour), 45
		}
		want = append(want, w)
	}
	o := &bot.Session{EngagementID: otherEng.ID, Day: day(0), Notes: "other", CreatedAt: at(0)}
	must(t, "create another engagement's session", s.CreateSession(ctx, o))
	slices.SortFunc(want, func(a, b *bot.Session) int {
		return cmp.Or(cmp.Compare(a.Day.Sub(b.Day), 0), cmp.Compare(a.ID, b.ID))
	})

	got, err := s.Sessions(ctx, f.Eng.ID)
	must(t, "Sessions", err)
	same(t, "Sessions", got, want)
	got, err = s.Sessions(ctx, otherEng.ID)
	must(t, "Sessions", err)
	same(t, "Sessions of another engagement", got, []*bot.Session{{ID: o.ID, EngagementID: otherEng.ID, Day: day(0), Notes: "other",
		Source: bot.SessionLogged, CreatedAt: at(0), UpdatedAt: at(0)}})
	got, err = s.Sessions(ctx, none.ID)
	must(t, "Sessions", err)
	same(t, "Sessions of an engagement without sessions", got, nil)
}
