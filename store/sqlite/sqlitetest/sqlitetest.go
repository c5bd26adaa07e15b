// Package sqlitetest gives tests a migrated sqlite.DB of their own, as
// pgtest does for PostgreSQL.
//
// Each call opens a new database file in t.TempDir(), so tests run in
// parallel without seeing one another's rows, and t.Cleanup closes it
// (the temporary directory, and the file with it, goes when the test ends).
package sqlitetest

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/smart90/smart90/store/sqlite"
)

// New returns a DB on a fresh, migrated file that t.Cleanup closes.
func New(t testing.TB) *sqlite.DB {
	t.Helper()
	db, _ := NewFile(t)
	return db
}

// NewFile is New that also returns the file's path, for tests that reach
// the same file another way: a raw connection that reads what the store
// wrote, or the binary started on it. Closing the DB early is allowed.
func NewFile(t testing.TB) (*sqlite.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "smart90.db")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := sqlite.Open(ctx, path, logger)
	if err != nil {
		t.Fatalf("sqlitetest: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("sqlitetest: %v", err)
	}
	return db, path
}

// Replicas returns n DBs, each with connections of its own, on one fresh,
// migrated file, as n processes sharing the file would have them; t.Cleanup
// closes them.
func Replicas(t testing.TB, n int) []*sqlite.DB {
	t.Helper()
	first, path := NewFile(t)
	dbs := []*sqlite.DB{first}
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	for i := 1; i < n; i++ {
		db, err := sqlite.Open(t.Context(), path, logger)
		if err != nil {
			t.Fatalf("sqlitetest: replica %d: %v", i, err)
		}
		t.Cleanup(func() { db.Close() })
		dbs = append(dbs, db)
	}
	return dbs
}
