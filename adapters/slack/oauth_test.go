package slack

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/inproc"
)

// oauthBundle drives the install routes like a browser: it keeps the
// cookies each "browser" (a remote address) was given.
type oauthBundle struct {
	*httpBundle
	mux       *http.ServeMux
	states    *countingState
	exchanges atomic.Int32 // oauth.v2.access calls
}

// countingState counts the keys set in a ConversationState.
type countingState struct {
	bot.ConversationState
	mu  sync.Mutex
	set int
}

func (s *countingState) Set(ctx context.Context, key, value string, ttl time.Duration) error {
	s.mu.Lock()
	s.set++
	s.mu.Unlock()
	return s.ConversationState.Set(ctx, key, value, ttl)
}

func (s *countingState) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.set
}

func setupOAuth(t *testing.T) *oauthBundle {
	t.Helper()
	o := &oauthBundle{httpBundle: setupHTTP(t)}
	o.slack.Handle("oauth.v2.access", func(w http.ResponseWriter, r *http.Request) {
		o.exchanges.Add(1)
		r.ParseForm()
		if r.PostForm.Get("code") == "bad-code" {
			fixture(t, w, "slack_api_oauth_v2_access_error_invalid_client_id.json")
			return
		}
		fixture(t, w, "slack_api_oauth_v2_access_success.json")
	})
	o.states = &countingState{ConversationState: o.State}
	o.mux = http.NewServeMux()
	err := o.adapter.InstallRoutes(o.mux, OAuthConfig{ClientID: "123.456", ClientSecret: "shh", RedirectURL: "https://smart90.test/slack/oauth_redirect",
		AuthorizeURL: "https://consent.test/oauth/v2/authorize", States: o.states, Limiter: inproc.NewRateLimiter(o.Clock)})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// get requests path from the browser at addr, sending cookie when not nil.
func (o *oauthBundle) get(addr, path string, cookie *http.Cookie) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = addr
	if cookie != nil {
		req.AddCookie(cookie)
	}
	rec := httptest.NewRecorder()
	o.mux.ServeHTTP(rec, req)
	return rec
}

// start begins an install from the browser at addr and returns the state
// and the cookie it was given.
func (o *oauthBundle) start(t *testing.T, addr string) (string, *http.Cookie) {
	t.Helper()
	rec := o.get(addr, "/slack/install", nil)
	u, err := url.Parse(rec.Header().Get("Location"))
	if rec.Code != http.StatusFound || err != nil || u.Host != "consent.test" {
		t.Fatalf("install: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	q := u.Query()
	if q.Get("client_id") != "123.456" || q.Get("scope") != strings.Join(BotScopes, ",") || q.Get("redirect_uri") != "https://smart90.test/slack/oauth_redirect" || len(q.Get("state")) < 26 {
		t.Fatalf("authorize URL query = %v", q)
	}
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 || cookies[0].Name != installCookie || !cookies[0].HttpOnly || !cookies[0].Secure ||
		cookies[0].SameSite != http.SameSiteLaxMode || cookies[0].MaxAge != 600 || cookies[0].Path != "/slack/" || len(cookies[0].Value) < 26 {
		t.Fatalf("install cookie: %+v", cookies)
	}
	return q.Get("state"), cookies[0]
}

// installed reports whether the fixture's workspace is stored.
func (o *oauthBundle) installed(t *testing.T) bool {
	t.Helper()
	_, err := o.Store.InstallationByExternalID(context.Background(), bot.PlatformSlack, "T9TK3CUKW")
	if err != nil && bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatal(err)
	}
	return err == nil
}

func TestOAuthInstall(t *testing.T) {
	t.Parallel()
	o := setupOAuth(t)
	const browser = "192.0.2.1:5000"

	state, cookie := o.start(t, browser)
	rec := o.get(browser, "/slack/oauth_redirect?code=good&state="+state, cookie)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "installed in Slack Softball Team") {
		t.Fatalf("redirect: %d %s", rec.Code, rec.Body)
	}
	if c := rec.Result().Cookies(); len(c) != 1 || c[0].Name != installCookie || c[0].MaxAge >= 0 {
		t.Errorf("the install cookie is not cleared: %+v", c)
	}
	inst, err := o.Store.InstallationByExternalID(context.Background(), bot.PlatformSlack, "T9TK3CUKW")
	if err != nil || string(inst.BotToken) != "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy" || inst.Status != bot.InstallationActive || inst.Name != "Slack Softball Team" {
		t.Fatalf("installation: %+v, %v", inst, err)
	}
	// The state works once, even from the browser that started it.
	if rec := o.get(browser, "/slack/oauth_redirect?code=good&state="+state, cookie); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "expired") {
		t.Errorf("replayed state: %d %s", rec.Code, rec.Body)
	}
	if o.exchanges.Load() != 1 {
		t.Errorf("codes exchanged: %d, want 1", o.exchanges.Load())
	}
	// Unknown and expired states.
	if rec := o.get(browser, "/slack/oauth_redirect?code=good&state=0123456789abcdef0123456789abcdef", cookie); rec.Code != http.StatusBadRequest {
		t.Errorf("unknown state: %d", rec.Code)
	}
	old, oldCookie := o.start(t, browser)
	o.Clock.Advance(11 * time.Minute)
	if rec := o.get(browser, "/slack/oauth_redirect?code=good&state="+old, oldCookie); rec.Code != http.StatusBadRequest {
		t.Errorf("expired state: %d", rec.Code)
	}
	// The admin cancelled; Slack refused the code.
	s, c := o.start(t, browser)
	if rec := o.get(browser, "/slack/oauth_redirect?error=access_denied&state="+s, c); rec.Code != 200 || !strings.Contains(rec.Body.String(), "access_denied") {
		t.Errorf("cancelled: %d %s", rec.Code, rec.Body)
	}
	s, c = o.start(t, browser)
	if rec := o.get(browser, "/slack/oauth_redirect?code=bad-code&state="+s, c); rec.Code != http.StatusBadGateway {
		t.Errorf("refused code: %d", rec.Code)
	}
}

// TestOAuthStateBoundToBrowser: a redirect carrying a valid state reached
// from a browser that did not start that install (a link an attacker
// sends, with their own code) is refused and stores nothing; the state
// stays usable by the browser that started it.
func TestOAuthStateBoundToBrowser(t *testing.T) {
	t.Parallel()
	o := setupOAuth(t)
	state, cookie := o.start(t, "192.0.2.1:5000")
	_, otherCookie := o.start(t, "198.51.100.7:6000")

	for name, c := range map[string]*http.Cookie{
		"no cookie":             nil,
		"another install's":     otherCookie,
		"a forged cookie":       {Name: installCookie, Value: "AAAAAAAAAAAAAAAAAAAAAAAAAA"},
		"the state as a cookie": {Name: installCookie, Value: state},
	} {
		rec := o.get("198.51.100.7:6000", "/slack/oauth_redirect?code=good&state="+state, c)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "started in another browser") {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
	if o.exchanges.Load() != 0 || o.installed(t) {
		t.Fatalf("a refused redirect exchanged %d codes, installed: %v", o.exchanges.Load(), o.installed(t))
	}
	rec := o.get("192.0.2.1:5000", "/slack/oauth_redirect?code=good&state="+state, cookie)
	if rec.Code != http.StatusOK || !o.installed(t) {
		t.Fatalf("the starting browser's redirect: %d %s", rec.Code, rec.Body)
	}
}

// TestOAuthInstallRateLimited: install starts are limited per address and
// overall, answered 429 with Retry-After, and a refused start stores no
// state.
func TestOAuthInstallRateLimited(t *testing.T) {
	t.Parallel()
	o := setupOAuth(t)
	states := o.states.count

	const attacker = "203.0.113.9:4444"
	for range installBurstPerIP {
		o.start(t, attacker)
	}
	for range 50 {
		rec := o.get(attacker, "/slack/install", nil)
		if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "60" || len(rec.Result().Cookies()) != 0 {
			t.Fatalf("over the per-address limit: %d, Retry-After %q, cookies %v", rec.Code, rec.Header().Get("Retry-After"), rec.Result().Cookies())
		}
	}
	if n := states(); n != installBurstPerIP {
		t.Fatalf("%d states stored, want %d", n, installBurstPerIP)
	}
	// Another address may start; after a minute, the first one again.
	o.start(t, "192.0.2.1:5000")
	o.Clock.Advance(time.Minute)
	o.start(t, attacker)

	// Many addresses together are held by the overall limit.
	refused := 0
	for i := range 100 {
		rec := o.get("10.0."+strconv.Itoa(i/250)+"."+strconv.Itoa(i%250+1)+":1", "/slack/install", nil)
		switch rec.Code {
		case http.StatusFound:
		case http.StatusTooManyRequests:
			refused++
			if s, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || s < 1 || s > 30 {
				t.Errorf("overall limit: Retry-After %q", rec.Header().Get("Retry-After"))
			}
		default:
			t.Fatalf("install: %d", rec.Code)
		}
	}
	if stored := states(); refused == 0 || stored > installBurst+installBurstPerIP+2 {
		t.Errorf("%d refused, %d states stored: the overall limit does not hold", refused, stored)
	}
}
