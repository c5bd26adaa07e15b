package slack

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/smart90/smart90/bot"
)

// statuses remembers users.profile.get answers for a short while, and
// what user_change events said since: a prompt reads its person's status,
// and Slack rate-limits the method (Tier 4). A user_change event reaches
// one replica; the others read again when what they keep is statusTTL old.
type statuses struct {
	mu      sync.Mutex
	seen    map[string]status    // "<team>/<user>"
	noScope map[string]time.Time // team → when users.profile.get said missing_scope
	told    map[string]bool      // teams whose missing scope was logged
}

type status struct {
	st bot.Status
	at time.Time
}

const (
	// statusTTL is how long a status read (or pushed by user_change) is
	// used before it is read again: short, because a status changes at
	// will, and a stale one sends or skips one prompt wrongly at most.
	statusTTL = 5 * time.Minute
	// noScopeTTL is how long a workspace that did not grant
	// users.profile:read (installed before smart90 asked for it) is not
	// asked again.
	noScopeTTL = time.Hour
)

var _ bot.StatusReader = (*Messenger)(nil)

// Status implements bot.StatusReader with users.profile.get: the person's
// status text, emoji and expiry, kept for statusTTL or until a user_change
// event brings a new one. A workspace that did not grant
// users.profile:read gives bot.ErrNoStatus, is logged once (Logger), and
// is not asked again for noScopeTTL. Slack's away/active presence is never
// read: it says nothing about being out of office.
func (m *Messenger) Status(ctx context.Context, inst *bot.Installation, userID string) (bot.Status, error) {
	if inst == nil {
		return bot.Status{}, fmt.Errorf("slack status: no installation")
	}
	key := inst.ExternalID + "/" + userID
	now := m.now()
	m.statuses.mu.Lock()
	s, ok := m.statuses.seen[key]
	at, noScope := m.statuses.noScope[inst.ExternalID]
	m.statuses.mu.Unlock()
	if noScope && now.Sub(at) < noScopeTTL && !now.Before(at) {
		return bot.Status{}, bot.ErrNoStatus
	}
	if ok && now.Sub(s.at) < statusTTL && !now.Before(s.at) {
		return s.st, nil
	}
	api, err := m.client(inst)
	if err != nil {
		return bot.Status{}, err
	}
	p, err := api.GetUserProfileContext(ctx, &slack.GetUserProfileParameters{UserID: userID})
	if err != nil {
		var se slack.SlackErrorResponse
		if errors.As(err, &se) && (se.Err == "missing_scope" || se.Err == "not_allowed_token_type") {
			m.statuses.mu.Lock()
			if m.statuses.noScope == nil {
				m.statuses.noScope = map[string]time.Time{}
			}
			m.statuses.noScope[inst.ExternalID] = now
			told := m.statuses.told[inst.ExternalID]
			if m.statuses.told == nil {
				m.statuses.told = map[string]bool{}
			}
			m.statuses.told[inst.ExternalID] = true
			m.statuses.mu.Unlock()
			if !told && m.cfg.Logger != nil {
				m.cfg.Logger.InfoContext(ctx, fmt.Sprintf("Slack workspace %s has not granted users.profile:read: out-of-office is not read until the app is reinstalled", inst.ExternalID),
					"team", inst.ExternalID)
			}
			return bot.Status{}, fmt.Errorf("%w: users.profile.get: %s (reinstall the app to grant users.profile:read)", bot.ErrNoStatus, se.Err)
		}
		return bot.Status{}, classify("users.profile.get", err)
	}
	st := profileStatus(p.StatusText, p.StatusEmoji, int64(p.StatusExpiration))
	m.keepStatus(key, st, now)
	return st, nil
}

// userChanged keeps the status a user_change event carries for its
// person in team, so the next prompt uses it without a read.
func (m *Messenger) userChanged(team string, ev *slackevents.UserChangeEvent) {
	if ev == nil || ev.User.ID == "" {
		return
	}
	if ev.User.TeamID != "" {
		team = ev.User.TeamID
	}
	p := ev.User.Profile
	m.keepStatus(team+"/"+ev.User.ID, profileStatus(p.StatusText, p.StatusEmoji, int64(p.StatusExpiration)), m.now())
}

// keepStatus remembers st for key as of now.
func (m *Messenger) keepStatus(key string, st bot.Status, now time.Time) {
	m.statuses.mu.Lock()
	defer m.statuses.mu.Unlock()
	if m.statuses.seen == nil {
		m.statuses.seen = map[string]status{}
	}
	if len(m.statuses.seen) >= maxKeptProfiles {
		maps.DeleteFunc(m.statuses.seen, func(_ string, old status) bool { return now.Sub(old.at) >= statusTTL })
	}
	m.statuses.seen[key] = status{st: st, at: now}
}

// profileStatus is a Slack profile's status as the core's: expiration is
// in Unix seconds, 0 for none.
func profileStatus(text, emoji string, expiration int64) bot.Status {
	st := bot.Status{Text: text, Emoji: emoji}
	if expiration > 0 {
		st.Expires = time.Unix(expiration, 0).UTC()
	}
	return st
}
