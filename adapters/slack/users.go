package slack

import (
	"context"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/smart90/smart90/bot"
)

// profiles remembers users.info answers for a while: a person's name and
// time zone rarely change, and Slack rate-limits the method.
type profiles struct {
	mu   sync.Mutex
	seen map[string]profile // "<team>/<user>"
}

type profile struct {
	ref bot.UserRef
	at  time.Time
}

const (
	profileTTL    = time.Hour
	enrichTimeout = time.Second
	maxProfiles   = 10 // mentions looked up per event
)

// enrich fills in the display name and time zone of the actor and of the
// people mentioned from their Slack profiles (users.info), so a new client
// gets prompts at their own local time from the start. It never fails the
// event: what it cannot read stays as it was. The installation it reads
// for the token is kept in ev.Stored, so the core and the replies do not
// read it again.
func (a *Adapter) enrich(ctx context.Context, ev *bot.Event) {
	// Profiles are a nicety: they must not eat the 3-second ack budget.
	ctx, cancel := context.WithTimeout(ctx, enrichTimeout)
	defer cancel()
	inst, err := a.installation(ctx, ev.Installation)
	if err != nil {
		inst = &bot.Installation{Platform: bot.PlatformSlack, ExternalID: ev.Installation}
	} else {
		ev.Stored = inst
	}
	api, err := a.cfg.Messenger.client(inst)
	if err != nil {
		return
	}
	ev.User = a.profile(ctx, api, ev.Installation, ev.User)
	n := 0
	for id, u := range ev.Mentions {
		if n++; n > maxProfiles {
			break
		}
		ev.Mentions[id] = a.profile(ctx, api, ev.Installation, u)
	}
}

func (a *Adapter) profile(ctx context.Context, users webAPI, team string, u bot.UserRef) bot.UserRef {
	key := team + "/" + u.ExternalID
	now := a.clock.Now()
	a.profiles.mu.Lock()
	p, ok := a.profiles.seen[key]
	a.profiles.mu.Unlock()
	if !ok || now.Sub(p.at) > profileTTL {
		info, err := users.GetUserInfoContext(ctx, u.ExternalID)
		if err != nil {
			a.log.WarnContext(ctx, "users.info", "team", team, "user", u.ExternalID, "err", classify("users.info", err))
			return u
		}
		p = profile{ref: bot.UserRef{ExternalID: u.ExternalID, DisplayName: displayName(info), TimeZone: info.TZ}, at: now}
		a.profiles.mu.Lock()
		if a.profiles.seen == nil {
			a.profiles.seen = map[string]profile{}
		}
		a.profiles.seen[key] = p
		a.profiles.mu.Unlock()
	}
	if p.ref.DisplayName != "" {
		u.DisplayName = p.ref.DisplayName
	}
	if p.ref.TimeZone != "" {
		u.TimeZone = p.ref.TimeZone
	}
	return u
}

// displayName is what Slack shows for a person: their display name, else
// their real name, else their handle.
func displayName(u *slack.User) string {
	for _, s := range []string{u.Profile.DisplayName, u.Profile.RealName, u.RealName, u.Name} {
		if s != "" {
			return s
		}
	}
	return u.ID
}
