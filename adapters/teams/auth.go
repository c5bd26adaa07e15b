package teams

import (
	"cmp"
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Defaults of AuthConfig.
const (
	// DefaultOpenIDMetadataURL is the Bot Framework's OpenID metadata document.
	DefaultOpenIDMetadataURL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
	// DefaultIssuer is the issuer of the tokens the Bot Framework sends to bots.
	DefaultIssuer = "https://api.botframework.com"
)

// How long signing keys are trusted and how often they may be fetched. The
// Bot Framework documents its key list as stable enough to cache for days
// (its SDKs keep it 5 days); a day bounds how long a withdrawn key stays
// usable. Refreshes are rate-limited because any caller can send a token
// naming an unknown kid.
const (
	keysMaxAge       = 24 * time.Hour
	keysRefreshEvery = time.Minute     // at most one refresh a minute once keys are known
	keysRetryEvery   = 5 * time.Second // while no key set was ever fetched
	keysMaxBody      = 1 << 20
)

// ErrKeysUnavailable is in the chain of the AuthError returned when the
// signing keys could not be fetched: the request still gets 401, but the
// fault is ours or the identity service's, not the caller's.
var ErrKeysUnavailable = errors.New("signing keys unavailable")

// AuthConfig configures an Authenticator.
type AuthConfig struct {
	// AppID is MICROSOFT_APP_ID: the audience every token must name.
	AppID string
	// OpenIDMetadataURL is where the signing keys are found
	// (SMART90_TEAMS_OPENID_METADATA_URL); default DefaultOpenIDMetadataURL.
	// It and the jwks_uri it names must be https, or http on a loopback
	// host (tests).
	OpenIDMetadataURL string
	// Issuer is the only accepted issuer; default DefaultIssuer.
	Issuer string
	// HTTPClient fetches the metadata and keys; default a client with a 10 s timeout.
	HTTPClient *http.Client
	// Now is the clock for token lifetimes and key refreshes; default time.Now.
	Now func() time.Time
	// Leeway is the clock skew allowed on exp and nbf; zero means the
	// default, 5 minutes.
	Leeway time.Duration
	// Logger receives key fetch failures (warn); default slog.Default().
	Logger *slog.Logger
}

// Authenticator checks the JWT the Bot Framework sends with every activity.
// It is safe for concurrent use.
//
// It fetches nothing until the first Authenticate: then it reads the OpenID
// metadata document, follows its jwks_uri and caches the keys for a day. A
// token naming a key id it does not know makes it fetch both again, at most
// once a minute, so a rotated key is picked up without letting callers make
// it fetch on every request.
type Authenticator struct {
	appID  string
	issuer string
	parser *jwt.Parser
	keys   *keyCache
}

// NewAuthenticator validates cfg and fills its defaults.
func NewAuthenticator(cfg AuthConfig) (*Authenticator, error) {
	if cfg.AppID == "" {
		return nil, errors.New("teams auth: the app id (MICROSOFT_APP_ID) is required")
	}
	cfg.OpenIDMetadataURL = cmp.Or(cfg.OpenIDMetadataURL, DefaultOpenIDMetadataURL)
	if err := checkFetchURL(cfg.OpenIDMetadataURL); err != nil {
		return nil, fmt.Errorf("teams auth: OpenID metadata URL: %w", err)
	}
	cfg.Issuer = cmp.Or(cfg.Issuer, DefaultIssuer)
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = 5 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Authenticator{
		appID:  cfg.AppID,
		issuer: cfg.Issuer,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
			jwt.WithIssuer(cfg.Issuer),
			jwt.WithAudience(cfg.AppID),
			jwt.WithExpirationRequired(),
			jwt.WithLeeway(cfg.Leeway),
			jwt.WithTimeFunc(cfg.Now),
		),
		keys: &keyCache{
			metadataURL: cfg.OpenIDMetadataURL,
			client:      cfg.HTTPClient,
			now:         cfg.Now,
			log:         cfg.Logger,
		},
	}, nil
}

// Claims are what an accepted token says about its sender.
type Claims struct {
	AppID      string // the appid claim, else azp; empty in the Bot Connector's own tokens
	ServiceURL string // the serviceurl claim, equal to the activity's serviceUrl
	Issuer     string
	ExpiresAt  time.Time
}

// AuthError is the error Authenticate returns for every request that must
// get 401. Reason is safe to log: it never holds the token.
type AuthError struct {
	Reason string
	Err    error // the cause, if any (a jwt error, ErrKeysUnavailable …)
}

func (e *AuthError) Error() string {
	if e.Err == nil {
		return "teams auth: " + e.Reason
	}
	return "teams auth: " + e.Reason + ": " + e.Err.Error()
}

func (e *AuthError) Unwrap() error { return e.Err }

func authErr(err error, format string, args ...any) *AuthError {
	return &AuthError{Reason: fmt.Sprintf(format, args...), Err: err}
}

// tokenClaims are the claims read from a Bot Framework token.
type tokenClaims struct {
	jwt.RegisteredClaims
	ServiceURL *string `json:"serviceurl"`
	AppID      string  `json:"appid"`
	AZP        string  `json:"azp"`
}

// Authenticate checks "Authorization: Bearer <jwt>" for an activity that
// claims the given serviceUrl and channelId. Every error it returns is an
// *AuthError, to be answered with 401; those wrapping ErrKeysUnavailable
// were already logged at warn here, once per failed fetch.
func (a *Authenticator) Authenticate(ctx context.Context, authorization, serviceURL, channelID string) (*Claims, error) {
	raw, err := bearer(authorization)
	if err != nil {
		return nil, err
	}
	var key *signingKey
	var keyErr error
	var claims tokenClaims
	_, err = a.parser.ParseWithClaims(raw, &claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			keyErr = errNoKid
		} else {
			key, keyErr = a.keys.key(ctx, kid)
		}
		if keyErr != nil {
			return nil, keyErr
		}
		return key.pub, nil
	})
	switch {
	case keyErr != nil && errors.Is(keyErr, ErrKeysUnavailable):
		return nil, authErr(keyErr, "cannot check the signature")
	case keyErr != nil:
		return nil, authErr(keyErr, "no signing key for the token")
	case err != nil:
		return nil, tokenError(err)
	}
	// The Bot Connector names one audience, the bot; a token meant for
	// several services is not one it sent.
	if len(claims.Audience) != 1 {
		return nil, authErr(nil, "token names %d audiences, want 1", len(claims.Audience))
	}
	if claims.ServiceURL == nil {
		return nil, authErr(nil, "token has no serviceurl claim")
	}
	if trimSlash(*claims.ServiceURL) != trimSlash(serviceURL) {
		return nil, authErr(nil, "serviceurl claim %q does not match the activity's serviceUrl %q", *claims.ServiceURL, serviceURL)
	}
	// A nil list means the key carries no endorsements; an empty list
	// endorses nothing.
	if key.endorsements != nil && !slices.Contains(key.endorsements, channelID) {
		return nil, authErr(nil, "signing key %q does not endorse channel %q", key.kid, channelID)
	}
	c := &Claims{
		AppID:      cmp.Or(claims.AppID, claims.AZP),
		ServiceURL: *claims.ServiceURL,
		Issuer:     claims.Issuer,
	}
	if claims.ExpiresAt != nil {
		c.ExpiresAt = claims.ExpiresAt.Time
	}
	return c, nil
}

// keysFetchTimeout bounds one refresh of the signing keys (metadata and
// key set together), so the requests waiting on it still answer in time.
const keysFetchTimeout = 5 * time.Second

var (
	errNoKid      = errors.New("token header has no kid")
	errUnknownKid = errors.New("unknown key id")
)

func bearer(authorization string) (string, error) {
	authorization = strings.TrimSpace(authorization)
	if authorization == "" {
		return "", authErr(nil, "no Authorization header")
	}
	scheme, token, ok := strings.Cut(authorization, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", authErr(nil, "Authorization is not a Bearer token")
	}
	token = strings.TrimSpace(token)
	if token == "" || strings.ContainsAny(token, " \t") {
		return "", authErr(nil, "Authorization is not a Bearer token")
	}
	return token, nil
}

// tokenError turns a jwt error into an AuthError with a short reason.
func tokenError(err error) *AuthError {
	reason := "invalid token"
	for _, r := range []struct {
		err    error
		reason string
	}{
		{jwt.ErrTokenMalformed, "malformed token"},
		{jwt.ErrTokenSignatureInvalid, "bad signature or algorithm"},
		{jwt.ErrTokenUnverifiable, "bad signature or algorithm"},
		{jwt.ErrTokenExpired, "token expired"},
		{jwt.ErrTokenNotValidYet, "token not valid yet"},
		{jwt.ErrTokenInvalidIssuer, "wrong issuer"},
		{jwt.ErrTokenInvalidAudience, "wrong audience"},
		{jwt.ErrTokenRequiredClaimMissing, "a required claim is missing"},
	} {
		if errors.Is(err, r.err) {
			reason = r.reason
			break
		}
	}
	return authErr(err, "%s", reason)
}

func trimSlash(s string) string { return strings.TrimSuffix(s, "/") }

// keyCache holds the signing keys of one OpenID metadata document.
type keyCache struct {
	metadataURL string
	client      *http.Client
	now         func() time.Time
	log         *slog.Logger

	set atomic.Pointer[keySet] // read without locking on every request

	mu          sync.Mutex // serialises fetches and guards the fields below
	lastAttempt time.Time
	lastErr     error
}

type keySet struct {
	keys      map[string]*signingKey
	fetchedAt time.Time
}

type signingKey struct {
	kid          string
	pub          *rsa.PublicKey
	endorsements []string // nil when the key has none
}

// key returns the key with that kid, fetching the key set when it is
// missing, stale or lacks that kid, within the rate limits above.
func (c *keyCache) key(ctx context.Context, kid string) (*signingKey, error) {
	if k, ok := c.fresh(kid); ok {
		return k, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// Another request may have fetched while this one waited.
	if k, ok := c.fresh(kid); ok {
		return k, nil
	}
	set := c.set.Load()
	now := c.now()
	wait := keysRefreshEvery
	if set == nil {
		wait = keysRetryEvery
	}
	if c.lastAttempt.IsZero() || now.Sub(c.lastAttempt) >= wait {
		c.lastAttempt = now
		c.lastErr = nil
		// Bounded: requests wait on this fetch, and Teams on them.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), keysFetchTimeout)
		fetched, err := c.fetch(fctx)
		cancel()
		if err != nil {
			c.lastErr = err
			c.log.Warn("teams auth: fetch signing keys", "metadata_url", c.metadataURL, "err", err)
		} else {
			c.set.Store(fetched)
			set = fetched
		}
	}
	if set != nil {
		// A stale key is still better than none when a refresh failed.
		if k, ok := set.keys[kid]; ok {
			return k, nil
		}
	}
	if c.lastErr != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeysUnavailable, c.lastErr)
	}
	return nil, fmt.Errorf("%w %q", errUnknownKid, kid)
}

func (c *keyCache) fresh(kid string) (*signingKey, bool) {
	set := c.set.Load()
	if set == nil || c.now().Sub(set.fetchedAt) >= keysMaxAge {
		return nil, false
	}
	k, ok := set.keys[kid]
	return k, ok
}

// fetch reads the metadata document, then the key set it points to.
func (c *keyCache) fetch(ctx context.Context) (*keySet, error) {
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := c.getJSON(ctx, c.metadataURL, &meta); err != nil {
		return nil, fmt.Errorf("get OpenID metadata: %w", err)
	}
	if meta.JWKSURI == "" {
		return nil, errors.New("OpenID metadata has no jwks_uri")
	}
	if err := checkFetchURL(meta.JWKSURI); err != nil {
		return nil, fmt.Errorf("OpenID metadata jwks_uri: %w", err)
	}
	var jwks struct {
		Keys []jsonWebKey `json:"keys"`
	}
	if err := c.getJSON(ctx, meta.JWKSURI, &jwks); err != nil {
		return nil, fmt.Errorf("get signing keys: %w", err)
	}
	set := &keySet{keys: make(map[string]*signingKey), fetchedAt: c.now()}
	for _, jk := range jwks.Keys {
		k, err := jk.signingKey()
		if err != nil {
			c.log.Warn("teams auth: skip signing key", "kid", jk.Kid, "err", err)
			continue
		}
		if k != nil {
			set.keys[k.kid] = k
		}
	}
	if len(set.keys) == 0 {
		return nil, errors.New("the key set has no usable RSA signing key")
	}
	return set, nil
}

func (c *keyCache) getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, keysMaxBody+1))
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	if len(body) > keysMaxBody {
		return fmt.Errorf("GET %s: body over %d bytes", u, keysMaxBody)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: decode: %w", u, err)
	}
	return nil
}

// jsonWebKey is one key of the Bot Framework's JWKS: RFC 7517 plus
// "endorsements", the channel ids the key may sign for.
type jsonWebKey struct {
	Kty          string   `json:"kty"`
	Use          string   `json:"use"`
	Kid          string   `json:"kid"`
	N            string   `json:"n"`
	E            string   `json:"e"`
	Endorsements []string `json:"endorsements"` // nil when absent; [] when empty
}

// signingKey returns nil, nil for a key that is not an RSA signing key.
func (jk jsonWebKey) signingKey() (*signingKey, error) {
	if jk.Kty != "RSA" || jk.Use != "" && jk.Use != "sig" {
		return nil, nil
	}
	if jk.Kid == "" {
		return nil, errors.New("no kid")
	}
	n, err := b64(jk.N)
	if err != nil {
		return nil, fmt.Errorf("modulus: %w", err)
	}
	e, err := b64(jk.E)
	if err != nil {
		return nil, fmt.Errorf("exponent: %w", err)
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	if pub.N.BitLen() < 2048 {
		return nil, fmt.Errorf("modulus of %d bits, want at least 2048", pub.N.BitLen())
	}
	if len(e) > 4 || pub.E < 3 || pub.E%2 == 0 {
		return nil, errors.New("bad exponent")
	}
	return &signingKey{kid: jk.Kid, pub: pub, endorsements: jk.Endorsements}, nil
}

func b64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// checkFetchURL accepts an absolute https URL, or http on a loopback host.
func checkFetchURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Host == "" || u.User != nil {
		return fmt.Errorf("%q is not an absolute URL without userinfo", s)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return fmt.Errorf("%q is not https (http only on loopback)", s)
	}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
