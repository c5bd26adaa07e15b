// Package pgtest gives tests a migrated postgres.DB of their own.
//
// Each call creates a uniquely named schema in the test database and
// points a connection pool at it through the search_path run-time
// parameter, so tests run in parallel without seeing one another's rows,
// and t.Cleanup drops the schema again. The database is the one at
// SMART90_TEST_DATABASE_URL (default DefaultURL). When it cannot be
// reached the test is skipped, except in CI (CI=true), where it fails:
// a CI run that silently skipped the PostgreSQL store would prove nothing.
package pgtest

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/smart90/smart90/store/postgres"
)

// DefaultURL is the test database used when SMART90_TEST_DATABASE_URL is
// unset: a local PostgreSQL with trust authentication.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// maxConns bounds each test's pool, so that many parallel tests stay under
// the server's max_connections.
const maxConns = "4"

// New returns a DB on a fresh, migrated schema that t.Cleanup closes and
// drops; opts change how it connects (postgres.WithTracer, say).
func New(t testing.TB, opts ...postgres.Option) *postgres.DB {
	t.Helper()
	u := withParam(URL(t), "pool_max_conns", maxConns)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := postgres.Open(ctx, u, logger, opts...)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return db
}

// Replicas returns n DBs, each with a pool of its own, on one fresh schema,
// as n replicas of the service sharing a database would have them. They
// migrate all at once, as replicas starting together do; t.Cleanup closes
// them and drops the schema.
func Replicas(t testing.TB, n int) []*postgres.DB {
	t.Helper()
	u := withParam(URL(t), "pool_max_conns", maxConns)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	dbs := make([]*postgres.DB, n)
	for i := range dbs {
		db, err := postgres.Open(ctx, u, logger)
		if err != nil {
			t.Fatalf("pgtest: replica %d: %v", i, err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, db := range dbs {
		wg.Go(func() { errs[i] = db.Migrate(ctx) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("pgtest: replica %d: %v", i, err)
		}
	}
	return dbs
}

// URL creates a fresh, empty schema and returns a connection URL whose
// connections use it (through search_path), for tests that start the whole
// binary and let it migrate. t.Cleanup drops the schema and all it holds;
// whoever connects must disconnect first, or the drop waits for them.
func URL(t testing.TB) string {
	t.Helper()
	base := cmp.Or(os.Getenv("SMART90_TEST_DATABASE_URL"), DefaultURL)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pgtest: PostgreSQL is required in CI: %v", err)
		}
		t.Skipf("pgtest: skipping, PostgreSQL is not reachable (set SMART90_TEST_DATABASE_URL): %v", err)
	}
	defer conn.Close(context.Background())

	schema := "smart90_test_" + randomHex(8)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("pgtest: create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("pgtest: drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", schema, err)
		}
	})
	return withParam(base, "search_path", schema)
}

// withParam adds a parameter to a postgres:// URL or a keyword/value
// connection string; pgx passes unknown ones, like search_path, to the
// server as run-time parameters.
func withParam(connString, key, value string) string {
	if !strings.HasPrefix(connString, "postgres://") && !strings.HasPrefix(connString, "postgresql://") {
		return connString + " " + key + "=" + value
	}
	u, err := url.Parse(connString)
	if err != nil {
		// pgx reports the malformed URL when it is used.
		return connString
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails, per crypto/rand
	return hex.EncodeToString(b)
}
