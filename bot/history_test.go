package bot_test

import (
	"strings"
	"testing"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// quarterAndAHalf gives ana a first cycle with a weekly report, a holiday
// and a quarterly review, and the start of a second cycle; the clock is
// left on Wednesday 2027-03-03, 10:00 in Paris (cycle 2, day 12).
func quarterAndAHalf(t *testing.T) *bottest.Bundle {
	t.Helper()
	b, e := withRocks(t)
	has(t, b.Command(t, ana, "pause 2026-12-23 2027-01-03"), "Paused from 2026-12-23 to 2027-01-03")
	seed(t, b, e, "legal review", days(mon23, 3)...)
	seed(t, b, e, "no", days(bot.Date{Year: 2026, Month: 12, Day: 21}, 2)...)
	seed(t, b, e, "no", days(cycle2Mon, 3)...)
	fridayPrompt(t, b)
	for _, a := range []string{"on track 40", "off track 10", "on track 33", "first pilot signed", "the CTO search", "candidate sources"} {
		b.Say(t, ana, a)
	}
	reviewPrompt(t, b)
	for _, a := range []string{"done shipped it", "drop not this year", "carry pilots need a champion", "the first pilot signed", "plan on Mondays"} {
		b.Say(t, ana, a)
	}
	b.Clock.Set(bottest.Day("2027-03-03", "10:00", "Europe/Paris"))
	return b
}

func TestHistory(t *testing.T) {
	t.Parallel()
	b := quarterAndAHalf(t)
	b.Meet(bob)
	b.Command(t, bob, "help")
	b.Command(t, coach2, "coach")
	const (
		rocksNew  = "rocks 1 on track 0% (new), 2 on track 0% (new), 3 on track 0% (new)"
		rocksWeek = "rocks 1 on track 40%, 2 off track 10%, 3 on track 33%"
	)
	for _, tt := range []struct {
		name  string
		by    bot.UserRef
		text  string
		want  []string // each a whole line, in this order
		lacks []string
	}{{
		name: "every week since the start, across the cycles",
		by:   ana, text: "history 20",
		want: []string{
			"*Your last 16 weeks* (Cycle 2 · day 12 of 90; every week since 2026-11-22)",
			"— Cycle 1 starts 2026-11-22 —",
			"• *Week of 2026-11-16* · no check-ins due · " + rocksNew,
			"• *Week of 2026-11-23* · check-ins 3/5 · energy 4.0 · " + rocksWeek + " · win: first pilot signed · stuck: the CTO search",
			"• *Week of 2026-11-30* · check-ins 0/5 · " + rocksWeek + " · no weekly report",
			// The holiday: two days due before it, then a week off.
			"• *Week of 2026-12-21* · check-ins 2/2 · paused 5 days · energy 4.0 · " + rocksWeek,
			"• *Week of 2026-12-28* · paused · " + rocksWeek,
			"• *Week of 2027-01-04* · check-ins 0/5 · " + rocksWeek + " · no weekly report",
			// The review replaces the report; the rocks it finished show
			// once, the week it finished them.
			"• *Week of 2027-02-15* · check-ins 0/5 · rocks 1 done, 2 dropped, 3 on track 33% · quarterly review of cycle 1, win: the first pilot signed",
			"— Cycle 2 starts 2027-02-20 —",
			"• *Week of 2027-02-22* · check-ins 3/5 · energy 4.0 · rocks 3 on track 33% · no weekly report",
			"• *Week of 2027-03-01* (so far) · check-ins 0/3 · rocks 3 on track 33%",
			"*Rocks*",
			"1. Launch the pricing page — now done",
			"2. Hire a CTO — now dropped",
			"3. Close 3 pilots — now on track · 33%",
		},
		lacks: []string{"Week of 2026-11-09", "0/0", "candidate sources"},
	}, {
		name: "the default is eight weeks",
		by:   ana, text: "history",
		want: []string{
			"*Your last 8 weeks* (Cycle 2 · day 12 of 90)",
			"• *Week of 2027-01-11* · check-ins 0/5 · " + rocksWeek + " · no weekly report",
			"— Cycle 2 starts 2027-02-20 —",
			"• *Week of 2027-03-01* (so far) · check-ins 0/3 · rocks 3 on track 33%",
		},
		lacks: []string{"Week of 2027-01-04", "Cycle 1 starts"},
	}, {
		name: "one week",
		by:   ana, text: "history 1",
		want:  []string{"*Your week* (Cycle 2 · day 12 of 90)", "• *Week of 2027-03-01* (so far) · check-ins 0/3 · rocks 3 on track 33%", "3. Close 3 pilots — now on track · 33%"},
		lacks: []string{"Cycle 2 starts", "Week of 2027-02-22", "Launch the pricing page"},
	}, {
		name: "the coach, over the cycle boundary",
		by:   coach, text: "history <@ana> 3",
		want: []string{
			"*History: Ana* — last 3 weeks (Cycle 2 · day 12 of 90)",
			"• *Week of 2027-02-15* · check-ins 0/5 · rocks 1 done, 2 dropped, 3 on track 33% · quarterly review of cycle 1, win: the first pilot signed",
			"— Cycle 2 starts 2027-02-20 —",
			"• *Week of 2027-02-22* · check-ins 3/5 · energy 4.0 · rocks 3 on track 33% · no weekly report",
		},
		lacks: []string{"Cycle 1 starts", "Your last"},
	}, {
		name: "another coach learns nothing",
		by:   coach2, text: "history <@ana>",
		want:  []string{"Ana is not one of your clients. Invite them with `invite @Ana`."},
		lacks: []string{"Week of", "Cycle"},
	}, {
		name: "a client names nobody",
		by:   bob, text: "history <@ana> 2",
		want:  []string{"`history @client` is for coaches, and you are not a coach on smart90 yet. To become one, invite a client with `invite @name`, or type `coach`."},
		lacks: []string{"Week of"},
	}, {
		name: "a coach's own history is a client's",
		by:   coach, text: "history 4",
		want: []string{"That is for clients. As a coach, add `@client` (e.g. `rocks @ana`) or see `help`."},
	}, {
		name: "a coach names the client with a mention",
		by:   coach, text: "history ana",
		want: []string{`"ana" is not a mention of a person.`, "Usage: `history [@client] [weeks]`"},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			out := b.Command(t, tt.by, tt.text)
			inOrder(t, out, tt.want...)
			lacks(t, out, tt.lacks...)
		})
	}

	for _, bad := range []struct {
		by   bot.UserRef
		text string
	}{{ana, "history 0"}, {ana, "history 53"}, {ana, "history lots"}, {coach, "history -1"}, {coach, "history <@ana> 99"}} {
		has(t, b.Command(t, bad.by, bad.text), "Weeks is a number from 1 to 52.", "Usage: `history [@client] [weeks]`")
	}
	has(t, b.Command(t, ana, "history 2 3"), "Say how many weeks as one number")
}

// TestHistoryCycleMarker: a week's line goes under the cycle that holds
// its Thursday, so the marker of a new cycle comes before the first week
// mostly in it, and says the day it really started.
func TestHistoryCycleMarker(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		accept string // the day ana accepts: day 1 of cycle 1
		marker string // cycle 2's line
		before string // the week right after it
	}{
		{"2026-11-23", "— Cycle 2 starts 2027-02-21 —", "2027-02-22"}, // Sunday: the next week is cycle 2's
		{"2026-11-24", "— Cycle 2 starts 2027-02-22 —", "2027-02-22"}, // Monday
		{"2026-11-26", "— Cycle 2 starts 2027-02-24 —", "2027-02-22"}, // Wednesday: most of the week is cycle 2's
		{"2026-11-27", "— Cycle 2 starts 2027-02-25 —", "2027-02-22"}, // Thursday
		{"2026-11-28", "— Cycle 2 starts 2027-02-26 —", "2027-03-01"}, // Friday: that week is still cycle 1's
	} {
		t.Run(tt.accept, func(t *testing.T) {
			t.Parallel()
			b := bottest.Setup(t)
			b.Clock.Set(bottest.Day(tt.accept, "10:00", "Europe/Paris"))
			e := b.Engage(t, coach, ana)
			if e.Start.String() != tt.accept {
				t.Fatalf("engagement starts %s, want %s", e.Start, tt.accept)
			}
			b.Clock.Set(bottest.Day("2027-03-10", "10:00", "Europe/Paris"))
			out := b.Command(t, ana, "history 5")
			inOrder(t, out, tt.marker, "• *Week of "+tt.before+"*")
			lines := strings.Split(bottest.Text(out...), "\n")
			for i, l := range lines {
				if l == tt.marker && (i+1 == len(lines) || !strings.HasPrefix(lines[i+1], "• *Week of "+tt.before+"*")) {
					t.Errorf("the marker is not followed by the week of %s:\n%s", tt.before, strings.Join(lines, "\n"))
				}
			}
			if strings.Count(bottest.Text(out...), "— Cycle") != 1 {
				t.Errorf("want one cycle marker:\n%s", bottest.Text(out...))
			}
		})
	}
}

// inOrder fails the test unless the messages hold each line whole (or, for
// a line ending in "*", its start), in the order given.
func inOrder(t testing.TB, msgs []bot.Message, lines ...string) {
	t.Helper()
	got := strings.Split(bottest.Text(msgs...), "\n")
	i := 0
	for _, want := range lines {
		for i < len(got) && got[i] != want && !(strings.HasSuffix(want, "*") && strings.HasPrefix(got[i], want)) {
			i++
		}
		if i == len(got) {
			t.Errorf("reply lacks the line %q (or has it out of order):\n%s", want, strings.Join(got, "\n"))
			return
		}
		i++
	}
}
