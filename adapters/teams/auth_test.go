package teams

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/smart90/smart90/adapters/teams/teamstest"
	"github.com/smart90/smart90/bot/bottest"
)

const (
	authAppID      = "9f3c2a71-0000-4000-8000-00000000a1d0"
	authServiceURL = "https://smba.trafficmanager.net/teams/"
)

// newTestAuthenticator returns an Authenticator for authAppID reading keys
// from metadataURL, on a clock that starts now (so teamstest tokens are
// valid), logging to t.
func newTestAuthenticator(t *testing.T, metadataURL string) (*Authenticator, *bottest.Clock) {
	t.Helper()
	clock := bottest.NewClock(time.Now())
	a, err := NewAuthenticator(AuthConfig{
		AppID:             authAppID,
		OpenIDMetadataURL: metadataURL,
		Now:               clock.Now,
		Logger:            slog.New(slog.NewTextHandler(t.Output(), nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return a, clock
}

// claimsAt returns valid Bot Connector claims as of now.
func claimsAt(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"iss":        "https://api.botframework.com",
		"aud":        authAppID,
		"serviceurl": authServiceURL,
		"nbf":        now.Add(-time.Minute).Unix(),
		"exp":        now.Add(time.Hour).Unix(),
	}
}

func with(c jwt.MapClaims, kv ...any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for k, v := range c {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	idp := teamstest.NewIdentityProvider(t)
	other := teamstest.NewKey(t)
	now := time.Now()
	valid := claimsAt(now)
	good := idp.Sign(t, valid)

	// A token whose payload was changed after signing.
	parts := strings.Split(good, ".")
	payload, _ := json.Marshal(with(valid, "aud", "someone-else"))
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]

	// The classic confusion attacks: no signature, and HMAC keyed with
	// the RSA public key the JWKS publishes.
	none := jwt.NewWithClaims(jwt.SigningMethodNone, valid)
	none.Header["kid"] = "key-1"
	algNone, err := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	pubKey := publishedKey(t, idp, "key-1")
	der, err := x509.MarshalPKIXPublicKey(pubKey)
	if err != nil {
		t.Fatal(err)
	}
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, valid)
	hs.Header["kid"] = "key-1"
	hs256, err := hs.SignedString(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	if err != nil {
		t.Fatal(err)
	}
	rs := jwt.NewWithClaims(jwt.SigningMethodRS512, valid)
	rs.Header["kid"] = "key-1"
	rs512, err := rs.SignedString(other)
	if err != nil {
		t.Fatal(err)
	}
	noKid := jwt.NewWithClaims(jwt.SigningMethodRS256, valid)
	noKidToken, err := noKid.SignedString(other)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name          string
		authorization string
		serviceURL    string // default authServiceURL
		channelID     string // default "msteams"
		wantReason    string // empty: accepted
	}{
		{name: "valid", authorization: "Bearer " + good},
		{name: "scheme in lower case", authorization: "bearer " + good},
		{name: "serviceUrl differs by a trailing slash", authorization: "Bearer " + good, serviceURL: strings.TrimSuffix(authServiceURL, "/")},
		{name: "expired within leeway", authorization: "Bearer " + idp.Sign(t, with(valid, "exp", now.Add(-4*time.Minute).Unix()))},
		{name: "wrong audience", authorization: "Bearer " + idp.Sign(t, with(valid, "aud", "another-bot")), wantReason: "wrong audience"},
		{name: "two audiences", authorization: "Bearer " + idp.Sign(t, with(valid, "aud", []string{authAppID, "another-bot"})), wantReason: "audience"},
		{name: "no audience", authorization: "Bearer " + idp.Sign(t, with(valid, "aud", nil)), wantReason: "missing"},
		{name: "expired", authorization: "Bearer " + idp.Sign(t, with(valid, "exp", now.Add(-6*time.Minute).Unix())), wantReason: "expired"},
		{name: "no exp", authorization: "Bearer " + idp.Sign(t, with(valid, "exp", nil)), wantReason: "missing"},
		{name: "not yet valid", authorization: "Bearer " + idp.Sign(t, with(valid, "nbf", now.Add(6*time.Minute).Unix())), wantReason: "not valid yet"},
		{name: "wrong issuer", authorization: "Bearer " + idp.Sign(t, with(valid, "iss", "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/")), wantReason: "wrong issuer"},
		{name: "no issuer", authorization: "Bearer " + idp.Sign(t, with(valid, "iss", nil)), wantReason: "missing"},
		{name: "unknown key id", authorization: "Bearer " + idp.SignWith(t, other, "key-never-published", valid), wantReason: "no signing key"},
		{name: "no key id", authorization: "Bearer " + noKidToken, wantReason: "no signing key"},
		{name: "payload tampered", authorization: "Bearer " + tampered, wantReason: "bad signature"},
		{name: "other key under the published kid", authorization: "Bearer " + idp.SignWith(t, other, "key-1", valid), wantReason: "bad signature"},
		{name: "alg none", authorization: "Bearer " + algNone, wantReason: "bad signature or algorithm"},
		{name: "HS256 keyed with the public key", authorization: "Bearer " + hs256, wantReason: "bad signature or algorithm"},
		{name: "RS512", authorization: "Bearer " + rs512, wantReason: "bad signature or algorithm"},
		{name: "serviceurl claim mismatch", authorization: "Bearer " + good, serviceURL: "https://smba.trafficmanager.net/emea/", wantReason: "serviceurl claim"},
		{name: "serviceurl claim differs in case", authorization: "Bearer " + good, serviceURL: strings.ToUpper(authServiceURL), wantReason: "serviceurl claim"},
		{name: "serviceurl claim to another host", authorization: "Bearer " + idp.Sign(t, with(valid, "serviceurl", "https://evil.example.com/teams/")), wantReason: "serviceurl claim"},
		{name: "serviceurl claim missing", authorization: "Bearer " + idp.Sign(t, with(valid, "serviceurl", nil)), wantReason: "no serviceurl claim"},
		{name: "channel not endorsed", authorization: "Bearer " + good, channelID: "webchat", wantReason: "does not endorse"},
		{name: "no channel", authorization: "Bearer " + good, channelID: " ", wantReason: "does not endorse"},
		{name: "no Authorization", authorization: "", wantReason: "no Authorization"},
		{name: "token without scheme", authorization: good, wantReason: "not a Bearer token"},
		{name: "Basic scheme", authorization: "Basic " + base64.StdEncoding.EncodeToString([]byte("bot:secret")), wantReason: "not a Bearer token"},
		{name: "Bearer alone", authorization: "Bearer", wantReason: "not a Bearer token"},
		{name: "two tokens", authorization: "Bearer " + good + " " + good, wantReason: "not a Bearer token"},
		{name: "garbled", authorization: "Bearer not-a-jwt", wantReason: "malformed"},
		{name: "two parts", authorization: "Bearer " + parts[0] + "." + parts[1], wantReason: "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, _ := newTestAuthenticator(t, idp.MetadataURL)
			serviceURL := tt.serviceURL
			if serviceURL == "" {
				serviceURL = authServiceURL
			}
			channelID := tt.channelID
			if channelID == "" {
				channelID = "msteams"
			}
			channelID = strings.TrimSpace(channelID) // " " stands for none
			claims, err := a.Authenticate(t.Context(), tt.authorization, serviceURL, channelID)
			if tt.wantReason == "" {
				if err != nil {
					t.Fatalf("Authenticate: %v", err)
				}
				if claims.ServiceURL != authServiceURL || claims.Issuer != "https://api.botframework.com" {
					t.Errorf("claims = %+v", claims)
				}
				return
			}
			var ae *AuthError
			if !errors.As(err, &ae) {
				t.Fatalf("Authenticate: err = %v (%T), want *AuthError", err, err)
			}
			if !strings.Contains(ae.Reason, tt.wantReason) {
				t.Errorf("reason = %q, want it to mention %q (err: %v)", ae.Reason, tt.wantReason, err)
			}
			if claims != nil {
				t.Errorf("claims = %+v, want nil", claims)
			}
			if tok := strings.TrimSpace(strings.TrimPrefix(tt.authorization, "Bearer")); len(tok) > 20 {
				for _, part := range strings.Split(tok, ".") {
					if len(part) > 20 && strings.Contains(err.Error(), part) {
						t.Errorf("error %q holds part of the token", err)
					}
				}
			}
		})
	}
}

// publishedKey returns the public key the JWKS holds under kid.
func publishedKey(t *testing.T, idp *teamstest.IdentityProvider, kid string) any {
	t.Helper()
	resp, err := http.Get(idp.JWKSURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var jwks struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&jwks); err != nil {
		t.Fatal(err)
	}
	for _, raw := range jwks.Keys {
		k, err := parseKey(raw)
		if err != nil {
			t.Fatal(err)
		}
		if k.kid == kid && k.jwk != nil {
			return k.jwk.Key()
		}
	}
	t.Fatalf("no key %q in the JWKS", kid)
	return nil
}

func TestAuthenticateClaims(t *testing.T) {
	t.Parallel()
	idp := teamstest.NewIdentityProvider(t)
	a, clock := newTestAuthenticator(t, idp.MetadataURL)
	exp := clock.Now().Add(30 * time.Minute).Truncate(time.Second)
	for _, tt := range []struct {
		name      string
		extra     []any
		wantAppID string
	}{
		{"appid", []any{"appid", "skill-app", "azp", "other"}, "skill-app"},
		{"azp", []any{"azp", "azp-app"}, "azp-app"},
		{"neither", nil, ""},
	} {
		tok := idp.Sign(t, with(with(claimsAt(clock.Now()), "exp", exp.Unix()), tt.extra...))
		c, err := a.Authenticate(t.Context(), "Bearer "+tok, authServiceURL, "msteams")
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		want := Claims{AppID: tt.wantAppID, ServiceURL: authServiceURL, Issuer: "https://api.botframework.com", ExpiresAt: exp}
		if !c.ExpiresAt.Equal(want.ExpiresAt) || c.AppID != want.AppID || c.ServiceURL != want.ServiceURL || c.Issuer != want.Issuer {
			t.Errorf("%s: claims = %+v, want %+v", tt.name, *c, want)
		}
	}
}

func TestAuthenticateFetchesKeysOnce(t *testing.T) {
	t.Parallel()
	idp := teamstest.NewIdentityProvider(t)
	a, _ := newTestAuthenticator(t, idp.MetadataURL)
	if n := idp.Fetches(); n != 0 {
		t.Fatalf("fetches before the first request = %d, want 0 (lazy)", n)
	}
	tok := "Bearer " + idp.Token(t, authAppID, authServiceURL)
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 50 {
		wg.Go(func() {
			if _, err := a.Authenticate(context.Background(), tok, authServiceURL, "msteams"); err != nil {
				failed.Add(1)
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := idp.Fetches(); n != 1 || failed.Load() != 0 {
		t.Errorf("JWKS fetched %d times for 50 requests (%d failed), want once", n, failed.Load())
	}
}

func TestAuthenticateKeyRotation(t *testing.T) {
	t.Parallel()
	idp := teamstest.NewIdentityProvider(t)
	a, clock := newTestAuthenticator(t, idp.MetadataURL)
	ctx := t.Context()
	auth := func(token string) error {
		_, err := a.Authenticate(ctx, "Bearer "+token, authServiceURL, "msteams")
		return err
	}
	oldToken := idp.Token(t, authAppID, authServiceURL)
	if err := auth(oldToken); err != nil {
		t.Fatal(err)
	}

	kid := idp.Rotate(t)
	newToken := idp.Token(t, authAppID, authServiceURL)
	// The keys were fetched just now: a new kid waits for the refresh allowance.
	if err := auth(newToken); err == nil || !strings.Contains(err.Error(), kid) {
		t.Fatalf("new key %s before the refresh allowance: err = %v, want unknown key", kid, err)
	}
	if n := idp.Fetches(); n != 1 {
		t.Fatalf("fetches = %d, want 1 (refresh rate-limited)", n)
	}

	clock.Advance(keysRefreshEvery)
	if err := auth(newToken); err != nil {
		t.Fatalf("rotated key after the refresh allowance: %v", err)
	}
	if err := auth(oldToken); err != nil {
		t.Fatalf("old key, still published: %v", err)
	}
	if n := idp.Fetches(); n != 2 {
		t.Errorf("fetches = %d, want 2", n)
	}
}

func TestAuthenticateUnknownKeyRateLimited(t *testing.T) {
	t.Parallel()
	idp := teamstest.NewIdentityProvider(t)
	a, clock := newTestAuthenticator(t, idp.MetadataURL)
	stranger := teamstest.NewKey(t)
	forged := "Bearer " + idp.SignWith(t, stranger, "forged", claimsAt(clock.Now()))
	for round, want := range []int{1, 2, 3} {
		for range 10 {
			_, err := a.Authenticate(t.Context(), forged, authServiceURL, "msteams")
			var ae *AuthError
			if !errors.As(err, &ae) || errors.Is(err, ErrKeysUnavailable) {
				t.Fatalf("forged token: err = %v, want an AuthError for an unknown key", err)
			}
		}
		if n := idp.Fetches(); n != want {
			t.Fatalf("round %d: fetches = %d, want %d (one per refresh allowance)", round, n, want)
		}
		clock.Advance(keysRefreshEvery)
	}
}

func TestAuthenticateRefreshesDaily(t *testing.T) {
	t.Parallel()
	idp := teamstest.NewIdentityProvider(t)
	a, clock := newTestAuthenticator(t, idp.MetadataURL)
	idp.Now = clock.Now
	for day, want := range []int{1, 2, 3} {
		for range 3 {
			if _, err := a.Authenticate(t.Context(), "Bearer "+idp.Token(t, authAppID, authServiceURL), authServiceURL, "msteams"); err != nil {
				t.Fatal(err)
			}
		}
		if n := idp.Fetches(); n != want {
			t.Fatalf("day %d: fetches = %d, want %d", day, n, want)
		}
		clock.Advance(keysMaxAge)
	}
}

// flakyIdentity puts a switch in front of an identity provider's metadata:
// while down it answers 503.
type flakyIdentity struct {
	metadataURL string
	down        atomic.Bool
	hits        atomic.Int32
}

func newFlakyIdentity(t *testing.T, idp *teamstest.IdentityProvider) *flakyIdentity {
	t.Helper()
	target, err := url.Parse(idp.URL)
	if err != nil {
		t.Fatal(err)
	}
	f := &flakyIdentity{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		if f.down.Load() {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.metadataURL = srv.URL + "/v1/.well-known/openidconfiguration"
	return f
}

func TestAuthenticateKeysUnavailable(t *testing.T) {
	t.Parallel()
	idp := teamstest.NewIdentityProvider(t)
	flaky := newFlakyIdentity(t, idp)
	flaky.down.Store(true)
	var logs bottest.Buffer
	clock := bottest.NewClock(time.Now())
	a, err := NewAuthenticator(AuthConfig{AppID: authAppID, OpenIDMetadataURL: flaky.metadataURL, Now: clock.Now,
		Logger: slog.New(slog.NewTextHandler(io.MultiWriter(&logs, t.Output()), nil))})
	if err != nil {
		t.Fatal(err)
	}
	idp.Now = clock.Now
	authenticate := func() error {
		tok := "Bearer " + idp.Token(t, authAppID, authServiceURL)
		_, err := a.Authenticate(t.Context(), tok, authServiceURL, "msteams")
		return err
	}

	for range 3 {
		err := authenticate()
		var ae *AuthError
		if !errors.As(err, &ae) || !errors.Is(err, ErrKeysUnavailable) {
			t.Fatalf("identity service down: err = %v, want an AuthError wrapping ErrKeysUnavailable", err)
		}
	}
	if n := flaky.hits.Load(); n != 1 {
		t.Errorf("metadata fetched %d times in a row while down, want 1 (retries are rate-limited)", n)
	}
	if got := strings.Count(logs.String(), "level=WARN"); got != 1 {
		t.Errorf("%d warnings, want 1 per failed fetch:\n%s", got, logs.String())
	}

	flaky.down.Store(false)
	clock.Advance(keysRetryEvery)
	if err := authenticate(); err != nil {
		t.Fatalf("identity service back: %v", err)
	}

	// A day later the refresh fails: the keys already known still serve.
	flaky.down.Store(true)
	clock.Advance(keysMaxAge)
	if err := authenticate(); err != nil {
		t.Fatalf("stale keys while the refresh fails: %v", err)
	}
	if got := strings.Count(logs.String(), "level=WARN"); got != 2 {
		t.Errorf("%d warnings, want 2", got)
	}
}

// TestAuthenticateKeyWithoutEndorsements serves a JWKS whose key has no
// endorsements field: any channel id is then accepted, as the Bot
// Framework's SDKs do.
func TestAuthenticateKeyWithoutEndorsements(t *testing.T) {
	t.Parallel()
	idp := teamstest.NewIdentityProvider(t)
	key := teamstest.NewKey(t)
	jwk := map[string]any{
		"kty": "RSA", "use": "sig", "kid": "plain",
		"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	mux.HandleFunc("/meta", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": "https://api.botframework.com", "jwks_uri": srv.URL + "/keys"})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []any{
			map[string]any{"kty": "EC", "kid": "ec", "crv": "P-256"}, // skipped
			jwk,
		}})
	})
	a, clock := newTestAuthenticator(t, srv.URL+"/meta")
	tok := "Bearer " + idp.SignWith(t, key, "plain", claimsAt(clock.Now()))
	if _, err := a.Authenticate(t.Context(), tok, authServiceURL, "webchat"); err != nil {
		t.Fatal(err)
	}
}

// TestAuthenticateKeyForAnotherAlg serves a key whose "alg" is RS512: a
// token signed with it in RS256 is refused (keyfunc's check), though the
// signature is good.
func TestAuthenticateKeyForAnotherAlg(t *testing.T) {
	t.Parallel()
	idp := teamstest.NewIdentityProvider(t)
	key := teamstest.NewKey(t)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	mux.HandleFunc("/meta", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"jwks_uri": srv.URL + "/keys"})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []any{map[string]any{
			"kty": "RSA", "use": "sig", "kid": "rs512", "alg": "RS512",
			"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
		}}})
	})
	a, clock := newTestAuthenticator(t, srv.URL+"/meta")
	tok := "Bearer " + idp.SignWith(t, key, "rs512", claimsAt(clock.Now()))
	_, err := a.Authenticate(t.Context(), tok, authServiceURL, "msteams")
	var ae *AuthError
	if !errors.As(err, &ae) || !strings.Contains(ae.Reason, "bad signature or algorithm") {
		t.Fatalf("RS256 token under an RS512 key: err = %v, want a refusal for the algorithm", err)
	}
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	key := teamstest.NewKey(t)
	n := base64.RawURLEncoding.EncodeToString(key.N.Bytes())
	for _, tt := range []struct {
		name, json       string
		wantNil, wantErr bool
		wantEndorsements []string
	}{
		{name: "endorsed", json: `{"kty":"RSA","use":"sig","kid":"k","n":"` + n + `","e":"AQAB","endorsements":["msteams","webchat"]}`, wantEndorsements: []string{"msteams", "webchat"}},
		{name: "endorses nothing", json: `{"kty":"RSA","kid":"k","n":"` + n + `","e":"AQAB","endorsements":[]}`, wantEndorsements: []string{}},
		{name: "padded base64", json: `{"kty":"RSA","kid":"k","n":"` + n + `","e":"AQAB="}`},
		{name: "encryption key", json: `{"kty":"RSA","use":"enc","kid":"k","n":"` + n + `","e":"AQAB"}`, wantNil: true},
		{name: "EC key", json: `{"kty":"EC","kid":"k","crv":"P-256"}`, wantNil: true},
		{name: "no kid", json: `{"kty":"RSA","n":"` + n + `","e":"AQAB"}`, wantErr: true},
		{name: "1024-bit", json: `{"kty":"RSA","kid":"k","n":"` + n[:171] + `","e":"AQAB"}`, wantErr: true},
		{name: "exponent over 4 bytes", json: `{"kty":"RSA","kid":"k","n":"` + n + `","e":"AQAAAAE"}`, wantErr: true},
		{name: "even exponent", json: `{"kty":"RSA","kid":"k","n":"` + n + `","e":"AQAA"}`, wantErr: true},
		{name: "bad base64", json: `{"kty":"RSA","kid":"k","n":"***","e":"AQAB"}`, wantErr: true},
	} {
		k, err := parseKey(json.RawMessage(tt.json))
		var pub *rsa.PublicKey
		if k.jwk != nil {
			pub, _ = k.jwk.Key().(*rsa.PublicKey)
		}
		switch {
		case tt.wantErr:
			if err == nil {
				t.Errorf("%s: no error", tt.name)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.wantNil:
			if k.jwk != nil {
				t.Errorf("%s: got a signing key, want none", tt.name)
			}
		case pub == nil:
			t.Errorf("%s: no RSA signing key", tt.name)
		case pub.N.Cmp(key.N) != 0 || pub.E != 65537:
			t.Errorf("%s: wrong public key", tt.name)
		case (k.endorsements == nil) != (tt.wantEndorsements == nil) || strings.Join(k.endorsements, ",") != strings.Join(tt.wantEndorsements, ","):
			t.Errorf("%s: endorsements = %#v, want %#v", tt.name, k.endorsements, tt.wantEndorsements)
		}
	}
}

func TestNewAuthenticator(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		cfg     AuthConfig
		wantErr bool
	}{
		{"defaults", AuthConfig{AppID: authAppID}, false},
		{"loopback http metadata", AuthConfig{AppID: authAppID, OpenIDMetadataURL: "http://127.0.0.1:8080/meta"}, false},
		{"no app id", AuthConfig{}, true},
		{"http metadata", AuthConfig{AppID: authAppID, OpenIDMetadataURL: "http://login.botframework.com/v1/.well-known/openidconfiguration"}, true},
		{"relative metadata", AuthConfig{AppID: authAppID, OpenIDMetadataURL: "/v1/.well-known/openidconfiguration"}, true},
	} {
		a, err := NewAuthenticator(tt.cfg)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err = %v, want error %v", tt.name, err, tt.wantErr)
		}
		if err == nil && (a.keys.metadataURL == "" || a.issuer != DefaultIssuer) {
			t.Errorf("%s: defaults not filled: %+v", tt.name, a)
		}
	}
}
