package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
)

// newToken makes a token for personID, created at created, without
// storing it; the secret is returned beside it.
func newToken(t testing.TB, personID int64, name string, created time.Time) (*bot.APIToken, string) {
	t.Helper()
	secret, hash, prefix, err := bot.NewAPIToken()
	must(t, "NewAPIToken", err)
	return &bot.APIToken{PersonID: personID, Name: name, Prefix: prefix, Hash: hash, CreatedAt: created}, secret
}

func testAPITokens(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	tok, secret := newToken(t, f.Client.ID, "my sheet", at(0))
	must(t, "CreateAPIToken", s.CreateAPIToken(ctx, tok))
	if tok.ID == 0 || !tok.CreatedAt.Equal(at(0)) || !tok.LastUsedAt.IsZero() || !tok.Live() {
		t.Fatalf("created token: %s, want an ID, CreatedAt %s, never used, live", show(tok), showTime(at(0)))
	}
	got, err := s.APITokenByHash(ctx, bot.HashAPIToken(secret))
	must(t, "APITokenByHash", err)
	same(t, "token by hash", got, tok)

	other, _ := newToken(t, f.Coach.ID, "", at(time.Minute))
	must(t, "CreateAPIToken of the coach", s.CreateAPIToken(ctx, other))
	second, _ := newToken(t, f.Client.ID, "", at(2*time.Minute))
	must(t, "CreateAPIToken second", s.CreateAPIToken(ctx, second))
	list, err := s.APITokens(ctx, f.Client.ID)
	must(t, "APITokens", err)
	same(t, "the client's tokens", list, []*bot.APIToken{tok, second})
	none, err := s.APITokens(ctx, missingID)
	wantNone(t, "APITokens of a person without tokens", none, err)

	_, err = s.APITokenByHash(ctx, bot.HashAPIToken("s90_unknown"))
	wantCode(t, "APITokenByHash of an unknown token", err, bot.ENOTFOUND)
	dup := *second
	dup.ID = 0
	wantCode(t, "CreateAPIToken with a hash taken", s.CreateAPIToken(ctx, &dup), bot.ECONFLICT)
	nobody, _ := newToken(t, missingID, "", at(0))
	wantCode(t, "CreateAPIToken of a missing person", s.CreateAPIToken(ctx, nobody), bot.ENOTFOUND)
	bad, _ := newToken(t, f.Client.ID, "", at(0))
	bad.Hash = bad.Hash[:8]
	wantCode(t, "CreateAPIToken with a short hash", s.CreateAPIToken(ctx, bad), bot.EINVALID)
	long, _ := newToken(t, f.Client.ID, string(make([]rune, bot.MaxTokenNameLen+1)), at(0))
	wantCode(t, "CreateAPIToken with a long name", s.CreateAPIToken(ctx, long), bot.EINVALID)

	// Revoking: only the person's own token; a second revoke keeps the first instant.
	wantCode(t, "RevokeAPIToken of another person's token", s.RevokeAPIToken(ctx, f.Coach.ID, tok.ID, at(time.Hour)), bot.ENOTFOUND)
	wantCode(t, "RevokeAPIToken of a missing token", s.RevokeAPIToken(ctx, f.Client.ID, missingID, at(time.Hour)), bot.ENOTFOUND)
	must(t, "RevokeAPIToken", s.RevokeAPIToken(ctx, f.Client.ID, tok.ID, at(time.Hour)))
	must(t, "RevokeAPIToken again", s.RevokeAPIToken(ctx, f.Client.ID, tok.ID, at(2*time.Hour)))
	got, err = s.APITokenByHash(ctx, tok.Hash)
	must(t, "APITokenByHash of a revoked token", err)
	if !got.RevokedAt.Equal(at(time.Hour)) {
		t.Errorf("RevokedAt after two revokes: %s, want the first, %s", showTime(got.RevokedAt), showTime(at(time.Hour)))
	}
	if g, err := s.APITokenByHash(ctx, other.Hash); err != nil || !g.Live() {
		t.Errorf("the coach's token after the client's was revoked: %v, %v; want it live", g, err)
	}

	// Touching is coarse: within TouchEvery of the stored use, nothing is written.
	lastUsed := func() time.Time {
		t.Helper()
		g, err := s.APITokenByHash(ctx, second.Hash)
		must(t, "APITokenByHash", err)
		return g.LastUsedAt
	}
	must(t, "TouchAPIToken", s.TouchAPIToken(ctx, second.ID, at(10*time.Minute)))
	if got := lastUsed(); !got.Equal(at(10 * time.Minute)) {
		t.Errorf("LastUsedAt after the first use: %s, want %s", showTime(got), showTime(at(10*time.Minute)))
	}
	must(t, "TouchAPIToken soon after", s.TouchAPIToken(ctx, second.ID, at(10*time.Minute+bot.TouchEvery-time.Second)))
	if got := lastUsed(); !got.Equal(at(10 * time.Minute)) {
		t.Errorf("LastUsedAt after a use within TouchEvery: %s, want it kept at %s", showTime(got), showTime(at(10*time.Minute)))
	}
	must(t, "TouchAPIToken later", s.TouchAPIToken(ctx, second.ID, at(10*time.Minute+bot.TouchEvery)))
	if got := lastUsed(); !got.Equal(at(10*time.Minute + bot.TouchEvery)) {
		t.Errorf("LastUsedAt after a use TouchEvery later: %s, want %s", showTime(got), showTime(at(10*time.Minute+bot.TouchEvery)))
	}
	must(t, "TouchAPIToken of a missing token", s.TouchAPIToken(ctx, missingID, at(0)))
}

func testAPITokenLimitConcurrent(t *testing.T, s bot.Store) {
	f := seed(t, s)
	const n = 25
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  [n]error
	)
	for i := range n {
		tok, _ := newToken(t, f.Client.ID, fmt.Sprintf("t%d", i), at(time.Duration(i)*time.Second))
		wg.Go(func() {
			<-start
			errs[i] = s.CreateAPIToken(t.Context(), tok)
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch bot.ErrorCode(err) {
		case "":
			ok++
		case bot.ECONFLICT:
		default:
			t.Errorf("CreateAPIToken %d: %v, want nil or ECONFLICT", i, err)
		}
	}
	if ok != bot.MaxAPITokens {
		t.Errorf("%d concurrent CreateAPIToken calls: %d succeeded, want exactly %d", n, ok, bot.MaxAPITokens)
	}
	list, err := s.APITokens(t.Context(), f.Client.ID)
	must(t, "APITokens", err)
	if len(list) != bot.MaxAPITokens {
		t.Fatalf("APITokens: %d stored, want %d", len(list), bot.MaxAPITokens)
	}
	// A revoked token makes room for one more, until MaxAPITokensKept.
	must(t, "RevokeAPIToken", s.RevokeAPIToken(t.Context(), f.Client.ID, list[0].ID, at(time.Hour)))
	tok, _ := newToken(t, f.Client.ID, "", at(time.Hour))
	must(t, "CreateAPIToken after a revoke", s.CreateAPIToken(t.Context(), tok))
	extra, _ := newToken(t, f.Client.ID, "", at(time.Hour))
	wantCode(t, "CreateAPIToken beyond the live limit", s.CreateAPIToken(t.Context(), extra), bot.ECONFLICT)
	for i := bot.MaxAPITokens + 1; i < bot.MaxAPITokensKept; i++ {
		must(t, "RevokeAPIToken", s.RevokeAPIToken(t.Context(), f.Client.ID, tok.ID, at(time.Hour)))
		tok, _ = newToken(t, f.Client.ID, "", at(time.Hour))
		must(t, fmt.Sprintf("CreateAPIToken %d", i+1), s.CreateAPIToken(t.Context(), tok))
	}
	must(t, "RevokeAPIToken", s.RevokeAPIToken(t.Context(), f.Client.ID, tok.ID, at(time.Hour)))
	extra, _ = newToken(t, f.Client.ID, "", at(2*time.Hour))
	wantCode(t, fmt.Sprintf("CreateAPIToken beyond %d kept", bot.MaxAPITokensKept), s.CreateAPIToken(t.Context(), extra), bot.ECONFLICT)
}

func testDeletePersonAPITokens(t *testing.T, s bot.Store) {
	ctx := t.Context()
	f := seed(t, s)
	mine, _ := newToken(t, f.Client.ID, "mine", at(0))
	must(t, "CreateAPIToken", s.CreateAPIToken(ctx, mine))
	theirs, _ := newToken(t, f.Coach.ID, "theirs", at(0))
	must(t, "CreateAPIToken", s.CreateAPIToken(ctx, theirs))
	must(t, "DeletePerson", s.DeletePerson(ctx, f.Client.ID))
	_, err := s.APITokenByHash(ctx, mine.Hash)
	wantCode(t, "APITokenByHash of a deleted person's token", err, bot.ENOTFOUND)
	got, err := s.APITokenByHash(ctx, theirs.Hash)
	must(t, "APITokenByHash of the coach's token", err)
	same(t, "the coach's token", got, theirs)
}
