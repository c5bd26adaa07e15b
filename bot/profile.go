package bot

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"
)

// ErrNoProfiles is what a ProfileReader returns for a platform whose
// profiles it cannot read (a router's Teams side, say): the core then
// goes on quietly with what the event said.
var ErrNoProfiles = errors.New("this platform's profiles cannot be read")

// ProfileReader is a Messenger's optional capability to read a person's
// chat profile (Slack's users.info): the name they go by and their time
// zone. The core asks it about the person acting and the people an event
// mentions, so that a new client's prompts come at their own local time
// from the start. A reader keeps what it read for a while; the platform
// rate-limits these reads.
type ProfileReader interface {
	// Profile returns u with the DisplayName and TimeZone of their
	// profile in inst filled in, or u as it was and why not.
	Profile(ctx context.Context, inst *Installation, u UserRef) (UserRef, error)
}

const (
	// profileTimeout bounds the profile reads of one event: they are a
	// nicety and must not eat a platform's acknowledgement budget.
	profileTimeout = time.Second
	// maxProfileReads is how many mentioned people one event looks up.
	maxProfileReads = 10
)

// readProfiles fills in ev's actor and mentioned people from their
// profiles, when the Messenger can read them. It never fails the event:
// what it cannot read stays as the adapter gave it.
func (b *Bot) readProfiles(ctx context.Context, inst *Installation, ev *Event) {
	pr, ok := b.msg.(ProfileReader)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, profileTimeout)
	defer cancel()
	read := func(u UserRef) UserRef {
		got, err := pr.Profile(ctx, inst, u)
		if errors.Is(err, ErrNoProfiles) {
			return u
		}
		if err != nil {
			b.log.WarnContext(ctx, "read profile", "platform", inst.Platform, "user", u.ExternalID, "err", err)
			return u
		}
		// A profile is typed text too: no marker of the core's references
		// may come in with it (see Respond's withoutRefMarks).
		got.ExternalID = u.ExternalID
		got.DisplayName, got.TimeZone = StripRefMarks(got.DisplayName), StripRefMarks(got.TimeZone)
		return got
	}
	ev.User = read(ev.User)
	// The people mentioned first in the text first: a command names whom
	// it is about at its start.
	ids := slices.Collect(maps.Keys(ev.Mentions))
	slices.SortFunc(ids, func(a, b string) int {
		return cmp.Or(cmp.Compare(mentionAt(ev.Text, a), mentionAt(ev.Text, b)), strings.Compare(a, b))
	})
	for _, id := range ids[:min(len(ids), maxProfileReads)] {
		ev.Mentions[id] = read(ev.Mentions[id])
	}
}

// mentionAt is where text first mentions the person with this id, or
// len(text) when it does not.
func mentionAt(text, id string) int {
	if i := strings.Index(text, "<@"+id+">"); i >= 0 {
		return i
	}
	return len(text)
}
