package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	slackadapter "github.com/smart90/smart90/adapters/slack"
	teamsadapter "github.com/smart90/smart90/adapters/teams"
	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/ics"
	"github.com/smart90/smart90/scheduler"
	"github.com/smart90/smart90/store/seal"
)

// runServe runs the service: the scheduler and its senders, and the HTTP
// server with health, readiness and metrics, until ctx is done. It reads
// the configuration, validates all of it at once, builds the parts and
// runs them.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, err := parseServe(args, stderr, getenv)
	if err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	log, err := newLogger(stderr, cfg.LogLevel, !cfg.LogText)
	if err != nil {
		return err
	}
	// Start-up talks to the database and Redis; it is not cut short by
	// the stop signal halfway, only bounded.
	startCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	s, err := buildServer(ctx, startCtx, cfg, log)
	if err != nil {
		return err
	}
	defer s.close()
	return s.run(ctx, stdout)
}

// parseServe reads serve's flags, with defaults from the environment.
func parseServe(args []string, stderr io.Writer, getenv func(string) string) (serveConfig, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg serveConfig
	if err := cfg.bind(fs, getenv); err != nil {
		return cfg, err
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}
	return cfg, nil
}

// server is serve's parts, built from a validated configuration: the
// store, the coordination between replicas, the core and its scheduler,
// the HTTP routes and the platforms' adapters behind them.
type server struct {
	cfg   serveConfig
	log   *slog.Logger
	clock bot.Clock

	store    bot.Store
	coord    *coordination
	coordM   *coordMetrics
	reg      *prometheus.Registry
	metrics  *scheduler.Metrics
	core     *bot.Bot
	sched    *scheduler.Scheduler
	mux      *http.ServeMux
	redisOK  func(context.Context) error // nil without Redis
	stopping atomic.Bool                 // set once the graceful stop begins: /readyz says 503

	slack   *slackadapter.Adapter // nil when Slack is not configured
	teams   *teamsadapter.Adapter // nil when Teams is not configured
	closers []func() error        // run in reverse by close
}

// buildServer opens and wires serve's parts. startCtx bounds the start-up's
// calls to the database, Redis and the platforms; ctx is the service's
// life, which the Teams token sources outlive only by being detached from
// it. On failure it closes what it opened.
func buildServer(ctx, startCtx context.Context, cfg serveConfig, log *slog.Logger) (*server, error) {
	s := &server{cfg: cfg, log: log, clock: bot.SystemClock{}}
	if err := s.build(ctx, startCtx); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// build runs the start-up steps in order.
func (s *server) build(ctx, startCtx context.Context) error {
	if err := s.openStore(startCtx); err != nil {
		return err
	}
	if err := s.openCoordination(startCtx); err != nil {
		return err
	}
	out, slackOut, teamsOut, err := s.outbound(ctx, startCtx)
	if err != nil {
		return err
	}
	if err := s.buildCore(out); err != nil {
		return err
	}
	return s.routes(slackOut, teamsOut)
}

// openStore opens the store, refuses sealed tokens without their key, and
// seals tokens at rest when a key is set.
func (s *server) openStore(ctx context.Context) error {
	store, err := openStore(ctx, s.cfg.store, s.log, s.clock)
	if err != nil {
		return err
	}
	s.store = store
	s.closers = append(s.closers, store.Close)
	if err := checkSealedTokens(ctx, store, s.cfg.EncryptionKey); err != nil {
		return err
	}
	if s.cfg.EncryptionKey == "" {
		s.store = calendarsNeedKey{store}
		return nil
	}
	key, err := seal.ParseKey(s.cfg.EncryptionKey)
	if err != nil {
		return err
	}
	sl, err := seal.New(key)
	if err != nil {
		return err
	}
	s.store = seal.Store(store, sl)
	return nil
}

// openCoordination registers the metrics and opens what replicas share.
func (s *server) openCoordination(ctx context.Context) error {
	s.reg = prometheus.NewRegistry()
	s.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.metrics = scheduler.NewMetrics(s.reg)
	s.coordM = newCoordMetrics(s.reg, s.cfg.RedisURL != "")
	coord, err := openCoordination(ctx, s.cfg.RedisURL, s.cfg.RedisPrefix, s.clock, s.coordM, s.log)
	if err != nil {
		return err
	}
	s.coord = coord
	s.closers = append(s.closers, coord.Close)
	s.redisOK = redisCheck(coord.Ping, s.coordM, s.log)
	return nil
}

// outbound builds each configured platform's messenger and the paced
// messenger the core sends through (the log in a dry run).
func (s *server) outbound(ctx, startCtx context.Context) (bot.Messenger, *slackadapter.Messenger, *teamsParts, error) {
	var slackOut *slackadapter.Messenger
	if s.cfg.Slack.enabled() {
		var err error
		if slackOut, err = newSlackMessenger(startCtx, s.cfg.Slack, s.store, s.clock, s.log); err != nil {
			return nil, nil, nil, err
		}
	}
	var teams *teamsParts
	if s.cfg.Teams.AppID != "" {
		var err error
		if teams, err = newTeamsParts(ctx, s.cfg.Teams, s.store, s.coord.State, s.clock, s.log); err != nil {
			return nil, nil, nil, err
		}
	}
	out := s.chooseMessenger(slackOut, teams)
	out, err := bot.Pace(out, bot.PaceConfig{Limiter: s.coord.Limiter, Rate: s.cfg.SendRate,
		OnWait:  func(d time.Duration) { s.metrics.RateLimitWait.Observe(d.Seconds()) },
		OnPause: onPause(s.coordM, s.log)})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("-send-rate: %w", err)
	}
	return out, slackOut, teams, nil
}

// chooseMessenger returns the dry run's logger, or the platforms that are
// configured; validate made sure there is one of them.
func (s *server) chooseMessenger(slackOut *slackadapter.Messenger, teams *teamsParts) bot.Messenger {
	if s.cfg.DryRun {
		return &dryRun{log: s.log}
	}
	p := platforms{}
	if slackOut != nil {
		p[bot.PlatformSlack] = slackOut
	}
	if teams != nil {
		p[bot.PlatformTeams] = teams.out
	}
	return p
}

// buildCore builds the core and its scheduler.
func (s *server) buildCore(out bot.Messenger) error {
	summarizer, err := s.cfg.LLM.summarizer(s.log)
	if err != nil {
		return err
	}
	core, err := bot.New(bot.Config{Store: s.store, Messenger: out, State: s.coord.State, Clock: s.clock, Logger: s.log, NoCharts: !s.cfg.Charts,
		Summarizer: summarizer, AwayWords: s.cfg.AwayWords, WebhookAllowPrivate: s.cfg.WebhookAllowPrivate,
		PublicURL: s.cfg.Slack.PublicURL})
	if err != nil {
		return err
	}
	s.core = core
	s.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "smart90_webhook_events_unqueued_total",
		Help: "Webhook events that could not be queued (each logged); the commands they describe worked."},
		func() float64 { return float64(core.WebhookEmitFailures()) }))
	s.sched, err = scheduler.New(scheduler.Config{Store: s.store, Deliverer: core, Clock: s.clock, Logger: s.log,
		Metrics: s.metrics, Grace: s.cfg.Grace, Workers: s.cfg.Workers,
		// A send, the write of its outcome and a release fit in the
		// graceful stop's bound.
		SendTimeout: cmp.Or(s.cfg.SendTimeout, max(s.cfg.Shutdown/3, time.Second)), Lease: cmp.Or(s.cfg.Lease, max(2*time.Minute, s.cfg.Shutdown)),
		RetryBase: s.cfg.RetryBase, RetryMax: s.cfg.RetryMax})
	return err
}

// close closes what build opened, the last opened first.
func (s *server) close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
}

// run serves HTTP, runs the scheduler, the background loops and Slack's
// Socket Mode until ctx is done or one of them fails, then stops them
// gracefully. It announces the listening address on stdout.
func (s *server) run(ctx context.Context, stdout io.Writer) error {
	ln, err := net.Listen("tcp", s.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: s.mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	httpDone := make(chan error, 1)
	go func() { httpDone <- srv.Serve(ln) }()
	s.announce(stdout, ln.Addr())

	// A fatal error of one part stops the others gracefully.
	ctx, stopAll := context.WithCancel(ctx)
	defer stopAll()
	schedDone := make(chan error, 1)
	go func() { schedDone <- s.sched.Run(ctx, s.cfg.Poll) }()
	loops := startLoops(ctx, s.store, s.coord.Fallback, s.redisOK, s.coordM, s.clock, s.log)
	loops.readCalendars(ctx, &bot.CalendarSyncer{Bot: s.core, HTTP: ics.PublicClient(), MaxBytes: s.cfg.CalendarMaxBytes})
	loops.sendWebhooks(ctx, &bot.WebhookSender{Bot: s.core, AllowPrivate: s.cfg.WebhookAllowPrivate})
	socketDone := s.startSocketMode(ctx)

	var runErr error
	select {
	case <-ctx.Done():
	case err := <-httpDone:
		runErr = fmt.Errorf("http server: %w", err)
	case err := <-socketDone:
		runErr = err
	}
	stopAll()
	s.stop(ctx, srv, schedDone, loops, socketDone, runErr)
	return runErr
}

// announce says where serve listens and on what it runs, on stdout (tests
// and scripts wait for this line) and in the log.
func (s *server) announce(stdout io.Writer, addr net.Addr) {
	coordName, storeName := "in-process", "sqlite "+s.cfg.store.SQLitePath
	if s.cfg.RedisURL != "" {
		coordName = "redis"
	}
	if s.cfg.store.DatabaseURL != "" {
		storeName = "postgres"
	}
	fmt.Fprintf(stdout, "smart90 serve: listening on %s (store: %s, coordination: %s, dry run: %v)\n",
		addr, storeName, coordName, s.cfg.DryRun)
	s.log.Info("serving", "addr", addr.String(), "store", strings.Fields(storeName)[0], "coordination", coordName)
}

// stop is the graceful stop: say not ready, stop claiming, let sends under
// way finish or release, then close the HTTP server and let the replies
// already acknowledged to the platforms go out. ctx is already cancelled;
// only its values are used.
func (s *server) stop(ctx context.Context, srv *http.Server, schedDone <-chan error, loops *loops, socketDone <-chan error, runErr error) {
	s.stopping.Store(true)
	s.log.Info("stopping", "timeout", s.cfg.Shutdown)
	deadline := time.NewTimer(s.cfg.Shutdown)
	defer deadline.Stop()
	select {
	case <-schedDone:
	case <-deadline.C:
		s.log.Warn("scheduler did not stop in time; its leases will expire and another replica takes over")
	}
	loops.stop(context.WithoutCancel(ctx))
	shutCtx, cancelShut := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancelShut()
	if err := srv.Shutdown(shutCtx); err != nil {
		s.log.Warn("http shutdown", "err", err)
	}
	if s.slack != nil {
		if s.cfg.Slack.AppToken != "" && runErr == nil {
			<-socketDone // the socket loop starts no more work
		}
		s.slack.Wait() // replies already acknowledged to Slack go out
	}
	if s.teams != nil {
		s.teams.Wait() // and those acknowledged to Teams
	}
	s.log.Info("stopped")
}
