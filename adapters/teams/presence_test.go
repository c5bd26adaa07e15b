package teams

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/adapters/teams/teamstest"
	"github.com/smart90/smart90/bot"
)

// otherTenant is a tenant whose admin did not grant Presence.Read.All.
const otherTenant = "0f0f0f0f-1111-4222-8333-444444444444"

// presenceBundle is a Teams bundle that reads presence through a fake
// Graph, where otherTenant is refused.
func presenceBundle(t *testing.T) (*teamsBundle, *teamstest.Graph) {
	t.Helper()
	var graph *teamstest.Graph
	h := setup(t, func(h *teamsBundle, mc *MessengerConfig) {
		graph = teamstest.NewGraph(t, testAppID)
		graph.Valid = h.tokens.Valid
		graph.Forbid = func(token string) bool { return h.tokens.Tenant(token) == otherTenant }
		mc.Presence = &PresenceConfig{URL: graph.URL, Credentials: CredentialsConfig{AppID: testAppID, AppPassword: testPassword,
			TokenURL: strings.Replace(h.tokens.URL, "/botframework.com/", "/{tenant}/", 1)}}
	})
	return h, graph
}

// installation is the stored installation of a Teams tenant.
func (h *teamsBundle) installation(t *testing.T, tenant string) *bot.Installation {
	t.Helper()
	inst, err := h.Store.InstallationByExternalID(context.Background(), bot.PlatformTeams, tenant)
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

// TestPresenceOutOfOffice: in a tenant that granted Presence.Read.All, a
// person's presence says whether they are out of office: the activity
// OutOfOffice, the mailbox's automatic replies, or a status message the
// configured words match; each read is kept for a while.
func TestPresenceOutOfOffice(t *testing.T) {
	t.Parallel()
	h, graph := presenceBundle(t)
	h.say(t, anaID, "Ana", "help") // her chat, with her Entra id "aad-Ana"
	inst := h.installation(t, testTenant)
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		p    teamstest.Presence
		away bool
	}{
		{"available", teamstest.Presence{}, false},
		{"away is not out of office", teamstest.Presence{Availability: "Away", Activity: "Away"}, false},
		{"activity OutOfOffice", teamstest.Presence{Availability: "Offline", Activity: "OutOfOffice"}, true},
		{"automatic replies", teamstest.Presence{AutoReply: true}, true},
		{"status message", teamstest.Presence{Message: "On vacation, back on the 4th", Expiry: h.Clock.Now().Add(72 * time.Hour)}, true},
		{"expired status message", teamstest.Presence{Message: "On vacation", Expiry: h.Clock.Now().Add(-time.Hour)}, false},
		{"status message that never expires", teamstest.Presence{Message: "OOO"}, true},
	} {
		graph.SetPresence("aad-Ana", tt.p)
		h.Clock.Advance(presenceTTL) // what was read before is old
		st, err := h.messenger.Status(ctx, inst, anaID)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := bot.IsAway(st, bot.DefaultAwayWords, h.Clock.Now()); got != tt.away {
			t.Errorf("%s: %+v away %v, want %v", tt.name, st, got, tt.away)
		}
	}
	before := len(graph.Requests())
	graph.SetPresence("aad-Ana", teamstest.Presence{})
	if st, err := h.messenger.Status(ctx, inst, anaID); err != nil || !st.OutOfOffice && st.Text != "OOO" {
		t.Errorf("within %v: %+v, %v; want the presence read before", presenceTTL, st, err)
	}
	if n := len(graph.Requests()) - before; n != 0 {
		t.Errorf("%d Graph requests within %v, want 0", n, presenceTTL)
	}
	if got := graph.Requests()[before-1]; got != "GET /v1.0/users/aad-Ana/presence" {
		t.Errorf("Graph request %q", got)
	}
	// Someone smart90 has no Entra id for: nothing to ask.
	if _, err := h.messenger.Status(ctx, inst, "29:stranger"); !errors.Is(err, bot.ErrNoStatus) {
		t.Errorf("unknown person: %v, want ErrNoStatus", err)
	}
}

// TestPresenceNotGranted: a tenant whose admin did not grant
// Presence.Read.All gives ErrNoStatus (prompts go out as usual), is logged
// once, not per prompt, and is not asked again for a while; the tenant
// that granted it is read all the same.
func TestPresenceNotGranted(t *testing.T) {
	t.Parallel()
	h, graph := presenceBundle(t)
	bob := h.personal("29:bob", "Bob", "message")
	bob["text"] = "help"
	bob["conversation"].(map[string]any)["tenantId"] = otherTenant
	bob["channelData"] = map[string]any{"tenant": map[string]any{"id": otherTenant}}
	h.post(t, bob)
	h.say(t, anaID, "Ana", "help")
	graph.SetPresence("aad-Ana", teamstest.Presence{Activity: "OutOfOffice"})
	graph.SetPresence("aad-Bob", teamstest.Presence{Activity: "OutOfOffice"})
	ctx := context.Background()
	other := h.installation(t, otherTenant)
	for range 3 {
		if _, err := h.messenger.Status(ctx, other, "29:bob"); !errors.Is(err, bot.ErrNoStatus) {
			t.Fatalf("not granted: %v, want ErrNoStatus", err)
		}
		h.Clock.Advance(presenceTTL)
	}
	line := "Teams tenant " + otherTenant + " has not granted Presence.Read.All: out-of-office is not read"
	if n := strings.Count(h.logs.String(), line); n != 1 {
		t.Errorf("%d log lines %q, want 1", n, line)
	}
	n := 0
	for _, r := range graph.Requests() {
		if r == "GET /v1.0/users/aad-Bob/presence" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d presence requests in the refusing tenant, want 1", n)
	}
	if st, err := h.messenger.Status(ctx, h.installation(t, testTenant), anaID); err != nil || !st.OutOfOffice {
		t.Errorf("granted tenant: %+v, %v", st, err)
	}
	if strings.Contains(h.logs.String(), testPassword) {
		t.Error("the app password is in the log")
	}
}
