package teams

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// DefaultScope is the scope of the bot's token for the Bot Connector.
const DefaultScope = "https://api.botframework.com/.default"

// tokenEarlyExpiry is how long before its expiry a token is replaced, so a
// token never expires between being handed out and reaching the connector.
const tokenEarlyExpiry = 5 * time.Minute

// CredentialsConfig configures the bot's own token for calling the Bot Connector.
type CredentialsConfig struct {
	// AppID and AppPassword are MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD.
	AppID, AppPassword string
	// TenantID is MICROSOFT_APP_TENANT_ID: a single-tenant bot gets its
	// token from https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token;
	// empty means "botframework.com" (multi-tenant bots, deprecated by
	// Microsoft for new bots).
	TenantID string
	// TokenURL is SMART90_TEAMS_TOKEN_URL: the full token endpoint URL,
	// used as is in place of the one TenantID gives (tests, sovereign
	// clouds). It must be https, or http on a loopback host.
	TokenURL string
	// Scope is the scope requested; default DefaultScope.
	Scope string
	// HTTPClient makes the token requests; default a client with a 10 s
	// timeout, since callers wait on the request under the source's lock.
	HTTPClient *http.Client
}

// TokenSource returns a token source for the connector: client credentials
// posted in the request body (as Azure AD expects), the token cached and
// replaced 5 minutes before it expires. It is safe for concurrent use:
// callers wait for one request under a lock rather than each making one.
// ctx is used for every token request, so it must outlive the source (not
// a request's context). A config without an app id or password, or with a
// bad TokenURL, gives a source whose every Token call fails.
func (c CredentialsConfig) TokenSource(ctx context.Context) oauth2.TokenSource {
	if c.AppID == "" || c.AppPassword == "" {
		return errTokenSource{errors.New("teams credentials: MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD are required")}
	}
	endpoint := c.tokenURL()
	if err := checkFetchURL(endpoint); err != nil {
		return errTokenSource{fmt.Errorf("teams credentials: token URL: %w", err)}
	}
	cc := &clientcredentials.Config{
		ClientID:     c.AppID,
		ClientSecret: c.AppPassword,
		TokenURL:     endpoint,
		Scopes:       []string{cmp.Or(c.Scope, DefaultScope)},
		AuthStyle:    oauth2.AuthStyleInParams,
	}
	client := c.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, client)
	// cc.TokenSource is already a ReuseTokenSource (a mutex around the
	// fetch) but replaces tokens only 10 s before expiry; this call sets
	// the margin on that same source rather than wrapping it.
	return oauth2.ReuseTokenSourceWithExpiry(nil, cc.TokenSource(ctx), tokenEarlyExpiry)
}

func (c CredentialsConfig) tokenURL() string {
	if c.TokenURL != "" {
		return c.TokenURL
	}
	tenant := cmp.Or(c.TenantID, "botframework.com")
	return "https://login.microsoftonline.com/" + url.PathEscape(tenant) + "/oauth2/v2.0/token"
}

type errTokenSource struct{ err error }

func (s errTokenSource) Token() (*oauth2.Token, error) { return nil, s.err }

// ServiceURLs are the allowed prefixes of a serviceUrl
// (SMART90_TEAMS_SERVICE_URLS, comma-separated): the bot's token is only
// ever sent to a serviceUrl that starts with one of them. Each ends with "/",
// so a prefix naming a host matches that host only.
type ServiceURLs []string

// DefaultServiceURLs returns the hosts the Bot Framework gives Teams
// activities as serviceUrl: the public cloud (whose paths are /teams/,
// /amer/, /emea/, /apac/ …), GCC, GCC High and DoD.
func DefaultServiceURLs() ServiceURLs {
	return ServiceURLs{
		"https://smba.trafficmanager.net/",
		"https://smba.infra.gcc.teams.microsoft.com/",
		"https://smba.infra.gov.teams.microsoft.us/",
		"https://smba.infra.dod.teams.microsoft.us/",
	}
}

// ParseServiceURLs parses a comma-separated list of prefixes; a blank s
// gives DefaultServiceURLs. Each must be an absolute https URL (http only on
// 127.0.0.1, localhost or ::1, for tests) without userinfo, query or
// fragment; each is normalised to end with "/".
func ParseServiceURLs(s string) (ServiceURLs, error) {
	if strings.TrimSpace(s) == "" {
		return DefaultServiceURLs(), nil
	}
	var out ServiceURLs
	for entry := range strings.SplitSeq(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		u, err := url.Parse(entry)
		if err != nil {
			return nil, fmt.Errorf("service URL %q: %w", entry, err)
		}
		if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
			return nil, fmt.Errorf("service URL %q: has a query or fragment", entry)
		}
		norm, ok := normalizeServiceURL(u)
		if !ok {
			return nil, fmt.Errorf("service URL %q: want an absolute https URL without userinfo (http only on loopback)", entry)
		}
		out = append(out, norm)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("service URLs %q: no entry", s)
	}
	return out, nil
}

// Allowed reports whether the bot's token may be sent to serviceURL: it
// must be an https URL (http only on loopback) without userinfo that, once
// normalised, starts with one of the prefixes.
func (s ServiceURLs) Allowed(serviceURL string) bool {
	u, err := url.Parse(serviceURL)
	if err != nil {
		return false
	}
	norm, ok := normalizeServiceURL(u)
	if !ok {
		return false
	}
	for _, prefix := range s {
		if strings.HasPrefix(norm, prefix) {
			return true
		}
	}
	return false
}

// normalizeServiceURL returns scheme://host[:port]/path/ with the scheme
// and host lower-cased, the default port dropped and a trailing slash, or
// false when u is not a URL the token may go to. Dot segments are refused
// so a path prefix cannot be escaped with "..".
func normalizeServiceURL(u *url.URL) (string, bool) {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if u.Opaque != "" || u.User != nil || host == "" {
		return "", false
	}
	switch {
	case scheme == "https":
	case scheme == "http" && isLoopback(host):
	default:
		return "", false
	}
	for seg := range strings.SplitSeq(u.Path, "/") {
		if seg == "." || seg == ".." {
			return "", false
		}
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port := u.Port(); port != "" && !(scheme == "https" && port == "443" || scheme == "http" && port == "80") {
		host += ":" + port
	}
	path := u.EscapedPath()
	if !strings.HasSuffix(path, "/") {
		path += "/"
	}
	return scheme + "://" + host + path, true
}
