package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// testCalendars checks connecting, replacing, updating and disconnecting
// a coach's calendar, and that deleting the coach deletes it.
func testCalendars(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	_, err := s.Calendar(ctx, f.Coach.ID)
	wantCode(t, "Calendar before any is connected", err, bot.ENOTFOUND)
	wantCode(t, "DeleteCalendar before any is connected", s.DeleteCalendar(ctx, f.Coach.ID), bot.ENOTFOUND)
	wantCode(t, "UpdateCalendar before any is connected",
		s.UpdateCalendar(ctx, &bot.Calendar{CoachID: f.Coach.ID, NextFetchAt: at(0), UpdatedAt: at(0)}), bot.ENOTFOUND)
	wantCode(t, "PutCalendar of a missing coach",
		s.PutCalendar(ctx, &bot.Calendar{CoachID: missingID, URL: []byte("https://example.com/a.ics"), NextFetchAt: at(0), CreatedAt: at(0)}), bot.ENOTFOUND)

	c := &bot.Calendar{CoachID: f.Coach.ID, URL: []byte("https://calendar.example.com/private-1/basic.ics"),
		NextFetchAt: at(0), CreatedAt: at(0)}
	must(t, "PutCalendar", s.PutCalendar(ctx, c))
	want := &bot.Calendar{CoachID: f.Coach.ID, URL: []byte("https://calendar.example.com/private-1/basic.ics"),
		NextFetchAt: at(0), CreatedAt: at(0), UpdatedAt: at(0)}
	same(t, "PutCalendar fills the stored row", c, want)
	got, err := s.Calendar(ctx, f.Coach.ID)
	must(t, "Calendar", err)
	same(t, "Calendar", got, want)

	// A fetch that failed after one that worked.
	c.ETag, c.LastModified = `"v7"`, "Wed, 25 Nov 2026 09:00:00 GMT"
	c.NextFetchAt, c.LeaseUntil, c.LastSyncAt = at(15*time.Minute), at(2*time.Minute), at(time.Minute)
	c.FailingSince, c.LastError, c.Reported, c.UpdatedAt = at(time.Minute), "the calendar address answered 404 Not Found", true, at(time.Minute)
	c.URL = []byte("https://elsewhere.example.com/ignored.ics") // UpdateCalendar never changes the address
	must(t, "UpdateCalendar", s.UpdateCalendar(ctx, c))
	want = &bot.Calendar{CoachID: f.Coach.ID, URL: []byte("https://calendar.example.com/private-1/basic.ics"),
		ETag: `"v7"`, LastModified: "Wed, 25 Nov 2026 09:00:00 GMT", NextFetchAt: at(15 * time.Minute),
		LeaseUntil: at(2 * time.Minute), LastSyncAt: at(time.Minute), FailingSince: at(time.Minute),
		LastError: "the calendar address answered 404 Not Found", Reported: true, CreatedAt: at(0), UpdatedAt: at(time.Minute)}
	same(t, "UpdateCalendar fills the stored row", c, want)
	got, err = s.Calendar(ctx, f.Coach.ID)
	must(t, "Calendar", err)
	same(t, "Calendar after UpdateCalendar", got, want)

	// Connecting another address replaces the calendar and forgets the
	// old one's state.
	re := &bot.Calendar{CoachID: f.Coach.ID, URL: []byte("https://outlook.example.com/owa/calendar/2/reachcalendar.ics"),
		NextFetchAt: at(time.Hour), CreatedAt: at(time.Hour), UpdatedAt: at(time.Hour)}
	must(t, "PutCalendar again", s.PutCalendar(ctx, re))
	want = &bot.Calendar{CoachID: f.Coach.ID, URL: []byte("https://outlook.example.com/owa/calendar/2/reachcalendar.ics"),
		NextFetchAt: at(time.Hour), CreatedAt: at(0), UpdatedAt: at(time.Hour)}
	same(t, "PutCalendar replacing a calendar", re, want)
	got, err = s.Calendar(ctx, f.Coach.ID)
	must(t, "Calendar", err)
	same(t, "Calendar after a replace", got, want)

	must(t, "DeleteCalendar", s.DeleteCalendar(ctx, f.Coach.ID))
	_, err = s.Calendar(ctx, f.Coach.ID)
	wantCode(t, "Calendar after DeleteCalendar", err, bot.ENOTFOUND)

	// Deleting the coach deletes their calendar.
	must(t, "PutCalendar", s.PutCalendar(ctx, &bot.Calendar{CoachID: f.Coach.ID, URL: []byte("https://example.com/c.ics"), NextFetchAt: at(0), CreatedAt: at(0)}))
	must(t, "DeletePerson of the coach", s.DeletePerson(ctx, f.Coach.ID))
	_, err = s.Calendar(ctx, f.Coach.ID)
	wantCode(t, "Calendar of a deleted coach", err, bot.ENOTFOUND)
	if cs, err := s.ClaimCalendars(ctx, at(24*time.Hour), time.Minute, 10); err != nil || len(cs) != 0 {
		t.Errorf("ClaimCalendars after the coach was deleted = %d calendars, %v; want none", len(cs), err)
	}
}

// testClaimCalendars checks that a calendar is claimed when due and its
// lease is free, by NextFetchAt, and by one of many claimers at once.
func testClaimCalendars(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	const n = 12
	var coaches []int64
	for i := range n {
		coach := newPerson(t, s, f.Inst.ID, fmt.Sprintf("UCAL%02d", i), true)
		coaches = append(coaches, coach.ID)
		// Coach i is due i minutes from the reference (the last one later).
		must(t, "PutCalendar", s.PutCalendar(ctx, &bot.Calendar{CoachID: coach.ID,
			URL: fmt.Appendf(nil, "https://example.com/%d.ics", i), NextFetchAt: at(time.Duration(n-1-i) * time.Minute), CreatedAt: at(0)}))
	}
	cs, err := s.ClaimCalendars(ctx, at(2*time.Minute), time.Minute, 2)
	must(t, "ClaimCalendars", err)
	if len(cs) != 2 || cs[0].CoachID != coaches[n-1] || cs[1].CoachID != coaches[n-2] {
		t.Fatalf("ClaimCalendars at 2 minutes with limit 2 = %v, want the two most overdue", coachIDs(cs))
	}
	if !cs[0].LeaseUntil.Equal(at(3*time.Minute)) || string(cs[0].URL) != fmt.Sprintf("https://example.com/%d.ics", n-1) {
		t.Errorf("claimed calendar = %+v, want its URL and LeaseUntil 3 minutes", cs[0])
	}
	cs, err = s.ClaimCalendars(ctx, at(2*time.Minute), time.Minute, 10)
	must(t, "ClaimCalendars", err)
	if len(cs) != 1 || cs[0].CoachID != coaches[n-3] {
		t.Errorf("second ClaimCalendars = %v, want only the third due one (the others are leased)", coachIDs(cs))
	}
	if cs, _ := s.ClaimCalendars(ctx, at(2*time.Minute), time.Minute, 0); len(cs) != 0 {
		t.Errorf("ClaimCalendars with limit 0 = %v", coachIDs(cs))
	}
	// The leases run out at 3 minutes; by 20 minutes every calendar is due,
	// and many claimers share them without overlap.
	var (
		mu    sync.Mutex
		seen  = map[int64]int{}
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for range 6 {
		wg.Go(func() {
			<-start
			for {
				cs, err := s.ClaimCalendars(ctx, at(20*time.Minute), time.Minute, 2)
				if err != nil {
					t.Errorf("ClaimCalendars: %v", err)
					return
				}
				if len(cs) == 0 {
					return
				}
				mu.Lock()
				for _, c := range cs {
					seen[c.CoachID]++
				}
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	if len(seen) != n {
		t.Errorf("concurrent claimers got %d calendars, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("calendar of coach %d claimed %d times", id, k)
		}
	}
}

func coachIDs(cs []*bot.Calendar) []int64 {
	var out []int64
	for _, c := range cs {
		out = append(out, c.CoachID)
	}
	return out
}

// testSyncCalendarSessions checks that calendar sessions follow the
// calendar: created, moved, cancelled when their event is gone, and back
// when it returns, leaving other sessions alone.
func testSyncCalendarSessions(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	_, eng2 := newClient(t, s, f, "UCLIENT2", bot.EngagementActive)
	otherCoach := newPerson(t, s, f.Inst.ID, "UCOACH2", true)
	_, otherEng := newClient(t, s, fixture{Inst: f.Inst, Coach: otherCoach}, "UCLIENT3", bot.EngagementActive)
	logged := &bot.Session{EngagementID: f.Eng.ID, Day: day(1), Notes: "logged", CreatedAt: at(0)}
	must(t, "CreateSession", s.CreateSession(ctx, logged))

	cal := func(eng int64, uid string, start time.Duration, minutes int) *bot.Session {
		st := at(start)
		return &bot.Session{EngagementID: eng, Source: bot.SessionCalendar, UID: uid, Start: st, Minutes: minutes,
			Day: bot.DateOf(st.In(time.UTC))}
	}
	stored := func(in *bot.Session, id int64, created, updated, cancelled time.Time) *bot.Session {
		out := *in
		out.ID, out.CreatedAt, out.UpdatedAt, out.CancelledAt = id, created, updated, cancelled
		return &out
	}

	a := cal(f.Eng.ID, "weekly@x/20261126T090000Z", 24*time.Hour, 50)
	b := cal(eng2.ID, "single@x", 48*time.Hour, 30)
	// Without a calendar connected (disconnected while read): refused.
	_, err := s.SyncCalendarSessions(ctx, f.Coach.ID, at(0), at(-24*time.Hour), []*bot.Session{b, a})
	wantCode(t, "SyncCalendarSessions without a calendar", err, bot.ENOTFOUND)
	must(t, "PutCalendar", s.PutCalendar(ctx, &bot.Calendar{CoachID: f.Coach.ID, URL: []byte("https://example.com/c.ics"), NextFetchAt: at(0), CreatedAt: at(0)}))
	changed, err := s.SyncCalendarSessions(ctx, f.Coach.ID, at(0), at(-24*time.Hour), []*bot.Session{b, a})
	must(t, "SyncCalendarSessions", err)
	if len(changed) != 2 {
		t.Fatalf("first sync changed %d sessions, want 2", len(changed))
	}
	aID, bID := changed[0].ID, changed[1].ID
	same(t, "first sync", changed, []*bot.Session{stored(a, aID, at(0), at(0), time.Time{}), stored(b, bID, at(0), at(0), time.Time{})})

	// The same calendar again: nothing changes.
	changed, err = s.SyncCalendarSessions(ctx, f.Coach.ID, at(time.Minute), at(-24*time.Hour), []*bot.Session{a, b})
	must(t, "SyncCalendarSessions unchanged", err)
	same(t, "sync of an unchanged calendar", changed, nil)

	// a moves by an hour and lasts longer; b's event is deleted.
	a2 := cal(f.Eng.ID, a.UID, 25*time.Hour, 60)
	changed, err = s.SyncCalendarSessions(ctx, f.Coach.ID, at(2*time.Minute), at(-24*time.Hour), []*bot.Session{a2})
	must(t, "SyncCalendarSessions moved", err)
	same(t, "sync of a moved and a deleted event", changed, []*bot.Session{
		stored(a2, aID, at(0), at(2*time.Minute), time.Time{}),
		stored(b, bID, at(0), at(2*time.Minute), at(2*time.Minute)),
	})

	// b comes back; a is now before from, so it stays though absent.
	changed, err = s.SyncCalendarSessions(ctx, f.Coach.ID, at(3*time.Minute), at(26*time.Hour), []*bot.Session{b})
	must(t, "SyncCalendarSessions back", err)
	same(t, "sync of an event back", changed, []*bot.Session{stored(b, bID, at(0), at(3*time.Minute), time.Time{})})

	// An engagement of another coach: refused, nothing stored.
	_, err = s.SyncCalendarSessions(ctx, f.Coach.ID, at(4*time.Minute), at(-24*time.Hour),
		[]*bot.Session{cal(otherEng.ID, "theirs@x", 24*time.Hour, 30)})
	wantCode(t, "SyncCalendarSessions with another coach's engagement", err, bot.EINVALID)
	_, err = s.SyncCalendarSessions(ctx, f.Coach.ID, at(4*time.Minute), at(-24*time.Hour),
		[]*bot.Session{{EngagementID: f.Eng.ID, Source: bot.SessionCalendar, Day: day(1)}})
	wantCode(t, "SyncCalendarSessions with a session without UID", err, bot.EINVALID)

	// Disconnected, the calendar's sessions to come can still be cancelled.
	must(t, "DeleteCalendar", s.DeleteCalendar(ctx, f.Coach.ID))
	changed, err = s.SyncCalendarSessions(ctx, f.Coach.ID, at(5*time.Minute), at(48*time.Hour), nil)
	must(t, "SyncCalendarSessions after a disconnect", err)
	same(t, "cancelling after a disconnect", changed, []*bot.Session{stored(b, bID, at(0), at(5*time.Minute), at(5*time.Minute))})

	got, err := s.Sessions(ctx, f.Eng.ID)
	must(t, "Sessions", err)
	same(t, "the first engagement's sessions", got, []*bot.Session{
		{ID: logged.ID, EngagementID: f.Eng.ID, Day: day(1), Notes: "logged", Source: bot.SessionLogged, CreatedAt: at(0), UpdatedAt: at(0)},
		stored(a2, aID, at(0), at(2*time.Minute), time.Time{}),
	})
	got, err = s.Sessions(ctx, otherEng.ID)
	must(t, "Sessions", err)
	same(t, "another coach's sessions", got, nil)
}
