package bot_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/scheduler"
)

// mondayPrompt moves to Monday 09:00 in Paris and sends ana's check-in.
func mondayPrompt(t *testing.T, b *bottest.Bundle) bot.Message {
	t.Helper()
	b.Clock.Set(bottest.Day("2026-11-23", "09:00", "Europe/Paris"))
	if d := b.Prompt(t, ana, bot.DeliveryDaily, mon23); d.State != bot.DeliverySent {
		t.Fatalf("Monday's prompt was %s", d.State)
	}
	return lastTo(t, b, "ana")
}

func TestCheckInByReplies(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	prompt := mondayPrompt(t, b)
	has(t, []bot.Message{prompt}, "*Cycle 1 · day 2 of 90*", "Good morning, Ana!", "1. *Launch the pricing page*", "*1/4* What moved forward yesterday?")
	for _, id := range []string{bot.ActionAnswerCheckin, bot.ActionSkipToday, bot.ActionOff} {
		button(t, prompt, id)
	}

	has(t, b.Say(t, ana, "shipped the pricing draft"), "*2/4* Today's #1 priority?")
	c := checkIn(t, b, e, mon23)
	if c == nil || c.Moved != "shipped the pricing draft" || c.Status != bot.AnswerOpen || !c.SubmittedAt.IsZero() {
		t.Fatalf("after one answer: %+v", c)
	}
	has(t, b.Say(t, ana, "2 send the offer to Sam"), "*3/4* Anything stuck?")
	has(t, b.Say(t, ana, "legal review is slow"), "*4/4* Energy today")

	// An energy out of range is asked again, and nothing is stored for it.
	out := b.Say(t, ana, "7")
	has(t, out, "Energy is a number from 1 (drained) to 5 (great)", `"7"`, "Nothing was saved")
	if c := checkIn(t, b, e, mon23); c.Energy != 0 || c.Status != bot.AnswerOpen {
		t.Errorf("after a bad energy: energy %d, status %s", c.Energy, c.Status)
	}
	has(t, b.Say(t, ana, "abc"), "Energy is a number")

	b.Clock.Advance(10 * time.Minute)
	has(t, b.Say(t, ana, "4/5"), "Saved — thank you!", "#1 priority: send the offer to Sam (rock 2, Hire a CTO)", "Energy: 4/5")
	hire := rocksOf(t, b, e)[1]
	c = checkIn(t, b, e, mon23)
	if c.Moved != "shipped the pricing draft" || c.Priority != "send the offer to Sam" || c.PriorityRockID != hire.ID ||
		c.Stuck != "legal review is slow" || c.Energy != 4 || c.Status != bot.AnswerComplete || !c.SubmittedAt.Equal(b.Clock.Now()) {
		t.Errorf("stored check-in = %+v", c)
	}
	// Nothing is waiting any more: plain words get a pointer, commands run.
	has(t, b.Say(t, ana, "one more thing"), "Nothing is waiting for an answer right now")
	has(t, b.Say(t, ana, "rocks"), "Your rocks")
	if c2 := checkIn(t, b, e, mon23); c2.Moved != c.Moved || !c2.UpdatedAt.Equal(c.UpdatedAt) {
		t.Errorf("a later message changed the check-in: %+v", c2)
	}
}

func TestCheckInPriorityLinks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		answer       string
		wantPriority string
		wantRock     int // position; 0 = none
	}{
		{"2 send the offer", "send the offer", 2},
		{"#3: call Acme", "call Acme", 3},
		{"1", "Launch the pricing page", 1},
		{"9 things", "9 things", 0},
		{"prepare the board deck", "prepare the board deck", 0},
	}
	for _, tt := range tests {
		t.Run(tt.answer, func(t *testing.T) {
			t.Parallel()
			b, e := withRocks(t)
			mondayPrompt(t, b)
			b.Say(t, ana, "something")
			b.Say(t, ana, tt.answer)
			c := checkIn(t, b, e, mon23)
			var want int64
			if tt.wantRock > 0 {
				want = rocksOf(t, b, e)[tt.wantRock-1].ID
			}
			if c.Priority != tt.wantPriority || c.PriorityRockID != want {
				t.Errorf("priority %q rock %d, want %q rock %d", c.Priority, c.PriorityRockID, tt.wantPriority, want)
			}
		})
	}
}

func TestCheckInCommand(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	// Before any prompt, `checkin` starts today's; plain replies follow it.
	b.Clock.Set(bottest.Day("2026-11-23", "07:30", "Europe/Paris"))
	has(t, b.Command(t, ana, "checkin"), "*Cycle 1 · day 2 of 90*", "*1/4*")
	has(t, b.Say(t, ana, "early start"), "*2/4*")
	if c := checkIn(t, b, e, mon23); c == nil || c.Moved != "early start" {
		t.Fatalf("check-in = %+v", c)
	}
	// A coach or a stranger has no check-in.
	has(t, b.Command(t, coach, "checkin"), "That is for clients")
	has(t, b.Command(t, bob, "checkin"), "You are not a client yet")
}

func TestCheckInByForm(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	prompt := mondayPrompt(t, b)
	f := prompt.Form
	if f == nil || f.FormID != bot.FormCheckin {
		t.Fatalf("prompt has form %+v", f)
	}
	pilots := rocksOf(t, b, e)[2]
	vals := map[string]string{"moved": "briefed the recruiter", "priority": "call Acme", "rock": bottest.ID(pilots.ID), "stuck": "no", "energy": "3"}
	has(t, b.Submit(t, ana, f.FormID, f.Value, vals), "Saved — thank you!", "#1 priority: call Acme (rock 3, Close 3 pilots)", "Stuck: nothing")
	c := checkIn(t, b, e, mon23)
	if c.Moved != "briefed the recruiter" || c.PriorityRockID != pilots.ID || c.Energy != 3 || c.Status != bot.AnswerComplete {
		t.Fatalf("stored = %+v", c)
	}
	submitted := c.SubmittedAt

	// Editing: `checkin` shows the answers in a pre-filled form; saving
	// again replaces the row.
	b.Clock.Advance(time.Hour)
	out := b.Command(t, ana, "checkin")
	has(t, out, "You already answered today's check-in", "briefed the recruiter")
	ef := out[0].Form
	if ef == nil || ef.Fields[0].Initial != "briefed the recruiter" || ef.Value != f.Value {
		t.Fatalf("edit form = %+v", ef)
	}
	vals["moved"], vals["energy"], vals["rock"] = "briefed the recruiter and Sam", "5", "0"
	has(t, b.Submit(t, ana, ef.FormID, ef.Value, vals), "Updated your check-in")
	all, err := b.Store.CheckIns(t.Context(), e.ID, mon23, mon23)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 {
		t.Fatalf("%d check-ins for Monday, want 1", len(all))
	}
	if c := all[0]; c.Moved != "briefed the recruiter and Sam" || c.Energy != 5 || c.PriorityRockID != 0 || !c.SubmittedAt.Equal(submitted) {
		t.Errorf("after edit = %+v (submitted %s, want %s)", c, c.SubmittedAt, submitted)
	}
}

func TestCheckInFormRefused(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 2001)
	good := func() map[string]string {
		return map[string]string{"moved": "m", "priority": "p", "rock": "0", "stuck": "", "energy": "3"}
	}
	tests := []struct {
		name string
		edit func(v map[string]string)
		want string
	}{
		{"no moved", func(v map[string]string) { v["moved"] = " " }, "Please say what moved forward"},
		{"no priority", func(v map[string]string) { v["priority"] = "" }, "Please say what moved forward"},
		{"energy out of range", func(v map[string]string) { v["energy"] = "9" }, "Energy is a number from 1"},
		{"energy missing", func(v map[string]string) { v["energy"] = "" }, "Energy is a number from 1"},
		{"someone else's rock", func(v map[string]string) { v["rock"] = "99999" }, "That rock is not one of yours"},
		{"too long", func(v map[string]string) { v["stuck"] = long }, "is 2001 characters; the limit is 2000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, e := withRocks(t)
			f := mondayPrompt(t, b).Form
			v := good()
			tt.edit(v)
			out := b.Submit(t, ana, f.FormID, f.Value, v)
			has(t, out, tt.want)
			lacks(t, out, "Saved")
			if c := checkIn(t, b, e, mon23); c != nil {
				t.Errorf("stored %+v", c)
			}
		})
	}
	t.Run("another person", func(t *testing.T) {
		t.Parallel()
		b, e := withRocks(t)
		f := mondayPrompt(t, b).Form
		has(t, b.Submit(t, coach, f.FormID, f.Value, good()), "Only the client can answer")
		has(t, b.Submit(t, ana, f.FormID, "weekly:1:2026-11-23", good()), "That form is out of date")
		if c := checkIn(t, b, e, mon23); c != nil {
			t.Errorf("stored %+v", c)
		}
	})
}

func TestCheckInTooLongReply(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	mondayPrompt(t, b)
	out := b.Say(t, ana, strings.Repeat("a", 2001))
	has(t, out, "is 2001 characters; the limit is 2000", "nothing was saved")
	if c := checkIn(t, b, e, mon23); c != nil {
		t.Fatalf("stored %+v", c)
	}
	// The same question is still waiting.
	has(t, b.Say(t, ana, strings.Repeat("a", 2000)), "*2/4*")
	if c := checkIn(t, b, e, mon23); c == nil || len(c.Moved) != 2000 {
		t.Errorf("a 2000-character answer was not stored")
	}
}

func TestSkipAndOff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		action string
		want   string
		status bot.AnswerStatus
	}{
		{bot.ActionSkipToday, "Skipped 2026-11-23", bot.AnswerSkipped},
		{bot.ActionOff, "Enjoy your day off", bot.AnswerOff},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			t.Parallel()
			b, e := withRocks(t)
			prompt := mondayPrompt(t, b)
			b.Say(t, ana, "half an answer")
			has(t, b.Click(t, ana, tt.action, button(t, prompt, tt.action).Value), tt.want)
			c := checkIn(t, b, e, mon23)
			if c == nil || c.Status != tt.status || c.SubmittedAt.IsZero() {
				t.Fatalf("stored %+v", c)
			}
			// The conversation is over, and the reminder is not needed.
			has(t, b.Say(t, ana, "shipped it"), "Nothing is waiting")
			b.Clock.Advance(2 * time.Hour)
			if d := b.Prompt(t, ana, bot.DeliveryReminder, mon23); d.State != bot.DeliverySkipped {
				t.Errorf("reminder after %s was %s", tt.action, d.State)
			}
			if c := checkIn(t, b, e, mon23); c.Status != tt.status {
				t.Errorf("status became %s", c.Status)
			}
		})
	}
	t.Run("then answering anyway", func(t *testing.T) {
		t.Parallel()
		b, e := withRocks(t)
		prompt := mondayPrompt(t, b)
		b.Say(t, ana, "shipped the draft")
		b.Click(t, ana, bot.ActionSkipToday, button(t, prompt, bot.ActionSkipToday).Value)
		has(t, b.Command(t, ana, "checkin"), "*2/4* Today's #1 priority?")
		if c := checkIn(t, b, e, mon23); c.Status != bot.AnswerOpen || !c.SubmittedAt.IsZero() || c.Moved != "shipped the draft" {
			t.Fatalf("reopened check-in: %+v", c)
		}
		for _, a := range []string{"1 review the copy", "no", "3"} {
			b.Say(t, ana, a)
		}
		if c := checkIn(t, b, e, mon23); c.Status != bot.AnswerComplete || c.Energy != 3 {
			t.Errorf("answered after reopening: %+v", c)
		}
	})
	t.Run("after answering", func(t *testing.T) {
		t.Parallel()
		b, e := withRocks(t)
		prompt := mondayPrompt(t, b)
		for _, a := range []string{"a", "b", "c", "4"} {
			b.Say(t, ana, a)
		}
		has(t, b.Click(t, ana, bot.ActionSkipToday, button(t, prompt, bot.ActionSkipToday).Value), "You already answered the check-in for 2026-11-23")
		if c := checkIn(t, b, e, mon23); c.Status != bot.AnswerComplete {
			t.Errorf("status %s, want complete", c.Status)
		}
	})
}

func TestReminderAndPrompts(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	mondayPrompt(t, b)
	b.Clock.Advance(2 * time.Hour)
	if d := b.Prompt(t, ana, bot.DeliveryReminder, mon23); d.State != bot.DeliverySent {
		t.Fatalf("reminder %s", d.State)
	}
	has(t, []bot.Message{lastTo(t, b, "ana")}, "A gentle reminder", "*1/4*")
	has(t, b.Say(t, ana, "late but here"), "*2/4*")

	// A paused day gets no prompt.
	b.Command(t, ana, "pause 2026-11-24 2026-11-24")
	b.Clock.Set(bottest.Day("2026-11-24", "09:00", "Europe/Paris"))
	n := len(b.Messenger.SentTo("ana"))
	if d := b.Prompt(t, ana, bot.DeliveryDaily, tue24); d.State != bot.DeliverySkipped {
		t.Errorf("paused day's prompt was %s", d.State)
	}
	if len(b.Messenger.SentTo("ana")) != n {
		t.Error("a message was sent on a paused day")
	}
	if c := checkIn(t, b, e, tue24); c != nil {
		t.Errorf("paused day has a check-in %+v", c)
	}
}

// TestLateAnswer drives the real scheduler with the fake clock: yesterday's
// prompt takes plain replies until the next one arrives, then replies go to
// the new one and yesterday's form is closed, except for edits.
func TestLateAnswer(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	s, err := scheduler.New(scheduler.Config{Store: b.Store, Deliverer: b.Bot, Clock: b.Clock})
	if err != nil {
		t.Fatal(err)
	}
	tick := func(at time.Time) {
		t.Helper()
		b.Clock.Set(at)
		if err := s.Tick(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	before := len(b.Messenger.SentTo("ana")) // the invitation
	tick(bottest.Day("2026-11-23", "09:00", "Europe/Paris"))
	monday := lastTo(t, b, "ana")
	has(t, []bot.Message{monday}, "Cycle 1 · day 2 of 90", "2026-11-23")
	tick(bottest.Day("2026-11-23", "11:00", "Europe/Paris")) // the one reminder
	tick(bottest.Day("2026-11-23", "15:00", "Europe/Paris")) // never two
	if n := len(b.Messenger.SentTo("ana")) - before; n != 2 {
		t.Errorf("%d prompts on Monday, want the check-in and one reminder", n)
	}

	// Tuesday before 09:00: replies still go to Monday's check-in.
	tick(bottest.Day("2026-11-24", "08:00", "Europe/Paris"))
	has(t, b.Say(t, ana, "Monday: shipped the draft"), "*2/4*")
	if c := checkIn(t, b, e, mon23); c == nil || c.Moved != "Monday: shipped the draft" {
		t.Fatalf("Monday = %+v", c)
	}

	// Tuesday's prompt arrives: replies go to it, Monday's stays as it was.
	tick(bottest.Day("2026-11-24", "09:00", "Europe/Paris"))
	has(t, []bot.Message{lastTo(t, b, "ana")}, "Cycle 1 · day 3 of 90", "2026-11-24")
	has(t, b.Say(t, ana, "Tuesday: called Sam"), "*2/4*")
	if c := checkIn(t, b, e, tue24); c == nil || c.Moved != "Tuesday: called Sam" {
		t.Fatalf("Tuesday = %+v", c)
	}
	if c := checkIn(t, b, e, mon23); c.Priority != "" || c.Status != bot.AnswerOpen {
		t.Errorf("Monday changed: %+v", c)
	}

	// Monday's form is closed now.
	vals := map[string]string{"moved": "m", "priority": "p", "energy": "3"}
	has(t, b.Submit(t, ana, monday.Form.FormID, monday.Form.Value, vals), "The check-in for 2026-11-23 closed when the next one arrived")
	if c := checkIn(t, b, e, mon23); c.Status != bot.AnswerOpen || c.Moved != "Monday: shipped the draft" {
		t.Errorf("closed Monday changed: %+v", c)
	}
	has(t, b.Click(t, ana, bot.ActionSkipToday, button(t, monday, bot.ActionSkipToday).Value), "closed when the next one arrived")
}

func TestLateEditAllowed(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	monday := mondayPrompt(t, b)
	vals := map[string]string{"moved": "m", "priority": "p", "energy": "3"}
	has(t, b.Submit(t, ana, monday.Form.FormID, monday.Form.Value, vals), "Saved")

	b.Clock.Set(bottest.Day("2026-11-24", "09:00", "Europe/Paris"))
	b.Prompt(t, ana, bot.DeliveryDaily, tue24)
	vals["moved"] = "m, and more"
	has(t, b.Submit(t, ana, monday.Form.FormID, monday.Form.Value, vals), "Updated your check-in")
	if c := checkIn(t, b, e, mon23); c.Moved != "m, and more" {
		t.Errorf("Monday = %+v", c)
	}
	if c := checkIn(t, b, e, tue24); c != nil {
		t.Errorf("the edit went to Tuesday: %+v", c)
	}
}

// TestPromptSendFails: a prompt the platform did not take is not waiting
// for answers, and retrying it later works.
func TestPromptSendFails(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	b.Clock.Set(bottest.Day("2026-11-23", "09:00", "Europe/Paris"))
	b.Messenger.Fail("ana", errors.New("connection reset"))
	d := &bot.Delivery{PersonID: b.Person(t, ana).ID, EngagementID: e.ID, Kind: bot.DeliveryDaily, Period: mon23.String(),
		DueAt: b.Clock.Now(), State: bot.DeliveryPending}
	if _, err := b.Store.CreateDelivery(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	ref, needed, err := b.Bot.Deliver(t.Context(), d)
	if err == nil || !needed || ref != "" || bot.ErrorCode(err) != bot.EINTERNAL {
		t.Fatalf("Deliver = %q, %v, %v; want a transient error", ref, needed, err)
	}
	has(t, b.Say(t, ana, "shipped it"), "Nothing is waiting")
	if c := checkIn(t, b, e, mon23); c != nil {
		t.Errorf("stored %+v", c)
	}

	b.Messenger.Fail("ana", nil)
	if ref, needed, err = b.Bot.Deliver(t.Context(), d); err != nil || !needed || ref == "" {
		t.Fatalf("retry = %q, %v, %v", ref, needed, err)
	}
}

// TestCraftedDayRefused: a form or button whose value names a day no
// prompt can have been for files nothing, on any day.
func TestCraftedDayRefused(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	mondayPrompt(t, b)
	vals := map[string]string{"moved": "m", "priority": "p", "energy": "3"}
	for _, day := range []string{"0001-01-01", "2026-11-01", "2026-11-25", "9999-12-31"} {
		value := "daily:" + bottest.ID(e.ID) + ":" + day
		has(t, b.Submit(t, ana, bot.FormCheckin, value, vals), "That form is for "+day+", which no prompt of yours was for")
		has(t, b.Click(t, ana, bot.ActionSkipToday, value), "That form is for "+day)
	}
	has(t, b.Submit(t, ana, bot.FormWeekly, "weekly:"+bottest.ID(e.ID)+":2026-11-30", map[string]string{"win": "w"}),
		"That form is for 2026-11-30")
	ins, err := b.Store.CheckIns(t.Context(), e.ID, bot.Date{Year: 1, Month: 1, Day: 1}, bot.Date{Year: 9999, Month: 12, Day: 31})
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 0 {
		t.Fatalf("%d check-ins stored from crafted days, want none: %+v", len(ins), ins[0])
	}
	// Tomorrow is fine: a check-in answered the evening before.
	has(t, b.Submit(t, ana, bot.FormCheckin, "daily:"+bottest.ID(e.ID)+":2026-11-24", vals), "Saved")
}

// TestCheckinOnTheWeekendOpensFriday: on a day without a check-in,
// `checkin` and Friday's Answer button open Friday's, not the weekend day.
func TestCheckinOnTheWeekendOpensFriday(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	fri := bot.Date{Year: 2026, Month: 11, Day: 27}
	b.Clock.Set(bottest.Day("2026-11-27", "09:00", "Europe/Paris"))
	b.Prompt(t, ana, bot.DeliveryDaily, fri)
	prompt := lastTo(t, b, "ana")

	b.Clock.Set(bottest.Day("2026-11-28", "10:00", "Europe/Paris"))
	has(t, b.Command(t, ana, "checkin"), "· Friday 2026-11-27", "*1/4* What moved forward yesterday?")
	has(t, b.Say(t, ana, "closed the Acme deal"), "*2/4*")
	if c := checkIn(t, b, e, fri); c == nil || c.Moved != "closed the Acme deal" {
		t.Fatalf("Friday's check-in = %+v, want the answer filed there", c)
	}
	if c := checkIn(t, b, e, fri.AddDays(1)); c != nil {
		t.Errorf("a check-in was filed under Saturday: %+v", c)
	}

	// Friday's Answer button still opens Friday, even on Monday.
	b.Clock.Set(bottest.Day("2026-11-30", "08:00", "Europe/Paris"))
	answer := button(t, prompt, bot.ActionAnswerCheckin)
	has(t, b.Click(t, ana, bot.ActionAnswerCheckin, answer.Value), "· Friday 2026-11-27")

	// With Friday answered, Sunday's `checkin` has nothing older to offer.
	for _, a := range []string{"1 call Acme", "no", "4"} {
		b.Say(t, ana, a)
	}
	b.Clock.Set(bottest.Day("2026-11-29", "10:00", "Europe/Paris"))
	has(t, b.Command(t, ana, "checkin"), "· Sunday 2026-11-29")
}

// TestCheckinTheEveningBefore: after 17:00, with today's check-in done,
// `checkin` answers the next workday's, whose prompt is then not sent.
func TestCheckinTheEveningBefore(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	mondayPrompt(t, b)
	for _, a := range []string{"shipped", "1 copy", "no", "4"} {
		b.Say(t, ana, a)
	}
	// Before 17:00 it is still Monday's (answered: shown for editing).
	b.Clock.Set(bottest.Day("2026-11-23", "16:59", "Europe/Paris"))
	has(t, b.Command(t, ana, "checkin"), "You already answered today's check-in")

	b.Clock.Set(bottest.Day("2026-11-23", "18:30", "Europe/Paris"))
	has(t, b.Command(t, ana, "checkin"), "· Tuesday 2026-11-24", "*1/4*")
	for _, a := range []string{"planned tomorrow", "2 call the recruiter", "no", "5"} {
		b.Say(t, ana, a)
	}
	if c := checkIn(t, b, e, tue24); c == nil || c.Status != bot.AnswerComplete || c.Moved != "planned tomorrow" {
		t.Fatalf("Tuesday's check-in = %+v, want it answered the evening before", c)
	}
	b.Clock.Set(bottest.Day("2026-11-24", "09:00", "Europe/Paris"))
	if d := b.Prompt(t, ana, bot.DeliveryDaily, tue24); d.State != bot.DeliverySkipped {
		t.Errorf("Tuesday's prompt was %s, want skipped: it was answered the evening before", d.State)
	}

	// Friday evening answers Monday's; a form for Tuesday after is refused.
	fri := bot.Date{Year: 2026, Month: 11, Day: 27}
	b.Clock.Set(bottest.Day("2026-11-27", "18:00", "Europe/Paris"))
	c := &bot.CheckIn{EngagementID: e.ID, Day: fri, Status: bot.AnswerSkipped, UpdatedAt: b.Clock.Now()}
	if err := b.Store.SaveCheckIn(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	has(t, b.Command(t, ana, "checkin"), "· Monday 2026-11-30")
	vals := map[string]string{"moved": "m", "priority": "p", "energy": "3"}
	has(t, b.Submit(t, ana, bot.FormCheckin, "daily:"+bottest.ID(e.ID)+":2026-12-01", vals), "That form is for 2026-12-01")
}

func TestCheckinNamesADay(t *testing.T) {
	t.Parallel()
	b, _ := withRocks(t)
	b.Clock.Set(bottest.Day("2026-11-25", "10:00", "Europe/Paris"))
	has(t, b.Command(t, ana, "checkin mon"), "· Monday 2026-11-23")
	has(t, b.Command(t, ana, "checkin 2026-11-24"), "· Tuesday 2026-11-24")
	has(t, b.Command(t, ana, "checkin thu"), "· Thursday 2026-11-26") // the next workday
	has(t, b.Command(t, ana, "checkin 2026-11-28"), "You can answer or change a check-in of this week or last week")
	has(t, b.Command(t, ana, "checkin 2026-11-01"), "You can answer or change a check-in of this week or last week, from 2026-11-22")
	has(t, b.Command(t, ana, "checkin someday"), `I could not read "someday" as a day`)
}

// TestCheckinEveningPerPerson: the evening from which `checkin` answers
// the next workday is each person's (`settings evening`).
func TestCheckinEveningPerPerson(t *testing.T) {
	t.Parallel()
	tests := []struct {
		setting string // "" keeps the default
		at      string // Monday, Paris
		want    string
	}{
		{"", "16:59", "You already answered today's check-in"},
		{"", "17:00", "· Tuesday 2026-11-24"},
		{"evening 18:30", "17:30", "You already answered today's check-in"},
		{"evening 18:30", "18:29", "You already answered today's check-in"},
		{"evening 18:30", "18:30", "· Tuesday 2026-11-24"},
		{"evening 18:30", "23:00", "· Tuesday 2026-11-24"},
		{"evening 12:00", "12:00", "· Tuesday 2026-11-24"},
		{"evening off", "17:30", "You already answered today's check-in"},
		{"evening off", "23:59", "You already answered today's check-in"},
	}
	for _, tt := range tests {
		t.Run(tt.setting+" at "+tt.at, func(t *testing.T) {
			t.Parallel()
			b, _ := withRocks(t)
			if tt.setting != "" {
				has(t, b.Command(t, ana, "settings "+tt.setting), "Saved.")
			}
			mondayPrompt(t, b)
			for _, a := range []string{"shipped", "1 copy", "no", "4"} {
				b.Say(t, ana, a)
			}
			b.Clock.Set(bottest.Day("2026-11-23", tt.at, "Europe/Paris"))
			has(t, b.Command(t, ana, "checkin"), tt.want)
		})
	}
}
