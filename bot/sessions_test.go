package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// runDue does what the scheduler's sender does, now: it claims every due
// delivery, has the bot deliver it and records the outcome. It returns
// the deliveries it sent.
func runDue(t *testing.T, b *bottest.Bundle) []*bot.Delivery {
	t.Helper()
	ctx := context.Background()
	now := b.Clock.Now().UTC()
	ds, err := b.Store.ClaimDeliveries(ctx, now, time.Minute, 100)
	if err != nil {
		t.Fatalf("claim deliveries: %v", err)
	}
	var sent []*bot.Delivery
	for _, d := range ds {
		ref, needed, err := b.Bot.Deliver(ctx, d)
		if err != nil {
			t.Fatalf("deliver %s %s: %v", d.Kind, d.Period, err)
		}
		d.State, d.LeaseUntil, d.UpdatedAt = bot.DeliverySkipped, time.Time{}, now
		if needed {
			d.State, d.MessageRef, d.SentAt = bot.DeliverySent, ref, now
			sent = append(sent, d)
		}
		if err := b.Store.UpdateDelivery(ctx, d); err != nil {
			t.Fatalf("record delivery: %v", err)
		}
	}
	return sent
}

// sessionsOf returns the engagement's sessions.
func sessionsOf(t *testing.T, b *bottest.Bundle, e *bot.Engagement) []*bot.Session {
	t.Helper()
	ss, err := b.Store.Sessions(context.Background(), e.ID)
	if err != nil {
		t.Fatalf("load sessions: %v", err)
	}
	return ss
}

// sessionDelivery returns the coach's delivery of kind for session s.
func sessionDelivery(t *testing.T, b *bottest.Bundle, kind bot.DeliveryKind, s *bot.Session) *bot.Delivery {
	t.Helper()
	d, err := b.Store.DeliveryByKey(context.Background(), b.Person(t, coach).ID, kind, bot.SessionPeriod(s.ID))
	if err != nil {
		t.Fatalf("load %s delivery of session %d: %v", kind, s.ID, err)
	}
	return d
}

// London is the coach's zone; Ana is in Paris, an hour ahead.
func london(date, clock string) time.Time { return bottest.Day(date, clock, "Europe/London") }

func TestBookSession(t *testing.T) {
	t.Parallel()
	b, e := twoDays(t) // Wednesday 2026-11-25, 09:00 in London
	out := b.Command(t, coach, "session <@ana> next 2026-11-26 15:00")
	has(t, out, "Booked a session with Ana: Thu 2026-11-26 15:00 (16:00 for Ana, Europe/Paris), 60 min.",
		"Your brief arrives 1h before, at 14:00.")
	lacks(t, out, "Upcoming")
	ss := sessionsOf(t, b, e)
	if len(ss) != 1 {
		t.Fatalf("%d sessions, want 1", len(ss))
	}
	s := ss[0]
	if !s.Start.Equal(london("2026-11-26", "15:00")) || s.Minutes != 60 || s.Source != bot.SessionBooked ||
		s.Day != (bot.Date{Year: 2026, Month: 11, Day: 26}) || s.Cancelled() {
		t.Errorf("booked session = %+v", s)
	}
	if d := sessionDelivery(t, b, bot.DeliveryBrief, s); !d.DueAt.Equal(london("2026-11-26", "14:00")) || d.EngagementID != e.ID || d.State != bot.DeliveryPending {
		t.Errorf("brief delivery = %+v, want pending at 14:00", d)
	}
	if d := sessionDelivery(t, b, bot.DeliveryNotes, s); !d.DueAt.Equal(london("2026-11-26", "16:00")) {
		t.Errorf("notes delivery due %v, want 16:00", d.DueAt)
	}

	// A second one: both are listed.
	has(t, b.Command(t, coach, "session <@ana> next 2026-12-03 10:00 1h30"), "Thu 2026-12-03 10:00 (11:00 for Ana, Europe/Paris), 90 min",
		"Upcoming with Ana: Thu 2026-11-26 15:00, Thu 2026-12-03 10:00.")
	// Less than the lead ahead: the brief is due now.
	has(t, b.Command(t, coach, "session <@ana> next 2026-11-25 09:30 45m"), "45 min", "Your brief arrives in a moment")
	ss = sessionsOf(t, b, e)
	if d := sessionDelivery(t, b, bot.DeliveryBrief, ss[0]); !d.DueAt.Equal(b.Clock.Now()) {
		t.Errorf("late brief due %v, want now %v", d.DueAt, b.Clock.Now())
	}

	for text, want := range map[string]string{
		"session <@ana> next":                        "Tell me the day and the time",
		"session <@ana> next 2026-11-26":             "Tell me the day and the time",
		"session <@ana> next 2026-02-30 10:00":       "is not a date",
		"session <@ana> next 2026-11-26 25:00":       "is not a time of day",
		"session <@ana> next 2026-11-26 9h":          "is not a time of day",
		"session <@ana> next 2026-11-24 10:00":       "already past in your time zone (Europe/London)",
		"session <@ana> next 2026-11-25 08:59":       "already past",
		"session <@ana> next 2026-11-26 10:00 0m":    "is not a session length",
		"session <@ana> next 2026-11-26 10:00 -1h":   "is not a session length",
		"session <@ana> next 2026-11-26 10:00 9h":    "up to 8h",
		"session <@ana> next 2026-11-26 10:00 soon":  "is not a session length",
		"session <@ana> next 2026-11-26 10:00 1h60":  "is not a session length",
		"session <@ana> next 2026-11-26 10:00 1h75":  "is not a session length",
		"session <@ana> next 2026-11-26 10:00 1h60m": "is not a session length",
		"session <@ana> next 2026-11-26 10:00 1.5h":  "is not a session length",
		"session <@ana> next 2026-11-26 10:00 90s":   "is not a session length",
		"session <@ana> next 2026-11-26 10:00 h30":   "is not a session length",
		"session <@ana> next 2026-11-26 10:00 1h x":  "Tell me the day and the time",
		"session <@ana> next 2028-01-05 10:00":       "up to a year ahead",
		"session <@bob> next 2026-11-26 10:00":       "is not one of your clients",
	} {
		has(t, b.Command(t, coach, text), want)
	}
	b.Command(t, coach2, "coach")
	has(t, b.Command(t, coach2, "session <@ana> next 2026-11-26 10:00"), "is not one of your clients")
	has(t, b.Command(t, ana, "session <@ana> next 2026-11-26 10:00"), "is for coaches")
	if n := len(sessionsOf(t, b, e)); n != 3 {
		t.Errorf("%d sessions after refused bookings, want 3", n)
	}
}

func TestBookSessionAcrossDST(t *testing.T) {
	t.Parallel()
	b, e := twoDays(t)
	// 01:30 does not exist in London on 2027-03-28: the next valid instant.
	has(t, b.Command(t, coach, "session <@ana> next 2027-03-28 01:30"), "Sun 2027-03-28 02:00 (03:00 for Ana, Europe/Paris)",
		"(01:30 does not exist on 2027-03-28 in Europe/London: the clocks go forward)")
	ss := sessionsOf(t, b, e)
	if want := time.Date(2027, 3, 28, 1, 0, 0, 0, time.UTC); len(ss) != 1 || !ss[0].Start.Equal(want) {
		t.Fatalf("sessions = %+v, want one at %v", ss, want)
	}
	// The session's day and its brief keep the wall clock across the change.
	out := b.Command(t, coach, "session <@ana> next 2027-04-01 09:00")
	has(t, out, "Thu 2027-04-01 09:00 (10:00 for Ana", "at 08:00.")
	lacks(t, out, "does not exist")
	// A client in another day: the day is named for them too.
	b.Meet(bob)
	b.Engage(t, coach, bob)
	has(t, b.Command(t, coach, "session <@bob> next 2026-11-27 02:00"), "Fri 2026-11-27 02:00 (Thu 2026-11-26 21:00 for Bob, America/New_York)")
}

func TestCancelSession(t *testing.T) {
	t.Parallel()
	b, e := twoDays(t)
	b.Command(t, coach, "session <@ana> next 2026-11-26 15:00")
	b.Command(t, coach, "session <@ana> next 2026-12-03 10:00")
	b.Command(t, coach, "session <@ana> 2026-11-24 before the booking")
	has(t, b.Command(t, coach, "session <@ana> cancel 2026-12-03"), "Cancelled the session with Ana on Thu 2026-12-03 10:00; no brief will come for it.")
	has(t, b.Command(t, coach, "session <@ana> cancel"), "Cancelled the session with Ana on Thu 2026-11-26 15:00")
	has(t, b.Command(t, coach, "session <@ana> cancel"), "Ana has no upcoming session to cancel.")
	has(t, b.Command(t, coach, "session <@ana> cancel 2026-12-24"), "no upcoming session on 2026-12-24")
	has(t, b.Command(t, coach, "session <@ana> cancel tomorrow"), "is not a date")
	has(t, b.Command(t, coach, "session <@ana> cancel 2026-12-24 2026-12-25"), "Tell me the day")
	cancelled := 0
	for _, s := range sessionsOf(t, b, e) {
		if s.Cancelled() {
			cancelled++
			if !s.CancelledAt.Equal(b.Clock.Now()) {
				t.Errorf("cancelled at %v, want now", s.CancelledAt)
			}
		}
	}
	if cancelled != 2 {
		t.Errorf("%d cancelled sessions, want 2", cancelled)
	}
	// Their briefs never come.
	b.Clock.Set(london("2026-12-03", "11:30"))
	if sent := runDue(t, b); len(sent) != 0 {
		t.Errorf("sent %d session messages for cancelled sessions", len(sent))
	}
	if d := sessionDelivery(t, b, bot.DeliveryBrief, sessionsOf(t, b, e)[1]); d.State != bot.DeliverySkipped {
		t.Errorf("brief of a cancelled session is %s, want skipped", d.State)
	}
}

func TestCancelAllSessions(t *testing.T) {
	t.Parallel()
	b, e := twoDays(t)
	has(t, b.Command(t, coach, "session <@ana> cancel all"), "Ana has no upcoming session to cancel.")
	b.Command(t, coach, "session <@ana> 2026-11-24 logged, stays")
	b.Command(t, coach, "session <@ana> next 2026-11-26 15:00")
	b.Command(t, coach, "session <@ana> next 2026-12-03 10:00")
	has(t, b.Command(t, coach, "session <@ana> cancel ALL"),
		"Cancelled 2 sessions with Ana: Thu 2026-11-26 15:00, Thu 2026-12-03 10:00.")
	standing := 0
	for _, s := range sessionsOf(t, b, e) {
		if !s.Cancelled() {
			standing++
		}
	}
	if standing != 1 {
		t.Errorf("%d sessions stand after cancel all, want the logged one", standing)
	}
	b.Command(t, coach, "session <@ana> next 2026-12-10 10:00")
	has(t, b.Command(t, coach, "session <@ana> cancel all"), "Cancelled the session with Ana on Thu 2026-12-10 10:00.")
	b.Clock.Set(london("2026-12-10", "11:30"))
	if sent := runDue(t, b); len(sent) != 0 {
		t.Errorf("sent %d session messages for cancelled sessions", len(sent))
	}
}

func TestSessionsList(t *testing.T) {
	t.Parallel()
	b, _ := twoDays(t)
	has(t, b.Command(t, coach, "sessions"), "None yet. Book one with `session @client next YYYY-MM-DD HH:MM`")
	b.Command(t, coach, "session <@ana> 2026-11-23 pricing <@bob> and\nhiring, at length "+strings.Repeat("x", 100))
	b.Command(t, coach, "session <@ana> next 2026-11-26 15:00 45m")
	b.Command(t, coach, "session <@ana> next 2026-12-03 10:00")
	b.Command(t, coach, "session <@ana> cancel 2026-12-03")
	b.Meet(bob)
	b.Engage(t, coach, bob)
	b.Command(t, coach, "session <@bob> next 2026-11-27 16:00")
	out := b.Command(t, coach, "sessions")
	has(t, out, "*Your sessions*\n*Upcoming*\n"+
		"• Thu 2026-11-26 15:00 · Ana · 45 min · booked\n"+
		"• Fri 2026-11-27 16:00 · Bob · 60 min · booked\n"+
		"• ~Thu 2026-12-03 10:00 · Ana · 60 min · booked~ cancelled\n"+
		"*Past*\n• 2026-11-23 · Ana — pricing @bob> and…")
	lacks(t, out, "<@bob>", "hiring")
	has(t, b.Command(t, coach, "sessions <@bob>"), "*Your sessions with Bob*\n*Upcoming*\n• Fri 2026-11-27 16:00 · Bob")
	lacks(t, b.Command(t, coach, "sessions <@bob>"), "Ana", "*Past*")

	// Time passes: the session that took place is past, with its start.
	b.Clock.Set(london("2026-11-26", "17:00"))
	has(t, b.Command(t, coach, "sessions <@ana>"), "*Upcoming*\n• ~Thu 2026-12-03 10:00",
		"*Past*\n• Thu 2026-11-26 15:00 · Ana · booked\n• 2026-11-23 · Ana")

	// Bounded: the next ten, and how many more.
	for i := range 12 {
		b.Command(t, coach, fmt.Sprintf("session <@bob> next 2027-01-%02d 10:00", i+4))
	}
	has(t, b.Command(t, coach, "sessions <@bob>"), "…and 3 more")

	for _, tt := range []struct {
		by   bot.UserRef
		text string
		want string
	}{
		{ana, "sessions", "`sessions` is for coaches"},
		{coach2, "invite <@coach>", ""},
		{coach2, "sessions <@ana>", "is not one of your clients"},
		{coach, "sessions ana", `"ana" is not a mention`},
		{coach, "sessions <@ana> <@bob>", "Name one client"},
	} {
		if out := b.Command(t, tt.by, tt.text); tt.want != "" {
			has(t, out, tt.want)
		}
	}
}

func TestSessionBriefAndNotes(t *testing.T) {
	t.Parallel()
	b, e := twoDays(t)
	b.Command(t, coach, "session <@ana> 2026-11-23 the first one")
	b.Command(t, coach, "session <@ana> next 2026-11-26 15:00")
	s := sessionsOf(t, b, e)[1]

	before := len(b.Messenger.SentTo("coach"))
	b.Clock.Set(london("2026-11-26", "13:59"))
	if sent := runDue(t, b); len(sent) != 0 {
		t.Fatalf("sent %d before the brief's time", len(sent))
	}
	b.Clock.Set(london("2026-11-26", "14:00"))
	sent := runDue(t, b)
	if len(sent) != 1 || sent[0].Kind != bot.DeliveryBrief {
		t.Fatalf("sent %+v at 14:00, want the brief", sent)
	}
	brief := lastTo(t, b, "coach")
	if !strings.HasPrefix(brief.Text, "Your session with Ana is at 15:00 (in 1 hour).\n*Brief: Ana* — since your session on 2026-11-23") {
		t.Errorf("brief:\n%s", brief.Text)
	}
	has(t, []bot.Message{brief}, "*Momentum*", "*Your notes from 2026-11-23*: the first one")
	if brief.Ephemeral {
		t.Error("the automatic brief is ephemeral; it goes as a DM")
	}
	b.Clock.Set(london("2026-11-26", "15:59"))
	if sent := runDue(t, b); len(sent) != 0 {
		t.Fatalf("sent %d more before the session ended", len(sent))
	}

	b.Clock.Set(london("2026-11-26", "16:00"))
	sent = runDue(t, b)
	if len(sent) != 1 || sent[0].Kind != bot.DeliveryNotes {
		t.Fatalf("sent %+v at 16:00, want the notes question", sent)
	}
	has(t, []bot.Message{lastTo(t, b, "coach")}, "How did your session with Ana go? Reply with a line of notes for your next brief — or ignore this.")
	if n := len(b.Messenger.SentTo("coach")) - before; n != 2 {
		t.Errorf("coach got %d messages, want the brief and the question", n)
	}

	// A command is still a command; then the one reply is the notes.
	has(t, b.Say(t, coach, "clients"), "*Your clients*")
	has(t, b.Say(t, coach, "brief <@ana>"), "*Brief: Ana* — since your session on 2026-11-26")
	has(t, b.Say(t, coach, "Coach her on <@bob> hiring by March"), "Saved to your notes for Ana's next brief.")
	if got := sessionsOf(t, b, e)[1]; got.ID != s.ID || got.Notes != "Coach her on <@bob> hiring by March" {
		t.Errorf("session notes = %q", got.Notes)
	}
	has(t, b.Say(t, coach, "and one more thing"), "Nothing is waiting for an answer right now. Type `clients` for your clients at a glance")

	out := b.Command(t, coach, "brief <@ana>")
	has(t, out, "since your session on 2026-11-26", "*Your notes from 2026-11-26*: Coach her on @bob> hiring by March")
	lacks(t, out, "<@bob>")
	b.Clock.Set(london("2026-11-27", "16:00"))
	if sent := runDue(t, b); len(sent) != 0 {
		t.Errorf("sent %d again", len(sent))
	}
}

func TestSessionBriefMovedOrOff(t *testing.T) {
	t.Parallel()
	b, e := twoDays(t)
	ctx := context.Background()
	b.Command(t, coach, "session <@ana> next 2026-11-26 15:00")
	b.Command(t, coach, "session <@ana> next 2026-11-27 15:00")
	ss := sessionsOf(t, b, e)
	thu, fri := ss[0], ss[1]

	// A shorter lead moves the upcoming briefs.
	has(t, b.Command(t, coach, "settings brief 30m"), "Brief before each session: 30m before")
	if d := sessionDelivery(t, b, bot.DeliveryBrief, thu); !d.DueAt.Equal(london("2026-11-26", "14:30")) {
		t.Errorf("brief due %v after `settings brief 30m`, want 14:30", d.DueAt)
	}
	b.Clock.Set(london("2026-11-26", "14:00"))
	if sent := runDue(t, b); len(sent) != 0 {
		t.Errorf("sent %d at the old time", len(sent))
	}
	b.Clock.Set(london("2026-11-26", "14:30"))
	if sent := runDue(t, b); len(sent) != 1 || !strings.Contains(lastTo(t, b, "coach").Text, "(in 30 minutes)") {
		t.Errorf("sent %d at the new time, last %q", len(sent), lastTo(t, b, "coach").Text)
	}

	// Moved by ten minutes after its brief went out: no second brief.
	thu.Start, thu.UpdatedAt = london("2026-11-26", "15:10"), b.Clock.Now()
	if err := b.Store.UpdateSession(ctx, thu); err != nil {
		t.Fatal(err)
	}
	if err := b.Bot.PlanSessions(ctx, thu); err != nil {
		t.Fatal(err)
	}
	if d := sessionDelivery(t, b, bot.DeliveryBrief, thu); d.State != bot.DeliverySent {
		t.Errorf("brief of a session moved by minutes after it went out is %s, want sent", d.State)
	}

	// Moved by a day (as a calendar does): the brief comes at the new time only.
	fri.Start, fri.Day, fri.UpdatedAt = london("2026-11-28", "10:00"), bot.Date{Year: 2026, Month: 11, Day: 28}, b.Clock.Now()
	if err := b.Store.UpdateSession(ctx, fri); err != nil {
		t.Fatal(err)
	}
	if err := b.Bot.PlanSessions(ctx, fri); err != nil {
		t.Fatal(err)
	}
	b.Clock.Set(london("2026-11-27", "14:30"))
	if sent := briefs(runDue(t, b)); len(sent) != 0 {
		t.Errorf("sent %d briefs at the moved session's old time", len(sent))
	}
	b.Clock.Set(london("2026-11-28", "09:30"))
	if sent := briefs(runDue(t, b)); len(sent) != 1 || sent[0].Period != bot.SessionPeriod(fri.ID) {
		t.Errorf("sent %+v at the new time, want the brief", sent)
	}

	// Moved to another day after its brief went out: a brief before the new time.
	sat := london("2026-12-05", "15:00")
	thu.Start, thu.Day, thu.UpdatedAt = sat, bot.DateOf(sat), b.Clock.Now()
	if err := b.Store.UpdateSession(ctx, thu); err != nil {
		t.Fatal(err)
	}
	if err := b.Bot.PlanSessions(ctx, thu); err != nil {
		t.Fatal(err)
	}
	if d := sessionDelivery(t, b, bot.DeliveryBrief, thu); d.State != bot.DeliveryPending || !d.DueAt.Equal(sat.Add(-30*time.Minute)) {
		t.Errorf("brief of a session moved to another day: %s due %v, want pending at 14:30", d.State, d.DueAt)
	}

	// Moved while a sender holds the brief: that sender skips it.
	b.Command(t, coach, "session <@ana> next 2026-12-01 15:00")
	var tue *bot.Session
	for _, s := range sessionsOf(t, b, e) {
		if s.ID != thu.ID && s.ID != fri.ID {
			tue = s
		}
	}
	b.Clock.Set(london("2026-12-01", "14:29"))
	runDue(t, b) // all else that is due by then
	b.Clock.Set(london("2026-12-01", "14:30"))
	held, err := b.Store.ClaimDeliveries(ctx, b.Clock.Now(), time.Minute, 10)
	if err != nil || len(held) != 1 {
		t.Fatalf("claimed %d (%v), want the brief", len(held), err)
	}
	tue.Start, tue.UpdatedAt = london("2026-12-02", "15:00"), b.Clock.Now()
	if err := b.Store.UpdateSession(ctx, tue); err != nil {
		t.Fatal(err)
	}
	if err := b.Bot.PlanSessions(ctx, tue); err != nil {
		t.Fatal(err)
	}
	if _, needed, err := b.Bot.Deliver(ctx, held[0]); err != nil || needed || held[0].Period != bot.SessionPeriod(tue.ID) {
		t.Errorf("held brief of a moved session: needed %v (%v), want skipped", needed, err)
	}

	// Off: no brief and no question.
	has(t, b.Command(t, coach, "settings brief off"), "Brief before each session: off")
	b.Command(t, coach, "session <@ana> next 2026-12-08 15:00")
	b.Clock.Set(london("2026-12-08", "17:00"))
	before := len(b.Messenger.SentTo("coach"))
	runDue(t, b)
	if n := len(b.Messenger.SentTo("coach")) - before; n != 0 {
		t.Errorf("coach with the brief off got %d session messages", n)
	}
}

// briefs is the briefs among ds.
func briefs(ds []*bot.Delivery) []*bot.Delivery {
	var out []*bot.Delivery
	for _, d := range ds {
		if d.Kind == bot.DeliveryBrief {
			out = append(out, d)
		}
	}
	return out
}

func TestSettingsBriefAndEmail(t *testing.T) {
	t.Parallel()
	b, _ := twoDays(t)
	has(t, b.Command(t, coach, "settings"), "• Brief before each session: 1h before, in a DM")
	has(t, b.Command(t, coach, "settings brief 2h"), "Saved.", "Brief before each session: 2h before")
	if p := b.Person(t, coach); p.BriefLead != 2*time.Hour {
		t.Errorf("BriefLead = %v, want 2h", p.BriefLead)
	}
	has(t, b.Command(t, coach, "settings email Cora@Example.COM"), "• E-mail: cora@example.com")
	if p := b.Person(t, coach); p.Email != "cora@example.com" {
		t.Errorf("Email = %q", p.Email)
	}
	has(t, b.Command(t, ana, "settings email ana@example.fr"), "• E-mail: ana@example.fr")
	lacks(t, b.Command(t, ana, "settings"), "Brief before")
	for _, tt := range []struct {
		by   bot.UserRef
		text string
		want string
	}{
		{coach, "settings brief 1m", "from 5m to 24h"},
		{coach, "settings brief 25h", "from 5m to 24h"},
		{coach, "settings brief soon", "from 5m to 24h"},
		{coach, "settings brief", "needs a value"},
		{coach, "settings email nobody", "is not an e-mail address"},
		{coach, "settings email a@b@c", "is not an e-mail address"},
		{coach, "settings email @example.com", "is not an e-mail address"},
		{coach, "settings email " + strings.Repeat("a", bot.MaxEmailLen) + "@x.io", "is not an e-mail address"},
		{ana, "settings brief 30m", "The brief setting is for coaches"},
	} {
		has(t, b.Command(t, tt.by, tt.text), tt.want)
	}
	if p := b.Person(t, coach); p.BriefLead != 2*time.Hour || p.Email != "cora@example.com" {
		t.Errorf("refused settings changed the coach: %v %q", p.BriefLead, p.Email)
	}
}

func TestDigestNoSessionBooked(t *testing.T) {
	t.Parallel()
	b, _ := twoDays(t)
	b.Meet(bob)
	b.Engage(t, coach, bob)
	ctx := context.Background()
	week := mon23
	digest := func() string {
		parent, parts, err := b.Bot.ComposeDigest(ctx, b.Person(t, coach), week)
		if err != nil {
			t.Fatal(err)
		}
		return bottest.Text(append([]bot.Message{parent}, parts...)...)
	}
	b.Clock.Set(london("2026-11-30", "07:00"))
	if got := digest(); strings.Contains(got, "No session booked") || strings.Contains(got, "No session booked") {
		t.Errorf("a coach who never books sees %q", got)
	}
	// Ana's next session is within three weeks, Bob has none.
	b.Command(t, coach, "session <@ana> next 2026-12-14 10:00")
	got := digest()
	if !strings.Contains(got, "No session booked: Bob\n") || strings.Count(got, "_No session booked in the next 21 days._") != 1 {
		t.Errorf("digest:\n%s", got)
	}
	// Only a session within three weeks counts, and not a cancelled one.
	b.Command(t, coach, "session <@bob> next 2026-12-22 10:00")
	if got := digest(); !strings.Contains(got, "No session booked: Bob\n") {
		t.Errorf("a session four weeks ahead counted:\n%s", got)
	}
	b.Command(t, coach, "session <@bob> next 2026-12-01 10:00")
	b.Command(t, coach, "session <@ana> cancel 2026-12-14")
	if got := digest(); !strings.Contains(got, "No session booked: Ana\n") || strings.Count(got, "No session booked in the next") != 1 {
		t.Errorf("digest after cancelling Ana's:\n%s", got)
	}
	// A coach whose last booked session is more than 90 days behind is
	// not reminded every week.
	week = bot.Date{Year: 2027, Month: time.April, Day: 5}
	b.Clock.Set(london("2027-04-12", "07:00"))
	if got := digest(); strings.Contains(got, "No session booked") {
		t.Errorf("a coach who stopped booking in December still sees it in April:\n%s", got)
	}
}

func TestUndeliverableBriefTellsNobody(t *testing.T) {
	t.Parallel()
	b, e := twoDays(t)
	before := len(b.Messenger.Sent())
	for _, kind := range []bot.DeliveryKind{bot.DeliveryBrief, bot.DeliveryNotes} {
		b.Bot.Undeliverable(context.Background(), &bot.Delivery{PersonID: b.Person(t, coach).ID, EngagementID: e.ID, Kind: kind, Period: bot.SessionPeriod(1)},
			bot.Errorf(bot.EFORBIDDEN, "The person left the workspace."))
	}
	if sent := b.Messenger.Sent()[before:]; len(sent) != 0 {
		t.Errorf("an undeliverable brief was reported to %+v; the coach is the one gone", sent)
	}
}

func TestBookSessionBeforeAccepting(t *testing.T) {
	t.Parallel()
	b, _ := twoDays(t)
	b.Meet(bob)
	b.Command(t, coach, "invite <@bob>")
	has(t, b.Command(t, coach, "session <@bob> next 2026-11-26 15:00"), "Your brief arrives 1h before, at 14:00, once Bob has accepted your invitation.")
	// Not accepted by then: no brief on an empty record.
	b.Clock.Set(london("2026-11-26", "17:00"))
	if sent := runDue(t, b); len(sent) != 0 {
		t.Errorf("sent %+v for a client who never accepted", sent)
	}
}

// TestBookSessionTwice: the same booking typed again (a retry, a coach
// unsure it went through) books nothing more, so one brief comes, not two.
func TestBookSessionTwice(t *testing.T) {
	t.Parallel()
	b, e := twoDays(t)
	b.Command(t, coach, "session <@ana> next 2026-11-26 15:00")
	has(t, b.Command(t, coach, "session <@ana> next 2026-11-26 15:00 45m"), "already booked")
	if n := len(sessionsOf(t, b, e)); n != 1 {
		t.Fatalf("%d sessions after booking the same time twice, want 1", n)
	}
	// Cancelled, the same time can be booked again.
	b.Command(t, coach, "session <@ana> cancel")
	has(t, b.Command(t, coach, "session <@ana> next 2026-11-26 15:00"), "Booked a session")
	b.Clock.Set(london("2026-11-26", "14:00"))
	if n := len(briefs(runDue(t, b))); n != 1 {
		t.Errorf("%d briefs sent, want 1", n)
	}
}

// TestBriefDuringSession: a coach who opens the brief as the session
// starts gets the period before it, not an empty one "since your session"
// of a minute ago; once it ended, the brief starts from it.
func TestBriefDuringSession(t *testing.T) {
	t.Parallel()
	b, _ := twoDays(t)
	b.Command(t, coach, "session <@ana> next 2026-11-26 15:00 45m")
	b.Clock.Set(london("2026-11-26", "15:02"))
	out := b.Command(t, coach, "brief <@ana>")
	lacks(t, out, "since your session on 2026-11-26")
	b.Clock.Set(london("2026-11-26", "15:50"))
	has(t, b.Command(t, coach, "brief <@ana>"), "since your session on 2026-11-26")
}

// TestBriefOffThenOnAgain: a coach turns the brief off, its time passes,
// and they turn it on again before the session: the brief comes, late.
func TestBriefOffThenOnAgain(t *testing.T) {
	t.Parallel()
	b, e := twoDays(t)
	b.Command(t, coach, "session <@ana> next 2026-11-26 15:00")
	b.Command(t, coach, "settings brief off")
	b.Clock.Set(london("2026-11-26", "14:00"))
	runDue(t, b)
	b.Clock.Set(london("2026-11-26", "14:20"))
	b.Command(t, coach, "settings brief 1h")
	if d := sessionDelivery(t, b, bot.DeliveryBrief, sessionsOf(t, b, e)[0]); d.State != bot.DeliveryPending {
		t.Fatalf("brief is %s after `settings brief 1h` again, want pending", d.State)
	}
	if sent := briefs(runDue(t, b)); len(sent) != 1 {
		t.Errorf("sent %d briefs, want 1", len(sent))
	}
}

// TestBookSessionAcceptedLate: booked before the client accepted, whose
// acceptance comes after the brief's time but before the session: the
// brief comes then, as the booking said ("once Bob has accepted").
func TestBookSessionAcceptedLate(t *testing.T) {
	t.Parallel()
	b, _ := twoDays(t)
	b.Meet(bob)
	b.Command(t, coach, "invite <@bob>")
	b.Command(t, coach, "session <@bob> next 2026-11-26 15:00")
	b.Clock.Set(london("2026-11-26", "14:30"))
	if sent := runDue(t, b); len(sent) != 0 {
		t.Fatalf("sent %d before Bob accepted", len(sent))
	}
	b.Command(t, bob, "accept")
	b.Clock.Set(london("2026-11-26", "14:35"))
	if sent := briefs(runDue(t, b)); len(sent) != 1 {
		t.Errorf("sent %d briefs after Bob accepted, want 1", len(sent))
	}
}

// TestNotesQuestionLeavesCommands: in Teams a coach types commands as
// plain messages; `settings brief 30m` or `digest dm` while the notes
// question is open are commands, not a line of notes.
func TestNotesQuestionLeavesCommands(t *testing.T) {
	t.Parallel()
	b, e := twoDays(t)
	b.Command(t, coach, "session <@ana> next 2026-11-26 15:00")
	b.Clock.Set(london("2026-11-26", "16:00"))
	runDue(t, b)
	has(t, b.Say(t, coach, "settings brief 30m"), "Brief before each session: 30m before")
	b.Say(t, coach, "digest dm")
	has(t, b.Say(t, coach, "Settled on a hiring plan"), "Saved to your notes for Ana's next brief.")
	if got := sessionsOf(t, b, e)[0].Notes; got != "Settled on a hiring plan" {
		t.Errorf("session notes = %q", got)
	}
}

// TestSettingsBriefHoursAndMinutes: `settings brief 1h30` reads as a
// session length does ("45m, 1h or 1h30"), not as an error.
func TestSettingsBriefHoursAndMinutes(t *testing.T) {
	t.Parallel()
	b, _ := twoDays(t)
	has(t, b.Command(t, coach, "settings brief 1h30"), "Brief before each session: 1h30m before")
	has(t, b.Command(t, coach, "settings brief 1h60"), "The brief comes `off` or a time from 5m to 24h")
}

// TestNotesQuestionWaitsForAPromptUnderWay: a coach who is someone's
// client too, halfway through their own check-in when the notes question
// comes, finishes the check-in first; their next line is then the notes.
func TestNotesQuestionWaitsForAPromptUnderWay(t *testing.T) {
	t.Parallel()
	b, e := twoDays(t)
	b.Command(t, coach2, "coach")
	b.Command(t, coach2, "invite <@coach>")
	b.Command(t, coach, "accept")
	b.Command(t, coach, "session <@ana> next 2026-11-26 15:00")
	s := sessionsOf(t, b, e)[0]

	b.Clock.Set(london("2026-11-26", "15:50"))
	runDue(t, b)
	has(t, b.Command(t, coach, "checkin"), "What moved forward yesterday?")
	b.Say(t, coach, "met two candidates")
	b.Clock.Set(london("2026-11-26", "16:00"))
	if sent := runDue(t, b); len(sent) != 1 || sent[0].Kind != bot.DeliveryNotes {
		t.Fatalf("sent %+v at 16:00, want the notes question", sent)
	}
	// The check-in under way takes the next answers.
	lacks(t, b.Say(t, coach, "call three leads"), "Saved to your notes")
	b.Say(t, coach, "no")
	b.Say(t, coach, "4")
	if got := sessionsOf(t, b, e)[0]; got.ID != s.ID || got.Notes != "" {
		t.Fatalf("session notes = %q while the check-in was under way", got.Notes)
	}
	c, err := b.Store.CheckIn(context.Background(), b.Engagement(t, coach).ID, bot.Date{Year: 2026, Month: time.November, Day: 26})
	if err != nil || c.Priority != "call three leads" || c.Status != bot.AnswerComplete {
		t.Fatalf("check-in = %+v (%v), want it complete with its priority", c, err)
	}
	// Then the line is the notes.
	has(t, b.Say(t, coach, "Ana wants the offer out by Christmas"), "Saved to your notes for Ana's next brief.")
	if got := sessionsOf(t, b, e)[0]; got.Notes != "Ana wants the offer out by Christmas" {
		t.Errorf("session notes = %q", got.Notes)
	}
}

// TestBriefFromSessionInClientsDay: a session late in the coach's
// evening is the next morning for a client in Sydney; the brief after it
// starts from the client's day of it, and leaves out what they said
// before it.
func TestBriefFromSessionInClientsDay(t *testing.T) {
	t.Parallel()
	syd := bot.UserRef{ExternalID: "syd", DisplayName: "Syd", TimeZone: "Australia/Sydney"}
	b := bottest.Setup(t)
	b.Clock.Set(london("2026-11-24", "08:00"))
	b.Engage(t, coach, syd)
	checkIn := func(day, moved string) {
		t.Helper()
		b.Clock.Set(bottest.Day(day, "09:00", "Australia/Sydney"))
		d, err := bot.ParseDate(day)
		if err != nil {
			t.Fatal(err)
		}
		b.Prompt(t, syd, bot.DeliveryDaily, d)
		f := lastTo(t, b, "syd").Form
		has(t, b.Submit(t, syd, f.FormID, f.Value, map[string]string{"moved": moved, "priority": "focus", "stuck": "no", "energy": "4"}), "Saved")
	}
	checkIn("2026-11-25", "before the session")
	// Wednesday 21:30 in London is Thursday 08:30 in Sydney.
	has(t, b.Command(t, coach, "session <@syd> next 2026-11-25 21:30 30m"), "Booked a session with Syd")
	checkIn("2026-11-26", "after the session")

	b.Clock.Set(london("2026-11-26", "10:00"))
	out := b.Command(t, coach, "brief <@syd>")
	has(t, out, "since your session on 2026-11-25", "after the session")
	lacks(t, out, "before the session")
}

// TestTwinSessionsOneBrief: the same meeting booked in chat and found in
// the calendar brings one brief and one notes question, not two.
func TestTwinSessionsOneBrief(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b, e := twoDays(t)
	b.Command(t, coach, "session <@ana> next 2026-11-26 15:00")
	booked := sessionsOf(t, b, e)[0]
	now := b.Clock.Now().UTC()
	cal := &bot.Session{EngagementID: e.ID, Day: booked.Day, Start: booked.Start, Minutes: 50, Source: bot.SessionCalendar,
		UID: "weekly@test/20261126T150000Z", CreatedAt: now, UpdatedAt: now}
	if err := b.Store.CreateSession(ctx, cal); err != nil {
		t.Fatal(err)
	}
	if err := b.Bot.PlanSessions(ctx, cal); err != nil {
		t.Fatal(err)
	}
	count := map[bot.DeliveryKind]int{}
	for _, at := range []string{"14:00", "15:50", "16:00"} {
		b.Clock.Set(london("2026-11-26", at))
		for _, d := range runDue(t, b) {
			count[d.Kind]++
		}
	}
	if count[bot.DeliveryBrief] != 1 || count[bot.DeliveryNotes] != 1 {
		t.Errorf("sent %v for one meeting, want one brief and one notes question", count)
	}
}
