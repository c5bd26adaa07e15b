package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// TestDisarmThenStrip: an adapter disarms typed text (bot.Disarm)
// and the core then strips the reference markers from it (Respond). A
// marker typed between "<" and "@" survives Disarm and, stripped, leaves
// a "<@ID>" the core reads as a mention the platform made.
func TestDisarmThenStrip(t *testing.T) {
	t.Parallel()
	typed := "<\uFDD0@UVICTIM>"
	for _, w := range strings.Fields(bot.StripRefMarks(bot.Disarm(typed))) {
		if _, ok := bot.ParseRef(w); ok {
			t.Errorf("typed %q, disarmed then stripped of markers, holds the reference %q", typed, w)
		}
	}
	b := bottest.Setup(t)
	ev := bot.Event{Platform: bot.PlatformSlack, Installation: bottest.Workspace, User: bot.UserRef{ExternalID: "UCOACH"},
		Kind: bot.EventCommand, Text: "invite " + bot.Disarm(typed)}
	r, err := b.Bot.Respond(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Store.PersonByExternalID(context.Background(), r.Installation.ID, "UVICTIM"); err == nil {
		t.Errorf("typed %q invited UVICTIM, whom nobody picked through the platform; replies %+v", typed, r.Messages)
	}
}
