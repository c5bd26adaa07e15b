package slack

import (
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/smart90/smart90/bot"
)

// OAuthConfig configures the multi-workspace install (OAuth v2).
type OAuthConfig struct {
	ClientID     string // SLACK_CLIENT_ID
	ClientSecret string // SLACK_CLIENT_SECRET
	// RedirectURL is https://<public host>/slack/oauth_redirect, as listed
	// in the app's OAuth settings. The install cookie is Secure when it is
	// https.
	RedirectURL string
	// AuthorizeURL is Slack's consent page (default Slack's); tests replace it.
	AuthorizeURL string
	// States remembers the install links handed out; shared by replicas.
	States bot.ConversationState
	// Limiter paces install starts per client address and overall, so
	// that anonymous requests cannot fill States; shared by replicas.
	Limiter    bot.RateLimiter
	HTTPClient *http.Client
}

// stateTTL is how long an install link stays valid.
const stateTTL = 10 * time.Minute

// installCookie carries the secret that binds an install's state to the
// browser that started it: the redirect must come back with it.
const installCookie = "smart90_slack_install"

// Install starts are rare (an admin installs a workspace once), so the
// limits are low: a few tries per address, then one a minute; and few
// enough overall that the states stored in ten minutes stay in the tens.
const (
	installRatePerIP  = 1.0 / 60
	installBurstPerIP = 5
	installRate       = 1.0 / 30
	installBurst      = 20
)

// InstallRoutes registers GET /slack/install, which sends an admin to
// Slack's consent page, and GET /slack/oauth_redirect, where Slack sends
// them back: the state is checked (one use, ten minutes, the browser that
// started the install) and the bot token stored for the workspace
// (encrypted at rest by the store).
func (a *Adapter) InstallRoutes(mux *http.ServeMux, cfg OAuthConfig) error {
	if cfg.ClientID == "" || cfg.ClientSecret == "" || cfg.RedirectURL == "" || cfg.States == nil || cfg.Limiter == nil {
		return fmt.Errorf("slack install: ClientID, ClientSecret, RedirectURL, States and Limiter are required")
	}
	mux.HandleFunc("GET /slack/install", func(w http.ResponseWriter, r *http.Request) { a.install(w, r, cfg) })
	mux.HandleFunc("GET /slack/oauth_redirect", func(w http.ResponseWriter, r *http.Request) { a.oauthRedirect(w, r, cfg) })
	return nil
}

func (a *Adapter) install(w http.ResponseWriter, r *http.Request, cfg OAuthConfig) {
	ctx := r.Context()
	if !a.admitInstall(w, r, cfg) {
		return
	}
	state, secret := rand.Text(), rand.Text()
	if err := cfg.States.Set(ctx, "slack:oauth:"+state, bindingOf(secret), stateTTL); err != nil {
		a.log.ErrorContext(ctx, "store install state", "err", err)
		page(w, http.StatusServiceUnavailable, "smart90 cannot start the install right now", "Please try again in a minute.")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: installCookie, Value: secret, Path: "/slack/", MaxAge: int(stateTTL / time.Second),
		HttpOnly: true, Secure: strings.HasPrefix(cfg.RedirectURL, "https://"), SameSite: http.SameSiteLaxMode})
	q := url.Values{"client_id": {cfg.ClientID}, "scope": {strings.Join(BotScopes, ",")}, "state": {state}, "redirect_uri": {cfg.RedirectURL}}
	http.Redirect(w, r, cmp.Or(cfg.AuthorizeURL, "https://slack.com/oauth/v2/authorize")+"?"+q.Encode(), http.StatusFound)
}

// admitInstall asks the limiter for one install start from the request's
// address, then overall, and answers 429 with Retry-After when either is
// spent (503 when the limiter cannot be asked: no state is stored
// unpaced). The address is the connection's: behind a proxy, the
// per-address limit counts the proxy.
func (a *Adapter) admitInstall(w http.ResponseWriter, r *http.Request, cfg OAuthConfig) bool {
	ctx := r.Context()
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	for _, l := range []struct {
		key   string
		rate  float64
		burst int
	}{
		{"slack:install:ip:" + ip, installRatePerIP, installBurstPerIP},
		{"slack:install:all", installRate, installBurst},
	} {
		wait, err := cfg.Limiter.Reserve(ctx, l.key, l.rate, l.burst)
		if err != nil {
			a.log.ErrorContext(ctx, "pace install starts", "err", err)
			page(w, http.StatusServiceUnavailable, "smart90 cannot start the install right now", "Please try again in a minute.")
			return false
		}
		if wait > 0 {
			secs := int((wait + time.Second - 1) / time.Second)
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			unit := "seconds"
			if secs == 1 {
				unit = "second"
			}
			page(w, http.StatusTooManyRequests, "Too many install attempts",
				fmt.Sprintf("Please wait %d %s and start again from /slack/install.", secs, unit))
			return false
		}
	}
	return true
}

// bindingOf is what the state is stored with: a digest of the browser's
// cookie, so the stored states alone cannot complete an install.
func bindingOf(secret string) string {
	sum := sha256.Sum256([]byte("smart90 slack install\x00" + secret))
	return hex.EncodeToString(sum[:])
}

// The pages for a redirect that cannot complete an install: the link is
// used up or expired, or another browser started the install.
const (
	expiredTitle = "This install link has expired"
	expiredText  = "Install links last ten minutes and work once. Start again from /slack/install."
	otherTitle   = "This install was started in another browser"
	otherText    = "For your workspace's safety, an install must finish in the browser that started it. Start again from /slack/install in this browser."
)

func (a *Adapter) oauthRedirect(w http.ResponseWriter, r *http.Request, cfg OAuthConfig) {
	ctx := r.Context()
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		clearInstallCookie(w)
		page(w, http.StatusOK, "smart90 was not installed", "Slack said: "+e+". You can start again from the install link.")
		return
	}
	state, code := q.Get("state"), q.Get("code")
	key := "slack:oauth:" + state
	bound, err := cfg.States.Get(ctx, key)
	if state == "" || code == "" || err != nil || bound == "" {
		page(w, http.StatusBadRequest, expiredTitle, expiredText)
		return
	}
	// The state must come back to the browser it was handed to: a link
	// carrying someone else's state (and their code) must not install
	// their workspace from here, nor use their state up.
	c, err := r.Cookie(installCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(bindingOf(c.Value)), []byte(bound)) != 1 {
		a.log.WarnContext(ctx, "slack install: the redirect's browser did not start it", "cookie", err == nil)
		page(w, http.StatusBadRequest, otherTitle, otherText)
		return
	}
	// One use: of concurrent redirects with one state, one goes on.
	if used, err := a.cfg.Deduper.Seen(ctx, "slack:oauth-used:"+state, stateTTL); err != nil || used {
		page(w, http.StatusBadRequest, expiredTitle, expiredText)
		return
	}
	clearInstallCookie(w)
	if err := cfg.States.Delete(ctx, key); err != nil {
		a.log.WarnContext(ctx, "forget install state", "err", err)
	}
	opts := []slack.OAuthOption{}
	if a.cfg.Messenger.cfg.APIURL != "" {
		opts = append(opts, slack.OAuthOptionAPIURL(baseURL(a.cfg.Messenger.cfg.APIURL)))
	}
	resp, err := slack.GetOAuthV2ResponseContext(ctx, cmp.Or(cfg.HTTPClient, http.DefaultClient), cfg.ClientID, cfg.ClientSecret, code, cfg.RedirectURL, opts...)
	if err != nil || resp.AccessToken == "" || resp.Team.ID == "" {
		a.log.WarnContext(ctx, "slack oauth exchange", "err", err)
		page(w, http.StatusBadGateway, "smart90 was not installed", "Slack did not confirm the install. Start again from /slack/install.")
		return
	}
	inst := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: resp.Team.ID, Name: resp.Team.Name,
		Status: bot.InstallationActive, BotToken: []byte(resp.AccessToken), UpdatedAt: a.clock.Now().UTC()}
	if err := a.cfg.Store.UpsertInstallation(ctx, inst); err != nil {
		a.log.ErrorContext(ctx, "store slack installation", "team", resp.Team.ID, "err", err)
		page(w, http.StatusInternalServerError, "smart90 was not installed", "Something went wrong on our side; please try again.")
		return
	}
	a.log.InfoContext(ctx, "slack workspace installed", "team", resp.Team.ID)
	page(w, http.StatusOK, "smart90 is installed in "+resp.Team.Name, "Open Slack and type /smart90 help — coaches start with /smart90 invite @client.")
}

// clearInstallCookie removes the install cookie once the install is over.
func clearInstallCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: installCookie, Value: "", Path: "/slack/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// page answers a person's browser with a small HTML page.
func page(w http.ResponseWriter, status int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><meta charset=utf-8><title>%[1]s</title><body style=\"font-family:sans-serif;max-width:40em;margin:4em auto\"><h1>%[1]s</h1><p>%[2]s</p>",
		html.EscapeString(title), html.EscapeString(text))
}
