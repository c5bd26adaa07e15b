package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// forging is a Messenger whose profiles carry a display name framed in the
// core's reference markers, as a person can set their own Slack name.
type forging struct {
	*bottest.Messenger
}

func (forging) Profile(_ context.Context, _ *bot.Installation, u bot.UserRef) (bot.UserRef, error) {
	u.DisplayName = "\uFDD0<@UVICTIM>\uFDD1"
	return u, nil
}

// TestProfileNameIsText: a display name read from a profile is text a
// person chose; it must not become a reference of the core's (a mention of
// someone nobody picked) in a reply, and must be stored without markers.
func TestProfileNameIsText(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	core := profileCore(t, b, b.Store, forging{b.Messenger})
	ev := bot.Event{Platform: bot.PlatformSlack, Installation: bottest.Workspace, User: bot.UserRef{ExternalID: "UCOACH"},
		Kind: bot.EventCommand, Text: "invite <@UNEW>", Mentions: map[string]bot.UserRef{"UNEW": {ExternalID: "UNEW"}}}
	r, err := core.Respond(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range r.Messages {
		for sp := range bot.Spans(m.Text) {
			if sp.Ref == bot.RefPerson && sp.ID == "UVICTIM" {
				t.Errorf("reply %q mentions UVICTIM, named only in a profile's display name", m.Text)
			}
		}
	}
	for _, id := range []string{"UCOACH", "UNEW"} {
		p, err := b.Store.PersonByExternalID(context.Background(), r.Installation.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(p.DisplayName, "\uFDD0\uFDD1") {
			t.Errorf("%s stored with display name %q: reference markers kept", id, p.DisplayName)
		}
	}
}

// TestFailedProfileKeepsName: a person's stored name is not replaced
// by their platform id when an event carries no name (a Slack DM) and
// their profile cannot be read.
func TestFailedProfileKeepsName(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	msgr := &profiled{Messenger: b.Messenger}
	core := profileCore(t, b, b.Store, msgr)
	ev := bot.Event{Platform: bot.PlatformSlack, Installation: bottest.Workspace, User: bot.UserRef{ExternalID: "UANA"},
		Kind: bot.EventMessage, Text: "help"}
	r, err := core.Respond(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	msgr.err = context.DeadlineExceeded // users.info slow this time
	if _, err := core.Respond(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	p, err := b.Store.PersonByExternalID(context.Background(), r.Installation.ID, "UANA")
	if err != nil {
		t.Fatal(err)
	}
	if p.DisplayName != "Profile UANA" {
		t.Errorf("stored name %q after a failed profile read, want the one read before, %q", p.DisplayName, "Profile UANA")
	}
}

// TestMentionKeepsName: a mention that carries no name (the platform gave
// none and no profile was read) names the person by their id only until
// a name is known; it never replaces a stored name.
func TestMentionKeepsName(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	b.Command(t, ana, "help") // Ana is stored, with her name
	ev := bot.Event{Platform: bot.PlatformSlack, Installation: bottest.Workspace, User: coach,
		Kind: bot.EventCommand, Text: "invite <@ana>"}
	if _, err := b.Bot.Respond(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if got := b.Person(t, ana).DisplayName; got != "Ana" {
		t.Errorf("Ana's stored name after a nameless mention: %q, want %q", got, "Ana")
	}
}
