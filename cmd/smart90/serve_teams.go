// serve's Teams side: the messenger with its token sources, the
// authenticator of inbound activities, and the adapter's route.

package main

import (
	"context"
	"fmt"
	"log/slog"

	teamsadapter "github.com/smart90/smart90/adapters/teams"
	"github.com/smart90/smart90/bot"
)

// teamsParts are what the Teams adapter is built from: the messenger, the
// authenticator of inbound activities and the allowed service URLs.
type teamsParts struct {
	out  *teamsadapter.Messenger
	auth *teamsadapter.Authenticator
	urls teamsadapter.ServiceURLs
}

// newTeamsParts builds the Teams messenger and authenticator from a
// validated cfg. The token sources live as long as the process: ctx gives
// them only its values. files keeps exports between the consent card and
// the person's answer.
func newTeamsParts(ctx context.Context, cfg teamsConfig, store bot.Store, files bot.ConversationState, clock bot.Clock, log *slog.Logger) (*teamsParts, error) {
	urls, err := teamsadapter.ParseServiceURLs(cfg.ServiceURLs)
	if err != nil {
		return nil, fmt.Errorf("SMART90_TEAMS_SERVICE_URLS: %w", err)
	}
	creds := teamsadapter.CredentialsConfig{AppID: cfg.AppID, AppPassword: cfg.AppPassword,
		TenantID: cfg.TenantID, TokenURL: cfg.TokenURL}
	mc := teamsadapter.MessengerConfig{Store: store, Clock: clock, Logger: log, Files: files,
		Connector: teamsadapter.ConnectorConfig{Tokens: creds.TokenSource(context.WithoutCancel(ctx)), ServiceURLs: urls}}
	if cfg.GraphInstall {
		graph := creds
		graph.Scope = teamsadapter.GraphScope // the same token endpoint, another audience
		mc.Graph = &teamsadapter.GraphConfig{Tokens: graph.TokenSource(context.WithoutCancel(ctx)), URL: cfg.GraphURL, AppID: cfg.AppID}
	}
	if !cfg.NoPresence {
		// Out of office from Graph presence, with a token from each
		// tenant's own endpoint (or SMART90_TEAMS_TOKEN_URL, "{tenant}"
		// replaced).
		mc.Presence = &teamsadapter.PresenceConfig{URL: cfg.GraphURL,
			Credentials: teamsadapter.CredentialsConfig{AppID: cfg.AppID, AppPassword: cfg.AppPassword, TokenURL: cfg.TokenURL}}
	}
	out, err := teamsadapter.NewMessenger(mc)
	if err != nil {
		return nil, err
	}
	auth, err := teamsadapter.NewAuthenticator(teamsadapter.AuthConfig{AppID: cfg.AppID,
		OpenIDMetadataURL: cfg.OpenIDMetadataURL, Logger: log})
	if err != nil {
		return nil, err
	}
	return &teamsParts{out: out, auth: auth, urls: urls}, nil
}

// teamsRoutes builds the Teams adapter from t and serves it on
// /api/messages.
func (s *server) teamsRoutes(t *teamsParts) error {
	app, err := teamsadapter.New(teamsadapter.Config{Handler: s.core, Store: s.store, Messenger: t.out, Auth: t.auth,
		ServiceURLs: t.urls, Clock: s.clock, Logger: s.log})
	if err != nil {
		return err
	}
	s.teams = app
	app.Routes(s.mux)
	s.log.Info("teams bot on /api/messages", "app_id", s.cfg.Teams.AppID, "tenant", s.cfg.Teams.TenantID)
	return nil
}
