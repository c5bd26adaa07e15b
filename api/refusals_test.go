package api_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/smart90/smart90/api"
	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/bot/bottest"
	"github.com/smart90/smart90/store/inproc"
	"github.com/smart90/smart90/store/redis/redistest"
)

func TestRefusals(t *testing.T) {
	t.Parallel()
	testRefusals(t, setup(t, options{}))
}

func testRefusals(t *testing.T, w *world) {
	anaPath := "/api/v1/clients/" + id(w, ana)
	wantError(t, "no Authorization", w.get(t, "", "/api/v1/me"), http.StatusUnauthorized, api.CodeMissingToken)
	for _, h := range []string{"Token " + w.tokens["UANA"], "Bearer", "Basic dXNlcjpwYXNz", "Bearer s90_short", "Bearer " + w.tokens["UANA"] + "x",
		"Bearer s90_" + strings.Repeat("A", 43), "Bearer " + strings.Replace(w.tokens["UANA"], "s90_", "s91_", 1)} {
		rec := w.get(t, "", "/api/v1/me", "Authorization", h)
		wantError(t, "Authorization: "+h, rec, http.StatusUnauthorized, api.CodeInvalidToken)
		if rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("Authorization %q: 401 without WWW-Authenticate", h)
		}
	}

	// Another coach's client is not found, as a client that does not
	// exist is: the same answer.
	other := w.get(t, "UCORA", "/api/v1/clients/"+id(w, oscar)+"/checkins")
	wantError(t, "Cora reading Otto's client", other, http.StatusNotFound, api.CodeNotFound)
	missing := w.get(t, "UCORA", "/api/v1/clients/987654321/checkins")
	if other.Body.String() != missing.Body.String() {
		t.Errorf("another coach's client: %s; a missing one: %s; want the same", other.Body, missing.Body)
	}
	wantError(t, "Otto reading Cora's client", w.get(t, "UOTTO", anaPath), http.StatusNotFound, api.CodeNotFound)
	// A client reads no other client, nor their coach.
	for _, path := range []string{"/api/v1/clients/" + id(w, bea), "/api/v1/clients/" + id(w, bea) + "/rocks", "/api/v1/clients/" + id(w, cora)} {
		wantError(t, "Ana reading "+path, w.get(t, "UANA", path), http.StatusNotFound, api.CodeNotFound)
	}
	wantError(t, "a client id that is no number", w.get(t, "UCORA", "/api/v1/clients/ana/rocks"), http.StatusNotFound, api.CodeNotFound)

	for _, q := range []string{"from=2026-13-01", "to=yesterday", "from=2026-12-02&to=2026-12-01", "limit=0", "limit=201", "limit=ten",
		"cursor=nope", "cursor=MjAyNi0xMi0wMS4w"} {
		wantError(t, "checkins?"+q, w.get(t, "UANA", anaPath+"/checkins?"+q), http.StatusBadRequest, api.CodeBadRequest)
		wantError(t, "weekly-reports?"+q, w.get(t, "UANA", anaPath+"/weekly-reports?"+q), http.StatusBadRequest, api.CodeBadRequest)
	}
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		rec := w.do(t, m, "UANA", "/api/v1/me")
		wantError(t, m+" /me", rec, http.StatusMethodNotAllowed, api.CodeMethodNotAllowed)
		if rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s /me: Allow %q", m, rec.Header().Get("Allow"))
		}
	}
	wantError(t, "an unknown route", w.get(t, "UANA", "/api/v1/nothing"), http.StatusNotFound, api.CodeNotFound)

	// Revoked in chat: refused at once.
	if rec := w.get(t, "UBEA", "/api/v1/me"); rec.Code != http.StatusOK {
		t.Fatalf("Bea's token before the revoke: %d", rec.Code)
	}
	w.b.Command(t, bea, "token revoke 1")
	wantError(t, "a revoked token", w.get(t, "UBEA", "/api/v1/me"), http.StatusUnauthorized, api.CodeRevokedToken)
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	w := setup(t, options{rate: 0.5, burst: 2})
	for i := range 2 {
		if rec := w.get(t, "UANA", "/api/v1/me"); rec.Code != http.StatusOK {
			t.Fatalf("request %d within the burst: %d", i+1, rec.Code)
		}
	}
	rec := w.get(t, "UANA", "/api/v1/me")
	wantError(t, "past the burst", rec, http.StatusTooManyRequests, api.CodeRateLimited)
	if got := rec.Header().Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After %q, want 2 (one request per 2 s)", got)
	}
	// Another token is paced on its own.
	if rec := w.get(t, "UCORA", "/api/v1/me"); rec.Code != http.StatusOK {
		t.Errorf("Cora's token while Ana's is limited: %d", rec.Code)
	}
	w.b.Clock.Advance(2 * time.Second)
	if rec := w.get(t, "UANA", "/api/v1/me"); rec.Code != http.StatusOK {
		t.Errorf("after Retry-After: %d", rec.Code)
	}
}

// failing is a Store whose reads after authentication fail, as a store
// that went down does.
type failing struct {
	api.Store
}

func (failing) CheckIns(context.Context, int64, bot.Date, bot.Date) ([]*bot.CheckIn, error) {
	return nil, storeErr("dial tcp 10.0.0.7:5432: connect: connection refused")
}

type storeErr string

func (e storeErr) Error() string { return string(e) }

func TestStoreDown(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	w := setup(t, options{log: slog.New(slog.NewTextHandler(&logs, nil))})
	h, err := api.New(api.Config{Store: failing{w.b.Store}, Limiter: inproc.NewRateLimiter(w.b.Clock), Clock: w.b.Clock,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	must(t, err)
	path := "/api/v1/clients/" + id(w, ana) + "/checkins"
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+w.tokens["UANA"])
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	conforms(t, req, rec)
	wantError(t, "a read failing", rec, http.StatusServiceUnavailable, api.CodeUnavailable)
	if strings.Contains(rec.Body.String(), "10.0.0.7") {
		t.Errorf("503 body shows the internal error: %s", rec.Body)
	}

	// The whole store down: the token cannot even be checked.
	must(t, w.b.Store.Close())
	rec = w.get(t, "UANA", "/api/v1/me")
	wantError(t, "the store closed", rec, http.StatusServiceUnavailable, api.CodeUnavailable)
	if !strings.Contains(logs.String(), "connection refused") {
		t.Errorf("the failure is not logged: %s", logs.String())
	}
	for _, tok := range w.tokens {
		if strings.Contains(logs.String(), tok) {
			t.Errorf("the logs hold a token: %s", logs.String())
		}
	}
}

func TestLastUsed(t *testing.T) {
	t.Parallel()
	w := setup(t, options{})
	if text := bottest.Text(w.b.Command(t, ana, "token list")...); !strings.Contains(text, "never used") {
		t.Fatalf("token list before any use: %q", text)
	}
	lastUsed := func() string {
		t.Helper()
		m := regexp.MustCompile(`last used ([^·\n]+)`).FindStringSubmatch(bottest.Text(w.b.Command(t, ana, "token list")...))
		if m == nil {
			t.Fatal("token list shows no last use")
		}
		return strings.TrimSpace(m[1])
	}
	// Ana acts in Berlin: the clock's 18:00 UTC is her 19:00.
	w.get(t, "UANA", "/api/v1/me")
	if got := lastUsed(); !strings.HasSuffix(got, "19:00") {
		t.Errorf("last used after the first use: %q, want 19:00", got)
	}
	w.b.Clock.Advance(2 * time.Minute)
	w.get(t, "UANA", "/api/v1/me")
	if got := lastUsed(); !strings.HasSuffix(got, "19:02") {
		t.Errorf("last used two minutes later: %q, want 19:02", got)
	}
	// Within a minute of the stored use nothing is written (the list
	// shows minutes, so the store says).
	stored := func() time.Time {
		t.Helper()
		tok, err := w.b.Store.APITokenByHash(context.Background(), bot.HashAPIToken(w.tokens["UANA"]))
		must(t, err)
		return tok.LastUsedAt
	}
	before := stored()
	w.b.Clock.Advance(30 * time.Second)
	w.get(t, "UANA", "/api/v1/me")
	if got := stored(); !got.Equal(before) {
		t.Errorf("last use 30 s later: %s, want it kept at %s", got, before)
	}
}

// TestRateLimitAcrossReplicas: two replicas sharing Redis count a
// token's requests together.
func TestRateLimitAcrossReplicas(t *testing.T) {
	t.Parallel()
	w := setup(t, options{})
	url, prefix := redistest.Prefix(t)
	var replicas []http.Handler
	for range 2 {
		h, err := api.New(api.Config{Store: w.b.Store, Limiter: redistest.Open(t, url, prefix), Clock: w.b.Clock, Rate: 0.001, Burst: 2})
		must(t, err)
		replicas = append(replicas, h)
	}
	var codes []int
	for i := range 3 {
		w.h = replicas[i%2]
		codes = append(codes, w.get(t, "UANA", "/api/v1/me").Code)
	}
	if codes[0] != http.StatusOK || codes[1] != http.StatusOK || codes[2] != http.StatusTooManyRequests {
		t.Errorf("three requests across two replicas with a burst of 2: %v, want 200 200 429", codes)
	}
	// Another token has its own count.
	if rec := w.get(t, "UCORA", "/api/v1/me"); rec.Code != http.StatusOK {
		t.Errorf("Cora's token: %d", rec.Code)
	}
}
