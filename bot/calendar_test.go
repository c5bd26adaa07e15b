package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/store/postgres/pgtest"
)

// feed is a calendar served on loopback: its body, status and ETag can
// change between reads, and it counts requests.
type feed struct {
	mu          sync.Mutex
	body        string
	status      int
	version     int
	hits        int
	notModified int
	onServe     func() // called before each answer, when set
}

func (f *feed) set(body string, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.body, f.status = body, status
	f.version++
}

func (f *feed) counts() (hits, notModified int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits, f.notModified
}

func (f *feed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.onServe != nil {
		f.onServe()
	}
	f.hits++
	if f.status != http.StatusOK {
		w.WriteHeader(f.status)
		return
	}
	etag := fmt.Sprintf(`"v%d"`, f.version)
	if r.Header.Get("If-None-Match") == etag {
		f.notModified++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "text/calendar")
	fmt.Fprint(w, f.body)
}

// The secret part of the test calendar's address.
const calendarSecret = "private-9f8e7d6c5b4a"

// ics joins calendar lines into a file.
func icsFile(lines ...string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//smart90 tests//EN\r\n" + strings.Join(lines, "\r\n") + "\r\nEND:VCALENDAR\r\n"
}

// Cora's calendar, from Sunday 22 November 2026: a weekly session with
// Ana (an attendee by e-mail) on Mondays at 10:00 London time, one with
// Bob named in the title, Ana's all-day offsite, an event naming both,
// one naming neither, and a twelve-hour summit Ana attends.
var calendarV1 = icsFile(
	"BEGIN:VEVENT", "UID:weekly-ana@test", "SUMMARY:Coaching", "DTSTART;TZID=Europe/London:20261123T100000",
	"DTEND;TZID=Europe/London:20261123T105000", "RRULE:FREQ=WEEKLY;COUNT=4",
	"ORGANIZER:mailto:cora@example.com", "ATTENDEE:mailto:cora@example.com", "ATTENDEE;CN=Ana:mailto:Ana@Example.com", "END:VEVENT",
	"BEGIN:VEVENT", "UID:bob-1@test", "SUMMARY:Session with Bob", "DTSTART:20261125T150000Z", "DURATION:PT45M", "END:VEVENT",
	"BEGIN:VEVENT", "UID:offsite@test", "SUMMARY:Ana offsite", "DTSTART;VALUE=DATE:20261126", "END:VEVENT",
	"BEGIN:VEVENT", "UID:both@test", "SUMMARY:Ana + Bob intro", "DTSTART:20261127T090000Z", "DURATION:PT30M", "END:VEVENT",
	"BEGIN:VEVENT", "UID:dentist@test", "SUMMARY:Dentist", "DTSTART:20261127T120000Z", "DURATION:PT30M", "END:VEVENT",
	"BEGIN:VEVENT", "UID:summit@test", "SUMMARY:Leadership summit", "DTSTART:20261128T080000Z", "DURATION:PT12H",
	"ATTENDEE:mailto:ana@example.com", "END:VEVENT",
)

// calendarV2 moves Ana's second session an hour later, cancels her
// third, and drops Bob's.
var calendarV2 = icsFile(
	"BEGIN:VEVENT", "UID:weekly-ana@test", "SUMMARY:Coaching", "DTSTART;TZID=Europe/London:20261123T100000",
	"DTEND;TZID=Europe/London:20261123T105000", "RRULE:FREQ=WEEKLY;COUNT=4",
	"ORGANIZER:mailto:cora@example.com", "ATTENDEE;CN=Ana:mailto:ana@example.com", "END:VEVENT",
	"BEGIN:VEVENT", "UID:weekly-ana@test", "RECURRENCE-ID;TZID=Europe/London:20261130T100000", "SUMMARY:Coaching",
	"DTSTART;TZID=Europe/London:20261130T110000", "DTEND;TZID=Europe/London:20261130T115000",
	"ATTENDEE;CN=Ana:mailto:ana@example.com", "END:VEVENT",
	"BEGIN:VEVENT", "UID:weekly-ana@test", "RECURRENCE-ID;TZID=Europe/London:20261207T100000", "STATUS:CANCELLED",
	"SUMMARY:Coaching", "DTSTART;TZID=Europe/London:20261207T100000", "END:VEVENT",
)

// sessionLines are an engagement's sessions, one comparable line each.
func sessionLines(t testing.TB, b *bottest.Bundle, e *bot.Engagement) []string {
	t.Helper()
	ss, err := b.Store.Sessions(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range ss {
		line := fmt.Sprintf("%s %s %s %dmin %s", s.Source, s.Day, s.Start.UTC().Format("2006-01-02T15:04Z"), s.Minutes, s.UID)
		if s.Cancelled() {
			line += " cancelled"
		}
		out = append(out, line)
	}
	return out
}

func sameLines(t testing.TB, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n%s\nwant:\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// setEmail stores a person's e-mail address, as `settings email` does.
func setEmail(t testing.TB, b *bottest.Bundle, u bot.UserRef, email string) {
	t.Helper()
	p := b.Person(t, u)
	p.Email, p.UpdatedAt = email, b.Clock.Now().UTC()
	if err := b.Store.UpdatePerson(context.Background(), p); err != nil {
		t.Fatal(err)
	}
}

// dmsWith are the messages sent to a user that contain phrase.
func dmsWith(b *bottest.Bundle, user, phrase string) []string {
	var out []string
	for _, s := range b.Messenger.SentTo(user) {
		if strings.Contains(s.Msg.Text, phrase) {
			out = append(out, s.Msg.Text)
		}
	}
	return out
}

// TestCalendarSync follows a coach's calendar through its life: connected,
// read into sessions, changed, unchanged (304), failing and back, and
// disconnected; the address's secret never reaches the logs.
func TestCalendarSync(t *testing.T) {
	t.Parallel()
	var logs bottest.Buffer
	b := bottest.SetupWith(t, bottest.Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	ctx := t.Context()
	eAna := b.Engage(t, coach, ana)
	eBob := b.Engage(t, coach, bob)
	setEmail(t, b, ana, "ana@example.com")

	f, srv := serveCalendar(t)
	sync := &bot.CalendarSyncer{Bot: b.Bot, HTTP: srv.Client()}
	run := func(want int) {
		t.Helper()
		n, err := sync.RunOnce(ctx)
		if err != nil || n != want {
			t.Fatalf("RunOnce = %d, %v; want %d calendars read", n, err, want)
		}
	}

	has(t, b.Command(t, ana, "calendar "+srv.URL+"/cal/"+calendarSecret+"/basic.ics"), "`calendar` is for coaches")
	has(t, b.Command(t, coach, "calendar ftp://example.com/x.ics"), "must start with https://")
	got := b.Command(t, coach, "calendar "+srv.URL+"/cal/"+calendarSecret+"/basic.ics")
	has(t, got, "Connected your calendar (127.0.0.1). I read it every 15 minutes; events with a client as attendee (their `settings email`) or with their name in the title become sessions.")
	lacks(t, got, calendarSecret)

	run(1)
	sameLines(t, "Ana's sessions", sessionLines(t, b, eAna),
		"calendar 2026-11-23 2026-11-23T10:00Z 50min weekly-ana@test/20261123T100000Z",
		"calendar 2026-11-30 2026-11-30T10:00Z 50min weekly-ana@test/20261130T100000Z",
		"calendar 2026-12-07 2026-12-07T10:00Z 50min weekly-ana@test/20261207T100000Z",
		"calendar 2026-12-14 2026-12-14T10:00Z 50min weekly-ana@test/20261214T100000Z")
	sameLines(t, "Bob's sessions", sessionLines(t, b, eBob),
		"calendar 2026-11-25 2026-11-25T15:00Z 45min bob-1@test")
	run(0) // not due again for 15 minutes
	// The sessions' briefs are planned (PlanSessions): an hour before.
	briefDue(t, b, eAna, "weekly-ana@test/20261130T100000Z", "2026-11-30T09:00Z")

	status := b.Command(t, coach, "calendar")
	has(t, status, "*Your calendar* (127.0.0.1)", "Last read: Sun 22 Nov 18:", "Sessions from it in the next 3 weeks: 4")
	// (14 December is more than three weeks away.)
	lacks(t, status, calendarSecret, "Failing")

	// The calendar changes: a moved, a cancelled and a deleted event.
	f.set(calendarV2, http.StatusOK)
	b.Clock.Advance(bot.CalendarEvery)
	run(1)
	sameLines(t, "Ana's sessions after a move and a cancellation", sessionLines(t, b, eAna),
		"calendar 2026-11-23 2026-11-23T10:00Z 50min weekly-ana@test/20261123T100000Z",
		"calendar 2026-11-30 2026-11-30T11:00Z 50min weekly-ana@test/20261130T100000Z",
		"calendar 2026-12-07 2026-12-07T10:00Z 50min weekly-ana@test/20261207T100000Z cancelled",
		"calendar 2026-12-14 2026-12-14T10:00Z 50min weekly-ana@test/20261214T100000Z")
	briefDue(t, b, eAna, "weekly-ana@test/20261130T100000Z", "2026-11-30T10:00Z") // moved with its session
	sameLines(t, "Bob's sessions after his event was deleted", sessionLines(t, b, eBob),
		"calendar 2026-11-25 2026-11-25T15:00Z 45min bob-1@test cancelled")

	// Unchanged: a conditional request, answered 304.
	b.Clock.Advance(bot.CalendarEvery)
	run(1)
	if hits, nm := f.counts(); hits != 3 || nm != 1 {
		t.Errorf("after three reads the feed saw %d requests, %d answered 304; want 3 and 1", hits, nm)
	}

	// The feed fails three times: the coach is told once.
	f.set("", http.StatusNotFound)
	for range 3 {
		b.Clock.Advance(bot.CalendarEvery)
		run(1)
	}
	told := dmsWith(b, coach.ExternalID, "calendar")
	sameLines(t, "DMs to the coach about the calendar", told,
		"I couldn't read your calendar: the calendar address answered 404 Not Found. I'll keep trying every 15 minutes; sessions you book with `session` are not affected.")
	has(t, b.Command(t, coach, "calendar"), "Failing since Sun 22 Nov 18:45: the calendar address answered 404 Not Found")
	sameLines(t, "Ana's sessions while the calendar fails", sessionLines(t, b, eAna),
		"calendar 2026-11-23 2026-11-23T10:00Z 50min weekly-ana@test/20261123T100000Z",
		"calendar 2026-11-30 2026-11-30T11:00Z 50min weekly-ana@test/20261130T100000Z",
		"calendar 2026-12-07 2026-12-07T10:00Z 50min weekly-ana@test/20261207T100000Z cancelled",
		"calendar 2026-12-14 2026-12-14T10:00Z 50min weekly-ana@test/20261214T100000Z")

	// It works again: one more DM, then none.
	f.set(calendarV2, http.StatusOK)
	for range 2 {
		b.Clock.Advance(bot.CalendarEvery)
		run(1)
	}
	sameLines(t, "DMs to the coach about the calendar", dmsWith(b, coach.ExternalID, "calendar"), append(told, "Your calendar works again.")...)

	// Disconnected: its sessions still to come are cancelled.
	has(t, b.Command(t, coach, "calendar off"), "Disconnected your calendar; I no longer read it. 3 upcoming sessions from it are cancelled here")
	sameLines(t, "Ana's sessions after calendar off", sessionLines(t, b, eAna),
		"calendar 2026-11-23 2026-11-23T10:00Z 50min weekly-ana@test/20261123T100000Z cancelled",
		"calendar 2026-11-30 2026-11-30T11:00Z 50min weekly-ana@test/20261130T100000Z cancelled",
		"calendar 2026-12-07 2026-12-07T10:00Z 50min weekly-ana@test/20261207T100000Z cancelled",
		"calendar 2026-12-14 2026-12-14T10:00Z 50min weekly-ana@test/20261214T100000Z cancelled")
	has(t, b.Command(t, coach, "calendar"), "No calendar is connected.")
	b.Clock.Advance(bot.CalendarEvery)
	run(0)

	if !strings.Contains(logs.String(), "calendar failed") {
		t.Errorf("the logs lack the failure; the test of the secret below reads nothing:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), calendarSecret) {
		t.Errorf("the logs hold the calendar's secret address:\n%s", logs.String())
	}
}

// TestCalendarReplicas checks two replicas on one PostgreSQL store read
// each calendar once per period.
func TestCalendarReplicas(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	clock := bottest.NewClock(bottest.Start)
	b1 := bottest.SetupWith(t, bottest.Options{Store: db, Clock: clock})
	b2 := bottest.SetupWith(t, bottest.Options{Store: db, Clock: clock})
	b1.Engage(t, coach, ana)
	setEmail(t, b1, ana, "ana@example.com")
	f, srv := serveCalendar(t)
	has(t, b1.Command(t, coach, "calendar "+srv.URL+"/cal/"+calendarSecret+"/basic.ics"), "Connected your calendar")

	syncers := []*bot.CalendarSyncer{{Bot: b1.Bot, HTTP: srv.Client()}, {Bot: b2.Bot, HTTP: srv.Client()}}
	for period := 1; period <= 3; period++ {
		var wg sync.WaitGroup
		for _, s := range syncers {
			wg.Go(func() {
				for range 3 {
					if _, err := s.RunOnce(t.Context()); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		if hits, _ := f.counts(); hits != period {
			t.Fatalf("period %d: the feed was read %d times in all, want %d (once per period)", period, hits, period)
		}
		clock.Advance(bot.CalendarEvery)
	}
	// Four weekly ones and "Ana + Bob intro" (Bob is no client here).
	if n := len(sessionLinesAll(t, b1)); n != 5 {
		t.Errorf("two replicas made %d sessions for Ana, want 5", n)
	}
}

// serveCalendar serves calendarV1 on loopback until the test ends.
func serveCalendar(t *testing.T) (*feed, *httptest.Server) {
	t.Helper()
	f := &feed{}
	f.set(calendarV1, http.StatusOK)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func sessionLinesAll(t testing.TB, b *bottest.Bundle) []string {
	t.Helper()
	return sessionLines(t, b, b.Engagement(t, ana))
}

// TestCalendarLeaseTooShort checks a calendar is not read when the read
// could outlast its claim (another replica could claim it meanwhile).
func TestCalendarLeaseTooShort(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	b.Engage(t, coach, ana)
	f, srv := serveCalendar(t)
	has(t, b.Command(t, coach, "calendar "+srv.URL+"/basic.ics"), "Connected your calendar")
	slow := &bot.CalendarSyncer{Bot: b.Bot, HTTP: srv.Client(), Timeout: bot.CalendarLease}
	if n, err := slow.RunOnce(t.Context()); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v; want 1 claimed", n, err)
	}
	if hits, _ := f.counts(); hits != 0 {
		t.Errorf("a read that could outlast its lease was made (%d requests)", hits)
	}
	b.Clock.Advance(bot.CalendarLease)
	fast := &bot.CalendarSyncer{Bot: b.Bot, HTTP: srv.Client()}
	if n, err := fast.RunOnce(t.Context()); err != nil || n != 1 {
		t.Fatalf("RunOnce after the lease = %d, %v; want 1 claimed", n, err)
	}
	if hits, _ := f.counts(); hits != 1 {
		t.Errorf("after the lease ran out the feed saw %d requests, want 1", hits)
	}
}

// TestCalendarFullRead checks reads are conditional within a six-hour
// period and in full at the first read of the next: the window of events
// moves even when the file does not.
func TestCalendarFullRead(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	b.Engage(t, coach, ana)
	f, srv := serveCalendar(t)
	has(t, b.Command(t, coach, "calendar "+srv.URL+"/basic.ics"), "Connected your calendar")
	s := &bot.CalendarSyncer{Bot: b.Bot, HTTP: srv.Client()}
	for i, want := range []struct{ hits, notModified int }{{1, 0}, {2, 1}, {3, 2}} {
		if _, err := s.RunOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
		if hits, nm := f.counts(); hits != want.hits || nm != want.notModified {
			t.Errorf("read %d at %s: %d requests, %d answered 304; want %d and %d", i+1, b.Clock.Now().UTC(), hits, nm, want.hits, want.notModified)
		}
		b.Clock.Advance(bot.CalendarEvery)
	}
	// Sunday 18:45 UTC → Monday 00:00 UTC, the next period: a full read.
	b.Clock.Set(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	if _, err := s.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if hits, nm := f.counts(); hits != 4 || nm != 2 {
		t.Errorf("the first read of a new period: %d requests, %d answered 304; want 4 and 2 (a full read)", hits, nm)
	}
}

// TestCalendarOffWhileRead checks a calendar disconnected while it is
// being read makes no sessions.
func TestCalendarOffWhileRead(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	e := b.Engage(t, coach, ana)
	setEmail(t, b, ana, "ana@example.com")
	f, srv := serveCalendar(t)
	has(t, b.Command(t, coach, "calendar "+srv.URL+"/basic.ics"), "Connected your calendar")
	coachID := b.Person(t, coach).ID
	f.mu.Lock()
	f.onServe = func() {
		if err := b.Store.DeleteCalendar(context.Background(), coachID); err != nil {
			t.Errorf("DeleteCalendar while read: %v", err)
		}
	}
	f.mu.Unlock()
	s := &bot.CalendarSyncer{Bot: b.Bot, HTTP: srv.Client()}
	if n, err := s.RunOnce(t.Context()); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v; want 1 calendar read", n, err)
	}
	sameLines(t, "sessions of a calendar disconnected while read", sessionLines(t, b, e))
}

// briefDue checks the brief of the engagement's session with uid is due
// at want.
func briefDue(t testing.TB, b *bottest.Bundle, e *bot.Engagement, uid, want string) {
	t.Helper()
	ctx := context.Background()
	ss, err := b.Store.Sessions(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		if s.UID != uid {
			continue
		}
		d, err := b.Store.DeliveryByKey(ctx, e.CoachID, bot.DeliveryBrief, bot.SessionPeriod(s.ID))
		if err != nil {
			t.Fatalf("the brief of session %s: %v", uid, err)
		}
		if got := d.DueAt.UTC().Format("2006-01-02T15:04Z"); got != want {
			t.Errorf("the brief of session %s is due %s, want %s", uid, got, want)
		}
		return
	}
	t.Fatalf("no session %s", uid)
}

// TestCalendarNotFromAChannel: an address typed in a channel (Teams shows
// it to everyone there) is not connected, and the coach is told why.
func TestCalendarNotFromAChannel(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	b.Command(t, coach, "coach")
	out := b.Handle(t, coach, bot.Event{Kind: bot.EventCommand, Channel: "19:general@thread.tacv2",
		Text: "calendar https://calendar.example.com/" + calendarSecret + "/basic.ics"})
	has(t, out, "I did not connect it", "everyone in this channel can read what you typed", "Reset the secret address")
	lacks(t, out, calendarSecret)
	if _, err := b.Store.Calendar(context.Background(), b.Person(t, coach).ID); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("a calendar typed in a channel was stored (%v)", err)
	}
	has(t, b.Command(t, coach, "calendar https://calendar.example.com/"+calendarSecret+"/basic.ics"), "Connected your calendar")
}
