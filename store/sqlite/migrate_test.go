package sqlite_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"
	"github.com/smart90/smart90/store/storetest"
)

// TestMigrationsDownAndUp checks every migration's Down undoes its Up
// (storetest.MigrationsDownAndUp) on this database's schema dump.
// A missing or wrong Down leaves a table, column or index behind (or takes
// one away) and fails here.
func TestMigrationsDownAndUp(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	// One connection with foreign keys on, as the store migrates.
	raw, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "smart90.db")+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	raw.SetMaxOpenConns(1)
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, os.DirFS("migrations"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	schema := func() []string {
		t.Helper()
		s, err := column(ctx, raw, `
			SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master
			WHERE name NOT LIKE 'sqlite_%' AND tbl_name <> 'goose_db_version'
			ORDER BY type, name`)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	storetest.MigrationsDownAndUp(t, p, schema)
}
