package main

import (
	"io"
	"strings"
	"testing"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/seal"
	"github.com/smart90/smart90/store/sqlite/sqlitetest"
)

// TestServeRefusesSealedTokensWithoutKey: a store holding sealed tokens
// (an OAuth install's) with no SMART90_ENCRYPTION_KEY set stops serve at
// start-up, naming the variable, instead of sending the ciphertext to
// Slack as the bot token. With the key, or with plaintext tokens only,
// start-up goes on, to the next step that fails: listening on an address
// whose port is not a port. (serve validates its configuration before it
// opens the store, so the configuration here is a valid dry run.)
func TestServeRefusesSealedTokensWithoutKey(t *testing.T) {
	t.Parallel()
	const key = "0000000000000000000000000000000000000000000000000000000000000001"
	k, err := seal.ParseKey(key)
	if err != nil {
		t.Fatal(err)
	}
	sl, err := seal.New(k)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		sealed bool
		env    map[string]string
		want   string
	}{
		{"sealed, no key", true, nil, "SMART90_ENCRYPTION_KEY is not set"},
		{"sealed, with the key", true, map[string]string{"SMART90_ENCRYPTION_KEY": key}, "listen"},
		{"plaintext, no key", false, nil, "listen"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db, path := sqlitetest.NewFile(t)
			var store bot.Store = db
			if tt.sealed {
				store = seal.Store(db, sl)
			}
			// Another workspace without a token comes first: the check looks at every one.
			for _, inst := range []*bot.Installation{
				{Platform: bot.PlatformSlack, ExternalID: "T0", Status: bot.InstallationActive},
				{Platform: bot.PlatformSlack, ExternalID: "T1", Status: bot.InstallationActive, BotToken: []byte("xoxb-secret")},
			} {
				if err := store.UpsertInstallation(t.Context(), inst); err != nil {
					t.Fatal(err)
				}
			}
			db.Close()

			var stderr strings.Builder
			err = Run(t.Context(), []string{"serve", "-dry-run", "-sqlite", path, "-http-addr", "127.0.0.1:no-such-port"},
				strings.NewReader(""), io.Discard, &stderr, func(k string) string { return tt.env[k] })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("serve: %v, want an error mentioning %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "xoxb-secret") || strings.Contains(stderr.String(), "xoxb-secret") {
				t.Errorf("serve showed the token: %v\n%s", err, stderr.String())
			}
			if tt.sealed && tt.env == nil && !strings.Contains(err.Error(), "slack workspace T1") {
				t.Errorf("serve: %v, want it to name the installation", err)
			}
		})
	}
}
