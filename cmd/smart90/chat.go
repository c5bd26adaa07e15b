package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/smart90/smart90/adapters/console"
	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/scheduler"
	"github.com/smart90/smart90/store/inproc"
)

// handlerFunc lets the console and the bot be built in either order.
type handlerFunc func(ctx context.Context, ev bot.Event) ([]bot.Message, error)

func (f handlerFunc) Handle(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
	return f(ctx, ev)
}

// runChat runs the terminal chat: the real core, store and scheduler, with
// a clock the console can move forward.
func runChat(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sc storeConfig
	sc.bind(fs, getenv)
	start := fs.String("now", "", "start the console clock at this instant (RFC 3339, e.g. 2026-11-23T08:00:00Z); default: now")
	tz := fs.String("tz", "UTC", "time zone of console users created without one")
	files := fs.String("files", "", "directory for exported files (default: a temporary directory)")
	level := fs.String("log-level", "warn", "log level: debug, info, warn, error")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("chat takes no arguments, got %q", fs.Args())
	}
	log, err := newLogger(stderr, *level, false)
	if err != nil {
		return err
	}
	now := time.Now()
	if *start != "" {
		if now, err = time.Parse(time.RFC3339, *start); err != nil {
			return fmt.Errorf("-now: %w", err)
		}
	}
	clock := console.NewClock(now)
	store, err := openStore(ctx, sc, log)
	if err != nil {
		return err
	}
	defer store.Close()

	var core *bot.Bot
	var sched *scheduler.Scheduler
	con, err := console.New(console.Config{
		In: stdin, Out: stdout, Clock: clock, DefaultTimeZone: *tz, FilesDir: *files, Logger: log,
		Handler: handlerFunc(func(ctx context.Context, ev bot.Event) ([]bot.Message, error) { return core.Handle(ctx, ev) }),
		Tick:    func(ctx context.Context) error { return sched.Tick(ctx) },
	})
	if err != nil {
		return err
	}
	core, err = bot.New(bot.Config{Store: store, Messenger: con, State: inproc.NewState(clock), Clock: clock, Logger: log})
	if err != nil {
		return err
	}
	sched, err = scheduler.New(scheduler.Config{Store: store, Deliverer: core, Clock: clock, Logger: log})
	if err != nil {
		return err
	}
	return con.Run(ctx)
}
