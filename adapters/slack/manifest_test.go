package slack

import (
	"bytes"
	"os"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestManifest checks that manifest.yml, which an admin pastes into Slack,
// declares every scope, event and command the code uses and nothing else,
// and that it is a Socket Mode app with interactivity and an App Home.
func TestManifest(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../manifest.yml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		DisplayInformation struct {
			Name        string `yaml:"name"`
			Description string `yaml:"description"`
			Background  string `yaml:"background_color"`
		} `yaml:"display_information"`
		Features struct {
			AppHome struct {
				Home     bool `yaml:"home_tab_enabled"`
				Messages bool `yaml:"messages_tab_enabled"`
				ReadOnly bool `yaml:"messages_tab_read_only_enabled"`
			} `yaml:"app_home"`
			BotUser struct {
				DisplayName  string `yaml:"display_name"`
				AlwaysOnline bool   `yaml:"always_online"`
			} `yaml:"bot_user"`
			SlashCommands []struct {
				Command      string `yaml:"command"`
				Description  string `yaml:"description"`
				UsageHint    string `yaml:"usage_hint"`
				ShouldEscape bool   `yaml:"should_escape"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
				Bot  []string `yaml:"bot"`
				User []string `yaml:"user"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				Bot  []string `yaml:"bot_events"`
				User []string `yaml:"user_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				Enabled bool `yaml:"is_enabled"`
			} `yaml:"interactivity"`
			SocketMode    bool `yaml:"socket_mode_enabled"`
			OrgDeploy     bool `yaml:"org_deploy_enabled"`
			TokenRotation bool `yaml:"token_rotation_enabled"`
		} `yaml:"settings"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("manifest.yml: %v", err)
	}
	sameSet(t, "bot scopes", m.OAuth.Scopes.Bot, BotScopes)
	sameSet(t, "bot events", m.Settings.Events.Bot, BotEvents)
	if len(m.OAuth.Scopes.User) > 0 || len(m.Settings.Events.User) > 0 {
		t.Errorf("user scopes %v / user events %v: smart90 acts as its bot only", m.OAuth.Scopes.User, m.Settings.Events.User)
	}
	if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != Command || !m.Features.SlashCommands[0].ShouldEscape {
		t.Errorf("slash commands = %+v, want only %s with should_escape (mentions arrive as <@U…>)", m.Features.SlashCommands, Command)
	}
	if !m.Settings.SocketMode || !m.Settings.Interactivity.Enabled {
		t.Errorf("socket mode %v, interactivity %v; want both on", m.Settings.SocketMode, m.Settings.Interactivity.Enabled)
	}
	if !m.Features.AppHome.Home || !m.Features.AppHome.Messages || m.Features.AppHome.ReadOnly {
		t.Errorf("app home = %+v; want the Home tab and a writable Messages tab", m.Features.AppHome)
	}
	if n := len(m.DisplayInformation.Description); m.DisplayInformation.Name == "" || n == 0 || n > 140 {
		t.Errorf("display information: name %q, description of %d characters (Slack allows 1–140)", m.DisplayInformation.Name, n)
	}
	if d := m.Features.SlashCommands; len(d) == 1 && len(d[0].Description) > 100 {
		t.Errorf("slash command description is %d characters; Slack allows 100", len(d[0].Description))
	}
}

func sameSet(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		t.Errorf("%s: manifest.yml declares %v, the code uses %v", what, g, w)
	}
}
