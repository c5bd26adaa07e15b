package storetest

import (
	"cmp"
	"slices"
	"strings"
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

// testSessionUpdates: one session by ID, its moves, notes and
// cancellation, a coach's sessions by start, and a deleted client's
// sessions gone with them.
func testSessionUpdates(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	bob, bobEng := newClient(t, s, f, "UCLIENT2", bot.EngagementActive)
	other := newPerson(t, s, f.Inst.ID, "UCOACH2", true)
	_, otherEng := newClient(t, s, fixture{Inst: f.Inst, Coach: other}, "UCLIENT3", bot.EngagementActive)

	booked := &bot.Session{EngagementID: f.Eng.ID, Day: day(2), Start: at(48 * time.Hour), Minutes: 45,
		Source: bot.SessionBooked, CreatedAt: at(0)}
	must(t, "create booked session", s.CreateSession(ctx, booked))
	logged := &bot.Session{EngagementID: f.Eng.ID, Day: day(-1), Notes: "logged", CreatedAt: at(time.Minute)}
	must(t, "create logged session", s.CreateSession(ctx, logged))
	early := &bot.Session{EngagementID: bobEng.ID, Day: day(1), Start: at(24 * time.Hour), Minutes: 60,
		Source: bot.SessionCalendar, UID: "ev1", CreatedAt: at(2 * time.Minute)}
	must(t, "create bob's session", s.CreateSession(ctx, early))
	notMine := &bot.Session{EngagementID: otherEng.ID, Day: day(1), Start: at(30 * time.Hour), Source: bot.SessionBooked, CreatedAt: at(0)}
	must(t, "create another coach's session", s.CreateSession(ctx, notMine))

	got, err := s.Session(ctx, booked.ID)
	must(t, "Session", err)
	same(t, "Session", got, booked)
	_, err = s.Session(ctx, missingID)
	wantCode(t, "Session of a missing id", err, bot.ENOTFOUND)

	// Moved, noted and cancelled; keys, source and CreatedAt stay.
	u := *booked
	u.EngagementID, u.Source, u.UID, u.CreatedAt = bobEng.ID, bot.SessionCalendar, "x", at(9*time.Hour) // not stored
	u.Day, u.Start, u.Minutes, u.Notes, u.CancelledAt, u.UpdatedAt = day(3), at(72*time.Hour), 90, "pricing", at(time.Hour), at(2*time.Hour)
	must(t, "update session", s.UpdateSession(ctx, &u))
	want := *booked
	want.Day, want.Start, want.Minutes, want.Notes, want.CancelledAt, want.UpdatedAt = day(3), at(72*time.Hour), 90, "pricing", at(time.Hour), at(2*time.Hour)
	same(t, "session filled on update", &u, &want)
	got, err = s.Session(ctx, booked.ID)
	must(t, "Session", err)
	same(t, "updated session", got, &want)
	// Back to standing: a zero CancelledAt is stored too.
	u.CancelledAt, u.UpdatedAt = time.Time{}, at(3*time.Hour)
	must(t, "update session back", s.UpdateSession(ctx, &u))
	want.CancelledAt, want.UpdatedAt = time.Time{}, at(3*time.Hour)
	got, err = s.Session(ctx, booked.ID)
	must(t, "Session", err)
	same(t, "session no longer cancelled", got, &want)

	bad := want
	bad.Notes = strings.Repeat("x", bot.MaxAnswerLen+1)
	wantCode(t, "update with notes too long", s.UpdateSession(ctx, &bad), bot.EINVALID)
	missing := want
	missing.ID = missingID
	wantCode(t, "update a missing session", s.UpdateSession(ctx, &missing), bot.ENOTFOUND)

	list, err := s.CoachSessions(ctx, f.Coach.ID, at(0), at(100*time.Hour))
	must(t, "CoachSessions", err)
	same(t, "CoachSessions by start, without logged ones or another coach's", ids(list), []int64{early.ID, booked.ID})
	list, err = s.CoachSessions(ctx, f.Coach.ID, at(24*time.Hour+time.Microsecond), at(72*time.Hour))
	must(t, "CoachSessions", err)
	same(t, "CoachSessions: from included, to excluded", ids(list), []int64(nil))
	list, err = s.CoachSessions(ctx, f.Coach.ID, at(24*time.Hour), at(72*time.Hour+time.Microsecond))
	must(t, "CoachSessions", err)
	same(t, "CoachSessions at both bounds", ids(list), []int64{early.ID, booked.ID})

	// A deleted client's sessions go with them, and so does the brief on
	// them their coach was due.
	brief := &bot.Delivery{PersonID: f.Coach.ID, EngagementID: bobEng.ID, Kind: bot.DeliveryBrief,
		Period: bot.SessionPeriod(early.ID), DueAt: at(23 * time.Hour), State: bot.DeliveryPending}
	_, err = s.CreateDelivery(ctx, brief)
	must(t, "create brief delivery", err)
	must(t, "delete bob", s.DeletePerson(ctx, bob.ID))
	_, err = s.Session(ctx, early.ID)
	wantCode(t, "Session of a deleted client", err, bot.ENOTFOUND)
	_, err = s.DeliveryByKey(ctx, f.Coach.ID, bot.DeliveryBrief, bot.SessionPeriod(early.ID))
	wantCode(t, "the coach's brief on a deleted client", err, bot.ENOTFOUND)
	list, err = s.CoachSessions(ctx, f.Coach.ID, at(0), at(100*time.Hour))
	must(t, "CoachSessions", err)
	same(t, "CoachSessions after a client's deletion", ids(list), []int64{booked.ID})
}

// ids is the sessions' IDs, in order.
func ids(ss []*bot.Session) []int64 {
	var out []int64
	for _, s := range ss {
		out = append(out, s.ID)
	}
	return out
}
