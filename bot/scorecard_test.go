package bot_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// mon16 is the Monday of Setup's first week (its Sunday starts the coaching).
var mon16 = bot.Date{Year: 2026, Month: 11, Day: 16}

func measurablesOf(t testing.TB, b *bottest.Bundle, e *bot.Engagement) []*bot.Measurable {
	t.Helper()
	ms, err := b.Store.Measurables(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func valuesOf(t testing.TB, b *bottest.Bundle, e *bot.Engagement, from, to bot.Date) []bot.MeasurableValue {
	t.Helper()
	vs, err := b.Store.MeasurableValues(context.Background(), e.ID, from, to)
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func TestScorecardAdd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text  string
		want  bot.Measurable
		reply string
	}{
		{"Sales calls >= 15 / week", bot.Measurable{Name: "Sales calls", Goal: 15, Direction: bot.AtLeast, Unit: "/ week"}, "*Sales calls* ≥ 15 / week"},
		{"Sales calls ≥15/week", bot.Measurable{Name: "Sales calls", Goal: 15, Direction: bot.AtLeast, Unit: "/week"}, "*Sales calls* ≥ 15 /week"},
		{"Churn <= 2.5%", bot.Measurable{Name: "Churn", Goal: 2.5, Direction: bot.AtMost, Unit: "%"}, "*Churn* ≤ 2.5%"},
		{"Churn ≤ 2.50", bot.Measurable{Name: "Churn", Goal: 2.5, Direction: bot.AtMost}, "*Churn* ≤ 2.5."},
		{"Revenue at least 5000 EUR / week", bot.Measurable{Name: "Revenue", Goal: 5000, Direction: bot.AtLeast, Unit: "EUR / week"}, "*Revenue* ≥ 5000 EUR / week"},
		{"Open bugs AT MOST 3", bot.Measurable{Name: "Open bugs", Goal: 3, Direction: bot.AtMost}, "*Open bugs* ≤ 3"},
		{"Net margin >= -1.5 %", bot.Measurable{Name: "Net margin", Goal: -1.5, Direction: bot.AtLeast, Unit: "%"}, "*Net margin* ≥ -1.5%"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			b := bottest.Setup(t)
			e := b.Engage(t, coach, ana)
			has(t, b.Command(t, ana, "scorecard add "+tt.text), "Added number 1 to the scorecard: "+tt.reply)
			ms := measurablesOf(t, b, e)
			if len(ms) != 1 {
				t.Fatalf("%d measurables stored, want 1", len(ms))
			}
			m := ms[0]
			if m.Name != tt.want.Name || m.Goal != tt.want.Goal || m.Direction != tt.want.Direction || m.Unit != tt.want.Unit || m.Position != 1 || !m.Live() {
				t.Errorf("stored %+v, want %+v", *m, tt.want)
			}
		})
	}
}

func TestScorecardAddRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"no goal", "scorecard add Sales calls", []string{"A number needs a name and a goal", "scorecard add Sales calls >= 15 / week"}},
		{"no name", "scorecard add >= 15", []string{"A number needs a name and a goal"}},
		{"strictly more", "scorecard add Sales calls > 15", []string{"Say the goal with >= (at least) or <= (at most)"}},
		{"a goal that is no number", "scorecard add Sales calls >= lots", []string{`I could not read the goal in "lots"`}},
		{"a goal with a comma", "scorecard add Revenue >= 1,500 / week", []string{"without commas"}},
		{"a goal too large", "scorecard add Revenue >= 10000000000000", []string{"too large"}},
		{"a name too long", "scorecard add " + strings.Repeat("x", bot.MaxMeasurableNameLen+1) + " >= 1", []string{"name is 121 characters; the limit is 120"}},
		{"a unit too long", "scorecard add Calls >= 1 " + strings.Repeat("u", bot.MaxMeasurableUnitLen+1), []string{"unit is 41 characters; the limit is 40"}},
		{"an unknown sub-command", "scorecard frobnicate 1", []string{"I don't know `scorecard frobnicate`", "scorecard set <n> <value>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := bottest.Setup(t)
			e := b.Engage(t, coach, ana)
			out := b.Command(t, ana, tt.text)
			has(t, out, tt.want...)
			lacks(t, out, "Added number")
			if n := len(measurablesOf(t, b, e)); n != 0 {
				t.Errorf("%d measurables stored, want none", n)
			}
		})
	}
}

func TestScorecardAtMostTen(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	e := b.Engage(t, coach, ana)
	for i := 1; i <= bot.MaxMeasurables; i++ {
		has(t, b.Command(t, ana, fmt.Sprintf("scorecard add Number %d >= %d", i, i)), fmt.Sprintf("Added number %d", i))
	}
	has(t, b.Command(t, ana, "scorecard add Number 11 >= 1"), "You already have 10 numbers on the scorecard", "scorecard remove <n>")
	has(t, b.Command(t, ana, "scorecard remove 3"), "Removed number 3, *Number 3*")
	has(t, b.Command(t, ana, "scorecard add Number 11 >= 1"), "Added number 11")
	if n := len(measurablesOf(t, b, e)); n != 11 {
		t.Errorf("%d measurables stored, want 11 (one removed)", n)
	}
}

func TestScorecardEditSetRemove(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	e := b.Engage(t, coach, ana)
	b.Command(t, ana, "scorecard add Sales calls >= 15 / week")
	b.Command(t, ana, "scorecard add Churn <= 2%")

	// Parts left out keep their value.
	has(t, b.Command(t, ana, "scorecard edit 1 >= 20"), "Number 1: *Sales calls* ≥ 20 / week.")
	has(t, b.Command(t, ana, "scorecard edit 1 Calls booked"), "Number 1: *Calls booked* ≥ 20 / week.")
	has(t, b.Command(t, ana, "scorecard edit 2 Churn at least 1 % / month"), "Number 2: *Churn* ≥ 1% / month.")
	has(t, b.Command(t, ana, "scorecard edit 2"), "Tell me the new name or goal")
	has(t, b.Command(t, ana, "scorecard edit 9 >= 1"), "There is no number 9 on the scorecard")

	// This week is ana's (Paris): the week of Monday 16 November.
	has(t, b.Command(t, ana, "scorecard set 1 22"), "*Calls booked*, week of 2026-11-16: 22 ✅ (goal ≥ 20 / week).")
	has(t, b.Command(t, ana, "scorecard set 2 0.5"), "*Churn*, week of 2026-11-16: 0.5 ❌")
	has(t, b.Command(t, ana, "scorecard set 1 19"), "19 ❌") // replaces the week's value
	for _, c := range []struct{ text, want string }{
		{"scorecard set 1", "Tell me the number and its value"},
		{"scorecard set 1 many", `"many" is not a number`},
		{"scorecard set 1 1,5", "without commas"},
		{"scorecard set 1 5 last", "before the coaching started (2026-11-22)"},
		{"scorecard set 1 5 2026-11-25", "The week of 2026-11-23 has not started yet"},
		{"scorecard set 1 5 soon", `"soon" is not a week`},
		{"scorecard set x 5", `"x" is not a number of the scorecard`},
	} {
		has(t, b.Command(t, ana, c.text), c.want)
	}
	want := []bot.MeasurableValue{{Value: 19}, {Value: 0.5}}
	got := valuesOf(t, b, e, mon16, mon16)
	if len(got) != 2 || got[0].Value != want[0].Value || got[1].Value != want[1].Value {
		t.Fatalf("values = %+v, want 19 and 0.5 (refused sets store nothing)", got)
	}

	// A week later: this week and last week side by side.
	b.Clock.Advance(7 * 24 * time.Hour)
	has(t, b.Command(t, ana, "scorecard set 1 25"), "week of 2026-11-23: 25 ✅")
	has(t, b.Command(t, ana, "scorecard set 2 3 last"), "week of 2026-11-16: 3 ✅")
	has(t, b.Command(t, ana, "scorecard"), "*Your scorecard* — week of 2026-11-23",
		"1. *Calls booked* ≥ 20 / week — this week 25 ✅ · last week 19 ❌",
		"2. *Churn* ≥ 1% / month — this week — · last week 3 ✅")

	has(t, b.Command(t, ana, "scorecard remove 2"), "Removed number 2, *Churn*", "kept")
	out := b.Command(t, ana, "scorecard")
	lacks(t, out, "Churn")
	has(t, b.Command(t, ana, "scorecard set 2 1"), "There is no number 2 on the scorecard")
	has(t, b.Command(t, ana, "scorecard remove 2"), "There is no number 2 on the scorecard")
	if ms := measurablesOf(t, b, e); len(ms) != 2 || ms[1].Live() {
		t.Errorf("after removing number 2: %+v", ms)
	}
	if got := valuesOf(t, b, e, mon16, mon23); len(got) != 3 {
		t.Errorf("values after removing a measurable = %+v, want all three kept", got)
	}
}

func TestScorecardEmpty(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	b.Engage(t, coach, ana)
	out := b.Command(t, ana, "scorecard")
	has(t, out, "*Your scorecard*", "No numbers yet", "scorecard add Sales calls >= 15 / week")
	// Typed alone while a prompt waits, it still shows the scorecard.
	if len(out) != 1 || len(out[0].Sections) != 1 || !strings.Contains(out[0].Sections[0], "scorecard set <n> <value>") {
		t.Errorf("scorecard reply has no usage section: %+v", out)
	}
}

func TestScorecardByCoach(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	e := b.Engage(t, coach, ana)
	has(t, b.Command(t, coach, "scorecard <@ana> add Demos >= 3 / week"), "Added number 1 to the scorecard: *Demos* ≥ 3 / week")
	has(t, []bot.Message{lastTo(t, b, "ana")}, "Your coach Cora added a number to your scorecard: *Demos* ≥ 3 / week")
	has(t, b.Command(t, coach, "scorecard <@ana> set 1 4"), "*Demos*, week of 2026-11-16: 4 ✅")
	has(t, []bot.Message{lastTo(t, b, "ana")}, "Your coach Cora recorded a number on your scorecard")
	has(t, b.Command(t, coach, "scorecard <@ana>"), "*Ana's scorecard*", "1. *Demos* ≥ 3 / week — this week 4 ✅")
	has(t, b.Command(t, ana, "scorecard"), "*Your scorecard*", "1. *Demos*")

	// A coach's own scorecard is for clients only; another coach's client is refused.
	has(t, b.Command(t, coach, "scorecard"), "That is for clients")
	b.Command(t, coach2, "invite <@coach>")
	has(t, b.Command(t, coach2, "scorecard <@ana> add Sneaky >= 1"), "Ana is not one of your clients")
	has(t, b.Command(t, coach2, "scorecard <@ana> set 1 99"), "Ana is not one of your clients")
	if ms, vs := measurablesOf(t, b, e), valuesOf(t, b, e, mon16, mon16); len(ms) != 1 || len(vs) != 1 || vs[0].Value != 4 {
		t.Errorf("after another coach's tries: %d measurables, values %+v", len(ms), vs)
	}
}

// withScorecard gives ana's three-rock engagement two measurables.
func withScorecard(t testing.TB) (*bottest.Bundle, *bot.Engagement) {
	t.Helper()
	b, e := withRocks(t)
	b.Command(t, ana, "scorecard add Sales calls >= 15 / week")
	b.Command(t, ana, "scorecard add Churn <= 2%")
	if n := len(measurablesOf(t, b, e)); n != 2 {
		t.Fatalf("withScorecard: %d measurables, want 2", n)
	}
	return b, e
}

func TestWeeklyScorecardByReplies(t *testing.T) {
	t.Parallel()
	b, e := withScorecard(t)
	prompt := fridayPrompt(t, b)
	has(t, []bot.Message{prompt}, "*1/8* Rock 1, *Launch the pricing page*")
	b.Say(t, ana, "on track 60 copy done")
	b.Say(t, ana, "done")
	// The measurables come after the rocks, before the closing questions.
	has(t, b.Say(t, ana, "off track 10"), "*4/8* Scorecard: *Sales calls* this week (goal ≥ 15 / week)?", "`skip`")
	has(t, b.Say(t, ana, "a dozen"), `"a dozen" is not a number`, "Reply with the number for *Sales calls*")
	if vs := valuesOf(t, b, e, mon23, mon23); len(vs) != 0 {
		t.Fatalf("a refused answer stored %+v", vs)
	}
	has(t, b.Say(t, ana, "17"), "*5/8* Scorecard: *Churn* this week (goal ≤ 2%)?")
	has(t, b.Say(t, ana, "skip"), "*6/8* Biggest win this week?")
	b.Say(t, ana, "first pilot")
	b.Say(t, ana, "nothing")
	has(t, b.Say(t, ana, "pricing"), "Report saved", "• Sales calls: 17 ✅ (goal ≥ 15 / week)", "• Churn: — (goal ≤ 2%)")

	w := weeklyOf(t, b, e)
	if w.Status != bot.AnswerComplete || len(w.Rocks) != 3 || w.Win != "first pilot" {
		t.Fatalf("report = %+v", w)
	}
	ms := measurablesOf(t, b, e)
	vs := valuesOf(t, b, e, mon23, mon23)
	if len(vs) != 1 || vs[0].MeasurableID != ms[0].ID || vs[0].Value != 17 {
		t.Errorf("values = %+v, want Sales calls 17 alone", vs)
	}
}

func TestWeeklyScorecardAlreadySet(t *testing.T) {
	t.Parallel()
	b, e := withScorecard(t)
	b.Command(t, ana, "rocks set 1 done")
	b.Command(t, ana, "rocks set 2 dropped")
	b.Command(t, ana, "rocks set 3 dropped")
	b.Clock.Set(bottest.Day("2026-11-26", "10:00", "Europe/Paris"))
	b.Command(t, ana, "scorecard set 1 9")
	// No rock is open and Sales calls has its number: Churn comes first.
	prompt := fridayPrompt(t, b)
	has(t, []bot.Message{prompt}, "*2/5* Scorecard: *Churn*")
	has(t, b.Say(t, ana, "1.5"), "*3/5* Biggest win this week?")
	vs := valuesOf(t, b, e, mon23, mon23)
	if len(vs) != 2 || vs[0].Value != 9 || vs[1].Value != 1.5 {
		t.Errorf("values = %+v, want 9 kept and 1.5 added", vs)
	}
}

func TestWeeklyScorecardByForm(t *testing.T) {
	t.Parallel()
	b, e := withScorecard(t)
	f := fridayPrompt(t, b).Form
	rocks, ms := rocksOf(t, b, e), measurablesOf(t, b, e)
	if f == nil || len(f.Fields) != 3*3+2+3 {
		t.Fatalf("weekly form = %+v, want a field per measurable", f)
	}
	field := func(m *bot.Measurable) string { return "measurable_" + bottest.ID(m.ID) }
	if fd := f.Fields[9]; fd.ID != field(ms[0]) || fd.Label != "Sales calls (goal ≥ 15 / week)" || !fd.Optional {
		t.Errorf("first measurable's field = %+v", fd)
	}
	vals := map[string]string{"win": "first pilot", field(ms[0]): "12", field(ms[1]): ""}
	for _, r := range rocks {
		id := "rock_" + bottest.ID(r.ID)
		vals[id+"_status"], vals[id+"_progress"] = "on_track", "20"
	}
	bad := map[string]string{}
	for k, v := range vals {
		bad[k] = v
	}
	bad[field(ms[1])] = "two"
	has(t, b.Submit(t, ana, f.FormID, f.Value, bad), "Churn: \"two\" is not a number", "Nothing was saved.")
	if w, vs := weeklyOf(t, b, e), valuesOf(t, b, e, mon23, mon23); w != nil || len(vs) != 0 {
		t.Fatalf("a refused form stored %+v and %+v", w, vs)
	}

	has(t, b.Submit(t, ana, f.FormID, f.Value, vals), "Report saved", "• Sales calls: 12 ❌ (goal ≥ 15 / week)", "• Churn: —")
	if vs := valuesOf(t, b, e, mon23, mon23); len(vs) != 1 || vs[0].MeasurableID != ms[0].ID || vs[0].Value != 12 {
		t.Errorf("values = %+v, want Sales calls 12 alone", vs)
	}

	// Editing: the form comes pre-filled, and an emptied field clears its value.
	out := b.Command(t, ana, "weekly")
	if f := out[0].Form; f == nil || f.Fields[9].Initial != "12" {
		t.Fatalf("edit form = %+v, want the value pre-filled", f)
	}
	vals[field(ms[0])], vals[field(ms[1])] = "", "1.75"
	has(t, b.Submit(t, ana, f.FormID, f.Value, vals), "Updated your weekly report", "• Churn: 1.75 ✅")
	if vs := valuesOf(t, b, e, mon23, mon23); len(vs) != 1 || vs[0].MeasurableID != ms[1].ID || vs[0].Value != 1.75 {
		t.Errorf("values after the edit = %+v, want Churn 1.75 alone", vs)
	}
}

func TestScorecardLines(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	e := b.Engage(t, coach, ana)
	ctx := context.Background()
	none, err := b.Bot.ScorecardLines(ctx, e, mon23)
	if err != nil || len(none) != 0 {
		t.Fatalf("scorecardLines without measurables = %q, %v; want none", none, err)
	}

	b.Command(t, ana, "scorecard add Sales calls >= 15 / week")
	b.Command(t, ana, "scorecard add Churn <= 2%")
	b.Command(t, ana, "scorecard add Gone >= 1")
	b.Command(t, ana, "scorecard add Demos >= 3")
	b.Command(t, ana, "scorecard remove 3")
	ms := measurablesOf(t, b, e)
	// Sales calls over the 13 weeks to mon23, oldest first, two of them
	// without a number, and one more week before them (1000) that no
	// average counts; the removed measurable's numbers are not shown.
	calls := []float64{100, 10, 11, 12, 13, 14, 15, 16, 17, 18, 10, 20, 17}
	for i, v := range calls {
		week := mon23.AddDays(-7 * (len(calls) - 1 - i))
		if i == 4 || i == 6 {
			continue // weeks without a number
		}
		vals := []bot.MeasurableValue{{MeasurableID: ms[0].ID, Value: v}}
		if i >= len(calls)-2 {
			vals = append(vals, bot.MeasurableValue{MeasurableID: ms[1].ID, Value: 2.5})
		}
		vals = append(vals, bot.MeasurableValue{MeasurableID: ms[2].ID, Value: 1})
		if err := b.Store.SaveMeasurableValues(ctx, e.ID, week, vals); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Store.SaveMeasurableValues(ctx, e.ID, mon23.AddDays(-7*13), []bot.MeasurableValue{{MeasurableID: ms[0].ID, Value: 1000}}); err != nil {
		t.Fatal(err)
	}
	// Any day of the week stands for its week.
	got, err := b.Bot.ScorecardLines(ctx, e, mon23.AddDays(3))
	if err != nil {
		t.Fatal(err)
	}
	// Sales calls: 4 weeks 18, 10, 20, 17 → 16.25 → 16.3; 13 weeks of
	// which 11 have numbers: (100+10+11+12+14+16+17+18+10+20+17)/11 = 22.3.
	want := []string{
		"Sales calls ≥ 15 / week: 17 ✅ · 4 wk avg 16.3 · 13 wk avg 22.3 (11 of 13 wk)",
		"Churn ≤ 2%: 2.5 ❌ · 4 wk avg 2.5 (2 of 4 wk) · 13 wk avg 2.5 (2 of 13 wk)",
		"Demos ≥ 3: — · 4 wk: no numbers · 13 wk: no numbers",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("scorecardLines =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestScorecardInTheCoachsPicture: the digest's thread reply, the brief
// and `history` show the scorecard against its goal.
func TestScorecardInTheCoachsPicture(t *testing.T) {
	t.Parallel()
	b, _ := withRocks(t)
	b.Clock.Set(bottest.Day("2026-11-25", "10:00", "Europe/Paris"))
	b.Command(t, ana, "scorecard add Sales calls >= 15 / week")
	b.Command(t, ana, "scorecard set 1 17")
	line := "Sales calls ≥ 15 / week: 17 ✅"
	has(t, b.Command(t, coach, "brief <@ana>"), "*Scorecard* (this week)", line)
	has(t, b.Command(t, coach, "history <@ana>"), "*Scorecard*", line)
	b.Clock.Set(bottest.Day("2026-11-30", "08:00", "Europe/London"))
	_, parts, err := b.Bot.ComposeDigest(t.Context(), b.Person(t, coach), mon23)
	if err != nil {
		t.Fatal(err)
	}
	has(t, parts, "*Scorecard*", line)
	var titles []string
	for _, img := range parts[0].Images {
		titles = append(titles, img.Name+": "+img.Title)
	}
	if !slices.Contains(titles, "ana-cycle1-score1.png: Ana · Sales calls ≥ 15 / week, cycle 1") {
		t.Errorf("digest reply charts %q lack the scorecard's", titles)
	}
}
