package teams

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/png"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/adapters/teams/teamstest"
	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/scheduler"
)

// TestLoop drives the whole loop through /api/messages with signed
// activities, the real core on SQLite and a fake Bot Connector: the app
// added to a team → invite → accept → rocks card → check-in by card and by
// plain replies → weekly report → digest thread in the channel. Each step
// asserts the exact connector calls it makes.
func TestLoop(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	step := func(name string, want []string, do func()) []string {
		t.Helper()
		n := len(h.conn.Calls())
		do()
		got := h.ops(n)
		if want != nil && !slices.Equal(got, want) {
			t.Errorf("%s: connector calls\n got %q\nwant %q", name, got, want)
		}
		return got
	}
	last := func() string { c := h.conn.Calls(); return c[len(c)-1].Text() }

	// The app is added to the team: its General channel is remembered and
	// smart90 says what it does there.
	step("bot added to the team", []string{"SendToConversation " + generalID}, func() {
		a := h.channel(coachID, "Coach", "")
		a["type"], a["text"], a["entities"] = "conversationUpdate", "", nil
		a["membersAdded"] = []any{map[string]any{"id": testBot}}
		if code, _ := h.post(t, a); code != http.StatusOK {
			t.Fatalf("conversationUpdate: %d", code)
		}
	})

	// The coach invites Ana from the channel: Ana has never written to the
	// bot, so her 1:1 chat is created; the coach's answer is private.
	invite := h.channel(coachID, "Coach", "invite <at>Ana</at>", mention(anaID, "Ana"))
	step("invite", []string{
		"CreateConversation", "SendToConversation a:chat-" + anaID, // the invitation
		"CreateConversation", "SendToConversation a:chat-" + coachID, // "Invitation sent", privately
		"SendToConversation " + generalID + ";messageid=" + invite["id"].(string), // a pointer to it in the thread
	}, func() { h.post(t, invite) })
	if !strings.Contains(h.conn.Calls()[0].Text(), "digest here") {
		t.Errorf("hello to the team: %q", h.conn.Calls()[0].Text())
	}
	calls := h.conn.Calls()[1:]
	if !strings.Contains(calls[1].Text(), "invited you to smart90") {
		t.Errorf("invitation card: %q", calls[1].Text())
	}
	if !strings.Contains(calls[3].Text(), "Invitation sent to Ana") {
		t.Errorf("coach's private answer: %q", calls[3].Text())
	}
	create := calls[0].Body
	if create["tenantId"] != testTenant || create["bot"].(map[string]any)["id"] != testBot ||
		create["members"].([]any)[0].(map[string]any)["id"] != anaID {
		t.Errorf("CreateConversation body: %v", create)
	}

	// The digest goes to the channel the coach types "digest here" in.
	here := h.channel(coachID, "Coach", "digest here")
	step("digest here", []string{"SendToConversation a:chat-" + coachID, "SendToConversation " + generalID + ";messageid=" + here["id"].(string)},
		func() { h.post(t, here) })
	coach := h.person(t, coachID)
	if coach.DigestChannel != generalID || !coach.IsCoach {
		t.Fatalf("coach after digest here: %+v", coach)
	}
	if !strings.Contains(h.conn.Calls()[6].Text(), "#General") {
		t.Errorf("digest reply names the channel: %q", h.conn.Calls()[6].Text())
	}

	// Ana accepts with the invitation card's button (Action.Submit).
	ana := h.person(t, anaID)
	e, err := h.Store.LiveEngagementForClient(ctx, ana.ID)
	if err != nil {
		t.Fatal(err)
	}
	step("accept", []string{"SendToConversation a:chat-" + coachID, "SendToConversation a:chat-" + anaID}, func() {
		h.press(t, anaID, "Ana", map[string]any{"smart90": "action", "action": bot.ActionAccept, "value": strconv.FormatInt(e.ID, 10)})
	})
	if e, _ = h.Store.Engagement(ctx, e.ID); e.Status != bot.EngagementActive {
		t.Fatalf("engagement after accept: %s", e.Status)
	}
	if ana = h.person(t, anaID); ana.TimeZone != "Europe/Paris" {
		t.Errorf("Ana's zone from Teams' localTimezone: %q", ana.TimeZone)
	}

	// "rocks" in her chat brings the rocks card; she submits it.
	step("rocks", []string{"SendToConversation a:chat-" + anaID}, func() { h.say(t, anaID, "Ana", "rocks") })
	rocksCard := h.conn.Calls()[len(h.conn.Calls())-1]
	var resp map[string]any
	step("rock submitted", []string{}, func() {
		resp = h.execute(t, anaID, "Ana", rocksCard, map[string]string{"title": "Hire a CTO", "done_when": "offer signed"})
	})
	if resp["statusCode"] != float64(200) || resp["type"] != ContentTypeCard {
		t.Errorf("invoke response: %v", resp)
	}
	rocks, err := h.Store.Rocks(ctx, e.ID)
	if err != nil || len(rocks) != 1 || rocks[0].Title != "Hire a CTO" || rocks[0].DoneWhen != "offer signed" {
		t.Fatalf("rocks after the card: %+v, %v", rocks, err)
	}

	// Monday 09:00 in Paris: the check-in card arrives from the scheduler.
	sched, err := scheduler.New(scheduler.Config{Store: h.Store, Deliverer: h.adapter.cfg.Handler.(scheduler.Deliverer), Clock: h.Clock, Logger: h.log})
	if err != nil {
		t.Fatal(err)
	}
	until := func(local string) {
		t.Helper()
		at, err := time.ParseInLocation("2006-01-02 15:04", local, bot.Zone("Europe/Paris"))
		if err != nil {
			t.Fatal(err)
		}
		for h.Clock.Now().Before(at) {
			h.Clock.Advance(min(30*time.Minute, at.Sub(h.Clock.Now())))
			if err := sched.Tick(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	step("Monday's check-in", []string{"SendToConversation a:chat-" + anaID}, func() { until("2026-11-23 09:05") })
	checkinCard := h.conn.Calls()[len(h.conn.Calls())-1]
	if !strings.Contains(checkinCard.Text(), "Cycle 1 · day 2 of 90") || !strings.Contains(checkinCard.Text(), "Hire a CTO") {
		t.Errorf("check-in card: %q", checkinCard.Text())
	}
	// She answers by the card.
	step("check-in by card", []string{}, func() {
		resp = h.execute(t, anaID, "Ana", checkinCard, map[string]string{"moved": "briefed the recruiter",
			"priority": "screen candidates", "rock": strconv.FormatInt(int64(rocks[0].Position), 10), "stuck": "", "energy": "4"})
	})
	c, err := h.Store.CheckIn(ctx, e.ID, bot.Date{Year: 2026, Month: 11, Day: 23})
	if err != nil || c.Status != bot.AnswerComplete || c.Moved != "briefed the recruiter" || c.Energy != 4 || c.PriorityRockID != rocks[0].ID {
		t.Fatalf("check-in by card: %+v, %v", c, err)
	}

	// Tuesday: by plain replies, one message per question.
	step("Tuesday's check-in", []string{"SendToConversation a:chat-" + anaID}, func() { until("2026-11-24 09:05") })
	step("check-in by replies", []string{
		"SendToConversation a:chat-" + anaID, "SendToConversation a:chat-" + anaID,
		"SendToConversation a:chat-" + anaID, "SendToConversation a:chat-" + anaID,
	}, func() {
		for _, s := range []string{"shortlisted three", "1 first interviews", "no", "3"} {
			h.say(t, anaID, "Ana", s)
		}
	})
	if !strings.Contains(last(), "Saved") {
		t.Errorf("after the last answer: %q", last())
	}
	c, err = h.Store.CheckIn(ctx, e.ID, bot.Date{Year: 2026, Month: 11, Day: 24})
	if err != nil || c.Status != bot.AnswerComplete || c.Moved != "shortlisted three" || c.Priority != "first interviews" || c.Energy != 3 {
		t.Fatalf("check-in by replies: %+v, %v", c, err)
	}

	// Friday 15:00: the weekly report, answered by card (the reminders and
	// the days between go out as they would).
	until("2026-11-27 15:05")
	weeklyCard := h.conn.Calls()[len(h.conn.Calls())-1]
	if !strings.Contains(weeklyCard.Text(), "Weekly accountability") {
		t.Fatalf("the last message on Friday is not the weekly report: %q", weeklyCard.Text())
	}
	rock := "rock_" + strconv.FormatInt(rocks[0].ID, 10)
	step("weekly by card", []string{}, func() {
		h.execute(t, anaID, "Ana", weeklyCard, map[string]string{rock + "_status": string(bot.RockOffTrack), rock + "_progress": "10",
			rock + "_note": "no candidate yet", "win": "signed the first pilot", "stuck": "the CTO search", "ask": "how to hire faster"})
	})
	w, err := h.Store.WeeklyReport(ctx, e.ID, bot.Date{Year: 2026, Month: 11, Day: 23})
	if err != nil || w.Status != bot.AnswerComplete || w.Win != "signed the first pilot" {
		t.Fatalf("weekly report: %+v, %v", w, err)
	}

	// Monday 07:00 in the coach's zone: the digest is a parent card in the
	// channel mentioning the coach, and one reply per client in its thread.
	n := len(h.conn.Calls())
	until("2026-11-30 09:05")
	var digest, charts []string
	var parent, reply string
	for _, c := range h.conn.Calls()[n:] {
		if strings.HasPrefix(c.Conversation, generalID) && isImage(c) {
			// The reply's charts, each an inline image in the reply's thread.
			a := c.Body["attachments"].([]any)[0].(map[string]any)
			data, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(a["contentUrl"].(string), "data:image/png;base64,"))
			if cfg, ierr := png.DecodeConfig(bytes.NewReader(data)); err != nil || ierr != nil || cfg.Width != 800 || cfg.Height != 400 {
				t.Errorf("chart %v: not an 800×400 PNG as a data URI (%v, %v)", a["name"], err, ierr)
			}
			if c.Conversation != generalID+";messageid="+parent {
				t.Errorf("chart %v posted to %q, want the digest's thread", a["name"], c.Conversation)
			}
			charts = append(charts, a["name"].(string))
			continue
		}
		if strings.HasPrefix(c.Conversation, generalID) {
			digest = append(digest, c.Conversation)
			if c.Conversation == generalID {
				parent = c.ID
				if !strings.Contains(c.Text(), "Weekly digest") || !strings.Contains(c.Text(), "<at>Coach</at>") {
					t.Errorf("digest parent: %q", c.Text())
				}
				if !mentions(c.Body, coachID) {
					t.Errorf("the digest parent's card does not carry the coach's mention entity: %v", c.Body)
				}
			} else {
				reply = c.Text()
			}
		}
	}
	if want := []string{generalID, generalID + ";messageid=" + parent}; !slices.Equal(digest, want) {
		t.Fatalf("digest posts %q, want %q", digest, want)
	}
	if !strings.Contains(reply, "Ana") || !strings.Contains(reply, "signed the first pilot") {
		t.Errorf("digest thread reply: %q", reply)
	}
	if len(charts) != 3 || !strings.HasPrefix(charts[0], "Ana · check-ins, cycle 1") || !strings.HasPrefix(charts[1], "Ana · energy") || !strings.HasPrefix(charts[2], "Ana · rocks") {
		t.Errorf("the digest reply's charts: %q, want the check-ins, energy and rocks of Ana's cycle", charts)
	}
}

// isImage reports whether an activity is an inline image (a chart), not a card.
func isImage(c teamstest.Call) bool {
	atts, _ := c.Body["attachments"].([]any)
	if len(atts) != 1 {
		return false
	}
	a, _ := atts[0].(map[string]any)
	return a["contentType"] == "image/png"
}

// mentions reports whether an activity's card carries a mention entity of id.
func mentions(body map[string]any, id string) bool {
	found := false
	walkJSON(body, func(v map[string]any) {
		if m, ok := v["mentioned"].(map[string]any); ok && v["type"] == "mention" && m["id"] == id {
			found = true
		}
	})
	return found
}
