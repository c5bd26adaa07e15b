package console_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// TestStatus: :status sets a person's emoji and text, "until" a date
// expires it at the end of that day in the person's zone, and :status NAME
// clears it; the console reads it back as a bot.StatusReader.
func TestStatus(t *testing.T) {
	t.Parallel()
	paris, _ := time.LoadLocation("Europe/Paris")
	for _, tt := range []struct {
		name, input string
		want        bot.Status
		shown       string
	}{
		{"emoji until a date", ":as ana Europe/Paris\n:status ana :palm_tree: until 2026-12-20\n",
			bot.Status{Emoji: ":palm_tree:", Expires: time.Date(2026, 12, 21, 0, 0, 0, 0, paris).UTC()},
			"(ana's status: :palm_tree:, until the end of 2026-12-20, Europe/Paris)"},
		{"emoji and text", ":status ana :Palm_Tree: Skiing in the Alps\n",
			bot.Status{Emoji: ":palm_tree:", Text: "Skiing in the Alps"}, "(ana's status: :palm_tree: Skiing in the Alps)"},
		{"text only, default zone", ":status ana Out of office until 2026-12-04\n",
			bot.Status{Text: "Out of office", Expires: time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)},
			"(ana's status: Out of office, until the end of 2026-12-04, Europe/London)"},
		{"cleared", ":status ana OOO\n:status ana\n", bot.Status{}, "(ana has no status)"},
		{"not a date", ":status ana :palm_tree: until Monday\n", bot.Status{}, `"Monday" is not a date`},
		{"until alone", ":status ana until 2026-12-20\n", bot.Status{}, "A status needs an emoji or some text"},
		{"until without a day", ":status ana :palm_tree: until\n", bot.Status{}, `"until" needs a day: :status ana :palm_tree: until YYYY-MM-DD.`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, tt.input)
			f.run(t)
			st, err := f.Console.Status(context.Background(), &bot.Installation{ExternalID: "local"}, "ana")
			if err != nil {
				t.Fatal(err)
			}
			if st != tt.want {
				t.Errorf("status %+v, want %+v", st, tt.want)
			}
			if !strings.Contains(f.Out.String(), tt.shown) {
				t.Errorf("transcript lacks %q:\n%s", tt.shown, f.Out.String())
			}
		})
	}
}

// TestStatusOfOthers: nobody's status is someone else's, and another
// installation's people are not the console's.
func TestStatusOfOthers(t *testing.T) {
	t.Parallel()
	f := setup(t, ":status ana :palm_tree:\n")
	f.run(t)
	if st, err := f.Console.Status(context.Background(), &bot.Installation{ExternalID: "local"}, "bob"); err != nil || st != (bot.Status{}) {
		t.Errorf("bob: %+v, %v; want none", st, err)
	}
	if _, err := f.Console.Status(context.Background(), &bot.Installation{ExternalID: "T1"}, "ana"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("another installation: %v, want ENOTFOUND", err)
	}
}
