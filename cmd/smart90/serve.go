package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	slackadapter "github.com/smart90/smart90/adapters/slack"
	teamsadapter "github.com/smart90/smart90/adapters/teams"
	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/scheduler"
	"github.com/smart90/smart90/store/inproc"
	"github.com/smart90/smart90/store/redis"
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

	// EncryptionKey encrypts bot tokens at rest (SMART90_ENCRYPTION_KEY).
	EncryptionKey string
	Slack         slackConfig
	Teams         teamsConfig
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

func (c slackConfig) enabled() bool {
	return c.BotToken != "" || c.AppToken != "" || c.SigningSecret != ""
}

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
	fs.BoolVar(&c.DryRun, "dry-run", false, "log what would be sent instead of sending (try the scheduler, load tests)")
	fs.StringVar(&c.LogLevel, "log-level", cmp.Or(getenv("SMART90_LOG_LEVEL"), "info"), "log level: debug, info, warn, error (env SMART90_LOG_LEVEL)")
	fs.BoolVar(&c.LogText, "log-text", false, "log text instead of JSON")
	c.EncryptionKey = getenv("SMART90_ENCRYPTION_KEY")
	c.Slack = slackConfig{BotToken: getenv("SLACK_BOT_TOKEN"), AppToken: getenv("SLACK_APP_TOKEN"), SigningSecret: getenv("SLACK_SIGNING_SECRET"), APIURL: getenv("SLACK_API_URL"),
		ClientID: getenv("SLACK_CLIENT_ID"), ClientSecret: getenv("SLACK_CLIENT_SECRET"), PublicURL: getenv("SMART90_PUBLIC_URL")}
	c.Teams = teamsConfig{AppID: getenv("MICROSOFT_APP_ID"), AppPassword: getenv("MICROSOFT_APP_PASSWORD"), TenantID: getenv("MICROSOFT_APP_TENANT_ID"),
		OpenIDMetadataURL: getenv("SMART90_TEAMS_OPENID_METADATA_URL"), TokenURL: getenv("SMART90_TEAMS_TOKEN_URL"), ServiceURLs: getenv("SMART90_TEAMS_SERVICE_URLS"),
		GraphURL: getenv("SMART90_TEAMS_GRAPH_URL")}
	if v := getenv("SMART90_TEAMS_GRAPH_INSTALL"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("SMART90_TEAMS_GRAPH_INSTALL: %q is not true or false", v)
		}
		c.Teams.GraphInstall = b
	}
	return nil
}

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

// coordination is what replicas share in memory: conversation state, the
// outbound rate limiter, and the one-time OAuth install states (Deduper).
// Inbound events are de-duplicated in the database (bot.EventLog), which
// keeps its records when Redis restarts or is down.
type coordination struct {
	State   bot.ConversationState
	Deduper bot.Deduper
	Limiter bot.RateLimiter
	Ping    func(context.Context) error // nil when there is nothing to reach
	Close   func() error
	// Fallback paces this replica at its share of the rate while Redis
	// does not answer; nil for in-process coordination, which has no
	// share to keep.
	Fallback *inproc.Fallback
}

// openCoordination returns the in-process implementations when url is
// empty. Otherwise it returns Redis's, with the rate limiter behind an
// in-process fallback, and it starts even when Redis does not answer:
// Redis is an optimisation, and a replica that restarts during a Redis
// outage still serves (degraded, as /readyz says). Only a URL that cannot
// be read is an error.
func openCoordination(ctx context.Context, url, prefix string, clock bot.Clock, m *coordMetrics, log *slog.Logger) (*coordination, error) {
	if url == "" {
		return &coordination{State: inproc.NewState(clock), Deduper: inproc.NewDeduper(clock),
			Limiter: inproc.NewRateLimiter(clock), Close: func() error { return nil }}, nil
	}
	c, err := redis.New(url, redis.WithKeyPrefix(prefix))
	if err != nil {
		return nil, fmt.Errorf("open Redis: %w", err)
	}
	m.redisUp.Set(1)
	if err := c.Ping(ctx); err != nil {
		m.redisUp.Set(0)
		log.Error("Redis does not answer; serving without it until it does (sends paced per replica)", "err", err)
	}
	fb, err := inproc.NewFallback(inproc.FallbackConfig{Primary: c, Clock: clock,
		OnSwitch: func(primary bool, err error) {
			if primary {
				m.localPacing.Set(0)
				log.Info("rate limiter: Redis answers again; sends paced across replicas")
				return
			}
			m.localPacing.Set(1)
			log.Warn("rate limiter: Redis does not answer; each replica paces its share of the rate", "err", err)
		}})
	if err != nil {
		return nil, err
	}
	return &coordination{State: c, Deduper: c, Limiter: fb, Ping: c.Ping, Close: c.Close, Fallback: fb}, nil
}

// coordMetrics are the metrics of coordination between replicas.
type coordMetrics struct {
	redisUp      prometheus.Gauge
	localPacing  prometheus.Gauge
	liveReplicas prometheus.Gauge
	pauses       prometheus.Counter
}

// newCoordMetrics registers the coordination metrics with reg; the Redis
// ones only when Redis is used, so that a single replica's metrics do not
// report a Redis it does not have as down.
func newCoordMetrics(reg prometheus.Registerer, redis bool) *coordMetrics {
	m := &coordMetrics{
		redisUp: prometheus.NewGauge(prometheus.GaugeOpts{Name: "smart90_redis_up",
			Help: "1 when Redis answered the last check, 0 when it did not (the service goes on without it, degraded)."}),
		localPacing: prometheus.NewGauge(prometheus.GaugeOpts{Name: "smart90_rate_limiter_local",
			Help: "1 while this replica paces sends in-process at its share of the rate because Redis does not answer."}),
		liveReplicas: prometheus.NewGauge(prometheus.GaugeOpts{Name: "smart90_replicas_live",
			Help: "Replicas with a live heartbeat in the database, as this replica last saw them."}),
		pauses: prometheus.NewCounter(prometheus.CounterOpts{Name: "smart90_rate_limit_pauses_total",
			Help: "Times a platform's Retry-After paused a workspace's sends."}),
	}
	reg.MustRegister(m.liveReplicas, m.pauses)
	if redis {
		reg.MustRegister(m.redisUp, m.localPacing)
	}
	return m
}

// runServe runs the service: the scheduler and its senders, and the HTTP
// server with health, readiness and metrics, until ctx is done.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg serveConfig
	if err := cfg.bind(fs, getenv); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}
	if cfg.Grace <= 0 || cfg.Workers <= 0 || cfg.Shutdown <= 0 || cfg.Poll <= 0 {
		return errors.New("-grace, -workers, -shutdown-timeout and -poll must be positive")
	}
	if cfg.Lease < 0 || cfg.SendTimeout < 0 || cfg.RetryBase < 0 || cfg.RetryMax < 0 {
		return errors.New("-lease, -send-timeout, -retry-base and -retry-max must not be negative")
	}
	log, err := newLogger(stderr, cfg.LogLevel, !cfg.LogText)
	if err != nil {
		return err
	}
	clock := bot.SystemClock{}

	// Start-up talks to the database and Redis; it is not cut short by
	// the stop signal halfway, only bounded.
	startCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	store, err := openStore(startCtx, cfg.store, log)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := checkSealedTokens(startCtx, store, cfg.EncryptionKey); err != nil {
		return err
	}
	if cfg.EncryptionKey != "" {
		key, err := seal.ParseKey(cfg.EncryptionKey)
		if err != nil {
			return err
		}
		sl, err := seal.New(key)
		if err != nil {
			return err
		}
		store = seal.Store(store, sl)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := scheduler.NewMetrics(reg)
	coordM := newCoordMetrics(reg, cfg.RedisURL != "")
	coord, err := openCoordination(startCtx, cfg.RedisURL, cfg.RedisPrefix, clock, coordM, log)
	if err != nil {
		return err
	}
	defer coord.Close()

	var out bot.Messenger
	var slackOut *slackadapter.Messenger
	if cfg.Slack.enabled() {
		switch {
		case cfg.Slack.ClientID != "" && (cfg.Slack.ClientSecret == "" || cfg.Slack.PublicURL == ""):
			return errors.New("the multi-workspace install (SLACK_CLIENT_ID) needs SLACK_CLIENT_SECRET and SMART90_PUBLIC_URL too")
		case cfg.Slack.ClientID != "" && cfg.EncryptionKey == "":
			return errors.New("installed workspaces' tokens are stored encrypted: set SMART90_ENCRYPTION_KEY (openssl rand -base64 32)")
		case cfg.Slack.AppToken != "" && cfg.Slack.BotToken == "" && cfg.Slack.ClientID == "":
			return errors.New("Socket Mode (SLACK_APP_TOKEN) needs the workspace's SLACK_BOT_TOKEN too")
		case cfg.Slack.AppToken == "" && cfg.Slack.SigningSecret == "":
			return errors.New("set SLACK_APP_TOKEN for Socket Mode, or SLACK_SIGNING_SECRET to receive Slack's requests on /slack/events")
		}
		mc := slackadapter.MessengerConfig{APIURL: cfg.Slack.APIURL, BotToken: cfg.Slack.BotToken}
		if cfg.Slack.BotToken != "" {
			// The single workspace: known, and installed, from the start.
			team, name, err := slackadapter.Identify(startCtx, mc)
			if err != nil {
				return err
			}
			mc.BotTeam = team
			inst := &bot.Installation{Platform: bot.PlatformSlack, ExternalID: team, Name: name, Status: bot.InstallationActive}
			if old, err := store.InstallationByExternalID(startCtx, bot.PlatformSlack, team); err == nil {
				inst.BotToken = old.BotToken
				if old.Status == inst.Status && old.Name == name {
					inst = nil // nothing changed
				}
			}
			if inst != nil {
				inst.UpdatedAt = clock.Now().UTC()
				if err := store.UpsertInstallation(startCtx, inst); err != nil {
					return fmt.Errorf("record the Slack workspace: %w", err)
				}
			}
			log.Info("slack workspace", "team", team, "name", name)
		}
		slackOut = slackadapter.NewMessenger(mc)
	}
	var teamsOut *teamsadapter.Messenger
	var teamsAuth *teamsadapter.Authenticator
	var teamsURLs teamsadapter.ServiceURLs
	if cfg.Teams.AppID != "" {
		if cfg.Teams.AppPassword == "" {
			return errors.New("the Teams bot (MICROSOFT_APP_ID) needs its MICROSOFT_APP_PASSWORD too")
		}
		if teamsURLs, err = teamsadapter.ParseServiceURLs(cfg.Teams.ServiceURLs); err != nil {
			return fmt.Errorf("SMART90_TEAMS_SERVICE_URLS: %w", err)
		}
		creds := teamsadapter.CredentialsConfig{AppID: cfg.Teams.AppID, AppPassword: cfg.Teams.AppPassword,
			TenantID: cfg.Teams.TenantID, TokenURL: cfg.Teams.TokenURL}
		mc := teamsadapter.MessengerConfig{Store: store, Clock: clock, Logger: log, Files: coord.State,
			Connector: teamsadapter.ConnectorConfig{Tokens: creds.TokenSource(context.WithoutCancel(ctx)), ServiceURLs: teamsURLs}}
		if cfg.Teams.GraphInstall {
			if cfg.Teams.TenantID == "" {
				return errors.New("SMART90_TEAMS_GRAPH_INSTALL needs MICROSOFT_APP_TENANT_ID: Graph tokens come from the tenant's endpoint")
			}
			graph := creds
			graph.Scope = teamsadapter.GraphScope // the same token endpoint, another audience
			mc.Graph = &teamsadapter.GraphConfig{Tokens: graph.TokenSource(context.WithoutCancel(ctx)), URL: cfg.Teams.GraphURL, AppID: cfg.Teams.AppID}
		}
		teamsOut, err = teamsadapter.NewMessenger(mc)
		if err != nil {
			return err
		}
		teamsAuth, err = teamsadapter.NewAuthenticator(teamsadapter.AuthConfig{AppID: cfg.Teams.AppID,
			OpenIDMetadataURL: cfg.Teams.OpenIDMetadataURL, Logger: log})
		if err != nil {
			return err
		}
	}
	switch {
	case cfg.DryRun:
		out = &dryRun{log: log}
	case slackOut != nil || teamsOut != nil:
		p := platforms{}
		if slackOut != nil {
			p[bot.PlatformSlack] = slackOut
		}
		if teamsOut != nil {
			p[bot.PlatformTeams] = teamsOut
		}
		out = p
	default:
		return errors.New("no chat platform is configured: set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Slack) or MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD (Teams), see README; or run with -dry-run to try the scheduler")
	}
	out, err = bot.Pace(out, bot.PaceConfig{Limiter: coord.Limiter, Rate: cfg.SendRate,
		OnWait:  func(d time.Duration) { metrics.RateLimitWait.Observe(d.Seconds()) },
		OnPause: onPause(coordM, log)})
	if err != nil {
		return fmt.Errorf("-send-rate: %w", err)
	}
	core, err := bot.New(bot.Config{Store: store, Messenger: out, State: coord.State, Clock: clock, Logger: log, NoCharts: !cfg.Charts})
	if err != nil {
		return err
	}
	sched, err := scheduler.New(scheduler.Config{Store: store, Deliverer: core, Clock: clock, Logger: log,
		Metrics: metrics, Grace: cfg.Grace, Workers: cfg.Workers,
		// A send, the write of its outcome and a release fit in the
		// graceful stop's bound.
		SendTimeout: cmp.Or(cfg.SendTimeout, max(cfg.Shutdown/3, time.Second)), Lease: cmp.Or(cfg.Lease, max(2*time.Minute, cfg.Shutdown)),
		RetryBase: cfg.RetryBase, RetryMax: cfg.RetryMax})
	if err != nil {
		return err
	}

	var stopping atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	redisOK := redisCheck(coord.Ping, coordM, log)
	mux.Handle("GET /readyz", readiness(&stopping, store.Ping, redisOK))
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	var slackApp *slackadapter.Adapter
	if slackOut != nil {
		slackApp, err = slackadapter.New(slackadapter.Config{Handler: core, Store: store, Messenger: slackOut,
			Deduper: coord.Deduper, SigningSecret: cfg.Slack.SigningSecret, Clock: clock, Logger: log})
		if err != nil {
			return err
		}
		if cfg.Slack.SigningSecret != "" {
			slackApp.Routes(mux)
		}
		if cfg.Slack.ClientID != "" {
			err := slackApp.InstallRoutes(mux, slackadapter.OAuthConfig{ClientID: cfg.Slack.ClientID, ClientSecret: cfg.Slack.ClientSecret,
				RedirectURL: strings.TrimSuffix(cfg.Slack.PublicURL, "/") + "/slack/oauth_redirect", States: coord.State, Limiter: coord.Limiter})
			if err != nil {
				return err
			}
		}
	}
	var teamsApp *teamsadapter.Adapter
	if teamsOut != nil {
		teamsApp, err = teamsadapter.New(teamsadapter.Config{Handler: core, Store: store, Messenger: teamsOut, Auth: teamsAuth,
			ServiceURLs: teamsURLs, Clock: clock, Logger: log})
		if err != nil {
			return err
		}
		teamsApp.Routes(mux)
		log.Info("teams bot on /api/messages", "app_id", cfg.Teams.AppID, "tenant", cfg.Teams.TenantID)
	}

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	httpDone := make(chan error, 1)
	go func() { httpDone <- srv.Serve(ln) }()

	coordName, storeName := "in-process", "sqlite "+cfg.store.SQLitePath
	if cfg.RedisURL != "" {
		coordName = "redis"
	}
	if cfg.store.DatabaseURL != "" {
		storeName = "postgres"
	}
	fmt.Fprintf(stdout, "smart90 serve: listening on %s (store: %s, coordination: %s, dry run: %v)\n",
		ln.Addr(), storeName, coordName, cfg.DryRun)
	log.Info("serving", "addr", ln.Addr().String(), "store", strings.Fields(storeName)[0], "coordination", coordName)

	// A fatal error of one part stops the others gracefully.
	ctx, stopAll := context.WithCancel(ctx)
	defer stopAll()
	schedDone := make(chan error, 1)
	go func() { schedDone <- sched.Run(ctx, cfg.Poll) }()
	loops := startLoops(ctx, store, coord.Fallback, redisOK, coordM, clock, log)
	socketDone := make(chan error, 1)
	if slackApp != nil && cfg.Slack.AppToken != "" {
		go func() {
			socketDone <- slackApp.RunSocketMode(ctx, slackadapter.SocketModeConfig{
				AppToken: cfg.Slack.AppToken, BotToken: cfg.Slack.BotToken, APIURL: cfg.Slack.APIURL})
		}()
		log.Info("slack socket mode on")
	}

	var runErr error
	select {
	case <-ctx.Done():
	case err := <-httpDone:
		runErr = fmt.Errorf("http server: %w", err)
	case err := <-socketDone:
		runErr = err
	}
	stopAll()
	// Graceful stop: say not ready, stop claiming, let sends under way
	// finish or release, then close the HTTP server.
	stopping.Store(true)
	log.Info("stopping", "timeout", cfg.Shutdown)
	deadline := time.NewTimer(cfg.Shutdown)
	defer deadline.Stop()
	select {
	case <-schedDone:
	case <-deadline.C:
		log.Warn("scheduler did not stop in time; its leases will expire and another replica takes over")
	}
	loops.stop(context.WithoutCancel(ctx))
	shutCtx, cancelShut := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancelShut()
	if err := srv.Shutdown(shutCtx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	if slackApp != nil {
		if cfg.Slack.AppToken != "" && runErr == nil {
			<-socketDone // the socket loop starts no more work
		}
		slackApp.Wait() // replies already acknowledged to Slack go out
	}
	if teamsApp != nil {
		teamsApp.Wait() // and those acknowledged to Teams
	}
	log.Info("stopped")
	return runErr
}

// readiness reports whether to send this replica inbound traffic: 200
// while the database answers, 503 with what failed when it does not, and
// 503 once the service is stopping, so a load balancer stops sending it
// work. Redis (nil when not used) is reported but never makes the replica
// unready: without it sends are paced per replica and events
// de-duplicated in the database, and taking every replica out of the load
// balancer would drop the platforms' requests the database could serve.
func readiness(stopping *atomic.Bool, database, redis func(context.Context) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		status := map[string]string{"database": "ok"}
		ok := !stopping.Load()
		if !ok {
			status["service"] = "stopping"
		}
		if err := database(ctx); err != nil {
			status["database"], ok = "unreachable", false
		}
		if redis != nil {
			status["redis"] = "ok"
			// The cause is logged, not shown: this route is as public as
			// /slack/events, and network errors name internal addresses.
			if err := redis(ctx); err != nil {
				status["redis"] = "degraded: unreachable; sends are paced per replica"
			}
		}
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(status)
	})
}

// redisCheck wraps ping (nil when Redis is not used) so that every check
// sets smart90_redis_up and logs when Redis goes away or comes back.
func redisCheck(ping func(context.Context) error, m *coordMetrics, log *slog.Logger) func(context.Context) error {
	if ping == nil {
		return nil
	}
	var mu sync.Mutex
	up := true
	return func(ctx context.Context) error {
		err := ping(ctx)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil && ctx.Err() != nil:
			// The caller gave up (a probe's client went away): no news.
		case err != nil:
			m.redisUp.Set(0)
			if up {
				log.Warn("Redis does not answer; serving degraded", "err", err)
			}
			up = false
		default:
			m.redisUp.Set(1)
			if !up {
				log.Info("Redis answers again")
			}
			up = true
		}
		return err
	}
}

// onPause logs and counts the pauses a platform's Retry-After asks for.
func onPause(m *coordMetrics, log *slog.Logger) func(key string, d time.Duration, err error) {
	return func(key string, d time.Duration, err error) {
		m.pauses.Inc()
		if err != nil {
			log.Warn("platform asked to wait; the pause holds on this replica only", "key", key, "retry_after", d, "err", err)
			return
		}
		log.Info("platform asked to wait; workspace paused", "key", key, "retry_after", d)
	}
}

// Background loops' periods.
const (
	// heartbeatEvery is how often a replica says it is alive, and
	// heartbeatTTL how long that lasts: a replica that died stops counting
	// towards the live replicas (and the others' share of the rate rises)
	// after at most heartbeatTTL.
	heartbeatEvery = 10 * time.Second
	heartbeatTTL   = 30 * time.Second
	// redisCheckEvery is how often smart90_redis_up is refreshed between
	// readiness probes.
	redisCheckEvery = 5 * time.Second
	// pruneEvery is how often the inbound events whose record expired are
	// deleted (they are kept a day; a few minutes late costs nothing).
	pruneEvery = 5 * time.Minute
)

// loops are the background loops of serve; stop ends them.
type loops struct {
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	store     bot.ReplicaStore
	replicaID string
	log       *slog.Logger
}

// startLoops starts the background loops until ctx is done or stop: the
// replica's heartbeat (the live count sets fb's share of the rate; fb is
// nil without Redis), redisOK (nil without Redis) behind smart90_redis_up,
// and pruning expired inbound events.
func startLoops(ctx context.Context, store bot.Store, fb *inproc.Fallback, redisOK func(context.Context) error,
	m *coordMetrics, clock bot.Clock, log *slog.Logger) *loops {
	ctx, cancel := context.WithCancel(ctx)
	l := &loops{cancel: cancel, store: store, replicaID: rand.Text(), log: log}
	beat := func(ctx context.Context) {
		live, err := store.Heartbeat(ctx, l.replicaID, clock.Now().UTC(), heartbeatTTL)
		if err != nil {
			// The last count stands: the database being down stops
			// sending anyway.
			log.WarnContext(ctx, "replica heartbeat", "err", err)
			return
		}
		m.liveReplicas.Set(float64(live))
		if fb != nil {
			fb.SetLive(live)
		}
	}
	l.wg.Go(func() { every(ctx, heartbeatEvery, beat) })
	if redisOK != nil {
		l.wg.Go(func() {
			every(ctx, redisCheckEvery, func(ctx context.Context) {
				ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
				defer cancel()
				_ = redisOK(ctx) // logged and counted by redisOK
			})
		})
	}
	l.wg.Go(func() {
		every(ctx, pruneEvery, func(ctx context.Context) {
			n, err := store.PruneEvents(ctx, clock.Now().UTC())
			switch {
			case err != nil:
				log.WarnContext(ctx, "prune inbound events", "err", err)
			case n > 0:
				log.DebugContext(ctx, "pruned inbound events", "n", n)
			}
		})
	})
	return l
}

// stop ends the loops and takes the replica out of the live count, so that
// the others' share of the rate rises at once rather than when its
// heartbeat runs out.
func (l *loops) stop(ctx context.Context) {
	l.cancel()
	l.wg.Wait()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := l.store.LeaveReplica(ctx, l.replicaID); err != nil {
		l.log.Warn("leave the replicas", "err", err)
	}
}

// every runs f now and then every d until ctx is done.
func every(ctx context.Context, d time.Duration, f func(context.Context)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		f(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// platforms sends each message through its installation's platform.
type platforms map[bot.Platform]bot.Messenger

func (p platforms) Send(ctx context.Context, to bot.Destination, m bot.Message) (string, error) {
	if to.Installation == nil {
		return "", fmt.Errorf("send: no installation")
	}
	next, ok := p[to.Installation.Platform]
	if !ok {
		return "", bot.Errorf(bot.EFORBIDDEN, "smart90 is not connected to %s here.", to.Installation.Platform)
	}
	return next.Send(ctx, to, m)
}

// Sent asks the installation's platform, when it can look (Slack), whether
// a retried prompt is already in the conversation.
func (p platforms) Sent(ctx context.Context, to bot.Destination, m bot.Message, since time.Time) (bot.Receipt, error) {
	if to.Installation == nil {
		return bot.Receipt{}, bot.ErrCannotCheck
	}
	chk, ok := p[to.Installation.Platform].(bot.SentChecker)
	if !ok {
		return bot.Receipt{}, bot.ErrCannotCheck
	}
	return chk.Sent(ctx, to, m, since)
}

// dryRun is a Messenger that logs what it would send.
type dryRun struct {
	log *slog.Logger
	n   atomic.Int64
}

func (d *dryRun) Send(ctx context.Context, to bot.Destination, m bot.Message) (string, error) {
	ref := "dry-run-" + strconv.FormatInt(d.n.Add(1), 10)
	if d.log.Enabled(ctx, slog.LevelDebug) {
		first, _, _ := strings.Cut(m.Text, "\n")
		d.log.DebugContext(ctx, "dry run: would send", "user", to.UserID, "channel", to.Channel, "thread", to.ThreadRef, "text", first, "ref", ref)
	}
	return ref, nil
}
