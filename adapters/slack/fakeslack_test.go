package slack

import (
	"net/http"
	"os"
	"testing"

	"github.com/smart90/smart90/adapters/slack/slacktest"
)

// fakeSlack is the fake Web API the adapter's tests run against, through
// slack-go itself; call is one call it recorded.
type (
	fakeSlack = slacktest.Server
	call      = slacktest.Call
)

// fakeStart is when a fakeSlack's first post is made.
var fakeStart = slacktest.DefaultStart

// newFakeSlack starts a fake Slack for t: everyone is named after their id
// in lower case and lives in Paris, and every DM is the channel of Slack's
// published conversations.open example.
func newFakeSlack(t *testing.T) *fakeSlack {
	t.Helper()
	return slacktest.Start(t, slacktest.Options{DM: func(string) string { return "D069C7QFK" }})
}

// fixture writes one of the published payloads in ../../testdata/fixtures.
func fixture(t testing.TB, w http.ResponseWriter, name string) {
	t.Helper()
	b, err := os.ReadFile("../../testdata/fixtures/" + name)
	if err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}
