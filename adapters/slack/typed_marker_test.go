package slack

import (
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/smart90/smart90/bot"
)

// TestTypedMarkerMakesNoMention: a slash command whose typed text holds a
// reference marker between "<" and "@" reaches the core, once the core
// has stripped the marker (bot.StripRefMarks, as Respond does), as the
// mention <@UVICTIM> nobody made through Slack.
func TestTypedMarkerMakesNoMention(t *testing.T) {
	t.Parallel()
	ev := commandEvent(slack.SlashCommand{TeamID: "T1", UserID: "UCOACH", Text: "invite &lt;\uFDD0@UVICTIM&gt;"})
	if _, ok := ev.Mentions["UVICTIM"]; ok {
		t.Fatalf("UVICTIM among the mentions of %q", ev.Text)
	}
	text := bot.StripRefMarks(ev.Text)
	if ref, ok := bot.ParseRef(strings.TrimPrefix(text, "invite ")); ok {
		t.Errorf("command text %q reads, to the core, as the reference %+v", ev.Text, ref)
	}
}
