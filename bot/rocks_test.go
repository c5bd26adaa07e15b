package bot_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

func TestRocksAdd(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	e := b.Engage(t, coach, ana)

	out := b.Command(t, ana, "rocks add Hire a CTO | offer signed | due 2027-01-31")
	has(t, out, "Added rock 1: *Hire a CTO*", "done when: offer signed", "2 more to reach the recommended 3")
	if out[0].Form == nil || out[0].Form.FormID != bot.FormRockAdd {
		t.Errorf("reply offers no rock form below 3 rocks")
	}
	out = b.Command(t, ana, "rocks add Launch the pricing page")
	has(t, out, "Added rock 2", "due "+e.CycleN(1).End().String())

	rocks := rocksOf(t, b, e)
	if len(rocks) != 2 {
		t.Fatalf("%d rocks stored, want 2", len(rocks))
	}
	r := rocks[0]
	if r.Position != 1 || r.Title != "Hire a CTO" || r.DoneWhen != "offer signed" || r.Due != (bot.Date{Year: 2027, Month: 1, Day: 31}) ||
		r.Status != bot.RockOnTrack || r.Progress != 0 {
		t.Errorf("rock 1 = %+v", r)
	}
	if r := rocks[1]; r.Position != 2 || r.DoneWhen != "" || r.Due != e.CycleN(1).End() {
		t.Errorf("rock 2 = %+v, want due at the cycle end %s", r, e.CycleN(1).End())
	}
	h := historyOf(t, b, e)
	if len(h) != 2 || h[0].RockID != rocks[0].ID || h[0].ByPersonID != b.Person(t, ana).ID {
		t.Errorf("history = %+v, want one creation entry per rock by ana", h)
	}
}

func TestRocksAddRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"bad due date", "rocks add Hire a CTO | offer signed | due 2027-13-01", []string{`"2027-13-01" is not a date`, "YYYY-MM-DD"}},
		{"due not a date", "rocks add Hire a CTO | due tomorrow", []string{`"tomorrow" is not a date`}},
		{"due date passed", "rocks add Hire a CTO | due 2026-11-01", []string{"2026-11-01 has already passed", "pick a due date from 2026-11-22 to 2027-02-19"}},
		{"due after the cycle", "rocks add Hire a CTO | due 2027-03-01", []string{"2027-03-01 is after this cycle ends (2027-02-19)"}},
		{"no title", "rocks add | offer signed", []string{"A rock needs a title"}},
		{"title too long", "rocks add " + strings.Repeat("x", bot.MaxRockTitleLen+1), []string{"keep a rock's title under 120"}},
		{"unknown sub-command", "rocks frobnicate 1", []string{"I don't know `rocks frobnicate`", "rocks set <n>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := bottest.Setup(t)
			e := b.Engage(t, coach, ana)
			out := b.Command(t, ana, tt.text)
			has(t, out, tt.want...)
			lacks(t, out, "Added rock")
			if n := len(rocksOf(t, b, e)); n != 0 {
				t.Errorf("%d rocks stored, want none", n)
			}
		})
	}
}

func TestRocksAtMostSeven(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	e := b.Engage(t, coach, ana)
	for i := 1; i <= bot.MaxRocks; i++ {
		has(t, b.Command(t, ana, fmt.Sprintf("rocks add Rock %d", i)), fmt.Sprintf("Added rock %d", i))
	}
	out := b.Command(t, ana, "rocks add Rock 8")
	has(t, out, "You already have 7 rocks", "rocks set <n> dropped")
	if n := len(rocksOf(t, b, e)); n != bot.MaxRocks {
		t.Fatalf("%d rocks stored, want %d", n, bot.MaxRocks)
	}
	// The list offers no form at the limit; dropping one makes room.
	if m := b.Command(t, ana, "rocks")[0]; m.Form != nil {
		t.Errorf("rocks list at the limit offers a form")
	}
	b.Command(t, ana, "rocks set 3 dropped")
	has(t, b.Command(t, ana, "rocks add Rock 8"), "Added rock 8")
	if n := len(rocksOf(t, b, e)); n != 8 {
		t.Errorf("%d rocks stored, want 8 (one dropped)", n)
	}
	// A finished rock makes room too: the limit is on rocks still worked on.
	has(t, b.Command(t, ana, "rocks add Rock 9"), "You already have 7 rocks")
	b.Command(t, ana, "rocks set 1 done")
	has(t, b.Command(t, ana, "rocks add Rock 9"), "Added rock 9")
	// Taking up a dropped rock again counts like adding one.
	has(t, b.Command(t, ana, "rocks set 3 on-track"), "7 rocks on the go")
	if r := rocksOf(t, b, e)[2]; r.Status != bot.RockDropped {
		t.Errorf("rock 3 is %s after a refused revival, want dropped", r.Status)
	}
}

func TestRocksSet(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	b.Clock.Advance(3600e9)
	out := b.Command(t, ana, "rocks set 2 off-track 30% | waiting on legal")
	has(t, out, "Rock 2: *Hire a CTO* — off track · 30%")

	r := rocksOf(t, b, e)[1]
	if r.Status != bot.RockOffTrack || r.Progress != 30 || !r.UpdatedAt.Equal(b.Clock.Now()) {
		t.Errorf("rock 2 = %s %d%% at %s", r.Status, r.Progress, r.UpdatedAt)
	}
	h := historyOf(t, b, e)
	last := h[len(h)-1]
	if len(h) != 4 || last.RockID != r.ID || last.Status != bot.RockOffTrack || last.Progress != 30 ||
		last.Note != "waiting on legal" || last.ByPersonID != b.Person(t, ana).ID || !last.At.Equal(b.Clock.Now()) {
		t.Errorf("history has %d entries, last %+v", len(h), last)
	}

	// "on track" in two words, and done without a number means 100%.
	has(t, b.Command(t, ana, "rocks set 2 on track 45"), "on track · 45%")
	has(t, b.Command(t, ana, "rocks set #3 done"), "done · 100%")
	rocks := rocksOf(t, b, e)
	if rocks[1].Status != bot.RockOnTrack || rocks[1].Progress != 45 || rocks[2].Status != bot.RockDone || rocks[2].Progress != 100 {
		t.Errorf("rocks after set: 2=%s %d%%, 3=%s %d%%", rocks[1].Status, rocks[1].Progress, rocks[2].Status, rocks[2].Progress)
	}
}

func TestRocksSetRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want string
	}{
		{"invalid status", "rocks set 1 sideways 30%", `"sideways" is not a rock status`},
		{"progress over 100", "rocks set 1 on-track 150%", "Progress is a percentage from 0 to 100, not 150%"},
		{"note without bar", "rocks set 1 on-track 20 waiting", "put a note after a `|`"},
		{"no such rock", "rocks set 9 done", "There is no rock 9"},
		{"not a number", "rocks set two done", `"two" is not a rock number`},
		{"no status", "rocks set 1", "Tell me the rock and its status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, e := withRocks(t)
			before := historyOf(t, b, e)
			has(t, b.Command(t, ana, tt.text), tt.want)
			if r := rocksOf(t, b, e)[0]; r.Status != bot.RockOnTrack || r.Progress != 0 {
				t.Errorf("rock 1 changed to %s %d%%", r.Status, r.Progress)
			}
			if h := historyOf(t, b, e); len(h) != len(before) {
				t.Errorf("history grew from %d to %d entries", len(before), len(h))
			}
		})
	}
}

func TestRocksEdit(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	has(t, b.Command(t, ana, "rocks edit 1 Launch pricing v2 | live in three markets | due 2027-02-15"),
		"Rock 1 edited: *Launch pricing v2*", "due 2027-02-15")
	r := rocksOf(t, b, e)[0]
	if r.Title != "Launch pricing v2" || r.DoneWhen != "live in three markets" || r.Due != (bot.Date{Year: 2027, Month: 2, Day: 15}) {
		t.Errorf("rock 1 = %+v", r)
	}

	// Parts left out keep their value: a new title does not move the due
	// date or forget what "done" means.
	has(t, b.Command(t, ana, "rocks edit 2 Hire a CTO and a CFO"), "Rock 2 edited")
	r = rocksOf(t, b, e)[1]
	if r.Title != "Hire a CTO and a CFO" || r.DoneWhen != "offer signed" || r.Due != (bot.Date{Year: 2027, Month: 1, Day: 31}) {
		t.Errorf("rock 2 after a title-only edit = %q | %q | due %s, want done-when and due kept", r.Title, r.DoneWhen, r.Due)
	}
	if h := historyOf(t, b, e); len(h) != 5 {
		t.Errorf("history has %d entries, want 3 creations and 2 edits", len(h))
	}

	has(t, b.Command(t, ana, "rocks edit 1 X | due 31/12/2026"), "is not a date")
	if r := rocksOf(t, b, e)[0]; r.Title != "Launch pricing v2" {
		t.Errorf("a refused edit changed the title to %q", r.Title)
	}
}

func TestRocksByCoach(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	before := len(b.Messenger.SentTo("ana"))
	out := b.Command(t, coach, "rocks <@ana> add Raise the seed round | term sheet signed")
	has(t, out, "Added rock 4: *Raise the seed round*")
	rocks := rocksOf(t, b, e)
	if len(rocks) != 4 || rocks[3].Title != "Raise the seed round" {
		t.Fatalf("rocks after the coach added one: %d", len(rocks))
	}
	h := historyOf(t, b, e)
	if by := h[len(h)-1].ByPersonID; by != b.Person(t, coach).ID {
		t.Errorf("history entry by %d, want the coach", by)
	}
	sent := b.Messenger.SentTo("ana")
	if len(sent) != before+1 {
		t.Fatalf("ana got %d messages, want a notice", len(sent)-before)
	}
	has(t, []bot.Message{sent[len(sent)-1].Msg}, "Your coach Cora added a rock: *Raise the seed round*")

	has(t, b.Command(t, coach, "rocks <@ana> set 4 off-track 10% | investor dropped out"), "Rock 4: *Raise the seed round* — off track · 10%")
	has(t, []bot.Message{lastTo(t, b, "ana")}, "Your coach Cora updated rock 4")
	has(t, b.Command(t, coach, "rocks <@ana>"), "Ana's rocks", "4. *Raise the seed round*")

	// A coach's own `rocks` is for clients only.
	has(t, b.Command(t, coach, "rocks"), "That is for clients")
}

func TestRocksOtherCoachRefused(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	b.Meet(bob)
	b.Command(t, bob, "help") // bob exists but is nobody's client
	b.Command(t, coach2, "invite <@coach>")
	before := historyOf(t, b, e)
	sent := len(b.Messenger.Sent())

	forAna := b.Command(t, coach2, "rocks <@ana> add Sneaky rock")
	forBob := b.Command(t, coach2, "rocks <@bob> add Sneaky rock")
	has(t, forAna, "Ana is not one of your clients")
	// The refusal says no more than it says for someone who is nobody's client.
	if a, b := strings.ReplaceAll(bottest.Text(forAna...), "Ana", "X"), strings.ReplaceAll(bottest.Text(forBob...), "Bob", "X"); a != b {
		t.Errorf("refusals differ, which leaks whose client Ana is:\n%s\n%s", a, b)
	}
	lacks(t, forAna, "Cora", "another coach")
	has(t, b.Command(t, coach2, "rocks <@ana>"), "Ana is not one of your clients")
	has(t, b.Command(t, coach2, "rocks <@ana> set 1 done"), "Ana is not one of your clients")

	// Forms name rocks by id: they are checked too.
	rock := rocksOf(t, b, e)[0]
	has(t, b.Submit(t, coach2, bot.FormRockEdit, bottest.ID(rock.ID), map[string]string{
		"title": "Hijacked", "due": "2027-01-01", "status": "done", "progress": "100"}), "You can't change those rocks")
	has(t, b.Submit(t, coach2, bot.FormRockAdd, bottest.ID(e.ID), map[string]string{"title": "Sneaky"}), "You can't change those rocks")

	if n := len(rocksOf(t, b, e)); n != 3 {
		t.Errorf("%d rocks, want 3", n)
	}
	if r := rocksOf(t, b, e)[0]; r.Title != rock.Title || r.Status != bot.RockOnTrack {
		t.Errorf("rock 1 changed: %+v", r)
	}
	if h := historyOf(t, b, e); len(h) != len(before) {
		t.Errorf("history grew from %d to %d", len(before), len(h))
	}
	if n := len(b.Messenger.Sent()) - sent; n != 0 {
		t.Errorf("%d messages sent by refused commands", n)
	}
}

func TestRockForms(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	e := b.Engage(t, coach, ana)
	form := b.Command(t, ana, "rocks")[0].Form
	if form == nil || form.FormID != bot.FormRockAdd || form.Value != bottest.ID(e.ID) {
		t.Fatalf("rocks offers form %+v", form)
	}
	out := b.Submit(t, ana, form.FormID, form.Value, map[string]string{
		"title": "Close 3 pilots", "done_when": "three signed contracts", "due": "2027-01-15"})
	has(t, out, "Added rock 1: *Close 3 pilots*")
	r := rocksOf(t, b, e)[0]
	if r.DoneWhen != "three signed contracts" || r.Due != (bot.Date{Year: 2027, Month: 1, Day: 15}) {
		t.Errorf("rock = %+v", r)
	}

	// The edit form comes from the rock, so build it as an adapter would.
	edit := map[string]string{"title": "Close 4 pilots", "done_when": "four signed", "due": "2027-01-20", "status": "off_track", "progress": "25"}
	has(t, b.Submit(t, ana, bot.FormRockEdit, bottest.ID(r.ID), edit), "Rock 1 saved: *Close 4 pilots* — off track · 25%")
	got := rocksOf(t, b, e)[0]
	if got.Title != "Close 4 pilots" || got.DoneWhen != "four signed" || got.Status != bot.RockOffTrack || got.Progress != 25 ||
		got.Due != (bot.Date{Year: 2027, Month: 1, Day: 20}) {
		t.Errorf("rock after edit = %+v", got)
	}
	if h := historyOf(t, b, e); len(h) != 2 || h[1].Status != bot.RockOffTrack || h[1].Progress != 25 {
		t.Errorf("history = %d entries", len(h))
	}

	// Bad values are refused and change nothing.
	for name, v := range map[string]map[string]string{
		"no title":       {"title": " ", "status": "done", "progress": "100"},
		"bad status":     {"title": "X", "status": "sideways", "progress": "10"},
		"bad progress":   {"title": "X", "status": "done", "progress": "150"},
		"bad due":        {"title": "X", "due": "soon", "status": "done", "progress": "10"},
		"long done when": {"title": "X", "done_when": strings.Repeat("d", 501), "status": "done", "progress": "10"},
	} {
		out := b.Submit(t, ana, bot.FormRockEdit, bottest.ID(r.ID), v)
		lacks(t, out, "saved")
		if got := rocksOf(t, b, e)[0]; got.Title != "Close 4 pilots" {
			t.Errorf("%s: rock changed to %+v", name, got)
		}
	}
	has(t, b.Submit(t, ana, bot.FormRockEdit, "x", edit), "That form is out of date")
}

// TestAddRockButton: "Add a rock" brings back the form, for the actor's
// own rocks or, for a coach, their client's.
func TestAddRockButton(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	e := b.Engage(t, coach, ana)
	out := b.Command(t, coach, "rocks <@ana>")
	var btn *bot.Button
	for i := range out[0].Buttons {
		if out[0].Buttons[i].ActionID == bot.ActionRockAdd {
			btn = &out[0].Buttons[i]
		}
	}
	if btn == nil || btn.Value != "<@ana>" || !btn.OpensForm {
		t.Fatalf("coach's rocks buttons = %+v", out[0].Buttons)
	}
	for _, tt := range []struct {
		who   bot.UserRef
		value string
	}{{coach, btn.Value}, {ana, ""}} {
		got := b.Click(t, tt.who, bot.ActionRockAdd, tt.value)
		if len(got) != 1 || got[0].Form == nil || got[0].Form.FormID != bot.FormRockAdd || !strings.Contains(got[0].Form.Value, bottest.ID(e.ID)) {
			t.Errorf("%s presses Add a rock: %+v", tt.who.ExternalID, got)
		}
	}
	has(t, b.Click(t, coach2, bot.ActionRockAdd, "<@ana>"), "`rocks @client` is for coaches")
	b.Command(t, coach2, "coach")
	has(t, b.Click(t, coach2, bot.ActionRockAdd, "<@ana>"), "is not one of your clients")
}
