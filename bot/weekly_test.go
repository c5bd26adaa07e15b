package bot_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// fridayPrompt moves to Friday 15:00 in Paris and sends ana's weekly prompt.
func fridayPrompt(t *testing.T, b *bottest.Bundle) bot.Message {
	t.Helper()
	b.Clock.Set(bottest.Day("2026-11-27", "15:00", "Europe/Paris"))
	if d := b.Prompt(t, ana, bot.DeliveryWeekly, mon23); d.State != bot.DeliverySent || d.Period != "2026-W48" {
		t.Fatalf("weekly prompt %s for %s", d.State, d.Period)
	}
	return lastTo(t, b, "ana")
}

func weeklyOf(t testing.TB, b *bottest.Bundle, e *bot.Engagement) *bot.WeeklyReport {
	t.Helper()
	w, err := b.Store.WeeklyReport(context.Background(), e.ID, mon23)
	if code(err) == bot.ENOTFOUND {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestWeeklyByReplies(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	prompt := fridayPrompt(t, b)
	has(t, []bot.Message{prompt}, "*Weekly accountability* · week of 2026-11-23", "*1/6* Rock 1, *Launch the pricing page*")
	button(t, prompt, bot.ActionAnswerWeekly)

	has(t, b.Say(t, ana, "on track 60 copy done"), "*2/6* Rock 2, *Hire a CTO*")
	// A status that is not one is asked again; nothing is stored for it.
	out := b.Say(t, ana, "sideways 10 hmm")
	has(t, out, `"sideways" is not a rock status`, "Try e.g. `on track 60")
	if w := weeklyOf(t, b, e); len(w.Rocks) != 1 {
		t.Errorf("after a bad status the report has %d rock updates, want 1", len(w.Rocks))
	}
	has(t, b.Say(t, ana, "done"), "*3/6* Rock 3, *Close 3 pilots*")
	has(t, b.Say(t, ana, "off track 10 - no pilots yet"), "*4/6* Biggest win this week?")
	has(t, b.Say(t, ana, "signed the first pilot"), "*5/6* What got stuck?")
	has(t, b.Say(t, ana, "the CTO search"), "*6/6* What do you want to bring to your coach?")
	has(t, b.Say(t, ana, "how to find CTO candidates faster"),
		"Report saved", "Rock 1, Launch the pricing page: on track, 60% — copy done", "Rock 2, Hire a CTO: done, 100%", "For your coach: how to find CTO candidates faster")

	w := weeklyOf(t, b, e)
	rocks := rocksOf(t, b, e)
	if w.Status != bot.AnswerComplete || w.Win != "signed the first pilot" || w.Stuck != "the CTO search" || len(w.Rocks) != 3 {
		t.Fatalf("report = %+v", w)
	}
	want := []bot.RockUpdate{
		{RockID: rocks[0].ID, Status: bot.RockOnTrack, Progress: 60, Note: "copy done"},
		{RockID: rocks[1].ID, Status: bot.RockDone, Progress: 100},
		{RockID: rocks[2].ID, Status: bot.RockOffTrack, Progress: 10, Note: "no pilots yet"},
	}
	for i, u := range want {
		if w.Rocks[i] != u {
			t.Errorf("update %d = %+v, want %+v", i, w.Rocks[i], u)
		}
		if r := rocks[i]; r.Status != u.Status || r.Progress != u.Progress {
			t.Errorf("rock %d = %s %d%%, want the update applied", i+1, r.Status, r.Progress)
		}
	}
	h := historyOf(t, b, e)
	if len(h) != 6 {
		t.Fatalf("history has %d entries, want 3 creations and 3 updates", len(h))
	}
	if last := h[5]; last.RockID != rocks[2].ID || last.Note != "no pilots yet" || last.Status != bot.RockOffTrack {
		t.Errorf("last history entry = %+v", last)
	}
	has(t, b.Say(t, ana, "anything else"), "Nothing is waiting")
}

func TestWeeklyByForm(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	b.Command(t, ana, "rocks set 3 dropped")
	f := fridayPrompt(t, b).Form
	rocks := rocksOf(t, b, e)
	if f == nil || f.FormID != bot.FormWeekly || len(f.Fields) != 2*3+3 {
		t.Fatalf("weekly form = %+v (dropped rocks are not asked about)", f)
	}
	id := func(i int) string { return "rock_" + bottest.ID(rocks[i].ID) }
	vals := map[string]string{
		id(0) + "_status": "on_track", id(0) + "_progress": "40", id(0) + "_note": "copy done",
		id(1) + "_status": "off_track", id(1) + "_progress": "10",
		"win": "first pilot", "stuck": "no", "ask": "",
	}
	bad := map[string]string{}
	for k, v := range vals {
		bad[k] = v
	}
	bad[id(1)+"_progress"] = "110"
	has(t, b.Submit(t, ana, f.FormID, f.Value, bad), "Rock 2: progress is a percentage from 0 to 100. Nothing was saved.")
	bad[id(1)+"_progress"], bad["win"] = "10", ""
	has(t, b.Submit(t, ana, f.FormID, f.Value, bad), "Please name your biggest win")
	if w := weeklyOf(t, b, e); w != nil {
		t.Fatalf("refused forms stored %+v", w)
	}

	has(t, b.Submit(t, ana, f.FormID, f.Value, vals), "Report saved", "Rock 2, Hire a CTO: off track, 10%")
	w := weeklyOf(t, b, e)
	if w.Status != bot.AnswerComplete || w.Win != "first pilot" || len(w.Rocks) != 2 || w.Rocks[0].Note != "copy done" {
		t.Fatalf("report = %+v", w)
	}
	rocks = rocksOf(t, b, e)
	if rocks[0].Progress != 40 || rocks[1].Status != bot.RockOffTrack || rocks[2].Status != bot.RockDropped {
		t.Errorf("rocks = %+v %+v %+v", rocks[0], rocks[1], rocks[2])
	}
	n := len(historyOf(t, b, e))

	// `weekly` again shows it for editing; the edit replaces the report.
	out := b.Command(t, ana, "weekly")
	has(t, out, "You already wrote this week's report", "first pilot")
	vals["win"] = "two pilots"
	has(t, b.Submit(t, ana, out[0].Form.FormID, out[0].Form.Value, vals), "Updated your weekly report")
	reports, err := b.Store.WeeklyReports(t.Context(), e.ID, mon23, mon23)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || reports[0].Win != "two pilots" {
		t.Errorf("reports = %+v", reports)
	}
	if h := historyOf(t, b, e); len(h) != n {
		t.Errorf("an edit with the same rock states added %d history entries", len(h)-n)
	}
}

// rocksFailAfterSave is a store whose Rocks fails once a weekly report was
// saved: the database going away between the save and the reply.
type rocksFailAfterSave struct {
	bot.Store
	saved atomic.Bool
}

func (s *rocksFailAfterSave) SaveWeeklyReport(ctx context.Context, w *bot.WeeklyReport, applyBy int64) error {
	err := s.Store.SaveWeeklyReport(ctx, w, applyBy)
	s.saved.Store(err == nil)
	return err
}

func (s *rocksFailAfterSave) Rocks(ctx context.Context, engagementID int64) ([]*bot.Rock, error) {
	if s.saved.Load() {
		return nil, errors.New("conn closed")
	}
	return s.Store.Rocks(ctx, engagementID)
}

// A weekly answer that was saved is not reported as a failure because a
// read after the save failed: the adapter would have the platform deliver
// it again, and the retry would fill the next question with it.
func TestWeeklySavedAnswerSurvivesAFailedReload(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	fridayPrompt(t, b)
	fail := &rocksFailAfterSave{Store: b.Store}
	var err error
	if b.Bot, err = bot.New(bot.Config{Store: fail, Messenger: b.Messenger, State: b.State, Clock: b.Clock}); err != nil {
		t.Fatal(err)
	}
	has(t, b.Say(t, ana, "on track 60 copy done"), "*2/6* Rock 2, *Hire a CTO*")
	if w := weeklyOf(t, b, e); len(w.Rocks) != 1 || w.Rocks[0].Progress != 60 {
		t.Fatalf("report after the first answer = %+v, want one rock update at 60%%", w)
	}
}

// TestWeeklyOnMondayEditsLastWeek: Friday's report is written over the
// weekend or on Monday morning; `weekly` then opens that week's, not the
// new one.
func TestWeeklyOnMondayEditsLastWeek(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	prompt := fridayPrompt(t, b)

	// Sunday, the report still open: last week's.
	b.Clock.Set(bottest.Day("2026-11-29", "18:00", "Europe/Paris"))
	has(t, b.Command(t, ana, "weekly"), "week of 2026-11-23", "*1/6*")
	has(t, b.Say(t, ana, "on track 50 copy done"), "*2/6*")
	if w := weeklyOf(t, b, e); w == nil || len(w.Rocks) != 1 {
		t.Fatalf("last week's report = %+v, want the answer there", w)
	}

	// Monday before noon: still last week's, even once written.
	b.Clock.Set(bottest.Day("2026-11-30", "09:30", "Europe/Paris"))
	has(t, b.Command(t, ana, "weekly"), "week of 2026-11-23")
	// Monday afternoon, last week's still open but its prompt is the
	// latest: still last week's.
	b.Clock.Set(bottest.Day("2026-11-30", "14:00", "Europe/Paris"))
	has(t, b.Command(t, ana, "weekly"), "week of 2026-11-23")
	// The Answer button of Friday's prompt opens that week on any day.
	b.Clock.Set(bottest.Day("2026-12-02", "14:00", "Europe/Paris"))
	has(t, b.Click(t, ana, bot.ActionAnswerWeekly, button(t, prompt, bot.ActionAnswerWeekly).Value), "week of 2026-11-23")
}
