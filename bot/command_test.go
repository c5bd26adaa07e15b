package bot_test

import (
	"strings"
	"testing"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

func TestHelp(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	b.Engage(t, coach, ana)

	forCoach := bottest.Text(b.Command(t, coach, "help")...)
	forClient := bottest.Text(b.Command(t, ana, "help")...)
	for _, text := range []string{forCoach, forClient} {
		for _, want := range []string{"`invite @client`", "`rocks [@client]", "`checkin [mon|YYYY-MM-DD]`", "`forget-me`"} {
			if !strings.Contains(text, want) {
				t.Errorf("help lacks %s:\n%s", want, text)
			}
		}
	}
	// A coach reads the coach's commands first, a client their own.
	if i, j := strings.Index(forCoach, "*As a coach*"), strings.Index(forCoach, "`checkin [mon"); i < 0 || j < i {
		t.Errorf("coach's help does not start with the coach's commands:\n%s", forCoach)
	}
	if i, j := strings.Index(forClient, "`checkin [mon"), strings.Index(forClient, "*Coaches*"); j < 0 || i > j {
		t.Errorf("client's help does not start with the client's commands:\n%s", forClient)
	}
	// An empty command, `/smart90 help` and a plain "help" in the DM are help too.
	for _, out := range [][]bot.Message{b.Command(t, ana, ""), b.Command(t, ana, "/smart90 help"), b.Say(t, ana, "help")} {
		if got := bottest.Text(out...); got != forClient {
			t.Errorf("help variant = %q", got)
		}
	}
	// Help changes nothing.
	if p := b.Person(t, ana); p.IsCoach {
		t.Error("help made ana a coach")
	}
}

func TestUnknownCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		word string
		near string // "" = no suggestion
	}{
		{"rock", "rocks"},
		{"rcoks", "rocks"},
		{"ROCKS!", "rocks"},
		{"setings", "settings"},
		{"inv", "invite"},
		{"histroy", "history"},
		{"xyzzyq", ""},
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			t.Parallel()
			b := bottest.Setup(t)
			out := b.Command(t, ana, tt.word+" something")
			has(t, out, "I don't know the command `"+strings.ToLower(tt.word)+"`.", "*smart90 keeps your quarterly rocks alive")
			if tt.near != "" {
				has(t, out, "Did you mean `"+tt.near+"`?")
			} else {
				lacks(t, out, "Did you mean")
			}
			if p := b.Person(t, ana); p.IsCoach {
				t.Error("an unknown command made ana a coach")
			}
		})
	}
}

func TestBadEvents(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	has(t, b.Click(t, ana, "no.such.button", "1"), "That button is out of date")
	has(t, b.Submit(t, ana, "no.such.form", "1", nil), "That form is out of date")
	has(t, b.Say(t, ana, "hello?"), "Nothing is waiting for an answer right now")
	if out := b.Say(t, ana, "   "); len(out) != 0 {
		t.Errorf("an empty message got %q", bottest.Text(out...))
	}
	out, err := b.Bot.Handle(t.Context(), bot.Event{Kind: bot.EventCommand, Text: "help"})
	if err != nil || !strings.Contains(bottest.Text(out...), "I could not tell who sent that") {
		t.Errorf("an event without a user: %q, %v", bottest.Text(out...), err)
	}
}
