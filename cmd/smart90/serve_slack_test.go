package main

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServeSlack runs `smart90 serve` as a Slack app in HTTP mode on the
// embedded default, against a fake Slack Web API: a signed slash command
// is answered, a forged one refused, and the invitation it sends goes out
// through chat.postMessage with the configured token.
func TestServeSlack(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var calls []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		mu.Lock()
		calls = append(calls, strings.TrimPrefix(r.URL.Path, "/")+" token="+r.PostForm.Get("token")+" channel="+r.PostForm.Get("channel")+" users="+r.PostForm.Get("users")+r.PostForm.Get("user"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/conversations.open":
			io.WriteString(w, `{"ok":true,"channel":{"id":"DANA"}}`)
		case "/auth.test":
			io.WriteString(w, `{"ok":true,"team":"Test Team","team_id":"T1","user_id":"UBOT"}`)
		case "/users.info":
			fmt.Fprintf(w, `{"ok":true,"user":{"id":%q,"name":"x","tz":"Europe/Paris","profile":{"display_name":%q}}}`, r.PostForm.Get("user"), strings.ToLower(strings.TrimPrefix(r.PostForm.Get("user"), "U")))
		case "/chat.postMessage":
			io.WriteString(w, `{"ok":true,"channel":"DANA","ts":"1700000000.000100"}`)
		default:
			io.WriteString(w, `{"ok":false,"error":"unknown_method"}`)
		}
	}))
	defer api.Close()

	const secret = "test-signing-secret"
	env := map[string]string{"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": secret, "SLACK_API_URL": api.URL + "/",
		"SMART90_ENCRYPTION_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}
	addr, stop, done := startServe(t, env, t.Output(), "-log-level", "warn")
	defer stop()
	events := "http://" + addr + "/slack/events"

	send := func(sign string) (int, string) {
		body := url.Values{"team_id": {"T1"}, "user_id": {"UCOACH"}, "user_name": {"cora"}, "command": {"/smart90"},
			"text": {"invite <@UANA|ana>"}, "channel_id": {"DCOACH"}}.Encode()
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		mac := hmac.New(sha256.New, []byte(sign))
		fmt.Fprintf(mac, "v0:%s:%s", ts, body)
		req, _ := http.NewRequest(http.MethodPost, events, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	mu.Lock()
	atStart := len(calls) // auth.test
	mu.Unlock()
	if code, _ := send("not-the-secret"); code != http.StatusUnauthorized {
		t.Errorf("forged request: %d, want 401", code)
	}
	mu.Lock()
	forged := len(calls) - atStart
	mu.Unlock()
	if forged != 0 {
		t.Errorf("a forged request made Web API calls: %v", calls)
	}
	code, body := send(secret)
	if code != 200 || !strings.Contains(body, `"response_type":"ephemeral"`) || !strings.Contains(body, "ana") {
		t.Fatalf("signed invite: %d %s", code, body)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"auth.test token=xoxb-test channel= users=", "users.info token=xoxb-test channel= users=UCOACH", "users.info token=xoxb-test channel= users=UANA",
		"conversations.open token=xoxb-test channel= users=UANA", "chat.postMessage token=xoxb-test channel=DANA users="}
	if strings.Join(calls, "\n") != strings.Join(want, "\n") {
		t.Errorf("Web API calls:\n%s\nwant:\n%s", strings.Join(calls, "\n"), strings.Join(want, "\n"))
	}
}

// startServe runs `smart90 serve` on the embedded default with env as its
// environment and the given extra flags, on a free loopback port, and
// returns its address, a stop function and where its result arrives.
func startServe(t *testing.T, env map[string]string, stderr io.Writer, flags ...string) (addr string, stop func(), done <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	pr, pw := io.Pipe()
	result := make(chan error, 1)
	args := append([]string{"serve", "-sqlite", filepath.Join(t.TempDir(), "s.db"), "-http-addr", "127.0.0.1:0"}, flags...)
	go func() {
		result <- Run(ctx, args, strings.NewReader(""), pw, stderr, func(k string) string { return env[k] })
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("serve printed nothing: %v (%v)", err, <-result)
	}
	go io.Copy(io.Discard, pr)
	m := regexp.MustCompile(`listening on (\S+)`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("start-up line %q", line)
	}
	return m[1], cancel, result
}
