package slack

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

func TestOAuthInstall(t *testing.T) {
	t.Parallel()
	h := setupHTTP(t)
	h.slack.Reply["oauth.v2.access"] = func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.PostForm.Get("code") == "bad-code" {
			fixture(t, w, "slack_api_oauth_v2_access_error_invalid_client_id.json")
			return
		}
		fixture(t, w, "slack_api_oauth_v2_access_success.json")
	}
	mux := http.NewServeMux()
	err := h.adapter.InstallRoutes(mux, OAuthConfig{ClientID: "123.456", ClientSecret: "shh", RedirectURL: "https://smart90.test/slack/oauth_redirect",
		AuthorizeURL: "https://consent.test/oauth/v2/authorize", States: h.State})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, string, string) {
		t.Helper()
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code, rec.Header().Get("Location"), rec.Body.String()
	}
	start := func() string {
		t.Helper()
		code, loc, _ := get("/slack/install")
		u, err := url.Parse(loc)
		if code != http.StatusFound || err != nil || u.Host != "consent.test" {
			t.Fatalf("install: %d %q", code, loc)
		}
		q := u.Query()
		if q.Get("client_id") != "123.456" || q.Get("scope") != strings.Join(BotScopes, ",") || q.Get("redirect_uri") != "https://smart90.test/slack/oauth_redirect" || len(q.Get("state")) != 32 {
			t.Fatalf("authorize URL query = %v", q)
		}
		return q.Get("state")
	}

	state := start()
	code, _, body := get("/slack/oauth_redirect?code=good&state=" + state)
	if code != 200 || !strings.Contains(body, "installed in Slack Softball Team") {
		t.Fatalf("redirect: %d %s", code, body)
	}
	inst, err := h.Store.InstallationByExternalID(context.Background(), bot.PlatformSlack, "T9TK3CUKW")
	if err != nil || string(inst.BotToken) != "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy" || inst.Status != bot.InstallationActive || inst.Name != "Slack Softball Team" {
		t.Fatalf("installation: %+v, %v", inst, err)
	}
	// The state works once.
	if code, _, body := get("/slack/oauth_redirect?code=good&state=" + state); code != http.StatusBadRequest || !strings.Contains(body, "expired") {
		t.Errorf("replayed state: %d %s", code, body)
	}
	// Unknown and expired states.
	if code, _, _ := get("/slack/oauth_redirect?code=good&state=0123456789abcdef0123456789abcdef"); code != http.StatusBadRequest {
		t.Errorf("unknown state: %d", code)
	}
	old := start()
	h.Clock.Advance(11 * time.Minute)
	if code, _, _ := get("/slack/oauth_redirect?code=good&state=" + old); code != http.StatusBadRequest {
		t.Errorf("expired state: %d", code)
	}
	// The admin cancelled; Slack refused the code.
	if code, _, body := get("/slack/oauth_redirect?error=access_denied&state=" + start()); code != 200 || !strings.Contains(body, "access_denied") {
		t.Errorf("cancelled: %d %s", code, body)
	}
	if code, _, _ := get("/slack/oauth_redirect?code=bad-code&state=" + start()); code != http.StatusBadGateway {
		t.Errorf("refused code: %d", code)
	}
}
