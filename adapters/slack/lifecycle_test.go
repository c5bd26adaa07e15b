package slack

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/scheduler"
)

// typedRefs is a line a person types into the review: Slack's broadcast,
// a user mention and an @everyone, all of which must stay text.
const typedRefs = "<!channel> ask <@U123> and @everyone first"

// TestLoopCycleLifecycle lives across a cycle's end through the real
// adapter and slack-go against the fake Web API: the review week's weekly
// prompt is the quarterly review; its Answer button opens the review as a
// modal whose submission is stored and applied to the rocks; Friday's
// check-in, answered on Monday by Friday's own Answer button, is filed
// under Friday; cycle 2's first check-in says the quarter turned; the
// coach's digest and brief show what Ana typed as text; and `end` with
// its confirm button tells Ana and stops her prompts, by the scheduler
// too.
func TestLoopCycleLifecycle(t *testing.T) {
	t.Parallel()
	h := setupHTTP(t)
	ctx := context.Background()
	core := h.adapter.cfg.Handler.(*bot.Bot)
	user := map[string]any{"id": "UANA", "name": "ana", "team_id": "T1"}
	team := map[string]any{"id": "T1"}
	steps := func(step func()) []call {
		t.Helper()
		n := len(h.slack.Calls())
		step()
		return h.slack.Calls()[n:]
	}

	e := h.Engage(t, coachRef, anaRef) // Sunday 2026-11-22: cycle 1 runs to 2027-02-19
	h.Clock.Advance(time.Minute)
	for _, r := range []string{"Launch the pricing page | live and announced", "Hire a CTO | offer signed", "Close 3 pilots | three signed contracts"} {
		if code, body := h.command(t, "UANA", "rocks add "+r); code != 200 || !strings.Contains(body, "Added rock") {
			t.Fatalf("rocks add: %d %s", code, body)
		}
	}
	rocks, err := h.Store.Rocks(ctx, e.ID)
	if err != nil || len(rocks) != 3 {
		t.Fatalf("rocks: %+v, %v", rocks, err)
	}

	// deliver does what the scheduler does for one prompt, through the
	// core wired to the fake Slack, and returns the calls it made.
	deliver := func(who string, kind bot.DeliveryKind, day bot.Date) (bool, []call) {
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
		calls := steps(func() {
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

	// Friday 2027-02-19, cycle 1's last day: the morning check-in, then
	// at 15:00 the week's prompt, which is the quarterly review.
	h.Clock.Set(bottest.Day("2027-02-19", "09:00", "Europe/Paris"))
	_, calls := deliver("UANA", bot.DeliveryDaily, friday)
	fridayAnswer := button(t, lastPost(t, calls), bot.ActionAnswerCheckin)
	if want := "daily:" + bottest.ID(e.ID) + ":2027-02-19"; fridayAnswer != want {
		t.Errorf("Friday's Answer button carries %q, want %q", fridayAnswer, want)
	}
	h.Clock.Set(bottest.Day("2027-02-19", "15:00", "Europe/Paris"))
	if needed, calls := deliver("UANA", bot.DeliveryWeekly, bot.Date{Year: 2027, Month: 2, Day: 15}); !needed {
		t.Fatal("the review week's prompt was not sent")
	} else {
		post := lastPost(t, calls)
		text := postText(t, post)
		for _, s := range []string{"*Quarterly review · cycle 1* (2026-11-22 to 2027-02-19)", "Launch the pricing page", "Close 3 pilots"} {
			if !strings.Contains(text, s) {
				t.Errorf("review prompt lacks %q:\n%s", s, text)
			}
		}
		if strings.Contains(text, "Weekly accountability") {
			t.Errorf("the review week also asked for a weekly report:\n%s", text)
		}
		if v := button(t, post, bot.ActionAnswerReview); v != "review:"+bottest.ID(e.ID)+":2026-11-22" {
			t.Errorf("review Answer button carries %q", v)
		}
	}

	// Answer opens the review as a modal: a select per rock, then what was
	// learned, the win and the change.
	got := steps(func() {
		h.interaction(t, map[string]any{"type": "block_actions", "user": user, "team": team, "trigger_id": "t-review",
			"actions": []map[string]any{{"block_id": "b", "action_id": bot.ActionAnswerReview, "value": "review:" + bottest.ID(e.ID) + ":2026-11-22", "type": "button"}}})
	})
	if methods := callMethods(got); !slices.Equal(methods, []string{"views.open"}) {
		t.Fatalf("Answer on the review: calls %v, want views.open", methods)
	}
	var view slack.ModalViewRequest
	if err := json.Unmarshal([]byte(lastCall(t, got, "views.open").Form["view"]), &view); err != nil {
		t.Fatal(err)
	}
	view = checkModal(t, view)
	if view.CallbackID != bot.FormReview || view.PrivateMetadata != "review:"+bottest.ID(e.ID)+":2026-11-22" || lastCall(t, got, "views.open").Form["trigger_id"] != "t-review" {
		t.Errorf("review modal: callback %q, metadata %q, trigger %q", view.CallbackID, view.PrivateMetadata, lastCall(t, got, "views.open").Form["trigger_id"])
	}
	kinds := map[string]string{}
	for _, b := range view.Blocks.BlockSet {
		in := b.(*slack.InputBlock)
		switch el := in.Element.(type) {
		case *slack.SelectBlockElement:
			var opts []string
			for _, o := range el.Options {
				opts = append(opts, o.Value)
			}
			if !slices.Equal(opts, []string{"done", "carry", "drop"}) {
				t.Errorf("%s: options %v, want done, carry, drop", el.ActionID, opts)
			}
			kinds[el.ActionID] = el.Type
		case *slack.PlainTextInputBlockElement:
			kinds[el.ActionID] = "plain_text_input"
		}
	}
	for _, r := range rocks {
		id := "rock_" + bottest.ID(r.ID)
		if kinds[id+"_decision"] != "static_select" || kinds[id+"_learned"] != "plain_text_input" {
			t.Errorf("rock %d: modal inputs %v", r.Position, kinds)
		}
	}
	if kinds["win"] != "plain_text_input" || kinds["change"] != "plain_text_input" || len(kinds) != 2*len(rocks)+2 {
		t.Errorf("review modal inputs: %v", kinds)
	}

	// Submitting the modal stores the review and applies the decisions.
	state := map[string]any{}
	put := func(id, typ, value string) {
		a := map[string]any{"type": typ}
		if typ == "static_select" {
			a["selected_option"] = map[string]any{"value": value}
		} else {
			a["value"] = value
		}
		state[id] = map[string]any{id: a}
	}
	for i, d := range []bot.RockDecision{bot.DecisionDone, bot.DecisionDrop, bot.DecisionCarry} {
		id := "rock_" + bottest.ID(rocks[i].ID)
		put(id+"_decision", "static_select", string(d))
		put(id+"_learned", "plain_text_input", "")
	}
	put("rock_"+bottest.ID(rocks[0].ID)+"_learned", "plain_text_input", typedRefs)
	put("win", "plain_text_input", "the first pilot signed")
	put("change", "plain_text_input", "plan on Mondays")
	got = steps(func() {
		h.interaction(t, map[string]any{"type": "view_submission", "user": user, "team": team,
			"view": map[string]any{"callback_id": view.CallbackID, "private_metadata": view.PrivateMetadata, "state": map[string]any{"values": state}}})
	})
	if methods := callMethods(got); !slices.Equal(methods, []string{"chat.postMessage"}) || !strings.Contains(postText(t, lastPost(t, got)), "Review saved") {
		t.Errorf("review submitted: calls %v", methods)
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

	// Monday 07:00 in the coach's zone: the digest of the review week
	// quotes the review; what Ana typed is escaped, no broadcast or mention.
	h.Clock.Set(bottest.Day("2027-02-22", "07:00", "UTC"))
	if needed, calls := deliver("UCOACH", bot.DeliveryDigest, bot.Date{Year: 2027, Month: 2, Day: 15}); !needed {
		t.Fatal("no digest")
	} else {
		var all []string
		for _, c := range calls {
			if c.Method == "chat.postMessage" {
				all = append(all, postText(t, c))
			}
		}
		digest := strings.Join(all, "\n")
		if !strings.Contains(digest, "*Quarterly review · cycle 1*") || !strings.Contains(digest, "Biggest win: the first pilot signed") {
			t.Errorf("digest lacks the review:\n%s", digest)
		}
		typedAsText(t, "digest", digest)
	}

	// 08:00, before Monday's prompt: Friday's Answer button opens Friday's
	// check-in, and the modal submitted files it under Friday.
	h.Clock.Set(bottest.Day("2027-02-22", "08:00", "Europe/Paris"))
	got = steps(func() {
		h.interaction(t, map[string]any{"type": "block_actions", "user": user, "team": team, "trigger_id": "t-late",
			"actions": []map[string]any{{"block_id": "b", "action_id": bot.ActionAnswerCheckin, "value": fridayAnswer, "type": "button"}}})
	})
	if methods := callMethods(got); !slices.Equal(methods, []string{"views.open"}) {
		t.Fatalf("Friday's Answer on Monday: calls %v, want views.open", methods)
	}
	if err := json.Unmarshal([]byte(lastCall(t, got, "views.open").Form["view"]), &view); err != nil {
		t.Fatal(err)
	}
	if view.CallbackID != bot.FormCheckin || view.PrivateMetadata != fridayAnswer {
		t.Fatalf("late check-in modal: %q %q", view.CallbackID, view.PrivateMetadata)
	}
	state = map[string]any{}
	put("moved", "plain_text_input", "closed the quarter")
	put("priority", "plain_text_input", "plan the next one")
	put("rock", "static_select", bottest.ID(rocks[2].ID))
	put("stuck", "plain_text_input", "")
	put("energy", "static_select", "4")
	h.interaction(t, map[string]any{"type": "view_submission", "user": user, "team": team,
		"view": map[string]any{"callback_id": view.CallbackID, "private_metadata": view.PrivateMetadata, "state": map[string]any{"values": state}}})
	if c, err := h.Store.CheckIn(ctx, e.ID, friday); err != nil || c.Status != bot.AnswerComplete || c.Moved != "closed the quarter" || c.PriorityRockID != rocks[2].ID {
		t.Errorf("Friday's check-in answered on Monday: %+v, %v", c, err)
	}
	if c, err := h.Store.CheckIn(ctx, e.ID, monday); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("the late answer was filed under Monday: %+v, %v", c, err)
	}

	// 09:00: cycle 2's first check-in says the quarter turned.
	h.Clock.Set(bottest.Day("2027-02-22", "09:00", "Europe/Paris"))
	if needed, calls := deliver("UANA", bot.DeliveryDaily, monday); !needed {
		t.Fatal("cycle 2's first check-in was not sent")
	} else {
		text := postText(t, lastPost(t, calls))
		for _, s := range []string{"*Cycle 2 · day 3 of 90* · Monday 2027-02-22", "*Cycle 2 starts* — 2027-02-20 to 2027-05-20", "Carried over from cycle 1: rocks 3", "Close 3 pilots"} {
			if !strings.Contains(text, s) {
				t.Errorf("cycle 2's first check-in lacks %q:\n%s", s, text)
			}
		}
		if strings.Contains(text, "Launch the pricing page") {
			t.Errorf("cycle 2's first check-in lists a rock finished in cycle 1:\n%s", text)
		}
	}

	// The coach's brief, answered to the slash command, quotes the review
	// as text too.
	code, body := h.command(t, "UCOACH", "brief <@UANA|ana>")
	var msg slack.Msg
	if err := json.Unmarshal([]byte(body), &msg); code != 200 || err != nil {
		t.Fatalf("brief: %d %s", code, body)
	}
	brief := msg.Text + "\n" + blockTexts(t, msg.Blocks.BlockSet)
	if !strings.Contains(brief, "*Quarterly review · cycle 1*") {
		t.Errorf("brief lacks the review:\n%s", brief)
	}
	typedAsText(t, "brief", brief)

	// `end @ana` asks first; its confirm button ends the coaching, Ana is
	// told in plain words, and no prompt goes out after. (Names are
	// Slack profiles by now: the fake names people after their ids.)
	code, body = h.command(t, "UCOACH", "end <@UANA|ana>")
	if err := json.Unmarshal([]byte(body), &msg); code != 200 || err != nil || !strings.Contains(msg.Text, "End your coaching with") {
		t.Fatalf("end: %d %s", code, body)
	}
	confirm := ""
	for _, b := range msg.Blocks.BlockSet {
		if ab, ok := b.(*slack.ActionBlock); ok {
			for _, el := range ab.Elements.ElementSet {
				if bt, ok := el.(*slack.ButtonBlockElement); ok && bt.ActionID == bot.ActionEndConfirm {
					confirm = bt.Value
				}
			}
		}
	}
	if confirm != strconv.FormatInt(e.ID, 10) {
		t.Fatalf("end's confirm button carries %q", confirm)
	}
	if s, _ := h.Store.Engagement(ctx, e.ID); s.Status != bot.EngagementActive {
		t.Fatalf("asking ended the engagement: %s", s.Status)
	}
	n := len(h.slack.Calls())
	h.interaction(t, map[string]any{"type": "block_actions", "user": map[string]any{"id": "UCOACH", "name": "cora", "team_id": "T1"}, "team": team, "trigger_id": "t-end",
		"actions": []map[string]any{{"block_id": "b", "action_id": bot.ActionEndConfirm, "value": confirm, "type": "button"}}})
	told := strings.Join(h.posted(n), "\n")
	if !strings.Contains(told, "ucoach ended your coaching on smart90, so your check-ins and weekly reports have stopped") ||
		!strings.Contains(told, "Ended your coaching with uana") {
		t.Errorf("after confirming: %q", told)
	}
	if s, _ := h.Store.Engagement(ctx, e.ID); s.Status != bot.EngagementEnded {
		t.Errorf("engagement after confirming: %s", s.Status)
	}
	h.Clock.Set(bottest.Day("2027-02-23", "09:00", "Europe/Paris"))
	for _, kind := range []bot.DeliveryKind{bot.DeliveryDaily, bot.DeliveryReminder, bot.DeliveryWeekly} {
		if needed, calls := deliver("UANA", kind, monday.AddDays(1)); needed || len(calls) != 0 {
			t.Errorf("%s after the end: needed %v, calls %v", kind, needed, callMethods(calls))
		}
	}
	// Nor does the scheduler post anything, through to Friday's report
	// (the coach's next digest is due on Monday).
	sched, err := scheduler.New(scheduler.Config{Store: h.Store, Deliverer: core, Clock: h.Clock})
	if err != nil {
		t.Fatal(err)
	}
	got = steps(func() {
		for end := bottest.Day("2027-02-26", "16:00", "Europe/Paris"); h.Clock.Now().Before(end); h.Clock.Advance(time.Hour) {
			if err := sched.Tick(ctx); err != nil {
				t.Fatal(err)
			}
		}
	})
	if posts := h.posted(len(h.slack.Calls()) - len(got)); len(posts) != 0 {
		t.Errorf("posted after the end: %q", posts)
	}
}

// callMethods is the methods of calls, but for users.info: the
// adapter refreshes a profile at most daily, and days pass in this loop.
func callMethods(calls []call) []string {
	var out []string
	for _, c := range calls {
		if c.Method != "users.info" {
			out = append(out, c.Method)
		}
	}
	return out
}

// lastCall is the last call of method among calls.
func lastCall(t testing.TB, calls []call, method string) call {
	t.Helper()
	for i := len(calls) - 1; i >= 0; i-- {
		if calls[i].Method == method {
			return calls[i]
		}
	}
	t.Fatalf("no %s among %v", method, callMethods(calls))
	return call{}
}

// lastPost is the last chat.postMessage among calls.
func lastPost(t testing.TB, calls []call) call {
	t.Helper()
	return lastCall(t, calls, "chat.postMessage")
}

// postBlocks reads a chat.postMessage's blocks as slack-go does.
func postBlocks(t testing.TB, c call) []slack.Block {
	t.Helper()
	var blocks slack.Blocks
	if err := json.Unmarshal([]byte(c.Form["blocks"]), &blocks); err != nil {
		t.Fatalf("blocks: %v\n%s", err, c.Form["blocks"])
	}
	return blocks.BlockSet
}

// postText is what a chat.postMessage shows: its blocks' text as Slack
// gets it (decoded from JSON, so escapes are Slack's own), and the
// notification text.
func postText(t testing.TB, c call) string {
	t.Helper()
	return c.Form["text"] + "\n" + blockTexts(t, postBlocks(t, c))
}

// blockTexts joins the mrkdwn of section blocks.
func blockTexts(t testing.TB, blocks []slack.Block) string {
	t.Helper()
	var out []string
	for _, b := range blocks {
		if s, ok := b.(*slack.SectionBlock); ok && s.Text != nil {
			out = append(out, s.Text.Text)
		}
	}
	return strings.Join(out, "\n")
}

// button is the value of the button with actionID in a posted message.
func button(t testing.TB, c call, actionID string) string {
	t.Helper()
	for _, b := range postBlocks(t, c) {
		if ab, ok := b.(*slack.ActionBlock); ok {
			for _, el := range ab.Elements.ElementSet {
				if bt, ok := el.(*slack.ButtonBlockElement); ok && bt.ActionID == actionID {
					return bt.Value
				}
			}
		}
	}
	t.Fatalf("no %s button in the message", actionID)
	return ""
}

// typedAsText fails t unless the review line Ana typed shows in text as
// Slack's escaped text, never as a broadcast or a mention.
func typedAsText(t testing.TB, what, text string) {
	t.Helper()
	if !strings.Contains(text, "&lt;!channel&gt; ask &lt;@U123&gt; and @everyone first") {
		t.Errorf("%s does not show the typed line as text:\n%s", what, text)
	}
	for _, s := range []string{"<!channel>", "<@U123>", "<!everyone>"} {
		if strings.Contains(text, s) {
			t.Errorf("%s renders %s as Slack syntax:\n%s", what, s, text)
		}
	}
}
