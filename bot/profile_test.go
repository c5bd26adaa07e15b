package bot_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// profiled is a Messenger that can read profiles: Tokyo for everyone,
// or err.
type profiled struct {
	*bottest.Messenger
	reads atomic.Int64
	err   error
	mu    sync.Mutex
	who   []string // whose profiles were read, in order
}

func (p *profiled) Profile(_ context.Context, inst *bot.Installation, u bot.UserRef) (bot.UserRef, error) {
	p.reads.Add(1)
	p.mu.Lock()
	p.who = append(p.who, u.ExternalID)
	p.mu.Unlock()
	if inst == nil || inst.ID == 0 {
		return u, errors.New("no stored installation")
	}
	if p.err != nil {
		return u, p.err
	}
	u.DisplayName, u.TimeZone = "Profile "+u.ExternalID, "Asia/Tokyo"
	return u, nil
}

// TestRespondReadsProfiles: the core reads the installation once, asks the
// Messenger for the profiles of the person acting and the people they
// mention, and returns the installation with its replies; a profile it
// cannot read leaves the event as it was, and never fails it.
func TestRespondReadsProfiles(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		err      error
		wantZone string
	}{
		{"read", nil, "Asia/Tokyo"},
		{"cannot read this platform", bot.ErrNoProfiles, ""},
		{"failing", errors.New("users.info: ratelimited"), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := bottest.Setup(t)
			reads := &bottest.InstallationReads{Store: b.Store}
			msgr := &profiled{Messenger: b.Messenger, err: tt.err}
			core := profileCore(t, b, reads, msgr)
			ev := bot.Event{Platform: bot.PlatformSlack, Installation: bottest.Workspace, User: bot.UserRef{ExternalID: "UCOACH"},
				Kind: bot.EventCommand, Text: "invite <@UNEW>", Mentions: map[string]bot.UserRef{"UNEW": {ExternalID: "UNEW"}}}
			r, err := core.Respond(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			if r.Installation == nil || r.Installation.ID == 0 || r.Installation.ExternalID != bottest.Workspace {
				t.Errorf("reply's installation %+v, want the stored %s", r.Installation, bottest.Workspace)
			}
			if n := reads.N.Load(); n != 1 {
				t.Errorf("%d installation reads, want 1", n)
			}
			if n := msgr.reads.Load(); n != 2 {
				t.Errorf("%d profile reads, want 2 (the coach and the person mentioned)", n)
			}
			if len(r.Messages) == 0 {
				t.Fatal("no reply")
			}
			for _, id := range []string{"UCOACH", "UNEW"} {
				p, err := b.Store.PersonByExternalID(context.Background(), r.Installation.ID, id)
				if err != nil {
					t.Fatalf("%s: %v", id, err)
				}
				if p.TimeZone != tt.wantZone {
					t.Errorf("%s's zone %q, want %q", id, p.TimeZone, tt.wantZone)
				}
			}
		})
	}
}

// TestProfilesOfManyMentions: an event mentioning more people than it
// reads profiles for reads the ones mentioned first.
func TestProfilesOfManyMentions(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	msgr := &profiled{Messenger: b.Messenger}
	core := profileCore(t, b, b.Store, msgr)
	mentions := map[string]bot.UserRef{}
	text := "invite"
	var want []string
	for i := 12; i >= 1; i-- { // U12 is mentioned first
		id := fmt.Sprintf("U%02d", i)
		mentions[id] = bot.UserRef{ExternalID: id}
		text += " <@" + id + ">"
		if len(want) < 10 {
			want = append(want, id)
		}
	}
	ev := bot.Event{Platform: bot.PlatformSlack, Installation: bottest.Workspace, User: bot.UserRef{ExternalID: "UCOACH"},
		Kind: bot.EventCommand, Text: text, Mentions: mentions}
	if _, err := core.Respond(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if got := msgr.who[1:]; !slices.Equal(got, want) {
		t.Errorf("profiles read %v, want the actor then %v", msgr.who, want)
	}
}

// profileCore is a core on b's clock and state with store and msgr, the
// Messenger whose profiles a test controls.
func profileCore(t *testing.T, b *bottest.Bundle, store bot.Store, msgr bot.Messenger) *bot.Bot {
	t.Helper()
	core, err := bot.New(bot.Config{Store: store, Messenger: msgr, State: b.State, Clock: b.Clock})
	if err != nil {
		t.Fatal(err)
	}
	return core
}
