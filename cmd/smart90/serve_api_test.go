package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/store/sqlite"
)

// TestServeAPI: a token made in chat reads the API on serve's own mux,
// paced per token by SMART90_API_RATE and SMART90_API_BURST.
func TestServeAPI(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "api.db")
	addr, stop, done := startServe(t, map[string]string{"SMART90_API_RATE": "0.01", "SMART90_API_BURST": "2"}, t.Output(), "-dry-run", "-sqlite", path)
	base := "http://" + addr

	// The token, made through the chat path on the store serve uses.
	db, err := sqlite.Open(t.Context(), path, slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	b := bottest.SetupWith(t, bottest.Options{Store: db})
	ana := bot.UserRef{ExternalID: "UANA", DisplayName: "Ana", TimeZone: "Europe/Berlin"}
	token := regexp.MustCompile(`s90_[A-Za-z0-9_-]{43}`).FindString(bottest.Text(b.Command(t, ana, "token new serve")...))
	if token == "" {
		t.Fatal("token new gave no token")
	}

	call := func(path, tok string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}
	resp, body := call("/api/v1/me", token)
	var me struct {
		Name  string
		Token struct{ Name string }
	}
	if err := json.Unmarshal(body, &me); err != nil || resp.StatusCode != http.StatusOK || me.Name != "Ana" || me.Token.Name != "serve" {
		t.Errorf("/api/v1/me: %d %s", resp.StatusCode, body)
	}
	if resp, body := call("/api/v1/openapi.json", ""); resp.StatusCode != http.StatusOK || !regexp.MustCompile(`"openapi":"3\.1\.0"`).Match(body) {
		t.Errorf("/api/v1/openapi.json: %d %.80s", resp.StatusCode, body)
	}
	if resp, body := call("/api/v1/me", ""); resp.StatusCode != http.StatusUnauthorized || !regexp.MustCompile(`"code":"missing_token"`).Match(body) {
		t.Errorf("/api/v1/me without a token: %d %s", resp.StatusCode, body)
	}
	// The burst of 2 is spent; at 0.01 a second the next waits 100 s.
	resp, body = call("/api/v1/clients", token)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("second request: %d %s", resp.StatusCode, body)
	}
	resp, body = call("/api/v1/clients", token)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !regexp.MustCompile(`"code":"rate_limited"`).Match(body) {
		t.Errorf("third request: %d %s (Retry-After %q), want 429", resp.StatusCode, body, resp.Header.Get("Retry-After"))
	}
	stopServe(t, stop, done)
}

// TestServeRejectsBadAPIRate: serve refuses to start with a rate or
// burst the limiter would refuse, saying which setting is wrong.
func TestServeRejectsBadAPIRate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"SMART90_API_BURST": "1.5"}, "SMART90_API_BURST"},
		{map[string]string{"SMART90_API_BURST": "0"}, "SMART90_API_BURST"},
		{map[string]string{"SMART90_API_RATE": "fast"}, "SMART90_API_RATE"},
		{map[string]string{"SMART90_API_RATE": "0"}, "SMART90_API_RATE"},
		{map[string]string{"SMART90_API_RATE": "0.000001", "SMART90_API_BURST": "1000000"}, "refill"},
	} {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		err := Run(ctx, []string{"serve", "-dry-run", "-sqlite", filepath.Join(t.TempDir(), "s.db"), "-http-addr", "127.0.0.1:0"},
			strings.NewReader(""), io.Discard, io.Discard, func(k string) string { return tc.env[k] })
		cancel()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("serve with %v: %v, want an error naming %s", tc.env, err, tc.want)
		}
	}
}
