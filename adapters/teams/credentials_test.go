package teams

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/smart90/smart90/adapters/teams/teamstest"
)

const (
	credAppID    = "9f3c2a71-0000-4000-8000-00000000c7ed"
	credPassword = "s3cret~password.never-logged"
)

// TestTokenSourceRequest checks the request against the one the Bot
// Framework documents (fixture msbf_token_request_single_tenant.http):
// a form POST with the secret in the body.
func TestTokenSourceRequest(t *testing.T) {
	t.Parallel()
	type request struct {
		method, path, contentType, authorization string
		form                                     url.Values
	}
	got := make(chan request, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		got <- request{r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Authorization"), form}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		// The documented response (fixture msbf_token_response.json).
		io.WriteString(w, `{"token_type":"Bearer","expires_in":3600,"ext_expires_in":3600,"access_token":"eyJhbGciOiJIUzI1Ni..."}`)
	}))
	t.Cleanup(srv.Close)

	creds := CredentialsConfig{AppID: credAppID, AppPassword: credPassword, TenantID: "ignored-when-TokenURL-is-set",
		TokenURL: srv.URL + "/contoso-tenant/oauth2/v2.0/token", HTTPClient: srv.Client()}
	start := time.Now()
	tok, err := creds.TokenSource(context.Background()).Token()
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "eyJhbGciOiJIUzI1Ni..." || tok.Type() != "Bearer" {
		t.Errorf("token = %+v", tok)
	}
	if tok.Expiry.Before(start.Add(3599*time.Second)) || tok.Expiry.After(time.Now().Add(3600*time.Second)) {
		t.Errorf("expiry = %v, want about an hour from %v", tok.Expiry, start)
	}

	r := <-got
	want := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {credAppID},
		"client_secret": {credPassword},
		"scope":         {"https://api.botframework.com/.default"},
	}
	if r.method != http.MethodPost || r.path != "/contoso-tenant/oauth2/v2.0/token" ||
		r.contentType != "application/x-www-form-urlencoded" || r.form.Encode() != want.Encode() {
		t.Errorf("request = %s %s (%s) %v\nwant POST /contoso-tenant/oauth2/v2.0/token (application/x-www-form-urlencoded) %v",
			r.method, r.path, r.contentType, r.form, want)
	}
	if r.authorization != "" {
		t.Errorf("Authorization = %q, want none: the secret goes in the body", r.authorization)
	}
}

func TestTokenURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		cfg  CredentialsConfig
		want string
	}{
		{"multi-tenant", CredentialsConfig{}, "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"},
		{"single-tenant", CredentialsConfig{TenantID: "b28fdbfd-2b78-4f93-b0f8-8881793f0f8f"},
			"https://login.microsoftonline.com/b28fdbfd-2b78-4f93-b0f8-8881793f0f8f/oauth2/v2.0/token"},
		{"tenant escaped", CredentialsConfig{TenantID: "a/../b"}, "https://login.microsoftonline.com/a%2F..%2Fb/oauth2/v2.0/token"},
		{"TokenURL is the whole endpoint", CredentialsConfig{TenantID: "t", TokenURL: "https://login.microsoftonline.us/t/oauth2/v2.0/token"},
			"https://login.microsoftonline.us/t/oauth2/v2.0/token"},
	} {
		if got := tt.cfg.tokenURL(); got != tt.want {
			t.Errorf("%s: tokenURL() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestTokenSourceConcurrent(t *testing.T) {
	t.Parallel()
	ts := teamstest.NewTokenServer(t, credAppID, credPassword)
	src := CredentialsConfig{AppID: credAppID, AppPassword: credPassword, TokenURL: ts.URL}.TokenSource(context.Background())
	tokens := make([]string, 20)
	var wg sync.WaitGroup
	for i := range tokens {
		wg.Go(func() {
			tok, err := src.Token()
			if err != nil {
				t.Error(err)
				return
			}
			tokens[i] = tok.AccessToken
		})
	}
	wg.Wait()
	if n := ts.Requests(); n != 1 {
		t.Errorf("%d token requests for 20 concurrent callers, want 1", n)
	}
	for _, tok := range tokens {
		if tok != tokens[0] || !ts.Valid(tok) {
			t.Fatalf("tokens = %q, want one token the server issued", tokens)
		}
	}
}

// TestTokenSourceRefresh shows the 5-minute margin without waiting: a token
// issued with less than that left is already due for replacement.
func TestTokenSourceRefresh(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		lifetime     time.Duration
		wantRequests int
	}{
		{time.Hour, 1},
		{6 * time.Minute, 1},
		{4 * time.Minute, 3},
	} {
		ts := teamstest.NewTokenServer(t, credAppID, credPassword)
		ts.SetExpiresIn(tt.lifetime)
		src := CredentialsConfig{AppID: credAppID, AppPassword: credPassword, TokenURL: ts.URL}.TokenSource(context.Background())
		seen := map[string]bool{}
		for range 3 {
			tok, err := src.Token()
			if err != nil {
				t.Fatal(err)
			}
			seen[tok.AccessToken] = true
		}
		if ts.Requests() != tt.wantRequests || len(seen) != tt.wantRequests {
			t.Errorf("lifetime %v: %d requests, %d distinct tokens for 3 calls; want %d", tt.lifetime, ts.Requests(), len(seen), tt.wantRequests)
		}
	}
}

func TestTokenSourceErrors(t *testing.T) {
	t.Parallel()
	ts := teamstest.NewTokenServer(t, credAppID, credPassword)
	for _, tt := range []struct {
		name     string
		cfg      CredentialsConfig
		wantCode string // the OAuth error code, if the server answered
	}{
		{"wrong secret", CredentialsConfig{AppID: credAppID, AppPassword: "wrong-" + credPassword, TokenURL: ts.URL}, "invalid_client"},
		{"wrong app", CredentialsConfig{AppID: "someone-else", AppPassword: credPassword, TokenURL: ts.URL}, "unauthorized_client"},
		{"no password", CredentialsConfig{AppID: credAppID, TokenURL: ts.URL}, ""},
		{"no app id", CredentialsConfig{AppPassword: credPassword, TokenURL: ts.URL}, ""},
		{"http token URL", CredentialsConfig{AppID: credAppID, AppPassword: credPassword, TokenURL: "http://login.example.com/t/oauth2/v2.0/token"}, ""},
	} {
		_, err := tt.cfg.TokenSource(context.Background()).Token()
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		var re *oauth2.RetrieveError
		if got := errors.As(err, &re); got != (tt.wantCode != "") || got && re.ErrorCode != tt.wantCode {
			t.Errorf("%s: err = %v, want OAuth error %q", tt.name, err, tt.wantCode)
		}
		if strings.Contains(err.Error(), credPassword) {
			t.Errorf("%s: error %q holds the password", tt.name, err)
		}
	}
	if n := ts.Requests(); n != 2 {
		t.Errorf("%d requests, want 2: a config without credentials or with a bad URL sends nothing", n)
	}
}

func TestParseServiceURLs(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in      string
		want    ServiceURLs
		wantErr bool
	}{
		{in: "", want: DefaultServiceURLs()},
		{in: "  ", want: DefaultServiceURLs()},
		{in: "https://smba.trafficmanager.net/teams", want: ServiceURLs{"https://smba.trafficmanager.net/teams/"}},
		{in: " https://SMBA.trafficmanager.net:443 , http://127.0.0.1:8080/x/,, http://localhost:9/, http://[::1]:9",
			want: ServiceURLs{"https://smba.trafficmanager.net/", "http://127.0.0.1:8080/x/", "http://localhost:9/", "http://[::1]:9/"}},
		{in: "https://host.example:8443/a%20b", want: ServiceURLs{"https://host.example:8443/a%20b/"}},
		{in: ",", wantErr: true},
		{in: "smba.trafficmanager.net", wantErr: true},
		{in: "/teams/", wantErr: true},
		{in: "http://smba.trafficmanager.net/", wantErr: true},
		{in: "ftp://smba.trafficmanager.net/", wantErr: true},
		{in: "https://user:pw@smba.trafficmanager.net/", wantErr: true},
		{in: "https://smba.trafficmanager.net/?x=1", wantErr: true},
		{in: "https://smba.trafficmanager.net/#x", wantErr: true},
		{in: "https://smba.trafficmanager.net/teams/../", wantErr: true},
		{in: "https://smba.trafficmanager.net/%zz", wantErr: true},
		{in: "https://ok.example/, http://10.0.0.1/", wantErr: true},
	} {
		got, err := ParseServiceURLs(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseServiceURLs(%q): err = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("ParseServiceURLs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestServiceURLsAllowed(t *testing.T) {
	t.Parallel()
	defaults := DefaultServiceURLs()
	local, err := ParseServiceURLs("http://127.0.0.1:8080/, https://bots.example.com/teams/")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		allow ServiceURLs
		url   string
		want  bool
	}{
		{defaults, "https://smba.trafficmanager.net/teams/", true},
		{defaults, "https://smba.trafficmanager.net/emea/", true},
		{defaults, "https://smba.trafficmanager.net/amer", true},
		{defaults, "https://smba.trafficmanager.net", true},
		{defaults, "https://SMBA.TrafficManager.net:443/apac/", true},
		{defaults, "https://smba.infra.gcc.teams.microsoft.com/teams", true},
		{defaults, "https://smba.infra.gov.teams.microsoft.us/teams", true},
		{defaults, "https://smba.infra.dod.teams.microsoft.us/teams", true},
		{defaults, "https://smba.trafficmanager.net.evil.com/", false},
		{defaults, "https://smba.trafficmanager.net.evil.com/teams/", false},
		{defaults, "https://evil.com/smba.trafficmanager.net/", false},
		{defaults, "https://evilsmba.trafficmanager.net/", false},
		{defaults, "https://smba.trafficmanager.net:8443/teams/", false},
		{defaults, "http://smba.trafficmanager.net/teams/", false},
		{defaults, "https://user@smba.trafficmanager.net/teams/", false},
		{defaults, "https://smba.trafficmanager.net@evil.com/", false},
		{defaults, `https://smba.trafficmanager.net\@evil.com/`, false},
		{defaults, "//smba.trafficmanager.net/teams/", false},
		{defaults, "smba.trafficmanager.net/teams/", false},
		{defaults, "https:smba.trafficmanager.net/teams/", false},
		{defaults, "", false},
		{defaults, "https://smba.trafficmanager.net/%zz", false},
		{defaults, "http://127.0.0.1:8080/", false},
		{local, "http://127.0.0.1:8080/", true},
		{local, "http://127.0.0.1:8080/v3/conversations", true},
		{local, "http://127.0.0.1:8081/", false},
		{local, "http://localhost:8080/", false},
		{local, "https://bots.example.com/teams/", true},
		{local, "https://bots.example.com/teams", true},
		{local, "https://bots.example.com/teamsevil/", false},
		{local, "https://bots.example.com/teams/../admin/", false},
		{local, "https://bots.example.com/teams/%2e%2e/admin/", false},
		{local, "https://bots.example.com/other/", false},
		{nil, "https://smba.trafficmanager.net/teams/", false},
	} {
		if got := tt.allow.Allowed(tt.url); got != tt.want {
			t.Errorf("%q.Allowed(%q) = %v, want %v", tt.allow, tt.url, got, tt.want)
		}
	}
}
