package teams

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/adapters/teams/teamstest"
	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/scheduler"
)

// typedRefs is a line a person types into the review: Teams' mention
// markup, a bare mention token, Slack's broadcast and an @everyone, all
// of which must stay text.
const typedRefs = "<at>Coach</at> ask <@29:coach>, <!channel> and @everyone first"

// TestLoopCycleLifecycle lives across a cycle's end through
// /api/messages and the fake Bot Connector: the review week's weekly
// prompt is the quarterly review as a card (a done/carry/drop choice per
// rock), submitted by Action.Execute and applied to the rocks; Friday's
// check-in, answered on Monday on Friday's card, is filed under Friday;
// cycle 2's first check-in says the quarter turned; the coach's digest and
// brief show what Ana typed as text; and Ana's `leave`, confirmed by its
// button, tells the coach and stops her prompts, by the scheduler too.
func TestLoopCycleLifecycle(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	core := h.adapter.cfg.Handler.(*bot.Bot)
	step := func(do func()) []teamstest.Call {
		t.Helper()
		n := len(h.conn.Calls())
		do()
		return h.conn.Calls()[n:]
	}
	lastCard := func(calls []teamstest.Call) teamstest.Call {
		t.Helper()
		for i := len(calls) - 1; i >= 0; i-- {
			if calls[i].Op == "SendToConversation" && !isImage(calls[i]) {
				return calls[i]
			}
		}
		t.Fatalf("no card sent: %v", calls)
		return teamstest.Call{}
	}

	// Sunday 2026-11-22: the coach invites Ana, she accepts and sets three
	// rocks; cycle 1 runs to 2027-02-19.
	h.post(t, h.channel(coachID, "Coach", "invite <at>Ana</at>", mention(anaID, "Ana")))
	e, err := h.Store.LiveEngagementForClient(ctx, h.person(t, anaID).ID)
	if err != nil {
		t.Fatal(err)
	}
	h.press(t, anaID, "Ana", map[string]any{"smart90": "action", "action": bot.ActionAccept, "value": strconv.FormatInt(e.ID, 10)})
	h.Clock.Advance(time.Minute)
	for _, r := range []string{"Launch the pricing page | live and announced", "Hire a CTO | offer signed", "Close 3 pilots | three signed contracts"} {
		h.say(t, anaID, "Ana", "rocks add "+r)
	}
	rocks, err := h.Store.Rocks(ctx, e.ID)
	if err != nil || len(rocks) != 3 {
		t.Fatalf("rocks: %+v, %v", rocks, err)
	}

	// deliver does what the scheduler does for one prompt, through the
	// core wired to the fake connector, and returns the calls it made.
	deliver := func(who string, kind bot.DeliveryKind, day bot.Date) (bool, []teamstest.Call) {
		t.Helper()
		d := &bot.Delivery{PersonID: h.person(t, who).ID, Kind: kind, Period: day.String(), DueAt: h.Clock.Now().UTC(), State: bot.DeliveryPending}
		if kind == bot.DeliveryWeekly || kind == bot.DeliveryDigest {
			d.Period = day.ISOWeek()
		}
		if kind != bot.DeliveryDigest {
			d.EngagementID = e.ID
		}
		if _, err := h.Store.CreateDelivery(ctx, d); err != nil {
			t.Fatal(err)
		}
		var ref string
		var needed bool
		calls := step(func() {
			if ref, needed, err = core.Deliver(ctx, d); err != nil {
				t.Fatalf("deliver %s %s: %v", kind, d.Period, err)
			}
		})
		d.State, d.UpdatedAt = bot.DeliverySkipped, h.Clock.Now().UTC()
		if needed {
			d.State, d.MessageRef, d.SentAt = bot.DeliverySent, ref, h.Clock.Now().UTC()
		}
		if err := h.Store.UpdateDelivery(ctx, d); err != nil {
			t.Fatal(err)
		}
		return needed, calls
	}
	friday := bot.Date{Year: 2027, Month: 2, Day: 19}
	monday := bot.Date{Year: 2027, Month: 2, Day: 22}
	reviewValue := "review:" + bottest.ID(e.ID) + ":2026-11-22"

	// Friday 2027-02-19, cycle 1's last day: the morning check-in, then
	// at 15:00 the week's prompt, which is the quarterly review.
	h.Clock.Set(bottest.Day("2027-02-19", "09:00", "Europe/Paris"))
	_, calls := deliver(anaID, bot.DeliveryDaily, friday)
	fridayCard := lastCard(calls)
	if _, data, _ := executeAction(t, fridayCard.Body); data["value"] != "daily:"+bottest.ID(e.ID)+":2027-02-19" {
		t.Errorf("Friday's card submits for %v", data["value"])
	}
	h.Clock.Set(bottest.Day("2027-02-19", "15:00", "Europe/Paris"))
	needed, calls := deliver(anaID, bot.DeliveryWeekly, bot.Date{Year: 2027, Month: 2, Day: 15})
	if !needed {
		t.Fatal("the review week's prompt was not sent")
	}
	reviewCard := lastCard(calls)
	reviewCardIs(t, reviewCard, rocks, reviewValue)
	if text := reviewCard.Text(); strings.Contains(text, "Weekly accountability") {
		t.Errorf("the review week also asked for a weekly report:\n%s", text)
	}

	// The prompt's Answer action (Action.Submit, as an older card's button
	// would send it) brings the review card again.
	calls = step(func() {
		h.press(t, anaID, "Ana", map[string]any{"smart90": "action", "action": bot.ActionAnswerReview, "value": reviewValue})
	})
	if len(calls) != 1 || calls[0].Conversation != "a:chat-"+anaID {
		t.Fatalf("Answer on the review: %v", calls)
	}
	reviewCardIs(t, calls[0], rocks, reviewValue)

	// Submitted by Action.Execute: stored, and the decisions applied.
	inputs := map[string]string{"win": "the first pilot signed", "change": "plan on Mondays"}
	for i, d := range []bot.RockDecision{bot.DecisionDone, bot.DecisionDrop, bot.DecisionCarry} {
		inputs["rock_"+bottest.ID(rocks[i].ID)+"_decision"] = string(d)
	}
	inputs["rock_"+bottest.ID(rocks[0].ID)+"_learned"] = typedRefs
	resp := h.execute(t, anaID, "Ana", calls[0], inputs)
	if resp["statusCode"] != float64(200) || !strings.Contains(invokeText(resp), "Review saved") {
		t.Errorf("review submitted: %v", resp)
	}
	rv, err := h.Store.Review(ctx, e.ID, 1)
	if err != nil || rv.Status != bot.AnswerComplete || rv.Win != "the first pilot signed" || rv.Change != "plan on Mondays" || len(rv.Rocks) != 3 ||
		rv.Rocks[0].Learned != typedRefs {
		t.Fatalf("review stored: %+v, %v", rv, err)
	}
	rocks, err = h.Store.Rocks(ctx, e.ID)
	if err != nil || rocks[0].Status != bot.RockDone || rocks[1].Status != bot.RockDropped || !rocks[2].Status.Live() {
		t.Fatalf("rocks after the review: %+v, %v", rocks, err)
	}

	// Monday 07:00: the coach's digest of the review week quotes the
	// review; what Ana typed is text, and mentions nobody.
	h.Clock.Set(bottest.Day("2027-02-22", "07:00", "UTC"))
	needed, calls = deliver(coachID, bot.DeliveryDigest, bot.Date{Year: 2027, Month: 2, Day: 15})
	if !needed {
		t.Fatal("no digest")
	}
	var digest []string
	for _, c := range calls {
		if c.Op == "SendToConversation" {
			digest = append(digest, c.Text())
			if strings.Contains(c.Text(), "Quarterly review") && mentionsAny(c.Body) {
				t.Errorf("the digest's review reply mentions someone: %v", c.Body)
			}
		}
	}
	if text := strings.Join(digest, "\n"); !strings.Contains(text, "Quarterly review · cycle 1") || !strings.Contains(text, "Biggest win: the first pilot signed") {
		t.Errorf("digest lacks the review:\n%s", text)
	} else {
		typedAsText(t, "digest", text)
	}

	// 08:00, before Monday's prompt: Friday's card, submitted now, files
	// its check-in under Friday.
	h.Clock.Set(bottest.Day("2027-02-22", "08:00", "Europe/Paris"))
	h.execute(t, anaID, "Ana", fridayCard, map[string]string{"moved": "closed the quarter", "priority": "plan the next one",
		"rock": bottest.ID(rocks[2].ID), "energy": "4"})
	if c, err := h.Store.CheckIn(ctx, e.ID, friday); err != nil || c.Status != bot.AnswerComplete || c.Moved != "closed the quarter" || c.PriorityRockID != rocks[2].ID {
		t.Errorf("Friday's check-in answered on Monday: %+v, %v", c, err)
	}
	if c, err := h.Store.CheckIn(ctx, e.ID, monday); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("the late answer was filed under Monday: %+v, %v", c, err)
	}

	// 09:00: cycle 2's first check-in says the quarter turned.
	h.Clock.Set(bottest.Day("2027-02-22", "09:00", "Europe/Paris"))
	needed, calls = deliver(anaID, bot.DeliveryDaily, monday)
	if !needed {
		t.Fatal("cycle 2's first check-in was not sent")
	}
	mondayCard := lastCard(calls)
	{
		text := mondayCard.Text()
		for _, s := range []string{"Cycle 2 · day 3 of 90", "Monday 2027-02-22", "Cycle 2 starts", "2027-02-20 to 2027-05-20", "Carried over from cycle 1: rocks 3", "Close 3 pilots"} {
			if !strings.Contains(text, s) {
				t.Errorf("cycle 2's first check-in lacks %q:\n%s", s, text)
			}
		}
		if strings.Contains(text, "Launch the pricing page") {
			t.Errorf("cycle 2's first check-in lists a rock finished in cycle 1:\n%s", text)
		}
	}

	// The coach's brief quotes the review as text too.
	brief := h.personal(coachID, "Coach", "message")
	brief["text"], brief["entities"] = "brief <at>Ana</at>", []any{mention(anaID, "Ana")}
	calls = step(func() { h.post(t, brief) })
	if len(calls) == 0 || !strings.Contains(lastCard(calls).Text(), "Quarterly review · cycle 1") {
		t.Fatalf("brief: %v", calls)
	}
	typedAsText(t, "brief", lastCard(calls).Text())
	if mentionsAny(lastCard(calls).Body) {
		t.Errorf("the brief mentions someone: %v", lastCard(calls).Body)
	}

	// Ana answers Monday's card, so that nothing waits for a plain reply
	// (while one does, a plain "leave" would be taken as the answer).
	h.execute(t, anaID, "Ana", mondayCard, map[string]string{"moved": "set the new rocks", "priority": "call two pilots",
		"rock": bottest.ID(rocks[2].ID), "energy": "4"})
	if c, err := h.Store.CheckIn(ctx, e.ID, monday); err != nil || c.Status != bot.AnswerComplete {
		t.Fatalf("Monday's check-in: %+v, %v", c, err)
	}

	// Ana's `leave` asks first; its Leave button ends the coaching, the
	// coach is told, and no prompt goes out after.
	calls = step(func() { h.say(t, anaID, "Ana", "leave") })
	ask := lastCard(calls)
	if !strings.Contains(ask.Text(), "Stop working with Coach on smart90?") {
		t.Errorf("leave asks: %q", ask.Text())
	}
	var leave map[string]any
	walkJSON(ask.Body, func(v map[string]any) {
		if d, ok := v["data"].(map[string]any); ok && v["type"] == "Action.Submit" && d["action"] == bot.ActionLeaveConfirm {
			leave = d
		}
	})
	if leave == nil || leave["value"] != strconv.FormatInt(e.ID, 10) {
		t.Fatalf("leave's card has no Leave button for the engagement: %v", ask.Body)
	}
	if s, _ := h.Store.Engagement(ctx, e.ID); s.Status != bot.EngagementActive {
		t.Fatalf("asking ended the engagement: %s", s.Status)
	}
	calls = step(func() { h.press(t, anaID, "Ana", leave) })
	var toCoach, toAna []string
	for _, c := range calls {
		switch c.Conversation {
		case "a:chat-" + coachID:
			toCoach = append(toCoach, c.Text())
		case "a:chat-" + anaID:
			toAna = append(toAna, c.Text())
		}
	}
	if !slices.ContainsFunc(toCoach, func(s string) bool { return strings.Contains(s, "Ana stopped working with you on smart90") }) {
		t.Errorf("the coach was not told: %q", toCoach)
	}
	if !slices.ContainsFunc(toAna, func(s string) bool { return strings.Contains(s, "Done: you no longer work with Coach") }) {
		t.Errorf("Ana's answer: %q", toAna)
	}
	if s, _ := h.Store.Engagement(ctx, e.ID); s.Status != bot.EngagementEnded {
		t.Errorf("engagement after leaving: %s", s.Status)
	}
	h.Clock.Set(bottest.Day("2027-02-23", "09:00", "Europe/Paris"))
	for _, kind := range []bot.DeliveryKind{bot.DeliveryDaily, bot.DeliveryReminder, bot.DeliveryWeekly} {
		if needed, calls := deliver(anaID, kind, monday.AddDays(1)); needed || len(calls) != 0 {
			t.Errorf("%s after leaving: needed %v, calls %v", kind, needed, calls)
		}
	}
	// Nor does the scheduler send her anything, through to Friday's report.
	sched, err := scheduler.New(scheduler.Config{Store: h.Store, Deliverer: core, Clock: h.Clock, Logger: h.log})
	if err != nil {
		t.Fatal(err)
	}
	calls = step(func() {
		for end := bottest.Day("2027-02-26", "16:00", "Europe/Paris"); h.Clock.Now().Before(end); h.Clock.Advance(time.Hour) {
			if err := sched.Tick(ctx); err != nil {
				t.Fatal(err)
			}
		}
	})
	for _, c := range calls {
		if c.Conversation == "a:chat-"+anaID {
			t.Errorf("sent to Ana after she left: %q", c.Text())
		}
	}
}

// reviewCardIs fails t unless the activity is the review of cycle 1 as a
// card: a done/carry/drop choice and a learned line per rock, the win and
// the change, submitted by Action.Execute for the cycle.
func reviewCardIs(t *testing.T, c teamstest.Call, rocks []*bot.Rock, value string) {
	t.Helper()
	if text := c.Text(); !strings.Contains(text, "Quarterly review · cycle 1") || !strings.Contains(text, "(2026-11-22 to 2027-02-19)") {
		t.Errorf("review card text:\n%s", text)
	}
	verb, data, initial := executeAction(t, c.Body)
	if verb != bot.FormReview || data["form"] != bot.FormReview || data["value"] != value {
		t.Errorf("review card submits %q %v", verb, data)
	}
	inputs := map[string]string{}
	walkJSON(c.Body, func(v map[string]any) {
		typ, _ := v["type"].(string)
		id, _ := v["id"].(string)
		if !strings.HasPrefix(typ, "Input.") {
			return
		}
		inputs[id] = typ
		if typ == "Input.ChoiceSet" {
			var vals []string
			for _, ch := range v["choices"].([]any) {
				vals = append(vals, ch.(map[string]any)["value"].(string))
			}
			if !slices.Equal(vals, []string{"done", "carry", "drop"}) {
				t.Errorf("%s: choices %v", id, vals)
			}
		}
	})
	for _, r := range rocks {
		id := "rock_" + bottest.ID(r.ID)
		if inputs[id+"_decision"] != "Input.ChoiceSet" || inputs[id+"_learned"] != "Input.Text" || initial[id+"_decision"] != "carry" {
			t.Errorf("rock %d: inputs %v, initial %v", r.Position, inputs, initial)
		}
	}
	if inputs["win"] != "Input.Text" || inputs["change"] != "Input.Text" || len(inputs) != 2*len(rocks)+2 {
		t.Errorf("review card inputs: %v", inputs)
	}
}

// invokeText is the text of the card an invoke response shows.
func invokeText(resp map[string]any) string {
	return teamstest.Call{Body: map[string]any{"attachments": []any{map[string]any{"content": resp["value"]}}}}.Text()
}

// mentionsAny reports whether an activity carries a mention entity.
func mentionsAny(body map[string]any) bool {
	found := false
	walkJSON(body, func(v map[string]any) {
		if v["type"] == "mention" {
			found = true
		}
	})
	return found
}

// typedAsText fails t unless the review line Ana typed shows in text as
// text: Teams' mention markup and tokens broken, so no mention.
func typedAsText(t testing.TB, what, text string) {
	t.Helper()
	if !strings.Contains(text, "<\u200bat>Coach<\u200b/at> ask <\u200b@29:coach>, <\u200b!channel> and @everyone first") {
		t.Errorf("%s does not show the typed line as text:\n%q", what, text)
	}
	if strings.Contains(text, "<at>Coach</at> ask") {
		t.Errorf("%s renders the typed <at> as a mention:\n%s", what, text)
	}
}
