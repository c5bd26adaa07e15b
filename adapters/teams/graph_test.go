package teams

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/smart90/smart90/adapters/teams/teamstest"
)

// TestGraphInstall: a coach invites people who never added the app. With
// the admin's consent, smart90 installs itself for Ana through Graph and
// starts her chat; without it, the coach is told plainly what to do.
func TestGraphInstall(t *testing.T) {
	t.Parallel()
	var graph *teamstest.Graph
	h := setup(t, func(h *teamsBundle, mc *MessengerConfig) {
		graph = teamstest.NewGraph(t, testAppID)
		graph.Valid = h.tokens.Valid
		creds := CredentialsConfig{AppID: testAppID, AppPassword: testPassword, TenantID: testTenant, TokenURL: h.tokens.URL, Scope: GraphScope}
		mc.Graph = &GraphConfig{Tokens: creds.TokenSource(context.Background()), URL: graph.URL, AppID: testAppID}
	})
	h.conn.Members = map[string]string{anaID: "aad-ana", "29:bob": "aad-bob"}
	h.conn.Fail = func(c teamstest.Call) *teamstest.Failure {
		if c.Op != "CreateConversation" {
			return nil
		}
		member := c.Body["members"].([]any)[0].(map[string]any)["id"].(string)
		if aad := h.conn.Members[member]; aad != "" && !graph.Installed(aad) {
			return &teamstest.Failure{Status: http.StatusForbidden, Code: "Forbidden"}
		}
		return nil
	}
	h.say(t, coachID, "Coach", "help") // the coach's chat is known
	h.conn.Reset()

	invite := h.channel(coachID, "Coach", "invite <at>Ana</at>", mention(anaID, "Ana"))
	h.post(t, invite)
	want := []string{
		"GetMember " + teamID,                  // Ana's Entra id, from the team's roster
		"CreateConversation",                   // refused: she does not have the app
		"CreateConversation",                   // after the install through Graph
		"SendToConversation a:chat-" + anaID,   // the invitation
		"SendToConversation a:chat-" + coachID, // "Invitation sent", privately
		"SendToConversation " + generalID + ";messageid=" + invite["id"].(string), // the pointer
	}
	if got := h.ops(0); !slices.Equal(got, want) {
		t.Fatalf("invite with Graph: calls\n got %q\nwant %q", got, want)
	}
	if !graph.Installed("aad-ana") {
		t.Fatal("the app was not installed for Ana")
	}
	if got := graph.Requests(); !slices.Equal(got, []string{"GET /v1.0/appCatalogs/teamsApps", "POST /v1.0/users/aad-ana/teamwork/installedApps"}) {
		t.Errorf("Graph requests %q", got)
	}
	if c := h.conn.Calls(); !strings.Contains(c[4].Text(), "Invitation sent to Ana") {
		t.Errorf("coach's answer: %q", c[4].Text())
	}

	// No admin consent: the coach learns what to do, nothing loops.
	graph.SetForbidden(true)
	h.conn.Reset()
	h.post(t, h.channel(coachID, "Coach", "invite <at>Bob</at>", mention("29:bob", "Bob")))
	calls := h.conn.Calls()
	var answer string
	for _, c := range calls {
		if c.Conversation == "a:chat-"+coachID {
			answer = c.Text()
		}
	}
	if !strings.Contains(answer, "Bob does not have smart90 in Teams yet") || !strings.Contains(answer, "press Add") {
		t.Errorf("coach's answer without consent: %q", answer)
	}
	if graph.Installed("aad-bob") {
		t.Error("installed without consent")
	}
	if strings.Contains(h.logs.String(), testPassword) {
		t.Fatal("the app password is in the logs")
	}
}
