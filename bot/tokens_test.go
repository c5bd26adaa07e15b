package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
)

var tokenRE = regexp.MustCompile(`s90_[A-Za-z0-9_-]{43}`)

var tokenUser = bot.UserRef{ExternalID: "UTOK", DisplayName: "Tia", TimeZone: "Europe/Berlin"}

// TestTokenNewShownOnceStoredHashed: the token is in the reply to `token
// new` once; the store keeps its hash and prefix, never the token.
func TestTokenNewShownOnceStoredHashed(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	text := bottest.Text(b.Command(t, tokenUser, "token new my <b>sheet</b>")...)
	secret := tokenRE.FindString(text)
	if secret == "" || strings.Count(text, secret) < 1 || !strings.Contains(text, "Authorization: Bearer "+secret) {
		t.Fatalf("token new: %q, want the token and how to use it", text)
	}
	if !bot.WellFormedAPIToken(secret) {
		t.Errorf("token %q is not well formed", secret)
	}
	ts, err := b.Store.APITokens(context.Background(), b.Person(t, tokenUser).ID)
	if err != nil || len(ts) != 1 {
		t.Fatalf("APITokens: %v, %v; want one", ts, err)
	}
	tok := ts[0]
	if !bytes.Equal(tok.Hash, bot.HashAPIToken(secret)) || tok.Prefix != secret[:bot.APITokenPrefixLen] || tok.Name != "my <b>sheet</b>" {
		t.Errorf("stored token %+v, want the hash of the token, its prefix and the name as typed", tok)
	}
	if row := fmt.Sprintf("%+v %s", *tok, tok.Hash); strings.Contains(row, secret) || strings.Contains(row, secret[bot.APITokenPrefixLen:]) {
		t.Errorf("the stored row holds the token: %s", row)
	}

	// Never shown again.
	list := bottest.Text(b.Command(t, tokenUser, "token list")...)
	if strings.Contains(list, secret) || !strings.Contains(list, tok.Prefix) || !strings.Contains(list, "my <b>sheet</b>") || !strings.Contains(list, "never used") {
		t.Errorf("token list: %q, want the prefix and name, never the token", list)
	}
}

// TestTokenExampleNamesThePublicURL: the curl example names the
// service's public address when the operator set it.
func TestTokenExampleNamesThePublicURL(t *testing.T) {
	t.Parallel()
	text := bottest.Text(bottest.Setup(t).Command(t, tokenUser, "token new")...)
	if !strings.Contains(text, " https://<smart90 host>/api/v1/me`") {
		t.Errorf("token new without a public URL: %q, want the placeholder", text)
	}
	b := bottest.SetupWith(t, bottest.Options{PublicURL: "https://coach.example.org/"})
	text = bottest.Text(b.Command(t, tokenUser, "token new")...)
	if !strings.Contains(text, " https://coach.example.org/api/v1/me`") {
		t.Errorf("token new: %q, want the public URL in the example", text)
	}
}

// TestTokenNotInAChannel: a token asked for in a channel is refused and
// nothing is stored.
func TestTokenNotInAChannel(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	out := b.Handle(t, tokenUser, bot.Event{Kind: bot.EventCommand, Channel: "19:general@thread.tacv2", Text: "token new"})
	text := bottest.Text(out...)
	if tokenRE.MatchString(text) || !strings.Contains(text, "1:1 chat") {
		t.Errorf("token new in a channel: %q, want a refusal", text)
	}
	ts, err := b.Store.APITokens(context.Background(), b.Person(t, tokenUser).ID)
	if err != nil || len(ts) != 0 {
		t.Errorf("APITokens after the refusal: %v, %v; want none", ts, err)
	}
	// The same words as a message in the 1:1 chat make one.
	if text := bottest.Text(b.Say(t, tokenUser, "token new")...); !tokenRE.MatchString(text) {
		t.Errorf("token new as a direct message: %q, want a token", text)
	}
}

// TestTokenRevoke revokes by number and by prefix; another person's
// tokens are not theirs to name.
func TestTokenRevoke(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	first := tokenRE.FindString(bottest.Text(b.Command(t, tokenUser, "token new one")...))
	second := tokenRE.FindString(bottest.Text(b.Command(t, tokenUser, "token new two")...))
	other := bot.UserRef{ExternalID: "UOTHER", DisplayName: "Olga", TimeZone: "UTC"}
	otherTok := tokenRE.FindString(bottest.Text(b.Command(t, other, "token new")...))

	b.Clock.Advance(time.Hour)
	if text := bottest.Text(b.Command(t, tokenUser, "token revoke 1")...); !strings.Contains(text, "Revoked token `"+first[:bot.APITokenPrefixLen]) {
		t.Errorf("token revoke 1: %q", text)
	}
	if text := bottest.Text(b.Command(t, tokenUser, "token revoke 1")...); !strings.Contains(text, "already revoked") {
		t.Errorf("token revoke 1 again: %q", text)
	}
	if text := bottest.Text(b.Command(t, tokenUser, "token revoke "+otherTok[:bot.APITokenPrefixLen])...); !strings.Contains(text, "None of your tokens") {
		t.Errorf("token revoke of another person's prefix: %q", text)
	}
	if text := bottest.Text(b.Command(t, tokenUser, "token revoke 3")...); !strings.Contains(text, "no number 3") {
		t.Errorf("token revoke 3: %q", text)
	}
	if text := bottest.Text(b.Command(t, tokenUser, "token revoke "+second[:bot.APITokenPrefixLen]+"…")...); !strings.Contains(text, "Revoked") {
		t.Errorf("token revoke by prefix: %q", text)
	}
	ctx := context.Background()
	for _, s := range []string{first, second} {
		tok, err := b.Store.APITokenByHash(ctx, bot.HashAPIToken(s))
		if err != nil || tok.Live() {
			t.Errorf("token %s… after revoke: %+v, %v; want revoked", s[:8], tok, err)
		}
	}
	if tok, err := b.Store.APITokenByHash(ctx, bot.HashAPIToken(otherTok)); err != nil || !tok.Live() {
		t.Errorf("Olga's token: %+v, %v; want it live", tok, err)
	}
	list := bottest.Text(b.Command(t, tokenUser, "token list")...)
	if strings.Count(list, "revoked") != 2 {
		t.Errorf("token list: %q, want both revoked", list)
	}
}

// TestTokenLimit: at most bot.MaxAPITokens tokens work at once.
func TestTokenLimit(t *testing.T) {
	t.Parallel()
	b := bottest.Setup(t)
	for i := range bot.MaxAPITokens {
		if text := bottest.Text(b.Command(t, tokenUser, fmt.Sprintf("token new t%d", i))...); !tokenRE.MatchString(text) {
			t.Fatalf("token %d: %q", i+1, text)
		}
	}
	text := bottest.Text(b.Command(t, tokenUser, "token new one too many")...)
	if tokenRE.MatchString(text) || !strings.Contains(text, "Revoke one first") {
		t.Errorf("token %d: %q, want a refusal", bot.MaxAPITokens+1, text)
	}
	b.Command(t, tokenUser, "token revoke 1")
	if text := bottest.Text(b.Command(t, tokenUser, "token new after revoke")...); !tokenRE.MatchString(text) {
		t.Errorf("token after a revoke: %q", text)
	}
	long := strings.Repeat("x", bot.MaxTokenNameLen+1)
	if text := bottest.Text(b.Command(t, tokenUser, "token revoke 2")...); !strings.Contains(text, "Revoked") {
		t.Fatalf("token revoke 2: %q", text)
	}
	if text := bottest.Text(b.Command(t, tokenUser, "token new "+long)...); tokenRE.MatchString(text) || !strings.Contains(text, "limit is") {
		t.Errorf("token new with a long name: %q, want a refusal", text)
	}
	if text := bottest.Text(b.Command(t, tokenUser, "token frobnicate")...); !strings.Contains(text, "Usage") {
		t.Errorf("token frobnicate: %q, want the usage", text)
	}
}
