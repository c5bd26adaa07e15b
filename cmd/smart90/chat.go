package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
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
	tz := fs.String("tz", machineZone(getenv), "time zone of console users created without one, and of the default user \"you\"; default: the machine's")
	files := fs.String("files", "", "directory for exported files (default: a temporary directory)")
	level := fs.String("log-level", "warn", "log level: debug, info, warn, error")
	charts := fs.Bool("charts", getenv("SMART90_CHARTS") != "off", "draw charts in digests and briefs (env SMART90_CHARTS=off turns them off)")
	var away awayWords
	bindAwayWords(fs, getenv, &away)
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
	summarizer, err := llmFromEnv(getenv).summarizer(log) // SMART90_LLM_*: off unless set
	if err != nil {
		return err
	}
	clock := console.NewClock(now)
	store, err := openStore(ctx, sc, log, clock)
	if err != nil {
		return err
	}
	defer store.Close()

	var core *bot.Bot
	var sched *scheduler.Scheduler
	// The console's clock drives the calendars too: `:advance` reads
	// those that come due, before the scheduler sends what they planned.
	calendars := &bot.CalendarSyncer{Workers: 1}
	con, err := console.New(console.Config{
		In: stdin, Out: stdout, Clock: clock, DefaultTimeZone: *tz, FilesDir: *files, Logger: log,
		Handler: handlerFunc(func(ctx context.Context, ev bot.Event) ([]bot.Message, error) { return core.Handle(ctx, ev) }),
		Tick: func(ctx context.Context) error {
			if _, err := calendars.RunOnce(ctx); err != nil {
				return err
			}
			return sched.Tick(ctx)
		},
		NextDue: func(ctx context.Context, after time.Time) (time.Time, bool, error) { return nextDue(ctx, store, after) },
	})
	if err != nil {
		return err
	}
	core, err = bot.New(bot.Config{Store: store, Messenger: con, State: inproc.NewState(clock), Clock: clock, Logger: log, NoCharts: !*charts,
		Summarizer: summarizer, AwayWords: away})
	if err != nil {
		return err
	}
	calendars.Bot = core
	// One worker: prompts due at the same instant come out in the order
	// the store claims them, the same on every run.
	sched, err = scheduler.New(scheduler.Config{Store: store, Deliverer: core, Clock: clock, Logger: log, Workers: 1})
	if err != nil {
		return err
	}
	return con.Run(ctx)
}

// machineZone returns the IANA name of the machine's time zone: $TZ, else
// the zone /etc/localtime links to, else UTC.
func machineZone(getenv func(string) string) string {
	if tz := strings.TrimPrefix(getenv("TZ"), ":"); tz != "" {
		if _, err := bot.LoadZone(tz); err == nil {
			return tz
		}
	}
	if target, err := os.Readlink("/etc/localtime"); err == nil {
		if _, name, ok := strings.Cut(target, "zoneinfo/"); ok {
			if _, err := bot.LoadZone(name); err == nil {
				return name
			}
		}
	}
	return "UTC"
}

// nextDue returns the first instant after after at which the scheduler has
// work: a schedule's next prompt or digest, or a pending delivery (a
// reminder, a retry) coming due. The console stops its clock there so each
// prompt goes out on time. It reads every coach's and client's schedules,
// which suits the console's handful of people, not a workspace.
func nextDue(ctx context.Context, s bot.Store, after time.Time) (time.Time, bool, error) {
	var best time.Time
	consider := func(t time.Time) {
		if t.After(after) && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	people := map[int64]bool{}
	coaches, err := s.ListCoaches(ctx)
	if err != nil {
		return time.Time{}, false, err
	}
	for _, p := range coaches {
		people[p.ID] = true
	}
	var engagements []int64
	for afterID := int64(0); ; {
		page, err := s.ListEngagements(ctx, afterID, 100)
		if err != nil {
			return time.Time{}, false, err
		}
		for _, e := range page {
			people[e.ClientID] = true
			engagements = append(engagements, e.ID)
			afterID = e.ID
		}
		if len(page) < 100 {
			break
		}
	}
	for id := range people {
		scheds, err := s.Schedules(ctx, id)
		if err != nil {
			return time.Time{}, false, err
		}
		for _, sc := range scheds {
			if !sc.NextAt.IsZero() && sc.Suspended == "" {
				consider(sc.NextAt)
			}
		}
	}
	// Reminders fall due between schedules' instants; only the engagement's
	// deliveries after now can matter.
	for _, id := range engagements {
		ds, err := s.Deliveries(ctx, id, after.Add(time.Nanosecond), after.Add(maxConsoleMove))
		if err != nil {
			return time.Time{}, false, err
		}
		for _, d := range ds {
			if d.State == bot.DeliveryPending {
				consider(d.DueAt)
			}
		}
	}
	return best, !best.IsZero(), nil
}

// maxConsoleMove bounds the look-ahead for pending deliveries: the console
// moves its clock at most 400 days at a time.
const maxConsoleMove = 401 * 24 * time.Hour
