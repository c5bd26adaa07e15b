package teams

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/smart90/smart90/bot"
)

// GraphScope is the scope of the bot's Microsoft Graph token.
const GraphScope = "https://graph.microsoft.com/.default"

// GraphConfig configures the proactive install of the app for a person
// who does not have it yet, through Microsoft Graph. It works only where a
// tenant admin granted the bot's app the application permissions
// TeamsAppInstallation.ReadWriteSelfForUser.All and AppCatalog.Read.All.
type GraphConfig struct {
	// Tokens are the bot's Graph tokens (CredentialsConfig with Scope
	// GraphScope, against the tenant's endpoint).
	Tokens oauth2.TokenSource
	// URL is the Graph API base (SMART90_TEAMS_GRAPH_URL); default
	// "https://graph.microsoft.com/v1.0".
	URL string
	// AppID is the app's id in its manifest (MICROSOFT_APP_ID, as
	// smart90 teams-package writes it): its externalId in the tenant's
	// app catalog.
	AppID      string
	HTTPClient *http.Client // default: 15 s timeout
}

// graph installs the Teams app for a person (POST
// /users/{id}/teamwork/installedApps), after finding the app in the
// tenant's catalog once. It is safe for concurrent use.
type graph struct {
	cfg GraphConfig
	hc  *http.Client

	mu      sync.Mutex
	catalog string // the app's id in the tenant's catalog, once found
}

func newGraph(cfg GraphConfig) (*graph, error) {
	if cfg.Tokens == nil || cfg.AppID == "" {
		return nil, errors.New("teams: the Graph install needs a token source and the app id")
	}
	cfg.URL = strings.TrimSuffix(cmp.Or(cfg.URL, "https://graph.microsoft.com/v1.0"), "/")
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	return &graph{cfg: cfg, hc: hc}, nil
}

// install installs the app for the person with that Entra object id. An
// install that already exists is success.
func (g *graph) install(ctx context.Context, aadObjectID string) error {
	id, err := g.catalogID(ctx)
	if err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]string{"teamsApp@odata.bind": g.cfg.URL + "/appCatalogs/teamsApps/" + url.PathEscape(id)})
	err = send(ctx, g.hc, g.cfg.Tokens, http.MethodPost, g.cfg.URL+"/users/"+url.PathEscape(aadObjectID)+"/teamwork/installedApps", body, nil)
	if graphStatus(err) == http.StatusConflict {
		return nil // already installed
	}
	return graphError("install the app for the person", err)
}

// catalogID finds the app in the tenant's catalog by its manifest id.
func (g *graph) catalogID(ctx context.Context) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.catalog != "" {
		return g.catalog, nil
	}
	var out struct {
		Value []struct {
			ID string `json:"id"`
		} `json:"value"`
	}
	q := url.Values{"$filter": {fmt.Sprintf("externalId eq '%s'", strings.ReplaceAll(g.cfg.AppID, "'", "''"))}}
	if err := send(ctx, g.hc, g.cfg.Tokens, http.MethodGet, g.cfg.URL+"/appCatalogs/teamsApps?"+q.Encode(), nil, &out); err != nil {
		return "", graphError("find the app in the organisation's catalog", err)
	}
	if len(out.Value) == 0 || out.Value[0].ID == "" {
		return "", bot.Errorf(bot.EFORBIDDEN, "smart90 is not in your organisation's Teams app catalog; ask the Teams admin to upload the app package (smart90 teams-package).")
	}
	g.catalog = out.Value[0].ID
	return g.catalog, nil
}

// graphStatus is the HTTP status of a failed Graph call, 0 for others.
func graphStatus(err error) int {
	switch {
	case err == nil:
		return 0
	case bot.ErrorCode(err) == bot.EFORBIDDEN:
		return http.StatusForbidden
	case bot.ErrorCode(err) == bot.ENOTFOUND:
		return http.StatusNotFound
	}
	var se *statusError
	if errors.As(err, &se) {
		return se.status
	}
	return 0
}

// graphError says in plain words why Graph refused.
func graphError(what string, err error) error {
	switch graphStatus(err) {
	case 0:
		if err == nil {
			return nil
		}
	case http.StatusForbidden, http.StatusUnauthorized:
		return bot.Errorf(bot.EFORBIDDEN, "smart90 may not %s: a Teams admin has not granted it TeamsAppInstallation.ReadWriteSelfForUser.All and AppCatalog.Read.All.", what)
	case http.StatusNotFound:
		return bot.Errorf(bot.ENOTFOUND, "smart90 could not %s: Microsoft Graph does not know them.", what)
	}
	return fmt.Errorf("graph: %s: %w", what, err)
}
