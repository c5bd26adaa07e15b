package main

import (
	"github.com/smart90/smart90/adapters/slack/slacktest"

	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestServeSlack runs `smart90 serve` as a Slack app in HTTP mode on the
// embedded default, against a fake Slack Web API: a signed slash command
// is answered, a forged one refused, and the invitation it sends goes out
// through chat.postMessage with the configured token.
func TestServeSlack(t *testing.T) {
	t.Parallel()
	api := slacktest.Start(t, slacktest.Options{
		DM: func(string) string { return "DANA" },
		User: func(id string) (slacktest.User, bool) {
			return slacktest.User{ID: id, Name: "x", TZ: "Europe/Paris", DisplayName: strings.ToLower(strings.TrimPrefix(id, "U"))}, true
		},
	})
	calls := func() []string {
		var out []string
		for _, c := range api.Calls() {
			out = append(out, c.Method+" token="+c.Token+" channel="+c.Form["channel"]+" users="+c.Form["users"]+c.Form["user"])
		}
		return out
	}

	const secret = "test-signing-secret"
	env := map[string]string{"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": secret, "SLACK_API_URL": api.URL,
		"SMART90_ENCRYPTION_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}
	addr, stop, done := startServe(t, env, t.Output(), "-log-level", "warn")
	defer stop()
	events := "http://" + addr + "/slack/events"

	send := func(secret string) (int, string) {
		form := url.Values{"team_id": {"T1"}, "user_id": {"UCOACH"}, "user_name": {"cora"}, "command": {"/smart90"},
			"text": {"invite <@UANA|ana>"}, "channel_id": {"DCOACH"}}
		req, err := slacktest.Signer{Secret: secret}.Command(t.Context(), events, form)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	atStart := len(api.Calls()) // auth.test
	if code, _ := send("not-the-secret"); code != http.StatusUnauthorized {
		t.Errorf("forged request: %d, want 401", code)
	}
	if forged := len(api.Calls()) - atStart; forged != 0 {
		t.Errorf("a forged request made Web API calls: %v", calls())
	}
	code, body := send(secret)
	if code != 200 || !strings.Contains(body, `"response_type":"ephemeral"`) || !strings.Contains(body, "ana") {
		t.Fatalf("signed invite: %d %s", code, body)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	want := []string{"auth.test token=xoxb-test channel= users=", "users.info token=xoxb-test channel= users=UCOACH", "users.info token=xoxb-test channel= users=UANA",
		"conversations.open token=xoxb-test channel= users=UANA", "chat.postMessage token=xoxb-test channel=DANA users="}
	if got := calls(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Web API calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
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
