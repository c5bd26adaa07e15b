package slack

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// TestLoopRocksAndPlainReplies continues the loop of TestHTTPLoop: Ana
// adds a rock through the modal the Accept reply's button opens, gets the
// day's check-in in her DM and answers it by plain replies, one per
// question. It asserts the Web API calls each step makes, in order.
func TestLoopRocksAndPlainReplies(t *testing.T) {
	t.Parallel()
	h := setupHTTP(t)
	ctx := context.Background()
	h.command(t, "UCOACH", "invite <@UANA|ana>")
	ana := h.person(t, "UANA")
	e, err := h.Store.LiveEngagementForClient(ctx, ana.ID)
	if err != nil {
		t.Fatal(err)
	}
	user := map[string]any{"id": "UANA", "name": "ana", "team_id": "T1"}
	team := map[string]any{"id": "T1"}
	steps := func(step func()) []string {
		t.Helper()
		n := len(h.slack.Calls())
		step()
		return h.slack.Methods()[n:]
	}

	got := steps(func() {
		h.interaction(t, map[string]any{"type": "block_actions", "user": user, "team": team, "trigger_id": "t1",
			"actions": []map[string]any{{"block_id": "b", "action_id": "invite.accept", "value": strconv.FormatInt(e.ID, 10), "type": "button"}}})
	})
	// The coach's DM opened and told; the welcome in Ana's DM (open since
	// the invitation; her profile read then too).
	if want := []string{"conversations.open", "chat.postMessage", "chat.postMessage"}; !slices.Equal(got, want) {
		t.Errorf("accept: calls %v, want %v", got, want)
	}

	// "Add a rock" opens the rocks modal; submitting it stores the rock.
	got = steps(func() {
		h.interaction(t, map[string]any{"type": "block_actions", "user": user, "team": team, "trigger_id": "t2",
			"actions": []map[string]any{{"block_id": "b", "action_id": bot.ActionRockAdd, "value": "", "type": "button"}}})
	})
	if want := []string{"views.open"}; !slices.Equal(got, want) {
		t.Errorf("Add a rock: calls %v, want %v", got, want)
	}
	view := h.slack.Calls()[len(h.slack.Calls())-1].Form["view"]
	if !strings.Contains(view, `"callback_id":"rock.add"`) {
		t.Fatalf("the modal opened is not the rocks form: %s", view)
	}
	var v struct {
		PrivateMetadata string `json:"private_metadata"`
	}
	json.Unmarshal([]byte(view), &v)
	if e, err = h.Store.Engagement(ctx, e.ID); err != nil { // accepted: its cycle starts today
		t.Fatal(err)
	}
	state := map[string]any{"values": map[string]any{
		"title":     map[string]any{"title": map[string]any{"type": "plain_text_input", "value": "Hire a CTO"}},
		"done_when": map[string]any{"done_when": map[string]any{"type": "plain_text_input", "value": "offer signed"}},
		"due":       map[string]any{"due": map[string]any{"type": "datepicker", "selected_date": e.Start.AddDays(60).String()}},
	}}
	got = steps(func() {
		h.interaction(t, map[string]any{"type": "view_submission", "user": user, "team": team,
			"view": map[string]any{"callback_id": "rock.add", "private_metadata": v.PrivateMetadata, "state": state}})
	})
	if want := []string{"chat.postMessage"}; !slices.Equal(got, want) { // the confirmation in her DM
		t.Errorf("rock submitted: calls %v, want %v", got, want)
	}
	rocks, err := h.Store.Rocks(ctx, e.ID)
	if err != nil || len(rocks) != 1 || rocks[0].Title != "Hire a CTO" || rocks[0].DoneWhen != "offer signed" {
		t.Fatalf("rocks after the modal: %+v, %v", rocks, err)
	}

	// The day's check-in arrives in her DM; she answers by plain replies.
	h.Clock.Advance(24 * time.Hour)
	day := bot.DateOf(h.Clock.Now().In(bot.Zone(h.person(t, "UANA").TimeZone)))
	d := &bot.Delivery{PersonID: ana.ID, EngagementID: e.ID, Kind: bot.DeliveryDaily, Period: day.String(), DueAt: h.Clock.Now()}
	if _, err := h.Store.CreateDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}
	got = steps(func() {
		if _, needed, err := h.adapter.cfg.Handler.(*bot.Bot).Deliver(ctx, d); err != nil || !needed {
			t.Fatalf("deliver the check-in: %v, %v", needed, err)
		}
	})
	// Her status first: a prompt skips a person out of office.
	if want := []string{"users.profile.get", "chat.postMessage"}; !slices.Equal(got, want) {
		t.Errorf("check-in prompt: calls %v, want %v", got, want)
	}
	for i, answer := range []string{"briefed the recruiter", "1 screen five candidates", "no", "4"} {
		got = steps(func() {
			h.post(t, "application/json", `{"type":"event_callback","team_id":"T1","event_id":"EvA`+strconv.Itoa(i)+`","event":{"type":"message","channel":"D069C7QFK","user":"UANA","text":"`+answer+`","ts":"9.`+strconv.Itoa(i)+`","channel_type":"im"}}`)
		})
		// The next question, then the summary; a day on, the first reply
		// also refreshes her profile.
		want := []string{"chat.postMessage"}
		if i == 0 {
			want = []string{"users.info", "chat.postMessage"}
		}
		if !slices.Equal(got, want) {
			t.Errorf("reply %d: calls %v, want %v", i+1, got, want)
		}
	}
	c, err := h.Store.CheckIn(ctx, e.ID, day)
	if err != nil || c.Status != bot.AnswerComplete || c.Moved != "briefed the recruiter" || c.PriorityRockID != rocks[0].ID || c.Energy != 4 {
		t.Fatalf("check-in by plain replies: %+v, %v", c, err)
	}
}
