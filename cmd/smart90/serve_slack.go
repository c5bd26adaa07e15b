// serve's Slack side: the messenger, the single workspace a bot token
// belongs to, the adapter's routes and Socket Mode.

package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	slackadapter "github.com/smart90/smart90/adapters/slack"
	"github.com/smart90/smart90/bot"
)

// newSlackMessenger returns the Slack messenger. With a bot token the
// single workspace it belongs to is known, and installed, from the start.
func newSlackMessenger(ctx context.Context, cfg slackConfig, store bot.InstallationStore, clock bot.Clock, log *slog.Logger) (*slackadapter.Messenger, error) {
	mc := slackadapter.MessengerConfig{APIURL: cfg.APIURL, BotToken: cfg.BotToken, Clock: clock, Logger: log}
	if cfg.BotToken != "" {
		team, err := recordSlackWorkspace(ctx, mc, store, clock, log)
		if err != nil {
			return nil, err
		}
		mc.BotTeam = team
	}
	return slackadapter.NewMessenger(mc), nil
}

// recordSlackWorkspace asks Slack which workspace mc's bot token belongs
// to and records it as an active installation, keeping the token already
// stored and writing nothing when nothing changed. It returns the team id.
func recordSlackWorkspace(ctx context.Context, mc slackadapter.MessengerConfig, store bot.InstallationStore, clock bot.Clock, log *slog.Logger) (string, error) {
	team, name, err := slackadapter.Identify(ctx, mc)
	if err != nil {
		return "", err
	}
	inst := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: team, Name: name, Status: bot.InstallationActive}
	if old, err := store.InstallationByExternalID(ctx, bot.PlatformSlack, team); err == nil {
		inst.BotToken = old.BotToken
		if old.Status == inst.Status && old.Name == name {
			inst = nil // nothing changed
		}
	}
	if inst != nil {
		inst.UpdatedAt = clock.Now().UTC()
		if err := store.UpsertInstallation(ctx, inst); err != nil {
			return "", fmt.Errorf("record the Slack workspace: %w", err)
		}
	}
	log.Info("slack workspace", "team", team, "name", name)
	return team, nil
}

// slackRoutes builds the Slack adapter around out: Slack's requests on
// /slack/… with a signing secret, and the multi-workspace install with a
// client id.
func (s *server) slackRoutes(out *slackadapter.Messenger) error {
	app, err := slackadapter.New(slackadapter.Config{Handler: s.core, Store: s.store, Messenger: out,
		Deduper: s.coord.Deduper, SigningSecret: s.cfg.Slack.SigningSecret, Clock: s.clock, Logger: s.log})
	if err != nil {
		return err
	}
	s.slack = app
	if s.cfg.Slack.SigningSecret != "" {
		app.Routes(s.mux)
	}
	if s.cfg.Slack.ClientID == "" {
		return nil
	}
	return app.InstallRoutes(s.mux, slackadapter.OAuthConfig{ClientID: s.cfg.Slack.ClientID, ClientSecret: s.cfg.Slack.ClientSecret,
		RedirectURL: strings.TrimSuffix(s.cfg.Slack.PublicURL, "/") + "/slack/oauth_redirect", States: s.coord.State, Limiter: s.coord.Limiter})
}

// startSocketMode runs Slack's Socket Mode when an app token is set, until
// ctx is done. The returned channel receives how it ended; without Socket
// Mode it never does.
func (s *server) startSocketMode(ctx context.Context) <-chan error {
	done := make(chan error, 1)
	if s.slack == nil || s.cfg.Slack.AppToken == "" {
		return done
	}
	go func() {
		done <- s.slack.RunSocketMode(ctx, slackadapter.SocketModeConfig{
			AppToken: s.cfg.Slack.AppToken, BotToken: s.cfg.Slack.BotToken, APIURL: s.cfg.Slack.APIURL})
	}()
	s.log.Info("slack socket mode on")
	return done
}
