package teams

import (
	"archive/zip"
	"cmp"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// ManifestVersion is the Teams app manifest schema the package follows:
// v1.22, the current version on the manifest reference
// (learn.microsoft.com/microsoftteams/platform/resources/schema/manifest-schema)
// and in microsoft/json-schemas (teams/v1.22/MicrosoftTeams.schema.json),
// whose limits are below.
const ManifestVersion = "1.22"

const (
	manifestSchema = "https://developer.microsoft.com/json-schemas/teams/v1.22/MicrosoftTeams.schema.json"

	maxShortName   = 30
	maxFullName    = 100
	maxDeveloper   = 32
	maxValidDomain = 16

	accentColor = "#1F6F5C" // a deep green: growth, and readable under white
)

// PackageConfig is what goes into the Teams app package.
type PackageConfig struct {
	// AppID is MICROSOFT_APP_ID: the bot's id, and the app's id too. A GUID.
	AppID string
	// Name is the app's name in Teams, at most 30 characters; default
	// "smart90".
	Name string
	// Version is the app's version, MAJOR.MINOR.PATCH; default "1.0.0".
	// Raise it to upload a changed package over an installed one.
	Version string
	// Developer is the publisher's name, at most 32 characters; default
	// "smart90".
	Developer string
	// WebsiteURL is the app's public https address (SMART90_PUBLIC_URL),
	// shown as its website; required.
	WebsiteURL string
	// ValidDomains are the domains the app may open; default WebsiteURL's
	// host.
	ValidDomains []string
	// PrivacyURL and TermsURL are the privacy statement and the terms of
	// use, https; default WebsiteURL + "/privacy" and + "/terms".
	PrivacyURL, TermsURL string
}

var (
	guid   = regexp.MustCompile(`^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$`)
	semver = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)
)

// withDefaults returns cfg with its defaults filled in, or why it cannot
// make a package.
func (cfg PackageConfig) withDefaults() (PackageConfig, error) {
	cfg.AppID = strings.TrimSpace(cfg.AppID)
	if cfg.AppID == "" {
		return cfg, errors.New("teams package: no app id (MICROSOFT_APP_ID, the bot's Microsoft App ID)")
	}
	if !guid.MatchString(cfg.AppID) {
		return cfg, fmt.Errorf("teams package: app id %q is not a GUID like 00000000-0000-0000-0000-000000000000 (MICROSOFT_APP_ID, the bot's Microsoft App ID)", cfg.AppID)
	}
	cfg.Name = cmp.Or(strings.TrimSpace(cfg.Name), "smart90")
	cfg.Version = cmp.Or(strings.TrimSpace(cfg.Version), "1.0.0")
	cfg.Developer = cmp.Or(strings.TrimSpace(cfg.Developer), "smart90")
	if n := utf8.RuneCountInString(cfg.Name); n > maxShortName {
		return cfg, fmt.Errorf("teams package: the name %q is %d characters; Teams allows %d", cfg.Name, n, maxShortName)
	}
	if n := utf8.RuneCountInString(cfg.Developer); n > maxDeveloper {
		return cfg, fmt.Errorf("teams package: the developer name %q is %d characters; Teams allows %d", cfg.Developer, n, maxDeveloper)
	}
	if !semver.MatchString(cfg.Version) {
		return cfg, fmt.Errorf("teams package: version %q is not MAJOR.MINOR.PATCH, e.g. 1.0.0", cfg.Version)
	}
	site, err := httpsURL("website", cfg.WebsiteURL)
	if err != nil {
		return cfg, err
	}
	cfg.WebsiteURL = strings.TrimRight(site.String(), "/")
	cfg.PrivacyURL = cmp.Or(strings.TrimSpace(cfg.PrivacyURL), cfg.WebsiteURL+"/privacy")
	cfg.TermsURL = cmp.Or(strings.TrimSpace(cfg.TermsURL), cfg.WebsiteURL+"/terms")
	for what, u := range map[string]string{"privacy": cfg.PrivacyURL, "terms of use": cfg.TermsURL} {
		if _, err := httpsURL(what, u); err != nil {
			return cfg, err
		}
	}
	if len(cfg.ValidDomains) == 0 {
		cfg.ValidDomains = []string{site.Hostname()}
	}
	if len(cfg.ValidDomains) > maxValidDomain {
		return cfg, fmt.Errorf("teams package: %d valid domains; Teams allows %d", len(cfg.ValidDomains), maxValidDomain)
	}
	for _, d := range cfg.ValidDomains {
		if d == "" || strings.Contains(d, "/") {
			return cfg, fmt.Errorf("teams package: valid domain %q is not a host name like smart90.example.com", d)
		}
	}
	return cfg, nil
}

// httpsURL parses an absolute https URL, which the manifest requires.
func httpsURL(what, s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("teams package: no %s URL (SMART90_PUBLIC_URL, the https address smart90 is reached at)", what)
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("teams package: the %s URL %q is not an https URL like https://smart90.example.com (Teams requires https)", what, s)
	}
	return u, nil
}

// command is a bot command Teams suggests as the person types.
type command struct {
	Title       string `json:"title"`
	Description string `json:"description"`
}

// Teams shows at most 10 commands per list, so each scope gets the ten (or
// fewer) that matter most there; every other word of DESIGN.md's list
// works when typed, and `help` lists them all.
var (
	// In the 1:1 chat, where clients and coaches both work: the daily
	// loop first, then coaching. Left out: digest, history, export,
	// forget-me, resume.
	personalCommands = []command{
		{"help", "What you can do, for your role"},
		{"checkin", "Answer today's check-in now"},
		{"weekly", "Write this week's report now"},
		{"rocks", "Your rocks (90-day priorities): list, add, update"},
		{"invite", "Coach: invite a client, e.g. invite @Ana"},
		{"clients", "Coach: your clients at a glance (streak, rocks, at risk)"},
		{"brief", "Coach: everything since the last session, e.g. brief @Ana"},
		{"session", "Coach: book a session (session @Ana next 2026-12-10 15:00) or log one"},
		{"settings", "Check-in time, workdays, weekly report, time zone, reminder"},
		{"pause", "Pause prompts for a holiday: pause 2026-12-20 2027-01-04"},
	}
	// In a team's channel, where a coach's digest goes: coaching only; a
	// client's own answers belong in their 1:1 chat.
	teamCommands = []command{
		{"help", "What you can do, for your role"},
		{"digest", "Coach: \"digest here\" sends your weekly digest to this channel"},
		{"invite", "Coach: invite a client, e.g. invite @Ana"},
		{"clients", "Coach: your clients at a glance (streak, rocks, at risk)"},
		{"brief", "Coach: everything since the last session, e.g. brief @Ana"},
		{"session", "Coach: book a session (session @Ana next 2026-12-10 15:00) or log one"},
		{"sessions", "Coach: upcoming and past sessions, e.g. sessions @Ana"},
		{"end", "Coach: end your coaching of a client, e.g. end @Ana (asks to confirm)"},
	}
)

const (
	shortDescription = "Daily check-ins, weekly reports and coach digests for 90-day rocks."
	fullDescription  = `smart90 is the execution layer between coaching sessions. Coaching sets priorities; between sessions they fade. smart90 keeps them alive in Teams.

Each client keeps 3 to 7 quarterly rocks (90-day priorities with a measurable "done") and gets a short daily check-in and a weekly accountability prompt in their chat with smart90, at their local time: what moved forward, today's #1 priority, anything stuck, energy. Answer in the card, or reply message by message.

Each coach gets a weekly digest, in their chat with smart90 or in a channel of their choice ("digest here"), one thread reply per client: check-in rate and streak, rocks that changed or went off track, wins, blockers, and what to bring to the next session. Clients at risk (the "week two fade", rocks off track two weeks running, silence) are flagged. Before each session booked in smart90 or found in the coach's calendar, the coach gets a brief of everything since the last one; after it, a question for a line of notes.

Clients pause for holidays, see their history, export their data as CSV and JSON, or delete it. A coach sees only their own clients; a client only their own data.

Type "help" in the chat with smart90 to start; a coach invites a client with "invite @name".`
)

// Manifest returns the manifest.json document (for tests and for printing).
func Manifest(cfg PackageConfig) (map[string]any, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	full := cfg.Name
	if cfg.Name == "smart90" {
		full = "smart90 — the execution layer between coaching sessions"
	}
	if n := utf8.RuneCountInString(full); n > maxFullName {
		return nil, fmt.Errorf("teams package: the full name is %d characters; Teams allows %d", n, maxFullName)
	}
	commandList := func(scope string, cmds []command) map[string]any {
		return map[string]any{"scopes": []string{scope}, "commands": cmds}
	}
	return map[string]any{
		"$schema":         manifestSchema,
		"manifestVersion": ManifestVersion,
		"version":         cfg.Version,
		"id":              cfg.AppID,
		"developer": map[string]any{
			"name":          cfg.Developer,
			"websiteUrl":    cfg.WebsiteURL,
			"privacyUrl":    cfg.PrivacyURL,
			"termsOfUseUrl": cfg.TermsURL,
		},
		"name":        map[string]any{"short": cfg.Name, "full": full},
		"description": map[string]any{"short": shortDescription, "full": fullDescription},
		"icons":       map[string]any{"color": "color.png", "outline": "outline.png"},
		"accentColor": accentColor,
		"bots": []any{map[string]any{
			"botId":              cfg.AppID,
			"scopes":             []string{"personal", "team"},
			"supportsFiles":      true, // export: files sent to the 1:1 chat (file consent)
			"isNotificationOnly": false,
			// One list per scope, as the schema asks.
			"commandLists": []any{commandList("personal", personalCommands), commandList("team", teamCommands)},
		}},
		"permissions":  []string{"identity", "messageTeamMembers"},
		"validDomains": cfg.ValidDomains,
	}, nil
}

// packageTime is the time stamp of the files in the package, so that the
// same configuration always makes the same zip.
var packageTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// WritePackage writes the app package zip (manifest.json, color.png
// 192×192, outline.png 32×32 white on transparent) to w.
func WritePackage(w io.Writer, cfg PackageConfig) error {
	manifest, err := Manifest(cfg)
	if err != nil {
		return err
	}
	mj, err := json.MarshalIndent(manifest, "", "  ")
	if err != nil {
		return fmt.Errorf("teams package: encode manifest: %w", err)
	}
	z := zip.NewWriter(w)
	for _, f := range []struct {
		name string
		data []byte
	}{{"manifest.json", append(mj, '\n')}, {"color.png", colorPNG}, {"outline.png", outlinePNG}} {
		fw, err := z.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: packageTime})
		if err != nil {
			return fmt.Errorf("teams package: add %s: %w", f.name, err)
		}
		if _, err := fw.Write(f.data); err != nil {
			return fmt.Errorf("teams package: write %s: %w", f.name, err)
		}
	}
	if err := z.Close(); err != nil {
		return fmt.Errorf("teams package: finish the zip: %w", err)
	}
	return nil
}

// The icons are a target — a ring, a smaller ring and a dot: a goal in
// sight, the rocks smart90 keeps in view — in white, on a rounded square
// of the accent colour #1F6F5C (color.png, 192×192) or on transparent
// with thicker strokes for Teams to tint (outline.png, 32×32), as the
// Teams app package requires.
var (
	//go:embed icons/color.png
	colorPNG []byte
	//go:embed icons/outline.png
	outlinePNG []byte
)
