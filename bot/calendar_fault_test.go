package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// TestCalendarWhilePostgresIsCut: while the database cannot be reached,
// reading calendars fails and is tried again, but the coach is told
// nothing: their calendar works, the database did not. Once it is back,
// the next read brings the sessions in.
func TestCalendarWhilePostgresIsCut(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, px := postgresBehindProxy(t)

	b := bottest.SetupWith(t, bottest.Options{Store: db})
	b.Engage(t, coach, ana)
	setEmail(t, b, ana, "ana@example.com")
	f, srv := serveCalendar(t)
	has(t, b.Command(t, coach, "calendar "+srv.URL+"/cal/"+calendarSecret+"/basic.ics"), "Connected your calendar")
	before := len(b.Messenger.SentTo("coach"))
	s := &bot.CalendarSyncer{Bot: b.Bot, HTTP: srv.Client()}

	px.Stop()
	for range 3 {
		runCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if _, err := s.RunOnce(runCtx); err == nil {
			t.Error("a read with the database cut succeeded")
		}
		cancel()
		b.Clock.Advance(bot.CalendarEvery)
	}
	if err := px.Start(); err != nil {
		t.Fatal(err)
	}
	if n, err := s.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("first read after the database came back: %d calendars, %v", n, err)
	}
	for _, m := range b.Messenger.SentTo("coach")[before:] {
		if strings.Contains(m.Msg.Text, "calendar") {
			t.Errorf("the coach was told of a database outage as a calendar failure: %q", m.Msg.Text)
		}
	}
	if n := len(sessionLinesAll(t, b)); n == 0 {
		t.Error("no sessions from the calendar after the database came back")
	}
	if hits, _ := f.counts(); hits != 1 {
		t.Errorf("the feed was read %d times, want once: not while the database was cut", hits)
	}
}
