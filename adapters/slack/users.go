package slack

import (
	"context"
	"fmt"
	"maps"
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

// profileTTL is how long a profile read is used before it is read again.
const profileTTL = time.Hour

// maxKeptProfiles is how many profiles the cache holds before it forgets
// the ones out of date.
const maxKeptProfiles = 10000

var _ bot.ProfileReader = (*Messenger)(nil)

// Profile implements bot.ProfileReader with users.info: the name a person
// goes by in inst's workspace and their time zone, remembered for an hour
// (names and zones rarely change, and Slack rate-limits the method).
func (m *Messenger) Profile(ctx context.Context, inst *bot.Installation, u bot.UserRef) (bot.UserRef, error) {
	key := inst.ExternalID + "/" + u.ExternalID
	now := m.now()
	m.profiles.mu.Lock()
	p, ok := m.profiles.seen[key]
	m.profiles.mu.Unlock()
	if !ok || now.Sub(p.at) > profileTTL {
		api, err := m.client(inst)
		if err != nil {
			// No token for the workspace: nothing can be read (nor sent).
			return u, fmt.Errorf("%w: %w", bot.ErrNoProfiles, err)
		}
		info, err := api.GetUserInfoContext(ctx, u.ExternalID)
		if err != nil {
			return u, classify("users.info", err)
		}
		p = profile{ref: bot.UserRef{ExternalID: u.ExternalID, DisplayName: displayName(info), TimeZone: info.TZ}, at: now}
		m.profiles.mu.Lock()
		if m.profiles.seen == nil {
			m.profiles.seen = map[string]profile{}
		}
		if len(m.profiles.seen) >= maxKeptProfiles {
			// Forget what is out of date before keeping more.
			maps.DeleteFunc(m.profiles.seen, func(_ string, old profile) bool { return now.Sub(old.at) > profileTTL })
		}
		m.profiles.seen[key] = p
		m.profiles.mu.Unlock()
	}
	if p.ref.DisplayName != "" {
		u.DisplayName = p.ref.DisplayName
	}
	if p.ref.TimeZone != "" {
		u.TimeZone = p.ref.TimeZone
	}
	return u, nil
}

// now is the Messenger's clock's time.
func (m *Messenger) now() time.Time {
	if m.cfg.Clock == nil {
		return time.Now()
	}
	return m.cfg.Clock.Now()
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
