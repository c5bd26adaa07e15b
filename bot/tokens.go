package bot

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// APIToken is a personal access token for the read-only HTTP API: it reads
// what its person may see in chat, no more. The token itself is shown once,
// when it is made; the store keeps only its SHA-256 (a token is 32 random
// bytes, so a fast hash cannot be searched) and its first characters, by
// which the person tells their tokens apart.
type APIToken struct {
	ID       int64
	PersonID int64
	// Name is what the person called it (typed text); "" for none.
	Name string
	// Prefix is the token's first APITokenPrefixLen characters ("s90_AbC1").
	Prefix string
	// Hash is HashAPIToken of the whole token.
	Hash       []byte
	CreatedAt  time.Time
	LastUsedAt time.Time // zero until first used; coarse (see TouchEvery)
	RevokedAt  time.Time // zero while it works
}

// Live reports whether the token works (it is not revoked).
func (t *APIToken) Live() bool { return t.RevokedAt.IsZero() }

// Limits on API tokens.
const (
	// MaxAPITokens bounds a person's live tokens.
	MaxAPITokens = 10
	// MaxAPITokensKept bounds a person's tokens, revoked ones included,
	// so that making and revoking tokens cannot grow the table without end.
	MaxAPITokensKept = 100
	// MaxTokenNameLen bounds a token's name.
	MaxTokenNameLen = 80
	// APITokenScheme starts every token, so that a leaked one is easy to
	// recognise (secret scanners) and to tell from other credentials.
	APITokenScheme = "s90_"
	// APITokenPrefixLen is how many of a token's first characters are
	// kept and shown: the scheme and 4 random characters.
	APITokenPrefixLen = len(APITokenScheme) + 4
	// TouchEvery is how coarse LastUsedAt is: a use within this long of the
	// stored one does not write.
	TouchEvery = time.Minute
)

// tokenBytes is how many random bytes a token holds.
const tokenBytes = 32

// NewAPIToken makes a new token: the secret to show once, and its hash and
// prefix to store.
func NewAPIToken() (secret string, hash []byte, prefix string, err error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", nil, "", fmt.Errorf("make token: %w", err)
	}
	secret = APITokenScheme + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashAPIToken(secret), secret[:APITokenPrefixLen], nil
}

// HashAPIToken returns the SHA-256 of a token, as stored.
func HashAPIToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// WellFormedAPIToken reports whether s has the shape NewAPIToken gives: the
// scheme and 43 base64url characters. A token of another shape is never
// looked up.
func WellFormedAPIToken(s string) bool {
	rest, ok := strings.CutPrefix(s, APITokenScheme)
	if !ok || len(rest) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(rest)
	return err == nil
}

// Validate checks the token against the limits (EINVALID).
func (t *APIToken) Validate() error {
	if len(t.Hash) != sha256.Size {
		return Errorf(EINVALID, "A token's hash is %d bytes, not %d.", len(t.Hash), sha256.Size)
	}
	if !strings.HasPrefix(t.Prefix, APITokenScheme) || len(t.Prefix) != APITokenPrefixLen {
		return Errorf(EINVALID, "A token's prefix is %q, not the scheme and 4 characters.", t.Prefix)
	}
	return CheckText("token's name", t.Name, MaxTokenNameLen)
}

// tokenUsage is the usage of the token sub-commands.
const tokenUsage = "`token new [name]` — a new token for the HTTP API (in your 1:1 chat with me)\n" +
	"`token list` — your tokens\n" +
	"`token revoke <n|prefix>` — stop a token working"

// cmdToken: a person makes, lists or revokes their API tokens.
func (b *Bot) cmdToken(ctx context.Context, r *request, rest string) ([]Message, error) {
	sub, arg, _ := strings.Cut(strings.TrimSpace(rest), " ")
	arg = strings.TrimSpace(arg)
	switch strings.ToLower(sub) {
	case "new", "create":
		return b.tokenNew(ctx, r, arg)
	case "", "list", "ls":
		if arg != "" {
			return nil, usageError("`token list` takes nothing after it.", "token")
		}
		return b.tokenList(ctx, r)
	case "revoke", "delete":
		return b.tokenRevoke(ctx, r, arg)
	}
	return nil, usageError(fmt.Sprintf("I don't know `token %s`.", sub), "token")
}

// tokenNew makes a token and shows it once.
func (b *Bot) tokenNew(ctx context.Context, r *request, name string) ([]Message, error) {
	if r.ev.Channel != "" {
		// The reply would be read where others read it (a Teams
		// channel): a token is a secret. (A Slack slash command is
		// private wherever it is typed, so it has no channel.)
		return reply("I did not make a token: a token is a secret, and I hand one out only in our 1:1 chat, where nobody else reads my answer. " +
			"Send `token new` there as a message."), nil
	}
	if err := CheckText("token's name", name, MaxTokenNameLen); err != nil {
		return nil, usageError(ErrorMessage(err), "token")
	}
	secret, hash, prefix, err := NewAPIToken()
	if err != nil {
		return nil, err
	}
	t := &APIToken{PersonID: r.me.ID, Name: name, Prefix: prefix, Hash: hash, CreatedAt: r.now}
	if err := b.store.CreateAPIToken(ctx, t); ErrorCode(err) == ECONFLICT {
		return reply("You have %d tokens that work, the most you can have. Revoke one first: `token list`, then `token revoke <n>`.", MaxAPITokens), nil
	} else if err != nil {
		return nil, fmt.Errorf("create token: %w", err)
	}
	return reply("Your new token for the smart90 HTTP API (read-only: what you can see here). "+
		"It is shown this once — copy it now; smart90 keeps only a hash of it.\n"+
		"`%s`\n"+
		"Use it as a bearer token, e.g. `curl -H \"Authorization: Bearer %s\" %s/api/v1/me`\n"+
		"`token list` shows your tokens as `%s…`; `token revoke %s` stops this one.",
		secret, secret, cmp.Or(b.publicURL, "https://<smart90 host>"), prefix, prefix), nil
}

// tokenList lists the person's tokens, numbered for `token revoke`.
func (b *Bot) tokenList(ctx context.Context, r *request) ([]Message, error) {
	ts, err := b.store.APITokens(ctx, r.me.ID)
	if err != nil {
		return nil, fmt.Errorf("load tokens: %w", err)
	}
	if len(ts) == 0 {
		return reply("You have no API tokens.\n%s", tokenUsage), nil
	}
	loc := r.local().Location()
	when := func(t time.Time) string { return t.In(loc).Format("2 Jan 2006 15:04") }
	var sb strings.Builder
	sb.WriteString("*Your API tokens*\n")
	for i, t := range ts {
		name := t.Name
		if name == "" {
			name = "(no name)"
		}
		fmt.Fprintf(&sb, "%d. `%s…` %s — made %s", i+1, t.Prefix, name, when(t.CreatedAt))
		if t.LastUsedAt.IsZero() {
			sb.WriteString(" · never used")
		} else {
			fmt.Fprintf(&sb, " · last used %s", when(t.LastUsedAt))
		}
		if !t.Live() {
			fmt.Fprintf(&sb, " · revoked %s", when(t.RevokedAt))
		}
		sb.WriteString("\n")
	}
	sb.WriteString(tokenUsage)
	return reply("%s", sb.String()), nil
}

// tokenRevoke revokes the token named by its number in `token list` or
// its prefix.
func (b *Bot) tokenRevoke(ctx context.Context, r *request, arg string) ([]Message, error) {
	if arg == "" || len(strings.Fields(arg)) != 1 {
		return nil, usageError("Name one token: its number in `token list` or its first characters.", "token")
	}
	ts, err := b.store.APITokens(ctx, r.me.ID)
	if err != nil {
		return nil, fmt.Errorf("load tokens: %w", err)
	}
	var found *APIToken
	if n, err := strconv.Atoi(arg); err == nil {
		if n < 1 || n > len(ts) {
			return nil, usageError(fmt.Sprintf("You have %s; there is no number %d.", plural(len(ts), "token"), n), "token")
		}
		found = ts[n-1]
	} else {
		p := strings.TrimSuffix(strings.TrimSuffix(arg, "…"), "...")
		for _, t := range ts {
			if p != "" && (strings.HasPrefix(t.Prefix, p) || strings.HasPrefix(p, t.Prefix)) {
				if found != nil {
					return nil, usageError(fmt.Sprintf("More than one of your tokens starts with %q; give its number in `token list`.", p), "token")
				}
				found = t
			}
		}
		if found == nil {
			return nil, usageError(fmt.Sprintf("None of your tokens starts with %q.", p), "token")
		}
	}
	if !found.Live() {
		return reply("Token `%s…` was already revoked.", found.Prefix), nil
	}
	if err := b.store.RevokeAPIToken(ctx, r.me.ID, found.ID, r.now); err != nil {
		return nil, fmt.Errorf("revoke token: %w", err)
	}
	return reply("Revoked token `%s…`: it no longer works.", found.Prefix), nil
}

// CheckAPITokenCounts returns the ECONFLICT error a store gives for one
// more token of a person who has live tokens that work and all in all,
// or nil. Stores share it so they refuse alike.
func CheckAPITokenCounts(live, all int) error {
	if live >= MaxAPITokens {
		return Errorf(ECONFLICT, "You have %d tokens that work, the most you can have; revoke one first.", MaxAPITokens)
	}
	if all >= MaxAPITokensKept {
		return Errorf(ECONFLICT, "You have made %d tokens, the most smart90 keeps.", MaxAPITokensKept)
	}
	return nil
}
