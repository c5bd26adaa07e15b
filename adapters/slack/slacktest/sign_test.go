package slacktest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"testing"

	"github.com/slack-go/slack"

	"github.com/smart90/smart90/adapters/slack/slacktest"
)

// TestSignPublishedExample: Sign gives the signature of Slack's own worked
// example.
func TestSignPublishedExample(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../../testdata/fixtures/slack_signing_example.json")
	if err != nil {
		t.Fatal(err)
	}
	var ex struct {
		Secret    string            `json:"signing_secret"`
		Headers   map[string]string `json:"headers"`
		Body      string            `json:"request_body"`
		Signature string            `json:"expected_signature"`
	}
	if err := json.Unmarshal(raw, &ex); err != nil {
		t.Fatal(err)
	}
	if got := slacktest.Sign(ex.Secret, ex.Headers[slacktest.HeaderTimestamp], []byte(ex.Body)); got != ex.Signature {
		t.Errorf("Sign(example) = %s, want %s", got, ex.Signature)
	}
}

// TestSignerPassesSlackGo: each kind of request a Signer makes passes
// slack-go's own verifier, with its body intact, and fails it under
// another secret.
func TestSignerPassesSlackGo(t *testing.T) {
	t.Parallel()
	const secret = "slacktest-secret"
	s := slacktest.Signer{Secret: secret}
	ctx := t.Context()
	reqs := map[string]func() (*http.Request, error){
		"event": func() (*http.Request, error) {
			return s.Event(ctx, "http://app.test/slack/events", []byte(`{"type":"event_callback"}`))
		},
		"interaction": func() (*http.Request, error) {
			return s.Interaction(ctx, "http://app.test/slack/events", map[string]any{"type": "block_actions"})
		},
		"command": func() (*http.Request, error) {
			return s.Command(ctx, "http://app.test/slack/events", url.Values{"command": {"/smart90"}, "text": {"help"}})
		},
	}
	for name, mk := range reqs {
		for _, key := range []string{secret, "another secret"} {
			r, err := mk()
			if err != nil {
				t.Fatal(err)
			}
			v, err := slack.NewSecretsVerifier(r.Header, key)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			body, _ := io.ReadAll(r.Body)
			v.Write(body)
			if err := v.Ensure(); (err == nil) != (key == secret) {
				t.Errorf("%s under %q: Ensure() = %v", name, key, err)
			}
		}
	}
	r, _ := s.Interaction(ctx, "http://app.test/slack/events", map[string]any{"type": "view_submission"})
	if err := r.ParseForm(); err != nil || r.PostForm.Get("payload") != `{"type":"view_submission"}` {
		t.Errorf("interaction form: %v %q", err, r.PostForm.Get("payload"))
	}
}
