package teams

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/smart90/smart90/adapters/zones"
	"github.com/smart90/smart90/bot"
)

// PresenceConfig configures reading whether a person is out of office
// from Microsoft Graph: their presence (GET /users/{id}/presence: the
// availability or activity OutOfOffice, the mailbox's automatic replies in
// outOfOfficeSettings, and the status message they typed). It works only
// in a tenant whose admin granted the bot's app the application
// permission Presence.Read.All; elsewhere nothing is read, and one log
// line per tenant says so.
type PresenceConfig struct {
	// Credentials are the bot's (MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD):
	// a Graph token is asked of each tenant's own token endpoint, or of
	// TokenURL (SMART90_TEAMS_TOKEN_URL) with "{tenant}" in it replaced,
	// or as it is when it has none. Its TenantID and Scope are not used.
	Credentials CredentialsConfig
	// URL is the Graph API base (SMART90_TEAMS_GRAPH_URL); default
	// "https://graph.microsoft.com/v1.0".
	URL        string
	HTTPClient *http.Client // default: 5 s timeout
}

const (
	// presenceTTL is how long a presence read is used: a prompt reads
	// its person's presence, and Graph throttles per tenant.
	presenceTTL = 5 * time.Minute
	// deniedTTL is how long a tenant that refused is not asked again: an
	// admin may grant the permission later.
	deniedTTL = time.Hour
)

// presence reads people's presence through Graph. It is safe for
// concurrent use.
type presence struct {
	cfg   PresenceConfig
	hc    *http.Client
	clock bot.Clock
	log   *slog.Logger

	mu     sync.Mutex
	tokens map[string]oauth2.TokenSource // by tenant
	seen   map[string]seenPresence       // "<tenant>/<aad object id>"
	denied map[string]time.Time          // tenant → when it refused
	told   map[string]bool               // tenants whose refusal was logged
}

type seenPresence struct {
	st bot.Status
	at time.Time
}

func newPresence(cfg PresenceConfig, clock bot.Clock, log *slog.Logger) (*presence, error) {
	if cfg.Credentials.AppID == "" || cfg.Credentials.AppPassword == "" {
		return nil, errors.New("teams: reading presence needs the app id and password")
	}
	cfg.URL = strings.TrimSuffix(cmp.Or(cfg.URL, "https://graph.microsoft.com/v1.0"), "/")
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Second}
	}
	return &presence{cfg: cfg, hc: hc, clock: clock, log: log, tokens: map[string]oauth2.TokenSource{},
		seen: map[string]seenPresence{}, denied: map[string]time.Time{}, told: map[string]bool{}}, nil
}

// tokenSource is the tenant's Graph token source, made once.
func (p *presence) tokenSource(tenant string) oauth2.TokenSource {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ts, ok := p.tokens[tenant]; ok {
		return ts
	}
	c := p.cfg.Credentials
	c.TenantID, c.Scope = tenant, GraphScope
	c.TokenURL = strings.ReplaceAll(c.TokenURL, "{tenant}", url.PathEscape(tenant))
	// The source outlives any one read: it gets no request's context.
	ts := c.TokenSource(context.Background())
	p.tokens[tenant] = ts
	return ts
}

// graphPresence is the part of Graph's presence resource read here.
type graphPresence struct {
	Availability        string `json:"availability"`
	Activity            string `json:"activity"`
	OutOfOfficeSettings struct {
		IsOutOfOffice bool `json:"isOutOfOffice"`
	} `json:"outOfOfficeSettings"`
	StatusMessage *struct {
		Message struct {
			Content string `json:"content"`
		} `json:"message"`
		ExpiryDateTime *struct {
			DateTime string `json:"dateTime"`
			TimeZone string `json:"timeZone"`
		} `json:"expiryDateTime"`
	} `json:"statusMessage"`
}

// read returns the presence of the person with that Entra object id in
// tenant as a bot.Status, kept for presenceTTL; bot.ErrNoStatus when the
// tenant did not grant Presence.Read.All.
func (p *presence) read(ctx context.Context, tenant, aadObjectID string) (bot.Status, error) {
	key := tenant + "/" + aadObjectID
	now := p.clock.Now()
	p.mu.Lock()
	at, denied := p.denied[tenant]
	s, ok := p.seen[key]
	p.mu.Unlock()
	if denied && now.Sub(at) < deniedTTL && !now.Before(at) {
		return bot.Status{}, bot.ErrNoStatus
	}
	if ok && now.Sub(s.at) < presenceTTL && !now.Before(s.at) {
		return s.st, nil
	}
	var out graphPresence
	err := send(ctx, p.hc, p.tokenSource(tenant), http.MethodGet, p.cfg.URL+"/users/"+url.PathEscape(aadObjectID)+"/presence", nil, &out)
	if refused(err) {
		p.deny(ctx, tenant, now)
		return bot.Status{}, fmt.Errorf("%w: %w", bot.ErrNoStatus, err)
	}
	if err != nil {
		return bot.Status{}, fmt.Errorf("read presence through Graph: %w", err)
	}
	st := out.status()
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.denied, tenant)
	delete(p.told, tenant) // a later refusal is news again
	if len(p.seen) >= 10000 {
		clear(p.seen)
	}
	p.seen[key] = seenPresence{st: st, at: now}
	return st, nil
}

// refused reports whether err says the tenant did not let the bot read
// presence: Graph's 401 or 403, or a token endpoint that refused the app
// (a tenant that never consented to it).
func refused(err error) bool {
	if s := graphStatus(err); s == http.StatusUnauthorized || s == http.StatusForbidden {
		return true
	}
	var re *oauth2.RetrieveError
	return errors.As(err, &re) && re.Response != nil &&
		(re.Response.StatusCode == http.StatusBadRequest || re.Response.StatusCode == http.StatusUnauthorized)
}

// deny remembers that tenant refused, and says so in the log the first
// time only: one line per tenant, not one per prompt.
func (p *presence) deny(ctx context.Context, tenant string, now time.Time) {
	p.mu.Lock()
	p.denied[tenant] = now
	told := p.told[tenant]
	p.told[tenant] = true
	p.mu.Unlock()
	if !told {
		p.log.InfoContext(ctx, fmt.Sprintf("Teams tenant %s has not granted Presence.Read.All: out-of-office is not read", tenant), "tenant", tenant)
	}
}

// status is what the presence says, as the core's Status.
func (g graphPresence) status() bot.Status {
	st := bot.Status{OutOfOffice: g.Availability == "OutOfOffice" || g.Activity == "OutOfOffice" || g.OutOfOfficeSettings.IsOutOfOffice}
	if g.StatusMessage != nil {
		st.Text = g.StatusMessage.Message.Content
		if e := g.StatusMessage.ExpiryDateTime; e != nil && !st.OutOfOffice {
			// The expiry is the typed message's, not the mailbox's.
			st.Expires = graphTime(e.DateTime, e.TimeZone)
		}
	}
	return st
}

// graphTime reads a Graph dateTimeTimeZone (a local date and time, and
// the zone it is in: an IANA name or "UTC"); zero when it cannot. Graph
// writes a status message that never expires as the year 9999.
func graphTime(dateTime, zone string) time.Time {
	if iana, ok := zones.FromWindows(zone); ok {
		zone = iana // Graph may name the zone as Windows does
	}
	loc, err := time.LoadLocation(cmp.Or(zone, "UTC"))
	if err != nil {
		loc = time.UTC
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05.9999999", dateTime, loc)
	if err != nil || t.Year() >= 9999 {
		return time.Time{}
	}
	return t.UTC()
}

var _ bot.StatusReader = (*Messenger)(nil)

// Status implements bot.StatusReader with Graph presence, for a person
// whose Entra object id smart90 knows (from their chat with it);
// bot.ErrNoStatus when presence is not configured, the tenant did not
// grant Presence.Read.All, or the person's object id is unknown.
func (m *Messenger) Status(ctx context.Context, inst *bot.Installation, userID string) (bot.Status, error) {
	if m.presence == nil || inst == nil {
		return bot.Status{}, bot.ErrNoStatus
	}
	ref, ok, err := m.refs.get(ctx, inst.ID, personKey(userID))
	if err != nil {
		return bot.Status{}, err
	}
	if !ok || ref.AADObjectID == "" {
		return bot.Status{}, bot.ErrNoStatus
	}
	return m.presence.read(ctx, inst.ExternalID, ref.AADObjectID)
}
