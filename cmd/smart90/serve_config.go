// serve's configuration: the flags and environment variables it reads,
// and the one check of them all before anything starts.

package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"time"

	teamsadapter "github.com/smart90/smart90/adapters/teams"
	"github.com/smart90/smart90/ics"
	"github.com/smart90/smart90/store/seal"
)

// serveConfig is everything `smart90 serve` reads from flags and the
// environment.
type serveConfig struct {
	store    storeConfig
	RedisURL string // SMART90_REDIS_URL; "" = in-process coordination (one replica)
	// Charts says whether digests and briefs carry charts (SMART90_CHARTS,
	// on unless "off").
	Charts bool
	// RedisPrefix starts every key smart90 writes (SMART90_REDIS_PREFIX),
	// so deployments can share a Redis.
	RedisPrefix string
	HTTPAddr    string // SMART90_HTTP_ADDR
	// SendRate is each installation's outbound messages per second, shared
	// by all replicas (SMART90_SEND_RATE).
	SendRate float64
	// APIRate and APIBurst pace each token of the HTTP API: requests per
	// second, and how many at once, across all replicas
	// (SMART90_API_RATE, SMART90_API_BURST).
	APIRate  float64
	APIBurst int
	Grace    time.Duration // SMART90_GRACE: how late a prompt may still go out after downtime
	Workers  int           // concurrent sends per replica
	// Shutdown bounds the graceful stop: in-flight sends finish or are
	// released within it.
	Shutdown time.Duration
	DryRun   bool // log what would be sent instead of sending
	// Lease, SendTimeout, RetryBase and RetryMax tune the scheduler
	// (SMART90_LEASE, SMART90_SEND_TIMEOUT, SMART90_RETRY_BASE,
	// SMART90_RETRY_MAX); zero keeps its defaults. Fault tests shorten them
	// so a crashed replica's or an outage's work comes back in seconds.
	Lease, SendTimeout, RetryBase, RetryMax time.Duration
	// Poll is how often senders look for retries that came due between
	// ticks (SMART90_POLL, default 5s).
	Poll     time.Duration
	LogLevel string
	LogText  bool

	// CalendarMaxBytes is the largest coach's calendar read
	// (SMART90_CALENDAR_MAX_BYTES, default 4 MiB).
	CalendarMaxBytes int64
	// WebhookAllowPrivate lets coaches' webhooks be plain http and reach
	// private, loopback and link-local addresses
	// (SMART90_WEBHOOK_ALLOW_PRIVATE; tests and closed networks only).
	WebhookAllowPrivate bool

	// EncryptionKey encrypts bot tokens at rest (SMART90_ENCRYPTION_KEY).
	EncryptionKey string
	Slack         slackConfig
	Teams         teamsConfig
	LLM           llmConfig // SMART90_LLM_*: the brief's written summary, off by default
	// AwayWords are what a chat status says when its person is out of
	// office (SMART90_AWAY_WORDS); empty: bot.DefaultAwayWords.
	AwayWords awayWords
	// Pages is where /privacy and /terms come from (SMART90_PRIVACY_*,
	// SMART90_TERMS_*).
	Pages pagesConfig
}

// teamsConfig is the Teams bot's configuration, from the environment only
// (the app password is a secret).
type teamsConfig struct {
	AppID       string // MICROSOFT_APP_ID: the bot's Entra app id
	AppPassword string // MICROSOFT_APP_PASSWORD: its client secret
	TenantID    string // MICROSOFT_APP_TENANT_ID: a single-tenant bot's tenant
	// OpenIDMetadataURL overrides where inbound tokens' signing keys are
	// found (SMART90_TEAMS_OPENID_METADATA_URL; tests, sovereign clouds).
	OpenIDMetadataURL string
	// TokenURL overrides the bot's token endpoint (SMART90_TEAMS_TOKEN_URL).
	TokenURL string
	// ServiceURLs are the allowed serviceUrl prefixes, comma-separated
	// (SMART90_TEAMS_SERVICE_URLS; default the public Teams services).
	ServiceURLs string
	// GraphInstall installs the app for a person who does not have it
	// through Microsoft Graph (SMART90_TEAMS_GRAPH_INSTALL=true; needs the
	// admin-granted permissions README names).
	GraphInstall bool
	GraphURL     string // SMART90_TEAMS_GRAPH_URL: the Graph API base override
	// NoPresence turns off reading out-of-office from Graph presence
	// (SMART90_TEAMS_PRESENCE=false); on by default, it reads nothing in
	// a tenant that did not grant Presence.Read.All.
	NoPresence bool
}

// slackConfig is the Slack app's configuration, from the environment only:
// these are secrets, and flags show up in process listings.
type slackConfig struct {
	BotToken      string // SLACK_BOT_TOKEN: one workspace
	AppToken      string // SLACK_APP_TOKEN: Socket Mode
	SigningSecret string // SLACK_SIGNING_SECRET: HTTP mode
	APIURL        string // SLACK_API_URL: Web API base override
	ClientID      string // SLACK_CLIENT_ID: multi-workspace install (OAuth v2)
	ClientSecret  string // SLACK_CLIENT_SECRET
	PublicURL     string // SMART90_PUBLIC_URL: where Slack sends admins back after the install
}

// enabled reports whether any of Slack's ways in is configured.
func (c slackConfig) enabled() bool {
	return c.BotToken != "" || c.AppToken != "" || c.SigningSecret != ""
}

// bind registers serve's flags, with defaults from the environment, and
// reads the secrets, which come from the environment only. It fails on an
// environment variable it cannot read.
func (c *serveConfig) bind(fs *flag.FlagSet, getenv func(string) string) error {
	c.store.bind(fs, getenv)
	fs.StringVar(&c.RedisURL, "redis-url", getenv("SMART90_REDIS_URL"), "Redis URL shared by replicas (env SMART90_REDIS_URL); empty = in-process, for a single replica")
	fs.StringVar(&c.RedisPrefix, "redis-prefix", cmp.Or(getenv("SMART90_REDIS_PREFIX"), "smart90:"), "prefix of every Redis key (env SMART90_REDIS_PREFIX)")
	fs.StringVar(&c.HTTPAddr, "http-addr", cmp.Or(getenv("SMART90_HTTP_ADDR"), ":8080"), "HTTP listen address (env SMART90_HTTP_ADDR)")
	fs.BoolVar(&c.Charts, "charts", getenv("SMART90_CHARTS") != "off", "draw charts in digests and briefs (env SMART90_CHARTS=off turns them off)")
	rate, err := envFloat(getenv, "SMART90_SEND_RATE", 20)
	if err != nil {
		return err
	}
	fs.Float64Var(&c.SendRate, "send-rate", rate, "messages per second per workspace, across all replicas (env SMART90_SEND_RATE)")
	apiRate, err := envFloat(getenv, "SMART90_API_RATE", 5)
	if err != nil || !(apiRate > 0) {
		return fmt.Errorf("SMART90_API_RATE: %q is not a positive number of requests per second", getenv("SMART90_API_RATE"))
	}
	fs.Float64Var(&c.APIRate, "api-rate", apiRate, "HTTP API requests per second per token, across all replicas (env SMART90_API_RATE)")
	apiBurst, err := envFloat(getenv, "SMART90_API_BURST", 20)
	if err != nil || apiBurst < 1 || apiBurst != float64(int(apiBurst)) {
		return fmt.Errorf("SMART90_API_BURST: %q is not a whole number of requests", getenv("SMART90_API_BURST"))
	}
	fs.IntVar(&c.APIBurst, "api-burst", int(apiBurst), "HTTP API requests a token may make at once (env SMART90_API_BURST)")
	grace, err := envDuration(getenv, "SMART90_GRACE", 3*time.Hour)
	if err != nil {
		return err
	}
	fs.DurationVar(&c.Grace, "grace", grace, "how late a prompt may still be sent after downtime; older ones are recorded as missed (env SMART90_GRACE)")
	fs.IntVar(&c.Workers, "workers", 8, "concurrent sends per replica")
	fs.DurationVar(&c.Shutdown, "shutdown-timeout", 30*time.Second, "how long a graceful stop may take")
	for _, d := range []struct {
		v                *time.Duration
		flag, env, usage string
		def              time.Duration
	}{
		{&c.Lease, "lease", "SMART90_LEASE", "how long a claimed delivery is reserved for its sender; a crashed replica's are sent by another after it (env SMART90_LEASE; default 2m, or -shutdown-timeout when longer)", 0},
		{&c.SendTimeout, "send-timeout", "SMART90_SEND_TIMEOUT", "bound on one send and one write of outcomes; -lease must be at least 3 times as long (env SMART90_SEND_TIMEOUT; default a third of -shutdown-timeout)", 0},
		{&c.RetryBase, "retry-base", "SMART90_RETRY_BASE", "first retry's delay after a transient send failure, doubled per attempt (env SMART90_RETRY_BASE; default 30s)", 0},
		{&c.RetryMax, "retry-max", "SMART90_RETRY_MAX", "longest delay between retries (env SMART90_RETRY_MAX; default 30m)", 0},
		{&c.Poll, "poll", "SMART90_POLL", "how often senders look for retries due between the minute's ticks (env SMART90_POLL)", 5 * time.Second},
	} {
		v, err := envDuration(getenv, d.env, d.def)
		if err != nil {
			return err
		}
		fs.DurationVar(d.v, d.flag, v, d.usage)
	}
	calMax, err := envFloat(getenv, "SMART90_CALENDAR_MAX_BYTES", ics.DefaultMaxBytes)
	if err != nil || calMax < 1 || calMax != float64(int64(calMax)) {
		return fmt.Errorf("SMART90_CALENDAR_MAX_BYTES: %q is not a whole number of bytes", getenv("SMART90_CALENDAR_MAX_BYTES"))
	}
	fs.Int64Var(&c.CalendarMaxBytes, "calendar-max-bytes", int64(calMax), "largest coach's calendar read, in bytes (env SMART90_CALENDAR_MAX_BYTES)")
	allowPrivate := false
	if v := getenv("SMART90_WEBHOOK_ALLOW_PRIVATE"); v != "" {
		if allowPrivate, err = strconv.ParseBool(v); err != nil {
			return fmt.Errorf("SMART90_WEBHOOK_ALLOW_PRIVATE: %q is not true or false", v)
		}
	}
	fs.BoolVar(&c.WebhookAllowPrivate, "webhook-allow-private", allowPrivate,
		"let webhooks be plain http and reach private, loopback and link-local addresses (env SMART90_WEBHOOK_ALLOW_PRIVATE)")
	fs.BoolVar(&c.DryRun, "dry-run", false, "log what would be sent instead of sending (try the scheduler, load tests)")
	fs.StringVar(&c.LogLevel, "log-level", cmp.Or(getenv("SMART90_LOG_LEVEL"), "info"), "log level: debug, info, warn, error (env SMART90_LOG_LEVEL)")
	fs.BoolVar(&c.LogText, "log-text", false, "log text instead of JSON")
	bindAwayWords(fs, getenv, &c.AwayWords)
	c.EncryptionKey = getenv("SMART90_ENCRYPTION_KEY")
	c.Slack = slackFromEnv(getenv)
	c.LLM = llmFromEnv(getenv)
	c.Pages = pagesFromEnv(getenv)
	c.Teams, err = teamsFromEnv(getenv)
	return err
}

// slackFromEnv reads the Slack app's configuration from the environment.
func slackFromEnv(getenv func(string) string) slackConfig {
	return slackConfig{BotToken: getenv("SLACK_BOT_TOKEN"), AppToken: getenv("SLACK_APP_TOKEN"), SigningSecret: getenv("SLACK_SIGNING_SECRET"), APIURL: getenv("SLACK_API_URL"),
		ClientID: getenv("SLACK_CLIENT_ID"), ClientSecret: getenv("SLACK_CLIENT_SECRET"), PublicURL: getenv("SMART90_PUBLIC_URL")}
}

// teamsFromEnv reads the Teams bot's configuration from the environment.
// It fails when SMART90_TEAMS_GRAPH_INSTALL is set to something other than
// true or false.
func teamsFromEnv(getenv func(string) string) (teamsConfig, error) {
	c := teamsConfig{AppID: getenv("MICROSOFT_APP_ID"), AppPassword: getenv("MICROSOFT_APP_PASSWORD"), TenantID: getenv("MICROSOFT_APP_TENANT_ID"),
		OpenIDMetadataURL: getenv("SMART90_TEAMS_OPENID_METADATA_URL"), TokenURL: getenv("SMART90_TEAMS_TOKEN_URL"), ServiceURLs: getenv("SMART90_TEAMS_SERVICE_URLS"),
		GraphURL: getenv("SMART90_TEAMS_GRAPH_URL")}
	if v := getenv("SMART90_TEAMS_GRAPH_INSTALL"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("SMART90_TEAMS_GRAPH_INSTALL: %q is not true or false", v)
		}
		c.GraphInstall = b
	}
	if v := getenv("SMART90_TEAMS_PRESENCE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("SMART90_TEAMS_PRESENCE: %q is not true or false", v)
		}
		c.NoPresence = !b
	}
	return c, nil
}

// envFloat reads the number in the environment variable name, or def
// when it is unset.
func envFloat(getenv func(string) string, name string, def float64) (float64, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a number", name, v)
	}
	return f, nil
}

// envDuration reads the duration in the environment variable name, or
// def when it is unset.
func envDuration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a duration like 3h or 90m", name, v)
	}
	return d, nil
}

// validate checks the whole configuration before anything starts and
// returns every problem it finds, joined, so one failed start names all
// there is to fix. Limits a part's own constructor checks (the send rate,
// a Redis URL) are left to it.
func (c *serveConfig) validate() error {
	var errs []error
	if c.Grace <= 0 || c.Workers <= 0 || c.Shutdown <= 0 || c.Poll <= 0 {
		errs = append(errs, errors.New("-grace, -workers, -shutdown-timeout and -poll must be positive"))
	}
	if c.Lease < 0 || c.SendTimeout < 0 || c.RetryBase < 0 || c.RetryMax < 0 {
		errs = append(errs, errors.New("-lease, -send-timeout, -retry-base and -retry-max must not be negative"))
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		errs = append(errs, err)
	}
	if c.EncryptionKey != "" {
		if _, err := seal.ParseKey(c.EncryptionKey); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Slack.enabled() {
		errs = append(errs, c.Slack.problems(c.EncryptionKey != "")...)
	}
	if c.Teams.AppID != "" {
		errs = append(errs, c.Teams.problems()...)
	}
	errs = append(errs, c.LLM.problems()...)
	errs = append(errs, c.Pages.problems()...)
	if !c.DryRun && !c.Slack.enabled() && c.Teams.AppID == "" {
		errs = append(errs, errors.New("no chat platform is configured: set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Slack) or MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD (Teams), see README; or run with -dry-run to try the scheduler"))
	}
	return errors.Join(errs...)
}

// problems lists what an enabled Slack configuration lacks; sealing says
// whether SMART90_ENCRYPTION_KEY is set.
func (c slackConfig) problems(sealing bool) []error {
	var errs []error
	if c.ClientID != "" && (c.ClientSecret == "" || c.PublicURL == "") {
		errs = append(errs, errors.New("the multi-workspace install (SLACK_CLIENT_ID) needs SLACK_CLIENT_SECRET and SMART90_PUBLIC_URL too"))
	}
	if c.ClientID != "" && !sealing {
		errs = append(errs, errors.New("installed workspaces' tokens are stored encrypted: set SMART90_ENCRYPTION_KEY (openssl rand -base64 32)"))
	}
	if c.AppToken != "" && c.BotToken == "" && c.ClientID == "" {
		errs = append(errs, errors.New("Socket Mode (SLACK_APP_TOKEN) needs the workspace's SLACK_BOT_TOKEN too"))
	}
	if c.AppToken == "" && c.SigningSecret == "" {
		errs = append(errs, errors.New("set SLACK_APP_TOKEN for Socket Mode, or SLACK_SIGNING_SECRET to receive Slack's requests on /slack/events"))
	}
	return errs
}

// problems lists what a Teams configuration with an app id lacks.
func (c teamsConfig) problems() []error {
	var errs []error
	if c.AppPassword == "" {
		errs = append(errs, errors.New("the Teams bot (MICROSOFT_APP_ID) needs its MICROSOFT_APP_PASSWORD too"))
	}
	if _, err := teamsadapter.ParseServiceURLs(c.ServiceURLs); err != nil {
		errs = append(errs, fmt.Errorf("SMART90_TEAMS_SERVICE_URLS: %w", err))
	}
	if c.GraphInstall && c.TenantID == "" {
		errs = append(errs, errors.New("SMART90_TEAMS_GRAPH_INSTALL needs MICROSOFT_APP_TENANT_ID: Graph tokens come from the tenant's endpoint"))
	}
	return errs
}
