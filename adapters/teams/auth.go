package teams

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
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
	var set *keySet
	var kid string
	var keyErr error
	var claims tokenClaims
	_, err = a.parser.ParseWithClaims(raw, &claims, func(t *jwt.Token) (any, error) {
		if kid, _ = t.Header["kid"].(string); kid == "" {
			keyErr = errNoKid
		} else {
			set, keyErr = a.keys.key(ctx, kid)
		}
		if keyErr != nil {
			return nil, keyErr
		}
		return set.keys.KeyfuncCtx(ctx)(t)
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
	if e := set.endorsements[kid]; e != nil && !slices.Contains(e, channelID) {
		return nil, authErr(nil, "signing key %q does not endorse channel %q", kid, channelID)
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
