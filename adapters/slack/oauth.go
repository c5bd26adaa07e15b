package slack

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"net/url"
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
	// in the app's OAuth settings.
	RedirectURL string
	// AuthorizeURL is Slack's consent page (default Slack's); tests replace it.
	AuthorizeURL string
	// States remembers the install links handed out; shared by replicas.
	States     bot.ConversationState
	HTTPClient *http.Client
}

// stateTTL is how long an install link stays valid.
const stateTTL = 10 * time.Minute

// InstallRoutes registers GET /slack/install, which sends an admin to
// Slack's consent page, and GET /slack/oauth_redirect, where Slack sends
// them back: the state is checked (one use, ten minutes) and the bot token
// stored for the workspace (encrypted at rest by the store).
func (a *Adapter) InstallRoutes(mux *http.ServeMux, cfg OAuthConfig) error {
	if cfg.ClientID == "" || cfg.ClientSecret == "" || cfg.RedirectURL == "" || cfg.States == nil {
		return fmt.Errorf("slack install: ClientID, ClientSecret, RedirectURL and States are required")
	}
	mux.HandleFunc("GET /slack/install", func(w http.ResponseWriter, r *http.Request) { a.install(w, r, cfg) })
	mux.HandleFunc("GET /slack/oauth_redirect", func(w http.ResponseWriter, r *http.Request) { a.oauthRedirect(w, r, cfg) })
	return nil
}

func (a *Adapter) install(w http.ResponseWriter, r *http.Request, cfg OAuthConfig) {
	b := make([]byte, 16)
	rand.Read(b)
	state := hex.EncodeToString(b)
	if err := cfg.States.Set(r.Context(), "slack:oauth:"+state, "1", stateTTL); err != nil {
		a.log.ErrorContext(r.Context(), "store install state", "err", err)
		page(w, http.StatusServiceUnavailable, "smart90 cannot start the install right now", "Please try again in a minute.")
		return
	}
	q := url.Values{"client_id": {cfg.ClientID}, "scope": {strings.Join(BotScopes, ",")}, "state": {state}, "redirect_uri": {cfg.RedirectURL}}
	http.Redirect(w, r, cmp.Or(cfg.AuthorizeURL, "https://slack.com/oauth/v2/authorize")+"?"+q.Encode(), http.StatusFound)
}

func (a *Adapter) oauthRedirect(w http.ResponseWriter, r *http.Request, cfg OAuthConfig) {
	ctx := r.Context()
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		page(w, http.StatusOK, "smart90 was not installed", "Slack said: "+e+". You can start again from the install link.")
		return
	}
	state, code := q.Get("state"), q.Get("code")
	key := "slack:oauth:" + state
	if v, err := cfg.States.Get(ctx, key); state == "" || code == "" || err != nil || v == "" {
		page(w, http.StatusBadRequest, "This install link has expired", "Install links last ten minutes and work once. Start again from /slack/install.")
		return
	}
	// One use: of concurrent redirects with one state, one goes on.
	if used, err := a.cfg.Deduper.Seen(ctx, "slack:oauth-used:"+state, stateTTL); err != nil || used {
		page(w, http.StatusBadRequest, "This install link has expired", "Install links last ten minutes and work once. Start again from /slack/install.")
		return
	}
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

// page answers a person's browser with a small HTML page.
func page(w http.ResponseWriter, status int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><meta charset=utf-8><title>%[1]s</title><body style=\"font-family:sans-serif;max-width:40em;margin:4em auto\"><h1>%[1]s</h1><p>%[2]s</p>",
		html.EscapeString(title), html.EscapeString(text))
}
