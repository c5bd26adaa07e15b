package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// Ana's first cycle runs Sunday 2026-11-22 to Friday 2027-02-19; her
// weekly report is due on Fridays, so the quarterly review comes on
// Friday 2027-02-19, in the week of Monday 2027-02-15. Cycle 2 starts on
// Saturday 2027-02-20; its first check-in is on Monday 2027-02-22.
var (
	reviewWeek = bot.Date{Year: 2027, Month: 2, Day: 15}
	cycle2Mon  = bot.Date{Year: 2027, Month: 2, Day: 22}
)

// reviewPrompt moves to the review's Friday and sends it.
func reviewPrompt(t *testing.T, b *bottest.Bundle) bot.Message {
	t.Helper()
	b.Clock.Set(bottest.Day("2027-02-19", "15:00", "Europe/Paris"))
	if d := b.Prompt(t, ana, bot.DeliveryWeekly, reviewWeek); d.State != bot.DeliverySent {
		t.Fatalf("review prompt %s", d.State)
	}
	return lastTo(t, b, "ana")
}

func reviewOf(t testing.TB, b *bottest.Bundle, e *bot.Engagement, cycle int) *bot.Review {
	t.Helper()
	rv, err := b.Store.Review(context.Background(), e.ID, cycle)
	if code(err) == bot.ENOTFOUND {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	return rv
}

func TestReviewByReplies(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	prompt := reviewPrompt(t, b)
	has(t, []bot.Message{prompt}, "*Quarterly review · cycle 1* (2026-11-22 to 2027-02-19)", "before the next one starts on 2027-02-20",
		"*1/5* Rock 1, *Launch the pricing page*")
	lacks(t, []bot.Message{prompt}, "Weekly accountability")
	if bt := button(t, prompt, bot.ActionAnswerReview); bt.Value != "review:"+bottest.ID(e.ID)+":2026-11-22" {
		t.Errorf("review button value %q", bt.Value)
	}
	if prompt.Form == nil || prompt.Form.FormID != bot.FormReview {
		t.Fatalf("review prompt form = %+v", prompt.Form)
	}

	has(t, b.Say(t, ana, "sideways"), "Start with `done`, `carry` or `drop`")
	if rv := reviewOf(t, b, e, 1); rv != nil {
		t.Errorf("a reply that is no decision stored %+v", rv)
	}
	has(t, b.Say(t, ana, "done shipped it with the team"), "*2/5* Rock 2, *Hire a CTO*")
	has(t, b.Say(t, ana, "drop not this year"), "*3/5* Rock 3, *Close 3 pilots*")
	has(t, b.Say(t, ana, "carry over pilots need a champion"), "*4/5* The quarter's biggest win?")
	has(t, b.Say(t, ana, "the first pilot signed"), "*5/5* What will you change next quarter?")
	has(t, b.Say(t, ana, "plan on Mondays"), "Review saved",
		"Launch the pricing page: done — learned: shipped it with the team", "Hire a CTO: dropped — learned: not this year",
		"Close 3 pilots: carried over — learned: pilots need a champion", "Biggest win: the first pilot signed",
		"Cycle 2 starts on 2027-02-20 with 1 rock carried over", "Set the new quarter's rocks now")

	rv := reviewOf(t, b, e, 1)
	if rv == nil || rv.Status != bot.AnswerComplete || rv.Win != "the first pilot signed" || rv.Change != "plan on Mondays" || len(rv.Rocks) != 3 {
		t.Fatalf("review = %+v", rv)
	}
	rocks := rocksOf(t, b, e)
	if rocks[0].Status != bot.RockDone || rocks[0].Progress != 100 || rocks[1].Status != bot.RockDropped || rocks[2].Status != bot.RockOnTrack {
		t.Errorf("rocks after the review: %s %d%%, %s, %s", rocks[0].Status, rocks[0].Progress, rocks[1].Status, rocks[2].Status)
	}

	// Day 93, cycle 2: its first check-in says what carried over.
	b.Clock.Set(bottest.Day("2027-02-22", "09:00", "Europe/Paris"))
	b.Prompt(t, ana, bot.DeliveryDaily, cycle2Mon)
	first := []bot.Message{lastTo(t, b, "ana")}
	has(t, first, "*Cycle 2 · day 3 of 90* · Monday 2027-02-22", "*Cycle 2 starts* — 2027-02-20 to 2027-05-20",
		"Carried over from cycle 1: rocks 3 (below), due by 2027-05-20", "3. *Close 3 pilots* — on track · 0% · due 2027-05-20", "Set this quarter's rocks")
	if r := rocksOf(t, b, e)[2]; r.Due != (bot.Date{Year: 2027, Month: 5, Day: 20}) {
		t.Errorf("carried-over rock due %s, want cycle 2's end", r.Due)
	}
	lacks(t, first, "review of cycle 1 is still open", "Launch the pricing page")
	// The next day's is an ordinary one.
	b.Clock.Set(bottest.Day("2027-02-23", "09:00", "Europe/Paris"))
	b.Prompt(t, ana, bot.DeliveryDaily, cycle2Mon.AddDays(1))
	lacks(t, []bot.Message{lastTo(t, b, "ana")}, "Cycle 2 starts")

	// `rocks` lists this cycle's; the first cycle's finished ones are counted.
	out := b.Command(t, ana, "rocks")
	has(t, out, "Cycle 2 · day 4 of 90, cycle ends 2027-05-20", "Close 3 pilots", "2 rocks finished or dropped in earlier cycles")
	lacks(t, out, "Hire a CTO")
	// Cycle 2's rocks may be due up to its end.
	has(t, b.Command(t, ana, "rocks add Raise the seed round | term sheet signed | due 2027-05-20"), "Added rock 4")
	has(t, b.Command(t, ana, "rocks add Too late | x | due 2027-05-21"), "after this cycle ends (2027-05-20)")

	// The export holds the review, under its engagement.
	var export []bot.File
	for _, m := range b.Command(t, ana, "export") {
		export = append(export, m.Files...)
	}
	found := false
	for _, f := range export {
		found = found || strings.Contains(string(f.Data), `"quarterly_reviews"`) && strings.Contains(string(f.Data), "pilots need a champion")
	}
	if !found {
		t.Errorf("export lacks the quarterly review: %d files", len(export))
	}

	// Reopening the finished review shows it for editing.
	has(t, b.Command(t, ana, "review"), "You already wrote your review of cycle 1", "Biggest win: the first pilot signed")
}

func TestReviewByForm(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	prompt := reviewPrompt(t, b)
	rocks := rocksOf(t, b, e)
	values := map[string]string{"win": "first pilot", "change": "fewer meetings"}
	for i, d := range []bot.RockDecision{bot.DecisionCarry, bot.DecisionDone, "sideways"} {
		values["rock_"+bottest.ID(rocks[i].ID)+"_decision"] = string(d)
	}
	values["rock_"+bottest.ID(rocks[0].ID)+"_learned"] = "copy takes longer than code"
	has(t, b.Submit(t, ana, bot.FormReview, prompt.Form.Value, values), "Rock 3: choose done, carry over or drop. Nothing was saved.")
	if rv := reviewOf(t, b, e, 1); rv != nil {
		t.Fatalf("a refused form stored %+v", rv)
	}
	values["rock_"+bottest.ID(rocks[2].ID)+"_decision"] = string(bot.DecisionDrop)
	has(t, b.Submit(t, ana, bot.FormReview, prompt.Form.Value, values), "Review saved",
		"Launch the pricing page: carried over — learned: copy takes longer than code", "Cycle 2 starts on 2027-02-20 with 1 rock carried over")
	rocks = rocksOf(t, b, e)
	if rocks[0].Status != bot.RockOnTrack || rocks[1].Status != bot.RockDone || rocks[2].Status != bot.RockDropped {
		t.Errorf("rocks after the form: %s, %s, %s", rocks[0].Status, rocks[1].Status, rocks[2].Status)
	}
	// Changing one's mind: the dropped rock carries over after all.
	values["rock_"+bottest.ID(rocks[2].ID)+"_decision"] = string(bot.DecisionCarry)
	has(t, b.Submit(t, ana, bot.FormReview, prompt.Form.Value, values), "Updated your review of cycle 1", "with 2 rocks carried over")
	if r := rocksOf(t, b, e)[2]; r.Status != bot.RockOnTrack {
		t.Errorf("rock 3 carried over after all is %s", r.Status)
	}

	// A crafted value naming another cycle is refused.
	crafted := "review:" + bottest.ID(e.ID) + ":2027-11-17"
	has(t, b.Submit(t, ana, bot.FormReview, crafted, values), "not open for review")
	if rv := reviewOf(t, b, e, 4); rv != nil {
		t.Errorf("a crafted cycle stored %+v", rv)
	}
}

// TestReviewUnanswered: the next cycle starts on its day whether or not
// the review was written; prompts go on, rocks carry over, the review
// stays open two weeks and the coach sees it owed.
func TestReviewUnanswered(t *testing.T) {
	t.Parallel()
	b, e := withRocks(t)
	reviewPrompt(t, b)

	// `weekly` in the review week opens the review, not a report.
	b.Clock.Set(bottest.Day("2027-02-17", "10:00", "Europe/Paris"))
	has(t, b.Command(t, ana, "weekly"), "*Quarterly review · cycle 1*")

	b.Clock.Set(bottest.Day("2027-02-22", "09:00", "Europe/Paris"))
	if d := b.Prompt(t, ana, bot.DeliveryDaily, cycle2Mon); d.State != bot.DeliverySent {
		t.Fatalf("cycle 2's first check-in: %s", d.State)
	}
	first := []bot.Message{lastTo(t, b, "ana")}
	has(t, first, "*Cycle 2 · day 3 of 90*", "Carried over from cycle 1: rocks 1, 2, 3", "Add or change this quarter's rocks with `rocks`",
		"Your review of cycle 1 is still open: type `review` for it (five minutes) — until 2027-03-05")

	// The coach's digest of the review week says it is owed, and that the
	// new cycle started; not that a weekly report is missing.
	parent, parts, err := b.Bot.ComposeDigest(context.Background(), b.Person(t, coach), reviewWeek)
	if err != nil {
		t.Fatal(err)
	}
	has(t, parts, "_Quarterly review of cycle 1 not answered yet (it stays open until 2027-03-05)._", "*Cycle 2 started 2027-02-20* with 3 rocks carried over.")
	lacks(t, append(parts, parent), "No weekly report this week")
	has(t, b.Command(t, coach, "brief <@ana>"), "Cycle 2 · day 3 of 90")
	has(t, b.Command(t, coach, "clients"), "*Ana* — Cycle 2 · day 3 of 90")

	// A late review, in the next cycle's first two weeks, is still taken.
	b.Clock.Set(bottest.Day("2027-02-23", "18:00", "Europe/Paris"))
	has(t, b.Command(t, ana, "review"), "*Quarterly review · cycle 1*", "*1/5* Rock 1")
	for _, s := range []string{"done", "carry", "carry", "a calmer quarter", "say no sooner"} {
		b.Say(t, ana, s)
	}
	if rv := reviewOf(t, b, e, 1); rv == nil || rv.Status != bot.AnswerComplete {
		t.Fatalf("late review = %+v", rv)
	}
	has(t, b.Command(t, coach, "brief <@ana>"), "*Quarterly review · cycle 1*", "Biggest win: a calmer quarter")
	_, parts, err = b.Bot.ComposeDigest(context.Background(), b.Person(t, coach), cycle2Mon)
	if err != nil {
		t.Fatal(err)
	}
	has(t, parts, "*Quarterly review · cycle 1*", "To change: say no sooner")
	if parent, _, err := b.Bot.ComposeDigest(context.Background(), b.Person(t, coach), cycle2Mon); err != nil {
		t.Fatal(err)
	} else {
		has(t, []bot.Message{parent}, "· quarterly review: Ana")
	}

	// Mid-cycle there is no review to write.
	b.Clock.Set(bottest.Day("2027-03-10", "10:00", "Europe/Paris"))
	has(t, b.Command(t, ana, "review"), "Your review of cycle 2 comes in its last week, on Friday 2027-05-14; the cycle ends 2027-05-20.")
}
