package bot_test

import (
	"cmp"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// seed stores complete check-ins for the given days, as if answered at 10:00 UTC.
func seed(t *testing.T, b *bottest.Bundle, e *bot.Engagement, stuck string, days ...bot.Date) {
	t.Helper()
	for _, d := range days {
		at := d.UTC().Add(10 * time.Hour)
		c := &bot.CheckIn{EngagementID: e.ID, Day: d, Moved: "moved " + d.String(), Priority: "p", Stuck: stuck, Energy: 4,
			Status: bot.AnswerComplete, SubmittedAt: at, UpdatedAt: at}
		if err := b.Store.SaveCheckIn(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
}

// days returns the n days from d on.
func days(d bot.Date, n int) []bot.Date {
	var out []bot.Date
	for i := range n {
		out = append(out, d.AddDays(i))
	}
	return out
}

func TestSendDigest(t *testing.T) {
	t.Parallel()
	b, anaE := withRocks(t)
	b.Engage(t, coach, bob)
	b.Command(t, coach, "digest <#C42>")

	// Ana answers every day of the week and writes her report; Bob is silent.
	seed(t, b, anaE, "legal review", days(mon23, 5)...)
	b.Clock.Set(bottest.Day("2026-11-24", "12:00", "Europe/Paris"))
	b.Command(t, ana, "rocks set 2 off-track 10% | no candidates")
	fridayPrompt(t, b)
	for _, a := range []string{"on track 40", "off track 10 still no candidates", "on track 33", "first pilot signed", "the CTO search", "candidate sources"} {
		b.Say(t, ana, a)
	}

	b.Clock.Set(bottest.Day("2026-11-30", "07:00", "Europe/London"))
	sentBefore := len(b.Messenger.Sent())
	me := b.Person(t, coach)
	ref, err := b.Bot.SendDigest(context.Background(), me, mon23)
	if err != nil {
		t.Fatal(err)
	}
	sent := b.Messenger.Sent()[sentBefore:]
	if len(sent) != 3 {
		t.Fatalf("digest sent %d messages, want a parent and 2 thread replies", len(sent))
	}
	parent := sent[0]
	if parent.Ref != ref || parent.To.Channel != "C42" || parent.To.UserID != "" || parent.To.ThreadRef != "" {
		t.Errorf("parent %s to %+v, returned ref %s", parent.Ref, parent.To, ref)
	}
	has(t, []bot.Message{parent.Msg}, "*Weekly digest · week of 2026-11-23* for <@coach>", "2 clients · 1 reported · silent: Bob",
		"Rocks off track: 1 (Ana: Hire a CTO)", "⚠️ At risk: Bob (silent for 4 check-ins in a row, Mon 23 Nov to Fri 27 Nov)", "One reply per client")
	for _, s := range sent[1:] {
		if s.To.Channel != "C42" || s.To.ThreadRef != ref {
			t.Errorf("thread reply to %+v, want channel C42 in thread %s", s.To, ref)
		}
	}
	anaPart, bobPart := []bot.Message{sent[1].Msg}, []bot.Message{sent[2].Msg}
	has(t, anaPart, "*Ana* · check-ins 5/5 (100%) · streak 5 · energy 4.0",
		"2. Hire a CTO — off track · 10% (was on track · 0%)\n    – Tue 24 Nov: no candidates\n    – Fri 27 Nov: still no candidates",
		"*Win*: first pilot signed", "*For you*: candidate sources",
		// The same blocker every day is said once, with its days.
		"*Stuck*\n• legal review — 5 days since Mon 23 Nov (last Fri 27 Nov)\n• the CTO search — Fri 27 Nov",
		"*What moved*\nNot linked to a rock\n• Mon 23 Nov: moved 2026-11-23", "*#1 priorities*\n• Mon 23 Nov: p")
	lacks(t, anaPart, "At risk", "No weekly report")
	// Bob is in New York: Thursday is Thanksgiving, no check-in day.
	has(t, bobPart, "*Bob* · check-ins 0/4 (0%) · streak 0", "_No weekly report this week._", "⚠️ *At risk*: silent for 4 check-ins in a row, Mon 23 Nov to Fri 27 Nov")

	d, err := b.Store.LatestDigest(context.Background(), me.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The stored summary keeps the figures, never a client's name or words.
	const summary = "2 clients · 1 reported · 1 silent · 0 without prompts · 1 rock off track · 1 at risk"
	if d.Week != mon23 || d.ParentRef != ref || d.Channel != "C42" || d.Summary != summary || !d.PostedAt.Equal(b.Clock.Now()) {
		t.Errorf("stored digest = %+v, want the summary %q", d, summary)
	}
}

func TestDigestToDM(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	seed(t, b, e, "no", days(mon23, 2)...)
	b.Clock.Set(bottest.Day("2026-11-30", "07:00", "Europe/London"))
	d := b.Prompt(t, coach, bot.DeliveryDigest, mon23)
	if d.State != bot.DeliverySent {
		t.Fatalf("digest delivery %s", d.State)
	}
	sent := b.Messenger.SentTo("coach")
	parent, reply := sent[len(sent)-2], sent[len(sent)-1]
	if parent.Ref != d.MessageRef || reply.To.ThreadRef != parent.Ref || reply.To.UserID != "coach" {
		t.Errorf("parent %s (delivery ref %s), reply in thread %q to %q", parent.Ref, d.MessageRef, reply.To.ThreadRef, reply.To.UserID)
	}
	has(t, []bot.Message{parent.Msg}, "1 client · 1 reported", "Rocks off track: none", "⚠️ At risk: Ana (silent for 3 check-ins in a row, Wed 25 Nov to Fri 27 Nov)")
	has(t, []bot.Message{reply.Msg}, "check-ins 2/5 (40%) · streak 0")
	if got, err := b.Store.LatestDigest(context.Background(), b.Person(t, coach).ID); err != nil || got.ParentRef != parent.Ref || got.Channel != "" {
		t.Errorf("stored digest = %+v (%v)", got, err)
	}
}

// TestAtRisk applies DESIGN's at-risk rules to the week of 2026-11-30, as
// of the digest on Monday 2026-12-07 07:00 in London (unless a case says
// another week or moment). A rule fires only on enough evidence; the
// cases named "not:" are alarms a coach once got and should not have.
func TestAtRisk(t *testing.T) {
	t.Parallel()
	prev, this := days(mon23, 5), days(mon30, 5)
	at := func(date, clock string) time.Time { return bottest.Day(date, clock, "Europe/Paris") }
	type rockSet struct {
		at   time.Time
		text string
	}
	tests := []struct {
		name     string
		pause    string // ana's `pause` arguments, set on 2026-11-22
		answered []bot.Date
		rocks    []rockSet
		week     bot.Date  // the digest's week; mon30 when zero
		now      time.Time // when it is composed; 2026-12-07 07:00 London when zero
		want     []string  // reasons; none = not at risk
	}{
		{name: "steady", answered: append(prev, this...)},
		{
			name:     "silent three workdays",
			answered: []bot.Date{prev[0], prev[1], this[0], this[1]},
			want:     []string{"silent for 3 check-ins in a row, Wed 2 Dec to Fri 4 Dec"},
		},
		{
			name:     "silent two workdays",
			answered: []bot.Date{prev[0], prev[1], prev[2], this[0], this[1], this[2]},
		},
		{
			name:     "silent across the weekend",
			answered: append(prev[:4:4], this[2], this[3], this[4]),
		},
		{
			name:     "falling by 40 points",
			answered: append(prev[:5:5], this[0], this[1], this[3]),
			want:     []string{"check-ins falling: 3 of 5 answered this week, 5 of 5 the week before"},
		},
		{
			name:     "falling by 20 points",
			answered: append(prev[:5:5], this[0], this[1], this[2], this[3]),
		},
		{
			name:     "off track at both checkpoints",
			answered: append(prev, this...),
			rocks:    []rockSet{{at("2026-11-26", "12:00"), "rocks set 2 off-track 10%"}},
			want:     []string{"rock 2 off track two weeks running, since Thu 26 Nov"},
		},
		{
			name:     "off track since Sunday night",
			answered: append(prev, this...),
			rocks:    []rockSet{{at("2026-11-29", "22:00"), "rocks set 3 off-track"}},
			want:     []string{"rock 3 off track two weeks running, since Sun 29 Nov"},
		},
		{
			name:     "off track this week only",
			answered: append(prev, this...),
			rocks:    []rockSet{{at("2026-12-02", "12:00"), "rocks set 2 off-track 10%"}},
		},
		{
			name:     "off track, then back on track",
			answered: append(prev, this...),
			rocks: []rockSet{
				{at("2026-11-24", "12:00"), "rocks set 2 off-track 10%"},
				{at("2026-12-03", "12:00"), "rocks set 2 on-track 30%"},
			},
		},
		{
			name:     "off track after the week",
			answered: append(prev, this...),
			rocks: []rockSet{
				{at("2026-11-24", "12:00"), "rocks set 2 off-track 10%"},
				{at("2026-12-03", "12:00"), "rocks set 2 on-track 30%"},
				{at("2026-12-07", "06:00"), "rocks set 2 off-track"},
			},
		},
		{
			// Back from holiday on Monday morning: one check-in due this
			// week, two answered the week before the holiday.
			name:     "not: falling after a holiday, on Monday morning",
			pause:    "2026-12-02 2026-12-04",
			answered: []bot.Date{this[0], this[1]},
			week:     mon30.AddDays(7),
			now:      at("2026-12-07", "10:00"),
		},
		{
			name:     "not: falling two days into the week",
			answered: prev,
			now:      at("2026-12-02", "08:00"),
		},
		{
			name:     "not: falling against a week mostly on holiday",
			pause:    "2026-11-23 2026-11-26",
			answered: []bot.Date{prev[4], this[0]},
			want:     []string{"silent for 4 check-ins in a row, Tue 1 Dec to Fri 4 Dec"},
		},
		{
			name:     "falling on three check-ins, a pause excluded",
			pause:    "2026-12-03 2026-12-04",
			answered: append(prev[:5:5], this[0]),
			want:     []string{"check-ins falling: 1 of 3 answered this week, 5 of 5 the week before"},
		},
		{
			// The digest looks back four weeks: it says so rather than
			// count from the engagement's first day.
			name:     "silent for longer than the digest looks back",
			answered: prev,
			week:     mon30.AddDays(28),
			now:      bottest.Day("2027-01-04", "07:00", "Europe/London"),
			want:     []string{"silent for all 23 check-ins due since Mon 30 Nov"}, // not on Christmas Day or New Year's Day (Paris)
		},
		{
			// Off track for longer than the digest reads back: the
			// history read from its window still knows since when.
			name:     "off track for five weeks",
			answered: append(days(mon30.AddDays(21), 5), days(mon30.AddDays(28), 5)...),
			rocks: []rockSet{
				{at("2026-11-23", "12:00"), "rocks set 1 off-track 10%"},
				{at("2026-11-25", "12:00"), "rocks set 1 off-track 15%"},
				{at("2026-12-29", "12:00"), "rocks set 1 off-track 20%"},
			},
			week: mon30.AddDays(28),
			now:  bottest.Day("2027-01-04", "07:00", "Europe/London"),
			want: []string{"rock 1 off track two weeks running, since Mon 23 Nov"},
		},
		{
			name:     "every rule",
			answered: prev,
			rocks:    []rockSet{{at("2026-11-23", "12:00"), "rocks set 1 off-track"}},
			want: []string{"check-ins falling: 0 of 5 answered this week, 5 of 5 the week before",
				"silent for 5 check-ins in a row, Mon 30 Nov to Fri 4 Dec", "rock 1 off track two weeks running, since Mon 23 Nov"},
		},
	}
	reasons := []string{"check-ins falling", "silent for", "off track two weeks running"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Without charts the digest reads less history: the
			// rules must not notice.
			b, e := withRocksOn(t, bottest.Options{NoCharts: true})
			if tt.pause != "" {
				b.Clock.Set(at("2026-11-22", "19:00"))
				has(t, b.Command(t, ana, "pause "+tt.pause), "Paused from")
			}
			for _, r := range tt.rocks {
				b.Clock.Set(r.at)
				has(t, b.Command(t, ana, r.text), "Rock ")
			}
			seed(t, b, e, "no", tt.answered...)
			b.Clock.Set(cmp.Or(tt.now, bottest.Day("2026-12-07", "07:00", "Europe/London")))
			parent, parts, err := b.Bot.ComposeDigest(context.Background(), b.Person(t, coach), cmp.Or(tt.week, mon30))
			if err != nil {
				t.Fatal(err)
			}
			if len(parts) != 1 {
				t.Fatalf("%d client parts, want 1", len(parts))
			}
			text := parts[0].Text
			if len(tt.want) == 0 {
				lacks(t, parts, "At risk")
				has(t, []bot.Message{parent}, "At risk: nobody")
				return
			}
			has(t, parts, "⚠️ *At risk*: "+strings.Join(tt.want, "; "))
			has(t, []bot.Message{parent}, "⚠️ At risk: Ana ("+strings.Join(tt.want, "; ")+")")
			for _, r := range reasons {
				if strings.Contains(text, r) != strings.Contains(strings.Join(tt.want, ";"), r) {
					t.Errorf("reason %q: got %q", r, text)
				}
			}
		})
	}
}

func TestDigestRockChanges(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	seed(t, b, e, "no", days(mon23, 5)...)
	b.Clock.Set(bottest.Day("2026-11-25", "12:00", "Europe/Paris"))
	b.Command(t, ana, "rocks set 1 on-track 40%")
	b.Command(t, ana, "rocks set 3 done")
	b.Clock.Set(bottest.Day("2026-12-01", "12:00", "Europe/Paris"))
	b.Command(t, ana, "rocks set 2 off-track 5%")
	b.Command(t, ana, "rocks add Raise the seed round")

	b.Clock.Set(bottest.Day("2026-12-07", "07:00", "Europe/London"))
	_, parts, err := b.Bot.ComposeDigest(context.Background(), b.Person(t, coach), mon30)
	if err != nil {
		t.Fatal(err)
	}
	has(t, parts, "1. Launch the pricing page — on track · 40% (no change)", "2. Hire a CTO — off track · 5% (was on track · 0%)",
		"4. Raise the seed round — on track · 0% (new)", "check-ins 0/5 (0%)", "_No weekly report this week._")
	lacks(t, parts, "Close 3 pilots") // done before the week: nothing to say
}

// TestDigestShowsPauses: a coach reads a client's holiday in the digest
// and the brief, instead of guessing at silence.
func TestDigestShowsPauses(t *testing.T) {
	t.Parallel()
	b, anaE := withRocks(t)
	b.Engage(t, coach, bob)
	b.Command(t, coach, "digest <#C42>")
	seed(t, b, anaE, "no", days(mon23, 5)...)
	b.Clock.Set(bottest.Day("2026-11-22", "19:00", "Europe/Paris"))
	b.Command(t, bob, "pause 2026-11-23 2026-12-11")
	b.Command(t, ana, "pause 2026-12-07 2026-12-11")

	b.Clock.Set(bottest.Day("2026-11-30", "07:00", "Europe/London"))
	before := len(b.Messenger.Sent())
	if _, err := b.Bot.SendDigest(context.Background(), b.Person(t, coach), mon23); err != nil {
		t.Fatal(err)
	}
	sent := b.Messenger.Sent()[before:]
	if len(sent) != 2 {
		t.Fatalf("digest sent %d messages, want a parent and Ana's reply (Bob had no prompts)", len(sent))
	}
	has(t, []bot.Message{sent[0].Msg}, "2 clients · 1 reported · no prompts this week: Bob (on holiday until 2026-12-11)")
	has(t, []bot.Message{sent[1].Msg}, "_Holiday planned 2026-12-07 to 2026-12-11._")
	has(t, b.Command(t, coach, "brief <@bob>"), "(8 days; Cycle 1 · day 9 of 90)", "_On holiday 2026-11-23 to 2026-12-11._")
}

// saveAnswer stores a complete check-in for day, answered at the given instant.
func saveAnswer(t *testing.T, b *bottest.Bundle, e *bot.Engagement, day bot.Date, at time.Time, moved, priority string, rock int64, stuck string, energy int) {
	t.Helper()
	c := &bot.CheckIn{EngagementID: e.ID, Day: day, Moved: moved, Priority: priority, PriorityRockID: rock, Stuck: stuck, Energy: energy,
		Status: bot.AnswerComplete, SubmittedAt: at, UpdatedAt: at}
	if err := b.Store.SaveCheckIn(context.Background(), c); err != nil {
		t.Fatal(err)
	}
}

// TestBrief: what a coach reads before a session — three lines first,
// then what moved by rock, the client's own words, each blocker once —
// and counts that never claim what did not happen.
func TestBrief(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	rocks := rocksOf(t, b, e)
	paris := func(day, clock string) time.Time { return bottest.Day(day, clock, "Europe/Paris") }
	b.Clock.Set(paris("2026-11-24", "12:00"))
	b.Command(t, ana, "rocks set 2 off-track 10% | blocked by budget")
	saveAnswer(t, b, e, mon23, paris("2026-11-23", "09:10"), "set up the rocks", "screen five CTO candidates", rocks[1].ID, "Budget approval", 3)
	saveAnswer(t, b, e, tue24, paris("2026-11-24", "09:10"), "Sent two proposals", "call the lawyer", 0, "budget   approval!", 3)
	saveAnswer(t, b, e, tue24.AddDays(1), paris("2026-11-25", "09:10"), "lawyer called back", "draft the pricing page", rocks[0].ID, "no", 4)
	saveAnswer(t, b, e, tue24.AddDays(2), paris("2026-11-26", "09:10"), "pricing draft done", "close pilot two", rocks[2].ID, "budget approval", 4)
	w := &bot.WeeklyReport{EngagementID: e.ID, Week: mon23, Win: "first pilot signed", Stuck: "no", Ask: "how to unblock the budget",
		Rocks:  []bot.RockUpdate{{RockID: rocks[1].ID, Status: bot.RockOffTrack, Progress: 10, Note: "the budget owner is away"}},
		Status: bot.AnswerComplete, SubmittedAt: paris("2026-11-27", "15:10"), UpdatedAt: paris("2026-11-27", "15:10")}
	if err := b.Store.SaveWeeklyReport(context.Background(), w, 0); err != nil {
		t.Fatal(err)
	}

	// Monday morning before the check-in is due: since the cycle started.
	b.Clock.Set(paris("2026-11-30", "08:00"))
	brief := b.Command(t, coach, "brief <@ana>")
	has(t, brief,
		"*Brief: Ana* — since the cycle started (8 days; Cycle 1 · day 9 of 90)\n"+
			"*Momentum*: check-ins 3/4 (75%) · energy 3.7 · too early for a 4-week usual\n"+
			"*Needs attention*: rock 2, Hire a CTO — off track for 6 days (since Tue 24 Nov), 10% done with 11% of its time gone\n"+
			"*Open with*: their ask from the week of Mon 23 Nov — how to unblock the budget\n"+
			"Check-ins 4/5 (80%) · streak 0 · energy 3.5",
		"• 2. Hire a CTO — off track · 10% (new)\n    – Tue 24 Nov: blocked by budget\n    – Fri 27 Nov: the budget owner is away",
		// Tuesday's answer reports on Monday's priority, which served rock 2.
		"*What moved*\nRock 1, Launch the pricing page\n• Thu 26 Nov: pricing draft done\nRock 2, Hire a CTO\n• Tue 24 Nov: Sent two proposals\n"+
			"Not linked to a rock\n• Mon 23 Nov: set up the rocks\n• Wed 25 Nov: lawyer called back",
		"*Wins*\n• week of Mon 23 Nov: first pilot signed",
		"*Stuck*\n• Budget approval — 3 days since Mon 23 Nov (last Thu 26 Nov)",
		"*Asks for you*\n• week of Mon 23 Nov: how to unblock the budget",
		"*#1 priorities*\n• Mon 23 Nov: screen five CTO candidates (rock 2)\n• Tue 24 Nov: call the lawyer\n")
	lacks(t, brief, "Your notes")

	// Right after a session: nothing is due yet, and nothing says 100%.
	has(t, b.Command(t, coach, "session <@ana> ask about the budget owner; pilot two by Friday"), "Logged a session")
	brief = b.Command(t, coach, "brief <@ana>")
	has(t, brief, "*Brief: Ana* — since your session on 2026-11-30 (0 days;", "\nNo check-ins due · streak 0 · energy –\n",
		"*Your notes from 2026-11-30*: ask about the budget owner; pilot two by Friday",
		"*Open with*: what would move rock 2, Hire a CTO forward before your next session?")
	lacks(t, brief, "0/0", "(100%)", "*What moved*", "*Stuck*")
	// The coach's notes are for the coach's brief alone: never in the
	// digest, which may go to a shared channel.
	_, parts, err := b.Bot.ComposeDigest(context.Background(), b.Person(t, coach), mon30)
	if err != nil {
		t.Fatal(err)
	}
	lacks(t, parts, "budget owner;", "pilot two by Friday")

	// An early answer: Monday evening, Ana answers Tuesday's check-in.
	saveAnswer(t, b, e, mon30, paris("2026-11-30", "09:10"), "proposal out", "budget call", rocks[1].ID, "no", 4)
	saveAnswer(t, b, e, mon30.AddDays(1), paris("2026-11-30", "18:30"), "budget call booked", "call the owner", rocks[1].ID, "budget approval", 5)
	b.Clock.Set(paris("2026-11-30", "18:40"))
	brief = b.Command(t, coach, "brief <@ana>")
	has(t, brief, "\nCheck-ins 1/1 (100%) · 1 early answer · streak 1 · energy 4.5\n",
		"*Stuck*\n• budget approval — Tue 1 Dec", "*Open with*: what would unblock this? budget approval — Tue 1 Dec")
	has(t, b.Command(t, coach, "clients"), "this week 1/1 check-ins")
}

// TestBriefMomentum: the brief's first line sets the last seven days
// against the client's own four weeks before them.
func TestBriefMomentum(t *testing.T) {
	t.Parallel()
	var base, cur []bot.Date // workdays of 2026-11-24..2026-12-21, and of 2026-12-22..28
	for d := tue24; !d.After(bot.Date{Year: 2026, Month: 12, Day: 28}); d = d.AddDays(1) {
		switch {
		case d.Weekday() == time.Saturday || d.Weekday() == time.Sunday:
		case d.Before(bot.Date{Year: 2026, Month: 12, Day: 22}):
			base = append(base, d)
		default:
			cur = append(cur, d)
		}
	}
	mwf := func(ds []bot.Date) []bot.Date {
		var out []bot.Date
		for _, d := range ds {
			if wd := d.Weekday(); wd == time.Monday || wd == time.Wednesday || wd == time.Friday {
				out = append(out, d)
			}
		}
		return out
	}
	type answers struct {
		days   []bot.Date
		energy int
	}
	tests := []struct {
		name      string
		base, cur answers
		want      string
	}{
		{"steady", answers{base, 4}, answers{cur, 4}, "check-ins 5/5 (100%, usual 100%) · energy 4.0 (usual 4.0) →"},
		{"rising", answers{mwf(base), 3}, answers{cur, 4}, "check-ins 5/5 (100%, usual 60%) · energy 4.0 (usual 3.0) ↑"},
		{"falling", answers{base, 4}, answers{cur[:2], 2}, "check-ins 2/4 (50%, usual 100%) · energy 2.0 (usual 4.0) ↓"}, // Christmas Day is no check-in day in Paris
		{"more check-ins, less energy", answers{mwf(base), 4}, answers{cur, 3}, "check-ins 5/5 (100%, usual 60%) · energy 3.0 (usual 4.0) →"},
		{"silent: nothing to compare energy with", answers{base, 4}, answers{nil, 0}, "check-ins 0/4 (0%, usual 100%) · energy – ↓"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, e := withRocks(t)
			for _, a := range []answers{tt.base, tt.cur} {
				for _, d := range a.days {
					saveAnswer(t, b, e, d, bottest.Day(d.String(), "09:10", "Europe/Paris"), "m", "p", 0, "no", a.energy)
				}
			}
			b.Clock.Set(bottest.Day("2026-12-28", "12:00", "Europe/Paris"))
			has(t, b.Command(t, coach, "brief <@ana>"), "\n*Momentum*: "+tt.want+"\n")
		})
	}
}
