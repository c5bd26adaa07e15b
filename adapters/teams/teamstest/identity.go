package teamstest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// IdentityProvider is a local Bot Framework identity service: an OpenID
// metadata document and its JWKS on loopback, with the RSA keys it signs
// tokens with. It is safe for concurrent use.
type IdentityProvider struct {
	URL         string // the server
	MetadataURL string // the OpenID metadata document (SMART90_TEAMS_OPENID_METADATA_URL)
	JWKSURL     string // the key set the metadata names as jwks_uri
	Issuer      string // "https://api.botframework.com"

	// Now is the clock Token reads; default time.Now. Set it before use.
	Now func() time.Time

	mu        sync.Mutex
	published []idpKey // in the JWKS, oldest first
	current   idpKey
	fetches   int
}

type idpKey struct {
	kid string
	key *rsa.PrivateKey
}

// NewIdentityProvider starts an identity service with one RSA-2048 key,
// kid "key-1", endorsing "msteams". The server is closed in t.Cleanup.
func NewIdentityProvider(t testing.TB) *IdentityProvider {
	t.Helper()
	p := &IdentityProvider{Issuer: "https://api.botframework.com"}
	p.current = idpKey{kid: "key-1", key: NewKey(t)}
	p.published = []idpKey{p.current}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/.well-known/openidconfiguration", p.serveMetadata)
	mux.HandleFunc("GET /v1/.well-known/keys", p.serveKeys)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	p.MetadataURL = srv.URL + "/v1/.well-known/openidconfiguration"
	p.JWKSURL = srv.URL + "/v1/.well-known/keys"
	return p
}

// NewKey returns a fresh RSA-2048 key, e.g. for SignWith.
func NewKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("generate RSA key: %v", err)
	}
	return key
}

// serveMetadata answers with the shape of
// https://login.botframework.com/v1/.well-known/openidconfiguration.
func (p *IdentityProvider) serveMetadata(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.Issuer,
		"authorization_endpoint":                "https://invalid.botframework.com",
		"jwks_uri":                              p.JWKSURL,
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"private_key_jwt"},
	})
}

// serveKeys answers with a JWKS whose keys carry "endorsements", as the
// Bot Framework's do.
func (p *IdentityProvider) serveKeys(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	p.fetches++
	keys := make([]map[string]any, 0, len(p.published))
	for _, k := range p.published {
		keys = append(keys, map[string]any{
			"kty":          "RSA",
			"use":          "sig",
			"kid":          k.kid,
			"n":            base64.RawURLEncoding.EncodeToString(k.key.N.Bytes()),
			"e":            base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.key.E)).Bytes()),
			"endorsements": []string{"msteams"},
		})
	}
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
}

// Token returns a valid token for that audience and serviceUrl, as the Bot
// Connector sends with an activity: issued by Issuer, valid from a minute
// ago for an hour.
func (p *IdentityProvider) Token(t testing.TB, appID, serviceURL string) string {
	t.Helper()
	now := time.Now()
	if p.Now != nil {
		now = p.Now()
	}
	return p.Sign(t, jwt.MapClaims{
		"iss":        p.Issuer,
		"aud":        appID,
		"serviceurl": serviceURL,
		"nbf":        now.Add(-time.Minute).Unix(),
		"iat":        now.Add(-time.Minute).Unix(),
		"exp":        now.Add(time.Hour).Unix(),
	})
}

// Sign returns the claims signed with the current key (RS256, kid header set).
func (p *IdentityProvider) Sign(t testing.TB, claims jwt.MapClaims) string {
	t.Helper()
	p.mu.Lock()
	k := p.current
	p.mu.Unlock()
	return p.SignWith(t, k.key, k.kid, claims)
}

// SignWith returns the claims signed with any key under any kid, for tests
// of unknown keys and bad signatures.
func (p *IdentityProvider) SignWith(t testing.TB, key *rsa.PrivateKey, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("sign token: %v", err)
	}
	return s
}

// Rotate publishes a new key and makes it the current one; the old keys
// stay published, as during a real rotation. It returns the new kid.
func (p *IdentityProvider) Rotate(t testing.TB) (kid string) {
	t.Helper()
	key := NewKey(t)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.current = idpKey{kid: fmt.Sprintf("key-%d", len(p.published)+1), key: key}
	p.published = append(p.published, p.current)
	return p.current.kid
}

// Fetches returns how many times the JWKS was fetched.
func (p *IdentityProvider) Fetches() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fetches
}

// TokenServer is a local Azure AD token endpoint for the client credentials
// grant. It is safe for concurrent use.
type TokenServer struct {
	// URL is the token endpoint, http://127.0.0.1:…/<tenant>/oauth2/v2.0/token:
	// use it as CredentialsConfig.TokenURL. The server answers for any tenant.
	URL string

	appID, appPassword string

	mu        sync.Mutex
	requests  int
	issued    map[string]bool
	tenants   map[string]string // token → the tenant it was asked of
	expiresIn int
}

// NewTokenServer starts a token endpoint that issues tokens to appID and
// appPassword, each distinct and valid for 3599 s. The server is closed in
// t.Cleanup.
func NewTokenServer(t testing.TB, appID, appPassword string) *TokenServer {
	t.Helper()
	s := &TokenServer{appID: appID, appPassword: appPassword, issued: make(map[string]bool), tenants: map[string]string{}, expiresIn: 3599}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.serveToken)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.URL = srv.URL + "/botframework.com/oauth2/v2.0/token"
	return s
}

// SetExpiresIn sets the lifetime of the tokens issued from now on, to test
// refreshes without waiting.
func (s *TokenServer) SetExpiresIn(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expiresIn = int(d / time.Second)
}

// serveToken answers as Azure AD does: the token response of
// https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication,
// or an OAuth error with an AADSTS-style description.
func (s *TokenServer) serveToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		oauthError(w, http.StatusBadRequest, "invalid_request", "AADSTS900144: the body must be application/x-www-form-urlencoded")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "AADSTS900144: malformed body")
		return
	}
	f := r.PostForm
	switch {
	case f.Get("grant_type") != "client_credentials":
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "AADSTS70003: want grant_type=client_credentials")
	case f.Get("scope") == "" || !strings.HasSuffix(f.Get("scope"), "/.default"):
		oauthError(w, http.StatusBadRequest, "invalid_scope", "AADSTS1002012: want a scope ending in /.default")
	case f.Get("client_id") != s.appID:
		oauthError(w, http.StatusBadRequest, "unauthorized_client", "AADSTS700016: application not found")
	case r.Header.Get("Authorization") != "" || f.Get("client_secret") != s.appPassword:
		// The secret goes in the body; this endpoint takes it nowhere else.
		oauthError(w, http.StatusUnauthorized, "invalid_client", "AADSTS7000215: invalid client secret provided")
	default:
		s.mu.Lock()
		token := fmt.Sprintf("test-token-%d-%s", len(s.issued)+1, rand.Text())
		s.issued[token] = true
		s.tenants[token] = r.PathValue("tenant")
		expiresIn := s.expiresIn
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{
			"token_type":     "Bearer",
			"expires_in":     expiresIn,
			"ext_expires_in": expiresIn,
			"access_token":   token,
		})
	}
}

// Requests returns how many token requests the server received, including refused ones.
func (s *TokenServer) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Tenant returns the tenant whose endpoint issued token ("" for a token
// it did not issue): the {tenant} of /{tenant}/oauth2/v2.0/token.
func (s *TokenServer) Tenant(token string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tenants[token]
}

// Valid reports whether the server issued that access token.
func (s *TokenServer) Valid(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued[token]
}

func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]any{"error": code, "error_description": description})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
