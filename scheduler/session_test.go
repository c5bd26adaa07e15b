package scheduler_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/scheduler"
)

// TestSessionBriefAndNotesOnTime: through the real scheduler and core, a
// booked session's brief reaches the coach once, an hour before it, and
// the notes question once at its end; a cancelled session brings
// neither, a moved one brings its brief at the new time only, and a
// coach who turned the brief off gets none.
func TestSessionBriefAndNotesOnTime(t *testing.T) {
	t.Parallel()
	cora := bot.UserRef{ExternalID: "cora", DisplayName: "Cora", TimeZone: "Europe/London"}
	ana := bot.UserRef{ExternalID: "ana", DisplayName: "Ana", TimeZone: "Europe/Paris"}
	b := bottest.Setup(t)
	e := b.Engage(t, cora, ana)
	sched, err := scheduler.New(scheduler.Config{Store: b.Store, Deliverer: b.Bot, Clock: b.Clock,
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	must(t, err)
	tick := func(utc string) {
		t.Helper()
		at, err := time.Parse("2006-01-02 15:04", utc)
		must(t, err)
		b.Clock.Set(at)
		must(t, sched.Tick(context.Background()))
	}
	// What the coach got about sessions, in order.
	got := func() []string {
		var out []string
		for _, s := range b.Messenger.SentTo("cora") {
			if line, _, _ := strings.Cut(s.Msg.Text, "\n"); strings.Contains(line, "session with Ana") {
				out = append(out, line)
			}
		}
		return out
	}
	want := func(lines ...string) {
		t.Helper()
		if g := got(); strings.Join(g, "\n") != strings.Join(lines, "\n") {
			t.Fatalf("the coach got:\n%s\nwant:\n%s", strings.Join(g, "\n"), strings.Join(lines, "\n"))
		}
	}

	// London is on UTC in winter.
	b.Command(t, cora, "session <@ana> next 2026-11-26 15:00")
	b.Command(t, cora, "session <@ana> next 2026-11-27 15:00 30m")
	b.Command(t, cora, "session <@ana> cancel 2026-11-27")
	b.Command(t, cora, "session <@ana> next 2026-11-30 15:00")

	tick("2026-11-26 13:59")
	want()
	tick("2026-11-26 14:00")
	tick("2026-11-26 14:05")
	brief := "Your session with Ana is at 15:00 (in 1 hour)."
	want(brief)
	tick("2026-11-26 15:59")
	want(brief)
	tick("2026-11-26 16:00")
	tick("2026-11-26 16:30")
	notes := "How did your session with Ana go? Reply with a line of notes for your next brief — or ignore this."
	want(brief, notes)

	// The cancelled one: nothing, at its brief's time or its end.
	tick("2026-11-27 14:00")
	tick("2026-11-27 15:30")
	want(brief, notes)

	// Monday's is moved to Tuesday, as a calendar would.
	ss, err := b.Store.Sessions(context.Background(), e.ID)
	must(t, err)
	mon := ss[len(ss)-1]
	mon.Start, mon.Day, mon.UpdatedAt = time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC), bot.Date{Year: 2026, Month: 12, Day: 1}, b.Clock.Now()
	must(t, b.Store.UpdateSession(context.Background(), mon))
	must(t, b.Bot.PlanSessions(context.Background(), mon))
	tick("2026-11-30 14:00")
	tick("2026-11-30 16:00")
	want(brief, notes)
	tick("2026-12-01 14:00")
	tick("2026-12-01 16:00")
	want(brief, notes, brief, notes)

	// Off: none.
	b.Command(t, cora, "settings brief off")
	b.Command(t, cora, "session <@ana> next 2026-12-03 15:00")
	tick("2026-12-03 14:00")
	tick("2026-12-03 16:00")
	want(brief, notes, brief, notes)
}
