package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/adapters/teams/teamstest"
	"github.com/smart90/smart90/bot/bottest"
)

// TestServeTeams runs `smart90 serve` as a Teams bot on the embedded
// default, against a local identity provider, token endpoint and Bot
// Connector: an activity with a valid token is answered through the
// connector with the bot's own token; one without is refused; and the app
// password never reaches the logs.
func TestServeTeams(t *testing.T) {
	t.Parallel()
	const appID, password, tenant = "0b7f3266-7e06-4dd9-b25d-7969801541f4", "teams-secret-do-not-log", "b28fdbfd-2b78-4f93-b0f8-8881793f0f8f"
	idp := teamstest.NewIdentityProvider(t)
	tokens := teamstest.NewTokenServer(t, appID, password)
	conn := teamstest.NewConnector(t)
	conn.Valid = tokens.Valid
	env := map[string]string{"MICROSOFT_APP_ID": appID, "MICROSOFT_APP_PASSWORD": password, "MICROSOFT_APP_TENANT_ID": tenant,
		"SMART90_TEAMS_OPENID_METADATA_URL": idp.MetadataURL, "SMART90_TEAMS_TOKEN_URL": tokens.URL,
		"SMART90_TEAMS_SERVICE_URLS": conn.URL}
	var logs bottest.Buffer
	addr, stop, done := startServe(t, env, io.MultiWriter(&logs, t.Output()), "-log-level", "debug")
	endpoint := "http://" + addr + "/api/messages"
	activity, _ := json.Marshal(map[string]any{
		"type": "message", "id": "1", "text": "help", "serviceUrl": conn.URL, "channelId": "msteams",
		"from":         map[string]any{"id": "29:ana", "name": "Ana"},
		"conversation": map[string]any{"conversationType": "personal", "tenantId": tenant, "id": "a:chat-ana"},
		"recipient":    map[string]any{"id": "28:" + appID, "name": "smart90"},
	})
	post := func(auth string) int {
		req, _ := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(activity))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(""); code != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", code)
	}
	if code := post("Bearer " + idp.Token(t, appID, conn.URL)); code != http.StatusOK {
		t.Fatalf("valid token: %d", code)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(conn.Calls()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	calls := conn.Calls()
	if len(calls) != 1 || calls[0].Conversation != "a:chat-ana" || !strings.Contains(calls[0].Text(), "invite") {
		t.Fatalf("connector calls: %+v", calls)
	}
	if tokens.Requests() != 1 {
		t.Errorf("%d token requests", tokens.Requests())
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if strings.Contains(logs.String(), password) {
		t.Fatal("the app password is in the logs")
	}
}
