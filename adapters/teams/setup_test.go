package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smart90/smart90/adapters/teams/teamstest"
	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

const (
	testAppID    = "a1b2c3d4-0000-4000-8000-000000000001"
	testPassword = "app-password-never-logged"
	testTenant   = "b28fdbfd-2b78-4f93-b0f8-8881793f0f8f"
	testBot      = "28:" + testAppID
	coachID      = "29:coach"
	anaID        = "29:ana"
	generalID    = "19:general@thread.tacv2"
	teamID       = "19:team@thread.tacv2"
)

// teamsBundle is a Teams adapter wired to the real core on SQLite, a
// local identity provider and token endpoint, and a fake Bot Connector.
type teamsBundle struct {
	*bottest.Bundle
	idp       *teamstest.IdentityProvider
	tokens    *teamstest.TokenServer
	conn      *teamstest.Connector
	adapter   *Adapter
	messenger *Messenger
	srv       *httptest.Server
	logs      *bottest.Buffer
	log       *slog.Logger
}

// setup builds the bundle; opts adjust the messenger's configuration.
func setup(t *testing.T, opts ...func(*teamsBundle, *MessengerConfig)) *teamsBundle {
	t.Helper()
	b := bottest.Setup(t)
	h := &teamsBundle{Bundle: b, idp: teamstest.NewIdentityProvider(t), tokens: teamstest.NewTokenServer(t, testAppID, testPassword),
		conn: teamstest.NewConnector(t), logs: &bottest.Buffer{}}
	h.conn.Valid = h.tokens.Valid
	urls, err := ParseServiceURLs(h.conn.URL)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.MultiWriter(h.logs, t.Output()), &slog.HandlerOptions{Level: slog.LevelInfo}))
	h.log = log
	creds := CredentialsConfig{AppID: testAppID, AppPassword: testPassword, TenantID: testTenant, TokenURL: h.tokens.URL}
	mc := MessengerConfig{Store: b.Store, Clock: b.Clock, Logger: log, Connector: ConnectorConfig{
		Tokens: creds.TokenSource(context.Background()), ServiceURLs: urls}}
	for _, o := range opts {
		o(h, &mc)
	}
	h.messenger, err = NewMessenger(mc)
	if err != nil {
		t.Fatal(err)
	}
	core, err := bot.New(bot.Config{Store: b.Store, Messenger: h.messenger, State: b.State, Clock: b.Clock, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	auth, err := NewAuthenticator(AuthConfig{AppID: testAppID, OpenIDMetadataURL: h.idp.MetadataURL, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	h.adapter, err = New(Config{Handler: core, Store: b.Store, Messenger: h.messenger, Auth: auth, ServiceURLs: urls,
		Clock: b.Clock, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.adapter.Routes(mux)
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	return h
}

// post sends an activity as the Bot Framework does, with a valid token,
// waits for the work after the answer, and returns the status and body.
func (h *teamsBundle) post(t *testing.T, activity map[string]any) (int, string) {
	t.Helper()
	return h.postAs(t, activity, "Bearer "+h.idp.Token(t, testAppID, h.conn.URL))
}

func (h *teamsBundle) postAs(t *testing.T, activity map[string]any, authorization string) (int, string) {
	t.Helper()
	body, err := json.Marshal(activity)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/api/messages", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	h.adapter.Wait()
	return resp.StatusCode, string(out)
}

// activitySeq numbers activities; parallel tests share it.
var activitySeq atomic.Int64

// personal is an activity from user in their 1:1 chat with the bot.
func (h *teamsBundle) personal(user, name, kind string) map[string]any {
	return map[string]any{
		"type": kind, "id": "act-" + strconv.FormatInt(activitySeq.Add(1), 10),
		"timestamp": h.Clock.Now().UTC().Format(time.RFC3339), "serviceUrl": h.conn.URL, "channelId": "msteams",
		"from":          map[string]any{"id": user, "name": name, "aadObjectId": "aad-" + name},
		"conversation":  map[string]any{"conversationType": "personal", "tenantId": testTenant, "id": "a:chat-" + user},
		"recipient":     map[string]any{"id": testBot, "name": "smart90"},
		"localTimezone": "Europe/Paris",
		"channelData":   map[string]any{"tenant": map[string]any{"id": testTenant}},
	}
}

// channel is a message from user in the team's General channel.
func (h *teamsBundle) channel(user, name, text string, mentions ...map[string]any) map[string]any {
	id := strconv.FormatInt(1700000000000+activitySeq.Add(1), 10)
	entities := []any{map[string]any{"type": "mention", "text": "<at>smart90</at>", "mentioned": map[string]any{"id": testBot, "name": "smart90"}}}
	for _, m := range mentions {
		entities = append(entities, m)
	}
	return map[string]any{
		"type": "message", "id": id, "text": "<at>smart90</at> " + text,
		"timestamp": h.Clock.Now().UTC().Format(time.RFC3339), "serviceUrl": h.conn.URL, "channelId": "msteams",
		"from":         map[string]any{"id": user, "name": name, "aadObjectId": "aad-" + name},
		"conversation": map[string]any{"isGroup": true, "conversationType": "channel", "tenantId": testTenant, "id": generalID + ";messageid=" + id},
		"recipient":    map[string]any{"id": testBot, "name": "smart90"},
		"entities":     entities,
		"channelData": map[string]any{"tenant": map[string]any{"id": testTenant}, "team": map[string]any{"id": teamID, "name": "Coaching"},
			"channel": map[string]any{"id": generalID, "name": "General"}},
	}
}

// mention is a mention entity of a person.
func mention(id, name string) map[string]any {
	return map[string]any{"type": "mention", "text": "<at>" + name + "</at>", "mentioned": map[string]any{"id": id, "name": name}}
}

// say posts a plain message from user in their 1:1 chat.
func (h *teamsBundle) say(t *testing.T, user, name, text string) {
	t.Helper()
	a := h.personal(user, name, "message")
	a["text"] = text
	if code, body := h.post(t, a); code != http.StatusOK {
		t.Fatalf("message %q: %d %s", text, code, body)
	}
}

// press presses a card's Action.Submit button (a message carrying value).
func (h *teamsBundle) press(t *testing.T, user, name string, data map[string]any) {
	t.Helper()
	a := h.personal(user, name, "message")
	a["value"] = data
	if code, body := h.post(t, a); code != http.StatusOK {
		t.Fatalf("press %v: %d %s", data, code, body)
	}
}

// execute submits the card sent in call through its Action.Execute, with
// the given inputs over the card's initial values, as Teams does (invoke
// adaptiveCard/action), and returns the invoke response.
func (h *teamsBundle) execute(t *testing.T, user, name string, call teamstest.Call, inputs map[string]string) map[string]any {
	t.Helper()
	verb, data, initial := executeAction(t, call.Body)
	for k, v := range initial {
		data[k] = v
	}
	for k, v := range inputs {
		if _, ok := initial[k]; !ok {
			t.Fatalf("the card has no input %q (it has %v)", k, initial)
		}
		data[k] = v
	}
	a := h.personal(user, name, "invoke")
	a["name"] = "adaptiveCard/action"
	a["value"] = map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}
	code, body := h.post(t, a)
	if code != http.StatusOK {
		t.Fatalf("invoke: %d %s", code, body)
	}
	var resp map[string]any
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		t.Fatalf("invoke response %q: %v", body, err)
	}
	return resp
}

// executeAction finds the Action.Execute of the card in an activity, and
// the initial values of the card's inputs.
func executeAction(t *testing.T, activity map[string]any) (verb string, data map[string]any, inputs map[string]string) {
	t.Helper()
	inputs = map[string]string{}
	walkJSON(activity, func(v map[string]any) {
		typ, _ := v["type"].(string)
		if typ == "Action.Execute" {
			verb, _ = v["verb"].(string)
			d, _ := v["data"].(map[string]any)
			data = map[string]any{}
			for k, x := range d {
				data[k] = x
			}
		}
		if strings.HasPrefix(typ, "Input.") {
			id, _ := v["id"].(string)
			val, _ := v["value"].(string)
			inputs[id] = val
		}
	})
	if data == nil {
		t.Fatalf("no Action.Execute in the card: %v", activity)
	}
	return verb, data, inputs
}

// ops is the connector calls since n, as "Op conversation".
func (h *teamsBundle) ops(n int) []string {
	var out []string
	for _, c := range h.conn.Calls()[n:] {
		out = append(out, strings.TrimSpace(c.Op+" "+c.Conversation))
	}
	return out
}

// person returns the stored person with a Teams id.
func (h *teamsBundle) person(t *testing.T, id string) *bot.Person {
	t.Helper()
	inst, err := h.Store.InstallationByExternalID(context.Background(), bot.PlatformTeams, testTenant)
	if err != nil {
		t.Fatal(err)
	}
	p, err := h.Store.PersonByExternalID(context.Background(), inst.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// walkJSON calls fn with every object in a decoded JSON value.
func walkJSON(v any, fn func(map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		fn(v)
		for _, x := range v {
			walkJSON(x, fn)
		}
	case []any:
		for _, x := range v {
			walkJSON(x, fn)
		}
	}
}
