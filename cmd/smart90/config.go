package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/smart90/smart90/bot"
	"github.com/smart90/smart90/store/postgres"
	"github.com/smart90/smart90/store/sqlite"
)

// storeConfig says which store to open.
type storeConfig struct {
	DatabaseURL string // SMART90_DATABASE_URL: postgres://…; "" = SQLite
	SQLitePath  string // the embedded default's file
}

// bind registers the store flags with defaults from the environment.
func (c *storeConfig) bind(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&c.DatabaseURL, "database-url", getenv("SMART90_DATABASE_URL"), "PostgreSQL URL (env SMART90_DATABASE_URL); empty uses the SQLite file")
	fs.StringVar(&c.SQLitePath, "sqlite", cmp.Or(getenv("SMART90_SQLITE_PATH"), "smart90.db"), "SQLite file of the embedded default (env SMART90_SQLITE_PATH)")
}

// migrator is a store that can apply its migrations.
type migrator interface {
	bot.Store
	Migrate(ctx context.Context) error
}

// openStore opens and migrates the configured store, which reads the time
// from clock for the instants a caller leaves zero.
func openStore(ctx context.Context, c storeConfig, log *slog.Logger, clock bot.Clock) (bot.Store, error) {
	var s migrator
	var err error
	switch {
	case c.DatabaseURL == "":
		s, err = sqlite.Open(ctx, c.SQLitePath, log, sqlite.WithClock(clock.Now))
	case strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://"):
		s, err = postgres.Open(ctx, c.DatabaseURL, log, postgres.WithClock(clock.Now))
	default:
		return nil, fmt.Errorf("SMART90_DATABASE_URL must start with postgres:// (or be unset for SQLite)")
	}
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return s, nil
}

// newLogger logs text to w at the given level ("debug", "info", "warn", "error").
func newLogger(w io.Writer, level string, json bool) (*slog.Logger, error) {
	l, err := parseLevel(level)
	if err != nil {
		return nil, err
	}
	if json {
		return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), nil
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// parseLevel reads a log level: "debug", "info", "warn" or "error".
func parseLevel(level string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return l, fmt.Errorf("log level %q: %w", level, err)
	}
	return l, nil
}

// runMigrate applies the configured store's migrations and exits.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sc storeConfig
	sc.bind(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	log, _ := newLogger(stderr, "warn", false)
	s, err := openStore(ctx, sc, log, bot.SystemClock{})
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintln(stdout, "migrations applied")
	return nil
}
