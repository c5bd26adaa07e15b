package slack

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/adapters/slack/slacktest"
	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

// profileGets counts the users.profile.get calls for user.
func profileGets(f *fakeSlack, user string) int {
	n := 0
	for _, c := range f.Calls() {
		if c.Method == "users.profile.get" && c.Form["user"] == user {
			n++
		}
	}
	return n
}

// TestStatusFromUsersProfile: users.profile.get's status text, emoji and
// expiration become the core's Status, and whether that says out of office
// follows the expiration: none, later, or already past.
func TestStatusFromUsersProfile(t *testing.T) {
	t.Parallel()
	clock := bottest.NewClock(bottest.Start)
	now := clock.Now()
	for _, tt := range []struct {
		name    string
		st      slacktest.Status
		expires time.Time
		away    bool
	}{
		{"no status", slacktest.Status{}, time.Time{}, false},
		{"palm tree, no expiration", slacktest.Status{Emoji: ":palm_tree:", Text: "Vacationing"}, time.Time{}, true},
		{"OOO until tomorrow", slacktest.Status{Text: "OOO till Mon", Expiration: now.Add(24 * time.Hour).Unix()}, now.Add(24 * time.Hour), true},
		{"expired an hour ago", slacktest.Status{Emoji: ":palm_tree:", Expiration: now.Add(-time.Hour).Unix()}, now.Add(-time.Hour), false},
		{"in a meeting", slacktest.Status{Emoji: ":spiral_calendar_pad:", Text: "In a Zoom meeting"}, time.Time{}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeSlack(t)
			f.SetStatus("UANA", tt.st)
			m := NewMessenger(MessengerConfig{APIURL: f.URL, Clock: clock})
			got, err := m.Status(t.Context(), team, "UANA")
			if err != nil {
				t.Fatal(err)
			}
			if got.Text != tt.st.Text || got.Emoji != tt.st.Emoji || !got.Expires.Equal(tt.expires) || got.OutOfOffice {
				t.Errorf("status %+v, want text %q, emoji %q, expires %v", got, tt.st.Text, tt.st.Emoji, tt.expires)
			}
			if away := bot.IsAway(got, bot.DefaultAwayWords, now); away != tt.away {
				t.Errorf("away %v, want %v", away, tt.away)
			}
			if c := f.Calls(); len(c) != 1 || c[0].Token != "xoxb-team-token" {
				t.Errorf("calls %+v, want one users.profile.get with the workspace's token", c)
			}
		})
	}
}

// TestStatusKeptForAWhile: a status read is used for statusTTL, then read
// again, on the Messenger's clock.
func TestStatusKeptForAWhile(t *testing.T) {
	t.Parallel()
	clock := bottest.NewClock(bottest.Start)
	f := newFakeSlack(t)
	f.SetStatus("UANA", slacktest.Status{Emoji: ":palm_tree:"})
	m := NewMessenger(MessengerConfig{APIURL: f.URL, Clock: clock})
	for range 2 {
		if st, err := m.Status(t.Context(), team, "UANA"); err != nil || st.Emoji != ":palm_tree:" {
			t.Fatalf("status %+v, %v", st, err)
		}
	}
	if n := profileGets(f, "UANA"); n != 1 {
		t.Errorf("%d users.profile.get, want 1 (the second read is kept)", n)
	}
	f.SetStatus("UANA", slacktest.Status{})
	clock.Advance(statusTTL)
	if st, err := m.Status(t.Context(), team, "UANA"); err != nil || st.Emoji != "" {
		t.Errorf("after %v: status %+v, %v; want the cleared one read again", statusTTL, st, err)
	}
	if n := profileGets(f, "UANA"); n != 2 {
		t.Errorf("%d users.profile.get, want 2", n)
	}
}

// TestStatusWithoutTheScope: a workspace installed before smart90 asked
// for users.profile:read answers missing_scope: that is ErrNoStatus (the
// prompt goes out), and the workspace is not asked again for a while; a
// failure of another kind is an error.
func TestStatusWithoutTheScope(t *testing.T) {
	t.Parallel()
	clock := bottest.NewClock(bottest.Start)
	f := newFakeSlack(t)
	f.Handle("users.profile.get", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":false,"error":"missing_scope","needed":"users.profile:read","provided":"chat:write"}`)
	})
	var logs bottest.Buffer
	m := NewMessenger(MessengerConfig{APIURL: f.URL, Clock: clock, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	for _, user := range []string{"UANA", "UBOB"} {
		if _, err := m.Status(t.Context(), team, user); !errors.Is(err, bot.ErrNoStatus) {
			t.Errorf("%s: %v, want ErrNoStatus", user, err)
		}
	}
	if n := f.Count("users.profile.get"); n != 1 {
		t.Errorf("%d users.profile.get, want 1 (the workspace is not asked again)", n)
	}
	clock.Advance(noScopeTTL)
	if _, err := m.Status(t.Context(), team, "UANA"); !errors.Is(err, bot.ErrNoStatus) {
		t.Errorf("an hour on: %v, want ErrNoStatus", err)
	}
	if n := f.Count("users.profile.get"); n != 2 {
		t.Errorf("%d users.profile.get, want 2 (asked again an hour on)", n)
	}
	if n := strings.Count(logs.String(), "Slack workspace T123 has not granted users.profile:read"); n != 1 {
		t.Errorf("%d log lines about the missing scope, want 1:\n%s", n, logs.String())
	}
	f.Handle("users.profile.get", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":false,"error":"internal_error"}`)
	})
	clock.Advance(noScopeTTL)
	if _, err := m.Status(t.Context(), team, "UANA"); err == nil || errors.Is(err, bot.ErrNoStatus) {
		t.Errorf("internal_error: %v, want a read error", err)
	}
}

// TestUserChangeUpdatesStatus: a user_change event brings a person's new
// status: it is used from then on without a read, set or cleared, and the
// event is acknowledged without being claimed in the store.
func TestUserChangeUpdatesStatus(t *testing.T) {
	t.Parallel()
	h := setupHTTP(t)
	inst := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: "T1", Status: bot.InstallationActive}
	m := h.adapter.cfg.Messenger
	if st, err := m.Status(t.Context(), inst, "UANA"); err != nil || st.Emoji != "" {
		t.Fatalf("before: %+v, %v", st, err)
	}
	until := h.Clock.Now().Add(72 * time.Hour).Unix()
	event := func(id, emoji, text string, exp int64) string {
		return fmt.Sprintf(`{"type":"event_callback","team_id":"T1","event_id":%q,"event":{"type":"user_change","user":{"id":"UANA","team_id":"T1","profile":{"status_text":%q,"status_emoji":%q,"status_expiration":%d}},"cache_ts":1,"event_ts":"1.1"}}`,
			id, text, emoji, exp)
	}
	if code, _ := h.post(t, "application/json", event("EvU1", ":palm_tree:", "Back on Monday", until)); code != http.StatusOK {
		t.Fatalf("user_change: %d", code)
	}
	st, err := m.Status(t.Context(), inst, "UANA")
	if err != nil || st.Emoji != ":palm_tree:" || st.Text != "Back on Monday" || st.Expires.Unix() != until {
		t.Errorf("after user_change: %+v, %v", st, err)
	}
	if !bot.IsAway(st, bot.DefaultAwayWords, h.Clock.Now()) {
		t.Errorf("%+v is not away", st)
	}
	h.post(t, "application/json", event("EvU2", "", "", 0))
	if st, err := m.Status(t.Context(), inst, "UANA"); err != nil || st != (bot.Status{}) {
		t.Errorf("after clearing: %+v, %v", st, err)
	}
	if n := profileGets(h.slack, "UANA"); n != 1 {
		t.Errorf("%d users.profile.get, want 1 (the events brought the rest)", n)
	}
	if st, err := h.Store.BeginEvent(t.Context(), "slack:event:EvU1", h.Clock.Now(), time.Minute); err != nil || st != bot.EventNew {
		t.Errorf("user_change claimed in the store: %v, %v", st, err)
	}
}
