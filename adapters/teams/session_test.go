package teams

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/scheduler"
)

// TestSessionBriefThroughTeams: a session the coach books in a channel
// brings the brief to their 1:1 chat an hour before it, once, through the
// real scheduler and the Bot Connector fake; after it the coach is asked
// for notes, and their reply in the chat is kept as the session's notes.
func TestSessionBriefThroughTeams(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	h.post(t, h.channel(coachID, "Coach", "invite <at>Ana</at>", mention(anaID, "Ana")))
	e, err := h.Store.LiveEngagementForClient(ctx, h.person(t, anaID).ID)
	if err != nil {
		t.Fatal(err)
	}
	h.press(t, anaID, "Ana", map[string]any{"smart90": "action", "action": bot.ActionAccept, "value": strconv.FormatInt(e.ID, 10)})
	n := len(h.conn.Calls())
	h.post(t, h.channel(coachID, "Coach", "session <at>Ana</at> next 2026-11-24 15:00 45m", mention(anaID, "Ana")))
	if booked := strings.Join(h.texts(n), "\n"); !strings.Contains(booked, "Booked a session with Ana") {
		t.Fatalf("booking answered:\n%s", booked)
	}
	sched, err := scheduler.New(scheduler.Config{Store: h.Store, Deliverer: h.adapter.cfg.Handler.(scheduler.Deliverer), Clock: h.Clock, Logger: h.log})
	if err != nil {
		t.Fatal(err)
	}
	n = len(h.conn.Calls())
	for end := time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC); h.Clock.Now().Before(end); {
		h.Clock.Advance(15 * time.Minute)
		if err := sched.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var briefs, asks int
	for _, text := range h.texts(n) {
		if strings.Contains(text, "Your session with Ana is at 15:00 (in 1 hour).") {
			briefs++
		}
		if strings.Contains(text, "How did your session with Ana go?") {
			asks++
		}
	}
	if briefs != 1 || asks != 1 {
		t.Fatalf("%d briefs and %d notes questions sent, want one of each:\n%s", briefs, asks, strings.Join(h.texts(n), "\n---\n"))
	}
	h.say(t, coachID, "Coach", "she wants the offer out by Christmas")
	ss, err := h.Store.Sessions(ctx, e.ID)
	if err != nil || len(ss) != 1 || ss[0].Notes != "she wants the offer out by Christmas" {
		t.Fatalf("sessions = %+v (%v), want the one with the coach's notes", ss, err)
	}
}
