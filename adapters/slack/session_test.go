package slack

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/scheduler"
)

// TestSessionBriefThroughSlack: a session booked with the slash command
// brings the brief to the coach's DM an hour before it, once, through the
// real scheduler and slack-go against the fake Web API; after it the
// coach is asked for notes, and their DM reply is kept as the session's
// notes.
func TestSessionBriefThroughSlack(t *testing.T) {
	t.Parallel()
	h := setupHTTP(t)
	ctx := context.Background()
	e := h.Engage(t, coachRef, anaRef) // Sunday 2026-11-22
	if code, body := h.command(t, "UCOACH", "session <@UANA|ana> next 2026-11-24 15:00 45m"); code != http.StatusOK || !strings.Contains(body, "Booked a session with ana") {
		t.Fatalf("session next: %d %s", code, body)
	}
	sched, err := scheduler.New(scheduler.Config{Store: h.Store, Deliverer: h.adapter.cfg.Handler.(scheduler.Deliverer), Clock: h.Clock})
	if err != nil {
		t.Fatal(err)
	}
	n := len(h.slack.Calls())
	for end := time.Date(2026, 11, 24, 16, 0, 0, 0, time.UTC); h.Clock.Now().Before(end); {
		h.Clock.Advance(15 * time.Minute)
		if err := sched.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var briefs, asks int
	for _, text := range h.posted(n) {
		if strings.HasPrefix(text, "Your session with ana is at 15:00 (in 1 hour).") {
			briefs++
		}
		if strings.Contains(text, "How did your session with ana go?") {
			asks++
		}
	}
	if briefs != 1 || asks != 1 {
		t.Fatalf("%d briefs and %d notes questions posted, want one of each:\n%s", briefs, asks, strings.Join(h.posted(n), "\n---\n"))
	}

	ev := `{"type":"event_callback","team_id":"T1","event_id":"EvNotes","event":{"type":"message","channel":"D0COACH","user":"UCOACH",` +
		`"text":"she wants the offer out by Christmas","ts":"8.1","channel_type":"im"}}`
	if code, _ := h.post(t, "application/json", ev); code != http.StatusOK {
		t.Fatalf("the coach's reply: %d", code)
	}
	ss, err := h.Store.Sessions(ctx, e.ID)
	if err != nil || len(ss) != 1 || ss[0].Notes != "she wants the offer out by Christmas" {
		t.Fatalf("sessions = %+v (%v), want the one with the coach's notes", ss, err)
	}
}
